"""Private kernel: the Lemke–Howson algorithm on normalised tableaux.

The game is rescaled to payoffs in ``[1, 2]`` before the call. Two tableaux are kept, one per
best-response polytope, with every variable indexed by its label (von Stengel 2002, §3):

    P:  B^T x + s = 1   variables x_i (label i), s_j (label m + j)
    Q:  r + A y = 1     variables r_i (label i), y_j (label m + j)

Each pivot divides the pivot row by the pivot element (a Gauss–Jordan step), so entries stay of
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


def _pivot(tableau: np.ndarray, basis: np.ndarray, slack: slice, entering: int) -> int:
    """Pivot ``entering`` into the basis in place; return the label that leaves."""
    col = tableau[:, entering]
    eligible = col > 1e-12 * np.abs(col).max(initial=1.0)
    safe = np.where(eligible, col, 1.0)
    lex = np.concatenate([tableau[:, -1:], tableau[:, slack]], axis=1)
    row, ok = _lex_argmin(lex, safe, eligible)
    if not ok:
        raise SolverError(
            f"Lemke-Howson: no pivot row for entering label {entering} (unbounded ray); "
            "the payoffs are not positive after rescaling"
        )
    row = int(row)
    leaving = int(basis[row])
    tableau[row] /= tableau[row, entering]
    factor = tableau[:, entering].copy()
    factor[row] = 0.0
    tableau -= np.outer(factor, tableau[row])
    basis[row] = entering
    return leaving


def _lemke_howson_kernel(
    A: np.ndarray, B: np.ndarray, *, dropped: int, max_pivots: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Follow the path of the ``dropped`` label; return ``(x, y, pivots)``."""
    m, n = A.shape
    tab_p = np.hstack([B.T, np.eye(n), np.ones((n, 1))])  # n rows, vars x (m), s (n)
    tab_q = np.hstack([np.eye(m), A, np.ones((m, 1))])  # m rows, vars r (m), y (n)
    basis_p = np.arange(m, m + n)
    basis_q = np.arange(m)
    slack_p, slack_q = slice(m, m + n), slice(0, m)
    in_p = dropped < m  # x_k enters P; y_{k-m} enters Q
    entering = dropped
    for pivots in range(1, max_pivots + 1):
        if in_p:
            leaving = _pivot(tab_p, basis_p, slack_p, entering)
        else:
            leaving = _pivot(tab_q, basis_q, slack_q, entering)
        if leaving == dropped:
            break
        entering = leaving
        in_p = not in_p
    else:
        raise SolverError(
            f"Lemke-Howson did not reach an equilibrium within max_pivots={max_pivots} "
            f"pivots on a {m}x{n} game (dropped label {dropped}); raise max_pivots or try "
            "another initial_dropped_label"
        )
    x = np.zeros(m)
    y = np.zeros(n)
    x_rows = basis_p < m
    x[basis_p[x_rows]] = tab_p[x_rows, -1]
    y_rows = basis_q >= m
    y[basis_q[y_rows] - m] = tab_q[y_rows, -1]
    x = np.clip(x, 0.0, None)
    y = np.clip(y, 0.0, None)
    return x / x.sum(), y / y.sum(), pivots
