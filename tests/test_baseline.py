"""Key outputs against a frozen baseline: a change that moves results must regenerate it on purpose."""

from __future__ import annotations

import json
import math

from tests.baseline.regenerate import HERE, compute


def test_goal_values_match_the_frozen_baseline():
    frozen = json.loads((HERE / "scorecards.json").read_text())
    now = compute()
    moved = [(run, goal, frozen[run][goal], value)
             for run, values in now.items() for goal, value in values.items()
             if not math.isclose(value, frozen[run][goal], rel_tol=1e-9, abs_tol=1e-9)]
    assert not moved, (
        f"{len(moved)} goal values moved from the baseline (run, goal, frozen, now): {moved[:5]}; if the change "
        "is meant to move them, run `python tests/baseline/regenerate.py` and review the diff"
    )
