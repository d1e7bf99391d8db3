"""The workshop page: its own run controls (Reset, Play/Pause, Step), the room's settings, teams and the views.

Run it with ``make workshop`` (``solara run sim/workshop/app.py --host 127.0.0.1 --port 8765``). Everything is
served from this machine: no map tiles, fonts or scripts from the network.

The page drives :class:`sim.workshop.model.Workshop` (one or more teams of the Mesa model
:class:`sim.workshop.model.WorkshopModel`) with controls of its own rather than Mesa's SolaraViz: SolaraViz's
controller, its cards ("Controls", "Play Interval", "Render Interval", "Use Threads", "Model Parameters",
"Information") and its title are fixed English strings, and a workshop page must speak the room's language.
Play follows SolaraViz's design: a background task steps the model and redraws after each month.

State that must survive a re-render lives in module-level ``solara.reactive`` variables, which Solara keeps
per browser connection, so two laptops on one server do not share a language or a run.
"""

from __future__ import annotations

import os
import time

import ipywidgets
import reacton
import reacton.ipyvuetify as rv
import solara
import solara.lab
from solara.server import settings as solara_settings

from sim.calendar import year_index
from sim.i18n import DEFAULT_LANG, LANGS, lever_label, lever_names, lever_tip, scenario_label, t
from sim.workshop import odds as odds_mod
from sim.workshop import views
from sim.workshop.model import (
    DEFAULT_WEIGHT,
    MAX_TEAMS,
    REFERENCE_SCENARIO,
    Workshop,
    WorkshopModel,
    reference_records,
    scenarios,
)

REVIEW_MONTHS = 30  # run to 2018-06: the plan's mid-term review
DEFAULT_INTERVAL_MS = 40  # Play's pause between months: with a ~40 ms redraw, 60 months in about 5 s
MAX_PCT = 200  # intensity slider: up to twice the plan
ODDS_DEBOUNCE_S = 0.6  # wait this long after an edit before starting an ensemble: a slider drag is many edits

# Real households per simulated row; WORKSHOP_WEIGHT=20 gives a finer model on a fast laptop (slower steps).
WEIGHT = float(os.environ.get("WORKSHOP_WEIGHT", DEFAULT_WEIGHT))

# no usage reports: the page runs offline, often on a bank's network
solara_settings.telemetry.mixpanel_enable = False
# no "This website runs on Solara" corner banner and no branded loader: the room sees only the workshop, in its
# language from the first moment (the tab's title and the loading screen, sim/templates/loader-workshop.html)
solara_settings.theme.show_banner = False
solara_settings.theme.loader = "workshop"
solara_settings.theme.title = t("title", DEFAULT_LANG)

lang = solara.reactive("zh")
speed = solara.reactive(DEFAULT_INTERVAL_MS)
playing = solara.reactive(False)
show_odds = solara.reactive(False)
map_mode = solara.reactive("service")  # what the map colours villages by (views.MAP_MODES)
equity_metric = solara.reactive("share_with_loan")  # what the equity map colours counties by (views.EQUITY_METRICS)
# What each part of the page re-renders on. Every component that reads a reactive variable adds a render pass
# of the whole page when it changes, so the month (``frame``) has one reader, the views; the sidebar reads
# variables that change rarely.
frame = solara.reactive(0)  # bumped after anything that changes the runs: a month, a reset, a team
phase = solara.reactive((False, False))  # (December 2020 reached, the 2018 review passed): what Run depends on
roster = solara.reactive(0)  # bumped when the scenario, the seed or the teams change
edits = solara.reactive(0)  # bumped when a control edits the pending settings, to re-render the panel
lever_key = solara.reactive((0, 0, False))  # (model, year, edits pending): what the lever panel depends on


def redraw(ws: Workshop, teams_changed: bool = False) -> None:
    """Tell the views that the runs changed (and the sidebar, when the teams or the stage of the run did)."""
    frame.value += 1
    now = (ws.done, ws.t >= REVIEW_MONTHS)
    if phase.value != now:
        phase.value = now
    if teams_changed:
        roster.value += 1


