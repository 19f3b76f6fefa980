"""Benchmark: issue 17's table, one sub-command per row, peers interleaved, answers checked.

Run from the repository root with the project's interpreter::

    .venv/bin/python benchmarks/bench_speed.py solve       # dealsim.solve, 10^6 deals, 3 parties
    .venv/bin/python benchmarks/bench_speed.py cli         # `dealsim solve FILE`, whole process
    .venv/bin/python benchmarks/bench_speed.py montecarlo  # 10^4 Donbas samples, 1 and 2 workers
    .venv/bin/python benchmarks/bench_speed.py sweep       # 56-point 2-D sweep, game thresholds

Each prints dealsim's median time, the peer's or the floor's, and their ratio; the runs are
interleaved in one process (the machine may be shared: ratios are steadier than times), and the
answers are compared. ``--repeats N`` sets the runs per timing (median).

* ``solve``: :func:`dealsim.solve` of a seeded random linear-additive scenario (6 issues x 10
  levels, 3 parties, as in ``bench_core.py``) against (a) dealsim's own kernels on the whole
  array: ``pareto_frontier`` of the precomputed ``(10^6, 3)`` utilities (the floor of the issue's
  table), and utilities + frontier + all five solutions without chunks; (b) negmas's
  ``pareto_frontier`` + ``nash_points`` on the same problem (``--negmas-repeats``, default 1:
  it takes seconds). Frontier deals and the Nash deal are checked equal.
* ``cli``: ``python -m dealsim solve FILE --format json`` on that scenario as a fresh process
  reading its bytecode from a cache (as an installed package does), against ``python -c "import
  numpy"`` (the floor of any numpy program), numpy + pydantic validating one model (the floor of
  a numpy program that validates its input with pydantic) and, optionally
  (``--negmas``), a fresh process that builds the negmas problem and computes its frontier and
  Nash point. The JSON's frontier and Nash deal are checked against the in-process solve.
* ``montecarlo``: :func:`dealsim.uncertainty.montecarlo.monte_carlo` of donbas-2026 with 10^4
  samples, 1 worker against 2, and against its vectorised zone-and-solutions kernel
  (:func:`dealsim.analysis.batch.batch_solve`) alone and the issue's floor; wall and CPU time
  (this process and its workers); 2 workers kept from the run before (as dealsim keeps them)
  and 2 workers started for the run. The 1- and 2-worker summaries are checked equal.
* ``sweep``: :func:`dealsim.uncertainty.sweep.sweep` of donbas-2026 over ``audience_cost_max``
  (7 values, the parameter whose outcome switches the games locate) x ``belt_shift`` (8 values,
  the war's commitment problem), one worker, against the 56 points solved independently (what
  the sweep did before it reused stages) and without refinement. Records are checked identical.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def interleaved(
    fns: dict[str, Callable[[], object]], repeats: dict[str, int] | int
) -> tuple[dict[str, float], dict[str, object]]:
    """Median seconds of each function, run in turn (``repeats`` per name or for all)."""
    counts = repeats if isinstance(repeats, dict) else dict.fromkeys(fns, repeats)
    times: dict[str, list[float]] = {name: [] for name in fns}
    outputs: dict[str, object] = {}
    for r in range(max(counts.values())):
        for name, fn in fns.items():
            if r >= counts[name]:
                continue
            start = time.perf_counter()
            outputs[name] = fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}, outputs


def show(label: str, seconds: float, note: str = "") -> None:
    unit, value = ("ms", seconds * 1e3) if seconds < 10 else ("s", seconds)
    print(f"  {label:58s} {value:9.1f} {unit}{note}")


def random_problem():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_core import SEED, random_linear_scenario

    from dealsim.scenario import loads

    text, weights, values = random_linear_scenario(6, 3, SEED + 6 + 3)
    return text, loads(text), weights, values


# ------------------------------------------------------------------------------------ solve


def bench_solve(args: argparse.Namespace) -> None:
    import dealsim
    from dealsim.solvers.bargaining import all_bargaining_solutions
    from dealsim.solvers.pareto import pareto_frontier
    from dealsim.space import UtilityModel
    from dealsim.zone import utility_scale

    _, scenario, weights, values = random_problem()
    model = UtilityModel.from_scenario(scenario)
    space = model.space
    u = model.utilities(space, space.codes())
    r, powers = scenario.reservations(), scenario.powers()
    scale = utility_scale(model, r)

    def kernels():
        m = UtilityModel.from_scenario(scenario)
        whole = m.utilities(m.space, m.space.codes())
        front = pareto_frontier(whole, tol=1e-9, scale=scale)
        return front, all_bargaining_solutions(whole[front], r, weights=powers, tol=1e-9)

    fns = {
        "solve": lambda: dealsim.solve(scenario),
        "pareto": lambda: pareto_frontier(u, tol=1e-9, scale=scale),
        "kernels": kernels,
    }
    print(f"dealsim.solve, {space.size:,} deals, 3 parties: medians of {args.repeats} runs")
    med, out = interleaved(fns, args.repeats)
    result = out["solve"]
    front, solutions = out["kernels"]
    same = list(result.pareto_frontier.indices) == front.tolist() == out["pareto"].tolist()
    nash = result.solutions["nash"].index
    same_nash = nash == int(front[solutions["nash"].index])
    show("dealsim.solve (chunked walk, all five solutions)", med["solve"])
    show("floor: pareto_frontier of the whole (10^6, 3) array", med["pareto"])
    show("kernels on the whole array (utilities+frontier+solutions)", med["kernels"])
    print(
        f"  ratio solve / pareto floor {med['solve'] / med['pareto']:.2f}x (target <= 2x);"
        f" solve / whole-array kernels {med['solve'] / med['kernels']:.2f}x"
    )
    print(f"  frontier {front.size} deals identical: {same}; Nash deal identical: {same_nash}")
    if args.negmas_repeats < 1:
        return
    from bench_core import negmas_end_to_end, negmas_problem

    outcome_space, ufuns, outcomes = negmas_problem(scenario, weights, values)
    med_n, out_n = interleaved(
        {
            "solve": lambda: dealsim.solve(scenario),
            "negmas": lambda: negmas_end_to_end(ufuns, outcomes, outcome_space),
        },
        {"solve": max(args.negmas_repeats, 3), "negmas": args.negmas_repeats},
    )
    theirs = out_n["negmas"]
    negmas_front = np.sort(np.asarray(theirs["indices"], dtype=np.int64))
    nash_u = np.asarray(list(result.solutions["nash"].utilities.values()))
    d = u.min(axis=0)  # negmas's Nash point uses each party's minimum as disagreement
    ours_nash = all_bargaining_solutions(u[front], d, weights=powers)["nash"].utilities
    same_n = any(np.allclose(ours_nash, p, rtol=0, atol=1e-9) for p, _ in theirs["nash"])
    show("negmas pareto_frontier + nash_points (same problem)", med_n["negmas"])
    print(
        f"  ratio negmas / dealsim.solve {med_n['negmas'] / med_n['solve']:.1f}x (target >= 100x;"
        f" negmas {args.negmas_repeats} run(s), dealsim solve {med_n['solve'] * 1e3:.1f} ms here)"
    )
    print(
        f"  negmas frontier identical: {np.array_equal(negmas_front, front)}; "
        f"Nash point (disagreement = minima) identical: {same_n}; "
        f"solve's Nash utilities {np.round(nash_u, 6).tolist()}"
    )


# -------------------------------------------------------------------------------------- cli

_NEGMAS_SCRIPT = """
import sys
sys.path.insert(0, {bench!r})
from bench_core import SEED, negmas_end_to_end, negmas_problem, random_linear_scenario
from dealsim.scenario import loads
text, weights, values = random_linear_scenario(6, 3, SEED + 6 + 3)
outcome_space, ufuns, outcomes = negmas_problem(loads(text), weights, values)
out = negmas_end_to_end(ufuns, outcomes, outcome_space)
print(len(out["indices"]))
"""


_PYDANTIC_FLOOR = """
import numpy
from pydantic import BaseModel, ConfigDict

