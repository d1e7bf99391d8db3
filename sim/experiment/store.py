"""Runs as files: the plan of an experiment, one file per finished run, written atomically and verified.

A run is keyed by a hash of its resolved model config (seed included) and the code version, so a run
that is already done is never run again, whichever experiment or launcher asked for it. A run file is
written to a temporary name and renamed into place (``os.replace``), so a half-written run is never read
as finished: only ``_runs/<key>.parquet`` counts. Each file carries its key and a checksum of its table;
one that is unreadable, truncated or another run's is moved to ``_runs/.rejected/`` and computed again.

Experiments sharing an ``out_root`` share work: whoever computes a run holds ``_runs/<key>.claim``
(created exclusively, naming host, process and its start time), and the others wait for the file instead
of computing it too. The holder touches its claim every :data:`CLAIM_HEARTBEAT_S`; a claim whose process
is gone, or untouched for :data:`CLAIM_MAX_AGE_S` (the only test for a process on another node), is stale
and is taken over.
"""

from __future__ import annotations

import copy
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.config import SimConf
from sim.equity import end_gaps
from sim.goals import GOAL_IDS, load_goals
from sim.io import FILE_MODE, write_parquet_atomic
from sim.io import HOST as _HOST
from sim.io import with_path as _with_path
from sim.run import code_version, load_config, run_config
from sim.world import SpunUp

RUNS_DIR = "_runs"  # shared by the experiments of one out_root: a run done once serves them all
# fields that change what is written or printed, not what is computed
_NOT_IN_KEY = ("write_outputs", "quiet")
REJECTED_DIR = ".rejected"  # bad run files moved aside, kept to inspect
RUN_META = b"sim_run"  # the schema metadata key of a run file: key, checksum, spec, manifest, origin
CLAIM_HEARTBEAT_S = 30.0  # a claim's holder touches it this often while it computes
CLAIM_MAX_AGE_S = 1800  # a claim untouched this long is stale even if its process cannot be checked (other node)
EMPTY_CLAIM_GRACE_S = 60  # an empty claim younger than this is being written (create, then write)
TMP_MAX_AGE_S = 3600  # a temporary file of another host's process is stale only after this long
_TMP_NAME = re.compile(r"~(?P<host>[^~]+)~(?P<pid>\d+)~[^~]*\.tmp$")


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
    """Whether a run has finished (its file exists under its final name; :func:`verify_run` checks it)."""
    return run_path(exp_dir, key).exists()


def execute(spec: RunSpec, exp_dir: Path, version: str | None = None, origin: str = "") -> str:
    """Run one spec unless it is done or another process holds its claim, and write its file atomically.

    Args:
        spec: the run.
        exp_dir: the run store's folder (``out_root``).
        version: the code version the run was planned with (default: this code's).
        origin: the launch computing it, recorded in the file (the driver counts its own runs by it).

    Returns:
        ``"computed"`` when the run was computed here, ``"done"`` when its file was already there,
        ``"claimed"`` when another live process is computing it.
    """
    exp_dir = Path(exp_dir)
    target = run_path(exp_dir, spec.key)
    if target.exists():
        return "done"
    token = try_claim(exp_dir, spec.key)
    if token is None:
        return "claimed"
    heartbeat = ClaimHeartbeat(claim_path(exp_dir, spec.key), token)
    try:
        if target.exists():  # finished by another process between the check and the claim
            return "done"
        cfg = copy.deepcopy(_cell_config(tuple(o for o in spec.overrides if not o.startswith("seed="))))
        cfg.seed = spec.seed
        version = version or code_version()
        if config_key(cfg, version) != spec.key:
            raise RuntimeError(f"run {spec.key}: its overrides no longer give the planned config "
                               f"(configs or code changed since planning); rerun the experiment to plan again")
        SpunUp.enable()  # the worker's next run of this seed (another scenario) starts from its spun-up world
        result = run_config(cfg, keep_model=False)
        table = run_table(result.scorecard, result.monthly, result.ledger, result.manifest["wall_time_s"],
                          result.equity)
        meta = {"spec": dataclasses.asdict(spec), "manifest": result.manifest, "origin": origin}
        write_atomic(target, table, meta)
        return "computed"
    finally:
        heartbeat.stop()
        release_claim(exp_dir, spec.key, token)


@functools.lru_cache(maxsize=64)
def _cell_config(overrides: tuple[str, ...]) -> SimConf:
    """A cell's config, composed once per process (composing costs more than a small run)."""
    return load_config(list(overrides))


