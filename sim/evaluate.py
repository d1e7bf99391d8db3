"""The model as a numeric function: parameter values in, a flat dict of outcomes out.

``evaluate({"uncertainties.bass_q": 0.4}, weight=200)`` is what an explorer, an optimiser or a sensitivity
analysis calls (EMA Workbench, SALib, :mod:`sim.explore`). Values are numbers (numpy scalars and arrays
too) keyed by parameter path, as in ``python -m sim.params``; each is checked against its declaration, so a
bad value stops with the same one-line error as the command line.

The base config of a scenario is composed with Hydra once per process and kept; each call applies its
values to a deep copy of it, so a call costs the model's own time and a few milliseconds more
(``benchmarks/evaluate_overhead.py`` measures it).
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from sim.config import ConfigError, SimConf, validate
from sim.goals import load_goals
from sim.params import Spec, check_leaf, leaves

__all__ = ["METRICS", "apply_params", "base_config", "evaluate", "outcome_names", "param_specs", "read_outcomes"]

# key metrics of a run beside the goals: outcome name -> the monthly record it is read from (the last month)
METRICS: dict[str, str] = {
    "spent_cny": "spend_cum",
    "npl_ratio": "npl_ratio",
    "credit_rationed_cum": "credit_rationed_cum",
    "loan_balance_total": "loan_balance_total",
    "households_with_loan": "households_with_loan",
    "unmet_need_cum": "unmet_need_cum",
    "written_off_cum": "written_off_cum",
    "applications_unprocessed_cum": "applications_unprocessed_cum",
}
# money the levers wanted but could not pay, from the ledger (not a monthly record)
SHORTFALL = "shortfall_cny"


@cache
def base_config(scenario: str | None = None) -> SimConf:
    """A scenario's validated config, composed with Hydra once per process (``None`` = the default scenario).

    Callers must not change it: :func:`apply_params` works on a deep copy.
    """
    from sim.run import load_config

    return load_config([f"scenario={scenario}"] if scenario else [])


@cache
def param_specs() -> dict[str, Spec | None]:
    """Every leaf parameter path of the schema with its declaration (dict leaves by the dict's path)."""
    return {path: spec for path, _value, spec in leaves(SimConf())}


def _plain(value: Any) -> Any:
    """A value as the config holds it: numpy scalars and arrays as Python numbers and lists."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _typed(value: Any, spec: Spec | None, current: Any) -> Any:
    """Whole numbers where the field counts whole things, floats where it holds floats."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, list):
            item = current[0] if isinstance(current, list) and current else None
            return [_typed(v, spec, item) for v in value]
        return value
    if spec is not None and spec.integer and isinstance(value, float) and math.isfinite(value) \
            and value.is_integer():
        return int(value)
    if isinstance(current, float) and isinstance(value, int):
        return float(value)
    return value


def _unknown(key: str, value: Any) -> ConfigError:
    near = difflib.get_close_matches(key, list(param_specs()), n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return ConfigError(key, value, f"a parameter path of sim.parameters(), e.g. uncertainties.bass_q{hint}")


def apply_params(cfg: SimConf, params: Mapping[str, Any]) -> SimConf:
    """Set parameter values on a config in place, each checked against its declaration.

    Args:
        cfg: a config (a deep copy the caller owns).
        params: values keyed by parameter path; ``budget.allocation.<lever>`` and ``budget.amounts.<lever>``
            set one lever's share or amount.

    Returns:
        The same config.

    Raises:
        ConfigError: for an unknown path or a value outside its declared range (one line naming both).
    """
    specs = param_specs()
    for key, raw in params.items():
        value = _plain(raw)
        parts = key.split(".")
        if key in specs:
            parent_path, leaf, in_dict = parts[:-1], parts[-1], False
        elif ".".join(parts[:-1]) in specs and key.startswith(("budget.allocation.", "budget.amounts.")):
            parent_path, leaf, in_dict = parts[:-2], parts[-2], True
        else:
            raise _unknown(key, raw)
        node = cfg
        for p in parent_path:
            node = getattr(node, p)
        spec = specs[key] if not in_dict else specs[".".join(parts[:-1])]
        if in_dict:
            check_leaf(key, value, spec)
            getattr(node, leaf)[parts[-1]] = _typed(value, spec, 0.0)
            continue
        current = getattr(node, leaf)
        if isinstance(current, list) and not isinstance(value, list):
            raise ConfigError(key, value, spec.allowed() if spec else "a list")
        check_leaf(key, value, spec)
        setattr(node, leaf, _typed(value, spec, current))
    return cfg


def config_for(params: Mapping[str, Any] | None = None, *, seed: int = 0, weight: float | None = None,
               scenario: str | None = None) -> SimConf:
    """The validated config of one evaluation: the scenario's base config with ``params`` applied.

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    cfg = copy.deepcopy(base_config(scenario))
    extra: dict[str, Any] = {}
    if weight is not None:
        extra["population.weight"] = weight
    apply_params(cfg, {**extra, **(params or {})})
    check_leaf("seed", _plain(seed), param_specs()["seed"])
    cfg.seed = int(_plain(seed))
    return validate(cfg)


def outcome_names() -> list[str]:
    """The names of the outcomes :func:`evaluate` returns (one replication), in order."""
    names = ["goals_met", "outcome_goals_met"]
    for g in load_goals():
        names += [g.goal_id, f"{g.goal_id}.attainment", f"{g.goal_id}.met"]
    return [*names, *METRICS, SHORTFALL]


def run_outcomes(cfg: SimConf) -> dict[str, float]:
    """Build and run the model for a validated config and read its flat outcomes."""
    from sim import parallel
    from sim.model import TaizhouModel
    from sim.world import SpunUp

    parallel.threads()  # a bad SIM_THREADS (ConfigError, naming it) stops here, before any work
    SpunUp.enable()  # calls that differ only in the programme reuse the world spun up to 2015
    model = TaizhouModel(cfg)
    model.run()
    return read_outcomes(model)


def read_outcomes(model) -> dict[str, float]:
    """The flat outcomes of a model that has run: goals, their attainment and whether met, key metrics."""
    values = model.goal_values()
    out: dict[str, float] = {"goals_met": 0.0, "outcome_goals_met": 0.0}
    for g in load_goals():
        v = float(values[g.goal_id])
        met = g.met(v)
        out[g.goal_id] = v
        out[f"{g.goal_id}.attainment"] = float(g.attainment(v))
        out[f"{g.goal_id}.met"] = float(met)
        out["goals_met"] += met
        out["outcome_goals_met"] += met and g.kind == "outcome"
    last = model.records[-1]
    for name, record in METRICS.items():
        out[name] = float(last[record])
    out[SHORTFALL] = float(model.ledger.table()["shortfall"].sum())
    return out


def evaluate(params: Mapping[str, Any] | None = None, *, seed: int = 0, weight: float | None = None,
             replications: int = 1, scenario: str | None = None) -> dict[str, float]:
    """Run the model with parameter values and return its outcomes as one flat dict of numbers.

    Args:
        params: values keyed by parameter path, e.g. ``{"uncertainties.bass_q": 0.4,
            "levers.stations.scale": 1.5, "budget.total_cny": 6e8, "levers.lectures.intensity": [...]}``;
            numpy scalars and arrays are accepted.
        seed: the model seed (one replication), or the root of the replication seeds.
        weight: households per row (``population.weight``); None = the scenario's.
        replications: runs with the project's common-random-number seeds
            (:func:`sim.experiment.store.replication_seeds` of ``seed``); outcomes are then means, with
            ``<name>.sd`` beside each.
        scenario: a scenario of ``configs/scenario/``; None = the default (the plan).

    Returns:
        ``goals_met``, ``outcome_goals_met``, for each goal ``<goal_id>``, ``<goal_id>.attainment`` and
        ``<goal_id>.met`` (1.0 or 0.0; with replications the share of runs that met it), and the key metrics
        (:data:`METRICS`, ``shortfall_cny``).

    Raises:
        ConfigError: for an unknown path or a value outside its declared range, before anything runs.

    Example:
        >>> import sim
        >>> out = sim.evaluate({"uncertainties.bass_q": 0.4}, weight=200)
        >>> out["goals_met"], out["farmer_loan_balance.attainment"]
    """
    if isinstance(replications, bool) or not isinstance(_plain(replications), int) or replications < 1:
        raise ConfigError("replications", replications, "a whole number >= 1")
    cfg = config_for(params, seed=seed, weight=weight, scenario=scenario)
    if replications == 1:
        return run_outcomes(cfg)
    from sim.experiment.store import replication_seeds

    runs = []
    for s in replication_seeds(int(_plain(seed)), replications):
        rep = copy.deepcopy(cfg)  # the model may keep and change parts of its config
        rep.seed = s
        runs.append(run_outcomes(rep))
    out: dict[str, float] = {}
    for name in runs[0]:
        values = np.array([r[name] for r in runs], dtype=float)
        out[name] = float(values.mean())
        out[f"{name}.sd"] = float(values.std(ddof=1))
    return out
