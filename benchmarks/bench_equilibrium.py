"""Benchmark: Nash equilibria of normal-form games, dealsim against nashpy, pygambit, quantecon.

Run with ``.venv/bin/python benchmarks/bench_equilibrium.py``. Every peer runs in its own
subprocess with a time cap (nashpy's enumerations take minutes from about 10x10 on; one
Lemke-Howson path of a 200x200 game can take more than 10^5 pivots), so the whole script stays
under about five minutes; a peer over its cap is reported as "skipped". Prints medians of
several repeats, ratios to dealsim, and the number of equilibria (or Lemke-Howson pivots) each
finds. Sections:

- start-up: a fresh interpreter that imports dealsim and finds all equilibria of a random 12x12
  game, timed from outside (interpreter start-up included), beside ``python -c pass`` and
  ``python -c "import numpy"`` in the same run;
- pure equilibria of a 3-player game; all equilibria of random games up to 12x12;
- one equilibrium of random 50x50 and 200x200 games: dealsim's raced Lemke-Howson (all dropped
  labels in lockstep) against pygambit's lcp_solve, quantecon's lemke_howson from label 0 and
  with its capping heuristic, and dealsim's own single path from label 0;
- ``--only vertex``: all equilibria of 8x8 ... 15x15 games against QuantEcon's
  vertex_enumeration, in this process, interleaved, the sets of equilibria checked equal; with
  dealsim's search alone, its numpy dispatch floor (the same calls on one-basis layers), the
  search's element work split into the essential passes and the rest, and its time outside
  the search;
- ``--only pivot``: time per Lemke-Howson pivot on 200x200 games against QuantEcon, the same
  path (pivot count and equilibrium checked equal), interleaved.

``--only SECTION`` (repeatable) runs only the named sections.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from typing import Any

import numpy as np
from _timing import capped_json, median_time

from dealsim.solvers.equilibrium import pure_equilibria, two_player_equilibria

CAP = 60.0  # seconds a peer may take on one game before it is skipped at larger sizes
LH_CAP = 20.0  # seconds a Lemke-Howson peer may take on one game

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

# quantecon's Lemke-Howson (numba): the first call compiles; the time is the best of 3 after it.
QE_LH = """
import quantecon.game_theory as gt
g = gt.NormalFormGame((gt.Player(A), gt.Player(B.T)))
t = time.perf_counter(); gt.lemke_howson(g, {args}, max_iter=10**7)
first = time.perf_counter() - t
ts = []
for _ in range(3):
    t = time.perf_counter()
    _, res = gt.lemke_howson(g, {args}, max_iter=10**7, full_output=True)
    ts.append(time.perf_counter() - t)
print(json.dumps([min(ts), res.num_iter, first - min(ts)]))
"""

LH_PEERS = {
    "pygambit lcp_solve (float, 1 eq)": """
import pygambit as gbt
g = gbt.Game.from_arrays(A, B)
t = time.perf_counter(); r = gbt.nash.lcp_solve(g, rational=False, stop_after=1)
print(json.dumps([time.perf_counter() - t, len(r.equilibria)]))
""",
    "quantecon lemke_howson (label 0)": QE_LH.format(args="init_pivot=0"),
    "quantecon lemke_howson (capping=10)": QE_LH.format(args="capping=10"),
    "dealsim lemke_howson (label 0 only)": """
from dealsim.solvers._enumeration import _rescale
from dealsim.solvers._lemke_howson import _lemke_howson_kernel
t = time.perf_counter()
pivots = _lemke_howson_kernel(_rescale(A), _rescale(B), dropped=0, max_pivots=10**7)[2]
print(json.dumps([time.perf_counter() - t, pivots]))
""",
}


def peer(code: str, seed: int, m: int, cap: float = CAP) -> list[float] | None:
    """Run a peer's snippet in a subprocess; None if it exceeds ``cap`` seconds."""
    script = textwrap.dedent(SETUP.format(seed=seed, m=m)) + textwrap.dedent(code)
    return capped_json(script, cap=cap)


