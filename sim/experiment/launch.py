"""Running an experiment's pending runs as Hydra jobs, with a progress bar.

The driver splits the runs that are not done into batches (``runs_per_job``) and starts
``python -m sim.experiment.worker -m batch=range(0,K)`` with the launcher chosen on its own command line
(``hydra/launcher=joblib|basic|submitit_local|slurm`` and ``hydra.launcher.*``). Progress is read from the
run files as they appear, so it works the same for every launcher, including Slurm.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from sim.experiment.conf import EXPERIMENT_CONF_DIR
from sim.experiment.store import RUNS_DIR, RunSpec, is_done, write_text_atomic
from sim.run import ROOT

JOBS_PER_CORE = 16  # enough jobs to balance uneven runs, few enough that Hydra's ~0.1 s per job stays small


def pending_runs(store_dir: Path, specs: list[RunSpec]) -> list[RunSpec]:
    """Runs not done yet, each key once, ordered by replication so that partial progress covers every cell."""
    seen, out = set(), []
    for s in sorted(specs, key=lambda s: s.replication):
        if s.key not in seen and not is_done(store_dir, s.key):
            seen.add(s.key)
            out.append(s)
    return out


def _remove_stale_partials(store_dir: Path, age_s: float = 3600) -> None:
    """Delete temporary files that killed writers left behind (never read; only the disk space matters).

    Only old ones: a younger one may belong to a run another experiment is writing right now.
    """
    now = time.time()
    for tmp in (store_dir / RUNS_DIR).glob(".*.tmp") if (store_dir / RUNS_DIR).exists() else []:
        try:
            if now - tmp.stat().st_mtime > age_s:
                tmp.unlink()
        except FileNotFoundError:
            pass


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

    Raises:
        RuntimeError: when the launcher or a run fails (the runs that finished are kept).
    """
    _remove_stale_partials(store_dir)
    todo = pending_runs(store_dir, specs)
    n_total = len({s.key for s in specs})
    stats = {"runs_planned": n_total, "runs_already_done": n_total - len(todo), "runs_computed": 0,
             "jobs": 0, "launcher": launcher_choice, "seconds": 0.0}
    if not todo:
        return stats
    jobs = batches(todo, runs_per_job, launcher_workers(launcher_choice, launcher))
    if launcher_choice == "basic":  # one process, in order: no need for a second Python to start
        return _run_here(store_dir, jobs, version, progress, stats)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    launch_dir = exp_dir / ".launch" / stamp
    launch_dir.mkdir(parents=True, exist_ok=True)
    plan = {"code_version": version, "store_dir": str(store_dir), "driver": [socket.gethostname(), os.getpid()],
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
    keys = [s.key for s in todo]
    t0 = time.perf_counter()
    with open(launch_dir / "launcher.log", "w") as log:
        # its own process group, so that stopping it stops the launcher's workers too (loky ignores SIGINT)
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        try:
            bar = ProgressBar(len(keys), enabled=progress)
            while proc.poll() is None:
                bar.update(_count_done(store_dir, keys), time.perf_counter() - t0)
                time.sleep(0.5)
            bar.update(_count_done(store_dir, keys), time.perf_counter() - t0, final=True)
        except BaseException:
            _stop_group(proc)
            raise
        finally:
            signal.signal(signal.SIGTERM, previous)
    stats.update(runs_computed=_count_done(store_dir, keys), jobs=len(jobs),
                 seconds=round(time.perf_counter() - t0, 2), launch_dir=str(launch_dir))
    if proc.returncode != 0:
        tail = (launch_dir / "launcher.log").read_text(errors="replace").strip().splitlines()[-15:]
        raise RuntimeError("the launcher failed (runs that finished are kept; rerun to resume):\n  "
                           + "\n  ".join(tail))
    return stats


def _run_here(store_dir: Path, jobs: list[list[RunSpec]], version: str, progress: bool,
              stats: dict[str, Any]) -> dict[str, Any]:
    """Run the batches in this process, one after the other (what Hydra's basic launcher would do)."""
    from sim.experiment.store import execute

    n = sum(len(j) for j in jobs)
    bar = ProgressBar(n, enabled=progress)
    t0, done, computed = time.perf_counter(), 0, 0
    for job in jobs:
        for spec in job:
            computed += execute(spec, store_dir, version)
            done += 1
            bar.update(done, time.perf_counter() - t0, final=done == n)
    stats.update(runs_computed=computed, jobs=len(jobs), seconds=round(time.perf_counter() - t0, 2))
    return stats


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
