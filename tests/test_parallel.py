"""Row passes on fixed blocks of rows in threads: the same results on any number of threads."""

from __future__ import annotations

import contextlib
import itertools

import numpy as np
import pytest

from sim import parallel
from tests.conftest import tiny_config


@contextlib.contextmanager
def blocks_of(rows: int, threads: int):
    """Passes on blocks of ``rows`` rows, spread over ``threads`` threads."""
    before = parallel.BLOCK_ROWS
    parallel.BLOCK_ROWS = rows
    parallel.set_threads(threads)
    try:
        yield
    finally:
        parallel.BLOCK_ROWS = before
        parallel.set_threads(None)


@pytest.mark.parametrize("n", [0, 1, 7, 1000, 2_500_001])
def test_blocks_are_fixed_and_cover_the_rows_once_in_order(n):
    parts = parallel.blocks(n)
    assert parts[0][0] == 0 and parts[-1][1] == n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))
    sizes = [hi - lo for lo, hi in parts]
    assert all(size == parallel.BLOCK_ROWS for size in sizes[:-1]) and sizes[-1] <= parallel.BLOCK_ROWS


def test_the_default_scale_is_one_block():
    from sim.world import household_capacity

    assert len(parallel.blocks(household_capacity(tiny_config(10.0))[1])) == 1


@pytest.mark.parametrize("raw", ["0", "-1", "two", "1.5"])
def test_a_bad_thread_count_is_refused_by_name_before_any_work(monkeypatch, raw):
    from sim.evaluate import run_outcomes
    from sim.params import ConfigError
    from sim.run import run_config

    monkeypatch.setenv("SIM_THREADS", raw)
    with pytest.raises(ConfigError, match=f"'SIM_THREADS' = '{raw}'; allowed: a positive integer"):
        parallel.threads()
    monkeypatch.setattr("sim.run.TaizhouModel", lambda cfg: pytest.fail("the model was built"))
    with pytest.raises(ConfigError, match="SIM_THREADS"):
        run_config(tiny_config())
    monkeypatch.setattr("sim.model.TaizhouModel", lambda cfg: pytest.fail("the model was built"))
    with pytest.raises(ConfigError, match="SIM_THREADS"):
        run_outcomes(tiny_config())
    with pytest.raises(ValueError, match="threads=0"):
        parallel.set_threads(0)


def test_a_bad_thread_count_on_the_command_line_exits_2_with_no_files(tmp_path):
    import os
    import subprocess
    import sys

    out = tmp_path / "never"
    proc = subprocess.run([sys.executable, "-m", "sim", f"hydra.run.dir={out}"], capture_output=True, text=True,
                          env={**os.environ, "SIM_THREADS": "many"})
    assert proc.returncode == 2
    assert "SIM_THREADS" in proc.stderr and "'many'" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


def test_the_environment_sets_the_threads(monkeypatch):
    monkeypatch.setenv("SIM_THREADS", "3")
    assert parallel.threads() == 3
    monkeypatch.delenv("SIM_THREADS")
    assert 1 <= parallel.threads() <= parallel.MAX_THREADS


def test_picked_rows_join_and_counts_add_in_block_order():
    from sim.behaviour.credit import _needs
    from sim.world import _peer_pass

    rng = np.random.default_rng(1)
    n = 10_000
    product = np.where(rng.random(n) < 0.7, 0, 1).astype(np.int8)
    kind = rng.integers(0, 3, n).astype(np.int8)
    place = rng.integers(0, 50, n).astype(np.uint16)  # as World.hh_place
    digital = rng.random(n) < 0.3
    p_need = np.array([0.2, 0.3, 0.1], np.float32)
    one = _needs(0, n, product, kind, p_need, np.uint64(99)), _peer_pass(0, n, place, product, digital, 50)
    with blocks_of(2_500, 3):
        assert len(parallel.blocks(n)) == 4
        four = (parallel.concatenated(parallel.over_blocks(_needs, n, product, kind, p_need, np.uint64(99))),
                parallel.summed(parallel.over_blocks(_peer_pass, n, place, product, digital, 50)))
    for a, b in zip(one, four, strict=True):
        for x, y in zip(a, b, strict=True):
            assert x.dtype == y.dtype and np.array_equal(x, y)


def _tables(threads: int, rows: int) -> list:
    from sim.run import run_config

    cfg = tiny_config()
    cfg.months = 24
    with blocks_of(rows, threads):
        result = run_config(cfg)
    return [result.monthly, result.equity, result.ledger, result.scorecard]


def test_a_run_is_the_same_on_one_thread_and_on_several(monkeypatch):
    from sim.behaviour import credit

    # the row-wise parts too (loans' hazards, need rows' offers), which the tiny world would run whole
    monkeypatch.setattr(parallel, "MIN_ELEMENTWISE_ROWS", 20)
    monkeypatch.setattr(credit, "MIN_OFFER_ROWS", 4)
    one = _tables(1, 300)  # the tiny world's 1,000 rows in four blocks
    for threads in (2, 3):
        several = _tables(threads, 300)
        for a, b in zip(one, several, strict=True):
            assert a.equals(b)



