"""Strategy profiles of normal-form games: equilibrium records, argument checks and regret.

The shared base of :mod:`dealsim.solvers.equilibrium`, :mod:`dealsim.solvers.lemke_howson` and
:mod:`dealsim.solvers.dominance`. A game with ``n`` players is a payoff tensor of shape
``(n, s_1, ..., s_n)``; a profile is one mixed strategy per player. Every equilibrium reported
has passed :func:`_finalise`: each player's regret (the gain from the best pure deviation) is at
most ``tol`` times that player's payoff scale (:func:`payoff_scale`, the largest absolute payoff),
so a game and the same game with payoffs multiplied by ``10**6`` or ``10**-6`` give the same
equilibria. Best-response ties and dominance are decided with the same relative tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim.errors import GameError

__all__ = ["Equilibrium", "EquilibriumResult", "payoff_scale", "regret"]

_CONTINUA_NOTE = (
    "the game is degenerate: the equilibria listed are the extreme equilibria; "
    "continua (convex sets) of equilibria may exist between them"
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Equilibrium(ResultMixin):
    """One Nash equilibrium.

    Attributes
    ----------
    strategies : tuple of numpy.ndarray
        Each player's probabilities over its strategies, in strategy order (0/1 if pure).
    payoffs : numpy.ndarray
        Each player's expected payoff.
    pure : bool
        Whether every player plays a single strategy.
    """

    strategies: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    pure: bool


@dataclass(frozen=True, eq=False)
class EquilibriumResult(ResultMixin):
    """The equilibria a method found, with the method, its parameters and caveats.

    Attributes
    ----------
    equilibria : tuple of Equilibrium
        The equilibria, deduplicated, each with regret at most ``tol``.
    method : str
        The method that produced them.
    degenerate : bool
        Whether the game was found to be degenerate (then the set may contain continua).
    notes : tuple of str
        Caveats about completeness.
    parameters : dict
        The parameters the method ran with.
    """

    equilibria: tuple[Equilibrium, ...]
    method: str
    degenerate: bool = False
    notes: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self):
        return iter(self.equilibria)


# --------------------------------------------------------------------------- checks and regret


def _check_payoffs(payoffs: Any) -> np.ndarray:
    """Validate a payoff tensor of shape (n_players, s_1, ..., s_n)."""
    try:
        arr = np.asarray(payoffs, dtype=float)
    except (TypeError, ValueError) as exc:
        raise GameError(f"payoffs must be a numeric array: {exc}") from None
    if arr.ndim < 2 or arr.shape[0] != arr.ndim - 1:
        raise GameError(
            f"payoffs must have shape (n_players, s_1, ..., s_n) with n_players = ndim - 1; "
            f"got shape {arr.shape}"
        )
    if arr.shape[0] < 2:
        raise GameError(f"a game needs at least 2 players, got {arr.shape[0]}")
    if min(arr.shape[1:]) < 1:
        raise GameError(f"every player needs at least one strategy, got shape {arr.shape[1:]}")
    if not np.logical_and.reduce(np.isfinite(arr), axis=None):  # (arr.all(), as its ufunc)
        raise GameError("payoffs contain NaN or infinite values")
    return arr


def _check_bimatrix(A: Any, B: Any) -> tuple[np.ndarray, np.ndarray]:
    payoffs = _check_bimatrix_payoffs(A, B)
    return payoffs[0], payoffs[1]


def _check_bimatrix_payoffs(A: Any, B: Any) -> np.ndarray:
    """Validate two (m, n) payoff matrices; return them stacked, ``(2, m, n)``."""
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or A.shape != B.shape:
        raise GameError(
            f"A and B must be 2-D payoff matrices of the same shape, got {A.shape} and {B.shape}"
        )
    return _check_payoffs(np.array((A, B)))  # np.stack's array, without its generic checks


def _check_profile(payoffs: np.ndarray, profile: Sequence[Any]) -> tuple[np.ndarray, ...]:
    shape = payoffs.shape[1:]
    if len(profile) != len(shape):
        raise GameError(
            f"profile must give one strategy per player ({len(shape)}), got {len(profile)}"
        )
    out = []
    for i, (s, k) in enumerate(zip(profile, shape, strict=True)):
        p = np.asarray(s, dtype=float)
        if p.shape != (k,) or not np.all(np.isfinite(p)) or np.any(p < -1e-12):
            raise GameError(
                f"player {i}'s strategy must be {k} non-negative probabilities, got {p.tolist()}"
            )
        if not np.isclose(p.sum(), 1.0, atol=1e-8):
            raise GameError(f"player {i}'s probabilities sum to {p.sum()}, not 1")
        out.append(p)
    return tuple(out)


# --------------------------------------------------------------------------- regret and checks


def _contract(u: np.ndarray, s: np.ndarray, j: int) -> np.ndarray:
    """``np.tensordot(u, s, axes=([j], [0]))`` for a vector ``s``, by the same ``dot`` call.

    The same matrix-vector product on the same operands (so the same values, bit for bit)
    without tensordot's generic axis bookkeeping, which costs more than the product on small
    games.
    """
    kept = u.shape[:j] + u.shape[j + 1 :]
    axes = [k for k in range(u.ndim) if k != j] + [j]
    at = u.transpose(axes).reshape(math.prod(kept), u.shape[j])
    return np.dot(at, s.reshape(u.shape[j], 1)).reshape(kept)


def _strategy_values(payoffs: np.ndarray, strategies: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each player's payoff from each pure strategy against the others' mixed strategies."""
    if payoffs.shape[0] == 2:  # what _contract does for two players, without its bookkeeping
        x, y = strategies
        return [
            np.dot(payoffs[0], y.reshape(-1, 1)).reshape(-1),
            np.dot(payoffs[1].T, x.reshape(-1, 1)).reshape(-1),
        ]
    values = []
    for i in range(payoffs.shape[0]):
        u = payoffs[i]
        for j in reversed(range(payoffs.shape[0])):  # contract the last axes first
            if j != i:
                u = _contract(u, strategies[j], j)
        values.append(u)
    return values


