"""``python experiments/compare.py``: scenarios side by side, replications with common random numbers.

Every scenario runs with the same replication seeds, so differences between scenarios are paired seed by
seed. Writes into the experiment folder: ``runs.parquet``, ``monthly.parquet``, ``runs_index.csv``,
``summary.csv``, ``paired.csv``, ``figures/*.png``, ``report.html``, ``config.yaml``, ``seeds.csv``,
``provenance.json``.
"""

from __future__ import annotations

import sys

import hydra
import pandas as pd

from sim.experiment import report
from sim.experiment.analysis import paired, summarise
from sim.experiment.conf import EXPERIMENT_CONF_DIR, CompareConf
from sim.experiment.driver import gather, prepare_argv, print_runs, reports_os_errors, start, write_csv_atomic
from sim.experiment.store import RunSpec, plan_cell

KIND = "compare"


def plan(conf: CompareConf, seeds: list[int], version: str) -> list[RunSpec]:
    """One cell per scenario, every cell with the same seeds."""
    specs: list[RunSpec] = []
    for s in conf.scenarios:
        specs += plan_cell({"scenario": s}, [f"scenario={s}", *conf.model], seeds, version)
    return specs


@hydra.main(version_base="1.3", config_path=str(EXPERIMENT_CONF_DIR), config_name=KIND)
@reports_os_errors
def _app(cfg) -> None:
    conf, exp_dir, store_dir, specs, provenance = start(KIND, cfg, plan)
    runs, monthly, index = gather(exp_dir, store_dir, specs)
    summary = summarise(runs, ["scenario"], conf.confidence, conf.p_interval)
    pairs = paired(runs, "scenario", conf.reference, conf.confidence)
    write_csv_atomic(exp_dir / "summary.csv", summary)
    write_csv_atomic(exp_dir / "paired.csv", pairs)
    if conf.report:
        _report(conf, exp_dir, summary, pairs, monthly, index, provenance)
    _print(conf, exp_dir, summary, index, provenance)


def _report(conf, exp_dir, summary, pairs, monthly, index, provenance) -> None:
    figs = exp_dir / "figures"
    figs.mkdir(exist_ok=True)
    att = report.attainment_figure(summary, "scenario", figs / "attainment.png", conf.confidence)
    traj = report.trajectories_figure(monthly, "scenario", figs / "trajectories.png")
    diff = report.paired_figure(pairs, "scenario", figs / "paired.png", conf.confidence) if len(pairs) else None
    p_table = _p_met_table(summary)
    cols = ["scenario", "goal_id", "mean", "ci_low", "ci_high", "target", "p_met", "p_met_low", "p_met_high"]
    pair_cols = [c for c in ("scenario", "reference", "goal_id", "diff_mean", "diff_ci_low", "diff_ci_high",
                             "share_better", "p_met_diff", "p_met_diff_ci_low", "p_met_diff_ci_high",
                             "cost_per_unit_cny") if c in pairs.columns]
    level = f"{conf.confidence:.0%}"
    intro = [
        f"Scenarios {', '.join(conf.scenarios)}; {conf.replications} replications each, with the same seeds in "
        f"every scenario (common random numbers); reference scenario <b>{conf.reference}</b>.",
        f"Means: {level} Student-t intervals over replications, built on the logit scale for shares and on the "
        "log scale for values never below 0 so that they stay in range (summary column ci_method). P(met): "
        f"share of replications meeting the 2020 goal, {level} {conf.p_interval.replace('_', '-')} interval. "
        f"Paired differences: scenario minus reference seed by seed, {level} t interval of the differences "
        "(for P(met), Newcombe's interval for paired proportions). Cost per unit: extra spend over the "
        "reference divided by the extra goal value (in the goal's direction), from mean paired differences.",
        f"Model time per run: mean {index['wall_time_s'].mean():.2f} s over {len(index)} runs.",
    ]
    sections = [
        ("Probability of meeting each goal", report.table(p_table)),
        ("Attainment and probability by scenario", report.img(att)),
        ("Trajectories", report.img(traj)),
        (f"Paired differences against {conf.reference}",
         report.img(diff) + report.table(pairs[pair_cols]) if diff else "<p>Only one scenario.</p>"),
        ("Summary", report.table(summary[cols])),
        ("Reproducing a run", "<p>Every run's command is in runs_index.csv, e.g.</p><pre>"
         + report.html.escape(index["command"].iloc[0]) + "</pre>"),
    ]
    report.write_report(exp_dir / "report.html", f"Scenario comparison: {exp_dir.name}", intro, sections,
                        provenance)


def _p_met_table(summary):
    """Goals as rows, scenarios as columns: 'P(met) [low, high]'."""
    goals = summary[summary["kind"] == "goal"].copy()
    goals["cell"] = [f"{p:.2f} [{lo:.2f}, {hi:.2f}]" for p, lo, hi in
                     zip(goals["p_met"], goals["p_met_low"], goals["p_met_high"], strict=True)]
    table = goals.pivot(index="goal_id", columns="scenario", values="cell")
    table = table.reindex(goals["goal_id"].drop_duplicates())[list(dict.fromkeys(goals["scenario"]))]
    table.columns.name = None
    first = goals.drop_duplicates("goal_id").set_index("goal_id")
    return pd.concat([first[["comparison", "target"]], table], axis=1).reset_index()


def _print(conf, exp_dir, summary, index, provenance) -> None:
    goals = summary[summary["kind"] == "goal"]
    table = goals.pivot(index="goal_id", columns="scenario", values="p_met").reindex(
        goals["goal_id"].drop_duplicates())
    print(f"\nP(goal met in 2020), {conf.replications} replications per scenario:")
    print(table.to_string(float_format=lambda v: f"{v:.2f}"))
    print_runs(exp_dir, index, provenance)


def main() -> None:
    """Validate the command line, then run the Hydra app."""
    prepare_argv(KIND, plan)
    _app()


if __name__ == "__main__":
    sys.exit(main())
