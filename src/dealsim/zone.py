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
from dealsim.solvers.pareto import pareto_mask
from dealsim.solvers.zones import acceptance, blocking_counts
from dealsim.space import DEFAULT_CHUNK, DealSpace, UtilityModel

__all__ = ["ZoneComputation", "compute_zone"]


class ZoneComputation:
    """The arrays behind a solve: zone and feasible frontiers, counts and the utility model.

    Attributes are plain arrays so that later analyses (alternating offers, ratification, plots)
    can reuse them without recomputing utilities.
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
            accepted = acceptance(utilities, reservations, tol=tol)
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
                keep = pareto_mask(utilities[rows]) if rows.size else rows.astype(bool)
                idx_list.append(start + rows[keep])
                u_list.append(utilities[rows[keep]])
        self.zone_frontier, self.zone_frontier_utilities = _merge(zone_idx, zone_u, k)
        self.feasible_frontier, self.feasible_frontier_utilities = _merge(feas_idx, feas_u, k)

    @property
    def empty(self) -> bool:
        """True when no deal is acceptable to all parties."""
        return self.zone_size == 0


def _merge(indices: list[np.ndarray], utilities: list[np.ndarray], k: int):
    if not indices:
        return np.zeros(0, dtype=np.int64), np.zeros((0, k))
    idx = np.concatenate(indices)
    u = np.concatenate(utilities) if utilities else np.zeros((0, k))
    if idx.size:
        keep = pareto_mask(u)
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
