"""Taizhou at the end of 2015: counties, villages, communities, households and enterprises as columns.

Households and enterprises are stored column-wise (one NumPy array per attribute, one row per
``weight`` real units) so that the monthly rules run over all rows at once; the Mesa agent classes in
:mod:`sim.agents` are views on single rows. Every number used here comes from ``cfg.population`` and
``cfg.uncertainties`` (declared with their sources in :mod:`sim.config`). The loan book built here is only a
starting point: the model runs a spin-up of 2015 practice before January 2016 (``spinup_months``), so the
end-2015 loan book, its arrears and its write-offs are the steady state of the rules, not imposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.parallel import concatenated, over_blocks
from sim.streams import gamma, normal_quantile, uniform, uniform64, uniforms

if TYPE_CHECKING:
    from sim.config import SimConf

# household kinds
FARM, LOW_INCOME, URBAN = 0, 1, 2
HOUSEHOLD_KINDS = ("farm", "low_income", "urban")
# enterprise kinds
FIRM, INDIVIDUAL_BUSINESS, COOPERATIVE = 0, 1, 2
ENTERPRISE_KINDS = ("firm", "individual_business", "cooperative")
# household loan products (0 = none)
NO_LOAN, SMALL_CREDIT, FARM_LOAN, LOW_INCOME_LOAN, WORKER_LOAN, HOUSING_LOAN, URBAN_LOAN = 0, 1, 2, 3, 4, 5, 6
HOUSEHOLD_PRODUCTS = ("none", "small_credit", "farm", "low_income", "worker", "housing", "urban_secured")
# loans without collateral: lines (small credit, worker cards), the low-income product and 治危拆违 housing loans
UNSECURED_PRODUCTS = np.array([False, True, False, True, True, True, False])
# enterprise loan products
SECURED, CREDIT, GUARANTEED = 1, 2, 3
ENTERPRISE_PRODUCTS = ("none", "secured", "credit", "guaranteed")
# credit history
NO_HISTORY, REPAID, DEFAULTED = 0, 1, 2

F32 = np.float32

COUNTIES = ("椒江", "黄岩", "路桥", "临海", "温岭", "玉环", "天台", "仙居", "三门")
COUNTIES_EN = ("Jiaojiang", "Huangyan", "Luqiao", "Linhai", "Wenling", "Yuhuan", "Tiantai", "Xianju", "Sanmen")


def index_dtype(count: int) -> type[np.integer]:
    """The dtype of an index among ``count`` things: two bytes where they allow, else four.

    Passes read such indices (a row's grid, place or group) every month, and fewer bytes read faster.
    """
    return np.uint16 if count <= 1 << 16 else np.int32


class Columns:
    """A set of equally long NumPy columns; subclasses declare them in ``_dtypes``.

    ``hazard_cap`` is a performing loan's cap on its monthly default hazard, 0 while unknown: the loans' life
    (:func:`sim.behaviour.credit.loan_lifecycle`) sets and reads it, and a row's cap is forgotten whenever its loan
    closes or one of its columns is written from outside the rules (an agent view).
    """

    def __init__(self, n: int, **columns: np.ndarray):
        self.n = n
        for name, dtype in self.schema().items():
            setattr(self, name, columns.pop(name) if name in columns else np.zeros(n, dtype=dtype))
        if columns:
            raise TypeError(f"unknown columns {sorted(columns)}")

    @classmethod
    def schema(cls) -> dict[str, str]:
        """Column name -> dtype, from the class's ``_dtypes``."""
        return dict(cls._dtypes)


class Households(Columns):
    """One row per ``weight`` households (farm, low-income farm, urban)."""

    _dtypes = (
        ("kind", "i1"), ("county", "i1"), ("village", "i4"), ("community", "i2"), ("active", "?"),
        ("income", "f4"), ("wealth", "f4"), ("risk", "f4"), ("history", "i1"), ("green_farm", "?"),
        ("literacy", "f4"), ("trust", "f4"), ("digital_access", "?"), ("digital", "?"),
        ("has_file", "?"), ("rated", "?"), ("line", "f4"), ("loan", "f4"), ("product", "i1"),
        ("green", "?"), ("months_left", "i2"), ("discounted", "?"), ("npl", "?"), ("npl_months", "i2"),
        ("lectured", "?"), ("hazard_cap", "f4"),
    )


class Enterprises(Columns):
    """One row per ``weight`` firms, individual businesses or cooperatives."""

    _dtypes = (
        ("kind", "i1"), ("county", "i1"), ("village", "i4"), ("active", "?"), ("digital", "?"),
        ("rated", "?"), ("risk", "f4"), ("history", "i1"), ("green_eligible", "?"), ("loan", "f4"),
        ("product", "i1"), ("green", "?"), ("months_left", "i2"), ("npl", "?"), ("npl_months", "i2"),
        ("hazard_cap", "f4"),
    )


@dataclass
class Places:
    """Villages and urban communities (never scaled: every real one is a row)."""

    village_size: np.ndarray  # residents
    village_county: np.ndarray
    village_distance: np.ndarray  # km to the nearest service point at end-2015
    village_mountain: np.ndarray  # in a mountain county
    village_island: np.ndarray  # on an island
    village_branch: np.ndarray  # a bank outlet in the village (town seats)
    village_station: np.ndarray  # a 丰收驿站 (or other station)
    village_device: np.ndarray  # a self-service device point (small villages)
    village_campaigned: np.ndarray  # whole-village credit done
    village_exists: np.ndarray  # False once merged into another village (2017)
    community_county: np.ndarray
    community_covered: np.ndarray

    @property
    def village_served(self) -> np.ndarray:
        """Villages with any financial service point."""
        return self.village_branch | self.village_station | self.village_device

    def remote(self, remote_km: float) -> np.ndarray:
        """Villages the plan names first: mountain and island villages, and those far from any outlet in 2015."""
        return self.village_mountain | self.village_island | (self.village_distance >= remote_km)


def _lognormal_with_mean(rng: np.random.Generator, mean: float, sigma: float, n: int) -> np.ndarray:
    return rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, n)


