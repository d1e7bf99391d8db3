"""The programme's levers: every mechanism of the plan as one class with its declared config.

| file | levers |
|---|---|
| :mod:`sim.levers.outlets` | stations (丰收驿站), devices (自助机具), community outlets (社区银行) |
| :mod:`sim.levers.digital` | the platform (丰收互联), industry apps, fee waivers, subsidy payments |
| :mod:`sim.levers.outreach` | 普惠通, credit information, managers' visits, whole-village credit, lectures |
| :mod:`sim.levers.loans` | rate discounts, low-income loans, housing loans, worker cards, green credit |
| :mod:`sim.levers.enterprises` | SME processing, SME rating, the guarantee fund, cooperatives |

:data:`LEVERS` is the month's order: the listing order below, with every lever after the levers it declares
in ``after`` (checked here, at import). Adding a lever is one class with its config, and one line here.
"""

from __future__ import annotations

import dataclasses

from sim.levers.base import FlowLever, Lever, LeverConf, Purse, UnitLever
from sim.levers.digital import DigitalPlatform, FeeWaivers, IndustryApps, SubsidyPayments
from sim.levers.enterprises import Cooperatives, GuaranteeFund, SmeProcessing, SmeRating
from sim.levers.loans import GreenCredit, HousingLoans, LowIncomeLoans, RateDiscounts, WorkerLoans
from sim.levers.outlets import CommunityOutlets, Devices, OutletLever, Stations
from sim.levers.outreach import CreditInfo, Lectures, ManagerVisits, MobileLending, VillageCampaigns

_LISTED: tuple[type[Lever], ...] = (
    Stations, Devices, CommunityOutlets,  # outlets first, so that the month's credit sees them
    DigitalPlatform, IndustryApps, SubsidyPayments,
    MobileLending, CreditInfo, VillageCampaigns, Lectures, ManagerVisits,  # visits use the hours left
    FeeWaivers, RateDiscounts, LowIncomeLoans, HousingLoans, WorkerLoans,
    SmeProcessing, SmeRating, GuaranteeFund, Cooperatives, GreenCredit,
)


def month_order(listed: tuple[type[Lever], ...]) -> tuple[type[Lever], ...]:
    """The listed levers, each moved after the levers it declares in ``after`` (a stable topological order).

    Raises:
        ValueError: for an unknown name in ``after`` or a cycle.
    """
    names = {cls.name for cls in listed}
    for cls in listed:
        unknown = set(cls.after) - names
        if unknown:
            raise ValueError(f"lever {cls.name} declares after={sorted(unknown)}, which are not levers")
    done: list[type[Lever]] = []
    left = list(listed)
    while left:
        ready = next((c for c in left if set(c.after) <= {d.name for d in done}), None)
        if ready is None:
            raise ValueError("levers depend on each other in a cycle: " + ", ".join(c.name for c in left))
        done.append(ready)
        left.remove(ready)
    return tuple(done)


LEVERS: tuple[type[Lever], ...] = month_order(_LISTED)
LEVER_NAMES: tuple[str, ...] = tuple(cls.name for cls in LEVERS)

LeversConf = dataclasses.make_dataclass(
    "LeversConf",
    [(cls.name, cls.conf_class, dataclasses.field(default_factory=cls.conf_class)) for cls in LEVERS],
    namespace={"__doc__": "Every lever of the programme, in the month's order (see sim.levers)."},
    module=__name__,
)


def build_levers(levers_conf, ledger) -> list[Lever]:
    """The lever objects of a config, in the month's order, each with its purse."""
    return [cls(getattr(levers_conf, cls.name), Purse(ledger, cls.name)) for cls in LEVERS]


__all__ = ["LEVERS", "LEVER_NAMES", "FlowLever", "Lever", "LeverConf", "LeversConf", "OutletLever", "Purse",
           "UnitLever", "build_levers", "month_order"]