def test_elementwise_work_split_over_threads_is_one_calls_result(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ELEMENTWISE_ROWS", 10)
    values = np.random.default_rng(2).random(1_000)
    calls = []

    def func(rows):
        calls.append(rows.size)
        return 1.0 - np.power(1.0 - values[rows], 1.0 / 12.0)

    rows = np.arange(0, 1_000, 3)
    expected = func(rows)
    calls.clear()
    with blocks_of(parallel.BLOCK_ROWS, 3):
        got = parallel.elementwise(func, rows)
    assert sorted(calls) == [111, 111, 112]  # three parts, one per thread
    assert np.array_equal(got, expected)

    def pick(rows):  # rows it picks, in their order: the parts' picks are joined in order
        return rows[values[rows] < 0.3], rows[values[rows] > 0.9]

    expected = pick(rows)
    with blocks_of(parallel.BLOCK_ROWS, 3):
        got = parallel.elementwise(pick, rows)
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))


def _tables_in_child(queue) -> None:
    queue.put([t.to_json() for t in _tables(2, 300)])


def test_a_forked_process_makes_its_own_threads():
    import multiprocessing
    import warnings

    import pandas as pd

    here = _tables(2, 300)  # this process's pool now has threads, which a forked child does not inherit
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    with warnings.catch_warnings(), blocks_of(300, 2):
        warnings.simplefilter("ignore", DeprecationWarning)  # Python warns of forking a process with threads
        child = ctx.Process(target=_tables_in_child, args=(queue,))
        child.start()
        got = queue.get(timeout=60)
        child.join(timeout=30)
    assert child.exitcode == 0
    for a, b in zip(here, got, strict=True):
        assert a.to_json() == b
    assert isinstance(here[0], pd.DataFrame)


def test_changing_the_threads_leaves_no_idle_pool_behind():
    import threading
    import time

    rows = np.arange(200_000)
    for k in (2, 3, 2):
        with blocks_of(parallel.BLOCK_ROWS, k):
            parallel.elementwise(lambda r: r * 2, rows)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        alive = [t for t in threading.enumerate() if t.name.startswith("sim-rows")]
        if len(alive) <= 1:
            break
        time.sleep(0.05)
    assert len(alive) <= 1  # the last pool's helper only (the caller works too)


def _block_sum(lo: int, hi: int, x: np.ndarray) -> float:
    return float(x[lo:hi].sum())


def _in_a_thread_of_its_own(call):
    """``call()`` on two threads (blocks of 1,000 rows) from a thread of its own; its result, or fails after 30 s."""
    import threading

    out = []
    with blocks_of(1_000, 2):
        runner = threading.Thread(target=lambda: out.append(call()), daemon=True)
        runner.start()
        runner.join(timeout=30)
    assert not runner.is_alive(), "a part waited for a helper queued behind itself"
    return out[0]


def test_a_pass_called_from_a_helper_thread_finishes():
    """A rule run in a helper thread (a part of ``elementwise``) may itself run a pass on blocks."""

    def part(rows):
        sums = parallel.over_blocks(_block_sum, rows.size, rows.astype(np.float64))
        return np.full(rows.size, parallel.summed(sums))

    rows = np.arange(400_000)
    out = _in_a_thread_of_its_own(lambda: parallel.elementwise(part, rows))
    half = rows.size // 2
    assert out[0] == rows[:half].sum() and out[-1] == rows[half:].sum()


def test_an_elementwise_rule_called_from_a_helper_thread_finishes():
    """Its parts no helper could start are the caller's own (the pool's one helper is the caller)."""
    rows = np.arange(400_000)

    def outer(part):
        return parallel.elementwise(lambda r: r * 2, part, min_rows=10)

    assert np.array_equal(_in_a_thread_of_its_own(lambda: parallel.elementwise(outer, rows, min_rows=10)), rows * 2)


def test_an_error_in_the_callers_part_is_raised_after_the_helpers_settle():
    rows = np.arange(100)
    done = []

    def func(part):
        if part[0] == 0:
            raise ValueError("the caller's part")
        done.append(part.size)
        return part

    with blocks_of(parallel.BLOCK_ROWS, 2), pytest.raises(ValueError, match="caller's part"):
        parallel.elementwise(func, rows, min_rows=10)
    assert done in ([], [50])  # the helper's part was cancelled or ran to its end, not left running


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_calls_side_by_side_give_their_results_in_order(threads):
    values = np.random.default_rng(3).random(300_000)
    calls = [lambda k=k: float(values[k::4].sum()) for k in range(4)]
    with blocks_of(parallel.BLOCK_ROWS, threads):
        got = parallel.side_by_side(*calls)
    assert got == [call() for call in calls]


def test_an_error_in_a_call_side_by_side_is_raised():
    def fails():
        raise ValueError("a helper's call")

    with blocks_of(parallel.BLOCK_ROWS, 2):
        with pytest.raises(ValueError, match="helper's call"):
            parallel.side_by_side(lambda: 1, fails)
        with pytest.raises(ValueError, match="helper's call"):
            parallel.side_by_side(fails, lambda: 1)


def test_calls_side_by_side_from_a_helper_thread_finish():
    """A call no helper could start (the pool's one helper is the caller) is the caller's own."""

    def inner(a):
        return parallel.side_by_side(lambda: a, lambda: a + 1)

    outer = _in_a_thread_of_its_own(lambda: parallel.side_by_side(lambda: inner(1), lambda: inner(3)))
    assert outer == [[1, 2], [3, 4]]
