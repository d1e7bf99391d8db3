"""The month's metrics: every goal's running value and the state of the model, in real units."""

from __future__ import annotations

import numpy as np

from sim.goals import goal_values
from sim.population import FARM_LOAN, LOW_INCOME_LOAN, SMALL_CREDIT


def month_metrics(world, ledger, t: int) -> dict[str, float]:
    """Measure the world at the end of step ``t`` (and keep the loan book grouped for next month's levers).

    Args:
        world: the model's world.
        ledger: the run's ledger.
        t: the step just done.
    """
    hh, p, w = world.households, world.places, world.weight
    n = world.n_active_rows
    g = world.loan_groups()
    world.last_groups = g
    loans = float(g["hh_bal"][1:].sum() + g["ent_bal"][1:].sum())
    npl = float(g["hh_bal"][1:, :, :, 1].sum() + g["ent_bal"][1:, :, :, 1].sum())
    out = goal_values(world, ledger.total_spent, t, g)
    out.update(
        households_total=n * w,
        account_managers=world.managers_working,
        households_with_file=np.count_nonzero(hh.has_file[:n]) * w,
        households_rated=np.count_nonzero(hh.rated[:n]) * w,
        households_with_credit_line=np.count_nonzero(hh.line[:n]) * w,
        credit_line_total=float(hh.line[:n].sum(dtype=np.float64)) * w,
        households_with_loan=float(g["hh_n"][1:].sum()),
        loan_balance_total=loans,
        npl_ratio=npl / loans if loans else 0.0,
        digital_customers=out["fengshou_customers"],
        stations=float(p.village_station.sum()),
        device_points=float(p.village_device.sum()),
        villages_covered=float(p.village_served.sum()),
        communities_covered=float(p.community_covered.sum()),
        spend_cum=ledger.total_spent,
        low_income_loan_balance=float(g["hh_bal"][LOW_INCOME_LOAN].sum()),
        small_credit_product_balance=float(g["hh_bal"][SMALL_CREDIT].sum()),
        farm_secured_balance=float(g["hh_bal"][FARM_LOAN].sum()),
        enterprises_total=world.n_active_ent * w,
        literacy_mean=float(hh.literacy[:n].mean()),
        unmet_need_cum=world.flows["unmet_need"],
        written_off_cum=world.flows["written_off"],
        industry_apps_cum=float(world.apps_by_year.sum()),
        ebank_substitution_month=world.ebank_by_month[-1] if world.ebank_by_month else float("nan"),
    )
    return out
