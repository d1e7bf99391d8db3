"""Households' and enterprises' behaviour: vectorised rules over all rows, one module per domain.

* :mod:`sim.behaviour.outreach` - what a visit, a campaign, a lecture, a card or a rating does;
* :mod:`sim.behaviour.digital` - digital access, platform adoption, e-channel share;
* :mod:`sim.behaviour.credit` - credit need, take-up, approval, loans, defaults and renewals.

The rules read the world, the month's :class:`sim.policy.Policy` and the uncertainties; never a lever's config.
"""

from sim.behaviour.credit import enterprise_credit, household_credit, price_factor
from sim.behaviour.digital import digital_adoption, ebank_share

__all__ = ["digital_adoption", "ebank_share", "enterprise_credit", "household_credit", "price_factor"]
