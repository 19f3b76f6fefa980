"""Private kernel: Lemke's algorithm on the sequence-form LCP of a two-player game.

The complementarity problem (Koller, Megiddo & von Stengel 1996, §4) for realisation plans
``x`` (player 1) and ``y`` (player 2) with constraint matrices ``E x = e``, ``F y = f`` and
sequence-form payoff matrices ``A``, ``B`` is

    a = E^T u - A y + alpha z0 >= 0,   x >= 0,   x^T a = 0
    b = F^T v - B^T x + beta z0 >= 0,  y >= 0,   y^T b = 0
    E x = e,  F y = f                  (u, v free)

with ``z0 >= 0`` Lemke's artificial variable and ``(alpha, beta)`` its covering vector. The
covering vector penalises every sequence outside a starting pair of pure plans ``(x0, y0)``
(each with one action at every information set): ``alpha`` is 0 on the sequences of ``x0`` and
``1 + s / n1`` on any other sequence ``s`` (likewise ``beta``). For ``z0`` large enough
``(x0, y0)`` with the matching dual values solves the system (the primary ray); a solution with
``z0 = 0`` is an equilibrium. Distinct penalties keep the path short on games with symmetric
payoffs (many-card poker), where equal penalties tie at almost every step and the path grows
by orders of magnitude. The free variables ``u, v`` are basic from the start and never leave:
they are skipped by the ratio test. The equality rows have no slack, so ``E x = e`` and
``F y = f`` hold at every basis.

The tableau is kept in revised form (inverse basis and basic values; a pivot is one normalised
Gauss–Jordan step); every ``_REFACTOR`` pivots the basic values are checked against the
equations and the inverse basis is refactorised if they have drifted. The leaving variable is chosen
by the lexicographic minimum-ratio rule on the right-hand side perturbed by ``B0 (eps, eps^2,
...)``, with ``B0`` the starting basis (so every row starts lexicographically positive, even the
degenerate ones of the starting plans): rows tied on the ratio are compared on the rows of
``B^{-1} B0``. When the artificial variable is among the tied rows it leaves, which ends the
path. The payoff matrices are expected negative (the caller rescales the payoffs to ``[-2, -1]``).
"""

from __future__ import annotations

import numpy as np

from dealsim.errors import SolverError

__all__: list[str] = []

_REFACTOR = 50  # pivots between checks of the inverse basis
_DRIFT = 1e-10  # residual of the basic values (relative) that triggers a refactorisation
_PIVOT_TOL = 1e-11  # pivot elements below this (relative to the column's largest) are zeros
_TIE_TOL = 1e-9  # ratios within this (relative) tie and go to the lexicographic rule
_LEX_BLOCK = 64  # columns of B^{-1} B0 formed at a time by the lexicographic rule


class _Tableau:
    """Revised-simplex state: columns ``T``, basis, inverse basis, basic values."""

    def __init__(
        self, T: np.ndarray, rhs: np.ndarray, basis: np.ndarray, free: tuple[int, int]
    ) -> None:
        self.T = T
        self.rhs = rhs
        self.basis = basis
        self.free_lo, self.free_hi = free  # columns of the free variables (never leave)
        self.basis0 = basis.copy()  # the starting basis B0, for the lexicographic rule
        self.pivots = 0
        self.refactor()

    def refactor(self) -> None:
        basis_matrix = self.T[:, self.basis]
        try:
            self.binv = np.linalg.inv(basis_matrix)
        except np.linalg.LinAlgError:
            raise SolverError(
                "Lemke's algorithm reached a singular basis (numerically degenerate game); "
                "try method='lp' for a zero-sum game or rescale the payoffs"
            ) from None
        self.beta = self.binv @ self.rhs

    def residual(self) -> float:
        """Largest violation of the equations by the basic values (relative)."""
        r = self.T[:, self.basis] @ self.beta - self.rhs
        return float(np.abs(r).max()) / max(1.0, float(np.abs(self.beta).max()))

    def polish(self) -> None:
        """Two steps of iterative refinement of the basic values; refactorise if they fail."""
        basis_matrix = self.T[:, self.basis]
        for _ in range(2):
            self.beta += self.binv @ (self.rhs - basis_matrix @ self.beta)
        if self.residual() > _DRIFT:
            self.refactor()

    def nonfree_rows(self) -> np.ndarray:
        b = self.basis
        return ~((b >= self.free_lo) & (b < self.free_hi))

    def choose(self, col: np.ndarray, rows: np.ndarray, largest: bool, z0: int) -> int:
        values = np.maximum(self.beta[rows], 0.0) if not largest else self.beta[rows]
        ratios = values / col[rows]
        best = ratios.max() if largest else ratios.min()
        slack = _TIE_TOL * max(1.0, abs(best))
        tied = rows[(ratios >= best - slack) if largest else (ratios <= best + slack)]
        if tied.size == 1:
            return int(tied[0])
        at_z0 = tied[self.basis[tied] == z0]
        if at_z0.size and not largest:
            return int(at_z0[0])
        return self._lex_choose(tied, col, largest)

    def _lex_choose(self, tied: np.ndarray, col: np.ndarray, largest: bool) -> int:
        """The tied row whose row of ``B^{-1} B0 / col`` is lexicographically smallest (largest).

        Columns of ``B^{-1} B0`` are formed in blocks, only for the rows still tied; within a
        block, columns on which the remaining rows agree (within the tie tolerance) are skipped
        at once.
        """
        rows = tied
        sign = -1.0 if largest else 1.0
        for start in range(0, self.basis0.size, _LEX_BLOCK):
            b0 = self.T[:, self.basis0[start : start + _LEX_BLOCK]]
            block = (self.binv[rows] @ b0) * (sign / col[rows, None])
            while True:  # smallest row of sign * block
                low = block.min(axis=0)
                slack = _TIE_TOL * np.maximum(1.0, np.abs(low))
                split = np.flatnonzero(block.max(axis=0) > low + slack)
                if split.size == 0:
                    break
                k = int(split[0])
                keep = block[:, k] <= low[k] + slack[k]
                rows, block = rows[keep], block[keep]
                if rows.size == 1:
                    return int(rows[0])
        return int(rows[0])

    def pivot(self, row: int, entering: int, col: np.ndarray) -> int:
        leaving = int(self.basis[row])
        pivot_row = self.binv[row] / col[row]
        pivot_beta = self.beta[row] / col[row]
        self.binv -= np.multiply.outer(col, pivot_row)
        self.binv[row] = pivot_row
        self.beta -= col * pivot_beta
        self.beta[row] = pivot_beta
        self.basis[row] = entering
        self.pivots += 1
        if self.pivots % _REFACTOR == 0 and self.residual() > _DRIFT:
            self.refactor()
        return leaving


