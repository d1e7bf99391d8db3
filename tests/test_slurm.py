"""The cluster path on a real Slurm: ``experiments/compare.py hydra/launcher=slurm`` through ``sbatch``.

CI starts a one-node cluster on its own machine (``.ci/slurm/start``); elsewhere this test skips and says
why. Its results must be the joblib launcher's, number for number.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_experiment import assert_same_tables, run_app

TINY = ["scenarios=[no_program,plan]", "replications=2", "population.weight=2000", "report=false",
        "progress=false"]


def _cluster_problem() -> str | None:
    """Why no Slurm job can run here, or None when a node is up."""
    if shutil.which("sinfo") is None or shutil.which("sbatch") is None:
        return "Slurm is not installed (no sinfo/sbatch); .ci/run installs slurm-wlm and runs .ci/slurm/start"
    try:
        out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"sinfo failed: {exc}"
    if out.returncode != 0:
        return f"the Slurm cluster is not up (sinfo: {' '.join(out.stderr.split())}); start it with .ci/slurm/start"
    states = set(out.stdout.split())
    if not states & {"idle", "mixed", "allocated", "completing"}:
        return f"no Slurm node can take jobs (node states: {', '.join(sorted(states)) or 'none'})"
    return None


@pytest.fixture(scope="module")
def cluster() -> None:
    if problem := _cluster_problem():
        pytest.skip(problem)


def test_slurm_launcher_gives_the_joblib_numbers(cluster, tmp_path):
    slurm = run_app("compare", *TINY, f"out_root={tmp_path / 'slurm'}", "name=x", "hydra/launcher=slurm",
                    "hydra.launcher.timeout_min=10", timeout=600)
    assert slurm.returncode == 0, slurm.stderr
    assert "launcher slurm" in slurm.stdout
    # the jobs went through sbatch: submitit keeps each array task's log under its Slurm job id
    launch = json.loads((tmp_path / "slurm" / "x" / "provenance.json").read_text())["last_launch"]
    logs = list((Path(launch["launch_dir"]) / "jobs" / ".submitit").glob("*/*_log.out"))
    assert len(logs) == launch["jobs"] and all(re.fullmatch(r"\d+_\d+", p.parent.name) for p in logs)

    joblib = run_app("compare", *TINY, f"out_root={tmp_path / 'joblib'}", "name=x", "hydra/launcher=joblib")
    assert joblib.returncode == 0, joblib.stderr
    assert_same_tables(tmp_path / "slurm" / "x", tmp_path / "joblib" / "x")
