"""The allocation search (``experiments/optimise.py``): what a planner relies on.

* every candidate's shares are >= 0 and add to 1 (the parametrisation, not a penalty, keeps them there);
* the search finds a planted optimum (only stations move village coverage, lectures do not);
* a search killed mid-way resumes without computing a finished run again;
* bad input stops with one line naming the key, exit code 2, nothing written.

Searches run at a coarse scale (one row per 2,000 households) in one process (``hydra/launcher=basic``).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.experiment import optimise
from sim.experiment.conf import OptimiseConf
from sim.experiment.store import RUN_META, RUNS_DIR, config_key, plan_cell, replication_seeds
from sim.levers import LEVER_NAMES
from sim.run import ROOT, load_config

COARSE = ["population.weight=2000", "hydra/launcher=basic", "progress=false"]


def _space(**kw) -> tuple[optimise.Space, object]:
    conf = OptimiseConf(**kw)
    base = load_config(["scenario=plan"])
    return optimise.Space.build(conf, base), base


@pytest.mark.parametrize("kw", [{}, {"levers": ["stations", "lectures"]},
                                {"levers": ["stations", "lectures"], "others": "zero"},
                                {"phasing": True, "scales": ["stations"]}])
def test_every_candidate_is_on_the_simplex(kw):
    space, _ = _space(**kw)
    rng = np.random.default_rng(0)
    names = space.param_names()
    draws = [dict(zip(names, rng.uniform(optimise.X_LOW, 1.0, len(names)), strict=True)) for _ in range(500)]
    draws.append(dict.fromkeys(names, 1.0))  # every weight zero
    draws.append(dict.fromkeys(names, optimise.X_LOW))  # every weight at its largest
    for params in draws:
        params.update({n: 1.3 for n in names if n.startswith("s_")})
        cand = space.decode(params)
        shares = list(cand.shares.values())
        assert set(cand.shares) == set(LEVER_NAMES)
        assert min(shares) >= 0 and abs(math.fsum(shares) - 1) <= 1e-9
        if kw.get("others") == "zero":
            assert all(v == 0 for k, v in cand.shares.items() if k not in kw["levers"])
        if cand.phasing is not None:
            assert min(cand.phasing) >= 0 and abs(math.fsum(cand.phasing) - 1) <= 1e-9


def test_the_plan_is_asked_first_as_it_is():
    space, base = _space(levers=["stations", "lectures"])
    cand = space.decode(space.plan_params())
    for k, v in base.budget.allocation.items():
        assert cand.shares[k] == pytest.approx(v, abs=1e-12)


def test_candidate_keys_are_the_composed_ones():
    """A candidate's run key, computed without composing, is the key the worker checks after composing."""
    space, base = _space(phasing=True, scales=["lectures"])
    cand = space.decode({n: 0.3 + 0.02 * i for i, n in enumerate(space.param_names())})
    seed = replication_seeds(1, 1)[0]
    composed = plan_cell({}, ["scenario=plan", *space.overrides(cand)], [seed], "v")[0].key
    import dataclasses

    assert config_key(dataclasses.replace(space.apply(base, cand), seed=seed), "v") == composed


def test_fresh_seeds_are_not_the_search_seeds():
    search = replication_seeds(20160101, 64)
    fresh = optimise.holdout_seeds(20160101, 50, search)
    assert len(set(fresh)) == 50 and not set(fresh) & set(search)
    assert fresh == optimise.holdout_seeds(20160101, 50, search)


