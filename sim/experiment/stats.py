"""Intervals for replicated runs.

* mean of a goal over replications: Student-t interval, mean +/- t(1 - a/2, n - 1) * sd / sqrt(n), made
  to respect the range the values live in (:func:`bounded_mean_ci`): for a share in [0, 1] the t interval
  is built on the logit scale (``logit_t``), for values that are all >= 0 (counts, money) on the log scale
  (``log_t``), both with the delta method's standard error, and mapped back; otherwise plain ``t``;
* probability of meeting a goal (k of n runs met it): Wilson score interval (default) or Clopper-Pearson
  (exact, conservative);
* paired difference between two scenarios run with the same seeds (common random numbers): the
  Student-t interval of the per-seed differences, which removes the noise the two runs share; for the
  difference of two probabilities of meeting a goal, Newcombe's square-and-add interval for paired
  proportions (:func:`paired_proportion_diff`), which stays inside [-1, 1].
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats


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


def bounded_mean_ci(x: np.ndarray, confidence: float = 0.95, share: bool = False) -> tuple[float, float, float, str]:
    """Mean and an interval of the mean that stays inside the values' range.

    A t interval can leave the possible range (a coverage above 1, a count below 0) when the values sit
    near a bound. Here the interval is built on a scale without the bound and mapped back; the centre
    is the mean itself and the standard error comes from the delta method:

    * ``logit_t`` (``share`` and every value in [0, 1]): logit(m) +/- t * se / (m (1 - m)), back through
      the logistic function: inside (0, 1);
    * ``log_t`` (every value >= 0): log(m) +/- t * se / m, back through exp: inside (0, inf);
    * ``t``: the plain Student-t interval (values of both signs).

    When every value is the same (or the mean sits on the bound, so every value does), the interval is
    that value, of zero width.

    Args:
        x: replicated values (NaN are dropped).
        confidence: the level, e.g. 0.95.
        share: the values are shares or probabilities, in [0, 1].

    Returns:
        (mean, low, high, method); NaN ends for fewer than 2 values.
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    share = share and x.size > 0 and bool(((x >= 0) & (x <= 1)).all())
    method = "logit_t" if share else "log_t" if x.size and (x >= 0).all() else "t"
    mean, low, high = mean_ci(x, confidence)
    if method == "t" or x.size < 2:
        return mean, low, high, method
    se = float(x.std(ddof=1) / math.sqrt(x.size))
    at_bound = mean <= 0 or (method == "logit_t" and mean >= 1)
    if se == 0 or at_bound:  # every value the same
        return mean, mean, mean, method
    t = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1))
    if method == "logit_t":
        centre, half = math.log(mean / (1 - mean)), t * se / (mean * (1 - mean))
        return mean, float(special.expit(centre - half)), float(special.expit(centre + half)), method
    half = t * se / mean
    return mean, mean * math.exp(-half), mean * math.exp(half), method


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


def paired_proportion_diff(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """P(a) - P(b) for paired yes/no outcomes, with Newcombe's square-and-add interval (paired data).

    Newcombe (1998), Statistics in Medicine 17:2635-2650, method 10: the Wilson score intervals of the
    two probabilities combined with the (continuity-corrected) correlation of the pairs. Unlike the t
    interval of the differences it stays inside [-1, 1], also for few replications.

    Args:
        a: the scenario's outcomes (True/1 = goal met), one per replication.
        b: the reference's outcomes, same replications in the same order.
        confidence: the level.

    Returns:
        diff_mean, diff_ci_low, diff_ci_high and n_pairs (pairs where both are known).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("paired samples must have the same length")
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok] > 0.5, b[ok] > 0.5
    n = int(a.size)
    if n == 0:
        return {"diff_mean": math.nan, "diff_ci_low": math.nan, "diff_ci_high": math.nan, "n_pairs": 0}
    both, only_a, only_b = int((a & b).sum()), int((a & ~b).sum()), int((~a & b).sum())
    neither = n - both - only_a - only_b
    p1, l1, u1 = proportion_ci(both + only_a, n, confidence, "wilson")
    p2, l2, u2 = proportion_ci(both + only_b, n, confidence, "wilson")
    margins = (both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    phi = 0.0
    if margins > 0:
        cross = both * neither - only_a * only_b
        if cross > n / 2:
            phi = (cross - n / 2) / math.sqrt(margins)
        elif cross < 0:
            phi = cross / math.sqrt(margins)
    d = p1 - p2
    low = d - math.sqrt(max(0.0, (p1 - l1) ** 2 + (u2 - p2) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2)))
    high = d + math.sqrt(max(0.0, (p2 - l2) ** 2 + (u1 - p1) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1)))
    return {"diff_mean": d, "diff_ci_low": max(-1.0, low), "diff_ci_high": min(1.0, high), "n_pairs": n}
