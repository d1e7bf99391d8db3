"""The world's compiled passes over the rows give NumPy's results bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.goals import SMALL_CREDIT_CAP_CNY
from sim.world import _loan_pass, _peer_pass


@pytest.mark.parametrize("seed", range(5))
def test_peers_are_numpys_counts(seed):
    rng = np.random.default_rng(seed)
    n, n_places = int(rng.integers(0, 5000)), int(rng.integers(1, 80))
    place = rng.integers(0, n_places, n).astype(np.uint16)  # as World.hh_place
    product = np.where(rng.random(n) < 0.8, 0, rng.integers(1, 7, n)).astype(np.int8)
    digital = rng.random(n) < rng.random()
    people, borrowers, users = _peer_pass(0, n, place, product, digital, n_places)
    assert np.array_equal(people, np.bincount(place, minlength=n_places))
    assert np.array_equal(borrowers, np.bincount(place[product != 0], minlength=n_places))
    assert np.array_equal(users, np.bincount(place[digital], minlength=n_places))


@pytest.mark.parametrize("seed", range(5))
def test_the_loan_books_groups_are_numpys_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    n, n_products = int(rng.integers(0, 5000)), int(rng.choice([4, 7]))
    product = np.where(rng.random(n) < 0.8, 0, rng.integers(1, n_products, n)).astype(np.int8)
    kind = rng.integers(0, 3, n).astype(np.int8)
    green, npl = rng.random((2, n)) < 0.2
    # balances on both sides of the small-credit cap, some at it exactly, over decades
    loan = np.where(rng.random(n) < 0.1, SMALL_CREDIT_CAP_CNY, rng.lognormal(11, 2, n)).astype(np.float32)
    rows, bal, count = _loan_pass(0, n, product, kind, green, npl, loan, np.float32(SMALL_CREDIT_CAP_CNY), n_products)
    expected_rows = np.flatnonzero(product != 0)
    assert np.array_equal(rows, expected_rows) and rows.dtype == expected_rows.dtype
    r = expected_rows
    code = (product[r].astype(np.intp) * 24 + kind[r] * 8 + green[r] * 4 + npl[r] * 2
            + (loan[r] > SMALL_CREDIT_CAP_CNY))
    assert np.array_equal(bal, np.bincount(code, weights=loan[r], minlength=n_products * 24))
    assert np.array_equal(count, np.bincount(code, minlength=n_products * 24))


def test_the_monthly_passes_compile_once():
    from sim import equity, streams, world
    from sim.behaviour import credit, outreach
    from sim.levers import loans
    from sim.model import TaizhouModel
    from tests.conftest import tiny_config

    # two scales and a month each: the same argument types, so one machine-code version per kernel
    for weight in (2350.0, 1000.0):
        cfg = tiny_config(weight)
        cfg.months = 1
        model = TaizhouModel(cfg).run()
        outreach.raise_rural_trust(model.world, 0.1)
    kernels = (world._peer_pass, world._loan_pass, equity._snapshot_rows, equity._snapshot_borrowers,
               equity._enterprise_pass, equity._group_sums, outreach._visit_sums, outreach._visit_probabilities,
               outreach._visit_pick, outreach._keenest_without_line, outreach._close_trust_gap, world._place_order,
               credit._age_and_run_down, credit._run_down, credit._needs, equity._joint_cells, equity._place_pairs,
               equity._quintiles, equity._inverse, loans._discounted_balance, streams.flag_drawn_below,
               world._place_columns, world._cut_into_grids)
    for kernel in kernels:
        assert len(kernel.signatures) == 1, kernel


def test_rows_by_village_are_a_stable_sort_of_the_rural_rows():
    from sim.world import _rows_by_village

    village = np.random.default_rng(3).integers(-1, 40, 5_000).astype(np.int32)  # -1: urban
    rows, ptr = _rows_by_village(village, 40)
    rural = np.flatnonzero(village >= 0)
    assert np.array_equal(rows, rural[np.argsort(village[rural], kind="stable")])
    assert np.array_equal(ptr, np.searchsorted(village[rows], np.arange(41)))


@pytest.mark.parametrize("n", [0, 1, 5_000])
def test_the_place_order_is_numpys_lexsort(n):
    from sim.world import _place_order, _place_ranks

    rng = np.random.default_rng(n)
    village_county, community_county = rng.integers(0, 9, 40).astype(np.int8), rng.integers(0, 9, 7).astype(np.int8)
    rural = rng.random(n) < 0.6
    village = np.where(rural, rng.integers(0, 40, n), -1).astype(np.int32)  # -1: urban
    community = np.where(rural, -1, rng.integers(0, 7, n)).astype(np.int16)  # -1: rural
    county = np.where(rural, village_county[village], community_county[community])
    place = np.where(rural, village, 40 + community).astype(np.uint16)  # as World.hh_place numbers them
    order = _place_order(place, _place_ranks(village_county, community_county))
    assert np.array_equal(order, np.lexsort((community, village, county)))



@pytest.mark.parametrize("seed", range(3))
def test_the_places_and_visit_priorities_are_numpys_bit_for_bit(seed):
    from sim.population import LOW_INCOME
    from sim.world import _place_columns

    rng = np.random.default_rng(seed)
    n, nv = 5_000, 40
    village = np.where(rng.random(n) < 0.6, rng.integers(0, nv, n), -1).astype(np.int32)
    community = np.where(village < 0, rng.integers(0, 7, n), -1).astype(np.int16)
    kind = rng.integers(0, 3, n).astype(np.int8)
    remote = rng.random(nv) < 0.3
    a, b = rng.uniform(0, 2, 2)
    place, weight = np.empty(n, np.uint16), np.empty(n, np.float32)  # as World's
    _place_columns(0, n, village, community, kind, remote, a, b, place, weight)
    expected_place = np.where(village >= 0, village, nv + community)
    assert np.array_equal(place, expected_place)
    remote_place = np.concatenate([remote, np.zeros(7, bool)])
    expected = (1.0 + a * remote_place[expected_place] + b * (kind == LOW_INCOME)).astype(np.float32)
    assert np.array_equal(weight, expected)


def test_running_counts_and_grids_are_numpys():
    from sim.world import _cut_into_grids, _running_count

    rng = np.random.default_rng(5)
    flag = rng.random(1_000) < 0.4
    assert np.array_equal(_running_count(flag), np.concatenate([[0], np.cumsum(flag)]))
    assert _running_count(flag[:0]).tolist() == [0]
    order = rng.permutation(1_003)
    grid_of = np.empty(order.size, np.int32)
    grid_of[order] = np.arange(order.size) * 7 // order.size
    got = np.empty(order.size, np.uint16)
    _cut_into_grids(order, 7, got)
    assert np.array_equal(got, grid_of)
