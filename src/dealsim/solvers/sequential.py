"""Sequential games: game trees, subgame-perfect equilibria and parameter thresholds.

A :class:`~dealsim.solvers.game_tree.GameTree` (re-exported here) holds the tree as flat arrays.
:func:`subgame_perfect_equilibrium` solves it by backward
induction, depth by depth with segment reductions; a tree with non-singleton information sets is
solved through its normal form instead (:func:`normal_form`). :func:`parameter_thresholds` finds
the values of a parameter at which the equilibrium outcome changes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from dealsim._results import ResultMixin
from dealsim._validate import check_tol
from dealsim.errors import GameError, SolverError
from dealsim.solvers import _tree
from dealsim.solvers._tree import CHANCE, DECISION
from dealsim.solvers.equilibrium import NormalFormGame
from dealsim.solvers.game_tree import GameTree

__all__ = [
    "GameTree",
    "Outcome",
    "PathStep",
    "SequentialResult",
    "Threshold",
    "normal_form",
    "parameter_thresholds",
    "subgame_perfect_equilibrium",
]

_MAX_REACH_CELLS = 20_000_000  # profiles x nodes held at once by the normal-form kernel


@dataclass(frozen=True)
class PathStep(ResultMixin):
    """One move on the equilibrium path.

    ``player`` is None at chance nodes; ``probability`` is the chance probability of the branch
    (1 for a decision); ``reach`` the probability that play gets to ``node``.
    """

    node: str
    player: str | None
    action: str
    probability: float
    reach: float


@dataclass(frozen=True)
class Outcome(ResultMixin):
    """What a solution does, as compared by :func:`parameter_thresholds`.

    ``moves`` are (node, action) pairs: the decisions on the path, or every decision node's first
    optimal action when compared by strategy; ``terminals`` the outcomes play can end in.
    """

    moves: tuple[tuple[str, str], ...]
    terminals: tuple[str, ...]


@dataclass(frozen=True)
class SequentialResult(ResultMixin):
    """A solution of a game tree.

    Attributes
    ----------
    method : {"backward_induction", "normal_form"}
    game : str
    path : tuple of PathStep
        Play under the (first) solution, in prefix order; every chance branch is followed.
    strategy : dict of str to tuple of str
        Per decision node, its optimal actions (backward induction) or the action of the
        equilibrium (normal form); the first is the one played.
    payoffs : dict of str to float
        Each player's expected payoff.
    outcomes : dict of str to float
        Probability of ending in each outcome.
    ties : tuple of str
        Decision nodes where several actions are optimal within ``tol`` (the first is played).
    notes : tuple of str
    equilibria : tuple of dict
        Normal form only: every pure equilibrium, as information set -> action.
    parameters : dict
    """

    method: Literal["backward_induction", "normal_form"]
    game: str
    path: tuple[PathStep, ...]
    strategy: dict[str, tuple[str, ...]]
    payoffs: dict[str, float]
    outcomes: dict[str, float]
    ties: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    equilibria: tuple[dict[str, str], ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    def outcome(self, key: Literal["path", "strategy"] = "path") -> Outcome:
        """The solution's outcome for comparison: its path, or its whole strategy.

        Examples
        --------
        >>> tree = GameTree.from_nodes({"r": {"player": "a", "actions": {"x": "o1", "y": "o2"}}},
        ...                            {"o1": [1.0], "o2": [2.0]}, root="r", players=["a"])
        >>> subgame_perfect_equilibrium(tree).outcome()
        Outcome(moves=(('r', 'y'),), terminals=('o2',))
        """
        if key == "strategy":
            moves = tuple((node, acts[0]) for node, acts in self.strategy.items())
        else:
            moves = tuple((s.node, s.action) for s in self.path if s.player is not None)
        return Outcome(moves=moves, terminals=tuple(self.outcomes))


def subgame_perfect_equilibrium(
    tree: GameTree, *, tol: float = 1e-9, max_profiles: int = 100_000
) -> SequentialResult:
    """Solve a game tree by backward induction (or via its normal form with information sets).

    Expected utilities are taken at chance nodes. Every decision node's optimal actions within
    ``tol`` (relative to ``max(s, |best|)``, ``s`` the largest magnitude of the tree's payoffs, so
    that multiplying every payoff by a positive number changes nothing) are listed; ties are never
    broken silently: the first optimal action is played and the node is reported in ``ties``.

    If some information set holds several nodes, backward induction does not apply: the tree is
    converted to its normal form (:func:`normal_form`) and its pure Nash equilibria are returned
    (``method="normal_form"``; not refined to subgame perfection; see ``notes``).

    Parameters
    ----------
    tree : GameTree
    tol : float, default 1e-9
        Tolerance for optimality (ties).
    max_profiles : int, default 100000
        Bound on pure strategy profiles for the normal-form route.

    Returns
    -------
    SequentialResult

    Raises
    ------
    SolverError
        Normal-form route only: too many profiles, or no pure equilibrium.

    Examples
    --------
    >>> tree = GameTree.from_nodes(
    ...     {"entrant": {"player": "E", "actions": {"out": "stay_out", "in": "incumbent"}},
    ...      "incumbent": {"player": "I", "actions": {"fight": "war", "accommodate": "share"}}},
    ...     {"stay_out": [0, 2], "war": [-1, -1], "share": [1, 1]},
    ...     root="entrant", players=["E", "I"], name="entry")
    >>> result = subgame_perfect_equilibrium(tree)
    >>> result.strategy
    {'entrant': ('in',), 'incumbent': ('accommodate',)}
    >>> [(s.node, s.action) for s in result.path], result.payoffs
    ([('entrant', 'in'), ('incumbent', 'accommodate')], {'E': 1.0, 'I': 1.0})
    """
    if not isinstance(tree, GameTree):
        raise GameError(f"expected a GameTree, got {type(tree).__name__}")
    tol = check_tol(tol)
    if not tree.perfect_information:
        return _solve_normal_form(tree, tol=tol, max_profiles=max_profiles)
    values = np.zeros((tree.n_nodes, tree.n_players))
    is_term = tree.terminal >= 0
    values[is_term] = tree.payoffs[tree.terminal[is_term]]
    choice, optimal, n_optimal = _tree.backward_induction(
        tree.kind, tree.player, tree.depth, tree.child_ptr, tree.prob, values, tol
    )
    decision = np.flatnonzero(tree.kind == DECISION)
    strategy = {
        str(node): (str(action),)
        for node, action in zip(tree.labels[decision], tree.actions[choice[decision]], strict=True)
    }
    tied = decision[n_optimal[decision] > 1]
    for node in tied:
        kids = np.arange(tree.child_ptr[node], tree.child_ptr[node + 1])
        strategy[tree.labels[node]] = tuple(tree.actions[kids[optimal[kids]]])
    ties = tuple(tree.labels[tied])
    notes = []
    if ties:
        notes.append(
            f"{len(ties)} decision node(s) with several optimal actions: the equilibrium is not "
            "unique; the first optimal action is played and the payoffs follow that choice"
        )
    return _result(
        tree,
        "backward_induction",
        choice,
        strategy,
        ties=ties,
        notes=tuple(notes),
        parameters={"tol": tol},
    )


def _result(
    tree: GameTree,
    method: Literal["backward_induction", "normal_form"],
    choice: np.ndarray,
    strategy: dict[str, tuple[str, ...]],
    **extra: Any,
) -> SequentialResult:
    on_path, reach = _tree.play(tree.kind, tree.parent, tree.depth, tree.prob, choice)
    steps: list[PathStep] = []
    stack: list[tuple[int, bool]] = [(0, False)]
    while stack:  # prefix order over the on-path subtree; a chance branch's step precedes it
        node, via_chance = stack.pop()
        if via_chance:
            p = int(tree.parent[node])
            steps.append(
                PathStep(
                    str(tree.labels[p]),
                    None,
                    str(tree.actions[node]),
                    float(tree.prob[node]),
                    float(reach[p]),
                )
            )
        if tree.kind[node] == DECISION:
            c = int(choice[node])
            steps.append(
                PathStep(
                    str(tree.labels[node]),
                    tree.players[tree.player[node]],
                    str(tree.actions[c]),
                    1.0,
                    float(reach[node]),
                )
            )
            stack.append((c, False))
        elif tree.kind[node] == CHANCE:
            stack.extend((c, True) for c in reversed(tree.children(node)))
    ends = np.flatnonzero(on_path & (tree.terminal >= 0))
    outcomes: dict[str, float] = {}
    for node in ends:
        label = str(tree.labels[node])
        outcomes[label] = outcomes.get(label, 0.0) + float(reach[node])
    expected = reach[ends] @ tree.payoffs[tree.terminal[ends]]
    return SequentialResult(
        method=method,
        game=tree.name,
        path=tuple(steps),
        strategy=strategy,
        payoffs={p: float(v) for p, v in zip(tree.players, expected, strict=True)},
        outcomes=outcomes,
        **extra,
    )


def _strategy_tables(tree: GameTree) -> tuple[list[np.ndarray], np.ndarray]:
    """Per player, the information sets they own; and the number of actions of every infoset."""
    n_infosets = len(tree.infoset_labels)
    heads = np.full(n_infosets, -1, dtype=np.int64)
    decision = np.flatnonzero(tree.kind == DECISION)
    heads[tree.infoset[decision[::-1]]] = decision[::-1]  # first member of each infoset
    n_actions = tree.child_ptr[heads + 1] - tree.child_ptr[heads]
    owner = tree.player[heads]
    return [np.flatnonzero(owner == p) for p in range(tree.n_players)], n_actions


def normal_form(tree: GameTree, *, max_profiles: int = 100_000) -> NormalFormGame:
    """The normal form of a game tree: one action per information set for each player.

    Payoffs are expected over chance. Strategy labels join a player's actions, one per
    information set in order of first appearance, with ``/``.

    Parameters
    ----------
    tree : GameTree
    max_profiles : int, default 100000
        Largest number of pure strategy profiles allowed (the count is exponential in the
        number of information sets).

    Returns
    -------
    NormalFormGame
        With ``player_names`` the tree's players and ``title`` its name.

    Raises
    ------
    SolverError
        When the number of profiles exceeds ``max_profiles``.

    Examples
    --------
    Matching pennies as a tree: B guesses A's coin without seeing it (one information set).

    >>> tree = GameTree.from_nodes(
    ...     {"a": {"player": "A", "actions": {"h": "b_h", "t": "b_t"}},
    ...      "b_h": {"player": "B", "actions": {"h": "match", "t": "miss"}, "infoset": "guess"},
    ...      "b_t": {"player": "B", "actions": {"h": "miss", "t": "match"}, "infoset": "guess"}},
    ...     {"match": [1, -1], "miss": [-1, 1]}, root="a", players=["A", "B"])
    >>> nf = normal_form(tree)
    >>> nf.strategies
    (('h', 't'), ('h', 't'))
    >>> nf.payoffs[0].tolist()
    [[1.0, -1.0], [-1.0, 1.0]]
    """
    owned, n_actions = _strategy_tables(tree)
    sizes = [math.prod(int(a) for a in n_actions[inf]) for inf in owned]  # exact: no wrap
    n_profiles = math.prod(sizes)
    if n_profiles > max_profiles or n_profiles * tree.n_nodes > _MAX_REACH_CELLS:
        raise SolverError(
            f"game {tree.name!r}: the normal form has {n_profiles} pure strategy profiles "
            f"(strategies per player {sizes}) over {tree.n_nodes} nodes; at most "
            f"{max_profiles} profiles and {_MAX_REACH_CELLS} profile-node pairs are enumerated "
            "(raise max_profiles= or simplify the tree)"
        )
    actions_by_infoset = np.zeros((n_profiles, len(tree.infoset_labels)), dtype=np.int64)
    profile = np.indices(sizes).reshape(len(sizes), -1)
    for p, inf in enumerate(owned):
        if inf.size:
            per = np.unravel_index(profile[p], tuple(n_actions[inf]))
            actions_by_infoset[:, inf] = np.stack(per, axis=1)
    reach = _tree.profile_reach(
        tree.kind,
        tree.parent,
        tree.depth,
        tree.child_ptr,
        tree.prob,
        tree.infoset,
        actions_by_infoset,
    )
    ends = np.flatnonzero(tree.terminal >= 0)
    expected = reach[:, ends] @ tree.payoffs[tree.terminal[ends]]  # (n_profiles, n_players)
    payoffs = expected.T.reshape(tree.n_players, *sizes)
    strategies = tuple(_strategy_labels(tree, inf, n_actions) for inf in owned)
    return NormalFormGame(
        payoffs=payoffs, player_names=tree.players, strategy_names=strategies, title=tree.name
    )


def _infoset_actions(tree: GameTree, infoset: int) -> list[str]:
    head = int(np.flatnonzero(tree.infoset == infoset)[0])
    return [str(a) for a in tree.actions[tree.child_ptr[head] : tree.child_ptr[head + 1]]]


def _strategy_labels(tree: GameTree, inf: np.ndarray, n_actions: np.ndarray) -> tuple[str, ...]:
    if inf.size == 0:
        return ("*",)
    per = [_infoset_actions(tree, int(i)) for i in inf]
    return tuple("/".join(combo) for combo in itertools.product(*per))


def _solve_normal_form(tree: GameTree, *, tol: float, max_profiles: int) -> SequentialResult:
    # Pure equilibria only; two_player_equilibria (mixed) is the next step for 2 players.
    from dealsim.solvers.equilibrium import pure_equilibria

    nf = normal_form(tree, max_profiles=max_profiles)
    profiles = [
        [int(np.argmax(s)) for s in eq.strategies] for eq in pure_equilibria(nf.payoffs, tol=tol)
    ]
    if not profiles:
        raise SolverError(
            f"game {tree.name!r}: the normal form of this tree (non-singleton information sets) "
            "has no pure Nash equilibrium; mixed equilibria are needed"
        )
    owned, n_actions = _strategy_tables(tree)
    labels = {i: _infoset_actions(tree, i) for i in range(len(tree.infoset_labels))}
    equilibria = []
    chosen = []
    for prof in profiles:
        action_of = np.zeros(len(tree.infoset_labels), dtype=np.int64)
        for p, inf in enumerate(owned):
            if inf.size:
                action_of[inf] = np.unravel_index(prof[p], tuple(n_actions[inf]))
        chosen.append(action_of)
        equilibria.append(
            {tree.infoset_labels[i]: labels[i][a] for i, a in enumerate(action_of.tolist())}
        )
    decision = np.flatnonzero(tree.kind == DECISION)
    choice = np.full(tree.n_nodes, -1, dtype=np.int64)
    choice[decision] = tree.child_ptr[decision] + chosen[0][tree.infoset[decision]]
    strategy = {str(tree.labels[d]): (str(tree.actions[choice[d]]),) for d in decision}
    shared = [lab for i, lab in enumerate(tree.infoset_labels) if (tree.infoset == i).sum() > 1]
    notes = [
        f"information sets with several nodes ({', '.join(shared)}): backward induction does "
        "not apply; solved the normal form for pure Nash equilibria (not refined to subgame "
        "perfection)"
    ]
    if len(equilibria) > 1:
        notes.append(f"{len(equilibria)} pure equilibria; the first is reported on the path")
    return _result(
        tree,
        "normal_form",
        choice,
        strategy,
        notes=tuple(notes),
        equilibria=tuple(equilibria),
        parameters={"tol": tol, "max_profiles": max_profiles},
    )


@dataclass(frozen=True)
class Threshold(ResultMixin):
    """A parameter value at which the equilibrium outcome changes.

    ``bracket`` is the final bisection interval (width at most ``tol``), ``value`` its midpoint;
    ``below`` and ``above`` are the outcomes at its two ends.
    """

    value: float
    bracket: tuple[float, float]
    below: Outcome
    above: Outcome


def parameter_thresholds(
    build: Callable[[float], GameTree],
    lo: float,
    hi: float,
    *,
    grid: int = 101,
    tol: float = 1e-10,
    key: Literal["path", "strategy"] = "path",
    solve_tol: float = 1e-9,
) -> list[Threshold]:
    """Parameter values in ``[lo, hi]`` where the equilibrium outcome changes.

    The outcome (:meth:`SequentialResult.outcome`: the path and the outcomes reached, or with
    ``key="strategy"`` every node's chosen action) is computed on an even grid; between
    neighbouring grid points where it differs, the switch is located by bisection to ``tol``.
    Two switches inside one grid cell are reported as one (use a finer grid).

    Parameters
    ----------
    build : callable float -> GameTree
        Builds the tree for one parameter value.
    lo, hi : float
        The parameter range, ``lo < hi``.
    grid : int, default 101
        Number of grid points (at least 2).
    tol : float, default 1e-10
        Width of the final bisection interval.
    key : {"path", "strategy"}, default "path"
        What counts as the outcome.
    solve_tol : float, default 1e-9
        ``tol`` passed to :func:`subgame_perfect_equilibrium`.

    Returns
    -------
    list of Threshold
        In increasing order.

    Examples
    --------
    Take a sure 0.5 or a lottery that pays 1 with probability q: the switch is at q = 0.5.

    >>> def build(q):
    ...     return GameTree.from_nodes(
    ...         {"r": {"player": "a", "actions": {"safe": "half", "risky": "lottery"}},
    ...          "lottery": {"chance": {"win": q, "lose": 1 - q}}},
    ...         {"half": [0.5], "win": [1.0], "lose": [0.0]}, root="r", players=["a"])
    >>> [t] = parameter_thresholds(build, 0.0, 1.0, grid=11)
    >>> round(t.value, 8), t.below.moves, t.above.moves
    (0.5, (('r', 'safe'),), (('r', 'risky'),))
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise SolverError(f"need finite lo < hi, got lo={lo}, hi={hi}")
    if int(grid) < 2:
        raise SolverError(f"grid must be at least 2, got {grid}")
    if not tol > 0:
        raise SolverError(f"tol must be > 0, got {tol}")
    if key not in ("path", "strategy"):
        raise SolverError(f"key must be 'path' or 'strategy', got {key!r}")

    def outcome(x: float) -> Outcome:
        return subgame_perfect_equilibrium(build(float(x)), tol=solve_tol).outcome(key)

    xs = np.linspace(lo, hi, int(grid))
    found = [outcome(x) for x in xs]
    thresholds = []
    for k in range(len(xs) - 1):
        if found[k] == found[k + 1]:
            continue
        a, b, oa, ob = float(xs[k]), float(xs[k + 1]), found[k], found[k + 1]
        while b - a > tol:
            mid = 0.5 * (a + b)
            if mid in (a, b):  # interval at float resolution
                break
            om = outcome(mid)
            if om == oa:
                a = mid
            else:
                b, ob = mid, om
        thresholds.append(Threshold(value=0.5 * (a + b), bracket=(a, b), below=oa, above=ob))
    return thresholds
