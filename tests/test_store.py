"""The run store: verified run files, claims shared by concurrent experiments, clean-up after killed writers.

End-to-end cases run the compare app at a small scale on a copy of one finished store.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.experiment import store
from sim.experiment.launch import clean_launches
from sim.experiment.store import RUNS_DIR
from sim.run import ROOT

SMALL = ["scenarios=[no_program,plan]", "replications=3", "population.weight=2000", "report=false",
         "progress=false"]
N_RUNS = 6


def run_app(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "experiments/compare.py", *SMALL, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def start_app(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "experiments/compare.py", *SMALL, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def computed(stdout: str) -> int:
    """Runs this experiment computed itself, from its closing line."""
    return int(re.search(r"already done, (\d+) computed", stdout)[1])


def results(exp: Path) -> pd.DataFrame:
    runs = pd.read_parquet(exp / "runs.parquet")
    return runs[runs["name"] != "wall_time_s"].reset_index(drop=True)


def run_files(root: Path) -> list[Path]:
    return sorted((root / RUNS_DIR).glob("*.parquet"))


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """An out_root holding one finished experiment ``x`` and its six run files."""
    root = tmp_path_factory.mktemp("store")
    r = run_app(f"out_root={root}", "name=x", "hydra/launcher=basic")
    assert r.returncode == 0, r.stderr
    assert len(run_files(root)) == N_RUNS
    return root


@pytest.fixture
def copy(finished, tmp_path) -> Path:
    root = tmp_path / "out"
    shutil.copytree(finished, root)
    return root


# ---------------------------------------------------------------- verified run files
def test_run_file_carries_its_key_and_checksum(finished):
    path = run_files(finished)[0]
    meta = json.loads(pq.read_schema(path).metadata[store.RUN_META])
    assert meta["key"] == path.stem
    assert meta["checksum"] == store.table_checksum(pq.read_table(path))
    table, _ = store.read_run(finished, path.stem)
    assert len(table) > 0


def test_truncated_and_swapped_run_files_are_moved_aside_and_recomputed(finished, copy):
    files = run_files(copy)
    truncated, a, b = files[0], files[1], files[2]
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
    a.write_bytes(b_bytes)  # each file now holds the other run's table
    b.write_bytes(a_bytes)

    r = run_app(f"out_root={copy}", "name=x", "hydra/launcher=basic")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning: run file")]
    assert len(warnings) == 3
    assert any(truncated.name in w and "unreadable" in w for w in warnings)
    assert any(a.name in w and f"belongs to run '{b.stem}'" in w for w in warnings)
    assert f"{N_RUNS} planned, {N_RUNS - 3} already done, 3 computed" in r.stdout
    assert len(list((copy / RUNS_DIR / store.REJECTED_DIR).iterdir())) == 3
    pd.testing.assert_frame_equal(results(copy / "x"), results(finished / "x"))


def test_an_altered_table_fails_its_checksum(copy):
    path = run_files(copy)[0]
    table = pq.read_table(path)
    df = table.to_pandas()
    df.loc[0, "value"] += 1.0
    altered = table.from_pandas(df, preserve_index=False).replace_schema_metadata(table.schema.metadata)
    pq.write_table(altered, path)
    assert store.verify_run(copy, path.stem) == "its table does not match its checksum"
    assert store.verify_run(copy, run_files(copy)[1].stem) is None


def test_a_file_bad_only_when_results_are_read_fails_cleanly(copy):
    """A run file spoiled after the check: exit 1, one line, the file moved aside; the next run recomputes it."""
    from sim.experiment.driver import gather

    specs = _specs()
    path = store.run_path(copy, specs[0].key)
    path.write_bytes(b"PAR1")
    with pytest.raises(SystemExit) as exc:
        gather(copy / "x", copy, specs)
    assert exc.value.code == 1
    assert not path.exists() and len(list((copy / RUNS_DIR / store.REJECTED_DIR).iterdir())) == 1


def _specs() -> list[store.RunSpec]:
    from sim.experiment.compare import plan
    from sim.experiment.conf import compose_experiment
    from sim.run import code_version

    conf = compose_experiment("compare", ["scenarios=[no_program,plan]", "replications=3",
                                          "model=['population.weight=2000']"])
    return plan(conf, store.replication_seeds(conf.seed, conf.replications), code_version())


# ---------------------------------------------------------------- claims
def test_a_claim_is_exclusive_while_its_process_lives(tmp_path):
    token = store.try_claim(tmp_path, "k1")
    assert token is not None
    assert store.try_claim(tmp_path, "k1") is None  # this process still holds it
    assert store.claim_is_live(tmp_path, "k1")
    store.release_claim(tmp_path, "k1", "not-the-token")
    assert store.claim_is_live(tmp_path, "k1")
    store.release_claim(tmp_path, "k1", token)
    assert not store.claim_path(tmp_path, "k1").exists()


def _write_claim(root: Path, key: str, **fields) -> Path:
    path = store.claim_path(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"host": store.process_id()["host"], "pid": os.getpid(), "start": None,
                                "token": "t", "time": time.time(), **fields}))
    return path


def test_stale_claims_are_taken_over(tmp_path):
    _write_claim(tmp_path, "dead", pid=dead_pid())
    assert store.try_claim(tmp_path, "dead") is not None
    # a pid reused by another process: the start time differs
    _write_claim(tmp_path, "reused", start=-1)
    assert store.try_claim(tmp_path, "reused") is not None
    # a process that has ended but is not reaped yet (a zombie) is gone too
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.time() + 30
        while time.time() < deadline and store.process_alive(store.process_id(zombie.pid)):
            time.sleep(0.05)
        _write_claim(tmp_path, "zombie", pid=zombie.pid)
        assert store.try_claim(tmp_path, "zombie") is not None
    finally:
        zombie.wait()
    # another node's process cannot be checked: live until it is older than the limit
    path = _write_claim(tmp_path, "remote", host="another-node")
    assert store.try_claim(tmp_path, "remote") is None
    old = time.time() - store.CLAIM_MAX_AGE_S - 60
    os.utime(path, (old, old))
    assert store.try_claim(tmp_path, "remote") is not None
    # an empty claim (its writer killed between creating and writing it) once past its grace period
    empty = store.claim_path(tmp_path, "empty")
    empty.write_bytes(b"")
    assert store.try_claim(tmp_path, "empty") is None
    old = time.time() - store.EMPTY_CLAIM_GRACE_S - 1
    os.utime(empty, (old, old))
    assert store.try_claim(tmp_path, "empty") is not None


def test_a_claim_is_kept_fresh_while_its_run_computes(tmp_path):
    token = store.try_claim(tmp_path, "k")
    path = store.claim_path(tmp_path, "k")
    old = time.time() - store.CLAIM_MAX_AGE_S + 5
    os.utime(path, (old, old))
    beat = store.ClaimHeartbeat(path, token, every_s=0.05)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and path.stat().st_mtime <= old:
            time.sleep(0.05)
        assert path.stat().st_mtime > old + 60
    finally:
        beat.stop()
    store.release_claim(tmp_path, "k", token)


def test_a_run_claimed_by_a_live_process_is_waited_for_then_taken_back(copy):
    """The experiment computes the other runs, waits for the claimed one, and computes it once the claim goes."""
    specs = _specs()
    key = specs[-1].key
    for p in run_files(copy):
        p.unlink()
    token = store.try_claim(copy, key)  # this test process stands for another experiment computing the run
    proc = start_app(f"out_root={copy}", "name=x", "hydra/launcher=basic")
    try:
        deadline = time.time() + 150
        while time.time() < deadline and len(run_files(copy)) < N_RUNS - 1 and proc.poll() is None:
            time.sleep(0.1)
        assert len(run_files(copy)) == N_RUNS - 1
        time.sleep(2)  # the app polls; it must still be waiting, not computing the claimed run
        assert proc.poll() is None and not store.run_path(copy, key).exists()
    finally:
        store.release_claim(copy, key, token)  # the other experiment dies without writing the run
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"{N_RUNS} planned, 0 already done, {N_RUNS} computed" in out
    assert store.verify_run(copy, key) is None and store.run_path(copy, key).exists()


def test_two_compares_at_once_compute_each_run_once(finished, tmp_path):
    """Two experiments on one out_root share the runs; the last one, held back, is raced for and computed once."""
    root = tmp_path / "out"
    contested = _specs()[-1].key
    token = store.try_claim(root, contested)  # held by this test until both experiments wait for it
    procs = [start_app(f"out_root={root}", f"name={name}", "hydra/launcher=joblib", "hydra.launcher.n_jobs=1",
                       "runs_per_job=1") for name in ("a", "b")]
    try:
        deadline = time.time() + 240
        while time.time() < deadline and len(run_files(root)) < N_RUNS - 1:
            time.sleep(0.1)
        assert len(run_files(root)) == N_RUNS - 1
        assert all(p.poll() is None for p in procs)  # both wait for the held run
    finally:
        store.release_claim(root, contested, token)
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    assert sum(computed(out) for out, _ in outs) == N_RUNS
    assert len(run_files(root)) == N_RUNS
    for name in ("a", "b"):
        pd.testing.assert_frame_equal(results(root / name).drop(columns="run_key"),
                                      results(finished / "x").drop(columns="run_key"))


# ---------------------------------------------------------------- clean-up
def test_temporary_files_of_gone_writers_are_removed_and_live_ones_kept(tmp_path):
    host, me = store.process_id()["host"], os.getpid()
    dead = tmp_path / f".abc.parquet~{host}~{dead_pid()}~x1.tmp"
    dead.write_bytes(b"")  # what SIGKILL before the first byte leaves
    live = tmp_path / f".abd.parquet~{host}~{me}~x2.tmp"
    live.write_bytes(b"PAR1")
    remote = tmp_path / ".abe.parquet~another-node~12~x3.tmp"
    remote.write_bytes(b"PAR1")
    old_remote = tmp_path / ".abf.parquet~another-node~12~x4.tmp"
    old_remote.write_bytes(b"PAR1")
    unnamed = tmp_path / ".deadbeef.parquet.tmp"
    unnamed.write_bytes(b"")
    old = time.time() - store.TMP_MAX_AGE_S - 60
    os.utime(old_remote, (old, old))
    os.utime(unnamed, (old, old))
    removed = store.clean_temporary(tmp_path)
    assert set(removed) == {dead, old_remote, unnamed}
    assert live.exists() and remote.exists()


def test_a_resume_removes_what_a_killed_writer_left(copy):
    host = store.process_id()["host"]
    killed = run_files(copy)[0]
    killed.unlink()  # the run its writer was killed writing
    leftover = copy / RUNS_DIR / f".{killed.name}~{host}~{dead_pid()}~zz.tmp"
    leftover.write_bytes(b"")
    _write_claim(copy, killed.stem, pid=dead_pid())
    r = run_app(f"out_root={copy}", "name=x", "hydra/launcher=basic", "progress=true")
    assert r.returncode == 0, r.stderr
    assert not leftover.exists() and not store.claim_path(copy, killed.stem).exists()
    assert store.verify_run(copy, killed.stem) is None and killed.exists()
    assert "1/1 runs" in r.stderr.splitlines()[-1]  # progress counts the run once it is written


def test_launch_folders_of_finished_or_dead_launches_are_removed(tmp_path):
    launches = tmp_path / ".launch"
    finished, dead, live, remote = (launches / n for n in ("finished", "dead", "live", "remote"))
    for folder in (finished, dead, live, remote):
        folder.mkdir(parents=True)
    (finished / "finished").touch()
    (finished / "plan.json").write_text(json.dumps({"driver": store.process_id()}))
    (dead / "plan.json").write_text(json.dumps({"driver": store.process_id(dead_pid())}))
    (live / "plan.json").write_text(json.dumps({"driver": store.process_id()}))
    (remote / "plan.json").write_text(json.dumps({"driver": {"host": "another-node", "pid": 1, "start": 1}}))
    assert set(clean_launches(tmp_path)) == {finished, dead}
    assert live.exists() and remote.exists()
