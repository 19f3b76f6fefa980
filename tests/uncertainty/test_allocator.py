"""The processes dealsim owns keep freed memory: no fresh page faults from one step to the next."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import numpy as np
import pytest

from dealsim.uncertainty._runner import run_batches

glibc_only = pytest.mark.skipif(
    not hasattr(os, "confstr") or not os.confstr("CS_GNU_LIBC_VERSION"),
    reason="the settings are glibc's",
)

_STEP_BYTES = 12 << 20  # a few arrays of this size freed at once: above glibc's default trim


def _step_faults(start: int, stop: int) -> list[dict]:
    """Page faults of steps 2.. of a loop that allocates, touches and frees three arrays."""
    faults = []
    for _ in range(4):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        arrays = [np.ones(_STEP_BYTES // 8) for _ in range(3)]
        del arrays
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return [{"i": i, "faults": sum(faults[1:])} for i in range(start, stop)]


def _faults_in_a_fresh_process(tuned: bool) -> int:
    """:func:`_step_faults` in a new interpreter, after ``keep_freed_memory()`` or not."""
    code = (  # noqa: UP032 (the braces of the code are its own)
        "import sys; sys.path.insert(0, {here!r})\n"
        "from dealsim.uncertainty._allocator import keep_freed_memory\n"
        "from test_allocator import _step_faults\n"
        "assert keep_freed_memory() if {tuned} else True\n"
        "print(_step_faults(0, 1)[0]['faults'])\n"
    ).format(here=os.path.dirname(os.path.abspath(__file__)), tuned=tuned)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout)


@glibc_only
def test_a_process_that_keeps_freed_memory_reuses_it_without_page_faults():
    pages = 3 * _STEP_BYTES // resource.getpagesize()  # one step's arrays
    # glibc's defaults give some of the freed heap back every step (about 3,000 pages here)
    if _faults_in_a_fresh_process(tuned=False) < pages // 10:
        pytest.skip("this process's malloc already keeps freed memory (MALLOC_* settings?)")
    assert _faults_in_a_fresh_process(tuned=True) < pages // 100


@glibc_only
def test_worker_processes_keep_freed_memory():
    records = run_batches(_step_faults, 2, key="i", header={}, batch=1, workers=2)
    pages = 3 * _STEP_BYTES // resource.getpagesize()
    assert all(record["faults"] < pages // 100 for record in records)


def test_it_says_whether_the_settings_were_taken():
    code = (
        "from dealsim.uncertainty._allocator import keep_freed_memory; print(keep_freed_memory())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    glibc = hasattr(os, "confstr") and bool(os.confstr("CS_GNU_LIBC_VERSION"))
    assert out.stdout.strip() == str(glibc)
