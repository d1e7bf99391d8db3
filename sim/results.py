"""What a run produced: the :class:`Result` with its tables, and the output files of a run folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.calendar import month_label
from sim.goals import load_goals
from sim.io import write_atomic, write_csv_atomic, write_json_atomic, write_parquet_atomic

if TYPE_CHECKING:
    from sim.config import SimConf
    from sim.model import TaizhouModel

# manifest.json last: a folder without it is a run that did not finish
OUTPUT_FILES = ("scorecard.csv", "monthly.parquet", "equity.parquet", "ledger.csv", "levers.csv", "cost_per_unit.csv",
                "dashboard.png", "equity.png", "manifest.json")


def monthly_table(model: TaizhouModel) -> pd.DataFrame:
    """Tidy monthly table: month, metric, value."""
    wide = pd.DataFrame(model.records)
    wide.insert(0, "month", [month_label(i) for i in range(len(model.records))])
    return wide.melt(id_vars="month", var_name="metric", value_name="value")


def lever_table(model: TaizhouModel) -> pd.DataFrame:
    """One row per lever: on or off, the goals it moves, money and units it had nowhere to place.

    Money is planned, moved, spent, unspent, wanted and shortfall (CNY, 2016-2020); units unplaced are what
    the lever wanted but found no place for (stations when every eligible village has one).
    """
    money = model.ledger.table().groupby("lever")[["planned", "moved", "spent", "unspent", "wanted",
                                                    "shortfall"]].sum()
    rows = []
    for lever in model.levers:
        rows.append({"lever": lever.name, "enabled": bool(lever.conf.enabled),
                     "moves": " ".join(lever.conf.moves), **money.loc[lever.name].to_dict(),
                     "units_unplaced": float(getattr(lever, "unplaced", 0))})
    return pd.DataFrame(rows)


def cost_per_unit(model: TaizhouModel) -> pd.DataFrame:
    """Programme money per unit of change of each goal since end-2015, from the levers that declare it.

    Within one run this is an accounting ratio, not a causal effect: the change includes what 2015
    practice would have done anyway. Compare against ``no_program`` (experiments) for the causal figure.
    """
    spent = model.ledger.table().groupby("lever")["spent"].sum()
    now = model.goal_values()
    rows = []
    for goal in load_goals():
        levers = [lv.name for lv in model.levers if goal.goal_id in lv.conf.moves]
        money = float(sum(spent[name] for name in levers))
        change = now[goal.goal_id] - model.goals_2015[goal.goal_id]
        if goal.comparison == "<=":
            change = -change  # fewer blank villages is the gain
        rows.append({"goal_id": goal.goal_id, "unit": goal.unit, "levers": " ".join(levers),
                     "spent_cny": money, "change_since_2015": change,
                     "cny_per_unit": money / change if change > 0 and goal.unit != "CNY" else np.nan,
                     "cny_per_cny": money / change if change > 0 and goal.unit == "CNY" else np.nan})
    return pd.DataFrame(rows)


@dataclass
class Result:
    """What a run produced.

    Attributes:
        config: the validated config.
        scorecard: one row per goal (goal_id, name_zh, name_en, value, target, unit, attainment, met).
        monthly: tidy monthly metrics (month, metric, value).
        ledger: money by year and lever (planned, spent, unspent, wanted, shortfall).
        levers: one row per lever: enabled, goals it moves, money, units it could not place.
        cost_per_unit: programme CNY per unit of each goal's change since end-2015.
        equity: every group of households and enterprises by month (month, dimension, group, metric, value;
            :mod:`sim.equity`), with the summary measures as dimension ``summary``.
        manifest: provenance (config, seed, versions, code version, wall time).
        model: the model object, for inspection (None unless asked for).
    """

    config: SimConf
    scorecard: pd.DataFrame
    monthly: pd.DataFrame
    ledger: pd.DataFrame
    levers: pd.DataFrame
    cost_per_unit: pd.DataFrame
    equity: pd.DataFrame
    manifest: dict[str, Any]
    model: TaizhouModel | None = field(default=None, repr=False)

    @classmethod
    def of(cls, model: TaizhouModel, manifest: dict[str, Any], keep_model: bool = False) -> Result:
        """The result of a model that has run."""
        return cls(model.cfg, model.scorecard(), monthly_table(model), model.ledger.table(), lever_table(model),
                   cost_per_unit(model), model.equity.table(), manifest, model if keep_model else None)

    def wide(self) -> pd.DataFrame:
        """Monthly metrics as one column per metric, indexed by month."""
        return self.monthly.pivot(index="month", columns="metric", values="value")

    def plot(self, path: str | Path | None = None):
        """The goals' trajectories against their targets (a matplotlib figure; saved if ``path``)."""
        from sim.report import dashboard

        return dashboard(self, path)

    def plot_equity(self, metric: str = "share_with_loan", path: str | Path | None = None):
        """Lines and loans by income quintile and remoteness over time, and the counties coloured by ``metric``."""
        from sim.report import equity_figure

        return equity_figure(self, metric, path)

    def save(self, out_dir: str | Path) -> Path:
        """Write every output file into ``out_dir``, each atomically; ``manifest.json`` goes last.

        A folder without ``manifest.json`` is a run that did not finish: a manifest left by an earlier run in
        the same folder is removed first.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "manifest.json").unlink(missing_ok=True)
        write_csv_atomic(out / "scorecard.csv", self.scorecard)
        write_parquet_atomic(out / "monthly.parquet", self.monthly)
        write_parquet_atomic(out / "equity.parquet", self.equity)
        write_csv_atomic(out / "ledger.csv", self.ledger)
        write_csv_atomic(out / "levers.csv", self.levers)
        write_csv_atomic(out / "cost_per_unit.csv", self.cost_per_unit)
        fig = self.plot()
        import matplotlib.pyplot as plt

        write_atomic(out / "dashboard.png", lambda fh: fig.savefig(fh, dpi=80, format="png"))
        plt.close(fig)
        fig = self.plot_equity()
        write_atomic(out / "equity.png", lambda fh: fig.savefig(fh, dpi=80, format="png"))
        plt.close(fig)
        write_json_atomic(out / "manifest.json", self.manifest)
        return out