def game(seed: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((m, m)), rng.random((m, m))


def run_and_report(
    label: str,
    code: str,
    seed: int,
    m: int,
    ours: float,
    skip: bool,
    cap: float = CAP,
    what: str = "found",
) -> list[float] | None:
    """Run one peer (unless ``skip``) and print its time, count and ratio to dealsim."""
    if skip:
        print(f"{label} skipped (too slow at the previous size)")
        return None
    res = peer(code, seed, m, cap)
    if res is None:
        print(f"{label} skipped (>{cap:.0f} s)")
        return None
    extra = f"  (JIT compile {max(res[2], 0.0):.2f} s, not counted)" if len(res) > 2 else ""
    print(
        f"{label} {res[0] * 1e3:10.1f} ms  {int(res[1]):6d} {what}  "
        f"x{res[0] / ours:8.2f} dealsim{extra}"
    )
    return res


def bench_enumeration() -> None:
    print("== all equilibria of random uniform bimatrix games (seed 0) ==")
    skipped: set[str] = set()
    for m in (6, 8, 10, 12):
        A, B = game(0, m)
        ours = median_time(lambda A=A, B=B: two_player_equilibria(A, B))
        n_ours = len(two_player_equilibria(A, B))
        print(f"{m}x{m}: dealsim vertex            {ours * 1e3:10.1f} ms  {n_ours:6d} found")
        for name, code in PEERS.items():
            res = run_and_report(f"{m}x{m}: {name:28s}", code, 0, m, ours, name in skipped)
            if res is None or res[0] > CAP / 20:  # the next size is about ten times slower
                skipped.add(name)


def bench_lemke_howson() -> None:
    print("== one equilibrium by Lemke-Howson: dealsim races all m + n dropped labels ==")
    for m, seeds in ((50, (0, 1, 2)), (200, (0, 1))):
        for seed in seeds:
            A, B = game(seed, m)
            ours = median_time(lambda A=A, B=B: two_player_equilibria(A, B, method="lemke_howson"))
            par = two_player_equilibria(A, B, method="lemke_howson").parameters
            print(
                f"{m}x{m} seed {seed}: dealsim raced lemke_howson    {ours * 1e3:10.1f} ms  "
                f"{par['pivots']:6d} pivots (label {par['winning_label']} of "
                f"{len(par['labels'])} ended first)"
            )
            for name, code in LH_PEERS.items():
                label = f"{m}x{m} seed {seed}: {name:35s}"
                unit = "found" if name.startswith("pygambit") else "pivots"
                run_and_report(label, code, seed, m, ours, False, LH_CAP, unit)


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


STARTUP = {
    "python -c pass": ("pass", {}),
    "python -c 'import numpy'": ("import numpy", {}),
    "import dealsim.solvers.equilibrium": ("import dealsim.solvers.equilibrium", {}),
    "import + all equilibria of 12x12": (
        "import numpy as np\n"
        "from dealsim.solvers.equilibrium import two_player_equilibria\n"
        "rng = np.random.default_rng(0)\n"
        "two_player_equilibria(rng.random((12, 12)), rng.random((12, 12)))",
        {},
    ),
}


def bench_startup(repeats: int = 9) -> None:
    """Wall time of whole fresh interpreters (start-up, imports, solve), interleaved."""
    print("== fresh interpreter, timed from outside: medians of", repeats, "interleaved runs ==")
    cache = "/tmp/dealsim-bench-pycache"
    warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    warm["PYTHONPYCACHEPREFIX"] = cache
    envs = {"as set up": os.environ.copy(), "bytecode cached": warm}
    cases = [(name, code, env) for name, (code, _) in STARTUP.items() for env in envs]
    for code, _ in STARTUP.values():  # fill the bytecode cache once
        subprocess.run([sys.executable, "-c", code], env=warm, check=True)
    times: dict[tuple[str, str], list[float]] = {(n, e): [] for n, _, e in cases}
    for _ in range(repeats):
        for name, code, env in cases:
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=envs[env], check=True)
            times[name, env].append(time.perf_counter() - t)
    note = (
        "PYTHONDONTWRITEBYTECODE=1: dealsim's modules are compiled on every start"
        if os.environ.get("PYTHONDONTWRITEBYTECODE")
        else "bytecode may be written"
    )
    print(f"   'as set up' is this environment ({note})")
    for name in STARTUP:
        row = "  ".join(f"{env}: {statistics.median(times[name, env]):6.3f} s" for env in envs)
        print(f"{name:38s} {row}")


