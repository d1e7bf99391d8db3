"""The configuration schema: what a run can be told, with types, defaults and allowed ranges.

Three groups, kept apart on purpose (EMA Workbench's vocabulary):

* ``levers``: what a planner chooses (the programme's mechanisms, their intensity, timing and unit costs);
* ``budget``: the money behind the levers and how it is phased;
* ``uncertainties``: behavioural parameters nobody knows exactly (priors with a low/central/high range in
  ``configs/data/behaviour_priors.csv``).

``population`` describes Taizhou at the end of 2015. Every default here is repeated, with its source, in the
YAML files under ``configs/``; those files are what a user reads and edits. Rates in the config are annual;
they are converted to monthly in one place, :mod:`sim.calendar`.

Types are checked by OmegaConf when Hydra composes the config; ranges by :func:`validate`, which raises
:class:`ConfigError` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

YEARS = (2016, 2017, 2018, 2019, 2020)


class ConfigError(ValueError):
    """A configuration value that the model cannot run with."""

    def __init__(self, key: str, value: Any, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"Invalid configuration: '{key}' = {value!r}; allowed: {allowed}.")


def per_year(*values: float) -> Any:
    """A default factory for a five-value list, one per plan year 2016..2020."""
    return field(default_factory=lambda: list(values))


# ---------------------------------------------------------------- population (Taizhou at end-2015)
@dataclass
class PopulationConf:
    """Taizhou at the end of 2015 and its demography to 2020."""

    weight: float = 10.0
    households_2015: float = 2_350_000
    household_growth: float = 0.012
    rural_share: float = 0.42
    low_income_share_rural: float = 0.07
    worker_share_urban: float = 0.45
    persons_per_rural_household: float = 2.64
    villages: int = 5037
    village_size_sigma: float = 0.7
    communities: int = 149
    county_shares: list[float] = field(
        default_factory=lambda: [0.125, 0.107, 0.095, 0.168, 0.214, 0.097, 0.072, 0.065, 0.057]
    )
    mountain_counties: list[int] = field(default_factory=lambda: [6, 7, 8])
    distance_median_km: float = 4.0
    distance_mountain_factor: float = 1.6
    branch_village_share: float = 0.08
    stations_2015: int = 200
    communities_covered_2015: int = 10
    income_rural_2015: float = 55_440
    urban_rural_income_ratio: float = 2.04
    income_sigma: float = 0.6
    income_growth: float = 0.085
    literacy_mean: float = 0.45
    digital_access_rural_2015: float = 0.32
    digital_access_urban_2015: float = 0.60
    digital_access_rural_2020: float = 0.55
    digital_access_urban_2020: float = 0.80
    digital_customers_2015: float = 0.08
    file_rate_rural_2015: float = 0.55
    file_rate_urban_2015: float = 0.15
    villages_campaigned_2015: float = 0.30
    enterprises_2015: float = 400_000
    firm_share: float = 0.25
    cooperatives: float = 3_000
    enterprise_growth: float = 0.06
    account_managers: int = 4_700


# ---------------------------------------------------------------- uncertainties (behaviour)
@dataclass
class LoanBookConf:
    """The end-2015 loan book of Taizhou rural credit that the 2020 balances grow from (priors)."""

    farm_borrower_share: float = 0.30
    small_credit_clients: float = 150_000
    urban_borrower_share: float = 0.02
    low_income_borrower_share: float = 0.10
    npl_share_2015: float = 0.015
    firm_borrowers: float = 6_500
    individual_business_borrower_share: float = 0.12
    cooperative_borrower_share: float = 0.30
    green_share_2015: float = 0.04


@dataclass
class UncertaintiesConf:
    """Behavioural parameters: central values of priors, ranges in behaviour_priors.csv."""

    need_rate_farm: float = 0.30
    need_rate_low_income: float = 0.25
    need_rate_urban: float = 0.04
    need_rate_firm: float = 0.06
    need_rate_individual_business: float = 0.12
    need_rate_cooperative: float = 0.30
    p_use_line: float = 0.85
    p_apply_branch: float = 0.50
    p_approve_secured: float = 0.60
    p_approve_low_income: float = 0.30
    p_rated_given_campaign: float = 0.80
    p_line_given_rated: float = 0.88
    p_file_per_visit: float = 0.90
    p_rated_per_visit: float = 0.05
    p_renew: float = 0.75
    credit_line_mean: float = 150_000
    credit_line_cap: float = 300_000
    small_credit_size_mean: float = 80_000
    farm_loan_size_mean: float = 150_000
    low_income_loan_size: float = 40_000
    worker_loan_size: float = 50_000
    firm_loan_mean: float = 2_500_000
    individual_business_loan_mean: float = 300_000
    cooperative_loan_mean: float = 1_500_000
    loan_size_sigma: float = 0.5
    term_small_credit_months: int = 12
    term_farm_months: int = 24
    term_enterprise_months: int = 12
    farm_loan_rate: float = 0.075
    price_semi_elasticity: float = -0.5
    annual_default_probability: float = 0.010
    low_income_default_factor: float = 1.5
    rated_default_factor: float = 0.8
    npl_months_to_write_off: int = 12
    station_effect_on_credit_use: float = 0.06
    distance_decay_per_km: float = -0.02
    literacy_effect: float = 0.20
    lecture_literacy_gain: float = 0.15
    lecture_attendees: float = 40
    visit_trust_gain: float = 0.05
    bass_p: float = 0.02
    bass_q: float = 0.40
    ebank_share_digital: float = 0.90
    ebank_share_served: float = 0.65
    ebank_share_other: float = 0.55
    transactions_rural: float = 4
    transactions_urban: float = 6
    transactions_enterprise: float = 20
    green_share_firm_new: float = 0.05
    green_share_household_new: float = 0.02
    housing_need_rate: list[float] = per_year(0.0, 0.02, 0.02, 0.015, 0.01)
    loan_book: LoanBookConf = field(default_factory=LoanBookConf)


# ---------------------------------------------------------------- levers (the programme)
@dataclass
class LeverConf:
    """What every lever has: on/off, a yearly intensity 2016..2020, and the goals it is meant to move."""

    enabled: bool = True
    intensity: list[float] = per_year(0, 0, 0, 0, 0)
    moves: list[str] = field(default_factory=list)


@dataclass
class ManagerVisitsConf(LeverConf):
    """走千访万 / 一人一格: households visited per account manager per month."""

    baseline_visits: float = 4
    grid_households: float = 0
    manager_cost_per_year: float = 150_000
    cost_per_visit: float = 20


@dataclass
class CampaignsConf(LeverConf):
    """整村授信 with 批量发卡: villages campaigned per year."""

    baseline_villages_per_year: float = 100
    cost_per_village: float = 3_000
    cost_per_card: float = 15
    priority: str = "served_first"


@dataclass
class StationsConf(LeverConf):
    """丰收驿站 / 一村一中心: stations opened per year, in villages of min_village_size or more."""

    min_village_size: float = 200
    capex: float = 50_000
    opex_per_year: float = 12_000
    priority: str = "largest_first"


@dataclass
class DevicesConf(LeverConf):
    """自助机具 in villages below the station size: devices placed per year."""

    capex: float = 15_000
    opex_per_year: float = 3_000


@dataclass
class CommunityOutletsConf(LeverConf):
    """社区银行: community outlets opened per year in urban communities."""

    capex: float = 300_000
    opex_per_year: float = 60_000


@dataclass
class PlatformConf(LeverConf):
    """丰收互联: yearly platform spend (CNY) and its push on adoption."""

    adoption_push: float = 1.0
    reference_spend_per_year: float = 16_000_000
    promotion_per_visit: float = 0.05


@dataclass
class MobileLendingConf(LeverConf):
    """普惠通: share of account managers equipped with the mobile one-stop lending platform."""

    cost_per_manager_year: float = 3_000
    throughput_gain: float = 0.2
    line_use_gain: float = 0.10


@dataclass
class CreditInfoConf(LeverConf):
    """CRM and 信用信息共享平台: share of households whose data the shared credit platform covers."""

    cost_per_household_year: float = 1.0
    default_reduction: float = 0.3
    campaign_cost_reduction: float = 0.3
    rating_gain: float = 1.0
    files_from_data_per_year: float = 0.10


@dataclass
class HousingLoansConf(LeverConf):
    """治危拆违 housing-renovation loans with the 8 measures: share of renovating households reached."""

    p_approve: float = 0.90
    loan_size: float = 200_000
    term_months: int = 60
    rate_discount_bp: float = 50


@dataclass
class WorkerLoansConf(LeverConf):
    """一卡一贷: worker service cards with a blue-collar credit line; intensity = cards issued per year."""

    line: float = 50_000
    cost_per_card: float = 15


@dataclass
class SmeProcessingConf(LeverConf):
    """普惠快车 / 小微专车: share of county banks running standardised small-firm processing."""

    cost_per_year: float = 5_000_000
    apply_gain: float = 0.3


@dataclass
class SmeRatingConf(LeverConf):
    """小微企业信用评级: firms rated per year."""

    cost_per_rating: float = 500
    baseline_per_year: float = 2_000


@dataclass
class GuaranteeFundConf(LeverConf):
    """信保基金: the bank's contribution to the credit guarantee fund per year (CNY)."""

    leverage: float = 10.0
    baseline_capacity: float = 1_000_000_000


