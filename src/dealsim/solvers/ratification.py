"""Two-level games (Putnam): ratification probabilities, win-sets and tied hands.

A party's *win-set* is the set of deals its domestic side would ratify. A deal needs every
ratifying party's win-set to overlap the agreement zone. A smaller win-set can move the
bargaining solution in the constrained party's favour ("tied hands") or leave no deal at all.

Ratification enters in one of two modes, chosen explicitly:

* ``"constraint"``: a deal is ratified by party ``i`` iff it lies in ``i``'s win-set (a boolean
  mask, or a probability ``>= threshold``); the Nash solution is taken over the agreement zone
  restricted to the intersection of the win-sets.
* ``"expected"``: with ``P`` the probability that *every* party ratifies a deal (the product of
  the parties' probabilities: ratification votes are assumed independent), a proposal is worth
  ``P u + (1 - P) d`` to each party (ratified: the deal; rejected: the disagreement point), and
  the Nash solution is taken over the agreement zone with these expected utilities.

Polls enter through a logistic curve in the deal's features (:func:`logistic_ratification`)
calibrated to reference deals (:func:`calibrate_logistic`). Undecided respondents are handled by
:func:`poll_acceptance`; the default excludes them (acceptance among the decided).

An approval share is not a pass probability. The curve predicts the *share* ``s`` of voters who
approve; a referendum passes when the realised share reaches the threshold, and the realised
share differs from the prediction by poll and turnout error ``sigma``. With that error normal,
``P(pass) = Phi((s - threshold) / sigma)`` (:func:`pass_probability`): at ``s = 0.477``,
``threshold = 0.5`` and ``sigma = 0.05`` a referendum passes with probability 0.32, not 0.477.
Colombia's 2016 plebiscite is the cautionary case: polls predicted approval; the vote was 49.8
to 50.2.

References
----------
Putnam (1988) ``putnam1988`` and Schelling (1960) ``schelling1960`` in ``docs/references.bib``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim._results import ResultMixin
from dealsim._validate import as_float, check_probability, scalar_or_array
from dealsim.errors import SolverError
from dealsim.solvers.bargaining import nash_bargaining_solution
from dealsim.solvers.zones import agreement_mask

__all__ = [
    "LogisticCalibration",
    "RatificationReport",
    "calibrate_logistic",
    "expected_utilities",
    "logistic_ratification",
    "pass_probability",
    "poll_acceptance",
    "ratification_report",
    "win_set",
]


def poll_acceptance(
    accept: ArrayLike,
    reject: ArrayLike,
    *,
    undecided: Literal["exclude", "reject", "accept", "split"] = "exclude",
) -> Any:
    """Turn poll shares into an acceptance probability, with an explicit rule for the undecided.

    The undecided share is ``1 - accept - reject``.

    * ``"exclude"`` (default): acceptance among the decided, ``accept / (accept + reject)``
      (the undecided are assumed to split like the decided when it comes to a vote);
    * ``"reject"``: undecided count as rejection (``accept``), a lower bound;
    * ``"accept"``: undecided count as acceptance (``1 - reject``), an upper bound;
    * ``"split"``: undecided split evenly, ``accept + undecided / 2``.

    Parameters
    ----------
    accept, reject : array_like
        Shares in [0, 1] with ``accept + reject <= 1``.
    undecided : {"exclude", "reject", "accept", "split"}

    Returns
    -------
    float or ndarray

    Examples
    --------
    KIIS, January 2026 (n = 601), ceding all of Donbas for guarantees: 39% accept, 54% reject.

    >>> poll_acceptance(0.39, 0.54)  # 39 / 93
    0.41935...
    >>> poll_acceptance(0.39, 0.54, undecided="split")
    0.425
    """
    a = as_float("accept", accept)
    r = as_float("reject", reject)
    if np.any((a < 0) | (r < 0) | (a + r > 1 + 1e-12)) or np.any(a + r <= 0):
        raise SolverError(
            f"accept and reject must be shares in [0, 1] with 0 < accept + reject <= 1, "
            f"got accept={accept!r}, reject={reject!r}"
        )
    rules = {
        "exclude": lambda: a / (a + r),
        "reject": lambda: a,
        "accept": lambda: 1.0 - r,
        "split": lambda: a + (1.0 - a - r) / 2.0,
    }
    if undecided not in rules:
        raise SolverError(f"undecided must be one of {sorted(rules)}, got {undecided!r}")
    out = np.asarray(rules[undecided](), dtype=float)
    return float(out) if out.ndim == 0 else out


def _expit(z: NDArray[Any]) -> NDArray[np.float64]:
    """The logistic function, computed stably (no overflow for large ``|z|``)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _logit(p: NDArray[Any]) -> NDArray[np.float64]:
    return np.log(p) - np.log1p(-p)


