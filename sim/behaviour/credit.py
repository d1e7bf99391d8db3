"""Households' and enterprises' monthly credit as vectorised rules over all rows.

A need arises (by kind and season), the household draws on its line or applies at an outlet, is approved
or not, and the loan runs to maturity, is renewed or defaults. Each rule draws its uniforms for every row in
one block from its own stream, whether or not a row needs them, so that two scenarios run with the same seed
share every draw where their decisions agree (common random numbers). No Python loop touches a household.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.calendar import monthly_probability
from sim.population import (
    COOPERATIVE,
    CREDIT,
    FARM_LOAN,
    FIRM,
    GUARANTEED,
    HOUSING_LOAN,
    INDIVIDUAL_BUSINESS,
    LOW_INCOME,
    LOW_INCOME_LOAN,
    NO_LOAN,
    SECURED,
    SMALL_CREDIT,
    URBAN,
    WORKER_LOAN,
    loan_size,
)

if TYPE_CHECKING:
    from sim.policy import Policy
    from sim.world import World

F32 = np.float32
DISCOUNT_PRODUCTS = (("small_credit", SMALL_CREDIT), ("farm", FARM_LOAN), ("low_income", LOW_INCOME_LOAN))


def price_factor(rate: float, discount_bp: np.ndarray | float, semi_elasticity: float) -> np.ndarray | float:
    """Take-up multiplier of a price cut: 1 + elasticity x relative price change (Karlan & Zinman 2008).

    Args:
        rate: the product's list rate (annual).
        discount_bp: the discount in basis points (0 = list price).
        semi_elasticity: change in take-up per 100% price change (negative).
    """
    rel_change = -np.asarray(discount_bp, dtype=F32) / 1e4 / rate
    return np.clip(1.0 + semi_elasticity * rel_change, 0.0, 2.0)


def farm_season(w: World, t: int) -> float:
    """Relative farm credit need in the calendar month of step ``t`` (mean 1 over the year)."""
    season = np.asarray(w.u.farm_season, dtype=float)
    return float((season / season.mean())[t % 12])


def _close(store, rows: np.ndarray) -> None:
    store.loan[rows] = 0
    store.product[rows] = NO_LOAN
    store.months_left[rows] = 0
    store.green[rows] = False
    store.npl[rows] = False
    store.npl_months[rows] = 0
    if hasattr(store, "discounted"):
        store.discounted[rows] = False


def loan_lifecycle(w: World, store, draws: np.ndarray, pd_month, terms) -> dict:
    """Age NPLs and write them off, draw defaults, repay or renew matured loans (loan rows only).

    Args:
        w: the world.
        store: households or enterprises.
        draws: two full-length rows of uniforms (default, renewal), aligned across scenarios.
        pd_month: a function of the rows giving each row's monthly default probability.
        terms: a function of the rows giving the term in months of each row's product (renewals).

    Returns:
        Real CNY written off, and the row indices of this month's defaults and renewals.
    """
    u = w.u
    loans = np.flatnonzero(store.product)
    is_npl = store.npl[loans]
    npl = loans[is_npl]
    store.npl_months[npl] += 1
    written = npl[store.npl_months[npl] >= u.npl_months_to_write_off]
    written_off = w.weight * float(store.loan[written].sum(dtype=np.float64))
    _close(store, written)
    performing = loans[~is_npl]
    hit = draws[0][performing] < pd_month(performing)
    default = performing[hit]
    store.npl[default] = True
    store.npl_months[default] = 0
    performing = performing[~hit]
    store.months_left[performing] -= 1
    mature = performing[store.months_left[performing] <= 0]
    renewing = draws[1][mature] < u.p_renew
    renew = mature[renewing]
    store.months_left[renew] = terms(renew)
    _close(store, mature[~renewing])
    return {"written_off": written_off, "default": default, "renewed": renew}


def household_credit(w: World, policy: Policy, t: int) -> None:
    """One month of household credit: lifecycle, demand by type and season, uptake, disbursement.

    Every row gets its default, renewal and need draws; rows with a need (a few percent) then get their
    uptake, approval, size and green draws.
    """
    hh, u, wt = w.households, w.u, w.weight
    # full-length draws for default, renewal and need; the few rows with a need get their take-up,
    # approval (and green) and size draws by row (sim.streams): CRN whatever the other rows do
    d = w.streams.month("credit").random((3, hh.n), dtype=F32)
    pd_kind = (np.array([1.0, u.low_income_default_factor, 1.0]) * u.annual_default_probability
               * policy.default_multiplier)
    pd_table = monthly_probability(np.stack([pd_kind, pd_kind * u.rated_default_factor])).astype(F32)

    def pd_month(rows):
        return pd_table[hh.rated[rows].astype(np.intp), hh.kind[rows]]

    def terms(rows):
        prod = hh.product[rows]
        return np.select([prod == FARM_LOAN, prod == HOUSING_LOAN],
                         [u.term_farm_months, policy.housing_term_months], u.term_small_credit_months)

    life = loan_lifecycle(w, hh, d[:2], pd_month, terms)
    hh.line[life["default"]] = 0
    w.flows["written_off"] += life["written_off"]

    season = farm_season(w, t)
    need_table = monthly_probability(np.array([u.need_rate_farm * season, u.need_rate_low_income * season,
                                               u.need_rate_urban])).astype(F32)
    # 治危拆违: renovation needs of rural households while the government campaign runs (one draw: CRN)
    housing_p = float(monthly_probability(u.housing_need_rate[min(4, t // 12)]))
    housing_table = np.array([housing_p, housing_p, 0.0], dtype=F32)
    # a cheap first cut at the largest need probability, then the exact rule on those few rows
    first = np.flatnonzero(d[2][: w.n_active_rows] < (need_table + housing_table).max())
    free = first[hh.product[first] == NO_LOAN]
    kind_free = hh.kind[free]
    d_free = d[2][free]
    normal_p = need_table[kind_free]
    need = d_free < normal_p + housing_table[kind_free]
    idx = free[need]
    housing = (d_free[need] >= normal_p[need]) & (w.latent_housing[idx] < policy.housing_reach)
    ds = w.streams.rows("credit", idx, 3)
    kind, line = hh.kind[idx], hh.line[idx]
    worker = w.is_worker[idx]

    reached = (kind == LOW_INCOME) & (w.latent_reach[idx] < policy.low_income_reach)
    disc = policy.rate_discount_bp
    pf_small = price_factor(u.farm_loan_rate, disc["small_credit"], u.price_semi_elasticity)
    pf_farm = price_factor(u.farm_loan_rate, disc["farm"], u.price_semi_elasticity)
    pf_low = price_factor(u.farm_loan_rate, policy.low_income_discount_bp + disc["low_income"],
                          u.price_semi_elasticity)

    # with a credit line: draw on it (用信)
    has_line = (line > 0) & ~housing
    p_use = u.p_use_line + policy.line_use_gain
    p_line = np.clip(p_use * np.where(reached, pf_low, pf_small) * (0.5 + hh.trust[idx]), 0, 1)
    take_line = has_line & (ds[0] < p_line)
    # without one: apply at an outlet or station and be approved
    access = (u.p_apply_branch + u.distance_decay_per_km * w.hh_distance[idx]
              + u.station_effect_on_credit_use * w.hh_station[idx] + u.literacy_effect * (hh.literacy[idx] - 0.5))
    pf_house = price_factor(u.farm_loan_rate, policy.housing_discount_bp, u.price_semi_elasticity)
    pf_branch = np.where(housing, pf_house, np.where(reached, pf_low, pf_farm))
    apply = ~has_line & (ds[0] < np.clip(access * pf_branch, 0, 1))
    p_approve = np.select([housing, reached, kind == LOW_INCOME],
                          [policy.housing_p_approve, policy.low_income_p_approve, u.p_approve_low_income],
                          u.p_approve_secured)
    approved = apply & (ds[1] < p_approve)

    product = np.zeros(idx.size, "i1")
    product[take_line] = np.where(worker[take_line], WORKER_LOAN, SMALL_CREDIT)
    product[approved & (kind != URBAN)] = FARM_LOAN
    product[approved & (kind == URBAN)] = WORKER_LOAN
    product[(take_line | approved) & reached] = LOW_INCOME_LOAN
    product[approved & housing] = HOUSING_LOAN
    got = product > 0
    mean = np.select(
        [product == HOUSING_LOAN, (product == LOW_INCOME_LOAN) | (kind == LOW_INCOME), product == SMALL_CREDIT,
         product == FARM_LOAN],
        [policy.housing_loan_size, u.low_income_loan_size, u.small_credit_size_mean, u.farm_loan_size_mean],
        u.worker_loan_size,
    )
    size = loan_size(1.0, u.loan_size_sigma, ds[2]) * (mean * w.income_index).astype(F32)
    size = np.where(take_line, np.minimum(size, line), size)
    new = idx[got]
    hh.product[new] = product[got]
    hh.loan[new] = size[got]
    hh.months_left[new] = terms(new)
    # conditional on approval, ds[1] / p_approve is again uniform: it decides the green label
    green_u = np.where(approved, ds[1] / np.maximum(p_approve, 1e-9), ds[1])
    hh.green[new] = green_u[got] < u.green_share_household_new * policy.green_multiplier
    if any(disc.values()):
        eligible = np.zeros(idx.size, bool)
        for name, code in DISCOUNT_PRODUCTS:
            if disc[name] > 0:
                eligible |= product == code
        hh.discounted[idx[eligible]] = True

    disbursed = np.concatenate([new, life["renewed"]])
    low = disbursed[hh.kind[disbursed] == LOW_INCOME]
    w.flows["low_income_disbursed"] += wt * float(hh.loan[low].sum(dtype=np.float64))
    w.flows["hh_disbursed"] += wt * float(hh.loan[disbursed].sum(dtype=np.float64))
    w.flows["unmet_need"] += wt * float(idx.size - new.size)


def enterprise_credit(w: World, policy: Policy, t: int) -> None:
    """One month of enterprise credit: firms, individual businesses and cooperatives."""
    ent, u, wt = w.enterprises, w.u, w.weight
    d = w.streams.month("enterprise").random((3, ent.n), dtype=F32)  # as in household_credit
    pd_rated = monthly_probability(
        np.array([1.0, u.rated_default_factor]) * u.annual_default_probability * u.enterprise_default_factor
        * policy.default_multiplier
    ).astype(F32)

    def pd_month(rows):
        return pd_rated[ent.rated[rows].astype(np.intp)]

    def terms(rows):
        return np.full(rows.size, u.term_enterprise_months, "i2")

    life = loan_lifecycle(w, ent, d[:2], pd_month, terms)
    w.flows["written_off"] += life["written_off"]

    need_table = monthly_probability(
        np.array([u.need_rate_firm, u.need_rate_individual_business, u.need_rate_cooperative * policy.coop_need_factor])
    ).astype(F32)
    free = np.flatnonzero(ent.product[: w.n_active_ent] == NO_LOAN)
    idx = free[d[2][free] < need_table[ent.kind[free]]]
    ds = w.streams.rows("enterprise", idx, 4)
    kind, rated = ent.kind[idx], ent.rated[idx]
    apply = ds[0] < np.clip(u.p_apply_enterprise * policy.sme_processing_factor, 0, 1)
    p_approve = np.where(rated, u.p_approve_rated_enterprise, u.p_approve_unrated_enterprise)
    p_approve = np.where(kind == COOPERATIVE, p_approve * policy.coop_approval_factor, p_approve)
    approved = apply & (ds[1] < p_approve)
    credit = approved & rated & (ds[2] < u.p_credit_terms_rated)
    mean = np.select([kind == FIRM, kind == INDIVIDUAL_BUSINESS],
                     [u.firm_loan_mean, u.individual_business_loan_mean], u.cooperative_loan_mean)
    size = loan_size(1.0, u.enterprise_loan_sigma, ds[3]) * (mean * w.income_index).astype(F32)
    # 信保基金: declined firms get a guaranteed loan while the fund's guarantee capacity lasts
    declined = np.flatnonzero(apply & ~approved & (kind != COOPERATIVE))
    room = policy.guarantee_capacity - float(np.sum(ent.loan, where=ent.product == GUARANTEED, dtype=np.float64)) * wt
    take = declined[np.cumsum(size[declined].astype(np.float64) * wt) <= room] if room > 0 else declined[:0]
    product = np.where(credit, CREDIT, SECURED).astype("i1")
    product[take] = GUARANTEED
    got = approved.copy()
    got[take] = True
    new = idx[got]
    ent.product[new] = product[got]
    ent.loan[new] = size[got]
    ent.months_left[new] = u.term_enterprise_months
    green_u = np.where(approved, ds[1] / np.maximum(p_approve, 1e-9), ds[2])
    ent.green[new] = ent.green_eligible[new] & (
        green_u[got] < u.green_share_firm_new / w.pop.green_eligible_share_firm * policy.green_multiplier)
    disbursed = np.concatenate([new, life["renewed"]])
    w.flows["ent_disbursed"] += wt * float(ent.loan[disbursed].sum(dtype=np.float64))
    w.flows_last_month["ent_new"] = wt * float(np.count_nonzero(ent.green_eligible[new]))
