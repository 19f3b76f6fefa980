"""Result objects of :func:`dealsim.solve`: frozen dataclasses with a JSON-ready ``to_dict()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dealsim._results import ResultMixin, to_plain
from dealsim._version import __version__

__all__ = [
    "SOLUTION_NAMES",
    "FrontierSummary",
    "SolutionSummary",
    "SolveResult",
    "ZoneSummary",
]

SOLUTION_NAMES = ("nash", "weighted_nash", "kalai_smorodinsky", "egalitarian", "utilitarian")
"""The bargaining solutions every solve reports, in report order."""


@dataclass(frozen=True)
class ZoneSummary(ResultMixin):
    """The zone of possible agreement.

    ``blocking[p]`` counts feasible deals that party ``p`` alone blocks (every other party accepts
    them); ``rejecting[p]`` counts feasible deals ``p`` rejects at all.
    """

    size: int
    share: float
    empty: bool
    feasible: int
    issue_ranges: dict[str, Any]
    blocking: dict[str, int]
    rejecting: dict[str, int]
    constraint_violations: dict[str, int]


@dataclass(frozen=True)
class FrontierSummary(ResultMixin):
    """A Pareto frontier: its deals (flat indices and ``{issue: value}``) and their utilities."""

    size: int
    indices: tuple[int, ...]
    deals: tuple[dict[str, Any], ...]
    utilities: tuple[dict[str, float], ...]


@dataclass(frozen=True)
class SolutionSummary(ResultMixin):
    """A bargaining solution: the deal it picks and each party's utility there."""

    method: str
    index: int
    deal: dict[str, Any]
    utilities: dict[str, float]
    refinement: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SolveResult(ResultMixin):
    """Everything :func:`dealsim.solve` computes for one scenario at one parameter setting.

    ``analyses`` holds the optional analyses a scenario declares (games, war, alternating offers,
    ratification), keyed by their JSON name.
    """

    scenario_name: str
    scenario_sha256: str | None
    scenario_file: str | None
    parties: tuple[str, ...]
    party_labels: dict[str, str]
    parameters: dict[str, float]
    reservations: dict[str, float]
    powers: dict[str, float]
    deal_space: dict[str, Any]
    agreement_zone: ZoneSummary
    pareto_frontier: FrontierSummary
    feasible_frontier: FrontierSummary
    solutions: dict[str, SolutionSummary | None]
    analyses: dict[str, Any] = field(default_factory=dict)
    dealsim_version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``dealsim solve --format json`` (see docs/json-output.md)."""
        zone = self.agreement_zone.to_dict()
        frontier = _frontier_dict(self.pareto_frontier)
        frontier["feasible"] = _frontier_dict(self.feasible_frontier)
        document: dict[str, Any] = {
            "dealsim_version": self.dealsim_version,
            "scenario": {
                "name": self.scenario_name,
                "sha256": self.scenario_sha256,
                "file": self.scenario_file,
            },
            "parties": list(self.parties),
            "parameters": to_plain(self.parameters),
            "reservations": to_plain(self.reservations),
            "powers": to_plain(self.powers),
            "deal_space": to_plain(self.deal_space),
            "agreement_zone": zone,
            "pareto_frontier": frontier,
            "solutions": {
                name: None if s is None else {k: v for k, v in s.to_dict().items()}
                for name, s in self.solutions.items()
            },
        }
        for key, value in self.analyses.items():
            document[key] = to_plain(value)
        return document


def _frontier_dict(frontier: FrontierSummary) -> dict[str, Any]:
    return {
        "size": frontier.size,
        "deals": to_plain(frontier.deals),
        "utilities": to_plain(frontier.utilities),
        "indices": list(frontier.indices),
    }