def logistic_ratification(
    features: ArrayLike, coefficients: ArrayLike, intercept: float
) -> NDArray[np.float64]:
    """Ratification probability of each deal: ``expit(intercept + features @ coefficients)``.

    Parameters
    ----------
    features : array_like
        ``(n_deals, m)`` deal features (e.g. territory ceded, guarantee strength).
    coefficients : array_like
        ``(m,)`` slopes (log-odds per unit of each feature).
    intercept : float
        Log-odds of a deal with all features 0.

    Returns
    -------
    ndarray
        ``(n_deals,)`` probabilities.

    Examples
    --------
    >>> logistic_ratification([[0.0], [1.0]], [-2.0], 1.0)
    array([0.731..., 0.268...])
    """
    x = as_float("features", features)
    b = as_float("coefficients", coefficients)
    if x.ndim != 2 or b.shape != (x.shape[1],):
        raise SolverError(
            f"features must be (n_deals, m) and coefficients (m,), got shapes {x.shape} and "
            f"{b.shape}"
        )
    return _expit(float(intercept) + x @ b)


@dataclass(frozen=True)
class LogisticCalibration(ResultMixin):
    """A calibrated logistic ratification curve.

    Attributes
    ----------
    intercept : float
    coefficients : ndarray
        ``(m,)`` slopes; pass both to :func:`logistic_ratification`.
    fitted : ndarray
        Probabilities the curve gives the reference deals.
    targets : ndarray
        The targets it was calibrated to.
    method : str
        ``"intercept"`` (slopes given) or ``"intercept+slope"`` (direction given).
    parameters : dict
    """

    intercept: float
    coefficients: NDArray[np.float64]
    fitted: NDArray[np.float64]
    targets: NDArray[np.float64]
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)


