"""One launcher job: a batch of runs from an experiment's plan (``python -m sim.experiment.worker -m ...``).

The experiment driver writes ``plan.json`` and ``worker.yaml`` into ``<experiment>/.launch/<time>/`` and
starts this app as a Hydra multirun over ``batch``; the launcher (basic, joblib, submitit) decides where
each batch runs. A batch skips runs whose file already exists, so a job that is started twice does no
work twice. A job's row passes run on one thread (unless ``SIM_THREADS`` says otherwise): the launcher
already runs a job per core.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import hydra
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from sim import parallel
from sim.experiment.store import RunSpec, execute, process_alive
from sim.run import code_version


@dataclass
class WorkerConf:
    """A job: the plan file and the batch of it to run."""

    plan: str = MISSING
    batch: int = 0


ConfigStore.instance().store(name="worker_schema", node=WorkerConf)


def run_batch(plan: str | Path, batch: int) -> int:
    """Run the batch's runs that are not done (nor claimed by another live process); return how many ran here."""
    data = json.loads(Path(plan).read_text())
    if "SIM_THREADS" not in os.environ:
        parallel.set_threads(1)
    version = data["code_version"]
    if code_version() != version:
        raise RuntimeError(f"code version {code_version()} differs from the plan's {version}; rerun the experiment")
    done = 0
    for spec in data["batches"][batch]:
        if not process_alive(data.get("driver")):
            raise SystemExit(f"the experiment driver {data['driver']} is gone; stopping batch {batch}")
        done += execute(RunSpec(**spec), Path(data["store_dir"]), version, data.get("origin", "")) == "computed"
    return done


@hydra.main(version_base="1.3", config_path=None, config_name="worker")
def main(cfg) -> int:
    """The Hydra task: one batch."""
    return run_batch(cfg.plan, cfg.batch)


if __name__ == "__main__":
    main()
