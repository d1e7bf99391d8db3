"""``python experiments/optimise.py``: the split of the money that serves the planner's objective best.

A noise-aware search over the shares of a total budget (and optionally its phasing and levers' scales):

* **Space.** Shares live on the simplex by construction: each component ``i`` draws ``x_i`` in (0, 1] and
  its weight is ``-log(x_i)``; the shares are the weights over their sum. Uniform ``x`` gives a uniform
  (Dirichlet(1)) draw on the simplex, every share is >= 0 and they add to 1, with no penalty.
* **Optimiser.** Optuna's TPE (or CMA-ES, or random search) through ask/tell, the study kept in a journal
  file in the experiment folder, so a killed search finds the candidates it had asked.
* **Noise.** Every candidate runs on the same replication seeds (common random numbers). Successive halving:
  every candidate on the first ``replications`` seeds, the best ``promote`` of each rung on twice as many,
  for ``rungs`` rungs (asynchronous: a candidate is promoted once it ranks in the top share of its rung).
* **Runs** go through the run store and the launcher like every experiment: a run done is never run again.
* **Honest winner.** The best candidate of the highest rung is run again with the scenario's own allocation
  on ``holdout`` fresh seeds from another branch of the seed sequence, paired seed by seed; only those
  out-of-sample numbers are reported as the result.
* **Constraints.** P(goal met) floors and equity constraints (an end-2020 gap may not widen against the
  scenario's own allocation on the same seeds); infeasible candidates rank below feasible ones.
* **Robust search.** With ``uncertainty=lhs`` (or ``posterior``) every candidate runs each seed with every one
  of the same ``samples`` parameter sets; the out-of-sample check draws fresh sets with the fresh seeds.

Writes ``candidates.parquet``, ``best.csv``, ``frontier.csv``, ``summary.csv``, ``paired.csv``,
``runs.parquet`` (the out-of-sample runs), ``parameter_sets.csv`` (with ``uncertainty``), ``figures/*.png``,
``report.html``, ``search.journal`` and ``search-<total>.json`` (the search's state), ``config.yaml``,
``seeds.csv`` and ``provenance.json``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import OmegaConf

from sim.config import ConfigError, SimConf
from sim.experiment import fmt
from sim.experiment.analysis import paired, summarise
from sim.experiment.conf import EXPERIMENT_CONF_DIR, OptimiseConf
from sim.experiment.driver import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    gather,
    prepare_argv,
    reports_os_errors,
    start,
)
from sim.experiment.launch import run_pending
from sim.experiment.stats import mean_ci, paired_diff, proportion_ci
from sim.experiment.store import (
    RunSpec,
    config_key,
    is_done,
    plan_cell,
    read_run,
    replication_seeds,
)
from sim.experiment.uncertainty import WITH_PARAMETERS, parameter_sets, plan_sets, set_overrides
from sim.goals import GOAL_IDS, load_goals
from sim.io import write_csv_atomic, write_parquet_atomic, write_text_atomic
from sim.levers import LEVER_NAMES
from sim.run import load_config

KIND = "optimise"
REST = "_rest"  # the searched component that the levers not named share in the scenario's proportions
X_LOW = 1e-12  # lowest x of a share's component: weight -log(x) at most ~27.6
HOLDOUT_BRANCH = 2**20  # spawn key of the fresh seeds: a branch the search's spawn(n) never reaches
BATCH_AUTO = 60  # candidates asked at once: few launches (each costs seconds), enough for TPE to learn between
PLAN, BEST = "plan", "best"
TIE_BREAK = 1e-3  # weight of the mean capped attainment in the ranked value: below any objective's step


# ---------------------------------------------------------------- the search space
@dataclass
class Candidate:
    """What one candidate sets: every lever's share, and (when searched) the phasing and scales."""

    shares: dict[str, float]
    phasing: list[float] | None = None
    scales: dict[str, float] = field(default_factory=dict)


def simplex(xs: list[float]) -> np.ndarray:
    """Points of (0, 1]^n to the simplex: weights -log(x), over their sum (uniform x: a Dirichlet(1) draw).

    Every share is >= 0 and they add to 1; when every x is 1 (all weights 0) the shares are equal.
    """
    w = -np.log(np.clip(np.asarray(xs, float), X_LOW, 1.0))
    total = w.sum()
    return np.full(len(w), 1.0 / len(w)) if total <= 0 else w / total


def inverse_simplex(shares: list[float]) -> list[float]:
    """Components whose :func:`simplex` is ``shares`` (x = exp(-share)): how the plan is asked first."""
    return [float(math.exp(-s)) for s in shares]