def _interleaved(fns: dict[str, Any], repeats: int) -> dict[str, float]:
    """Median wall seconds of each callable, the callables run in turn ``repeats`` times.

    Also the median CPU seconds of this process, under the key ``name + " cpu"``: on a shared
    machine the wall time includes waiting for a core, the CPU time does not (both peers run
    single-threaded here: numba, qhull, and dealsim's BLAS calls stay below OpenBLAS's
    threading threshold).
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t, c = time.perf_counter(), time.process_time()
            fn()
            cpu[name].append(time.process_time() - c)
            times[name].append(time.perf_counter() - t)
    out = {name: statistics.median(ts) for name, ts in times.items()}
    out.update({f"{name} cpu": statistics.median(ts) for name, ts in cpu.items()})
    return out


def _profile_set(profiles: Any, digits: int = 6) -> set[tuple[float, ...]]:
    """Equilibria as a set of rounded (x, y) coordinate tuples, for comparing solvers."""
    return {tuple(np.round(np.concatenate([x, y]), digits) + 0.0) for x, y in profiles}


def _search_layers(A: np.ndarray, B: np.ndarray) -> list[tuple[Any, list[Any], list[Any]]]:
    """The layers of dealsim's vertex searches on (A, B), and one basis of each for the floor.

    One search of both best-response polytopes for square games up to ``_STACK_MAX_VARS``
    variables, else one per polytope, as ``_vertex_kernel`` runs them. For each: the
    search's constants, every layer (``_Frontier``) that ``_polytope_bases`` expands, and
    each layer restricted to one basis: the first whose expansion finds a new basis (so that
    the one-basis layer makes the same calls, pivot included), or the first basis of the
    last layer (which finds none, as the whole layer does).
    """
    from dealsim.solvers._enumeration import _STACK_MAX_VARS, _expand, _rescale, _restart, _start

    m, n = A.shape
    As, Bs = _rescale(A), _rescale(B)
    runs = [(Bs.T, As)] if m == n and m + n <= _STACK_MAX_VARS else [(Bs.T,), (As,)]
    out = []
    for matrices in runs:
        search, frontier = _start(*matrices)
        layers, singles = [], []
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            while frontier is not None:  # the whole search first (its key table is its own)
                layers.append(frontier)
                frontier = _expand(search, frontier)
            for k, layer in enumerate(layers):
                single = layer.take(np.array([0]))
                if k + 1 < len(layers):
                    for b in range(len(layer)):
                        single = layer.take(np.array([b]))
                        if _expand(_restart(search), single) is not None:
                            break
                singles.append(single)
        out.append((search, layers, singles))
    return out


def _run_search(A: np.ndarray, B: np.ndarray) -> None:
    """dealsim's vertex search on (A, B) as ``_vertex_kernel`` runs it (``_polytope_bases``)."""
    from dealsim.solvers._enumeration import _STACK_MAX_VARS, _polytope_bases, _rescale

    m, n = A.shape
    As, Bs = _rescale(A), _rescale(B)
    if m == n and m + n <= _STACK_MAX_VARS:
        _polytope_bases(Bs.T, As)
    else:
        _polytope_bases(Bs.T)
        _polytope_bases(As)


def _run_layers(runs: list[tuple[Any, list[Any]]]) -> None:
    from dealsim.solvers._enumeration import _expand, _restart

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for search, layers in runs:
            for frontier in layers:  # each layer as if first: nothing seen in the key table
                _expand(_restart(search), frontier, scratch=True)


