"""Private kernels of the sequence form (see :mod:`dealsim.solvers.sequence_form`).

A player's *sequences* are the empty sequence (index 0) and one sequence per (information set,
action) pair of theirs, numbered information set by information set in the tree's order of
information sets (``GameTree.infoset`` ids, which follow the breadth-first order of their first
nodes), the actions of one set contiguous. With perfect recall every node of an information set
is reached by the same sequence of its owner (its *parent sequence*), and that sequence belongs
to an information set with a smaller id, so sequences are numbered parents first.

Walks over a player's sequences go level by level of their sequence tree (the number of the
player's own moves before an information set), with numpy segment reductions over each level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from dealsim.errors import SolverError

if TYPE_CHECKING:
    from dealsim.solvers.sequential import GameTree

__all__: list[str] = []

DECISION = 0  # GameTree.kind codes: 0 decision, 1 chance, 2 terminal


@dataclass(frozen=True, eq=False)
class Level:
    """The information sets of one player at one level of their sequence tree."""

    infosets: np.ndarray  # tree infoset ids
    seqs: np.ndarray  # their sequences, set by set (contiguous per set)
    offsets: np.ndarray  # start of each set's block in ``seqs``
    parents: np.ndarray  # parent sequence of each set


@dataclass(frozen=True, eq=False)
class Layout:
    """Sequences of a two-player tree and where every node sits in them."""

    owner: np.ndarray  # (n_infosets,) owning player
    head: np.ndarray  # (n_infosets,) first node of each set
    n_actions: np.ndarray  # (n_infosets,)
    base: np.ndarray  # (n_infosets,) first sequence of the set in its owner's numbering
    parent_seq: np.ndarray  # (n_infosets,) the owner's sequence leading to the set
    node_seq: np.ndarray  # (n_nodes, 2) each player's sequence leading to each node
    chance_reach: np.ndarray  # (n_nodes,) product of chance probabilities above each node
    n_seq: tuple[int, int]
    owned: tuple[np.ndarray, np.ndarray]  # infoset ids of each player, in row order of E / F
    seq_infoset: tuple[np.ndarray, np.ndarray]  # infoset of each sequence (-1: empty)
    levels: tuple[tuple[Level, ...], tuple[Level, ...]]


def _blocks(base: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated ranges ``base[i] .. base[i] + sizes[i] - 1`` and their offsets."""
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    seqs = np.repeat(base - offsets, sizes) + np.arange(int(sizes.sum()))
    return seqs, offsets


def own_history(tree: GameTree, node: int, player: int) -> str:
    """A player's own moves above a node, as ``[set:action, ...]`` (for messages)."""
    moves = []
    while node > 0:
        parent = int(tree.parent[node])
        if tree.kind[parent] == DECISION and tree.player[parent] == player:
            moves.append(f"{tree.infoset_labels[tree.infoset[parent]]}:{tree.actions[node]}")
        node = parent
    return "[" + ", ".join(reversed(moves)) + "]"


