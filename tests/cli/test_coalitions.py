"""``dealsim coalitions``: the text report, the JSON document and one-line errors."""

import json

import pytest

import dealsim
from dealsim.analysis.coalitions import EXAMPLE_TOML
from dealsim.cli import main


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def three(tmp_path):
    path = tmp_path / "three.toml"
    path.write_text(EXAMPLE_TOML, encoding="utf-8")
    return path


def test_json_document_of_the_hand_worked_scenario(capsys, three):
    code, out, err = run(capsys, "coalitions", three, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert {"coalitions", "shapley", "core", "nucleolus", "bodies"} <= set(doc)
    by_members = {tuple(c["members"]): (c["zone_size"], c["worth"]) for c in doc["coalitions"]}
    assert by_members == {
        ("p",): (3, 0.0), ("q",): (3, 0.0), ("r",): (3, 0.0),
        ("p", "q"): (2, 5.0), ("p", "r"): (2, 4.0), ("q", "r"): (2, 4.0),
        ("p", "q", "r"): (1, 3.0),
    }  # fmt: skip
    assert doc["shapley"] == pytest.approx({"p": 7 / 6, "q": 7 / 6, "r": 2 / 3})
    assert doc["core"]["empty"] is True and doc["core"]["point"] is None
    assert doc["nucleolus"] == pytest.approx({"p": 4 / 3, "q": 4 / 3, "r": 1 / 3})
    council = doc["bodies"]["council"]
    assert council["members"]["p"]["shapley_shubik"] == pytest.approx(2 / 3)
    assert council["votes"]["solutions"]["nash"]["pivotal"] == ["p"]
    assert doc["dealsim_version"] == dealsim.__version__
    assert doc["scenario"]["sha256"] == dealsim.load(three).sha256
    assert any("transferable utility" in a for a in doc["assumptions"])


def test_text_report_states_the_assumption_and_the_solutions(capsys, three):
    code, out, _ = run(capsys, "coalitions", three)
    assert code == 0
    assert "transferable utility" in out
    assert "the core is empty" in out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert lines["nucleolus"] == ["1.333", "1.333", "0.3333"]
    assert "solution nash (package=C): approves; yes: p, q, r; pivotal: p" in out


def test_donbas_bodies_in_the_json(capsys):
    code, out, _ = run(capsys, "coalitions", "donbas-2026", "--format", "json")
    assert code == 0
    bodies = json.loads(out)["bodies"]
    assert {"unsc", "rada", "rada_constitutional"} <= set(bodies)
    unsc = bodies["unsc"]["members"]
    assert unsc["russia"]["shapley_shubik"] == pytest.approx(0.196270, abs=1e-6)
    assert unsc["panama"]["shapley_shubik"] == pytest.approx(0.001865, abs=1e-6)
    assert all(b["source"] for b in bodies.values())


def test_set_changes_a_parameter(capsys):
    _, base, _ = run(capsys, "coalitions", "donbas-2026", "--format", "json")
    _, high, _ = run(
        capsys, "coalitions", "donbas-2026", "--format", "json", "--set", "audience_cost_max=0.2"
    )
    assert json.loads(base)["coalitions"] != json.loads(high)["coalitions"]


def test_errors_are_one_line_naming_file_and_field(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(EXAMPLE_TOML.replace("quota = 3", "quota = 0"), encoding="utf-8")
    code, out, err = run(capsys, "coalitions", path)
    assert code == 2 and out == ""
    assert err.startswith(f"dealsim: error: {path}: bodies.council.quota: must be > 0")
    assert len(err.strip().splitlines()) == 1


def test_unknown_parameter_and_missing_file_are_errors(capsys, three):
    code, _, err = run(capsys, "coalitions", three, "--set", "nope=1")
    assert code == 2 and "unknown parameter 'nope'" in err
    code, _, err = run(capsys, "coalitions", "no-such-scenario")
    assert code == 2 and "no such file or bundled scenario" in err


def test_output_file_is_not_overwritten_without_force(capsys, three, tmp_path):
    target = tmp_path / "out.json"
    assert run(capsys, "coalitions", three, "--format", "json", "-o", target)[0] == 0
    assert json.loads(target.read_text())["nucleolus"]["r"] == pytest.approx(1 / 3)
    code, _, err = run(capsys, "coalitions", three, "-o", target)
    assert code == 2 and "already exists" in err
