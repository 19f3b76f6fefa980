"""One Nash equilibrium of a bimatrix game by the Lemke–Howson algorithm, alone or raced.

:func:`lemke_howson` follows one dropped label; :func:`lemke_howson_race` runs every dropped
label side by side (vectorised) and stops at the first equilibrium found. The pivoting kernel is
:mod:`dealsim.solvers._lemke_howson`.

References: Lemke, C. E. and Howson, J. T. (1964), "Equilibrium points of bimatrix games",
Journal of the Society for Industrial and Applied Mathematics 12(2); von Stengel, B. (2002),
"Computing equilibria for two-person games", Handbook of Game Theory vol. 3, ch. 45.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dealsim._validate import check_tol
from dealsim.errors import GameError, SolverError
from dealsim.solvers._enumeration import _rescale
from dealsim.solvers._profiles import (
    Equilibrium,
    EquilibriumResult,
    _check_bimatrix,
    _extra_best_responses,
    _finalise,
    _pure_ties,
    regret,
)

__all__ = ["lemke_howson", "lemke_howson_race"]

_RACE_BUDGET = 1 << 25  # entries of the stacked inverse bases racing may hold (256 MB)


def lemke_howson(
    A: Any,
    B: Any,
    *,
    initial_dropped_label: int = 0,
    max_pivots: int = 100_000,
    tol: float = 1e-9,
) -> Equilibrium:
    """One Nash equilibrium of a bimatrix game by the Lemke–Howson algorithm.

    Labels ``0..m-1`` are the row player's strategies, ``m..m+n-1`` the column player's.
    The payoffs are rescaled to ``[1, 2]`` and the pivoting uses normalised tableaux with the
    lexicographic minimum-ratio rule, so it neither underflows on large games nor cycles on
    degenerate ones.

    Parameters
    ----------
    A, B : array_like
        ``(m, n)`` payoff matrices of the row and column players.
    initial_dropped_label : int, default 0
        The label dropped at the artificial equilibrium; different labels may give different
        equilibria.
    max_pivots : int, default 100000
        Iteration bound; reaching it raises :class:`~dealsim.errors.SolverError`.
    tol : float, default 1e-9
        The result's regret must be at most ``tol`` times each player's payoff scale
        (its largest absolute payoff).

    Returns
    -------
    Equilibrium

    Examples
    --------
    >>> A = [[2, 0], [0, 1]]; B = [[1, 0], [0, 2]]
    >>> eq = lemke_howson(A, B)
    >>> [s.tolist() for s in eq.strategies]
    [[1.0, 0.0], [1.0, 0.0]]
    >>> [s.tolist() for s in lemke_howson(A, B, initial_dropped_label=1).strategies]
    [[0.0, 1.0], [0.0, 1.0]]
    """
    A, B = _check_bimatrix(A, B)
    tol = check_tol(tol, error=GameError)
    m, n = A.shape
    label = int(initial_dropped_label)
    if not 0 <= label < m + n:
        raise GameError(f"initial_dropped_label must be in 0..{m + n - 1}, got {label}")
    from dealsim.solvers._lemke_howson import _lemke_howson_kernel  # lazy: import cost

    x, y, _ = _lemke_howson_kernel(
        _rescale(A), _rescale(B), dropped=label, max_pivots=_check_max_pivots(max_pivots)
    )
    return _checked_endpoint(A, B, x, y, tol=tol)


def _check_max_pivots(max_pivots: int) -> int:
    if int(max_pivots) < 1:
        raise GameError(f"max_pivots must be a positive integer, got {max_pivots}")
    return int(max_pivots)


def _checked_endpoint(
    A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray, *, tol: float
) -> Equilibrium:
    """The end of a Lemke-Howson path as an Equilibrium, after the regret check."""
    eqs, _ = _finalise(np.stack([A, B]), [(x, y)], tol=tol)
    if not eqs:
        reg = regret(np.stack([A, B]), [x, y])
        raise SolverError(
            f"Lemke-Howson ended at a profile with regret {reg.tolist()} > tol={tol} times "
            "the payoff scale "
            "(numerical trouble); try another initial_dropped_label or a larger tol"
        )
    return eqs[0]


def _race_labels(labels: Any, m: int, n: int) -> np.ndarray:
    """Validate the labels to race; ``None`` means all, or an even spread within the budget."""
    if labels is None:
        count = max(1, min(m + n, _RACE_BUDGET // (m * m + n * n)))
        return np.unique(np.linspace(0, m + n - 1, count).round().astype(np.intp))
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise GameError(f"labels must be a non-empty sequence of integers, got {labels!r}")
    if arr.min() < 0 or arr.max() >= m + n:
        raise GameError(f"labels must be in 0..{m + n - 1}, got {arr.tolist()}")
    return np.unique(arr).astype(np.intp)


def lemke_howson_race(
    A: Any,
    B: Any,
    *,
    labels: Sequence[int] | None = None,
    max_pivots: int = 100_000,
    tol: float = 1e-9,
) -> EquilibriumResult:
    """One Nash equilibrium by racing the Lemke–Howson paths of several dropped labels.

    The lengths of Lemke–Howson paths are heavy-tailed: in a random 200x200 game most labels
    reach an equilibrium within a few pivots while some need more than 10^5. Racing follows
    the paths of all ``labels`` in lockstep, one batched pivot per step over the stack of
    paths, and stops as soon as one ends. Each path is the one :func:`lemke_howson` follows
    for its label (same rescaling, normalised pivots and lexicographic rule), so the result
    is that label's equilibrium.

    Parameters
    ----------
    A, B : array_like
        ``(m, n)`` payoff matrices of the row and column players.
    labels : sequence of int, optional
        The initial dropped labels to race (``0..m-1`` row strategies, ``m..m+n-1`` column
        strategies). Default: all ``m + n``, or an even spread of them when the stacked
        inverse bases of all would exceed about 256 MB (``(m + n) (m^2 + n^2)`` entries).
    max_pivots : int, default 100000
        Iteration bound on every path; reaching it raises :class:`~dealsim.errors.SolverError`.
    tol : float, default 1e-9
        The result's regret must be at most ``tol`` times each player's payoff scale
        (its largest absolute payoff).

    Returns
    -------
    EquilibriumResult
        One equilibrium. ``parameters`` records ``winning_label`` (the label whose path ended
        first; the lowest one if several ended at the same pivot), ``pivots`` (its path
        length), ``labels`` (those raced), ``max_pivots`` and ``tol``.

    Examples
    --------
    >>> A = [[3, 3], [2, 5], [0, 6]]; B = [[3, 2], [2, 6], [3, 1]]  # von Stengel (2002)
    >>> res = lemke_howson_race(A, B)
    >>> [s.tolist() for s in res.equilibria[0].strategies]
    [[1.0, 0.0, 0.0], [1.0, 0.0]]
    >>> res.parameters["winning_label"], res.parameters["pivots"]
    (0, 2)
    """
    A, B = _check_bimatrix(A, B)
    tol = check_tol(tol, error=GameError)
    m, n = A.shape
    raced = _race_labels(labels, m, n)
    max_pivots = _check_max_pivots(max_pivots)
    from dealsim.solvers._lemke_howson import _race_kernel  # lazy: import cost

    x, y, label, pivots = _race_kernel(
        _rescale(A), _rescale(B), labels=raced, max_pivots=max_pivots
    )
    eq = _checked_endpoint(A, B, x, y, tol=tol)
    return EquilibriumResult(
        equilibria=(eq,),
        method="lemke_howson_race",
        degenerate=_pure_ties(A, B, tol) or _extra_best_responses(A, B, [eq], tol),
        notes=(f"Lemke-Howson finds one equilibrium, not all: raced {raced.size} labels",),
        parameters={
            "tol": tol,
            "labels": raced.tolist(),
            "winning_label": label,
            "pivots": pivots,
            "max_pivots": max_pivots,
        },
    )
