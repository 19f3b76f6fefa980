"""War, alternating offers and ratification over a scenario's deals (the optional analyses).

The pipeline calls these lazily (see ``dealsim.pipeline.ANALYSES``) with the scenario and the
:class:`~dealsim.pipeline.ZoneComputation` of the solve; the report calls the ``render_*``
functions. Definitions, as they appear in the JSON:

**war** (``[war]``): ``values`` is each belligerent's value of war ``p win + (1 - p) lose - cost``.
``preferred_to_war`` is the set of *feasible* deals that both belligerents weakly prefer to war
(utility at least the war value, within the solve's ``tol``; other parties are ignored): its size,
its share of the feasible deals, how many of them lie in the agreement zone, and the range of each
issue over it (``[lo, hi]`` for a range issue, the levels present otherwise). When the scenario has
a single range issue, ``bargaining_range`` is ``[lo, hi]`` of that issue over this set: for a
split between the belligerents this is Fearon's bargaining range on the grid. ``fearon_range`` is
the closed form for a unit prize, ``[p_A - c_A, p_A + c_B]`` as the first belligerent's share,
with costs in prize units ``c / (win - lose)``.

The commitment problem (``[war.shift]``, Powell's two-period model, see
:mod:`dealsim.solvers.war`): each deal moves the rising side's win probability from ``p1 = p`` to
``p2 = p1 + min(amount, cap)`` (clipped to [0, 1]), ``cap`` the smallest ``max`` of the caps whose
``when`` holds (no cap: no limit). The declining side prefers war now iff
``delta (p2 - p1) > p1 + (1 - delta) c`` with its cost in prize units. Reported: how many feasible
and zone deals it would fight over (``prefers_war_now``), the zone deals that survive, the same
counts without the caps, the largest survivable shift, which bargaining solutions are at risk and
the Nash solution over the surviving zone deals (``self_enforcing_nash``).

**alternating_offers**: the subgame-perfect equilibrium of the finite-horizon alternating-offers
game (:func:`dealsim.solvers.alternating_offers.alternating_offers`) over the Pareto frontier of
the agreement zone, with the reservations as disagreement point. This is the same outcome as over
all feasible deals: no party accepts or proposes a deal below its reservation, and a deal that is
Pareto-dominated is never strictly preferred by the proposer and loses its tie-break. Discounts are
the parties' ``discount`` factors (0 is used as ``1e-12``). ``convergence`` (all discounts in
(0, 1), no breakdown risk, no round costs): with ``r_i = -ln discount_i`` and period ``D``, the
game with discounts ``exp(-r_i D)`` and ``ceil(rounds / D)`` rounds is solved for shrinking ``D``
and compared with the weighted Nash solution with weights ``1 / r_i`` (the limit as ``D -> 0``).
On a grid of deals each round can round a share by up to one grid step, so the equilibrium may
stray by about ``resolution / (1 - prod_i exp(-r_i D))``
(``grid_error_bound``; ``resolution`` is the largest gap between a party's frontier utilities):
the check is informative only where that bound is small.

**ratification**: per ratifying party (and ``joint`` for several), computed over the feasible
deals: the win-set (``require``, or ``P >= threshold`` for a curve), its overlap with the
agreement zone, and the five bargaining solutions (weights = powers for weighted Nash) over the
zone restricted by ratification. In ``mode = "constraint"`` the zone is cut to the win-set; in
``mode = "expected_utility"`` each zone deal is valued ``P u + (1 - P) reservation`` (``P`` the
probability of ratification, votes independent) and deals with ``P = 0`` drop out. The tied-hands
shift is the constrained party's utility of the constrained Nash deal minus that of the
unconstrained Nash deal (``deal_disappears`` when the zone is non-empty but no deal is left).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim.analysis.pareto import pareto_mask
from dealsim.analysis.ratification import expected_utilities
from dealsim.solvers.alternating_offers import alternating_offers
from dealsim.solvers.bargaining import all_bargaining_solutions, weighted_nash_solution
from dealsim.solvers.war import bargaining_range, commitment_problem, largest_survivable_shift

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.pipeline import ZoneComputation
    from dealsim.results import SolveResult
    from dealsim.scenario.model import Scenario

__all__ = [
    "AlternatingOffersAnalysis",
    "RatificationAnalysis",
    "WarAnalysis",
    "alternating_offers_analysis",
    "ratification_analysis",
    "render_alternating_offers",
    "render_ratification",
    "render_war",
    "war_analysis",
]

CHUNK = 1 << 20
"""Deals per chunk when the analyses walk the whole deal space."""

PERIODS = (1.0, 0.5, 0.25, 0.1)
"""Period lengths (fractions of a round) of the convergence check."""

MAX_ROUNDS = 5000
"""Horizon cap of the convergence check."""


# ------------------------------------------------------------------------------------ helpers


@dataclass(frozen=True)
class _Deals:
    """Feasible deals of a solve: flat indices, codes, utilities, zone mask, expression columns."""

    indices: np.ndarray
    codes: np.ndarray
    utilities: np.ndarray
    zone: np.ndarray
    columns: dict[str, Any]

    @property
    def size(self) -> int:
        return int(self.indices.size)


def _feasible_deals(zc: ZoneComputation) -> _Deals:
    space, model = zc.space, zc.model
    k = len(space.scenario.parties)
    idx, codes, utils = [np.zeros(0, dtype=np.int64)], [], [np.zeros((0, k))]
    codes.append(np.zeros((0, len(space.shape)), dtype=np.int64))
    for start, chunk in space.chunks(CHUNK):
        feasible = model.feasible(space, chunk).all(axis=0)
        rows = np.flatnonzero(feasible)
        idx.append(start + rows)
        codes.append(chunk[rows])
        utils.append(model.utilities(space, chunk[rows]))
    u = np.concatenate(utils)
    c = np.concatenate(codes)
    zone = np.all(u >= zc.reservations - zc.tol, axis=1)
    return _Deals(
        indices=np.concatenate(idx),
        codes=c,
        utilities=u,
        zone=zone,
        columns={**model.parameters, **space.columns(c)},
    )


def _issue_ranges(scenario: Scenario, codes: np.ndarray) -> dict[str, Any]:
    ranges: dict[str, Any] = {}
    if codes.shape[0] == 0:
        return ranges
    for j, issue in enumerate(scenario.issues):
        present = np.unique(codes[:, j])
        if issue.numeric:
            ranges[issue.id] = [issue.value_at(present[0]), issue.value_at(present[-1])]
        else:
            ranges[issue.id] = [issue.values[c] for c in present]
    return ranges


def _by_party(ids: tuple[str, ...], values: Any) -> dict[str, float]:
    return {p: float(v) for p, v in zip(ids, np.asarray(values, dtype=float), strict=True)}


def _deal_entry(zc: ZoneComputation, index: int, utilities: Any, **extra: Any) -> dict[str, Any]:
    ids = zc.space.scenario.party_ids
    return {
        "index": int(index),
        "deal": zc.space.deal(int(index)),
        "utilities": _by_party(ids, utilities),
        **extra,
    }


def _unconstrained(zc: ZoneComputation, scenario: Scenario) -> dict[str, Any]:
    """The pipeline's bargaining solutions (name -> row of the zone frontier), {} if empty."""
    if zc.empty:
        return {}
    return all_bargaining_solutions(
        zc.zone_frontier_utilities, zc.reservations, weights=scenario.powers(), tol=zc.tol
    )


