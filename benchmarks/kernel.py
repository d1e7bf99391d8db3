"""The reference kernel: a trivial adoption rule over full-scale rows in NumPy (docs/architecture.md).

Each month every row computes ``p = 0.02 + 0.05·income + 0.10·trust − 0.03·distance``, draws a uniform
``u`` and, if ``u < p``, adopts and adds 1 to its savings; otherwise its savings shrink by 0.1%
(``savings *= 0.999``). Columns are float32, like the model's. The kernel is memory-bound: it reads
and writes a few full-length columns per month, which is the least any per-row monthly rule must do.
Timed in the same process as the model, the ratio ``model time / kernel time`` holds from one machine
(or one load) to another; the goal is at most 6x.

    python benchmarks/kernel.py [--rows N] [--months M] [--repeats R]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

FULL_SCALE_ROWS = 2_350_000
MONTHS = 60
F32 = np.float32


def make_columns(rows: int, seed: int = 0) -> dict[str, np.ndarray]:
    """The kernel's columns: income, trust and distance uniform on [0, 1), savings 0, adopted False.

    Args:
        rows: number of rows.
        seed: seed of the generator that fills the columns.

    Returns:
        A dict of float32 columns (``income``, ``trust``, ``distance``, ``savings``) and a bool column
        ``adopted``.
    """
    rng = np.random.default_rng(seed)
    return {
        "income": rng.random(rows, dtype=F32),
        "trust": rng.random(rows, dtype=F32),
        "distance": rng.random(rows, dtype=F32),
        "savings": np.zeros(rows, F32),
        "adopted": np.zeros(rows, bool),
    }


def step(cols: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """One month of the adoption rule over every row, in place.

    Args:
        cols: the columns from :func:`make_columns`.
        rng: the generator for the month's uniforms.
    """
    p = F32(0.02) + F32(0.05) * cols["income"] + F32(0.10) * cols["trust"] - F32(0.03) * cols["distance"]
    adopt = rng.random(p.size, dtype=F32) < p
    cols["adopted"] |= adopt
    savings = cols["savings"]
    cols["savings"] = np.where(adopt, savings + F32(1.0), savings * F32(0.999))


def reference_kernel_times(rows: int = FULL_SCALE_ROWS, months: int = MONTHS, repeats: int = 1,
                           seed: int = 0) -> tuple[float, float]:
    """Time the reference kernel in wall-clock and CPU seconds (see :func:`reference_kernel`).

    CPU time (this process only) is less disturbed than wall time when other processes share the cores.

    Returns:
        Wall seconds and CPU seconds of the fastest of ``repeats`` runs (fastest by wall time).
    """
    best = (float("inf"), float("inf"))
    for _ in range(max(1, repeats)):
        cols = make_columns(rows, seed)
        rng = np.random.default_rng(seed + 1)
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(months):
            step(cols, rng)
        best = min(best, (time.perf_counter() - t0, time.process_time() - c0))
    return best


def reference_kernel(rows: int = FULL_SCALE_ROWS, months: int = MONTHS, repeats: int = 1, seed: int = 0) -> float:
    """Time the reference kernel: ``months`` steps of the adoption rule over ``rows`` rows.

    Building the columns is not timed (the model's counterpart is its build time, reported apart).

    Args:
        rows: number of rows (2.35 million: full scale).
        months: number of monthly steps.
        repeats: how many times to run it; the fastest run is returned (the least disturbed by other load).
        seed: seed of the columns and the monthly draws.

    Returns:
        Wall-clock seconds for ``months`` steps, the best of ``repeats`` runs.
    """
    return reference_kernel_times(rows, months, repeats, seed)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=FULL_SCALE_ROWS, help="rows (default %(default)s)")
    parser.add_argument("--months", type=int, default=MONTHS, help="monthly steps (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="runs; the best is printed (default %(default)s)")
    args = parser.parse_args()
    seconds, cpu = reference_kernel_times(args.rows, args.months, args.repeats)
    per_row_month = seconds / (args.rows * args.months) * 1e9
    print(f"reference kernel: {args.rows:,} rows x {args.months} months in {seconds:.3f} s, CPU {cpu:.3f} s "
          f"({per_row_month:.2f} ns per row-month, best of {args.repeats})")


if __name__ == "__main__":
    main()
