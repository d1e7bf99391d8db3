"""Runs as files: the plan of an experiment, one file per finished run, written atomically.

A run is keyed by a hash of its resolved model config (seed included) and the code version, so a run
that is already done is never run again, whichever experiment or launcher asked for it. A run file is
written to a temporary name and renamed into place (``os.replace``), so a half-written run is never read
as finished: only ``runs/<key>.parquet`` counts.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.config import SimConf
from sim.goals import GOAL_IDS, load_goals
from sim.run import code_version, load_config, run_config

RUNS_DIR = "_runs"  # shared by the experiments of one out_root: a run done once serves them all
# fields that change what is written or printed, not what is computed
_NOT_IN_KEY = ("write_outputs", "quiet")
FILE_MODE = 0o644  # mkstemp makes files private; results are meant to be shared


@dataclass
class RunSpec:
    """One run of an experiment.

    Attributes:
        key: hash of the resolved config and the code version; the run file's name.
        labels: the cell the run belongs to (e.g. scenario, allocation, total_cny).
        replication: replication index 0..n-1 (the same index has the same seed in every cell).
        seed: the model seed.
        overrides: the model overrides that reproduce the run with ``python -m sim``.
    """

    key: str
    labels: dict[str, Any]
    replication: int
    seed: int
    overrides: list[str] = field(default_factory=list)

    def command(self) -> str:
        """The shell command that reproduces this run exactly (with the same code version)."""
        return "python -m sim " + " ".join(_shell_quote(o) for o in self.overrides)


def _shell_quote(s: str) -> str:
    import shlex

    return shlex.quote(s)


def replication_seeds(root_seed: int, n: int) -> list[int]:
    """Seeds for replications 0..n-1, spawned from one ``numpy.random.SeedSequence(root_seed)``.

    The same root gives the same list, and a longer list starts with the shorter one, so adding
    replications keeps the runs already done.
    """
    children = np.random.SeedSequence(root_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def config_key(cfg: SimConf, version: str) -> str:
    """Hash of a resolved model config (seed included) and the code version."""
    data = dataclasses.asdict(cfg)
    for k in _NOT_IN_KEY:
        data.pop(k, None)
    blob = json.dumps({"config": data, "code_version": version}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def plan_cell(labels: dict[str, Any], overrides: list[str], seeds: list[int], version: str) -> list[RunSpec]:
    """The runs of one cell: its overrides composed and validated once, then one run per seed."""
    base = load_config(overrides)
    specs = []
    for rep, seed in enumerate(seeds):
        cfg = dataclasses.replace(base, seed=seed)
        specs.append(RunSpec(config_key(cfg, version), dict(labels), rep, seed, [*overrides, f"seed={seed}"]))
    return specs


def run_path(exp_dir: Path, key: str) -> Path:
    """Where a finished run's file is."""
    return Path(exp_dir) / RUNS_DIR / f"{key}.parquet"


def is_done(exp_dir: Path, key: str) -> bool:
    """Whether a run has finished (its file exists under its final name)."""
    return run_path(exp_dir, key).exists()


def execute(spec: RunSpec, exp_dir: Path, version: str | None = None) -> bool:
    """Run one spec unless it is done, and write its file atomically.

    Returns:
        True when the run was computed here, False when it was already done.
    """
    exp_dir = Path(exp_dir)
    target = run_path(exp_dir, spec.key)
    if target.exists():
        return False
    cfg = copy.deepcopy(_cell_config(tuple(o for o in spec.overrides if not o.startswith("seed="))))
    cfg.seed = spec.seed
    version = version or code_version()
    if config_key(cfg, version) != spec.key:
        raise RuntimeError(f"run {spec.key}: its overrides no longer give the planned config "
                           f"(configs or code changed since planning); rerun the experiment to plan again")
    result = run_config(cfg, keep_model=False)
    table = run_table(result.scorecard, result.monthly, result.ledger, result.manifest["wall_time_s"])
    meta = {"spec": dataclasses.asdict(spec), "manifest": result.manifest}
    write_atomic(target, table, meta)
    return True


