"""Digital access, adoption of the 丰收互联 platform, and each customer's choice of channel.

Adoption follows a Bass model by county with a push from the programme and a pull from neighbours in the
same village or community (peer effect). The e-banking substitution rate is not set: it is the share of
transactions customers choose to make on electronic channels, a logistic choice that rises with platform use,
a service point nearby (while its capacity lasts), literacy, free e-transfers and subsidies paid into accounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.calendar import monthly_probability
from sim.parallel import CHUNK, over_blocks, picked, summed
from sim.population import URBAN
from sim.streams import flag_drawn_below, uniform

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
    keys = w.streams.keys("adoption", 3)  # access, adoption (drawn by row in the pass), enterprises
    n = w.n_active_rows  # active rows are a prefix
    frac = min(1.0, max(0, t + 1) / 60)  # the spin-up before 2016 holds access at its 2015 level
    access = hh.digital_access[:n]
    n_rural, n_access_rural, n_access, adopters, people = summed(
        over_blocks(_adoption_counts, n, hh.kind, access, hh.digital, hh.county))
    p_access = np.zeros(2, F32)  # [urban, rural]: the hazard that keeps each group on its linear path
    for i, n_group, n_with, s0, s1 in (
        (1, n_rural, n_access_rural, pop.digital_access_rural_2015, pop.digital_access_rural_2020),
        (0, n - n_rural, n_access - n_access_rural, pop.digital_access_urban_2015,
         pop.digital_access_urban_2020),
    ):
        current = n_with / n_group if n_group else 0.0
        p_access[i] = max(0.0, (s0 + (s1 - s0) * frac - current) / max(1e-9, 1 - current))
    push = 1.0 + policy.platform_push + policy.apps_push
    push += policy.fee_bass_push
    people = np.maximum(1, people)
    rate = monthly_probability(u.bass_p * push + u.bass_q * adopters / people).astype(F32)
    rate_rural = monthly_probability(
        u.bass_p * (push + policy.subsidy_bass_push) + u.bass_q * adopters / people
    ).astype(F32)
    # literacy scales by at most 1.5, neighbours by at most 1 + effect x friends
    p_max = max(rate.max(), rate_rural.max()) * 1.5 * (1.0 + u.peer_effect * u.peer_friends)  # float32, as rate
    over_blocks(_adoption_pass, n, keys, hh.kind, access, hh.digital, hh.county, hh.literacy, w.hh_place,
                w.place_digital_share, p_access, rate, rate_rural, F32(p_max), float(u.peer_effect * u.peer_friends))
    ne = w.n_active_ent
    ent_share = np.count_nonzero(ent.digital[:ne]) / max(1, ne)
    ent_rate = monthly_probability(u.bass_p * push + u.bass_q * ent_share)
    over_blocks(flag_drawn_below, ne, ent.digital, keys[2], F32(ent_rate))


@njit(cache=True, nogil=True)
def _adoption_counts(lo, hi, kind, access, digital, county):
    """Counts over the active rows ``lo`` to ``hi`` for :func:`digital_adoption`, in one pass.

    A chunk at a time, in loops that vectorise (why: :mod:`sim.parallel`): the flags' counts, then each
    county's rows and platform users as nine counts of a comparison (a tally indexed by county would not).

    Returns:
        Rural rows, rural rows with access, rows with access, platform users by county, rows by county.
    """
    n_rural = n_access_rural = n_access = 0
    adopters = np.zeros(9, np.int64)
    people = np.zeros(9, np.int64)
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    kind, access, digital, county = kind[lo:hi], access[lo:hi], digital[lo:hi], county[lo:hi]
    for c in range(0, hi - lo, CHUNK):
        e = min(hi - lo, c + CHUNK)
        kc, ac, dc, cc = kind[c:e], access[c:e], digital[c:e], county[c:e]  # the chunk's rows, indexed from 0
        for j in range(e - c):
            rural = np.int64(kc[j] != URBAN)
            with_access = np.int64(ac[j])
            n_rural += rural
            n_access += with_access
            n_access_rural += with_access & rural
        for k in range(9):
            rows = users = 0
            for j in range(e - c):
                here = np.int64(cc[j] == k)
                rows += here
                users += here & np.int64(dc[j])
            people[k] += rows
            adopters[k] += users
    return n_rural, n_access_rural, n_access, adopters, people


@njit(cache=True, nogil=True)
def _adoption_pass(lo, hi, keys, kind, access, digital, county, literacy, hh_place, place_digital_share,
                   p_access, rate, rate_rural, p_max, peer_coef):
    """Digital access, then platform adoption, for rows ``lo`` to ``hi`` in place (float32, as NumPy computed it).

    A row gets access if its first draw is below ``p_access[rural]`` (a row that has it keeps it); a row with
    access (perhaps just given) and not yet on the platform adopts if its second draw is below ``p_max`` and its
    rate x (0.5 + literacy) x peer factor, the peer factor ``1 + peer_coef x place share`` computed in
    float64 and rounded to float32. Access and the candidates (second draw below ``p_max``) are decided a
    chunk at a time, then the few candidates' rates looked up (why: :mod:`sim.parallel`).
    """
    half = np.float32(0.5)
    p_urban, p_rural = p_access[0], p_access[1]
    k_access, k_adopt = keys[0], keys[1]
    flags = np.zeros(CHUNK, np.uint8)
    candidates = np.empty(CHUNK, np.int64)
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    kind, access, digital, county = kind[lo:hi], access[lo:hi], digital[lo:hi], county[lo:hi]
    literacy, hh_place = literacy[lo:hi], hh_place[lo:hi]
    for c in range(0, hi - lo, CHUNK):
        e = min(hi - lo, c + CHUNK)
        kc, ac, dc, first = kind[c:e], access[c:e], digital[c:e], lo + c  # the chunk's rows, indexed from 0
        # two loops, each writing one array, so that each vectorises
        for j in range(e - c):
            ac[j] |= uniform(k_access, first + j) < (p_urban if kc[j] == URBAN else p_rural)
        for j in range(e - c):
            flags[j] = ac[j] & (not dc[j]) & (uniform(k_adopt, first + j) < p_max)
        for j in range(picked(flags, e - c, c, candidates, 0)):
            i = candidates[j]
            r = rate[county[i]] if kind[i] == URBAN else rate_rural[county[i]]
            peer = np.float32(1.0 + peer_coef * place_digital_share[hh_place[i]])
            if uniform(k_adopt, lo + i) < r * (half + literacy[i]) * peer:
                digital[i] = True


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def station_strength(w: World) -> np.ndarray:
    """For every village and community: how fully its service point serves it.

    1, or less when a station's monthly capacity is short of its households' counter transactions.
    """
    u, p = w.u, w.places
    demand = w.place_households * w.weight * u.transactions_rural
    strength = np.concatenate([p.village_served, p.community_covered]).astype(np.float64)
    station_only = np.concatenate([p.village_station & ~p.village_branch & ~p.village_device,
                                   np.zeros(p.community_county.size, bool)])
    capacity = np.concatenate([w.station_capacity, np.zeros(p.community_county.size)])
    cap = capacity / np.maximum(demand, 1.0)
    strength[station_only] = np.minimum(1.0, cap[station_only])
    return strength


def ebank_share(w: World, policy: Policy) -> float:
    """The month's share of transactions on electronic channels: each customer's channel choice, summed.

    A household's e-share is logistic in: platform use, a service point nearby (scaled by its capacity),
    literacy, free e-transfers (fee waivers) and subsidies paid into farm households' accounts. Households
    are grouped by those traits (literacy in tenths) so the choice is one pass over the rows.
    """
    hh, ent, u = w.households, w.enterprises, w.u
    k = w.n_active_rows
    strength = np.rint(station_strength(w) * 3).astype(np.uint8)  # 0..3, by place
    n = summed(over_blocks(_channel_groups, k, hh.kind, hh.digital, w.hh_place, strength, hh.literacy)).astype(float)
    g = np.arange(160)
    g_lit, g_strength, g_digital, g_urban = (g % 10 + 0.5) / 10, (g // 10) % 4 / 3, (g // 40) % 2, g // 80
    base = _logit(u.ebank_share_other)
    logit = (base + (_logit(u.ebank_share_served) - base) * g_strength
             + (_logit(u.ebank_share_digital) - base) * g_digital
             + u.channel_literacy_effect * (g_lit - 0.5)
             + u.channel_fee_effect * policy.fee_waiver_share
             + u.channel_subsidy_effect * policy.subsidy_share * (g_urban == 0))
    share = 1.0 / (1.0 + np.exp(-logit))
    tx = np.where(g_urban == 1, u.transactions_urban, u.transactions_rural)
    e_tx, all_tx = float((n * tx * share).sum()), float((n * tx).sum())
    n_ent = w.n_active_ent
    n_ent_digital = np.count_nonzero(ent.digital[:n_ent])
    fee = u.channel_fee_effect * policy.fee_waiver_share
    ent_digital = 1 / (1 + np.exp(-(_logit(u.ebank_share_digital) + fee)))
    ent_other = 1 / (1 + np.exp(-(base + fee)))
    e_tx += u.transactions_enterprise * (n_ent_digital * ent_digital + (n_ent - n_ent_digital) * ent_other)
    all_tx += u.transactions_enterprise * n_ent
    return e_tx / all_tx if all_tx else 0.0


@njit(cache=True, nogil=True)
def _channel_groups(lo, hi, kind, digital, hh_place, place_strength, literacy):
    """Rows ``lo`` to ``hi`` in each of the 160 groups of :func:`ebank_share`, counted in one pass.

    A row's group is ((urban x 2 + digital) x 4 + its place's station strength 0..3) x 10 + literacy in
    tenths (``min(9, int(literacy x 10))``, the product in float32 as in NumPy). A chunk at a time: the part of
    the group a row carries itself in a loop that vectorises, then the place's part and the tally (why:
    :mod:`sim.parallel`).
    """
    counts = np.zeros(160, np.int64)
    own = np.empty(CHUNK, np.int64)
    ten = np.float32(10)
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    kind, digital, hh_place, literacy = kind[lo:hi], digital[lo:hi], hh_place[lo:hi], literacy[lo:hi]
    for c in range(0, hi - lo, CHUNK):
        e = min(hi - lo, c + CHUNK)
        kc, dc, lc, pc = kind[c:e], digital[c:e], literacy[c:e], hh_place[c:e]  # the chunk's rows, from 0
        for j in range(e - c):
            own[j] = (np.int64(kc[j] == URBAN) * 2 + np.int64(dc[j])) * 40 + min(9, int(lc[j] * ten))
        for j in range(e - c):
            counts[own[j] + 10 * np.int64(place_strength[pc[j]])] += 1
    return counts
