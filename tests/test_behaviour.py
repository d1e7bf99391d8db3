"""The households' rules on a tiny world: price, credit, adoption and outreach respond as they should."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.behaviour import digital_adoption, ebank_share, household_credit, outreach, price_factor
from sim.policy import Policy
from sim.streams import row_keys, row_uniforms


@given(st.floats(0, 500), st.floats(0, 500), st.floats(-1.0, 0.0))
def test_a_deeper_discount_never_lowers_take_up(bp1, bp2, elasticity):
    lo, hi = sorted([bp1, bp2])
    assert price_factor(0.075, hi, elasticity) >= price_factor(0.075, lo, elasticity) - 1e-6
    assert 0 <= price_factor(0.075, hi, elasticity) <= 2


def _lend(world, policy, months=12):
    for t in range(months):
        world.streams.new_month(t)
        world.bank.new_month(1.0, 0.0, 0.0, grow=False)  # no funding limit: the households' side alone
        world.staff.new_month()
        world.staff.reserved[:] = 1e12  # managers have the hours: the households' response alone
        household_credit(world, policy, t)
        world.staff.close_month()
        world.t += 1
    return world.flows["hh_disbursed"]


def test_a_rate_discount_raises_lending(tiny_world):
    from sim.world import World

    base = _lend(tiny_world, Policy())
    cheap = Policy(rate_discount_bp={"small_credit": 200.0, "farm": 200.0, "low_income": 200.0})
    assert _lend(World(tiny_world.cfg), cheap) > base


def test_the_low_income_product_reaches_low_income_households(tiny_world):
    from sim.world import World

    base = _lend(tiny_world, Policy(), 24)
    reached = Policy(low_income_reach=1.0, low_income_risk_tolerance=3.0, low_income_discount_bp=100)
    w2 = World(tiny_world.cfg)
    _lend(w2, reached, 24)
    assert w2.flows["low_income_disbursed"] > tiny_world.flows["low_income_disbursed"]
    assert base > 0


def test_platform_push_speeds_adoption(tiny_world):
    from sim.world import World

    pushed = World(tiny_world.cfg)
    for t in range(12):
        for w, policy in ((tiny_world, Policy()), (pushed, Policy(platform_push=3.0))):
            w.streams.new_month(t)
            digital_adoption(w, policy, t)
    assert pushed.households.digital.sum() > tiny_world.households.digital.sum()


def test_e_channel_share_is_a_share_and_rises_with_fee_relief(tiny_world):
    base = ebank_share(tiny_world, Policy())
    assert 0 < base < 1
    assert ebank_share(tiny_world, Policy(fee_waiver_share=1.0)) > base


def test_the_compiled_digital_rules_compile_once(tiny_world):
    from sim.behaviour import digital
    from sim.world import World
    from tests.conftest import tiny_config

    # another scale and other levers: the same argument types, so one machine-code version per kernel
    for w, policy in ((tiny_world, Policy()), (World(tiny_config(1000.0)), Policy(platform_push=3.0, fee_bass_push=1))):
        w.streams.new_month(0)
        digital_adoption(w, policy, 0)
        ebank_share(w, policy)
    for kernel in (digital._adoption_counts, digital._adoption_pass, digital._channel_groups):
        assert len(kernel.signatures) == 1, kernel


def test_a_campaign_rates_and_grants_lines_in_its_villages(tiny_world):
    w = tiny_world
    # the 60 most populous villages: a row or a few each at this scale, together enough rows for shares
    villages = np.argsort(-np.bincount(w.households.village[w.households.village >= 0]), kind="stable")[:60]
    rows = np.flatnonzero(np.isin(w.households.village[: w.n_active_rows], villages))
    assert rows.size >= 80
    w.households.line[rows] = 0
    w.households.rated[rows] = False
    cards = outreach.campaign(w, Policy(), villages)
    assert cards > 0
    assert w.households.has_file[rows].all()
    assert 0.2 < w.households.rated[rows].mean() < 0.95  # the bank rates the creditworthy, not everyone
    assert (w.households.line[rows][w.households.rated[rows]] > 0).mean() > 0.7
    assert w.places.village_campaigned[villages].all()


def test_visits_file_unfiled_households_first(tiny_world):
    w = tiny_world
    n = w.n_active_rows
    before = w.households.has_file[:n].sum()
    w.streams.new_month(0)
    outreach.visit_grids(w, Policy(), np.full(w.n_grids, 50.0 * w.weight))
    assert w.households.has_file[:n].sum() > before


# ---------------------------------------------------------------- risk and selection
def test_a_poorer_household_with_the_same_need_is_less_likely_approved_and_gets_a_smaller_line(tiny_world):
    from sim.behaviour.credit import assess, credit_lines, household_pd

    w = tiny_world
    rows = np.flatnonzero(w.households.kind[: w.n_active_rows] == 0)[:200]
    rich, poor = rows.copy(), rows.copy()
    w.households.income[rich] = 80_000
    pd_rich = household_pd(w, rich, np.full(rows.size, 100_000, np.float32))
    lines_rich = credit_lines(w, rich)
    w.households.income[poor] = 20_000
    pd_poor = household_pd(w, poor, np.full(rows.size, 100_000, np.float32))
    lines_poor = credit_lines(w, poor)
    z = np.full(rows.size, 0.5, np.float32)
    cut = w.u.approval_pd_cutoff
    assert (assess(w, Policy(), poor, pd_poor, z) <= cut).mean() < (assess(w, Policy(), rich, pd_rich, z) <= cut).mean()
    assert (lines_poor < lines_rich).all()
    assert (lines_poor <= w.u.line_income_multiple * 20_000 + 1).all()


def test_more_debt_service_raises_the_default_probability(tiny_world):
    from sim.behaviour.credit import household_pd

    rows = np.arange(100)
    low = household_pd(tiny_world, rows, np.full(100, 20_000, np.float32))
    high = household_pd(tiny_world, rows, np.full(100, 200_000, np.float32))
    assert (high > low).all()


def test_a_loan_without_collateral_carries_the_unsecured_factor_row_by_row(tiny_world):
    from sim.behaviour.credit import household_pd

    rows = np.arange(300)
    debt = np.full(300, 20_000, np.float32)
    unsecured = np.random.default_rng(1).random(300) < 0.4
    secured_pd, unsecured_pd = household_pd(tiny_world, rows, debt), household_pd(tiny_world, rows, debt, True)
    mixed = household_pd(tiny_world, rows, debt, unsecured)
    assert mixed.dtype == np.float32
    assert np.array_equal(mixed, np.where(unsecured, unsecured_pd, secured_pd))
    assert (unsecured_pd[secured_pd < 0.5] > secured_pd[secured_pd < 0.5]).all()


def test_the_share_with_a_line_rises_with_income_without_the_programme():
    from sim import simulate
    from sim.population import URBAN

    m = simulate(["scenario=no_program", "population.weight=100"], keep_model=True).model
    hh, n = m.households, m.world.n_active_rows
    rural = np.flatnonzero(hh.kind[:n] != URBAN)
    q = np.searchsorted(np.quantile(hh.income[rural], [0.2, 0.4, 0.6, 0.8]), hh.income[rural])
    share = [float(np.mean(hh.line[rural][q == k] > 0)) for k in range(5)]
    assert share[0] < share[2] < share[4], share


def test_the_npl_ratio_has_no_spin_up_artefact():
    from sim import TaizhouModel, load_config

    # at the default scale: at weight 50 fewer than a hundred rows are in arrears, and the ratio wanders by a third
    # within a year from that alone
    m = TaizhouModel(load_config(["scenario=no_program"]))
    start = m.state_2015["npl_ratio"]
    for _ in range(12):
        m.step()
    path = np.array([r["npl_ratio"] for r in m.records])
    assert (np.abs(path[:3] / start - 1) <= 0.15).all(), (start, path.round(4))  # no jump when 2016 starts
    assert (np.abs(path / start - 1) <= 0.3).all(), (start, path.round(4))


def test_each_month_the_loans_start_from_the_borrowers_the_loan_book_was_grouped_from(monkeypatch):
    """The arrears pass reads the borrowers of the last grouping: no rule before the credit rules opens or closes a
    loan, in the spin-up, in the merger month or in any month of the programme."""
    from sim import TaizhouModel, behaviour, load_config

    checked = []

    def checking(rule, store):
        def wrapped(w, policy, t):
            rows = getattr(w, f"{store}_loan_rows")
            s = w.households if store == "hh" else w.enterprises
            assert np.array_equal(rows, np.flatnonzero(s.product)), (store, t)
            checked.append(t)
            return rule(w, policy, t)
        return wrapped

    monkeypatch.setattr(behaviour, "household_credit", checking(behaviour.household_credit, "hh"))
    monkeypatch.setattr(behaviour, "enterprise_credit", checking(behaviour.enterprise_credit, "ent"))
    m = TaizhouModel(load_config(["population.weight=250", "months=20"]))
    m.run()
    assert sorted(set(checked)) == list(range(-m.cfg.spinup_months, 20))


def test_neighbours_who_borrow_raise_take_up():
    from sim import simulate

    def borrowers(*extra):
        return simulate(["population.weight=100", "months=12", *extra]).wide()["households_with_loan"].iloc[-1]

    assert borrowers() > borrowers("uncertainties.peer_effect=0")


# ---------------------------------------------------------------- compiled passes: NumPy's results, bit for bit
def _visit_in_numpy(d, has_file, product, visit_weight, g, no_loan, cap, trust, gain, n_grids):
    """The visits as NumPy computed them before the compiled pass (the reference it must match)."""
    weight = visit_weight + np.float32(no_loan) * (product == 0)
    unfiled = np.flatnonzero(~has_file)
    w_unf = np.bincount(g[unfiled], weights=weight[unfiled], minlength=n_grids)
    n_unfiled = np.bincount(g[unfiled], minlength=n_grids)
    p_unf = (cap / np.maximum(w_unf, 1e-9)).astype(np.float32)
    visited = unfiled[d[unfiled] < np.minimum(1.0, p_unf[g[unfiled]] * weight[unfiled])]
    spare = np.maximum(0.0, cap - n_unfiled).astype(np.float32)
    filed = np.flatnonzero(has_file)
    w_fil = np.bincount(g[filed], weights=weight[filed], minlength=n_grids)
    p_fil = (spare / np.maximum(w_fil, 1e-9)).astype(np.float32)
    seen = filed[d[filed] < np.minimum(1.0, p_fil[g[filed]] * weight[filed])]
    both = np.concatenate([visited, seen])
    trust[both] += gain * (1 - trust[both])
    return visited, seen, np.bincount(g[both], minlength=n_grids)


@given(st.integers(0, 2**32 - 1))
def test_the_visit_pass_is_numpys_visits_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    n, n_grids = int(rng.integers(1, 3 * 4096 + 100)), int(rng.integers(1, 40))  # several chunks
    root, month = np.random.SeedSequence(seed), int(rng.integers(0, 60))
    key = row_keys(root, 200, month, 1)[0]
    d = row_uniforms(root, 200, month, np.arange(n), 1)[0]  # row i's draw: uniform(key, i)
    has_file = rng.random(n) < rng.random()
    product = np.where(rng.random(n) < 0.4, 0, rng.integers(1, 7, n)).astype(np.int8)
    visit_weight = (1 + rng.integers(0, 3, n) * rng.random()).astype(np.float32)
    g = rng.integers(0, n_grids, n).astype(np.uint16)  # as World.grid_of
    # some grids visit none, some fewer rows than they have, some more (p above 1 is capped)
    cap = np.where(rng.random(n_grids) < 0.2, 0.0, rng.exponential(n / n_grids, n_grids)).astype(np.float32)
    no_loan, gain = float(rng.random()), float(rng.random() * 0.2)
    trust = rng.random(n, dtype=np.float32)
    expected_trust = trust.copy()
    expected = _visit_in_numpy(d, has_file, product, visit_weight, g, no_loan, cap, expected_trust, gain, n_grids)
    got = outreach.pick_visits(key, has_file, product, visit_weight, g, np.float32(no_loan), cap, trust,
                               np.float32(gain))
    for a, b in zip(got, expected, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert np.array_equal(trust.view(np.uint32), expected_trust.view(np.uint32))


@given(st.integers(0, 2**32 - 1))
def test_fee_reliefs_trust_is_numpys_bit_for_bit(seed):
    from sim.population import URBAN

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 3000))
    kind = rng.integers(0, 3, n).astype(np.int8)
    trust = rng.random(n, dtype=np.float32)
    expected = trust.copy()
    gain = float(rng.random())
    rural = kind != URBAN
    expected[rural] += np.float32(gain) * (1 - expected[rural])
    outreach._close_trust_gap(kind, trust, np.float32(gain))
    assert np.array_equal(trust.view(np.uint32), expected.view(np.uint32))


@pytest.mark.parametrize("months", [0, 30])
def test_a_villages_rows_are_its_formed_rows(tiny_world, months):
    """The gather of villages' rows (campaigns, lectures) finds what a pass over every row finds."""
    w = tiny_world
    for _ in range(months):  # households form
        w.t += 1
        w.refresh_active()
    rng = np.random.default_rng(months)
    villages = np.unique(rng.integers(0, w.places.village_size.size, 400))
    rows, sizes = w.rows_of_villages(villages)
    n = w.n_active_rows
    in_villages = np.isin(w.households.village[:n], villages)
    assert np.array_equal(np.sort(rows), np.flatnonzero(in_villages))
    assert np.array_equal(sizes, [np.count_nonzero(w.households.village[:n] == v) for v in villages])
    assert np.array_equal(w.households.village[rows], np.repeat(villages, sizes))  # village after village


