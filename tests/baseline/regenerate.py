"""Regenerate the frozen baseline of key outputs, on purpose, after a change that is meant to move them.

    python tests/baseline/regenerate.py

Writes ``tests/baseline/scorecards.json``: the 2020 value of every goal for a few scenarios at test scale.
``tests/test_baseline.py`` fails when a change moves any of them; review the diff of this file before
committing a regenerated baseline. A change that only draws differently should leave each goal's
distribution over seeds unchanged: ``tests/baseline/distribution.py`` records and compares it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim import simulate

HERE = Path(__file__).resolve().parent
RUNS = {"plan": ["scenario=plan"], "no_program": ["scenario=no_program"], "late_start": ["scenario=late_start"]}
COMMON = ["seed=11", "population.weight=200"]


def compute() -> dict[str, dict[str, float]]:
    """Goal values per baseline run."""
    out = {}
    for name, overrides in RUNS.items():
        card = simulate([*overrides, *COMMON]).scorecard
        out[name] = {g: float(v) for g, v in zip(card["goal_id"], card["value"], strict=True)}
    return out


if __name__ == "__main__":
    (HERE / "scorecards.json").write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {HERE / 'scorecards.json'}")
