"""Private kernel: the sequence-form linear programme of a zero-sum two-player game.

With realisation plans ``E x = e``, ``F y = f`` (``x, y >= 0``) and the first player's
sequence-form payoff matrix ``A`` (the second player gets ``-x @ A @ y``), the first player's
maxmin plan solves (Koller, Megiddo & von Stengel 1996, §3)

    maximise f^T q   subject to   F^T q <= A^T x,   E x = e,   x >= 0   (q free),

the dual of the second player's best response ``min_y x^T A y``; the multipliers of the
constraints ``F^T q <= A^T x`` are a minmax plan ``y`` of the second player. HiGHS's dual simplex
gives a vertex, so that plans are exact up to its feasibility tolerances, which are tightened
from their defaults.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from dealsim.errors import SolverError

__all__: list[str] = []


def maxmin_plans(
    A: sparse.csr_array, E: sparse.csr_array, F: sparse.csr_array, e: np.ndarray, f: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Maxmin plan of player 1 (the LP) and minmax plan of player 2 (its duals)."""
    from scipy.optimize import linprog  # deferred: scipy.optimize is slow to import

    n1, n2 = A.shape
    k2 = F.shape[0]
    # max f.q  s.t.  F^T q - A^T x <= 0,  E x = e,  x >= 0,  q free
    res = linprog(
        np.concatenate([np.zeros(n1), -f]),
        A_ub=sparse.hstack([-A.T, F.T], format="csr"),
        b_ub=np.zeros(n2),
        A_eq=sparse.hstack([E, sparse.csr_array((E.shape[0], k2))], format="csr"),
        b_eq=e,
        bounds=[(0, None)] * n1 + [(None, None)] * k2,
        method="highs-ds",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    if res.status != 0:
        raise SolverError(f"the sequence-form linear programme failed: {res.message}")
    return np.clip(res.x[:n1], 0.0, None), np.clip(-res.ineqlin.marginals, 0.0, None)
