"""The findings a report opens with, in plain words, generated from the result tables.

Pure functions of the tables the experiments write (``summary.csv``, ``paired.csv``, ``least_budget.csv``):
no files, no figures, so every sentence can be checked on a small hand-made table. Each returns plain text
(no HTML) in Chinese (``zh``) or English (``en``); a paragraph may hold several lines, one per
verdict. The report escapes it.

A difference against the reference is *clear* when its paired interval excludes zero, *noise* when the
interval includes zero, and *identical* when every replication gave the same value in both; the three are
worded differently so that a reader never takes noise for an effect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, Protocol

import pandas as pd

from sim.experiment import fmt
from sim.i18n import scenario_label, t

LIKELY = 0.8  # P(met) from which a goal counts as likely met
UNLIKELY = 0.2  # P(met) below which a goal counts as unlikely to be met

# the goal that is the programme's money itself: its cost per unit is 1 CNY per CNY by construction
MONEY_GOALS = ("inclusive_spend_cum",)

Verdict = Literal["better", "worse", "noise", "same"]


class GoalLike(Protocol):
    """What the findings need to know of a goal (``sim.goals.Goal`` has it)."""

    goal_id: str
    name_zh: str
    name_en: str
    unit: str
    comparison: str


def default_goals() -> dict[str, GoalLike]:
    """The plan's goals by id, in the order of the goals file."""
    from sim.goals import load_goals

    return {g.goal_id: g for g in load_goals()}


def goal_name(goal: GoalLike, lang: str) -> str:
    """A goal's name in ``lang``."""
    return goal.name_zh if lang == "zh" else goal.name_en


def _sep(lang: str) -> str:
    return "、" if lang == "zh" else "; "


def _join(items: list[str], lang: str) -> str:
    return _sep(lang).join(items)


def verdict(row: Mapping, comparison: str) -> Verdict:
    """Whether a paired difference is clear, in which direction for the goal, or noise.

    Args:
        row: a row of ``paired.csv`` (``diff_mean``, ``diff_ci_low``, ``diff_ci_high``).
        comparison: the goal's ``>=`` (more is better) or ``<=`` (less is better).

    Returns:
        ``better`` or ``worse`` when the interval excludes zero, ``same`` when every pair was equal (a zero-width
        interval at zero), else ``noise``. An interval that could not be computed is noise: nothing is claimed.
    """
    low, high, mean = (float(row[k]) for k in ("diff_ci_low", "diff_ci_high", "diff_mean"))
    if not (math.isfinite(low) and math.isfinite(high)):
        return "noise"
    if low == 0 and high == 0 and mean == 0:
        return "same"
    if low > 0 or high < 0:
        up = low > 0
        return "better" if up == (comparison != "<=") else "worse"
    return "noise"


def _cell_label(cell_value: str, lang: str) -> str:
    """A scenario name as people say it, with its file name when they differ."""
    label = scenario_label(str(cell_value), lang)
    if label == str(cell_value):
        return label
    return f"{label}（{cell_value}）" if lang == "zh" else f"{label} ({cell_value})"


def outlook(summary: pd.DataFrame, cell: str, lang: str, likely: float = LIKELY,
            unlikely: float = UNLIKELY) -> list[str]:
    """Per cell: how many goals are likely met, uncertain and unlikely, and how many are met on average.

    Args:
        summary: ``summary.csv`` (``kind``, ``goal_id``, ``p_met`` and the cell column).
        cell: the cell column, e.g. ``scenario``.
        lang: ``zh`` or ``en``.
        likely: P(met) from which a goal is likely met.
        unlikely: P(met) below which a goal is unlikely to be met.
    """
    goals = summary[summary["kind"] == "goal"]
    out = []
    for c, grp in goals.groupby(cell, sort=False):
        p = grp["p_met"].astype(float)
        n_likely, n_unlikely = int((p >= likely).sum()), int((p < unlikely).sum())
        out.append(t("r_outlook", lang).format(
            cell=_cell_label(c, lang), likely=n_likely, middle=len(p) - n_likely - n_unlikely, unlikely=n_unlikely,
            hi=fmt.percent(likely), lo=fmt.percent(unlikely), mean=fmt.number(float(p.sum()), 3), n=len(p)))
    return out