def payoff_scale(payoffs: np.ndarray) -> np.ndarray:
    """Each player's payoff scale: its largest absolute payoff (1 where all its payoffs are 0).

    Tolerances on regrets, ties and dominance are multiplied by it, so that they are relative
    to the size of the payoffs.

    Examples
    --------
    >>> payoff_scale(np.array([[[3e6, 0], [5e6, 1e6]], [[0, 0], [0, 0]]])).tolist()
    [5000000.0, 1.0]
    """
    n = payoffs.shape[0]
    scale = np.maximum.reduce(np.abs(payoffs.reshape(n, -1)), axis=1)
    return np.where(scale > 0, scale, 1.0)


def _regret_and_payoffs(
    payoffs: np.ndarray, strategies: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    values = _strategy_values(payoffs, strategies)
    expected = np.array([v @ s for v, s in zip(values, strategies, strict=True)])
    best = np.array([v.max() for v in values])
    return np.maximum(best - expected, 0.0), expected


def regret(payoffs: Any, profile: Sequence[Any]) -> np.ndarray:
    """Each player's gain from its best pure deviation from a mixed-strategy profile.

    Parameters
    ----------
    payoffs : array_like
        Shape ``(n_players, s_1, ..., s_n)``.
    profile : sequence of array_like
        One probability vector per player.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_players,)``, non-negative; all zero exactly at a Nash equilibrium.

    Examples
    --------
    >>> pd = np.array([[[3, 0], [5, 1]], [[3, 5], [0, 1]]])  # prisoner's dilemma
    >>> regret(pd, [[1, 0], [1, 0]])  # both cooperate: each gains 2 by defecting
    array([2., 2.])
    >>> regret(pd, [[0, 1], [0, 1]])
    array([0., 0.])
    """
    payoffs = _check_payoffs(payoffs)
    return _regret_and_payoffs(payoffs, _check_profile(payoffs, profile))[0]


def _finalise(
    payoffs: np.ndarray,
    profiles: Sequence[Sequence[np.ndarray]],
    *,
    tol: float,
) -> tuple[tuple[Equilibrium, ...], int]:
    """The one place where candidates are checked: regret <= tol, then deduplicated.

    A candidate is dropped as a duplicate when every coordinate is within ``max(tol, 1e-9)`` of
    an equilibrium kept before it (candidates in the order given). The clipping, normalising,
    duplicate and purity tests run on all candidates at once; the regret of each is computed
    as :func:`regret` does. Returns the equilibria and how many candidates failed the regret
    check.
    """
    profiles = list(profiles)
    if not profiles:
        return (), 0
    stacks = [
        np.array([np.asarray(p[i], dtype=float) for p in profiles]) for i in range(payoffs.shape[0])
    ]
    return _finalise_stacked(payoffs, stacks, tol=tol)


def _finalise_stacked(
    payoffs: np.ndarray, stacks: Sequence[np.ndarray], *, tol: float
) -> tuple[tuple[Equilibrium, ...], int]:
    """:func:`_finalise` of candidates given as one (candidates, strategies) array per player."""
    if not len(stacks[0]):
        return (), 0
    scale = payoff_scale(payoffs)
    # All candidates in one array, player i's probabilities in columns bounds[i]:bounds[i + 1],
    # clipped and normalised per player in place (np.clip(S, 0.0, None) and
    # S.sum(axis=1, keepdims=True), as the ufuncs they call, on each player's columns).
    bounds = list(accumulate((S.shape[1] for S in stacks), initial=0))
    Z = np.concatenate(stacks, axis=1)
    np.maximum(Z, 0.0, out=Z)
    stacks = [Z[:, lo:hi] for lo, hi in pairwise(bounds)]
    for S in stacks:
        S /= np.add.reduce(S, axis=1, keepdims=True)
    # Each candidate's payoffs and best-response values as _regret_and_payoffs computes them
    # (the same products, candidate by candidate); the regret test on all of them at once.
    if payoffs.shape[0] == 2:
        value, best = _two_player_values(payoffs, *stacks)
    else:
        values = []
        expected = []
        for strategies in zip(*stacks, strict=True):
            v = _strategy_values(payoffs, strategies)
            values.append(v)
            expected.append([u @ x for u, x in zip(v, strategies, strict=True)])
        value = np.array(expected)
        best = np.stack([np.array(v).max(axis=1) for v in zip(*values, strict=True)], axis=1)
    # (regret = max(best - value, 0) exceeds tol * scale >= 0 exactly when best - value does)
    fails = np.logical_or.reduce(best - value > tol * scale, axis=1).tolist()
    passed = [c for c, failed in enumerate(fails) if not failed]
    rejected = len(fails) - len(passed)
    if not passed:
        return (), rejected
    everyone = not rejected
    if not everyone:
        Z = Z[passed]
    snapped, is_pure, keep = _snap_and_keep(Z, bounds, max(tol, 1e-9))
    # Read-only arrays: each equilibrium's strategies and payoffs are rows of these (views
    # taken after the flag is cleared are read-only too; a row of a 2-D array, by iteration or
    # by S[c], is the same view).
    snapped.flags.writeable = False
    expected = value if everyone else value[passed]
    expected.flags.writeable = False
    strategies = list(zip(*(list(snapped[:, lo:hi]) for lo, hi in pairwise(bounds)), strict=True))
    rows = list(expected)
    kept = tuple(
        Equilibrium(strategies=strategies[c], payoffs=rows[c], pure=is_pure[c]) for c in keep
    )
    return kept, rejected


def _two_player_values(
    payoffs: np.ndarray, X: np.ndarray, Y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's payoffs ``(k, 2)`` and best pure-strategy values ``(k, 2)``.

    The same products as :func:`_strategy_values` and :func:`_regret_and_payoffs` for two
    players, for all candidates in four calls: ``np.matmul`` of a matrix and a stack of
    ``(s, 1)`` columns makes one BLAS matrix-vector product per candidate, the call ``np.dot``
    makes for a matrix and a vector (not a matrix-matrix product, whose sums may differ in the
    last bit), and of a stack of rows and columns one BLAS dot product per candidate, as
    ``u @ x`` does. (The best values are the same numbers; where a player has one strategy, a
    product summed by BLAS may be 0.0 where the product alone is -0.0, which no comparison
    sees.)
    """
    X, Y = X[:, :, None], Y[:, :, None]  # stacks of columns
    rows = np.matmul(payoffs[0], Y)  # (k, m, 1): np.dot(A, y) for each y
    cols = np.matmul(payoffs[1].T, X)  # (k, n, 1): np.dot(B.T, x) for each x
    value = np.concatenate((np.matmul(rows.mT, X), np.matmul(cols.mT, Y)), axis=1)
    best = np.concatenate(
        (np.maximum.reduce(rows, axis=1), np.maximum.reduce(cols, axis=1)), axis=1
    )
    return value.reshape(len(X), 2), best


_FEW_CANDIDATES = 16
"""Up to this many candidates, :func:`_snap_and_keep` works on Python floats."""


def _snap_and_keep(
    Z: np.ndarray, bounds: list[int], atol: float
) -> tuple[np.ndarray, list[bool], list[int]]:
    """Which candidates are pure, how they are reported, and which are kept, in report order.

    ``Z`` holds one candidate per row, player ``i``'s probabilities in columns
    ``bounds[i]:bounds[i + 1]``. A candidate is pure when every player's largest probability
    is within 1e-12 of 1; a pure one is reported (and compared) with exact 0/1 probabilities.
    Returns the reported rows (``Z`` itself when none is pure), whether each row is pure, and
    the rows :func:`_first_of_close` keeps, in decreasing lexicographic order of their
    reported rows (ties in candidate order). Up to ``_FEW_CANDIDATES`` rows without NaN go
    through :func:`_snap_and_keep_few`, which gives the same answer with fewer array calls.
    """
    if len(Z) <= _FEW_CANDIDATES:
        rows = Z.tolist()
        if not math.isnan(sum(map(sum, rows))):  # (a sum of floats without NaN is not NaN)
            return _snap_and_keep_few(Z, rows, bounds, atol)
    return _snap_and_keep_arrays(Z, bounds, atol)


def _snap_and_keep_arrays(
    Z: np.ndarray, bounds: list[int], atol: float
) -> tuple[np.ndarray, list[bool], list[int]]:
    """:func:`_snap_and_keep` by array operations, for any number of rows."""
    # Each player's maximum by one reduceat over the players' columns.
    top = np.maximum.reduceat(Z, bounds[:-1], axis=1)
    pure = np.logical_and.reduce(np.abs(top - 1.0) <= 1e-12, axis=1)
    snapped = np.where(pure[:, None], (np.abs(Z - 1.0) <= 1e-12) * 1.0, Z)
    keep = _first_of_close(Z, snapped, atol)
    keep = keep[np.lexsort((-snapped[keep]).T[::-1])]  # decreasing, as tuples
    return snapped, pure.tolist(), keep.tolist()


def _snap_and_keep_few(
    Z: np.ndarray, rows: list[list[float]], bounds: list[int], atol: float
) -> tuple[np.ndarray, list[bool], list[int]]:
    """:func:`_snap_and_keep` of a few rows without NaN (``rows`` is ``Z.tolist()``).

    The same IEEE comparisons on Python floats: without NaN, ``max`` gives each player's
    largest probability (up to the sign of a zero, which ``abs(top - 1.0)`` does not see), and
    a stable sort in reverse (Python's sort keeps equal keys in order) puts the kept rows in
    the order ``np.lexsort`` of the negated rows gives. Cheaper than array calls on few rows.
    """
    players = list(pairwise(bounds))
    is_pure: list[bool] = []
    for r in rows:
        for lo, hi in players:
            if not abs(max(r[lo:hi]) - 1.0) <= 1e-12:
                is_pure.append(False)
                break  # this player mixes
        else:
            is_pure.append(True)
    if any(is_pure):  # (a float converts to and from a Python float exactly)
        reported = [
            [1.0 if abs(v - 1.0) <= 1e-12 else 0.0 for v in r] if pure else r
            for r, pure in zip(rows, is_pure, strict=True)
        ]
        snapped = np.array(reported)
    else:
        snapped, reported = Z, rows
    keep: list[int] = []
    for i, z in enumerate(rows):
        for j in keep:
            for a, b in zip(z, reported[j], strict=True):
                if not abs(a - b) <= atol:
                    break  # row i differs from row j
            else:
                break  # row i is within atol of row j, kept before it: dropped
        else:
            keep.append(i)
    return snapped, is_pure, sorted(keep, key=reported.__getitem__, reverse=True)


def _first_of_close(Z: np.ndarray, kept_as: np.ndarray, atol: float) -> np.ndarray:
    """Greedy deduplication of the rows of ``Z``, in order.

    Row ``i`` is kept unless every coordinate is within ``atol`` of row ``kept_as[j]`` of a row
    ``j < i`` kept before it (``kept_as`` is ``Z`` as the kept rows are reported).
    """
    k = len(Z)
    step = max(1, 4_000_000 // max(1, k * Z.shape[1]))
    close = np.zeros((k, k), dtype=bool)
    for s in range(0, k, step):
        close[s : s + step] = (np.abs(Z[s : s + step, None, :] - kept_as[None]) <= atol).all(2)
    order = np.arange(k)
    close[order[:, None] <= order] = False  # only rows before each row count
    if not close.any():
        return np.arange(k)
    kept: list[int] = []
    for i in range(k):
        if not close[i, kept].any():
            kept.append(i)
    return np.array(kept, dtype=np.intp)


# --------------------------------------------------------------------------- pure equilibria


def _pure_ties(A: np.ndarray, B: np.ndarray, tol: float) -> bool:
    """Whether some pure strategy has two or more pure best responses (a degeneracy)."""
    ta, tb = tol * payoff_scale(np.stack([A, B]))
    row_ties = (A.max(0, keepdims=True) - ta <= A).sum(0) > 1
    col_ties = (B.max(1, keepdims=True) - tb <= B).sum(1) > 1
    return bool(row_ties.any() or col_ties.any())


def _extra_best_responses(A: np.ndarray, B: np.ndarray, eqs, tol: float) -> bool:
    """Whether an equilibrium has more pure best responses than its support size."""
    ta, tb = tol * payoff_scale(np.stack([A, B]))
    for e in eqs:
        x, y = e.strategies
        n_br_row = int(np.sum(A @ y >= (A @ y).max() - ta))
        n_br_col = int(np.sum(x @ B >= (x @ B).max() - tb))
        if n_br_row > np.sum(x > tol) or n_br_col > np.sum(y > tol):
            return True
    return False