def _essential_plan(runs: list[tuple[Any, list[Any], list[Any]]], one: bool) -> list[tuple]:
    """Per layer of ``runs``, the arrays that :func:`_essential_passes` needs (made untimed).

    For each layer of each search (each layer's one-basis frontier if ``one``): its tableaux,
    the positions of the next layer's parents, random child keys of the layer's (f, d)
    children and an output buffer for every pass.
    """
    rng = np.random.default_rng(0)
    plan = []
    for _, layers, singles in runs:
        chosen = singles if one else layers
        for k, frontier in enumerate(chosen):
            T = frontier.T
            r, d1, f = T.shape
            c = 0 if k + 1 == len(layers) else 1 if one else len(layers[k + 1])
            parent = np.arange(c) % f
            keys = rng.integers(0, 1 << 20, size=f, dtype=np.int64)
            flips = rng.integers(0, 1 << 20, size=(f, d1 - 1), dtype=np.int64)
            table = np.zeros(1 << 21, np.int32)
            out = (
                np.empty((r, d1 - 1, f)),
                np.empty((r, d1 - 1, f), bool),
                np.empty((r, d1, c)),
                np.empty((r, d1, c)),
            )
            plan.append((T, parent, keys, flips, table, out))
    return plan


def _essential_passes(plan: list[tuple]) -> None:
    """The element passes that any vectorised pivot search of these layers makes, and no more.

    Per layer: the ratios of the right-hand side to the entering columns, their minimum over
    the rows and the rows at it (the ratio test); each child's key from its parent's (one XOR)
    and its mark in a key table (one gather: the dedupe); the new bases' tableaux gathered from
    their parents and updated by one outer product (the pivot). No eligibility mask, no tie
    handling, no leaving/entering bookkeeping, no scatter of the pivot row: what the search
    does beyond this is its "other element work".
    """
    for T, parent, keys, flips, table, (ratio, low, new_T, product) in plan:
        d = T.shape[1] - 1
        np.divide(T[:, d:], T[:, :d], out=ratio)
        best = np.minimum.reduce(ratio, axis=0)
        np.less_equal(ratio, best, out=low)
        child = (keys[:, None] ^ flips).ravel()
        table[child]
        if len(parent):
            T.take(parent, axis=2, out=new_T, mode="clip")
            new_T -= np.multiply(new_T[:, :1, :], new_T[:1], out=product)


