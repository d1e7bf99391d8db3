"""The model as a whole: invariants of any run, agents, scale, and what the programme moves."""

from __future__ import annotations

import numpy as np
import pytest

from sim import TaizhouModel, load_config, simulate
from sim.agents import AccountManager, Household, MicroEnterprise, Station
from sim.world import World

CUMULATIVE = ["inclusive_spend_cum", "low_income_loans_cum", "lectures_cum", "spend_cum", "industry_apps_cum",
              "written_off_cum", "unmet_need_cum"]
SHARES = ["village_coverage", "community_coverage", "ebank_substitution", "green_credit_share", "info_file_rate",
          "npl_ratio"]


def _check(run):
    w = run.wide()
    money = ["loan_balance_total", "farmer_loan_balance", "small_credit_balance", "sme_loan_balance",
             "credit_line_total", "agri_sme_loan_balance"]
    assert (w[money] >= 0).all().all(), "no negative balance"
    assert (w[SHARES].dropna() >= 0).all().all() and (w[SHARES].dropna() <= 1).all().all()
    hh = w["households_total"]
    for col in ["households_with_file", "households_with_credit_line", "households_with_loan",
                "farmer_loan_clients", "small_credit_clients"]:
        assert (w[col] <= hh + 1e-9).all(), col
    assert (w["villages_covered"] <= 5037).all()
    for col in CUMULATIVE:
        assert (np.diff(w[col].to_numpy()) >= -1e-6).all(), f"{col} fell"
    assert (np.diff(hh.to_numpy()) >= 0).all()
    budget = run.config.budget.total_cny
    assert w["spend_cum"].iloc[-1] <= budget + 1e-6
    ledger = run.ledger
    assert (ledger["spent"] >= 0).all()
    assert (ledger.groupby("lever")["spent"].sum() <= ledger.groupby("lever")["planned"].sum() + 1e-3).all()
    m = run.model
    assert (m.households.loan >= 0).all() and (m.enterprises.loan >= 0).all()
    assert ((m.households.product > 0) == (m.households.loan > 0)).all()


def test_invariants_plan(plan_run):
    _check(plan_run)


def test_invariants_no_program(no_program_run):
    _check(no_program_run)
    assert no_program_run.wide()["spend_cum"].iloc[-1] == 0


def test_plan_spends_most_of_its_900_million(plan_run):
    spent = plan_run.wide()["spend_cum"].iloc[-1]
    assert 0.8 * 900e6 <= spent <= 900e6





def _model():
    return TaizhouModel(load_config(["population.weight=500", "seed=4"]))


def test_household_view_reads_and_writes_its_row():
    m = _model()
    h = m.household(7)
    assert isinstance(h, Household)
    assert h.income == m.households.income[7]
    h.line = 123_000
    assert m.households.line[7] == 123_000
    m.households.has_file[7] = True
    assert h.has_file is True
    assert h in m.agents_by_type[Household]
    n_agents = len(m.agents)
    assert m.household(7) is h and len(m.agents) == n_agents  # a view is made once, not per call


def test_enterprise_view_reads_and_writes_its_row():
    m = _model()
    e = m.enterprise(3)
    assert isinstance(e, MicroEnterprise)
    e.digital = True
    assert m.enterprises.digital[3]


def test_managers_and_stations_are_mesa_agents():
    m = _model()
    managers = m.agents_by_type[AccountManager]
    assert len(managers) == m.cfg.population.account_managers
    for _ in range(3):
        m.step()
    assert sum(managers.get("visits_made")) > 0
    hours = managers.to_list()[0].hours_by_task
    assert set(hours) == {"processing", "campaigns", "lectures", "visits"} and sum(hours.values()) > 0
    stations = m.agents_by_type[Station]
    assert all(s.capacity > 0 for s in stations)
    assert len(stations) >= m.cfg.population.stations_2015
    assert m.month == "2016-03"


def test_each_villages_station_capacity_is_its_station_agents_through_openings_and_the_merger():
    m = _model()
    w = m.world
    opened_before = len(m.agents_by_type[Station])
    for _ in range(14):  # the villages merge in January 2017
        m.step()
        capacity = np.zeros(w.places.village_size.size)
        for s in m.agents_by_type[Station]:
            if s.kind == "station":
                capacity[s.place] += s.capacity
        assert np.array_equal(w.station_capacity, capacity), m.month
    assert len(m.agents_by_type[Station]) > opened_before  # stations opened meanwhile