@dataclass
class CooperativesConf(LeverConf):
    """三位一体 / 农合联: share of cooperatives and agricultural firms served by the programme."""

    cost_per_cooperative_year: float = 2_000
    need_gain: float = 0.3
    approval_gain: float = 0.3


@dataclass
class GreenCreditConf(LeverConf):
    """绿色信贷: rollout (0-1) of green assessment in approval and pricing."""

    green_uplift: float = 3.0
    rate_discount_bp: float = 20
    cost_per_assessment: float = 200


@dataclass
class SubsidyPaymentsConf(LeverConf):
    """惠农补贴代理发放: share of farm households whose subsidies are paid through the bank."""

    payments_per_year: float = 4
    cost_per_payment: float = 1.0
    ebank_gain: float = 0.05
    bass_uplift: float = 0.2


@dataclass
class FeeWaiversConf(LeverConf):
    """减费让利 (fees): share of eligible accounts whose account and card fees are waived."""

    account_fee_per_year: float = 12
    card_fee_per_year: float = 10
    transfer_fee: float = 2
    transfers_per_customer_month: float = 1.0
    accounts_per_household: float = 1.0
    trust_gain_per_year: float = 0.02
    bass_p_uplift: float = 0.3


@dataclass
class RateDiscountsConf(LeverConf):
    """减费让利 (rates): discount in basis points on small credit, farm and low-income loans."""

    products: list[str] = field(default_factory=lambda: ["small_credit", "farm", "low_income"])


