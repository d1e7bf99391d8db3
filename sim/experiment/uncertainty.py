"""Parameter uncertainty in experiments: parameter sets drawn once, shared by every cell, one per replication.

With ``uncertainty=lhs`` replication ``i`` runs parameter set ``i mod K`` (``samples=K``, a Latin hypercube
over the declared plausible ranges, seeded from the experiment's seed) with replication seed ``i``; every
scenario (every sweep cell) gets the same sets and the same seeds, so pairing stays intact. With
``uncertainty=posterior`` the sets are drawn from the accepted sets of a calibration (``posterior.csv`` of
``experiments/calibrate.py``). Beside these runs, each cell also runs its seed-only replications (the plan's
parameters with the same seeds, the ``uncertainty=none`` design), so a report sets the interval that admits
only seed noise beside the one that also admits what we do not know about the parameters.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config import ConfigError, validate
from sim.evaluate import apply_params, param_specs
from sim.experiment.store import RunSpec, config_key, plan_cell
from sim.run import ROOT, load_config

DESIGNS = ("none", "lhs", "posterior")
SEED_ONLY = "seed"  # the design label of seed-only runs
WITH_PARAMETERS = "parameters"  # ... of runs with a drawn parameter set
LABELS = ("design", "param_set")


def resolve(path: str) -> Path:
    """A path as given on the command line (relative paths are relative to the project root)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else ROOT / p


def read_posterior(path: str) -> pd.DataFrame:
    """The accepted parameter sets of a calibration: one column per parameter path (other columns dropped).

    Raises:
        ConfigError: when the file is missing, unreadable or names no parameter.
    """
    if not path:
        raise ConfigError("posterior", path, "the posterior.csv of a calibration (experiments/calibrate.py), "
                          "e.g. posterior=results/experiments/calibrate-.../posterior.csv")
    file = resolve(path)
    if not file.is_file():
        raise ConfigError("posterior", path, "an existing posterior.csv written by experiments/calibrate.py")
    try:
        df = pd.read_csv(file)
    except (OSError, ValueError) as exc:
        raise ConfigError("posterior", path, f"a readable CSV ({' '.join(str(exc).split())})") from None
    specs = param_specs()
    cols = [c for c in df.columns if c in specs]
    if not cols or df.empty:
        raise ConfigError("posterior", path, "a CSV with at least one row and columns named by parameter path")
    return df[cols].reset_index(drop=True)


def validate_uncertainty(conf: Any) -> None:
    """Check ``uncertainty``, ``samples``, ``parameters`` and ``posterior`` of an experiment config.

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    from sim.explore import uncertain_paths

    if conf.uncertainty not in DESIGNS:
        raise ConfigError("uncertainty", conf.uncertainty, "one of " + ", ".join(DESIGNS))
    if conf.samples < 0 or conf.samples > conf.replications:
        raise ConfigError("samples", conf.samples, f"an integer in [0, replications = {conf.replications}] "
                          "(0 = one parameter set per replication)")
    known = set(uncertain_paths())
    for p in conf.parameters:
        if p not in known:
            raise ConfigError("parameters", p, "uncertain scalar parameters (sim.parameters().query('uncertain')), "
                              "e.g. [uncertainties.bass_q,bank.ldr_cap]")
    if conf.uncertainty == "posterior":
        read_posterior(conf.posterior)


def parameter_sets(conf: Any) -> pd.DataFrame | None:
    """The experiment's parameter sets (one row each), or None for ``uncertainty=none``.

    The same config gives the same sets: LHS draws are seeded from ``seed``; posterior sets are drawn with
    replacement by a generator seeded from ``seed``.
    """
    if conf.uncertainty == "none":
        return None
    k = conf.samples or conf.replications
    if conf.uncertainty == "lhs":
        from sim.explore import lhs_sets

        return lhs_sets(k, seed=conf.seed, paths=list(conf.parameters) or None)
    post = read_posterior(conf.posterior)
    rows = np.random.default_rng(conf.seed).choice(len(post), size=k, replace=len(post) < k)
    sets = post.iloc[rows].reset_index(drop=True)
    return sets[list(conf.parameters)] if conf.parameters else sets


def set_overrides(values: pd.Series) -> list[str]:
    """A parameter set as model overrides (whole numbers where the parameter counts whole things)."""
    specs = param_specs()
    out = []
    for path, v in values.items():
        spec = specs[str(path)]
        x = float(v)
        out.append(f"{path}={round(x)}" if spec is not None and spec.integer else f"{path}={x!r}")
    return out


def plan_sets(labels: dict[str, Any], overrides: list[str], seeds: list[int], sets: pd.DataFrame | None,
              version: str) -> list[RunSpec]:
    """A cell's runs: seed-only, plus (when ``sets`` is given) one run per replication with its parameter set.

    Without sets this is :func:`sim.experiment.store.plan_cell`. With them, the seed-only runs carry
    ``design=seed`` and ``param_set=-1``; replication ``i`` with set ``i mod K`` carries ``design=parameters``
    and ``param_set=i mod K``.
    """
    if sets is None:
        return plan_cell(labels, overrides, seeds, version)
    specs = plan_cell({**labels, "design": SEED_ONLY, "param_set": -1}, overrides, seeds, version)
    base = load_config(overrides)
    for rep, seed in enumerate(seeds):
        i = rep % len(sets)
        row = sets.iloc[i]
        extra = set_overrides(row)
        cfg = copy.deepcopy(base)
        apply_params(cfg, {k: float(v) for k, v in row.items()})
        cfg.seed = seed
        cfg = validate(cfg)  # the config these overrides compose to; the worker composes them and checks the key
        specs.append(RunSpec(config_key(cfg, version), {**labels, "design": WITH_PARAMETERS, "param_set": i}, rep,
                             seed, [*overrides, *extra, f"seed={seed}"]))
    return specs



# ---------------------------------------------------------------- summaries with both designs
def split_designs(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(parameters-and-seeds rows, seed-only rows) of a table with a ``design`` column, without the labels."""
    drop = [c for c in LABELS if c in df.columns]
    main = df[df["design"] == WITH_PARAMETERS].drop(columns=drop).reset_index(drop=True)
    seed = df[df["design"] == SEED_ONLY].drop(columns=drop).reset_index(drop=True)
    return main, seed


