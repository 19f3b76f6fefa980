"""War over a scenario's deals: Fearon's bargaining range and the commitment problem.

The pipeline calls it lazily (see ``dealsim.pipeline.ANALYSES``) with the scenario and the
:class:`~dealsim.zone.ZoneComputation` of the solve; the report calls the ``render_*`` function.
As it appears in the JSON:

**war** (``[war]``): ``values`` is each belligerent's value of war ``p win + (1 - p) lose - cost``.
``preferred_to_war`` is the set of *feasible* deals that both belligerents weakly prefer to war
(utility at least the war value, within the solve's ``tol``; other parties are ignored): its size,
its share of the feasible deals, how many of them lie in the agreement zone, and the range of each
issue over it (``[lo, hi]`` for a range issue, the levels present otherwise). When the scenario has
a single range issue, ``bargaining_range`` is ``[lo, hi]`` of that issue over this set: for a
split between the belligerents this is Fearon's bargaining range on the grid. ``fearon_range`` is
the closed form for a unit prize, ``[p_A - c_A, p_A + c_B]`` as the first belligerent's share,
with costs in prize units ``c / (win - lose)``.

One cost convention: ``costs`` in the JSON are the file's utility units; every model uses the
cost *as a share of the stake*, ``c / (win - lose)`` (``fearon_range.costs_in_prize``,
``commitment.declining_cost_in_prize``), and the text prints only that ("cost 0.15 of the
stake").

Private information (``[war.private]``, see :mod:`dealsim.solvers.private_information`): one
belligerent's cost of war is known to it alone, its opponent knows a distribution; the proposer
makes a take-it-or-leave-it offer over the feasible deals. ``private_information`` gives the
``party`` (informed), the ``proposer``, the ``offer`` that maximises ``P(accept) u + (1 -
P(accept)) w`` (Fearon's risk–return trade-off; ``{index, deal, utilities}``), ``p_accept``,
``p_war``, ``expected_utilities`` of both (over the cost; the informed side's net of its expected
cost of war) and ``by_spread``: the same answer with the cost distribution contracted toward the
``[war] costs`` value of the informed party, ``c0 + s (c - c0)``, at spreads ``s`` in
:data:`SPREADS` (``s = 0`` is complete information: no war). Ties (an offer worth exactly war
to the informed side, offers of equal expected utility) are decided with the solve's ``tol``
times the zone's scale, as ``preferred_to_war`` is, so that at ``s = 0`` the informed side
accepts exactly the deals ``preferred_to_war`` counts for it.

The commitment problem (``[war.shift]``, see :mod:`dealsim.solvers.war`): each deal moves the
rising side's win probability from ``p1 = p`` to ``p2 = p1 + min(amount, cap)`` (clipped to
[0, 1]), ``cap`` the smallest ``max`` of the caps whose ``when`` holds (no cap: no limit).
``commitment.model`` names the model (``[war] commitment``): ``"infinite_horizon"`` (default,
Powell 2006), where the declining side prefers war now iff ``delta (p2 - p1) > (1 - delta)(p1 +
c)``, or ``"two_period"``, the truncation ``delta (p2 - p1) > p1 + (1 - delta) c``; ``c`` is its
cost as a share of the stake. Reported: how many feasible
and zone deals it would fight over (``prefers_war_now``), the zone deals that survive, the same
counts without the caps, the largest survivable shift, which bargaining solutions are at risk and
the Nash solution over the surviving zone deals (``self_enforcing_nash``), decided with the
solve's ``tol`` times the zone's scale, as the zone is: every surviving zone deal counts as
individually rational, and utility gaps the zone counts as ties are ties there too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim.analysis._deals import (
    SolveIntermediates,
    deal_entry,
    fmt,
    issue_ranges,
)
from dealsim.solvers.bargaining import weighted_nash_solution
from dealsim.solvers.pareto import pareto_mask
from dealsim.solvers.private_information import risk_return_offer
from dealsim.solvers.war import (
    COMMITMENT_MODELS,
    bargaining_range,
    commitment_problem,
    largest_survivable_shift,
)

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.results import SolveResult
    from dealsim.scenario.model import Scenario
    from dealsim.zone import ZoneComputation

__all__ = ["SPREADS", "WarAnalysis", "render_war", "war_analysis"]

SPREADS = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Spreads of the private cost distribution in ``private_information.by_spread`` (1 = as given)."""