class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str

Section.model_validate({"name": "x"})
"""


def bench_cli(args: argparse.Namespace) -> None:
    import os

    import dealsim

    text, scenario, _, _ = random_problem()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random-10e6.toml"
        path.write_text(text)
        command = [sys.executable, "-m", "dealsim", "solve", str(path), "--format", "json"]
        # As installed: pip compiles the bytecode, so every process below reads it from a cache
        # (a private one, warmed by the first run). This checkout's environment may set
        # PYTHONDONTWRITEBYTECODE=1, under which every process recompiles dealsim's sources;
        # that figure is printed too.
        installed = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        installed["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        no_cache = {**installed, "PYTHONDONTWRITEBYTECODE": "1"}
        no_cache.pop("PYTHONPYCACHEPREFIX")
        no_plugins = {**installed, "PYDANTIC_DISABLE_PLUGINS": "__all__"}

        cpu: dict[str, list[float]] = {}

        def run(cmd: list[str], env: dict[str, str] = installed, name: str = "") -> str:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                cmd, capture_output=True, text=True, cwd=ROOT, check=False, env=env
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            cpu.setdefault(name, []).append(used)
            return done.stdout

        imports = "import dealsim.cli, dealsim.cli.solve, dealsim.pipeline, dealsim.report"
        donbas = [sys.executable, "-m", "dealsim", "solve", "donbas-2026", "--format", "json"]
        fns = {
            "dealsim": lambda: run(command, name="dealsim"),
            "numpy": lambda: run([sys.executable, "-c", "import numpy"], name="numpy"),
            "pydantic": lambda: run([sys.executable, "-c", _PYDANTIC_FLOOR], name="pydantic"),
            "import": lambda: run([sys.executable, "-c", imports], name="import"),
            "no plugins": lambda: run(command, no_plugins, name="no plugins"),
            "no cache": lambda: run(command, no_cache, name="no cache"),
            # the README's first command on its bundled scenario, and what scipy.stats (which
            # its war analysis no longer imports) would add to it
            "donbas": lambda: run(donbas, name="donbas"),
            "scipy.stats": lambda: run(
                [sys.executable, "-c", "import numpy, scipy.stats"], name="scipy.stats"
            ),
        }
        counts = dict.fromkeys(fns, args.repeats)
        if args.negmas:
            script = _NEGMAS_SCRIPT.format(bench=str(ROOT / "benchmarks"))
            fns["negmas"] = lambda: run([sys.executable, "-c", script])
            counts["negmas"] = 1
        warm = ("dealsim", "numpy", "pydantic", "import", "donbas", "scipy.stats")
        for name in warm:  # warm the bytecode cache
            fns[name]()
        cpu.clear()
        print(f"command: {' '.join(command)}   [median of {args.repeats} fresh processes]")
        med, out = interleaved(fns, counts)
    document = json.loads(out["dealsim"])
    result = dealsim.solve(scenario)
    same = (
        document["pareto_frontier"]["size"] == result.pareto_frontier.size
        and document["solutions"]["nash"]["index"] == result.solutions["nash"].index
        and out["no plugins"] == out["dealsim"] == out["no cache"]
    )
    cpu_med = {name: statistics.median(times) for name, times in cpu.items()}
    rows = [
        ("dealsim", "dealsim solve FILE --format json (whole process)"),
        ("numpy", "floor: python -c 'import numpy'"),
        ("pydantic", "floor: numpy + pydantic, one model validated"),
        ("import", "imports: dealsim.cli, .cli.solve, .pipeline, .report"),
        ("no plugins", "reference: dealsim, PYDANTIC_DISABLE_PLUGINS=__all__"),
        ("no cache", "reference: dealsim without a bytecode cache"),
        ("donbas", "dealsim solve donbas-2026 --format json (README)"),
        ("scipy.stats", "reference: python -c 'import numpy, scipy.stats'"),
    ]
    print(f"  {'':58s} {'wall':>9s}    {'cpu (user+sys)':>14s}")
    for name, label in rows:
        note = "  (target < 0.4 s)" if name == "dealsim" else ""
        print(f"  {label:58s} {med[name] * 1e3:6.1f} ms {cpu_med[name] * 1e3:10.1f} ms{note}")
    for floor, label in (("numpy", "numpy"), ("pydantic", "numpy + pydantic")):
        wall, used = med["dealsim"] / med[floor], cpu_med["dealsim"] / cpu_med[floor]
        print(f"  ratio dealsim / {label} floor: wall {wall:.2f}x, cpu {used:.2f}x")
    print(f"  JSON frontier size and Nash deal equal to the in-process solve: {same}")
    if args.negmas:
        show("negmas: build the problem, frontier + Nash point (1 run)", med["negmas"])
        print(f"  ratio negmas / dealsim {med['negmas'] / med['dealsim']:.1f}x")


# ------------------------------------------------------------------------------- montecarlo


def bench_montecarlo(args: argparse.Namespace) -> None:
    import dealsim
    from dealsim.analysis.batch import batch_solve
    from dealsim.space import DealSpace, UtilityModel
    from dealsim.uncertainty.distributions import sample_parameters
    from dealsim.uncertainty.montecarlo import _auto_batch, monte_carlo

    scenario = dealsim.load("donbas-2026")
    n = args.samples
    if args.keep_freed_memory:
        bench_montecarlo_kept(scenario, n, args.repeats)
        return
    draws = sample_parameters(scenario, 0, n, seed=1)
    space = DealSpace(scenario)
    codes = space.codes()
    model = UtilityModel.from_scenario(scenario)
    feasible = codes[model.feasible(space, codes).all(axis=0)]
    base = model.utilities(space, feasible)  # (n_feasible, k) at the scenario's values
    r = scenario.reservations({**scenario.parameters, **draws})  # (n, k)

    def run(workers: int):
        return monte_carlo(scenario, samples=n, seed=1, workers=workers, progress=False)

    def floor():
        """The issue's floor: one numpy pass over every (draw, feasible deal, party).

        A utility per element (the deals' utilities moved by a per-draw shift: one add) and
        the zone test (one compare), in chunks of 256 draws; no solutions, not dealsim's model.
        """
        sizes = []
        for start in range(0, n, 256):
            shift = r[start : start + 256, None, :] - r[:1, None, :]
            u = base[None, :, :] + shift  # (s, n_feasible, k)
            sizes.append((u >= r[start : start + 256, None, :]).all(axis=2).sum(axis=1))
        return np.concatenate(sizes)

    cpu: dict[str, list[float]] = {}

    def timed_cpu(name: str, fn: Callable[[], object]) -> Callable[[], object]:
        """``fn``, recording the CPU time of this process and its children (the workers)."""

        def wrapper() -> object:
            before = cpu_now()
            out = fn()
            cpu.setdefault(name, []).append(cpu_now() - before)
            return out

        return wrapper

    run(1)  # warm-up, untimed: the first run imports the games' outcome hook
    run(2)  # and the first 2-worker run starts the workers that later runs keep
    print(
        f"monte_carlo, donbas-2026, {n:,} samples x {feasible.shape[0]:,} feasible deals x "
        f"{base.shape[1]} parties: medians of {args.repeats} runs, after one untimed run"
    )
    med, out = interleaved(
        {
            "w1": timed_cpu("w1", lambda: run(1)),
            "w2": timed_cpu("w2", lambda: run(2)),
            "fresh": timed_cpu("fresh", lambda: fresh_workers(run)),
            "kernel": timed_cpu("kernel", lambda: batch_solve(scenario, draws)),
            "floor": timed_cpu("floor", floor),
        },
        args.repeats,
    )
    cpu_med = {name: statistics.median(values) for name, values in cpu.items()}
    same = json.dumps(out["w1"].to_dict(), sort_keys=True, default=str) == json.dumps(
        out["w2"].to_dict(), sort_keys=True, default=str
    )
    batch, table = out["kernel"], out["w1"].table
    agree = np.array_equal(table["zone_size"], batch.zone_size) and all(
        np.array_equal(table[f"{name}.index"], batch.solutions[name]) for name in batch.solutions
    )

    def cpu_note(name: str) -> str:
        return f"  (CPU {cpu_med[name] * 1e3:.0f} ms)"

    show("monte_carlo, 1 worker", med["w1"], cpu_note("w1") + "  target < 1.5 s at 10^4")
    show(
        "monte_carlo, 2 workers (kept from the run before)",
        med["w2"],
        cpu_note("w2") + "  parent + workers",
    )
    show("monte_carlo, 2 workers started for the run", med["fresh"], cpu_note("fresh"))
    show("batch_solve (zone + five solutions), 1 process", med["kernel"], cpu_note("kernel"))
    show(
        "floor: one add + compare per (draw, feasible deal, party)", med["floor"], cpu_note("floor")
    )
    print(
        f"  ratio 1 worker / 2 workers {med['w1'] / med['w2']:.2f}x (target >= 1.7x; with "
        f"workers started for the run {med['w1'] / med['fresh']:.2f}x); "
        f"1 worker / batch_solve {med['w1'] / med['kernel']:.2f}x; "
        f"1 worker / floor {med['w1'] / med['floor']:.2f}x"
    )
    batch_1, batch_2 = (_auto_batch(scenario, n, w, None, None) for w in (1, 2))
    tasks_1, tasks_2 = -(-n // batch_1), -(-n // batch_2)
    print(
        f"  CPU: 1 worker / floor {cpu_med['w1'] / cpu_med['floor']:.2f}x; tasks: "
        f"{tasks_1} of {batch_1:,} with 1 worker, {tasks_2} of {batch_2:,} with 2"
    )
    if tasks_2 > 1:
        print(
            f"  2 workers spend {cpu_med['w2'] / cpu_med['w1']:.2f}x the CPU of 1 (parent and "
            "workers): on two otherwise idle cores 1 worker / 2 workers is at most "
            f"{2 * cpu_med['w1'] / cpu_med['w2']:.2f}x"
        )
    else:
        print("  2 workers: one task, run in the calling process (no worker started)")
    print(f"  1- and 2-worker results identical: {same}")
    print(f"  monte_carlo's zone sizes and solutions equal batch_solve's, draw by draw: {agree}")
    machine_scaling(scenario, n, args.repeats)
    # The worker processes keep freed memory (dealsim.uncertainty._allocator); this process,
    # like any program that calls the library, keeps its allocator. `dealsim montecarlo` owns
    # its process and keeps freed memory in it too: the same comparison, in such a process.
    command = [sys.executable, __file__, "montecarlo", "--keep-freed-memory"]
    command += ["--repeats", str(args.repeats), "--samples", str(n)]
    sys.stdout.flush()
    subprocess.run(command, check=True)


def bench_montecarlo_kept(scenario, n: int, repeats: int) -> None:
    """1 against 2 workers in a process that keeps freed memory, as `dealsim montecarlo` runs."""
    from dealsim.uncertainty._allocator import keep_freed_memory
    from dealsim.uncertainty.montecarlo import monte_carlo

    taken = keep_freed_memory()

    def run(workers: int):
        return monte_carlo(scenario, samples=n, seed=1, workers=workers, progress=False)

    run(1)
    run(2)  # untimed: starts the workers that the later 2-worker runs keep
    med, out = interleaved(
        {"w1": lambda: run(1), "w2": lambda: run(2), "fresh": lambda: fresh_workers(run)},
        repeats,
    )
    same = all(
        json.dumps(out["w1"].to_dict(), sort_keys=True, default=str)
        == json.dumps(out[name].to_dict(), sort_keys=True, default=str)
        for name in ("w2", "fresh")
    )
    print(
        f"in a process that keeps freed memory (as `dealsim montecarlo` runs; taken: {taken}), "
        f"medians of {repeats} runs:"
    )
    show("monte_carlo, 1 worker", med["w1"], "")
    show("monte_carlo, 2 workers (kept from the run before)", med["w2"], "")
    show("monte_carlo, 2 workers started for the run", med["fresh"], "  (a program's first run)")
    print(
        f"  ratio 1 worker / 2 workers {med['w1'] / med['w2']:.2f}x (target >= 1.7x); with "
        f"workers started for the run {med['w1'] / med['fresh']:.2f}x (their start costs the run "
        f"{(med['fresh'] - med['w2']) * 1e3:.0f} ms); same: {same}"
    )
    machine_scaling(scenario, n, repeats, initializer=keep_freed_memory)


def cpu_now() -> float:
    """CPU seconds of this process, its ended children and the worker processes dealsim keeps
    (read from /proc: they have not ended, so ``os.times`` does not count them yet)."""
    from dealsim.uncertainty import _runner

    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    executor = _runner._HELD.executor
    tick = os.sysconf("SC_CLK_TCK")
    for pid in list(getattr(executor, "_processes", None) or {}):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def fresh_workers(run: Callable[[int], object]) -> object:
    """``run(2)`` with new worker processes (as a program's first run with 2 workers)."""
    from dealsim.uncertainty import shutdown_workers

    shutdown_workers()
    return run(2)


def _half_task(scenario, start: int, stop: int) -> float:
    """One Monte Carlo task over draws ``start:stop``; its CPU time in the process that ran it."""
    from dealsim.uncertainty.montecarlo import _montecarlo_task

    before = time.process_time()
    _montecarlo_task(scenario, 1, start, stop)
    return time.process_time() - before


def machine_scaling(scenario, n: int, repeats: int, initializer=None) -> None:
    """What two cores give this work: the run's two halves as two tasks at once, in a warm pool.

    No pool start, no summary, no split into more tasks: the ratio of the two halves run one
    after another in this process to the same halves run at once in two (already started)
    worker processes is what 2 workers could reach on this machine; the CPU the workers spend
    on the same halves, against this process's, shows what a fresh process costs per task.
    """
    from concurrent.futures import ProcessPoolExecutor

    half = n // 2
    with ProcessPoolExecutor(max_workers=2, initializer=initializer) as pool:
        list(pool.map(_half_task, [scenario] * 2, [0, 0], [100, 100]))  # start both workers
        cpu: dict[str, list[float]] = {"serial": [], "pool": []}

        def serial() -> None:
            cpu["serial"].append(_half_task(scenario, 0, half) + _half_task(scenario, half, n))

        def at_once() -> None:
            cpu["pool"].append(sum(pool.map(_half_task, [scenario] * 2, [0, half], [half, n])))

        med, _ = interleaved({"serial": serial, "pool": at_once}, repeats)
    used = {name: statistics.median(values) for name, values in cpu.items()}
    print(
        f"  machine: the two halves ({half:,} draws each) one after another "
        f"{med['serial'] * 1e3:.0f} ms, at once in 2 started workers {med['pool'] * 1e3:.0f} ms: "
        f"{med['serial'] / med['pool']:.2f}x; the workers' CPU for them "
        f"{used['pool'] / used['serial']:.2f}x this process's"
    )


# ------------------------------------------------------------------------------------ sweep


def bench_sweep(args: argparse.Namespace) -> None:
    import dealsim
    from dealsim import pipeline
    from dealsim.analysis import games
    from dealsim.uncertainty.sweep import sweep

    scenario = dealsim.load("donbas-2026")
    grid = {
        "audience_cost_max": np.linspace(0.02, 0.30, 7),
        "belt_shift": np.linspace(0.20, 0.60, 8),
    }
    points = [
        {"audience_cost_max": float(a), "belt_shift": float(b)}
        for a in grid["audience_cost_max"]
        for b in grid["belt_shift"]
    ]

    def reused():
        games._THRESHOLD_CACHE.clear()  # a fresh process's sweep: the first point searches
        return sweep(scenario, grid, workers=1, progress=False).records

    def independent():
        games._THRESHOLD_CACHE.clear()  # each point solved alone, thresholds searched once
        return [
            {"point": i, **pipeline.solve(scenario, parameters=p).to_dict()}
            for i, p in enumerate(points)
        ]

    def no_refine():
        games._THRESHOLD_CACHE.clear()
        return [pipeline.solve(scenario, parameters=p, refine=False) for p in points]

    pipeline.solve(scenario).to_dict()  # imports (scipy, the analyses) outside the timings
    print(f"sweep, donbas-2026, 7 x 8 = 56 points, 1 worker: medians of {args.repeats} runs")
    cpu: dict[str, list[float]] = {}

    def cpu_timed(name: str, fn: Callable[[], object]) -> Callable[[], object]:
        def run():
            t = time.process_time()
            try:
                return fn()
            finally:
                cpu.setdefault(name, []).append(time.process_time() - t)

        return run

    fns = {"reused": reused, "independent": independent, "no_refine": no_refine}
    med, out = interleaved({k: cpu_timed(k, f) for k, f in fns.items()}, args.repeats)
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    same = json.dumps(out["reused"], sort_keys=True) == json.dumps(
        out["independent"], sort_keys=True
    )
    for name, label in [
        ("reused", "sweep (stages reused within the call)"),
        ("independent", "56 independent solve(...).to_dict() (the sweep before)"),
        ("no_refine", "56 independent solves with refine=False"),
    ]:
        cpu_note = f"  (CPU {med_cpu[name]:.2f} s)"
        show(label, med[name], cpu_note + ("  target < 3 s" if name == "reused" else ""))
    print(
        f"  ratio independent / sweep {med['independent'] / med['reused']:.2f}x "
        f"(CPU {med_cpu['independent'] / med_cpu['reused']:.2f}x); "
        f"sweep / independent without refinement {med['reused'] / med['no_refine']:.2f}x"
    )
    print(f"  records identical to the independent solves: {same}")
    sweep_workers(scenario, grid, args.repeats)
    sweep_breakdown(scenario, grid)


def sweep_workers(scenario, grid: dict[str, np.ndarray], repeats: int) -> None:
    """The same sweep on 2 workers: tasks of a shared problem's points (the default) against a
    task per point (``batch=1``, the default before), and 1 worker; records checked equal."""
    from dealsim.analysis import games
    from dealsim.analysis.reuse import StageReuse
    from dealsim.uncertainty.sweep import points_per_task, sweep

    def run(workers: int, batch: int | None) -> Callable[[], object]:
        def go():
            games._THRESHOLD_CACHE.clear()
            return sweep(scenario, grid, workers=workers, batch=batch, progress=False).records

        return go

    fns = {"w1": run(1, None), "w2": run(2, None), "w2_point": run(2, 1)}
    med, out = interleaved(fns, repeats)
    points = [dict(zip(grid, p, strict=True)) for p in itertools.product(*grid.values())]
    size = points_per_task(
        StageReuse(scenario), [{k: float(v) for k, v in p.items()} for p in points], 2
    )
    show("sweep, 1 worker", med["w1"])
    show(f"sweep, 2 workers, {size} points per task (default)", med["w2"])
    show("sweep, 2 workers, 1 point per task (batch=1)", med["w2_point"])
    same = all(
        json.dumps(out[k], sort_keys=True) == json.dumps(out["w1"], sort_keys=True) for k in out
    )
    print(
        f"  ratio 1 worker / 2 workers {med['w1'] / med['w2']:.2f}x (default), "
        f"{med['w1'] / med['w2_point']:.2f}x (a task per point); records identical: {same}"
    )


def sweep_breakdown(scenario, grid: dict[str, np.ndarray]) -> None:
    """Where the sweep's time goes: CPU time per stage over one whole sweep (thresholds searched).

    Each stage is timed by wrapping the function the pipeline calls (restored afterwards);
    nested stages are shown indented and are part of their parent's time. ``computed`` counts
    the runs of a stage, ``reused`` the points that took an earlier point's result.
    """
    import importlib

    from dealsim import pipeline, results
    from dealsim.analysis import games, reuse
    from dealsim.solvers import refinement as kernels
    from dealsim.uncertainty import sweep as sweep_module

    spent: dict[str, float] = {}
    patched: list[tuple[object, str, object]] = []

    def timed(label: str, fn: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*a, **k):
            t = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - t

        return wrapper

    def patch(module: object, name: str, label: str) -> None:
        patched.append((module, name, getattr(module, name)))
        setattr(module, name, timed(label, getattr(module, name)))

    refinement = importlib.import_module("dealsim.analysis.refinement")
    war = importlib.import_module("dealsim.analysis.war")
    problem = "bargaining problem (zone, 5 solutions, refinement)"
    patch(pipeline, "_bargaining", problem)
    inside = {  # a stage: the stages timed inside it (module, function, label), in print order
        problem: [
            (pipeline, "compute_zone", "  of which the zone (compute_zone)"),
            (refinement, "refine_solutions", "  of which the continuous refinement"),
            (kernels, "_barrier_newton", "    of which barrier Newton"),
            (kernels, "_vertices", "    of which vertex enumerations (LU)"),
        ],
        "analysis war": [(war, "_private_information", "  of which the private information")],
        "analysis games": [(games, "_threshold_search", "  of which the threshold searches")],
    }
    for stages in inside.values():
        for module, name, label in stages:
            patch(module, name, label)
    patch(reuse.StageReuse, "problem_key", "stage keys (problem)")
    patch(reuse.StageReuse, "analysis_key", "stage keys (analyses)")
    patch(results.SolveResult, "to_dict", "to_dict")
    load = pipeline.load_function
    pipeline.load_function = lambda target: timed(
        f"analysis {target.split(':')[1].removesuffix('_analysis')}", load(target)
    )
    made: list[reuse.StageReuse] = []
    real_reuse = sweep_module.StageReuse
    sweep_module.StageReuse = lambda s: made.append(real_reuse(s)) or made[-1]
    try:
        games._THRESHOLD_CACHE.clear()
        start = time.process_time()
        sweep_module.sweep(scenario, grid, workers=1, progress=False)
        total = time.process_time() - start
    finally:
        sweep_module.StageReuse = real_reuse
        pipeline.load_function = load
        for module, name, fn in reversed(patched):
            setattr(module, name, fn)
    counts = made[0]
    print("  the sweep's CPU time by stage (56 points; thresholds searched at the first):")
    print(f"    {'sweep, whole':58s} {total * 1e3:7.0f} ms")
    order = [problem, *(k for k in spent if k.startswith("analysis")), "to_dict"]
    order += [k for k in spent if k.startswith("stage keys")]
    parts = {"  of which the private information": "war.private_information"}

    def runs(stage: str) -> str:
        if stage not in counts.computed:
            return ""
        return f"  computed {counts.computed[stage]:2d}, reused {counts.reused[stage]:2d}"

    for label in order:
        stage = "bargaining" if label == problem else label.removeprefix("analysis ")
        print(
            f"    {label:58s} {spent[label] * 1e3:7.0f} ms  {spent[label] / total:5.1%}"
            f"{runs(stage)}"
        )
        for _, _, inner in inside.get(label, []):
            if inner in spent:
                print(f"    {inner:58s} {spent[inner] * 1e3:7.0f} ms{runs(parts.get(inner, ''))}")
    rest = total - sum(spent[k] for k in order)
    print(f"    {'rest (scenario copies, result building, runner)':58s} {rest * 1e3:7.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("row", choices=["solve", "cli", "montecarlo", "sweep"])
    parser.add_argument("--repeats", type=int, default=5, help="runs per timing (median)")
    parser.add_argument(
        "--negmas-repeats", type=int, default=1, help="solve: negmas runs (0: none)"
    )
    parser.add_argument("--negmas", action="store_true", help="cli: also time negmas (slow)")
    parser.add_argument("--samples", type=int, default=10_000, help="montecarlo: samples")
    parser.add_argument(
        "--keep-freed-memory",
        action="store_true",
        help="montecarlo: only 1 against 2 workers and the machine's line, in a process that "
        "keeps freed memory as `dealsim montecarlo` does (the default run ends with this one)",
    )
    args = parser.parse_args()
    {"solve": bench_solve, "cli": bench_cli, "montecarlo": bench_montecarlo, "sweep": bench_sweep}[
        args.row
    ](args)


if __name__ == "__main__":
    main()