@given(st.integers(0, 2**32 - 1))
def test_worker_cards_go_to_the_keenest_workers_without_a_line(seed):
    """The walk down the keen order picks what a mask over every row and a partition pick, ties by row."""
    from sim.population import DEFAULTED

    rng = np.random.default_rng(seed)
    size = int(rng.integers(0, 3000))
    n, k = int(rng.integers(0, size + 1)), int(rng.integers(0, 200))
    worker = rng.random(size) < 0.4
    keen = rng.integers(0, 50, size).astype(np.float32)  # few values: many ties
    line = np.where(rng.random(size) < 0.3, rng.random(size, dtype=np.float32), 0).astype(np.float32)
    npl = rng.random(size) < 0.05
    history = rng.integers(0, 3, size).astype(np.int8)
    rows = np.flatnonzero(worker)
    order = rows[np.argsort(keen[rows], kind="stable")]
    got = outreach._keenest_without_line(order, n, line, npl, history, k)
    cand = np.flatnonzero(worker[:n] & (line[:n] == 0) & ~npl[:n] & (history[:n] != DEFAULTED))
    expected = cand[np.lexsort((cand, keen[cand]))][:k]  # by keenness, then by row
    assert got.dtype == np.int64 and np.array_equal(got, expected)


def test_the_world_sorts_its_workers_by_keenness_once(tiny_world):
    tiny_world.latent_line = (np.floor(tiny_world.latent_line * 8) / 8).astype(np.float32)  # ties in plenty
    order = tiny_world.workers_by_keenness
    assert np.array_equal(np.sort(order), np.flatnonzero(tiny_world.is_worker))
    keen = tiny_world.latent_line[order]
    assert np.all(np.diff(keen) >= 0) and np.all(np.diff(order)[np.diff(keen) == 0] > 0)
    assert tiny_world.workers_by_keenness is order


