"""The month's metrics: every goal's running value and the state of the model, in real units."""

from __future__ import annotations

import numpy as np

from sim.goals import goal_values
from sim.parallel import side_by_side
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
    loans = float(g["hh_bal"].sum() + g["ent_bal"].sum())
    npl = float(g["hh_bal"][:, :, :, 1].sum() + g["ent_bal"][:, :, :, 1].sum())
    out = goal_values(world, ledger.total_spent, t, g)
    # NumPy's reductions over every row release the GIL: the line total on one thread, the rest on another
    # (lines are never negative: counting a comparison's bytes is faster than testing floats for zero)
    line_total, (with_line, literacy) = side_by_side(
        lambda: float(hh.line[:n].sum(dtype=np.float64)),
        lambda: (np.count_nonzero(hh.line[:n] > 0), float(hh.literacy[:n].mean())))
    out.update(
        households_total=n * w,
        account_managers=world.managers_working,
        households_with_file=np.count_nonzero(hh.has_file[:n]) * w,
        households_rated=np.count_nonzero(hh.rated[:n]) * w,
        households_with_credit_line=with_line * w,
        credit_line_total=line_total * w,
        households_with_loan=float(g["hh_n"][1:].sum()),
        loan_balance_total=loans,
        npl_ratio=npl / loans if loans else 0.0,
        digital_customers=out["fengshou_customers"],
        stations=float(p.village_station.sum()),
        device_points=float(p.village_device.sum()),
        villages_covered=float(p.village_served.sum()),
        villages_existing=float(p.village_exists.sum()),
        communities_covered=float(p.community_covered.sum()),
        spend_cum=ledger.total_spent,
        low_income_loan_balance=float(g["hh_bal"][LOW_INCOME_LOAN].sum()),
        small_credit_product_balance=float(g["hh_bal"][SMALL_CREDIT].sum()),
        farm_secured_balance=float(g["hh_bal"][FARM_LOAN].sum()),
        enterprises_total=world.n_active_ent * w,
        literacy_mean=literacy,
        unmet_need_cum=world.flows["unmet_need"],
        written_off_cum=world.flows["written_off"],
        industry_apps_cum=float(world.apps_by_year.sum()),
        ebank_substitution_month=world.ebank_by_month[-1] if world.ebank_by_month else float("nan"),
        fengshou_households=np.count_nonzero(hh.digital[:n]) * w,
        fengshou_businesses=np.count_nonzero(world.enterprises.digital[: world.n_active_ent]) * w,
        low_income_renewals_cum=world.flows["low_income_renewed"],
        applications_cum=world.flows["applications"],
        approved_cum=world.flows["approved"],
        household_defaults_cum=world.flows["hh_defaults"],
        # the supply side: staff, funding and capital, and when they bind
        applications_unprocessed_cum=world.flows["unprocessed"],
        binding_staff=float(world.staff.unprocessed > 0),
        staff_hours_processing=float(world.staff.used["processing"].sum()),
        staff_hours_campaigns=float(world.staff.used["campaigns"].sum()),
        staff_hours_lectures=float(world.staff.used["lectures"].sum()),
        staff_hours_visits=float(world.staff.used["visits"].sum()),
        bank_deposits=world.bank.deposits,
        bank_capital=world.bank.capital,
        bank_lending_limit=world.bank.limit,
        bank_caution=world.bank.caution,
        credit_rationed_cum=world.rationed_cum,
        binding_funding=float(world.bank.binding == "funding"),
        binding_capital=float(world.bank.binding == "capital"),
    )
    return out
