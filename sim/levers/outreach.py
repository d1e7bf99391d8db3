"""The bank's people in the villages.

Account managers' visits (走千访万, 一人一格), whole-village credit (整村授信), financial-literacy lectures
(普惠金融讲堂), the managers' mobile platform (普惠通) and shared credit information (CRM, 信用信息共享平台).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.behaviour import outreach
from sim.calendar import year_index
from sim.levers.base import PLAN, FlowLever, Lever, LeverConf, UnitLever, goals_moved, yearly
from sim.params import param

PROB = {"low": 0.0, "high": 1.0}


@dataclass
class ManagerVisitsConf(LeverConf):
    """走千访万 / 一人一格: extra households visited per account manager per month."""

    intensity: list[float] = yearly([10, 10, 6, 4, 4], "extra visits per manager per month",
                                    f"{PLAN} §二: 走千访万, all staff visit villages; numbers a prior")
    moves: list[str] = goals_moved("info_file_rate", "small_credit_clients", "farmer_loan_clients")
    grid_households: float = param(0, unit="households per manager", low=0,
                                   source="run setting: 0 = 2015 grids (population.account_managers); e.g. 400 "
                                   "hires managers for smaller grids")
    manager_cost_per_year: float = param(prior="account_manager_cost_per_year", unit="CNY per manager per year",
                                         low=0)
    cost_per_visit: float = param(20, unit="CNY per extra visit", low=0,
                                  source="prior: transport and time allowance per extra visit")


class ManagerVisits(Lever):
    """走千访万 on a grid (一人一格): account managers visit the households of their grid.

    Managers visit with the hours that processing, campaigns and lectures leave them (2015 practice, free);
    the programme pays ``cost_per_visit`` for each extra visit (allowances for extra time in the field).
    ``grid_households`` > 0 sets a smaller grid than 2015's: the extra managers it needs cost
    ``manager_cost_per_year`` each and add their hours. Visits go first to unfiled households, and within a
    grid to the plan's priority groups (:func:`sim.behaviour.outreach.visit_grids`).
    """

    name = "manager_visits"
    in_spinup = False
    conf_class = ManagerVisitsConf
    after = ("mobile_lending", "digital_platform", "credit_info", "village_campaigns", "lectures")

    def step(self, world, policy, t):
        """Hire (if smaller grids), pay extra visits, and visit with the hours left."""
        c, y, u = self.conf, year_index(t), world.u
        hired_wanted = 0.0
        if c.enabled and c.grid_households > 0 and not self.spinup:
            hired_wanted = max(0.0, world.n_active_rows * world.weight / c.grid_households - world.n_managers)
        salary = c.manager_cost_per_year / 12.0
        hired = min(hired_wanted, self.purse.available(y) / salary) if hired_wanted else 0.0
        self.purse.pay(y, hired * salary, hired_wanted * salary)
        managers = world.n_managers + hired
        extra_wanted = self.intensity(t) * managers
        affordable = self.purse.available(y) / c.cost_per_visit if c.cost_per_visit else np.inf
        extra = min(extra_wanted, affordable)
        self.purse.pay(y, extra * c.cost_per_visit, extra_wanted * c.cost_per_visit)
        world.managers_working = managers
        # visits per county: the staff's hours left, hired managers' hours, and the visits paid for
        share = world.staff.managers / world.staff.managers.sum()
        hours = world.staff.visit_hours() + hired * world.pop.manager_hours_per_month * share
        per_county = hours * policy.manager_throughput / u.hours_per_visit + extra * share
        world.visits_by_county = per_county
        # each grid gets its county's visits in proportion to its managers
        managers_in_county = np.bincount(world.grid_county, weights=world.managers_per_grid, minlength=9)
        per_grid = per_county[world.grid_county] * world.managers_per_grid / managers_in_county[world.grid_county]
        outreach.visit_grids(world, policy, per_grid)


@dataclass
class VillageCampaignsConf(LeverConf):
    """整村授信 with 批量发卡: extra villages campaigned per year."""

    intensity: list[float] = yearly([1500, 1500, 500, 200, 0], "extra villages per year",
                                    f"{PLAN} §三(三): 整村授信 in every village by 2018; yearly split a prior")
    moves: list[str] = goals_moved("small_credit_balance", "small_credit_clients", "new_credit_loans_cum",
                                   "farmer_loan_clients")
    baseline_villages_per_year: float = param(100, unit="villages per year", low=0, uncertain=(50, 200),
                                              source="prior: 2015 practice")
    cost_per_village: float = param(3_000, unit="CNY per village", low=0,
                                    source="prior: staff days and materials of a campaign")
    cost_per_card: float = param(15, unit="CNY per card", low=0,
                                 source="prior: a 丰收小额贷款卡 issued in batch")
    priority: str = param("served_first", choices=("served_first", "largest_first", "random"),
                          source="prior: villages with a service point first (cards need somewhere to use them)")


class VillageCampaigns(UnitLever):
    """整村授信 with 批量发卡: a whole village is rated and granted credit lines in one campaign.

    ``baseline_villages_per_year`` is 2015 practice; ``intensity`` adds villages per year, each costing
    ``cost_per_village`` (less with shared credit information) plus ``cost_per_card`` for every card issued.
    """

    name = "village_campaigns"
    in_spinup = False
    conf_class = VillageCampaignsConf
    after = ("credit_info", "mobile_lending")

    def __init__(self, conf, purse):
        super().__init__(conf, purse)
        self.unstaffed = 0  # campaigns due that the managers had no hours for

    def step(self, world, policy, t):
        """Campaign the villages due this month, in priority order, as far as managers have the hours."""
        c, y = self.conf, year_index(t)
        cost_per_village = c.cost_per_village * policy.campaign_cost_factor
        unit = cost_per_village + c.cost_per_card * outreach.expected_cards_per_village(world)
        due, free, wanted = self.units_due(t, c.baseline_villages_per_year, unit)
        if due == 0:
            return
        villages = self._pick(world, due)
        staffed = world.staff.take("campaigns", world.places.village_county[villages].astype(np.intp),
                                   world.u.hours_per_campaign_village, policy.manager_throughput)
        villages = villages[staffed]
        self.unstaffed += due - villages.size
        paid_share = self.paid_units(len(villages), due, free) / len(villages) if len(villages) else 0.0
        # cards only as far as the money to date pays for them (free campaigns of 2015 practice issue all)
        money = self.purse.available(y) - paid_share * len(villages) * cost_per_village
        max_cards = money / (paid_share * c.cost_per_card) if paid_share > 0 and c.cost_per_card > 0 else np.inf
        cards = outreach.campaign(world, policy, villages, max_cards)
        self.purse.pay(y, paid_share * (len(villages) * cost_per_village + cards * c.cost_per_card), wanted * unit)

    def _pick(self, world, n: int) -> np.ndarray:
        p = world.places
        idx = np.flatnonzero(p.village_exists & ~p.village_campaigned)
        if n <= 0 or idx.size == 0:
            return idx[:0]
        size = p.village_size[idx]
        if self.conf.priority == "served_first":
            order = np.lexsort((-size, ~p.village_served[idx]))
        elif self.conf.priority == "largest_first":
            order = np.argsort(-size, kind="stable")
        else:
            order = world.streams.month("campaigns").permutation(idx.size)
        return idx[order[:n]]


@dataclass
class LecturesConf(LeverConf):
    """普惠金融讲堂: lectures per year."""

    intensity: list[float] = yearly([2000, 2000, 2000, 2000, 2000], "lectures per year",
                                    f"{PLAN} §三(四): 普惠金融讲堂 10,000 场 over five years, evenly (prior)")
    moves: list[str] = goals_moved("lectures_cum")
    baseline_per_year: float = param(0, unit="lectures per year", low=0,
                                     source="prior: no lecture programme before 2016")
    cost_per_lecture: float = param(prior="lecture_cost", unit="CNY per lecture", low=0)


class Lectures(UnitLever):
    """普惠金融讲堂: lectures in villages raise attendees' financial literacy."""

    name = "lectures"
    in_spinup = False
    conf_class = LecturesConf
    after = ("mobile_lending",)

    def step(self, world, policy, t):
        """Hold the lectures due this month and pay for the programme's."""
        c, y = self.conf, year_index(t)
        due, free, wanted = self.units_due(t, c.baseline_per_year, c.cost_per_lecture)
        if due:
            held = outreach.lectures(world, policy, due)
            self.purse.pay(y, self.paid_units(held, due, free) * c.cost_per_lecture, wanted * c.cost_per_lecture)


