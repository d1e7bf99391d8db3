"""``python experiments/budget.py``: the probability of meeting each goal against money.

Sweeps scenarios x named allocations x total budgets, every cell with the same replication seeds, and
answers "the least budget that meets goal G with probability >= p_goal" where the sweep brackets it.
Writes ``runs.parquet``, ``monthly.parquet``, ``runs_index.csv``, ``summary.csv``, ``least_budget.csv``,
``equity.csv`` (the gaps of who is reached at the end of 2020 per cell and total; each cell's largest total
paired against its smallest), ``figures/*.png``, ``report.html``, ``config.yaml``, ``seeds.csv`` and
``provenance.json``.
"""

from __future__ import annotations

import sys

import hydra
import numpy as np
import pandas as pd

from sim.config import ConfigError
from sim.experiment import fmt, report
from sim.experiment.analysis import EQUITY_KIND, equity_table, least_budget, paired, summarise
from sim.experiment.conf import EXPERIMENT_CONF_DIR, BudgetConf
from sim.experiment.driver import (
    gather,
    prepare_argv,
    print_runs,
    reports_os_errors,
    start,
)
from sim.experiment.findings import LIKELY, UNLIKELY, budget_cell_label, budget_equity_findings, budget_findings
from sim.experiment.store import RunSpec
from sim.experiment.uncertainty import method_note as uncertainty_note
from sim.experiment.uncertainty import (
    parameter_sets,
    plan_sets,
    side_by_side_table,
    split_designs,
    uncertainty_findings,
)
from sim.i18n import t
from sim.io import write_csv_atomic
from sim.run import load_config

KIND = "budget"
CELL = ["scenario", "allocation"]


def allocation_overrides(scenario_allocation: dict[str, float], named: dict[str, float]) -> list[str]:
    """Overrides that set a named allocation on top of a scenario's.

    The named shares are kept; the scenario's other levers share the rest in their own proportions.
    """
    if not named:
        return []
    rest = {k: v for k, v in scenario_allocation.items() if k not in named}
    left = 1.0 - sum(named.values())
    if left > 1e-9 and sum(rest.values()) <= 0:
        raise ConfigError("budget.allocations", dict(named),
                          "shares adding up to 1, or leave levers of the scenario's allocation to share the rest")
    scale = left / sum(rest.values()) if rest and sum(rest.values()) > 0 else 0.0
    shares = {**{k: v * scale for k, v in rest.items()}, **named}
    # a lever the scenario gives no share yet is a new key of the allocation dict: Hydra's '+' adds it
    return [f"{'' if k in scenario_allocation else '+'}budget.allocation.{k}={v!r}" for k, v in shares.items()]


def plan(conf: BudgetConf, seeds: list[int], version: str) -> list[RunSpec]:
    """One cell per scenario x allocation x total, every cell with the same seeds (and parameter sets, if any)."""
    sets = parameter_sets(conf)
    specs: list[RunSpec] = []
    for s in conf.scenarios:
        base = load_config([f"scenario={s}", *conf.model])
        for name, shares in conf.budget.allocations.items():
            try:
                alloc = allocation_overrides(dict(base.budget.allocation), dict(shares))
            except ConfigError as exc:  # name the allocation and the scenario it does not fit
                raise ConfigError(f"budget.allocations.{name}", exc.value, f"{exc.allowed} (scenario {s})") from None
            for total in conf.budget.total_cny:
                labels = {"scenario": s, "allocation": name, "total_cny": float(total)}
                overrides = [f"scenario={s}", *conf.model, f"budget.total_cny={float(total)!r}", *alloc]
                specs += plan_sets(labels, overrides, seeds, sets, version)
    return specs


