"""Experiments on the model: replications with common random numbers, paired comparisons, budget sweeps.

* :mod:`sim.experiment.compare` - scenarios side by side (``experiments/compare.py``);
* :mod:`sim.experiment.budget` - total budget x allocation sweeps (``experiments/budget.py``);
* :mod:`sim.experiment.optimise` - the allocation search, checked out of sample (``experiments/optimise.py``;
  its report in :mod:`sim.experiment.optimise_report`);
* :mod:`sim.experiment.store` - one file per finished run, keyed by config and seed, written atomically;
* :mod:`sim.experiment.launch` - batches of runs as Hydra jobs (basic, joblib or submitit launcher);
* :mod:`sim.experiment.worker` - the Hydra app a launcher job runs: one batch of runs;
* :mod:`sim.experiment.stats` - intervals for means, paired differences and probabilities of meeting a goal;
* :mod:`sim.experiment.analysis` - summary, paired and least-budget tables;
* :mod:`sim.experiment.findings` - the findings a report opens with, in plain words, from the tables;
* :mod:`sim.experiment.fmt` - numbers in people's units (亿元, %, 万), never in scientific notation;
* :mod:`sim.experiment.report` - figures and the self-contained ``report.html``, in Chinese or English;
* :mod:`sim.experiment.conf`, :mod:`sim.experiment.driver` - structured configs, validation, provenance.
"""