@dataclass
class LecturesConf(LeverConf):
    """普惠金融讲堂: lectures per year."""

    baseline_per_year: float = 0
    cost_per_lecture: float = 1_000


@dataclass
class LowIncomeLoansConf(LeverConf):
    """低收入农户贷款: approval probability for low-income households with the targeted product."""

    p_approve: float = 0.80
    rate_discount_bp: float = 100


@dataclass
class IndustryAppsConf(LeverConf):
    """行业应用: new application scenarios launched per year."""

    cost_per_app: float = 500_000
    baseline_per_year: float = 0
    digital_uplift_per_app: float = 0.01


@dataclass
class LeversConf:
    """Every lever of the programme."""

    manager_visits: ManagerVisitsConf = field(default_factory=ManagerVisitsConf)
    village_campaigns: CampaignsConf = field(default_factory=CampaignsConf)
    stations: StationsConf = field(default_factory=StationsConf)
    devices: DevicesConf = field(default_factory=DevicesConf)
    community_outlets: CommunityOutletsConf = field(default_factory=CommunityOutletsConf)
    digital_platform: PlatformConf = field(default_factory=PlatformConf)
    fee_waivers: FeeWaiversConf = field(default_factory=FeeWaiversConf)
    rate_discounts: RateDiscountsConf = field(default_factory=RateDiscountsConf)
    lectures: LecturesConf = field(default_factory=LecturesConf)
    low_income_loans: LowIncomeLoansConf = field(default_factory=LowIncomeLoansConf)
    industry_apps: IndustryAppsConf = field(default_factory=IndustryAppsConf)
    mobile_lending: MobileLendingConf = field(default_factory=MobileLendingConf)
    credit_info: CreditInfoConf = field(default_factory=CreditInfoConf)
    housing_loans: HousingLoansConf = field(default_factory=HousingLoansConf)
    worker_loans: WorkerLoansConf = field(default_factory=WorkerLoansConf)
    sme_processing: SmeProcessingConf = field(default_factory=SmeProcessingConf)
    sme_rating: SmeRatingConf = field(default_factory=SmeRatingConf)
    guarantee_fund: GuaranteeFundConf = field(default_factory=GuaranteeFundConf)
    cooperatives: CooperativesConf = field(default_factory=CooperativesConf)
    green_credit: GreenCreditConf = field(default_factory=GreenCreditConf)
    subsidy_payments: SubsidyPaymentsConf = field(default_factory=SubsidyPaymentsConf)