def calibrate_logistic(
    reference_features: ArrayLike,
    targets: ArrayLike,
    *,
    coefficients: ArrayLike | None = None,
    direction: ArrayLike | None = None,
) -> LogisticCalibration:
    """Calibrate a logistic ratification curve to reference deals.

    In log-odds the curve is linear, so calibration is a linear solve on ``logit(targets)``:

    * with ``coefficients`` (the slopes are known) the intercept is solved so that the reference
      deals get their targets (exactly for one reference, least squares for several);
    * with ``direction`` the slopes are ``slope * direction`` and intercept and slope are solved
      together (exactly for two references with different ``features @ direction``: apart by
      more than 1e-12 of their largest magnitude, so that features in any units calibrate alike).

    Parameters
    ----------
    reference_features : array_like
        ``(r, m)`` features of the reference deals (a single ``(m,)`` row is allowed).
    targets : array_like
        ``(r,)`` acceptance probabilities in (0, 1) (see :func:`poll_acceptance`).
    coefficients, direction : array_like, optional
        Exactly one of them, shape ``(m,)``.

    Returns
    -------
    LogisticCalibration

    Examples
    --------
    One reference: a deal ceding all of Donbas (territory 1) with guarantees, accepted by 39 of
    the 93% decided; slope -2 per unit of territory assumed:

    >>> cal = calibrate_logistic([1.0, 1.0], poll_acceptance(0.39, 0.54), coefficients=[-2.0, 0.5])
    >>> logistic_ratification([[1.0, 1.0]], cal.coefficients, cal.intercept)
    array([0.41935...])

    Two references along the territory axis: a freeze with guarantees (72% accept, KIIS
    Nov–Dec 2025) and the Donbas deal:

    >>> cal = calibrate_logistic([[0.0, 1.0], [1.0, 1.0]], [0.72, 39 / 93], direction=[1.0, 0.0])
    >>> np.round(cal.fitted, 5)
    array([0.72   , 0.41935])
    """
    x = np.atleast_2d(as_float("reference_features", reference_features))
    y = np.atleast_1d(as_float("targets", targets))
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise SolverError(
            f"reference_features must be (r, m) with one target per row, got shapes {x.shape} "
            f"and {y.shape}"
        )
    if np.any((y <= 0) | (y >= 1)):
        raise SolverError(
            f"targets must be probabilities strictly between 0 and 1, got {targets!r}"
        )
    if (coefficients is None) == (direction is None):
        raise SolverError("give exactly one of coefficients= (slopes known) or direction=")
    m = x.shape[1]
    z = _logit(y)
    if coefficients is not None:
        b = as_float("coefficients", coefficients)
        if b.shape != (m,):
            raise SolverError(f"coefficients must have shape ({m},), got {b.shape}")
        intercept = float(np.mean(z - x @ b))  # least squares for the intercept alone
        method = "intercept"
    else:
        v = as_float("direction", direction)
        if v.shape != (m,):
            raise SolverError(f"direction must have shape ({m},), got {v.shape}")
        s = x @ v
        if np.ptp(s) <= 1e-12 * float(np.abs(s).max()):  # relative: features in any units
            raise SolverError(
                "the reference deals do not differ along direction, so the slope is undetermined; "
                "give at least two references with different features @ direction"
            )
        design = np.column_stack([np.ones_like(s), s])
        (intercept, slope), *_ = np.linalg.lstsq(design, z, rcond=None)
        intercept = float(intercept)
        b = float(slope) * v
        method = "intercept+slope"
    return LogisticCalibration(
        intercept=intercept,
        coefficients=b,
        fitted=_expit(intercept + x @ b),
        targets=y,
        method=method,
        parameters={"reference_features": x, "direction": direction},
    )


def win_set(ratification: ArrayLike, threshold: float = 0.5) -> NDArray[np.bool_]:
    """Win-set mask(s): a boolean mask is returned as is, probabilities ``>= threshold``.

    Parameters
    ----------
    ratification : array_like
        Boolean mask or probabilities in [0, 1], shape ``(n_deals,)`` or ``(n_deals, n_parties)``.
    threshold : float
        Probability in [0, 1] at which a deal counts as ratified.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> win_set([0.2, 0.5, 0.9], threshold=0.5)
    array([False,  True,  True])
    """
    arr = np.asarray(ratification)
    if arr.dtype == bool:
        return arr.copy()
    p = as_float("ratification", arr)
    if np.any((p < 0) | (p > 1)):
        raise SolverError("ratification probabilities must lie in [0, 1]")
    if not 0.0 <= threshold <= 1.0:
        raise SolverError(f"threshold must lie in [0, 1], got {threshold!r}")
    return p >= threshold


def pass_probability(share: ArrayLike, threshold: ArrayLike = 0.5, *, poll_error: ArrayLike) -> Any:
    """Probability that a vote passes: ``Phi((share - threshold) / poll_error)``.

    The realised approval share is taken as normal around the predicted ``share`` with standard
    deviation ``poll_error`` (poll and turnout error); the vote passes when it reaches
    ``threshold``.

    Parameters
    ----------
    share : array_like
        Predicted approval share(s), in [0, 1].
    threshold : array_like, default 0.5
        Share needed to pass, in [0, 1].
    poll_error : array_like
        Standard deviation of the realised share around the prediction (> 0).

    Returns
    -------
    float or ndarray

    Raises
    ------
    SolverError
        If a share or threshold is outside [0, 1] or ``poll_error`` is not positive.

    References
    ----------
    Putnam (1988) ``putnam1988`` in ``docs/references.bib``; the normal error model is the
    usual one for poll aggregation.

    Examples
    --------
    At the predicted share 0.477 a referendum most likely fails (``Phi(-0.46) = 0.3228``):

    >>> round(pass_probability(0.477, 0.5, poll_error=0.05), 4)
    0.3228
    >>> pass_probability([0.5, 0.6], poll_error=0.05).round(4).tolist()
    [0.5, 0.9772]
    """
    from scipy.special import ndtr  # the standard normal CDF, vectorised

    s = check_probability("share", share)
    t = check_probability("threshold", threshold)
    sigma = as_float("poll_error", poll_error)
    if not np.all(np.isfinite(sigma) & (sigma > 0)):
        raise SolverError(f"poll_error must be > 0 (a standard deviation), got {poll_error!r}")
    return scalar_or_array(ndtr((s - t) / sigma))