@pytest.mark.parametrize("n", [0, 7, 4096, 3 * 4096 + 13])
def test_the_adoption_pass_gives_what_the_rule_gives_in_numpy(n):
    """Access, then adoption, decided a chunk at a time (sim.parallel), against the rule written in NumPy."""
    from sim.behaviour.digital import _adoption_pass
    from sim.population import URBAN
    from sim.streams import Streams

    rng = np.random.default_rng(n)
    kind = rng.integers(0, 3, n).astype(np.int8)
    access, digital = rng.random(n) < 0.6, rng.random(n) < 0.3
    county = rng.integers(0, 9, n).astype(np.int8)
    literacy = rng.random(n).astype(np.float32)
    place = rng.integers(0, 40, n).astype(np.uint16)  # as World.hh_place
    share = rng.random(40)
    p_access = np.array([0.2, 0.3], np.float32)
    rate, rate_rural = (rng.random(9) * 0.2).astype(np.float32), (rng.random(9) * 0.2).astype(np.float32)
    p_max, peer_coef = np.float32(0.45), 0.4
    s = Streams(n)
    s.new_month(3)
    keys = s.keys("adoption", 2)
    u = s.rows("adoption", np.arange(n), 2)
    urban = kind == URBAN
    want_access = access | (u[0] < np.where(urban, p_access[0], p_access[1]))
    r = np.where(urban, rate[county], rate_rural[county])
    peer = (1.0 + peer_coef * share[place]).astype(np.float32)
    adopt = want_access & ~digital & (u[1] < p_max) & (u[1] < r * (np.float32(0.5) + literacy) * peer)
    want_digital = digital | adopt
    _adoption_pass(0, n, keys, kind, access, digital, county, literacy, place, share, p_access, rate, rate_rural,
                   p_max, peer_coef)
    assert np.array_equal(access, want_access) and np.array_equal(digital, want_digital)
    assert n < 4096 or adopt.any()


