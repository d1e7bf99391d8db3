"""``python experiments/sensitivity.py``: which uncertain parameters drive an outcome (Morris or Sobol, SALib).

A run is one parameter set x one seed, given to the model as overrides ``key=value``; every parameter set
runs with the same seeds (common random numbers), so two sets differ by their parameters only. The
parameters' defaults also run with ``replications`` seeds: the spread of an outcome over those seeds is the
seed-noise level, printed beside the indices so that a reader sees which effects stand out of the noise.

Writes ``indices.csv`` (Morris: mu, mu*, sigma with bootstrap intervals over trajectories; Sobol: S1 and ST
with SALib's intervals), ``noise.csv``, ``sensitivity.md`` (the ranking as Markdown), ``figures/*.png``,
``report.html``, and the shared ``runs.parquet``, ``runs_index.csv``, ``config.yaml``, ``seeds.csv``,
``provenance.json``. SALib is an optional extra: ``pip install -e ".[explore]"``.
"""

from __future__ import annotations

import copy
import math
import sys
import textwrap

import hydra
import numpy as np
import pandas as pd

from sim.config import ConfigError, validate
from sim.evaluate import apply_params
from sim.experiment import fmt, report
from sim.experiment.conf import EXPERIMENT_CONF_DIR, SensitivityConf
from sim.experiment.driver import (
    gather,
    prepare_argv,
    print_runs,
    reports_os_errors,
    start,
)
from sim.experiment.store import RunSpec, config_key, plan_cell
from sim.experiment.uncertainty import set_overrides
from sim.goals import load_goals
from sim.i18n import t
from sim.io import write_csv_atomic, write_text_atomic
from sim.run import load_config

KIND = "sensitivity"
METHODS = ("morris", "sobol")
NOISE, SAMPLE = "noise", "sample"  # design labels: the defaults over seeds, the sampled parameter sets
METRICS = ("spent_cny", "shortfall_cny")  # metrics of a run file that can be outcomes
BOOTSTRAP = 1000


def outcome_choices() -> list[str]:
    """Outcomes the sensitivity app can rank parameters for (read from the run files)."""
    goals = [g.goal_id for g in load_goals()]
    return ["goals_met", "outcome_goals_met", *goals, *(f"{g}.attainment" for g in goals),
            *(f"{g}.met" for g in goals), *METRICS]


def validate_sensitivity(conf: SensitivityConf) -> None:
    """Check the sensitivity keys.

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    from sim.explore import uncertain_paths

    if conf.method not in METHODS:
        raise ConfigError("method", conf.method, "one of " + ", ".join(METHODS))
    if len(conf.scenarios) != 1:
        raise ConfigError("scenarios", list(conf.scenarios), "one scenario, e.g. scenarios=[plan]")
    if conf.N < 2:
        raise ConfigError("N", conf.N, "an integer >= 2 (Morris: trajectories; Sobol: base samples)")
    if conf.levels < 2 or conf.levels % 2:
        raise ConfigError("levels", conf.levels, "an even integer >= 2 (Morris grid levels)")
    if not 1 <= conf.seeds_per_point <= conf.replications:
        raise ConfigError("seeds_per_point", conf.seeds_per_point,
                          f"an integer in [1, replications = {conf.replications}]")
    if conf.uncertainty != "none":
        raise ConfigError("uncertainty", conf.uncertainty, "none (the sensitivity app samples parameters itself)")
    known = set(uncertain_paths())
    for p in conf.parameters:
        if p not in known:
            raise ConfigError("parameters", p, "uncertain scalar parameters (sim.parameters().query('uncertain')), "
                              "e.g. [uncertainties.bass_q,bank.ldr_cap]; [] = all of them")
    if conf.parameters and len(conf.parameters) < 2:
        raise ConfigError("parameters", list(conf.parameters), "at least two parameters ([] = all)")
    if len(set(conf.parameters)) != len(conf.parameters):
        raise ConfigError("parameters", list(conf.parameters), "each parameter once")
    choices = outcome_choices()
    if not conf.outcomes:
        raise ConfigError("outcomes", [], "at least one of " + ", ".join(choices[:6]) + ", ...")
    for o in conf.outcomes:
        if o not in choices:
            raise ConfigError("outcomes", o, "goals_met, outcome_goals_met, a goal id (farmer_loan_balance), "
                              "<goal>.attainment, <goal>.met, spent_cny or shortfall_cny")


def salib_problem(conf: SensitivityConf):
    """The SALib problem over the chosen parameters, ranges and distributions from their declarations.

    Raises:
        ConfigError: when SALib is not installed.
    """
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise ConfigError("method", conf.method, "an installed SALib: pip install -e \".[explore]\"") from None
    from sim.explore import problem

    return problem(list(conf.parameters) or None, levers=[], outcomes=["goals_met"]).salib()


def design(conf: SensitivityConf) -> tuple[object, np.ndarray, float]:
    """The problem, its sample X (rows = parameter sets; the same for the same config) and Morris' step."""
    spec = salib_problem(conf)
    if conf.method == "morris":
        from SALib.sample import morris

        x = morris.sample(spec, conf.N, num_levels=conf.levels, seed=conf.seed)
        return spec, x, conf.levels / (2 * (conf.levels - 1))
    from SALib.sample import sobol

    return spec, sobol.sample(spec, conf.N, calc_second_order=False, seed=conf.seed), math.nan