def _fmt(value: Any) -> str:
    from dealsim.report import format_number

    return format_number(value)


# ---------------------------------------------------------------------------------------- war


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
    method: str = "fearon/powell"
    parameters: dict[str, Any] = field(default_factory=dict)


def war_analysis(scenario: Scenario, zc: ZoneComputation) -> WarAnalysis:
    """Fearon's bargaining range and Powell's commitment problem over the scenario's deals.

    Parameters
    ----------
    scenario : Scenario
        A scenario with a ``[war]`` section.
    zc : ZoneComputation
        From :func:`dealsim.pipeline.compute_zone`.

    Returns
    -------
    WarAnalysis

    Examples
    --------
    >>> from dealsim.pipeline import compute_zone
    >>> from dealsim.scenario import loads
    >>> s = loads(_EXAMPLE)
    >>> result = war_analysis(s, compute_zone(s))
    >>> result.bargaining_range
    [0.45, 0.7]
    >>> result.commitment["prefers_war_now"], result.commitment["prefers_war_now_without_caps"]
    (90, 101)
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

    deals = _feasible_deals(zc)
    cols = [ids.index(a), ids.index(b)]
    war_v = np.array([values[a], values[b]])
    preferred = np.all(deals.utilities[:, cols] >= war_v - zc.tol, axis=1)
    n_pref = int(preferred.sum())
    preferred_info = {
        "size": n_pref,
        "share": n_pref / deals.size if deals.size else 0.0,
        "in_zone": int((preferred & deals.zone).sum()),
        "issue_ranges": _issue_ranges(scenario, deals.codes[preferred]),
    }
    brange = None
    if len(scenario.issues) == 1 and scenario.issues[0].numeric and n_pref:
        brange = preferred_info["issue_ranges"][scenario.issues[0].id]

    commitment = None
    if war.shift is not None:
        commitment = _commitment(scenario, zc, deals, p, prize_cost, params)
    return WarAnalysis(
        parties=(a, b),
        p=p,
        costs=costs,
        values=values,
        fearon_range=fearon,
        preferred_to_war=preferred_info,
        bargaining_range=brange,
        commitment=commitment,
        parameters={"tol": zc.tol, "win_minus_lose": spans},
    )


def _commitment(scenario, zc, deals, p, prize_cost, params) -> dict[str, Any]:
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
    capped = commitment_problem(p1, p2, delta=delta, cost=c, cap=limits, tol=1e-12)
    free = commitment_problem(p1, p2, delta=delta, cost=c, tol=1e-12)
    fight, fight_free = capped.war[:n], free.war[:n]
    zone = deals.zone
    at_risk = {  # deals.indices is sorted: searchsorted finds each solution's row
        name: bool(fight[np.searchsorted(deals.indices, zc.zone_frontier[sol.index])])
        for name, sol in _unconstrained(zc, scenario).items()
    }
    survivors = zone & ~fight
    self_enforcing = None
    rows = np.flatnonzero(survivors)
    if rows.size:
        front = rows[pareto_mask(deals.utilities[rows])]
        best = weighted_nash_solution(
            deals.utilities[front],
            zc.reservations,
            weights=np.ones(len(scenario.parties)),
            tol=zc.tol,
        )
        r = front[best.index]
        self_enforcing = _deal_entry(zc, deals.indices[r], deals.utilities[r])
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
        "rising": rising,
        "declining": declining,
        "p1": p1,
        "delta": delta,
        "declining_cost_in_prize": c,
        "largest_survivable_shift": float(largest_survivable_shift(p1, delta, c)),
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
    >>> solved = dealsim.solve(loads(_EXAMPLE))
    >>> print("\\n".join(render_war(solved.analyses["war"], solved)[:3]))
    War as a costly lottery (Fearon): value of fighting on = p*win + (1-p)*lose - cost
                 p   cost   war value
      a        0.6   0.15        0.45
    """
    from dealsim.report import table

    lines = ["War as a costly lottery (Fearon): value of fighting on = p*win + (1-p)*lose - cost"]
    rows = [["", "p", "cost", "war value"]]
    for q in result.parties:
        rows.append([q, _fmt(result.p[q]), _fmt(result.costs[q]), _fmt(result.values[q])])
    lines.extend(table(rows))
    pref = result.preferred_to_war
    fr = result.fearon_range
    lines.append(
        f"  unit-prize bargaining range ({fr['party']}'s share): {_fmt(fr['lo'])}..{_fmt(fr['hi'])}"
    )
    lines.append(
        f"  feasible deals both prefer to war: {pref['size']:,} ({pref['share']:.1%}); "
        f"{pref['in_zone']:,} of them in the agreement zone"
    )
    if result.bargaining_range is not None:
        lo, hi = result.bargaining_range
        lines.append(f"  bargaining range on the grid: {_fmt(lo)}..{_fmt(hi)}")
    c = result.commitment
    if c is None:
        return lines
    lines.append("")
    lines.append(
        f"Commitment problem (Powell): a deal shifts power toward {c['rising']}; "
        f"{c['declining']} fights now if delta*(p2-p1) > p1 + (1-delta)*c"
    )
    lines.append(
        f"  p1 = {_fmt(c['p1'])}, delta = {_fmt(c['delta'])}, cost = "
        f"{_fmt(c['declining_cost_in_prize'])}: largest survivable shift "
        f"{_fmt(c['largest_survivable_shift'])} (largest shift of a feasible deal "
        f"{_fmt(c['largest_shift'])})"
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
            f"  cap {cap['label']!r} (max {_fmt(cap['max'])}): binds on "
            f"{cap['zone_deals_capped']:,} zone deals, saves {cap['zone_deals_saved']:,}"
        )
    risky = [name for name, bad in c["solutions_at_risk"].items() if bad]
    if risky:
        lines.append(f"  solutions {c['declining']} would fight over: {', '.join(risky)}")
    elif c["solutions_at_risk"]:
        lines.append("  every bargaining solution survives the commitment problem")
    nash = c["self_enforcing_nash"]
    if nash is not None and risky:
        from dealsim.report import format_deal

        lines.append(f"  Nash over the surviving deals: {format_deal(nash['deal'])}")
    return lines


