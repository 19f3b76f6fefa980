"""Payoff surfaces: a party's utility (or the Nash product, or the smallest gain) over two terms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from dealsim.errors import ScenarioError
from dealsim.plot._grid import Slice, boundary_segments, hatch_infeasible, held_terms, slice_of
from dealsim.plot._marks import mark_held_deal
from dealsim.plot._style import (
    axes_height,
    axes_width,
    check_choice,
    finish,
    legend_below,
    new_axes,
    party_colors,
    possessive,
    text_width,
    wrap_to_width,
)
from dealsim.scenario.model import Scenario

__all__ = ["MEASURES", "SURFACE_KINDS", "payoff_surface", "surface_values"]

MEASURES = ("utility", "nash_product", "min_gain")
SURFACE_KINDS = ("heatmap", "contour", "3d")


def surface_values(grid: Slice, measure: str, party: str | None = None) -> np.ndarray:
    """The ``(ny, nx)`` values a surface shows; NaN where the measure is undefined.

    ``"utility"``: the party's utility. ``"nash_product"``: the product of every party's gain over
    its reservation, NaN outside the agreement zone. ``"min_gain"``: the smallest gain over the
    reservations (negative where some party rejects). Infeasible deals are NaN throughout.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.plot._grid import slice_of
    >>> grid = slice_of(dealsim.load("logroll"), "x", "y")
    >>> float(surface_values(grid, "nash_product")[0, 10])  # x = 1, y = 0: 0.8 * 0.8
    0.64...
    """
    gains = grid.utilities - grid.reservations
    if measure == "utility":
        values = grid.utilities[..., grid.scenario.party_ids.index(party)]
    elif measure == "nash_product":
        values = np.where(grid.accepted.all(axis=-1), np.prod(np.maximum(gains, 0), -1), np.nan)
    else:
        values = gains.min(axis=-1)
    return np.where(grid.feasible, values, np.nan)


def payoff_surface(
    scenario: Scenario,
    x: str,
    y: str,
    *,
    measure: str = "utility",
    party: str | None = None,
    kind: str = "heatmap",
    at: Mapping[str, Any] | None = None,
    parameters: Mapping[str, float] | None = None,
    annotate: bool | None = None,
    ax: Any = None,
):
    """Draw one party's utility (or a joint measure) over two deal terms.

    The other terms are held at ``at`` (default: the Nash solution's deal, marked with a star).
    Deals ruled out by a constraint are hatched (heatmap) or left blank. On a heatmap the
    boundary of the region the party accepts (``"utility"``) or of the agreement zone (joint
    measures) is drawn in the party's colour (black for the zone).

    Parameters
    ----------
    scenario : Scenario
    x, y : str
        Issue ids on the horizontal and vertical axes.
    measure : {"utility", "nash_product", "min_gain"}
        See :func:`surface_values`; ``"utility"`` needs ``party``.
    party : str, optional
        Party id, for ``measure="utility"`` (and only for it: a joint measure refuses one).
    kind : {"heatmap", "contour", "3d"}
        A cell heatmap, filled contours, or a 3-D surface with a colour bar (``ax`` must then be
        a 3-D Axes; both issues must be numeric: a list of levels is drawn as a heatmap).
    at : mapping, optional
        Values of the other issues (some or all).
    parameters : mapping, optional
        Parameter overrides.
    annotate : bool, optional
        Write values in the cells (default: when a value fits its cell at 6.5 pt or more, on
        at most 20 x 20 cells).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, its artists tagged by gid: ``surface`` (the mesh), ``boundary``,
        ``constraint:{n}`` (hatches), ``value`` (cell texts) and ``held-deal`` (the star).

    Examples
    --------
    >>> import dealsim
    >>> ax = payoff_surface(dealsim.load("donbas-2026"), "donbas_ceded", "security_guarantee",
    ...                     party="ukraine")
    >>> ax.get_title(loc="left").splitlines()[0]
    "Ukraine's utility"
    """
    check_choice(measure, MEASURES, "measure")
    check_choice(kind, SURFACE_KINDS, "surface kind")
    if measure == "utility":
        if party is None:
            raise ScenarioError(
                f"measure 'utility' needs a party (allowed: {', '.join(scenario.party_ids)})"
            )
        check_choice(party, scenario.party_ids, "party", scenario.file)
    elif party is not None:  # a joint measure would silently ignore it
        raise ScenarioError(
            f"measure {measure!r} combines every party; a party ({party!r}) goes with measure "
            "'utility' only"
        )
    if kind == "3d":
        levels = [i for i in (x, y) if not scenario.issue(i).numeric]
        if levels:
            raise ScenarioError(
                f"kind '3d' needs two numeric issues; {levels[0]!r} is a list of levels, which "
                "a 3-D surface would join with meaningless slopes: draw it as a heatmap (the "
                "default)",
                file=scenario.file,
            )
    grid = slice_of(scenario, x, y, at=at, parameters=parameters)
    values = surface_values(grid, measure, party)
    if kind == "3d":
        ax = new_axes(ax, figsize=(8.0, 7.0), projection="3d", autosize=5.5)
    else:
        ax = new_axes(ax, figsize=(8.0, 6.0), autosize=4.2)
    if kind == "3d" and getattr(ax, "name", "") != "3d":
        raise ScenarioError("kind '3d' needs a 3-D Axes (projection='3d')")
    cmap, norm = _colour_scale(values, measure)
    grid.x.apply(ax, "x", reserve=_COLORBAR if kind != "3d" else 0.0)
    grid.y.apply(ax, "y")
    if kind == "heatmap":
        mesh = ax.pcolormesh(
            grid.x.edges, grid.y.edges, np.ma.masked_invalid(values), cmap=cmap, norm=norm
        )
        mesh.set_gid("surface")
        ax.set_facecolor("#EEEEEE")
        hatch_infeasible(ax, grid)
        _zone_outline(ax, grid, measure, party)
        fmt = _value_format(values)
        size = _value_fontsize(ax, grid, values, fmt)
        annotated = annotate if annotate is not None else (values.size <= 400 and size >= 6.5)
        if annotated:
            _annotate(ax, grid, values, mesh, fmt, max(5.0, size))
    elif kind == "contour":
        xx, yy = np.meshgrid(grid.x.centres, grid.y.centres)
        mesh = ax.contourf(xx, yy, np.ma.masked_invalid(values), levels=12, cmap=cmap, norm=norm)
        ax.contour(xx, yy, np.ma.masked_invalid(values), levels=12, colors="white", linewidths=0.4)
    else:
        xx, yy = np.meshgrid(grid.x.centres, grid.y.centres)
        mesh = ax.plot_surface(
            xx,
            yy,
            np.ma.masked_invalid(values),
            cmap=cmap,
            norm=norm,
            edgecolor="#333333",
            linewidth=0.3,
            alpha=0.95,
        )
        mesh.set_gid("surface")
        ax.set_zlabel(_measure_label(grid, measure, party))
        jx, jy = (
            int(np.argmin(np.abs(a.centres - p)))
            for a, p in zip((grid.x, grid.y), grid.at_point, strict=True)
        )
        if np.isfinite(values[jy, jx]):
            point = (grid.x.centres[jx], grid.y.centres[jy], values[jy, jx])
            mark_held_deal(ax, point, markersize=15, zorder=10)
        bar = ax.figure.colorbar(mesh, ax=ax, shrink=0.6, pad=0.1)
        bar.set_label(wrap_to_width(_measure_label(grid, measure, party), 3.0, 10.0))
    if kind != "3d":
        label = wrap_to_width(_measure_label(grid, measure, party), 0.8 * axes_height(ax), 10.0)
        ax.figure.colorbar(mesh, ax=ax, label=label, shrink=0.9)
        point, markersize = grid.at_point, 17
        if kind == "heatmap" and annotated:  # the star moves to its cell's corner: the value shows
            jx, jy = (
                int(np.argmin(np.abs(a.centres - p)))
                for a, p in zip((grid.x, grid.y), grid.at_point, strict=True)
            )
            point = tuple(
                a.edges[j] + 0.8 * (a.edges[j + 1] - a.edges[j])
                for a, j in zip((grid.x, grid.y), (jx, jy), strict=True)
            )
            markersize = 11
        mark_held_deal(ax, point, markersize=markersize, label=grid.at_label)
        legend_below(ax, reserve=_COLORBAR)
    title = _measure_label(grid, measure, party).split(" (")[0]
    finish(
        ax,
        title,
        held_terms(grid),
        parameters=grid.parameters,
        reserve=_COLORBAR if kind != "3d" else 0.0,
    )
    return ax


_COLORBAR = 1.0
"""Inches a colorbar (with its ticks and label) takes beside a surface."""


def _value_format(values: np.ndarray) -> str:
    """Two decimals below 10, more for small values (two significant digits), none from 10 up."""
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return f".{max(2 if top < 10 else 0, 1 - int(np.floor(np.log10(top))))}f"


def _value_fontsize(ax: Any, grid: Slice, values: np.ndarray, fmt: str) -> float:
    """The largest font size (at most 8 pt) at which the widest value fits its cell."""
    finite = values[np.isfinite(values)]
    widest = max((format(v, fmt) for v in finite), key=len, default="0")
    cell_w = axes_width(ax, reserve=_COLORBAR) / grid.x.centres.size
    cell_h = axes_height(ax) / grid.y.centres.size
    return float(min(8.0, 8.0 * (cell_w - 0.08) / text_width(widest, 8.0), 72 * cell_h / 1.8))


def _measure_label(grid: Slice, measure: str, party: str | None) -> str:
    if measure == "utility":
        label = next(p.label for p in grid.scenario.parties if p.id == party)
        return f"{possessive(label)} utility (index)"
    if measure == "nash_product":
        return "Nash product of gains over reservations"
    return "Smallest gain over reservations (utility)"


def _colour_scale(values: np.ndarray, measure: str):
    from matplotlib.colors import Normalize, TwoSlopeNorm

    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if measure == "min_gain" and lo < 0 < hi:
        return "PuOr", TwoSlopeNorm(0.0, lo, hi)
    return "viridis", Normalize(lo, hi if hi > lo else lo + 1e-12)


def _zone_outline(ax: Any, grid: Slice, measure: str, party: str | None) -> None:
    from matplotlib.collections import LineCollection

    if measure == "utility":
        i = grid.scenario.party_ids.index(party)
        mask, colour = grid.accepted[..., i], party_colors(grid.scenario.party_ids)[party]
        name = grid.scenario.parties[i].label
        label = f"{name} accepts (utility ≥ {grid.reservations[i]:.3g}) on this side"
    else:
        mask, colour, label = grid.zone, "black", "agreement zone boundary"
    segments = boundary_segments(mask, grid.x.edges, grid.y.edges, where=grid.feasible)
    if segments.size:
        ax.add_collection(
            LineCollection(
                segments,
                colors=colour,
                linewidths=3.0,
                label=label,
                gid="boundary",
                capstyle="round",
            )
        )


def _annotate(ax: Any, grid: Slice, values: np.ndarray, mesh: Any, fmt: str, size: float) -> None:
    cx, cy = np.meshgrid(grid.x.centres, grid.y.centres)
    # the held deal's star sits at its cell's centre: its value goes below the star
    held = (cx == grid.at_point[0]) & (cy == grid.at_point[1])
    cy = np.where(held, cy - 0.3 * np.diff(grid.y.edges)[:, None], cy)
    rgba = mesh.cmap(mesh.norm(values))
    light = rgba[..., :3] @ np.array([0.299, 0.587, 0.114]) > 0.5
    for vx, vy, v, is_light in zip(
        cx.ravel(), cy.ravel(), values.ravel(), light.ravel(), strict=True
    ):
        if np.isfinite(v):
            ax.text(
                vx,
                vy,
                format(v, fmt),
                ha="center",
                va="center",
                fontsize=size,
                color="black" if is_light else "white",
                gid="value",
            )
