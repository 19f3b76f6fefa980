"""The plain-text report that ``dealsim solve`` prints: a summary first, then the detail."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np

from dealsim._format import format_deal, format_number, plural, table
from dealsim.results import SOLUTION_TITLES, SolveResult

__all__ = [
    "SECTIONS",
    "SOLUTION_MODELS",
    "format_deal",
    "format_number",
    "level_text",
    "render_report",
    "render_summary",
    "solution_groups",
    "summary",
    "table",
    "tied_deals",
]

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

SOLUTION_MODELS = (
    "Nash (Nash 1950); weighted Nash, the parties' powers as exponents; Kalai-Smorodinsky "
    "(Kalai & Smorodinsky 1975); egalitarian (Kalai 1977); utilitarian, the largest total "
    "utility (docs/models.md)"
)
"""The models behind the bargaining solutions, with their sources (as docs/models.md): the text
report and the HTML report print it under their solutions."""
_SOLUTION_SOURCES = textwrap.wrap(
    SOLUTION_MODELS,
    90,
    initial_indent="  models: ",
    subsequent_indent=" " * 10,
    break_on_hyphens=False,
)

_CRITERIA = {
    "nash": "the product of gains",
    "weighted_nash": "the weighted product of gains",
    "egalitarian": "the smallest gain",
    "utilitarian": "the total utility",
}


def level_text(issue: dict[str, Any], value: Any) -> str:
    """A term of a deal in words: the level's label if the scenario gives one, else the level
    with spaces for underscores (booleans as yes/no); numbers with the issue's unit.

    Examples
    --------
    >>> level_text({"kind": "levels"}, "fez_neutral_force"), level_text({"kind": "levels"}, True)
    ('fez neutral force', 'yes')
    >>> level_text({"kind": "range", "unit": "$bn"}, 800.0)
    '800 $bn'
    """
    labels = issue.get("level_labels") or {}
    if str(value) in labels:
        return str(labels[str(value)])
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        unit = issue.get("unit")
        return f"{format_number(float(value))} {unit}" if unit else format_number(float(value))
    return str(value).replace("_", " ")


def _issue_label(space: dict[str, Any], issue_id: str) -> str:
    return space["issues"][issue_id].get("label") or issue_id


def solution_groups(result: SolveResult) -> list[list[str]]:
    """The solutions found, grouped when they pick the same deal (report order kept).

    Examples
    --------
    >>> import dealsim
    >>> solution_groups(dealsim.solve(dealsim.load("split-linear")))
    [['nash', 'weighted_nash', 'kalai_smorodinsky', 'egalitarian'], ['utilitarian']]
    """
    groups: dict[int, list[str]] = {}
    for name, s in result.solutions.items():
        if s is not None:
            groups.setdefault(s.index, []).append(name)
    return list(groups.values())


def tied_deals(result: SolveResult, name: str, *, rtol: float = 1e-9) -> int:
    """How many deals of the zone's Pareto frontier tie with the solution on its criterion.

    The Nash, weighted Nash, egalitarian and utilitarian solutions maximise a criterion, and their
    answer always lies on the frontier; when several frontier deals reach the maximum (the total
    utility of a constant-sum split is the same everywhere), the solver's tie-break picked one of
    them, and the report should say so. Kalai-Smorodinsky (a direction, not a maximum) gives 1.
    Ties are decided relative to the spread of the utilities; a Nash tie is a log product within
    ``rtol`` times the sum of the exponents over the largest (a relative difference of the
    product, as :func:`dealsim.solvers.bargaining.nash_bargaining_solution` ties), so the count
    does not depend on the utilities' units.

    Examples
    --------
    >>> import dealsim
    >>> result = dealsim.solve(dealsim.load("split-linear"))
    >>> tied_deals(result, "utilitarian"), tied_deals(result, "nash")
    (51, 1)
    """
    solution = result.solutions.get(name)
    if solution is None or name not in _CRITERIA or not result.pareto_frontier.utilities:
        return 0 if solution is None else 1
    parties = list(result.parties)
    u = np.array([[row[p] for p in parties] for row in result.pareto_frontier.utilities])
    d = np.array([result.reservations[p] for p in parties])
    gains = u - d
    scale = max(float(np.ptp(u)), float(np.abs(u).max()), 1e-300)
    if name == "utilitarian":
        score, tol = u.sum(axis=1), rtol * scale * len(parties)
    elif name == "egalitarian":
        score, tol = gains.min(axis=1), rtol * scale
    else:
        weights = np.ones(len(parties))
        if name == "weighted_nash":
            given = solution.parameters.get("weights", {})
            weights = np.array([float(given.get(p, 1.0)) for p in parties])
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(
                (gains > 0).all(axis=1), (weights * np.log(gains)).sum(axis=1), -np.inf
            )
        # not relative to |score|: multiplying the utilities by s adds sum(w) log(s) to it
        tol = rtol * float(weights.sum() / weights.max())
    best = float(np.max(score))
    if not np.isfinite(best):
        return 1
    return max(1, int(np.sum(score >= best - tol)))


def _group_title(names: list[str]) -> str:
    titles = [SOLUTION_TITLES.get(n, n) for n in names]
    if len(titles) == 1:
        return titles[0]
    return ", ".join(titles[:-1]) + " and " + titles[-1]


def _solutions_table(result: SolveResult) -> list[str]:
    groups = solution_groups(result)
    if not groups:
        return ["  none: the zone is empty"]
    found = [result.solutions[g[0]] for g in groups]
    depth = max(len(g) for g in groups)
    rows: list[list[str]] = []
    for level in range(depth):  # coinciding solutions share one column, named one per line
        rows.append(
            [""]
            + [
                ("" if level == 0 else "= ") + SOLUTION_TITLES.get(g[level], g[level])
                if level < len(g)
                else ""
                for g in groups
            ]
        )
    labels = result.party_labels
    for p in result.parties:
        rows.append(
            [f"{labels.get(p, p)} utility", *(format_number(float(s.utilities[p])) for s in found)]
        )
    rows.append([])
    space = result.deal_space
    for issue_id, issue in space["issues"].items():
        rows.append(
            [_issue_label(space, issue_id), *(level_text(issue, s.deal[issue_id]) for s in found)]
        )
    return table(rows)


def summary(result: SolveResult) -> dict[str, Any]:
    """The answer in a few facts: the zone, the recommended deals, what blocks, game outcomes.

    Keys: ``zone`` (``exists``, ``size``, ``feasible``, ``space``, ``share``), ``deals`` (one
    entry per group of solutions that pick the same deal: ``solutions``, ``title``,
    ``terms`` as ``(issue label, term in words)``, ``utilities`` by party label, ``ties``: how
    many frontier deals tie with it when every solution of the group is a tie-break's pick, and
    ``criterion``: the solution whose criterion ties),
    ``blocking`` (``(party label, feasible deals it alone rejects, feasible deals it rejects)``,
    largest first, parties that block nothing left out) and ``games`` (``(game label, outcome
    in words)``). The text and the HTML report both render it.

    Examples
    --------
    >>> import dealsim
    >>> facts = summary(dealsim.solve(dealsim.load("logroll")))
    >>> facts["zone"]["exists"], facts["deals"][0]["title"]
    (True, 'Nash, Weighted Nash, Kalai-Smorodinsky, Egalitarian and Utilitarian')
    """
    zone = result.agreement_zone
    space = result.deal_space
    labels = result.party_labels
    deals = []
    for group in solution_groups(result):
        s = result.solutions[group[0]]
        deals.append(
            {
                "solutions": group,
                "title": _group_title(group),
                "terms": [
                    (_issue_label(space, i), level_text(issue, s.deal[i]))
                    for i, issue in space["issues"].items()
                ],
                "utilities": {labels.get(p, p): float(s.utilities[p]) for p in result.parties},
                "ties": min(tied_deals(result, n) for n in group),
                "criterion": min(
                    (n for n in group if n in _CRITERIA),
                    key=lambda n: tied_deals(result, n),
                    default=None,
                ),
            }
        )
    blocking = sorted(
        (
            (labels.get(p, p), int(zone.blocking[p]), int(zone.rejecting[p]))
            for p in result.parties
            if zone.rejecting[p] > 0
        ),
        key=lambda row: -row[1],
    )
    games = []
    analysis = result.analyses.get("games")
    if analysis is not None:
        for game in analysis.to_dict().values():
            if not isinstance(game, dict) or not game.get("outcomes"):
                continue
            outcomes = sorted(game["outcomes"].items(), key=lambda kv: -kv[1])
            words = "; ".join(
                k.replace("_", " ") + ("" if math.isclose(v, 1.0) else f" (probability {v:.3g})")
                for k, v in outcomes
            )
            games.append((game.get("label") or "", words))
    return {
        "zone": {
            "exists": not zone.empty,
            "size": int(zone.size),
            "feasible": int(zone.feasible),
            "space": int(space["size"]),
            "share": float(zone.share),
        },
        "deals": deals,
        "blocking": blocking,
        "games": games,
    }


def render_summary(result: SolveResult) -> list[str]:
    """The summary that opens the text report, as lines.

    Examples
    --------
    >>> import dealsim
    >>> print("\\n".join(render_summary(dealsim.solve(dealsim.load("split-linear")))[:3]))
    Summary
      A zone of possible agreement exists: 51 of the 201 feasible deals (25.37% of all 201 deals)
      are acceptable to every party.
    """
    facts = summary(result)
    z = facts["zone"]
    lines = ["Summary"]
    if z["exists"]:
        lines.append(
            f"  A zone of possible agreement exists: {z['size']:,} of the {z['feasible']:,} "
            f"feasible deals ({z['share']:.2%} of all {plural(z['space'], 'deal')})"
        )
        lines.append("  are acceptable to every party.")
    else:
        lines.append(
            f"  No zone of possible agreement: none of the {plural(z['feasible'], 'feasible deal')}"
            " is acceptable to every party."
        )
    for n, deal in enumerate(facts["deals"]):
        solutions = "solution" if len(deal["solutions"]) == 1 else "solutions"
        head = "Recommended deal" if n == 0 else "Another deal"
        lines.append(f"  {head} ({deal['title']} {solutions}):")
        if deal["ties"] > 1:
            lines.append(
                f"    (one of {deal['ties']} frontier deals that tie on"
                f" {_CRITERIA[deal['criterion']]}: the tie-break's pick, not a distinct answer)"
            )
        lines.extend(f"    {label}: {term}" for label, term in deal["terms"])
        lines.append(
            "    utilities: "
            + ", ".join(f"{k} {format_number(v)}" for k, v in deal["utilities"].items())
        )
    if facts["blocking"]:
        lines.append(
            "  What blocks (of the feasible deals, those only this party rejects, and all it"
            " rejects):"
        )
        for label, alone, rejects in facts["blocking"]:
            lines.append(f"    {label}: alone blocks {alone:,}; rejects {rejects:,} in all")
    if facts["games"]:
        lines.append("  Game outcomes (equilibrium):")
        lines.extend(f"    {label} → {words}" for label, words in facts["games"])
    return lines


def render_report(result: SolveResult) -> str:
    """The human-readable report of a solve: a summary first, then the detail.

    Examples
    --------
    >>> import dealsim
    >>> text = render_report(dealsim.solve(dealsim.load("logroll")))
    >>> print(text.splitlines()[0])
    Two-issue logroll
    >>> text.splitlines()[2]
    'Summary'
    """
    lines: list[str] = [result.scenario_name, "=" * len(result.scenario_name)]
    lines.extend(render_summary(result))
    lines.append("")
    lines.append("Details")
    lines.append("-------")
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
    lines.append(
        f"Deal space: {plural(space['size'], 'deal')} over {plural(len(space['issues']), 'issue')}"
    )
    for issue_id, issue in space["issues"].items():
        if issue["kind"] == "range":
            lo, hi = issue["range"]
            unit = f" {issue['unit']}" if issue.get("unit") else ""
            what = f"{format_number(lo)}..{format_number(hi)}{unit} in {issue['steps']} steps"
        else:
            what = " | ".join(level_text(issue, v) for v in issue["levels"])
        lines.append(f"  {_issue_label(space, issue_id)} ({issue_id}): {what}")
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
        lines.append(
            f"  {plural(zone.size, 'deal')} ({zone.share:.2%} of the space) are acceptable to all"
        )
        lines.append("  issue ranges inside the zone:")
        for issue_id, values in zone.issue_ranges.items():
            issue = space["issues"][issue_id]
            if issue["kind"] == "range":
                shown = f"{format_number(values[0])}..{format_number(values[1])}"
            else:
                shown = " | ".join(level_text(issue, v) for v in values)
            lines.append(f"    {_issue_label(space, issue_id)}: {shown}")
    lines.append(
        f"  who blocks: of the {plural(zone.feasible, 'feasible deal')}, those the party alone"
        " rejects (every other party accepts them) and those it rejects at all"
    )
    rows = [["", "alone", "at all"]]
    rows += [
        [f"  {labels.get(p, p)}", f"{zone.blocking[p]:,}", f"{zone.rejecting[p]:,}"]
        for p in result.parties
    ]
    lines.extend(table(rows))
    lines.append("")
    frontier = result.pareto_frontier
    lines.append(
        f"Pareto frontier: {plural(frontier.size, 'deal')} in the zone"
        f" ({result.feasible_frontier.size:,} over all feasible deals)"
    )
    lines.append("")
    lines.append("Bargaining solutions (over the zone; the best deal on the grid)")
    lines.extend(_SOLUTION_SOURCES)
    lines.extend(_solutions_table(result))
    if any(s is not None and s.continuous is not None for s in result.solutions.values()):
        from dealsim.analysis.refinement import render_continuous  # only when there is one

        lines.extend(render_continuous(result))
    for name in result.solutions:
        ties = tied_deals(result, name)
        if ties > 1:
            lines.append(
                f"  note: {SOLUTION_TITLES[name]}: {ties} frontier deals tie on"
                f" {_CRITERIA[name]}; the column shows the tie-break's pick"
            )
    for key, analysis in result.analyses.items():
        if key in SECTIONS:
            from dealsim.pipeline import load_function

            lines.append("")
            lines.extend(load_function(SECTIONS[key])(analysis, result))
    return "\n".join(lines) + "\n"
