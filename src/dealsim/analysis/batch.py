"""Batch solves: the agreement zone and the five bargaining solutions for many parameter draws.

:func:`batch_solve` evaluates a whole batch of draws as array operations: utilities
``(S, n_deals, n_parties)``, zone masks and the five bargaining solutions at once. It reproduces
:func:`dealsim.solve` sample by sample: the zone uses the acceptance tolerance ``tol`` (a deal worth
``reservation - tol`` is accepted); the solutions are chosen among the zone's deals
(``u >= d - bargaining_tol``, by default the same ``tol``) with the rules and the tie-break of
:mod:`dealsim.solvers.bargaining` (Pareto optimal among the tied deals, then the largest sum of
normalised gains, then the lowest deal index). Choosing among all zone deals rather than the zone's
Pareto frontier gives the same deal: every criterion is monotone, so the best value and the ideal
point are the same on both sets, and the Pareto-optimal rows of the tied set are exactly the tied
rows of the frontier.

Monte Carlo (:mod:`dealsim.uncertainty.montecarlo`), sensitivity and the games' parameter
thresholds are built on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from dealsim._results import ResultMixin
from dealsim.errors import DealsimError
from dealsim.results import SOLUTION_NAMES
from dealsim.scenario.model import Scenario
from dealsim.solvers.bargaining import _best_row
from dealsim.space import DEFAULT_MAX_DEALS, DealSpace, UtilityModel, check_space_size

__all__ = [
    "MAX_SAMPLE_ELEMENTS",
    "MAX_ZONE_CELLS",
    "BatchSolution",
    "batch_solve",
    "check_batch_size",
]

_ELEMENT_BUDGET = 1 << 21  # S * n_deals * n_parties per vectorised step (16 MB per float array)
_TINY = 1e-300  # the smallest tolerance scale, as in dealsim.solvers.pareto

MAX_SAMPLE_ELEMENTS = 1 << 23
"""The most deals x parties one sample may hold in a batch step (8,388,608).

