"""Who is reached: credit, service and costs by group of households and enterprises, month by month.

The plan names its priority groups: remote, mountain and island villages, low-income households, small firms
and city low-income residents (plan §二(一), §三(三)). This module declares the groups once, in
:data:`HOUSEHOLD_DIMENSIONS` and :data:`ENTERPRISE_DIMENSIONS`: a dimension is one line, a function of the world
returning a group code per row and the groups' names. Every group is fixed per row at end-2015 (after the
spin-up): its income quintile, its distance band, its village's terrain, so a group's change over time is the
change of the same households, not of who belongs to it.

Each month :class:`Equity` measures every group. The households' dimensions are combined into one joint code
per row (mixed radix), so a month costs one compiled pass over the rows whatever the number of
dimensions; each dimension's groups are then sums over the joint cells. No Python loop touches a row.

Outputs: :meth:`Equity.table` (``month, dimension, group, metric, value``, ``equity.parquet``) and the summary
measures (:func:`summary_measures`): the concentration index of access by income and the remote–near and
bottom–top quintile gaps, for lines, loans, digital use and distance.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

import numba
import numpy as np
import pandas as pd

from sim.calendar import month_label, year_index
from sim.parallel import over_blocks, side_by_side, summed
from sim.population import (
    COUNTIES_EN,
    ENTERPRISE_KINDS,
    LOW_INCOME,
    LOW_INCOME_LOAN,
    URBAN,
    index_dtype,
)

if TYPE_CHECKING:
    from sim.policy import Policy
    from sim.world import World

# Distance bands to the nearest service point at end-2015, km: the edges of the plan's "remote" question; a
# grouping, not behaviour (the model's own remoteness threshold is ``population.remote_km``).
DISTANCE_BANDS_KM = (2.0, 5.0, 10.0)
QUINTILES = 5

Dimension = tuple[tuple[str, ...], Callable[["World"], np.ndarray]]


def _county(w: World) -> np.ndarray:
    return w.households.county


def _income_quintile(w: World) -> np.ndarray:
    """Quintiles of rural households' income at end-2015 (0 = poorest); urban households are group 5.

    The cut points are those of the rural households formed by end-2015; households formed later are placed by
    their own income at 2015 prices (every income grows by the same index).
    """
    hh, n0 = w.households, w._hh_rows[0]
    index = np.float32(w.income_index)
    # the rural incomes at 2015 prices, divided where they were selected (no full-length temporaries: touching fresh
    # memory costs more than the division) and partitioned in place
    rural_2015 = hh.income[:n0][hh.kind[:n0] != URBAN]
    rural_2015 /= index
    cuts = np.quantile(rural_2015, np.arange(1, QUINTILES) / QUINTILES, overwrite_input=True)
    return _quintiles(hh.income, index, hh.kind, cuts, QUINTILES)


@numba.njit(cache=True, nogil=True)
def _quintiles(income, index, kind, cuts, other):
    """``np.where(kind != URBAN, np.searchsorted(cuts, income / index, side="right"), other)``, compared in float64.

    NumPy's ``searchsorted`` of float32 incomes in float64 cut points converts element by element (0.1 s
    at full scale); a count of the few cut points at or below each income is the same index. The income at
    2015 prices is divided in float32, as NumPy divides a float32 column by a float32.
    """
    out = np.empty(income.size, np.int8)
    for i in range(income.size):
        if kind[i] != URBAN:
            x = np.float64(income[i] / index)
            k = 0
            for c in cuts:
                k += c <= x
            out[i] = k
        else:
            out[i] = other
    return out


@numba.njit(cache=True, nogil=True)
def _inverse(income, index):
    """``index / max(income, 1)`` per row in float64 (one pass; NumPy made two temporaries of every row)."""
    out = np.empty(income.size)
    one = np.float32(1.0)
    for i in range(income.size):
        out[i] = index / np.float64(max(income[i], one))
    return out


_KIND_CODE = np.zeros((3, 2), np.int8)  # _household_kind's code by (kind, urban worker): farm 0, low-income 1
_KIND_CODE[LOW_INCOME] = 1
_KIND_CODE[URBAN] = (3, 2)  # other urban, urban worker


def _household_kind(w: World) -> np.ndarray:
    """Farm, low-income farm, urban worker (工薪: the worker-card market) and other urban households."""
    # a row's code looked up by (kind, worker) in one gather: one byte a row, no full-length masks
    return _KIND_CODE.ravel()[2 * w.households.kind + w.is_worker]


def _by_place(w: World, village: np.ndarray, urban: int) -> np.ndarray:
    """A group per row from a group per village (end-2015, before the merger); urban households get ``urban``.

    Built per place and gathered once: cheaper than testing every row (a full-scale run has 2.5 million).
    """
    per_place = np.concatenate([np.asarray(village, np.int8),  # one byte a row, as the codes are written
                                np.full(w.places.community_county.size, urban, np.int8)])
    return per_place[w.hh_place]


def _village_distance(w: World) -> np.ndarray:
    """Each village's distance (km) to the nearest service point at end-2015 (a station in it included)."""
    return w.place_access()[1][: w.places.village_size.size]


