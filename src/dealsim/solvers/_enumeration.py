"""Private kernel: vertex enumeration of best-response polytopes.

The kernel takes payoff matrices that were already validated and rescaled to ``[1, 2]`` (a
positive affine map of each player's payoffs, which leaves the equilibria unchanged) and returns
candidate profiles ``(X, Y)`` as stacked arrays; the public module verifies and dedupes them.
Support enumeration is in :mod:`dealsim.solvers._support`.

Vertex enumeration follows von Stengel (2002), "Computing equilibria for two-person games":
the equilibria are the completely labelled vertex pairs of

    P = {x >= 0 : B^T x <= 1},   Q = {y >= 0 : A y <= 1}

The vertices of each polytope are found by a breadth-first search over lexicographically feasible
simplex bases (the bases of the lexicographically perturbed, hence simple, polytope), vectorised
over the whole frontier: every layer does the ratio test for every (basis, entering variable)
pair at once on the stacked dictionaries (the tableau columns of the nonbasic variables), as
the largest ``col / rhs`` where every test of the layer is clear (:func:`_clear_rows`), else
with eligibility masks and the lexicographic rule where rows tie; dedupes the new bases by
their packed membership bits (against a per-thread table of marks for keys of up to
``_TABLE_BITS`` bits, else against a sorted array of the keys seen); and derives each new
basis's dictionary from its parent's by one batched pivot (no matrix products or inverses: on
small blocks those cost more in call and BLAS-threading overhead than they save). The
frontier's bases run along the last axis of its arrays, so that the ratio test's passes run
over long contiguous rows; the largest arrays of a layer live in per-thread scratch buffers
(``_SCRATCH_BYTES``).
When no basic variable of either polytope is within ``tol`` of 0 (a nondegenerate game), each
basis is one vertex labelled by its nonbasic variables, and the completely labelled pairs are
a join on the bases' keys; otherwise the vertices are deduplicated by their labels and joined
on those.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass

import numpy as np

from dealsim.errors import SolverError
from dealsim.solvers._double_description import _vertex_sets

__all__: list[str] = []

_PIVOT_TOL = 1e-9
_MAX_BASES = 2_000_000
# Square games up to this many variables per polytope (m + n) search both polytopes as one: the
# fixed cost per layer of the search dominates there (CPU time of one search of both against two
# searches: 8x8 x0.72-0.75, 9x9 and 10x10 x0.8-1.06, median x0.9); from 11x11 on, the larger
# arrays per call make it slower (11x11 x0.98-1.22, 12x12 x1.15-1.23).
_STACK_MAX_VARS = 20
# From new tableaux of this many bytes on, a layer's pivot outside the scratch buffers updates
# them one column at a time (a temporary the size of all of them costs more in memory traffic
# and fresh pages than the d extra numpy calls).
_COLUMNWISE_BYTES = 64 * 1024
# The search's largest arrays (each layer's ratios and their mask, the new tableaux, the pivot's
# products, and for two matrices every basis gathered before each matrix's are taken out) are
# written into scratch buffers kept per thread and reused by the next layer and the next call,
# each of at most this many bytes (larger arrays are allocated as usual): eight buffers, at
# most 16 MiB per thread. A fresh array of a few hundred KiB costs a page fault per 4 KiB page
# each time (the allocator returns freed memory to the system between calls); on a virtual
# machine a fault costs 3-5 us, and a 9x9 game's search touched 100-270 fresh pages per call,
# 15-25% of its time. No value lives in them from one layer to the next but the parents'
# tableaux, and none outlives the search.
_SCRATCH_BYTES = 2 * 1024 * 1024
# Searches whose keys have at most this many bits (square games up to 10x10 searched as one,
# other games with m + n <= 21) find their new bases with a table of every key, kept per thread
# (4 bytes a key: at most 8 MiB), in place of sorting each layer's children and merging them
# into the keys seen (a sort of a few thousand keys costs 5-10 times the table's lookups).
# ``table[key]`` is the largest number of a child that marked the key. Each search takes a
# block of numbers above every mark already in the table (``tick``: the highest number given
# so far), as many as its children can be (``2**width * d``, since each key is expanded at
# most once), and gives them out downwards: the slack bases get the block's highest, each
# layer's children the next ones, a layer's first child the highest of the layer's. So after
# ``np.maximum.at`` a child is new iff the key's mark is its own number: a key seen in an
# earlier layer of the search keeps a higher mark, a key marked by an earlier search (or by a
# search that stopped early on an error) had a lower one. No search has to clear the table;
# it is cleared when the numbers would pass int32's range.
_TABLE_BITS = 21
# Games of at most this many strategies in all (m + n) try the double description first
# (:mod:`dealsim.solvers._double_description`): it needs a few array operations per row where
# the search needs a few dozen per layer, but its pairs of kept and dropped vertices grow
# faster than the search's layers. CPU time of the kernel with it against without (medians,
# three random games each): square 4x4 to 9x9 x0.4-0.7, 10x10 x0.8-1.0, 11x11 x1.0-1.3,
# 12x12 x1.7-2.8 (square games of 10x10 and 11x11 are searched as one, see _STACK_MAX_VARS);
# other shapes, whose two polytopes the search runs one after the other, x0.3-0.7 from 2x16
# to 10x12 and 3x30.
_DOUBLE_DESCRIPTION_MAX_VARS = 24
_DOUBLE_DESCRIPTION_MAX_SQUARE = 9  # and square games of at most 9x9
_TICK_LIMIT = (1 << 31) - 1  # the highest number a mark can hold (int32)


class _ScratchBuffers(threading.local):
    """The current thread's scratch buffers, by name (flat uint8 arrays), and its key table."""

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}
        self.table: np.ndarray | None = None
        self.tick = 0


