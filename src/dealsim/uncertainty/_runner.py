"""Running many independent batches: executors, streaming output, resume, progress.

A run is ``total`` indexed items (Monte Carlo samples or sweep grid points) cut into batches of
consecutive indices; a *task* ``task(start, stop)`` returns one JSON-ready record per index, each
carrying its index under ``key``. Tasks run in this process (``workers=1``), in a
``ProcessPoolExecutor`` (``workers>1``; its workers are kept for the next run with as many,
until :func:`shutdown_workers` or the end of the program) or on a Dask distributed cluster
(``scheduler=``).
Finished records are written to the output file in index order as soon as every earlier batch is
done, so the file is always a clean prefix of the full run: after Ctrl-C, ``resume=True`` reads
it, checks its header and runs only what is missing. The numbers never depend on the executor:
each record is a function of its index alone.

File formats: JSON Lines (``.jsonl``, first line ``{"header": {...}}``) or CSV (first line
``# dealsim {header as JSON}``, then the column names; nested keys are joined with ``.``).
"""

from __future__ import annotations

import atexit
import base64
import binascii
import csv
import io
import json
import math
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

from dealsim._files import check_output_path, reporting_os_errors
from dealsim._tables import flatten
from dealsim._version import __version__
from dealsim.errors import DealsimError

__all__ = [
    "RecordBlock",
    "RunOptions",
    "read_records",
    "run_batches",
    "run_blocks",
    "run_scenario_batches",
    "run_scenario_blocks",
    "shutdown_workers",
]

_CSV_PREFIX = "# dealsim "


@runtime_checkable
class RecordBlock(Protocol):
    """A task's records held as one object (columns of arrays, say) instead of a list of dicts.

    A task may return one in place of its list of records: it is pickled back from a worker as
    it is, and the runner asks for :meth:`records` only where it needs the dicts (to write a
    file, or for :func:`run_batches`); :func:`run_blocks` hands the blocks to the caller.
    """

    def __len__(self) -> int:
        """The number of records (indices) in the block."""
        ...

    def records(self) -> list[dict[str, Any]]:
        """The block's records, JSON-ready, in index order."""
        ...


Task = Callable[[int, int], list[dict[str, Any]] | RecordBlock]


def _records(result: list[dict[str, Any]] | RecordBlock) -> list[dict[str, Any]]:
    """A task's records, from its list or its block."""
    return result.records() if isinstance(result, RecordBlock) else result


def run_batches(
    task: Task,
    total: int,
    *,
    key: str,
    header: Mapping[str, Any],
    batch: int,
    workers: int = 1,
    scheduler: Any = None,
    output: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool | None = None,
    unit: str = "sample",
) -> list[dict[str, Any]]:
    """Run ``task`` over indices ``0 .. total - 1`` in batches; return every record in order.

    Parameters
    ----------
    task : callable ``(start, stop) -> list of dict``
        Picklable (a module-level function or a ``functools.partial`` of one); record ``j`` has
        ``record[key] == start + j``.
    total : int
        Number of indices.
    key : str
        The record field holding the index (``"sample"``, ``"point"``).
    header : mapping
        Run identity written first to the file and checked on resume (seed, scenario sha256,
        sample count, dealsim version, ...).
    batch : int
        Indices per task.
    workers : int
        Local worker processes (1: run in this process). They are kept for the next run with
        as many workers (:func:`shutdown_workers` stops them); a run that fails or is
        interrupted stops them.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``"tcp://host:8786"``) or client: run the tasks there.
    output : path, optional
        ``.jsonl`` or ``.csv`` file to stream the records to.
    resume : bool
        Continue the run already in ``output`` (its header must match).
    force : bool
        Overwrite ``output`` if it exists (without ``resume``).
    progress : bool, optional
        Show a progress bar on standard error (default: when it is a terminal).
    unit : str
        What an index is, for the progress bar.

    Returns
    -------
    list of dict
        One record per index, in index order (earlier records read back from ``output``).

    Examples
    --------
    >>> def squares(start, stop):
    ...     return [{"i": i, "y": i * i} for i in range(start, stop)]
    >>> [r["y"] for r in run_batches(squares, 5, key="i", header={}, batch=2)]
    [0, 1, 4, 9, 16]
    """
    resumed, results = run_blocks(
        task,
        total,
        key=key,
        header=header,
        batch=batch,
        workers=workers,
        scheduler=scheduler,
        output=output,
        resume=resume,
        force=force,
        progress=progress,
        unit=unit,
    )
    for _, result in results:
        for record in _records(result):
            resumed[int(record[key])] = record
    return [resumed[i] for i in range(total)]


