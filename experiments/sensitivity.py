"""Which uncertain parameters drive an outcome: Morris screening or Sobol indices; see docs/sensitivity.md.

python experiments/sensitivity.py method=morris N=6 population.weight=500
"""

from sim.experiment.sensitivity import main

if __name__ == "__main__":
    main()
