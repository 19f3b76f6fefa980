"""Benchmark: ``dealsim solve scenarios/donbas-2026.toml`` end to end, and what it imports.

Run with ``.venv/bin/python benchmarks/bench_solve.py`` (about half a minute). Times the CLI
as a user runs it, in a fresh subprocess each time (interpreter start-up, imports, loading the
scenario, the solve and printing included), for the text report and ``--format json``; prints
the median of ``--repeats`` runs (target: under 1.5 s). Then runs the same command under
``python -X importtime`` and checks that heavy modules (matplotlib, scipy.optimize, pygambit, ...)
are not imported on that path, and prints the heaviest imports.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "donbas-2026.toml"
TARGET = 1.5  # seconds, issue 2
HEAVY = ("matplotlib", "scipy.optimize", "pygambit", "dask", "pandas", "numba", "negmas")


def cli_command() -> list[str]:
    """The ``dealsim`` console script next to this interpreter, else ``python -m dealsim``."""
    script = Path(sys.executable).with_name("dealsim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dealsim"]


def run_once(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def import_times(args: list[str]) -> list[tuple[str, int, int]]:
    """(module, self microseconds, cumulative microseconds) of every import ``args`` makes."""
    code = f"import sys; from dealsim.cli import main; sys.exit(main({args!r}))"
    command = [sys.executable, "-X", "importtime", "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:") :].split("|")
        rows.append((name[1:].rstrip(), int(own), int(cumulative)))  # nesting: leading spaces
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per format (median)")
    args = parser.parse_args()
    base = [*cli_command(), "solve", str(SCENARIO.relative_to(ROOT))]
    print(f"command: (cd {ROOT} && {' '.join(base)})   [median of {args.repeats} fresh processes]")
    startup = [run_once([sys.executable, "-c", "pass"]) for _ in range(args.repeats)]
    print(f"  bare interpreter start-up          {statistics.median(startup) * 1e3:8.1f} ms")
    for fmt in ("text", "json"):
        times = [run_once([*base, "--format", fmt]) for _ in range(args.repeats)]
        median = statistics.median(times)
        verdict = "OK" if median < TARGET else f"OVER the {TARGET} s target"
        print(
            f"  dealsim solve --format {fmt:4s}       {median * 1e3:8.1f} ms "
            f"(min {min(times) * 1e3:.1f} ms)   {verdict}"
        )

    rows = import_times(["solve", str(SCENARIO), "--format", "json"])
    names = {name.strip() for name, _, _ in rows}
    heavy = sorted(n for n in names if any(n == h or n.startswith(h + ".") for h in HEAVY))
    print(f"\nimports on the solve path: {len(names)} modules")
    print(f"  heavy modules imported: {', '.join(heavy) if heavy else 'none'} (checked {HEAVY})")
    top = [row for row in rows if not row[0].startswith(" ")]  # top-level imports only
    print("  heaviest top-level imports (cumulative):")
    for name, _, cumulative in sorted(top, key=lambda r: r[2], reverse=True)[:8]:
        print(f"    {cumulative / 1e3:7.1f} ms  {name}")
    print("  heaviest single modules (self):")
    for name, own, _ in sorted(rows, key=lambda r: r[1], reverse=True)[:8]:
        print(f"    {own / 1e3:7.1f} ms  {name.strip()}")
    if heavy:
        raise SystemExit("heavy modules are imported on the `dealsim solve` path")


if __name__ == "__main__":
    main()
