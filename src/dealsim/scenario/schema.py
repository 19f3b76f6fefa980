"""The scenario file format as pydantic models: the contract, validated once at the edge.

These models check shapes and types (unknown keys are errors). Cross-references (a weight for an
unknown issue, a level table that misses a level, an expression naming an unknown issue) are checked
when the validated file is compiled into a :class:`dealsim.scenario.Scenario`.
:func:`scenario_json_schema` publishes the JSON Schema for editors.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from dealsim.errors import ScenarioError

__all__ = [
    "ConstraintSpec",
    "IssueSpec",
    "ParameterSpec",
    "PartySpec",
    "ScenarioFile",
    "ScenarioMeta",
    "TermSpec",
    "scenario_json_schema",
    "validation_error",
]

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"


def number_or_expression(value: Any) -> float | str:
    if isinstance(value, bool):
        raise ValueError("expected a number or an expression string, got a boolean")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError("must be a finite number (NaN and infinity are not allowed)")
        return float(value)
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("an expression must not be empty")
        return value
    raise ValueError(f"expected a number or an expression string, got {type(value).__name__}")


def _finite_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError("must be a finite number (NaN and infinity are not allowed)")
    return float(value)


NumberOrExpression = Annotated[
    float | str,
    BeforeValidator(number_or_expression),
    Field(json_schema_extra={"description": "a number, or an expression over parameters"}),
]
"""A numeric field: a finite number or an expression string over parameters."""

FiniteNumber = Annotated[float, BeforeValidator(_finite_number)]
LevelValue = Annotated[str | bool | int | float, Field(union_mode="left_to_right")]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class ScenarioMeta(_Section):
    """``[scenario]``: what the file describes and where its numbers come from."""

    name: str = Field(min_length=1)
    description: str = ""
    sources: tuple[str, ...] = ()


class ParameterSpec(_Section):
    """``[parameters.<id>]`` in table form: a value and, optionally, its plausible range."""

    value: FiniteNumber
    range: tuple[FiniteNumber, FiniteNumber] | None = None
    description: str = ""

    @model_validator(mode="after")
    def _value_in_range(self) -> ParameterSpec:
        if self.range is not None:
            lo, hi = self.range
            if lo > hi:
                raise ValueError(f"range [{lo}, {hi}] must have lo <= hi")
            if not lo <= self.value <= hi:
                raise ValueError(f"value {self.value} lies outside range [{lo}, {hi}]")
        return self


class PartySpec(_Section):
    """``[parties.<id>]``: a negotiating party."""

    label: str | None = None
    reservation: NumberOrExpression = 0.0
    power: NumberOrExpression = 1.0
    discount: NumberOrExpression = 1.0
    description: str = ""


class IssueSpec(_Section):
    """``[issues.<id>]``: a deal term, a gridded range or a list of ordered levels."""

    label: str | None = None
    description: str = ""
    range: tuple[FiniteNumber, FiniteNumber] | None = None
    steps: int | None = Field(default=None, ge=2, le=100_000)
    unit: str | None = None
    levels: tuple[LevelValue, ...] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _range_or_levels(self) -> IssueSpec:
        if (self.range is None) == (self.levels is None):
            raise ValueError("give exactly one of 'range' (with 'steps') or 'levels'")
        if self.range is not None:
            if self.steps is None:
                raise ValueError("a 'range' issue needs 'steps' (grid points, at least 2)")
            lo, hi = self.range
            if not lo < hi:
                raise ValueError(f"range [{lo}, {hi}] must have lo < hi")
        else:
            if self.steps is not None:
                raise ValueError("'steps' goes with 'range', not with 'levels'")
            keys = [level_key(level) for level in self.levels or ()]
            if len(set(keys)) != len(keys):
                raise ValueError("levels must be distinct")
        return self


def level_key(level: str | bool | float) -> str:
    """The table key under which a level's value is given in ``[payoffs.<party>.<issue>]``.

    Examples
    --------
    >>> level_key(True), level_key("neutral"), level_key(0.5)
    ('true', 'neutral', '0.5')
    """
    if isinstance(level, bool):
        return "true" if level else "false"
    return str(level)


class TermSpec(_Section):
    """``[[payoffs.<party>.terms]]``: an interaction, ``add`` utility ``when`` a condition holds."""

    when: str
    add: NumberOrExpression
    label: str = ""


class ConstraintSpec(_Section):
    """``[[constraints]]``: deals that violate ``require`` are infeasible."""

    label: str = Field(min_length=1)
    require: str
    party: str | None = None


class ScenarioFile(_Section):
    """A whole scenario file.

    ``payoffs`` is checked against the issues when the scenario is compiled: each
    ``[payoffs.<party>]`` has ``weights``, optional ``terms`` and one value-function table per
    weighted issue (``points = [[x, v], ...]`` for a range, ``{level = v, ...}`` for levels).
    Sections added by later features (games, war, ratification) are optional tables.
    """

    scenario: ScenarioMeta
    parameters: dict[Annotated[str, Field(pattern=ID_PATTERN)], FiniteNumber | ParameterSpec] = (
        Field(default_factory=dict)
    )
    parties: dict[Annotated[str, Field(pattern=ID_PATTERN)], PartySpec] = Field(min_length=1)
    issues: dict[Annotated[str, Field(pattern=ID_PATTERN)], IssueSpec] = Field(min_length=1)
    payoffs: dict[str, dict[str, Any]]
    constraints: tuple[ConstraintSpec, ...] = ()
    format: Literal[1] = 1


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (for editors; ``dealsim schema`` prints it).

    Examples
    --------
    >>> schema = scenario_json_schema()
    >>> sorted(schema["required"])
    ['issues', 'parties', 'payoffs', 'scenario']
    """
    schema = ScenarioFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dealsim scenario"
    return schema


