"""Benchmark: Nash equilibria of normal-form games, dealsim against nashpy, pygambit, quantecon.

Run with ``/tmp/venv/bin/python benchmarks/bench_equilibrium.py``. Every peer runs in its own
subprocess with a time cap (nashpy's enumerations take minutes from about 10x10 on), so the whole
script stays under about five minutes. Prints medians of several repeats, ratios to dealsim, and
the number of equilibria (or Lemke–Howson pivots) each finds.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import textwrap
import time

import numpy as np

from dealsim.solvers._enumeration import _rescale
from dealsim.solvers._lemke_howson import _lemke_howson_kernel
from dealsim.solvers.equilibrium import lemke_howson, pure_equilibria, two_player_equilibria

CAP = 60.0  # seconds a peer may take on one game before it is skipped at larger sizes
REPEATS = 5

SETUP = """
import json, time, numpy as np
rng = np.random.default_rng({seed})
A, B = rng.random(({m}, {m})), rng.random(({m}, {m}))
"""

PEERS = {
    "nashpy support_enumeration": """
import nashpy
t = time.perf_counter(); eqs = list(nashpy.Game(A, B).support_enumeration())
print(json.dumps([time.perf_counter() - t, len(eqs)]))
""",
    "nashpy vertex_enumeration": """
import nashpy
t = time.perf_counter(); eqs = list(nashpy.Game(A, B).vertex_enumeration())
print(json.dumps([time.perf_counter() - t, len(eqs)]))
""",
    "pygambit enummixed (float)": """
import pygambit as gbt
g = gbt.Game.from_arrays(A, B)
t = time.perf_counter(); r = gbt.nash.enummixed_solve(g, rational=False)
print(json.dumps([time.perf_counter() - t, len(r.equilibria)]))
""",
    "quantecon vertex_enumeration": """
import quantecon.game_theory as gt
g = gt.NormalFormGame((gt.Player(A), gt.Player(B.T)))
t = time.perf_counter(); gt.vertex_enumeration(g); first = time.perf_counter() - t
ts = []
for _ in range(3):
    t = time.perf_counter(); eqs = gt.vertex_enumeration(g); ts.append(time.perf_counter() - t)
print(json.dumps([min(ts), len(eqs), first - min(ts)]))
""",
}

LH_PEERS = {
    "pygambit lcp_solve (float, 1 eq)": """
import pygambit as gbt
g = gbt.Game.from_arrays(A, B)
t = time.perf_counter(); r = gbt.nash.lcp_solve(g, rational=False, stop_after=1)
print(json.dumps([time.perf_counter() - t, len(r.equilibria)]))
""",
    "quantecon lemke_howson": """
import quantecon.game_theory as gt
g = gt.NormalFormGame((gt.Player(A), gt.Player(B.T)))
t = time.perf_counter(); gt.lemke_howson(g, init_pivot=0, max_iter=10**7)
first = time.perf_counter() - t
ts = []
for _ in range(3):
    t = time.perf_counter(); gt.lemke_howson(g, init_pivot=0, max_iter=10**7)
    ts.append(time.perf_counter() - t)
print(json.dumps([min(ts), 1, first - min(ts)]))
""",
}


def peer(code: str, seed: int, m: int) -> list[float] | None:
    """Run a peer's snippet in a subprocess; None if it exceeds CAP seconds."""
    script = textwrap.dedent(SETUP.format(seed=seed, m=m)) + textwrap.dedent(code)
    try:
        out = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=CAP,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_time(fn, repeats: int = REPEATS) -> float:
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def game(seed: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((m, m)), rng.random((m, m))


def run_and_report(
    label: str, code: str, seed: int, m: int, ours: float, skip: bool
) -> list[float] | None:
    """Run one peer (unless ``skip``) and print its time, count and ratio to dealsim."""
    res = None if skip else peer(code, seed, m)
    if res is None:
        print(f"{label} skipped (>60 s)")
        return None
    extra = f"  (JIT compile {res[2]:.2f} s, not counted)" if len(res) > 2 else ""
    print(
        f"{label} {res[0] * 1e3:10.1f} ms  {int(res[1]):3d} found  "
        f"x{res[0] / ours:7.2f} dealsim{extra}"
    )
    return res


def bench_enumeration() -> None:
    print("== all equilibria of random uniform bimatrix games (seed 0) ==")
    skipped: set[str] = set()
    for m in (6, 8, 10, 12):
        A, B = game(0, m)
        ours = median_time(lambda A=A, B=B: two_player_equilibria(A, B))
        n_ours = len(two_player_equilibria(A, B))
        print(f"{m}x{m}: dealsim vertex            {ours * 1e3:10.1f} ms  {n_ours:3d} eq")
        for name, code in PEERS.items():
            res = run_and_report(f"{m}x{m}: {name:28s}", code, 0, m, ours, name in skipped)
            if res is None or res[0] > CAP / 6:  # the next size is several times slower
                skipped.add(name)


def bench_lemke_howson() -> None:
    print("== one equilibrium by Lemke-Howson, dropped label 0 ==")
    skipped: set[str] = set()
    for m, seeds in ((50, (0, 1, 2)), (200, (0, 1))):
        for seed in seeds:
            A, B = game(seed, m)
            t = time.perf_counter()
            pivots = _lemke_howson_kernel(_rescale(A), _rescale(B), dropped=0, max_pivots=10**7)[2]
            ours = time.perf_counter() - t
            if m < 200:
                ours = median_time(lambda A=A, B=B: lemke_howson(A, B), repeats=3)
            print(
                f"{m}x{m} seed {seed}: dealsim lemke_howson {ours * 1e3:9.1f} ms  {pivots} pivots"
            )
            for name, code in LH_PEERS.items():
                label = f"{m}x{m} seed {seed}: {name:32s}"
                if run_and_report(label, code, seed, m, ours, (name, m) in skipped) is None:
                    skipped.add((name, m))


def bench_pure() -> None:
    print("== pure equilibria, 3 players x 30 strategies (27,000 profiles) ==")
    rng = np.random.default_rng(0)
    payoffs = rng.integers(0, 10, (3, 30, 30, 30)).astype(float)
    ours = median_time(lambda: pure_equilibria(payoffs))
    print(f"dealsim pure_equilibria   {ours * 1e3:8.2f} ms  {len(pure_equilibria(payoffs))} eq")
    np.save("/tmp/_bench_pure.npy", payoffs)
    code = """
import json, time, numpy as np, pygambit as gbt
payoffs = np.load("/tmp/_bench_pure.npy")
t = time.perf_counter(); g = gbt.Game.from_arrays(*payoffs); build = time.perf_counter() - t
t = time.perf_counter(); r = gbt.nash.enumpure_solve(g)
print(json.dumps([time.perf_counter() - t, len(r.equilibria), build]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=CAP)
    t, n, build = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"pygambit enumpure_solve   {t * 1e3:8.2f} ms  {n} eq  x{t / ours:.1f} dealsim "
        f"(building the gambit game: {build:.2f} s, not counted)"
    )


def bench_startup() -> None:
    code = """
import time
t = time.perf_counter()
import numpy as np
from dealsim.solvers.equilibrium import two_player_equilibria
rng = np.random.default_rng(0)
r = two_player_equilibria(rng.random((12, 12)), rng.random((12, 12)))
print(time.perf_counter() - t)
"""
    ts = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(3)
    ]
    print(
        f"== 12x12 all equilibria in a fresh interpreter (imports included): "
        f"median {statistics.median(ts):.3f} s =="
    )


if __name__ == "__main__":
    bench_startup()
    bench_pure()
    bench_enumeration()
    bench_lemke_howson()
