"""Figures for planners: the goals' trajectories against their targets."""

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
    fig, axes = plt.subplots(4, 5, figsize=(20, 13), constrained_layout=True)
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
