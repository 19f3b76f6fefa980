"""Private kernel: the Lemke–Howson algorithm on normalised tableaux.

The game is rescaled to payoffs in ``[1, 2]`` before the call. Two tableaux are kept, one per
best-response polytope, with every variable indexed by its label (von Stengel 2002, §3):

    P:  B^T x + s = 1   variables x_i (label i), s_j (label m + j)
    Q:  r + A y = 1     variables r_i (label i), y_j (label m + j)

Each side keeps only its inverse basis matrix and right-hand side (revised simplex), the inverse
stored as its columns that differ from unit vectors (about one in eight along the paths of
random 200x200 games; see :class:`_Side`); a pivot is a normalised Gauss–Jordan step (the
pivot row is divided by the pivot element), so entries stay of the order of the inverse basis
instead of growing or shrinking geometrically as in integer pivoting, which is what makes
integer-tableau implementations underflow on large games. The leaving row is chosen by the
lexicographic minimum-ratio rule over ``(rhs, B^{-1})`` (the columns of the initial slack
basis), which keeps the path well defined in degenerate games.

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
# scipy's dgemv's optional arguments after ``y`` (offx, incx, offy, incy, trans, overwrite_y),
# passed by position: f2py parses keywords slowly, and every pivot makes such a call. dger's are
# passed by position too: (incx, incy, a, overwrite_x, overwrite_y, overwrite_a).
_GEMV_INPLACE = (0, 1, 0, 1, 0, 1)


class _Side:
    """Revised-simplex state of one polytope ``[M | I] w = 1``: inverse basis, rhs, basis.

    Variable ``v`` of this side is column ``v - offset`` of ``M`` when ``offset <= v < offset +
    M.shape[1]`` and otherwise the slack of row ``v - slack_offset``.

    The inverse basis ``Binv`` is kept in compact form. Its column ``c``, ``Binv e_c``, is the
    slack of row ``c`` in terms of the basis: exactly the unit vector ``e_p`` while that slack is
    basic in tableau row ``p`` (the pivot row of ``Binv`` is zero there, so pivots leave it
    unchanged). Only the columns of the nonbasic slacks carry information; they are stored side
    by side in the first ``k`` columns of ``D`` (Fortran order, so that BLAS updates
    ``D[:, :k]`` in place), ``k`` being the number of basic columns of ``M`` (about 25 of 200
    along the Lemke-Howson paths of random 200x200 games), which makes a pivot O(r k) instead of
    O(r^2). ``slot[i]`` is the slack whose column is ``D[:, i]`` (``i < k``) and ``where`` its
    inverse; ``src[p]`` is the slack basic in row ``p``, or ``r`` if a column of ``M`` is.
    """

    def __init__(self, M: np.ndarray, offset: int, slack_offset: int, basis: np.ndarray):
        from scipy.linalg.blas import dgemv, dger

        r, d = M.shape
        self.M = np.zeros((r + 1, d), order="F")  # a zero last row: M[src, j] is Binv's e part
        self.M[:r] = M
        self.d = d
        self.offset = offset
        self.slack_offset = slack_offset
        self.r = r
        self.D = np.zeros((r, r), order="F")
        self.k = 0
        self.slot = np.arange(r)
        self.where = np.arange(r)
        self.src = np.arange(r)  # the starting basis is all slacks, slack p in row p
        self.rhs = np.ones(r)
        self._ratios = np.empty(r)
        self._mask = np.empty(r, dtype=bool)
        self._scratch = np.empty(r)
        self.basis = basis
        self._ger = dger
        self._gemv = dgemv
        self._width = max(1, _GER_BLOCK // r)  # stored columns per BLAS call

    def _slack(self, v: int) -> int:
        """The row whose slack is variable ``v``, or -1 if ``v`` is a column of ``M``."""
        return -1 if 0 <= v - self.offset < self.d else v - self.slack_offset

    def column(self, v: int) -> np.ndarray:
        """``Binv`` times variable ``v``'s column of ``[M | I]``."""
        k = self.k
        c = self._slack(v)
        if c >= 0:
            i = int(self.where[c])
            if i < k and self.slot[i] == c:  # stored (``where`` is stale for the others)
                return self.D[:, i].copy()
            out = np.zeros(self.r)
            out[int(np.flatnonzero(self.src == c)[0])] = 1.0
            return out
        a = self.M[:, v - self.offset]
        out = a[self.src]  # the unit columns' part: a[c] in the row where slack c is basic
        if k == 0:
            return out
        if k <= self._width:  # one block, below OpenBLAS's threading threshold
            return self._gemv(1.0, self.D[:, :k], a[self.slot[:k]], 1.0, out, *_GEMV_INPLACE)
        for s in range(0, k, self._width):
            e = min(k, s + self._width)
            out = self._gemv(1.0, self.D[:, s:e], a[self.slot[s:e]], 1.0, out, *_GEMV_INPLACE)
        return out

    def _binv_rows(self, rows: np.ndarray) -> np.ndarray:
        """Rows of the dense ``Binv`` (for the lexicographic rule on tied rows)."""
        dense = np.zeros((rows.size, self.r + 1))
        dense[np.arange(rows.size), self.src[rows]] = 1.0
        dense[:, self.slot[: self.k]] = self.D[rows, : self.k]
        return dense[:, : self.r]

    def pivot(self, entering: int) -> int:
        """Pivot ``entering`` into the basis; return the label that leaves.

        The minimum ratio is taken on the right-hand side first; only rows tied there (a
        degenerate step) go through the lexicographic comparison of ``(rhs, Binv)`` rows.
        Every pivot runs this, so it makes as few numpy calls as it can: :meth:`column`
        inlined for columns of ``M``, Python floats for the scalars, preallocated buffers.
        """
        k = self.k
        D = self.D
        j = entering - self.offset
        if 0 <= j < self.d:
            a = self.M[:, j]
            col = a[self.src]  # the unit columns' part, as in :meth:`column`
            if 0 < k <= self._width:
                col = self._gemv(1.0, D[:, :k], a[self.slot[:k]], 1.0, col, *_GEMV_INPLACE)
            elif k:
                col = self.column(entering)
        else:  # a nonbasic slack: its column is stored (``column``'s first case)
            c = entering - self.slack_offset
            i = int(self.where[c])
            col = D[:, i].copy() if i < k and self.slot[i] == c else self.column(entering)
        rhs = self.rhs
        big = max(1.0, float(col[col.argmax()]), -float(col[col.argmin()]))
        ratios = self._ratios  # rhs / col on the rows where col > 1e-12 big, inf elsewhere
        np.divide(rhs, col, out=ratios)  # the caller ignores division by zero (masked here)
        np.putmask(ratios, np.less_equal(col, 1e-12 * big, out=self._mask), np.inf)
        row = int(ratios.argmin())
        best = float(ratios[row])
        if best == np.inf:
            raise SolverError(
                f"Lemke-Howson: no pivot row for entering label {entering} (unbounded ray); "
                "the payoffs are not positive after rescaling"
            )
        bound = best + 1e-9 * max(1.0, abs(best))
        ratios[row] = np.inf  # another row within ``bound``? (cheaper than counting them)
        if float(ratios[ratios.argmin()]) <= bound:
            ratios[row] = best
            tied = np.less_equal(ratios, bound, out=self._mask).nonzero()[0]
            lex = np.concatenate([rhs[tied, None], self._binv_rows(tied)], axis=1)
            i, _ = _lex_argmin(lex, col[tied], np.ones(tied.size, dtype=bool))
            row = int(tied[i])
        leaving = int(self.basis[row])
        piv = float(col[row])
        drow = D[row, :k]
        pivot_row = np.divide(drow, piv)
        width = self._width
        if k <= width:  # D[:, :k] -= col pivot_row^T, in place
            if k and self._ger(-1.0, col, pivot_row, 1, 1, D[:, :k], 1, 1, 1).base is not D:
                raise AssertionError("BLAS dger did not update in place")  # pragma: no cover
        else:
            for s in range(0, k, width):
                e = min(k, s + width)
                block = D[:, s:e]
                if self._ger(-1.0, col, pivot_row[s:e], 1, 1, block, 1, 1, 1) is not block:
                    raise AssertionError("BLAS dger did not update in place")  # pragma: no cover
        drow[...] = pivot_row
        pivot_rhs = float(rhs[row]) / piv
        rhs -= np.multiply(col, pivot_rhs, out=self._scratch)
        rhs[row] = pivot_rhs
        self.basis[row] = entering
        c = -1 if 0 <= j < self.d else entering - self.slack_offset
        self.src[row] = c if c >= 0 else self.r
        if c >= 0:  # its column is now e_row: no longer stored
            i, last = int(self.where[c]), k - 1
            if i != last:
                D[:, i] = D[:, last]
                moved = self.slot[last]
                self.slot[i] = moved
                self.where[moved] = i
            self.k = k = last
        c = self._slack(leaving)
        if c >= 0:  # its column was e_row: now Binv e_row after the pivot, stored
            y = 1.0 / piv
            np.multiply(col, -y, out=D[:, k])
            D[row, k] = y
            self.slot[k] = c
            self.where[c] = k
            self.k = k + 1
        return leaving


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
    with np.errstate(divide="ignore", invalid="ignore"):  # ratios of zero columns: masked
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
