"""Service points: 丰收驿站 stations, self-service devices and community outlets (plan §四(一)).

An outlet opens where there is none, in the lever's priority order, only when the lever's money covers its
capex and the opex of every programme outlet to the end of the run, so an outlet once opened is never left
unpaid. Outlets the plan wanted but money did not allow wait in a backlog; outlets with nowhere to go are
reported as units unplaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim.calendar import year_index
from sim.levers.base import PLAN, Lever, LeverConf, goals_moved, yearly
from sim.params import param


@dataclass
class OutletConf(LeverConf):
    """What every outlet lever has: capex and opex."""

    capex: float = param(0.0, unit="CNY per outlet", low=0, source="prior")
    opex_per_year: float = param(0.0, unit="CNY per outlet per year", low=0, source="prior")


class OutletLever(Lever):
    """Open outlets where there is none: pay capex, then opex every month while they are open."""

    kind: ClassVar[str] = ""

    def __init__(self, conf, purse):
        super().__init__(conf, purse)
        self.opened = 0  # programme outlets open
        self.backlog = 0
        self.unplaced = 0  # outlets wanted that had nowhere to go

    def releasable(self, world, year):
        """An outlet lever keeps its money while it has places to serve; then it keeps the opex it committed."""
        if self.conf.enabled and (self.backlog or self.candidates(world).any()):
            return 0.0
        committed = self.opened * self.conf.opex_per_year / 12.0 * (world.months - 12 * (year + 1))
        return max(0.0, min(self.purse.available(year), self.purse.total_left() - committed))

    def candidates(self, world) -> np.ndarray:
        """Places that could get one now (boolean mask)."""
        raise NotImplementedError

    def mark(self, world, places: np.ndarray) -> None:
        """Record the new outlets in the world's places."""
        raise NotImplementedError

    def order(self, world, idx: np.ndarray) -> np.ndarray:
        """The candidates in the order they get an outlet (default: as listed)."""
        return np.arange(idx.size)

    def step(self, world, policy, t):
        """Open what is due and affordable; pay capex of the new ones and opex of all."""
        c, y = self.conf, year_index(t)
        opex_month = c.opex_per_year / 12.0
        opex = self.opened * opex_month
        due = self.units_this_month(self.intensity(t))
        self.backlog += due  # outlets the plan wanted but money or places did not allow yet
        affordable = self._affordable(world, t, opex_month) if c.capex > 0 else self.backlog
        cand = self.candidates(world)
        n = min(self.backlog, max(0, affordable))
        idx = np.flatnonzero(cand)
        places = idx[self.order(world, idx)[:n]] if n > 0 and idx.size else idx[:0]
        if places.size:
            self.mark(world, places)
            world.access_changed()
        self.opened += len(places)
        self.backlog -= len(places)
        if not (cand.sum() - len(places)):  # nowhere left to put one
            self.unplaced += self.backlog
            self.backlog = 0
        # opex beyond the money to date (a budget cut in the middle of the run) is a shortfall, never an overspend
        cost = opex + len(places) * c.capex
        self.purse.pay(y, min(cost, self.purse.available(y)), opex + due * c.capex)

    def _affordable(self, world, t: int, opex_month: float) -> int:
        """New outlets whose capex now and opex to the end of the run the money to date pays, at every year end.

        At the end of each remaining year the lever's money to date must cover what it has spent, the opex of
        the outlets open until then and the new ones' capex and opex: an outlet once opened is never left
        unpaid and no year spends ahead of its phasing.
        """
        c = self.conf
        y = year_index(t)
        best = None
        for end in range(y, year_index(world.months - 1) + 1):
            months = 12 * (end + 1) - t  # this month to the end of that year
            free = self.purse.available(end) - self.opened * opex_month * months
            n = free // (c.capex + opex_month * months)
            best = n if best is None else min(best, n)
        return max(0, int(best or 0))


