"""What the page shows, as plain HTML strings and PNG bytes, so the page and the exported handout share them.

Nothing here depends on Solara: every function takes the model (and the language) and returns HTML or an
image. Colours are strong and text large because the page is read off a projector from the back row.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import cache

import numpy as np

from sim.calendar import month_label
from sim.config import YEARS
from sim.goals import load_goals
from sim.i18n import county_name, goal_name, lever_label, t
from sim.population import COUNTIES
from sim.workshop.geo import county_map, village_positions
from sim.workshop.model import Team, WorkshopModel, reference_records, scenarios
from sim.workshop.odds import WEIGHT, wilson

# The goals drawn over time: one per strand of the plan (outlets, files, digital, credit, low income).
KEY_GOALS = ("village_coverage", "info_file_rate", "fengshou_customers", "small_credit_balance",
             "farmer_loan_clients", "low_income_loans_cum")

MET, NEAR, FAR = "#1b7f3b", "#c77700", "#b3261e"  # green / amber / red, readable on a projector
CURRENT, REFERENCE, TARGET, CHANGE = "#1565c0", "#757575", "#1b7f3b", "#e65100"


# ------------------------------------------------------------------ numbers
def fmt(value: float, unit: str, lang: str) -> str:
    """A goal value for reading: money in 亿元 (zh) or billion CNY (en), shares in %, counts with separators."""
    if value is None or not np.isfinite(value):
        return "–"
    if unit == "CNY":
        return f"{value / 1e8:,.1f} 亿元" if lang == "zh" else f"{value / 1e9:,.2f} bn CNY"
    if unit == "share":
        return f"{value:.0%}"
    if abs(value) >= 10_000 and lang == "zh":
        return f"{value / 1e4:,.1f} 万"
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


def _status(attainment: float, met: bool) -> str:
    if met:
        return MET
    return NEAR if np.isfinite(attainment) and attainment >= 0.8 else FAR


def goal_rows(model: WorkshopModel) -> list[dict]:
    """One dict per goal: goal, value, target, unit, attainment, met (at the month reached)."""
    # the month's record already holds every goal's value; before the first month, measure the start
    values = model.records[-1] if model.records else model.goal_values(0)
    rows = []
    for g in load_goals():
        v = float(values[g.goal_id])
        att = g.attainment(v) if np.isfinite(v) else float("nan")
        rows.append({"goal": g, "value": v, "attainment": att, "met": g.met(v) if np.isfinite(v) else False})
    return rows


# ------------------------------------------------------------------ teams
TEAM_COLOURS = ("#1565c0", "#8e24aa", "#00897b", "#6d4c41")  # this run's line; team 1 keeps the old blue


def as_teams(x: Team | WorkshopModel | Sequence[Team]) -> list[Team]:
    """The views draw one or more teams; a bare model is one unnamed team."""
    if isinstance(x, WorkshopModel):
        return [Team(x)]
    if isinstance(x, Team):
        return [x]
    return list(x)


def _team_tag(i: int, team: Team, lang: str) -> str:
    return (f"<span class='ws-team-tag' style='color:{TEAM_COLOURS[i % len(TEAM_COLOURS)]};font-weight:700'>"
            f"{html.escape(team.label(i, lang))}</span>")


# ------------------------------------------------------------------ scorecard
def status_html(teams: Team | WorkshopModel | Sequence[Team], lang: str) -> str:
    """The month as a date, the goals met by each team (and the difference from the first), the scenario."""
    teams = as_teams(teams)
    model = teams[0].model
    n_goals = len(load_goals())
    met = [sum(r["met"] for r in goal_rows(tm.model)) for tm in teams]

    def met_span(n: int) -> str:
        colour = MET if n == n_goals else NEAR if n >= n_goals * 0.6 else FAR
        return f"<span class='ws-met' style='font-size:40px;font-weight:700;color:{colour}'>{n} / {n_goals}</span>"

    if len(teams) == 1:
        goals = met_span(met[0])
    else:
        goals = " &nbsp; ".join(f"{_team_tag(i, tm, lang)} {met_span(met[i])}" for i, tm in enumerate(teams))
        diffs = " · ".join(
            f"{html.escape(tm.label(i, lang))} {t('vs', lang)} {html.escape(teams[0].label(0, lang))}: "
            f"<b class='ws-diff'>{met[i] - met[0]:+d}</b>" for i, tm in enumerate(teams) if i > 0)
        goals += f"<div style='font-size:16px'>{t('difference', lang)}: {diffs}</div>"
    description = scenarios(lang).get(model.scenario_name, "")
    return (
        '<div class="ws-status" style="display:flex;gap:28px;align-items:baseline;flex-wrap:wrap;'
        'font-family:sans-serif">'
        f'<div><span style="font-size:16px;color:#555">{t("month", lang)}</span> '
        f'<span class="ws-month" style="font-size:40px;font-weight:700">{model.month}</span></div>'
        f'<div><span style="font-size:16px;color:#555">{t("goals_met", lang)}</span> {goals}</div>'
        f'<div style="font-size:16px;color:#333">{t("scenario", lang)}: <b>{html.escape(description)}</b> · '
        f'{t("seed", lang)} {model.cfg.seed}</div></div>'
    )


def _odds_cell(counts: dict[str, int] | None, goal_id: str, n: int) -> str:
    if counts is None:
        return ""
    k = int(counts.get(goal_id, 0))
    lo, hi = wilson(k, n)
    p = k / n if n else 0.0
    colour = MET if p >= 0.8 else NEAR if p >= 0.4 else FAR
    return (f"<td class='ws-odds' style='padding:3px 6px;text-align:right;white-space:nowrap'>"
            f"<b style='font-size:16px;color:{colour}'>{p:.0%}</b> <span style='font-size:12px;color:#555'>"
            f"({lo:.0%}–{hi:.0%})</span></td>")


def scorecard_html(teams: Team | WorkshopModel | Sequence[Team], lang: str,
                   odds: Sequence[dict[str, int] | None] | None = None, n_seeds: int = 0) -> str:
    """All goals: name, target, and per team the value now with a progress bar, met or not, and the odds.

    Args:
        teams: the teams (or one model).
        lang: 'zh' or 'en'.
        odds: per team, how many of ``n_seeds`` seeds meet each goal in 2020 (None: not computed yet); the
            column shows only for teams that have them.
        n_seeds: the ensemble's size.
    """
    teams = as_teams(teams)
    odds = list(odds or [None] * len(teams))
    th = "<th style='text-align:{};padding:4px 8px'>{}</th>"
    per_team = []
    for i, _ in enumerate(teams):
        cols = [th.format("right", t("value", lang)), th.format("center", t("met", lang))]
        if odds[i] is not None:
            cols.append(f"<th class='ws-odds-head' style='text-align:right;padding:4px 6px'>{t('odds', lang)}</th>")
        per_team.append(cols)
    head = th.format("left", t("goal", lang)) + th.format("right", t("target", lang)) + "".join(
        "".join(c) for c in per_team)
    team_row = ""
    if len(teams) > 1:
        team_row = "<tr style='background:#37474f;color:white'><th></th><th></th>" + "".join(
            f"<th colspan='{len(per_team[i])}' style='padding:3px 8px;border-left:3px solid white;"
            f"color:white;background:{TEAM_COLOURS[i % len(TEAM_COLOURS)]}'>{html.escape(tm.label(i, lang))}</th>"
            for i, tm in enumerate(teams)) + "</tr>"
    rows = [goal_rows(tm.model) for tm in teams]
    body = []
    for j, g in enumerate(load_goals()):
        name = goal_name(g.goal_id, lang)  # long English names are cut at two lines; the full name on hover
        cmp = "≥" if g.comparison == ">=" else "≤"
        cells = []
        for i in range(len(teams)):
            r = rows[i][j]
            att = r["attainment"]
            colour = _status(att, r["met"])
            width = 0 if not np.isfinite(att) else max(0.0, min(att, 1.0)) * 100
            pct = "–" if not np.isfinite(att) else f"{att:.0%}"
            sep = "border-left:3px solid #cfd8dc;" if len(teams) > 1 else ""
            cells.append(
                f"<td class='ws-value' data-team='{i}' style='{sep}padding:3px 8px;text-align:right;"
                f"white-space:nowrap;min-width:96px'><div style='font-size:18px;font-weight:700;color:{colour}'>"
                f"{fmt(r['value'], g.unit, lang)}</div><div style='background:#e0e0e0;height:14px;border-radius:3px;"
                f"position:relative;margin-top:1px'><div style='background:{colour};width:{width:.0f}%;height:14px;"
                f"border-radius:3px'></div><span style='position:absolute;left:4px;top:-1px;font-size:11px;"
                f"font-weight:700;color:#111'>{pct}</span></div></td>"
                f"<td class='ws-met-cell' data-team='{i}' style='padding:3px 6px;text-align:center'>"
                f"<span style='background:{colour};color:white;font-weight:700;padding:2px 8px;border-radius:10px;"
                f"white-space:nowrap;font-size:14px'>{t('yes' if r['met'] else 'no', lang)}</span></td>"
                + _odds_cell(odds[i], g.goal_id, n_seeds))
        body.append(
            f"<tr class='ws-goal' data-goal='{g.goal_id}' style='border-bottom:1px solid #ddd'>"
            f"<td style='padding:3px 8px;font-size:15px;min-width:150px' title='{html.escape(name)}'>"
            f"<div style='display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden'>"
            f"{html.escape(name)}</div></td>"
            f"<td style='padding:3px 8px;text-align:right;white-space:nowrap;font-size:15px'>"
            f"{cmp} {fmt(g.target, g.unit, lang)}</td>{''.join(cells)}</tr>")
    return (f"<table class='ws-scorecard' style='border-collapse:collapse;width:100%;font-family:sans-serif'>"
            f"<thead>{team_row}<tr style='background:#263238;color:white'>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


# ------------------------------------------------------------------ trajectories
def _nice_max(v: float) -> float:
    """A round upper bound for an axis."""
    if not np.isfinite(v) or v <= 0:
        return 1.0
    mag = 10 ** np.floor(np.log10(v))
    return float(next(m * mag for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * mag >= v))


def _axis_scale(unit: str, lang: str) -> tuple[float, str]:
    if unit == "CNY":
        return (1e8, "亿元") if lang == "zh" else (1e9, "bn CNY")
    if unit == "share":
        return 0.01, "%"
    return (1e4, "万") if lang == "zh" else (1e3, "thousand")


def trajectory_svg(teams: Team | WorkshopModel | Sequence[Team], goal_id: str, lang: str, w: int = 330,
                   h: int = 190) -> str:
    """One goal month by month as inline SVG.

    Each team's run is a solid line in its colour, the plan at the same seed dashed, the target dotted, and each
    month a change took effect has a vertical mark. SVG keeps a frame at about a millisecond and leaves the
    text to the browser's fonts.
    """
    teams = as_teams(teams)
    model = teams[0].model
    g = next(x for x in load_goals() if x.goal_id == goal_id)
    ref = reference_records(int(model.cfg.seed), float(model.weight))
    scale, unit = _axis_scale(g.unit, lang)
    ref_y = np.array([r[goal_id] for r in ref], float) / scale
    runs = [np.array([r[goal_id] for r in tm.model.records], float) / scale for tm in teams]
    top = _nice_max(np.nanmax([*ref_y, *np.concatenate(runs), g.target / scale * 1.1, 0]))
    left, right, up, down = 44, 8, 8, 22
    n = model.cfg.months

    def x(i: float) -> float:
        return left + (w - left - right) * i / n

    def y(v: float) -> float:
        return up + (h - up - down) * (1 - min(max(v, 0), top) / top)

    def line(vals: np.ndarray, style: str) -> str:
        pts = " ".join(f"{x(i + 1):.1f},{y(v):.1f}" for i, v in enumerate(vals) if np.isfinite(v))
        return f"<polyline fill='none' points='{pts}' {style}/>" if pts else ""

    parts = [f"<rect x='{left}' y='{up}' width='{w - left - right}' height='{h - up - down}' fill='white' "
             "stroke='#bbb'/>"]
    for k in range(1, 5):  # grid and y labels
        v = top * k / 4
        parts.append(f"<line x1='{left}' x2='{w - right}' y1='{y(v):.1f}' y2='{y(v):.1f}' stroke='#eee'/>"
                     f"<text x='{left - 4}' y='{y(v) + 4:.1f}' font-size='11' text-anchor='end'>{v:,.4g}</text>")
    for k, year in enumerate(range(2016, 2021)):
        parts.append(f"<line x1='{x(12 * k):.1f}' x2='{x(12 * k):.1f}' y1='{up}' y2='{h - down}' stroke='#eee'/>"
                     f"<text x='{x(12 * k + 6):.1f}' y='{h - 6}' font-size='11' text-anchor='middle'>{year}</text>")
    parts.append(f"<line x1='{left}' x2='{w - right}' y1='{y(g.target / scale):.1f}' y2='{y(g.target / scale):.1f}' "
                 f"stroke='{TARGET}' stroke-width='2.5' stroke-dasharray='2,4'/>")
    parts.append(line(ref_y, f"stroke='{REFERENCE}' stroke-width='2' stroke-dasharray='6,4'"))
    for i, cur_y in reversed(list(enumerate(runs))):  # the first team on top
        parts.append(line(cur_y, f"stroke='{TEAM_COLOURS[i % len(TEAM_COLOURS)]}' stroke-width='3'"))
    for ch in sorted({c.t: c for tm in teams for c in tm.model.changes}.values(), key=lambda c: c.t):
        parts.append(f"<line class='ws-change' x1='{x(ch.t + 0.5):.1f}' x2='{x(ch.t + 0.5):.1f}' y1='{up}' "
                     f"y2='{h - down}' stroke='{CHANGE}' stroke-width='2'/><text x='{x(ch.t + 0.5) + 3:.1f}' "
                     f"y='{up + 12}' font-size='11' font-weight='700' fill='{CHANGE}'>{ch.month}</text>")
    parts.append(f"<text x='4' y='{up + 10}' font-size='11' fill='#555'>{unit}</text>")
    title = html.escape(goal_name(goal_id, lang))
    return (f"<div class='ws-chart' style='font-family:sans-serif'><div style='font-size:14px;font-weight:700;"
            f"height:36px;"
            f"overflow:hidden' title='{title}'>{title}</div><svg xmlns='http://www.w3.org/2000/svg' "
            f"viewBox='0 0 {w} {h}' style='width:100%;height:auto'>{''.join(parts)}</svg></div>")


def trajectories_html(teams: Team | WorkshopModel | Sequence[Team], lang: str, columns: int | None = None) -> str:
    """The key goals' trajectories in a grid (as many columns as fit, or ``columns``), with a legend."""
    teams = as_teams(teams)
    cols = f"repeat({columns},1fr)" if columns else "repeat(auto-fill,minmax(300px,1fr))"
    runs = (" &nbsp; ".join(f"<span style='color:{TEAM_COLOURS[i % len(TEAM_COLOURS)]};font-weight:700'>━ "
                            f"{html.escape(tm.label(i, lang))}</span>" for i, tm in enumerate(teams))
            if len(teams) > 1 else f"<span style='color:{CURRENT};font-weight:700'>━ {t('current', lang)}</span>")
    legend = (f"{runs} &nbsp; "
              f"<span style='color:{REFERENCE};font-weight:700'>╍ {t('reference', lang)}</span> &nbsp; "
              f"<span style='color:{TARGET};font-weight:700'>┈ {t('target', lang)}</span> &nbsp; "
              f"<span style='color:{CHANGE};font-weight:700'>│ {t('change_mark', lang)}</span>")
    charts = "".join(trajectory_svg(teams, gid, lang) for gid in KEY_GOALS)
    return (f"<div class='ws-trajectories' style='font-family:sans-serif'><div style='font-size:14px;"
            f"margin-bottom:4px'>{legend}</div><div style='display:grid;grid-template-columns:{cols};"
            f"gap:10px'>{charts}</div></div>")


