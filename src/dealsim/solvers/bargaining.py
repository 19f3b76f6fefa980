"""Axiomatic bargaining solutions over a finite set of deals.

Every solver takes ``utilities`` of shape ``(n_deals, n_parties)`` (the candidate deals: the
agreement zone, or its Pareto frontier) and the disagreement point ``disagreement`` of shape
``(n_parties,)``, and returns the best *row* (the "grid" refinement: the solution is a deal, not a
lottery). Only individually rational rows compete: rows with ``u_i >= d_i - t`` for every party.

Tolerances are relative to the scale of the problem: ``t = tol * scale`` with ``scale`` the
largest ``|u|`` or ``|d|`` (:func:`dealsim.solvers.pareto.tolerance_scale`), so multiplying
every utility and the disagreement point by a positive number (weights of 1e-12, 1 or 1e6)
picks the same deals. Every solver takes a caller's ``scale=`` instead (finite, > 0): one that
chose the candidates with ``tol`` times a scale of its own passes it, so that the solver judges
them as it did (:func:`dealsim.solve` and the analyses over zone deals pass the zone's,
``ZoneComputation.scale``, see :func:`nash_bargaining_solution`).

Let ``g_i = u_i - d_i`` be a party's gain and ``ideal_i`` its largest utility over the
individually rational rows. Parties with ``ideal_i - d_i <= t`` cannot gain in any deal; they are
*degenerate* and are left out of the criteria below (their gain is zero on every candidate).

* Nash: maximise ``sum_i w_i log g_i`` (``w_i = 1``), weighted Nash with the given weights. If no
  row gives every non-degenerate party a gain above ``t``, the Nash product is zero on every
  candidate: every individually rational row ties and the tie-break below decides.
* Kalai–Smorodinsky: maximise ``min_i g_i / (ideal_i - d_i)``, the grid version of "the Pareto
  point on the segment from ``d`` to the ideal point".
* Egalitarian: maximise ``min_i g_i``. Utilitarian: maximise ``sum_i u_i`` over the
  individually rational rows (``d`` enters through that constraint only).

Ties (objective within a tolerance: ``tol`` on the log Nash product and on Kalai–Smorodinsky's
normalised gains, ``t`` on egalitarian and utilitarian values) are broken toward Pareto
optimality among the tied rows, then toward the larger sum of normalised gains
``g_i / (ideal_i - d_i)``, then the lowest row index. Nash and utilitarian are strictly
monotone (a row that dominates another has a larger criterion), so their best row is Pareto
optimal; Kalai–Smorodinsky and egalitarian are only weakly monotone (a dominating row can tie on
the minimum), and the Pareto tie-break is what makes their chosen row Pareto optimal.

An empty candidate set (no row with ``u >= d``) is not a bargaining problem: :func:`is_empty`
tests it and the solvers raise :class:`~dealsim.errors.SolverError`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from dealsim._results import ResultMixin
from dealsim._validate import check_tol, check_utilities
from dealsim.errors import SolverError
from dealsim.solvers.pareto import pareto_mask, tolerance_scale

__all__ = [
    "BargainingSolution",
    "all_bargaining_solutions",
    "egalitarian_solution",
    "is_empty",
    "kalai_smorodinsky_solution",
    "nash_bargaining_solution",
    "utilitarian_solution",
    "weighted_nash_solution",
]

_EMPTY_MESSAGE = "no deal gives every party at least its disagreement value"


@dataclass(frozen=True)
class BargainingSolution(ResultMixin):
    """A bargaining solution: the chosen deal (row) and how it was chosen.

    Attributes
    ----------
    method : str
        ``"nash"``, ``"weighted_nash"``, ``"kalai_smorodinsky"``, ``"egalitarian"`` or
        ``"utilitarian"``.
    index : int
        Row of the chosen deal in the ``utilities`` array the solver was given.
    utilities : tuple of float
        The chosen deal's utility for each party.
    disagreement : tuple of float
        The disagreement point used.
    value : float
        The maximised criterion at the solution (``-inf`` for a zero Nash product).
    refinement : str
        ``"grid"``: the best deal among the rows given (no lotteries).
    weights : tuple of float or None
        Bargaining weights (weighted Nash only).
    tol : float
        Tolerance used for individual rationality and ties.
    """

    method: str
    index: int
    utilities: tuple[float, ...]
    disagreement: tuple[float, ...]
    value: float
    refinement: str = "grid"
    weights: tuple[float, ...] | None = None
    tol: float = 1e-12


def is_empty(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    *,
    tol: float = 1e-12,
    scale: float | None = None,
) -> bool:
    """Whether no deal gives every party at least its disagreement value.

    Parameters
    ----------
    utilities : array_like of float, shape (n_deals, n_parties)
        Utility of each candidate deal for each party.
    disagreement : array_like of float, shape (n_parties,)
        Each party's value of no deal.
    tol : float, default 1e-12
        A row counts when ``u_i >= d_i - tol * scale`` for every party.
    scale : float, optional
        The scale ``tol`` multiplies (finite, > 0) instead of the largest ``|u|`` or ``|d|`` of
        the rows given (see :func:`nash_bargaining_solution`).

    Returns
    -------
    bool
        True when the solvers would raise :class:`~dealsim.errors.SolverError`.

    Examples
    --------
    >>> is_empty([[0.6, 0.3], [0.2, 0.9]], [0.5, 0.5])
    True
    >>> is_empty([[0.6, 0.5]], [0.5, 0.5])
    False
    """
    u, d, atol = _validate(utilities, disagreement, tol, scale)
    return not _rational_mask(u, d, atol).any()


def nash_bargaining_solution(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    tol: float = 1e-12,
    scale: float | None = None,
) -> BargainingSolution:
    """Nash bargaining solution: the deal maximising ``prod_i (u_i - d_i) ** w_i``.

    Without ``weights`` this is the symmetric Nash solution (``method="nash"``); with weights it
    is the asymmetric (weighted) Nash solution (``method="weighted_nash"``).

    Parameters
    ----------
    utilities : array_like of float, shape (n_deals, n_parties)
        Utility of each candidate deal for each party.
    disagreement : array_like of float, shape (n_parties,)
        Each party's value of no deal.
    weights : array_like of float, shape (n_parties,), optional
        Positive bargaining weights (only their ratios matter).
    tol : float, default 1e-12
        Tolerance for individual rationality, positive gains and ties.
    scale : float, optional
        The scale ``tol`` multiplies (finite, > 0) for individual rationality, positive gains,
        parties that cannot gain and the Pareto tie-break, instead of the largest ``|u|`` or
        ``|d|`` of the rows given: that of a caller which chose the rows with it.
        :func:`dealsim.solve` passes the zone's (``ZoneComputation.scale``) for the solutions
        over the zone's frontier, and the war analysis for the Nash deal over the zone deals
        that survive the commitment problem, so that a zone deal is individually rational and a
        utility gap the zone counts as a tie is one here too.

    Returns
    -------
    BargainingSolution

    Raises
    ------
    SolverError
        If no deal gives every party at least its disagreement value, if ``scale`` is not a
        finite number > 0, or on malformed input.

    Notes
    -----
    The product is maximised as ``sum_i w_i log(u_i - d_i)`` over rows whose gains are all
    above ``tol``. Parties that can gain nothing in any individually rational deal are left out.
    If no row gives every other party a positive gain, the product is zero everywhere and the
    module's tie-break picks the deal (Pareto optimal, then largest sum of normalised gains).

    References
    ----------
    Nash (1950) ``nash1950``; the weighted form as the limit of alternating offers: Binmore,
    Rubinstein & Wolinsky (1986) ``binmore1986`` (``docs/references.bib``).

    Examples
    --------
    Points on the frontier ``u2 = 2 (1 - u1)``; the Nash solution is (1/2, 1):

    >>> u1 = np.linspace(0, 1, 11)
    >>> sol = nash_bargaining_solution(np.column_stack([u1, 2 * (1 - u1)]), [0, 0])
    >>> sol.method, sol.index, sol.utilities
    ('nash', 5, (0.5, 1.0))
    >>> nash_bargaining_solution([[0.2, 0.8], [0.6, 0.4]], [0, 0], weights=[3, 1]).index
    1

    A third party's gain of 1e-7 in the second deal: on the rows' own scale (1) it can gain, so
    only that deal has a positive product; on a caller's scale of 1000 (tolerance 1e-6 at ``tol``
    1e-9) it cannot, the two deals tie and the first is taken:

    >>> u = [[0.5, 0.5, 0.0], [0.5, 0.5, 1e-7]]
    >>> nash_bargaining_solution(u, [0, 0, 0], tol=1e-9).index
    1
    >>> nash_bargaining_solution(u, [0, 0, 0], tol=1e-9, scale=1e3).index
    0
    """
    u, d, atol = _validate(utilities, disagreement, tol, scale)
    w = None if weights is None else _validate_weights(weights, u.shape[1])
    rational = _require_rational(u, d, atol)
    value, zero_product = _nash_objective(u, d, rational, w, atol)
    method = "nash" if w is None else "weighted_nash"
    # the log product's differences are relative differences of the product: tie within tol
    tie = tol * (u.shape[1] if w is None else sum(w) / max(w))
    solution = _solution(
        method, u, d, value, rational, atol, tol=tol, tie=tie, weights=w, scale=scale
    )
    if zero_product:  # every candidate ties at a zero product: report log(0)
        return replace(solution, value=-np.inf)
    return solution


def weighted_nash_solution(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    weights: ArrayLike,
    *,
    tol: float = 1e-12,
    scale: float | None = None,
) -> BargainingSolution:
    """Weighted (asymmetric) Nash solution: maximise ``prod_i (u_i - d_i) ** w_i``.

    The same as :func:`nash_bargaining_solution` with ``weights`` required.

    Parameters
    ----------
    utilities : array_like of float, shape (n_deals, n_parties)
        Utility of each candidate deal for each party.
    disagreement : array_like of float, shape (n_parties,)
        Each party's value of no deal.
    weights : array_like of float, shape (n_parties,)
        Positive bargaining weights.
    tol : float, default 1e-12
        Tolerance for individual rationality, positive gains and ties.
    scale : float, optional
        The scale ``tol`` multiplies (finite, > 0) instead of the largest ``|u|`` or ``|d|`` of
        the rows given (see :func:`nash_bargaining_solution`); the war analysis passes the
        zone's.

    Returns
    -------
    BargainingSolution
        With ``method="weighted_nash"``.

    Examples
    --------
    Splitting a unit surplus with weights (1, 3) gives party 2 three quarters:

    >>> x = np.linspace(0, 1, 101)
    >>> weighted_nash_solution(np.column_stack([x, 1 - x]), [0, 0], [1, 3]).utilities
    (0.25, 0.75)
    """
    return nash_bargaining_solution(utilities, disagreement, weights=weights, tol=tol, scale=scale)


def kalai_smorodinsky_solution(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    *,
    tol: float = 1e-12,
    scale: float | None = None,
) -> BargainingSolution:
    """Kalai–Smorodinsky solution: maximise the smallest share of the ideal gain.

    Parameters
    ----------
    utilities : array_like of float, shape (n_deals, n_parties)
        Utility of each candidate deal for each party.
    disagreement : array_like of float, shape (n_parties,)
        Each party's value of no deal.
    tol : float, default 1e-12
        Tolerance for individual rationality and ties.
    scale : float, optional
        The scale ``tol`` multiplies (finite, > 0) instead of the largest ``|u|`` or ``|d|`` of
        the rows given (see :func:`nash_bargaining_solution`).

    Returns
    -------
    BargainingSolution
        ``value`` is ``min_i (u_i - d_i) / (ideal_i - d_i)`` at the solution.

    References
    ----------
    Kalai & Smorodinsky (1975) ``kalai1975`` (``docs/references.bib``).

    Examples
    --------
    On ``u2 = 2 (1 - u1)`` the ideal point is (1, 2) and KS is (1/2, 1):

    >>> u1 = np.linspace(0, 1, 11)
    >>> kalai_smorodinsky_solution(np.column_stack([u1, 2 * (1 - u1)]), [0, 0]).utilities
    (0.5, 1.0)
    """
    u, d, atol = _validate(utilities, disagreement, tol, scale)
    rational = _require_rational(u, d, atol)
    normalised, active = _normalised_gains(u, d, rational, atol)
    value = _min_over(normalised, active, rational)
    return _solution(
        "kalai_smorodinsky", u, d, value, rational, atol, tol=tol, tie=tol, scale=scale
    )


def egalitarian_solution(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    *,
    tol: float = 1e-12,
    scale: float | None = None,
) -> BargainingSolution:
    """Egalitarian solution: maximise the smallest gain ``min_i (u_i - d_i)``.

    Parameters
    ----------
    utilities : array_like of float, shape (n_deals, n_parties)
        Utility of each candidate deal for each party.
    disagreement : array_like of float, shape (n_parties,)
        Each party's value of no deal.
    tol : float, default 1e-12
        Tolerance for individual rationality and ties.
    scale : float, optional
        The scale ``tol`` multiplies (finite, > 0) instead of the largest ``|u|`` or ``|d|`` of
        the rows given (see :func:`nash_bargaining_solution`).

    Returns
    -------
    BargainingSolution

    References
    ----------
    Kalai (1977) ``kalai1977`` (``docs/references.bib``).

    Examples
    --------
    On ``u2 = 2 (1 - u1)`` equal gains give (2/3, 2/3):

    >>> u1 = np.linspace(0, 1, 31)
    >>> sol = egalitarian_solution(np.column_stack([u1, 2 * (1 - u1)]), [0, 0])
    >>> np.round(sol.utilities, 6).tolist()
    [0.666667, 0.666667]
    """
    u, d, atol = _validate(utilities, disagreement, tol, scale)
    rational = _require_rational(u, d, atol)
    _, active = _normalised_gains(u, d, rational, atol)
    value = _min_over(u - d, active, rational)
    return _solution("egalitarian", u, d, value, rational, atol, tol=tol, tie=atol, scale=scale)


def utilitarian_solution(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    *,
    tol: float = 1e-12,
    scale: float | None = None,
) -> BargainingSolution:
    """Utilitarian solution: the individually rational deal with the largest ``sum_i u_i``.

    Parameters
    ----------
    utilities : array_like of float, shape (n_deals, n_parties)
        Utility of each candidate deal for each party.
    disagreement : array_like of float, shape (n_parties,)
        Each party's value of no deal.
    tol : float, default 1e-12
        Tolerance for individual rationality and ties.
    scale : float, optional
        The scale ``tol`` multiplies (finite, > 0) instead of the largest ``|u|`` or ``|d|`` of
        the rows given (see :func:`nash_bargaining_solution`).

    Returns
    -------
    BargainingSolution

    Examples
    --------
    >>> u1 = np.linspace(0, 1, 11)
    >>> utilitarian_solution(np.column_stack([u1, 2 * (1 - u1)]), [0, 0]).utilities
    (0.0, 2.0)
    """
    u, d, atol = _validate(utilities, disagreement, tol, scale)
    rational = _require_rational(u, d, atol)
    value = np.where(rational, u.sum(axis=1), -np.inf)
    tie = atol * u.shape[1]
    return _solution("utilitarian", u, d, value, rational, atol, tol=tol, tie=tie, scale=scale)


def all_bargaining_solutions(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    tol: float = 1e-12,
    scale: float | None = None,
) -> dict[str, BargainingSolution]:
    """Every bargaining solution of one problem, keyed by method name.

    Parameters
    ----------
    utilities : array_like of float, shape (n_deals, n_parties)
        Utility of each candidate deal for each party.
    disagreement : array_like of float, shape (n_parties,)
        Each party's value of no deal.
    weights : array_like of float, shape (n_parties,), optional
        Bargaining weights; when given, ``"weighted_nash"`` is included.
    tol : float, default 1e-12
        Tolerance for individual rationality, positive gains and ties.
    scale : float, optional
        The scale ``tol`` multiplies (finite, > 0) in every solver, instead of the largest
        ``|u|`` or ``|d|`` of the rows given (see :func:`nash_bargaining_solution`); the
        pipeline and the ratification analysis pass the zone's.

    Returns
    -------
    dict of str to BargainingSolution
        Keys ``"nash"``, ``"kalai_smorodinsky"``, ``"egalitarian"``, ``"utilitarian"`` and, with
        weights, ``"weighted_nash"``.

    Examples
    --------
    >>> u1 = np.linspace(0, 1, 7)
    >>> sols = all_bargaining_solutions(np.column_stack([u1, 2 * (1 - u1)]), [0, 0])
    >>> {name: s.index for name, s in sols.items()}
    {'nash': 3, 'kalai_smorodinsky': 3, 'egalitarian': 4, 'utilitarian': 0}
    """
    u, d, atol = _validate(utilities, disagreement, tol, scale)
    w = None if weights is None else _validate_weights(weights, u.shape[1])
    _require_rational(u, d, atol)
    solutions = {"nash": nash_bargaining_solution(u, d, tol=tol, scale=scale)}
    if w is not None:
        solutions["weighted_nash"] = nash_bargaining_solution(u, d, weights=w, tol=tol, scale=scale)
    solutions["kalai_smorodinsky"] = kalai_smorodinsky_solution(u, d, tol=tol, scale=scale)
    solutions["egalitarian"] = egalitarian_solution(u, d, tol=tol, scale=scale)
    solutions["utilitarian"] = utilitarian_solution(u, d, tol=tol, scale=scale)
    return solutions


# --------------------------------------------------------------------------------------------
# validation


def _validate(
    utilities: ArrayLike, disagreement: ArrayLike, tol: float, scale: float | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    u = check_utilities(utilities)
    try:
        d = np.asarray(disagreement, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SolverError(f"disagreement must be a numeric array: {exc}") from None
    if d.shape != (u.shape[1],):
        raise SolverError(
            f"disagreement must have one value per party, shape ({u.shape[1]},), got {d.shape}"
        )
    if not np.isfinite(d).all():
        raise SolverError("disagreement must be finite (no NaN or infinity)")
    tol = check_tol(tol)
    return u, d, tol * tolerance_scale(u, d, scale=scale)


def _validate_weights(weights: ArrayLike, k: int) -> tuple[float, ...]:
    w = np.asarray(weights, dtype=float)
    if w.shape != (k,) or not np.isfinite(w).all() or not (w > 0).all():
        raise SolverError(
            f"weights must be {k} finite positive numbers (one per party), got {w.tolist()}"
        )
    return tuple(float(x) for x in w)


# --------------------------------------------------------------------------------------------
# kernels


def _rational_mask(u: np.ndarray, d: np.ndarray, tol: float) -> np.ndarray:
    return np.all(u >= d - tol, axis=1)


def _require_rational(u: np.ndarray, d: np.ndarray, tol: float) -> np.ndarray:
    rational = _rational_mask(u, d, tol)
    if not rational.any():
        raise SolverError(_EMPTY_MESSAGE)
    return rational


def _normalised_gains(
    u: np.ndarray, d: np.ndarray, rational: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Gains as shares of the ideal gain, and which parties can gain at all (non-degenerate)."""
    ideal = u[rational].max(axis=0)
    span = ideal - d
    active = span > tol
    normalised = (u - d) / np.where(active, span, 1.0)
    return normalised, active


