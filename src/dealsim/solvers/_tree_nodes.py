"""Private: the dict-of-nodes description of a game tree (see ``GameTree.from_nodes``).

The checks of one node and of the payoffs, shared with the validating loop of
:mod:`dealsim.solvers.game_tree`, and the fast layout of plain trees (:func:`_build_plain`):
a valid tree without information sets read in a few C-level passes over the dict and laid out
breadth-first with numpy, or None for the loop to build or refuse.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from itertools import chain, islice, repeat
from operator import is_, is_not
from typing import Any

import numpy as np

from dealsim.errors import GameError
from dealsim.solvers._tree import CHANCE, DECISION, TERMINAL

__all__: list[str] = []

NodeSpec = Mapping[str, Any]


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


def _plain_payoffs(rows: list[Any], shape: tuple[int, int]) -> np.ndarray | None:
    """Rows of numbers, one per player, read in one flat pass; None if they are not all that."""
    if set(map(len, rows)) != {shape[1]} or not set(map(type, chain.from_iterable(rows))) <= {
        float,
        int,
    }:
        return None
    return np.fromiter(chain.from_iterable(rows), float, shape[0] * shape[1]).reshape(shape)


def _payoff_matrix(
    outcomes: Mapping[str, Any], ids: Collection[str], players: tuple[str, ...], game: str
) -> np.ndarray:
    """(n_outcomes, n_players) payoffs; one array conversion when every row is a plain vector."""
    shape = (len(ids), len(players))
    plain = set(map(type, outcomes.values())) <= {list, tuple}  # no Mapping: skip the ABC check
    if plain or not any(isinstance(v, Mapping) for v in outcomes.values()):
        try:
            rows = list(outcomes.values())
            matrix = _plain_payoffs(rows, shape) if plain else None
            if matrix is None:
                matrix = np.array(rows, dtype=float).reshape(shape)
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
    if type(spec) is dict and len(spec) == 2 and type(spec.get("actions")) is dict:
        # the common decision node {"player": p, "actions": {...}}: no set, no ABC checks
        who = spec.get("player")
        if spec["actions"] and who in players:
            return DECISION, players.index(who), list(spec["actions"].items()), None, None
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


_Plain = tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    tuple[str, ...],
]


def _build_plain(
    nodes: Mapping[str, NodeSpec],
    outcomes: Mapping[str, Any],
    *,
    root: str,
    players: tuple[str, ...],
    tol: float,
) -> _Plain | None:
    """The per-node arrays of a valid tree without information sets, laid out by whole layers.

    The common description (``dict`` nodes; decision nodes ``{"player": p, "actions": {...}}``,
    chance nodes validated by :func:`_parse_node`) is read in a few C-level passes over the
    dict: the edges are flattened in dict order, each target resolved to its node or outcome
    (by :func:`_target_codes`: by identity with the key object where it is one, else looked
    up), the tree shape checked by in-degrees (the root
    none, every other node exactly one, every node reached) and the breadth-first order laid
    out a layer at a time with numpy. Returns None at anything else (a node that is not a
    ``dict``, an information set, any invalid node, target or payoff, an id both a node and an
    outcome, a node reached twice or never, a tree much deeper than wide): ``game_tree._build`` then
    runs its checks and the validating loop, which builds the same tree or raises its error for
    the first offending node. The output is identical to that loop's.
    """
    n = len(nodes)
    ids = list(nodes)
    specs = list(nodes.values())
    # -1: an unknown player; -2: none (a chance node; one whose player is None is taken for a
    # chance node here, and refused as one)
    mover_of: dict[Any, int] = {None: -2, **{p: i for i, p in enumerate(players)}}
    none: dict[str, str] = {}  # the actions of a node without them
    try:
        # One pass over the node dicts for all their fields (each dict is read while it is in
        # the cache); object arrays, not lists of per-node objects: a million new containers
        # would set off the cyclic garbage collector over the whole description again and again.
        actions_of = map(dict.get, specs, repeat("actions"), repeat(none))
        fields = zip(
            map(dict.get, specs, repeat("player")),
            map(len, specs),
            actions_of,
            map(len, map(dict.get, specs, repeat("actions"), repeat(none))),
            map(type, map(dict.get, specs, repeat("actions"), repeat(none))),
            strict=True,
        )
        flat = np.fromiter(chain.from_iterable(fields), object, 5 * n).reshape(n, 5)
        root_code = ids.index(root)
        if root in outcomes:
            return None  # an id both a node and an outcome
    except (TypeError, ValueError):  # a node not a dict, actions without a length, no root
        return None
    who, maps = flat[:, 0], flat[:, 2]
    sizes, counts = flat[:, 1].astype(np.int64), flat[:, 3].astype(np.int64)
    try:
        movers = np.fromiter(map(mover_of.get, who, repeat(-1)), np.int64, n)
    except TypeError:  # an unhashable player
        return None
    has_player = movers != -2
    is_map = np.fromiter(map(is_, flat[:, 4], repeat(dict)), bool, n)
    if not np.array_equal(has_player, has_player & (movers >= 0) & (sizes == 2) & is_map):
        return None  # an information set, an unknown player, actions not a dict
    chance = np.flatnonzero(~has_player).tolist()
    simple, branches, probs = _plain_chance(specs, chance, sizes, tol)
    if probs is None:
        return None  # an invalid probability: the loop names the node
    other = sorted(set(chance) - set(simple))
    for i in other:  # chance nodes with "actions" or unusual keys: the full check
        try:
            _, _, edges, node_probs, _ = _parse_node(ids[i], specs[i], players, "", tol)
        except GameError:
            return None
        maps[i] = dict(edges)
        counts[i] = len(edges)
        if len(maps[i]) != len(edges):
            return None
        probs.extend(node_probs)
    if simple:  # their branch labels are their action labels and name their targets
        maps[simple] = np.fromiter(branches, object, len(simple))
        counts[simple] = np.fromiter(map(len, branches), np.int64, len(simple))
    if not counts.all():
        return None  # a decision node without actions
    n_edges = int(counts.sum())
    start = np.cumsum(counts) - counts
    # the labels of the nodes and of the actions leading into them, in dict order of the edges
    # after the root's: laid out breadth-first below (in place if the dict is in that order)
    labels = np.fromiter(
        chain([root], chain.from_iterable(map(dict.values, maps))), object, n_edges + 1
    )
    action_labels = np.fromiter(chain([""], chain.from_iterable(maps)), object, n_edges + 1)
    targets, actions = labels[1:], action_labels[1:]
    if simple:
        named = _edge_ranges(start, counts, np.array(simple, dtype=np.int64))
        targets[named] = actions[named]
    # Each target is resolved to a node (its position in ``nodes``) or an outcome (n + its
    # position in ``outcomes``), by identity where it is the very key object, else by lookup.
    code = _target_codes(nodes, outcomes, ids, specs, targets)
    if code is None or (code < 0).any():
        return None  # a target neither a node nor an outcome, unhashable, or an id both
    inner_edges = np.flatnonzero(code < n)
    codes = np.minimum(code, n)  # n: a leaf
    indegree = np.bincount(codes[inner_edges], minlength=n)
    indegree[root_code] += 1
    if (indegree != 1).any():
        return None  # a node reached twice (or the root reached), or one never reached
    edge_prob = np.ones(n_edges)
    if chance:
        edge_prob[_edge_ranges(start, counts, np.array(simple + other, dtype=np.int64))] = probs
    # Breadth-first layout, a layer at a time: a layer's edges are its nodes' edge ranges in
    # the order of the nodes, and its internal targets are the next layer.
    order: list[np.ndarray] = []
    parent: list[np.ndarray] = [np.array([-1])]
    widths = [1]
    frontier = np.array([root_code])
    position = np.array([0])
    placed = 1
    while frontier.size:
        if len(widths) > max(64, n_edges // 64):
            return None  # a deep, narrow tree: the loop is faster than many tiny layers
        k = counts[frontier]
        total = int(k.sum())
        edges = np.repeat(start[frontier] - np.cumsum(k) + k, k) + np.arange(total)
        order.append(edges)
        parent.append(np.repeat(position, k))
        widths.append(total)
        inner = np.flatnonzero(codes[edges] < n)
        frontier = codes[edges[inner]]
        position = placed + inner
        placed += total
    if placed != n_edges + 1:
        return None  # a cycle away from the root (its nodes never reached)
    edge_order = np.concatenate(order)
    node = np.concatenate([[root_code], codes[edge_order]])
    inner = node < n
    try:
        matrix = _payoff_matrix(outcomes, outcomes.keys(), players, "")
    except GameError:
        return None  # payoffs the loop refuses (it names the outcome)
    leaf_rows = code[edge_order[~inner[1:]]] - n
    payoffs = matrix if np.array_equal(leaf_rows, np.arange(len(matrix))) else matrix[leaf_rows]
    at = np.where(inner, node, 0)
    kind = np.where(inner, np.where(has_player[at], DECISION, CHANCE), TERMINAL).astype(np.int8)
    decision = kind == DECISION
    if not np.array_equal(edge_order, np.arange(n_edges)):
        targets[:] = targets[edge_order]
        actions[:] = actions[edge_order]
    infoset = np.full(node.size, -1, dtype=np.int64)
    infoset[decision] = np.arange(int(decision.sum()))
    return (
        kind,
        np.where(decision, movers[at], -1),
        np.concatenate(parent),
        np.repeat(np.arange(len(widths)), widths),
        np.concatenate([[1], 1 + np.cumsum(np.where(inner, counts[at], 0))]),
        np.concatenate([[1.0], edge_prob[edge_order]]),
        labels,
        action_labels,
        ~inner,
        payoffs,
        infoset,
        tuple(labels[decision].tolist()),
    )


def _addresses(objects: np.ndarray) -> np.ndarray:
    """The addresses of the objects an object array holds, as int64, one per item.

    Read from the array's buffer, where numpy stores a pointer to each object: no Python call
    per item. Two items have the same address exactly when they are the same object (for as long
    as ``objects`` holds them); addresses are only compared with each other.
    """
    held = np.ascontiguousarray(objects, dtype=object)
    view = _Buffer(held.__array_interface__["data"][0], held.shape)
    return np.array(view, dtype=np.int64, copy=True)


def _positions(held: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each of ``wanted``, a position in ``held`` of an equal value (-1 if there is none)."""
    if np.array_equal(held, wanted):
        return np.arange(held.size)
    if not held.size:
        return np.full(wanted.size, -1)
    by_value = np.argsort(held, kind="stable")  # addresses: mostly in order already
    ordered = held[by_value]
    at = np.minimum(np.searchsorted(ordered, wanted), held.size - 1)
    return np.where(ordered[at] == wanted, by_value[at], -1)


