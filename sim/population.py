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


class Columns:
    """A set of equally long NumPy columns; subclasses declare them in ``_dtypes``."""

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
        ("lectured", "?"),
    )


class Enterprises(Columns):
    """One row per ``weight`` firms, individual businesses or cooperatives."""

    _dtypes = (
        ("kind", "i1"), ("county", "i1"), ("village", "i4"), ("active", "?"), ("digital", "?"),
        ("rated", "?"), ("risk", "f4"), ("history", "i1"), ("green_eligible", "?"), ("loan", "f4"),
        ("product", "i1"), ("green", "?"), ("months_left", "i2"), ("npl", "?"), ("npl_months", "i2"),
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


def build_households(cfg: SimConf, places: Places, rng: np.random.Generator) -> Households:
    """Households with kind, place, income, wealth, risk, literacy, digital access, files and a first loan book.

    Ratings and lines of end-2015 come from the whole-village campaigns before 2016, decided by the bank's
    assessment like every later rating (:func:`sim.behaviour.credit.assess`), in :class:`sim.world.World`.
    """
    pop, u = cfg.population, cfg.uncertainties
    n0, n = household_capacity(cfg)
    draws = rng.random((8, n), dtype=np.float32)
    # rural households live in villages in proportion to village size
    p_village = places.village_size / places.village_size.sum()
    village_draw = choice(rng, p_village, n)
    community_draw = rng.integers(0, places.community_county.size, size=n)
    # [urban, rural]: literacy's mean; the beta's parameters go to every row for the draw below
    lit_mean = (min(1.0, pop.literacy_mean * pop.literacy_urban_factor), pop.literacy_mean * pop.literacy_rural_factor)
    a = pop.literacy_concentration
    kind, village, community, county, digital_access, has_file, green_farm, lit_a, lit_b = _household_columns(
        draws, village_draw, community_draw, places.village_county, places.community_county,
        F32(pop.rural_share), F32(pop.low_income_share_rural), F32(pop.green_farm_share),
        np.array([pop.digital_access_urban_2015, pop.digital_access_rural_2015], dtype=np.float64),
        np.array([pop.file_rate_urban_2015, pop.file_rate_rural_2015], dtype=np.float64),
        np.array([a * m for m in lit_mean]), np.array([a * (1 - m) for m in lit_mean]))
    del village_draw, community_draw  # 40 MB at full scale, freed before the next draws
    base_income = np.empty(3)  # by kind
    base_income[FARM] = pop.income_rural_2015
    base_income[LOW_INCOME] = pop.income_rural_2015 * pop.low_income_income_factor
    base_income[URBAN] = pop.income_rural_2015 * pop.urban_rural_income_ratio
    income = _scaled(base_income, kind, _lognormal_with_mean(rng, 1.0, pop.income_sigma, n))
    wealth = _scaled(income, None, _lognormal_with_mean(rng, pop.wealth_income_ratio, pop.wealth_sigma, n))
    # a household's own propensity to fall behind, beyond what its income and debt explain
    risk = _lognormal_with_mean(rng, 1.0, u.risk_sigma, n).astype("f4")
    literacy = rng.beta(lit_a, lit_b).astype("f4")
    del lit_a, lit_b
    trust = np.full(n, pop.trust_2015, dtype="f4")
    digital = digital_access & (draws[3] < pop.digital_customers_2015 / np.mean(digital_access))
    active = np.zeros(n, bool)
    active[:n0] = True
    hh = Households(n, kind=kind, county=county, village=village, community=community,
                    active=active, income=income, wealth=wealth, risk=risk, green_farm=green_farm,
                    literacy=literacy, trust=trust, digital_access=digital_access, digital=digital,
                    has_file=has_file)
    _first_loans(cfg, hh, draws[6], draws[7])
    # households that form after 2015 start with no file, rating, line, loan or platform account
    hh.has_file[n0:] = hh.digital[n0:] = False
    return hh


def choice(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """``rng.choice(p.size, size=n, p=p)``: the same draws and the same indices, found in a guide table.

    NumPy's ``choice`` searches each uniform in the cumulative probabilities by bisection, which dominates the
    build at full scale (2.5 million rows into 5,000 villages); a guide table finds the same index in a step
    or two. ``tests/test_population.py`` pins the two to each other.
    """
    p = np.asarray(p, dtype=np.float64)
    if p.ndim != 1 or p.size == 0 or (p < 0).any() or not np.isclose(p.sum(), 1.0):
        raise ValueError("choice: p must be a non-empty 1-D array of probabilities summing to 1")
    cdf = p.cumsum()
    cdf /= cdf[-1]
    return _search_right(cdf, rng.random(n))


@njit(cache=True, nogil=True)
def _search_right(cdf, uniforms):
    """``np.searchsorted(cdf, u, side="right")`` for many ``uniforms`` in [0, 1), through a guide table.

    ``guide[b]`` is the first index whose ``cdf`` exceeds ``b / k``; a uniform in bucket ``b`` starts there and
    steps right to the first ``cdf`` above it (the table has four buckets per index, so a step or two).
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
    out = np.empty(uniforms.size, np.int64)
    for i in range(uniforms.size):
        x = uniforms[i]
        j = guide[int(x * k)]
        while j < m and cdf[j] <= x:
            j += 1
        out[i] = j
    return out


@njit(cache=True, nogil=True)
def _household_columns(draws, village_draw, community_draw, village_county, community_county, rural_share,
                       low_income_share, green_farm_share, access_2015, file_rate_2015, lit_a, lit_b):
    """The households' columns that follow from the build's uniforms, row by row.

    ``draws`` rows 0, 1 and 5 are compared in float32 with the float32 shares; rows 2 and 4 in float64
    with the ``[urban, rural]`` rates; ``village_draw`` and ``community_draw`` are the place draws of every
    row, used by rural and urban rows respectively.

    Returns:
        kind, village, community, county, digital access, file, green farm, and the literacy beta's two
        parameters (float64) per row.
    """
    n = draws.shape[1]
    kind = np.empty(n, np.int8)
    village = np.empty(n, np.int32)
    community = np.empty(n, np.int16)
    county = np.empty(n, np.int8)
    access = np.empty(n, np.bool_)
    has_file = np.empty(n, np.bool_)
    green_farm = np.empty(n, np.bool_)
    a = np.empty(n)
    b = np.empty(n)
    for i in range(n):
        rural = draws[0, i] < rural_share
        g = 1 if rural else 0
        if rural:
            kind[i] = LOW_INCOME if draws[1, i] < low_income_share else FARM
            village[i] = village_draw[i]
            community[i] = -1
            county[i] = village_county[village_draw[i]]
        else:
            kind[i] = URBAN
            village[i] = -1
            community[i] = community_draw[i]
            county[i] = community_county[community_draw[i]]
        access[i] = np.float64(draws[2, i]) < access_2015[g] and kind[i] != LOW_INCOME
        has_file[i] = np.float64(draws[4, i]) < file_rate_2015[g]
        green_farm[i] = rural and draws[5, i] < green_farm_share
        a[i] = lit_a[g]
        b[i] = lit_b[g]
    return kind, village, community, county, access, has_file, green_farm, a, b


@njit(cache=True, nogil=True)
def _scaled(scale, index, factor):
    """``scale[index] x factor`` per row (``scale x factor`` if ``index`` is None), in float64, rounded to float32.

    One pass instead of NumPy's gather, product and conversion, each a full-length array.
    """
    out = np.empty(factor.size, np.float32)
    for i in range(factor.size):
        s = scale[i] if index is None else scale[index[i]]
        out[i] = np.float32(np.float64(s) * factor[i])
    return out


def loan_size(mean: float, sigma: float, u: np.ndarray) -> np.ndarray:
    """Lognormal loan sizes with the given mean, from uniform draws (so the stream stays aligned)."""
    from scipy.special import ndtri

    z = ndtri(np.clip(u, 1e-6, 1 - 1e-6))
    return np.exp(np.log(mean) - sigma**2 / 2 + sigma * z).astype("f4")


def _first_loans(cfg: SimConf, hh: Households, draw: np.ndarray, size_draw: np.ndarray) -> None:
    """A first loan book for the spin-up to start from: secured loans at the declared borrowing shares.

    Small credit on lines, defaults and write-offs are left to the spin-up of 2015 practice.
    """
    u, lb = cfg.uncertainties, cfg.uncertainties.loan_book
    share, mean = np.empty(3), np.empty(3)  # by kind
    share[FARM], share[LOW_INCOME], share[URBAN] = (lb.farm_borrower_share, lb.low_income_borrower_share,
                                                    lb.urban_borrower_share)
    mean[FARM], mean[LOW_INCOME], mean[URBAN] = u.farm_loan_size_mean, u.low_income_loan_size, u.urban_loan_size_mean
    rows = _first_borrowers(hh.kind, hh.active, draw, size_draw, share, int(u.term_farm_months),
                            int(u.term_small_credit_months), hh.product, hh.months_left)
    # sizes only for the borrowers (the column starts at zero): the quantile and exp are elementwise
    hh.loan[rows] = loan_size(1.0, u.loan_size_sigma, size_draw[rows]) * mean[hh.kind[rows]]


@njit(cache=True, nogil=True)
def _first_borrowers(kind, active, draw, size_draw, share, term_farm, term_other, product, months_left):
    """Which active rows borrow (``draw < share[kind]``, in float64), their product and months left.

    Fills ``product`` and ``months_left`` (zero for the others; a farm loan runs ``term_farm`` months,
    an urban one ``term_other``) and returns the borrowers' rows.
    """
    rows = np.empty(kind.size, np.int64)
    k = 0
    for i in range(kind.size):
        if active[i] and np.float64(draw[i]) < share[kind[i]]:
            urban = kind[i] == URBAN
            product[i] = URBAN_LOAN if urban else FARM_LOAN
            term = term_other if urban else term_farm
            months_left[i] = 1 + int(np.float64(size_draw[i]) * np.float64(term))
            rows[k] = i
            k += 1
        else:
            product[i] = NO_LOAN
            months_left[i] = 0
    return rows[:k]


def enterprise_capacity(cfg: SimConf) -> tuple[int, int]:
    """Enterprise rows at end-2015 and at the end of the run."""
    pop = cfg.population
    n0 = round(pop.enterprises_2015 / pop.weight)
    n_end = int(np.ceil(n0 * (1 + pop.enterprise_growth) ** (cfg.months / 12))) + 1
    return n0, n_end


def build_enterprises(cfg: SimConf, places: Places, rng: np.random.Generator) -> Enterprises:
    """Firms, individual businesses and cooperatives with a first loan book for the spin-up."""
    pop, lb, u = cfg.population, cfg.uncertainties.loan_book, cfg.uncertainties
    n0, n = enterprise_capacity(cfg)
    d = rng.random((6, n), dtype=np.float32)
    coop_share = pop.cooperatives / pop.enterprises_2015
    kind = np.where(d[0] < coop_share, COOPERATIVE,
                    np.where(d[1] < pop.firm_share, FIRM, INDIVIDUAL_BUSINESS)).astype("i1")
    shares = np.asarray(pop.county_shares) / np.sum(pop.county_shares)
    county = rng.choice(9, size=n, p=shares).astype("i1")
    village = np.where(kind == COOPERATIVE, rng.integers(0, places.village_size.size, n), -1).astype("i4")
    active = np.arange(n) < n0
    share = np.select([kind == FIRM, kind == INDIVIDUAL_BUSINESS],
                      [lb.firm_borrower_share, lb.individual_business_borrower_share], lb.cooperative_borrower_share)
    borrower = active & (d[2] < share)
    mean = np.select([kind == FIRM, kind == INDIVIDUAL_BUSINESS],
                     [u.firm_loan_mean, u.individual_business_loan_mean], u.cooperative_loan_mean)
    loan = np.where(borrower, loan_size(1.0, u.enterprise_loan_sigma, d[3]) * mean, 0).astype("f4")
    product = np.where(borrower, SECURED, 0).astype("i1")
    months_left = np.where(borrower, 1 + (d[5] * u.term_enterprise_months).astype("i2"), 0).astype("i2")
    green_eligible = rng.random(n) < np.where(kind == COOPERATIVE, pop.green_eligible_share_cooperative,
                                              pop.green_eligible_share_firm)
    risk = _lognormal_with_mean(rng, 1.0, u.risk_sigma, n).astype("f4")
    digital = rng.random(n) < pop.enterprise_digital_2015
    return Enterprises(n, kind=kind, county=county, village=village, active=active, digital=digital,
                       risk=risk, green_eligible=green_eligible, loan=loan, product=product,
                       months_left=months_left)


def column_names(cls: type[Columns]) -> tuple[str, ...]:
    """The column names of a store class (for agent views)."""
    return tuple(name for name, _ in cls._dtypes)
