"""Workshop page without a browser: the model hooks, the views, and a headless render of the Solara page."""

from __future__ import annotations

import re

import ipyvuetify as v
import numpy as np
import pytest
import solara

from sim.goals import load_goals
from sim.i18n import lever_label, lever_names, scenario_label, t
from sim.workshop import app, geo, odds, views
from sim.workshop.model import Workshop, WorkshopModel, reference_records, scenarios


@pytest.fixture(scope="module")
def model():
    return WorkshopModel(scenario="plan", seed=1, weight=200)


def test_scenarios_are_discovered_from_configs():
    found = scenarios()
    assert {"plan", "no_program"} <= set(found)
    assert next(iter(found)) == "plan"
    assert all(isinstance(d, str) for d in found.values())
    # every scenario shipped has a Chinese description and name for the Chinese page
    zh = scenarios("zh")
    assert set(zh) == set(found)
    assert all(re.search(r"[\u4e00-\u9fff]", d) for d in zh.values()), zh
    assert all(re.search(r"[\u4e00-\u9fff]", scenario_label(name, "zh")) for name in zh)


def test_levers_come_from_the_config_schema(model):
    assert "stations" in lever_names()
    for name in lever_names():
        assert lever_label(name, "zh") and lever_label(name, "en")


def test_mid_run_change_applies_from_next_month_and_is_logged():
    m = WorkshopModel(scenario="plan", seed=1, weight=200)
    m.run_to(3)
    total, alloc = m.budget_state()
    m.pending_levers["stations"] = (False, 100.0)
    m.pending_budget = (total * 2, alloc)
    m.step()
    assert m.t == 4 and m.month == "2016-04"
    assert m.cfg.levers.stations.enabled is False
    assert [c.t for c in m.changes] == [3]
    assert m.changes[0].month == "2016-04"
    assert m.ledger.planned.sum() == pytest.approx(total * 2)
    assert not m.has_pending()


def test_intensity_is_a_share_of_the_plan_from_this_year_on():
    m = WorkshopModel(scenario="plan", seed=1, weight=200)
    m.run_to(13)  # into 2017
    before = list(m.cfg.levers.lectures.intensity)
    m.apply({"lectures": (True, 50.0)}, *m.budget_state())
    after = m.cfg.levers.lectures.intensity
    assert after[0] == before[0]
    assert after[1:] == pytest.approx([0.5 * x for x in m.plan_intensity["lectures"][1:]])
    assert m.lever_state("lectures") == (True, pytest.approx(50.0))


def test_views_render_every_goal_in_both_languages(model):
    model.run_to(6)
    for lang in ("zh", "en"):
        card = views.scorecard_html(model, lang)
        assert card.count("class='ws-goal'") == len(load_goals())
        for g in load_goals():
            assert (g.name_zh if lang == "zh" else g.name_en).replace("&", "&amp;") in card
        assert model.month in views.status_html(model, lang)
        assert views.trajectories_html(model, lang).count("<svg") == len(views.KEY_GOALS)
        assert "2020" in views.money_html(model, lang)
        assert views.map_html(model, lang).count("class='ws-county'") == 9
        assert t("credit_done", lang) in views.map_html(model, lang, "credit")
    page = views.handout_html(model, "en")
    assert page.startswith("<!DOCTYPE html>") and "http" not in re.sub(r"xmlns='[^']*'", "", page)


def test_reference_is_the_plan_at_the_same_seed(model):
    ref = reference_records(1, 200.0)
    assert len(ref) == 60
    assert ref[0]["village_coverage"] == pytest.approx(model.records[0]["village_coverage"])


def test_equity_view_colours_the_counties_and_sets_the_gaps_against_the_plan(model):
    model.run_to(6)
    for lang in ("zh", "en"):
        for metric in views.EQUITY_METRICS:
            page = views.equity_html(model, lang, metric)
            assert page.count("class='ws-eq-county'") == 9
            assert f"data-metric='{metric}'" in page and t(f"eq_{metric}", lang) in page
        # two gaps, each for this run and for the plan reference
        assert page.count("class='ws-eq-gap ws-eq-now'") == 2 and page.count("class='ws-eq-gap ws-eq-plan'") == 2
        words = set(re.findall(r"[A-Za-z]+", re.sub(r"<[^>]+>", " ", page)))
        assert (not words) if lang == "zh" else not re.search(r"[\u4e00-\u9fff]", page)
    # the counties' shades follow their values: the darkest county has the most households with a loan
    page = views.equity_html(model, "en", "share_with_loan")
    values = [float(v) for v in re.findall(r"data-value='([0-9.]+)'", page)]
    fills = re.findall(r"fill='(#[0-9a-f]{6})'", page)
    assert fills[int(np.argmax(values))] == views._colour(1.0)
    # the plan at the same seed is its own reference: the same gaps in both rows
    now = re.findall(r"ws-eq-now' data-gap='remote_near_gap'>(.*?)</tr>", page)[0]
    ref = re.findall(r"ws-eq-plan' data-gap='remote_near_gap'>(.*?)</tr>", page)[0]
    assert re.findall(r"[-+][0-9.]+", now) == re.findall(r"[-+][0-9.]+", ref)