def build_places(cfg: SimConf, rng: np.random.Generator) -> Places:
    """Villages with sizes, counties, distances, mountains and islands; communities with their counties."""
    pop = cfg.population
    nv = pop.villages
    shares = np.asarray(pop.county_shares) / np.sum(pop.county_shares)
    county = np.sort(rng.choice(9, size=nv, p=shares)).astype(np.int8)
    rural_persons = pop.households_2015 * pop.rural_share * pop.persons_per_rural_household
    size = _lognormal_with_mean(rng, rural_persons / nv, pop.village_size_sigma, nv)
    mountain = np.isin(county, pop.mountain_counties)
    island = rng.random(nv) < np.asarray(pop.island_village_share)[county]
    # a lognormal with this median: its mean is median x exp(sigma^2 / 2)
    distance = _lognormal_with_mean(rng, pop.distance_median_km * np.exp(pop.distance_sigma**2 / 2),
                                    pop.distance_sigma, nv)
    distance = np.where(mountain, distance * pop.distance_mountain_factor, distance)
    distance = np.where(island, distance * pop.distance_island_factor, distance).astype(np.float32)
    # Outlets sit in the larger villages (town seats): the largest villages get them.
    rank = np.argsort(np.argsort(-size))
    branch = rank < round(pop.branch_village_share * nv)
    distance[branch] = pop.distance_branch_village_km
    station = np.zeros(nv, bool)
    eligible = np.flatnonzero(~branch & (size >= pop.coverage_min_residents))
    station[rng.choice(eligible, size=min(pop.stations_2015, eligible.size), replace=False)] = True
    campaigned = rng.random(nv) < pop.villages_campaigned_2015
    ncom = pop.communities
    community_county = rng.choice(9, size=ncom, p=shares).astype(np.int8)
    covered = np.zeros(ncom, bool)
    covered[rng.choice(ncom, size=min(pop.communities_covered_2015, ncom), replace=False)] = True
    return Places(size, county, distance, mountain, island, branch, station, np.zeros(nv, bool), campaigned,
                  np.ones(nv, bool), community_county, covered)


def household_capacity(cfg: SimConf) -> tuple[int, int]:
    """Rows at the end of 2015 and rows needed by the end of the run (households form over time)."""
    pop = cfg.population
    n0 = round(pop.households_2015 / pop.weight)
    n_end = int(np.ceil(n0 * (1 + pop.household_growth) ** (cfg.months / 12))) + 1
    return n0, n_end


# A household row's build draws, one key each: draw j of row i comes from keys[j] (Streams.build_keys).
HOUSEHOLD_DRAWS = 15
(_RURAL, _LOW_INCOME, _ACCESS, _DIGITAL, _FILE, _GREEN_FARM, _BORROWS, _LOAN_SIZE, _VILLAGE, _COMMUNITY, _INCOME,
 _WEALTH, _RISK, _LITERACY_A, _LITERACY_B) = range(HOUSEHOLD_DRAWS)