def unlikely_everywhere(summary: pd.DataFrame, cell: str, lang: str, goals: Mapping[str, GoalLike] | None = None,
                        unlikely: float = UNLIKELY, key: str = "r_unlikely_all") -> str:
    """The goals that no cell meets with probability ``unlikely`` or more (the best cell's P(met) in brackets).

    ``key`` is the sentence's entry in the strings table (a sweep says "at no total" rather than "no scenario").
    """
    goals = goals or default_goals()
    g = summary[summary["kind"] == "goal"]
    best = g.groupby("goal_id", sort=False)["p_met"].max()
    hopeless = [gid for gid, p in best.items() if float(p) < unlikely]
    if not hopeless:
        return t("r_unlikely_none", lang).format(lo=fmt.percent(unlikely))
    items = [f"{goal_name(goals[gid], lang)}（{fmt.percent(float(best[gid]))}）" if lang == "zh"
             else f"{goal_name(goals[gid], lang)} ({fmt.percent(float(best[gid]))})" for gid in hopeless]
    return t(key, lang).format(lo=fmt.percent(unlikely), items=_join(items, lang))


def verdict_parts(grp: pd.DataFrame, lang: str, goals: Mapping[str, GoalLike]) -> list[str]:
    """The goals of one compared cell grouped by verdict, one clause per non-empty group.

    Clear differences name the size in the goal's unit and the change in P(met); noise is listed by name only,
    because its sign is not known.
    """
    groups: dict[Verdict, list[str]] = {"better": [], "worse": [], "noise": [], "same": []}
    for _, row in grp.iterrows():
        goal = goals[row["goal_id"]]
        v = verdict(row, goal.comparison)
        name = goal_name(goal, lang)
        if v in ("better", "worse"):
            change = t("r_p_met_change", lang).format(before=fmt.percent(float(row["p_met_reference"])),
                                                      after=fmt.percent(float(row["p_met"])))
            size = fmt.diff(float(row["diff_mean"]), goal.unit, lang)
            name = f"{name}（{size}；{change}）" if lang == "zh" else f"{name} ({size}; {change})"
        groups[v].append(name)
    return [t(f"r_{v}", lang).format(items=_join(items, lang)) for v, items in groups.items() if items]


def differences(pairs: pd.DataFrame, cell: str, lang: str, goals: Mapping[str, GoalLike] | None = None) -> list[str]:
    """Per compared cell: the goals clearly better, clearly worse, noise and identical against the reference."""
    goals = goals or default_goals()
    p = pairs[pairs["kind"] == "goal"] if "kind" in pairs else pairs
    out = []
    for c, grp in p.groupby(cell, sort=False):
        head = t("r_against", lang).format(cell=_cell_label(c, lang),
                                           ref=_cell_label(grp["reference"].iloc[0], lang))
        out.append("\n".join([head, *verdict_parts(grp, lang, goals)]))  # one line per verdict
    return out


def cost_items(grp: pd.DataFrame, lang: str, goals: Mapping[str, GoalLike]) -> list[str]:
    """'goal: cost per unit' for the goals one compared cell clearly improves and that have a cost per unit."""
    items = []
    for _, row in grp.iterrows():
        goal = goals[row["goal_id"]]
        cost = float(row["cost_per_unit_cny"])
        if verdict(row, goal.comparison) == "better" and math.isfinite(cost) and goal.goal_id not in MONEY_GOALS:
            items.append(f"{goal_name(goal, lang)}{'：' if lang == 'zh' else ': '}"
                         f"{fmt.cost_per_unit(cost, goal.unit, lang)}")
    return items


