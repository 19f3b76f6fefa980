"""Benchmark: Nash equilibria of poker-like game trees by the sequence form, against pygambit.

Run with ``.venv/bin/python benchmarks/bench_sequence_form.py`` (``--quick``: only the trees of
about 10^3 nodes; ``--cap S``: seconds pygambit may take on one tree, default 120; ``--repeats
N``, default 5). Two families of zero-sum trees, each at about 10^3 and 10^4 nodes:

- generalised Kuhn poker with ``K`` cards (Kuhn 1950 has 3): ``K (K - 1)`` deals, a check or a
  bet, a fold or a call; many equilibria for the first player, one value;
- random poker: each player is dealt one of ``K`` private types, then the players alternate on a
  random public betting tree; every terminal pays a random (seeded) amount to the first player.

For each tree it prints the median time of dealsim's ``sequence_form_equilibrium`` with
``method="lp"`` (the sequence-form linear programme) against pygambit's ``lp_solve`` (also the
sequence-form LP on a tree), and with ``method="lemke"`` (Lemke's algorithm on the sequence-form
LCP, with its pivot count) against pygambit's ``lcp_solve``, both pygambit solvers in floating
point on the same tree written as ``.efg`` text, in a subprocess with a time cap. On a tree
``lcp_solve`` follows Lemke paths to every equilibrium it can reach (it takes no ``stop_after``
there), so it does more work than dealsim's one path; a pygambit solver over a tenth of the cap
on the smaller tree of a family is not run on the larger one. The value of a zero-sum game is
unique, so the first player's expected payoff is checked equal across all four; the ratios are
pygambit's time over dealsim's.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import textwrap
from pathlib import Path

import numpy as np
from _timing import capped_json, timed

from dealsim.io.gambit import format_efg
from dealsim.solvers.sequence_form import sequence_form, sequence_form_equilibrium
from dealsim.solvers.sequential import GameTree

GAMBIT = """
import json, statistics, sys, time
import pygambit as gbt
game = gbt.read_efg(sys.argv[1])
solve = getattr(gbt.nash, sys.argv[2])
times = []
for _ in range(int(sys.argv[3])):
    start = time.perf_counter()
    eqs = solve(game, rational=False).equilibria
    times.append(time.perf_counter() - start)
    if sum(times) > float(sys.argv[4]) / 4:
        break
first = list(game.players)[0]
print(json.dumps([statistics.median(times), len(times), len(eqs), float(eqs[0].payoff(first))]))
"""
PEERS = {"lp": "lp_solve", "lemke": "lcp_solve"}  # dealsim method -> pygambit function


def kuhn_tree(cards: int) -> GameTree:
    """Kuhn poker with ``cards`` cards: ante 1, one bet of 1."""
    deals = list(itertools.permutations(range(cards), 2))
    chance = {f"{a}-{b}": 1 / len(deals) for a, b in deals}
    nodes = {"deal": {"chance": chance, "actions": {d: f"p1 {d}" for d in chance}}}
    outcomes = {"P1 +1": [1, -1], "P2 +1": [-1, 1], "P1 +2": [2, -2], "P2 +2": [-2, 2]}
    for a, b in deals:
        d, win = f"{a}-{b}", "P1" if a > b else "P2"
        nodes[f"p1 {d}"] = {
            "player": "P1",
            "infoset": f"P1 {a}",
            "actions": {"check": f"p2c {d}", "bet": f"p2b {d}"},
        }
        nodes[f"p2c {d}"] = {
            "player": "P2",
            "infoset": f"P2 {b} check",
            "actions": {"check": f"{win} +1", "bet": f"p1cb {d}"},
        }
        nodes[f"p2b {d}"] = {
            "player": "P2",
            "infoset": f"P2 {b} bet",
            "actions": {"fold": "P1 +1", "call": f"{win} +2"},
        }
        nodes[f"p1cb {d}"] = {
            "player": "P1",
            "infoset": f"P1 {a} check-bet",
            "actions": {"fold": "P2 +1", "call": f"{win} +2"},
        }
    return GameTree.from_nodes(
        nodes, outcomes, root="deal", players=["P1", "P2"], name=f"kuhn-{cards}"
    )


def random_poker(types: int, depth: int, seed: int) -> GameTree:
    """Private types for both players, then a random alternating public tree (2-3 actions)."""
    rng = np.random.default_rng(seed)
    arity: dict[tuple[int, ...], int] = {}

    def grow(h: tuple[int, ...]) -> None:
        if len(h) == depth or (len(h) > 1 and rng.random() < 0.3):
            return
        arity[h] = int(rng.integers(2, 4))
        for a in range(arity[h]):
            grow((*h, a))

    grow(())
    deals = list(itertools.product(range(types), repeat=2))
    chance = {f"{a}-{b}": 1 / len(deals) for a, b in deals}
    nodes: dict = {"deal": {"chance": chance, "actions": {d: f"{d}:" for d in chance}}}
    outcomes = {}
    for a, b in deals:
        for h, n in arity.items():
            key = ".".join(map(str, h))
            acts = {}
            for x in range(n):
                nxt = (*h, x)
                target = f"{a}-{b}:{'.'.join(map(str, nxt))}"
                if nxt not in arity:
                    target = "z" + target
                    pay = float(rng.normal())
                    outcomes[target] = [pay, -pay]
                acts[f"a{x}"] = target
            mover = len(h) % 2
            nodes[f"{a}-{b}:{key}"] = {
                "player": ("A", "B")[mover],
                "infoset": f"{'AB'[mover]}{(a, b)[mover]}:{key}",
                "actions": acts,
            }
    return GameTree.from_nodes(
        nodes, outcomes, root="deal", players=["A", "B"], name=f"poker-{types}x{depth}"
    )


def gambit(tree: GameTree, function: str, repeats: int, cap: float) -> list[float] | None:
    """A pygambit solver on the tree, in a subprocess: [median s, runs, equilibria, value]."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tree.efg"
        path.write_text(format_efg(tree))
        args = [str(path), function, str(repeats), str(cap)]
        return capped_json(textwrap.dedent(GAMBIT), *args, cap=cap)