def _remoteness(w: World) -> np.ndarray:
    """Distance band of a village at end-2015 (:data:`DISTANCE_BANDS_KM`); urban households last."""
    band = np.searchsorted(np.asarray(DISTANCE_BANDS_KM, np.float32), _village_distance(w), side="right")
    return _by_place(w, band, len(DISTANCE_BANDS_KM) + 1)


def _terrain(w: World) -> np.ndarray:
    """Plain, mountain or island village (an island village in a mountain county counts as island); urban."""
    p = w.places
    return _by_place(w, np.where(p.village_island, 2, np.where(p.village_mountain, 1, 0)), 3)


def _remote(w: World) -> np.ndarray:
    """The plan's remote villages at end-2015 (mountain, island or ``remote_km`` or more from an outlet)."""
    p = w.places
    remote = p.village_mountain | p.village_island | (_village_distance(w) >= w.pop.remote_km)
    return _by_place(w, remote, 2)


def _band_names() -> tuple[str, ...]:
    edges = ("0", *(f"{e:g}" for e in DISTANCE_BANDS_KM))
    return (*(f"{a}-{b}km" for a, b in itertools.pairwise(edges)), f"{edges[-1]}km+", "urban")


# name -> (group names, the group code of every household row). A new grouping is one line here.
HOUSEHOLD_DIMENSIONS: dict[str, Dimension] = {
    "county": (COUNTIES_EN, _county),
    "income_quintile": ((*(f"q{i + 1}" for i in range(QUINTILES)), "urban"), _income_quintile),
    "household_kind": (("farm", "low_income", "urban_worker", "urban_other"), _household_kind),
    "remoteness": (_band_names(), _remoteness),
    "terrain": (("plain", "mountain", "island", "urban"), _terrain),
    "remote": (("near", "remote", "urban"), _remote),
}
# the dimensions whose groups vary among the households of one end-2015 place (the others follow from the place)
WITHIN_PLACE = ("income_quintile", "household_kind")
# the same for enterprise rows
ENTERPRISE_DIMENSIONS: dict[str, Dimension] = {
    "enterprise_kind": (ENTERPRISE_KINDS, lambda w: w.enterprises.kind.astype(np.intp)),
}

# the flags of a household row counted per group, one bit each
_FLAGS = ("with_file", "rated", "with_line", "digital")
HOUSEHOLD_METRICS = ("households", "with_file", "rated", "with_line", "with_loan", "loan_balance",
                     "line_to_income", "applications", "approvals", "approval_rate", "defaults", "default_rate",
                     "distance_km", "digital", "share_with_line", "share_with_loan", "share_digital",
                     "fees_per_household", "interest_per_household")
ENTERPRISE_METRICS = ("enterprises", "rated", "with_loan", "loan_balance", "defaults", "default_rate", "digital",
                      "share_with_loan")
# what the summary measures compare: metric of the table -> short name
ACCESS = {"share_with_line": "line", "share_with_loan": "loan", "share_digital": "digital",
          "distance_km": "distance"}
SUMMARY = "summary"  # the dimension of the summary measures in the table


