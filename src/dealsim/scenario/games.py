"""Compiling ``[outcomes]`` and ``[games]``: named outcomes, normal-form and sequential games.

Everything a game file can get wrong is checked here, at load time, with an error naming the
file, the game and the node (or outcome, profile, player): deals off the grid, payoffs that miss
a party, players who are not parties, profiles without an outcome, payoff arrays of the wrong
shape, chance probabilities that do not sum to one at the parameter values, cycles, unreachable
nodes and unknown targets. Each sequential game's tree is built once here
(:meth:`dealsim.solvers.sequential.GameTree.from_nodes`) and kept as a template whose chance
probabilities and payoffs :meth:`SequentialGame.tree` fills in at given parameter values.

The objects hold parsed numbers and expressions; the payoffs of deal outcomes come from the
scenario's payoff model at solve time (:mod:`dealsim.analysis.games`), so that the games and the
deal space never disagree.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from dealsim._grid import grid_code
from dealsim.errors import GameError, ScenarioError
from dealsim.expressions import Expression, ExpressionError, evaluate_number
from dealsim.scenario.schema import level_key, number_or_expression

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.scenario.compiler import Compiler
    from dealsim.scenario.model import Scenario
    from dealsim.scenario.schema import (
        NormalGameSpec,
        OutcomeSpec,
        ScenarioFile,
        SequentialGameSpec,
    )
    from dealsim.solvers.sequential import GameTree

__all__ = [
    "THRESHOLD_GRID",
    "GameNode",
    "NormalGame",
    "Outcome",
    "SequentialGame",
    "chance_error",
    "check_threshold_search",
    "compile_games",
    "threshold_range",
    "threshold_search_error",
]

Number = float | Expression

THRESHOLD_GRID = 41
"""Grid points per parameter range when locating outcome switches (then bisection)."""


@dataclass(frozen=True)
class Outcome:
    """A named end of a game: a deal, the deal a bargaining solution picks, or explicit payoffs.

    Attributes
    ----------
    id, label : str
    deal : dict of str to value
        The issues the outcome fixes (all of them unless ``solution`` completes the deal).
    codes : dict of str to int
        The same, as grid/level codes of each issue.
    solution : str or None
        A bargaining solution (``"nash"``, ...) whose deal, with ``deal`` overriding some
        issues, is the outcome.
    payoffs : dict of str to number or Expression, or None
        Explicit payoffs, one per party.
    """

    id: str
    label: str
    deal: dict[str, Any] = dataclasses.field(default_factory=dict)
    codes: dict[str, int] = dataclasses.field(default_factory=dict)
    solution: str | None = None
    payoffs: dict[str, Number] | None = None

    @property
    def kind(self) -> Literal["deal", "solution", "payoffs"]:
        """How the outcome's payoffs are found.

        Examples
        --------
        >>> Outcome("war", "war", payoffs={"a": 0.0}).kind
        'payoffs'
        """
        if self.payoffs is not None:
            return "payoffs"
        return "solution" if self.solution is not None else "deal"


@dataclass(frozen=True)
class NormalGame:
    """A simultaneous-move game over the scenario's parties.

    Attributes
    ----------
    id, label : str
    players : tuple of str
        Party ids, in the order of the payoff tensor's axes.
    strategies : tuple of tuple of str
        Each player's strategy names.
    profile_outcomes : tuple of str or None
        The outcome id of every profile, in C order over ``shape``.
    payoffs : tuple of numpy object arrays, or None
        Explicit payoffs: per player an array of shape ``shape`` of numbers or expressions.
    """

    id: str
    label: str
    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    profile_outcomes: tuple[str, ...] | None = None
    payoffs: tuple[np.ndarray, ...] | None = None
    kind: Literal["normal"] = "normal"

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of strategies of each player."""
        return tuple(len(s) for s in self.strategies)

    @property
    def outcome_ids(self) -> tuple[str, ...]:
        """The distinct outcomes the game can end in (empty with explicit payoffs)."""
        return tuple(dict.fromkeys(self.profile_outcomes or ()))

    def payoff_tensor(
        self, outcome_payoffs: Mapping[str, Mapping[str, float]], parameters: Mapping[str, Any]
    ) -> np.ndarray:
        """Payoffs of shape ``(n_players, s_1, ..., s_n)`` at the given parameter values.

        ``outcome_payoffs`` gives each outcome's payoff per party (only used without explicit
        payoffs).

        Examples
        --------
        >>> game = NormalGame("g", "g", ("a", "b"), (("x",), ("y", "z")),
        ...                   profile_outcomes=("o1", "o2"))
        >>> game.payoff_tensor({"o1": {"a": 1, "b": 2}, "o2": {"a": 3, "b": 4}}, {}).tolist()
        [[[1.0, 3.0]], [[2.0, 4.0]]]
        """
        if self.payoffs is not None:
            return np.stack(
                [
                    np.vectorize(lambda v: float(evaluate_number(v, parameters)), otypes=[float])(a)
                    for a in self.payoffs
                ]
            )
        rows = np.array(
            [[outcome_payoffs[o][p] for p in self.players] for o in self.profile_outcomes],
            dtype=float,
        )
        return rows.T.reshape(len(self.players), *self.shape)


