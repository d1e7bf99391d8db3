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
    CREDIT,
    FARM_LOAN,
    FIRM,
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


def _close(store, mask: np.ndarray) -> None:
    store.loan[mask] = 0
    store.product[mask] = NO_LOAN
    store.months_left[mask] = 0
    store.green[mask] = False
    store.npl[mask] = False
    store.npl_months[mask] = 0
    if hasattr(store, "discounted"):
        store.discounted[mask] = False


def loan_lifecycle(m: TaizhouModel, store, draws: np.ndarray, pd_annual: np.ndarray, terms: np.ndarray) -> dict:
    """Age NPLs and write them off, draw defaults, repay or renew matured loans.

    Args:
        m: the model.
        store: households or enterprises.
        draws: two rows of uniforms (default, renewal).
        pd_annual: annual default probability per row.
        terms: the term in months of each row's product (for renewals).

    Returns:
        Real CNY written off, defaulted and renewed this month, and the renewal mask.
    """
    u = m.cfg.uncertainties
    npl = store.npl
    store.npl_months[npl] += 1
    written = npl & (store.npl_months >= u.npl_months_to_write_off)
    written_off = m.weight * float(store.loan[written].sum(dtype=np.float64))
    _close(store, written)
    performing = (store.product > 0) & ~store.npl
    default = performing & (draws[0] < monthly_probability(pd_annual))
    store.npl[default] = True
    store.npl_months[default] = 0
    defaulted = m.weight * float(store.loan[default].sum(dtype=np.float64))
    performing &= ~default
    store.months_left[performing] -= 1
    mature = performing & (store.months_left <= 0)
    renew = mature & (draws[1] < u.p_renew)
    store.months_left[renew] = terms[renew]
    _close(store, mature & ~renew)
    return {"written_off": written_off, "defaulted": defaulted, "renewed": renew, "default_mask": default}


