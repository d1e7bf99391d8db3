"""experiments/calibrate.py: rejection ABC over the declared ranges, accepted sets inside every band, and
uncertainty=posterior in compare drawing from them."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from sim.calibration import TARGETS
from sim.run import ROOT

PARAMS = "parameters=[uncertainties.need_rate_farm,uncertainties.pd_base]"
W = "population.weight=500"


def run(script, *args, timeout=300):
    return subprocess.run([sys.executable, f"experiments/{script}.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_calibrate_then_compare_from_the_posterior(tmp_path):
    r = run("calibrate", PARAMS, "samples=6", W, f"out_root={tmp_path}", "progress=false")
    assert r.returncode == 0, r.stderr
    exp = next(tmp_path.glob("calibrate-*"))
    samples = pd.read_csv(exp / "samples.csv")
    assert len(samples) == 6
    bands = {tg.name: tg for tg in TARGETS}
    for _, row in samples.iterrows():
        assert row["accepted"] == all(bands[n].low <= row[n] <= bands[n].high for n in bands)
    post = pd.read_csv(exp / "posterior.csv")
    assert list(post.columns) == ["uncertainties.need_rate_farm", "uncertainties.pd_base"]
    assert len(post) == samples["accepted"].sum()
    fit = pd.read_csv(exp / "fit.csv")
    assert set(fit["target"]) == set(bands)
    assert (exp / "figures" / "calibration.png").exists()
    if post.empty:
        pytest.skip("no draw met every band at this coarse scale")
    c = run("compare", "scenarios=[plan]", "replications=2", "uncertainty=posterior", f"posterior={exp}/posterior.csv",
            W, f"out_root={tmp_path}", "report=false", "progress=false", "hydra/launcher=basic")
    assert c.returncode == 0, c.stderr
    runs = pd.read_parquet(next(tmp_path.glob("compare-*")) / "runs.parquet")
    assert set(runs["design"]) == {"seed", "parameters"}


@pytest.mark.parametrize(("arg", "key"), [
    ("parameters=[]", "parameters"),
    ("targets=[npl]", "targets"),
    ("samples=1", "samples"),
])
def test_bad_input_exit_2_nothing_written(tmp_path, arg, key):
    args = [PARAMS, arg] if key != "parameters" else [arg]
    r = run("calibrate", *args, W, f"out_root={tmp_path}")
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and f"'{key}'" in r.stderr
    assert not any(tmp_path.iterdir())


def test_a_rerun_builds_only_the_sets_an_interrupted_run_did_not(tmp_path):
    from sim.experiment.calibrate import PROGRESS, load_progress, prior, save_progress
    from sim.experiment.conf import CalibrateConf
    from sim.run import code_version

    args = (PARAMS, "samples=4", "targets=[rural_borrowing_2015]", W, f"out_root={tmp_path}", "progress=false")
    r = run("calibrate", *args)
    assert r.returncode == 0, r.stderr
    exp = next(tmp_path.glob("calibrate-*"))
    assert not (exp / PROGRESS).exists()  # gone once the outputs are written
    full = pd.read_csv(exp / "samples.csv")
    # an interrupted run: the first two sets built (marked so that a rebuild would show), one of them by other code
    conf = CalibrateConf(parameters=["uncertainties.need_rate_farm", "uncertainties.pd_base"], samples=4)
    draws = prior(conf)
    assert draws.to_numpy().tolist() == full[list(draws.columns)].to_numpy().tolist()
    save_progress(exp / PROGRESS, draws, {0: {"rural_borrowing_2015": 0.123}, 1: {"rural_borrowing_2015": 0.456}},
                  code_version())
    assert set(load_progress(exp / PROGRESS, draws, code_version(), ["rural_borrowing_2015"])) == {0, 1}
    assert load_progress(exp / PROGRESS, draws, "another", ["rural_borrowing_2015"]) == {}
    assert load_progress(exp / PROGRESS, draws.iloc[::-1].reset_index(drop=True), code_version(),
                         ["rural_borrowing_2015"]) == {}
    r = run("calibrate", *args)
    assert r.returncode == 0, r.stderr
    assert "resumed: 2 of 4 parameter sets" in r.stdout
    again = pd.read_csv(exp / "samples.csv")
    assert again["rural_borrowing_2015"].tolist()[:2] == [0.123, 0.456]  # kept, not built again
    assert again["rural_borrowing_2015"].tolist()[2:] == full["rural_borrowing_2015"].tolist()[2:]
    assert not (exp / PROGRESS).exists()
