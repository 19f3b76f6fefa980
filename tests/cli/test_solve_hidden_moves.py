"""``dealsim solve`` on trees with hidden moves and no pure equilibrium: behaviour strategies by
the sequence form (two players) or pygambit (more), from Gambit ``.efg`` files and scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dealsim.analysis.equilibrium_report import solve_tree
from dealsim.cli import main
from dealsim.io.gambit import format_efg
from dealsim.solvers.sequential import GameTree
from strategies import hidden_move_tree, kuhn_poker

DATA = Path(__file__).parents[1] / "solvers" / "data"


def solve_json(path: Path, capsys) -> dict:
    assert main(["solve", str(path), "--format", "json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)["games"].values()
    return report


def test_kuhn_poker_efg_solves_to_value_minus_one_eighteenth(tmp_path, capsys):
    path = tmp_path / "kuhn.efg"
    path.write_text(format_efg(kuhn_poker()))
    report = solve_json(path, capsys)
    assert report["method"] == "sequence_form_lp"
    (eq,) = report["equilibria"]
    assert eq["payoffs"]["P1"] == pytest.approx(-1 / 18, abs=1e-9)
    assert eq["payoffs"]["P2"] == pytest.approx(1 / 18, abs=1e-9)
    assert max(eq["regret"].values()) < 1e-9
    # the known family: the king always calls a bet, the jack never does; P2 bets a king
    assert eq["behaviour"]["P2 K after bet"] == pytest.approx({"fold": 0.0, "call": 1.0})
    assert eq["behaviour"]["P2 J after bet"] == pytest.approx({"fold": 1.0, "call": 0.0})
    assert eq["behaviour"]["P2 Q after check"] == pytest.approx({"check": 1.0, "bet": 0.0})
    assert eq["behaviour"]["P2 J after check"] == pytest.approx({"check": 2 / 3, "bet": 1 / 3})
    assert eq["pure"] is False
    for infoset, belief in eq["beliefs"].items():
        assert belief is None or sum(belief.values()) == pytest.approx(1.0), infoset
    assert sum(report["outcomes"].values()) == pytest.approx(1.0)


def test_one_card_poker_efg_matches_pygambit_lcp(capsys):
    gbt = pytest.importorskip("pygambit")
    report = solve_json(DATA / "myerson_poker.efg", capsys)
    (eq,) = report["equilibria"]
    game = gbt.read_efg(str(DATA / "myerson_poker.efg"))
    (theirs,) = gbt.nash.lcp_solve(game, rational=False).equilibria
    for player in game.players:
        assert eq["payoffs"][player.label] == pytest.approx(float(theirs.payoff(player)), abs=1e-9)
        for infoset in player.infosets:
            for action in infoset.actions:
                assert eq["behaviour"][infoset.label][action.label] == pytest.approx(
                    float(theirs[action]), abs=1e-9
                )
    beliefs = {"raised on red": 0.75, "raised on black": 0.25}
    assert eq["beliefs"]["raised"] == pytest.approx(beliefs)


def test_text_report_shows_behaviour_and_beliefs(capsys):
    assert main(["solve", str(DATA / "myerson_poker.efg")]) == 0
    text = capsys.readouterr().out
    assert "(sequential, sequence_form_lp)" in text
    assert "raise 0.3333, fold 0.6667" in text
    assert "raised on red 0.75, raised on black 0.25" in text


def test_general_sum_tree_without_pure_equilibrium_goes_to_lemke():
    # matching pennies as a tree with a hidden first move, payoffs not zero-sum
    tree = hidden_move_tree({"hh": [3, 0], "ht": [0, 1], "th": [0, 2], "tt": [1, 0]})
    report = solve_tree(tree)
    assert report["method"] == "sequence_form_lemke"
    (eq,) = report["equilibria"]
    # B mixes so A is indifferent: 3 q = 1 - q; A mixes so B is indifferent: 1 - p = 2 p
    assert eq["behaviour"]["guess"] == pytest.approx({"h": 0.25, "t": 0.75})
    assert eq["behaviour"]["a"] == pytest.approx({"h": 2 / 3, "t": 1 / 3})
    assert eq["beliefs"]["guess"] == pytest.approx({"b_h": 2 / 3, "b_t": 1 / 3})
    assert eq["payoffs"] == pytest.approx({"A": 0.75, "B": 2 / 3})


def test_three_player_tree_without_pure_equilibrium_goes_to_pygambit():
    pytest.importorskip("pygambit")
    # C moves first, unseen; A and B play matching pennies after it whatever C did
    nodes = {"c": {"player": "C", "actions": {"l": "a_l", "r": "a_r"}}}
    outcomes = {}
    for side in ("l", "r"):
        nodes[f"a_{side}"] = {
            "player": "A",
            "infoset": "A",
            "actions": {"h": f"b_{side}h", "t": f"b_{side}t"},
        }
        for first in "ht":
            nodes[f"b_{side}{first}"] = {
                "player": "B",
                "infoset": "B",
                "actions": {s: f"{side}{first}{s}" for s in "ht"},
            }
            for second in "ht":
                win = 1.0 if first == second else -1.0
                outcomes[f"{side}{first}{second}"] = [win, -win, 0.0 if side == "l" else -1.0]
    tree = GameTree.from_nodes(nodes, outcomes, root="c", players=["A", "B", "C"])
    report = solve_tree(tree)
    assert report["method"] == "gambit_logit"
    (eq,) = report["equilibria"]
    assert eq["behaviour"]["c"]["l"] == pytest.approx(1.0, abs=1e-6)
    assert eq["behaviour"]["A"]["h"] == pytest.approx(0.5, abs=1e-6)
    assert max(eq["regret"].values()) < 1e-6
    assert np.isclose(eq["payoffs"]["C"], 0.0, atol=1e-6)


INSPECTION = """
[scenario]
name = "inspection with a hidden violation"
[parties.state]
reservation = 0
[parties.inspector]
reservation = 0
[issues.x]
range = [0, 1]
steps = 3
[payoffs.state]
weights = { x = 1 }
x = { points = [[0, 0], [1, 1]] }
[payoffs.inspector]
weights = { x = 1 }
x = { points = [[0, 1], [1, 0]] }
[outcomes.caught]
payoffs = { state = -1, inspector = 1 }
[outcomes.got_away]
payoffs = { state = 1, inspector = -1 }
[outcomes.wasted]
payoffs = { state = 0, inspector = -0.5 }
[outcomes.quiet]
payoffs = { state = 0, inspector = 0 }
[games.inspection]
kind = "sequential"
players = ["state", "inspector"]
root = "state_moves"
[games.inspection.nodes.state_moves]
player = "state"
actions = { violate = "after_violation", comply = "after_compliance" }
[games.inspection.nodes.after_violation]
player = "inspector"
infoset = "inspect"
actions = { inspect = "caught", trust = "got_away" }
[games.inspection.nodes.after_compliance]
player = "inspector"
infoset = "inspect"
actions = { inspect = "wasted", trust = "quiet" }
"""


def test_scenario_game_with_hidden_move_reports_behaviour_and_beliefs(tmp_path, capsys):
    # the state violates with probability v making the inspector indifferent:
    # v (1) + (1 - v)(-0.5) = v (-1) + 0  ->  v = 0.2; it inspects with probability i making the
    # state indifferent: -i + (1 - i) = 0  ->  i = 0.5
    path = tmp_path / "inspection.toml"
    path.write_text(INSPECTION)
    assert main(["solve", str(path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)["games"]["inspection"]
    assert report["method"] == "sequence_form_lemke"
    (eq,) = report["equilibria"]
    assert eq["behaviour"]["state_moves"] == pytest.approx({"violate": 0.2, "comply": 0.8})
    assert eq["behaviour"]["inspect"] == pytest.approx({"inspect": 0.5, "trust": 0.5})
    assert eq["beliefs"]["inspect"] == pytest.approx(
        {"after_violation": 0.2, "after_compliance": 0.8}
    )
    assert eq["payoffs"] == pytest.approx({"state": 0.0, "inspector": -0.2})
