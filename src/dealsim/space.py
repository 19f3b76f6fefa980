"""The deal space as numpy arrays.

A deal is one choice per issue. The space is the Cartesian product of the issues' grids and levels,
so a deal is identified by its flat index (C order over the issues in file order) and, equivalently,
by its row of integer *codes* (position of the chosen value within each issue). Utilities of many
deals are computed at once as an ``(n_deals, n_parties)`` float array: each party's additive value
is a sum of per-issue lookup tables gathered at the codes, plus interaction terms evaluated
vectorised. Large spaces are walked in chunks so that temporary memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dealsim.expressions import evaluate_number
from dealsim.scenario.model import Scenario

__all__ = ["DEFAULT_CHUNK", "DealSpace", "UtilityModel"]

DEFAULT_CHUNK = 1 << 18
"""Deals per chunk: 262,144 deals x a few issues keeps temporaries to tens of megabytes."""


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
        """Number of deals."""
        return int(np.prod(self.shape, dtype=np.int64))

    def codes(self, indices: np.ndarray | slice | None = None) -> np.ndarray:
        """Integer codes ``(n, n_issues)`` of the deals at flat ``indices`` (default: all).

        Examples
        --------
        >>> import dealsim
        >>> DealSpace(dealsim.load("logroll")).codes(np.array([0, 12, 120])).tolist()
        [[0, 0], [1, 1], [10, 10]]
        """
        if indices is None:
            indices = np.arange(self.size)
        elif isinstance(indices, slice):
            indices = np.arange(*indices.indices(self.size))
        return np.stack(np.unravel_index(np.asarray(indices), self.shape), axis=-1)

    def index_of(self, deal: Mapping[str, Any]) -> int:
        """Flat index of a deal given as ``{issue: value}``; values must lie on the grid."""
        codes = []
        for issue in self.scenario.issues:
            if issue.id not in deal:
                raise KeyError(f"deal has no value for issue {issue.id!r}")
            value = deal[issue.id]
            if issue.numeric:
                grid = np.asarray(issue.values, dtype=float)
                hits = np.flatnonzero(np.isclose(grid, float(value), rtol=0, atol=1e-9))
                if hits.size == 0:
                    raise ValueError(f"{value!r} is not on the grid of issue {issue.id!r}")
                codes.append(int(hits[0]))
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
        n = codes.shape[0]
        columns = None
        per_party = []
        for party_tables, payoff, adds in zip(
            self.tables, space.scenario.payoffs, self.term_adds, strict=True
        ):
            total: Any = np.zeros(n)
            for j, table in party_tables:
                total = total + table[..., codes[:, j]]
            for term, add in zip(payoff.terms, adds, strict=True):
                if columns is None:
                    columns = {**self.parameters, **space.columns(codes)}
                mask = _over_deals(term.when.evaluate_mask(columns), n)
                total = total + np.asarray(add)[..., None] * mask
            per_party.append(total)
        return np.stack(np.broadcast_arrays(*per_party), axis=-1).astype(float, copy=False)

    def feasible(self, space: DealSpace, codes: np.ndarray) -> np.ndarray:
        """Boolean mask ``(..., n_constraints, n_deals)``: which deals satisfy each constraint."""
        constraints = space.scenario.constraints
        if not constraints:
            return np.ones((0, codes.shape[0]), dtype=bool)
        columns = {**self.parameters, **space.columns(codes)}
        masks = [_over_deals(c.require.evaluate_mask(columns), codes.shape[0]) for c in constraints]
        return np.stack(np.broadcast_arrays(*masks), axis=-2)


def _over_deals(mask: Any, n: int) -> np.ndarray:
    """Broadcast a condition (scalar, ``(n,)`` or ``(S, n)``) to cover the ``n`` deals."""
    array = np.asarray(mask)
    return np.broadcast_to(array, np.broadcast_shapes(array.shape, (n,)))
