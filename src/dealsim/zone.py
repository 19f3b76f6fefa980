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

from dealsim.errors import ScenarioError
from dealsim.scenario.model import Scenario
from dealsim.solvers.pareto import pareto_candidates, pareto_mask, tolerance_scale
from dealsim.solvers.zones import acceptance, blocking_counts
from dealsim.space import DEFAULT_CHUNK, DealSpace, UtilityModel, aligned_chunk

__all__ = [
    "MAX_TOLERANCE_SHARE",
    "MIN_SCALE_RATIO",
    "ZoneComputation",
    "check_tolerance_share",
    "checked_utility_scale",
    "compute_zone",
    "party_scales",
    "utility_scale",
]

MAX_TOLERANCE_SHARE = 1e-5
"""The largest share of a party's own utility scale that the common tolerance may reach.

The zone and the solvers use one absolute tolerance, ``tol`` times the scale ``S`` of all
parties (:func:`utility_scale`). For a party whose own scale ``S_i`` (:func:`party_scales`) is
much smaller, ``tol * S`` is not small against its utilities: deals below its reservation count
as acceptable and its differences as ties, and the answer moves with ``tol``.
:func:`check_tolerance_share` refuses a scenario where ``tol * S > MAX_TOLERANCE_SHARE * S_i``
(and ``S > MIN_SCALE_RATIO * S_i``): at the default ``tol`` 1e-9, a party whose scale is below
1e-4 of the largest. Chosen by experiment: scaling one party of each bundled scenario and test
file down until the zone, the frontiers or the Nash, weighted Nash and Kalai-Smorodinsky deals
change, the first change came at ``tol * S / S_i`` between 5.8e-4 (donbas-2026's russia) and 0.1
(tests/data/water_commission.toml's up: 0.056 with refinement); 1e-5 keeps a margin of 58 below
the smallest. A scenario whose utilities come within ``MAX_TOLERANCE_SHARE * S_i`` of a
reservation or of each other may still depend on the tolerance (docs/limits.md)."""

MIN_SCALE_RATIO = 10.0
"""A party is refused only when the largest scale exceeds its own by more than this factor.

At the default ``tol`` the share condition alone decides (it needs a ratio of 1e4); this bound
only matters for a ``tol`` above ``MAX_TOLERANCE_SHARE / MIN_SCALE_RATIO``, which a caller chooses
on purpose (every party's answer then depends on it): parties of comparable scales are not
refused."""


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
        self.scale = checked_utility_scale(space.scenario, model, reservations, tol)
        scale = self.scale
        self.zone_size = 0
        self.feasible_size = 0
        self.sole = np.zeros(k, dtype=np.int64)
        self.rejecting = np.zeros(k, dtype=np.int64)
        self.violations = np.zeros(n_constraints, dtype=np.int64)
        self.present = [np.zeros(issue.size, dtype=bool) for issue in space.scenario.issues]
        zone_idx, zone_u, feas_idx, feas_u = [], [], [], []
        shape, size = space.shape, space.size
        step = aligned_chunk(shape, chunk)  # whole runs of the last issues: no gathering
        constrained = n_constraints > 0
        for start in range(0, size, step):
            stop = min(start + step, size)
            n = stop - start
            utilities = model.range_utilities(space, start, stop)  # party columns contiguous
            if constrained:
                satisfied = model.feasible(space, space.codes(slice(start, stop)))
                self.violations += n - np.count_nonzero(satisfied, axis=1)
                feasible = np.logical_and.reduce(satisfied, axis=0)
            else:
                feasible = np.ones(n, dtype=bool)
            accepted = acceptance(utilities, reservations, tol=tol, scale=scale)
            zone = feasible.copy()
            for j in range(k):  # column by column: numpy reduces slowly along the short axis
                zone &= accepted[:, j]
            zone_count = int(np.count_nonzero(zone))
            feasible_count = int(np.count_nonzero(feasible))
            self.zone_size += zone_count
            self.feasible_size += feasible_count
            if zone_count < feasible_count:  # some feasible deal is rejected by someone
                sole, rejecting = blocking_counts(accepted, feasible)
                self.sole += sole
                self.rejecting += rejecting
            if zone_count:
                _mark_present(self.present, zone, start, stop, shape)
            # A deal that beats a zone deal (at least as good for everyone) is accepted by
            # everyone too, so the zone's candidates are the feasible candidates in the zone.
            rows = None if feasible_count == n else np.flatnonzero(feasible)
            feasible_u = utilities if rows is None else utilities[rows]
            keep = (
                pareto_candidates(feasible_u, tol=tol, scale=scale)
                if feasible_count
                else np.zeros(0, dtype=bool)
            )
            kept = np.flatnonzero(keep) if rows is None else rows[keep]
            kept_u = feasible_u[keep]
            feas_idx.append(start + kept)
            feas_u.append(kept_u)
            in_zone = zone[kept]
            zone_idx.append(start + kept[in_zone])
            zone_u.append(kept_u[in_zone])
        self.feasible_frontier, self.feasible_frontier_utilities = _merge(
            feas_idx, feas_u, k, tol, scale
        )
        if self.zone_size == self.feasible_size:  # the same deals: the same frontier
            self.zone_frontier = self.feasible_frontier
            self.zone_frontier_utilities = self.feasible_frontier_utilities
        else:
            self.zone_frontier, self.zone_frontier_utilities = _merge(
                zone_idx, zone_u, k, tol, scale
            )

    @property
    def empty(self) -> bool:
        """True when no deal is acceptable to all parties."""
        return self.zone_size == 0