class _Buffer:
    """An integer view of an object array's pointers, through numpy's array interface."""

    def __init__(self, address: int, shape: tuple[int, ...]) -> None:
        self.__array_interface__ = {
            "version": 3,
            "shape": shape,
            "typestr": np.dtype(np.intp).str,
            "data": (address, True),
        }


def _target_codes(
    nodes: Mapping[str, Any],
    outcomes: Mapping[str, Any],
    ids: list[Any],
    specs: list[Any],
    targets: np.ndarray,
) -> np.ndarray | None:
    """Each target's node (its position in ``nodes``) or outcome (``len(nodes)`` + its position).

    -1 for a target that is neither; None for an unhashable target, or when a node is found by
    identity and some id is both a node and an outcome. A target that is itself one of the keys
    (the same object, as when the description is built in code) is found by its address among
    the keys', with no hashing; the others are looked up as the validating loop does, first in
    ``outcomes``: an outcome by the identity of its row (any outcome holding that row object has
    the same payoffs), a node by :func:`_node_codes`. (A node id that is also an outcome id is
    then taken for the outcome, and its node is never reached: the in-degree check refuses it.)
    Whether the targets are keys is first tried on a sample (64 node ids spread over ``nodes``,
    the first 64 outcome ids): unless the targets that are sample keys number at least half the
    sample, every target is looked up with no search by address (a parsed description, where at
    most the parser's shared keys, such as a chance node's branch labels, are the node ids).
    """
    n, m = len(ids), len(outcomes)
    wanted = _addresses(targets)
    sample = [*ids[:: max(1, n // 64)], *islice(outcomes, 64)]
    probe = np.sort(_addresses(np.fromiter(sample, object, len(sample))))
    found = probe[np.minimum(np.searchsorted(probe, wanted), probe.size - 1)] == wanted
    if 2 * np.count_nonzero(found) >= len(sample):  # most keys are targets: worth the search
        keys = np.fromiter(chain(ids, outcomes), object, n + m)
        code = _positions(_addresses(keys), wanted)
    else:
        code = np.full(targets.size, -1)
    if (code[code >= 0] < n).any() and not outcomes.keys().isdisjoint(nodes):
        return None  # an id both a node and an outcome: the key found may not be the one meant
    missed = np.flatnonzero(code < 0)
    if not missed.size:
        return code
    rest = targets if missed.size == targets.size else targets[missed]
    try:
        rows = np.fromiter(map(outcomes.get, rest), object, missed.size)
    except TypeError:  # an unhashable target
        return None
    leaf = np.fromiter(map(is_not, rows, repeat(None)), bool, missed.size)
    row = _positions(_addresses(np.fromiter(outcomes.values(), object, m)), _addresses(rows[leaf]))
    if (row < 0).any():
        return None  # a mapping whose values are made afresh on each lookup
    code[missed[leaf]] = n + row
    code[missed[~leaf]] = _node_codes(nodes, ids, specs, rest[~leaf])
    return code


def _node_codes(
    nodes: Mapping[str, Any], ids: list[Any], specs: list[Any], targets: np.ndarray
) -> np.ndarray:
    """The position in ``nodes`` of each of ``targets`` (-1 if it is not a node id).

    By identity: a target is looked up in ``nodes`` and its node dict found among the node dicts
    by address (no index of the ids is built); by an index of the ids if one dict serves as
    several nodes.
    """
    held = _addresses(np.fromiter(specs, object, len(specs)))
    if not (np.diff(np.sort(held)) == 0).any():
        wanted = np.fromiter(map(nodes.get, targets), object, targets.size)
        return _positions(held, _addresses(wanted))
    index = dict(zip(ids, range(len(ids)), strict=True))
    return np.fromiter(map(index.get, targets, repeat(-1)), np.int64, targets.size)


def _edge_ranges(start: np.ndarray, counts: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """The positions of the edges of ``nodes``, node by node (edges of node i: ``start[i]`` on)."""
    k = counts[nodes]
    return np.repeat(start[nodes] - np.cumsum(k) + k, k) + np.arange(int(k.sum()))


def _plain_chance(
    specs: list[Any], chance: list[int], sizes: np.ndarray, tol: float
) -> tuple[list[int], list[dict[str, Any]], list[float] | None]:
    """Chance nodes ``{"chance": {label: p}}`` (str labels, int or float p) checked in bulk.

    Returns the indices of those nodes, their ``chance`` dicts and their probabilities, flat in
    that order (None if one is negative, not finite or a node's do not sum to 1 within ``tol``,
    by ``math.fsum`` as :func:`_parse_node` does). Other chance nodes are left to
    :func:`_parse_node`.
    """
    if not chance:
        return [], [], []
    branches = list(map(dict.get, map(specs.__getitem__, chance), repeat("chance")))
    plain = (sizes[chance] == 1) & np.fromiter(
        map(isinstance, branches, repeat(dict)), bool, len(chance)
    )
    if not plain.all():
        simple = np.flatnonzero(plain).tolist()
        branches = list(map(branches.__getitem__, simple))
        chance = [chance[i] for i in simple]
    if not branches:
        return [], [], []
    labels = set(map(type, chain.from_iterable(branches)))
    values = list(chain.from_iterable(map(dict.values, branches)))
    if labels != {str} or not set(map(type, values)) <= {float, int} or not all(branches):
        return [], [], []
    p = np.array(values, dtype=float)
    totals = np.fromiter(map(math.fsum, map(dict.values, branches)), float, len(branches))
    if not (np.isfinite(p) & (p >= 0)).all() or (np.abs(totals - 1.0) > tol).any():
        return [], [], None
    return chance, branches, values
