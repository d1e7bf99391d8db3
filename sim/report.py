"""Figures for planners: the goals' trajectories against their targets, and who is reached."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.goals import load_goals

if TYPE_CHECKING:
    from sim.run import Result

_SCALES = {"CNY": (1e8, "100M CNY"), "share": (0.01, "%"), "customers": (1e4, "10k"),
           "clients": (1e4, "10k"), "households": (1e4, "10k")}


def dashboard(result: Result, path: str | Path | None = None):
    """One small panel per goal: the monthly running value, the 2020 target, met or not.

    Args:
        result: a run's result.
        path: where to save the PNG (not saved when None).

    Returns:
        The matplotlib figure.
    """
    wide = result.wide()
    months = wide.index.tolist()
    x = np.arange(len(months))
    card = result.scorecard.set_index("goal_id")
    goals = load_goals()
    # fixed margins: a constrained layout measures every text of the 20 panels and doubles the drawing time
    fig, axes = plt.subplots(4, 5, figsize=(20, 13), gridspec_kw=dict(left=0.04, right=0.99, top=0.91, bottom=0.04,
                                                                        hspace=0.52, wspace=0.28))
    for ax, goal in zip(axes.flat, goals, strict=False):
        scale, label = _SCALES.get(goal.unit, (1.0, goal.unit))
        y = wide[goal.goal_id].to_numpy() / scale
        met = bool(card.loc[goal.goal_id, "met"])
        colour = "#1a7f37" if met else "#c62828"
        ax.plot(x, y, color=colour, lw=2)
        ax.axhline(goal.target / scale, color="#444", ls="--", lw=1)
        ax.set_title(textwrap.fill(goal.name_en, 46) + f"\n({goal.goal_id})", fontsize=8.5)
        ax.set_ylabel(label, fontsize=8)
        ticks = [i for i, m in enumerate(months) if m.endswith("-01")]
        ax.set_xticks(ticks, [months[i][:4] for i in ticks], fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.text(0.02, 0.95, f"{card.loc[goal.goal_id, 'attainment']:.0%} {'met' if met else 'not met'}",
                transform=ax.transAxes, va="top", fontsize=9, color=colour, fontweight="bold")
    for ax in list(axes.flat)[len(goals):]:
        ax.axis("off")
    m = result.manifest
    axes.flat[-1].text(0, 0.5, f"scenario: {m['scenario']}\nseed: {m['seed']}\nweight: {m['weight']:g}\n"
                       f"goals met: {int(card['met'].sum())} / {len(card)}\n\ndashed line: 2020 target",
                       fontsize=12, va="center")
    fig.suptitle("Taizhou rural credit inclusive-finance plan 2016-2020: goals against targets", fontsize=14)
    if path is not None:
        fig.savefig(path, dpi=80)
    return fig


# ------------------------------------------------------------------ who is reached
EQUITY_MAP_METRICS = ("share_with_line", "share_with_loan", "share_digital")  # what the county map can show


def equity_figure(result: Result, metric: str = "share_with_loan", path: str | Path | None = None):
    """Who is reached: lines and loans by income quintile and by remoteness over time, the gaps, the county map.

    Top row: the share of households with a credit line and with a loan, per rural income quintile (fixed at
    end-2015), and the nine counties coloured by ``metric`` in December 2020 (boundaries of
    ``configs/data/taizhou_counties.geojson``, :mod:`sim.workshop.geo`). Bottom row: the same shares by distance
    band to the nearest service point at end-2015, and the remote–near and bottom–top gaps over time.

    Args:
        result: a run's result.
        metric: a household share of :mod:`sim.equity` (``share_with_line``, ``share_with_loan``,
            ``share_digital``) for the map.
        path: where to save the PNG (not saved when None).
    """
    from matplotlib.colors import Normalize
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    from sim.equity import HOUSEHOLD_DIMENSIONS
    from sim.workshop.geo import county_map

    eq = result.equity
    months = sorted(eq["month"].unique())
    x = np.arange(len(months))
    ticks = [i for i, m in enumerate(months) if m.endswith("-01")]

    def series(dim: str, metric_: str):
        sub = eq[(eq["dimension"] == dim) & (eq["metric"] == metric_)]
        return sub.pivot(index="month", columns="group", values="value").reindex(months)

    fig, axes = plt.subplots(2, 3, figsize=(18, 10), constrained_layout=True)
    panels = [(axes[0, 0], "income_quintile", "share_with_line", "Households with a credit line, by income quintile"),
              (axes[0, 1], "income_quintile", "share_with_loan", "Households with a loan, by income quintile"),
              (axes[1, 0], "remoteness", "share_with_line", "Households with a credit line, by distance in 2015"),
              (axes[1, 1], "remoteness", "share_with_loan", "Households with a loan, by distance in 2015")]
    for ax, dim, m, title in panels:
        wide = series(dim, m)
        groups = [g for g in HOUSEHOLD_DIMENSIONS[dim][0] if g != "urban"]  # the declared order, not alphabetical
        colours = plt.cm.viridis(np.linspace(0, 0.9, len(groups)))
        for g, c in zip(groups, colours, strict=True):
            ax.plot(x, 100 * wide[g].to_numpy(), color=c, lw=2, label=g)
        ax.set_title(title, fontsize=11)
        ax.set_ylabel("% of households")
        ax.set_xticks(ticks, [months[i][:4] for i in ticks])
        ax.legend(fontsize=8, ncol=2)
    ax = axes[1, 2]
    s = eq[eq["dimension"] == "summary"]
    for (gap, access), style in {("remote_near_gap", "line"): ("#1565c0", "-"), ("remote_near_gap", "loan"):
                                 ("#1565c0", "--"), ("bottom_top_gap", "line"): ("#c62828", "-"),
                                 ("bottom_top_gap", "loan"): ("#c62828", "--")}.items():
        sub = s[(s["group"] == gap) & (s["metric"] == access)].set_index("month")["value"].reindex(months)
        ax.plot(x, 100 * sub.to_numpy(), color=style[0], ls=style[1], lw=2,
                label=f"{gap.replace('_', ' ')}: {access}")
    ax.axhline(0, color="#444", lw=0.8)
    ax.set_title("Gaps in access (percentage points)", fontsize=11)
    ax.set_xticks(ticks, [months[i][:4] for i in ticks])
    ax.legend(fontsize=8)
    ax = axes[0, 2]
    last = eq[(eq["dimension"] == "county") & (eq["metric"] == metric) & (eq["month"] == months[-1])]
    values = last["value"].to_numpy(float)
    norm = Normalize(vmin=float(np.nanmin(values)), vmax=float(np.nanmax(values)))
    cmap = plt.cm.YlGnBu
    shapes = county_map()
    for county, v in zip(shapes.counties, values, strict=True):
        verts, codes = [], []
        for ring in county.rings:
            verts += [*ring.tolist(), ring[0].tolist()]
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 1) + [MplPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=cmap(norm(v)), edgecolor="#546e7a", lw=0.8))
        ax.text(*county.label_xy, f"{100 * v:.0f}%", ha="center", va="center", fontsize=9, fontweight="bold")
    ax.set_xlim(0, shapes.width)
    ax.set_ylim(shapes.height, 0)  # map units grow downwards (SVG)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{metric.replace('_', ' ')} by county, {months[-1]}", fontsize=11)
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7, format=lambda v, _: f"{100 * v:.0f}%")
    m = result.manifest
    fig.suptitle(f"Who is reached: scenario {m['scenario']}, seed {m['seed']}, weight {m['weight']:g}", fontsize=14)
    if path is not None:
        fig.savefig(path, dpi=80)
    return fig
