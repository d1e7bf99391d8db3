"""Scenarios side by side with common random numbers; see README.md, section Experiments.

python experiments/compare.py scenarios=[no_program,plan] replications=50
"""

from sim.experiment.compare import main

if __name__ == "__main__":
    main()
