"""The optimiser's figures, findings and ``report.html``, in Chinese or English.

Findings come first and speak only of out-of-sample numbers (the winner and the plan on fresh seeds): the
in-sample score of the winner is named once, as what it is, and never as the result.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.experiment import fmt, report
from sim.experiment.conf import OptimiseConf
from sim.experiment.findings import equity_label, equity_value
from sim.experiment.report import _e, _plain, _save, figure_lang
from sim.goals import load_goals
from sim.i18n import lever_label, t
from sim.levers import LEVER_NAMES

PLAN, BEST = "plan", "best"
MOVED_SHOWN = 3  # levers named in "where the money moved", each way


def cell_names(lang: str) -> dict[str, str]:
    """The two cells as people call them."""
    return {BEST: t("o_best", lang), PLAN: t("o_plan", lang)}


def _num(x: float) -> str:
    return fmt.number(x, 3)


def _ci(low: float, high: float) -> str:
    return f"[{_num(low)}, {_num(high)}]"


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + _num(x)


def equity_constraint_line(row: pd.Series, name: str, level: str, lang: str) -> str:
    """An equity constraint's verdict: the gap of winner and plan out of sample, and the paired change of its size."""

    def value(col: str) -> str:
        return equity_value(name, float(row[col]), lang)

    def ci(col: str) -> str:
        return f"[{value(col + '_ci_low')}, {value(col + '_ci_high')}]"

    return t("o_eq_constraint", lang).format(
        measure=equity_label(name, lang), best=value(f"best_{name}"), best_ci=ci(f"best_{name}"),
        plan=value(f"plan_{name}"), plan_ci=ci(f"plan_{name}"), diff=value(f"diff_abs_{name}"), level=level,
        lo=value(f"diff_abs_{name}_ci_low"), hi=value(f"diff_abs_{name}_ci_high"),
        ok=t("o_constraint_ok" if bool(row[f"{name}_no_wider"]) else "o_constraint_not", lang))


def shares_moved(row: pd.Series, plan_shares: dict[str, float], lang: str) -> str:
    """'Where the money moved': the levers whose share rose most and fell most, in percentage points."""
    diff = {k: float(row[f"share_{k}"]) - plan_shares[k] for k in LEVER_NAMES}
    up = [k for k, v in sorted(diff.items(), key=lambda kv: -kv[1]) if v > 0.0005][:MOVED_SHOWN]
    down = [k for k, v in sorted(diff.items(), key=lambda kv: kv[1]) if v < -0.0005][:MOVED_SHOWN]

    def item(k: str) -> str:
        sign = "+" if diff[k] > 0 else ""
        pts = fmt.number(diff[k] * 100, 2)
        before, after = fmt.percent(plan_shares[k], 1), fmt.percent(float(row[f"share_{k}"]), 1)
        if lang == "zh":
            return f"{lever_label(k, lang)}（{before} → {after}，{sign}{pts} 个百分点）"
        return f"{lever_label(k, lang)} ({before} → {after}, {sign}{pts} points)"

    sep = "、" if lang == "zh" else "; "
    none = "—"
    return t("o_moved", lang).format(up=sep.join(map(item, up)) or none, down=sep.join(map(item, down)) or none)


