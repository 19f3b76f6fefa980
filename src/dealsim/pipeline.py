"""``dealsim.solve``: run every analysis a scenario declares and gather the results.

This is the thin shell between the validated scenario and the pure solvers: it walks the deal space
once with :func:`dealsim.zone.compute_zone` (utilities, feasibility, acceptance, running counts and
Pareto candidates), then hands the zone's Pareto frontier to the bargaining solvers. Optional
analyses (games, war, alternating offers, ratification) register in :data:`ANALYSES` by
``"module:function"``; every target lives in :mod:`dealsim.analysis`, the layer below this one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim.errors import DealsimError
from dealsim.results import (
    SOLUTION_NAMES,
    FrontierSummary,
    SolutionSummary,
    SolveResult,
    ZoneSummary,
)
from dealsim.scenario.model import Scenario
from dealsim.solvers.bargaining import all_bargaining_solutions
from dealsim.space import DEFAULT_CHUNK, DEFAULT_MAX_DEALS, DealSpace, check_space_size
from dealsim.zone import ZoneComputation, compute_zone

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.analysis.reuse import StageReuse

__all__ = [
    "ANALYSES",
    "SOLUTION_NAMES",
    "load_function",
    "solve",
]


def _has_alternating_offers(scenario: Scenario) -> bool:
    if scenario.alternating_offers is not None:
        return True
    return len(scenario.parties) >= 2 and bool(np.any(scenario.discounts() < 1))


ANALYSES: dict[str, tuple[Callable[[Scenario], bool], str]] = {
    "war": (lambda s: s.war is not None, "dealsim.analysis.war:war_analysis"),
    "alternating_offers": (
        _has_alternating_offers,
        "dealsim.analysis.alternating_offers:alternating_offers_analysis",
    ),
    "ratification": (
        lambda s: bool(s.ratification),
        "dealsim.analysis.ratification:ratification_analysis",
    ),
    "games": (lambda s: bool(s.games), "dealsim.analysis.games:games_analysis"),
    "proposals": (lambda s: bool(s.proposals), "dealsim.analysis.proposals:proposals_analysis"),
    "actual": (lambda s: s.actual is not None, "dealsim.analysis.retrodiction:actual_analysis"),
}
"""Optional analyses by JSON key: (does the scenario declare it?, "module:function"). The function
takes ``(scenario, zone_computation)`` and returns a result with ``to_dict()``. Modules are
imported only when a scenario needs them, which keeps ``dealsim solve`` fast."""

_SHARED = frozenset({"war", "ratification", "games", "actual"})
"""The analyses that also take ``shared=``: the :class:`~dealsim.analysis._deals.SolveIntermediates`
of the call (feasible deals, bargaining solutions), so that each is computed once per solve."""


def load_function(target: str) -> Callable[..., Any]:
    """Import ``"package.module:function"`` lazily.

    Examples
    --------
    >>> load_function("dealsim.pipeline:solve").__name__
    'solve'
    """
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def solve(
    scenario: Scenario,
    *,
    parameters: Mapping[str, float] | None = None,
    chunk: int = DEFAULT_CHUNK,
    tol: float = 1e-9,
    analyses: bool = True,
    max_deals: int | None = DEFAULT_MAX_DEALS,
    max_frontier: int | None = None,
    refine: bool = True,
    reuse: StageReuse | None = None,
) -> SolveResult:
    """Solve a scenario: agreement zone, Pareto frontiers, bargaining solutions and analyses.

    Parameters
    ----------
    scenario : Scenario
        From :func:`dealsim.load`.
    parameters : mapping, optional
        Parameter values to use instead of the scenario's (``{"audience_cost_max": 0.2}``).
    chunk : int
        Deals per chunk when walking the deal space.
    tol : float
        Acceptance tolerance: a deal worth ``reservation - tol`` or more is accepted.
    analyses : bool
        Also run the optional analyses the scenario declares (games, war, ...).
    refine : bool
        Refine each solution over the range issues off the grid
        (:mod:`dealsim.analysis.refinement`): ``solutions[name].continuous``. ``False`` keeps
        every solution on the grid (``continuous`` is ``None``).
    max_deals : int or None
        Refuse a deal space of more deals than this, before any work (``None``: no limit; see
        docs/limits.md).
    max_frontier : int or None
        List at most this many deals of each Pareto frontier in the result (evenly spaced along
        it); the frontier's ``size`` stays the true size and ``truncated`` says deals were left
        out. ``None`` lists them all. The bargaining solutions always use the whole frontier.
    reuse : StageReuse, optional
        Stage results of earlier solves of this same ``scenario`` object in one run
        (:class:`dealsim.analysis.reuse.StageReuse`; a sweep makes one per call): the bargaining
        problem and each analysis are taken from it when everything the stage reads is equal.
        The result is the same without it.

    Examples
    --------
    >>> import dealsim
    >>> result = solve(dealsim.load("logroll"))
    >>> result.solutions["nash"].deal, result.solutions["nash"].utilities
    ({'x': 1.0, 'y': 0.0}, {'a': 0.8, 'b': 0.8})
    """
    file_values = dict(scenario.parameters)
    if reuse is not None:
        reuse.check(scenario)
    if parameters is not None:
        scenario = scenario.with_parameters(**parameters)
    check_space_size(DealSpace(scenario), max_deals)
    if max_frontier is not None and (isinstance(max_frontier, bool) or max_frontier < 1):
        raise DealsimError(f"max_frontier must be a positive integer, not {max_frontier!r}")
    problem = None  # the bargaining problem's key in ``reuse``
    if reuse is None:
        zc, found, refined = _bargaining(scenario, chunk, tol, refine)
    else:
        from dealsim.analysis.reuse import bind_zone

        problem = reuse.problem_key(scenario, chunk=chunk, tol=tol, refine=refine)
        zc, found, refined = reuse.get(problem, lambda: _bargaining(scenario, chunk, tol, refine))
        zc = bind_zone(zc, scenario)
    ids = scenario.party_ids
    space = zc.space
    powers = scenario.powers()
    solutions: dict[str, SolutionSummary | None] = dict.fromkeys(SOLUTION_NAMES)
    for name in SOLUTION_NAMES if found else ():
        s = found[name]
        index = int(zc.zone_frontier[s.index])
        solutions[name] = SolutionSummary(
            method=name,
            index=index,
            deal=space.deal(index),
            utilities=_by_party(ids, zc.zone_frontier_utilities[s.index]),
            refinement=s.refinement,
            parameters={"weights": _by_party(ids, powers)} if name == "weighted_nash" else {},
            continuous=refined.get(name),
        )
    extra = {}
    if analyses:
        shared = None  # this call's intermediates, made when an analysis first needs them
        for key, (declared, target) in ANALYSES.items():
            if declared(scenario):
                kwargs = {}
                if key in _SHARED:
                    if shared is None:
                        from dealsim.analysis._deals import SolveIntermediates

                        shared = SolveIntermediates(
                            scenario, zc, found, reuse=reuse, problem=problem
                        )
                    kwargs["shared"] = shared
                run = functools.partial(load_function(target), scenario, zc, **kwargs)
                try:
                    if reuse is None:
                        value = run()
                    else:
                        value = reuse.get(reuse.analysis_key(key, scenario, problem), run)
                except DealsimError as error:
                    # Name the analysis and the parameters: a value set with --set or drawn in a
                    # sweep can take a model outside its domain (a probability above 1, ...).
                    raise DealsimError(
                        f"{scenario.file or scenario.name}: "
                        f"{_changed_text(scenario.parameters, file_values)}the {key} analysis "
                        f"failed at {_parameter_text(scenario.parameters)}: {error}"
                    ) from None
                if value is not None:
                    extra[key] = value
    return SolveResult(
        scenario_name=scenario.name,
        scenario_sha256=scenario.sha256,
        scenario_file=scenario.file,
        parties=ids,
        party_labels={p.id: p.label for p in scenario.parties},
        parameters=dict(scenario.parameters),
        reservations=_by_party(ids, zc.reservations),
        powers=_by_party(ids, powers),
        deal_space=_deal_space(scenario, space),
        agreement_zone=_zone_summary(scenario, zc),
        pareto_frontier=_frontier(
            space, ids, zc.zone_frontier, zc.zone_frontier_utilities, max_frontier
        ),
        feasible_frontier=_frontier(
            space, ids, zc.feasible_frontier, zc.feasible_frontier_utilities, max_frontier
        ),
        solutions=solutions,
        analyses=extra,
    )


def _bargaining(
    scenario: Scenario, chunk: int, tol: float, refine: bool
) -> tuple[ZoneComputation, dict[str, Any], dict[str, Any]]:
    """The zone walk, the five solutions on its frontier and their continuous refinement."""
    zc = compute_zone(scenario, chunk=chunk, tol=tol)
    if zc.empty:
        return zc, {}, {}
    powers = scenario.powers()
    # judged on the zone's scale, as the zone is: every zone deal is individually rational, and
    # a gap the zone counts as a tie is one here too (the analyses solve on the same scale)
    found = all_bargaining_solutions(
        zc.zone_frontier_utilities, zc.reservations, weights=powers, tol=tol, scale=zc.scale
    )
    refined: dict[str, Any] = {}
    if refine and any(issue.numeric for issue in scenario.issues):  # else nothing to refine
        from dealsim.analysis.refinement import refine_solutions

        rows = {name: found[name].index for name in SOLUTION_NAMES}
        refined = refine_solutions(scenario, zc, rows, weights=powers, tol=tol)
    return zc, found, refined


def _changed_text(parameters: Mapping[str, float], file_values: Mapping[str, float]) -> str:
    """The parameters set away from the file's values, named first in an analysis error.

    Examples
    --------
    >>> _changed_text({"p": 1.5, "q": 0.2}, {"p": 0.35, "q": 0.2})
    "p=1.5 (the file has 0.35) is outside the model's domain: "
    >>> _changed_text({"p": 0.35}, {"p": 0.35})
    ''
    """
    changed = [
        f"{k}={v:g} (the file has {file_values[k]:g})"
        for k, v in parameters.items()
        if k in file_values and v != file_values[k]
    ]
    if not changed:
        return ""
    verb = "is" if len(changed) == 1 else "are"
    return f"{', '.join(changed)} {verb} outside the model's domain: "


def _parameter_text(parameters: Mapping[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in parameters.items()) or "the file's values"


def _by_party(ids: tuple[str, ...], values: np.ndarray) -> dict[str, float]:
    return {p: float(v) for p, v in zip(ids, np.asarray(values), strict=True)}


def _deal_space(scenario: Scenario, space: DealSpace) -> dict[str, Any]:
    issues = {}
    for issue in scenario.issues:
        entry: dict[str, Any] = {"label": issue.label, "kind": issue.kind, "size": issue.size}
        if issue.numeric:
            entry.update(range=[issue.values[0], issue.values[-1]], steps=issue.size)
            if issue.unit:
                entry["unit"] = issue.unit
        else:
            entry["levels"] = list(issue.values)
        issues[issue.id] = entry
    return {"size": space.size, "issues": issues}


def _zone_summary(scenario: Scenario, zc: ZoneComputation) -> ZoneSummary:
    ranges: dict[str, Any] = {}
    if not zc.empty:
        for issue, present in zip(scenario.issues, zc.present, strict=True):
            codes = np.flatnonzero(present)
            if issue.numeric:
                ranges[issue.id] = [issue.value_at(codes[0]), issue.value_at(codes[-1])]
            else:
                ranges[issue.id] = [issue.values[c] for c in codes]
    ids = scenario.party_ids
    return ZoneSummary(
        size=zc.zone_size,
        share=zc.zone_size / zc.space.size,
        empty=zc.empty,
        feasible=zc.feasible_size,
        issue_ranges=ranges,
        blocking={p: int(v) for p, v in zip(ids, zc.sole, strict=True)},
        rejecting={p: int(v) for p, v in zip(ids, zc.rejecting, strict=True)},
        constraint_violations={
            c.label: int(v) for c, v in zip(scenario.constraints, zc.violations, strict=True)
        },
    )


def _frontier(
    space: DealSpace,
    ids: tuple[str, ...],
    indices: np.ndarray,
    utilities: np.ndarray,
    max_frontier: int | None = None,
) -> FrontierSummary:
    size = int(indices.size)
    truncated = max_frontier is not None and size > max_frontier
    if truncated:  # evenly spaced along the frontier, both ends kept
        keep = np.linspace(0, size - 1, int(max_frontier)).round().astype(np.intp)
        keep = keep[np.diff(keep, prepend=-1) != 0]  # sorted: np.unique, without numpy.ma
        indices, utilities = indices[keep], utilities[keep]
    return FrontierSummary(
        size=size,
        indices=tuple(int(i) for i in indices),
        deals=tuple(space.deals(indices)),
        utilities=tuple(_by_party(ids, u) for u in utilities),
        truncated=truncated,
    )
