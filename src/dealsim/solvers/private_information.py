"""Fearon's risk–return trade-off: a take-it-or-leave-it offer to a side with a private cost of war.

Contract. There is a finite set of deals, given by two arrays of shape ``(n_deals,)``: the
proposer's utility ``u_proposer`` and the informed party's utility ``u_informed`` of each deal.
War gives the proposer ``war_proposer`` (its expected war payoff net of its own cost, known to
both) and the informed party ``war_informed - c``, where ``c`` is the informed party's cost of
war, known to it alone; the proposer knows its distribution, given as

* samples: a number (a point mass, i.e. complete information) or a one-dimensional array (the
  empirical distribution, every sample equally likely);
* a frozen ``scipy.stats`` distribution (anything with an ``sf`` method, continuous or
  discrete; one with a ``partial_mean(t)`` method, ``E[c; c < t]``, also gets the informed
  side's expected utility);
* a CDF callable ``F(t) = P(c <= t)``, called on an array of thresholds (or element by element
  if it does not take arrays).

The informed party accepts a deal when it is worth at least war to it,
``u_informed >= war_informed - c`` (when indifferent it accepts), so a deal is accepted with
probability ``P = P(c >= war_informed - u_informed)``, computed for every deal at once by
:func:`acceptance_probability`. The proposer makes the offer maximising its expected utility
``P * u_proposer + (1 - P) * war_proposer`` (:func:`risk_return_offer`): a better deal for
itself at a higher risk of war. Deals whose expected utilities lie within ``tol`` (relative to
the proposer's largest absolute utility or war value) of the best tie; ties go to the higher
acceptance probability, then to the lower index. Both sides' scales are
:func:`dealsim.solvers.pareto.tolerance_scale` (at least 1e-300, never replaced by 1), so
multiplying every utility, war value and cost by the same positive number gives the same offer.
A caller that judges the offer against other results passes their common ``scale``: the war
analysis (:mod:`dealsim.analysis.war`) passes the zone's, with which it decides which deals
both sides prefer to war, so that a point-mass cost gives exactly that complete-information
answer.

The acceptance probability is the model's: ``P(c >= war_informed - u_informed)`` at the exact
threshold. A continuous cost (a ``scipy.stats`` distribution without a ``pmf``, a CDF callable)
is evaluated there, so that ``tol`` does not shift a closed-form probability (a cost uniform on
[0, 0.4] and a threshold at 0.15 give exactly 0.625, at any utility scale); ``tol`` times the
informed party's utility scale only decides ties. A threshold that close to the support's lower
end counts as at it (the offer is surely accepted: ``P(war)`` is 0, not the 2e-16 of a rounded
threshold), one that close to its upper end as at that end. Where the cost has atoms (samples,
a point mass, a discrete distribution with a ``pmf``) the threshold is lowered by that much, so
that an atom equal to it up to rounding (a deal worth exactly the war value) is accepted. The
informed side's expected utility uses the threshold its acceptance probability was evaluated
at. Give a cost with atoms as samples or a discrete distribution, not as a CDF callable: a
callable is taken to be continuous. With a point mass the answer is the complete-information
one: the proposer's best deal among those the informed party accepts (when that beats war for
the proposer), and no war.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from dealsim._results import ResultMixin
from dealsim._validate import as_float, check_tol
from dealsim.errors import SolverError
from dealsim.solvers.pareto import tolerance_scale

__all__ = [
    "RiskReturnOffer",
    "acceptance_probability",
    "risk_return_offer",
    "triangular_partial_mean",
]

# samples (a number or array_like), a frozen scipy.stats distribution, or a CDF callable
CostModel = ArrayLike | Callable[[np.ndarray], ArrayLike] | Any


@dataclass(frozen=True, eq=False)
class RiskReturnOffer(ResultMixin):
    """The proposer's optimal take-it-or-leave-it offer under the informed party's private cost.

    Attributes
    ----------
    method : str
        ``"take_it_or_leave_it"``.
    index : int
        The deal offered (an index into the utility arrays).
    offer : tuple of float
        Its utilities ``(u_proposer, u_informed)``.
    p_accept, p_war : float
        Probability that the offer is accepted, and that it is rejected (war).
    expected_utility : float
        The proposer's expected utility of the offer.
    informed_expected_utility : float or None
        The informed party's expected utility (over its cost: the deal when it accepts, war
        less its cost when it rejects); None when the cost is given as a CDF callable.
    war_values : tuple of float
        ``(war_proposer, war_informed)`` (the informed party's before its cost).
    p_accept_by_deal, expected_utility_by_deal : ndarray, shape (n_deals,)
        Every deal's acceptance probability and the proposer's expected utility of offering it.
    cost_model : {"point mass", "samples", "distribution", "cdf"}
    tol : float
    """

    method: str
    index: int
    offer: tuple[float, float]
    p_accept: float
    p_war: float
    expected_utility: float
    informed_expected_utility: float | None
    war_values: tuple[float, float]
    p_accept_by_deal: np.ndarray
    expected_utility_by_deal: np.ndarray
    cost_model: str
    tol: float


def _deals(name: str, value: ArrayLike) -> np.ndarray:
    arr = as_float(name, value)
    if arr.ndim != 1 or arr.size == 0:
        raise SolverError(
            f"{name} must be a one-dimensional array with one utility per deal (at least one), "
            f"got shape {arr.shape}"
        )
    return arr


def _scalar(name: str, value: Any) -> float:
    arr = as_float(name, value)
    if arr.ndim != 0:
        raise SolverError(f"{name} must be a single number, got shape {arr.shape}")
    return float(arr)


def _cost_model(cost: Any) -> tuple[str, Any]:
    """Classify and validate the cost: ("point mass" | "samples", sorted array), or the object."""
    if hasattr(cost, "sf") and callable(cost.sf):
        return "distribution", cost
    if callable(cost):
        return "cdf", cost
    try:
        samples = np.asarray(cost, dtype=float)
    except (TypeError, ValueError):
        raise SolverError(
            "cost must be samples (a number or a one-dimensional array), a frozen scipy.stats "
            f"distribution or a CDF callable, got {type(cost).__name__}"
        ) from None
    if samples.ndim > 1 or samples.size == 0:
        raise SolverError(
            f"cost samples must be a number or a non-empty one-dimensional array, got shape "
            f"{samples.shape}"
        )
    if not np.isfinite(samples).all():
        raise SolverError("cost samples must be finite numbers (no NaN or infinity)")
    samples = np.sort(samples.ravel())
    return ("point mass" if samples[0] == samples[-1] else "samples"), samples


def _survival(kind: str, model: Any, thresholds: np.ndarray) -> np.ndarray:
    """``P(c >= t)`` for every threshold (``P(c > t)`` for a distribution or a CDF)."""
    if kind in ("point mass", "samples"):
        below = np.searchsorted(model, thresholds, side="left")
        return (model.size - below) / model.size
    if kind == "distribution":
        p = np.asarray(model.sf(thresholds), dtype=float)
        what = "the cost distribution's sf"
    else:
        try:
            p = 1.0 - np.asarray(model(thresholds), dtype=float)
            if p.shape != thresholds.shape:
                raise ValueError
        except (TypeError, ValueError):
            p = 1.0 - np.array([float(model(float(t))) for t in thresholds])
        what = "the cost CDF"
    if not (np.isfinite(p).all() and (p >= -1e-12).all() and (p <= 1 + 1e-12).all()):
        raise SolverError(f"{what} must return probabilities in [0, 1], got {p[:5]!r}")
    return np.clip(p, 0.0, 1.0)


def _acceptance(
    kind: str,
    model: Any,
    u_informed: np.ndarray,
    war_informed: float,
    tol: float,
    scale: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each deal's acceptance threshold on the cost and ``P(c >= threshold)``.

    The model's threshold is ``war_informed - u_informed``; ``delta``, ``tol`` times ``scale``
    (by default the informed side's utility scale), only decides ties. Where the cost has atoms
    (samples, a point mass, a distribution with a ``pmf``) the threshold is lowered by
    ``delta``, so that an atom equal to it up to rounding accepts (the indifferent side
    accepts). A continuous cost is evaluated at the exact threshold, except that a threshold
    within ``delta`` of its support's lower end counts as at it (sure acceptance, not a
    ``P(war)`` of 2e-16 from a rounded threshold) and one within ``delta`` of its upper end as
    at that end (sure war); the threshold returned is the one evaluated, for the informed side's
    expected utility.
    """
    exact = war_informed - u_informed
    delta = tol * tolerance_scale(u_informed, war_informed, scale=scale)
    if kind in ("point mass", "samples") or (kind == "distribution" and hasattr(model, "pmf")):
        thresholds = exact - delta
        return thresholds, _survival(kind, model, thresholds)
    p = _survival(kind, model, exact)  # P(c >= t) is continuous in t
    inside = np.flatnonzero((p > 0.0) & (p < 1.0))
    if inside.size == 0 or delta == 0.0:
        return exact, p
    t = exact[inside]
    edges = _survival(kind, model, np.concatenate([t - delta, t + delta]))
    low = edges[: inside.size] >= 1.0  # the support's lower end is within delta below t
    high = ~low & (edges[inside.size :] <= 0.0)  # its upper end within delta above t
    thresholds = exact.copy()
    thresholds[inside[low]] = t[low] - delta
    thresholds[inside[high]] = t[high] + delta
    p[inside[low]] = 1.0
    p[inside[high]] = 0.0
    return thresholds, p


def acceptance_probability(
    u_informed: ArrayLike,
    war_informed: float,
    cost: CostModel,
    *,
    tol: float = 1e-12,
    scale: float | None = None,
) -> np.ndarray:
    """Probability that the informed party accepts each deal: ``P(c >= war_informed - u)``.

    Parameters
    ----------
    u_informed : array_like of float, shape (n_deals,)
        The informed party's utility of each deal.
    war_informed : float
        Its war value before its cost of war ``c``.
    cost : number, array_like, frozen scipy.stats distribution or callable
        The distribution of ``c``: samples (a number is a point mass), a distribution with an
        ``sf`` method, or a CDF ``F(t) = P(c <= t)``.
    tol : float, default 1e-12
        Relative to the informed party's largest absolute utility or war value (at least
        1e-300: :func:`dealsim.solvers.pareto.tolerance_scale`); it only decides ties. Where
        the cost has atoms (samples, a point mass, a discrete distribution), an atom within this
        of a deal's threshold accepts; a continuous cost is evaluated at the exact threshold,
        which counts as at an end of the cost's support when within this of it.
    scale : float, optional
        The scale ``tol`` multiplies instead (finite, > 0): the utilities' scale of a caller
        that judges other results with it (the war analysis passes the zone's).

    Returns
    -------
    ndarray of float, shape (n_deals,)

    Raises
    ------
    SolverError
        Naming the argument that is not of the allowed form.

    Examples
    --------
    A unit split with B's share ``x``; B's war value 0.5 less a cost uniform on [0, 0.4]:

    >>> from scipy import stats
    >>> acceptance_probability([0.1, 0.3, 0.5], 0.5, stats.uniform(0, 0.4)).round(6).tolist()
    [0.0, 0.5, 1.0]
    >>> acceptance_probability([0.1, 0.3, 0.5], 0.5, 0.2).tolist()
    [0.0, 1.0, 1.0]

    A deal worth 5e-7 less than war at the cost known to be 0.2 is refused on B's own scale
    (0.5), and accepted as a tie on a scale of 1000 (tolerance 1e-6):

    >>> acceptance_probability([0.3 - 5e-7], 0.5, 0.2, tol=1e-9).tolist()
    [0.0]
    >>> acceptance_probability([0.3 - 5e-7], 0.5, 0.2, tol=1e-9, scale=1e3).tolist()
    [1.0]
    """
    u = _deals("u_informed", u_informed)
    w = _scalar("war_informed", war_informed)
    tol = check_tol(tol)
    scale = None if scale is None else tolerance_scale(scale=scale)
    kind, model = _cost_model(cost)
    return _acceptance(kind, model, u, w, tol, scale)[1]


def risk_return_offer(
    u_proposer: ArrayLike,
    u_informed: ArrayLike,
    war_proposer: float,
    war_informed: float,
    cost: CostModel,
    *,
    tol: float = 1e-12,
    scale: float | None = None,
) -> RiskReturnOffer:
    """The proposer's optimal take-it-or-leave-it offer when the other side's cost is private.

    Maximises ``P(accept | deal) * u_proposer + (1 - P(accept | deal)) * war_proposer`` over
    the deals, with ``P(accept | deal) = P(c >= war_informed - u_informed)``.

    Parameters
    ----------
    u_proposer, u_informed : array_like of float, shape (n_deals,)
        Each deal's utility for the proposer and for the informed party.
    war_proposer : float
        The proposer's expected utility of war (its own cost included).
    war_informed : float
        The informed party's utility of war before its private cost ``c``.
    cost : number, array_like, frozen scipy.stats distribution or callable
        The distribution of ``c`` (see :func:`acceptance_probability`).
    tol : float, default 1e-12
        Relative tolerance for ties between offers and, where the cost has atoms, for
        acceptance at indifference (see :func:`acceptance_probability`).
    scale : float, optional
        One scale (finite, > 0) for both tolerances, instead of each side's largest absolute
        utility or war value: that of a caller judging other results with it. The war analysis
        passes the zone's (``ZoneComputation.scale``), with which it decides the deals both
        sides prefer to war, so that a point-mass cost gives exactly that answer.

    Returns
    -------
    RiskReturnOffer

    Raises
    ------
    SolverError
        Naming the argument: utilities not one-dimensional or of different lengths, values not
        finite, a cost that is not samples, a distribution or a CDF.

    References
    ----------
    .. [1] J. D. Fearon, "Rationalist explanations for war", International Organization 49(3),
       379–414, 1995.

    Examples
    --------
    A splits a unit with B; A wins a war with probability 0.5 at a cost 0.1 (war is worth 0.4
    to A) and B's cost is uniform on [0, 0.4]. A offers B 0.35 and accepts a 37.5% risk of war:

    >>> from scipy import stats
    >>> x = np.linspace(0, 1, 1001)  # B's share
    >>> r = risk_return_offer(1 - x, x, 0.4, 0.5, stats.uniform(0, 0.4))
    >>> round(float(x[r.index]), 6), round(r.p_war, 6), round(r.expected_utility, 6)
    (0.35, 0.375, 0.55625)

    With the cost known to be 0.2 (a point mass), A offers B exactly its war value, 0.3, and
    there is no war:

    >>> r = risk_return_offer(1 - x, x, 0.4, 0.5, 0.2)
    >>> round(float(x[r.index]), 6), r.p_war
    (0.3, 0.0)
    """
    ua = _deals("u_proposer", u_proposer)
    ub = _deals("u_informed", u_informed)
    if ua.shape != ub.shape:
        raise SolverError(
            f"u_proposer and u_informed must give one utility per deal each; got {ua.size} and "
            f"{ub.size} deals"
        )
    wa = _scalar("war_proposer", war_proposer)
    wb = _scalar("war_informed", war_informed)
    tol = check_tol(tol)
    scale = None if scale is None else tolerance_scale(scale=scale)
    kind, model = _cost_model(cost)
    return _kernel(ua, ub, wa, wb, kind, model, tol, scale)


def _kernel(
    ua: np.ndarray,
    ub: np.ndarray,
    wa: float,
    wb: float,
    kind: str,
    model: Any,
    tol: float,
    scale: float | None = None,
) -> RiskReturnOffer:
    thresholds, p = _acceptance(kind, model, ub, wb, tol, scale)
    expected = p * ua + (1.0 - p) * wa
    best = float(expected.max())
    scale = tolerance_scale(ua, wa, scale=scale)
    tied = np.flatnonzero(expected >= best - tol * scale)
    top = tied[p[tied] >= p[tied].max()]  # most likely accepted among the ties
    i = int(top[0])
    return RiskReturnOffer(
        method="take_it_or_leave_it",
        index=i,
        offer=(float(ua[i]), float(ub[i])),
        p_accept=float(p[i]),
        p_war=float(1.0 - p[i]),
        expected_utility=float(expected[i]),
        informed_expected_utility=_informed_value(
            kind, model, float(p[i]), ub[i], wb, thresholds[i]
        ),
        war_values=(wa, wb),
        p_accept_by_deal=p,
        expected_utility_by_deal=expected,
        cost_model=kind,
        tol=tol,
    )


def _informed_value(
    kind: str, model: Any, p: float, u: float, war: float, threshold: float
) -> float | None:
    """``P u + (1 - P) war - E[c; c < threshold]``: the informed side's ex-ante value."""
    if kind in ("point mass", "samples"):
        partial = float(np.where(model < threshold, model, 0.0).sum()) / model.size
    elif kind == "distribution" and (hasattr(model, "partial_mean") or hasattr(model, "expect")):
        partial = 0.0 if p >= 1.0 else _partial_mean(model, threshold)
    else:
        return None
    return float(p * u + (1.0 - p) * war - partial)


def _partial_mean(model: Any, threshold: float) -> float:
    """``E[c; c < threshold]``: the model's own ``partial_mean``, exact for a frozen scipy
    triangular (:func:`triangular_partial_mean`), by the distribution's quadrature (``expect``)
    else."""
    if hasattr(model, "partial_mean"):
        return float(model.partial_mean(threshold))
    dist = getattr(model, "dist", None)
    if getattr(dist, "name", None) == "triang":
        shapes, loc, scale = dist._parse_args(*model.args, **model.kwds)
        return triangular_partial_mean(float(shapes[0]), float(loc), float(scale), threshold)
    return float(model.expect(lambda c: c, ub=threshold))


def triangular_partial_mean(c: float, loc: float, scale: float, threshold: float) -> float:
    """``E[C; C < threshold]`` for ``C = loc + scale X``, ``X`` triangular on [0, 1], mode ``c``.

    ``X`` has density ``2x/c`` below the mode and ``2(1 - x)/(1 - c)`` above it, so with
    ``x = (threshold - loc) / scale`` clipped to [0, 1]: ``P(X < x) = x^2/c`` and
    ``E[X; X < x] = 2x^3/(3c)`` for ``x <= c``; above the mode ``P(X < x) = 1 - (1 - x)^2/(1 - c)``
    and ``E[X; X < x] = 2c^2/3 + 2((x^2 - c^2)/2 - (x^3 - c^3)/3)/(1 - c)``. Then
    ``E[C; C < threshold] = loc P(X < x) + scale E[X; X < x]``.

    Examples
    --------
    The whole distribution gives the mean ``(a + m + b) / 3``; the mode splits a symmetric one
    in half:

    >>> round(triangular_partial_mean(0.3, 1.0, 2.0, 10.0), 15), (1.0 + 1.6 + 3.0) / 3
    (1.866666666666667, 1.8666666666666665)
    >>> triangular_partial_mean(0.5, 0.0, 1.0, 0.5), triangular_partial_mean(0.5, 0.0, 1.0, -1.0)
    (0.16666666666666666, 0.0)
    """
    x = min(max((threshold - loc) / scale, 0.0), 1.0)
    if x <= c and c > 0.0:
        below, first = x * x / c, 2.0 * x**3 / (3.0 * c)
    else:
        below = 1.0 - (1.0 - x) ** 2 / (1.0 - c)
        first = 2.0 * c * c / 3.0 + 2.0 * ((x * x - c * c) / 2.0 - (x**3 - c**3) / 3.0) / (1.0 - c)
    return float(loc * below + scale * first)
