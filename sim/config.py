"""The configuration schema: every parameter of a run, declared once with its unit, range and source.

Four groups, kept apart on purpose (EMA Workbench's vocabulary):

* ``population``: Taizhou at the end of 2015 and its demography (sourced facts of ``configs/data/`` and priors);
* ``uncertainties``: behavioural parameters nobody knows exactly, each with a plausible range for experiments;
* ``levers``: what a planner chooses, one config per lever declared beside its mechanism (:mod:`sim.levers`);
* ``budget``: the money behind the levers and how it is phased.

``SimConf()`` is the run ``python -m sim`` makes: the plan as written. Scenarios (``configs/scenario/*.yaml``)
say only what they change. Declarations (:func:`sim.params.param`) give validation, the parameter table
(``python -m sim.params``) and ``docs/parameters.md``. Rates are annual; :mod:`sim.calendar` converts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sim.levers import LEVER_NAMES, LeversConf
from sim.params import ConfigError, check_tree, param

__all__ = ["YEARS", "BankConf", "BudgetConf", "ConfigError", "LeversConf", "PopulationConf", "ScenarioConf", "SimConf",
           "UncertaintiesConf", "validate"]

from sim.calendar import YEARS

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "configs" / "scenario"
FACT = "configs/data/taizhou_facts.csv"
SHARE = {"low": 0.0, "high": 1.0, "unit": "share"}
PROB = {"low": 0.0, "high": 1.0, "unit": "probability"}


# ---------------------------------------------------------------- population (Taizhou at end-2015)
@dataclass
class PopulationConf:
    """Taizhou at the end of 2015 and its demography to 2020."""

    weight: float = param(10.0, unit="households per row", low=1, source="run setting: 1 = full scale",
                          doc="real households (and enterprises) one row stands for")
    households_2015: float = param(2_350_000, unit="households", low=1_000, uncertain=(2_300_000, 2_400_000),
                                   source=f"[households_2015_estimate] derived ({FACT}): ~6.05 M people / ~2.58 "
                                   "per household, range 2.30-2.40 M")
    household_growth: float = param(0.012, unit="per year", low=-0.1, high=0.1, uncertain=(0.006, 0.018),
                                    source="prior: household size falling from 2.64 [household_size_2010]")
    rural_share: float = param(0.42, **SHARE, uncertain=(0.38, 0.45),
                               source="[rural_household_share_2015] estimate, range 0.38-0.45")
    low_income_share_rural: float = param(0.07, **SHARE, uncertain=(0.04, 0.10),
                                          source="prior: Zhejiang low-income farm households (under 4,600 "
                                          "CNY/person) ~7% of rural")
    low_income_income_factor: float = param(0.3, unit="× rural mean income", low=0.01, high=1,
                                            uncertain=(0.2, 0.4), source="prior: 4,600 / 21,000 CNY per person "
                                            "is 0.22 at the low-income line; the group's mean lies above it")
    worker_share_urban: float = param(0.45, **SHARE, uncertain=(0.35, 0.55),
                                      source="prior: share of urban households that are wage workers")
    persons_per_rural_household: float = param(2.64, unit="persons", low=1, high=10,
                                               source="[household_size_2010] sourced")
    coverage_min_residents: float = param(200, unit="residents", low=0, source="plan §三, §四(一): every "
                                          "administrative village of 200+ residents is to have a service point")
    villages: int = param(5037, unit="villages", low=1, source="[village_committees] sourced, pre-2017 structure")
    villages_2017: int = param(4645, unit="villages", low=1, source="[village_committees_2017] sourced (secondary): "
                               "villages merged in 2017; coverage counts the villages that exist")
    village_size_sigma: float = param(0.7, unit="log-sd", low=0, high=3, uncertain=(0.5, 0.9),
                                      source="prior: lognormal spread of village size; ~16% under 200 residents")
    communities: int = param(149, unit="communities", low=1, source="[urban_communities] sourced")
    county_shares: list[float] = param([0.125, 0.107, 0.095, 0.168, 0.214, 0.097, 0.072, 0.065, 0.057],
                                       **SHARE, length=9, total=1.0,
                                       source="[resident_population_by_county_2020_share] derived; order 椒江 "
                                       "黄岩 路桥 临海 温岭 玉环 天台 仙居 三门")
    mountain_counties: list[int] = param([6, 7, 8], unit="county index", choices=tuple(range(9)),
                                         source="geography: 天台, 仙居, 三门 are mountainous")
    distance_median_km: float = param(4.0, unit="km", low=0, high=50, uncertain=(2.5, 6.0),
                                      source="prior: median distance from a village to the nearest outlet")
    distance_sigma: float = param(0.6, unit="log-sd", low=0, high=3, uncertain=(0.4, 0.8),
                                  source="prior: lognormal spread of village distances")
    distance_mountain_factor: float = param(1.6, unit="×", low=1, high=5, uncertain=(1.3, 2.0), source="prior")
    island_village_share: list[float] = param([0.05, 0.0, 0.01, 0.02, 0.03, 0.3, 0.0, 0.0, 0.03], low=0, high=1,
                                              length=9, unit="share of villages",
                                              source="geography: 玉环 is an island county; 椒江 (大陈), 温岭, 临海 and "
                                              "三门 have islands; shares a prior")
    distance_island_factor: float = param(2.0, unit="×", low=1, high=10, uncertain=(1.5, 3.0),
                                          source="prior: a ferry between an island village and the nearest outlet")
    remote_km: float = param(8.0, unit="km", low=0, uncertain=(6.0, 12.0),
                             source="prior: a village this far from an outlet in 2015 counts as remote")
    distance_in_village_km: float = param(0.3, unit="km", low=0, high=5,
                                          source="prior: walking distance to a station or device in the village")
    distance_branch_village_km: float = param(0.5, unit="km", low=0, high=5,
                                              source="prior: walking distance to a branch in a town-seat village")
    distance_community_outlet_km: float = param(0.5, unit="km", low=0, high=10, source="prior")
    distance_community_other_km: float = param(1.5, unit="km", low=0, high=20,
                                               source="prior: urban distance to the nearest branch")
    branch_village_share: float = param(0.08, **SHARE, source="prior: town seats: 65 towns + 28 townships "
                                        "[townships] of 5,037 villages")
    stations_2015: int = param(200, unit="stations", low=0,
                               source="prior: [stations_launch] the programme started in 2015; few by end-2015")
    communities_covered_2015: int = param(10, unit="communities", low=0, source="prior")
    income_rural_2015: float = param(55_440, unit="CNY per household per year", low=0, low_open=True,
                                     uncertain=(49_900, 61_000),
                                     source="derived: [rural_income_per_capita_2015] 21,000 (±10%) × 2.64 persons")
    urban_rural_income_ratio: float = param(2.04, unit="ratio", low=0, low_open=True,
                                            source="[urban_rural_income_ratio] sourced")
    wealth_income_ratio: float = param(8.0, unit="× yearly income", low=0, low_open=True, uncertain=(5.0, 12.0),
                                       source="prior: house and land-use rights a household can pledge are worth "
                                       "several years of income")
    wealth_sigma: float = param(0.8, unit="log-sd", low=0, high=3, uncertain=(0.5, 1.1), source="prior")
    income_sigma: float = param(0.6, unit="log-sd", low=0, high=3, uncertain=(0.45, 0.8),
                                source="prior: lognormal income spread within a kind")
    income_growth: float = param(0.085, unit="per year", low=-0.2, high=0.3,
                                 source="[income_growth_nominal] sourced (Zhejiang)")
    literacy_mean: float = param(0.45, unit="score 0-1", low=0, high=1, low_open=True, high_open=True,
                                 uncertain=(0.35, 0.55), source="prior: a 0-1 financial-literacy score")
    literacy_rural_factor: float = param(0.85, unit="× literacy_mean", low=0, low_open=True, high=1,
                                         source="prior: rural households below the mean")
    literacy_urban_factor: float = param(1.2, unit="× literacy_mean", low=1, high=2.2,
                                         source="prior: urban households above the mean")
    literacy_concentration: float = param(4.0, unit="beta a+b", low=0, low_open=True, high=1000,
                                          source="prior: spread of the literacy score (beta distribution)")
    trust_2015: float = param(0.5, unit="score 0-1", low=0, high=1, uncertain=(0.35, 0.65),
                              source="prior: trust in the rural bank at end-2015")
    digital_access_rural_2015: float = param(0.32, **SHARE,
                                             source="[rural_internet_penetration_2015] commonly cited")
    digital_access_urban_2015: float = param(0.60, **SHARE, uncertain=(0.5, 0.7),
                                             source="prior, above the national 0.503 [internet_penetration_"
                                             "national_2015]")
    digital_access_rural_2020: float = param(0.55, **SHARE, uncertain=(0.45, 0.65),
                                             source="prior: trend of CNNIC rural penetration")
    digital_access_urban_2020: float = param(0.80, **SHARE, uncertain=(0.7, 0.9), source="prior")
    digital_customers_2015: float = param(0.08, **SHARE, uncertain=(0.05, 0.12),
                                          source="prior: households using the bank's online/mobile banking")
    enterprise_digital_2015: float = param(0.25, **SHARE, uncertain=(0.15, 0.35),
                                           source="prior: enterprises using the bank's e-banking at end-2015")
    file_rate_rural_2015: float = param(0.55, **SHARE, uncertain=(0.4, 0.7),
                                        source="prior: information files (建档) at end-2015, rural")
    file_rate_urban_2015: float = param(0.15, **SHARE, uncertain=(0.05, 0.25), source="prior")
    villages_campaigned_2015: float = param(0.30, **SHARE, uncertain=(0.2, 0.4),
                                            source="prior: villages with a whole-village credit campaign before 2016")
    enterprises_2015: float = param(400_000, unit="entities", low=1_000, source="[market_entities_2015] sourced")
    firm_share: float = param(0.25, **SHARE, uncertain=(0.2, 0.3),
                              source="prior: share of market entities that are firms")
    cooperatives: float = param(3_000, unit="entities", low=0, source="prior: cooperatives and agricultural firms")
    enterprise_growth: float = param(0.06, unit="per year", low=-0.2, high=0.5, uncertain=(0.03, 0.10),
                                     source="prior: 400,000 (2015) to 541,200 (2017) [market_entities_2015] "
                                     "is ~16%/yr for all entities; 6%/yr for the bank's reachable market")
    green_farm_share: float = param(0.10, **SHARE, uncertain=(0.05, 0.2),
                                    source="prior: farm households in ecological agriculture or other green activity")
    green_eligible_share_firm: float = param(0.2, **SHARE, source="prior: firms and businesses whose activity "
                                             "can qualify as green")
    green_eligible_share_cooperative: float = param(0.4, **SHARE, source="prior: cooperatives (agriculture)")
    account_managers: int = param(4_700, unit="managers", low=1, source="derived: 2.35 M households / 500 per "
                                  "grid [households_per_account_manager] prior")
    manager_hours_per_month: float = param(20, unit="hours per manager per month", low=0, uncertain=(12, 32),
                                           source="prior: enough for 2015 loan processing and about four "
                                           "prospecting visits a month, the practice before the plan")


# ---------------------------------------------------------------- uncertainties (behaviour)
@dataclass
class LoanBookConf:
    """A first loan book for the spin-up to start from (the end-2015 book is the spin-up's steady state)."""

    farm_borrower_share: float = param(prior="formal_credit_use_rural_2015", **SHARE)
    low_income_borrower_share: float = param(0.05, **SHARE, uncertain=(0.02, 0.10),
                                             source="prior: low-income households are mostly credit-constrained")
    urban_borrower_share: float = param(0.02, **SHARE, uncertain=(0.01, 0.04), source="prior")
    firm_borrower_share: float = param(0.10, **SHARE, uncertain=(0.05, 0.2), source="prior: a part of "
                                       "[sme_borrowers_all_banks_2015] 239,873 borrowers of all banks")
    individual_business_borrower_share: float = param(0.08, **SHARE, uncertain=(0.04, 0.12), source="prior")
    cooperative_borrower_share: float = param(0.30, **SHARE, uncertain=(0.2, 0.4), source="prior")


@dataclass
class UncertaintiesConf:
    """Behavioural parameters: defaults and plausible ranges (``configs/data/behaviour_priors.csv``)."""

    need_rate_farm: float = param(0.30, **PROB, uncertain=(0.2, 0.4),
                                  source="prior: farm households with a credit need in a year")
    need_rate_low_income: float = param(0.25, **PROB, uncertain=(0.15, 0.35), source="prior")
    need_rate_urban: float = param(0.04, **PROB, uncertain=(0.02, 0.06),
                                   source="prior: urban households seeking a loan from the rural bank in a year")
    need_rate_firm: float = param(0.06, **PROB, uncertain=(0.04, 0.10), source="prior")
    need_rate_individual_business: float = param(0.12, **PROB, uncertain=(0.08, 0.16), source="prior")
    need_rate_cooperative: float = param(0.30, **PROB, uncertain=(0.2, 0.4), source="prior")
    farm_season: list[float] = param([1.0, 1.4, 1.4, 1.2, 0.9, 0.8, 0.8, 0.8, 1.0, 1.0, 0.9, 1.0],
                                     unit="relative need by calendar month", low=0, length=12,
                                     source="prior: spring planting after the Spring Festival and the autumn "
                                     "harvest; rescaled to mean 1")
    housing_need_rate: list[float] = param([0.0, 0.02, 0.02, 0.015, 0.01], **PROB, length=5,
                                           source="prior: rural households renovating under 治危拆违 "
                                           "(the campaign ran 2017-2020)")
    p_use_line: float = param(0.85, **PROB, uncertain=(0.6, 0.95),
                              source="derived: [p_draw_within_12m_given_line] 0.25 / need 0.30")
    p_apply_branch: float = param(0.50, **PROB, uncertain=(0.35, 0.65),
                                  source="prior: with a need but no line, applying at an outlet (before distance)")
    p_rated_given_campaign: float = param(prior="p_rated_given_village_campaign", **PROB)
    p_line_given_rated: float = param(prior="p_line_given_rated", **PROB)
    p_file_per_visit: float = param(0.90, **PROB, uncertain=(0.8, 1.0),
                                    source="prior: a visit to an unfiled household creates its file")
    p_rated_per_visit: float = param(0.05, **PROB, uncertain=(0.02, 0.10),
                                     source="prior: a visit to a filed household leads to an individual rating")
    p_renew: float = param(0.75, **PROB, uncertain=(0.6, 0.9), source="prior: matured loans renewed (续贷)")
    credit_line_mean: float = param(prior="credit_line_mean", unit="CNY", low=0, low_open=True)
    line_income_multiple: float = param(2.0, unit="× yearly income", low=0, low_open=True, uncertain=(1.5, 3.0),
                                        source="prior: below the average line-to-income ratio 2.9 (15.95万 "
                                        "[village_card_average_line] / 5.5万 rural household income)")
    credit_line_cap: float = param(300_000, unit="CNY", low=0, low_open=True,
                                   source="[credit_line_cap] sourced (analogue): village card cap 30万")
    small_credit_size_mean: float = param(80_000, unit="CNY", low=0, low_open=True, uncertain=(40_000, 120_000),
                                          source="prior: half the village card's average line 15.95万 "
                                          "[village_card_average_line]")
    farm_loan_size_mean: float = param(159_500, unit="CNY", low=0, low_open=True, uncertain=(80_000, 200_000),
                                       source="[village_card_average_line] sourced (analogue): a secured farm loan "
                                       "about the size of the average village card line; the national average "
                                       "of 2016 (2.9万) is far below Zhejiang's")
    urban_loan_size_mean: float = param(100_000, unit="CNY", low=0, low_open=True, uncertain=(50_000, 200_000),
                                        source="prior: secured loans to urban households at a branch")
    loan_size_income_elasticity: float = param(0.5, unit="elasticity", low=0, high=2, uncertain=(0.2, 0.8),
                                               source="prior: richer households borrow more")
    low_income_loan_size: float = param(prior="low_income_loan_size", unit="CNY", low=0, low_open=True)
    worker_loan_size: float = param(50_000, unit="CNY", low=0, low_open=True, uncertain=(30_000, 80_000),
                                    source="prior: blue-collar loans (蓝领贷)")
    firm_loan_mean: float = param(964_000, unit="CNY", low=0, low_open=True, uncertain=(500_000, 2_000_000),
                                  source="derived: [sme_loan_balance_all_banks_2015] 2,313亿 / "
                                  "[sme_borrowers_all_banks_2015] 239,873 borrowers of all banks")
    individual_business_loan_mean: float = param(300_000, unit="CNY", low=0, low_open=True,
                                                 uncertain=(150_000, 500_000), source="prior")
    cooperative_loan_mean: float = param(1_500_000, unit="CNY", low=0, low_open=True,
                                         uncertain=(800_000, 2_500_000), source="prior")
    loan_size_sigma: float = param(0.5, unit="log-sd", low=0, high=3, uncertain=(0.3, 0.8),
                                   source="prior: lognormal spread of household loan sizes")
    enterprise_loan_sigma: float = param(1.0, unit="log-sd", low=0, high=3, uncertain=(0.7, 1.3),
                                         source="prior: heavy-tailed enterprise loan sizes")
    term_small_credit_months: int = param(12, unit="months", low=1, high=360,
                                          source="prior: one-year revolving small credit")
    term_farm_months: int = param(24, unit="months", low=1, high=360,
                                  source="prior: the plan asks for longer terms matched to farming cycles")
    term_enterprise_months: int = param(12, unit="months", low=1, high=360, source="prior")
    farm_loan_rate: float = param(prior="farm_loan_rate_2015", unit="per year", low=0, low_open=True, high=1)
    price_semi_elasticity: float = param(prior="takeup_price_semi_elasticity", unit="per 100% price change",
                                         low=-5, high=0)
    pd_base: float = param(0.025, **PROB, uncertain=(0.015, 0.04),
                           source="calibrated: the end-2015 NPL ratio near [npl_ratio_all_banks_2015] 1.58% "
                           "(docs/calibration.md); before the bank's selection, at the reference debt service")
    pd_income_elasticity: float = param(0.5, unit="elasticity", low=0, high=3, uncertain=(0.2, 0.8),
                                        source="prior: poorer households default more for the same debt burden")
    pd_dsr_slope: float = param(2.0, unit="per unit of debt service ratio", low=0, high=20, uncertain=(1.0, 4.0),
                                source="prior: default risk rises steeply with debt service relative to income")
    dsr_reference: float = param(0.5, unit="debt service / income", low=0, high=2,
                                 source="prior: the debt service ratio at which the base probability holds")
    amortisation_years: float = param(5.0, unit="years", low=0.5, high=30,
                                      source="prior: loans are renewed and repaid over about five years")
    loss_given_default: float = param(0.5, unit="share of the loan", low=0, high=1, uncertain=(0.3, 0.7),
                                      source="prior: what a write-off costs the bank after recoveries")
    unsecured_default_factor: float = param(1.3, unit="×", low=0.5, high=5, uncertain=(1.0, 1.8),
                                            source="prior: loans without collateral default more")
    enterprise_default_factor: float = param(1.2, unit="×", low=0, uncertain=(0.8, 1.6),
                                             source="prior: enterprises default a little more than households")
    risk_sigma: float = param(0.7, unit="log-sd", low=0, high=3, uncertain=(0.4, 1.0),
                              source="prior: spread of borrowers' own propensity to default")
    income_shock_rate: float = param(0.05, **PROB, uncertain=(0.02, 0.10),
                                     source="prior: a household or firm hit by illness, a crop loss or a lost order "
                                     "in a year")
    income_shock_factor: float = param(5.0, unit="× default hazard", low=1, high=50, uncertain=(2.0, 10.0),
                                       source="prior")
    assessment_noise: float = param(0.8, unit="log-sd", low=0, high=5, uncertain=(0.5, 1.2),
                                    source="prior: how far the bank's estimate of a stranger's risk strays")
    file_information: float = param(0.3, unit="share of the noise", low=0, high=1, uncertain=(0.1, 0.5),
                                    source="prior: an information file (建档) narrows it")
    rating_information: float = param(0.4, unit="share of the noise", low=0, high=1, uncertain=(0.2, 0.6),
                                      source="prior: a rating narrows it further")
    shared_data_information: float = param(0.4, unit="share of the noise at full coverage", low=0, high=1,
                                           uncertain=(0.2, 0.6), source="prior: the credit information platform")
    history_default_factor: float = param(10.0, unit="×", low=1, high=1000,
                                          source="prior: a past default weighs heavily in the assessment")
    history_repaid_factor: float = param(0.8, unit="×", low=0, high=1, uncertain=(0.6, 1.0),
                                         source="prior: a loan repaid in full counts in the borrower's favour")
    approval_pd_cutoff: float = param(0.05, **PROB, uncertain=(0.03, 0.08),
                                      source="prior: the estimated annual default risk above which the bank declines")
    rating_pd_cutoff: float = param(0.035, **PROB, uncertain=(0.02, 0.06),
                                    source="prior: the estimated risk within which a household is rated for a line")
    max_loan_to_value: float = param(0.7, unit="loan / pledged wealth", low=0, low_open=True, high=1,
                                     uncertain=(0.5, 0.8), source="prior: secured loans need collateral")
    npl_months_to_write_off: int = param(12, unit="months", low=1, high=120, source="prior")
    p_apply_enterprise: float = param(0.6, **PROB, uncertain=(0.4, 0.8),
                                      source="prior: an enterprise with a need applies to the rural bank")
    p_credit_terms_rated: float = param(0.5, **PROB, uncertain=(0.3, 0.7),
                                        source="prior: a rated enterprise's new loan is on credit (unsecured) terms")
    peer_effect: float = param(prior="peer_effect_trained_friend", unit="relative uplift per friend", low=0, high=1)
    peer_friends: float = param(5.0, unit="friends in the village", low=0, high=100, uncertain=(3.0, 10.0),
                                source="prior: neighbours whose borrowing or platform use a household sees")
    hours_per_application: float = param(3.0, unit="hours", low=0, low_open=True, uncertain=(1.5, 6.0),
                                         source="prior: a household loan application, visit to decision")
    hours_per_enterprise_application: float = param(8.0, unit="hours", low=0, low_open=True, uncertain=(4.0, 16.0),
                                                    source="prior")
    hours_per_campaign_village: float = param(60.0, unit="hours", low=0, low_open=True, uncertain=(30.0, 120.0),
                                              source="prior: a team's week to rate a whole village (整村授信)")
    hours_per_lecture: float = param(4.0, unit="hours", low=0, low_open=True, uncertain=(2.0, 8.0), source="prior")
    processing_reserve: float = param(1.25, unit="× last month's need", low=1, high=5,
                                      source="prior: managers keep a quarter more hours for applications than last "
                                      "month needed")
    hours_per_visit: float = param(3.0, unit="hours", low=0, low_open=True, uncertain=(1.5, 4.0),
                                   source="prior: travel in the countryside and a conversation")
    visit_priority_remote: float = param(1.0, unit="extra weight", low=0, high=10,
                                         source="plan §二(一): remote villages, islands and mountains first")
    visit_priority_low_income: float = param(1.0, unit="extra weight", low=0, high=10,
                                             source="plan §三(三): low-income households first")
    visit_priority_no_loan: float = param(0.5, unit="extra weight", low=0, high=10,
                                          source="prior: managers seek households not yet served")
    station_capacity_tx: float = param(3_000, unit="transactions per station per month", low=0, low_open=True,
                                       uncertain=(1_500, 6_000), source="prior: about 100 a day")
    station_effect_on_credit_use: float = param(prior="station_effect_on_credit_use", unit="probability",
                                                low=-1, high=1)
    distance_decay_per_km: float = param(prior="distance_decay_per_km", unit="probability per km", low=-1, high=0)
    literacy_effect: float = param(0.20, unit="probability per unit of literacy", low=0, high=2,
                                   uncertain=(0.1, 0.3), source="prior")
    lecture_literacy_gain: float = param(0.15, unit="share of the gap", low=0, high=1, uncertain=(0.05, 0.25),
                                         source="prior: share of the literacy gap an attended lecture closes")
    lecture_attendees: float = param(40, unit="households per lecture", low=0, uncertain=(25, 60), source="prior")
    visit_trust_gain: float = param(0.05, unit="share of the gap", low=0, high=1, uncertain=(0.02, 0.10),
                                    source="prior: share of the trust gap a visit closes")
    bass_p: float = param(prior="bass_p", unit="per year", low=0, high=1)
    bass_q: float = param(prior="bass_q", unit="per year", low=0, high=1)
    ebank_share_digital: float = param(0.90, **SHARE, low_open=True, high_open=True, uncertain=(0.85, 0.95),
                                       source="prior: e-channel share of a platform user's transactions")
    ebank_share_served: float = param(0.72, **SHARE, low_open=True, high_open=True, uncertain=(0.65, 0.8),
                                      source="prior: with a station or outlet's self-service device nearby")
    ebank_share_other: float = param(0.60, **SHARE, low_open=True, high_open=True, uncertain=(0.5, 0.68),
                                     source="prior: ATMs and POS elsewhere")
    channel_literacy_effect: float = param(1.0, unit="logit per unit of literacy", low=0, high=10,
                                           uncertain=(0.5, 2.0), source="prior")
    channel_fee_effect: float = param(0.3, unit="logit when e-transfers are free", low=0, high=5,
                                      uncertain=(0.0, 0.6), source="prior: [fee_counter_transfer] counter "
                                      "transfers cost 2 CNY, online ones nothing once waived")
    channel_subsidy_effect: float = param(0.3, unit="logit for farm households paid into their accounts", low=0,
                                          high=5, uncertain=(0.0, 0.6), source="prior")
    transactions_rural: float = param(4, unit="per household per month", low=0, source="prior")
    transactions_urban: float = param(6, unit="per household per month", low=0, source="prior")
    transactions_enterprise: float = param(20, unit="per enterprise per month", low=0, source="prior")
    green_classified_share: float = param(0.3, **SHARE, uncertain=(0.15, 0.5),
                                          source="prior: share of eligible borrowers' new loans classified green "
                                          "without a green policy")
    loan_book: LoanBookConf = field(default_factory=LoanBookConf)


# ---------------------------------------------------------------- the bank's limits
@dataclass
class BankConf:
    """Funding, capital and caution of Taizhou rural credit (:mod:`sim.bank`)."""

    ldr_cap: float = param(0.9, unit="loans / deposits", low=0, low_open=True, high=2, uncertain=(0.8, 0.95),
                           source="prior: once the legal 75% cap was lifted (2015-10), rural banks' loan-to-deposit "
                           "ratios rose towards 80-90%; liquidity keeps them below")
    ldr_2015: float = param(0.70, unit="loans / deposits", low=0, low_open=True, high=2, uncertain=(0.6, 0.75),
                            source="prior: rural commercial banks at end-2015")
    deposit_growth: float = param(0.12, unit="per year", low=-0.5, high=1, uncertain=(0.08, 0.15),
                                  source="prior: Zhejiang deposits grew about 10-13% a year 2016-2020")
    capital_ratio_2015: float = param(0.13, unit="capital / risk-weighted assets", low=0, high=1,
                                      uncertain=(0.11, 0.15), source="prior: rural commercial banks near 13%")
    capital_ratio_min: float = param(0.105, unit="capital / risk-weighted assets", low=0, low_open=True, high=1,
                                     source="CBRC capital rules 2012: 8% plus a 2.5% conservation buffer")
    risk_weight: float = param(0.75, unit="share", low=0, low_open=True, high=2,
                               source="CBRC capital rules 2012: 75% for retail and small-business exposures")
    return_on_loans: float = param(0.02, unit="per year", low=-0.5, high=0.5, uncertain=(0.012, 0.028),
                                   source="prior: interest margin and fees less costs per CNY of loans, before "
                                   "losses, retained")
    npl_tolerance: float = param(0.03, **SHARE, low_open=True, uncertain=(0.02, 0.04),
                                 source="prior: the NPL ratio above which the bank tightens approvals (the "
                                 "regulators' limit is 5%)")
    caution_slope: float = param(0.5, unit="per tolerance exceeded", low=0, high=10, uncertain=(0.2, 1.0),
                                 source="prior")
    caution_floor: float = param(0.5, unit="× risk cut-off", low=0, high=1, source="prior")


# ---------------------------------------------------------------- budget
@dataclass
class BudgetConf:
    """The programme's money: a total, its phasing over the years, its allocation over levers."""

    total_cny: float = param(900_000_000, unit="CNY", low=0, high=1e12,
                             source="plan §三: 累计投入 9 亿元 over 2016-2020")
    phasing: list[float] = param([0.22, 0.24, 0.20, 0.18, 0.16], **SHARE, length=5, total=1.0,
                                 source="prior: front-loaded launch phase (2016-17 builds the base)")
    allocation: dict[str, float] = param(
        {"stations": 0.376, "devices": 0.022, "community_outlets": 0.02, "digital_platform": 0.067,
         "industry_apps": 0.0084, "lectures": 0.0112, "manager_visits": 0.038, "village_campaigns": 0.011,
         "fee_waivers": 0.1224, "rate_discounts": 0.08, "low_income_loans": 0.024, "mobile_lending": 0.04,
         "credit_info": 0.01, "housing_loans": 0.027, "worker_loans": 0.002, "sme_processing": 0.02,
         "sme_rating": 0.01, "guarantee_fund": 0.04, "cooperatives": 0.02, "green_credit": 0.033,
         "subsidy_payments": 0.018},
        **SHARE, source="prior: the plan gives no split; stations ~4,400 × (50k capex + 12k/yr opex), lectures "
        "10,000 × 1,000 CNY; docs/model.md explains the rest")
    amounts: dict[str, float] = param({}, unit="CNY", low=0, source="run setting: per-lever amounts replace "
                                      "total × allocation when given")
    reallocate_unspent: bool = param(False, source="run setting: at each year end, money a lever did not want "
                                     "moves to levers short of money")


@cache
def scenario_description(name: str) -> str:
    """The one-line description of a scenario file (the schema's default scenario reads the plan's)."""
    from omegaconf import OmegaConf

    path = SCENARIO_DIR / f"{name}.yaml"
    return str(OmegaConf.select(OmegaConf.load(path), "scenario.description", default="")) if path.exists() else ""


@dataclass
class ScenarioConf:
    """The scenario's name and one-line description (``configs/scenario/<name>.yaml``)."""

    name: str = param("plan", source="configs/scenario/: the plan as written is the default")
    description: str = param(factory=lambda: scenario_description("plan"), source="configs/scenario/<name>.yaml")


@dataclass
class SimConf:
    """A whole run: the plan as written unless told otherwise."""

    seed: int = param(0, low=0, high=2**32 - 1, source="run setting", doc="the run's random seed")
    start: str = param("2016-01", choices=("2016-01",), source="plan: 2016-2020", doc="the first month")
    months: int = param(60, unit="months", low=1, high=60, source="plan: 2016-01 to 2020-12",
                        doc="months to run")
    spinup_months: int = param(12, unit="months", low=0, high=120,
                               source="model design: a year of 2015 practice, long enough for the arrears of "
                               "a year (write-off after 12 months) to fill, before 2016-01",
                               doc="months run before 2016 (no programme)")
    scenario: ScenarioConf = field(default_factory=ScenarioConf)
    population: PopulationConf = field(default_factory=PopulationConf)
    uncertainties: UncertaintiesConf = field(default_factory=UncertaintiesConf)
    bank: BankConf = field(default_factory=BankConf)
    levers: LeversConf = field(default_factory=LeversConf)
    budget: BudgetConf = field(default_factory=BudgetConf)
    write_outputs: bool = param(True, source="run setting", doc="write the output files")
    quiet: bool = param(False, source="run setting", doc="print nothing")


# ---------------------------------------------------------------- validation
def validate(cfg: SimConf) -> SimConf:
    """Check every value against its declaration, then the rules that tie values together.

    Args:
        cfg: a config object (the dataclass form, e.g. from ``OmegaConf.to_object``).

    Returns:
        The same config, unchanged.

    Raises:
        ConfigError: naming the key, the value and what is allowed (the first bad value found).
    """
    check_tree(cfg)
    pop = cfg.population
    if pop.households_2015 / pop.weight < 1_000:
        raise ConfigError("population.weight", pop.weight,
                          f"a number in [1, {pop.households_2015 / 1_000:g}] (at least 1,000 household rows)")
    if pop.enterprises_2015 / pop.weight < 10:
        raise ConfigError("population.weight", pop.weight,
                          f"a number in [1, {pop.enterprises_2015 / 10:g}] (at least 10 enterprise rows)")
    _validate_shares(cfg, "budget.allocation", cfg.budget.allocation)
    _validate_shares(cfg, "budget.amounts", cfg.budget.amounts)
    return cfg


def _validate_shares(cfg: SimConf, key: str, values: dict[str, float]) -> None:
    """Per-lever money: lever names only; allocation shares add up to 1; amounts fix the total."""
    for name, v in values.items():
        if name not in LEVER_NAMES:
            raise ConfigError(f"{key}.{name}", v, "lever names: " + ", ".join(sorted(LEVER_NAMES)))
    total = sum(values.values())
    if key == "budget.amounts":
        if values and cfg.budget.total_cny and abs(cfg.budget.total_cny - total) > 1.0:
            raise ConfigError("budget.total_cny", cfg.budget.total_cny,
                              f"the sum of budget.amounts ({total:,.0f} CNY) or 0 to take that sum")
        return
    if cfg.budget.total_cny > 0 and not cfg.budget.amounts and abs(total - 1.0) > 1e-6:
        raise ConfigError(key, dict(values), f"shares that add up to 1 (these add up to {total:.4g})")