def bench(tree: GameTree, repeats: int, cap: float, skip: set[str]) -> None:
    """Time dealsim's two methods and the matching pygambit solvers on one tree.

    A pygambit solver that ran over ``cap / 10`` seconds on the smaller tree of a family is added
    to ``skip`` and not run on the larger one (its time grows faster than the tree).
    """
    sf = sequence_form(tree)
    n_inf = len(sf.infosets[0]) + len(sf.infosets[1])
    print(
        f"== {tree.name}: {tree.n_nodes} nodes, {len(sf.sequences[0])} + {len(sf.sequences[1])} "
        f"sequences, {n_inf} information sets =="
    )
    first = tree.players[0]
    values = {}
    for method, function in PEERS.items():
        t_ours, eq = timed(
            lambda m=method: sequence_form_equilibrium(tree, method=m, max_lcp_size=20_000),
            repeats,
        )
        values[method] = eq.payoffs[first]
        pivots = f"  ({eq.parameters['pivots']} pivots)" if method == "lemke" else ""
        print(
            f"dealsim {method:5s}                   median {t_ours * 1e3:10.1f} ms  value "
            f"{values[method]:+.9f}{pivots}"
        )
        label = f"pygambit {function} (float)"
        if function in skip:
            print(f"{label:33s} skipped (over {cap / 10:.0f} s on the smaller tree)")
            continue
        res = gambit(tree, function, repeats, cap)
        if res is None:
            print(f"{label:33s} skipped (>{cap:.0f} s)")
            skip.add(function)
            continue
        t_gbt, runs, n_eq, value = res
        same = abs(value - values[method]) < 1e-6
        print(
            f"{label:33s} median {t_gbt * 1e3:10.1f} ms  value {value:+.9f}  ({n_eq} "
            f"equilibria, {runs} run(s)); same value: {same}"
        )
        print(f"ratio pygambit {function} / dealsim {method:5s}  {t_gbt / t_ours:10.1f}x")
        assert same, (function, value, values[method])
        if t_gbt > cap / 10:
            skip.add(function)
    assert abs(values["lp"] - values["lemke"]) < 1e-9, values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the trees of ~10^3 nodes")
    parser.add_argument("--cap", type=float, default=120.0, help="seconds for pygambit per tree")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    families = [  # about 10^3 nodes, then about 10^4
        (lambda: kuhn_tree(11), lambda: kuhn_tree(34)),
        (lambda: random_poker(types=4, depth=5, seed=1), lambda: random_poker(25, 3, seed=1)),
    ]
    for small, large in families:
        skip: set[str] = set()
        bench(small(), args.repeats, args.cap, skip)
        if not args.quick:
            bench(large(), args.repeats, args.cap, skip)


if __name__ == "__main__":
    main()