def run_blocks(
    task: Task,
    total: int,
    *,
    key: str,
    header: Mapping[str, Any],
    batch: int,
    workers: int = 1,
    scheduler: Any = None,
    output: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool | None = None,
    unit: str = "sample",
) -> tuple[dict[int, dict[str, Any]], list[tuple[int, list[dict[str, Any]] | RecordBlock]]]:
    """:func:`run_batches`, giving back each task's result as the task returned it.

    The same parameters as :func:`run_batches`; a task may return a :class:`RecordBlock`, whose
    records are built only to be written to ``output``.

    Returns
    -------
    resumed : dict of int to dict
        The records read back from ``output`` (``resume=True``), by index.
    results : list of (int, list of dict or RecordBlock)
        Each task's first index and result, in index order.

    Examples
    --------
    >>> def squares(start, stop):
    ...     return [{"i": i, "y": i * i} for i in range(start, stop)]
    >>> resumed, results = run_blocks(squares, 5, key="i", header={}, batch=2)
    >>> resumed, [(start, len(result)) for start, result in results]
    ({}, [(0, 2), (2, 2), (4, 1)])
    """
    if total < 0 or batch < 1 or workers < 1:
        raise DealsimError(
            f"need total >= 0, batch >= 1 and workers >= 1, got {total}, {batch}, {workers}"
        )
    header = {**header, "key": key, "total": total}
    done: dict[int, dict[str, Any]] = {}
    sink = None
    if output is not None:
        path = Path(output)
        _check_suffix(path)
        if resume and path.exists():
            done, lines = _resume(path, header, key)
            _check_records(path, done, task, key, lines)
        elif path.exists() and not force and not resume:
            raise DealsimError(f"{path}: already exists; pass --force to overwrite or --resume")
        if not (resume and path.exists()):
            check_output_path(path, force=True)  # a directory, a missing parent: one line
        with reporting_os_errors(path):
            sink = _Sink(path, header, append=bool(resume and path.exists()))
    todo = [i for i in range(total) if i not in done]
    batches = list(_contiguous_batches(todo, batch))
    pending: dict[int, list[dict[str, Any]] | RecordBlock] = {}
    results: list[tuple[int, list[dict[str, Any]] | RecordBlock]] = []
    order = [start for start, _ in batches]
    written = 0
    show = sys.stderr.isatty() if progress is None else progress
    try:
        from tqdm.auto import tqdm

        with tqdm(total=len(todo), disable=not show, unit=unit, file=sys.stderr, delay=0.5) as bar:
            for start, records in _execute(task, batches, workers, scheduler):
                pending[start] = records
                bar.update(len(records))
                while written < len(order) and order[written] in pending:
                    ready = pending.pop(order[written])
                    results.append((order[written], ready))
                    if sink is not None:
                        with reporting_os_errors(sink.path):
                            sink.write(_records(ready))
                    written += 1
    finally:
        if sink is not None:
            with reporting_os_errors(sink.path):
                sink.close()
    return done, results


