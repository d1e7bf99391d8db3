"""One declaration per parameter: default, unit, allowed range or choices, source, and its uncertainty.

Every field of the config schema (:mod:`sim.config`, the levers in :mod:`sim.levers`) is declared with
:func:`param`. Validation (:func:`check_leaf`), the parameter table (:func:`parameters`,
``python -m sim.params``), ``docs/parameters.md`` and the experiments' uncertainty ranges are all read from
these declarations; nothing is written a second time.

A parameter is *uncertain* when it carries a plausible range for experiments (``uncertain=(low, high)``, or
``prior="id"`` to take the low / central / high of ``configs/data/behaviour_priors.csv``). Its allowed range
(``low``/``high``) is what the model can run with at all; the plausible range lies inside it.

Example:
    >>> @dataclass
    ... class C:
    ...     bass_q: float = param(prior="bass_q", unit="per year", low=0, high=1)
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parents[2] / "configs" / "data"
PRIORS_FILE = DATA_DIR / "behaviour_priors.csv"
DISTRIBUTIONS = ("uniform", "triangular", "loguniform")


class ConfigError(ValueError):
    """A configuration value that the model cannot run with: names the key, the value and what is allowed."""

    def __init__(self, key: str, value: Any, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"Invalid configuration: '{key}' = {value!r}; allowed: {allowed}.")


@dataclass(frozen=True)
class Spec:
    """What is declared about one parameter besides its default.

    Attributes:
        unit: its unit, e.g. ``CNY``, ``share``, ``per year``.
        source: where the default comes from (a fact id, a paper, the plan) or ``prior``.
        low: smallest allowed value (lists: of every element); None = no bound.
        high: largest allowed value; None = no bound.
        low_open: the lower bound itself is not allowed.
        high_open: the upper bound itself is not allowed.
        choices: allowed values of a string or of every element of a list of strings.
        length: lists: the exact length.
        total: lists: what the elements must add up to.
        integer: counts: whole numbers only.
        uncertain: (low, high) plausible range for experiments, or None for a fixed parameter or a lever.
        dist: the experiments' distribution over the plausible range (uniform, triangular around the
            default, loguniform).
        doc: one line saying what it is.
    """

    unit: str = ""
    source: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple | None = None
    length: int | None = None
    total: float | None = None
    integer: bool = False
    uncertain: tuple[float, float] | None = None
    dist: str | None = None
    doc: str = ""

    def allowed(self) -> str:
        """The allowed values in words, for error messages and the documentation."""
        if self.choices is not None:
            head = "one of " + ", ".join(map(str, self.choices))
            return head if self.length is None else f"a list of {self.length} values, each {head}"
        kind = "a whole number" if self.integer else "a finite number"
        if self.low is not None and self.high is not None:
            rng = f"{'(' if self.low_open else '['}{_num(self.low)}, {_num(self.high)}{')' if self.high_open else ']'}"
            words = f"{kind} in {rng}"
        elif self.low is not None:
            words = f"{kind} {'>' if self.low_open else '>='} {_num(self.low)}"
        elif self.high is not None:
            words = f"{kind} {'<' if self.high_open else '<='} {_num(self.high)}"
        else:
            words = kind
        if self.length is not None:
            per = {5: ", one per year 2016..2020", 9: ", one per county", 12: ", one per calendar month"}
            words = f"a list of {self.length} numbers{per.get(self.length, '')}, each " + words
            if self.total is not None:
                words += f", adding up to {_num(self.total)}"
        if self.unit:
            words += f" ({self.unit})"
        return words


def _num(x: float) -> str:
    return f"{int(x)}" if float(x).is_integer() and abs(x) < 1e16 else f"{x:g}"


@cache
def _priors() -> dict[str, dict[str, str]]:
    with PRIORS_FILE.open(encoding="utf-8") as fh:
        return {row["parameter"]: row for row in csv.DictReader(fh)}


def prior_row(prior_id: str) -> dict[str, str]:
    """A row of ``configs/data/behaviour_priors.csv`` (low, central, high, unit, status, source)."""
    try:
        return _priors()[prior_id]
    except KeyError:
        raise KeyError(f"no prior '{prior_id}' in {PRIORS_FILE}") from None


def param(default: Any = dataclasses.MISSING, *, unit: str = "", source: str = "", low: float | None = None,
          high: float | None = None, low_open: bool = False, high_open: bool = False,
          choices: tuple | list | None = None, length: int | None = None, total: float | None = None,
          uncertain: tuple[float, float] | None = None, dist: str | None = None, prior: str | None = None,
          factory: Callable[[], Any] | None = None, doc: str = "") -> Any:
    """Declare a config field with everything known about it.

    Args:
        default: the default value (lists and dicts are copied for every instance).
        unit: the unit.
        source: the fact, paper or plan section the default comes from, or ``prior``.
        low: smallest allowed value.
        high: largest allowed value.
        low_open: exclude ``low`` itself.
        high_open: exclude ``high`` itself.
        choices: allowed strings.
        length: exact length of a list.
        total: what a list must add up to.
        uncertain: plausible (low, high) for experiments.
        dist: distribution over the plausible range; default uniform.
        prior: id of a row of ``configs/data/behaviour_priors.csv``: its central value is the default, its
            low and high the plausible range, its source the source (unless given here).
        factory: makes the default (instead of ``default``) when it must be read at run time.
        doc: one line saying what the parameter is.

    Returns:
        A :func:`dataclasses.field` carrying the :class:`Spec` in its metadata.
    """
    if prior is not None:
        row = prior_row(prior)
        lo, mid, hi = float(row["low"]), float(row["central"]), float(row["high"])
        if default is dataclasses.MISSING:
            default = mid
        if uncertain is None:
            uncertain = (min(lo, hi), max(lo, hi))
        src = f"[{prior}] {row['status']}: {row['source']}"
        source = f"{source}; {src}" if source else src
    if uncertain is not None and dist is None:
        dist = "uniform"
    spec = Spec(unit=unit, source=source, low=low, high=high, low_open=low_open, high_open=high_open,
                choices=tuple(choices) if choices is not None else None, length=length, total=total,
                uncertain=tuple(uncertain) if uncertain is not None else None, dist=dist, doc=doc)
    meta = {"spec": spec}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    if isinstance(default, list | dict):
        return field(default_factory=lambda d=default: _copy(d), metadata=meta)
    return field(default=default, metadata=meta)


def _copy(value: Any) -> Any:
    return [_copy(v) for v in value] if isinstance(value, list) else (
        {k: _copy(v) for k, v in value.items()} if isinstance(value, dict) else value)


def spec_of(f: dataclasses.Field) -> Spec | None:
    """The declaration of a dataclass field, or None for a group (a nested dataclass).

    Whether it counts whole things is read from the field's type (``int``, ``list[int]``).
    """
    spec = f.metadata.get("spec")
    if spec is not None and not spec.integer and str(f.type) in ("int", "list[int]"):
        spec = dataclasses.replace(spec, integer=True)
    return spec


# ---------------------------------------------------------------- walking the schema
def leaves(obj: Any, prefix: str = ""):
    """Yield (dotted path, value, spec) for every declared field of a config tree (groups are walked)."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            yield from leaves(value, path + ".")
        else:
            yield path, value, spec_of(f)


