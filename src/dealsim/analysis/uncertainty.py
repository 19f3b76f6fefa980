"""Parameter sweeps and Monte Carlo: how the agreement zone and the solutions move with beliefs.

* :func:`sweep` solves the scenario at every point of a 1-D or 2-D grid with :func:`dealsim.solve`
  (one ``solve(...).to_dict()`` document per point, so every analysis flows in).
* :func:`monte_carlo` samples the uncertain parameters (see :mod:`dealsim.analysis.distributions`)
  and evaluates a whole batch of draws as array operations with :func:`batch_solve`: utilities
  ``(S, n_deals, n_parties)``, zone masks and the five bargaining solutions at once. It reports the
  probability that the zone is non-empty, each deal's probability of lying in the zone, and the
  distribution of each solution's terms.

:func:`batch_solve` reproduces :func:`dealsim.solve` sample by sample: the zone uses the
acceptance tolerance ``tol`` (a deal worth ``reservation - tol`` is accepted); the solutions are
chosen among the zone's deals (``u >= d - bargaining_tol``, by default the same ``tol``) with the
rules and the tie-break of :mod:`dealsim.solvers.bargaining` (Pareto optimal among the tied deals,
then the largest sum of normalised gains, then the lowest deal index). Choosing among all zone deals
rather than the zone's Pareto frontier gives the same deal: every criterion is monotone, so the
best value and the ideal point are the same on both sets, and the Pareto-optimal rows of the tied
set are exactly the tied rows of the frontier.
"""

from __future__ import annotations

import base64
import functools
import itertools
import math
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from dealsim._results import ResultMixin, to_plain
from dealsim._version import __version__
from dealsim.analysis._runner import run_batches
from dealsim.analysis.distributions import sample_parameters, uncertain_parameters
from dealsim.errors import DealsimError
from dealsim.pipeline import SOLUTION_NAMES, load_function, solve
from dealsim.report import format_deal, format_number
from dealsim.scenario.model import Scenario
from dealsim.solvers.bargaining import _best_row
from dealsim.space import DealSpace, UtilityModel