@dataclass(frozen=True)
class WarAnalysis(ResultMixin):
    """War as a costly lottery, the deals both sides prefer to it, and the commitment problem.

    See the module docstring for the definitions of each field.
    """

    parties: tuple[str, str]
    p: dict[str, float]
    costs: dict[str, float]
    values: dict[str, float]
    fearon_range: dict[str, Any]
    preferred_to_war: dict[str, Any]
    bargaining_range: list[float] | None
    commitment: dict[str, Any] | None
    private_information: dict[str, Any] | None = None
    method: str = "fearon/powell"
    parameters: dict[str, Any] = field(default_factory=dict)


def war_analysis(
    scenario: Scenario, zc: ZoneComputation, *, shared: SolveIntermediates | None = None
) -> WarAnalysis:
    """Fearon's bargaining range and Powell's commitment problem over the scenario's deals.

    Parameters
    ----------
    scenario : Scenario
        A scenario with a ``[war]`` section.
    zc : ZoneComputation
        From :func:`dealsim.zone.compute_zone`.
    shared : SolveIntermediates, optional
        The feasible deals and bargaining solutions of this solve, computed once for every
        analysis (the pipeline passes it); made here when not given.

    Returns
    -------
    WarAnalysis

    Examples
    --------
    >>> from dealsim.zone import compute_zone
    >>> from dealsim.scenario import loads
    >>> from dealsim.analysis._deals import EXAMPLE_TOML
    >>> s = loads(EXAMPLE_TOML)
    >>> result = war_analysis(s, compute_zone(s))
    >>> result.bargaining_range
    [0.45, 0.7]
    >>> result.commitment["model"], round(result.commitment["largest_survivable_shift"], 4)
    ('infinite_horizon', 0.0611)
    >>> result.commitment["prefers_war_now"], result.commitment["prefers_war_now_without_caps"]
    (101, 101)
    """
    war = scenario.war
    params = zc.model.parameters
    a, b = war.parties
    ids = scenario.party_ids
    p = {q: float(war.probability(q, params)) for q in war.parties}
    costs = {q: float(war.cost(q, params)) for q in war.parties}
    values = {q: float(war.value_of(q, params)) for q in war.parties}
    spans = {q: float(np.subtract(*war.stakes(q, params))) for q in war.parties}
    prize_cost = {q: costs[q] / spans[q] for q in war.parties}
    fr = bargaining_range(p[a], prize_cost[a], prize_cost[b])
    fearon = {"party": a, "lo": float(fr.lo), "hi": float(fr.hi), "costs_in_prize": prize_cost}

    if shared is None:
        shared = SolveIntermediates(scenario, zc)
    deals = shared.deals
    cols = [ids.index(a), ids.index(b)]
    war_v = np.array([values[a], values[b]])
    preferred = np.all(deals.utilities[:, cols] >= war_v - zc.tol * zc.scale, axis=1)
    n_pref = int(preferred.sum())
    preferred_info = {
        "size": n_pref,
        "share": n_pref / deals.size if deals.size else 0.0,
        "in_zone": int((preferred & deals.zone).sum()),
        "issue_ranges": issue_ranges(scenario, deals.codes[preferred]),
    }
    brange = None
    if len(scenario.issues) == 1 and scenario.issues[0].numeric and n_pref:
        brange = preferred_info["issue_ranges"][scenario.issues[0].id]

    commitment = None
    if war.shift is not None:
        commitment = _commitment(scenario, zc, deals, p, prize_cost, params, shared.solutions)
    private = None
    if war.private is not None:  # it does not read [war.shift]: a sweep over it reuses this
        private = shared.reused(
            "war.private_information",
            _PRIVATE_READS,
            lambda: _private_information(scenario, zc, deals, values, costs),
        )
    return WarAnalysis(
        parties=(a, b),
        p=p,
        costs=costs,
        values=values,
        fearon_range=fearon,
        preferred_to_war=preferred_info,
        bargaining_range=brange,
        commitment=commitment,
        private_information=private,
        parameters={"tol": zc.tol, "win_minus_lose": spans},
    )


