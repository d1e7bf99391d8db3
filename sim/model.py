"""The model: Taizhou's rural credit system month by month, January 2016 to December 2020.

One :meth:`TaizhouModel.step` is one month. Its order is written once, here:

1. demography: households and enterprises form; incomes grow; in January 2017 villages merge;
   the bank's funding, capital and caution and the managers' hours for the month are set;
2. levers, in the month's order of :data:`sim.levers.LEVERS`: each decides, pays and writes the month's
   :class:`sim.policy.Policy` (outlets open, the platform runs, managers visit, villages are campaigned, ...);
3. digital access and platform adoption;
4. credit: households, then enterprises (repay, default, demand, uptake);
5. neighbours' shares are updated and the month's metrics are recorded, with their breakdown by group
   (:mod:`sim.equity`).

Before January 2016 the model runs ``spinup_months`` of 2015 practice (no programme, prices and population
held at end-2015), so that the loan book, arrears and write-offs of end-2015 are the steady state of the
rules rather than an imposed stock.
"""

from __future__ import annotations

import numpy as np
from mesa import Model

from sim import behaviour
from sim.agents import AccountManager, Household, MicroEnterprise, Staff, Station
from sim.calendar import month_label, year_index
from sim.config import SimConf
from sim.equity import Equity
from sim.goals import goal_values, scorecard, unsecured_balance
from sim.ledger import Ledger
from sim.levers import LEVER_NAMES, build_levers
from sim.metrics import month_metrics
from sim.policy import Policy
from sim.world import SpunUp, World

MERGER_MONTH = 12  # January 2017: Zhejiang's merger of administrative villages