def bench_vertex_quantecon(sizes: tuple[int, ...] = tuple(range(8, 16)), repeats: int = 5) -> None:
    """All equilibria, 8x8 ... 15x15: dealsim's vertex enumeration against QuantEcon's.

    Both run in this process, interleaved; QuantEcon's JIT is compiled first (not counted).
    The equilibria are compared as sets (coordinates rounded to 1e-6). Above 12x12 the
    public function falls back to one Lemke-Howson equilibrium (``MAX_VERTEX_BOUND``); the
    bound is lifted here so that the enumeration itself is timed.

    The kernel's path differs by game: up to 9x9, a nondegenerate game's polytopes are built
    by **double description** (``_nondegenerate_pairs``); then a second line gives its time,
    and dealsim's time outside it. Games from 10x10 on (and degenerate ones) take the
    **search over bases**, and get the lines below.

    Also timed, interleaved with them, for games on the search: dealsim's search alone
    (``_polytope_bases``: the layers of the breadth-first search, as the kernel runs it), and
    its **dispatch floor**:
    the same ``_expand`` call for every layer, each on a frontier of one basis (the same
    numpy calls, in the same order, on arrays whose basis axis has length 1; what the
    layers cost whatever their size; the one-basis frontiers are the bench's own arrays, so
    the calls may use the scratch buffers as the search does). "outside the search" is
    dealsim's time minus the search's: validation, rescaling, matching the vertex pairs, the
    regret check and the result objects. A third line splits the search's element work (its
    time above the dispatch floor): the **essential passes** (:func:`_essential_passes`, the
    ratio test, the child keys and their lookup, the pivot's gather and outer product on each
    layer's real arrays, less the same on one-basis layers) and the rest (eligibility masks,
    ties, gathers and scatters of the pivot rows, the bases' bookkeeping); and (dispatch floor
    + essential passes + outside)/QuantEcon: what dealsim would cost with no other element
    work at all. A fourth line times QuantEcon's own ``scipy.spatial.ConvexHull`` calls (qhull,
    compiled; the facets of its two polar polytopes, from the points it builds) and gives
    (qhull + dealsim outside its kernel path)/QuantEcon: what dealsim would cost on the
    peer's engine, with its own validation, regret check and result objects.
    """
    from unittest import mock

    import quantecon.game_theory as gt
    from quantecon.game_theory.vertex_enumeration import _BestResponsePolytope
    from scipy.spatial import ConvexHull

    from dealsim.solvers import _enumeration, equilibrium

    print(
        f"== all equilibria: dealsim vertex vs quantecon vertex_enumeration "
        f"(interleaved medians of {repeats}; seeds 0-2) =="
    )
    warm = gt.NormalFormGame((gt.Player(np.ones((2, 2))), gt.Player(np.ones((2, 2)))))
    t = time.perf_counter()
    gt.vertex_enumeration(warm)
    print(f"quantecon JIT compile {time.perf_counter() - t:.2f} s (not counted)")
    ratios: list[float] = []
    cpu_ratios: list[float] = []
    floor_ratios: list[float] = []
    full_floor_ratios: list[float] = []
    qhull_ratios: list[float] = []
    lifted = mock.patch.object(equilibrium, "MAX_VERTEX_BOUND", sys.maxsize)
    lifted.start()
    for m in sizes:
        for seed in range(3):
            A, B = game(seed, m)
            g = gt.NormalFormGame((gt.Player(A), gt.Player(B.T)))
            ours = two_player_equilibria(A, B, method="vertex")
            theirs = gt.vertex_enumeration(g)
            same = _profile_set(e.strategies for e in ours) == _profile_set(theirs)
            if not same:
                raise AssertionError(f"{m}x{m} seed {seed}: the equilibria differ")
            points = [_BestResponsePolytope(g.players[1 - i], idx=i).hull.points for i in (0, 1)]
            fns = {
                "dealsim": lambda A=A, B=B: two_player_equilibria(A, B, method="vertex"),
                "quantecon": lambda g=g: gt.vertex_enumeration(g),
                "qhull": lambda points=points: [ConvexHull(D) for D in points],
            }
            Ar, Br = _enumeration._rescale(A), _enumeration._rescale(B)
            if _enumeration._tries_double_description(m, m) and (
                _enumeration._nondegenerate_pairs(Ar, Br, 1e-9) is not None
            ):  # the kernel's path for this game: the double description
                fns["double description"] = lambda Ar=Ar, Br=Br: _enumeration._nondegenerate_pairs(
                    Ar, Br, 1e-9
                )
                med = _interleaved(fns, repeats)
                ratios.append(med["dealsim"] / med["quantecon"])
                cpu_ratios.append(med["dealsim cpu"] / med["quantecon cpu"])
                outside = max(0.0, med["dealsim cpu"] - med["double description cpu"])
                qhull_ratios.append((med["qhull cpu"] + outside) / med["quantecon cpu"])
                print(
                    f"{m:2d}x{m:<2d} seed {seed}: dealsim {med['dealsim'] * 1e3:8.2f} ms  "
                    f"quantecon {med['quantecon'] * 1e3:8.2f} ms  dealsim/quantecon "
                    f"x{ratios[-1]:5.2f}  (CPU {med['dealsim cpu'] * 1e3:8.2f} / "
                    f"{med['quantecon cpu'] * 1e3:8.2f} ms x{cpu_ratios[-1]:5.2f})  "
                    f"{len(ours)} equilibria, same set\n"
                    f"      CPU: double description (the kernel's path here) "
                    f"{med['double description cpu'] * 1e3:7.2f} ms; outside it "
                    f"{outside * 1e3:6.2f} ms\n"
                    f"      CPU: quantecon's qhull calls {med['qhull cpu'] * 1e3:6.2f} ms "
                    f"({med['qhull cpu'] / med['quantecon cpu']:4.0%} of its time); qhull + "
                    f"dealsim outside the double description = x{qhull_ratios[-1]:4.2f} quantecon"
                )
                continue
            runs = _search_layers(A, B)
            layers = [frontier for _, run, _ in runs for frontier in run]
            single = [(search, one) for search, _, one in runs]
            plans = {one: _essential_plan(runs, one) for one in (False, True)}
            fns |= {
                "search": lambda A=A, B=B: _run_search(A, B),
                "floor": lambda single=single: _run_layers(single),
                "passes": lambda plan=plans[False]: _essential_passes(plan),
                "passes one": lambda plan=plans[True]: _essential_passes(plan),
            }
            med = _interleaved(fns, repeats)
            ratios.append(med["dealsim"] / med["quantecon"])
            cpu_ratios.append(med["dealsim cpu"] / med["quantecon cpu"])
            # A difference of two medians: 0 where it is within the noise of the larger one.
            outside = max(0.0, med["dealsim cpu"] - med["search cpu"])
            floor_ratios.append((med["floor cpu"] + outside) / med["quantecon cpu"])
            # The essential passes' element work: their time on the real layers less on
            # one-basis layers (their own dispatch, which the search's floor already counts).
            essential = max(0.0, med["passes cpu"] - med["passes one cpu"])
            other = max(0.0, med["search cpu"] - med["floor cpu"] - essential)
            full_floor_ratios.append(
                (med["floor cpu"] + essential + outside) / med["quantecon cpu"]
            )
            qhull_ratios.append((med["qhull cpu"] + outside) / med["quantecon cpu"])
            print(
                f"{m:2d}x{m:<2d} seed {seed}: dealsim {med['dealsim'] * 1e3:8.2f} ms  quantecon "
                f"{med['quantecon'] * 1e3:8.2f} ms  dealsim/quantecon x{ratios[-1]:5.2f}  "
                f"(CPU {med['dealsim cpu'] * 1e3:8.2f} / {med['quantecon cpu'] * 1e3:8.2f} ms "
                f"x{cpu_ratios[-1]:5.2f})  {len(ours)} equilibria, same set\n"
                f"      CPU: search {med['search cpu'] * 1e3:7.2f} ms in {len(layers)} layers "
                f"{'(P and Q as one) ' if len(runs) == 1 else '(P, then Q) '}"
                f"({sum(map(len, layers))} bases), its dispatch floor "
                f"{med['floor cpu'] * 1e3:6.2f} ms ({med['floor cpu'] / len(layers) * 1e6:5.0f} "
                f"us/layer); outside the search {outside * 1e3:6.2f} ms; floor + outside = "
                f"x{floor_ratios[-1]:4.2f} quantecon\n"
                f"      CPU: the search's element work: essential passes {essential * 1e3:6.2f} "
                f"ms, other (masks, gathers, bookkeeping) {other * 1e3:6.2f} ms; "
                f"floor + essential + outside = x{full_floor_ratios[-1]:4.2f} quantecon\n"
                f"      CPU: quantecon's qhull calls {med['qhull cpu'] * 1e3:6.2f} ms "
                f"({med['qhull cpu'] / med['quantecon cpu']:4.0%} of its time); qhull + "
                f"dealsim outside the search = x{qhull_ratios[-1]:4.2f} quantecon"
            )
    lifted.stop()
    print(
        f"dealsim/quantecon: median x{statistics.median(ratios):.2f}, "
        f"range x{min(ratios):.2f}-x{max(ratios):.2f}; CPU time: median "
        f"x{statistics.median(cpu_ratios):.2f}, range x{min(cpu_ratios):.2f}-x{max(cpu_ratios):.2f}"
    )
    for name, values in (
        ("dispatch floor of the layers + dealsim outside the search", floor_ratios),
        ("dispatch floor + essential element passes + outside the search", full_floor_ratios),
    ):
        if values:  # the games whose kernel path is the search
            print(
                f"({name})/quantecon, CPU, games on the search: median "
                f"x{statistics.median(values):.2f}, range x{min(values):.2f}-x{max(values):.2f}"
            )
    print(
        f"(quantecon's qhull calls + dealsim outside its kernel path)/quantecon, CPU: median "
        f"x{statistics.median(qhull_ratios):.2f}, range x{min(qhull_ratios):.2f}-"
        f"x{max(qhull_ratios):.2f}"
    )


