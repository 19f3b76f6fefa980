"""Batch solves: the agreement zone and the five bargaining solutions for many parameter draws.

:func:`batch_solve` evaluates a whole batch of draws as array operations: utilities
``(S, n_deals, n_parties)``, zone masks and the five bargaining solutions at once. It reproduces
:func:`dealsim.solve` sample by sample: the zone uses the acceptance tolerance ``tol`` times the
draw's scale ``S`` (:func:`dealsim.zone.utility_scale`: a deal worth ``reservation - tol * S`` is
accepted); the solutions are chosen among the zone's deals (``u >= d - bargaining_tol * S``, by
default the same ``tol``: the solvers judge rationality and ties on the zone's scale, as
:func:`dealsim.solve` does) with the rules and the tie-break of
:mod:`dealsim.solvers.bargaining` (Pareto optimal among the tied deals, then the largest sum of
normalised gains, then the lowest deal index). Choosing among all zone deals rather than the zone's
Pareto frontier gives the same deal: every criterion is monotone, so the best value and the ideal
point are the same on both sets, and the Pareto-optimal rows of the tied set are exactly the tied
rows of the frontier.

A constraint's ``require`` or a term's ``when`` that names a drawn parameter is evaluated as an
``(S, n_deals)`` mask (row ``s``: the same comparisons as at draw ``s``'s parameters), over chunks
of deals that keep its temporaries within the step's budget: the feasible set and the terms then
change draw by draw. Deals are grouped as identical only if their feasibility and term masks are
the same in every draw, and a deal is dropped as dominated only for a dominator feasible in every
draw of the step where the deal is.

Monte Carlo (:mod:`dealsim.uncertainty.montecarlo`), sensitivity and the games' parameter
thresholds are built on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from dealsim._results import ResultMixin
from dealsim.analysis._batch_solutions import _Full, _solutions_kernel
from dealsim.errors import DealsimError
from dealsim.expressions import MAX_MAGNITUDE
from dealsim.results import SOLUTION_NAMES
from dealsim.scenario.model import Scenario
from dealsim.solvers.pareto import pareto_candidates
from dealsim.space import DEFAULT_MAX_DEALS, DealSpace, UtilityModel, check_space_size
from dealsim.zone import check_tolerance_share

__all__ = [
    "MAX_SAMPLE_ELEMENTS",
    "MAX_ZONE_CELLS",
    "BatchSolution",
    "batch_solve",
    "check_batch_size",
]

_ELEMENT_BUDGET = 1 << 20  # S * n_deals * n_parties per vectorised step (8 MB per float array;
# at 16 MB the steps of donbas-2026's Monte Carlo ran 1.2x slower: arrays out of cache)
_TINY = 1e-300  # the smallest tolerance scale, as in dealsim.solvers.pareto
_TILE = 1 << 16  # utilities summed per block of a step (512 kB per float array: in cache)
_U = 2.0**-53  # unit roundoff of float64
_PAIR_BUDGET = 1 << 20  # (dominated deal, frontier deal) pairs compared at once
_CROSS_LIMIT = 1024  # the most group-frontier deals compared across groups, every pair
_SMALL_GROUP = 512  # groups of at most this many deals: their frontier from every pair

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
        Tolerance of the bargaining solvers (individual rationality and ties), relative to the
        draw's zone scale (:func:`dealsim.zone.utility_scale`), as :func:`dealsim.solve`'s.
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
    fields, zone = _batch(scenario, parameters, tol, bargaining_tol, max_deals)
    return BatchSolution(zone=zone.full(), zone_size=zone.sizes(), **fields)


class _Zone(NamedTuple):
    """A batch's zone over the unique deals.

    Deal ``columns[c]``'s flags are ``unique[:, inverse[c]]``; deals outside ``columns``
    (feasible in no draw) are in no zone.
    """

    unique: np.ndarray  # (S, m) bool
    columns: np.ndarray  # (n_columns,) flat deal indices
    inverse: np.ndarray  # (n_columns,) their unique deal
    n_deals: int

    def full(self) -> np.ndarray:
        """The zone over every deal, ``(S, n_deals)`` bool."""
        zone = np.zeros((self.unique.shape[0], self.n_deals), dtype=bool)
        zone[:, self.columns] = self.unique[:, self.inverse]
        return zone

    def sizes(self) -> np.ndarray:
        """Each sample's zone size (``full().sum(axis=1)``, counted on the unique deals)."""
        copies = np.bincount(self.inverse, minlength=self.unique.shape[1])
        more = np.flatnonzero(copies > 1)  # unique deals standing for several columns
        return np.count_nonzero(self.unique, axis=1) + self.unique[:, more] @ (copies[more] - 1)

    def counts(self) -> np.ndarray:
        """How many samples have each deal in their zone (``full().sum(axis=0)``)."""
        counts = np.zeros(self.n_deals, dtype=np.int64)
        counts[self.columns] = np.count_nonzero(self.unique, axis=0)[self.inverse]
        return counts