def _mark_present(
    present: list[np.ndarray], zone: np.ndarray, start: int, stop: int, shape: tuple[int, ...]
) -> None:
    """Mark, per issue, the values some deal of ``zone`` (deals ``start .. stop - 1``) takes."""
    todo = [j for j, p in enumerate(present) if not p.all()]
    if not todo:
        return
    rows = np.flatnonzero(zone)
    if rows.size * 4 < zone.size:  # a sparse zone: decode its deals only
        codes = np.unravel_index(start + rows, shape)
        for j in todo:
            present[j] |= np.bincount(codes[j], minlength=present[j].size) > 0
        return
    # a dense zone: the deals are whole runs of the last issues when the chunk is aligned
    m, run = len(shape), 1
    while m > 0 and start % (run * shape[m - 1]) == 0 == stop % (run * shape[m - 1]):
        m, run = m - 1, run * shape[m - 1]
    block = zone.reshape(((stop - start) // run, *shape[m:]))
    if any(j < m for j in todo):
        heads = np.flatnonzero(block.reshape(block.shape[0], -1).any(axis=1)) + start // run
        head_codes = np.unravel_index(heads, shape[:m])
    for j in todo:
        if j < m:
            present[j] |= np.bincount(head_codes[j], minlength=present[j].size) > 0
        else:
            others = tuple(a for a in range(block.ndim) if a != j - m + 1)
            present[j] |= block.any(axis=others)


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
    return tolerance_scale(party_scales(model, reservations))


def party_scales(model: UtilityModel, reservations: np.ndarray) -> np.ndarray:
    """Each party's own scale: :func:`utility_scale` of its utilities and reservation alone.

    ``max(sum_j max |table_j| + sum |add|, |reservation|)`` per party (0 for a party whose
    utility is 0 everywhere and whose reservation is 0); :func:`utility_scale` is the largest.

    Examples
    --------
    >>> import dealsim
    >>> scenario = dealsim.load("donbas-2026")
    >>> scales = party_scales(UtilityModel.from_scenario(scenario), scenario.reservations())
    >>> scales.round(3).tolist()
    [1.98, 1.03, 1.08]
    """
    bounds = [
        sum(float(np.max(np.abs(table))) for _, table in party_tables)
        + sum(float(np.max(np.abs(add))) for add in adds)
        for party_tables, adds in zip(model.tables, model.term_adds, strict=True)
    ]
    return np.maximum(np.asarray(bounds, dtype=float), np.abs(np.asarray(reservations, float)))


def checked_utility_scale(
    scenario: Scenario, model: UtilityModel, reservations: np.ndarray, tol: float
) -> float:
    """:func:`utility_scale`, after :func:`check_tolerance_share` has passed its party scales.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("logroll")
    >>> checked_utility_scale(s, UtilityModel.from_scenario(s), s.reservations(), 1e-9)
    1.0
    """
    scales = party_scales(model, reservations)
    scale = tolerance_scale(scales)
    check_tolerance_share(scenario, scales, scale, tol)
    return scale


def check_tolerance_share(
    scenario: Scenario,
    scales: np.ndarray,
    scale: np.ndarray | float,
    tol: float,
    parameters: Mapping[str, np.ndarray] | None = None,
) -> None:
    """Refuse party scales so far apart that the common tolerance would bend the answer.

    Party ``i`` is refused when ``scales[i] > 0``, ``tol * scale > MAX_TOLERANCE_SHARE *
    scales[i]`` and ``scale > MIN_SCALE_RATIO * scales[i]``: the absolute tolerance ``tol * scale``
    the zone and the solvers use is then not small against its utilities (see
    :data:`MAX_TOLERANCE_SHARE`). A party whose scale is 0 has nothing to bend.

    Parameters
    ----------
    scenario : Scenario
        Named in the error (its file, its parties).
    scales : ndarray, shape (k,) or (S, k)
        :func:`party_scales`, or per draw of a batch.
    scale : float or ndarray, shape (S,)
        The scale the tolerance multiplies (:func:`utility_scale`), per draw of a batch.
    tol : float
        The tolerance in force.
    parameters : mapping of str to ndarray (S,), optional
        A batch's drawn parameters: the error names their values at the first refused draw.

    Raises
    ------
    ScenarioError
        Naming the file, the first refused party (of the first refused draw), both scales and
        what to do.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("logroll")
    >>> check_tolerance_share(s, np.array([1.0, 2e-4]), 1.0, 1e-9)  # 1e-9 <= 1e-5 * 2e-4
    >>> check_tolerance_share(s, np.array([1.0, 2e-5]), 1.0, 1e-9)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    dealsim.errors.ScenarioError: ...logroll.toml: party 'b': its utilities (scale 2e-05) ...
    >>> check_tolerance_share(s, np.array([1.0, 2e-5]), 1.0, 1e-12)  # a smaller tol: allowed
    """
    scales = np.asarray(scales, dtype=float)
    big = np.asarray(scale, dtype=float)[..., None]
    bent = (scales > 0) & (tol * big > MAX_TOLERANCE_SHARE * scales)
    bent &= big > MIN_SCALE_RATIO * scales
    if not bent.any():
        return
    draw, party = (0, int(np.argmax(bent))) if bent.ndim == 1 else np.argwhere(bent)[0]
    rows = np.atleast_2d(scales)[draw]
    pid = scenario.party_ids[party]
    at = ""
    if parameters:
        values = ", ".join(f"{k}={float(np.asarray(v)[draw]):g}" for k, v in parameters.items())
        at = f" at the draw {values}"
    largest = float(np.atleast_1d(scale)[draw])
    raise ScenarioError(
        f"party {pid!r}{at}: its utilities (scale {rows[party]:.3g}) are too small against the "
        f"largest party's (scale {largest:.3g}): the tolerance {tol:g} x {largest:.3g} is more "
        f"than {MAX_TOLERANCE_SHARE:g} of its scale, so the answer would depend on the tolerance; "
        f"rescale its [payoffs.{pid}] weights and [parties.{pid}] reservation (Nash and "
        "Kalai-Smorodinsky do not change when one party's utilities are multiplied by a positive "
        "number), or, from Python, pass a smaller tol= (docs/limits.md)",
        file=scenario.file or scenario.name,
    )


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
