"""The split of the money that meets the most goals, honestly checked; see README.md, section Experiments.

python experiments/optimise.py budget.total_cny=9e8 objective=goals_met evaluations=300 population.weight=100
"""

from sim.experiment.optimise import main

if __name__ == "__main__":
    main()