@dataclass
class MobileLendingConf(LeverConf):
    """普惠通: share of account managers equipped with the mobile one-stop lending platform."""

    intensity: list[float] = yearly([0.3, 0.6, 1, 1, 1], "share of managers equipped",
                                    f"{PLAN} §三(一): 普惠通 for every account manager; rollout a prior", high=1)
    moves: list[str] = goals_moved("info_file_rate", "small_credit_clients")
    cost_per_manager_year: float = param(3_000, unit="CNY per manager per year", low=0,
                                         source="prior: device, data plan and service per manager")
    throughput_gain: float = param(0.2, unit="share more visits", low=0, high=5, uncertain=(0.1, 0.3),
                                   source="prior: one-stop processing frees time for 20% more visits")
    line_use_gain: float = param(0.10, unit="probability", low=0, high=1, uncertain=(0.05, 0.15),
                                 source="prior: drawing on a line on the spot raises use of lines")


class MobileLending(FlowLever):
    """普惠通: managers' mobile one-stop lending; more visits per manager and easier drawing on lines."""

    name = "mobile_lending"
    conf_class = MobileLendingConf

    def want(self, world, t):
        """The equipped managers' yearly cost, a month of it."""
        return self.intensity(t) * world.n_managers * self.conf.cost_per_manager_year / 12.0

    def effect(self, world, policy, t, paid_share):
        """Throughput and line use in proportion to the equipped share."""
        reach = self.intensity(t) * paid_share
        policy.manager_throughput = 1.0 + self.conf.throughput_gain * reach
        policy.line_use_gain = self.conf.line_use_gain * reach


