"""Benchmark: building and solving a random game tree of 10^5 nodes.

Run with ``python benchmarks/bench_sequential.py``. Prints medians of several repeats for
``GameTree.from_nodes`` (validation and array layout) and ``subgame_perfect_equilibrium``
(vectorised backward induction), with ratios against a plain recursive Python backward
induction over the same dict of nodes, and reading a 2000-node tree's ``.efg`` text with
dealsim against pygambit 16.7 (which has no subgame-perfect solver to compare with).

``--nodes 10000 100000 1000000`` instead times build + SPE against the peer at each size,
interleaved (``GameTree.from_nodes`` + SPE of the dict as built in code and as parsed from JSON,
``GameTree.from_arrays`` + SPE with and without labels, the peer and two floors of the dict
format in turn, ``--repeats`` times), with the time per node, so the scaling shows; the SPE
payoffs are checked equal to the peer's every time.
"""

from __future__ import annotations

import functools
import json
import statistics
import sys
import time

import numpy as np
from _timing import timed

from dealsim.io.gambit import format_efg, parse_efg
from dealsim.solvers.sequential import GameTree, subgame_perfect_equilibrium

N_NODES = 100_000
N_IO_NODES = 2_000
PLAYERS = ["US", "Ukraine", "Russia"]


def random_tree_spec(n_nodes: int, rng: np.random.Generator):
    """Grow breadth-first: each internal node gets 2-4 children, 10% are chance nodes."""
    nodes: dict = {}
    outcomes: dict = {}
    frontier = ["n0"]
    count = 1
    head = 0
    while head < len(frontier):
        nid = frontier[head]
        head += 1
        k = int(rng.integers(2, 5))
        if count + k > n_nodes:
            outcomes[nid] = rng.normal(size=len(PLAYERS)).tolist()
            continue
        kids = [f"n{count + j}" for j in range(k)]
        count += k
        frontier.extend(kids)
        if rng.random() < 0.1:
            p = rng.dirichlet(np.ones(k))
            p[-1] = 1.0 - p[:-1].sum()
            nodes[nid] = {"chance": dict(zip(kids, p.tolist(), strict=True))}
        else:
            player = PLAYERS[int(rng.integers(len(PLAYERS)))]
            nodes[nid] = {
                "player": player,
                "actions": {f"a{j}": kid for j, kid in enumerate(kids)},
            }
    return nodes, outcomes


def naive_backward_induction(nodes, outcomes, node):
    """The peer: a plain recursive Python backward induction over the dict of nodes."""
    if node in outcomes:
        return outcomes[node]
    spec = nodes[node]
    if "chance" in spec:
        total = [0.0] * len(PLAYERS)
        for child, p in spec["chance"].items():
            value = naive_backward_induction(nodes, outcomes, child)
            total = [t + p * v for t, v in zip(total, value, strict=True)]
        return total
    mover = PLAYERS.index(spec["player"])
    values = [naive_backward_induction(nodes, outcomes, c) for c in spec["actions"].values()]
    return max(values, key=lambda v: v[mover])


def dict_floor(nodes, outcomes) -> None:
    """The least a validated build from the dict must do: read every node's fields and look
    every target up once (here in the outcomes), with no other work."""
    get = outcomes.get
    for spec in nodes.values():
        spec.get("player")
        actions = spec.get("actions")
        for target in actions.values() if actions is not None else spec["chance"]:
            get(target)


def bare_loop(nodes) -> None:
    """A bare loop over the dict that only reads each node's fields."""
    for _, spec in nodes.items():
        spec.get("player")
        spec.get("actions")


def listed_arrays(tree: GameTree, rng: np.random.Generator) -> dict:
    """The tree as from_arrays input, nodes listed in a random order (siblings kept in order)."""
    n = tree.n_nodes
    slots = rng.permutation(n)
    by_parent = np.lexsort((np.arange(n), tree.parent))  # siblings together, in order
    slots[by_parent] = slots[np.lexsort((slots, tree.parent))]
    where = np.empty(n, dtype=np.int64)
    where[slots] = np.arange(n)  # the node listed k-th
    parent = tree.parent[where]
    is_term = tree.terminal[where] >= 0
    return {
        "parent": np.where(parent >= 0, slots[np.maximum(parent, 0)], -1),
        "player": tree.player[where],
        "prob": tree.prob[where],
        "payoffs": tree.payoffs[tree.terminal[where][is_term]],
    }


