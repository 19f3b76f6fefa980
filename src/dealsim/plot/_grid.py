"""The deals of a two-term slice of the deal space: utilities, acceptance and constraints.

A *slice* varies two issues over all their values and holds every other issue at one deal (by
default the Nash solution's deal). Everything is computed in one vectorised call of the utility
model over the ``ny * nx`` deals of the slice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dealsim.errors import ScenarioError
from dealsim.plot._style import (
    INFEASIBLE_HATCHES,
    axes_width,
    check_choice,
    issue_axis_label,
    level_label,
    text_width,
    wrap_to_width,
)
from dealsim.scenario.model import Issue, Scenario
from dealsim.space import DealSpace, UtilityModel
from dealsim.zone import utility_scale

__all__ = [
    "IssueAxis",
    "Slice",
    "boundary_segments",
    "cell_polygons",
    "default_deal",
    "hatch_infeasible",
    "held_terms",
    "slice_of",
]


@dataclass(frozen=True)
class IssueAxis:
    """Where an issue's values sit on a plot axis: cell centres, cell edges and tick labels."""

    issue: Issue
    centres: np.ndarray
    edges: np.ndarray
    ticks: np.ndarray | None
    ticklabels: tuple[str, ...] | None

    @classmethod
    def of(cls, issue: Issue) -> IssueAxis:
        """Levels sit at 0, 1, ... with their names; a range at its values (edges halfway)."""
        if not issue.numeric:
            centres = np.arange(issue.size, dtype=float)
            labels = tuple(level_label(v) for v in issue.values)
            return cls(issue, centres, np.arange(issue.size + 1) - 0.5, centres, labels)
        centres = np.asarray(issue.values, dtype=float)
        if centres.size == 1:
            edges = centres[0] + np.array([-0.5, 0.5])
        else:
            mid = 0.5 * (centres[1:] + centres[:-1])
            edges = np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])
        ticks = centres if centres.size <= 11 else None
        labels = tuple(f"{v:g}" for v in centres) if ticks is not None else None
        return cls(issue, centres, edges, ticks, labels)

    def apply(self, ax: Any, which: str, *, reserve: float = 0.0) -> None:
        """Label the ``"x"`` or ``"y"`` axis of ``ax`` with the issue (and its unit).

        Long level names are wrapped at spaces to fit their cell (x: the Axes' width, less
        ``reserve`` inches for a colorbar, shared among the levels) or to 1.3 in (y); an x label
        with a word too long for its cell is slanted instead. On a 3-D Axes, whose tick labels
        sit at an angle, names longer than 14 characters are shortened with an ellipsis.
        """
        set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
        size = 9.0
        width = axes_width(ax, reserve=reserve)
        label_width = width if which == "x" else 0.9 * ax.figure.get_figheight()
        set_label(wrap_to_width(issue_axis_label(self.issue), label_width, 10.0))
        if self.ticks is not None:
            labels = list(self.ticklabels or ())
            rotation = 0.0
            if getattr(ax, "name", "") == "3d":
                labels = [t if len(t) <= 14 else t[:13].rstrip() + "…" for t in labels]
                widest = max(text_width(t, size) for t in labels)
                (ax.xaxis if which == "x" else ax.yaxis).labelpad = 4 + 20 * widest
            elif which == "x":
                cell = width / max(1, len(labels)) - 0.15
                labels = [wrap_to_width(t, cell, size) for t in labels]
                if max(text_width(t, size) for t in labels) > cell:
                    labels, rotation = list(self.ticklabels or ()), 30.0
            else:
                labels = [wrap_to_width(t, 1.3, size) for t in labels]
            set_ticks = ax.set_xticks if which == "x" else ax.set_yticks
            set_ticks(self.ticks, labels, fontsize=size)
            if rotation:
                ax.tick_params(axis="x", labelrotation=rotation)
                for text in ax.get_xticklabels():
                    text.set_horizontalalignment("right")
                    text.set_rotation_mode("anchor")
        (ax.set_xlim if which == "x" else ax.set_ylim)(self.edges[0], self.edges[-1])


