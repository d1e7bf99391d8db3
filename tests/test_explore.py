"""sim.problem: ranges from the declarations, Latin-hypercube samples, and the README's EMA Workbench and SALib
examples run as they stand (coarse scale)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config import ConfigError
from sim.explore import LEVER_SPAN, Variable, lhs_sets, uncertain_paths
from sim.params import spec_at
from sim.run import ROOT


def readme_example(name: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"```python\n# readme-example: {name}\n(.*?)```", text, re.S)
    assert match, f"README.md has no example {name}"
    return match[1]


def test_ranges_and_distributions_come_from_the_declarations():
    p = sim.problem()
    assert [v.path for v in p.uncertainties] == uncertain_paths()
    for v in p.uncertainties:
        spec = spec_at(sim.SimConf(), v.path)
        assert (v.low, v.high) == spec.uncertain and v.dist == spec.dist
    assert {v.path for v in p.levers} == {f"levers.{n}.scale" for n in sim.config.LEVER_NAMES} | {"budget.total_cny"}
    scale = next(v for v in p.levers if v.path == "levers.stations.scale")
    assert (scale.low, scale.high) == (0.0, LEVER_SPAN)
    budget = next(v for v in p.levers if v.path == "budget.total_cny")
    assert budget.high == LEVER_SPAN * 900_000_000


def test_sample_lhs_is_seeded_and_stays_in_range():
    p = sim.problem(["uncertainties.bass_q", "uncertainties.need_rate_farm"], levers=[])
    a, b = p.sample(20, seed=4), p.sample(20, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(p.sample(20, seed=5))
    for v in p.uncertainties:
        col = a[v.path].to_numpy()
        assert col.min() >= v.low and col.max() <= v.high
        # one value in each of the 20 strata of a Latin hypercube
        strata = np.floor((col - v.low) / (v.high - v.low) * 20).astype(int)
        assert sorted(strata) == list(range(20))
    assert lhs_sets(3, 1).shape == (3, len(uncertain_paths()))


def test_triangular_and_loguniform_quantiles():
    tri = Variable("x", 0.0, 4.0, "triangular", default=1.0)
    assert tri.ppf(np.array([0.25]))[0] == pytest.approx(1.0)  # the mode at the default: F(1) = 1/4
    log = Variable("y", 1.0, 100.0, "loguniform")
    assert log.ppf(np.array([0.5]))[0] == pytest.approx(10.0)


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"uncertainties": ["population.weight"]}, "population.weight"),
    ({"uncertainties": ["uncertainties.bass_qq"]}, "uncertainties.bass_qq"),
    ({"uncertainties": {"uncertainties.bass_q": (0.2, 3.0)}}, "uncertainties.bass_q"),
    ({"outcomes": ["goals_mett"]}, "outcomes"),
    ({"levers": ["levers.stations.intensity"]}, "levers.stations.intensity"),
])
def test_bad_problem_one_line_error(kwargs, key):
    with pytest.raises(ConfigError) as err:
        sim.problem(**kwargs)
    assert f"'{key}'" in str(err.value) and "\n" not in str(err.value)


def test_salib_evaluate_matches_evaluate():
    pytest.importorskip("SALib")
    p = sim.problem(["uncertainties.bass_q", "uncertainties.need_rate_farm"], outcomes=["goals_met", "npl_ratio"],
                    weight=2350)
    spec = p.salib()
    spec.samples = np.array([[0.3, 0.25], [0.5, 0.35]])
    spec.evaluate()
    first = sim.evaluate({"uncertainties.bass_q": 0.3, "uncertainties.need_rate_farm": 0.25}, weight=2350)
    assert spec.results.shape == (2, 2)
    assert spec.results[0].tolist() == [first["goals_met"], first["npl_ratio"]]


def test_readme_ema_workbench_example():
    pytest.importorskip("ema_workbench")
    scope: dict = {}
    exec(readme_example("ema"), scope)
    experiments, outcomes = scope["experiments"], scope["outcomes"]
    assert len(experiments) == 32 and len(outcomes["goals_met"]) == 32
    assert {"uncertainties__bass_q", "levers__stations__scale", "budget__total_cny"} <= set(experiments.columns)
    assert np.all((outcomes["goals_met"] >= 0) & (outcomes["goals_met"] <= 19))


def test_ema_replicator_model_means_common_seeds():
    pytest.importorskip("ema_workbench")
    from ema_workbench import ReplicatorModel, perform_experiments

    p = sim.problem(["uncertainties.need_rate_farm", "uncertainties.bass_q"], levers=[],
                    outcomes=["farmer_loan_balance"], weight=2350, replications=2)
    model = p.ema_model()
    assert isinstance(model, ReplicatorModel)
    experiments, outcomes = perform_experiments(model, 1)
    row = experiments.iloc[0]
    ref = sim.evaluate({k: row[k.replace(".", "__")] for k in ("uncertainties.need_rate_farm", "uncertainties.bass_q")},
                       weight=2350, replications=2)
    assert outcomes["farmer_loan_balance"][0] == pytest.approx(ref["farmer_loan_balance"])


def test_readme_salib_morris_example():
    pytest.importorskip("SALib")
    scope: dict = {}
    exec(readme_example("salib"), scope)
    spec = scope["spec"]
    assert spec.samples.shape == (10 * 4, 3)
    ranking = spec.analysis["farmer_loan_balance"]
    assert set(ranking["names"]) == {"uncertainties.bass_q", "uncertainties.need_rate_farm", "uncertainties.pd_base"}
    assert np.all(np.asarray(ranking["mu_star"]) >= 0)
