"""How households and firms respond when the bank reaches them: visits, campaigns, lectures, cards, ratings.

The levers decide how much of each the programme does and where (and pay for it); these rules say what a
visit, a whole-village campaign, a lecture or a card does to the households it reaches. Each takes the
world, the numbers it needs and the month's policy; none reads a lever's config.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.population import FIRM, URBAN

if TYPE_CHECKING:
    from sim.policy import Policy
    from sim.world import World


def credit_lines(w: World, rows: np.ndarray) -> np.ndarray:
    """Lines granted now: the mean line scaled by the square root of income relative to the rural mean, capped."""
    u = w.u
    income = w.households.income[rows]
    rel = income / np.float32(w.pop.income_rural_2015 * w.income_index)
    return np.minimum(u.credit_line_mean * np.sqrt(rel), u.credit_line_cap).astype(np.float32)


def visit_grids(w: World, policy: Policy, visits_per_manager: float) -> None:
    """Account managers' visits: unfiled households first (建档), then filed ones (trust, ratings).

    Args:
        w: the world.
        policy: the month's policy (rating multiplier, platform promotion).
        visits_per_manager: real households each manager visits this month.
    """
    hh, u = w.households, w.u
    rng = w.streams.month("visits")
    d = rng.random(hh.n, dtype=np.float32)
    g = w.grid_of
    n = w.n_active_rows
    unfiled = np.flatnonzero(~hh.has_file[:n])
    n_unfiled = np.bincount(g[unfiled], minlength=w.n_grids)
    cap = (visits_per_manager * w.managers_per_grid / w.weight).astype(np.float32)  # rows per grid
    p_unf = np.minimum(1.0, cap / np.maximum(n_unfiled, 1)).astype(np.float32)
    visited = unfiled[d[unfiled] < p_unf[g[unfiled]]]
    new_file = visited[rng.random(visited.size, dtype=np.float32) < u.p_file_per_visit]
    spare = np.maximum(0.0, cap - n_unfiled).astype(np.float32)
    n_filed = w.grid_households - n_unfiled
    p_fil = np.minimum(1.0, spare / np.maximum(n_filed, 1)).astype(np.float32)
    filed = np.flatnonzero(hh.has_file[:n])
    seen = filed[d[filed] < p_fil[g[filed]]]
    hh.has_file[new_file] = True
    all_visited = np.concatenate([visited, seen])
    hh.trust[all_visited] += u.visit_trust_gain * (1 - hh.trust[all_visited])
    p_rate = min(1.0, u.p_rated_per_visit * policy.rating_multiplier)
    rate = seen[~hh.rated[seen] & (rng.random(seen.size, dtype=np.float32) < p_rate)]
    hh.rated[rate] = True
    grant = rate[(hh.line[rate] == 0) & ~hh.npl[rate] & (w.latent_line[rate] < u.p_line_given_rated)]
    hh.line[grant] = credit_lines(w, grant)
    if policy.platform_active:
        cand = all_visited[hh.digital_access[all_visited] & ~hh.digital[all_visited]]
        hh.digital[cand[rng.random(cand.size, dtype=np.float32) < policy.promotion_per_visit]] = True
    w.grid_visits += np.bincount(g[all_visited], minlength=w.n_grids) * w.weight
    w.grid_files += np.bincount(g[new_file], minlength=w.n_grids) * w.weight


def campaign(w: World, villages: np.ndarray) -> float:
    """整村授信 in ``villages``: households are rated, filed and granted lines. Returns real cards issued."""
    if villages.size == 0:
        return 0.0
    hh, u, p = w.households, w.u, w.places
    p.village_campaigned[villages] = True
    in_campaign = np.zeros(p.village_size.size + 1, bool)
    in_campaign[villages] = True
    n = w.n_active_rows
    sel = np.flatnonzero(in_campaign[hh.village[:n]] & ~hh.npl[:n])  # village -1 maps to the spare last slot
    rated = sel[w.latent_rate[sel] < u.p_rated_given_campaign]
    hh.rated[rated] = True
    hh.has_file[sel] = True
    grant = rated[(hh.line[rated] == 0) & (w.latent_line[rated] < u.p_line_given_rated)]
    hh.line[grant] = credit_lines(w, grant)
    return grant.size * w.weight


def expected_cards_per_village(w: World) -> float:
    """Cards a campaign issues in an average village (for budgeting a campaign)."""
    u, pop = w.u, w.pop
    return pop.households_2015 * pop.rural_share / pop.villages * u.p_rated_given_campaign * u.p_line_given_rated


def lectures(w: World, n: int) -> None:
    """普惠金融讲堂 in ``n`` villages drawn by size: attendees' literacy rises."""
    hh, u, p = w.households, w.u, w.places
    rng = w.streams.month("lectures")
    where = rng.choice(p.village_size.size, size=n, p=p.village_size / p.village_size.sum())
    villages, count = np.unique(where, return_counts=True)
    n_active = w.n_active_rows
    # rows of a village are sorted, and active rows are a prefix of all rows: cut each slice there
    slices = [x[: np.searchsorted(x, n_active)] for x in
              (w.village_rows[w.village_ptr[v]:w.village_ptr[v + 1]] for v in villages.tolist())]
    sizes = np.array([x.size for x in slices], dtype=np.intp)
    rows = np.concatenate(slices) if slices else np.zeros(0, np.intp)
    per_row = np.repeat(count * (u.lecture_attendees / w.weight) / np.maximum(sizes, 1), sizes)
    p_attend = np.minimum(1.0, per_row)
    attend = rows[rng.random(rows.size, dtype=np.float32) < p_attend]
    hh.literacy[attend] += u.lecture_literacy_gain * (1 - hh.literacy[attend])
    hh.lectured[attend] = True
    w.lectures_held += n


