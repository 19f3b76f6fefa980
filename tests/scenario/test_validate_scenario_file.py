"""``validate_scenario_file`` builds only the present sections' validators and agrees with the
whole :class:`ScenarioFile`: same result, same error message, on every bundled file and on
mutated copies of them (a section dropped, a value replaced, an unknown key added)."""

import copy
import tomllib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dealsim.scenario import bundled_scenarios
from dealsim.scenario.schema import ScenarioFile, validate_scenario_file, validation_error

DOCUMENTS = {
    name: tomllib.loads(path.read_text(encoding="utf-8"))
    for name, path in bundled_scenarios().items()
}

WRONG_VALUES = ["text", "", -1, 0, 2.5, 10**30, True, [], [1, "a"], {}, {"kind": "nope"}]


def _outcome(document: Any) -> tuple[str, Any]:
    """What a user sees: the validated file, or the one-line error message."""
    try:
        whole = ScenarioFile.model_validate(document)
    except ValidationError as error:
        whole = ("error", str(validation_error(error, "f.toml")))
    try:
        lazy = validate_scenario_file(document)
    except ValidationError as error:
        lazy = ("error", str(validation_error(error, "f.toml")))
    return whole, lazy


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into nested tables and lists of ``node``."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found.append((*prefix, key))
        if isinstance(value, (dict, list)):
            found.extend(_paths(value, (*prefix, key)))
    return found


def _container(document: Any, path: tuple) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_bundled_files_validate_to_the_same_scenario_file(name):
    document = DOCUMENTS[name]
    whole, lazy = _outcome(document)
    assert type(lazy) is ScenarioFile
    assert lazy == whole
    assert lazy.model_fields_set == whole.model_fields_set
    assert repr(lazy) == repr(whole)


def test_absent_sections_take_the_whole_models_defaults():
    document = copy.deepcopy(DOCUMENTS["split-linear"])
    lazy = validate_scenario_file(document)
    for name, field in ScenarioFile.model_fields.items():
        if name not in document:
            assert getattr(lazy, name) == field.get_default(call_default_factory=True), name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_files_give_the_same_result_or_the_same_error(data):
    document = copy.deepcopy(DOCUMENTS[data.draw(st.sampled_from(sorted(DOCUMENTS)))])
    path = data.draw(st.sampled_from(_paths(document)))
    container = _container(document, path)
    action = data.draw(st.sampled_from(["replace", "drop", "unknown key"]))
    if action == "replace":
        container[path[-1]] = data.draw(st.sampled_from(WRONG_VALUES))
    elif action == "drop" and isinstance(container, dict):
        del container[path[-1]]
    elif isinstance(container, dict):
        container["no_such_key"] = 1
    whole, lazy = _outcome(document)
    assert lazy == whole