def side_by_side_table(summary: pd.DataFrame, cells: list[str], lang: str) -> pd.DataFrame:
    """Per cell and goal: P(met) and the goal's interval with seeds only and with parameters and seeds.

    Args:
        summary: ``summary.csv`` with a ``design`` column (both designs).
        cells: the cell columns, e.g. ``["scenario"]``.
        lang: ``zh`` or ``en``.
    """
    from sim.experiment import fmt
    from sim.experiment.report import _e, _goals, cell_label, goal_cell
    from sim.i18n import t

    goals = _goals()
    g = summary[summary["kind"] == "goal"]
    wide = g.set_index([*cells, "goal_id", "design"])
    rows = []
    for keys, _grp in g.groupby([*cells, "goal_id"], sort=False):
        *cell, gid = keys
        goal = goals[gid]
        row = {}
        for c, v in zip(cells, cell, strict=True):
            row[t("r_scenario", lang) if c == "scenario" else _e(c)] = _e(
                cell_label(v, lang) if c == "scenario" else fmt.money(float(v), lang) if c == "total_cny" else v)
        row[t("r_goal", lang)] = goal_cell(goal, lang)
        for design, key in ((SEED_ONLY, "u_seed_only"), (WITH_PARAMETERS, "u_with_parameters")):
            r = wide.loc[(*cell, gid, design)]
            row[_e(t(key, lang) + " · " + t("r_p_met", lang))] = _e(
                f"{fmt.percent(r['p_met'])} [{fmt.percent(r['p_met_low'])}, {fmt.percent(r['p_met_high'])}]")
            row[_e(t(key, lang) + " · " + t("r_interval", lang))] = _e(
                fmt.interval(float(r["ci_low"]), float(r["ci_high"]), goal.unit, lang))
        rows.append(row)
    return pd.DataFrame(rows)


def uncertainty_findings(summary: pd.DataFrame, cells: list[str], lang: str, shift: float = 0.2) -> list[str]:
    """Per cell: goals likely met with seeds only and once parameter uncertainty is admitted; big shifts.

    A goal is listed when its P(met) moves by ``shift`` or more between the two designs.
    """
    from sim.experiment import fmt
    from sim.experiment.findings import LIKELY, default_goals, goal_name
    from sim.experiment.report import cell_label
    from sim.i18n import t

    goals = default_goals()
    g = summary[summary["kind"] == "goal"]
    out = []
    for keys, grp in g.groupby(cells, sort=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        label = " · ".join(cell_label(str(k), lang) if c == "scenario" else
                           fmt.money(float(k), lang) if c == "total_cny" else str(k)
                           for c, k in zip(cells, keys, strict=True))
        p = grp.pivot_table(index="goal_id", columns="design", values="p_met", aggfunc="first")
        moved = p[(p[WITH_PARAMETERS] - p[SEED_ONLY]).abs() >= shift]
        items = [f"{goal_name(goals[gid], lang)} {fmt.percent(r[SEED_ONLY])} → {fmt.percent(r[WITH_PARAMETERS])}"
                 for gid, r in moved.iterrows()]
        text = t("u_finding", lang).format(cell=label, hi=fmt.percent(LIKELY),
                                           seed=int((p[SEED_ONLY] >= LIKELY).sum()),
                                           params=int((p[WITH_PARAMETERS] >= LIKELY).sum()), n=len(p))
        if items:
            text += "\n" + t("u_moved", lang).format(items=("、" if lang == "zh" else "; ").join(items))
        out.append(text)
    return out


def method_note(conf: Any, lang: str) -> str:
    """The design of the parameter draws, for the method notes."""
    from sim.i18n import t

    k = conf.samples or conf.replications
    what = (t("u_all_params", lang) if not conf.parameters else ", ".join(conf.parameters))
    source = t("u_src_lhs", lang) if conf.uncertainty == "lhs" else t("u_src_posterior", lang).format(
        path=conf.posterior)
    return t("m_uncertainty", lang).format(k=k, n=conf.replications, what=what, source=source, seed=conf.seed)
