"""War as a costly lottery (Fearon) and the commitment problem of shifting power (Powell).

All functions are vectorised: parameters broadcast against each other, so a sweep over win
probabilities or costs, or one value per deal, is a single call.

Costs are shares of the stake
-----------------------------
Every cost here is the declining side's cost of war *as a share of the stake*: the prize is 1
(per period in the commitment models), and a scenario's cost in utility units is divided by the
party's ``win - lose``. Fearon's range and Powell's condition use this same ``c``.

The commitment problem: Powell's infinite-horizon model (the default, ``model="infinite_horizon"``)
--------------------------------------------------------------------------------------------------
Powell (2006): a stake worth 1 per period, discount factor ``delta``; war is a costly lottery
that settles the stake for ever, costing the declining side D ``c`` per period (fighting on is
worth ``(1 - p - c) / (1 - delta)`` to D when the rising side R wins with probability ``p``).
A deal's concession raises R's win probability from ``p1`` to ``p2`` from the next period on.
After the shift R can hold D to its war value ``(1 - p2 - c) / (1 - delta)``; the most R can
promise now is the whole current stake, so D's best peace is ``1 + delta (1 - p2 - c) / (1 -
delta)``. D fights now iff that is below its war value now, ``(1 - p1 - c) / (1 - delta)``::

    delta (p2 - p1) > (1 - delta) (p1 + c)

and the largest shift a deal survives is ``(1 - delta)(p1 + c) / delta``. It shrinks as
``delta -> 1``: patient states fight over small shifts.

The two-period truncation (``model="two_period"``)
--------------------------------------------------
The stake is divided in two periods only and war costs ``c`` once. D's best peace is
``1 + delta (1 - p2 - c)``, fighting now is worth ``(1 + delta)(1 - p1) - c``, so D fights iff
``delta (p2 - p1) > p1 + (1 - delta) c`` — a much weaker condition, kept for comparison.

References
----------
The entries are in ``docs/references.bib``: Fearon (1995) ``fearon1995``; Powell (2006)
``powell2006``.

"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim._results import ResultMixin
from dealsim._validate import (
    check_discount,
    check_nonnegative,
    check_probability,
    scalar_or_array,
)
from dealsim.errors import SolverError

__all__ = [
    "COMMITMENT_MODELS",
    "BargainingRange",
    "CommitmentResult",
    "bargaining_range",
    "commitment_problem",
    "largest_survivable_shift",
    "prefers_war_now",
    "war_values",
]


COMMITMENT_MODELS = {
    "infinite_horizon": "Powell (2006) infinite-horizon commitment problem",
    "two_period": "two-period truncation of Powell's (2006) commitment problem",
}
"""The commitment models, with the name the text output gives each."""


def _check_model(model: str) -> str:
    if model not in COMMITMENT_MODELS:
        raise SolverError(
            f"model must be one of {', '.join(map(repr, COMMITMENT_MODELS))}, got {model!r}"
        )
    return model


def _cost(name: str, value: ArrayLike) -> NDArray[np.float64]:
    return check_nonnegative(name, value, "a cost of war")


def war_values(
    p: ArrayLike, costs: ArrayLike, *, prize: float = 1.0, tol: float = 1e-9
) -> NDArray[np.float64]:
    """Expected value of war for each party: ``p_i * prize - c_i``.

    With two parties and a unit prize this is Fearon's ``(p - cA, 1 - p - cB)``. With ``n``
    parties the war is a lottery in which exactly one party wins the whole prize, so the win
    probabilities must sum to 1 along the last axis.

    Parameters
    ----------
    p : array_like
        ``(..., n_parties)`` win probabilities summing to 1 along the last axis.
    costs : array_like
        Costs of war (>= 0), broadcast against ``p``.
    prize : float
        Value of winning (> 0).
    tol : float
        Tolerance on the sum of ``p``.

    Returns
    -------
    ndarray
        ``(..., n_parties)`` war values (usable as a disagreement point).

    Examples
    --------
    >>> war_values([0.6, 0.4], [0.15, 0.10])
    array([0.45, 0.3 ])
    """
    pp = check_probability("p", p)
    if pp.ndim == 0 or not np.allclose(pp.sum(axis=-1), 1.0, rtol=0.0, atol=tol):
        raise SolverError(f"p must be win probabilities summing to 1 (one per party), got {p!r}")
    c = _cost("costs", costs)
    if not prize > 0:
        raise SolverError(f"prize must be > 0, got {prize!r}")
    try:
        return pp * prize - c
    except ValueError as exc:
        raise SolverError(f"costs of shape {c.shape} do not match p of shape {pp.shape}") from exc


@dataclass(frozen=True)
class BargainingRange(ResultMixin):
    """Fearon's bargaining range for A's share ``x`` of a unit good.

    Attributes
    ----------
    lo, hi : float or ndarray
        The range ``[max(p - cA, 0), min(p + cB, 1)]`` of A's shares that both sides weakly
        prefer to war.
    exists : bool or ndarray
        ``lo <= hi`` (within ``tol``); always true for non-negative costs.
    method : str
    parameters : dict
    """

    lo: Any
    hi: Any
    exists: Any
    method: str = "fearon"
    parameters: dict[str, Any] = field(default_factory=dict)

    def contains(self, x: ArrayLike, *, tol: float = 1e-12) -> NDArray[np.bool_]:
        """Mask of A's shares ``x`` inside the range (both prefer the deal to war).

        Examples
        --------
        >>> bargaining_range(0.6, 0.15, 0.10).contains([0.4, 0.5, 0.7, 0.75])
        array([False,  True,  True, False])
        """
        xx = np.asarray(x, dtype=float)
        return (xx >= np.asarray(self.lo) - tol) & (xx <= np.asarray(self.hi) + tol)


def bargaining_range(
    p: ArrayLike, c_a: ArrayLike, c_b: ArrayLike, *, tol: float = 1e-12
) -> BargainingRange:
    """Range of A's shares that both sides prefer to war (Fearon 1995).

    War gives A ``p - cA`` and B ``1 - p - cB``; A prefers a share ``x`` iff ``x >= p - cA`` and B
    iff ``1 - x >= 1 - p - cB``. Shares are clipped to [0, 1].

    Parameters
    ----------
    p : array_like
        A's probability of winning, in [0, 1].
    c_a, c_b : array_like
        Costs of war (>= 0) to A and B, as shares of the good.
    tol : float
        Tolerance of the ``exists`` comparison.

    Returns
    -------
    BargainingRange

    References
    ----------
    Fearon (1995) ``fearon1995`` (``docs/references.bib``).

    Examples
    --------
    >>> r = bargaining_range(0.6, 0.15, 0.10)
    >>> round(r.lo, 12), round(r.hi, 12), r.exists
    (0.45, 0.7, True)
    """
    pp = check_probability("p", p)
    a = _cost("c_a", c_a)
    b = _cost("c_b", c_b)
    lo = np.maximum(pp - a, 0.0)
    hi = np.minimum(pp + b, 1.0)
    return BargainingRange(
        lo=scalar_or_array(lo),
        hi=scalar_or_array(hi),
        exists=scalar_or_array(lo <= hi + tol),
        parameters={
            "p": scalar_or_array(pp),
            "c_a": scalar_or_array(a),
            "c_b": scalar_or_array(b),
            "tol": tol,
        },
    )


def _war_margin(p1, p2, delta, c, model="infinite_horizon"):
    # > 0: the declining side fights now; see the module docstring for the derivations.
    if model == "two_period":
        return delta * (p2 - p1) - p1 - (1.0 - delta) * c
    return delta * (p2 - p1) - (1.0 - delta) * (p1 + c)


def _survivable(p1, delta, c, model="infinite_horizon"):
    if model == "two_period":
        return (p1 + (1.0 - delta) * c) / delta
    return (1.0 - delta) * (p1 + c) / delta


def prefers_war_now(
    p1: ArrayLike,
    p2: ArrayLike,
    delta: ArrayLike,
    c: ArrayLike,
    *,
    model: str = "infinite_horizon",
    tol: float = 1e-12,
) -> Any:
    """Whether the side facing a power shift fights now (Powell's commitment problem).

    Infinite horizon (default): true iff ``delta (p2 - p1) > (1 - delta)(p1 + c)`` (beyond
    ``tol``); two-period truncation: ``delta (p2 - p1) > p1 + (1 - delta) c``. ``p1``/``p2`` are
    the *rising* side's win probabilities now and after the shift, ``delta`` the discount factor
    and ``c`` the declining side's cost of war as a share of the (per-period) stake. The
    derivations are in the module docstring.

    Parameters
    ----------
    p1, p2 : array_like
        Rising side's win probability now and after the shift, in [0, 1].
    delta : array_like
        Discount factor in (0, 1].
    c : array_like
        Declining side's cost of war as a share of the stake (>= 0).
    model : {"infinite_horizon", "two_period"}
        Powell's infinite-horizon model, or its two-period truncation.
    tol : float
        Ties (equality within ``tol``) count as peace.

    Returns
    -------
    bool or ndarray of bool

    References
    ----------
    Powell (2006), ``powell2006`` in ``docs/references.bib``.

    Examples
    --------
    With ``delta = 0.9``, ``p1 = 0.3``, ``c = 0.05`` the infinite-horizon model tolerates a shift
    of ``0.1 * 0.35 / 0.9 = 0.0389`` only; the two-period truncation tolerates 0.3389:

    >>> prefers_war_now(0.3, [0.33, 0.35, 0.6], 0.9, 0.05)
    array([False,  True,  True])
    >>> prefers_war_now(0.3, [0.35, 0.6, 0.8], 0.9, 0.05, model="two_period")
    array([False, False,  True])
    """
    return scalar_or_array(
        _war_margin(
            check_probability("p1", p1),
            check_probability("p2", p2),
            check_discount("delta", delta),
            _cost("c", c),
            _check_model(model),
        )
        > tol
    )


def largest_survivable_shift(
    p1: ArrayLike, delta: ArrayLike, c: ArrayLike, *, model: str = "infinite_horizon"
) -> Any:
    """Largest shift ``p2 - p1`` a deal survives: ``(1 - delta)(p1 + c) / delta``.

    That is Powell's infinite-horizon bound; the two-period truncation gives
    ``(p1 + (1 - delta) c) / delta``. Values ``>= 1 - p1`` mean that every feasible shift is
    survivable.

    Parameters
    ----------
    p1 : array_like
        Rising side's win probability now, in [0, 1].
    delta : array_like
        Discount factor in (0, 1].
    c : array_like
        Declining side's cost of war as a share of the stake (>= 0).
    model : {"infinite_horizon", "two_period"}
        Powell's infinite-horizon model, or its two-period truncation.

    Returns
    -------
    float or ndarray

    References
    ----------
    Powell (2006), ``powell2006`` in ``docs/references.bib``.

    Examples
    --------
    >>> largest_survivable_shift(0.3, 0.9, 0.05)  # 0.1 * 0.35 / 0.9
    0.03888...
    >>> largest_survivable_shift(0.3, 0.9, 0.05, model="two_period")  # 0.305 / 0.9
    0.33888...
    """
    pp = check_probability("p1", p1)
    d = check_discount("delta", delta)
    return scalar_or_array(_survivable(pp, d, _cost("c", c), _check_model(model)))


@dataclass(frozen=True)
class CommitmentResult(ResultMixin):
    """Per-deal outcome of the commitment problem.

    Attributes
    ----------
    p2 : ndarray
        Rising side's win probability after each deal (after any cap).
    shift : ndarray
        Effective shift ``p2 - p1`` per deal.
    war : ndarray of bool
        Deals the declining side would rather fight than accept.
    margin : ndarray
        ``delta (p2 - p1) - (1 - delta)(p1 + c)`` (two-period: ``delta (p2 - p1) - p1 -
        (1 - delta) c``); war iff ``> tol``.
    survivable_shift : float or ndarray
        :func:`largest_survivable_shift` for the parameters.
    method : str
    parameters : dict
    """

    p2: NDArray[np.float64]
    shift: NDArray[np.float64]
    war: NDArray[np.bool_]
    margin: NDArray[np.float64]
    survivable_shift: Any
    method: str = "powell/infinite_horizon"
    parameters: dict[str, Any] = field(default_factory=dict)


def commitment_problem(
    p1: ArrayLike,
    p2: ArrayLike,
    *,
    delta: ArrayLike,
    cost: ArrayLike,
    cap: ArrayLike | None = None,
    model: str = "infinite_horizon",
    tol: float = 1e-12,
) -> CommitmentResult:
    """Which deals leave the declining side preferring war now (vectorised over deals).

    Each deal moves the rising side's win probability from ``p1`` to ``p2`` (e.g. ceding a
    defensive line raises it by ``s``: pass ``p2 = p1 + s``). A guarantee that limits the shift
    (a neutral force, a demilitarised zone) is a per-deal ``cap`` on ``p2 - p1``:
    the effective ``p2`` is ``p1 + min(p2 - p1, cap)``. The war test is
    :func:`prefers_war_now`.

    Parameters
    ----------
    p1 : array_like
        Rising side's win probability now, in [0, 1] (scalar or per deal).
    p2 : array_like
        Per-deal win probability after the deal, in [0, 1].
    delta : array_like
        Discount factor in (0, 1].
    cost : array_like
        Declining side's cost of war as a share of the stake (>= 0).
    cap : array_like, optional
        Per-deal (or scalar) maximum shift (>= 0); ``np.inf`` or None for no cap.
    model : {"infinite_horizon", "two_period"}
        Powell's infinite-horizon model (default), or its two-period truncation.
    tol : float
        Ties count as peace.

    Returns
    -------
    CommitmentResult

    References
    ----------
    Powell (2006), ``powell2006`` in ``docs/references.bib``.

    Examples
    --------
    Ceding the line (shift 0.5) means war unless a neutral force caps the shift at 0.02, below
    the survivable ``0.1 * 0.35 / 0.9 = 0.0389``:

    >>> res = commitment_problem(0.3, [0.8, 0.8, 0.32], delta=0.9, cost=0.05,
    ...                          cap=[np.inf, 0.02, np.inf])
    >>> res.war
    array([ True, False, False])
    >>> res.p2
    array([0.8 , 0.32, 0.32])
    """
    a = check_probability("p1", p1)
    b = check_probability("p2", p2)
    d = check_discount("delta", delta)
    c = _cost("cost", cost)
    model = _check_model(model)
    shift = b - a
    if cap is not None:
        cp = np.asarray(cap, dtype=float)
        if np.any(np.isnan(cp)) or np.any(cp < 0):
            raise SolverError(f"cap must be >= 0 (np.inf for no cap), got {cap!r}")
        shift = np.minimum(shift, cp)
    margin = _war_margin(a, a + shift, d, c, model)
    return CommitmentResult(
        p2=np.atleast_1d(a + shift),
        shift=np.atleast_1d(shift),
        war=np.atleast_1d(margin > tol),
        margin=np.atleast_1d(margin),
        survivable_shift=scalar_or_array(_survivable(a, d, c, model)),
        method=f"powell/{model}",
        parameters={
            "model": model,
            "p1": scalar_or_array(a),
            "delta": scalar_or_array(d),
            "cost": scalar_or_array(c),
            "cap": cap,
            "tol": tol,
        },
    )
