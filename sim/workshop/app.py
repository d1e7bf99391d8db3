"""The workshop page: Mesa's SolaraViz (Step, Play/Pause, Reset) with the workshop's controls and views.

Run it with ``make workshop`` (``solara run sim/workshop/app.py --host 127.0.0.1 --port 8765``). Everything is
served from this machine: no map tiles, fonts or scripts from the network.

State that must survive a re-render lives in module-level ``solara.reactive`` variables, which Solara keeps
per browser connection, so two laptops on one server do not share a language or a model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter
from solara.server import settings as solara_settings

from sim.calendar import year_index
from sim.i18n import LANGS, lever_label, lever_names, lever_tip, t
from sim.workshop import views
from sim.workshop.model import DEFAULT_WEIGHT, REFERENCE_SCENARIO, WorkshopModel, scenarios

REVIEW_MONTHS = 30  # run to 2018-06: the plan's mid-term review
DEFAULT_INTERVAL_MS = 50  # Play's pause between months; with ~20 ms a month, 60 months in ~5-10 s
MAX_PCT = 200  # intensity slider: up to twice the plan


# Real households per simulated row; WORKSHOP_WEIGHT=20 gives a finer model on a fast laptop (slower steps).
WEIGHT = float(os.environ.get("WORKSHOP_WEIGHT", DEFAULT_WEIGHT))


@dataclass
class Settings:
    """What Reset rebuilds: the scenario and the seed the room chose (the page's own controls), and the scale."""

    scenario: str = REFERENCE_SCENARIO
    seed: int = 0
    weight: float = field(default_factory=lambda: WEIGHT)


# no usage reports: the page runs offline, often on a bank's network
solara_settings.telemetry.mixpanel_enable = False

lang = solara.reactive("zh")
speed = solara.reactive(DEFAULT_INTERVAL_MS)
edits = solara.reactive(0)  # bumped when a control edits the pending settings, to re-render the panel
lever_key = solara.reactive((0, 0, False))  # (model, year, edits pending): what the lever panel depends on


# ------------------------------------------------------------------ the views
# Each view is a SolaraViz-style component, a function of the model. They are laid out by :func:`Dashboard`
# rather than passed to SolaraViz(components=...): SolaraViz puts components in a draggable grid whose script
# (vue-grid-layout 2.3.13-alpha.2, a Vue 2 build) fails on Solara 1.64's Vue 3 page ("GlobalVue.use is not a
# function"), leaving the main area blank; a fixed layout also reads better on a projector.
def _card(title_key: str | None, body: str, cls: str):
    with solara.Card(t(title_key, lang.value) if title_key else None, classes=[cls],
                     style={"height": "100%", "overflow-x": "auto"}) as c:
        solara.HTML(tag="div", unsafe_innerHTML=body)
    return c


def StatusView(model: WorkshopModel):
    """Month, goals met, scenario and the change log."""
    return _card(None, views.status_html(model, lang.value) + views.changes_html(model, lang.value),
                 "ws-status-card")


def ScorecardView(model: WorkshopModel):
    """The goals now."""
    return _card("scorecard", views.scorecard_html(model, lang.value), "ws-scorecard-card")


def TrajectoriesView(model: WorkshopModel):
    """Key goals against targets and the plan reference."""
    return _card("trajectories", views.trajectories_html(model, lang.value), "ws-trajectories-card")


def MoneyView(model: WorkshopModel):
    """Spent by lever and year against the budget."""
    return _card("money", views.money_html(model, lang.value), "ws-money-card")


def MapView(model: WorkshopModel):
    """Villages with and without service, by county."""
    return _card("map", views.map_html(model, lang.value), "ws-map-card")


@solara.component
def Dashboard(model: WorkshopModel):
    """The views in a fixed layout: status on top, scorecard beside the trajectories, money beside the map."""
    update_counter.get()  # SolaraViz's controller bumps it after every step
    # two views side by side on a wide screen, one under the other on a narrow one (a projector at 1024 px)
    grid = {"display": "grid", "grid-template-columns": "repeat(auto-fit, minmax(640px, 1fr))", "gap": "10px"}
    with solara.Column(style={"padding": "8px", "gap": "10px"}) as main:
        StatusView(model)
        with solara.Div(style=grid):
            ScorecardView(model)
            TrajectoriesView(model)
        with solara.Div(style=grid):
            MoneyView(model)
            MapView(model)
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
def ControlPanel(model: solara.Reactive[WorkshopModel], settings: Settings):
    """Scenario, seed, speed, budget and levers.

    Lever and budget edits wait for the next month (Step or Play); that month is marked on the charts.
    """
    m = model.value
    lg = lang.value

    def restart(scenario: str | None = None, seed: int | None = None):
        if scenario is not None:
            settings.scenario = scenario
        if seed is not None:
            settings.seed = int(seed)
        model.value = WorkshopModel(settings=settings)
        force_update()

    sc = scenarios()
    with solara.Card(t("scenario", lg)):
        _tip(t("scenario_tip", lg) + " " + sc.get(m.scenario_name, ""),
             solara.Select(t("scenario", lg), values=list(sc), value=m.scenario_name,
                           on_value=lambda v: restart(scenario=v)))
        solara.Text(sc.get(m.scenario_name, ""), style={"font-size": "12px", "color": "#555"})
        _tip(t("seed_tip", lg), solara.InputInt(t("seed", lg), value=int(m.cfg.seed),
                                                on_value=lambda v: restart(seed=v)))
        _tip(t("speed_tip", lg), solara.SliderInt(t("speed", lg), value=speed, min=0, max=1000, step=10))

    MonthlyControls(m)
    LeverPanel(m)


@solara.component
def MonthlyControls(m: WorkshopModel):
    """The controls that depend on the month: the 2018 review, the levers (by year) and the export."""
    update_counter.get()  # re-render after every step; the rest of the panel does not need to
    lg = lang.value

    def review():
        m.run_to(REVIEW_MONTHS)
        force_update()

    with solara.Card():
        _tip(t("review_tip", lg), solara.Button(t("review_2018", lg), on_click=review, color="warning",
                                                disabled=m.t >= REVIEW_MONTHS, classes=["ws-review"]))
        _tip(t("export_tip", lg),
             solara.FileDownload(lambda: views.handout_html(m, lg).encode("utf-8"),
                                 filename=f"taizhou_workshop_{m.scenario_name}_{m.month}.html",
                                 label=t("export", lg), mime_type="text/html"))
    # The lever panel re-renders only when this key changes: a subtree under a per-month component costs
    # its full size every month, even when skipped, and the panel has dozens of sliders.
    key = (id(m), year_index(min(m.t, m.cfg.months - 1)), m.has_pending())

    def sync():
        if lever_key.value != key:
            lever_key.value = key

    solara.use_effect(sync, [key])


@solara.component
def LeverPanel(m: WorkshopModel):
    """Budget, its split and the levers.

    Not subscribed to the step counter: what it shows changes only with the year, an edit or the model
    (:data:`lever_key`, kept by :func:`MonthlyControls`).
    """
    edits.get()
    lever_key.get()
    pending = m.has_pending()
    lg = lang.value
    total, alloc = m.budget_state()
    total, alloc = m.pending_budget or (total, alloc)

    def set_budget(new_total: float | None = None, lever: str | None = None, share: float | None = None):
        cur_total, cur_alloc = m.pending_budget or m.budget_state()
        cur_alloc = dict(cur_alloc)
        if lever is not None:
            cur_alloc[lever] = share
        m.pending_budget = (cur_total if new_total is None else new_total, cur_alloc)
        edits.value += 1

    with solara.Card(t("budget", lg)):
        _tip(t("budget_tip", lg),
             solara.SliderFloat(f"{t('budget_total', lg)}: {total / 1e8:.1f}", value=total / 1e8, min=0, max=30,
                                step=0.5, on_value=lambda v: set_budget(new_total=v * 1e8)))
        share_sum = sum(alloc.values()) or 1.0
        with solara.Details(t("split", lg)):
            for name in lever_names():
                share = alloc.get(name, 0.0)
                _tip(t("split_tip", lg),
                     solara.SliderInt(f"{lever_label(name, lg)}: {share / share_sum:.0%}", value=round(share * 100),
                                      min=0, max=60,
                                      on_value=lambda v, n=name: set_budget(lever=n, share=v / 100)))

    def set_lever(name: str, enabled: bool | None = None, pct: float | None = None):
        cur = m.pending_levers.get(name) or m.lever_state(name)
        m.pending_levers[name] = (cur[0] if enabled is None else enabled, cur[1] if pct is None else pct)
        edits.value += 1

    with solara.Card(t("levers", lg)):
        for name in lever_names():
            if not hasattr(m.cfg.levers, name):
                continue
            enabled, pct = m.pending_levers.get(name) or m.lever_state(name)
            tip = f"{lever_tip(name, lg)} {t('intensity_tip', lg)}"
            with solara.Column(style={"gap": "0px"}, classes=[f"ws-lever-{name}"]):
                _tip(tip, solara.Checkbox(label=lever_label(name, lg), value=enabled,
                                          on_value=lambda v, n=name: set_lever(n, enabled=v),
                                          style="margin: 0; height: 28px"))
                _tip(tip, solara.SliderInt(f"{pct:.0f}%", value=round(pct), min=0, max=MAX_PCT, step=10,
                                           on_value=lambda v, n=name: set_lever(n, pct=v), disabled=not enabled))
        if pending:
            solara.Warning(t("pending", lg), dense=True, classes=["ws-pending"])


@solara.component
def _Sidebar(model: solara.Reactive[WorkshopModel], settings: Settings):
    with solara.Sidebar():
        LanguagePicker()
        ControlPanel(model, settings)


@solara.component
def _SidebarHost(model: solara.Reactive[WorkshopModel], settings: Settings):
    # Solara orders sidebar content by component depth and keeps one entry per depth; SolaraViz's own sidebar
    # (Controls: Reset, Play, Step) sits one level below the page, so the workshop's controls go two below.
    _Sidebar(model, settings)


@solara.component
def Page():
    """The whole page: SolaraViz (its controller in the sidebar), the workshop controls, and the views."""
    settings = solara.use_memo(Settings, [])
    model = solara.use_reactive(solara.use_memo(lambda: WorkshopModel(settings=settings), []))
    with solara.Column(style={"width": "100%"}) as main:
        _SidebarHost(model, settings)
        SolaraViz(model, components=[], model_params={"settings": settings}, play_interval=speed,
                  render_interval=1,
                  # both languages: SolaraViz's app-bar title does not follow a later change of its name
                  name=f"{t('title', 'zh')}  |  {t('title', 'en')}")
        Dashboard(model.value)
    return main
