"""The world the levers act on and the behaviour rules change: places, households, enterprises, grids.

:class:`World` owns the column stores (:mod:`sim.population`), the villages and communities, account
managers' grids (一人一格), access to service points, the run's random streams and the running tallies
(money flows, activities) that the goals measure. It knows nothing of levers or goals.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import json

import numba
import numpy as np

from sim.agents import Staff
from sim.bank import Bank
from sim.calendar import monthly_growth
from sim.config import SimConf
from sim.parallel import concatenated, over_blocks, side_by_side, summed
from sim.population import (
    COOPERATIVE,
    ENTERPRISE_DRAWS,
    HOUSEHOLD_DRAWS,
    LOW_INCOME,
    NO_LOAN,
    URBAN,
    build_enterprises,
    build_households,
    build_places,
    enterprise_capacity,
    household_capacity,
    index_dtype,
)
from sim.streams import Streams, fill_uniforms, uniforms

# At a coarse weight a manager's grid would hold only a few rows and whole-row rounding would waste visits;
# there several managers share a grid of at least this many rows (a numerical resolution, not behaviour).
MIN_ROWS_PER_GRID = 50
BUILD_MONTH = 9_999  # the random streams' key for what happened before the spin-up (campaigns before 2016)


class SpunUp:
    """This process's last world after the spin-up, kept for the next model with the same world to 2015.

    The spin-up does not depend on the programme, so an experiment's worker that runs several scenarios of one
    seed builds and spins up the world once. Off by default: a single run would only pay for the copy (a third
    of a second, and the world's memory again, at full scale). Experiments, :func:`sim.evaluate` and the
    workshop turn it on with :meth:`enable`.
    """

    enabled = False
    _key: str | None = None
    _value: tuple | None = None

    @classmethod
    def enable(cls, on: bool = True) -> None:
        """Keep spun-up worlds from now on (or stop, and drop the one kept)."""
        cls.enabled = on
        if not on:
            cls._key = cls._value = None

    @classmethod
    def get(cls, key: str) -> tuple | None:
        """What :meth:`keep` kept under ``key``, or None."""
        return cls._value if cls.enabled and cls._key == key else None

    @classmethod
    def keep(cls, key: str, make) -> None:
        """Keep ``make()`` (the world's copy and what goes with it) under ``key``, if enabled."""
        if cls.enabled:
            cls._key, cls._value = None, None  # the previous world is freed before the copy is made
            cls._key, cls._value = key, make()


class World:
    """Taizhou's places and people for one run, and their state month by month.

    Args:
        cfg: a validated config.
    """

    def __init__(self, cfg: SimConf):
        self.cfg = cfg
        self.pop, self.u = cfg.population, cfg.uncertainties
        self.months = cfg.months
        self.weight = float(cfg.population.weight)
        self.streams = Streams(cfg.seed)
        self.t = 0  # months done
        self.places = build_places(cfg, self.streams.places)
        self.households = build_households(cfg, self.places,
                                           self.streams.build_keys("population", HOUSEHOLD_DRAWS))
        self.enterprises = build_enterprises(cfg, self.places,
                                             self.streams.build_keys("enterprise_population", ENTERPRISE_DRAWS))
        hh = self.households
        # each household's fixed propensities (the same in every scenario: common random numbers), by row
        keys = self.streams.build_keys("latent", 6)
        self.latent_reach, self.latent_rate, self.latent_line, self.latent_housing, worker_draw = (
            self._row_draws(hh.n, key) for key in keys[:5])
        self.is_worker = (hh.kind == URBAN) & (worker_draw < cfg.population.worker_share_urban)
        self.ent_latent = self._row_draws(self.enterprises.n, keys[5])
        self._hh_rows = household_capacity(cfg)
        self._ent_rows = enterprise_capacity(cfg)
        self.index_villages()
        self._access = None
        self._rural_cum = _running_count(hh.kind != URBAN)  # rural rows among the first n
        self._coop_cum = _running_count(self.enterprises.kind == COOPERATIVE)
        self.refresh_active()
        self._build_grids()
        # each village's station capacity (the model keeps it from its Station agents; one station each here)
        self.station_capacity = np.where(self.places.village_station, self.u.station_capacity_tx, 0.0)
        county = self.grid_county[self.manager_grid].astype(np.intp)
        self.staff = Staff(county, np.full(county.size, self.pop.manager_hours_per_month), self.u, self.weight)
        self.income_index = 1.0
        self.reset_tallies()
        self._screen_first_book()
        self.last_groups = self.loan_groups()
        self.bank = Bank(cfg.bank, float(self.last_groups["hh_bal"].sum() + self.last_groups["ent_bal"].sum()),
                         self.u.loss_given_default)
        self._campaigns_before_2016()
        self.written_off_month = 0.0
        self.update_peers()

    @staticmethod
    def _row_draws(n: int, key: np.uint64) -> np.ndarray:
        """``uniform(key, row)`` for rows 0 to ``n`` (float32), on blocks of rows."""
        out = np.empty(n, np.float32)
        over_blocks(fill_uniforms, n, key, out)
        return out

    def _campaigns_before_2016(self) -> None:
        """Ratings and lines of end-2015: the whole-village campaigns made before 2016, decided as every later one."""
        from sim.behaviour.outreach import campaign
        from sim.policy import Policy

        self.streams.new_month(-BUILD_MONTH)
        villages = np.flatnonzero(self.places.village_campaigned)
        campaign(self, Policy(), villages)
        # households that form after 2015 have no file, rating or line yet
        n0 = self._hh_rows[0]
        hh = self.households
        hh.has_file[n0:] = hh.rated[n0:] = False
        hh.line[n0:] = 0

    def _screen_first_book(self) -> None:
        """The first loan book holds only loans the bank would have made: each is assessed as a new one."""
        from sim.behaviour.credit import assess, enterprise_pd, household_pd
        from sim.policy import Policy
        from sim.population import UNSECURED_PRODUCTS

        cutoff = self.u.approval_pd_cutoff
        hh, ent = self.households, self.enterprises
        keys = self.streams.build_keys("screening", 2)  # the assessment's draw of a household, of a firm
        rows = np.flatnonzero(hh.product != 0)
        z = uniforms(keys[:1], rows)[0]
        pd = household_pd(self, rows, hh.loan[rows], UNSECURED_PRODUCTS[hh.product[rows]])
        drop = rows[assess(self, Policy(), rows, pd, z) > cutoff]
        hh.product[drop], hh.loan[drop], hh.months_left[drop] = 0, 0, 0
        rows = np.flatnonzero(ent.product != 0)
        z = uniforms(keys[1:], rows)[0]
        drop = rows[assess(self, Policy(), rows, enterprise_pd(self, rows), z, "enterprises") > cutoff]
        ent.product[drop], ent.loan[drop], ent.months_left[drop] = 0, 0, 0

    @functools.cached_property
    def workers_by_keenness(self) -> np.ndarray:
        """The worker rows, the keenest on a card first (lowest ``latent_line``; ties by row), every row formed or not.

        Both are fixed at the build, so the order is sorted once, when the cards first need it: one key per row,
        the keenness's bits above the row's (a non-negative float's bits order as the float), sorted by NumPy's
        vectorised sort (10 ms for 650,000 workers, against 61 ms for a stable argsort of the floats).
        """
        rows = np.flatnonzero(self.is_worker)
        keen = self.latent_line[rows]
        assert keen.dtype == np.float32 and rows.size < 2**32 and not (keen < 0).any()
        key = np.sort((keen.view(np.uint32).astype(np.uint64) << np.uint64(32)) | rows.astype(np.uint64))
        return (key & np.uint64(0xFFFFFFFF)).astype(np.intp)

    def copy_for(self, cfg: SimConf) -> World:
        """A deep copy that reads ``cfg`` (equal in everything the world depends on) instead of its own config."""
        old = self.cfg
        memo = {id(old): cfg, id(old.population): cfg.population, id(old.uncertainties): cfg.uncertainties,
                id(old.bank): cfg.bank}
        return copy.deepcopy(self, memo)

    @staticmethod
    def spinup_key(cfg: SimConf) -> str:
        """A hash of what the world after the spin-up depends on.

        The seed, the population, behaviour and bank, and the levers' 2015 practice (their parameters other than
        the programme's intensity).
        """
        programme = ("enabled", "intensity", "scale", "moves")
        levers = {name: {k: v for k, v in dataclasses.asdict(conf).items() if k not in programme}
                  for name, conf in vars(cfg.levers).items()}
        blob = json.dumps([cfg.seed, cfg.months, cfg.spinup_months, dataclasses.asdict(cfg.population),
                           dataclasses.asdict(cfg.uncertainties), dataclasses.asdict(cfg.bank), levers],
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def reset_tallies(self) -> None:
        """Running tallies the goals read, from zero (at the start, and again after the spin-up)."""
        self.flows = dict.fromkeys(("written_off", "low_income_disbursed", "low_income_renewed", "hh_disbursed",
                                    "ent_disbursed", "unmet_need", "applications", "approved", "unprocessed",
                                    "hh_new_loans", "hh_defaults"), 0.0)
        self.flows_last_month: dict[str, float] = {}
        self.apps_by_year = np.zeros(5)
        self.lectures_held = 0
        self.ebank_by_month: list[float] = []
        self.grid_visits = np.zeros(self.n_grids)
        self.grid_files = np.zeros(self.n_grids)
        self.rationed_cum = 0.0
        self.credit_events: dict[str, np.ndarray] = {}  # this month's applications, approvals, defaults by row

    # ------------------------------------------------------------ villages
    def index_villages(self) -> None:
        """Rows by village (for lectures) and each household's place (its village, or its community)."""
        hh, nv = self.households, self.places.village_size.size
        self._access = None
        p = self.places
        self.village_remote = p.remote(self.pop.remote_km) & p.village_exists
        # new arrays, not the old ones rewritten: the breakdown by group sees a merger by the place array's identity
        self.hh_place = np.empty(hh.n, index_dtype(nv + p.community_county.size))
        self.visit_weight = np.empty(hh.n, np.float32)
        # the rows by village, each row's place and priority, and the low-income rows by village read what none of
        # the others writes: side by side
        (self.village_rows, self.village_ptr), _, low_income = side_by_side(
            lambda: _rows_by_village(hh.village, nv),
            lambda: over_blocks(_place_columns, hh.n, hh.village, hh.community, hh.kind, self.village_remote,
                                float(self.u.visit_priority_remote), float(self.u.visit_priority_low_income),
                                self.hh_place, self.visit_weight),
            lambda: np.bincount(hh.village[(hh.kind == LOW_INCOME) & (hh.village >= 0)], minlength=nv))
        self.village_low_income_share = low_income / np.maximum(1, np.diff(self.village_ptr))

    def rows_of_villages(self, villages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The formed rows of ``villages`` (distinct), village after village, and how many each village has.

        A gather from the rows grouped by village (``village_rows``, ascending within a village), not a pass over
        every row; the formed rows are a prefix of all rows, so a village's formed rows are those below
        ``n_active_rows``.
        """
        start, length = self.village_ptr[villages], np.diff(self.village_ptr)[villages]
        within = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)  # a row's place in its village
        rows = self.village_rows[np.repeat(start, length) + within]
        formed = rows < self.n_active_rows
        sizes = np.bincount(np.repeat(np.arange(villages.size), length)[formed], minlength=villages.size)
        return rows[formed], sizes

    def merge_villages(self, n_merge: int) -> np.ndarray:
        """Administrative villages merge (Zhejiang, 2017): the ``n_merge`` smallest join a neighbour.

        Each small village joins another village of its county (drawn with the merger stream); the merged
        village keeps every service point, campaign and resident of both. Returns the absorbed villages.
        """
        p, hh = self.places, self.households
        live = np.flatnonzero(p.village_exists & ~p.village_branch)
        small = live[np.argsort(p.village_size[live], kind="stable")[:max(0, n_merge)]]
        rng = self.streams.month("merger")
        keep = np.setdiff1d(np.flatnonzero(p.village_exists), small)
        into = np.empty(small.size, np.intp)
        for c in np.unique(p.village_county[small]).tolist():  # nine counties, not households
            mine = small[p.village_county[small] == c]
            pool = keep[p.village_county[keep] == c]
            into[np.isin(small, mine)] = pool[rng.integers(0, pool.size, mine.size)]
        np.add.at(p.village_size, into, p.village_size[small])
        for flag in (p.village_station, p.village_device, p.village_campaigned, p.village_island):
            np.logical_or.at(flag, into, flag[small])
        p.village_distance[into] = np.minimum(p.village_distance[into], p.village_distance[small])
        p.village_size[small] = 0
        p.village_exists[small] = False
        p.village_station[small] = p.village_device[small] = False
        target = np.arange(p.village_size.size)
        target[small] = into
        self.merged_into = target
        # every row's village through the map in one gather, without masks: -1 (urban) indexes the appended -1
        into_or_urban = np.append(target, -1).astype(hh.village.dtype)
        hh.village[:] = into_or_urban[hh.village]
        ent = self.enterprises
        ent.village[:] = into_or_urban[ent.village]
        self.index_villages()
        return small

    # ------------------------------------------------------------ neighbours
    def update_peers(self) -> None:
        """Share of households with a loan and share of platform users in each village and community."""
        hh, n = self.households, self.n_active_rows
        n_places = self.places.village_size.size + self.places.community_county.size
        people, borrowers, users = summed(over_blocks(_peer_pass, n, self.hh_place, hh.product, hh.digital, n_places))
        self.place_households = np.maximum(1, people)
        self.place_borrower_share = borrowers / self.place_households
        self.place_digital_share = users / self.place_households

    # ------------------------------------------------------------ grids (一人一格)
    def _build_grids(self) -> None:
        """Households ordered by county and place, cut into one grid per account manager (or shared grids)."""
        hh, p = self.households, self.places
        order = _place_order(self.hh_place, _place_ranks(p.village_county, p.community_county))
        self.n_managers = int(self.pop.account_managers)
        self.n_grids = int(min(self.n_managers, max(1, hh.n // MIN_ROWS_PER_GRID)))
        self.grid_of = np.empty(hh.n, index_dtype(self.n_grids))
        _cut_into_grids(order, self.n_grids, self.grid_of)
        self.manager_grid = (np.arange(self.n_managers) * self.n_grids // self.n_managers).astype(np.int32)
        self.managers_per_grid = np.bincount(self.manager_grid, minlength=self.n_grids).astype(np.float64)
        self.grid_county = np.zeros(self.n_grids, np.int8)
        self.grid_county[self.grid_of] = hh.county
        self.managers_working = float(self.n_managers)
        self.refresh_grids()

    def refresh_grids(self) -> None:
        """Rows per grid among the households formed so far (only the rows formed since last time are counted)."""
        counted = getattr(self, "_grid_counted", 0)
        if counted == 0:
            self.grid_households = np.zeros(self.n_grids, np.int64)
        if self.n_active_rows > counted:
            self.grid_households += np.bincount(self.grid_of[counted: self.n_active_rows], minlength=self.n_grids)
            self._grid_counted = self.n_active_rows

    # ------------------------------------------------------------ demography
    def refresh_active(self) -> None:
        """Form this month's households and enterprises.

        Rows form in index order: the active ones are a prefix (``n_active_rows``, ``n_active_ent``), which
        lets the rules work on slices instead of masks.
        """
        n0, _ = self._hh_rows
        t = max(self.t, 0)  # the spin-up before 2016 holds the end-2015 population
        target = round(n0 * monthly_growth(self.pop.household_growth) ** t)
        self.n_active_rows = min(target, self.households.n)
        self.households.active[: self.n_active_rows] = True
        e0, _ = self._ent_rows
        etarget = round(e0 * monthly_growth(self.pop.enterprise_growth) ** t)
        self.n_active_ent = min(etarget, self.enterprises.n)
        self.enterprises.active[: self.n_active_ent] = True

    def grow_incomes(self) -> None:
        """A month of nominal income growth."""
        g = monthly_growth(self.pop.income_growth)
        self.income_index *= g
        self.households.income *= np.float32(g)

    def rural_active(self) -> float:
        """Real farm and low-income farm households formed so far."""
        return float(self._rural_cum[self.n_active_rows]) * self.weight

    def cooperatives_active(self) -> float:
        """Real cooperatives and agricultural firms formed so far."""
        return float(self._coop_cum[self.n_active_ent]) * self.weight

    # ------------------------------------------------------------ access to service points
    def access_changed(self) -> None:
        """Outlets opened: access is recomputed once, when next read."""
        self._access = None

    def place_access(self) -> tuple[np.ndarray, np.ndarray]:
        """For every village and community: whether it has a service point, and the distance (km) to one."""
        if self._access is None:
            p, pop = self.places, self.pop
            in_village = p.village_station | p.village_device
            served = np.concatenate([p.village_served, p.community_covered])
            dist = np.concatenate([
                np.where(in_village, np.float32(pop.distance_in_village_km), p.village_distance),
                np.where(p.community_covered, pop.distance_community_outlet_km, pop.distance_community_other_km),
            ]).astype(np.float32)
            self._access = (served, dist)
        return self._access

    def access(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether the households ``rows`` have a service point in their place, and their distance (km) to one."""
        served, dist = self.place_access()
        place = self.hh_place[rows]
        return served[place], dist[place]

    # ------------------------------------------------------------ the loan book
    def loan_groups(self) -> dict[str, np.ndarray]:
        """Loan balances (real CNY) and borrower counts (real units) by product, kind, green, NPL and size.

        Households: arrays shaped (7 products, 3 kinds, 2 green, 2 npl, 2 over the small-credit cap);
        enterprises: (4, 3, 2, 2, 2). One pass over the loan rows instead of one masked sum per figure.
        """
        from sim.goals import SMALL_CREDIT_CAP_CNY

        out = {}
        for name, store, n_products in (("hh", self.households, 7), ("ent", self.enterprises, 4)):
            parts = over_blocks(_loan_pass, store.product.size, store.product, store.kind, store.green, store.npl,
                                store.loan, np.float32(SMALL_CREDIT_CAP_CNY), n_products)
            rows, bal, count = concatenated([b[:1] for b in parts])[0], *summed([b[1:] for b in parts])
            # the borrowers: the breakdown by group reads them, and the next month's loans start from them
            # (sim.behaviour.credit.loan_lifecycle: no rule before it opens or closes a loan)
            setattr(self, f"{name}_loan_rows", rows)
            shape = (n_products, 3, 2, 2, 2)
            out[name + "_bal"] = (bal * self.weight).reshape(shape)
            out[name + "_n"] = (count * self.weight).reshape(shape)
        return out


@numba.njit(cache=True, nogil=True)
def _cut_into_grids(order, n_grids, grid_of):
    """Each row's grid into ``grid_of``: the rows in ``order`` cut in ``n_grids`` equal runs (``j * n_grids // n``)."""
    n = order.size
    for j in range(n):
        grid_of[order[j]] = (j * n_grids) // n


def _running_count(flag: np.ndarray) -> np.ndarray:
    """How many of the first ``n`` rows are flagged, for ``n`` from 0 to every row (int32: one pass, no copy)."""
    count = np.zeros(flag.size + 1, np.int32)
    np.cumsum(flag, dtype=np.int32, out=count[1:])
    return count


@numba.njit(cache=True, nogil=True)
def _place_columns(lo, hi, village, community, kind, village_remote, remote_priority, low_income_priority,
                   place, visit_weight):
    """Each row's place and visit priority, for rows ``lo`` to ``hi`` (written into ``place``, ``visit_weight``).

    A rural row's place is its village, an urban row's the villages' count plus its community. Its priority,
    how much more the managers seek it out before whether it borrows (the plan's priorities), is
    1 + ``remote_priority`` in a remote village + ``low_income_priority`` if low-income, added in float64 in
    that order and rounded to float32.
    """
    nv = village_remote.size
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    village, community, kind = village[lo:hi], community[lo:hi], kind[lo:hi]
    place, visit_weight = place[lo:hi], visit_weight[lo:hi]
    for i in range(hi - lo):
        v = village[i]
        remote = False
        if v >= 0:
            place[i] = v
            remote = village_remote[v]
        else:
            place[i] = nv + community[i]
        weight = 1.0 + (remote_priority if remote else 0.0)
        visit_weight[i] = np.float32(weight + (low_income_priority if kind[i] == LOW_INCOME else 0.0))


@numba.njit(cache=True, nogil=True)
def _peer_pass(lo, hi, place, product, digital, n_places):
    """Rows, borrowing rows and platform users per place, in one pass over the rows ``lo`` to ``hi``.

    Args:
        lo: the first row.
        hi: the row after the last.
        place: each row's village or community.
        product: each row's loan product (``NO_LOAN``: none).
        digital: whether each row uses the platform.
        n_places: villages and communities.

    Returns:
        Three int64 counts per place: rows, borrowers, users.
    """
    people = np.zeros(n_places, np.int64)
    borrowers = np.zeros(n_places, np.int64)
    users = np.zeros(n_places, np.int64)
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    place, product, digital = place[lo:hi], product[lo:hi], digital[lo:hi]
    for i in range(hi - lo):
        p = place[i]
        people[p] += 1
        borrowers[p] += np.int64(product[i] != NO_LOAN)
        users[p] += np.int64(digital[i])
    return people, borrowers, users


@numba.njit(cache=True, nogil=True)
def _loan_pass(lo, hi, product, kind, green, npl, loan, small_cap, n_products):
    """The borrowers among rows ``lo`` to ``hi`` and their balance and number by product, kind, green, NPL and size.

    The code of a borrower is ``product * 24 + kind * 8 + green * 4 + npl * 2 + (loan > small_cap)`` (the
    comparison in float32); balances are float64 sums in row order, as ``np.bincount`` adds them.

    Args:
        lo: the first row.
        hi: the row after the last.
        product: every row's loan product (0: none).
        kind: every row's kind (0-2).
        green: whether each row's loan is green.
        npl: whether each row's loan is non-performing.
        loan: every row's balance (float32).
        small_cap: the small-credit cap (float32).
        n_products: the number of products (the codes run to ``n_products * 24``).

    Returns:
        The borrowers' rows (int64, ascending), the balance and the number of borrowers by code.
    """
    n_borrowers = 0
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    product, kind, green, npl, loan = product[lo:hi], kind[lo:hi], green[lo:hi], npl[lo:hi], loan[lo:hi]
    for i in range(hi - lo):
        n_borrowers += np.int64(product[i] != 0)
    # every row is written and only a borrower advances the cursor: no branch to mispredict (a tenth borrow)
    rows = np.empty(n_borrowers + 1, np.int64)
    k = 0
    for i in range(hi - lo):
        rows[k] = i
        k += np.int64(product[i] != 0)
    rows = rows[:n_borrowers]
    bal = np.zeros(n_products * 24)
    count = np.zeros(n_products * 24, np.int64)
    for i in rows:
        code = (np.int64(product[i]) * 24 + np.int64(kind[i]) * 8 + np.int64(green[i]) * 4
                + np.int64(npl[i]) * 2 + np.int64(loan[i] > small_cap))
        bal[code] += np.float64(loan[i])
        count[code] += 1
    return rows + lo, bal, count


@numba.njit(cache=True, nogil=True)
def _rows_by_village(village, n_villages):
    """Rural rows grouped by village, in row order within a village (a counting sort), and each village's start.

    The same as a stable argsort of the rural rows by village, in two passes instead of a sort.
    """
    ptr = np.zeros(n_villages + 1, np.int64)
    for i in range(village.size):
        if village[i] >= 0:
            ptr[village[i] + 1] += 1
    for v in range(n_villages):
        ptr[v + 1] += ptr[v]
    rows = np.empty(ptr[n_villages], np.int64)
    fill = ptr[:-1].copy()
    for i in range(village.size):
        v = village[i]
        if v >= 0:
            rows[fill[v]] = i
            fill[v] += 1
    return rows, ptr


def _place_ranks(village_county: np.ndarray, community_county: np.ndarray) -> np.ndarray:
    """Each place's rank in the order county, village, community (villages, then communities, as ``hh_place``).

    A community's village and a village's community are -1, which sorts first, as ``np.lexsort`` orders rows.
    """
    nv, nc = village_county.size, community_county.size
    county = np.concatenate([village_county, community_county])
    village = np.concatenate([np.arange(nv), np.full(nc, -1)])
    community = np.concatenate([np.full(nv, -1), np.arange(nc)])
    rank = np.empty(nv + nc, np.int64)
    rank[np.lexsort((community, village, county))] = np.arange(nv + nc)
    return rank


@numba.njit(cache=True, nogil=True)
def _place_order(place, rank):
    """Rows ordered by their place's ``rank``, in row order within a place (a counting sort over the places).

    With :func:`_place_ranks`, rows by county, then village, then community, as ``np.lexsort`` orders them, in
    one counting sort instead of three.
    """
    n = place.size
    start = np.zeros(rank.size + 1, np.int64)
    for i in range(n):
        start[rank[place[i]] + 1] += 1
    for k in range(rank.size):
        start[k + 1] += start[k]
    order = np.empty(n, np.int32)  # row numbers in four bytes (fewer than 2**31 rows): half the fresh memory
    for i in range(n):
        k = rank[place[i]]
        order[start[k]] = i
        start[k] += 1
    return order
