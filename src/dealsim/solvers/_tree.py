"""Private array kernels for game trees (see :mod:`dealsim.solvers.sequential`).

A tree is stored in breadth-first order, so that the nodes of one depth are a contiguous range
and the children of the internal nodes of one depth are a contiguous range of the next depth.
Every kernel here walks the tree depth by depth with numpy segment reductions over those ranges;
none loops over nodes in Python.
"""

from __future__ import annotations

import numpy as np

from dealsim.solvers.pareto import tolerance_scale

__all__: list[str] = []

DECISION, CHANCE, TERMINAL = 0, 1, 2


def level_bounds(depth: np.ndarray) -> np.ndarray:
    """Start index of every depth (and the end of the last), for a breadth-first ``depth``."""
    return np.searchsorted(depth, np.arange(int(depth[-1]) + 2))


def internal_level(
    kind: np.ndarray, child_ptr: np.ndarray, bounds: np.ndarray, d: int
) -> tuple[np.ndarray, int, int, np.ndarray, np.ndarray] | None:
    """The internal nodes of depth ``d`` and the contiguous range of their children.

    Returns ``(internal, lo, hi, offsets, seg)``: the children are ``lo:hi``, ``offsets`` the
    start of each node's children within that range (for ``reduceat``) and ``seg`` each child's
    position in ``internal``; ``None`` when the depth has only terminal nodes.
    """
    nodes = np.arange(bounds[d], bounds[d + 1])
    internal = nodes[kind[nodes] != TERMINAL]
    if internal.size == 0:
        return None
    starts = child_ptr[internal]
    ends = child_ptr[internal + 1]
    lo, hi = int(starts[0]), int(ends[-1])
    return internal, lo, hi, starts - lo, np.repeat(np.arange(internal.size), ends - starts)


