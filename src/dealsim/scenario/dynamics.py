"""Compiling ``[war]``, ``[ratification.<party>]`` and ``[alternating_offers]``.

The sections are checked against the core scenario (parties, issues, parameters) and turned into
frozen objects holding parsed numbers and expressions: :class:`WarModel` (with its optional
:class:`PowerShift`), :class:`RatificationRule` and :class:`AlternatingOffersSettings`. Their
small evaluation helpers take parameter values (scalars, or arrays of draws where no deal is
involved) and, for deal-dependent quantities, the issue columns of
:meth:`dealsim.space.DealSpace.columns` merged with scalar parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim.errors import DealsimError, ScenarioError
from dealsim.expressions import Expression, ExpressionError, evaluate_number, parse_expression
from dealsim.scenario.distributions import ParameterDistribution, distribution_from_spec

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.scenario.compiler import Compiler
    from dealsim.scenario.model import Scenario
    from dealsim.scenario.schema import ScenarioFile

__all__ = [
    "AlternatingOffersSettings",
    "PowerShift",
    "PrivateCost",
    "RatificationRule",
    "ShiftCap",
    "WarModel",
    "compile_dynamics",
]

Number = float | Expression


def _over(value: Any, n: int) -> np.ndarray:
    """A per-deal value (scalar or ``(n,)``) as a float array of shape ``(n,)``."""
    return np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()


@dataclass(frozen=True)
class ShiftCap:
    """A deal term that limits the shift in power: at most ``max`` when ``when`` holds."""

    when: Expression
    max: Number
    label: str = ""


@dataclass(frozen=True)
class PowerShift:
    """How much a deal raises ``party``'s chance of winning a later war (Powell).

    ``amount`` is an expression over issues and parameters; each cap whose ``when`` holds for a
    deal limits the shift to its ``max`` (the smallest applicable cap wins).
    """

    party: str
    amount: Expression
    caps: tuple[ShiftCap, ...] = ()

    def amounts(self, columns: Mapping[str, Any], n: int) -> np.ndarray:
        """Uncapped shift of each of ``n`` deals (``columns``: issue columns and parameters).

        Examples
        --------
        >>> shift = PowerShift("b", parse_expression("0.4 * (x == 1)"))
        >>> shift.amounts({"x": np.array([0.0, 1.0])}, 2).tolist()
        [0.0, 0.4]
        """
        return _over(self.amount.evaluate(columns), n)

    def limits(self, columns: Mapping[str, Any], n: int) -> np.ndarray:
        """The cap in force for each deal (``inf`` where no cap applies).

        Examples
        --------
        >>> cap = ShiftCap(parse_expression("y"), 0.1)
        >>> shift = PowerShift("b", parse_expression("0.4"), (cap,))
        >>> shift.limits({"y": np.array([True, False])}, 2).tolist()
        [0.1, inf]
        """
        limit = np.full(n, np.inf)
        for number, cap in enumerate(self.caps):
            applies = np.broadcast_to(cap.when.evaluate_mask(columns), (n,))
            value = evaluate_number(cap.max, columns)
            if np.any(np.asarray(value) < 0):
                raise DealsimError(
                    f"war.shift.caps[{number}].max ({cap.label or 'cap'}) is "
                    f"{np.min(value):g} at these parameters (allowed: >= 0)"
                )
            limit = np.where(applies, np.minimum(limit, value), limit)
        return limit


@dataclass(frozen=True)
class PrivateCost:
    """``[war.private]``: ``party``'s cost of war is private; ``proposer`` offers (Fearon 1995).

    ``cost`` is the distribution its opponent holds over the cost (utility units, as ``[war]
    costs``); ``source`` where its range comes from.
    """

    party: str
    proposer: str
    cost: ParameterDistribution
    source: str = ""


@dataclass(frozen=True)
class WarModel:
    """Fighting on as a costly lottery between two belligerents (Fearon).

    Party ``i``'s value of war is ``p_i win_i + (1 - p_i) lose_i - cost_i`` (utility units).
    ``delta`` is the discount factor of the commitment-problem model, ``commitment`` which model
    (``"infinite_horizon"``, Powell 2006, or ``"two_period"``) and ``shift`` the deal's effect
    on the odds of a later war.

    Examples
    --------
    >>> war = WarModel(parties=("a", "b"), p={"a": 0.6, "b": 0.4},
    ...                costs={"a": 0.15, "b": 0.10}, win={"a": 1.0, "b": 1.0},
    ...                lose={"a": 0.0, "b": 0.0})
    >>> war.covers("a"), war.covers("c")
    (True, False)
    >>> round(war.value_of("a", {}), 12), round(war.value_of("b", {}), 12)
    (0.45, 0.3)
    """

    parties: tuple[str, str]
    p: dict[str, Number]
    costs: dict[str, Number]
    win: dict[str, Number]
    lose: dict[str, Number]
    delta: Number = 0.9
    shift: PowerShift | None = None
    label: str = ""
    commitment: str = "infinite_horizon"
    private: PrivateCost | None = None

    def covers(self, party_id: str) -> bool:
        """Whether ``party_id`` is one of the two belligerents."""
        return party_id in self.parties

    def other(self, party_id: str) -> str:
        """The other belligerent.

        Examples
        --------
        >>> WarModel(("a", "b"), {}, {}, {}, {}).other("a")
        'b'
        """
        self._check(party_id)
        return self.parties[1 - self.parties.index(party_id)]

    def _check(self, party_id: str) -> None:
        if not self.covers(party_id):
            raise ScenarioError(
                f"party {party_id!r} does not fight in [war] (belligerents: "
                f"{', '.join(self.parties)})",
                field="war",
            )

    def _get(self, table: dict[str, Number], party_id: str, params: Mapping[str, Any]) -> Any:
        return evaluate_number(table[party_id], params)

    def probability(self, party_id: str, params: Mapping[str, Any]) -> Any:
        """``p`` of ``party_id`` at ``params`` (float, or array for arrays of draws)."""
        self._check(party_id)
        return self._get(self.p, party_id, params)

    def cost(self, party_id: str, params: Mapping[str, Any]) -> Any:
        """Cost of war to ``party_id`` (utility units)."""
        self._check(party_id)
        return self._get(self.costs, party_id, params)

    def stakes(self, party_id: str, params: Mapping[str, Any]) -> tuple[Any, Any]:
        """``(win, lose)`` utilities of ``party_id``."""
        self._check(party_id)
        return self._get(self.win, party_id, params), self._get(self.lose, party_id, params)

    def value_of(self, party_id: str, params: Mapping[str, Any]) -> Any:
        """Expected value of war ``p win + (1 - p) lose - cost``; broadcasts over draws."""
        p = self.probability(party_id, params)
        win, lose = self.stakes(party_id, params)
        return p * win + (1.0 - p) * lose - self.cost(party_id, params)

    def values(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """:meth:`value_of` for both belligerents.

        Examples
        --------
        >>> war = WarModel(("a", "b"), {"a": 0.5, "b": 0.5}, {"a": 0.1, "b": 0.2},
        ...                {"a": 1.0, "b": 1.0}, {"a": 0.0, "b": 0.0})
        >>> {k: round(v, 12) for k, v in war.values({}).items()}
        {'a': 0.4, 'b': 0.3}
        """
        return {party: self.value_of(party, params) for party in self.parties}


@dataclass(frozen=True)
class RatificationRule:
    """What one party's domestic side ratifies: a hard win-set or a logistic curve.

    With ``require`` the probability is 1 inside the win-set and 0 outside. With a curve, the
    predicted approval *share* is ``s = 1 / (1 + exp(-(intercept + sum coefficient * term)))``,
    each term an expression over the deal (conditions count 1); the win-set is
    ``s >= threshold``, and the probability that the vote passes is
    ``Phi((s - threshold) / poll_error)`` (poll and turnout error, see
    :func:`dealsim.solvers.ratification.pass_probability`).

    Examples
    --------
    >>> rule = RatificationRule("b", require=parse_expression("x <= 0.5"))
    >>> rule.probabilities({"x": np.array([0.4, 0.6])}, 2).tolist()
    [1.0, 0.0]
    >>> curve = RatificationRule("b", intercept=0.0, terms=((parse_expression("x"), -2.0),),
    ...                          poll_error=0.05)
    >>> np.round(curve.shares({"x": np.array([0.0, 1.0])}, 2), 4).tolist()
    [0.5, 0.1192]
    >>> np.round(curve.probabilities({"x": np.array([0.0, 1.0])}, 2), 4).tolist()
    [0.5, 0.0]
    """

    party: str
    require: Expression | None = None
    intercept: Number | None = None
    terms: tuple[tuple[Expression, Number], ...] = ()
    mode: str = "constraint"
    threshold: Number = 0.5
    label: str = ""
    source: str = ""
    poll_error: Number | None = None

    def log_odds(self, columns: Mapping[str, Any], n: int) -> np.ndarray:
        """``intercept + sum coefficient * term`` per deal (curves only)."""
        z = _over(evaluate_number(self.intercept or 0.0, columns), n)
        for term, coefficient in self.terms:
            z = z + evaluate_number(coefficient, columns) * _over(term.evaluate(columns), n)
        return z

    def shares(self, columns: Mapping[str, Any], n: int) -> np.ndarray:
        """Predicted approval share of each of ``n`` deals (1 or 0 for a hard win-set)."""
        if self.require is not None:
            return _over(np.broadcast_to(self.require.evaluate_mask(columns), (n,)), n)
        return 0.5 * (1.0 + np.tanh(0.5 * self.log_odds(columns, n)))  # the logistic, stably

    def probabilities(self, columns: Mapping[str, Any], n: int) -> np.ndarray:
        """Probability that each of ``n`` deals is ratified (the vote passes)."""
        if self.require is not None:
            return self.shares(columns, n)
        from dealsim.solvers.ratification import pass_probability

        threshold = evaluate_number(self.threshold, columns)
        sigma = evaluate_number(self.poll_error, columns)
        share = np.clip(self.shares(columns, n), 0.0, 1.0)
        return np.asarray(pass_probability(share, threshold, poll_error=sigma), dtype=float)

    def win_set(self, columns: Mapping[str, Any], n: int) -> np.ndarray:
        """Deals the party's domestic side ratifies (``P >= threshold`` for a curve).

        Examples
        --------
        >>> RatificationRule("b", require=parse_expression("x <= 0.5")).win_set(
        ...     {"x": np.array([0.4, 0.6])}, 2).tolist()
        [True, False]
        """
        if self.require is not None:
            return np.broadcast_to(self.require.evaluate_mask(columns), (n,)).copy()
        threshold = evaluate_number(self.threshold, columns)
        return self.shares(columns, n) >= threshold - 1e-12


@dataclass(frozen=True)
class AlternatingOffersSettings:
    """``[alternating_offers]``: horizon, proposer order, breakdown risk and per-round costs."""

    rounds: int = 50
    proposer_order: tuple[str, ...] | None = None
    breakdown: Number = 0.0
    round_cost: dict[str, Number] | None = None


# ----------------------------------------------------------------------------------- compiling


def compile_dynamics(spec: ScenarioFile, compiler: Compiler, scenario: Scenario) -> dict[str, Any]:
    """The ``war``, ``ratification`` and ``alternating_offers`` fields of the scenario.

    Every cross-reference is checked here; errors name the file and the dotted field.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("split-linear")
    >>> s.war is None, s.ratification, s.alternating_offers is None
    (True, {}, True)
    """
    parties = scenario.party_ids
    return {
        "war": None if spec.war is None else _war(spec.war, compiler, parties),
        "ratification": {
            party: _ratification(party, rule, compiler, parties)
            if getattr(rule, "body", None) is None
            else _body_ratification(party, rule, compiler, parties, scenario.bodies)
            for party, rule in spec.ratification.items()
        },
        "alternating_offers": (
            None
            if spec.alternating_offers is None
            else _alternating(spec.alternating_offers, compiler, parties)
        ),
    }


def _party_key(key: str, field: str, allowed: tuple[str, ...], compiler: Compiler) -> None:
    if key not in allowed:
        raise compiler.error(f"unknown party {key!r} (allowed: {', '.join(allowed)})", field)


def _value(compiler: Compiler, number: Number) -> Any:
    return evaluate_number(number, compiler.parameters)


def _bounded(
    compiler: Compiler, raw: float | str, field: str, lo: float, hi: float, allowed: str
) -> Number:
    number = compiler.number(raw, field)
    value = _value(compiler, number)
    if not lo <= value <= hi:
        raise compiler.error(f"{value} is out of bounds (allowed: {allowed})", field)
    return number


def _deal_number(compiler: Compiler, source: str, field: str) -> Expression:
    """A numeric expression over issues and parameters (conditions count 1), probe-checked."""
    names = compiler.issue_ids | set(compiler.parameters)
    try:
        expression = parse_expression(source, names=names)
        value = np.asarray(expression.evaluate(compiler.probe))
    except ExpressionError as error:
        raise compiler.error(str(error), field) from None
    if not (np.issubdtype(value.dtype, np.number) or value.dtype == bool):
        raise compiler.error(
            f"{source!r} must give a number (a numeric issue, a parameter, arithmetic, or a "
            "condition counting 1)",
            field,
        )
    compiler.check_feasible_deals(expression, field, mask=False)  # where the solve evaluates it
    return compiler.located(expression, field)  # an error at solve time names the field


def _war(war: Any, compiler: Compiler, parties: tuple[str, ...]) -> WarModel:
    belligerents = tuple(war.p)
    for key in belligerents:
        _party_key(key, f"war.p.{key}", parties, compiler)
    p = {
        key: _bounded(compiler, raw, f"war.p.{key}", 0.0, 1.0, "a probability in [0, 1]")
        for key, raw in war.p.items()
    }
    total = sum(_value(compiler, v) for v in p.values())
    if abs(total - 1.0) > 1e-9:
        raise compiler.error(
            f"win probabilities sum to {total:.12g} at the parameter values; they must sum to 1 "
            f'(e.g. {belligerents[1]} = "1 - ...")',
            "war.p",
        )
    tables: dict[str, dict[str, Number]] = {}
    for name, default in (("costs", None), ("win", 1.0), ("lose", 0.0)):
        raw_table = getattr(war, name)
        for key in raw_table:
            _party_key(key, f"war.{name}.{key}", belligerents, compiler)
        if default is None:
            missing = [k for k in belligerents if k not in raw_table]
            if missing:
                raise compiler.error(
                    f"no cost of war given for {missing[0]!r} (every belligerent needs one)",
                    f"war.{name}",
                )
        tables[name] = {
            key: compiler.number(raw_table[key], f"war.{name}.{key}")
            if key in raw_table
            else default
            for key in belligerents
        }
    for key in belligerents:
        if _value(compiler, tables["costs"][key]) < 0:
            raise compiler.error(
                f"{_value(compiler, tables['costs'][key])} is out of bounds (allowed: >= 0)",
                f"war.costs.{key}",
            )
        if not _value(compiler, tables["win"][key]) > _value(compiler, tables["lose"][key]):
            raise compiler.error(
                f"winning must be worth more than losing to {key!r} (war.win.{key} > "
                f"war.lose.{key})",
                f"war.win.{key}",
            )
    delta = compiler.number(war.delta, "war.delta")
    if not 0.0 < _value(compiler, delta) <= 1.0:
        raise compiler.error(
            f"{_value(compiler, delta)} is out of bounds (allowed: > 0 and <= 1)", "war.delta"
        )
    shift = None
    if war.shift is not None:
        _party_key(war.shift.party, "war.shift.party", belligerents, compiler)
        caps = []
        for n, cap in enumerate(war.shift.caps):
            field = f"war.shift.caps[{n}]"
            limit = compiler.number(cap.max, f"{field}.max")
            if _value(compiler, limit) < 0:
                raise compiler.error(
                    f"{_value(compiler, limit)} is out of bounds (allowed: >= 0)", f"{field}.max"
                )
            caps.append(
                ShiftCap(
                    when=compiler.condition(
                        cap.when, f"{field}.when", compiler.probe, feasible_deals=True
                    ),
                    max=limit,
                    label=cap.label,
                )
            )
        shift = PowerShift(
            party=war.shift.party,
            amount=_deal_number(compiler, war.shift.amount, "war.shift.amount"),
            caps=tuple(caps),
        )
    private = None
    if war.private is not None:
        spec = war.private
        _party_key(spec.party, "war.private.party", belligerents, compiler)
        others = tuple(q for q in belligerents if q != spec.party)
        proposer = others[0] if spec.proposer is None else spec.proposer
        _party_key(proposer, "war.private.proposer", others, compiler)
        private = PrivateCost(
            party=spec.party,
            proposer=proposer,
            cost=distribution_from_spec(spec.cost),
            source=spec.source,
        )
    return WarModel(
        parties=belligerents,  # type: ignore[arg-type]
        p=p,
        costs=tables["costs"],
        win=tables["win"],
        lose=tables["lose"],
        delta=delta,
        shift=shift,
        label=war.label,
        commitment=war.commitment,
        private=private,
    )


def _ratification(
    party: str, rule: Any, compiler: Compiler, parties: tuple[str, ...]
) -> RatificationRule:
    base = f"ratification.{party}"
    if party not in parties:
        raise compiler.error(f"unknown party {party!r} (allowed: {', '.join(parties)})", base)
    threshold = _bounded(
        compiler, rule.threshold, f"{base}.threshold", 0.0, 1.0, "a probability in [0, 1]"
    )
    if rule.require is not None:
        return RatificationRule(
            party=party,
            require=compiler.condition(
                rule.require, f"{base}.require", compiler.probe, feasible_deals=True
            ),
            mode=rule.mode,
            threshold=threshold,
            label=rule.label,
            source=rule.source,
        )
    curve = rule.probability
    if rule.poll_error is None:
        raise compiler.error(
            "a probability curve predicts an approval share, not the chance that the vote "
            "passes: give poll_error, the standard deviation of the realised share around the "
            "prediction (poll and turnout error, e.g. 0.05), with its source (allowed: > 0 and "
            "<= 1)",
            f"{base}.poll_error",
        )
    poll_error = _bounded(
        compiler, rule.poll_error, f"{base}.poll_error", 0.0, 1.0, "a standard deviation in (0, 1]"
    )
    if _value(compiler, poll_error) <= 0.0:
        raise compiler.error(
            f"{_value(compiler, poll_error)} is out of bounds (allowed: > 0 and <= 1)",
            f"{base}.poll_error",
        )
    terms = tuple(
        (
            _deal_number(compiler, source, f"{base}.probability.terms.{source}"),
            compiler.number(coefficient, f"{base}.probability.terms.{source}"),
        )
        for source, coefficient in curve.terms.items()
    )
    return RatificationRule(
        party=party,
        intercept=compiler.number(curve.intercept, f"{base}.probability.intercept"),
        terms=terms,
        mode=rule.mode,
        threshold=threshold,
        label=rule.label,
        source=rule.source,
        poll_error=poll_error,
    )


def _alternating(
    ao: Any, compiler: Compiler, parties: tuple[str, ...]
) -> AlternatingOffersSettings:
    order = None
    if ao.proposer_order is not None:
        if not ao.proposer_order:
            raise compiler.error(
                f"give at least one proposer (parties: {', '.join(parties)})",
                "alternating_offers.proposer_order",
            )
        for n, key in enumerate(ao.proposer_order):
            _party_key(key, f"alternating_offers.proposer_order[{n}]", parties, compiler)
        order = tuple(ao.proposer_order)
    breakdown = compiler.number(ao.breakdown, "alternating_offers.breakdown")
    if not 0.0 <= _value(compiler, breakdown) < 1.0:
        raise compiler.error(
            f"{_value(compiler, breakdown)} is out of bounds (allowed: >= 0 and < 1, a "
            "probability that talks break down after a rejection)",
            "alternating_offers.breakdown",
        )
    costs: dict[str, Number] = {}
    for key, raw in ao.round_cost.items():
        field = f"alternating_offers.round_cost.{key}"
        _party_key(key, field, parties, compiler)
        costs[key] = compiler.number(raw, field)
        if _value(compiler, costs[key]) < 0:
            raise compiler.error(
                f"{_value(compiler, costs[key])} is out of bounds (allowed: >= 0)", field
            )
    return AlternatingOffersSettings(
        rounds=ao.rounds, proposer_order=order, breakdown=breakdown, round_cost=costs
    )


# -------------------------------------------- issue 15: ratification by a [bodies.<id>] vote


def _body_ratification(
    party: str, rule: Any, compiler: Compiler, parties: tuple[str, ...], bodies: Mapping
) -> RatificationRule:
    """``[ratification.<party>] body = "<id>"``: the body's approval is the hard win-set."""
    from dealsim.scenario.bodies import body_approval

    base = f"ratification.{party}"
    _party_key(party, base, parties, compiler)
    approval = body_approval(rule.body, f"{base}.body", compiler, bodies)
    for member, accept in approval.body.accept.items():  # the solve evaluates them there
        field = f"bodies.{rule.body}.accept.{member}"
        compiler.check_feasible_deals(accept, field, mask=True)
    return RatificationRule(
        party=party,
        require=approval,  # type: ignore[arg-type]
        mode=rule.mode,
        threshold=_bounded(
            compiler, rule.threshold, f"{base}.threshold", 0.0, 1.0, "a probability in [0, 1]"
        ),
        label=rule.label,
        source=rule.source,
    )
