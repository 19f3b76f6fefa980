"""Reusing a solve's stages between the solves of one run, keyed on everything each stage reads.

A sweep solves one scenario at many parameter values, and most parameters enter only some
stages: in ``donbas-2026``, ``belt_shift`` appears only in ``[war.shift]``, so the eight points
of a grid row that differ only in it share the agreement zone, the five bargaining solutions,
their continuous refinement and every analysis but war and proposals. A :class:`StageReuse`,
passed to :func:`dealsim.solve` as ``reuse=``, keeps the results of those stages and hands them
to a later solve of the same scenario object when the stage's key is equal:

* the **bargaining problem** (:func:`~dealsim.zone.compute_zone`, the five grid solutions and
  their refinement over the range issues): the options (``chunk``, ``tol``, ``refine``), the
  bytes of the reservation and power vectors, and the values of every parameter named by an
  expression of ``[payoffs]`` or ``[[constraints]]`` (value tables, weights, terms, conditions);
* each **analysis**: the bargaining problem's key and the values of every parameter named by an
  expression of the scenario sections the analysis reads (:data:`ANALYSIS_READS`; an analysis
  not listed there is keyed on every parameter, and so are the games when a game's threshold
  search moves a bargaining solution's deal: it solves the problem at other parameter values,
  as :mod:`dealsim.analysis.games` keys that search);
* a **part of an analysis** that reads fewer sections than the whole, declared where it is
  computed (:meth:`~dealsim.analysis._deals.SolveIntermediates.reused`: the war's private
  information reads ``[war.private]`` and the war lottery, not ``[war.shift]``).

Which parameters an expression names is read from the compiled scenario
(:func:`expression_names`), never guessed from the values; values are compared bit for bit.
The scenario object itself must be the same for every solve (it is immutable: only its
``parameters`` differ from point to point). A reused zone walk is bound to the new point's
scenario and utility model (:func:`bind_zone`), so every later reader sees that point's
parameters. A :class:`StageReuse` lives as long as the run that made it
(:func:`dealsim.uncertainty.sweep.sweep` makes one per call). Pickled into a worker process
with a run's tasks, it becomes that process's one :class:`StageReuse` of the run, empty at the
run's first task there and shared by its later ones; a process keeps the stages of one run only
(the next run's first task drops them). The results handed out are shared between the solves
that reuse them: read them, do not change them (``to_dict()`` gives a fresh copy). The answers
are the same with or without it.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import threading
import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from dealsim.errors import DealsimError
from dealsim.expressions import Expression
from dealsim.scenario.model import Scenario
from dealsim.space import DealSpace
from dealsim.zone import ZoneComputation

__all__ = ["ANALYSIS_READS", "PROBLEM_READS", "StageReuse", "bind_zone", "expression_names"]

PROBLEM_READS = ("payoffs", "constraints")
"""The scenario sections whose parameters the bargaining problem reads (with the reservation and
power vectors, compared by value)."""

ANALYSIS_READS: dict[str, tuple[str, ...]] = {
    "war": ("war",),
    "alternating_offers": ("alternating_offers", "parties"),
    "ratification": ("ratification", "bodies"),
    "games": ("games", "outcomes"),
    "proposals": ("proposals", "war", "ratification", "bodies"),
    "actual": ("actual", "war", "ratification", "bodies"),  # the proposals' deal records
}
"""Per analysis of :data:`dealsim.pipeline.ANALYSES`, the scenario sections (fields of
:class:`~dealsim.scenario.model.Scenario`) it reads besides the bargaining problem."""

DEFAULT_SIZE = 256
"""Stage results a :class:`StageReuse` keeps (the least recently used is dropped first)."""


def expression_names(obj: Any, seen: set[int] | None = None) -> set[str]:
    """Every name read by an expression inside ``obj`` (dataclasses, mappings, sequences).

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> sorted(expression_names(s.war.shift) & set(s.parameters))
    ['audience_cost_max', 'belt_shift', 'us_abandon_loss', 'us_defence_cost']
    """
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, str | bytes | int | float | bool | np.ndarray):
        return set()
    seen.add(id(obj))
    if isinstance(obj, Expression):
        return set(obj.names)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        items: Any = (getattr(obj, f.name) for f in dataclasses.fields(obj))
    elif isinstance(obj, Mapping):
        items = obj.values()
    elif isinstance(obj, list | tuple | set | frozenset):
        items = obj
    else:
        return set()
    return set().union(*(expression_names(item, seen) for item in items))


def bind_zone(zc: ZoneComputation, scenario: Scenario) -> ZoneComputation:
    """``zc`` as :func:`~dealsim.zone.compute_zone` gives it at ``scenario``'s parameter values.

    Only for a zone walk whose bargaining-problem key equals the one of ``scenario`` (its arrays
    are then those of a new walk): the copy's deal space and utility model are ``scenario``'s,
    so that the analyses read this point's parameters. ``zc`` itself when it is already bound.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.zone import compute_zone
    >>> s = dealsim.load("donbas-2026")
    >>> zc = compute_zone(s)
    >>> bound = bind_zone(zc, s.with_parameters(belt_shift=0.3))
    >>> bound.model.parameters["belt_shift"], bound.zone_size == zc.zone_size
    (0.3, True)
    """
    if zc.space.scenario is scenario:
        return zc
    bound = copy.copy(zc)
    bound.space = DealSpace(scenario)
    bound.model = dataclasses.replace(
        zc.model, space=bound.space, parameters=dict(scenario.parameters)
    )
    return bound


class StageReuse:
    """The stage results of the solves of one scenario in one run, by content key.

    Parameters
    ----------
    scenario : Scenario
        The scenario every solve gets (the same object; the points' parameter values are passed
        to :func:`dealsim.solve` as ``parameters=``).
    size : int
        Stage results kept (least recently used dropped first).

    Attributes
    ----------
    computed, reused : collections.Counter
        Per stage (``"bargaining"`` or the analysis's key), how often it was computed and how
        often an earlier result was handed out.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> reuse = StageReuse(s)
    >>> a = dealsim.solve(s, parameters={"belt_shift": 0.3}, reuse=reuse)
    >>> b = dealsim.solve(s, parameters={"belt_shift": 0.5}, reuse=reuse)
    >>> reuse.computed["bargaining"], reuse.reused["bargaining"], reuse.computed["war"]
    (1, 1, 2)
    >>> b.to_dict() == dealsim.solve(s, parameters={"belt_shift": 0.5}).to_dict()
    True
    """

    def __init__(self, scenario: Scenario, *, size: int = DEFAULT_SIZE, run: str | None = None):
        self.scenario, self.size = scenario, size
        self.run = uuid.uuid4().hex if run is None else run
        self.computed: Counter[str] = Counter()
        self.reused: Counter[str] = Counter()
        self._results: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._lock = threading.Lock()  # tasks of one run may share a process's threads

    def __reduce__(self) -> tuple[Any, ...]:
        return (_for_run, (self.run, self.scenario, self.size))  # results stay in their process

    def check(self, scenario: Scenario) -> None:
        """Refuse a solve of another scenario object (its body might differ)."""
        if scenario is not self.scenario:
            raise DealsimError(
                "reuse= belongs to the solves of one scenario object; "
                f"it was made for {self.scenario.name!r}, not this {scenario.name!r} object"
            )

    def problem_key(self, scenario: Scenario, **options: Any) -> tuple[Any, ...]:
        """The bargaining problem's key at ``scenario``'s parameter values (see the module)."""
        return (
            "bargaining",
            tuple(sorted(options.items())),
            np.asarray(scenario.reservations(), dtype=float).tobytes(),
            np.asarray(scenario.powers(), dtype=float).tobytes(),
            self._values(scenario, PROBLEM_READS),
        )

    def analysis_key(self, name: str, scenario: Scenario, problem: tuple[Any, ...]) -> tuple:
        """Analysis ``name``'s key at ``scenario``'s parameter values, given the problem key."""
        reads = ANALYSIS_READS.get(name)
        if name == "games" and _searches_over_solutions(scenario):
            reads = None
        return self.part_key(name, scenario, problem, reads)

    def part_key(
        self,
        name: str,
        scenario: Scenario,
        problem: tuple[Any, ...],
        reads: tuple[str, ...] | None,
    ) -> tuple:
        """The key of a stage that reads the bargaining problem (key ``problem``) and the
        sections ``reads`` (dotted paths into the scenario, such as ``"war.private"``; ``None``:
        every parameter)."""
        values = (
            tuple(_bits(scenario.parameters, sorted(scenario.parameters)))
            if reads is None
            else self._values(scenario, reads)
        )
        return (name, problem, values)

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """The result stored under ``key``, else ``compute()`` (stored unless it raises)."""
        stage = key[0]
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                self.reused[stage] += 1
                return self._results[key]
        value = compute()
        with self._lock:
            self.computed[stage] += 1
            self._results[key] = value
            while len(self._results) > self.size:
                self._results.popitem(last=False)
        return value

    def _values(self, scenario: Scenario, fields: tuple[str, ...]) -> tuple[Any, ...]:
        names = self._names.get(fields)
        if names is None:
            parts = [functools.reduce(getattr, f.split("."), self.scenario) for f in fields]
            found = expression_names(parts)
            names = self._names[fields] = tuple(sorted(found & set(self.scenario.parameters)))
        return tuple(_bits(scenario.parameters, names))


def _bits(parameters: Mapping[str, Any], names: Iterable[str]) -> Iterable[tuple[str, ...]]:
    """Each parameter's type and value as bytes: 0.1 and 0.1 + 1e-17 differ, so do 1 and 1.0."""
    for n in names:
        value = np.asarray(parameters[n])
        yield (n, value.dtype.str, value.tobytes())


def _searches_over_solutions(scenario: Scenario) -> bool:
    """Whether a game with thresholds has an outcome that is a bargaining solution's deal."""
    return any(
        getattr(scenario.outcomes.get(o), "solution", None) is not None
        for game in scenario.games.values()
        if getattr(game, "thresholds", ())
        for o in game.outcome_ids
    )


_RUNS: dict[str, StageReuse] = {}
"""In a process that received a run's tasks: that run's :class:`StageReuse` (one run at a time)."""
_RUNS_LOCK = threading.Lock()


def _for_run(run: str, scenario: Scenario, size: int) -> StageReuse:
    """This process's :class:`StageReuse` of ``run``, made empty by the run's first task here."""
    with _RUNS_LOCK:
        reuse = _RUNS.get(run)
        if reuse is None:
            _RUNS.clear()  # an earlier run's stages are never handed to this one
            reuse = _RUNS[run] = StageReuse(scenario, size=size, run=run)
        return reuse