@dataclass(frozen=True)
class Slice:
    """A two-issue slice of the deal space, every array indexed ``[y, x]``.

    Attributes
    ----------
    x, y : IssueAxis
    at : dict
        The deal whose other terms are held fixed.
    at_label : str
        What that deal is ("Nash deal", "given deal", ...).
    indices : ndarray of int, (ny, nx)
        Flat deal indices.
    utilities : ndarray, (ny, nx, k)
    reservations : ndarray, (k,)
    satisfied : ndarray of bool, (n_constraints, ny, nx)
    parties : tuple of str
    parameters : dict
    tol, scale : float
        A party accepts a deal worth at least its reservation less ``tol * scale``; ``scale`` is
        the zone's (:func:`dealsim.zone.utility_scale`), as :func:`dealsim.zone.compute_zone`.
    """

    scenario: Scenario
    x: IssueAxis
    y: IssueAxis
    at: dict[str, Any]
    at_label: str
    indices: np.ndarray
    utilities: np.ndarray
    reservations: np.ndarray
    satisfied: np.ndarray
    parameters: dict[str, float]
    tol: float = 1e-9
    scale: float = 1.0

    @property
    def feasible(self) -> np.ndarray:
        """Deals allowed by every constraint, (ny, nx)."""
        return self.satisfied.all(axis=0)

    @property
    def accepted(self) -> np.ndarray:
        """Which party accepts which deal, (ny, nx, k)."""
        return self.utilities >= self.reservations - self.tol * self.scale

    @property
    def zone(self) -> np.ndarray:
        """Deals in the agreement zone, (ny, nx)."""
        return self.feasible & self.accepted.all(axis=-1)

    @property
    def at_point(self) -> tuple[float, float]:
        """Plot position of the held deal."""
        return tuple(  # type: ignore[return-value]
            float(a.centres[_code(a.issue, self.at[a.issue.id])]) for a in (self.x, self.y)
        )


def held_terms(grid: Slice) -> str:
    """What the other terms of a slice are held at: ``"other terms at the Nash deal (star): ..."``.

    Examples
    --------
    >>> import dealsim
    >>> held_terms(slice_of(dealsim.load("logroll"), "x", "y"))
    'star: the Nash deal'
    """
    shown = (grid.x.issue.id, grid.y.issue.id)
    others = [i for i in grid.scenario.issues if i.id not in shown]
    if not others:
        return f"star: the {grid.at_label}"
    terms = ", ".join(f"{i.id.replace('_', ' ')} {level_label(grid.at[i.id])}" for i in others)
    return f"other terms at the {grid.at_label} (star): {terms}"


def _code(issue: Issue, value: Any) -> int:
    if issue.numeric:
        return int(np.argmin(np.abs(np.asarray(issue.values, dtype=float) - float(value))))
    return list(issue.values).index(value)


def default_deal(scenario: Scenario, parameters: Mapping[str, float]) -> tuple[dict, str]:
    """The Nash solution's deal; with an empty zone, the feasible deal of largest minimum gain."""
    from dealsim.zone import compute_zone

    zc = compute_zone(scenario, parameters)
    if zc.zone_frontier.size:
        from dealsim.solvers.bargaining import nash_bargaining_solution

        # the pipeline's Nash deal: the zone's tolerance and scale
        s = nash_bargaining_solution(
            zc.zone_frontier_utilities, zc.reservations, tol=zc.tol, scale=zc.scale
        )
        return zc.space.deal(int(zc.zone_frontier[s.index])), "Nash deal"
    if zc.feasible_frontier.size == 0:
        raise ScenarioError("no deal satisfies the constraints", file=scenario.file)
    gains = (zc.feasible_frontier_utilities - zc.reservations).min(axis=1)
    best = int(zc.feasible_frontier[int(np.argmax(gains))])
    return zc.space.deal(best), "max-min deal (the zone is empty)"


def slice_of(
    scenario: Scenario,
    x: str,
    y: str,
    *,
    at: Mapping[str, Any] | None = None,
    parameters: Mapping[str, float] | None = None,
    tol: float = 1e-9,
) -> Slice:
    """Utilities, acceptance and constraints over issues ``x`` and ``y``, others held at ``at``.

    ``at`` may name only some issues; the others come from the default deal (the Nash deal).

    Examples
    --------
    >>> import dealsim
    >>> s = slice_of(dealsim.load("logroll"), "x", "y")
    >>> s.utilities.shape, int(s.zone.sum())
    ((11, 11, 2), 121)
    """
    ids = scenario.issue_ids
    check_choice(x, ids, "issue", scenario.file)
    check_choice(y, ids, "issue", scenario.file)
    if x == y:
        raise ScenarioError(f"x and y must be two different issues, got {x!r} twice")
    params = {**scenario.parameters, **(parameters or {})}
    unknown = sorted(set(parameters or {}) - set(scenario.parameters))
    if unknown:
        allowed = ", ".join(scenario.parameters) or "none"
        raise ScenarioError(f"unknown parameter {unknown[0]!r} (allowed: {allowed})")
    space = DealSpace(scenario)
    given = dict(at or {})
    for key in given:
        check_choice(key, ids, "issue", scenario.file)
    missing = [i for i in ids if i not in given and i not in (x, y)]
    if missing or not given:
        base, label = default_deal(scenario, params)
        label = label if not given else "given deal"
    else:
        base, label = {}, "given deal"
    deal = {**base, **given}
    xa, ya = IssueAxis.of(scenario.issue(x)), IssueAxis.of(scenario.issue(y))
    deal.setdefault(x, xa.issue.values[0])
    deal.setdefault(y, ya.issue.values[0])
    try:
        start = space.codes(np.array([space.index_of(deal)]))[0]
    except (KeyError, ValueError) as error:
        raise ScenarioError(f"at: {error.args[0]}", file=scenario.file) from None
    ny, nx = ya.issue.size, xa.issue.size
    codes = np.tile(start, (ny * nx, 1))
    jx, jy = ids.index(x), ids.index(y)
    codes[:, jy], codes[:, jx] = np.divmod(np.arange(ny * nx), nx)
    model = UtilityModel.from_scenario(scenario, params)
    k = len(scenario.parties)
    reservations = np.asarray(scenario.reservations(params), dtype=float)
    return Slice(
        scenario=scenario,
        x=xa,
        y=ya,
        at=deal,
        at_label=label,
        indices=np.ravel_multi_index(codes.T, space.shape).reshape(ny, nx),
        utilities=model.utilities(space, codes).reshape(ny, nx, k),
        reservations=reservations,
        satisfied=model.feasible(space, codes).reshape(-1, ny, nx),
        parameters=params,
        tol=tol,
        scale=utility_scale(model, reservations),
    )