_PRIVATE_READS = ("war.private", "war.parties", "war.p", "war.costs", "war.win", "war.lose")
"""What :func:`_private_information` reads of the scenario besides the bargaining problem: the
private cost and each side's war lottery (its ``values`` and ``costs``)."""


def _private_information(scenario, zc, deals, values, costs) -> dict[str, Any]:
    """Fearon's risk–return trade-off over the feasible deals, at every spread in SPREADS."""
    private = scenario.war.private
    informed, proposer = private.party, private.proposer
    ids = scenario.party_ids
    u_prop = deals.utilities[:, ids.index(proposer)]
    u_inf = deals.utilities[:, ids.index(informed)]
    war_prop = values[proposer]
    war_inf = values[informed] + costs[informed]  # before its private cost
    center = costs[informed]
    # the distribution as given (spread 1), made once for its mean and its offer (a choice's
    # mean is its weighted sum, without scipy; a triangular is evaluated in closed form, without
    # importing scipy.stats)
    full = None if private.cost.kind == "choice" else private.cost.evaluator()
    mean = private.cost.mean_value() if full is None else float(full.mean())

    def offer(spread: float) -> Any:
        scaled = private.cost.scaled(spread, center)
        if isinstance(scaled, float):
            cost = scaled
        else:
            cost = full if scaled is private.cost and full is not None else scaled.evaluator()
        # judged on the zone's scale, as preferred_to_war is: at spread 0 (the cost known) the
        # informed side accepts exactly the deals it prefers to war there
        return risk_return_offer(u_prop, u_inf, war_prop, war_inf, cost, tol=zc.tol, scale=zc.scale)

    def entry(r: Any) -> dict[str, Any]:
        return deal_entry(zc, deals.indices[r.index], deals.utilities[r.index])

    base = {
        "party": informed,
        "proposer": proposer,
        "cost": {"kind": private.cost.kind, "mean": mean, "center": center},
        "war_values": {proposer: war_prop, informed: war_inf},
        "source": private.source,
    }
    if deals.size == 0:
        return {
            **base,
            "offer": None,
            "p_war": 1.0,
            "p_accept": 0.0,
            "expected_utilities": None,
            "by_spread": [],
        }
    result = offer(1.0)
    by_spread = []
    for spread in SPREADS:
        r = result if spread == 1.0 else offer(spread)
        by_spread.append(
            {
                "spread": spread,
                "offer": entry(r),
                "p_accept": r.p_accept,
                "p_war": r.p_war,
                "proposer_expected_utility": r.expected_utility,
            }
        )
    return {
        **base,
        "offer": entry(result),
        "p_war": result.p_war,
        "p_accept": result.p_accept,
        "expected_utilities": {
            proposer: result.expected_utility,
            informed: result.informed_expected_utility,
        },
        "by_spread": by_spread,
    }


