"""The strategic games a scenario declares: equilibria, equilibrium paths and thresholds.

Each ``[games.<id>]`` of a scenario is evaluated at the scenario's parameter values: outcome
payoffs come from the payoff model (deal outcomes), from the deal a bargaining solution picks
(solution outcomes) or from the file (explicit payoffs). Normal-form games are solved with
:mod:`dealsim.solvers.equilibrium`, game trees with :mod:`dealsim.solvers.sequential`; every
reported equilibrium has passed a regret check on the game's normal form. ``dealsim solve``
reports the result under the JSON key ``games`` and in a "Games" section of the text report.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import pickle
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from dealsim._results import ResultMixin, to_plain
from dealsim.analysis.equilibrium_report import solve_normal_form, solve_tree
from dealsim.analysis.reuse import expression_names as _expression_names
from dealsim.errors import DealsimError, GameError, ScenarioError
from dealsim.expressions import evaluate_number
from dealsim.scenario.games import (
    THRESHOLD_GRID,
    NormalGame,
    SequentialGame,
    chance_error,
    check_threshold_search,
    threshold_range,
    threshold_search_error,
)
from dealsim.scenario.model import Scenario
from dealsim.solvers import _tree
from dealsim.solvers.equilibrium import (
    NormalFormGame,
)
from dealsim.solvers.sequential import (
    GameTree,
    normal_form,
    parameter_thresholds,
    subgame_perfect_equilibrium,
)

__all__ = [
    "GamesResult",
    "game_title",
    "games_analysis",
    "is_tree",
    "outcome_labels",
    "outcome_payoffs",
    "resolve_game",
    "scenario_game",
    "scenario_games",
]

_EMPTY_ZONE = (
    "outcome {outcome!r}: the agreement zone is empty, so the {solution!r} solution picks no "
    "deal; its payoffs are the reservations (no agreement)"
)


# --------------------------------------------------------------------------- outcome payoffs


def _params(scenario: Scenario, parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    return {**scenario.parameters, **(parameters or {})}


def _unique_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(a, axis=0, return_inverse=True)`` of a 2-D integer or bool array, faster.

    Each row is encoded as one int64 in mixed radix (first column most significant, so the
    codes sort as the rows do lexicographically) and the codes are made unique in 1-D: the
    same sorted rows and the same inverse, without ``np.unique(axis=0)``'s structured sort.
    Falls back to it when the codes would not fit in an int64.

    Examples
    --------
    >>> a = np.array([[1, -1], [0, 2], [1, -1], [0, 0]])
    >>> rows, inverse = _unique_rows(a)
    >>> expected = np.unique(a, axis=0, return_inverse=True)
    >>> rows.tolist() == expected[0].tolist(), inverse.tolist() == expected[1].ravel().tolist()
    (True, True)
    """
    values = a.astype(np.int64)
    if a.shape[0] == 0 or a.shape[1] == 0:
        rows, inverse = np.unique(a, axis=0, return_inverse=True)
        return rows, inverse.reshape(-1)
    lo = values.min(axis=0)
    spans = [int(s) for s in values.max(axis=0) - lo + 1]
    total = 1
    for span in spans:
        total *= span
    if total >= 2**62:
        rows, inverse = np.unique(a, axis=0, return_inverse=True)
        return rows, inverse.reshape(-1)
    codes = np.zeros(a.shape[0], dtype=np.int64)
    for j, span in enumerate(spans):
        codes = codes * span + (values[:, j] - lo[j])
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    return a[first], inverse.reshape(-1)


