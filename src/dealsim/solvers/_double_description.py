"""Private kernel: vertices of small nondegenerate best-response polytopes, by double description.

The polytope ``{z >= 0 : M z <= 1}`` of a positive (r, d) matrix ``M`` is built one row at a
time (the double description method of Motzkin et al. 1953, as in Fukuda and Prodon 1996):
``z >= 0`` and row 0 bound a simplex, the origin and ``e_i / M[0, i]``; each further row ``k``
keeps the vertices strictly inside ``(M z)_k < 1``, drops those strictly outside, and adds
the point where each edge from a kept vertex to a dropped one crosses ``(M z)_k = 1``. A
vertex carries the set of its active constraints as bits (``z_i = 0``: bit i; ``(M z)_j = 1``:
bit d + j, the labels of :mod:`dealsim.solvers._enumeration`). While every polytope on the way
is simple, two vertices are the ends of an edge exactly when they share d - 1 active
constraints, so each row costs a few array operations over the (kept, dropped) pairs.

This is the fast path for small games: at 8x8 it needs about a third of the numpy calls of
the breadth-first search over bases, whose fixed cost per layer dominates there. It answers
only when the polytope is simple with a margin: no vertex lies within ``_TIGHT`` of a row as
that row is added, and at the end every inactive constraint's value (a coordinate or a slack)
exceeds ``2 * tol``, so that the search over bases would see no basic variable within
``tol`` of 0 either (:meth:`dealsim.solvers._enumeration._Bases.simple`). Otherwise it
returns None and the caller runs the search, which handles degenerate polytopes.
"""

from __future__ import annotations

import functools

import numpy as np

__all__: list[str] = []

# A vertex within this of a row's hyperplane as the row is added (the rows are rescaled so
# that the hyperplane is ``(M z)_k = 1`` with ``M`` in [1, 2]: an absolute margin is relative
# to the data) makes the method give way to the search over bases.
_TIGHT = 1e-9
# Below this ``tol``, an active slack's rounding could exceed ``2 * tol`` (:func:`_checked`).
_MIN_TOL = 1e-13
# The (kept, dropped) pairs of a row are tested as one array of bits: above this many the
# search over bases runs instead (it keeps its arrays to the frontier's size).
_MAX_PAIRS = 1 << 22
_FLAG_BITS = 2  # bits above the constraints' that name a vertex's matrix (two per matrix)


