"""Figures and the single self-contained ``report.html`` (images embedded as base64)."""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.experiment.store import write_text_atomic
from sim.goals import load_goals


def _grid(n: int, cols: int = 4):
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.6 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    tmp.replace(path)
    return path


def _err(mid, low, high) -> np.ndarray:
    """Error-bar lengths, never negative (rounding can put an interval end a hair inside its centre)."""
    mid = np.asarray(mid, float)
    return np.clip(np.vstack([mid - np.asarray(low, float), np.asarray(high, float) - mid]), 0, None)


def attainment_figure(summary: pd.DataFrame, cell: str, path: Path, confidence: float) -> Path:
    """Per goal: mean attainment with its interval, and P(met) with its interval, one marker per cell."""
    goals = [g for g in load_goals()]
    s = summary[summary["kind"] == "goal"]
    cells = list(dict.fromkeys(s[cell]))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 0.42 * len(goals) + 1.6), sharey=True)
    y = np.arange(len(goals))
    step = 0.7 / max(1, len(cells))
    for k, c in enumerate(cells):
        sub = s[s[cell] == c].set_index("goal_id").reindex([g.goal_id for g in goals])
        yy = y - 0.35 + step * (k + 0.5)
        m = sub["attainment_mean"].to_numpy(float)
        ax1.errorbar(m, yy, xerr=_err(m, sub["attainment_ci_low"], sub["attainment_ci_high"]), fmt="o", ms=4,
                     capsize=2, label=str(c))
        p = sub["p_met"].to_numpy(float)
        ax2.errorbar(p, yy, xerr=_err(p, sub["p_met_low"], sub["p_met_high"]), fmt="o", ms=4, capsize=2,
                     label=str(c))
    ax1.axvline(1.0, color="grey", ls="--", lw=1)
    ax1.set_yticks(y, [g.goal_id for g in goals])
    ax1.invert_yaxis()
    ax1.set_xlabel(f"attainment (1 = goal met exactly); mean and {confidence:.0%} t interval")
    ax2.set_xlabel(f"P(goal met in 2020) with {confidence:.0%} interval")
    ax2.set_xlim(-0.03, 1.03)
    ax1.legend(fontsize=8, loc="lower right")
    ax1.set_title("Goal attainment by " + cell)
    ax2.set_title("Probability of meeting each goal")
    return _save(fig, path)


def paired_figure(pairs: pd.DataFrame, cell: str, path: Path, confidence: float) -> Path:
    """Per goal: P(met) of each scenario minus the reference's, paired seed by seed, with its interval."""
    goals = [g.goal_id for g in load_goals()]
    p = pairs[pairs["kind"] == "goal"]
    others = list(dict.fromkeys(p[cell]))
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(goals) + 1.6))
    y = np.arange(len(goals))
    step = 0.7 / max(1, len(others))
    for k, c in enumerate(others):
        sub = p[p[cell] == c].set_index("goal_id").reindex(goals)
        d = sub["p_met_diff"].to_numpy(float)
        ax.errorbar(d, y - 0.35 + step * (k + 0.5), xerr=_err(d, sub["p_met_diff_ci_low"], sub["p_met_diff_ci_high"]),
                    fmt="o", ms=4, capsize=2, label=str(c))
    ax.axvline(0.0, color="grey", ls="--", lw=1)
    ax.set_yticks(y, goals)
    ax.invert_yaxis()
    ax.set_xlim(-1.05, 1.05)
    ref = p["reference"].iloc[0] if len(p) else ""
    ax.set_xlabel(f"P(met) minus P(met) of {ref}, paired by seed; {confidence:.0%} t interval")
    ax.set_title(f"Which scenario meets which goal more often than {ref}")
    ax.legend(fontsize=8, loc="lower right")
    return _save(fig, path)


def _decimal_year(months: pd.Series) -> np.ndarray:
    """'2016-01' -> 2016 + 1/12 (the end of the month), for plotting."""
    parts = months.astype(str).str.split("-", expand=True).astype(int)
    return (parts[0] + parts[1] / 12).to_numpy(float)


