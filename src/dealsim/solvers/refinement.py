"""Bargaining solutions over continuous terms: exact optima on pieces where utilities are affine.

The contract. A *batch* of ``P`` problems ("pieces"), each over ``m`` variables ``y`` (the
continuous terms of a deal, rescaled to the piece). On piece ``p`` every party's utility is affine,

    ``U_p(y) = offsets[p] + slopes[p] @ y``   (offsets ``(P, k)``, slopes ``(P, k, m)``)

and the deals allowed are the polytope ``G[p] @ y <= h[p]`` (G ``(P, n, m)``, h ``(P, n)``;
all-zero rows with ``h >= 0`` are padding). Piecewise-linear value tables give exactly this: fix the
levels of the non-numeric issues, cut the numeric ranges at the tables' breakpoints, and each cell
is a piece (:mod:`dealsim.analysis.refinement` builds the pieces of a scenario).

On one piece each criterion is concave, so each piece has a global optimum that this module finds
exactly (up to floating point):

* utilitarian ``sum_i U_i``, each party's ideal ``max U_i``: linear programmes, solved by
  enumerating the polytope's vertices (``C(n, m)`` small linear systems, vectorised);
* egalitarian ``min_i (U_i - d_i)`` and Kalai–Smorodinsky ``min_i (U_i - d_i) / (ideal_i - d_i)``:
  linear programmes in ``(y, t)``, by the same enumeration; among optimal vertices the one with the
  largest sum of normalised gains is kept (the grid solvers' tie-break toward Pareto optimality);
* Nash and weighted Nash ``sum_i w_i log(U_i - d_i)``: concave and smooth, maximised by a
  log-barrier interior-point method (damped Newton steps, batched over the pieces, barrier weight
  down to ``1e-14``) from the piece's Chebyshev centre.

Only individually rational points compete: ``U_i >= d_i`` is part of every polytope; criteria
are then computed with the tolerant test ``U_i >= d_i - tol * scale``, ``scale`` the utilities'
scale (:func:`dealsim.solvers.pareto.tolerance_scale`) or a caller's ``scale=`` (finite, > 0; the
pipeline passes the zone's, as its grid solvers use). Parties whose ideal gain is at most
``tol * scale`` are *degenerate* and left out of the criteria, as on the grid.

Each piece's optimum is returned with a status (``"optimal"``, ``"infeasible"``, ``"no_interior"``
for Nash on a piece without strictly positive gains, ``"not_converged"``); the caller compares the
pieces, checks the winner against the model it came from and keeps the grid's answer when nothing
is better. :func:`solution_criteria` computes the criteria of given utility rows for that
comparison.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from dealsim._results import ResultMixin
from dealsim._validate import as_float, check_tol
from dealsim.errors import SolverError
from dealsim.solvers.pareto import tolerance_scale

__all__ = [
    "MAX_VERTEX_SYSTEMS",
    "METHODS",
    "PieceOptima",
    "continuous_ideal",
    "refine_many",
    "refine_pieces",
    "solution_criteria",
]

METHODS = ("nash", "weighted_nash", "kalai_smorodinsky", "egalitarian", "utilitarian")
"""The criteria this module maximises (the names of :data:`dealsim.results.SOLUTION_NAMES`)."""

MAX_VERTEX_SYSTEMS = 2_000_000
"""Limit on ``P * C(n, dim)``, the linear systems one vertex enumeration solves (a few hundred
megabytes at most). A batch beyond it raises :class:`~dealsim.errors.SolverError` before any work:
refine fewer pieces, or fewer numeric issues at a time."""

_PIVOT = 1e-10  # |det| below this (unit rows) is a singular system: no vertex
_FEASIBLE = 1e-9  # slack allowed on unit rows (distance in the piece's [0, 1] coordinates)


@dataclass(frozen=True)
class PieceOptima(ResultMixin):
    """The optimum of one criterion on each piece of a batch.

    Attributes
    ----------
    method : str
        One of :data:`METHODS`.
    points : ndarray, shape (P, m)
        The maximiser on each piece (NaN where there is none).
    utilities : ndarray, shape (P, k)
        Each party's utility there.
    values : ndarray, shape (P,)
        The criterion there (:func:`solution_criteria`); ``-inf`` where there is no optimum.
    status : tuple of str
        Per piece: ``"optimal"``, ``"infeasible"``, ``"no_interior"`` or ``"not_converged"``.
    ideal : tuple of float
        The ideal point used (Kalai–Smorodinsky's, and the degenerate-party test).
    weights : tuple of float or None
        Bargaining weights (weighted Nash only).
    tol : float
        Relative tolerance.
    """

    method: str
    points: np.ndarray
    utilities: np.ndarray
    values: np.ndarray
    status: tuple[str, ...]
    ideal: tuple[float, ...]
    weights: tuple[float, ...] | None
    tol: float

    @property
    def best(self) -> int:
        """The piece with the largest criterion (``-1`` if no piece has an optimum)."""
        if not np.isfinite(self.values).any():
            return -1
        return int(np.argmax(self.values))


def solution_criteria(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    method: str,
    *,
    ideal: ArrayLike,
    weights: ArrayLike | None = None,
    tol: float = 1e-9,
    scale: float | None = None,
) -> np.ndarray:
    """Each deal's value of a bargaining criterion, ``-inf`` for deals that are not rational.

    Parameters
    ----------
    utilities : array_like of float, shape (n, k)
        Utility rows.
    disagreement : array_like of float, shape (k,)
        Each party's value of no deal.
    method : str
        One of :data:`METHODS`.
    ideal : array_like of float, shape (k,)
        Each party's best utility over the rational deals; parties with
        ``ideal_i - d_i <= tol * scale`` are left out of the Nash, Kalai–Smorodinsky and
        egalitarian criteria.
    weights : array_like of float, shape (k,), optional
        Bargaining weights (``weighted_nash``); default 1.
    tol : float, default 1e-9
        Relative tolerance for individual rationality and degenerate parties.
    scale : float, optional
        The scale ``tol`` multiplies (finite, > 0) instead of the largest ``|u|``, ``|d|`` or
        ``|ideal|`` given (:func:`dealsim.solvers.bargaining.nash_bargaining_solution`).

    Returns
    -------
    ndarray, shape (n,)
        The Nash product ``prod_i (u_i - d_i) ** w_i`` (zero if a gain is not positive),
        ``min_i (u_i - d_i) / (ideal_i - d_i)``, ``min_i (u_i - d_i)`` or ``sum_i u_i``.

    Examples
    --------
    >>> u = [[0.5, 0.5], [0.55, 0.45]]
    >>> solution_criteria(u, [0.2, 0.1], "nash", ideal=[0.9, 0.8]).round(4).tolist()
    [0.12, 0.1225]
    >>> solution_criteria(u, [0.2, 0.1], "kalai_smorodinsky", ideal=[0.9, 0.8]).round(4).tolist()
    [0.4286, 0.5]
    """
    u = as_float("utilities", utilities)
    if u.ndim != 2:
        raise SolverError(f"utilities must have shape (n_deals, n_parties), got {u.shape}")
    d, ideal_arr, w, tol = _check_common(disagreement, ideal, weights, tol, u.shape[1], method)
    scale = tolerance_scale(u[np.isfinite(u)], d, ideal_arr[np.isfinite(ideal_arr)], scale=scale)
    return _criteria(u, d, method, ideal_arr, w, tol * scale)


def continuous_ideal(
    offsets: ArrayLike,
    slopes: ArrayLike,
    G: ArrayLike,
    h: ArrayLike,
    disagreement: ArrayLike,
    *,
    tol: float = 1e-9,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each party's largest utility over the rational points of every piece (an exact LP).

    Parameters
    ----------
    offsets, slopes, G, h : array_like
        The pieces (see the module docstring).
    disagreement : array_like of float, shape (k,)
        Each party's value of no deal.
    tol : float, default 1e-9
        Relative tolerance for individual rationality.

    Returns
    -------
    ideal : ndarray, shape (k,)
        ``-inf`` for every party if no piece has a rational point.
    piece : ndarray of int, shape (k,)
        The piece where each party's ideal is reached (``-1`` if none).
    point : ndarray, shape (k, m)
        The point on that piece.

    Examples
    --------
    One piece, ``y`` in [0, 1], a linear split ``(y, 1 - y)`` with ``d = (0.2, 0.1)``:

    >>> box = [[[1.0], [-1.0]]], [[1.0, 0.0]]
    >>> ideal, piece, point = continuous_ideal([[0.0, 1.0]], [[[1.0], [-1.0]]], *box, [0.2, 0.1])
    >>> ideal.round(12).tolist(), point.round(12).tolist()
    ([0.9, 0.8], [[0.9], [0.2]])
    """
    c, A, Gm, hv, d, tol, scale = _check_pieces(offsets, slopes, G, h, disagreement, tol)
    k, m = A.shape[1], A.shape[2]
    rows, rhs = _with_rationality(A, c, Gm, hv, d, tol * scale)
    z, ok = _vertices(rows, rhs)
    u = c[:, None, :] + np.einsum("pkm,pvm->pvk", A, z)  # (P, V, k)
    u = np.where(ok[..., None], u, -np.inf)
    flat = u.reshape(-1, k)
    best = np.argmax(flat, axis=0)
    ideal = flat[best, np.arange(k)]
    found = np.isfinite(ideal)
    n_vertices = z.shape[1]
    piece = np.where(found, best // max(n_vertices, 1), -1)
    point = np.where(found[:, None], z.reshape(-1, m)[best], np.nan)
    return ideal, piece, point


def refine_pieces(
    offsets: ArrayLike,
    slopes: ArrayLike,
    G: ArrayLike,
    h: ArrayLike,
    disagreement: ArrayLike,
    method: str,
    *,
    ideal: ArrayLike,
    weights: ArrayLike | None = None,
    tol: float = 1e-9,
    scale: float | None = None,
) -> PieceOptima:
    """Maximise a bargaining criterion exactly on each piece of a batch.

    Parameters
    ----------
    offsets : array_like of float, shape (P, k)
        Each party's utility at ``y = 0`` on each piece.
    slopes : array_like of float, shape (P, k, m)
        Each party's utility gradient on each piece.
    G : array_like of float, shape (P, n, m)
        Constraint rows, ``G[p] @ y <= h[p]`` (include the piece's bounds).
    h : array_like of float, shape (P, n)
        Right-hand sides.
    disagreement : array_like of float, shape (k,)
        Each party's value of no deal.
    method : str
        One of :data:`METHODS`.
    ideal : array_like of float, shape (k,)
        The ideal point (from :func:`continuous_ideal`, or at least the grid's).
    weights : array_like of float, shape (k,), optional
        Bargaining weights (``weighted_nash`` only; default 1).
    tol : float, default 1e-9
        Relative tolerance for individual rationality, degenerate parties and ties.
    scale : float, optional
        The scale ``tol`` multiplies (finite, > 0) instead of the largest ``|offsets|``,
        ``|d|`` or ``|ideal|``; the unit of egalitarian's ``t`` stays the data's own.

    Returns
    -------
    PieceOptima

    Raises
    ------
    SolverError
        On malformed input, or a batch beyond :data:`MAX_VERTEX_SYSTEMS`.

    Examples
    --------
    A linear split ``(y, 1 - y)``, ``d = (0.2, 0.1)``: Nash gives 0.55, weights (2, 1) give
    ``0.2 + (2/3) 0.7``:

    >>> box = dict(G=[[[1.0], [-1.0]]], h=[[1.0, 0.0]])
    >>> piece = dict(offsets=[[0.0, 1.0]], slopes=[[[1.0], [-1.0]]], **box)
    >>> sol = refine_pieces(**piece, disagreement=[0.2, 0.1], method="nash", ideal=[0.9, 0.8])
    >>> round(float(sol.points[0, 0]), 9), sol.status
    (0.55, ('optimal',))
    >>> sol = refine_pieces(**piece, disagreement=[0.2, 0.1], method="weighted_nash",
    ...                     ideal=[0.9, 0.8], weights=[2, 1])
    >>> round(float(sol.points[0, 0]), 9) == round(0.2 + 2 / 3 * 0.7, 9)
    True
    """
    c, A, Gm, hv, d, tol, _ = _check_pieces(offsets, slopes, G, h, disagreement, tol)
    d, ideal_arr, w, tol = _check_common(d, ideal, weights, tol, c.shape[1], method)
    if scale is not None:
        scale = tolerance_scale(scale=scale)
    return _refine(c, A, Gm, hv, d, method, ideal_arr, w, tol, {}, scale)


def refine_many(
    offsets: ArrayLike,
    slopes: ArrayLike,
    G: ArrayLike,
    h: ArrayLike,
    disagreement: ArrayLike,
    methods: Sequence[str],
    *,
    ideal: ArrayLike,
    weights: ArrayLike | None = None,
    tol: float = 1e-9,
    scale: float | None = None,
) -> dict[str, PieceOptima | SolverError]:
    """:func:`refine_pieces` for several criteria on one batch, sharing the common work.

    Each criterion's answer is the one :func:`refine_pieces` gives, bit for bit; the pieces are
    validated once, and what several criteria need is computed once: the vertices of the
    rational polytopes (utilitarian, and every criterion when no party can gain) and the
    pieces' Chebyshev centres (Nash and weighted Nash start from the same ones).

    Parameters
    ----------
    offsets, slopes, G, h, disagreement
        The pieces, as for :func:`refine_pieces`.
    methods : sequence of str
        Criteria from :data:`METHODS`.
    ideal : array_like of float, shape (k,)
        The ideal point.
    weights : array_like of float, shape (k,), optional
        Bargaining weights of ``weighted_nash`` (the other criteria do not use them).
    tol : float, default 1e-9
        Relative tolerance.
    scale : float, optional
        The scale ``tol`` multiplies, as for :func:`refine_pieces`.

    Returns
    -------
    dict of str to PieceOptima or SolverError
        Per criterion its optima, or the :class:`~dealsim.errors.SolverError` that
        :func:`refine_pieces` would raise for it (a batch beyond :data:`MAX_VERTEX_SYSTEMS`);
        the other criteria are still solved.

    Raises
    ------
    SolverError
        On malformed input or an unknown method.

    Examples
    --------
    >>> box = dict(G=[[[1.0], [-1.0]]], h=[[1.0, 0.0]])
    >>> piece = dict(offsets=[[0.0, 1.0]], slopes=[[[1.0], [-1.0]]], **box)
    >>> out = refine_many(**piece, disagreement=[0.2, 0.1], methods=["nash", "weighted_nash"],
    ...                   ideal=[0.9, 0.8], weights=[2, 1])
    >>> [round(float(out[m].points[0, 0]), 9) for m in out]
    [0.55, 0.666666667]
    >>> sol = refine_pieces(**piece, disagreement=[0.2, 0.1], method="weighted_nash",
    ...                     ideal=[0.9, 0.8], weights=[2, 1])
    >>> bool((sol.points == out["weighted_nash"].points).all())
    True
    """
    c, A, Gm, hv, d, tol, _ = _check_pieces(offsets, slopes, G, h, disagreement, tol)
    if scale is not None:
        scale = tolerance_scale(scale=scale)
    checked = {
        method: _check_common(
            d, ideal, weights if method == "weighted_nash" else None, tol, c.shape[1], method
        )
        for method in methods
    }
    shared: dict[str, Any] = {}
    out: dict[str, PieceOptima | SolverError] = {}
    for method, (d_m, ideal_arr, w, tol_m) in checked.items():
        try:
            out[method] = _refine(c, A, Gm, hv, d_m, method, ideal_arr, w, tol_m, shared, scale)
        except SolverError as error:
            out[method] = error
    return out


def _refine(c, A, Gm, hv, d, method, ideal_arr, w, tol, shared, scale=None) -> PieceOptima:
    """One criterion on validated pieces; ``shared`` keeps work other criteria can reuse.

    ``scale`` (validated) is the caller's tolerance scale, else the data's own.
    """
    own = tolerance_scale(c, d, ideal_arr[np.isfinite(ideal_arr)])
    atol = tol * (own if scale is None else scale)
    memo = _Memo(shared, (atol, ideal_arr.tobytes()))
    if method in ("nash", "weighted_nash"):
        points, status = _nash_kernel(c, A, Gm, hv, d, ideal_arr, w, atol, memo)
    elif method == "utilitarian":
        points, status = _linear_kernel(c, A, Gm, hv, d, atol, np.ones(c.shape[1]), memo)
    else:
        # egalitarian's t in units of the data's scale, so the LP's rows do not depend on it
        span = ideal_arr - d if method == "kalai_smorodinsky" else np.full_like(d, own)
        points, status = _maxmin_kernel(c, A, Gm, hv, d, ideal_arr, span, atol, memo)
    utilities = c + np.einsum("pkm,pm->pk", A, np.nan_to_num(points))
    values = _criteria(utilities, d, method, ideal_arr, w, atol)
    values = np.where(np.array(status) == "optimal", values, -np.inf)
    return PieceOptima(
        method=method,
        points=points,
        utilities=np.where(np.isnan(points[:, :1]), np.nan, utilities),
        values=values,
        status=tuple(status),
        ideal=tuple(float(x) for x in ideal_arr),
        weights=None if method != "weighted_nash" else tuple(float(x) for x in w),
        tol=tol,
    )


# --------------------------------------------------------------------------------------------
# validation


def _check_pieces(offsets, slopes, G, h, disagreement, tol):
    c = as_float("offsets", offsets)
    A = as_float("slopes", slopes)
    Gm = as_float("G", G)
    hv = as_float("h", h)
    if c.ndim != 2 or A.ndim != 3 or A.shape[:2] != c.shape:
        raise SolverError(
            f"offsets must have shape (P, k) and slopes (P, k, m), got {c.shape} and {A.shape}"
        )
    P, _, m = A.shape
    if Gm.ndim != 3 or Gm.shape[0] != P or Gm.shape[2] != m or hv.shape != Gm.shape[:2]:
        raise SolverError(
            f"G must have shape ({P}, n, {m}) and h ({P}, n), got {Gm.shape} and {hv.shape}"
        )
    d = as_float("disagreement", disagreement)
    if d.shape != (c.shape[1],):
        raise SolverError(f"disagreement must have shape ({c.shape[1]},), got {d.shape}")
    tol = check_tol(tol)
    return c, A, Gm, hv, d, tol, tolerance_scale(c, d)


def _check_common(disagreement, ideal, weights, tol, k, method):
    if method not in METHODS:
        raise SolverError(f"unknown method {method!r} (allowed: {', '.join(METHODS)})")
    d = as_float("disagreement", disagreement)
    ideal_arr = np.asarray(ideal, dtype=float)
    if d.shape != (k,) or ideal_arr.shape != (k,):
        raise SolverError(f"disagreement and ideal must have shape ({k},)")
    if weights is None:
        w = np.ones(k)
    else:
        w = as_float("weights", weights)
        if w.shape != (k,) or not (w > 0).all():
            raise SolverError(f"weights must be {k} positive numbers, got {w.tolist()}")
    return d, ideal_arr, w, check_tol(tol)


# --------------------------------------------------------------------------------------------
# kernels


def _criteria(u, d, method, ideal, w, atol):
    rational = np.all(u >= d - atol, axis=1)
    span = ideal - d
    active = np.isfinite(span) & (span > atol)
    gains = u - d
    if method == "utilitarian":
        value = u.sum(axis=1)
    elif not active.any():
        value = np.zeros(u.shape[0])
    elif method in ("nash", "weighted_nash"):
        g = gains[:, active]
        with np.errstate(invalid="ignore"):
            value = np.where((g > 0).all(axis=1), np.prod(np.abs(g) ** w[active], axis=1), 0.0)
    elif method == "kalai_smorodinsky":
        value = (gains[:, active] / span[active]).min(axis=1)
    else:
        value = gains[:, active].min(axis=1)
    return np.where(rational & np.isfinite(value), value, -np.inf)


def _unit_rows(
    G: np.ndarray, h: np.ndarray, zero_norm: float | np.ndarray = 1e-14
) -> tuple[np.ndarray, np.ndarray]:
    """Rows scaled to unit norm; zero rows (norm at most ``zero_norm``, per row if an array)
    become padding (or infeasible if ``h < 0``)."""
    norm = np.linalg.norm(G, axis=-1)
    zero = norm <= zero_norm
    G = np.where(zero[..., None], 0.0, G / np.where(zero, 1.0, norm)[..., None])
    h = np.where(zero, np.where(h >= -_FEASIBLE, 1.0, -1.0), h / np.where(zero, 1.0, norm))
    return G, h


class _Memo:
    """Results of one batch that several criteria reuse, by name (arrays made read-only)."""

    def __init__(self, store: dict[Any, Any], key: Any):
        self.store, self.key = store, key

    def __call__(self, name: str, compute: Callable[[], Any]) -> Any:
        slot = (name, self.key)
        if slot not in self.store:
            value = compute()
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, np.ndarray):
                    item.flags.writeable = False
            self.store[slot] = value
        return self.store[slot]


def _utility_zero(c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Per party, the norm below which a row of its utility slopes counts as zero: ``1e-14``
    times that party's own scale (the largest magnitude of its offsets over the pieces and of
    its reservation), shape ``(k,)``. A problem and the same problem with every utility, or one
    party's, multiplied by ``10**-15`` then have the same rows (a fixed ``1e-14`` dropped every
    party's constraint at that scale; one threshold for all parties dropped the rows of a party
    whose utilities are in dollars when another's are in billions)."""
    return 1e-14 * np.array([tolerance_scale(c[:, i], d[i]) for i in range(c.shape[1])])


def _with_rationality(A, c, G, h, d, atol):
    """Append ``U_i >= d_i`` to every piece's rows: ``-slopes_i y <= c_i - d_i``.

    The optimisation keeps the reservations exactly (``atol`` is not used to relax them), so
    that the answer also passes the tolerant check ``U_i >= d_i - atol`` made afterwards.
    """
    del atol
    rows = np.concatenate([G, -A], axis=1)
    rhs = np.concatenate([h, c - d], axis=1)
    zero_norm = np.full(rows.shape[1], 1e-14)
    zero_norm[G.shape[1] :] = _utility_zero(c, d)
    return _unit_rows(rows, rhs, zero_norm)


def _vertices(G: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every vertex of each polytope ``G y <= h`` (unit rows): points ``(P, M, D)``, mask."""
    P, n, D = G.shape
    M = math.comb(n, D)
    if P * M > MAX_VERTEX_SYSTEMS:
        raise SolverError(
            f"refinement needs {P * M:,} linear systems ({P} pieces, {n} constraints, {D} "
            f"variables), more than the limit {MAX_VERTEX_SYSTEMS:,} "
            "(dealsim.solvers.refinement.MAX_VERTEX_SYSTEMS)"
        )
    # a zero row with a negative right-hand side (0 <= h < 0) empties its piece; padding does not
    infeasible = ((h < -_FEASIBLE) & (np.abs(G).sum(axis=2) == 0)).any(axis=1)
    combos = _combinations(n, D)
    # a choice with a row that is zero on every piece is singular everywhere (its LU has an
    # exact zero pivot): left out, the other choices kept in order (same vertices, same ties)
    keep = np.abs(G).sum(axis=2).any(axis=0)[combos].all(axis=1)
    if D and keep.any() and not keep.all():
        combos = combos[keep]
    A = G[:, combos]  # (P, M, D, D)
    b = h[:, combos]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # singular: det 0 or nan
        det = np.linalg.det(A) if D else np.ones((P, M))
    ok = np.abs(det) > _PIVOT
    A[~ok] = np.eye(D)  # A is a fresh gather: singular systems solved as I z = b
    z = np.linalg.solve(A, b[..., None])[..., 0] if D else np.zeros((P, M, 0))
    slack = h[:, None, :] - np.einsum("pnd,pmd->pmn", G, z)
    ok &= (slack >= -_FEASIBLE).all(axis=-1) & ~infeasible[:, None]
    return z, ok


@functools.lru_cache(maxsize=64)
def _combinations(n: int, D: int) -> np.ndarray:
    """The ``C(n, D)`` row choices of a vertex enumeration, ``(M, D)`` (read-only, shared)."""
    combos = np.array(list(itertools.combinations(range(n), D)), dtype=np.intp)
    combos = combos.reshape(math.comb(n, D), D)
    combos.flags.writeable = False
    return combos


def _best_vertex(z, ok, primary, secondary, atol):
    """Per piece: the vertex with the largest ``primary`` (ties within ``atol``: ``secondary``)."""
    primary = np.where(ok, primary, -np.inf)
    top = primary.max(axis=1)
    tied = ok & (primary >= top[:, None] - atol)
    pick = np.argmax(np.where(tied, secondary, -np.inf), axis=1)
    found = np.isfinite(top)
    points = np.where(found[:, None], z[np.arange(z.shape[0]), pick], np.nan)
    status = ["optimal" if f else "infeasible" for f in found]
    return points, status


def _normalised_sum(u, d, ideal, atol):
    span = ideal - d
    active = np.isfinite(span) & (span > atol)
    return ((u - d)[..., active] / span[active]).sum(axis=-1)


def _rational_rows(c, A, G, h, d, atol, memo):
    return memo("rows", lambda: _with_rationality(A, c, G, h, d, atol))


def _linear_kernel(c, A, G, h, d, atol, objective, memo):
    rows, rhs = _rational_rows(c, A, G, h, d, atol, memo)
    z, ok = memo("vertices", lambda: _vertices(rows, rhs))
    u = c[:, None, :] + np.einsum("pkm,pvm->pvk", A, z)
    return _best_vertex(z, ok, u @ objective, u.sum(axis=-1), atol)


def _maxmin_kernel(c, A, G, h, d, ideal, span, atol, memo):
    """Maximise ``t`` with ``U_i - d_i >= t * span_i`` over the active parties, in ``(y, t)``."""
    P, k, m = A.shape
    rows, rhs = _rational_rows(c, A, G, h, d, atol, memo)
    active = np.isfinite(ideal - d) & (ideal - d > atol)
    if not active.any():  # nobody can gain: every rational point ties at 0
        return _linear_kernel(c, A, G, h, d, atol, np.zeros(k), memo)
    lifted = np.concatenate([rows, np.zeros((*rows.shape[:2], 1))], axis=2)
    gain_rows = np.concatenate(
        [-A[:, active], np.broadcast_to(span[active][None, :, None], (P, int(active.sum()), 1))],
        axis=2,
    )  # t * span_i - slopes_i y <= c_i - d_i
    zero_norm = np.full(lifted.shape[1] + gain_rows.shape[1], 1e-14)
    zero_norm[lifted.shape[1] :] = _utility_zero(c, d)[active]
    G2, h2 = _unit_rows(
        np.concatenate([lifted, gain_rows], axis=1),
        np.concatenate([rhs, c[:, active] - d[active]], axis=1),
        zero_norm,
    )
    z, ok = _vertices(G2, h2)
    u = c[:, None, :] + np.einsum("pkm,pvm->pvk", A, z[..., :m])
    t = ((u - d)[..., active] / span[active]).min(axis=-1)
    points, status = _best_vertex(
        z[..., :m], ok, t, _normalised_sum(u, d, ideal, atol), atol / span[active].min()
    )
    return points, status


def _nash_kernel(c, A, G, h, d, ideal, w, atol, memo):
    """Log-barrier Newton on each piece with strictly positive gains for the active parties."""
    P, k, m = A.shape
    active = np.isfinite(ideal - d) & (ideal - d > atol)
    if not active.any():  # the Nash product is zero everywhere: every rational point ties
        return _linear_kernel(c, A, G, h, d, atol, np.zeros(k), memo)
    rows, rhs = _rational_rows(c, A, G, h, d, atol, memo)
    gain_A, gain_c, wa = A[:, active], (c - d)[:, active], w[active]
    zero = _utility_zero(c, d)[active]
    z, ok = memo("centres", lambda: _centre_vertices(rows, rhs, gain_A, gain_c, zero))
    s = np.where(ok, z[..., m], -np.inf)
    pick = np.argmax(s, axis=1)
    radius = s[np.arange(P), pick]
    interior = radius > 1e-9
    status = ["optimal" if i else "no_interior" for i in interior]
    points = np.full((P, m), np.nan)
    if not interior.any():
        return points, status
    y = z[np.arange(P), pick, :m][interior]
    sub = (gain_A[interior], gain_c[interior], rows[interior], rhs[interior])
    y, converged = _barrier_newton(y, *sub, wa)
    points[interior] = y
    for p, good in zip(np.flatnonzero(interior), converged, strict=True):
        if not good:
            status[p] = "not_converged"
    return points, status


def _centre_vertices(rows, rhs, gain_A, gain_c, zero_norm):
    """Vertices of the Chebyshev-centre LPs: slack ``s`` on unit rows and gains, ``s <= 1``."""
    P, _, m = rows.shape
    gain_rows, gain_rhs = _unit_rows(-gain_A, gain_c, zero_norm)
    G_all = np.concatenate([rows, gain_rows], axis=1)
    h_all = np.concatenate([rhs, gain_rhs], axis=1)
    cap = np.zeros((P, 1, m + 1))
    cap[..., m] = 1.0
    lifted = np.concatenate(
        [np.concatenate([G_all, np.where(_padding(G_all, h_all), 0.0, 1.0)[..., None]], 2), cap],
        axis=1,
    )
    return _vertices(lifted, np.concatenate([h_all, np.ones((P, 1))], axis=1))


def _padding(G, h):
    return (np.abs(G).sum(axis=-1) == 0) & (h >= 0)


def _barrier_newton(y, gA, gc, G, h, w, *, mu0=1.0, shrink=0.01, mu_min=1e-14, steps=40):
    """Maximise ``sum w log(gc + gA y) + mu sum log(h - G y)`` for mu -> 0, batched."""
    real = ~_padding(G, h)  # (Q, n)
    Gr = np.where(real[..., None], G, 0.0)

    gc_a, h_a, real_a = gc[:, None, :], h[:, None, :], real[:, None, :]

    def value(yy, mu):  # called under the errstate below
        g = gc_a + np.einsum("qkm,qam->qak", gA, yy)
        sl = np.where(real_a, h_a - np.einsum("qnm,qam->qan", Gr, yy), 1.0)
        bad = (g <= 0).any(-1) | (sl <= 0).any(-1)
        f = np.log(np.where(g > 0, g, 1.0)) @ w + mu * np.log(np.where(sl > 0, sl, 1.0)).sum(-1)
        return np.where(bad, -np.inf, f)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _newton_loop(y, gA, gc, Gr, h, real, w, value, mu0, shrink, mu_min, steps)


def _newton_loop(y, gA, gc, Gr, h, real, w, value, mu, shrink, mu_min, steps):
    """The barrier path (see :func:`_barrier_newton`); a step that is not finite stops a piece."""
    halvings = 0.5 ** np.arange(30)
    steps_a = halvings[None, :, None]
    armijo = 0.25 * halvings[None, :]  # exact: powers of two
    flat = -np.eye(y.shape[1])
    rows = np.arange(y.shape[0])
    converged = np.zeros(y.shape[0], dtype=bool)
    while True:
        for _ in range(steps):
            g = gc + np.einsum("qkm,qm->qk", gA, y)
            sl = np.where(real, h - np.einsum("qnm,qm->qn", Gr, y), 1.0)
            grad = np.einsum("qkm,qk->qm", gA, w / g) - mu * np.einsum("qnm,qn->qm", Gr, 1 / sl)
            hess = -np.einsum("qkm,qkl,qk->qml", gA, gA, w / g**2) - mu * np.einsum(
                "qnm,qnl,qn->qml", Gr, Gr, real / sl**2
            )
            finite = np.isfinite(hess).all(axis=(1, 2)) & np.isfinite(grad).all(axis=1)
            hess = np.where(finite[:, None, None], hess, flat)
            rhs = -np.where(finite[:, None], grad, 0.0)[..., None]
            step = (np.linalg.pinv(hess) @ rhs)[..., 0]  # pinv: a flat direction is no step
            decrement = (grad * step).sum(-1)  # >= 0 for a concave objective
            converged = decrement <= 1e-13  # one more full step after this: quadratic
            trial = y[:, None, :] + steps_a * step[:, None, :]
            f0 = value(y[:, None, :], mu)
            ft = value(trial, mu)
            accept = ft >= f0 + armijo * decrement[:, None]
            first = np.argmax(accept, axis=1)
            move = accept.any(axis=1)
            y = np.where(move[:, None], trial[rows, first], y)
            if converged.all() or not (move & ~converged).any():  # done, or no step helps
                break
        if mu <= mu_min:
            break
        mu = max(mu * shrink, mu_min)
    return y, converged