# ----------------------------------------------------------------------- alternating offers


@dataclass(frozen=True)
class AlternatingOffersAnalysis(ResultMixin):
    """Subgame-perfect alternating-offers outcome over the scenario's deals.

    Attributes
    ----------
    agreement : bool
    deal : dict or None
        The agreed deal (``None`` without agreement).
    index : int
        Its flat deal index (``-1`` without agreement).
    utilities : dict
        Each party's utility of the agreed deal (the reservations without agreement).
    payoffs : dict
        Expected equilibrium payoffs in round-0 terms.
    round : int
        Round of agreement (``-1`` without agreement).
    agreement_probability : float
    candidates : int
        Deals the game was solved over (the zone's Pareto frontier).
    discounts, proposer_order, rounds, breakdown, round_cost
        The game.
    convergence : dict or None
        The check toward the weighted Nash solution (module docstring).
    """

    agreement: bool
    deal: dict[str, Any] | None
    index: int
    utilities: dict[str, float]
    payoffs: dict[str, float]
    round: int
    agreement_probability: float
    candidates: int
    discounts: dict[str, float]
    proposer_order: list[str]
    rounds: int
    breakdown: float
    round_cost: dict[str, float]
    convergence: dict[str, Any] | None
    method: str = "alternating_offers/backward_induction"
    parameters: dict[str, Any] = field(default_factory=dict)


