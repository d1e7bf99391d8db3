"""The household credit rule as object-per-agent Mesa agents against the same rule over NumPy arrays.

Both versions run the same households (one population, drawn once from a fixed seed) for the same months:

* ``HouseholdAgent(mesa.Agent)``: one Python object per household with its attributes (kind, income, wealth,
  risk, trust, distance, literacy, station, file, rating, history, line, product, loan, months_left, npl,
  npl_months, defaults), stepped each month with ``model.agents.shuffle_do("step")`` and drawing with the
  model's ``self.random``;
* :func:`run_vectorised`: every household at once as columns (float32 like the model's), with full-length
  draws per month for default, renewal, income shock and need, then draws only for the rows that need them.

The rule mirrors the structure and parameters of the project's household rule (``household_credit``,
``loan_lifecycle``, ``household_pd`` and ``assess`` in ``sim.behaviour``); the vectorised version runs the
project's own compiled passes for the loan rows and the needs, and its row draws (``sim.streams``):

1. loan rows: an NPL ages and is written off after ``npl_months_to_write_off`` months; a performing loan
   defaults with the monthly equivalent of the household's true annual default probability
   ``pd_base x risk x (income / mean rural income)^-pd_income_elasticity x exp(pd_dsr_slope x (DSR -
   dsr_reference))`` (x ``unsecured_default_factor`` for unsecured loans; DSR = debt x (``farm_loan_rate`` +
   1 / ``amortisation_years``) / income), times ``income_shock_factor`` in a month with an income shock
   (``income_shock_rate`` a year); a default cancels the credit line and marks the history; otherwise the loan
   ages and, at maturity, is renewed if the household wishes (``p_renew``) and the bank's new assessment
   passes, or is repaid (a clean history);
2. rows without a loan have a need with the monthly equivalent of ``need_rate_farm``,
   ``need_rate_low_income`` (both times the farm season of the month) or ``need_rate_urban``;
3. with a credit line the household draws on it with ``p_use_line x (0.5 + trust)``: an unsecured
   small-credit loan, capped by the line, with no new assessment;
4. without one it applies at an outlet with ``p_apply_branch + distance_decay_per_km x distance +
   station_effect_on_credit_use x station + literacy_effect x (literacy - 0.5)``: a secured farm loan (rural)
   or urban loan; the bank approves it when its estimate of the default probability, the true one times
   ``exp(noise x z)`` (noise ``assessment_noise``, narrowed by ``file_information`` and
   ``rating_information``; times ``history_default_factor`` or ``history_repaid_factor``), is at most
   ``approval_pd_cutoff``, and the household's wealth at ``max_loan_to_value`` covers the loan;
5. disbursement: a lognormal size (sigma ``loan_size_sigma``) with the product's mean (``small_credit_size_mean``,
   ``farm_loan_size_mean``, ``urban_loan_size_mean``; ``low_income_loan_size`` for low-income households)
   times relative income to the power ``loan_size_income_elasticity``, for ``term_small_credit_months`` or
   ``term_farm_months``.

Left out, because they are levers, capacities or scenario effects rather than the rule's structure: housing
loans, price discounts, the low-income lever's reach, green labels, peers, the shared credit platform, the
managers' hours and the bank's funding room, new credit lines from campaigns, income growth. Parameters are
read from ``sim.load_config([])`` (``uncertainties``, and ``population`` for incomes and wealth) where the name
exists; otherwise the literal defaults in :data:`DEFAULTS`, :data:`FARM_SEASON` and :data:`POPULATION` are used
(the project's values when this was written). The script prints which fell back.

The times: each version first runs once, untimed, on 1,000 households (a process's one-time costs, such as
loading the compiled passes, are start-up and not a cost per household-month); then the timed runs alternate
between the versions, so that both see the same load, and the ratio is that of their mean times per
household-month.

The check: the share of households with a loan and the mean balance at the last month, and the defaults per
household-year, agree between the two versions within Monte Carlo error. Households do not interact in this
rule and the population is fixed, so each household's outcome is an independent draw: a mean's standard
error is the standard deviation over households and seeds divided by the square root of their number (an
upper bound, since it also counts the spread between households). The script prints each mean with that
standard error, the spread of the per-seed means, and z = difference / combined standard error, and exits
with status 1 if any |z| > 4.

    python benchmarks/mesa_objects.py                                # 100,000 households, 60 months, 3 seeds
    python benchmarks/mesa_objects.py --households 20000 --seeds 2   # quicker
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np
from scipy.special import ndtri

from sim.behaviour.credit import CAP_MARGIN, _age_and_run_down, _needs, _run_down
from sim.streams import row_keys, row_uniforms

F32 = np.float32
FARM, LOW_INCOME, URBAN = 0, 1, 2
NO_LOAN, SMALL_CREDIT, FARM_LOAN, URBAN_LOAN = 0, 1, 2, 3
UNSECURED = (False, True, False, False)  # by product code
NO_HISTORY, REPAID, DEFAULTED = 0, 1, 2

#: The rule's parameters by name: numbers, and ``farm_season`` (12 relative needs by calendar month).
Params = dict[str, Any]

#: Fallback values of the behavioural parameters the rule reads (the project's defaults when this was written).
DEFAULTS: dict[str, float] = {
    "need_rate_farm": 0.30,
    "need_rate_low_income": 0.25,
    "need_rate_urban": 0.04,
    "p_use_line": 0.85,
    "p_apply_branch": 0.50,
    "p_renew": 0.75,
    "p_line_given_rated": 0.88,
    "credit_line_mean": 150_000,
    "credit_line_cap": 300_000,
    "small_credit_size_mean": 80_000,
    "farm_loan_size_mean": 150_000,
    "low_income_loan_size": 40_000,
    "urban_loan_size_mean": 100_000,
    "loan_size_sigma": 0.5,
    "loan_size_income_elasticity": 0.5,
    "term_small_credit_months": 12,
    "term_farm_months": 24,
    "npl_months_to_write_off": 12,
    "station_effect_on_credit_use": 0.06,
    "distance_decay_per_km": -0.02,
    "literacy_effect": 0.20,
    "pd_base": 0.025,
    "pd_income_elasticity": 0.5,
    "pd_dsr_slope": 2.0,
    "dsr_reference": 0.5,
    "unsecured_default_factor": 1.3,
    "amortisation_years": 5.0,
    "farm_loan_rate": 0.075,
    "income_shock_rate": 0.05,
    "income_shock_factor": 5.0,
    "assessment_noise": 0.8,
    "file_information": 0.3,
    "rating_information": 0.4,
    "history_default_factor": 10.0,
    "history_repaid_factor": 0.8,
    "approval_pd_cutoff": 0.05,
    "max_loan_to_value": 0.7,
    "risk_sigma": 0.7,
}
#: Fallback of ``farm_season``: credit need of farm households by calendar month (scaled to mean 1 where used).
FARM_SEASON = (1.0, 1.4, 1.4, 1.2, 0.9, 0.8, 0.8, 0.8, 1.0, 1.0, 0.9, 1.0)
#: Population figures: read from ``sim.load_config([]).population`` where the name exists (the first eight),
#: else these literals; the rest (borrowers at the start by kind, rated shares, served by a station, distance)
#: belong to this benchmark.
POPULATION: dict[str, Any] = {
    "rural_share": 0.42,
    "low_income_share_rural": 0.07,
    "income_rural_2015": 55_440,
    "urban_rural_income_ratio": 2.04,
    "income_sigma": 0.6,
    "wealth_income_ratio": 8.0,
    "wealth_sigma": 0.8,
    "literacy_mean": 0.45,
    "file_rate": (0.55, 0.55, 0.15),
    "borrower_share": (0.30, 0.10, 0.02),
    "rated_share": (0.55, 0.40, 0.15),
    "station_share_rural": 0.20,
    "distance_median_km": 4.0,
}
_FROM_POPULATION_CONFIG = ("rural_share", "low_income_share_rural", "income_rural_2015", "urban_rural_income_ratio",
                           "income_sigma", "wealth_income_ratio", "wealth_sigma", "literacy_mean")


def monthly_probability(annual: float | np.ndarray) -> float | np.ndarray:
    """The monthly probability equivalent to an annual one (constant hazard)."""
    return 1.0 - np.power(1.0 - np.clip(annual, 0.0, 1.0), 1.0 / 12.0)


def _number(obj: object, name: str) -> float | None:
    value = getattr(obj, name, None)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def load_parameters() -> tuple[Params, list[str]]:
    """The rule's parameters: the project's configured values where the name exists, else the literal defaults.

    Returns:
        The parameters by name (population figures under ``pop``), and the names that fell back.
    """
    try:
        import sim

        cfg = sim.load_config([])
        u, pop_cfg = cfg.uncertainties, cfg.population
    except Exception:  # the benchmark runs whatever state the model's code is in
        u = pop_cfg = None
    params: Params = {}
    fallback = []
    for name, default in DEFAULTS.items():
        value = _number(u, name)
        params[name] = default if value is None else value
        if value is None:
            fallback.append(name)
    season = getattr(u, "farm_season", None)
    try:
        params["farm_season"] = tuple(float(x) for x in season)
        if len(params["farm_season"]) != 12:
            raise ValueError
    except (TypeError, ValueError):
        params["farm_season"] = FARM_SEASON
        fallback.append("farm_season")
    pop = dict(POPULATION)
    for name in _FROM_POPULATION_CONFIG:
        value = _number(pop_cfg, name)
        if value is None:
            fallback.append("population." + name)
        else:
            pop[name] = value
    params["pop"] = pop
    return params, fallback


@dataclass
class Tables:
    """What both versions look up, computed once from the parameters."""

    need: np.ndarray  # monthly need probability by [calendar month, kind]
    term: np.ndarray  # months by product code
    size_mean: np.ndarray  # loan size mean by [kind, product code]
    shock: float  # monthly probability of an income shock
    service: float  # yearly debt service per CNY of debt

    @classmethod
    def from_parameters(cls, p: Params) -> Tables:
        """Build the tables from the parameters."""
        season = np.asarray(p["farm_season"], dtype=float)
        season = season / season.mean()
        need = np.stack([monthly_probability(np.array([p["need_rate_farm"] * s, p["need_rate_low_income"] * s,
                                                       p["need_rate_urban"]])) for s in season])
        term = np.zeros(4, np.int16)
        term[[SMALL_CREDIT, URBAN_LOAN]] = int(p["term_small_credit_months"])
        term[FARM_LOAN] = int(p["term_farm_months"])
        size_mean = np.zeros((3, 4))
        size_mean[:, SMALL_CREDIT] = p["small_credit_size_mean"]
        size_mean[:, FARM_LOAN] = p["farm_loan_size_mean"]
        size_mean[:, URBAN_LOAN] = p["urban_loan_size_mean"]
        size_mean[LOW_INCOME, :] = p["low_income_loan_size"]
        return cls(need.astype(F32), term, size_mean, float(monthly_probability(p["income_shock_rate"])),
                   p["farm_loan_rate"] + 1.0 / p["amortisation_years"])


def make_population(n: int, p: Params, seed: int = 20151231) -> dict[str, np.ndarray]:
    """The households at the start: kinds, attributes, credit lines and an initial loan book.

    Args:
        n: number of households.
        p: the rule's parameters (credit line and loan sizes, terms, population figures under ``pop``).
        seed: seed of the population (the same households for every behaviour seed and both versions).

    Returns:
        Columns by name, one row per household.
    """
    rng = np.random.default_rng(seed)
    pop = p["pop"]
    rural = rng.random(n) < pop["rural_share"]
    kind = np.where(rural, np.where(rng.random(n) < pop["low_income_share_rural"], LOW_INCOME, FARM), URBAN)
    kind = kind.astype(np.int8)
    sigma = pop["income_sigma"]
    mean_income = pop["income_rural_2015"] * np.where(rural, 1.0, pop["urban_rural_income_ratio"])
    income = (mean_income * rng.lognormal(-sigma**2 / 2, sigma, n)).astype(F32)  # CNY a year
    ws = pop["wealth_sigma"]
    wealth = (income * pop["wealth_income_ratio"] * rng.lognormal(-ws**2 / 2, ws, n)).astype(F32)
    rs = p["risk_sigma"]
    risk = rng.lognormal(-rs**2 / 2, rs, n).astype(F32)  # own default propensity, mean 1
    trust = rng.beta(5, 5, n).astype(F32)
    distance = (pop["distance_median_km"] * rng.lognormal(0, 0.6, n) * np.where(rural, 1.0, 0.3)).astype(F32)
    a = 10.0
    literacy = rng.beta(a * pop["literacy_mean"], a * (1 - pop["literacy_mean"]), n).astype(F32)
    station = rural & (rng.random(n) < pop["station_share_rural"])
    has_file = rng.random(n) < np.asarray(pop["file_rate"])[kind]
    rated = rng.random(n) < np.asarray(pop["rated_share"])[kind]
    has_line = rated & (rng.random(n) < p["p_line_given_rated"])
    line_size = p["credit_line_mean"] * rng.lognormal(-0.5**2 / 2, 0.5, n)
    line = np.where(has_line, np.minimum(line_size, p["credit_line_cap"]), 0.0).astype(F32)
    borrower = rng.random(n) < np.asarray(pop["borrower_share"])[kind]
    product = np.where(has_line, SMALL_CREDIT, np.where(kind == URBAN, URBAN_LOAN, FARM_LOAN))
    product = np.where(borrower, product, NO_LOAN).astype(np.int8)
    tables = Tables.from_parameters(p)
    rel = np.maximum(income / pop["income_rural_2015"], 0.05)
    mean = tables.size_mean[kind, product] * rel ** p["loan_size_income_elasticity"]
    s = p["loan_size_sigma"]
    loan = np.where(borrower, mean * rng.lognormal(-s**2 / 2, s, n), 0.0).astype(F32)
    loan = np.where(product == SMALL_CREDIT, np.minimum(loan, line), loan).astype(F32)
    term = tables.term[product]
    months_left = np.where(borrower, rng.integers(1, np.maximum(term, 1) + 1), 0).astype(np.int16)
    return {"kind": kind, "income": income, "wealth": wealth, "risk": risk, "trust": trust, "distance": distance,
            "literacy": literacy, "station": station, "has_file": has_file, "rated": rated,
            "history": np.zeros(n, np.int8), "line": line, "product": product, "loan": loan,
            "months_left": months_left, "npl": np.zeros(n, bool), "npl_months": np.zeros(n, np.int16),
            "defaults": np.zeros(n, np.int16)}


def outcomes(product: np.ndarray, loan: np.ndarray, defaults: np.ndarray, years: float) -> np.ndarray:
    """Per-household outcomes compared between the versions: has a loan, balance (CNY), defaults per year."""
    return np.stack([(product != NO_LOAN).astype(float), loan.astype(float), defaults.astype(float) / years])


OUTCOMES = ("share with a loan", "mean balance (CNY)", "defaults per household-year")


# ------------------------------------------------------------------ object per agent (classic Mesa)
class HouseholdAgent(mesa.Agent):
    """One household as a Mesa agent: its attributes and its monthly credit rule in :meth:`step`."""

    def __init__(self, model: CreditModel, **attrs: Any) -> None:
        super().__init__(model)
        self.kind: int = attrs["kind"]
        self.income: float = attrs["income"]
        self.wealth: float = attrs["wealth"]
        self.risk: float = attrs["risk"]
        self.trust: float = attrs["trust"]
        self.distance: float = attrs["distance"]
        self.literacy: float = attrs["literacy"]
        self.station: bool = attrs["station"]
        self.has_file: bool = attrs["has_file"]
        self.rated: bool = attrs["rated"]
        self.history: int = attrs["history"]
        self.line: float = attrs["line"]
        self.product: int = attrs["product"]
        self.loan: float = attrs["loan"]
        self.months_left: int = attrs["months_left"]
        self.npl: bool = attrs["npl"]
        self.npl_months: int = attrs["npl_months"]
        self.defaults: int = attrs["defaults"]

    def close(self) -> None:
        """Repaid or written off: no loan any more."""
        self.product = NO_LOAN
        self.loan = 0.0
        self.months_left = 0
        self.npl = False
        self.npl_months = 0

    def true_pd(self, debt: float, product: int) -> float:
        """The household's true annual default probability carrying ``debt`` on ``product``."""
        m = self.model
        rel = max(self.income / m.income_rural, 0.05)
        dsr = debt * m.service / max(self.income, 1.0)
        pd = m.pd_base * self.risk * rel ** -m.pd_income_elasticity * math.exp(m.pd_dsr_slope * (dsr - m.dsr_ref))
        if UNSECURED[product]:
            pd *= m.unsecured_factor
        return min(pd, 0.95)

    def assessed(self, debt: float, product: int) -> bool:
        """The bank's assessment: its noisy estimate of the default probability against the cut-off."""
        m = self.model
        noise = m.noise * (m.file_keep if self.has_file else 1.0) * (m.rating_keep if self.rated else 1.0)
        est = self.true_pd(debt, product) * math.exp(noise * self.random.gauss(0.0, 1.0))
        if self.history == DEFAULTED:
            est *= m.history_default
        elif self.history == REPAID:
            est *= m.history_repaid
        return est <= m.cutoff

    def step(self) -> None:
        """One month: default, or mature and renew or repay; then a need, and a loan if it is met."""
        m = self.model
        if self.product != NO_LOAN:
            if self.npl:
                self.npl_months += 1
                if self.npl_months >= m.write_off_months:
                    self.close()
            else:
                hazard = 1.0 - (1.0 - self.true_pd(self.loan, self.product)) ** (1.0 / 12.0)
                if self.random.random() < m.shock:
                    hazard = min(1.0, hazard * m.shock_factor)
                if self.random.random() < hazard:
                    self.npl = True
                    self.npl_months = 0
                    self.line = 0.0
                    self.history = DEFAULTED
                    self.defaults += 1
                else:
                    self.months_left -= 1
                    if self.months_left <= 0:
                        if self.random.random() < m.p_renew and self.assessed(self.loan, self.product):
                            self.months_left = m.term[self.product]
                        else:
                            self.history = REPAID
                            self.close()
        if self.product == NO_LOAN and self.random.random() < m.need[self.kind]:
            self.seek_credit()

    def seek_credit(self) -> None:
        """A need: draw on the credit line, or apply at an outlet and be assessed; then disbursement."""
        m = self.model
        u = self.random.random()
        if self.line > 0:
            if u >= min(1.0, m.p_use_line * (0.5 + self.trust)):
                return
            product = SMALL_CREDIT
        else:
            access = (m.p_apply_branch + m.distance_decay * self.distance + m.station_effect * self.station
                      + m.literacy_effect * (self.literacy - 0.5))
            if u >= min(1.0, max(0.0, access)):
                return
            product = URBAN_LOAN if self.kind == URBAN else FARM_LOAN
        rel = max(self.income / m.income_rural, 0.05)
        mean = m.size_mean[self.kind][product] * rel**m.size_income_elasticity
        size = self.random.lognormvariate(math.log(mean) - m.sigma**2 / 2, m.sigma)
        if product == SMALL_CREDIT:
            size = min(size, self.line)
        elif not (self.assessed(size, product) and self.wealth * m.max_ltv >= size):
            return
        self.product = product
        self.loan = size
        self.months_left = m.term[product]


