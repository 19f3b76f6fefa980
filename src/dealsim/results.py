"""Result objects of :func:`dealsim.solve`: frozen dataclasses with a JSON-ready ``to_dict()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dealsim._format import format_deal, format_number
from dealsim._results import ResultMixin, to_plain
from dealsim._tables import html_table, require_pandas
from dealsim._version import __version__

__all__ = [
    "SOLUTION_NAMES",
    "SOLUTION_TITLES",
    "FrontierSummary",
    "SolutionSummary",
    "SolveResult",
    "ZoneSummary",
]

SOLUTION_NAMES = ("nash", "weighted_nash", "kalai_smorodinsky", "egalitarian", "utilitarian")
"""The bargaining solutions every solve reports, in report order."""
SOLUTION_TITLES = {
    "nash": "Nash",
    "weighted_nash": "Weighted Nash",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "egalitarian": "Egalitarian",
    "utilitarian": "Utilitarian",
}
"""The title reports give each of :data:`SOLUTION_NAMES`."""


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
    """A Pareto frontier: its deals (flat indices and ``{issue: value}``) and their utilities.

    ``size`` is always the true number of frontier deals; when a cap (``max_frontier``) left some
    out, ``truncated`` is true and ``indices``/``deals``/``utilities`` hold the ``shown`` deals
    kept (evenly spaced along the frontier in flat-index order, both ends included).
    """

    size: int
    indices: tuple[int, ...]
    deals: tuple[dict[str, Any], ...]
    utilities: tuple[dict[str, float], ...]

    def to_frame(self) -> Any:
        """The frontier as a :class:`pandas.DataFrame`: one row per deal.

        Columns ``deal.<issue>`` hold the deal's terms and ``utilities.<party>`` each party's
        utility; the index is the deal's flat index in the deal space. Needs pandas
        (``pip install 'dealsim[pandas]'``).

        Examples
        --------
        >>> import dealsim
        >>> frontier = dealsim.solve(dealsim.load("split-linear")).pareto_frontier
        >>> frame = frontier.to_frame()
        >>> frame.shape, list(frame.columns)
        ((51, 3), ['deal.share', 'utilities.a', 'utilities.b'])
        """
        pandas = require_pandas("FrontierSummary.to_frame()")
        rows = [_deal_row(d, u) for d, u in zip(self.deals, self.utilities, strict=True)]
        return pandas.DataFrame(rows, index=pandas.Index(list(self.indices), name="index"))

    def __repr__(self) -> str:
        shown = "" if len(self.indices) == self.size else f", {len(self.indices)} shown"
        return f"<FrontierSummary: {self.size} deals{shown}>"

    def _repr_html_(self) -> str:
        head, rows = _deal_table(list(self.indices), self.deals, self.utilities)
        return html_table(head, rows, caption=repr(self)[1:-1], index=False)

    truncated: bool = False

    @property
    def shown(self) -> int:
        """How many frontier deals are listed (``size`` unless ``truncated``)."""
        return len(self.indices)


@dataclass(frozen=True)
class SolutionSummary(ResultMixin):
    """A bargaining solution: the deal it picks and each party's utility there.

    ``continuous`` is the solution refined over the range issues
    (:class:`dealsim.analysis.refinement.ContinuousSolution`: ``deal``, ``utilities``,
    ``improvement``, ``status``, ...), or ``None`` when refinement is off or there is no range
    issue.
    """

    method: str
    index: int
    deal: dict[str, Any]
    utilities: dict[str, float]
    refinement: str
    parameters: dict[str, Any] = field(default_factory=dict)
    continuous: Any = None


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

    def to_frame(self) -> Any:
        """The bargaining solutions as a :class:`pandas.DataFrame`: one row per solution.

        The index is the solution's name (``nash``, ``weighted_nash``, ...), column ``index`` the
        deal's flat index, columns ``deal.<issue>`` its terms and ``utilities.<party>`` each
        party's utility. A solution without an answer (an empty zone) is a row of missing values.
        Needs pandas (``pip install 'dealsim[pandas]'``).

        Examples
        --------
        >>> import dealsim
        >>> frame = dealsim.solve(dealsim.load("split-linear")).to_frame()
        >>> frame.loc["nash", ["deal.share", "utilities.a", "utilities.b"]].tolist()
        [0.575, 0.575, 0.425]
        """
        pandas = require_pandas("SolveResult.to_frame()")
        issues = list(self.deal_space.get("issues", {}))
        columns = [
            "index",
            *(f"deal.{i}" for i in issues),
            *(f"utilities.{p}" for p in self.parties),
        ]
        rows = []
        for solution in self.solutions.values():
            if solution is None:
                rows.append(dict.fromkeys(columns))
            else:
                rows.append(
                    {"index": solution.index, **_deal_row(solution.deal, solution.utilities)}
                )
        frame = pandas.DataFrame(
            rows, columns=columns, index=pandas.Index(list(self.solutions), name="solution")
        )
        frame["index"] = frame["index"].astype("Int64")
        return frame

    def __repr__(self) -> str:
        lines = [_clip(f"<SolveResult {self.scenario_name!r}>", 100), f"  {self._summary()}"]
        width = max((len(name) for name in self.solutions), default=0)
        for name, solution in self.solutions.items():
            if solution is None:
                text = "no agreement"
            else:
                utilities = ", ".join(
                    f"{p}={format_number(u)}" for p, u in solution.utilities.items()
                )
                text = f"{utilities} | {format_deal(solution.deal)}"
            lines.append(_clip(f"  {name.ljust(width)}  {text}", 100))
        if self.analyses:
            lines.append(f"  + {', '.join(self.analyses)}: see .analyses or .to_dict()")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        names = [n for n, s in self.solutions.items() if s is not None]
        solutions = [self.solutions[n] for n in names]
        head, rows = _deal_table(
            names, [s.deal for s in solutions], [s.utilities for s in solutions]
        )
        head[0] = "solution"
        rows += [
            [name] + ["–"] * (len(head) - 1) for name, s in self.solutions.items() if s is None
        ]
        return html_table(head, rows, caption=f"{self.scenario_name}: {self._summary()}")

    def _summary(self) -> str:
        zone = self.agreement_zone
        return (
            f"{len(self.parties)} parties, {self.deal_space.get('size', '?')} deals; "
            f"zone {zone.size} deals ({format_number(100 * zone.share)}%); "
            f"Pareto frontier {self.pareto_frontier.size} deals"
        )


def _deal_row(deal: dict[str, Any], utilities: dict[str, float]) -> dict[str, Any]:
    return {
        **{f"deal.{issue}": value for issue, value in deal.items()},
        **{f"utilities.{party}": value for party, value in utilities.items()},
    }


def _deal_table(labels, deals, utilities) -> tuple[list[str], list[list[str]]]:
    """Head and formatted rows of a table of deals: label, terms, utilities."""
    issues = list(deals[0]) if deals else []
    parties = list(utilities[0]) if utilities else []
    head = ["index", *issues, *(f"u({p})" for p in parties)]
    rows = [
        [
            str(label),
            *(format_number(d[i]) for i in issues),
            *(format_number(u[p]) for p in parties),
        ]
        for label, d, u in zip(labels, deals, utilities, strict=True)
    ]
    return head, rows


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _frontier_dict(frontier: FrontierSummary) -> dict[str, Any]:
    return {
        "size": frontier.size,
        "shown": frontier.shown,
        "truncated": frontier.truncated,
        "deals": to_plain(frontier.deals),
        "utilities": to_plain(frontier.utilities),
        "indices": list(frontier.indices),
    }