_SCRATCH = _ScratchBuffers()


def _scratch(name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialised C-contiguous array of ``shape`` in this thread's scratch ``name``.

    Valid until the next request for ``name`` in this thread; a fresh array when it would take
    more than ``_SCRATCH_BYTES``.
    """
    n = math.prod(shape) * dtype.itemsize
    if n > _SCRATCH_BYTES:
        return np.empty(shape, dtype)
    buffers = _SCRATCH.buffers
    buf = buffers.get(name)
    if buf is None or len(buf) < n:
        size = n if buf is None else min(_SCRATCH_BYTES, max(n, 2 * len(buf)))
        buf = buffers[name] = np.empty(size, np.uint8)
    return np.ndarray(shape, dtype, buf)


_FLOAT = np.dtype(float)
_BOOL = np.dtype(bool)


def _key_table(width: int, count: int) -> tuple[np.ndarray, int]:
    """This thread's key table (at least ``2**width`` int32 marks) and the highest of ``count``
    new numbers, ``top - count + 1 ... top``: every mark already in the table is below them."""
    state = _SCRATCH
    table = state.table
    if table is None or len(table) < 1 << width:
        size = 1 << width if table is None else max(len(table), 1 << width)
        table = state.table = np.zeros(size, np.int32)
        state.tick = 0
    elif state.tick + count > _TICK_LIMIT:
        table.fill(0)
        state.tick = 0
    state.tick += count
    return table, state.tick


def _rescale(matrix: np.ndarray) -> np.ndarray:
    """Map ``matrix`` affinely onto ``[1, 2]`` (a constant matrix becomes all ones)."""
    lo, hi = float(matrix.min()), float(matrix.max())
    if math.isclose(hi, lo, rel_tol=0.0, abs_tol=0.0):
        return np.ones_like(matrix)
    return (matrix - lo) / (hi - lo) + 1.0


def _lex_argmin(
    numer: np.ndarray, denom: np.ndarray, eligible: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lexicographic minimum ratio over the rows (axis -1 of ``denom``).

    ``numer[..., row, k] / denom[..., row]`` is the k-th entry of a row's ratio vector (numer
    broadcasts against ``denom``); only ``eligible`` rows count. The columns are computed one at
    a time and only while some minimum is still tied. Returns the chosen row per leading index
    and whether any row was eligible.
    """
    mask = eligible.copy()
    for k in range(numer.shape[-1]):
        if k and not np.any(mask.sum(-1) > 1):
            break
        vals = np.where(mask, numer[..., k] / denom, np.inf)
        best = vals.min(-1, keepdims=True)
        scale = np.maximum(1.0, np.abs(np.where(np.isfinite(best), best, 0.0)))
        mask &= vals <= best + 1e-9 * scale
    return mask.argmax(-1), eligible.any(-1)


@dataclass(frozen=True)
class _Vertices:
    """Vertices of ``{z >= 0 : M z <= 1}`` and their labels.

    ``coords`` is (V, d); ``labels`` is (V, d + r) boolean: ``z_i = 0`` for the first d columns,
    ``(M z)_j = 1`` for the last r.
    """

    coords: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True)
class _Bases:
    """The bases of ``{z >= 0 : M z <= 1}`` that the search visited, in the order visited.

    ``keys`` (V,) are their keys (:func:`_keys` of their basic variables; when two matrices
    were searched as one, the second's have the bit above d + r set); ``basic`` (V, r) is the
    basic variable of each tableau row and ``values`` (V, r) its value. The first is the slack
    basis (the vertex z = 0). Variables are numbered z_0 ... z_{d-1}, then the slacks.
    """

    keys: np.ndarray
    basic: np.ndarray
    values: np.ndarray
    d: int

    def simple(self, tol: float) -> bool:
        """Whether no basic variable is within ``tol`` of 0.

        Then each basis is a vertex with exactly d labels (its nonbasic variables), and no
        two bases are the same vertex.
        """
        return bool(self.values.min() > tol)

    def coords(self, which: np.ndarray) -> np.ndarray:
        """The vertices (len(which), d) of the bases ``which``."""
        w = np.zeros((len(which), self.d + self.basic.shape[1]))
        w[np.arange(len(which))[:, None], self.basic[which]] = self.values[which]
        return w[:, : self.d]

    def vertices(self, tol: float) -> _Vertices:
        """The distinct vertices and their labels (a label is a variable within ``tol`` of 0)."""
        w = np.zeros((len(self.basic), self.d + self.basic.shape[1]))
        w[np.arange(len(self.basic))[:, None], self.basic] = self.values
        labels = w <= tol
        first = np.sort(_first_occurrences(_keys(labels), w.shape[1]))
        return _Vertices(coords=w[first, : self.d], labels=labels[first])


