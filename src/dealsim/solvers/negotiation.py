"""Scripted negotiation: concession agents exchanging offers over a finite deal set.

Agents are small frozen dataclasses with one method, ``target(state) -> float``: the utility the
agent aims for in the current round. Everything else is shared by all agents:

* **Proposing.** Among the deals worth at least the target (and the agent's reservation) to the
  proposer, it offers the one best for the others (largest sum of their utilities), ties going
  to the higher own utility, then uniformly at random through the simulation's Generator. On a
  Pareto frontier this is the deal closest to the target.
* **Accepting.** A responder accepts iff the offer is worth at least its reservation and at least
  the own utility of the offer it would make in the next round (the "AC_next" rule). An offer
  is agreed when every responder accepts.

Time-dependent agents follow Faratin, Sierra and Jennings (1998): with ``tau = t / (T - 1)`` the
target is ``u_max - (u_max - u_res) * tau ** (1 / e)``; Boulware agents (``e < 1``) hold out and
concede near the deadline, Conceder agents (``e > 1``) concede early.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim._results import ResultMixin
from dealsim._validate import check_rounds
from dealsim.errors import SolverError
from dealsim.solvers.pareto import tolerance_scale

__all__ = [
    "Agent",
    "AgentState",
    "BestResponse",
    "Boulware",
    "Conceder",
    "NegotiationTrace",
    "TimeDependent",
    "TitForTat",
    "simulate_negotiation",
]


@dataclass(frozen=True)
class AgentState:
    """What an agent sees when it sets its target.

    Attributes
    ----------
    party : int
        The agent's index.
    round : int
        Round for which the target is set (0-based).
    rounds : int
        Number of rounds (the deadline).
    best : float
        The agent's best utility over the deal set.
    reservation : float
        The agent's reservation utility.
    utilities : ndarray
        ``(n_deals, n_parties)`` utilities of every deal (complete information).
    own_last : float
        Own utility of the agent's last offer (NaN before its first offer).
    last_offer_value : ndarray
        ``(n_parties,)``: each party's own utility of its last offer (NaN if none yet).
    previous_offer_value : ndarray
        Same for the offer before that.
    """

    party: int
    round: int
    rounds: int
    best: float
    reservation: float
    utilities: NDArray[np.float64]
    own_last: float
    last_offer_value: NDArray[np.float64]
    previous_offer_value: NDArray[np.float64]

    @property
    def time(self) -> float:
        """Normalised time ``t / max(T - 1, 1)``, capped at 1 (reached in the last round).

        Examples
        --------
        >>> _state(round=5, rounds=11).time
        0.5
        """
        return min(self.round / max(self.rounds - 1, 1), 1.0)


class Agent(Protocol):
    """Anything with ``target(state: AgentState) -> float``."""

    def target(self, state: AgentState) -> float: ...  # pragma: no cover


@dataclass(frozen=True)
class TimeDependent:
    """Time-dependent concession: ``u_max - (u_max - u_res) * tau ** (1 / exponent)``.

    Examples
    --------
    >>> TimeDependent(exponent=1.0).target(_state(round=5, rounds=11))
    0.5
    """

    exponent: float = 1.0

    def target(self, state: AgentState) -> float:
        """Target utility at ``state.time``."""
        span = state.best - state.reservation
        return state.best - span * state.time ** (1.0 / self.exponent)


@dataclass(frozen=True)
class Boulware(TimeDependent):
    """Boulware: a time-dependent agent that concedes late (``exponent < 1``).

    Examples
    --------
    >>> round(Boulware(exponent=0.2).target(_state(round=5, rounds=11)), 5)  # 1 - 0.5 ** 5
    0.96875
    """

    exponent: float = 0.2


@dataclass(frozen=True)
class Conceder(TimeDependent):
    """Conceder: a time-dependent agent that concedes early (``exponent > 1``).

    Examples
    --------
    >>> round(Conceder(exponent=2.0).target(_state(round=5, rounds=11)), 5)  # 1 - sqrt(0.5)
    0.29289
    """

    exponent: float = 2.0


@dataclass(frozen=True)
class TitForTat:
    """Concede as much as the others conceded last round (in their own utility).

    The others' concession is the mean, over the parties that have made two offers, of the drop
    in their own utility between their last two offers (negative drops count as 0). Before
    anyone has made two offers the agent concedes ``initial_concession`` per offer (nothing on
    its first offer, which is its best deal).

    Examples
    --------
    >>> import numpy as np
    >>> s = _state(own_last=0.9, last=[np.nan, 0.7], previous=[np.nan, 0.8])
    >>> round(TitForTat().target(s), 12)  # the opponent gave up 0.1
    0.8
    """

    initial_concession: float = 0.05

    def target(self, state: AgentState) -> float:
        """Target: own last offer's utility minus the others' last concession."""
        if np.isnan(state.own_last):
            return state.best
        others = np.arange(state.last_offer_value.size) != state.party
        drops = (state.previous_offer_value - state.last_offer_value)[others]
        drops = drops[~np.isnan(drops)]
        step = float(np.maximum(drops, 0.0).mean()) if drops.size else self.initial_concession
        return state.own_last - step


@dataclass(frozen=True)
class BestResponse:
    """Best response to revealed demands.

    Each other party reveals an acceptance level by its last offer (it accepts what it would
    propose, so roughly its own utility of that offer). The agent aims for the largest own
    utility among the deals that meet every revealed level (its best deal before anyone has
    revealed anything, or when no deal meets them all).

    Examples
    --------
    >>> import numpy as np
    >>> s = _state(own_last=0.9, last=[np.nan, 0.7], previous=[np.nan, 0.8])
    >>> round(BestResponse().target(s), 12)  # the opponent asks for 0.7 of the split
    0.3
    """

    def target(self, state: AgentState) -> float:
        """Target: own utility of the best deal meeting the others' revealed demands."""
        levels = state.last_offer_value.copy()
        levels[state.party] = -np.inf
        levels = np.where(np.isnan(levels), -np.inf, levels)
        scale = tolerance_scale(state.utilities)  # a relative 1e-12
        meets = np.all(state.utilities >= levels - 1e-12 * scale, axis=1)
        if not meets.any():
            return state.best
        return float(state.utilities[meets, state.party].max())


