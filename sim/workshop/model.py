"""The model as the workshop page drives it: keyword construction, mid-run changes, a plan reference, teams.

:class:`WorkshopModel` is :class:`sim.model.TaizhouModel` with a keyword ``__init__`` and the hooks a room uses
while the model is paused: switch a lever, change its intensity, change the budget and its split. Each change
is logged with the month it takes effect, so the charts can mark it. :class:`Workshop` holds the teams of a
room: runs on the same scenario and seed, stepped together, each with its own changes.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from sim.calendar import month_label, year_index
from sim.config import YEARS, SimConf
from sim.equity import record_gaps
from sim.i18n import lever_names, t
from sim.model import TaizhouModel
from sim.run import load_config
from sim.scenarios import scenarios
from sim.world import SpunUp

REFERENCE_SCENARIO = "plan"
DEFAULT_WEIGHT = 100.0  # real households per simulated row: ~24k rows, a step in 10-20 ms


@cache
def _config(scenario: str, seed: int, weight: float) -> SimConf:
    return load_config([f"scenario={scenario}", f"seed={seed}", f"population.weight={weight:g}",
                        "write_outputs=false", "quiet=true"])


def make_config(scenario: str, seed: int, weight: float = DEFAULT_WEIGHT) -> SimConf:
    """A fresh, validated config (a copy: the workshop mutates it mid-run)."""
    return copy.deepcopy(_config(scenario, int(seed), float(weight)))


@dataclass
class Change:
    """One mid-run change: from which step it applies and what changed."""

    t: int  # first step (0-based month) run with the change
    what: list[tuple] = field(default_factory=list)  # ("on", lever, bool) | ("pct", lever, %) | ("budget", CNY)
    #                                                   | ("split", {lever: share})

    @property
    def month(self) -> str:
        """The month the change first applies to, e.g. '2018-07'."""
        return month_label(self.t)


class WorkshopModel(TaizhouModel):
    """The model with keyword arguments and the mid-run controls a room uses while it is paused.

    Args:
        scenario: a scenario name of ``configs/scenario/``.
        seed: the run's seed.
        weight: real households per simulated row.
    """

    def __init__(self, scenario: str = REFERENCE_SCENARIO, seed: int = 0, weight: float = DEFAULT_WEIGHT):
        self.scenario_name = scenario
        self.scenario_description = scenarios("en").get(scenario, "")
        SpunUp.enable()  # Reset and a new scenario of the same seed start from the world spun up to 2015
        super().__init__(make_config(scenario, seed, weight))
        self.plan_intensity = {name: list(getattr(_config(REFERENCE_SCENARIO, int(seed), float(weight)).levers,
                                                  name).intensity) for name in lever_names()}
        self.changes: list[Change] = []
        # edits made on the page while paused; applied at the start of the next month (see step)
        self.pending_levers: dict[str, tuple[bool, float]] = {}
        self.pending_budget: tuple[float, dict[str, float]] | None = None
        # Play steps in a background thread while the room keeps editing: an edit must not slip in between the
        # month taking the pending edits and clearing them
        self._pending_lock = threading.Lock()

    def has_pending(self) -> bool:
        """Whether edits wait for the next month."""
        return bool(self.pending_levers) or self.pending_budget is not None

    def step(self) -> None:
        """One month, after applying any edits made since the last one (a mid-course change)."""
        with self._pending_lock:
            levers, budget = self.pending_levers, self.pending_budget
            if self.t < self.cfg.months:
                self.pending_levers, self.pending_budget = {}, None
        if (levers or budget is not None) and self.t < self.cfg.months:
            total, alloc = budget if budget is not None else self.budget_state()
            self.apply(levers, total, alloc)
        super().step()

    def queue_lever(self, name: str, enabled: bool | None = None, pct_of_plan: float | None = None) -> None:
        """Edit a lever for next month (None keeps what is set or already queued)."""
        with self._pending_lock:
            cur = self.pending_levers.get(name) or self.lever_state(name)
            self.pending_levers[name] = (cur[0] if enabled is None else bool(enabled),
                                         cur[1] if pct_of_plan is None else float(pct_of_plan))

    def queue_budget(self, total_cny: float | None = None, lever: str | None = None,
                     share: float | None = None) -> None:
        """Edit the total budget or one lever's share for next month (None keeps what is set or queued)."""
        with self._pending_lock:
            cur_total, cur_alloc = self.pending_budget or self.budget_state()
            alloc = dict(cur_alloc)
            if lever is not None:
                alloc[lever] = float(share or 0.0)
            self.pending_budget = (cur_total if total_cny is None else float(total_cny), alloc)

    # ------------------------------------------------------------ what the room can change
    def lever_state(self, name: str) -> tuple[bool, float]:
        """(enabled, intensity this year as a % of the plan's this year) of a lever."""
        conf = getattr(self.cfg.levers, name)
        y = min(year_index(self.t), len(YEARS) - 1)
        plan = self.plan_intensity[name][y]
        now = float(conf.intensity[y])
        pct = 100.0 * now / plan if plan else (100.0 if now > 0 else 0.0)
        return bool(conf.enabled), pct

    def budget_state(self) -> tuple[float, dict[str, float]]:
        """(total CNY, allocation shares) of the budget now."""
        b = self.cfg.budget
        return float(b.total_cny), {name: float(b.allocation.get(name, 0.0)) for name in lever_names()}

    def set_lever(self, name: str, enabled: bool, pct_of_plan: float) -> list[str]:
        """Switch a lever and set its intensity, as a % of the plan's, for this year and the years after.

        The model reads ``cfg.levers.<name>`` every month, so the change applies from the next step. Past years
        are kept: they have been run. Under a scenario whose intensity is zero, the plan's intensity is the 100%.

        Returns:
            What changed, as :attr:`Change.what` items (empty if nothing did).
        """
        conf = getattr(self.cfg.levers, name)
        y0 = min(year_index(self.t), len(YEARS) - 1)
        new = [float(v) for v in conf.intensity]
        for y in range(y0, len(YEARS)):
            new[y] = self.plan_intensity[name][y] * pct_of_plan / 100.0
        done = []
        if bool(enabled) != bool(conf.enabled):
            conf.enabled = bool(enabled)
            done.append(("on", name, bool(enabled)))
        if not np.allclose(new, conf.intensity):
            conf.intensity = new
            done.append(("pct", name, float(pct_of_plan)))
        return done

    def set_budget(self, total_cny: float, allocation: dict[str, float]) -> list[str]:
        """Set the total budget and its split; re-plan this year and the years after.

        Past years keep their planned money (it has been spent or not). The new total is spread over the
        remaining years with the scenario's phasing, renormalised over those years, so the five-year plan
        adds up to ``total_cny``. Shares are rescaled to add up to 1.

        Returns:
            What changed, as :attr:`Change.what` items (empty if nothing did).
        """
        names = self.ledger.levers
        shares = np.array([max(0.0, float(allocation.get(n, 0.0))) for n in names])
        shares = shares / shares.sum() if shares.sum() > 0 else shares
        old_total, old_alloc = self.budget_state()
        changed_total = not np.isclose(total_cny, old_total)
        changed_split = not np.allclose(shares, [old_alloc.get(n, 0.0) for n in names], atol=1e-4)
        if not (changed_total or changed_split):
            return []
        y0 = min(year_index(self.t), len(YEARS) - 1)
        planned = self.ledger.planned
        past = float(planned[:y0].sum())
        phasing = np.asarray(self.cfg.budget.phasing, float)[y0:]
        phasing = phasing / phasing.sum() if phasing.sum() > 0 else np.full(phasing.size, 1 / phasing.size)
        left = max(0.0, float(total_cny) - past)
        planned[y0:] = left * np.outer(phasing, shares)
        self.cfg.budget.total_cny = float(total_cny)
        self.cfg.budget.allocation = {n: float(s) for n, s in zip(names, shares, strict=True)}
        done = []
        if changed_total:
            done.append(("budget", float(total_cny)))
        if changed_split:
            done.append(("split", dict(self.cfg.budget.allocation)))
        return done

    def apply(self, levers: dict[str, tuple[bool, float]], total_cny: float,
              allocation: dict[str, float]) -> Change | None:
        """Apply a set of lever and budget settings from the next month on; log and return the change."""
        what = self.set_budget(total_cny, allocation)
        for name, (enabled, pct) in levers.items():
            if hasattr(self.cfg.levers, name):
                what += self.set_lever(name, enabled, pct)
        if not what:
            return None
        if self.changes and self.changes[-1].t == self.t:
            self.changes[-1].what += what
            return self.changes[-1]
        change = Change(self.t, what)
        self.changes.append(change)
        return change

    def run_to(self, t: int) -> None:
        """Run until ``t`` months are done (no-op if already there)."""
        while self.t < min(t, self.cfg.months):
            self.step()


