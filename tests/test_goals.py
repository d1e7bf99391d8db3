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


def test_goal_values_on_a_hand_made_state():
    """Clear a small model's loan book, place a few known loans and outlets, and read the goals."""
    import numpy as np

    from sim import TaizhouModel, load_config
    from sim.population import FARM, FARM_LOAN, FIRM, SECURED, SMALL_CREDIT, URBAN, WORKER_LOAN

    m = TaizhouModel(load_config(["population.weight=500", "scenario=no_program"]))
    hh, ent, p = m.households, m.enterprises, m.places
    hh.loan[:] = 0
    hh.product[:] = 0
    hh.green[:] = False
    hh.npl[:] = False
    ent.loan[:] = 0
    ent.product[:] = 0
    ent.green[:] = False
    farm = np.flatnonzero((hh.kind == FARM) & hh.active)[:3]
    urban = np.flatnonzero((hh.kind == URBAN) & hh.active)[:1]
    hh.product[farm] = [SMALL_CREDIT, FARM_LOAN, FARM_LOAN]
    hh.loan[farm] = [100_000, 200_000, 300_000]
    hh.green[farm[2]] = True
    hh.product[urban] = WORKER_LOAN
    hh.loan[urban] = 50_000
    firm = np.flatnonzero((ent.kind == FIRM) & ent.active)[:1]
    ent.product[firm] = SECURED
    ent.loan[firm] = 1_000_000
    big = p.village_size >= 200
    p.village_station[:] = big & ~p.village_branch
    p.village_device[:] = ~big & ~p.village_branch
    p.community_covered[:] = np.arange(p.community_covered.size) < 30
    m.world.access_changed()
    v = m.goal_values(0)
    w = 500
    assert v["farmer_loan_balance"] == pytest.approx(600_000 * w)
    assert v["farmer_loan_clients"] == 3 * w
    assert v["small_credit_balance"] == pytest.approx(100_000 * w)  # an urban worker loan is not 小额信用贷款
    assert v["small_credit_clients"] == w
    assert v["sme_loan_balance"] == pytest.approx(1_000_000 * w) and v["sme_loan_clients"] == w
    assert v["agri_sme_loan_balance"] == pytest.approx(1_600_000 * w)
    assert v["green_credit_share"] == pytest.approx(300_000 / 1_650_000)
    assert v["village_coverage"] == 1.0 and v["blank_villages"] == 0
    assert v["community_coverage"] == pytest.approx(30 / 149)
