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
    for kernel in (population._household_rows, population._first_borrowers, population._enterprise_rows,
                   population._drawn_among):
        assert len(kernel.signatures) == 1, kernel


def test_the_build_draws_each_row_from_its_own_draws():
    """A row's columns do not depend on how many rows are built: the same seed, more rows, the same first rows."""
    from sim.population import (
        ENTERPRISE_DRAWS,
        HOUSEHOLD_DRAWS,
        build_enterprises,
        build_households,
        build_places,
    )
    from sim.streams import Streams

    small, large = tiny_config(), tiny_config(300.0)  # 1,000 and 7,800 rows
    for build, draws, k in ((build_households, "population", HOUSEHOLD_DRAWS),
                            (build_enterprises, "enterprise_population", ENTERPRISE_DRAWS)):
        built = []
        for cfg in (small, large):
            streams = Streams(cfg.seed)
            keys = streams.build_keys(draws, k)
            built.append(build(cfg, build_places(small, streams.places), keys))
        a, b = built
        assert a.n < b.n
        for name in ("kind", "county", "village", "risk"):
            assert np.array_equal(getattr(a, name), getattr(b, name)[: a.n]), name


@pytest.mark.parametrize("size", [1, 9, 5037])
def test_a_place_is_found_as_searchsorted_finds_it(size):
    from numba import njit

    from sim.population import _guide, _search_right

    @njit
    def search(cdf, guide, x):
        return np.array([_search_right(cdf, guide, v) for v in x])

    weights = np.random.default_rng(size).random(size) ** 3  # uneven, some tiny
    cdf = np.cumsum(weights / weights.sum())
    cdf /= cdf[-1]
    x = np.concatenate([np.random.default_rng(0).random(20_000), cdf[:-1], [0.0, np.nextafter(1.0, 0)]])
    assert np.array_equal(search(cdf, _guide(cdf), x), np.searchsorted(cdf, x, side="right"))


def test_the_drawn_columns_follow_their_distributions():
    """Lognormal income, wealth and risk, beta literacy: the draws pass a Kolmogorov-Smirnov test."""
    from scipy import stats

    from sim.population import FARM
    from sim.world import World

    cfg = tiny_config(20.0)
    w = World(cfg)
    hh, pop, u = w.households, cfg.population, cfg.uncertainties
    farm = hh.kind == FARM

    def lognormal(mean, sigma):  # with this mean
        return stats.lognorm(sigma, scale=mean * np.exp(-sigma**2 / 2)).cdf

    income = hh.income[farm].astype(np.float64) / pop.income_rural_2015
    assert stats.kstest(income, lognormal(1.0, pop.income_sigma)).pvalue > 1e-3
    ratio = hh.wealth.astype(np.float64) / hh.income
    assert stats.kstest(ratio, lognormal(pop.wealth_income_ratio, pop.wealth_sigma)).pvalue > 1e-3
    assert stats.kstest(hh.risk, lognormal(1.0, u.risk_sigma)).pvalue > 1e-3
    mean = pop.literacy_mean * pop.literacy_rural_factor
    a = pop.literacy_concentration
    assert stats.kstest(hh.literacy[hh.kind != URBAN], stats.beta(a * mean, a * (1 - mean)).cdf).pvalue > 1e-3
