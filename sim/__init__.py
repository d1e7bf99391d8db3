"""Agent-based simulation of Taizhou rural credit's inclusive-finance plan, 2016-2020.

The happy path:

    >>> from sim import simulate
    >>> result = simulate(["scenario=plan", "seed=1"])
    >>> result.scorecard
"""

from sim.config import ConfigError, SimConf
from sim.evaluate import evaluate
from sim.explore import problem
from sim.model import TaizhouModel
from sim.params import parameters
from sim.run import Result, load_config, run_config, simulate

__all__ = ["ConfigError", "Result", "SimConf", "TaizhouModel", "evaluate", "load_config", "parameters", "problem",
           "run_config", "simulate"]

