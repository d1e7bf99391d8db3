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
from sim.goals import scorecard
from sim.ledger import Ledger
from sim.levers import build_levers
from sim.population import (
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

STREAMS = ("population", "enterprise_population", "latent", "visits", "campaigns", "stations", "lectures",
           "adoption", "credit", "enterprise")


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
        seeds = np.random.SeedSequence(cfg.seed).spawn(len(STREAMS))
        self.streams = {name: np.random.default_rng(s) for name, s in zip(STREAMS, seeds, strict=True)}
        self.t = 0  # months done
        self.places = build_places(cfg, self.streams["population"])
        self.households = build_households(cfg, self.places, self.streams["population"])
        self.enterprises = build_enterprises(cfg, self.places, self.streams["enterprise_population"])
        self.latent_reach = self.streams["latent"].random(self.households.n, dtype=np.float32)
        self.latent_rate = self.streams["latent"].random(self.households.n, dtype=np.float32)
        self.latent_line = self.streams["latent"].random(self.households.n, dtype=np.float32)
        self._hh_rows = household_capacity(cfg)
        self._ent_rows = enterprise_capacity(cfg)
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
        self.sme_rate_discount_bp = 0.0
        self.sme_processing_factor = 1.0
        self.sme_guarantee_factor = 1.0
        self.apps_by_year = np.zeros(5)
        self.lectures_held = 0
        self.income_index = 1.0
        self.flows = dict.fromkeys(("written_off", "low_income_disbursed", "hh_disbursed", "ent_disbursed",
                                    "unmet_need"), 0.0)
        self.ebank_by_month: list[float] = []
        self.records: list[dict[str, float]] = []
        self._refresh_access()
        self.unsecured_2015 = self._unsecured_balance()

    # ------------------------------------------------------------ set-up
    def _build_grids(self) -> None:
        """一人一格: households ordered by county and place, cut into one grid per account manager."""
        hh = self.households
        order = np.lexsort((hh.community, hh.village, hh.county))
        self.n_managers = int(self.cfg.population.account_managers)
        self.grid_of = np.empty(hh.n, np.int32)
        self.grid_of[order] = (np.arange(hh.n, dtype=np.int64) * self.n_managers // hh.n).astype(np.int32)
        grid_county = np.zeros(self.n_managers, np.int8)
        grid_county[self.grid_of] = hh.county
        self.manager_visits = np.zeros(self.n_managers)
        self.manager_files = np.zeros(self.n_managers)
        AccountManager.create_agents(self, self.n_managers, grid=list(range(self.n_managers)),
                                     county=grid_county.tolist())
        self._refresh_grids()

    def _refresh_grids(self) -> None:
        self.grid_households = np.bincount(self.grid_of[self.hh_active], minlength=self.n_managers)

    def _build_outlet_agents(self) -> None:
        p = self.places
        for v in np.flatnonzero(p.village_station):
            Station(self, "station", int(v), -1)
        for c in np.flatnonzero(p.community_covered):
            Station(self, "community", int(c), -1)

    def _refresh_active(self) -> None:
        n0, _ = self._hh_rows
        target = round(n0 * monthly_growth(self.cfg.population.household_growth) ** self.t)
        self.households.active[: min(target, self.households.n)] = True
        e0, _ = self._ent_rows
        etarget = round(e0 * monthly_growth(self.cfg.population.enterprise_growth) ** self.t)
        self.enterprises.active[: min(etarget, self.enterprises.n)] = True
        self.hh_active = self.households.active
        self.ent_active = self.enterprises.active

    def _refresh_access(self) -> None:
        """Distance to the nearest service point and whether the household's village or community has one."""
        hh, p = self.households, self.places
        rural = hh.village >= 0
        v = np.maximum(hh.village, 0)
        c = np.maximum(hh.community, 0)
        in_village = (p.village_station | p.village_device)[v]
        dist_v = np.where(in_village, np.float32(0.3), p.village_distance[v])
        self.hh_station = np.where(rural, p.village_served[v], p.community_covered[c])
        self.hh_distance = np.where(rural, dist_v, np.where(p.community_covered[c], 0.5, 1.5)).astype(np.float32)

    # ------------------------------------------------------------ helpers for levers
    def count(self, mask: np.ndarray) -> float:
        """Real units (rows x weight) in a mask."""
        return float(np.count_nonzero(mask)) * self.weight

    def balance(self, mask: np.ndarray, store=None) -> float:
        """Real CNY of loans in a mask of a store (households by default)."""
        store = self.households if store is None else store
        return float(store.loan[mask].sum(dtype=np.float64)) * self.weight

    def discounted_balance(self) -> float:
        """Outstanding balance carrying a rate discount."""
        return self.balance(self.households.discounted & (self.households.product > 0))

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
            order = self.streams["stations"].permutation(idx.size)
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
        sel = self.hh_active & in_campaign[hh.village] & ~hh.npl  # village -1 maps to the spare last slot
        rated = sel & (self.latent_rate < u.p_rated_given_campaign)
        hh.rated |= rated
        hh.has_file |= sel
        grant = rated & (hh.line == 0) & (self.latent_line < u.p_line_given_rated)
        hh.line[grant] = self._credit_lines(grant)
        return self.count(grant)

    def _credit_lines(self, mask: np.ndarray) -> np.ndarray:
        u = self.cfg.uncertainties
        income = self.households.income[mask]
        rel = income / np.float32(self.cfg.population.income_rural_2015 * self.income_index)
        return np.minimum(u.credit_line_mean * np.sqrt(rel), u.credit_line_cap).astype(np.float32)

    def visit_grids(self, visits_per_grid: float) -> None:
        """Account managers' visits: unfiled households first (建档), then filed ones (trust, ratings)."""
        hh, u = self.households, self.cfg.uncertainties
        d = self.streams["visits"].random((4, hh.n), dtype=np.float32)
        g = self.grid_of
        unfiled = self.hh_active & ~hh.has_file
        n_unfiled = np.bincount(g[unfiled], minlength=self.n_managers)
        cap = np.float32(visits_per_grid)
        p_unf = np.minimum(1.0, cap / np.maximum(n_unfiled, 1)).astype(np.float32)
        visited = unfiled & (d[0] < p_unf[g])
        new_file = visited & (d[1] < u.p_file_per_visit)
        hh.has_file |= new_file
        filed = self.hh_active & hh.has_file & ~new_file
        spare = np.maximum(0.0, cap - n_unfiled)
        n_filed = np.bincount(g[filed], minlength=self.n_managers)
        p_fil = np.minimum(1.0, spare / np.maximum(n_filed, 1)).astype(np.float32)
        seen = filed & (d[0] < p_fil[g])
        visited |= seen
        hh.trust[visited] += u.visit_trust_gain * (1 - hh.trust[visited])
        rate = seen & ~hh.rated & (d[2] < u.p_rated_per_visit)
        hh.rated |= rate
        grant = rate & (hh.line == 0) & ~hh.npl & (self.latent_line < u.p_line_given_rated)
        hh.line[grant] = self._credit_lines(grant)
        if self.platform_active:
            promo = self.cfg.levers.digital_platform.promotion_per_visit
            hh.digital |= visited & hh.digital_access & (d[3] < promo)
        self.manager_visits += np.bincount(g[visited], minlength=self.n_managers) * self.weight
        self.manager_files += np.bincount(g[new_file], minlength=self.n_managers) * self.weight

    def hold_lectures(self, n: int) -> None:
        """普惠金融讲堂 in ``n`` villages chosen by size: attendees' literacy rises."""
        hh, u, p = self.households, self.cfg.uncertainties, self.places
        rng = self.streams["lectures"]
        where = rng.choice(p.village_size.size, size=n, p=p.village_size / p.village_size.sum())
        per_village = np.bincount(where, minlength=p.village_size.size + 1).astype(np.float32)
        rows = np.maximum(1, np.bincount(hh.village[self.hh_active] % (p.village_size.size + 1),
                                         minlength=p.village_size.size + 1))
        p_attend = np.minimum(1.0, per_village * (u.lecture_attendees / self.weight) / rows)
        p_attend[-1] = 0.0  # urban rows map to the spare slot
        d = rng.random(hh.n, dtype=np.float32)
        attend = self.hh_active & (d < p_attend[hh.village])
        hh.literacy[attend] += u.lecture_literacy_gain * (1 - hh.literacy[attend])
        hh.lectured |= attend
        self.lectures_held += n

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

    def run(self) -> TaizhouModel:
        """Run every month of the config (60 by default)."""
        while self.t < self.cfg.months:
            self.step()
        return self

    # ------------------------------------------------------------ measurement
    def _unsecured_balance(self) -> float:
        hh, ent = self.households, self.enterprises
        return self.balance(UNSECURED_PRODUCTS[hh.product]) + self.balance(ent.product == CREDIT, ent)

    def goal_values(self, t: int | None = None) -> dict[str, float]:
        """Every goal's value now (running values for cumulative and yearly goals)."""
        t = self.t - 1 if t is None else t
        hh, ent, p = self.households, self.enterprises, self.places
        farm = hh.kind != URBAN
        has = hh.product > 0
        unsecured = UNSECURED_PRODUCTS[hh.product]
        big = p.village_size >= self.cfg.levers.stations.min_village_size
        ent_bal = self.balance(ent.product > 0, ent)
        total = self.balance(has) + ent_bal
        green = self.balance(hh.green & has) + self.balance(ent.green & (ent.product > 0), ent)
        y = year_index(t)
        done_years = self.apps_by_year[:y] if (t + 1) % 12 else self.apps_by_year[: y + 1]
        apps = float(done_years.min()) if done_years.size else float(self.apps_by_year[y])
        year_months = self.ebank_by_month[12 * y:]
        return {
            "inclusive_spend_cum": self.ledger.total_spent,
            "village_coverage": float(p.village_served[big].mean()),
            "blank_villages": float((~p.village_served).sum()),
            "community_coverage": float(p.community_covered.mean()),
            "low_income_loans_cum": self.flows["low_income_disbursed"],
            "new_credit_loans_cum": self._unsecured_balance() - self.unsecured_2015,
            "agri_sme_loan_balance": self.balance(farm & has) + ent_bal,
            "fengshou_customers": self.count(hh.digital & self.hh_active) + self.count(ent.digital & self.ent_active),
            "ebank_substitution": float(np.mean(year_months)) if year_months else float("nan"),
            "industry_apps_per_year": apps,
            "green_credit_share": green / total if total else 0.0,
            "info_file_rate": float(hh.has_file[self.hh_active].mean()),
            "lectures_cum": float(self.lectures_held),
            "small_credit_balance": self.balance(unsecured),
            "small_credit_clients": self.count(unsecured),
            "farmer_loan_balance": self.balance(farm & has),
            "farmer_loan_clients": self.count(farm & has),
            "sme_loan_balance": self.balance((ent.kind == FIRM) & (ent.product > 0), ent),
            "sme_loan_clients": self.count((ent.kind == FIRM) & (ent.product > 0)),
        }

    def metrics(self, t: int) -> dict[str, float]:
        """The month's metrics in real-world units: every goal's running value and the model's state."""
        hh, ent, p = self.households, self.enterprises, self.places
        a = self.hh_active
        has = hh.product > 0
        loans = self.balance(has) + self.balance(ent.product > 0, ent)
        npl = self.balance(hh.npl) + self.balance(ent.npl, ent)
        out = self.goal_values(t)
        out.update(
            households_total=self.count(a),
            households_with_file=self.count(a & hh.has_file),
            households_rated=self.count(a & hh.rated),
            households_with_credit_line=self.count(a & (hh.line > 0)),
            credit_line_total=float(hh.line[a].sum(dtype=np.float64)) * self.weight,
            households_with_loan=self.count(has),
            loan_balance_total=loans,
            npl_ratio=npl / loans if loans else 0.0,
            digital_customers=out["fengshou_customers"],
            stations=float(p.village_station.sum()),
            device_points=float(p.village_device.sum()),
            villages_covered=float(p.village_served.sum()),
            communities_covered=float(p.community_covered.sum()),
            spend_cum=self.ledger.total_spent,
            low_income_loan_balance=self.balance(hh.product == LOW_INCOME_LOAN),
            small_credit_product_balance=self.balance(hh.product == SMALL_CREDIT),
            farm_secured_balance=self.balance(hh.product == FARM_LOAN),
            enterprises_total=self.count(self.ent_active),
            literacy_mean=float(hh.literacy[a].mean()),
            unmet_need_cum=self.flows["unmet_need"],
            written_off_cum=self.flows["written_off"],
            industry_apps_cum=self.apps_total,
            ebank_substitution_month=self.ebank_by_month[-1] if self.ebank_by_month else float("nan"),
        )
        return out

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

