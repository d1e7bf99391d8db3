"""The digital side of the plan.

The 丰收互联 platform, industry applications (行业应用), fee waivers (减费) and government subsidies paid
through the bank (惠农补贴代理发放).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.behaviour import outreach
from sim.calendar import year_index
from sim.levers.base import PLAN, FlowLever, Lever, LeverConf, UnitLever, goals_moved, yearly
from sim.params import param


@dataclass
class DigitalPlatformConf(LeverConf):
    """丰收互联: yearly platform spend (CNY) and its push on adoption."""

    intensity: list[float] = yearly([16e6, 16e6, 12e6, 10e6, 9e6], "CNY per year",
                                    f"{PLAN} §三(一): build and promote 丰收互联; amounts a prior")
    moves: list[str] = goals_moved("fengshou_customers", "ebank_substitution")
    adoption_push: float = param(1.0, unit="× Bass p at the reference spend", low=0, high=20, uncertain=(0.5, 2.0),
                                 source="prior: at the reference spend, the Bass innovation coefficient doubles")
    reference_spend_per_year: float = param(16_000_000, unit="CNY per year", low=0, low_open=True, source="prior")
    promotion_per_visit: float = param(0.05, unit="probability", low=0, high=1, uncertain=(0.02, 0.1),
                                       source="prior: a visited household with internet access signs up")


class DigitalPlatform(Lever):
    """丰收互联: yearly platform spend pushes digital adoption; managers promote it on their visits.

    The push on the Bass innovation coefficient is ``adoption_push`` x (spend / reference spend).
    """

    name = "digital_platform"
    conf_class = DigitalPlatformConf

    def step(self, world, policy, t):
        """Spend the month's share of the year's platform money (as much as is available to date)."""
        c, y = self.conf, year_index(t)
        want = self.intensity(t) / 12.0
        spend = min(want, self.purse.available(y))
        self.purse.pay(y, spend, want)
        policy.platform_push = c.adoption_push * spend / (c.reference_spend_per_year / 12.0)
        policy.platform_active = spend > 0
        policy.promotion_per_visit = c.promotion_per_visit


@dataclass
class IndustryAppsConf(LeverConf):
    """行业应用: new application scenarios launched per year."""

    intensity: list[float] = yearly([3, 3, 3, 3, 3], "applications per year",
                                    f"{PLAN} §三(一): new 行业应用 (银政, 银校, 银医, 银园, 银保) every year")
    moves: list[str] = goals_moved("industry_apps_per_year", "fengshou_customers")
    cost_per_app: float = param(500_000, unit="CNY per application", low=0, source="prior")
    baseline_per_year: float = param(0, unit="applications per year", low=0, source="prior")
    digital_uplift_per_app: float = param(0.01, unit="× Bass p per application", low=0, high=1,
                                          uncertain=(0.0, 0.03), source="prior: each app adds 1% to the Bass "
                                          "innovation coefficient")


class IndustryApps(UnitLever):
    """行业应用: application scenarios with government, schools, hospitals, parks, insurers."""

    name = "industry_apps"
    conf_class = IndustryAppsConf

    def step(self, world, policy, t):
        """Launch the apps due this month; every app launched so far pushes adoption a little."""
        c, y = self.conf, year_index(t)
        due, free, wanted = self.units_due(t, c.baseline_per_year, c.cost_per_app)
        if due:
            world.apps_by_year[y] += due
            self.purse.pay(y, self.paid_units(due, due, free) * c.cost_per_app, wanted * c.cost_per_app)
        policy.apps_push = c.digital_uplift_per_app * float(world.apps_by_year.sum())


@dataclass
class FeeWaiversConf(LeverConf):
    """减费让利 (fees): share of eligible accounts whose account and card fees are waived."""

    intensity: list[float] = yearly([1, 1, 1, 1, 1], "share of eligible accounts",
                                    f"{PLAN} §三(四): 减费让利, waive fees of rural accounts and e-transfers", high=1)
    moves: list[str] = goals_moved("fengshou_customers", "ebank_substitution")
    account_fee_per_year: float = param(prior="account_fee_per_year", unit="CNY per account per year", low=0)
    card_fee_per_year: float = param(prior="card_fee_per_year", unit="CNY per card per year", low=0)
    transfer_fee: float = param(2, unit="CNY per transfer", low=0,
                                source="[fee_counter_transfer] sourced (analogue)")
    transfers_per_customer_month: float = param(1.0, unit="transfers per digital customer per month", low=0,
                                                uncertain=(0.5, 2.0), source="prior")
    accounts_per_household: float = param(1.0, unit="accounts", low=0, source="prior")
    trust_gain_per_year: float = param(0.02, unit="share of the trust gap", low=0, high=1, uncertain=(0.0, 0.05),
                                       source="prior")
    bass_p_uplift: float = param(0.3, unit="× Bass p", low=0, high=5, uncertain=(0.1, 0.5),
                                 source="prior: free e-transfers raise the innovation coefficient by 30%")


class FeeWaivers(Lever):
    """减费让利 (fees): account and card fees of rural accounts and e-transfer fees are waived.

    ``intensity`` is the share of eligible accounts waived; the fees forgone are the cost. Waived
    e-transfers make e-channels cheaper (Bass uplift, higher e-channel share); waived account fees add a
    little trust once a year.
    """

    name = "fee_waivers"
    conf_class = FeeWaiversConf

    def __init__(self, conf, purse):
        super().__init__(conf, purse)
        self.share_this_year = 0.0

    def step(self, world, policy, t):
        """Waive what the month's money covers."""
        c, y = self.conf, year_index(t)
        share = self.intensity(t)
        if share == 0:
            return
        rural_accounts = world.rural_active() * c.accounts_per_household
        digital = np.count_nonzero(world.households.digital[: world.n_active_rows]) * world.weight
        full = rural_accounts * (c.account_fee_per_year + c.card_fee_per_year) / 12.0
        full += digital * c.transfers_per_customer_month * c.transfer_fee
        want = share * full
        spend = min(want, self.purse.allowance(y, t % 12))
        self.purse.pay(y, spend, want)
        waived = spend / full if full > 0 else 0.0
        policy.fee_waiver_share = waived
        policy.fee_bass_push = c.bass_p_uplift * waived
        self.share_this_year += waived
        if t % 12 == 11:  # once a year: a month's trust gain is too small to be worth a pass over the rows
            outreach.raise_rural_trust(world, c.trust_gain_per_year * self.share_this_year / 12.0)
            self.share_this_year = 0.0