@dataclass
class Space:
    """The search space at one total: which shares are searched and how a candidate becomes overrides.

    Attributes:
        levers: the levers whose shares are searched directly.
        rest: the levers sharing the component ``_rest`` in the scenario's proportions (``others=plan``).
        plan_alloc: the scenario's allocation, every lever (0 where it gives none).
        scenario_keys: the levers the scenario's allocation names (others are added with Hydra's '+').
        phasing: whether the phasing is searched; plan_phasing: the scenario's phasing.
        scales: levers whose scale is searched, within scale_range.
    """

    levers: list[str]
    rest: list[str]
    plan_alloc: dict[str, float]
    scenario_keys: set[str]
    phasing: bool
    plan_phasing: list[float]
    scales: list[str]
    scale_range: tuple[float, float]

    @classmethod
    def build(cls, conf: OptimiseConf, base: SimConf) -> Space:
        """The space of ``conf`` around the scenario config ``base``."""
        alloc = {k: float(base.budget.allocation.get(k, 0.0)) for k in LEVER_NAMES}
        levers = list(conf.levers) or list(LEVER_NAMES)
        rest = [k for k in LEVER_NAMES if k not in levers] if conf.others == "plan" else []
        if rest and sum(alloc[k] for k in rest) <= 0:
            rest = []  # the scenario gives the others nothing: no rest to share
        lo, hi = conf.scale_range
        return cls(levers, rest, alloc, set(base.budget.allocation), conf.phasing, list(base.budget.phasing),
                   list(conf.scales), (float(lo), float(hi)))

    def components(self) -> list[str]:
        """The simplex's components: the searched levers, then the rest when others share it."""
        return [*self.levers, *([REST] if self.rest else [])]

    def suggest(self, trial: Any) -> None:
        """Ask the trial for every parameter of the space."""
        for c in self.components():
            trial.suggest_float(f"w_{c}", X_LOW, 1.0)
        if self.phasing:
            for y in range(5):
                trial.suggest_float(f"p_{2016 + y}", X_LOW, 1.0)
        for lever in self.scales:
            trial.suggest_float(f"s_{lever}", *self.scale_range, log=True)

    def param_names(self) -> list[str]:
        """Every parameter name, in the order :meth:`suggest` asks them."""
        return ([f"w_{c}" for c in self.components()] + ([f"p_{2016 + y}" for y in range(5)] if self.phasing else [])
                + [f"s_{lever}" for lever in self.scales])

    def decode(self, params: dict[str, float]) -> Candidate:
        """A trial's parameters as shares of every lever (>= 0, adding to 1), phasing and scales."""
        comps = self.components()
        p = dict(zip(comps, simplex([params[f"w_{c}"] for c in comps]), strict=True))
        shares = dict.fromkeys(LEVER_NAMES, 0.0)
        for lever in self.levers:
            shares[lever] = float(p[lever])
        if self.rest:
            plan_rest = sum(self.plan_alloc[k] for k in self.rest)
            for lever in self.rest:
                shares[lever] = float(p[REST] * self.plan_alloc[lever] / plan_rest)
        arr = np.array(list(shares.values()))
        arr = arr / arr.sum()  # one division more: the rest's split must not leave the sum a few ulps off
        shares = dict(zip(shares, (float(v) for v in arr), strict=True))
        phasing = [float(v) for v in simplex([params[f"p_{2016 + y}"] for y in range(5)])] if self.phasing else None
        scales = {lever: float(params[f"s_{lever}"]) for lever in self.scales}
        return Candidate(shares, phasing, scales)

    def plan_params(self) -> dict[str, float]:
        """The parameters whose candidate is the scenario's own allocation, phasing and scale 1 (asked first)."""
        comps = self.components()
        values = [sum(self.plan_alloc[k] for k in self.rest) if c == REST else self.plan_alloc[c] for c in comps]
        params = {f"w_{c}": x for c, x in zip(comps, inverse_simplex(values), strict=True)}
        if self.phasing:
            params.update({f"p_{2016 + y}": x for y, x in enumerate(inverse_simplex(self.plan_phasing))})
        lo, hi = self.scale_range
        params.update({f"s_{lever}": min(max(1.0, lo), hi) for lever in self.scales})
        return params

    def overrides(self, cand: Candidate) -> list[str]:
        """Model overrides that set the candidate on top of the scenario."""
        out = [f"{'' if k in self.scenario_keys else '+'}budget.allocation.{k}={v!r}" for k, v in cand.shares.items()]
        if cand.phasing is not None:
            out.append("budget.phasing=[" + ",".join(repr(v) for v in cand.phasing) + "]")
        out += [f"levers.{k}.scale={v!r}" for k, v in cand.scales.items()]
        return out

    def apply(self, base: SimConf, cand: Candidate) -> SimConf:
        """The candidate's config without composing it again (composing costs more than a small run)."""
        cfg = copy.deepcopy(base)
        cfg.budget.allocation = dict(cand.shares)
        if cand.phasing is not None:
            cfg.budget.phasing = list(cand.phasing)
        for k, v in cand.scales.items():
            getattr(cfg.levers, k).scale = v
        return cfg


def check_candidate(cand: Candidate) -> None:
    """Shares >= 0 adding to 1 within 1e-9 (and the phasing too): what the parametrisation guarantees.

    Raises:
        AssertionError: when it does not (a bug, never bad input).
    """
    for values in (list(cand.shares.values()), cand.phasing or [1.0]):
        assert min(values) >= 0 and abs(math.fsum(values) - 1.0) <= 1e-9, values


# ---------------------------------------------------------------- seeds
def holdout_seeds(root_seed: int, n: int, exclude: list[int]) -> list[int]:
    """Fresh seeds the search never saw: children of another branch of ``SeedSequence(root_seed)``.

    The search's seeds are ``SeedSequence(root).spawn(m)``, spawn keys (0,) .. (m-1,); these are the children
    of spawn key (2**20,), so their streams are independent of the search's; a 32-bit seed that happens to
    equal one of ``exclude`` is skipped all the same.
    """
    branch = np.random.SeedSequence(root_seed, spawn_key=(HOLDOUT_BRANCH,))
    seen, out = set(exclude), []
    while len(out) < n:
        s = int(branch.spawn(1)[0].generate_state(1, dtype=np.uint32)[0])
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


