"""Households' and enterprises' monthly behaviour as vectorised rules over all rows.

Each rule draws its uniforms for every row in one block from its own stream, whether or not a row
needs them, so that two scenarios run with the same seed share every draw where their decisions agree
(common random numbers). No Python loop touches a household.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.calendar import FARM_SEASON, monthly_probability
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
    from sim.model import TaizhouModel

F32 = np.float32


def price_factor(rate: float, discount_bp: np.ndarray | float, semi_elasticity: float) -> np.ndarray | float:
    """Take-up multiplier of a price cut: 1 + elasticity x relative price change (Karlan & Zinman 2008).

    Args:
        rate: the product's list rate (annual).
        discount_bp: the discount in basis points (0 = list price).
        semi_elasticity: change in take-up per 100% price change (negative).
    """
    rel_change = -np.asarray(discount_bp, dtype=F32) / 1e4 / rate
    return np.clip(1.0 + semi_elasticity * rel_change, 0.0, 2.0)


def _close(store, rows: np.ndarray) -> None:
    store.loan[rows] = 0
    store.product[rows] = NO_LOAN
    store.months_left[rows] = 0
    store.green[rows] = False
    store.npl[rows] = False
    store.npl_months[rows] = 0
    if hasattr(store, "discounted"):
        store.discounted[rows] = False


def loan_lifecycle(m: TaizhouModel, store, draws: np.ndarray, pd_month: np.ndarray, terms: np.ndarray) -> dict:
    """Age NPLs and write them off, draw defaults, repay or renew matured loans (loan rows only).

    Args:
        m: the model.
        store: households or enterprises.
        draws: two full-length rows of uniforms (default, renewal), aligned across scenarios.
        pd_month: a function of the rows giving each row's monthly default probability.
        terms: a function of the rows giving the term in months of each row's product (renewals).

    Returns:
        Real CNY written off, and the row indices of this month's defaults and renewals.
    """
    u = m.cfg.uncertainties
    loans = np.flatnonzero(store.product)
    is_npl = store.npl[loans]
    npl = loans[is_npl]
    store.npl_months[npl] += 1
    written = npl[store.npl_months[npl] >= u.npl_months_to_write_off]
    written_off = m.weight * float(store.loan[written].sum(dtype=np.float64))
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


def household_credit(m: TaizhouModel, t: int) -> None:
    """One month of household credit: lifecycle, demand by type and season, uptake, disbursement.

    Every row gets its default, renewal and need draws; rows with a need (a few percent) then get their
    uptake, approval, size and green draws.
    """
    hh, u, w = m.households, m.cfg.uncertainties, m.weight
    # full-length draws for default, renewal and need; the few rows with a need get their take-up,
    # approval (and green) and size draws by row (sim.streams): CRN whatever the other rows do
    d = m.month_rng("credit").random((3, hh.n), dtype=F32)
    pd_kind = np.array([1.0, u.low_income_default_factor, 1.0]) * u.annual_default_probability * m.default_multiplier
    pd_table = monthly_probability(np.stack([pd_kind, pd_kind * u.rated_default_factor])).astype(F32)

    def pd_month(rows):
        return pd_table[hh.rated[rows].astype(np.intp), hh.kind[rows]]

    def terms(rows):
        prod = hh.product[rows]
        return np.select([prod == FARM_LOAN, prod == HOUSING_LOAN],
                         [u.term_farm_months, m.cfg.levers.housing_loans.term_months], u.term_small_credit_months)

    life = loan_lifecycle(m, hh, d[:2], pd_month, terms)
    hh.line[life["default"]] = 0
    m.flows["written_off"] += life["written_off"]

    season = FARM_SEASON[t % 12]
    need_table = monthly_probability(np.array([u.need_rate_farm * season, u.need_rate_low_income * season,
                                               u.need_rate_urban])).astype(F32)
    # 治危拆违: renovation needs of rural households while the government campaign runs (one draw: CRN)
    housing_p = float(monthly_probability(u.housing_need_rate[min(4, t // 12)]))
    housing_table = np.array([housing_p, housing_p, 0.0], dtype=F32)
    # a cheap first cut at the largest need probability, then the exact rule on those few rows
    first = np.flatnonzero(d[2][: m.n_active_rows] < (need_table + housing_table).max())
    free = first[hh.product[first] == NO_LOAN]
    kind_free = hh.kind[free]
    d_free = d[2][free]
    normal_p = need_table[kind_free]
    need = d_free < normal_p + housing_table[kind_free]
    idx = free[need]
    housing = (d_free[need] >= normal_p[need]) & (m.latent_housing[idx] < m.housing_reach)
    ds = m.row_uniforms("credit", idx, 3)
    kind, line = hh.kind[idx], hh.line[idx]
    worker = m.is_worker[idx]

    reached = (kind == LOW_INCOME) & (m.latent_reach[idx] < m.low_income_reach)
    li_bp = m.cfg.levers.low_income_loans.rate_discount_bp
    disc = m.rate_discount_bp
    pf_small = price_factor(u.farm_loan_rate, disc * m.discount_on["small_credit"], u.price_semi_elasticity)
    pf_farm = price_factor(u.farm_loan_rate, disc * m.discount_on["farm"], u.price_semi_elasticity)
    pf_low = price_factor(u.farm_loan_rate, li_bp + disc * m.discount_on["low_income"], u.price_semi_elasticity)

    # with a credit line: draw on it (用信)
    has_line = (line > 0) & ~housing
    p_use = u.p_use_line + m.line_use_gain
    p_line = np.clip(p_use * np.where(reached, pf_low, pf_small) * (0.5 + hh.trust[idx]), 0, 1)
    take_line = has_line & (ds[0] < p_line)
    # without one: apply at an outlet or station and be approved
    access = (u.p_apply_branch + u.distance_decay_per_km * m.hh_distance[idx]
              + u.station_effect_on_credit_use * m.hh_station[idx] + u.literacy_effect * (hh.literacy[idx] - 0.5))
    hl = m.cfg.levers.housing_loans
    pf_house = price_factor(u.farm_loan_rate, hl.rate_discount_bp, u.price_semi_elasticity)
    pf_branch = np.where(housing, pf_house, np.where(reached, pf_low, pf_farm))
    apply = ~has_line & (ds[0] < np.clip(access * pf_branch, 0, 1))
    p_approve = np.select([housing, reached, kind == LOW_INCOME],
                          [hl.p_approve, m.cfg.levers.low_income_loans.p_approve, u.p_approve_low_income],
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
        [hl.loan_size, u.low_income_loan_size, u.small_credit_size_mean, u.farm_loan_size_mean], u.worker_loan_size,
    )
    size = loan_size(1.0, u.loan_size_sigma, ds[2]) * (mean * m.income_index).astype(F32)
    size = np.where(take_line, np.minimum(size, line), size)
    new = idx[got]
    hh.product[new] = product[got]
    hh.loan[new] = size[got]
    hh.months_left[new] = terms(new)
    # conditional on approval, ds[1] / p_approve is again uniform: it decides the green label
    green_u = np.where(approved, ds[1] / np.maximum(p_approve, 1e-9), ds[1])
    hh.green[new] = green_u[got] < u.green_share_household_new * m.green_multiplier
    if disc > 0:
        eligible = np.zeros(idx.size, bool)
        for name, code in (("small_credit", SMALL_CREDIT), ("farm", FARM_LOAN), ("low_income", LOW_INCOME_LOAN)):
            if m.discount_on[name]:
                eligible |= product == code
        hh.discounted[idx[eligible]] = True

    disbursed = np.concatenate([new, life["renewed"]])
    low = disbursed[hh.kind[disbursed] == LOW_INCOME]
    m.flows["low_income_disbursed"] += w * float(hh.loan[low].sum(dtype=np.float64))
    m.flows["hh_disbursed"] += w * float(hh.loan[disbursed].sum(dtype=np.float64))
    m.flows["unmet_need"] += w * float(idx.size - new.size)


def enterprise_credit(m: TaizhouModel, t: int) -> None:
    """One month of enterprise credit: firms, individual businesses and cooperatives."""
    ent, u, w = m.enterprises, m.cfg.uncertainties, m.weight
    d = m.month_rng("enterprise").random((3, ent.n), dtype=F32)  # as in household_credit
    pd_rated = monthly_probability(
        np.array([1.0, u.rated_default_factor]) * u.annual_default_probability * 1.2 * m.default_multiplier
    ).astype(F32)

    def pd_month(rows):
        return pd_rated[ent.rated[rows].astype(np.intp)]

    def terms(rows):
        return np.full(rows.size, u.term_enterprise_months, "i2")

    life = loan_lifecycle(m, ent, d[:2], pd_month, terms)
    m.flows["written_off"] += life["written_off"]

    need_table = monthly_probability(
        np.array([u.need_rate_firm, u.need_rate_individual_business, u.need_rate_cooperative * m.coop_need_factor])
    ).astype(F32)
    free = np.flatnonzero(ent.product[: m.n_active_ent] == NO_LOAN)
    idx = free[d[2][free] < need_table[ent.kind[free]]]
    ds = m.row_uniforms("enterprise", idx, 4)
    kind, rated = ent.kind[idx], ent.rated[idx]
    apply = ds[0] < np.clip(0.6 * m.sme_processing_factor, 0, 1)
    p_approve = np.where(rated, 0.85, 0.55)
    p_approve = np.where(kind == COOPERATIVE, p_approve * m.coop_approval_factor, p_approve)
    approved = apply & (ds[1] < p_approve)
    credit = approved & rated & (ds[2] < 0.5)
    mean = np.select([kind == FIRM, kind == INDIVIDUAL_BUSINESS],
                     [u.firm_loan_mean, u.individual_business_loan_mean], u.cooperative_loan_mean)
    size = loan_size(1.0, 1.0, ds[3]) * (mean * m.income_index).astype(F32)
    # 信保基金: declined firms get a guaranteed loan while the fund's guarantee capacity lasts
    declined = np.flatnonzero(apply & ~approved & (kind != COOPERATIVE))
    room = m.guarantee_capacity - float(np.sum(ent.loan, where=ent.product == GUARANTEED, dtype=np.float64)) * w
    take = declined[np.cumsum(size[declined].astype(np.float64) * w) <= room] if room > 0 else declined[:0]
    product = np.where(credit, CREDIT, SECURED).astype("i1")
    product[take] = GUARANTEED
    got = approved.copy()
    got[take] = True
    new = idx[got]
    ent.product[new] = product[got]
    ent.loan[new] = size[got]
    ent.months_left[new] = u.term_enterprise_months
    green_u = np.where(approved, ds[1] / np.maximum(p_approve, 1e-9), ds[2])
    ent.green[new] = ent.green_eligible[new] & (green_u[got] < u.green_share_firm_new / 0.2 * m.green_multiplier)
    disbursed = np.concatenate([new, life["renewed"]])
    m.flows["ent_disbursed"] += w * float(ent.loan[disbursed].sum(dtype=np.float64))
    m.flows_last_month["ent_new"] = w * float(np.count_nonzero(ent.green_eligible[new]))


def digital_adoption(m: TaizhouModel, t: int) -> None:
    """Digital access spreads exogenously; platform adoption follows a Bass model by county.

    Monthly adoption probability among those with access: p x push + q x (county adopter share), where
    push = 1 + platform push + industry apps + fee waivers; literacy scales it around 1.
    """
    hh, ent, pop, u = m.households, m.enterprises, m.cfg.population, m.cfg.uncertainties
    rng = m.month_rng("adoption")
    n = m.n_active_rows  # active rows are a prefix
    frac = min(1.0, (t + 1) / 60)
    rural = hh.kind[:n] != URBAN
    access = hh.digital_access[:n]
    d = rng.random((2, n), dtype=F32)  # access, adoption
    n_rural = np.count_nonzero(rural)
    n_access_rural = np.count_nonzero(access & rural)
    p_access = np.zeros(2, F32)  # [urban, rural]: the hazard that keeps each group on its linear path
    for i, n_group, n_with, s0, s1 in (
        (1, n_rural, n_access_rural, pop.digital_access_rural_2015, pop.digital_access_rural_2020),
        (0, n - n_rural, np.count_nonzero(access) - n_access_rural, pop.digital_access_urban_2015,
         pop.digital_access_urban_2020),
    ):
        current = n_with / n_group if n_group else 0.0
        p_access[i] = max(0.0, (s0 + (s1 - s0) * frac - current) / max(1e-9, 1 - current))
    first = np.flatnonzero(d[0] < p_access.max())  # a cheap first cut, then the exact rule on few rows
    first = first[~access[first]]
    access[first[d[0][first] < p_access[rural[first].view(np.uint8)]]] = True
    push = 1.0 + m.platform_push + m.cfg.levers.industry_apps.digital_uplift_per_app * m.apps_total
    push += m.cfg.levers.fee_waivers.bass_p_uplift * m.fee_waiver_share
    county_ip = m.hh_county[:n]
    adopters = np.bincount(county_ip[hh.digital[:n]], minlength=9)
    people = np.maximum(1, np.bincount(county_ip, minlength=9))
    rate = monthly_probability(u.bass_p * push + u.bass_q * adopters / people).astype(F32)
    rate_rural = monthly_probability(
        u.bass_p * (push + m.cfg.levers.subsidy_payments.bass_uplift * m.subsidy_share) + u.bass_q * adopters / people
    ).astype(F32)
    p_max = max(rate.max(), rate_rural.max()) * 1.5  # literacy scales by at most 1.5
    cand = np.flatnonzero(d[1] < p_max)
    cand = cand[access[cand] & ~hh.digital[cand]]
    county = hh.county[cand]
    p_adopt = np.where(hh.kind[cand] == URBAN, rate[county], rate_rural[county]) * (0.5 + hh.literacy[cand])
    hh.digital[cand[d[1][cand] < p_adopt]] = True
    ne = m.n_active_ent
    de = rng.random(ne, dtype=F32)  # after the households' draw: same position in every scenario
    ent_share = np.count_nonzero(ent.digital[:ne]) / max(1, ne)
    ent_rate = monthly_probability(u.bass_p * push + u.bass_q * ent_share)
    ent.digital[:ne] |= de < ent_rate


def ebank_share(m: TaizhouModel) -> float:
    """The month's share of transactions through electronic channels (self-service devices included)."""
    hh, ent, u = m.households, m.enterprises, m.cfg.uncertainties
    k = m.n_active_rows
    # households grouped by (urban, digital, served): one pass instead of per-row shares
    code = ((hh.kind[:k] == URBAN).view(np.uint8) + 2 * hh.digital[:k].view(np.uint8)
            + 4 * m.hh_station[:k].view(np.uint8))
    n = np.bincount(code, minlength=8).astype(float)
    urban = np.arange(8) % 2 == 1
    digital = (np.arange(8) // 2) % 2 == 1
    served = np.arange(8) // 4 == 1
    tx = np.where(urban, u.transactions_urban, u.transactions_rural)
    digital_share = min(1.0, u.ebank_share_digital + 0.03 * m.fee_waiver_share)
    share = np.where(digital, digital_share, np.where(served, u.ebank_share_served, u.ebank_share_other))
    # subsidies paid into accounts move farm households' non-digital transactions to e-channels
    share = np.where(~urban & ~digital, share + m.cfg.levers.subsidy_payments.ebank_gain * m.subsidy_share, share)
    e_tx, all_tx = float((n * tx * share).sum()), float((n * tx).sum())
    n_ent = m.n_active_ent
    n_ent_digital = np.count_nonzero(ent.digital[:n_ent])
    e_tx += u.transactions_enterprise * (n_ent_digital * digital_share + (n_ent - n_ent_digital) * u.ebank_share_other)
    all_tx += u.transactions_enterprise * n_ent
    return e_tx / all_tx if all_tx else 0.0