def _batch(
    scenario: Scenario,
    parameters: Mapping[str, ArrayLike],
    tol: float = 1e-9,  # batch_solve's defaults
    bargaining_tol: float = 1e-9,
    max_deals: int | None = DEFAULT_MAX_DEALS,
) -> tuple[dict[str, Any], _Zone]:
    """:func:`batch_solve`'s fields but the zone's, and the zone over the unique deals."""
    space = DealSpace(scenario)
    check_batch_size(scenario, 1, max_deals)  # exact, before anything is allocated
    unknown = sorted(set(parameters) - set(scenario.parameters))
    if unknown:
        known = ", ".join(scenario.parameters) or "none"
        raise DealsimError(f"unknown parameter {unknown[0]!r} (known: {known})")
    arrays = {name: _draws(name, v) for name, v in parameters.items()}
    sizes = {a.size for a in arrays.values() if a.size != 1}
    if any(a.ndim != 1 for a in arrays.values()) or len(sizes) > 1:
        raise DealsimError("parameter draws must be 1-D arrays of one common length (S,)")
    n_samples = sizes.pop() if sizes else 1
    check_batch_size(scenario, n_samples, max_deals)
    draws = {
        name: np.broadcast_to(arrays.get(name, np.asarray([value], dtype=float)), (n_samples,))
        for name, value in scenario.parameters.items()
    }
    prepared = _prepare(scenario, space, draws, n_samples, tol)
    # a step's arrays are (step, unique deals) per party
    step = max(1, _ELEMENT_BUDGET // max(1, prepared.deals.size * len(scenario.parties)))
    parts = [
        _batch_kernel(prepared, start, min(start + step, n_samples), bargaining_tol)
        for start in range(0, n_samples, step)
    ]
    zone, feasible_size, reservations, indices, utilities = (
        np.concatenate([p[i] for p in parts]) for i in range(5)
    )
    fields = {
        "parameters": {name: np.array(v) for name, v in draws.items()},
        "feasible_size": feasible_size,
        "reservations": reservations,
        "solutions": {name: indices[:, j] for j, name in enumerate(SOLUTION_NAMES)},
        "utilities": {name: utilities[:, j] for j, name in enumerate(SOLUTION_NAMES)},
        "tol": tol,
        "bargaining_tol": bargaining_tol,
    }
    return fields, _Zone(zone, prepared.columns, prepared.inverse, prepared.n_deals)


def _draws(name: str, values: ArrayLike) -> np.ndarray:
    """A parameter's draws as a float array, each a number a scenario file could hold."""
    try:
        array = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise DealsimError(f"parameter {name!r}: the draws must be numbers") from None
    if not (np.abs(array) <= MAX_MAGNITUDE).all():  # NaN fails the comparison
        raise DealsimError(
            f"parameter {name!r}: every draw must be a finite number of magnitude at most "
            f"{MAX_MAGNITUDE:g}"
        )
    return array


def check_batch_size(
    scenario: Scenario, n_samples: int, max_deals: int | None = DEFAULT_MAX_DEALS
) -> int:
    """The number of deals, refusing a batch that passes a limit of :func:`batch_solve`.

    The limits are ``max_deals`` (as in :func:`dealsim.space.check_space_size`),
    :data:`MAX_SAMPLE_ELEMENTS` and :data:`MAX_ZONE_CELLS`; counts are Python integers. A
    scenario whose constraints or term conditions name a parameter holds, besides the zone, one
    flag per sample and deal for the feasible set and for each such term: those count towards
    :data:`MAX_ZONE_CELLS` too.

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
    # conditions on parameters: the feasible set and each such term's mask per sample and deal
    names = set(scenario.parameters)
    masks = int(any(c.require.names & names for c in scenario.constraints))
    masks += sum(bool(t.when.names & names) for p in scenario.payoffs for t in p.terms)
    if masks and n_samples * n_deals * (1 + masks) > MAX_ZONE_CELLS:
        flags = n_samples * n_deals * (1 + masks)
        raise DealsimError(
            f"{where}: a batch of {n_samples:,} samples x {n_deals:,} deals holds {flags:,} "
            f"flags (the zone and {masks} mask{'s' if masks > 1 else ''} of conditions on "
            f"parameters), above the limit of {MAX_ZONE_CELLS:,} (memory); draw fewer samples "
            "or coarsen the issues"
        )
    return n_deals


class _Prepared(NamedTuple):
    """What every step of one :func:`batch_solve` call shares, computed once.

    Deals with the same value class in every utility lookup, the same term masks and the same
    feasibility get bit-identical utilities in every draw (the same floating-point operations on
    the same numbers), so only the lowest-indexed deal of each class (``deals``) is evaluated;
    ``inverse`` maps the columns (the deals feasible in some draw) to their class.
    """

    n_deals: int
    columns: np.ndarray  # (n_columns,) flat indices of the deals feasible in some draw
    inverse: np.ndarray  # (n_columns,) the unique deal of each column
    deals: np.ndarray  # (m,) flat index of each unique deal, ascending
    feasible: np.ndarray  # (m,) or (S, m) feasibility of the unique deals
    feasible_size: np.ndarray  # (S,)
    prefix: tuple[np.ndarray | None, ...]  # per party, the draw-independent leading sum (m,)
    rest: tuple[tuple[tuple[Any, ...], ...], ...]  # per party, the operations left per draw
    reservations: np.ndarray  # (S, k)
    powers: np.ndarray  # (S, k)
    accept_tol: np.ndarray  # (S,)
    bound: np.ndarray  # (S,) a bound on every |utility| and |r| (dealsim.zone.utility_scale)
    dominated: np.ndarray  # (q,) unique deals dominated in every draw by ...
    dominators: np.ndarray  # (q,) ... these (verified step by step)
    gaps: np.ndarray  # (q, k) dominator minus dominated deal, in the first draw
    exact: np.ndarray  # (q,) the pair's gap is the same in every draw (exact arithmetic)
    sum_bounds: np.ndarray  # (S, k) per party, a bound on the sum of its operands' sizes
    gamma: np.ndarray  # (k,) per party, the relative error bound of its sum


def _prepare(
    scenario: Scenario,
    space: DealSpace,
    draws: Mapping[str, np.ndarray],
    n_samples: int,
    tol: float,
) -> _Prepared:
    codes = space.codes()
    model = UtilityModel.from_scenario(scenario, draws)
    # Conditions on a drawn parameter are (S, n) masks (the feasible set and the terms vary
    # draw by draw): evaluated over chunks of deals whose temporaries stay within the budget.
    varying = {name for name, v in draws.items() if v.size and bool((v != v[0]).any())}
    r = np.broadcast_to(scenario.reservations(draws), (n_samples, len(model.tables)))
    scales = _party_scales(model, r, n_samples)
    bound = np.maximum(scales.max(axis=1), _TINY)  # dealsim.zone.utility_scale, per draw
    # refused before any work, naming the drawn parameters and those set away from the file
    named = {n: v for n, v in draws.items() if n in varying or v[0] != scenario.parameters[n]}
    check_tolerance_share(scenario, scales, bound, tol, named)
    conditions = [c.require for c in scenario.constraints]
    conditions += [term.when for payoff in scenario.payoffs for term in payoff.terms]
    per_draw = any(condition.names & varying for condition in conditions)
    step = max(1, _ELEMENT_BUDGET // n_samples) if per_draw else max(1, space.size)
    (feasible,) = _masks(lambda chunk: [model.feasible(space, chunk).all(axis=-2)], codes, step)
    columns = np.flatnonzero(feasible if feasible.ndim == 1 else feasible.any(axis=0))
    feasible_size = np.broadcast_to(feasible.sum(axis=-1), (n_samples,))
    sub = codes[columns]

    def term_masks(chunk: np.ndarray) -> list[np.ndarray]:
        env = model.condition_columns(space, chunk)
        return [t.when.evaluate_mask(env) for payoff in scenario.payoffs for t in payoff.terms]

    n_terms = sum(len(payoff.terms) for payoff in scenario.payoffs)
    empty = [np.zeros(0, dtype=bool)] * n_terms  # no deal is feasible in any draw
    flat = iter(_masks(term_masks, sub, step) if columns.size and n_terms else empty)
    masks = [[next(flat) for _ in payoff.terms] for payoff in scenario.payoffs]
    feasible_c = feasible[..., columns]
    # the class of each column: lookups by value class, term masks, feasibility
    keys = [_classes(np.asarray(t, dtype=float))[sub[:, j]] for p in model.tables for j, t in p]
    keys += [_column_classes(mask) for party in masks for mask in party]
    if feasible_c.ndim == 2:
        keys.append(_column_classes(feasible_c))
    if columns.size and keys:
        _, first, inverse = np.unique(
            _combine(keys, columns.size), return_index=True, return_inverse=True
        )
        order = np.argsort(first)
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        reps, inverse = first[order], rank[inverse.reshape(-1)]
    else:
        reps = np.arange(min(columns.size, 1))
        inverse = np.zeros(columns.size, dtype=np.intp)
    codes_u = sub[reps]
    prefix, rest, gamma, sizes = [], [], [], []
    for party_tables, adds, party_masks in zip(model.tables, model.term_adds, masks, strict=True):
        ops: list[tuple[Any, ...]] = []
        tables = dict(party_tables)
        if 0 in tables:  # the sum starts at 0.0 (as UtilityModel.utilities adds it)
            ops.append(("table", 0.0 + np.asarray(tables[0], dtype=float), codes_u[:, 0]))
        ops += [("table", np.asarray(t, dtype=float), codes_u[:, j]) for j, t in party_tables if j]
        ops += [
            ("term", np.asarray(a), m[..., reps]) for a, m in zip(adds, party_masks, strict=True)
        ]
        # recursive summation of n operands: |error| <= gamma_n * sum |operand| (Higham, eq. 4.4)
        gamma.append(len(ops) * _U / (1 - len(ops) * _U))
        sizes.append(sum(_size(op) for op in ops))
        total = None if 0 in tables else np.zeros(reps.size)
        while ops and _independent(ops[0]):
            value = _operand(ops.pop(0), slice(None))
            total = value if total is None else total + value
        prefix.append(total)
        rest.append(tuple(ops))
    prepared = _Prepared(
        n_deals=space.size,
        columns=columns,
        inverse=inverse,
        deals=columns[reps],
        feasible=feasible_c[..., reps],
        feasible_size=feasible_size,
        prefix=tuple(prefix),
        rest=tuple(rest),
        reservations=r,
        powers=np.broadcast_to(scenario.powers(draws), r.shape),
        accept_tol=tol * bound,
        bound=bound,
        dominated=np.zeros(0, dtype=np.intp),
        dominators=np.zeros(0, dtype=np.intp),
        gaps=np.zeros((0, len(model.tables))),
        exact=np.zeros(0, dtype=bool),
        sum_bounds=np.stack(
            [np.broadcast_to(np.asarray(b, dtype=float), (n_samples,)) for b in sizes], axis=1
        )
        * (1.0 + 1e-9),
        gamma=np.array(gamma),
    )
    return prepared._replace(**_dominance(prepared, model, codes_u))


def _masks(evaluate: Any, codes: np.ndarray, step: int) -> list[np.ndarray]:
    """Conditions over the deals ``codes``, evaluated ``step`` deals at a time.

    ``evaluate(chunk)`` gives a list of conditions over a chunk's deals (scalars, ``(c,)`` or
    ``(S, c)``); each comes back over every deal, ``(n,)`` or ``(S, n)`` booleans (one chunk:
    as evaluated, broadcast over the deals).
    """
    n = codes.shape[0]
    out: list[np.ndarray] = []
    for start in range(0, max(n, 1), step):
        chunk = codes[start : start + step]
        for i, mask in enumerate(evaluate(chunk)):
            mask = _over(mask, chunk.shape[0])
            if start == 0 and chunk.shape[0] == n:
                out.append(mask)
                continue
            if start == 0:
                out.append(np.empty((*mask.shape[:-1], n), dtype=bool))
            out[i][..., start : start + chunk.shape[0]] = mask
    return out


def _over(mask: Any, n: int) -> np.ndarray:
    """A condition (scalar, ``(n,)`` or ``(S, n)``) over the ``n`` deals, as a bool array."""
    array = np.asarray(mask)
    return np.broadcast_to(array, np.broadcast_shapes(array.shape, (n,)))


def _classes(table: np.ndarray) -> np.ndarray:
    """Class of each level of a table ``(size,)`` or ``(S, size)``: equal bits in every draw."""
    bits = np.ascontiguousarray(table.reshape(-1, table.shape[-1]).T).view(np.int64)
    if bits.shape[1] == 1:
        return np.unique(bits[:, 0], return_inverse=True)[1]
    if bits.shape[0] <= 64:  # a few levels: the first level with the same bits
        return np.argmax((bits[:, None, :] == bits[None, :, :]).all(axis=2), axis=1)
    return np.unique(bits, axis=0, return_inverse=True)[1].reshape(-1)


def _column_classes(mask: np.ndarray) -> np.ndarray:
    """Class of each deal's mask: its value, or its column of values over the draws."""
    if mask.ndim == 1:
        return mask.astype(np.intp)
    packed = np.ascontiguousarray(np.packbits(mask, axis=0).T)
    # each deal's packed column as one opaque value (compared as bytes: much faster than
    # np.unique(axis=0), which compares field by field)
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
    return np.unique(rows, return_inverse=True)[1].reshape(-1)