def _text(rc) -> str:
    return " ".join(str(w.unsafe_innerHTML) for w in rc.find(solara.widgets.HTML).widgets)


def test_page_renders_steps_and_switches_language(monkeypatch):
    monkeypatch.setattr(app, "WEIGHT", 200.0)
    app.lang.set("zh")
    # the server wraps a page in an AppLayout, which is where sidebars (the controller among them) render
    _box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    assert "2015-12" in _text(rc)
    rc.find(v.Btn, children=["单步"]).widget.click()
    assert "2016-01" in _text(rc)
    assert load_goals()[0].name_zh in _text(rc)
    rc.find(v.BtnToggle, v_model="zh").widget.v_model = "en"  # what a click on "English" sends
    assert app.lang.value == "en"
    assert load_goals()[0].name_en in _text(rc)
    app.lang.set("zh")
    rc.close()


def test_villages_sit_inside_their_county_and_keep_their_place(model):
    county = np.asarray(model.places.village_county)
    xy = geo.village_positions(1, county)
    assert len(geo.county_map().counties) == 9
    for c, shape in enumerate(geo.county_map().counties):
        mine = county == c
        assert shape.contains(xy[mine, 0], xy[mine, 1]).all()
    assert np.array_equal(xy, geo.village_positions(1, county.copy()))  # same seed, same map, every frame
    assert not np.array_equal(xy, geo.village_positions(2, county))


def test_wilson_interval_brackets_the_share_and_stays_in_bounds():
    assert odds.wilson(0, 12)[0] == 0.0 and 0.2 < odds.wilson(0, 12)[1] < 0.3
    lo, hi = odds.wilson(6, 12)
    assert lo < 0.5 < hi and hi - lo == pytest.approx(0.51, abs=0.02)
    assert odds.wilson(12, 12)[1] == 1.0


def test_odds_replay_the_rooms_changes_at_their_months():
    m = WorkshopModel(scenario="plan", seed=3, weight=1000)
    m.run_to(12)
    m.apply({"stations": (False, 100.0)}, *m.budget_state())
    m.pending_levers["lectures"] = (True, 0.0)
    spec = odds.settings_spec(m)
    assert [t for t, _ in spec] == [12, 12]
    again = WorkshopModel(scenario="plan", seed=3, weight=1000)
    odds.replay(again, spec)
    m.run_to(60)
    assert again.records[-1]["village_coverage"] == pytest.approx(m.records[-1]["village_coverage"])
    assert again.cfg.levers.stations.enabled is False
    counts = odds.ensemble("plan", spec, seeds=(1, 2))
    assert set(counts) == {g.goal_id for g in load_goals()} and all(0 <= k <= 2 for k in counts.values())


def test_teams_share_the_seed_step_together_and_differ_by_their_split():
    ws = Workshop(scenario="plan", seed=1, weight=1000)
    ws.run_to(2)
    b = ws.add_team()
    assert b is not None and ws.active == 1 and b.model.t == 2  # joins at the month reached
    assert b.model.records == ws.teams[0].model.records  # same seed, no changes yet: the same run
    total, alloc = b.model.budget_state()
    b.model.pending_budget = (total, {**alloc, "stations": 0.0})
    ws.run_to(24)
    assert [tm.model.t for tm in ws.teams] == [24, 24]
    assert b.model.records[-1]["village_coverage"] < ws.teams[0].model.records[-1]["village_coverage"]
    assert [tm.label(i, "zh") for i, tm in enumerate(ws.teams)] == ["甲组", "乙组"]
    b.name = "台州队"
    ws.reset(seed=2)
    assert ws.t == 0 and ws.teams[1].label(1, "en") == "台州队" and ws.teams[1].model.cfg.seed == 2
    ws.remove_team(1)
    assert len(ws.teams) == 1 and ws.active == 0


def test_handout_holds_every_team_and_prints_on_a4():
    ws = Workshop(scenario="plan", seed=1, weight=1000)
    ws.add_team().name = "台州队"
    ws.run_to(6)
    page = views.handout_html(ws.teams, "zh", [None, None], 12)
    assert "台州队" in page and "甲组" in page and "@page { size: A4" in page
    assert page.count("class='ws-county'") == 18  # each team's map
    assert page.count("class='ws-eq-county'") == 18 and page.count("class='ws-eq-gaps'") == 2  # who is reached
    assert page.count(t("equity", "zh")) == 2
    assert views.handout_html(ws.teams, "en").count("Team A") >= 1


def test_queued_edits_combine_and_apply_next_month():
    m = WorkshopModel(scenario="plan", seed=1, weight=1000)
    m.run_to(2)
    m.queue_lever("stations", enabled=False)
    m.queue_lever("stations", pct_of_plan=50)  # keeps the queued "off"
    m.queue_budget(lever="stations", share=0.0)
    m.queue_budget(total_cny=4.5e8)  # keeps the queued share
    assert m.pending_levers["stations"] == (False, 50.0)
    assert m.pending_budget[0] == 4.5e8 and m.pending_budget[1]["stations"] == 0.0
    m.step()
    assert not m.has_pending() and m.cfg.levers.stations.enabled is False
    assert m.budget_state()[1]["stations"] == 0.0 and m.ledger.planned.sum() == pytest.approx(4.5e8)