def read_records(path: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and the complete records of a run file (``.jsonl`` or ``.csv``).

    Examples
    --------
    >>> import tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "run.jsonl")
    >>> _ = run_batches(lambda a, b: [{"i": i} for i in range(a, b)], 3, key="i",
    ...                 header={"seed": 1}, batch=2, output=out)
    >>> header, records = read_records(out)
    >>> header["seed"], [r["i"] for r in records]
    (1, [0, 1, 2])
    """
    path = Path(path)
    _check_suffix(path)
    header, records, _, _ = _parse(path)
    return header, records


# --------------------------------------------------------------------------------------------
# execution


def _contiguous_batches(indices: list[int], size: int) -> Iterator[tuple[int, int]]:
    """Cut sorted indices into runs of consecutive indices of at most ``size``."""
    i = 0
    while i < len(indices):
        start = indices[i]
        j = i
        while j + 1 < len(indices) and j + 1 - i < size and indices[j + 1] == indices[j] + 1:
            j += 1
        yield start, indices[j] + 1
        i = j + 1


def _execute(
    task: Task, batches: list[tuple[int, int]], workers: int, scheduler: Any
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    if scheduler is not None:
        yield from _execute_dask(task, batches, scheduler)
    elif workers == 1 or len(batches) <= 1:
        for start, stop in batches:
            yield start, task(start, stop)
    else:
        yield from _execute_processes(task, batches, workers)


class _HeldPool:
    """The local worker processes, kept from one run to the next while nothing they took from
    this process at their start has changed (:func:`_pool_key`).

    A fresh pool costs a run its workers' start and their first touch of memory: 0.1-0.15 s of
    a 10^4-sample Monte Carlo run on donbas-2026 (``benchmarks/bench_speed.py montecarlo``).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.executor: Any = None
        self.key: tuple[Any, ...] | None = None
        self.busy = False  # a run is using it (another run at the same time gets its own)


_HELD = _HeldPool()


def _pool_key(workers: int) -> tuple[Any, ...]:
    """What decides whether the held workers may run a new run's tasks.

    The tasks carry their inputs (the scenario, the seed, the outcome hooks); the workers take
    from this process only the modules it had imported, the import path and the working
    directory: a changed path or directory starts new workers.
    """
    return (workers, tuple(sys.path), os.getcwd())


def shutdown_workers() -> None:
    """Stop the worker processes that sweeps and Monte Carlo runs keep between calls.

    Runs with ``workers > 1`` keep their worker processes for the next run with the same
    number of workers (they are stopped when Python exits); this stops them now, and gives
    back the memory they hold.

    Examples
    --------
    >>> shutdown_workers()  # nothing to stop: no error
    """
    with _HELD.lock:
        executor, _HELD.executor, _HELD.key = _HELD.executor, None, None
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)


# At exit, before the interpreter clears the modules: an executor still held then is collected
# during the teardown, and its callback finds multiprocessing's modules gone ("Exception ignored
# ... 'NoneType' object has no attribute 'util'", seen at the end of a pytest run).
atexit.register(shutdown_workers)


def _new_pool(workers: int) -> Any:
    from concurrent.futures import ProcessPoolExecutor

    from dealsim.uncertainty._allocator import keep_freed_memory

    # the workers are ours: they keep freed memory (half their page faults; see _allocator)
    return ProcessPoolExecutor(max_workers=workers, initializer=keep_freed_memory)


def _take_pool(workers: int) -> tuple[Any, bool]:
    """A pool for one run, and whether it is the held one (else the run's own)."""
    key = _pool_key(workers)
    with _HELD.lock:
        if _HELD.busy:
            return _new_pool(workers), False
        stale = None
        if _HELD.executor is not None and _HELD.key != key:
            stale, _HELD.executor, _HELD.key = _HELD.executor, None, None
        if stale is not None:
            stale.shutdown(wait=True)
        if _HELD.executor is None:
            _HELD.executor, _HELD.key = _new_pool(workers), key
        _HELD.busy = True
        return _HELD.executor, True


def _execute_processes(task: Task, batches, workers: int):
    from concurrent.futures import as_completed

    pool, held = _take_pool(workers)
    finished = False
    try:
        futures = {pool.submit(task, start, stop): start for start, stop in batches}
        for future in as_completed(futures):
            yield futures[future], future.result()
        finished = True
    finally:
        # a run that did not finish (an error, a worker lost, Ctrl-C, its reader gone) stops
        # its workers: the held pool is given up, and the next run starts new ones
        if held:
            with _HELD.lock:
                _HELD.busy = False
                if not finished and _HELD.executor is pool:
                    _HELD.executor, _HELD.key = None, None
        if not (held and finished):
            pool.shutdown(wait=True, cancel_futures=True)


def _execute_dask(task: Task, batches, scheduler: Any):
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - dask is an optional dependency
        raise DealsimError("--scheduler needs dask.distributed (pip install distributed)") from None
    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler) if own else scheduler
    except OSError as error:
        raise DealsimError(f"cannot reach the Dask scheduler {scheduler!r}: {error}") from None
    try:
        futures = {client.submit(task, start, stop, pure=False): start for start, stop in batches}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            client.cancel(list(futures))
    finally:
        if own:
            client.close()