@dataclass
class StationsConf(OutletConf):
    """丰收驿站 / 一村一中心: stations opened per year in villages of 200+ residents."""

    intensity: list[float] = yearly([1300, 1300, 700, 250, 100], "stations per year",
                                       f"{PLAN} §四(一): a station in every 200+ village by 2020; yearly split a prior")
    moves: list[str] = goals_moved("village_coverage", "blank_villages", "ebank_substitution")
    capex: float = param(prior="station_capex", unit="CNY per station", low=0)
    opex_per_year: float = param(prior="station_opex_per_year", unit="CNY per station per year", low=0)
    priority: str = param("remote_first", choices=("remote_first", "largest_first", "random"),
                          source="plan §二(一), §四(一): remote villages, islands and mountains first")


class Stations(OutletLever):
    """丰收驿站 / 一村一中心: a station in every village of ``population.coverage_min_residents``+ residents.

    ``priority`` decides which villages get one first: largest_first, remote_first or random.
    """

    name = "stations"
    conf_class = StationsConf
    kind = "station"

    def candidates(self, world):
        """Unserved villages of the station size."""
        p = world.places
        return p.village_exists & ~p.village_served & (p.village_size >= world.pop.coverage_min_residents)

    def order(self, world, idx):
        """Remote first, largest first, or random.

        Remote first: mountain, island and far villages, then low-income concentrations, then distance.
        """
        p = world.places
        if self.conf.priority == "largest_first":
            return np.argsort(-p.village_size[idx], kind="stable")
        if self.conf.priority == "remote_first":
            return np.lexsort((-p.village_distance[idx], -world.village_low_income_share[idx],
                               ~world.village_remote[idx]))
        return world.streams.month("stations").permutation(idx.size)

    def mark(self, world, places):
        """The villages have a station."""
        world.places.village_station[places] = True


@dataclass
class DevicesConf(OutletConf):
    """自助机具 in villages below the station size: device points placed per year."""

    intensity: list[float] = yearly([200, 200, 200, 200, 100], "device points per year",
                                       f"{PLAN} §四(一): 自助机具 for the villages under 200; yearly split a prior")
    moves: list[str] = goals_moved("blank_villages")
    capex: float = param(15_000, unit="CNY per device point", low=0, source="prior: a 助农取款 terminal and set-up")
    opex_per_year: float = param(3_000, unit="CNY per device point per year", low=0, source="prior")


class Devices(OutletLever):
    """自助机具: self-service device points in villages below the station size, as listed."""

    name = "devices"
    conf_class = DevicesConf
    kind = "device"

    def candidates(self, world):
        """Unserved villages below the station size."""
        p = world.places
        return p.village_exists & ~p.village_served & (p.village_size < world.pop.coverage_min_residents)

    def order(self, world, idx):
        """Villages in list order (no priority: small villages are alike)."""
        return np.argsort(-world.places.village_size[idx], kind="stable")

    def mark(self, world, places):
        """The villages have a device point."""
        world.places.village_device[places] = True


@dataclass
class CommunityOutletsConf(OutletConf):
    """社区银行: community outlets opened per year in urban communities."""

    intensity: list[float] = yearly([6, 8, 10, 10, 6], "outlets per year", f"{PLAN} §四(一): 社区银行; yearly "
                                       "numbers a prior")
    moves: list[str] = goals_moved("community_coverage")
    capex: float = param(300_000, unit="CNY per outlet", low=0, source="prior")
    opex_per_year: float = param(60_000, unit="CNY per outlet per year", low=0, source="prior")


class CommunityOutlets(OutletLever):
    """社区银行: community outlets in urban communities without one."""

    name = "community_outlets"
    conf_class = CommunityOutletsConf
    kind = "community"

    def candidates(self, world):
        """Communities without an outlet."""
        return ~world.places.community_covered

    def mark(self, world, places):
        """The communities have an outlet."""
        world.places.community_covered[places] = True