A step holds about 13 float arrays of ``step x n_deals x n_parties`` (about 105 bytes per element
measured): the step shrinks to fit the budget, down to one sample, and one sample of a larger space
(above about 0.9 GB) is refused before anything is allocated."""

MAX_ZONE_CELLS = 1 << 29
"""The most samples x deals of zone flags one batch returns (536,870,912 bytes, twice that while
the steps are joined)."""


@dataclass(frozen=True)
class BatchSolution(ResultMixin):
    """Zone and bargaining solutions of ``S`` parameter draws.

    Attributes
    ----------
    parameters : dict of str to ndarray, shape (S,)
        Every parameter's value in each draw.
    zone : ndarray of bool, shape (S, n_deals)
        Which deals lie in the agreement zone (flat deal indices).
    zone_size, feasible_size : ndarray of int, shape (S,)
    reservations : ndarray, shape (S, n_parties)
    solutions : dict of str to ndarray of int, shape (S,)
        Each bargaining solution's deal index, ``-1`` when there is no agreement.
    utilities : dict of str to ndarray, shape (S, n_parties)
        Each solution's utilities (NaN when there is no agreement).
    method : str
        ``"batch"``.
    tol, bargaining_tol : float
        Acceptance tolerance of the zone and tolerance of the bargaining solvers.
    """

    parameters: dict[str, np.ndarray]
    zone: np.ndarray
    zone_size: np.ndarray
    feasible_size: np.ndarray
    reservations: np.ndarray
    solutions: dict[str, np.ndarray]
    utilities: dict[str, np.ndarray]
    method: str = "batch"
    tol: float = 1e-9
    bargaining_tol: float = 1e-9


def batch_solve(
    scenario: Scenario,
    parameters: Mapping[str, ArrayLike],
    *,
    tol: float = 1e-9,
    bargaining_tol: float = 1e-9,
    max_deals: int | None = DEFAULT_MAX_DEALS,
) -> BatchSolution:
    """Agreement zone and the five bargaining solutions for many parameter draws at once.

    Parameters
    ----------
    scenario : Scenario
    parameters : mapping of str to array_like
        Draws of some parameters, each of shape ``(S,)`` (or scalars); the others keep the
        scenario's values.
    tol : float
        Acceptance tolerance of the zone (as in :func:`dealsim.solve`).
    bargaining_tol : float
        Tolerance of the bargaining solvers (individual rationality and ties).
    max_deals : int or None
        Refuse a deal space of more than this many deals (``None``: no limit), as
        :func:`dealsim.solve` does. Whatever it is, one sample's ``n_deals x n_parties`` may not
        pass :data:`MAX_SAMPLE_ELEMENTS` nor ``S x n_deals`` :data:`MAX_ZONE_CELLS` (memory).

    Returns
    -------
    BatchSolution
        Sample ``s`` agrees with ``dealsim.solve(scenario, parameters=draw_s)``.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> batch = batch_solve(s, {"fortress_risk": [0.0, 0.1, 0.25]})
    >>> batch.zone_size.tolist() == [
    ...     dealsim.solve(s, parameters={"fortress_risk": c}).agreement_zone.size
    ...     for c in (0.0, 0.1, 0.25)]
    True
    """
    space = DealSpace(scenario)
    n_deals = check_batch_size(scenario, 1, max_deals)  # exact, before anything is allocated
    unknown = sorted(set(parameters) - set(scenario.parameters))
    if unknown:
        known = ", ".join(scenario.parameters) or "none"
        raise DealsimError(f"unknown parameter {unknown[0]!r} (known: {known})")
    arrays = {name: np.atleast_1d(np.asarray(v, dtype=float)) for name, v in parameters.items()}
    sizes = {a.size for a in arrays.values() if a.size != 1}
    if any(a.ndim != 1 for a in arrays.values()) or len(sizes) > 1:
        raise DealsimError("parameter draws must be 1-D arrays of one common length (S,)")
    n_samples = sizes.pop() if sizes else 1
    check_batch_size(scenario, n_samples, max_deals)
    draws = {
        name: np.broadcast_to(arrays.get(name, np.asarray([value], dtype=float)), (n_samples,))
        for name, value in scenario.parameters.items()
    }
    step = max(1, _ELEMENT_BUDGET // max(1, n_deals * len(scenario.parties)))
    parts = [
        _batch_kernel(
            scenario,
            space,
            {name: v[start : start + step] for name, v in draws.items()},
            tol,
            bargaining_tol,
        )
        for start in range(0, n_samples, step)
    ]
    zone, feasible_size, reservations, indices, utilities = (
        np.concatenate([p[i] for p in parts]) for i in range(5)
    )
    return BatchSolution(
        parameters={name: np.array(v) for name, v in draws.items()},
        zone=zone,
        zone_size=zone.sum(axis=1),
        feasible_size=feasible_size,
        reservations=reservations,
        solutions={name: indices[:, j] for j, name in enumerate(SOLUTION_NAMES)},
        utilities={name: utilities[:, j] for j, name in enumerate(SOLUTION_NAMES)},
        tol=tol,
        bargaining_tol=bargaining_tol,
    )


def check_batch_size(
    scenario: Scenario, n_samples: int, max_deals: int | None = DEFAULT_MAX_DEALS
) -> int:
    """The number of deals, refusing a batch that passes a limit of :func:`batch_solve`.

    The limits are ``max_deals`` (as in :func:`dealsim.space.check_space_size`),
    :data:`MAX_SAMPLE_ELEMENTS` and :data:`MAX_ZONE_CELLS`; counts are Python integers.

    Examples
    --------
    >>> import dealsim
    >>> check_batch_size(dealsim.load("logroll"), 1000)
    121
    >>> check_batch_size(dealsim.load("logroll"), 10**7)
    Traceback (most recent call last):
    ...
    dealsim.errors.DealsimError: ...: a batch of 10,000,000 samples x 121 deals holds ...
    """
    n_deals = check_space_size(DealSpace(scenario), max_deals)
    where = scenario.file or scenario.name
    elements = n_deals * len(scenario.parties)
    if elements > MAX_SAMPLE_ELEMENTS:
        raise DealsimError(
            f"{where}: one sample of the batch analyses (Monte Carlo, sensitivity, thresholds) "
            f"holds {n_deals:,} deals x {len(scenario.parties)} parties = {elements:,} "
            f"utilities, above the limit of {MAX_SAMPLE_ELEMENTS:,} (memory); coarsen the "
            "issues, or solve the points one by one with dealsim sweep"
        )
    if n_samples * n_deals > MAX_ZONE_CELLS:
        raise DealsimError(
            f"{where}: a batch of {n_samples:,} samples x {n_deals:,} deals holds "
            f"{n_samples * n_deals:,} zone flags, above the limit of {MAX_ZONE_CELLS:,} "
            "(memory); draw fewer samples or coarsen the issues"
        )
    return n_deals


def _batch_kernel(scenario: Scenario, space: DealSpace, draws, tol: float, btol: float):
    n_samples = next(iter(draws.values())).shape[0] if draws else 1
    n, k = space.size, len(scenario.parties)
    codes = space.codes()
    model = UtilityModel.from_scenario(scenario, draws)
    feasible = np.broadcast_to(model.feasible(space, codes).all(axis=-2), (n_samples, n))
    # Utilities only of the deals feasible in some sample: the zone is empty elsewhere.
    columns = np.flatnonzero(feasible.any(axis=0))
    u = np.broadcast_to(model.utilities(space, codes[columns]), (n_samples, columns.size, k))
    # one contiguous (S, m) array per party: reductions over a short last axis are slow
    cols = [np.ascontiguousarray(u[..., i]) for i in range(k)]
    r = np.broadcast_to(scenario.reservations(draws), (n_samples, k))
    w = np.broadcast_to(scenario.powers(draws), (n_samples, k))
    # The zone's tolerance is relative, as in dealsim.zone: tol times each sample's utility scale.
    accept_tol = tol * _utility_scales(model, r, n_samples)
    zone_c = feasible[:, columns].copy()
    for i, col in enumerate(cols):
        zone_c &= col >= (r[:, i] - accept_tol)[:, None]
    zone = np.zeros((n_samples, n), dtype=bool)
    zone[:, columns] = zone_c
    indices, utilities = _solutions_kernel(u, cols, zone_c, r, w, btol)
    chosen = indices >= 0
    indices[chosen] = columns[indices[chosen]]
    return zone, feasible.sum(axis=1), r, indices, utilities


def _utility_scales(model: UtilityModel, r: np.ndarray, n_samples: int) -> np.ndarray:
    """Per sample, :func:`dealsim.zone.utility_scale`: a bound on every |utility| and |r|."""
    bounds = np.zeros((n_samples, len(model.tables)))
    for i, (party_tables, adds) in enumerate(zip(model.tables, model.term_adds, strict=True)):
        for _, table in party_tables:
            bounds[:, i] += np.abs(np.asarray(table, dtype=float)).max(axis=-1)
        for add in adds:
            add = np.abs(np.asarray(add, dtype=float))
            bounds[:, i] += add.reshape(n_samples, -1).max(axis=1) if add.ndim > 1 else add.max()
    return np.maximum(np.maximum(bounds.max(axis=1), np.abs(r).max(axis=1)), _TINY)


def _solutions_kernel(u, cols, zone, r, w, tol):
    """The five solutions (SOLUTION_NAMES order) of each sample among its zone deals."""
    n_samples, _, k = u.shape
    # The solvers' absolute tolerance: tol times the largest |u| over the candidates and |r|.
    largest = np.zeros(n_samples)
    for col in cols:
        largest = np.maximum(largest, np.where(zone, np.abs(col), 0.0).max(axis=1, initial=0.0))
    atol = tol * np.maximum(np.maximum(largest, np.abs(r).max(axis=1)), _TINY)
    gains = [col - r[:, i, None] for i, col in enumerate(cols)]
    rational = zone.copy()
    for i, col in enumerate(cols):
        rational &= col >= (r[:, i] - atol)[:, None]
    has = rational.any(axis=1)
    active, normalised, logs = [], [], []
    positive = rational.copy()
    for i, col in enumerate(cols):
        span = np.where(rational, col, -np.inf).max(axis=1) - r[:, i]
        on = span > atol
        active.append(on[:, None])
        normalised.append(gains[i] / np.where(on, span, 1.0)[:, None])
        logs.append(np.log(np.where(gains[i] > 0, gains[i], 1.0)))
        positive &= ~on[:, None] | (gains[i] > atol[:, None])
    any_active = np.logical_or.reduce(active)
    zero_product = ~positive.any(axis=1)

    def nash(weights):
        total = np.zeros_like(cols[0])
        for i in range(k):
            total = total + np.where(active[i], logs[i] * weights[:, i, None], 0.0)
        value = np.where(positive, total, -np.inf)
        return np.where(zero_product[:, None] & rational, 0.0, value)

    def smallest(values):
        low = np.full_like(cols[0], np.inf)
        for i in range(k):
            low = np.minimum(low, np.where(active[i], values[i], np.inf))
        return np.where(rational, np.where(any_active, low, 0.0), -np.inf)

    total_u = cols[0]
    for col in cols[1:]:
        total_u = total_u + col
    objectives = {
        "nash": nash(np.ones((n_samples, k))),
        "weighted_nash": nash(w),
        "kalai_smorodinsky": smallest(normalised),
        "egalitarian": smallest(gains),
        "utilitarian": np.where(rational, total_u, -np.inf),
    }
    # Ties as in dealsim.solvers.bargaining: tol on the log Nash product (scaled by the weights)
    # and on Kalai-Smorodinsky's normalised gains; atol on egalitarian, k * atol on utilitarian.
    ties = {
        "nash": np.full(n_samples, tol * k),
        "weighted_nash": tol * w.sum(axis=1) / w.max(axis=1),
        "kalai_smorodinsky": np.full(n_samples, tol),
        "egalitarian": atol,
        "utilitarian": atol * k,
    }
    indices = np.full((n_samples, len(SOLUTION_NAMES)), -1, dtype=np.int64)
    values = np.full((n_samples, len(SOLUTION_NAMES), k), np.nan)
    rows = np.flatnonzero(has)
    for j, name in enumerate(SOLUTION_NAMES):
        value = objectives[name][rows]
        best = value.max(axis=1)
        tie = ties[name][rows]
        tied = value >= (best - tie)[:, None]
        chosen = np.argmax(tied, axis=1)
        multiple = np.flatnonzero(tied.sum(axis=1) > 1)
        # Ties among deals of equal utilities (within atol) go to the lowest index, as the
        # solvers' tie-break would: only genuinely different tied deals need it.
        spread = np.zeros(multiple.size, dtype=bool)
        for col in cols:
            values_t = col[rows[multiple]]
            high = np.where(tied[multiple], values_t, -np.inf).max(axis=1)
            low = np.where(tied[multiple], values_t, np.inf).min(axis=1)
            spread |= high - low > atol[rows[multiple]]
        for t in multiple[spread]:  # the solvers' own tie-break
            s = rows[t]
            # the candidates' utilities (others zeroed: the tie-break's scale is the candidates')
            cand = np.where(rational[s][:, None], u[s], 0.0)
            chosen[t] = _best_row(
                objectives[name][s], cand, r[s], rational[s], atol[s], tol=tol, tie=tie[t]
            )
        indices[rows, j] = chosen
        values[rows, j] = u[rows, chosen]
    return indices, values