# --------------------------------------------------------------------------------------------
# files


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in (".jsonl", ".csv"):
        raise DealsimError(f"{path}: output must end in .jsonl (JSON Lines) or .csv")


def _resume(
    path: Path, header: dict[str, Any], key: str
) -> tuple[dict[int, dict[str, Any]], dict[int, int]]:
    """The records already in ``path`` by index, and the line of each."""
    found, records, good_bytes, numbers = _parse(path)
    for name, value in header.items():
        if name == "dealsim_version":
            continue
        if found.get(name) != value:
            raise DealsimError(
                f"{path}: cannot resume: {name} is {found.get(name)!r} in the file but "
                f"{value!r} in this run"
            )
    total = header.get("total")
    done: dict[int, dict[str, Any]] = {}
    lines: dict[int, int] = {}
    for n, (record, line) in enumerate(zip(records, numbers, strict=True), start=1):
        index = record.get(key)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < total:
            raise DealsimError(
                f"{path}: line {line}: cannot resume: record {n} has {key} = {index!r} (expected "
                f"a whole number from 0 to {total - 1}); the file is damaged, start again with "
                "--force"
            )
        if index in done:
            raise DealsimError(
                f"{path}: line {line}: cannot resume: {key} {index} appears twice (also on line "
                f"{lines[index]})"
            )
        done[index] = record
        lines[index] = line
    with path.open("r+b") as handle:  # drop a half-written last line
        handle.truncate(good_bytes)
    return done, lines


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def _no_constant(text: str) -> float:
    raise ValueError(f"{text} is not a finite number")


def _loads(text: str) -> Any:
    """JSON that refuses NaN, Infinity and numbers too large for a float."""
    return json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)


def _check_records(
    path: Path, done: dict[int, dict[str, Any]], task: Task, key: str, lines: dict[int, int]
) -> None:
    """Each resumed record has the shape of a fresh one (same fields, same kinds of values).

    Whole numbers stay whole (and not negative where a fresh record's is not), and a packed zone
    is valid base64 of the fresh record's length.
    """
    if not done:
        return
    first = min(done)
    reference = _records(task(first, first + 1))[0]
    for index, record in done.items():
        problem = _shape_problem(record, reference, "")
        if problem:
            raise DealsimError(
                f"{path}: line {lines[index]}: cannot resume: record {key} = {index}: {problem} "
                "(the file is damaged; start again with --force)"
            )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "null"


def _shape_problem(value: Any, reference: Any, where: str) -> str | None:
    if value is None or reference is None:
        return None
    if _kind(value) != _kind(reference):
        return f"{where or 'the record'} is {_kind(value)}, expected {_kind(reference)}"
    if isinstance(reference, dict):
        missing = sorted(set(reference) - set(value))
        extra = sorted(set(value) - set(reference))
        if missing or extra:
            name = f"{where}.{(missing or extra)[0]}".lstrip(".")
            return f"{name} is {'missing' if missing else 'not a field of a record'}"
        for name in reference:
            problem = _shape_problem(value[name], reference[name], f"{where}.{name}".lstrip("."))
            if problem:
                return problem
    whole = isinstance(reference, int) and not isinstance(reference, bool)
    if whole and (isinstance(value, bool) or not isinstance(value, int) or reference >= 0 > value):
        return f"{where} is {value!r}, expected a whole number" + " of 0 or more" * (reference >= 0)
    if isinstance(reference, str) and where == "zone":
        try:
            packed = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return "zone is not valid base64 (the packed zone of a sample)"
        if len(value) != len(reference) or len(packed) != len(base64.b64decode(reference)):
            return "zone is not the packed zone of this scenario"
    return None