def team_title(ws: Workshop, key: str, lg: str) -> str:
    """A card title, naming the team it shows when there are several."""
    if len(ws.teams) == 1:
        return t(key, lg)
    return f"{t(key, lg)} · {ws.teams[ws.active].label(ws.active, lg)}"


# ------------------------------------------------------------------ the views
# Each view is a function of the runs, laid out by :func:`Dashboard` in a fixed grid (which reads better on a
# projector than SolaraViz's draggable one, whose Vue 2 script also fails on Solara's Vue 3 page).
def _card(title: str | None, body: str, cls: str, children: list | None = None):
    with solara.Card(title, classes=[cls], style={"height": "100%", "overflow-x": "auto"}) as c:
        for child in children or []:
            solara.display(child)
        solara.HTML(tag="div", unsafe_innerHTML=body)
    return c


@solara.component
def ScorecardView(ws: Workshop, tick: int):
    """The goals now, for every team, with the odds of meeting them once the ensemble is ready.

    ``tick`` is the month counter: the parent passes it rather than this view subscribing, see :data:`frame`.
    """
    lg = lang.value
    n = len(odds_mod.SEEDS)
    specs = tuple(odds_mod.settings_spec(tm.model) for tm in ws.teams)
    key = (ws.scenario, specs) if show_odds.value else None
    latest = solara.use_ref(None)
    latest.current = key  # read by the task's thread: has the room moved on since it started?

    def compute():
        if key is None:
            return None
        time.sleep(ODDS_DEBOUNCE_S)
        if latest.current != key:
            return None
        jobs = [odds_mod.submit(ws.scenario, spec) for spec in specs]
        return [job.result() for job in jobs]

    task = solara.lab.use_task(compute, dependencies=[key], prefer_threaded=True)
    counts = task.value if key is not None and task.finished and task.value else None
    # what the ensemble has already finished shows at once (e.g. when a team is added or an edit undone)
    if key is not None and counts is None:
        done = [odds_mod.ready(ws.scenario, spec) for spec in specs]
        counts = done if all(d is not None for d in done) else None
    switch = solara.Switch(label=t("odds_switch", lg).format(n=n), value=show_odds, classes=["ws-odds-switch"])
    note = ""
    if key is not None:
        note = t("odds_ready", lg).format(n=n, w=f"{odds_mod.WEIGHT:g}") if counts else t("odds_running", lg)
    tip = t("odds_tip", lg).format(n=n, w=f"{odds_mod.WEIGHT:g}")
    body = (f"<div class='ws-odds-note' style='font-size:13px;color:#555;margin:-4px 0 4px'>{note}</div>"
            + views.scorecard_html(ws.teams, lg, counts, n))
    return _card(t("scorecard", lg), body, "ws-scorecard-card", [solara.Tooltip(tip, children=[switch])])


