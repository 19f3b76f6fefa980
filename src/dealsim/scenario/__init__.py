"""Scenario files: the schema, loading, and the validated :class:`Scenario` objects."""

from dealsim.scenario.loader import bundled_scenarios, load, loads, scenario_path
from dealsim.scenario.model import (
    Constraint,
    Issue,
    Party,
    PartyPayoff,
    Scenario,
    Term,
    ValueFunction,
)
from dealsim.scenario.schema import ScenarioFile, scenario_json_schema

__all__ = [
    "Constraint",
    "Issue",
    "Party",
    "PartyPayoff",
    "Scenario",
    "ScenarioFile",
    "Term",
    "ValueFunction",
    "bundled_scenarios",
    "load",
    "loads",
    "scenario_json_schema",
    "scenario_path",
]
