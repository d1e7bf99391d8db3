"""Bad command lines and bad output folders for the experiment apps.

Every bad command line stops before anything runs: exit code 2, one line on stderr naming the key and
what is allowed, no traceback, nothing written under ``out_root``. A folder that cannot be written is
named in one line too: up front (exit 2) when it is visibly unusable, or when a write fails (exit 1).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.experiment import store
from sim.levers import LEVER_NAMES
from sim.run import ROOT

# (app, arguments, the key the message must name)
BAD = [
    ("compare", ["replications=-3"], "replications"),
    ("compare", ["replications=nan"], "replications"),
    ("compare", ["replications=2.5"], "replications"),
    ("compare", ["scenarios=[plan"], "scenarios"),  # an unclosed list
    ("compare", ["scenarios=[plan,plan]"], "scenarios"),
    ("compare", ["scenarios=[plan]", "reference=no_program"], "reference"),
    ("compare", ["confidence=nan"], "confidence"),
    ("compare", ["confidence=inf"], "confidence"),
    ("compare", ["p_interval=exact"], "p_interval"),
    ("compare", ["seed=-1"], "seed"),
    ("compare", ["seed=nan"], "seed"),
    ("compare", ["runs_per_job=-1"], "runs_per_job"),
    ("compare", ["name=../elsewhere"], "name"),
    ("compare", ["progress=maybe"], "progress"),
    ("compare", ["model=[population.weight]"], "model"),
    ("compare", ["population.weight=nan"], "population.weight"),
    ("compare", ["budget.phasing=[nan,0.25,0.25,0.25,0.25]"], "budget.phasing"),
    ("compare", ["uncertainties.loan_size_sigma=nan"], "uncertainties.loan_size_sigma"),
    ("compare", ["budget.total_cny=inf"], "budget.total_cny"),  # a model override in compare
    ("compare", ["population.villages=0"], "population.villages"),
    ("compare", ["levers.stations.intensity=[inf,0,0,0,0]"], "levers.stations.intensity"),
    ("compare", ["population.weight=inf"], "population.weight"),
    ("compare", ["population.weight=-5"], "population.weight"),
    ("compare", ["population.weight=[1"], "population.weight"),  # an unclosed list in a model override
    ("compare", ["uncertainties.nowhere=1"], "uncertainties.nowhere"),
    ("budget", ["budget.total_cny=[nan]"], "budget.total_cny"),
    ("budget", ["budget.total_cny=[3e8,inf]"], "budget.total_cny"),
    ("budget", ["budget.total_cny=[1e8,1e8]"], "budget.total_cny"),
    ("budget", ["budget.total_cny=[]"], "budget.total_cny"),
    ("budget", ["budget.total_cny=[3e8"], "budget.total_cny"),
    ("budget", ["budget.total_cny=nan"], "budget.total_cny"),  # a number where a list is meant
    ("budget", ["replications=-1"], "replications"),
    ("budget", ["scenarios=[nowhere]"], "scenarios"),
    ("budget", ["p_goal=0"], "p_goal"),
    ("budget", ["p_goal=1.5"], "p_goal"),
    ("budget", ["p_goal=nan"], "p_goal"),
    ("budget", ["budget.allocations={x:{stations:0.7,fee_waivers:0.6}}"], "budget.allocations.x"),  # sum > 1
    ("budget", ["budget.allocations={x:{stations:nan}}"], "budget.allocations.x.stations"),
    ("budget", ["budget.allocations={x:{stations:-0.1}}"], "budget.allocations.x.stations"),
    ("budget", ["budget.allocations={x:{stations:abc}}"], "budget.allocations.x"),
    ("budget", ["budget.allocations=[1,2]"], "budget.allocations"),
    ("budget", ["budget.allocations={x:{stations:0.5}"], "budget.allocations"),  # an unclosed dict
    # every lever named, so none is left to take the rest: the named shares must add up to 1
    ("budget", ["budget.allocations={x:{" + ",".join(f"{lever}:0.01" for lever in LEVER_NAMES) + "}}"],
     "budget.allocations.x"),
]


def _check_one_line(err: str, key: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and f"'{key}'" in lines[0] and "allowed" in lines[0], lines[0]
    assert "Traceback" not in err and "full_key" not in err


@pytest.mark.parametrize(("kind", "args", "key"), BAD)
def test_bad_command_line_exit_2_one_line_nothing_written(kind, args, key, tmp_path, monkeypatch, capsys):
    from sim.experiment import budget, compare

    module = {"compare": compare, "budget": budget}[kind]
    monkeypatch.setattr(sys, "argv", [f"experiments/{kind}.py", *args, f"out_root={tmp_path / 'out'}"])
    with pytest.raises(SystemExit) as exc:
        module.prepare_argv(kind, module.plan)
    assert exc.value.code == 2
    _check_one_line(capsys.readouterr().err, key)
    assert not any(tmp_path.iterdir())


def run_app(kind: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, f"experiments/{kind}.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize(("kind", "arg", "key"), [("budget", "budget.total_cny=[nan,3e8]", "budget.total_cny"),
                                                  ("compare", "scenarios=[plan,", "scenarios")])
def test_bad_command_line_from_the_shell(kind, arg, key, tmp_path):
    r = run_app(kind, arg, f"out_root={tmp_path / 'out'}")
    assert r.returncode == 2
    _check_one_line(r.stderr, key)
    assert not any(tmp_path.iterdir())


# ---------------------------------------------------------------- output folders
def _mount_tmpfs(path: Path, options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")


@pytest.fixture
def mounts():
    made: list[Path] = []
    yield made
    for path in made:
        subprocess.run(["umount", str(path)], check=False)


def test_out_root_below_a_file(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    r = run_app("compare", "replications=2", f"out_root={tmp_path / 'file' / 'out'}")
    assert r.returncode == 2
    _check_one_line(r.stderr, "out_root")
    assert f"{tmp_path / 'file'} is a file" in r.stderr
    assert (tmp_path / "file").read_text() == "not a folder"


def test_out_root_on_a_read_only_filesystem(tmp_path, mounts):
    ro = tmp_path / "ro"
    _mount_tmpfs(ro, "ro,size=64k")
    mounts.append(ro)
    r = run_app("budget", "replications=2", f"out_root={ro / 'out'}")
    assert r.returncode == 2
    _check_one_line(r.stderr, "out_root")
    assert f"{ro} is on a read-only filesystem" in r.stderr


def test_out_root_not_writable_by_the_user(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may write into any folder; the read-only filesystem case covers CI")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    r = run_app("compare", "replications=2", f"out_root={locked / 'out'}")
    assert r.returncode == 2
    _check_one_line(r.stderr, "out_root")
    assert "not writable" in r.stderr


@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_a_full_disk_is_one_line_and_exit_1(launcher, tmp_path, mounts):
    full = tmp_path / "full"
    _mount_tmpfs(full, "size=64k")  # room for the experiment's small files, not for a run
    mounts.append(full)
    r = run_app("compare", "scenarios=[no_program,plan]", "replications=2", "population.weight=2000",
                "report=false", "progress=false", f"out_root={full}", f"hydra/launcher={launcher}")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr, r.stderr
    assert "No space left on device" in lines[0] and str(full) in lines[0]
    claims, temporary = list(full.glob("_runs/*.claim")), list(full.glob("_runs/.*.tmp"))
    if launcher == "basic":  # the failing process cleaned up after itself
        assert not claims and not temporary
    else:  # joblib stops the other workers when one fails: what they leave is stale and goes at the next start
        assert not any(store.claim_is_live(full, c.stem) for c in claims)
        store.clean_temporary(full / "_runs")
        assert not list(full.glob("_runs/.*.tmp")) and not list(full.glob("_runs/*.claim"))