@solara.component
def Dashboard(ws: Workshop):
    """The views in a fixed layout: status on top, scorecard beside the map, trajectories beside the money."""
    tick = frame.value
    lg = lang.value
    m = ws.model
    # The lever panel re-renders only when this key changes: it has dozens of sliders, and what it shows
    # depends on the year, the team and whether edits wait, not on the month.
    key = (id(m), year_index(min(m.t, m.cfg.months - 1)), m.has_pending(), len(ws.teams))

    def sync():
        if lever_key.value != key:
            lever_key.value = key

    solara.use_effect(sync, [key])
    # two views side by side on a wide screen, one under the other on a narrow one (a projector at 1024 px)
    # the scorecard beside the map: the goals and where the service is are what a room looks at first
    grid = {"display": "grid", "grid-template-columns": "repeat(auto-fit, minmax(560px, 1fr))", "gap": "10px"}
    with solara.Column(style={"padding": "8px", "gap": "10px"}) as main:
        _card(None, views.status_html(ws.teams, lg) + views.changes_html(ws.teams, lg), "ws-status-card")
        with solara.Div(style=grid):
            # several teams, or the odds, make the scorecard too wide to share a row: it takes the whole width
            wide = len(ws.teams) > 1 or show_odds.value
            with solara.Div(style={"grid-column": "1 / -1"} if wide else {}):
                ScorecardView(ws, tick)
            modes = solara.ToggleButtonsSingle(value=map_mode, children=[
                solara.Button(t(f"map_{mode}", lg), value=mode, classes=[f"ws-map-{mode}"], text=True)
                for mode in views.MAP_MODES])
            _card(team_title(ws, "map", lg), views.map_html(m, lg, map_mode.value), "ws-map-card",
                  [_tip(t("map_mode_tip", lg), modes)])
        with solara.Div(style=grid):
            _card(t("trajectories", lg), views.trajectories_html(ws.teams, lg), "ws-trajectories-card")
            _card(team_title(ws, "money", lg), views.money_html(m, lg), "ws-money-card")
        with solara.Div(style=grid):
            metrics = solara.ToggleButtonsSingle(value=equity_metric, children=[
                solara.Button(t(f"eq_{metric}", lg), value=metric, classes=[f"ws-eq-{metric}"], text=True)
                for metric in views.EQUITY_METRICS])
            _card(team_title(ws, "equity", lg), views.equity_html(m, lg, equity_metric.value), "ws-equity-card",
                  [_tip(t("equity_metric_tip", lg), metrics)])
    return main


# ------------------------------------------------------------------ the controls
def _tip(tip: str, element):
    """Wrap a control in a hover tooltip saying what it assumes."""
    return solara.Tooltip(tip, children=[element])


@solara.component
def LanguagePicker():
    """中文 / English."""
    with solara.Row(style={"align-items": "center"}):
        _tip(t("language_tip", lang.value), solara.Text(t("language", lang.value)))
        solara.ToggleButtonsSingle(value=lang, children=[
            solara.Button("中文", value=LANGS[0], classes=["ws-lang-zh"]),
            solara.Button("English", value=LANGS[1], classes=["ws-lang-en"])])


@solara.component
def RunControls(ws: Workshop):
    """Reset, Play/Pause and Step for every team at once, the play speed, the 2018 review and the export."""
    done, reviewed = phase.value
    roster.get()
    lg = lang.value

    def play_loop():
        # a background task, as SolaraViz's controller: one month, a redraw, a pause; a click on Pause ends it
        while playing.value and not ws.done:
            ws.step()
            redraw(ws)
            time.sleep(speed.value / 1000)
        if playing.value:
            playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def step():
        if not ws.done:
            ws.step()
            redraw(ws)

    def reset():
        playing.value = False
        ws.reset()
        redraw(ws, teams_changed=True)

    def review():
        ws.run_to(REVIEW_MONTHS)
        redraw(ws)

    def handout() -> bytes:
        specs = [odds_mod.settings_spec(tm.model) for tm in ws.teams]
        counts = [odds_mod.ready(ws.scenario, s) for s in specs] if show_odds.value else None
        return views.handout_html(ws.teams, lg, counts, len(odds_mod.SEEDS)).encode("utf-8")

    with solara.Card(t("run", lg)):
        with solara.Row(justify="space-between"):
            _tip(t("reset_tip", lg), solara.Button(t("reset", lg), color="primary", on_click=reset,
                                                   classes=["ws-reset"]))
            _tip(t("play_tip", lg), solara.Button(t("pause" if playing.value else "play", lg), color="primary",
                                                  on_click=lambda: playing.set(not playing.value),
                                                  disabled=done, classes=["ws-play"]))
            _tip(t("step_tip", lg), solara.Button(t("step", lg), color="primary", on_click=step,
                                                  disabled=playing.value or done, classes=["ws-step"]))
        if done:
            solara.Text(t("finished", lg), style={"color": "#1b7f3b"})
        _tip(t("speed_tip", lg), solara.SliderInt(t("speed", lg), value=speed, min=0, max=1000, step=10))
        _tip(t("review_tip", lg), solara.Button(t("review_2018", lg), on_click=review, color="warning",
                                                disabled=reviewed or playing.value,
                                                classes=["ws-review"]))
        with solara.Div(classes=["ws-export"]):
            _tip(t("export_tip", lg),
                 solara.FileDownload(handout, filename=f"taizhou_workshop_{ws.scenario}_{lg}.html",
                                     label=t("export", lg), mime_type="text/html"))


