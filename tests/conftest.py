"""Shared fixtures: small, fast runs at test scale (one row per 200 households)."""

from __future__ import annotations

import pytest
from hypothesis import settings

from sim import simulate

# a compiled pass's first call compiles it (a fresh checkout has no cache): no deadline per example
settings.register_profile("sim", deadline=None)
settings.load_profile("sim")

TEST_SCALE = ["population.weight=200"]


@pytest.fixture(scope="session")
def plan_run():
    return simulate(["scenario=plan", "seed=1", *TEST_SCALE], keep_model=True)


@pytest.fixture(scope="session")
def no_program_run():
    return simulate(["scenario=no_program", "seed=1", *TEST_SCALE], keep_model=True)


def tiny_config(weight: float = 2350.0):
    """The default config at a tiny scale (1,000 household rows), built without Hydra: milliseconds."""
    from sim.config import SimConf, validate

    cfg = SimConf()
    cfg.population.weight = weight
    return validate(cfg)


@pytest.fixture
def tiny_world():
    from sim.world import World

    return World(tiny_config())