def _commitment(scenario, zc, deals, p, prize_cost, params, solutions) -> dict[str, Any]:
    war = scenario.war
    rising = war.shift.party
    declining = war.other(rising)
    p1 = p[rising]
    delta = float(scenario.resolve(war.delta, params))
    c = prize_cost[declining]
    n = deals.size
    amounts = war.shift.amounts(deals.columns, n)
    limits = war.shift.limits(deals.columns, n)
    p2 = np.clip(p1 + amounts, 0.0, 1.0)
    model = war.commitment
    capped = commitment_problem(p1, p2, delta=delta, cost=c, cap=limits, model=model, tol=1e-12)
    free = commitment_problem(p1, p2, delta=delta, cost=c, model=model, tol=1e-12)
    fight, fight_free = capped.war[:n], free.war[:n]
    zone = deals.zone
    at_risk = {  # deals.indices is sorted: searchsorted finds each solution's row
        name: bool(fight[np.searchsorted(deals.indices, zc.zone_frontier[sol.index])])
        for name, sol in solutions.items()
    }
    survivors = zone & ~fight
    self_enforcing = None
    rows = np.flatnonzero(survivors)
    if rows.size:
        front = rows[pareto_mask(deals.utilities[rows], tol=zc.tol, scale=zc.scale)]
        # judged on the zone's scale, as the zone and this frontier are: every survivor is
        # individually rational, and a gap the zone counts as a tie is one here too
        best = weighted_nash_solution(
            deals.utilities[front],
            zc.reservations,
            weights=np.ones(len(scenario.parties)),
            tol=zc.tol,
            scale=zc.scale,
        )
        r = front[best.index]
        self_enforcing = deal_entry(zc, deals.indices[r], deals.utilities[r])
    caps = []
    for cap in war.shift.caps:
        applies = np.broadcast_to(cap.when.evaluate_mask(deals.columns), (n,))
        binding = applies & (amounts > limits + 1e-12)
        caps.append(
            {
                "label": cap.label or cap.when.source,
                "max": float(scenario.resolve(cap.max, params)),
                "zone_deals_capped": int((binding & zone).sum()),
                "zone_deals_saved": int((zone & fight_free & ~fight & binding).sum()),
            }
        )
    return {
        "model": model,
        "rising": rising,
        "declining": declining,
        "p1": p1,
        "delta": delta,
        "declining_cost_in_prize": c,
        "largest_survivable_shift": float(largest_survivable_shift(p1, delta, c, model=model)),
        "largest_shift": float(capped.shift.max()) if n else 0.0,
        "prefers_war_now": int(fight.sum()),
        "prefers_war_now_zone": int((fight & zone).sum()),
        "zone_survivors": int(survivors.sum()),
        "prefers_war_now_without_caps": int(fight_free.sum()),
        "zone_survivors_without_caps": int((zone & ~fight_free).sum()),
        "caps": caps,
        "solutions_at_risk": at_risk,
        "self_enforcing_nash": self_enforcing,
    }


