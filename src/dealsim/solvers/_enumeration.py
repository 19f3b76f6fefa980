"""Private kernels: vertex enumeration of best-response polytopes and support enumeration.

Both kernels take payoff matrices that were already validated and rescaled to ``[1, 2]`` (a
positive affine map of each player's payoffs, which leaves the equilibria unchanged) and return
candidate profiles ``(X, Y)`` as stacked arrays; the public module verifies and dedupes them.

Vertex enumeration follows von Stengel (2002), "Computing equilibria for two-person games":
the equilibria are the completely labelled vertex pairs of

    P = {x >= 0 : B^T x <= 1},   Q = {y >= 0 : A y <= 1}

The vertices of each polytope are found by a breadth-first search over lexicographically feasible
simplex bases (the bases of the lexicographically perturbed, hence simple, polytope), vectorised
over the whole frontier: every layer does the ratio test for every (basis, entering variable)
pair at once on the stacked dictionaries (the tableau columns of the nonbasic variables), falls
back to the lexicographic rule only where rows tie, dedupes the new bases by their packed
membership bits against a sorted array of the keys seen, and derives each new basis's dictionary
from its parent's by one batched pivot (no matrix products or inverses: on small blocks those
cost more in call and BLAS-threading overhead than they save).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from dealsim.errors import SolverError

__all__: list[str] = []

_PIVOT_TOL = 1e-9
_MAX_BASES = 2_000_000
_CHUNK = 20_000
# Square games up to this many variables per polytope (m + n) search both polytopes as one: the
# fixed cost per layer of the search dominates there (8x8: 0.6-0.7x the CPU time of two
# searches); from 14x14 on, the larger arrays per call make it a few percent slower.
_STACK_MAX_VARS = 24


def _rescale(matrix: np.ndarray) -> np.ndarray:
    """Map ``matrix`` affinely onto ``[1, 2]`` (a constant matrix becomes all ones)."""
    lo, hi = float(matrix.min()), float(matrix.max())
    if np.isclose(hi, lo, rtol=0.0, atol=0.0):
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

    ``keys`` are from :func:`_keys` on rows of ``bits`` columns. When a key and an index fit in
    64 bits together, one sort of ``key << b | index`` replaces a stable argsort on large
    arrays (five times faster on 10^5 keys; on a few hundred the extra calls cost more).
    """
    n = len(keys)
    shift = max(1, n.bit_length())
    if n >= 2048 and keys.dtype == np.uint64 and bits + shift <= 64:
        packed = np.left_shift(keys, np.uint64(shift)) | np.arange(n, dtype=np.uint64)
        packed.sort()
        sorted_keys = packed >> np.uint64(shift)
        order = (packed & np.uint64((1 << shift) - 1)).astype(np.intp)
    else:
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
    return order[np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]])]