def plan(conf: SensitivityConf, seeds: list[int], version: str) -> list[RunSpec]:
    """The defaults over every seed (noise), and every distinct parameter set over the first seeds."""
    spec, x, _delta = design(conf)
    overrides = [f"scenario={conf.scenarios[0]}", *conf.model]
    specs = plan_cell({"design": NOISE, "point": -1}, overrides, seeds, version)
    base = load_config(overrides)
    _, first = np.unique(x, axis=0, return_index=True)
    names = spec["names"]
    for j in sorted(first.tolist()):
        row = pd.Series(x[j], index=names)
        extra = set_overrides(row)
        cfg = copy.deepcopy(base)
        try:
            apply_params(cfg, {k: float(v) for k, v in row.items()})
            validate(cfg)
        except ConfigError as exc:  # a combination the model refuses (e.g. too few rows at this weight)
            raise ConfigError(exc.key, exc.value, f"{exc.allowed}; sampled parameter set {j} breaks it at this "
                              "scale: choose a finer population.weight or fewer parameters") from None
        for rep, seed in enumerate(seeds[:conf.seeds_per_point]):
            cfg.seed = seed
            specs.append(RunSpec(config_key(cfg, version), {"design": SAMPLE, "point": j}, rep, seed,
                                 [*overrides, *extra, f"seed={seed}"]))
    return specs


