"""Loan products and their pricing.

Rate discounts (让利), the low-income product (低收入农户贷款), housing renovation loans (治危拆违), worker
cards (一卡一贷) and green credit (绿色信贷).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from sim.behaviour import outreach
from sim.calendar import year_index
from sim.levers.base import PLAN, FlowLever, Lever, LeverConf, goals_moved, yearly
from sim.parallel import over_blocks, summed
from sim.params import param
from sim.population import HOUSING_LOAN, LOW_INCOME_LOAN

DISCOUNTABLE = ("small_credit", "farm", "low_income")


def interest_forgone(balance: float, bp: float) -> float:
    """A month's interest forgone on a balance (CNY) at a discount of ``bp`` basis points a year."""
    return balance * bp / 1e4 / 12.0


@dataclass
class RateDiscountsConf(LeverConf):
    """减费让利 (rates): discount in basis points on small credit, farm and low-income loans."""

    intensity: list[float] = yearly([30, 30, 30, 30, 30], "basis points",
                                    f"{PLAN} §三(四): 让利, price loans reasonably; depth a prior", high=500)
    moves: list[str] = goals_moved("small_credit_balance", "farmer_loan_balance")
    products: list[str] = param(list(DISCOUNTABLE), choices=DISCOUNTABLE,
                                source="plan §三(四): small credit, farm and low-income loans")


class RateDiscounts(Lever):
    """减费让利 (rates): a discount in basis points on new loans of the listed products.

    The cost is the interest forgone on discounted balances, every month while they are outstanding.
    New loans are discounted only while the month's allowance covers the existing discounts; when money runs
    out, existing loans lose their discount.
    """

    name = "rate_discounts"
    conf_class = RateDiscountsConf

    def __init__(self, conf, purse):
        super().__init__(conf, purse)
        self.last_bp = 0.0  # the depth existing discounted loans carry

    def step(self, world, policy, t):
        """Pay the discounts running; discount new loans while the money lasts."""
        y = year_index(t)
        bp = self.intensity(t)
        if bp > 0:
            self.last_bp = bp
        hh = world.households
        # loans are held by formed rows only, so the active prefix holds every discounted balance
        balance = float(summed(over_blocks(_discounted_balance, world.n_active_rows, hh.loan, hh.discounted)))
        balance *= world.weight
        cost = interest_forgone(balance, self.last_bp)
        allowance = self.purse.allowance(y, t % 12)
        self.purse.pay(y, min(cost, allowance), cost)
        if cost > allowance:  # money ran out: stop discounting existing loans
            hh.discounted[:] = False
        elif bp > 0 and cost < 0.95 * allowance:
            policy.rate_discount_bp = {p: (bp if p in self.conf.products else 0.0) for p in DISCOUNTABLE}


@njit(cache=True, nogil=True)
def _discounted_balance(lo, hi, loan, discounted):
    """The balance (float64, added in row order) of the loans among rows ``lo`` to ``hi`` that carry a discount.

    A pass over the rows instead of NumPy's masked sum over all of them (2.7 ms a month at full scale).
    """
    total = 0.0
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    loan, discounted = loan[lo:hi], discounted[lo:hi]
    for i in range(hi - lo):
        if discounted[i]:  # a tenth of the rows borrow and fewer are discounted: the branch is well predicted
            total += np.float64(loan[i])
    return total


@dataclass
class LowIncomeLoansConf(LeverConf):
    """低收入农户贷款: share of low-income households the targeted product reaches."""

    intensity: list[float] = yearly([0.5, 0.7, 0.9, 0.9, 0.9], "share of low-income households reached",
                                    f"{PLAN} §三(三): loans for low-income farm households; rollout a prior", high=1)
    moves: list[str] = goals_moved("low_income_loans_cum")
    risk_tolerance: float = param(3.0, unit="× the bank's risk cut-off", low=1, high=20, uncertain=(1.5, 5.0),
                                  source="prior: with the low-income list and a guarantee the bank accepts a higher "
                                  "estimated default risk")
    rate_discount_bp: float = param(100, unit="basis points", low=0, high=1000, source="prior")


class LowIncomeLoans(Lever):
    """低收入农户贷款: a targeted product for low-income farm households (lists, guarantee, lower rate).

    For reached households the bank accepts ``risk_tolerance`` times its usual risk cut-off (lists and a
    guarantee), at ``rate_discount_bp`` less, which the lever pays as interest forgone. Their risk stays theirs.
    """

    name = "low_income_loans"
    conf_class = LowIncomeLoansConf

    def step(self, world, policy, t):
        """Pay the discount on last month's balance; reach households while the money covers it."""
        c, y = self.conf, year_index(t)
        reach = self.intensity(t)
        cost = interest_forgone(float(world.last_groups["hh_bal"][LOW_INCOME_LOAN].sum()), c.rate_discount_bp)
        allowance = self.purse.allowance(y, t % 12)
        self.purse.pay(y, min(cost, allowance), cost)
        policy.low_income_reach = reach if cost <= allowance else 0.0
        policy.low_income_risk_tolerance = c.risk_tolerance
        policy.low_income_discount_bp = c.rate_discount_bp


