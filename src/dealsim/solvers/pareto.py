"""Pareto frontier of an ``(n_deals, n_parties)`` utility array.

Tolerances are relative to the scale of the utilities: with ``tol`` and ``scale`` (by default
the largest ``|utility|`` of the array, see :func:`tolerance_scale`) the absolute tolerance is
``t = tol * scale``, so utilities of size 1e-12, 1 or 1e6 give the same frontier.

A row ``j`` *dominates* a row ``i`` when it is no worse for anyone, within the tolerance, and
better by more than the tolerance for someone::

    all(u[j] >= u[i] - t) and any(u[j] > u[i] + t)

Two deals whose utilities differ only by floating-point rounding (0.8025000000000001 against
0.8025) are therefore tied for that party, as they are in exact arithmetic. With ``tol = 0`` this
is the textbook (weak) Pareto dominance. Rows that differ by at most ``t`` everywhere never
dominate each other, so every copy of a Pareto-optimal utility vector is kept.

With ``t > 0`` the relation need not be transitive (small gaps can add up along a chain), so the
frontier is defined directly: the rows no other row dominates. It is computed exactly from two
transitive relations: the exact dominance (``t = 0``) and the *candidate* relation "at least as
good everywhere and better by more than ``t`` somewhere". Every row dominated by some row is
dominated by an exactly Pareto-optimal one, so the frontier is the set of candidates that no
exactly Pareto-optimal row dominates. Because the candidate relation is transitive, for any split
of the rows into chunks ``A`` and ``B``::

    pareto(A ∪ B) == pareto(candidates(A) ∪ candidates(B))

which is what :func:`merge_frontiers` and :func:`streaming_pareto_frontier` use to keep only the
frontier candidates (:func:`pareto_candidates`) of a deal space evaluated chunk by chunk.

Algorithm (no all-pairs comparison over the whole array):

1. A cheap filter drops rows that are *certainly* dominated: first by a few strong pivot rows
   (the frontier of the 64 largest-sum rows); then, for two parties, rows sorted by the first
   party's utility (one ``argsort``) and a running maximum of the second; for three parties the
   same order and a two-dimensional "staircase" of the earlier rows (queried with
   ``searchsorted``, block by block).
2. The few survivors are deduplicated (``lexsort``), visited in lexicographically descending order
   (every dominator comes before the rows it dominates) and checked, block by block, against the
   candidates found so far. The cost is about ``n_candidates * frontier_size``.
3. With ``t > 0``, the candidates are checked against the exact frontier of the candidates.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

from dealsim._validate import check_tol, check_utilities
from dealsim.errors import SolverError

__all__ = [
    "merge_frontiers",
    "pareto_candidates",
    "pareto_frontier",
    "pareto_mask",
    "streaming_pareto_frontier",
    "tolerance_scale",
]

_TINY = 1e-300  # the smallest scale: all-zero utilities still get a positive one

_FIRST_BLOCK = 256  # first block of the staircase filter; blocks double up to _MAX_BLOCK
_MAX_BLOCK = 1 << 16
_N_PIVOTS = 64  # rows with the largest sums used as pivots when there are four or more parties
_PAIR_BUDGET = 1 << 22  # most (row, frontier row) pairs compared in one vectorised step
_SAMPLE = 1 << 14  # rows of the evenly spaced sample the first pivots are taken from
_CHUNK = 1 << 15  # rows per chunk of the first pivot pass (a chunk's columns stay in cache)
_SMALL = 32  # at most this many rows: all pairs are compared directly


def tolerance_scale(*arrays: ArrayLike, scale: float | None = None) -> float:
    """The scale that relative tolerances multiply: ``max(1e-300, max |x|)`` over ``arrays``.

    Parameters
    ----------
    *arrays : array_like of float
        The utilities (and disagreement points) the tolerance applies to.
    scale : float, optional
        A scale chosen by the caller (e.g. a bound on every deal's utility, known before a
        chunked walk); it must be finite and positive. Returned as given.

    Returns
    -------
    float
        A positive scale; an absolute tolerance is ``tol * scale``.

    Raises
    ------
    SolverError
        If ``scale`` is given and is not a finite positive number.

    Examples
    --------
    >>> tolerance_scale([[0.5, -2.0]], [1.0, 0.0])
    2.0
    >>> tolerance_scale([[3e-12, 1e-12]])
    3e-12
    >>> tolerance_scale(np.zeros((2, 2)))
    1e-300
    """
    if scale is not None:
        value = float(scale)
        if not (np.isfinite(value) and value > 0.0):
            raise SolverError(f"scale must be a finite number > 0, got {scale!r}")
        return value
    largest = _TINY
    for array in arrays:
        a = np.asarray(array, dtype=float)
        if a.size:
            largest = max(largest, float(np.max(np.abs(a))))
    return largest


def pareto_mask(
    utilities: ArrayLike, *, tol: float = 0.0, scale: float | None = None
) -> np.ndarray:
    """Mark the Pareto-optimal rows of a utility array.

    Parameters
    ----------
    utilities : array_like of float, shape (n_deals, n_parties)
        Utility of each deal (row) for each party (column); any number of parties ``>= 1``.
    tol : float, default 0.0
        Relative dominance tolerance: with ``t = tol * scale``, a row dominates another when it
        is no worse than ``-t`` for every party and better by more than ``t`` for one.
    scale : float, optional
        The utilities' scale (default: the largest ``|utility|``, :func:`tolerance_scale`).

    Returns
    -------
    numpy.ndarray of bool, shape (n_deals,)
        True where no other row dominates the row. Identical rows are all kept.

    Raises
    ------
    SolverError
        If ``utilities`` is not a finite two-dimensional array, ``tol`` is negative or
        ``scale`` is not positive.

    Examples
    --------
    >>> u = [[1.0, 0.0], [0.5, 0.5], [0.4, 0.4], [0.5, 0.5], [0.0, 1.0]]
    >>> pareto_mask(u)
    array([ True,  True, False,  True,  True])

    A rounding step in one party's utility does not save a deal that is worse for another:

    >>> pareto_mask([[0.8025000000000001, 0.3], [0.8025, 0.4]], tol=1e-9)
    array([False,  True])
    >>> pareto_mask([[0.8025000000000001e-12, 0.3e-12], [0.8025e-12, 0.4e-12]], tol=1e-9)
    array([False,  True])
    """
    u = check_utilities(utilities)
    return _pareto_mask_kernel(u, check_tol(tol) * tolerance_scale(u, scale=scale))


def pareto_candidates(
    utilities: ArrayLike, *, tol: float = 0.0, scale: float | None = None
) -> np.ndarray:
    """Mark a superset of the Pareto-optimal rows that can be merged across chunks.

    A row is dropped only when another row is at least as good for every party (exactly) and
    better by more than ``tol * scale`` for one. This relation is transitive, so the frontier of
    a union of chunks is the frontier of the union of the chunks' candidates (the module
    docstring); :func:`pareto_mask` of the kept rows, at the same ``tol`` and ``scale``, is the
    frontier.

    Parameters
    ----------
    utilities : array_like of float, shape (n_deals, n_parties)
        Utility of each deal for each party.
    tol : float, default 0.0
        Relative tolerance, as in :func:`pareto_mask`.
    scale : float, optional
        The utilities' scale, as in :func:`pareto_mask`; pass the same scale to every chunk.

    Returns
    -------
    numpy.ndarray of bool, shape (n_deals,)

    Examples
    --------
    >>> pareto_candidates([[1.0, 0.5], [1.0, 0.5 - 1e-12], [0.9, 0.4]], tol=1e-9)
    array([ True,  True, False])
    """
    u = check_utilities(utilities)
    return _candidate_mask(u, check_tol(tol) * tolerance_scale(u, scale=scale))


def pareto_frontier(
    utilities: ArrayLike, *, tol: float = 0.0, scale: float | None = None
) -> np.ndarray:
    """Row indices of the Pareto-optimal deals, in ascending order.

    Parameters
    ----------
    utilities : array_like of float, shape (n_deals, n_parties)
        Utility of each deal for each party.
    tol : float, default 0.0
        Relative dominance tolerance, as in :func:`pareto_mask`.
    scale : float, optional
        The utilities' scale, as in :func:`pareto_mask`.

    Returns
    -------
    numpy.ndarray of int64
        Indices of the rows :func:`pareto_mask` marks, sorted ascending.

    Examples
    --------
    >>> pareto_frontier([[0.2, 0.9, 0.1], [0.1, 0.8, 0.1], [0.9, 0.1, 0.5]])
    array([0, 2])
    """
    return np.flatnonzero(pareto_mask(utilities, tol=tol, scale=scale)).astype(np.int64)


def merge_frontiers(
    parts: Iterable[tuple[ArrayLike, ArrayLike]], *, tol: float = 0.0, scale: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Pareto frontier of the union of several labelled sets of rows.

    Each part may already be reduced to its candidates (:func:`pareto_candidates` at the same
    ``tol`` and ``scale``), or to its exact frontier when ``tol = 0``.

    Parameters
    ----------
    parts : iterable of (indices, utilities)
        ``indices`` (shape ``(m,)``, integers) label the rows of ``utilities`` (shape
        ``(m, n_parties)``), typically with global deal indices. Labels must not repeat.
    tol : float, default 0.0
        Relative dominance tolerance, as in :func:`pareto_mask`.
    scale : float, optional
        The utilities' scale (default: the largest ``|utility|`` over all parts).

    Returns
    -------
    indices : numpy.ndarray of int64
        Labels of the Pareto-optimal rows of the union, ascending.
    utilities : numpy.ndarray of float, shape (len(indices), n_parties)
        Their utilities.

    Raises
    ------
    SolverError
        If the parts disagree on the number of parties, a label repeats, or a part is malformed.

    Examples
    --------
    >>> idx, u = merge_frontiers([([0, 1], [[1.0, 0.0], [0.6, 0.6]]), ([7], [[0.7, 0.7]])])
    >>> idx.tolist(), u.tolist()
    ([0, 7], [[1.0, 0.0], [0.7, 0.7]])
    """
    tol = check_tol(tol)
    labels, rows = [], []
    for i, (part_indices, part_utilities) in enumerate(parts):
        u = check_utilities(part_utilities, name=f"part {i} utilities")
        idx = np.asarray(part_indices)
        if idx.shape != (u.shape[0],) or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
            raise SolverError(
                f"part {i} indices must be {u.shape[0]} integers (one per row), "
                f"got shape {idx.shape} of dtype {idx.dtype}"
            )
        labels.append(idx.astype(np.int64))
        rows.append(u)
    if not rows:
        raise SolverError("merge_frontiers needs at least one (indices, utilities) part")
    if len({u.shape[1] for u in rows}) > 1:
        raise SolverError(
            "every part must have the same number of parties (columns), got "
            f"{sorted({u.shape[1] for u in rows})}"
        )
    all_labels = np.concatenate(labels)
    all_rows = np.concatenate(rows)
    order = np.argsort(all_labels, kind="stable")
    all_labels, all_rows = all_labels[order], all_rows[order]
    if np.any(all_labels[1:] == all_labels[:-1]):
        raise SolverError("row labels (indices) must be unique across the parts")
    keep = _pareto_mask_kernel(all_rows, tol * tolerance_scale(all_rows, scale=scale))
    return all_labels[keep], all_rows[keep]


