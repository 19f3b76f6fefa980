"""Named proposals and single packages: what each party gets, who accepts, what beats it.

The pipeline calls :func:`proposals_analysis` lazily (see ``dealsim.pipeline.ANALYSES``) for a
scenario with ``[proposals.<id>]``; :func:`evaluate` records one package typed by a user
(``dealsim evaluate FILE --deal issue=value ...``). Both give the same record per package; as it
appears in the JSON (key ``proposals``: proposal id -> record):

- ``label``, ``source``: from the file (``evaluate``: ``"--deal"`` and ``""``);
- ``deal``: issue -> value; ``index``: its flat index in the deal space;
- ``utilities``: party -> utility; ``accepted_by``: the parties whose utility is at least their
  reservation (within the solve's ``tol``, the same test as the agreement zone);
- ``feasible`` and ``violated`` (the labels of the constraints it breaks);
- ``in_zone``: feasible and accepted by every party;
- ``dominated_by``: ``null``, or ``{index, deal, utilities}`` of a deal in the agreement zone that
  every party weakly prefers and at least one strictly (ties decided with ``tol`` times the zone's
  scale, ``ZoneComputation.scale``, as the zone and its frontiers were: rescaling every payoff
  gives the same answer, and a package's record does not depend on the others evaluated with it).
  Among several, the one whose smallest gain is largest (then the lowest index) is reported; it
  lies on the zone's Pareto frontier;
- ``on_frontier``: no feasible deal dominates it in that sense (for a zone deal: it is on the
  zone's Pareto frontier);
- ``ratification``: per ratifying party, ``approval`` (the curve's predicted approval share, or
  1/0 for a hard win-set), ``probability`` (that the vote passes: Φ((share − threshold)/σ) with
  the poll error σ, or 1/0) and ``ratified`` (inside the win-set), or ``{}`` without
  ``[ratification]``;
- ``commitment``: without ``[war.shift]`` ``null``; otherwise ``rising``, ``declining``, ``p1``,
  ``p2`` (after the deal's capped shift), ``shift`` and ``fights_now``: whether the declining side
  prefers war now (the war analysis's test), i.e. whether the package fails to survive the
  commitment problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim.analysis._deals import by_party, fmt
from dealsim.scenario.proposals import deal_codes
from dealsim.solvers.pareto import tolerance_scale
from dealsim.solvers.war import commitment_problem
from dealsim.solvers.zones import acceptance
from dealsim.zone import compute_zone

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.results import SolveResult
    from dealsim.scenario.model import Scenario
    from dealsim.zone import ZoneComputation

__all__ = [
    "DealRecord",
    "ProposalsAnalysis",
    "deal_records",
    "dominators",
    "evaluate",
    "proposals_analysis",
    "render_deal_record",
    "render_proposals",
]


@dataclass(frozen=True)
class DealRecord(ResultMixin):
    """One package evaluated against a solve's zone (fields: module docstring)."""

    label: str
    source: str
    deal: dict[str, Any]
    index: int
    utilities: dict[str, float]
    accepted_by: list[str]
    feasible: bool
    violated: list[str]
    in_zone: bool
    dominated_by: dict[str, Any] | None
    on_frontier: bool
    ratification: dict[str, dict[str, Any]]
    commitment: dict[str, Any] | None
    method: str = "proposal"
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProposalsAnalysis(ResultMixin):
    """The records of a scenario's ``[proposals.<id>]``, by id (JSON: id -> record)."""

    proposals: dict[str, DealRecord]

    def to_dict(self) -> dict[str, Any]:
        """``{id: record}``: the value of the JSON key ``proposals``."""
        return {key: record.to_dict() for key, record in self.proposals.items()}


