"""Alternating offers over a scenario's deals: the subgame-perfect outcome and its convergence.

The pipeline calls it lazily (see ``dealsim.pipeline.ANALYSES``) with the scenario and the
:class:`~dealsim.zone.ZoneComputation` of the solve; the report calls the ``render_*`` function.
As it appears in the JSON:

**alternating_offers**: the subgame-perfect equilibrium of the finite-horizon alternating-offers
game (:func:`dealsim.solvers.alternating_offers.alternating_offers`) over the Pareto frontier of
the agreement zone, with the reservations as disagreement point. This is the same outcome as over
all feasible deals: no party accepts or proposes a deal below its reservation, and a deal that is
Pareto-dominated is never strictly preferred by the proposer and loses its tie-break. Discounts are
the parties' ``discount`` factors (0 is used as ``1e-12``). ``convergence`` (all discounts in
(0, 1), no breakdown risk, no round costs) tests the theorem of Binmore, Rubinstein & Wolinsky
(1986): with ``r_i = -ln discount_i`` and period ``D``, discounts ``exp(-r_i D)``, the equilibrium
tends to the weighted Nash solution with weights ``1 / r_i`` as ``D -> 0``. For two parties
(``model = "stationary"``) each row is the infinite-horizon stationary equilibrium on the
piecewise-linear zone frontier (:func:`dealsim.solvers.alternating_offers.stationary_offers`), so
neither the end of the game nor the grid's rounding interferes. With three or more parties
(``model = "finite_horizon"``) each row is backward induction from a horizon long enough that
``max_i discount_i ** T`` is below the tolerance (``horizon_capped`` when the cap of 5000 rounds
binds); the infinite-horizon game then has many subgame-perfect equilibria (Osborne & Rubinstein
1990, §3.13) and on a finite deal set the convergence can fail (van Damme, Selten & Winter 1990).
``grid_resolution`` is the largest utility gap between neighbouring frontier deals: no deal of
the grid can be expected closer to the target than about half of it.

``by_last_proposer``: a finite-horizon outcome depends on who proposes last. For each party that
can make the last offer, the game with the first horizon ``>= rounds`` that ends on its offer:
``{party: {deal, utilities, rounds}}``; the text says when they differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim.analysis._deals import (
    by_party,
    deal_entry,
    fmt,
)
from dealsim.solvers.alternating_offers import alternating_offers, stationary_offers
from dealsim.solvers.bargaining import weighted_nash_solution

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.results import SolveResult
    from dealsim.scenario.model import Scenario
    from dealsim.zone import ZoneComputation

__all__ = ["AlternatingOffersAnalysis", "alternating_offers_analysis", "render_alternating_offers"]

PERIODS = (1.0, 0.5, 0.25, 0.1, 0.01)
"""Period lengths (fractions of a round) of the convergence check."""

MAX_ROUNDS = 5000
"""Horizon cap of the convergence check."""


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
    by_last_proposer : dict or None
        ``{party: {deal, utilities, rounds}}``: the outcome when each party proposes last.
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
    by_last_proposer: dict[str, Any] | None = None
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
        From :func:`dealsim.zone.compute_zone`.

    Returns
    -------
    AlternatingOffersAnalysis

    Examples
    --------
    >>> from dealsim.zone import compute_zone
    >>> from dealsim.scenario import loads
    >>> from dealsim.analysis._deals import EXAMPLE_TOML
    >>> s = loads(EXAMPLE_TOML)
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
        "discounts": by_party(ids, disc),
        "proposer_order": order_ids,
        "rounds": rounds,
        "breakdown": q,
        "round_cost": by_party(ids, costs),
        "parameters": {"disagreement": "reservations", "deals": "zone Pareto frontier"},
    }
    if u.shape[0] == 0:
        return AlternatingOffersAnalysis(
            agreement=False, deal=None, index=-1, utilities=by_party(ids, d),
            payoffs=by_party(ids, d), round=-1, agreement_probability=0.0, convergence=None,
            **common,
        )  # fmt: skip
    res = alternating_offers(
        u, d, discount=disc, rounds=rounds, proposer_order=order, breakdown=q,
        round_cost=costs, tol=zc.tol, scale=zc.scale,
    )  # fmt: skip
    index = int(zc.zone_frontier[res.deal_index]) if res.agreement else -1
    convergence = None
    if q == 0.0 and not costs.any() and np.all(disc < 1.0):
        convergence = _convergence(zc, u, d, disc, rounds, order)
    last: dict[str, Any] = {}
    for extra in range(order.size):  # the first horizons >= rounds ending on each proposer
        horizon = rounds + extra
        party = ids[int(order[(horizon - 1) % order.size])]
        if party in last:
            continue
        alt = alternating_offers(
            u, d, discount=disc, rounds=horizon, proposer_order=order, breakdown=q,
            round_cost=costs, tol=zc.tol, scale=zc.scale,
        )  # fmt: skip
        entry = {"deal": None, "utilities": by_party(ids, alt.deal_utilities), "rounds": horizon}
        if alt.agreement:
            entry["deal"] = zc.space.deal(int(zc.zone_frontier[alt.deal_index]))
        last[party] = entry
    return AlternatingOffersAnalysis(
        agreement=res.agreement,
        deal=zc.space.deal(index) if res.agreement else None,
        index=index,
        utilities=by_party(ids, res.deal_utilities),
        payoffs=by_party(ids, res.payoffs),
        round=res.agreement_round,
        agreement_probability=res.agreement_probability,
        convergence=convergence,
        by_last_proposer=last,
        **common,
    )


def _convergence(zc, u, d, disc, rounds, order) -> dict[str, Any]:
    ids = zc.space.scenario.party_ids
    r = -np.log(disc)
    # on the zone's scale, as the pipeline's weighted Nash deal is decided
    target = weighted_nash_solution(u, d, weights=1.0 / r, tol=zc.tol, scale=zc.scale)
    target_u = u[target.index]
    gaps = [np.diff(np.unique(u[:, j])) for j in range(u.shape[1])]
    resolution = max((float(g.max()) for g in gaps if g.size), default=0.0)
    two = u.shape[1] == 2
    periods, n_rounds, utilities, distance, capped = [], [], [], [], []
    for period in PERIODS:
        discount = np.exp(-r * period)
        if two:
            x, _ = stationary_offers(u, d, discount=discount, tol=zc.tol, scale=zc.scale)
            n = None
        else:  # long enough that the end of the game does not matter: max delta^T < tol
            needed = math.ceil(math.log(zc.tol) / math.log(float(discount.max())))
            n = min(max(math.ceil(rounds / period - 1e-9), needed), MAX_ROUNDS)
            capped.append(n < needed)
            x = alternating_offers(
                u,
                d,
                discount=discount,
                rounds=n,
                proposer_order=order,
                tol=zc.tol,
                scale=zc.scale,
            ).deal_utilities
        periods.append(period)
        n_rounds.append(n)
        utilities.append(by_party(ids, x))
        distance.append(float(np.max(np.abs(x - target_u))))
    return {
        "model": "stationary" if two else "finite_horizon",
        "weights": by_party(ids, 1.0 / r),
        "target": deal_entry(zc, zc.zone_frontier[target.index], target_u),
        "periods": periods,
        "rounds": n_rounds,
        "utilities": utilities,
        "distance": distance,
        "grid_resolution": resolution,
        "horizon_capped": any(capped),
    }


def render_alternating_offers(
    result: AlternatingOffersAnalysis, solve_result: SolveResult
) -> list[str]:
    """Text lines of the alternating-offers section of the report.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.scenario import loads
    >>> from dealsim.analysis._deals import EXAMPLE_TOML
    >>> solved = dealsim.solve(loads(EXAMPLE_TOML))
    >>> print(render_alternating_offers(solved.analyses["alternating_offers"], solved)[0])
    Alternating offers (subgame-perfect, 50 rounds, proposers a, b, ...)
    """
    from dealsim._format import format_deal, format_fixed, table

    order = ", ".join(result.proposer_order)
    lines = [
        f"Alternating offers (subgame-perfect, {result.rounds} rounds, proposers {order}, ...)"
    ]
    lines.append(
        "  discounts: " + ", ".join(f"{k} {fmt(v)}" for k, v in result.discounts.items())
        + (f"; breakdown risk {fmt(result.breakdown)}" if result.breakdown else "")
    )  # fmt: skip
    if not result.agreement:
        lines.append("  no agreement: the talks end at the reservations")
        return lines
    lines.append(f"  agreed in round {result.round}: {format_deal(result.deal)}")
    scale = max(abs(v) for v in [*solve_result.reservations.values(), *result.utilities.values()])
    lines.append(
        "  utilities: "
        + ", ".join(f"{k} {format_fixed(v, scale)}" for k, v in result.utilities.items())
    )  # fmt: skip
    last = result.by_last_proposer or {}
    if len(last) > 1:
        deals = {str(e["deal"]) for e in last.values()}
        if len(deals) > 1:
            lines.append("  the outcome depends on who proposes last:")
            for party, e in last.items():
                shown = format_deal(e["deal"]) if e["deal"] is not None else "no agreement"
                lines.append(f"    {party} last ({e['rounds']} rounds): {shown}")
        else:
            lines.append("  the same deal whoever proposes last")
    if len(result.discounts) > 2:
        lines.append(
            "  with three or more parties the infinite-horizon game has many subgame-perfect "
            "equilibria (Osborne & Rubinstein 1990, 3.13); this is the one backward induction "
            "from the horizon selects"
        )
    conv = result.convergence
    if conv is not None:
        how = (
            "stationary infinite-horizon equilibrium on the piecewise-linear frontier"
            if conv["model"] == "stationary"
            else "backward induction from a horizon where max delta^T < tol"
        )
        lines.append(
            "  as rounds shorten, toward the weighted Nash deal (weights 1/r_i, discount = "
            f"exp(-r_i); Binmore, Rubinstein & Wolinsky 1986), {how}:"
        )
        rows = [["period", "rounds", *solve_result.parties, "max distance"]]
        for period, n, us, dist in zip(
            conv["periods"], conv["rounds"], conv["utilities"], conv["distance"], strict=True
        ):
            rows.append(
                [fmt(period), "" if n is None else str(n),
                 *(format_fixed(us[q], scale) for q in us), format_fixed(dist, scale)]
            )  # fmt: skip
        target = conv["target"]["utilities"]
        rows.append(["weighted Nash", "", *(format_fixed(target[q], scale) for q in target), ""])
        lines.extend(table(rows, indent="    "))
        lines.append(
            f"    largest utility gap between neighbouring frontier deals: "
            f"{conv['grid_resolution']:.4g}"
        )
        if conv["horizon_capped"]:
            lines.append(f"    (the horizon was capped at {MAX_ROUNDS} rounds)")
    return lines