@dataclass(frozen=True)
class NegotiationTrace(ResultMixin):
    """The offers exchanged in :func:`simulate_negotiation`.

    Attributes
    ----------
    rounds : ndarray
        Round of each offer.
    proposers : ndarray
        Proposer of each offer.
    deals : ndarray
        Deal index offered.
    utilities : ndarray
        ``(n_offers, n_parties)`` every party's utility of each offer.
    accepted : ndarray of bool
        Whether every responder accepted the offer (only the last one can be True).
    agreement : bool
    deal_index : int
        Agreed deal, ``-1`` without agreement.
    agreement_round : int
        ``-1`` without agreement.
    final_utilities : ndarray
        Utilities of the agreed deal, or the reservation values.
    outcome : str
        ``"agreement"``, ``"deadline"`` or ``"no_acceptable_deal"`` (some party has no deal at or
        above its reservation, so nothing is offered).
    method : str
    parameters : dict
    """

    rounds: NDArray[np.int64]
    proposers: NDArray[np.int64]
    deals: NDArray[np.int64]
    utilities: NDArray[np.float64]
    accepted: NDArray[np.bool_]
    agreement: bool
    deal_index: int
    agreement_round: int
    final_utilities: NDArray[np.float64]
    outcome: str
    method: str = "negotiation/scripted"
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_rows(self, party_names: list[str] | None = None) -> list[dict[str, Any]]:
        """One plain dict per offer (for CSV): round, proposer, deal, utilities, accepted.

        Examples
        --------
        >>> x = np.linspace(0, 1, 11)
        >>> tr = simulate_negotiation(np.column_stack([x, 1 - x]), [0, 0],
        ...                           [Conceder(), Conceder()], rounds=3, seed=0)
        >>> tr.to_rows(["a", "b"])[0]
        {'round': 0, 'proposer': 'a', 'deal': 10, 'u_a': 1.0, 'u_b': 0.0, 'accepted': False}
        """
        k = self.utilities.shape[1] if self.utilities.ndim == 2 else 0
        names = [str(i) for i in range(k)] if party_names is None else list(party_names)
        if len(names) != k:
            raise SolverError(f"party_names must name {k} parties, got {len(names)}")
        return [
            {
                "round": int(t),
                "proposer": names[int(p)],
                "deal": int(j),
                **{f"u_{n}": float(v) for n, v in zip(names, row, strict=True)},
                "accepted": bool(a),
            }
            for t, p, j, row, a in zip(
                self.rounds, self.proposers, self.deals, self.utilities, self.accepted, strict=True
            )
        ]


