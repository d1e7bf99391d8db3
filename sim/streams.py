"""Random numbers: one generator per decision kind and month, and counter-based draws for row subsets.

Common random numbers between scenarios run with the same seed need a household's draw for a decision to
be the same in both runs whenever the household faces that decision in both. Two tools give that:

* :func:`month_generator`: a fresh generator per (stream, month), so that what one month drew never
  shifts the next month's draws;
* :func:`row_uniforms`: uniforms that are a pure function of (seed, stream, month, row), computed only
  for the rows that need them (the few percent of households with a credit need, say), by hashing.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = np.float32(2.0**-24)


def month_generator(root: np.random.SeedSequence, stream: int, month: int) -> np.random.Generator:
    """A generator for one decision stream in one month, independent of every other (stream, month)."""
    return np.random.default_rng(np.random.SeedSequence(root.entropy, spawn_key=(stream, month)))


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective, well-mixing hash of uint64."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def row_uniforms(root: np.random.SeedSequence, stream: int, month: int, rows: np.ndarray, k: int) -> np.ndarray:
    """``k`` uniforms in [0, 1) per row, each a pure function of (seed, stream, month, row, j).

    Args:
        root: the run's root seed sequence.
        stream: the decision stream's number.
        month: the step.
        rows: row indices.
        k: how many uniforms per row.

    Returns:
        float32 array of shape (k, len(rows)).
    """
    keys = np.random.SeedSequence(root.entropy, spawn_key=(stream, month, 1)).generate_state(k, np.uint64)
    r = rows.astype(np.uint64)
    out = np.empty((k, rows.size), np.float32)
    with np.errstate(over="ignore"):
        for j in range(k):
            out[j] = (_splitmix64(r ^ keys[j]) >> np.uint64(40)).astype(np.float32) * _TO_UNIT
    return out
