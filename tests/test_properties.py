"""What must hold for any valid configuration: drawn at random (Hypothesis) at a coarse scale.

``make test`` draws 200 configurations; ``make check-deep`` draws 2,000 (HYPOTHESIS_PROFILE=deep).
"""

from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import run_config
from sim.config import SimConf, validate
from sim.levers import LEVER_NAMES
from sim.params import leaves

settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

UNCERTAIN = [(path, spec) for path, value, spec in leaves(SimConf())
             if spec is not None and spec.uncertain is not None and isinstance(value, float | int)
             and not isinstance(value, bool)]
CUMULATIVE = ["inclusive_spend_cum", "low_income_loans_cum", "lectures_cum", "spend_cum", "industry_apps_cum",
              "written_off_cum", "unmet_need_cum", "applications_cum", "credit_rationed_cum"]
SHARES = ["village_coverage", "community_coverage", "ebank_substitution", "green_credit_share", "info_file_rate",
          "npl_ratio", "bank_caution"]
COUNTS = ["households_total", "households_with_file", "households_with_credit_line", "households_with_loan",
          "farmer_loan_clients", "small_credit_clients", "sme_loan_clients", "fengshou_customers", "stations",
          "loan_balance_total", "farmer_loan_balance", "small_credit_balance", "sme_loan_balance",
          "credit_line_total", "agri_sme_loan_balance", "blank_villages"]


def _simplex(draw, n):
    raw = draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
    total = sum(raw)
    return [1.0 / n] * n if total <= 0 else [x / total for x in raw]


@st.composite
def configs(draw) -> SimConf:
    """A valid configuration: uncertain parameters within their plausible ranges, levers on or off and
    scaled, any total and split of the money, any phasing."""
    cfg = SimConf()
    cfg.seed = draw(st.integers(0, 2**32 - 1))
    for path, spec in draw(st.lists(st.sampled_from(UNCERTAIN), max_size=6, unique_by=lambda x: x[0])):
        lo, hi = spec.uncertain
        value = draw(st.floats(lo, hi))
        *parents, leaf = path.split(".")
        node = cfg
        for part in parents:
            node = getattr(node, part)
        setattr(node, leaf, round(value) if spec.integer else value)
    for name in LEVER_NAMES:
        lever = getattr(cfg.levers, name)
        lever.enabled = draw(st.booleans())
        lever.scale = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]))
    cfg.budget.total_cny = draw(st.sampled_from([0.0, 1e8, 9e8, 2e9]))
    cfg.budget.allocation = dict(zip(LEVER_NAMES, _simplex(draw, len(LEVER_NAMES)), strict=True))
    cfg.budget.phasing = _simplex(draw, 5)
    # a thousand household rows and one, whatever the count (h / (h / 1000) may round to just below 1000)
    cfg.population.weight = cfg.population.households_2015 / 1_001
    return validate(cfg)


@given(configs())
def test_any_valid_configuration_gives_a_sane_run(cfg):
    r = run_config(cfg)
    w = r.wide()
    assert np.isfinite(w.to_numpy(float)).all(), "NaN or inf in the monthly table"
    assert np.isfinite(r.scorecard["value"].to_numpy(float)).all()
    assert (w[COUNTS] >= -1e-6).all().all(), "a negative count or balance"
    assert ((w[SHARES] >= -1e-9) & (w[SHARES] <= 1 + 1e-9)).all().all(), "a share outside [0, 1]"
    for col in ["households_with_file", "households_with_credit_line", "households_with_loan", "farmer_loan_clients",
                "small_credit_clients"]:
        assert (w[col] <= w["households_total"] + 1e-6).all(), col
    assert np.allclose(w["villages_covered"] + w["blank_villages"], w["villages_existing"])
    for col in CUMULATIVE:
        assert (np.diff(w[col].to_numpy()) >= -1e-6).all(), f"{col} fell"
    ledger = r.ledger
    fen = 0.05  # the ledger table is rounded to the fen (0.01 CNY) per lever and year
    assert ledger["spent"].sum() <= cfg.budget.total_cny + fen * len(ledger), "spent more than the budget"
    by_lever = ledger.groupby("lever")[["planned", "moved", "spent"]].sum()
    over = by_lever["spent"] - by_lever["planned"] - by_lever["moved"]
    assert (over <= fen).all(), f"a lever overspent: {over[over > fen].to_dict()}"
    for lever, g in ledger.sort_values("year").groupby("lever"):
        to_date = (g["planned"] + g["moved"]).cumsum().to_numpy() - g["spent"].cumsum().to_numpy()
        assert (to_date >= -fen).all(), f"{lever} spent ahead of its money to date: {to_date.round(2)}"
    assert abs(w["inclusive_spend_cum"].iloc[-1] - ledger["spent"].sum()) <= 1e-3 * max(1.0, ledger["spent"].sum())