def spec_at(conf: Any, path: str) -> Spec | None:
    """The declaration of the leaf at ``path`` of a config tree, or None when there is no such leaf.

    ``budget.allocation.stations`` finds the declaration of ``budget.allocation``.
    """
    for p, _value, spec in leaves(conf):
        if path == p or path.startswith(p + "."):
            return spec
    return None


# ---------------------------------------------------------------- validation
def _finite_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _in_range(x: float, s: Spec) -> bool:
    if s.low is not None and (x < s.low or (s.low_open and x == s.low)):
        return False
    return not (s.high is not None and (x > s.high or (s.high_open and x == s.high)))


def check_leaf(path: str, value: Any, spec: Spec | None) -> None:
    """Check one value against its declaration.

    Raises:
        ConfigError: naming the key, the value and what the declaration allows.
    """
    if spec is None:
        return
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str):
        if spec.choices is not None and value not in spec.choices:
            raise ConfigError(path, value, spec.allowed())
        return
    if isinstance(value, list | tuple):
        if spec.length is not None and len(value) != spec.length:
            raise ConfigError(path, list(value), spec.allowed())
        if spec.choices is not None:
            bad = [v for v in value if v not in spec.choices]
            if bad:
                raise ConfigError(path, list(value), spec.allowed())
            return
        for v in value:
            if not _finite_number(v) or not _in_range(v, spec) or (spec.integer and v != int(v)):
                raise ConfigError(path, list(value), spec.allowed())
        if spec.total is not None and abs(sum(value) - spec.total) > 1e-6:
            raise ConfigError(path, list(value), spec.allowed())
        return
    if isinstance(value, dict):
        for k, v in value.items():
            check_leaf(f"{path}.{k}", v, spec)
        return
    if not _finite_number(value) or not _in_range(value, spec):
        raise ConfigError(path, value, spec.allowed())
    if spec.integer and value != int(value):
        raise ConfigError(path, value, spec.allowed())


