"""Benchmark: building and solving a random game tree of 10^5 nodes.

Run with ``python benchmarks/bench_sequential.py``. Prints medians of several repeats for
``GameTree.from_nodes`` (validation and array layout) and ``subgame_perfect_equilibrium``
(vectorised backward induction), with ratios against a plain recursive Python backward
induction over the same dict of nodes, and reading a 2000-node tree's ``.efg`` text with
dealsim against pygambit 16.7 (which has no subgame-perfect solver to compare with).

``--nodes 10000 100000 1000000`` instead times build + SPE against the peer at each size,
interleaved (build, SPE, peer in turn, ``--repeats`` times), with the time per node, so the
scaling shows; the SPE payoffs are checked equal to the peer's every time.
"""

from __future__ import annotations

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


def bench_tree(n_nodes: int, repeats: int) -> None:
    """Build + SPE of one random tree against the recursive peer, interleaved medians."""
    nodes, outcomes = random_tree_spec(n_nodes, np.random.default_rng(2026))
    times: dict[str, list[float]] = {"build": [], "spe": [], "peer": []}
    for _ in range(repeats):
        t = time.perf_counter()
        tree = GameTree.from_nodes(nodes, outcomes, root="n0", players=PLAYERS)
        times["build"].append(time.perf_counter() - t)
        t = time.perf_counter()
        result = subgame_perfect_equilibrium(tree)
        times["spe"].append(time.perf_counter() - t)
        t = time.perf_counter()
        naive = naive_backward_induction(nodes, outcomes, "n0")
        times["peer"].append(time.perf_counter() - t)
        assert np.allclose(list(result.payoffs.values()), naive)
    build, spe, peer = (statistics.median(times[k]) for k in ("build", "spe", "peer"))
    total = statistics.median([b + s for b, s in zip(times["build"], times["spe"], strict=True)])
    print(
        f"{tree.n_nodes:>8d} nodes (depth {int(tree.depth[-1])}): build {build * 1e3:8.1f} ms "
        f"({build / tree.n_nodes * 1e9:5.0f} ns/node)  SPE {spe * 1e3:7.1f} ms  "
        f"build+SPE {total * 1e3:8.1f} ms  peer {peer * 1e3:8.1f} ms  "
        f"(build+SPE)/peer x{total / peer:5.2f}  same SPE payoffs"
    )


def bench_scaling(sizes: list[int], repeats: int) -> None:
    print(
        f"== build + SPE against the recursive Python peer, same dict, interleaved medians "
        f"of {repeats} =="
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