def _polytope_vertices(*Ms: np.ndarray, tol: float) -> list[_Vertices]:
    """All vertices of ``{z >= 0 : M z <= 1}`` for each of one or two positive (r, d) matrices.

    Two matrices must have the same shape: their searches run as one (every numpy call of a
    layer serves all of them; the keys carry the matrix's index, so bases of different
    matrices never merge), which halves the fixed cost per layer that dominates small games.
    Each matrix's vertices, and every intermediate value, are those of a search on it alone.
    """
    p = len(Ms)
    r, d = Ms[0].shape
    nvar = d + r
    # Standard form [M | I] w = 1, w = (z, s) >= 0. Frontier state per basis: the basic
    # variable of each tableau row, the nonbasic variables, the dictionary (the tableau
    # Binv [M | I] restricted to the nonbasic columns, stored transposed as (d, r) so that the
    # ratio test reduces over the last axis), the right-hand side and the key.
    # Dictionaries are updated by pivots, never recomputed by matrix products (which go
    # through a threaded BLAS that costs more than it saves for these small blocks).
    bases = np.tile(np.arange(d, nvar), (p, 1))  # the slack basis (z = 0) is lex-feasible
    nonbasic = np.tile(np.arange(d), (p, 1))
    table = np.ascontiguousarray(np.stack(Ms).transpose(0, 2, 1))
    rhs = np.ones((p, r))
    # The key of a basis: its members' bits, then the matrix's index in the bits above nvar.
    which = np.arange(p)  # the matrix of each basis
    member = np.zeros((p, nvar + 1), dtype=bool)
    member[:, d:nvar] = True
    member[:, nvar] = which == 1
    width = nvar + (p > 1)
    keys = _keys(member[:, :width])
    narrow = width <= 64
    bit = np.left_shift(np.uint64(1), np.arange(min(nvar, 64), dtype=np.uint64))
    seen = np.sort(keys)
    visited = 0  # bases of all the matrices; per matrix only when this passes the limit
    layer_which: list[np.ndarray] = []
    layer_bases: list[np.ndarray] = []
    layer_rhs: list[np.ndarray] = []
    while bases.shape[0]:
        visited += len(which)
        if visited > _MAX_BASES and (
            np.bincount(np.concatenate([*layer_which, which]), minlength=p).max() > _MAX_BASES
        ):
            raise SolverError(
                f"vertex enumeration visited more than {_MAX_BASES} bases of a {r}x{d} "
                "best-response polytope; the game is too large or too degenerate for "
                "enumeration: use method='lemke_howson' for one equilibrium"
            )
        layer_bases.append(bases)
        layer_rhs.append(rhs)
        layer_which.append(which)
        eligible = table > _PIVOT_TOL  # (f, d, r): entering column per nonbasic position
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(eligible, rhs[:, None, :] / table, np.inf)
        row = ratio.argmin(2)  # (f, d): minimum ratio on the right-hand side ...
        best = ratio.reshape(-1, r)[np.arange(row.size), row.ravel()].reshape(row.shape)
        ok = best < np.inf
        near = (best + 1e-9 * np.maximum(1.0, best))[:, :, None]  # inf where not ok
        tied = ok & (np.count_nonzero(ratio <= near, axis=2) > 1)
        if tied.any():  # ... and the lexicographic rule on (rhs, Binv) where rows tie there
            tf, tp = np.nonzero(tied)
            tableau = np.zeros((len(tf), r, nvar))  # the full tableaux of these bases
            at = np.arange(len(tf))
            tableau[at[:, None], np.arange(r), bases[tf]] = 1.0
            dictionary = table[tf].transpose(0, 2, 1)  # (t, r, d)
            np.put_along_axis(
                tableau, np.broadcast_to(nonbasic[tf, None, :], dictionary.shape), dictionary, 2
            )
            lex = np.concatenate([rhs[tf, :, None], tableau[:, :, d:]], axis=2)  # (t, r, 1 + r)
            mask = eligible[tf, tp]
            safe = np.where(mask, table[tf, tp], 1.0)
            row[tf, tp] = _lex_argmin(lex, safe, mask)[0]
        parent, pos = np.nonzero(ok)
        row = row[parent, pos]
        entering = nonbasic[parent, pos]
        leaving = bases[parent, row]
        if narrow:
            child_keys = keys[parent] ^ bit[leaving] ^ bit[entering]
        else:
            member = np.zeros((len(parent), width), dtype=bool)
            np.put_along_axis(member, bases[parent], True, axis=1)
            member[:, nvar:] = which[parent, None] == 1
            member[np.arange(len(parent)), leaving] = False
            member[np.arange(len(parent)), entering] = True
            child_keys = _keys(member)
        # New bases: the first occurrence of each key not seen before, in order of occurrence.
        first = _first_occurrences(child_keys, width)
        at = np.minimum(np.searchsorted(seen, child_keys[first]), len(seen) - 1)
        fresh = np.sort(first[seen[at] != child_keys[first]])
        keys = child_keys[fresh]
        seen = np.sort(np.concatenate([seen, keys]), kind="stable")  # merges two sorted runs
        parent, pos, row = parent[fresh], pos[fresh], row[fresh]
        # Dictionary pivot of the parent for each new basis: the entering variable's column
        # (at ``pos``) becomes the leaving variable's, which was the unit vector of ``row``.
        idx = np.arange(len(parent))
        table = np.take(table, parent, axis=0)
        col = table[idx, pos]  # (c, r)
        piv = col[idx, row]
        pivot_row = table[idx, :, row] / piv[:, None]  # (c, d)
        pivot_row[idx, pos] = 1.0 / piv
        col[idx, row] = 0.0
        table[idx, pos] = 0.0
        table -= pivot_row[:, :, None] * col[:, None, :]
        table[idx, :, row] = pivot_row
        rhs = np.take(rhs, parent, axis=0)
        pivot_rhs = rhs[idx, row] / piv
        rhs -= col * pivot_rhs[:, None]
        rhs[idx, row] = pivot_rhs
        bases = np.take(bases, parent, axis=0)
        bases[idx, row] = entering[fresh]
        nonbasic = np.take(nonbasic, parent, axis=0)
        nonbasic[idx, pos] = leaving[fresh]
        which = np.take(which, parent)
    which = np.concatenate(layer_which)
    all_bases = np.concatenate(layer_bases)
    w = np.zeros((all_bases.shape[0], nvar))
    np.put_along_axis(w, all_bases, np.concatenate(layer_rhs), axis=1)
    out = []
    for k in range(p):
        wk = w[which == k]
        labels = wk <= tol
        first = np.sort(_first_occurrences(_keys(labels), nvar))
        out.append(_Vertices(coords=wk[first, :d], labels=labels[first]))
    return out


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
    # P's labels: x_i = 0 -> i, (B^T x)_j = 1 -> m + j; Q's: y_j = 0, (A y)_i = 1
    if m == n and m + n <= _STACK_MAX_VARS:
        P, Q = _polytope_vertices(B.T, A, tol=tol)
    else:
        (P,), (Q,) = _polytope_vertices(B.T, tol=tol), _polytope_vertices(A, tol=tol)
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