def findings(conf: OptimiseConf, best: pd.DataFrame, frontier: pd.DataFrame, summary: pd.DataFrame,
             plan_shares: dict[float, dict[str, float]], n_candidates: dict[float, int], lang: str) -> list[str]:
    """The findings in plain words: per total the out-of-sample verdict, goals met, where the money moved."""
    level = fmt.percent(conf.confidence)
    out = []
    goals = {g.goal_id: g for g in load_goals()}
    for _, r in best.iterrows():
        total = float(r["total_cny"])
        lines = [t("o_headline", lang).format(
            total=fmt.money(total, lang), n=n_candidates[total], objective=t(f"o_objective_{conf.objective}", lang),
            h=int(r["holdout_replications"]), objective_short=t(f"o_objective_{conf.objective}", lang),
            best=_num(r["best_objective"]), best_ci=_ci(r["best_objective_ci_low"], r["best_objective_ci_high"]),
            plan=_num(r["plan_objective"]), plan_ci=_ci(r["plan_objective_ci_low"], r["plan_objective_ci_high"]),
            diff=_signed(r["diff_objective"]),
            diff_ci=f"[{_signed(r['diff_objective_ci_low'])}, {_signed(r['diff_objective_ci_high'])}]", level=level)]
        lines.append(t({"better": "o_beats", "noise": "o_not_beats", "worse": "o_worse", "same": "o_same"}[
            r["beats_plan"]], lang))
        if conf.objective != "goals_met":
            lines.append(t("o_goals_met", lang).format(
                best=_num(r["best_goals_met"]), best_ci=_ci(r["best_goals_met_ci_low"], r["best_goals_met_ci_high"]),
                plan=_num(r["plan_goals_met"]), plan_ci=_ci(r["plan_goals_met_ci_low"], r["plan_goals_met_ci_high"]),
                diff=_signed(r["diff_goals_met"]),
                diff_ci=f"[{_signed(r['diff_goals_met_ci_low'])}, {_signed(r['diff_goals_met_ci_high'])}]"))
        lines.append(shares_moved(r, plan_shares[total], lang))
        spent = summary[(summary["total_cny"] == total) & (summary["goal_id"] == "spent_cny")].set_index("allocation")
        if len(spent) == 2:
            lines.append(t("o_spent", lang).format(best=fmt.money(float(spent.loc[BEST, "mean"]), lang),
                                                   plan=fmt.money(float(spent.loc[PLAN, "mean"]), lang),
                                                   total=fmt.money(total, lang)))
        s = summary[(summary["total_cny"] == total) & (summary["allocation"] == BEST)].set_index("goal_id")
        for gid, p in conf.constraints.items():
            got = s.loc[gid]
            ok = got["p_met"] >= p
            name = goals[gid].name_zh if lang == "zh" else goals[gid].name_en
            lines.append(t("o_constraint", lang).format(
                goal=name, p=fmt.percent(p), got=fmt.percent(float(got["p_met"])),
                ci=f"[{fmt.percent(float(got['p_met_low']))}, {fmt.percent(float(got['p_met_high']))}]",
                ok=t("o_constraint_ok" if ok else "o_constraint_not", lang)))
        for name in conf.equity_constraints:  # out of sample, winner against plan on the same seeds
            lines.append(equity_constraint_line(r, name, level, lang))
        lines.append(t("o_in_sample", lang).format(r=int(r["in_sample_replications"]),
                                                   score=_num(r["in_sample_objective"])))
        out.append("\n".join(lines))
    if len(frontier) > 1:
        least = float(frontier["least_total_cny"].iloc[0])
        out.append(t("o_least", lang).format(p=fmt.percent(conf.p_goal), total=fmt.money(least, lang))
                   if math.isfinite(least) else t("o_least_none", lang).format(p=fmt.percent(conf.p_goal)))
    return out


