"""Private kernel: the Lemke–Howson algorithm on normalised tableaux.

The game is rescaled to payoffs in ``[1, 2]`` before the call. Two tableaux are kept, one per
best-response polytope, with every variable indexed by its label (von Stengel 2002, §3):

    P:  B^T x + s = 1   variables x_i (label i), s_j (label m + j)
    Q:  r + A y = 1     variables r_i (label i), y_j (label m + j)

Each side keeps only its inverse basis matrix and right-hand side (revised simplex); a pivot is a
normalised Gauss–Jordan step (the pivot row is divided by the pivot element), so entries stay of
the order of the inverse basis instead of growing or shrinking geometrically as in integer
pivoting, which is what makes integer-tableau implementations underflow on large games. The
leaving row is chosen by the lexicographic minimum-ratio rule over ``(rhs, B^{-1})`` (the columns
of the initial slack basis), which keeps the path well defined in degenerate games.

Racing (:func:`_race_kernel`) follows the paths of many dropped labels in lockstep with the same
pivoting rule, vectorised over the paths, and stops when the first one ends. Path lengths are
heavy-tailed, so the first path to end is usually short; the inverse bases are therefore kept in
a compact product form whose cost grows with the number of pivots made (see :class:`_Stack`).
"""

from __future__ import annotations

import numpy as np

from dealsim.errors import SolverError
from dealsim.solvers._enumeration import _lex_argmin

__all__: list[str] = []

_GER_BLOCK = 8192  # entries per rank-1 update call (OpenBLAS threads above 9216)


