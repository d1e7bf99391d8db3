"""sim.evaluate: numbers in by parameter path, one flat dict out, the command line's validation."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.config import ConfigError
from sim.evaluate import config_for, outcome_names
from sim.goals import load_goals

W = 2350.0  # 1,000 household rows: the smallest scale the model accepts


def test_returns_flat_dict_of_numbers_with_numpy_input():
    out = sim.evaluate({"uncertainties.bass_q": np.float64(0.4)}, weight=W)
    assert list(out) == outcome_names()
    assert all(isinstance(v, float) for v in out.values())
    goals = load_goals()
    assert out["goals_met"] == sum(out[f"{g.goal_id}.met"] for g in goals)
    assert out["outcome_goals_met"] == sum(out[f"{g.goal_id}.met"] for g in goals if g.kind == "outcome")
    assert out["outcome_goals_met"] < out["goals_met"] or not any(g.kind != "outcome" for g in goals)
    for g in goals:
        assert out[f"{g.goal_id}.met"] == float(g.met(out[g.goal_id]))
    assert out["spent_cny"] == pytest.approx(out["inclusive_spend_cum"], rel=0.2)


def test_same_as_the_command_line():
    """The numeric interface runs the very config the command line composes."""
    cfg = config_for({"uncertainties.bass_q": 0.4, "levers.stations.scale": np.float32(1.5),
                      "levers.lectures.intensity": np.array([1000, 2000, 2000, 2500, 2500])}, seed=3, weight=W)
    ref = sim.load_config(["uncertainties.bass_q=0.4", "levers.stations.scale=1.5", "seed=3", f"population.weight={W}",
                           "levers.lectures.intensity=[1000.0,2000.0,2000.0,2500.0,2500.0]"])
    assert cfg == ref
    assert isinstance(cfg.levers.lectures.intensity[0], float)


def test_base_config_is_not_changed_by_a_call():
    sim.evaluate({"budget.total_cny": 1e8}, weight=W)
    assert config_for(weight=W).budget.total_cny == 900_000_000


@pytest.mark.parametrize(("params", "key", "words"), [
    ({"uncertainties.bass_q": 7}, "uncertainties.bass_q", "[0, 1]"),
    ({"uncertainties.bass_qq": 0.3}, "uncertainties.bass_qq", "did you mean uncertainties.bass_q"),
    ({"levers.stations.intensity": 3.0}, "levers.stations.intensity", "a list of 5 numbers"),
    ({"levers.stations.scale": np.float64(-1)}, "levers.stations.scale", "[0, 20]"),
    ({"population.villages": 10.5}, "population.villages", "whole number"),
    ({"budget.allocation.nowhere": 0.1}, "budget.allocation.nowhere", "lever names"),
])
def test_bad_value_one_line_error_naming_key_and_range(params, key, words):
    with pytest.raises(ConfigError) as err:
        sim.evaluate(params)
    msg = str(err.value)
    assert "\n" not in msg and f"'{key}'" in msg and words in msg


def test_bass_q_error_message():
    with pytest.raises(ConfigError, match=r"^Invalid configuration: 'uncertainties.bass_q' = 7; allowed: a finite "
                                          r"number in \[0, 1\]"):
        sim.evaluate({"uncertainties.bass_q": 7})


def test_replications_use_common_random_numbers():
    out = sim.evaluate(weight=W, replications=2, seed=5)
    from sim.experiment.store import replication_seeds

    runs = [sim.evaluate(weight=W, seed=s) for s in replication_seeds(5, 2)]
    for name in ("goals_met", "farmer_loan_balance", "npl_ratio"):
        assert out[name] == pytest.approx(np.mean([r[name] for r in runs]))
        assert out[f"{name}.sd"] == pytest.approx(np.std([r[name] for r in runs], ddof=1))
