"""What ``sim.evaluate`` costs beyond the model's own time: config, validation and reading the outcomes.

Times, at one scale and seed, the model alone (``TaizhouModel(cfg).run()`` on a config made beforehand) and
``sim.evaluate`` with two parameter values, alternating, and prints the medians; then the overhead's two
parts on their own (making the config, reading the outcomes), which the medians' noise would hide.
The budget: under 20 ms of overhead per call.

    python benchmarks/evaluate_overhead.py [weight] [repeats]
"""

from __future__ import annotations

import copy
import statistics
import sys
import time

import numpy as np

import sim
from sim.evaluate import config_for, read_outcomes
from sim.model import TaizhouModel


def main() -> None:
    weight = float(sys.argv[1]) if len(sys.argv) > 1 else 200.0
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    params = {"uncertainties.bass_q": np.float64(0.4), "levers.stations.scale": np.float64(1.2)}
    sim.evaluate(params, weight=weight)  # the first call composes the base config (once per process)
    cfg = config_for(params, weight=weight)
    model_s, call_s, read_s = [], [], []
    for _ in range(repeats):
        c = copy.deepcopy(cfg)
        t0 = time.perf_counter()
        model = TaizhouModel(c).run()
        model_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        read_outcomes(model)
        read_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sim.evaluate(params, weight=weight)
        call_s.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(50):
        config_for(params, weight=weight)
    config_ms = (time.perf_counter() - t0) / 50 * 1e3
    m, c, r = statistics.median(model_s), statistics.median(call_s), statistics.median(read_s)
    print(f"weight {weight:g}, {repeats} calls: model alone {m * 1e3:.0f} ms, sim.evaluate {c * 1e3:.0f} ms "
          f"(medians; their difference {(c - m) * 1e3:+.1f} ms is within run-to-run noise)")
    print(f"overhead per call: config copy, values and validation {config_ms:.1f} ms + reading the outcomes "
          f"{r * 1e3:.1f} ms = {config_ms + r * 1e3:.1f} ms; budget 20 ms")


if __name__ == "__main__":
    main()
