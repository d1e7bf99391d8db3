"""The month's policy state: what the levers decided this month, read by the households' and firms' rules.

A fresh :class:`Policy` is made every month with the values of 2015 practice (no programme); each lever
writes the fields it owns (named in the field comments). The behaviour rules read only this object and the
uncertainties, never a lever's config.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Policy:
    """What the programme does this month, as the behaviour rules see it."""

    # digital (DigitalPlatform, IndustryApps, FeeWaivers, SubsidyPayments)
    platform_push: float = 0.0  # added to the Bass innovation multiplier by platform spend
    platform_active: bool = False  # the platform is being promoted: visits sign households up
    promotion_per_visit: float = 0.0  # share of visited households with access who sign up
    apps_push: float = 0.0  # added to the Bass innovation multiplier by the industry apps launched
    fee_waiver_share: float = 0.0  # share of eligible accounts whose fees are waived
    fee_bass_push: float = 0.0  # added to the Bass innovation multiplier by free e-transfers
    subsidy_share: float = 0.0  # share of farm households whose subsidies are paid into their accounts
    subsidy_bass_push: float = 0.0  # added to farm households' Bass innovation multiplier
    # household credit (RateDiscounts, LowIncomeLoans, HousingLoans, MobileLending, CreditInfo, GreenCredit)
    rate_discount_bp: dict[str, float] = field(default_factory=lambda: dict.fromkeys(
        ("small_credit", "farm", "low_income"), 0.0))  # discount on new loans by product
    low_income_reach: float = 0.0  # share of low-income households the targeted product reaches
    low_income_risk_tolerance: float = 1.0  # × the bank's default-risk cut-off for the targeted product
    low_income_discount_bp: float = 0.0  # the targeted product's rate discount
    housing_reach: float = 0.0  # share of renovating households the 治危拆违 product reaches
    housing_risk_tolerance: float = 1.0  # × the bank's default-risk cut-off under the 8 measures
    housing_loan_size: float = 0.0  # CNY at 2015 prices
    housing_term_months: int = 60  # term of housing loans (renewals too)
    housing_discount_bp: float = 0.0
    line_use_gain: float = 0.0  # added to the probability of drawing on a line (普惠通)
    info_coverage: float = 0.0  # share of households and firms the shared credit-information platform covers
    green_multiplier: float = 1.0  # on the chance that a new loan of an eligible borrower is classified green
    green_discount_bp: float = 0.0  # rate discount for green-eligible borrowers (green pricing)
    # enterprises (SmeProcessing, GuaranteeFund, Cooperatives)
    sme_processing_factor: float = 1.0  # on firms' probability to apply
    guarantee_capacity: float = 0.0  # CNY of guarantees the fund can back (set every month)
    coop_need_factor: float = 1.0
    coop_approval_factor: float = 1.0
    # account managers (MobileLending, CreditInfo -> ManagerVisits, VillageCampaigns)
    manager_throughput: float = 1.0  # visits a manager makes, relative to 2015
    campaign_cost_factor: float = 1.0  # on the staff cost of a whole-village campaign
    rating_multiplier: float = 1.0  # on the chance that a visit leads to a rating
