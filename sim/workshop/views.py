"""What the page shows, as plain HTML strings and PNG bytes, so the page and the exported handout share them.

Nothing here depends on Solara: every function takes the model (and the language) and returns HTML or an
image. Colours are strong and text large because the page is read off a projector from the back row.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from sim.calendar import month_label
from sim.goals import load_goals
from sim.i18n import county_name, goal_name, lever_label, t
from sim.population import COUNTIES
from sim.workshop.model import WorkshopModel, reference_records

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


# ------------------------------------------------------------------ scorecard
def status_html(model: WorkshopModel, lang: str) -> str:
    """The month as a date, the scenario and the number of goals met, in large type."""
    rows = goal_rows(model)
    n_met = sum(r["met"] for r in rows)
    colour = MET if n_met == len(rows) else NEAR if n_met >= len(rows) * 0.6 else FAR
    return (
        '<div class="ws-status" style="display:flex;gap:28px;align-items:baseline;flex-wrap:wrap;'
        'font-family:sans-serif">'
        f'<div><span style="font-size:16px;color:#555">{t("month", lang)}</span> '
        f'<span class="ws-month" style="font-size:40px;font-weight:700">{model.month}</span></div>'
        f'<div><span style="font-size:16px;color:#555">{t("goals_met", lang)}</span> '
        f'<span class="ws-met" style="font-size:40px;font-weight:700;color:{colour}">{n_met} / {len(rows)}</span>'
        f'</div><div style="font-size:16px;color:#333">{t("scenario", lang)}: <b>{html.escape(model.scenario_name)}'
        f'</b> · {t("seed", lang)} {model.cfg.seed}</div></div>'
    )


def scorecard_html(model: WorkshopModel, lang: str) -> str:
    """All goals: name, value now, target, progress bar, met or not, coloured by status."""
    head = "".join(f"<th style='text-align:{a};padding:4px 8px'>{t(k, lang)}</th>"
                   for k, a in (("goal", "left"), ("value", "right"), ("target", "right"),
                                ("progress", "left"), ("met", "center")))
    body = []
    for r in goal_rows(model):
        g, att = r["goal"], r["attainment"]
        name = goal_name(g.goal_id, lang)  # long English names are cut at two lines; the full name on hover
        colour = _status(att, r["met"])
        width = 0 if not np.isfinite(att) else max(0.0, min(att, 1.0)) * 100
        cmp = "≥" if g.comparison == ">=" else "≤"
        pct = "–" if not np.isfinite(att) else f"{att:.0%}"
        body.append(
            f"<tr class='ws-goal' data-goal='{g.goal_id}' style='border-bottom:1px solid #ddd'>"
            f"<td style='padding:3px 8px;font-size:15px;min-width:150px' title='{html.escape(name)}'>"
            f"<div style='display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden'>"
            f"{html.escape(name)}</div></td>"
            f"<td class='ws-value' style='padding:3px 8px;text-align:right;font-size:18px;font-weight:700;"
            f"white-space:nowrap;color:{colour}'>{fmt(r['value'], g.unit, lang)}</td>"
            f"<td style='padding:3px 8px;text-align:right;white-space:nowrap;font-size:15px'>"
            f"{cmp} {fmt(g.target, g.unit, lang)}</td>"
            f"<td style='padding:3px 8px;min-width:90px'><div style='background:#e0e0e0;height:18px;"
            f"border-radius:3px;position:relative'><div style='background:{colour};width:{width:.0f}%;"
            f"height:18px;border-radius:3px'></div><span style='position:absolute;left:6px;top:0;"
            f"font-size:13px;font-weight:700;color:#111'>{pct}</span></div></td>"
            f"<td style='padding:3px 8px;text-align:center'><span style='background:{colour};color:white;"
            f"font-weight:700;padding:2px 10px;border-radius:10px;white-space:nowrap;font-size:15px'>"
            f"{t('yes' if r['met'] else 'no', lang)}</span></td></tr>"
        )
    return (f"<table class='ws-scorecard' style='border-collapse:collapse;width:100%;font-family:sans-serif'>"
            f"<thead><tr style='background:#263238;color:white'>{head}</tr></thead>"
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


def trajectory_svg(model: WorkshopModel, goal_id: str, lang: str, w: int = 330, h: int = 190) -> str:
    """One goal month by month as inline SVG.

    This run is solid, the plan at the same seed dashed, the target dotted, and each month a change took effect
    has a vertical mark. SVG keeps a frame at about a millisecond and leaves the text to the browser's fonts.
    """
    g = next(x for x in load_goals() if x.goal_id == goal_id)
    ref = reference_records(int(model.cfg.seed), float(model.weight))
    scale, unit = _axis_scale(g.unit, lang)
    ref_y = np.array([r[goal_id] for r in ref], float) / scale
    cur_y = np.array([r[goal_id] for r in model.records], float) / scale
    top = _nice_max(np.nanmax([*ref_y, *cur_y, g.target / scale * 1.1, 0]))
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
    parts.append(line(cur_y, f"stroke='{CURRENT}' stroke-width='3'"))
    for ch in model.changes:
        parts.append(f"<line class='ws-change' x1='{x(ch.t + 0.5):.1f}' x2='{x(ch.t + 0.5):.1f}' y1='{up}' "
                     f"y2='{h - down}' stroke='{CHANGE}' stroke-width='2'/><text x='{x(ch.t + 0.5) + 3:.1f}' "
                     f"y='{up + 12}' font-size='11' font-weight='700' fill='{CHANGE}'>{ch.month}</text>")
    parts.append(f"<text x='4' y='{up + 10}' font-size='11' fill='#555'>{unit}</text>")
    title = html.escape(goal_name(goal_id, lang))
    return (f"<div style='font-family:sans-serif'><div style='font-size:14px;font-weight:700;height:36px;"
            f"overflow:hidden' title='{title}'>{title}</div><svg xmlns='http://www.w3.org/2000/svg' "
            f"viewBox='0 0 {w} {h}' style='width:100%;height:auto'>{''.join(parts)}</svg></div>")


def trajectories_html(model: WorkshopModel, lang: str, columns: int | None = None) -> str:
    """The key goals' trajectories in a grid (as many columns as fit, or ``columns``), with a legend."""
    cols = f"repeat({columns},1fr)" if columns else "repeat(auto-fill,minmax(300px,1fr))"
    legend = (f"<span style='color:{CURRENT};font-weight:700'>━ {t('current', lang)}</span> &nbsp; "
              f"<span style='color:{REFERENCE};font-weight:700'>╍ {t('reference', lang)}</span> &nbsp; "
              f"<span style='color:{TARGET};font-weight:700'>┈ {t('target', lang)}</span> &nbsp; "
              f"<span style='color:{CHANGE};font-weight:700'>│ {t('change_mark', lang)}</span>")
    charts = "".join(trajectory_svg(model, gid, lang) for gid in KEY_GOALS)
    return (f"<div class='ws-trajectories' style='font-family:sans-serif'><div style='font-size:14px;"
            f"margin-bottom:4px'>{legend}</div><div style='display:grid;grid-template-columns:{cols};"
            f"gap:10px'>{charts}</div></div>")