class Equity:
    """Group codes fixed at end-2015 and the month-by-month measures of every group.

    Args:
        world: the world after the spin-up (end-2015).
    """

    def __init__(self, world: World):
        self.world = world
        self.labels = {name: labels for name, (labels, _) in HOUSEHOLD_DIMENSIONS.items()}
        sizes = [len(labels) for labels in self.labels.values()]
        # every dimension's code of every row, one byte each (a dimension has at most a dozen groups); each
        # dimension is a function of the world that writes nothing, so they run side by side; their columns
        # go to the joint cells as they are (a table of them would be fresh memory to fill, and to touch)
        dims = list(HOUSEHOLD_DIMENSIONS.values())
        codes = tuple(np.asarray(code, np.int8) for code in side_by_side(*[lambda fn=fn: fn(world) for _, fn in dims]))
        # the joint cells some household is in (about 600 of the 12,960 combinations at any scale: a place fixes
        # county, distance, terrain and remoteness), numbered in their order; households formed later are
        # in the table already, so the cells do not change during a run
        self.joint = np.empty(world.households.n, index_dtype(int(np.prod(sizes))))
        cell = _joint_cells(codes, np.asarray(sizes, np.int64), self.joint)
        del codes
        self.n_cells = int(cell.size)
        # each dimension's group of every cell (the cells' mixed-radix digits)
        self.cell_group: dict[str, np.ndarray] = {}
        for name, size in reversed(list(zip(self.labels, sizes, strict=True))):
            self.cell_group[name] = cell % size
            cell = cell // size
        self.cell_group = dict(reversed(self.cell_group.items()))  # the declared order
        self.ent_codes = {name: np.asarray(fn(world), np.intp) for name, (_, fn) in ENTERPRISE_DIMENSIONS.items()}
        self.labels.update({name: labels for name, (labels, _) in ENTERPRISE_DIMENSIONS.items()})
        hh = world.households
        # line relative to income: incomes all grow by one index, so 1 / income at 2015 prices is fixed per row
        # (64-bit, so that the month's line x 1/income is already the type the sums are in)
        self.inv_income_2015 = _inverse(hh.income, world.income_index)
        self.dims = list(self.cell_group)
        self.sizes = tuple(sizes)
        self._init_places()
        self.records: list[dict[str, dict[str, np.ndarray]]] = []

    def _init_places(self) -> None:
        """Rows by (end-2015 place, joint cell): distance is a place's, so it is summed over these, not rows.

        A row's end-2015 place fixes its county, distance band, terrain and remoteness; its income quintile
        and kind vary within the place (:data:`WITHIN_PLACE`). So (place, joint cell) pairs number at most
        places x 24, and their counts grow with the rows formed each month. Villages that merge (2017) keep
        their rows' pairs; each pair's current place is looked up when the places change.
        """
        w = self.world
        self.n_places = int(w.hh_place.max()) + 1
        within = np.zeros(self.n_cells, np.int32)
        n_within = 1
        for name in WITHIN_PLACE:
            within = within * len(self.labels[name]) + self.cell_group[name]
            n_within *= len(self.labels[name])
        # only the pairs some row has are kept, numbered in their order: a coarse run has few of the
        # places x 24 (a month's sums then skip the empty ones, which only ever added zeros)
        self.pair, ids, self.pair_cell = _place_pairs(w.hh_place, self.joint, within, n_within,
                                                      self.n_places * n_within)
        if (self.pair_cell < 0).any():
            raise ValueError(f"a household dimension varies within a place: add it to WITHIN_PLACE {WITHIN_PLACE}")
        size = ids.size
        self.pair_counts = np.zeros(size)
        self._pairs_done = 0
        self._place_of = None  # the world's hh_place array the pairs' current places were read from
        self.pair_place = ids // n_within

    def _distance_sums(self, n: int) -> np.ndarray:
        """Distance (km) summed per joint cell over the first ``n`` rows, from the (place, cell) pairs."""
        w = self.world
        if n > self._pairs_done:
            self.pair_counts += np.bincount(self.pair[self._pairs_done:n], minlength=self.pair_counts.size)
            self._pairs_done = n
        if self._place_of is not w.hh_place:  # villages merged: each pair's rows now live in their new village
            self.pair_place[self.pair] = w.hh_place
            self._place_of = w.hh_place
        weights = self.pair_counts * w.place_access()[1][self.pair_place]
        return np.bincount(self.pair_cell, weights=weights, minlength=self.n_cells)

    # ------------------------------------------------------------ the month
    def measure(self, policy: Policy, t: int) -> None:
        """Measure every group at the end of step ``t`` and keep the month's record (:meth:`snapshot`)."""
        self.records.append(self.snapshot(policy, t))

    def snapshot(self, policy: Policy, t: int) -> dict[str, dict[str, np.ndarray]]:
        """Every group's raw sums now: dimension -> sum -> one value per group (:func:`derive` publishes them).

        Fees and interest are what households pay the bank, estimated from declared parameters (the rules do
        not track payments per row):

        - fees per month: ``accounts_per_household`` x (account fee + card fee) / 12 for every household, and
          ``transfers_per_customer_month`` x ``transfer_fee`` for every digital customer
          (``levers.fee_waivers``), less the month's waived share (``Policy.fee_waiver_share``) on rural
          households' account and card fees and on every digital customer's transfers, as the lever counts
          the fees it forgoes;
        - interest per month: the loan balance x ``uncertainties.farm_loan_rate`` / 12 for every product
          (the model prices every household loan at the farm-loan rate), less the rate discount of the year
          (``levers.rate_discounts.intensity``) on discounted balances and the targeted product's discount
          (``levers.low_income_loans.rate_discount_bp``) on low-income loans, each while its lever is on.
          Green pricing and housing-loan discounts are left out.
        """
        w, hh, ent = self.world, self.world.households, self.world.enterprises
        n, ne, wt = w.n_active_rows, w.n_active_ent, w.weight
        nc = self.n_cells
        # by joint cell: rows, rows with each flag of _FLAGS, line/income (a pass over the rows on every thread);
        # borrowers and the loan balance by (joint cell, discount): 0 none, 1 rate discount, 2 the targeted
        # low-income product, 3 both, over the borrowers only (the rows the month's loan book was grouped from,
        # World.loan_groups); the firms' groups; the distances. The last three read what none of the others
        # writes, each on one thread: side by side.
        counts, line_sum = row_sums(self.joint, hh.has_file[:n], hh.rated[:n], hh.line[:n], hh.digital[:n],
                                    self.inv_income_2015[:n], nc)
        (with_loan, bal), ent_sums, distance = side_by_side(
            lambda: _snapshot_borrowers(self.joint, w.hh_loan_rows, hh.discounted, hh.product, hh.loan, nc),
            lambda: {name: _enterprise_pass(code, ent.rated[:ne], ent.product[:ne], ent.digital[:ne], w.ent_loan_rows,
                                            ent.loan, len(self.labels[name])) for name, code in self.ent_codes.items()},
            lambda: self._distance_sums(n))
        bal = bal.reshape(nc, 4) * wt
        cells: dict[str, np.ndarray] = {"households": counts[0] * wt}
        for i, name in enumerate(_FLAGS):
            cells[name] = counts[i + 1] * wt
        cells["with_loan"] = with_loan * wt
        cells["loan_balance"] = bal.sum(axis=1)
        cells["line_to_income_sum"] = line_sum / w.income_index * wt
        cells["distance_sum"] = distance * wt
        ev = w.credit_events
        for name in ("applications", "approvals", "defaults"):
            rows = ev.get(name, np.zeros(0, np.intp))
            cells[name] = np.bincount(self.joint[rows], minlength=nc) * wt
        cells["fees"] = self._fees(policy, cells)
        cells["interest"] = self._interest(bal, t)
        ent_rec = {}
        for name, code in self.ent_codes.items():
            g = len(self.labels[name])
            by, balance = ent_sums[name]
            by = by.reshape(g, 8) * wt
            ent_rec[name] = {
                "enterprises": by.sum(axis=1),
                "rated": by[:, 1::2].sum(axis=1),
                "with_loan": by[:, [2, 3, 6, 7]].sum(axis=1),
                "digital": by[:, 4:].sum(axis=1),
                "loan_balance": balance * wt,
                "defaults": np.bincount(code[ev.get("ent_defaults", np.zeros(0, np.intp))], minlength=g) * wt,
            }
        # a dimension's groups: the sums of their cells (a float64 sum per group, adding cells in their order)
        keys = list(cells)
        grid = np.column_stack([cells[k] for k in keys])
        rec = {}
        for name, size in zip(self.dims, self.sizes, strict=True):
            summed = _group_sums(self.cell_group[name], grid, size)
            rec[name] = dict(zip(keys, summed.T, strict=True))
        rec.update(ent_rec)
        return rec

    def _fees(self, policy: Policy, cells: dict[str, np.ndarray]) -> np.ndarray:
        """Fees paid this month per joint cell, CNY (see :meth:`measure` for the assumptions)."""
        c = self.world.cfg.levers.fee_waivers
        waived = float(policy.fee_waiver_share)
        account = c.accounts_per_household * (c.account_fee_per_year + c.card_fee_per_year) / 12.0
        rural = self.cell_rural
        per_household = np.where(rural, account * (1 - waived), account)
        return cells["households"] * per_household + cells["digital"] * (
            c.transfers_per_customer_month * c.transfer_fee * (1 - waived))

    @property
    def cell_rural(self) -> np.ndarray:
        """Whether each joint cell holds rural households (its household kind is farm or low-income)."""
        return self.cell_group["household_kind"] < 2

    def _interest(self, bal: np.ndarray, t: int) -> np.ndarray:
        """Interest paid this month per joint cell, CNY (see :meth:`measure` for the assumptions)."""
        cfg = self.world.cfg
        rd, li = cfg.levers.rate_discounts, cfg.levers.low_income_loans
        y = year_index(max(t, 0))
        rd_bp = float(rd.intensity[y]) if rd.enabled else 0.0
        li_bp = float(li.rate_discount_bp) if li.enabled else 0.0
        rate = np.array([0.0, rd_bp, li_bp, rd_bp + li_bp]) / 1e4
        return (bal.sum(axis=1) * cfg.uncertainties.farm_loan_rate - bal @ rate) / 12.0

    # ------------------------------------------------------------ the table
    def table(self) -> pd.DataFrame:
        """Every group, metric and month as a tidy table ``month, dimension, group, metric, value``.

        Counts and money are in real units (households, CNY); shares and rates in [0, 1]; ``distance_km`` the
        mean over the group's households; ``line_to_income`` the mean line relative to yearly income over the
        households with a line; ``approval_rate`` approvals over applications this month; ``default_rate``
        borrowers falling into default this month over borrowers at the month's end (NaN where the
        denominator is 0); fees and interest per household and month (CNY). The summary measures are rows of
        dimension ``summary`` (:func:`summary_measures`).
        """
        frames = []
        for t, rec in enumerate(self.records):
            month = month_label(t)
            for dim, raw in rec.items():
                for metric, values in derive(raw).items():
                    frames.append((month, dim, self.labels[dim], metric, values))
        rows = pd.DataFrame({
            "month": np.repeat([f[0] for f in frames], [len(f[2]) for f in frames]),
            "dimension": np.repeat([f[1] for f in frames], [len(f[2]) for f in frames]),
            "group": np.concatenate([np.asarray(f[2], object) for f in frames]) if frames else [],
            "metric": np.repeat([f[3] for f in frames], [len(f[2]) for f in frames]),
            "value": np.concatenate([np.asarray(f[4], float) for f in frames]) if frames else [],
        })
        return pd.concat([rows, summary_measures(rows)], ignore_index=True)


