"""Monte Carlo: how likely a zone is, and how the solutions move, when beliefs are uncertain.

:func:`monte_carlo` samples the uncertain parameters (see :mod:`dealsim.uncertainty.distributions`)
and evaluates them batch by batch with :func:`dealsim.analysis.batch.batch_solve`. It reports the
probability that the zone is non-empty (with a Wilson interval), each deal's probability of lying
in the zone, and the distribution of each solution's terms. Runs stream to a file, show progress,
and resume after an interruption (:mod:`dealsim.uncertainty._runner`).
"""

from __future__ import annotations

import base64
import functools
import math
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from dealsim._format import format_deal, format_number, plain_float
from dealsim._results import ResultMixin, to_plain
from dealsim._tables import html_table, require_pandas
from dealsim._version import __version__
from dealsim.analysis.batch import _batch, _Zone, check_batch_size
from dealsim.errors import DealsimError
from dealsim.pipeline import load_function
from dealsim.results import SOLUTION_NAMES
from dealsim.scenario.model import Scenario
from dealsim.space import DEFAULT_MAX_DEALS, DealSpace
from dealsim.uncertainty._runner import RunOptions, run_scenario_blocks
from dealsim.uncertainty.distributions import sample_parameters, uncertain_parameters

__all__ = [
    "DEFAULT_BATCH",
    "MAX_SAMPLES",
    "OUTCOME_HOOKS",
    "MonteCarloResult",
    "monte_carlo",
    "render_montecarlo",
    "summarise_samples",
]

OutcomeHook = Callable[[Scenario, Mapping[str, np.ndarray]], Sequence[str]]
OUTCOME_HOOKS: dict[str, OutcomeHook | str] = {
    "games": "dealsim.analysis.games:outcome_labels",
}
"""Monte Carlo outcome hooks by name: ``hook(scenario, draws)`` gets a batch of parameter draws
(arrays of shape ``(S,)``) and returns one outcome label per draw (e.g. a game's equilibrium
outcome), or ``None`` when the scenario does not declare the analysis. :func:`monte_carlo` reports
each label's probability under ``outcomes[name]``. A hook is a function or a lazily imported
``"module:function"``."""

DEFAULT_BATCH = 250
"""The fewest samples per task :func:`monte_carlo` chooses by itself (``batch=None``).

It takes as many samples as fit 32 MiB of zone flags (``2**25 // n_deals``), at least this many
and at most 5,000; a run of more samples is split evenly into a multiple of the workers' count
(a run that fits one task runs in this process, without starting workers): on
donbas-2026 (7,200 deals) 10,000 samples run as 3 tasks of 3,334 in one process, 4 of 2,500 on
two workers (a task's fixed cost, 17-27 ms there, building the scenario's tables, the
dominance between its deals and the games' outcomes, is paid 3 or 4 times, not 40; with 16 MiB
and 2,000, 5 and 6 times, and the run took 1.04x as long in one process and 1.07-1.09x on two
workers). The batch is streaming and scheduling granularity only: the results do not depend
on it; an interrupted run keeps every finished task."""
MAX_SAMPLES = 10_000_000
"""The most draws of one :func:`monte_carlo` run: its per-sample columns (draws, zone sizes,
solutions, outcome labels; about 260 bytes a sample on donbas-2026) stay in memory for the
summary."""

_MAX_AUTO_BATCH = 5000
_AUTO_ZONE_CELLS = 1 << 25


