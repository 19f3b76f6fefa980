"""Transferable-utility (TU) games: Shapley and Banzhaf values, core, least core and nucleolus.

A TU game with ``n >= 1`` players is a float array ``v`` of length ``2**n``: ``v[mask]`` is the
worth of the coalition whose members are the set bits of ``mask`` (bit ``i`` is player ``i``), so
``v[0]`` is the empty coalition (its worth must be 0) and ``v[2**n - 1]`` the grand coalition
``N``. For an allocation ``x``, ``x(S)`` is the sum of ``x_i`` over ``S`` and the *excess* of
``S`` is ``e(S, x) = v(S) - x(S)``. Weighted voting bodies have their games and exact power
indices in :mod:`dealsim.solvers.voting`.

* :func:`shapley_value`: ``phi_i = sum over S not containing i of |S|! (n-|S|-1)! / n!
  (v(S + i) - v(S))``. Player ``i``'s marginal contributions to every coalition are read at once
  from ``v`` reshaped to ``(2**(n-1-i), 2, 2**i)``: ``O(n 2**n)`` work, looping over players only.
* :func:`banzhaf_value`: ``beta_i = 2**-(n-1)`` times the sum of the same marginal contributions;
  ``normalized=True`` divides by their total.
* :func:`least_core`: efficient allocations (``x(N) = v(N)``) that minimise the largest excess
  ``epsilon`` over the proper non-empty coalitions; one linear programme (HiGHS dual simplex).
  :func:`core`: the core is non-empty exactly when that ``epsilon`` is at most the tolerance;
  its ``point`` is then the least-core vertex found (the core's unique point when it has one).
* :func:`nucleolus`: the imputation (``x(N) = v(N)``, ``x_i >= v({i})``) whose excesses, sorted
  in decreasing order, are lexicographically smallest, by the sequence of linear programmes of
  Maschler, Peleg and Shapley (1979). Each programme minimises ``epsilon`` with ``e(S, x) <=
  epsilon`` for the coalitions not yet fixed; a coalition with a positive dual value is tight in
  *every* optimum (complementary slackness) and is fixed at that excess; coalitions whose
  membership vector is a linear combination of the fixed ones (and ``N``) have a constant excess
  from then on and are dropped. At least one dual value is positive (they sum to 1), so the rank
  of the fixed set grows at each step: at most ``n - 1`` programmes, after which ``x`` is solved
  from the fixed equalities.

Tolerances are relative to the game's scale ``s = max |v|``: the linear programmes are solved
on ``v / s``, the core is non-empty when ``epsilon <= tol * s``, and a game scaled by ``1e9``,
``1e-12`` or ``1e-310`` gives the same answers scaled the same way. ``s`` is the exact largest
magnitude, not floored at 1e-300 as :func:`dealsim.solvers.pareto.tolerance_scale` is (the
programmes of a game below 1e-300 would otherwise see worths of 1e-10 and less, inside the
solver's own absolute tolerances); only the zero game, which has no largest magnitude and whose
every answer is 0 in any unit, takes that function's 1e-300.

Limits: the linear programmes hold a row per coalition: :func:`core`, :func:`least_core` and
:func:`nucleolus` refuse more than ``max_players`` players (default :data:`MAX_LP_PLAYERS` = 16).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim._results import ResultMixin
from dealsim._validate import as_float, check_tol
from dealsim.errors import SolverError
from dealsim.solvers.pareto import tolerance_scale

__all__ = [
    "MAX_LP_PLAYERS",
    "CoreResult",
    "LeastCoreResult",
    "NucleolusResult",
    "banzhaf_value",
    "core",
    "least_core",
    "nucleolus",
    "shapley_value",
]

MAX_LP_PLAYERS = 16
"""Default limit on the players of the linear-programme solutions (``2**16 - 2`` coalitions)."""

_HIGHS = {
    "method": "highs-ds",  # dual simplex: a vertex, and dual values for the nucleolus
    "options": {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
}
_DUAL_TOL = 1e-9  # dual values sum to 1: smaller ones are round-off, not a binding coalition
_SPAN_TOL = 1e-9  # residual of a 0/1 membership row after projection on the fixed rows' span


@dataclass(frozen=True)
class CoreResult(ResultMixin):
    """Whether the core is empty, and a point in it.

    Attributes
    ----------
    empty : bool
        True when no efficient allocation gives every coalition at least its worth.
    point : tuple of float or None
        An allocation in the core (the least-core vertex found), None when the core is empty.
    epsilon : float
        The least-core value (``<= tol * max|v|`` exactly when the core is non-empty).
    method : str
        ``"least_core_lp"``: one linear programme minimising the largest excess.
    tol : float
        Tolerance used, relative to ``max |v|``.
    """

    empty: bool
    point: tuple[float, ...] | None
    epsilon: float
    method: str = "least_core_lp"
    tol: float = 1e-9


@dataclass(frozen=True)
class LeastCoreResult(ResultMixin):
    """The least-core value and one allocation attaining it.

    Attributes
    ----------
    epsilon : float
        The smallest possible largest excess over the proper non-empty coalitions (``-inf``
        for a one-player game, which has none).
    point : tuple of float
        An efficient allocation whose largest excess is ``epsilon`` (a vertex of the least core).
    method : str
        ``"least_core_lp"``.
    tol : float
        Tolerance used, relative to ``max |v|``.
    """

    epsilon: float
    point: tuple[float, ...]
    method: str = "least_core_lp"
    tol: float = 1e-9


@dataclass(frozen=True)
class NucleolusResult(ResultMixin):
    """The nucleolus and the excess levels the linear programmes fixed.

    Attributes
    ----------
    point : tuple of float
        The nucleolus (an imputation).
    excesses : tuple of float
        The optimal ``epsilon`` of each linear programme, in order (non-increasing).
    n_programs : int
        Number of linear programmes solved (at most ``n - 1``).
    method : str
        ``"sequential_lp"`` (Maschler, Peleg & Shapley 1979).
    tol : float
        Tolerance used, relative to ``max |v|``.
    """

    point: tuple[float, ...]
    excesses: tuple[float, ...]
    n_programs: int
    method: str = "sequential_lp"
    tol: float = 1e-9


def shapley_value(v: ArrayLike) -> NDArray[np.float64]:
    """Shapley value: each player's average marginal contribution over all orders of arrival.

    Parameters
    ----------
    v : array_like of float, shape (2**n,)
        Worth of every coalition, indexed by bitmask, with ``v[0] = 0``.

    Returns
    -------
    ndarray of float, shape (n,)
        ``phi_i = sum over S not containing i of |S|! (n-|S|-1)! / n! (v(S + i) - v(S))``;
        the values sum to ``v(N)``.

    Raises
    ------
    SolverError
        If ``v`` is not a finite array of length ``2**n`` with ``v[0] = 0``.

    References
    ----------
    .. [1] L. S. Shapley, "A value for n-person games", in H. W. Kuhn and A. W. Tucker (eds.),
       *Contributions to the Theory of Games II*, Annals of Mathematics Studies 28, Princeton
       University Press, 1953, pp. 307–317.

    Examples
    --------
    The glove game: player 0 holds a left glove, players 1 and 2 a right glove each, and a pair
    is worth 1 (coalitions {0, 1} = mask 3, {0, 2} = 5 and {0, 1, 2} = 7):

    >>> shapley_value([0, 0, 0, 1, 0, 1, 0, 1]).round(6).tolist()
    [0.666667, 0.166667, 0.166667]
    """
    w, n, _ = _check_game(v)
    return _marginal_sums(w, n, _shapley_weights(n))


def banzhaf_value(v: ArrayLike, *, normalized: bool = False) -> NDArray[np.float64]:
    """Banzhaf value: each player's marginal contribution averaged over the coalitions of others.

    Parameters
    ----------
    v : array_like of float, shape (2**n,)
        Worth of every coalition, indexed by bitmask, with ``v[0] = 0``.
    normalized : bool, default False
        Divide by the total so that the values sum to 1.

    Returns
    -------
    ndarray of float, shape (n,)
        ``beta_i = 2**-(n-1) sum over S not containing i of (v(S + i) - v(S))``, or its share of
        the total when ``normalized``.

    Raises
    ------
    SolverError
        If ``v`` is malformed, or ``normalized`` and the values sum to 0.

    References
    ----------
    .. [1] J. F. Banzhaf III, "Weighted voting doesn't work: a mathematical analysis", *Rutgers
       Law Review* 19(2), 1965, pp. 317–343.

    Examples
    --------
    In the unanimity game of players {0, 1} (worth 1 iff both are in), each of them is decisive
    in half of the coalitions of the others and player 2 never is:

    >>> banzhaf_value([0, 0, 0, 1, 0, 0, 0, 1]).tolist()
    [0.5, 0.5, 0.0]
    >>> banzhaf_value([0, 0, 0, 1, 0, 0, 0, 1], normalized=True).tolist()
    [0.5, 0.5, 0.0]
    """
    w, n, scale = _check_game(v)
    beta = _marginal_sums(w, n, np.full(n, 0.5 ** (n - 1)))
    if not normalized:
        return beta
    total = beta.sum()
    if abs(total) <= 1e-12 * scale:
        raise SolverError("v: the Banzhaf values sum to 0 and cannot be normalized")
    return beta / total


def least_core(
    v: ArrayLike, *, tol: float = 1e-9, max_players: int = MAX_LP_PLAYERS
) -> LeastCoreResult:
    """Least core: the efficient allocations that minimise the largest excess.

    Parameters
    ----------
    v : array_like of float, shape (2**n,)
        Worth of every coalition, indexed by bitmask, with ``v[0] = 0``.
    tol : float, default 1e-9
        Tolerance relative to ``max |v|`` (recorded in the result).
    max_players : int, default MAX_LP_PLAYERS
        Refuse games with more players (the programme has ``2**n - 2`` rows).

    Returns
    -------
    LeastCoreResult
        ``epsilon = min over x with x(N) = v(N) of max over proper non-empty S of v(S) - x(S)``
        and one allocation attaining it.

    Raises
    ------
    SolverError
        On a malformed ``v`` or more than ``max_players`` players.

    Examples
    --------
    Three players, any two of whom share 1 (and all three too): the core is empty, and the
    least core is the single point (1/3, 1/3, 1/3), where every pair lacks 1/3:

    >>> res = least_core([0, 0, 0, 1, 0, 1, 1, 1])
    >>> round(res.epsilon, 9), np.round(res.point, 9).tolist()
    (0.333333333, [0.333333333, 0.333333333, 0.333333333])
    """
    w, n, scale, tol = _check_lp_game(v, tol, max_players)
    epsilon, x = _least_core_kernel(w, n)
    return LeastCoreResult(epsilon=epsilon * scale, point=_plain(x * scale), tol=tol)


def core(v: ArrayLike, *, tol: float = 1e-9, max_players: int = MAX_LP_PLAYERS) -> CoreResult:
    """Core: is there an efficient allocation that gives every coalition at least its worth?

    Parameters
    ----------
    v : array_like of float, shape (2**n,)
        Worth of every coalition, indexed by bitmask, with ``v[0] = 0``.
    tol : float, default 1e-9
        The core is non-empty when the least-core value is at most ``tol * max |v|``.
    max_players : int, default MAX_LP_PLAYERS
        Refuse games with more players (the programme has ``2**n - 2`` rows).

    Returns
    -------
    CoreResult
        ``empty``, a core ``point`` (None if empty) and the least-core value ``epsilon``.

    Raises
    ------
    SolverError
        On a malformed ``v`` or more than ``max_players`` players.

    Examples
    --------
    The glove game's core is the single allocation giving everything to the scarce glove:

    >>> res = core([0, 0, 0, 1, 0, 1, 0, 1])
    >>> res.empty, np.round(res.point, 9).tolist()
    (False, [1.0, 0.0, 0.0])
    >>> core([0, 0, 0, 1, 0, 1, 1, 1]).empty  # any two of three share 1
    True
    """
    w, n, scale, tol = _check_lp_game(v, tol, max_players)
    epsilon, x = _least_core_kernel(w, n)
    empty = epsilon > tol
    point = None if empty else _plain(x * scale)
    return CoreResult(empty=bool(empty), point=point, epsilon=epsilon * scale, tol=tol)


def nucleolus(
    v: ArrayLike, *, tol: float = 1e-9, max_players: int = MAX_LP_PLAYERS
) -> NucleolusResult:
    """Nucleolus: the imputation whose sorted excesses are lexicographically smallest.

    Parameters
    ----------
    v : array_like of float, shape (2**n,)
        Worth of every coalition, indexed by bitmask, with ``v[0] = 0`` and
        ``v(N) >= sum_i v({i})`` (a non-empty set of imputations).
    tol : float, default 1e-9
        Tolerance relative to ``max |v|`` for tight coalitions.
    max_players : int, default MAX_LP_PLAYERS
        Refuse games with more players (each programme has up to ``2**n - 2`` rows).

    Returns
    -------
    NucleolusResult
        The ``point``, the optimal excess level of each programme and their number.

    Raises
    ------
    SolverError
        On a malformed ``v``, an empty set of imputations or more than ``max_players`` players.

    Notes
    -----
    When the core is non-empty the nucleolus lies in it. On a bankruptcy game
    ``v(S) = max(0, E - sum of the claims outside S)`` it is the Talmud rule (Aumann and
    Maschler 1985).

    References
    ----------
    .. [1] D. Schmeidler, "The nucleolus of a characteristic function game", *SIAM Journal on
       Applied Mathematics* 17(6), 1969, pp. 1163–1170.
    .. [2] M. Maschler, B. Peleg and L. S. Shapley, "Geometric properties of the kernel,
       nucleolus, and related solution concepts", *Mathematics of Operations Research* 4(4),
       1979, pp. 303–338.
    .. [3] R. J. Aumann and M. Maschler, "Game theoretic analysis of a bankruptcy problem from
       the Talmud", *Journal of Economic Theory* 36(2), 1985, pp. 195–213.

    Examples
    --------
    The Talmud's estate of 200 with claims (100, 200, 300) is divided (50, 75, 75):

    >>> inside = (np.arange(8)[:, None] >> np.arange(3)) & 1  # row m: the members of m
    >>> v = np.maximum(0.0, 200.0 - (1 - inside) @ [100.0, 200.0, 300.0])
    >>> np.round(nucleolus(v).point, 9).tolist()
    [50.0, 75.0, 75.0]
    """
    w, n, scale, tol = _check_lp_game(v, tol, max_players)
    singles = w[1 << np.arange(n)].sum()
    if singles > w[-1] + tol:
        raise SolverError(
            f"v: the set of imputations is empty: v(N) = {w[-1] * scale:g} is below the sum of "
            f"the one-player worths {singles * scale:g} (the nucleolus needs v(N) >= sum v({{i}}))"
        )
    x, levels = _nucleolus_kernel(w, n, tol)
    return NucleolusResult(
        point=_plain(x * scale),
        excesses=tuple(float(e) * scale for e in levels),
        n_programs=len(levels),
        tol=tol,
    )


# --------------------------------------------------------------------------------------------
# validation


def _check_game(v: ArrayLike) -> tuple[NDArray[np.float64], int, float]:
    """The game as a float array, its number of players and its scale (module docstring)."""
    w = as_float("v", v)
    if w.ndim != 1:
        raise SolverError(
            f"v must be a one-dimensional array of 2**n coalition worths, got shape {w.shape}"
        )
    size = w.shape[0]
    if size < 2 or size & (size - 1):
        raise SolverError(
            f"v must have length 2**n for n >= 1 players (2, 4, 8, 16, ...), got length {size}"
        )
    largest = float(np.abs(w).max())
    scale = largest if largest > 0.0 else tolerance_scale(w)  # 1e-300 for the zero game
    if w[0] != 0.0:  # then the scale is at least |v[0]| > 0
        if abs(w[0]) > 1e-12 * scale:
            raise SolverError(f"v[0] is the empty coalition's worth and must be 0, got {w[0]:g}")
        w = w.copy()  # round-off in v[0]: never modify the caller's array
        w[0] = 0.0
    return w, size.bit_length() - 1, scale


def _check_lp_game(
    v: ArrayLike, tol: float, max_players: Any
) -> tuple[NDArray[np.float64], int, float, float]:
    """The game divided by its scale, its players, its scale and the tolerance."""
    w, n, scale = _check_game(v)
    tol = check_tol(tol)
    if isinstance(max_players, bool) or not isinstance(max_players, (int, np.integer)):
        raise SolverError(f"max_players must be an integer, got {max_players!r}")
    if n > max_players:
        raise SolverError(
            f"v has {n} players ({2**n - 2:,} coalitions in each linear programme), above the "
            f"limit max_players={max_players}; pass a larger max_players to solve it anyway"
        )
    return w / scale, n, scale, tol


# --------------------------------------------------------------------------------------------
# kernels


def _shapley_weights(n: int) -> NDArray[np.float64]:
    """``|S|! (n - |S| - 1)! / n! = 1 / (n C(n-1, |S|))`` for ``|S| = 0 .. n-1``."""
    return np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])


def _popcounts(n: int) -> NDArray[np.uint8]:
    """Number of members of every coalition ``0 .. 2**n - 1`` (built by doubling)."""
    counts = np.zeros(1, dtype=np.uint8)
    for _ in range(n):
        counts = np.concatenate([counts, counts + 1])
    return counts


def _marginal_sums(w: NDArray[np.float64], n: int, weights: NDArray[np.float64]) -> NDArray:
    """``sum over S not containing i of weights[|S|] (v(S + i) - v(S))`` for every player ``i``.

    Viewing ``v`` as ``(2**(n-1-i), 2, 2**i)`` puts the coalitions without ``i`` at ``[:, 0, :]``
    and the same coalitions with ``i`` at ``[:, 1, :]``.
    """
    sizes = _popcounts(n)
    out = np.empty(n)
    for i in range(n):  # a loop over players; every coalition at once
        pairs = w.reshape(-1, 2, 1 << i)
        gains = pairs[:, 1, :] - pairs[:, 0, :]
        out[i] = (weights[sizes.reshape(-1, 2, 1 << i)[:, 0, :]] * gains).sum()
    return out


def _members(n: int) -> NDArray[np.float64]:
    """0/1 membership rows of the proper non-empty coalitions (masks ``1 .. 2**n - 2``)."""
    masks = np.arange(1, (1 << n) - 1)
    return ((masks[:, None] >> np.arange(n)) & 1).astype(float)


def _min_max_excess(
    rows: NDArray, worth: NDArray, eq_rows: NDArray, eq_values: list, lower: list, what: str
) -> tuple[NDArray[np.float64], float, NDArray[np.float64]]:
    """Minimise ``eps`` with ``worth - rows @ x <= eps``, ``eq_rows @ x = eq_values`` and
    ``x >= lower``: the optimal ``x``, ``eps`` and the dual value of each inequality (``>= 0``)."""
    from scipy.optimize import linprog  # imported here: scipy.optimize is slow to import
    from scipy.sparse import csr_array

    n = rows.shape[1]
    objective = np.append(np.zeros(n), 1.0)
    a_ub = csr_array(np.hstack([-rows, -np.ones((rows.shape[0], 1))]))
    a_eq = np.hstack([eq_rows, np.zeros((eq_rows.shape[0], 1))])
    bounds = [(lo, None) for lo in lower] + [(None, None)]
    res = linprog(objective, a_ub, -worth, a_eq, eq_values, bounds, **_HIGHS)
    if res.status != 0:
        raise SolverError(f"the {what} linear programme failed: {res.message}")
    return res.x[:n], float(res.x[-1]) + 0.0, -res.ineqlin.marginals


def _least_core_kernel(w: NDArray[np.float64], n: int) -> tuple[float, NDArray[np.float64]]:
    """Least-core value and a vertex of the least core of the (scaled) game ``w``."""
    if n == 1:
        return -math.inf, w[1:].copy()
    x, eps, _ = _min_max_excess(
        _members(n), w[1:-1], np.ones((1, n)), [w[-1]], [None] * n, "least-core"
    )
    return eps, x


def _row_space(rows: NDArray[np.float64]) -> NDArray[np.float64]:
    """Orthonormal basis (as rows) of the span of ``rows``."""
    _, sv, vt = np.linalg.svd(rows, full_matrices=False)
    return vt[sv > _SPAN_TOL * sv[0]]


def _nucleolus_kernel(
    w: NDArray[np.float64], n: int, tol: float
) -> tuple[NDArray[np.float64], list[float]]:
    """Nucleolus of the (scaled) game ``w`` and the excess level of each programme."""
    if n == 1:
        return w[1:].copy(), []
    rows = _members(n)
    worth = w[1:-1]
    free = np.ones(rows.shape[0], dtype=bool)
    fixed_rows, fixed_values = [np.ones(n)], [w[-1]]  # x(N) = v(N)
    lower = [float(lo) for lo in w[1 << np.arange(n)]]  # imputations: x_i >= v({i})
    levels: list[float] = []
    rank = 1
    while rank < n:
        cand = np.flatnonzero(free)
        x, eps, duals = _min_max_excess(
            rows[cand], worth[cand], np.array(fixed_rows), fixed_values, lower, "nucleolus"
        )
        excess = worth[cand] - rows[cand] @ x
        tight = (duals > _DUAL_TOL) & (excess >= eps - max(tol, _DUAL_TOL))
        if not tight.any():  # round-off hid every dual: the largest one is still binding
            tight = duals == duals.max()
        fixed = cand[tight]
        fixed_rows.extend(rows[fixed])
        fixed_values.extend(worth[fixed] - eps)
        levels.append(eps)
        free[fixed] = False
        basis = _row_space(np.array(fixed_rows))
        rank = basis.shape[0]
        rest = np.flatnonzero(free)
        residual = rows[rest] - (rows[rest] @ basis.T) @ basis
        free[rest[np.abs(residual).max(axis=1) <= _SPAN_TOL]] = False  # constant excess now
    x = np.linalg.lstsq(np.array(fixed_rows), np.array(fixed_values), rcond=None)[0]
    return x, levels


def _plain(x: NDArray[np.float64]) -> tuple[float, ...]:
    return tuple(float(xi) + 0.0 for xi in x)  # + 0.0 turns -0.0 into 0.0
