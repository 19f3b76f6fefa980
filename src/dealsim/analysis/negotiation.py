"""Scripted concession agents bargaining over a scenario's feasible deals (``dealsim negotiate``).

One agent per party (in party order) runs :func:`dealsim.solvers.negotiation.simulate_negotiation`
over the feasible deals, with the parties' reservations; the trace of offers is written as CSV
(one row per offer: round, proposer, accepted, the deal's issue values, each party's utility) or
as a JSON document (with the dealsim version and the scenario's sha256).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim._format import plain_float
from dealsim._validate import MAX_ROUNDS
from dealsim.errors import DealsimError

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.scenario.model import Scenario
    from dealsim.solvers.negotiation import NegotiationTrace

__all__ = [
    "AGENT_NAMES",
    "make_agents",
    "negotiate",
    "negotiation_document",
    "simulate_scenario_negotiation",
    "trace_csv",
]

AGENT_NAMES = ("boulware", "conceder", "linear", "tit_for_tat", "best_response")
"""Agent names accepted by ``--agents`` (``-`` may stand for ``_``)."""


def make_agents(names: str, parties: tuple[str, ...]) -> list[Any]:
    """Agents from a comma-separated list of names, one per party in party order.

    Examples
    --------
    >>> make_agents("boulware, conceder", ("a", "b"))
    [Boulware(exponent=0.2), Conceder(exponent=2.0)]
    >>> make_agents("boulware", ("a", "b"))
    Traceback (most recent call last):
    ...
    dealsim.errors.DealsimError: --agents: 1 agent given for 2 parties (a, b); give one per party
    """
    from dealsim.solvers import negotiation as neg

    factories = {
        "boulware": neg.Boulware,
        "conceder": neg.Conceder,
        "linear": lambda: neg.TimeDependent(exponent=1.0),
        "tit_for_tat": neg.TitForTat,
        "best_response": neg.BestResponse,
    }
    items = [item.strip().lower().replace("-", "_") for item in names.split(",")]
    unknown = [item for item in items if item not in factories]
    if unknown:
        raise DealsimError(
            f"--agents: unknown agent {unknown[0]!r} (allowed: {', '.join(AGENT_NAMES)})"
        )
    if len(items) != len(parties):
        s = "" if len(items) == 1 else "s"
        raise DealsimError(
            f"--agents: {len(items)} agent{s} given for {len(parties)} parties "
            f"({', '.join(parties)}); give one per party"
        )
    return [factories[item]() for item in items]


def _feasible(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices and utilities of the feasible deals."""
    from dealsim.space import DEFAULT_CHUNK, DealSpace, UtilityModel

    space = DealSpace(scenario)
    model = UtilityModel.from_scenario(scenario)
    indices, utilities = [], []
    for start, codes in space.chunks(DEFAULT_CHUNK):
        rows = np.flatnonzero(model.feasible(space, codes).all(axis=0))
        indices.append(start + rows)
        utilities.append(model.utilities(space, codes[rows]))
    return np.concatenate(indices), np.concatenate(utilities)


def negotiation_document(
    scenario: Scenario, trace: NegotiationTrace, indices: np.ndarray, *, agents: str, seed: int
) -> dict[str, Any]:
    """The JSON document of a negotiation trace (deal indices are rows of ``indices``).

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.solvers.negotiation import simulate_negotiation
    >>> s = dealsim.load("split-linear")
    >>> idx, u = _feasible(s)
    >>> agents = make_agents("conceder,conceder", s.party_ids)
    >>> tr = simulate_negotiation(u, s.reservations(), agents, rounds=10, seed=0)
    >>> doc = negotiation_document(s, tr, idx, agents="conceder,conceder", seed=0)
    >>> doc["outcome"], doc["offers"][0]["deal"]
    ('agreement', {'share': 1.0})
    """
    from dealsim._results import to_plain
    from dealsim._version import __version__
    from dealsim.space import DealSpace

    space = DealSpace(scenario)
    ids = scenario.party_ids
    offers = [
        {
            "round": int(t),
            "proposer": ids[int(p)],
            "accepted": bool(a),
            "deal": space.deal(int(indices[j])),
            "utilities": {q: float(v) for q, v in zip(ids, row, strict=True)},
        }
        for t, p, j, row, a in zip(
            trace.rounds, trace.proposers, trace.deals, trace.utilities, trace.accepted,
            strict=True,
        )
    ]  # fmt: skip
    agreed = trace.agreement
    return {
        "dealsim_version": __version__,
        "scenario": {"name": scenario.name, "sha256": scenario.sha256, "file": scenario.file},
        "agents": dict(zip(ids, [a.strip() for a in agents.split(",")], strict=True)),
        "rounds": int(trace.parameters["rounds"]),
        "seed": seed,
        "outcome": trace.outcome,
        "agreement": agreed,
        "agreement_round": trace.agreement_round,
        "deal": space.deal(int(indices[trace.deal_index])) if agreed else None,
        "final_utilities": {q: float(v) for q, v in zip(ids, trace.final_utilities, strict=True)},
        "reservations": to_plain(dict(zip(ids, scenario.reservations(), strict=True))),
        "offers": offers,
    }


