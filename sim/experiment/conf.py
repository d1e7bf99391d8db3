"""The experiment configs (structured, validated like the model's) and how a command line is split.

A command line mixes experiment keys (``replications=50``, ``scenarios=[plan,no_program]``) with model
overrides (``population.weight=100``). Model overrides are collected into the ``model`` list, applied to
every run, and validated by :func:`sim.load_config` before anything runs.
"""

from __future__ import annotations

import dataclasses
import math
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim import scenarios
from sim.config import ConfigError, SimConf
from sim.i18n import LANGS
from sim.levers import LEVER_NAMES
from sim.run import ROOT, compose_config, load_config, one_paragraph

EXPERIMENT_CONF_DIR = Path(__file__).resolve().parent / "conf"
P_INTERVALS = ("wilson", "clopper_pearson")
# experiment keys whose sub-keys are names the user chooses
FREE_DICTS = ("budget.allocations", "weights", "constraints", "equity_constraints")


def scenario_names() -> list[str]:
    """The scenarios of ``configs/scenario/*.yaml``, read each time (new ones may be added at any moment)."""
    return sorted(scenarios.names())


def default_scenario() -> str:
    """The scenario a plain ``python -m sim`` runs (the defaults list of ``configs/config.yaml``)."""
    return load_config([]).scenario.name


@dataclass
class ExperimentConf:
    """What every experiment has.

    Attributes:
        name: folder under ``out_root``; empty = the experiment kind and a hash of its definition, so that
            the same command finds the same folder and resumes it.
        out_root: where experiment folders go (relative paths are relative to the project root).
        scenarios: scenario names of ``configs/scenario/``; empty = all of them.
        replications: runs per scenario (or per sweep cell), each with its own seed.
        seed: entropy of the numpy SeedSequence that the replication seeds are spawned from.
        model: model overrides applied to every run (``population.weight=100`` on the command line lands here).
        confidence: level of every interval.
        p_interval: interval for the probability of meeting a goal: wilson or clopper_pearson.
        runs_per_job: runs per launcher job; 0 = about four jobs per core.
        progress: show a progress bar with the time left.
        report: write figures and report.html.
        lang: the language of report.html and its figures: zh (the default, like the workshop) or en.
        uncertainty: none (seeds only), lhs (replication i also draws parameter set i mod K from the declared
            plausible ranges, a Latin hypercube) or posterior (sets drawn from a calibration's posterior.csv);
            the seed-only runs are kept beside, for comparison. In optimise every candidate runs on every set
            (``samples`` sets x its seeds), and the out-of-sample check draws fresh sets, one per fresh seed.
        samples: K, the number of parameter sets; 0 = one per replication.
        parameters: the uncertain parameters drawn; empty = every uncertain scalar parameter.
        posterior: with uncertainty=posterior, the posterior.csv of experiments/calibrate.py.
    """

    name: str = ""
    out_root: str = "results/experiments"
    scenarios: list[str] = field(default_factory=list)
    replications: int = 30
    seed: int = 20160101
    model: list[str] = field(default_factory=list)
    confidence: float = 0.95
    p_interval: str = "wilson"
    runs_per_job: int = 0
    progress: bool = True
    report: bool = True
    lang: str = "zh"
    uncertainty: str = "none"
    samples: int = 0
    parameters: list[str] = field(default_factory=list)
    posterior: str = ""


@dataclass
class CompareConf(ExperimentConf):
    """Scenarios side by side with common random numbers.

    Attributes:
        reference: the scenario every other one is paired against; empty = the model's default scenario
            (``configs/config.yaml``) when it is among ``scenarios``, else the first of them.
    """

    reference: str = ""


@dataclass
class BudgetSweepConf:
    """The money axis of a budget sweep.

    Attributes:
        total_cny: programme totals 2016-2020 to try (CNY).
        allocations: named allocations; each fixes the shares it names and lets the other levers share
            the rest in the scenario's own proportions. An empty one keeps the scenario's allocation;
            none at all means ``{as_planned: {}}``.
    """

    total_cny: list[float] = field(default_factory=lambda: [300e6, 600e6, 900e6, 1.2e9])
    allocations: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class BudgetConf(ExperimentConf):
    """A budget sweep: scenarios x allocations x totals.

    Attributes:
        budget: the totals and allocations swept.
        p_goal: the probability of meeting a goal that "the least budget" has to reach.
    """

    scenarios: list[str] = field(default_factory=list)  # empty = the model's default scenario
    replications: int = 20
    budget: BudgetSweepConf = field(default_factory=BudgetSweepConf)
    p_goal: float = 0.8


