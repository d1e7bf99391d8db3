"""The household credit rule as object-per-agent Mesa agents against the same rule over NumPy arrays.

Both versions run the same households (one population, drawn once from a fixed seed) for the same months:

* ``HouseholdAgent(mesa.Agent)``: one Python object per household with its attributes (kind, income, trust,
  distance, literacy, station, rated, line, product, loan, months_left, npl, npl_months, defaults), stepped
  each month with ``model.agents.shuffle_do("step")`` and drawing with the model's ``self.random``;
* :func:`run_vectorised`: every household at once as columns (float32 like the model's), with full-length
  draws per month for default, renewal and need, then draws only for the rows with a need.

The rule mirrors the structure and parameters of the project's household rule (``household_credit`` and
``loan_lifecycle`` in ``sim.behaviour``) without importing it, so that this benchmark does not depend on
how the model's code is organised:

1. loan rows: an NPL ages and is written off after ``npl_months_to_write_off`` months; a performing loan
   defaults with the monthly equivalent of ``annual_default_probability`` (x ``low_income_default_factor``
   for low-income households, x ``rated_default_factor`` for rated ones), which also cancels the credit line;
   otherwise it ages and, at maturity, is renewed for a new term with ``p_renew`` or repaid and closed;
2. rows without a loan have a need with the monthly equivalent of ``need_rate_farm``,
   ``need_rate_low_income`` (both times the farm season of the month) or ``need_rate_urban``;
3. with a credit line the household draws on it with ``p_use_line x (0.5 + trust)``: a small-credit loan,
   capped by the line;
4. without one it applies at an outlet with ``p_apply_branch + distance_decay_per_km x distance +
   station_effect_on_credit_use x station + literacy_effect x (literacy - 0.5)`` and is approved with
   ``p_approve_low_income`` (low-income households) or ``p_approve_secured``: a farm loan (rural) or a
   worker loan (urban);
5. disbursement: a lognormal size (sigma ``loan_size_sigma``) with the product's mean (``small_credit_size_mean``,
   ``farm_loan_size_mean``, ``worker_loan_size``; ``low_income_loan_size`` for low-income households) times the
   household's relative income, for ``term_small_credit_months`` or ``term_farm_months``.

Left out, because they are levers or scenario effects, not the rule's structure: housing loans, price
discounts, the low-income lever's reach, green labels, new credit lines from campaigns, manager visits.
Parameters (and ``farm_season``) are read from ``sim.load_config([]).uncertainties`` where the name exists;
otherwise the literal defaults in :data:`DEFAULTS` and :data:`FARM_SEASON` are used (the project's values when
this was written).

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

F32 = np.float32
FARM, LOW_INCOME, URBAN = 0, 1, 2
NO_LOAN, SMALL_CREDIT, FARM_LOAN, WORKER_LOAN = 0, 1, 2, 4
YEARS = 5

#: The rule's parameters by name: numbers, and ``farm_season`` (12 relative needs by calendar month).
Params = dict[str, Any]

#: Fallback values of the parameters the rule reads (the project's defaults when this was written).
DEFAULTS: dict[str, float] = {
    "need_rate_farm": 0.30,
    "need_rate_low_income": 0.25,
    "need_rate_urban": 0.04,
    "p_use_line": 0.85,
    "p_apply_branch": 0.50,
    "p_approve_secured": 0.60,
    "p_approve_low_income": 0.30,
    "p_renew": 0.75,
    "p_line_given_rated": 0.88,
    "credit_line_mean": 150_000,
    "credit_line_cap": 300_000,
    "small_credit_size_mean": 80_000,
    "farm_loan_size_mean": 150_000,
    "low_income_loan_size": 40_000,
    "worker_loan_size": 50_000,
    "loan_size_sigma": 0.5,
    "term_small_credit_months": 12,
    "term_farm_months": 24,
    "annual_default_probability": 0.010,
    "low_income_default_factor": 1.5,
    "rated_default_factor": 0.8,
    "npl_months_to_write_off": 12,
    "station_effect_on_credit_use": 0.06,
    "distance_decay_per_km": -0.02,
    "literacy_effect": 0.20,
}
#: Fallback of ``farm_season``: credit need of farm households by calendar month (scaled to mean 1 where used).
FARM_SEASON = (1.0, 1.4, 1.4, 1.2, 0.9, 0.8, 0.8, 0.8, 1.0, 1.0, 0.9, 1.0)
#: Population shares (the project's population config when this was written): rural share of households,
#: low-income share of rural ones, borrowers at the start by kind, rated shares, served by a station.
POPULATION = {
    "rural_share": 0.42,
    "low_income_share_rural": 0.07,
    "borrower_share": (0.30, 0.10, 0.02),
    "rated_share": (0.55, 0.40, 0.15),
    "station_share_rural": 0.20,
    "distance_median_km": 4.0,
    "income_sigma": 0.6,
    "literacy_mean": 0.45,
}


def monthly_probability(annual: float | np.ndarray) -> float | np.ndarray:
    """The monthly probability equivalent to an annual one (constant hazard)."""
    return 1.0 - np.power(1.0 - np.clip(annual, 0.0, 1.0), 1.0 / 12.0)


def load_parameters() -> tuple[Params, list[str]]:
    """The rule's parameters: the project's configured values where the name exists, else :data:`DEFAULTS`.

    Returns:
        The parameters by name, and the names that fell back to the literal defaults.
    """
    try:
        import sim

        u = sim.load_config([]).uncertainties
    except Exception:  # the benchmark runs whatever state the model's code is in
        u = None
    params, fallback = {}, []
    for name, default in DEFAULTS.items():
        value = getattr(u, name, None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            params[name] = float(value)
        else:
            params[name] = float(default)
            fallback.append(name)
    season = getattr(u, "farm_season", None)
    try:
        params["farm_season"] = tuple(float(x) for x in season)
        if len(params["farm_season"]) != 12:
            raise ValueError
    except (TypeError, ValueError):
        params["farm_season"] = FARM_SEASON
        fallback.append("farm_season")
    return params, fallback


@dataclass
class Tables:
    """What both versions look up each month, computed once from the parameters."""

    pd: np.ndarray  # monthly default probability by [rated, kind]
    need: np.ndarray  # monthly need probability by [calendar month, kind]
    term: np.ndarray  # months by product code
    size_mean: np.ndarray  # loan size mean by [kind, product code]
    approve: np.ndarray  # approval probability by kind

    @classmethod
    def from_parameters(cls, p: Params) -> Tables:
        """Build the tables from the parameters."""
        pd_kind = np.array([1.0, p["low_income_default_factor"], 1.0]) * p["annual_default_probability"]
        pd = monthly_probability(np.stack([pd_kind, pd_kind * p["rated_default_factor"]]))
        season = np.asarray(p["farm_season"], dtype=float)
        season = season / season.mean()
        need = np.stack([monthly_probability(np.array([p["need_rate_farm"] * s, p["need_rate_low_income"] * s,
                                                       p["need_rate_urban"]])) for s in season])
        term = np.zeros(5, np.int16)
        term[[SMALL_CREDIT, WORKER_LOAN]] = int(p["term_small_credit_months"])
        term[FARM_LOAN] = int(p["term_farm_months"])
        size_mean = np.zeros((3, 5))
        size_mean[:, SMALL_CREDIT] = p["small_credit_size_mean"]
        size_mean[:, FARM_LOAN] = p["farm_loan_size_mean"]
        size_mean[:, WORKER_LOAN] = p["worker_loan_size"]
        size_mean[LOW_INCOME, :] = p["low_income_loan_size"]
        approve = np.array([p["p_approve_secured"], p["p_approve_low_income"], p["p_approve_secured"]])
        return cls(pd.astype(F32), need.astype(F32), term, size_mean, approve.astype(F32))


def make_population(n: int, p: Params, seed: int = 20151231) -> dict[str, np.ndarray]:
    """The households at the start: kinds, attributes, credit lines and an initial loan book.

    Args:
        n: number of households.
        p: the rule's parameters (credit line sizes, terms, default tables).
        seed: seed of the population (the same households for every behaviour seed and both versions).

    Returns:
        Columns by name, one row per household.
    """
    rng = np.random.default_rng(seed)
    pop = POPULATION
    rural = rng.random(n) < pop["rural_share"]
    kind = np.where(rural, np.where(rng.random(n) < pop["low_income_share_rural"], LOW_INCOME, FARM), URBAN)
    kind = kind.astype(np.int8)
    sigma = pop["income_sigma"]
    income = rng.lognormal(-sigma**2 / 2, sigma, n).astype(F32)  # relative income, mean 1
    trust = rng.beta(5, 5, n).astype(F32)
    distance = (pop["distance_median_km"] * rng.lognormal(0, 0.6, n) * np.where(rural, 1.0, 0.3)).astype(F32)
    a = 10.0
    literacy = rng.beta(a * pop["literacy_mean"], a * (1 - pop["literacy_mean"]), n).astype(F32)
    station = rural & (rng.random(n) < pop["station_share_rural"])
    rated = rng.random(n) < np.asarray(pop["rated_share"])[kind]
    has_line = rated & (rng.random(n) < p["p_line_given_rated"])
    line_size = p["credit_line_mean"] * rng.lognormal(-0.5**2 / 2, 0.5, n)
    line = np.where(has_line, np.minimum(line_size, p["credit_line_cap"]), 0.0).astype(F32)
    borrower = rng.random(n) < np.asarray(pop["borrower_share"])[kind]
    product = np.where(has_line, SMALL_CREDIT, np.where(kind == URBAN, WORKER_LOAN, FARM_LOAN))
    product = np.where(borrower, product, NO_LOAN).astype(np.int8)
    tables = Tables.from_parameters(p)
    mean = tables.size_mean[kind, product] * income
    s = p["loan_size_sigma"]
    loan = np.where(borrower, mean * rng.lognormal(-s**2 / 2, s, n), 0.0).astype(F32)
    loan = np.where(product == SMALL_CREDIT, np.minimum(loan, line), loan).astype(F32)
    term = tables.term[product]
    months_left = np.where(borrower, rng.integers(1, np.maximum(term, 1) + 1), 0).astype(np.int16)
    return {"kind": kind, "income": income, "trust": trust, "distance": distance, "literacy": literacy,
            "station": station, "rated": rated, "line": line, "product": product, "loan": loan,
            "months_left": months_left, "npl": np.zeros(n, bool), "npl_months": np.zeros(n, np.int16),
            "defaults": np.zeros(n, np.int16)}


def outcomes(product: np.ndarray, loan: np.ndarray, defaults: np.ndarray, years: float) -> np.ndarray:
    """Per-household outcomes compared between the versions: has a loan, balance (CNY), defaults per year."""
    return np.stack([(product != NO_LOAN).astype(float), loan.astype(float), defaults.astype(float) / years])


OUTCOMES = ("share with a loan", "mean balance (CNY)", "defaults per household-year")


# ------------------------------------------------------------------ object per agent (classic Mesa)
class HouseholdAgent(mesa.Agent):
    """One household as a Mesa agent: its attributes and its monthly credit rule in :meth:`step`."""

    def __init__(self, model: CreditModel, **attrs: float) -> None:
        super().__init__(model)
        self.kind: int = attrs["kind"]
        self.income: float = attrs["income"]
        self.trust: float = attrs["trust"]
        self.distance: float = attrs["distance"]
        self.literacy: float = attrs["literacy"]
        self.station: bool = attrs["station"]
        self.rated: bool = attrs["rated"]
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

    def step(self) -> None:
        """One month: repay, mature and renew, or default; then a need, and a loan if it is met."""
        m = self.model
        if self.product != NO_LOAN:
            if self.npl:
                self.npl_months += 1
                if self.npl_months >= m.write_off_months:
                    self.close()
            elif self.random.random() < m.pd[self.rated][self.kind]:
                self.npl = True
                self.npl_months = 0
                self.line = 0.0
                self.defaults += 1
            else:
                self.months_left -= 1
                if self.months_left <= 0:
                    if self.random.random() < m.p_renew:
                        self.months_left = m.term[self.product]
                    else:
                        self.close()
        if self.product == NO_LOAN and self.random.random() < m.need[self.kind]:
            self.seek_credit()

    def seek_credit(self) -> None:
        """A need: draw on the credit line, or apply at an outlet and be approved; then disbursement."""
        m = self.model
        u = self.random.random()
        product = NO_LOAN
        if self.line > 0:
            if u < min(1.0, m.p_use_line * (0.5 + self.trust)):
                product = SMALL_CREDIT
        else:
            access = (m.p_apply_branch + m.distance_decay * self.distance + m.station_effect * self.station
                      + m.literacy_effect * (self.literacy - 0.5))
            if u < min(1.0, max(0.0, access)) and self.random.random() < m.approve[self.kind]:
                product = WORKER_LOAN if self.kind == URBAN else FARM_LOAN
        if product == NO_LOAN:
            m.unmet += 1
            return
        mean = m.size_mean[self.kind][product] * self.income
        size = self.random.lognormvariate(math.log(mean) - m.sigma**2 / 2, m.sigma)
        if product == SMALL_CREDIT:
            size = min(size, self.line)
        self.product = product
        self.loan = size
        self.months_left = m.term[product]


class CreditModel(mesa.Model):
    """The households as Mesa agents; each month activates them in random order with ``shuffle_do``."""

    def __init__(self, population: dict[str, np.ndarray], params: Params, rng: int = 0) -> None:
        super().__init__(rng=rng)
        tables = Tables.from_parameters(params)
        # plain Python lists: what an agent reads each step costs no NumPy scalar conversion
        self.pd = tables.pd.tolist()
        self.need_by_month = tables.need.tolist()
        self.need = self.need_by_month[0]
        self.term = tables.term.tolist()
        self.size_mean = tables.size_mean.tolist()
        self.approve = tables.approve.tolist()
        self.p_renew = params["p_renew"]
        self.p_use_line = params["p_use_line"]
        self.p_apply_branch = params["p_apply_branch"]
        self.distance_decay = params["distance_decay_per_km"]
        self.station_effect = params["station_effect_on_credit_use"]
        self.literacy_effect = params["literacy_effect"]
        self.sigma = params["loan_size_sigma"]
        self.write_off_months = int(params["npl_months_to_write_off"])
        self.month = 0
        self.unmet = 0
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

    Each month draws three full-length rows of uniforms (default, renewal, need) whether or not a row uses
    them, as the project does for common random numbers, then three more (take-up, approval, size) for the
    rows with a need. No Python loop touches a household.

    Args:
        population: the columns from :func:`make_population` (copied, not changed).
        params: the rule's parameters.
        months: number of months.
        seed: seed of the behaviour's draws.

    Returns:
        Per-household outcomes, build seconds, seconds for the months and CPU seconds for the months.
    """
    t0 = time.perf_counter()
    c = {k: v.copy() for k, v in population.items()}
    kind, product, loan, line = c["kind"], c["product"], c["loan"], c["line"]
    months_left, npl, npl_months, defaults = c["months_left"], c["npl"], c["npl_months"], c["defaults"]
    rated = c["rated"].view(np.uint8)
    tb = Tables.from_parameters(params)
    size_mean = tb.size_mean.astype(F32)
    write_off, p_renew = int(params["npl_months_to_write_off"]), F32(params["p_renew"])
    sigma = params["loan_size_sigma"]
    access_all = np.clip(params["p_apply_branch"] + params["distance_decay_per_km"] * c["distance"]
                         + params["station_effect_on_credit_use"] * c["station"]
                         + params["literacy_effect"] * (c["literacy"] - F32(0.5)), 0, 1).astype(F32)
    pd_row = tb.pd[rated, kind]  # kind and rating do not change here: each row's monthly default probability
    p_line_all = np.clip(params["p_use_line"] * (F32(0.5) + c["trust"]), 0, 1).astype(F32)
    rng = np.random.default_rng(seed)
    n = kind.size
    t_build = time.perf_counter() - t0

    def close(rows: np.ndarray) -> None:
        product[rows] = NO_LOAN
        loan[rows] = 0
        months_left[rows] = 0
        npl[rows] = False
        npl_months[rows] = 0

    t0, c0 = time.perf_counter(), time.process_time()
    for t in range(months):
        d = rng.random((3, n), dtype=F32)
        # 1. loan rows: NPLs age and are written off; performing loans default, or age, mature and renew
        loans = np.flatnonzero(product != NO_LOAN)  # on a bool mask: several times faster than on int8
        is_npl = npl[loans]
        bad = loans[is_npl]
        npl_months[bad] += 1
        close(bad[npl_months[bad] >= write_off])
        performing = loans[~is_npl]
        hit = d[0][performing] < pd_row[performing]
        default = performing[hit]
        npl[default] = True
        npl_months[default] = 0
        line[default] = 0
        defaults[default] += 1
        performing = performing[~hit]
        months_left[performing] -= 1
        mature = performing[months_left[performing] <= 0]
        renewing = d[1][mature] < p_renew
        renew = mature[renewing]
        months_left[renew] = tb.term[product[renew]]
        close(mature[~renewing])
        # 2. need among rows without a loan: a cheap first cut at the largest probability, then the exact rule
        need = tb.need[t % 12]
        first = np.flatnonzero(d[2] < need.max())
        free = first[product[first] == NO_LOAN]
        idx = free[d[2][free] < need[kind[free]]]
        ds = rng.random((3, idx.size), dtype=F32)
        k, has_line = kind[idx], line[idx] > 0
        # 3-4. draw on the line, or apply and be approved
        take_line = has_line & (ds[0] < p_line_all[idx])
        approved = ~has_line & (ds[0] < access_all[idx]) & (ds[1] < tb.approve[k])
        prod = np.where(take_line, SMALL_CREDIT, np.where(approved, np.where(k == URBAN, WORKER_LOAN, FARM_LOAN),
                                                          NO_LOAN)).astype(np.int8)
        got = prod != NO_LOAN
        new, prod, k = idx[got], prod[got], k[got]
        # 5. disbursement: lognormal size around the product's mean times relative income
        z = ndtri(np.clip(ds[2][got], 1e-7, 1 - 1e-7))
        size = (size_mean[k, prod] * c["income"][new] * np.exp(-sigma**2 / 2 + sigma * z)).astype(F32)
        size = np.where(prod == SMALL_CREDIT, np.minimum(size, line[new]), size)
        product[new] = prod
        loan[new] = size
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
    print(f"parameters: {len(params) - len(fallback)} from sim.load_config([]).uncertainties"
          + (f", literal defaults for: {', '.join(fallback)}" if fallback else ""))
    population = make_population(args.households, params)
    n, months = args.households, args.months
    print(f"{n:,} households x {months} months; Mesa {mesa.__version__}, NumPy {np.__version__}")
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
    print(f"vectorised (NumPy):       {t_vec * 1e9:.1f} ns per household-month, CPU {c_vec * 1e9:.1f} ns")
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