__all__ = [
    "OUTCOME_HOOKS",
    "BatchSolution",
    "MonteCarloResult",
    "SweepResult",
    "batch_solve",
    "monte_carlo",
    "parse_grid",
    "render_montecarlo",
    "render_sweep",
    "summarise_samples",
    "sweep",
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

_ELEMENT_BUDGET = 1 << 21  # S * n_deals * n_parties per vectorised step (16 MB per float array)
DEFAULT_BATCH = 250  # samples per task (streaming and scheduling granularity only)


# --------------------------------------------------------------------------------------------
# the vectorised kernel


@dataclass(frozen=True)
class BatchSolution(ResultMixin):
    """Zone and bargaining solutions of ``S`` parameter draws.

    Attributes
    ----------
    parameters : dict of str to ndarray, shape (S,)
        Every parameter's value in each draw.
    zone : ndarray of bool, shape (S, n_deals)
        Which deals lie in the agreement zone (flat deal indices).
    zone_size, feasible_size : ndarray of int, shape (S,)
    reservations : ndarray, shape (S, n_parties)
    solutions : dict of str to ndarray of int, shape (S,)
        Each bargaining solution's deal index, ``-1`` when there is no agreement.
    utilities : dict of str to ndarray, shape (S, n_parties)
        Each solution's utilities (NaN when there is no agreement).
    method : str
        ``"batch"``.
    tol, bargaining_tol : float
        Acceptance tolerance of the zone and tolerance of the bargaining solvers.
    """

    parameters: dict[str, np.ndarray]
    zone: np.ndarray
    zone_size: np.ndarray
    feasible_size: np.ndarray
    reservations: np.ndarray
    solutions: dict[str, np.ndarray]
    utilities: dict[str, np.ndarray]
    method: str = "batch"
    tol: float = 1e-9
    bargaining_tol: float = 1e-9


def batch_solve(
    scenario: Scenario,
    parameters: Mapping[str, ArrayLike],
    *,
    tol: float = 1e-9,
    bargaining_tol: float = 1e-9,
) -> BatchSolution:
    """Agreement zone and the five bargaining solutions for many parameter draws at once.

    Parameters
    ----------
    scenario : Scenario
    parameters : mapping of str to array_like
        Draws of some parameters, each of shape ``(S,)`` (or scalars); the others keep the
        scenario's values.
    tol : float
        Acceptance tolerance of the zone (as in :func:`dealsim.solve`).
    bargaining_tol : float
        Tolerance of the bargaining solvers (individual rationality and ties).

    Returns
    -------
    BatchSolution
        Sample ``s`` agrees with ``dealsim.solve(scenario, parameters=draw_s)``.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> batch = batch_solve(s, {"credibility": [0.1, 0.5, 0.9]})
    >>> batch.zone_size.tolist() == [
    ...     dealsim.solve(s, parameters={"credibility": c}).agreement_zone.size
    ...     for c in (0.1, 0.5, 0.9)]
    True
    """
    unknown = sorted(set(parameters) - set(scenario.parameters))
    if unknown:
        known = ", ".join(scenario.parameters) or "none"
        raise DealsimError(f"unknown parameter {unknown[0]!r} (known: {known})")
    arrays = {name: np.atleast_1d(np.asarray(v, dtype=float)) for name, v in parameters.items()}
    sizes = {a.size for a in arrays.values() if a.size != 1}
    if any(a.ndim != 1 for a in arrays.values()) or len(sizes) > 1:
        raise DealsimError("parameter draws must be 1-D arrays of one common length (S,)")
    n_samples = sizes.pop() if sizes else 1
    draws = {
        name: np.broadcast_to(arrays.get(name, np.asarray([value], dtype=float)), (n_samples,))
        for name, value in scenario.parameters.items()
    }
    space = DealSpace(scenario)
    step = max(1, _ELEMENT_BUDGET // max(1, space.size * len(scenario.parties)))
    parts = [
        _batch_kernel(
            scenario,
            space,
            {name: v[start : start + step] for name, v in draws.items()},
            tol,
            bargaining_tol,
        )
        for start in range(0, n_samples, step)
    ]
    zone, feasible_size, reservations, indices, utilities = (
        np.concatenate([p[i] for p in parts]) for i in range(5)
    )
    return BatchSolution(
        parameters={name: np.array(v) for name, v in draws.items()},
        zone=zone,
        zone_size=zone.sum(axis=1),
        feasible_size=feasible_size,
        reservations=reservations,
        solutions={name: indices[:, j] for j, name in enumerate(SOLUTION_NAMES)},
        utilities={name: utilities[:, j] for j, name in enumerate(SOLUTION_NAMES)},
        tol=tol,
        bargaining_tol=bargaining_tol,
    )


def _batch_kernel(scenario: Scenario, space: DealSpace, draws, tol: float, btol: float):
    n_samples = next(iter(draws.values())).shape[0] if draws else 1
    n, k = space.size, len(scenario.parties)
    codes = space.codes()
    model = UtilityModel.from_scenario(scenario, draws)
    u = np.broadcast_to(model.utilities(space, codes), (n_samples, n, k))
    # one contiguous (S, n) array per party: reductions over a short last axis are slow
    cols = [np.ascontiguousarray(u[..., i]) for i in range(k)]
    feasible = np.broadcast_to(model.feasible(space, codes).all(axis=-2), (n_samples, n))
    r = np.broadcast_to(scenario.reservations(draws), (n_samples, k))
    w = np.broadcast_to(scenario.powers(draws), (n_samples, k))
    zone = feasible.copy()
    for i, col in enumerate(cols):
        zone &= col >= (r[:, i] - tol)[:, None]
    indices, utilities = _solutions_kernel(u, cols, zone, r, w, btol)
    return zone, feasible.sum(axis=1), r, indices, utilities


def _solutions_kernel(u, cols, zone, r, w, tol):
    """The five solutions (SOLUTION_NAMES order) of each sample among its zone deals."""
    n_samples, _, k = u.shape
    gains = [col - r[:, i, None] for i, col in enumerate(cols)]
    rational = zone.copy()
    for i, col in enumerate(cols):
        rational &= col >= (r[:, i] - tol)[:, None]
    has = rational.any(axis=1)
    active, normalised, logs = [], [], []
    positive = rational.copy()
    for i, col in enumerate(cols):
        span = np.where(rational, col, -np.inf).max(axis=1) - r[:, i]
        on = span > tol
        active.append(on[:, None])
        normalised.append(gains[i] / np.where(on, span, 1.0)[:, None])
        logs.append(np.log(np.where(gains[i] > 0, gains[i], 1.0)))
        positive &= ~on[:, None] | (gains[i] > tol)
    any_active = np.logical_or.reduce(active)
    zero_product = ~positive.any(axis=1)

    def nash(weights):
        total = np.zeros_like(cols[0])
        for i in range(k):
            total = total + np.where(active[i], logs[i] * weights[:, i, None], 0.0)
        value = np.where(positive, total, -np.inf)
        return np.where(zero_product[:, None] & rational, 0.0, value)

    def smallest(values):
        low = np.full_like(cols[0], np.inf)
        for i in range(k):
            low = np.minimum(low, np.where(active[i], values[i], np.inf))
        return np.where(rational, np.where(any_active, low, 0.0), -np.inf)

    total_u = cols[0]
    for col in cols[1:]:
        total_u = total_u + col
    objectives = {
        "nash": nash(np.ones((n_samples, k))),
        "weighted_nash": nash(w),
        "kalai_smorodinsky": smallest(normalised),
        "egalitarian": smallest(gains),
        "utilitarian": np.where(rational, total_u, -np.inf),
    }
    indices = np.full((n_samples, len(SOLUTION_NAMES)), -1, dtype=np.int64)
    values = np.full((n_samples, len(SOLUTION_NAMES), k), np.nan)
    rows = np.flatnonzero(has)
    for j, name in enumerate(SOLUTION_NAMES):
        value = objectives[name][rows]
        best = value.max(axis=1)
        tied = value >= (best - tol * np.maximum(1.0, np.abs(best)))[:, None]
        chosen = np.argmax(tied, axis=1)
        for t in np.flatnonzero(tied.sum(axis=1) > 1):  # ties only: the solvers' own tie-break
            s = rows[t]
            chosen[t] = _best_row(objectives[name][s], u[s], r[s], rational[s], tol)
        indices[rows, j] = chosen
        values[rows, j] = u[rows, chosen]
    return indices, values


# --------------------------------------------------------------------------------------------
# Monte Carlo


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


def _montecarlo_task(scenario: Scenario, seed: int, start: int, stop: int) -> list[dict[str, Any]]:
    dists = uncertain_parameters(scenario)
    draws = sample_parameters(scenario, start, stop, seed=seed, distributions=dists)
    batch = batch_solve(scenario, draws)
    packed = np.packbits(batch.zone, axis=1)
    outcomes = {}
    for name, hook in OUTCOME_HOOKS.items():
        labels = (load_function(hook) if isinstance(hook, str) else hook)(scenario, draws)
        if labels is not None:
            outcomes[name] = [str(label) for label in labels]
    records = []
    for j in range(stop - start):
        record: dict[str, Any] = {
            "sample": start + j,
            "parameters": {name: float(draws[name][j]) for name in dists},
            "zone_size": int(batch.zone_size[j]),
            "zone": base64.b64encode(packed[j].tobytes()).decode("ascii"),
            "solutions": {
                name: (None if batch.solutions[name][j] < 0 else int(batch.solutions[name][j]))
                for name in SOLUTION_NAMES
            },
        }
        if outcomes:
            record["outcomes"] = {name: labels[j] for name, labels in outcomes.items()}
        records.append(record)
    return records


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
    batch: int = DEFAULT_BATCH,
    progress: bool | None = None,
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
        Local processes (default: every core).
    scheduler : str or distributed.Client, optional
        Run the batches on this Dask cluster instead.
    output : path, optional
        Stream one record per sample to this ``.jsonl`` or ``.csv`` file.
    resume : bool
        Continue an interrupted run in ``output``.
    force : bool
        Overwrite ``output``.
    batch : int
        Samples per task.
    progress : bool, optional
        Progress bar (default: when standard error is a terminal).

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
    sample_parameters(scenario, 0, 0, seed=seed)  # validates the seed
    if not uncertain_parameters(scenario):
        raise DealsimError(
            f"{scenario.file or scenario.name}: no uncertain parameters: give a parameter a "
            "range or a distribution ([parameters.<id>] range = [lo, hi])"
        )
    task = functools.partial(_montecarlo_task, scenario, seed)
    header = {"command": "montecarlo", "seed": seed, "samples": samples}
    run = _RunOptions(batch, workers, scheduler, output, resume, force, progress)
    records = _run_batches(scenario, task, samples, key="sample", header=header, run=run)
    return summarise_samples(scenario, records, seed=seed, top=top)


class _RunOptions(NamedTuple):
    """How :func:`monte_carlo` and :func:`sweep` run their tasks (see :func:`run_batches`)."""

    batch: int
    workers: int | None
    scheduler: Any
    output: str | Path | None
    resume: bool
    force: bool
    progress: bool | None


def _run_batches(
    scenario: Scenario,
    task: Callable[[int, int], list[dict[str, Any]]],
    total: int,
    *,
    key: str,
    header: Mapping[str, Any],
    run: _RunOptions,
) -> list[dict[str, Any]]:
    """:func:`run_batches` on every core by default, the scenario's identity in the header."""
    header = {**header, "scenario_sha256": scenario.sha256, "dealsim_version": __version__}
    options = run._replace(workers=run.workers or os.cpu_count() or 1)._asdict()
    return run_batches(task, total, key=key, header=header, unit=key, **options)


def summarise_samples(
    scenario: Scenario, records: Sequence[Mapping[str, Any]], *, seed: int, top: int = 10
) -> MonteCarloResult:
    """Summarise per-sample Monte Carlo records (as streamed to a run file).

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> records = _montecarlo_task(s, 1, 0, 50)
    >>> summarise_samples(s, records, seed=1).samples
    50
    """
    space = DealSpace(scenario)
    n_samples = len(records)
    if n_samples == 0:
        raise DealsimError("no samples to summarise")
    sizes = np.array([r["zone_size"] for r in records], dtype=np.int64)
    packed = np.frombuffer(b"".join(base64.b64decode(r["zone"]) for r in records), np.uint8)
    zone = np.unpackbits(packed.reshape(n_samples, -1), axis=1, count=space.size)
    counts = zone.sum(axis=0, dtype=np.int64)
    order = np.lexsort((np.arange(space.size), -counts))[:top]
    robust = tuple(
        {"index": int(i), "deal": space.deal(int(i)), "probability": float(counts[i] / n_samples)}
        for i in order
        if counts[i] > 0
    )
    p = float(np.mean(sizes > 0))
    solutions = {
        name: _solution_summary(space, [r["solutions"][name] for r in records])
        for name in SOLUTION_NAMES
    }
    outcomes: dict[str, dict[str, float]] = {}
    for name in records[0].get("outcomes", {}):
        tally = Counter(r["outcomes"][name] for r in records)
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
    )


def _solution_summary(space: DealSpace, indices: list[int | None]) -> dict[str, Any]:
    chosen = np.array([i for i in indices if i is not None], dtype=np.int64)
    summary: dict[str, Any] = {"p_defined": chosen.size / len(indices), "issues": {}}
    if chosen.size == 0:
        summary["modal_deal"] = None
        return summary
    codes = space.codes(chosen)
    for j, issue in enumerate(space.scenario.issues):
        tally = np.bincount(codes[:, j], minlength=issue.size) / chosen.size
        entry: dict[str, Any] = {
            "frequencies": {str(issue.value_at(c)): float(tally[c]) for c in np.flatnonzero(tally)}
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


# --------------------------------------------------------------------------------------------
# sweeps


@dataclass(frozen=True)
class SweepResult(ResultMixin):
    """A grid sweep: the parameters swept and one ``solve`` document per grid point."""

    parameters: tuple[str, ...]
    grid: dict[str, list[float]]
    records: tuple[dict[str, Any], ...] = field(repr=False)
    method: str = "sweep"


def parse_grid(text: str) -> tuple[str, np.ndarray]:
    """Parse ``NAME=LO:HI:N`` (N evenly spaced values) or ``NAME=V1,V2,...``.

    Examples
    --------
    >>> name, values = parse_grid("credibility=0:1:5")
    >>> name, values.tolist()
    ('credibility', [0.0, 0.25, 0.5, 0.75, 1.0])
    >>> parse_grid("x=0.1,0.4")[1].tolist()
    [0.1, 0.4]
    """
    name, sep, spec = text.partition("=")
    try:
        if not sep or not name.strip():
            raise ValueError
        if ":" in spec:
            lo, hi, n = spec.split(":")
            count = int(n)
            if count < 1:
                raise ValueError
            values = np.linspace(float(lo), float(hi), count)
        else:
            values = np.array([float(v) for v in spec.split(",")])
        if not np.isfinite(values).all():
            raise ValueError
    except ValueError:
        raise DealsimError(
            f"--param {text!r}: expected NAME=LO:HI:N (e.g. credibility=0:1:21) or NAME=V1,V2,..."
        ) from None
    return name.strip(), values


def _sweep_task(scenario: Scenario, points, start: int, stop: int) -> list[dict[str, Any]]:
    return [
        {"point": i, **solve(scenario, parameters=points[i]).to_dict()} for i in range(start, stop)
    ]


def sweep(
    scenario: Scenario,
    grid: Mapping[str, ArrayLike],
    *,
    workers: int | None = None,
    scheduler: Any = None,
    output: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    batch: int = 1,
    progress: bool | None = None,
) -> SweepResult:
    """Solve the scenario at every point of a grid over one or more parameters.

    Points run over the product of the grids, the first parameter slowest. Each record is
    ``{"point": i, **dealsim.solve(scenario, parameters=point).to_dict()}``.

    Parameters
    ----------
    scenario : Scenario
    grid : mapping of str to array_like
        Values of each swept parameter.
    workers, scheduler, output, resume, force, batch, progress
        As in :func:`monte_carlo` (``batch`` counts grid points).

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> import dealsim
    >>> result = sweep(dealsim.load("donbas-2026"), {"credibility": [0.1, 0.9]}, workers=1)
    >>> [r["parameters"]["credibility"] for r in result.records]
    [0.1, 0.9]
    """
    if not grid:
        raise DealsimError("give at least one parameter to sweep (--param NAME=LO:HI:N)")
    unknown = sorted(set(grid) - set(scenario.parameters))
    if unknown:
        known = ", ".join(scenario.parameters) or "none"
        raise DealsimError(f"unknown parameter {unknown[0]!r} (known: {known})")
    values = {
        name: [float(v) for v in np.atleast_1d(np.asarray(vs, float))] for name, vs in grid.items()
    }
    names = tuple(values)
    points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values.values())]
    task = functools.partial(_sweep_task, scenario, points)
    run = _RunOptions(batch, workers, scheduler, output, resume, force, progress)
    header = {"command": "sweep", "grid": values}
    records = _run_batches(scenario, task, len(points), key="point", header=header, run=run)
    return SweepResult(parameters=names, grid=values, records=tuple(records))


