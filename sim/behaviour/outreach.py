"""How households and firms respond when the bank reaches them: visits, campaigns, lectures, cards, ratings.

The levers decide how much of each the programme does and where (and pay for it); these rules say what a
visit, a whole-village campaign, a lecture or a card does to the households it reaches. Each takes the
world, the numbers it needs and the month's policy; none reads a lever's config.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from sim.behaviour import credit
from sim.parallel import CHUNK, concatenated, over_blocks, picked, summed
from sim.population import DEFAULTED, FIRM, URBAN
from sim.streams import flag_drawn_below, uniform

if TYPE_CHECKING:
    from sim.policy import Policy
    from sim.world import World


def visit_grids(w: World, policy: Policy, visits: np.ndarray) -> None:
    """Account managers' visits: unfiled households first (建档), then filed ones (trust, ratings).

    Within a grid, managers go first to the households the plan names: remote and island villages,
    low-income households, and households with no loan yet (``visit_priority_*`` weights).

    Args:
        w: the world.
        policy: the month's policy (rating multiplier, platform promotion).
        visits: real household visits each grid's managers make this month.
    """
    hh, u = w.households, w.u
    rng = w.streams.month("visits")
    g = w.grid_of
    n = w.n_active_rows
    key = w.streams.keys("visits", 1)[0]  # a draw per row, the same for a row in any scenario (made in the pass)
    cap = (visits / w.weight).astype(np.float32)  # rows per grid
    # each unfiled row is visited with probability proportional to its priority, cap rows in all; the filed
    # ones share what the grid's unfiled rows leave over
    # (a visit's trust gain is added in the same pass)
    visited, seen, per_grid = pick_visits(key, hh.has_file[:n], hh.product[:n], w.visit_weight[:n], g[:n],
                                         np.float32(u.visit_priority_no_loan), cap, hh.trust[:n],
                                         np.float32(u.visit_trust_gain))
    new_file = visited[rng.random(visited.size, dtype=np.float32) < u.p_file_per_visit]
    hh.has_file[new_file] = True
    all_visited = np.concatenate([visited, seen])
    p_rate = min(1.0, u.p_rated_per_visit * policy.rating_multiplier)
    ask = seen[~hh.rated[seen] & (hh.history[seen] != DEFAULTED)]
    draws = rng.random((2, ask.size), dtype=np.float32)
    rated = ask[credit.rate(w, policy, ask, draws[0] < p_rate, draws[1])]
    hh.rated[rated] = True
    grant = rated[(hh.line[rated] == 0) & ~hh.npl[rated] & (w.latent_line[rated] < u.p_line_given_rated)]
    hh.line[grant] = credit.credit_lines(w, grant)
    if policy.platform_active:
        cand = all_visited[hh.digital_access[all_visited] & ~hh.digital[all_visited]]
        hh.digital[cand[rng.random(cand.size, dtype=np.float32) < policy.promotion_per_visit]] = True
    w.grid_visits += per_grid * w.weight
    w.grid_files += np.bincount(g[new_file], minlength=w.n_grids) * w.weight


def pick_visits(key, has_file, product, visit_weight, grid, no_loan, cap, trust, trust_gain):
    """The rows a grid's managers visit: unfiled ones (``visited``) and filed ones (``seen``), in row order.

    Each grid's sums of priorities come from one pass (:func:`_visit_sums`), the visits from a second
    (:func:`_visit_pick`), each on blocks of rows (several cores at full scale, :mod:`sim.parallel`).

    Args:
        key: the month's key of the rows' visit draws: row ``i`` draws ``uniform(key, i)`` (:mod:`sim.streams`).
        has_file: whether each row has a file.
        product: each row's loan product (0: none).
        visit_weight: each row's priority before whether it borrows (float32).
        grid: each row's grid.
        no_loan: the extra priority of a row without a loan (float32).
        cap: rows each grid's managers can visit (float32).
        trust: the rows' trust, updated in place.
        trust_gain: the share of the gap a visit closes (float32).

    Returns:
        The visited unfiled rows and the seen filed rows (int64), and the rows visited or seen per grid.
    """
    acc = summed(over_blocks(_visit_sums, has_file.size, has_file, product, visit_weight, grid, no_loan, cap.size))
    p = _visit_probabilities(acc, cap)
    parts = over_blocks(_visit_pick, has_file.size, key, has_file, product, visit_weight, grid, no_loan, p, trust,
                        trust_gain)
    visited, seen = concatenated([b[:2] for b in parts])
    return visited, seen, summed([b[2] for b in parts])


@numba.njit(cache=True, nogil=True)
def _visit_sums(lo, hi, has_file, product, visit_weight, grid, no_loan, n_grids):
    """The priorities of each grid's unfiled and filed rows among rows ``lo`` to ``hi``, summed and counted.

    A row's priority is ``visit_weight`` plus ``no_loan`` if it has no loan (float32), added in float64 in row
    order (as ``np.bincount``).

    Args:
        lo: the first row.
        hi: the row after the last.
        has_file: whether each row has a file.
        product: each row's loan product (0: none).
        visit_weight: each row's priority before whether it borrows (float32).
        grid: each row's grid.
        no_loan: the extra priority of a row without a loan (float32).
        n_grids: the number of grids.

    Returns:
        Shape (2 x grids, 2): row ``2 * grid + has_file`` holds the sum of priorities and the number of rows.
    """
    zero = np.float32(0.0)
    # two slots a grid: the row's slot is read, not branched on (whether a row is filed is close to a coin
    # flip, which a branch would mispredict half the time); a slot's row count sits beside its sum, in the
    # same cache line (float64 counts rows exactly)
    acc = np.zeros((2 * n_grids, 2))
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    has_file, product, visit_weight, grid = has_file[lo:hi], product[lo:hi], visit_weight[lo:hi], grid[lo:hi]
    for i in range(hi - lo):
        s = 2 * np.int64(grid[i]) + np.int64(has_file[i])
        acc[s, 0] += np.float64(visit_weight[i] + (no_loan if product[i] == 0 else zero))
        acc[s, 1] += 1.0
    return acc


@numba.njit(cache=True, nogil=True)
def _visit_probabilities(acc, cap):
    """Each grid's visit probability per unit of priority, for its unfiled and its filed rows.

    ``p_unf = cap / sum`` and ``p_fil = max(0, cap - unfiled rows) / sum``, each rounded to float32.

    Args:
        acc: the sums of :func:`_visit_sums`.
        cap: rows each grid's managers can visit (float32).

    Returns:
        ``p[2 * grid + has_file]`` (float32).
    """
    p = np.empty(2 * cap.size, np.float32)
    for k in range(cap.size):
        p[2 * k] = np.float32(np.float64(cap[k]) / max(acc[2 * k, 0], 1e-9))
        p[2 * k + 1] = np.float32(max(0.0, np.float64(cap[k]) - acc[2 * k, 1]) / max(acc[2 * k + 1, 0], 1e-9))
    return p


@numba.njit(cache=True, nogil=True)
def _visit_pick(lo, hi, key, has_file, product, visit_weight, grid, no_loan, p, trust, trust_gain):
    """The rows ``lo`` to ``hi`` a grid's managers visit: unfiled ones (``visited``) and filed ones (``seen``).

    A row is visited if its draw ``uniform(key, row) < min(1, p[2 * grid + has_file] * priority)`` (float32, see
    :func:`_visit_probabilities`); a visited or seen row's ``trust`` gains ``trust_gain`` of its gap to 1
    (float32, as NumPy computes it).

    Args:
        lo: the first row.
        hi: the row after the last.
        key: the month's key of the rows' visit draws.
        has_file: whether each row has a file.
        product: each row's loan product (0: none).
        visit_weight: each row's priority before whether it borrows (float32).
        grid: each row's grid.
        no_loan: the extra priority of a row without a loan (float32).
        p: the probabilities from :func:`_visit_probabilities`.
        trust: the rows' trust, updated in place.
        trust_gain: the share of the gap a visit closes (float32).

    Returns:
        The visited unfiled rows and the seen filed rows (int64, in row order), and the rows visited or seen
        per grid.
    """
    zero, one = np.float32(0.0), np.float32(1.0)
    visited = np.empty(hi - lo, np.int64)
    seen = np.empty(hi - lo, np.int64)
    per_grid = np.zeros(p.size // 2, np.int64)
    draw = np.empty(CHUNK, np.float32)
    flags = np.zeros(CHUNK, np.uint8)
    rows = np.empty(CHUNK, np.int64)
    n_vis, n_seen = 0, 0
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    has_file, product, visit_weight = has_file[lo:hi], product[lo:hi], visit_weight[lo:hi]
    grid, trust = grid[lo:hi], trust[lo:hi]
    for c in range(0, hi - lo, CHUNK):
        e = min(hi - lo, c + CHUNK)
        first = lo + c
        # the chunk's draws in a loop of their own, which vectorises (the grid's look-up below does not); then
        # whether each row is visited, without a branch; then the few visited rows (why: sim.parallel)
        for j in range(e - c):
            draw[j] = uniform(key, first + j)
        fc, pc, wc, gc = has_file[c:e], product[c:e], visit_weight[c:e], grid[c:e]
        for j in range(e - c):
            q = p[2 * np.int64(gc[j]) + np.int64(fc[j])] * (wc[j] + (no_loan if pc[j] == 0 else zero))
            q = one if q > one else q  # np.minimum(1, q) in float32 (a NaN stays NaN, and no draw is below it)
            flags[j] = draw[j] < q
        for k in range(picked(flags, e - c, c, rows, 0)):
            i = rows[k]  # from the block's first row
            trust[i] += trust_gain * (one - trust[i])
            per_grid[grid[i]] += 1
            if has_file[i]:
                seen[n_seen] = lo + i
                n_seen += 1
            else:
                visited[n_vis] = lo + i
                n_vis += 1
    return visited[:n_vis].copy(), seen[:n_seen].copy(), per_grid


def campaign(w: World, policy: Policy, villages: np.ndarray, max_cards: float = np.inf) -> float:
    """整村授信 in ``villages``: households are filed and assessed; the creditworthy are rated and offered a card.

    Args:
        w: the world.
        policy: the month's policy (shared data make the assessment sharper).
        villages: the villages campaigned.
        max_cards: real cards the campaign's money can pay for; households beyond it are rated but wait.

    Returns:
        Real cards issued.
    """
    if villages.size == 0:
        return 0.0
    hh, u, p = w.households, w.u, w.places
    p.village_campaigned[villages] = True
    sel = w.rows_of_villages(np.unique(villages))[0]
    sel = np.sort(sel[~hh.npl[sel]])  # in row order, the order of the campaign's draws
    hh.has_file[sel] = True
    z = w.streams.month("campaigns").random(sel.size, dtype=np.float32)
    rated = sel[credit.rate(w, policy, sel, w.latent_rate[sel] < u.p_rated_given_campaign, z)]
    hh.rated[rated] = True
    grant = rated[(hh.line[rated] == 0) & (w.latent_line[rated] < u.p_line_given_rated)]
    if grant.size * w.weight > max_cards:
        grant = grant[: int(max(0.0, max_cards) // w.weight)]
    hh.line[grant] = credit.credit_lines(w, grant)
    return grant.size * w.weight


def expected_cards_per_village(w: World) -> float:
    """Cards a campaign issues in an average village (for budgeting a campaign)."""
    u, pop = w.u, w.pop
    return pop.households_2015 * pop.rural_share / pop.villages * u.p_rated_given_campaign * u.p_line_given_rated


def lectures(w: World, policy: Policy, n: int) -> int:
    """普惠金融讲堂: ``n`` lectures in villages drawn by size, as far as the managers have the hours.

    Attendees' literacy rises. Returns the lectures held.
    """
    hh, u, p = w.households, w.u, w.places
    rng = w.streams.month("lectures")
    where = rng.choice(p.village_size.size, size=n, p=p.village_size / p.village_size.sum())
    where = where[w.staff.take("lectures", p.village_county[where].astype(np.intp), u.hours_per_lecture,
                               policy.manager_throughput)]
    n = int(where.size)
    villages, count = np.unique(where, return_counts=True)
    rows, sizes = w.rows_of_villages(villages)
    per_row = np.repeat(count * (u.lecture_attendees / w.weight) / np.maximum(sizes, 1), sizes)
    p_attend = np.minimum(1.0, per_row)
    attend = rows[rng.random(rows.size, dtype=np.float32) < p_attend]
    hh.literacy[attend] += u.lecture_literacy_gain * (1 - hh.literacy[attend])
    hh.lectured[attend] = True
    w.lectures_held += n
    return n


def raise_rural_trust(w: World, gain: float) -> None:
    """Close ``gain`` of the trust gap of every farm household (fee relief on their accounts)."""
    if gain > 0:
        hh, n = w.households, w.n_active_rows
        _close_trust_gap(hh.kind[:n], hh.trust[:n], np.float32(gain))


@numba.njit(cache=True, nogil=True)
def _close_trust_gap(kind, trust, gain):
    """``trust += gain * (1 - trust)`` in float32 for every row whose kind is not urban, in place."""
    one = np.float32(1.0)
    for i in range(kind.size):
        t = trust[i]
        trust[i] = t + gain * (one - t) if kind[i] != URBAN else t  # a select, not a branch: kinds are mixed


def files_from_data(w: World, p_month: float) -> None:
    """Information files built from shared data for unfiled households (probability per month).

    A row's draw is a function of (seed, month, row), the same whichever other rows are unfiled (common random
    numbers), made in a pass over the formed rows.
    """
    key = w.streams.keys("data_files", 1)[0]
    over_blocks(flag_drawn_below, w.n_active_rows, w.households.has_file, key, np.float32(p_month))


def issue_worker_cards(w: World, policy: Policy, rows_wanted: int, line: float) -> float:
    """一卡一贷: give workers without a line, whom the bank assesses as creditworthy, a card with a line.

    Args:
        w: the world.
        policy: the month's policy.
        rows_wanted: rows to reach (whole rows).
        line: the line at 2015 prices (CNY); it grows with incomes.

    Returns:
        Real cards issued.
    """
    hh = w.households
    n = w.n_active_rows
    if rows_wanted <= 0:
        return 0.0
    # the trade unions' lists: the workers most keen on a card first, among those without a line or a default
    cand = _keenest_without_line(w.workers_by_keenness, n, hh.line, hh.npl, hh.history, rows_wanted)
    if cand.size == 0:
        return 0.0
    # the bank assesses each; a worker it judges too risky gets no card
    z = w.streams.rows("campaigns", cand, 1)[0]
    cand = cand[credit.rate(w, policy, cand, np.ones(cand.size, bool), z)]
    hh.line[cand] = np.minimum(np.float32(line * w.income_index), credit.credit_lines(w, cand))
    hh.has_file[cand] = True
    return cand.size * w.weight


@numba.njit(cache=True, nogil=True)
def _keenest_without_line(order, n, line, npl, history, k):
    """The first ``k`` rows of ``order`` below ``n`` with no line, no loan in arrears and no default.

    The walk stops at the ``k``-th: it passes only the keen workers who already hold a line (most of the
    first ones), not the half a million who qualify, which a mask over every row and a partition would read.
    """
    out = np.empty(k, np.int64)
    m = 0
    for j in range(order.size):
        if m == k:
            break
        i = order[j]
        if i < n and line[i] == 0 and not npl[i] and history[i] != DEFAULTED:
            out[m] = i
            m += 1
    return out[:m].copy()


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
