"""A row can stand for many households: aggregates at a coarse weight agree with a fine one."""

from __future__ import annotations

import numpy as np
import pytest

from sim import simulate

GOALS = ["village_coverage", "info_file_rate", "fengshou_customers", "small_credit_clients", "farmer_loan_clients",
         "farmer_loan_balance", "low_income_loans_cum", "lectures_cum", "ebank_substitution", "inclusive_spend_cum"]


def _values(weight: int, seeds: range, scenario: str) -> np.ndarray:
    return np.array([
        simulate([f"scenario={scenario}", f"seed={s}", f"population.weight={weight}"])
        .scorecard.set_index("goal_id").loc[GOALS, "value"].to_numpy()
        for s in seeds
    ])


@pytest.mark.parametrize("scenario", ["plan", "no_program"])
def test_coarse_weight_agrees_with_fine_weight(scenario):
    fine = _values(25, range(2), scenario)
    coarse = _values(250, range(10, 14), scenario)
    diff = coarse.mean(0) - fine.mean(0)
    se = np.sqrt(coarse.var(0, ddof=1) / len(coarse) + fine.var(0, ddof=1) / len(fine))
    # within 4 standard errors of the difference, or 2% where both runs barely vary
    tolerance = np.maximum(4 * se, 0.02 * np.abs(fine.mean(0)))
    bad = [(g, f, c) for g, f, c, d, tol in zip(GOALS, fine.mean(0), coarse.mean(0), diff, tolerance, strict=True)
           if abs(d) > tol]
    assert not bad, f"weight 250 differs from weight 25: {bad}"