def _state(
    *, round: int = 0, rounds: int = 11, own_last: float = np.nan, last=None, previous=None
) -> AgentState:
    """A state for party 0 on the unit split (used in the examples)."""
    x = np.linspace(0.0, 1.0, 101)
    nan2 = np.full(2, np.nan)
    return AgentState(
        party=0,
        round=round,
        rounds=rounds,
        best=1.0,
        reservation=0.0,
        utilities=np.column_stack([x, 1.0 - x]),
        own_last=own_last,
        last_offer_value=nan2 if last is None else np.asarray(last, dtype=float),
        previous_offer_value=nan2 if previous is None else np.asarray(previous, dtype=float),
    )


def _check_agents(agents: Any, k: int) -> tuple[Any, ...]:
    agents = tuple(agents)
    if len(agents) != k:
        raise SolverError(f"agents must hold one agent per party ({k}), got {len(agents)}")
    for i, a in enumerate(agents):
        if not callable(getattr(a, "target", None)):
            raise SolverError(f"agent {i} ({a!r}) has no target(state) method")
        if isinstance(a, TimeDependent):
            e = a.exponent
            if not (np.isfinite(e) and e > 0):
                raise SolverError(f"agent {i}: exponent must be > 0, got {e!r}")
            if isinstance(a, Boulware) and e >= 1:
                raise SolverError(f"agent {i}: a Boulware exponent must be < 1, got {e!r}")
            if isinstance(a, Conceder) and e <= 1:
                raise SolverError(f"agent {i}: a Conceder exponent must be > 1, got {e!r}")
    return agents


class _Table:
    """The deal set and the proposal rule shared by all agents."""

    def __init__(self, u: NDArray[np.float64], reservation: NDArray[np.float64], tol: float):
        self.u = u
        self.res = reservation
        self.tol = tol
        self.others = u.sum(axis=1)[:, None] - u  # (n, k): sum of the others' utilities
        self.admissible = u >= reservation - tol  # (n, k)
        self.best = np.where(self.admissible, u, -np.inf).max(axis=0)

    def candidates(self, party: int, target: float) -> NDArray[np.int64]:
        """Deals the proposer may offer: best for the others among own utility >= target."""
        own = self.u[:, party]
        target = min(max(target, self.res[party]), self.best[party])
        ok = self.admissible[:, party] & (own >= target - self.tol)
        score = np.where(ok, self.others[:, party], -np.inf)
        tied = ok & (score >= score.max() - self.tol)
        own_tied = np.where(tied, own, -np.inf)
        return np.flatnonzero(tied & (own_tied >= own_tied.max() - self.tol))

    def value(self, party: int, target: float) -> float:
        """Own utility of the offer the party would make for ``target`` (deterministic)."""
        return float(self.u[self.candidates(party, target)[0], party])


