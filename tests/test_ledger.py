"""Money by year and lever: plans add up, spending is capped to date, reallocation conserves money."""

from __future__ import annotations

import pytest

from sim.config import BudgetConf
from sim.ledger import Ledger


def _ledger(**kw):
    b = BudgetConf(total_cny=1_000.0, phasing=[0.2] * 5, allocation={"a": 0.6, "b": 0.4}, **kw)
    return Ledger(["a", "b"], b)


def test_the_plan_splits_the_total_by_year_and_lever():
    led = _ledger()
    assert led.planned.sum() == pytest.approx(1_000.0)
    assert led.planned[0, 0] == pytest.approx(120.0)


def test_money_is_available_to_date_only():
    led = _ledger()
    assert led.available("a", 0) == pytest.approx(120.0)
    led.record("a", 0, 100.0, 150.0)
    assert led.available("a", 0) == pytest.approx(20.0)
    assert led.available("a", 1) == pytest.approx(140.0)
    assert led.shortfall("a", 0) == pytest.approx(50.0)
    assert led.total_left("a") == pytest.approx(500.0)


def test_flows_spread_what_is_left_over_the_remaining_months():
    led = _ledger()
    assert led.monthly_allowance("b", 0, 0) == pytest.approx(80.0 / 12)
    assert led.monthly_allowance("b", 0, 11) == pytest.approx(80.0)


def test_reallocation_moves_money_without_creating_any():
    led = _ledger()
    led.record("b", 0, 10.0, 100.0)  # b wanted more than its 80
    moved = led.reallocate(0, {"a": 50.0})
    assert moved == pytest.approx(50.0)
    assert led.moved.sum() == pytest.approx(0.0)
    assert led.available("b", 1) == pytest.approx(80.0 - 10.0 + 80.0 + 50.0)


def test_amounts_replace_total_times_shares():
    b = BudgetConf(total_cny=0.0, phasing=[0.2] * 5, allocation={}, amounts={"a": 300.0})
    led = Ledger(["a", "b"], b)
    assert led.planned[:, 0].sum() == pytest.approx(300.0) and led.planned[:, 1].sum() == 0


def test_the_table_reports_unspent_and_shortfall():
    led = _ledger()
    led.record("a", 0, 100.0, 150.0)
    row = led.table().query("year == 2016 and lever == 'a'").iloc[0]
    assert row["unspent"] == pytest.approx(20.0) and row["shortfall"] == pytest.approx(50.0)
