"""Alternating offers (Rubinstein): closed forms and finite-horizon backward induction.

Two kinds of function live here:

* closed forms for two parties splitting a unit surplus (:func:`rubinstein_share`,
  :func:`finite_horizon_share`, :func:`rubinstein_share_from_rates`, :func:`breakdown_share`,
  :func:`outside_option_share`), vectorised over numpy inputs;
* :func:`alternating_offers`, the subgame-perfect equilibrium of a finite-horizon alternating-offers
  game over a *finite* set of deals with any number of parties (unanimity), solved by backward
  induction with one masked argmax over the deals per round.

Timing convention of :func:`alternating_offers` (the "status quo continues" convention): while the
parties bargain the disagreement state goes on, so a deal with utilities ``u`` agreed in round ``t``
is worth ``d_i + delta_i**t (u_i - d_i) - t c_i`` to party ``i`` in round-0 terms; only the surplus
over the disagreement point is discounted. With ``d = 0`` this is Rubinstein's model, and as the
period length goes to zero the split tends to the Nash solution with disagreement point ``d`` and
weights ``1/r_i`` (see :func:`convergence_to_nash`; Binmore, Rubinstein & Wolinsky 1986). For two
parties bargaining over a frontier rather than a unit split, :func:`stationary_offers` gives the
infinite-horizon stationary equilibrium on the piecewise-linear frontier, the object of that
theorem.

With three or more parties under unanimity the infinite-horizon game has many subgame-perfect
equilibria (Osborne & Rubinstein 1990, §3.13): any division can be supported when the parties
are patient enough. :func:`alternating_offers` reports the one backward induction from a finite
horizon selects; over a finite deal set it need not converge to the Nash solution as the
period shrinks (van Damme, Selten & Winter 1990).

References
----------
In ``docs/references.bib``: ``rubinstein1982``, ``binmore1986``, ``osborne1990``,
``vandamme1990``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim._results import ResultMixin
from dealsim._validate import (
    as_float,
    check_discount,
    check_probability,
    check_rounds,
    scalar_or_array,
)
from dealsim.errors import SolverError
from dealsim.solvers.pareto import tolerance_scale

__all__ = [
    "AlternatingOffersResult",
    "NashConvergence",
    "alternating_offers",
    "breakdown_share",
    "convergence_to_nash",
    "finite_horizon_share",
    "outside_option_share",
    "rubinstein_share",
    "rubinstein_share_from_rates",
    "stationary_offers",
]


# --------------------------------------------------------------------------------------------
# closed forms
# --------------------------------------------------------------------------------------------


def rubinstein_share(d1: ArrayLike, d2: ArrayLike) -> float | NDArray[np.float64]:
    """Subgame-perfect share of the first proposer in Rubinstein's game.

    Two parties split a unit surplus by alternating offers, party 1 first, with discount factors
    ``d1`` and ``d2``; agreement is immediate and party 1 gets ``(1 - d2) / (1 - d1 d2)``.

    Parameters
    ----------
    d1, d2 : array_like
        Discount factors in (0, 1], broadcast against each other; ``d1 = d2 = 1`` is excluded
        (without impatience the share is undetermined).

    Returns
    -------
    float or ndarray
        The first proposer's share (a float for scalar inputs).

    Raises
    ------
    SolverError
        If a discount factor lies outside (0, 1] or both are 1.

    References
    ----------
    Rubinstein (1982) ``rubinstein1982`` (``docs/references.bib``).

    Examples
    --------
    >>> rubinstein_share(0.9, 0.8)  # 5/7
    0.714285...
    >>> rubinstein_share([0.9, 0.9], 0.9)  # 10/19 twice
    array([0.526..., 0.526...])
    """
    a = check_discount("d1", d1)
    b = check_discount("d2", d2)
    if np.any(np.isclose(a * b, 1.0, rtol=0.0, atol=1e-15)):
        raise SolverError(
            "d1 and d2 cannot both be 1: without impatience the share is undetermined"
        )
    return scalar_or_array(_rubinstein_kernel(a, b))


def _rubinstein_kernel(d1: NDArray[np.float64], d2: NDArray[np.float64]) -> NDArray[np.float64]:
    return (1.0 - d2) / (1.0 - d1 * d2)


def finite_horizon_share(
    d1: ArrayLike, d2: ArrayLike, rounds: int, first: int = 0
) -> float | NDArray[np.float64]:
    """Party 1's share in the finite-horizon alternating-offers game (backward induction).

    In the last round the proposer takes everything (the responder gets 0 by rejecting). One round
    earlier the proposer offers the responder exactly its discounted value of proposing next, and
    so on. As ``rounds`` grows the result converges to :func:`rubinstein_share` (for
    ``first=0``) or to ``1 - rubinstein_share(d2, d1)`` (for ``first=1``).

    Parameters
    ----------
    d1, d2 : array_like
        Discount factors in (0, 1], broadcast against each other.
    rounds : int
        Number of rounds (>= 1); after the last rejection both get 0.
    first : {0, 1}
        Index of the party proposing in round 0 (0 = party 1).

    Returns
    -------
    float or ndarray
        Party 1's (index 0) share of the immediately accepted offer.

    Examples
    --------
    >>> finite_horizon_share(0.9, 0.8, 1)
    1.0
    >>> finite_horizon_share(0.9, 0.8, 2)  # 1 - d2
    0.199...
    >>> round(finite_horizon_share(0.9, 0.8, 200), 12) == round(5 / 7, 12)
    True
    """
    a = check_discount("d1", d1)
    b = check_discount("d2", d2)
    rounds = check_rounds(rounds)
    if first not in (0, 1):
        raise SolverError(f"first must be 0 or 1 (the index of the first proposer), got {first!r}")
    a, b = np.broadcast_arrays(a, b)
    return scalar_or_array(_finite_horizon_kernel(a, b, rounds, first))


def _finite_horizon_kernel(
    d1: NDArray[np.float64], d2: NDArray[np.float64], rounds: int, first: int
) -> NDArray[np.float64]:
    # share[i] = party i's share when party i proposes, with `k` rounds left (k = 1: all).
    own = np.ones_like(d1)  # proposer's share with 1 round left
    proposer = (first + rounds - 1) % 2  # proposer of the last round
    for _ in range(rounds - 1):
        # one round earlier the other party proposes; its responder is the later proposer, who
        # accepts its discounted value of proposing next: `responder_discount * own`
        responder_discount = d1 if proposer == 0 else d2
        own = 1.0 - responder_discount * own
        proposer = 1 - proposer
    return own if proposer == 0 else 1.0 - own


def rubinstein_share_from_rates(
    r1: ArrayLike, r2: ArrayLike, period: ArrayLike
) -> float | NDArray[np.float64]:
    """First proposer's share with discount rates: ``d_i = exp(-r_i * period)``.

    As ``period -> 0`` the share tends to ``r2 / (r1 + r2)``, the Nash split weighted by ``1/r_i``.

    Parameters
    ----------
    r1, r2 : array_like
        Discount rates (>= 0, not both 0), per unit of time.
    period : array_like
        Time between offers (> 0).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> rubinstein_share_from_rates(0.05, 0.10, 1.0)
    0.68319...
    >>> rubinstein_share_from_rates(0.05, 0.10, [1.0, 0.1])
    array([0.68319..., 0.66833...])
    """
    ra = as_float("r1", r1)
    rb = as_float("r2", r2)
    dt = as_float("period", period)
    if np.any(ra < 0) or np.any(rb < 0):
        raise SolverError(f"discount rates must be >= 0, got r1={r1!r}, r2={r2!r}")
    if np.any(dt <= 0):
        raise SolverError(f"period must be > 0, got {period!r}")
    return rubinstein_share(np.exp(-ra * dt), np.exp(-rb * dt))


def breakdown_share(
    q: ArrayLike, b1: ArrayLike = 0.0, b2: ArrayLike = 0.0
) -> float | NDArray[np.float64]:
    """First proposer's share with a risk of breakdown instead of discounting.

    After each rejection negotiations break down with probability ``q`` and the parties get
    ``(b1, b2)``. The stationary equilibrium (derived: party 1 offers ``1 - x`` with
    ``1 - x = q b2 + (1 - q) y2`` and symmetrically for party 2) gives
    ``x = (1 - b2 + (1 - q) b1) / (2 - q)``. As ``q -> 0`` this tends to the Nash split
    ``(1 + b1 - b2) / 2`` with disagreement point ``(b1, b2)``; as ``q -> 1`` to ``1 - b2``
    (an ultimatum).

    Parameters
    ----------
    q : array_like
        Breakdown probability in (0, 1].
    b1, b2 : array_like
        Breakdown payoffs with ``b1 + b2 <= 1`` (there is something to share).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> breakdown_share(0.5)  # (1 + 0.5 * 0) / 1.5
    0.666...
    >>> breakdown_share(0.2, 0.3, 0.2)  # (1 - 0.2 + 0.8 * 0.3) / 1.8
    0.577...
    """
    qq = check_probability("q", q, low_open=True)
    a = as_float("b1", b1)
    b = as_float("b2", b2)
    if np.any(a + b > 1.0 + 1e-12):
        raise SolverError(f"breakdown payoffs must satisfy b1 + b2 <= 1, got b1={b1!r}, b2={b2!r}")
    return scalar_or_array((1.0 - b + (1.0 - qq) * a) / (2.0 - qq))


def outside_option_share(delta: ArrayLike, w2: ArrayLike) -> float | NDArray[np.float64]:
    """First proposer's share when the responder has an outside option ``w2`` (equal discounting).

    The outside-option principle (derived): the option binds only if it beats what the responder
    gets anyway, so ``x = 1/(1 + delta)`` if ``w2 <= delta/(1 + delta)``, else ``x = 1 - w2``.

    Parameters
    ----------
    delta : array_like
        Common discount factor in (0, 1).
    w2 : array_like
        Responder's outside option in [0, 1].

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> outside_option_share(0.9, 0.3)  # 0.3 < 0.9/1.9: the option does not bind
    0.526...
    >>> outside_option_share(0.9, 0.6)
    0.4
    """
    d = check_discount("delta", delta)
    if np.any(d >= 1.0):
        raise SolverError(f"delta must lie in (0, 1) for the outside-option model, got {delta!r}")
    w = check_probability("w2", w2)
    return scalar_or_array(np.where(w <= d / (1.0 + d), 1.0 / (1.0 + d), 1.0 - w))


# --------------------------------------------------------------------------------------------
# finite deal set, n parties
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlternatingOffersResult(ResultMixin):
    """Subgame-perfect outcome of :func:`alternating_offers`.

    Attributes
    ----------
    agreement : bool
        Whether a deal is agreed on the equilibrium path (before breakdown risk).
    deal_index : int
        Index of the agreed deal, ``-1`` when the outcome is the disagreement point.
    agreement_round : int
        Round of agreement (0 = immediate), ``-1`` without agreement.
    agreement_probability : float
        Probability that the agreement round is reached without breakdown,
        ``(1 - breakdown) ** agreement_round`` (0 without agreement).
    deal_utilities : ndarray
        Utilities of the agreed deal (the disagreement point without agreement).
    payoffs : ndarray
        Each party's expected equilibrium payoff in round-0 terms.
    continuation_values : ndarray
        ``(rounds + 1, n_parties)``: row ``t`` is each party's equilibrium value of the subgame
        starting in round ``t``, in round-``t`` terms; the last row is the disagreement point.
    round_offers : ndarray
        ``(rounds,)``: the deal the proposer offers (and is accepted) if round ``t`` is reached,
        ``-1`` if that proposer delays or someone walks out.
    proposers : ndarray
        ``(rounds,)`` proposer of each round.
    method : str
    parameters : dict
    """

    agreement: bool
    deal_index: int
    agreement_round: int
    agreement_probability: float
    deal_utilities: NDArray[np.float64]
    payoffs: NDArray[np.float64]
    continuation_values: NDArray[np.float64]
    round_offers: NDArray[np.int64]
    proposers: NDArray[np.int64]
    method: str = "alternating_offers/backward_induction"
    parameters: dict[str, Any] = field(default_factory=dict)


def _per_party(name: str, value: ArrayLike, k: int) -> NDArray[np.float64]:
    arr = as_float(name, value)
    if arr.ndim == 0:
        return np.full(k, float(arr))
    if arr.shape != (k,):
        raise SolverError(f"{name} must be a scalar or have shape ({k},), got shape {arr.shape}")
    return arr


def alternating_offers(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    *,
    discount: ArrayLike,
    rounds: int,
    proposer_order: ArrayLike | None = None,
    breakdown: float = 0.0,
    round_cost: ArrayLike | None = None,
    tol: float = 1e-12,
    scale: float | None = None,
) -> AlternatingOffersResult:
    """Finite-horizon alternating offers over a finite deal set, by backward induction.

    In round ``t`` the proposer ``p(t)`` offers a deal; every other party either accepts (the
    deal is unanimous) or rejects. After a rejection negotiations break down with probability
    ``breakdown`` (giving the disagreement point), otherwise the next round starts; each
    rejection costs party ``i`` ``round_cost[i]`` and discounts its surplus over the
    disagreement point by ``discount[i]``. After the last round the disagreement point holds.
    Any party may also walk out to the disagreement point, so nobody accepts or proposes a deal
    below it.

    Backward induction: with ``V(t+1)`` the surplus vector (over the disagreement point) of the
    subgame starting in round ``t + 1`` (``V(rounds) = 0``), the value of rejecting in round ``t``
    is ``R = discount * (1 - breakdown) * V(t+1) - round_cost``. A responder accepts a deal iff its
    surplus is ``>= max(R_i, 0)`` (within ``tol``). The proposer offers, among the deals every
    responder accepts and that give itself at least 0, the one maximising its own utility; ties go
    to the deal with the higher sum of the responders' utilities, then to the lowest index. It
    makes that offer if it is worth at least its value of delaying (``R_p`` when every responder
    would rather continue than walk out, else 0); otherwise the round passes (a delay when
    ``R >= 0`` for all parties, a walk-out to the disagreement point otherwise). On the
    equilibrium path agreement is immediate (round 0) or never: re-offering next round's deal now
    is acceptable to every responder and at least as good for the proposer. The round is reported
    anyway (and the delay branch kept) so that callers need not rely on this.

    Parameters
    ----------
    utilities : array_like
        ``(n_deals, n_parties)`` utilities of the deals on the table.
    disagreement : array_like
        ``(n_parties,)`` disagreement point.
    discount : float or array_like
        Per-round discount factor(s) in (0, 1], a scalar or one per party.
    rounds : int
        Number of rounds (>= 1).
    proposer_order : array_like of int, optional
        Proposer of each round, cycled if shorter than ``rounds``; default
        ``0, 1, ..., n-1, 0, ...``.
    breakdown : float
        Probability in [0, 1] that negotiations break down after a rejection.
    round_cost : float or array_like, optional
        Per-round cost (>= 0) of a rejection, a scalar or one per party; default 0.
    tol : float
        Relative tolerance of the acceptance and tie comparisons: they allow ``tol`` times the
        largest magnitude of the utilities and the disagreement point, so the answer does not
        change when both are multiplied by a positive number.
    scale : float, optional
        The scale ``tol`` multiplies (finite, > 0) instead of that largest magnitude, e.g. the
        zone's (:attr:`dealsim.zone.ZoneComputation.scale`) when the deals are the zone's.

    Returns
    -------
    AlternatingOffersResult

    Raises
    ------
    SolverError
        On malformed shapes or parameters outside their domain.

    References
    ----------
    Rubinstein (1982) ``rubinstein1982``; more than two players: Osborne & Rubinstein (1990)
    ``osborne1990``, §3.13; finite deal sets: van Damme, Selten & Winter (1990) ``vandamme1990``
    (``docs/references.bib``).

    Examples
    --------
    Split a unit surplus on a grid of 1001 points; party 1 proposes first:

    >>> x = np.linspace(0.0, 1.0, 1001)
    >>> res = alternating_offers(np.column_stack([x, 1 - x]), [0, 0], discount=[0.9, 0.8],
    ...                          rounds=60)
    >>> res.agreement, res.agreement_round, round(float(res.deal_utilities[0]), 3)
    (True, 0, 0.712)
    >>> round(rubinstein_share(0.9, 0.8), 3)
    0.714
    """
    u = as_float("utilities", utilities)
    if u.ndim != 2 or u.shape[0] < 1 or u.shape[1] < 2:
        raise SolverError(
            "utilities must be a (n_deals, n_parties) array with n_parties >= 2, "
            f"got shape {u.shape}"
        )
    k = u.shape[1]
    d = _per_party("disagreement", disagreement, k)
    disc = check_discount("discount", _per_party("discount", discount, k))
    rounds = check_rounds(rounds)
    q = float(check_probability("breakdown", breakdown))
    cost = np.zeros(k) if round_cost is None else _per_party("round_cost", round_cost, k)
    if np.any(cost < 0):
        raise SolverError(f"round_cost must be >= 0, got {round_cost!r}")
    if proposer_order is None:
        order = np.arange(rounds) % k
    else:
        base = np.asarray(proposer_order)
        if (
            base.ndim != 1
            or base.size == 0
            or not np.issubdtype(base.dtype, np.integer)
            or np.any((base < 0) | (base >= k))
        ):
            raise SolverError(
                f"proposer_order must be a non-empty sequence of party indices in 0..{k - 1}, "
                f"got {proposer_order!r}"
            )
        order = np.resize(base.astype(np.int64), rounds)
    scale = tolerance_scale(u, d, scale=scale)  # as stationary_offers when not given
    values, offers, next_round = _backward_induction(u - d, disc, order, q, cost, tol * scale)
    return _assemble(
        u, d, values, offers, next_round, order, q,
        parameters={
            "discount": disc, "rounds": rounds, "breakdown": q, "round_cost": cost,
            "proposer_order": order, "tol": tol, "n_deals": u.shape[0],
        },
    )  # fmt: skip


def _backward_induction(
    surplus: NDArray[np.float64],
    disc: NDArray[np.float64],
    order: NDArray[np.int64],
    q: float,
    cost: NDArray[np.float64],
    tol: float,
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Return surplus values per round, the offer per round and what follows a non-offer.

    ``next_round[t]`` is ``t + 1`` when round ``t`` passes by delay, ``-1`` after a walk-out (and
    unused when an offer is made).
    """
    k = surplus.shape[1]
    rounds = order.size
    values = np.zeros((rounds + 1, k))
    offers = np.full(rounds, -1, dtype=np.int64)
    next_round = np.full(rounds, -1, dtype=np.int64)
    total = surplus.sum(axis=1)
    for t in range(rounds - 1, -1, -1):
        p = order[t]
        reject = disc * (1.0 - q) * values[t + 1] - cost
        threshold = np.maximum(reject, 0.0)
        threshold[p] = 0.0
        acceptable = np.all(surplus >= threshold - tol, axis=1)
        responders_continue = np.all(np.delete(reject, p) >= -tol)
        delay_value = reject[p] if responders_continue else 0.0
        alternative = max(delay_value, 0.0)
        if acceptable.any():
            own = np.where(acceptable, surplus[:, p], -np.inf)
            best = own.max()
            if best >= alternative - tol:
                tied = acceptable & (own >= best - tol)
                others = np.where(tied, total - surplus[:, p], -np.inf)
                idx = int(np.argmax(others))  # argmax returns the lowest index among equals
                offers[t] = idx
                values[t] = surplus[idx]
                continue
        if responders_continue and reject[p] >= -tol:
            values[t] = reject
            next_round[t] = t + 1
        # else: a walk-out, values[t] stays 0 and next_round[t] stays -1
    return values, offers, next_round


