"""Retrodiction: the deal actually agreed (``[actual]``) against the zone and the solutions.

The pipeline calls :func:`actual_analysis` lazily for a scenario with ``[actual]``; as it appears
in the JSON (key ``actual``): the actual deal's record (the fields of
:mod:`dealsim.analysis.proposals`: ``deal``, ``utilities``, ``accepted_by``, ``feasible``,
``in_zone``, ``on_frontier``, ``dominated_by``, ``ratification``, ``commitment``), its ``label``,
``date`` and ``source``, and ``distances``: bargaining solution -> distance from the solution's
deal to the actual deal (``null`` when the zone is empty).

The distance (:func:`deal_distance`) is normalised per issue and averaged over the issues: a range
issue counts ``|a - b| / (hi - lo)``, an unordered levels issue 0 (same level) or 1, an ordered one
(``ordered = true``) the difference of ranks over ``levels - 1``. It lies in [0, 1].

:func:`backtest` runs this over many scenarios (the bundled ones with ``[actual]`` by default) and
summarises: per case ``in_zone``, ``on_frontier`` and the distances; the mean distance per solution
(over the cases where the solution exists) and the share of cases whose actual deal was in the
zone. What it does and does not show: docs/cases.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim.analysis._deals import SolveIntermediates, fmt
from dealsim.analysis.proposals import deal_records, render_deal_record
from dealsim.errors import ScenarioError
from dealsim.results import SOLUTION_NAMES
from dealsim.zone import compute_zone

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.results import SolveResult
    from dealsim.scenario.model import Issue, Scenario
    from dealsim.zone import ZoneComputation

__all__ = [
    "ActualAnalysis",
    "BacktestResult",
    "actual_analysis",
    "backtest",
    "deal_distance",
    "render_actual",
    "render_backtest",
]


def deal_distance(issues: Sequence[Issue], a: Sequence[int], b: Sequence[int]) -> float:
    """Normalised distance between two deals given by their grid codes (module docstring).

    Examples
    --------
    >>> from dealsim.scenario.model import Issue
    >>> issues = [Issue("x", "x", "range", (0.0, 5.0, 10.0)),
    ...           Issue("g", "g", "levels", ("none", "weak", "strong"), ordered=True),
    ...           Issue("p", "p", "levels", ("a", "b", "c"))]
    >>> deal_distance(issues, (0, 0, 0), (1, 2, 1))  # (0.5 + 1 + 1) / 3
    0.8333333333333334
    >>> deal_distance(issues, (2, 1, 2), (2, 1, 2))
    0.0
    """
    if len(a) != len(issues) or len(b) != len(issues):
        raise ValueError(f"both deals need one code per issue ({len(issues)})")
    parts = []
    for issue, x, y in zip(issues, a, b, strict=True):
        if issue.numeric:
            lo, hi = float(issue.values[0]), float(issue.values[-1])
            parts.append(abs(float(issue.values[x]) - float(issue.values[y])) / (hi - lo))
        elif issue.ordered:
            parts.append(abs(int(x) - int(y)) / max(issue.size - 1, 1))
        else:
            parts.append(0.0 if int(x) == int(y) else 1.0)
    return float(np.mean(parts))


@dataclass(frozen=True)
class ActualAnalysis(ResultMixin):
    """The actual deal's record, its provenance and its distance to each solution's deal."""

    label: str
    date: str
    source: str
    deal: dict[str, Any]
    utilities: dict[str, float]
    accepted_by: list[str]
    feasible: bool
    in_zone: bool
    on_frontier: bool
    dominated_by: dict[str, Any] | None
    ratification: dict[str, dict[str, Any]]
    commitment: dict[str, Any] | None
    distances: dict[str, float | None]
    method: str = "retrodiction"
    parameters: dict[str, Any] = field(default_factory=dict)


def actual_analysis(
    scenario: Scenario, zc: ZoneComputation, *, shared: SolveIntermediates | None = None
) -> ActualAnalysis:
    """Where the deal actually agreed lies, and how far each bargaining solution is from it.

    ``shared`` (the pipeline passes it) holds the solve's bargaining solutions, found once for
    every analysis; without it they are found here.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("camp-david-1978")
    >>> result = actual_analysis(s, compute_zone(s))
    >>> result.date, result.in_zone
    ('1978-09-17', True)
    """
    actual = scenario.actual
    record = deal_records(scenario, zc, np.array([actual.codes]), labels=[actual.label])[0]
    found = (shared or SolveIntermediates(scenario, zc)).solutions
    distances: dict[str, float | None] = dict.fromkeys(SOLUTION_NAMES)
    shape = zc.space.shape
    for name, sol in found.items():
        codes = np.unravel_index(int(zc.zone_frontier[sol.index]), shape)
        distances[name] = deal_distance(scenario.issues, codes, actual.codes)
    return ActualAnalysis(
        label=actual.label,
        date=actual.date,
        source=actual.source,
        deal=record.deal,
        utilities=record.utilities,
        accepted_by=record.accepted_by,
        feasible=record.feasible,
        in_zone=record.in_zone,
        on_frontier=record.on_frontier,
        dominated_by=record.dominated_by,
        ratification=record.ratification,
        commitment=record.commitment,
        distances=distances,
        parameters={
            "tol": zc.tol,
            "weights": dict(zip(scenario.party_ids, scenario.powers().tolist(), strict=True)),
        },
    )


def render_actual(result: ActualAnalysis, solve_result: SolveResult) -> list[str]:
    """Text lines of the retrodiction section of the report.

    Examples
    --------
    >>> import dealsim
    >>> solved = dealsim.solve(dealsim.load("camp-david-1978"))
    >>> print(render_actual(solved.analyses["actual"], solved)[0])
    What was actually agreed (1978-09-17): Camp David Accords
    """
    from dealsim._format import format_deal
    from dealsim.analysis.proposals import DealRecord

    lines = [f"What was actually agreed ({result.date}): {result.label}"]
    lines.append(f"  source: {result.source}")
    lines.append(f"  terms: {format_deal(result.deal)}")
    record = DealRecord(
        label=result.label,
        source=result.source,
        deal=result.deal,
        index=-1,
        utilities=result.utilities,
        accepted_by=result.accepted_by,
        feasible=result.feasible,
        violated=[],
        in_zone=result.in_zone,
        dominated_by=result.dominated_by,
        on_frontier=result.on_frontier,
        ratification=result.ratification,
        commitment=result.commitment,
    )
    lines.extend(render_deal_record(record))
    shown = [f"{name} {fmt(d)}" for name, d in result.distances.items() if d is not None]
    if shown:
        lines.append("  distance from each solution's deal (0 = the same, 1 = opposite on all): ")
        lines[-1] += ", ".join(shown)
    return lines


@dataclass(frozen=True)
class BacktestResult(ResultMixin):
    """The actual deals of many cases against their zones and solutions (module docstring).

    ``to_dict()`` gives ``{cases: [{scenario, in_zone, on_frontier, distances}],
    mean_distance, in_zone_share}``.
    """

    cases: list[dict[str, Any]]
    mean_distance: dict[str, float | None]
    in_zone_share: float | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``dealsim backtest --format json``."""
        return {
            "cases": [dict(c) for c in self.cases],
            "mean_distance": dict(self.mean_distance),
            "in_zone_share": self.in_zone_share,
        }


