"""Every JSON document dealsim writes validates against the schema `dealsim schema NAME` prints."""

import json
import subprocess
import sys

import pytest

import dealsim
from dealsim.analysis.negotiation import negotiate
from dealsim.cli import main
from dealsim.output_schemas import DOCUMENTS, output_schema
from dealsim.scenario import bundled_scenarios

jsonschema = pytest.importorskip("jsonschema")


def _validate(document, name):
    schema = output_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)


@pytest.mark.parametrize("scenario", sorted(bundled_scenarios()))
def test_every_bundled_scenarios_solve_document_validates(scenario):
    document = json.loads(json.dumps(dealsim.solve(dealsim.load(scenario)).to_dict()))
    _validate(document, "solve")


def test_the_solve_schema_rejects_a_document_missing_a_core_key():
    document = json.loads(json.dumps(dealsim.solve(dealsim.load("split-linear")).to_dict()))
    del document["agreement_zone"]["size"]
    with pytest.raises(jsonschema.ValidationError, match="'size' is a required property"):
        _validate(document, "solve")
    document = json.loads(json.dumps(dealsim.solve(dealsim.load("split-linear")).to_dict()))
    document["solutions"]["nash"]["utility"] = 1.0  # a misspelt key inside the strict core
    with pytest.raises(jsonschema.ValidationError, match="utility"):
        _validate(document, "solve")


def test_the_sweep_document_validates():
    from dealsim.uncertainty.sweep import sweep

    result = sweep(dealsim.load("donbas-2026"), {"fortress_risk": [0.05, 0.25]}, workers=1)
    _validate(json.loads(json.dumps(list(result.records))), "sweep")


def test_the_montecarlo_document_validates():
    from dealsim.uncertainty.montecarlo import monte_carlo

    result = monte_carlo(dealsim.load("donbas-2026"), samples=16, seed=2, workers=1)
    _validate(json.loads(json.dumps(result.to_dict())), "montecarlo")


def test_the_negotiate_document_validates():
    document = negotiate(dealsim.load("logroll"), "boulware,conceder", rounds=20, seed=1)
    _validate(json.loads(json.dumps(document)), "negotiate")


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_every_schema_is_a_valid_draft_2020_12_schema_printed_by_the_cli(name, capsys):
    assert main(["schema", name]) == 0
    printed = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(printed)
    assert printed == output_schema(name)


def test_schema_without_a_document_stays_the_scenario_schema():
    out = subprocess.run(
        [sys.executable, "-m", "dealsim.cli", "schema"], capture_output=True, text=True, check=True
    ).stdout
    assert "parties" in json.loads(out)["properties"]
