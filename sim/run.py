"""Running the model: config loading and validation, the result object, output files, the manifest.

``simulate(overrides)`` is the model as a function (for notebooks, EMA Workbench, SALib);
``python -m sim`` (see :mod:`sim.__main__`) is the same run from the shell with Hydra.
"""

from __future__ import annotations

import dataclasses
import json
import platform
import re
import subprocess
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim import parallel
from sim.config import ConfigError, SimConf, validate
from sim.goals import format_scorecard
from sim.model import TaizhouModel
from sim.results import OUTPUT_FILES, Result

__all__ = ["CONFIG_DIR", "OUTPUT_FILES", "ROOT", "Result", "code_version", "load_config", "run_config", "simulate"]

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "configs"

ConfigStore.instance().store(name="sim_schema", node=SimConf)


def one_paragraph(text) -> str:
    """A multi-line message as one line (errors are printed as one paragraph)."""
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())


def to_sim_conf(cfg: DictConfig | SimConf) -> SimConf:
    """Turn a composed config into the validated dataclass form.

    Raises:
        ConfigError: for a value of the wrong type, an unknown key or a value out of range.
    """
    if isinstance(cfg, SimConf):
        return validate(cfg)
    try:
        cfg = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]) if "hydra" in cfg else cfg
        obj = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or "?"
        detail = one_paragraph(getattr(exc, "msg", exc))
        raise ConfigError(key, getattr(exc, "value", None), detail) from None
    if not isinstance(obj, SimConf):
        raise ConfigError("<root>", type(obj).__name__, "a config built on the sim_schema")
    return validate(obj)


def load_config(overrides: list[str] | None = None) -> SimConf:
    """Compose ``configs/config.yaml`` with Hydra overrides and validate it.

    Args:
        overrides: Hydra overrides, e.g. ``["scenario=no_program", "population.weight=100"]``.
            Overrides of the ``hydra`` node are ignored here (they only matter to ``python -m sim``).

    Returns:
        The validated config.

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    overrides = [o for o in (overrides or []) if not o.lstrip("+~").startswith(("hydra.", "hydra/"))]
    for o in overrides:
        # '+' adds a key; only the per-lever budget dictionaries take new keys
        if o.startswith("+") and "=" in o and not o.startswith(("+budget.amounts.", "+budget.allocation.")):
            key, value = o[1:].split("=", 1)
            raise ConfigError(key, value, "keys the model reads (see configs/); '+' would add one it ignores")
    return to_sim_conf(compose_config(CONFIG_DIR, "config", overrides))


def compose_config(config_dir: Path, name: str, overrides: list[str], return_hydra_config: bool = False):
    """Compose a config folder with overrides, also from inside a running Hydra app.

    Raises:
        ConfigError: for any composition error (unknown key or option, wrong type).
    """
    gh = GlobalHydra.instance()
    outer = gh.hydra if gh.is_initialized() else None
    gh.clear()
    try:
        with initialize_config_dir(str(config_dir), version_base="1.3"):
            return compose(config_name=name, overrides=overrides, return_hydra_config=return_hydra_config)
    except (HydraException, OmegaConfBaseException) as exc:
        raise composition_error(exc, overrides) from None
    finally:
        gh.clear()
        if outer is not None:
            gh.initialize(outer)


def composition_error(exc: Exception, overrides: list[str]) -> ConfigError:
    """Turn Hydra's and OmegaConf's composition errors into one ConfigError naming key, value and allowed."""
    cause = exc.__cause__ or exc
    text = one_paragraph(f"{exc} {cause if cause is not exc else ''}")
    key = getattr(cause, "full_key", None)
    missing_option = r"Could not find '([\w/]+)/(\w+)'.*?Available options in '[\w/]+': (.*?) Config search"
    if match := re.search(missing_option, text):
        return ConfigError(match[1].replace("/", "."), match[2], "one of " + ", ".join(match[3].split()))
    if match := re.search(r"Key '(\w+)' not in '(\w+)'", text):
        parent = key.rsplit(".", 1)[0] if key and "." in key else ""
        value = next((o.split("=", 1)[1] for o in overrides if o.lstrip("+~").split("=", 1)[0] == (key or match[1])),
                     None)
        return ConfigError(key or match[1], value, f"the keys of {parent or 'the config'} ({match[2]}), as in configs/")
    if match := re.search(r"Value '(.*?)' of type '\w+' could not be converted to (\w+)", text):
        return ConfigError(key or "?", match[1], f"a value of type {match[2].lower()}")
    for o in overrides:
        k = o.lstrip("+~").split("=", 1)[0]
        if k in text:
            return ConfigError(key or k, o.split("=", 1)[-1], text)
    if bad := _unparsable(overrides):
        return ConfigError(bad.lstrip("+~").split("=", 1)[0], bad.split("=", 1)[-1] if "=" in bad else None,
                           "a value Hydra can read: numbers, true/false, [a,b,...] lists with both brackets, "
                           "quoted strings ('...') for text with spaces or brackets")
    return ConfigError(key or "the command line", None, text)


def _unparsable(overrides: list[str]) -> str | None:
    """The first override Hydra's grammar cannot read, if any."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    for o in overrides:
        try:
            parser.parse_override(o)
        except (HydraException, OmegaConfBaseException, ValueError):
            return o
    return None


