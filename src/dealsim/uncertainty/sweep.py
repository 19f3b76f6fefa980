"""Parameter sweeps: the whole solve at every point of a 1-D or 2-D grid of parameter values.

:func:`sweep` solves the scenario at every grid point with :func:`dealsim.solve` (one
``solve(...).to_dict()`` document per point, so every analysis flows in); runs stream to a file,
show progress and resume like Monte Carlo runs.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from dealsim._format import format_number
from dealsim._grid import decimal_grid
from dealsim._results import ResultMixin
from dealsim._tables import flatten, html_table, require_pandas
from dealsim.analysis.reuse import StageReuse
from dealsim.errors import DealsimError, ScenarioError
from dealsim.pipeline import solve
from dealsim.scenario.model import Scenario
from dealsim.space import DEFAULT_MAX_DEALS, DealSpace, check_space_size
from dealsim.uncertainty._runner import RunOptions, run_scenario_batches

__all__ = [
    "MAX_GRID_POINTS",
    "MAX_GRID_VALUES",
    "SweepResult",
    "parse_grid",
    "points_per_task",
    "render_sweep",
    "sweep",
]

MAX_GRID_VALUES = 100_000
"""The most values of one swept parameter (as a range issue's ``steps``), checked before any
value is made."""
MAX_GRID_POINTS = 1_000_000
"""The most points of a sweep's grid (the product of its parameters' value counts), checked
before any point is made or solved."""


@dataclass(frozen=True)
class SweepResult(ResultMixin):
    """A grid sweep: the parameters swept and one ``solve`` document per grid point."""

    parameters: tuple[str, ...]
    grid: dict[str, list[float]]
    records: tuple[dict[str, Any], ...] = field(repr=False)
    method: str = "sweep"

    def to_frame(self) -> Any:
        """The sweep as a :class:`pandas.DataFrame`: one row per grid point.

        The index is the point number; the columns are every parameter's value (named after the
        parameter, the swept ones first), ``zone_size``, ``zone_share``, ``agreement`` (the zone
        is not empty), ``frontier_size``, for each solution ``<solution>.index``,
        ``<solution>.deal.<issue>`` and ``<solution>.utilities.<party>``, and every scalar of the
        optional analyses under its dotted JSON path (``war.…``, ``ratification.…``; lists are
        left out). Needs pandas (``pip install 'dealsim[pandas]'``).

        Examples
        --------
        >>> import dealsim
        >>> result = sweep(dealsim.load("donbas-2026"), {"fortress_risk": [0.1, 0.2]}, workers=1)
        >>> frame = result.to_frame()
        >>> frame["fortress_risk"].tolist(), frame.columns[0]
        ([0.1, 0.2], 'fortress_risk')
        >>> frame[["zone_size", "agreement"]].dtypes.astype(str).tolist()
        ['int64', 'bool']
        """
        pandas = require_pandas("SweepResult.to_frame()")
        rows = [_sweep_row(record, self.parameters) for record in self.records]
        index = pandas.Index([r["point"] for r in self.records], name="point")
        frame = pandas.DataFrame(rows, index=index)
        for column in frame.columns:
            if column.endswith(".index") and column.count(".") == 1:
                frame[column] = frame[column].astype("Int64")
        return frame

    def __repr__(self) -> str:
        name = self.records[0]["scenario"]["name"] if self.records else "?"
        axes = " x ".join(
            f"{p} ({len(v)} values, {_fmt(min(v))}..{_fmt(max(v))})" for p, v in self.grid.items()
        )
        agreements = sum(not r["agreement_zone"]["empty"] for r in self.records)
        return (
            f"<SweepResult {name!r}: {len(self.records)} points over {axes}; "
            f"zone non-empty at {agreements}>"
        )

    def _repr_html_(self) -> str:
        lines = render_sweep(self).splitlines()
        if len(lines) < 2:
            return html_table(["sweep"], [], caption=repr(self)[1:-1])
        cuts = _column_starts(lines[1])
        head = [_cut(lines[0], cuts, i) for i in range(len(cuts))]
        rows = [[_cut(line, cuts, i) for i in range(len(cuts))] for line in lines[2:]]
        return html_table(head, rows, caption=repr(self)[1:-1], index=False)


def parse_grid(text: str) -> tuple[str, np.ndarray]:
    """Parse ``NAME=LO:HI:N`` (N evenly spaced values) or ``NAME=V1,V2,...``.

    Examples
    --------
    >>> name, values = parse_grid("credibility=0:1:5")
    >>> name, values.tolist()
    ('credibility', [0.0, 0.25, 0.5, 0.75, 1.0])
    >>> parse_grid("x=0:1:11")[1].tolist()[3]  # the decimal written, not 0.30000000000000004
    0.3
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
            if count > MAX_GRID_VALUES:
                raise DealsimError(
                    f"--param {text!r}: {count:,} values; a swept parameter takes at most "
                    f"{MAX_GRID_VALUES:,} (docs/limits.md)"
                )
            first, last = float(lo), float(hi)
            if not (np.isfinite(first) and np.isfinite(last)):
                raise ValueError
            values = decimal_grid(first, last, count)  # 0.3, not 0.30000000000000004
        else:
            values = np.array([float(v) for v in spec.split(",")])
        if not np.isfinite(values).all():
            raise ValueError
    except ValueError:
        raise DealsimError(
            f"--param {text!r}: expected NAME=LO:HI:N (e.g. credibility=0:1:21) or NAME=V1,V2,..."
        ) from None
    return name.strip(), values


