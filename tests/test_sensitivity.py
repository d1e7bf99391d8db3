"""experiments/sensitivity.py: Morris and Sobol at a coarse scale, the seed-noise level beside the indices, the
elementary effects as SALib computes them, and bad input refused before anything runs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.experiment.sensitivity import elementary_effects
from sim.run import ROOT

pytest.importorskip("SALib")

SMALL = ["parameters=[uncertainties.bass_q,uncertainties.need_rate_farm,uncertainties.pd_base]", "replications=2",
         "population.weight=2000", "progress=false", "lang=en", "hydra/launcher=basic"]


def run_app(*args, timeout=300):
    return subprocess.run([sys.executable, "experiments/sensitivity.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_elementary_effects_match_salib():
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1], [0, 2], [1, 3]]}
    x = sample.sample(problem, 6, num_levels=4, seed=1)
    y = 3 * x[:, 0] + x[:, 1] ** 2 + 0.1 * x[:, 0] * x[:, 2]
    ee = elementary_effects(x, y, 4 / 6)
    res = analyze.analyze(problem, x, y, num_levels=4, seed=1)
    assert np.abs(ee).mean(axis=0) == pytest.approx(np.asarray(res["mu_star"]))
    assert ee.std(axis=0, ddof=1) == pytest.approx(np.asarray(res["sigma"]))


def test_morris_end_to_end(tmp_path):
    r = run_app("method=morris", "N=2", f"out_root={tmp_path}", *SMALL)
    assert r.returncode == 0, r.stderr
    exp = next(tmp_path.glob("sensitivity-*"))
    idx = pd.read_csv(exp / "indices.csv")
    assert set(idx["outcome"]) == {"goals_met", "farmer_loan_balance", "ebank_substitution", "village_coverage"}
    assert {"mu_star", "mu_star_low", "mu_star_high", "sigma", "sigma_low", "sigma_high", "noise_sd", "noise_ee",
            "stands_out", "rank"} <= set(idx.columns)
    assert (idx["mu_star_low"] <= idx["mu_star"] + 1e-9).all() and (idx["mu_star"] <= idx["mu_star_high"] + 1e-9).all()
    # digital adoption's imitation rate moves e-banking, not farm-household lending (common seeds: exactly nothing)
    fl = idx[idx["outcome"] == "farmer_loan_balance"].set_index("parameter")
    assert fl.loc["uncertainties.bass_q", "mu_star"] == 0
    noise = pd.read_csv(exp / "noise.csv")
    assert (noise["seeds"] == 2).all() and (noise["sd"] >= 0).all()
    runs = pd.read_parquet(exp / "runs.parquet")
    sample = runs[runs["design"] == "sample"]
    assert sample["seed"].nunique() == 1  # common random numbers: every parameter set with the same seed
    page = (exp / "report.html").read_text()
    assert "stand out of the seed noise" in page and (exp / "figures" / "morris.png").exists()
    # the same command resumes from the run store: nothing is computed again
    again = run_app("method=morris", "N=2", f"out_root={tmp_path}", *SMALL)
    assert again.returncode == 0 and " 0 computed" in again.stdout


def test_sobol_end_to_end(tmp_path):
    r = run_app("method=sobol", "N=2", "parameters=[uncertainties.bass_q,uncertainties.need_rate_farm]",
                "outcomes=[ebank_substitution]", f"out_root={tmp_path}", *SMALL[1:])
    assert r.returncode == 0, r.stderr
    idx = pd.read_csv(next(tmp_path.glob("sensitivity-*")) / "indices.csv")
    assert {"S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high", "noise_share"} <= set(idx.columns)
    assert idx.iloc[0]["parameter"] == "uncertainties.bass_q"


@pytest.mark.parametrize(("arg", "key"), [
    ("method=anova", "method"),
    ("outcomes=[goals_mett]", "outcomes"),
    ("parameters=[uncertainties.bass_q,population.weight]", "parameters"),
    ("N=1", "N"),
    ("scenarios=[plan,no_program]", "scenarios"),
])
def test_bad_input_exit_2_nothing_written(tmp_path, arg, key):
    r = run_app(f"out_root={tmp_path}", *SMALL, arg)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and f"'{key}'" in r.stderr and "Traceback" not in r.stderr
    assert not any(tmp_path.iterdir())