@pytest.mark.parametrize("n", [0, 9, 4096, 2 * 4096 + 3])
def test_the_adoption_counts_are_numpys(n):
    from sim.behaviour.digital import _adoption_counts
    from sim.population import URBAN

    rng = np.random.default_rng(n)
    kind, county = rng.integers(0, 3, n).astype(np.int8), rng.integers(0, 9, n).astype(np.int8)
    access, digital = rng.random(n) < 0.6, rng.random(n) < 0.3
    n_rural, n_access_rural, n_access, adopters, people = _adoption_counts(0, n, kind, access, digital, county)
    rural = kind != URBAN
    assert (n_rural, n_access_rural, n_access) == (rural.sum(), (access & rural).sum(), access.sum())
    assert np.array_equal(people, np.bincount(county, minlength=9))
    assert np.array_equal(adopters, np.bincount(county[digital], minlength=9))


@pytest.mark.parametrize("n", [0, 11, 4096, 2 * 4096 + 5])
def test_the_channel_groups_are_numpys(n):
    from sim.behaviour.digital import _channel_groups
    from sim.population import URBAN

    rng = np.random.default_rng(n)
    kind, digital = rng.integers(0, 3, n).astype(np.int8), rng.random(n) < 0.3
    place, strength = rng.integers(0, 50, n).astype(np.uint16), rng.integers(0, 4, 50).astype(np.uint8)
    literacy = rng.random(n).astype(np.float32)
    literacy[: min(n, 3)] = 1.0  # the top tenth holds literacy 1
    group = ((np.where(kind == URBAN, 2, 0) + digital) * 4 + strength[place]) * 10
    group += np.minimum(9, (literacy * np.float32(10)).astype(np.int64))
    assert np.array_equal(_channel_groups(0, n, kind, digital, place, strength, literacy),
                          np.bincount(group, minlength=160))


