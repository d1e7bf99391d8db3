"""The programme moves the goals it is meant to move (plan against no_program, same seed)."""

from __future__ import annotations

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
