"""Figures and the single self-contained ``report.html`` (images embedded as base64), in Chinese or English.

A report opens with its findings (:mod:`sim.experiment.findings`), then tables and figures with goals by
name and numbers in people's units (:mod:`sim.experiment.fmt`), and ends with the method notes, how to
reproduce a run and the provenance. Figures with Chinese labels need a CJK font: Debian's ``fonts-noto-cjk``
("Noto Sans CJK SC"); without one they fall back to English labels after one warning line, rather than
drawing boxes.
"""

from __future__ import annotations

import base64
import html
import json
import math
import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.ticker import FuncFormatter

from sim.experiment import fmt
from sim.goals import Goal, load_goals
from sim.i18n import scenario_label, t
from sim.io import write_text_atomic

CJK_FAMILY = "Noto Sans CJK SC"
# where Debian's fonts-noto-cjk puts its files; matplotlib's font cache may predate their installation
CJK_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts/opentype")
_WARNED: list[bool] = []


def cjk_font() -> str | None:
    """The CJK font family matplotlib can draw Chinese with, or None.

    Registers the Noto CJK files found on the system when matplotlib's font cache was built before they
    were installed.
    """
    def known() -> bool:
        return any(f.name == CJK_FAMILY for f in font_manager.fontManager.ttflist)

    if not known():
        for folder in CJK_FONT_DIRS:
            for path in sorted(Path(folder).glob("NotoSansCJK*")) if Path(folder).is_dir() else []:
                try:
                    font_manager.fontManager.addfont(str(path))
                except (OSError, RuntimeError, ValueError):
                    continue  # an unreadable file: try the next one
    return CJK_FAMILY if known() else None


def figure_lang(lang: str) -> str:
    """The language figures can be labelled in: ``zh`` needs a CJK font, else ``en`` after one warning line."""
    if lang != "zh":
        return lang
    family = cjk_font()
    if family is None:
        if not _WARNED:
            print(f"warning: no CJK font ({CJK_FAMILY}, Debian package fonts-noto-cjk) found; figures use English "
                  "labels", file=sys.stderr)
            _WARNED.append(True)
        return "en"
    sans = [family, *[f for f in plt.rcParams["font.sans-serif"] if f != family]]
    plt.rcParams.update({"font.family": "sans-serif", "font.sans-serif": sans})
    return "zh"


# ---------------------------------------------------------------- names and cells
def goal_label(goal: Goal, lang: str, width: int = 0) -> str:
    """A goal's name in ``lang``; shortened to ``width`` characters when given (long English names)."""
    name = goal.name_zh if lang == "zh" else goal.name_en
    return textwrap.shorten(name, width, placeholder="…") if width and lang != "zh" else name


def goal_cell(goal: Goal, lang: str) -> str:
    """HTML: the goal's name, its id in small print below."""
    return f"{html.escape(goal_label(goal, lang))}<br><small class='id'>{html.escape(goal.goal_id)}</small>"


def cell_label(name: str, lang: str) -> str:
    """A scenario as people call it."""
    return scenario_label(str(name), lang)


def _goals() -> dict[str, Goal]:
    return {g.goal_id: g for g in load_goals()}


# ---------------------------------------------------------------- figures
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