# ---------------------------------------------------------------- objectives
@dataclass
class Objective:
    """How a candidate's runs are scored (see :class:`~sim.experiment.conf.OptimiseConf`)."""

    kind: str
    goals: list[str]
    weights: dict[str, float]
    constraints: dict[str, float]
    equity: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, conf: OptimiseConf) -> Objective:
        """The objective a config asks for."""
        return cls(conf.objective, list(conf.goals) or list(GOAL_IDS), dict(conf.weights) or dict.fromkeys(GOAL_IDS,
                   1.0), dict(conf.constraints), dict(conf.equity_constraints))

    def per_run(self, met: np.ndarray, att: np.ndarray) -> np.ndarray:
        """The objective of each run: ``met`` and ``att`` are runs x goals (in GOAL_IDS order)."""
        idx = {g: i for i, g in enumerate(GOAL_IDS)}
        if self.kind == "goals_met":
            return met.sum(axis=1).astype(float)
        if self.kind == "outcome_goals_met":
            cols = [idx[g.goal_id] for g in load_goals() if g.kind == "outcome"]
            return met[:, cols].sum(axis=1).astype(float)
        if self.kind == "p_all":
            return met[:, [idx[g] for g in self.goals]].all(axis=1).astype(float)
        cols = [idx[g] for g in self.weights]
        w = np.array(list(self.weights.values()), float)
        return (np.minimum(np.nan_to_num(att[:, cols], nan=0.0), 1.0) * w).sum(axis=1)

    def violation(self, met: np.ndarray) -> float:
        """How far the probabilities of meeting the constrained goals fall short, summed (0 = feasible)."""
        idx = {g: i for i, g in enumerate(GOAL_IDS)}
        return float(sum(max(0.0, p - met[:, idx[g]].mean()) for g, p in self.constraints.items()))

    def equity_violation(self, gaps: dict[str, np.ndarray], plan_gaps: dict[str, np.ndarray]) -> float:
        """How far the mean absolute equity gaps exceed the plan's on the same seeds, summed (0 = feasible).

        Args:
            gaps: measure -> the candidate's end-2020 gap per run.
            plan_gaps: measure -> the scenario's own allocation's gap on the same seeds, in the same order.
        """
        out = 0.0
        for name in self.equity:  # the one rule, no_wider
            c, p = np.abs(np.asarray(gaps[name], float)), np.abs(np.asarray(plan_gaps[name], float))
            out += max(0.0, float(np.nanmean(c) - np.nanmean(p)))
        return out

    def rank_value(self, met: np.ndarray, att: np.ndarray, gaps: dict[str, np.ndarray] | None = None,
                   plan_gaps: dict[str, np.ndarray] | None = None) -> tuple[float, float, float]:
        """(value told to the optimiser and ranked by, objective, violation).

        The violation adds :meth:`equity_violation` when equity constraints are set (``gaps`` and
        ``plan_gaps`` then give the candidate's and the plan's gaps on the same seeds).

        Feasible candidates are told their objective (>= 0 for every objective) plus at most
        :data:`TIE_BREAK` times the mean attainment capped at 1 over every goal; infeasible ones
        -(1 + violation), below every feasible one, and the less infeasible above the more. The small
        attainment term breaks ties: on one or two seeds a count of goals met ties often, and how close a
        candidate comes to the goals it misses tells the candidates apart.
        """
        score = float(self.per_run(met, att).mean())
        v = self.violation(met)
        if self.equity:
            v += self.equity_violation(gaps or {}, plan_gaps or {})
        closeness = float(np.minimum(np.nan_to_num(att, nan=0.0), 1.0).mean())
        return (score + TIE_BREAK * closeness if v <= 0 else -(1.0 + v)), score, v