def trace_csv(document: dict[str, Any], scenario: Scenario) -> str:
    """CSV text of a negotiation document: one row per offer.

    Columns: ``round, proposer, accepted``, one column per issue, then ``u_<party>`` per party.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("split-linear")
    >>> doc = {"offers": [{"round": 0, "proposer": "a", "accepted": False,
    ...        "deal": {"share": 1.0}, "utilities": {"a": 1.0, "b": 0.0}}]}
    >>> print(trace_csv(doc, s), end="")
    round,proposer,accepted,share,u_a,u_b
    0,a,false,1.0,1.0,0.0
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    ids = scenario.party_ids
    writer.writerow(
        ["round", "proposer", "accepted", *scenario.issue_ids, *(f"u_{q}" for q in ids)]
    )
    for offer in document["offers"]:
        deal = [_cell(offer["deal"][i]) for i in scenario.issue_ids]
        writer.writerow(
            [
                offer["round"],
                offer["proposer"],
                "true" if offer["accepted"] else "false",
                *deal,
                *(repr(plain_float(offer["utilities"][q])) for q in ids),
            ]
        )
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def simulate_scenario_negotiation(
    scenario: Scenario, agents: str, *, rounds: int, seed: int = 0
) -> tuple[Any, np.ndarray]:
    """Run one agent per party over the scenario's feasible deals.

    Returns the :class:`~dealsim.solvers.negotiation.NegotiationTrace` and the flat indices of
    the feasible deals its deal numbers refer to.

    Examples
    --------
    >>> import dealsim
    >>> trace, indices = simulate_scenario_negotiation(
    ...     dealsim.load("split-linear"), "boulware,conceder", rounds=20)
    >>> trace.outcome
    'agreement'
    """
    from dealsim.solvers.negotiation import simulate_negotiation

    made = make_agents(agents, scenario.party_ids)
    if rounds < 1:
        raise DealsimError(f"--rounds must be at least 1, got {rounds}")
    if rounds > MAX_ROUNDS:
        raise DealsimError(f"--rounds must be at most {MAX_ROUNDS:,}, got {rounds:,}")
    indices, utilities = _feasible(scenario)
    if indices.size == 0:
        raise DealsimError(
            f"{scenario.file}: no feasible deal: the constraints rule out every deal"
        )
    trace = simulate_negotiation(utilities, scenario.reservations(), made, rounds=rounds, seed=seed)
    return trace, indices


def negotiate(scenario: Scenario, agents: str, *, rounds: int, seed: int = 0) -> dict[str, Any]:
    """Simulate scripted concession agents: the Python API of ``dealsim negotiate``.

    Same arguments as the command; returns its JSON document (``--format json``), which
    :func:`trace_csv` turns into the CSV of the default output.

    Parameters
    ----------
    scenario : Scenario
    agents : str
        One agent per party, in party order, comma-separated (names in :data:`AGENT_NAMES`).
    rounds : int
        The deadline (number of offers, at least 1).
    seed : int
        Seed of the tie-breaking.

    Returns
    -------
    dict
        ``dealsim_version``, ``scenario``, ``agents``, ``rounds``, ``seed``, ``outcome``,
        ``agreement``, ``agreement_round``, ``deal``, ``final_utilities``, ``reservations`` and
        ``offers`` (see ``dealsim schema negotiate``).

    Examples
    --------
    >>> import dealsim
    >>> document = negotiate(dealsim.load("split-linear"), "boulware,conceder", rounds=20)
    >>> document["outcome"], document["agents"]
    ('agreement', {'a': 'boulware', 'b': 'conceder'})
    """
    trace, indices = simulate_scenario_negotiation(scenario, agents, rounds=rounds, seed=seed)
    return negotiation_document(scenario, trace, indices, agents=agents, seed=seed)
