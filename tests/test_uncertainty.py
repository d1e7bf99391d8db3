"""Parameter uncertainty in compare and budget: the same parameter sets for every cell, run keys that the
worker's composition reproduces, both designs side by side, and bad input refused before anything runs."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pandas as pd
import pytest

from sim.experiment.store import config_key, replication_seeds
from sim.experiment.uncertainty import parameter_sets, plan_sets
from sim.run import ROOT, load_config

W = "population.weight=2000"


def conf(**kw):
    base = dict(uncertainty="lhs", samples=0, parameters=[], posterior="", replications=4, seed=7)
    return SimpleNamespace(**{**base, **kw})


def test_sets_are_seeded_from_the_experiment_seed():
    a, b = parameter_sets(conf()), parameter_sets(conf())
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 4 and not a.equals(parameter_sets(conf(seed=8)))
    assert len(parameter_sets(conf(samples=2))) == 2
    assert list(parameter_sets(conf(parameters=["uncertainties.bass_q"])).columns) == ["uncertainties.bass_q"]
    assert parameter_sets(conf(uncertainty="none")) is None


def test_plan_pairs_sets_and_seeds_and_keys_match_composition():
    sets = parameter_sets(conf(samples=2, parameters=["uncertainties.bass_q", "population.manager_hours_per_month",
                                                      "population.households_2015"]))
    seeds = replication_seeds(7, 3)
    plans = {s: plan_sets({"scenario": s}, [f"scenario={s}", W], seeds, sets, "v") for s in ("plan", "no_program")}
    for specs in plans.values():
        drawn = [s for s in specs if s.labels["design"] == "parameters"]
        assert [s.labels["param_set"] for s in drawn] == [0, 1, 0]
        assert [s.seed for s in drawn] == seeds
        assert len([s for s in specs if s.labels["design"] == "seed"]) == 3
        for s in drawn:  # what the worker will compose from the recorded overrides
            cfg = load_config([o for o in s.overrides if not o.startswith("seed=")])
            cfg.seed = s.seed
            assert config_key(cfg, "v") == s.key
    a, b = (sorted(o for o in s.overrides if o.startswith(("uncertainties.", "population.h", "population.m")))
            for s in (plans["plan"][3], plans["no_program"][3]))
    assert a == b  # the same parameter set in both scenarios: pairing intact


def run_compare(*args, timeout=300):
    return subprocess.run([sys.executable, "experiments/compare.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize(("arg", "key"), [
    ("uncertainty=maybe", "uncertainty"),
    ("samples=9", "samples"),
    ("parameters=[uncertainties.nothing]", "parameters"),
    ("parameters=[population.weight]", "parameters"),
])
def test_bad_uncertainty_input_exit_2_nothing_written(tmp_path, arg, key):
    r = run_compare("scenarios=[plan]", "replications=3", "uncertainty=lhs", arg, f"out_root={tmp_path}")
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and f"'{key}'" in r.stderr and "Traceback" not in r.stderr
    assert not any(tmp_path.iterdir())


def test_posterior_missing_file(tmp_path):
    r = run_compare("scenarios=[plan]", "replications=2", "uncertainty=posterior", f"posterior={tmp_path}/none.csv",
                    f"out_root={tmp_path}")
    assert r.returncode == 2 and "'posterior'" in r.stderr and r.stderr.count("\n") == 1


def test_compare_lhs_end_to_end(tmp_path):
    r = run_compare("scenarios=[no_program,plan]", "replications=2", "uncertainty=lhs",
                    "parameters=[uncertainties.need_rate_farm,bank.ldr_cap]", W, f"out_root={tmp_path}", "lang=en",
                    "progress=false", "hydra/launcher=basic")
    assert r.returncode == 0, r.stderr
    exp = next(tmp_path.glob("compare-*"))
    both = pd.read_csv(exp / "summary_designs.csv")
    assert set(both["design"]) == {"seed", "parameters"}
    assert set(both["scenario"]) == {"no_program", "plan"}
    summary = pd.read_csv(exp / "summary.csv")
    main = both[both["design"] == "parameters"].drop(columns="design").reset_index(drop=True)
    pd.testing.assert_frame_equal(summary, main, check_dtype=False)
    page = (exp / "report.html").read_text()
    assert "seeds only" in page and "once parameter uncertainty is admitted" in page
    runs = pd.read_parquet(exp / "runs.parquet")
    assert {"design", "param_set"} <= set(runs.columns)
