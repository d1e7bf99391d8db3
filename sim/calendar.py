"""Months, years and the conversion of annual rates to monthly ones: the model's one place for time units."""

from __future__ import annotations

import numpy as np

from sim.config import YEARS

START_YEAR = YEARS[0]

# Credit demand by calendar month for farm households: spring planting after the Spring Festival and the
# autumn harvest (prior; mean 1 so that annual rates keep their meaning).
_FARM_SEASON = np.array([1.0, 1.4, 1.4, 1.2, 0.9, 0.8, 0.8, 0.8, 1.0, 1.0, 0.9, 1.0])
FARM_SEASON = _FARM_SEASON / _FARM_SEASON.mean()


def month_label(step: int) -> str:
    """The calendar month of a 0-based step: 0 -> '2016-01'."""
    year, month = divmod(step, 12)
    return f"{START_YEAR + year}-{month + 1:02d}"


def year_of(step: int) -> int:
    """The calendar year of a 0-based step."""
    return START_YEAR + step // 12


def year_index(step: int) -> int:
    """0 for 2016 ... 4 for 2020."""
    return step // 12


def monthly_probability(annual: float | np.ndarray) -> float | np.ndarray:
    """The monthly probability equivalent to an annual one (constant hazard)."""
    return 1.0 - np.power(1.0 - np.clip(annual, 0.0, 1.0), 1.0 / 12.0)


def monthly_growth(annual: float) -> float:
    """The monthly growth factor equivalent to an annual growth rate."""
    return (1.0 + annual) ** (1.0 / 12.0)

