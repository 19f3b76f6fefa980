"""Private kernel: support enumeration of bimatrix games (supports of equal size).

The kernel takes payoff matrices that were already validated and divided by each player's
payoff scale, and returns candidate profiles ``(X, Y)`` as stacked arrays; the public module
verifies and dedupes them. Complete for nondegenerate games only (see
:func:`dealsim.solvers.equilibrium.two_player_equilibria`).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

__all__: list[str] = []

_CHUNK = 20_000


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
