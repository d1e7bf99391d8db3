"""Every parameter is declared once: the table, the documentation, the defaults and validation agree."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from sim import ConfigError, SimConf, load_config, parameters
from sim.config import validate
from sim.params import check_leaf, leaves, markdown, spec_at
from sim.run import CONFIG_DIR, ROOT, compose_config


def _flatten(node, prefix=""):
    """Leaves of a composed config as the parameter table names them (lists are leaves; dicts are walked)."""
    out = {}
    for k, v in node.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, path + "."))
        else:
            out[path] = v
    return out


@pytest.fixture(scope="module")
def table():
    return parameters()


@pytest.fixture(scope="module")
def composed():
    return OmegaConf.to_container(compose_config(CONFIG_DIR, "config", []), resolve=True)


def test_the_table_has_a_row_for_every_leaf_of_the_composed_config(table, composed):
    leaves_ = set(_flatten(composed))
    assert leaves_ == set(table["path"]), leaves_ ^ set(table["path"])


def test_python_m_sim_params_prints_the_table_as_csv(table):
    out = subprocess.run([sys.executable, "-m", "sim.params"], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    lines = out.strip().splitlines()
    assert lines[0].split(",")[:3] == ["path", "default", "unit"]
    assert len(lines) == len(table) + 1


def test_every_parameter_names_its_source(table):
    assert (table["source"].str.len() > 0).all(), table.loc[table["source"] == "", "path"].tolist()


def test_every_default_lies_inside_its_allowed_and_plausible_range():
    for path, value, spec in leaves(SimConf()):
        check_leaf(path, value, spec)  # raises on a default outside its declaration
        if spec is not None and spec.uncertain is not None:
            lo, hi = spec.uncertain
            assert lo <= value <= hi, f"{path}: default {value} outside its plausible range {spec.uncertain}"
            if spec.low is not None:
                assert lo >= spec.low, path
            if spec.high is not None:
                assert hi <= spec.high, path


def test_schema_defaults_are_the_composed_default_config():
    composed = OmegaConf.to_object(compose_config(CONFIG_DIR, "config", []))
    assert composed == SimConf()


def test_docs_parameters_md_is_up_to_date():
    doc = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert doc.strip() == markdown().strip(), "regenerate: python -m sim.params --markdown > docs/parameters.md"


def test_every_parameter_a_behaviour_rule_reads_is_declared():
    """The rules read the uncertainties (``u.``) and the population (``pop.``); every name must be a field."""
    fields = {"u": SimConf().uncertainties, "pop": SimConf().population, "lb": SimConf().uncertainties.loan_book}
    for path in [*(ROOT / "sim" / "behaviour").glob("*.py"), ROOT / "sim" / "population.py", ROOT / "sim" / "world.py"]:
        text = path.read_text(encoding="utf-8")
        for prefix, conf in fields.items():
            for name in set(re.findall(rf"\b(?:w\.)?{prefix}\.(\w+)", text)):
                assert hasattr(conf, name), f"{path.name} reads {prefix}.{name}, which is not declared"


def test_behaviour_rules_never_read_lever_configs():
    for path in (ROOT / "sim" / "behaviour").glob("*.py"):
        assert "levers." not in path.read_text(encoding="utf-8").replace("sim.levers", ""), path.name


# ---------------------------------------------------------------- bad input, generated from the declarations
def _bad_values(spec, value):
    """Values the declaration must refuse: each edge passed, NaN, inf, a wrong length."""
    out = []
    if isinstance(value, bool | str) or value is None:
        return out
    if isinstance(value, list):
        if spec.length is not None:
            out.append(value[:-1])
        if spec.choices is None and value:
            out.append([math.nan, *value[1:]])
        return out
    if isinstance(value, dict):
        return out
    out += [math.nan, math.inf, -math.inf]
    if spec.low is not None:
        out.append(spec.low - (1 if spec.integer else 1e-6 * max(1, abs(spec.low))))
    if spec.high is not None:
        out.append(spec.high + (1 if spec.integer else 1e-6 * max(1, abs(spec.high))))
    if spec.integer:
        out.append(value + 0.5)
    return out


CASES = [(path, bad) for path, value, spec in leaves(SimConf()) if spec is not None
         for bad in _bad_values(spec, value)]


def test_the_corpus_covers_every_area():
    areas = {p.split(".")[0] for p, _ in CASES}
    assert {"population", "uncertainties", "levers", "budget", "months", "seed"} <= areas
    assert len(CASES) >= 500


@pytest.mark.parametrize(("path", "bad"), CASES, ids=[f"{p}={b}" for p, b in CASES])
def test_a_value_outside_its_declaration_is_refused_naming_the_key(path, bad):
    cfg = SimConf()
    *parents, leaf = path.split(".")
    node = cfg
    for p in parents:
        node = getattr(node, p)
    setattr(node, leaf, bad)
    with pytest.raises(ConfigError) as info:
        validate(cfg)
    assert info.value.key == path
    assert "allowed" in str(info.value)


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("levers.credit_info.default_reduction=2", "levers.credit_info.default_reduction"),
        ("levers.rate_discounts.products=[worker]", "levers.rate_discounts.products"),
        ("levers.rate_discounts.products=[housing]", "levers.rate_discounts.products"),
        ("uncertainties.loan_size_sigma=nan", "uncertainties.loan_size_sigma"),
        ("budget.total_cny=nan", "budget.total_cny"),
        ("budget.total_cny=inf", "budget.total_cny"),
        ("budget.phasing=[nan,0.25,0.25,0.25,0.25]", "budget.phasing"),
        ("population.weight=nan", "population.weight"),
        ("population.weight=-5", "population.weight"),
        ("months=-1", "months"),
        ("levers.stations.intensity=[inf,0,0,0,0]", "levers.stations.intensity"),
        ("population.villages=0", "population.villages"),
        ("population.communities=0", "population.communities"),
        ("uncertainties.npl_months_to_write_off=0", "uncertainties.npl_months_to_write_off"),
        ("levers.digital_platform.reference_spend_per_year=0", "levers.digital_platform.reference_spend_per_year"),
        ("uncertainties.need_rate_farm=1.5", "uncertainties.need_rate_farm"),
        ("levers.fee_waivers.intensity=[1.5,1,1,1,1]", "levers.fee_waivers.intensity"),
        ("uncertainties.term_farm_months=0", "uncertainties.term_farm_months"),
        ("levers.rate_discounts.intensity=[20000,0,0,0,0]", "levers.rate_discounts.intensity"),
        ("population.income_growth=5", "population.income_growth"),
        ("levers.stations.intensity=[1,2", "levers.stations.intensity"),
        ("levers.stations.scale=-1", "levers.stations.scale"),
        ("levers.stations.priority=nearest", "levers.stations.priority"),
    ],
)
def test_bad_overrides_are_refused_with_the_key(override, key):
    with pytest.raises(ConfigError) as info:
        load_config([override])
    assert info.value.key == key, str(info.value)
    assert str(info.value).count("\n") == 0


def test_spec_at_finds_the_declaration_of_a_path():
    cfg = SimConf()
    assert spec_at(cfg, "uncertainties.bass_q").uncertain == (0.3, 0.5)
    assert spec_at(cfg, "budget.allocation.stations").unit == "share"
    assert spec_at(cfg, "no.such.key") is None


def test_prior_parameters_take_their_range_and_source_from_the_priors_file(table):
    row = table.set_index("path").loc["uncertainties.bass_q"]
    assert (row["default"], row["dist_low"], row["dist_high"]) == (0.4, 0.3, 0.5)
    assert "[bass_q]" in row["source"]


def test_no_field_is_declared_without_a_declaration():
    def walk(obj, prefix=""):
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if dataclasses.is_dataclass(v):
                yield from walk(v, f"{prefix}{f.name}.")
            else:
                yield f"{prefix}{f.name}", f.metadata.get("spec")

    missing = [p for p, spec in walk(SimConf()) if spec is None]
    assert not missing, missing


def test_scenario_files_set_only_declared_keys():
    for path in Path(CONFIG_DIR, "scenario").glob("*.yaml"):
        cfg = load_config([f"scenario={path.stem}"])
        assert cfg.scenario.name == path.stem