def money_buys(pairs: pd.DataFrame, cell: str, lang: str, goals: Mapping[str, GoalLike] | None = None) -> list[str]:
    """Per compared cell: the extra money and its cost per unit for the goals it clearly improves.

    Cost per unit is ``cost_per_unit_cny`` of ``paired.csv`` (extra spend over the extra goal value); it is
    quoted only where the improvement is clear, since a cost per unit of noise means nothing.
    """
    goals = goals or default_goals()
    out = []
    p = pairs[pairs["kind"] == "goal"] if "kind" in pairs else pairs
    for c, grp in p.groupby(cell, sort=False):
        extra = float(grp["extra_spend_cny"].iloc[0])
        label, ref = _cell_label(c, lang), _cell_label(grp["reference"].iloc[0], lang)
        if not math.isfinite(extra) or abs(extra) < 1.0:  # the same money: nothing bought, nothing saved
            continue
        if extra < 0:
            out.append(t("r_saves", lang).format(cell=label, ref=ref, saving=fmt.money(-extra, lang)))
            continue
        items = cost_items(grp, lang, goals)
        key = "r_buys" if items else "r_buys_none"
        out.append(t(key, lang).format(cell=label, ref=ref, extra=fmt.money(extra, lang), items=_join(items, lang)))
    return out


def compare_findings(summary: pd.DataFrame, pairs: pd.DataFrame, lang: str, cell: str = "scenario",
                     goals: Mapping[str, GoalLike] | None = None) -> list[str]:
    """The opening paragraphs of a comparison's report.

    In order: the outlook per scenario, clear and noisy differences against the reference, what the extra
    money buys, the goals no scenario is likely to meet.
    """
    goals = goals or default_goals()
    out = outlook(summary, cell, lang)
    if len(pairs):
        out += differences(pairs, cell, lang, goals)
        out += money_buys(pairs, cell, lang, goals)
    out.append(unlikely_everywhere(summary, cell, lang, goals))
    return out


def least_budget_findings(least: pd.DataFrame, cells: list[str], lang: str,
                          goals: Mapping[str, GoalLike] | None = None) -> list[str]:
    """Per sweep cell: the goals that reach the probability at the smallest total, between two totals, or never.

    Goals reached between two swept totals carry the linear interpolation of the least budget.

    Args:
        least: ``least_budget.csv``.
        cells: the cell columns without the total, e.g. ``["scenario", "allocation"]``.
        lang: ``zh`` or ``en``.
        goals: goals by id (default: the plan's).
    """
    goals = goals or default_goals()
    out = []
    for keys, grp in least.groupby(cells, sort=False):
        label = budget_cell_label(keys, lang)
        p = fmt.percent(float(grp["p_goal"].iloc[0]))
        names = {gid: goal_name(goals[gid], lang) for gid in grp["goal_id"]}
        below = grp[grp["status"] == "at_or_below_sweep"]
        if len(below):
            out.append(t("r_least_below", lang).format(
                cell=label, p=p, total=fmt.money(float(below["least_total_cny"].iloc[0]), lang),
                items=_join([names[g] for g in below["goal_id"]], lang)))
        bracketed = grp[grp["status"] == "bracketed"]
        for (low, high), brk in bracketed.groupby(["bracket_low_cny", "least_total_cny"], sort=True):
            items = []
            for _, row in brk.iterrows():
                interp = float(row["interpolated_cny"])
                about = t("r_about", lang).format(x=fmt.money(interp, lang)) if math.isfinite(interp) else ""
                items.append(f"{names[row['goal_id']]}{about}")
            out.append(t("r_least_bracketed", lang).format(cell=label, p=p, low=fmt.money(float(low), lang),
                                                           total=fmt.money(float(high), lang),
                                                           items=_join(items, lang)))
        missing = grp[grp["status"] == "not_reached"]
        if len(missing):
            top = fmt.money(float(grp["bracket_low_cny"].max()), lang)
            out.append(t("r_not_reached", lang).format(cell=label, top=top,
                                                       items=_join([names[g] for g in missing["goal_id"]], lang)))
    return out


