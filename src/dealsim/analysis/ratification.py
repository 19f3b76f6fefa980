"""Ratification over a scenario's deals: win-sets, ratification probabilities, tied hands.

The pipeline calls it lazily (see ``dealsim.pipeline.ANALYSES``) with the scenario and the
:class:`~dealsim.zone.ZoneComputation` of the solve; the report calls the ``render_*`` function.
As it appears in the JSON:

**ratification**: per ratifying party (and ``joint`` for several), computed over the feasible
deals: the win-set (``require``, or ``P >= threshold`` for a curve), its overlap with the
agreement zone, and the five bargaining solutions (weights = powers for weighted Nash) over the
zone restricted by ratification. In ``mode = "constraint"`` the zone is cut to the win-set; in
``mode = "expected_utility"`` each zone deal is valued ``P u + (1 - P) reservation`` (``P`` the
probability of ratification, votes independent) and deals with ``P = 0`` drop out. The
solutions are decided with the solve's ``tol`` times the zone's scale, as the zone is: every zone
deal left counts as individually rational, and a gap the zone counts as a tie is one there too.

For a logistic curve, the curve gives the approval *share* ``s`` and ``P`` is the probability
that the vote passes, ``Phi((s - threshold) / poll_error)``; the per-party entry reports
``unconstrained_nash_approval`` (``s`` at the unconstrained Nash deal) beside
``unconstrained_nash_probability`` (its ``P``), and ``zone_probability_range`` (``P`` over the
zone).

Tied hands (Schelling 1960; Putnam 1988) compares like with like: ``tied_hands_shifts`` gives,
for each bargaining solution, the constrained party's value of the constrained deal minus its
value of the unconstrained deal of the same solution, both as utilities in constraint mode and
both as expected utilities ``P u + (1 - P) reservation`` in expected-utility mode;
``tied_hands_shift`` is the Nash entry (``deal_disappears`` when the zone is non-empty but no
deal is left). A shift whose sign changes across solutions is a fragile finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim.analysis._deals import SolveIntermediates, by_party, deal_entry
from dealsim.solvers.bargaining import all_bargaining_solutions
from dealsim.solvers.pareto import pareto_mask
from dealsim.solvers.ratification import expected_utilities

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.results import SolveResult
    from dealsim.scenario.model import Scenario
    from dealsim.zone import ZoneComputation

__all__ = ["RatificationAnalysis", "ratification_analysis", "render_ratification"]


@dataclass(frozen=True)
class RatificationAnalysis(ResultMixin):
    """Win-sets and ratification-constrained bargaining solutions (Putnam's two-level game).

    Attributes
    ----------
    parties : dict
        Per ratifying party: its rule applied alone (module docstring).
    joint : dict or None
        Every ratifying party's rule together (``None`` with a single ratifying party).
    unconstrained_nash : dict or None
        The Nash solution over the agreement zone without ratification.
    """

    parties: dict[str, dict[str, Any]]
    joint: dict[str, Any] | None
    unconstrained_nash: dict[str, Any] | None
    method: str = "putnam/two_level"
    parameters: dict[str, Any] = field(default_factory=dict)


_OBJECTIVES = {
    "constraint": "bargaining over the zone deals inside the win-set",
    "expected_utility": "each deal valued P*u + (1-P)*reservation, P = ratification probability",
}


def ratification_analysis(
    scenario: Scenario, zc: ZoneComputation, *, shared: SolveIntermediates | None = None
) -> RatificationAnalysis:
    """Win-sets, their overlap with the zone, constrained solutions and the tied-hands shift.

    Parameters
    ----------
    scenario : Scenario
        A scenario with ``[ratification.<party>]`` sections.
    zc : ZoneComputation
    shared : SolveIntermediates, optional
        The feasible deals and bargaining solutions of this solve, computed once for every
        analysis (the pipeline passes it); made here when not given.

    Returns
    -------
    RatificationAnalysis

    Examples
    --------
    >>> from dealsim.zone import compute_zone
    >>> from dealsim.scenario import loads
    >>> from dealsim.analysis._deals import EXAMPLE_TOML
    >>> s = loads(EXAMPLE_TOML)
    >>> b = ratification_analysis(s, compute_zone(s)).parties["b"]
    >>> b["solutions"]["nash"]["deal"], round(b["tied_hands_shift"], 12)
    ({'share': 0.5}, 0.075)
    """
    if shared is None:
        shared = SolveIntermediates(scenario, zc)
    deals = shared.deals
    ids = scenario.party_ids
    n = deals.size
    base = shared.solutions
    uncon = None
    base_rows: dict[str, int] = {}
    if base:
        row = base["nash"].index
        uncon = deal_entry(zc, zc.zone_frontier[row], zc.zone_frontier_utilities[row])
        base_rows = {  # rows of the feasible deals (deals.indices is sorted)
            name: int(np.searchsorted(deals.indices, zc.zone_frontier[sol.index]))
            for name, sol in base.items()
        }
    evaluated = {}
    for party, rule in scenario.ratification.items():
        evaluated[party] = (
            rule,
            rule.probabilities(deals.columns, n),
            rule.win_set(deals.columns, n),
            rule.shares(deals.columns, n),
        )
    per_party = {
        party: _ratified(scenario, zc, deals, [evaluated[party]], uncon, base_rows, party)
        for party in evaluated
    }
    joint = None
    if len(evaluated) > 1:
        joint = _ratified(scenario, zc, deals, list(evaluated.values()), uncon, base_rows, None)
    return RatificationAnalysis(
        parties=per_party,
        joint=joint,
        unconstrained_nash=uncon,
        parameters={"weights": by_party(ids, scenario.powers()), "tol": zc.tol},
    )


def _ratified(scenario, zc, deals, rules, uncon, base_rows, party) -> dict[str, Any]:
    ids = scenario.party_ids
    d = zc.reservations
    n = deals.size
    allowed = deals.zone.copy()
    p_expected = np.ones(n)
    p_all = np.ones(n)
    in_all = np.ones(n, dtype=bool)
    for rule, prob, wins, _ in rules:
        in_all &= wins
        p_all = p_all * prob
        if rule.mode == "constraint":
            allowed &= wins
        else:
            p_expected = p_expected * prob
    allowed &= p_expected > 0
    eu_mode = any(rule.mode == "expected_utility" for rule, *_ in rules)
    objective = expected_utilities(deals.utilities, d, p_expected) if eu_mode else deals.utilities
    solutions: dict[str, Any] = dict.fromkeys(("nash", "weighted_nash", "kalai_smorodinsky",
                                               "egalitarian", "utilitarian"))  # fmt: skip
    rows = np.flatnonzero(allowed)
    if rows.size:
        front = rows[pareto_mask(objective[rows], tol=zc.tol, scale=zc.scale)]
        # judged on the zone's scale, as the zone and this frontier are: every allowed zone deal
        # is individually rational, and a gap the zone counts as a tie is one here too
        found = all_bargaining_solutions(
            objective[front], d, weights=scenario.powers(), tol=zc.tol, scale=zc.scale
        )
        for name, s in found.items():
            r = front[s.index]
            extra = {"ratification_probability": float(p_all[r])}
            if eu_mode:
                extra["expected_utilities"] = by_party(ids, objective[r])
            solutions[name] = deal_entry(zc, deals.indices[r], deals.utilities[r], **extra)
    nash = solutions["nash"]
    shifts: dict[str, Any] = {}
    for name, sol in solutions.items():
        if sol is None or name not in base_rows:
            shifts[name] = None
            continue
        r = int(np.searchsorted(deals.indices, sol["index"]))
        delta = dict(zip(ids, objective[r] - objective[base_rows[name]], strict=True))
        delta = {q: float(v) for q, v in delta.items()}
        shifts[name] = delta[party] if party is not None else delta
    entry: dict[str, Any] = {
        "mode": rules[0][0].mode if len(rules) == 1 else sorted({r.mode for r, *_ in rules}),
        "objective": "; ".join(sorted({_OBJECTIVES[r.mode] for r, *_ in rules})),
        "win_set_size": int(in_all.sum()),
        "win_set_share": float(in_all.mean()) if n else 0.0,
        "zone_overlap": int((in_all & deals.zone).sum()),
        "overlap": bool(np.any(in_all & deals.zone)),
        "solutions": solutions,
        "tied_hands_shift": shifts.get("nash"),
        "tied_hands_shifts": shifts,
        "tied_hands_compares": "expected utilities" if eu_mode else "utilities",
        "deal_disappears": bool(uncon is not None and nash is None),
    }
    if len(rules) == 1:
        rule, prob, _, share = rules[0]
        entry.update(label=rule.label, source=rule.source)
        if rule.poll_error is not None:
            entry["poll_error"] = float(scenario.resolve(rule.poll_error, zc.model.parameters))
        entry["threshold"] = float(scenario.resolve(rule.threshold, zc.model.parameters))
        if rule.require is None and deals.zone.any():
            zone_p = prob[deals.zone]
            entry["zone_probability_range"] = [float(zone_p.min()), float(zone_p.max())]
        if uncon is not None:
            r = np.flatnonzero(deals.indices == uncon["index"])[0]
            entry["unconstrained_nash_probability"] = float(prob[r])
            if rule.require is None:
                entry["unconstrained_nash_approval"] = float(share[r])
    return entry


def render_ratification(result: RatificationAnalysis, solve_result: SolveResult) -> list[str]:
    """Text lines of the ratification section of the report.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.scenario import loads
    >>> from dealsim.analysis._deals import EXAMPLE_TOML
    >>> solved = dealsim.solve(loads(EXAMPLE_TOML))
    >>> print("\\n".join(render_ratification(solved.analyses["ratification"], solved)[:2]))
    Ratification (two-level game): what each side's domestic politics would ratify
      b: win-set 101 of 201 feasible deals (50.2%); 11 in the agreement zone
    """
    from dealsim._format import format_deal, format_fixed

    lines = ["Ratification (two-level game): what each side's domestic politics would ratify"]
    reservations = [abs(r) for r in solve_result.reservations.values()]
    entries = list(result.parties.items())
    if result.joint is not None:
        entries.append(("all together", result.joint))
    for name, e in entries:
        lines.append(
            f"  {name}: win-set {e['win_set_size']:,} of {solve_result.agreement_zone.feasible:,} "
            f"feasible deals ({e['win_set_share']:.1%}); {e['zone_overlap']:,} in the agreement "
            "zone"
        )
        lines.append(f"    mode {e['mode']}: {e['objective']}")
        if "poll_error" in e:
            lines.append(
                f"    P(pass) = Phi((approval share - {e['threshold']:g}) / {e['poll_error']:g}), "
                "the poll and turnout error"
            )
        if "zone_probability_range" in e:
            lo, hi = e["zone_probability_range"]
            lines.append(f"    ratification probability over the zone: {lo:.3f}..{hi:.3f}")
        if "unconstrained_nash_approval" in e:
            lines.append(
                "    unconstrained Nash deal: predicted approval share "
                f"{e['unconstrained_nash_approval']:.3f}, passes with probability "
                f"{e['unconstrained_nash_probability']:.3f}"
            )
        elif "unconstrained_nash_probability" in e:
            lines.append(
                "    probability of ratifying the unconstrained Nash deal: "
                f"{e['unconstrained_nash_probability']:.3f}"
            )
        nash = e["solutions"]["nash"]
        if nash is None:
            if e["deal_disappears"]:
                lines.append("    the deal disappears: no zone deal survives ratification")
            continue
        lines.append(f"    constrained Nash: {format_deal(nash['deal'])}")
        scale = max(reservations + [abs(v) for v in nash["utilities"].values()])
        lines.append(
            "      utilities: "
            + ", ".join(f"{k} {format_fixed(v, scale)}" for k, v in nash["utilities"].items())
            + f"; ratified with probability {nash['ratification_probability']:.3f}"
        )  # fmt: skip
        shifts = {k: v for k, v in e["tied_hands_shifts"].items() if v is not None}
        compared = e["tied_hands_compares"]
        if shifts and all(isinstance(v, float) for v in shifts.values()):
            lines.append(
                f"    tied hands ({compared}, constrained minus unconstrained deal of each "
                f"solution), {name}: "
                + ", ".join(f"{k} {format_fixed(v, scale, signed=True)}" for k, v in shifts.items())
            )  # fmt: skip
            # a shift within 1e-12 of the utilities' scale is 0 (rounding), at any scale
            signs = {np.sign(v) if abs(v) > 1e-12 * scale else 0.0 for v in shifts.values()}
            if len(signs) > 1:
                lines.append(
                    "    the sign of the tied-hands shift depends on the bargaining solution: "
                    "a fragile finding"
                )
        elif shifts:
            for k, v in shifts.items():
                lines.append(
                    f"    change in {compared} vs unconstrained {k}: "
                    + ", ".join(f"{q} {format_fixed(x, scale, signed=True)}" for q, x in v.items())
                )
    return lines