def trajectories_figure(monthly: pd.DataFrame, cell: str, path: Path) -> Path:
    """Every goal's monthly path: the mean over replications and the 5-95% band of the replications."""
    goals = load_goals()
    fig, axes = _grid(len(goals))
    g = monthly.groupby([cell, "name", "month"], sort=True)["value"]
    q = g.quantile([0.05, 0.95]).unstack()
    stats = pd.DataFrame({"mean": g.mean(), "lo": q[0.05], "hi": q[0.95]}).reset_index()
    for ax, g in zip(axes, goals, strict=False):
        sub = stats[stats["name"] == g.goal_id]
        for c, grp in sub.groupby(cell, sort=False):
            x = _decimal_year(grp["month"])
            (line,) = ax.plot(x, grp["mean"], lw=1.3, label=str(c))
            ax.fill_between(x, grp["lo"], grp["hi"], color=line.get_color(), alpha=0.2, lw=0)
        ax.axhline(g.target, color="black", ls="--", lw=0.8)
        ax.set_title(g.goal_id, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    fig.suptitle("Goal trajectories 2016-2020: mean and 5-95% band over replications; dashed = 2020 target",
                 fontsize=10)
    return _save(fig, path)


def budget_figure(summary: pd.DataFrame, line: list[str], path: Path, column: str, p_goal: float | None,
                  confidence: float) -> Path:
    """Per goal against the total budget: P(met) (column p_met) or attainment, with interval bands."""
    goals = load_goals()
    s = summary[summary["kind"] == "goal"]
    fig, axes = _grid(len(goals))
    low, high = ("p_met_low", "p_met_high") if column == "p_met" else ("attainment_ci_low", "attainment_ci_high")
    for ax, g in zip(axes, goals, strict=False):
        sub = s[s["goal_id"] == g.goal_id]
        for keys, grp in sub.groupby(line, sort=False):
            grp = grp.sort_values("total_cny")
            x = grp["total_cny"].to_numpy(float) / 1e8
            label = " / ".join(str(k) for k in (keys if isinstance(keys, tuple) else (keys,)))
            (ln,) = ax.plot(x, grp[column], marker="o", ms=3, lw=1.2, label=label)
            ax.fill_between(x, grp[low], grp[high], color=ln.get_color(), alpha=0.2, lw=0)
        if column == "p_met" and p_goal is not None:
            ax.axhline(p_goal, color="black", ls=":", lw=0.8)
            ax.set_ylim(-0.03, 1.03)
        else:
            ax.axhline(1.0, color="black", ls="--", lw=0.8)
        ax.set_title(g.goal_id, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    what = "P(goal met)" if column == "p_met" else "attainment (mean)"
    fig.suptitle(f"{what} against the total budget (1e8 CNY); bands: {confidence:.0%} intervals", fontsize=10)
    fig.supxlabel("total programme budget 2016-2020 (1e8 CNY)", fontsize=9)
    return _save(fig, path)


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<figure><img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}"></figure>'


def _table(df: pd.DataFrame, floatfmt: str = "{:,.4g}") -> str:
    return df.to_html(index=False, border=0, classes="t", na_rep="", float_format=floatfmt.format)


def write_report(path: Path, title: str, intro: list[str], sections: list[tuple[str, str]],
                 provenance: dict) -> Path:
    """One HTML file with everything in it; sections are (heading, html) pairs."""
    css = ("body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}"
           "table.t{border-collapse:collapse;font-size:12px;margin:.5em 0 1.5em}"
           "table.t td,table.t th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}"
           "img{max-width:100%}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:11px}")
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{css}</style></head><body><h1>{html.escape(title)}</h1>"]
    parts += [f"<p>{p}</p>" for p in intro]
    for heading, body in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>{body}")
    parts.append("<h2>Provenance</h2><pre>" + html.escape(json.dumps(provenance, indent=2, default=str))
                 + "</pre></body></html>")
    write_text_atomic(path, "\n".join(parts))
    return path


def img(path: Path) -> str:
    """An image file as an embedded <img>."""
    return _img(path)


def table(df: pd.DataFrame) -> str:
    """A DataFrame as an HTML table."""
    return _table(df)
