"""Who is reached: groups fixed at end-2015, measures per group and month that add up to the totals, gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import simulate
from sim.equity import (
    ENTERPRISE_DIMENSIONS,
    ENTERPRISE_METRICS,
    HOUSEHOLD_DIMENSIONS,
    HOUSEHOLD_METRICS,
    SUMMARY,
    concentration_index,
    end_gaps,
)
from sim.population import URBAN

# equity metric -> the monthly.parquet total every household dimension must add up to
TOTALS = {"households": "households_total", "with_file": "households_with_file", "rated": "households_rated",
          "with_line": "households_with_credit_line", "with_loan": "households_with_loan",
          "digital": "fengshou_households"}


@pytest.fixture(scope="module")
def run():
    return simulate(["scenario=plan", "seed=3", "population.weight=1000"], keep_model=True)


def _sums(eq: pd.DataFrame, dim: str) -> pd.DataFrame:
    return eq[eq["dimension"] == dim].pivot_table(index="month", columns="metric", values="value", aggfunc="sum")


def test_every_dimension_group_and_metric_for_sixty_months(run):
    eq = run.equity
    assert list(eq.columns) == ["month", "dimension", "group", "metric", "value"]
    months = sorted(eq["month"].unique())
    assert len(months) == 60 and months[0] == "2016-01" and months[-1] == "2020-12"
    for dims, metrics in ((HOUSEHOLD_DIMENSIONS, HOUSEHOLD_METRICS), (ENTERPRISE_DIMENSIONS, ENTERPRISE_METRICS)):
        for dim, (groups, _) in dims.items():
            sub = eq[eq["dimension"] == dim]
            assert set(sub["group"]) == set(groups), dim
            assert set(sub["metric"]) == set(metrics), dim
            assert len(sub) == 60 * len(groups) * len(metrics), dim
    assert len(HOUSEHOLD_DIMENSIONS["county"][0]) == 9
    summary = eq[eq["dimension"] == SUMMARY]
    assert set(summary["group"]) == {"concentration_index", "remote_near_gap", "bottom_top_gap"}
    assert set(summary["metric"]) == {"line", "loan", "digital", "distance"}
    assert summary.groupby(["group", "metric"]).size().eq(60).all()


def test_groups_over_any_dimension_add_up_to_the_monthly_totals(run):
    eq, wide = run.equity, run.wide()
    for dim in HOUSEHOLD_DIMENSIONS:
        sums = _sums(eq, dim)
        for metric, total in TOTALS.items():
            np.testing.assert_allclose(sums[metric].to_numpy(), wide[total].reindex(sums.index).to_numpy(),
                                       rtol=1e-9, err_msg=f"{dim}: {metric}")
    for dim in ENTERPRISE_DIMENSIONS:
        np.testing.assert_allclose(_sums(eq, dim)["enterprises"], wide["enterprises_total"], rtol=1e-9)
    # households' and enterprises' balances make the whole loan book
    book = _sums(eq, "county")["loan_balance"] + _sums(eq, "enterprise_kind")["loan_balance"]
    np.testing.assert_allclose(book, wide["loan_balance_total"], rtol=1e-6)
    # this month's applications and approvals are the month's increments of the running tallies
    for metric, total in (("applications", "applications_cum"), ("approvals", "approved_cum")):
        np.testing.assert_allclose(_sums(eq, "remote")[metric].cumsum(), wide[total], rtol=1e-9)


def test_groups_are_the_households_the_plan_names(run):
    m = run.model
    w, eq = m.world, run.equity
    first = eq[eq["month"] == "2016-01"]
    people = first[(first["dimension"] == "income_quintile") & (first["metric"] == "households")]
    share = people.set_index("group")["value"]
    rural = share.drop("urban")
    assert np.allclose(rural / rural.sum(), 0.2, atol=0.01)  # quintiles of end-2015 rural income
    n = w.n_active_rows  # the model's state is December 2020's
    last = eq[(eq["month"] == "2020-12") & (eq["dimension"] == "income_quintile")]
    urban = last[last["metric"] == "households"].set_index("group")["value"]["urban"]
    assert urban == pytest.approx(np.count_nonzero(w.households.kind[:n] == URBAN) * w.weight)
    dist = last[last["metric"] == "distance_km"].set_index("group")["value"]
    direct = w.access(np.arange(n))[1].mean()
    all_hh = last[last["metric"] == "households"].set_index("group")["value"]
    assert (dist * all_hh).sum() / all_hh.sum() == pytest.approx(direct, rel=1e-6)
    # remote villages (mountain, island, far in 2015) start further from a service point than near ones
    start = first[(first["dimension"] == "remote") & (first["metric"] == "distance_km")].set_index("group")["value"]
    assert start["remote"] > start["near"]


def test_rates_fees_and_interest_are_per_household_and_in_range(run):
    eq = run.equity
    hh = eq[eq["dimension"] == "household_kind"]
    for metric in ("approval_rate", "default_rate", "share_with_line", "share_with_loan", "share_digital"):
        v = hh[hh["metric"] == metric]["value"].dropna()
        assert ((v >= 0) & (v <= 1)).all(), metric
    fees = hh[hh["metric"] == "fees_per_household"]["value"]
    assert (fees > 0).all()  # every household holds an account
    interest = hh[(hh["metric"] == "interest_per_household") & (hh["month"] == "2020-12")].set_index("group")
    balance = hh[(hh["metric"] == "loan_balance") & (hh["month"] == "2020-12")].set_index("group")["value"]
    people = hh[(hh["metric"] == "households") & (hh["month"] == "2020-12")].set_index("group")["value"]
    rate = run.config.uncertainties.farm_loan_rate
    # interest is at most the list rate on the balance (discounts only lower it)
    assert (interest["value"] <= balance / people * rate / 12 * (1 + 1e-9)).all()


def test_fee_relief_lowers_rural_fees():
    plan = simulate(["scenario=plan", "seed=3", "population.weight=2000"])
    off = simulate(["scenario=plan", "seed=3", "population.weight=2000", "levers.fee_waivers.enabled=false"])

    def farm_fees(r):
        e = r.equity
        sel = (e["dimension"] == "household_kind") & (e["group"] == "farm") & (e["metric"] == "fees_per_household")
        return e[sel & (e["month"] == "2016-06")]["value"].item()

    assert farm_fees(plan) < farm_fees(off)


def test_concentration_index_is_two_cov_over_mean_of_the_grouped_ranks():
    assert concentration_index([1, 1, 1, 1, 1], [0.3] * 5) == pytest.approx(0.0)
    assert concentration_index([1, 1, 1, 1, 1], [0, 0, 0, 0, 1]) > 0.5  # all with the richest
    assert concentration_index([1, 1, 1, 1, 1], [1, 0, 0, 0, 0]) < -0.5  # all with the poorest
    # the textbook formula on individuals ranked by income, each group's households at its midpoint rank
    f = np.array([30, 20, 25, 15, 10])
    y = np.array([0.1, 0.2, 0.25, 0.4, 0.6])
    people_y = np.repeat(y, f)
    rank = np.repeat((np.cumsum(f) - f / 2) / f.sum(), f)
    expected = 2 * np.cov(people_y, rank, bias=True)[0, 1] / people_y.mean()
    assert concentration_index(f, y) == pytest.approx(expected)
    both = concentration_index(np.vstack([f, f]), np.vstack([y, y[::-1]]))
    assert both.shape == (2,) and both[0] > 0 > both[1]


def test_gaps_are_remote_minus_near_and_bottom_minus_top(run):
    eq = run.equity
    last = eq[eq["month"] == "2020-12"]
    gaps = end_gaps(eq)
    share = last[last["metric"] == "share_with_loan"].set_index(["dimension", "group"])["value"]
    assert gaps["remote_near_gap_loan"] == pytest.approx(share["remote", "remote"] - share["remote", "near"])
    assert gaps["bottom_top_gap_loan"] == pytest.approx(share["income_quintile", "q1"]
                                                        - share["income_quintile", "q5"])
    assert len(gaps) == 12


def test_same_seed_same_equity():
    a = simulate(["seed=4", "population.weight=2000"]).equity
    b = simulate(["seed=4", "population.weight=2000"]).equity
    pd.testing.assert_frame_equal(a, b)


def test_a_run_folder_holds_the_equity_table_and_figure(run, tmp_path):
    run.save(tmp_path)
    back = pd.read_parquet(tmp_path / "equity.parquet")
    pd.testing.assert_frame_equal(back, run.equity)
    assert (tmp_path / "equity.png").stat().st_size > 10_000


@pytest.mark.parametrize("seed", range(5))
def test_the_months_compiled_sums_are_numpys_bincounts_bit_for_bit(seed):
    from sim.equity import _enterprise_pass, _snapshot_borrowers, row_sums
    from sim.population import LOW_INCOME_LOAN

    rng = np.random.default_rng(seed)
    rows, n, nc = 4000, int(rng.integers(0, 4000)), int(rng.integers(1, 60))
    joint = rng.integers(0, nc, rows).astype(np.uint16)  # as Equity.joint
    has_file, rated, digital, discounted = (rng.random((4, rows)) < rng.random((4, 1)))
    # lines and balances spread over decades, so that any other order of addition would round differently
    line = np.where(rng.random(rows) < 0.5, 0, rng.lognormal(10, 2, rows)).astype(np.float32)
    inv_income = 1 / rng.lognormal(10, 1, rows)
    product = np.where(rng.random(rows) < 0.7, 0, rng.integers(1, 7, rows)).astype(np.int8)
    loan = np.where(product > 0, rng.lognormal(11, 2, rows), 0).astype(np.float32)
    loan_rows = np.flatnonzero(product != 0)
    tag = discounted[loan_rows].view(np.uint8) | (product[loan_rows] == LOW_INCOME_LOAN).view(np.uint8) << 1
    cell = joint[:n]
    expected = (np.stack([np.bincount(cell, weights=flag, minlength=nc).astype(np.int64)
                          for flag in (np.ones(n), has_file[:n], rated[:n], line[:n] > 0, digital[:n])]),
                np.bincount(cell, weights=line[:n] * inv_income[:n], minlength=nc),
                np.bincount(joint[loan_rows], minlength=nc),
                np.bincount(joint[loan_rows].astype(np.intp) * 4 + tag, weights=loan[loan_rows], minlength=nc * 4))
    got = (*row_sums(joint, has_file[:n], rated[:n], line[:n], digital[:n], inv_income[:n], nc),
           *_snapshot_borrowers(joint, loan_rows, discounted, product, loan, nc))
    for a, b in zip(got, expected, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    groups = int(rng.integers(1, 5))
    ent_code = rng.integers(0, groups, rows).astype(np.intp)
    ent_flags = (rated[:n].view(np.uint8) | (product[:n] != 0).view(np.uint8) << 1 | digital[:n].view(np.uint8) << 2)
    by, balance = _enterprise_pass(ent_code, rated[:n], product[:n], digital[:n], loan_rows, loan, groups)
    assert np.array_equal(by, np.bincount(ent_code[:n] * 8 + ent_flags, minlength=groups * 8))
    assert np.array_equal(balance, np.bincount(ent_code[loan_rows], weights=loan[loan_rows], minlength=groups))


@pytest.mark.parametrize("seed", range(5))
def test_the_groups_compiled_codes_are_numpys(seed):
    from sim.equity import _inverse, _joint_cells, _place_pairs, _quintiles

    rng = np.random.default_rng(seed)
    rows = int(rng.integers(1, 5000))
    sizes = rng.integers(1, 8, 6)  # six dimensions, as the model's: one machine-code version of the pass
    codes = tuple(rng.integers(0, s, rows).astype(np.int8) for s in sizes)
    joint = np.ravel_multi_index(tuple(c.astype(np.intp) for c in codes), tuple(sizes))
    occupied = np.unique(joint)
    cell = np.empty(rows, np.uint16)
    got_occupied = _joint_cells(codes, sizes.astype(np.int64), cell)
    assert np.array_equal(got_occupied, occupied) and np.array_equal(cell, np.searchsorted(occupied, joint))

    # pairs: a place fixes a cell's other digits, so a cell is (place, group within the place) here
    n_places, n_within = int(rng.integers(1, 50)), int(rng.integers(1, 8))
    place = rng.integers(0, n_places, rows).astype(np.uint16)  # as World.hh_place
    code = place.astype(np.int64) * n_within + rng.integers(0, n_within, rows)
    cells = np.unique(code)
    cell_no = np.searchsorted(cells, code).astype(np.uint16)  # as Equity.joint
    within = cells % n_within  # int64, as the model's
    pairs = np.unique(code)
    pair, got_pairs, pair_cell = _place_pairs(place, cell_no, within, n_within, n_places * n_within)
    assert np.array_equal(got_pairs, pairs) and np.array_equal(pair, np.searchsorted(pairs, code))
    assert np.array_equal(pair_cell[pair], cell_no) and (pair_cell >= 0).all()
    # two rows of one place and one within-place group in different cells: a dimension varies within the place
    _, _, pair_cell = _place_pairs(np.zeros(2, np.uint16), np.array([0, 1], np.uint16), np.zeros(2, np.int64), 1, 1)
    assert pair_cell.tolist() == [-1]

    income = rng.lognormal(10, 1, rows).astype(np.float32)
    kind = rng.integers(0, 3, rows).astype(np.int8)
    index = np.float32(rng.uniform(1, 2))
    cuts = np.quantile(income / index, [0.2, 0.4, 0.6, 0.8])
    expected = np.where(kind != URBAN, np.searchsorted(cuts, income / index, side="right"), 5)
    assert np.array_equal(_quintiles(income, index, kind, cuts, 5), expected)
    # 1 / income, for the line-to-income sums, with incomes below 1 CNY counted as 1
    income[:3] = (0.0, 0.5, 1.0)
    index = float(rng.uniform(1, 2))
    assert np.array_equal(_inverse(income, index), index / np.maximum(income, np.float32(1.0)).astype(np.float64))


def test_the_household_kinds_are_the_first_that_applies():
    from types import SimpleNamespace

    from sim.equity import _household_kind
    from sim.population import FARM, LOW_INCOME, URBAN

    kind = np.array([FARM, LOW_INCOME, URBAN, URBAN, FARM, LOW_INCOME], np.int8)
    worker = np.array([False, False, True, False, True, True])  # only urban rows are workers in a run
    w = SimpleNamespace(households=SimpleNamespace(kind=kind), is_worker=worker)
    code = _household_kind(w)
    assert code.tolist() == [0, 1, 2, 3, 0, 1]
    assert code.tolist() == np.select([kind == FARM, kind == LOW_INCOME, worker], [0, 1, 2], 3).tolist()
