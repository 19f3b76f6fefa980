"""Utility space: every deal as a point for two parties, the Pareto frontier and the solutions."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dealsim.errors import ScenarioError
from dealsim.plot._labels import keep_apart
from dealsim.plot._marks import deal_cloud, mark_point
from dealsim.plot._style import (
    SOLUTION_STYLES,
    check_choice,
    finish,
    legend_below,
    new_axes,
    party_colors,
    possessive,
    share_parameter_note,
    text_width,
)
from dealsim.scenario.model import Scenario
from dealsim.solvers.pareto import pareto_mask
from dealsim.solvers.zones import agreement_mask

__all__ = ["deal_utilities", "utility_space", "utility_space_pairs"]

_ZONE_POINT = "#4FA866"
_OTHER_POINT = "#C4C4C4"
_MARKER = 13.0
"""Size of a solution's marker, in points."""


def deal_utilities(
    scenario: Scenario,
    parameters: Mapping[str, float] | None = None,
    *,
    max_points: int = 50_000,
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Utilities, feasibility and zone membership of every deal (or of a sample of them).

    Returns ``(utilities (n, k), feasible (n,), zone (n,))``. A space larger than
    ``max_points`` is sampled uniformly without replacement with ``seed``. The zone is decided
    as :func:`dealsim.zone.compute_zone` decides it (the same tolerance scale).

    Examples
    --------
    >>> import dealsim
    >>> u, feasible, zone = deal_utilities(dealsim.load("logroll"))
    >>> u.shape, int(zone.sum())
    ((121, 2), 121)
    """
    from dealsim.space import DealSpace, UtilityModel
    from dealsim.zone import utility_scale

    params = {**scenario.parameters, **(parameters or {})}
    space = DealSpace(scenario)
    if space.size > max_points:
        rng = np.random.default_rng(seed)
        indices = np.sort(rng.choice(space.size, size=max_points, replace=False))
    else:
        indices = np.arange(space.size)
    codes = space.codes(indices)
    model = UtilityModel.from_scenario(scenario, params)
    u = model.utilities(space, codes)
    feasible = model.feasible(space, codes).all(axis=0)
    d = np.asarray(scenario.reservations(params), dtype=float)
    # the zone's scale (dealsim.zone.compute_zone's), not the largest |u| of the deals drawn
    return u, feasible, agreement_mask(u, d, feasible, scale=utility_scale(model, d))


def utility_space(
    scenario: Scenario,
    parties: Sequence[str] | None = None,
    *,
    parameters: Mapping[str, float] | None = None,
    result: Any = None,
    max_points: int = 50_000,
    ax: Any = None,
):
    """Plot every deal in the utility space of two parties, with the frontier and the solutions.

    Deals in the agreement zone are green, other feasible deals grey. The line is the Pareto
    frontier of the zone's deals in these two parties' utilities (with three or more parties,
    of the projection; the deals Pareto-optimal for all parties are drawn as black dots). The
    dashed lines are the reservations, their crossing the disagreement point; every bargaining
    solution is marked and labelled. Solutions at the same point share one marker and one label
    ("Nash = Kalai–Smorodinsky = Egalitarian"); solutions whose markers would overlap (closer, on
    both axes, than a marker's size) share one too, at the first one's point, their names joined
    by "≈". The labels are placed when the figure is drawn, inside the Axes, so that no label
    covers another or a marker; each has a leader line to its point.

    Parameters
    ----------
    scenario : Scenario
    parties : pair of str, optional
        The two party ids (x then y); required with three or more parties (or use
        :func:`utility_space_pairs`).
    parameters : mapping, optional
        Parameter overrides.
    result : SolveResult, optional
        A solve of the same scenario and parameters, to reuse (default: solved here).
    max_points : int
        Sample this many deals at most (seed 0) for the scatter.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on. Its artists are tagged by gid: ``deals:zone``, ``deals:other``,
        ``frontier`` (and ``frontier:full`` with three or more parties), ``reservation:x`` and
        ``reservation:y``, ``disagreement``, and for each group of solutions
        ``solution-marker`` and ``solution`` (the label).

    Examples
    --------
    >>> import dealsim
    >>> ax = utility_space(dealsim.load("logroll"))
    >>> [t.get_text().replace(chr(10), " ") for t in ax.texts if t.get_gid() == "solution"]
    ['Nash = Weighted Nash = Kalai–Smorodinsky = Egalitarian = Utilitarian']
    """
    ids = scenario.party_ids
    if parties is None:
        if len(ids) != 2:
            raise ScenarioError(
                f"{len(ids)} parties: choose two of {', '.join(ids)} (or use utility_space_pairs)"
            )
        parties = ids
    parties = tuple(parties)
    if len(parties) != 2 or parties[0] == parties[1]:
        raise ScenarioError(f"choose two different parties of {', '.join(ids)}, got {parties}")
    for p in parties:
        check_choice(p, ids, "party", scenario.file)
    params = {**scenario.parameters, **(parameters or {})}
    if result is None:
        import dealsim

        result = dealsim.solve(scenario, parameters=params)
    u, feasible, zone = deal_utilities(scenario, params, max_points=max_points)
    ax = new_axes(ax, figsize=(7.0, 6.0), autosize=4.6)
    _draw(ax, scenario, result, (ids.index(parties[0]), ids.index(parties[1])), u, feasible, zone)
    return ax


def utility_space_pairs(
    scenario: Scenario,
    *,
    parameters: Mapping[str, float] | None = None,
    result: Any = None,
    max_points: int = 50_000,
    ncols: int | None = None,
    ax: Sequence[Any] | None = None,
):
    """One utility-space panel per pair of parties (three panels for three parties).

    The parameters are written once, above the panels; the legend is shared (in a free cell of
    the grid when there is one, else under the panels).

    Parameters
    ----------
    scenario : Scenario
    parameters : mapping, optional
    result : SolveResult, optional
        A solve to reuse.
    max_points : int
        Sample this many deals at most.
    ncols : int, optional
        Panels per row of a new figure (default: all pairs in one row, at most 3).
    ax : sequence of Axes, optional
        One Axes per pair, in the order of ``itertools.combinations(party_ids, 2)``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import dealsim
    >>> fig = utility_space_pairs(dealsim.load("donbas-2026"))
    >>> len(fig.axes)
    3
    """
    ids = scenario.party_ids
    pairs = list(itertools.combinations(range(len(ids)), 2))
    params = {**scenario.parameters, **(parameters or {})}
    if result is None:
        import dealsim

        result = dealsim.solve(scenario, parameters=params)
    spare = None
    if ax is None:
        import matplotlib.pyplot as plt

        cols = max(1, min(len(pairs), int(ncols) if ncols else 3))
        rows = -(-len(pairs) // cols)
        fig, grid = plt.subplots(
            rows, cols, figsize=(5.0 * cols, 5.2 * rows + 1.0), layout="constrained", squeeze=False
        )
        cells = list(grid.ravel())
        axes, free = cells[: len(pairs)], cells[len(pairs) :]
        for cell in free[1:]:
            cell.remove()
        if free:
            spare = free[0]
            spare.set_axis_off()
    else:
        axes = list(ax)
        if len(axes) != len(pairs):
            raise ScenarioError(
                f"need {len(pairs)} Axes (one per pair of parties), got {len(axes)}"
            )
        fig = axes[0].figure
    share_parameter_note(fig)
    u, feasible, zone = deal_utilities(scenario, params, max_points=max_points)
    for axis, pair in zip(axes, pairs, strict=True):
        _draw(axis, scenario, result, pair, u, feasible, zone, legend=False)
    from matplotlib.lines import Line2D

    handles, labels = [], []
    for handle, label in zip(*axes[-1].get_legend_handles_labels(), strict=True):
        if handle.get_gid() == "reservation:x":
            handle = Line2D([], [], color="#555555", linestyle="--")
            label = "reservation (dashed, in the party's colour)"
        elif handle.get_gid() == "reservation:y":
            continue
        elif handle.get_gid() == "frontier":
            label = "Pareto frontier of the zone for the pair shown"
        handles.append(handle)
        labels.append(label)
    if spare is not None:
        spare.legend(handles, labels, loc="center left", frameon=False, fontsize=9)
    else:
        width = max(text_width(label, 9.0) for label in labels) + 0.6
        ncol = max(1, min(len(labels), int(fig.get_figwidth() // width)))
        fig.legend(
            handles, labels, loc="outside lower center", ncol=ncol, frameon=False, fontsize=9
        )
    return fig


def _draw(ax, scenario, result, pair, u, feasible, zone, *, legend: bool = True) -> None:
    i, j = pair
    parties = scenario.parties
    colours = party_colors(scenario.party_ids)
    for deals, size, colour, label, gid in (
        (feasible & ~zone, 9, _OTHER_POINT, "feasible deal outside the zone", "deals:other"),
        (zone, 12, _ZONE_POINT, "deal in the agreement zone", "deals:zone"),
    ):
        deal_cloud(ax, u[deals][:, [i, j]], size=size, color=colour, label=label, gid=gid)
    full = np.array([[f[p.id] for p in parties] for f in result.pareto_frontier.utilities])
    full = full.reshape(-1, len(parties))
    if len(parties) == 2:
        line = np.unique(full[:, [i, j]], axis=0)
        label = "Pareto frontier (of the zone)"
    else:
        projected = np.unique(u[zone][:, [i, j]], axis=0)
        line = projected[pareto_mask(projected)] if projected.size else projected
        label = f"Pareto frontier of the zone for {parties[i].label} and {parties[j].label}"
        if full.size:
            ax.scatter(
                full[:, i],
                full[:, j],
                s=14,
                color="black",
                zorder=3,
                label=f"Pareto-optimal for all {len(parties)} parties",
                gid="frontier:full",
            )
    line = line[np.lexsort((-line[:, 1], line[:, 0]))] if line.size else line.reshape(0, 2)
    ax.plot(
        line[:, 0],
        line[:, 1],
        color="black",
        linewidth=1.6,
        marker="o",
        markersize=3,
        label=label,
        gid="frontier",
        zorder=3,
    )
    r = [result.reservations[p.id] for p in parties]
    for draw, k, side in ((ax.axvline, i, "x"), (ax.axhline, j, "y")):
        draw(
            r[k],
            color=colours[parties[k].id],
            linestyle="--",
            linewidth=1.2,
            label=f"{possessive(parties[k].label)} reservation",
            gid=f"reservation:{side}",
        )
    mark_point(
        ax,
        (r[i], r[j]),
        marker="o",
        markersize=8,
        color="white",
        markeredgecolor="black",
        markeredgewidth=1.5,
        gid="disagreement",
        zorder=4,
        label="disagreement point (no deal)",
    )
    _solutions(ax, result, parties[i].id, parties[j].id)
    ax.set_xlabel(f"{possessive(parties[i].label)} utility (index)")
    ax.set_ylabel(f"{possessive(parties[j].label)} utility (index)")
    ax.xaxis.label.set_color(colours[parties[i].id])
    ax.yaxis.label.set_color(colours[parties[j].id])
    ax.grid(True, color="#EEEEEE", linewidth=0.8)
    ax.set_axisbelow(True)
    if legend:
        legend_below(ax)
    zone_text = f"{result.agreement_zone.size:,} of {result.deal_space['size']:,} deals in the zone"
    finish(
        ax,
        f"{parties[i].label} vs {parties[j].label}: utility space",
        zone_text,
        parameters=result.parameters,
    )


def _solutions(ax: Any, result: Any, px: str, py: str) -> None:
    """Mark and label the solutions, one marker and one label for each group that coincides.

    Solutions at the same point (within ``1e-9`` of the Axes' span on each axis) share a marker
    and a label, their names joined by "="; groups whose markers would overlap (closer on both
    axes than a marker's size, as a fraction of the Axes' size) share one too, joined by "≈",
    at the point of the first. A label prefers the side of its point away from the other
    solutions (from the disagreement point, when all coincide), and is placed when the figure is
    drawn where its box overlaps no other label and no marker (:mod:`dealsim.plot._labels`).
    """
    named = [
        (name, np.array([s.utilities[px], s.utilities[py]], dtype=float))
        for name, s in result.solutions.items()
        if s is not None
    ]
    if not named:
        return
    span = np.array([np.diff(ax.get_xlim())[0], np.diff(ax.get_ylim())[0]], dtype=float)
    span = np.where(span > 0, span, 1.0)
    groups: list[tuple[np.ndarray, list[str]]] = []
    for name, point in named:
        same = next((g for g in groups if np.all(np.abs(g[0] - point) <= 1e-9 * span)), None)
        if same is None:
            groups.append((point, [name]))
        else:
            same[1].append(name)
    box = ax.get_position()
    size = np.array([box.width * ax.figure.get_figwidth(), box.height * ax.figure.get_figheight()])
    near = span * _MARKER / np.maximum(72.0 * size, _MARKER)
    clusters = _near_clusters([p for p, _ in groups], near)
    points = np.array([groups[c[0]][0] for c in clusters])
    if len(clusters) > 1:
        centre = points.mean(axis=0)
    else:
        centre = np.array([result.reservations[px], result.reservations[py]], dtype=float)
    lo = np.array([ax.get_xlim()[0], ax.get_ylim()[0]], dtype=float)
    markers, labels = [], []
    for members, point in zip(clusters, points, strict=True):
        first = groups[members[0]][1][0]
        markers.append(
            mark_point(
                ax,
                point,
                marker=SOLUTION_STYLES.get(first, (first, "o"))[1],
                markersize=_MARKER,
                color="black",
                markeredgecolor="white",
                markeredgewidth=1.0,
                zorder=5,
                gid="solution-marker",
            )
        )
        text = " ≈ ".join(
            " = ".join(SOLUTION_STYLES.get(m, (m, "o"))[0] for m in groups[k][1]) for k in members
        )
        where = (point - lo) / span
        side = np.where(point >= centre, 1, -1)
        side = np.where(where > 0.7, -1, np.where(where < 0.3, 1, side))
        label = ax.annotate(
            textwrap.fill(text, 26),
            tuple(point),
            xytext=(22 * side[0], 18 * side[1]),
            textcoords="offset points",
            ha="left" if side[0] > 0 else "right",
            va="bottom" if side[1] > 0 else "top",
            fontsize=8.5,
            fontweight="bold",
            gid="solution",
            zorder=6,
            bbox={
                "boxstyle": "round,pad=0.25",
                "facecolor": "white",
                "edgecolor": "#999999",
                "alpha": 0.9,
            },
            arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.8},
        )
        labels.append((label, (int(side[0]), int(side[1]))))
    obstacles = markers + [line for line in ax.lines if line.get_gid() == "disagreement"]
    soft = [a for a in [*ax.lines, *ax.collections] if a.get_gid() in ("frontier", "frontier:full")]
    keep_apart(ax, labels, obstacles, soft)


def _near_clusters(points: list[np.ndarray], near: np.ndarray) -> list[list[int]]:
    """Indices of ``points`` gathered into clusters whose members are all within ``near``.

    Two points are near when they differ by at most ``near`` on each axis. A point joins the
    first cluster all of whose members are near it (so no chain of near points spreads a
    cluster).

    Examples
    --------
    >>> pts = [np.array([0.0, 0.0]), np.array([0.5, 0.5]), np.array([0.01, 0.0])]
    >>> _near_clusters(pts, np.array([0.02, 0.02]))
    [[0, 2], [1]]
    """
    clusters: list[list[int]] = []
    for k, point in enumerate(points):
        home = next(
            (c for c in clusters if all(np.all(np.abs(points[m] - point) <= near) for m in c)),
            None,
        )
        if home is None:
            clusters.append([k])
        else:
            home.append(k)
    return clusters
