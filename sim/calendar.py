"""Months, years and the conversion of annual rates to monthly ones: the model's one place for time units."""

from __future__ import annotations

import numpy as np

YEARS = (2016, 2017, 2018, 2019, 2020)
START_YEAR = YEARS[0]


def month_label(step: int) -> str:
    """The calendar month of a 0-based step: 0 -> '2016-01'."""
    year, month = divmod(step, 12)
    return f"{START_YEAR + year}-{month + 1:02d}"


def year_index(step: int) -> int:
    """0 for 2016 ... 4 for 2020."""
    return step // 12


def monthly_probability(annual: float | np.ndarray) -> float | np.ndarray:
    """The monthly probability equivalent to an annual one (constant hazard)."""
    return 1.0 - np.power(1.0 - np.clip(annual, 0.0, 1.0), 1.0 / 12.0)


def monthly_growth(annual: float) -> float:
    """The monthly growth factor equivalent to an annual growth rate."""
    return (1.0 + annual) ** (1.0 / 12.0)