@given(st.integers(0, 2**32 - 1))
def test_the_bank_lends_the_first_loans_of_the_queue_the_room_allows(seed):
    from sim.bank import Bank
    from tests.conftest import tiny_config

    rng = np.random.default_rng(seed)
    amounts = rng.lognormal(10, 1.5, int(rng.integers(1, 400))).astype(np.float32)
    order = rng.random(amounts.size).astype(np.float32)
    queue = np.argsort(order, kind="stable")
    prefix = np.cumsum(amounts[queue].astype(np.float64))
    # rooms on both sides of the whole queue's sum and at a prefix's sum exactly
    for room in (prefix[-1] * 2, prefix[-1], np.nextafter(prefix[-1], 0), prefix[rng.integers(0, prefix.size)], 0.0):
        bank = Bank(tiny_config().bank, 1e9)
        bank.new_month(1e9, 0.01, 0.0)
        bank.segment_room["households"] = room
        made = bank.lend(amounts, order, "households")
        expected = np.zeros(amounts.size, bool)
        expected[queue[prefix <= room]] = True
        assert np.array_equal(made, expected)
        assert bank.rationed == float(amounts.sum(dtype=np.float64)) - float(amounts[expected].sum(dtype=np.float64))


# ---------------------------------------------------------------- the hazard caps (thinning)
def _run_with_capped_lifecycle(monkeypatch, overrides: list[str], months: int = 60):
    """Run a model at weight 100, checking before every lifecycle that each known cap is above the exact hazard."""
    from sim import TaizhouModel, load_config
    from sim.behaviour import credit
    from sim.calendar import monthly_probability

    checked = {"households": 0, "enterprises": 0}
    lifecycle = credit.loan_lifecycle

    def checking(w, store, keys, pd_annual, renew_ok, terms, pd_only_falls):
        rows = w.hh_loan_rows if store is w.households else w.ent_loan_rows
        rows = rows[~store.npl[rows] & (store.hazard_cap[rows] > 0)]
        if pd_only_falls and rows.size:
            exact = monthly_probability(pd_annual(rows)).astype(np.float32)
            assert (exact <= store.hazard_cap[rows]).all(), float(np.max(exact / store.hazard_cap[rows]))
            checked["households" if store is w.households else "enterprises"] += rows.size
        return lifecycle(w, store, keys, pd_annual, renew_ok, terms, pd_only_falls)

    monkeypatch.setattr(credit, "loan_lifecycle", checking)
    cfg = load_config(["population.weight=100", *overrides])
    cfg.months = months
    return TaizhouModel(cfg).run(), checked


