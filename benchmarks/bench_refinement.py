"""Time `dealsim.solve` with and without the refinement over range issues.

Run: ``python benchmarks/bench_refinement.py`` (medians of repeated warm solves, in seconds).
Refinement must add under 0.2 s to ``dealsim solve donbas-2026`` (issue 18).
"""

from __future__ import annotations

import statistics
import time

import dealsim

REPEATS = 15


def _median(scenario, **kwargs) -> float:
    dealsim.solve(scenario, **kwargs)  # warm: imports, caches
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        dealsim.solve(scenario, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print(f"{'scenario':<16} {'grid only':>10} {'refined':>10} {'added':>10}")
    for name in ("split-linear", "logroll", "donbas-2026"):
        scenario = dealsim.load(name)
        grid = _median(scenario, refine=False)
        refined = _median(scenario, refine=True)
        print(f"{name:<16} {grid:>10.4f} {refined:>10.4f} {refined - grid:>10.4f}")


if __name__ == "__main__":
    main()
