"""Fit uncertain parameters to the end-2015 calibration targets by rejection ABC; see docs/calibration.md.

python experiments/calibrate.py parameters=[uncertainties.need_rate_farm,uncertainties.pd_base] samples=200
"""

from sim.experiment.calibrate import main

if __name__ == "__main__":
    main()
