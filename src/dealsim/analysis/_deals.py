"""Shared pieces of the scenario-level analyses: the feasible deals of a solve and their records."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from dealsim._format import format_number
from dealsim.solvers.bargaining import all_bargaining_solutions

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping

    from dealsim.scenario.model import Scenario
    from dealsim.zone import ZoneComputation

__all__ = [
    "CHUNK",
    "EXAMPLE_TOML",
    "Deals",
    "SolveIntermediates",
    "by_party",
    "deal_entry",
    "feasible_deals",
    "fmt",
    "issue_ranges",
    "unconstrained_solutions",
]

T = TypeVar("T")

CHUNK = 1 << 20
"""Deals per chunk when the analyses walk the whole deal space."""


@dataclass(frozen=True)
class Deals:
    """Feasible deals of a solve: flat indices, codes, utilities, zone mask, expression columns."""

    indices: np.ndarray
    codes: np.ndarray
    utilities: np.ndarray
    zone: np.ndarray
    columns: dict[str, Any]

    @property
    def size(self) -> int:
        return int(self.indices.size)


def feasible_deals(zc: ZoneComputation) -> Deals:
    space, model = zc.space, zc.model
    k = len(space.scenario.parties)
    idx, codes, utils = [np.zeros(0, dtype=np.int64)], [], [np.zeros((0, k))]
    codes.append(np.zeros((0, len(space.shape)), dtype=np.int64))
    for start, chunk in space.chunks(CHUNK):
        feasible = model.feasible(space, chunk).all(axis=0)
        rows = np.flatnonzero(feasible)
        idx.append(start + rows)
        codes.append(chunk[rows])
        utils.append(model.utilities(space, chunk[rows]))
    u = np.concatenate(utils)
    c = np.concatenate(codes)
    zone = np.all(u >= zc.reservations - zc.tol * zc.scale, axis=1)  # the zone walk's test
    return Deals(
        indices=np.concatenate(idx),
        codes=c,
        utilities=u,
        zone=zone,
        columns={**model.parameters, **space.columns(c)},
    )


def issue_ranges(scenario: Scenario, codes: np.ndarray) -> dict[str, Any]:
    ranges: dict[str, Any] = {}
    if codes.shape[0] == 0:
        return ranges
    for j, issue in enumerate(scenario.issues):
        present = np.unique(codes[:, j])
        if issue.numeric:
            ranges[issue.id] = [issue.value_at(present[0]), issue.value_at(present[-1])]
        else:
            ranges[issue.id] = [issue.values[c] for c in present]
    return ranges


def by_party(ids: tuple[str, ...], values: Any) -> dict[str, float]:
    return {p: float(v) for p, v in zip(ids, np.asarray(values, dtype=float), strict=True)}


def deal_entry(zc: ZoneComputation, index: int, utilities: Any, **extra: Any) -> dict[str, Any]:
    ids = zc.space.scenario.party_ids
    return {
        "index": int(index),
        "deal": zc.space.deal(int(index)),
        "utilities": by_party(ids, utilities),
        **extra,
    }


def unconstrained_solutions(zc: ZoneComputation, scenario: Scenario) -> dict[str, Any]:
    """The pipeline's bargaining solutions (name -> row of the zone frontier), {} if empty.

    Individual rationality and ties are decided with ``zc.tol`` times the zone's scale
    (``zc.scale``), as the zone is.
    """
    if zc.empty:
        return {}
    return all_bargaining_solutions(
        zc.zone_frontier_utilities,
        zc.reservations,
        weights=scenario.powers(),
        tol=zc.tol,
        scale=zc.scale,
    )


class SolveIntermediates:
    """What one :func:`dealsim.solve` computes once and its analyses share.

    The pipeline makes one for each call and drops it when the call returns: nothing is kept
    across calls. Each value is computed on first use, exactly as the analyses compute it on their
    own, so an analysis gives the same answer with or without it.

    Parameters
    ----------
    scenario : Scenario
        The scenario of the solve (at its parameter values).
    zc : ZoneComputation
        The zone walk of the solve.
    solutions : mapping, optional
        The bargaining solutions the pipeline already found over ``zc``'s zone frontier, with
        ``weights=scenario.powers()``, ``tol=zc.tol`` and ``scale=zc.scale`` (what
        :func:`unconstrained_solutions` returns).
    reuse : StageReuse, optional
        The run's :class:`~dealsim.analysis.reuse.StageReuse` and ``problem``, the key of this
        solve's bargaining problem in it: :meth:`reused` then takes a part of an analysis from
        an earlier solve of the run.
    problem : tuple, optional

    Examples
    --------
    >>> from dealsim.scenario import loads
    >>> from dealsim.zone import compute_zone
    >>> s = loads(EXAMPLE_TOML)
    >>> shared = SolveIntermediates(s, compute_zone(s))
    >>> shared.deals is shared.deals, shared.deals.size
    (True, 201)
    >>> sorted(shared.solutions) == sorted(unconstrained_solutions(shared.zc, s))
    True
    """

    def __init__(
        self,
        scenario: Scenario,
        zc: ZoneComputation,
        solutions: Mapping[str, Any] | None = None,
        *,
        reuse: Any = None,
        problem: tuple[Any, ...] | None = None,
    ):
        self.scenario, self.zc = scenario, zc
        self.reuse, self.problem = reuse, problem
        if solutions is not None:
            self.__dict__["solutions"] = dict(solutions)

    def reused(self, name: str, reads: tuple[str, ...], compute: Callable[[], T]) -> T:
        """``compute()``, or its result in an earlier solve of the run with equal inputs.

        ``compute`` must read only the bargaining problem and the scenario sections ``reads``
        (dotted paths such as ``"war.private"``; see :mod:`dealsim.analysis.reuse`).
        """
        if self.reuse is None:
            return compute()
        key = self.reuse.part_key(name, self.scenario, self.problem, reads)
        return self.reuse.get(key, compute)

    @cached_property
    def deals(self) -> Deals:
        """:func:`feasible_deals` of the zone walk."""
        return feasible_deals(self.zc)

    @cached_property
    def solutions(self) -> dict[str, Any]:
        """:func:`unconstrained_solutions` of the zone walk."""
        return unconstrained_solutions(self.zc, self.scenario)


def fmt(value: Any) -> str:
    return format_number(value)


EXAMPLE_TOML = """
[scenario]
name = "split with war"
[parties.a]
reservation = "war"
discount = 0.9
[parties.b]
reservation = "war"
discount = 0.8
[issues.share]
range = [0, 1]
steps = 201
[payoffs.a]
weights = { share = 1 }
share = { points = [[0, 0], [1, 1]] }
[payoffs.b]
weights = { share = 1 }
share = { points = [[0, 1], [1, 0]] }
[war]
p = { a = 0.6, b = 0.4 }
costs = { a = 0.15, b = 0.10 }
[war.shift]
party = "b"
amount = "0.5 * (share <= 0.5)"
caps = [{ when = "share >= 0.45", max = 0.1, label = "monitors" }]
[ratification.b]
require = "share <= 0.5"
"""
"""A small two-party split with war, a commitment problem and ratification (for the examples)."""
