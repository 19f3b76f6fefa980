"""Time the HTML report and the parameter sweeps behind its threshold figures.

Run: .venv/bin/python benchmarks/bench_report.py

Prints the median process time of several repeats of

* ``render_html_report`` for each bundled scenario (warm: imports and font caches loaded),
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


def main() -> None:
    print("render_html_report (median process time, s)")
    for name in ("donbas-2026", "logroll", "split-linear"):
        scenario = dealsim.load(name)
        print(f"  {name:14s} {median_time(lambda s=scenario: render_html_report(s), 3):6.2f}")
    scenario = dealsim.load("donbas-2026")
    ranged = [k for k, s in scenario.parameter_specs.items() if s.range is not None]
    vectorised = median_time(lambda: [solution_sweep(scenario, p) for p in ranged])
    loop = median_time(lambda: [loop_sweep(scenario, p) for p in ranged])
    print(f"solution_sweep over {len(ranged)} parameters x 21 values (donbas-2026, 3,600 deals)")
    print(f"  vectorised      {vectorised:6.3f} s")
    print(f"  solve per value {loop:6.3f} s   ratio {loop / vectorised:5.1f}x")


if __name__ == "__main__":
    main()
