"""Benchmark: utilities, Pareto frontier and bargaining solutions of random linear-additive spaces.

Run with ``.venv/bin/python benchmarks/bench_core.py`` (negmas's end-to-end runs at 10^6 deals
take a minute or more each; ``--quick`` skips the 10^6-deal spaces, ``--issues 6`` runs only
them). Every space is a real dealsim scenario: a seeded random linear-additive scenario
(``n_issues`` issues of 10 levels, 2 or 3 parties) is written as TOML, loaded with
:func:`dealsim.scenario.loads` and timed along dealsim's own path:
``UtilityModel.from_scenario`` + ``DealSpace.codes`` + ``UtilityModel.utilities`` over the whole
space, :func:`~dealsim.solvers.pareto.pareto_frontier`, then
:func:`~dealsim.solvers.bargaining.all_bargaining_solutions` on the frontier.

negmas (a benchmark-only peer, never a dealsim dependency) gets the SAME space through its public
API: ``make_issue``/``make_os`` with the same levels and ``LinearAdditiveUtilityFunction`` with the
same weights and value tables, then ``pareto_frontier(ufuns, outcomes=...)`` (it evaluates every
ufun at every outcome, then runs its kernel) and ``nash_points(ufuns, frontier, ...)``.

Two ratios (negmas time / dealsim time, larger is better for dealsim):

* **end to end**: utilities + frontier + Nash point(s), starting from the built utility models;
* **kernel only**: the frontier of the same precomputed ``(n, k)`` utility array, dealsim's
  ``pareto_frontier`` against negmas's ``pareto_frontier_numpy`` (the kernel its
  ``pareto_frontier`` calls).

Timings are medians of ``--repeats`` runs with dealsim and negmas interleaved in the same process
(the machine is shared); a negmas end-to-end run that takes longer than ``--slow`` seconds is run
once, and the script says so. Frontiers are checked to be identical (same deals, same utility
vectors within 1e-9), and so are the Nash points.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from dealsim.scenario import Scenario, loads
from dealsim.solvers.bargaining import all_bargaining_solutions
from dealsim.solvers.pareto import pareto_frontier
from dealsim.space import DealSpace, UtilityModel
from dealsim.zone import compute_zone

N_LEVELS = 10
SEED = 20260101


def random_linear_scenario(
    n_issues: int, n_parties: int, seed: int, n_levels: int = N_LEVELS
) -> tuple[str, np.ndarray, np.ndarray]:
    """A random linear-additive scenario as TOML text, with its weights and value tables.

    Returns the TOML text, weights ``(n_parties, n_issues)`` (each row sums to 1) and values
    ``(n_parties, n_issues, n_levels)`` in [0, 1]. Floats are written with ``repr`` so that the
    loaded scenario holds exactly these numbers.
    """
    rng = np.random.default_rng(seed)
    weights = rng.random((n_parties, n_issues))
    weights /= weights.sum(axis=1, keepdims=True)
    values = rng.random((n_parties, n_issues, n_levels))
    levels = ", ".join(f'"l{v}"' for v in range(n_levels))
    lines = ["[scenario]", f'name = "random linear-additive, seed {seed}"']
    lines += [f"[parties.p{p}]" for p in range(n_parties)]
    for i in range(n_issues):
        lines += [f"[issues.i{i}]", f"levels = [{levels}]"]
    for p in range(n_parties):
        lines.append(f"[payoffs.p{p}]")
        pairs = ", ".join(f"i{i} = {float(weights[p, i])!r}" for i in range(n_issues))
        lines.append(f"weights = {{ {pairs} }}")
        for i in range(n_issues):
            table = ", ".join(f"l{v} = {float(values[p, i, v])!r}" for v in range(n_levels))
            lines.append(f"i{i} = {{ {table} }}")
    return "\n".join(lines) + "\n", weights, values


def negmas_problem(scenario: Scenario, weights: np.ndarray, values: np.ndarray):
    """negmas outcome space, ufuns and the list of outcomes (in dealsim's flat-index order)."""
    from negmas import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction

    issues = [make_issue(list(issue.values), name=issue.id) for issue in scenario.issues]
    outcome_space = make_os(issues)
    ufuns = [
        LinearAdditiveUtilityFunction(
            values={
                issue.id: dict(zip(issue.values, values[p, i].tolist(), strict=True))
                for i, issue in enumerate(scenario.issues)
            },
            weights={issue.id: float(weights[p, i]) for i, issue in enumerate(scenario.issues)},
            outcome_space=outcome_space,
        )
        for p in range(len(scenario.parties))
    ]
    outcomes = list(outcome_space.enumerate())  # itertools.product order = C order = flat index
    return outcome_space, ufuns, outcomes


def interleaved(
    fns: dict[str, Callable[[], object]], repeats: int, *, slow: float = float("inf")
) -> tuple[dict[str, float], dict[str, object], dict[str, int]]:
    """Median seconds of each function, the functions run in turn ``repeats`` times.

    A function whose first run takes longer than ``slow`` seconds is not run again.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    outputs: dict[str, object] = {}
    for r in range(repeats):
        for name, fn in fns.items():
            if r > 0 and times[name][0] > slow:
                continue
            start = time.perf_counter()
            outputs[name] = fn()
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    return medians, outputs, {name: len(t) for name, t in times.items()}


def dealsim_end_to_end(scenario: Scenario) -> dict[str, object]:
    """Utilities of every deal, their Pareto frontier and all five solutions on it."""
    model = UtilityModel.from_scenario(scenario)
    space = model.space
    u = model.utilities(space, space.codes())
    front = pareto_frontier(u)
    d = u.min(axis=0)  # negmas's disagreement point when no reserved value is set
    weights = np.arange(1.0, u.shape[1] + 1.0)
    solutions = all_bargaining_solutions(u[front], d, weights=weights)
    return {"u": u, "front": front, "d": d, "solutions": solutions}


def negmas_end_to_end(ufuns, outcomes, outcome_space) -> dict[str, object]:
    from negmas.preferences.ops import nash_points
    from negmas.preferences.ops import pareto_frontier as negmas_pareto

    points, indices = negmas_pareto(ufuns, outcomes=outcomes)
    nash = nash_points(ufuns, points, outcome_space=outcome_space)
    return {"points": points, "indices": indices, "nash": nash}


def compare(ours: dict[str, object], theirs: dict[str, object]) -> tuple[bool, bool, float]:
    """Same deals on the frontier? same utility vectors (max abs difference)? same Nash point?"""
    u, front = ours["u"], ours["front"]
    indices = np.sort(np.asarray(theirs["indices"], dtype=np.int64))
    same_deals = np.array_equal(indices, front)
    ours_pts = u[front][np.lexsort(u[front].T[::-1])]
    theirs_pts = np.asarray(theirs["points"], dtype=float)
    theirs_pts = theirs_pts[np.lexsort(theirs_pts.T[::-1])]
    gap = (
        float(np.abs(ours_pts - theirs_pts).max())
        if ours_pts.shape == theirs_pts.shape
        else float("inf")
    )
    nash_ours = ours["solutions"]["nash"].utilities
    nash_theirs = [np.asarray(p, dtype=float) for p, _ in theirs["nash"]]
    same_nash = any(np.allclose(nash_ours, p, rtol=0, atol=1e-9) for p in nash_theirs)
    return same_deals, same_nash, gap


def label(n: int) -> str:
    return f"10^{round(np.log10(n))}"


def run_size(n_issues: int, n_parties: int, repeats: int, slow: float) -> None:
    from negmas.preferences.ops import pareto_frontier_numpy

    text, weights, values = random_linear_scenario(n_issues, n_parties, SEED + n_issues + n_parties)
    scenario = loads(text)
    n = DealSpace(scenario).size
    outcome_space, ufuns, outcomes = negmas_problem(scenario, weights, values)
    print(f"\n{label(n)} deals ({n_issues} issues x {N_LEVELS} levels), {n_parties} parties")

    # end to end: utilities + frontier + Nash, from the built utility models
    med, out, runs = interleaved(
        {
            "dealsim": lambda: dealsim_end_to_end(scenario),
            "negmas": lambda: negmas_end_to_end(ufuns, outcomes, outcome_space),
        },
        repeats,
        slow=slow,
    )
    same_deals, same_nash, gap = compare(out["dealsim"], out["negmas"])
    note = "" if runs["negmas"] == repeats else f" (negmas took > {slow:.0f} s: run once)"
    ours, theirs = med["dealsim"], med["negmas"]
    print(
        f"  end to end   dealsim {ours * 1e3:9.1f} ms   negmas {theirs * 1e3:10.1f} ms"
        f"   ratio {theirs / ours:7.1f}x{note}"
    )
    front = out["dealsim"]["front"]
    print(
        f"  frontier {front.size} deals: identical deals {same_deals}, utility vectors max |diff| "
        f"{gap:.1e} (identical {gap <= 1e-9}); same Nash point {same_nash}"
    )

    # kernel only: the frontier of the same precomputed utility array
    u = out["dealsim"]["u"]
    med_k, out_k, _ = interleaved(
        {"dealsim": lambda: pareto_frontier(u), "negmas": lambda: pareto_frontier_numpy(u)},
        repeats,
    )
    same = np.array_equal(np.sort(out_k["negmas"]), out_k["dealsim"])
    ours, theirs = med_k["dealsim"], med_k["negmas"]
    print(
        f"  kernel only  dealsim {ours * 1e3:9.1f} ms   negmas {theirs * 1e3:10.1f} ms"
        f"   ratio {theirs / ours:7.1f}x   identical {same}"
    )

    # dealsim's pieces
    model = UtilityModel.from_scenario(scenario)
    codes = model.space.codes()
    d = u.min(axis=0)
    w = np.arange(1.0, n_parties + 1.0)
    pieces = {
        "load TOML": lambda: loads(text),
        "codes of every deal": lambda: model.space.codes(),
        "utilities of every deal": lambda: model.utilities(model.space, codes),
        "all five solutions, frontier": lambda: all_bargaining_solutions(u[front], d, weights=w),
        "all five solutions, every deal": lambda: all_bargaining_solutions(u, d, weights=w),
        "pipeline compute_zone (chunked)": lambda: compute_zone(scenario),
    }
    med_p, _, _ = interleaved(pieces, repeats)
    for name, t in med_p.items():
        print(f"    dealsim {name:32s} {t * 1e3:9.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--slow", type=float, default=120.0, help="seconds: run negmas once")
    parser.add_argument("--quick", action="store_true", help="only the 10^5-deal spaces")
    parser.add_argument(
        "--issues", type=int, nargs="+", default=[5, 6], help="issues of 10 levels (5: 10^5 deals)"
    )
    args = parser.parse_args()
    import negmas

    print(f"dealsim vs negmas {negmas.__version__}: medians of {args.repeats} interleaved runs")
    for n_issues in [5] if args.quick else args.issues:
        for n_parties in (2, 3):
            run_size(n_issues, n_parties, args.repeats, args.slow)


if __name__ == "__main__":
    main()