@dataclass
class SubsidyPaymentsConf(LeverConf):
    """惠农补贴代理发放: share of farm households whose subsidies are paid through the bank."""

    intensity: list[float] = yearly([0.5, 0.7, 0.9, 0.9, 0.9], "share of farm households",
                                    f"{PLAN} §三(一): 惠农补贴代理发放; rollout a prior", high=1)
    moves: list[str] = goals_moved("ebank_substitution", "fengshou_customers")
    payments_per_year: float = param(4, unit="payments per household per year", low=0, source="prior")
    cost_per_payment: float = param(1.0, unit="CNY per payment", low=0,
                                    source="prior: handling cost borne by the bank")
    bass_uplift: float = param(0.2, unit="× Bass p", low=0, high=5, uncertain=(0.1, 0.4), source="prior")


class SubsidyPayments(FlowLever):
    """惠农补贴代理发放: subsidies paid into bank accounts bring farm households to e-channels."""

    name = "subsidy_payments"
    conf_class = SubsidyPaymentsConf

    def want(self, world, t):
        """Handling cost of the month's payments."""
        c = self.conf
        return self.intensity(t) * world.rural_active() * c.payments_per_year * c.cost_per_payment / 12.0

    def effect(self, world, policy, t, paid_share):
        """Farm households paid through the bank adopt e-channels more."""
        share = self.intensity(t) * paid_share
        policy.subsidy_share = share
        policy.subsidy_bass_push = self.conf.bass_uplift * share