class CreditModel(mesa.Model):
    """The households as Mesa agents; each month activates them in random order with ``shuffle_do``."""

    def __init__(self, population: dict[str, np.ndarray], params: Params, rng: int = 0) -> None:
        super().__init__(rng=rng)
        p, tables = params, Tables.from_parameters(params)
        # plain Python numbers and lists: what an agent reads each step costs no NumPy scalar conversion
        self.need_by_month = tables.need.tolist()
        self.need = self.need_by_month[0]
        self.term = tables.term.tolist()
        self.size_mean = tables.size_mean.tolist()
        self.shock, self.service = tables.shock, tables.service
        self.shock_factor = p["income_shock_factor"]
        self.p_renew = p["p_renew"]
        self.p_use_line = p["p_use_line"]
        self.p_apply_branch = p["p_apply_branch"]
        self.distance_decay = p["distance_decay_per_km"]
        self.station_effect = p["station_effect_on_credit_use"]
        self.literacy_effect = p["literacy_effect"]
        self.sigma = p["loan_size_sigma"]
        self.size_income_elasticity = p["loan_size_income_elasticity"]
        self.write_off_months = int(p["npl_months_to_write_off"])
        self.income_rural = p["pop"]["income_rural_2015"]
        self.pd_base, self.pd_income_elasticity = p["pd_base"], p["pd_income_elasticity"]
        self.pd_dsr_slope, self.dsr_ref = p["pd_dsr_slope"], p["dsr_reference"]
        self.unsecured_factor = p["unsecured_default_factor"]
        self.noise = p["assessment_noise"]
        self.file_keep, self.rating_keep = 1.0 - p["file_information"], 1.0 - p["rating_information"]
        self.history_default, self.history_repaid = p["history_default_factor"], p["history_repaid_factor"]
        self.cutoff, self.max_ltv = p["approval_pd_cutoff"], p["max_loan_to_value"]
        self.month = 0
        columns = {k: v.tolist() for k, v in population.items()}
        for i in range(len(columns["kind"])):
            HouseholdAgent(self, **{k: col[i] for k, col in columns.items()})

    def step(self) -> None:
        """One month: the month's need table, then every household in random order."""
        self.need = self.need_by_month[self.month % 12]
        self.agents.shuffle_do("step")
        self.month += 1

    def outcomes(self, years: float) -> np.ndarray:
        """Per-household outcomes (see :func:`outcomes`)."""
        agents = self.agents
        return outcomes(np.array(agents.get("product")), np.array(agents.get("loan")),
                        np.array(agents.get("defaults")), years)