@cache
def _reference_run(seed: int, weight: float) -> tuple[tuple[dict[str, float], ...], tuple[dict[str, float], ...]]:
    """The plan scenario at a seed and scale, run once: its monthly records and its equity gaps by month."""
    m = TaizhouModel(make_config(REFERENCE_SCENARIO, seed, weight))
    m.run()
    return tuple(m.records), tuple(record_gaps(rec) for rec in m.equity.records)


def reference_records(seed: int, weight: float = DEFAULT_WEIGHT) -> tuple[dict[str, float], ...]:
    """The plan scenario's monthly records at the same seed and scale (computed once per seed)."""
    return _reference_run(int(seed), float(weight))[0]


def reference_gaps(seed: int, weight: float = DEFAULT_WEIGHT) -> tuple[dict[str, float], ...]:
    """The plan scenario's equity gaps by month (:func:`sim.equity.record_gaps`) at the same seed and scale."""
    return _reference_run(int(seed), float(weight))[1]


# ------------------------------------------------------------------ teams
MAX_TEAMS = 4  # tables in a room; more would not fit side by side on a projector


@dataclass
class Team:
    """One table's run: its model (own levers and budget split) and the name the table gave itself."""

    model: WorkshopModel
    name: str = ""  # empty: "Team A" / "甲组" in the page's language

    def label(self, index: int, lang: str) -> str:
        """The team's name, or its default name in ``lang``."""
        return self.name.strip() or t(f"team_{index}", lang)