def alternating_offers_analysis(
    scenario: Scenario, zc: ZoneComputation
) -> AlternatingOffersAnalysis:
    """Finite-horizon alternating offers over the agreement zone (disagreement = reservations).

    Parameters
    ----------
    scenario : Scenario
    zc : ZoneComputation
        From :func:`dealsim.pipeline.compute_zone`.

    Returns
    -------
    AlternatingOffersAnalysis

    Examples
    --------
    >>> from dealsim.pipeline import compute_zone
    >>> from dealsim.scenario import loads
    >>> s = loads(_EXAMPLE)
    >>> result = alternating_offers_analysis(s, compute_zone(s))
    >>> result.deal, result.round  # Rubinstein: 0.45 + 0.25 * 5/7 = 0.6286 off the grid
    ({'share': 0.62}, 0)
    """
    ids = scenario.party_ids
    params = zc.model.parameters
    settings = scenario.alternating_offers
    rounds = 50 if settings is None else settings.rounds
    disc = np.clip(scenario.discounts(params), 1e-12, 1.0)
    order_ids = (
        list(ids)
        if settings is None or settings.proposer_order is None
        else list(settings.proposer_order)
    )
    order = np.array([ids.index(q) for q in order_ids], dtype=np.int64)
    q = 0.0 if settings is None else float(scenario.resolve(settings.breakdown, params))
    costs = np.zeros(len(ids))
    if settings is not None and settings.round_cost:
        for key, value in settings.round_cost.items():
            costs[ids.index(key)] = float(scenario.resolve(value, params))
    d = zc.reservations
    u = zc.zone_frontier_utilities
    common = {
        "candidates": int(u.shape[0]),
        "discounts": _by_party(ids, disc),
        "proposer_order": order_ids,
        "rounds": rounds,
        "breakdown": q,
        "round_cost": _by_party(ids, costs),
        "parameters": {"disagreement": "reservations", "deals": "zone Pareto frontier"},
    }
    if u.shape[0] == 0:
        return AlternatingOffersAnalysis(
            agreement=False, deal=None, index=-1, utilities=_by_party(ids, d),
            payoffs=_by_party(ids, d), round=-1, agreement_probability=0.0, convergence=None,
            **common,
        )  # fmt: skip
    res = alternating_offers(
        u, d, discount=disc, rounds=rounds, proposer_order=order, breakdown=q,
        round_cost=costs, tol=zc.tol,
    )  # fmt: skip
    index = int(zc.zone_frontier[res.deal_index]) if res.agreement else -1
    convergence = None
    if q == 0.0 and not costs.any() and np.all(disc < 1.0):
        convergence = _convergence(zc, u, d, disc, rounds, order)
    return AlternatingOffersAnalysis(
        agreement=res.agreement,
        deal=zc.space.deal(index) if res.agreement else None,
        index=index,
        utilities=_by_party(ids, res.deal_utilities),
        payoffs=_by_party(ids, res.payoffs),
        round=res.agreement_round,
        agreement_probability=res.agreement_probability,
        convergence=convergence,
        **common,
    )