def goal_arrays(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """A run file's goals as (met, attainment) vectors in GOAL_IDS order, and its end-2020 equity measures."""
    g = table[table["section"] == "goal"].set_index("name").reindex(list(GOAL_IDS))
    e = table[table["section"] == "equity"]
    gaps = {str(k): float(v) for k, v in zip(e["name"], e["value"], strict=True)}
    return g["met"].to_numpy(float) > 0.5, g["attainment"].to_numpy(float), gaps


# ---------------------------------------------------------------- the search at one total
@dataclass
class Context:
    """What every search of one experiment shares."""

    conf: OptimiseConf
    exp_dir: Path
    store_dir: Path
    version: str
    launcher_choice: str
    launcher: dict[str, Any]
    search_seeds: list[int]
    rung_reps: list[int]
    objective: Objective
    sets: pd.DataFrame | None = None  # parameter sets every candidate runs on (uncertainty != none)
    cache: dict[str, tuple[np.ndarray, np.ndarray, dict[str, float]]] = field(default_factory=dict)
    launches: list[dict[str, Any]] = field(default_factory=list)

    def run(self, specs: list[RunSpec], what: str) -> None:
        """Run the specs not done yet through the launcher; a failure or Ctrl-C leaves like every experiment."""
        if not specs:
            return
        if self.conf.progress:
            print(what, file=sys.stderr, flush=True)
        try:
            stats = run_pending(self.store_dir, self.exp_dir, specs, self.version, self.launcher_choice,
                                self.launcher, self.conf.runs_per_job, self.conf.progress)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(EXIT_FAILED)
        except KeyboardInterrupt:
            print(f"\ninterrupted: finished runs are kept in {self.store_dir / '_runs'} and the search's state in "
                  f"{self.exp_dir}; the same command resumes", file=sys.stderr)
            sys.exit(EXIT_INTERRUPTED)
        self.launches.append(stats)

    def arrays(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(met, attainment), runs x goals, of finished runs (each file read once per search)."""
        for k in keys:
            if k not in self.cache:
                self.cache[k] = goal_arrays(read_run(self.store_dir, k)[0])
        return (np.vstack([self.cache[k][0] for k in keys]), np.vstack([self.cache[k][1] for k in keys]))

    def gaps(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The constrained equity measures of finished runs: measure -> one value per run (NaN when absent)."""
        self.arrays(keys)
        return {n: np.array([self.cache[k][2].get(n, math.nan) for k in keys]) for n in self.objective.equity}


class TotalSearch:
    """The search at one total: an Optuna study in ``search.journal`` and each candidate's rung in a JSON file."""

    def __init__(self, ctx: Context, total: float, base_overrides: list[str]):
        import optuna

        self.ctx, self.total = ctx, float(total)
        self.base_overrides = [*base_overrides, f"budget.total_cny={self.total!r}"]
        self.base = load_config(self.base_overrides)
        self.space = Space.build(ctx.conf, self.base)
        self.name = f"total-{self.total:.0f}"
        self.state_path = ctx.exp_dir / f"search-{self.total:.0f}.json"
        # a journal file: every ask and tell appended (much faster than SQLite's commit per parameter); a
        # search killed mid-way finds the candidates it had asked
        storage = optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(ctx.exp_dir / "search.journal")))
        self.study = optuna.create_study(study_name=self.name, storage=storage, direction="maximize",
                                         load_if_exists=True)
        self.reps: dict[int, int] = {}
        if self.state_path.exists():
            self.reps = {int(k): int(v) for k, v in json.loads(self.state_path.read_text())["reps"].items()}
        self.specs: dict[tuple[int, int], RunSpec] = {}
        self.fast_keys: bool | None = None  # whether keys computed without composing match composed ones

    # -- runs of a candidate
    def candidate(self, trial: Any) -> Candidate:
        """The candidate of a trial (asked or frozen)."""
        cand = self.space.decode(trial.params)
        check_candidate(cand)
        return cand

    def run_specs(self, number: int, cand: Candidate, reps: int) -> list[RunSpec]:
        """The candidate's runs on the first ``reps`` search seeds (common to every candidate).

        With parameter sets, each seed runs with every set (seed-major order, ``param_set`` in the labels):
        the same sets and seeds for every candidate, so candidates stay paired.
        """
        overrides = [*self.base_overrides, *self.space.overrides(cand)]
        labels = {"total_cny": self.total, "candidate": number}
        if self.ctx.sets is not None:
            return self._set_specs(number, cand, reps, overrides, labels)
        out = []
        missing = [r for r in range(reps) if (number, r) not in self.specs]
        if missing:
            if self.fast_keys is None:  # check once that the quick keys are the composed ones
                composed = plan_cell(labels, overrides, self.ctx.search_seeds[:1], self.ctx.version)[0].key
                self.fast_keys = composed == self._key(cand, self.ctx.search_seeds[0])
            base = self.space.apply(self.base, cand) if self.fast_keys else load_config(overrides)
            for r in missing:
                seed = self.ctx.search_seeds[r]
                key = config_key(dataclasses.replace(base, seed=seed), self.ctx.version)
                self.specs[(number, r)] = RunSpec(key, dict(labels), r, seed, [*overrides, f"seed={seed}"])
        out = [self.specs[(number, r)] for r in range(reps)]
        return out

    def _set_specs(self, number: int, cand: Candidate, reps: int, overrides: list[str],
                   labels: dict[str, Any]) -> list[RunSpec]:
        from sim.config import validate
        from sim.evaluate import apply_params

        sets = self.ctx.sets
        k = len(sets)
        missing = [(r, j) for r in range(reps) for j in range(k) if (number, r * k + j) not in self.specs]
        if missing:
            base = self.space.apply(self.base, cand)
            for r, j in missing:
                row, seed = sets.iloc[j], self.ctx.search_seeds[r]
                cfg = copy.deepcopy(base)
                apply_params(cfg, {str(p): float(v) for p, v in row.items()})
                cfg.seed = seed
                key = config_key(validate(cfg), self.ctx.version)  # the worker composes the overrides and checks it
                self.specs[(number, r * k + j)] = RunSpec(key, {**labels, "design": WITH_PARAMETERS, "param_set": j},
                                                          r, seed, [*overrides, *set_overrides(row), f"seed={seed}"])
        return [self.specs[(number, i)] for i in range(reps * k)]

    def _key(self, cand: Candidate, seed: int) -> str:
        return config_key(dataclasses.replace(self.space.apply(self.base, cand), seed=seed), self.ctx.version)

    def score(self, trial: Any, reps: int) -> tuple[float, float, float]:
        """(rank value, objective, violation) of a trial on its first ``reps`` seeds.

        With equity constraints the trial's gaps are set against the plan's on the same seeds.
        """
        keys = [s.key for s in self.run_specs(trial.number, self.candidate(trial), reps)]
        met, att = self.ctx.arrays(keys)
        if not self.ctx.objective.equity:
            return self.ctx.objective.rank_value(met, att)
        plan_keys = [s.key for s in self.plan_specs(reps)]
        return self.ctx.objective.rank_value(met, att, self.ctx.gaps(keys), self.ctx.gaps(plan_keys))

    def plan_specs(self, reps: int) -> list[RunSpec]:
        """The scenario's own allocation (the trial asked first) on the first ``reps`` search seeds."""
        trial = next(tr for tr in self.study.get_trials(deepcopy=False) if tr.user_attrs.get("plan"))
        return self.run_specs(trial.number, self.candidate(trial), reps)

    def save_state(self) -> None:
        """The rung of every candidate, written before its runs are launched (a resumed search reads it)."""
        write_text_atomic(self.state_path, json.dumps({"total_cny": self.total, "reps": self.reps}, indent=1))

    # -- the loop
    def sampler(self, n_trials: int) -> Any:
        """A fresh sampler seeded by how many trials there are: an interrupted search asks what it would have."""
        import optuna

        seed = (self.ctx.conf.seed * 1_000_003 + n_trials) % 2**32
        kind = self.ctx.conf.sampler
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            if kind == "cmaes":
                return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
            if kind == "random":
                return optuna.samplers.RandomSampler(seed=seed)
            return optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True,
                                              n_startup_trials=min(20, max(5, self.ctx.conf.evaluations // 10)))

    def run(self) -> None:
        """Ask, run, tell and promote until ``evaluations`` candidates are told and no rung can promote more."""
        import optuna
        from optuna.trial import TrialState

        conf, r0 = self.ctx.conf, self.ctx.rung_reps[0]
        batch = conf.batch or min(BATCH_AUTO, conf.evaluations)
        if not self.study.trials:
            self.study.enqueue_trial(self.space.plan_params(), user_attrs={"plan": True})
        generation = 0
        while True:
            trials = self.study.get_trials(deepcopy=False)
            names = set(self.space.param_names())
            running = []
            for tr in trials:  # asked by an interrupted search: evaluate those first, the same candidates
                if tr.state == TrialState.RUNNING:
                    if set(tr.params) >= names:
                        running.append(tr)
                    else:  # killed while its parameters were being asked: never run, not counted
                        self.study.tell(tr.number, state=TrialState.FAIL)
            told = [tr for tr in trials if tr.state == TrialState.COMPLETE]
            new = list(running)
            left = conf.evaluations - len(told) - len(running)
            if not running and left > 0:
                self.study.sampler = self.sampler(len(trials))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                    for _ in range(min(batch, left)):
                        tr = self.study.ask()
                        self.space.suggest(tr)
                        new.append(tr)
            promoted = self.promotions(told)
            for tr in new:
                self.reps.setdefault(tr.number, r0)
            self.reps.update(promoted)
            self.save_state()
            specs = [s for tr in new for s in self.run_specs(tr.number, self.candidate(tr), r0)]
            by_number = {tr.number: tr for tr in told}
            specs += [s for n, reps in promoted.items() for s in self.run_specs(n, self.candidate(by_number[n]), reps)]
            if self.ctx.objective.equity:  # the plan on every rung's seeds: the gaps are measured against it
                specs += [s for s in self.plan_specs(self.ctx.rung_reps[-1])
                          if s.key not in {x.key for x in specs} and not is_done(self.ctx.store_dir, s.key)]
            # runs of a rung decided before an interruption and not finished then (a file check, no reading)
            specs += [s for tr in told if tr.number not in promoted
                      for s in self.run_specs(tr.number, self.candidate(tr), self.reps[tr.number])
                      if not is_done(self.ctx.store_dir, s.key)]
            if not specs:
                break
            generation += 1
            self.ctx.run(specs, f"{fmt.money(self.total, 'en')}: round {generation}, {len(new)} new candidates, "
                                f"{len(promoted)} promoted ({len(told)} of {conf.evaluations} told)")
            for tr in new:
                self.study.tell(tr.number, self.score(tr, r0)[0])

    def promotions(self, told: list[Any]) -> dict[int, int]:
        """Candidates to move up a rung: those in the top ``promote`` share of a rung that are not above it yet.

        Asynchronous successive halving: a rung's ranking is over every candidate that reached it, scored on
        that rung's seeds (the same seeds for all, so the ranking is paired). At most ``promote`` of a rung's
        candidates are ever above it: a candidate promoted early stays promoted even when later ones outrank
        it, so without the cap the runs spent would grow with how often the ranking changes.
        """
        conf, out = self.ctx.conf, {}
        for k in range(len(self.ctx.rung_reps) - 1):
            r, up = self.ctx.rung_reps[k], self.ctx.rung_reps[k + 1]
            reached = [tr for tr in told if self.reps.get(tr.number, 0) >= r]
            room = math.floor(len(reached) * conf.promote) - sum(self.reps[tr.number] > r for tr in reached)
            if room < 1:
                continue
            ranked = sorted(reached, key=lambda tr: (-self.score(tr, r)[0], tr.number))
            for tr in ranked[:math.floor(len(reached) * conf.promote)]:
                if room > 0 and self.reps[tr.number] == r and tr.number not in out:
                    out[tr.number] = up
                    room -= 1
        return out

    # -- results
    def candidates(self) -> pd.DataFrame:
        """Every told candidate: its shares, phasing, scales, replications and scores on its seeds."""
        from optuna.trial import TrialState

        rows = []
        for tr in self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            cand, reps = self.candidate(tr), self.reps[tr.number]
            value, score, violation = self.score(tr, reps)
            first = self.score(tr, self.ctx.rung_reps[0])
            met, _att = self.ctx.arrays([s.key for s in self.run_specs(tr.number, cand, reps)])
            row = {"total_cny": self.total, "candidate": tr.number, "is_plan": bool(tr.user_attrs.get("plan")),
                   "replications": reps, "rung": self.ctx.rung_reps.index(reps), "objective": score,
                   "violation": violation, "feasible": violation <= 0, "rank_value": value,
                   "objective_first_rung": first[1], "goals_met": float(met.sum(axis=1).mean()),
                   "shares_sum": math.fsum(cand.shares.values()), "shares_min": min(cand.shares.values())}
            if self.ctx.objective.equity:  # mean gap on its seeds, and the plan's on the same seeds
                keys = [s.key for s in self.run_specs(tr.number, cand, reps)]
                plan_gaps = self.ctx.gaps([s.key for s in self.plan_specs(reps)])
                for name, v in self.ctx.gaps(keys).items():
                    row.update({f"equity_{name}": float(np.nanmean(v)),
                                f"equity_{name}_plan": float(np.nanmean(plan_gaps[name]))})
            row.update({f"share_{k}": v for k, v in cand.shares.items()})
            if cand.phasing is not None:
                row.update({f"phasing_{2016 + y}": v for y, v in enumerate(cand.phasing)})
            row.update({f"scale_{k}": v for k, v in cand.scales.items()})
            rows.append(row)
        return pd.DataFrame(rows)

    def winner(self, cands: pd.DataFrame) -> pd.Series:
        """The best candidate of the highest rung reached: feasible first, then the objective on its seeds."""
        top = cands[cands["replications"] == cands["replications"].max()]
        return top.sort_values(["rank_value", "candidate"], ascending=[False, True]).iloc[0]

    def holdout_specs(self, win: pd.Series, seeds: list[int], sets: pd.DataFrame | None = None) -> list[RunSpec]:
        """The winner and the scenario's own allocation on the fresh seeds, paired.

        With ``sets`` (fresh parameter sets, one per fresh seed) fresh seed ``i`` runs with set ``i``.
        """
        from optuna.trial import TrialState

        trial = next(tr for tr in self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                     if tr.number == int(win["candidate"]))
        cand = self.candidate(trial)
        if sets is not None:
            return [s for alloc, o in ((BEST, [*self.base_overrides, *self.space.overrides(cand)]),
                                       (PLAN, self.base_overrides))
                    for s in plan_sets({"total_cny": self.total, "allocation": alloc}, o, seeds, sets,
                                       self.ctx.version) if s.labels.get("design") == WITH_PARAMETERS]
        specs = plan_cell({"total_cny": self.total, "allocation": BEST},
                          [*self.base_overrides, *self.space.overrides(cand)], seeds, self.ctx.version)
        specs += plan_cell({"total_cny": self.total, "allocation": PLAN}, self.base_overrides, seeds,
                           self.ctx.version)
        return specs


# ---------------------------------------------------------------- the app
def base_overrides(conf: OptimiseConf) -> list[str]:
    """The scenario and the model overrides, without a total (each search sets its own)."""
    model = [o for o in conf.model if o.lstrip("+~").split("=", 1)[0] != "budget.total_cny"] if conf.totals \
        else list(conf.model)
    return [f"scenario={conf.scenarios[0]}", *model]


def totals_of(conf: OptimiseConf) -> list[float]:
    """The totals searched: ``totals``, or the model's own ``budget.total_cny``."""
    return sorted(float(x) for x in conf.totals) if conf.totals else [float(load_config(base_overrides(conf)).budget
                                                                             .total_cny)]


def plan(conf: OptimiseConf, seeds: list[int], version: str) -> list[RunSpec]:
    """Validate what the search will run (the scenario with the model overrides at each total); no runs up front.

    Raises:
        ConfigError: for a bad model override or a scenario whose money is fixed per lever (``budget.amounts``).
    """
    base = load_config(base_overrides(conf))
    if base.budget.amounts:
        raise ConfigError("budget.amounts", dict(base.budget.amounts),
                          "no per-lever amounts: the search splits budget.total_cny by shares")
    if base.budget.total_cny <= 0 and not conf.totals:
        raise ConfigError("budget.total_cny", base.budget.total_cny, "a total > 0 to split (CNY)")
    return []


@hydra.main(version_base="1.3", config_path=str(EXPERIMENT_CONF_DIR), config_name=KIND)
@reports_os_errors
def _app(cfg) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    conf, exp_dir, store_dir, _specs, provenance = start(KIND, cfg, plan)
    hc = HydraConfig.get()
    rung_reps = [conf.replications * 2**k for k in range(conf.rungs)]
    search_seeds = replication_seeds(conf.seed, rung_reps[-1])
    fresh = holdout_seeds(conf.seed, conf.holdout, search_seeds)
    ctx = Context(conf, exp_dir, store_dir, provenance["code_version"], hc.runtime.choices.get("hydra/launcher",
                  "basic"), OmegaConf.to_container(hc.launcher, resolve=False), search_seeds, rung_reps,
                  Objective.of(conf), parameter_sets(conf))
    # the out-of-sample check draws fresh parameter sets too, one per fresh seed, from another seed
    fresh_sets = None if ctx.sets is None else parameter_sets(dataclasses.replace(
        conf, samples=conf.holdout, replications=conf.holdout, seed=(conf.seed + HOLDOUT_BRANCH) % 2**32))
    if ctx.sets is not None:
        write_csv_atomic(exp_dir / "parameter_sets.csv", pd.concat(
            [ctx.sets.assign(set="search", param_set=range(len(ctx.sets))),
             fresh_sets.assign(set="holdout", param_set=range(len(fresh_sets)))], ignore_index=True))
    seeds_df = pd.concat([pd.DataFrame({"set": "search", "replication": range(len(search_seeds)),
                                        "seed": search_seeds}),
                          pd.DataFrame({"set": "holdout", "replication": range(len(fresh)), "seed": fresh})])
    write_csv_atomic(exp_dir / "seeds.csv", seeds_df)
    searches, cands, holdout = [], [], []
    for total in totals_of(conf):
        s = TotalSearch(ctx, total, base_overrides(conf))
        s.run()
        c = s.candidates()
        win = s.winner(c)
        cands.append(c.assign(winner=c["candidate"] == win["candidate"]))
        holdout += s.holdout_specs(win, fresh, fresh_sets)
        searches.append(s)
    candidates = pd.concat(cands, ignore_index=True)
    write_parquet_atomic(exp_dir / "candidates.parquet", candidates)
    ctx.run(holdout, f"out of sample: the winners and the plan on {conf.holdout} fresh seeds")
    runs, _monthly, index = gather(exp_dir, store_dir, holdout)
    summary = summarise(runs, ["total_cny", "allocation"], conf.confidence, conf.p_interval)
    pairs = pd.concat([paired(g, "allocation", PLAN, conf.confidence).assign(total_cny=total)
                       for total, g in runs.groupby("total_cny", sort=True)], ignore_index=True)
    best = best_table(conf, runs, candidates, ctx.objective)
    frontier = frontier_table(best, conf)
    write_csv_atomic(exp_dir / "summary.csv", summary)
    write_csv_atomic(exp_dir / "paired.csv", pairs)
    write_csv_atomic(exp_dir / "best.csv", best)
    write_csv_atomic(exp_dir / "frontier.csv", frontier)
    provenance["launches"] = ctx.launches
    provenance["rungs"] = {"replications": rung_reps, "promote": conf.promote}
    write_text_atomic(exp_dir / "provenance.json", json.dumps(provenance, indent=2, default=str))
    if conf.report:
        from sim.experiment.optimise_report import write as write_report

        write_report(conf, exp_dir, candidates, summary, pairs, best, frontier, index, provenance)
    _print(conf, exp_dir, best, frontier, candidates, ctx)


# ---------------------------------------------------------------- tables
def per_replication(runs: pd.DataFrame, objective: Objective) -> pd.DataFrame:
    """Per total, allocation and replication: goals met, the objective, and whether every named goal was met."""
    goals = runs[runs["kind"] == "goal"]
    rows = []
    for (total, alloc, rep), g in goals.groupby(["total_cny", "allocation", "replication"], sort=True):
        g = g.set_index("name").reindex(list(GOAL_IDS))
        met = g["met"].astype("boolean").to_numpy(dtype=bool, na_value=False)[None, :]
        att = g["attainment"].to_numpy(float)[None, :]
        idx = [GOAL_IDS.index(x) for x in objective.goals]
        rows.append({"total_cny": total, "allocation": alloc, "replication": rep,
                     "goals_met": float(met.sum()), "objective": float(objective.per_run(met, att)[0]),
                     "all_named_met": bool(met[0, idx].all())})
    return pd.DataFrame(rows)


def best_table(conf: OptimiseConf, runs: pd.DataFrame, candidates: pd.DataFrame, objective: Objective) -> pd.DataFrame:
    """Per total: the winner's shares, and winner and plan out of sample with intervals and their paired difference.

    The in-sample objective of the winner is kept (``in_sample_objective``) only to show how much of it was
    luck; the result is the out-of-sample columns.
    """
    reps = per_replication(runs, objective)
    rows = []
    for total, g in reps.groupby("total_cny", sort=True):
        b = g[g["allocation"] == BEST].sort_values("replication")
        p = g[g["allocation"] == PLAN].sort_values("replication")
        win = candidates[(candidates["total_cny"] == total) & candidates["winner"]].iloc[0]
        row: dict[str, Any] = {"total_cny": total, "candidate": int(win["candidate"]), "objective": conf.objective,
                               "in_sample_objective": float(win["objective"]),
                               "in_sample_replications": int(win["replications"]), "holdout_replications": len(b)}
        for col in ("objective", "goals_met"):
            for who, d in ((BEST, b), (PLAN, p)):
                m, lo, hi = mean_ci(d[col].to_numpy(float), conf.confidence)
                row.update({f"{who}_{col}": m, f"{who}_{col}_ci_low": lo, f"{who}_{col}_ci_high": hi})
            diff = paired_diff(b[col].to_numpy(float), p[col].to_numpy(float), conf.confidence)
            row.update({f"diff_{col}": diff["diff_mean"], f"diff_{col}_ci_low": diff["diff_ci_low"],
                        f"diff_{col}_ci_high": diff["diff_ci_high"], f"diff_{col}_p_value": diff["p_value"]})
        for who, d in ((BEST, b), (PLAN, p)):
            k = int(d["all_named_met"].sum())
            pa, lo, hi = proportion_ci(k, len(d), conf.confidence, conf.p_interval)
            row.update({f"{who}_p_all": pa, f"{who}_p_all_low": lo, f"{who}_p_all_high": hi})
        for name in objective.equity:  # out of sample: the gap of winner and plan, and the paired change of |gap|
            e = runs[(runs["kind"] == "equity") & (runs["name"] == name) & (runs["total_cny"] == total)]
            gb = e[e["allocation"] == BEST].sort_values("replication")["value"].to_numpy(float)
            gp = e[e["allocation"] == PLAN].sort_values("replication")["value"].to_numpy(float)
            for who, d in ((BEST, gb), (PLAN, gp)):
                m, lo, hi = mean_ci(d, conf.confidence)
                row.update({f"{who}_{name}": m, f"{who}_{name}_ci_low": lo, f"{who}_{name}_ci_high": hi})
            diff = paired_diff(np.abs(gb), np.abs(gp), conf.confidence)
            row.update({f"diff_abs_{name}": diff["diff_mean"], f"diff_abs_{name}_ci_low": diff["diff_ci_low"],
                        f"diff_abs_{name}_ci_high": diff["diff_ci_high"],
                        f"{name}_no_wider": bool(diff["diff_mean"] <= 0)})
        row["beats_plan"] = verdict(row["diff_objective"], row["diff_objective_ci_low"], row["diff_objective_ci_high"])
        row.update({k: win[k] for k in win.index if k.startswith(("share_", "phasing_", "scale_"))})
        rows.append(row)
    return pd.DataFrame(rows)


def verdict(mean: float, low: float, high: float) -> str:
    """``better`` when the paired interval is above zero, ``worse`` below, ``same`` at exactly zero, else ``noise``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "noise"
    if low == high == mean == 0:
        return "same"
    return "better" if low > 0 else "worse" if high < 0 else "noise"


def frontier_table(best: pd.DataFrame, conf: OptimiseConf) -> pd.DataFrame:
    """Expected goals met (out of sample) against money, and the least total that reaches ``p_goal``.

    The least total is the smallest total searched from which the winner meets every goal of ``goals`` with
    probability >= ``p_goal`` out of sample, at that total and at every larger one searched.
    """
    cols = ["total_cny", "best_goals_met", "best_goals_met_ci_low", "best_goals_met_ci_high", "plan_goals_met",
            "plan_goals_met_ci_low", "plan_goals_met_ci_high", "best_p_all", "best_p_all_low", "best_p_all_high",
            "plan_p_all", "plan_p_all_low", "plan_p_all_high", "best_objective", "plan_objective", "beats_plan"]
    f = best[cols].sort_values("total_cny").reset_index(drop=True)
    ok = (f["best_p_all"] >= conf.p_goal).to_numpy()
    least = math.nan
    if ok.size and ok[-1]:
        i = len(ok) - 1
        while i > 0 and ok[i - 1]:
            i -= 1
        least = float(f["total_cny"].iloc[i])
    f["p_goal"] = conf.p_goal
    f["reaches_p_goal"] = ok
    f["least_total_cny"] = least
    return f


def _print(conf, exp_dir, best, frontier, candidates, ctx) -> None:
    for _, r in best.iterrows():
        print(f"\n{fmt.money(r['total_cny'], 'en')}: best of {int((candidates['total_cny'] == r['total_cny']).sum())} "
              f"candidates (#{r['candidate']}), out of sample on {r['holdout_replications']} fresh seeds:")
        for col in ("objective", "goals_met") if conf.objective != "goals_met" else ("objective",):
            print(f"  {col if col != 'objective' else conf.objective}: best {r[f'best_{col}']:.2f} "
                  f"[{r[f'best_{col}_ci_low']:.2f}, {r[f'best_{col}_ci_high']:.2f}]  plan {r[f'plan_{col}']:.2f} "
                  f"[{r[f'plan_{col}_ci_low']:.2f}, {r[f'plan_{col}_ci_high']:.2f}]  paired difference "
                  f"{r[f'diff_{col}']:+.2f} [{r[f'diff_{col}_ci_low']:+.2f}, {r[f'diff_{col}_ci_high']:+.2f}]")
        print("  " + {"better": "the best allocation beats the plan out of sample",
                      "worse": "the best allocation does worse than the plan out of sample",
                      "same": "the best allocation does the same as the plan out of sample",
                      "noise": "the best allocation does NOT beat the plan out of sample (the interval includes 0)"}[
                          r["beats_plan"]])
        for name in ctx.objective.equity:
            print(f"  {name}: best {r[f'best_{name}']:.3f} [{r[f'best_{name}_ci_low']:.3f}, "
                  f"{r[f'best_{name}_ci_high']:.3f}]  plan {r[f'plan_{name}']:.3f} [{r[f'plan_{name}_ci_low']:.3f}, "
                  f"{r[f'plan_{name}_ci_high']:.3f}]  paired change of |gap| {r[f'diff_abs_{name}']:+.3f} "
                  f"[{r[f'diff_abs_{name}_ci_low']:+.3f}, {r[f'diff_abs_{name}_ci_high']:+.3f}]")
        c = candidates[candidates["total_cny"] == r["total_cny"]]
        if ctx.objective.equity or ctx.objective.constraints:
            print(f"  feasible candidates (every constraint met on their seeds): {int(c['feasible'].sum())} of {len(c)}"
                  f": #" + ", #".join(str(int(n)) for n in c.loc[c["feasible"], "candidate"]))
        moved = sorted(((k[6:], r[k]) for k in r.index if k.startswith("share_")), key=lambda kv: -kv[1])[:5]
        print("  largest shares: " + ", ".join(f"{k} {v:.1%}" for k, v in moved))
    least = frontier["least_total_cny"].iloc[0]
    if conf.totals:
        print(f"least total meeting every named goal with P >= {conf.p_goal:g}: "
              + (fmt.money(least, "en") if math.isfinite(least) else "not reached at any total searched"))
    runs_computed = sum(s.get("runs_computed", 0) for s in ctx.launches)
    seconds = sum(s.get("seconds", 0) for s in ctx.launches)
    print(f"\nruns: {runs_computed} computed in {len(ctx.launches)} launches ({seconds:.0f} s of launching)")
    print(f"experiment: {exp_dir}")


def main() -> None:
    """Validate the command line, then run the Hydra app."""
    prepare_argv(KIND, plan)
    _app()


if __name__ == "__main__":
    sys.exit(main())


