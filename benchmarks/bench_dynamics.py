"""Benchmark bargaining over time: alternating offers, the negotiation simulator, war checks.

Run: .venv/bin/python benchmarks/bench_dynamics.py

Target: alternating_offers on 10^5 deals, 3 parties, 50 rounds under 2 s. The peer is the same
backward induction written as an explicit loop over deals and compiled with numba (a
benchmark-only dependency), which shows what the vectorised numpy kernel costs.
"""

from __future__ import annotations

import numpy as np
from _timing import median_time

from dealsim.solvers.alternating_offers import alternating_offers
from dealsim.solvers.negotiation import Boulware, Conceder, simulate_negotiation
from dealsim.solvers.war import commitment_problem


def numba_peer():
    try:
        import numba
    except ImportError:  # pragma: no cover - optional peer
        return None

    @numba.njit(cache=False)
    def kernel(surplus, disc, order, cost):
        n, k = surplus.shape
        rounds = order.size
        values = np.zeros((rounds + 1, k))
        offers = np.full(rounds, -1)
        for t in range(rounds - 1, -1, -1):
            p = order[t]
            thr = np.maximum(disc * values[t + 1] - cost, 0.0)
            thr[p] = 0.0
            best, best_other, idx = -np.inf, -np.inf, -1
            for j in range(n):
                ok = True
                other = 0.0
                for i in range(k):
                    if surplus[j, i] < thr[i] - 1e-12:
                        ok = False
                        break
                    if i != p:
                        other += surplus[j, i]
                if not ok:
                    continue
                own = surplus[j, p]
                if own > best + 1e-12 or (own >= best - 1e-12 and other > best_other + 1e-12):
                    best, best_other, idx = own, other, j
            if idx >= 0:
                offers[t] = idx
                values[t] = surplus[idx]
        return values, offers

    return kernel


def main() -> None:
    rng = np.random.default_rng(0)
    n, k, rounds = 100_000, 3, 50
    u = rng.dirichlet(np.ones(k), size=n)  # deals splitting a unit surplus among 3 parties
    d = np.zeros(k)
    disc = np.array([0.95, 0.9, 0.85])

    def ours():
        return alternating_offers(u, d, discount=disc, rounds=rounds)

    t_ours = median_time(ours)
    print(f"alternating_offers n={n} k={k} rounds={rounds}: median {t_ours:.3f} s (target < 2 s)")

    kernel = numba_peer()
    if kernel is not None:
        order = np.arange(rounds) % k
        kernel(u - d, disc, order, np.zeros(k))  # compile
        t_peer = median_time(lambda: kernel(u - d, disc, order, np.zeros(k)))
        same = kernel(u - d, disc, order, np.zeros(k))[1][0] == ours().deal_index
        print(
            f"  numba loop peer: median {t_peer:.3f} s; ratio ours/peer {t_ours / t_peer:.2f}; "
            f"same deal: {same}"
        )

    x = np.linspace(0, 1, 10_001)
    split = np.column_stack([x, 1 - x])
    t_sim = median_time(
        lambda: simulate_negotiation(
            split, [0.0, 0.0], [Boulware(), Conceder()], rounds=200, seed=0
        )
    )
    print(f"simulate_negotiation n=10001 rounds=200 Boulware vs Conceder: median {t_sim:.3f} s")

    p2 = rng.random(1_000_000)
    t_war = median_time(
        lambda: commitment_problem(0.3, np.maximum(p2, 0.3), delta=0.9, cost=0.05, cap=0.2)
    )
    print(f"commitment_problem on 10^6 deals: median {t_war:.3f} s")


if __name__ == "__main__":
    main()