class _Side:
    """Revised-simplex state of one polytope ``[M | I] w = 1``: inverse basis, rhs, basis.

    Variable ``v`` of this side is column ``v - offset`` of ``M`` when ``offset <= v < offset +
    M.shape[1]`` and otherwise the slack of row ``v - slack_offset``.
    """

    def __init__(self, M: np.ndarray, offset: int, slack_offset: int, basis: np.ndarray):
        from scipy.linalg.blas import dgemv, dger

        self.M = np.asfortranarray(M, dtype=float)  # columns contiguous for the matvec
        self.offset = offset
        self.slack_offset = slack_offset
        r = M.shape[0]
        self.binv = np.eye(r, order="F")  # Fortran order: dger updates it in place
        self.rhs = np.ones(r)
        self.basis = basis
        self._ger = dger
        self._gemv = dgemv
        width = max(1, _GER_BLOCK // r)
        self._blocks = [slice(s, min(r, s + width)) for s in range(0, r, width)]

    def column(self, v: int) -> np.ndarray:
        j = v - self.offset
        if 0 <= j < self.M.shape[1]:
            return self._matvec(self.M[:, j])
        return self.binv[:, v - self.slack_offset].copy()

    def pivot(self, entering: int) -> int:
        """Pivot ``entering`` into the basis; return the label that leaves.

        The minimum ratio is taken on the right-hand side first; only rows tied there (a
        degenerate step) go through the lexicographic comparison of ``(rhs, Binv)`` rows.
        """
        col = self.column(entering)
        rows = np.flatnonzero(col > 1e-12 * np.abs(col).max(initial=1.0))
        if rows.size == 0:
            raise SolverError(
                f"Lemke-Howson: no pivot row for entering label {entering} (unbounded ray); "
                "the payoffs are not positive after rescaling"
            )
        ratios = self.rhs[rows] / col[rows]
        k = int(ratios.argmin())
        best = ratios[k]
        tied = rows[ratios <= best + 1e-9 * max(1.0, abs(best))]
        if tied.size > 1:
            lex = np.concatenate([self.rhs[tied, None], self.binv[tied]], axis=1)
            k, _ = _lex_argmin(lex, col[tied], np.ones(tied.size, dtype=bool))
            row = int(tied[k])
        else:
            row = int(rows[k])
        leaving = int(self.basis[row])
        pivot_row = self.binv[row] / col[row]
        pivot_rhs = self.rhs[row] / col[row]
        self._rank_one(col, pivot_row)  # binv -= col pivot_row^T
        self.binv[row] = pivot_row
        self.rhs -= col * pivot_rhs
        self.rhs[row] = pivot_rhs
        self.basis[row] = entering
        return leaving

    def _matvec(self, a: np.ndarray) -> np.ndarray:
        """``binv @ a`` by BLAS ``dgemv`` on the column blocks of :meth:`_rank_one`.

        Summing the blocks' products keeps every call below OpenBLAS's threading threshold
        (numpy's ``@`` on the whole 200x200 inverse wakes the thread pool on every pivot).
        """
        first, *rest = self._blocks
        out = self._gemv(1.0, self.binv[:, first], a[first])
        for cols in rest:
            out = self._gemv(1.0, self.binv[:, cols], a[cols], beta=1.0, y=out, overwrite_y=True)
        return out

    def _rank_one(self, col: np.ndarray, pivot_row: np.ndarray) -> None:
        """``binv -= outer(col, pivot_row)`` in place, by BLAS ``dger`` on column blocks.

        Each block has at most ``_GER_BLOCK`` entries, below OpenBLAS's threshold for
        threading a rank-1 update: on a 200x200 inverse one threaded call costs more than ten
        times the arithmetic, and numpy's ``outer`` allocates and sweeps a temporary.
        """
        for cols in self._blocks:
            block = self.binv[:, cols]
            out = self._ger(-1.0, col, pivot_row[cols], a=block, overwrite_a=True)
            if out is not block:  # pragma: no cover - a BLAS that copied instead
                block[...] = out


def _lemke_howson_kernel(
    A: np.ndarray, B: np.ndarray, *, dropped: int, max_pivots: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Follow the path of the ``dropped`` label; return ``(x, y, pivots)``."""
    m, n = A.shape
    side_p = _Side(B.T, offset=0, slack_offset=m, basis=np.arange(m, m + n))  # x, then s
    side_q = _Side(A, offset=m, slack_offset=0, basis=np.arange(m))  # r, then y
    in_p = dropped < m  # x_k enters P; y_{k-m} enters Q
    entering = dropped
    pivots = 0
    while True:
        pivots += 1
        if pivots > max_pivots:
            raise SolverError(
                f"Lemke-Howson did not reach an equilibrium within max_pivots={max_pivots} "
                f"pivots on a {m}x{n} game (dropped label {dropped}); raise max_pivots or try "
                "another initial_dropped_label"
            )
        leaving = (side_p if in_p else side_q).pivot(entering)
        if leaving == dropped:
            break
        entering = leaving
        in_p = not in_p
    x = np.zeros(m)
    y = np.zeros(n)
    x_rows = side_p.basis < m
    x[side_p.basis[x_rows]] = side_p.rhs[x_rows]
    y_rows = side_q.basis >= m
    y[side_q.basis[y_rows] - m] = side_q.rhs[y_rows]
    x = np.clip(x, 0.0, None)
    y = np.clip(y, 0.0, None)
    return x / x.sum(), y / y.sum(), pivots


_CHUNK_ELEMENTS = 1 << 19  # entries of a stack of dense inverses updated per numpy call


class _Stack:
    """Revised-simplex states of one polytope ``F w = 1`` for a stack of L paths.

    ``F`` (r, nvar) has one column per variable, so variable ``v`` is column ``v``. The inverse
    basis matrices are kept in a compact form: after k pivots, ``Binv`` differs from the identity
    in at most k columns (each pivot is an eta matrix that changes one column), so ``Binv`` is
    stored as those columns, ``D`` (L, r, k), and their indices ``S`` (L, k). A pivot whose row
    is already in ``S`` appends a zero column with the out-of-range index ``r``. Then
    ``Binv a = a`` off ``S`` plus ``D a[S]`` costs O(r k) instead of O(r^2), which is what makes
    racing hundreds of paths cheap while they are short. Once k reaches r / 2 the stack turns
    into dense (L, r, r) inverses.
    """

    def __init__(self, full: np.ndarray, basis: np.ndarray, n_paths: int):
        r = full.shape[0]
        self.full = full
        self.r = r
        self.paths = np.arange(n_paths)
        self.D = np.zeros((n_paths, r, 0))
        self.S = np.zeros((n_paths, 0), dtype=np.intp)
        self.dense = False
        self.rhs = np.ones((n_paths, r))
        self.basis = np.tile(basis, (n_paths, 1))

    def ftran(self, a: np.ndarray) -> np.ndarray:
        """``Binv @ a`` for every path; ``a`` is (L, r)."""
        if self.dense:
            return np.matmul(self.D, a[:, :, None])[..., 0]
        padded = np.concatenate([a, np.zeros((a.shape[0], 1))], axis=1)
        picked = np.take_along_axis(padded, self.S, axis=1)  # a[S], 0 at the padding index
        padded[self.paths[:, None], self.S] = 0.0
        return padded[:, : self.r] + np.matmul(self.D, picked[:, :, None])[..., 0]

    def inverse(self, paths: np.ndarray) -> np.ndarray:
        """The dense inverse basis matrices of some paths, (len(paths), r, r)."""
        if self.dense:
            return self.D[paths]
        k = self.S.shape[1]
        dense = np.zeros((len(paths), self.r, self.r + 1))
        dense[:, np.arange(self.r), np.arange(self.r)] = 1.0
        where = np.broadcast_to(self.S[paths, None, :], (len(paths), self.r, k))
        np.put_along_axis(dense, where, self.D[paths], axis=2)
        return dense[:, :, : self.r]

    def pivot(self, entering: np.ndarray) -> np.ndarray:
        """Pivot ``entering`` (L,) into every path's basis; return the leaving variables.

        The row choice is :meth:`_Side.pivot`'s: minimum ratio on the right-hand side, then
        the lexicographic rule over ``(rhs, Binv)`` among the tied rows.
        """
        paths, rhs = self.paths, self.rhs
        col = self.ftran(self.full[:, entering].T)  # (L, r)
        eligible = col > 1e-12 * np.abs(col).max(axis=1, initial=1.0)[:, None]
        stuck = ~eligible.any(axis=1)
        if stuck.any():
            raise SolverError(
                f"Lemke-Howson: no pivot row for entering label {int(entering[stuck][0])} "
                "(unbounded ray); the payoffs are not positive after rescaling"
            )
        ratio = np.divide(rhs, col, out=np.full(col.shape, np.inf), where=eligible)
        row = ratio.argmin(axis=1)
        best = ratio[paths, row]
        tied = ratio <= (best + 1e-9 * np.maximum(1.0, np.abs(best)))[:, None]
        multi = np.flatnonzero(tied.sum(axis=1) > 1)  # degenerate steps only
        if multi.size:
            lex = np.concatenate([rhs[multi, :, None], self.inverse(multi)], axis=2)
            mask = tied[multi]
            row[multi] = _lex_argmin(lex, np.where(mask, col[multi], 1.0), mask)[0]
        leaving = self.basis[paths, row]
        piv = col[paths, row]
        pivot_row = self.D[paths, row] / piv[:, None]  # (L, k)
        pivot_rhs = rhs[paths, row] / piv
        step = max(1, _CHUNK_ELEMENTS // max(1, self.D[0].size))
        for s in range(0, len(paths), step):  # D -= col pivot_row^T, in cache-sized chunks
            self.D[s : s + step] -= col[s : s + step, :, None] * pivot_row[s : s + step, None, :]
        self.D[paths, row] = pivot_row
        rhs -= col * pivot_rhs[:, None]
        rhs[paths, row] = pivot_rhs
        self.basis[paths, row] = entering
        if not self.dense:  # the eta matrix's new column: Binv e_row after the pivot
            eta = -col / piv[:, None]
            eta[paths, row] = 1.0 / piv
            known = (row[:, None] == self.S).any(axis=1)
            eta[known] = 0.0
            self.D = np.concatenate([self.D, eta[:, :, None]], axis=2)
            self.S = np.concatenate([self.S, np.where(known, self.r, row)[:, None]], axis=1)
            if self.S.shape[1] >= self.r // 2:
                self._densify()
        return leaving

    def _densify(self) -> None:
        self.D = np.ascontiguousarray(self.inverse(self.paths))
        self.dense = True


def _race_kernel(
    A: np.ndarray, B: np.ndarray, *, labels: np.ndarray, max_pivots: int
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Follow the paths of all ``labels`` in lockstep until one ends.

    ``labels`` must be sorted and distinct. Returns ``(x, y, label, pivots)`` for the path that
    ended first (the lowest label among those ending at the same pivot).

    Every path alternates between the two polytopes, and a path whose label is a row strategy
    (``< m``) starts in P, so the paths split into two blocks that are always on opposite
    sides: each step is one batched pivot per block, on that block's stack of the side it is
    on. All paths of a block have made the same number of pivots on each side, which keeps
    the compact inverses of a stack the same shape.
    """
    m, n = A.shape
    full_p = np.concatenate([B.T, np.eye(n)], axis=1)  # P: x_i (label i), s_j (label m + j)
    full_q = np.concatenate([np.eye(m), A], axis=1)  # Q: r_i (label i), y_j (label m + j)
    blocks = [b for b in (labels[labels < m], labels[labels >= m]) if b.size]
    states = [
        (
            _Stack(full_p, np.arange(m, m + n), b.size),
            _Stack(full_q, np.arange(m), b.size),
        )
        for b in blocks
    ]
    entering = [b.copy() for b in blocks]
    for pivots in range(1, max_pivots + 1):
        for i, (block, (side_p, side_q)) in enumerate(zip(blocks, states, strict=True)):
            on_p = (block[0] < m) == (pivots % 2 == 1)
            entering[i] = (side_p if on_p else side_q).pivot(entering[i])
        for block, (side_p, side_q), leaving in zip(blocks, states, entering, strict=True):
            done = np.flatnonzero(leaving == block)
            if done.size:
                w = int(done[0])
                x = np.zeros(m)
                y = np.zeros(n)
                x_rows = side_p.basis[w] < m
                x[side_p.basis[w, x_rows]] = side_p.rhs[w, x_rows]
                y_rows = side_q.basis[w] >= m
                y[side_q.basis[w, y_rows] - m] = side_q.rhs[w, y_rows]
                x = np.clip(x, 0.0, None)
                y = np.clip(y, 0.0, None)
                return x / x.sum(), y / y.sum(), int(block[w]), pivots
    raise SolverError(
        f"Lemke-Howson racing {labels.size} labels did not reach an equilibrium within "
        f"max_pivots={max_pivots} pivots per path on a {m}x{n} game; raise max_pivots"
    )
