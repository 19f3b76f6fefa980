"""Benchmark: Pareto frontier and bargaining solutions of random linear-additive deal spaces.

Run with ``/tmp/venv/bin/python benchmarks/bench_core.py``. Prints medians of several repeats and
the ratio against negmas (a benchmark-only peer), and checks that both give the same frontier.
negmas's frontier kernel is ``negmas.preferences.ops.pareto_frontier_numpy`` (what its
``pareto_frontier`` calls after evaluating the ufuns outcome by outcome); it is timed on the same
utility points, and ``nash_points`` on its frontier.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from dealsim.analysis.pareto import pareto_frontier
from dealsim.solvers.bargaining import all_bargaining_solutions


def median_time(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def random_space(n_issues: int, n_levels: int, n_parties: int, rng: np.random.Generator):
    """Deal codes (n_deals, n_issues) and additive weighted value tables per party."""
    grids = np.indices((n_levels,) * n_issues, dtype=np.int8).reshape(n_issues, -1).T
    values = rng.random((n_parties, n_issues, n_levels))
    weights = rng.random((n_parties, n_issues))
    weights /= weights.sum(axis=1, keepdims=True)
    return np.ascontiguousarray(grids), weights[:, :, None] * values


def utilities_of(codes: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """Vectorised: gather each issue's weighted value by code and sum over issues."""
    n_parties, n_issues, _ = tables.shape
    u = np.zeros((codes.shape[0], n_parties))
    for issue in range(n_issues):  # loop over issues, not deals
        u += tables[:, issue, :].T[codes[:, issue]]
    return u


def main() -> None:
    rng = np.random.default_rng(20260101)
    from negmas.preferences.ops import nash_points, pareto_frontier_numpy

    print("utilities of 10^6 deals (6 issues x 10 levels) x 3 parties, code gather + weighted sum")
    codes, tables = random_space(6, 10, 3, rng)
    t, u = median_time(lambda: utilities_of(codes, tables), 5)
    print(f"  median {t * 1e3:8.1f} ms   shape {u.shape}")

    for n_parties in (2, 3):
        for n_issues, label in ((5, "10^5"), (6, "10^6")):
            codes, tables = random_space(n_issues, 10, n_parties, rng)
            u = utilities_of(codes, tables)
            t_ours, ours = median_time(lambda u=u: pareto_frontier(u), 7)
            repeats = 5 if u.shape[0] <= 100_000 else 1
            t_neg, theirs = median_time(lambda u=u: pareto_frontier_numpy(u), repeats)
            same = np.array_equal(np.sort(theirs), ours)
            note = "" if repeats > 1 else " (negmas run once)"
            print(
                f"pareto {label} deals, {n_parties} parties: dealsim {t_ours * 1e3:8.1f} ms, "
                f"negmas {t_neg * 1e3:9.1f} ms, ratio {t_neg / t_ours:6.1f}x, "
                f"frontier {ours.size}, identical {same}{note}"
            )
            d = np.zeros(n_parties)
            front = u[ours]
            t_nash_ours, _ = median_time(lambda f=front, d=d: all_bargaining_solutions(f, d), 7)
            frontier_tuples = [tuple(r) for r in front]
            ranges = [(0.0, 1.0)] * n_parties
            t_nash_neg, _ = median_time(
                lambda ft=frontier_tuples, r=ranges: nash_points(None, ft, ranges=r), 7
            )
            print(
                f"  all 4 solutions on the frontier: {t_nash_ours * 1e3:7.2f} ms; "
                f"negmas nash_points alone {t_nash_neg * 1e3:7.2f} ms"
            )

    codes, tables = random_space(6, 10, 3, rng)
    u = utilities_of(codes, tables)
    d = np.quantile(u, 0.3, axis=0)
    t_all, sols = median_time(lambda: all_bargaining_solutions(u, d, weights=[1.0, 2.0, 3.0]), 5)
    print(f"all five solutions over 10^6 deals x 3 parties (no frontier): {t_all * 1e3:.1f} ms")
    for name, sol in sols.items():
        print(f"  {name:18s} deal {sol.index:7d} utilities {np.round(sol.utilities, 4)}")


if __name__ == "__main__":
    main()