def build_households(cfg: SimConf, places: Places, keys: np.ndarray) -> Households:
    """Households with kind, place, income, wealth, risk, literacy, digital access, files and a first loan book.

    Each row's draws are a function of (seed, row) (``keys``: :data:`HOUSEHOLD_DRAWS` of them), made in
    passes over blocks of rows on every core. Ratings and lines of end-2015 come from the whole-village
    campaigns before 2016, decided by the bank's assessment like every later rating
    (:func:`sim.behaviour.credit.assess`), in :class:`sim.world.World`.
    """
    pop, u = cfg.population, cfg.uncertainties
    n0, n = household_capacity(cfg)
    active = np.zeros(n, bool)
    active[:n0] = True
    hh = Households(n, active=active, **{name: np.empty(n, dtype) for name, dtype in Households.schema().items()
                                         if name in _DRAWN})
    # rural households live in villages in proportion to village size
    cdf = np.cumsum(places.village_size / places.village_size.sum())
    cdf /= cdf[-1]
    base_income = np.empty(3)  # by kind
    base_income[FARM] = pop.income_rural_2015
    base_income[LOW_INCOME] = pop.income_rural_2015 * pop.low_income_income_factor
    base_income[URBAN] = pop.income_rural_2015 * pop.urban_rural_income_ratio
    # [urban, rural]: literacy's mean, and its beta's two shapes
    lit_mean = (min(1.0, pop.literacy_mean * pop.literacy_urban_factor), pop.literacy_mean * pop.literacy_rural_factor)
    a = pop.literacy_concentration
    # lognormal factors with these means: (log-mean, log-sd) for income, wealth / income and risk
    lognormal = np.array([(np.log(m) - s**2 / 2, s) for m, s in ((1.0, pop.income_sigma),
                                                                 (pop.wealth_income_ratio, pop.wealth_sigma),
                                                                 (1.0, u.risk_sigma))])
    over_blocks(_household_rows, n, keys, cdf, _guide(cdf), places.village_county, places.community_county,
                F32(pop.rural_share), F32(pop.low_income_share_rural), F32(pop.green_farm_share),
                np.array([pop.digital_access_urban_2015, pop.digital_access_rural_2015]),
                np.array([pop.file_rate_urban_2015, pop.file_rate_rural_2015]),
                np.array([a * m for m in lit_mean]), np.array([a * (1 - m) for m in lit_mean]), base_income,
                lognormal, hh.kind, hh.village, hh.community, hh.county, hh.digital_access, hh.has_file,
                hh.green_farm, hh.income, hh.wealth, hh.risk, hh.literacy)
    hh.trust[:] = pop.trust_2015
    p_digital = pop.digital_customers_2015 / np.mean(hh.digital_access)
    over_blocks(_drawn_among, n, hh.digital_access, keys[_DIGITAL], p_digital, hh.digital)
    _first_loans(cfg, hh, keys[_BORROWS], keys[_LOAN_SIZE])
    # households that form after 2015 start with no file, rating, line, loan or platform account
    hh.has_file[n0:] = hh.digital[n0:] = False
    return hh


# the columns the build's draws fill (the others start at zero, or as set above)
_DRAWN = ("kind", "village", "community", "county", "digital_access", "has_file", "green_farm", "income", "wealth",
          "risk", "literacy", "trust", "digital")


@njit(cache=True, nogil=True)
def _guide(cdf):
    """A guide table for :func:`_search_right`: ``guide[b]`` is the first index whose ``cdf`` exceeds ``b / k``.

    Four buckets per index (``k = 4 cdf.size``), so a search takes a step or two from its bucket's start.
    """
    m = cdf.size
    k = 4 * m
    guide = np.empty(k + 1, np.int64)
    j = 0
    for b in range(k + 1):
        x = b / k
        while j < m and cdf[j] <= x:
            j += 1
        guide[b] = j
    return guide


@njit(cache=True, nogil=True, inline="always")
def _search_right(cdf, guide, x):
    """``np.searchsorted(cdf, x, side="right")`` for ``x`` in [0, 1), from its bucket of the guide table."""
    k = guide.size - 1
    j = guide[int(x * k)]
    while j < cdf.size and cdf[j] <= x:
        j += 1
    return j


