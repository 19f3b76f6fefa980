"""The validated scenario: frozen objects compiled from a :class:`ScenarioFile`.

:mod:`dealsim.scenario.compiler` builds them, checking every cross-reference and parsing every
expression once; the inside of dealsim then trusts these objects and never re-checks them.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from dealsim.errors import ScenarioError
from dealsim.expressions import (
    MAX_MAGNITUDE,
    Expression,
    LevelValues,
    evaluate_number,
)
from dealsim.scenario.schema import (
    ParameterSpec,
)

__all__ = [
    "Constraint",
    "Issue",
    "Party",
    "PartyPayoff",
    "Scenario",
    "Term",
    "ValueFunction",
]

Number = float | Expression
"""A numeric field after compilation: a float, or an expression over parameters."""

WAR = "war"
"""The reservation value that means: the party's expected value of war (see ``[war]``)."""


@dataclass(frozen=True)
class Party:
    """A negotiating party. Numeric fields may be expressions over parameters.

    ``reservation`` may also be the string ``"war"``: the party's value of fighting on, computed
    from the scenario's ``[war]`` section.
    """

    id: str
    label: str
    reservation: Number | str = 0.0
    power: Number = 1.0
    discount: Number = 1.0
    description: str = ""


@dataclass(frozen=True)
class Issue:
    """A deal term: a gridded range (``kind="range"``) or ordered levels (``kind="levels"``).

    Examples
    --------
    >>> issue = Issue(id="share", label="share", kind="range", values=(0.0, 0.5, 1.0))
    >>> issue.size, issue.numeric
    (3, True)
    """

    id: str
    label: str
    kind: Literal["range", "levels"]
    values: tuple[Any, ...]
    unit: str | None = None
    description: str = ""
    ordered: bool = False
    """For levels: whether they are ranked in file order (distances then count ranks)."""

    @property
    def size(self) -> int:
        """Number of grid points or levels."""
        return len(self.values)

    @property
    def numeric(self) -> bool:
        """True for a range issue (its values are numbers on a grid)."""
        return self.kind == "range"

    def column(self, codes: np.ndarray) -> np.ndarray | LevelValues:
        """The issue's value for each deal code, as expressions see it.

        Examples
        --------
        >>> Issue("p", "p", "levels", ("a", "b")).column(np.array([1, 0])).codes.tolist()
        [1, 0]
        """
        if self.numeric:
            return np.asarray(self.values, dtype=float)[codes]
        return LevelValues(codes=codes, levels=self.values)

    def value_at(self, code: int) -> Any:
        """The plain Python value of grid point or level ``code``."""
        value = self.values[int(code)]
        return float(value) if self.numeric else value


MAX_VALUE_POINTS = 100_000
"""The most ``points`` a value function may have (interpolation is O(n log n) in them)."""


def _interpolate(grid: np.ndarray, xs: tuple[float, ...], ys: np.ndarray) -> np.ndarray:
    """Piecewise-linear ``ys(xs)`` at ``grid``, held constant outside; ``ys`` is ``(..., n)``.

    Same formula as :func:`numpy.interp` (``y_k + slope_k (x - x_k)``, exact at the points), for
    a batch of value tables at once: a binary search per grid point, no ``n x n`` basis.

    Examples
    --------
    >>> _interpolate(np.array([-1.0, 0.25, 2.0]), (0.0, 1.0), np.array([[0.0, 4.0]])).tolist()
    [[0.0, 1.0, 4.0]]
    """
    xp = np.asarray(xs, dtype=float)
    if ys.ndim == 1:
        return np.interp(grid, xp, ys)
    k = np.clip(np.searchsorted(xp, grid, side="right") - 1, 0, xp.size - 2)
    left, right = ys[..., k], ys[..., k + 1]
    slope = (right - left) / (xp[k + 1] - xp[k])
    out = slope * (grid - xp[k]) + left
    out = np.where(grid <= xp[0], ys[..., :1], out)
    return np.where(grid >= xp[-1], ys[..., -1:], out)


@dataclass(frozen=True)
class ValueFunction:
    """One party's value of one issue: piecewise-linear points (range) or a level table."""

    issue: str
    xs: tuple[float, ...] | None
    ys: tuple[Number, ...]

    def table(self, issue: Issue, parameters: Mapping[str, Any]) -> np.ndarray:
        """Values at each of the issue's grid points or levels; shape ``(..., issue.size)``.

        Parameters may be arrays of draws (shape ``(S,)``); the table then has shape ``(S, size)``.

        Examples
        --------
        >>> issue = Issue("x", "x", "range", (0.0, 0.5, 1.0))
        >>> ValueFunction("x", (0.0, 1.0), (1.0, 0.0)).table(issue, {}).tolist()
        [1.0, 0.5, 0.0]
        """
        ys = np.stack(
            np.broadcast_arrays(*[evaluate_number(y, parameters) for y in self.ys]), axis=-1
        ).astype(float)
        if self.xs is None:
            return ys
        return _interpolate(np.asarray(issue.values, dtype=float), self.xs, ys)