def _vertex_sets(
    Ms: tuple[np.ndarray, ...], tol: float
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The vertices of ``{z >= 0 : M z <= 1}`` for one or two positive (r, d) matrices.

    Returns, per matrix, ``(coords, active)``: the vertices (V, d), the origin first, and
    each one's active constraints as uint64 bits (bit i: ``z_i = 0``; bit d + j:
    ``(M z)_j = 1``); or None unless every polytope is simple with a margin (module
    docstring). Two matrices of one shape are built as one: their vertices share the arrays,
    side by side in the columns (``z`` of the first matrix in columns 0..d-1, of the second
    in d..2d-1), and each vertex's bits carry two flag bits of its matrix above the
    constraints', so that vertices of different matrices never share d - 1 + 2 bits.
    """
    p = len(Ms)
    r, d = Ms[0].shape
    nvar = d + r
    if nvar + p * _FLAG_BITS > 64 or tol < _MIN_TOL:
        return None
    corners, Z = _simplex_constants(r, d, p)
    V = np.zeros((p * (d + 1), p * d))
    V[corners] = np.concatenate([M[0] for M in Ms])
    np.divide(1.0, V, out=V, where=V != 0.0)  # the corner e_i / M[0, i]; the origins stay 0
    key = Z.dtype.type
    rows = np.concatenate(Ms, axis=1)  # row k: every matrix's row k, side by side
    adjacent = d - 1 + _FLAG_BITS
    for k in range(1, r):
        slack = 1.0 - V @ rows[k]
        inside = (slack > _TIGHT).nonzero()[0]
        outside = (slack < -_TIGHT).nonzero()[0]
        if len(inside) + len(outside) != len(slack):
            return None  # a vertex on the hyperplane: degenerate, or nearly
        if not len(outside):
            continue
        if len(inside) * len(outside) > _MAX_PAIRS:
            return None
        kept = Z[inside]
        common = kept[:, None] & Z[outside]
        # (flat positions and a divmod: nonzero() of a 2-d mask costs several times more)
        i, j = np.divmod(np.flatnonzero(np.bitwise_count(common) == adjacent), len(outside))
        a, b = inside[i], outside[j]
        near = slack[a]
        t = near / (near - slack[b])  # in (0, 1): the crossing on the edge from a to b
        n = len(inside)
        grown = np.empty((n + len(a), V.shape[1]))
        V.take(inside, axis=0, out=grown[:n])
        start = V[a]
        new = np.subtract(V[b], start, out=grown[n:])
        new *= t[:, None]
        new += start
        edge = common[i, j]
        edge |= key(1 << (d + k))
        V = grown
        Z = np.concatenate([kept, edge])
    return _checked(Ms, V, Z, tol)


@functools.lru_cache(maxsize=64)
def _simplex_constants(r: int, d: int, p: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The first simplex of ``p`` matrices of shape (r, d): the positions (rows, columns) of
    its corners ``e_i / M[0, i]`` in the vertex array, and every vertex's bits (read-only):
    the origin (``z = 0``, bits 0 ... d-1), then corner i (every ``z_j = 0`` but i, and row 0,
    bit d), for each matrix, with the matrix's flag bits. uint32 bits where they fit (the
    pairs of a row cost half the bytes), else uint64."""
    nvar = d + r
    key = np.uint32 if nvar + p * _FLAG_BITS <= 32 else np.uint64
    free = (1 << d) - 1
    bits = []
    for i in range(p):
        flag = 3 << (nvar + _FLAG_BITS * i)
        bits += [free | flag] + [(free ^ (1 << j)) | (1 << d) | flag for j in range(d)]
    corner = np.arange(d)
    rows = np.concatenate([i * (d + 1) + 1 + corner for i in range(p)])
    columns = np.arange(p * d)
    out = ((rows, columns), np.array(bits, dtype=key))
    for a in (rows, columns, out[1]):
        a.flags.writeable = False
    return out


def _checked(
    Ms: tuple[np.ndarray, ...], points: np.ndarray, bits: np.ndarray, tol: float
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Each matrix's ``(coords, active)``, or None when some inactive constraint's value (a
    coordinate or a slack) is within ``2 * tol`` of 0 (the search over bases decides then).

    A vertex's active coordinates are exactly 0 and its active slacks within rounding of 0
    (``tol >= 1e-13``), and the coordinates of the other matrix's columns are 0 with slack
    1: so each vertex has ``p * d`` values at most ``2 * tol`` exactly when none of its
    inactive values is.
    """
    p = len(Ms)
    r, d = Ms[0].shape
    nvar = d + r
    blocks = np.zeros((p * d, p * r))
    for i, M in enumerate(Ms):
        blocks[i * d : (i + 1) * d, i * r : (i + 1) * r] = M.T
    slack = 1.0 - points @ blocks
    limit = 2 * tol
    small = np.count_nonzero(points <= limit) + np.count_nonzero(slack <= limit)
    if small != len(points) * p * d:
        return None
    first_flag = bits.dtype.type(1 << (nvar + _FLAG_BITS))
    second = bits >= first_flag  # the second matrix's vertices
    labels = (bits & bits.dtype.type((1 << nvar) - 1)).astype(np.uint64)
    return [
        (points[at, i * d : (i + 1) * d], labels[at])
        for i, at in enumerate(((~second).nonzero()[0], second.nonzero()[0])[:p])
    ]
