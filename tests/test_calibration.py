"""The end-2015 state meets every calibration band; no parameter is set from a 2020 goal."""

from __future__ import annotations

import re

import pytest

from sim import TaizhouModel, load_config, parameters
from sim.calibration import TARGETS, calibration_table
from sim.goals import load_goals


@pytest.fixture(scope="module")
def table():
    return calibration_table(TaizhouModel(load_config(["population.weight=100"])))


def test_every_calibration_band_is_met_at_test_scale(table):
    missed = table.loc[~table["in_band"], ["target", "low", "high", "model"]]
    assert missed.empty, missed.to_string()


def test_every_target_names_its_evidence():
    assert all(t.evidence and t.low < t.high for t in TARGETS)


def test_no_parameter_source_cites_a_2020_goal():
    """Values taken from the goals would make the model say the goals are met: sources must not cite them."""
    table = parameters()
    sources = table.loc[~table["path"].str.endswith(".moves"), ["path", "source"]]
    words = ("goal", "target", "2020 目标", *(g.goal_id for g in load_goals()))
    pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in words), re.IGNORECASE)
    cited = sources[sources["source"].map(lambda s: bool(pattern.search(s)))]
    assert cited.empty, cited.to_string()