@dataclass(frozen=True)
class Term:
    """An interaction: ``add`` utility to a party when ``when`` holds."""

    when: Expression
    add: Number
    label: str = ""


@dataclass(frozen=True)
class PartyPayoff:
    """A party's additive utility: ``sum_k w_k v_k(o_k) + sum of terms``."""

    party: str
    weights: dict[str, Number]
    values: dict[str, ValueFunction]
    terms: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Constraint:
    """A feasibility constraint; ``party`` names whose veto it is, if anyone's."""

    label: str
    require: Expression
    party: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A validated, immutable scenario.

    Use :func:`dealsim.load` to read one from a file or a bundled name.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("split-linear")
    >>> s.party_ids, s.issue_ids
    (('a', 'b'), ('share',))
    """

    name: str
    description: str
    sources: tuple[str, ...]
    parameters: dict[str, float]
    parameter_specs: dict[str, ParameterSpec]
    parties: tuple[Party, ...]
    issues: tuple[Issue, ...]
    payoffs: tuple[PartyPayoff, ...]
    constraints: tuple[Constraint, ...]
    file: str | None = None
    sha256: str | None = None
    outcomes: dict[str, Any] = field(default_factory=dict)
    games: dict[str, Any] = field(default_factory=dict)
    war: Any = None
    ratification: dict[str, Any] = field(default_factory=dict)
    alternating_offers: Any = None
    proposals: dict[str, Any] = field(default_factory=dict)
    actual: Any = None
    bodies: dict[str, Any] = field(default_factory=dict)

    @property
    def party_ids(self) -> tuple[str, ...]:
        """Party ids in file order (the column order of every utility array)."""
        return tuple(p.id for p in self.parties)

    @property
    def issue_ids(self) -> tuple[str, ...]:
        """Issue ids in file order (the axis order of the deal space)."""
        return tuple(i.id for i in self.issues)

    def issue(self, issue_id: str) -> Issue:
        """The issue with id ``issue_id``."""
        return self.issues[self.issue_ids.index(issue_id)]

    def with_parameters(self, **values: float) -> Scenario:
        """A copy with some parameter values replaced (for sweeps and what-ifs).

        Examples
        --------
        >>> import dealsim
        >>> s = dealsim.load("donbas-2026").with_parameters(audience_cost_max=0.2)
        >>> s.parameters["audience_cost_max"]
        0.2
        """
        unknown = sorted(set(values) - set(self.parameters))
        if unknown:
            known = ", ".join(sorted(self.parameters)) or "none"
            raise ScenarioError(
                f"unknown parameter {unknown[0]!r} (known: {known})", file=self.file
            )
        for name, value in values.items():  # as a number in the file would be (docs/limits.md)
            real = isinstance(value, numbers.Real) and not isinstance(value, bool)
            if not (real and abs(float(value)) <= MAX_MAGNITUDE):  # NaN fails the comparison
                raise ScenarioError(
                    f"parameter {name!r}: {value!r} is not allowed (a finite number of magnitude "
                    f"at most {MAX_MAGNITUDE:g})",
                    file=self.file,
                )
        return dataclasses.replace(self, parameters={**self.parameters, **values})

    def resolve(self, value: Number, parameters: Mapping[str, Any] | None = None) -> Any:
        """Evaluate a numeric field at this scenario's parameters (or the ones given)."""
        return evaluate_number(value, self.parameters if parameters is None else parameters)

    def reservations(self, parameters: Mapping[str, Any] | None = None) -> np.ndarray:
        """Each party's reservation utility (the disagreement point), in party order.

        A party whose reservation is ``"war"`` gets its expected value of fighting on, from the
        scenario's ``[war]`` model.
        """
        params = self.parameters if parameters is None else parameters
        return _vector(
            [
                self.war.value_of(p.id, params)
                if isinstance(p.reservation, str)
                else self.resolve(p.reservation, params)
                for p in self.parties
            ]
        )

    def powers(self, parameters: Mapping[str, Any] | None = None) -> np.ndarray:
        """Each party's bargaining power (weights of the weighted Nash solution)."""
        return _vector([self.resolve(p.power, parameters) for p in self.parties])

    def discounts(self, parameters: Mapping[str, Any] | None = None) -> np.ndarray:
        """Each party's per-round discount factor."""
        return _vector([self.resolve(p.discount, parameters) for p in self.parties])


def _vector(values: list[Any]) -> np.ndarray:
    return np.stack(np.broadcast_arrays(*values), axis=-1).astype(float)
