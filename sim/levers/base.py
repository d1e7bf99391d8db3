"""What every lever has: its declared parameters, its money, its yearly intensity, its monthly step.

A lever is one class with its config dataclass beside it. Each month the model calls
``lever.step(world, policy, t)`` in the month's order (:data:`sim.levers.LEVERS`); a lever decides what the
programme does this month, pays for it from its purse, acts on the world through the behaviour rules it
names, and writes what the households' rules must know into the month's :class:`sim.policy.Policy`.
Money is booked in one of three ways, one base class each: whole units at a unit cost
(:class:`UnitLever`), outlets with capex and opex (:class:`sim.levers.outlets.OutletLever`), and monthly
flows capped by the month's allowance (:class:`FlowLever`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.calendar import year_index
from sim.goals import GOAL_IDS
from sim.params import param, spec_of

if TYPE_CHECKING:
    from sim.ledger import Ledger
    from sim.policy import Policy
    from sim.world import World

PLAN = "plan"


@dataclass
class LeverConf:
    """What every lever has: on/off, a yearly intensity 2016..2020, a scale, and the goals it moves.

    Subclasses declare ``intensity`` again with its unit and the plan's values.
    """

    enabled: bool = param(True, source="plan: every mechanism of the plan runs", doc="whether the programme runs it")
    intensity: list[float] = param([0.0] * 5, unit="per year", source="prior", low=0, length=5,
                                   doc="the programme's intensity in 2016..2020")
    scale: float = param(1.0, unit="× intensity", source="run setting: 1 = the plan", low=0, high=20,
                         doc="multiplies every year's intensity (one number per lever for experiments)")
    moves: list[str] = param([], source="model design: the goals the mechanism acts on", choices=GOAL_IDS,
                             doc="goals the lever is meant to move (turning it off must move them back)")


def yearly(values: list[float], unit: str, source: str, high: float | None = None) -> list[float]:
    """Declare a lever's yearly intensity 2016..2020 (the plan's values) with its unit, source and cap.

    ``high`` caps the intensity (1 for shares); ``scale`` cannot push it past the cap either.
    """
    return param([float(v) for v in values], unit=unit, low=0, high=high, length=5, source=source,
                 doc="the programme's intensity in 2016..2020")


def goals_moved(*goals: str) -> list[str]:
    """Declare the goals a lever is meant to move."""
    return param(list(goals), source="model design: the goals the mechanism acts on", choices=GOAL_IDS,
                 doc="goals the lever is meant to move (turning it off must move them back)")


class Purse:
    """A lever's view of the ledger: its money to date, its whole budget, and its bookings.

    Args:
        ledger: the run's ledger.
        name: the lever's name in it.
    """

    def __init__(self, ledger: Ledger, name: str):
        self.ledger, self.name = ledger, name

    def available(self, year: int) -> float:
        """Money the lever may still spend in ``year``: its plan to date minus its spending (none before 2016)."""
        return self.ledger.available(self.name, year) if year >= 0 else 0.0

    def total_left(self) -> float:
        """The lever's whole 2016-2020 budget minus its spending so far."""
        return self.ledger.total_left(self.name)

    def allowance(self, year: int, month_of_year: int) -> float:
        """For flows: what is available spread over the year's remaining months."""
        return self.ledger.monthly_allowance(self.name, year, month_of_year) if year >= 0 else 0.0

    def pay(self, year: int, spent: float, wanted: float | None = None) -> None:
        """Book spending (and what the lever would have spent without a budget limit); nothing before 2016."""
        if year >= 0:
            self.ledger.record(self.name, year, spent, wanted)

    def shortfall(self, year: int) -> float:
        """What the lever wanted but could not pay in ``year``."""
        return self.ledger.shortfall(self.name, year) if year >= 0 else 0.0


