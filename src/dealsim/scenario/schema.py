"""The scenario file format as pydantic models: the contract, validated once at the edge.

These models check shapes and types (unknown keys are errors). Cross-references (a weight for an
unknown issue, a level table that misses a level, an expression naming an unknown issue) are checked
when the validated file is compiled into a :class:`dealsim.scenario.Scenario`.
:func:`scenario_json_schema` publishes the JSON Schema for editors.
"""

# No ``from __future__ import annotations`` here: pydantic would compile and evaluate every field's
# annotation string when it creates the models, a quarter of this module's import time.

import math
import re
import typing
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dealsim.errors import ScenarioError
from dealsim.expressions import MAX_MAGNITUDE, RESERVED_NAMES

__all__ = [
    "DISTRIBUTION_KINDS",
    "ActualSpec",
    "BodySpec",
    "ConstraintSpec",
    "DistributionSpec",
    "IssueSpec",
    "ParameterSpec",
    "PartySpec",
    "ProposalSpec",
    "ScenarioFile",
    "ScenarioMeta",
    "TermSpec",
    "scenario_json_schema",
    "validate_scenario_file",
    "validation_error",
]

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"


def _bounded(value: int | float) -> float:
    """``value`` as a float, refusing NaN, infinity and magnitudes above ``MAX_MAGNITUDE``."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number (NaN and infinity are not allowed)")
    if (isinstance(value, int) and value.bit_length() > 64) or abs(value) > MAX_MAGNITUDE:
        shown = f"a {len(str(abs(value)))}-digit number" if isinstance(value, int) else f"{value:g}"
        raise ValueError(
            f"{shown} is too large (numbers may be at most {MAX_MAGNITUDE:g} in absolute value)"
        )
    return float(value)


def _not_reserved(name: str) -> str:
    if name in RESERVED_NAMES:
        raise ValueError(
            f"{name!r} is a reserved name: the expression language defines it (reserved: true, "
            "false, True, False, min, max and the words and, or, not, if, in, is, ...); "
            "choose another id"
        )
    return name


def number_or_expression(value: Any) -> float | str:
    if isinstance(value, bool):
        raise ValueError("expected a number or an expression string, got a boolean")
    if isinstance(value, (int, float)):
        return _bounded(value)
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("an expression must not be empty")
        return value
    raise ValueError(f"expected a number or an expression string, got {type(value).__name__}")


def _finite_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {_written(value)}")
    return _bounded(value)


def _written(value: Any) -> str:
    """A TOML value as the file wrote it, with its type: ``the string "41"``, ``the boolean true``.

    Examples
    --------
    >>> _written("41"), _written(True), _written(41.5)
    ('the string "41"', 'the boolean true', 'the number 41.5')
    """
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the string "{shown}"'
    return _toml_type(value)


def _integer(value: Any) -> int:
    """A TOML integer (or a float with an integral value), never a string or a boolean.

    Pydantic's lax mode would read ``"41"`` as 41 and ``true`` as 1; a file must write the number.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"expected an integer, got {_written(value)}")


def _boolean(value: Any) -> bool:
    """A TOML boolean, never a number or a string (lax mode reads ``1`` and ``"yes"`` as true)."""
    if isinstance(value, bool):
        return value
    raise ValueError(f"expected true or false, got {_written(value)}")