def bench_pivot(m: int = 200, seeds: tuple[int, ...] = (0, 1), repeats: int = 5) -> None:
    """Time per Lemke-Howson pivot on m x m games, one path from label 0, against QuantEcon.

    dealsim's single-path kernel and QuantEcon's ``lemke_howson(init_pivot=0)`` follow the
    same path (the pivot counts and the equilibrium are checked equal); both run here,
    interleaved, QuantEcon's JIT compiled first.
    """
    import quantecon.game_theory as gt

    from dealsim.solvers._enumeration import _rescale
    from dealsim.solvers._lemke_howson import _lemke_howson_kernel

    print(
        f"== one Lemke-Howson pivot, {m}x{m}, path of label 0 (interleaved medians of {repeats}) =="
    )
    for seed in seeds:
        A, B = game(seed, m)
        As, Bs = _rescale(A), _rescale(B)
        g = gt.NormalFormGame((gt.Player(A), gt.Player(B.T)))
        gt.lemke_howson(g, init_pivot=0, max_iter=10**7)  # JIT
        x, y, pivots = _lemke_howson_kernel(As, Bs, dropped=0, max_pivots=10**7)
        ne, res = gt.lemke_howson(g, init_pivot=0, max_iter=10**7, full_output=True)
        if pivots != res.num_iter or not (
            np.allclose(x, ne[0], atol=1e-9) and np.allclose(y, ne[1], atol=1e-9)
        ):
            raise AssertionError(f"seed {seed}: the paths differ ({pivots} vs {res.num_iter})")
        med = _interleaved(
            {
                "dealsim": lambda As=As, Bs=Bs: _lemke_howson_kernel(
                    As, Bs, dropped=0, max_pivots=10**7
                ),
                "quantecon": lambda g=g: gt.lemke_howson(g, init_pivot=0, max_iter=10**7),
            },
            repeats,
        )
        ours, theirs = med["dealsim"] / pivots * 1e6, med["quantecon"] / pivots * 1e6
        ours_cpu = med["dealsim cpu"] / pivots * 1e6
        theirs_cpu = med["quantecon cpu"] / pivots * 1e6
        print(
            f"seed {seed}: {pivots} pivots, same equilibrium; per pivot dealsim {ours:6.1f} us  "
            f"quantecon {theirs:6.1f} us  dealsim/quantecon x{ours / theirs:4.2f}  (CPU "
            f"{ours_cpu:6.1f} / {theirs_cpu:6.1f} us x{ours_cpu / theirs_cpu:4.2f})"
        )


SECTIONS = {
    "startup": bench_startup,
    "pure": bench_pure,
    "enumeration": bench_enumeration,
    "lemke_howson": bench_lemke_howson,
    "vertex": bench_vertex_quantecon,
    "pivot": bench_pivot,
}

if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=sorted(SECTIONS),
        action="append",
        help="run only this section (repeatable); default: all",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(range(8, 16)),
        help="game sizes of the 'vertex' section (default 8 ... 15)",
    )
    args = parser.parse_args()
    for section in args.only or SECTIONS:
        if section == "vertex":
            bench_vertex_quantecon(tuple(args.sizes))
        else:
            SECTIONS[section]()