@dataclass
class SensitivityConf(ExperimentConf):
    """Which uncertain parameters drive an outcome: Morris screening or Sobol indices (SALib).

    Attributes:
        method: morris or sobol.
        outcomes: what is ranked for: goals_met, outcome_goals_met, a goal id, <goal>.attainment,
            <goal>.met, spent_cny, shortfall_cny.
        N: Morris: trajectories; Sobol: base samples (runs: N x (parameters + 1), N x (parameters + 2)).
        levels: Morris: levels of the grid (even).
        seeds_per_point: seeds every parameter set runs with (the first of the replication seeds: the same
            for every set).
        replications: seeds the parameters' defaults run with, for the seed-noise level.
    """

    scenarios: list[str] = field(default_factory=list)  # empty = the model's default scenario; one only
    replications: int = 10
    method: str = "morris"
    outcomes: list[str] = field(default_factory=lambda: ["goals_met", "farmer_loan_balance", "ebank_substitution",
                                                         "village_coverage"])
    N: int = 10
    levels: int = 4
    seeds_per_point: int = 1


@dataclass
class CalibrateConf(ExperimentConf):
    """Fit uncertain parameters to the end-2015 calibration targets by rejection ABC.

    Attributes:
        parameters: the uncertain parameters fitted (their declared ranges and distributions are the prior).
        targets: names of :data:`sim.calibration.TARGETS`; empty = all of them.
        samples: parameter sets drawn from the prior (a Latin hypercube).
        replications: seeds every set is built with (the same for every set); the state is their mean.
    """

    scenarios: list[str] = field(default_factory=list)  # empty = the model's default scenario; one only
    replications: int = 1
    samples: int = 200
    targets: list[str] = field(default_factory=list)


OBJECTIVES = ("goals_met", "outcome_goals_met", "p_all", "weighted")
SAMPLERS = ("tpe", "cmaes", "random")
OTHERS = ("plan", "zero")
EQUITY_GAPS = ("remote_near_gap", "bottom_top_gap", "concentration_index")  # sim.equity.record_gaps's measures
EQUITY_RULES = ("no_wider",)


@dataclass
class OptimiseConf(ExperimentConf):
    """A search for the split of the money that serves the planner's objective best.

    The total is the model's ``budget.total_cny`` (``budget.total_cny=9e8`` on the command line), or each
    of ``totals`` in turn. ``replications`` is the first rung of successive halving: every candidate runs on
    the first ``replications`` seeds, the best ``promote`` of them on twice as many, and so on for ``rungs``
    rungs.

    Attributes:
        evaluations: candidate allocations asked of the optimiser at each total.
        objective: goals_met (expected goals met), outcome_goals_met, p_all (probability that every goal of
            ``goals`` is met) or weighted (sum of ``weights`` x attainment capped at 1).
        goals: the goals of p_all, and of the frontier's probability of meeting them all (empty = every goal).
        weights: goal -> weight for ``weighted`` (empty = every goal weighs 1).
        constraints: goal -> probability: P(goal met) must reach it (infeasible candidates rank below feasible ones).
        equity_constraints: end-2020 equity measure (as named in the run store, e.g. remote_near_gap_line) ->
            no_wider: the candidate's mean gap in absolute value on its seeds may not exceed the scenario's own
            allocation's on the same seeds (infeasible candidates rank below feasible ones).
        levers: the levers whose shares are searched (empty = every lever).
        others: what the levers not named get: plan (the scenario's shares, scaled into what the named ones
            leave, itself searched) or zero.
        phasing: search the phasing of the money over 2016-2020 too.
        scales: levers whose ``scale`` is searched as well, within ``scale_range``.
        scale_range: the lowest and highest scale searched.
        sampler: tpe (Optuna's TPE, multivariate), cmaes (Optuna's CMA-ES) or random.
        batch: candidates asked at once and evaluated in one launch; 0 = automatic.
        rungs: rungs of successive halving (1 = every candidate on ``replications`` seeds only).
        promote: share of a rung's candidates promoted to the next.
        holdout: fresh seeds, never seen by the search, on which the winner and the plan are compared.
        totals: totals (CNY) to search at in turn for the money frontier; empty = the model's total.
        p_goal: the probability of meeting every goal of ``goals`` the frontier's least total has to reach.
    """

    scenarios: list[str] = field(default_factory=list)  # empty = the model's default scenario
    replications: int = 1
    evaluations: int = 300
    objective: str = "goals_met"
    goals: list[str] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    constraints: dict[str, float] = field(default_factory=dict)
    equity_constraints: dict[str, str] = field(default_factory=dict)
    levers: list[str] = field(default_factory=list)
    others: str = "plan"
    phasing: bool = False
    scales: list[str] = field(default_factory=list)
    scale_range: list[float] = field(default_factory=lambda: [0.5, 2.0])
    sampler: str = "tpe"
    batch: int = 0
    rungs: int = 3
    promote: float = 0.25
    holdout: int = 30
    totals: list[float] = field(default_factory=list)
    p_goal: float = 0.8