def _joint_probability(ratification: NDArray[Any]) -> NDArray[np.float64]:
    return np.prod(ratification.astype(float), axis=1)


def expected_utilities(
    utilities: ArrayLike, disagreement: ArrayLike, ratification: ArrayLike
) -> NDArray[np.float64]:
    """Expected value of proposing each deal: ``P u + (1 - P) d``.

    ``P`` is the probability that every party ratifies (the product over the columns of
    ``ratification``; independent votes); a rejected deal leaves the disagreement point.

    Parameters
    ----------
    utilities : array_like
        ``(n_deals, n_parties)``.
    disagreement : array_like
        ``(n_parties,)``.
    ratification : array_like
        ``(n_deals, n_parties)`` ratification probabilities (1 for parties without ratification),
        or ``(n_deals,)`` joint probabilities.

    Returns
    -------
    ndarray
        ``(n_deals, n_parties)``.

    Examples
    --------
    >>> expected_utilities([[0.6, 0.4]], [0.45, 0.30], [[1.0, 0.5]])
    array([[0.525, 0.35 ]])
    """
    u, d, r = _validate(utilities, disagreement, ratification)
    return _expected_kernel(u, d, _joint_probability(r))


def _expected_kernel(u, d, joint):
    return d + joint[:, None] * (u - d)


def _validate(utilities, disagreement, ratification):
    u = as_float("utilities", utilities)
    if u.ndim != 2:
        raise SolverError(f"utilities must be (n_deals, n_parties), got shape {u.shape}")
    d = as_float("disagreement", disagreement)
    if d.shape != (u.shape[1],):
        raise SolverError(f"disagreement must have shape ({u.shape[1]},), got {d.shape}")
    r = np.asarray(ratification)
    if r.ndim == 1:
        r = r[:, None]
    if r.shape[0] != u.shape[0] or r.shape[1] not in (1, u.shape[1]):
        raise SolverError(
            f"ratification must have shape ({u.shape[0]},) or {u.shape} (one column per party, "
            f"True/1 for parties without ratification), got {np.shape(ratification)}"
        )
    if r.dtype != bool:
        r = as_float("ratification", r)
        if np.any((r < 0) | (r > 1)):
            raise SolverError("ratification probabilities must lie in [0, 1]")
    return u, d, r


@dataclass(frozen=True)
class RatificationReport(ResultMixin):
    """What ratification does to a negotiation.

    Attributes
    ----------
    win_set_sizes : ndarray
        Deals in each party's win-set (``ratification`` column; all deals for a party that
        does not ratify).
    zone_size : int
        Deals in the agreement zone.
    overlap : bool
        Whether some deal lies in the zone and in every win-set.
    unconstrained_index : int
        Nash solution over the zone (``-1`` if the zone is empty).
    unconstrained_utilities : ndarray
    constrained_index : int
        Nash solution with ratification (``-1`` if none).
    constrained_utilities : ndarray
        Utilities of the constrained deal's terms (NaN if none).
    ratification_probability : float
        Probability that every party ratifies the constrained deal (1 or 0 in constraint mode).
    deal_disappears : bool
        The zone is non-empty but ratification leaves no deal.
    tied_hands_shift : ndarray
        ``constrained_utilities - unconstrained_utilities`` per party (NaN without both deals):
        a positive entry for a constrained party is the tied-hands gain.
    mode : str
        ``"constraint"`` or ``"expected"``.
    method : str
    parameters : dict
    """

    win_set_sizes: NDArray[np.int64]
    zone_size: int
    overlap: bool
    unconstrained_index: int
    unconstrained_utilities: NDArray[np.float64]
    constrained_index: int
    constrained_utilities: NDArray[np.float64]
    ratification_probability: float
    deal_disappears: bool
    tied_hands_shift: NDArray[np.float64]
    mode: str
    method: str = "nash"
    parameters: dict[str, Any] = field(default_factory=dict)


