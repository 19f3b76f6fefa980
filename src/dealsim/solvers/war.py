"""War as a costly lottery (Fearon) and the commitment problem of shifting power (Powell).

All functions are vectorised: parameters broadcast against each other, so a sweep over win
probabilities or costs, or one value per deal, is a single call.

The commitment model (two periods, derived; see :func:`prefers_war_now`)
-----------------------------------------------------------------------
A prize worth 1 per period is divided in periods 1 and 2; period 2 is discounted by ``delta``.
A war is a lottery deciding the prize for every remaining period, at a one-time cost ``c`` to the
*declining* side D. The rising side R wins a war fought in period 1 with probability ``p1`` and
one fought in period 2 with probability ``p2 > p1`` (a deal's concession, such as ceding a
fortified line, is what raises ``p``).

* Period 2 (last): R, now stronger, can demand everything above D's war value, so D gets
  ``1 - p2 - c``.
* Period 1: the best peace D can hope for is to keep the whole period-1 prize (R, which gains by
  waiting, accepts 0 now). D's best peace is therefore ``1 + delta (1 - p2 - c)``.
* Fighting now gives D ``(1 + delta)(1 - p1) - c``.

D fights now iff ``(1 + delta)(1 - p1) - c > 1 + delta (1 - p2 - c)``, i.e.
``delta (p2 - p1) > p1 + (1 - delta) c``. R cannot commit to keep paying D after the shift, so
even the most generous period-1 offer cannot buy peace when the shift is large. Since this is
the best case for peace, war in this model means no deal of this kind is self-enforcing.
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
    "BargainingRange",
    "CommitmentResult",
    "bargaining_range",
    "commitment_problem",
    "largest_survivable_shift",
    "prefers_war_now",
    "war_values",
]


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


def _war_margin(p1, p2, delta, c):
    # > 0: the declining side fights now; see the module docstring for the derivation.
    return delta * (p2 - p1) - p1 - (1.0 - delta) * c


def prefers_war_now(
    p1: ArrayLike, p2: ArrayLike, delta: ArrayLike, c: ArrayLike, *, tol: float = 1e-12
) -> Any:
    """Whether the side facing a power shift fights now (two-period commitment problem).

    True iff ``delta (p2 - p1) > p1 + (1 - delta) c`` (beyond ``tol``), where ``p1``/``p2`` are
    the *rising* side's win probabilities now and after the shift, ``delta`` the discount factor
    and ``c`` the declining side's cost of war. The derivation is in the module docstring.

    Parameters
    ----------
    p1, p2 : array_like
        Rising side's win probability now and after the shift, in [0, 1].
    delta : array_like
        Discount factor in (0, 1].
    c : array_like
        Declining side's cost of war (>= 0).
    tol : float
        Ties (equality within ``tol``) count as peace.

    Returns
    -------
    bool or ndarray of bool

    Examples
    --------
    >>> prefers_war_now(0.3, [0.8, 0.6], 0.9, 0.05)
    array([ True, False])
    """
    return scalar_or_array(
        _war_margin(
            check_probability("p1", p1),
            check_probability("p2", p2),
            check_discount("delta", delta),
            _cost("c", c),
        )
        > tol
    )


def largest_survivable_shift(p1: ArrayLike, delta: ArrayLike, c: ArrayLike) -> Any:
    """Largest shift ``p2 - p1`` a deal survives: ``(p1 + (1 - delta) c) / delta``.

    Values ``>= 1 - p1`` mean that every feasible shift is survivable.

    Parameters
    ----------
    p1 : array_like
        Rising side's win probability now, in [0, 1].
    delta : array_like
        Discount factor in (0, 1].
    c : array_like
        Declining side's cost of war (>= 0).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> largest_survivable_shift(0.3, 0.9, 0.05)  # 0.305 / 0.9
    0.33888...
    """
    pp = check_probability("p1", p1)
    d = check_discount("delta", delta)
    return scalar_or_array((pp + (1.0 - d) * _cost("c", c)) / d)


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
        ``delta (p2 - p1) - p1 - (1 - delta) c``; war iff ``> tol``.
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
    method: str = "powell/two_period"
    parameters: dict[str, Any] = field(default_factory=dict)


def commitment_problem(
    p1: ArrayLike,
    p2: ArrayLike,
    *,
    delta: ArrayLike,
    cost: ArrayLike,
    cap: ArrayLike | None = None,
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
        Declining side's cost of war (>= 0).
    cap : array_like, optional
        Per-deal (or scalar) maximum shift (>= 0); ``np.inf`` or None for no cap.
    tol : float
        Ties count as peace.

    Returns
    -------
    CommitmentResult

    Examples
    --------
    Ceding the line (shift 0.5) means war unless a neutral force caps the shift at 0.2:

    >>> res = commitment_problem(0.3, [0.8, 0.8, 0.6], delta=0.9, cost=0.05,
    ...                          cap=[np.inf, 0.2, np.inf])
    >>> res.war
    array([ True, False, False])
    >>> res.p2
    array([0.8, 0.5, 0.6])
    """
    a = check_probability("p1", p1)
    b = check_probability("p2", p2)
    d = check_discount("delta", delta)
    c = _cost("cost", cost)
    shift = b - a
    if cap is not None:
        cp = np.asarray(cap, dtype=float)
        if np.any(np.isnan(cp)) or np.any(cp < 0):
            raise SolverError(f"cap must be >= 0 (np.inf for no cap), got {cap!r}")
        shift = np.minimum(shift, cp)
    margin = _war_margin(a, a + shift, d, c)
    return CommitmentResult(
        p2=np.atleast_1d(a + shift),
        shift=np.atleast_1d(shift),
        war=np.atleast_1d(margin > tol),
        margin=np.atleast_1d(margin),
        survivable_shift=scalar_or_array((a + (1.0 - d) * c) / d),
        parameters={
            "p1": scalar_or_array(a),
            "delta": scalar_or_array(d),
            "cost": scalar_or_array(c),
            "cap": cap,
            "tol": tol,
        },
    )