# ---------------------------------------------------------------- budget
@dataclass
class BudgetConf:
    """The programme's money: a total, its phasing over the years, its allocation over levers."""

    total_cny: float = 0.0
    phasing: list[float] = per_year(0.2, 0.2, 0.2, 0.2, 0.2)
    allocation: dict[str, float] = field(default_factory=dict)
    amounts: dict[str, float] = field(default_factory=dict)
    reallocate_unspent: bool = False


@dataclass
class ScenarioConf:
    """The scenario's name and a one-line description."""

    name: str = MISSING
    description: str = ""


@dataclass
class SimConf:
    """A whole run."""

    seed: int = 0
    start: str = "2016-01"
    months: int = 60
    scenario: ScenarioConf = field(default_factory=ScenarioConf)
    population: PopulationConf = field(default_factory=PopulationConf)
    uncertainties: UncertaintiesConf = field(default_factory=UncertaintiesConf)
    levers: LeversConf = field(default_factory=LeversConf)
    budget: BudgetConf = field(default_factory=BudgetConf)
    write_outputs: bool = True
    quiet: bool = False


def budget_total(budget: BudgetConf) -> float:
    """The programme's total money: ``total_cny``, or the sum of ``amounts`` when amounts are given."""
    return float(sum(budget.amounts.values())) if budget.amounts else float(budget.total_cny)


# ---------------------------------------------------------------- range validation
_PROBABILITY_WORDS = ("share", "p_", "rate_", "probability", "_factor_", "phasing")
_CHOICES = {
    "levers.stations.priority": ("largest_first", "remote_first", "random"),
    "levers.village_campaigns.priority": ("served_first", "largest_first", "random"),
}
_PRODUCTS = ("small_credit", "farm", "low_income", "worker", "housing")


def _walk(obj: Any, prefix: str = ""):
    """Yield (dotted key, value) for every leaf of a dataclass tree."""
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _walk(getattr(obj, f.name), f"{prefix}{f.name}.")
    else:
        yield prefix[:-1], obj


def _is_share(key: str) -> bool:
    leaf = key.rsplit(".", 1)[-1]
    return (
        leaf.startswith("p_")
        or "share" in leaf
        or leaf in {"annual_default_probability", "phasing", "ebank_share_digital"}
        or leaf.startswith("digital_access")
        or leaf.startswith("file_rate")
        or leaf == "villages_campaigned_2015"
        or leaf == "literacy_mean"
        or leaf.endswith("borrower_share")
    )


