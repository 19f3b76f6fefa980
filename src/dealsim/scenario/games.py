"""Compiling ``[outcomes]`` and ``[games]``: named outcomes, normal-form and sequential games."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.scenario.model import Scenario, _Compiler
    from dealsim.scenario.schema import ScenarioFile

__all__ = ["compile_games"]


def compile_games(spec: ScenarioFile, compiler: _Compiler, scenario: Scenario) -> dict[str, Any]:
    """The ``outcomes`` and ``games`` fields of the scenario, checked against its parties/issues."""
    if spec.outcomes or spec.games:
        raise compiler.error("games are being wired in (issue 3)", "games")
    return {"outcomes": {}, "games": {}}