def cell_polygons(mask: np.ndarray, xe: np.ndarray, ye: np.ndarray) -> np.ndarray:
    """Rectangles ``(n, 4, 2)`` of the cells where ``mask[y, x]`` is true.

    Examples
    --------
    >>> cell_polygons(np.array([[False, True]]), np.array([0, 1, 2]), np.array([0, 1]))[0].tolist()
    [[1, 0], [2, 0], [2, 1], [1, 1]]
    """
    iy, ix = np.nonzero(mask)
    x0, x1, y0, y1 = xe[ix], xe[ix + 1], ye[iy], ye[iy + 1]
    return np.stack([np.column_stack(c) for c in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))], axis=1)


def boundary_segments(
    mask: np.ndarray, xe: np.ndarray, ye: np.ndarray, where: np.ndarray | None = None
) -> np.ndarray:
    """Cell edges ``(n, 2, 2)`` between neighbouring cells where ``mask`` differs.

    Only edges between two cells that are both in ``where`` (default: all) count; the frame of
    the grid is never a boundary.

    Examples
    --------
    >>> boundary_segments(np.array([[True, False]]), np.array([0, 1, 2]), np.array([0, 1])).tolist()
    [[[1, 0], [1, 1]]]
    """
    where = np.ones(mask.shape, dtype=bool) if where is None else where
    cut = (mask[:, 1:] != mask[:, :-1]) & where[:, 1:] & where[:, :-1]
    iy, ix = np.nonzero(cut)  # vertical edges at xe[ix + 1]
    vertical = np.stack(
        [np.column_stack([xe[ix + 1], ye[iy]]), np.column_stack([xe[ix + 1], ye[iy + 1]])], axis=1
    )
    cut = (mask[1:, :] != mask[:-1, :]) & where[1:, :] & where[:-1, :]
    iy, ix = np.nonzero(cut)  # horizontal edges at ye[iy + 1]
    horizontal = np.stack(
        [np.column_stack([xe[ix], ye[iy + 1]]), np.column_stack([xe[ix + 1], ye[iy + 1]])], axis=1
    )
    return np.concatenate([vertical, horizontal]).reshape(-1, 2, 2)


def hatch_infeasible(ax: Any, grid: Slice) -> None:
    """Hatch the cells each constraint rules out (one pattern per constraint, labelled)."""
    from matplotlib.collections import PolyCollection

    for n, constraint in enumerate(grid.scenario.constraints):
        broken = ~grid.satisfied[n]
        if not broken.any():
            continue
        cells = PolyCollection(
            cell_polygons(broken, grid.x.edges, grid.y.edges),
            facecolor="none",
            edgecolor="#666666",
            linewidth=0.0,
            hatch=INFEASIBLE_HATCHES[n % len(INFEASIBLE_HATCHES)],
            label=f"ruled out: {constraint.label}",
            gid=f"constraint:{n}",
        )
        ax.add_collection(cells)


def main_issues(scenario: Scenario, parameters: Mapping[str, float] | None = None) -> list[str]:
    """Issue ids by the total weight the parties give them, heaviest first.

    Examples
    --------
    >>> import dealsim
    >>> main_issues(dealsim.load("donbas-2026"))[:2]
    ['donbas_ceded', 'security_guarantee']
    """
    params = {**scenario.parameters, **(parameters or {})}
    total = dict.fromkeys(scenario.issue_ids, 0.0)
    for payoff in scenario.payoffs:
        for issue, weight in payoff.weights.items():
            total[issue] += float(np.mean(scenario.resolve(weight, params)))
    return sorted(total, key=lambda i: -total[i])
