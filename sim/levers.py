"""The programme's levers: what each one changes, when, and what it costs.

Every lever is a small object with ``apply(model, t)``, called once a month in the order of
:data:`LEVER_ORDER`. A lever does its 2015 practice (``baseline_*``) at no programme cost in every
scenario; what the programme adds (``intensity``, one value per year 2016..2020) is paid from the
lever's budget (``budget.allocation``) and capped by it. Flow levers (fee waivers, rate discounts) spread
each year's money over its months. Mechanisms and sources: ``docs/model.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, override

import numpy as np

from sim.calendar import year_index
from sim.population import LOW_INCOME_LOAN

if TYPE_CHECKING:
    from sim.model import TaizhouModel


class Lever:
    """Base class: the config, the year's intensity and the budget.

    Args:
        name: the lever's key under ``levers``.
        conf: its config node.
    """

    def __init__(self, name: str, conf):
        self.name = name
        self.conf = conf
        self._carry = 0.0  # fractional units carried between months

    def intensity(self, t: int) -> float:
        """The programme's intensity in the year of step ``t`` (0 when the lever is off)."""
        return float(self.conf.intensity[year_index(t)]) if self.conf.enabled else 0.0

    def active(self, t: int) -> bool:
        """Whether the programme runs this lever in the year of step ``t``."""
        return self.intensity(t) > 0

    def units_this_month(self, per_year: float) -> int:
        """Whole units due this month from a yearly count, carrying fractions forward."""
        self._carry += per_year / 12.0
        whole = int(np.floor(self._carry + 1e-9))
        self._carry -= whole
        return whole

    def units_due(self, model: TaizhouModel, t: int, baseline_per_year: float,
                  unit_cost: float) -> tuple[int, float, float]:
        """This month's whole units: 2015 practice (free) plus the programme's (paid, capped by money).

        Args:
            model: the model.
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
            paid = min(wanted, model.ledger.available(self.name, year_index(t)) / unit_cost)
        return int(np.floor(n - wanted + paid + 1e-9)), n - wanted, wanted

    @staticmethod
    def paid_units(done: float, due: int, free: float) -> float:
        """Of ``done`` units (at most ``due``), those the programme pays for: the ones beyond 2015 practice."""
        return max(0.0, min(done, due) - free)

    def releasable(self, model: TaizhouModel, year: int) -> float:
        """Money this lever can give up at the end of ``year``: what is left to date when it wanted no more."""
        if model.ledger.shortfall(self.name, year) > 0 and self.conf.enabled:
            return 0.0
        return model.ledger.available(self.name, year)

    def apply(self, model: TaizhouModel, t: int) -> None:  # pragma: no cover - interface
        """Do this month's work."""
        raise NotImplementedError


class ManagerVisits(Lever):
    """走千访万 on a grid (一人一格): each manager visits households of its grid every month.

    Unfiled households are visited first and get an information file (建档) with ``p_file_per_visit``;
    the rest of the capacity goes to filed households (trust, ratings). Programme visits beyond the
    2015 practice cost ``cost_per_visit`` each. ``grid_households`` > 0 sets a smaller grid than 2015's:
    the extra managers it needs cost ``manager_cost_per_year`` each and add their visits.
    """

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        # 一人一格 with smaller grids: the managers beyond 2015's cost a salary, paid first
        hired_wanted = 0.0
        if c.enabled and c.grid_households > 0:
            hired_wanted = max(0.0, m.n_active_rows * m.weight / c.grid_households - m.n_managers)
        salary = c.manager_cost_per_year / 12.0
        hired = min(hired_wanted, m.ledger.available(self.name, y) / salary) if hired_wanted else 0.0
        m.ledger.record(self.name, y, hired * salary, hired_wanted * salary)
        managers = m.n_managers + hired
        extra_wanted = self.intensity(t) * managers
        affordable = m.ledger.available(self.name, y) / c.cost_per_visit if c.cost_per_visit else np.inf
        extra = min(extra_wanted, affordable)
        m.ledger.record(self.name, y, extra * c.cost_per_visit, extra_wanted * c.cost_per_visit)
        m.managers_working = managers
        m.visit_grids((c.baseline_visits * managers + extra) / m.n_managers * m.manager_throughput)


