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
        getattr(getattr(self.model, store), name)[self.row] = value

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
    """An account manager with a grid (一人一格) of households to visit, file and rate.

    Args:
        model: the model.
        grid: the grid's index; households carry their grid in ``model.world.grid_of`` (at a coarse weight
            several managers share one grid).
        county: the county of the grid.
    """

    def __init__(self, model: TaizhouModel, grid: int, county: int):
        super().__init__(model)
        self.grid = grid
        self.county = county

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

    @property
    def opened_label(self) -> str:
        """The month it opened, or 'before 2016'."""
        return month_label(self.opened) if self.opened >= 0 else "before 2016"