def _level_value(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        _bounded(value)
    return value


def _toml_type(value: Any) -> str:
    """The TOML name of a value's type, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


NumberOrExpression = Annotated[
    float | str,
    BeforeValidator(number_or_expression),
    Field(json_schema_extra={"description": "a number, or an expression over parameters"}),
]
"""A numeric field: a finite number or an expression string over parameters."""

FiniteNumber = Annotated[float, BeforeValidator(_finite_number)]
Integer = Annotated[int, BeforeValidator(_integer)]
"""An integer field: a TOML integer, not a quoted number or a boolean."""
Boolean = Annotated[bool, BeforeValidator(_boolean)]
"""A true/false field: a TOML boolean, not a number or a string."""
LevelValue = Annotated[
    str | bool | int | float, Field(union_mode="smart"), AfterValidator(_level_value)
]
"""A level, or a value in an outcome's deal, kept as written: ``1`` stays an integer (not
``true``), ``1.0`` a number and ``true`` a boolean."""
DealValue = LevelValue


class _Section(BaseModel):
    # defer_build: a model's validator is built when first used, so that importing this module
    # does not build every section's (see validate_scenario_file)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, defer_build=True)


class ScenarioMeta(_Section):
    """``[scenario]``: what the file describes and where its numbers come from."""

    name: str = Field(min_length=1)
    description: str = ""
    sources: tuple[str, ...] = ()


DISTRIBUTION_KINDS = ("uniform", "normal", "beta", "triangular", "choice")
"""The ``kind`` values of ``[parameters.<id>].distribution``."""

_KIND_FIELDS = {
    "uniform": {"bounds"},
    "normal": {"mean", "sd", "bounds"},
    "beta": {"a", "b", "bounds"},
    "triangular": {"mode", "bounds"},
    "choice": {"values", "weights"},
}
_REQUIRED_FIELDS = {"normal": ("mean", "sd"), "beta": ("a", "b"), "triangular": ("mode",)}
_SHAPES = {
    "uniform": '{kind = "uniform", bounds = [lo, hi]}',
    "normal": '{kind = "normal", mean = m, sd = s, bounds = [lo, hi]}',
    "beta": '{kind = "beta", a = 2, b = 2, bounds = [lo, hi]}',
    "triangular": '{kind = "triangular", mode = m, bounds = [lo, hi]}',
    "choice": '{kind = "choice", values = [...], weights = [...]}',
}


def _kind_field(value: Any, info: ValidationInfo) -> Any:
    """Check that a distribution field belongs to its kind and that required ones are given."""
    kind = info.data.get("kind")
    if kind is None:  # the kind itself is invalid; that error is reported
        return value
    name = info.field_name
    if value is None:
        if name in _REQUIRED_FIELDS.get(kind, ()):
            raise ValueError(f"a {kind!r} distribution needs {name!r}: {_SHAPES[kind]}")
        return value
    if name not in _KIND_FIELDS[kind]:
        allowed = ", ".join(sorted(_KIND_FIELDS[kind]))
        raise ValueError(f"not a field of a {kind!r} distribution (allowed: kind, {allowed})")
    return value


class DistributionSpec(_Section):
    """``distribution = {kind = ..., ...}`` of a parameter: how uncertain its value is.

    ``bounds`` defaults to the parameter's ``range``. ``uniform`` and ``triangular`` need bounds;
    ``normal`` with bounds is truncated to them; ``beta`` is rescaled from [0, 1] to its bounds;
    ``choice`` draws one of ``values`` with probabilities proportional to ``weights``.

    Examples
    --------
    >>> DistributionSpec(kind="normal", mean=0.5, sd=0.1).sd
    0.1
    """

    kind: Literal["uniform", "normal", "beta", "triangular", "choice"]
    # field order matters: validators of later fields check them against earlier ones
    bounds: tuple[FiniteNumber, FiniteNumber] | None = Field(default=None, validate_default=True)
    mean: FiniteNumber | None = Field(default=None, validate_default=True)
    sd: FiniteNumber | None = Field(default=None, validate_default=True)
    a: FiniteNumber | None = Field(default=None, validate_default=True)
    b: FiniteNumber | None = Field(default=None, validate_default=True)
    mode: FiniteNumber | None = Field(default=None, validate_default=True)
    values: tuple[FiniteNumber, ...] | None = Field(default=None, validate_default=True)
    weights: tuple[FiniteNumber, ...] | None = Field(default=None, validate_default=True)

    @field_validator("bounds", "mean", "sd", "a", "b", "mode", "values", "weights")
    @classmethod
    def _check_field(cls, value: Any, info: ValidationInfo) -> Any:
        value = _kind_field(value, info)
        if value is None:
            return value
        name = info.field_name
        if name == "bounds" and not value[0] < value[1]:
            raise ValueError(f"bounds [{value[0]}, {value[1]}] must have lo < hi")
        if name in ("sd", "a", "b") and not value > 0:
            raise ValueError(f"must be > 0, got {value}")
        bounds = info.data.get("bounds")
        if name == "mode" and bounds is not None and not bounds[0] <= value <= bounds[1]:
            raise ValueError(f"{value} lies outside bounds [{bounds[0]}, {bounds[1]}]")
        if name == "values" and not value:
            raise ValueError("must list at least one value")
        if name == "weights":
            values = info.data.get("values") or ()
            if len(value) != len(values):
                raise ValueError(
                    f"needs one weight per value ({len(values)} values, {len(value)} weights)"
                )
            if min(value) < 0 or sum(value) <= 0:
                raise ValueError("weights must be >= 0 with a positive sum")
        return value

    def resolved_bounds(self, range_: tuple[float, float] | None) -> tuple[float, float] | None:
        """The bounds in force: the distribution's own, else the parameter's range.

        Examples
        --------
        >>> DistributionSpec(kind="uniform").resolved_bounds((0.0, 2.0))
        (0.0, 2.0)
        """
        if self.kind == "choice":
            return None
        return self.bounds if self.bounds is not None else range_


class ParameterSpec(_Section):
    """``[parameters.<id>]`` in table form: a value, its plausible range and its distribution.

    A plain number (``credibility = 0.5``) stays valid and means a fixed value.

    Examples
    --------
    >>> spec = ParameterSpec(value=0.5, range=(0, 1), distribution={"kind": "beta", "a": 2, "b": 2})
    >>> spec.distribution.resolved_bounds(spec.range)
    (0.0, 1.0)
    """

    value: FiniteNumber
    range: tuple[FiniteNumber, FiniteNumber] | None = None
    distribution: DistributionSpec | None = None
    description: str = ""

    @field_validator("distribution", mode="before")
    @classmethod
    def _bare_kind(cls, value: Any) -> Any:
        # ``distribution = "uniform"``: a bare kind, every other field at its default (bounds =
        # the parameter's range), the same as ``distribution = {kind = "uniform"}``.
        if isinstance(value, str):
            return {"kind": value}
        if value is None or isinstance(value, (dict, DistributionSpec)):
            return value
        raise ValueError(
            f'expected a kind ("uniform", "normal", "beta", "triangular", "choice") '
            f"or a table {{kind = ..., ...}}, got {value!r}"
        )

    @model_validator(mode="after")
    def _value_in_range(self) -> "ParameterSpec":
        if self.range is not None:
            lo, hi = self.range
            if lo > hi:
                raise ValueError(f"range [{lo}, {hi}] must have lo <= hi")
            if not lo <= self.value <= hi:
                raise ValueError(f"value {self.value} lies outside range [{lo}, {hi}]")
        dist = self.distribution
        if dist is None:
            return self
        bounds = dist.resolved_bounds(self.range)
        if dist.kind in ("uniform", "triangular") and bounds is None:
            raise ValueError(
                f"distribution.bounds: a {dist.kind!r} distribution needs bounds = [lo, hi] "
                "(or the parameter's range)"
            )
        if bounds is not None and not bounds[0] < bounds[1]:
            raise ValueError(f"distribution.bounds: [{bounds[0]}, {bounds[1]}] must have lo < hi")
        if dist.kind == "triangular" and not bounds[0] <= dist.mode <= bounds[1]:
            raise ValueError(
                f"distribution.mode: {dist.mode} lies outside bounds [{bounds[0]}, {bounds[1]}]"
            )
        return self


def _parameter_form(value: Any) -> str:
    return "parameter-table" if isinstance(value, dict) else "parameter-number"


ParameterEntry = Annotated[
    Annotated[ParameterSpec, Tag("parameter-table")]
    | Annotated[FiniteNumber, Tag("parameter-number")],
    Discriminator(_parameter_form),
]
"""``[parameters]``: a table, or a bare number (its value). A table is validated as a table and
anything else as a number, so that an error names one problem, not one per form."""


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
    steps: Annotated[int, Field(ge=2, le=100_000), BeforeValidator(_integer)] | None = None
    unit: str | None = None
    levels: tuple[LevelValue, ...] | None = Field(default=None, min_length=1)
    ordered: Boolean = False

    @model_validator(mode="after")
    def _range_or_levels(self) -> "IssueSpec":
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
        if self.ordered and self.levels is None:
            raise ValueError("'ordered' goes with 'levels' (a range is ordered already)")
        keys = [level_key(level) for level in self.levels or ()]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:  # payoffs name levels by key: two equal keys would be one level twice
            raise ValueError(f"levels must be distinct: {', '.join(map(repr, repeated))} repeated")
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


SOLUTION_NAMES = ("nash", "weighted_nash", "kalai_smorodinsky", "egalitarian", "utilitarian")

Id = Annotated[str, Field(pattern=ID_PATTERN)]
Name = Annotated[str, Field(pattern=ID_PATTERN), AfterValidator(_not_reserved)]
"""An id that expressions can read (issue, parameter, party): not a reserved word."""


class OutcomeSpec(_Section):
    """``[outcomes.<id>]``: a named end of a game.

    Either a deal (``deal = {issue = value}``, optionally completing the deal a bargaining
    ``solution`` picks), whose payoffs come from the payoff model, or explicit ``payoffs``.
    """

    label: str = ""
    deal: dict[str, DealValue] | None = None
    solution: Literal[SOLUTION_NAMES] | None = None  # type: ignore[valid-type]
    payoffs: dict[str, NumberOrExpression] | None = None

    @model_validator(mode="after")
    def _deal_or_payoffs(self) -> "OutcomeSpec":
        by_deal = self.deal is not None or self.solution is not None
        if by_deal == (self.payoffs is not None):
            raise ValueError("give either 'payoffs' (party = number) or a 'deal' and/or 'solution'")
        return self


class NormalGameSpec(_Section):
    """``[games.<id>]`` with ``kind = "normal"``: simultaneous moves.

    ``outcomes`` maps a profile (strategy names in ``players`` order, joined by commas:
    ``"accept,reject"``) to an outcome id; ``default`` covers profiles not listed. Users who
    already have matrices give ``payoffs = {party = nested lists}`` instead.
    """

    kind: Literal["normal"]
    label: str = ""
    players: tuple[Id, ...] = Field(min_length=1)
    strategies: dict[str, tuple[str, ...]]
    outcomes: dict[str, str] | None = None
    default: str | None = None
    payoffs: dict[str, list[Any]] | None = None

    @model_validator(mode="after")
    def _outcomes_or_payoffs(self) -> "NormalGameSpec":
        if (self.outcomes is None and self.default is None) == (self.payoffs is None):
            raise ValueError("give either 'outcomes' (and/or 'default') or 'payoffs'")
        return self


class NodeSpec(_Section):
    """A node of a sequential game: a decision (``player``) or a chance move (``chance``)."""

    label: str = ""
    player: str | None = None
    actions: dict[str, str] | None = None
    chance: dict[str, NumberOrExpression] | None = None
    infoset: str | None = None

    @model_validator(mode="after")
    def _decision_or_chance(self) -> "NodeSpec":
        if (self.player is None) == (self.chance is None):
            raise ValueError(
                "a node is either a decision (player, actions, optional infoset) or a chance "
                "move (chance = {branch = probability}, actions = {branch = next})"
            )
        if self.player is not None and not self.actions:
            raise ValueError("a decision node needs 'actions' = {action = next node or outcome}")
        if self.chance is not None and self.infoset is not None:
            raise ValueError("a chance node has no information set")
        return self


class SequentialGameSpec(_Section):
    """``[games.<id>]`` with ``kind = "sequential"``: a game tree."""

    kind: Literal["sequential"]
    label: str = ""
    players: tuple[Id, ...] = Field(min_length=1)
    root: str
    nodes: dict[Id, NodeSpec] = Field(min_length=1)
    thresholds: tuple[Id, ...] = ()


GameSpec = Annotated[NormalGameSpec | SequentialGameSpec, Field(discriminator="kind")]


class ShiftCapSpec(_Section):
    """A deal term that caps the shift in power (a neutral force, a demilitarised zone)."""

    when: str
    max: NumberOrExpression
    label: str = ""


class ShiftSpec(_Section):
    """How a deal shifts the odds of a later war toward ``party`` (Powell's commitment problem)."""

    party: Id
    amount: str
    caps: tuple[ShiftCapSpec, ...] = ()


class PrivateWarSpec(_Section):
    """``[war.private]``: one belligerent's cost of war is private (Fearon's incentive to bluff).

    ``party``'s cost of war is known to it alone; its opponent knows only ``cost``, a
    distribution in the same form as ``[parameters.<id>].distribution`` and the same utility
    units as ``[war] costs``. ``proposer`` (default: the other belligerent) makes a
    take-it-or-leave-it offer.

    Examples
    --------
    >>> PrivateWarSpec(party="b", cost={"kind": "uniform", "bounds": [0, 0.4]}).cost.bounds
    (0.0, 0.4)
    """

    party: Id
    cost: DistributionSpec
    proposer: Id | None = None
    source: str = ""

    @model_validator(mode="after")
    def _bounded_kinds(self) -> "PrivateWarSpec":
        dist = self.cost
        if dist.kind in ("uniform", "triangular") and dist.bounds is None:
            raise ValueError(
                f"cost.bounds: a {dist.kind!r} cost distribution needs bounds = [lo, hi]"
            )
        if dist.kind == "triangular" and not dist.bounds[0] <= dist.mode <= dist.bounds[1]:
            raise ValueError(f"cost.mode: {dist.mode} lies outside bounds {list(dist.bounds)}")
        return self


class WarSpec(_Section):
    """``[war]``: fighting on as a costly lottery (Fearon) between two belligerents.

    ``p`` gives each belligerent's probability of winning (they sum to 1), ``costs`` its cost of
    fighting in utility units; ``win`` and ``lose`` its utility of winning and losing (default 1
    and 0). A party whose ``reservation = "war"`` gets ``p win + (1 - p) lose - cost``.
    """

    label: str = ""
    p: dict[Id, NumberOrExpression] = Field(min_length=2, max_length=2)
    costs: dict[Id, NumberOrExpression]
    win: dict[Id, NumberOrExpression] = Field(default_factory=dict)
    lose: dict[Id, NumberOrExpression] = Field(default_factory=dict)
    delta: NumberOrExpression = 0.9
    # Powell's (2006) infinite-horizon commitment problem, or its two-period truncation
    commitment: Literal["infinite_horizon", "two_period"] = "infinite_horizon"
    shift: ShiftSpec | None = None
    private: PrivateWarSpec | None = None


class RatificationProbabilitySpec(_Section):
    """A logistic ratification curve: ``1 / (1 + exp(-(intercept + sum coef * feature)))``.

    Each key of ``terms`` is an expression over the deal (numbers, or conditions counting 1).
    """

    intercept: NumberOrExpression
    terms: dict[str, NumberOrExpression] = Field(default_factory=dict)


class RatificationSpec(_Section):
    """``[ratification.<party>]``: what the party's domestic side would ratify (Putnam)."""

    label: str = ""
    source: str = ""
    require: str | None = None
    probability: RatificationProbabilitySpec | None = None
    body: str | None = None  # a [bodies.<id>] whose vote ratifies (see dealsim.scenario.bodies)
    mode: Literal["constraint", "expected_utility"] = "constraint"
    threshold: NumberOrExpression = 0.5
    # poll and turnout error of the predicted approval share: P(pass) = Phi((s - threshold) / sd)
    poll_error: NumberOrExpression | None = None

    @model_validator(mode="after")
    def _require_or_probability(self) -> "RatificationSpec":
        given = [self.require, self.probability, self.body]
        if sum(x is not None for x in given) != 1:
            raise ValueError(
                "give exactly one of 'require' (a hard win-set), 'probability' (a logistic "
                "curve) or 'body' (the vote of a [bodies.<id>] voting body)"
            )
        if self.probability is None and self.mode != "constraint":
            raise ValueError(
                "a hard win-set ('require' or 'body') works only with mode = \"constraint\""
            )
        return self


_SHARE = r"^\s*(\d+(\.\d*)?\s*%|\d+\s*/\s*\d+|0?\.\d+|1(\.0*)?)\s*$"


def _quota(value: Any) -> float | str:
    """A quota: a positive weight (a number), or a share of the total weight (a string)."""
    if isinstance(value, str):
        if not re.match(_SHARE, value) or not 0 < quota_share(value) <= 1:
            raise ValueError(
                f"{value!r} is not a share of the total weight (allowed: a number of votes, "
                'e.g. 226, or a share in (0, 1] as "2/3", "55%" or "0.5")'
            )
        return value
    number = _finite_number(value)
    if number <= 0:
        raise ValueError(f'must be > 0 (a number of votes, or a share as "2/3"), got {number:g}')
    return number


def quota_share(text: str) -> Fraction:
    """The share of the total weight a quota string names.

    Examples
    --------
    >>> quota_share("2/3"), quota_share("55%"), quota_share("0.5")
    (Fraction(2, 3), Fraction(11, 20), Fraction(1, 2))
    """
    text = text.strip()
    if text.endswith("%"):
        return Fraction(text[:-1].strip()) / 100
    return Fraction(text.replace(" ", ""))


Quota = Annotated[
    float | str,
    BeforeValidator(_quota),
    Field(json_schema_extra={"description": 'a number of votes, or a share ("2/3", "55%")'}),
]


class BodySpec(_Section):
    """``[bodies.<id>]``: a weighted voting body (a parliament by factions, a council).

    A coalition of ``members`` wins when its weights reach ``quota`` (a number, or a share of
    the total weight such as ``"2/3"``) and it holds every ``veto`` member. ``accept`` gives, per
    member, a condition over the deal terms under which it votes yes; with it, the body's
    approval of a deal can ratify (``[ratification.<party>] body = "<id>"``).
    """

    label: str = ""
    members: dict[Id, FiniteNumber] = Field(min_length=1)
    quota: Quota
    veto: tuple[Id, ...] = ()
    source: str = ""
    accept: dict[Id, str] = Field(default_factory=dict)


class ProposalSpec(_Section):
    """``[proposals.<id>]``: a named package on the table, every issue given."""

    label: str = ""
    source: str = ""
    terms: dict[str, DealValue] = Field(min_length=1)


class ActualSpec(_Section):
    """``[actual]``: what was actually agreed (every issue given), when, and the source."""

    terms: dict[str, DealValue] = Field(min_length=1)
    date: str = Field(min_length=1)
    source: str = Field(min_length=1)
    label: str = ""


class AlternatingOffersSpec(_Section):
    """``[alternating_offers]``: finite-horizon bargaining over the scenario's deals."""

    rounds: Integer = Field(default=50, ge=1, le=10_000)
    proposer_order: tuple[Id, ...] | None = None
    breakdown: NumberOrExpression = 0.0
    round_cost: dict[Id, NumberOrExpression] = Field(default_factory=dict)


class ScenarioFile(_Section):
    """A whole scenario file.

    ``payoffs`` is checked against the issues when the scenario is compiled: each
    ``[payoffs.<party>]`` has ``weights``, optional ``terms`` and one value-function table per
    weighted issue (``points = [[x, v], ...]`` for a range, ``{level = v, ...}`` for levels).
    Sections added by later features (games, war, ratification) are optional tables.
    """

    scenario: ScenarioMeta
    parameters: dict[Name, ParameterEntry] = Field(default_factory=dict)
    parties: dict[Name, PartySpec] = Field(min_length=1)
    issues: dict[Name, IssueSpec] = Field(min_length=1)
    payoffs: dict[str, dict[str, Any]]
    constraints: tuple[ConstraintSpec, ...] = ()
    outcomes: dict[Id, OutcomeSpec] = Field(default_factory=dict)
    games: dict[Id, GameSpec] = Field(default_factory=dict)
    war: WarSpec | None = None
    ratification: dict[Id, RatificationSpec] = Field(default_factory=dict)
    alternating_offers: AlternatingOffersSpec | None = None
    proposals: dict[Id, ProposalSpec] = Field(default_factory=dict)
    bodies: dict[Id, BodySpec] = Field(default_factory=dict)
    actual: ActualSpec | None = None
    format: Annotated[Literal[1], BeforeValidator(_integer)] = 1


_PRESENT_SECTIONS_MODELS: dict[frozenset[str], type[BaseModel]] = {}
"""The models of :func:`validate_scenario_file`, by the set of sections they hold."""


def validate_scenario_file(document: Any) -> ScenarioFile:
    """Validate a parsed scenario file: ``ScenarioFile.model_validate(document)``, built lazily.

    The same result, and on error the same :class:`~pydantic.ValidationError`, as
    :meth:`ScenarioFile.model_validate`, but only the validators of the sections the file holds
    are built: the document is validated by a model with just those fields of
    :class:`ScenarioFile` (the same annotations and constraints, built once per set of sections),
    and the result is a :class:`ScenarioFile` with the absent sections at their defaults. Any
    problem is reported by :class:`ScenarioFile` itself, which validates the document again.

    Examples
    --------
    >>> spec = validate_scenario_file({
    ...     "scenario": {"name": "toy"},
    ...     "parties": {"a": {}, "b": {}},
    ...     "issues": {"x": {"range": [0, 1], "steps": 3}},
    ...     "payoffs": {"a": {}, "b": {}},
    ... })
    >>> type(spec).__name__, spec.issues["x"].steps, spec.war, spec.games
    ('ScenarioFile', 3, None, {})
    >>> validate_scenario_file({"scenario": {"name": "toy"}})
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 3 validation errors for ScenarioFile
    ...
    """
    fields = ScenarioFile.model_fields
    if not isinstance(document, dict) or not all(key in fields for key in document):
        return ScenarioFile.model_validate(document)  # raises: not a table, or an unknown key
    names = frozenset(document).union(n for n, f in fields.items() if f.is_required())
    model = _PRESENT_SECTIONS_MODELS.get(names)
    if model is None:
        from pydantic import create_model

        model = create_model(
            "ScenarioFile",
            __base__=_Section,
            **{name: (field.annotation, field) for name, field in fields.items() if name in names},
        )
        _PRESENT_SECTIONS_MODELS[names] = model
    try:
        present = model.model_validate(document)
    except ValidationError:
        return ScenarioFile.model_validate(document)  # raises the error of the whole file
    return ScenarioFile.model_construct(
        _fields_set=present.model_fields_set, **{name: getattr(present, name) for name in names}
    )


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
_TYPE_TAGS |= {"parameter-table", "parameter-number"}  # ParameterEntry's forms


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
    # An unknown key is usually a typo that also makes a required field "missing": report it first.
    problems.sort(key=lambda p: p["type"] != "extra_forbidden")
    first = problems[0]
    loc = [
        str(part)
        for n, part in enumerate(first["loc"])
        if not _is_type_tag(part) and not (n == 2 and first["loc"][0] == "games")
    ]
    path = ".".join(p for p in [prefix, *loc] if p and p != "[key]")
    message = _user_message(first)
    if first["type"] == "extra_forbidden":
        message = "unknown key" + _allowed_keys(error, first["loc"])
    elif first["type"] == "missing":
        message = "required field is missing"
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return ScenarioError(message, file=file, field=path or None)


def _user_message(problem: Any) -> str:
    """A pydantic problem in the user's words: TOML types, no class names, short lists."""
    kind, ctx = problem["type"], problem.get("ctx") or {}
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a table, got {_toml_type(problem.get('input'))}"
    if kind == "union_tag_not_found":
        return f'needs {ctx.get("discriminator", "a kind")} (e.g. kind = "normal")'
    if kind == "union_tag_invalid":
        return f"unknown kind {ctx.get('tag')!r} (allowed: {ctx.get('expected_tags')})"
    message = problem["msg"].removeprefix("Value error, ")
    message = re.sub(r" or (an )?instance of \w+", "", message)
    message = message.replace("Input should be", "must be")
    if len(message) > 300:
        message = message[:297] + "..."
    return message


def _is_type_tag(part: object) -> bool:
    text = str(part)
    return text in _TYPE_TAGS or text.startswith(("function-", "constrained-", "literal["))


def _allowed_keys(error: ValidationError, loc: tuple) -> str:
    model = _model_at(_MODELS.get(error.title), loc[:-1])
    return f" (allowed: {', '.join(model.model_fields)})" if model is not None else ""


def _model_at(model: type[BaseModel] | None, loc: tuple) -> type[BaseModel] | None:
    """The model holding the field at ``loc``; dict keys, list indices and union tags skipped."""
    annotation: Any = None
    for part in loc:
        if model is not None and isinstance(part, str) and part in model.model_fields:
            annotation = model.model_fields[part].annotation
            candidates = _models_in(annotation)
            model = candidates[0] if len(candidates) == 1 else None
            continue
        candidates = _models_in(annotation)
        tagged = [c for c in candidates if _tag(c) == part]
        if tagged:
            model = tagged[0]
        elif len(candidates) == 1:
            model = candidates[0]
    return model


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        for model in _models_in(arg):
            if model not in found:
                found.append(model)
    return found


def _tag(model: type[BaseModel]) -> Any:
    field = model.model_fields.get("kind")
    return typing.get_args(field.annotation)[0] if field is not None else None


_MODELS: dict[str, type[BaseModel]] = {
    m.__name__: m
    for m in (
        ScenarioFile,
        ScenarioMeta,
        ParameterSpec,
        PartySpec,
        IssueSpec,
        TermSpec,
        ConstraintSpec,
        OutcomeSpec,
        NormalGameSpec,
        SequentialGameSpec,
        NodeSpec,
        WarSpec,
        RatificationSpec,
        AlternatingOffersSpec,
        ProposalSpec,
        ActualSpec,
        BodySpec,
    )
}