def _min_over(values: np.ndarray, active: np.ndarray, rational: np.ndarray) -> np.ndarray:
    """Row-wise minimum over the active parties (0 if none), -inf on irrational rows."""
    smallest = values[:, active].min(axis=1) if active.any() else np.zeros(values.shape[0])
    return np.where(rational, smallest, -np.inf)


def _nash_objective(
    u: np.ndarray,
    d: np.ndarray,
    rational: np.ndarray,
    weights: tuple[float, ...] | None,
    tol: float,
) -> tuple[np.ndarray, bool]:
    """Weighted log Nash product (-inf off the positive region); is it zero everywhere?"""
    _, active = _normalised_gains(u, d, rational, tol)
    gains = (u - d)[:, active]
    w = np.ones(u.shape[1]) if weights is None else np.asarray(weights)
    positive = rational & np.all(gains > tol, axis=1)
    value = np.full(u.shape[0], -np.inf)
    if positive.any():
        value[positive] = np.log(gains[positive]) @ w[active]
        return value, False
    value[rational] = 0.0  # zero Nash product on every candidate: all rational rows tie
    return value, True


def _best_row(
    value: np.ndarray,
    u: np.ndarray,
    d: np.ndarray,
    rational: np.ndarray,
    atol: float,
    *,
    tol: float,
    tie: float,
    scale: float | None = None,
) -> int:
    """Best row by ``value`` with the module's tie-break (Pareto, normalised sum, index).

    ``tie`` is the absolute tolerance on ``value`` (in the criterion's own units), ``atol`` the
    absolute tolerance on utilities and ``tol`` the relative one. ``scale`` is the Pareto
    tie-break's scale (default ``tolerance_scale(u, d)``; a caller that passes only some of the
    candidate rows passes the scale of all of them).
    """
    best = value.max()
    tied = np.flatnonzero(value >= best - tie)
    if tied.size > 1:
        if scale is None:
            scale = tolerance_scale(u, d)
        tied = tied[pareto_mask(u[tied], tol=tol, scale=scale)]
        normalised, active = _normalised_gains(u, d, rational, atol)
        score = normalised[tied][:, active].sum(axis=1)
        tied = tied[score >= score.max() - tol * max(1.0, abs(score.max()))]
    return int(tied[0])


def _solution(
    method: str,
    u: np.ndarray,
    d: np.ndarray,
    value: np.ndarray,
    rational: np.ndarray,
    atol: float,
    *,
    tol: float,
    tie: float,
    weights: tuple[float, ...] | None = None,
    scale: float | None = None,
) -> BargainingSolution:
    index = _best_row(value, u, d, rational, atol, tol=tol, tie=tie, scale=scale)
    return BargainingSolution(
        method=method,
        index=index,
        utilities=tuple(float(x) for x in u[index]),
        disagreement=tuple(float(x) for x in d),
        value=float(value[index]),
        refinement="grid",
        weights=weights,
        tol=tol,
    )