@functools.lru_cache(maxsize=64)
def _cell_config(overrides: tuple[str, ...]) -> SimConf:
    """A cell's config, composed once per process (composing costs more than a small run)."""
    return load_config(list(overrides))


def run_table(scorecard: pd.DataFrame, monthly: pd.DataFrame, ledger: pd.DataFrame, wall: float) -> pd.DataFrame:
    """A run in one long table: its goals, its money and its goals' monthly trajectories."""
    goals = pd.DataFrame({
        "section": "goal",
        "name": scorecard["goal_id"].astype(str),
        "month": "",
        "value": scorecard["value"].astype(float),
        "attainment": scorecard["attainment"].astype(float),
        "met": scorecard["met"].astype(float),
    })
    money = {
        "spent_cny": float(ledger["spent"].sum()),
        "planned_cny": float(ledger["planned"].sum()),
        "shortfall_cny": float(ledger["shortfall"].sum()),
        "wall_time_s": float(wall),
    }
    metrics = pd.DataFrame({"section": "metric", "name": list(money), "month": "",
                            "value": list(money.values()), "attainment": np.nan, "met": np.nan})
    traj = monthly[monthly["metric"].isin(GOAL_IDS)]
    traj = pd.DataFrame({"section": "monthly", "name": traj["metric"].astype(str),
                         "month": traj["month"].astype(str), "value": traj["value"].astype(float),
                         "attainment": np.nan, "met": np.nan})
    return pd.concat([goals, metrics, traj], ignore_index=True)


def write_atomic(target: Path, table: pd.DataFrame, meta: dict[str, Any]) -> None:
    """Write a parquet file under a temporary name in the same folder, flush it to disk, rename it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}),
                                           b"sim_run": json.dumps(meta, default=str).encode()})
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
    os.chmod(tmp, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            pq.write_table(arrow, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(target: Path, text: str) -> None:
    """Write a text file atomically (temporary name, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.chmod(tmp, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_run(exp_dir: Path, key: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A finished run's table and its metadata (spec and manifest)."""
    table = pq.read_table(run_path(exp_dir, key))
    meta = json.loads(table.schema.metadata[b"sim_run"])
    return table.to_pandas(), meta


def collect(exp_dir: Path, specs: list[RunSpec]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read every planned run; only finished files are read, each exactly once.

    Returns:
        (runs: one row per run x goal or metric, monthly: goal trajectories, index: one row per run).

    Raises:
        FileNotFoundError: when a planned run has not finished.
    """
    missing = [s.key for s in specs if not is_done(exp_dir, s.key)]
    if missing:
        raise FileNotFoundError(f"{len(missing)} of {len(specs)} runs have not finished")
    goals = {g.goal_id: g for g in load_goals()}
    ends, months, index = [], [], []
    for s in specs:
        table, meta = read_run(exp_dir, s.key)
        ident = {**s.labels, "replication": s.replication, "seed": s.seed, "run_key": s.key}
        end = table[table["section"] != "monthly"].drop(columns="month").rename(columns={"section": "kind"})
        end = end.assign(**ident)
        end["target"] = end["name"].map(lambda n: goals[n].target if n in goals else np.nan)
        end["comparison"] = end["name"].map(lambda n: goals[n].comparison if n in goals else "")
        ends.append(end)
        mon = table[table["section"] == "monthly"].drop(columns=["section", "attainment", "met"])
        months.append(mon.assign(**ident))
        m = meta["manifest"]
        index.append({**ident, "wall_time_s": m["wall_time_s"], "code_version": m["code_version"],
                      "command": s.command()})
    label_cols = list(specs[0].labels) if specs else []
    lead = [*label_cols, "replication", "seed", "run_key"]
    runs = pd.concat(ends, ignore_index=True)
    runs["met"] = runs["met"].astype("boolean")  # <NA> for metrics that are not goals
    runs = runs[[*lead, "kind", "name", "value", "target", "comparison", "attainment", "met"]]
    monthly = pd.concat(months, ignore_index=True)[[*lead, "name", "month", "value"]]
    return runs, monthly, pd.DataFrame(index)
