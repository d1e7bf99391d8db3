"""What must hold over any run: balances, counts, shares, money, cumulative figures."""

from __future__ import annotations

import numpy as np

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