def check_tree(conf: Any) -> None:
    """Check every declared leaf of a config tree against its declaration (first bad one raises)."""
    for path, value, spec in leaves(conf):
        check_leaf(path, value, spec)


# ---------------------------------------------------------------- the parameter table
COLUMNS = ("path", "default", "unit", "low", "high", "choices", "uncertain", "dist_low", "dist_high", "dist",
           "source", "doc")


def _fmt(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(_fmt(v)) for v in value) + "]"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value) if abs(value) < 1e6 else value
    return value


def table_rows(root: Any) -> list[dict[str, Any]]:
    """One row per leaf parameter of a config tree (dict entries are leaves of their own)."""
    rows = []
    for path, value, spec in leaves(root):
        s = spec or Spec()
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for key, v in items:
            rows.append({
                "path": path if key is None else f"{path}.{key}",
                "default": _fmt(v),
                "unit": s.unit,
                "low": s.low,
                "high": s.high,
                "choices": " ".join(map(str, s.choices)) if s.choices else "",
                "uncertain": s.uncertain is not None,
                "dist_low": s.uncertain[0] if s.uncertain else None,
                "dist_high": s.uncertain[1] if s.uncertain else None,
                "dist": s.dist or "",
                "source": s.source,
                "doc": s.doc,
            })
    return rows


def parameters():
    """The parameter table of the default config: one row per leaf, with its declaration.

    Returns:
        A pandas DataFrame with columns path, default, unit, low, high, choices, uncertain, dist_low,
        dist_high, dist, source, doc.

    Example:
        >>> import sim
        >>> sim.parameters().query("uncertain")[["path", "default", "dist_low", "dist_high"]]
    """
    import pandas as pd

    from sim.config import SimConf

    return pd.DataFrame(table_rows(SimConf()), columns=list(COLUMNS))


def markdown() -> str:
    """``docs/parameters.md``: the parameter table as Markdown, grouped by the first part of the path."""
    df = parameters()
    out = ["# Parameters", "",
           "Generated from the declarations in `sim/` by `python -m sim.params --markdown > docs/parameters.md`;",
           "`tests/test_params.py` fails when this file is stale. `python -m sim.params` prints the same table as",
           "CSV. *Allowed* is what the model runs with; *plausible* is the range experiments draw uncertain",
           "parameters from.", ""]
    parts = df["path"].str.split(".")
    group_of = [("run" if len(p) == 1 else ".".join(p[:2]) if p[0] == "levers" else p[0]) for p in parts]
    for group, sub in df.groupby(group_of, sort=False):
        out += [f"## {group}", "", "| path | default | unit | allowed | plausible | source |",
                "|---|---|---|---|---|---|"]
        for r in sub.itertuples(index=False):
            allowed = r.choices or _range_text(r.low, r.high)
            plausible = f"{_g(r.dist_low)} – {_g(r.dist_high)} ({r.dist})" if r.uncertain else ""
            src = str(r.source).replace("|", "/")
            out.append(f"| `{r.path}` | {_g(r.default)} | {r.unit} | {allowed} | {plausible} | {src} |")
        out.append("")
    return "\n".join(out)


def _g(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if isinstance(x, float):
        return f"{int(x):,}" if x.is_integer() and abs(x) < 1e16 else f"{x:g}"
    return f"{x:,}" if isinstance(x, int) and not isinstance(x, bool) else str(x)


def _range_text(low: Any, high: Any) -> str:
    lo, hi = _g(low), _g(high)
    if lo and hi:
        return f"{lo} – {hi}"
    if lo:
        return f"≥ {lo}"
    if hi:
        return f"≤ {hi}"
    return ""
