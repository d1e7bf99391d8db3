"""``python experiments/calibrate.py``: fit uncertain parameters to the end-2015 calibration targets (rejection ABC).

Approximate Bayesian computation by rejection: ``samples`` parameter sets are drawn from the declared
plausible ranges and distributions (a Latin hypercube, the prior), the model is built for each (its
spin-up to the end of 2015: no programme months are run), and a set is accepted when the model's end-2015
state lies inside the band of every chosen target of :data:`sim.calibration.TARGETS`. Every set runs with
the same seeds (``replications`` of them, common random numbers; the state is their mean).

Writes ``samples.csv`` (every draw: parameters, the targets' values, in band or not, accepted or not),
``posterior.csv`` (the accepted sets, one column per parameter path: what ``uncertainty=posterior
posterior=...`` of compare and budget draws from), ``fit.csv`` (per target: band, the prior's and the
posterior's values and shares in band), ``figures/calibration.png``, and the shared ``config.yaml``,
``seeds.csv`` and ``provenance.json``.

The models are built in this process's pool of the launcher's local workers (joblib: its ``n_jobs``, every
core by default; basic: one).

Resumable: the same command maps to the same experiment folder, and the sets built so far are kept in
``calibrate_progress.parquet`` after every chunk; a rerun after an interruption builds only the others (sets
built by another code version, or of other draws, are built again). The file goes once the outputs are written.
"""

from __future__ import annotations

import copy
import sys
import time

import hydra
import numpy as np
import pandas as pd

from sim.calibration import TARGETS
from sim.config import ConfigError
from sim.experiment.conf import EXPERIMENT_CONF_DIR, CalibrateConf
from sim.experiment.driver import prepare_argv, reports_os_errors, start
from sim.experiment.store import RunSpec, replication_seeds
from sim.io import write_csv_atomic, write_parquet_atomic

KIND = "calibrate"
PROGRESS = "calibrate_progress.parquet"


def target_names() -> list[str]:
    """The calibration targets by name."""
    return [tg.name for tg in TARGETS]


def validate_calibrate(conf: CalibrateConf) -> None:
    """Check the calibration keys.

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    from sim.explore import uncertain_paths

    names = target_names()
    for tg in conf.targets:
        if tg not in names:
            raise ConfigError("targets", tg, "calibration targets of docs/calibration.md: " + ", ".join(names))
    if len(set(conf.targets)) != len(conf.targets):
        raise ConfigError("targets", list(conf.targets), "each target once")
    known = set(uncertain_paths())
    if not conf.parameters:
        raise ConfigError("parameters", [], "the uncertain parameters to fit, e.g. [uncertainties.need_rate_farm,"
                          "uncertainties.pd_base] (sim.parameters().query('uncertain'))")
    for p in conf.parameters:
        if p not in known:
            raise ConfigError("parameters", p, "uncertain scalar parameters (sim.parameters().query('uncertain'))")
    if len(set(conf.parameters)) != len(conf.parameters):
        raise ConfigError("parameters", list(conf.parameters), "each parameter once")
    if conf.samples < 2:
        raise ConfigError("samples", conf.samples, "an integer >= 2 (parameter sets drawn from the prior)")
    if len(conf.scenarios) != 1:
        raise ConfigError("scenarios", list(conf.scenarios), "one scenario (the end-2015 state is the same in all)")


def no_runs(conf: CalibrateConf, seeds: list[int], version: str) -> list[RunSpec]:
    """Calibration builds models to the end of 2015 only; the run store (60-month runs) is not used."""
    return []


def prior(conf: CalibrateConf) -> pd.DataFrame:
    """The prior draws: a Latin hypercube over the declared ranges, seeded from the experiment's seed."""
    from sim.explore import lhs_sets

    return lhs_sets(conf.samples, seed=conf.seed, paths=list(conf.parameters))


