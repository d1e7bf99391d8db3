"""Random numbers: one generator per decision kind and month, and counter-based draws for row subsets.

Common random numbers between scenarios run with the same seed need a household's draw for a decision to
be the same in both runs whenever the household faces that decision in both. Two tools give that:

* :func:`month_generator`: a fresh generator per (stream, month), so that what one month drew never
  shifts the next month's draws;
* :func:`row_uniforms` and :func:`uniform`: uniforms that are a pure function of (seed, stream, month, row),
  computed only for the rows that need them, by hashing; compiled rules call :func:`uniform` per row.

Compiled rules in other modules inline :func:`uniform`, and Numba's cache of a module does not notice when a
function it inlined from another file changes: after changing :func:`uniform`, clear the cache
(``make clean-cache``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = np.float32(2.0**-24)


def month_generator(root: np.random.SeedSequence, stream: int, month: int) -> np.random.Generator:
    """A generator for one decision stream in one month, independent of every other (stream, month)."""
    return np.random.default_rng(np.random.SeedSequence(root.entropy, spawn_key=(stream, month)))


def row_keys(root: np.random.SeedSequence, stream: int, month: int, k: int) -> np.ndarray:
    """The ``k`` keys of (seed, stream, month): draw ``j`` of a row is :func:`uniform` (keys[j], row).

    A prefix of the keys is the same whatever ``k``, so a rule can draw more per row without moving the others.
    """
    return np.random.SeedSequence(root.entropy, spawn_key=(stream, month, 1)).generate_state(k, np.uint64)


@njit(cache=True, nogil=True, inline="always")
def uniform(key: np.uint64, row: int) -> np.float32:
    """A uniform in [0, 1) that is a pure function of (key, row): the SplitMix64 finaliser of ``row ^ key``.

    SplitMix64 (Steele, Lea & Flood 2014) is a bijective, well-mixing hash of uint64; its top 24 bits make
    an exact float32. Compiled rules call it per row, so a draw costs no pass over memory.
    """
    z = (np.uint64(row) ^ key) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    z = z ^ (z >> np.uint64(31))
    return np.float32(z >> np.uint64(40)) * _TO_UNIT


@njit(cache=True, nogil=True)
def flag_drawn_below(lo: int, hi: int, flag: np.ndarray, key: np.uint64, p: np.float32) -> None:
    """Rows ``lo`` to ``hi`` whose draw ``uniform(key, row)`` is below ``p`` (float32) get ``flag``, in place.

    A pass for :func:`sim.parallel.over_blocks`: every row is drawn and written, whether or not it has the
    flag already (a test on a flag that is close to a coin flip would mispredict half the time).
    """
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    flag = flag[lo:hi]
    for i in range(hi - lo):
        flag[i] |= uniform(key, lo + i) < p


@njit(cache=True, nogil=True)
def _uniforms(keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
    out = np.empty((keys.size, rows.size), np.float32)
    for j in range(keys.size):
        for i in range(rows.size):
            out[j, i] = uniform(keys[j], rows[i])
    return out


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
    return _uniforms(row_keys(root, stream, month, k), np.asarray(rows, dtype=np.int64))


# Monthly decision streams. Each month every stream restarts from a seed keyed by (stream, month), so a
# difference between two scenarios in one month never shifts the draws of later months (common random numbers).
SPINUP_KEY = 100_000  # months before 2016-01 are keyed SPINUP_KEY + months before
STREAMS = ("visits", "campaigns", "stations", "lectures", "adoption", "credit", "enterprise", "data_files",
           "renewal", "channels", "merger")


class Streams:
    """A run's random numbers: build-time generators, and per (decision stream, month) generators and row draws.

    Args:
        seed: the run's seed.
    """

    BUILD = ("population", "enterprise_population", "latent")

    def __init__(self, seed: int):
        self.root = np.random.SeedSequence(seed)
        self.build = {name: np.random.default_rng(seq)
                      for name, seq in zip(self.BUILD, self.root.spawn(len(self.BUILD)), strict=True)}
        self._month: dict[str, np.random.Generator] = {}
        self._t = 0

    def new_month(self, t: int) -> None:
        """Start month ``t``: every stream's generator restarts from (seed, stream, t).

        Months of the spin-up before January 2016 (``t`` < 0) get keys of their own.
        """
        self._t = t if t >= 0 else SPINUP_KEY - t
        self._month = {}

    def month(self, stream: str) -> np.random.Generator:
        """This month's generator for a decision stream (see :data:`STREAMS`)."""
        gen = self._month.get(stream)
        if gen is None:
            gen = self._month[stream] = month_generator(self.root, 100 + STREAMS.index(stream), self._t)
        return gen

    def rows(self, stream: str, rows: np.ndarray, k: int) -> np.ndarray:
        """``k`` uniforms per row for this month, the same for a row in any scenario with this seed."""
        return row_uniforms(self.root, 200 + STREAMS.index(stream), self._t, rows, k)

    def keys(self, stream: str, k: int) -> np.ndarray:
        """This month's ``k`` row keys for a decision stream: ``uniform(keys[j], row)`` is ``rows(...)[j]``."""
        return row_keys(self.root, 200 + STREAMS.index(stream), self._t, k)