def backward_induction(
    kind: np.ndarray,
    player: np.ndarray,
    depth: np.ndarray,
    child_ptr: np.ndarray,
    prob: np.ndarray,
    values: np.ndarray,
    tol: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward induction, deepest level first.

    ``values`` (n_nodes, n_players) holds the terminal payoffs on entry and every node's value on
    exit (it is filled in place). Returns ``choice`` (first optimal child of each decision node,
    -1 elsewhere), ``optimal`` (is the node an optimal action of its decision parent) and
    ``n_optimal`` (number of optimal actions of each decision node, 0 elsewhere). An action is
    optimal within ``tol`` times ``max(s, |best|)``, ``s`` the largest magnitude of the payoffs.
    """
    n = kind.shape[0]
    floor = tolerance_scale(values)  # the payoffs' scale
    choice = np.full(n, -1, dtype=np.int64)
    optimal = np.zeros(n, dtype=bool)
    n_optimal = np.zeros(n, dtype=np.int64)
    bounds = level_bounds(depth)
    for d in range(len(bounds) - 3, -1, -1):
        level = internal_level(kind, child_ptr, bounds, d)
        if level is None:
            continue
        internal, lo, hi, offsets, seg = level
        block = values[lo:hi]
        expected = np.add.reduceat(block * prob[lo:hi, None], offsets, axis=0)
        is_decision = kind[internal] == DECISION
        mover = np.where(is_decision, player[internal], 0)
        own = block[np.arange(hi - lo), mover[seg]]
        best = np.maximum.reduceat(own, offsets)
        scale = np.maximum(floor, np.abs(best))
        is_opt = (best[seg] - own <= tol * scale[seg]) & is_decision[seg]
        index = np.arange(lo, hi)
        first = np.minimum.reduceat(np.where(is_opt, index, n), offsets)
        count = np.add.reduceat(is_opt.astype(np.int64), offsets)
        first = np.where(is_decision, first, 0)
        values[internal] = np.where(is_decision[:, None], values[first], expected)
        choice[internal] = np.where(is_decision, first, -1)
        optimal[lo:hi] = is_opt
        n_optimal[internal] = count
    return choice, optimal, n_optimal


def play(
    kind: np.ndarray,
    parent: np.ndarray,
    depth: np.ndarray,
    prob: np.ndarray,
    choice: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes reached by following ``choice`` at decision nodes and every chance branch.

    Returns ``on_path`` (bool) and ``reach`` (probability of reaching each node; 0 off the path).
    Zero-probability chance branches stay on the path, with reach 0.
    """
    n = kind.shape[0]
    on_path = np.zeros(n, dtype=bool)
    reach = np.zeros(n)
    on_path[0] = True
    reach[0] = 1.0
    bounds = level_bounds(depth)
    for d in range(1, len(bounds) - 1):
        c = np.arange(bounds[d], bounds[d + 1])
        p = parent[c]
        taken = (kind[p] == CHANCE) | (choice[p] == c)
        on_path[c] = on_path[p] & taken
        reach[c] = np.where(on_path[c], reach[p] * prob[c], 0.0)
    return on_path, reach


def profile_reach(
    kind: np.ndarray,
    parent: np.ndarray,
    depth: np.ndarray,
    child_ptr: np.ndarray,
    prob: np.ndarray,
    infoset: np.ndarray,
    actions_by_infoset: np.ndarray,
) -> np.ndarray:
    """Probability of reaching every node under every pure profile.

    ``actions_by_infoset`` is (n_profiles, n_infosets): the action index each profile takes at each
    information set. Returns (n_profiles, n_nodes).
    """
    n = kind.shape[0]
    reach = np.empty((actions_by_infoset.shape[0], n))
    reach[:, 0] = 1.0
    bounds = level_bounds(depth)
    for d in range(1, len(bounds) - 1):
        c = np.arange(bounds[d], bounds[d + 1])
        p = parent[c]
        action_index = c - child_ptr[p]
        chosen = actions_by_infoset[:, np.maximum(infoset[p], 0)] == action_index
        factor = np.where(kind[p] == CHANCE, prob[c], chosen)
        reach[:, c] = reach[:, p] * factor
    return reach


def equilibrium_paths(
    kind: np.ndarray,
    player: np.ndarray,
    parent: np.ndarray,
    depth: np.ndarray,
    child_ptr: np.ndarray,
    prob: np.ndarray,
    values: np.ndarray,
    tol: float,
) -> np.ndarray:
    """:func:`backward_induction` then :func:`play` for ``S`` payoff and probability draws at once.

    ``prob`` is (S, n_nodes) and ``values`` (S, n_nodes, n_players) holds the terminal payoffs
    (filled in place, as in :func:`backward_induction`). Each sample goes through the same float
    operations, in the same order, as the one-tree kernels; returns ``on_path`` (S, n_nodes).
    """
    n_samples, n = prob.shape
    choice = np.full((n_samples, n), -1, dtype=np.int64)
    # each sample's payoff scale, as backward_induction takes it
    floor = np.maximum(1e-300, np.abs(values).max(axis=(1, 2), initial=0.0))[:, None]
    bounds = level_bounds(depth)
    for d in range(len(bounds) - 3, -1, -1):
        level = internal_level(kind, child_ptr, bounds, d)
        if level is None:
            continue
        internal, lo, hi, offsets, seg = level
        block = values[:, lo:hi]
        expected = np.add.reduceat(block * prob[:, lo:hi, None], offsets, axis=1)
        is_decision = kind[internal] == DECISION
        mover = np.where(is_decision, player[internal], 0)
        own = block[:, np.arange(hi - lo), mover[seg]]
        best = np.maximum.reduceat(own, offsets, axis=1)
        scale = np.maximum(floor, np.abs(best))
        is_opt = (best[:, seg] - own <= tol * scale[:, seg]) & is_decision[seg]
        index = np.arange(lo, hi)
        first = np.minimum.reduceat(np.where(is_opt, index, n), offsets, axis=1)
        first = np.where(is_decision, first, 0)
        chosen = np.take_along_axis(values, first[:, :, None], axis=1)
        values[:, internal] = np.where(is_decision[None, :, None], chosen, expected)
        choice[:, internal] = np.where(is_decision, first, -1)
    on_path = np.zeros((n_samples, n), dtype=bool)
    on_path[:, 0] = True
    for d in range(1, len(bounds) - 1):
        c = np.arange(bounds[d], bounds[d + 1])
        p = parent[c]
        taken = (kind[p] == CHANCE) | (choice[:, p] == c)
        on_path[:, c] = on_path[:, p] & taken
    return on_path
