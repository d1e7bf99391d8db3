"""Households' and enterprises' monthly credit as vectorised rules over all rows.

A need arises (by kind and season), the household draws on its line or applies at an outlet; the bank
assesses the application and approves it when its estimate of the default risk is low enough; the bank's
staff must have the hours to process it and its funding and capital the room to lend it; the loan then runs
to maturity, is renewed (after a new assessment) or defaults.

Risk and selection. A borrower's true annual default probability grows with its debt service relative to
income, falls with income, and carries its own propensity (``risk``); an income shock in a month multiplies
it. The bank sees that risk through noise that its information narrows: an information file, a rating, the
shared credit-information platform, a clean credit history. So better information lends more to the good
risks and less to the bad ones, and arrears (NPL), write-offs and the NPL ratio emerge from the loans made.

Every draw is a pure function of (seed, stream, month, row) (:mod:`sim.streams`), made only for the rows that
use it: the loan rows' default, renewal and shock draws and the loan-free rows' need draws inside compiled
passes over the rows, the few rows with a need by :meth:`sim.streams.Streams.rows`. So two scenarios run with
the same seed share every draw where their decisions agree (common random numbers). No Python loop touches a
household; the compiled passes (Numba) are the loops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit
from scipy.special import ndtri

from sim.calendar import monthly_probability
from sim.parallel import CHUNK, concatenated, elementwise, over_blocks, picked
from sim.population import (
    COOPERATIVE,
    CREDIT,
    DEFAULTED,
    FARM_LOAN,
    FIRM,
    GUARANTEED,
    HOUSING_LOAN,
    INDIVIDUAL_BUSINESS,
    LOW_INCOME,
    LOW_INCOME_LOAN,
    NO_LOAN,
    REPAID,
    SECURED,
    SMALL_CREDIT,
    UNSECURED_PRODUCTS,
    URBAN,
    URBAN_LOAN,
    WORKER_LOAN,
    loan_size,
)
from sim.streams import uniform

if TYPE_CHECKING:
    from sim.policy import Policy
    from sim.world import World

F32 = np.float32
# a loan's hazard cap is its exact hazard x 1.001 + 2^-20: its later hazards, equal or lower in exact arithmetic,
# differ from it in float32 by a few units in the last place of (1 - pd)^(1/12) (about 6e-8 each) and by the
# drift of its relative income (about 1e-5 over the months), far inside the margin
CAP_MARGIN = (F32(1.001), F32(2.0**-20))
MIN_OFFER_ROWS = 10_000  # need rows per part below which the offers run in one thread (sim.parallel.elementwise)
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


# ---------------------------------------------------------------- risk
def debt_service_ratio(w: World, debt: np.ndarray, income: np.ndarray) -> np.ndarray:
    """Yearly interest and repayment on ``debt`` relative to yearly income."""
    u = w.u
    return debt * np.float32(u.farm_loan_rate + 1.0 / u.amortisation_years) / np.maximum(income, 1.0)


def household_pd(w: World, rows: np.ndarray, debt: np.ndarray, unsecured: np.ndarray | bool = False) -> np.ndarray:
    """True annual default probability of households ``rows`` carrying ``debt`` (CNY).

    ``pd_base`` x own risk x (income / mean rural income)^-elasticity x exp(slope x (DSR - reference)), x the
    unsecured factor for loans without collateral.
    """
    u, hh = w.u, w.households
    income = hh.income[rows]
    rel = income / np.float32(w.pop.income_rural_2015 * w.income_index)
    dsr = debt_service_ratio(w, debt, income)
    with np.errstate(over="ignore"):  # a steep slope and a heavy debt overflow to inf: capped at 0.95 below
        pd = (u.pd_base * hh.risk[rows] * np.power(np.maximum(rel, 0.05), -u.pd_income_elasticity)
              * np.exp(u.pd_dsr_slope * (dsr - u.dsr_reference)))
    factor = F32(u.unsecured_default_factor)
    if isinstance(unsecured, np.ndarray):
        # each row's factor (1 or the factor) taken from a two-entry table, then one product: a masked product
        # (np.multiply's where=, np.where) costs five times as much here, and x 1 leaves a value as it is
        pd *= np.take(np.array([1, factor], F32), unsecured.view(np.uint8))
    elif unsecured:
        pd *= factor
    return np.minimum(pd, 0.95, out=pd).astype(F32, copy=False)


def household_pd_only_falls(w: World) -> bool:
    """Whether a performing household loan's true default probability can only fall or hold, month after month.

    While a loan performs, its debt, product and the household's own risk hold; incomes grow at ``income_growth``
    (and hold in the spin-up), so the debt service ratio falls (``pd_dsr_slope`` >= 0) and income relative to the
    mean holds. Not so when incomes shrink.
    """
    return w.pop.income_growth >= 0 and w.u.pd_dsr_slope >= 0


def enterprise_pd(w: World, rows: np.ndarray) -> np.ndarray:
    """True annual default probability of enterprises ``rows``."""
    u = w.u
    return np.minimum(u.pd_base * u.enterprise_default_factor * w.enterprises.risk[rows], 0.95).astype(F32)


def information(w: World, policy: Policy, rows: np.ndarray, store: str = "households") -> np.ndarray:
    """The noise (log-sd) of the bank's view of each row's risk: narrower with a file, a rating and shared data."""
    u = w.u
    s = getattr(w, store)
    noise = np.full(rows.size, u.assessment_noise, dtype=F32)
    if store == "households":
        noise = np.where(s.has_file[rows], noise * np.float32(1 - u.file_information), noise)
    noise = np.where(s.rated[rows], noise * np.float32(1 - u.rating_information), noise)
    return (noise * np.float32(1 - u.shared_data_information * policy.info_coverage)).astype(F32)


def assess(w: World, policy: Policy, rows: np.ndarray, pd: np.ndarray, z_u: np.ndarray,
           store: str = "households") -> np.ndarray:
    """The bank's estimate of the default probability: the true one seen through noise, and the history.

    Args:
        w: the world.
        policy: the month's policy (shared-data coverage).
        rows: the rows assessed.
        pd: their true annual default probability.
        z_u: a uniform per row (the assessment's noise).
        store: ``households`` or ``enterprises``.
    """
    u = w.u
    s = getattr(w, store)
    z = ndtri(np.clip(z_u, 1e-6, 1 - 1e-6)).astype(F32)
    est = pd * np.exp(information(w, policy, rows, store) * z)
    hist = s.history[rows]
    est = np.where(hist == DEFAULTED, est * np.float32(u.history_default_factor), est)
    return np.where(hist == REPAID, est * np.float32(u.history_repaid_factor), est).astype(F32)


def credit_lines(w: World, rows: np.ndarray) -> np.ndarray:
    """Lines granted now: the mean line scaled by the square root of relative income.

    Capped by the card cap and by a multiple of the household's yearly income.
    """
    u = w.u
    income = w.households.income[rows]
    rel = income / np.float32(w.pop.income_rural_2015 * w.income_index)
    line = np.minimum(u.credit_line_mean * w.income_index * np.sqrt(rel), u.credit_line_cap * w.income_index)
    return np.minimum(line, u.line_income_multiple * income).astype(F32)


def rate(w: World, policy: Policy, rows: np.ndarray, participate: np.ndarray, z_u: np.ndarray) -> np.ndarray:
    """Which households the bank rates creditworthy (campaigns, visits).

    Those who take part and whose estimated risk, drawing half their prospective line, is within the rating
    cut-off.
    """
    lines = credit_lines(w, rows)
    pd = household_pd(w, rows, 0.5 * lines, unsecured=True)
    ok = assess(w, policy, rows, pd, z_u) <= w.u.rating_pd_cutoff * w.bank.caution
    return participate & ok


# ---------------------------------------------------------------- the life of a loan
def _close(store, rows: np.ndarray) -> None:
    store.loan[rows] = 0
    store.product[rows] = NO_LOAN
    store.months_left[rows] = 0
    store.green[rows] = False
    store.npl[rows] = False
    store.npl_months[rows] = 0
    store.hazard_cap[rows] = 0
    if hasattr(store, "discounted"):
        store.discounted[rows] = False


def loan_lifecycle(w: World, store, keys: np.ndarray, pd_annual, renew_ok, terms, pd_only_falls: bool) -> dict:
    """Age arrears and write them off, draw defaults (income shocks included), repay or renew matured loans.

    A performing loan defaults when its draw falls below its monthly hazard. When a loan's default probability
    can only fall while it performs (``pd_only_falls``), the hazard computed for it once is a cap on every later
    month's (``store.hazard_cap``, with a margin for rounding), and a draw at or above the cap decides "no
    default" without the hazard: only the rows whose draw falls below their cap (about 3%) get their exact
    hazard, and each row's decision is the one its exact hazard gives (thinning, as in Lewis & Shedler 1979).

    Args:
        w: the world.
        store: households or enterprises.
        keys: the month's row keys of the store's stream (:meth:`sim.streams.Streams.keys`); draws 0, 1 and 2
            of a row are its default, renewal and income-shock uniforms.
        pd_annual: a function of the rows giving each row's true annual default probability now.
        renew_ok: a function of the rows saying whether the bank renews (a new assessment).
        terms: a function of the rows giving the term in months of each row's product (renewals).
        pd_only_falls: whether no performing loan's default probability can rise from one month to the next.

    Returns:
        Real CNY written off, and the row indices of this month's defaults, renewals and repayments.
    """
    u = w.u
    write_off_after = int(u.npl_months_to_write_off)
    p_shock = F32(monthly_probability(u.income_shock_rate))
    shock_factor, p_renew = F32(u.income_shock_factor), F32(u.p_renew)

    def run_down(borrowers):
        # one pass over the part's borrowers: arrears age; a performing loan whose draw is at or above its cap runs a
        # month closer to maturity. The others ("near": every performing loan if a cap cannot hold) get their exact
        # hazard (NumPy's vectorised exp and power) and a pass of their own; then the bank's assessment of the
        # renewals, and the renewed and repaid loans' bookkeeping. Each reads and writes its own rows alone.
        written, near, wish, repaid = _age_and_run_down(borrowers, store.npl, store.npl_months, write_off_after,
                                                        store.hazard_cap, pd_only_falls, store.months_left, keys,
                                                        p_shock, shock_factor, p_renew)
        hazard = monthly_probability(pd_annual(near)).astype(F32)
        if pd_only_falls:
            store.hazard_cap[near] = hazard * CAP_MARGIN[0] + CAP_MARGIN[1]
        default, wish_near, repaid_near = _run_down(near, hazard, store.npl, store.npl_months, store.months_left,
                                                    store.history, keys, p_shock, shock_factor, p_renew)
        # ascending runs of different rows: a stable sort merges them into row order
        wish = np.sort(np.concatenate([wish, wish_near]), kind="stable")
        ok = renew_ok(wish)
        renew = wish[ok]
        store.months_left[renew] = terms(renew)
        repaid = np.sort(np.concatenate([repaid, repaid_near, wish[~ok]]), kind="stable")
        store.history[repaid] = REPAID
        _close(store, repaid)
        return written, default, renew, repaid

    # the borrowers as the loan book was last grouped: no rule before this one opens or closes a loan
    written, default, renew, repaid = elementwise(run_down, w.hh_loan_rows if store is w.households
                                                  else w.ent_loan_rows)
    written_off = w.weight * float(store.loan[written].sum(dtype=np.float64))
    _close(store, written)
    return {"written_off": written_off, "default": default, "renewed": renew, "repaid": repaid}


@njit(cache=True, nogil=True, inline="always")
def _mature(i, months_left, renew_key, p_renew):
    """A performing loan that does not default runs a month closer to maturity.

    Returns:
        0 if it still runs, else 1 if its holder wishes to renew, 2 if it is to be repaid.
    """
    months_left[i] -= 1
    if months_left[i] > 0:
        return 0
    return 1 if uniform(renew_key, i) < p_renew else 2


@njit(cache=True, nogil=True)
def _age_and_run_down(borrowers, npl, npl_months, write_off_after, cap, use_cap, months_left, keys, p_shock,
                      shock_factor, p_renew):
    """One pass over the borrowers: loans in arrears age; performing loans whose draw clears their cap run on.

    A loan in arrears ages a month and is written off after ``write_off_after``. A performing loan whose default
    draw is at or above its hazard's cap (``cap``, x ``shock_factor`` where its income-shock draw falls below
    ``p_shock``, as :func:`_run_down` multiplies the hazard) cannot default this month, whatever its exact hazard
    under the cap: it runs a month closer to maturity (:func:`_mature`). The others, and every performing loan if
    ``use_cap`` is false or its cap is not known (0), are "near": :func:`_run_down` decides them with their exact
    hazard.

    Returns:
        The rows written off, near, wishing to renew and to be repaid (of those that cleared their cap), in order.
    """
    written = np.empty(borrowers.size, np.int64)
    near = np.empty(borrowers.size, np.int64)
    wish = np.empty(borrowers.size, np.int64)
    repaid = np.empty(borrowers.size, np.int64)
    shock = np.empty(CHUNK, np.float32)
    draw = np.empty(CHUNK, np.float32)
    nw = nn = nr = nx = 0
    for c0 in range(0, borrowers.size, CHUNK):
        chunk = borrowers[c0:min(borrowers.size, c0 + CHUNK)]
        # the chunk's shock and default draws in loops of their own, which vectorise (why: sim.parallel)
        for j in range(chunk.size):
            shock[j] = uniform(keys[2], chunk[j])
        for j in range(chunk.size):
            draw[j] = uniform(keys[0], chunk[j])
        for j in range(chunk.size):
            i = chunk[j]
            if npl[i]:
                npl_months[i] += 1
                if npl_months[i] >= write_off_after:
                    written[nw] = i
                    nw += 1
                continue
            c = cap[i] if use_cap else np.float32(0.0)
            if c > 0:
                if shock[j] < p_shock:
                    c = c * shock_factor
                if not draw[j] < c:
                    fate = _mature(i, months_left, keys[1], p_renew)
                    if fate == 1:
                        wish[nr] = i
                        nr += 1
                    elif fate == 2:
                        repaid[nx] = i
                        nx += 1
                    continue
            near[nn] = i
            nn += 1
    return written[:nw].copy(), near[:nn].copy(), wish[:nr].copy(), repaid[:nx].copy()


@njit(cache=True, nogil=True)
def _run_down(rows, hazard, npl, npl_months, months_left, history, keys, p_shock, shock_factor, p_renew):
    """Performing loans default (an income shock multiplies the hazard) or run a month closer to maturity.

    Returns the rows defaulting, maturing and wishing to renew, and maturing to be repaid.
    """
    default = np.empty(rows.size, np.int64)
    wish = np.empty(rows.size, np.int64)
    repaid = np.empty(rows.size, np.int64)
    nd = nr = nx = 0
    one = np.float32(1.0)
    for j in range(rows.size):
        i = rows[j]
        h = hazard[j]
        if uniform(keys[2], i) < p_shock:
            h = min(one, h * shock_factor)
        if uniform(keys[0], i) < h:
            npl[i] = True
            npl_months[i] = 0
            history[i] = DEFAULTED
            default[nd] = i
            nd += 1
            continue
        fate = _mature(i, months_left, keys[1], p_renew)
        if fate == 1:
            wish[nr] = i
            nr += 1
        elif fate == 2:
            repaid[nx] = i
            nx += 1
    return default[:nd].copy(), wish[:nr].copy(), repaid[:nx].copy()


@njit(cache=True, nogil=True)
def _needs(lo, hi, product, kind, p_need, key):
    """Rows ``lo`` to ``hi`` without a loan whose need draw falls under their kind's need probability, and that draw.

    ``p_need`` holds a probability for each of the three kinds (0, 1, 2). Decided a chunk at a time, then the
    few flagged rows collected (why: :mod:`sim.parallel`).
    """
    rows = np.empty(hi - lo, np.int64)
    flags = np.zeros(CHUNK, np.uint8)
    p0, p1, p2 = p_need[0], p_need[1], p_need[2]
    m = 0
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    product, kind = product[lo:hi], kind[lo:hi]
    for c in range(0, hi - lo, CHUNK):
        e = min(hi - lo, c + CHUNK)
        prod, kc, first = product[c:e], kind[c:e], lo + c  # the chunk's rows as views, indexed from 0
        for j in range(e - c):
            k = kc[j]
            p = p1 if k == 1 else p2
            p = p0 if k == 0 else p
            flags[j] = (prod[j] == 0) & (uniform(key, first + j) < p)
        m = picked(flags, e - c, first, rows, m)
    rows = rows[:m].copy()
    draws = np.empty(m, np.float32)
    for j in range(m):
        draws[j] = uniform(key, rows[j])
    return rows, draws


def _peer(w: World, places: np.ndarray) -> np.ndarray:
    """Take-up multiplier from neighbours who borrow: 1 + effect per friend x friends x village borrower share."""
    u = w.u
    return (1.0 + u.peer_effect * u.peer_friends * w.place_borrower_share[places]).astype(F32)


# ---------------------------------------------------------------- households
def household_credit(w: World, policy: Policy, t: int) -> None:
    """One month of household credit: lifecycle, demand by type and season, take-up, assessment, loans.

    Every row gets its default, renewal, shock and need draws; rows with a need (a few percent) then get
    their take-up, assessment, size, green and queue draws.
    """
    hh, u, wt = w.households, w.u, w.weight
    keys = w.streams.keys("credit", 9)  # 0-4 the need's rows (below), 5-7 the loan's life, 8 the need

    def terms(rows):
        prod = hh.product[rows]
        return np.select([prod == FARM_LOAN, prod == HOUSING_LOAN],
                         [u.term_farm_months, policy.housing_term_months], u.term_small_credit_months)

    def pd_now(rows):
        return household_pd(w, rows, hh.loan[rows], UNSECURED_PRODUCTS[hh.product[rows]])

    def renew_ok(rows):
        est = assess(w, policy, rows, pd_now(rows), w.streams.rows("renewal", rows, 1)[0])
        return est <= np.float32(u.approval_pd_cutoff * w.bank.caution)

    life = loan_lifecycle(w, hh, keys[5:8], pd_now, renew_ok, terms, household_pd_only_falls(w))
    hh.line[life["default"]] = 0
    w.flows["written_off"] += life["written_off"]

    season = farm_season(w, t)
    need_table = monthly_probability(np.array([u.need_rate_farm * season, u.need_rate_low_income * season,
                                               u.need_rate_urban])).astype(F32)
    # 治危拆违: renovation needs of rural households while the government campaign runs (2017-2020)
    housing_p = float(monthly_probability(u.housing_need_rate[t // 12])) if t >= 0 else 0.0
    housing_table = np.array([housing_p, housing_p, 0.0], dtype=F32)
    n = w.n_active_rows
    free, d_free = concatenated(over_blocks(_needs, n, hh.product, hh.kind, need_table + housing_table, keys[8]))
    kind_free = hh.kind[free]
    normal_p = need_table[kind_free]
    need = d_free < normal_p + housing_table[kind_free]
    idx = free[need]
    housing = (d_free[need] >= normal_p[need]) & (w.latent_housing[idx] < policy.housing_reach)
    w.place_access()  # made once here, not in both parts below
    green_share = np.float32(min(1.0, u.green_classified_share * policy.green_multiplier))

    def offers(pos):
        """Take-up, product, size and the bank's decision for need rows ``idx[pos]``; each row's alone."""
        a, b = (pos[0], pos[-1] + 1) if pos.size else (0, 0)  # a contiguous part
        rows, house = idx[a:b], housing[a:b]
        ds = w.streams.rows("credit", rows, 5)  # take-up, assessment, size, green, queue
        kind, line = hh.kind[rows], hh.line[rows]
        worker = w.is_worker[rows]
        reached = (kind == LOW_INCOME) & (w.latent_reach[rows] < policy.low_income_reach)
        green_ok = hh.green_farm[rows]

        disc = policy.rate_discount_bp
        green_bp = np.where(green_ok, np.float32(policy.green_discount_bp), np.float32(0))
        pf_small = price_factor(u.farm_loan_rate, disc["small_credit"] + green_bp, u.price_semi_elasticity)
        pf_farm = price_factor(u.farm_loan_rate, disc["farm"] + green_bp, u.price_semi_elasticity)
        pf_low = price_factor(u.farm_loan_rate, policy.low_income_discount_bp + disc["low_income"],
                              u.price_semi_elasticity)
        peer = _peer(w, w.hh_place[rows])

        # with a credit line: draw on it (用信); the line was granted after an assessment
        has_line = (line > 0) & ~house
        p_use = u.p_use_line + policy.line_use_gain
        p_line = np.clip(p_use * np.where(reached, pf_low, pf_small) * (0.5 + hh.trust[rows]) * peer, 0, 1)
        take_line = has_line & (ds[0] < p_line)
        # without one: apply at an outlet or station, if it is near enough and the household knows how
        served, distance = w.access(rows)
        access = (u.p_apply_branch + u.distance_decay_per_km * distance
                  + u.station_effect_on_credit_use * served + u.literacy_effect * (hh.literacy[rows] - 0.5))
        pf_house = price_factor(u.farm_loan_rate, policy.housing_discount_bp, u.price_semi_elasticity)
        pf_branch = np.where(house, pf_house, np.where(reached, pf_low, pf_farm))
        apply = ~has_line & (ds[0] < np.clip(access * pf_branch * peer, 0, 1))

        product = np.zeros(rows.size, "i1")
        product[take_line] = np.where(worker[take_line], WORKER_LOAN, SMALL_CREDIT)
        product[apply & (kind != URBAN)] = FARM_LOAN
        product[apply & (kind == URBAN)] = URBAN_LOAN
        product[(take_line | apply) & reached] = LOW_INCOME_LOAN
        product[apply & house] = HOUSING_LOAN
        mean = np.select(
            [product == HOUSING_LOAN, (product == LOW_INCOME_LOAN) | (kind == LOW_INCOME), product == SMALL_CREDIT,
             product == WORKER_LOAN, product == FARM_LOAN],
            [policy.housing_loan_size, u.low_income_loan_size, u.small_credit_size_mean, u.worker_loan_size,
             u.farm_loan_size_mean], u.urban_loan_size_mean,
        )
        rel_income = hh.income[rows] / np.float32(w.pop.income_rural_2015 * w.income_index)
        size = (loan_size(1.0, u.loan_size_sigma, ds[2]) * (mean * w.income_index).astype(F32)
                * np.power(np.maximum(rel_income, 0.05), np.float32(u.loan_size_income_elasticity)))
        size = np.where(take_line, np.minimum(size, line), size).astype(F32)

        # the bank assesses every application; the low-income and housing products accept more risk
        unsecured = UNSECURED_PRODUCTS[product]
        est = assess(w, policy, rows, household_pd(w, rows, size, unsecured), ds[1])
        tolerance = np.select([product == HOUSING_LOAN, product == LOW_INCOME_LOAN],
                              [policy.housing_risk_tolerance, policy.low_income_risk_tolerance], 1.0)
        cutoff = np.float32(u.approval_pd_cutoff * w.bank.caution) * tolerance.astype(F32)
        # secured loans need pledged wealth (house, land-use rights) worth the loan at the bank's loan-to-value
        collateral = unsecured | (hh.wealth[rows] * np.float32(w.income_index * u.max_loan_to_value) >= size)
        approved = apply & (est <= cutoff) & collateral
        # green: a loan to a household in green farming, classified green at the declared rate or under the policy
        green = green_ok & (ds[3] < green_share)
        return take_line, apply, approved, product, size, green, ds[4]

    take_line, apply, approved, product, size, green, queue = elementwise(offers, np.arange(idx.size),
                                                                         MIN_OFFER_ROWS)
    # a line draw needs no application; an application needs a manager's hours to be processed
    processed = np.ones(idx.size, bool)
    applied = np.flatnonzero(apply)
    processed[applied] = w.staff.process(hh.county[idx[applied]].astype(np.intp), queue[applied],
                                         policy.manager_throughput, u.hours_per_application)
    got = (take_line | (approved & processed)) & (product > 0)
    # the bank's funding and capital leave room for so much new lending this month
    lend = np.flatnonzero(got)
    got[lend] = w.bank.lend(size[lend] * np.float32(wt), queue[lend], "households")
    new = idx[got]
    hh.product[new] = product[got]
    hh.loan[new] = size[got]
    hh.months_left[new] = terms(new)
    hh.green[new] = green[got]
    disc = policy.rate_discount_bp
    if any(disc.values()):
        eligible = np.zeros(idx.size, bool)
        for name, code in DISCOUNT_PRODUCTS:
            if disc[name] > 0:
                eligible |= product == code
        hh.discounted[idx[eligible & got]] = True

    # the month's events by row, for the breakdown by group (sim.equity): indices only, no pass over the rows
    w.credit_events.update(applications=idx[applied], approvals=idx[approved], defaults=life["default"])
    low_new = new[hh.kind[new] == LOW_INCOME]
    low_renewed = life["renewed"][hh.kind[life["renewed"]] == LOW_INCOME]
    w.flows["low_income_disbursed"] += wt * float(hh.loan[low_new].sum(dtype=np.float64))
    w.flows["low_income_renewed"] += wt * float(hh.loan[low_renewed].sum(dtype=np.float64))
    w.flows["hh_disbursed"] += wt * float(hh.loan[np.concatenate([new, life["renewed"]])].sum(dtype=np.float64))
    w.flows["unmet_need"] += wt * float(idx.size - new.size)
    w.flows["applications"] += wt * float(applied.size)
    w.flows["approved"] += wt * float(np.count_nonzero(approved))
    w.flows["unprocessed"] += wt * float(np.count_nonzero(apply & ~processed))
    w.flows["hh_new_loans"] += wt * float(new.size)
    w.flows["hh_defaults"] += wt * float(life["default"].size)


# ---------------------------------------------------------------- enterprises
def enterprise_credit(w: World, policy: Policy, t: int) -> None:
    """One month of enterprise credit: firms, individual businesses and cooperatives."""
    ent, u, wt = w.enterprises, w.u, w.weight
    keys = w.streams.keys("enterprise", 10)  # 0-5 the need's rows (below), 6-8 the loan's life, 9 the need

    def terms(rows):
        return np.full(rows.size, u.term_enterprise_months, "i2")

    def pd_now(rows):
        pd = enterprise_pd(w, rows)
        return np.where(ent.product[rows] == CREDIT, pd * np.float32(u.unsecured_default_factor), pd)

    def renew_ok(rows):
        est = assess(w, policy, rows, pd_now(rows), w.streams.rows("renewal", rows + w.households.n, 1)[0],
                     "enterprises")
        return est <= np.float32(u.approval_pd_cutoff * w.bank.caution)

    life = loan_lifecycle(w, ent, keys[6:9], pd_now, renew_ok, terms, True)  # risk and product hold
    w.flows["written_off"] += life["written_off"]

    need_table = monthly_probability(
        np.array([u.need_rate_firm, u.need_rate_individual_business, u.need_rate_cooperative * policy.coop_need_factor])
    ).astype(F32)
    ne = w.n_active_ent
    idx, _ = concatenated(over_blocks(_needs, ne, ent.product, ent.kind, need_table, keys[9]))
    ds = w.streams.rows("enterprise", idx, 6)  # apply, assessment, credit terms, size, queue, green
    kind, rated = ent.kind[idx], ent.rated[idx]
    # 普惠快车 / 小微专车: standardised processing brings small firms to apply
    apply = ds[0] < np.clip(u.p_apply_enterprise * np.where(kind == FIRM, policy.sme_processing_factor, 1.0), 0, 1)
    pd = enterprise_pd(w, idx)
    est = assess(w, policy, idx, pd, ds[1], "enterprises")
    cutoff = np.float32(u.approval_pd_cutoff * w.bank.caution)
    cutoff = np.where(kind == COOPERATIVE, cutoff * np.float32(policy.coop_approval_factor), cutoff)
    processed = np.ones(idx.size, bool)
    applied = np.flatnonzero(apply)
    processed[applied] = w.staff.process(ent.county[idx[applied]].astype(np.intp), ds[4][applied],
                                         policy.manager_throughput, u.hours_per_enterprise_application)
    approved = apply & processed & (est <= cutoff)
    # rated firms the bank sees as safe enough borrow on credit (unsecured) terms
    credit = approved & rated & (est * np.float32(u.unsecured_default_factor) <= cutoff) & (
        ds[2] < u.p_credit_terms_rated)
    mean = np.select([kind == FIRM, kind == INDIVIDUAL_BUSINESS],
                     [u.firm_loan_mean, u.individual_business_loan_mean], u.cooperative_loan_mean)
    size = loan_size(1.0, u.enterprise_loan_sigma, ds[3]) * (mean * w.income_index).astype(F32)
    # 信保基金: firms declined on their own merit get a guaranteed loan while the fund's capacity lasts
    declined = np.flatnonzero(apply & processed & ~approved & (kind != COOPERATIVE))
    room = policy.guarantee_capacity - float(np.sum(ent.loan, where=ent.product == GUARANTEED, dtype=np.float64)) * wt
    take = declined[np.cumsum(size[declined].astype(np.float64) * wt) <= room] if room > 0 else declined[:0]
    product = np.where(credit, CREDIT, SECURED).astype("i1")
    product[take] = GUARANTEED
    got = approved.copy()
    got[take] = True
    lend = np.flatnonzero(got)
    got[lend] = w.bank.lend(size[lend] * np.float32(wt), ds[4][lend], "enterprises")
    new = idx[got]
    ent.product[new] = product[got]
    ent.loan[new] = size[got]
    ent.months_left[new] = u.term_enterprise_months
    # green: a loan to an eligible borrower, classified green at the declared rate or under the policy
    ent.green[new] = ent.green_eligible[new] & (ds[5][got] < np.float32(min(1.0, u.green_classified_share
                                                                              * policy.green_multiplier)))
    w.credit_events["ent_defaults"] = life["default"]
    disbursed = np.concatenate([new, life["renewed"]])
    w.flows["ent_disbursed"] += wt * float(ent.loan[disbursed].sum(dtype=np.float64))
    w.flows["unprocessed"] += wt * float(np.count_nonzero(apply & ~processed))
    w.flows_last_month["ent_new"] = wt * float(np.count_nonzero(ent.green_eligible[new]))
