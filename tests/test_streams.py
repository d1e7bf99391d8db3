"""Random numbers and unit conversions that common random numbers and rates rely on."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.calendar import monthly_probability
from sim.parallel import over_blocks
from sim.streams import (
    Streams,
    flag_drawn_below,
    gamma,
    month_generator,
    normal_quantile,
    row_uniforms,
    uniform,
    uniform64,
)
from tests.test_parallel import blocks_of

ROOT = np.random.SeedSequence(7)


@given(st.lists(st.integers(0, 3_000_000), min_size=1, max_size=200, unique=True))
def test_a_rows_draw_does_not_depend_on_which_other_rows_draw(rows):
    rows = np.array(rows)
    full = row_uniforms(ROOT, 1, 5, rows, 3)
    half = row_uniforms(ROOT, 1, 5, rows[::2], 3)
    assert np.array_equal(full[:, ::2], half)
    assert (full >= 0).all() and (full < 1).all()


def test_row_uniforms_look_uniform_and_differ_by_month_and_stream():
    rows = np.arange(200_000)
    u = row_uniforms(ROOT, 1, 5, rows, 2)
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    assert abs(np.corrcoef(u[0], u[1])[0, 1]) < 0.01
    assert not np.array_equal(u, row_uniforms(ROOT, 1, 6, rows, 2))
    assert not np.array_equal(u, row_uniforms(ROOT, 2, 5, rows, 2))


def test_compiled_rules_draw_what_the_row_draws_give():
    # a compiled pass calls uniform(keys[j], row); the NumPy side calls Streams.rows: the same draw
    s = Streams(7)
    s.new_month(4)
    rows = np.array([0, 5, 99, 123_456])
    by_rows = s.rows("credit", rows, 3)
    keys = s.keys("credit", 3)
    assert all(uniform(keys[j], int(r)) == by_rows[j, i] for j in range(3) for i, r in enumerate(rows))
    # a flag pass on blocks of rows sets the flag where the row's draw is below p, and keeps it where it was set
    flag = np.random.default_rng(1).random(1_000) < 0.3
    expected = flag | (s.rows("credit", np.arange(1_000), 3)[2] < np.float32(0.2))
    with blocks_of(300, 2):
        over_blocks(flag_drawn_below, 1_000, flag, keys[2], np.float32(0.2))
    assert np.array_equal(flag, expected)


def test_month_generators_are_reproducible_and_independent():
    a = month_generator(ROOT, 3, 10).random(5)
    assert np.array_equal(a, month_generator(ROOT, 3, 10).random(5))
    assert not np.array_equal(a, month_generator(ROOT, 3, 11).random(5))


@given(st.floats(0, 1))
def test_monthly_probability_compounds_back_to_the_annual_one(annual):
    monthly = monthly_probability(annual)
    assert np.isclose(1 - (1 - monthly) ** 12, annual, atol=1e-9)


@given(st.integers(0, 3 * 4096 + 17), st.integers(0, 2**32), st.floats(0.0, 1.0))
def test_a_picking_pass_picks_the_rows_numpy_picks(n, seed, share_free):
    """The chunked need pass (decide a chunk, then collect) against the same rule in NumPy, at any length."""
    from sim.behaviour.credit import _needs

    rng = np.random.default_rng(seed)
    product = np.where(rng.random(n) < share_free, 0, rng.integers(1, 7, n)).astype(np.int8)
    kind = rng.integers(0, 3, n).astype(np.int8)
    p_need = rng.random(3).astype(np.float32)
    s = Streams(seed)
    s.new_month(2)
    key = s.keys("credit", 1)[0]
    draws = s.rows("credit", np.arange(n), 1)[0]
    want = np.flatnonzero((product == 0) & (draws < p_need[kind]))
    for lo, hi in ((0, n), (n // 3, n)):  # a block that starts anywhere numbers its rows from lo
        rows, got = _needs(lo, hi, product, kind, p_need, key)
        expected = want[want >= lo]
        assert np.array_equal(rows, expected) and np.array_equal(got, draws[expected])


@numba.njit
def _normals(p):
    return np.array([normal_quantile(x) for x in p])


@numba.njit
def _gammas(key, n, shape):
    return np.array([gamma(key, i, shape) for i in range(n)])


@numba.njit
def _uniform64s(key, rows):
    return np.array([uniform64(key, i) for i in rows])


def test_the_normal_quantile_is_scipys_to_1e_13():
    from scipy.special import ndtri

    p = np.concatenate([np.geomspace(1e-300, 0.5, 20_000), np.random.default_rng(0).random(20_000)])
    p = np.concatenate([p, 1 - p[p > 1e-15]])
    assert np.allclose(_normals(p), ndtri(p), rtol=1e-14, atol=1e-13)


def test_float64_draws_are_inside_the_open_unit_interval_and_look_uniform():
    u = _uniform64s(np.uint64(3), np.arange(200_000))
    assert (u > 0).all() and (u < 1).all()
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    assert np.unique(u).size == u.size  # 53 bits: no two of 200,000 rows share a draw


@pytest.mark.parametrize("shape", [0.05, 0.4, 1.0, 1.53, 2.47, 30.0])
def test_gamma_draws_follow_the_gamma_distribution(shape):
    from scipy import stats

    key = np.uint64(0x5EED)
    x = _gammas(key, 20_000, shape)
    assert stats.kstest(x, stats.gamma(shape).cdf).pvalue > 1e-3
    assert not np.array_equal(x, _gammas(key + np.uint64(1), 20_000, shape))
    assert _gammas(np.uint64(key), 1, 0.0)[0] == 0.0