def code_version() -> str:
    """The git commit of the code (with '-dirty' for uncommitted changes), or the package version."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=12"], cwd=ROOT,
                             capture_output=True, text=True, timeout=5, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "package-" + metadata.version("taizhou-inclusive-finance-sim")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages a result depends on."""
    out = {"python": platform.python_version()}
    for pkg in ("mesa", "numpy", "scipy", "pandas", "pyarrow", "hydra-core", "omegaconf", "matplotlib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def run_config(cfg: SimConf, keep_model: bool = False) -> Result:
    """Build and run the model for a validated config.

    Args:
        cfg: the config (validated again here).
        keep_model: keep the model object on the result (about 4 MB at the default scale; for inspection).
    """
    cfg = validate(cfg)
    parallel.threads()  # a bad SIM_THREADS (ConfigError, naming it) stops the run here, before any work
    t0 = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    model = TaizhouModel(cfg)
    t_build = time.perf_counter() - t0
    model.run()
    wall = time.perf_counter() - t0
    manifest = {
        "status": "complete",
        "scenario": cfg.scenario.name,
        "seed": cfg.seed,
        "weight": cfg.population.weight,
        "months": cfg.months,
        "started_utc": started,
        "wall_time_s": round(wall, 3),
        "build_time_s": round(t_build, 3),
        "threads": parallel.threads(),  # of the row passes: the wall time's, never the results'
        "code_version": code_version(),
        "versions": package_versions(),
        # plain JSON types, as OmegaConf.to_container gives them, without building an OmegaConf tree (0.13 s a run)
        "config": json.loads(json.dumps(dataclasses.asdict(cfg))),
    }
    return Result.of(model, manifest, keep_model)


def simulate(overrides: list[str] | None = None, out_dir: str | Path | None = None,
             keep_model: bool = False) -> Result:
    """Run the model as a function.

    Args:
        overrides: Hydra overrides, e.g. ``["scenario=no_program", "seed=3"]``.
        out_dir: where to write the output files (nothing is written when None).
        keep_model: keep the model object on ``result.model`` for inspection.

    Returns:
        A :class:`Result` with ``.scorecard``, ``.monthly``, ``.ledger`` and ``.manifest``.

    Example:
        >>> from sim import simulate
        >>> r = simulate(["population.weight=100"])
        >>> r.scorecard[["goal_id", "value", "target", "met"]]
    """
    result = run_config(load_config(overrides), keep_model=keep_model)
    if out_dir is not None:
        result.save(out_dir)
    return result


def print_summary(result: Result, out_dir: Path | None = None) -> None:
    """The terminal report: scenario, seed, scorecard, where the files are."""
    m = result.manifest
    print(f"\nTaizhou inclusive finance 2016-2020 | scenario {m['scenario']} | seed {m['seed']} | "
          f"weight {m['weight']:g} | {m['wall_time_s']:.2f} s")
    print(format_scorecard(result.scorecard))
    if out_dir is not None:
        print(f"outputs: {out_dir}")
