"""Private: a game tree given as arrays, validated and laid out breadth-first.

The kernel of :meth:`dealsim.solvers.game_tree.GameTree.from_arrays`. The input lists the nodes
in any order, each with its parent (-1 at the root), its mover (-1 at chance and terminal
nodes), the probability of the chance branch leading into it, and the terminal payoffs in the
order the terminal nodes are listed. Every check is vectorised over the nodes; an error names
the first offending node (in the order given) and the argument. No Python loop runs per node.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dealsim.errors import GameError
from dealsim.solvers._tree import CHANCE, DECISION, TERMINAL

__all__: list[str] = []


def _int_array(values: Any, name: str, n: int | None, game: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.dtype.kind not in "iu" or (n is not None and arr.shape[0] != n):
        shape = "n_nodes" if n is None else str(n)
        raise GameError(
            f"{name} must be a 1-d array of integers of length {shape}, got dtype {arr.dtype} "
            f"and shape {arr.shape}",
            game=game,
        )
    return arr.astype(np.int64, copy=False)


def _labels(values: Any, n: int, name: str, game: str) -> np.ndarray:
    if not isinstance(values, np.ndarray):
        values = list(values)
        values = np.fromiter(values, object, len(values))  # 1-d even if the labels are tuples
    if values.shape != (n,):
        raise GameError(
            f"{name} must give one label per node ({n}), got shape {values.shape}", game=game
        )
    return values.astype(object, copy=False)


def _first_clash(
    labels: np.ndarray, group: np.ndarray | None = None, free: np.ndarray | None = None
) -> int | None:
    """Position of the first label equal to an earlier one of the same ``group``, or None.

    Two labels that are both ``free`` may be equal. The labels are sorted once by hash (mixed
    with the group); only labels with equal keys are compared by value, so no set of every
    label is built and a repeat is found exactly whatever the hashes.
    """
    if labels.size < 2:
        return None
    key = np.fromiter(map(hash, labels), np.int64, labels.size)
    if group is not None:
        key = key + group * np.int64(-7046029254386353131)  # wraps: equal keys are checked
    order = np.argsort(key, kind="stable")  # equal keys in the order given
    k = key[order]
    starts = np.concatenate([[0], np.flatnonzero(k[1:] != k[:-1]) + 1])
    sizes = np.diff(np.concatenate([starts, [labels.size]]))
    suspect = sizes > 1
    if free is not None:  # runs of free labels only may repeat
        suspect &= np.add.reduceat((~free[order]).astype(np.int64), starts) > 0
    found = []
    for lo, size in zip(starts[suspect].tolist(), sizes[suspect].tolist(), strict=True):
        run = order[lo : lo + size].tolist()
        for m, j in enumerate(run):
            if any(
                labels[i] == labels[j]
                and (group is None or group[i] == group[j])
                and (free is None or not (free[i] and free[j]))
                for i in run[:m]
            ):
                found.append(j)
                break
    return min(found) if found else None


def tree_arrays(
    parent: Any,
    player: Any,
    payoffs: Any,
    *,
    n_players: int,
    prob: Any,
    labels: Any,
    actions: Any,
    game: str,
    tol: float,
) -> tuple[Any, ...]:
    """The per-node arrays of :func:`dealsim.solvers.game_tree._assemble`, breadth-first."""
    parent = _int_array(parent, "parent", None, game)
    n = parent.shape[0]
    given = _labels(labels, n, "labels", game) if labels is not None else None

    def name(i: int) -> str:
        return str(given[i]) if given is not None else str(i)

    player = _int_array(player, "player", n, game)
    bad = np.flatnonzero((parent < -1) | (parent >= n) | (parent == np.arange(n)))
    if bad.size:
        i = int(bad[0])
        raise GameError(
            f"parent is {int(parent[i])}: a node's parent is another node's index (0 to {n - 1}) "
            "or -1 at the root",
            game=game,
            node=name(i),
        )
    roots = np.flatnonzero(parent < 0)
    if roots.size != 1:
        where = f" (nodes {', '.join(name(int(i)) for i in roots[:5])})" if roots.size else ""
        raise GameError(f"parent must be -1 at exactly one node, the root; {roots.size} are{where}",
                        game=game)  # fmt: skip
    root = int(roots[0])
    if n == 1:
        raise GameError(
            "the root must be a decision or chance node: no node names it as its parent",
            game=game,
            node=name(root),
        )
    # Children by parent, in the order given; then the breadth-first layout, a layer at a time.
    counts = np.bincount(parent[parent >= 0], minlength=n)
    child_of = np.argsort(parent, kind="stable")[1:]  # the root (parent -1) sorts first
    start = np.cumsum(counts) - counts
    layers = [np.array([root])]
    frontier = layers[0]
    placed = 1
    while frontier.size:
        k = counts[frontier]
        total = int(k.sum())
        kids = child_of[np.repeat(start[frontier] - np.cumsum(k) + k, k) + np.arange(total)]
        layers.append(kids)
        frontier = kids[counts[kids] > 0]
        placed += total
    if placed != n:
        reached = np.zeros(n, dtype=bool)
        reached[np.concatenate(layers)] = True
        raise GameError(
            "not reachable from the root: its parents lead round a cycle",
            game=game,
            node=name(int(np.flatnonzero(~reached)[0])),
        )
    bfs = np.concatenate(layers)
    widths = [layer.size for layer in layers]
    position = np.empty(n, dtype=np.int64)
    position[bfs] = np.arange(n)
    inner = counts > 0
    bad = np.flatnonzero(np.where(inner, (player < -1) | (player >= n_players), player != -1))
    if bad.size:
        i = int(bad[0])
        allowed = f"0 to {n_players - 1} at a decision node, -1 at a chance node" if inner[i] else (
            "-1 at a terminal node (one without children)")  # fmt: skip
        raise GameError(f"player is {int(player[i])} (allowed: {allowed})", game=game, node=name(i))
    chance = inner & (player < 0)
    edge_prob = np.ones(n)
    if chance.any():
        if prob is None:
            raise GameError(
                "prob is needed: a chance node gives its branches' probabilities",
                game=game,
                node=name(int(np.flatnonzero(chance)[0])),
            )
        p = np.asarray(prob, dtype=float)
        if p.shape != (n,):
            raise GameError(f"prob must have one value per node ({n}), got shape {p.shape}",
                            game=game)  # fmt: skip
        branch = np.flatnonzero(chance[np.maximum(parent, 0)] & (parent >= 0))
        bad = branch[~(np.isfinite(p[branch]) & (p[branch] >= 0))]
        if bad.size:
            i = int(bad[0])
            raise GameError(
                f"prob is {p[i]}: chance probabilities must be finite and >= 0",
                game=game,
                node=name(i),
            )
        edge_prob[branch] = p[branch]
        totals = np.bincount(parent[branch], weights=p[branch], minlength=n)
        off = np.flatnonzero(chance & (np.abs(totals - 1.0) > tol))
        if off.size:
            i = int(off[0])
            total = math.fsum(p[parent == i])
            raise GameError(
                f"chance probabilities sum to {total:.12g}, not 1 (tol {tol:g})",
                game=game,
                node=name(i),
            )
    leaves = ~inner
    values = np.asarray(payoffs, dtype=float)
    n_leaves = int(leaves.sum())
    if values.shape != (n_leaves, n_players):
        raise GameError(
            f"payoffs must have one row per terminal node ({n_leaves}, in the order given) and "
            f"one column per player ({n_players}), got shape {values.shape}",
            game=game,
        )
    bad_rows = np.flatnonzero(~np.isfinite(values).all(axis=1))
    if bad_rows.size:
        i = int(np.flatnonzero(leaves)[bad_rows[0]])
        raise GameError(f"payoffs must be finite, got {values[bad_rows[0]].tolist()}",
                        game=game, node=name(i))  # fmt: skip
    leaf_row = np.cumsum(leaves) - 1
    if given is not None:
        # ids of decision and chance nodes are distinct, and none is a terminal node's id
        again = _first_clash(given, free=leaves)
        if again is not None:
            raise GameError(
                "id given to another node too (ids of decision and chance nodes are distinct "
                "and differ from the terminal nodes' outcome ids)",
                game=game,
                node=name(again),
            )
    kind = np.where(inner, np.where(chance, CHANCE, DECISION), TERMINAL).astype(np.int8)[bfs]
    parent_bfs = np.where(parent[bfs] >= 0, position[np.maximum(parent[bfs], 0)], -1)
    child_ptr = np.concatenate([[1], 1 + np.cumsum(counts[bfs])])
    sibling = np.arange(n) - child_ptr[np.maximum(parent_bfs, 0)]
    sibling[0] = 0
    if actions is None:
        names = np.fromiter(map(str, range(int(counts.max()))), object, int(counts.max()))
        action_labels = names[sibling]
        action_labels[0] = ""
    else:
        action_labels = _labels(actions, n, "actions", game)[bfs]
        again = _first_clash(action_labels[1:], group=parent_bfs[1:])
        if again is not None:
            raise GameError(
                f"action {action_labels[again + 1]!r} appears twice among its siblings' actions",
                game=game,
                node=name(int(bfs[parent_bfs[again + 1]])),
            )
    is_term = kind == TERMINAL
    decision = kind == DECISION
    infoset = np.full(n, -1, dtype=np.int64)
    infoset[decision] = np.arange(int(decision.sum()))
    # the default ids (the indices given) are made in breadth-first order: no gather
    labels_bfs = given[bfs] if given is not None else np.fromiter(map(str, bfs.tolist()), object, n)
    return (
        kind,
        np.where(decision, player[bfs], -1),
        parent_bfs,
        np.repeat(np.arange(len(widths)), widths),
        child_ptr,
        edge_prob[bfs],
        labels_bfs,
        action_labels,
        is_term,
        values[leaf_row[bfs[is_term]]],
        infoset,
        tuple(labels_bfs[decision].tolist()),
    )
