"""Compiling ``[proposals.<id>]`` and ``[actual]``: named packages and the deal actually agreed.

A proposal is a package on the table (``terms`` gives every issue a value on its grid or one of
its levels); ``[actual]`` is what the parties actually signed, with its date and source, for
retrodiction. Both are checked here, at load time, with errors naming the file, the dotted field
and what is allowed. :func:`deal_codes` is the one place that turns ``{issue: value}`` into grid
codes; the command line uses it for ``dealsim evaluate --deal issue=value`` too, with the values
as typed strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dealsim._grid import grid_code
from dealsim.errors import ScenarioError
from dealsim.scenario.schema import level_key

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.scenario.compiler import Compiler
    from dealsim.scenario.model import Issue, Scenario
    from dealsim.scenario.schema import ScenarioFile

__all__ = ["Actual", "Proposal", "compile_proposals", "deal_codes"]


@dataclass(frozen=True)
class Proposal:
    """A named package: ``deal`` (issue -> value) and its grid ``codes`` in issue order."""

    id: str
    label: str
    source: str
    deal: dict[str, Any]
    codes: tuple[int, ...]


@dataclass(frozen=True)
class Actual:
    """The deal actually agreed: terms as a :class:`Proposal`-like record, date and source."""

    label: str
    date: str
    source: str
    deal: dict[str, Any]
    codes: tuple[int, ...]


def _allowed(issue: Issue) -> str:
    if issue.numeric:
        return ", ".join(f"{v:g}" for v in issue.values)
    return ", ".join(level_key(v) for v in issue.values)


def _issue_code(issue: Issue, value: Any) -> int | None:
    """The code of ``value`` on ``issue``, or None. Strings are read as typed on a command line."""
    if issue.numeric:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return grid_code(issue.values, float(value))
    for code, level in enumerate(issue.values):
        if type(level) is type(value) and level == value:
            return code
    if isinstance(value, str):  # typed on the command line: match the level's table key
        keys = [level_key(level) for level in issue.values]
        if value in keys:
            return keys.index(value)
    return None


def deal_codes(
    scenario: Scenario,
    terms: Mapping[str, Any],
    *,
    file: str | None = None,
    field: str = "terms",
) -> tuple[int, ...]:
    """Grid codes (issue order) of a package given as ``{issue: value}``; every issue required.

    Values may be typed (numbers, booleans, level names) or strings as typed on a command line
    (``"0.5"``, ``"true"``, ``"article5_mirror"``).

    Raises
    ------
    ScenarioError
        Naming ``file`` and ``field.<issue>``: an unknown issue (with the issues allowed), a
        missing issue, or a value off the grid / not a level (with the values allowed).

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("logroll")
    >>> deal_codes(s, {"x": 1.0, "y": "0.2"})
    (10, 2)
    >>> deal_codes(s, {"x": 1.0})
    Traceback (most recent call last):
    ...
    dealsim.errors.ScenarioError: terms: missing issue 'y' (every issue needs a value; issues: x, y)
    """
    ids = scenario.issue_ids
    for key in terms:
        if key not in ids:
            raise ScenarioError(
                f"unknown issue {key!r} (issues: {', '.join(ids)})",
                file=file,
                field=f"{field}.{key}",
            )
    missing = [i for i in ids if i not in terms]
    if missing:
        raise ScenarioError(
            f"missing issue {missing[0]!r} (every issue needs a value; issues: {', '.join(ids)})",
            file=file,
            field=field,
        )
    codes = []
    for issue in scenario.issues:
        code = _issue_code(issue, terms[issue.id])
        if code is None:
            what = "on the grid of" if issue.numeric else "a level of"
            raise ScenarioError(
                f"{terms[issue.id]!r} is not {what} issue {issue.id!r} "
                f"({'values' if issue.numeric else 'levels'}: {_allowed(issue)})",
                file=file,
                field=f"{field}.{issue.id}",
            )
        codes.append(code)
    return tuple(codes)


def _deal(scenario: Scenario, codes: tuple[int, ...]) -> dict[str, Any]:
    return {i.id: i.value_at(c) for i, c in zip(scenario.issues, codes, strict=True)}


def compile_proposals(spec: ScenarioFile, compiler: Compiler, scenario: Scenario) -> dict[str, Any]:
    """The ``proposals`` and ``actual`` fields of the scenario, checked against its issues.

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("camp-david-1978")
    >>> s.actual.date, s.actual.deal["sinai"]
    ('1978-09-17', 1.0)
    """
    proposals = {}
    for key, value in spec.proposals.items():
        field = f"proposals.{key}.terms"
        codes = deal_codes(scenario, value.terms, file=compiler.file, field=field)
        proposals[key] = Proposal(
            id=key,
            label=value.label or key,
            source=value.source,
            deal=_deal(scenario, codes),
            codes=codes,
        )
    actual = None
    if spec.actual is not None:
        a = spec.actual
        codes = deal_codes(scenario, a.terms, file=compiler.file, field="actual.terms")
        actual = Actual(
            label=a.label or "actual agreement",
            date=a.date,
            source=a.source,
            deal=_deal(scenario, codes),
            codes=codes,
        )
    return {"proposals": proposals, "actual": actual}