def layout(tree: GameTree) -> Layout:
    """Sequences, node sequences and chance reach of a two-player tree; checks perfect recall."""
    n_inf = len(tree.infoset_labels)
    decision = np.flatnonzero(tree.kind == DECISION)
    head = np.full(n_inf, -1, dtype=np.int64)
    head[tree.infoset[decision[::-1]]] = decision[::-1]
    n_actions = (tree.child_ptr[head + 1] - tree.child_ptr[head]).astype(np.int64)
    owner = tree.player[head].astype(np.int64)
    base = np.zeros(n_inf, dtype=np.int64)
    owned = tuple(np.flatnonzero(owner == p) for p in range(2))
    for inf in owned:
        base[inf] = 1 + np.cumsum(n_actions[inf]) - n_actions[inf]
    n_seq = tuple(1 + int(n_actions[inf].sum()) for inf in owned)

    n = tree.n_nodes
    padded = np.append(base, 0)
    node_seq = np.zeros((n, 2), dtype=np.int64)
    chance_reach = np.ones(n)
    bounds = np.searchsorted(tree.depth, np.arange(int(tree.depth[-1]) + 2))
    for d in range(1, len(bounds) - 1):
        c = np.arange(bounds[d], bounds[d + 1])
        p = tree.parent[c]
        chance_reach[c] = chance_reach[p] * tree.prob[c]
        seqs = node_seq[p]
        moved = tree.kind[p] == DECISION
        own = padded[tree.infoset[p]] + (c - tree.child_ptr[p])  # -1 (no set) reads the pad
        for i in range(2):
            mask = moved & (tree.player[p] == i)
            seqs[mask, i] = own[mask]
        node_seq[c] = seqs

    parent_seq = node_seq[head, owner] if n_inf else np.zeros(0, dtype=np.int64)
    at = node_seq[decision, owner[tree.infoset[decision]]]
    bad = np.flatnonzero(at != parent_seq[tree.infoset[decision]])
    if bad.size:
        node = int(decision[bad[0]])
        h = int(tree.infoset[node])
        first, who = int(head[h]), int(owner[h])
        raise SolverError(
            f"game {tree.name!r}: information set {tree.infoset_labels[h]!r} of player "
            f"{tree.players[who]!r} violates perfect recall: its nodes {tree.labels[first]!r} "
            f"and {tree.labels[node]!r} follow different moves of that player "
            f"({own_history(tree, first, who)} and {own_history(tree, node, who)}); the "
            "sequence form needs "
            "perfect recall (a player remembers their own moves and what they knew), so give "
            "these nodes separate information sets"
        )

    seq_infoset = []
    levels = []
    for i, inf in enumerate(owned):
        s_inf = np.full(n_seq[i], -1, dtype=np.int64)
        s_inf[_blocks(base[inf], n_actions[inf])[0]] = np.repeat(inf, n_actions[inf])
        seq_infoset.append(s_inf)
        depth = np.zeros(n_inf, dtype=np.int64)  # own moves before each set
        for h in inf:  # parents come first
            ps = parent_seq[h]
            depth[h] = 0 if ps == 0 else depth[s_inf[ps]] + 1
        per = []
        for lev in range(int(depth[inf].max(initial=-1)) + 1):
            hs = inf[depth[inf] == lev]
            seqs, offsets = _blocks(base[hs], n_actions[hs])
            per.append(Level(hs, seqs, offsets, parent_seq[hs]))
        levels.append(tuple(per))
    return Layout(
        owner=owner,
        head=head,
        n_actions=n_actions,
        base=base,
        parent_seq=parent_seq,
        node_seq=node_seq,
        chance_reach=chance_reach,
        n_seq=n_seq,  # type: ignore[arg-type]
        owned=owned,  # type: ignore[arg-type]
        seq_infoset=tuple(seq_infoset),  # type: ignore[arg-type]
        levels=tuple(levels),  # type: ignore[arg-type]
    )


def payoff_matrix(lay: Layout, tree: GameTree, values: np.ndarray) -> sparse.csr_array:
    """``(n_seq[0], n_seq[1])``: terminal ``values`` times chance, summed per sequence pair."""
    ends = np.flatnonzero(tree.terminal >= 0)
    weights = lay.chance_reach[ends] * values[tree.terminal[ends]]
    rows, cols = lay.node_seq[ends, 0], lay.node_seq[ends, 1]
    return sparse.csr_array(sparse.coo_array((weights, (rows, cols)), shape=lay.n_seq))


