"""Negotiation traces (offers over rounds) and threshold plots (outcome against a parameter)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from dealsim._grid import decimal_grid
from dealsim.errors import DealsimError
from dealsim.plot._marks import deal_cloud, mark_point
from dealsim.plot._style import (
    OUTCOME_COLORS,
    axes_width,
    finish,
    legend_below,
    new_axes,
    party_colors,
    possessive,
    text_width,
    wrap_to_width,
)

__all__ = [
    "outcome_runs",
    "solution_sweep",
    "threshold_plot",
    "trace_timeline",
    "trace_utility_space",
]


def _names(trace: Any, parties: Sequence[str] | None) -> tuple[str, ...]:
    k = trace.utilities.shape[1]
    names = tuple(parties) if parties is not None else tuple(f"party {i}" for i in range(k))
    if len(names) != k:
        raise DealsimError(f"parties must name the trace's {k} parties, got {len(names)}")
    return names


def trace_utility_space(
    trace: Any,
    parties: Sequence[str] | None = None,
    *,
    pair: tuple[int, int] = (0, 1),
    utilities: np.ndarray | None = None,
    reservations: Sequence[float] | None = None,
    ax: Any = None,
):
    """Offers of a negotiation as points in two parties' utility space, joined in order.

    Each proposer's offers are connected in its colour (numbered by round); the agreed deal is
    a black star. ``utilities`` (every deal's utilities) draws the deal set in grey behind.

    Parameters
    ----------
    trace : dealsim.solvers.negotiation.NegotiationTrace
    parties : sequence of str, optional
        Party names, in the trace's column order.
    pair : (int, int)
        The two party columns on x and y.
    utilities : ndarray (n, k), optional
    reservations : sequence of float, optional
        Drawn as dashed lines.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; by gid: ``deals``, ``offers:{party index}``, ``agreement``.

    Examples
    --------
    >>> import numpy as np
    >>> from dealsim.solvers.negotiation import Boulware, Conceder, simulate_negotiation
    >>> x = np.linspace(0, 1, 101); u = np.column_stack([x, 1 - x])
    >>> tr = simulate_negotiation(u, [0, 0], [Boulware(), Conceder()], rounds=20, seed=1)
    >>> ax = trace_utility_space(tr, ["a", "b"], utilities=u)
    >>> sum(len(line.get_xdata()) for line in ax.lines if line.get_gid().startswith("offers"))
    14
    """
    names = _names(trace, parties)
    colours = party_colors(names)
    i, j = pair
    ax = new_axes(ax, figsize=(6.5, 5.5))
    if utilities is not None:
        u = np.asarray(utilities, dtype=float)
        deal_cloud(ax, u[:, [i, j]], size=8, color="#CCCCCC", label="deals", gid="deals")
    for p, name in enumerate(names):
        mine = np.flatnonzero(trace.proposers == p)
        if mine.size == 0:
            continue
        ax.plot(
            trace.utilities[mine, i],
            trace.utilities[mine, j],
            marker="o",
            markersize=6,
            color=colours[name],
            linewidth=1.2,
            label=f"offers by {name}",
            gid=f"offers:{p}",
        )
    _round_labels(ax, trace, names, colours, pair)
    if trace.agreement:
        fu = trace.final_utilities
        mark_point(
            ax,
            fu[[i, j]],
            marker="*",
            markersize=18,
            color="black",
            label=f"agreement in round {trace.agreement_round}",
            gid="agreement",
        )
    if reservations is not None:
        ax.axvline(reservations[i], color=colours[names[i]], linestyle="--", linewidth=1)
        ax.axhline(reservations[j], color=colours[names[j]], linestyle="--", linewidth=1)
    ax.set_xlabel(f"{possessive(names[i])} utility (index)")
    ax.set_ylabel(f"{possessive(names[j])} utility (index)")
    ax.legend(loc="best", frameon=False, fontsize=8.5)
    finish(ax, "Offers in utility space", f"{len(trace.rounds)} offers; outcome: {trace.outcome}")
    return ax


def _round_labels(ax: Any, trace: Any, names: Sequence[str], colours: Any, pair: Any) -> None:
    """Number each offer with its round; offers at one point share a label (gid ``round``).

    A party that repeats an offer gets one label at that point (``"1, 3, 5"``, or ``"1, 3, …,
    19 (10×)"`` for more than four rounds), and the labels of several parties at one point are
    stacked rather than printed over each other.
    """
    points = trace.utilities[:, list(pair)]
    stacked: dict[tuple[float, float], int] = {}
    for p, name in enumerate(names):
        mine = np.flatnonzero(trace.proposers == p)
        if mine.size == 0:
            continue
        spots, where = np.unique(points[mine], axis=0, return_inverse=True)
        for k, spot in enumerate(spots):
            rounds = [int(trace.rounds[r]) for r in mine[where.ravel() == k]]
            text = (
                ", ".join(map(str, rounds))
                if len(rounds) <= 4
                else f"{rounds[0]}, {rounds[1]}, …, {rounds[-1]} ({len(rounds)}×)"
            )
            key = (float(spot[0]), float(spot[1]))
            level = stacked.get(key, 0)
            stacked[key] = level + 1
            ax.annotate(
                text,
                spot,
                fontsize=7,
                xytext=(4, 4 + 9 * level),
                textcoords="offset points",
                color=colours[name],
                gid="round",
            )


def trace_timeline(
    trace: Any,
    parties: Sequence[str] | None = None,
    *,
    reservations: Sequence[float] | None = None,
    ax: Any = None,
):
    """Every party's utility of each offer, round by round.

    A filled marker shows the party's own offers, a hollow one the others'; dashed lines are
    reservations; a vertical line marks the agreement.

    Examples
    --------
    >>> import numpy as np
    >>> from dealsim.solvers.negotiation import Boulware, Conceder, simulate_negotiation
    >>> x = np.linspace(0, 1, 101)
    >>> tr = simulate_negotiation(np.column_stack([x, 1 - x]), [0, 0], [Boulware(), Conceder()],
    ...                           rounds=20, seed=1)
    >>> [line.get_gid() for line in trace_timeline(tr, ["a", "b"]).lines][:2]
    ['utility:0', 'utility:1']
    """
    names = _names(trace, parties)
    colours = party_colors(names)
    ax = new_axes(ax, figsize=(7.5, 4.5))
    for p, name in enumerate(names):
        ax.plot(
            trace.rounds,
            trace.utilities[:, p],
            color=colours[name],
            linewidth=1.6,
            label=f"{possessive(name)} utility of the offer",
            gid=f"utility:{p}",
        )
        own = trace.proposers == p
        ax.scatter(trace.rounds[own], trace.utilities[own, p], color=colours[name], s=30, zorder=3)
        ax.scatter(
            trace.rounds[~own],
            trace.utilities[~own, p],
            facecolor="white",
            edgecolor=colours[name],
            s=30,
            zorder=3,
        )
        if reservations is not None:
            ax.axhline(reservations[p], color=colours[name], linestyle="--", linewidth=1)
    if trace.agreement:
        ax.axvline(
            trace.agreement_round,
            color="black",
            linewidth=1.2,
            label=f"agreement (round {trace.agreement_round})",
        )
    ax.set_xlabel("round")
    ax.set_ylabel("utility (index)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)
    finish(ax, "Offers over time", "filled: own offer; hollow: the other side's offer")
    return ax


def outcome_runs(outcomes: Sequence[Any]) -> list[tuple[int, int, Any]]:
    """Maximal runs of equal consecutive outcomes as ``(start, stop, outcome)``.

    Examples
    --------
    >>> outcome_runs(["war", "war", "deal", "deal", "war"])
    [(0, 2, 'war'), (2, 4, 'deal'), (4, 5, 'war')]
    """
    values = list(outcomes)
    cuts = [0, *[k for k in range(1, len(values)) if values[k] != values[k - 1]], len(values)]
    return [(a, b, values[a]) for a, b in itertools.pairwise(cuts)]


def threshold_plot(
    values: Sequence[float],
    outcomes: Sequence[Any],
    *,
    parameter: str = "parameter",
    payoffs: np.ndarray | None = None,
    parties: Sequence[str] | None = None,
    thresholds: Sequence[Any] | None = None,
    ax: Any = None,
):
    """The outcome against a parameter: one shaded band per run of equal outcomes.

    Switches are drawn at ``thresholds`` (numbers, or objects with ``.value`` such as
    :class:`~dealsim.solvers.sequential.Threshold`) or, if none are given, halfway between
    the samples on either side of a change. ``payoffs`` (n, k) adds each party's payoff as a
    line in its colour.

    Parameters
    ----------
    values : sequence of float
        Parameter values, increasing.
    outcomes : sequence
        The outcome at each value (any labels).
    parameter : str
        The parameter's name (x-axis label).
    payoffs : array (n, k), optional
    parties : sequence of str, optional
        Names of the payoff columns (in the scenario's order, for matching colours).
    thresholds : sequence, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, with gids ``run:{outcome}`` (bands), ``outcome`` (band labels),
        ``switch`` (the threshold texts) and ``payoff:{party index}`` (lines).

    Examples
    --------
    >>> ax = threshold_plot([0.1, 0.3, 0.5, 0.7], ["war", "war", "deal", "deal"],
    ...                     parameter="credibility")
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "switch"]
    ['credibility = 0.4']
    """
    x = np.asarray(values, dtype=float)
    labels = list(outcomes)
    if x.ndim != 1 or x.size != len(labels) or x.size == 0 or np.any(np.diff(x) <= 0):
        raise DealsimError("values must be increasing, with one outcome per value")
    ax = new_axes(ax, figsize=(8.0, 4.5), autosize=3.4)
    runs = outcome_runs(labels)
    if thresholds is None:
        cuts = [0.5 * (x[a - 1] + x[a]) for a, _, _ in runs[1:]]
    else:
        cuts = sorted(float(getattr(t, "value", t)) for t in thresholds)
    edges = [x[0], *cuts, x[-1]]
    distinct = list(dict.fromkeys(map(str, labels)))
    bands = [
        (edges[n], edges[n + 1], str(outcome))
        for n, (_, _, outcome) in enumerate(runs)
        if len(edges) == len(runs) + 1
    ]
    ax.set_xlim(x[0], x[-1])
    ax.set_xlabel(parameter)
    width = axes_width(ax, reserve=1.6 if payoffs is not None else 0.0)
    texts = {o: _outcome_text(o) for o in distinct}
    inline = {
        o: _wrap_terms(texts[o], width * (hi - lo) / (x[-1] - x[0]) - 0.15) for lo, hi, o in bands
    }
    fits = all(
        text_width(inline[o], 8, "bold") <= width * (hi - lo) / (x[-1] - x[0]) - 0.1
        and inline[o].count("\n") < 4
        for lo, hi, o in bands
    )
    from matplotlib.patches import Patch

    key = []
    for lo, hi, outcome in bands:
        number = distinct.index(outcome)
        colour = OUTCOME_COLORS[number % len(OUTCOME_COLORS)]
        ax.axvspan(lo, hi, color=colour, alpha=0.9, linewidth=0, gid=f"run:{outcome}")
        if not fits and all(p.get_label() != outcome for p in key):
            key.append(Patch(facecolor=colour, edgecolor="#999999", linewidth=0.5, label=outcome))
        ax.text(
            0.5 * (lo + hi),
            0.97,
            inline[outcome] if fits else str(number + 1),
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=8 if fits else 9,
            fontweight="bold",
            gid="outcome",
            bbox={
                "boxstyle": "round,pad=0.2",
                "facecolor": "white",
                "alpha": 0.75,
                "edgecolor": "none",
            },
        )
    key.sort(key=lambda patch: distinct.index(patch.get_label()))
    for patch in key:
        patch.set_label(f"{distinct.index(patch.get_label()) + 1}: {texts[patch.get_label()]}")
    for cut in cuts:
        ax.axvline(cut, color="black", linestyle="--", linewidth=1.2)
        ax.text(
            cut,
            0.02,
            f"{parameter} = {cut:.3g}",
            transform=ax.get_xaxis_transform(),
            rotation=90,
            ha="right",
            va="bottom",
            fontsize=8.5,
            gid="switch",
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "alpha": 0.7, "lw": 0},
        )
    if payoffs is not None:
        pay = np.asarray(payoffs, dtype=float).reshape(x.size, -1)
        names = (
            list(parties) if parties is not None else [f"party {i}" for i in range(pay.shape[1])]
        )
        colours = party_colors(names)
        for p, name in enumerate(names):
            ax.plot(
                x,
                pay[:, p],
                color=colours[name],
                linewidth=2,
                marker="o",
                markersize=3,
                label=f"{possessive(name)} payoff",
                gid=f"payoff:{p}",
            )
        ax.set_ylabel("expected payoff (utility)")
        lo, hi = float(np.nanmin(pay)), float(np.nanmax(pay))
        room = 0.35 if fits else 0.15  # headroom for the band labels above the lines
        pad = (hi - lo) * 0.08 if hi > lo else 0.05
        ax.set_ylim(lo - pad, hi + pad + room * (hi - lo + 2 * pad))
        payoff_legend = ax.legend(
            loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8.5
        )
        if key:  # a second legend follows: keep this one, unclipped, outside the Axes
            ax.add_artist(payoff_legend)
            payoff_legend.set_clip_on(False)
    else:
        ax.set_yticks([])
    if key:
        for patch in key:
            patch.set_label(_wrap_terms(patch.get_label(), width - 0.7, 8.5, "normal"))
        legend_below(
            ax,
            handles=key,
            ncol=1,
            title="regimes (numbered in the bands)",
            title_fontsize=9,
            alignment="left",
        )
    finish(
        ax,
        f"Outcome against {parameter}",
        f"{len(runs)} regime(s), {len(cuts)} switch(es) over {x.size} values",
    )
    return ax


def _outcome_text(outcome: str) -> str:
    """An outcome label for display: ``security_guarantee=article5_mirror`` without underscores."""
    return outcome.replace("_", " ")


def _wrap_terms(text: str, width: float, size: float = 8.0, weight: str = "bold") -> str:
    """Wrap a ``"a=1, b=2"`` label at its commas (within a term only when a term is too long)."""
    lines: list[str] = []
    for term in text.split(", "):
        candidate = f"{lines[-1]}, {term}" if lines else term
        if lines and text_width(candidate, size, weight) <= width:
            lines[-1] = candidate
        else:
            if lines:
                lines[-1] += ","
            lines.append(wrap_to_width(term, width, size, weight))
    return "\n".join(lines)


def solution_sweep(
    scenario: Any,
    parameter: str,
    *,
    values: Sequence[float] | None = None,
    n: int = 21,
    solution: str = "nash",
    tol: float = 1e-9,
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Solve ``scenario`` along one parameter: the solution's deal and payoffs at each value.

    The outcome label names only the issues whose value changes along the sweep (``"no deal"``
    where the zone is empty, with the reservations as payoffs). Feed the result to
    :func:`threshold_plot`. ``values`` defaults to ``n`` points over the parameter's range.
    The result is that of :func:`dealsim.solve` at each value (with ``tol``), computed with one
    vectorised evaluation of every deal's utilities over all the values.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> xs, labels, pay = solution_sweep(s, "audience_cost_max", n=5)
    >>> [round(x, 2) for x in xs.tolist()], pay.shape
    ([0.02, 0.09, 0.16, 0.23, 0.3], (5, 3))
    """
    from dealsim._format import format_deal
    from dealsim.plot._style import check_choice
    from dealsim.results import SOLUTION_NAMES

    check_choice(parameter, tuple(scenario.parameters), "parameter", scenario.file)
    check_choice(solution, SOLUTION_NAMES, "solution", scenario.file)
    if values is None:
        spec = scenario.parameter_specs.get(parameter)
        if spec is None or spec.range is None:
            raise DealsimError(
                f"parameter {parameter!r} has no range in the scenario: pass values="
            )
        values = decimal_grid(spec.range[0], spec.range[1], int(n))  # 0.3, not 0.3000...04
    xs = np.asarray(values, dtype=float).reshape(-1)
    deals, payoffs = _sweep_kernel(scenario, parameter, xs, solution, tol)
    present = [d for d in deals if d is not None]
    varying = [k for k in (present[0] if present else {}) if len({str(d[k]) for d in present}) > 1]
    labels = [
        "no deal" if d is None else (format_deal({k: d[k] for k in varying}) or "same deal")
        for d in deals
    ]
    return xs, labels, payoffs


_SWEEP_CELLS = 8_000_000
"""Above this many utilities (values x deals x parties) a sweep solves one value at a time."""


def _sweep_kernel(
    scenario: Any, parameter: str, xs: np.ndarray, solution: str, tol: float
) -> tuple[list[dict[str, Any] | None], np.ndarray]:
    """The solution's deal (None: empty zone) and payoffs (reservations then) at each value.

    Every value's utilities come from one call of the utility model with the parameter as an
    array; only the small frontier problem is solved value by value. The zone, its frontier and
    the solution are judged with ``tol`` times each value's zone scale
    (:func:`dealsim.zone.utility_scale`), as :func:`dealsim.solve` judges them. Deal spaces too
    large for that are solved with :func:`dealsim.solve`, one value at a time (the same result).
    """
    from dealsim.analysis.batch import _party_scales
    from dealsim.solvers.bargaining import all_bargaining_solutions
    from dealsim.solvers.pareto import pareto_mask
    from dealsim.space import DealSpace, UtilityModel

    space = DealSpace(scenario)
    k, S = len(scenario.parties), xs.size
    if S * space.size * k > _SWEEP_CELLS:
        import dealsim

        deals, payoffs = [], []
        for value in xs:
            result = dealsim.solve(
                scenario, parameters={parameter: float(value)}, tol=tol, analyses=False
            )
            found = result.solutions[solution]
            deals.append(None if found is None else found.deal)
            row = result.reservations if found is None else found.utilities
            payoffs.append([row[p] for p in result.parties])
        return deals, np.asarray(payoffs, dtype=float)
    params = {**scenario.parameters, parameter: xs}
    model = UtilityModel.from_scenario(scenario, params)
    codes = space.codes(np.arange(space.size))
    u = np.broadcast_to(model.utilities(space, codes), (S, space.size, k))
    feasible = np.broadcast_to(model.feasible(space, codes).all(axis=-2), (S, space.size))
    r = np.broadcast_to(scenario.reservations(params), (S, k))
    weights = np.broadcast_to(scenario.powers(params), (S, k))
    # each value's zone scale, as compute_zone's (dealsim.zone.utility_scale, at least 1e-300)
    scale = np.maximum(_party_scales(model, r, S).max(axis=1), 1e-300)
    zone = feasible & (u >= r[:, None, :] - (tol * scale)[:, None, None]).all(axis=-1)
    deals: list[dict[str, Any] | None] = []
    payoffs = np.array(r, dtype=float)
    for s in range(S):  # one small frontier problem per parameter value
        rows = np.flatnonzero(zone[s])
        if rows.size == 0:
            deals.append(None)
            continue
        front = rows[pareto_mask(u[s, rows], tol=tol, scale=scale[s])]
        found = all_bargaining_solutions(
            u[s, front], r[s], weights=weights[s], tol=tol, scale=scale[s]
        )
        index = int(front[found[solution].index])
        deals.append(space.deal(index))
        payoffs[s] = u[s, index]
    return deals, payoffs