class VillageCampaigns(Lever):
    """整村授信 with 批量发卡: a whole village is rated and granted credit lines in one campaign.

    ``baseline_villages_per_year`` is 2015 practice; ``intensity`` adds villages per year, each costing
    ``cost_per_village`` plus ``cost_per_card`` for every card issued.
    """

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        cost_per_village = c.cost_per_village * m.campaign_cost_factor
        unit = cost_per_village + c.cost_per_card * m.expected_cards_per_village()
        due, free, wanted = self.units_due(m, t, c.baseline_villages_per_year, unit)
        if due == 0:
            return
        villages = m.pick_villages(~m.places.village_campaigned, due, c.priority, m.month_rng("campaigns"))
        cards = m.campaign(villages)
        paid_share = self.paid_units(len(villages), due, free) / len(villages) if len(villages) else 0.0
        m.ledger.record(self.name, y, paid_share * (len(villages) * cost_per_village + cards * c.cost_per_card),
                        wanted * unit)


class _Outlets(Lever):
    """Shared rule of stations, devices and community outlets: open where there is none, pay capex and opex.

    New outlets open only when the lever's budget covers their capex and the opex of every programme
    outlet to the end of the run, so that an outlet once opened is never left unpaid.
    """

    kind = ""

    def __init__(self, name, conf):
        super().__init__(name, conf)
        self.opened = 0  # programme outlets open
        self.backlog = 0

    @override
    def releasable(self, model, year):
        # an outlet lever keeps its money while it has places to serve; then it keeps the opex it committed
        if self.conf.enabled and (self.backlog or self.candidates(model).any()):
            return 0.0
        committed = self.opened * self.conf.opex_per_year / 12.0 * (model.cfg.months - 12 * (year + 1))
        return max(0.0, min(model.ledger.available(self.name, year), model.ledger.total_left(self.name) - committed))

    def candidates(self, model) -> np.ndarray:
        """Places that could get one now (boolean mask)."""
        raise NotImplementedError

    def open(self, model, places: np.ndarray, t: int) -> None:
        """Mark the places served and create their Mesa agents."""
        raise NotImplementedError

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        opex_month = c.opex_per_year / 12.0
        opex = self.opened * opex_month
        months_left = m.cfg.months - t
        due = self.units_this_month(self.intensity(t))
        self.backlog += due  # outlets the plan wanted but money or places did not allow yet
        # Commit capex now and opex to the end of the run: an opened outlet is never left unpaid.
        free = m.ledger.total_left(self.name) - self.opened * opex_month * months_left
        per_unit = c.capex + opex_month * months_left
        affordable = int(min(free // per_unit, (m.ledger.available(self.name, y) - opex) // c.capex)) \
            if per_unit > 0 and c.capex > 0 else self.backlog
        cand = self.candidates(model)
        n = min(self.backlog, max(0, affordable))
        places = m.pick_places(cand, n, getattr(c, "priority", "largest_first"), self.kind)
        self.open(model, places, t)
        self.opened += len(places)
        self.backlog -= len(places)
        if not (cand.sum() - len(places)):  # nowhere left to put one
            m.unusable[self.name] += self.backlog
            self.backlog = 0
        m.ledger.record(self.name, y, opex + len(places) * c.capex, opex + due * c.capex)


class Stations(_Outlets):
    """丰收驿站 / 一村一中心: a station in every village of ``min_village_size``+ residents.

    ``priority`` decides which villages get one first: largest_first, remote_first or random.
    """

    kind = "station"

    @override
    def candidates(self, m):
        p = m.places
        return ~p.village_served & (p.village_size >= self.conf.min_village_size)

    @override
    def open(self, m, places, t):
        m.places.village_station[places] = True
        m.add_outlets("station", places, t)


class Devices(_Outlets):
    """自助机具: self-service device points in villages below the station size."""

    kind = "device"

    @override
    def candidates(self, m):
        p = m.places
        return ~p.village_served & (p.village_size < m.cfg.levers.stations.min_village_size)

    @override
    def open(self, m, places, t):
        m.places.village_device[places] = True
        m.add_outlets("device", places, t)


class CommunityOutlets(_Outlets):
    """社区银行: community outlets in urban communities without one."""

    kind = "community"

    @override
    def candidates(self, m):
        return ~m.places.community_covered

    @override
    def open(self, m, places, t):
        m.places.community_covered[places] = True
        m.add_outlets("community", places, t)


class DigitalPlatform(Lever):
    """丰收互联 and 普惠通: yearly platform spend (CNY) pushes digital adoption and managers' throughput.

    The push on the Bass innovation coefficient is ``adoption_push`` x (spend / reference spend).
    """

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        want = self.intensity(t) / 12.0
        spend = min(want, m.ledger.available(self.name, y))
        m.ledger.record(self.name, y, spend, want)
        m.platform_push = c.adoption_push * spend / (c.reference_spend_per_year / 12.0)
        m.platform_active = spend > 0


class Lectures(Lever):
    """普惠金融讲堂: lectures in villages and communities raise attendees' financial literacy."""

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        due, free, wanted = self.units_due(m, t, c.baseline_per_year, c.cost_per_lecture)
        if due:
            m.hold_lectures(due)
            m.ledger.record(self.name, y, self.paid_units(due, due, free) * c.cost_per_lecture,
                            wanted * c.cost_per_lecture)


class IndustryApps(Lever):
    """行业应用: application scenarios with government, schools, hospitals, parks, insurers."""

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        due, free, wanted = self.units_due(m, t, c.baseline_per_year, c.cost_per_app)
        if due:
            m.apps_by_year[y] += due
            m.ledger.record(self.name, y, self.paid_units(due, due, free) * c.cost_per_app, wanted * c.cost_per_app)


class FeeWaivers(Lever):
    """减费让利 (fees): account and card fees of rural accounts and e-transfer fees are waived.

    ``intensity`` is the share of eligible accounts waived; the fees forgone are the cost. Waived
    e-transfers make e-channels cheaper (Bass uplift, higher e-channel share); waived account fees add a
    little trust.
    """

    def __init__(self, name, conf):
        super().__init__(name, conf)
        self.share_this_year = 0.0

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        share = self.intensity(t)
        m.fee_waiver_share = 0.0
        if share == 0:
            return
        rural_accounts = m.rural_active() * c.accounts_per_household
        digital = np.count_nonzero(m.households.digital[: m.n_active_rows]) * m.weight
        full = rural_accounts * (c.account_fee_per_year + c.card_fee_per_year) / 12.0
        full += digital * c.transfers_per_customer_month * c.transfer_fee
        want = share * full
        allowance = m.ledger.monthly_allowance(self.name, y, t % 12)
        spend = min(want, allowance)
        m.ledger.record(self.name, y, spend, want)
        m.fee_waiver_share = spend / full if full > 0 else 0.0
        self.share_this_year += m.fee_waiver_share
        if t % 12 == 11:  # once a year: a month's trust gain is too small to be worth a pass over the rows
            m.raise_rural_trust(c.trust_gain_per_year * self.share_this_year / 12.0)
            self.share_this_year = 0.0


class RateDiscounts(Lever):
    """减费让利 (rates): a discount in basis points on new loans of the listed products.

    The cost is the interest forgone on discounted balances, every month while they are outstanding.
    New loans are discounted only while the month's allowance covers the existing discounts.
    """

    @override
    def apply(self, model, t):
        _c, m, y = self.conf, model, year_index(t)
        bp = self.intensity(t)
        m.rate_discount_bp = 0.0
        if bp > 0:
            self.last_bp = bp
        cost = m.discounted_balance() * getattr(self, "last_bp", 0.0) / 1e4 / 12.0
        allowance = m.ledger.monthly_allowance(self.name, y, t % 12)
        m.ledger.record(self.name, y, min(cost, allowance), cost)
        if cost > allowance:  # money ran out: stop discounting existing loans
            m.households.discounted[:] = False
        elif bp > 0 and cost < 0.95 * allowance:
            m.rate_discount_bp = bp


class LowIncomeLoans(Lever):
    """低收入农户贷款: a targeted product for low-income farm households (lists, guarantee, lower rate).

    ``intensity`` is the share of low-income households reached by the product; reached households are
    approved with ``p_approve`` instead of the ordinary low-income approval, at ``rate_discount_bp`` less,
    which the lever pays as interest forgone.
    """

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        reach = self.intensity(t)
        bal = float(m.last_groups["hh_bal"][LOW_INCOME_LOAN].sum())  # at the end of last month
        cost = bal * c.rate_discount_bp / 1e4 / 12.0
        allowance = m.ledger.monthly_allowance(self.name, y, t % 12)
        m.ledger.record(self.name, y, min(cost, allowance), cost)
        m.low_income_reach = reach if cost <= allowance else 0.0


class _FlowLever(Lever):
    """A lever whose monthly cost is a flow (per covered unit or on balances), capped by the month's allowance.

    Subclasses give ``want(model, t)`` (CNY this month at full intensity) and ``effect(model, share)``, where
    ``share`` in [0, 1] is the part of the intended intensity the money paid for.
    """

    def want(self, m, t) -> float:
        """CNY this month if fully paid."""
        raise NotImplementedError

    def effect(self, m, t, paid_share: float) -> None:
        """Set the model's policy state for the paid part of the intensity."""
        raise NotImplementedError

    @override
    def apply(self, model, t):
        y = year_index(t)
        want = self.want(model, t) if self.active(t) else 0.0
        spend = min(want, model.ledger.monthly_allowance(self.name, y, t % 12))
        model.ledger.record(self.name, y, spend, want)
        self.effect(model, t, spend / want if want > 0 else 0.0)


class MobileLending(_FlowLever):
    """普惠通: managers' mobile one-stop lending; more visits per manager and easier drawing on lines."""

    @override
    def want(self, m, t):
        return self.intensity(t) * m.n_managers * self.conf.cost_per_manager_year / 12.0

    @override
    def effect(self, m, t, paid_share):
        reach = self.intensity(t) * paid_share
        m.manager_throughput = 1.0 + self.conf.throughput_gain * reach
        m.line_use_gain = self.conf.line_use_gain * reach


class CreditInfo(_FlowLever):
    """CRM and 信用信息共享平台: shared data make files and ratings cheaper and defaults rarer.

    Covered households get files from data (``files_from_data_per_year``), visits rate more often,
    campaigns cost less and defaults fall by ``default_reduction`` x coverage.
    """

    @override
    def want(self, m, t):
        return self.intensity(t) * m.n_active_rows * m.weight * self.conf.cost_per_household_year / 12.0

    @override
    def effect(self, m, t, paid_share):
        c = self.conf
        cover = self.intensity(t) * paid_share
        m.default_multiplier = 1.0 - c.default_reduction * cover
        m.campaign_cost_factor = 1.0 - c.campaign_cost_reduction * cover
        m.rating_multiplier = 1.0 + c.rating_gain * cover
        if cover > 0:
            m.files_from_data(cover * c.files_from_data_per_year / 12.0)


class HousingLoans(_FlowLever):
    """治危拆违 with its 8 measures: a special product for renovating households.

    Special fund and product, higher limits, lower rates, longer terms, unsecured, a green channel and list
    management: larger, cheaper, longer loans approved fast. The cost is the interest forgone on its balance.
    """

    @override
    def want(self, m, t):
        from sim.population import HOUSING_LOAN

        return float(m.last_groups["hh_bal"][HOUSING_LOAN].sum()) * self.conf.rate_discount_bp / 1e4 / 12.0

    @override
    def apply(self, model, t):
        y = year_index(t)
        want = self.want(model, t)  # existing housing loans keep their discount after the lever stops
        spend = min(want, model.ledger.monthly_allowance(self.name, y, t % 12))
        model.ledger.record(self.name, y, spend, want)
        model.housing_reach = self.intensity(t) if spend >= want else 0.0

    @override
    def effect(self, m, t, paid_share):  # pragma: no cover - apply is overridden
        pass


class WorkerLoans(Lever):
    """一卡一贷: worker service cards carrying a blue-collar credit line, issued with the trade unions."""

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        want = self.units_this_month(self.intensity(t))
        affordable = int(m.ledger.available(self.name, y) // c.cost_per_card) if c.cost_per_card else want
        issued = m.issue_worker_cards(min(want, affordable))
        m.ledger.record(self.name, y, issued * c.cost_per_card, want * c.cost_per_card)


class SmeProcessing(_FlowLever):
    """普惠快车 / 小微专车 / 工厂式作业: standardised processing makes small firms more likely to apply."""

    @override
    def want(self, m, t):
        return self.intensity(t) * self.conf.cost_per_year / 12.0

    @override
    def effect(self, m, t, paid_share):
        m.sme_processing_factor = 1.0 + self.conf.apply_gain * self.intensity(t) * paid_share


class SmeRating(Lever):
    """小微企业信用评级: rated firms can borrow on credit and default less."""

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        due, free, wanted = self.units_due(m, t, c.baseline_per_year, c.cost_per_rating)
        if due:
            rated = m.rate_firms(due)
            m.ledger.record(self.name, y, self.paid_units(rated, due, free) * c.cost_per_rating,
                            wanted * c.cost_per_rating)


class GuaranteeFund(Lever):
    """信保基金: the bank's contributions add guarantee capacity (contributions x leverage) to the fund's.

    Firms declined on their own merit get a guaranteed loan while the capacity lasts.
    """

    def __init__(self, name, conf):
        super().__init__(name, conf)
        self.fund = 0.0

    @override
    def apply(self, model, t):
        c, m, y = self.conf, model, year_index(t)
        want = self.intensity(t) / 12.0
        paid = min(want, m.ledger.available(self.name, y))
        m.ledger.record(self.name, y, paid, want)
        self.fund += paid
        m.guarantee_capacity = c.baseline_capacity + self.fund * c.leverage


class Cooperatives(_FlowLever):
    """三位一体 / 农合联: serving cooperatives and agricultural firms raises their credit need and approval."""

    @override
    def want(self, m, t):
        n = m.cooperatives_active()
        return self.intensity(t) * n * self.conf.cost_per_cooperative_year / 12.0

    @override
    def effect(self, m, t, paid_share):
        reach = self.intensity(t) * paid_share
        m.coop_need_factor = 1.0 + self.conf.need_gain * reach
        m.coop_approval_factor = 1.0 + self.conf.approval_gain * reach


class GreenCredit(_FlowLever):
    """绿色信贷: green criteria in classification, approval and pricing.

    More loans of eligible borrowers are classified and priced green. Costs: an assessment per new loan of an
    eligible borrower and a rate discount on green balances.
    """

    @override
    def want(self, m, t):
        c = self.conf
        g = m.last_groups
        green_bal = float(g["hh_bal"][1:, :, 1].sum() + g["ent_bal"][1:, :, 1].sum())
        assessments = m.flows_last_month.get("ent_new", 0.0)
        return self.intensity(t) * (green_bal * c.rate_discount_bp / 1e4 / 12.0 + assessments * c.cost_per_assessment)

    @override
    def effect(self, m, t, paid_share):
        m.green_multiplier = 1.0 + self.conf.green_uplift * self.intensity(t) * paid_share


class SubsidyPayments(_FlowLever):
    """惠农补贴代理发放: subsidies paid into bank accounts bring farm households to e-channels."""

    @override
    def want(self, m, t):
        return self.intensity(t) * m.rural_active() * self.conf.payments_per_year * self.conf.cost_per_payment / 12.0

    @override
    def effect(self, m, t, paid_share):
        m.subsidy_share = self.intensity(t) * paid_share


LEVER_ORDER: tuple[tuple[str, type[Lever]], ...] = (
    ("stations", Stations),
    ("devices", Devices),
    ("community_outlets", CommunityOutlets),
    ("digital_platform", DigitalPlatform),
    ("industry_apps", IndustryApps),
    ("subsidy_payments", SubsidyPayments),
    ("mobile_lending", MobileLending),
    ("credit_info", CreditInfo),
    ("manager_visits", ManagerVisits),
    ("village_campaigns", VillageCampaigns),
    ("lectures", Lectures),
    ("fee_waivers", FeeWaivers),
    ("rate_discounts", RateDiscounts),
    ("low_income_loans", LowIncomeLoans),
    ("housing_loans", HousingLoans),
    ("worker_loans", WorkerLoans),
    ("sme_processing", SmeProcessing),
    ("sme_rating", SmeRating),
    ("guarantee_fund", GuaranteeFund),
    ("cooperatives", Cooperatives),
    ("green_credit", GreenCredit),
)


def build_levers(cfg) -> list[Lever]:
    """The lever objects of a config, in the month's order."""
    return [cls(name, getattr(cfg.levers, name)) for name, cls in LEVER_ORDER]

