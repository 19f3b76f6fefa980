"""Timing helpers shared by the benchmark scripts (run as ``python benchmarks/bench_x.py``, so this
directory is on ``sys.path``)."""

from __future__ import annotations

import statistics
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