def constraints(lay: Layout, player: int) -> tuple[sparse.csr_array, np.ndarray]:
    """``E`` and ``e`` of a player's realisation plans (row 0: the empty sequence)."""
    inf = lay.owned[player]
    k = 1 + inf.size
    seqs, _ = _blocks(lay.base[inf], lay.n_actions[inf])
    rows = [np.array([0]), np.arange(1, k), np.repeat(np.arange(1, k), lay.n_actions[inf])]
    cols = [np.array([0]), lay.parent_seq[inf], seqs]
    vals = [np.array([1.0]), -np.ones(inf.size), np.ones(seqs.size)]
    E = sparse.coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(k, lay.n_seq[player]),
    )
    e = np.zeros(k)
    e[0] = 1.0
    return sparse.csr_array(E), e


def action_labels(tree: GameTree, lay: Layout, h: int) -> list[str]:
    """The action labels of information set ``h``."""
    start = int(tree.child_ptr[lay.head[h]])
    return [str(a) for a in tree.actions[start : start + int(lay.n_actions[h])]]


def behaviour_mapping(
    tree: GameTree, lay: Layout, local: list[np.ndarray]
) -> dict[str, dict[str, float]]:
    """``{information set: {action: probability}}`` from per-sequence action probabilities."""
    out = {}
    for h, label in enumerate(tree.infoset_labels):
        start = int(lay.base[h])
        probs = local[int(lay.owner[h])][start : start + int(lay.n_actions[h])].tolist()
        out[label] = dict(zip(action_labels(tree, lay, h), probs, strict=True))
    return out


def reach_and_beliefs(
    tree: GameTree, lay: Layout, x: np.ndarray, y: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray, dict[str, dict[str, float] | None]]:
    """Reach of every node and set, and beliefs (None at sets reached with ``<= tol``)."""
    node_reach = lay.chance_reach * x[lay.node_seq[:, 0]] * y[lay.node_seq[:, 1]]
    decision = np.flatnonzero(tree.kind == DECISION)
    n_inf = len(tree.infoset_labels)
    set_reach = np.bincount(tree.infoset[decision], weights=node_reach[decision], minlength=n_inf)
    order = decision[np.argsort(tree.infoset[decision], kind="stable")]
    members = np.split(order, np.cumsum(np.bincount(tree.infoset[order], minlength=n_inf))[:-1])
    beliefs: dict[str, dict[str, float] | None] = {}
    for h, label in enumerate(tree.infoset_labels):
        if set_reach[h] <= tol:
            beliefs[label] = None
            continue
        share = node_reach[members[h]] / set_reach[h]
        beliefs[label] = dict(zip(map(str, tree.labels[members[h]]), share.tolist(), strict=True))
    return node_reach, set_reach, beliefs


def uniform(lay: Layout, player: int) -> np.ndarray:
    """Per sequence the probability of its last action when every set mixes uniformly."""
    local = np.ones(lay.n_seq[player])
    for lev in lay.levels[player]:
        sizes = np.diff(np.append(lev.offsets, lev.seqs.size))
        local[lev.seqs] = 1.0 / np.repeat(sizes, sizes)
    return local


def plan_from_behaviour(lay: Layout, player: int, local: np.ndarray) -> np.ndarray:
    """Realisation plan from the probability of the last action of every sequence."""
    plan = np.zeros(lay.n_seq[player])
    plan[0] = 1.0
    for lev in lay.levels[player]:
        sizes = np.diff(np.append(lev.offsets, lev.seqs.size))
        plan[lev.seqs] = np.repeat(plan[lev.parents], sizes) * local[lev.seqs]
    return plan


