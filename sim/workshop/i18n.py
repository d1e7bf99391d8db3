"""The workshop's labels now live in :mod:`sim.i18n`, shared with the experiment reports."""

from sim.i18n import *  # noqa: F403
from sim.i18n import LANGS, county_name, goal_name, lever_label, lever_names, lever_tip, t  # noqa: F401