def end_2015(overrides: tuple[str, ...], values: dict[str, float], seeds: list[int],
             targets: tuple[str, ...]) -> dict[str, float]:
    """The chosen targets' values of a model built (spun up) to the end of 2015, mean over the seeds."""
    from sim.calibration import TARGETS
    from sim.evaluate import apply_params
    from sim.model import TaizhouModel

    base = _base(overrides)
    chosen = [tg for tg in TARGETS if tg.name in targets]
    out = {tg.name: 0.0 for tg in chosen}
    for seed in seeds:
        cfg = apply_params(copy.deepcopy(base), values)
        cfg.seed = seed
        from sim.config import validate

        model = TaizhouModel(validate(cfg))
        for tg in chosen:
            out[tg.name] += float(tg.measure(model)) / len(seeds)
    return out


_BASES: dict[tuple[str, ...], object] = {}


def _base(overrides: tuple[str, ...]):
    """A scenario's config with the model overrides, composed once per process."""
    if overrides not in _BASES:
        from sim.run import load_config

        _BASES[overrides] = load_config(list(overrides))
    return _BASES[overrides]


def save_progress(path, draws: pd.DataFrame, results: dict[int, dict[str, float]], version: str) -> None:
    """Keep the sets built so far: their draw, code version, parameter values and targets' values (atomically)."""
    done = sorted(results)
    table = draws.iloc[done].reset_index(drop=True)
    table.insert(0, "code_version", version)
    table.insert(0, "draw", done)
    write_parquet_atomic(path, pd.concat([table, pd.DataFrame([results[i] for i in done])], axis=1))


def load_progress(path, draws: pd.DataFrame, version: str, targets: list[str]) -> dict[int, dict[str, float]]:
    """The sets an earlier run of this experiment built: {draw: targets' values}.

    Only the rows of this code version whose parameter values are this run's draws exactly count; any other row
    is built again.
    """
    if not path.exists():
        return {}
    old = pd.read_parquet(path)
    if not {"draw", "code_version", *draws.columns, *targets} <= set(old.columns):
        return {}
    done = {}
    for _, row in old.iterrows():
        i = int(row["draw"])
        if (row["code_version"] == version and 0 <= i < len(draws)
                and all(row[c] == draws.iloc[i][c] for c in draws.columns)):
            done[i] = {name: float(row[name]) for name in targets}
    return done


def fit_table(samples: pd.DataFrame, targets: list[str]) -> pd.DataFrame:
    """Per target: its band, and the prior's and posterior's mean, 5-95% range and share in band."""
    accepted = samples[samples["accepted"]]
    rows = []
    for tg in TARGETS:
        if tg.name not in targets:
            continue
        row = {"target": tg.name, "what": tg.what, "low": tg.low, "high": tg.high}
        for label, df in (("prior", samples), ("posterior", accepted)):
            v = df[tg.name].to_numpy(float)
            row.update({f"{label}_mean": float(v.mean()) if len(v) else np.nan,
                        f"{label}_p05": float(np.quantile(v, 0.05)) if len(v) else np.nan,
                        f"{label}_p95": float(np.quantile(v, 0.95)) if len(v) else np.nan,
                        f"{label}_in_band": float(np.mean((v >= tg.low) & (v <= tg.high))) if len(v) else np.nan})
        rows.append(row)
    return pd.DataFrame(rows)


