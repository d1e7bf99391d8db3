"""Agent views read and write their rows; managers and stations are real Mesa agents."""

from __future__ import annotations

from sim import TaizhouModel, load_config
from sim.agents import AccountManager, Household, MicroEnterprise, Station


def _model():
    return TaizhouModel(load_config(["population.weight=500", "seed=4"]))


def test_household_view_reads_and_writes_its_row():
    m = _model()
    h = m.household(7)
    assert isinstance(h, Household)
    assert h.income == m.households.income[7]
    h.line = 123_000
    assert m.households.line[7] == 123_000
    m.households.has_file[7] = True
    assert h.has_file is True
    assert h in m.agents_by_type[Household]


def test_enterprise_view_reads_and_writes_its_row():
    m = _model()
    e = m.enterprise(3)
    assert isinstance(e, MicroEnterprise)
    e.digital = True
    assert m.enterprises.digital[3]


def test_managers_and_stations_are_mesa_agents():
    m = _model()
    managers = m.agents_by_type[AccountManager]
    assert len(managers) == m.cfg.population.account_managers
    for _ in range(3):
        m.step()
    assert sum(managers.get("visits_made")) > 0
    stations = m.agents_by_type[Station]
    assert len(stations) >= m.cfg.population.stations_2015
    assert m.month == "2016-03"
