"""The deal space as numpy arrays.

A deal is one choice per issue. The space is the Cartesian product of the issues' grids and levels,
so a deal is identified by its flat index (C order over the issues in file order) and, equivalently,
by its row of integer *codes* (position of the chosen value within each issue). Utilities of many
deals are computed at once as an ``(n_deals, n_parties)`` float array: each party's additive value
is a sum of per-issue lookup tables gathered at the codes, plus interaction terms evaluated
vectorised. Large spaces are walked in chunks so that temporary memory stays bounded.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from dealsim._grid import grid_code
from dealsim.errors import DealsimError
from dealsim.expressions import evaluate_number
from dealsim.scenario.model import Scenario

__all__ = [
    "DEFAULT_CHUNK",
    "DEFAULT_MAX_DEALS",
    "DealSpace",
    "UtilityModel",
    "aligned_chunk",
    "check_space_size",
]

DEFAULT_CHUNK = 1 << 20
"""Deals per chunk: 1,048,576 deals keep a solve's temporaries to tens of megabytes (a peak of
37 MB for three parties, 129 MB for six, measured with tracemalloc), and chunks this large walk
10^6 deals in one piece, as fast as the kernels on the whole array (issue 17)."""

DEFAULT_MAX_DEALS = 10**8
"""The largest deal space a solve walks unless told otherwise (``--max-deals``, ``max_deals=``).