def _combine(keys: list[np.ndarray], n: int) -> np.ndarray:
    """One integer per row for rows of several class keys: equal exactly when all keys are."""
    combined = np.zeros(n, dtype=np.int64)
    for key in keys:  # small non-negative class labels
        size = int(key.max(initial=0)) + 1
        if int(combined.max(initial=0)) >= np.iinfo(np.int64).max // size - 1:
            combined = np.unique(combined, return_inverse=True)[1].reshape(-1)
        combined = combined * size + key
    return combined


def _size(op: tuple[Any, ...]) -> Any:
    """The largest ``|operand|`` of an operation: a number or one per draw ``(S,)``."""
    kind, a, _ = op
    return np.abs(a).max(axis=-1) if kind == "table" else np.abs(a)


def _independent(op: tuple[Any, ...]) -> bool:
    """Is the operand the same in every draw (no draw axis)?"""
    kind, a, b = op
    return a.ndim == 1 if kind == "table" else (a.ndim == 0 and b.ndim == 1)


def _operand(op: tuple[Any, ...], rows: slice) -> np.ndarray:
    """The operation's addend for the draws ``rows``, as UtilityModel.utilities computes it."""
    kind, a, b = op
    if kind == "table":
        return a[b] if a.ndim == 1 else a[rows][:, b]
    b = b if b.ndim == 1 else b[rows]
    return a[..., None] * b if a.ndim == 0 else a[rows, None] * b