@dataclass(frozen=True)
class GameNode:
    """A node of a sequential game: a decision (``player``) or a chance move (``chance``)."""

    id: str
    label: str = ""
    player: str | None = None
    actions: dict[str, str] = dataclasses.field(default_factory=dict)
    chance: dict[str, Number] | None = None
    infoset: str | None = None


@dataclass(frozen=True, eq=False)
class SequentialGame:
    """A game tree over the scenario's parties.

    Attributes
    ----------
    id, label : str
    players : tuple of str
        Party ids (chance is not a player).
    root : str
    nodes : dict of str to GameNode
    thresholds : tuple of str
        Parameters whose outcome switches the analysis locates.
    structure : GameTree
        The tree built at load time (chance probabilities at the scenario's parameter values,
        zero payoffs); :meth:`tree` fills in probabilities and payoffs.
    """

    id: str
    label: str
    players: tuple[str, ...]
    root: str
    nodes: dict[str, GameNode]
    thresholds: tuple[str, ...]
    structure: GameTree
    kind: Literal["sequential"] = "sequential"

    @property
    def outcome_ids(self) -> tuple[str, ...]:
        """The outcomes the tree can end in, in breadth-first order of first appearance."""
        t = self.structure
        return tuple(dict.fromkeys(str(x) for x in t.labels[t.terminal >= 0]))

    def probabilities(self, parameters: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Each chance node's branch probabilities at ``parameters`` (arrays broadcast).

        Examples
        --------
        >>> import dealsim
        >>> scenario = dealsim.load("donbas-2026")
        >>> game = scenario.games["territory_first"]
        >>> p = game.probabilities({**scenario.parameters, "audience_cost_max": 0.25})["us_type"]
        >>> {branch: round(float(v), 12) for branch, v in p.items()}
        {'committed': 0.8, 'uncommitted': 0.2}
        """
        return {
            node.id: {b: evaluate_number(p, parameters) for b, p in node.chance.items()}
            for node in self.nodes.values()
            if node.chance is not None
        }

    def tree(
        self,
        outcome_payoffs: Mapping[str, Mapping[str, float]],
        parameters: Mapping[str, Any],
        *,
        tol: float = 1e-9,
    ) -> GameTree:
        """The game tree at ``parameters`` with each outcome's payoff per party.

        Raises
        ------
        GameError
            Naming the game and the chance node whose probabilities are negative or do not sum
            to one at these parameter values.

        Examples
        --------
        >>> import dealsim
        >>> scenario = dealsim.load("donbas-2026")
        >>> game = scenario.games["territory_first"]
        >>> pay = {o: dict.fromkeys(scenario.party_ids, 0.0) for o in game.outcome_ids}
        >>> tree = game.tree(pay, {**scenario.parameters, "audience_cost_max": 0.25})
        >>> sorted(round(float(p), 2) for p in tree.prob)[:2]
        [0.2, 0.8]
        """
        t = self.structure
        probs = np.array(t.prob, dtype=float)
        for node_id, branches in self.probabilities(parameters).items():
            values = [float(branches[b]) for b in self.nodes[node_id].chance]
            total = math.fsum(values)
            if min(values) < 0 or abs(total - 1.0) > tol or not math.isfinite(total):
                shown = ", ".join(f"{b}={v:.6g}" for b, v in zip(branches, values, strict=True))
                raise GameError(
                    f"chance probabilities must be >= 0 and sum to 1 at these parameter values, "
                    f"got {shown} (sum {total:.12g})",
                    game=self.id,
                    node=node_id,
                )
            head = int(np.flatnonzero(t.labels == node_id)[0])
            probs[t.child_ptr[head] : t.child_ptr[head + 1]] = values
        ends = t.labels[t.terminal >= 0]
        payoffs = np.array(
            [[outcome_payoffs[str(o)][p] for p in self.players] for o in ends], dtype=float
        ).reshape(len(ends), len(self.players))
        probs.flags.writeable = False
        payoffs.flags.writeable = False
        return dataclasses.replace(t, prob=probs, payoffs=payoffs)


# --------------------------------------------------------------------------- compilation


def compile_games(spec: ScenarioFile, compiler: Compiler, scenario: Scenario) -> dict[str, Any]:
    """The ``outcomes`` and ``games`` fields of the scenario, checked against its parties/issues.

    Raises
    ------
    ScenarioError
        Naming the file and the dotted field (``games.<id>.nodes.<node>``,
        ``outcomes.<id>.deal.<issue>``, ...) and what is allowed.

    Examples
    --------
    >>> import dealsim
    >>> scenario = dealsim.load("donbas-2026")
    >>> sorted(scenario.games)[:2], scenario.outcomes["nash_deal"].kind
    (['accept_nash', 'guarantees_first'], 'solution')
    """
    outcomes = {
        key: _outcome(key, value, compiler, scenario) for key, value in spec.outcomes.items()
    }
    games: dict[str, Any] = {}
    for key, value in spec.games.items():
        if value.kind == "normal":
            games[key] = _normal_game(key, value, compiler, scenario, outcomes)
        else:
            games[key] = _sequential_game(key, value, compiler, scenario, outcomes)
    return {"outcomes": outcomes, "games": games}


def threshold_range(scenario: Scenario, name: str) -> tuple[float, float]:
    """The range a threshold search varies parameter ``name`` over: its ``range``, else [0, 1].

    Examples
    --------
    >>> import dealsim
    >>> threshold_range(dealsim.load("donbas-2026"), "audience_cost_max")
    (0.02, 0.3)
    """
    spec = scenario.parameter_specs.get(name)
    return spec.range if spec is not None and spec.range is not None else (0.0, 1.0)


def chance_error(
    scenario: Scenario, game: SequentialGame, error: GameError, params: Mapping[str, Any]
) -> ScenarioError:
    """``error`` of :meth:`SequentialGame.tree` at ``params``, naming the chance node's field."""
    shown = ", ".join(
        f"{k}={float(params[k]):.6g}" for k in scenario.parameters if np.ndim(params[k]) == 0
    )
    return ScenarioError(
        f"game {game.id!r}: {error.message} ({shown})",
        file=scenario.file,
        field=f"games.{game.id}.nodes.{error.node}.chance",
    )


def threshold_search_error(
    game_id: str, name: str, bounds: tuple[float, float], error: ScenarioError
) -> ScenarioError:
    """``error``, met by the threshold search of ``name`` over ``bounds``: says so.

    Without it the error would read as met at the parameter's value in the file.
    """
    lo, hi = bounds
    return ScenarioError(
        f"the threshold search of game '{game_id}' over the range [{lo:g}, {hi:g}] of "
        f"{name} (games.{game_id}.thresholds) reached a value where {error.message}",
        file=error.file,
        field=error.field,
    )


def check_threshold_search(
    scenario: Scenario,
    game: SequentialGame,
    outcomes: Mapping[str, Outcome],
    names: Sequence[str] | None = None,
) -> None:
    """Refuse a threshold range whose grid leaves the game's domain, as the search would.

    The search (:func:`dealsim.analysis.games.games_analysis`) evaluates the payoffs of the
    game's outcomes (explicit ones; the payoff model for deal outcomes) and its chance
    probabilities at the :data:`THRESHOLD_GRID` evenly spaced values of each ``thresholds``
    parameter's range. This runs the same evaluations, without solving anything, so that loading
    (and ``dealsim validate``) refuses what the solve would, with the same message; the search
    runs it too, at the parameter values of the solve (``--set``), for ``names`` (default: every
    threshold parameter of the game). Not checked,
    as only a solve meets them: a probability outside [0, 1] strictly between two grid values
    (the bisection goes where the equilibrium outcome switches), and the zone and bargaining
    solutions behind a ``solution`` outcome.

    Raises
    ------
    ScenarioError
        :func:`threshold_search_error` of the first problem the search would meet.

    Examples
    --------
    >>> import dealsim
    >>> scenario = dealsim.load("donbas-2026")
    >>> game = scenario.games["territory_first"]
    >>> check_threshold_search(scenario, game, scenario.outcomes)  # donbas passes
    """
    ends = dict.fromkeys(game.outcome_ids, dict.fromkeys(game.players, 0.0))
    # the payoffs the search evaluates first: explicit ones, then the payoff model (for the deal
    # outcomes), in the order of dealsim.analysis.games._payoff_draws and UtilityModel
    payoffs = [
        value
        for o in game.outcome_ids
        if outcomes[o].payoffs is not None
        for value in outcomes[o].payoffs.values()
    ]
    if any(outcomes[o].payoffs is None for o in game.outcome_ids):
        for model in scenario.payoffs:
            for issue in scenario.issues:
                if issue.id in model.weights:
                    payoffs += [model.weights[issue.id], *model.values[issue.id].ys]
            payoffs += [term.add for term in model.terms]
    for name in game.thresholds if names is None else names:
        bounds = threshold_range(scenario, name)
        if not bounds[0] < bounds[1]:
            continue  # the search is skipped
        xs = np.linspace(*bounds, THRESHOLD_GRID)
        grid = {**scenario.parameters, name: xs}
        for value in payoffs:  # all grid values at once, as the search's payoff cache
            try:
                evaluate_number(value, grid)
            except ExpressionError as error:
                found = _expression_error(scenario, value, error)
                raise threshold_search_error(game.id, name, bounds, found) from None
        try:  # a quick look at every grid value at once; the trees below decide
            suspect = np.zeros(xs.shape, dtype=bool)
            for branches in game.probabilities(grid).values():
                if not branches:
                    continue
                values = np.stack([np.broadcast_to(v, xs.shape) for v in branches.values()])
                # tree() refuses a sum off by more than 1e-9 (math.fsum): a wider net
                suspect |= (values.min(axis=0) < 0) | ~(np.abs(values.sum(axis=0) - 1) <= 5e-10)
            candidates = xs[suspect]
        except ExpressionError:  # not finite at some grid value: find the first, as the search
            candidates = xs
        for x in candidates:  # the tree the search builds at x, in the search's order
            params = {**scenario.parameters, name: float(x)}
            try:
                game.tree(ends, params)
            except GameError as error:
                found = chance_error(scenario, game, error, params)
                raise threshold_search_error(game.id, name, bounds, found) from None
            except ExpressionError:
                found = _chance_expression_error(scenario, game, params)
                raise threshold_search_error(game.id, name, bounds, found) from None


def _expression_error(
    scenario: Scenario, value: Expression, error: ExpressionError
) -> ScenarioError:
    """``error`` of evaluating ``value`` as a :class:`ScenarioError` naming its field.

    A compiled expression knows its origin, ``"file: field"`` (:meth:`Compiler.located`).
    """
    file, origin = scenario.file, value.origin
    field = origin.removeprefix(f"{file}: ") if file else origin
    return ScenarioError(str(error).removeprefix(f"{origin}: "), file=file, field=field or None)


def _chance_expression_error(
    scenario: Scenario, game: SequentialGame, params: Mapping[str, Any]
) -> ScenarioError:
    """The first chance probability of ``game`` that cannot be evaluated at ``params``."""
    for node in game.nodes.values():
        for value in (node.chance or {}).values():
            try:
                evaluate_number(value, params)
            except ExpressionError as error:
                return _expression_error(scenario, value, error)
    raise AssertionError("no chance probability fails")  # pragma: no cover


def _allowed(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values) or "none"


def _outcome(key: str, spec: OutcomeSpec, compiler: Compiler, scenario: Scenario) -> Outcome:
    base = f"outcomes.{key}"
    parties = scenario.party_ids
    if spec.payoffs is not None:
        unknown = [p for p in spec.payoffs if p not in parties]
        if unknown:
            raise compiler.error(
                f"{unknown[0]!r} is not a party (parties: {_allowed(parties)})",
                f"{base}.payoffs.{unknown[0]}",
            )
        missing = [p for p in parties if p not in spec.payoffs]
        if missing:
            raise compiler.error(
                f"explicit payoffs must name every party; missing {', '.join(map(repr, missing))} "
                f"(parties: {_allowed(parties)})",
                f"{base}.payoffs",
            )
        payoffs = {p: compiler.number(spec.payoffs[p], f"{base}.payoffs.{p}") for p in parties}
        return Outcome(id=key, label=spec.label or key, payoffs=payoffs)
    deal: dict[str, Any] = {}
    codes: dict[str, int] = {}
    for issue_id, value in (spec.deal or {}).items():
        field = f"{base}.deal.{issue_id}"
        if issue_id not in scenario.issue_ids:
            raise compiler.error(
                f"unknown issue {issue_id!r} (issues: {_allowed(scenario.issue_ids)})", field
            )
        issue = scenario.issue(issue_id)
        codes[issue_id] = _code(issue, value, compiler, field)
        deal[issue_id] = issue.value_at(codes[issue_id])
    missing = [i for i in scenario.issue_ids if i not in deal]
    if missing and spec.solution is None:
        raise compiler.error(
            f"a deal must give every issue unless 'solution' completes it; missing "
            f"{', '.join(map(repr, missing))}",
            f"{base}.deal",
        )
    return Outcome(id=key, label=spec.label or key, deal=deal, codes=codes, solution=spec.solution)


def _code(issue: Any, value: Any, compiler: Compiler, field: str) -> int:
    if issue.numeric:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise compiler.error(f"issue {issue.id!r} takes a number, got {value!r}", field)
        code = grid_code(issue.values, float(value))
        if code is None:
            shown = ", ".join(f"{v:g}" for v in issue.values)
            raise compiler.error(
                f"{value!r} is not on the grid of issue {issue.id!r} (values: {shown})", field
            )
        return code
    keys = [level_key(level) for level in issue.values]
    for code, level in enumerate(issue.values):
        if type(level) is type(value) and level == value:
            return code
    raise compiler.error(
        f"{value!r} is not a level of issue {issue.id!r} (levels: {_allowed(keys)})", field
    )


def _players(
    key: str, players: tuple[str, ...], compiler: Compiler, scenario: Scenario
) -> tuple[str, ...]:
    for p in players:
        if p not in scenario.party_ids:
            raise compiler.error(
                f"player {p!r} is not a party (parties: {_allowed(scenario.party_ids)})",
                f"games.{key}.players",
            )
    _require_distinct("players", players, compiler, f"games.{key}.players")
    return players


def _require_distinct(what: str, names: Sequence[str], compiler: Compiler, field: str) -> None:
    if len(set(names)) != len(names):
        raise compiler.error(f"{what} must be distinct, got {list(names)}", field)


def _normal_game(
    key: str,
    spec: NormalGameSpec,
    compiler: Compiler,
    scenario: Scenario,
    outcomes: Mapping[str, Outcome],
) -> NormalGame:
    base = f"games.{key}"
    players = _players(key, spec.players, compiler, scenario)
    if len(players) < 2:
        raise compiler.error(
            "a normal-form game needs at least 2 players (a one-player choice is a sequential "
            "game with one decision node)",
            f"{base}.players",
        )
    for name in spec.strategies:
        if name not in players:
            raise compiler.error(
                f"{name!r} is not a player of this game (players: {_allowed(players)})",
                f"{base}.strategies.{name}",
            )
    strategies = []
    for p in players:
        names = spec.strategies.get(p)
        if not names:
            raise compiler.error(
                f"player {p!r} needs a non-empty list of strategy names",
                f"{base}.strategies.{p}",
            )
        _require_distinct("strategy names", names, compiler, f"{base}.strategies.{p}")
        strategies.append(tuple(names))
    shape = tuple(len(s) for s in strategies)
    from dealsim.solvers.equilibrium import MAX_PROFILES

    n_profiles = math.prod(shape)
    if n_profiles > MAX_PROFILES:
        raise compiler.error(
            f"{' x '.join(map(str, shape))} = {n_profiles:,} strategy profiles, above the limit "
            f"of {MAX_PROFILES:,} (see docs/limits.md)",
            f"{base}.strategies",
        )
    if spec.payoffs is not None:
        return NormalGame(
            id=key,
            label=spec.label or key,
            players=players,
            strategies=tuple(strategies),
            payoffs=_payoff_arrays(base, spec.payoffs, players, shape, compiler),
        )
    table = _profile_table(base, spec, players, strategies, compiler, outcomes)
    profile_outcomes = []
    for profile in itertools.product(*strategies):
        outcome = table.get(profile, spec.default)
        if outcome is None:
            raise compiler.error(
                f"profile {','.join(profile)!r} has no outcome (list it in 'outcomes' or set "
                "'default')",
                f"{base}.outcomes",
            )
        profile_outcomes.append(outcome)
    return NormalGame(
        id=key,
        label=spec.label or key,
        players=players,
        strategies=tuple(strategies),
        profile_outcomes=tuple(profile_outcomes),
    )


def _known_outcome(outcome: str, outcomes: Mapping[str, Outcome], compiler, field: str) -> str:
    if outcome not in outcomes:
        raise compiler.error(
            f"unknown outcome {outcome!r} (outcomes: {_allowed(list(outcomes))})", field
        )
    return outcome


def _profile_table(
    base: str,
    spec: NormalGameSpec,
    players: tuple[str, ...],
    strategies: list[tuple[str, ...]],
    compiler: Compiler,
    outcomes: Mapping[str, Outcome],
) -> dict[tuple[str, ...], str]:
    if spec.default is not None:
        _known_outcome(spec.default, outcomes, compiler, f"{base}.default")
    table: dict[tuple[str, ...], str] = {}
    for text, outcome in (spec.outcomes or {}).items():
        field = f"{base}.outcomes.{text}"
        profile = tuple(part.strip() for part in text.split(","))
        if len(profile) != len(players):
            raise compiler.error(
                f"a profile names one strategy per player ({', '.join(players)}), joined by "
                f"commas; got {len(profile)}",
                field,
            )
        for p, name, names in zip(players, profile, strategies, strict=True):
            if name not in names:
                raise compiler.error(
                    f"{name!r} is not a strategy of {p!r} (strategies: {_allowed(names)})", field
                )
        if profile in table:
            raise compiler.error(f"profile {','.join(profile)!r} is given twice", field)
        table[profile] = _known_outcome(outcome, outcomes, compiler, field)
    return table


def _payoff_arrays(
    base: str,
    payoffs: Mapping[str, Any],
    players: tuple[str, ...],
    shape: tuple[int, ...],
    compiler: Compiler,
) -> tuple[np.ndarray, ...]:
    unknown = [p for p in payoffs if p not in players]
    if unknown:
        raise compiler.error(
            f"{unknown[0]!r} is not a player of this game (players: {_allowed(players)})",
            f"{base}.payoffs.{unknown[0]}",
        )
    arrays = []
    for p in players:
        field = f"{base}.payoffs.{p}"
        if p not in payoffs:
            raise compiler.error(
                f"explicit payoffs must give every player an array; missing {p!r}",
                f"{base}.payoffs",
            )
        flat: list[Any] = []
        got = _nested_shape(payoffs[p], flat)
        if got != shape:
            raise compiler.error(
                f"payoff array has shape {got}, the strategies need {shape} (nested lists: the "
                "first player's strategies outermost)",
                field,
            )
        values = []
        for n, value in enumerate(flat):
            where = f"{field}[{', '.join(map(str, np.unravel_index(n, shape)))}]"
            try:
                value = number_or_expression(value)
            except ValueError as error:
                raise compiler.error(str(error), where) from None
            values.append(compiler.number(value, where))
        array = np.empty(len(values), dtype=object)
        array[:] = values
        arrays.append(array.reshape(shape))
    return tuple(arrays)


def _nested_shape(value: Any, flat: list[Any]) -> tuple[int, ...] | None:
    """Shape of nested lists (None when ragged); leaves appended to ``flat`` in C order."""
    if not isinstance(value, list):
        flat.append(value)
        return ()
    shapes = {_nested_shape(v, flat) for v in value}
    if len(shapes) != 1 or None in shapes:
        return None if value else (0,)
    return (len(value), *shapes.pop())


def _sequential_game(
    key: str,
    spec: SequentialGameSpec,
    compiler: Compiler,
    scenario: Scenario,
    outcomes: Mapping[str, Outcome],
) -> SequentialGame:
    from dealsim.solvers.sequential import GameTree

    base = f"games.{key}"
    players = _players(key, spec.players, compiler, scenario)
    for name in spec.thresholds:
        if name not in scenario.parameters:
            raise compiler.error(
                f"unknown parameter {name!r} (parameters: {_allowed(list(scenario.parameters))})",
                f"{base}.thresholds",
            )
    if all(node.player is None for node in spec.nodes.values()):
        raise compiler.error(
            "the game has no decision node (only chance moves): there is nothing to solve; "
            "give a node a 'player' and 'actions'",
            f"{base}.nodes",
        )
    nodes: dict[str, GameNode] = {}
    raw: dict[str, dict[str, Any]] = {}
    for node_id, node in spec.nodes.items():
        field = f"{base}.nodes.{node_id}"
        if node_id in outcomes:
            raise compiler.error(
                f"{node_id!r} is both a node and an outcome; give the node another id", field
            )
        if node.player is not None:
            if node.player not in scenario.party_ids:
                raise compiler.error(
                    f"player {node.player!r} is not a party "
                    f"(parties: {_allowed(scenario.party_ids)})",
                    f"{field}.player",
                )
            if node.player not in players:
                raise compiler.error(
                    f"player {node.player!r} is not a player of this game "
                    f"(players: {_allowed(players)})",
                    f"{field}.player",
                )
            compiled = GameNode(
                id=node_id,
                label=node.label,
                player=node.player,
                actions=dict(node.actions or {}),
                infoset=node.infoset,
            )
            raw[node_id] = {"player": node.player, "actions": compiled.actions}
            if node.infoset is not None:
                raw[node_id]["infoset"] = node.infoset
        else:
            chance = {
                b: compiler.number(p, f"{field}.chance.{b}") for b, p in (node.chance or {}).items()
            }
            compiled = GameNode(
                id=node_id, label=node.label, actions=dict(node.actions or {}), chance=chance
            )
            raw[node_id] = {
                "chance": {b: evaluate_number(p, scenario.parameters) for b, p in chance.items()},
                "actions": compiled.actions,
            }
        nodes[node_id] = compiled
    zeros = {o: [0.0] * len(players) for o in outcomes}
    try:
        structure = GameTree.from_nodes(raw, zeros, root=spec.root, players=players, name=key)
    except GameError as error:
        field = base
        if error.node == spec.root and spec.root not in spec.nodes:
            field = f"{base}.root"
        elif error.node is not None:
            field = f"{base}.nodes.{error.node}"
        raise ScenarioError(
            f"game {key!r}: {error.message}", file=compiler.file, field=field
        ) from None
    game = SequentialGame(
        id=key,
        label=spec.label or key,
        players=players,
        root=spec.root,
        nodes=nodes,
        thresholds=tuple(spec.thresholds),
        structure=structure,
    )
    check_threshold_search(scenario, game, outcomes)
    return game
