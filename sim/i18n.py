"""Labels in Chinese and English, shared by the workshop page and the experiment reports.

Goal names come from ``configs/data/goals_2020.csv`` and county names from :mod:`sim.population`, so the
page says what the model says. Levers are discovered from :class:`sim.config.LeversConf`; a lever without
an entry in :data:`LEVER_TEXT` is labelled from its config docstring, so a new lever shows up without a code
change here.
"""

from __future__ import annotations

import dataclasses
from functools import cache

from sim.config import LeversConf
from sim.goals import load_goals
from sim.population import COUNTIES, COUNTIES_EN

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# Page text: key -> (Chinese, English).
TEXT: dict[str, tuple[str, str]] = {
    "title": ("台州农信普惠金融五年规划 · 研讨沙盘", "Taizhou rural credit inclusive-finance plan · workshop"),
    "language": ("语言 / Language", "Language / 语言"),
    "language_tip": ("切换页面语言；模型不变。", "Switches the page's labels; the model is unchanged."),
    "month": ("当前月份", "Month"),
    "goals_met": ("达标目标", "Goals met"),
    "scenario": ("情景预设", "Scenario preset"),
    "scenario_tip": (
        "从 configs/scenario/ 读取的情景。切换后从 2016-01 重新开始（等同于“重置”）。",
        "A scenario from configs/scenario/. Choosing one restarts at 2016-01 (like Reset).",
    ),
    "seed": ("随机种子", "Seed"),
    "seed_tip": (
        "同一种子 = 同一批模拟农户与同样的随机事件；参照线使用同一种子。改后从 2016-01 重新开始。",
        "Same seed = same simulated households and chance events; the reference line uses the same seed. "
        "Changing it restarts at 2016-01.",
    ),
    "speed": ("播放速度（每月间隔 毫秒）", "Play speed (ms between months)"),
    "speed_tip": (
        "“播放”时两个月之间的等待时间；越小越快。只影响演示，不影响结果。",
        "Pause between months while playing; smaller is faster. Display only, results are unchanged.",
    ),
    "budget": ("预算", "Budget"),
    "budget_total": ("总预算（亿元）", "Total budget (100 million CNY)"),
    "budget_tip": (
        "假设：新总额按原年度节奏分配到本年及以后各年，已过年份的计划不变；各杠杆按下方比例分账。",
        "Assumes: the new total is phased over this year and later with the plan's yearly phasing; past "
        "years keep their plan; levers get the shares below.",
    ),
    "split": ("预算分配（占比，自动归一）", "Split across levers (shares, normalised to 100%)"),
    "split_tip": (
        "各杠杆可用资金的占比；合计自动调整为 100%。资金不足时杠杆按可用资金缩量。",
        "Each lever's share of the money; shares are rescaled to add up to 100%. A lever short of money does "
        "less.",
    ),
    "levers": ("政策杠杆（开/关，力度 = 规划力度的百分比）", "Levers (on/off, intensity = % of the plan's)"),
    "intensity_tip": (
        "力度以“规划”情景为 100%，自本年起生效，已过年份不变。",
        "Intensity as a % of the plan scenario's, from this year on; past years are unchanged.",
    ),
    "apply": ("应用调整", "Apply changes"),
    "apply_tip": (
        "把上面的预算与杠杆设置用于下一个月起的模拟，并在图上标记本月（中期调整）。",
        "Uses the budget and lever settings above from next month on and marks this month on the charts "
        "(a mid-course correction).",
    ),
    "review_2018": ("2018 年中期评估：暂停在 2018-06", "2018 review: pause at 2018-06"),
    "review_tip": (
        "运行到 2018-06（规划的中期评估），便于调整杠杆后继续。",
        "Runs to 2018-06 (the plan's mid-term review), ready for a correction before resuming.",
    ),
    "pending": ("调整将从下个月起生效（单步或播放）", "Changes apply from the next month (Step or Play)"),
    "changes": ("已做调整", "Changes made"),
    "no_changes": ("尚无调整", "No changes yet"),
    "scorecard": ("2020 目标记分卡", "2020 goals scorecard"),
    "goal": ("目标", "Goal"),
    "value": ("当前值", "Now"),
    "target": ("目标值", "Target"),
    "progress": ("进度", "Progress"),
    "met": ("达标", "Met"),
    "yes": ("达标", "met"),
    "no": ("未达标", "not met"),
    "trajectories": ("关键目标走势（实线=当前，虚线=规划参照，点线=目标）",
                     "Key goals over time (solid = now, dashed = plan reference, dotted = target)"),
    "current": ("当前", "current"),
    "reference": ("规划参照", "plan reference"),
    "change_mark": ("调整", "change"),
    "money": ("资金：按杠杆与年份的支出 vs 预算", "Money: spent by lever and year against the budget"),
    "spent": ("已支出", "spent"),
    "planned": ("预算", "budget"),
    "total_spent": ("累计支出", "Spent so far"),
    "of_budget": ("总预算", "of a budget of"),
    "map": ("服务网点分布（9 个县市区示意，每格一个行政村）",
            "Where service is (9 counties, schematic; one square per village)"),
    "served_station": ("有丰收驿站", "station"),
    "served_device": ("有自助机具", "device"),
    "served_branch": ("有网点", "branch"),
    "unserved": ("空白村", "no service"),
    "villages": ("村", "villages"),
    "export": ("导出当前视图（HTML 讲义）", "Export this view (HTML handout)"),
    "export_tip": (
        "下载一个离线可打开的小 HTML 文件：记分卡、图表、资金表与调整记录。",
        "Downloads a small offline HTML file: scorecard, charts, money table and the change log.",
    ),
    "on": ("开", "on"),
    "off": ("关", "off"),
    "split_short": ("预算分配", "split"),
    "yi": ("亿元", "100m CNY"),
    "wan": ("万", "10k"),
}