@dataclass(frozen=True)
class MonteCarloResult(ResultMixin):
    """Monte Carlo summary (``dealsim montecarlo``).

    ``robust_deals`` lists the deals most often in the agreement zone with that probability;
    ``solutions[name]`` gives, over the samples with an agreement, the frequency of each value of
    each issue in the solution's deal (and the mean of numeric issues), and its modal deal;
    ``outcomes[hook]`` the probability of each outcome label of :data:`OUTCOME_HOOKS`.
    """

    samples: int
    seed: int
    p_agreement: float
    p_agreement_interval: tuple[float, float]
    zone_size: dict[str, float]
    robust_deals: tuple[dict[str, Any], ...]
    solutions: dict[str, Any]
    outcomes: dict[str, dict[str, float]]
    parameters: dict[str, Any]
    scenario: dict[str, Any]
    method: str = "monte_carlo"
    dealsim_version: str = __version__
    table: dict[str, np.ndarray] = field(
        default_factory=dict, repr=False, compare=False, metadata={"json": False}
    )
    """One array per column of :meth:`to_frame` (not part of the JSON document)."""

    def to_frame(self) -> Any:
        """The samples as a :class:`pandas.DataFrame`: one row per sample.

        The index is the sample number; the columns are the drawn value of each uncertain
        parameter (named after it), ``zone_size``, ``agreement`` (the zone is not empty), for
        each solution ``<solution>.index`` (the deal's flat index, missing without agreement) and
        ``<solution>.deal.<issue>`` (its terms), and ``outcomes.<hook>`` for each outcome hook.
        Needs pandas (``pip install 'dealsim[pandas]'``).

        Examples
        --------
        >>> import dealsim
        >>> mc = monte_carlo(dealsim.load("donbas-2026"), samples=20, seed=1, workers=1)
        >>> frame = mc.to_frame()
        >>> len(frame), bool((frame["agreement"] == (frame["zone_size"] > 0)).all())
        (20, True)
        >>> float(frame["agreement"].mean()) == mc.p_agreement
        True
        """
        pandas = require_pandas("MonteCarloResult.to_frame()")
        columns = dict(self.table)
        index = pandas.Index(columns.pop("sample"), name="sample")
        frame = pandas.DataFrame(columns, index=index)
        for column in frame.columns:
            if column.endswith(".index"):  # -1: no agreement in that sample
                indices = frame[column].astype("Int64")
                frame[column] = indices.mask(indices < 0)
        return frame

    def __repr__(self) -> str:
        lo, hi = self.p_agreement_interval
        return (
            f"<MonteCarloResult {self.scenario.get('name')!r}: {self.samples} samples, seed "
            f"{self.seed}; P(agreement) = {self.p_agreement:.4f} (95% CI {lo:.4f}-{hi:.4f}); "
            f"mean zone size {self.zone_size['mean']:.1f}>"
        )

    def _repr_html_(self) -> str:
        rows = [
            [f"{entry['probability']:.4f}", str(entry["index"]), format_deal(entry["deal"])]
            for entry in self.robust_deals
        ]
        caption = repr(self)[1:-1] + "; most robust deals:"
        return html_table(["P(in zone)", "index", "deal"], rows, caption=caption)


class _Samples(NamedTuple):
    """Per-sample columns of a Monte Carlo run (one task's block, or the whole run).

    ``zone_counts`` is how many of these samples have each deal in their zone.
    """

    sample: np.ndarray  # (n,) int64 sample numbers, ascending
    parameters: dict[str, np.ndarray]  # (n,) float: each uncertain parameter's draws
    zone_size: np.ndarray  # (n,) int64
    zone_counts: np.ndarray  # (n_deals,) int64
    solutions: np.ndarray  # (n, len(SOLUTION_NAMES)) int64 deal indices, -1: no agreement
    outcomes: dict[str, list[str]]  # each outcome hook's label per sample


class _SampleBlock:
    """One task's samples as columns: a :class:`~dealsim.uncertainty._runner.RecordBlock`.

    Only the columns and the zones over the unique deals, bit-packed, travel back from a
    worker; the per-sample records (dicts) are built where they are written to a file
    (``records=True`` builds them in the task, in the worker).
    """

    def __init__(self, samples: _Samples, zone: _Zone, records: list[dict[str, Any]] | None = None):
        self.samples = samples
        self._records = records
        self._zone = zone._replace(unique=np.packbits(zone.unique, axis=1))
        self._width = zone.unique.shape[1]

    def __len__(self) -> int:
        return int(self.samples.sample.size)

    def records(self) -> list[dict[str, Any]]:
        """The records streamed to a run file (and read back by :func:`summarise_samples`).

        Examples
        --------
        >>> import dealsim
        >>> block = _montecarlo_task(dealsim.load("donbas-2026"), 1, 3, 5)
        >>> [r["sample"] for r in block.records()], sorted(block.records()[0])
        ([3, 4], ['outcomes', 'parameters', 'sample', 'solutions', 'zone', 'zone_size'])
        """
        if self._records is None:
            bits = np.unpackbits(self._zone.unique, axis=1, count=self._width)
            zone = self._zone._replace(unique=bits.view(bool))
            self._records = _block_records(self.samples, np.packbits(zone.full(), axis=1))
        return self._records