def backtest(scenarios: Iterable[Scenario], *, tol: float = 1e-9) -> BacktestResult:
    """Retrodict every scenario's ``[actual]`` deal and summarise (module docstring).

    Parameters
    ----------
    scenarios : iterable of Scenario
        Each must have an ``[actual]`` section; ``scenario`` in each case is its file's stem.
    tol : float
        Acceptance tolerance, as in :func:`dealsim.solve`.

    Raises
    ------
    ScenarioError
        If a scenario has no ``[actual]`` section.

    Examples
    --------
    >>> import dealsim
    >>> result = backtest([dealsim.load("camp-david-1978")])
    >>> result.cases[0]["scenario"], result.cases[0]["in_zone"], result.in_zone_share
    ('camp-david-1978', True, 1.0)
    """
    cases = []
    for scenario in scenarios:
        if scenario.actual is None:
            raise ScenarioError(
                "has no [actual] section (terms, date, source) to backtest against",
                file=scenario.file or scenario.name,
            )
        result = actual_analysis(scenario, compute_zone(scenario, tol=tol))
        name = Path(scenario.file).stem if scenario.file else scenario.name
        cases.append(
            {
                "scenario": name,
                "in_zone": result.in_zone,
                "on_frontier": result.on_frontier,
                "distances": dict(result.distances),
            }
        )
    mean: dict[str, float | None] = {}
    for name in SOLUTION_NAMES:
        values = [c["distances"][name] for c in cases if c["distances"][name] is not None]
        mean[name] = float(np.mean(values)) if values else None
    share = float(np.mean([c["in_zone"] for c in cases])) if cases else None
    return BacktestResult(cases=cases, mean_distance=mean, in_zone_share=share)


_SHORT = {
    "nash": "Nash",
    "weighted_nash": "w.Nash",
    "kalai_smorodinsky": "KS",
    "egalitarian": "egal.",
    "utilitarian": "util.",
}


def render_backtest(result: BacktestResult) -> str:
    """The text table of ``dealsim backtest``.

    Examples
    --------
    >>> import dealsim
    >>> print(render_backtest(backtest([dealsim.load("camp-david-1978")])).splitlines()[0])
    Backtest: distance from each bargaining solution's deal to the deal actually agreed
    """
    from dealsim._format import table

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    lines = [
        "Backtest: distance from each bargaining solution's deal to the deal actually agreed",
        "(0 = the same deal, 1 = different on every issue; '-' = empty zone, no solution)",
        "",
    ]
    rows = [["case", "in zone", "frontier", *(_SHORT[n] for n in SOLUTION_NAMES)]]
    for c in result.cases:
        rows.append(
            [
                c["scenario"],
                "yes" if c["in_zone"] else "no",
                "yes" if c["on_frontier"] else "no",
                *(cell(c["distances"][n]) for n in SOLUTION_NAMES),
            ]
        )
    rows.append([])
    share = result.in_zone_share
    rows.append(
        [
            "mean",
            "-" if share is None else f"{share:.0%}",
            "",
            *(cell(result.mean_distance[n]) for n in SOLUTION_NAMES),
        ]
    )
    lines.extend(table(rows))
    lines.append("")
    lines.append(
        "Payoffs were coded after the fact: this checks consistency, it is not a forecast "
        "(docs/cases.md)."
    )
    return "\n".join(lines) + "\n"