def _keys(member: np.ndarray) -> np.ndarray:
    """One sortable key per boolean row: a uint64 bit mask, or packed bytes beyond 64 columns."""
    if member.shape[-1] <= 64:  # bit i is column i: little-endian bits in a little-endian word
        packed = np.zeros((*member.shape[:-1], 8), dtype=np.uint8)
        bits = np.packbits(member, axis=-1, bitorder="little")
        packed[..., : bits.shape[-1]] = bits
        return packed.view("<u8")[..., 0].astype(np.uint64)
    packed = np.ascontiguousarray(np.packbits(member, axis=-1))
    return packed.view(np.dtype((np.void, packed.shape[-1]))).ravel()


def _first_occurrences(keys: np.ndarray, bits: int) -> np.ndarray:
    """The index of the first occurrence of each distinct key, in increasing order of the keys.

    ``keys`` are from :func:`_keys` on rows of ``bits`` columns.
    """
    order, sorted_keys = _sort_keys(keys, bits)
    return order[np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]])]


def _sort_keys(
    keys: np.ndarray, bits: int, counting: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(order, keys[order])`` of a stable sort of ``keys`` (from :func:`_keys`, ``bits`` wide).

    When a key and an index fit in 64 bits together, one sort of ``key << b | index`` replaces
    the stable argsort and the gather (two to six times faster from 10^3 keys on).
    ``counting``, if given, is ``np.arange(k)`` for some ``k >= len(keys)``.
    """
    n = len(keys)
    shift = max(1, n.bit_length())
    if keys.dtype != np.uint64 or bits + shift > 64:
        order = np.argsort(keys, kind="stable")
        return order, keys[order]
    packed = np.left_shift(keys, np.uint64(shift))
    packed |= (np.arange(n) if counting is None else counting[:n]).view(np.uint64)
    packed.sort()
    order = (packed & np.uint64((1 << shift) - 1)).view(np.intp)
    return order, packed >> np.uint64(shift)


class _Search:
    """One search: what stays fixed during it (the sizes, the key width and lookup tables),
    and how far down it has given out its numbers in the key table.

    ``d``; ``width``, the bits of a key (one per variable, then one for the matrix's index if
    two); ``flip[i, j]``, a key's change when variable j replaces i (narrow keys only);
    ``sentinel``, one key above every basis's key (0 with a key table); ``row_ids``, the row
    numbers as uint8, (r, 1, 1), when r < 256; ``table``, the thread's key table, for keys of
    at most ``_TABLE_BITS`` bits; ``last_number``, the lowest number given out so far (the slack
    bases' mark at the start). A plain class with slots: a layer reads its fields a dozen
    times, and a frozen dataclass costs a microsecond a field to make.
    """

    __slots__ = ("d", "flip", "last_number", "row_ids", "sentinel", "table", "width")

    def __init__(
        self,
        d: int,
        width: int,
        flip: np.ndarray | None,
        sentinel: np.ndarray,
        row_ids: np.ndarray | None,
        table: np.ndarray | None = None,
        last_number: int = 0,
    ) -> None:
        self.d, self.width, self.flip, self.sentinel = d, width, flip, sentinel
        self.row_ids, self.table, self.last_number = row_ids, table, last_number


class _Frontier:
    """One layer of the breadth-first search: ``f`` bases, along the last axis of ``T``.

    ``T[i, k, b]`` is row i of basis b's dictionary column for its k-th nonbasic variable
    (the tableau ``Binv [M | I]`` restricted to the nonbasic columns), and ``T[i, d, b]`` its
    right-hand side, so that one pivot formula updates both; ``basic`` (f, r) is the basic
    variable of each row, ``nonbasic`` (f, d) the nonbasic variables, ``keys`` (f,) the keys
    and ``seen`` the sorted keys of every basis found so far, then the sentinel; ``slot``
    names the scratch buffer that holds ``T`` (0: none, ``T`` is its own array). A plain
    class with slots, as :class:`_Search`.
    """

    __slots__ = ("T", "basic", "keys", "nonbasic", "seen", "slot")

    def __init__(
        self,
        T: np.ndarray,
        basic: np.ndarray,
        nonbasic: np.ndarray,
        keys: np.ndarray,
        seen: np.ndarray,
        slot: int = 0,
    ) -> None:
        self.T, self.basic, self.nonbasic, self.keys = T, basic, nonbasic, keys
        self.seen, self.slot = seen, slot

    def __len__(self) -> int:
        return self.T.shape[2]

    def take(self, which: np.ndarray) -> _Frontier:
        """The bases ``which`` only (the benchmark times a layer's calls on one basis)."""
        return _Frontier(
            self.T.take(which, axis=2),
            self.basic[which],
            self.nonbasic[which],
            self.keys[which],
            self.seen,
        )


@functools.lru_cache(maxsize=64)
def _constants(r: int, d: int, p: int) -> tuple:
    """A search's constants for ``p`` matrices of shape (r, d), as read-only arrays.

    ``(width, flip, sentinel, seen, keys, basic, nonbasic, row_ids)``: see :class:`_Search`
    and :class:`_Frontier`; ``keys``, ``basic`` and ``nonbasic`` are the slack bases'.
    """
    nvar = d + r
    variables = np.arange(nvar)
    basic = variables[None, d:].repeat(p, axis=0)  # the slack basis is lex-feasible
    nonbasic = variables[None, :d].repeat(p, axis=0)
    # The key of a basis: its members' bits, then the matrix's index in the bit above nvar
    # (only two matrices of at most 24 variables are searched as one, so p > 1 is narrow).
    # A sentinel above every key (never a basis: a basis has d >= 1 nonbasic variables) ends
    # the keys seen, so that a lookup needs no bounds check and children that are not bases
    # can be given it to be skipped.
    width = nvar + (p > 1)
    flip = None
    if width <= 64:  # as _keys makes them: bit i for variable i
        slack = (1 << nvar) - (1 << d)
        top = (1 << 64) - 1
        seen = np.array([slack | k << nvar for k in range(p)] + [top], dtype=np.uint64)
        keys, sentinel = seen[:p], seen[p:]
        bit = np.left_shift(np.uint64(1), variables.astype(np.uint64))
        flip = bit[:, None] ^ bit[None, :]
    else:
        member = np.zeros((p, width), dtype=bool)
        member[:, d:nvar] = True
        keys = _keys(member)
        sentinel = np.full(keys.dtype.itemsize, 255, dtype=np.uint8).view(keys.dtype)
        seen = np.sort(np.concatenate([keys, sentinel]))
    row_ids = np.arange(r, dtype=np.uint8)[:, None, None] if r < 256 else None
    out = (width, flip, sentinel, seen, keys, basic, nonbasic, row_ids)
    for a in out:
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return out


_NO_BASIS = np.zeros(1, dtype=np.uint64)  # the key of children that are no bases (key table)
_NO_BASIS.flags.writeable = False


def _start(*Ms: np.ndarray) -> tuple[_Search, _Frontier]:
    """The search's constants and its first layer: the slack basis of each matrix (z = 0)."""
    p = len(Ms)
    r, d = Ms[0].shape
    T = np.empty((r, d + 1, p))
    T[:, :d] = np.stack(Ms, axis=2)
    T[:, d] = 1.0
    width, flip, sentinel, seen, keys, basic, nonbasic, row_ids = _constants(r, d, p)
    table, top = None, 0
    if width <= _TABLE_BITS:  # the slack bases are seen; children that are no bases get key 0
        table, top = _key_table(width, _numbers(width, d))
        table[keys.view(np.intp)] = top
        sentinel = _NO_BASIS
    search = _Search(d, width, flip, sentinel, row_ids, table, top)
    return search, _Frontier(T, basic, nonbasic, keys, seen)


def _numbers(width: int, d: int) -> int:
    """The key-table numbers a search may give out: the slack bases' mark and one per child
    (each of at most ``2**width`` keys is expanded once, into ``d`` children)."""
    return (1 << width) * d + 1


def _restart(search: _Search) -> _Search:
    """``search`` with nothing seen yet in its key table (to time one layer on its own)."""
    if search.table is None:
        return search
    _, top = _key_table(search.width, _numbers(search.width, search.d))
    return _Search(
        search.d, search.width, search.flip, search.sentinel, search.row_ids, search.table, top
    )


def _expand(search: _Search, frontier: _Frontier, *, scratch: bool = False) -> _Frontier | None:
    """The next layer: the bases one pivot away from ``frontier`` not seen before (or None).

    Call under ``np.errstate(divide="ignore", invalid="ignore", over="ignore")``. With
    ``scratch``, the layer's largest arrays and the new tableaux are written into this
    thread's scratch buffers (:data:`_SCRATCH_BYTES`): the new frontier's ``T`` is overwritten
    by the layer after the next, so the caller must not keep frontiers (the values are the same
    either way).
    """
    d = search.d
    T, basic, nonbasic, keys = frontier.T, frontier.basic, frontier.nonbasic, frontier.keys
    r, f = T.shape[0], T.shape[2]
    bad = None
    row = _clear_rows(search, T, scratch)
    if row is None:
        row, bad = _exact_rows(search, T, basic, nonbasic, scratch)
    # Every (basis, entering position) pair as a child, in that (row-major) order.
    counting = np.arange(f * d)
    leaving = basic[counting[:f, None], row.T]  # (f, d)
    if search.flip is not None:
        child_keys = (keys[:, None] ^ search.flip[leaving, nonbasic]).ravel()
    else:
        member = np.zeros((f, d, search.width), dtype=bool)
        np.put_along_axis(member, basic[:, None, :], True, axis=2)
        np.put_along_axis(member, leaving[:, :, None], False, axis=2)
        np.put_along_axis(member, nonbasic[:, :, None], True, axis=2)
        child_keys = _keys(member.reshape(f * d, search.width))
    if bad is not None:
        child_keys[bad.T.ravel()] = search.sentinel[0]
    # New bases: the first occurrence of each key not seen before, in order of occurrence.
    seen = frontier.seen
    if search.table is not None:  # children numbered down from the search's last number:
        table, n = search.table, f * d  # a key's first child in the layer has the highest
        at = child_keys.view(np.intp)
        top = search.last_number - 1
        number = np.subtract(top, counting[:n], dtype=np.int32)
        np.maximum.at(table, at, number)
        new = table[at] == number
        if bad is not None:
            new &= ~bad.T.ravel()
        search.last_number = top - n + 1
        fresh = new.nonzero()[0]
        if not len(fresh):
            return None
    else:  # sorted by key, a key's first occurrence comes first
        order, sorted_keys = _sort_keys(child_keys, search.width, counting)
        new = seen[seen.searchsorted(sorted_keys)] != sorted_keys
        new[1:] &= sorted_keys[1:] != sorted_keys[:-1]
        fresh = order[new]
        if not len(fresh):
            return None
        fresh.sort()
        seen = np.concatenate([seen, sorted_keys[new]])
        seen.sort(kind="stable")  # merges two sorted runs
        del order, sorted_keys
    new_keys = child_keys[fresh]
    dropped = leaving.ravel()[fresh]
    del new, child_keys, leaving
    # Dictionary pivot of the parent for each new basis: the entering variable's column (at
    # ``pos``) becomes the leaving variable's, which was the unit vector of ``row``.
    parent, pos = np.divmod(fresh, d)
    row = row[pos, parent]
    entering = nonbasic.ravel()[fresh]
    idx = counting[: len(fresh)]
    slot = 0
    if scratch:  # (indices in range: "clip" takes them as "raise" does, without a copy)
        slot = 2 if frontier.slot == 1 else 1
        new_T = _scratch(f"T{slot}", (r, d + 1, len(fresh)), _FLOAT)
        T = T.take(parent, axis=2, out=new_T, mode="clip")
    else:
        T = T.take(parent, axis=2)
    col = T[:, pos, idx]  # (r, c)
    piv = col[row, idx]
    by_column = T.transpose(1, 0, 2)
    pivot_row = by_column[:, row, idx]  # (d + 1, c)
    pivot_row /= piv
    pivot_row[pos, idx] = 1.0 / piv
    T[:, pos, idx] = 0.0
    if T.nbytes <= (_SCRATCH_BYTES if scratch else _COLUMNWISE_BYTES):
        product = _scratch("product", T.shape, _FLOAT) if scratch else None
        T -= np.multiply(col[:, None, :], pivot_row, out=product)  # row ``row``: overwritten next
    else:  # the same products, one column at a time: no temporary the size of T
        for k in range(d + 1):
            T[:, k] -= col * pivot_row[k]
    by_column[:, row, idx] = pivot_row
    nonbasic = nonbasic[parent]
    nonbasic[idx, pos] = dropped
    basic = basic[parent]
    basic[idx, row] = entering
    return _Frontier(T, basic, nonbasic, new_keys, seen, slot)


def _polytope_bases(*Ms: np.ndarray) -> list[_Bases]:
    """The lexicographically feasible bases of ``{z >= 0 : M z <= 1}`` for one or two positive
    (r, d) matrices (every vertex is one of them or more where the polytope is degenerate).

    A breadth-first search from the slack basis, one :func:`_expand` per layer. Two matrices
    must have the same shape: their searches run as one (every numpy call of a layer serves
    all of them; the keys carry the matrix's index, so bases of different matrices never
    merge), which halves the fixed cost per layer that dominates small games. Each matrix's
    vertices, and every intermediate value, are those of a search on it alone.

    Standard form ``[M | I] w = 1, w = (z, s) >= 0``. The frontier's bases run along the last
    axis of every array (:class:`_Frontier`), so that each elementwise operation, and each
    reduction over the tableau rows, runs over long contiguous rows (over a last axis of 8-15
    rows, numpy's inner loops cost several times more per element). Dictionaries are updated
    by pivots, never recomputed by matrix products (which go through a threaded BLAS that
    costs more than it saves here).
    """
    p = len(Ms)
    r, d = Ms[0].shape
    nvar = d + r
    search, frontier = _start(*Ms)
    visited = 0  # bases of all the matrices; per matrix only when this passes the limit
    layer_keys: list[np.ndarray] = []
    layer_bases: list[np.ndarray] = []
    layer_rhs: list[np.ndarray] = []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while frontier is not None:
            visited += len(frontier)
            if visited > _MAX_BASES:
                _check_visited(layer_keys, frontier.keys, p, nvar, r, d)
            layer_keys.append(frontier.keys)
            layer_bases.append(frontier.basic)
            layer_rhs.append(frontier.T[:, d].copy())
            frontier = _expand(search, frontier, scratch=True)
    if p == 1:
        keys = np.concatenate(layer_keys)
        basic = np.concatenate(layer_bases)
        values = np.concatenate(layer_rhs, axis=1).T
        return [_Bases(keys=keys, basic=basic, values=values, d=d)]
    # Two matrices: every basis gathered in scratch buffers, then each matrix's taken out.
    n = sum(map(len, layer_keys))
    keys = np.concatenate(layer_keys, out=_scratch("keys", (n,), layer_keys[0].dtype))
    basic = np.concatenate(layer_bases, out=_scratch("basic", (n, r), layer_bases[0].dtype))
    values = np.concatenate(layer_rhs, axis=1, out=_scratch("values", (r, n), _FLOAT)).T
    second = keys >= np.uint64(1 << nvar)  # the second matrix's bases (p = 2)
    return [  # (take of the positions: a third faster than boolean indexing)
        _Bases(
            keys=keys.take(at), basic=basic.take(at, axis=0), values=values.take(at, axis=0), d=d
        )
        for at in ((~second).nonzero()[0], second.nonzero()[0])
    ]


def _matrix_of(layer_keys: list[np.ndarray], p: int, nvar: int) -> np.ndarray:
    """The index of the matrix of each basis (the key's bit above ``nvar``), in search order."""
    keys = np.concatenate(layer_keys)
    if p == 1:
        return np.zeros(len(keys), dtype=np.intp)
    return (keys >> np.uint64(nvar)).astype(np.intp)


def _check_visited(
    layer_keys: list[np.ndarray], keys: np.ndarray, p: int, nvar: int, r: int, d: int
) -> None:
    """Raise :class:`SolverError` once the search of one matrix passes ``_MAX_BASES`` bases."""
    if np.bincount(_matrix_of([*layer_keys, keys], p, nvar), minlength=p).max() > _MAX_BASES:
        raise SolverError(
            f"vertex enumeration visited more than {_MAX_BASES} bases of a {r}x{d} "
            "best-response polytope; the game is too large or too degenerate for "
            "enumeration: use method='lemke_howson' for one equilibrium"
        )


def _clear_rows(search: _Search, T: np.ndarray, scratch: bool) -> np.ndarray | None:
    """The leaving rows (d, f) of a layer where every ratio test is clear, else None.

    Clear: every right-hand side exceeds 1e-300, and in every column one row's ratio is the
    minimum by a margin. Then the row of minimum ratio ``rhs / col`` over the eligible rows
    (``col > _PIVOT_TOL``) is the row of largest ``col / rhs`` over all rows, and this finds
    it with two passes fewer over the layer (no eligibility mask): ``q = col / rhs`` (> 0
    exactly where ``col > 0``), its maximum per column, and the rows within ``2e-9 * max(1,
    maximum)`` of it, relatively. The test is clear when each column has one such row and the
    smallest maximum times the smallest right-hand side exceeds ``2 * _PIVOT_TOL`` (so each
    chosen row has ``col > _PIVOT_TOL``). Every other row's ratio then exceeds the minimum by
    more than ``2e-9 * max(1, minimum)``, twice :func:`_exact_rows`'s tolerance for a tie (the
    margin covers the rounding), so both choose the same row. Otherwise (ties, zero or
    negative right-hand sides, tiny pivots, unbounded columns) None: the caller runs
    :func:`_exact_rows`. Right-hand sides of at most 1e-300 also go there; above it, a
    ``col / rhs`` can overflow only where ``col > 1e8``, an eligible row, and it makes its
    column's threshold ``-inf``: every row is within it, so the layer goes to the exact test
    (or, with one row, that eligible row is the exact test's too).
    """
    d = search.d
    r, _, f = T.shape
    rhs = T[:, d]
    lowest = np.minimum.reduce(rhs, axis=None)
    if not lowest > 1e-300:
        return None
    out = _scratch("ratio", (r, d, f), _FLOAT) if scratch else None
    q = np.divide(T[:, :d], rhs[:, None, :], out=out)
    top = np.maximum.reduce(q, axis=0)  # (d, f)
    if not np.minimum.reduce(top, axis=None) * lowest > 2 * _PIVOT_TOL:
        return None
    margin = np.maximum(top, 1.0)
    margin *= -2e-9
    margin += 1.0
    top *= margin  # top (1 - 2e-9 max(1, top)), column by column
    within = np.greater_equal(q, top, out=_scratch("mask", (r, d, f), _BOOL) if scratch else None)
    if np.count_nonzero(within) != d * f:
        return None
    return _leaving_rows(search, within, overwrite=True)


def _exact_rows(
    search: _Search, T: np.ndarray, basic: np.ndarray, nonbasic: np.ndarray, scratch: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """The leaving rows (d, f) of a layer by the ratio test, ties broken lexicographically.

    The row of minimum ratio ``rhs / col`` over the eligible rows (``col > _PIVOT_TOL``);
    where rows tie (within ``1e-9 * max(1, minimum)``) or a column has no eligible row,
    :func:`_tied_rows` decides. Returns the rows and, when some column tied or had no
    eligible row, the (d, f) mask of the columns with no eligible row (else None).
    """
    d = search.d
    r, _, f = T.shape
    table = T[:, :d]  # (r, d, f): entering column per nonbasic position
    if scratch:
        ratio = np.divide(T[:, d:], table, out=_scratch("ratio", (r, d, f), _FLOAT))
        low = np.less_equal(table, _PIVOT_TOL, out=_scratch("mask", (r, d, f), _BOOL))
    else:
        ratio = T[:, d:] / table
        low = table <= _PIVOT_TOL
    np.putmask(ratio, low, np.inf)
    best = np.minimum.reduce(ratio, axis=0)  # (d, f): the minimum ratio on the right-hand side
    near = np.maximum(best, 1.0)
    near *= 1e-9
    near += best  # best + 1e-9 max(1, best); inf where no row is eligible
    within = np.less_equal(ratio, near, out=low)
    # Every column has one row at the minimum (no ties, no unbounded column)? A column
    # without an eligible row has all its r rows within inf of inf.
    if np.count_nonzero(within) == best.size and (len(table) > 1 or best.max() < np.inf):
        return _leaving_rows(search, within, overwrite=True), None
    # ... and the lexicographic rule on (rhs, Binv) where rows tie there
    return _tied_rows(search, T, best, within, basic, nonbasic)


def _leaving_rows(search: _Search, within: np.ndarray, *, overwrite: bool = False) -> np.ndarray:
    """The row of each column (d, f) where ``within`` (r, d, f) holds (the last, if several).

    A product and a maximum over the leading axis (argmax over it costs several times more);
    with ``overwrite``, the product is written over ``within``.
    """
    if search.row_ids is None:
        return within.argmax(0)
    flags = within.view(np.uint8)
    product = np.multiply(flags, search.row_ids, out=flags if overwrite else None)
    return np.maximum.reduce(product, axis=0).astype(np.intp)


def _tied_rows(
    search: _Search,
    T: np.ndarray,
    best: np.ndarray,
    within: np.ndarray,
    bases: np.ndarray,
    nonbasic: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Leaving rows of a layer where some minimum ratio ties or some column is unbounded.

    The row of minimum ratio, broken by the lexicographic rule on (rhs, Binv) where rows tie
    (within ``1e-9`` of the minimum, relative beyond 1); returns the rows (d, f) and the
    (d, f) mask of columns with no eligible row (no child; their rows mean nothing).
    """
    r, d1, _ = T.shape
    d, nvar = d1 - 1, d1 - 1 + r
    row = _leaving_rows(search, within)  # right where one row is within; the rule sets the rest
    ok = best < np.inf
    tied = ok & (within.sum(0) > 1)
    if tied.any():
        tp, tf = np.nonzero(tied)
        tableau = np.zeros((len(tf), r, nvar))  # the full tableaux of these bases
        at = np.arange(len(tf))
        tableau[at[:, None], np.arange(r), bases[tf]] = 1.0
        dictionary = T[:, :d, tf].transpose(2, 0, 1)  # (t, r, d)
        np.put_along_axis(
            tableau, np.broadcast_to(nonbasic[tf, None, :], dictionary.shape), dictionary, 2
        )
        lex = np.concatenate([T[:, d, tf].T[:, :, None], tableau[:, :, d:]], axis=2)
        column = T[:, tp, tf].T  # (t, r)
        mask = column > _PIVOT_TOL
        row[tp, tf] = _lex_argmin(lex, np.where(mask, column, 1.0), mask)[0]
    return row, ~ok


def _join(a: np.ndarray, b: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(i, j)`` with ``a[i] == b[j]``, in increasing order of the key.

    ``a`` and ``b`` hold distinct uint64 keys below ``2**bits``; the pairs are those of
    ``np.intersect1d(a, b, assume_unique=True, return_indices=True)``, found with the
    thread's key table (``b``'s positions written at its keys, read at ``a``'s) when it is
    that wide, not by sorting both.
    """
    if bits > _TABLE_BITS:
        _, i, j = np.intersect1d(a, b, assume_unique=True, return_indices=True)
        return i, j
    table, top = _key_table(bits, len(b))
    start = top - len(b) + 1
    table[b.view(np.intp)] = np.arange(start, top + 1, dtype=np.int32)
    found = table[a.view(np.intp)]
    i = (found >= start).nonzero()[0]
    i = i[np.argsort(a[i])]
    return i, (found[i] - start).astype(np.intp)


def _complete_pairs(
    p_labels: np.ndarray, q_missing: np.ndarray, m: int, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(i, j)`` where P's vertex i has exactly the labels Q's vertex j lacks.

    ``p_labels`` are P's label bits in the game's order (``x_i = 0``: bit i; ``(B^T x)_j =
    1``: bit m + j); ``q_missing`` the bits of the labels Q's vertices lack, in Q's own
    order (``y_j = 0``: bit j; ``(A y)_i = 1``: bit n + i), rotated here into the game's;
    bits above m + n (a matrix's index or flags) are ignored.
    """
    every = np.uint64((1 << (m + n)) - 1)
    q_missing = q_missing & every
    q_missing = (q_missing >> np.uint64(n)) | (
        (q_missing & np.uint64((1 << n) - 1)) << np.uint64(m)
    )
    return _join(p_labels & every, q_missing, m + n)


def _tries_double_description(m: int, n: int) -> bool:
    """Whether the kernel tries the double description on an (m, n) game before the search."""
    return m + n <= _DOUBLE_DESCRIPTION_MAX_VARS and (m != n or m <= _DOUBLE_DESCRIPTION_MAX_SQUARE)


def _nondegenerate_pairs(
    A: np.ndarray, B: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """The completely labelled vertex pairs of a small game's polytopes by double description
    (:mod:`dealsim.solvers._double_description`), as normalised strategies; None unless both
    polytopes are simple with a margin (then the search over bases runs)."""
    m, n = A.shape
    if m == n:
        found = _vertex_sets((B.T, A), tol)
    else:
        p_sets = _vertex_sets((B.T,), tol)
        q_sets = p_sets and _vertex_sets((A,), tol)
        found = p_sets + q_sets if q_sets else None
    if found is None:
        return None
    (px, p_labels), (qy, q_labels) = found
    # Each vertex has exactly its dimension's labels: a pair is complete iff P's labels are
    # the labels Q lacks (the origins left out).
    i, j = _complete_pairs(p_labels[1:], ~q_labels[1:], m, n)
    px, qy = px[i + 1], qy[j + 1]
    return px / px.sum(1, keepdims=True), qy / qy.sum(1, keepdims=True)


def _vertex_kernel(
    A: np.ndarray, B: np.ndarray, *, tol: float
) -> tuple[np.ndarray, np.ndarray, bool, bool]:
    """Extreme equilibria of the positive bimatrix game (A, B) by vertex enumeration.

    Returns ``(X, Y, degenerate, continuum)``: stacked normalised strategies of every
    completely labelled vertex pair, whether a vertex has more labels than its dimension
    (degenerate game), and whether some vertex pairs with two or more others (then the
    segments between them are equilibria too).
    """
    m, n = A.shape
    if _tries_double_description(m, n):
        pairs = _nondegenerate_pairs(A, B, tol)
        if pairs is not None:
            return *pairs, False, False
    # P's labels: x_i = 0 -> i, (B^T x)_j = 1 -> m + j; Q's: y_j = 0, (A y)_i = 1
    if m == n and m + n <= _STACK_MAX_VARS:
        P, Q = _polytope_bases(B.T, A)
    else:
        (P,), (Q,) = _polytope_bases(B.T), _polytope_bases(A)
    if P.keys.dtype == np.uint64 and P.simple(tol) and Q.simple(tol):
        # Each basis but the slack one (z = 0, not a strategy) is a vertex whose labels are
        # its nonbasic variables, each label set once: a pair is complete iff P's labels are
        # Q's basic variables, a join on the keys (P's labels and Q's basic variables as bits
        # in the game's label order; the keys carry the matrix's index above bit m + n).
        i_idx, j_idx = _complete_pairs(~P.keys[1:], Q.keys[1:], m, n)
        px, qy = P.coords(i_idx + 1), Q.coords(j_idx + 1)
        return px / px.sum(1, keepdims=True), qy / qy.sum(1, keepdims=True), False, False
    P, Q = P.vertices(tol), Q.vertices(tol)
    q_labels = np.concatenate([Q.labels[:, n:], Q.labels[:, :n]], axis=1)  # game label order
    keep_p = P.coords.sum(1) > tol
    keep_q = Q.coords.sum(1) > tol
    px, pl = P.coords[keep_p], P.labels[keep_p]
    qy, ql = Q.coords[keep_q], q_labels[keep_q]
    degenerate = bool((pl.sum(1) > m).any() or (ql.sum(1) > n).any())
    if not degenerate:
        # Each vertex has exactly its dimension's labels: a pair is complete iff the label
        # sets are complements, a join on packed keys.
        _, i_idx, j_idx = np.intersect1d(
            _keys(pl), _keys(~ql), assume_unique=True, return_indices=True
        )
    else:
        missing_p = (~pl).astype(np.float32)
        missing_q = (~ql).astype(np.float32).T
        rows = max(1, 4_000_000 // max(1, len(ql)))
        hits = [
            np.argwhere(missing_p[s : s + rows] @ missing_q == 0) + np.array([s, 0])
            for s in range(0, len(pl), rows)
        ]
        pairs = np.concatenate(hits) if hits else np.zeros((0, 2), dtype=int)
        i_idx, j_idx = pairs[:, 0], pairs[:, 1]
    continuum = bool(
        len(i_idx)
        and (np.bincount(i_idx).max(initial=0) > 1 or np.bincount(j_idx).max(initial=0) > 1)
    )
    X = px[i_idx] / px[i_idx].sum(1, keepdims=True)
    Y = qy[j_idx] / qy[j_idx].sum(1, keepdims=True)
    return X, Y, degenerate, continuum