def run_mesa(population: dict[str, np.ndarray], params: Params, months: int,
             seed: int) -> tuple[np.ndarray, float, float, float]:
    """Build the Mesa model and run it.

    Returns:
        Per-household outcomes, build seconds, seconds for the months and CPU seconds for the months.
    """
    t0 = time.perf_counter()
    model = CreditModel(population, params, rng=seed)
    t_build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(months):
        model.step()
    t_run, c_run = time.perf_counter() - t0, time.process_time() - c0
    return model.outcomes(months / 12), t_build, t_run, c_run


# ------------------------------------------------------------------ the same rule over arrays
def run_vectorised(population: dict[str, np.ndarray], params: Params, months: int,
                   seed: int) -> tuple[np.ndarray, float, float, float]:
    """The household credit rule over all rows at once, mirroring the structure of sim's household rule.

    As the project does, with the project's compiled passes (``sim.behaviour.credit``): one pass ages the
    arrears and finds the performing loans, NumPy computes their default probabilities, a second pass draws
    defaults, income shocks and renewal wishes per loan row, a third draws the needs of the rows without a
    loan; every draw is a hash of (seed, stream, month, row) (``sim.streams``), made only for the rows that use
    it. No Python loop touches a household.

    Args:
        population: the columns from :func:`make_population` (copied, not changed).
        params: the rule's parameters.
        months: number of months.
        seed: seed of the behaviour's draws.

    Returns:
        Per-household outcomes, build seconds, seconds for the months and CPU seconds for the months.
    """
    t0 = time.perf_counter()
    p = params
    c = {k: v.copy() for k, v in population.items()}
    kind, product, loan, line, history = c["kind"], c["product"], c["loan"], c["line"], c["history"]
    months_left, npl, npl_months, defaults = c["months_left"], c["npl"], c["npl_months"], c["defaults"]
    tb = Tables.from_parameters(p)
    size_mean = tb.size_mean.astype(F32)
    unsecured_by_product = np.array(UNSECURED)
    write_off, p_renew, sigma = int(p["npl_months_to_write_off"]), F32(p["p_renew"]), p["loan_size_sigma"]
    # what does not change during the run, per row: the debt-free part of the default probability, the bank's
    # noise, the part of the debt service ratio per CNY of debt, the relative income's effect on loan size
    income = c["income"]
    rel = np.maximum(income / F32(p["pop"]["income_rural_2015"]), F32(0.05))
    pd_row = (p["pd_base"] * c["risk"] * rel ** -p["pd_income_elasticity"]).astype(F32)
    dsr_per_cny = (tb.service / np.maximum(income, F32(1.0))).astype(F32)
    noise_row = (p["assessment_noise"] * np.where(c["has_file"], 1 - p["file_information"], 1.0)
                 * np.where(c["rated"], 1 - p["rating_information"], 1.0)).astype(F32)
    size_rel = (rel ** p["loan_size_income_elasticity"]).astype(F32)
    history_factor = np.array([1.0, p["history_repaid_factor"], p["history_default_factor"]], dtype=F32)
    access_all = np.clip(p["p_apply_branch"] + p["distance_decay_per_km"] * c["distance"]
                         + p["station_effect_on_credit_use"] * c["station"]
                         + p["literacy_effect"] * (c["literacy"] - F32(0.5)), 0, 1).astype(F32)
    p_line_all = np.clip(p["p_use_line"] * (F32(0.5) + c["trust"]), 0, 1).astype(F32)
    slope, ref = F32(p["pd_dsr_slope"]), F32(p["dsr_reference"])
    unsecured_f, cutoff = F32(p["unsecured_default_factor"]), F32(p["approval_pd_cutoff"])
    t_build = time.perf_counter() - t0

    def true_pd(rows: np.ndarray, debt: np.ndarray, prod: np.ndarray) -> np.ndarray:
        pd = pd_row[rows] * np.exp(slope * (debt * dsr_per_cny[rows] - ref))
        return np.minimum(np.where(unsecured_by_product[prod], pd * unsecured_f, pd), F32(0.95))

    def assessed(rows: np.ndarray, debt: np.ndarray, prod: np.ndarray, u: np.ndarray) -> np.ndarray:
        z = ndtri(np.clip(u, 1e-7, 1 - 1e-7)).astype(F32)
        est = true_pd(rows, debt, prod) * np.exp(noise_row[rows] * z) * history_factor[history[rows]]
        return est <= cutoff

    # a loan's cap on its monthly hazard (0: unknown), as the model keeps it: here a loan's hazard holds
    hazard_cap = np.zeros(product.size, F32)

    def close(rows: np.ndarray) -> None:
        product[rows] = NO_LOAN
        loan[rows] = 0
        months_left[rows] = 0
        npl[rows] = False
        npl_months[rows] = 0
        hazard_cap[rows] = 0

    t0, c0 = time.perf_counter(), time.process_time()
    root = np.random.SeedSequence(seed)
    shock, factor = F32(tb.shock), F32(p["income_shock_factor"])
    for t in range(months):
        keys = row_keys(root, 0, t, 7)  # 0-2 the need's rows, 3-5 the loan's life, 6 the need
        # 1. loan rows: NPLs age and are written off; performing loans default, or age, mature, renew or repay
        # (those whose draw clears their hazard's cap in the first pass, the others with their exact hazard)
        written, near, wish, repaid = _age_and_run_down(np.flatnonzero(product), npl, npl_months, write_off,
                                                        hazard_cap, True, months_left, keys[3:6], shock, factor,
                                                        p_renew)
        close(written)
        hazard = (1 - (1 - true_pd(near, loan[near], product[near])) ** F32(1 / 12)).astype(F32)
        hazard_cap[near] = hazard * CAP_MARGIN[0] + CAP_MARGIN[1]
        default, wish_near, repaid_near = _run_down(near, hazard, npl, npl_months, months_left, history,
                                                    keys[3:6], shock, factor, p_renew)
        wish = np.sort(np.concatenate([wish, wish_near]), kind="stable")
        repaid = np.concatenate([repaid, repaid_near])
        line[default] = 0
        defaults[default] += 1
        ok = assessed(wish, loan[wish], product[wish], row_uniforms(root, 1, t, wish, 1)[0])
        renew = wish[ok]
        months_left[renew] = tb.term[product[renew]]
        repaid = np.union1d(repaid, wish[~ok])
        history[repaid] = REPAID
        close(repaid)
        # 2. need among rows without a loan: one compiled pass drawing only for those rows
        idx, _ = _needs(0, product.size, product, kind, tb.need[t % 12].astype(F32), keys[6])
        ds = row_uniforms(root, 0, t, idx, 3)  # take-up, assessment, size
        k, has_line = kind[idx], line[idx] > 0
        # 3-4. draw on the line, or apply; then the size, and the assessment of applications
        take_line = has_line & (ds[0] < p_line_all[idx])
        apply = ~has_line & (ds[0] < access_all[idx])
        prod = np.where(take_line, SMALL_CREDIT, np.where(apply, np.where(k == URBAN, URBAN_LOAN, FARM_LOAN),
                                                          NO_LOAN)).astype(np.int8)
        z = ndtri(np.clip(ds[2], 1e-7, 1 - 1e-7))
        size = (size_mean[k, prod] * size_rel[idx] * np.exp(-sigma**2 / 2 + sigma * z)).astype(F32)
        size = np.where(take_line, np.minimum(size, line[idx]), size)
        approved = apply & assessed(idx, size, prod, ds[1]) & (c["wealth"][idx] * F32(p["max_loan_to_value"]) >= size)
        got = take_line | approved
        # 5. disbursement
        new, prod = idx[got], prod[got]
        product[new] = prod
        loan[new] = size[got]
        months_left[new] = tb.term[prod]
    t_run, c_run = time.perf_counter() - t0, time.process_time() - c0
    return outcomes(product, loan, defaults, months / 12), t_build, t_run, c_run