class TaizhouModel(Model):
    """Taizhou rural credit's inclusive-finance programme, 2016-2020.

    Args:
        cfg: a validated :class:`sim.config.SimConf`.

    Example:
        >>> from sim import load_config, TaizhouModel
        >>> model = TaizhouModel(load_config(["population.weight=100"]))
        >>> model.run().scorecard()
    """

    def __init__(self, cfg: SimConf):
        super().__init__(rng=cfg.seed)
        self.cfg = cfg
        self.ledger = Ledger(list(LEVER_NAMES), cfg.budget)
        self.levers = build_levers(cfg.levers, self.ledger)
        self.policy = Policy()
        self.records: list[dict[str, float]] = []
        self._views: dict[tuple[str, int], object] = {}
        key = World.spinup_key(cfg)
        cached = SpunUp.get(key)
        w = self.world = World(cfg) if cached is None else cached[0].copy_for(cfg)
        AccountManager.create_agents(self, w.n_managers, grid=w.manager_grid.tolist(),
                                     county=w.grid_county[w.manager_grid].tolist(),
                                     hours=cfg.population.manager_hours_per_month)
        self._stations_seen = (w.places.village_station.copy(), w.places.village_device.copy(),
                               w.places.community_covered.copy())
        for kind, mask in zip(("station", "device", "community"), self._stations_seen, strict=True):
            for place in mask.nonzero()[0].tolist():
                Station(self, kind, place, -1)
        self._station_capacity()
        if cached is None:
            w.staff = Staff.of(self.agents_by_type[AccountManager], cfg.uncertainties, w.weight)
            self._spin_up(cfg.spinup_months)
            carries = [(lv._carry, lv._row_carry) for lv in self.levers]
            SpunUp.keep(key, lambda: (w.copy_for(cfg), dict(self.spinup_flows), carries))
        else:
            self.spinup_flows = dict(cached[1])
            for lever, (carry, row_carry) in zip(self.levers, cached[2], strict=True):
                lever._carry, lever._row_carry = carry, row_carry
        w.unsecured_2015 = unsecured_balance(w.last_groups)
        self.state_2015 = month_metrics(w, self.ledger, -1)  # end-2015, after the spin-up (calibration)
        self.goals_2015 = goal_values(w, 0.0, 0)  # the base of cost per unit
        self.equity = Equity(w)  # groups fixed at end-2015, after the spin-up

    def _spin_up(self, months: int) -> None:
        """Months of 2015 practice before January 2016; then the tallies start from zero."""
        w = self.world
        for lever in self.levers:
            lever.spinup = True
        w.t = -months
        while w.t < 0:
            self._month(w.t)
            w.t += 1
        for lever in self.levers:
            lever.spinup = False
        self.spinup_flows = dict(w.flows)  # what 2015 practice did in the spin-up (calibration)
        w.reset_tallies()
        g = w.last_groups
        w.bank.start(float(g["hh_bal"].sum() + g["ent_bal"].sum()))

    # ------------------------------------------------------------ the month
    def step(self) -> None:
        """One month; the order is the module docstring's."""
        w, t = self.world, self.t
        if t >= self.cfg.months:
            self.running = False
            return
        if t and t % 12 == 0 and self.cfg.budget.reallocate_unspent:
            released = {lv.name: lv.releasable(w, year_index(t) - 1) for lv in self.levers}
            self.ledger.reallocate(year_index(t) - 1, {k: v for k, v in released.items() if v > 0})
        self._month(t)
        self.records.append(month_metrics(w, self.ledger, t))
        self.equity.measure(self.policy, t)
        w.t += 1
        if w.t >= self.cfg.months:
            self.running = False

    def _month(self, t: int) -> None:
        w, spinup = self.world, t < 0
        w.streams.new_month(t)
        w.refresh_active()
        w.refresh_grids()
        if not spinup:
            w.grow_incomes()
        if t == MERGER_MONTH and self.cfg.population.villages_2017 < self.cfg.population.villages:
            self._merge_villages(self.cfg.population.villages - self.cfg.population.villages_2017)
        g = w.last_groups
        loans = float(g["hh_bal"].sum() + g["ent_bal"].sum())
        npl = float(g["hh_bal"][:, :, :, 1].sum() + g["ent_bal"][:, :, :, 1].sum())
        w.bank.new_month(loans, npl / loans if loans else 0.0, w.written_off_month, grow=not spinup,
                         household_share=float(g["hh_bal"].sum()) / loans if loans else 0.5)
        w.staff.new_month()
        self.policy = policy = Policy()
        for lever in self.levers:
            if lever.in_spinup or not spinup:
                lever.step(w, policy, t)
        self._open_station_agents(t)
        written_before = w.flows["written_off"]
        if not spinup:  # the spin-up settles the loan book; digital use stays at its end-2015 level
            behaviour.digital_adoption(w, policy, t)
        behaviour.household_credit(w, policy, t)
        behaviour.enterprise_credit(w, policy, t)
        w.written_off_month = w.flows["written_off"] - written_before
        w.rationed_cum += w.bank.rationed
        w.staff.close_month()
        w.update_peers()
        if spinup:
            w.last_groups = w.loan_groups()
        else:  # the spin-up's shares would be dropped with its tallies (World.reset_tallies)
            w.ebank_by_month.append(behaviour.ebank_share(w, policy))

    def _merge_villages(self, n: int) -> None:
        """Villages merge; their service points' agents move to the village they joined."""
        w = self.world
        moved = set(w.merge_villages(n).tolist())
        for agent in self.agents_by_type.get(Station, []):
            if agent.kind != "community" and agent.place in moved:
                agent.place = int(w.merged_into[agent.place])
        places = w.places
        self._stations_seen = (places.village_station.copy(), places.village_device.copy(),
                               places.community_covered.copy())
        self._station_capacity()

    def _open_station_agents(self, t: int) -> None:
        """A Mesa agent for every service point the levers opened this month."""
        places = self.world.places
        now = (places.village_station, places.village_device, places.community_covered)
        for kind, before, after in zip(("station", "device", "community"), self._stations_seen, now, strict=True):
            opened = (after & ~before).nonzero()[0].tolist()
            for place in opened:
                station = Station(self, kind, place, t)
                if kind == "station":  # the capacities add in the agents' order, as _station_capacity adds them
                    self.world.station_capacity[place] += station.capacity
            before[:] = after

    def _station_capacity(self) -> None:
        """Each village's station capacity: the sum of its stations' (a merged village may have two)."""
        stations = [a for a in self.agents_by_type.get(Station, []) if a.kind == "station"]
        cap = np.zeros(self.world.places.village_size.size)
        np.add.at(cap, [a.place for a in stations], [a.capacity for a in stations])
        self.world.station_capacity = cap

    def run(self) -> TaizhouModel:
        """Run every month of the config (60 by default)."""
        while self.t < self.cfg.months:
            self.step()
        return self

    # ------------------------------------------------------------ reading the state
    @property
    def t(self) -> int:
        """Months done."""
        return self.world.t

    @property
    def month(self) -> str:
        """The last month simulated, e.g. '2018-06' ('2015-12' before the first step)."""
        return month_label(self.t - 1) if self.t else "2015-12"

    @property
    def households(self):
        """The household column store."""
        return self.world.households

    @property
    def enterprises(self):
        """The enterprise column store."""
        return self.world.enterprises

    @property
    def places(self):
        """Villages and communities."""
        return self.world.places

    @property
    def weight(self) -> float:
        """Real households per row."""
        return self.world.weight

    @property
    def n_managers(self) -> int:
        """Account managers at end-2015."""
        return self.world.n_managers

    def goal_values(self, t: int | None = None) -> dict[str, float]:
        """Every goal's value now (running values for cumulative and yearly goals)."""
        return goal_values(self.world, self.ledger.total_spent, self.t - 1 if t is None else t)

    def scorecard(self):
        """The goals scored on the last month run."""
        return scorecard(self.goal_values())

    def household(self, row: int) -> Household:
        """A Mesa agent view of one household row (made once per row, on demand)."""
        return self._view(Household, "households", row)

    def enterprise(self, row: int) -> MicroEnterprise:
        """A Mesa agent view of one enterprise row (made once per row, on demand)."""
        return self._view(MicroEnterprise, "enterprises", row)

    def _view(self, cls, store: str, row: int):
        key = (store, int(row))
        if key not in self._views:
            self._views[key] = cls(self, row)
        return self._views[key]
