"""Tables from replicated runs: summary per cell and goal, paired differences, the least budget."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.experiment.stats import bounded_mean_ci, paired_diff, paired_proportion_diff, proportion_ci
from sim.goals import load_goals

COST_METRIC = "spent_cny"
SHARE_UNIT = "share"  # goals_2020.csv unit of goals whose values are shares in [0, 1]
PAIRED_P_METHOD = "newcombe_paired"


def summarise(runs: pd.DataFrame, by: list[str], confidence: float, p_method: str) -> pd.DataFrame:
    """Per cell (``by``) and goal or metric: mean with its interval, P(goal met) with its interval.

    The interval of a mean stays inside the values' range (``ci_method``: ``logit_t`` for goals whose
    unit is a share, ``log_t`` when every replication is >= 0, else ``t``; see
    :func:`~sim.experiment.stats.bounded_mean_ci`); ``p_met_method`` names the interval of P(met).

    Args:
        runs: one row per run x goal or metric (``runs.parquet``).
        by: the cell columns, e.g. ``["scenario"]``.
        confidence: interval level.
        p_method: ``wilson`` or ``clopper_pearson``.
    """
    rows = []
    goals = load_goals()
    order = {g.goal_id: i for i, g in enumerate(goals)}
    shares = {g.goal_id for g in goals if g.unit == SHARE_UNIT}
    for keys, grp in runs.groupby([*by, "kind", "name"], sort=False):
        *cell, kind, name = keys
        mean, low, high, method = bounded_mean_ci(grp["value"].to_numpy(float), confidence, share=name in shares)
        row = dict(zip(by, cell, strict=True))
        row.update(kind=kind, goal_id=name, n=len(grp), mean=mean, sd=float(grp["value"].std(ddof=1)),
                   ci_low=low, ci_high=high, ci_method=method, target=grp["target"].iloc[0],
                   comparison=grp["comparison"].iloc[0])
        if kind == "goal":
            met = grp["met"].astype("boolean").to_numpy(dtype=bool, na_value=False)
            p, p_low, p_high = proportion_ci(int(met.sum()), len(met), confidence, p_method)
            a_mean, a_low, a_high, a_method = bounded_mean_ci(grp["attainment"].to_numpy(float), confidence)
        else:
            p = p_low = p_high = a_mean = a_low = a_high = math.nan
            a_method = ""
        row.update(p_met=p, p_met_low=p_low, p_met_high=p_high, p_met_method=p_method if kind == "goal" else "",
                   attainment_mean=a_mean, attainment_ci_low=a_low, attainment_ci_high=a_high,
                   attainment_ci_method=a_method)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["_order"] = out["goal_id"].map(lambda g: order.get(g, len(order)))
    return out.sort_values([*by, "kind", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def paired(runs: pd.DataFrame, cell: str, reference: str, confidence: float) -> pd.DataFrame:
    """Each cell against the reference, replication by replication (the same seed in both).

    For every goal: the mean of the per-seed differences and its t interval, the paired t-test p-value,
    the share of seeds where the cell did better, the difference in P(met) with Newcombe's interval for
    paired proportions (inside [-1, 1]; ``p_met_diff_method``), and
    the incremental cost per unit of improvement: (extra spend) / (extra goal value in the goal's
    direction), from the mean paired differences; blank when the goal did not improve.
    """
    if runs.empty:
        return pd.DataFrame()
    runs = runs[runs["name"] != "wall_time_s"]
    runs = runs.assign(met=runs["met"].astype("boolean").to_numpy(dtype=float, na_value=np.nan))
    wide = runs.pivot_table(index=["replication", "seed", "name"], columns=cell, values="value", aggfunc="first")
    met = runs[runs["kind"] == "goal"].pivot_table(index=["replication", "seed", "name"], columns=cell,
                                                   values="met", aggfunc="first")
    spend = wide.xs(COST_METRIC, level="name")
    goals = {g.goal_id: g for g in load_goals()}
    kinds = runs.drop_duplicates("name").set_index("name")["kind"]  # goal, metric or equity
    rows = []
    for other in [c for c in dict.fromkeys(runs[cell]) if c != reference]:  # in the order asked for
        cost = paired_diff(spend[other].to_numpy(float), spend[reference].to_numpy(float), confidence)
        for name in runs["name"].drop_duplicates():
            sub = wide.xs(name, level="name")
            d = paired_diff(sub[other].to_numpy(float), sub[reference].to_numpy(float), confidence)
            sign = -1.0 if name in goals and goals[name].comparison == "<=" else 1.0
            diffs = sign * (sub[other].to_numpy(float) - sub[reference].to_numpy(float))
            row = {cell: other, "reference": reference, "goal_id": name,
                   "kind": "goal" if name in goals else str(kinds.get(name, "metric")),
                   "mean": float(sub[other].mean()), "mean_reference": float(sub[reference].mean()), **d,
                   "share_better": float(np.mean(diffs > 0)), "share_worse": float(np.mean(diffs < 0))}
            if name in goals:
                m = met.xs(name, level="name").astype(float)
                md = paired_proportion_diff(m[other].to_numpy(), m[reference].to_numpy(), confidence)
                row.update(p_met=float(m[other].mean()), p_met_reference=float(m[reference].mean()),
                           p_met_diff=md["diff_mean"], p_met_diff_ci_low=md["diff_ci_low"],
                           p_met_diff_ci_high=md["diff_ci_high"], p_met_diff_method=PAIRED_P_METHOD)
                improvement = sign * d["diff_mean"]
                row["extra_spend_cny"] = cost["diff_mean"]
                row["cost_per_unit_cny"] = (cost["diff_mean"] / improvement
                                            if improvement > 0 and cost["diff_mean"] > 0 else math.nan)
            rows.append(row)
    return pd.DataFrame(rows)


def least_budget(summary: pd.DataFrame, by: list[str], p_goal: float) -> pd.DataFrame:
    """The least total budget at which each goal is met with probability >= p_goal.

    Per cell (``by`` without ``total_cny``) and goal, over the swept totals in increasing order: the first
    total from which P(met) stays >= p_goal at every larger total. ``bracketed`` means a smaller swept total
    fell short, so the least budget lies in (previous total, this total]; ``interpolated_cny`` is the linear
    interpolation of P(met) between the two. ``conservative_cny`` uses the interval's lower end instead
    of P(met). ``at_or_below_sweep``: met already at the smallest total; ``not_reached``: not met at any.
    """
    goals = summary[summary["kind"] == "goal"]
    rows = []
    for keys, grp in goals.groupby([*by, "goal_id"], sort=False):
        grp = grp.sort_values("total_cny")
        totals, p, p_low = (grp[c].to_numpy(float) for c in ("total_cny", "p_met", "p_met_low"))
        row = {**dict(zip([*by, "goal_id"], keys, strict=True)), "p_goal": p_goal}
        i = _first_staying(p, p_goal)
        j = _first_staying(p_low, p_goal)
        row["conservative_cny"] = totals[j] if j is not None else math.nan
        if i is None:
            row.update(status="not_reached", least_total_cny=math.nan, bracket_low_cny=totals[-1],
                       interpolated_cny=math.nan)
        elif i == 0:
            row.update(status="at_or_below_sweep", least_total_cny=totals[0], bracket_low_cny=math.nan,
                       interpolated_cny=math.nan)
        else:
            t0, t1, p0, p1 = totals[i - 1], totals[i], p[i - 1], p[i]
            interp = t0 + (p_goal - p0) / (p1 - p0) * (t1 - t0) if p1 > p0 else t1
            row.update(status="bracketed", least_total_cny=t1, bracket_low_cny=t0, interpolated_cny=interp)
        row["p_met_at_least"] = p[i] if i is not None else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _first_staying(p: np.ndarray, level: float) -> int | None:
    """First index from which every value is >= level, or None."""
    ok = p >= level
    if not ok[-1]:
        return None
    i = len(ok) - 1
    while i > 0 and ok[i - 1]:
        i -= 1
    return i


EQUITY_KIND = "equity"  # runs.parquet rows of the equity gaps at the end of 2020 (sim.equity.end_gaps)


def equity_table(summary: pd.DataFrame, pairs: pd.DataFrame, by: list[str], cell: str | None = None) -> pd.DataFrame:
    """The equity measures at the end of 2020 per cell, with intervals and paired differences.

    One row per cell and measure (``remote_near_gap_loan``, ``bottom_top_gap_line``,
    ``concentration_index_digital``, ...): the mean over replications and its interval (``summary.csv``),
    then, when ``pairs`` holds the measure, the reference's mean, the mean paired difference and its interval,
    and the ratio of the cell's mean to the reference's (0.5: the gap halved).

    Args:
        summary: ``summary.csv``.
        pairs: ``paired.csv`` (may be empty).
        by: the cell columns of the summary, e.g. ``["scenario"]``.
        cell: the column of ``pairs`` naming the compared cell (``scenario``); None for no pairing.
    """
    s = summary[summary["kind"] == EQUITY_KIND]
    out = s[[*by, "goal_id", "n", "mean", "ci_low", "ci_high", "ci_method"]].rename(columns={"goal_id": "measure"})
    if cell is not None and len(pairs) and "kind" in pairs:
        p = pairs[pairs["kind"] == EQUITY_KIND][[cell, "reference", "goal_id", "mean_reference", "diff_mean",
                                                 "diff_ci_low", "diff_ci_high"]]
        out = out.merge(p.rename(columns={"goal_id": "measure"}), on=[cell, "measure"], how="left")
        ref = out["mean_reference"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["ratio_to_reference"] = np.where(ref != 0, out["mean"].to_numpy(float) / ref, np.nan)
    return out.reset_index(drop=True)
