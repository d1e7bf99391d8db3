"""The model: Taizhou's rural credit system month by month, January 2016 to December 2020.

One :meth:`TaizhouModel.step` is one month. Its order is written once, here:

1. demography: households and enterprises form; incomes grow;
2. levers, in :data:`sim.levers.LEVER_ORDER`: outlets open (stations, devices, community outlets), the
   platform and industry apps run, account managers visit their grids, whole villages are campaigned,
   lectures are held, fees are waived, rates discounted, the low-income product runs;
3. digital access and platform adoption;
4. credit: households, then enterprises (repay, default, demand, uptake);
5. the month's metrics are recorded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from mesa import Model

from sim import behaviour
from sim.agents import AccountManager, Household, MicroEnterprise, Station
from sim.calendar import month_label, monthly_growth, year_index
from sim.config import SimConf
from sim.goals import load_goals, scorecard
from sim.ledger import Ledger
from sim.levers import build_levers
from sim.population import (
    COOPERATIVE,
    CREDIT,
    FARM_LOAN,
    FIRM,
    LOW_INCOME_LOAN,
    SMALL_CREDIT,
    UNSECURED_PRODUCTS,
    URBAN,
    build_enterprises,
    build_households,
    build_places,
    enterprise_capacity,
    household_capacity,
)
from sim.streams import month_generator, row_uniforms

# Monthly decision streams. Each month every stream restarts from a seed keyed by (stream, month), so a
# difference between two scenarios in one month never shifts the draws of later months (common random numbers).
MIN_ROWS_PER_GRID = 50

STREAMS = ("visits", "campaigns", "stations", "lectures", "adoption", "credit", "enterprise", "data_files")


class TaizhouModel(Model):
    """Taizhou rural credit's inclusive-finance programme, 2016-2020.

    Args:
        cfg: a validated :class:`sim.config.SimConf`.

    Example:
        >>> from sim import load_config, TaizhouModel
        >>> model = TaizhouModel(load_config(["population.weight=100"]))
        >>> model.run()
        >>> model.scorecard()
    """

    def __init__(self, cfg: SimConf):
        super().__init__(rng=cfg.seed)
        self.cfg = cfg
        self.weight = float(cfg.population.weight)
        self._root = np.random.SeedSequence(cfg.seed)
        self.streams = {name: np.random.default_rng(seq) for name, seq in
                        zip(("population", "enterprise_population", "latent"), self._root.spawn(3), strict=True)}
        self._monthly: dict[str, np.random.Generator] = {}
        self.t = 0  # months done
        self.places = build_places(cfg, self.streams["population"])
        self.households = build_households(cfg, self.places, self.streams["population"])
        self.enterprises = build_enterprises(cfg, self.places, self.streams["enterprise_population"])
        self.latent_reach = self.streams["latent"].random(self.households.n, dtype=np.float32)
        self.latent_rate = self.streams["latent"].random(self.households.n, dtype=np.float32)
        self.latent_line = self.streams["latent"].random(self.households.n, dtype=np.float32)
        self.latent_housing = self.streams["latent"].random(self.households.n, dtype=np.float32)
        worker_draw = self.streams["latent"].random(self.households.n, dtype=np.float32)
        self.is_worker = (self.households.kind == URBAN) & (worker_draw < cfg.population.worker_share_urban)
        self.ent_latent = self.streams["latent"].random(self.enterprises.n, dtype=np.float32)
        self._hh_rows = household_capacity(cfg)
        rural_rows = np.flatnonzero(self.households.village >= 0)
        self._village_rows = rural_rows[np.argsort(self.households.village[rural_rows], kind="stable")]
        self._village_ptr = np.searchsorted(self.households.village[self._village_rows],
                                            np.arange(self.places.village_size.size + 1))
        self._ent_rows = enterprise_capacity(cfg)
        hh = self.households
        self.hh_place = np.where(hh.village >= 0, hh.village, self.places.village_size.size + hh.community)
        self.hh_county = hh.county.astype(np.intp)
        self._access = None
        self._rural_cum = np.concatenate([[0], np.cumsum(hh.kind != URBAN)])  # rural rows among the first n
        self._coop_cum = np.concatenate([[0], np.cumsum(self.enterprises.kind == COOPERATIVE)])
        self._refresh_active()
        self._build_grids()
        self._build_outlet_agents()
        self.levers = build_levers(cfg)
        self.ledger = Ledger([lv.name for lv in self.levers], cfg.budget)
        self.unusable = {lv.name: 0 for lv in self.levers}
        # policy state the levers set each month and the behaviour reads
        self.platform_push = 0.0
        self.platform_active = False
        self.fee_waiver_share = 0.0
        self.rate_discount_bp = 0.0
        self.discount_on = {p: p in cfg.levers.rate_discounts.products for p in ("small_credit", "farm", "low_income")}
        self.low_income_reach = 0.0
        self.default_multiplier = 1.0
        self.green_multiplier = 1.0
        self.sme_processing_factor = 1.0
        self.guarantee_capacity = cfg.levers.guarantee_fund.baseline_capacity
        self.manager_throughput = 1.0
        self.managers_working = float(self.n_managers)
        self.line_use_gain = 0.0
        self.campaign_cost_factor = 1.0
        self.rating_multiplier = 1.0
        self.housing_reach = 0.0
        self.coop_need_factor = 1.0
        self.coop_approval_factor = 1.0
        self.subsidy_share = 0.0
        self.flows_last_month: dict[str, float] = {}
        self._card_carry = 0.0
        self._rating_carry = 0.0
        self.apps_by_year = np.zeros(5)
        self.lectures_held = 0
        self.income_index = 1.0
        self.flows = dict.fromkeys(("written_off", "low_income_disbursed", "hh_disbursed", "ent_disbursed",
                                    "unmet_need"), 0.0)
        self.ebank_by_month: list[float] = []
        self.records: list[dict[str, float]] = []
        self._refresh_access()
        self.unsecured_2015 = self._unsecured_balance()
        self.last_groups = self.loan_groups()
        self.goals_2015 = self.goal_values(t=0)  # end-2015 state, the base of cost per unit

    # ------------------------------------------------------------ set-up
    def _build_grids(self) -> None:
        """一人一格: households ordered by county and place, cut into one grid per account manager.

        At a coarse weight a manager's grid would hold only a few rows, and whole-row rounding would waste
        visits; there several managers share a grid of at least ``MIN_ROWS_PER_GRID`` rows and pool their
        visits, which keeps the aggregates independent of the weight.
        """
        hh = self.households
        order = np.lexsort((hh.community, hh.village, hh.county))
        self.n_managers = int(self.cfg.population.account_managers)
        self.n_grids = int(min(self.n_managers, max(1, hh.n // MIN_ROWS_PER_GRID)))
        self.grid_of = np.empty(hh.n, np.int32)
        self.grid_of[order] = (np.arange(hh.n, dtype=np.int64) * self.n_grids // hh.n).astype(np.int32)
        manager_grid = (np.arange(self.n_managers) * self.n_grids // self.n_managers).astype(np.int32)
        self.managers_per_grid = np.bincount(manager_grid, minlength=self.n_grids).astype(np.float64)
        grid_county = np.zeros(self.n_grids, np.int8)
        grid_county[self.grid_of] = hh.county
        self.grid_visits = np.zeros(self.n_grids)
        self.grid_files = np.zeros(self.n_grids)
        AccountManager.create_agents(self, self.n_managers, grid=manager_grid.tolist(),
                                     county=grid_county[manager_grid].tolist())
        self._refresh_grids()

    def _refresh_grids(self) -> None:
        self.grid_households = np.bincount(self.grid_of[: self.n_active_rows], minlength=self.n_grids)

    def _build_outlet_agents(self) -> None:
        p = self.places
        for v in np.flatnonzero(p.village_station):
            Station(self, "station", int(v), -1)
        for c in np.flatnonzero(p.community_covered):
            Station(self, "community", int(c), -1)

    def _refresh_active(self) -> None:
        """Form this month's households and enterprises.

        Rows form in index order: the active ones are a prefix (``n_active_rows``, ``n_active_ent``), which
        lets the rules work on slices instead of masks.
        """
        n0, _ = self._hh_rows
        target = round(n0 * monthly_growth(self.cfg.population.household_growth) ** self.t)
        self.n_active_rows = min(target, self.households.n)
        self.households.active[: self.n_active_rows] = True
        e0, _ = self._ent_rows
        etarget = round(e0 * monthly_growth(self.cfg.population.enterprise_growth) ** self.t)
        self.n_active_ent = min(etarget, self.enterprises.n)
        self.enterprises.active[: self.n_active_ent] = True

    def rural_active(self) -> float:
        """Real farm and low-income farm households formed so far."""
        return float(self._rural_cum[self.n_active_rows]) * self.weight

    def cooperatives_active(self) -> float:
        """Real cooperatives and agricultural firms formed so far."""
        return float(self._coop_cum[self.n_active_ent]) * self.weight

    def _refresh_access(self) -> None:
        """Mark access out of date: outlets changed (recomputed once, when next read)."""
        self._access = None

    def _access_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if self._access is None:
            p = self.places
            in_village = p.village_station | p.village_device
            served = np.concatenate([p.village_served, p.community_covered])
            dist = np.concatenate([np.where(in_village, np.float32(0.3), p.village_distance),
                                   np.where(p.community_covered, 0.5, 1.5)]).astype(np.float32)
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

    def month_rng(self, stream: str) -> np.random.Generator:
        """This month's generator for a decision stream (see :data:`STREAMS`)."""
        gen = self._monthly.get(stream)
        if gen is None:
            gen = self._monthly[stream] = month_generator(self._root, 100 + STREAMS.index(stream), self.t)
        return gen

    def row_uniforms(self, stream: str, rows: np.ndarray, k: int) -> np.ndarray:
        """``k`` uniforms per row for this month, the same for a row in any scenario with this seed."""
        return row_uniforms(self._root, 200 + STREAMS.index(stream), self.t, rows, k)

    # ------------------------------------------------------------ helpers for levers
    def discounted_balance(self) -> float:
        """Outstanding balance carrying a rate discount."""
        hh = self.households
        return float(np.sum(hh.loan, where=hh.discounted, dtype=np.float64)) * self.weight

    def pick_places(self, mask: np.ndarray, n: int, priority: str, kind: str) -> np.ndarray:
        """Up to ``n`` places among ``mask``, in the lever's priority order."""
        idx = np.flatnonzero(mask)
        if n <= 0 or idx.size == 0:
            return idx[:0]
        if kind == "community":
            return idx[:n]
        size, dist = self.places.village_size[idx], self.places.village_distance[idx]
        if priority == "largest_first":
            order = np.argsort(-size, kind="stable")
        elif priority == "remote_first":
            order = np.argsort(-dist, kind="stable")
        else:
            order = self.month_rng("stations").permutation(idx.size)
        return idx[order[:n]]

    def pick_villages(self, mask: np.ndarray, n: int, priority: str, rng: np.random.Generator) -> np.ndarray:
        """Up to ``n`` villages for a credit campaign."""
        idx = np.flatnonzero(mask)
        if n <= 0 or idx.size == 0:
            return idx[:0]
        size = self.places.village_size[idx]
        if priority == "served_first":
            order = np.lexsort((-size, ~self.places.village_served[idx]))
        elif priority == "largest_first":
            order = np.argsort(-size, kind="stable")
        else:
            order = rng.permutation(idx.size)
        return idx[order[:n]]

    def add_outlets(self, kind: str, places: np.ndarray, t: int) -> None:
        """Create the Mesa agents of newly opened outlets and update access."""
        for place in places.tolist():
            Station(self, kind, place, t)
        if places.size:
            self._refresh_access()

    def expected_cards_per_village(self) -> float:
        """Cards a campaign issues in an average village (for budgeting a campaign)."""
        u = self.cfg.uncertainties
        rural = self.cfg.population.households_2015 * self.cfg.population.rural_share
        return rural / self.cfg.population.villages * u.p_rated_given_campaign * u.p_line_given_rated

    def campaign(self, villages: np.ndarray) -> float:
        """整村授信 in ``villages``: rate households, open files, grant lines. Returns real cards issued."""
        if villages.size == 0:
            return 0.0
        hh, u, p = self.households, self.cfg.uncertainties, self.places
        p.village_campaigned[villages] = True
        in_campaign = np.zeros(p.village_size.size + 1, bool)
        in_campaign[villages] = True
        n = self.n_active_rows
        sel = np.flatnonzero(in_campaign[hh.village[:n]] & ~hh.npl[:n])  # village -1 maps to the spare last slot
        rated = sel[self.latent_rate[sel] < u.p_rated_given_campaign]
        hh.rated[rated] = True
        hh.has_file[sel] = True
        grant = rated[(hh.line[rated] == 0) & (self.latent_line[rated] < u.p_line_given_rated)]
        hh.line[grant] = self._credit_lines(grant)
        return grant.size * self.weight

    def _credit_lines(self, mask: np.ndarray) -> np.ndarray:
        u = self.cfg.uncertainties
        income = self.households.income[mask]
        rel = income / np.float32(self.cfg.population.income_rural_2015 * self.income_index)
        return np.minimum(u.credit_line_mean * np.sqrt(rel), u.credit_line_cap).astype(np.float32)

    def visit_grids(self, visits_per_manager: float) -> None:
        """Account managers' visits: unfiled households first (建档), then filed ones (trust, ratings).

        Args:
            visits_per_manager: real households each manager visits this month.
        """
        hh, u = self.households, self.cfg.uncertainties
        rng = self.month_rng("visits")
        d = rng.random(hh.n, dtype=np.float32)
        g = self.grid_of
        n = self.n_active_rows
        unfiled = np.flatnonzero(~hh.has_file[:n])
        n_unfiled = np.bincount(g[unfiled], minlength=self.n_grids)
        cap = (visits_per_manager * self.managers_per_grid / self.weight).astype(np.float32)  # rows per grid
        p_unf = np.minimum(1.0, cap / np.maximum(n_unfiled, 1)).astype(np.float32)
        visited = unfiled[d[unfiled] < p_unf[g[unfiled]]]
        new_file = visited[rng.random(visited.size, dtype=np.float32) < u.p_file_per_visit]
        spare = np.maximum(0.0, cap - n_unfiled).astype(np.float32)
        n_filed = self.grid_households - n_unfiled
        p_fil = np.minimum(1.0, spare / np.maximum(n_filed, 1)).astype(np.float32)
        filed = np.flatnonzero(hh.has_file[:n])
        seen = filed[d[filed] < p_fil[g[filed]]]
        hh.has_file[new_file] = True
        all_visited = np.concatenate([visited, seen])
        hh.trust[all_visited] += u.visit_trust_gain * (1 - hh.trust[all_visited])
        p_rate = min(1.0, u.p_rated_per_visit * self.rating_multiplier)
        rate = seen[~hh.rated[seen] & (rng.random(seen.size, dtype=np.float32) < p_rate)]
        hh.rated[rate] = True
        grant = rate[(hh.line[rate] == 0) & ~hh.npl[rate] & (self.latent_line[rate] < u.p_line_given_rated)]
        hh.line[grant] = self._credit_lines(grant)
        if self.platform_active:
            promo = self.cfg.levers.digital_platform.promotion_per_visit
            cand = all_visited[hh.digital_access[all_visited] & ~hh.digital[all_visited]]
            hh.digital[cand[rng.random(cand.size, dtype=np.float32) < promo]] = True
        self.grid_visits += np.bincount(g[all_visited], minlength=self.n_grids) * self.weight
        self.grid_files += np.bincount(g[new_file], minlength=self.n_grids) * self.weight

    def hold_lectures(self, n: int) -> None:
        """普惠金融讲堂 in ``n`` villages chosen by size: attendees' literacy rises."""
        hh, u, p = self.households, self.cfg.uncertainties, self.places
        rng = self.month_rng("lectures")
        where = rng.choice(p.village_size.size, size=n, p=p.village_size / p.village_size.sum())
        villages, lectures = np.unique(where, return_counts=True)
        n_active = self.n_active_rows
        # rows of a village are sorted, and active rows are a prefix of all rows: cut each slice there
        slices = [x[: np.searchsorted(x, n_active)] for x in
                  (self._village_rows[self._village_ptr[v]:self._village_ptr[v + 1]] for v in villages.tolist())]
        sizes = np.array([x.size for x in slices], dtype=np.intp)
        rows = np.concatenate(slices) if slices else np.zeros(0, np.intp)
        per_row = np.repeat(lectures * (u.lecture_attendees / self.weight) / np.maximum(sizes, 1), sizes)
        p_attend = np.minimum(1.0, per_row)
        attend = rows[rng.random(rows.size, dtype=np.float32) < p_attend]
        hh.literacy[attend] += u.lecture_literacy_gain * (1 - hh.literacy[attend])
        hh.lectured[attend] = True
        self.lectures_held += n

    def raise_rural_trust(self, gain: float) -> None:
        """Close ``gain`` of the trust gap of every farm household (fee relief on their accounts)."""
        if gain > 0:
            hh, n = self.households, self.n_active_rows
            rural = hh.kind[:n] != URBAN
            hh.trust[:n][rural] += np.float32(gain) * (1 - hh.trust[:n][rural])

    def files_from_data(self, p_month: float) -> None:
        """Information files built from shared data for unfiled households (probability per month)."""
        hh = self.households
        unfiled = np.flatnonzero(~hh.has_file[: self.n_active_rows])
        hh.has_file[unfiled[self.month_rng("data_files").random(unfiled.size, dtype=np.float32) < p_month]] = True

    def _rows_for(self, real: float, carry_name: str) -> int:
        """Whole rows for a count of real units, carrying the fraction to the next call."""
        total = real / self.weight + getattr(self, carry_name)
        rows = int(np.floor(total + 1e-9))
        setattr(self, carry_name, total - rows)
        return rows

    def issue_worker_cards(self, n_real: float) -> float:
        """一卡一贷: give ``n_real`` workers without a line a card with a blue-collar credit line."""
        hh = self.households
        k = self._rows_for(n_real, "_card_carry")
        n = self.n_active_rows
        cand = np.flatnonzero(self.is_worker[:n] & (hh.line[:n] == 0) & ~hh.npl[:n])
        if k <= 0 or cand.size == 0:
            return 0.0
        if k < cand.size:
            cand = cand[np.argpartition(self.latent_line[cand], k)[:k]]
        hh.line[cand] = np.float32(self.cfg.levers.worker_loans.line * self.income_index)
        hh.has_file[cand] = True
        return cand.size * self.weight

    def rate_firms(self, n_real: float) -> float:
        """小微企业信用评级: rate ``n_real`` unrated firms. Returns real firms rated."""
        ent = self.enterprises
        k = self._rows_for(n_real, "_rating_carry")
        ne = self.n_active_ent
        cand = np.flatnonzero((ent.kind[:ne] == FIRM) & ~ent.rated[:ne])
        if k <= 0 or cand.size == 0:
            return 0.0
        if k < cand.size:
            cand = cand[np.argpartition(self.ent_latent[cand], k)[:k]]
        ent.rated[cand] = True
        return cand.size * self.weight

    @property
    def apps_total(self) -> float:
        """Industry applications launched so far."""
        return float(self.apps_by_year.sum())

    # ------------------------------------------------------------ the month
    def step(self) -> None:
        """One month; the order is the module docstring's."""
        t = self.t
        if t >= self.cfg.months:
            self.running = False
            return
        self._monthly = {}
        if t and t % 12 == 0 and self.cfg.budget.reallocate_unspent:
            self._reallocate(year_index(t) - 1)
        self._refresh_active()
        self._refresh_grids()
        self.income_index *= monthly_growth(self.cfg.population.income_growth)
        self.households.income *= np.float32(monthly_growth(self.cfg.population.income_growth))
        for lever in self.levers:
            lever.apply(self, t)
        behaviour.digital_adoption(self, t)
        behaviour.household_credit(self, t)
        behaviour.enterprise_credit(self, t)
        self.ebank_by_month.append(behaviour.ebank_share(self))
        self.records.append(self.metrics(t))
        self.t += 1
        if self.t >= self.cfg.months:
            self.running = False

    def _reallocate(self, year: int) -> None:
        """Year end: money levers did not want moves to the levers that were short of money."""
        released = {lv.name: lv.releasable(self, year) for lv in self.levers}
        self.ledger.reallocate(year, {k: v for k, v in released.items() if v > 0})

    def run(self) -> TaizhouModel:
        """Run every month of the config (60 by default)."""
        while self.t < self.cfg.months:
            self.step()
        return self

    # ------------------------------------------------------------ measurement
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

    def _unsecured_balance(self, g: dict[str, np.ndarray] | None = None) -> float:
        g = self.loan_groups() if g is None else g
        return float(g["hh_bal"][UNSECURED_PRODUCTS].sum() + g["ent_bal"][CREDIT].sum())

    def goal_values(self, t: int | None = None, groups: dict[str, np.ndarray] | None = None) -> dict[str, float]:
        """Every goal's value now (running values for cumulative and yearly goals)."""
        t = self.t - 1 if t is None else t
        hh, ent, p = self.households, self.enterprises, self.places
        g = self.loan_groups() if groups is None else groups
        hb, hn, eb, en = g["hh_bal"], g["hh_n"], g["ent_bal"], g["ent_n"]
        farm_bal = float(hb[1:, :URBAN].sum())
        ent_bal = float(eb[1:].sum())
        total = float(hb[1:].sum()) + ent_bal
        green = float(hb[1:, :, 1].sum() + eb[1:, :, 1].sum())
        big = p.village_size >= self.cfg.levers.stations.min_village_size
        y = year_index(max(t, 0))
        done_years = self.apps_by_year[:y] if (t + 1) % 12 else self.apps_by_year[: y + 1]
        apps = float(done_years.min()) if done_years.size else float(self.apps_by_year[y])
        year_months = self.ebank_by_month[12 * y:] or [behaviour.ebank_share(self)]
        n, ne = self.n_active_rows, self.n_active_ent
        return {
            "inclusive_spend_cum": self.ledger.total_spent,
            "village_coverage": float(p.village_served[big].mean()),
            "blank_villages": float((~p.village_served).sum()),
            "community_coverage": float(p.community_covered.mean()),
            "low_income_loans_cum": self.flows["low_income_disbursed"],
            "new_credit_loans_cum": self._unsecured_balance(g) - self.unsecured_2015,
            "agri_sme_loan_balance": farm_bal + ent_bal,
            "fengshou_customers": (np.count_nonzero(hh.digital[:n]) + np.count_nonzero(ent.digital[:ne])) * self.weight,
            "ebank_substitution": float(np.mean(year_months)),
            "industry_apps_per_year": apps,
            "green_credit_share": green / total if total else 0.0,
            "info_file_rate": np.count_nonzero(hh.has_file[:n]) / max(1, n),
            "lectures_cum": float(self.lectures_held),
            "small_credit_balance": float(hb[UNSECURED_PRODUCTS].sum()),
            "small_credit_clients": float(hn[UNSECURED_PRODUCTS].sum()),
            "farmer_loan_balance": farm_bal,
            "farmer_loan_clients": float(hn[1:, :URBAN].sum()),
            "sme_loan_balance": float(eb[1:, FIRM].sum()),
            "sme_loan_clients": float(en[1:, FIRM].sum()),
        }

    def metrics(self, t: int) -> dict[str, float]:
        """The month's metrics in real-world units: every goal's running value and the model's state."""
        hh, p, w = self.households, self.places, self.weight
        n = self.n_active_rows
        g = self.loan_groups()
        self.last_groups = g
        loans = float(g["hh_bal"][1:].sum() + g["ent_bal"][1:].sum())
        npl = float(g["hh_bal"][1:, :, :, 1].sum() + g["ent_bal"][1:, :, :, 1].sum())
        out = self.goal_values(t, g)
        out.update(
            households_total=n * w,
            account_managers=self.managers_working,
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
            spend_cum=self.ledger.total_spent,
            low_income_loan_balance=float(g["hh_bal"][LOW_INCOME_LOAN].sum()),
            small_credit_product_balance=float(g["hh_bal"][SMALL_CREDIT].sum()),
            farm_secured_balance=float(g["hh_bal"][FARM_LOAN].sum()),
            enterprises_total=self.n_active_ent * w,
            literacy_mean=float(hh.literacy[:n].mean()),
            unmet_need_cum=self.flows["unmet_need"],
            written_off_cum=self.flows["written_off"],
            industry_apps_cum=self.apps_total,
            ebank_substitution_month=self.ebank_by_month[-1] if self.ebank_by_month else float("nan"),
        )
        return out

    def lever_table(self) -> pd.DataFrame:
        """One row per lever: on or off, the goals it moves, money and units it had nowhere to place.

        Money is planned, spent, unspent, wanted and shortfall (CNY, 2016-2020); units unplaced are what the
        lever wanted but found no place for (stations when every eligible village has one).
        """
        money = self.ledger.table().groupby("lever")[["planned", "moved", "spent", "unspent", "wanted",
                                                        "shortfall"]].sum()
        rows = []
        for lever in self.levers:
            rows.append({"lever": lever.name, "enabled": bool(lever.conf.enabled),
                         "moves": " ".join(lever.conf.moves), **money.loc[lever.name].to_dict(),
                         "units_unplaced": float(self.unusable[lever.name])})
        return pd.DataFrame(rows)

    def cost_per_unit(self) -> pd.DataFrame:
        """Programme money per unit of change of each goal since end-2015, from the levers that declare it.

        Within one run this is an accounting ratio, not a causal effect: the change includes what 2015
        practice would have done anyway. Compare against ``no_program`` (experiments) for the causal figure.
        """
        spent = self.ledger.table().groupby("lever")["spent"].sum()
        now = self.goal_values()
        rows = []
        for goal in load_goals():
            levers = [lv.name for lv in self.levers if goal.goal_id in lv.conf.moves]
            money = float(sum(spent[name] for name in levers))
            change = now[goal.goal_id] - self.goals_2015[goal.goal_id]
            if goal.comparison == "<=":
                change = -change  # fewer blank villages is the gain
            rows.append({"goal_id": goal.goal_id, "unit": goal.unit, "levers": " ".join(levers),
                         "spent_cny": money, "change_since_2015": change,
                         "cny_per_unit": money / change if change > 0 and goal.unit != "CNY" else float("nan"),
                         "cny_per_cny": money / change if change > 0 and goal.unit == "CNY" else float("nan")})
        return pd.DataFrame(rows)

    def monthly(self) -> pd.DataFrame:
        """Tidy monthly table: month, metric, value."""
        wide = pd.DataFrame(self.records)
        wide.insert(0, "month", [month_label(i) for i in range(len(self.records))])
        return wide.melt(id_vars="month", var_name="metric", value_name="value")

    def scorecard(self) -> pd.DataFrame:
        """The goals scored on the last month run."""
        return scorecard(self.goal_values())

    # ------------------------------------------------------------ agent views
    def household(self, row: int) -> Household:
        """A Mesa agent view of one household row (made on demand)."""
        return Household(self, row)

    def enterprise(self, row: int) -> MicroEnterprise:
        """A Mesa agent view of one enterprise row (made on demand)."""
        return MicroEnterprise(self, row)

    @property
    def month(self) -> str:
        """The last month simulated, e.g. '2018-06' ('2015-12' before the first step)."""
        return month_label(self.t - 1) if self.t else "2015-12"