def _sweep_task(
    reuse: StageReuse,
    points,
    start: int,
    stop: int,
    max_deals: int | None = DEFAULT_MAX_DEALS,
) -> list[dict[str, Any]]:
    scenario = reuse.scenario  # in a worker process: the one object of the run's StageReuse
    records = []
    for i in range(start, stop):
        try:
            result = solve(scenario, parameters=points[i], max_deals=max_deals, reuse=reuse)
        except DealsimError as error:  # say which point: its values are not in the file
            raise _at_point(error, i, points[i]) from None
        records.append({"point": i, **result.to_dict()})
    return records


def _at_point(error: DealsimError, index: int, point: Mapping[str, float]) -> DealsimError:
    """``error`` with the sweep point it happened at appended to its message."""
    values = ", ".join(f"{name}={float(value):g}" for name, value in point.items())
    where = f" (at sweep point {index}: {values})"
    if isinstance(error, ScenarioError):
        return ScenarioError(error.message + where, file=error.file, field=error.field)
    try:
        return type(error)(f"{error}{where}")
    except TypeError:  # a subclass with another constructor
        return DealsimError(f"{error}{where}")


def sweep(
    scenario: Scenario,
    grid: Mapping[str, ArrayLike],
    *,
    workers: int | None = None,
    scheduler: Any = None,
    output: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    batch: int | None = None,
    progress: bool | None = None,
    max_deals: int | None = DEFAULT_MAX_DEALS,
) -> SweepResult:
    """Solve the scenario at every point of a grid over one or more parameters.

    Points run over the product of the grids, the first parameter slowest. Each record is
    ``{"point": i, **dealsim.solve(scenario, parameters=point).to_dict()}``. Within the call,
    a stage whose inputs are those of an earlier point (the zone and the bargaining solutions
    when only parameters outside the payoffs and constraints change, an analysis when none of
    the parameters it reads does) is taken from that point
    (:class:`~dealsim.analysis.reuse.StageReuse`); the records are the same.

    Parameters
    ----------
    scenario : Scenario
    grid : mapping of str to array_like
        Values of each swept parameter.
    workers, scheduler, output, resume, force, progress
        As in :func:`monte_carlo`.
    batch : int, optional
        Grid points per task. By default, 1 with one worker or a ``scheduler``; with several
        workers, the run of consecutive points that share a bargaining problem, at most
        ``ceil(points / (2 * workers))``, so that a shared problem is computed in one process
        and not once per process (see :func:`points_per_task`).
    max_deals : int or None
        Refuse a deal space of more than this many deals (``None``: no limit), checked before
        the first point; every point's :func:`dealsim.solve` gets the same limit.

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> import dealsim
    >>> result = sweep(dealsim.load("donbas-2026"), {"audience_cost_max": [0.05, 0.25]}, workers=1)
    >>> [r["parameters"]["audience_cost_max"] for r in result.records]
    [0.05, 0.25]
    """
    check_space_size(DealSpace(scenario), max_deals)  # before any work
    if not grid:
        raise DealsimError("give at least one parameter to sweep (--param NAME=LO:HI:N)")
    unknown = sorted(set(grid) - set(scenario.parameters))
    if unknown:
        known = ", ".join(scenario.parameters) or "none"
        raise DealsimError(f"unknown parameter {unknown[0]!r} (known: {known})")
    arrays = {}
    for name, vs in grid.items():
        try:
            arrays[name] = np.atleast_1d(np.asarray(vs, float))
        except (TypeError, ValueError):
            raise DealsimError(f"parameter {name!r}: the values to sweep must be numbers") from None
    for name, array in arrays.items():
        if array.size > MAX_GRID_VALUES:
            raise DealsimError(
                f"parameter {name!r}: {array.size:,} values to sweep; at most {MAX_GRID_VALUES:,}"
                " (dealsim.uncertainty.sweep.MAX_GRID_VALUES, docs/limits.md)"
            )
    total = math.prod(array.size for array in arrays.values())
    if total > MAX_GRID_POINTS:
        raise DealsimError(
            f"a grid of {total:,} points ({' x '.join(f'{a.size:,}' for a in arrays.values())}); "
            f"a sweep takes at most {MAX_GRID_POINTS:,} (dealsim.uncertainty.sweep."
            "MAX_GRID_POINTS, docs/limits.md)"
        )
    values = {name: [float(v) for v in array] for name, array in arrays.items()}
    names = tuple(values)
    points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values.values())]
    # the stages a point shares with an earlier one (same inputs) are not recomputed; the
    # results live as long as this call (each worker process keeps its own, for this call only)
    reuse = StageReuse(scenario)
    task = functools.partial(_sweep_task, reuse, points, max_deals=max_deals)
    if batch is None:
        batch = points_per_task(reuse, points, 1 if scheduler is not None else workers)
    run = RunOptions(batch, workers, scheduler, output, resume, force, progress)
    header = {"command": "sweep", "grid": values}
    records = run_scenario_batches(scenario, task, len(points), key="point", header=header, run=run)
    return SweepResult(parameters=names, grid=values, records=tuple(records))