@pytest.mark.parametrize("overrides", [
    [],
    ["population.income_growth=0"],
    ["population.income_growth=0.3", "uncertainties.pd_dsr_slope=20", "uncertainties.pd_income_elasticity=2"],
    ["uncertainties.pd_dsr_slope=0", "uncertainties.pd_income_elasticity=0", "uncertainties.income_shock_factor=50"],
])
def test_a_loans_hazard_cap_holds_in_every_later_month(monkeypatch, overrides):
    _, checked = _run_with_capped_lifecycle(monkeypatch, overrides)
    # caps were known, and checked, for most performing loans in most months
    assert checked["households"] > 100_000 and checked["enterprises"] > 10_000


def test_no_cap_is_used_when_incomes_shrink(monkeypatch):
    model, checked = _run_with_capped_lifecycle(monkeypatch, ["population.income_growth=-0.1"], months=12)
    assert checked["households"] == 0 and checked["enterprises"] > 0  # firms' default probabilities hold
    assert not model.households.hazard_cap.any()


def test_thinning_by_the_caps_makes_the_decisions_of_the_exact_hazards(monkeypatch):
    from sim.behaviour import credit
    from sim.run import run_config
    from tests.conftest import tiny_config

    def tables():
        cfg = tiny_config(100.0)
        cfg.months = 24
        result = run_config(cfg)
        return [result.monthly, result.equity, result.ledger, result.scorecard]

    capped = tables()
    # no cap used: every performing row is "near" and gets its exact hazard, as before there were caps
    original = credit._age_and_run_down
    monkeypatch.setattr(credit, "_age_and_run_down",
                        lambda borrowers, npl, npl_months, after, cap, use_cap, *rest:
                        original(borrowers, npl, npl_months, after, cap, False, *rest))
    exact = tables()
    for a, b in zip(capped, exact, strict=True):
        assert a.equals(b)


