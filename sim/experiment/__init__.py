"""Experiments on the model: replications with common random numbers, paired comparisons, budget sweeps.

* :mod:`sim.experiment.compare` - scenarios side by side (``experiments/compare.py``);
* :mod:`sim.experiment.budget` - total budget x allocation sweeps (``experiments/budget.py``);
* :mod:`sim.experiment.store` - one file per finished run, keyed by config and seed, written atomically;
* :mod:`sim.experiment.launch` - batches of runs as Hydra jobs (basic, joblib or submitit launcher);
* :mod:`sim.experiment.stats` - intervals for means, paired differences and probabilities of meeting a goal;
* :mod:`sim.experiment.report` - figures and the self-contained ``report.html``.
"""