def household_credit(m: TaizhouModel, t: int) -> None:
    """One month of household credit: lifecycle, demand by type and season, uptake, disbursement."""
    hh, u, w = m.households, m.cfg.uncertainties, m.weight
    d = m.streams["credit"].random((7, hh.n), dtype=F32)
    kind = hh.kind
    farmish = kind != URBAN
    pd_annual = np.full(hh.n, u.annual_default_probability * m.default_multiplier, dtype=F32)
    pd_annual[kind == LOW_INCOME] *= u.low_income_default_factor
    pd_annual[hh.rated] *= u.rated_default_factor
    terms = np.where(hh.product == FARM_LOAN, u.term_farm_months, u.term_small_credit_months).astype("i2")
    life = loan_lifecycle(m, hh, d[:2], pd_annual, terms)
    hh.line[life["default_mask"]] = 0
    m.flows["written_off"] += life["written_off"]

    season = FARM_SEASON[t % 12]
    need_annual = np.select([kind == LOW_INCOME, kind == URBAN],
                            [u.need_rate_low_income, u.need_rate_urban], u.need_rate_farm)
    need_p = monthly_probability(need_annual).astype(F32) * np.where(farmish, season, 1.0).astype(F32)
    need = m.hh_active & (hh.product == NO_LOAN) & (d[2] < need_p)

    reached = (kind == LOW_INCOME) & (m.latent_reach < m.low_income_reach)
    li_bp = m.cfg.levers.low_income_loans.rate_discount_bp
    disc = m.rate_discount_bp
    pf_small = price_factor(u.farm_loan_rate, disc * m.discount_on["small_credit"], u.price_semi_elasticity)
    pf_farm = price_factor(u.farm_loan_rate, disc * m.discount_on["farm"], u.price_semi_elasticity)
    pf_low = price_factor(u.farm_loan_rate, li_bp + disc * m.discount_on["low_income"], u.price_semi_elasticity)

    # with a credit line: draw on it (用信)
    with_line = need & (hh.line > 0)
    pf_line = np.where(reached, pf_low, pf_small)
    p_line = np.clip(u.p_use_line * pf_line * (0.5 + hh.trust), 0, 1)
    take_line = with_line & (d[3] < p_line)
    # without one: apply at a branch or station and be approved
    no_line = need & (hh.line == 0)
    access = (u.p_apply_branch + u.distance_decay_per_km * m.hh_distance
              + u.station_effect_on_credit_use * m.hh_station + u.literacy_effect * (hh.literacy - 0.5))
    pf_branch = np.where(reached, pf_low, pf_farm)
    apply = no_line & (d[3] < np.clip(access * pf_branch, 0, 1))
    p_approve = np.select([reached, kind == LOW_INCOME], [m.cfg.levers.low_income_loans.p_approve,
                                                          u.p_approve_low_income], u.p_approve_secured)
    approved = apply & (d[4] < p_approve)

    product = np.zeros(hh.n, "i1")
    product[take_line] = SMALL_CREDIT
    product[approved & farmish] = FARM_LOAN
    product[approved & (kind == URBAN)] = WORKER_LOAN
    product[(take_line | approved) & reached] = LOW_INCOME_LOAN
    new = product > 0
    mean = np.select(
        [(product == LOW_INCOME_LOAN) | (kind == LOW_INCOME), product == SMALL_CREDIT, product == FARM_LOAN],
        [u.low_income_loan_size, u.small_credit_size_mean, u.farm_loan_size_mean], u.worker_loan_size,
    )
    size = loan_size(1.0, u.loan_size_sigma, d[5]) * (mean * m.income_index).astype(F32)
    size = np.where(product == SMALL_CREDIT, np.minimum(size, hh.line), size)
    hh.product[new] = product[new]
    hh.loan[new] = size[new]
    hh.months_left[new] = np.where(product[new] == FARM_LOAN, u.term_farm_months, u.term_small_credit_months)
    hh.green[new] = d[6][new] < u.green_share_household_new * m.green_multiplier
    eligible = np.zeros(hh.n, bool)
    for name, code in (("small_credit", SMALL_CREDIT), ("farm", FARM_LOAN), ("low_income", LOW_INCOME_LOAN)):
        if m.discount_on[name]:
            eligible |= product == code
    hh.discounted[new] = eligible[new] & (disc > 0)

    disbursed = (new | life["renewed"]) & (kind == LOW_INCOME)
    m.flows["low_income_disbursed"] += w * float(hh.loan[disbursed].sum(dtype=np.float64))
    m.flows["hh_disbursed"] += w * float(hh.loan[new | life["renewed"]].sum(dtype=np.float64))
    m.flows["unmet_need"] += w * float((need & ~new).sum())


def enterprise_credit(m: TaizhouModel, t: int) -> None:
    """One month of enterprise credit: firms, individual businesses and cooperatives."""
    ent, u, w = m.enterprises, m.cfg.uncertainties, m.weight
    d = m.streams["enterprise"].random((7, ent.n), dtype=F32)
    kind = ent.kind
    pd_annual = np.full(ent.n, u.annual_default_probability * 1.2 * m.default_multiplier, dtype=F32)
    pd_annual[ent.rated] *= u.rated_default_factor
    terms = np.full(ent.n, u.term_enterprise_months, "i2")
    life = loan_lifecycle(m, ent, d[:2], pd_annual, terms)
    m.flows["written_off"] += life["written_off"]

    need_annual = np.select([kind == FIRM, kind == INDIVIDUAL_BUSINESS],
                            [u.need_rate_firm, u.need_rate_individual_business], u.need_rate_cooperative)
    need = m.ent_active & (ent.product == NO_LOAN) & (d[2] < monthly_probability(need_annual).astype(F32))
    pf = price_factor(u.enterprise_loan_rate, m.sme_rate_discount_bp, u.price_semi_elasticity)
    apply = need & (d[3] < np.clip(0.6 * pf * m.sme_processing_factor, 0, 1))
    p_approve = np.where(ent.rated, 0.85, 0.55 * m.sme_guarantee_factor)
    approved = apply & (d[4] < p_approve)
    credit = approved & ent.rated & (d[5] < 0.5)
    mean = np.select([kind == FIRM, kind == INDIVIDUAL_BUSINESS],
                     [u.firm_loan_mean, u.individual_business_loan_mean], u.cooperative_loan_mean)
    size = loan_size(1.0, 1.0, d[6]) * (mean * m.income_index).astype(F32)
    ent.product[approved] = np.where(credit[approved], CREDIT, SECURED)
    ent.loan[approved] = size[approved]
    ent.months_left[approved] = u.term_enterprise_months
    ent.green[approved] = ent.green_eligible[approved] & (
        d[5][approved] < u.green_share_firm_new / 0.2 * m.green_multiplier
    )
    m.flows["ent_disbursed"] += w * float(ent.loan[approved | life["renewed"]].sum(dtype=np.float64))