def test_one_pass_ages_arrears_and_runs_down_the_loans_whose_draw_clears_their_cap():
    from sim.behaviour.credit import _age_and_run_down
    from sim.streams import uniform

    rng = np.random.default_rng(4)
    n, size = 5_000, 20_000
    borrowers = np.sort(rng.choice(size, n, replace=False))
    npl = np.zeros(size, bool)
    npl[borrowers[rng.random(n) < 0.1]] = True
    npl_months = rng.integers(0, 3, size).astype(np.int16)
    months_left = rng.integers(1, 4, size).astype(np.int16)
    cap = np.zeros(size, np.float32)
    cap[borrowers] = rng.random(n).astype(np.float32) * np.float32(0.2)
    cap[borrowers[:50]] = 0  # unknown
    keys = rng.integers(0, 2**63, 3, dtype=np.uint64)
    p_shock, factor, p_renew = np.float32(0.1), np.float32(5), np.float32(0.6)
    before_months, before_left = npl_months.copy(), months_left.copy()
    written, near, wish, repaid = _age_and_run_down(borrowers, npl, npl_months, 3, cap, True, months_left, keys,
                                                    p_shock, factor, p_renew)

    arrears, performing = borrowers[npl[borrowers]], borrowers[~npl[borrowers]]
    assert np.array_equal(npl_months[arrears], before_months[arrears] + 1)
    assert np.array_equal(written, arrears[before_months[arrears] + 1 >= 3])
    draw = np.array([uniform(keys[0], i) for i in performing], np.float32)
    shocked = np.array([uniform(keys[2], i) for i in performing], np.float32) < p_shock
    limit = np.where(shocked, cap[performing] * factor, cap[performing])
    is_near = (cap[performing] == 0) | (draw < limit)
    assert np.array_equal(near, performing[is_near])
    assert 50 < near.size < n // 4
    cleared = performing[~is_near]
    assert np.array_equal(months_left[cleared], before_left[cleared] - 1)
    assert np.array_equal(months_left[near], before_left[near])  # decided later, with their exact hazard
    matured = cleared[months_left[cleared] <= 0]
    renews = np.array([uniform(keys[1], i) for i in matured], np.float32) < p_renew
    assert np.array_equal(wish, matured[renews]) and np.array_equal(repaid, matured[~renews])
    # without caps every performing loan is near
    _, near2, wish2, repaid2 = _age_and_run_down(borrowers, npl.copy(), before_months.copy(), 3, cap, False,
                                             before_left.copy(), keys, p_shock, factor, p_renew)
    assert np.array_equal(near2, performing) and not wish2.size and not repaid2.size


def test_writing_a_row_through_its_agent_view_forgets_its_hazard_cap():
    from sim import TaizhouModel
    from tests.conftest import tiny_config

    cfg = tiny_config()
    cfg.months = 2
    model = TaizhouModel(cfg).run()
    row = int(np.flatnonzero(model.households.hazard_cap > 0)[0])
    model.household(row).loan = 1e7
    assert model.households.hazard_cap[row] == 0
