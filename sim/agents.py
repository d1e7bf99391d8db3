"""The four Mesa agent classes.

``Household`` and ``MicroEnterprise`` are views on one row of the model's column stores
(:mod:`sim.population`): reading or writing an attribute reads or writes the column, so the vectorised
monthly rules and the agent object always agree. Views are made on demand (``model.household(i)``),
never for every row, and kept once per row. ``AccountManager`` and ``Station`` are ordinary Mesa agents, a
few thousand of them; their per-month work is done in bulk through index arrays, and each keeps its own
record (visits made, files created, months open, households served).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.calendar import month_label
from sim.population import Enterprises, Households, column_names

if TYPE_CHECKING:
    from sim.model import TaizhouModel


def _column_property(store: str, name: str) -> property:
    def get(self):
        return getattr(getattr(self.model, store), name)[self.row].item()

    def set_(self, value):
        columns = getattr(self.model, store)
        getattr(columns, name)[self.row] = value
        columns.hazard_cap[self.row] = 0  # a loan's inputs may have changed: its hazard cap is unknown again

    return property(get, set_, doc=f"Column '{name}' of this row.")


class _RowView(mesa.Agent):
    """A Mesa agent whose attributes live in one row of a model's column store."""

    _store: str = ""

    def __init__(self, model: TaizhouModel, row: int):
        super().__init__(model)
        n = getattr(model, self._store).n
        if not 0 <= row < n:
            raise IndexError(f"row {row} outside 0..{n - 1}")
        self.row = int(row)

    def as_dict(self) -> dict:
        """All columns of this row."""
        return {name: getattr(self, name) for name in self._columns}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(row={self.row}, " + ", ".join(
            f"{k}={v!r}" for k, v in list(self.as_dict().items())[:6]
        ) + ", ...)"


def _with_columns(cls: type[_RowView], store_cls) -> type[_RowView]:
    cls._columns = column_names(store_cls)
    for name in cls._columns:
        setattr(cls, name, _column_property(cls._store, name))
    return cls


class Household(_RowView):
    """A household (or ``weight`` identical ones): a view on one row of ``model.households``.

    Example:
        >>> h = model.household(12)
        >>> h.has_file, h.line            # read the columns
        >>> h.line = 100_000              # and write them
    """

    _store = "households"


class MicroEnterprise(_RowView):
    """A firm, individual business or cooperative: a view on one row of ``model.enterprises``."""

    _store = "enterprises"


_with_columns(Household, Households)
_with_columns(MicroEnterprise, Enterprises)


class AccountManager(mesa.Agent):
    """An account manager with a grid (一人一格) of households to visit, file and rate, and hours to do it.

    The managers of a county bank put their hours together (:class:`Staff`, built from their agent set):
    loan applications first, then whole-village campaigns and lectures, then visits, which each manager makes
    in its own grid, seeking out the plan's priority groups (:func:`sim.behaviour.outreach.visit_grids`).

    Args:
        model: the model.
        grid: the grid's index; households carry their grid in ``model.world.grid_of`` (at a coarse weight
            several managers share one grid).
        county: the county of the grid.
        hours: hours a month for loan work and outreach.
    """

    def __init__(self, model: TaizhouModel, grid: int, county: int, hours: float):
        super().__init__(model)
        self.grid = grid
        self.county = county
        self.hours = hours

    @property
    def hours_by_task(self) -> dict[str, float]:
        """Last month's hours by task: the manager's share of its county's use."""
        staff = self.model.world.staff
        share = self.hours / staff.county_hours[self.county] if staff.county_hours[self.county] else 0.0
        return {task: float(used[self.county] * share) for task, used in staff.used.items()}

    def _share(self, per_grid: np.ndarray) -> float:
        # at a coarse weight several managers share a grid and split its figures evenly
        return float(per_grid[self.grid] / self.model.world.managers_per_grid[self.grid])

    @property
    def caseload(self) -> float:
        """Real households in the manager's grid."""
        return self._share(self.model.world.grid_households) * self.model.weight

    @property
    def visits_made(self) -> float:
        """Real household visits made since January 2016."""
        return self._share(self.model.world.grid_visits)

    @property
    def files_created(self) -> float:
        """Real information files (建档) created since January 2016."""
        return self._share(self.model.world.grid_files)


class Station(mesa.Agent):
    """A village financial service station (丰收驿站) or a device point, or a community outlet.

    A station serves its village's counter transactions up to its monthly capacity (a device point and a
    community outlet are not limited); the e-channel choice of the village's households sees how much of
    their demand it covers (:func:`sim.behaviour.digital.station_strength`).

    Args:
        model: the model.
        kind: 'station', 'device' or 'community'.
        place: the village (or community) index.
        opened: the step it opened (-1 if it existed at end-2015).
    """

    def __init__(self, model: TaizhouModel, kind: str, place: int, opened: int):
        super().__init__(model)
        self.kind = kind
        self.place = place
        self.opened = opened
        self.capacity = model.world.u.station_capacity_tx if kind == "station" else np.inf

    @property
    def opened_label(self) -> str:
        """The month it opened, or 'before 2016'."""
        return month_label(self.opened) if self.opened >= 0 else "before 2016"