def validate(cfg: SimConf) -> SimConf:
    """Check every value against its allowed range; raise :class:`ConfigError` on the first bad one.

    Args:
        cfg: a config object (the dataclass form, e.g. from ``OmegaConf.to_object``).

    Returns:
        The same config, unchanged.

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    from sim.goals import GOAL_IDS  # goals are data; imported late to keep the schema import-light

    for key, value in _walk(cfg):
        if key in _CHOICES:
            if value not in _CHOICES[key]:
                raise ConfigError(key, value, "one of " + ", ".join(_CHOICES[key]))
            continue
        if key.endswith(".moves"):
            bad = [g for g in value if g not in GOAL_IDS]
            if bad:
                raise ConfigError(key, bad, "goal ids of configs/data/goals_2020.csv")
            continue
        if key.endswith("rate_discounts.products"):
            bad = [p for p in value if p not in _PRODUCTS]
            if bad:
                raise ConfigError(key, bad, "products among " + ", ".join(_PRODUCTS))
            continue
        if key.endswith(".intensity") or key.endswith("phasing") or key.endswith("housing_need_rate"):
            if len(value) != len(YEARS):
                raise ConfigError(key, value, "a list of 5 numbers, one per year 2016..2020")
            if any(v < 0 for v in value):
                raise ConfigError(key, value, "numbers >= 0")
            if key.endswith("phasing") and abs(sum(value) - 1.0) > 1e-6:
                raise ConfigError(key, value, "5 shares that add up to 1")
            continue
        if key == "population.county_shares":
            if len(value) != 9 or any(v < 0 for v in value) or abs(sum(value) - 1) > 1e-3:
                raise ConfigError(key, value, "9 shares >= 0 that add up to 1 (one per county)")
            continue
        if key == "population.mountain_counties":
            if any(not 0 <= v < 9 for v in value):
                raise ConfigError(key, value, "county indices 0..8")
            continue
        if key == "budget.allocation":
            _validate_allocation(cfg, value)
            continue
        if key == "budget.amounts":
            _validate_amounts(cfg, value)
            continue
        if isinstance(value, (bool, str)):
            continue
        if isinstance(value, int | float):
            if key.endswith("price_semi_elasticity") or key.endswith("distance_decay_per_km"):
                if value > 0:
                    raise ConfigError(key, value, "a number <= 0 (a higher price or distance lowers take-up)")
                continue
            if _is_share(key) and not 0 <= value <= 1:
                raise ConfigError(key, value, "a share in [0, 1]")
            if value < 0:
                raise ConfigError(key, value, "a number >= 0")
    pop = cfg.population
    if pop.weight < 1:
        raise ConfigError("population.weight", pop.weight, "a number >= 1 (real households per row)")
    if pop.households_2015 / pop.weight < 1_000:
        raise ConfigError(
            "population.weight", pop.weight, f"at most {pop.households_2015 / 1_000:g} (at least 1,000 rows)"
        )
    if cfg.months < 1 or cfg.months > 60:
        raise ConfigError("months", cfg.months, "1..60 (the plan runs 2016-01 to 2020-12)")
    if cfg.start != "2016-01":
        raise ConfigError("start", cfg.start, "'2016-01' (the plan's first month)")
    if pop.account_managers < 1:
        raise ConfigError("population.account_managers", pop.account_managers, "an integer >= 1")
    return cfg


def _validate_amounts(cfg: SimConf, amounts: dict[str, float]) -> None:
    """Amounts per lever (CNY), when given, replace the shares: the total must be theirs (or 0)."""
    if not amounts:
        return
    levers = {f.name for f in dataclasses.fields(LeversConf)}
    for name, cny in amounts.items():
        if name not in levers:
            raise ConfigError(f"budget.amounts.{name}", cny, "lever names: " + ", ".join(sorted(levers)))
        if cny < 0:
            raise ConfigError(f"budget.amounts.{name}", cny, "an amount >= 0 (CNY)")
    total = sum(amounts.values())
    if cfg.budget.total_cny and abs(cfg.budget.total_cny - total) > 1.0:
        raise ConfigError("budget.total_cny", cfg.budget.total_cny,
                          f"the sum of budget.amounts ({total:,.0f} CNY) or 0 to take that sum")


def _validate_allocation(cfg: SimConf, allocation: dict[str, float]) -> None:
    levers = {f.name for f in dataclasses.fields(LeversConf)}
    for name, share in allocation.items():
        if name not in levers:
            raise ConfigError(f"budget.allocation.{name}", share, "lever names: " + ", ".join(sorted(levers)))
        if not 0 <= share <= 1:
            raise ConfigError(f"budget.allocation.{name}", share, "a share in [0, 1]")
    total = sum(allocation.values())
    if cfg.budget.total_cny > 0 and not cfg.budget.amounts and abs(total - 1.0) > 1e-6:
        raise ConfigError(
            "budget.allocation", dict(allocation), f"shares that add up to 1 (these add up to {total:.4g})"
        )