@hydra.main(version_base="1.3", config_path=str(EXPERIMENT_CONF_DIR), config_name=KIND)
@reports_os_errors
def _app(cfg) -> None:
    conf, exp_dir, store_dir, specs, provenance = start(KIND, cfg, plan)
    runs, _monthly, index = gather(exp_dir, store_dir, specs)
    both = None
    if conf.uncertainty != "none":  # the parameters-and-seeds design is the result; the seed-only one sits beside
        runs, seed_only = split_designs(runs)
        seed_summary = summarise(seed_only, [*CELL, "total_cny"], conf.confidence, conf.p_interval)
    summary = summarise(runs, [*CELL, "total_cny"], conf.confidence, conf.p_interval)
    least = least_budget(summary, CELL, conf.p_goal)
    if conf.uncertainty != "none":
        both = pd.concat([summary.assign(design="parameters"), seed_summary.assign(design="seed")],
                         ignore_index=True)
        seed_least = least_budget(seed_summary, CELL, conf.p_goal)
        least = least.merge(seed_least[[*CELL, "goal_id", "status", "least_total_cny"]], on=[*CELL, "goal_id"],
                            how="left", suffixes=("", "_seed_only"))
        write_csv_atomic(exp_dir / "summary_designs.csv", both)
    write_csv_atomic(exp_dir / "summary.csv", summary)
    write_csv_atomic(exp_dir / "least_budget.csv", least)
    equity = budget_equity(runs, summary, conf.confidence)
    write_csv_atomic(exp_dir / "equity.csv", equity)
    if conf.report:
        _report(conf, exp_dir, runs, summary, least, index, provenance, equity, both)
    _print(conf, exp_dir, least, index, provenance)


