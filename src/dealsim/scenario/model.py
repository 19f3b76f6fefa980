"""The validated scenario: frozen objects compiled from a :class:`ScenarioFile`.

Compilation checks every cross-reference (weights name known issues, level tables cover every level,
expressions name known issues and parameters and type-check) and parses every expression once. The
inside of dealsim then trusts these objects and never re-checks them.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import ValidationError

from dealsim.errors import ScenarioError
from dealsim.expressions import (
    Expression,
    ExpressionError,
    LevelValues,
    evaluate_number,
    parse_expression,
)
from dealsim.scenario.schema import (
    ParameterSpec,
    ScenarioFile,
    TermSpec,
    level_key,
    number_or_expression,
    validation_error,
)

__all__ = [
    "Constraint",
    "Issue",
    "Party",
    "PartyPayoff",
    "Scenario",
    "Term",
    "ValueFunction",
    "compile_scenario",
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
        grid = np.asarray(issue.values, dtype=float)
        basis = np.stack(
            [np.interp(grid, self.xs, np.eye(len(self.xs))[j]) for j in range(len(self.xs))],
            axis=-1,
        )
        return ys @ basis.T


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
        >>> s = dealsim.load("donbas-2026").with_parameters(credibility=0.9)
        >>> s.parameters["credibility"]
        0.9
        """
        unknown = sorted(set(values) - set(self.parameters))
        if unknown:
            known = ", ".join(sorted(self.parameters)) or "none"
            raise ScenarioError(
                f"unknown parameter {unknown[0]!r} (known: {known})", file=self.file
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


# --------------------------------------------------------------------------- compilation


class _Compiler:
    """Turns a validated :class:`ScenarioFile` into a :class:`Scenario`, checking references."""

    def __init__(self, spec: ScenarioFile, file: str | None):
        self.spec = spec
        self.file = file
        self.parameters = {
            key: (value.value if isinstance(value, ParameterSpec) else value)
            for key, value in spec.parameters.items()
        }
        self.issue_ids = set(spec.issues)

    def error(self, message: str, field: str) -> ScenarioError:
        return ScenarioError(message, file=self.file, field=field)

    def number(self, value: float | str, field: str) -> Number:
        if not isinstance(value, str):
            return value
        try:
            expression = parse_expression(value, names=set(self.parameters))
            evaluate_number(expression, self.parameters)
        except ExpressionError as error:
            raise self.error(f"{error} (numeric fields may use parameters only)", field) from None
        return expression

    def condition(self, source: str, field: str, probe: Mapping[str, Any]) -> Expression:
        names = self.issue_ids | set(self.parameters)
        try:
            expression = parse_expression(source, names=names)
            expression.evaluate_mask(probe)
        except ExpressionError as error:
            raise self.error(str(error), field) from None
        return expression

    def compile(self) -> Scenario:
        spec = self.spec
        clash = sorted(self.issue_ids & set(self.parameters))
        if clash:
            raise self.error(f"{clash[0]!r} is both an issue and a parameter", "parameters")
        issues = tuple(self.issue(key, value) for key, value in spec.issues.items())
        probe = {issue.id: issue.column(np.arange(issue.size)[:1]) for issue in issues}
        probe.update(self.parameters)
        self.probe = probe
        parties = tuple(
            Party(
                id=key,
                label=value.label or key,
                reservation=(
                    WAR
                    if value.reservation == WAR
                    else self.number(value.reservation, f"parties.{key}.reservation")
                ),
                power=self.number(value.power, f"parties.{key}.power"),
                discount=self.number(value.discount, f"parties.{key}.discount"),
                description=value.description,
            )
            for key, value in spec.parties.items()
        )
        for party in parties:
            self.check_range(party.power, f"parties.{party.id}.power", lo=0.0, strict=True)
            self.check_range(party.discount, f"parties.{party.id}.discount", lo=0.0, hi=1.0)
        missing = [p for p in spec.parties if p not in spec.payoffs]
        if missing:
            raise self.error(f"no payoffs given for party {missing[0]!r}", "payoffs")
        extra = [p for p in spec.payoffs if p not in spec.parties]
        if extra:
            allowed = ", ".join(spec.parties)
            raise self.error(f"unknown party {extra[0]!r} (parties: {allowed})", "payoffs")
        by_id = {issue.id: issue for issue in issues}
        payoffs = tuple(self.payoff(p.id, spec.payoffs[p.id], by_id, probe) for p in parties)
        constraints = []
        for n, constraint in enumerate(spec.constraints):
            field = f"constraints[{n}]"
            if constraint.party is not None and constraint.party not in spec.parties:
                allowed = ", ".join(spec.parties)
                raise self.error(
                    f"unknown party {constraint.party!r} (parties: {allowed})", f"{field}.party"
                )
            constraints.append(
                Constraint(
                    label=constraint.label,
                    require=self.condition(constraint.require, f"{field}.require", probe),
                    party=constraint.party,
                )
            )
        scenario = Scenario(
            name=spec.scenario.name,
            description=spec.scenario.description,
            sources=spec.scenario.sources,
            parameters=dict(self.parameters),
            parameter_specs={
                k: v for k, v in spec.parameters.items() if isinstance(v, ParameterSpec)
            },
            parties=parties,
            issues=issues,
            payoffs=payoffs,
            constraints=tuple(constraints),
            file=self.file,
        )
        # Optional sections: strategic games, and the war / ratification / alternating-offers
        # models. Their modules compile them against the core scenario.
        from dealsim.scenario import dynamics, games

        scenario = dataclasses.replace(scenario, **games.compile_games(spec, self, scenario))
        scenario = dataclasses.replace(scenario, **dynamics.compile_dynamics(spec, self, scenario))
        for party in scenario.parties:
            if party.reservation == WAR and (
                scenario.war is None or not scenario.war.covers(party.id)
            ):
                raise self.error(
                    'reservation = "war" needs a [war] section that gives this party a win '
                    "probability (war.p) and a cost (war.costs)",
                    f"parties.{party.id}.reservation",
                )
        return scenario

    def check_range(
        self, value: Number, field: str, *, lo: float, hi: float | None = None, strict=False
    ) -> None:
        number = evaluate_number(value, self.parameters)
        ok = (number > lo if strict else number >= lo) and (hi is None or number <= hi)
        if not ok:
            bound = f"> {lo}" if strict else f">= {lo}"
            allowed = f"{bound} and <= {hi}" if hi is not None else bound
            raise self.error(f"{number} is out of bounds (allowed: {allowed})", field)

    def issue(self, key: str, spec: Any) -> Issue:
        if spec.range is not None:
            lo, hi = spec.range
            values = tuple(float(v) for v in np.linspace(lo, hi, spec.steps))
            return Issue(key, spec.label or key, "range", values, spec.unit, spec.description)
        return Issue(
            key, spec.label or key, "levels", tuple(spec.levels), spec.unit, spec.description
        )

    def payoff(
        self, party: str, raw: dict[str, Any], issues: dict[str, Issue], probe: Mapping[str, Any]
    ) -> PartyPayoff:
        base = f"payoffs.{party}"
        allowed_keys = ["weights", "terms", *issues]
        for key in raw:
            if key not in allowed_keys:
                raise self.error(
                    f"unknown key {key!r} (allowed: {', '.join(allowed_keys)})", f"{base}.{key}"
                )
        weights_raw = raw.get("weights")
        if not isinstance(weights_raw, dict) or not weights_raw:
            raise self.error(
                "a table of issue weights is required, e.g. {share = 1}", f"{base}.weights"
            )
        weights: dict[str, Number] = {}
        for issue_id, weight in weights_raw.items():
            field = f"{base}.weights.{issue_id}"
            if issue_id not in issues:
                raise self.error(f"unknown issue {issue_id!r} (issues: {', '.join(issues)})", field)
            weights[issue_id] = self.number(_checked_number(weight, self, field), field)
        values: dict[str, ValueFunction] = {}
        for issue_id in weights:
            field = f"{base}.{issue_id}"
            if issue_id not in raw:
                raise self.error(
                    f"issue {issue_id!r} has a weight but no value function "
                    f"([{base}.{issue_id}] with points or a level table)",
                    field,
                )
            values[issue_id] = self.value_function(issues[issue_id], raw[issue_id], field)
        orphans = [k for k in raw if k in issues and k not in weights]
        if orphans:
            raise self.error(
                f"a value function for {orphans[0]!r} but no weight for it in {base}.weights",
                f"{base}.{orphans[0]}",
            )
        terms = []
        raw_terms = raw.get("terms", [])
        if not isinstance(raw_terms, list):
            raise self.error("terms must be an array of tables ([[...terms]])", f"{base}.terms")
        for n, term_raw in enumerate(raw_terms):
            field = f"{base}.terms[{n}]"
            try:
                term = TermSpec.model_validate(term_raw)
            except ValidationError as error:
                raise validation_error(error, self.file, prefix=field) from None
            terms.append(
                Term(
                    when=self.condition(term.when, f"{field}.when", probe),
                    add=self.number(term.add, f"{field}.add"),
                    label=term.label,
                )
            )
        return PartyPayoff(party=party, weights=weights, values=values, terms=tuple(terms))

    def value_function(self, issue: Issue, raw: Any, field: str) -> ValueFunction:
        if not isinstance(raw, dict):
            raise self.error("expected a table", field)
        if issue.numeric:
            if set(raw) != {"points"}:
                raise self.error(
                    "a range issue's value function is {points = [[x, v], ...]}", field
                )
            points = raw["points"]
            if (
                not isinstance(points, list)
                or len(points) < 2
                or not all(isinstance(p, list) and len(p) == 2 for p in points)
            ):
                raise self.error(
                    "points must be a list of at least two [x, v] pairs", f"{field}.points"
                )
            xs = tuple(_checked_number(p[0], self, f"{field}.points") for p in points)
            if any(not isinstance(x, float) for x in xs) or any(
                b <= a for a, b in itertools.pairwise(xs)
            ):
                raise self.error(
                    "the x values of points must be numbers in increasing order", f"{field}.points"
                )
            ys = tuple(
                self.number(
                    _checked_number(p[1], self, f"{field}.points[{n}]"), f"{field}.points[{n}]"
                )
                for n, p in enumerate(points)
            )
            return ValueFunction(issue=issue.id, xs=xs, ys=ys)
        keys = [level_key(level) for level in issue.values]
        unknown = [k for k in raw if k not in keys]
        if unknown:
            raise self.error(
                f"{unknown[0]!r} is not a level of issue {issue.id!r} (levels: {', '.join(keys)})",
                f"{field}.{unknown[0]}",
            )
        missing = [k for k in keys if k not in raw]
        if missing:
            raise self.error(f"no value for level {missing[0]!r} (every level needs one)", field)
        ys = tuple(
            self.number(_checked_number(raw[k], self, f"{field}.{k}"), f"{field}.{k}") for k in keys
        )
        return ValueFunction(issue=issue.id, xs=None, ys=ys)


def _checked_number(value: Any, compiler: _Compiler, field: str) -> float | str:
    try:
        return number_or_expression(value)
    except ValueError as error:
        raise compiler.error(str(error), field) from None


def compile_scenario(spec: ScenarioFile, *, file: str | None = None) -> Scenario:
    """Compile a validated scenario file into a :class:`Scenario`, checking cross-references.

    Raises
    ------
    ScenarioError
        Naming the file, the dotted field and what is allowed.

    Examples
    --------
    >>> spec = ScenarioFile.model_validate({
    ...     "scenario": {"name": "toy"},
    ...     "parties": {"a": {}, "b": {}},
    ...     "issues": {"x": {"range": [0, 1], "steps": 3}},
    ...     "payoffs": {"a": {"weights": {"x": 1}, "x": {"points": [[0, 0], [1, 1]]}},
    ...                 "b": {"weights": {"x": 1}, "x": {"points": [[0, 1], [1, 0]]}}},
    ... })
    >>> compile_scenario(spec).issue("x").values
    (0.0, 0.5, 1.0)
    """
    return _Compiler(spec, file).compile()