def budget_cell_label(keys: object, lang: str) -> str:
    """A sweep cell (scenario, allocation) as '规划 (plan) / as_planned'."""
    keys = keys if isinstance(keys, tuple) else (keys,)
    return " / ".join([_cell_label(keys[0], lang), *(str(k) for k in keys[1:])])


def budget_findings(summary: pd.DataFrame, least: pd.DataFrame, money_pairs: pd.DataFrame, cells: list[str],
                    lang: str, goals: Mapping[str, GoalLike] | None = None) -> list[str]:
    """The opening paragraphs of a budget sweep's report.

    Args:
        summary: ``summary.csv`` of the sweep (cells and ``total_cny``).
        least: ``least_budget.csv``.
        money_pairs: per cell, the largest total swept paired against the smallest, rows as ``paired.csv``
            with a ``cell`` column (the cell's label) and the two totals in ``low_cny`` and ``high_cny``;
            may be empty.
        cells: the cell columns without the total.
        lang: ``zh`` or ``en``.
        goals: goals by id (default: the plan's).
    """
    goals = goals or default_goals()
    g = summary[summary["kind"] == "goal"]
    out = []
    for keys, grp in g.groupby(cells, sort=False):
        top_total = float(grp["total_cny"].max())
        top = grp[grp["total_cny"] == top_total]
        out.append(t("r_at_top", lang).format(cell=budget_cell_label(keys, lang), top=fmt.money(top_total, lang),
                                              likely=int((top["p_met"] >= LIKELY).sum()), hi=fmt.percent(LIKELY)))
    out += least_budget_findings(least, cells, lang, goals)
    if len(money_pairs):
        goal_rows = money_pairs[money_pairs["kind"] == "goal"] if "kind" in money_pairs else money_pairs
        for c, grp in goal_rows.groupby("cell", sort=False):
            head = t("r_money_pair", lang).format(cell=c, low=fmt.money(float(grp["low_cny"].iloc[0]), lang),
                                                  high=fmt.money(float(grp["high_cny"].iloc[0]), lang))
            parts = [head, *verdict_parts(grp, lang, goals)]
            extra, items = float(grp["extra_spend_cny"].iloc[0]), cost_items(grp, lang, goals)
            if items and math.isfinite(extra) and extra > 0:
                parts.append(t("r_buys_money", lang).format(extra=fmt.money(extra, lang), items=_join(items, lang)))
            out.append("\n".join(parts))
    # the goals no cell reaches at any total
    totals = g.assign(_cell=g[cells].astype(str).agg("/".join, axis=1))
    out.append(unlikely_everywhere(totals, "_cell", lang, goals, key="r_unlikely_sweep"))
    return out


# ---------------------------------------------------------------- who is reached (sim.equity)
EQUITY_GAPS = ("remote_near_gap", "bottom_top_gap", "concentration_index")
EQUITY_ACCESS = ("line", "loan", "digital", "distance")
# the gaps the findings speak of, in this order: the plan names remote villages and low-income households first
EQUITY_HEADLINE = ("remote_near_gap_loan", "remote_near_gap_line", "bottom_top_gap_loan", "bottom_top_gap_line")


def split_equity(name: str) -> tuple[str, str]:
    """``remote_near_gap_loan`` -> (``remote_near_gap``, ``loan``)."""
    measure, _, access = name.rpartition("_")
    return measure, access


def equity_label(name: str, lang: str) -> str:
    """An equity measure as people say it, e.g. 'remote–near gap in households with a loan'."""
    measure, access = split_equity(name)
    if lang == "zh":
        return f"{t('eq_' + measure, lang)}（{t('eq_' + access, lang)}）"
    return f"{t('eq_' + measure, lang)} in {t('eq_' + access, lang)}"


