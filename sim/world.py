"""The world the levers act on and the behaviour rules change: places, households, enterprises, grids.

:class:`World` owns the column stores (:mod:`sim.population`), the villages and communities, account
managers' grids (一人一格), access to service points, the run's random streams and the running tallies
(money flows, activities) that the goals measure. It knows nothing of levers or goals.
"""

from __future__ import annotations

import numpy as np

from sim.calendar import monthly_growth
from sim.config import SimConf
from sim.population import (
    COOPERATIVE,
    URBAN,
    build_enterprises,
    build_households,
    build_places,
    enterprise_capacity,
    household_capacity,
)
from sim.streams import Streams

# At a coarse weight a manager's grid would hold only a few rows and whole-row rounding would waste visits;
# there several managers share a grid of at least this many rows (a numerical resolution, not behaviour).
MIN_ROWS_PER_GRID = 50


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
        build = self.streams.build
        self.places = build_places(cfg, build["population"])
        self.households = build_households(cfg, self.places, build["population"])
        self.enterprises = build_enterprises(cfg, self.places, build["enterprise_population"])
        hh = self.households
        # each household's fixed propensities (the same in every scenario: common random numbers)
        latent = build["latent"]
        self.latent_reach = latent.random(hh.n, dtype=np.float32)
        self.latent_rate = latent.random(hh.n, dtype=np.float32)
        self.latent_line = latent.random(hh.n, dtype=np.float32)
        self.latent_housing = latent.random(hh.n, dtype=np.float32)
        worker_draw = latent.random(hh.n, dtype=np.float32)
        self.is_worker = (hh.kind == URBAN) & (worker_draw < cfg.population.worker_share_urban)
        self.ent_latent = latent.random(self.enterprises.n, dtype=np.float32)
        self._hh_rows = household_capacity(cfg)
        self._ent_rows = enterprise_capacity(cfg)
        rural_rows = np.flatnonzero(hh.village >= 0)
        self.village_rows = rural_rows[np.argsort(hh.village[rural_rows], kind="stable")]
        self.village_ptr = np.searchsorted(hh.village[self.village_rows], np.arange(self.places.village_size.size + 1))
        self.hh_place = np.where(hh.village >= 0, hh.village, self.places.village_size.size + hh.community)
        self.hh_county = hh.county.astype(np.intp)
        self._access = None
        self._rural_cum = np.concatenate([[0], np.cumsum(hh.kind != URBAN)])  # rural rows among the first n
        self._coop_cum = np.concatenate([[0], np.cumsum(self.enterprises.kind == COOPERATIVE)])
        self.refresh_active()
        self._build_grids()
        # running tallies the goals read
        self.income_index = 1.0
        self.flows = dict.fromkeys(("written_off", "low_income_disbursed", "hh_disbursed", "ent_disbursed",
                                    "unmet_need"), 0.0)
        self.flows_last_month: dict[str, float] = {}
        self.apps_by_year = np.zeros(5)
        self.lectures_held = 0
        self.ebank_by_month: list[float] = []
        self.last_groups = self.loan_groups()

    # ------------------------------------------------------------ grids (一人一格)
    def _build_grids(self) -> None:
        """Households ordered by county and place, cut into one grid per account manager (or shared grids)."""
        hh = self.households
        order = np.lexsort((hh.community, hh.village, hh.county))
        self.n_managers = int(self.pop.account_managers)
        self.n_grids = int(min(self.n_managers, max(1, hh.n // MIN_ROWS_PER_GRID)))
        self.grid_of = np.empty(hh.n, np.int32)
        self.grid_of[order] = (np.arange(hh.n, dtype=np.int64) * self.n_grids // hh.n).astype(np.int32)
        self.manager_grid = (np.arange(self.n_managers) * self.n_grids // self.n_managers).astype(np.int32)
        self.managers_per_grid = np.bincount(self.manager_grid, minlength=self.n_grids).astype(np.float64)
        self.grid_county = np.zeros(self.n_grids, np.int8)
        self.grid_county[self.grid_of] = hh.county
        self.grid_visits = np.zeros(self.n_grids)
        self.grid_files = np.zeros(self.n_grids)
        self.managers_working = float(self.n_managers)
        self.refresh_grids()

    def refresh_grids(self) -> None:
        """Rows per grid among the households formed so far."""
        self.grid_households = np.bincount(self.grid_of[: self.n_active_rows], minlength=self.n_grids)

    # ------------------------------------------------------------ demography
    def refresh_active(self) -> None:
        """Form this month's households and enterprises.

        Rows form in index order: the active ones are a prefix (``n_active_rows``, ``n_active_ent``), which
        lets the rules work on slices instead of masks.
        """
        n0, _ = self._hh_rows
        target = round(n0 * monthly_growth(self.pop.household_growth) ** self.t)
        self.n_active_rows = min(target, self.households.n)
        self.households.active[: self.n_active_rows] = True
        e0, _ = self._ent_rows
        etarget = round(e0 * monthly_growth(self.pop.enterprise_growth) ** self.t)
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

    def _access_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if self._access is None:
            p, pop = self.places, self.pop
            in_village = p.village_station | p.village_device
            served = np.concatenate([p.village_served, p.community_covered])
            dist = np.concatenate([
                np.where(in_village, np.float32(pop.distance_in_village_km), p.village_distance),
                np.where(p.community_covered, pop.distance_community_outlet_km, pop.distance_community_other_km),
            ]).astype(np.float32)
            self._access = (served[self.hh_place], dist[self.hh_place])
        return self._access

    @property
    def hh_station(self) -> np.ndarray:
        """Whether each household's village or community has a service point."""
        return self._access_arrays()[0]

    @property
    def hh_distance(self) -> np.ndarray:
        """Each household's distance (km) to the nearest service point."""
        return self._access_arrays()[1]

    # ------------------------------------------------------------ the loan book
    def loan_groups(self) -> dict[str, np.ndarray]:
        """Loan balances (real CNY) and borrower counts (real units) by product, kind, green and NPL.

        Households: arrays shaped (6 products, 3 kinds, 2 green, 2 npl); enterprises: (4, 3, 2, 2).
        One pass over the loan rows instead of one masked sum per figure.
        """
        out = {}
        for name, store, n_products in (("hh", self.households, 6), ("ent", self.enterprises, 4)):
            rows = np.flatnonzero(store.product)
            code = (store.product[rows].astype(np.intp) * 12 + store.kind[rows] * 4
                    + store.green[rows] * 2 + store.npl[rows])
            k = n_products * 12
            shape = (n_products, 3, 2, 2)
            out[name + "_bal"] = (np.bincount(code, weights=store.loan[rows], minlength=k) * self.weight).reshape(shape)
            out[name + "_n"] = (np.bincount(code, minlength=k) * self.weight).reshape(shape)
        return out