def _parse(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], int, list[int]]:
    """Header, complete records, the byte length of the complete lines and each record's line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DealsimError(f"{path}: cannot read: {error.strerror or error}") from None
    end = data.rfind(b"\n") + 1
    try:
        lines = data[:end].decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        raise DealsimError(f"{path}: not a dealsim run file (not UTF-8 text)") from None
    if not lines:
        raise DealsimError(f"{path}: empty file, not a dealsim run")
    first = lines[0]
    line = 1  # the line being read, named by the error
    try:
        if path.suffix.lower() == ".csv":
            if not first.startswith(_CSV_PREFIX):
                raise ValueError
            header = _loads(first[len(_CSV_PREFIX) :])
            line = 2  # the rows (csv does not say which one failed)
            rows = list(csv.reader(io.StringIO("".join(lines[1:]))))
            columns = rows[0] if rows else []
            records = [_unflatten(dict(zip(columns, row, strict=True))) for row in rows[1:]]
            numbers = list(range(3, 3 + len(records)))  # a record is one line (no newlines)
        else:
            header = _loads(first)["header"]
            numbers = [n for n, text in enumerate(lines[1:], start=2) if text.strip()]
            records = []
            for line in numbers:
                records.append(_loads(lines[line - 1]))
    except (ValueError, KeyError, TypeError):
        raise DealsimError(
            f"{path}: line {line}: not a dealsim run file (bad header or record)"
        ) from None
    if not isinstance(header, dict):
        raise DealsimError(f"{path}: not a dealsim run file (the header is not a table)")
    for n, (record, line) in enumerate(zip(records, numbers, strict=True), start=1):
        if not isinstance(record, dict):
            raise DealsimError(
                f"{path}: line {line}: record {n} is not a table (a damaged run file)"
            )
    return header, records, end, numbers


class _Sink:
    """Append records to a JSON Lines or CSV file, flushing after every batch."""

    def __init__(self, path: Path, header: Mapping[str, Any], *, append: bool):
        self.path = path
        self.csv = path.suffix.lower() == ".csv"
        self.columns: list[str] | None = None
        if append and self.csv:
            with path.open(encoding="utf-8") as handle:
                handle.readline()
                names = handle.readline()
            self.columns = next(csv.reader([names])) if names else None
        self.handle = path.open("a" if append else "w", encoding="utf-8", newline="")
        if not append:
            if self.csv:
                self.handle.write(_CSV_PREFIX + json.dumps(dict(header)) + "\n")
            else:
                self.handle.write(json.dumps({"header": dict(header)}) + "\n")
            self.handle.flush()

    def write(self, records: list[dict[str, Any]]) -> None:
        if self.csv:
            writer = csv.writer(self.handle, lineterminator="\n")
            for record in records:
                flat = flatten(record)
                if self.columns is None:
                    self.columns = list(flat)
                    writer.writerow(self.columns)
                writer.writerow([_cell(flat.get(c)) for c in self.columns])
        else:
            for record in records:
                self.handle.write(json.dumps(record, allow_nan=False) + "\n")
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _uncell(text: str) -> Any:
    if text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _unflatten(flat: Mapping[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, text in flat.items():
        *parents, leaf = name.split(".")
        node = record
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = _uncell(text)
    return record


class RunOptions(NamedTuple):
    """How :func:`monte_carlo` and :func:`sweep` run their tasks (see :func:`run_batches`)."""

    batch: int
    workers: int | None
    scheduler: Any
    output: str | Path | None
    resume: bool
    force: bool
    progress: bool | None


def run_scenario_batches(
    scenario: Any,
    task: Callable[[int, int], list[dict[str, Any]]],
    total: int,
    *,
    key: str,
    header: Mapping[str, Any],
    run: RunOptions,
) -> list[dict[str, Any]]:
    """:func:`run_batches` on every core by default, the scenario's identity in the header."""
    header = {**header, "scenario_sha256": scenario.sha256, "dealsim_version": __version__}
    options = run._replace(workers=run.workers or os.cpu_count() or 1)._asdict()
    return run_batches(task, total, key=key, header=header, unit=key, **options)


def run_scenario_blocks(
    scenario: Any,
    task: Task,
    total: int,
    *,
    key: str,
    header: Mapping[str, Any],
    run: RunOptions,
) -> tuple[dict[int, dict[str, Any]], list[tuple[int, list[dict[str, Any]] | RecordBlock]]]:
    """:func:`run_blocks` as :func:`run_scenario_batches` runs :func:`run_batches`."""
    header = {**header, "scenario_sha256": scenario.sha256, "dealsim_version": __version__}
    options = run._replace(workers=run.workers or os.cpu_count() or 1)._asdict()
    return run_blocks(task, total, key=key, header=header, unit=key, **options)