def simulate_negotiation(
    utilities: ArrayLike,
    reservation: ArrayLike,
    agents: Any,
    *,
    rounds: int,
    seed: int | np.random.Generator,
    tol: float = 1e-12,
) -> NegotiationTrace:
    """Simulate scripted agents exchanging offers until all accept or the deadline passes.

    The proposer rotates ``0, 1, ..., n-1, 0, ...``; in each round the proposer makes one offer
    and every other party accepts or rejects it (module docstring). The agreement needs every
    responder.

    Parameters
    ----------
    utilities : array_like
        ``(n_deals, n_parties)`` utilities, ``n_parties >= 2``.
    reservation : array_like
        ``(n_parties,)`` reservation utilities; no agent offers or accepts a deal below its own.
    agents : sequence
        One agent per party (:class:`Boulware`, :class:`Conceder`, :class:`TitForTat`,
        :class:`BestResponse`, or anything with ``target(state) -> float``).
    rounds : int
        Deadline (number of offers, >= 1).
    seed : int or numpy.random.Generator
        Source of the random tie-breaking (the only randomness).
    tol : float
        Relative tolerance of the utility comparisons: they allow ``tol`` times the largest
        magnitude of the utilities and reservations, so the trace does not change when both are
        multiplied by a positive number.

    Returns
    -------
    NegotiationTrace

    Examples
    --------
    A Boulware agent against a Conceder on a linear split:

    >>> x = np.linspace(0, 1, 101)
    >>> tr = simulate_negotiation(np.column_stack([x, 1 - x]), [0.0, 0.0],
    ...                           [Boulware(), Conceder()], rounds=20, seed=1)
    >>> tr.outcome, tr.agreement_round, np.round(tr.final_utilities, 2)
    ('agreement', 13, array([0.82, 0.18]))
    """
    u = np.asarray(utilities, dtype=float)
    if u.ndim != 2 or u.shape[0] < 1 or u.shape[1] < 2 or not np.isfinite(u).all():
        raise SolverError(
            f"utilities must be a finite (n_deals, n_parties) array with n_parties >= 2, "
            f"got shape {u.shape}"
        )
    k = u.shape[1]
    res = np.asarray(reservation, dtype=float)
    if res.shape != (k,) or not np.isfinite(res).all():
        raise SolverError(f"reservation must be {k} finite numbers, got {reservation!r}")
    rounds = check_rounds(rounds)
    if seed is None or not isinstance(seed, (int, np.integer, np.random.Generator)):
        raise SolverError(f"seed must be an int or a numpy Generator, got {seed!r}")
    agents = _check_agents(agents, k)
    rng = np.random.default_rng(seed)
    scale = tolerance_scale(u, res)
    return _simulate(u, res, agents, rounds, rng, tol * scale)


def _simulate(u, res, agents, rounds, rng, tol) -> NegotiationTrace:
    k = u.shape[1]
    table = _Table(u, res, tol)
    params = {"agents": [repr(a) for a in agents], "rounds": rounds, "reservation": res}
    rows: list[tuple[int, int, int, bool]] = []
    if not np.all(np.isfinite(table.best)):
        return _trace(u, res, rows, "no_acceptable_deal", params)
    last = np.full(k, np.nan)
    previous = np.full(k, np.nan)

    def state(party: int, t: int) -> AgentState:
        return AgentState(
            party=party,
            round=t,
            rounds=rounds,
            best=float(table.best[party]),
            reservation=float(res[party]),
            utilities=u,
            own_last=float(last[party]),
            last_offer_value=last.copy(),
            previous_offer_value=previous.copy(),
        )

    for t in range(rounds):
        p = t % k
        options = table.candidates(p, float(agents[p].target(state(p, t))))
        deal = int(options[0] if options.size == 1 else rng.choice(options))
        previous[p], last[p] = last[p], u[deal, p]
        accepted = all(
            u[deal, j] >= table.value(j, float(agents[j].target(state(j, t + 1)))) - tol
            for j in range(k)
            if j != p
        )
        rows.append((t, p, deal, accepted))
        if accepted:
            return _trace(u, res, rows, "agreement", params)
    return _trace(u, res, rows, "deadline", params)


def _trace(u, res, rows, outcome, params) -> NegotiationTrace:
    arr = np.array([r[:3] for r in rows], dtype=np.int64).reshape(-1, 3)
    accepted = np.array([r[3] for r in rows], dtype=bool)
    agreed = outcome == "agreement"
    deal = int(arr[-1, 2]) if agreed else -1
    return NegotiationTrace(
        rounds=arr[:, 0],
        proposers=arr[:, 1],
        deals=arr[:, 2],
        utilities=u[arr[:, 2]],
        accepted=accepted,
        agreement=agreed,
        deal_index=deal,
        agreement_round=int(arr[-1, 0]) if agreed else -1,
        final_utilities=u[deal].copy() if agreed else res.copy(),
        outcome=outcome,
        parameters=params,
    )
