"""Compiling ``[war]``, ``[ratification.<party>]`` and ``[alternating_offers]``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.scenario.model import Scenario, _Compiler
    from dealsim.scenario.schema import ScenarioFile

__all__ = ["compile_dynamics"]


def compile_dynamics(spec: ScenarioFile, compiler: _Compiler, scenario: Scenario) -> dict[str, Any]:
    """The ``war``, ``ratification`` and ``alternating_offers`` fields of the scenario."""
    if spec.war or spec.ratification or spec.alternating_offers:
        raise compiler.error("these sections are being wired in (issue 4)", "war")
    return {"war": None, "ratification": {}, "alternating_offers": None}