def describe(item: tuple, lang: str) -> str:
    """One item of a change in words."""
    kind = item[0]
    if kind == "on":
        return f"{lever_label(item[1], lang)}: {t('on' if item[2] else 'off', lang)}"
    if kind == "pct":
        return f"{lever_label(item[1], lang)}: {item[2]:.0f}%"
    if kind == "budget":
        return f"{t('budget', lang)} {item[1] / 1e8:,.2f} {t('yi', lang)}"
    if kind == "split":
        return f"{t('split_short', lang)}: " + ", ".join(f"{lever_label(k, lang)} {v:.0%}"
                                                         for k, v in item[1].items() if v > 0)
    return str(item)


def changes_html(teams: Team | WorkshopModel | Sequence[Team], lang: str) -> str:
    """The log of mid-run changes of each team, with the month each took effect."""
    teams = as_teams(teams)
    out = []
    for i, tm in enumerate(teams):
        head = f"{_team_tag(i, tm, lang)} " if len(teams) > 1 else ""
        if not tm.model.changes:
            out.append(f"<div style='color:#555'>{head}{t('no_changes', lang)}</div>")
            continue
        items = "".join(f"<li><b style='color:{CHANGE}'>{c.month}</b>: "
                        f"{html.escape('; '.join(describe(item, lang) for item in c.what))}</li>"
                        for c in tm.model.changes)
        out.append(f"<div>{head}<b>{t('changes', lang)}</b><ul style='margin:2px 0 0 18px;padding:0'>{items}</ul>"
                   f"</div>")
    return "".join(out)


