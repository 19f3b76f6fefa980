"""The plain-text report that ``dealsim solve`` prints."""

from __future__ import annotations

from dealsim._format import format_deal, format_number, table
from dealsim.results import SolveResult

__all__ = ["SECTIONS", "format_deal", "format_number", "render_report", "table"]

SECTIONS: dict[str, str] = {
    "war": "dealsim.analysis.war:render_war",
    "alternating_offers": "dealsim.analysis.alternating_offers:render_alternating_offers",
    "ratification": "dealsim.analysis.ratification:render_ratification",
    "games": "dealsim.analysis.equilibrium_report:render_games",
    "proposals": "dealsim.analysis.proposals:render_proposals",
    "actual": "dealsim.analysis.retrodiction:render_actual",
}
"""Text renderers of optional analyses, keyed like ``SolveResult.analyses``: "module:function",
each taking ``(analysis_result, solve_result)`` and returning lines of text."""

_SOLUTION_TITLES = {
    "nash": "Nash",
    "weighted_nash": "Weighted Nash",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "egalitarian": "Egalitarian",
    "utilitarian": "Utilitarian",
}


def _solutions_table(result: SolveResult) -> list[str]:
    found = {name: s for name, s in result.solutions.items() if s is not None}
    if not found:
        return ["  none: the zone is empty"]
    rows: list[list[str]] = [["", *(_SOLUTION_TITLES.get(name, name) for name in found)]]
    for p in result.parties:
        rows.append([f"{p} utility", *(f"{s.utilities[p]:.4f}" for s in found.values())])
    rows.append([])
    for issue_id in result.deal_space["issues"]:
        rows.append([issue_id, *(format_number(s.deal[issue_id]) for s in found.values())])
    return table(rows)


def render_report(result: SolveResult) -> str:
    """The human-readable report of a solve.

    Examples
    --------
    >>> import dealsim
    >>> text = render_report(dealsim.solve(dealsim.load("logroll")))
    >>> print(text.splitlines()[0])
    Two-issue logroll
    """
    lines: list[str] = [result.scenario_name, "=" * len(result.scenario_name)]
    if result.scenario_file:
        lines.append(f"file: {result.scenario_file}  (sha256 {result.scenario_sha256[:12]}…)")
    lines.append(f"dealsim {result.dealsim_version}")
    if result.parameters:
        lines.append("parameters: " + format_deal(result.parameters))
    lines.append("")
    labels = result.party_labels
    lines.append("Parties (reservation = utility of no deal; power = bargaining weight)")
    for p in result.parties:
        lines.append(
            f"  {p:<12} {labels[p]:<28} reservation {format_number(result.reservations[p]):>7}"
            f"   power {format_number(result.powers[p])}"
        )
    lines.append("")
    space = result.deal_space
    lines.append(f"Deal space: {space['size']:,} deals over {len(space['issues'])} issues")
    for issue_id, issue in space["issues"].items():
        if issue["kind"] == "range":
            lo, hi = issue["range"]
            unit = f" {issue['unit']}" if issue.get("unit") else ""
            what = f"{format_number(lo)}..{format_number(hi)}{unit} in {issue['steps']} steps"
        else:
            what = " | ".join(format_number(v) for v in issue["levels"])
        lines.append(f"  {issue_id:<22} {what}")
    lines.append("")
    zone = result.agreement_zone
    lines.append("Zone of possible agreement")
    if zone.constraint_violations:
        infeasible = space["size"] - zone.feasible
        lines.append(
            f"  feasible deals: {zone.feasible:,} ({infeasible:,} ruled out by constraints)"
        )
        for label, count in zone.constraint_violations.items():
            lines.append(f"    - {label}: rules out {count:,}")
    if zone.empty:
        lines.append("  EMPTY: no deal is acceptable to all parties.")
    else:
        lines.append(f"  {zone.size:,} deals ({zone.share:.2%} of the space) are acceptable to all")
        lines.append("  issue ranges inside the zone:")
        for issue_id, values in zone.issue_ranges.items():
            if space["issues"][issue_id]["kind"] == "range":
                shown = f"{format_number(values[0])}..{format_number(values[1])}"
            else:
                shown = " | ".join(format_number(v) for v in values)
            lines.append(f"    {issue_id:<22} {shown}")
    lines.append("  who blocks (feasible deals the party alone rejects / rejects at all):")
    for p in result.parties:
        lines.append(f"    {p:<12} {zone.blocking[p]:>9,} / {zone.rejecting[p]:,}")
    lines.append("")
    frontier = result.pareto_frontier
    lines.append(
        f"Pareto frontier: {frontier.size:,} deals in the zone"
        f" ({result.feasible_frontier.size:,} over all feasible deals)"
    )
    lines.append("")
    lines.append("Bargaining solutions (over the zone; the best deal on the grid)")
    lines.extend(_solutions_table(result))
    for key, analysis in result.analyses.items():
        if key in SECTIONS:
            from dealsim.pipeline import load_function

            lines.append("")
            lines.extend(load_function(SECTIONS[key])(analysis, result))
    return "\n".join(lines) + "\n"
