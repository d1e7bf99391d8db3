"""The model as a function and from the shell: outputs, reproducibility, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from sim import ConfigError, load_config, simulate
from sim.goals import GOAL_IDS
from tests.conftest import TEST_SCALE

REQUIRED_METRICS = {
    "households_total", "households_with_file", "households_with_credit_line", "credit_line_total",
    "households_with_loan", "loan_balance_total", "npl_ratio", "digital_customers", "ebank_substitution",
    "stations", "villages_covered", "spend_cum",
}


def test_scorecard_has_every_goal_with_a_model_value(plan_run):
    card = plan_run.scorecard
    assert list(card["goal_id"]) == list(GOAL_IDS)
    assert {"goal_id", "name_zh", "name_en", "value", "target", "unit", "attainment", "met"} <= set(card.columns)
    assert card["value"].notna().all()


def test_monthly_is_tidy_with_sixty_months_and_required_metrics(plan_run):
    m = plan_run.monthly
    assert list(m.columns) == ["month", "metric", "value"]
    months = sorted(m["month"].unique())
    assert len(months) == 60 and months[0] == "2016-01" and months[-1] == "2020-12"
    assert REQUIRED_METRICS | set(GOAL_IDS) <= set(m["metric"].unique())


def test_same_seed_gives_identical_results():
    a = simulate(["seed=5", *TEST_SCALE])
    b = simulate(["seed=5", *TEST_SCALE])
    pd.testing.assert_frame_equal(a.monthly, b.monthly)
    pd.testing.assert_frame_equal(a.scorecard, b.scorecard)


def test_different_seed_gives_different_results(plan_run):
    other = simulate(["seed=2", *TEST_SCALE])
    assert not plan_run.monthly["value"].equals(other.monthly["value"])


def test_same_seed_identical_in_a_fresh_process(tmp_path, plan_run):
    code = (
        "from sim import simulate; import sys; "
        "simulate(['scenario=plan','seed=1','population.weight=200']).monthly.to_parquet(sys.argv[1])"
    )
    out = tmp_path / "m.parquet"
    subprocess.run([sys.executable, "-c", code, str(out)], check=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out), plan_run.monthly)


def test_cli_writes_every_output(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "scenario=no_program", "seed=3", *TEST_SCALE, f"hydra.run.dir={out}"],
        capture_output=True, text=True, check=True,
    )
    assert "goals met" in proc.stdout
    for name in ("scorecard.csv", "monthly.parquet", "manifest.json", "dashboard.png", "ledger.csv", "levers.csv",
                 "cost_per_unit.csv"):
        assert (out / name).stat().st_size > 0, name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["scenario"] == "no_program"
    assert manifest["config"]["population"]["weight"] == 200
    assert {"mesa", "numpy", "hydra-core"} <= set(manifest["versions"])
    card = pd.read_csv(out / "scorecard.csv")
    assert len(card) == 19
    assert not list(out.glob(".partial-*"))


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("population.weight=abc", "population.weight"),
        ("budget.total_cny=-1", "budget.total_cny"),
        ("population.rural_share=1.5", "population.rural_share"),
        ("scenario=nowhere", "scenario"),
        ("stepz=3", "stepz"),
        ("+foo=1", "foo"),
        ("levers.stations.intensity=[1,2]", "levers.stations.intensity"),
        ("budget.allocation.stations=0.9", "budget.allocation"),
        ("levers.stations.moves=[not_a_goal]", "levers.stations.moves"),
    ],
)
def test_bad_input_names_the_key(override, key):
    with pytest.raises(ConfigError) as info:
        load_config([override])
    assert info.value.key == key
    assert key in str(info.value) and "allowed" in str(info.value)


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("population.rural_share=2", "population.rural_share"),
        ("uncertainties.loan_size_sigma=nan", "uncertainties.loan_size_sigma"),
        ("budget.total_cny=inf", "budget.total_cny"),
        ("population.villages=0", "population.villages"),
        ("levers.credit_info.default_reduction=2", "levers.credit_info.default_reduction"),
        ("levers.stations.intensity=[1,2", "levers.stations.intensity"),
        ("months=61", "months"),
    ],
)
def test_bad_input_on_the_command_line_exits_2_with_no_files(tmp_path, override, key):
    out = tmp_path / "never"
    proc = subprocess.run([sys.executable, "-m", "sim", override, f"hydra.run.dir={out}"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert key in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_a_reused_run_folder_loses_its_old_manifest_before_the_new_run(tmp_path, plan_run):
    out = tmp_path / "run"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    plan_run.save(out)
    assert json.loads((out / "manifest.json").read_text())["scenario"] == "plan"


def test_simulate_keeps_the_model_only_when_asked():
    assert simulate(TEST_SCALE).model is None


@pytest.mark.parametrize("where", ["a_file/run", "missing/../a_file/x/run"])
def test_an_output_folder_that_cannot_be_made_is_refused_in_one_line(tmp_path, where):
    (tmp_path / "a_file").write_text("")
    (tmp_path / "missing").mkdir()
    proc = subprocess.run([sys.executable, "-m", "sim", *TEST_SCALE, f"hydra.run.dir={tmp_path / where}"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "hydra.run.dir" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_killed_writers_temporary_file_is_removed_when_the_folder_is_reused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    dead = out / ".scorecard.csv~nohost~999999~x.tmp"  # a writer on another host: kept until old
    import socket

    gone = out / f".scorecard.csv~{socket.gethostname()}~999999~x.tmp"  # this host, a process that is gone
    dead.write_text("")
    gone.write_text("")
    subprocess.run([sys.executable, "-m", "sim", *TEST_SCALE, "quiet=true", f"hydra.run.dir={out}"], check=True)
    assert not gone.exists() and dead.exists()
    assert (out / "manifest.json").exists()
