"""``python experiments/compare.py``: scenarios side by side, replications with common random numbers.

Every scenario runs with the same replication seeds, so differences between scenarios are paired seed by
seed. Writes into the experiment folder: ``runs.parquet``, ``monthly.parquet``, ``runs_index.csv``,
``summary.csv``, ``paired.csv``, ``equity.csv`` (the gaps of who is reached at the end of 2020, paired against the
reference), ``figures/*.png``, ``report.html``, ``config.yaml``, ``seeds.csv``, ``provenance.json``.
"""

from __future__ import annotations

import sys

import hydra
import pandas as pd

from sim.experiment import fmt, report
from sim.experiment.analysis import equity_table, paired, summarise
from sim.experiment.conf import EXPERIMENT_CONF_DIR, CompareConf
from sim.experiment.driver import (
    gather,
    prepare_argv,
    print_runs,
    reports_os_errors,
    start,
)
from sim.experiment.findings import LIKELY, UNLIKELY, compare_findings, equity_findings
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

KIND = "compare"


def plan(conf: CompareConf, seeds: list[int], version: str) -> list[RunSpec]:
    """One cell per scenario, every cell with the same seeds (and the same parameter sets, if any)."""
    sets = parameter_sets(conf)
    specs: list[RunSpec] = []
    for s in conf.scenarios:
        specs += plan_sets({"scenario": s}, [f"scenario={s}", *conf.model], seeds, sets, version)
    return specs


@hydra.main(version_base="1.3", config_path=str(EXPERIMENT_CONF_DIR), config_name=KIND)
@reports_os_errors
def _app(cfg) -> None:
    conf, exp_dir, store_dir, specs, provenance = start(KIND, cfg, plan)
    runs, monthly, index = gather(exp_dir, store_dir, specs)
    if conf.uncertainty == "none":
        summary = summarise(runs, ["scenario"], conf.confidence, conf.p_interval)
        pairs = paired(runs, "scenario", conf.reference, conf.confidence)
        both = None
    else:  # the parameters-and-seeds design is the result; the seed-only design sits beside it
        main, seed_only = split_designs(runs)
        summary = summarise(main, ["scenario"], conf.confidence, conf.p_interval)
        pairs = paired(main, "scenario", conf.reference, conf.confidence)
        both = pd.concat([summary.assign(design="parameters"), summarise(
            seed_only, ["scenario"], conf.confidence, conf.p_interval).assign(design="seed")], ignore_index=True)
        monthly = split_designs(monthly)[0]
        write_csv_atomic(exp_dir / "summary_designs.csv", both)
    write_csv_atomic(exp_dir / "summary.csv", summary)
    write_csv_atomic(exp_dir / "paired.csv", pairs)
    equity = equity_table(summary, pairs, ["scenario"], "scenario")
    write_csv_atomic(exp_dir / "equity.csv", equity)
    if conf.report:
        _report(conf, exp_dir, summary, pairs, monthly, index, provenance, equity, both)
    _print(conf, exp_dir, summary, index, provenance, equity, both)


def _report(conf, exp_dir, summary, pairs, monthly, index, provenance, equity, both=None) -> None:
    lang = conf.lang
    figs = exp_dir / "figures"
    figs.mkdir(exist_ok=True)
    att = report.attainment_figure(summary, "scenario", figs / "attainment.png", conf.confidence, lang)
    traj = report.trajectories_figure(monthly, "scenario", figs / "trajectories.png", lang)
    diff = (report.paired_figure(pairs, "scenario", figs / "paired.png", conf.confidence, lang)
            if len(pairs) else None)
    ref = report.cell_label(conf.reference, lang)
    sections = [
        (t("r_p_met_table", lang), report.html_table(report.p_met_table(summary, "scenario", lang))),
        (t("r_attainment_fig", lang), report.img(att)),
        (t("r_trajectories", lang), report.img(traj)),
        (t("r_paired", lang).format(ref=ref),
         report.img(diff) + report.html_table(report.paired_table(pairs, "scenario", lang)) if diff
         else f"<p>{report.html.escape(t('r_only_one', lang))}</p>"),
        (t("r_equity", lang), report.equity_section(equity, ["scenario"], lang, conf.confidence, ref)),
        (t("r_summary_table", lang), report.html_table(report.summary_table(summary, ["scenario"], lang))),
    ]
    findings = compare_findings(summary, pairs, lang) + equity_findings(equity, "scenario", lang, conf.confidence)
    if both is not None:
        sections.insert(0, (t("u_table", lang), report.html_table(side_by_side_table(both, ["scenario"], lang))))
        findings = [*uncertainty_findings(both, ["scenario"], lang), *findings]
    report.write_report(exp_dir / "report.html", f"{t('r_compare_title', lang)}: {exp_dir.name}",
                        findings, sections, method_notes(conf, index),
                        index["command"].iloc[0], provenance, lang)


def method_notes(conf: CompareConf, index: pd.DataFrame) -> list[str]:
    """The design and the statistics of a comparison, in the report's language."""
    lang, level = conf.lang, fmt.percent(conf.confidence)
    cells = ", ".join(report.cell_label(s, lang) for s in conf.scenarios)
    ref = report.cell_label(conf.reference, lang)
    return [
        t("m_design_compare", lang).format(cells=cells, n=conf.replications, ref=ref),
        t("m_means", lang).format(level=level, method=conf.p_interval.replace("_", "-")),
        t("m_paired", lang).format(level=level),
        t("m_cost", lang),
        t("m_likely", lang).format(hi=fmt.percent(LIKELY), lo=fmt.percent(UNLIKELY)),
        t("m_units", lang),
        t("m_runtime", lang).format(s=f"{index['wall_time_s'].mean():.2f}", n=len(index)),
        *([uncertainty_note(conf, lang)] if conf.uncertainty != "none" else []),
    ]


def _print(conf, exp_dir, summary, index, provenance, equity, both=None) -> None:
    goals = summary[summary["kind"] == "goal"] if both is None else both[both["kind"] == "goal"]
    columns = "scenario" if both is None else ["scenario", "design"]
    table = goals.pivot(index="goal_id", columns=columns, values="p_met").reindex(
        goals["goal_id"].drop_duplicates())
    admitted = "" if both is None else (f", seeds only (seed) and with {conf.samples or conf.replications} "
                                        f"parameter sets (parameters)")
    print(f"\nP(goal met in 2020), {conf.replications} replications per scenario{admitted}:")
    print(table.to_string(float_format=lambda v: f"{v:.2f}"))
    gaps = equity[equity["measure"].str.contains("gap")]
    if len(gaps):
        level = fmt.percent(conf.confidence)
        print(f"\nWho is reached, end of 2020 (gaps: shares in points, distance in km; {level} intervals; "
              f"paired against {conf.reference}):")
        cols = ["scenario", "measure", "mean", "ci_low", "ci_high"]
        cols += [c for c in ("diff_mean", "diff_ci_low", "diff_ci_high") if c in gaps]
        print(gaps[cols].to_string(index=False, float_format=lambda v: f"{v:+.4f}"))
    print_runs(exp_dir, index, provenance)


def main() -> None:
    """Validate the command line, then run the Hydra app."""
    prepare_argv(KIND, plan)
    _app()


if __name__ == "__main__":
    sys.exit(main())