def _payoff_draws(
    scenario: Scenario,
    params: Mapping[str, Any],
    ids: Sequence[str],
    *,
    zc: Any = None,
    tol: float = 1e-9,
    solutions: Mapping[str, Any] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Payoffs of the outcomes ``ids`` for ``S`` parameter draws: ``(S, len(ids), n_parties)``.

    Parameters may be scalars or arrays of shape ``(S,)``. ``zc`` (a zone computation at these
    parameter values, scalars only) saves recomputing the zone for solution outcomes;
    ``solutions`` (the bargaining solutions over ``zc``'s zone frontier at this ``tol``) saves
    recomputing them.
    """
    from dealsim.space import DealSpace, UtilityModel

    sizes = {np.size(v) for v in params.values() if np.ndim(v) > 0}
    if len(sizes) > 1:
        raise DealsimError(f"parameter draws of different lengths {sorted(sizes)}")
    n_draws = sizes.pop() if sizes else 1
    outcomes = [scenario.outcomes[o] for o in ids]
    k = len(scenario.parties)
    out = np.zeros((n_draws, len(ids), k))
    notes: list[str] = []
    for j, o in enumerate(outcomes):
        if o.payoffs is not None:
            out[:, j, :] = np.stack(
                [
                    np.broadcast_to(evaluate_number(o.payoffs[p], params), (n_draws,))
                    for p in scenario.party_ids
                ],
                axis=-1,
            )
    by_deal = [j for j, o in enumerate(outcomes) if o.payoffs is None]
    if not by_deal:
        return out, notes
    space = zc.space if zc is not None else DealSpace(scenario)
    n_issues = len(scenario.issues)
    codes = np.zeros((n_draws, len(ids), n_issues), dtype=np.int64)
    no_deal = np.zeros((n_draws, len(ids)), dtype=bool)
    solution_codes, reservations = _solution_codes(
        scenario,
        params,
        {outcomes[j].solution for j in by_deal} - {None},
        zc,
        tol,
        n_draws,
        solutions,
    )
    for j in by_deal:
        o = outcomes[j]
        if o.solution is not None:
            codes[:, j, :] = solution_codes[o.solution]
            no_deal[:, j] = solution_codes[o.solution][:, 0] < 0
            if no_deal[:, j].any() and n_draws == 1:
                notes.append(_EMPTY_ZONE.format(outcome=o.id, solution=o.solution))
        for issue_id, code in o.codes.items():
            codes[:, j, scenario.issue_ids.index(issue_id)] = code
    rows, inverse = _unique_rows(codes[:, by_deal].reshape(-1, n_issues))
    model = zc.model if zc is not None else UtilityModel.from_scenario(scenario, params)
    utilities = model.utilities(space, np.maximum(rows, 0))
    utilities = np.broadcast_to(utilities, (n_draws, *utilities.shape[-2:]))
    picked = utilities[np.repeat(np.arange(n_draws), len(by_deal)), inverse.ravel()]
    out[:, by_deal, :] = picked.reshape(n_draws, len(by_deal), k)
    if no_deal.any():
        out = np.where(no_deal[..., None], reservations[:, None, :], out)
    return out, notes


def _solution_codes(
    scenario: Scenario,
    params: Mapping[str, Any],
    names: set[str],
    zc: Any,
    tol: float,
    n_draws: int,
    solutions: Mapping[str, Any] | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per solution name, the deal codes it picks in each draw ``(S, n_issues)``, -1 if none."""
    if not names:
        return {}, np.zeros((n_draws, len(scenario.parties)))
    if zc is not None:
        from dealsim.solvers.bargaining import all_bargaining_solutions

        reservations = np.asarray(zc.reservations, dtype=float)[None, :]
        if solutions is not None:
            found = solutions
        elif zc.empty:
            found = {}
        else:
            found = all_bargaining_solutions(
                zc.zone_frontier_utilities,
                zc.reservations,
                weights=scenario.powers(),
                tol=tol,
                scale=zc.scale,
            )
        codes = {}
        for name in names:
            if name in found:
                index = int(zc.zone_frontier[found[name].index])
                codes[name] = zc.space.codes(np.array([index]))
            else:
                codes[name] = np.full((1, len(scenario.issues)), -1, dtype=np.int64)
        return codes, reservations
    from dealsim.analysis.batch import batch_solve
    from dealsim.space import DealSpace

    draws = {p: v for p, v in params.items() if np.ndim(v) > 0 or p in scenario.parameters}
    batch = batch_solve(scenario, draws, tol=tol, bargaining_tol=tol)
    space = DealSpace(scenario)
    codes = {}
    for name in names:
        index = np.broadcast_to(batch.solutions[name], (n_draws,))
        rows = space.codes(np.maximum(index, 0))
        rows[index < 0] = -1
        codes[name] = rows
    reservations = np.broadcast_to(batch.reservations, (n_draws, len(scenario.parties)))
    return codes, reservations


def outcome_payoffs(
    scenario: Scenario,
    parameters: Mapping[str, float] | None = None,
    *,
    ids: Sequence[str] | None = None,
    zc: Any = None,
    tol: float = 1e-9,
) -> dict[str, dict[str, float]]:
    """Each outcome's payoff to every party at the scenario's (or the given) parameter values.

    Deal outcomes are valued by the scenario's payoff model, solution outcomes at the deal the
    bargaining solution picks over the agreement zone (with ``deal`` overriding some issues; the
    reservations when the zone is empty), explicit payoffs as written.

    Parameters
    ----------
    scenario : Scenario
    parameters : mapping, optional
        Parameter values replacing the scenario's.
    ids : sequence of str, optional
        Only these outcomes (default: all).
    zc : ZoneComputation, optional
        The zone at these parameter values, if already computed.
    tol : float
        Acceptance and bargaining tolerance.

    Returns
    -------
    dict of str to dict of str to float

    Examples
    --------
    >>> import dealsim
    >>> pay = outcome_payoffs(dealsim.load("donbas-2026"), ids=["war"])
    >>> {p: round(v, 4) for p, v in pay["war"].items()}
    {'us': 0.4, 'ukraine': 0.2025, 'russia': 0.4055}
    """
    ids = list(scenario.outcomes if ids is None else ids)
    table, _ = _payoff_draws(scenario, _params(scenario, parameters), ids, zc=zc, tol=tol)
    return {
        o: {p: float(v) for p, v in zip(scenario.party_ids, table[0, j], strict=True)}
        for j, o in enumerate(ids)
    }


def _as_mapping(scenario: Scenario, ids: Sequence[str], row: np.ndarray) -> dict[str, dict]:
    return {
        o: dict(zip(scenario.party_ids, row[j].tolist(), strict=True)) for j, o in enumerate(ids)
    }


# --------------------------------------------------------------------------- building games


def _game(scenario: Scenario, game_id: str) -> NormalGame | SequentialGame:
    if game_id not in scenario.games:
        where = scenario.file or scenario.name
        if not scenario.games:
            raise DealsimError(f"{where}: the scenario declares no games (a [games] section)")
        raise DealsimError(
            f"{where}: unknown game {game_id!r} (games: {', '.join(scenario.games)})"
        )
    return scenario.games[game_id]


def _tree_at(
    scenario: Scenario, game: SequentialGame, pay: Mapping[str, Any], params: Mapping[str, Any]
) -> GameTree:
    try:
        return game.tree(pay, params)
    except GameError as error:
        raise chance_error(scenario, game, error, params) from None


def scenario_game(
    scenario: Scenario,
    game_id: str,
    parameters: Mapping[str, float] | None = None,
    *,
    zc: Any = None,
    tol: float = 1e-9,
) -> GameTree | NormalFormGame:
    """A scenario game with its payoffs at the scenario's (or the given) parameter values.

    Returns a :class:`~dealsim.solvers.sequential.GameTree` for a sequential game and a
    :class:`~dealsim.solvers.equilibrium.NormalFormGame` (titled with the game id) for a normal
    one; errors name the games available.

    Examples
    --------
    >>> import dealsim
    >>> game = scenario_game(dealsim.load("donbas-2026"), "accept_nash")
    >>> game.players, game.strategies
    (('ukraine', 'russia'), (('accept', 'reject'), ('accept', 'reject')))
    """
    game = _game(scenario, game_id)
    params = _params(scenario, parameters)
    ids = list(game.outcome_ids)
    table, _ = _payoff_draws(scenario, params, ids, zc=zc, tol=tol)
    pay = _as_mapping(scenario, ids, table[0])
    if isinstance(game, SequentialGame):
        return _tree_at(scenario, game, pay, params)
    return NormalFormGame(
        payoffs=game.payoff_tensor(pay, params),
        player_names=game.players,
        strategy_names=game.strategies,
        title=game.id,
    )


# --------------------------------------------------------------------------- solving


class _BisectionCache:
    """Outcome payoffs along one parameter, evaluated in vectorised batches.

    :func:`parameter_thresholds` probes a grid, then bisects. On a miss at ``x`` the current
    bracket is the pair of nearest points already evaluated (bisection never probes inside it
    before), so the midpoints it will probe next, a binary tree of ``depth`` levels computed with
    the same float operations, are evaluated together with ``x`` in one call.
    """

    def __init__(self, evaluate: Any, xs: np.ndarray, depth: int = 6):
        self.evaluate, self.depth = evaluate, depth
        self.rows: dict[float, np.ndarray] = {}
        self.keys: list[float] = []
        self.add([float(x) for x in xs])

    def add(self, xs: list[float]) -> None:
        for x, row in zip(xs, self.evaluate(np.array(xs)), strict=True):
            self.rows[x] = row
        self.keys = sorted(self.rows)

    def __call__(self, x: float) -> np.ndarray:
        if x not in self.rows:
            i = bisect.bisect(self.keys, x)
            points = [x]
            if 0 < i < len(self.keys):
                level = [(self.keys[i - 1], self.keys[i])]
                for _ in range(self.depth):
                    mids = [(lo, 0.5 * (lo + hi), hi) for lo, hi in level]
                    points.extend(m for _, m, _ in mids)
                    level = [pair for lo, m, hi in mids for pair in ((lo, m), (m, hi))]
            self.add(list(dict.fromkeys(points)))
        return self.rows[x]


_THRESHOLD_CACHE: OrderedDict[tuple[Any, ...], list[dict[str, Any]]] = OrderedDict()
_THRESHOLD_CACHE_SIZE = 256
"""Threshold searches kept (least recently used dropped): a sweep or a Monte Carlo run solves
the same game at many values of the threshold's own parameter and of parameters the game does
not use, and each search runs the tree about a hundred times."""


_USED_NAMES: OrderedDict[tuple[Any, ...], frozenset[str]] = OrderedDict()
"""The parameters each game's threshold search reads, by scenario body (see _threshold_key)."""


def _scenario_body(scenario: Scenario) -> str:
    """The sha256 of the scenario without its parameter values (threshold keys start with it)."""
    return hashlib.sha256(pickle.dumps(replace(scenario, parameters={}))).hexdigest()


def _threshold_key(
    scenario: Scenario, game: SequentialGame, name: str, tol: float, body: str | None = None
) -> tuple:
    """What a threshold search depends on: the scenario but its parameter values, the game, the
    parameter, ``tol``, and the values of the other parameters the game's payoffs and chance
    probabilities use (all of them when an outcome is a bargaining solution's deal, which
    depends on the whole zone). ``body``: :func:`_scenario_body` of ``scenario``, if known."""
    values = scenario.parameters
    body = _scenario_body(scenario) if body is None else body
    # which parameters are read depends only on the body (and the parameters' names)
    names_key = (body, game.id, tuple(sorted(values)))
    used = _USED_NAMES.get(names_key)
    if used is None:
        outcomes = [scenario.outcomes[o] for o in game.outcome_ids]
        if any(o.solution is not None for o in outcomes):
            used = frozenset(values)
        else:
            parts: list[Any] = [game, outcomes]
            if any(o.payoffs is None for o in outcomes):
                parts.append(scenario.payoffs)  # deal outcomes: the utility model
            used = frozenset(_expression_names(parts))
        _USED_NAMES[names_key] = used
        while len(_USED_NAMES) > _THRESHOLD_CACHE_SIZE:
            _USED_NAMES.popitem(last=False)
    others = tuple(  # bit-exact values: a search at 0.1 is not reused at 0.1 + 1e-17
        (p, np.asarray(values[p], dtype=float).tobytes())
        for p in sorted((used & set(values)) - {name})
    )
    return (body, game.id, name, tol, others)


def _thresholds(
    scenario: Scenario, game: SequentialGame, tol: float, body: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Each threshold parameter's outcome switches, cached (:data:`_THRESHOLD_CACHE`).

    The search varies the parameter over its whole range, so its result does not depend on the
    parameter's own value: only on what :func:`_threshold_key` lists.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for name in game.thresholds:
        key = _threshold_key(scenario, game, name, tol, body)
        if key in _THRESHOLD_CACHE:
            _THRESHOLD_CACHE.move_to_end(key)
        else:
            _THRESHOLD_CACHE[key] = _threshold_search(scenario, game, name, tol)
            while len(_THRESHOLD_CACHE) > _THRESHOLD_CACHE_SIZE:
                _THRESHOLD_CACHE.popitem(last=False)
        out[name] = copy.deepcopy(_THRESHOLD_CACHE[key])
    return out


def _threshold_search(
    scenario: Scenario, game: SequentialGame, name: str, tol: float
) -> list[dict[str, Any]]:
    ids = list(game.outcome_ids)
    lo, hi = threshold_range(scenario, name)
    if not lo < hi:
        return []
    # the grid values, checked as at load time but at this solve's parameter values (--set)
    check_threshold_search(scenario, game, scenario.outcomes, names=(name,))
    xs = np.linspace(lo, hi, THRESHOLD_GRID)

    def evaluate(values: np.ndarray) -> np.ndarray:
        params = {**scenario.parameters, name: np.asarray(values, dtype=float)}
        return _payoff_draws(scenario, params, ids, tol=tol)[0]

    def build(x: float) -> GameTree:
        params = {**scenario.parameters, name: x}
        return _tree_at(scenario, game, _as_mapping(scenario, ids, cache(x)), params)

    # The search leaves the parameter's value: say so, or the error reads as at the value (the
    # grid values are checked above: this is reached between them, in the bisection).
    try:
        cache = _BisectionCache(evaluate, xs)
        found = parameter_thresholds(
            build, lo, hi, grid=THRESHOLD_GRID, tol=1e-10, solve_tol=min(tol, 1e-12)
        )
    except ScenarioError as error:
        raise threshold_search_error(game.id, name, (lo, hi), error) from None
    return [
        {
            "value": t.value,
            "bracket": list(t.bracket),
            "range": [lo, hi],
            "below": {"outcomes": list(t.below.terminals), "path": list(t.below.moves)},
            "above": {"outcomes": list(t.above.terminals), "path": list(t.above.moves)},
        }
        for t in found
    ]


# --------------------------------------------------------------------------- the analysis


@dataclass(frozen=True)
class GamesResult(ResultMixin):
    """Every game of a scenario, solved: ``games`` maps a game id to its JSON-ready report.

    ``to_dict()`` is the ``games`` value of the solve document: ``{game_id: report}``.
    """

    games: dict[str, dict[str, Any]]
    method: str = "games"
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{game_id: report}`` with plain JSON values."""
        return to_plain(self.games)


def games_analysis(
    scenario: Scenario, zc: Any = None, *, tol: float = 1e-9, shared: Any = None
) -> GamesResult:
    """Solve every game of ``scenario`` at its parameter values (``dealsim solve``'s ``games``).

    Normal-form games get their equilibria and dominated strategies (:func:`solve_normal_form`),
    game trees their subgame-perfect equilibrium (:func:`solve_tree`) and, for each parameter in
    the game's ``thresholds``, the values in the parameter's ``range`` (else [0, 1]) where the
    equilibrium outcome changes, with the outcome on each side.

    Parameters
    ----------
    scenario : Scenario
    zc : ZoneComputation, optional
        The zone at the scenario's parameter values (the pipeline passes it).
    tol : float
    shared : SolveIntermediates, optional
        The bargaining solutions of this solve over ``zc`` (the pipeline passes it), used when
        they were found at this ``tol``; found here otherwise.

    Returns
    -------
    GamesResult

    Examples
    --------
    >>> import dealsim
    >>> result = games_analysis(dealsim.load("donbas-2026"))
    >>> result.games["territory_first"]["outcomes"]
    {'peace_territory_first': 1.0}
    """
    reports: dict[str, dict[str, Any]] = {}
    params = dict(scenario.parameters)
    body = None  # the scenario's body, hashed once for every game's threshold keys
    solutions = None  # found once for every game (at this tol, over zc's zone frontier)
    if zc is not None and shared is not None and shared.zc is zc and zc.tol == tol:
        solutions = shared.solutions
    for game_id, game in scenario.games.items():
        ids = list(game.outcome_ids)
        table, notes = _payoff_draws(scenario, params, ids, zc=zc, tol=tol, solutions=solutions)
        pay = _as_mapping(scenario, ids, table[0])
        if isinstance(game, SequentialGame):
            report = solve_tree(_tree_at(scenario, game, pay, params), tol=tol)
            if not game.structure.perfect_information and report["method"] == "normal_form":
                report["notes"].append(
                    "the tree has information sets: solved in normal form (pure equilibria)"
                )
            if game.thresholds and body is None:
                body = _scenario_body(scenario)
            report["thresholds"] = _thresholds(scenario, game, tol, body)
        else:
            nf = NormalFormGame(
                payoffs=game.payoff_tensor(pay, params),
                player_names=game.players,
                strategy_names=game.strategies,
                title=game_id,
            )
            report = solve_normal_form(nf, tol=tol)
        report = {"label": game.label, **report}
        if ids:
            report["outcome_payoffs"] = pay
        report["notes"] = [*notes, *report["notes"]]
        reports[game_id] = report
    return GamesResult(games=reports, parameters={"tol": tol, "threshold_grid": THRESHOLD_GRID})


# --------------------------------------------------------------------------- Monte Carlo hook


def outcome_labels(scenario: Scenario, draws: Mapping[str, Any]) -> list[str] | None:
    """Each draw's equilibrium outcome of every sequential game (a Monte Carlo outcome hook).

    A draw's label lists, per game, the outcomes its equilibrium path can end in:
    ``"game=outcome+outcome; game=outcome"``. ``None`` when the scenario has no sequential game.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> labels = outcome_labels(s, {"audience_cost_max": [0.07, 0.082, 0.1]})
    >>> labels[0]
    'guarantees_first=war; territory_first=war'
    >>> labels[1]
    'guarantees_first=war; territory_first=peace_territory_first'
    >>> labels[2]
    'guarantees_first=peace_guarantee_first; territory_first=peace_territory_first'
    """
    games = [g for g in scenario.games.values() if isinstance(g, SequentialGame)]
    if not games:
        return None
    params = _params(scenario, {k: np.asarray(v, dtype=float) for k, v in draws.items()})
    ids = list(dict.fromkeys(o for g in games for o in g.outcome_ids))
    table, _ = _payoff_draws(scenario, params, ids)
    per_game = []
    for game in games:
        batched = _batched_outcomes(scenario, game, params, ids, table)
        if batched is None:  # information sets, or a draw to report: solve draw by draw
            batched = [
                "+".join(subgame_perfect_equilibrium(_tree_at(scenario, game, pay, at)).outcomes)
                for pay, at in _draws(scenario, params, ids, table)
            ]
        per_game.append([f"{game.id}={label}" for label in batched])
    return ["; ".join(parts) for parts in zip(*per_game, strict=True)]


def _draws(scenario: Scenario, params: Mapping[str, Any], ids: list[str], table: np.ndarray):
    for s in range(table.shape[0]):
        at = {k: (float(np.ravel(v)[s]) if np.ndim(v) > 0 else v) for k, v in params.items()}
        yield _as_mapping(scenario, ids, table[s]), at


def _batched_outcomes(
    scenario: Scenario,
    game: SequentialGame,
    params: Mapping[str, Any],
    ids: list[str],
    table: np.ndarray,
    tol: float = 1e-9,
) -> list[str] | None:
    """Each draw's equilibrium outcomes (``"a+b"``) of a perfect-information tree, all at once.

    The same float operations as :func:`subgame_perfect_equilibrium` on each draw's tree
    (:func:`dealsim.solvers._tree.equilibrium_paths`). ``None`` when the tree has information
    sets, or when some draw's chance probabilities are not clearly valid (the draw-by-draw path
    then reports the error exactly as a solve does).
    """
    t = game.structure
    if not t.perfect_information:
        return None
    n_draws = table.shape[0]
    prob = np.array(np.broadcast_to(t.prob, (n_draws, t.n_nodes)), dtype=float)
    for node_id, branches in game.probabilities(params).items():
        values = np.stack(
            [np.broadcast_to(np.asarray(branches[b], dtype=float), (n_draws,)) for b in branches],
            axis=1,
        )
        total = values.sum(axis=1)
        # a margin of half the tolerance: the draw-by-draw check (math.fsum) agrees on the rest
        if not (
            np.isfinite(total).all() and values.min() >= 0 and np.all(abs(total - 1) <= tol / 2)
        ):
            return None
        head = int(np.flatnonzero(t.labels == node_id)[0])
        prob[:, t.child_ptr[head] : t.child_ptr[head + 1]] = values
    ends = np.flatnonzero(t.terminal >= 0)
    column = [ids.index(str(label)) for label in t.labels[ends]]
    party = [scenario.party_ids.index(p) for p in game.players]
    values = np.zeros((n_draws, t.n_nodes, len(game.players)))
    values[:, ends] = table[:, column][:, :, party]
    on_path = _tree.equilibrium_paths(
        t.kind, t.player, t.parent, t.depth, t.child_ptr, prob, values, tol
    )[:, ends]
    rows, inverse = _unique_rows(on_path)
    names = ["+".join(dict.fromkeys(str(label) for label in t.labels[ends[row]])) for row in rows]
    return [names[i] for i in inverse.ravel()]


# --------------------------------------------------------------------------- the text report


def resolve_game(scenario: Any, game_id: str | None, kind: str, *, zc: Any = None) -> Any:
    """The game ``game_id`` of the scenario's ``games`` section at its parameter values.

    ``kind="tree"`` gives the :class:`~dealsim.solvers.sequential.GameTree` of a sequential
    game; ``kind="matrix"`` a :class:`~dealsim.solvers.equilibrium.NormalFormGame` (a tree's
    normal form for a sequential game). ``zc``, the scenario's
    :func:`~dealsim.zone.compute_zone`, saves recomputing the zone for outcomes a
    bargaining solution picks (it is computed here otherwise). Raises a DealsimError naming
    the games available (or saying there are none).

    Examples
    --------
    >>> import dealsim
    >>> resolve_game(dealsim.load("donbas-2026"), "accept_nash", "matrix").shape
    (2, 2)
    >>> resolve_game(dealsim.load("logroll"), "g", "tree")
    Traceback (most recent call last):
    ...
    dealsim.errors.DealsimError: ...logroll.toml: the scenario declares no games ...
    """
    from dealsim.analysis.games import scenario_game
    from dealsim.solvers.sequential import GameTree

    games = scenario_games(scenario)
    where = scenario.file or scenario.name
    if not games:
        raise DealsimError(
            f"{where}: the scenario declares no games (a [games] section); draw a game from "
            f"Python instead: dealsim.plot.game_tree(tree) or dealsim.plot.payoff_matrix(payoffs)"
        )
    if game_id is None or game_id not in games:
        what = "--game is required" if game_id is None else f"unknown game {game_id!r}"
        raise DealsimError(f"{where}: {what} (games: {', '.join(games)})")
    game = games[game_id]
    if getattr(game, "kind", None) in ("sequential", "normal"):
        # a compiled scenario game: its payoffs at the scenario's parameter values
        from dealsim.zone import compute_zone

        game = scenario_game(scenario, game_id, zc=compute_zone(scenario) if zc is None else zc)
    if kind == "tree" and isinstance(game, dict) and "nodes" in game:
        keys = ("nodes", "outcomes", "root", "players")
        game = GameTree.from_nodes(**{k: game[k] for k in keys}, name=game_id)
    if kind == "tree" and not isinstance(game, GameTree):
        raise DealsimError(f"{where}: game {game_id!r} is not a game tree; try KIND matrix")
    if kind == "matrix" and isinstance(game, GameTree):
        game = normal_form(game)
    return game


def scenario_games(scenario: Any) -> dict[str, Any]:
    """The scenario's compiled games by id (empty when it declares none).

    Examples
    --------
    >>> import dealsim
    >>> scenario_games(dealsim.load("logroll"))
    {}
    """
    return dict(getattr(scenario, "games", None) or {})


def game_title(scenario: Any, game_id: str) -> str | None:
    """The label the scenario gives a game (None: the figure's default title).

    Examples
    --------
    >>> import dealsim
    >>> game_title(dealsim.load("donbas-2026"), "accept_nash")
    'Both must accept the Nash deal'
    """
    game = scenario_games(scenario).get(game_id)
    label = getattr(game, "label", None) or (game.get("label") if isinstance(game, dict) else None)
    return str(label) if label else None


def is_tree(game: Any) -> bool:
    """Whether a scenario game is a game tree (else a normal-form game).

    Examples
    --------
    >>> import dealsim
    >>> games = dealsim.load("donbas-2026").games
    >>> is_tree(games["territory_first"]), is_tree(games["accept_nash"])
    (True, False)
    >>> is_tree({"nodes": {}}), is_tree([[[1]], [[1]]])
    (True, False)
    """
    from dealsim.solvers.sequential import GameTree

    if getattr(game, "kind", None) in ("sequential", "normal"):
        return game.kind == "sequential"
    return isinstance(game, GameTree) or (isinstance(game, dict) and "nodes" in game)