def _plain(ax, axis: str = "y") -> None:
    """Tick labels with separators and no exponent or offset (no '1e10' above an axis)."""
    f = FuncFormatter(lambda v, _pos: fmt.number(v, 4))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def attainment_figure(summary: pd.DataFrame, cell: str, path: Path, confidence: float, lang: str = "en") -> Path:
    """Per goal: mean attainment with its interval, and P(met) with its interval, one marker per cell."""
    lang = figure_lang(lang)
    goals = list(load_goals())
    s = summary[summary["kind"] == "goal"]
    cells = list(dict.fromkeys(s[cell]))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 0.42 * len(goals) + 1.6), sharey=True)
    y = np.arange(len(goals))
    step = 0.7 / max(1, len(cells))
    for k, c in enumerate(cells):
        sub = s[s[cell] == c].set_index("goal_id").reindex([g.goal_id for g in goals])
        yy = y - 0.35 + step * (k + 0.5)
        m = sub["attainment_mean"].to_numpy(float)
        ax1.errorbar(m, yy, xerr=_err(m, sub["attainment_ci_low"], sub["attainment_ci_high"]), fmt="o", ms=4,
                     capsize=2, label=cell_label(c, lang))
        p = sub["p_met"].to_numpy(float) * 100
        ax2.errorbar(p, yy, xerr=_err(p, sub["p_met_low"] * 100, sub["p_met_high"] * 100), fmt="o", ms=4,
                     capsize=2, label=cell_label(c, lang))
    level = fmt.percent(confidence)
    ax1.axvline(1.0, color="grey", ls="--", lw=1)
    ax1.set_yticks(y, [goal_label(g, lang, 48) for g in goals], fontsize=8)
    ax1.invert_yaxis()
    _plain(ax1, "x")
    ax1.set_xlabel(t("r_ax_attainment", lang).format(level=level))
    ax2.set_xlabel(t("r_ax_p_met", lang).format(level=level) + " (%)")
    ax2.set_xlim(-3, 103)
    ax1.legend(fontsize=8, loc="lower right")
    ax1.set_title(t("r_attainment_fig", lang))
    ax2.set_title(t("r_p_met_table", lang))
    return _save(fig, path)


def paired_figure(pairs: pd.DataFrame, cell: str, path: Path, confidence: float, lang: str = "en") -> Path:
    """Per goal: P(met) of each scenario minus the reference's, paired seed by seed, with its interval."""
    lang = figure_lang(lang)
    goals = list(load_goals())
    p = pairs[pairs["kind"] == "goal"]
    others = list(dict.fromkeys(p[cell]))
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(goals) + 1.6))
    y = np.arange(len(goals))
    step = 0.7 / max(1, len(others))
    for k, c in enumerate(others):
        sub = p[p[cell] == c].set_index("goal_id").reindex([g.goal_id for g in goals])
        d = sub["p_met_diff"].to_numpy(float) * 100
        ax.errorbar(d, y - 0.35 + step * (k + 0.5),
                    xerr=_err(d, sub["p_met_diff_ci_low"] * 100, sub["p_met_diff_ci_high"] * 100),
                    fmt="o", ms=4, capsize=2, label=cell_label(c, lang))
    ax.axvline(0.0, color="grey", ls="--", lw=1)
    ax.set_yticks(y, [goal_label(g, lang, 48) for g in goals], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-105, 105)
    ref = cell_label(p["reference"].iloc[0], lang) if len(p) else ""
    ax.set_xlabel(t("r_ax_paired", lang).format(ref=ref, level=fmt.percent(confidence)) + " (%)")
    ax.set_title(t("r_fig_paired_title", lang).format(ref=ref))
    ax.legend(fontsize=8, loc="lower right")
    return _save(fig, path)


def _decimal_year(months: pd.Series) -> np.ndarray:
    """'2016-01' -> 2016 + 1/12 (the end of the month), for plotting."""
    parts = months.astype(str).str.split("-", expand=True).astype(int)
    return (parts[0] + parts[1] / 12).to_numpy(float)


def trajectories_figure(monthly: pd.DataFrame, cell: str, path: Path, lang: str = "en") -> Path:
    """Every goal's monthly path: the mean over replications and the 5-95% band of the replications."""
    lang = figure_lang(lang)
    goals = load_goals()
    fig, axes = _grid(len(goals))
    g = monthly.groupby([cell, "name", "month"], sort=True)["value"]
    q = g.quantile([0.05, 0.95]).unstack()
    stats = pd.DataFrame({"mean": g.mean(), "lo": q[0.05], "hi": q[0.95]}).reset_index()
    for ax, goal in zip(axes, goals, strict=False):
        scale, unit = fmt.axis(goal.unit, goal.target, lang)
        sub = stats[stats["name"] == goal.goal_id]
        for c, grp in sub.groupby(cell, sort=False):
            x = _decimal_year(grp["month"])
            (line,) = ax.plot(x, grp["mean"] / scale, lw=1.3, label=cell_label(c, lang))
            ax.fill_between(x, grp["lo"] / scale, grp["hi"] / scale, color=line.get_color(), alpha=0.2, lw=0)
        ax.axhline(goal.target / scale, color="black", ls="--", lw=0.8)
        ax.set_title(f"{goal_label(goal, lang, 44)} ({unit})" if unit else goal_label(goal, lang, 44), fontsize=9)
        _plain(ax)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    fig.suptitle(t("r_fig_traj_title", lang), fontsize=10)
    return _save(fig, path)