GOALS = ["village_coverage", "info_file_rate", "fengshou_customers", "small_credit_clients", "farmer_loan_clients",
         "farmer_loan_balance", "low_income_loans_cum", "lectures_cum", "ebank_substitution", "inclusive_spend_cum"]


def _values(weight: int, seeds: range, scenario: str) -> np.ndarray:
    return np.array([
        simulate([f"scenario={scenario}", f"seed={s}", f"population.weight={weight}"])
        .scorecard.set_index("goal_id").loc[GOALS, "value"].to_numpy()
        for s in seeds
    ])


@pytest.mark.parametrize("scenario", ["plan", "no_program"])
def test_coarse_weight_agrees_with_fine_weight(scenario):
    fine = _values(25, range(2), scenario)
    coarse = _values(250, range(10, 14), scenario)
    diff = coarse.mean(0) - fine.mean(0)
    se = np.sqrt(coarse.var(0, ddof=1) / len(coarse) + fine.var(0, ddof=1) / len(fine))
    # within 4 standard errors of the difference, or 2% where both runs barely vary
    tolerance = np.maximum(4 * se, 0.02 * np.abs(fine.mean(0)))
    # known: at weight 250 a row's applications are 250 households', so the hours the managers reserve for
    # them swing twice as much from month to month, some months leave a county no hours for lectures, and
    # 93-94% of the lectures asked for are held against 97-99% at weight 25 (README, Scale and performance)
    short = {"lectures_cum": 0.07}
    bad = [(g, f, c) for g, f, c, d, tol in zip(GOALS, fine.mean(0), coarse.mean(0), diff, tolerance, strict=True)
           if not -max(tol, short.get(g, 0) * abs(f)) <= d <= tol]
    assert not bad, f"weight 250 differs from weight 25: {bad}"



MOVED_UP = ["village_coverage", "community_coverage", "info_file_rate", "lectures_cum", "fengshou_customers",
            "ebank_substitution", "small_credit_clients", "new_credit_loans_cum", "low_income_loans_cum",
            "farmer_loan_clients", "inclusive_spend_cum", "industry_apps_per_year"]


def test_plan_beats_no_program_on_the_goals_it_targets(plan_run, no_program_run):
    plan = plan_run.scorecard.set_index("goal_id")["value"]
    base = no_program_run.scorecard.set_index("goal_id")["value"]
    worse = [g for g in MOVED_UP if not plan[g] > base[g]]
    assert not worse, f"plan not above no_program on {worse}"
    assert plan["blank_villages"] < base["blank_villages"]
    assert plan_run.scorecard["met"].sum() > no_program_run.scorecard["met"].sum()


def test_common_random_numbers_same_population(plan_run, no_program_run):
    a, b = plan_run.model.households, no_program_run.model.households
    assert (a.kind == b.kind).all() and (a.village == b.village).all()


def test_a_scenario_that_turns_the_programme_off_turns_every_lever_off(no_program_run):
    assert not no_program_run.levers["enabled"].any()
    assert no_program_run.levers["spent"].sum() == 0


def test_model_module_only_builds_and_runs_the_month():
    from pathlib import Path

    source = (Path(__file__).resolve().parent.parent / "sim" / "model.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) < 250


def test_a_model_started_from_the_cached_spin_up_is_identical_to_a_cold_one(tmp_path):
    """A process keeps its last world after the spin-up (the spin-up does not depend on the programme)."""
    import subprocess
    import sys

    import pandas as pd

    code = ("import sys; from sim import simulate; "
            "simulate(['scenario=plan','seed=9','population.weight=500']).monthly.to_parquet(sys.argv[1])")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "cold.parquet")], check=True)
    from sim.world import SpunUp

    SpunUp.enable()
    try:
        simulate(["scenario=no_program", "seed=9", "population.weight=500"])  # leaves its spun-up world behind
        assert SpunUp.get(World.spinup_key(load_config(["seed=9", "population.weight=500"]))) is not None
        warm = simulate(["scenario=plan", "seed=9", "population.weight=500"]).monthly
    finally:
        SpunUp.enable(False)
    pd.testing.assert_frame_equal(warm, pd.read_parquet(tmp_path / "cold.parquet"), check_exact=True)


def test_a_single_run_keeps_no_copy_of_its_world():
    from sim.world import SpunUp

    SpunUp.enable(False)  # the default of a process (experiments, sim.evaluate and the workshop turn it on)
    simulate(["seed=9", "population.weight=500"])
    assert SpunUp.get(World.spinup_key(load_config(["seed=9", "population.weight=500"]))) is None