@numba.njit(cache=True, nogil=True)
def _joint_cells(codes, sizes, cell):
    """Each row's joint cell, into ``cell``: numbered among the occupied ones, from its code in each of ``codes``.

    The joint code is mixed radix, the first dimension the most significant (``np.ravel_multi_index``); the
    occupied codes are numbered in ascending order.

    Returns:
        The occupied joint codes (int64, ascending).
    """
    d, n = len(codes), cell.size
    total = 1
    for k in range(d):
        total *= sizes[k]
    number = np.zeros(total, np.int64)
    for i in range(n):  # mark the occupied codes
        j = np.int64(0)
        for k in range(d):
            j = j * sizes[k] + codes[k][i]
        number[j] = 1
    occupied = np.flatnonzero(number)
    for c in range(occupied.size):
        number[occupied[c]] = c
    for i in range(n):  # the code again rather than kept: a row's six bytes are cheaper to read than 8 to store
        j = np.int64(0)
        for k in range(d):
            j = j * sizes[k] + codes[k][i]
        cell[i] = number[j]
    return occupied


@numba.njit(cache=True, nogil=True)
def _place_pairs(place, cell, within, n_within, n_pairs):
    """Each row's (place, within-place group) pair, numbered among the occupied ones, and each pair's cell.

    A row's pair code is ``place * n_within + within[cell]``; the occupied codes are numbered in ascending
    order.

    Returns:
        Every row's pair number (int32), the occupied pair codes (ascending), and each pair's joint cell, or -1
        where the rows of one pair are in different cells (a dimension that varies within a place but is not
        in :data:`WITHIN_PLACE`).
    """
    number = np.zeros(n_pairs, np.int64)
    for i in range(place.size):
        number[np.int64(place[i]) * n_within + within[cell[i]]] = 1
    occupied = np.flatnonzero(number)
    for c in range(occupied.size):
        number[occupied[c]] = c
    pair = np.empty(place.size, np.int32)  # places x 24 at most: four bytes a row, not eight
    pair_cell = np.full(occupied.size, -2, np.int64)  # -2: no row seen yet
    for i in range(place.size):
        p = number[np.int64(place[i]) * n_within + within[cell[i]]]
        pair[i] = p
        if pair_cell[p] == -2:
            pair_cell[p] = cell[i]
        elif pair_cell[p] != cell[i]:
            pair_cell[p] = -1
    return pair, occupied, pair_cell