def _montecarlo_task(
    scenario: Scenario,
    seed: int,
    start: int,
    stop: int,
    max_deals: int | None = DEFAULT_MAX_DEALS,
    records: bool = False,
    hooks: tuple[tuple[str, OutcomeHook | str], ...] | None = None,
) -> _SampleBlock:
    """One task: samples ``start:stop``; ``hooks`` the outcome hooks (default: this process's
    :data:`OUTCOME_HOOKS`; :func:`monte_carlo` passes the caller's, so that a worker process
    never reads its own copy of the dict, which may be older or, started by a forkserver or
    spawn, the module's default)."""
    dists = uncertain_parameters(scenario)
    draws = sample_parameters(scenario, start, stop, seed=seed, distributions=dists)
    batch, zone = _batch(scenario, draws, max_deals=max_deals)  # batch_solve's fields
    outcomes = {}
    for name, hook in OUTCOME_HOOKS.items() if hooks is None else hooks:
        labels = (load_function(hook) if isinstance(hook, str) else hook)(scenario, draws)
        if labels is not None:
            outcomes[name] = [str(label) for label in labels]
    samples = _Samples(
        sample=np.arange(start, stop, dtype=np.int64),
        parameters={name: np.asarray(draws[name], dtype=float) for name in dists},
        zone_size=zone.sizes().astype(np.int64),
        zone_counts=zone.counts(),
        solutions=np.stack([batch["solutions"][name] for name in SOLUTION_NAMES], axis=1).astype(
            np.int64
        ),
        outcomes=outcomes,
    )
    if not records:
        return _SampleBlock(samples, zone)
    return _SampleBlock(samples, zone, _block_records(samples, np.packbits(zone.full(), axis=1)))


def _block_records(samples: _Samples, packed: np.ndarray) -> list[dict[str, Any]]:
    """One JSON-ready record per sample (the run file's lines); ``packed`` the packed zones."""
    # columns as Python lists first (the same ints and floats as indexing each sample)
    parameters = {name: values.tolist() for name, values in samples.parameters.items()}
    sizes = samples.zone_size.tolist()
    zones = _encode_rows(packed)
    solutions = {name: samples.solutions[:, j].tolist() for j, name in enumerate(SOLUTION_NAMES)}
    outcomes = samples.outcomes
    records = []
    for j, index in enumerate(samples.sample.tolist()):
        record: dict[str, Any] = {
            "sample": index,
            "parameters": {name: float(values[j]) for name, values in parameters.items()},
            "zone_size": sizes[j],
            "zone": zones[j],
            "solutions": {
                name: (None if chosen[j] < 0 else chosen[j]) for name, chosen in solutions.items()
            },
        }
        if outcomes:
            record["outcomes"] = {name: labels[j] for name, labels in outcomes.items()}
        records.append(record)
    return records