def _convergence(zc, u, d, disc, rounds, order) -> dict[str, Any]:
    ids = zc.space.scenario.party_ids
    r = -np.log(disc)
    target = weighted_nash_solution(u, d, weights=1.0 / r, tol=zc.tol)
    target_u = u[target.index]
    gaps = [np.diff(np.unique(u[:, j])) for j in range(u.shape[1])]
    resolution = max((float(g.max()) for g in gaps if g.size), default=0.0)
    periods, n_rounds, utilities, distance, bound = [], [], [], [], []
    for period in PERIODS:
        n = min(math.ceil(rounds / period - 1e-9), MAX_ROUNDS)
        res = alternating_offers(
            u, d, discount=np.exp(-r * period), rounds=n, proposer_order=order, tol=zc.tol
        )
        periods.append(period)
        n_rounds.append(n)
        utilities.append(_by_party(ids, res.deal_utilities))
        distance.append(float(np.max(np.abs(res.deal_utilities - target_u))))
        bound.append(resolution / (1.0 - float(np.prod(np.exp(-r * period)))))
    return {
        "weights": _by_party(ids, 1.0 / r),
        "target": _deal_entry(zc, zc.zone_frontier[target.index], target_u),
        "periods": periods,
        "rounds": n_rounds,
        "utilities": utilities,
        "distance": distance,
        "grid_resolution": resolution,
        "grid_error_bound": bound,
    }


