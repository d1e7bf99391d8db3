"""Row passes on several cores: a compiled pass runs on fixed blocks of rows, spread over threads.

The compiled passes release the GIL (``nogil=True``), so Python threads run them truly in parallel. A pass
takes its rows as a block ``[lo, hi)``; the blocks are fixed (``BLOCK_ROWS`` rows each, the last one
shorter), whatever the number of threads, and their results are combined in block order: picked rows are
concatenated, integer counts added, and float sums added block after block. So a run gives the same numbers,
bit for bit, on one thread or on eight. Up to ``BLOCK_ROWS`` rows (the default scale) a pass is one block,
run in the caller's thread, and its float sums add the rows in row order.

A pass takes views of its block's rows and loops from 0, writing ``lo + i`` where it needs the row's number
(its draws, the rows it picks): a loop ``for i in range(lo, hi)`` measured a third slower, since with a start
of unknown sign Numba checks every index for a negative value.

A pass that picks a few rows (those with a need, say) decides ``CHUNK`` rows at a time into a byte per row,
in a loop without branches or look-ups in small tables (a choice among three values is two selects), which
the compiler turns into vector instructions, row draws included; :func:`picked` then collects the few rows
flagged. Deciding and picking row by row in one loop measured three to four times slower: its branches and
table look-ups keep the loop scalar.

How many threads: the ``SIM_THREADS`` environment variable, else the cores this process may use (at most
``MAX_THREADS``). Experiment workers run one thread each, since they already run one process per core.

Numba's own ``parallel=True`` is not used: the only threading layer its PyPI wheels carry everywhere
(``workqueue``) aborts the process when two Python threads enter parallel code at once, which the workshop
page (stepping in a background thread) would do, and its reductions add floats in an order that depends on
the threads.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
from numba import njit

from sim.params import ConfigError

CHUNK = 4096  # rows a picking pass decides at once before it collects the flagged ones (a multiple of 8)
BLOCK_ROWS = 1 << 18  # 262,144: the default scale's 235,000 active rows are one block
MAX_THREADS = 8
MIN_ELEMENTWISE_ROWS = 50_000  # rows per part below which NumPy's fixed cost per call outweighs a thread

_lock = threading.Lock()
_pool: tuple[int, int, ThreadPoolExecutor] | None = None  # (process id, helper threads, pool)
_threads: int | None = None


def default_threads() -> int:
    """``SIM_THREADS`` if set (a positive integer), else the cores this process may use, at most ``MAX_THREADS``.

    Raises:
        ConfigError: ``SIM_THREADS`` is not a positive integer.
    """
    raw = os.environ.get("SIM_THREADS", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigError("SIM_THREADS", raw, "a positive integer: threads for the row passes (unset: the cores)")
        return int(raw)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, cores))


def threads() -> int:
    """Threads the row passes of this process use."""
    return _threads if _threads is not None else default_threads()


def set_threads(n: int | None) -> None:
    """Set the threads of the row passes for this process (``None``: back to :func:`default_threads`).

    Raises:
        ValueError: ``n`` is not a positive integer.
    """
    global _threads
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"threads={n!r}: expected a positive integer or None")
    _threads = n


def blocks(n: int) -> list[tuple[int, int]]:
    """The fixed blocks ``[lo, hi)`` covering ``n`` rows: ``BLOCK_ROWS`` each, the last one shorter."""
    edges = [*range(0, n, BLOCK_ROWS), n] if n else [0, 0]
    return list(itertools.pairwise(edges))


def _executor() -> ThreadPoolExecutor:
    """The process's pool of helper threads (:func:`threads` less one: the caller works too).

    Made again after a fork or a change of threads.
    """
    global _pool
    k = max(1, threads() - 1)
    with _lock:
        if _pool is None or _pool[0] != os.getpid() or _pool[1] != k:
            if _pool is not None and _pool[0] == os.getpid():
                _pool[2].shutdown(wait=False)  # its threads end once idle (a forked child has none to end)
            _pool = (os.getpid(), k, ThreadPoolExecutor(k, thread_name_prefix="sim-rows"))
        return _pool[2]


def over_blocks(kernel: Callable[..., Any], n: int, *args: Any) -> list[Any]:
    """Call ``kernel(lo, hi, *args)`` on each block of ``n`` rows, in threads when there are several blocks.

    Args:
        kernel: a compiled pass with ``nogil=True`` whose first two arguments bound its rows.
        n: the rows.
        *args: the pass's other arguments, the same for every block.

    Returns:
        The pass's results, in block order.
    """
    # each thread takes the next block until none is left (side_by_side); a task per block cost 10 hand-overs a
    # pass at full scale, about 0.13 ms; which thread ran a block does not matter, since results go to its place
    return side_by_side(*[functools.partial(kernel, lo, hi, *args) for lo, hi in blocks(n)])


def _settle(helpers: list[Future]) -> None:
    """After the caller's own part failed: cancel the helpers not started and wait for the others.

    Their errors are not raised: the caller's is.
    """
    for helper in helpers:
        if not helper.cancel():
            helper.exception()


def elementwise(func: Callable[[np.ndarray], Any], rows: np.ndarray, min_rows: int | None = None) -> Any:
    """``func(rows)`` for a function whose result and effects for a row depend on that row alone.

    Many rows are split into one contiguous part per thread: NumPy releases the GIL inside each operation and
    the compiled passes do too, so the parts run in parallel, and the result is the same as one call's, since
    nothing mixes rows.

    Args:
        func: maps an array of rows to one value per row, or to a tuple of arrays in the order of ``rows``
            (one value per row, or the rows it picked); the parts' arrays are joined in order.
        rows: the rows (an index array).
        min_rows: rows per part below which another thread costs more than it saves (a long chain of NumPy
            calls on the rows pays off sooner than a short one); default ``MIN_ELEMENTWISE_ROWS``.
    """
    k = min(threads(), rows.size // (min_rows or MIN_ELEMENTWISE_ROWS))
    if k <= 1:
        return func(rows)
    edges = [rows.size * j // k for j in range(k + 1)]
    chunks = [rows[a:b] for a, b in itertools.pairwise(edges)]
    pool = _executor()
    helpers = [pool.submit(func, chunk) for chunk in chunks[1:]]
    try:
        parts = [func(chunks[0])]  # the caller takes the first part
    except BaseException:
        _settle(helpers)
        raise
    # a part no helper has started is the caller's too (called from a helper thread, it may wait behind itself)
    parts += [func(chunk) if helper.cancel() else helper.result() for chunk, helper in zip(chunks[1:], helpers,
                                                                                            strict=True)]
    return concatenated(parts) if isinstance(parts[0], tuple) else np.concatenate(parts)


def side_by_side(*calls: Callable[[], Any]) -> list[Any]:
    """Independent calls on the helper threads and the caller at once; their results in order.

    For calls of which none writes what another reads (measurements of the same state, say), each spending its
    time in NumPy or compiled passes, which release the GIL: the results are those of the calls one after the
    other. Each thread takes the next call until none is left, as :func:`over_blocks` takes blocks.
    """
    k = min(threads(), len(calls))
    if k <= 1:
        return [call() for call in calls]
    results: list[Any] = [None] * len(calls)
    claim = itertools.count()

    def work() -> None:
        while (i := next(claim)) < len(calls):  # ``next`` on a count is atomic under the GIL
            results[i] = calls[i]()

    helpers = [_executor().submit(work) for _ in range(k - 1)]
    try:
        work()
    except BaseException:
        _settle(helpers)
        raise
    for helper in helpers:
        # a helper that has not started by now would find no call left: cancelled, it is not waited for
        # (nor can a call made from a helper thread wait on a helper queued behind itself)
        if not helper.cancel():
            helper.result()  # waits, and raises a helper's error here
    return results


def concatenated(parts: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """The blocks' arrays joined in block order, position by position (rows a pass picked, say)."""
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))


def summed(parts: list[Any]) -> Any:
    """The blocks' results added in block order, position by position if each is a tuple."""
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], tuple):
        return tuple(sum(values) for values in zip(*parts, strict=True))
    return sum(parts)


@njit(cache=True, nogil=True, inline="always")
def picked(flags, count, first, out, m):
    """Append ``first + j`` to ``out`` from position ``m`` for each set byte ``flags[j]`` (``j < count``).

    The flags are read eight at a time, so a chunk with few set costs little; they are cleared as they are
    read, ready for the next chunk. ``flags`` is a byte array of :data:`CHUNK` bytes whose bytes from
    ``count`` on are zero.

    Returns:
        The new length of ``out``.
    """
    words = flags.view(np.uint64)
    for w in range((count + 7) // 8):
        if words[w] != 0:
            for b in range(8):
                if flags[8 * w + b]:
                    out[m] = first + 8 * w + b
                    m += 1
            words[w] = 0
    return m