@njit(cache=True, nogil=True)
def _household_rows(lo, hi, keys, cdf, guide, village_county, community_county, rural_share, low_income_share,
                    green_farm_share, access_2015, file_rate_2015, lit_a, lit_b, base_income, lognormal,
                    kind, village, community, county, access, has_file, green_farm, income, wealth, risk, literacy):
    """Rows ``lo`` to ``hi`` of the households' drawn columns, each row from its own draws (written in place).

    A row is rural if its draw is below ``rural_share`` (float32, as every share compared with a float32
    draw); a rural row is low-income below ``low_income_share`` and lives in village ``v`` with probability
    ``cdf[v] - cdf[v - 1]``; an urban row lives in a community drawn uniformly. Access and a file follow the
    ``[urban, rural]`` rates (float64); income is the kind's ``base_income`` times a lognormal factor, wealth
    income times another, risk a third (``lognormal``: a row each of log-mean and log-sd, normals by
    :func:`sim.streams.normal_quantile`); literacy is a beta draw from two gammas with the ``[urban, rural]``
    shapes ``lit_a`` and ``lit_b``.
    """
    k_rural, k_low, k_access = keys[_RURAL], keys[_LOW_INCOME], keys[_ACCESS]
    k_file, k_green, k_village, k_community = keys[_FILE], keys[_GREEN_FARM], keys[_VILLAGE], keys[_COMMUNITY]
    k_income, k_wealth = keys[_INCOME], keys[_WEALTH]
    k_risk, k_lit_a, k_lit_b = keys[_RISK], keys[_LITERACY_A], keys[_LITERACY_B]
    ncom = community_county.size
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    kind, village, community, county = kind[lo:hi], village[lo:hi], community[lo:hi], county[lo:hi]
    access, has_file, green_farm = access[lo:hi], has_file[lo:hi], green_farm[lo:hi]
    income, wealth, risk, literacy = income[lo:hi], wealth[lo:hi], risk[lo:hi], literacy[lo:hi]
    for j in range(hi - lo):
        i = lo + j
        rural = uniform(k_rural, i) < rural_share
        g = 1 if rural else 0
        if rural:
            kind[j] = LOW_INCOME if uniform(k_low, i) < low_income_share else FARM
            v = _search_right(cdf, guide, uniform64(k_village, i))
            village[j] = v
            community[j] = -1
            county[j] = village_county[v]
        else:
            kind[j] = URBAN
            c = min(int(uniform64(k_community, i) * ncom), ncom - 1)
            village[j] = -1
            community[j] = c
            county[j] = community_county[c]
        access[j] = np.float64(uniform(k_access, i)) < access_2015[g] and kind[j] != LOW_INCOME
        has_file[j] = np.float64(uniform(k_file, i)) < file_rate_2015[g]
        green_farm[j] = rural and uniform(k_green, i) < green_farm_share
        f_income = np.exp(lognormal[0, 0] + lognormal[0, 1] * normal_quantile(uniform64(k_income, i)))
        income[j] = np.float32(base_income[kind[j]] * f_income)
        f_wealth = np.exp(lognormal[1, 0] + lognormal[1, 1] * normal_quantile(uniform64(k_wealth, i)))
        wealth[j] = np.float32(np.float64(income[j]) * f_wealth)
        risk[j] = np.float32(np.exp(lognormal[2, 0] + lognormal[2, 1] * normal_quantile(uniform64(k_risk, i))))
        x, y = gamma(k_lit_a, i, lit_a[g]), gamma(k_lit_b, i, lit_b[g])
        literacy[j] = np.float32(x / (x + y))


@njit(cache=True, nogil=True)
def _drawn_among(lo, hi, among, key, p, out):
    """``out = among & (uniform(key, row) < p)`` for rows ``lo`` to ``hi`` (the draw compared in float64)."""
    among, out = among[lo:hi], out[lo:hi]  # the block's rows as views, indexed from 0 (why: sim.parallel)
    for j in range(hi - lo):
        out[j] = among[j] and np.float64(uniform(key, lo + j)) < p


def loan_size(mean: float, sigma: float, u: np.ndarray) -> np.ndarray:
    """Lognormal loan sizes with the given mean, from uniform draws (so the stream stays aligned)."""
    from scipy.special import ndtri

    z = ndtri(np.clip(u, 1e-6, 1 - 1e-6))
    return np.exp(np.log(mean) - sigma**2 / 2 + sigma * z).astype("f4")