def row_sums(joint, has_file, rated, line, digital, inv_income, n_cells):
    """A month's household sums by joint cell over the active rows (:func:`_snapshot_borrowers`: the borrowers').

    The pass runs on blocks of rows (several cores at full scale: :mod:`sim.parallel`). Each float64 sum
    adds its rows in row order within a block, as ``np.bincount`` does, and the blocks in order: at the
    default scale (one block) the sums are those of NumPy.

    Args:
        joint: every row's joint cell.
        has_file: whether each active row has a file.
        rated: whether each active row is rated.
        line: each active row's credit line (float32).
        digital: whether each active row uses the platform.
        inv_income: each active row's 1 / income at 2015 prices (float64).
        n_cells: the number of joint cells.

    Returns:
        By cell: rows and rows with a file, rated, with a line and digital (shape (5, cells)); the sum of line x
        ``inv_income``.
    """
    counts, line_sum = summed(over_blocks(_snapshot_rows, has_file.size, joint, has_file, rated, line, digital,
                                          inv_income, n_cells))
    return counts.T.copy(), line_sum


@numba.njit(cache=True, nogil=True)
def _snapshot_rows(lo, hi, joint, has_file, rated, line, digital, inv_income, n_cells):
    """Rows ``lo`` to ``hi`` by joint cell: five counts (rows, file, rated, line, digital) and line x ``inv_income``."""
    counts = np.zeros((n_cells, 5), np.int64)  # a cell's five counters side by side: one cache line a row
    line_sum = np.zeros(n_cells)
    # the block's rows as views, indexed from 0 (why: sim.parallel)
    joint, has_file, rated, line = joint[lo:hi], has_file[lo:hi], rated[lo:hi], line[lo:hi]
    digital, inv_income = digital[lo:hi], inv_income[lo:hi]
    for i in range(hi - lo):
        cell = np.int64(joint[i])
        counts[cell, 0] += 1
        counts[cell, 1] += np.int64(has_file[i])
        counts[cell, 2] += np.int64(rated[i])
        counts[cell, 3] += np.int64(line[i] > 0)
        counts[cell, 4] += np.int64(digital[i])
        line_sum[cell] += np.float64(line[i]) * inv_income[i]
    return counts, line_sum