@dataclass
class Workshop:
    """The runs a room compares: one or more teams on the same scenario, seed and scale, stepped together.

    Teams share the seed, so at a given month they differ only by what the tables changed.
    """

    scenario: str = REFERENCE_SCENARIO
    seed: int = 0
    weight: float = DEFAULT_WEIGHT
    teams: list[Team] = field(default_factory=list)
    active: int = 0  # the team the levers and the budget panel edit

    def __post_init__(self):
        if not self.teams:
            self.teams = [Team(self._new_model())]

    def _new_model(self) -> WorkshopModel:
        return WorkshopModel(scenario=self.scenario, seed=self.seed, weight=self.weight)

    @property
    def model(self) -> WorkshopModel:
        """The active team's model."""
        return self.teams[self.active].model

    @property
    def t(self) -> int:
        """Months done (the same for every team)."""
        return self.teams[0].model.t

    @property
    def done(self) -> bool:
        """Whether December 2020 is reached."""
        return self.t >= self.teams[0].model.cfg.months

    def step(self) -> None:
        """One month for every team."""
        for team in self.teams:
            team.model.step()

    def run_to(self, t: int) -> None:
        """Run every team until ``t`` months are done."""
        for team in self.teams:
            team.model.run_to(t)

    def reset(self, scenario: str | None = None, seed: int | None = None) -> None:
        """Start again at 2016-01 (optionally with another scenario or seed); teams keep their names."""
        self.scenario = self.scenario if scenario is None else scenario
        self.seed = self.seed if seed is None else int(seed)
        for team in self.teams:
            team.model = self._new_model()

    def add_team(self) -> Team | None:
        """A new team at the month reached, on the scenario as written (None when the room is full)."""
        if len(self.teams) >= MAX_TEAMS:
            return None
        team = Team(self._new_model())
        team.model.run_to(self.t)
        self.teams.append(team)
        self.active = len(self.teams) - 1
        return team

    def remove_team(self, index: int) -> None:
        """Drop a team (the last one stays)."""
        if len(self.teams) > 1 and 0 <= index < len(self.teams):
            del self.teams[index]
            self.active = min(self.active, len(self.teams) - 1)