def _first_loans(cfg: SimConf, hh: Households, key_borrows: np.uint64, key_size: np.uint64) -> None:
    """A first loan book for the spin-up to start from: secured loans at the declared borrowing shares.

    Small credit on lines, defaults and write-offs are left to the spin-up of 2015 practice.
    """
    u, lb = cfg.uncertainties, cfg.uncertainties.loan_book
    share, mean = np.empty(3), np.empty(3)  # by kind
    share[FARM], share[LOW_INCOME], share[URBAN] = (lb.farm_borrower_share, lb.low_income_borrower_share,
                                                    lb.urban_borrower_share)
    mean[FARM], mean[LOW_INCOME], mean[URBAN] = u.farm_loan_size_mean, u.low_income_loan_size, u.urban_loan_size_mean
    rows = concatenated(over_blocks(_first_borrowers, hh.n, hh.kind, hh.active, key_borrows, key_size, share,
                                    int(u.term_farm_months), int(u.term_small_credit_months), hh.product,
                                    hh.months_left))[0]
    # sizes only for the borrowers (the column starts at zero): the quantile and exp are elementwise
    size_draw = uniforms(np.array([key_size]), rows)[0]
    hh.loan[rows] = loan_size(1.0, u.loan_size_sigma, size_draw) * mean[hh.kind[rows]]


@njit(cache=True, nogil=True)
def _first_borrowers(lo, hi, kind, active, key_borrows, key_size, share, term_farm, term_other, product,
                     months_left):
    """Which active rows among ``lo`` to ``hi`` borrow (their draw below ``share[kind]``, in float64).

    Fills ``product`` and ``months_left`` (zero for the others; a farm loan runs ``term_farm`` months,
    an urban one ``term_other``, less the part its size draw says has run) and returns the borrowers' rows.
    """
    rows = np.empty(hi - lo, np.int64)
    k = 0
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    kind, active, product, months_left = kind[lo:hi], active[lo:hi], product[lo:hi], months_left[lo:hi]
    for j in range(hi - lo):
        i = lo + j
        if active[j] and np.float64(uniform(key_borrows, i)) < share[kind[j]]:
            urban = kind[j] == URBAN
            product[j] = URBAN_LOAN if urban else FARM_LOAN
            term = term_other if urban else term_farm
            months_left[j] = 1 + int(np.float64(uniform(key_size, i)) * np.float64(term))
            rows[k] = i
            k += 1
        else:
            product[j] = NO_LOAN
            months_left[j] = 0
    return (rows[:k].copy(),)


def enterprise_capacity(cfg: SimConf) -> tuple[int, int]:
    """Enterprise rows at end-2015 and at the end of the run."""
    pop = cfg.population
    n0 = round(pop.enterprises_2015 / pop.weight)
    n_end = int(np.ceil(n0 * (1 + pop.enterprise_growth) ** (cfg.months / 12))) + 1
    return n0, n_end


# An enterprise row's build draws, one key each: draw j of row i comes from keys[j] (Streams.build_keys).
ENTERPRISE_DRAWS = 10
(_COOP, _FIRM, _COUNTY, _ENT_VILLAGE, _ENT_BORROWS, _ENT_LOAN_SIZE, _MONTHS_LEFT, _GREEN, _ENT_RISK,
 _ENT_DIGITAL) = range(ENTERPRISE_DRAWS)


