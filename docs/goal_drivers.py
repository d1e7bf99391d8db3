"""Print docs/model.md's table of what drives each goal: mechanisms, and the value without and with the plan.

python docs/goal_drivers.py            # seed 0, the default scale (weight 10)
"""

from __future__ import annotations

import sys

from sim import simulate
from sim.goals import load_goals
from sim.levers import LEVERS


def main(extra: list[str]) -> None:
    """Run no_program and plan at seed 0 and print the Markdown table."""
    runs = {name: simulate([f"scenario={name}", "seed=0", *extra]).scorecard.set_index("goal_id")
            for name in ("no_program", "plan")}
    print("| goal | kind | levers that move it | no_program | plan | target |")
    print("|---|---|---|---|---|---|")
    for g in load_goals():
        levers = ", ".join(cls.name for cls in LEVERS if g.goal_id in cls.conf_class().moves)
        levers = levers or "every lever (its money)"
        vals = [runs[n].loc[g.goal_id] for n in ("no_program", "plan")]
        cells = [f"{_fmt(v['value'], g.unit)} {'✓' if v['met'] else '✗'}" for v in vals]
        print(f"| `{g.goal_id}` | {g.kind} | {levers} | {cells[0]} | {cells[1]} | {_fmt(g.target, g.unit)} |")


def _fmt(v: float, unit: str) -> str:
    if unit == "CNY":
        return f"{v / 1e8:,.1f} 亿"
    if unit == "share":
        return f"{v:.1%}"
    return f"{v:,.0f}"


if __name__ == "__main__":
    main(sys.argv[1:])