# ------------------------------------------------------------------ comparison
@dataclass
class Runs:
    """Per-household outcomes and times of one version over several seeds."""

    name: str
    outcomes: list[np.ndarray]
    build: list[float]
    run: list[float]
    cpu: list[float]

    def mean_se(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Means over households and seeds, their standard errors, and the spread of the per-seed means."""
        x = np.concatenate(self.outcomes, axis=1)
        per_seed = np.array([o.mean(axis=1) for o in self.outcomes])
        spread = per_seed.std(axis=0, ddof=1) if len(self.outcomes) > 1 else np.full(x.shape[0], np.nan)
        return x.mean(axis=1), x.std(axis=1, ddof=1) / math.sqrt(x.shape[1]), spread


def run_one(runs: Runs, fn: Callable[..., tuple[np.ndarray, float, float, float]], population: dict[str, np.ndarray],
            params: Params, months: int, seed: int) -> None:
    """Run one version for one seed, record its outcomes and times, and print the times."""
    out, t_build, t_run, c_run = fn(population, params, months, seed)
    runs.outcomes.append(out)
    runs.build.append(t_build)
    runs.run.append(t_run)
    runs.cpu.append(c_run)
    n = population["kind"].size
    print(f"  {runs.name:<11} seed {seed:>4}: build {t_build:7.3f} s  {months} months {t_run:8.3f} s, "
          f"CPU {c_run:8.3f} s ({t_run / (n * months) * 1e9:8.1f} ns per household-month)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000, help="households (default %(default)s)")
    parser.add_argument("--months", type=int, default=60, help="months (default %(default)s)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds of the Mesa version (default %(default)s)")
    parser.add_argument("--vector-seeds", type=int, default=None,
                        help="seeds of the vectorised version (default: 10, at least --seeds)")
    args = parser.parse_args()
    vector_seeds = args.vector_seeds or max(10, args.seeds)

    params, fallback = load_parameters()
    print("parameters: from sim.load_config([])"
          + (f"; literal defaults for: {', '.join(fallback)}" if fallback else ", every one"))
    population = make_population(args.households, params)
    n, months = args.households, args.months
    print(f"{n:,} households x {months} months; Mesa {mesa.__version__}, NumPy {np.__version__}")
    # one untimed run of each on a few households first: the process's one-time costs (loading the compiled
    # passes, about 0.2 s, and Python's first calls) are start-up, like imports, not a cost per household-month
    small = make_population(min(n, 1_000), params)
    run_vectorised(small, params, 2, 999)
    run_mesa(small, params, 2, 999)
    print("warm-up: one untimed 2-month run of each version on 1,000 households")
    # interleaved, so that both versions see the same load on a shared machine
    vec, obj = Runs("vectorised", [], [], [], []), Runs("Mesa agents", [], [], [], [])
    for i in range(max(vector_seeds, args.seeds)):
        if i < vector_seeds:
            run_one(vec, run_vectorised, population, params, months, 1000 + i)
        if i < args.seeds:
            run_one(obj, run_mesa, population, params, months, i)

    hm = n * months
    t_obj, t_vec = sum(obj.run) / (len(obj.run) * hm), sum(vec.run) / (len(vec.run) * hm)
    c_obj, c_vec = sum(obj.cpu) / (len(obj.cpu) * hm), sum(vec.cpu) / (len(vec.cpu) * hm)
    print(f"\nMesa agents (shuffle_do): {t_obj * 1e6:.3f} µs per household-month, CPU {c_obj * 1e6:.3f} µs "
          f"(build {np.mean(obj.build):.2f} s for {n:,} agents)")
    print(f"vectorised (compiled):    {t_vec * 1e9:.1f} ns per household-month, CPU {c_vec * 1e9:.1f} ns")
    print(f"ratio: vectorised is {t_obj / t_vec:,.0f}x faster (CPU time: {c_obj / c_vec:,.0f}x; goal >= 100x)\n")

    (m_obj, se_obj, sp_obj), (m_vec, se_vec, sp_vec) = obj.mean_se(), vec.mean_se()
    print(f"at month {months}, mean ± standard error (spread of per-seed means):")
    head_obj, head_vec = f"Mesa agents ({args.seeds} seeds)", f"vectorised ({vector_seeds} seeds)"
    print(f"{'':<28}{head_obj:>34}{head_vec:>34}{'z':>8}")
    worst = 0.0
    for i, label in enumerate(OUTCOMES):
        z = (m_obj[i] - m_vec[i]) / math.sqrt(se_obj[i] ** 2 + se_vec[i] ** 2)
        worst = max(worst, abs(z))
        cell_obj = f"{m_obj[i]:.5g} ± {se_obj[i]:.2g} ({sp_obj[i]:.2g})"
        cell_vec = f"{m_vec[i]:.5g} ± {se_vec[i]:.2g} ({sp_vec[i]:.2g})"
        print(f"{label:<28}{cell_obj:>34}{cell_vec:>34}{z:8.2f}")
    ok = worst <= 4
    print(f"largest |z| = {worst:.2f}: " + ("the two agree within Monte Carlo error" if ok else "MISMATCH (|z| > 4)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