# ------------------------------------------------------------------ money
def money_html(model: WorkshopModel, lang: str) -> str:
    """Spent against budget by lever (rows) and year (columns), with a bar per cell."""
    # the ledger's (year, lever) arrays, as rows = levers: ledger.table() would build a frame each month
    ledger = model.ledger
    spent, planned = np.asarray(ledger.spent, float).T, np.asarray(ledger.planned, float).T
    scale, unit = (1e8, "亿元") if lang == "zh" else (1e6, "m CNY")
    years = list(YEARS)

    def cell(s: float, p: float) -> str:
        ratio = s / p if p > 0 else (1.0 if s > 0 else 0.0)
        colour = MET if ratio <= 1.0 + 1e-9 else FAR
        width = min(ratio, 1.0) * 100
        return (f"<td style='padding:2px 6px;min-width:92px'><div style='font-size:13px;white-space:nowrap'>"
                f"{s / scale:,.2f} / {p / scale:,.2f}</div><div style='background:#e0e0e0;height:7px'>"
                f"<div style='background:{colour};height:7px;width:{width:.0f}%'></div></div></td>")

    rows = []
    for i, lever in enumerate(ledger.levers):
        cells = "".join(cell(spent[i, k], planned[i, k]) for k in range(len(years)))
        cells += cell(spent[i].sum(), planned[i].sum())
        rows.append(f"<tr style='border-bottom:1px solid #eee'><td style='padding:2px 6px;font-size:14px;"
                    f"white-space:nowrap'>{html.escape(lever_label(lever, lang))}</td>{cells}</tr>")
    total = "".join(cell(spent[:, k].sum(), planned[:, k].sum()) for k in range(len(years)))
    total += cell(spent.sum(), planned.sum())
    rows.append(f"<tr style='font-weight:700;border-top:2px solid #263238'><td style='padding:2px 6px'>Σ</td>"
                f"{total}</tr>")
    head = "".join(f"<th style='padding:2px 6px'>{y}</th>" for y in years) + "<th>2016–2020</th>"
    caption = (f"{t('total_spent', lang)}: <b>{spent.sum() / scale:,.2f}</b> {unit} · "
               f"{t('of_budget', lang)} <b>{model.cfg.budget.total_cny / scale:,.2f}</b> {unit} · "
               f"{t('spent', lang)} / {t('planned', lang)} ({unit})")
    return (f"<div class='ws-money' style='font-family:sans-serif'><div style='font-size:15px;margin-bottom:4px'>"
            f"{caption}</div><table style='border-collapse:collapse'><thead><tr style='background:#263238;"
            f"color:white'><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


# ------------------------------------------------------------------ where the service is
SERVICE_KINDS = ("station", "device", "branch", "unserved")  # the order a village is classed in
SERVICE_COLOURS = {"station": "#1b7f3b", "device": "#1e88e5", "branch": "#37474f", "unserved": "#d32f2f"}
SERVICE_LABELS = {"station": "served_station", "device": "served_device", "branch": "served_branch",
                  "unserved": "unserved"}


def village_kind(model: WorkshopModel) -> np.ndarray:
    """Each village's service, 0..3 as :data:`SERVICE_KINDS`: a station counts over a device over a branch."""
    p = model.places
    return np.where(p.village_station, 0, np.where(p.village_device, 1, np.where(p.village_branch, 2, 3)))


# What the villages can be coloured by: the kinds in drawing-legend order, their colours and labels, and how
# each village is classed. "credit" is whole-village credit (整村授信), the plan's route to credit for every
# village, so the map shows which villages the campaigns have not reached yet.
MAP_MODES = {
    "service": (SERVICE_KINDS, SERVICE_COLOURS, SERVICE_LABELS, village_kind),
    "credit": (("campaigned", "not_campaigned"), {"campaigned": "#6a1b9a", "not_campaigned": "#bdbdbd"},
               {"campaigned": "credit_done", "not_campaigned": "credit_not_done"},
               lambda m: np.where(m.places.village_campaigned, 0, 1)),
}


@cache
def _county_layer(lang: str) -> str:
    """The county shapes and names: the same for every frame, so built once per language."""
    cmap = county_map()
    names = "".join(
        f"<text x='{c.label_xy[0]:.0f}' y='{c.label_xy[1]:.0f}' font-size='17' font-weight='700' "
        f"text-anchor='middle' fill='#212121' stroke='white' stroke-width='4' paint-order='stroke' "
        f"style='pointer-events:none'>{county_name(i, lang)}</text>" for i, c in enumerate(cmap.counties))
    return names


@cache
def _county_path(i: int) -> str:
    """County ``i``'s outline as SVG path data (2,000 points: built once, not every month)."""
    return county_map().counties[i].path()


@cache
def _dots(seed: int, county_of_village: bytes) -> np.ndarray:
    """Each village as an SVG sub-path of one round dot ('M x y h0' drawn with a round cap)."""
    xy = village_positions(seed, np.frombuffer(county_of_village, dtype=np.int64))
    return np.array([f"M{x:.1f} {y:.1f}h0" for x, y in xy], dtype=object)


def map_html(model: WorkshopModel, lang: str, mode: str = "service") -> str:
    """The 9 counties drawn from the boundary file, one dot per village coloured by ``mode`` (:data:`MAP_MODES`).

    Hovering over a county shows its totals (an SVG <title>, so it works offline and in the handout).
    """
    kinds, colours, labels, classify = MAP_MODES[mode]
    cmap = county_map()
    county = np.asarray(model.places.village_county, np.int64)
    kind = classify(model)
    dots = _dots(int(model.cfg.seed), county.tobytes())
    counts = np.zeros((len(COUNTIES), len(kinds)), int)
    np.add.at(counts, (county, kind), 1)
    shapes = []
    for i in range(len(cmap.counties)):
        totals = " · ".join(f"{t(labels[k], lang)} {counts[i, j]:,}" for j, k in enumerate(kinds))
        tip = f"{county_name(i, lang)}: {t('county_villages', lang).format(n=f'{counts[i].sum():,}')} · {totals}"
        shapes.append(f"<g><title>{html.escape(tip)}</title><path class='ws-county' data-county='{i}' "
                      f"d='{_county_path(i)}' fill='#f4f1e8' stroke='#546e7a' stroke-width='1.4' "
                      f"fill-rule='evenodd'/></g>")
    layers = "".join(  # the last kind first, the first on top: the room looks for the service coming in
        f"<path class='ws-villages-{k}' d='{''.join(dots[kind == j])}' stroke='{colours[k]}' "
        f"stroke-width='3.4' stroke-linecap='round' fill='none' style='pointer-events:none'/>"
        for j, k in reversed(list(enumerate(kinds))) if (kind == j).any())
    total = counts.sum(axis=0)
    legend = " ".join(
        f"<span style='white-space:nowrap;margin-right:8px'><span style='display:inline-block;width:12px;"
        f"height:12px;border-radius:6px;background:{colours[k]};vertical-align:middle'></span> "
        f"{t(labels[k], lang)} <b>{total[j]:,}</b></span>" for j, k in enumerate(kinds))
    return (f"<div class='ws-map' data-mode='{mode}' style='font-family:sans-serif'><div class='ws-map-legend' "
            f"style='font-size:14px;margin-bottom:4px'>{legend}</div>"
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {cmap.width:.0f} {cmap.height:.0f}' "
            f"style='width:100%;max-width:640px;height:auto;display:block;margin:auto'>{''.join(shapes)}{layers}"
            f"{_county_layer(lang)}</svg><div style='font-size:12px;color:#555'>{t('map_note', lang)}</div></div>")


# ------------------------------------------------------------------ who is reached
EQUITY_METRICS = ("share_with_line", "share_with_loan", "share_digital")  # what the county map can show
EQUITY_GAP_ROWS = ("remote_near_gap", "bottom_top_gap")
EQUITY_GAP_ACCESS = ("line", "loan", "digital", "distance")
# a sequential scale from pale to deep blue-green (ColorBrewer YlGnBu), readable on a projector
_SCALE = ((255, 255, 204), (161, 218, 180), (65, 182, 196), (44, 127, 184), (37, 52, 148))


def _colour(x: float) -> str:
    """A colour of :data:`_SCALE` for ``x`` in [0, 1], interpolated between its stops."""
    if not np.isfinite(x):
        return "#eeeeee"
    pos = min(max(x, 0.0), 1.0) * (len(_SCALE) - 1)
    i = min(int(pos), len(_SCALE) - 2)
    f = pos - i
    rgb = (round(a + (b - a) * f) for a, b in zip(_SCALE[i], _SCALE[i + 1], strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _gap_value(access: str, x: float, lang: str) -> str:
    """A gap as the page shows it: shares in percentage points, distance in km."""
    if not np.isfinite(x):
        return "–"
    # rounded first, so that a gap smaller than the last digit reads +0.0, not -0.0
    if access == "distance":
        return f"{round(x, 2) + 0.0:+.2f} {'公里' if lang == 'zh' else 'km'}"
    return f"{round(100 * x, 1) + 0.0:+.1f} {'个百分点' if lang == 'zh' else 'pp'}"


@cache
def _county_outline(i: int) -> str:
    """County ``i``'s outline, coarser than the village map's: every third point, whole map units.

    A county coloured as a whole needs no coastline detail, and the page sends the map again every month.
    """
    rings = (ring[::3] if len(ring) >= 12 else ring for ring in county_map().counties[i].rings)
    return " ".join("M" + " ".join(f"{x:.0f},{y:.0f}" for x, y in ring) + "Z" for ring in rings)


def equity_now(model: WorkshopModel) -> dict[str, dict[str, np.ndarray]]:
    """The groups' raw sums at the month reached (measured now before the first month)."""
    eq = model.equity
    return eq.records[-1] if eq.records else eq.snapshot(model.policy, 0)


def equity_html(model: WorkshopModel, lang: str, metric: str = "share_with_loan") -> str:
    """Who is reached: the counties coloured by ``metric`` now, and the gaps now against the plan reference.

    The map's colours run from the lowest county to the highest (the legend says both); hovering over a
    county shows its value. The gaps are those of :mod:`sim.equity` (remote villages minus near ones, the
    poorest rural income quintile minus the richest) for this run and for the plan at the same seed and month.
    """
    from sim.equity import derive, record_gaps
    from sim.workshop.model import reference_gaps

    rec = equity_now(model)
    values = derive(rec["county"])[metric]
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    span = hi - lo if hi > lo else 1.0
    cmap = county_map()
    shapes = []
    for i, v in enumerate(values):
        tip = f"{county_name(i, lang)}: {t('eq_' + metric, lang)} {v:.1%}"
        shapes.append(f"<g><title>{html.escape(tip)}</title><path class='ws-eq-county' data-county='{i}' "
                      f"data-value='{v:.4f}' d='{_county_outline(i)}' fill='{_colour((v - lo) / span)}' "
                      f"stroke='#546e7a' stroke-width='1.4' fill-rule='evenodd'/></g>")
    labels = "".join(
        f"<text x='{c.label_xy[0]:.0f}' y='{c.label_xy[1]:.0f}' font-size='15' font-weight='700' "
        f"text-anchor='middle' fill='#212121' stroke='white' stroke-width='4' paint-order='stroke' "
        f"style='pointer-events:none'>{county_name(i, lang)} {values[i]:.0%}</text>"
        for i, c in enumerate(cmap.counties))
    bar = "".join(f"<span style='display:inline-block;width:22px;height:12px;background:{_colour(k / 8)}'></span>"
                  for k in range(9))
    legend = (f"<div class='ws-eq-legend' style='font-size:14px;margin-bottom:4px'>{t('eq_' + metric, lang)}: "
              f"<b>{lo:.0%}</b> {bar} <b>{hi:.0%}</b></div>")
    now = record_gaps(rec)
    month = max(len(model.equity.records) - 1, 0)
    ref = reference_gaps(int(model.cfg.seed), float(model.weight))
    ref_now = ref[min(month, len(ref) - 1)] if model.equity.records else {}
    head = "".join(f"<th style='padding:3px 8px'>{html.escape(t('eq_' + a, lang))}</th>" for a in EQUITY_GAP_ACCESS)
    rows = []
    for gap in EQUITY_GAP_ROWS:
        for who, gaps, cls in ((t("equity_now", lang), now, "ws-eq-now"),
                               (t("equity_plan", lang), ref_now, "ws-eq-plan")):
            cells = "".join(
                f"<td style='padding:3px 8px;text-align:right'>"
                f"{_gap_value(a, gaps.get(f'{gap}_{a}', float('nan')), lang)}</td>" for a in EQUITY_GAP_ACCESS)
            rows.append(f"<tr class='ws-eq-gap {cls}' data-gap='{gap}'><td style='padding:3px 8px'>"
                        f"{html.escape(t('eq_' + gap, lang))}</td><td style='padding:3px 8px'>{html.escape(who)}</td>"
                        f"{cells}</tr>")
    table = (f"<div style='font-size:14px;margin:8px 0 4px'>{html.escape(t('equity_gaps', lang))}</div>"
             f"<table class='ws-eq-gaps' style='border-collapse:collapse;font-size:14px'><thead><tr "
             f"style='background:#263238;color:white'><th></th><th></th>{head}</tr></thead><tbody>{''.join(rows)}"
             f"</tbody></table>")
    return (f"<div class='ws-equity' data-metric='{metric}' style='font-family:sans-serif'>{legend}"
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {cmap.width:.0f} {cmap.height:.0f}' "
            f"style='width:100%;max-width:560px;height:auto;display:block;margin:auto'>{''.join(shapes)}{labels}"
            f"</svg>{table}</div>")


# ------------------------------------------------------------------ the handout
PRINT_CSS = """
@page { size: A4; margin: 12mm 11mm; }
body { font-family: sans-serif; max-width: 1100px; margin: auto; color: #111; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 14px 0 6px; }
.ws-team-block { break-inside: auto; }
svg { max-width: 100%; }
@media print {
  body { max-width: none; margin: 0; font-size: 11px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .ws-status span[style*='font-size:40px'] { font-size: 24px !important; }
  .ws-scorecard td, .ws-scorecard th { padding: 1px 3px !important; font-size: 10px !important;
    min-width: 0 !important; }
  .ws-scorecard td span { padding: 1px 4px !important; font-size: 10px !important; }
  .ws-odds span { display: block; }
  .ws-scorecard td div[style*='font-size:18px'] { font-size: 12px !important; }
  .ws-scorecard tr, .ws-money tr, .ws-chart, .ws-map { break-inside: avoid; }
  .ws-page { break-before: page; }
  .ws-money td { min-width: 0 !important; }
  .ws-money div[style*='font-size:13px'] { font-size: 9px !important; }
  .ws-map svg, .ws-equity svg { max-width: 150mm !important; }
  .ws-equity { break-inside: avoid; }
}
"""


def handout_html(teams: Team | WorkshopModel | Sequence[Team], lang: str,
                 odds: Sequence[dict[str, int] | None] | None = None, n_seeds: int = 0) -> str:
    """The current view of every team as one small self-contained HTML file (no scripts, no links).

    It prints on A4 from the browser: the scorecard and trajectories first, then per team its changes,
    money, map and who is reached (the counties by share of households with a loan, and the gaps against the
    plan reference), each team starting on a new page.
    """
    teams = as_teams(teams)
    model = teams[0].model
    title = html.escape(t("title", lang))
    per_team = []
    for i, tm in enumerate(teams):
        head = _team_tag(i, tm, lang) if len(teams) > 1 else ""
        per_team.append(
            f"<section class='ws-team-block ws-page'><h2>{head} {t('team_changes', lang)}</h2>"
            f"{changes_html(tm.model, lang)}<h2>{head} {t('money', lang)}</h2>{money_html(tm.model, lang)}"
            f"<h2>{head} {t('map', lang)}</h2>{map_html(tm.model, lang)}"
            f"<h2>{head} {t('equity', lang)}</h2>{equity_html(tm.model, lang)}</section>")
    odds_note = (f"<p style='font-size:12px;color:#555'>{t('odds_ready', lang).format(n=n_seeds, w=f'{WEIGHT:g}')}"
                 f"</p>" if odds and any(o is not None for o in odds) else "")
    return (
        f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
        f"<title>{title} {model.month}</title><style>{PRINT_CSS}</style></head><body>"
        f"<h1>{title}</h1><p style='margin:0 0 6px;color:#555'>{t('handout_note', lang)} "
        f"{t('period', lang)}: {month_label(0)} – {model.month}</p>"
        f"{status_html(teams, lang)}<h2>{t('scorecard', lang)}</h2>"
        f"{scorecard_html(teams, lang, odds, n_seeds)}{odds_note}"
        f"<h2 class='ws-page'>{t('trajectories', lang)}</h2>{trajectories_html(teams, lang, columns=2)}"
        f"{''.join(per_team)}</body></html>"
    )
