"""What the breakdown by group (:mod:`sim.equity`) costs a full-scale run: time and peak memory.

Runs the model at ``population.weight=1`` (build and 60 months) and times, inside the run, the equity set-up
(the groups of every row, at the end of the build), its measures each month and the table at the end; prints
them against the rest of the run. With ``--without``, runs the same model with the breakdown stubbed out instead
(another process, so that each peak memory is its own) to compare wall time and memory. Budget
(issue 12): the breakdown adds at most 15% to a full-scale run. The script prints figures; it asserts nothing.

    python benchmarks/equity.py [--without] [overrides...]
"""

from __future__ import annotations

import resource
import sys
import time

import sim.model
from sim import TaizhouModel, load_config
from sim.equity import Equity


class TimedEquity(Equity):
    """The breakdown with its set-up and its months timed."""

    setup_s = 0.0
    months_s = 0.0

    def __init__(self, world):
        s = time.perf_counter()
        super().__init__(world)
        TimedEquity.setup_s = time.perf_counter() - s

    def measure(self, policy, t):
        """Measure as usual, and count the time."""
        s = time.perf_counter()
        super().measure(policy, t)
        TimedEquity.months_s += time.perf_counter() - s


class NoEquity:
    """The breakdown stubbed out: nothing measured, nothing kept."""

    def __init__(self, world):
        self.records = []

    def measure(self, policy, t):
        """Nothing."""


def main() -> None:
    """Run the model once with the breakdown timed (or stubbed out with ``--without``) and print the figures."""
    args = sys.argv[1:]
    without = "--without" in args
    overrides = ["population.weight=1", *(a for a in args if a != "--without")]
    cfg = load_config(overrides)
    sim.model.Equity = NoEquity if without else TimedEquity
    t0 = time.perf_counter()
    model = TaizhouModel(cfg)
    build = time.perf_counter() - t0
    model.run()
    total = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"overrides: {' '.join(overrides)}{'  (breakdown stubbed out)' if without else ''}")
    print(f"build: {build:.2f} s  total: {total:.2f} s  peak memory: {peak_mb:,.0f} MB")
    if without:
        return
    s = time.perf_counter()
    model.equity.table()
    table_s = time.perf_counter() - s
    equity = TimedEquity.setup_s + TimedEquity.months_s + table_s
    rest = total - TimedEquity.setup_s - TimedEquity.months_s
    print(f"equity: {equity:.2f} s = set-up {TimedEquity.setup_s:.2f} + 60 months {TimedEquity.months_s:.2f} "
          f"({1000 * TimedEquity.months_s / cfg.months:.0f} ms a month) + table {table_s:.2f}; "
          f"{100 * equity / rest:.1f}% on top of the rest of the run ({rest:.2f} s)")


if __name__ == "__main__":
    main()