@solara.component
def ScenarioPanel(ws: Workshop):
    """Scenario and seed: choosing either starts every team again at 2016-01."""
    roster.get()
    lg = lang.value
    sc = scenarios(lg)

    def restart(scenario: str | None = None, seed: int | None = None):
        playing.value = False
        ws.reset(scenario=scenario, seed=seed)
        redraw(ws, teams_changed=True)

    with solara.Card(t("scenario", lg)):
        items = [{"text": scenario_label(name, lg), "value": name} for name in sc]
        _tip(t("scenario_tip", lg), rv.Select(label=t("scenario", lg), items=items, item_title="text",
                                              item_value="value", v_model=ws.scenario,
                                             on_v_model=lambda value: restart(scenario=value),
                                             class_="ws-scenario"))
        solara.Text(sc.get(ws.scenario, ""), style={"font-size": "13px", "color": "#555"})
        _tip(t("seed_tip", lg), solara.InputInt(t("seed", lg), value=int(ws.seed),
                                                on_value=lambda value: restart(seed=value)))


@solara.component
def TeamPanel(ws: Workshop):
    """The teams: which one the budget and lever panels edit, its name, adding and removing teams."""
    roster.get()
    lg = lang.value

    def choose(i: int):
        ws.active = int(i)
        redraw(ws, teams_changed=True)

    def rename(name: str):
        ws.teams[ws.active].name = name
        redraw(ws, teams_changed=True)

    def add():
        ws.add_team()
        redraw(ws, teams_changed=True)

    def remove():
        ws.remove_team(ws.active)
        redraw(ws, teams_changed=True)

    with solara.Card(t("teams", lg)):
        if len(ws.teams) > 1:
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.Text(t("editing", lg))
                solara.ToggleButtonsSingle(value=ws.active, on_value=choose, children=[
                    solara.Button(tm.label(i, lg), value=i, classes=[f"ws-team-{i}"],
                                  style={"color": views.TEAM_COLOURS[i % len(views.TEAM_COLOURS)]})
                    for i, tm in enumerate(ws.teams)])
        solara.InputText(t("team_name", lg), value=ws.teams[ws.active].name, on_value=rename,
                         continuous_update=False, classes=["ws-team-name"])
        with solara.Row():
            _tip(t("add_team_tip", lg), solara.Button(t("add_team", lg), on_click=add, classes=["ws-add-team"],
                                                      disabled=len(ws.teams) >= MAX_TEAMS, text=True))
            if len(ws.teams) > 1:
                solara.Button(t("remove_team", lg), on_click=remove, classes=["ws-remove-team"], text=True)
        solara.Text(t("teams_tip", lg), style={"font-size": "12px", "color": "#555"})