def png_img(png: bytes, css: str = "max-width:100%") -> str:
    """An <img> with the PNG inline (works offline and in a saved file)."""
    return f"<img alt='' style='{css}' src='data:image/png;base64,{base64.b64encode(png).decode()}'/>"


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


def changes_html(model: WorkshopModel, lang: str) -> str:
    """The log of mid-run changes, with the month each took effect."""
    if not model.changes:
        return f"<div style='color:#555'>{t('no_changes', lang)}</div>"
    items = "".join(f"<li><b style='color:{CHANGE}'>{c.month}</b>: "
                    f"{html.escape('; '.join(describe(item, lang) for item in c.what))}</li>" for c in model.changes)
    return f"<div><b>{t('changes', lang)}</b><ul style='margin:2px 0 0 18px;padding:0'>{items}</ul></div>"


# ------------------------------------------------------------------ money
def money_html(model: WorkshopModel, lang: str) -> str:
    """Spent against budget by lever (rows) and year (columns), with a bar per cell."""
    tab = model.ledger.table()
    spent = tab.pivot(index="lever", columns="year", values="spent").reindex(model.ledger.levers)
    planned = tab.pivot(index="lever", columns="year", values="planned").reindex(model.ledger.levers)
    scale, unit = (1e8, "亿元") if lang == "zh" else (1e6, "m CNY")
    years = list(spent.columns)

    def cell(s: float, p: float) -> str:
        ratio = s / p if p > 0 else (1.0 if s > 0 else 0.0)
        colour = MET if ratio <= 1.0 + 1e-9 else FAR
        width = min(ratio, 1.0) * 100
        return (f"<td style='padding:2px 6px;min-width:92px'><div style='font-size:13px;white-space:nowrap'>"
                f"{s / scale:,.2f} / {p / scale:,.2f}</div><div style='background:#e0e0e0;height:7px'>"
                f"<div style='background:{colour};height:7px;width:{width:.0f}%'></div></div></td>")

    rows = []
    for lever in spent.index:
        cells = "".join(cell(spent.at[lever, y], planned.at[lever, y]) for y in years)
        cells += cell(spent.loc[lever].sum(), planned.loc[lever].sum())
        rows.append(f"<tr style='border-bottom:1px solid #eee'><td style='padding:2px 6px;font-size:14px;"
                    f"white-space:nowrap'>{html.escape(lever_label(lever, lang))}</td>{cells}</tr>")
    total = "".join(cell(spent[y].sum(), planned[y].sum()) for y in years)
    total += cell(spent.values.sum(), planned.values.sum())
    rows.append(f"<tr style='font-weight:700;border-top:2px solid #263238'><td style='padding:2px 6px'>Σ</td>"
                f"{total}</tr>")
    head = "".join(f"<th style='padding:2px 6px'>{y}</th>" for y in years) + "<th>2016–2020</th>"
    caption = (f"{t('total_spent', lang)}: <b>{spent.values.sum() / scale:,.2f}</b> {unit} · "
               f"{t('of_budget', lang)} <b>{model.cfg.budget.total_cny / scale:,.2f}</b> {unit} · "
               f"{t('spent', lang)} / {t('planned', lang)} ({unit})")
    return (f"<div class='ws-money' style='font-family:sans-serif'><div style='font-size:15px;margin-bottom:4px'>"
            f"{caption}</div><table style='border-collapse:collapse'><thead><tr style='background:#263238;"
            f"color:white'><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


# ------------------------------------------------------------------ where the service is
SERVICE_COLOURS = {"station": (27, 127, 59), "device": (66, 165, 245), "branch": (55, 71, 79),
                   "unserved": (211, 47, 47)}


def _county_png(kinds: np.ndarray, side: int, px: int = 7) -> bytes:
    """A county's villages as squares (largest first), coloured by their kind of service."""
    from matplotlib.image import imsave

    img = np.full((side * side, 3), 245, np.uint8)
    img[: len(kinds)] = kinds
    img = img.reshape(side, side, 3).repeat(px, 0).repeat(px, 1)
    img[px - 1 :: px, :] = 255  # a one-pixel gap between villages
    img[:, px - 1 :: px] = 255
    buf = io.BytesIO()
    imsave(buf, img, format="png")
    return buf.getvalue()


def map_html(model: WorkshopModel, lang: str) -> str:
    """The 9 counties as a 3x3 schematic grid; in each, one square per village, coloured by service."""
    p = model.places
    kind = np.where(p.village_station, 0, np.where(p.village_device, 1, np.where(p.village_branch, 2, 3)))
    palette = np.array([SERVICE_COLOURS[k] for k in ("station", "device", "branch", "unserved")], np.uint8)
    county = np.asarray(p.village_county)
    counts = np.bincount(county, minlength=len(COUNTIES))
    side = int(np.ceil(np.sqrt(max(counts.max(), 1))))
    cells = []
    for c in range(len(COUNTIES)):
        idx = np.flatnonzero(county == c)
        idx = idx[np.argsort(-p.village_size[idx], kind="stable")]
        served = int(np.asarray(p.village_served)[idx].sum())
        png = _county_png(palette[kind[idx]], side)
        cells.append(
            f"<div style='text-align:center'><div style='font-size:16px;font-weight:700'>{county_name(c, lang)}"
            f"</div><div style='font-size:13px'><span style='color:{MET}'>{served}</span> / {idx.size} "
            f"<span style='color:{FAR}'>({idx.size - served} {t('unserved', lang)})</span></div>"
            f"{png_img(png, 'width:100%;max-width:190px;image-rendering:pixelated')}</div>")
    legend = " ".join(
        f"<span style='white-space:nowrap'><span style='display:inline-block;width:13px;height:13px;"
        f"background:rgb{SERVICE_COLOURS[k]};vertical-align:middle'></span> {t(key, lang)}</span>"
        for k, key in (("station", "served_station"), ("device", "served_device"), ("branch", "served_branch"),
                       ("unserved", "unserved")))
    return (f"<div class='ws-map' style='font-family:sans-serif'><div style='font-size:14px;margin-bottom:4px'>"
            f"{legend}</div><div style='display:grid;grid-template-columns:repeat(3,1fr);gap:8px'>"
            f"{''.join(cells)}</div></div>")


# ------------------------------------------------------------------ the handout
def handout_html(model: WorkshopModel, lang: str) -> str:
    """The current view as one small self-contained HTML file (no scripts, no links), for printing."""
    return (
        f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(t('title', lang))} {model.month}</title></head>"
        "<body style='font-family:sans-serif;max-width:1100px;margin:auto'>"
        f"<h1 style='font-size:24px'>{html.escape(t('title', lang))}</h1>"
        f"<p>{html.escape(model.scenario_description)}</p>{status_html(model, lang)}"
        f"{changes_html(model, lang)}<h2>{t('scorecard', lang)}</h2>{scorecard_html(model, lang)}"
        f"<h2>{t('trajectories', lang)}</h2>{trajectories_html(model, lang, columns=3)}"
        f"<h2>{t('money', lang)}</h2>{money_html(model, lang)}"
        f"<h2>{t('map', lang)}</h2>{map_html(model, lang)}"
        f"<p style='color:#777;font-size:12px'>{month_label(0)} – {model.month}</p></body></html>"
    )
