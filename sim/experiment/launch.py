"""Running an experiment's pending runs as Hydra jobs, with a progress bar.

The driver splits the runs that are not done into batches (``runs_per_job``) and starts
``python -m sim.experiment.worker -m batch=range(0,K)`` with the launcher chosen on its own command line
(``hydra/launcher=joblib|basic|submitit_local|slurm`` and ``hydra.launcher.*``). Progress is read from the
run files as they appear, so it works the same for every launcher, including Slurm.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from omegaconf import OmegaConf

from sim.experiment.conf import EXPERIMENT_CONF_DIR
from sim.experiment.store import (
    RUN_META,
    RUNS_DIR,
    RunSpec,
    claim_is_live,
    clean_temporary,
    is_done,
    process_alive,
    process_id,
    reject_run,
    run_path,
    verify_run,
)
from sim.io import write_text_atomic
from sim.run import ROOT

JOBS_PER_CORE = 16  # enough jobs to balance uneven runs, few enough that Hydra's ~0.1 s per job stays small
MAX_ROUNDS = 5  # launches per experiment when runs claimed by others have to be taken back
POLL_S = 0.5
FINISHED = "finished"  # marker in a launch folder whose launcher has exited
LAUNCH_MAX_AGE_S = 7 * 24 * 3600  # an unfinished launch of another host's driver may run for days on a cluster
_ERROR_LINE = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)|error)\b:?")


def pending_runs(store_dir: Path, specs: list[RunSpec]) -> list[RunSpec]:
    """Runs not done yet, each key once, ordered by replication so that partial progress covers every cell.

    Every run file found is verified first: one that is unreadable, truncated or another run's is moved
    aside (one line on stderr) and its run counts as not done.
    """
    seen, out = set(), []
    for s in sorted(specs, key=lambda s: s.replication):
        if s.key in seen:
            continue
        seen.add(s.key)
        if is_done(store_dir, s.key) and (reason := verify_run(store_dir, s.key)):
            reject_run(store_dir, s.key, reason)
        if not is_done(store_dir, s.key):
            out.append(s)
    return out


def clean_launches(exp_dir: Path) -> list[Path]:
    """Delete ``.launch/*`` folders of launches that finished or whose driver is gone; return them.

    A launch of a driver on another host that did not finish is left for :data:`LAUNCH_MAX_AGE_S` (its
    jobs may still be writing logs there); a folder without a plan yet is one being made right now.
    """
    removed: list[Path] = []
    root = Path(exp_dir) / ".launch"
    if not root.is_dir():
        return removed
    for folder in root.iterdir():
        try:
            age = time.time() - folder.stat().st_mtime
            if (folder / FINISHED).exists():
                stale = True
            elif (folder / "plan.json").exists():
                driver = json.loads((folder / "plan.json").read_text()).get("driver")
                ident = driver if isinstance(driver, dict) else None
                stale = not process_alive(ident) or age > LAUNCH_MAX_AGE_S
            else:
                stale = age > LAUNCH_MAX_AGE_S
        except (OSError, ValueError):
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def batches(specs: list[RunSpec], runs_per_job: int, workers: int) -> list[list[RunSpec]]:
    """Cut runs into jobs: ``runs_per_job`` each, or (0) about JOBS_PER_CORE jobs per worker."""
    if not specs:
        return []
    size = runs_per_job or max(1, math.ceil(len(specs) / (JOBS_PER_CORE * max(1, workers))))
    return [specs[i:i + size] for i in range(0, len(specs), size)]


def launcher_workers(choice: str, launcher: dict[str, Any]) -> int:
    """How many jobs run at once locally (for automatic batch sizes)."""
    cores = os.cpu_count() or 1
    if choice == "joblib":
        n = launcher.get("n_jobs", -1)
        return cores if n is None or n < 0 else int(n)
    if choice == "basic":
        return 1
    return cores


def run_pending(store_dir: Path, exp_dir: Path, specs: list[RunSpec], version: str, launcher_choice: str,
                launcher: dict[str, Any], runs_per_job: int, progress: bool) -> dict[str, Any]:
    """Run every planned run that is not done, through the Hydra launcher; return launch statistics.

    Runs another live experiment has claimed are not launched here: their files are waited for (and
    launched here after all if that experiment dies first).

    Raises:
        RuntimeError: when the launcher or a run fails (the runs that finished are kept).
    """
    clean_temporary(store_dir / RUNS_DIR)
    clean_temporary(exp_dir)
    clean_launches(exp_dir)
    todo = pending_runs(store_dir, specs)
    n_total = len({s.key for s in specs})
    stats = {"runs_planned": n_total, "runs_already_done": n_total - len(todo), "runs_computed": 0,
             "runs_by_others": 0, "jobs": 0, "launcher": launcher_choice, "seconds": 0.0}
    if not todo:
        return stats
    keys = [s.key for s in todo]
    bar = ProgressBar(len(keys), enabled=progress)
    t0 = time.perf_counter()
    origin = f"{socket.gethostname()}:{os.getpid()}:{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
    for _ in range(MAX_ROUNDS):
        left = [s for s in todo if not is_done(store_dir, s.key)]
        mine = [s for s in left if not claim_is_live(store_dir, s.key)]
        if mine:
            jobs = batches(mine, runs_per_job, launcher_workers(launcher_choice, launcher))
            stats["jobs"] += len(jobs)
            if launcher_choice == "basic":  # one process, in order: no need for a second Python to start
                _run_here(store_dir, jobs, version, origin, bar, keys, t0)
            else:
                stats["launch_dir"] = _launch(store_dir, exp_dir, jobs, version, origin, launcher_choice, launcher,
                                              bar, keys, t0)
        if _wait_for_others(store_dir, keys, bar, t0):
            break
    else:
        left = [k for k in keys if not is_done(store_dir, k)]
        raise RuntimeError(f"{len(left)} runs did not finish after {MAX_ROUNDS} launches (e.g. "
                           f"{run_path(store_dir, left[0])}); rerun the same command")
    bar.update(_count_done(store_dir, keys), time.perf_counter() - t0, final=True)
    stats["runs_computed"] = sum(_origin(store_dir, k) == origin for k in keys)
    stats["runs_by_others"] = len(keys) - stats["runs_computed"]
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    return stats


def _wait_for_others(store_dir: Path, keys: list[str], bar: ProgressBar, t0: float) -> bool:
    """Wait while runs not done are claimed by live processes; True when every run is done.

    False when some run is neither done nor claimed (its computer died, or a job skipped it): launch again.
    """
    while True:
        done = _count_done(store_dir, keys)
        bar.update(done, time.perf_counter() - t0)
        left = [k for k in keys if not is_done(store_dir, k)]
        if not left:
            return True
        if not any(claim_is_live(store_dir, k) for k in left):
            return False
        time.sleep(POLL_S)


def _origin(store_dir: Path, key: str) -> str:
    """Which launch computed a run (recorded in its file), from the file's footer only."""
    try:
        meta = pq.read_schema(run_path(store_dir, key)).metadata or {}
        return json.loads(meta.get(RUN_META, b"{}")).get("origin", "")
    except (OSError, ValueError, pa.ArrowException):
        return ""


def _launch(store_dir: Path, exp_dir: Path, jobs: list[list[RunSpec]], version: str, origin: str,
            launcher_choice: str, launcher: dict[str, Any], bar: ProgressBar, keys: list[str], t0: float) -> str:
    """Start the worker app as a Hydra multirun over the batches and wait for it; return its folder."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    launch_dir = exp_dir / ".launch" / stamp
    launch_dir.mkdir(parents=True, exist_ok=True)
    plan = {"code_version": version, "store_dir": str(store_dir), "driver": process_id(), "origin": origin,
            "batches": [[dataclasses.asdict(s) for s in job] for job in jobs]}
    write_text_atomic(launch_dir / "plan.json", json.dumps(plan, default=str))
    worker_yaml = {
        "defaults": ["worker_schema", {"override hydra/launcher": launcher_choice},
                     {"override hydra/job_logging": "none"}, "_self_"],
        "plan": str(launch_dir / "plan.json"),
        "hydra": {"searchpath": [f"file://{EXPERIMENT_CONF_DIR}"], "launcher": launcher,
                  "sweep": {"dir": str(launch_dir / "jobs"), "subdir": "${hydra.job.num}"}},
    }
    (launch_dir / "worker.yaml").write_text(OmegaConf.to_yaml(OmegaConf.create(worker_yaml)))
    cmd = [sys.executable, "-m", "sim.experiment.worker", "-m", "--config-dir", str(launch_dir),
           "--config-name", "worker", f"batch=range(0,{len(jobs)})"]
    with open(launch_dir / "launcher.log", "w") as log:
        # its own process group, so that stopping it stops the launcher's workers too (loky ignores SIGINT)
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        try:
            while proc.poll() is None:
                bar.update(_count_done(store_dir, keys), time.perf_counter() - t0)
                time.sleep(POLL_S)
        except BaseException:
            _stop_group(proc)
            raise
        finally:
            signal.signal(signal.SIGTERM, previous)
    if proc.returncode != 0:
        _kill_group(proc)  # workers the failed launcher left behind would go on computing and holding claims
        log_path = launch_dir / "launcher.log"
        # a full disk cuts the log itself short (it lives beside the runs): ask the file system instead
        reason = (f"OSError: [Errno {errno.ENOSPC}] {os.strerror(errno.ENOSPC)} under {exp_dir}"
                  if _disk_full(launch_dir) else _last_error(log_path))
        raise RuntimeError(f"a launcher job failed: {reason}; runs that finished are kept and the "
                           f"same command resumes; full log {log_path}")
    (launch_dir / FINISHED).touch()  # the next experiment here may delete the folder
    return str(launch_dir)


def _disk_full(path: Path, margin: int = 64 * 1024) -> bool:
    """Whether the file system holding ``path`` has less than ``margin`` bytes left for this user."""
    try:
        st = os.statvfs(path)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < margin


def _last_error(log: Path) -> str:
    """The last exception line of a launcher's log (what went wrong, without the traceback), or its last line."""
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "(no log)"
    errors = [line for line in lines if _ERROR_LINE.match(line)]
    return (errors or lines or ["(empty log)"])[-1]


def _run_here(store_dir: Path, jobs: list[list[RunSpec]], version: str, origin: str, bar: ProgressBar,
              keys: list[str], t0: float) -> None:
    """Run the batches in this process, one after the other (what Hydra's basic launcher would do)."""
    from sim.experiment.store import execute

    for job in jobs:
        for spec in job:
            execute(spec, store_dir, version, origin)
            bar.update(_count_done(store_dir, keys), time.perf_counter() - t0)


def _stop_group(proc: subprocess.Popen, grace_s: float = 10) -> None:
    """SIGTERM the launcher's process group, then SIGKILL whatever is left after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            continue
        try:  # the launcher is gone; its workers may not be
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL what is left of an ended launcher's process group (its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _count_done(store_dir: Path, keys: list[str]) -> int:
    names = {p.stem for p in (store_dir / RUNS_DIR).glob("*.parquet")} if (store_dir / RUNS_DIR).exists() else set()
    return sum(k in names for k in keys)


class ProgressBar:
    """A one-line bar on stderr: runs done, elapsed time and the time left at the rate so far."""

    def __init__(self, total: int, enabled: bool = True, width: int = 30):
        self.total, self.enabled, self.width = total, enabled, width
        self.tty = sys.stderr.isatty()
        self._last_printed = -1.0

    def update(self, done: int, elapsed: float, final: bool = False) -> None:
        """Redraw (on a terminal) or print a line every 10 s (in a log)."""
        if not self.enabled:
            return
        if not self.tty and not final and elapsed - self._last_printed < 10:
            return
        self._last_printed = elapsed
        frac = done / self.total if self.total else 1.0
        filled = round(self.width * frac)
        left = "?" if done == 0 else _clock(elapsed / done * (self.total - done))
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} runs  "
                f"{_clock(elapsed)} elapsed  ~{left} left")
        end = "\n" if final or not self.tty else ""
        print(("\r" if self.tty else "") + line, end=end, file=sys.stderr, flush=True)


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
