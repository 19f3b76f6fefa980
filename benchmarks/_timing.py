"""Timing helpers shared by the benchmark scripts (run as ``python benchmarks/bench_x.py``, so this
directory is on ``sys.path``)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

REPEATS = 5


def timed(fn: Callable[[], Any], repeats: int = REPEATS) -> tuple[float, Any]:
    """Median wall-clock seconds of ``repeats`` calls of ``fn``, and the last call's result."""
    times = []
    out = None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def median_time(fn: Callable[[], Any], repeats: int = REPEATS) -> float:
    """Median wall-clock seconds of ``repeats`` calls of ``fn``."""
    return timed(fn, repeats)[0]


def capped_json(script: str, *args: str, cap: float) -> Any:
    """Run ``python -c script *args``; the JSON on its last output line, or None past ``cap`` s."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            timeout=cap,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])