def bench_tree(n_nodes: int, repeats: int) -> None:
    """Build + SPE of one random tree against the recursive peer and the floors, interleaved.

    (i) from the dict: ``GameTree.from_nodes`` + SPE, of the dict as built in code (each target
    is the very string object that keys its node or outcome) and of the same dict parsed from
    JSON (every string a new object: the targets are looked up by value); (ii) from arrays:
    ``GameTree.from_arrays`` with the dict tree's parent, player, prob, payoffs, labels and
    actions (breadth-first listing), and bare (random listing, no labels). Strategies are
    checked equal to (i)'s, SPE payoffs equal to the peer's, every time.
    """
    nodes, outcomes = random_tree_spec(n_nodes, np.random.default_rng(2026))
    parsed = json.loads(json.dumps({"nodes": nodes, "outcomes": outcomes}))
    tree = GameTree.from_nodes(nodes, outcomes, root="n0", players=PLAYERS)
    labelled = {
        "parent": tree.parent,
        "player": tree.player,
        "prob": tree.prob,
        "payoffs": tree.payoffs,
        "labels": tree.labels,
        "actions": tree.actions,
    }
    bare = listed_arrays(tree, np.random.default_rng(1))
    runs = {
        "build": lambda: GameTree.from_nodes(nodes, outcomes, root="n0", players=PLAYERS),
        "parsed": lambda: GameTree.from_nodes(**parsed, root="n0", players=PLAYERS),
        "arrays": lambda: GameTree.from_arrays(**labelled, players=PLAYERS),
        "bare": lambda: GameTree.from_arrays(**bare, players=PLAYERS),
        "peer": lambda: naive_backward_induction(nodes, outcomes, "n0"),
        "floor": lambda: dict_floor(nodes, outcomes),
        "loop": lambda: bare_loop(nodes),
    }
    spe_of = {"build": "spe", "parsed": "spe_parsed", "arrays": "spe_arrays", "bare": "spe_bare"}
    wall: dict[str, list[float]] = {k: [] for k in (*runs, *spe_of.values())}
    cpu: dict[str, list[float]] = {k: [] for k in wall}
    results: dict[str, object] = {}

    def clock(key, fn):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall[key].append(time.perf_counter() - t)
        cpu[key].append(time.process_time() - c)
        return out

    for _ in range(repeats):
        for key, fn in runs.items():
            results[key] = clock(key, fn)
            spe_key = spe_of.get(key)
            if spe_key:
                solve = functools.partial(subgame_perfect_equilibrium, results[key])
                results[spe_key] = clock(spe_key, solve)
        naive = results["peer"]
        for key in ("spe", "spe_parsed", "spe_arrays", "spe_bare"):
            assert np.allclose(list(results[key].payoffs.values()), naive), key
        for key in ("spe_parsed", "spe_arrays"):
            assert results[key].strategy == results["spe"].strategy, key
            assert results[key].payoffs == results["spe"].payoffs, key

    def med(times, *keys):
        return statistics.median([sum(t) for t in zip(*(times[k] for k in keys), strict=True)])

    n = tree.n_nodes
    peer, peer_cpu = med(wall, "peer"), med(cpu, "peer")
    print(
        f"{n:>8d} nodes (depth {int(tree.depth[-1])}), {len(nodes)} node dicts, peer "
        f"{peer * 1e3:.1f} ms (cpu {peer_cpu * 1e3:.1f} ms); same SPE payoffs and strategies"
    )
    for label, keys in (
        ("(i) from_nodes + SPE", ("build", "spe")),
        ("    from_nodes alone", ("build",)),
        ("    parsed: from_nodes + SPE", ("parsed", "spe_parsed")),
        ("    parsed: from_nodes alone", ("parsed",)),
        ("(ii) from_arrays + SPE", ("arrays", "spe_arrays")),
        ("     bare from_arrays + SPE", ("bare", "spe_bare")),
        ("     bare from_arrays alone", ("bare",)),
        ("floor: read fields, look targets up", ("floor",)),
        ("floor: bare loop reading fields", ("loop",)),
    ):
        t, c = med(wall, *keys), med(cpu, *keys)
        print(f"  {label:38s} {t * 1e3:9.1f} ms {t / n * 1e9:6.0f} ns/node  /peer x{t / peer:5.2f}"
              f"  (cpu x{c / peer_cpu:5.2f})")  # fmt: skip


def bench_scaling(sizes: list[int], repeats: int) -> None:
    print(
        f"== build + SPE against the recursive Python peer and the floors, same tree, interleaved "
        f"medians of {repeats} (wall; cpu: process time) =="
    )
    for n in sizes:
        bench_tree(n, repeats)


def main() -> None:
    sys.setrecursionlimit(10_000)
    rng = np.random.default_rng(2026)
    nodes, outcomes = random_tree_spec(N_NODES, rng)
    build = lambda: GameTree.from_nodes(nodes, outcomes, root="n0", players=PLAYERS)  # noqa: E731
    t_build, tree = timed(build, 5)
    depth = int(tree.depth[-1])
    print(f"tree: {tree.n_nodes} nodes, depth {depth}, {tree.payoffs.shape[0]} terminals")
    print(f"GameTree.from_nodes            median {t_build * 1e3:8.1f} ms")
    t_spe, result = timed(lambda: subgame_perfect_equilibrium(tree), 7)
    print(f"subgame_perfect_equilibrium    median {t_spe * 1e3:8.1f} ms")
    t_naive, naive = timed(lambda: naive_backward_induction(nodes, outcomes, "n0"), 3)
    print(f"recursive Python peer          median {t_naive * 1e3:8.1f} ms")
    assert np.allclose(list(result.payoffs.values()), naive)
    print(f"ratio peer / dealsim (solve)            {t_naive / t_spe:8.1f}x")

    # I/O on a smaller tree: pygambit's reader slows down sharply at 10^5 nodes
    small_nodes, small_outcomes = random_tree_spec(N_IO_NODES, rng)
    small = GameTree.from_nodes(small_nodes, small_outcomes, root="n0", players=PLAYERS)
    text = format_efg(small)
    print(f"I/O tree: {small.n_nodes} nodes")
    t_ours, _ = timed(lambda: parse_efg(text), 3)
    print(f"parse_efg (dealsim)            median {t_ours * 1e3:8.1f} ms")
    try:
        import io

        import pygambit as gbt
    except ImportError:  # pragma: no cover - the bench extra installs it
        print("pygambit not installed: no I/O peer")
        return
    data = text.encode()
    t_gbt, _ = timed(lambda: gbt.read_efg(io.BytesIO(data)), 3)
    print(f"pygambit.read_efg              median {t_gbt * 1e3:8.1f} ms")
    print(f"ratio pygambit / dealsim (read efg)     {t_gbt / t_ours:8.2f}x")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--nodes",
        type=int,
        nargs="+",
        help="only build + SPE against the peer at these tree sizes (e.g. 10000 100000 1000000)",
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.nodes:
        sys.setrecursionlimit(100_000)
        bench_scaling(args.nodes, args.repeats)
    else:
        main()
