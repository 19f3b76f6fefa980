"""Tests for dealsim.io.gambit: Gambit .nfg/.efg reading and writing, checked against pygambit."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

from dealsim.errors import GameError, SolverError
from dealsim.io.gambit import (
    format_efg,
    format_nfg,
    parse_efg,
    parse_nfg,
    read_game,
    write_game,
)
from dealsim.solvers.equilibrium import NormalFormGame
from dealsim.solvers.sequential import (
    GameTree,
    normal_form,
    subgame_perfect_equilibrium,
)
from strategies import credibility, entry_deterrence, random_trees

gbt = pytest.importorskip("pygambit")


DATA = Path(__file__).parent / "data"


def assert_same_tree(a: GameTree, b: GameTree) -> None:
    assert a.players == b.players
    for name in ("kind", "player", "parent", "depth", "child_ptr", "terminal", "infoset"):
        assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.labels.tolist() == b.labels.tolist()
    assert a.actions.tolist() == b.actions.tolist()
    assert a.infoset_labels == b.infoset_labels
    assert_allclose(a.prob, b.prob, rtol=0, atol=0)
    assert_allclose(a.payoffs, b.payoffs, rtol=0, atol=0)


def gambit_payoffs(game) -> np.ndarray:
    return np.stack([np.asarray(a, dtype=float) for a in game.to_arrays(dtype=float)])


def three_player_game() -> NormalFormGame:
    rng = np.random.default_rng(7)
    payoffs = rng.integers(-9, 10, size=(3, 2, 3, 4)) / 4  # quarters: exact in decimal
    return NormalFormGame(
        payoffs=payoffs,
        player_names=("US", "Ukraine", "Russia"),
        strategy_names=(("a", "b"), ("x", "y", "z"), ("1", "2", "3", "4")),
        title='three "players"',
    )


# ----------------------------------------------------------------------------------- NFG


@pytest.mark.parametrize(
    "name", ["prisoners_dilemma.nfg", "prisoners_dilemma_payoffs.nfg"], ids=["outcome", "payoff"]
)
def test_prisoners_dilemma_reads_in_both_forms(name):
    game = read_game(DATA / name)
    assert game.players == ("Row", "Column")
    # rows: row player's strategy (cooperate, defect); columns: the column player's
    assert_array_equal(game.payoffs[0], [[3, 0], [5, 1]])
    assert_array_equal(game.payoffs[1], [[3, 5], [0, 1]])
    if name == "prisoners_dilemma.nfg":
        assert game.strategies == (("cooperate", "defect"), ("cooperate", "defect"))
    else:
        assert game.strategies == (("1", "2"), ("1", "2"))


@pytest.mark.parametrize("form", ["outcome", "payoff"])
def test_nfg_round_trip_keeps_payoffs_names_and_title(form, tmp_path):
    game = three_player_game()
    path = tmp_path / "g.nfg"
    write_game(game, path)  # outcome form by default
    path.write_text(format_nfg(game, form=form))
    back = read_game(path)
    assert_array_equal(back.payoffs, game.payoffs)
    assert back.strategies == game.strategies
    assert back.players == game.players
    assert back.title == game.title


@pytest.mark.parametrize("form", ["outcome", "payoff"])
def test_pygambit_reads_dealsim_nfg(form):
    game = three_player_game()
    theirs = gbt.read_nfg(io.BytesIO(format_nfg(game, form=form).encode()))
    assert_array_equal(gambit_payoffs(theirs), game.payoffs)
    assert [s.label for s in theirs.players["Ukraine"].strategies] == ["x", "y", "z"]


def test_dealsim_reads_pygambit_nfg():
    a = np.array([[3, 0, 1], [5, 1, 2]])
    b = np.array([[3, 5, 0], [0, 1, 4]])
    theirs = gbt.Game.from_arrays(a, b, title="from pygambit")
    ours = parse_nfg(theirs.to_nfg())
    assert_array_equal(ours.payoffs, [a, b])
    assert ours.title == "from pygambit"


def test_tree_written_as_nfg_is_its_normal_form(tmp_path):
    tree = credibility(0.5)
    write_game(tree, tmp_path / "c.nfg")
    back = read_game(tmp_path / "c.nfg")
    assert_allclose(back.payoffs, normal_form(tree).payoffs)
    theirs = gambit_payoffs(gbt.read_efg(io.BytesIO(format_efg(tree).encode())))
    # pygambit's own normal form of the tree orders strategies differently (information sets
    # in prefix order): same shape, and the same payoff vectors over all profiles
    assert theirs.shape == back.payoffs.shape
    ours_rows = sorted(map(tuple, back.payoffs.reshape(3, -1).T.tolist()))
    theirs_rows = sorted(map(tuple, theirs.reshape(3, -1).T.tolist()))
    assert_allclose(theirs_rows, ours_rows)


# ----------------------------------------------------------------------------------- EFG


def test_entry_file_with_chance_and_interior_outcome_solves_as_worked_by_hand():
    tree = read_game(DATA / "entry_types.efg")
    assert tree.name == "Entry against a strong or weak incumbent"
    assert_allclose(tree.prob[1:3], [1 / 3, 2 / 3])
    # the entry cost (-1/2, 0) on the incumbent's node is added to the terminals below it
    assert_allclose(tree.payoffs[tree.terminal[tree.labels == "fight_strong"]], [[-1.5, 2]])
    result = subgame_perfect_equilibrium(tree)
    # strong: the incumbent fights (2 > 1) so the entrant stays out (0 > -1.5); weak: the
    # incumbent accommodates (1 > -1) so the entrant enters (0.5 > 0). Expected payoffs:
    # entrant 2/3 * 0.5 = 1/3; incumbent 1/3 * 4 + 2/3 * 1 = 2.
    assert result.strategy == {
        "entrant_strong": ("out",),
        "entrant_weak": ("in",),
        "incumbent_strong": ("fight",),
        "incumbent_weak": ("accommodate",),
    }
    assert_allclose(list(result.payoffs.values()), [1 / 3, 2])
    assert_allclose(list(result.outcomes.values()), [1 / 3, 2 / 3])


def spe_among_gambit_agent_equilibria(tree: GameTree) -> bool:
    game = gbt.read_efg(io.BytesIO(format_efg(tree).encode()))
    result = subgame_perfect_equilibrium(tree)
    for eq in gbt.nash.enumpure_agent_solve(game).equilibria:
        if all(
            eq[game.infosets[node].actions[actions[0]]] == 1
            for node, actions in result.strategy.items()
        ):
            return True
    return False


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(entry_deterrence, id="entry-deterrence"),
        pytest.param(lambda: credibility(0.9), id="credibility-0.9"),
        pytest.param(lambda: credibility(0.5), id="credibility-0.5"),
        pytest.param(lambda: read_game(DATA / "entry_types.efg"), id="entry-types-file"),
    ],
)
def test_spe_is_among_pygambits_pure_agent_equilibria(make):
    assert spe_among_gambit_agent_equilibria(make())


def test_entry_deterrence_has_two_pure_nash_equilibria_in_pygambit_one_subgame_perfect():
    game = gbt.read_efg(io.BytesIO(format_efg(entry_deterrence()).encode()))
    profiles = gbt.nash.enumpure_solve(game).equilibria
    assert len(profiles) == 2  # (in, accommodate) and the non-credible (out, fight)


def test_poker_file_has_no_pure_equilibrium_here_or_in_pygambit():
    tree = read_game(DATA / "one_card_poker.efg")
    assert tree.infoset_labels == ("dealer_high", "dealer_low", "caller")
    assert not tree.perfect_information
    with pytest.raises(SolverError, match="no pure Nash equilibrium"):
        subgame_perfect_equilibrium(tree)
    assert (
        len(gbt.nash.enumpure_solve(gbt.read_efg(str(DATA / "one_card_poker.efg"))).equilibria) == 0
    )


@pytest.mark.parametrize("name", ["entry_types.efg", "one_card_poker.efg"])
def test_efg_round_trip_through_dealsim_and_through_pygambit(name, tmp_path):
    tree = read_game(DATA / name)
    write_game(tree, tmp_path / "t.efg")
    assert_same_tree(read_game(tmp_path / "t.efg"), tree)
    theirs = gbt.read_efg(str(tmp_path / "t.efg"))
    assert_same_tree(parse_efg(theirs.to_efg()), tree)


def test_pygambit_built_tree_reads_with_its_payoffs():
    g = gbt.Game.new_tree(players=["A", "B"], title="built")
    g.append_move(g.root, "A", ["x", "y"])
    x = g.root.children["x"]
    g.append_move(x, g.players.chance, ["h", "t"])
    g.set_chance_probs(x.infoset, [gbt.Rational(1, 3), gbt.Rational(2, 3)])
    g.set_outcome(g.root.children["y"], g.add_outcome("o1", [1, 2]))
    g.set_outcome(x.children["h"], g.add_outcome("o2", [gbt.Rational(1, 2), 0.25]))
    tree = parse_efg(g.to_efg())
    assert tree.labels.tolist() == ["node1", "node2", "o1", "o2", "null"]
    assert_allclose(tree.prob, [1, 1, 1, 1 / 3, 2 / 3])
    assert_allclose(tree.payoffs, [[1, 2], [0.5, 0.25], [0, 0]])
    assert tree.infoset_labels == ("A:1",)


@given(random_trees())
def test_random_trees_round_trip_through_efg(spec):
    nodes, outcomes, root, players = spec
    tree = GameTree.from_nodes(nodes, outcomes, root=root, players=players)
    assert_same_tree(parse_efg(format_efg(tree)), tree)


# ---------------------------------------------------------------------------------- errors

BAD_FILES = [
    pytest.param('NFG 1 R "x" { "A" } { 2 } 1', "end of file: expected a payoff", id="short"),
    pytest.param('NFG 2 R "x" { "A" } { 1 } 1', "line 1: expected version 1, found '2'", id="ver"),
    pytest.param(
        'NFG 1 R "x" { "A" }\n{ 1 }\n1 2',
        "line 3: expected the end of the file, found '2'",
        id="long",
    ),
    pytest.param('NFG 1 R "x" { "A" } { 1 } abc', "found 'abc'", id="word"),
    pytest.param(
        'NFG 1 R "x" { "A" } { 2 } { { "" 1 } } 1 2', "outcome number out of range", id="outcome"
    ),
    pytest.param('EFG 2 R "x" { "A" } "" q "" 1', "expected a node type", id="node-type"),
    pytest.param(
        'EFG 2 R "x" { "A" }\n""\np "" 2 1 "" { "a" } 0\nt "" 1 "o" { 1 }',
        "line 3: expected a player number 1..1, found '2'",
        id="player",
    ),
    pytest.param(
        'EFG 2 R "x" { "A" "B" } "" p "" 1 1 "" { "a" } 0 t "" 1 "o" { 1 }',
        "outcome 1 has 1 payoffs, needs 2",
        id="payoff-count",
    ),
    pytest.param(
        'EFG 2 R "x" { "A" } "" p "" 1 1 "" { "a" "b" } 0 t "" 1 "o" { 1 }',
        "end of file: expected more nodes",
        id="missing-child",
    ),
    pytest.param('EFG 2 R "x { "A" }', "unterminated string", id="string"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_file_raises_game_error_naming_file_and_line(text, message, tmp_path):
    suffix = ".nfg" if text.startswith("NFG") else ".efg"
    path = tmp_path / f"bad{suffix}"
    path.write_text(text)
    with pytest.raises(GameError) as info:
        read_game(path)
    assert info.value.game == str(path)
    assert message in str(info.value)


def test_bad_chance_probabilities_in_efg_name_the_node():
    text = 'EFG 2 R "x" { "A" } "" c "deal" 1 "" { "h" 1/3 "t" 1/3 } 0 t "" 1 "o" { 1 } t "" 1'
    with pytest.raises(GameError, match="node 'deal': chance probabilities sum to"):
        parse_efg(text)


def test_unknown_suffix_and_wrong_game_type_are_rejected(tmp_path):
    with pytest.raises(GameError, match=r"unknown game file suffix '\.gbt'; allowed: \.efg, \.nfg"):
        read_game(tmp_path / "x.gbt")
    with pytest.raises(GameError, match=r"an \.efg file holds a game tree"):
        write_game(three_player_game(), tmp_path / "x.efg")
