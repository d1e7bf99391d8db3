"""The findings a report opens with, and the numbers in people's units, on small hand-made tables."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from sim.experiment import findings, fmt
from sim.goals import load_goals
from sim.i18n import t

GOALS = {g.goal_id: g for g in load_goals()}
SCI = re.compile(r"\d[eE][+-]?\d")


def _pairs() -> pd.DataFrame:
    """B against A: lectures clearly up, small-credit balance noisy, blank villages clearly down (better),
    village coverage identical in every replication; B spends 100 million CNY more."""
    rows = [
        # goal_id, diff_mean, low, high, p_met_ref, p_met, cost per unit
        ("lectures_cum", 200.0, 100.0, 300.0, 0.4, 0.9, 5e5),
        ("small_credit_balance", 5e8, -1e9, 2e9, 0.5, 0.6, 0.2),
        ("blank_villages", -30.0, -50.0, -10.0, 0.1, 0.3, 3.3e6),
        ("village_coverage", 0.0, 0.0, 0.0, 1.0, 1.0, math.nan),
    ]
    return pd.DataFrame([{"scenario": "stations_first", "reference": "plan", "goal_id": g, "kind": "goal",
                          "diff_mean": d, "diff_ci_low": lo, "diff_ci_high": hi, "p_met_reference": pr,
                          "p_met": pm, "extra_spend_cny": 1e8, "cost_per_unit_cny": c}
                         for g, d, lo, hi, pr, pm, c in rows])


def _summary() -> pd.DataFrame:
    p = {"plan": [0.9, 0.5, 0.1, 1.0, 0.05], "stations_first": [0.95, 0.6, 0.3, 1.0, 0.1]}
    ids = ["lectures_cum", "small_credit_balance", "blank_villages", "village_coverage", "sme_loan_clients"]
    return pd.DataFrame([{"scenario": s, "kind": "goal", "goal_id": g, "p_met": v}
                         for s, values in p.items() for g, v in zip(ids, values, strict=True)])


def _line_with(text: str, name: str) -> str:
    lines = [line for line in text.split("\n") if name in line]
    assert len(lines) == 1, (name, text)
    return lines[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_clear_difference_and_a_noisy_one_are_worded_differently(lang):
    (text,) = findings.differences(_pairs(), "scenario", lang, GOALS)
    clear_name = findings.goal_name(GOALS["lectures_cum"], lang)
    noisy_name = findings.goal_name(GOALS["small_credit_balance"], lang)
    clear, noisy = _line_with(text, clear_name), _line_with(text, noisy_name)
    better_words = t("r_better", lang).split("{")[0]
    noise_words = t("r_noise", lang).split("{")[0]
    assert better_words != noise_words
    assert clear.startswith(better_words) and noisy.startswith(noise_words)
    # a clear difference says how big it is; noise names the goal only, since even its sign is unknown
    assert fmt.diff(200.0, "lectures", lang) in clear
    assert fmt.diff(5e8, "CNY", lang) not in noisy


def test_less_is_better_for_a_goal_to_be_brought_down():
    row = _pairs().set_index("goal_id").loc["blank_villages"]
    assert findings.verdict(row, "<=") == "better"
    assert findings.verdict(row, ">=") == "worse"
    same = _pairs().set_index("goal_id").loc["village_coverage"]
    assert findings.verdict(same, ">=") == "same"
    unknown = {"diff_mean": 1.0, "diff_ci_low": math.nan, "diff_ci_high": math.nan}
    assert findings.verdict(unknown, ">=") == "noise"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cost_per_unit_is_quoted_only_for_clear_improvements(lang):
    (text,) = findings.money_buys(_pairs(), "scenario", lang, GOALS)
    assert fmt.money(1e8, lang) in text  # the extra money, in 亿元 or million CNY
    assert fmt.cost_per_unit(5e5, "lectures", lang) in text
    assert fmt.cost_per_unit(3.3e6, "villages", lang) in text
    assert findings.goal_name(GOALS["small_credit_balance"], lang) not in text  # noise has no cost per unit
    assert not SCI.search(text)


def test_less_money_is_said_as_a_saving():
    cheaper = _pairs().assign(extra_spend_cny=-2.5e8)
    (text,) = findings.money_buys(cheaper, "scenario", "zh", GOALS)
    assert "少花 2.5 亿元" in text


def test_outlook_counts_likely_uncertain_and_unlikely_goals():
    plan, other = findings.outlook(_summary(), "scenario", "en")
    assert plan.startswith("plan: 2 goals likely met") and "1 uncertain, 2 unlikely" in plan
    assert "2.55 of the 5 goals met on average" in plan
    assert other.startswith("stations first (stations_first): 2 goals likely met")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_goals_no_scenario_is_likely_to_meet(lang):
    text = findings.unlikely_everywhere(_summary(), "scenario", lang, GOALS)
    assert findings.goal_name(GOALS["sme_loan_clients"], lang) in text
    assert findings.goal_name(GOALS["blank_villages"], lang) not in text  # 0.3 somewhere
    everyone_fine = _summary().assign(p_met=0.5)
    assert findings.unlikely_everywhere(everyone_fine, "scenario", lang, GOALS) == t("r_unlikely_none", lang).format(
        lo="20%")


def test_compare_findings_open_with_the_outlook_and_end_with_the_unreachable_goals():
    paragraphs = findings.compare_findings(_summary(), _pairs(), "zh", goals=GOALS)
    assert paragraphs[0].startswith("规划（plan）：")
    assert "明显更好" in paragraphs[2] and "多花 1 亿元" in paragraphs[3]
    assert paragraphs[-1].startswith("任何情景都不太可能达标的目标")


def test_least_budget_findings_name_the_money_in_yi_yuan():
    least = pd.DataFrame([
        {"scenario": "plan", "allocation": "as_planned", "goal_id": "lectures_cum", "p_goal": 0.8,
         "status": "bracketed", "least_total_cny": 6e8, "bracket_low_cny": 3e8, "interpolated_cny": 4.5e8},
        {"scenario": "plan", "allocation": "as_planned", "goal_id": "village_coverage", "p_goal": 0.8,
         "status": "at_or_below_sweep", "least_total_cny": 3e8, "bracket_low_cny": math.nan,
         "interpolated_cny": math.nan},
        {"scenario": "plan", "allocation": "as_planned", "goal_id": "sme_loan_clients", "p_goal": 0.8,
         "status": "not_reached", "least_total_cny": math.nan, "bracket_low_cny": 1.2e9,
         "interpolated_cny": math.nan},
    ])
    below, bracketed, missing = findings.least_budget_findings(least, ["scenario", "allocation"], "zh", GOALS)
    assert below == ("规划（plan） / as_planned：最小的扫描总额 3 亿元 即已使达标概率 ≥ 80%："
                     "200人以上行政村金融服务覆盖率。")
    assert "从 3 亿元 增至 6 亿元 时" in bracketed and "普惠金融讲堂（约 4.5 亿元）" in bracketed
    assert "最高 12 亿元" in missing and "小微企业贷款惠及客户" in missing
    en = " ".join(findings.least_budget_findings(least, ["scenario", "allocation"], "en", GOALS))
    assert "600 million CNY" in en and "1.2 billion CNY" in en and not SCI.search(en)


# ---------------------------------------------------------------- units
@pytest.mark.parametrize(
    ("x", "unit", "zh", "en"),
    [
        (9e8, "CNY", "9 亿元", "900 million CNY"),
        (1e10, "CNY", "100 亿元", "10 billion CNY"),
        (1e11, "CNY", "1,000 亿元", "100 billion CNY"),
        (2.5e5, "CNY", "25 万元", "250,000 CNY"),
        (0.85, "share", "85%", "85%"),
        (0.142, "share", "14.2%", "14.2%"),
        (1e6, "customers", "100 万户", "1,000,000 customers"),
        (4433.7, "villages", "4,434 个村", "4,434 villages"),
        (2, "apps/year", "2 个/年", "2 apps a year"),
    ],
)
def test_values_in_peoples_units(x, unit, zh, en):
    assert fmt.value(x, unit, "zh") == zh
    assert fmt.value(x, unit, "en") == en


def test_differences_of_shares_are_percentage_points_and_signed():
    assert fmt.diff(0.053, "share", "en") == "+5.3 percentage points"
    assert fmt.diff(-0.21, "share", "zh") == "−21 个百分点"
    assert fmt.diff(-1.28e10, "CNY", "zh") == "−128 亿元"


@pytest.mark.parametrize("x", [9e8, 1e10, 1.2345e-5, 123456789.123, -7e12])
def test_no_scientific_notation(x):
    for lang in ("zh", "en"):
        for unit in ("CNY", "share", "clients", "villages"):
            assert not SCI.search(fmt.value(x, unit, lang))
            assert not SCI.search(fmt.cost_per_unit(abs(x), unit, lang))


def _equity() -> pd.DataFrame:
    """equity.csv of a comparison: no_program against plan, the remote–near gap in loans halved under the plan
    (clear), the bottom–top gap in lines within noise."""
    rows = [
        # scenario, measure, mean, reference mean, diff, low, high
        ("no_program", "remote_near_gap_loan", -0.04, -0.02, -0.02, -0.03, -0.01),
        ("no_program", "bottom_top_gap_line", -0.10, -0.11, 0.01, -0.02, 0.04),
    ]
    out = pd.DataFrame([{"scenario": s, "measure": m, "n": 30, "mean": v, "ci_low": v - 0.01, "ci_high": v + 0.01,
                         "reference": "plan", "mean_reference": r, "diff_mean": d, "diff_ci_low": lo,
                         "diff_ci_high": hi, "ratio_to_reference": v / r} for s, m, v, r, d, lo, hi in rows])
    plan = out.assign(scenario="plan", reference=None, mean=out["mean_reference"], mean_reference=math.nan,
                      diff_mean=math.nan, diff_ci_low=math.nan, diff_ci_high=math.nan, ratio_to_reference=math.nan)
    return pd.concat([out, plan], ignore_index=True)


def test_equity_findings_give_the_gap_its_ratio_and_its_paired_interval():
    zh, en = (findings.equity_findings(_equity(), "scenario", lang, 0.95) for lang in ("zh", "en"))
    assert len(en) == 1  # one paragraph for the one compared scenario; the reference gets none
    loans = _line_with(en[0], "remote–near gap in households with a loan")
    assert "−4 percentage points against −2 percentage points under plan" in loans
    assert "2 times the reference's" in loans
    assert "95% interval −3 percentage points to −1 percentage points" in loans and "chance" not in loans
    lines = _line_with(en[0], "bottom–top quintile gap in households with a credit line")
    assert "which could be chance" in lines  # the interval holds zero: no claim
    assert "偏远村与近村之差（有贷款的家庭占比）" in zh[0] and "可能是随机波动" in zh[0]
    assert not SCI.search(zh[0] + en[0])


def test_equity_values_in_their_units():
    assert findings.equity_value("remote_near_gap_loan", 0.0123, "en") == "+1.2 percentage points"
    assert findings.equity_value("bottom_top_gap_distance", -1.5, "zh") == "−1.5 公里"
    assert findings.equity_value("concentration_index_line", 0.0712, "en") == "+0.071"