class Staff:
    """The account managers' hours: one budget per county bank for loan processing, campaigns, lectures, visits.

    Each month every manager gives its ``hours`` for work outside the branch. Loan applications are
    processed first (the hours last month's applications needed are reserved), then whole-village campaigns
    and lectures take what they need, and visits get the rest. 普惠通 (``throughput`` > 1) makes every hour
    go further. The :class:`AccountManager` agents read their share of it.

    Args:
        manager_county: the county of each manager.
        manager_hours: each manager's hours a month for outreach and processing.
        conf: the uncertainties (hours each task needs).
        weight: real households or enterprises per row (applications are counted in real units).
    """

    TASKS = ("processing", "campaigns", "lectures", "visits")

    def __init__(self, manager_county: np.ndarray, manager_hours: np.ndarray, conf, weight: float):
        self.conf, self.weight = conf, weight
        self.managers = np.bincount(manager_county, minlength=9).astype(np.float64)
        self.county_hours = np.bincount(manager_county, weights=manager_hours, minlength=9)
        # before any month is seen, reserve what a quarter of the hours would process
        self.need_last = self.county_hours * 0.25
        self.new_month()

    @classmethod
    def of(cls, managers, conf, weight: float) -> Staff:
        """The staff of a set of :class:`AccountManager` agents (their counties and hours)."""
        return cls(np.asarray(managers.get("county"), np.intp), np.asarray(managers.get("hours"), float), conf, weight)

    def new_month(self, scale: float = 1.0) -> None:
        """A new month's hours; processing as many applications as last month is reserved first.

        Args:
            scale: real managers per declared manager (1; hired managers add their hours to visits).
        """
        self.available = self.county_hours * scale
        self.used = {task: np.zeros(9) for task in self.TASKS}
        self.reserved = np.minimum(self.available, self.need_last * self.conf.processing_reserve)
        self.available = self.available - self.reserved
        self.need = np.zeros(9)  # hours this month's applications need at 2015 productivity
        self.applications = np.zeros(9)
        self.processed = np.zeros(9)

    def take(self, task: str, county: np.ndarray, hours_each: float, throughput: float) -> np.ndarray:
        """Give hours to tasks in order, as long as their county has hours left.

        Args:
            task: 'campaigns', 'lectures' or 'visits'.
            county: the county of each task, in priority order.
            hours_each: hours one task needs at 2015 productivity.
            throughput: 普惠通's productivity factor.

        Returns:
            A boolean mask of the tasks done.
        """
        need = hours_each / max(throughput, 1e-9)
        done = np.zeros(county.size, bool)
        if county.size == 0:
            return done
        # the k-th task of a county is done when k x need fits in the county's hours
        order = np.argsort(county, kind="stable")
        c = county[order]
        first = np.searchsorted(c, np.arange(9))
        rank = np.arange(c.size) - first[c]
        fits = (rank + 1) * need <= self.available[c] + 1e-9
        done[order[fits]] = True
        spent = np.bincount(county[done], minlength=9) * need
        self.available -= spent
        self.used[task] += spent
        return done

    def visit_hours(self) -> np.ndarray:
        """What is left for visits, per county (then used up)."""
        left = self.available.copy()
        self.used["visits"] += left
        self.available[:] = 0
        return left

    def process(self, county: np.ndarray, order: np.ndarray, throughput: float, hours_each: float) -> np.ndarray:
        """Which of this month's applications the reserved hours can process.

        Args:
            county: each application's county.
            order: a uniform per application.
            throughput: 普惠通's productivity factor.
            hours_each: hours one application needs at 2015 productivity.

        Returns:
            A boolean mask of the applications processed this month; the others wait (and count as unmet).
        """
        if county.size == 0:
            return np.zeros(0, bool)
        per_row = hours_each * self.weight  # hours one row of applications needs
        self.applications += np.bincount(county, minlength=9) * self.weight
        self.need += np.bincount(county, minlength=9) * per_row
        left = np.maximum(0.0, self.reserved - self.used["processing"]) * throughput
        # each application is processed with the share of its county's need the hours cover (at any scale of
        # rows, the expected hours used are the hours there are)
        need = np.bincount(county, minlength=9) * per_row
        share = np.minimum(1.0, left / np.maximum(need, 1e-9))
        done = order < share[county]
        n_done = np.bincount(county[done], minlength=9)
        self.processed += n_done * self.weight
        self.used["processing"] += n_done * per_row / throughput
        return done

    def close_month(self) -> None:
        """Next month reserves what applications have needed lately.

        A moving average, so that the reservation swings neither with one month's applications nor with the
        scale of the rows.
        """
        self.need_last = 0.7 * self.need_last + 0.3 * self.need

    @property
    def unprocessed(self) -> float:
        """Real applications left unprocessed this month."""
        return float((self.applications - self.processed).sum())
