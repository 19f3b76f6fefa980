"""The agreement-zone map: over two terms, where every party accepts and who blocks the rest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from dealsim.plot._grid import (
    boundary_segments,
    cell_polygons,
    hatch_infeasible,
    held_terms,
    slice_of,
)
from dealsim.plot._marks import mark_held_deal
from dealsim.plot._style import ZONE_COLOR, finish, legend_below, new_axes, party_colors
from dealsim.scenario.model import Scenario

__all__ = ["agreement_zone_map"]

_LINESTYLES = ("solid", (0, (5, 2)), (0, (1.5, 1.5)), (0, (6, 2, 1.5, 2)))


def agreement_zone_map(
    scenario: Scenario,
    x: str,
    y: str,
    *,
    at: Mapping[str, Any] | None = None,
    parameters: Mapping[str, float] | None = None,
    marks: bool | None = None,
    ax: Any = None,
):
    """Map the agreement zone over two deal terms, the other terms held at one deal.

    Cells every party accepts (and no constraint rules out) are shaded; each party's acceptance
    boundary is drawn in its colour and labelled on its accepting side; cells a constraint rules
    out are hatched, one pattern per constraint. On small grids each feasible cell outside the
    zone carries a cross in the colour of every party that rejects it.

    Parameters
    ----------
    scenario : Scenario
    x, y : str
        Issue ids on the horizontal and vertical axes.
    at : mapping, optional
        Values of the other issues (default: the Nash solution's deal, marked with a star).
    parameters : mapping, optional
        Parameter overrides.
    marks : bool, optional
        Mark rejecting parties in each cell (default: at most 15 x 15 cells).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on. Gids: ``zone``, ``boundary:{party}``, ``side:{party index}``
        (the ✓ labels), ``rejects:{party}``, ``constraint:{n}`` (hatches), ``held-deal``.

    Examples
    --------
    >>> import dealsim
    >>> ax = agreement_zone_map(dealsim.load("logroll"), "x", "y")
    >>> ax.get_title(loc="left").splitlines()[0]
    'Agreement zone: 121 of 121 deals'
    """
    from matplotlib.collections import LineCollection, PolyCollection

    grid = slice_of(scenario, x, y, at=at, parameters=parameters)
    ax = new_axes(ax, autosize=4.2)
    grid.x.apply(ax, "x")
    grid.y.apply(ax, "y")
    xe, ye = grid.x.edges, grid.y.edges
    zone = grid.zone
    ax.add_collection(
        PolyCollection(
            cell_polygons(zone, xe, ye),
            facecolor=ZONE_COLOR,
            edgecolor="white",
            linewidth=0.8,
            label="agreement zone: every party accepts",
            gid="zone",
        )
    )
    hatch_infeasible(ax, grid)
    colours = party_colors(scenario.party_ids)
    accepted = grid.accepted
    cx, cy = np.meshgrid(grid.x.centres, grid.y.centres)
    for i, party in enumerate(scenario.parties):
        segments = boundary_segments(accepted[..., i], xe, ye, where=grid.feasible)
        style = _LINESTYLES[i % len(_LINESTYLES)]
        width = 2.0 + 1.5 * (len(scenario.parties) - 1 - i)  # earlier parties wider: overlaps show
        line = LineCollection(
            segments,
            colors=colours[party.id],
            linewidths=width,
            linestyles=[style],
            capstyle="butt",
            label=f"{party.label} accepts on its ✓ side (utility ≥ {grid.reservations[i]:.3g})",
            gid=f"boundary:{party.id}",
        )
        ax.add_collection(line)
        if segments.size:
            _label_side(ax, grid, i, segments, colours[party.id], party.label)
        elif accepted[..., i][grid.feasible].all():
            line.set_label(f"{party.label} accepts every feasible deal shown")
        else:
            line.set_label(f"{party.label} rejects every feasible deal shown")
    if marks if marks is not None else zone.size <= 225:
        _reject_marks(ax, grid, colours, cx, cy)
    mark_held_deal(ax, grid.at_point, markersize=16, label=grid.at_label)
    legend_below(ax)
    title = f"Agreement zone: {int(zone.sum())} of {zone.size} deals"
    finish(ax, title, held_terms(grid), parameters=grid.parameters)
    return ax


def _label_side(ax: Any, grid: Any, i: int, segments: np.ndarray, colour: str, name: str) -> None:
    """Write the party's name just inside its accepting side, at one of its boundary edges."""
    mids = segments.mean(axis=1)
    order = np.lexsort((mids[:, 1], mids[:, 0]))
    seg = segments[order[(len(order) * (2 * i + 1)) // (2 * len(grid.scenario.parties) + 1)]]
    mid = seg.mean(axis=0)
    vertical = np.isclose(seg[0, 0], seg[1, 0])
    step_x = np.diff(grid.x.edges).min() * 0.22
    step_y = np.diff(grid.y.edges).min() * 0.22
    for sign in (1, -1):
        probe = mid + (np.array([sign * step_x, 0]) if vertical else np.array([0, sign * step_y]))
        jx = int(np.clip(np.searchsorted(grid.x.edges, probe[0]) - 1, 0, grid.x.centres.size - 1))
        jy = int(np.clip(np.searchsorted(grid.y.edges, probe[1]) - 1, 0, grid.y.centres.size - 1))
        if grid.accepted[jy, jx, i]:
            break
    ax.text(
        *probe,
        f"{name} ✓",
        color=colour,
        fontsize=8,
        fontweight="bold",
        ha="center",
        va="center",
        rotation=90 if vertical else 0,
        gid=f"side:{i}",
        bbox={
            "boxstyle": "round,pad=0.15",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.85,
        },
    )


def _reject_marks(ax: Any, grid: Any, colours: dict, cx: np.ndarray, cy: np.ndarray) -> None:
    k = len(grid.scenario.parties)
    width = np.diff(grid.x.edges)[None, :] * np.ones_like(cx)
    height = np.diff(grid.y.edges)[:, None] * np.ones_like(cy)
    for i, party in enumerate(grid.scenario.parties):
        rejects = grid.feasible & ~grid.accepted[..., i]
        if not rejects.any():
            continue
        dx = (i - (k - 1) / 2) * 0.14 * width[rejects]
        ax.scatter(
            cx[rejects] + dx,
            cy[rejects] - 0.3 * height[rejects],
            marker="X",
            s=48,
            color=colours[party.id],
            edgecolors="white",
            linewidths=0.4,
            zorder=3,
            label=f"rejected by {party.label}",
            gid=f"rejects:{party.id}",
        )