# ---------------------------------------------------------------- figures
def shares_figure(best: pd.DataFrame, plan_shares: dict[float, dict[str, float]], path: Path, lang: str) -> Path:
    """Per total: every lever's share, the plan's beside the best allocation's."""
    lang = figure_lang(lang)
    n = len(best)
    fig, axes = plt.subplots(1, n, figsize=(6.5 * n, 0.32 * len(LEVER_NAMES) + 1.6), sharey=True, squeeze=False)
    y = np.arange(len(LEVER_NAMES))
    for ax, (_, r) in zip(axes[0], best.iterrows(), strict=True):
        total = float(r["total_cny"])
        ax.barh(y - 0.2, [plan_shares[total][k] * 100 for k in LEVER_NAMES], 0.4, label=t("o_plan", lang),
                color="#999999")
        ax.barh(y + 0.2, [float(r[f"share_{k}"]) * 100 for k in LEVER_NAMES], 0.4, label=t("o_best", lang),
                color="#2c6fad")
        ax.set_yticks(y, [lever_label(k, lang) for k in LEVER_NAMES], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(t("o_share", lang) + " (%)")
        ax.set_title(fmt.money(total, lang), fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle(t("o_shares", lang), fontsize=11)
    return _save(fig, path)


def convergence_figure(candidates: pd.DataFrame, path: Path, conf: OptimiseConf, lang: str) -> Path:
    """Per total: each candidate's first-rung score, the best so far, and the promoted ones on more seeds."""
    lang = figure_lang(lang)
    totals = sorted(candidates["total_cny"].unique())
    fig, axes = plt.subplots(1, len(totals), figsize=(6.5 * len(totals), 4), squeeze=False)
    for ax, total in zip(axes[0], totals, strict=True):
        c = candidates[candidates["total_cny"] == total].sort_values("candidate")
        ax.scatter(c["candidate"], c["objective_first_rung"], s=8, color="#bbbbbb", label=t("o_first_rung", lang))
        ax.plot(c["candidate"], c["objective_first_rung"].cummax(), color="#2c6fad", lw=1.5,
                label=t("o_best_so_far", lang))
        up = c[c["rung"] > 0]
        ax.scatter(up["candidate"], up["objective"], s=14, color="#d95f02", marker="^", label=t("o_promoted", lang))
        ax.set_xlabel(t("o_candidate", lang))
        ax.set_ylabel(t(f"o_objective_{conf.objective}", lang), fontsize=8)
        ax.set_title(fmt.money(float(total), lang), fontsize=10)
        _plain(ax)
        ax.legend(fontsize=7)
    fig.suptitle(t("o_convergence", lang), fontsize=11)
    return _save(fig, path)


def frontier_figure(frontier: pd.DataFrame, path: Path, conf: OptimiseConf, lang: str) -> Path:
    """Goals met (out of sample) against the total, best and plan, and P(every named goal met) beside it."""
    lang = figure_lang(lang)
    f = frontier.sort_values("total_cny")
    x = f["total_cny"].to_numpy(float) / 1e8
    level = fmt.percent(conf.confidence)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    for who, color in ((PLAN, "#999999"), (BEST, "#2c6fad")):
        m = f[f"{who}_goals_met"].to_numpy(float)
        ax1.errorbar(x, m, yerr=report._err(m, f[f"{who}_goals_met_ci_low"], f[f"{who}_goals_met_ci_high"]),
                     marker="o", capsize=3, color=color, label=cell_names(lang)[who])
        p = f[f"{who}_p_all"].to_numpy(float) * 100
        ax2.errorbar(x, p, yerr=report._err(p, f[f"{who}_p_all_low"] * 100, f[f"{who}_p_all_high"] * 100),
                     marker="o", capsize=3, color=color, label=cell_names(lang)[who])
    ax2.axhline(conf.p_goal * 100, color="black", ls=":", lw=0.8)
    ax2.set_ylim(-3, 103)
    ax1.set_ylabel(t("o_goals_met_axis", lang).format(level=level))
    ax2.set_ylabel(t("o_p_all_axis", lang))
    for ax in (ax1, ax2):
        ax.set_xlabel(t("r_fig_budget_x", lang))
        _plain(ax, "x")
        ax.legend(fontsize=8)
    fig.suptitle(t("o_frontier", lang), fontsize=11)
    return _save(fig, path)


def shares_table(best: pd.DataFrame, plan_shares: dict[float, dict[str, float]], lang: str) -> pd.DataFrame:
    """Per lever (and total): the plan's share, the best allocation's and the change."""
    rows = []
    for _, r in best.iterrows():
        total = float(r["total_cny"])
        for k in LEVER_NAMES:
            b, p = float(r[f"share_{k}"]), plan_shares[total][k]
            rows.append({t("r_total", lang): _e(fmt.money(total, lang)), t("o_lever", lang): _e(lever_label(k, lang)),
                         t("o_plan", lang): _e(fmt.percent(p, 1)), t("o_best", lang): _e(fmt.percent(b, 1)),
                         t("o_change", lang): _e(fmt.diff(b - p, "share", lang))})
    return pd.DataFrame(rows)


def frontier_html(frontier: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The frontier as a table: goals met and P(all named goals met) per total, best and plan."""
    rows = []
    for _, r in frontier.iterrows():
        row = {t("r_total", lang): _e(fmt.money(float(r["total_cny"]), lang))}
        for who in (BEST, PLAN):
            name = cell_names(lang)[who]
            ci = _ci(r[f"{who}_goals_met_ci_low"], r[f"{who}_goals_met_ci_high"])
            row[_e(name)] = _e(f"{_num(r[f'{who}_goals_met'])} {ci}")
            row[_e(name) + " P"] = _e(f"{fmt.percent(r[f'{who}_p_all'])} [{fmt.percent(r[f'{who}_p_all_low'])}, "
                                      f"{fmt.percent(r[f'{who}_p_all_high'])}]")
        rows.append(row)
    return pd.DataFrame(rows)


def write(conf: OptimiseConf, exp_dir: Path, candidates: pd.DataFrame, summary: pd.DataFrame, pairs: pd.DataFrame,
          best: pd.DataFrame, frontier: pd.DataFrame, index: pd.DataFrame, provenance: dict) -> Path:
    """Figures and ``report.html``: findings first, then P(met), the paired table, the shares, the search."""
    lang = conf.lang
    figs = exp_dir / "figures"
    figs.mkdir(exist_ok=True)
    plan_row = candidates[candidates["is_plan"]]
    plan_shares = {float(tot): {k: float(g[f"share_{k}"].iloc[0]) for k in LEVER_NAMES}
                   for tot, g in plan_row.groupby("total_cny")}
    n_cands = candidates.groupby("total_cny").size().to_dict()
    names = cell_names(lang)
    shown = summary.assign(allocation=summary["allocation"].map(names))
    shown_pairs = pairs.assign(allocation=pairs["allocation"].map(names), reference=names[PLAN])
    sections = []
    for total in sorted(summary["total_cny"].unique()):
        s, p = shown[shown["total_cny"] == total], shown_pairs[shown_pairs["total_cny"] == total]
        money = fmt.money(float(total), lang)
        att = report.attainment_figure(s, "allocation", figs / f"p_met_{total:.0f}.png", conf.confidence, lang)
        sections += [
            (f"{t('o_p_met_table', lang).format(level=fmt.percent(conf.confidence))}: {money}",
             report.html_table(report.p_met_table(s, "allocation", lang)) + report.img(att)),
            (f"{t('o_paired', lang)}: {money}", report.html_table(report.paired_table(p, "allocation", lang))),
        ]
    sh = shares_figure(best, plan_shares, figs / "shares.png", lang)
    conv = convergence_figure(candidates, figs / "convergence.png", conf, lang)
    fr = frontier_figure(frontier, figs / "frontier.png", conf, lang)
    sections += [
        (t("o_shares", lang), report.img(sh) + report.html_table(shares_table(best, plan_shares, lang))),
        (t("o_frontier", lang), report.img(fr) + report.html_table(frontier_html(frontier, lang))),
        (t("o_convergence", lang), report.img(conv)),
    ]
    rr = provenance.get("rungs", {}).get("replications", [conf.replications])
    method = [
        t("m_design_optimise", lang).format(
            sampler=conf.sampler.upper(), n=conf.evaluations,
            levers=", ".join(lever_label(k, lang) for k in conf.levers) or t("o_all_levers", lang),
            others=t(f"o_others_{conf.others}", lang), r0=conf.replications, promote=fmt.percent(conf.promote),
            rungs=conf.rungs, reps=" → ".join(str(x) for x in rr)),
        t("m_holdout", lang).format(h=conf.holdout),
        t("m_means", lang).format(level=fmt.percent(conf.confidence), method=conf.p_interval.replace("_", "-")),
        t("m_paired", lang).format(level=fmt.percent(conf.confidence)),
        t("m_units", lang),
        t("m_runtime", lang).format(s=f"{index['wall_time_s'].mean():.2f}", n=len(index)),
    ]
    text = findings(conf, best, frontier, summary, plan_shares, n_cands, lang)
    return report.write_report(exp_dir / "report.html", f"{t('o_title', lang)}: {exp_dir.name}", text, sections,
                               method, index["command"].iloc[0], provenance, lang)



