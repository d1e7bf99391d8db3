"""Taizhou at the end of 2015, built from the declared facts and priors."""

from __future__ import annotations

import numpy as np
import pytest

from sim.population import FARM, LOW_INCOME, URBAN
from tests.conftest import tiny_config


def test_places_match_the_sourced_counts(tiny_world):
    p, pop = tiny_world.places, tiny_world.pop
    assert p.village_size.size == pop.villages == 5037
    assert p.community_covered.size == pop.communities == 149
    assert p.village_station.sum() == pop.stations_2015
    assert (p.village_size[p.village_station] >= pop.coverage_min_residents).all()  # stations only in 200+ villages


def test_households_have_the_declared_mix(tiny_world):
    hh, pop = tiny_world.households, tiny_world.pop
    n = tiny_world.n_active_rows
    assert n * tiny_world.weight == pytest.approx(pop.households_2015, rel=1e-3)
    rural = np.isin(hh.kind[:n], (FARM, LOW_INCOME)).mean()
    assert rural == pytest.approx(pop.rural_share, abs=0.05)
    assert (hh.village[hh.kind == URBAN] == -1).all() and (hh.village[hh.kind != URBAN] >= 0).all()
    assert hh.income[hh.kind == LOW_INCOME].mean() < hh.income[hh.kind == FARM].mean()


def test_households_formed_after_2015_start_without_file_or_line(tiny_world):
    hh, n0 = tiny_world.households, tiny_world.n_active_rows
    assert not hh.has_file[n0:].any() and not (hh.line[n0:] > 0).any()


def test_the_same_seed_builds_the_same_population():
    from sim.world import World

    a, b = World(tiny_config()), World(tiny_config())
    assert np.array_equal(a.households.income, b.households.income)
    assert np.array_equal(a.places.village_size, b.places.village_size)


def test_the_compiled_build_compiles_once(tiny_world):
    from sim import population
    from sim.world import World

    World(tiny_config(1000.0))  # another scale: the same argument types, so one machine-code version per kernel
    for kernel in (population._household_columns, population._first_borrowers):
        assert len(kernel.signatures) == 1, kernel
    assert len(population._scaled.signatures) == 2  # incomes by kind, wealth by income


def test_incomes_and_wealth_are_numpys_products_bit_for_bit():
    from sim.population import _scaled

    rng = np.random.default_rng(4)
    base, kind = np.array([30_000.0, 12_000.0, 70_000.0]), rng.integers(0, 3, 2_000).astype(np.int8)
    factor = rng.lognormal(0, 0.8, kind.size)
    income = _scaled(base, kind, factor)
    assert income.dtype == np.float32 and np.array_equal(income, (base[kind] * factor).astype("f4"))
    wealth = _scaled(income, None, factor[::-1].copy())
    assert np.array_equal(wealth, (income * factor[::-1]).astype("f4"))


@pytest.mark.parametrize("size", [1, 9, 5037])
def test_choice_gives_what_numpy_choice_gives(size):
    from sim.population import choice

    weights = np.random.default_rng(size).random(size) ** 3  # uneven, some tiny
    p = weights / weights.sum()
    for seed in range(3):
        expected = np.random.default_rng(seed).choice(size, size=20_000, p=p)
        assert np.array_equal(choice(np.random.default_rng(seed), p, 20_000), expected)