def raise_rural_trust(w: World, gain: float) -> None:
    """Close ``gain`` of the trust gap of every farm household (fee relief on their accounts)."""
    if gain > 0:
        hh, n = w.households, w.n_active_rows
        rural = hh.kind[:n] != URBAN
        hh.trust[:n][rural] += np.float32(gain) * (1 - hh.trust[:n][rural])


def files_from_data(w: World, p_month: float) -> None:
    """Information files built from shared data for unfiled households (probability per month)."""
    hh = w.households
    unfiled = np.flatnonzero(~hh.has_file[: w.n_active_rows])
    hh.has_file[unfiled[w.streams.month("data_files").random(unfiled.size, dtype=np.float32) < p_month]] = True


def issue_worker_cards(w: World, rows_wanted: int, line: float) -> float:
    """一卡一贷: give workers without a line a card with a blue-collar credit line.

    Args:
        w: the world.
        rows_wanted: rows to reach (whole rows).
        line: the line at 2015 prices (CNY); it grows with incomes.

    Returns:
        Real cards issued.
    """
    hh = w.households
    n = w.n_active_rows
    cand = np.flatnonzero(w.is_worker[:n] & (hh.line[:n] == 0) & ~hh.npl[:n])
    if rows_wanted <= 0 or cand.size == 0:
        return 0.0
    if rows_wanted < cand.size:
        cand = cand[np.argpartition(w.latent_line[cand], rows_wanted)[:rows_wanted]]
    hh.line[cand] = np.float32(line * w.income_index)
    hh.has_file[cand] = True
    return cand.size * w.weight


def rate_firms(w: World, rows_wanted: int) -> float:
    """小微企业信用评级: rate unrated firms, the most creditworthy first. Returns real firms rated."""
    ent = w.enterprises
    ne = w.n_active_ent
    cand = np.flatnonzero((ent.kind[:ne] == FIRM) & ~ent.rated[:ne])
    if rows_wanted <= 0 or cand.size == 0:
        return 0.0
    if rows_wanted < cand.size:
        cand = cand[np.argpartition(w.ent_latent[cand], rows_wanted)[:rows_wanted]]
    ent.rated[cand] = True
    return cand.size * w.weight
