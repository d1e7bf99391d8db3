"""Intervals for replicated runs.

* mean of a goal over replications: Student-t interval, mean +/- t(1 - a/2, n - 1) * sd / sqrt(n);
* probability of meeting a goal (k of n runs met it): Wilson score interval (default) or Clopper-Pearson
  (exact, conservative);
* paired difference between two scenarios run with the same seeds (common random numbers): the
  Student-t interval of the per-seed differences, which removes the noise the two runs share.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def mean_ci(x: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t interval of the mean.

    Args:
        x: replicated values (NaN are dropped).
        confidence: the level, e.g. 0.95.

    Returns:
        (mean, low, high); the interval has zero width when all values are equal, NaN for fewer than 2.
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


def proportion_ci(k: int, n: int, confidence: float = 0.95, method: str = "wilson") -> tuple[float, float, float]:
    """Share of runs that met a goal and its interval.

    Args:
        k: runs that met the goal.
        n: runs.
        confidence: the level.
        method: ``wilson`` (score interval) or ``clopper_pearson`` (exact binomial, from the beta quantiles).

    Returns:
        (k / n, low, high).
    """
    if n <= 0:
        return math.nan, math.nan, math.nan
    p = k / n
    alpha = 1 - confidence
    if method == "wilson":
        z = float(stats.norm.ppf(1 - alpha / 2))
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        low = 0.0 if k == 0 else max(0.0, centre - half)  # exact ends: rounding leaves 1e-17 otherwise
        high = 1.0 if k == n else min(1.0, centre + half)
        return p, low, high
    if method == "clopper_pearson":
        low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
        high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
        return p, low, high
    raise ValueError(f"unknown interval method {method!r}")


def paired_diff(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """The difference a - b over pairs that share a seed.

    Args:
        a: values of the scenario, one per replication.
        b: values of the reference, same replications in the same order.
        confidence: the level.

    Returns:
        mean, ci_low, ci_high of the differences, the paired t-test p-value (two-sided; NaN when every
        difference is the same) and n.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("paired samples must have the same length")
    d = a - b
    ok = np.isfinite(d)
    d = d[ok]
    mean, low, high = mean_ci(d, confidence)
    p_value = math.nan
    if d.size >= 2 and np.ptp(d) > 1e-12 * max(1.0, abs(mean)):  # constant differences: no test to make
        p_value = float(stats.ttest_rel(a[ok], b[ok]).pvalue)
    return {"diff_mean": mean, "diff_ci_low": low, "diff_ci_high": high, "p_value": p_value, "n_pairs": int(d.size)}
