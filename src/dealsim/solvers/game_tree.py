"""Game trees: built once from the dict-of-nodes description, validated, stored as flat arrays.

A :class:`GameTree` is built by :meth:`GameTree.from_nodes` from the description a scenario uses,
validated (every node reached once, chance probabilities summing to one, information sets whose
nodes share a player and actions), and stored as flat numpy arrays in breadth-first order (node
kind, player, parent, depth, children as CSR offsets, chance probabilities, terminal payoffs,
labels, information sets). The solvers in :mod:`dealsim.solvers.sequential` work on those arrays.
:meth:`GameTree.from_arrays` builds a perfect-information tree from parent, player and payoff
arrays instead, with no dict to read. The dict format's checks and fast layout are in
:mod:`dealsim.solvers._tree_nodes`, the arrays' in :mod:`dealsim.solvers._tree_arrays`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dealsim.errors import GameError
from dealsim.solvers._tree import DECISION, TERMINAL
from dealsim.solvers._tree_arrays import tree_arrays
from dealsim.solvers._tree_nodes import NodeSpec, _build_plain, _parse_node, _payoff_matrix

__all__ = ["GameTree"]


def _frozen(a: Any, dtype: Any = None) -> np.ndarray:
    if dtype is object and isinstance(a, list):  # 1-d even if the ids are tuples
        arr = np.fromiter(a, object, len(a))
    else:
        arr = np.asarray(a, dtype=dtype)  # the builders' arrays are their own: not copied
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

    @classmethod
    def from_arrays(
        cls,
        parent: Sequence[int] | np.ndarray,
        player: Sequence[int] | np.ndarray,
        payoffs: Sequence[Sequence[float]] | np.ndarray,
        *,
        players: Sequence[str],
        prob: Sequence[float] | np.ndarray | None = None,
        labels: Sequence[Any] | np.ndarray | None = None,
        actions: Sequence[Any] | np.ndarray | None = None,
        name: str = "game",
        tol: float = 1e-9,
    ) -> GameTree:
        """Build and validate a perfect-information tree given as arrays, one entry per node.

        The nodes may be listed in any order; a node's children are the nodes naming it as
        their parent, in the order listed. A node with children is a decision node (``player``
        its mover) or a chance node (``player`` -1); a node without children is terminal. This
        skips the dict of node dicts of :meth:`from_nodes` (whose lookups bound its speed): every
        check is vectorised, with no Python work per node.

        Parameters
        ----------
        parent : array of int, (n_nodes,)
            Index of each node's parent; -1 at the root (exactly one).
        player : array of int, (n_nodes,)
            Index into ``players`` of the mover at decision nodes; -1 at chance and terminal
            nodes.
        payoffs : array of float, (n_terminals, n_players)
            One row per terminal node, in the order the terminal nodes are listed.
        players : sequence of str
            Player names.
        prob : array of float, (n_nodes,), optional
            Probability of the chance branch leading into each node; needed if there are chance
            nodes, read only at their children.
        labels : array, (n_nodes,), optional
            Node ids (default: the node's index as a string); a terminal node's is its outcome
            id. Ids of decision and chance nodes must be distinct and differ from outcome ids.
        actions : array, (n_nodes,), optional
            Label of the action leading into each node (default: its position among its
            siblings, ``"0"``, ``"1"``, ...); distinct among siblings; ignored at the root.
        name : str, default "game"
            The game's name, used in error messages.
        tol : float, default 1e-9
            Tolerance on chance probabilities summing to 1.

        Returns
        -------
        GameTree
            Laid out breadth-first, as :meth:`from_nodes` lays out the same tree.

        Raises
        ------
        GameError
            Naming the game, the argument and (where there is one) the first offending node in
            the order given: a parent out of range, not one root, a cycle of parents, a player
            out of range, chance probabilities negative or not summing to 1, payoffs of the
            wrong shape or not finite, repeated ids or sibling actions.

        Examples
        --------
        Entry deterrence, as in :meth:`from_nodes`: nodes entrant, stay_out, incumbent, war,
        share.

        >>> tree = GameTree.from_arrays(
        ...     parent=[-1, 0, 0, 2, 2], player=[0, -1, 1, -1, -1],
        ...     payoffs=[[0, 2], [-1, -1], [1, 1]], players=["E", "I"], name="entry",
        ...     labels=["entrant", "stay_out", "incumbent", "war", "share"],
        ...     actions=["", "out", "in", "fight", "accommodate"])
        >>> tree.labels.tolist()
        ['entrant', 'stay_out', 'incumbent', 'war', 'share']
        >>> tree.player.tolist(), tree.payoffs.tolist()
        ([0, -1, 1, -1, -1], [[0.0, 2.0], [-1.0, -1.0], [1.0, 1.0]])
        """
        players_t = tuple(str(p) for p in players)
        if not players_t or len(set(players_t)) != len(players_t):
            raise GameError(
                f"players must be distinct and non-empty, got {list(players)}", game=name
            )
        arrays = tree_arrays(
            parent,
            player,
            payoffs,
            n_players=len(players_t),
            prob=prob,
            labels=labels,
            actions=actions,
            game=name,
            tol=tol,
        )
        return _assemble(name, players_t, *arrays)


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
    fast = _build_plain(nodes, outcomes, root=root, players=players_t, tol=tol)
    if fast is not None:
        return _assemble(name, players_t, *fast)
    # the validating loop: the checks in order, each raising for the first offending node
    both = [] if nodes.keys().isdisjoint(outcomes) else sorted(set(nodes) & set(outcomes))
    if both:
        raise GameError("id is both a node and an outcome", game=game, node=both[0])
    if not isinstance(root, Hashable) or root not in nodes:
        raise GameError(
            "the root must be a decision or chance node in 'nodes'", game=game, node=root
        )
    outcome_ids = list(outcomes)
    outcome_index = dict(zip(outcome_ids, range(len(outcome_ids)), strict=False))
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
            try:
                is_node = target in parsed
            except TypeError:  # an unhashable target (a list, say): no id can equal it
                is_node = False
            if is_node:
                if target in seen:
                    _raise_revisit(nid, target, i, labels, parents, game)
                seen[target] = len(labels)
            elif not isinstance(target, Hashable) or target not in outcome_index:
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
    return _assemble(
        name,
        players_t,
        kind_a,
        np.array(movers, dtype=np.int64),
        np.array(parents, dtype=np.int64),
        np.array(depths, dtype=np.int64),
        child_ptr,
        np.array(probs, dtype=float),
        labels,
        action_labels,
        term_a >= 0,
        outcome_payoffs[term_a[term_a >= 0]],
        infoset,
        tuple(infoset_ids),
    )


def _assemble(
    name: str,
    players: tuple[str, ...],
    kind: np.ndarray,
    movers: np.ndarray,
    parents: np.ndarray,
    depths: np.ndarray,
    child_ptr: np.ndarray,
    probs: np.ndarray,
    labels: list[Any] | np.ndarray,
    action_labels: list[Any] | np.ndarray,
    is_term: np.ndarray,
    payoffs: np.ndarray,
    infoset: np.ndarray,
    infoset_labels: tuple[str, ...],
) -> GameTree:
    """The frozen :class:`GameTree` of per-node arrays in breadth-first order.

    ``payoffs`` are the terminal nodes' rows in breadth-first order (``is_term`` marks them); the
    arrays are the builder's own and are frozen in place, not copied.
    """
    terminal = np.full(len(labels), -1, dtype=np.int64)
    terminal[is_term] = np.arange(int(is_term.sum()))
    return GameTree(
        name=name,
        players=players,
        kind=_frozen(kind),
        player=_frozen(movers),
        parent=_frozen(parents),
        depth=_frozen(depths),
        child_ptr=_frozen(child_ptr),
        prob=_frozen(probs),
        labels=_frozen(labels, object),
        actions=_frozen(action_labels, object),
        terminal=_frozen(terminal),
        payoffs=_frozen(payoffs),
        infoset=_frozen(infoset),
        infoset_labels=infoset_labels,
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