def digital_adoption(m: TaizhouModel, t: int) -> None:
    """Digital access spreads exogenously; platform adoption follows a Bass model by county.

    Monthly adoption probability among those with access: p x push + q x (county adopter share), where
    push = 1 + platform push + industry apps + fee waivers; literacy scales it around 1.
    """
    hh, ent, pop, u = m.households, m.enterprises, m.cfg.population, m.cfg.uncertainties
    d = m.streams["adoption"].random((3, hh.n), dtype=F32)
    frac = min(1.0, (t + 1) / 60)
    rural = hh.kind != URBAN
    for mask, s0, s1 in ((rural, pop.digital_access_rural_2015, pop.digital_access_rural_2020),
                         (~rural, pop.digital_access_urban_2015, pop.digital_access_urban_2020)):
        group = mask & m.hh_active
        current = hh.digital_access[group].mean() if group.any() else 0.0
        target = s0 + (s1 - s0) * frac
        p = max(0.0, (target - current) / max(1e-9, 1 - current))
        hh.digital_access |= group & (d[0] < p)
    push = 1.0 + m.platform_push + m.cfg.levers.industry_apps.digital_uplift_per_app * m.apps_total
    push += m.cfg.levers.fee_waivers.bass_p_uplift * m.fee_waiver_share
    active = m.hh_active
    adopters = np.bincount(hh.county[active & hh.digital], minlength=9)
    people = np.maximum(1, np.bincount(hh.county[active], minlength=9))
    share = (adopters / people).astype(F32)
    rate = u.bass_p * push + u.bass_q * share[hh.county]
    p = monthly_probability(rate).astype(F32) * (0.5 + hh.literacy)
    hh.digital |= active & hh.digital_access & (d[1] < p)
    de = m.streams["adoption"].random(ent.n, dtype=F32)
    ent_share = (ent.digital & m.ent_active).sum() / max(1, m.ent_active.sum())
    ent_rate = monthly_probability(u.bass_p * push + u.bass_q * ent_share)
    ent.digital |= m.ent_active & (de < ent_rate)


def ebank_share(m: TaizhouModel) -> float:
    """The month's share of transactions through electronic channels (self-service devices included)."""
    hh, ent, u = m.households, m.enterprises, m.cfg.uncertainties
    a = m.hh_active
    tx = np.where(hh.kind == URBAN, u.transactions_urban, u.transactions_rural).astype(F32)
    digital_share = min(1.0, u.ebank_share_digital + 0.03 * m.fee_waiver_share)
    share = np.where(hh.digital, digital_share, np.where(m.hh_station, u.ebank_share_served, u.ebank_share_other))
    e_tx = float((tx * share)[a].sum(dtype=np.float64))
    all_tx = float(tx[a].sum(dtype=np.float64))
    ea = m.ent_active
    ent_share = np.where(ent.digital[ea], digital_share, u.ebank_share_other)
    e_tx += u.transactions_enterprise * float(ent_share.sum(dtype=np.float64))
    all_tx += u.transactions_enterprise * float(ea.sum())
    return e_tx / all_tx if all_tx else 0.0