def _utilities(
    prepared: _Prepared, rows: slice, limits: np.ndarray | None = None
) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Each party's utilities of the unique deals in the draws ``rows``: ``(m,)`` or ``(s, m)``.

    With ``limits`` ``(s, k)``, also the zone ``(s, m)``: the feasible deals whose utility is at
    least every party's limit. The sums and comparisons run over blocks of about :data:`_TILE`
    utilities (the operands stay in the core's cache from one operation to the next); each
    element gets the same additions, in the same order, as one pass over the step would give.
    """
    n, m = rows.stop - rows.start, prepared.deals.size
    out, plans = [], []
    for total, ops in zip(prepared.prefix, prepared.rest, strict=True):
        if ops:  # the operands that do not depend on the draw once, the others block by block
            fixed = [_operand(op, rows) if _independent(op) else None for op in ops]
            plans.append((total, ops, fixed, np.empty((n, m))))
            out.append(plans[-1][-1])
        else:
            out.append(total)
    zone = None
    if limits is not None:
        feasible = prepared.feasible
        zone = np.array(np.broadcast_to(feasible if feasible.ndim == 1 else feasible[rows], (n, m)))
    tile = max(1, _TILE // max(1, m))
    for lo in range(0, n, tile):
        hi = min(lo + tile, n)
        block = slice(rows.start + lo, rows.start + hi)
        for total, ops, fixed, whole in plans:
            dest = whole[lo:hi]
            for op, value in zip(ops, fixed, strict=True):
                value = _operand(op, block) if value is None else value
                if total is None:
                    total = value
                elif total is dest:  # (m,) or (s, m) into (s, m)
                    total += value  # the same sums, in place
                else:  # the prefix is shared by every step: never add into it
                    total = np.add(total, value, out=dest)
            if total is not dest:
                dest[...] = total
        if zone is not None:
            flags = zone[lo:hi]
            for i, u in enumerate(out):
                flags &= (u if u.ndim == 1 else u[lo:hi]) >= limits[lo:hi, i, None]
    return out, zone


def _dominance(prepared: _Prepared, model: UtilityModel, codes_u: np.ndarray) -> dict[str, Any]:
    """Deals that can never be a solution, each with a deal that dominates it in every draw.

    Deals whose draw-dependent operands are equal (the same varying lookups, masks of varying
    terms, feasibility) differ by the same amount in every draw, in exact arithmetic: within each
    such group, a deal beaten by another on the group's Pareto frontier in the first draw is
    beaten in all of them. Each step checks it on its own draws (floating point) before dropping
    the deal.
    """
    m = prepared.deals.size
    none = {"dominated": np.zeros(0, dtype=np.intp), "dominators": np.zeros(0, dtype=np.intp)}
    none["gaps"] = np.zeros((0, len(prepared.prefix)))
    none["exact"] = np.zeros(0, dtype=bool)
    if m < 2:
        return none
    keys = []
    for ops in prepared.rest:
        for kind, a, b in ops:
            if kind == "table" and a.ndim == 2:
                flat = np.ascontiguousarray(a.T).view(np.int64)
                varying = (flat != flat[:, :1]).any(axis=1)
                keys.append(np.where(varying, _classes(a), -1)[b])
            elif kind == "term":
                varying = a.ndim > 0 and bool((a.reshape(-1) != a.reshape(-1)[0]).any())
                if varying or b.ndim == 2:
                    keys.append(_column_classes(np.broadcast_to(b, b.shape)))
    if prepared.feasible.ndim == 2:
        keys.append(_column_classes(prepared.feasible))
    groups = _combine(keys, m)
    first, _ = _utilities(prepared, slice(0, 1))
    u0 = np.stack([np.broadcast_to(u, (1, m))[0] for u in first], 1)
    dominated, dominators = [], []
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.diff(groups[order])) + 1
    fronts = []
    for members in np.split(order, bounds):
        if members.size < 2:
            fronts.append(members)
            continue
        if members.size <= _SMALL_GROUP:
            on_front = ~_beaten(u0[members], u0[members]).any(axis=1)
        else:
            on_front = pareto_candidates(u0[members])
        front, beaten = members[on_front], members[~on_front]  # ascending, as members are
        block = max(1, _PAIR_BUDGET // max(1, front.size))
        for start in range(0, beaten.size, block):
            rows = beaten[start : start + block]
            # the dominator that beats the deal by the most in its worst party
            slack = np.where(_beaten(u0[rows], u0[front]), _worst_gap(u0[rows], u0[front]), -np.inf)
            best = slack.argmax(axis=1)
            ok = np.isfinite(slack[np.arange(rows.size), best])
            dominated.append(rows[ok])
            dominators.append(front[best[ok]])
        fronts.append(front)
    within = sum(x.size for x in dominated)
    # Across groups the gaps depend on the draw: a frontier deal beaten by another group's
    # in the first draw is dropped only in steps where every draw confirms it.
    front = np.sort(np.concatenate(fronts))
    if 1 < front.size <= _CROSS_LIMIT:
        beaten = _beaten(u0[front], u0[front])
        rows = np.flatnonzero(beaten.any(axis=1))  # the others have no dominator
        slack = np.where(beaten[rows], _worst_gap(u0[front[rows]], u0[front]), -1)
        best = slack.argmax(axis=1)
        dominated.append(front[rows])
        dominators.append(front[best])
    if not dominated:
        return none
    d, f = np.concatenate(dominated), np.concatenate(dominators)
    exact = np.arange(d.size) < within  # the gap is the same in every draw (one group)
    return {"dominated": d, "dominators": f, "gaps": u0[f] - u0[d], "exact": exact}


def _worst_gap(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``out[a, b]``: the smallest ``p[b, j] - x[a, j]`` over the parties ``j``.

    The values of ``(p[None, :, :] - x[:, None, :]).min(axis=2)``, without the 3-D temporary.
    """
    out = p[None, :, 0] - x[:, 0, None]
    for j in range(1, x.shape[1]):
        np.minimum(out, p[None, :, j] - x[:, j, None], out=out)
    return out


def _beaten(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``out[a, b]``: row ``p[b]`` is at least ``x[a]`` for every party and above it for one."""
    no_worse = np.ones((x.shape[0], p.shape[0]), dtype=bool)
    better = np.zeros_like(no_worse)
    for j in range(x.shape[1]):
        no_worse &= p[None, :, j] >= x[:, j, None]
        better |= p[None, :, j] > x[:, j, None]
    return no_worse & better


def _batch_kernel(prepared: _Prepared, start: int, stop: int, btol: float):
    rows = slice(start, stop)
    n_samples, m = stop - start, prepared.deals.size
    r = prepared.reservations[rows]
    w = prepared.powers[rows]
    accept_tol = prepared.accept_tol[rows]
    if m == 0:  # no deal is feasible in any draw: no zone, no solution
        shape = (n_samples, len(SOLUTION_NAMES))
        return (
            np.zeros((n_samples, 0), dtype=bool),
            prepared.feasible_size[rows],
            r,
            np.full(shape, -1, dtype=np.int64),
            np.full((*shape, r.shape[1]), np.nan),
        )
    # one (s, m) array per party (a party whose utilities do not vary is broadcast)
    utilities, zone_u = _utilities(prepared, rows, r - accept_tol[:, None])
    cols = [np.broadcast_to(u, (n_samples, m)) for u in utilities]
    # Dropping dominated deals needs a margin above 2 atol: take it from a bound on the scale.
    bound = prepared.bound[rows] * (1.0 + 1e-9)
    keep, root = _kept(prepared, rows, utilities, np.maximum(4.0 * btol, 1e-7) * bound, w)
    # The solvers' absolute tolerance: tol times the zone's scale, as dealsim.solve passes
    # zc.scale (dealsim.zone.utility_scale of the draw, floored at 1e-300).
    zone_k = zone_u[:, keep]
    cols_k = [np.broadcast_to(u[..., keep], zone_k.shape) for u in utilities]
    full = _Full(cols, zone_u, r, w, prepared.bound[rows], btol, root)
    indices, utilities = _solutions_kernel(keep, full, pruned=keep.size < m, kept=(cols_k, zone_k))
    chosen = indices >= 0
    indices[chosen] = prepared.deals[indices[chosen]]
    return zone_u, prepared.feasible_size[rows], r, indices, utilities


def _party_scales(model: UtilityModel, r: np.ndarray, n_samples: int) -> np.ndarray:
    """Per sample, :func:`dealsim.zone.party_scales`: each party's bound on its |utility| and |r|.

    ``(S, k)``; the largest of each row (at least 1e-300) is :func:`dealsim.zone.utility_scale`.
    """
    bounds = np.zeros((n_samples, len(model.tables)))
    for i, (party_tables, adds) in enumerate(zip(model.tables, model.term_adds, strict=True)):
        for _, table in party_tables:
            bounds[:, i] += np.abs(np.asarray(table, dtype=float)).max(axis=-1)
        for add in adds:
            add = np.abs(np.asarray(add, dtype=float))
            bounds[:, i] += add.reshape(n_samples, -1).max(axis=1) if add.ndim > 1 else add.max()
    return np.maximum(bounds, np.abs(r))


def _kept(prepared: _Prepared, rows: slice, utilities, margin: np.ndarray, w: np.ndarray):
    """The unique deals left once those dominated, with a margin, in every draw are dropped.

    A deal ``d`` is dropped when its dominator ``f`` is at least as good for every party in every
    draw of the step (exactly) and better by more than ``margin > 2 * atol`` for one: then ``f``
    is a candidate whenever ``d`` is, every criterion is at least as large at ``f`` (Nash
    strictly, the margin's party being non-degenerate), and ``d`` cannot be a solution: where it
    ties, the Pareto tie-break (tolerance ``<= atol``) removes it. Maxima over the candidates
    (ideal point, best values) are unchanged. See
    :func:`dealsim.analysis._batch_solutions._solutions_kernel` for the one case that is checked
    on all deals.
    """
    m = prepared.deals.size
    root = np.arange(m)  # each deal's kept dominator at the end of its chain (itself if kept)
    d, f = prepared.dominated, prepared.dominators
    if d.size == 0 or not (w > 0).all():
        return root, root
    # every draw: f >= d for every party, and f > d + margin for one party (the same one in
    # every draw: within a group the gaps do not depend on the draw, in exact arithmetic)
    at_least = np.ones(d.size, dtype=bool)
    beyond = np.zeros(d.size, dtype=bool)
    top = margin.max()
    for i, u in enumerate(utilities):
        if u.ndim == 1:  # the same utilities in every draw
            gap = u[f] - u[d]
            at_least &= gap >= 0
            beyond |= gap > top
            continue
        # The exact gap is the same in every draw; each computed utility is within
        # gamma * sum_bound of its exact sum. Far enough from 0 (or the margin) in the first
        # draw, the gap is certain in all of them; only the others are checked draw by draw.
        bounds = prepared.sum_bounds[:, i]
        error = 2.0 * prepared.gamma[i] * (bounds[0] + bounds[rows].max()) * (1.0 + 1e-6)
        low = prepared.gaps[:, i] * (1.0 - 4 * _U) - error
        sure, far = (low > 0) & prepared.exact, (low > top) & prepared.exact
        check = np.flatnonzero(~sure | (~far & (prepared.gaps[:, i] > top)))
        if check.size:
            gap = u[:, f[check]] - u[:, d[check]]
            sure[check] = gap.min(axis=0) >= 0
            far[check] = (gap > margin[:, None]).all(axis=0)
        at_least &= sure
        beyond |= far
    if prepared.feasible.ndim == 2:  # f is feasible in every draw where d is (across groups)
        feasible = prepared.feasible[rows]
        at_least &= ~(feasible[:, d] & ~feasible[:, f]).any(axis=0)
    verified = at_least & beyond
    root[d[verified]] = f[verified]
    while True:  # follow chains (a dominator may be dropped too): each link raises the sum
        ahead = root[root]
        if np.array_equal(ahead, root):
            break
        root = ahead
    return np.flatnonzero(root == np.arange(m)), root
