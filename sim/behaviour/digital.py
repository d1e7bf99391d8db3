"""Digital access, adoption of the 丰收互联 platform, and the share of transactions on e-channels."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.calendar import monthly_probability
from sim.population import URBAN

if TYPE_CHECKING:
    from sim.policy import Policy
    from sim.world import World

F32 = np.float32


def digital_adoption(w: World, policy: Policy, t: int) -> None:
    """Digital access spreads exogenously; platform adoption follows a Bass model by county.

    Monthly adoption probability among those with access: p x push + q x (county adopter share), where
    push = 1 + platform push + industry apps + fee waivers; literacy scales it around 1.
    """
    hh, ent, pop, u = w.households, w.enterprises, w.pop, w.u
    rng = w.streams.month("adoption")
    n = w.n_active_rows  # active rows are a prefix
    frac = min(1.0, (t + 1) / 60)
    rural = hh.kind[:n] != URBAN
    access = hh.digital_access[:n]
    d = rng.random((2, n), dtype=F32)  # access, adoption
    n_rural = np.count_nonzero(rural)
    n_access_rural = np.count_nonzero(access & rural)
    p_access = np.zeros(2, F32)  # [urban, rural]: the hazard that keeps each group on its linear path
    for i, n_group, n_with, s0, s1 in (
        (1, n_rural, n_access_rural, pop.digital_access_rural_2015, pop.digital_access_rural_2020),
        (0, n - n_rural, np.count_nonzero(access) - n_access_rural, pop.digital_access_urban_2015,
         pop.digital_access_urban_2020),
    ):
        current = n_with / n_group if n_group else 0.0
        p_access[i] = max(0.0, (s0 + (s1 - s0) * frac - current) / max(1e-9, 1 - current))
    first = np.flatnonzero(d[0] < p_access.max())  # a cheap first cut, then the exact rule on few rows
    first = first[~access[first]]
    access[first[d[0][first] < p_access[rural[first].view(np.uint8)]]] = True
    push = 1.0 + policy.platform_push + policy.apps_push
    push += policy.fee_bass_push
    county_ip = w.hh_county[:n]
    adopters = np.bincount(county_ip[hh.digital[:n]], minlength=9)
    people = np.maximum(1, np.bincount(county_ip, minlength=9))
    rate = monthly_probability(u.bass_p * push + u.bass_q * adopters / people).astype(F32)
    rate_rural = monthly_probability(
        u.bass_p * (push + policy.subsidy_bass_push) + u.bass_q * adopters / people
    ).astype(F32)
    p_max = max(rate.max(), rate_rural.max()) * 1.5  # literacy scales by at most 1.5
    cand = np.flatnonzero(d[1] < p_max)
    cand = cand[access[cand] & ~hh.digital[cand]]
    county = hh.county[cand]
    p_adopt = np.where(hh.kind[cand] == URBAN, rate[county], rate_rural[county]) * (0.5 + hh.literacy[cand])
    hh.digital[cand[d[1][cand] < p_adopt]] = True
    ne = w.n_active_ent
    de = rng.random(ne, dtype=F32)  # after the households' draw: same position in every scenario
    ent_share = np.count_nonzero(ent.digital[:ne]) / max(1, ne)
    ent_rate = monthly_probability(u.bass_p * push + u.bass_q * ent_share)
    ent.digital[:ne] |= de < ent_rate


def ebank_share(w: World, policy: Policy) -> float:
    """The month's share of transactions through electronic channels (self-service devices included)."""
    hh, ent, u = w.households, w.enterprises, w.u
    k = w.n_active_rows
    # households grouped by (urban, digital, served): one pass instead of per-row shares
    code = ((hh.kind[:k] == URBAN).view(np.uint8) + 2 * hh.digital[:k].view(np.uint8)
            + 4 * w.hh_station[:k].view(np.uint8))
    n = np.bincount(code, minlength=8).astype(float)
    urban = np.arange(8) % 2 == 1
    digital = (np.arange(8) // 2) % 2 == 1
    served = np.arange(8) // 4 == 1
    tx = np.where(urban, u.transactions_urban, u.transactions_rural)
    digital_share = min(1.0, u.ebank_share_digital + policy.fee_ebank_gain)
    share = np.where(digital, digital_share, np.where(served, u.ebank_share_served, u.ebank_share_other))
    # subsidies paid into accounts move farm households' non-digital transactions to e-channels
    share = np.where(~urban & ~digital, share + policy.subsidy_ebank_gain, share)
    e_tx, all_tx = float((n * tx * share).sum()), float((n * tx).sum())
    n_ent = w.n_active_ent
    n_ent_digital = np.count_nonzero(ent.digital[:n_ent])
    e_tx += u.transactions_enterprise * (n_ent_digital * digital_share + (n_ent - n_ent_digital) * u.ebank_share_other)
    all_tx += u.transactions_enterprise * n_ent
    return e_tx / all_tx if all_tx else 0.0
