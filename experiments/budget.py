"""The probability of meeting each goal against money; see README.md, section Experiments.

python experiments/budget.py budget.total_cny=[300e6,600e6,900e6,1.2e9] replications=30
"""

from sim.experiment.budget import main

if __name__ == "__main__":
    main()
