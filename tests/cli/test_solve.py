"""The command line: reports, JSON, validation, listing, schema and safe output files."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dealsim
from dealsim.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_solve_prints_a_readable_report(capsys):
    code, out, _ = run(capsys, "solve", "donbas-2026")
    assert code == 0
    assert "Zone of possible agreement" in out
    assert "Bargaining solutions" in out
    assert "Kalai-Smorodinsky" in out


def test_solve_json_is_the_documented_document(capsys):
    code, out, _ = run(capsys, "solve", "split-linear", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["dealsim_version"] == dealsim.__version__
    assert document["solutions"]["nash"]["deal"]["share"] == pytest.approx(0.575)


def test_set_overrides_a_parameter(capsys):
    args = ["solve", "donbas-2026", "--format", "json", "--set", "audience_cost_max=0.2"]
    _, out, _ = run(capsys, *args)
    assert json.loads(out)["parameters"]["audience_cost_max"] == 0.2


def test_set_rejects_an_unknown_parameter(capsys):
    code, _, err = run(capsys, "solve", "donbas-2026", "--set", "credibilty=0.9")
    assert code == 2
    known = "(known: audience_cost_max, belt_shift, fortress_risk"
    assert f"unknown parameter 'credibilty' {known}" in err


def test_set_rejects_a_malformed_assignment(capsys):
    code, _, err = run(capsys, "solve", "donbas-2026", "--set", "audience_cost_max")
    assert code == 2
    assert "expected NAME=NUMBER" in err


def test_list_names_the_bundled_scenarios(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "donbas-2026" in out and "logroll" in out


def test_schema_is_json_schema(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    assert json.loads(out)["title"] == "dealsim scenario"


def test_output_file_is_never_overwritten_without_force(capsys, tmp_path):
    target = tmp_path / "result.json"
    target.write_text("precious")
    code, _, err = run(capsys, "solve", "logroll", "--format", "json", "-o", str(target))
    assert code == 2
    assert "already exists; pass --force" in err
    assert target.read_text() == "precious"
    code, _, _ = run(capsys, "solve", "logroll", "--format", "json", "-o", str(target), "--force")
    assert code == 0
    assert json.loads(target.read_text())["parties"] == ["a", "b"]


def test_a_missing_scenario_is_a_clear_error(capsys):
    code, _, err = run(capsys, "solve", "no-such-scenario")
    assert code == 2
    assert "no such file or bundled scenario" in err


def test_the_console_script_runs_end_to_end():
    executable = shutil.which("dealsim") or None
    command = [executable] if executable else [sys.executable, "-m", "dealsim.cli"]
    process = subprocess.run(
        [*command, "solve", "donbas-2026", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["deal_space"]["size"] == 7200


def test_a_parameter_outside_a_models_domain_names_the_analysis_and_field(capsys):
    # belt_shift = -1 makes the Article-5 cap belt_shift * (1 - P(honour)) = -0.5 negative: a
    # clear error, no traceback.
    code, _, err = run(capsys, "solve", "donbas-2026", "--set", "belt_shift=-1")
    assert code == 2
    assert "the war analysis failed at" in err and "belt_shift=-1" in err
    assert "war.shift.caps[2].max" in err and "allowed: >= 0" in err
    # the parameter set away from the file comes first, with the file's value
    assert err.split(".toml: ", 1)[1].startswith("belt_shift=-1 (the file has 0.45) is outside")


def test_a_probability_set_above_one_names_the_parameter_first(capsys):
    code, _, err = run(capsys, "solve", "donbas-2026", "--set", "russia_win=1.5")
    assert code == 2 and "Traceback" not in err
    assert err.split(".toml: ", 1)[1].startswith("russia_win=1.5 (the file has 0.35)")
    assert "must be a probability in [0, 1]" in err


def test_a_party_whose_scale_is_within_the_tolerance_is_one_line_and_exit_2(capsys):
    # up's weights and reservation are 1e-8 of the others' (tests/data/water_scaled_up.toml)
    scaled = str(Path(__file__).parents[1] / "data" / "water_scaled_up.toml")
    code, out, err = run(capsys, "solve", scaled)
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"dealsim: error: {scaled}: party 'up': its utilities (scale 1.1e-08)")
    assert "rescale its [payoffs.up] weights and [parties.up] reservation" in err
    # rescaled (s = 1: the water scenario) it solves, to the water scenario's Nash deal
    code, out, err = run(capsys, "solve", scaled, "--set", "s=1", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["solutions"]["nash"]["deal"] == {
        "x": 0.5,
        "y": 0.5,
        "commission": "joint",
    }
