"""The scorecard computed on small hand-made states."""

from __future__ import annotations

import math

import pytest

from sim.goals import GOAL_IDS, load_goals, scorecard


def _values(**over):
    v = {g.goal_id: g.target for g in load_goals()}
    v.update(over)
    return v


def test_all_targets_exactly_met():
    card = scorecard(_values())
    assert card["met"].all()
    assert card.loc[card.goal_id != "blank_villages", "attainment"].eq(1).all()


def test_at_least_and_at_most_goals():
    card = scorecard(_values(village_coverage=0.9, blank_villages=3, lectures_cum=12000)).set_index("goal_id")
    assert not card.loc["village_coverage", "met"]
    assert math.isclose(card.loc["village_coverage", "attainment"], 0.9)
    assert not card.loc["blank_villages", "met"]
    assert card.loc["blank_villages", "attainment"] == pytest.approx(0.25)
    assert card.loc["lectures_cum", "met"] and card.loc["lectures_cum", "attainment"] == pytest.approx(1.2)


def test_missing_goal_value_is_an_error():
    v = _values()
    del v["sme_loan_clients"]
    with pytest.raises(KeyError):
        scorecard(v)


def test_nineteen_goals():
    assert len(GOAL_IDS) == 19