SCHEMAS: dict[str, type[ExperimentConf]] = {"compare": CompareConf, "budget": BudgetConf,
                                            "sensitivity": SensitivityConf, "calibrate": CalibrateConf,
                                            "optimise": OptimiseConf}
for _kind, _schema in SCHEMAS.items():
    ConfigStore.instance().store(name=f"{_kind}_schema", node=_schema)


# ---------------------------------------------------------------- validation
def validate_experiment(conf: ExperimentConf) -> ExperimentConf:
    """Check an experiment's own values and fill its defaults (scenarios, reference).

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    known = scenario_names()
    if not conf.scenarios:
        one = isinstance(conf, BudgetConf | SensitivityConf | CalibrateConf | OptimiseConf)
        conf.scenarios = [default_scenario()] if one else known
    bad = [s for s in conf.scenarios if s not in known]
    if bad:
        raise ConfigError("scenarios", bad, "scenario names of configs/scenario/: " + ", ".join(known))
    if len(set(conf.scenarios)) != len(conf.scenarios):
        raise ConfigError("scenarios", list(conf.scenarios), "each scenario once")
    if isinstance(conf, OptimiseConf):  # the first rung of a search: one seed screens, more come by promotion
        if conf.replications < 1:
            raise ConfigError("replications", conf.replications, "an integer >= 1 (seeds of the search's first rung)")
    elif conf.replications < (1 if isinstance(conf, CalibrateConf) else 2):
        raise ConfigError("replications", conf.replications, "an integer >= 1 (seeds per parameter set)"
                          if isinstance(conf, CalibrateConf) else "an integer >= 2 (an interval needs two runs)")
    if not 0 < conf.confidence < 1:
        raise ConfigError("confidence", conf.confidence, "a level strictly between 0 and 1, e.g. 0.95")
    if conf.p_interval not in P_INTERVALS:
        raise ConfigError("p_interval", conf.p_interval, "one of " + ", ".join(P_INTERVALS))
    if conf.lang not in LANGS:
        raise ConfigError("lang", conf.lang, "one of " + ", ".join(LANGS))
    if conf.runs_per_job < 0:
        raise ConfigError("runs_per_job", conf.runs_per_job, "an integer >= 0 (0 = automatic)")
    if conf.seed < 0:
        raise ConfigError("seed", conf.seed, "an integer >= 0")
    if conf.name and (Path(conf.name).name != conf.name or conf.name.startswith(".")):
        raise ConfigError("name", conf.name, "a folder name without '/' that does not start with '.'")
    check_out_root(conf.out_root)
    for o in conf.model:
        key = o.lstrip("+~").split("=", 1)[0]
        if "=" not in o:
            raise ConfigError("model", o, "overrides of the form key=value")
        if key in ("seed", "scenario"):
            allowed = "the experiment sets seeds itself (use seed= for the root seed)" if key == "seed" else \
                "scenarios=[...] to choose scenarios"
            raise ConfigError(key, o.split("=", 1)[1], allowed)
    if isinstance(conf, CompareConf):
        if not conf.reference:
            main = default_scenario()
            conf.reference = main if main in conf.scenarios else conf.scenarios[0]
        if conf.reference not in conf.scenarios:
            raise ConfigError("reference", conf.reference, "one of the scenarios: " + ", ".join(conf.scenarios))
    if isinstance(conf, BudgetConf):
        _validate_budget(conf)
    if isinstance(conf, CompareConf | BudgetConf):
        from sim.experiment.uncertainty import validate_uncertainty

        validate_uncertainty(conf)
    if isinstance(conf, SensitivityConf):
        from sim.experiment.sensitivity import validate_sensitivity

        validate_sensitivity(conf)
    if isinstance(conf, CalibrateConf):
        from sim.experiment.calibrate import validate_calibrate

        validate_calibrate(conf)
    if isinstance(conf, OptimiseConf):
        _validate_optimise(conf)
    return conf


def _validate_optimise(conf: OptimiseConf) -> None:
    from sim.goals import GOAL_IDS

    def check_goal(key: str, goal: str, value: object) -> None:
        if goal not in GOAL_IDS:
            raise ConfigError(key, value, "goal ids of configs/data/goals_2020.csv: " + ", ".join(GOAL_IDS))

    if len(conf.scenarios) != 1:
        raise ConfigError("scenarios", list(conf.scenarios), "one scenario, whose allocation is the plan searched from")
    if conf.evaluations < 1:
        raise ConfigError("evaluations", conf.evaluations, "an integer >= 1 (candidates asked of the optimiser)")
    if conf.objective not in OBJECTIVES:
        raise ConfigError("objective", conf.objective, "one of " + ", ".join(OBJECTIVES))
    for g in conf.goals:
        check_goal("goals", g, list(conf.goals))
    if len(set(conf.goals)) != len(conf.goals):
        raise ConfigError("goals", list(conf.goals), "each goal once")
    for g, w in conf.weights.items():
        check_goal(f"weights.{g}", g, w)
        if not math.isfinite(w) or w < 0:
            raise ConfigError(f"weights.{g}", w, "a weight >= 0")
    if conf.weights and sum(conf.weights.values()) <= 0:
        raise ConfigError("weights", dict(conf.weights), "weights with a positive sum")
    for g, p in conf.constraints.items():
        check_goal(f"constraints.{g}", g, p)
        if not 0 < p <= 1:
            raise ConfigError(f"constraints.{g}", p, "a probability in (0, 1]")
    from sim.equity import ACCESS

    measures = [f"{m}_{a}" for m in EQUITY_GAPS for a in ACCESS.values()]
    for name, rule in conf.equity_constraints.items():
        if name not in measures:
            raise ConfigError(f"equity_constraints.{name}", rule, "equity measures: " + ", ".join(measures))
        if rule not in EQUITY_RULES:
            raise ConfigError(f"equity_constraints.{name}", rule, "one of " + ", ".join(EQUITY_RULES))
    levers = list(LEVER_NAMES)
    for key, names in (("levers", conf.levers), ("scales", conf.scales)):
        bad = [n for n in names if n not in levers]
        if bad:
            raise ConfigError(key, bad, "lever names: " + ", ".join(levers))
        if len(set(names)) != len(names):
            raise ConfigError(key, list(names), "each lever once")
    if conf.others not in OTHERS:
        raise ConfigError("others", conf.others, "one of " + ", ".join(OTHERS))
    lo_hi = list(conf.scale_range)
    if len(lo_hi) != 2 or not 0 < lo_hi[0] < lo_hi[1] <= 20:
        raise ConfigError("scale_range", lo_hi, "[low, high] with 0 < low < high <= 20")
    if conf.sampler not in SAMPLERS:
        raise ConfigError("sampler", conf.sampler, "one of " + ", ".join(SAMPLERS))
    if conf.batch < 0:
        raise ConfigError("batch", conf.batch, "an integer >= 0 (0 = automatic)")
    if conf.rungs < 1:
        raise ConfigError("rungs", conf.rungs, "an integer >= 1")
    if not 0 < conf.promote < 1:
        raise ConfigError("promote", conf.promote, "a share strictly between 0 and 1")
    if conf.holdout < 2:
        raise ConfigError("holdout", conf.holdout, "an integer >= 2 (an interval needs two runs)")
    for total in conf.totals:
        if not math.isfinite(total) or total <= 0:
            raise ConfigError("totals", list(conf.totals), "totals > 0 (CNY)")
    if len(set(conf.totals)) != len(conf.totals):
        raise ConfigError("totals", list(conf.totals), "each total once")
    if not 0 < conf.p_goal <= 1:
        raise ConfigError("p_goal", conf.p_goal, "a probability in (0, 1]")
    if conf.uncertainty != "none":  # every candidate runs on every set: samples is not bounded by replications
        import dataclasses

        from sim.experiment.uncertainty import validate_uncertainty

        validate_uncertainty(dataclasses.replace(conf, replications=max(conf.replications, conf.samples)))


def _validate_budget(conf: BudgetConf) -> None:
    totals = list(conf.budget.total_cny)
    if not totals:
        raise ConfigError("budget.total_cny", totals, "a list of at least one total (CNY)")
    for t in totals:
        if not math.isfinite(t) or t < 0:
            raise ConfigError("budget.total_cny", t, "totals >= 0 (CNY)")
    if len(set(totals)) != len(totals):
        raise ConfigError("budget.total_cny", totals, "each total once")
    if not conf.budget.allocations:
        conf.budget.allocations = {"as_planned": {}}
    levers = list(LEVER_NAMES)
    for name, shares in conf.budget.allocations.items():
        for lever, share in shares.items():
            key = f"budget.allocations.{name}.{lever}"
            if lever not in levers:
                raise ConfigError(key, share, "lever names: " + ", ".join(levers))
            if not 0 <= share <= 1:
                raise ConfigError(key, share, "a share in [0, 1]")
        if sum(shares.values()) > 1 + 1e-9:
            raise ConfigError(f"budget.allocations.{name}", dict(shares), "named shares that add up to at most 1")
    if not 0 < conf.p_goal <= 1:
        raise ConfigError("p_goal", conf.p_goal, "a probability in (0, 1]")


# ---------------------------------------------------------------- the command line
def _is_experiment_key(kind: str, key: str) -> bool:
    if key.startswith(("hydra.", "hydra/")) or key == "hydra":
        return True
    node = OmegaConf.structured(SCHEMAS[kind])
    head = key.split(".", 1)[0]
    if head not in node:
        return head not in {f.name for f in dataclasses.fields(SimConf)}
    if "." not in key:
        return True
    sub = node[head]
    if OmegaConf.is_dict(sub) and OmegaConf.get_type(sub) is dict:
        return True  # a free dict such as budget.allocations.<name>
    try:
        return OmegaConf.select(node, key, throw_on_missing=False) is not None or _free_dict_below(node, key)
    except OmegaConfBaseException:
        return False


def _free_dict_below(node: Any, key: str) -> bool:
    parts = key.split(".")
    for i in range(1, len(parts)):
        sub = OmegaConf.select(node, ".".join(parts[:i]))
        if OmegaConf.is_dict(sub) and OmegaConf.get_type(sub) is dict:
            return True
    return False


def split_overrides(kind: str, args: list[str]) -> tuple[list[str], list[str]]:
    """Split command-line overrides into the experiment's and the model's.

    Args:
        kind: ``compare`` or ``budget``.
        args: overrides such as ``replications=50`` or ``population.weight=100``.

    Returns:
        (experiment overrides, model overrides).
    """
    exp, model = [], []
    for a in args:
        key = a.lstrip("+~").split("=", 1)[0]
        if key.startswith(FREE_DICTS) and not a.startswith(("+", "~")):
            a = "++" + a  # names of allocations are the user's own: add them, as Hydra's ++ does
        (exp if _is_experiment_key(kind, key) else model).append(a)
    return exp, model


def quote_list(items: list[str]) -> str:
    """A list of strings as a Hydra override value that survives '=' and ',' inside the items."""
    inner = ",".join("'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'" for s in items)
    return f"[{inner}]"


def compose_experiment(kind: str, overrides: list[str]) -> ExperimentConf:
    """Compose ``sim/experiment/conf/<kind>.yaml`` with overrides, type-check and validate it.

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    try:
        cfg = compose_config(EXPERIMENT_CONF_DIR, kind, overrides, return_hydra_config=True)
    except ConfigError as exc:
        allowed = _schema_allowed(kind, exc.key) if exc.key and "full_key" in exc.allowed else None
        if allowed is None:
            raise
        raise ConfigError(exc.key, exc.value, allowed) from None
    return to_experiment(kind, cfg)


