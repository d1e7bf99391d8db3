"""The bank's own limits: funding (deposits and a loan-to-deposit cap), capital, and caution after losses.

Lending grows within the funding the deposits give (``ldr_cap`` x deposits) and within capital (capital /
(minimum capital ratio x risk weight)). Capital grows with retained earnings and falls with write-offs. When
the non-performing ratio rises above the bank's tolerance, it tightens approvals (``caution`` < 1). Each month
the room for new lending is what the tighter limit leaves; when new loans would pass it, they are rationed
and the amount is reported (``credit_rationed_cny``, ``binding_funding``, ``binding_capital``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.calendar import monthly_growth

if TYPE_CHECKING:
    from sim.config import BankConf


@dataclass
class Bank:
    """Funding, capital and caution of Taizhou rural credit, in real CNY.

    Args:
        conf: the bank's declared parameters.
        loans: the loan book the spin-up starts from (CNY); deposits and capital are set from it.
    """

    conf: BankConf
    loans: float
    loss_given_default: float = 0.5

    def __post_init__(self):
        c = self.conf
        self.deposits = self.loans / c.ldr_2015
        self.capital = self.loans * c.risk_weight * c.capital_ratio_2015
        self.caution = 1.0
        self.segment_room = {"households": 0.0, "enterprises": 0.0}
        self.limit = 0.0
        self.rationed = 0.0  # CNY of new loans refused for want of funding or capital this month
        self.binding = ""  # "funding", "capital" or ""

    def start(self, loans: float) -> None:
        """Set deposits and capital from the loan book at the end of the spin-up (end-2015)."""
        c = self.conf
        self.loans = loans
        self.deposits = loans / c.ldr_2015
        self.capital = loans * c.risk_weight * c.capital_ratio_2015

    def new_month(self, loans: float, npl_ratio: float, written_off: float, grow: bool = True,
                  household_share: float = 0.5) -> None:
        """Deposits and capital move; caution follows arrears; the room for new loans is set.

        Args:
            loans: the loan balance now (CNY).
            npl_ratio: the non-performing share of it.
            written_off: CNY written off last month (its loss given default is a loss to capital).
            grow: deposits grow (not in the spin-up, which holds 2015 at its level).
            household_share: households' share of the loan book: their share of this month's room, so that
                neither households nor enterprises take all of it by going first.
        """
        c = self.conf
        if grow:
            self.deposits *= monthly_growth(c.deposit_growth)
        self.capital += loans * c.return_on_loans / 12.0 - written_off * self.loss_given_default
        excess = max(0.0, npl_ratio - c.npl_tolerance) / c.npl_tolerance
        self.caution = float(np.clip(1.0 - c.caution_slope * excess, c.caution_floor, 1.0))
        funding = c.ldr_cap * self.deposits
        capital = max(0.0, self.capital) / (c.capital_ratio_min * c.risk_weight)
        self.limit = min(funding, capital)
        self.binding = ""
        # the spin-up reaches 2015's steady state first; the limits hold from 2016 (``grow``)
        room = max(0.0, self.limit - loans) if grow else np.inf
        self.segment_room = {"households": room * household_share, "enterprises": room * (1 - household_share)}
        self._funding_binds = funding <= capital
        self.rationed = 0.0

    def lend(self, amounts: np.ndarray, order: np.ndarray, segment: str) -> np.ndarray:
        """Which of the approved new loans the room allows: in order of ``order`` (a uniform per loan).

        Args:
            amounts: real CNY of each approved loan.
            order: a uniform per loan; the loans with the smallest go first (a random queue, CRN-aligned).
            segment: ``households`` or ``enterprises`` (each has its share of the month's room).

        Returns:
            A boolean mask of the loans made.
        """
        if amounts.size == 0:
            return np.zeros(0, bool)
        total = float(amounts.sum(dtype=np.float64))
        # when the whole queue fits, so does each of its first loans (the margin covers the rounding of the
        # same sums added in the queue's order): no queue to sort, the same loans made
        if total * (1 + 4 * amounts.size * np.finfo(np.float64).eps) <= self.segment_room[segment]:
            made = np.ones(amounts.size, bool)
        else:
            queue = np.argsort(order, kind="stable")
            within = np.cumsum(amounts[queue].astype(np.float64)) <= self.segment_room[segment]
            made = np.zeros(amounts.size, bool)
            made[queue[within]] = True
        lent = float(amounts[made].sum(dtype=np.float64))
        refused = total - lent
        self.segment_room[segment] -= lent
        if refused > 0:
            self.rationed += refused
            self.binding = "funding" if self._funding_binds else "capital"
        return made
