"""Coalitions of parties and voting bodies: who can make a deal without whom, who is pivotal.

:func:`coalition_analysis` walks a scenario's deal space once, in chunks (as
:mod:`dealsim.zone` does), and for every coalition ``S`` of parties counts the *sub-coalition
zone*: the feasible deals every member of ``S`` accepts (utility at least its reservation, less
the zone's tolerance). Each deal's set of accepting parties is a bitmask ``a``; the deals are
counted per mask (one ``bincount``) and the zone of ``S`` is the sum over the masks that contain
``S`` (a superset sum over the ``2**k`` masks), so no loop runs over deals.

Under **transferable utility** (an assumption, stated in the output: gains can be moved between
members by side payments at one-to-one rates, on the utility scale of the scenario), the worth
``v(S)`` is the largest total gain ``sum over i in S of (u_i - r_i)`` of a deal in that zone, 0
if there is none (the members keep their reservations), and ``v({i}) = 0``: a party alone cannot
make a deal. From ``v`` come the Shapley value, the core (empty, or a point) and the nucleolus
(:mod:`dealsim.solvers.cooperative`). A sub-coalition's worth ignores the outsiders: it is what
its members could share if the others' consent were not needed, so ``v`` need not be
superadditive and the core is often empty.

For each ``[bodies.<id>]`` voting body: every member's Shapley–Shubik and (normalised) Banzhaf
power index (:mod:`dealsim.solvers.voting`) and, when the body gives its members' ``accept``
conditions, its vote on the deals that matter (the five bargaining solutions and the scenario's
named proposals): who votes yes, whether the body approves, and the *pivotal* members, those
whose vote alone would change the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim.analysis._deals import by_party, unconstrained_solutions
from dealsim.errors import ScenarioError, SolverError
from dealsim.solvers.cooperative import core, nucleolus, shapley_value
from dealsim.solvers.pareto import tolerance_scale
from dealsim.solvers.voting import banzhaf_index, shapley_shubik_index
from dealsim.solvers.zones import acceptance
from dealsim.space import DEFAULT_CHUNK, DealSpace, UtilityModel
from dealsim.zone import checked_utility_scale, compute_zone

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.scenario.bodies import VotingBody
    from dealsim.scenario.model import Scenario

__all__ = [
    "ASSUMPTIONS",
    "MAX_PARTIES",
    "CoalitionAnalysis",
    "body_power",
    "body_votes",
    "coalition_analysis",
    "coalition_game",
    "coalitions_document",
    "render_coalitions",
]

MAX_PARTIES = 16
"""Limit on the parties of :func:`coalition_game` (``2**16`` coalitions; the linear
programmes of the core and nucleolus have a row per coalition)."""

ASSUMPTIONS = (
    "transferable utility: members of a coalition can share its gains by side payments at "
    "one-to-one rates on the scenario's utility scale",
    "v(S) = the largest total gain over the members' reservations of a feasible deal every "
    "member accepts (0 if there is none); outsiders' consent is not required",
    "a party alone cannot make a deal: v({i}) = 0 (it keeps its reservation)",
)
"""The assumptions behind the worths, printed with every result."""

_SOLUTIONS = ("nash", "weighted_nash", "kalai_smorodinsky", "egalitarian", "utilitarian")


@dataclass(frozen=True)
class CoalitionAnalysis(ResultMixin):
    """Sub-coalition zones, the transferable-utility game and its solutions, voting bodies.

    Attributes
    ----------
    parties : tuple of str
        Party ids (bit ``i`` of a coalition mask is party ``i``).
    coalitions : tuple of dict
        Every non-empty coalition, by size then mask: ``members`` (party ids), ``zone_size``
        (feasible deals all members accept) and ``worth`` ``v(S)``.
    shapley : dict
        Shapley value by party.
    core : dict
        ``empty`` (bool), ``point`` (by party, None if empty) and the least-core ``epsilon``.
    nucleolus : dict
        The nucleolus by party.
    bodies : dict
        Per body: power indices by member and, with ``accept``, its votes (:func:`body_votes`).
    feasible : int
        Feasible deals (the zone of the empty coalition).
    assumptions : tuple of str
        :data:`ASSUMPTIONS`.
    """

    parties: tuple[str, ...]
    coalitions: tuple[dict[str, Any], ...]
    shapley: dict[str, float]
    core: dict[str, Any]
    nucleolus: dict[str, float]
    bodies: dict[str, Any]
    feasible: int
    assumptions: tuple[str, ...] = ASSUMPTIONS
    method: str = "tu_game/max_joint_gain"
    parameters: dict[str, Any] = field(default_factory=dict)


def coalition_game(
    scenario: Scenario,
    parameters: Mapping[str, Any] | None = None,
    *,
    chunk: int = DEFAULT_CHUNK,
    tol: float = 1e-9,
    max_parties: int = MAX_PARTIES,
) -> tuple[np.ndarray, np.ndarray]:
    """Sub-coalition zone sizes and worths of every coalition of a scenario's parties.

    Parameters
    ----------
    scenario : Scenario
    parameters : mapping, optional
        Parameter values (default: the scenario's).
    chunk : int
        About this many (deal, coalition) pairs are held in memory at once.
    tol : float
        Acceptance tolerance, as in :func:`dealsim.zone.compute_zone`: ``tol`` times the zone's
        scale (:func:`dealsim.zone.utility_scale`), whatever the chunks.
    max_parties : int
        Refuse scenarios with more parties.

    Returns
    -------
    zone_sizes : ndarray of int, shape (2**k,)
        Feasible deals that every member of coalition ``mask`` accepts (all feasible deals
        for ``mask = 0``).
    worths : ndarray of float, shape (2**k,)
        ``v(mask)`` under transferable utility (module docstring): a game for
        :mod:`dealsim.solvers.cooperative`.

    Raises
    ------
    ScenarioError
        With more than ``max_parties`` parties.

    Examples
    --------
    >>> from dealsim.scenario import loads
    >>> zone, v = coalition_game(loads(EXAMPLE_TOML))
    >>> zone.tolist()  # coalitions {}, {p}, {q}, {p, q}, {r}, {p, r}, {q, r}, {p, q, r}
    [4, 3, 3, 2, 3, 2, 2, 1]
    >>> v.tolist()
    [0.0, 0.0, 0.0, 5.0, 0.0, 4.0, 4.0, 3.0]
    """
    k = len(scenario.parties)
    if k > max_parties:
        raise ScenarioError(
            f"{k} parties make {2**k:,} coalitions, above the limit max_parties={max_parties}",
            file=scenario.file,
            field="parties",
        )
    params = dict(scenario.parameters if parameters is None else parameters)
    space = DealSpace(scenario)
    model = UtilityModel.from_scenario(scenario, params)
    d = np.asarray(scenario.reservations(params), dtype=float)
    # the zone's scale (a bound known before the walk), not each chunk's own largest |u|
    scale = checked_utility_scale(scenario, model, d, tol)
    m = 1 << k
    masks = np.arange(m)
    membership = ((masks[:, None] >> np.arange(k)) & 1).astype(float)  # (m, k)
    bits = 1 << np.arange(k)
    counts = np.zeros(m, dtype=np.int64)
    best = np.full(m, -np.inf)
    for _, codes in space.chunks(max(1, chunk // m)):
        feasible = model.feasible(space, codes).all(axis=0)
        u = model.utilities(space, codes[feasible])
        accepted = acceptance(u, d, tol=tol, scale=scale) @ bits  # accepting parties' mask
        counts += np.bincount(accepted, minlength=m)
        gains = (u - d) @ membership.T  # (n, m): each coalition's total gain
        inside = (accepted[:, None] & masks) == masks  # the deal is in the coalition's zone
        if gains.shape[0]:
            best = np.maximum(best, np.where(inside, gains, -np.inf).max(axis=0))
    zone = counts.copy()
    for i in range(k):  # superset sums: zone[S] = sum of counts[A] over A containing S
        view = zone.reshape(-1, 2, 1 << i)
        view[:, 0, :] += view[:, 1, :]
    worths = np.maximum(best, 0.0)
    worths[(masks & (masks - 1)) == 0] = 0.0  # the empty coalition and the singletons
    return zone, worths


def body_power(body: VotingBody, *, file: str | None = None) -> dict[str, Any]:
    """A body's quota, total weight and every member's power indices.

    Returns
    -------
    dict
        ``label``, ``source``, ``quota`` (votes), ``quota_text`` (as written),
        ``total_weight``, ``veto`` and ``members``: ``{id: {weight, shapley_shubik,
        banzhaf}}`` (Banzhaf normalised to sum to 1).

    Examples
    --------
    >>> from dealsim.scenario.bodies import VotingBody
    >>> unsc = VotingBody("unsc", "UN Security Council", tuple("ABCDEFGHIJKLMNO"),
    ...                   (1.0,) * 15, 9.0, "9", veto=tuple("ABCDE"))
    >>> power = body_power(unsc)["members"]
    >>> round(power["A"]["shapley_shubik"], 6), round(power["F"]["shapley_shubik"], 6)
    (0.19627, 0.001865)
    """
    args = (np.asarray(body.weights), body.quota)
    try:
        ss = shapley_shubik_index(*args, veto=body.veto_indices)
        bz = banzhaf_index(*args, veto=body.veto_indices)
    except SolverError as error:
        raise ScenarioError(str(error), file=file, field=f"bodies.{body.id}") from None
    return {
        "label": body.label,
        "source": body.source,
        "quota": body.quota,
        "quota_text": body.quota_text,
        "total_weight": float(sum(body.weights)),
        "veto": list(body.veto),
        "members": {
            m: {"weight": w, "shapley_shubik": float(s), "banzhaf": float(b)}
            for m, w, s, b in zip(body.members, body.weights, ss, bz, strict=True)
        },
    }


def body_votes(body: VotingBody, columns: Mapping[str, Any], n: int) -> list[dict[str, Any]]:
    """How a body votes on ``n`` deals (``columns``: issue columns and parameters).

    Returns
    -------
    list of dict
        Per deal: ``yes`` and ``no`` (member ids), ``approved`` (the yes-voters win),
        ``pivotal`` (members whose vote alone would change the outcome: yes-voters whose
        defection defeats an approved deal, no-voters whose switch passes a rejected one) and
        ``vetoed_by`` (veto members voting no).

    Examples
    --------
    >>> from dealsim.expressions import parse_expression
    >>> from dealsim.scenario.bodies import VotingBody
    >>> yes = parse_expression("true")
    >>> body = VotingBody("c", "Council", ("p", "q", "r"), (2.0, 1.0, 1.0), 3.0, "3",
    ...                   accept={"p": yes, "q": yes, "r": parse_expression("x > 1")})
    >>> [(v["approved"], v["pivotal"]) for v in body_votes(body, {"x": np.array([0.0, 2.0])}, 2)]
    [(True, ['p', 'q']), (True, ['p'])]
    """
    votes = body.votes(columns, n)
    passed = body.wins(votes)
    decisive = np.empty_like(votes)
    for j in range(len(body.members)):
        flipped = votes.copy()
        flipped[:, j] = ~flipped[:, j]
        decisive[:, j] = body.wins(flipped) != passed
    veto = np.zeros(len(body.members), dtype=bool)
    veto[list(body.veto_indices)] = True
    members = np.asarray(body.members, dtype=object)
    return [
        {
            "yes": members[votes[r]].tolist(),
            "no": members[~votes[r]].tolist(),
            "approved": bool(passed[r]),
            "pivotal": members[decisive[r]].tolist(),
            "vetoed_by": members[veto & ~votes[r]].tolist(),
        }
        for r in range(n)
    ]


def coalition_analysis(
    scenario: Scenario,
    parameters: Mapping[str, Any] | None = None,
    *,
    chunk: int = DEFAULT_CHUNK,
    tol: float = 1e-9,
) -> CoalitionAnalysis:
    """Sub-coalition zones, the TU game's Shapley value, core and nucleolus, and voting bodies.

    Parameters
    ----------
    scenario : Scenario
    parameters : mapping, optional
        Parameter values (default: the scenario's).
    chunk : int
        Memory bound of the deal walk (see :func:`coalition_game`).
    tol : float
        Acceptance tolerance (as the zone's); the cooperative solvers use their own default,
        relative to the game's scale.

    Returns
    -------
    CoalitionAnalysis

    Examples
    --------
    >>> from dealsim.scenario import loads
    >>> result = coalition_analysis(loads(EXAMPLE_TOML))
    >>> {p: round(x, 6) for p, x in result.shapley.items()}
    {'p': 1.166667, 'q': 1.166667, 'r': 0.666667}
    >>> result.core["empty"], {p: round(x, 6) for p, x in result.nucleolus.items()}
    (True, {'p': 1.333333, 'q': 1.333333, 'r': 0.333333})
    >>> votes = result.bodies["council"]["votes"]["solutions"]["nash"]
    >>> votes["deal"], votes["approved"], votes["pivotal"]
    ({'package': 'C'}, True, ['p'])
    """
    params = dict(scenario.parameters if parameters is None else parameters)
    ids = scenario.party_ids
    k = len(ids)
    zone, v = coalition_game(scenario, params, chunk=chunk, tol=tol)
    order = sorted(range(1, 1 << k), key=lambda s: (s.bit_count(), s))
    coalitions = tuple(
        {
            "members": [p for i, p in enumerate(ids) if s >> i & 1],
            "zone_size": int(zone[s]),
            "worth": float(v[s]),
        }
        for s in order
    )
    c = core(v)
    scale = tolerance_scale(v)  # the game's, as the solvers' round-off is (1e-300 at the least)

    def clean(x: Any) -> dict[str, float]:  # round-off of the linear programmes -> exact 0
        x = np.asarray(x, dtype=float)
        return by_party(ids, np.where(np.abs(x) <= 1e-12 * scale, 0.0, x))

    return CoalitionAnalysis(
        parties=ids,
        coalitions=coalitions,
        shapley=clean(shapley_value(v)),
        core={
            "empty": c.empty,
            "point": None if c.point is None else clean(c.point),
            "epsilon": c.epsilon,
        },
        nucleolus=clean(nucleolus(v).point),
        bodies=_bodies(scenario, params, tol) if scenario.bodies else {},
        feasible=int(zone[0]),
        parameters={"tol": tol, "reservations": by_party(ids, scenario.reservations(params))},
    )


def _bodies(scenario: Scenario, params: dict[str, Any], tol: float) -> dict[str, Any]:
    """Power indices of every body, and the votes of those with ``accept`` on the key deals."""
    names, indices = _deals_that_matter(scenario, params, tol)
    space = DealSpace(scenario)
    codes = np.array(np.unravel_index(np.asarray(indices, dtype=np.int64), space.shape)).T
    columns = {**params, **space.columns(codes.reshape(-1, len(space.shape)))}
    out = {}
    for key, body in scenario.bodies.items():
        entry = body_power(body, file=scenario.file)
        entry["votes"] = None
        if body.accept:
            votes = body_votes(body, columns, len(indices))
            table: dict[str, dict[str, Any]] = {"solutions": {}, "proposals": {}}
            for (group, name), index, vote in zip(names, indices, votes, strict=True):
                table[group][name] = {"deal": space.deal(index), **vote}
            entry["votes"] = table
        out[key] = entry
    return out


def _deals_that_matter(
    scenario: Scenario, params: dict[str, Any], tol: float
) -> tuple[list[tuple[str, str]], list[int]]:
    """``(group, name)`` and flat index of the bargaining solutions and named proposals."""
    names: list[tuple[str, str]] = []
    indices: list[int] = []
    zc = compute_zone(scenario, params, tol=tol)
    for name, s in unconstrained_solutions(zc, scenario).items():
        names.append(("solutions", name))
        indices.append(int(zc.zone_frontier[s.index]))
    shape = zc.space.shape
    for key, proposal in (getattr(scenario, "proposals", None) or {}).items():
        names.append(("proposals", key))
        indices.append(int(np.ravel_multi_index(tuple(proposal.codes), shape)))
    return names, indices


def coalitions_document(scenario: Scenario, result: CoalitionAnalysis) -> dict[str, Any]:
    """The JSON document of ``dealsim coalitions --format json``.

    Keys: ``dealsim_version``, ``scenario`` (``name``, ``sha256``, ``file``), ``parties``,
    ``assumptions``, ``reservations``, ``feasible_deals``, ``coalitions`` (list of
    ``{members, zone_size, worth}``), ``shapley``, ``core`` (``{empty, point, epsilon}``),
    ``nucleolus`` and ``bodies``.

    Examples
    --------
    >>> from dealsim.scenario import loads
    >>> s = loads(EXAMPLE_TOML)
    >>> doc = coalitions_document(s, coalition_analysis(s))
    >>> doc["coalitions"][-1], doc["core"]["point"]
    ({'members': ['p', 'q', 'r'], 'zone_size': 1, 'worth': 3.0}, None)
    """
    from dealsim._results import to_plain
    from dealsim._version import __version__

    return {
        "dealsim_version": __version__,
        "scenario": {"name": scenario.name, "sha256": scenario.sha256, "file": scenario.file},
        "parties": list(result.parties),
        "assumptions": list(result.assumptions),
        "reservations": result.parameters["reservations"],
        "feasible_deals": result.feasible,
        "coalitions": to_plain(result.coalitions),
        "shapley": result.shapley,
        "core": to_plain(result.core),
        "nucleolus": result.nucleolus,
        "bodies": to_plain(result.bodies),
    }


def render_coalitions(document: Mapping[str, Any]) -> str:
    """The text report of ``dealsim coalitions``.

    Examples
    --------
    >>> from dealsim.scenario import loads
    >>> s = loads(EXAMPLE_TOML)
    >>> print(render_coalitions(coalitions_document(s, coalition_analysis(s))).splitlines()[0])
    Coalitions of three parties, four packages: 4 feasible deals
    """
    from dealsim._format import format_deal, format_number, table

    ids = document["parties"]
    lines = [
        f"Coalitions of {document['scenario']['name']}: {document['feasible_deals']:,} "
        "feasible deals",
        "Assumptions:",
        *(f"  - {a}" for a in document["assumptions"]),
        "",
    ]
    rows = [["coalition", "deals all accept", "worth v(S)"]]
    rows += [
        ["{" + ", ".join(c["members"]) + "}", f"{c['zone_size']:,}", format_number(c["worth"])]
        for c in document["coalitions"]
    ]
    lines += table(rows)
    core_ = document["core"]
    point = core_["point"]
    rows = [["", *ids], ["Shapley value", *(format_number(document["shapley"][p]) for p in ids)]]
    rows.append(
        ["core", *(format_number(point[p]) for p in ids)]
        if point is not None
        else ["core", *(["-"] * len(ids))]
    )
    rows.append(["nucleolus", *(format_number(document["nucleolus"][p]) for p in ids)])
    lines += ["", *table(rows)]
    lines += [
        "  models: Shapley value (Shapley 1953); core (Gillies 1959); nucleolus (Schmeidler 1969,",
        "          by the linear programmes of Maschler, Peleg & Shapley 1979) (docs/models.md)",
    ]
    if core_["empty"]:
        lines.append(
            "  the core is empty: some coalition is worth more than it can be given "
            f"(least-core epsilon {format_number(core_['epsilon'])})"
        )
    for key, body in document["bodies"].items():
        veto = f"; veto: {', '.join(body['veto'])}" if body["veto"] else ""
        lines += [
            "",
            f"Body {key}: {body['label']} (quota {body['quota_text']} of "
            f"{format_number(body['total_weight'])} votes{veto})",
        ]
        if body["source"]:
            lines.append(f"  source: {body['source']}")
        lines.append("  power indices: Shapley-Shubik (Shapley & Shubik 1954); Banzhaf (1965)")
        rows = [["member", "weight", "Shapley-Shubik", "Banzhaf"]]
        rows += [
            [m, format_number(e["weight"]), f"{e['shapley_shubik']:.4f}", f"{e['banzhaf']:.4f}"]
            for m, e in body["members"].items()
        ]
        lines += table(rows)
        if body["votes"] is None:
            lines.append("  (no 'accept' conditions: its votes on deals are not modelled)")
            continue
        for group, entries in body["votes"].items():
            for name, vote in entries.items():
                outcome = "approves" if vote["approved"] else "rejects"
                pivotal = ", ".join(vote["pivotal"]) or "none"
                if vote["vetoed_by"]:
                    outcome += f" (vetoed by {', '.join(vote['vetoed_by'])})"
                lines.append(
                    f"  {group[:-1]} {name} ({format_deal(vote['deal'])}): {outcome}; "
                    f"yes: {', '.join(vote['yes']) or 'none'}; pivotal: {pivotal}"
                )
    return "\n".join(lines) + "\n"


EXAMPLE_TOML = """
[scenario]
name = "three parties, four packages"
[parties.p]
reservation = 1
[parties.q]
reservation = 1
[parties.r]
reservation = 1
[issues.package]
levels = ["A", "B", "C", "D"]
[payoffs.p]
weights = { package = 1 }
package = { A = 5, B = 0, C = 2, D = 3 }
[payoffs.q]
weights = { package = 1 }
package = { A = 2, B = 3, C = 2, D = 0 }
[payoffs.r]
weights = { package = 1 }
package = { A = 0, B = 3, C = 2, D = 3 }
[bodies.council]
label = "Council"
members = { p = 2, q = 1, r = 1 }
quota = 3
source = "illustration"
[bodies.council.accept]
p = 'package == "A" or package == "C"'
q = 'package != "D"'
r = 'package != "A"'
"""
"""Three parties and four packages, hand-worked in the tests (for the examples)."""
