"""Time the HTML report and the parameter sweeps behind its threshold figures.

Run: .venv/bin/python benchmarks/bench_report.py

Prints the median process time of several repeats of

* ``render_html_report`` for each bundled scenario (warm: imports and font caches loaded), in
  wall time: figures drawn here (1 worker), in 2 worker processes, and from the figure cache,
* ``solution_sweep`` over every ranged parameter of donbas-2026, vectorised (one utility
  evaluation for all 21 values) against solving the scenario once per value with
  ``dealsim.solve`` (what the sweep did before), with their ratio.
"""

from __future__ import annotations

import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np

import dealsim
from dealsim.html_report import render_html_report
from dealsim.plot.trace import solution_sweep

REPEATS = 5


def median_time(function, repeats: int = REPEATS) -> float:
    function()  # warm up
    times = []
    for _ in range(repeats):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return statistics.median(times)


def loop_sweep(scenario, parameter: str, n: int = 21) -> list:
    """The old sweep: one full solve per parameter value."""
    spec = scenario.parameter_specs[parameter]
    deals = []
    for value in np.linspace(spec.range[0], spec.range[1], n):
        result = dealsim.solve(scenario, parameters={parameter: float(value)}, analyses=False)
        found = result.solutions["nash"]
        deals.append(None if found is None else found.deal)
    return deals


def median_wall(function, repeats: int = 3) -> float:
    """Median wall-clock time: figures drawn in worker processes use no CPU time of this one."""
    function()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    import os
    import tempfile

    print(f"render_html_report (median wall time, s; {os.cpu_count()} CPUs)")
    print(f"  {'scenario':14s} {'1 worker':>9s} {'2 workers':>10s} {'cached':>8s}")
    for name in ("donbas-2026", "logroll", "split-linear"):
        scenario = dealsim.load(name)
        serial = median_wall(lambda s=scenario: render_html_report(s, workers=1))
        parallel = median_wall(lambda s=scenario: render_html_report(s, workers=2))
        with tempfile.TemporaryDirectory() as cache:
            cached = median_wall(
                lambda s=scenario, c=cache: render_html_report(s, workers=2, cache_dir=c)
            )
        print(f"  {name:14s} {serial:9.2f} {parallel:10.2f} {cached:8.2f}")
    scenario = dealsim.load("donbas-2026")
    ranged = [k for k, s in scenario.parameter_specs.items() if s.range is not None]
    vectorised = median_time(lambda: [solution_sweep(scenario, p) for p in ranged])
    loop = median_time(lambda: [loop_sweep(scenario, p) for p in ranged])
    print(f"solution_sweep over {len(ranged)} parameters x 21 values (donbas-2026, 3,600 deals)")
    print(f"  vectorised      {vectorised:6.3f} s")
    print(f"  solve per value {loop:6.3f} s   ratio {loop / vectorised:5.1f}x")


if __name__ == "__main__":
    main()
