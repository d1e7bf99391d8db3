"""The model's exploration problem, declared once: uncertainties, levers and outcomes for EMA Workbench and SALib.

Ranges and distributions come from the parameter declarations (``uncertain=(low, high)``, ``dist``); nothing
here repeats them. A lever is one number: its ``scale`` (1 = the plan) or the programme's total budget, each
explored from 0 to twice its plan value (within its declared bounds).

    >>> import sim
    >>> p = sim.problem(["uncertainties.bass_q", "uncertainties.bass_p"], outcomes=["goals_met"], weight=2000)
    >>> p.sample(8)                                              # parameter sets from the declared distributions
    >>> p.salib().sample_morris(4).evaluate().analyze_morris()   # SALib (pip install -e ".[explore]")
    >>> perform_experiments(p.ema_model(), 16, 2)                # EMA Workbench

EMA Workbench and SALib are optional (``pip install -e ".[explore]"``); :meth:`Problem.sample` and
:func:`lhs_sets` need neither.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.config import ConfigError
from sim.evaluate import evaluate, outcome_names, param_specs
from sim.levers import LEVER_NAMES
from sim.params import DISTRIBUTIONS, Spec, check_leaf

__all__ = ["LEVER_SPAN", "Problem", "Variable", "draw", "ema_name", "lhs_sets", "problem", "uncertain_paths"]

LEVER_SPAN = 2.0  # levers are explored from 0 to this many times their plan value
BUDGET_PATH = "budget.total_cny"
EMA_DOT = "__"  # EMA Workbench names are Python identifiers: "uncertainties.bass_q" is "uncertainties__bass_q"


@dataclass(frozen=True)
class Variable:
    """One explored parameter.

    Attributes:
        path: its parameter path, e.g. ``uncertainties.bass_q``; also its name in EMA Workbench and SALib.
        low: the lower end of its range.
        high: the upper end.
        dist: ``uniform``, ``triangular`` (mode at ``default``) or ``loguniform``.
        default: its value in the plan.
        integer: whole numbers only.
    """

    path: str
    low: float
    high: float
    dist: str = "uniform"
    default: float = math.nan
    integer: bool = False

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at the quantiles ``u`` (in [0, 1]) of its distribution."""
        from scipy import stats

        lo, hi = self.low, self.high
        if self.dist == "triangular" and hi > lo:
            c = min(max((self.default - lo) / (hi - lo), 0.0), 1.0)
            x = stats.triang.ppf(u, c, loc=lo, scale=hi - lo)
        elif self.dist == "loguniform" and lo > 0:
            x = stats.loguniform.ppf(u, lo, hi)
        else:
            x = lo + np.asarray(u, dtype=float) * (hi - lo)
        return np.round(x) if self.integer else x