def budget_equity(runs: pd.DataFrame, summary: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """The equity gaps per cell and total (``equity.csv``); each cell's largest total paired against its smallest.

    Rows as :func:`sim.experiment.analysis.equity_table` with ``scenario``, ``allocation`` and ``total_cny``;
    the paired columns (``reference`` the smallest total, ``diff_mean``, ...) are filled on the rows of the
    largest total of each cell, blank elsewhere and when only one total was swept.
    """
    out = equity_table(summary, pd.DataFrame(), [*CELL, "total_cny"])
    frames = []
    for keys, grp in runs[runs["kind"].isin([EQUITY_KIND, "metric"])].groupby(CELL, sort=False):
        totals = sorted(grp["total_cny"].unique())
        if len(totals) < 2:
            continue
        two = grp[grp["total_cny"].isin([totals[0], totals[-1]])].assign(level=lambda d: d["total_cny"].astype(str))
        p = paired(two, "level", str(totals[0]), confidence)
        p = p[p["kind"] == EQUITY_KIND]
        frames.append(pd.DataFrame({
            **dict(zip(CELL, keys, strict=True)), "total_cny": totals[-1], "measure": p["goal_id"],
            "reference": totals[0], "mean_reference": p["mean_reference"], "diff_mean": p["diff_mean"],
            "diff_ci_low": p["diff_ci_low"], "diff_ci_high": p["diff_ci_high"]}))
    if frames:
        out = out.merge(pd.concat(frames, ignore_index=True), on=[*CELL, "total_cny", "measure"], how="left")
        ref = out["mean_reference"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["ratio_to_reference"] = np.where(ref != 0, out["mean"].to_numpy(float) / ref, np.nan)
    return out


def money_pairs(runs: pd.DataFrame, confidence: float, lang: str) -> pd.DataFrame:
    """Per scenario x allocation: its largest swept total against its smallest, paired seed by seed.

    Rows as ``paired.csv`` (:func:`sim.experiment.analysis.paired`) with ``cell`` the cell's label and the
    two totals in ``low_cny`` and ``high_cny``; empty when only one total was swept. The cell label is
    written in ``lang``.
    """
    frames = []
    for keys, grp in runs.groupby(CELL, sort=False):
        totals = sorted(grp["total_cny"].unique())
        if len(totals) < 2:
            continue
        low, high = totals[0], totals[-1]
        two = grp[grp["total_cny"].isin([low, high])].assign(level=lambda d: d["total_cny"].astype(str))
        pairs = paired(two, "level", str(low), confidence)
        frames.append(pairs.assign(cell=budget_cell_label(keys, lang), low_cny=low, high_cny=high))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _report(conf, exp_dir, runs, summary, least, index, provenance, equity, both=None) -> None:
    lang = conf.lang
    figs = exp_dir / "figures"
    figs.mkdir(exist_ok=True)
    p_fig = report.budget_figure(summary, CELL, figs / "p_met_vs_budget.png", "p_met", conf.p_goal, conf.confidence,
                                 lang)
    a_fig = report.budget_figure(summary, CELL, figs / "attainment_vs_budget.png", "attainment_mean", None,
                                 conf.confidence, lang)
    findings = budget_findings(summary, least, money_pairs(runs, conf.confidence, lang), CELL, lang)
    findings += budget_equity_findings(equity, CELL, lang, conf.confidence)
    sections = [
        (t("r_least_table", lang).format(p=fmt.percent(conf.p_goal)),
         report.html_table(report.least_table(least, CELL, lang))),
        (t("r_p_vs_money", lang), report.img(p_fig)),
        (t("r_att_vs_money", lang), report.img(a_fig)),
        (t("r_equity", lang), report.equity_section(equity, [*CELL, "total_cny"], lang, conf.confidence,
                                                     t("r_smallest_total", lang))),
        (t("r_summary_table", lang), report.html_table(report.summary_table(summary, [*CELL, "total_cny"], lang))),
    ]
    if both is not None:
        sections.insert(1, (t("u_table", lang), report.html_table(side_by_side_table(both, [*CELL, "total_cny"],
                                                                                     lang))))
        findings = [*uncertainty_findings(both, [*CELL, "total_cny"], lang), *findings]
    report.write_report(exp_dir / "report.html", f"{t('r_budget_title', lang)}: {exp_dir.name}", findings,
                        sections, method_notes(conf, index), index["command"].iloc[0], provenance, lang)


def method_notes(conf: BudgetConf, index: pd.DataFrame) -> list[str]:
    """The design and the statistics of a budget sweep, in the report's language."""
    lang, level = conf.lang, fmt.percent(conf.confidence)
    return [
        t("m_design_budget", lang).format(cells=", ".join(report.cell_label(s, lang) for s in conf.scenarios),
                                          allocs=", ".join(conf.budget.allocations),
                                          totals=", ".join(fmt.money(x, lang) for x in conf.budget.total_cny),
                                          n=conf.replications),
        t("m_means", lang).format(level=level, method=conf.p_interval.replace("_", "-")),
        t("m_least", lang).format(p=fmt.percent(conf.p_goal)),
        t("m_paired", lang).format(level=level),
        t("m_cost", lang),
        t("m_likely", lang).format(hi=fmt.percent(LIKELY), lo=fmt.percent(UNLIKELY)),
        t("m_units", lang),
        t("m_runtime", lang).format(s=f"{index['wall_time_s'].mean():.2f}", n=len(index)),
        *([uncertainty_note(conf, lang)] if conf.uncertainty != "none" else []),
    ]


def _print(conf, exp_dir, least, index, provenance) -> None:
    show = least[[c for c in ("scenario", "allocation", "goal_id", "status", "least_total_cny", "interpolated_cny",
                  "least_total_cny_seed_only") if c in least.columns]]
    print(f"\nLeast total budget meeting each goal with P >= {conf.p_goal:g} ({conf.replications} replications):")
    print(show.to_string(index=False, float_format=lambda v: f"{v / 1e8:.2f}e8"))
    print_runs(exp_dir, index, provenance)


def main() -> None:
    """Validate the command line, then run the Hydra app."""
    prepare_argv(KIND, plan)
    _app()


if __name__ == "__main__":
    sys.exit(main())
