"""``dealsim negotiate``: agents per party, CSV and JSON traces, safe output files."""

import csv
import io
import json

import pytest

import dealsim
from dealsim.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_trace_has_one_row_per_offer(capsys):
    code, out, _ = run(
        capsys, "negotiate", "split-linear", "--agents", "boulware,conceder", "--rounds", "20"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["round", "proposer", "accepted", "share", "u_a", "u_b"]
    assert [r["proposer"] for r in rows[:4]] == ["a", "b", "a", "b"]
    # The first offer is a's best deal: the whole surplus.
    assert float(rows[0]["share"]) == pytest.approx(1.0)
    assert float(rows[0]["u_a"]) + float(rows[0]["u_b"]) == pytest.approx(1.0)
    # Only the last offer can be accepted, and then it is the agreement.
    assert all(r["accepted"] == "false" for r in rows[:-1])
    assert rows[-1]["accepted"] == "true"


def test_json_trace_records_version_scenario_and_agreement(capsys):
    code, out, _ = run(
        capsys, "negotiate", "donbas-2026", "--agents", "boulware,conceder,tit-for-tat",
        "--rounds", "30", "--seed", "3", "--format", "json",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert doc["dealsim_version"] == dealsim.__version__
    assert doc["scenario"]["sha256"] == dealsim.load("donbas-2026").sha256
    assert doc["agents"] == {"us": "boulware", "ukraine": "conceder", "russia": "tit-for-tat"}
    assert doc["seed"] == 3 and doc["rounds"] == 30
    assert set(doc["offers"][0]["deal"]) == set(dealsim.load("donbas-2026").issue_ids)
    # Every offered deal is feasible: Russia's constraint requires NATO renunciation.
    assert all(o["deal"]["nato_renunciation"] is True for o in doc["offers"])
    if doc["agreement"]:
        assert doc["deal"] == doc["offers"][-1]["deal"]


def test_same_seed_same_trace(capsys):
    args = ["negotiate", "logroll", "--agents", "best_response,linear", "--rounds", "15"]
    _, first, _ = run(capsys, *args, "--seed", "7")
    _, second, _ = run(capsys, *args, "--seed", "7")
    assert first == second


@pytest.mark.parametrize(
    ("agents", "message"),
    [
        ("boulware", "1 agent given for 2 parties (a, b); give one per party"),
        ("boulware,conceder,linear", "3 agents given for 2 parties"),
        (
            "boulware,stubborn",
            "unknown agent 'stubborn' (allowed: boulware, conceder, linear, "
            "tit_for_tat, best_response)",
        ),
    ],
)
def test_bad_agent_lists_are_clear_errors(capsys, agents, message):
    code, _, err = run(capsys, "negotiate", "split-linear", "--agents", agents, "--rounds", "5")
    assert code == 2
    assert message in err


def test_rounds_must_be_positive(capsys):
    code, _, err = run(
        capsys, "negotiate", "split-linear", "--agents", "conceder,conceder", "--rounds", "0"
    )
    assert code == 2
    assert "--rounds must be at least 1" in err


def test_output_file_is_never_overwritten_without_force(capsys, tmp_path):
    target = tmp_path / "trace.csv"
    target.write_text("precious")
    args = ["negotiate", "split-linear", "--agents", "conceder,conceder", "--rounds", "5"]
    code, _, err = run(capsys, *args, "-o", str(target))
    assert code == 2
    assert "already exists; pass --force" in err
    assert target.read_text() == "precious"
    code, _, _ = run(capsys, *args, "-o", str(target), "--force")
    assert code == 0
    assert target.read_text().startswith("round,proposer,accepted,share,u_a,u_b")


@pytest.mark.parametrize(
    "command",
    [
        ["negotiate", "donbas-2026", "--agents", "conceder,boulware,boulware"],
        ["plot", "donbas-2026", "trace", "-o", "never-written.png"],
    ],
)
def test_a_deadline_past_the_rounds_limit_is_one_line_and_exit_2(capsys, command):
    code, _, err = run(capsys, *command, "--rounds", str(10**12))
    assert code == 2 and err.count("\n") == 1 and "at most 1,000,000" in err
