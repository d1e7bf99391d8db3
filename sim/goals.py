"""The plan's 2020 goals as objects, and the scorecard that measures a run against them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parent.parent / "configs" / "data"
GOALS_FILE = DATA_DIR / "goals_2020.csv"


@dataclass(frozen=True)
class Goal:
    """One numeric goal of the plan: a measurable with a threshold (at least or at most)."""

    goal_id: str
    name_zh: str
    name_en: str
    target: float
    unit: str
    comparison: str
    measure: str  # cumulative, end_of_2020, increase_since_2015, year_2020, every_year
    kind: str  # activity (money spent, things done) or outcome (coverage, lending, adoption)
    definition: str

    def met(self, value: float) -> bool:
        """Whether ``value`` meets the goal."""
        return bool(value >= self.target) if self.comparison == ">=" else bool(value <= self.target)

    def attainment(self, value: float) -> float:
        """Progress towards the goal, 1.0 = met exactly.

        For an at-least goal: value / target. For an at-most goal with target 0 (blank villages), 1 when
        the value is 0 and 1 / (1 + value) otherwise, so that fewer is always better.
        """
        if self.comparison == ">=":
            return float(value / self.target) if self.target else float("nan")
        if self.target == 0:
            return 1.0 / (1.0 + max(value, 0.0))
        return float(self.target / value) if value else 1.0


@cache
def load_goals() -> tuple[Goal, ...]:
    """The goals of ``configs/data/goals_2020.csv`` in file order."""
    df = pd.read_csv(GOALS_FILE)
    return tuple(
        Goal(r.goal_id, r.name_zh, r.name_en, float(r.target), r.unit, r.comparison, r.measure, r.kind,
             r.definition)
        for r in df.itertuples(index=False)
    )


GOAL_IDS = tuple(g.goal_id for g in load_goals())


def scorecard(values: dict[str, float]) -> pd.DataFrame:
    """Score goal values against the goals.

    Args:
        values: goal_id -> the model's value at the end of 2020 (or at the last month run).

    Returns:
        One row per goal: goal_id, name_zh, name_en, value, target, unit, comparison, kind (activity or
        outcome), attainment, met.
    """
    missing = [g.goal_id for g in load_goals() if g.goal_id not in values]
    if missing:
        raise KeyError(f"no value for goals {missing}")
    rows = []
    for g in load_goals():
        v = float(values[g.goal_id])
        rows.append(
            {
                "goal_id": g.goal_id,
                "name_zh": g.name_zh,
                "name_en": g.name_en,
                "value": v,
                "target": g.target,
                "unit": g.unit,
                "comparison": g.comparison,
                "kind": g.kind,
                "attainment": g.attainment(v),
                "met": g.met(v) if np.isfinite(v) else False,
            }
        )
    return pd.DataFrame(rows)


def format_scorecard(card: pd.DataFrame) -> str:
    """The scorecard as a terminal table (money in 亿元 = 1e8 CNY for reading)."""
    lines = [f"{'goal':<24}{'value':>16}{'target':>16}  {'unit':<11}{'attain':>8}  met", "-" * 84]
    for r in card.itertuples(index=False):
        scale, unit = (1e8, "亿元 (1e8)") if r.unit == "CNY" else (1.0, r.unit)
        lines.append(
            f"{r.goal_id:<24}{r.value / scale:>16,.2f}{r.target / scale:>16,.2f}  {unit:<11}"
            f"{r.attainment:>8.0%}  {'yes' if r.met else 'NO'}"
        )
    lines.append("-" * 84)
    lines.append(f"{int(card['met'].sum())} of {len(card)} goals met")
    return "\n".join(lines)




# ---------------------------------------------------------------- what each goal counts
# 小额信用贷款 are small loans: at most the village credit card's cap ([credit_line_cap], 30万).
SMALL_CREDIT_CAP_CNY = 300_000.0


@dataclass(frozen=True)
class Counted:
    """Which loans a lending goal counts: products and kinds of households and of enterprises.

    Attributes:
        hh_products: household products (codes of :data:`sim.population.HOUSEHOLD_PRODUCTS`).
        hh_kinds: household kinds.
        ent_products: enterprise products.
        ent_kinds: enterprise kinds.
        within_cap: only loans of at most :data:`SMALL_CREDIT_CAP_CNY`.
    """

    hh_products: tuple[int, ...] = ()
    hh_kinds: tuple[int, ...] = ()
    ent_products: tuple[int, ...] = ()
    ent_kinds: tuple[int, ...] = ()
    within_cap: bool = False

    def select(self, groups: dict, what: str) -> float:
        """The balance (``what`` = 'bal') or borrowers ('n') these loans add up to, real units."""
        total = 0.0
        cap = slice(0, 1) if self.within_cap else slice(None)
        if self.hh_products and self.hh_kinds:
            a = groups["hh_" + what][np.ix_(self.hh_products, self.hh_kinds)]
            total += float(a[..., cap].sum())
        if self.ent_products and self.ent_kinds:
            a = groups["ent_" + what][np.ix_(self.ent_products, self.ent_kinds)]
            total += float(a[..., cap].sum())
        return total


def _counting_rules() -> dict[str, Counted]:
    from sim.population import (
        COOPERATIVE,
        CREDIT,
        ENTERPRISE_PRODUCTS,
        FARM,
        FIRM,
        HOUSEHOLD_PRODUCTS,
        INDIVIDUAL_BUSINESS,
        LOW_INCOME,
        LOW_INCOME_LOAN,
        SMALL_CREDIT,
        UNSECURED_PRODUCTS,
        URBAN,
    )

    every_hh = tuple(range(1, len(HOUSEHOLD_PRODUCTS)))
    every_ent = tuple(range(1, len(ENTERPRISE_PRODUCTS)))
    rural = (FARM, LOW_INCOME)
    return {
        # 小额信用贷款: unsecured small loans to farm households, on a line or the low-income product
        "small_credit": Counted((SMALL_CREDIT, LOW_INCOME_LOAN), rural, within_cap=True),
        # 农户贷款: every loan to a farm household
        "farm": Counted(every_hh, rural),
        # 小微企业贷款: loans to small and micro firms
        "sme": Counted(ent_products=every_ent, ent_kinds=(FIRM,)),
        # 涉农及小微: farm households and cooperatives (涉农), firms and individual businesses (小微)
        "agri_sme": Counted(every_hh, rural, every_ent, (FIRM, INDIVIDUAL_BUSINESS, COOPERATIVE)),
        # 信用贷款: loans without collateral, to anyone
        "unsecured": Counted(tuple(np.flatnonzero(UNSECURED_PRODUCTS).tolist()), (FARM, LOW_INCOME, URBAN),
                             (CREDIT,), (FIRM, INDIVIDUAL_BUSINESS, COOPERATIVE)),
        "all": Counted(every_hh, (FARM, LOW_INCOME, URBAN), every_ent, (FIRM, INDIVIDUAL_BUSINESS, COOPERATIVE)),
    }


COUNTED: dict[str, Counted] = _counting_rules()


def unsecured_balance(groups: dict) -> float:
    """Unsecured (credit) loan balance of households and enterprises, real CNY."""
    return COUNTED["unsecured"].select(groups, "bal")


def goal_values(world, spent: float, t: int, groups: dict | None = None) -> dict[str, float]:
    """Every goal's value at the end of step ``t`` (running values for cumulative and yearly goals).

    What each counts is in the ``definition`` column of the goals file; the loans each lending goal counts
    are declared in :data:`COUNTED`.

    Args:
        world: the model's world (:class:`sim.world.World`).
        spent: programme money spent so far (the ledger's total), CNY.
        t: the last step done (0 at the start).
        groups: the loan book by product, kind, green, NPL and size (``world.loan_groups()``); computed if None.
    """
    from sim.behaviour import ebank_share
    from sim.calendar import year_index
    from sim.policy import Policy

    hh, ent, p = world.households, world.enterprises, world.places
    g = world.loan_groups() if groups is None else groups
    total = COUNTED["all"].select(g, "bal")
    green = float(g["hh_bal"][:, :, 1].sum() + g["ent_bal"][:, :, 1].sum())
    exists = p.village_exists
    big = exists & (p.village_size >= world.pop.coverage_min_residents)
    y = year_index(max(t, 0))
    done_years = world.apps_by_year[:y] if (t + 1) % 12 else world.apps_by_year[: y + 1]
    apps = float(done_years.min()) if done_years.size else float(world.apps_by_year[y])
    year_months = world.ebank_by_month[12 * y:] if t >= 0 and world.ebank_by_month else []
    ebank = float(np.mean(year_months)) if year_months else ebank_share(world, Policy())
    n, ne = world.n_active_rows, world.n_active_ent
    return {
        "inclusive_spend_cum": spent,
        "village_coverage": float(p.village_served[big].mean()),
        "blank_villages": float((exists & ~p.village_served).sum()),
        "community_coverage": float(p.community_covered.mean()),
        "low_income_loans_cum": world.flows["low_income_disbursed"],
        "new_credit_loans_cum": unsecured_balance(g) - world.unsecured_2015,
        "agri_sme_loan_balance": COUNTED["agri_sme"].select(g, "bal"),
        "fengshou_customers": (np.count_nonzero(hh.digital[:n]) + np.count_nonzero(ent.digital[:ne])) * world.weight,
        "ebank_substitution": ebank,
        "industry_apps_per_year": apps,
        "green_credit_share": green / total if total else 0.0,
        "info_file_rate": np.count_nonzero(hh.has_file[:n]) / max(1, n),
        "lectures_cum": float(world.lectures_held),
        "small_credit_balance": COUNTED["small_credit"].select(g, "bal"),
        "small_credit_clients": COUNTED["small_credit"].select(g, "n"),
        "farmer_loan_balance": COUNTED["farm"].select(g, "bal"),
        "farmer_loan_clients": COUNTED["farm"].select(g, "n"),
        "sme_loan_balance": COUNTED["sme"].select(g, "bal"),
        "sme_loan_clients": COUNTED["sme"].select(g, "n"),
    }
