"""Benchmark: Monte Carlo over the donbas-2026 parameters (zone + all five bargaining solutions).

Run with ``.venv/bin/python benchmarks/bench_uncertainty.py [--samples 10000] [--repeats 3]``.

* the vectorised path (:func:`dealsim.analysis.batch.batch_solve`, one process) on all
  samples;
* the per-sample loop of :func:`dealsim.solve`, timed on ``--loop-samples`` draws and
  extrapolated linearly to all samples (said so in the output);
* :func:`dealsim.uncertainty.montecarlo.monte_carlo` (draws, batches, records, summary) with 1 and 2
  worker processes.

Prints medians over the repeats and the ratios.
"""

from __future__ import annotations

import argparse

from _timing import median_time

import dealsim
from dealsim.analysis.batch import batch_solve
from dealsim.uncertainty.distributions import sample_parameters
from dealsim.uncertainty.montecarlo import monte_carlo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--loop-samples", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    scenario = dealsim.load("donbas-2026")
    n = args.samples
    draws = sample_parameters(scenario, 0, n, seed=1)
    print(f"donbas-2026: {n} samples, median of {args.repeats} repeats")

    vectorised = median_time(lambda: batch_solve(scenario, draws), args.repeats)
    print(f"  vectorised batch_solve (1 process):      {vectorised:8.2f} s")

    m = min(args.loop_samples, n)

    def loop() -> None:
        # The same work as batch_solve: zone and the five solutions (no games, war, ... analyses).
        for i in range(m):
            dealsim.solve(
                scenario, parameters={k: float(v[i]) for k, v in draws.items()}, analyses=False
            )

    per_sample = median_time(loop, args.repeats) / m
    print(
        f"  per-sample loop of dealsim.solve(analyses=False): {per_sample * n:8.2f} s "
        f"(extrapolated from {m} samples: {per_sample * 1e3:.2f} ms/sample)"
    )
    print(f"  speed-up of the vectorised path:         {per_sample * n / vectorised:8.1f}x")

    timings = {}
    for workers in (1, 2):
        timings[workers] = median_time(
            lambda w=workers: monte_carlo(scenario, samples=n, seed=1, workers=w, progress=False),
            args.repeats,
        )
        print(f"  monte_carlo, workers={workers}:                {timings[workers]:8.2f} s")
    print(f"  scaling 1 -> 2 workers:                  {timings[1] / timings[2]:8.2f}x")


if __name__ == "__main__":
    main()