@dataclass
class CreditInfoConf(LeverConf):
    """CRM and 信用信息共享平台: share of households whose data the shared credit platform covers."""

    intensity: list[float] = yearly([0.3, 0.6, 0.9, 1, 1], "share of households covered",
                                    f"{PLAN} §三(三): CRM, 普惠信息档案 and the credit information platform; "
                                    "rollout a prior", high=1)
    moves: list[str] = goals_moved("info_file_rate", "small_credit_clients")
    cost_per_household_year: float = param(1.0, unit="CNY per covered household per year", low=0,
                                           source="prior: platform cost per covered household")
    campaign_cost_reduction: float = param(0.3, unit="share of campaign cost", **PROB, uncertain=(0.1, 0.5),
                                           source="prior: rating from data shortens campaigns")
    rating_gain: float = param(1.0, unit="× more ratings per visit", low=0, high=10, uncertain=(0.5, 1.5),
                               source="prior: visits rate twice as often with data")
    files_from_data_per_year: float = param(0.10, unit="share of unfiled covered households per year", **PROB,
                                            uncertain=(0.05, 0.2), source="prior")


class CreditInfo(FlowLever):
    """CRM and 信用信息共享平台: shared data sharpen the bank's view of risk, make files and ratings cheaper.

    The bank's assessment noise narrows with coverage (``uncertainties.shared_data_information``), so it lends
    more to good risks and less to bad ones; covered households get files from data
    (``files_from_data_per_year``), visits rate more often and campaigns cost less.
    """

    name = "credit_info"
    conf_class = CreditInfoConf

    def want(self, world, t):
        """The covered households' yearly cost, a month of it."""
        return self.intensity(t) * world.n_active_rows * world.weight * self.conf.cost_per_household_year / 12.0

    def effect(self, world, policy, t, paid_share):
        """Fewer defaults, cheaper campaigns, more ratings, files from data."""
        c = self.conf
        cover = self.intensity(t) * paid_share
        policy.info_coverage = cover
        policy.campaign_cost_factor = 1.0 - c.campaign_cost_reduction * cover
        policy.rating_multiplier = 1.0 + c.rating_gain * cover
        if cover > 0:
            outreach.files_from_data(world, cover * c.files_from_data_per_year / 12.0)