def run_table(scorecard: pd.DataFrame, monthly: pd.DataFrame, ledger: pd.DataFrame, wall: float,
              equity: pd.DataFrame | None = None) -> pd.DataFrame:
    """A run in one long table: its goals, its money, its equity gaps at the end and its goals' trajectories.

    Equity rows (section ``equity``) are the summary measures of the last month (:func:`sim.equity.end_gaps`,
    e.g. ``remote_near_gap_loan``), so that experiments pair them seed by seed like the goals.
    """
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
    gaps = end_gaps(equity) if equity is not None and len(equity) else {}
    equity_rows = pd.DataFrame({"section": "equity", "name": list(gaps), "month": "",
                                "value": np.asarray(list(gaps.values()), float), "attainment": np.nan,
                                "met": np.nan})
    traj = monthly[monthly["metric"].isin(GOAL_IDS)]
    traj = pd.DataFrame({"section": "monthly", "name": traj["metric"].astype(str),
                         "month": traj["month"].astype(str), "value": traj["value"].astype(float),
                         "attainment": np.nan, "met": np.nan})
    return pd.concat([goals, metrics, equity_rows, traj], ignore_index=True)


def table_checksum(table: pa.Table) -> str:
    """SHA-256 of a table's column names, types and values (not of its file: parquet bytes may vary)."""
    table = table.replace_schema_metadata(None)
    blob = json.dumps({"schema": [[f.name, str(f.type)] for f in table.schema], "columns": table.to_pydict()},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def write_atomic(target: Path, table: pd.DataFrame, meta: dict[str, Any]) -> None:
    """Write a run's parquet file, with its key and checksum inside, under a temporary name; then rename it.

    The key is the file's stem; ``meta`` (spec, manifest) is stored as JSON in the schema metadata.
    """
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    stamp = {"key": target.stem, "checksum": table_checksum(arrow), **meta}
    write_parquet_atomic(target, arrow, {RUN_META: json.dumps(stamp, default=str).encode()}, sync=True)


class BadRunFile(Exception):
    """A run file that cannot be trusted: unreadable, truncated, another run's or altered."""


def read_run(exp_dir: Path, key: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A finished run's table and its metadata (key, checksum, spec, manifest), verified.

    Raises:
        BadRunFile: when the file is unreadable, is not a run file, belongs to another key or its table
            does not match its checksum.
        FileNotFoundError: when there is no file.
    """
    path = run_path(exp_dir, key)
    if not path.exists():
        raise FileNotFoundError(path)
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        raise
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for truncated or foreign bytes
        raise BadRunFile(f"unreadable ({one_line(exc)})") from None
    try:
        meta = json.loads((table.schema.metadata or {})[RUN_META])
    except (KeyError, ValueError):
        raise BadRunFile("not a run file (no run metadata)") from None
    if not isinstance(meta, dict) or "checksum" not in meta:
        raise BadRunFile("not a run file (no checksum)")
    if meta.get("key") != key:
        raise BadRunFile(f"belongs to run {meta.get('key')!r}, not {key!r}")
    if table_checksum(table) != meta["checksum"]:
        raise BadRunFile("its table does not match its checksum")
    return table.to_pandas(), meta


def verify_run(exp_dir: Path, key: str) -> str | None:
    """Why a run file cannot be trusted, or None when it can (or when there is none)."""
    try:
        read_run(exp_dir, key)
    except FileNotFoundError:
        return None
    except BadRunFile as exc:
        return str(exc)
    return None


def reject_run(exp_dir: Path, key: str, reason: str) -> Path | None:
    """Move a bad run file to ``_runs/.rejected/`` (kept to inspect) and say so in one line on stderr.

    Returns:
        Where it went, or None when it was gone already (another experiment moved it first).
    """
    path = run_path(exp_dir, key)
    dest = path.parent / REJECTED_DIR / f"{path.stem}.{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}.parquet"
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(path, dest)
    except FileNotFoundError:
        return None
    print(f"warning: run file {path} {reason}; moved to {dest}, the run is computed again", file=sys.stderr,
          flush=True)
    return dest


def one_line(exc: BaseException) -> str:
    """An exception's message on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


# ---------------------------------------------------------------- claims: one computer per run
def claim_path(exp_dir: Path, key: str) -> Path:
    """The claim file of a run being computed."""
    return Path(exp_dir) / RUNS_DIR / f"{key}.claim"


def process_id(pid: int | None = None) -> dict[str, Any]:
    """This (or another local) process as host, pid and start time (a reused pid has another start time)."""
    pid = os.getpid() if pid is None else pid
    return {"host": _HOST, "pid": pid, "start": _start_time(pid)}


def process_alive(ident: dict[str, Any] | None) -> bool:
    """Whether a process named by :func:`process_id` still runs; True for one on another host (unknowable)."""
    if not ident or ident.get("host") != _HOST:
        return True
    pid = int(ident.get("pid", -1))
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    fields = _proc_stat(pid)
    if fields and fields[0] in ("Z", "X"):  # ended, not yet reaped by its parent
        return False
    start = ident.get("start")
    return start is None or _start_time(pid) in (None, start)


def _proc_stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state first), or [] where there are none."""
    try:  # the command name may hold spaces and parentheses: split after the last ')'
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _start_time(pid: int) -> int | None:
    """A process's start time in clock ticks since boot (Linux), or None where /proc has none."""
    try:
        return int(_proc_stat(pid)[19])
    except (IndexError, ValueError):
        return None


def try_claim(exp_dir: Path, key: str) -> str | None:
    """Claim a run for this process; a stale claim is taken over.

    Returns:
        A token to release the claim with, or None when another live process holds it.
    """
    path = claim_path(exp_dir, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    body = json.dumps({**process_id(), "token": token, "time": time.time()}).encode()
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        except FileExistsError:
            if not _take_over_if_stale(path):
                return None
            continue
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
        except BaseException as exc:  # e.g. a full disk: leave no empty claim behind
            path.unlink(missing_ok=True)
            raise _with_path(exc, path) from None
        return token
    return None


class ClaimHeartbeat:
    """Touch a claim now and then while its run computes, so that its age says its holder is alive."""

    def __init__(self, path: Path, token: str, every_s: float = CLAIM_HEARTBEAT_S):
        self._path, self._token, self._every = path, token, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"claim {path.stem}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self._every):
            if _read_claim(self._path).get("token") != self._token:
                return  # taken over (this process was thought gone): leave it to its new holder
            try:
                os.utime(self._path)
            except OSError:
                return

    def stop(self) -> None:
        """Stop touching the claim (before it is released)."""
        self._stop.set()
        self._thread.join()


def release_claim(exp_dir: Path, key: str, token: str) -> None:
    """Remove a claim if it is still this token's (a claim taken over as stale is no longer ours)."""
    path = claim_path(exp_dir, key)
    if _read_claim(path).get("token") == token:
        path.unlink(missing_ok=True)


def claim_is_live(exp_dir: Path, key: str) -> bool:
    """Whether a live process holds the run's claim."""
    path = claim_path(exp_dir, key)
    return path.exists() and not _claim_is_stale(path)


def _read_claim(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _claim_is_stale(path: Path) -> bool:
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return True
    if age > CLAIM_MAX_AGE_S:
        return True
    data = _read_claim(path)
    if not data:  # being written right now, or its writer died between creating and writing it
        return age > EMPTY_CLAIM_GRACE_S
    return not process_alive(data)


def _take_over_if_stale(path: Path) -> bool:
    """Remove a stale claim; True when it is gone (so the caller may claim it), False when it is live.

    Under an exclusive lock, so that two processes finding the same stale claim cannot remove a fresh
    claim the first one has just made.
    """
    with _claims_lock(path.parent):
        if not _claim_is_stale(path):
            return False
        path.unlink(missing_ok=True)
        return True


@contextmanager
def _claims_lock(folder: Path) -> Iterator[None]:
    fd = os.open(folder / ".claims.lock", os.O_CREAT | os.O_RDWR, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# ---------------------------------------------------------------- cleaning up after killed writers
def clean_temporary(folder: Path) -> list[Path]:
    """Delete temporary files (``.*.tmp``) in a folder whose writer is gone; return what was deleted.

    A writer's temporary name carries its host and pid: one of this host whose process has ended is
    removed at once (an empty file included); any other only once it is older than :data:`TMP_MAX_AGE_S`,
    since a live process on another node may still be writing it. Stale claims go too.
    """
    removed: list[Path] = []
    if not Path(folder).is_dir():
        return removed
    now = time.time()
    for tmp in Path(folder).glob(".*.tmp"):
        m = _TMP_NAME.search(tmp.name)
        try:
            if m and m["host"] == _HOST:
                stale = not process_alive({"host": _HOST, "pid": int(m["pid"]), "start": None})
            else:
                stale = now - tmp.stat().st_mtime > TMP_MAX_AGE_S
            if stale:
                tmp.unlink()
                removed.append(tmp)
        except FileNotFoundError:
            pass
    for claim in Path(folder).glob("*.claim"):
        if _claim_is_stale(claim) and _take_over_if_stale(claim):
            removed.append(claim)
    return removed


def collect(exp_dir: Path, specs: list[RunSpec]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read every planned run; only finished files are read, each exactly once.

    Returns:
        (runs: one row per run x goal or metric, monthly: goal trajectories, index: one row per run).

    Raises:
        RuntimeError: when a planned run has not finished, or its file is bad (then moved aside, so that
            the same command computes it again).
    """
    missing = [s.key for s in specs if not is_done(exp_dir, s.key)]
    if missing:
        raise RuntimeError(f"{len(missing)} of {len(specs)} runs have not finished in {Path(exp_dir) / RUNS_DIR}; "
                           "rerun the same command to compute them")
    goals = {g.goal_id: g for g in load_goals()}
    ends, months, index = [], [], []
    for s in specs:
        try:
            table, meta = read_run(exp_dir, s.key)
        except BadRunFile as exc:
            reject_run(exp_dir, s.key, str(exc))
            raise RuntimeError(f"run file {run_path(exp_dir, s.key)} {exc} (found while reading the results); "
                               "rerun the same command to compute it again") from None
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