def run_app(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "experiments/optimise.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)


def test_finds_the_planted_optimum(tmp_path):
    """Village coverage moves with stations' money and not with lectures': the winner gives stations most."""
    out = tmp_path / "out"
    r = run_app(*COARSE, "budget.total_cny=1e8", "levers=[stations,lectures]", "others=zero", "objective=weighted",
                "weights={village_coverage:1}", "evaluations=10", "batch=5", "replications=2", "rungs=2",
                "promote=0.3", "holdout=3", "sampler=random", "lang=en", f"out_root={out}", "name=planted")
    assert r.returncode == 0, r.stderr[-3000:]
    exp = out / "planted"
    cands = pd.read_parquet(exp / "candidates.parquet")
    assert len(cands) == 10
    assert (cands["shares_min"] >= 0).all() and ((cands["shares_sum"] - 1).abs() <= 1e-9).all()
    others = [f"share_{k}" for k in LEVER_NAMES if k not in ("stations", "lectures")]
    assert (cands[others] == 0).all().all()
    best = pd.read_csv(exp / "best.csv").iloc[0]
    top = cands["share_stations"].max()
    assert best["share_stations"] >= 0.8 and best["share_stations"] >= top - 0.1, (best["share_stations"], top)
    # the winner is judged out of sample, on seeds the search never used
    seeds = pd.read_csv(exp / "seeds.csv")
    runs = pd.read_parquet(exp / "runs.parquet")
    assert set(runs["seed"]) == set(seeds.loc[seeds["set"] == "holdout", "seed"])
    assert not set(runs["seed"]) & set(seeds.loc[seeds["set"] == "search", "seed"])
    for f in ("best.csv", "frontier.csv", "report.html", "figures/shares.png", "figures/convergence.png",
              "figures/frontier.png"):
        assert (exp / f).exists(), f
    assert "out of sample" in (exp / "report.html").read_text()


def test_a_candidate_widening_an_equity_gap_ranks_below_one_that_does_not():
    """A no_wider equity constraint: a higher objective does not lift a candidate that widens the gap."""
    obj = optimise.Objective.of(OptimiseConf(equity_constraints={"remote_near_gap_line": "no_wider"}))
    n = len(optimise.GOAL_IDS)
    met_hi, met_lo = np.ones((2, n), bool), np.zeros((2, n), bool)
    att = np.full((2, n), 0.5)
    plan = {"remote_near_gap_line": np.array([-0.10, -0.20])}
    wider = {"remote_near_gap_line": np.array([-0.20, -0.30])}  # |gap| up by 0.1 on the same seeds
    narrower = {"remote_near_gap_line": np.array([-0.05, 0.10])}
    v_wide, s_wide, viol_wide = obj.rank_value(met_hi, att, wider, plan)
    v_narrow, _s, viol_narrow = obj.rank_value(met_lo, att, narrower, plan)
    assert s_wide == n and viol_wide == pytest.approx(0.1) and viol_narrow == 0
    assert v_narrow > v_wide
    assert obj.rank_value(met_hi, att, plan, plan)[2] == 0  # the plan itself meets it


def test_an_equity_constraint_end_to_end(tmp_path):
    out = tmp_path / "out"
    r = run_app(*COARSE, "budget.total_cny=1e8", "levers=[stations,lectures]", "evaluations=4", "batch=4",
                "replications=1", "rungs=1", "holdout=2", "sampler=random", "lang=en",
                "equity_constraints={remote_near_gap_line:no_wider}", f"out_root={out}", "name=equity")
    assert r.returncode == 0, r.stderr[-3000:]
    cands = pd.read_parquet(out / "equity" / "candidates.parquet")
    plan_row = cands[cands["is_plan"]].iloc[0]
    gap = "equity_remote_near_gap_line"
    assert plan_row["feasible"] and plan_row[gap] == plan_row[f"{gap}_plan"]
    wide = cands["equity_remote_near_gap_line"].abs() > cands["equity_remote_near_gap_line_plan"].abs() + 1e-12
    assert (~cands.loc[wide, "feasible"]).all() and (cands.loc[~wide, "feasible"]).all()
    best = pd.read_csv(out / "equity" / "best.csv").iloc[0]
    for col in ("best_remote_near_gap_line", "plan_remote_near_gap_line", "diff_abs_remote_near_gap_line_ci_low"):
        assert col in best.index
    assert "feasible candidates" in r.stdout and "remote_near_gap_line" in r.stdout
    # the report's findings say whether the winner kept the gap from widening, out of sample
    text = (out / "equity" / "report.html").read_text()
    verdict = ", met" if best["remote_near_gap_line_no_wider"] else ", NOT met"
    assert "Equity constraint, remote–near gap in households with a credit line no wider" in text
    assert "interval [" in text and verdict + "." in text


def test_a_robust_search_runs_every_candidate_on_the_same_parameter_sets(tmp_path):
    out = tmp_path / "out"
    r = run_app(*COARSE, "budget.total_cny=1e8", "levers=[stations,lectures]", "others=zero", "evaluations=3",
                "batch=3", "replications=1", "rungs=1", "holdout=2", "sampler=random", "report=false",
                "uncertainty=lhs", "samples=2", "parameters=[uncertainties.bass_q]", f"out_root={out}", "name=robust")
    assert r.returncode == 0, r.stderr[-3000:]
    exp = out / "robust"
    sets = pd.read_csv(exp / "parameter_sets.csv")
    assert (sets["set"] == "search").sum() == 2 and (sets["set"] == "holdout").sum() == 2
    search = sets[sets["set"] == "search"]["uncertainties.bass_q"].to_numpy()
    fresh = sets[sets["set"] == "holdout"]["uncertainties.bass_q"].to_numpy()
    assert not set(search) & set(fresh)
    # every candidate's runs: one seed x the two sets, the same (seed, set) for every candidate
    metas = [json.loads((pq.read_schema(f).metadata or {})[RUN_META]) for f in (out / RUNS_DIR).glob("*.parquet")]
    by_cand: dict[int, set] = {}
    for m in metas:
        lab = m["spec"]["labels"]
        if "candidate" in lab:
            q = m["manifest"]["config"]["uncertainties"]["bass_q"]
            assert q == pytest.approx(search[lab["param_set"]])
            by_cand.setdefault(lab["candidate"], set()).add((m["spec"]["seed"], lab["param_set"], q))
    assert len(by_cand) == 3 and all(v == by_cand[0] and len(v) == 2 for v in by_cand.values())
    assert len(pd.read_parquet(exp / "candidates.parquet")) == 3
    runs = pd.read_parquet(exp / "runs.parquet")
    assert set(runs["param_set"]) == {0, 1} and set(runs["allocation"]) == {"best", "plan"}
    assert set(runs["seed"]) == set(pd.read_csv(exp / "seeds.csv").query("set == 'holdout'")["seed"])


def _origins(store: Path) -> dict[str, str]:
    out = {}
    for f in store.glob("*.parquet"):
        meta = json.loads((pq.read_schema(f).metadata or {})[RUN_META])
        out[f.stem] = meta["origin"]
    return out


def test_a_killed_search_resumes_without_running_a_finished_run_again(tmp_path):
    out = tmp_path / "out"
    args = [*COARSE, "evaluations=6", "batch=3", "replications=2", "rungs=2", "promote=0.34", "holdout=2",
            "report=false", f"out_root={out}", "name=resume"]
    store = out / RUNS_DIR
    proc = subprocess.Popen([sys.executable, "experiments/optimise.py", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    try:
        while len(list(store.glob("*.parquet"))) < 8:  # round 1 done (6 runs), round 2 under way
            assert proc.poll() is None, "the search ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    before = _origins(store)
    assert len(before) >= 8
    r = run_app(*args)
    assert r.returncode == 0, r.stderr[-3000:]
    after = _origins(store)
    assert {k: after[k] for k in before} == before  # no finished run computed again
    cands = pd.read_parquet(out / "resume" / "candidates.parquet")
    assert sorted(cands["candidate"]) == list(range(6))  # the candidates asked before the kill, and no more
    assert (out / "resume" / "best.csv").exists()


@pytest.mark.parametrize(("args", "key"), [
    (["levers=[stations,nowhere]"], "levers"),
    (["scales=[nowhere]"], "scales"),
    (["goals=[no_such_goal]"], "goals"),
    (["weights={no_such_goal:1}"], "weights.no_such_goal"),
    (["constraints={village_coverage:1.5}"], "constraints.village_coverage"),
    (["constraints={nowhere:0.9}"], "constraints.nowhere"),
    (["equity_constraints={remote_near_gap_nowhere:no_wider}"], "equity_constraints.remote_near_gap_nowhere"),
    (["equity_constraints={remote_near_gap_line:narrower_still}"], "equity_constraints.remote_near_gap_line"),
    (["evaluations=0"], "evaluations"),
    (["objective=most_money"], "objective"),
    (["sampler=grid"], "sampler"),
    (["others=some"], "others"),
    (["promote=1"], "promote"),
    (["holdout=1"], "holdout"),
    (["totals=[1e8,-1]"], "totals"),
    (["uncertainty=grid"], "uncertainty"),
    (["uncertainty=lhs", "parameters=[nowhere.at_all]"], "parameters"),
    (["budget.total_cny=-5"], "budget.total_cny"),
])
def test_bad_input_one_line_exit_2_nothing_written(args, key, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["experiments/optimise.py", *args, f"out_root={tmp_path / 'out'}"])
    with pytest.raises(SystemExit) as exc:
        optimise.prepare_argv(optimise.KIND, optimise.plan)
    assert exc.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and f"'{key}'" in lines[0], lines
    assert not any(tmp_path.iterdir())


def test_bad_objective_from_the_shell(tmp_path):
    r = run_app("objective=cheapest", f"out_root={tmp_path / 'out'}")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "'objective'" in r.stderr
    assert not any(tmp_path.iterdir())