def render_alternating_offers(
    result: AlternatingOffersAnalysis, solve_result: SolveResult
) -> list[str]:
    """Text lines of the alternating-offers section of the report.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.scenario import loads
    >>> solved = dealsim.solve(loads(_EXAMPLE))
    >>> print(render_alternating_offers(solved.analyses["alternating_offers"], solved)[0])
    Alternating offers (subgame-perfect, 50 rounds, proposers a, b, ...)
    """
    from dealsim.report import format_deal, table

    order = ", ".join(result.proposer_order)
    lines = [
        f"Alternating offers (subgame-perfect, {result.rounds} rounds, proposers {order}, ...)"
    ]
    lines.append(
        "  discounts: " + ", ".join(f"{k} {_fmt(v)}" for k, v in result.discounts.items())
        + (f"; breakdown risk {_fmt(result.breakdown)}" if result.breakdown else "")
    )  # fmt: skip
    if not result.agreement:
        lines.append("  no agreement: the talks end at the reservations")
        return lines
    lines.append(f"  agreed in round {result.round}: {format_deal(result.deal)}")
    lines.append("  utilities: " + ", ".join(f"{k} {v:.4f}" for k, v in result.utilities.items()))
    conv = result.convergence
    if conv is not None:
        lines.append(
            "  as rounds shorten, toward the weighted Nash deal (weights 1/r_i, "
            "discount = exp(-r_i)):"
        )
        rows = [["period", "rounds", *solve_result.parties, "max distance", "grid error bound"]]
        for period, n, us, dist, bound in zip(
            conv["periods"], conv["rounds"], conv["utilities"], conv["distance"],
            conv["grid_error_bound"], strict=True,
        ):  # fmt: skip
            rows.append(
                [_fmt(period), str(n), *(f"{us[q]:.4f}" for q in us), f"{dist:.4f}", f"{bound:.3g}"]
            )
        target = conv["target"]["utilities"]
        rows.append(["weighted Nash", "", *(f"{target[q]:.4f}" for q in target), ""])
        lines.extend(table(rows, indent="    "))
        if min(conv["grid_error_bound"]) > 0.05:
            lines.append(
                "    (the deal grid is too coarse for this check: one grid step per round can move "
                "the deal by up to the error bound)"
            )
    return lines


# ---------------------------------------------------------------------------- ratification


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


def ratification_analysis(scenario: Scenario, zc: ZoneComputation) -> RatificationAnalysis:
    """Win-sets, their overlap with the zone, constrained solutions and the tied-hands shift.

    Parameters
    ----------
    scenario : Scenario
        A scenario with ``[ratification.<party>]`` sections.
    zc : ZoneComputation

    Returns
    -------
    RatificationAnalysis

    Examples
    --------
    >>> from dealsim.pipeline import compute_zone
    >>> from dealsim.scenario import loads
    >>> s = loads(_EXAMPLE)
    >>> b = ratification_analysis(s, compute_zone(s)).parties["b"]
    >>> b["solutions"]["nash"]["deal"], round(b["tied_hands_shift"], 12)
    ({'share': 0.5}, 0.075)
    """
    deals = _feasible_deals(zc)
    ids = scenario.party_ids
    n = deals.size
    base = _unconstrained(zc, scenario)
    uncon = None
    if base:
        row = base["nash"].index
        uncon = _deal_entry(zc, zc.zone_frontier[row], zc.zone_frontier_utilities[row])
    evaluated = {}
    for party, rule in scenario.ratification.items():
        evaluated[party] = (
            rule,
            rule.probabilities(deals.columns, n),
            rule.win_set(deals.columns, n),
        )
    per_party = {
        party: _ratified(scenario, zc, deals, [evaluated[party]], uncon, party)
        for party in evaluated
    }
    joint = None
    if len(evaluated) > 1:
        joint = _ratified(scenario, zc, deals, list(evaluated.values()), uncon, None)
    return RatificationAnalysis(
        parties=per_party,
        joint=joint,
        unconstrained_nash=uncon,
        parameters={"weights": _by_party(ids, scenario.powers()), "tol": zc.tol},
    )


