"""Compiling a validated :class:`ScenarioFile` into the frozen :class:`Scenario` (core sections).

The :class:`Compiler` checks every cross-reference (weights name known issues, level tables cover
every level, expressions name known issues and parameters and type-check) and parses every
expression once. The optional sections are compiled by :mod:`dealsim.scenario.games` and
:mod:`dealsim.scenario.dynamics` with the same compiler;
:func:`dealsim.scenario.loader.compile_scenario` runs them all.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import ValidationError

from dealsim._grid import decimal_grid
from dealsim.errors import ScenarioError, elided
from dealsim.expressions import (
    Expression,
    ExpressionError,
    evaluate_number,
    parse_expression,
)
from dealsim.scenario.model import (
    MAX_VALUE_POINTS,
    WAR,
    Constraint,
    Issue,
    Number,
    Party,
    PartyPayoff,
    Scenario,
    Term,
    ValueFunction,
)
from dealsim.scenario.schema import (
    ParameterSpec,
    ScenarioFile,
    TermSpec,
    level_key,
    number_or_expression,
    validation_error,
)

__all__ = ["MAX_CHECKED_COMBINATIONS", "Compiler"]

MAX_CHECKED_COMBINATIONS = 100_000
"""A condition every deal evaluates (a constraint's ``require``, a payoff term's ``when``) is
checked at load time over every combination of the values of the issues it names, if there are at
most this many (else at the first deal only): a division by zero at some deal is then an error of
the file, which ``dealsim validate`` reports, not only of the solve."""


# --------------------------------------------------------------------------- compilation


class Compiler:
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
        return self.located(expression, field)

    def located(self, expression: Expression, field: str) -> Expression:
        """``expression`` knowing its file and field, for errors at solve time (``--set``)."""
        origin = ": ".join(part for part in (self.file, field) if part)
        return dataclasses.replace(expression, origin=origin)

    def condition(
        self,
        source: str,
        field: str,
        probe: Mapping[str, Any],
        *,
        every_deal: bool = False,
        feasible_deals: bool = False,
    ) -> Expression:
        """Parse a condition over issues and parameters and evaluate it at ``probe``.

        Where the solve evaluates it, it is evaluated here too: ``every_deal`` over every
        combination of the issues it names, ``feasible_deals`` over those the constraints allow
        (:meth:`check_feasible_deals`), both up to :data:`MAX_CHECKED_COMBINATIONS`.
        """
        names = self.issue_ids | set(self.parameters)
        try:
            expression = parse_expression(source, names=names)
            if every_deal:
                probe = self.combinations(expression.names, probe)
            expression.evaluate_mask(probe)
        except ExpressionError as error:
            raise self.error(str(error), field) from None
        if feasible_deals:
            self.check_feasible_deals(expression, field, mask=True)
        return self.located(expression, field)

    def _grid(self, names: frozenset[str] | set[str]) -> tuple[list[Issue], np.ndarray] | None:
        """The issues among ``names`` and the codes of every combination of their values.

        ``None`` when there are more than :data:`MAX_CHECKED_COMBINATIONS` combinations.
        """
        named = [issue for issue in self.issues if issue.id in names]
        count = 1
        for issue in named:
            count *= issue.size
        if count > MAX_CHECKED_COMBINATIONS:
            return None
        if not named:  # one combination: the parameters'
            return named, np.zeros((0, 1), dtype=np.intp)
        return named, np.indices([issue.size for issue in named]).reshape(len(named), -1)

    def combinations(self, names: frozenset[str], probe: Mapping[str, Any]) -> Mapping[str, Any]:
        """``probe`` with the issues among ``names`` over every combination of their values.

        Unchanged when the issues have more than :data:`MAX_CHECKED_COMBINATIONS` combinations.
        """
        grid = self._grid(names)
        if grid is None or not grid[0]:
            return probe
        named, codes = grid
        return {**probe, **{i.id: i.column(c) for i, c in zip(named, codes, strict=True)}}

    def check_feasible_deals(self, expression: Expression, field: str, *, mask: bool) -> None:
        """Evaluate ``expression`` where the solve does: at every feasible deal.

        An analysis that reads the feasible deals (``[war.shift]``, ``[ratification]``)
        evaluates it there. The feasible deals' values of the issues that ``expression`` and the
        constraints name are every combination of them that the constraints allow, when there are
        at most :data:`MAX_CHECKED_COMBINATIONS` (beyond, nothing is checked here). ``mask``:
        evaluate as a condition.

        Raises
        ------
        ScenarioError
            Naming ``field`` when it is not finite (or not a number) at some feasible deal.
        """
        required = [c.require for c in self.constraints]
        grid = self._grid(expression.names.union(*(r.names for r in required)))
        if grid is None:
            return
        named, codes = grid

        def columns(codes: np.ndarray) -> dict[str, Any]:
            return {**self.probe, **{i.id: i.column(c) for i, c in zip(named, codes, strict=True)}}

        if required:
            everywhere = columns(codes)
            keep = np.ones(codes.shape[1], dtype=bool)
            for require in required:
                keep &= np.broadcast_to(require.evaluate_mask(everywhere), keep.shape)
            codes = codes[:, keep]
        evaluate = expression.evaluate_mask if mask else expression.evaluate
        try:
            evaluate(columns(codes))
        except ExpressionError as error:
            message = str(error)
            if expression.origin:
                message = message.removeprefix(f"{expression.origin}: ")
            raise self.error(message, field) from None

    def compile(self) -> Scenario:
        spec = self.spec
        clash = sorted(self.issue_ids & set(self.parameters))
        if clash:
            raise self.error(f"{clash[0]!r} is both an issue and a parameter", "parameters")
        issues = tuple(self.issue(key, value) for key, value in spec.issues.items())
        self.issues = issues
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
        constraints: list[Constraint] = []
        self.constraints = constraints  # filled below; read by check_feasible_deals
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
                    require=self.condition(
                        constraint.require, f"{field}.require", probe, every_deal=True
                    ),
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
            values = tuple(decimal_grid(lo, hi, spec.steps).tolist())  # 0.3, not 0.3000...04
            return Issue(key, spec.label or key, "range", values, spec.unit, spec.description)
        return Issue(
            key,
            spec.label or key,
            "levels",
            tuple(spec.levels),
            spec.unit,
            spec.description,
            ordered=spec.ordered,
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
                    when=self.condition(term.when, f"{field}.when", probe, every_deal=True),
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
            if isinstance(points, list) and len(points) > MAX_VALUE_POINTS:
                raise self.error(
                    f"{len(points):,} points: a value function may have at most "
                    f"{MAX_VALUE_POINTS:,} points (see docs/limits.md)",
                    f"{field}.points",
                )
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
                f"{unknown[0]!r} is not a level of issue {issue.id!r} (levels: {elided(keys)})",
                f"{field}.{unknown[0]}",
            )
        missing = [k for k in keys if k not in raw]
        if missing:
            raise self.error(f"no value for level {missing[0]!r} (every level needs one)", field)
        ys = tuple(
            self.number(_checked_number(raw[k], self, f"{field}.{k}"), f"{field}.{k}") for k in keys
        )
        return ValueFunction(issue=issue.id, xs=None, ys=ys)


def _checked_number(value: Any, compiler: Compiler, field: str) -> float | str:
    try:
        return number_or_expression(value)
    except ValueError as error:
        raise compiler.error(str(error), field) from None