def points_per_task(reuse: StageReuse, points: list[dict[str, float]], workers: int | None) -> int:
    """The grid points per task of a sweep that does not set ``batch``.

    With one worker, 1: every point is a task (the progress bar and a resumed run count
    points), and the one process reuses every shared stage anyway. With several, each process
    keeps its own stage results, so a bargaining problem shared by consecutive points (a row of
    a grid whose last parameter leaves the payoffs and constraints alone) would be computed
    once in every process that gets one of its points. A task is then the most common run of
    consecutive points with the same problem key (:meth:`StageReuse.problem_key`), capped at
    ``ceil(points / (2 * workers))`` so that every worker gets at least two tasks.

    Parameters
    ----------
    reuse : StageReuse
        The sweep's stage results (its scenario and problem keys).
    points : list of dict
        The grid points, in the sweep's order.
    workers : int or None
        Local processes (``None``: every core).

    Returns
    -------
    int

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> costs, shifts = (0.05, 0.1, 0.2, 0.3), (0.2, 0.4, 0.6)
    >>> grid = [{"audience_cost_max": a, "belt_shift": b} for a in costs for b in shifts]
    >>> points_per_task(StageReuse(s), grid, 2)  # belt_shift moves only the war analysis
    3
    >>> points_per_task(StageReuse(s), grid, 1)
    1
    >>> points_per_task(StageReuse(s), [{"fortress_risk": r} for r in (0.1, 0.2, 0.3)], 2)
    1
    """
    lanes = max(1, workers or os.cpu_count() or 1)
    if lanes == 1 or len(points) < 2:
        return 1
    scenario = reuse.scenario
    keys = []
    for point in points:
        try:
            keys.append(reuse.problem_key(scenario.with_parameters(**point)))
        except DealsimError:  # the point's solve reports it; here it shares nothing
            keys.append(object())
    runs = Counter(len(list(run)) for _, run in itertools.groupby(keys))
    common = max(runs, key=lambda length: (runs[length], length))
    return max(1, min(common, -(-len(points) // (2 * lanes))))


def render_sweep(result: SweepResult) -> str:
    """A text table: one row per grid point and solution (terms and utilities).

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> table = render_sweep(sweep(s, {"audience_cost_max": [0.1]}, workers=1))
    >>> table.split()[:4]
    ['audience_cost_max', 'zone', 'solution', 'donbas_ceded']
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

_SKIP = ("dealsim_version", "scenario", "parties", "deal_space", "parameters", "point")


def _sweep_row(record: dict[str, Any], swept: tuple[str, ...]) -> dict[str, Any]:
    """One grid point's row of :meth:`SweepResult.to_frame`."""
    parameters = record["parameters"]
    zone = record["agreement_zone"]
    row: dict[str, Any] = {name: parameters[name] for name in swept}
    row.update({name: value for name, value in parameters.items() if name not in swept})
    row.update(
        {
            "zone_size": zone["size"],
            "zone_share": zone["share"],
            "agreement": not zone["empty"],
            "frontier_size": record["pareto_frontier"]["size"],
        }
    )
    issues = list(record["deal_space"]["issues"])
    for name, solution in record["solutions"].items():
        solution = solution or {"index": None, "deal": {}, "utilities": {}}
        row[f"{name}.index"] = solution["index"]
        row.update({f"{name}.deal.{i}": solution["deal"].get(i) for i in issues})
        row.update(
            {f"{name}.utilities.{p}": solution["utilities"].get(p) for p in record["parties"]}
        )
    extra = {
        key: value
        for key, value in record.items()
        if key not in _SKIP and key not in ("agreement_zone", "pareto_frontier", "solutions")
    }
    row.update({k: v for k, v in flatten(extra).items() if not isinstance(v, (list, dict))})
    return row


def _column_starts(rule: str) -> list[int]:
    """Start offsets of the columns of a text table, from its ``---  ---`` rule."""
    return [i for i, c in enumerate(rule) if c == "-" and (i == 0 or rule[i - 1] == " ")]


def _cut(line: str, starts: list[int], i: int) -> str:
    stop = starts[i + 1] if i + 1 < len(starts) else len(line)
    return line[starts[i] : stop].strip()