def _records_samples(
    scenario: Scenario, records: Sequence[Mapping[str, Any]], n_deals: int
) -> _Samples:
    """The columns of per-sample records (as streamed to a run file)."""
    names = list(uncertain_parameters(scenario))
    n = len(records)
    drawn = np.array([[r["parameters"][name] for name in names] for r in records], dtype=float)
    packed = np.frombuffer(_decode_rows([r["zone"] for r in records]), np.uint8).reshape(n, -1)
    solutions = np.array(
        [
            [
                -1 if r["solutions"][name] is None else r["solutions"][name]
                for name in SOLUTION_NAMES
            ]
            for r in records
        ],
        dtype=np.int64,
    ).reshape(n, len(SOLUTION_NAMES))
    hooks = records[0].get("outcomes", {}) if records else {}
    return _Samples(
        sample=np.array([r["sample"] for r in records], dtype=np.int64),
        parameters={name: drawn[:, j].copy() for j, name in enumerate(names)},
        zone_size=np.array([r["zone_size"] for r in records], dtype=np.int64),
        zone_counts=_zone_counts(packed, n_deals),
        solutions=solutions,
        outcomes={name: [r["outcomes"][name] for r in records] for name in hooks},
    )


def _join_samples(parts: list[_Samples], n_deals: int) -> _Samples:
    """The columns of several parts, in sample order (their zone counts added up).

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> a, b = (_montecarlo_task(s, 1, i, i + 2).samples for i in (2, 0))
    >>> whole = _join_samples([a, b], 7200)
    >>> whole.sample.tolist(), bool((whole.zone_counts == a.zone_counts + b.zone_counts).all())
    ([0, 1, 2, 3], True)
    """
    if len(parts) == 1:
        return parts[0]
    sample = np.concatenate([p.sample for p in parts])
    order = np.argsort(sample, kind="stable")
    outcomes = {}
    for name in parts[0].outcomes:
        labels = [label for p in parts for label in p.outcomes[name]]
        outcomes[name] = [labels[i] for i in order.tolist()]
    return _Samples(
        sample=sample[order],
        parameters={
            name: np.concatenate([p.parameters[name] for p in parts])[order]
            for name in parts[0].parameters
        },
        zone_size=np.concatenate([p.zone_size for p in parts])[order],
        zone_counts=np.sum([p.zone_counts for p in parts], axis=0, dtype=np.int64).reshape(n_deals),
        solutions=np.concatenate([p.solutions for p in parts])[order],
        outcomes=outcomes,
    )


def _encode_rows(packed: np.ndarray) -> list[str]:
    """Each row's bytes in base64, as ``base64.b64encode(row.tobytes())`` gives it.

    Rows of a multiple of 3 bytes have no padding: one encoding of all rows, cut every
    ``4 * row_bytes / 3`` characters, is the same text.

    Examples
    --------
    >>> rows = np.arange(12, dtype=np.uint8).reshape(2, 6)
    >>> _encode_rows(rows) == [base64.b64encode(r.tobytes()).decode("ascii") for r in rows]
    True
    """
    n, width = packed.shape
    if width % 3:
        return [base64.b64encode(row.tobytes()).decode("ascii") for row in packed]
    text = base64.b64encode(np.ascontiguousarray(packed).tobytes()).decode("ascii")
    size = 4 * width // 3
    return [text[i : i + size] for i in range(0, n * size, size)]


def _decode_rows(texts: list[str]) -> bytes:
    """The bytes of base64 rows, joined, as ``base64.b64decode`` gives each.

    Rows without padding decode as one text (the same bytes, in one call).

    Examples
    --------
    >>> rows = [base64.b64encode(bytes(range(i, i + 6))).decode() for i in range(3)]
    >>> _decode_rows(rows) == b"".join(base64.b64decode(r) for r in rows)
    True
    """
    if all(len(text) % 4 == 0 and not text.endswith("=") for text in texts):
        return base64.b64decode("".join(texts))
    return b"".join(base64.b64decode(text) for text in texts)