@numba.njit(cache=True, nogil=True)
def _snapshot_borrowers(joint, loan_rows, discounted, product, loan, n_cells):
    """Borrowers by joint cell, and their balance by (cell, discount), in the borrowers' order.

    The balance's index is ``cell * 4 + discount``, with bit 0 the rate discount and bit 1 the low-income product.
    """
    with_loan = np.zeros(n_cells, np.int64)
    bal = np.zeros(n_cells * 4)
    for r in loan_rows:
        cell = np.int64(joint[r])
        with_loan[cell] += 1
        bal[cell * 4 + (np.int64(discounted[r]) | np.int64(product[r] == LOW_INCOME_LOAN) << 1)] += np.float64(loan[r])
    return with_loan, bal


@numba.njit(cache=True, nogil=True)
def _enterprise_pass(code, rated, product, digital, loan_rows, loan, n_groups):
    """A month's enterprise counts and balances by group, one pass over the active rows and one over the borrowers.

    Args:
        code: every row's group (intp).
        rated: whether each active row is rated.
        product: each active row's loan product (0: none).
        digital: whether each active row uses the platform.
        loan_rows: the borrowers' rows.
        loan: every row's balance (float32).
        n_groups: the number of groups.

    Returns:
        Rows by (group, flags), ``group * 8 + flags`` with the flags rated, borrowing and digital as bits 0-2;
        the balance by group (float64, added in row order as ``np.bincount`` adds).
    """
    by = np.zeros(n_groups * 8, np.int64)
    for i in range(rated.size):
        by[code[i] * 8 + (np.int64(rated[i]) | np.int64(product[i] != 0) << 1 | np.int64(digital[i]) << 2)] += 1
    balance = np.zeros(n_groups)
    for r in loan_rows:
        balance[code[r]] += np.float64(loan[r])
    return by, balance


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def derive(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The published metrics of one dimension from its raw sums (counts, balances, sums of km and of ratios)."""
    if "enterprises" in raw:
        out = {k: raw[k] for k in ("enterprises", "rated", "with_loan", "loan_balance", "defaults", "digital")}
        out["default_rate"] = _ratio(raw["defaults"], raw["with_loan"])
        out["share_with_loan"] = _ratio(raw["with_loan"], raw["enterprises"])
        return {k: out[k] for k in ENTERPRISE_METRICS}
    n = raw["households"]
    out = {k: raw[k] for k in ("households", "with_file", "rated", "with_line", "with_loan", "loan_balance",
                               "applications", "defaults", "digital")}
    out["approvals"] = raw["approvals"]
    out["line_to_income"] = _ratio(raw["line_to_income_sum"], raw["with_line"])
    out["approval_rate"] = _ratio(raw["approvals"], raw["applications"])
    out["default_rate"] = _ratio(raw["defaults"], raw["with_loan"])
    out["distance_km"] = _ratio(raw["distance_sum"], n)
    out["share_with_line"] = _ratio(raw["with_line"], n)
    out["share_with_loan"] = _ratio(raw["with_loan"], n)
    out["share_digital"] = _ratio(raw["digital"], n)
    out["fees_per_household"] = _ratio(raw["fees"], n)
    out["interest_per_household"] = _ratio(raw["interest"], n)
    return {k: out[k] for k in HOUSEHOLD_METRICS}


def concentration_index(share: np.ndarray, mean: np.ndarray) -> np.ndarray | float:
    """The concentration index of ``mean`` over groups ordered from poorest to richest, from grouped data.

    ``CI = 2 cov(y, r) / mean(y)`` with ``r`` each household's fractional income rank, computed on groups:
    every household of group j takes the group's mean ``y_j`` and its rank midpoint
    ``R_j = sum_{k<j} f_k + f_j / 2``, so ``CI = (2 / mu) sum_j f_j y_j R_j - 1`` (O'Donnell, van Doorslaer,
    Wagstaff & Lindelow 2008, *Analyzing Health Equity Using Household Survey Data*, World Bank, ch. 8).
    Positive: the measure is concentrated among the better-off. On quintiles it ignores the variation inside
    each quintile, so it understates the household-level index in absolute value.

    Args:
        share: each group's population (any unit; normalised here), groups on the last axis.
        mean: each group's mean of the measure, the same shape.

    Returns:
        The index (one per row when the inputs are 2-D); NaN where the mean is 0 or undefined.
    """
    f = np.atleast_2d(np.asarray(share, float))
    y = np.atleast_2d(np.asarray(mean, float))
    total = f.sum(axis=1, keepdims=True)
    f = f / np.where(total > 0, total, np.nan)
    mu = (f * y).sum(axis=1)
    rank = np.cumsum(f, axis=1) - f / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        ci = np.where(mu != 0, 2.0 / mu * (f * y * rank).sum(axis=1) - 1.0, np.nan)
    return float(ci[0]) if np.ndim(mean) == 1 else ci


def summary_measures(table: pd.DataFrame) -> pd.DataFrame:
    """Per month and access measure (:data:`ACCESS`): concentration index and the two gaps.

    Rows ``dimension='summary'``, ``group`` one of ``concentration_index`` (over the rural income quintiles),
    ``remote_near_gap`` (remote villages minus near ones, the plan's definition of remote) and
    ``bottom_top_gap`` (poorest rural quintile minus richest), ``metric`` one of line, loan, digital, distance
    (shares of households, distance in km).
    """
    quint = [f"q{i + 1}" for i in range(QUINTILES)]
    q = table[(table["dimension"] == "income_quintile") & table["group"].isin(quint)]
    q = q.pivot(index="month", columns=["metric", "group"], values="value")
    r = table[table["dimension"] == "remote"].pivot(index="month", columns=["metric", "group"], values="value")
    people = q["households"][quint].to_numpy()
    frames = []
    for metric, short in ACCESS.items():
        y = q[metric][quint].to_numpy()
        for group, values in (("concentration_index", concentration_index(people, y)),
                              ("remote_near_gap", (r[metric]["remote"] - r[metric]["near"]).to_numpy()),
                              ("bottom_top_gap", y[:, 0] - y[:, -1])):
            frames.append(pd.DataFrame({"month": q.index, "dimension": SUMMARY, "group": group, "metric": short,
                                        "value": np.asarray(values, float)}))
    return pd.concat(frames, ignore_index=True).sort_values("month", kind="stable").reset_index(drop=True)


def record_gaps(rec: dict[str, dict[str, np.ndarray]]) -> dict[str, float]:
    """The summary measures of one month's record (:meth:`Equity.snapshot`), named as :func:`end_gaps` names them."""
    q = derive(rec["income_quintile"])
    r = derive(rec["remote"])
    near, remote = (HOUSEHOLD_DIMENSIONS["remote"][0].index(g) for g in ("near", "remote"))
    out = {}
    for metric, short in ACCESS.items():
        y = q[metric][:QUINTILES]
        out[f"concentration_index_{short}"] = float(concentration_index(q["households"][:QUINTILES], y))
        out[f"remote_near_gap_{short}"] = float(r[metric][remote] - r[metric][near])
        out[f"bottom_top_gap_{short}"] = float(y[0] - y[-1])
    return out


def end_gaps(table: pd.DataFrame) -> dict[str, float]:
    """The summary measures of the last month, named ``<measure>_<access>`` (e.g. ``remote_near_gap_loan``)."""
    s = table[table["dimension"] == SUMMARY]
    last = s[s["month"] == s["month"].max()]
    return {f"{g}_{m}": float(v) for g, m, v in zip(last["group"], last["metric"], last["value"], strict=True)}


@numba.njit(cache=True, nogil=True)
def _group_sums(group, grid, n_groups):
    """Each group's sum of the cells' rows of ``grid`` (cells x values), adding the cells in their order."""
    out = np.zeros((n_groups, grid.shape[1]))
    for c in range(grid.shape[0]):
        g = group[c]
        for k in range(grid.shape[1]):
            out[g, k] += grid[c, k]
    return out