def dominators(
    utilities: np.ndarray,
    candidates: np.ndarray,
    *,
    tol: float = 1e-9,
    scale: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``utilities``, whether some candidate Pareto-dominates it, and which.

    A candidate dominates a row when it is at least as good for every party and better for one,
    both up to ``tol`` times ``scale``: by default the largest absolute utility in the two arrays
    (scale-free; a largest below 1e-300 counts as 1e-300, as every tolerance's scale does:
    docs/limits.md); :func:`deal_records` passes the zone's, so that it judges as the zone. Of
    several dominating candidates the one whose smallest gain is largest is chosen (then the
    lowest row).

    Parameters
    ----------
    utilities : ndarray, shape (m, k)
    candidates : ndarray, shape (f, k)
    tol : float
    scale : float, optional
        The utilities' scale (finite, > 0): :func:`~dealsim.solvers.pareto.tolerance_scale`.

    Returns
    -------
    dominated : ndarray of bool, shape (m,)
    best : ndarray of int, shape (m,)
        The candidate row, -1 where none dominates.

    Examples
    --------
    >>> dominators(np.array([[0.2, 0.2], [0.5, 0.5]]), np.array([[0.5, 0.5], [0.3, 0.2]]))
    (array([ True, False]), array([ 0, -1]))
    >>> dominators(np.array([[2e5, 2e5]]), np.array([[5e5, 5e5]]))[0]
    array([ True])
    >>> dominators(np.array([[0.0, 0.0]]), np.array([[0.0, 5e-324]]))[0]  # within tol * 1e-300
    array([False])
    >>> dominators(np.array([[1.0, 1.0]]), np.array([[1.0, 1.0 + 1e-7]]), scale=1e3)[0]
    array([False])
    """
    u = np.asarray(utilities, dtype=float)
    c = np.asarray(candidates, dtype=float)
    if u.ndim != 2 or c.ndim != 2 or (c.size and c.shape[1] != u.shape[1]):
        raise ValueError("utilities and candidates must be 2-d with the same number of columns")
    m = u.shape[0]
    if c.shape[0] == 0 or m == 0:
        return np.zeros(m, dtype=bool), np.full(m, -1)
    eps = tol * tolerance_scale(u, c, scale=scale)
    gains = c[None, :, :] - u[:, None, :]  # (m, f, k)
    dominates = np.all(gains >= -eps, axis=2) & np.any(gains > eps, axis=2)
    smallest = np.where(dominates, gains.min(axis=2), -np.inf)
    best = np.argmax(smallest, axis=1)
    found = dominates.any(axis=1)
    return found, np.where(found, best, -1)


def _commitment_rows(scenario: Scenario, columns: Mapping[str, Any], n: int) -> list[Any]:
    war = scenario.war
    if war is None or war.shift is None:
        return [None] * n
    params = dict(columns)
    rising = war.shift.party
    declining = war.other(rising)
    p1 = float(war.probability(rising, params))
    span = float(np.subtract(*war.stakes(declining, params)))
    cost = float(war.cost(declining, params)) / span
    delta = float(scenario.resolve(war.delta, params))
    amounts = war.shift.amounts(columns, n)
    limits = war.shift.limits(columns, n)
    p2 = np.clip(p1 + amounts, 0.0, 1.0)
    result = commitment_problem(
        p1, p2, delta=delta, cost=cost, cap=limits, model=war.commitment, tol=1e-12
    )
    return [
        {
            "rising": rising,
            "declining": declining,
            "p1": p1,
            "p2": float(result.p2[r]),
            "shift": float(result.shift[r]),
            "fights_now": bool(result.war[r]),
            "method": result.method,
            "model": war.commitment,
        }
        for r in range(n)
    ]


def deal_records(
    scenario: Scenario,
    zc: ZoneComputation,
    codes: np.ndarray,
    *,
    labels: list[str] | None = None,
    sources: list[str] | None = None,
) -> list[DealRecord]:
    """Records (module docstring) of the packages with grid ``codes`` ``(m, n_issues)``.

    Vectorised over the packages: one utility evaluation, one constraint check, one dominance
    test against the zone's and the feasible set's Pareto frontiers, with the zone's tolerance and
    scale (``zc.tol * zc.scale``), so that a package is accepted, in the zone, dominated or on the
    frontier exactly when the zone walk says so, whatever other packages are evaluated with it.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("logroll")
    >>> zc = compute_zone(s)
    >>> record = deal_records(s, zc, np.array([[5, 5]]))[0]
    >>> record.in_zone, record.dominated_by["deal"]
    (True, {'x': 1.0, 'y': 0.0})
    """
    codes = np.atleast_2d(np.asarray(codes, dtype=np.intp))
    m = codes.shape[0]
    space, model = zc.space, zc.model
    ids = scenario.party_ids
    utilities = model.utilities(space, codes)
    satisfied = model.feasible(space, codes)
    feasible = satisfied.all(axis=0)
    accepted = acceptance(utilities, zc.reservations, tol=zc.tol, scale=zc.scale)
    in_zone = feasible & accepted.all(axis=1)
    frontiers = (zc.zone_frontier_utilities, zc.feasible_frontier_utilities)
    dominated, best = dominators(utilities, frontiers[0], tol=zc.tol, scale=zc.scale)
    beaten, _ = dominators(utilities, frontiers[1], tol=zc.tol, scale=zc.scale)
    columns = {**model.parameters, **space.columns(codes)}
    ratification = {
        party: (rule.shares(columns, m), rule.probabilities(columns, m), rule.win_set(columns, m))
        for party, rule in scenario.ratification.items()
    }
    commitment = _commitment_rows(scenario, columns, m)
    records = []
    for r in range(m):
        index = int(np.ravel_multi_index(tuple(codes[r]), space.shape))
        dom = None
        if dominated[r]:
            row = int(best[r])
            dom_index = int(zc.zone_frontier[row])
            dom = {
                "index": dom_index,
                "deal": space.deal(dom_index),
                "utilities": by_party(ids, zc.zone_frontier_utilities[row]),
            }
        records.append(
            DealRecord(
                label=labels[r] if labels else "",
                source=sources[r] if sources else "",
                deal=space.deal(index),
                index=index,
                utilities=by_party(ids, utilities[r]),
                accepted_by=[p for p, ok in zip(ids, accepted[r], strict=True) if ok],
                feasible=bool(feasible[r]),
                violated=[
                    c.label
                    for c, ok in zip(scenario.constraints, satisfied[:, r], strict=True)
                    if not ok
                ],
                in_zone=bool(in_zone[r]),
                dominated_by=dom,
                on_frontier=bool(feasible[r] and not beaten[r]),
                ratification={
                    party: {
                        "approval": float(a[r]),
                        "probability": float(p[r]),
                        "ratified": bool(w[r]),
                    }
                    for party, (a, p, w) in ratification.items()
                },
                commitment=commitment[r],
                parameters={"tol": zc.tol},
            )
        )
    return records


def proposals_analysis(scenario: Scenario, zc: ZoneComputation) -> ProposalsAnalysis:
    """Each ``[proposals.<id>]`` of the scenario evaluated against the solve's zone.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("camp-david-1978")
    >>> result = proposals_analysis(s, compute_zone(s))
    >>> sorted(result.proposals)[:2]
    ['begin_autonomy', 'sadat_comprehensive']
    """
    props = list(scenario.proposals.values())
    if not props:
        return ProposalsAnalysis(proposals={})
    codes = np.array([p.codes for p in props], dtype=np.intp)
    records = deal_records(
        scenario,
        zc,
        codes,
        labels=[p.label for p in props],
        sources=[p.source for p in props],
    )
    return ProposalsAnalysis(proposals={p.id: rec for p, rec in zip(props, records, strict=True)})


def evaluate(
    scenario: Scenario,
    deal: Mapping[str, Any],
    *,
    parameters: Mapping[str, float] | None = None,
    tol: float = 1e-9,
    label: str = "--deal",
) -> DealRecord:
    """Evaluate one package typed by a user: the record a named proposal gets in ``solve``.

    Parameters
    ----------
    scenario : Scenario
    deal : mapping
        Issue -> value, every issue given; values may be strings as typed on a command line.
    parameters : mapping, optional
        Parameter values to use instead of the scenario's.
    tol : float
        Acceptance tolerance, as in :func:`dealsim.solve`.
    label : str
        The record's label.

    Raises
    ------
    ScenarioError
        A missing or unknown issue, or a value off the grid, naming what is allowed.

    Examples
    --------
    >>> import dealsim
    >>> record = evaluate(dealsim.load("logroll"), {"x": "1", "y": "0"})
    >>> record.utilities, record.in_zone, record.dominated_by
    ({'a': 0.8, 'b': 0.8}, True, None)
    """
    if parameters:
        scenario = scenario.with_parameters(**parameters)
    codes = deal_codes(scenario, deal, file=scenario.file, field="--deal")
    zc = compute_zone(scenario, tol=tol)
    return deal_records(scenario, zc, np.array([codes]), labels=[label])[0]


def render_deal_record(record: DealRecord, *, indent: str = "  ") -> list[str]:
    """Text lines describing one record.

    Examples
    --------
    >>> import dealsim
    >>> rec = evaluate(dealsim.load("logroll"), {"x": 0.5, "y": 0.5})
    >>> print("\\n".join(render_deal_record(rec)[:2]))
      utilities: a 0.5, b 0.5 (accepted by a, b)
      in the agreement zone; dominated by x=1, y=0 (a 0.8, b 0.8)
    """
    from dealsim._format import format_deal

    lines = []
    accepted = ", ".join(record.accepted_by) or "nobody"
    lines.append(
        f"{indent}utilities: "
        + ", ".join(f"{p} {fmt(v)}" for p, v in record.utilities.items())
        + f" (accepted by {accepted})"
    )
    if not record.feasible:
        where = "infeasible: " + "; ".join(record.violated)
    elif record.in_zone:
        where = "in the agreement zone"
    else:
        where = "outside the agreement zone"
    dom = record.dominated_by
    if dom is not None:
        gains = ", ".join(f"{p} {fmt(v)}" for p, v in dom["utilities"].items())
        where += f"; dominated by {format_deal(dom['deal'])} ({gains})"
    elif record.on_frontier:
        where += "; on the Pareto frontier"
    lines.append(indent + where)
    for party, r in record.ratification.items():
        verdict = "inside" if r["ratified"] else "outside"
        lines.append(
            f"{indent}ratification by {party}: probability {r['probability']:.3f} "
            f"({verdict} the win-set)"
        )
    c = record.commitment
    if c is not None:
        verdict = "fights now (fails)" if c["fights_now"] else "keeps the peace (survives)"
        lines.append(
            f"{indent}commitment problem: shifts {c['rising']}'s win probability "
            f"{fmt(c['p1'])} -> {fmt(c['p2'])}; {c['declining']} {verdict}"
        )
    return lines


def render_proposals(result: ProposalsAnalysis, solve_result: SolveResult) -> list[str]:
    """Text lines of the proposals section of the report.

    Examples
    --------
    >>> import dealsim
    >>> solved = dealsim.solve(dealsim.load("camp-david-1978"))
    >>> print(render_proposals(solved.analyses["proposals"], solved)[0])
    Named proposals (each package on the table, against the zone)
    """
    from dealsim._format import format_deal

    lines = ["Named proposals (each package on the table, against the zone)"]
    for key, record in result.proposals.items():
        lines.append(f"  {key}: {record.label}")
        if record.source:
            lines.append(f"    source: {record.source}")
        lines.append(f"    terms: {format_deal(record.deal)}")
        lines.extend(render_deal_record(record, indent="    "))
    return lines