def _ratified(scenario, zc, deals, rules, uncon, party) -> dict[str, Any]:
    ids = scenario.party_ids
    d = zc.reservations
    n = deals.size
    allowed = deals.zone.copy()
    p_expected = np.ones(n)
    p_all = np.ones(n)
    in_all = np.ones(n, dtype=bool)
    for rule, prob, wins in rules:
        in_all &= wins
        p_all = p_all * prob
        if rule.mode == "constraint":
            allowed &= wins
        else:
            p_expected = p_expected * prob
    allowed &= p_expected > 0
    eu_mode = any(rule.mode == "expected_utility" for rule, _, _ in rules)
    objective = expected_utilities(deals.utilities, d, p_expected) if eu_mode else deals.utilities
    solutions: dict[str, Any] = dict.fromkeys(("nash", "weighted_nash", "kalai_smorodinsky",
                                               "egalitarian", "utilitarian"))  # fmt: skip
    rows = np.flatnonzero(allowed)
    if rows.size:
        front = rows[pareto_mask(objective[rows])]
        found = all_bargaining_solutions(objective[front], d, weights=scenario.powers(), tol=zc.tol)
        for name, s in found.items():
            r = front[s.index]
            extra = {"ratification_probability": float(p_all[r])}
            if eu_mode:
                extra["expected_utilities"] = _by_party(ids, objective[r])
            solutions[name] = _deal_entry(zc, deals.indices[r], deals.utilities[r], **extra)
    nash = solutions["nash"]
    shift: Any = None
    if nash is not None and uncon is not None:
        delta = {q: nash["utilities"][q] - uncon["utilities"][q] for q in ids}
        shift = delta[party] if party is not None else delta
    entry: dict[str, Any] = {
        "mode": rules[0][0].mode if len(rules) == 1 else sorted({r.mode for r, _, _ in rules}),
        "objective": "; ".join(sorted({_OBJECTIVES[r.mode] for r, _, _ in rules})),
        "win_set_size": int(in_all.sum()),
        "win_set_share": float(in_all.mean()) if n else 0.0,
        "zone_overlap": int((in_all & deals.zone).sum()),
        "overlap": bool(np.any(in_all & deals.zone)),
        "solutions": solutions,
        "tied_hands_shift": shift,
        "deal_disappears": bool(uncon is not None and nash is None),
    }
    if len(rules) == 1:
        rule, prob, _ = rules[0]
        entry.update(label=rule.label, source=rule.source)
        entry["threshold"] = float(scenario.resolve(rule.threshold, zc.model.parameters))
        if rule.require is None and deals.zone.any():
            zone_p = prob[deals.zone]
            entry["zone_probability_range"] = [float(zone_p.min()), float(zone_p.max())]
        if uncon is not None:
            r = np.flatnonzero(deals.indices == uncon["index"])[0]
            entry["unconstrained_nash_probability"] = float(prob[r])
    return entry


def render_ratification(result: RatificationAnalysis, solve_result: SolveResult) -> list[str]:
    """Text lines of the ratification section of the report.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.scenario import loads
    >>> solved = dealsim.solve(loads(_EXAMPLE))
    >>> print("\\n".join(render_ratification(solved.analyses["ratification"], solved)[:2]))
    Ratification (two-level game): what each side's domestic politics would ratify
      b: win-set 101 of 201 feasible deals (50.2%); 11 in the agreement zone
    """
    from dealsim.report import format_deal

    lines = ["Ratification (two-level game): what each side's domestic politics would ratify"]
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
        if "zone_probability_range" in e:
            lo, hi = e["zone_probability_range"]
            lines.append(f"    ratification probability over the zone: {lo:.3f}..{hi:.3f}")
        if "unconstrained_nash_probability" in e:
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
        lines.append(
            "      utilities: " + ", ".join(f"{k} {v:.4f}" for k, v in nash["utilities"].items())
            + f"; ratified with probability {nash['ratification_probability']:.3f}"
        )  # fmt: skip
        shift = e["tied_hands_shift"]
        if isinstance(shift, float):
            lines.append(
                f"    tied hands: {name}'s utility changes by {shift:+.4f} vs unconstrained Nash"
            )
        elif isinstance(shift, dict):
            lines.append(
                "    utility change vs unconstrained Nash: "
                + ", ".join(f"{k} {v:+.4f}" for k, v in shift.items())
            )
    return lines


_EXAMPLE = """
[scenario]
name = "split with war"
[parties.a]
reservation = "war"
discount = 0.9
[parties.b]
reservation = "war"
discount = 0.8
[issues.share]
range = [0, 1]
steps = 201
[payoffs.a]
weights = { share = 1 }
share = { points = [[0, 0], [1, 1]] }
[payoffs.b]
weights = { share = 1 }
share = { points = [[0, 1], [1, 0]] }
[war]
p = { a = 0.6, b = 0.4 }
costs = { a = 0.15, b = 0.10 }
[war.shift]
party = "b"
amount = "0.5 * (share <= 0.5)"
caps = [{ when = "share >= 0.45", max = 0.1, label = "monitors" }]
[ratification.b]
require = "share <= 0.5"
"""
