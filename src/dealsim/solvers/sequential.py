"""Sequential games: game trees, subgame-perfect equilibria and parameter thresholds.

A :class:`GameTree` is built once by :meth:`GameTree.from_nodes` from the dict-of-nodes
description a scenario uses, validated, and stored as flat numpy arrays in breadth-first order
(node kind, player, parent, depth, children as CSR offsets, chance probabilities, terminal
payoffs, labels, information sets). :func:`subgame_perfect_equilibrium` solves it by backward
induction, depth by depth with segment reductions; a tree with non-singleton information sets is
solved through its normal form instead (:func:`normal_form`). :func:`parameter_thresholds` finds
the values of a parameter at which the equilibrium outcome changes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from dealsim._results import ResultMixin
from dealsim._validate import check_tol
from dealsim.errors import GameError, SolverError
from dealsim.solvers import _tree
from dealsim.solvers._tree import CHANCE, DECISION, TERMINAL
from dealsim.solvers.equilibrium import NormalFormGame

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

NodeSpec = Mapping[str, Any]
_MAX_REACH_CELLS = 20_000_000  # profiles x nodes held at once by the normal-form kernel


def _frozen(a: Any, dtype: Any = None) -> np.ndarray:
    arr = np.array(a, dtype=dtype)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class GameTree:
    """A finite game tree as flat arrays in breadth-first order (node 0 is the root).

    Build it with :meth:`from_nodes`, which validates; the constructor only stores.

    Attributes
    ----------
    name : str
        The game's name (used in error messages).
    players : tuple of str
        Player names; ``player`` indexes into them.
    kind : ndarray of int8, (n_nodes,)
        0 decision, 1 chance, 2 terminal.
    player : ndarray of int64, (n_nodes,)
        The mover at decision nodes, -1 elsewhere.
    parent, depth : ndarray of int64, (n_nodes,)
        Parent (-1 at the root) and depth (0 at the root); depth is non-decreasing.
    child_ptr : ndarray of int64, (n_nodes + 1,)
        The children of node ``i`` are nodes ``child_ptr[i]`` to ``child_ptr[i + 1] - 1``.
    prob : ndarray of float, (n_nodes,)
        Probability of the chance branch leading into a node (1 if its parent is not chance).
    labels : ndarray of object, (n_nodes,)
        Node ids; a terminal node carries its outcome id (outcomes may repeat).
    actions : ndarray of object, (n_nodes,)
        The label of the action leading into each node ("" at the root).
    terminal : ndarray of int64, (n_nodes,)
        Row of ``payoffs`` for terminal nodes, -1 elsewhere.
    payoffs : ndarray of float, (n_terminals, n_players)
        Terminal payoffs in breadth-first order of the terminal nodes.
    infoset : ndarray of int64, (n_nodes,)
        Information-set id of decision nodes (index into ``infoset_labels``), -1 elsewhere.
    infoset_labels : tuple of str
        Information-set names; a decision node without an explicit one is its own, named after it.
    """

    name: str
    players: tuple[str, ...]
    kind: np.ndarray
    player: np.ndarray
    parent: np.ndarray
    depth: np.ndarray
    child_ptr: np.ndarray
    prob: np.ndarray
    labels: np.ndarray
    actions: np.ndarray
    terminal: np.ndarray
    payoffs: np.ndarray
    infoset: np.ndarray
    infoset_labels: tuple[str, ...]

    @property
    def n_nodes(self) -> int:
        """Number of nodes (decision, chance and terminal)."""
        return int(self.kind.shape[0])

    @property
    def n_players(self) -> int:
        """Number of players (chance not counted)."""
        return len(self.players)

    @property
    def perfect_information(self) -> bool:
        """Whether every information set is a single node (backward induction applies)."""
        ids = self.infoset[self.infoset >= 0]
        return ids.size == 0 or int(np.bincount(ids).max()) == 1

    def children(self, node: int) -> range:
        """Indices of the children of ``node``.

        Examples
        --------
        >>> tree = GameTree.from_nodes({"r": {"player": "a", "actions": {"x": "o", "y": "o"}}},
        ...                            {"o": [1.0]}, root="r", players=["a"])
        >>> list(tree.children(0))
        [1, 2]
        """
        return range(int(self.child_ptr[node]), int(self.child_ptr[node + 1]))

    @classmethod
    def from_nodes(
        cls,
        nodes: Mapping[str, NodeSpec],
        outcomes: Mapping[str, Sequence[float] | Mapping[str, float]],
        *,
        root: str,
        players: Sequence[str],
        name: str = "game",
        tol: float = 1e-9,
    ) -> GameTree:
        """Build and validate a tree from a dict-of-nodes description.

        Parameters
        ----------
        nodes : mapping of str to node spec
            A decision node is ``{"player": p, "actions": {label: target}, "infoset": id}``
            (``infoset`` optional; nodes sharing one form an information set). A chance node is
            ``{"chance": {label: probability}}``; a branch leads to the node or outcome named by
            its label unless ``"actions": {label: target}`` says otherwise. Targets are node ids
            or outcome ids; outcome ids may be used many times, node ids once.
        outcomes : mapping of str to payoffs
            Terminal payoffs per outcome id: a sequence in ``players`` order or a mapping
            player -> payoff naming every player.
        root : str
            Id of the root node.
        players : sequence of str
            Player names.
        name : str, default "game"
            The game's name, used in error messages.
        tol : float, default 1e-9
            Tolerance on chance probabilities summing to 1.

        Returns
        -------
        GameTree

        Raises
        ------
        GameError
            Naming the game and node: probabilities negative or not summing to 1, unknown
            player, cycle, node reached twice, unreachable node, unknown target, node without
            actions, information set mixing players or action sets, bad payoffs.

        Examples
        --------
        Entry deterrence: the entrant stays out or enters, the incumbent fights or accommodates.

        >>> tree = GameTree.from_nodes(
        ...     {"entrant": {"player": "E", "actions": {"out": "stay_out", "in": "incumbent"}},
        ...      "incumbent": {"player": "I", "actions": {"fight": "war", "accommodate": "share"}}},
        ...     {"stay_out": [0, 2], "war": [-1, -1], "share": [1, 1]},
        ...     root="entrant", players=["E", "I"], name="entry")
        >>> tree.n_nodes, tree.labels.tolist()
        (5, ['entrant', 'stay_out', 'incumbent', 'war', 'share'])
        """
        return _build(nodes, outcomes, root=root, players=players, name=name, tol=tol)


def _payoff_row(outcome: str, spec: Any, players: tuple[str, ...], game: str) -> list[float]:
    if isinstance(spec, Mapping):
        missing = [p for p in players if p not in spec]
        extra = [p for p in spec if p not in players]
        if missing or extra:
            problems = [
                f"{what} {names}"
                for what, names in (("missing", missing), ("unknown", extra))
                if names
            ]
            raise GameError(
                f"payoffs must name every player {list(players)}; {', '.join(problems)}",
                game=game,
                node=outcome,
            )
        row = [spec[p] for p in players]
    else:
        row = list(spec)
        if len(row) != len(players):
            raise GameError(
                f"{len(row)} payoffs given, one per player needed ({len(players)})",
                game=game,
                node=outcome,
            )
    try:
        values = [float(v) for v in row]
    except (TypeError, ValueError):
        raise GameError(f"payoffs must be numbers, got {row!r}", game=game, node=outcome) from None
    if not all(math.isfinite(v) for v in values):
        raise GameError(f"payoffs must be finite, got {values}", game=game, node=outcome)
    return values


def _payoff_matrix(
    outcomes: Mapping[str, Any], ids: list[str], players: tuple[str, ...], game: str
) -> np.ndarray:
    """(n_outcomes, n_players) payoffs; one array conversion when every row is a plain vector."""
    shape = (len(ids), len(players))
    if not any(isinstance(v, Mapping) for v in outcomes.values()):
        try:
            matrix = np.array(list(outcomes.values()), dtype=float).reshape(shape)
        except (TypeError, ValueError):
            matrix = None
        if matrix is not None and matrix.ndim == 2 and np.isfinite(matrix).all():
            return matrix
    # slow path: row by row, to name the offending outcome
    return np.array([_payoff_row(o, outcomes[o], players, game) for o in ids], dtype=float).reshape(
        shape
    )


def _parse_node(
    node_id: str, spec: Any, players: tuple[str, ...], game: str, tol: float
) -> tuple[int, int, list[tuple[str, str]], list[float] | None, str | None]:
    """Validate one node spec: (kind, player, [(action, target)], probabilities, infoset)."""
    if not isinstance(spec, Mapping):
        raise GameError("a node must be a mapping", game=game, node=node_id)
    allowed = {"player", "actions", "infoset"} if "player" in spec else {"chance", "actions"}
    extra = sorted(set(spec) - allowed)
    if extra or ("player" in spec) == ("chance" in spec):
        raise GameError(
            "a decision node has 'player', 'actions' and optionally 'infoset'; a chance node has "
            f"'chance' and optionally 'actions'; got keys {sorted(spec)}",
            game=game,
            node=node_id,
        )
    if "player" in spec:
        who = spec["player"]
        if who not in players:
            raise GameError(
                f"unknown player {who!r}; players are {list(players)}", game=game, node=node_id
            )
        actions = spec.get("actions")
        if not isinstance(actions, Mapping) or not actions:
            raise GameError("a decision node needs at least one action", game=game, node=node_id)
        edges = list(actions.items())
        infoset = spec.get("infoset")
        return DECISION, players.index(who), edges, None, None if infoset is None else str(infoset)
    branches = spec["chance"]
    if not isinstance(branches, Mapping) or not branches:
        raise GameError("a chance node needs at least one branch", game=game, node=node_id)
    targets = spec.get("actions", {})
    unknown = sorted(set(targets) - set(branches))
    if unknown:
        raise GameError(
            f"'actions' names branches {unknown} that 'chance' does not give",
            game=game,
            node=node_id,
        )
    try:
        probs = [float(p) for p in branches.values()]
    except (TypeError, ValueError):
        raise GameError("chance probabilities must be numbers", game=game, node=node_id) from None
    if not all(math.isfinite(p) and p >= 0 for p in probs):
        raise GameError(
            f"chance probabilities must be finite and >= 0, got {probs}", game=game, node=node_id
        )
    total = math.fsum(probs)
    if abs(total - 1.0) > tol:
        raise GameError(
            f"chance probabilities sum to {total:.12g}, not 1 (tol {tol:g})",
            game=game,
            node=node_id,
        )
    edges = [(str(a), str(targets.get(a, a))) for a in branches]
    return CHANCE, -1, edges, probs, None


def _build(
    nodes: Mapping[str, NodeSpec],
    outcomes: Mapping[str, Any],
    *,
    root: str,
    players: Sequence[str],
    name: str,
    tol: float,
) -> GameTree:
    game = name
    players_t = tuple(str(p) for p in players)
    if not players_t or len(set(players_t)) != len(players_t):
        raise GameError(f"players must be distinct and non-empty, got {list(players)}", game=game)
    both = sorted(set(nodes) & set(outcomes))
    if both:
        raise GameError("id is both a node and an outcome", game=game, node=both[0])
    if root not in nodes:
        raise GameError(
            "the root must be a decision or chance node in 'nodes'", game=game, node=root
        )
    outcome_ids = list(outcomes)
    outcome_index = {o: i for i, o in enumerate(outcome_ids)}
    outcome_payoffs = _payoff_matrix(outcomes, outcome_ids, players_t, game)
    parsed = {nid: _parse_node(nid, spec, players_t, game, tol) for nid, spec in nodes.items()}

    labels: list[str] = [root]
    kinds: list[int] = []
    movers: list[int] = []
    parents: list[int] = [-1]
    depths: list[int] = [0]
    probs: list[float] = [1.0]
    action_labels: list[str] = [""]
    term: list[int] = []
    infoset_keys: list[str | None] = []
    n_children: list[int] = []
    seen: dict[str, int] = {root: 0}
    i = 0
    while i < len(labels):
        nid = labels[i]
        if nid in outcome_index:
            kinds.append(TERMINAL)
            movers.append(-1)
            term.append(outcome_index[nid])
            infoset_keys.append(None)
            n_children.append(0)
            i += 1
            continue
        kind, mover, edges, chance_p, infoset = parsed[nid]
        kinds.append(kind)
        movers.append(mover)
        term.append(-1)
        infoset_keys.append((infoset if infoset is not None else nid) if kind == DECISION else None)
        n_children.append(len(edges))
        for k, (action, target) in enumerate(edges):
            if target in parsed:
                if target in seen:
                    _raise_revisit(nid, target, i, labels, parents, game)
                seen[target] = len(labels)
            elif target not in outcome_index:
                raise GameError(
                    f"action {action!r} leads to {target!r}, which is neither a node nor an "
                    "outcome",
                    game=game,
                    node=nid,
                )
            labels.append(target)
            parents.append(i)
            depths.append(depths[i] + 1)
            probs.append(chance_p[k] if chance_p is not None else 1.0)
            action_labels.append(action)
        i += 1
    unreachable = [nid for nid in nodes if nid not in seen]
    if unreachable:
        raise GameError(
            f"not reachable from the root {root!r} ({len(unreachable)} such node(s))",
            game=game,
            node=unreachable[0],
        )

    kind_a = np.array(kinds, dtype=np.int8)
    infoset_ids: dict[str, int] = {}
    infoset = np.full(len(labels), -1, dtype=np.int64)
    first_member: list[int] = []
    for idx, key in enumerate(infoset_keys):
        if key is None:
            continue
        if key not in infoset_ids:
            infoset_ids[key] = len(first_member)
            first_member.append(idx)
        infoset[idx] = infoset_ids[key]
    child_ptr = np.concatenate([[1], 1 + np.cumsum(n_children)]).astype(np.int64)
    _check_infosets(infoset, first_member, movers, child_ptr, action_labels, labels, game)
    term_a = np.array(term, dtype=np.int64)
    is_term = term_a >= 0
    terminal = np.full(len(labels), -1, dtype=np.int64)
    terminal[is_term] = np.arange(int(is_term.sum()))
    return GameTree(
        name=name,
        players=players_t,
        kind=_frozen(kind_a),
        player=_frozen(movers, np.int64),
        parent=_frozen(parents, np.int64),
        depth=_frozen(depths, np.int64),
        child_ptr=_frozen(child_ptr),
        prob=_frozen(probs, float),
        labels=_frozen(labels, object),
        actions=_frozen(action_labels, object),
        terminal=_frozen(terminal),
        payoffs=_frozen(outcome_payoffs[term_a[is_term]]),
        infoset=_frozen(infoset),
        infoset_labels=tuple(infoset_ids),
    )


def _raise_revisit(
    nid: str, target: str, i: int, labels: list[str], parents: list[int], game: str
) -> None:
    chain = [nid]
    j = i
    while j >= 0:
        if labels[j] == target:
            cycle = " -> ".join([*reversed(chain), target])
            raise GameError(f"cycle {cycle}", game=game, node=target)
        j = parents[j]
        if j >= 0:
            chain.append(labels[j])
    raise GameError(
        f"reached a second time (from {nid!r}); each node of a tree has one parent, "
        "use an outcome or a separate node id for the second occurrence",
        game=game,
        node=target,
    )


def _check_infosets(
    infoset: np.ndarray,
    first_member: list[int],
    movers: list[int],
    child_ptr: np.ndarray,
    action_labels: list[str],
    labels: list[str],
    game: str,
) -> None:
    if not first_member:
        return
    counts = np.bincount(infoset[infoset >= 0], minlength=len(first_member))
    for node in np.flatnonzero((infoset >= 0) & (counts[np.maximum(infoset, 0)] > 1)):
        head = first_member[infoset[node]]
        if movers[node] != movers[head]:
            raise GameError(
                f"information set shared with {labels[head]!r} of another player",
                game=game,
                node=labels[node],
            )
        mine = action_labels[child_ptr[node] : child_ptr[node + 1]]
        theirs = action_labels[child_ptr[head] : child_ptr[head + 1]]
        if mine != theirs:
            raise GameError(
                f"actions {mine} differ from {theirs} of {labels[head]!r} in the same "
                "information set (same labels in the same order needed)",
                game=game,
                node=labels[node],
            )


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
    ``tol`` (relative to ``max(1, |best|)``) are listed; ties are never broken silently: the
    first optimal action is played and the node is reported in ``ties``.

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
    sizes = [int(np.prod(n_actions[inf])) for inf in owned]
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