def equity_value(name: str, x: float, lang: str) -> str:
    """A gap or index in its unit: shares in percentage points, distance in km, the index as a number."""
    if x is None or not math.isfinite(x):
        return "–"
    measure, access = split_equity(name)
    sign = "+" if x > 0 else ""
    if measure == "concentration_index":
        return f"{sign}{fmt.number(x, 2)}"
    if access == "distance":
        return f"{sign}{fmt.number(x, 2)} {'公里' if lang == 'zh' else 'km'}"
    return fmt.diff(x, "share", lang)


def equity_findings(equity: pd.DataFrame, cell: str, lang: str, confidence: float) -> list[str]:
    """Per compared cell: the headline gaps (:data:`EQUITY_HEADLINE`) against the reference, with intervals.

    Args:
        equity: ``equity.csv`` of a comparison (:func:`sim.experiment.analysis.equity_table`).
        cell: the cell column, e.g. ``scenario``.
        lang: ``zh`` or ``en``.
        confidence: the interval level.
    """
    out = []
    for c, gaps in _headline_gaps(equity, cell):
        lines = []
        for name, r in gaps:
            ratio = float(r["ratio_to_reference"])
            lines.append(t("r_eq_finding", lang).format(
                cell=_cell_label(c, lang), measure=equity_label(name, lang),
                value=equity_value(name, float(r["mean"]), lang),
                ref=_cell_label(r["reference"], lang), ref_value=equity_value(name, float(r["mean_reference"]), lang),
                ratio=t("r_eq_ratio", lang).format(x=fmt.number(ratio, 2)) if math.isfinite(ratio) else "–",
                diff=equity_value(name, float(r["diff_mean"]), lang), level=fmt.percent(confidence),
                low=equity_value(name, float(r["diff_ci_low"]), lang),
                high=equity_value(name, float(r["diff_ci_high"]), lang),
                noise=t("r_eq_noise", lang) if verdict(r, ">=") == "noise" else ""))
        if lines:
            out.append("\n".join(lines))
    return out


def _headline_gaps(equity: pd.DataFrame, by):
    """Per cell of ``by``: (cell, [(measure, row), ...]) for the headline gaps that have a reference, in order."""
    if "reference" not in equity:
        return
    rows = equity[equity["reference"].notna() & equity["measure"].isin(EQUITY_HEADLINE)]
    for key, grp in rows.groupby(by, sort=False):
        found = ((name, grp[grp["measure"] == name]) for name in EQUITY_HEADLINE)
        yield key, [(name, r.iloc[0]) for name, r in found if not r.empty]


def budget_equity_findings(equity: pd.DataFrame, cells: list[str], lang: str, confidence: float) -> list[str]:
    """Per sweep cell: how the headline gaps change from its smallest total to its largest, with intervals.

    Args:
        equity: ``equity.csv`` of a budget sweep (``budget.budget_equity``).
        cells: the cell columns without the total, e.g. ``["scenario", "allocation"]``.
        lang: ``zh`` or ``en``.
        confidence: the interval level.
    """
    out = []
    for keys, gaps in _headline_gaps(equity, cells):
        lines = []
        for name, r in gaps:
            lines.append(t("r_eq_money", lang).format(
                cell=budget_cell_label(keys, lang), low=fmt.money(float(r["reference"]), lang),
                high=fmt.money(float(r["total_cny"]), lang), measure=equity_label(name, lang),
                before=equity_value(name, float(r["mean_reference"]), lang),
                after=equity_value(name, float(r["mean"]), lang), diff=equity_value(name, float(r["diff_mean"]), lang),
                level=fmt.percent(confidence), lo=equity_value(name, float(r["diff_ci_low"]), lang),
                hi=equity_value(name, float(r["diff_ci_high"]), lang),
                noise=t("r_eq_noise", lang) if verdict(r, ">=") == "noise" else ""))
        if lines:
            out.append("\n".join(lines))
    return out
