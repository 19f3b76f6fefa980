"""The agreement zone of a scenario, computed in one chunked walk of its deal space.

:func:`compute_zone` evaluates every deal's utilities and constraints chunk by chunk and keeps
running counts (zone size, feasible deals, blocking parties, constraint violations) and streaming
Pareto candidates, so that memory stays bounded whatever the size of the space. The pure kernels
it calls live in :mod:`dealsim.solvers.pareto` and :mod:`dealsim.solvers.zones`; the scenario-level
analyses and :func:`dealsim.solve` build on the :class:`ZoneComputation` it returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from dealsim.scenario.model import Scenario
from dealsim.solvers.pareto import pareto_candidates, pareto_mask, tolerance_scale
from dealsim.solvers.zones import acceptance, blocking_counts
from dealsim.space import DEFAULT_CHUNK, DealSpace, UtilityModel

__all__ = ["ZoneComputation", "compute_zone", "utility_scale"]


class ZoneComputation:
    """The arrays behind a solve: zone and feasible frontiers, counts and the utility model.

    Attributes are plain arrays so that later analyses (alternating offers, ratification, plots)
    can reuse them without recomputing utilities.

    ``tol`` is relative: acceptance and Pareto dominance use ``tol * scale``, where ``scale``
    (see :func:`utility_scale`) bounds every deal's ``|utility|`` and every ``|reservation|``, so
    a scenario whose weights are all multiplied by a positive number has the same zone and the
    same frontiers.
    """

    def __init__(
        self,
        space: DealSpace,
        model: UtilityModel,
        reservations: np.ndarray,
        *,
        chunk: int = DEFAULT_CHUNK,
        tol: float = 1e-9,
    ):
        k = len(space.scenario.parties)
        n_constraints = len(space.scenario.constraints)
        self.space, self.model, self.reservations, self.tol = space, model, reservations, tol
        self.scale = utility_scale(model, reservations)
        scale = self.scale
        self.zone_size = 0
        self.feasible_size = 0
        self.sole = np.zeros(k, dtype=np.int64)
        self.rejecting = np.zeros(k, dtype=np.int64)
        self.violations = np.zeros(n_constraints, dtype=np.int64)
        self.present = [np.zeros(issue.size, dtype=bool) for issue in space.scenario.issues]
        zone_idx, zone_u, feas_idx, feas_u = [], [], [], []
        for start, codes in space.chunks(chunk):
            utilities = model.utilities(space, codes)
            satisfied = model.feasible(space, codes)
            feasible = satisfied.all(axis=0)
            self.violations += (~satisfied).sum(axis=1)
            accepted = acceptance(utilities, reservations, tol=tol, scale=scale)
            zone = feasible & accepted.all(axis=1)
            sole, rejecting = blocking_counts(accepted, feasible)
            self.sole += sole
            self.rejecting += rejecting
            self.zone_size += int(zone.sum())
            self.feasible_size += int(feasible.sum())
            for j, present in enumerate(self.present):
                present |= np.bincount(codes[zone, j], minlength=present.size) > 0
            for mask, idx_list, u_list in ((zone, zone_idx, zone_u), (feasible, feas_idx, feas_u)):
                rows = np.flatnonzero(mask)
                keep = (
                    pareto_candidates(utilities[rows], tol=tol, scale=scale)
                    if rows.size
                    else rows.astype(bool)
                )
                idx_list.append(start + rows[keep])
                u_list.append(utilities[rows[keep]])
        self.zone_frontier, self.zone_frontier_utilities = _merge(zone_idx, zone_u, k, tol, scale)
        self.feasible_frontier, self.feasible_frontier_utilities = _merge(
            feas_idx, feas_u, k, tol, scale
        )

    @property
    def empty(self) -> bool:
        """True when no deal is acceptable to all parties."""
        return self.zone_size == 0


def utility_scale(model: UtilityModel, reservations: np.ndarray) -> float:
    """A bound on every deal's ``|utility|`` and every ``|reservation|``, known before the walk.

    Each party's utility is a sum of weighted value tables and ``add`` terms, so
    ``sum_j max |table_j| + sum |add|`` bounds it; the scale is the largest bound over the parties
    and the reservations (at least 1e-300). Tolerances are multiplied by it.

    Examples
    --------
    >>> import dealsim
    >>> scenario = dealsim.load("split-linear")
    >>> utility_scale(UtilityModel.from_scenario(scenario), scenario.reservations())
    1.0
    """
    bounds = [
        sum(float(np.max(np.abs(table))) for _, table in party_tables)
        + sum(float(np.max(np.abs(add))) for add in adds)
        for party_tables, adds in zip(model.tables, model.term_adds, strict=True)
    ]
    return tolerance_scale(np.asarray(bounds), np.asarray(reservations, dtype=float))


def _merge(
    indices: list[np.ndarray], utilities: list[np.ndarray], k: int, tol: float, scale: float
):
    if not indices:
        return np.zeros(0, dtype=np.int64), np.zeros((0, k))
    idx = np.concatenate(indices)
    u = np.concatenate(utilities) if utilities else np.zeros((0, k))
    if idx.size:
        keep = pareto_mask(u, tol=tol, scale=scale)
        idx, u = idx[keep], u[keep]
    order = np.argsort(idx)
    return idx[order], u[order]


def compute_zone(
    scenario: Scenario,
    parameters: Mapping[str, Any] | None = None,
    *,
    chunk: int = DEFAULT_CHUNK,
    tol: float = 1e-9,
) -> ZoneComputation:
    """Walk the deal space of ``scenario`` once: zone counts, blocking, Pareto frontiers.

    Examples
    --------
    >>> import dealsim
    >>> zc = compute_zone(dealsim.load("split-linear"))
    >>> zc.zone_size, zc.feasible_size
    (51, 201)
    """
    params = dict(scenario.parameters if parameters is None else parameters)
    space = DealSpace(scenario)
    model = UtilityModel.from_scenario(scenario, params)
    return ZoneComputation(space, model, scenario.reservations(params), chunk=chunk, tol=tol)