def _combos(size: int, k: int) -> np.ndarray:
    """All k-subsets of ``range(size)`` as a (C(size, k), k) index array."""
    return np.array(list(combinations(range(size), k)), dtype=np.intp).reshape(-1, k)


def _indifferent(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``M z = v 1, sum z = 1`` for a stack (p, k, k); return (z, v), NaN where singular."""
    p, k, _ = M.shape
    K = np.zeros((p, k + 1, k + 1))
    K[:, :k, :k] = M
    K[:, :k, k] = -1.0
    K[:, k, :k] = 1.0
    rhs = np.zeros((p, k + 1, 1))
    rhs[:, k, 0] = 1.0
    try:
        sol = np.linalg.solve(K, rhs)[..., 0]
    except np.linalg.LinAlgError:
        # Some systems are singular (ties): solve only those whose determinant is clearly
        # away from zero relative to Hadamard's bound.
        det = np.abs(np.linalg.det(K))
        bound = np.prod(np.linalg.norm(K, axis=2), axis=1)
        good = det > 1e-12 * bound
        sol = np.full((p, k + 1), np.nan)
        if good.any():
            sol[good] = np.linalg.solve(K[good], rhs[good])[..., 0]
    return sol[:, :k], sol[:, k]


def _support_kernel(A: np.ndarray, B: np.ndarray, *, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Equilibria with supports of equal size, by batched indifference systems.

    For each support size k, every pair (S, T) of k-subsets is solved at once (in chunks):
    first the column player's mix that makes the row player indifferent on S (most pairs fail
    its non-negativity test), then the row player's mix for the survivors, and finally the
    best-response test against all pure strategies.
    """
    m, n = A.shape
    xs, ys = [], []
    for k in range(1, min(m, n) + 1):
        S, T = _combos(m, k), _combos(n, k)
        total = len(S) * len(T)
        for start in range(0, total, _CHUNK):
            idx = np.arange(start, min(total, start + _CHUNK))
            s, t = S[idx // len(T)], T[idx % len(T)]
            y, v = _indifferent(A[s[:, :, None], t[:, None, :]])
            ok = np.all(y >= -tol, axis=1)
            s, t, y, v = s[ok], t[ok], y[ok], v[ok]
            x, u = _indifferent(np.swapaxes(B[s[:, :, None], t[:, None, :]], 1, 2))
            ok = np.all(x >= -tol, axis=1)
            s, t, x, u, y, v = s[ok], t[ok], x[ok], u[ok], y[ok], v[ok]
            row_values = np.einsum("pik,pk->pi", A[:, t].transpose(1, 0, 2), y)
            col_values = np.einsum("pkj,pk->pj", B[s, :], x)
            ok = (row_values.max(1) <= v + tol) & (col_values.max(1) <= u + tol)
            X = np.zeros((int(ok.sum()), m))
            Y = np.zeros((int(ok.sum()), n))
            np.put_along_axis(X, s[ok], np.clip(x[ok], 0.0, None), axis=1)
            np.put_along_axis(Y, t[ok], np.clip(y[ok], 0.0, None), axis=1)
            xs.append(X)
            ys.append(Y)
    X, Y = np.concatenate(xs), np.concatenate(ys)
    return X / X.sum(1, keepdims=True), Y / Y.sum(1, keepdims=True)
