"""Dominated strategies of normal-form games (pure or mixed) and their iterated elimination."""

from __future__ import annotations

from typing import Any

import numpy as np

from dealsim._validate import check_tol
from dealsim.errors import GameError
from dealsim.solvers._profiles import _check_payoffs, payoff_scale

__all__ = ["dominated_strategies", "iterated_elimination"]


def _dominated_pure(u: np.ndarray, strict: bool, tol: float) -> np.ndarray:
    """u is (s, R): rows dominated by another row (pure domination), as a boolean (s,)."""
    diff = u[None, :, :] - u[:, None, :]  # diff[a, b] = u[b] - u[a]
    if strict:
        dom = np.all(diff > tol, axis=2)
    else:
        dom = np.all(diff >= -tol, axis=2) & np.any(diff > tol, axis=2)
    np.fill_diagonal(dom, False)
    return dom.any(axis=1)


def _dominated_mixed(u: np.ndarray, strict: bool, tol: float) -> np.ndarray:
    """Rows dominated by a mixture of the other rows, one linear programme per row.

    The programme proposes a mixture; the row is dominated when that mixture's gains pass the
    test with ``tol`` (all above ``tol``, or all at least ``-tol`` and one above ``tol``), as
    pure domination is decided: HiGHS' own feasibility tolerance (1e-7) must not decide it.
    """
    from scipy.optimize import linprog

    s, R = u.shape
    out = np.zeros(s, dtype=bool)
    for a in range(s):  # one LP per strategy (not per profile)
        others = np.delete(u, a, axis=0)  # (s-1, R)
        k = others.shape[0]
        if k == 0:
            continue
        if strict:
            # max eps s.t. sigma @ others >= u[a] + eps, sigma in the simplex
            c = np.r_[np.zeros(k), -1.0]
            A_ub = np.hstack([-others.T, np.ones((R, 1))])
            bounds = [(0, None)] * k + [(None, None)]
        else:
            # max sum(sigma @ others - u[a]) s.t. sigma @ others >= u[a] - tol / 2 (a vertex
            # on that bound passes the test with tol whatever the rounding)
            c = -others.sum(axis=1)
            A_ub = -others.T
            bounds = [(0, None)] * k
        res = linprog(
            c,
            A_ub=A_ub,
            b_ub=-u[a] if strict else tol / 2 - u[a],
            A_eq=np.r_[np.ones(k), np.zeros(len(c) - k)][None, :],
            b_eq=[1.0],
            bounds=bounds,
            method="highs",
        )
        if res.status == 0:
            sigma = np.clip(res.x[:k], 0.0, None)
            gain = (sigma / sigma.sum()) @ others - u[a]
            if strict:
                out[a] = bool(np.all(gain > tol))
            else:
                out[a] = bool(np.all(gain >= -tol) and np.any(gain > tol))
    return out


def _dominated_kernel(
    payoffs: np.ndarray, strict: bool, mixed: bool, tol: float
) -> dict[int, list[int]]:
    out = {}
    scale = payoff_scale(payoffs)  # dominance margins are relative to each player's payoffs
    for i in range(payoffs.shape[0]):
        u = np.moveaxis(payoffs[i], i, 0).reshape(payoffs.shape[i + 1], -1) / scale[i]
        dom = _dominated_pure(u, strict, tol)
        if mixed:
            dom |= _dominated_mixed(u, strict, tol)
        out[i] = np.flatnonzero(dom).tolist()
    return out


def dominated_strategies(
    payoffs: Any, *, strict: bool = True, mixed: bool = False, tol: float = 1e-9
) -> dict[int, list[int]]:
    """Each player's dominated strategies.

    Parameters
    ----------
    payoffs : array_like
        Shape ``(n_players, s_1, ..., s_n)``.
    strict : bool, default True
        Strict domination (worse by more than ``tol`` against every profile of the others) or
        weak domination (never better by more than ``tol``, worse by more than ``tol`` somewhere).
    mixed : bool, default False
        Also test domination by mixed strategies (a linear programme per strategy, scipy).
    tol : float, default 1e-9

    Returns
    -------
    dict of int to list of int
        Player index to the indices of its dominated strategies.

    Examples
    --------
    >>> pd = [[[3, 0], [5, 1]], [[3, 5], [0, 1]]]  # cooperating is strictly dominated
    >>> dominated_strategies(pd)
    {0: [0], 1: [0]}
    >>> A = [[3, 0], [0, 3], [1, 1]]  # row 2 is dominated by the mix (1/2, 1/2) only
    >>> B = [[0, 0], [0, 0], [0, 0]]
    >>> dominated_strategies([A, B]), dominated_strategies([A, B], mixed=True)
    ({0: [], 1: []}, {0: [2], 1: []})
    """
    payoffs = _check_payoffs(payoffs)
    return _dominated_kernel(payoffs, bool(strict), bool(mixed), check_tol(tol, error=GameError))


def iterated_elimination(
    payoffs: Any, *, strict: bool = True, mixed: bool = False, tol: float = 1e-9
) -> tuple[np.ndarray, ...]:
    """Strategies that survive iterated elimination of dominated strategies.

    Strictly dominated strategies are removed all at once each round (the order does not
    matter). Weakly dominated ones are removed one per round, the lowest-numbered player and
    strategy first, because the result of weak elimination depends on the order.

    Parameters
    ----------
    payoffs : array_like
        Shape ``(n_players, s_1, ..., s_n)``.
    strict, mixed, tol
        As in :func:`dominated_strategies`.

    Returns
    -------
    tuple of numpy.ndarray
        The surviving original strategy indices of each player.

    Examples
    --------
    >>> A = [[1, 1, 0], [0, 0, 2]]; B = [[0, 2, 1], [3, 1, 0]]
    >>> [s.tolist() for s in iterated_elimination([A, B])]
    [[0], [1]]
    """
    payoffs = _check_payoffs(payoffs)
    tol = check_tol(tol, error=GameError)
    alive = [np.arange(k) for k in payoffs.shape[1:]]
    while True:
        sub = payoffs[np.ix_(range(payoffs.shape[0]), *alive)]
        dom = _dominated_kernel(sub, bool(strict), bool(mixed), tol)
        if not any(dom.values()):
            return tuple(alive)
        if strict:
            alive = [np.delete(a, dom[i]) for i, a in enumerate(alive)]
        else:
            i = min(p for p, d in dom.items() if d)
            alive[i] = np.delete(alive[i], dom[i][0])