def budget_figure(summary: pd.DataFrame, line: list[str], path: Path, column: str, p_goal: float | None,
                  confidence: float, lang: str = "en") -> Path:
    """Per goal against the total budget (亿元): P(met) (column p_met) or attainment, with interval bands."""
    lang = figure_lang(lang)
    goals = load_goals()
    s = summary[summary["kind"] == "goal"]
    fig, axes = _grid(len(goals))
    low, high = ("p_met_low", "p_met_high") if column == "p_met" else ("attainment_ci_low", "attainment_ci_high")
    scale = 100.0 if column == "p_met" else 1.0  # P(met) in %
    for ax, g in zip(axes, goals, strict=False):
        sub = s[s["goal_id"] == g.goal_id]
        for keys, grp in sub.groupby(line, sort=False):
            grp = grp.sort_values("total_cny")
            x = grp["total_cny"].to_numpy(float) / 1e8
            keys = keys if isinstance(keys, tuple) else (keys,)
            label = " / ".join([cell_label(keys[0], lang), *(str(k) for k in keys[1:])])
            (ln,) = ax.plot(x, grp[column] * scale, marker="o", ms=3, lw=1.2, label=label)
            ax.fill_between(x, grp[low] * scale, grp[high] * scale, color=ln.get_color(), alpha=0.2, lw=0)
        if column == "p_met" and p_goal is not None:
            ax.axhline(p_goal * scale, color="black", ls=":", lw=0.8)
            ax.set_ylim(-3, 103)
        else:
            ax.axhline(1.0, color="black", ls="--", lw=0.8)
        ax.set_title(goal_label(g, lang, 44), fontsize=9)
        _plain(ax)
        _plain(ax, "x")
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    what = t("r_p_met", lang) + " (%)" if column == "p_met" else t("r_attainment_short", lang)
    fig.suptitle(t("r_fig_budget_title", lang).format(what=what, level=fmt.percent(confidence)), fontsize=10)
    fig.supxlabel(t("r_fig_budget_x", lang), fontsize=9)
    return _save(fig, path)


# ---------------------------------------------------------------- tables
def html_table(df: pd.DataFrame) -> str:
    """A table of HTML-ready cells (already escaped strings), as the report styles it."""
    return df.to_html(index=False, border=0, classes="t", na_rep="", escape=False)


def _e(text: object) -> str:
    return html.escape(str(text))


def p_met_table(summary: pd.DataFrame, cell: str, lang: str) -> pd.DataFrame:
    """Goals as rows, cells as columns: 'P(met) [low, high]' in %, the target in the goal's unit."""
    goals = _goals()
    s = summary[summary["kind"] == "goal"]
    cells = list(dict.fromkeys(s[cell]))
    rows = []
    for gid, grp in s.groupby("goal_id", sort=False):
        g = goals[gid]
        row = {t("r_goal", lang): goal_cell(g, lang),
               t("r_target", lang): _e(("≤ " if g.comparison == "<=" else "≥ ") + fmt.value(g.target, g.unit, lang))}
        by = grp.set_index(cell)
        for c in cells:
            r = by.loc[c]
            row[_e(cell_label(c, lang))] = _e(f"{fmt.percent(r['p_met'])} [{fmt.percent(r['p_met_low'])}, "
                                             f"{fmt.percent(r['p_met_high'])}]")
        rows.append(row)
    return pd.DataFrame(rows)


