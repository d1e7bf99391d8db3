"""Small firms, individual businesses and cooperatives.

Standardised processing (普惠快车, 小微专车), firm ratings (小微企业信用评级), the credit guarantee fund
(信保基金) and cooperatives (三位一体, 农合联).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.behaviour import outreach
from sim.calendar import year_index
from sim.levers.base import PLAN, FlowLever, Lever, LeverConf, UnitLever, goals_moved, yearly
from sim.params import param


@dataclass
class SmeProcessingConf(LeverConf):
    """普惠快车 / 小微专车 / 工厂式作业: share of county banks running standardised small-firm processing."""

    intensity: list[float] = yearly([0.5, 1, 1, 1, 1], "share of county banks",
                                    f"{PLAN} §三(三): 普惠快车, 小微专车, 企业直通车; rollout a prior", high=1)
    moves: list[str] = goals_moved("sme_loan_clients", "sme_loan_balance", "agri_sme_loan_balance")
    cost_per_year: float = param(5_000_000, unit="CNY per year", low=0,
                                 source="prior: staff training and process redesign across the nine banks")
    apply_gain: float = param(0.3, unit="share more applications", low=0, high=5, uncertain=(0.1, 0.5),
                              source="prior: faster processing, 30% more firms apply")


class SmeProcessing(FlowLever):
    """普惠快车 / 小微专车 / 工厂式作业: standardised processing makes small firms more likely to apply."""

    name = "sme_processing"
    conf_class = SmeProcessingConf

    def want(self, world, t):
        """A month of the processing teams' cost."""
        return self.intensity(t) * self.conf.cost_per_year / 12.0

    def effect(self, world, policy, t, paid_share):
        """More firms apply where processing runs."""
        policy.sme_processing_factor = 1.0 + self.conf.apply_gain * self.intensity(t) * paid_share


@dataclass
class SmeRatingConf(LeverConf):
    """小微企业信用评级: extra firms rated per year."""

    intensity: list[float] = yearly([3000, 5000, 5000, 5000, 5000], "firms rated per year",
                                    f"{PLAN} §三(三): 小微企业信用评级; numbers a prior")
    # a rating sharpens the bank's view and opens credit terms: it adds unsecured lending, not volume
    moves: list[str] = goals_moved("new_credit_loans_cum")
    cost_per_rating: float = param(500, unit="CNY per rating", low=0, source="prior")
    baseline_per_year: float = param(2_000, unit="firms per year", low=0, source="prior: ratings before the plan")


class SmeRating(UnitLever):
    """小微企业信用评级: the bank sees rated firms' risk more clearly, and the safe ones borrow on credit terms."""

    name = "sme_rating"
    conf_class = SmeRatingConf

    def step(self, world, policy, t):
        """Rate the firms due this month and pay for the programme's."""
        c, y = self.conf, year_index(t)
        due, free, wanted = self.units_due(t, c.baseline_per_year, c.cost_per_rating)
        if due:
            rated = outreach.rate_firms(world, self.rows_for(due, world.weight))
            self.purse.pay(y, self.paid_units(rated, due, free) * c.cost_per_rating, wanted * c.cost_per_rating)


@dataclass
class GuaranteeFundConf(LeverConf):
    """信保基金: the bank's contribution to the credit guarantee fund per year (CNY)."""

    intensity: list[float] = yearly([8e6, 8e6, 7e6, 7e6, 6e6], "CNY per year",
                                    f"{PLAN} §三(三): 信保基金 and 银担合作; contributions a prior")
    # guaranteed loans go to firms the bank declined; within the bank's funding they change who borrows more
    # than how much
    moves: list[str] = goals_moved("sme_loan_clients")
    leverage: float = param(10.0, unit="CNY of guarantees per CNY of fund", low=0, uncertain=(5, 15),
                            source="prior")
    baseline_capacity: float = param(1_000_000_000, unit="CNY", low=0,
                                     source="derived: [credit_guarantee_fund] 0.5 billion × 10 = 5 billion for "
                                     "all banks; prior: 1/5 for rural credit")


class GuaranteeFund(Lever):
    """信保基金: the bank's contributions add guarantee capacity (contributions x leverage) to the fund's.

    Firms declined on their own merit get a guaranteed loan while the capacity lasts.
    """

    name = "guarantee_fund"
    conf_class = GuaranteeFundConf

    def __init__(self, conf, purse):
        super().__init__(conf, purse)
        self.fund = 0.0

    def step(self, world, policy, t):
        """Contribute the month's share of the year's money; the capacity grows with the fund."""
        c, y = self.conf, year_index(t)
        want = self.intensity(t) / 12.0
        paid = min(want, self.purse.available(y))
        self.purse.pay(y, paid, want)
        self.fund += paid
        policy.guarantee_capacity = c.baseline_capacity + self.fund * c.leverage


@dataclass
class CooperativesConf(LeverConf):
    """三位一体 / 农合联: share of cooperatives and agricultural firms served by the programme."""

    intensity: list[float] = yearly([0.5, 0.8, 1, 1, 1], "share of cooperatives served",
                                    f"{PLAN} §三(三): 三位一体, 农合联, 农民专业合作社; rollout a prior", high=1)
    moves: list[str] = goals_moved("agri_sme_loan_balance")
    cost_per_cooperative_year: float = param(2_000, unit="CNY per cooperative per year", low=0,
                                             source="prior: service team time")
    need_gain: float = param(0.3, unit="share more need", low=0, high=5, uncertain=(0.1, 0.5), source="prior")
    approval_gain: float = param(0.3, unit="share more approvals", low=0, high=5, uncertain=(0.1, 0.5),
                                 source="prior")


class Cooperatives(FlowLever):
    """三位一体 / 农合联: serving cooperatives and agricultural firms raises their credit need and approval."""

    name = "cooperatives"
    conf_class = CooperativesConf

    def want(self, world, t):
        """A month of the service teams' cost for the cooperatives served."""
        return self.intensity(t) * world.cooperatives_active() * self.conf.cost_per_cooperative_year / 12.0

    def effect(self, world, policy, t, paid_share):
        """Served cooperatives borrow more and are approved more."""
        reach = self.intensity(t) * paid_share
        policy.coop_need_factor = 1.0 + self.conf.need_gain * reach
        policy.coop_approval_factor = 1.0 + self.conf.approval_gain * reach