# Lever labels and what each assumes: name -> (Chinese label, English label, Chinese tip, English tip).
LEVER_TEXT: dict[str, tuple[str, str, str, str]] = {
    "manager_visits": ("走千访万 / 一人一格", "Account-manager visits",
                       "每位客户经理每月额外走访户数；先给未建档户建档。",
                       "Extra households visited per account manager per month; unfiled households first."),
    "village_campaigns": ("整村授信", "Whole-village credit",
                          "每年额外整村授信的村数，批量评级、授信、发卡。",
                          "Extra villages a year rated and granted credit lines in one campaign."),
    "stations": ("丰收驿站", "Village service stations",
                 "每年新开驿站数，仅在 200 人以上且无服务的村；开站前须备足到 2020 年的运营费。",
                 "Stations opened a year in unserved villages of 200+; opens only if opex to 2020 is funded."),
    "devices": ("自助机具", "Self-service devices",
                "每年在 200 人以下村布放的机具数。", "Device points a year in villages under 200 residents."),
    "community_outlets": ("社区银行", "Community outlets",
                          "每年在城区社区新开的网点数。", "Community banking outlets opened a year in towns."),
    "digital_platform": ("丰收互联 / 普惠通", "Digital platform",
                         "每年平台投入（元）；按参照投入推高线上渠道采用。",
                         "Platform spend a year (CNY); pushes online-channel adoption relative to a reference spend."),
    "fee_waivers": ("减费（免收费用）", "Fee waivers",
                    "免收账户、卡费与转账手续费的账户比例。", "Share of eligible accounts with fees waived."),
    "rate_discounts": ("让利（利率优惠）", "Rate discounts",
                       "小额信用、农户与低收入贷款的利率优惠（基点）。",
                       "Discount in basis points on small-credit, farm and low-income loans."),
    "lectures": ("普惠金融讲堂", "Financial-literacy lectures",
                 "每年讲堂场数；听课农户金融知识提高。", "Lectures a year; attendees' financial literacy rises."),
    "low_income_loans": ("低收入农户贷款", "Low-income household loans",
                         "低收入农户中获得专项贷款产品的比例。",
                         "Share of low-income households reached by the targeted loan product."),
    "industry_apps": ("行业应用", "Industry apps",
                      "每年上线的行业应用场景数。", "New industry application scenarios launched a year."),
}


def t(key: str, lang: str) -> str:
    """The page text ``key`` in ``lang`` ('zh' or 'en'); the key itself if unknown."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def lever_names() -> tuple[str, ...]:
    """The levers of the model, from the fields of :class:`sim.config.LeversConf`."""
    return tuple(f.name for f in dataclasses.fields(LeversConf))


def _doc_label(name: str) -> tuple[str, str]:
    """Label a lever without a translation from its config docstring: '走千访万 / ...: what it does'."""
    field = {f.name: f for f in dataclasses.fields(LeversConf)}[name]
    doc = (field.default_factory.__doc__ or "").strip()  # type: ignore[union-attr]
    head, _, rest = doc.partition(":")
    plain = name.replace("_", " ").capitalize()
    return (head.strip() or plain), (rest.strip() or doc or plain)


def lever_label(name: str, lang: str) -> str:
    """A lever's short label."""
    if name in LEVER_TEXT:
        return LEVER_TEXT[name][0 if lang == "zh" else 1]
    head, _ = _doc_label(name)
    return head if lang == "zh" else name.replace("_", " ").capitalize()


def lever_tip(name: str, lang: str) -> str:
    """What a lever's intensity means and assumes."""
    if name in LEVER_TEXT:
        return LEVER_TEXT[name][2 if lang == "zh" else 3]
    return _doc_label(name)[1]


@cache
def goal_names() -> dict[str, tuple[str, str]]:
    """goal_id -> (name_zh, name_en) from the goals file."""
    return {g.goal_id: (g.name_zh, g.name_en) for g in load_goals()}


def goal_name(goal_id: str, lang: str) -> str:
    """A goal's name in ``lang``."""
    zh, en = goal_names()[goal_id]
    return zh if lang == "zh" else en


def county_name(i: int, lang: str) -> str:
    """County ``i`` (0..8) in ``lang``."""
    return COUNTIES[i] if lang == "zh" else COUNTIES_EN[i]