@solara.component
def LeverPanel(ws: Workshop):
    """Budget, its split and the levers of the team being edited.

    Not subscribed to the month: what it shows changes only with the year, an edit, the team or the model
    (:data:`lever_key`, kept by :func:`RunControls`).
    """
    edits.get()
    lever_key.get()
    m: WorkshopModel = ws.model
    pending = m.has_pending()
    lg = lang.value
    total, alloc = m.pending_budget or m.budget_state()

    def set_budget(new_total: float | None = None, lever: str | None = None, share: float | None = None):
        m.queue_budget(new_total, lever, share)
        edits.value += 1
        redraw(ws)  # the odds follow the edit

    with solara.Card(team_title(ws, "budget", lg)):
        _tip(t("budget_tip", lg),
             solara.SliderFloat(f"{t('budget_total', lg)}: {total / 1e8:.1f}", value=total / 1e8, min=0, max=30,
                                step=0.5, on_value=lambda v: set_budget(new_total=v * 1e8)))
        share_sum = sum(alloc.values()) or 1.0
        # one tooltip for the split, not one per slider: every element of the sidebar costs time at each month
        solara.Text(t("split_tip", lg), style={"font-size": "12px", "color": "#555"})
        with solara.Details(t("split", lg)):
            for name in lever_names():
                share = alloc.get(name, 0.0)
                with solara.Div(classes=[f"ws-split-{name}"]):
                    solara.SliderInt(f"{lever_label(name, lg)}: {share / share_sum:.0%}",
                                     value=round(share * 100), min=0, max=60,
                                     on_value=lambda v, n=name: set_budget(lever=n, share=v / 100))

    def set_lever(name: str, enabled: bool | None = None, pct: float | None = None):
        m.queue_lever(name, enabled, pct)
        edits.value += 1
        redraw(ws)

    with solara.Card(team_title(ws, "levers", lg)):
        for name in lever_names():
            if not hasattr(m.cfg.levers, name):
                continue
            enabled, pct = m.pending_levers.get(name) or m.lever_state(name)
            tip = f"{lever_tip(name, lg)} {t('intensity_tip', lg)}"
            with solara.Column(style={"gap": "0px"}, classes=[f"ws-lever-{name}"]):
                _tip(tip, solara.Checkbox(label=lever_label(name, lg), value=enabled,
                                          on_value=lambda v, n=name: set_lever(n, enabled=v),
                                          style="margin: 0; height: 28px"))
                solara.SliderInt(f"{pct:.0f}%", value=round(pct), min=0, max=MAX_PCT, step=10,
                                 on_value=lambda v, n=name: set_lever(n, pct=v), disabled=not enabled)
        if pending:
            solara.Warning(t("pending", lg), dense=True, classes=["ws-pending"])


@solara.component
def DetachedDashboard(ws: Workshop):
    """The views in a render tree of their own, in a box of the page.

    Each render pass of a tree visits all of it, even components that do not re-run, and the sidebar holds some
    five hundred elements. In the page's tree every month would pay for them (about 35 ms); in a tree of their
    own, the views redraw in a few milliseconds. They subscribe to :data:`frame` and :data:`lang` in that tree.
    """
    box = solara.use_memo(lambda: ipywidgets.VBox(layout={"width": "100%"}), [])

    def mount():
        _widget, rc = reacton.render(Dashboard(ws), box, handle_error=False)
        return rc.close

    solara.use_effect(mount, [])
    return solara.Column(children=[box], style={"width": "100%"})


@solara.component
def Page():
    """The whole page: the title, the controls in the sidebar, and the views."""
    ws = solara.use_memo(lambda: Workshop(scenario=REFERENCE_SCENARIO, seed=0, weight=WEIGHT), [])
    lg = lang.value
    solara.Title(t("title", lg))  # the browser tab
    with solara.AppBar():
        solara.AppBarTitle(t("title", lg))
    with solara.Sidebar():
        LanguagePicker()
        RunControls(ws)
        ScenarioPanel(ws)
        TeamPanel(ws)
        LeverPanel(ws)
    DetachedDashboard(ws)


def warm_up() -> None:
    """Compose the plan's config and run its reference once, when the server starts.

    Otherwise the first laptop to open the page waits for them: Hydra's first compose and the 60-month plan
    reference take about a second.
    """
    reference_records(0, WEIGHT)
    views.map_html(WorkshopModel(REFERENCE_SCENARIO, 0, WEIGHT), DEFAULT_LANG)  # the county shapes and villages


warm_up()
