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
"""

from __future__ import annotations

import numpy as np

from dealsim.errors import SolverError
from dealsim.solvers._enumeration import _lex_argmin

__all__: list[str] = []


class _Side:
    """Revised-simplex state of one polytope ``[M | I] w = 1``: inverse basis, rhs, basis.

    Variable ``v`` of this side is column ``v - offset`` of ``M`` when ``offset <= v < offset +
    M.shape[1]`` and otherwise the slack of row ``v - slack_offset``.
    """

    def __init__(self, M: np.ndarray, offset: int, slack_offset: int, basis: np.ndarray):
        self.M = M
        self.offset = offset
        self.slack_offset = slack_offset
        self.binv = np.eye(M.shape[0])
        self.rhs = np.ones(M.shape[0])
        self.basis = basis

    def column(self, v: int) -> np.ndarray:
        j = v - self.offset
        if 0 <= j < self.M.shape[1]:
            return self.binv @ self.M[:, j]
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
        self.binv -= np.multiply.outer(col, pivot_row)
        self.binv[row] = pivot_row
        self.rhs -= col * pivot_rhs
        self.rhs[row] = pivot_rhs
        self.basis[row] = entering
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