def to_experiment(kind: str, cfg: Any) -> ExperimentConf:
    """A composed config (with or without its ``hydra`` node) as the validated dataclass."""
    try:
        if "hydra" in cfg:  # a masked copy loses the schema's type, so merge onto the schema again
            cfg = OmegaConf.merge(OmegaConf.structured(SCHEMAS[kind]),
                                  OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]))
        obj = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as exc:
        raise ConfigError(getattr(exc, "full_key", None) or "?", getattr(exc, "value", None),
                          one_paragraph(getattr(exc, "msg", exc))) from None
    if not isinstance(obj, SCHEMAS[kind]):
        raise ConfigError("<root>", type(obj).__name__, f"a config built on {kind}_schema")
    return validate_experiment(obj)


def experiment_dir(kind: str, conf: ExperimentConf, definition_hash: str) -> Path:
    """The experiment's folder: ``out_root/name``, or ``out_root/<kind>-<hash>`` when no name is given."""
    return resolve_out_root(conf.out_root) / (conf.name or f"{kind}-{definition_hash[:10]}")


def resolve_out_root(out_root: str) -> Path:
    """``out_root`` as an absolute path (relative paths are relative to the project root)."""
    root = Path(out_root).expanduser()
    return root if root.is_absolute() else ROOT / root


