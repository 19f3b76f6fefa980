"""Weighted voting bodies: their simple games and exact Shapley–Shubik and Banzhaf indices.

A body of ``n`` members votes by one or more weighted rules: ``weights`` of shape ``(n,)`` (one
rule) or ``(n_rules, n)`` (a double majority such as the EU Council's: one row counting members,
one counting population) and one ``quota`` per rule. A coalition *wins* when, for every rule
``r``, its total weight is at least ``quota[r]``, and it contains every ``veto`` player. Weights
are non-negative; each quota lies in ``(0, total weight of its rule]``, so the empty coalition
loses and the grand coalition wins. A member *swings* for a losing coalition ``S`` without it
when ``S`` plus that member wins.

Weights are counted as integers: each rule's weights are multiplied by the smallest power of ten
(up to ``10**9``) that makes them all whole (up to float round-off: ``0.3`` is 3 tenths, ``1/3``
is an error) and divided by their greatest common divisor, and the quota becomes the smallest
whole weight at least as large (a quota within a relative ``1e-9`` of a whole weight counts as
it).
:func:`weighted_voting_game` uses the same integers, so its game and the indices agree.

The indices count swings exactly by generating functions, never by enumerating orders or
coalitions. Coalitions of the non-veto members are counted by size ``k`` and weight vector ``a``:
``c[k, a]`` is the coefficient of ``x**k y**a`` in ``prod_j (1 + x y**w_j)``, built by dynamic
programming over the members (one axis per rule whose weights differ; a rule whose weights are
all equal is a condition on the size). Coalitions without member ``i`` are the coefficients of
that product divided by ``(1 + x y**w_i)``, the alternating sum ``sum_j (-1)**j c[k - j, a - j
w_i]``; applied to suffix sums of ``c`` it counts, for each size, the coalitions above a
threshold, so each member's swings cost ``O(n**2)`` table look-ups after one dynamic programme of
``O(n * states)``. A veto member swings for every coalition that wins with it. Counts are exact
64-bit integers and the indices exact fractions, rounded once to float:

* Shapley–Shubik (1954): ``sum over swings S of |S|! (n - |S| - 1)! / n!``;
* Banzhaf (1965): the number of swings over ``2**(n-1)``, or (``normalized``) over the total
  number of swings of all members.

Limits: the counting table holds ``(m + 2) * prod_r (W_r + 2)`` integers (``m`` non-veto members,
``W_r`` their total reduced weight in rule ``r``, for the rules with unequal weights), at most
``max_states`` (default :data:`MAX_STATES` = ``2**25``, 256 MiB); at most 62 non-veto members
(counts below ``2**62``). :func:`weighted_voting_game` builds ``2**n`` worths: at most
``max_players`` members (default :data:`MAX_GAME_PLAYERS` = 24).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim._validate import as_float
from dealsim.errors import SolverError

__all__ = [
    "MAX_GAME_PLAYERS",
    "MAX_STATES",
    "banzhaf_index",
    "shapley_shubik_index",
    "weighted_voting_game",
]

MAX_STATES = 2**25
"""Default limit on the integers in the counting table of the power indices."""
MAX_GAME_PLAYERS = 24
"""Default limit on the members of :func:`weighted_voting_game` (``2**24`` coalitions)."""

_MAX_DIGITS = 9  # decimals allowed in a weight
_ROUND_OFF = 1e-15  # a weight is a d-digit decimal when it equals one up to float round-off
_REL = 1e-9  # a quota this close (relative) to a whole weight counts as it
_MAX_FREE = 62  # non-veto members: counts stay below 2**62


def weighted_voting_game(
    weights: ArrayLike,
    quota: ArrayLike,
    veto: ArrayLike = (),
    *,
    max_players: int = MAX_GAME_PLAYERS,
) -> NDArray[np.float64]:
    """The simple game of a weighted voting body: 1 for winning coalitions, 0 otherwise.

    Parameters
    ----------
    weights : array_like of float, shape (n,) or (n_rules, n)
        Each member's weight in each rule (integers or exact decimals, ``>= 0``).
    quota : float or array_like of float, shape (n_rules,)
        Weight a winning coalition needs in each rule.
    veto : sequence of int, default ()
        Members every winning coalition must contain.
    max_players : int, default MAX_GAME_PLAYERS
        Refuse larger bodies (the game has ``2**n`` entries).

    Returns
    -------
    ndarray of float, shape (2**n,)
        ``v[mask] = 1.0`` when the coalition ``mask`` wins, for :mod:`dealsim.solvers.cooperative`.

    Raises
    ------
    SolverError
        On malformed weights, quota or veto, or more than ``max_players`` members.

    Examples
    --------
    Weights (2, 1, 1) and quota 3: player 0 wins with either other player.

    >>> weighted_voting_game([2, 1, 1], 3).tolist()
    [0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]

    A double majority (at least two members holding at least 60 of 100 population):

    >>> weighted_voting_game([[1, 1, 1], [50, 30, 20]], [2, 60]).tolist()
    [0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    """
    w, q = _integer_rules(weights, quota)
    n = w.shape[1]
    vetoes = _check_veto(veto, n)
    _check_count("max_players", max_players)
    if n > max_players:
        raise SolverError(
            f"weights has {n} members ({2**n:,} coalitions), above the limit "
            f"max_players={max_players}; pass a larger max_players, or use shapley_shubik_index "
            "and banzhaf_index, which never list the coalitions"
        )
    wins = np.ones(1 << n, dtype=bool)
    for rule, need in zip(w, q, strict=True):
        totals = np.zeros(1, dtype=np.int64)
        for wi in rule:  # coalition weights by doubling: masks with bit i = masks without + w_i
            totals = np.concatenate([totals, totals + wi])
        wins &= totals >= need
    masks = np.arange(1 << n)
    for i in vetoes:
        wins &= ((masks >> i) & 1).astype(bool)
    return wins.astype(float)


def shapley_shubik_index(
    weights: ArrayLike, quota: ArrayLike, veto: ArrayLike = (), *, max_states: int = MAX_STATES
) -> NDArray[np.float64]:
    """Shapley–Shubik power index of a weighted voting body, counted exactly.

    Parameters
    ----------
    weights : array_like of float, shape (n,) or (n_rules, n)
        Each member's weight in each rule (integers or exact decimals, ``>= 0``).
    quota : float or array_like of float, shape (n_rules,)
        Weight a winning coalition needs in each rule.
    veto : sequence of int, default ()
        Members every winning coalition must contain.
    max_states : int, default MAX_STATES
        Refuse counting tables with more entries.

    Returns
    -------
    ndarray of float, shape (n,)
        The share of the ``n!`` orders in which each member turns a losing coalition into a
        winning one; the shares sum to 1. It is the Shapley value of
        :func:`weighted_voting_game`.

    Raises
    ------
    SolverError
        On malformed weights, quota or veto, or a counting table above ``max_states``.

    References
    ----------
    .. [1] L. S. Shapley and M. Shubik, "A method for evaluating the distribution of power in a
       committee system", *American Political Science Review* 48(3), 1954, pp. 787–792.
    .. [2] L. S. Shapley, "A value for n-person games", in H. W. Kuhn and A. W. Tucker (eds.),
       *Contributions to the Theory of Games II*, Annals of Mathematics Studies 28, Princeton
       University Press, 1953, pp. 307–317.

    Examples
    --------
    The UN Security Council: 15 members, 9 votes needed, 5 permanent members with a veto. A
    permanent member holds 421/2145 of the power, an elected one 4/2145:

    >>> ss = shapley_shubik_index(np.ones(15), 9, veto=range(5))
    >>> ss[[0, 5]].round(6).tolist()
    [0.19627, 0.001865]
    >>> bool(ss[0] == 421 / 2145 and ss[5] == 4 / 2145)
    True
    """
    swings, n = _swings(weights, quota, veto, max_states)
    fact = [math.factorial(k) for k in range(n + 1)]
    shares = [
        Fraction(sum(int(c) * fact[s] * fact[n - 1 - s] for s, c in enumerate(row)), fact[n])
        for row in swings
    ]
    return np.array([float(x) for x in shares])


def banzhaf_index(
    weights: ArrayLike,
    quota: ArrayLike,
    veto: ArrayLike = (),
    *,
    normalized: bool = True,
    max_states: int = MAX_STATES,
) -> NDArray[np.float64]:
    """Banzhaf power index of a weighted voting body, counted exactly.

    Parameters
    ----------
    weights : array_like of float, shape (n,) or (n_rules, n)
        Each member's weight in each rule (integers or exact decimals, ``>= 0``).
    quota : float or array_like of float, shape (n_rules,)
        Weight a winning coalition needs in each rule.
    veto : sequence of int, default ()
        Members every winning coalition must contain.
    normalized : bool, default True
        Each member's share of all swings (summing to 1); otherwise the probability of being
        decisive, ``swings / 2**(n-1)`` (the Banzhaf value of :func:`weighted_voting_game`).
    max_states : int, default MAX_STATES
        Refuse counting tables with more entries.

    Returns
    -------
    ndarray of float, shape (n,)

    Raises
    ------
    SolverError
        On malformed weights, quota or veto, or a counting table above ``max_states``.

    References
    ----------
    .. [1] J. F. Banzhaf III, "Weighted voting doesn't work: a mathematical analysis", *Rutgers
       Law Review* 19(2), 1965, pp. 317–343.

    Examples
    --------
    Weights (50, 49, 1) and a quota of 51: the large member swings for 3 coalitions of the
    others, each small one for 1, although their weights differ 49-fold.

    >>> banzhaf_index([50, 49, 1], 51).tolist()
    [0.6, 0.2, 0.2]
    >>> banzhaf_index([50, 49, 1], 51, normalized=False).tolist()
    [0.75, 0.25, 0.25]
    """
    swings, n = _swings(weights, quota, veto, max_states)
    totals = [sum(int(c) for c in row) for row in swings]
    denominator = sum(totals) if normalized else 2 ** (n - 1)
    return np.array([float(Fraction(t, denominator)) for t in totals])


# --------------------------------------------------------------------------------------------
# validation


def _integer_rules(weights: ArrayLike, quota: ArrayLike) -> tuple[NDArray[np.int64], list[int]]:
    """Weights as reduced integers ``(n_rules, n)`` and each rule's integer quota."""
    w = as_float("weights", weights)
    if w.ndim == 1:
        w = w[None, :]
    if w.ndim != 2 or w.shape[1] < 1:
        raise SolverError(
            "weights must be one weight per member, shape (n,), or one row per rule, shape "
            f"(n_rules, n), with at least one member; got shape {np.shape(weights)}"
        )
    if (w < 0).any():
        raise SolverError("weights must be >= 0")
    q = as_float("quota", quota).reshape(-1)
    if q.shape != (w.shape[0],):
        raise SolverError(
            f"quota must have one value per rule ({w.shape[0]}), got {np.size(quota)} value(s)"
        )
    rows, quotas = [], []
    for r, (rule, need) in enumerate(zip(w, q, strict=True)):
        where = f" (rule {r})" if w.shape[0] > 1 else ""
        ints, scale = _whole(rule, where)
        g = math.gcd(*ints.tolist()) or 1
        scaled_quota = float(need) * scale / g
        whole = math.ceil(scaled_quota - _REL * max(1.0, abs(scaled_quota)))
        total = int(ints.sum()) // g
        if not 0 < whole <= total:
            raise SolverError(
                f"quota{where} must be in (0, total weight {rule.sum():g}] so that the empty "
                f"coalition loses and all members together win, got {need:g}"
            )
        rows.append(ints // g)
        quotas.append(whole)
    return np.array(rows, dtype=np.int64), quotas


def _whole(rule: NDArray[np.float64], where: str) -> tuple[NDArray[np.int64], int]:
    """The rule's weights times the smallest power of ten that makes them whole numbers."""
    for digits in range(_MAX_DIGITS + 1):
        scale = 10**digits
        ints = np.rint(rule * scale)
        if np.all(np.abs(ints / scale - rule) <= _ROUND_OFF * rule):  # d-digit decimals
            if ints.max(initial=0.0) > 2.0**53:
                break
            return ints.astype(np.int64), scale
    raise SolverError(
        f"weights{where} must be whole numbers or decimals with at most {_MAX_DIGITS} digits "
        f"after the point, below 2**53 once scaled (power indices count exact integer weights)"
    )


def _check_veto(veto: ArrayLike, n: int) -> list[int]:
    items = list(np.asarray(veto, dtype=object).reshape(-1)) if np.ndim(veto) else [veto]
    ok = all(
        isinstance(i, (int, np.integer)) and not isinstance(i, bool) and 0 <= i < n for i in items
    )
    if not ok or len(set(items)) != len(items):
        raise SolverError(
            f"veto must be distinct member indices in 0..{n - 1}, got {list(items)!r}"
        )
    return sorted(int(i) for i in items)


def _check_count(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise SolverError(f"{name} must be an integer >= 1, got {value!r}")


# --------------------------------------------------------------------------------------------
# kernel


def _swings(
    weights: ArrayLike, quota: ArrayLike, veto: ArrayLike, max_states: int
) -> tuple[NDArray[np.int64], int]:
    """``swings[i, s]``: losing coalitions of size ``s`` without member ``i`` that win with it."""
    w, q = _integer_rules(weights, quota)
    n = w.shape[1]
    vetoes = _check_veto(veto, n)
    _check_count("max_states", max_states)
    free = sorted(set(range(n)) - set(vetoes))
    unit = np.all(w == 1, axis=1)  # rules with equal weights: conditions on the size
    min_size = max((need for need, u in zip(q, unit, strict=True) if u), default=0)
    wf = w[~unit][:, free]  # (n_weighted_rules, m)
    offset = w[~unit][:, vetoes].sum(axis=1)  # weight every coalition gets from the vetoes
    need = np.array(q, dtype=np.int64)[~unit] - offset
    m, n_veto = len(free), len(vetoes)
    if m > _MAX_FREE:
        raise SolverError(
            f"weights has {m} members without a veto, above the limit of {_MAX_FREE} "
            "(swings are counted in 64-bit integers)"
        )
    tops = [int(t) for t in wf.sum(axis=1)]
    states = (m + 2) * math.prod(t + 2 for t in tops)
    if states > max_states:
        raise SolverError(
            f"the counting table would hold {states:,} entries ((members + 2) x (total weight "
            f"+ 2) per weighted rule, totals {tops}), above the limit max_states={max_states:,}; "
            "round the weights (e.g. population in thousands) or pass a larger max_states"
        )
    above = _suffix_counts(wf, m, tops)
    swings = np.zeros((n, n), dtype=np.int64)
    k = np.arange(m)
    for pos, i in enumerate(free):
        wi = wf[:, pos]
        with_i = _count_without(above, tops, wi, need - wi) * (k + n_veto + 1 >= min_size)
        without_i = _count_without(above, tops, wi, need) * (k + n_veto >= min_size)
        swings[i, n_veto : n_veto + m] = with_i - without_i
    if n_veto:
        sizes = np.arange(m + 1)
        wins = above[(sizes, *_clipped(need, tops))] * (sizes + n_veto >= min_size)
        swings[vetoes, n_veto - 1 : n_veto + m] = wins
    return swings, n


def _suffix_counts(wf: NDArray[np.int64], m: int, tops: list[int]) -> NDArray[np.int64]:
    """``above[k, a]``: coalitions of ``k`` non-veto members with weight ``>= a`` in every rule.

    Padded with a zero row ``k = m + 1`` and a zero slot ``a_r = W_r + 1`` for look-ups out of
    range.
    """
    counts = np.zeros((m + 2, *(t + 2 for t in tops)), dtype=np.int64)
    counts[(0,) * counts.ndim] = 1
    reach = np.zeros(len(tops), dtype=np.int64)
    # multiply by (1 + x y**w_j) for every member j, lightest first so that the weight slices
    # stay short while many sizes are in play; sizes downwards, so row k - 1 is still unchanged
    for done, j in enumerate(np.argsort(wf.sum(axis=0), kind="stable")):
        wj = wf[:, j]
        dst = tuple(slice(s, s + r + 1) for s, r in zip(wj, reach, strict=True))
        src = tuple(slice(0, r + 1) for r in reach)
        for k in range(done + 1, 0, -1):
            counts[(k, *dst)] += counts[(k - 1, *src)]
        reach += wj
    for axis in range(1, counts.ndim):
        counts = np.flip(np.cumsum(np.flip(counts, axis), axis=axis), axis)
    return counts


def _clipped(threshold: NDArray[np.int64], tops: list[int]) -> tuple[NDArray[np.int64], ...]:
    """Table indices of weight thresholds: below 0 means any weight, above ``W_r`` none."""
    return tuple(np.clip(t, 0, top + 1) for t, top in zip(threshold, tops, strict=True))


def _count_without(
    above: NDArray[np.int64],
    tops: list[int],
    wi: NDArray[np.int64],
    threshold: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Coalitions of ``k = 0 .. m-1`` non-veto members other than ``i`` above ``threshold``.

    Dividing the generating function by ``(1 + x y**w_i)``: ``sum_j (-1)**j above[k - j,
    threshold - j w_i]``. The true counts are below ``2**62``, so the int64 sum is exact even if
    a partial sum wraps around.
    """
    m = above.shape[0] - 2
    j = np.arange(m)[:, None]
    k = np.arange(m)[None, :]
    rows = np.where(j <= k, k - j, m + 1)  # k - j < 0: the zero row
    shifted = threshold[:, None, None] - j[None] * wi[:, None, None]  # (n_rules, m, 1)
    cols = (np.broadcast_to(c, rows.shape) for c in _clipped(shifted, tops))
    terms = above[(rows, *cols)]
    sign = np.where(j % 2 == 0, 1, -1)
    return (sign * terms).sum(axis=0)