def render_sweep(result: SweepResult) -> str:
    """A text table: one row per grid point and solution (terms and utilities).

    Examples
    --------
    >>> import dealsim
    >>> table = render_sweep(sweep(dealsim.load("donbas-2026"), {"credibility": [0.5]}, workers=1))
    >>> table.split()[:4]
    ['credibility', 'zone', 'solution', 'donbas_ceded']
    """
    if not result.records:
        return "(no grid points)\n"
    first = result.records[0]
    issues = list(first["deal_space"]["issues"])
    parties = list(first["parties"])
    head = [*result.parameters, "zone", "solution", *issues, *(f"u_{p}" for p in parties)]
    rows = []
    for record in result.records:
        params = [_fmt(record["parameters"][n]) for n in result.parameters]
        zone = str(record["agreement_zone"]["size"])
        for name, solution in record["solutions"].items():
            if solution is None:
                rows.append([*params, zone, name, *["-"] * (len(issues) + len(parties))])
                continue
            rows.append(
                [
                    *params,
                    zone,
                    name,
                    *(_fmt(solution["deal"][i]) for i in issues),
                    *(_fmt(solution["utilities"][p]) for p in parties),
                ]
            )
    widths = [max(len(h), *(len(r[c]) for r in rows)) for c, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines) + "\n"


_fmt = format_number