At about a minute and a few hundred megabytes per 10^7 deals, 10^8 deals is the most a laptop walks
in reasonable time; the count is exact (Python integers), so no file can wrap it around."""


def check_space_size(space: DealSpace, max_deals: int | None = DEFAULT_MAX_DEALS) -> int:
    """The number of deals of ``space``, refusing a space of more than ``max_deals`` deals.

    The count is a Python integer (exact at any size) and is checked before anything is allocated.
    ``max_deals=None`` lifts the limit.

    Examples
    --------
    >>> import dealsim
    >>> check_space_size(DealSpace(dealsim.load("logroll")))
    121
    >>> check_space_size(DealSpace(dealsim.load("logroll")), max_deals=100)
    Traceback (most recent call last):
    ...
    dealsim.errors.DealsimError: ...: the deal space has 121 deals, above the limit of 100 ...
    """
    size = space.size
    if max_deals is not None and size > max_deals:
        where = space.scenario.file or space.scenario.name
        raise DealsimError(
            f"{where}: the deal space has {size:,} deals, above the limit of {max_deals:,} "
            "(raise it with --max-deals or max_deals=)"
        )
    return size


@dataclass(frozen=True)
class DealSpace:
    """Every combination of the scenario's issue values.

    Examples
    --------
    >>> import dealsim
    >>> space = DealSpace.from_scenario(dealsim.load("logroll"))
    >>> space.shape, space.size
    ((11, 11), 121)
    >>> space.deal(12)
    {'x': 0.1, 'y': 0.1}
    """

    scenario: Scenario

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> DealSpace:
        """The deal space of ``scenario``."""
        return cls(scenario=scenario)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values of each issue, in issue order."""
        return tuple(issue.size for issue in self.scenario.issues)

    @property
    def size(self) -> int:
        """Number of deals (an exact Python integer: no overflow at any size)."""
        return math.prod(self.shape)

    def codes(self, indices: np.ndarray | slice | None = None) -> np.ndarray:
        """Integer codes ``(n, n_issues)`` of the deals at flat ``indices`` (default: all).

        Examples
        --------
        >>> import dealsim
        >>> DealSpace(dealsim.load("logroll")).codes(np.array([0, 12, 120])).tolist()
        [[0, 0], [1, 1], [10, 10]]
        """
        if indices is None:
            indices = slice(None)
        if isinstance(indices, slice):
            start, stop, step = indices.indices(self.size)
            if step == 1:
                return _range_codes(start, max(start, stop), self.shape).T
            indices = np.arange(start, stop, step)
        # stack issue by issue (contiguous writes) and view the issue axis last: the columns
        # codes[:, j] that utilities gather with are then contiguous
        return np.moveaxis(np.stack(np.unravel_index(np.asarray(indices), self.shape)), 0, -1)

    def index_of(self, deal: Mapping[str, Any]) -> int:
        """Flat index of a deal given as ``{issue: value}``; values must lie on the grid."""
        codes = []
        for issue in self.scenario.issues:
            if issue.id not in deal:
                raise KeyError(f"deal has no value for issue {issue.id!r}")
            value = deal[issue.id]
            if issue.numeric:
                code = grid_code(issue.values, float(value))
                if code is None:
                    raise ValueError(f"{value!r} is not on the grid of issue {issue.id!r}")
                codes.append(code)
            else:
                codes.append(issue.column(np.zeros(1, dtype=int)).code_of(value))
        return int(np.ravel_multi_index(codes, self.shape))

    def deal(self, index: int) -> dict[str, Any]:
        """The deal at flat ``index`` as ``{issue id: value}`` with plain Python values."""
        codes = np.unravel_index(int(index), self.shape)
        return {
            issue.id: issue.value_at(code)
            for issue, code in zip(self.scenario.issues, codes, strict=True)
        }

    def deals(self, indices: Any) -> list[dict[str, Any]]:
        """The deals at many flat ``indices``, as :meth:`deal` gives each (decoded at once).

        Examples
        --------
        >>> import dealsim
        >>> DealSpace(dealsim.load("logroll")).deals([12, 120])
        [{'x': 0.1, 'y': 0.1}, {'x': 1.0, 'y': 1.0}]
        """
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        codes = np.unravel_index(idx, self.shape) if idx.size else [idx] * len(self.shape)
        issues = self.scenario.issues
        columns = []
        for issue, column in zip(issues, codes, strict=True):
            values = issue.values
            if issue.numeric:
                columns.append([float(values[c]) for c in column.tolist()])
            else:
                columns.append([values[c] for c in column.tolist()])
        ids = [issue.id for issue in issues]
        return [dict(zip(ids, row, strict=True)) for row in zip(*columns, strict=True)]

    def columns(self, codes: np.ndarray) -> dict[str, Any]:
        """Issue values of many deals, as expressions see them (arrays or level codes)."""
        return {issue.id: issue.column(codes[:, j]) for j, issue in enumerate(self.scenario.issues)}

    def chunks(self, chunk: int = DEFAULT_CHUNK) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(start, codes)`` for consecutive blocks of at most ``chunk`` deals."""
        for start in range(0, self.size, chunk):
            yield start, self.codes(slice(start, min(start + chunk, self.size)))


@dataclass(frozen=True)
class UtilityModel:
    """Each party's utility as lookup tables over the issues, at fixed parameter values.

    ``tables[i]`` holds ``(j, table)`` pairs: party ``i``'s weighted value of every value of each
    issue ``j`` it weighs (issues it does not weigh are left out); parameters
    may be arrays of draws of shape ``(S,)``, giving tables of shape ``(S, size_j)`` and utilities
    of shape ``(S, n_deals, n_parties)``.

    Examples
    --------
    >>> import dealsim
    >>> scenario = dealsim.load("logroll")
    >>> model = UtilityModel.from_scenario(scenario)
    >>> space = DealSpace(scenario)
    >>> model.utilities(space, space.codes(np.array([space.index_of({"x": 1, "y": 0})])))
    array([[0.8, 0.8]])
    """

    space: DealSpace
    tables: tuple[tuple[tuple[int, np.ndarray], ...], ...]
    term_adds: tuple[tuple[Any, ...], ...]
    parameters: Mapping[str, Any]

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, parameters: Mapping[str, Any] | None = None
    ) -> UtilityModel:
        """Build the lookup tables at ``parameters`` (default: the scenario's values)."""
        params = dict(scenario.parameters if parameters is None else parameters)
        tables = []
        adds = []
        for payoff in scenario.payoffs:
            row = []
            for j, issue in enumerate(scenario.issues):
                if issue.id in payoff.weights:
                    weight = np.asarray(evaluate_number(payoff.weights[issue.id], params))
                    values = payoff.values[issue.id].table(issue, params)
                    row.append((j, weight[..., None] * values))
            tables.append(tuple(row))
            adds.append(tuple(evaluate_number(term.add, params) for term in payoff.terms))
        return cls(DealSpace(scenario), tuple(tables), tuple(adds), params)

    def utilities(self, space: DealSpace, codes: np.ndarray) -> np.ndarray:
        """Utilities ``(..., n_deals, n_parties)`` of the deals with the given codes."""
        tables = self._issue_tables  # a scenario has at least one issue
        total = np.take(tables[0], codes[:, 0], axis=-2)  # (..., n, n_parties)
        for j in range(1, len(tables)):
            values = np.take(tables[j], codes[:, j], axis=-2)
            if values.shape == total.shape:
                total += values
            else:
                total = total + values
        return self._add_terms(space, codes, total)

    def range_utilities(self, space: DealSpace, start: int, stop: int) -> np.ndarray:
        """Utilities ``(stop - start, n_parties)`` of the consecutive deals ``start .. stop - 1``.

        The same numbers as :meth:`utilities` of their codes, bit for bit, computed without
        gathering: when the range is made of whole runs of the last issues (see
        :func:`aligned_chunk`), each party's sum is built by broadcasting, issue after issue in
        the same order, so that only the last additions touch every deal. The result is laid out
        party by party (Fortran order), so each party's column is contiguous. Parameters must be
        scalars (one draw).

        Examples
        --------
        >>> import dealsim
        >>> scenario = dealsim.load("logroll")
        >>> model = UtilityModel.from_scenario(scenario)
        >>> space = DealSpace(scenario)
        >>> u = model.range_utilities(space, 11, 33)
        >>> bool(np.array_equal(u, model.utilities(space, space.codes(slice(11, 33)))))
        True
        """
        tables = self._issue_tables
        shape = space.shape
        k = len(self.tables)
        if any(t.ndim != 2 for t in tables):
            raise DealsimError("range_utilities needs scalar parameters (one draw)")
        m, trailing = len(shape), 1  # the first issue of the whole trailing runs, their length
        while m > 0 and start % (trailing * shape[m - 1]) == 0 == stop % (trailing * shape[m - 1]):
            m, trailing = m - 1, trailing * shape[m - 1]
        runs = (stop - start) // trailing
        if m == 0:  # the whole space: start from the first issue's table
            total = np.ascontiguousarray(tables[0].T)  # (k, size_0)
            first = 1
        else:
            prefix = _range_codes(start // trailing, start // trailing + runs, shape[:m])
            head = np.take(tables[0], prefix[0], axis=0)  # (runs, k)
            for j in range(1, m):
                head += np.take(tables[j], prefix[j], axis=0)
            total = np.ascontiguousarray(head.T)  # (k, runs)
            first = m
        for j in range(first, len(shape)):  # (k, deals so far): each repeated size_j times
            n = total.shape[1]
            total = np.repeat(total, shape[j], axis=1)
            total.reshape(k, n, shape[j])[...] += tables[j].T[:, None, :]
        total = total.T
        if not any(payoff.terms for payoff in space.scenario.payoffs):
            return total
        return self._add_terms(space, space.codes(slice(start, stop)), total)

    def _add_terms(self, space: DealSpace, codes: np.ndarray, total: np.ndarray) -> np.ndarray:
        """Add the payoff terms (``add`` where ``when`` holds) to the tables' sums."""
        n = codes.shape[0]
        columns = None
        payoffs = zip(space.scenario.payoffs, self.term_adds, strict=True)
        for i, (payoff, adds) in enumerate(payoffs):
            for term, add in zip(payoff.terms, adds, strict=True):
                if columns is None:
                    columns = self.condition_columns(space, codes)
                mask = _over_deals(term.when.evaluate_mask(columns), n)
                party = total[..., i] + np.asarray(add)[..., None] * mask
                if party.shape != total.shape[:-1]:
                    total = np.array(np.broadcast_to(total, party.shape + total.shape[-1:]))
                total[..., i] = party
        return total

    @cached_property
    def _issue_tables(self) -> tuple[np.ndarray, ...]:
        """Per issue, every party's weighted values side by side: ``(..., size_j, n_parties)``.

        Gathering one table per issue and adding in issue order gives each party exactly the
        floating-point sum ``((0 + t_0) + t_1) + ...`` over the issues it weighs: a party that
        does not weigh an issue gets ``+0.0`` for the first issue (the starting zero) and
        ``-0.0`` afterwards (``x + -0.0 == x`` for every ``x``, signed zeros included).
        """
        weighed = [dict(party_tables) for party_tables in self.tables]
        stacked = []
        for j, issue in enumerate(self.space.scenario.issues):
            neutral = np.full(issue.size, 0.0 if j == 0 else -0.0)
            per_party = [np.asarray(w.get(j, neutral), dtype=float) for w in weighed]
            if j == 0:  # the starting zero: 0.0 + t (turns -0.0 into 0.0, as the sum does)
                per_party = [0.0 + t for t in per_party]
            stacked.append(np.stack(np.broadcast_arrays(*per_party), axis=-1))
        return tuple(stacked)

    def feasible(self, space: DealSpace, codes: np.ndarray) -> np.ndarray:
        """Boolean mask ``(..., n_constraints, n_deals)``: which deals satisfy each constraint."""
        constraints = space.scenario.constraints
        if not constraints:
            return np.ones((0, codes.shape[0]), dtype=bool)
        columns = self.condition_columns(space, codes)
        masks = [_over_deals(c.require.evaluate_mask(columns), codes.shape[0]) for c in constraints]
        return np.stack(np.broadcast_arrays(*masks), axis=-2)

    def condition_columns(self, space: DealSpace, codes: np.ndarray) -> dict[str, Any]:
        """The names a condition (``when``, ``require``) sees over the deals ``codes``.

        Issues are columns over the ``n`` deals. A parameter given as draws ``(S,)`` gets a
        trailing deal axis, ``(S, 1)``, so that a condition on deals and draws is an ``(S, n)``
        mask whose row ``s`` holds, element for element, the comparisons made with draw ``s``'s
        scalar parameters; a parameter whose draws are all equal is passed as that one value (the
        mask then stays ``(n,)``, the same in every draw).

        Examples
        --------
        >>> import dealsim
        >>> from dealsim.expressions import parse_expression
        >>> scenario = dealsim.load("logroll")
        >>> space = DealSpace(scenario)
        >>> model = UtilityModel.from_scenario(scenario, {"p": np.array([0.25, 0.75])})
        >>> env = model.condition_columns(space, space.codes(np.array([0, 55, 120])))
        >>> parse_expression("x >= p").evaluate_mask(env).tolist()
        [[False, True, True], [False, False, True]]
        """
        return {**_per_draw(self.parameters), **space.columns(codes)}


def aligned_chunk(shape: tuple[int, ...], chunk: int = DEFAULT_CHUNK) -> int:
    """The largest chunk of at most ``chunk`` deals made of whole runs of the last issues.

    A run is every combination of the last issues for fixed values of the first ones: the
    length of the longest run that fits in ``chunk`` (at least one deal), times as many runs as
    fit. Chunks of this size start on run boundaries, where
    :meth:`UtilityModel.range_utilities` broadcasts instead of gathering.

    Examples
    --------
    >>> aligned_chunk((10, 10, 10, 10, 10, 10), 1 << 18)
    200000
    >>> aligned_chunk((3, 1000), 10)
    10
    """
    if chunk < 1:
        raise DealsimError(f"chunk must be a positive number of deals, not {chunk!r}")
    run = 1
    for size in reversed(shape):
        if run * size > chunk:
            break
        run *= size
    return (chunk // run) * run


def _range_codes(start: int, stop: int, shape: tuple[int, ...]) -> np.ndarray:
    """Codes ``(n_issues, stop - start)`` of the consecutive deals ``start, ..., stop - 1``.

    Same values as ``np.unravel_index(np.arange(start, stop), shape)`` without its integer
    divisions: issue ``j``'s code repeats each value ``stride_j`` times (the product of the later
    issues' sizes) and cycles with period ``size_j * stride_j``, so each row is a tiled or
    repeated pattern.
    """
    n = stop - start
    out = np.empty((len(shape), n), dtype=np.intp)
    stride = 1
    for j in range(len(shape) - 1, -1, -1):
        size = shape[j]
        period = size * stride
        if period <= n:  # many periods: tile one period's pattern
            pattern = np.repeat(np.arange(size, dtype=np.intp), stride)
            offset = start % period
            out[j] = np.tile(pattern, -(-(offset + n) // period))[offset : offset + n]
        else:  # less than a period: a few runs of equal codes
            first, last = start // stride, (stop - 1) // stride
            bounds = np.clip(np.arange(first, last + 2) * stride, start, stop)
            out[j] = np.repeat(np.arange(first, last + 1) % size, np.diff(bounds))
        stride = period
    return out


def _per_draw(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as conditions over deals see them: draws ``(S,)`` as ``(S, 1)`` (see
    :meth:`UtilityModel.condition_columns`), draws that are all equal as their one value."""
    out = {}
    for name, value in parameters.items():
        array = np.asarray(value)
        if array.ndim == 0 or array.dtype == object:
            out[name] = value
        elif array.size and bool((array == array.reshape(-1)[0]).all()):
            out[name] = array.reshape(-1)[0]
        else:
            out[name] = array[..., None]
    return out


def _over_deals(mask: Any, n: int) -> np.ndarray:
    """Broadcast a condition (scalar, ``(n,)`` or ``(S, n)``) to cover the ``n`` deals."""
    array = np.asarray(mask)
    return np.broadcast_to(array, np.broadcast_shapes(array.shape, (n,)))
