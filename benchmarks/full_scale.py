"""Full-scale benchmark: one row per household (population.weight=1), 60 months, one process.

Prints build time, run time, time per month and peak memory. Budget (docs/model.md): <= 15 s and
<= 1.5 GB on one core of a 2-core machine.

    python benchmarks/full_scale.py [extra overrides...]
"""

from __future__ import annotations

import resource
import sys
import time

from sim import TaizhouModel, load_config


def main() -> None:
    overrides = ["population.weight=1", *sys.argv[1:]]
    cfg = load_config(overrides)
    t0 = time.perf_counter()
    model = TaizhouModel(cfg)
    t_build = time.perf_counter() - t0
    steps = []
    while model.t < cfg.months:
        s = time.perf_counter()
        model.step()
        steps.append(time.perf_counter() - s)
    total = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"overrides: {' '.join(overrides)}")
    print(f"households rows: {model.households.n:,}  enterprise rows: {model.enterprises.n:,}  "
          f"managers: {model.n_managers:,}  agents: {len(model.agents):,}")
    print(f"build: {t_build:.2f} s  run: {sum(steps):.2f} s  total: {total:.2f} s")
    print(f"per month: mean {1000 * sum(steps) / len(steps):.0f} ms, max {1000 * max(steps):.0f} ms")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")
    print(f"goals met: {int(model.scorecard()['met'].sum())} / 19")


if __name__ == "__main__":
    main()