def summary_table(summary: pd.DataFrame, cells: list[str], lang: str) -> pd.DataFrame:
    """Per cell and goal: mean and interval in the goal's unit, P(met) and its interval in %."""
    goals = _goals()
    s = summary[summary["kind"] == "goal"]
    rows = []
    for _, r in s.iterrows():
        g = goals[r["goal_id"]]
        row = _cell_columns(r, cells, lang)
        row[t("r_goal", lang)] = goal_cell(g, lang)
        row[t("r_mean", lang)] = _e(fmt.value(float(r["mean"]), g.unit, lang))
        row[t("r_interval", lang)] = _e(fmt.interval(float(r["ci_low"]), float(r["ci_high"]), g.unit, lang))
        row[t("r_target", lang)] = _e(fmt.value(g.target, g.unit, lang))
        row[t("r_p_met", lang)] = _e(f"{fmt.percent(r['p_met'])} [{fmt.percent(r['p_met_low'])}, "
                                     f"{fmt.percent(r['p_met_high'])}]")
        rows.append(row)
    return pd.DataFrame(rows)


def paired_table(pairs: pd.DataFrame, cell: str, lang: str) -> pd.DataFrame:
    """Per compared cell and goal: the paired difference, its interval, the verdict, P(met), cost per unit."""
    from sim.experiment.findings import verdict

    goals = _goals()
    p = pairs[pairs["kind"] == "goal"]
    rows = []
    for _, r in p.iterrows():
        g = goals[r["goal_id"]]
        rows.append({
            t("r_scenario", lang): _e(cell_label(r[cell], lang)),
            t("r_goal", lang): goal_cell(g, lang),
            t("r_diff", lang): _e(fmt.diff(float(r["diff_mean"]), g.unit, lang)),
            t("r_diff_interval", lang): _e(fmt.interval(float(r["diff_ci_low"]), float(r["diff_ci_high"]), g.unit,
                                                        lang, signed=True)),
            t("r_verdict", lang): _e(t(f"r_v_{verdict(r, g.comparison)}", lang)),
            t("r_share_better", lang): _e(fmt.percent(float(r["share_better"]))),
            t("r_p_met", lang): _e(f"{fmt.percent(float(r['p_met_reference']))} → {fmt.percent(float(r['p_met']))}"),
            t("r_cost_per_unit", lang): _e(fmt.cost_per_unit(float(r["cost_per_unit_cny"]), g.unit, lang)),
        })
    return pd.DataFrame(rows)


def least_table(least: pd.DataFrame, cells: list[str], lang: str) -> pd.DataFrame:
    """The least budget per cell and goal, money in 亿元 (or million CNY)."""
    goals = _goals()
    rows = []
    for _, r in least.iterrows():
        row = {t("r_scenario", lang) if c == "scenario" else t("r_allocation", lang) if c == "allocation" else _e(c):
               _e(cell_label(r[c], lang) if c == "scenario" else r[c]) for c in cells}
        row[t("r_goal", lang)] = goal_cell(goals[r["goal_id"]], lang)
        row[t("r_status", lang)] = _e(t(f"s_{r['status']}", lang))
        for key, col in (("r_least_total", "least_total_cny"), ("r_bracket_low", "bracket_low_cny"),
                         ("r_interpolated", "interpolated_cny"), ("r_conservative", "conservative_cny")):
            row[t(key, lang)] = _e(fmt.money(float(r[col]), lang))
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the page
def img(path: Path) -> str:
    """An image file as an embedded <img>."""
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<figure><img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}"></figure>'