@dataclass
class HousingLoansConf(LeverConf):
    """治危拆违 housing-renovation loans with the 8 measures: share of renovating households reached."""

    intensity: list[float] = yearly([0, 0.6, 0.9, 0.9, 0.9], "share of renovating households reached",
                                    f"{PLAN} §三(二): 治危拆违 with 美丽乡村, 8 measures, from 2017", high=1)
    moves: list[str] = goals_moved("farmer_loan_balance", "new_credit_loans_cum")
    risk_tolerance: float = param(2.0, unit="× the bank's risk cut-off", low=1, high=20, uncertain=(1.2, 3.0),
                                  source="prior: special fund, green channel and list management")
    loan_size: float = param(200_000, unit="CNY", low=0, low_open=True, uncertain=(100_000, 300_000),
                             source="prior: higher limit than small credit")
    term_months: int = param(60, unit="months", low=1, high=360, source="prior: longer term")
    rate_discount_bp: float = param(30, unit="basis points", low=0, high=1000,
                                    source="prior: lower rate (interest forgone is the cost)")


class HousingLoans(Lever):
    """治危拆违 with its 8 measures: a special product for renovating households.

    Special fund and product, higher limits, lower rates, longer terms, unsecured, a green channel and list
    management: larger, cheaper, longer loans approved fast. The cost is the interest forgone on its balance,
    which runs on after the lever stops; new households are reached only while that is fully paid.
    """

    name = "housing_loans"
    conf_class = HousingLoansConf

    def step(self, world, policy, t):
        """Pay the discount on last month's balance; set the product's terms."""
        c, y = self.conf, year_index(t)
        want = interest_forgone(float(world.last_groups["hh_bal"][HOUSING_LOAN].sum()), c.rate_discount_bp)
        spend = min(want, self.purse.allowance(y, t % 12))
        self.purse.pay(y, spend, want)
        policy.housing_reach = self.intensity(t) if spend >= want else 0.0
        policy.housing_risk_tolerance = c.risk_tolerance
        policy.housing_loan_size = c.loan_size
        policy.housing_term_months = c.term_months
        policy.housing_discount_bp = c.rate_discount_bp


@dataclass
class WorkerLoansConf(LeverConf):
    """一卡一贷 职工服务卡 + 蓝领贷: cards issued per year."""

    intensity: list[float] = yearly([20000, 30000, 30000, 20000, 20000], "cards per year",
                                    f"{PLAN} §三(三): 一卡一贷 with the trade unions; numbers a prior")
    moves: list[str] = goals_moved("new_credit_loans_cum")
    line: float = param(50_000, unit="CNY at 2015 prices", low=0, low_open=True, uncertain=(30_000, 80_000),
                        source="prior: blue-collar credit line")
    cost_per_card: float = param(15, unit="CNY per card", low=0, source="prior: as a village card")


class WorkerLoans(Lever):
    """一卡一贷: worker service cards carrying a blue-collar credit line, issued with the trade unions."""

    name = "worker_loans"
    in_spinup = False
    conf_class = WorkerLoansConf

    def step(self, world, policy, t):
        """Issue the month's cards the money covers."""
        c, y = self.conf, year_index(t)
        want = self.units_this_month(self.intensity(t))
        affordable = int(self.purse.available(y) // c.cost_per_card) if c.cost_per_card else want
        # whole rows, never more than the money to date pays for
        rows = min(self.rows_for(min(want, affordable), world.weight), int(affordable // world.weight))
        issued = outreach.issue_worker_cards(world, policy, rows, c.line)
        self.purse.pay(y, issued * c.cost_per_card, want * c.cost_per_card)


@dataclass
class GreenCreditConf(LeverConf):
    """绿色信贷: rollout (0-1) of green assessment in approval and pricing."""

    intensity: list[float] = yearly([0.2, 0.4, 0.6, 0.8, 1], "rollout share",
                                    f"{PLAN} §三(二): environmental criteria in classification, approval and "
                                    "pricing; rollout a prior", high=1)
    moves: list[str] = goals_moved("green_credit_share")
    green_uplift: float = param(2.0, unit="× more classified green", low=0, high=50, uncertain=(1.0, 4.0),
                                source="prior: at full rollout, eligible new loans are 3x as likely to be "
                                "assessed and classified green")
    rate_discount_bp: float = param(20, unit="basis points", low=0, high=1000, source="prior: green pricing")
    cost_per_assessment: float = param(200, unit="CNY per assessment", low=0,
                                       source="prior: environmental assessment per new loan of an eligible borrower")


class GreenCredit(FlowLever):
    """绿色信贷: green criteria in classification, approval and pricing.

    More loans of eligible borrowers are classified and priced green. Costs: an assessment per new loan of an
    eligible borrower and a rate discount on green balances.
    """

    name = "green_credit"
    conf_class = GreenCreditConf

    def want(self, world, t):
        """Assessments of last month's eligible new loans and the discount on green balances."""
        c, g = self.conf, world.last_groups
        green_bal = float(g["hh_bal"][1:, :, 1].sum() + g["ent_bal"][1:, :, 1].sum())
        assessments = world.flows_last_month.get("ent_new", 0.0)
        per_month = interest_forgone(green_bal, c.rate_discount_bp) + assessments * c.cost_per_assessment
        return self.intensity(t) * per_month

    def effect(self, world, policy, t, paid_share):
        """More eligible new loans are assessed and classified green, and priced lower."""
        rollout = self.intensity(t) * paid_share
        policy.green_multiplier = 1.0 + self.conf.green_uplift * rollout
        policy.green_discount_bp = self.conf.rate_discount_bp * rollout
