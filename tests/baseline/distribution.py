"""Goal values over many seeds, to show that a change which moves the baseline leaves the model's answer alone.

A change that draws its random numbers differently (say, by row instead of in one block) moves every goal
value of the frozen baseline, yet should leave each goal's distribution over seeds where it was. Record the
distribution before and after the change, then compare:

    python tests/baseline/distribution.py record before.json [--seeds 40]   # on the old code
    python tests/baseline/distribution.py record after.json  [--seeds 40]   # on the new code
    python tests/baseline/distribution.py compare before.json after.json

``compare`` prints, per scenario and goal, both means, the difference as a share of the mean and Welch's z;
with 19 goals x 2 scenarios a few |z| near 2 are expected by chance, while a real change shows as |z| well
above 3. Runs are at ``population.weight=100`` (the test scale) for scenarios ``plan`` and ``no_program``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

SCENARIOS = ("plan", "no_program")
SCALE = "population.weight=100"


def record(path: Path, seeds: int) -> None:
    """Write every goal's value for seeds 0..seeds-1 of each scenario to ``path`` (JSON)."""
    from sim import simulate

    out = {}
    for scenario in SCENARIOS:
        rows = []
        for seed in range(seeds):
            card = simulate([f"scenario={scenario}", f"seed={seed}", SCALE]).scorecard
            rows.append(dict(zip(card["goal_id"], map(float, card["value"]), strict=True)))
        out[scenario] = rows
    path.write_text(json.dumps(out))
    print(f"wrote {path}: {seeds} seeds x {len(SCENARIOS)} scenarios")


def _mean_var(xs: list[float]) -> tuple[float, float]:
    m = sum(xs) / len(xs)
    return m, sum((x - m) ** 2 for x in xs) / max(1, len(xs) - 1)


def compare(before: Path, after: Path) -> float:
    """Print each goal's mean before and after with Welch's z; returns the largest |z|."""
    a, b = json.loads(before.read_text()), json.loads(after.read_text())
    worst = 0.0
    print(f"{'scenario':<11} {'goal':<24} {'before':>14} {'after':>14} {'diff':>8} {'z':>6}")
    for scenario in SCENARIOS:
        for goal in a[scenario][0]:
            ma, va = _mean_var([r[goal] for r in a[scenario]])
            mb, vb = _mean_var([r[goal] for r in b[scenario]])
            se = math.sqrt(va / len(a[scenario]) + vb / len(b[scenario]))
            z = (mb - ma) / se if se > 0 else (0.0 if mb == ma else math.inf)
            worst = max(worst, abs(z))
            rel = (mb - ma) / abs(ma) if ma else 0.0
            print(f"{scenario:<11} {goal:<24} {ma:>14.6g} {mb:>14.6g} {rel:>+8.2%} {z:>+6.2f}")
    print(f"largest |z| = {worst:.2f}")
    return worst


def main() -> None:
    """Command line: ``record PATH [--seeds N]`` or ``compare BEFORE AFTER``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("path", type=Path)
    rec.add_argument("--seeds", type=int, default=40)
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "record":
        record(args.path, args.seeds)
    else:
        compare(args.before, args.after)


if __name__ == "__main__":
    main()