def build_enterprises(cfg: SimConf, places: Places, keys: np.ndarray) -> Enterprises:
    """Firms, individual businesses and cooperatives with a first loan book for the spin-up.

    Each row's draws are a function of (seed, row) (``keys``: :data:`ENTERPRISE_DRAWS` of them), made in a pass
    over blocks of rows.
    """
    pop, lb, u = cfg.population, cfg.uncertainties.loan_book, cfg.uncertainties
    n0, n = enterprise_capacity(cfg)
    active = np.arange(n) < n0
    ent = Enterprises(n, active=active, **{name: np.empty(n, dtype) for name, dtype in Enterprises.schema().items()
                                           if name in _ENT_DRAWN})
    county_cdf = np.cumsum(np.asarray(pop.county_shares) / np.sum(pop.county_shares))
    county_cdf /= county_cdf[-1]
    share, mean = np.empty(3), np.empty(3)  # by kind
    share[FIRM], share[INDIVIDUAL_BUSINESS], share[COOPERATIVE] = (
        lb.firm_borrower_share, lb.individual_business_borrower_share, lb.cooperative_borrower_share)
    mean[FIRM], mean[INDIVIDUAL_BUSINESS], mean[COOPERATIVE] = (
        u.firm_loan_mean, u.individual_business_loan_mean, u.cooperative_loan_mean)
    rows = concatenated(over_blocks(
        _enterprise_rows, n, keys, F32(pop.cooperatives / pop.enterprises_2015), F32(pop.firm_share), county_cdf,
        _guide(county_cdf), places.village_size.size, share, F32(u.term_enterprise_months),
        np.array([pop.green_eligible_share_firm, pop.green_eligible_share_cooperative]),
        np.array([-u.risk_sigma**2 / 2, u.risk_sigma]), pop.enterprise_digital_2015, ent.active, ent.kind,
        ent.county, ent.village, ent.product, ent.months_left, ent.green_eligible, ent.risk, ent.digital))[0]
    # sizes only for the borrowers (the column starts at zero): the quantile and exp are elementwise
    size_draw = uniforms(keys[_ENT_LOAN_SIZE:_ENT_LOAN_SIZE + 1], rows)[0]
    ent.loan[rows] = loan_size(1.0, u.enterprise_loan_sigma, size_draw) * mean[ent.kind[rows]]
    return ent


# the columns the enterprises' draws fill
_ENT_DRAWN = ("kind", "county", "village", "product", "months_left", "green_eligible", "risk", "digital")


@njit(cache=True, nogil=True)
def _enterprise_rows(lo, hi, keys, coop_share, firm_share, county_cdf, county_guide, n_villages, share, term,
                     green_share, risk_lognormal, digital_2015, active, kind, county, village, product, months_left,
                     green_eligible, risk, digital):
    """Rows ``lo`` to ``hi`` of the enterprises' drawn columns, each row from its own draws (written in place).

    A row is a cooperative if its draw is below ``coop_share``, else a firm below ``firm_share``, else an
    individual business (float32); its county follows ``county_cdf``; a cooperative sits in a village drawn
    uniformly. An active row borrows (a secured loan) if its draw is below ``share[kind]``, with ``1 + draw x
    term`` months left (float32). Green eligibility follows the ``[firm, cooperative]`` shares, risk is
    lognormal (``risk_lognormal``: log-mean and log-sd), the platform the 2015 share. Returns the borrowers.
    """
    k_coop, k_firm, k_county, k_village = keys[_COOP], keys[_FIRM], keys[_COUNTY], keys[_ENT_VILLAGE]
    k_borrows, k_months, k_green = keys[_ENT_BORROWS], keys[_MONTHS_LEFT], keys[_GREEN]
    k_risk, k_digital = keys[_ENT_RISK], keys[_ENT_DIGITAL]
    rows = np.empty(hi - lo, np.int64)
    m = 0
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    active, kind, county, village = active[lo:hi], kind[lo:hi], county[lo:hi], village[lo:hi]
    product, months_left, green_eligible = product[lo:hi], months_left[lo:hi], green_eligible[lo:hi]
    risk, digital = risk[lo:hi], digital[lo:hi]
    for j in range(hi - lo):
        i = lo + j
        coop = uniform(k_coop, i) < coop_share
        k = COOPERATIVE if coop else (FIRM if uniform(k_firm, i) < firm_share else INDIVIDUAL_BUSINESS)
        kind[j] = k
        county[j] = _search_right(county_cdf, county_guide, uniform64(k_county, i))
        village[j] = min(int(uniform64(k_village, i) * n_villages), n_villages - 1) if coop else -1
        if active[j] and np.float64(uniform(k_borrows, i)) < share[k]:
            product[j] = SECURED
            months_left[j] = 1 + np.int16(uniform(k_months, i) * term)
            rows[m] = i
            m += 1
        else:
            product[j] = 0
            months_left[j] = 0
        green_eligible[j] = np.float64(uniform(k_green, i)) < green_share[1 if coop else 0]
        risk[j] = np.float32(np.exp(risk_lognormal[0] + risk_lognormal[1] * normal_quantile(uniform64(k_risk, i))))
        digital[j] = np.float64(uniform(k_digital, i)) < digital_2015
    return (rows[:m].copy(),)


def column_names(cls: type[Columns]) -> tuple[str, ...]:
    """The column names of a store class (for agent views)."""
    return tuple(name for name, _ in cls._dtypes)