def streaming_pareto_frontier(
    chunks: Iterable[ArrayLike], *, tol: float = 0.0, scale: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Pareto frontier of consecutive chunks of rows, keeping only the running candidates.

    Use it when the deal space is evaluated chunk by chunk (e.g. ``2**20`` deals at a time):
    memory stays at one chunk plus the frontier candidates.

    Parameters
    ----------
    chunks : iterable of array_like, each of shape (m_c, n_parties)
        Consecutive blocks of the utility array; row ``r`` of chunk ``c`` has global index
        ``sum(m_0 .. m_{c-1}) + r``.
    tol : float, default 0.0
        Relative dominance tolerance, as in :func:`pareto_mask`.
    scale : float, optional
        The utilities' scale. Pass it when ``tol > 0``: by default it is the largest ``|utility|``
        of the rows seen so far, so an early chunk may use a smaller absolute tolerance.

    Returns
    -------
    indices : numpy.ndarray of int64
        Global indices of the Pareto-optimal rows, ascending.
    utilities : numpy.ndarray of float, shape (len(indices), n_parties)
        Their utilities.

    Examples
    --------
    >>> chunks = [[[0.0, 1.0], [0.2, 0.2]], [[0.5, 0.5], [0.1, 0.9]], [[1.0, 0.0]]]
    >>> idx, u = streaming_pareto_frontier(chunks)
    >>> idx.tolist()
    [0, 2, 3, 4]
    """
    tol = check_tol(tol)
    indices: np.ndarray | None = None
    rows: np.ndarray | None = None
    offset = 0
    for c, chunk in enumerate(chunks):
        u = check_utilities(chunk, name=f"chunk {c}")
        chunk_idx = np.arange(offset, offset + u.shape[0], dtype=np.int64)
        offset += u.shape[0]
        if rows is None:
            keep = _candidate_mask(u, tol * tolerance_scale(u, scale=scale))
            indices, rows = chunk_idx[keep], u[keep]
            continue
        if u.shape[1] != rows.shape[1]:
            raise SolverError(
                f"chunk {c} has {u.shape[1]} parties (columns), earlier chunks {rows.shape[1]}"
            )
        both = np.concatenate([rows, u])
        keep = _candidate_mask(both, tol * tolerance_scale(both, scale=scale))
        indices, rows = np.concatenate([indices, chunk_idx])[keep], both[keep]
    if rows is None:
        raise SolverError("streaming_pareto_frontier needs at least one chunk")
    keep = _pareto_mask_kernel(rows, tol * tolerance_scale(rows, scale=scale))
    return indices[keep], rows[keep]


# --------------------------------------------------------------------------------------------
# kernels (``tol`` is absolute here)


def _pareto_mask_kernel(u: np.ndarray, tol: float) -> np.ndarray:
    """Rows that no row dominates (``>= -tol`` everywhere, ``> +tol`` somewhere)."""
    if u.shape[1] > 1 and u.shape[0] <= _SMALL:
        # a few rows (a tie-break's tied deals): every pair, the definition itself, costs less
        # than the filters' set-up; the same comparisons, so the same frontier
        return ~_dominated_by(u, u, tol)
    mask = _candidate_mask(u, tol)
    if tol == 0.0 or u.shape[1] == 1 or not mask.any():
        return mask  # at tol = 0 (or with one party) the candidates are the frontier
    cand = np.flatnonzero(mask)
    rows = u[cand]
    exact = rows[_candidate_mask(rows, 0.0)]  # the exact frontier lies among the candidates
    mask[cand[_dominated_by(rows, exact, tol)]] = False
    return mask


def _candidate_mask(u: np.ndarray, tol: float) -> np.ndarray:
    """Rows that no row beats exactly everywhere and by more than ``tol`` somewhere."""
    n, k = u.shape
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    if k == 1:
        return u[:, 0] >= u[:, 0].max() - tol
    candidates = _candidate_rows(u, tol)
    mask[candidates[_exact_mask(u[candidates], tol)]] = True
    return mask


def _candidate_rows(u: np.ndarray, tol: float) -> np.ndarray:
    """Indices of a superset of the Pareto-optimal rows (drops only certainly dominated rows)."""
    k = u.shape[1]
    alive = _pivot_filter(u, tol)
    if k >= 4 or alive.size <= _N_PIVOTS:
        return alive
    first = u[alive, 0]
    order = alive[np.argsort(first)[::-1]]  # earlier rows are at least as good for party 0
    y = u[order, 1]
    if k == 2:
        return order[~(_earlier_max(y) > y + tol)]
    return order[_staircase_filter(y, u[order, 2], tol)]


def _staircase_filter(y: np.ndarray, z: np.ndarray, tol: float) -> np.ndarray:
    """Three parties, rows sorted by party 0 descending: keep the rows no earlier row beats.

    A row ``x`` is certainly dominated when an earlier row ``p`` has ``p_y >= x_y`` and
    ``p_z > x_z + tol`` (``p_0 >= x_0`` holds by the order). The earlier rows are summarised by
    the staircase of their (y, z) maxima: ``sy`` ascending, ``sz`` strictly descending, so
    ``max{p_z : p_y >= x_y}`` is ``sz[searchsorted(sy, x_y)]``. Rows inside one block do not test
    each other, so the result is a superset of the frontier; blocks grow geometrically.
    """
    n = y.size
    keep = np.zeros(n, dtype=bool)
    sy = np.empty(0)
    sz = np.empty(0)
    start, size = 0, max(_FIRST_BLOCK, min(n // 64, _MAX_BLOCK))
    while start < n:
        by, bz = y[start : start + size], z[start : start + size]
        pos = np.searchsorted(sy, by, side="left")
        inside = pos < sy.size
        beaten = np.zeros(by.size, dtype=bool)
        beaten[inside] = sz[pos[inside]] > bz[inside] + tol
        keep[start : start + size] = ~beaten
        sy, sz = _staircase(np.concatenate([sy, by[~beaten]]), np.concatenate([sz, bz[~beaten]]))
        start += size
    return keep


def _earlier_max(y: np.ndarray) -> np.ndarray:
    """``out[i] = max(y[:i])`` (``-inf`` for ``i = 0``)."""
    out = np.empty_like(y)
    if y.size:
        out[0] = -np.inf
        np.maximum.accumulate(y[:-1], out=out[1:])
    return out


def _staircase(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-dimensional maxima of points (a, b): a ascending, b strictly descending."""
    order = np.lexsort((b, a))[::-1]  # a descending, then b descending
    a, b = a[order], b[order]
    top = b > _earlier_max(b)
    return a[top][::-1], b[top][::-1]


def _pivot_filter(u: np.ndarray, tol: float) -> np.ndarray:
    """Drop the rows dominated by a few strong rows.

    First pass, over every row: a handful of spread-out strong rows (the best rows of an evenly
    spaced sample for the sum of utilities and for sums tilted towards each party), applied chunk
    by chunk so that the columns of a chunk are read from cache. Second pass, over the few
    survivors: the frontier of their largest-sum rows. Each test is vectorised over the rows
    and works column by column (numpy reduces slowly along the short party axis).
    """
    n, k = u.shape
    if n <= 4 * _N_PIVOTS:
        return np.arange(n)
    sample = u[:: max(1, n // _SAMPLE)]
    directions = np.ones((k + 1, k)) + np.vstack([np.zeros(k), np.eye(k)])
    best = np.sort(np.argmax(sample @ directions.T, axis=0))
    first = best[np.r_[True, best[1:] != best[:-1]]]  # np.unique (which imports numpy.ma)
    alive = _filter_by_pivots(u, sample[first], tol)
    if alive.size <= 4 * _N_PIVOTS:
        return alive
    columns = [u[alive, j] for j in range(k)]
    sums = _column_sum(columns)
    top = np.argpartition(sums, sums.size - _N_PIVOTS)[sums.size - _N_PIVOTS :]
    top = top[_exact_mask(u[alive[top]], tol)]
    top = top[np.argsort(sums[top])[::-1]]
    return alive[_filter_by_pivots(np.column_stack(columns), u[alive[top]], tol, chunk=alive.size)]


def _filter_by_pivots(
    u: np.ndarray, pivots: np.ndarray, tol: float, *, chunk: int = _CHUNK
) -> np.ndarray:
    """Indices of the rows of ``u`` that no row of ``pivots`` dominates, chunk by chunk."""
    kept = []
    for start in range(0, u.shape[0], chunk):
        block = u[start : start + chunk]
        columns = [block[:, j] for j in range(u.shape[1])]
        idx = np.arange(start, start + block.shape[0])
        for p in pivots:  # a handful of pivots; each test is vectorised over the chunk's rows
            keep = _not_dominated_by(columns, p, tol)
            idx = idx[keep]
            columns = [col[keep] for col in columns]
        kept.append(idx)
    return np.concatenate(kept)


def _column_sum(columns: list[np.ndarray]) -> np.ndarray:
    total = columns[0].copy()
    for col in columns[1:]:
        total += col
    return total


def _not_dominated_by(columns: list[np.ndarray], p: np.ndarray, tol: float) -> np.ndarray:
    """Mask of the rows (given as columns) that the row ``p`` may not dominate.

    With ``tol = 0`` a row that is worse than ``p`` for every party is dominated; keeping the
    rows that tie with ``p`` somewhere keeps a few dominated rows, which later steps drop.
    """
    keep = columns[0] >= p[0]
    for j in range(1, len(columns)):
        keep |= columns[j] >= p[j]
    if tol == 0.0:
        return keep
    # with tol > 0, p must also beat the row by more than tol somewhere
    not_worse = ~(p[0] > columns[0] + tol)
    for j in range(1, len(columns)):
        not_worse &= ~(p[j] > columns[j] + tol)
    keep |= not_worse
    return keep


def _exact_mask(c: np.ndarray, tol: float) -> np.ndarray:
    """Candidate mask (exact ``>=``, ``> +tol``) of a small array, duplicates kept."""
    m, k = c.shape
    # Deduplicate and visit rows in lexicographically descending order: any dominator is
    # lexicographically larger, so it is visited first.
    order = np.lexsort(c.T[::-1])[::-1]
    sorted_rows = c[order]
    new = np.ones(m, dtype=bool)
    new[1:] = np.any(sorted_rows[1:] != sorted_rows[:-1], axis=1)
    unique_rows = sorted_rows[new]
    group = np.cumsum(new) - 1
    if k == 2 and tol == 0.0:
        # distinct rows, party 0 descending: dominated iff an earlier row has y >= this y
        optimal = unique_rows[:, 1] > _earlier_max(unique_rows[:, 1])
    else:
        optimal = _blockwise_optimal(unique_rows, tol)
    mask = np.empty(m, dtype=bool)
    mask[order] = optimal[group]
    return mask


def _blockwise_optimal(rows: np.ndarray, tol: float) -> np.ndarray:
    """Distinct rows in an order where dominators come first: test blocks against the frontier."""
    m = rows.shape[0]
    optimal = np.zeros(m, dtype=bool)
    frontier = rows[:0]
    start = 0
    while start < m:
        # about as many rows as the frontier has: the block's own all-pairs check costs no more
        # than checking it against the frontier (total ~ 2 * rows * frontier pairs)
        f = frontier.shape[0]
        size = int(np.clip(min(_PAIR_BUDGET // max(f, 1), max(f, 64)), 64, 4096))
        block = rows[start : start + size]
        alive = ~_dominated_by(block, frontier, tol, slack=0.0)
        survivors = block[alive]
        own = ~_dominated_by(survivors, survivors, tol, slack=0.0)
        idx = np.flatnonzero(alive)[own] + start
        optimal[idx] = True
        frontier = np.concatenate([frontier, survivors[own]])
        start += size
    return optimal


def _dominated_by(
    x: np.ndarray, p: np.ndarray, tol: float, *, slack: float | None = None
) -> np.ndarray:
    """For each row of ``x``: is some row of ``p`` ``>= x - slack`` everywhere, ``> x + tol`` once?

    ``slack`` defaults to ``tol`` (the module's dominance); ``slack = 0`` is the candidate relation.
    """
    slack = tol if slack is None else slack
    out = np.zeros(x.shape[0], dtype=bool)
    if x.shape[0] == 0 or p.shape[0] == 0:
        return out
    step = max(1, _PAIR_BUDGET // x.shape[0])
    for start in range(0, p.shape[0], step):  # bounded memory: x rows against `step` rows of p
        q = p[start : start + step]
        no_worse = np.ones((x.shape[0], q.shape[0]), dtype=bool)
        better = np.zeros_like(no_worse)
        for j in range(x.shape[1]):  # a few parties: 2-D comparisons, no 3-D temporaries
            xj, qj = x[:, j, None], q[None, :, j]
            no_worse &= qj >= xj - slack
            better |= qj > xj + tol
        out |= np.any(no_worse & better, axis=1)
    return out