class Lever:
    """Base class: the config, the year's intensity and the purse.

    Args:
        conf: the lever's config node.
        purse: its money.

    Class attributes:
        name: its key under ``levers``.
        conf_class: its config dataclass.
        after: levers whose effect this month it reads (declared; the month's order honours them).
    """

    name: ClassVar[str] = ""
    conf_class: ClassVar[type[LeverConf]] = LeverConf
    after: ClassVar[tuple[str, ...]] = ()
    # runs in the spin-up before 2016; outreach that changes files and lines does not (their end-2015 levels
    # are declared facts, which the spin-up must not move)
    in_spinup: ClassVar[bool] = True

    def __init__(self, conf: LeverConf, purse: Purse):
        self.conf = conf
        self.purse = purse
        spec = spec_of(next(f for f in dataclasses.fields(conf) if f.name == "intensity"))
        self._cap = spec.high if spec is not None else None
        self.spinup = False  # months before 2016: 2015 practice only, no programme
        self._carry = 0.0  # fractional units carried between months
        self._row_carry = 0.0  # fractional rows carried between months (units done on whole rows)

    def intensity(self, t: int) -> float:
        """The programme's intensity in the year of step ``t``, times its scale, within its cap (0 when off)."""
        if not self.conf.enabled or self.spinup:
            return 0.0
        value = float(self.conf.intensity[year_index(t)]) * self.conf.scale
        return min(value, self._cap) if self._cap is not None else value

    def active(self, t: int) -> bool:
        """Whether the programme runs this lever in the year of step ``t``."""
        return self.intensity(t) > 0

    def units_this_month(self, per_year: float) -> int:
        """Whole units due this month from a yearly count, carrying fractions forward."""
        self._carry += per_year / 12.0
        whole = int(np.floor(self._carry + 1e-9))
        self._carry -= whole
        return whole

    def rows_for(self, real: float, weight: float) -> int:
        """Whole rows for a count of real units, carrying the fraction to the next call."""
        total = real / weight + self._row_carry
        rows = int(np.floor(total + 1e-9))
        self._row_carry = total - rows
        return rows

    def releasable(self, world: World, year: int) -> float:
        """Money this lever can give up at the end of ``year``: what is left to date when it wanted no more."""
        if self.purse.shortfall(year) > 0 and self.conf.enabled:
            return 0.0
        return self.purse.available(year)

    def step(self, world: World, policy: Policy, t: int) -> None:  # pragma: no cover - interface
        """Do this month's work: decide, pay, act, and write the policy state."""
        raise NotImplementedError


class UnitLever(Lever):
    """A lever that does whole units (campaigns, lectures, apps, ratings): 2015 practice free, the rest paid."""

    def units_due(self, t: int, baseline_per_year: float, unit_cost: float) -> tuple[int, float, float]:
        """This month's whole units: 2015 practice (free) plus the programme's (paid, capped by money).

        Args:
            t: the step.
            baseline_per_year: units a year that 2015 practice does anyway, at no programme cost.
            unit_cost: CNY per programme unit.

        Returns:
            The units to do (free and affordable paid ones), the free ones among them, and the paid units
            the lever wanted this month.
        """
        total = baseline_per_year + self.intensity(t)
        n = self.units_this_month(total)
        if n == 0:
            return 0, 0.0, 0.0
        wanted = n * self.intensity(t) / total
        paid = wanted
        if unit_cost > 0:
            paid = min(wanted, self.purse.available(year_index(t)) / unit_cost)
        return int(np.floor(n - wanted + paid + 1e-9)), n - wanted, wanted

    @staticmethod
    def paid_units(done: float, due: int, free: float) -> float:
        """Of ``done`` units (at most ``due``), those the programme pays for: the ones beyond 2015 practice."""
        return max(0.0, min(done, due) - free)


class FlowLever(Lever):
    """A lever whose monthly cost is a flow (per covered unit or on balances), capped by the month's money.

    Subclasses give :meth:`want` (CNY this month at the year's intensity) and :meth:`effect`, which writes
    the policy state for the part of the intensity the money paid for (``paid_share`` in [0, 1]).
    ``pace = "allowance"`` spreads what is available over the year's remaining months; ``"to_date"`` lets a
    month spend everything available to date (yearly spends such as the platform's).
    """

    pace: ClassVar[str] = "allowance"
    always_want: ClassVar[bool] = False  # cost runs on after the lever stops (discounts on existing balances)

    def want(self, world: World, t: int) -> float:
        """CNY this month if fully paid."""
        raise NotImplementedError

    def effect(self, world: World, policy: Policy, t: int, paid_share: float) -> None:
        """Write the policy state for the paid part of the intensity."""
        raise NotImplementedError

    def step(self, world, policy, t):
        """Pay the month's flow as far as money allows, then take effect in proportion."""
        y = year_index(t)
        want = self.want(world, t) if (self.always_want or self.active(t)) else 0.0
        limit = self.purse.allowance(y, t % 12) if self.pace == "allowance" else self.purse.available(y)
        spend = min(want, limit)
        self.purse.pay(y, spend, want)
        self.effect(world, policy, t, spend / want if want > 0 else 0.0)
