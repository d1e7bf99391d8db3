"""Two versions of the code timed alternately, so that a change's effect is measured under the same load.

On a shared machine the time of one run drifts by a tenth from one minute to the next, more than most
speed-ups; a figure measured today against one measured last week says little. This script checks out
``BASE`` (and ``HEAD``, or uses the working tree) into temporary git worktrees, runs each once untimed (Numba
compiles its passes into the worktree's cache), then runs ``benchmarks/full_scale.py --no-outputs`` from
each in turn, ``--pairs`` times, and prints every pair and the range of each figure:

    python benchmarks/ab.py 15cd398                        # that commit against the working tree, three pairs
    python benchmarks/ab.py 15cd398 --head HEAD --pairs 5  # two commits
    python benchmarks/ab.py 15cd398 population.weight=10   # Hydra overrides after population.weight=1

Figures: build, the 60 months, model time (their sum) and the model's ratio to the reference kernel, as
``full_scale.py`` prints them. The script prints; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = {  # figure -> the pattern of full_scale.py's line that gives it
    "build s": r"^build: ([\d.]+) s",
    "months s": r"^build: [\d.]+ s\s+run: ([\d.]+) s",
    "model s": r"^build: .*total: ([\d.]+) s",
    "÷ kernel": r"^model / kernel: ([\d.]+)x",
}


def figures(output: str) -> dict[str, float]:
    """The figures of one ``full_scale.py`` output.

    Raises:
        ValueError: a figure is missing (the run failed, or its output changed).
    """
    out = {}
    for name, pattern in FIGURES.items():
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise ValueError(f"no '{name}' in the benchmark's output:\n{output[-2000:]}")
        out[name] = float(match[1])
    return out


def run(tree: Path, overrides: list[str]) -> dict[str, float]:
    """One full-scale benchmark run from the code in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}  # `import sim` finds this tree's package first
    done = subprocess.run([sys.executable, "benchmarks/full_scale.py", "--no-outputs", *overrides], cwd=tree,
                          env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the benchmark failed in {tree}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return figures(done.stdout)


def worktree(rev: str, into: Path) -> Path:
    """A detached worktree of ``rev`` in ``into`` (removed by :func:`main` at the end)."""
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(into), rev], cwd=ROOT, check=True)
    return into


def summary(rows: list[dict[str, float]]) -> str:
    """Each figure's range and median over the runs: ``lowest–highest (median m)``.

    On a shared machine a single run can land far from the others; the median is the figure a pair of versions
    is best compared by, the range what the machine did.
    """
    return "  ".join(f"{k} {min(r[k] for r in rows):.2f}–{max(r[k] for r in rows):.2f} "
                     f"(median {statistics.median(r[k] for r in rows):.2f})" for k in FIGURES)


def main() -> None:
    """Parse the arguments, make the worktrees, run the pairs, print them and the ranges."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the commit to compare against")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides after population.weight=1")
    parser.add_argument("--head", help="the commit to compare (default: the working tree)")
    parser.add_argument("--pairs", type=int, default=3, help="alternating pairs of runs (default 3)")
    args = parser.parse_args()
    if args.pairs < 1:
        parser.error(f"--pairs {args.pairs}: expected a positive integer")
    for rev in filter(None, (args.base, args.head)):
        known = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=ROOT,
                               capture_output=True)
        if known.returncode:
            parser.error(f"{rev!r} is not a commit of {ROOT}")
    with tempfile.TemporaryDirectory(prefix="sim-ab-") as tmp:
        made = []
        try:
            trees = {}
            for label, rev in (("base", args.base), ("head", args.head)):
                if rev is None:
                    trees[f"{label} (working tree)"] = ROOT
                else:
                    made.append(worktree(rev, Path(tmp) / label))
                    trees[f"{label} {rev}"] = made[-1]
            for tree in trees.values():  # compiles the passes into the tree's cache: not timed
                run(tree, ["population.weight=100", *args.overrides])
            results: dict[str, list[dict[str, float]]] = {label: [] for label in trees}
            for pair in range(1, args.pairs + 1):
                for label, tree in trees.items():
                    results[label].append(run(tree, args.overrides))
                    row = "  ".join(f"{k} {v:.2f}" for k, v in results[label][-1].items())
                    print(f"pair {pair}  {label:<28} {row}", flush=True)
            print()
            for label, rows in results.items():
                print(f"{label:<28} {summary(rows)}")
            base, head = results.values()
            diffs = [h["model s"] - b["model s"] for b, h in zip(base, head, strict=True)]
            print(f"model time, head - base, pair by pair: {', '.join(f'{d:+.2f}' for d in diffs)} s "
                  f"(median {statistics.median(diffs):+.2f} s)")
            for label, rows in results.items():
                met = sum(r["÷ kernel"] <= 6.0 for r in rows)
                print(f"{label:<28} at or under 6x the kernel in {met} of {len(rows)} runs")
        finally:
            for tree in made:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
