"""The odds of meeting each goal under the current settings, from a small ensemble of seeds.

One run is one draw: a room can read noise as an effect. The page therefore also runs the room's settings
(scenario, the changes made so far at the months they were made, and edits waiting for next month) over
:data:`SEEDS` at a coarse scale (:data:`WEIGHT` households per row) to December 2020, and shows for each goal the
share of seeds that meet it with a Wilson 95% interval. The interval covers the seeds only, not the uncertain
parameters (those are ``configs/uncertainties/`` and the experiments' business).

Every team is run on the same seeds (common random numbers), so a difference between teams is not a
difference of luck. Runs go to one worker process: an ensemble holds the interpreter for seconds, and in the
page's own process it would stall Play and the controls.
"""

from __future__ import annotations

import math
import multiprocessing
import threading
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor

from sim.goals import load_goals
from sim.workshop.model import WorkshopModel

SEEDS = tuple(range(101, 113))  # 12 seeds: about 4 s per team on one core; the room's own seed is not among them
WEIGHT = 1000.0  # households per row: ~2,500 rows; goal shares and counts scale, so coarse rows suffice for odds
Z95 = 1.959964

Spec = tuple[tuple[int, tuple], ...]  # ((month index, what items), ...): the changes, hashable


def _freeze(item: tuple) -> tuple:
    return tuple(tuple(sorted(x.items())) if isinstance(x, dict) else x for x in item)


def settings_spec(model: WorkshopModel) -> Spec:
    """The model's changes so far plus its pending edits (as a change at the current month), hashable."""
    spec = [(c.t, tuple(_freeze(w) for w in c.what)) for c in model.changes]
    pending = [("on", n, bool(e)) for n, (e, _) in sorted(model.pending_levers.items())]
    pending += [("pct", n, float(p)) for n, (_, p) in sorted(model.pending_levers.items())]
    if model.pending_budget is not None:
        total, alloc = model.pending_budget
        pending += [("budget", float(total)), ("split", tuple(sorted(alloc.items())))]
    if pending and model.t < model.cfg.months:
        spec.append((model.t, tuple(pending)))
    return tuple(spec)


def replay(model: WorkshopModel, spec: Spec) -> None:
    """Run ``model`` to the end, applying each change of ``spec`` from its month, as the room did."""
    for t, what in spec:
        model.run_to(t)
        levers: dict[str, tuple[bool, float]] = {}
        total, alloc = model.budget_state()
        for item in what:
            if item[0] in ("on", "pct"):
                enabled, pct = levers.get(item[1]) or model.lever_state(item[1])
                levers[item[1]] = (item[2], pct) if item[0] == "on" else (enabled, item[2])
            elif item[0] == "budget":
                total = item[1]
            elif item[0] == "split":
                alloc = dict(item[1])
        model.apply(levers, total, alloc)
    model.run_to(model.cfg.months)


def goals_met(scenario: str, spec: Spec, seed: int, weight: float = WEIGHT) -> dict[str, bool]:
    """One ensemble member: which goals are met in December 2020."""
    m = WorkshopModel(scenario=scenario, seed=seed, weight=weight)
    replay(m, spec)
    last = m.records[-1]
    return {g.goal_id: bool(g.met(float(last[g.goal_id]))) for g in load_goals()}


def ensemble(scenario: str, spec: Spec, seeds: tuple[int, ...] = SEEDS, weight: float = WEIGHT) -> dict[str, int]:
    """How many of ``seeds`` meet each goal in December 2020 (runs here, in this process)."""
    counts = {g.goal_id: 0 for g in load_goals()}
    for seed in seeds:
        for gid, ok in goals_met(scenario, spec, seed, weight).items():
            counts[gid] += ok
    return counts


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a share ``k / n`` (good at 0/n and n/n, unlike the normal one)."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


# ------------------------------------------------------------------ in the background
_pool: ProcessPoolExecutor | None = None
_jobs: OrderedDict[tuple, Future] = OrderedDict()
_lock = threading.Lock()
MAX_KEPT = 64  # ensembles remembered: undoing an edit shows its odds again at once


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: the page's server runs threads, and a forked copy of a threaded process can hang
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


def submit(scenario: str, spec: Spec, seeds: tuple[int, ...] = SEEDS, weight: float = WEIGHT) -> Future:
    """Start (or find) the ensemble for these settings in the worker process; the future gives the counts."""
    key = (scenario, spec, seeds, weight)
    with _lock:
        job = _jobs.get(key)
        if job is None or (job.done() and job.exception() is not None):
            job = _executor().submit(ensemble, scenario, spec, seeds, weight)
            _jobs[key] = job
        _jobs.move_to_end(key)
        while len(_jobs) > MAX_KEPT:
            _jobs.popitem(last=False)
    return job


def ready(scenario: str, spec: Spec, seeds: tuple[int, ...] = SEEDS, weight: float = WEIGHT) -> dict[str, int] | None:
    """The counts if that ensemble has finished, else None (never waits)."""
    with _lock:
        job = _jobs.get((scenario, spec, seeds, weight))
    if job is None or not job.done() or job.exception() is not None:
        return None
    return job.result()