def figure(samples: pd.DataFrame, parameters: list[str], targets: list[str], path) -> None:
    """Prior and accepted values of every target against its band, and prior and posterior of every parameter.

    Top row: the targets (band shaded); bottom row: the parameters (histograms over their declared ranges).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.experiment.report import _save

    acc = samples["accepted"].to_numpy(bool)
    n = max(len(targets), len(parameters))
    fig, axes = plt.subplots(2, n, figsize=(2.6 * n, 5.2), squeeze=False)
    bands = {tg.name: tg for tg in TARGETS}
    for j, name in enumerate(targets):
        ax = axes[0][j]
        v = samples[name].to_numpy(float)
        ax.hist(v, bins=20, color="#bbbbbb", label="prior")
        if acc.any():
            ax.hist(v[acc], bins=20, color="#2c6fad", label="accepted")
        ax.axvspan(bands[name].low, bands[name].high, color="#2ca25f", alpha=0.15)
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=6)
    for j, name in enumerate(parameters):
        ax = axes[1][j]
        v = samples[name].to_numpy(float)
        ax.hist(v, bins=15, color="#bbbbbb", density=True)
        if acc.sum() > 1:
            ax.hist(v[acc], bins=15, color="#2c6fad", alpha=0.7, density=True)
        ax.set_title(name.split(".", 1)[-1], fontsize=8)
        ax.tick_params(labelsize=6)
    for row in axes:
        for ax in row:
            if not ax.has_data():
                ax.axis("off")
    fig.suptitle("Rejection ABC: targets (top; band in green, accepted in blue) and parameters (bottom; "
                 "prior grey, posterior blue)", fontsize=9)
    fig.tight_layout()
    _save(fig, path)


@hydra.main(version_base="1.3", config_path=str(EXPERIMENT_CONF_DIR), config_name=KIND)
@reports_os_errors
def _app(cfg) -> None:
    from joblib import Parallel, delayed

    from sim.experiment.launch import ProgressBar, launcher_workers

    conf, exp_dir, _store, _specs, provenance = start(KIND, cfg, no_runs)
    targets = list(conf.targets) or target_names()
    draws = prior(conf)
    seeds = replication_seeds(conf.seed, conf.replications)
    overrides = (f"scenario={conf.scenarios[0]}", *conf.model)
    rows = [{k: float(v) for k, v in r.items()} for _, r in draws.iterrows()]
    version = provenance["code_version"]
    progress = exp_dir / PROGRESS
    results = load_progress(progress, draws, version, targets)
    todo = [i for i in range(len(rows)) if i not in results]
    if results:
        print(f"resumed: {len(results)} of {len(rows)} parameter sets built by an earlier run of this experiment")
    bar = ProgressBar(len(rows), enabled=conf.progress)
    t0 = time.perf_counter()
    chunk = 8  # progress between chunks; workers keep their composed base config between chunks
    launcher = provenance["launcher"]
    with Parallel(n_jobs=launcher_workers(launcher["choice"], launcher)) as par:  # the launcher's local workers
        for k in range(0, len(todo), chunk):
            part = todo[k:k + chunk]
            out = par(delayed(end_2015)(overrides, rows[i], seeds, tuple(targets)) for i in part)
            results.update(zip(part, out, strict=True))
            save_progress(progress, draws, results, version)
            bar.update(len(results), time.perf_counter() - t0)
    bar.update(len(results), time.perf_counter() - t0, final=True)
    values = pd.DataFrame([results[i] for i in range(len(rows))])
    samples = pd.concat([draws, values], axis=1)
    bands = {tg.name: tg for tg in TARGETS}
    for name in targets:
        samples[f"{name}.in_band"] = [bands[name].met(v) for v in samples[name]]
    samples["accepted"] = samples[[f"{n}.in_band" for n in targets]].all(axis=1)
    posterior = samples.loc[samples["accepted"], list(conf.parameters)].reset_index(drop=True)
    fit = fit_table(samples, targets)
    write_csv_atomic(exp_dir / "samples.csv", samples)
    write_csv_atomic(exp_dir / "posterior.csv", posterior)
    write_csv_atomic(exp_dir / "fit.csv", fit)
    (exp_dir / "figures").mkdir(exist_ok=True)
    figure(samples, list(conf.parameters), targets, exp_dir / "figures" / "calibration.png")
    progress.unlink(missing_ok=True)  # samples.csv holds every set now
    seconds = time.perf_counter() - t0
    print(f"\naccepted {len(posterior)} of {len(samples)} parameter sets ({len(posterior) / len(samples):.0%}) "
          f"in {seconds:.0f} s; every target's fit:")
    print(fit[["target", "low", "high", "prior_in_band", "posterior_mean", "posterior_in_band"]].to_string(
        index=False, float_format=lambda v: f"{v:.3g}"))
    print(f"experiment: {exp_dir}\nposterior: {exp_dir / 'posterior.csv'} (uncertainty=posterior posterior=... "
          "in compare and budget)")
    if posterior.empty:
        print("warning: no parameter set met every band: widen the parameters or draw more samples",
              file=sys.stderr)


def main() -> None:
    """Validate the command line, then run the Hydra app."""
    prepare_argv(KIND, no_runs)
    _app()


if __name__ == "__main__":
    sys.exit(main())