def _assemble(u, d, values, offers, next_round, order, q, *, parameters) -> AlternatingOffersResult:
    t = 0
    rounds = order.size
    while 0 <= t < rounds and offers[t] < 0:
        t = int(next_round[t])
    agreed = 0 <= t < rounds
    idx = int(offers[t]) if agreed else -1
    return AlternatingOffersResult(
        agreement=agreed,
        deal_index=idx,
        agreement_round=t if agreed else -1,
        agreement_probability=float((1.0 - q) ** t) if agreed else 0.0,
        deal_utilities=u[idx].copy() if agreed else d.copy(),
        payoffs=d + values[0],
        continuation_values=d + values,
        round_offers=offers,
        proposers=order,
        parameters=parameters,
    )


# --------------------------------------------------------------------------------------------
# the stationary equilibrium of two parties on a frontier


def stationary_offers(
    frontier: ArrayLike,
    disagreement: ArrayLike,
    *,
    discount: ArrayLike,
    tol: float = 1e-12,
    max_iter: int = 1_000_000,
    scale: float | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Infinite-horizon stationary equilibrium of two parties bargaining over a frontier.

    The frontier is the piecewise-linear curve through the given utility pairs (its Pareto
    part above ``d``). In the stationary subgame-perfect equilibrium party 1 proposes ``x`` and
    party 2 proposes ``y``, each making the responder indifferent between accepting and
    waiting a round: ``x_2 - d_2 = delta_2 (y_2 - d_2)`` and ``y_1 - d_1 = delta_1 (x_1 - d_1)``.
    Agreement is immediate on ``x``. The fixed point is found by iterating the two conditions, a
    contraction with factor ``delta_1 delta_2``.

    Parameters
    ----------
    frontier : array_like, shape (n, 2)
        Utility pairs of the deals (any order; dominated points are ignored).
    disagreement : array_like, shape (2,)
    discount : array_like, shape (2,)
        Discount factors in (0, 1).
    tol : float
        Stop when an iteration moves ``x_1`` by less than ``tol`` times the utilities' scale;
        a point counts as giving a party at least ``d`` within ``tol`` times ``scale``.
    max_iter : int
        Iteration cap.
    scale : float, optional
        The scale of that rationality test (finite, > 0), e.g. the zone's
        (:attr:`dealsim.zone.ZoneComputation.scale`); default the largest ``|u|`` or ``|d|``.

    Returns
    -------
    x, y : ndarray, shape (2,)
        The first and the second proposer's offers (utilities).

    Raises
    ------
    SolverError
        On malformed input, or when no frontier point gives both parties at least ``d``.

    References
    ----------
    Rubinstein (1982) ``rubinstein1982``; Binmore, Rubinstein & Wolinsky (1986) ``binmore1986``.

    Examples
    --------
    On the unit split the first proposer gets Rubinstein's ``(1 - d2) / (1 - d1 d2)``:

    >>> x, y = stationary_offers([[0, 1], [1, 0]], [0, 0], discount=[0.9, 0.8])
    >>> round(float(x[0]), 10), round(5 / 7, 10)
    (0.7142857143, 0.7142857143)
    """
    u = as_float("frontier", frontier)
    d = as_float("disagreement", disagreement)
    disc = check_discount("discount", discount)
    if u.ndim != 2 or u.shape[1] != 2 or d.shape != (2,) or disc.shape != (2,):
        raise SolverError(
            "stationary_offers is for two parties: frontier (n, 2), disagreement and discount (2,)"
        )
    if np.any(disc >= 1.0):
        raise SolverError(f"discount factors must be below 1, got {disc.tolist()}")
    rational = np.all(u >= d - tol * tolerance_scale(u, d, scale=scale), axis=1)
    if not rational.any():
        raise SolverError("no frontier point gives both parties at least the disagreement point")
    pts = u[rational]
    pts = pts[np.lexsort((-pts[:, 1], pts[:, 0]))]
    # the Pareto part: u2 strictly decreasing as u1 increases (scan from the right)
    best = -np.inf
    keep = np.zeros(pts.shape[0], dtype=bool)
    for i in range(pts.shape[0] - 1, -1, -1):  # frontier points, not deals: a short loop
        if pts[i, 1] > best:
            keep[i] = True
            best = pts[i, 1]
    pts = pts[keep]
    a, b = pts[:, 0], pts[:, 1]  # a ascending, b descending

    def f(x1):  # party 2's utility on the frontier at party 1's utility x1
        return np.interp(x1, a, b)

    def f_inv(x2):  # party 1's utility on the frontier at party 2's utility x2
        return np.interp(x2, b[::-1], a[::-1])

    scale = tolerance_scale(pts, d)
    x1 = a[-1]
    for _ in range(max_iter):
        y1 = d[0] + disc[0] * (x1 - d[0])
        new = f_inv(d[1] + disc[1] * (f(y1) - d[1]))
        if abs(new - x1) <= tol * scale:
            x1 = new
            break
        x1 = new
    y1 = d[0] + disc[0] * (x1 - d[0])
    return np.array([x1, f(x1)]), np.array([y1, f(y1)])


# --------------------------------------------------------------------------------------------
# convergence to the Nash solution
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NashConvergence(ResultMixin):
    """Shares of the first proposer as the period between offers shrinks.

    Attributes
    ----------
    periods : ndarray
        Period lengths ``D``.
    rounds : ndarray
        Rounds used for each period (``ceil(horizon / D)``).
    shares : ndarray
        First proposer's share for each period (finite horizon).
    rubinstein : ndarray
        Infinite-horizon closed form for each period.
    nash_limit : float
        ``r2 / (r1 + r2)``: the Nash split weighted by ``1 / r_i``.
    method : str
    parameters : dict
    """

    periods: NDArray[np.float64]
    rounds: NDArray[np.int64]
    shares: NDArray[np.float64]
    rubinstein: NDArray[np.float64]
    nash_limit: float
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)

    def pairs(self) -> list[tuple[float, float]]:
        """Return ``(period, share)`` pairs.

        Examples
        --------
        >>> convergence_to_nash((0.05, 0.10), [1.0], horizon=400).pairs()
        [(1.0, 0.68319...)]
        """
        return [(float(a), float(b)) for a, b in zip(self.periods, self.shares, strict=True)]


def convergence_to_nash(
    rates: ArrayLike,
    periods: ArrayLike,
    *,
    horizon: float,
    grid: int | None = None,
    tol: float = 1e-12,
) -> NashConvergence:
    """Show the alternating-offers split approaching the Nash split weighted by ``1/r_i``.

    For each period ``D`` the discount per round is ``d_i = exp(-r_i D)`` and the game lasts
    ``ceil(horizon / D)`` rounds (so that the horizon in time stays fixed and long). With
    ``grid=None`` the exact finite-horizon share (:func:`finite_horizon_share`) is used; with an
    integer the unit surplus is discretised into ``grid`` points and solved with
    :func:`alternating_offers`, whose error is at most about ``(1/(grid-1)) / (1 - d1 d2)``
    (each round can round the responder's share up by one grid step).

    Parameters
    ----------
    rates : array_like
        ``(r1, r2)`` discount rates (> 0).
    periods : array_like
        Period lengths ``D > 0``.
    horizon : float
        Bargaining horizon in time units (> 0).
    grid : int, optional
        Number of grid points of the split (>= 2) for the multi-deal solver.
    tol : float
        Passed to :func:`alternating_offers`.

    Returns
    -------
    NashConvergence

    Examples
    --------
    >>> conv = convergence_to_nash((0.05, 0.10), [1.0, 0.1, 0.01], horizon=400)
    >>> np.round(conv.shares, 5)
    array([0.68319, 0.66833, 0.66683])
    >>> conv.nash_limit
    0.666...
    """
    r = as_float("rates", rates)
    if r.shape != (2,) or np.any(r <= 0):
        raise SolverError(f"rates must be two positive discount rates, got {rates!r}")
    dts = np.atleast_1d(as_float("periods", periods))
    if dts.ndim != 1 or np.any(dts <= 0):
        raise SolverError(f"periods must be positive period lengths, got {periods!r}")
    if not horizon > 0:
        raise SolverError(f"horizon must be > 0, got {horizon!r}")
    if grid is not None and (not isinstance(grid, (int, np.integer)) or grid < 2):
        raise SolverError(f"grid must be None or an integer >= 2, got {grid!r}")
    n_rounds = np.maximum(np.ceil(horizon / dts - 1e-9).astype(np.int64), 1)
    shares = np.empty(dts.size)
    if grid is not None:
        x = np.linspace(0.0, 1.0, int(grid))
        split = np.column_stack([x, 1.0 - x])
    for i, (dt, n) in enumerate(zip(dts, n_rounds, strict=True)):
        disc = np.exp(-r * dt)
        if grid is None:
            shares[i] = _finite_horizon_kernel(disc[:1], disc[1:], int(n), 0)[0]
        else:
            res = alternating_offers(split, [0.0, 0.0], discount=disc, rounds=int(n), tol=tol)
            shares[i] = res.payoffs[0]
    return NashConvergence(
        periods=dts,
        rounds=n_rounds,
        shares=shares,
        rubinstein=np.asarray(rubinstein_share_from_rates(r[0], r[1], dts), dtype=float),
        nash_limit=float(r[1] / (r[0] + r[1])),
        method="finite_horizon_share" if grid is None else "alternating_offers/grid",
        parameters={"rates": r, "horizon": float(horizon), "grid": grid},
    )