def monte_carlo(
    scenario: Scenario,
    *,
    samples: int,
    seed: int,
    top: int = 10,
    workers: int | None = None,
    scheduler: Any = None,
    output: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    batch: int | None = None,
    progress: bool | None = None,
    max_deals: int | None = DEFAULT_MAX_DEALS,
) -> MonteCarloResult:
    """Sample the uncertain parameters and summarise the zone and the solutions.

    Parameters
    ----------
    scenario : Scenario
    samples : int
        Number of draws.
    seed : int
        Seed; draw ``i`` depends only on ``(seed, i)``, so results do not depend on ``workers``,
        ``scheduler`` or ``batch``.
    top : int
        Number of robust deals to report.
    workers : int, optional
        Local processes (default: every core), kept for the next run with as many
        (:func:`dealsim.uncertainty.shutdown_workers` stops them).
    scheduler : str or distributed.Client, optional
        Run the batches on this Dask cluster instead.
    output : path, optional
        Stream one record per sample to this ``.jsonl`` or ``.csv`` file.
    resume : bool
        Continue an interrupted run in ``output``.
    force : bool
        Overwrite ``output``.
    batch : int, optional
        Samples per task (default: :data:`DEFAULT_BATCH` or more, split evenly over the workers).
    progress : bool, optional
        Progress bar (default: when standard error is a terminal).
    max_deals : int or None
        Refuse a deal space of more than this many deals (``None``: no limit); checked before any
        sample is drawn (see :func:`dealsim.analysis.batch.batch_solve` for its memory limits).

    Returns
    -------
    MonteCarloResult

    Examples
    --------
    >>> import dealsim
    >>> mc = monte_carlo(dealsim.load("donbas-2026"), samples=200, seed=1, workers=1)
    >>> 0.0 <= mc.p_agreement <= 1.0, mc.samples
    (True, 200)
    """
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise DealsimError(f"samples must be a positive integer, got {samples!r}")
    if samples > MAX_SAMPLES:
        raise DealsimError(
            f"{samples:,} samples; a Monte Carlo run takes at most {MAX_SAMPLES:,} "
            "(dealsim.uncertainty.montecarlo.MAX_SAMPLES, docs/limits.md): run it in parts"
        )
    if batch is None:
        batch = _auto_batch(scenario, samples, workers, scheduler, max_deals)
    check_batch_size(scenario, min(batch, samples), max_deals)  # before any work
    sample_parameters(scenario, 0, 0, seed=seed)  # validates the seed
    if not uncertain_parameters(scenario):
        raise DealsimError(
            f"{scenario.file or scenario.name}: no uncertain parameters: give a parameter a "
            "range or a distribution ([parameters.<id>] range = [lo, hi])"
        )
    hooks = tuple(OUTCOME_HOOKS.items())  # the caller's hooks go with every task
    for _, hook in hooks:  # every task loads them: import them once, here, so that forked
        if isinstance(hook, str):  # workers inherit the modules
            load_function(hook)
    # the tasks send back columns; they build the records themselves only for a run file
    task = functools.partial(
        _montecarlo_task,
        scenario,
        seed,
        max_deals=max_deals,
        records=output is not None,
        hooks=hooks,
    )
    header = {"command": "montecarlo", "seed": seed, "samples": samples}
    run = RunOptions(batch, workers, scheduler, output, resume, force, progress)
    resumed, results = run_scenario_blocks(
        scenario, task, samples, key="sample", header=header, run=run
    )
    n_deals = DealSpace(scenario).size
    parts = [block.samples for _, block in results]
    if resumed:
        parts.append(_records_samples(scenario, [resumed[i] for i in sorted(resumed)], n_deals))
    return _summarise(scenario, _join_samples(parts, n_deals), seed=seed, top=top)