_TYPE_TAGS = {"str", "float", "int", "bool", "function-before", "function-after", "tuple"}


def validation_error(
    error: ValidationError, file: str | None, *, prefix: str = ""
) -> ScenarioError:
    """Turn a pydantic error into a :class:`ScenarioError` naming the field and what is allowed.

    Only the first problem is reported (fix it, run again), with a count of the others.

    Examples
    --------
    >>> try:
    ...     PartySpec.model_validate({"reservaton": 0.3})
    ... except ValidationError as e:
    ...     print(validation_error(e, "s.toml", prefix="parties.a"))
    s.toml: parties.a.reservaton: unknown key (allowed: label, reservation, power, \
discount, description)
    """
    problems = error.errors(include_url=False)
    first = problems[0]
    loc = [str(part) for part in first["loc"] if not _is_type_tag(part)]
    path = ".".join(p for p in [prefix, *loc] if p)
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key" + _allowed_keys(error, first["loc"])
    elif first["type"] == "missing":
        message = "required field is missing"
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return ScenarioError(message, file=file, field=path or None)


def _is_type_tag(part: object) -> bool:
    text = str(part)
    return text in _TYPE_TAGS or text.startswith(("function-", "constrained-", "literal["))


def _allowed_keys(error: ValidationError, loc: tuple) -> str:
    model: type[BaseModel] | None = {
        "ScenarioFile": ScenarioFile,
        "PartySpec": PartySpec,
        "IssueSpec": IssueSpec,
        "TermSpec": TermSpec,
        "ConstraintSpec": ConstraintSpec,
        "ScenarioMeta": ScenarioMeta,
        "ParameterSpec": ParameterSpec,
    }.get(error.title)
    if model is None:
        return ""
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            continue
        model = _submodel(field.annotation)
    if model is None:
        return ""
    return f" (allowed: {', '.join(model.model_fields)})"


def _submodel(annotation: Any) -> type[BaseModel] | None:
    import typing

    candidates = [annotation, *typing.get_args(annotation)]
    for candidate in candidates:
        for inner in [candidate, *typing.get_args(candidate)]:
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None