def render_war(result: WarAnalysis, solve_result: SolveResult) -> list[str]:
    """Text lines of the war section of the report.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.scenario import loads
    >>> from dealsim.analysis._deals import EXAMPLE_TOML
    >>> solved = dealsim.solve(loads(EXAMPLE_TOML))
    >>> print("\\n".join(render_war(solved.analyses["war"], solved)[:5]))
    War as a costly lottery (Fearon 1995): value of fighting on
      = p*win + (1-p)*lose - c*(win-lose), c the cost as a share of the stake
            p   cost (of the stake)   war value
      a   0.6                  0.15        0.45
      b   0.4                   0.1         0.3
    """
    from dealsim._format import table

    lines = [
        "War as a costly lottery (Fearon 1995): value of fighting on",
        "  = p*win + (1-p)*lose - c*(win-lose), c the cost as a share of the stake",
    ]
    rows = [["", "p", "cost (of the stake)", "war value"]]
    prize_cost = result.fearon_range["costs_in_prize"]
    for q in result.parties:
        rows.append([q, fmt(result.p[q]), fmt(prize_cost[q]), fmt(result.values[q])])
    lines.extend(table(rows))
    pref = result.preferred_to_war
    fr = result.fearon_range
    lines.append(
        f"  unit-prize bargaining range ({fr['party']}'s share): {fmt(fr['lo'])}..{fmt(fr['hi'])}"
    )
    lines.append(
        f"  feasible deals both prefer to war: {pref['size']:,} ({pref['share']:.1%}); "
        f"{pref['in_zone']:,} of them in the agreement zone"
    )
    if result.bargaining_range is not None:
        lo, hi = result.bargaining_range
        lines.append(f"  bargaining range on the grid: {fmt(lo)}..{fmt(hi)}")
    if result.private_information is not None:
        lines.extend(_render_private(result.private_information))
    c = result.commitment
    if c is None:
        return lines
    lines.append("")
    condition = (
        "delta*(p2-p1) > p1 + (1-delta)*c"
        if c["model"] == "two_period"
        else "delta*(p2-p1) > (1-delta)*(p1+c)"
    )
    lines.append(
        f"Commitment problem ({COMMITMENT_MODELS[c['model']]}): a deal shifts power toward "
        f"{c['rising']}; {c['declining']} fights now if {condition}"
    )
    lines.append(
        f"  p1 = {fmt(c['p1'])}, delta = {fmt(c['delta'])}, cost "
        f"{fmt(c['declining_cost_in_prize'])} of the stake: largest survivable shift "
        f"{fmt(c['largest_survivable_shift'])} (largest shift of a feasible deal "
        f"{fmt(c['largest_shift'])})"
    )
    rows = [
        ["", "with caps", "without caps"],
        [
            f"feasible deals {c['declining']} would fight over now",
            f"{c['prefers_war_now']:,}",
            f"{c['prefers_war_now_without_caps']:,}",
        ],
        [
            f"zone deals that survive (of {solve_result.agreement_zone.size:,})",
            f"{c['zone_survivors']:,}",
            f"{c['zone_survivors_without_caps']:,}",
        ],
    ]
    lines.extend(table(rows))
    for cap in c["caps"]:
        lines.append(
            f"  cap {cap['label']!r} (max {fmt(cap['max'])}): binds on "
            f"{cap['zone_deals_capped']:,} zone deals, saves {cap['zone_deals_saved']:,}"
        )
    risky = [name for name, bad in c["solutions_at_risk"].items() if bad]
    if risky:
        lines.append(f"  solutions {c['declining']} would fight over: {', '.join(risky)}")
    elif c["solutions_at_risk"]:
        lines.append("  every bargaining solution survives the commitment problem")
    nash = c["self_enforcing_nash"]
    if nash is not None and risky:
        from dealsim._format import format_deal

        lines.append(f"  Nash over the surviving deals: {format_deal(nash['deal'])}")
    return lines


def _render_private(info: dict[str, Any]) -> list[str]:
    """Text lines of ``[war.private]``: the offer, the risk of war and how both move with spread."""
    from dealsim._format import format_deal, table

    informed, proposer = info["party"], info["proposer"]
    lines = [
        "",
        f"Private information (Fearon 1995, risk-return trade-off): {informed}'s cost of war is "
        f"private ({info['cost']['kind']}, mean {fmt(info['cost']['mean'])}); {proposer} makes a "
        "take-it-or-leave-it offer",
    ]
    if info["offer"] is None:
        lines.append("  no feasible deal to offer: war")
        return lines
    lines.append(f"  {proposer}'s best offer: {format_deal(info['offer']['deal'])}")
    eu = info["expected_utilities"]
    lines.append(
        f"  {informed} accepts with probability {fmt(info['p_accept'])}: P(war) = "
        f"{fmt(info['p_war'])}; expected utility {proposer} {fmt(eu[proposer])}"
        + ("" if eu[informed] is None else f", {informed} {fmt(eu[informed])}")
    )
    center = fmt(info["cost"]["center"])
    rows = [[f"spread of the cost (toward {center})", "P(war)", f"{proposer}'s expected utility"]]
    for row in info["by_spread"]:
        label = f"{fmt(row['spread'])}x" + (" (complete information)" if row["spread"] == 0 else "")
        rows.append([label, fmt(row["p_war"]), fmt(row["proposer_expected_utility"])])
    lines.extend(table(rows))
    if info["source"]:
        lines.append(f"  source of the cost range: {info['source']}")
    return lines