# ---------------------------------------------------------------- outcomes of runs
def outcome_table(runs: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """One row per run (design, point, replication, seed), one column per outcome."""
    kinds = {g.goal_id: g.kind for g in load_goals()}
    ident = ["design", "point", "replication", "seed"]
    goals = runs[runs["kind"] == "goal"]
    met = goals.assign(met=goals["met"].astype(float), outcome=goals["name"].map(kinds).eq("outcome"))
    out = met.groupby(ident, sort=False).agg(goals_met=("met", "sum"))
    out["outcome_goals_met"] = met[met["outcome"]].groupby(ident, sort=False)["met"].sum()
    for o in outcomes:
        if o in out.columns:
            continue
        name, _, part = o.partition(".")
        col = {"": "value", "attainment": "attainment", "met": "met"}[part]
        sub = runs[runs["name"] == name].set_index(ident)[col].astype(float)
        out[o] = sub
    return out[list(outcomes)].reset_index()


def noise_table(table: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """Per outcome: the defaults' mean and sd over the seeds (the seed-noise level)."""
    noise = table[table["design"] == NOISE]
    return pd.DataFrame([{"outcome": o, "seeds": len(noise), "mean": float(noise[o].mean()),
                          "sd": float(noise[o].std(ddof=1))} for o in outcomes])


def point_means(table: pd.DataFrame, x: np.ndarray, outcome: str) -> np.ndarray:
    """Y for every row of X: the mean over its seeds of the first identical row's runs."""
    sample = table[table["design"] == SAMPLE].groupby("point")[outcome].mean()
    _, first, inverse = np.unique(x, axis=0, return_index=True, return_inverse=True)
    return sample.reindex(first[inverse.ravel()]).to_numpy(float)


# ---------------------------------------------------------------- indices
def morris_indices(spec, x: np.ndarray, y: np.ndarray, delta: float, conf: SensitivityConf) -> pd.DataFrame:
    """SALib's Morris indices, with percentile bootstrap intervals of mu* and sigma over the trajectories."""
    from SALib.analyze import morris

    res = morris.analyze(spec, x, y, num_resamples=BOOTSTRAP, conf_level=conf.confidence,
                         num_levels=conf.levels, seed=conf.seed)
    ee = elementary_effects(x, y, delta)  # trajectories x parameters
    rng = np.random.default_rng(conf.seed)
    idx = rng.integers(0, ee.shape[0], size=(BOOTSTRAP, ee.shape[0]))
    boot = ee[idx]  # resamples x trajectories x parameters
    a = (1 - conf.confidence) / 2
    mu_star_b = np.abs(boot).mean(axis=1)
    sigma_b = boot.std(axis=1, ddof=1)
    return pd.DataFrame({
        "parameter": list(res["names"]),
        "mu": np.asarray(res["mu"], float),
        "mu_star": np.asarray(res["mu_star"], float),
        "mu_star_conf": np.asarray(res["mu_star_conf"], float),
        "mu_star_low": np.quantile(mu_star_b, a, axis=0),
        "mu_star_high": np.quantile(mu_star_b, 1 - a, axis=0),
        "sigma": np.asarray(res["sigma"], float),
        "sigma_low": np.quantile(sigma_b, a, axis=0),
        "sigma_high": np.quantile(sigma_b, 1 - a, axis=0),
    })


def elementary_effects(x: np.ndarray, y: np.ndarray, delta: float) -> np.ndarray:
    """Morris elementary effects (trajectories x parameters), as SALib computes them: dy / delta, signed."""
    k = x.shape[1]
    n = x.shape[0] // (k + 1)
    ee = np.zeros((n, k))
    for tr in range(n):
        xs, ys = x[tr * (k + 1):(tr + 1) * (k + 1)], y[tr * (k + 1):(tr + 1) * (k + 1)]
        dx = np.diff(xs, axis=0)
        for m in range(k):
            i = int(np.flatnonzero(dx[m])[0]) if np.any(dx[m]) else m
            sign = 1.0 if dx[m, i] > 0 else -1.0
            ee[tr, i] = sign * (ys[m + 1] - ys[m]) / delta
    return ee


def sobol_indices(spec, y: np.ndarray, conf: SensitivityConf) -> pd.DataFrame:
    """SALib's first-order and total Sobol indices with their bootstrap intervals."""
    from SALib.analyze import sobol

    res = sobol.analyze(spec, y, calc_second_order=False, num_resamples=BOOTSTRAP, conf_level=conf.confidence,
                        seed=conf.seed)
    out = pd.DataFrame({"parameter": list(spec["names"])})
    for k in ("S1", "ST"):
        v, c = np.asarray(res[k], float), np.asarray(res[f"{k}_conf"], float)
        out[k], out[f"{k}_conf"], out[f"{k}_low"], out[f"{k}_high"] = v, c, v - c, v + c
    return out


def indices(conf: SensitivityConf, table: pd.DataFrame, noise: pd.DataFrame) -> pd.DataFrame:
    """Every outcome's indices, ranked, with the seed-noise level and whether each effect stands out of it.

    Morris: pure seed noise between two runs would give elementary effects of about sqrt(2) sd / delta
    (``noise_ee``); a parameter stands out when the lower end of its mu* interval exceeds that. Sobol: seed
    noise can explain a share sd^2 / Var(Y) of the output variance (``noise_share``); a parameter stands
    out when the lower end of its ST interval exceeds that.
    """
    spec, x, delta = design(conf)
    frames = []
    for o in conf.outcomes:
        y = point_means(table, x, o)
        sd = float(noise.set_index("outcome").loc[o, "sd"]) / math.sqrt(conf.seeds_per_point)
        if conf.method == "morris":
            df = morris_indices(spec, x, y, delta, conf)
            df["noise_sd"], df["noise_ee"] = sd, math.sqrt(2) * sd / delta
            df["stands_out"] = df["mu_star_low"] > df["noise_ee"]
            key = "mu_star"
        else:
            df = sobol_indices(spec, y, conf)
            var = float(np.var(y, ddof=1))
            df["noise_sd"], df["noise_share"] = sd, (sd * sd / var if var > 0 else math.nan)
            df["stands_out"] = df["ST_low"] > df["noise_share"]
            key = "ST"
        df = df.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
        df.insert(0, "rank", np.arange(1, len(df) + 1))
        df.insert(0, "method", conf.method)
        df.insert(0, "outcome", o)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- report
def _outcome_label(o: str, lang: str) -> str:
    name, _, part = o.partition(".")
    goals = {g.goal_id: g for g in load_goals()}
    if o in ("goals_met", "outcome_goals_met"):
        return t(f"s_{o}", lang)
    if name in goals:
        base = goals[name].name_zh if lang == "zh" else goals[name].name_en
        return base + (f" ({t('s_' + part, lang)})" if part else "")
    return o


def _unit(o: str) -> str:
    goals = {g.goal_id: g for g in load_goals()}
    name, _, part = o.partition(".")
    if name in goals and not part:
        return goals[name].unit
    return "CNY" if o in METRICS else ""


def _num(v: float, o: str, lang: str) -> str:
    unit = _unit(o)
    return fmt.value(v, unit, lang) if unit else fmt.number(v, 3)


def findings(idx: pd.DataFrame, noise: pd.DataFrame, conf: SensitivityConf, lang: str, top: int = 5) -> list[str]:
    """Per outcome: the parameters that stand out of the seed noise, strongest first, and the noise level."""
    out = []
    key = "mu_star" if conf.method == "morris" else "ST"
    for o, grp in idx.groupby("outcome", sort=False):
        clear = grp[grp["stands_out"]]
        sd = float(noise.set_index("outcome").loc[o, "sd"])
        items = [f"{r.parameter} ({_num(getattr(r, key), o, lang) if key == 'mu_star' else fmt.number(r.ST, 2)})"
                 for r in clear.head(top).itertuples()]
        text = t("s_finding", lang).format(outcome=_outcome_label(o, lang), n=len(clear), of=len(grp),
                                           items=("、" if lang == "zh" else "; ").join(items) or "—",
                                           sd=_num(sd, o, lang), seeds=int(noise["seeds"].iloc[0]))
        out.append(text)
    return out


def ranking_figure(idx: pd.DataFrame, conf: SensitivityConf, path, lang: str, top: int = 15):
    """Per outcome: the top parameters' mu* (or ST) with intervals, and the seed-noise line."""
    import matplotlib.pyplot as plt

    lang = report.figure_lang(lang)
    outs = list(dict.fromkeys(idx["outcome"]))
    key, low, high, line = (("mu_star", "mu_star_low", "mu_star_high", "noise_ee") if conf.method == "morris"
                            else ("ST", "ST_low", "ST_high", "noise_share"))
    fig, axes = plt.subplots(1, len(outs), figsize=(5.2 * len(outs), 0.32 * top + 1.6), squeeze=False)
    for ax, o in zip(axes[0], outs, strict=True):
        g = idx[idx["outcome"] == o].head(top).iloc[::-1]
        ypos = np.arange(len(g))
        err = np.vstack([g[key] - g[low], g[high] - g[key]]).clip(min=0)
        colors = ["#2c6fad" if s else "#aaaaaa" for s in g["stands_out"]]
        ax.barh(ypos, g[key], xerr=err, color=colors, ecolor="#555", capsize=2)
        ax.axvline(float(g[line].iloc[0]), color="#c0392b", ls="--", lw=1)
        ax.set_yticks(ypos, [p.split(".", 1)[-1] for p in g["parameter"]], fontsize=7)
        ax.set_title(textwrap.fill(_outcome_label(o, lang), 16 if lang == "zh" else 40), fontsize=9)
        ax.set_xlabel(t("s_axis_" + conf.method, lang), fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(t("s_fig_title", lang), fontsize=10)
    fig.tight_layout()
    return report._save(fig, path)


def indices_table(idx: pd.DataFrame, conf: SensitivityConf, lang: str, top: int = 15) -> pd.DataFrame:
    """The top parameters per outcome, in people's words (HTML-ready cells)."""
    e = report._e
    rows = []
    for o, grp in idx.groupby("outcome", sort=False):
        for r in grp.head(top).itertuples():
            row = {t("s_outcome", lang): e(_outcome_label(o, lang)), "#": r.rank,
                   t("s_parameter", lang): f"<code>{e(r.parameter)}</code>"}
            if conf.method == "morris":
                row["μ*"] = e(f"{_num(r.mu_star, o, lang)} [{_num(r.mu_star_low, o, lang)}, "
                              f"{_num(r.mu_star_high, o, lang)}]")
                row["σ"] = e(f"{_num(r.sigma, o, lang)} [{_num(r.sigma_low, o, lang)}, {_num(r.sigma_high, o, lang)}]")
                row[t("s_noise", lang)] = e(_num(r.noise_ee, o, lang))
            else:
                row["S1"] = e(f"{r.S1:.2f} [{r.S1_low:.2f}, {r.S1_high:.2f}]")
                row["ST"] = e(f"{r.ST:.2f} [{r.ST_low:.2f}, {r.ST_high:.2f}]")
                row[t("s_noise", lang)] = e(f"{r.noise_share:.2f}")
            row[t("s_stands_out", lang)] = e(t("s_yes", lang) if r.stands_out else t("s_no", lang))
            rows.append(row)
    return pd.DataFrame(rows)


def markdown(idx: pd.DataFrame, noise: pd.DataFrame, conf: SensitivityConf, command: str, top: int = 10) -> str:
    """The ranking as Markdown (for ``docs/sensitivity.md``)."""
    out = [f"Command: `{command}`", ""]
    for o, grp in idx.groupby("outcome", sort=False):
        sd = float(noise.set_index("outcome").loc[o, "sd"])
        n_out = int(grp["stands_out"].sum())
        out += [f"### {o}", "", f"Seed noise: sd {sd:.4g} over {int(noise['seeds'].iloc[0])} seeds at the defaults; "
                f"{n_out} of {len(grp)} parameters stand out of it.", ""]
        if conf.method == "morris":
            out += ["| rank | parameter | μ* [interval] | σ [interval] | noise EE | stands out |",
                    "|---|---|---|---|---|---|"]
            for r in grp.head(top).itertuples():
                out.append(f"| {r.rank} | `{r.parameter}` | {r.mu_star:.4g} [{r.mu_star_low:.4g}, {r.mu_star_high:.4g}]"
                           f" | {r.sigma:.4g} [{r.sigma_low:.4g}, {r.sigma_high:.4g}] | {r.noise_ee:.4g} | "
                           f"{'yes' if r.stands_out else 'no'} |")
        else:
            out += ["| rank | parameter | S1 [interval] | ST [interval] | noise share | stands out |",
                    "|---|---|---|---|---|---|"]
            for r in grp.head(top).itertuples():
                out.append(f"| {r.rank} | `{r.parameter}` | {r.S1:.3f} [{r.S1_low:.3f}, {r.S1_high:.3f}] | "
                           f"{r.ST:.3f} [{r.ST_low:.3f}, {r.ST_high:.3f}] | {r.noise_share:.3f} | "
                           f"{'yes' if r.stands_out else 'no'} |")
        out.append("")
    return "\n".join(out)


def method_notes(conf: SensitivityConf, n_params: int, n_points: int, index: pd.DataFrame) -> list[str]:
    """The design and the statistics, in the report's language."""
    lang = conf.lang
    design_key = "s_m_morris" if conf.method == "morris" else "s_m_sobol"
    return [
        t(design_key, lang).format(k=n_params, n=conf.N, levels=conf.levels, points=n_points,
                                   scenario=report.cell_label(conf.scenarios[0], lang)),
        t("s_m_seeds", lang).format(r=conf.replications, s=conf.seeds_per_point),
        t("s_m_noise_" + conf.method, lang),
        t("s_m_intervals", lang).format(level=fmt.percent(conf.confidence), b=BOOTSTRAP),
        t("m_runtime", lang).format(s=f"{index['wall_time_s'].mean():.2f}", n=len(index)),
    ]


@hydra.main(version_base="1.3", config_path=str(EXPERIMENT_CONF_DIR), config_name=KIND)
@reports_os_errors
def _app(cfg) -> None:
    conf, exp_dir, store_dir, specs, provenance = start(KIND, cfg, plan)
    runs, _monthly, index = gather(exp_dir, store_dir, specs)
    table = outcome_table(runs, list(conf.outcomes))
    noise = noise_table(table, list(conf.outcomes))
    idx = indices(conf, table, noise)
    write_csv_atomic(exp_dir / "indices.csv", idx)
    write_csv_atomic(exp_dir / "noise.csv", noise)
    write_text_atomic(exp_dir / "sensitivity.md", markdown(idx, noise, conf, provenance["command"]))
    if conf.report:
        lang = conf.lang
        figs = exp_dir / "figures"
        figs.mkdir(exist_ok=True)
        fig = ranking_figure(idx, conf, figs / f"{conf.method}.png", lang)
        n_points = int((table["design"] == SAMPLE).sum())
        noise_view = pd.DataFrame({t("s_outcome", lang): [report._e(_outcome_label(o, lang)) for o in noise["outcome"]],
                                   t("r_mean", lang): [report._e(_num(v, o, lang)) for o, v in
                                                       zip(noise["outcome"], noise["mean"], strict=True)],
                                   "sd": [report._e(_num(v, o, lang)) for o, v in
                                          zip(noise["outcome"], noise["sd"], strict=True)]})
        sections = [(t("s_ranking", lang), report.img(fig)),
                    (t("s_indices", lang), report.html_table(indices_table(idx, conf, lang))),
                    (t("s_noise_table", lang).format(n=conf.replications), report.html_table(noise_view))]
        report.write_report(exp_dir / "report.html", f"{t('s_title', lang)}: {exp_dir.name}",
                            findings(idx, noise, conf, lang), sections,
                            method_notes(conf, len(set(idx["parameter"])), n_points, index),
                            index["command"].iloc[0], provenance, lang)
    _print(conf, exp_dir, idx, noise, index, provenance)


def _print(conf, exp_dir, idx, noise, index, provenance) -> None:
    key = "mu_star" if conf.method == "morris" else "ST"
    for o, grp in idx.groupby("outcome", sort=False):
        sd = float(noise.set_index("outcome").loc[o, "sd"])
        print(f"\n{o}: seed-noise sd {sd:.4g}; {int(grp['stands_out'].sum())} of {len(grp)} parameters stand out")
        print(grp.head(10)[["rank", "parameter", key, "stands_out"]].to_string(index=False))
    print_runs(exp_dir, index, provenance)


def main() -> None:
    """Validate the command line, then run the Hydra app."""
    prepare_argv(KIND, plan)
    _app()


if __name__ == "__main__":
    sys.exit(main())