def _nash_over(u, d, mask, weights, tol) -> int:
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return -1
    return int(rows[nash_bargaining_solution(u[rows], d, weights=weights, tol=tol).index])


def ratification_report(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    ratification: ArrayLike,
    *,
    threshold: float = 0.5,
    zone: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    mode: Literal["constraint", "expected"] = "constraint",
    tol: float = 1e-12,
) -> RatificationReport:
    """Win-sets, their overlap with the agreement zone, and the Nash solution with ratification.

    Parameters
    ----------
    utilities : array_like
        ``(n_deals, n_parties)`` utilities.
    disagreement : array_like
        ``(n_parties,)`` disagreement point.
    ratification : array_like
        ``(n_deals, n_parties)`` win-set masks (bool) or ratification probabilities; use
        ``True``/1 for parties without domestic ratification.
    threshold : float
        Probability at which a deal is in a win-set (probabilities only).
    zone : array_like of bool, optional
        ``(n_deals,)`` agreement zone; default: deals every party weakly prefers to ``d``.
    weights : array_like, optional
        Nash bargaining weights.
    mode : {"constraint", "expected"}
        How ratification enters (module docstring). In ``"expected"`` mode the solution maximises
        the Nash product of ``P u + (1 - P) d`` over zone deals with ``P > 0``.
    tol : float
        Passed to the zone and to the Nash solver.

    Returns
    -------
    RatificationReport

    Examples
    --------
    Split a unit good, ``d = (0.45, 0.30)``; party 2's parliament ratifies only ``x <= 0.5``:

    >>> x = np.linspace(0, 1, 201)
    >>> u = np.column_stack([x, 1 - x])
    >>> rep = ratification_report(u, [0.45, 0.30], np.column_stack([x >= 0, x <= 0.5]))
    >>> float(x[rep.unconstrained_index]), float(x[rep.constrained_index])
    (0.575, 0.5)
    >>> np.round(rep.tied_hands_shift, 3)
    array([-0.075,  0.075])
    """
    u, d, r = _validate(utilities, disagreement, ratification)
    if mode not in ("constraint", "expected"):
        raise SolverError(f"mode must be 'constraint' or 'expected', got {mode!r}")
    if zone is None:
        z = agreement_mask(u, d, tol=tol)
    else:
        z = np.asarray(zone)
        if z.dtype != bool or z.shape != (u.shape[0],):
            raise SolverError(f"zone must be a boolean mask of shape ({u.shape[0]},)")
    sets = win_set(r, threshold)
    if sets.shape[1] == 1:
        sets = np.repeat(sets, u.shape[1], axis=1)
    in_all = sets.all(axis=1)
    overlap = bool(np.any(z & in_all))
    uncon = _nash_over(u, d, z, weights, tol)
    if mode == "constraint":
        con = _nash_over(u, d, z & in_all, weights, tol)
        prob = 1.0 if con >= 0 else 0.0
    else:
        joint = _joint_probability(r)
        con = _nash_over(_expected_kernel(u, d, joint), d, z & (joint > 0), weights, tol)
        prob = float(joint[con]) if con >= 0 else 0.0
    nan = np.full(u.shape[1], np.nan)
    u_uncon = u[uncon].copy() if uncon >= 0 else nan
    u_con = u[con].copy() if con >= 0 else nan
    return RatificationReport(
        win_set_sizes=sets.sum(axis=0),
        zone_size=int(z.sum()),
        overlap=overlap,
        unconstrained_index=uncon,
        unconstrained_utilities=u_uncon,
        constrained_index=con,
        constrained_utilities=u_con,
        ratification_probability=prob,
        deal_disappears=bool(uncon >= 0 and con < 0),
        tied_hands_shift=u_con - u_uncon,
        mode=mode,
        method="nash" if weights is None else "weighted_nash",
        parameters={"threshold": threshold, "weights": weights, "tol": tol},
    )
