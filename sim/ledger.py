"""The programme's money: planned, spent and wanted, by year and lever, in CNY."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import YEARS, BudgetConf


class Ledger:
    """Money by year and lever.

    ``planned`` is the budget (total x phasing x allocation); ``moved`` is what year-end reallocation took
    from a lever (negative) or gave it (positive); ``spent`` is what the levers paid; ``wanted`` is what they
    would have paid with no budget limit, so that a lever starved of money and money a lever could not use
    are both visible.

    Args:
        levers: the lever names, in the model's order.
        budget: the budget config.
    """

    def __init__(self, levers: list[str], budget: BudgetConf):
        self.levers = list(levers)
        self.index = {name: i for i, name in enumerate(self.levers)}
        if budget.amounts:  # amounts in CNY per lever: the total is their sum
            alloc = np.array([budget.amounts.get(name, 0.0) for name in self.levers])
            total = 1.0
        else:
            alloc = np.array([budget.allocation.get(name, 0.0) for name in self.levers])
            total = budget.total_cny
        self.planned = total * np.outer(np.asarray(budget.phasing, float), alloc)
        self.moved = np.zeros_like(self.planned)
        self.spent = np.zeros_like(self.planned)
        self.wanted = np.zeros_like(self.planned)

    def available(self, lever: str, year: int) -> float:
        """Money the lever may still spend in ``year`` (index 0..4): its plan to date minus its spending."""
        i = self.index[lever]
        return max(0.0, (self.planned + self.moved)[: year + 1, i].sum() - self.spent[:, i].sum())

    def total_left(self, lever: str) -> float:
        """The lever's whole budget 2016-2020 minus its spending so far."""
        i = self.index[lever]
        return max(0.0, (self.planned + self.moved)[:, i].sum() - self.spent[:, i].sum())

    def shortfall(self, lever: str, year: int) -> float:
        """What the lever wanted but could not pay in ``year``."""
        i = self.index[lever]
        return max(0.0, self.wanted[year, i] - self.spent[year, i])

    def reallocate(self, year: int, released: dict[str, float]) -> float:
        """Move money levers released at the end of ``year`` to the levers short of money that year.

        Recipients get it in the next year, in proportion to their shortfall. Returns the CNY moved.
        """
        short = {name: self.shortfall(name, year) for name in self.levers if name not in released}
        short = {name: v for name, v in short.items() if v > 0}
        pool = sum(released.values())
        if pool <= 0 or not short or year + 1 >= len(YEARS):
            return 0.0
        for name, amount in released.items():
            self.moved[year, self.index[name]] -= amount
        total_short = sum(short.values())
        for name, v in short.items():
            self.moved[year + 1, self.index[name]] += pool * v / total_short
        return pool

    def monthly_allowance(self, lever: str, year: int, month_of_year: int) -> float:
        """For flow levers (fees, rate discounts): what is available spread over the year's remaining months."""
        return self.available(lever, year) / (12 - month_of_year)

    def record(self, lever: str, year: int, spent: float, wanted: float | None = None) -> None:
        """Book spending (and the unconstrained want) for a lever in a year."""
        i = self.index[lever]
        self.spent[year, i] += spent
        self.wanted[year, i] += spent if wanted is None else wanted

    @property
    def total_spent(self) -> float:
        """Everything spent so far."""
        return float(self.spent.sum())

    def table(self) -> pd.DataFrame:
        """Tidy ledger: year, lever, planned, moved (reallocated in or out), spent, wanted, unspent, shortfall."""
        years = np.repeat(np.asarray(YEARS), len(self.levers))
        levers = np.tile(self.levers, len(YEARS))
        df = pd.DataFrame(
            {
                "year": years,
                "lever": levers,
                "planned": self.planned.ravel(),
                "moved": self.moved.ravel(),
                "spent": self.spent.ravel(),
                "wanted": self.wanted.ravel(),
            }
        )
        df["unspent"] = df["planned"] + df["moved"] - df["spent"]
        df["shortfall"] = (df["wanted"] - df["spent"]).clip(lower=0)
        money = ["planned", "moved", "spent", "wanted", "unspent", "shortfall"]
        df[money] = df[money].round(2)  # CNY to the fen: float noise below that is not money
        return df
