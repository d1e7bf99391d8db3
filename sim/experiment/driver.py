"""What both experiment apps share: the command line, validation, the folder, provenance, the launch.

An app is a Hydra app (``@hydra.main`` on ``sim/experiment/conf/<kind>.yaml``). Before Hydra starts, the
command line is split into experiment keys and model overrides and everything is validated, so bad input
stops with one line naming the key, the value and what is allowed, exit code 2, and no files.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shlex
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import OmegaConf

from sim.config import ConfigError
from sim.experiment.conf import (
    ExperimentConf,
    check_override_syntax,
    compose_experiment,
    quote_list,
    split_overrides,
    to_experiment,
)
from sim.experiment.launch import run_pending
from sim.experiment.store import RunSpec, collect, replication_seeds
from sim.io import write_parquet_atomic, write_text_atomic
from sim.run import code_version, package_versions

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C

ORIGINAL_ARGS: list[str] = []  # the command line as typed, for provenance (Hydra sees a rewritten one)

Planner = Callable[[ExperimentConf, list[int], str], list[RunSpec]]
_PLANS: dict[str, list[RunSpec]] = {}  # validation before Hydra plans once; the app reuses it


def _plan(kind: str, conf: ExperimentConf, planner: Planner) -> tuple[list[int], str, list[RunSpec]]:
    version = code_version()
    seeds = replication_seeds(conf.seed, conf.replications)
    key = json.dumps([kind, asdict(conf), version], sort_keys=True, default=str)
    if key not in _PLANS:
        _PLANS[key] = planner(conf, seeds, version)
    return seeds, version, _PLANS[key]


def reports_os_errors(app: Callable[..., None]) -> Callable[..., None]:
    """Turn a file system error inside an app (disk full, a folder made read-only meanwhile) into one line.

    ``error: cannot write <path>: <reason>`` on stderr and exit code 1; the runs already finished are kept.
    """

    @functools.wraps(app)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            app(*args, **kwargs)
        except OSError as exc:
            print(f"error: {os_error_line(exc)}; finished runs are kept, the same command resumes", file=sys.stderr)
            sys.exit(EXIT_FAILED)

    return wrapper


def os_error_line(exc: OSError) -> str:
    """An OSError as 'cannot write <path>: <reason>' (the path first, since that is what the user acts on)."""
    path = exc.filename if exc.filename is not None else "?"
    reason = exc.strerror or " ".join(str(exc).split())
    if exc.filename2 is not None:
        path = f"{path} -> {exc.filename2}"
    return f"cannot write {path}: {reason}"


def fail(exc: ConfigError) -> None:
    """Print the one-line error and leave with exit code 2."""
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def prepare_argv(kind: str, planner: Planner) -> None:
    """Validate the command line (experiment and model) and rewrite it for Hydra: model overrides -> model=[...].

    Leaves through :func:`fail` on bad input, before Hydra creates anything.
    """
    args = sys.argv[1:]
    ORIGINAL_ARGS[:] = args
    for flag in ("-m", "--multirun"):
        if flag in args:
            fail(ConfigError(flag, True, "lists such as scenarios=[a,b] or budget.total_cny=[...]; the experiment "
                             "launches its own jobs (hydra/launcher=... chooses how)"))
    if any(a.startswith("-") for a in args):  # --help, --cfg, ...: Hydra's own business
        return
    try:
        check_override_syntax(args)
    except ConfigError as exc:
        fail(exc)
    exp_args, model_args = split_overrides(kind, args)
    if model_args:
        exp_args = [a for a in exp_args if a.split("=", 1)[0] != "model"] + [
            f"model={quote_list([*_model_from(exp_args), *model_args])}"]
    try:
        _plan(kind, compose_experiment(kind, exp_args), planner)
    except ConfigError as exc:
        fail(exc)
    sys.argv = [sys.argv[0], *exp_args]


def _model_from(exp_args: list[str]) -> list[str]:
    """Model overrides given explicitly as model=[...] (kept before those given loose)."""
    for a in exp_args:
        if a.split("=", 1)[0] == "model":
            from hydra.core.override_parser.overrides_parser import OverridesParser

            value = OverridesParser.create().parse_override(a).value()
            return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return []


def definition_hash(kind: str, conf: ExperimentConf) -> str:
    """Hash of what decides which runs an experiment has (not how it is analysed or launched)."""
    d = asdict(conf)
    for k in ("name", "out_root", "confidence", "p_interval", "runs_per_job", "progress", "report",
              "reference", "p_goal", "lang"):
        d.pop(k, None)
    if kind in ("compare", "budget") and d.get("uncertainty") == "none":  # keep the folders they had before
        for k in ("uncertainty", "samples", "parameters", "posterior"):
            d.pop(k, None)
    return hashlib.sha256(json.dumps({"kind": kind, **d}, sort_keys=True, default=str).encode()).hexdigest()


def start(kind: str, cfg: Any, planner: Planner) -> tuple[ExperimentConf, Path, Path, list[RunSpec], dict]:
    """Inside the Hydra app: validate, plan, write provenance, run what is pending.

    Returns:
        (config, experiment folder, run store folder, run specs, provenance).
    """
    try:
        conf = to_experiment(kind, cfg)
        seeds, version, specs = _plan(kind, conf, planner)
    except ConfigError as exc:
        fail(exc)
    from sim.experiment.conf import experiment_dir

    exp_dir = experiment_dir(kind, conf, definition_hash(kind, conf))
    store_dir = exp_dir.parent
    exp_dir.mkdir(parents=True, exist_ok=True)
    hc = HydraConfig.get()
    choice = hc.runtime.choices.get("hydra/launcher", "basic")
    launcher = OmegaConf.to_container(hc.launcher, resolve=False)
    resolved = OmegaConf.to_container(OmegaConf.structured(conf), resolve=True)
    provenance = {
        "kind": kind,
        "command": shlex.join(["python", f"experiments/{kind}.py", *(ORIGINAL_ARGS or sys.argv[1:])]),
        "code_version": version,
        "versions": {**package_versions(), **_launcher_versions()},
        "seed_sequence": {"entropy": conf.seed, "replications": conf.replications,
                          "how": "numpy.random.SeedSequence(entropy).spawn(n)[i].generate_state(1, uint32)[0]"},
        "launcher": {"choice": choice, **launcher},
        "experiment_dir": str(exp_dir),
        "run_store": str(store_dir / "_runs"),
        "config": resolved,
    }
    write_text_atomic(exp_dir / "config.yaml", OmegaConf.to_yaml(OmegaConf.create(resolved)))
    write_text_atomic(exp_dir / "provenance.json", json.dumps(provenance, indent=2, default=str))
    seeds_df = pd.DataFrame({"replication": range(len(seeds)), "seed": seeds})
    write_text_atomic(exp_dir / "seeds.csv", seeds_df.to_csv(index=False))
    try:
        stats = run_pending(store_dir, exp_dir, specs, version, choice, launcher, conf.runs_per_job, conf.progress)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are kept in {store_dir / '_runs'}; the same command resumes",
              file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    provenance["last_launch"] = stats
    write_text_atomic(exp_dir / "provenance.json", json.dumps(provenance, indent=2, default=str))
    return conf, exp_dir, store_dir, specs, provenance


def _launcher_versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for pkg in ("hydra-joblib-launcher", "joblib", "hydra-submitit-launcher", "submitit"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def gather(exp_dir: Path, store_dir: Path, specs: list[RunSpec]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read the finished runs and write runs.parquet, monthly.parquet and runs_index.csv atomically.

    Leaves with exit code 1 and one line when a run is missing or its file is bad (moved aside then).
    """
    try:
        runs, monthly, index = collect(store_dir, specs)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_FAILED)
    write_parquet_atomic(exp_dir / "runs.parquet", runs)
    write_parquet_atomic(exp_dir / "monthly.parquet", monthly)
    write_text_atomic(exp_dir / "runs_index.csv", index.to_csv(index=False))
    return runs, monthly, index


def print_runs(exp_dir, index, provenance) -> None:
    """The closing lines of an experiment: runs planned, done, computed, model time per run, the folder."""
    launch = provenance.get("last_launch", {})
    others = launch.get("runs_by_others") or 0
    shared = f" ({others} more by another experiment at the same time)" if others else ""
    print(f"\nruns: {launch.get('runs_planned')} planned, {launch.get('runs_already_done')} already done, "
          f"{launch.get('runs_computed')} computed{shared} in {launch.get('seconds')} s "
          f"({launch.get('jobs')} jobs, launcher {launch.get('launcher')}); "
          f"model time per run {index['wall_time_s'].mean():.2f} s")
    print(f"experiment: {exp_dir}")
