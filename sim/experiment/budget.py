"""``python experiments/budget.py``: the probability of meeting each goal against money.

Sweeps scenarios x named allocations x total budgets, every cell with the same replication seeds, and
answers "the least budget that meets goal G with probability >= p_goal" where the sweep brackets it.
Writes ``runs.parquet``, ``monthly.parquet``, ``runs_index.csv``, ``summary.csv``, ``least_budget.csv``,
``figures/*.png``, ``report.html``, ``config.yaml``, ``seeds.csv`` and ``provenance.json``.
"""

from __future__ import annotations

import sys

import hydra

from sim.config import ConfigError
from sim.experiment import report
from sim.experiment.analysis import least_budget, summarise
from sim.experiment.conf import EXPERIMENT_CONF_DIR, BudgetConf
from sim.experiment.driver import gather, prepare_argv, print_runs, reports_os_errors, start, write_csv_atomic
from sim.experiment.store import RunSpec, plan_cell
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
    """One cell per scenario x allocation x total, every cell with the same seeds."""
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
                specs += plan_cell(labels, overrides, seeds, version)
    return specs


@hydra.main(version_base="1.3", config_path=str(EXPERIMENT_CONF_DIR), config_name=KIND)
@reports_os_errors
def _app(cfg) -> None:
    conf, exp_dir, store_dir, specs, provenance = start(KIND, cfg, plan)
    runs, _monthly, index = gather(exp_dir, store_dir, specs)
    summary = summarise(runs, [*CELL, "total_cny"], conf.confidence, conf.p_interval)
    least = least_budget(summary, CELL, conf.p_goal)
    write_csv_atomic(exp_dir / "summary.csv", summary)
    write_csv_atomic(exp_dir / "least_budget.csv", least)
    if conf.report:
        _report(conf, exp_dir, summary, least, index, provenance)
    _print(conf, exp_dir, least, index, provenance)


def _report(conf, exp_dir, summary, least, index, provenance) -> None:
    figs = exp_dir / "figures"
    figs.mkdir(exist_ok=True)
    p_fig = report.budget_figure(summary, CELL, figs / "p_met_vs_budget.png", "p_met", conf.p_goal, conf.confidence)
    a_fig = report.budget_figure(summary, CELL, figs / "attainment_vs_budget.png", "attainment_mean", None,
                                 conf.confidence)
    level = f"{conf.confidence:.0%}"
    intro = [
        f"Scenarios {', '.join(conf.scenarios)} x allocations {', '.join(conf.budget.allocations)} x totals "
        f"{', '.join(f'{t / 1e8:g}' for t in conf.budget.total_cny)} (1e8 CNY); {conf.replications} replications "
        "per cell with the same seeds in every cell.",
        f"P(met): share of replications meeting the 2020 goal, {level} {conf.p_interval.replace('_', '-')} "
        f"interval; attainment: mean with {level} t interval on the log scale (never below 0). Least budget: "
        "the smallest swept total from which "
        f"P(met) >= {conf.p_goal:g} at every larger total; 'bracketed' when a smaller total fell short "
        "(interpolated linearly between the two), 'conservative' uses the interval's lower end.",
        f"Model time per run: mean {index['wall_time_s'].mean():.2f} s over {len(index)} runs.",
    ]
    cols = ["scenario", "allocation", "total_cny", "goal_id", "mean", "ci_low", "ci_high", "p_met", "p_met_low",
            "p_met_high"]
    sections = [
        (f"Least budget meeting each goal with probability >= {conf.p_goal:g}", report.table(least)),
        ("Probability of meeting each goal against money", report.img(p_fig)),
        ("Attainment against money", report.img(a_fig)),
        ("Summary", report.table(summary[cols])),
        ("Reproducing a run", "<p>Every run's command is in runs_index.csv, e.g.</p><pre>"
         + report.html.escape(index["command"].iloc[0]) + "</pre>"),
    ]
    report.write_report(exp_dir / "report.html", f"Budget sweep: {exp_dir.name}", intro, sections, provenance)


def _print(conf, exp_dir, least, index, provenance) -> None:
    show = least[["scenario", "allocation", "goal_id", "status", "least_total_cny", "interpolated_cny"]]
    print(f"\nLeast total budget meeting each goal with P >= {conf.p_goal:g} ({conf.replications} replications):")
    print(show.to_string(index=False, float_format=lambda v: f"{v / 1e8:.2f}e8"))
    print_runs(exp_dir, index, provenance)


def main() -> None:
    """Validate the command line, then run the Hydra app."""
    prepare_argv(KIND, plan)
    _app()


if __name__ == "__main__":
    sys.exit(main())