def lemke_sequence_form(
    A: np.ndarray,
    B: np.ndarray,
    E: np.ndarray,
    F: np.ndarray,
    e: np.ndarray,
    f: np.ndarray,
    start1: np.ndarray,
    start2: np.ndarray,
    *,
    max_pivots: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """One equilibrium ``(x, y, pivots)`` of the sequence-form LCP.

    ``A``, ``B`` are dense ``(n1, n2)`` payoff matrices (negative), ``E`` ``(k1, n1)``, ``F``
    ``(k2, n2)`` dense constraint matrices; ``start1`` and ``start2`` are boolean masks of the
    sequences of the starting pure plans, each with exactly one sequence per information set
    (and the empty sequence), so that their columns of ``E`` and ``F`` are square and
    non-singular.
    """
    n1, n2 = A.shape
    k1, k2 = E.shape[0], F.shape[0]
    n = n1 + n2 + k1 + k2
    cx, cy, ca, cb = 0, n1, n1 + n2, 2 * n1 + n2
    cu, cv, cz = 2 * n1 + 2 * n2, 2 * n1 + 2 * n2 + k1, 2 * n1 + 2 * n2 + k1 + k2
    ra, rb, re, rf = 0, n1, n1 + n2, n1 + n2 + k1
    T = np.zeros((n, cz + 1), order="F")
    T[ra:rb, ca:cb] = np.eye(n1)
    T[ra:rb, cu:cv] = -E.T
    T[ra:rb, cy:ca] = A
    T[ra:rb, cz] = -np.where(start1, 0.0, 1.0 + np.arange(n1) / n1)
    T[rb:re, cb:cu] = np.eye(n2)
    T[rb:re, cv:cz] = -F.T
    T[rb:re, cx:cy] = B.T
    T[rb:re, cz] = -np.where(start2, 0.0, 1.0 + np.arange(n2) / n2)
    T[re:rf, cx:cy] = E
    T[rf:, cy:ca] = F
    rhs = np.concatenate([np.zeros(n1 + n2), e, f])

    s1, s2 = np.flatnonzero(start1), np.flatnonzero(start2)
    basis = np.concatenate(
        [
            cx + s1,
            ca + np.flatnonzero(~start1),
            cy + s2,
            cb + np.flatnonzero(~start2),
            np.arange(cu, cz),
        ]
    )
    tab = _Tableau(T, rhs, basis, (cu, cz))

    def plans() -> tuple[np.ndarray, np.ndarray, int]:
        tab.polish()
        x, y = np.zeros(n1), np.zeros(n2)
        b = tab.basis
        in_x = b < cy
        x[b[in_x]] = tab.beta[in_x]
        in_y = (b >= cy) & (b < ca)
        y[b[in_y] - cy] = tab.beta[in_y]
        return np.clip(x, 0.0, None), np.clip(y, 0.0, None), tab.pivots

    nonfree = tab.nonfree_rows()
    scale = max(1.0, float(np.abs(tab.beta).max(initial=0.0)))
    if (tab.beta[nonfree] >= -_TIE_TOL * scale).all():
        return plans()  # the starting pair is an equilibrium

    col = tab.binv @ T[:, cz]
    rows = np.flatnonzero(nonfree & (col < -_PIVOT_TOL * max(1.0, np.abs(col).max())))
    row = tab.choose(col, rows, largest=True, z0=cz)
    leaving = tab.pivot(row, cz, col)
    while True:
        if leaving == cz:
            return plans()
        if tab.pivots >= max_pivots:
            raise SolverError(
                f"Lemke's algorithm did not reach an equilibrium within max_pivots={max_pivots} "
                f"pivots (sequence-form LCP of size {n}); raise max_pivots="
            )
        if leaving < ca:  # x or y left: its slack enters
            entering = leaving + (ca - cx) if leaving < cy else leaving + (cb - cy)
        else:  # a slack left: its sequence enters
            entering = leaving - (ca - cx) if leaving < cb else leaving - (cb - cy)
        col = tab.binv @ T[:, entering]
        rows = np.flatnonzero(tab.nonfree_rows() & (col > _PIVOT_TOL * max(1.0, np.abs(col).max())))
        if rows.size == 0:
            raise SolverError(
                f"Lemke's algorithm ended on a ray after {tab.pivots} pivots (sequence-form LCP "
                f"of size {n}) without reaching an equilibrium; the game may be numerically "
                "degenerate"
            )
        row = tab.choose(col, rows, largest=False, z0=cz)
        leaving = tab.pivot(row, entering, col)