def write_report(path: Path, title: str, findings: list[str], sections: list[tuple[str, str]],
                 method: list[str], reproduce: str, provenance: dict, lang: str) -> Path:
    """One HTML file: findings first, then the sections, the method notes, how to reproduce, the provenance.

    Args:
        path: where to write (atomically).
        title: the page title.
        findings: plain-text paragraphs (escaped here).
        sections: (heading, html) pairs.
        method: plain-text method notes (escaped here).
        reproduce: one run's command.
        provenance: written as JSON at the end.
        lang: ``zh`` or ``en`` (the page's language attribute and headings).
    """
    css = ("body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:1200px;margin:2em auto;"
           "padding:0 1em;color:#222;line-height:1.5}"
           ".findings{background:#f3f7fb;border-left:4px solid #2c6fad;padding:.6em 1.2em}"
           ".findings li{margin:.4em 0}"
           "table.t{border-collapse:collapse;font-size:12px;margin:.5em 0 1.5em}"
           "table.t td,table.t th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right;vertical-align:top}"
           "table.t td:first-child,table.t th:first-child{text-align:left}"
           "small.id{color:#888;font-size:10px;font-family:monospace}"
           ".method{font-size:13px;color:#444}"
           "img{max-width:100%}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:11px}")
    html_lang = "zh-CN" if lang == "zh" else "en"
    parts = [f"<!doctype html><html lang='{html_lang}'><head><meta charset='utf-8'><title>{_e(title)}</title>"
             f"<style>{css}</style></head><body><h1>{_e(title)}</h1>",
             f"<section class='findings'><h2>{_e(t('r_findings', lang))}</h2><ul>"
             + "".join("<li>" + "<br>".join(map(_e, p.split("\n"))) + "</li>" for p in findings)
             + "</ul></section>"]
    for heading, body in sections:
        parts.append(f"<h2>{_e(heading)}</h2>{body}")
    parts.append(f"<h2>{_e(t('r_method', lang))}</h2><div class='method'>"
                 + "".join(f"<p>{_e(p)}</p>" for p in method) + "</div>")
    parts.append(f"<h2>{_e(t('r_reproduce', lang))}</h2><p>{_e(t('r_reproduce_text', lang))}</p>"
                 f"<pre>{_e(reproduce)}</pre>")
    parts.append(f"<h2>{_e(t('r_provenance', lang))}</h2><pre>"
                 + _e(json.dumps(provenance, indent=2, default=str, ensure_ascii=False)) + "</pre></body></html>")
    write_text_atomic(path, "\n".join(parts))
    return path


def equity_html(equity: pd.DataFrame, cells: list[str], lang: str) -> str:
    """``equity.csv`` as the report's table: per cell and measure the mean and interval, and the paired difference.

    Args:
        equity: :func:`sim.experiment.analysis.equity_table`.
        cells: the cell columns to show (``scenario``; ``allocation`` and ``total_cny`` of a sweep).
        lang: ``zh`` or ``en``.
    """
    from sim.experiment.findings import equity_label, equity_value

    rows = []
    for _, r in equity.iterrows():
        name = r["measure"]
        row = _cell_columns(r, cells, lang)
        row[t("r_measure", lang)] = _e(equity_label(name, lang))
        row[t("r_mean", lang)] = _e(equity_value(name, float(r["mean"]), lang))
        row[t("r_interval", lang)] = _e(f"[{equity_value(name, float(r['ci_low']), lang)}, "
                                        f"{equity_value(name, float(r['ci_high']), lang)}]")
        if "diff_mean" in equity:
            paired_ = pd.notna(r.get("reference"))
            row[t("r_reference_value", lang)] = _e(equity_value(name, float(r["mean_reference"]), lang)
                                                   if paired_ else "")
            row[t("r_diff", lang)] = _e(equity_value(name, float(r["diff_mean"]), lang) if paired_ else "")
            row[t("r_diff_interval", lang)] = _e(
                f"[{equity_value(name, float(r['diff_ci_low']), lang)}, "
                f"{equity_value(name, float(r['diff_ci_high']), lang)}]" if paired_ else "")
            ratio = float(r["ratio_to_reference"]) if paired_ else math.nan
            row[t("r_ratio", lang)] = _e(fmt.number(ratio, 2) if math.isfinite(ratio) else "")
        rows.append(row)
    return html_table(pd.DataFrame(rows))


def equity_section(equity: pd.DataFrame, cells: list[str], lang: str, confidence: float, ref: str) -> str:
    """The report's equity section: what the gaps mean, then the table (:func:`equity_html`)."""
    intro = t("r_equity_intro", lang).format(level=fmt.percent(confidence), ref=ref)
    return f"<p>{_e(intro)}</p>" + equity_html(equity, cells, lang)


def _cell_columns(r, cells: list[str], lang: str) -> dict[str, str]:
    """A table row's cell columns (total in money, scenario by its label, the rest as they are)."""
    row = {}
    for c in cells:
        if c == "total_cny":
            row[t("r_total", lang)] = _e(fmt.money(float(r[c]), lang))
        elif c == "scenario":
            row[t("r_scenario", lang)] = _e(cell_label(r[c], lang))
        else:
            row[t("r_allocation", lang) if c == "allocation" else _e(c)] = _e(r[c])
    return row
