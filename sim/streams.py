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
_TO_UNIT64 = 2.0**-53


def month_generator(root: np.random.SeedSequence, stream: int, month: int) -> np.random.Generator:
    """A generator for one decision stream in one month, independent of every other (stream, month)."""
    return np.random.default_rng(np.random.SeedSequence(root.entropy, spawn_key=(stream, month)))


def row_keys(root: np.random.SeedSequence, stream: int, month: int, k: int) -> np.ndarray:
    """The ``k`` keys of (seed, stream, month): draw ``j`` of a row is :func:`uniform` (keys[j], row).

    A prefix of the keys is the same whatever ``k``, so a rule can draw more per row without moving the others.
    """
    return np.random.SeedSequence(root.entropy, spawn_key=(stream, month, 1)).generate_state(k, np.uint64)


@njit(cache=True, nogil=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:
    """The SplitMix64 finaliser: a bijective, well-mixing hash of a uint64."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True, inline="always")
def uniform(key: np.uint64, row: int) -> np.float32:
    """A uniform in [0, 1) that is a pure function of (key, row): the SplitMix64 finaliser of ``row ^ key``.

    SplitMix64 (Steele, Lea & Flood 2014) is a bijective, well-mixing hash of uint64; its top 24 bits make
    an exact float32. Compiled rules call it per row, so a draw costs no pass over memory.
    """
    return np.float32(_mix((np.uint64(row) ^ key) + _GOLDEN) >> np.uint64(40)) * _TO_UNIT


@njit(cache=True, nogil=True, inline="always")
def subkey(key: np.uint64, j: int) -> np.uint64:
    """The ``j``-th key derived from ``key``: draws of a row that need several uniforms (a retry, say)."""
    return _mix(key + _GOLDEN * np.uint64(j + 1))


@njit(cache=True, nogil=True, inline="always")
def uniform64(key: np.uint64, row: int) -> float:
    """A float64 uniform in the open interval (0, 1), a pure function of (key, row): 53 bits of the hash.

    Open at both ends, so that a quantile function never meets 0 or 1.
    """
    z = _mix((np.uint64(row) ^ key) + _GOLDEN)
    return (np.float64(z >> np.uint64(11)) + 0.5) * _TO_UNIT64


# Wichura's algorithm AS 241 (PPND16, Applied Statistics 37, 1988): the normal quantile to about 1e-16.
_A = (3.3871328727963666080, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
      45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727)
_B = (1.0, 42.313330701600911252, 687.18700749205790830, 5394.1960214247511077, 21213.794301586595867,
      39307.895800092710610, 28729.085735721942674, 5226.4952788528545610)
_C = (1.42343711074968357734, 4.63033784615654529590, 5.76949722146069140550, 3.64784832476320460504,
      1.27045825245236838258, 0.241780725177450611770, 0.0227238449892691845833, 7.74545014278341407640e-4)
_D = (1.0, 2.05319162663775882187, 1.67638483018380384940, 0.689767334985100004550, 0.148103976427480074590,
      0.0151986665636164571966, 5.47593808499534494600e-4, 1.05075007164441684324e-9)
_E = (6.65790464350110377720, 5.46378491116411436990, 1.78482653991729133580, 0.296560571828504891230,
      0.0265321895265761230930, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F = (1.0, 0.599832206555887937690, 0.136929880922735805310, 0.0148753612908506148525,
      7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15)


@njit(cache=True, nogil=True, inline="always")
def _poly(c, x: float) -> float:
    return c[0] + x * (c[1] + x * (c[2] + x * (c[3] + x * (c[4] + x * (c[5] + x * (c[6] + x * c[7]))))))


@njit(cache=True, nogil=True)
def normal_quantile(p: float) -> float:
    """The standard normal's quantile at ``p`` in (0, 1) (AS 241; ``scipy.special.ndtri`` to about 1e-15)."""
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _poly(_A, r) / _poly(_B, r)
    r = np.sqrt(-np.log(p if q < 0 else 1.0 - p))
    if r <= 5.0:
        r -= 1.6
        x = _poly(_C, r) / _poly(_D, r)
    else:
        r -= 5.0
        x = _poly(_E, r) / _poly(_F, r)
    return -x if q < 0 else x


@njit(cache=True, nogil=True)
def gamma(key: np.uint64, row: int, shape: float) -> float:
    """A Gamma(``shape``, 1) draw that is a pure function of (key, row); 0 when ``shape`` is 0.

    Marsaglia & Tsang (2000): a normal and a uniform per try, ``j`` drawing from sub-keys ``2j`` and
    ``2j + 1``, and more than 95% of tries accepted. A shape below 1 draws Gamma(shape + 1) and scales it by
    ``U ** (1 / shape)`` (sub-key -1).
    """
    if shape <= 0.0:
        return 0.0
    a = shape + 1.0 if shape < 1.0 else shape
    d = a - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    j = 0
    while True:
        x = normal_quantile(uniform64(subkey(key, 2 * j), row))
        v = 1.0 + c * x
        if v > 0.0:
            v = v * v * v
            u = uniform64(subkey(key, 2 * j + 1), row)
            x2 = x * x
            if u < 1.0 - 0.0331 * x2 * x2 or np.log(u) < 0.5 * x2 + d - d * v + d * np.log(v):
                break  # the first test (their squeeze) spares the logarithms of nearly every try
        j += 1
    g = d * v
    if shape < 1.0:
        g *= uniform64(subkey(key, -1), row) ** (1.0 / shape)
    return g


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
def fill_uniforms(lo: int, hi: int, key: np.uint64, out: np.ndarray) -> None:
    """``out[i] = uniform(key, i)`` for rows ``lo`` to ``hi``: a pass for :func:`sim.parallel.over_blocks`."""
    out = out[lo:hi]  # the block's rows as a view, indexed from 0 (why: sim.parallel)
    for i in range(hi - lo):
        out[i] = uniform(key, lo + i)


@njit(cache=True, nogil=True)
def uniforms(keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``uniform(keys[j], rows[i])`` at ``[j, i]`` (float32)."""
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
    return uniforms(row_keys(root, stream, month, k), np.asarray(rows, dtype=np.int64))


# Monthly decision streams. Each month every stream restarts from a seed keyed by (stream, month), so a
# difference between two scenarios in one month never shifts the draws of later months (common random numbers).
SPINUP_KEY = 100_000  # months before 2016-01 are keyed SPINUP_KEY + months before
STREAMS = ("visits", "campaigns", "stations", "lectures", "adoption", "credit", "enterprise", "data_files",
           "renewal", "channels", "merger")


class Streams:
    """A run's random numbers: the build's (places, then row draws), and per (decision stream, month) ones.

    Args:
        seed: the run's seed.
    """

    BUILD = ("population", "enterprise_population", "latent", "screening")  # the build's row draws

    def __init__(self, seed: int):
        self.root = np.random.SeedSequence(seed)
        # villages and communities: a few thousand draws, in sequence
        self.places = np.random.default_rng(np.random.SeedSequence(self.root.entropy, spawn_key=(300,)))
        self._month: dict[str, np.random.Generator] = {}
        self._t = 0

    def new_month(self, t: int) -> None:
        """Start month ``t``: every stream's generator restarts from (seed, stream, t).

        Months of the spin-up before January 2016 (``t`` < 0) get keys of their own.
        """
        self._t = t if t >= 0 else SPINUP_KEY - t
        self._month = {}

    def build_keys(self, name: str, k: int) -> np.ndarray:
        """The ``k`` row keys of a build stream (:data:`BUILD`): draw ``j`` of row ``i`` is ``uniform(keys[j], i)``.

        The population's columns draw by row, so a row's draws do not depend on how the rows are split
        between threads.
        """
        return row_keys(self.root, 301 + self.BUILD.index(name), 0, k)

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
