"""Game trees highlight the equilibrium path; payoff matrices mark the equilibria."""

import numpy as np
import pytest

from dealsim.errors import GameError
from dealsim.plot import game_tree, payoff_matrix
from dealsim.solvers.sequential import GameTree, subgame_perfect_equilibrium
from strategies import entry_deterrence, hidden_move_tree


def _hot(ax):
    return sorted(line.get_gid() for line in ax.lines if line.get_linewidth() > 2)


def _sequencing(g):
    # Ukraine cedes first; the US guarantees; the guarantee holds with probability g; Russia
    # then keeps the peace or attacks. Ukraine cedes iff 0.6 g + 0.2 (1 - g) > 0.45: g > 0.625.
    return GameTree.from_nodes(
        {
            "kyiv": {"player": "ukraine", "actions": {"cede": "washington", "refuse": "war"}},
            "washington": {"player": "us", "actions": {"guarantee": "holds", "none": "exposed"}},
            "holds": {
                "chance": {"kept": g, "broken": 1 - g},
                "actions": {"kept": "moscow", "broken": "exposed"},
            },
            "moscow": {"player": "russia", "actions": {"peace": "peace", "attack": "deterred"}},
        },
        {
            "war": [0.3, 0.45, 0.5],
            "exposed": [0.5, 0.2, 0.8],
            "peace": [0.9, 0.6, 0.65],
            "deterred": [0.6, 0.5, 0.3],
        },
        root="kyiv",
        players=["us", "ukraine", "russia"],
        name="cede-first",
    )


def test_entry_game_path_is_highlighted():
    ax = game_tree(entry_deterrence())
    # nodes in BFS order: entrant 0, stay_out 1, incumbent 2, war 3, share 4
    assert _hot(ax) == ["edge:0-2", "edge:2-4"]
    assert len([t for t in ax.texts if t.get_gid() == "payoff"]) == 3


@pytest.mark.parametrize(("g", "cedes"), [(0.6, False), (0.65, True)])
def test_chance_tree_path_flips_at_the_credibility_threshold(g, cedes):
    tree = _sequencing(g)
    ax = game_tree(tree, subgame_perfect_equilibrium(tree))
    hot = _hot(ax)
    assert ("edge:0-1" in hot) is cedes  # kyiv -> washington
    assert ("edge:0-2" in hot) is not cedes  # kyiv -> war
    if cedes:  # both chance branches are on the path
        assert {"edge:3-5", "edge:3-6"} <= set(hot)


def test_payoff_matrix_marks_pure_and_lists_mixed_equilibria():
    bos = np.array([[[2, 0], [0, 1]], [[1, 0], [0, 2]]])
    ax = payoff_matrix(bos, players=["she", "he"], strategies=[["opera", "fight"]] * 2)
    marked = sorted(p.get_gid() for p in ax.patches if p.get_gid().startswith("equilibrium"))
    assert marked == ["equilibrium:0-0", "equilibrium:1-1"]
    listing = next(t for t in ax.texts if t.get_gid() == "equilibria-list").get_text()
    assert "mixed: she (0.667, 0.333), he (0.333, 0.667)" in listing  # 2/3, 1/3 by indifference


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_a_mixed_equilibrium_near_a_pure_one_is_listed_as_mixed(unit):
    # each player mixes (0.999995, 0.000005): np.isclose's rtol 1e-5 outlined it as the pure
    # equilibrium (0, 0) and left it out of the list
    A = np.array([[5e-6, 0], [0, 1]]) * unit
    B = np.array([[1, 0], [0, 2e5]]) * unit
    ax = payoff_matrix(np.stack([A, B]), players=["r", "c"])
    marked = sorted(p.get_gid() for p in ax.patches if p.get_gid().startswith("equilibrium"))
    assert marked == ["equilibrium:0-0", "equilibrium:1-1"]
    listing = next(t for t in ax.texts if t.get_gid() == "equilibria-list").get_text()
    assert "pure equilibria (outlined): 2" in listing
    assert "mixed: r (1, 5e-06), c (1, 5e-06)" in listing


def test_payoff_matrix_refuses_three_players():
    with pytest.raises(GameError, match="two-player"):
        payoff_matrix(np.zeros((3, 2, 2, 2)))


def test_an_information_set_of_several_nodes_is_drawn_as_one_dashed_line():
    # B moves without seeing A's move (one information set); h is best for B either way
    tree = hidden_move_tree({"hh": [1, 2], "ht": [0, 0], "th": [0, 2], "tt": [1, 0]})
    ax = game_tree(tree)
    dashed = [line for line in ax.lines if (line.get_gid() or "").startswith("infoset:")]
    assert [line.get_gid() for line in dashed] == ["infoset:guess"]
    b_nodes = sorted(
        tuple(c.get_offsets()[0])
        for c in ax.collections
        if c.get_gid() in {f"node:{v}" for v in np.flatnonzero(tree.infoset == tree.infoset[1])}
    )
    assert sorted(zip(*dashed[0].get_data(), strict=True)) == b_nodes
    assert any("information set" in t.get_text() for t in ax.get_legend().get_texts())


def test_a_tree_of_perfect_information_has_no_information_set_line():
    ax = game_tree(entry_deterrence())
    assert not [line for line in ax.lines if (line.get_gid() or "").startswith("infoset:")]
    assert not any("information set" in t.get_text() for t in ax.get_legend().get_texts())


@pytest.mark.parametrize("game", ["guarantees_first", "territory_first"])
def test_node_labels_do_not_overlap_the_action_labels(game):
    # the bundled trees: the node reached from above ("us uncommitted") had its name printed
    # over the label of the edge into it ("uncommitted (p=0.5)")
    import matplotlib.pyplot as plt

    import dealsim
    from dealsim.analysis.games import scenario_game

    ax = game_tree(scenario_game(dealsim.load("donbas-2026"), game))
    ax.figure.canvas.draw()
    boxes = {
        gid: [(t.get_text(), t.get_window_extent()) for t in ax.texts if t.get_gid() == gid]
        for gid in ("node-label", "action")
    }
    for name, node in boxes["node-label"]:
        for action, edge in boxes["action"]:
            assert not node.overlaps(edge), (name, action)
    plt.close("all")
