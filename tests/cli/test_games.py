"""Tests for dealsim.cli.games: export, solving Gambit files, plotting games."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import dealsim
from dealsim.analysis.games import scenario_game
from dealsim.cli import main
from dealsim.io.gambit import read_game
from dealsim.solvers.sequential import GameTree, normal_form

gbt = pytest.importorskip("pygambit")

PD = Path(__file__).parents[1] / "io" / "data" / "prisoners_dilemma.nfg"


@pytest.fixture(scope="module")
def donbas():
    return dealsim.load("donbas-2026")


def gambit_payoffs(game) -> np.ndarray:
    return np.stack([np.asarray(a, dtype=float) for a in game.to_arrays(dtype=float)])


def test_normal_game_exports_to_nfg_and_reads_back(donbas, tmp_path):
    out = tmp_path / "accept.nfg"
    assert main(["export", "donbas-2026", "--game", "accept_nash", "-o", str(out)]) == 0
    ours = scenario_game(donbas, "accept_nash")
    back = read_game(out)
    assert back.players == ("ukraine", "russia") and back.strategies == ours.strategies
    # the file holds short decimals (0.4055, not the arithmetic's 0.40549999999999997): they read
    # back within a few units in the last place
    assert_allclose(back.payoffs, ours.payoffs, rtol=1e-15, atol=0)
    assert "9999999" not in out.read_text() and "0000000001" not in out.read_text()
    theirs = gbt.read_nfg(str(out))
    assert_allclose(gambit_payoffs(theirs), ours.payoffs, rtol=1e-15, atol=0)


def test_sequential_game_exports_to_efg_and_reads_back(donbas, tmp_path):
    # guarantees_first: no player moves twice on a path, so the reduced normal form pygambit
    # computes is the full one (in territory_first the US's later nodes follow its own "sign")
    out = tmp_path / "guarantees.efg"
    assert main(["export", "donbas-2026", "--game", "guarantees_first", "-o", str(out)]) == 0
    ours = scenario_game(donbas, "guarantees_first")
    back = read_game(out)
    assert isinstance(back, GameTree)
    assert back.labels.tolist() == ours.labels.tolist()
    assert_allclose(back.prob, ours.prob, rtol=1e-15, atol=0)
    assert_allclose(back.payoffs, ours.payoffs, rtol=1e-15, atol=0)
    theirs = gbt.read_efg(str(out))
    assert [p.label for p in theirs.players] == ["us", "ukraine", "russia"]
    # pygambit's normal form of the tree matches ours
    assert_allclose(gambit_payoffs(theirs), normal_form(ours).payoffs, atol=1e-12)


def test_export_with_set_uses_the_parameter_value(tmp_path, capsys):
    # P(honour) = 1 - (0.1875 - 0.125) / 0.25 = 0.75, exact in binary
    assert main(["export", "donbas-2026", "--game", "guarantees_first",
                 "--set", "audience_cost_max=0.25", "--set", "us_defence_cost=0.1875",
                 "--set", "us_abandon_loss=0.125"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert '{ "committed" 0.75 "uncommitted" 0.25 }' in text


def test_export_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "a.nfg"
    out.write_text("keep")
    assert main(["export", "donbas-2026", "--game", "accept_nash", "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_text() == "keep"
    assert main(["export", "donbas-2026", "--game", "accept_nash", "-o", str(out), "--force"]) == 0
    assert out.read_text().startswith("NFG 1 R")


def test_unknown_game_exits_2_naming_the_games(capsys):
    assert main(["export", "donbas-2026", "--game", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown game 'nope'" in err
    assert "(games: guarantees_first, territory_first, accept_nash, which_deal)" in err


def test_solving_an_nfg_file_gives_the_documented_json(capsys):
    assert main(["solve", str(PD), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"dealsim_version", "source", "games"}
    assert document["source"] == {
        "file": str(PD),
        "sha256": hashlib.sha256(PD.read_bytes()).hexdigest(),
    }
    game = document["games"]["prisoners_dilemma"]
    assert game["kind"] == "normal" and game["method"] == "vertex"
    assert game["strategies"] == {"Row": ["cooperate", "defect"], "Column": ["cooperate", "defect"]}
    assert game["equilibria"] == [
        {
            "strategies": {"Row": [0.0, 1.0], "Column": [0.0, 1.0]},
            "payoffs": {"Row": 1.0, "Column": 1.0},
            "pure": True,
            "regret": 0.0,
        }
    ]
    assert game["dominated"] == {"Row": ["cooperate"], "Column": ["cooperate"]}


def test_solving_an_efg_file_prints_the_games_section(capsys):
    path = Path(__file__).parents[1] / "io" / "data" / "entry_types.efg"
    assert main(["solve", str(path)]) == 0
    text = capsys.readouterr().out
    assert "\nGames\n" in text and "entry_types (sequential, backward_induction)" in text


def test_plot_tree_and_matrix_of_scenario_games(tmp_path):
    tree = tmp_path / "tree.png"
    matrix = tmp_path / "matrix.svg"
    assert main(["plot", "donbas-2026", "tree", "--game", "territory_first", "-o", str(tree)]) == 0
    assert main(["plot", "donbas-2026", "matrix", "--game", "which_deal", "-o", str(matrix)]) == 0
    assert tree.stat().st_size > 0 and matrix.stat().st_size > 0


def test_plot_tree_of_a_normal_game_is_an_error(tmp_path, capsys):
    out = tmp_path / "x.png"
    assert main(["plot", "donbas-2026", "tree", "--game", "accept_nash", "-o", str(out)]) == 2
    assert "not a game tree" in capsys.readouterr().err