def behaviour_from_plan(
    lay: Layout, player: int, plan: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per sequence the probability of its last action, and the sets the plan does not reach.

    A set whose actions carry total weight ``<= tol`` is not reached by the player's own plan;
    its actions get equal probabilities.
    """
    local = np.ones(lay.n_seq[player])
    unreached = []
    for lev in lay.levels[player]:
        sizes = np.diff(np.append(lev.offsets, lev.seqs.size))
        weights = np.clip(plan[lev.seqs], 0.0, None)
        mass = np.add.reduceat(weights, lev.offsets) if lev.seqs.size else np.zeros(0)
        off = mass <= tol
        safe = np.where(off, 1.0, mass)
        local[lev.seqs] = np.where(
            np.repeat(off, sizes), 1.0 / np.repeat(sizes, sizes), weights / np.repeat(safe, sizes)
        )
        unreached.append(lev.infosets[off])
    return local, np.concatenate([np.zeros(0, dtype=np.int64), *unreached])


def best_response(
    lay: Layout, player: int, payoff: np.ndarray, tol: float = 0.0
) -> tuple[float, np.ndarray]:
    """Best-response value against a fixed opponent, and a pure best-response plan.

    ``payoff`` gives, per sequence of ``player``, the expected payoff of the terminals that
    sequence leads to directly (``A @ y`` for player 1, ``B.T @ x`` for player 2). Backward
    induction over the player's sequence tree; ties (within ``tol``) go to the first action.
    The pure best response is returned as a mask over sequences: the empty sequence and one
    action at every information set, reached or not.
    """
    value = np.array(payoff, dtype=float)
    choice = np.zeros(lay.n_seq[player])
    for lev in reversed(lay.levels[player]):
        if lev.seqs.size == 0:
            continue
        sizes = np.diff(np.append(lev.offsets, lev.seqs.size))
        v = value[lev.seqs]
        best = np.maximum.reduceat(v, lev.offsets)
        is_best = v >= np.repeat(best, sizes) - tol * np.maximum(
            1.0, np.abs(np.repeat(best, sizes))
        )
        position = np.arange(v.size)
        first = np.minimum.reduceat(np.where(is_best, position, v.size), lev.offsets)
        choice[lev.seqs[first]] = 1.0
        np.add.at(value, lev.parents, best)
    choice[0] = 1.0
    return float(value[0]), choice > 0.5


def local_from_mapping(tree: GameTree, lay: Layout, behaviour: Any, tol: float) -> list[np.ndarray]:
    """Validate a behaviour mapping; per player the probability of each sequence's last action."""
    if not isinstance(behaviour, Mapping):
        raise SolverError(
            "behaviour must be a mapping information set -> {action: probability}, got "
            f"{type(behaviour).__name__}"
        )
    labels = tree.infoset_labels
    unknown = sorted(set(map(str, behaviour)) - set(labels))
    if unknown:
        raise SolverError(
            f"game {tree.name!r}: behaviour names unknown information set(s) {unknown[:5]}; "
            f"the sets are {list(labels)[:20]}"
        )
    local = [np.ones(lay.n_seq[0]), np.ones(lay.n_seq[1])]
    for h, label in enumerate(labels):
        if label not in behaviour:
            raise SolverError(
                f"game {tree.name!r}: behaviour gives no probabilities for information set "
                f"{label!r}"
            )
        actions = action_labels(tree, lay, h)
        spec = behaviour[label]
        if not isinstance(spec, Mapping) or set(map(str, spec)) - set(actions):
            raise SolverError(
                f"game {tree.name!r}: behaviour[{label!r}] must map actions {actions} to "
                f"probabilities (missing actions count as 0), got {spec!r}"
            )
        try:
            probs = np.array([float(spec.get(a, 0.0)) for a in actions])
        except (TypeError, ValueError):
            raise SolverError(
                f"game {tree.name!r}: behaviour[{label!r}] must hold numbers, got {spec!r}"
            ) from None
        if not (np.isfinite(probs).all() and (probs >= -tol).all()):
            raise SolverError(
                f"game {tree.name!r}: behaviour[{label!r}] must hold probabilities >= 0, "
                f"got {spec!r}"
            )
        if abs(probs.sum() - 1.0) > max(tol, 1e-12) * len(actions):
            raise SolverError(
                f"game {tree.name!r}: behaviour[{label!r}] sums to {probs.sum():.12g}, not 1 "
                f"(tol {tol:g})"
            )
        start = int(lay.base[h])
        local[int(lay.owner[h])][start : start + probs.size] = np.clip(probs, 0.0, None)
    return local