def _scalar_default(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def uncertain_paths() -> list[str]:
    """Every uncertain scalar parameter (declared with a plausible range), in the schema's order.

    List-valued uncertain parameters are left out: they are not one number.
    """
    from sim.config import SimConf
    from sim.params import leaves

    return [path for path, value, spec in leaves(SimConf())
            if spec is not None and spec.uncertain is not None and _scalar_default(value)]


def _defaults() -> dict[str, Any]:
    from sim.evaluate import base_config
    from sim.params import leaves

    return {path: value for path, value, _spec in leaves(base_config(None))}


def _spec(path: str) -> Spec | None:
    specs = param_specs()
    if path not in specs:
        from sim.evaluate import _unknown

        raise _unknown(path, None)
    return specs[path]


def _uncertainty(path: str, rng: tuple[float, float] | None, default: Any) -> Variable:
    spec = _spec(path)
    if not _scalar_default(default):
        raise ConfigError(path, default, "a parameter holding one number (lists are not explored)")
    if rng is None:
        if spec is None or spec.uncertain is None:
            raise ConfigError(path, None, "an uncertain parameter (declared with a plausible range; "
                              "sim.parameters().query('uncertain')), or give its range as {path: (low, high)}")
        rng = spec.uncertain
    lo, hi = (float(x) for x in rng)
    for v in (lo, hi):
        check_leaf(path, v, spec)
    if not lo <= hi:
        raise ConfigError(path, [lo, hi], "a range (low, high) with low <= high")
    dist = (spec.dist if spec is not None and spec.dist else "uniform")
    return Variable(path, lo, hi, dist, float(default), bool(spec and spec.integer))


def _lever(path: str, rng: tuple[float, float] | None, default: Any) -> Variable:
    spec = _spec(path)
    if not _scalar_default(default):
        raise ConfigError(path, default, "a lever holding one number: levers.<name>.scale or budget.total_cny")
    if rng is None:
        hi = LEVER_SPAN * float(default)
        if spec is not None and spec.high is not None:
            hi = min(hi, float(spec.high))
        rng = (0.0 if spec is None or spec.low is None else max(0.0, float(spec.low)), hi)
    lo, hi = (float(x) for x in rng)
    for v in (lo, hi):
        check_leaf(path, v, spec)
    if not lo <= hi:
        raise ConfigError(path, [lo, hi], "a range (low, high) with low <= high")
    return Variable(path, lo, hi, "uniform", float(default), bool(spec and spec.integer))


def _named(items: Iterable[str] | Mapping[str, Sequence[float]] | None) -> list[tuple[str, Any]]:
    if items is None:
        return []
    if isinstance(items, str):
        items = [items]
    if isinstance(items, Mapping):
        return [(k, tuple(v) if v is not None else None) for k, v in items.items()]
    return [(k, None) for k in items]


@dataclass
class Problem:
    """Uncertainties, levers and outcomes of the model, with the settings every evaluation shares.

    Attributes:
        uncertainties: the uncertain parameters explored, with their declared ranges and distributions.
        levers: the levers explored (``levers.<name>.scale``, ``budget.total_cny``).
        outcomes: names of :func:`sim.evaluate` outcomes reported.
        weight: households per row of every run.
        replications: runs per parameter set (common random numbers: the same seeds for every set).
        seed: the seed (one replication) or the root of the replication seeds.
        scenario: the scenario the values are applied to (None = the plan).
    """

    uncertainties: list[Variable]
    levers: list[Variable]
    outcomes: list[str]
    weight: float | None = None
    replications: int = 1
    seed: int = 0
    scenario: str | None = None
    workers: int = 2

    @property
    def variables(self) -> list[Variable]:
        """Uncertainties, then levers."""
        return [*self.uncertainties, *self.levers]

    def run(self, values: Mapping[str, Any], seed: int | None = None) -> dict[str, float]:
        """One parameter set's outcomes (means over the replications when ``replications > 1``)."""
        out = evaluate(dict(values), seed=self.seed if seed is None else seed, weight=self.weight,
                       replications=self.replications, scenario=self.scenario)
        return {name: out[name] for name in self.outcomes}

    # ------------------------------------------------------------ sampling
    def sample(self, n: int, method: str = "lhs", seed: int = 0, levers: bool = False) -> pd.DataFrame:
        """Parameter sets drawn from the declared distributions, one row per set, one column per path.

        Args:
            n: number of sets.
            method: ``lhs`` (Latin hypercube, scipy.stats.qmc) or ``random``.
            seed: the sampler's seed (the same seed gives the same sets).
            levers: also draw the levers (uniform over their ranges).
        """
        return draw(self.variables if levers else self.uncertainties, n, method, seed)

    # ------------------------------------------------------------ EMA Workbench
    def ema_model(self, name: str = "taizhou"):
        """An EMA Workbench model over this problem's uncertainties, levers and outcomes.

        A ``Model`` for one replication; a ``ReplicatorModel`` with the project's common-random-number seeds
        (one ``seed`` per replication, the same for every experiment) when ``replications > 1``, whose
        outcomes are the means over the replications. EMA Workbench names must be Python identifiers, so a
        parameter path or an outcome is named with ``__`` for ``.`` (``uncertainties__bass_q``,
        ``farmer_loan_balance__attainment``; :func:`ema_name`).

        Example:
            >>> from ema_workbench import perform_experiments
            >>> experiments, outcomes = perform_experiments(sim.problem(weight=2000).ema_model(), 16, 2)
        """
        from ema_workbench import Model, RealParameter, ReplicatorModel, ScalarOutcome

        fn = _EMAFunction(self.outcomes, self.weight, self.scenario)

        def param(v: Variable):
            if v.dist == "uniform" or v.low == v.high:
                return RealParameter(ema_name(v.path), v.low, v.high)
            return RealParameter.from_dist(ema_name(v.path), _scipy_dist(v))

        if self.replications > 1:
            from sim.experiment.store import replication_seeds

            model = ReplicatorModel(name, function=fn)
            model.replications = [{"seed": s} for s in replication_seeds(self.seed, self.replications)]
            model.outcomes = [ScalarOutcome(ema_name(o), function=np.mean) for o in self.outcomes]
        else:
            fn.seed = self.seed
            model = Model(name, function=fn)
            model.outcomes = [ScalarOutcome(ema_name(o)) for o in self.outcomes]
        model.uncertainties = [param(v) for v in self.uncertainties]
        model.levers = [RealParameter(ema_name(v.path), v.low, v.high) for v in self.levers if v.low < v.high]
        return model

    # ------------------------------------------------------------ SALib
    def salib(self, levers: bool = False):
        """A SALib ``ProblemSpec`` over the uncertainties (and the levers with ``levers=True``).

        Its ``evaluate()`` runs the model for every sampled row in parallel (``workers`` processes), every row
        with the same seeds; ``outputs`` are this problem's outcomes.

        Example:
            >>> sp = sim.problem(weight=2000, outcomes=["goals_met"]).salib()
            >>> sp.sample_morris(10).evaluate().analyze_morris()
        """
        from SALib import ProblemSpec

        variables = self.variables if levers else self.uncertainties
        bounds, dists = [], []
        for v in variables:
            if v.dist == "triangular" and v.high > v.low:
                bounds.append([v.low, v.high, min(max((v.default - v.low) / (v.high - v.low), 0.0), 0.999)])
                dists.append("triang")
            else:
                bounds.append([v.low, v.high])
                dists.append("logunif" if v.dist == "loguniform" and v.low > 0 else "unif")

        problem = self

        class ModelSpec(ProblemSpec):
            """A ProblemSpec whose ``evaluate()`` runs the model (any other function still works)."""

            def evaluate(self, func=None, *args, **kwargs):
                if func is not None:
                    return super().evaluate(func, *args, **kwargs)
                names = self["names"]
                rows = [dict(zip(names, map(float, x), strict=True)) for x in self.samples]
                self.results = problem.evaluate_rows(rows, kwargs.pop("nprocs", problem.workers))
                return self

        spec = ModelSpec({"names": [v.path for v in variables], "bounds": bounds, "dists": dists,
                          "outputs": list(self.outcomes)})
        return spec

    def evaluate_rows(self, rows: list[dict[str, float]], workers: int | None = None) -> np.ndarray:
        """Run every parameter set (in parallel, the same seeds for each) and return (rows x outcomes)."""
        from joblib import Parallel, delayed

        n = self.workers if workers is None else workers
        out = Parallel(n_jobs=n)(delayed(_run_row)(self, r) for r in rows) if n > 1 and len(rows) > 1 \
            else [_run_row(self, r) for r in rows]
        arr = np.array([[o[name] for name in self.outcomes] for o in out], dtype=float)
        return arr[:, 0] if arr.shape[1] == 1 else arr


def _run_row(problem: Problem, row: dict[str, float]) -> dict[str, float]:
    return problem.run(row)


class _EMAFunction:
    """The model as EMA Workbench calls it: keyword arguments by parameter path (and ``seed``); picklable."""

    def __init__(self, outcomes: list[str], weight: float | None, scenario: str | None):
        self.outcomes, self.weight, self.scenario = list(outcomes), weight, scenario
        self.seed = 0

    def __call__(self, **kwargs: Any) -> dict[str, float]:
        seed = int(kwargs.pop("seed", self.seed))
        params = {k.replace(EMA_DOT, "."): v for k, v in kwargs.items()}
        out = evaluate(params, seed=seed, weight=self.weight, scenario=self.scenario)
        return {ema_name(name): out[name] for name in self.outcomes}


def ema_name(path: str) -> str:
    """A parameter path or outcome as an EMA Workbench name (a Python identifier): ``.`` written ``__``."""
    return path.replace(".", EMA_DOT)


def _scipy_dist(v: Variable):
    from scipy import stats

    if v.dist == "triangular":
        return stats.triang(min(max((v.default - v.low) / (v.high - v.low), 0.0), 1.0), loc=v.low,
                            scale=v.high - v.low)
    return stats.loguniform(v.low, v.high)


def draw(variables: Sequence[Variable], n: int, method: str = "lhs", seed: int = 0) -> pd.DataFrame:
    """``n`` parameter sets from the variables' distributions (Latin hypercube by default).

    Raises:
        ConfigError: for a method other than ``lhs`` or ``random``, or ``n < 1``.
    """
    from scipy.stats import qmc

    if method not in ("lhs", "random"):
        raise ConfigError("method", method, "one of lhs, random")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ConfigError("samples", n, "a whole number >= 1")
    if not variables:
        return pd.DataFrame(index=range(int(n)))
    d = len(variables)
    u = qmc.LatinHypercube(d=d, seed=seed).random(int(n)) if method == "lhs" else \
        np.random.default_rng(seed).random((int(n), d))
    return pd.DataFrame({v.path: v.ppf(u[:, j]) for j, v in enumerate(variables)})


def lhs_sets(n: int, seed: int, paths: Sequence[str] | None = None) -> pd.DataFrame:
    """``n`` Latin-hypercube parameter sets over uncertain parameters (default: all uncertain scalars)."""
    defaults = _defaults()
    return draw([_uncertainty(p, None, defaults[p]) for p in (paths or uncertain_paths())], n, "lhs", seed)


def problem(uncertainties: Iterable[str] | Mapping[str, Sequence[float]] | None = None,
            levers: Iterable[str] | Mapping[str, Sequence[float]] | None = None,
            outcomes: Iterable[str] | None = None, *, weight: float | None = None, replications: int = 1,
            seed: int = 0, scenario: str | None = None, workers: int = 2) -> Problem:
    """Declare the exploration problem.

    Args:
        uncertainties: parameter paths (declared ranges and distributions), or ``{path: (low, high)}`` to
            narrow a range; None = every uncertain scalar parameter.
        levers: paths of levers (``levers.<name>.scale``, ``budget.total_cny``, any other scalar), or
            ``{path: (low, high)}``; None = every lever's scale and the total budget, from 0 to twice the
            plan; ``[]`` = none.
        outcomes: names of :func:`sim.evaluate` outcomes; None = ``goals_met``, ``outcome_goals_met`` and
            every goal's attainment.
        weight: households per row of every run (coarser is faster).
        replications: runs per parameter set, with common random numbers.
        seed: the seed, or the root of the replication seeds.
        scenario: the scenario the values apply to; None = the plan.
        workers: processes for :meth:`Problem.salib` evaluations.

    Raises:
        ConfigError: for an unknown path, a parameter without a plausible range, or an unknown outcome.
    """
    from sim.evaluate import _plain
    from sim.goals import GOAL_IDS

    defaults = _defaults()
    unc = [_uncertainty(p, r, defaults.get(p)) for p, r in
           (_named(uncertainties) if uncertainties is not None else [(p, None) for p in uncertain_paths()])]
    lev_items = _named(levers) if levers is not None else \
        [*((f"levers.{name}.scale", None) for name in LEVER_NAMES), (BUDGET_PATH, None)]
    lev = [_lever(p, r, defaults.get(p)) for p, r in lev_items]
    known = outcome_names()
    outs = list(outcomes) if outcomes is not None else \
        ["goals_met", "outcome_goals_met", *(f"{g}.attainment" for g in GOAL_IDS)]
    for o in outs:
        if o not in known:
            raise ConfigError("outcomes", o, "names of sim.evaluate outcomes, e.g. goals_met, farmer_loan_balance, "
                              "village_coverage.attainment, npl_ratio")
    reps = _plain(replications)
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise ConfigError("replications", replications, "a whole number >= 1")
    names = [v.path for v in [*unc, *lev]]
    if len(set(names)) != len(names):
        raise ConfigError("levers", names, "each parameter once, as an uncertainty or a lever")
    for v in unc + lev:
        if v.dist not in DISTRIBUTIONS:
            raise ConfigError(v.path, v.dist, "one of " + ", ".join(DISTRIBUTIONS))
    if weight is not None:
        check_leaf("population.weight", _plain(weight), param_specs()["population.weight"])
    return Problem(unc, lev, outs, weight=None if weight is None else float(_plain(weight)), replications=reps,
                   seed=int(_plain(seed)), scenario=scenario, workers=int(workers))