def _auto_batch(
    scenario: Scenario, samples: int, workers: int | None, scheduler: Any, max_deals: int | None
) -> int:
    """Samples per task: see :data:`DEFAULT_BATCH`.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> _auto_batch(s, 10_000, 1, None, None), _auto_batch(s, 10_000, 2, None, None)
    (3334, 2500)
    >>> _auto_batch(s, 1000, 2, None, None)  # one task: no worker processes to start
    1000
    """
    n_deals = check_batch_size(scenario, 1, max_deals)
    cap = min(_MAX_AUTO_BATCH, max(DEFAULT_BATCH, _AUTO_ZONE_CELLS // max(1, n_deals)))
    lanes = 1 if scheduler is not None else max(1, workers or os.cpu_count() or 1)
    tasks = -(-samples // cap)
    if tasks > 1:  # whole rounds of the workers (one task runs in this process: no pool)
        tasks = -(-tasks // lanes) * lanes
    return max(1, -(-samples // tasks))


def summarise_samples(
    scenario: Scenario, records: Sequence[Mapping[str, Any]], *, seed: int, top: int = 10
) -> MonteCarloResult:
    """Summarise per-sample Monte Carlo records (as streamed to a run file).

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> records = _montecarlo_task(s, 1, 0, 50).records()
    >>> summarise_samples(s, records, seed=1).samples
    50
    """
    if len(records) == 0:
        raise DealsimError("no samples to summarise")
    n_deals = DealSpace(scenario).size
    return _summarise(scenario, _records_samples(scenario, records, n_deals), seed=seed, top=top)


def _summarise(scenario: Scenario, samples: _Samples, *, seed: int, top: int) -> MonteCarloResult:
    """The summary of a run's columns (see :func:`summarise_samples`)."""
    space = DealSpace(scenario)
    sizes = samples.zone_size
    n_samples = sizes.size
    if n_samples == 0:
        raise DealsimError("no samples to summarise")
    counts = samples.zone_counts
    order = np.lexsort((np.arange(space.size), -counts))[:top]
    robust = tuple(
        {"index": int(i), "deal": space.deal(int(i)), "probability": float(counts[i] / n_samples)}
        for i in order
        if counts[i] > 0
    )
    p = float(np.mean(sizes > 0))
    solutions = {
        name: _solution_summary(space, samples.solutions[:, j])
        for j, name in enumerate(SOLUTION_NAMES)
    }
    outcomes: dict[str, dict[str, float]] = {}
    for name, labels in samples.outcomes.items():
        tally = Counter(labels)
        outcomes[name] = {label: c / n_samples for label, c in tally.most_common()}
    dists = uncertain_parameters(scenario)
    return MonteCarloResult(
        samples=n_samples,
        seed=seed,
        p_agreement=p,
        p_agreement_interval=_wilson(int(np.sum(sizes > 0)), n_samples),
        zone_size={
            "mean": float(sizes.mean()),
            "min": int(sizes.min()),
            "median": float(np.median(sizes)),
            "max": int(sizes.max()),
        },
        robust_deals=robust,
        solutions=solutions,
        outcomes=outcomes,
        parameters={name: to_plain(d.__dict__) for name, d in dists.items()},
        scenario={"name": scenario.name, "sha256": scenario.sha256, "file": scenario.file},
        table=_sample_table(space, samples),
    )


def _zone_counts(packed: np.ndarray, n_deals: int) -> np.ndarray:
    """How many samples have each deal in their zone, from the packed zone rows.

    Blocks of 255 rows are counted in ``uint8`` (no overflow), then added up.

    Examples
    --------
    >>> zone = np.random.default_rng(0).random((600, 13)) < 0.5
    >>> bool((_zone_counts(np.packbits(zone, axis=1), 13) == zone.sum(axis=0)).all())
    True
    """
    counts = np.zeros(n_deals, dtype=np.int64)
    for start in range(0, packed.shape[0], 255):
        block = np.unpackbits(packed[start : start + 255], axis=1, count=n_deals)
        counts += np.add.reduce(block, axis=0, dtype=np.uint8)
    return counts


def _sample_table(space: DealSpace, samples: _Samples) -> dict[str, np.ndarray]:
    """The columns of :meth:`MonteCarloResult.to_frame`, from the run's columns."""
    table: dict[str, np.ndarray] = {
        "sample": samples.sample.copy(),
        **{name: values.copy() for name, values in samples.parameters.items()},
        "zone_size": samples.zone_size,
        "agreement": samples.zone_size > 0,
    }
    for j, name in enumerate(SOLUTION_NAMES):
        chosen = samples.solutions[:, j]
        defined = chosen >= 0
        table[f"{name}.index"] = np.where(defined, chosen, -1)
        codes = space.codes(np.where(defined, chosen, 0))
        for k, issue in enumerate(space.scenario.issues):
            if issue.numeric:
                values = np.asarray(issue.values, dtype=float)[codes[:, k]]
                table[f"{name}.deal.{issue.id}"] = np.where(defined, values, np.nan)
            else:
                values = np.asarray(issue.values, dtype=object)[codes[:, k]]
                values[~defined] = None
                table[f"{name}.deal.{issue.id}"] = values
    for hook, labels in samples.outcomes.items():
        table[f"outcomes.{hook}"] = np.array(labels, dtype=object)
    return table


def _solution_summary(space: DealSpace, indices: np.ndarray) -> dict[str, Any]:
    """One solution's summary from its deal index per sample (``-1``: no agreement)."""
    chosen = indices[indices >= 0]
    summary: dict[str, Any] = {"p_defined": chosen.size / indices.size, "issues": {}}
    if chosen.size == 0:
        summary["modal_deal"] = None
        return summary
    codes = space.codes(chosen)
    for j, issue in enumerate(space.scenario.issues):
        tally = np.bincount(codes[:, j], minlength=issue.size) / chosen.size
        entry: dict[str, Any] = {
            "frequencies": {
                _value_key(issue.value_at(c)): float(tally[c]) for c in np.flatnonzero(tally)
            }
        }
        if issue.numeric:
            entry["mean"] = float(np.asarray(issue.values, dtype=float)[codes[:, j]].mean())
        summary["issues"][issue.id] = entry
    values, counts = np.unique(chosen, return_counts=True)
    best = int(np.argmax(counts))
    summary["modal_deal"] = {
        "index": int(values[best]),
        "deal": space.deal(int(values[best])),
        "probability": float(counts[best] / chosen.size),
    }
    return summary


def _value_key(value: Any) -> str:
    """An issue value as a frequency key: grid floats without binary noise (``0.6``, not
    ``0.6000000000000001``); other values as ``str`` gives them."""
    if isinstance(value, float):
        return repr(plain_float(value))
    return str(value)


def _wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% Wilson score interval of a binomial proportion."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def render_montecarlo(result: MonteCarloResult) -> str:
    """A text report of a Monte Carlo run.

    Examples
    --------
    >>> import dealsim
    >>> mc = monte_carlo(dealsim.load("donbas-2026"), samples=50, seed=1, workers=1)
    >>> print(render_montecarlo(mc).splitlines()[0])
    Monte Carlo: Donbas 2026: US–Ukraine–Russia peace package (50 samples, seed 1)
    """
    lo, hi = result.p_agreement_interval
    lines = [
        f"Monte Carlo: {result.scenario['name']} ({result.samples} samples, seed {result.seed})",
        "Uncertain parameters: "
        + ", ".join(f"{n} ~ {d['kind']}" for n, d in result.parameters.items()),
        f"P(agreement zone non-empty) = {result.p_agreement:.4f}  (95% CI {lo:.4f}-{hi:.4f})",
        "Zone size: mean {mean:.1f}, median {median:.0f}, min {min}, max {max}".format(
            **result.zone_size
        ),
        "",
        "Most robust deals (probability of lying in the zone):",
    ]
    for entry in result.robust_deals:
        terms = format_deal(entry["deal"])
        lines.append(f"  {entry['probability']:.4f}  #{entry['index']}: {terms}")
    lines += ["", "Bargaining solutions (over samples with an agreement):"]
    for name, summary in result.solutions.items():
        lines.append(f"  {name} (defined in {summary['p_defined']:.1%} of samples)")
        for issue, entry in summary["issues"].items():
            freq = ", ".join(
                f"{format_number(v)}: {p:.2f}" for v, p in entry["frequencies"].items()
            )
            mean = f"  mean {entry['mean']:.4g}" if "mean" in entry else ""
            lines.append(f"    {issue}: {freq}{mean}")
    for name, table in result.outcomes.items():
        lines += ["", f"Outcome {name}:"]
        lines += [f"  {label}: {p:.4f}" for label, p in table.items()]
    return "\n".join(lines) + "\n"