def check_out_root(out_root: str) -> None:
    """Check, without writing anything, that experiment folders can be made under ``out_root``.

    The nearest existing folder on the way must be a folder that this user may write into on a
    writable filesystem (``os.access`` answers for permissions and read-only mounts alike).

    Raises:
        ConfigError: naming ``out_root``, the path at fault and what is wrong with it.
    """
    if not out_root:
        raise ConfigError("out_root", out_root, "a folder path (relative paths are relative to the project root)")
    root = resolve_out_root(out_root)
    path = root
    while not path.exists() and not path.is_symlink() and path != path.parent:
        path = path.parent
    if path.is_symlink() and not path.exists():
        raise ConfigError("out_root", out_root, f"a folder path; {path} is a broken symbolic link")
    if not path.is_dir():
        raise ConfigError("out_root", out_root, f"a folder path; {path} is a file, not a folder")
    if not os.access(path, os.W_OK | os.X_OK):
        why = "is on a read-only filesystem" if _read_only(path) else "is not writable by this user"
        raise ConfigError("out_root", out_root, f"a folder this user can write into; {path} {why}")


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def check_override_syntax(args: list[str]) -> None:
    """Reject an override Hydra cannot parse (an unclosed list, an unmatched quote), naming its key.

    Raises:
        ConfigError: naming the key, the text after '=' and what the grammar allows.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parser = OverridesParser.create()
    for a in args:
        try:
            parser.parse_override(a)
        except HydraException as exc:
            key, _, value = a.lstrip("+~").partition("=")
            raise ConfigError(key or a, value, f"a complete value: close every [ ] and {{ }} and match quotes "
                                               f"(Hydra's override grammar; {one_paragraph(exc)})") from None


def _schema_allowed(kind: str, key: str) -> str | None:
    """What the schema allows at a key, in words (for type errors that would otherwise show OmegaConf's text)."""
    hint: Any = SCHEMAS[kind]
    for part in key.split("."):
        if not dataclasses.is_dataclass(hint):
            return "named allocations, e.g. {heavy:{stations:0.6}}: shares in [0, 1]" \
                if key.startswith("budget.allocations") else None
        hints = typing.get_type_hints(hint)
        if part not in hints:
            return None
        hint = hints[part]
    return _TYPE_WORDS.get(hint) or ("named allocations, e.g. {heavy:{stations:0.6}}: shares in [0, 1]"
                                     if key.startswith("budget.allocations") else None)


_TYPE_WORDS: dict[Any, str] = {
    bool: "true or false",
    int: "an integer",
    float: "a number",
    str: "a text value",
    list[str]: "a list of names, e.g. [plan,no_program]",
    list[float]: "a list of numbers, e.g. [3e8,6e8]",
    dict[str, float]: "a mapping of goal ids to numbers, e.g. {village_coverage:0.9}",
}
