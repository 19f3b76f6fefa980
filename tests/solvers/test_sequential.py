"""Tests for dealsim.solvers.sequential: game trees, subgame-perfect equilibria, thresholds."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose

from dealsim.errors import GameError, SolverError
from dealsim.solvers.sequential import (
    GameTree,
    Outcome,
    normal_form,
    parameter_thresholds,
    subgame_perfect_equilibrium,
)
from strategies import credibility, entry_deterrence, random_trees

# --------------------------------------------------------------------------- textbook games


def centipede(stages: int = 4) -> GameTree:
    """Rosenthal's centipede: at stage k (0-based) the mover takes (k + 1) + ... or passes.

    Taking at stage k pays the mover k + 1 and the other k - 1 (stage 0: 1 and 0); passing the
    last stage pays (stages + 1, stages - 1) to (A, B) if stages is even.
    """
    nodes, outcomes = {}, {}
    for k in range(stages):
        mover = "A" if k % 2 == 0 else "B"
        take = [float(k + 1), float(max(k - 1, 0))]
        if mover == "B":
            take.reverse()
        outcomes[f"take{k}"] = take
        nxt = f"stage{k + 1}" if k + 1 < stages else "end"
        nodes[f"stage{k}"] = {"player": mover, "actions": {"take": f"take{k}", "pass": nxt}}
    outcomes["end"] = [float(stages + 1), float(stages - 1)]
    return GameTree.from_nodes(nodes, outcomes, root="stage0", players=["A", "B"])


def ultimatum(levels: int = 4) -> GameTree:
    """The proposer offers k/levels of a unit pie; the responder accepts or rejects (0, 0)."""
    nodes = {"propose": {"player": "P", "actions": {}}}
    outcomes = {"reject": [0.0, 0.0]}
    for k in range(levels + 1):
        nodes["propose"]["actions"][f"offer{k}"] = f"respond{k}"
        nodes[f"respond{k}"] = {
            "player": "R",
            "actions": {"accept": f"split{k}", "reject": "reject"},
        }
        outcomes[f"split{k}"] = [1 - k / levels, k / levels]
    return GameTree.from_nodes(nodes, outcomes, root="propose", players=["P", "R"])


def steps(result):
    return [(s.node, s.action) for s in result.path]


# ------------------------------------------------------------------------------ tree arrays


def test_tree_is_stored_breadth_first_with_csr_children():
    tree = credibility(0.5)
    assert tree.labels.tolist() == [
        "us",
        "ukraine",
        "no_deal",
        "guarantee",
        "refused",
        "honoured",
        "dishonoured",
        "war",
        "status_quo",
        "defended",
        "peace",
        "betrayed",
        "peace",
    ]
    assert tree.child_ptr.tolist() == [1, 3, 5, 5, 7, 9, 11, 13, 13, 13, 13, 13, 13, 13]
    assert tree.depth.tolist() == [0, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]
    assert tree.parent.tolist() == [-1, 0, 0, 1, 1, 3, 3, 4, 4, 5, 5, 6, 6]
    assert tree.kind.tolist() == [0, 0, 2, 1, 0, 0, 0, 2, 2, 2, 2, 2, 2]
    assert_allclose(tree.prob[[5, 6]], [0.5, 0.5])
    assert tree.payoffs.shape == (7, 3)
    assert_allclose(tree.payoffs[tree.terminal[2]], [0, -3, 1])
    assert tree.perfect_information
    assert not tree.kind.flags.writeable


def test_payoffs_may_be_given_by_player_name():
    tree = GameTree.from_nodes(
        {"r": {"player": "a", "actions": {"x": "o"}}},
        {"o": {"b": 2.0, "a": 1.0}},
        root="r",
        players=["a", "b"],
    )
    assert_allclose(tree.payoffs, [[1.0, 2.0]])


def test_chance_branches_may_lead_to_other_ids():
    tree = GameTree.from_nodes(
        {"r": {"chance": {"h": 0.5, "t": 0.5}, "actions": {"h": "win", "t": "lose"}}},
        {"win": [1.0], "lose": [0.0]},
        root="r",
        players=["a"],
    )
    assert tree.labels.tolist() == ["r", "win", "lose"]
    assert tree.actions.tolist() == ["", "h", "t"]


# ------------------------------------------------------------------------- validation errors

BAD_TREES = [
    pytest.param(
        {"r": {"chance": {"a": 0.5, "b": 0.4}}},
        "r",
        "sum to 0.9",
        id="probabilities-not-summing-to-1",
    ),
    pytest.param(
        {"r": {"chance": {"a": 1.5, "b": -0.5}}},
        "r",
        ">= 0",
        id="negative-probability",
    ),
    pytest.param(
        {
            "r": {"player": "p", "actions": {"x": "s"}},
            "s": {"player": "q", "actions": {"y": "r"}},
        },
        "r",
        "cycle r -> s -> r",
        id="cycle",
    ),
    pytest.param(
        {"r": {"player": "p", "actions": {"x": "a"}}, "island": {"player": "p", "actions": {}}},
        "island",
        "a decision node needs at least one action",
        id="node-without-actions",
    ),
    pytest.param(
        {
            "r": {"player": "p", "actions": {"x": "a"}},
            "island": {"player": "p", "actions": {"y": "a"}},
        },
        "island",
        "not reachable from the root 'r'",
        id="unreachable-node",
    ),
    pytest.param(
        {"r": {"player": "putin", "actions": {"x": "a"}}},
        "r",
        "unknown player 'putin'; players are ['p', 'q']",
        id="unknown-player",
    ),
    pytest.param(
        {"r": {"player": "p", "actions": {"x": "nowhere"}}},
        "r",
        "action 'x' leads to 'nowhere', which is neither a node nor an outcome",
        id="unknown-target",
    ),
    pytest.param(
        {
            "r": {"player": "p", "actions": {"x": "s", "y": "t"}},
            "s": {"player": "q", "actions": {"u": "t"}},
            "t": {"player": "q", "actions": {"v": "a"}},
        },
        "t",
        "reached a second time (from 's')",
        id="two-parents",
    ),
    pytest.param(
        {
            "r": {"player": "p", "actions": {"x": "s", "y": "t"}},
            "s": {"player": "q", "actions": {"u": "a"}, "infoset": "h"},
            "t": {"player": "p", "actions": {"u": "a"}, "infoset": "h"},
        },
        "t",
        "information set shared with 's' of another player",
        id="infoset-mixing-players",
    ),
    pytest.param(
        {
            "r": {"player": "p", "actions": {"x": "s", "y": "t"}},
            "s": {"player": "q", "actions": {"u": "a"}, "infoset": "h"},
            "t": {"player": "q", "actions": {"w": "a"}, "infoset": "h"},
        },
        "t",
        "actions ['w'] differ from ['u']",
        id="infoset-with-different-actions",
    ),
    pytest.param(
        {"r": {"player": "p", "action": {"x": "a"}}},
        "r",
        "a decision node has 'player', 'actions'",
        id="misspelt-key",
    ),
]


@pytest.mark.parametrize(("nodes", "node", "message"), BAD_TREES)
def test_bad_tree_raises_game_error_naming_game_and_node(nodes, node, message):
    with pytest.raises(GameError) as info:
        GameTree.from_nodes(nodes, {"a": [0, 0]}, root="r", players=["p", "q"], name="bad")
    assert info.value.game == "bad"
    assert info.value.node == node
    assert message in str(info.value)
    assert str(info.value).startswith(f"game 'bad', node '{node}': ")


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        pytest.param({"a": [1.0]}, "1 payoffs given, one per player needed (2)", id="too-few"),
        pytest.param({"a": [1.0, float("nan")]}, "finite", id="nan"),
        pytest.param({"a": {"p": 1.0}}, "missing ['q']", id="missing-player"),
        pytest.param({"a": [0, 0], "r": [0, 0]}, "both a node and an outcome", id="clash"),
    ],
)
def test_bad_outcome_raises_game_error(outcomes, message):
    with pytest.raises(GameError, match=re.escape(message)):
        GameTree.from_nodes(
            {"r": {"player": "p", "actions": {"x": "a"}}}, outcomes, root="r", players=["p", "q"]
        )


def test_root_must_be_a_node():
    with pytest.raises(GameError, match="the root must be a decision or chance node"):
        GameTree.from_nodes({}, {"a": [0]}, root="a", players=["p"])


# ------------------------------------------------------------------- subgame perfection


def test_entry_deterrence_spe_is_in_accommodate_and_threat_is_not_credible():
    tree = entry_deterrence()
    result = subgame_perfect_equilibrium(tree)
    assert result.method == "backward_induction"
    assert result.strategy == {"entrant": ("in",), "incumbent": ("accommodate",)}
    assert steps(result) == [("entrant", "in"), ("incumbent", "accommodate")]
    assert result.payoffs == {"E": 1.0, "I": 1.0}
    assert result.outcomes == {"share": 1.0}
    assert result.ties == ()
    # (out, fight) is a Nash equilibrium of the normal form: the entrant gets 0 >= -1 by
    # entering against "fight", and the incumbent's threat costs it nothing off the path
    # (2 = 2). It is not subgame perfect: fighting after entry gives -1 < 1.
    nf = normal_form(tree)
    out, fight = 0, 0
    assert nf.payoffs[0, out, fight] >= nf.payoffs[0, 1, fight]
    assert nf.payoffs[1, out, fight] >= nf.payoffs[1, out, 1]
    assert result.strategy["incumbent"] != ("fight",)


@pytest.mark.parametrize("scale", [1e-12, 1e9])
def test_spe_and_thresholds_do_not_depend_on_the_payoff_scale(scale):
    # Entry deterrence and the withdrawal game of docs/scenario-format.md (B attacks iff
    # 0.1 t + 0.9 (1 - t) > 0.5, i.e. t < 0.5) with every payoff times `scale`: the same
    # equilibrium without ties, and the same threshold (at 1e-12 an absolute 1e-9 tied every
    # action: ties everywhere and no threshold).
    entry = GameTree.from_nodes(
        {
            "entrant": {"player": "E", "actions": {"out": "stay_out", "in": "incumbent"}},
            "incumbent": {"player": "I", "actions": {"fight": "war", "accommodate": "share"}},
        },
        {"stay_out": [0, 2 * scale], "war": [-scale, -scale], "share": [scale, scale]},
        root="entrant",
        players=["E", "I"],
    )
    result = subgame_perfect_equilibrium(entry)
    assert result.strategy == {"entrant": ("in",), "incumbent": ("accommodate",)}
    assert result.ties == ()

    def withdraw(t):
        return GameTree.from_nodes(
            {
                "a": {"player": "A", "actions": {"withdraw": "b", "stay": "no_deal"}},
                "b": {"player": "B", "actions": {"keep_peace": "split", "attack": "g"}},
                "g": {"chance": {"honoured": t, "broken": 1 - t},
                      "actions": {"honoured": "defended", "broken": "overrun"}},
            },
            {
                "split": [0.5 * scale, 0.5 * scale],
                "no_deal": [0.4 * scale, 0.3 * scale],
                "defended": [0.6 * scale, 0.1 * scale],
                "overrun": [0.0, 0.9 * scale],
            },
            root="a",
            players=["A", "B"],
        )  # fmt: skip

    [threshold] = parameter_thresholds(withdraw, 0.0, 1.0, grid=21)
    assert abs(threshold.value - 0.5) < 1e-8
    assert threshold.below.terminals == ("no_deal",)
    assert threshold.above.terminals == ("split",)


def test_centipede_spe_takes_at_the_first_node():
    result = subgame_perfect_equilibrium(centipede(6))
    assert steps(result) == [("stage0", "take")]
    assert result.payoffs == {"A": 1.0, "B": 0.0}
    assert all(actions == ("take",) for actions in result.strategy.values())


def test_ultimatum_proposer_offers_nothing_and_the_responders_tie_is_flagged():
    result = subgame_perfect_equilibrium(ultimatum(4))
    # Any positive offer is accepted (k/4 > 0); at offer 0 the responder is indifferent,
    # so both actions are optimal: the tie is reported, "accept" (listed first) is played, and
    # the proposer keeps everything.
    assert result.ties == ("respond0",)
    assert result.strategy["respond0"] == ("accept", "reject")
    assert all(result.strategy[f"respond{k}"] == ("accept",) for k in range(1, 5))
    assert steps(result) == [("propose", "offer0"), ("respond0", "accept")]
    assert result.payoffs == {"P": 1.0, "R": 0.0}
    assert any("not unique" in note for note in result.notes)


def test_chance_node_path_lists_every_branch_with_its_probability():
    result = subgame_perfect_equilibrium(credibility(0.9))
    assert [(s.node, s.player, s.action) for s in result.path] == [
        ("us", "US", "guarantee"),
        ("ukraine", "Ukraine", "cede"),
        ("guarantee", None, "honoured"),
        ("honoured", "Russia", "hold"),
        ("guarantee", None, "dishonoured"),
        ("dishonoured", "Russia", "attack"),
    ]
    assert_allclose([s.probability for s in result.path], [1, 1, 0.9, 1, 0.1, 1])
    assert_allclose([s.reach for s in result.path], [1, 1, 1, 0.9, 1, 0.1])
    assert result.outcomes.keys() == {"peace", "betrayed"}
    assert_allclose([result.outcomes["peace"], result.outcomes["betrayed"]], [0.9, 0.1])
    # US: 6g - 4 = 1.4; Ukraine: 6g - 5 = 0.4; Russia: 2g + 3(1 - g) = 2.1.
    assert_allclose(list(result.payoffs.values()), [1.4, 0.4, 2.1])


def test_result_to_dict_is_json_ready():
    data = subgame_perfect_equilibrium(credibility(0.9)).to_dict()
    text = json.dumps(data)
    assert json.loads(text)["path"][2] == {
        "node": "guarantee",
        "player": None,
        "action": "honoured",
        "probability": 0.9,
        "reach": 1.0,
    }


# ------------------------------------------------------------------------------ thresholds


def test_credibility_threshold_found_at_two_thirds_on_the_path():
    [threshold] = parameter_thresholds(credibility, 0.0, 1.0, grid=21)
    assert abs(threshold.value - 2 / 3) < 1e-8
    assert threshold.bracket[1] - threshold.bracket[0] <= 1e-10
    assert threshold.below == Outcome(moves=(("us", "withhold"),), terminals=("no_deal",))
    assert threshold.above.moves[:2] == (("us", "guarantee"), ("ukraine", "cede"))
    assert threshold.above.terminals == ("peace", "betrayed")
    # each side, just off the threshold, gives the reported outcome
    left = subgame_perfect_equilibrium(credibility(2 / 3 - 1e-6)).outcome()
    right = subgame_perfect_equilibrium(credibility(2 / 3 + 1e-6)).outcome()
    assert (left, right) == (threshold.below, threshold.above)
    assert left != right


def test_credibility_thresholds_by_strategy_include_the_off_path_switch_at_one_third():
    found = parameter_thresholds(credibility, 0.0, 1.0, grid=21, key="strategy")
    assert_allclose([t.value for t in found], [1 / 3, 2 / 3], atol=1e-8)
    first = dict(found[0].below.moves), dict(found[0].above.moves)
    assert (first[0]["ukraine"], first[1]["ukraine"]) == ("refuse", "cede")
    assert first[0]["us"] == first[1]["us"] == "withhold"


def test_no_threshold_when_the_outcome_never_changes():
    assert parameter_thresholds(credibility, 0.7, 1.0, grid=5) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"lo": 1.0, "hi": 0.0}, "lo < hi", id="reversed"),
        pytest.param({"lo": 0.0, "hi": 1.0, "grid": 1}, "grid", id="grid"),
        pytest.param({"lo": 0.0, "hi": 1.0, "tol": 0.0}, "tol", id="tol"),
        pytest.param({"lo": 0.0, "hi": 1.0, "key": "payoffs"}, "key", id="key"),
    ],
)
def test_parameter_thresholds_rejects_bad_arguments(kwargs, message):
    with pytest.raises(SolverError, match=message):
        parameter_thresholds(credibility, **kwargs)


# ---------------------------------------------------------- information sets: normal form


def simultaneous(a: list[list[float]], b: list[list[float]], name: str) -> GameTree:
    """A 2x2 simultaneous game as a tree: the column player does not see the row's move."""
    nodes = {"row": {"player": "R", "actions": {"top": "col_top", "bottom": "col_bottom"}}}
    outcomes = {}
    for i, move in enumerate(["top", "bottom"]):
        nodes[f"col_{move}"] = {
            "player": "C",
            "actions": {"left": f"{move}_left", "right": f"{move}_right"},
            "infoset": "column",
        }
        for j, side in enumerate(["left", "right"]):
            outcomes[f"{move}_{side}"] = [a[i][j], b[i][j]]
    return GameTree.from_nodes(nodes, outcomes, root="row", players=["R", "C"], name=name)


def test_information_set_game_is_solved_through_its_normal_form():
    # coordination: (top, left) pays (2, 2), (bottom, right) pays (1, 1), else 0: two pure NE
    tree = simultaneous([[2, 0], [0, 1]], [[2, 0], [0, 1]], "coordination")
    assert not tree.perfect_information
    result = subgame_perfect_equilibrium(tree)
    assert result.method == "normal_form"
    assert result.equilibria == (
        {"row": "top", "column": "left"},
        {"row": "bottom", "column": "right"},
    )
    assert steps(result) == [("row", "top"), ("col_top", "left")]
    assert result.strategy == {"row": ("top",), "col_top": ("left",), "col_bottom": ("left",)}
    assert result.payoffs == {"R": 2.0, "C": 2.0}
    assert "backward induction does not apply" in result.notes[0]
    assert "2 pure equilibria" in result.notes[1]


def test_matching_pennies_tree_has_no_pure_equilibrium():
    tree = simultaneous([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], "pennies")
    with pytest.raises(SolverError, match="no pure Nash equilibrium; mixed equilibria"):
        subgame_perfect_equilibrium(tree)


def test_normal_form_expects_over_chance():
    nf = normal_form(credibility(0.5))
    assert nf.strategies[0] == ("guarantee", "withhold")
    assert nf.strategies[1] == ("cede", "refuse")
    assert len(nf.strategies[2]) == 8 and nf.strategies[2][0] == "attack/attack/attack"
    # US guarantees, Ukraine cedes, Russia holds after an honoured and attacks after a
    # dishonoured guarantee (Russia's infosets in breadth-first order: refused, honoured,
    # dishonoured): 0.5 * (2, 1, 2) + 0.5 * (-4, -5, 3).
    russia = nf.strategies[2].index("attack/hold/attack")
    assert_allclose(nf.payoffs[:, 0, 0, russia], [-1.0, -2.0, 2.5])


def test_normal_form_beyond_the_size_bound_raises():
    with pytest.raises(SolverError, match="pure strategy profiles"):
        normal_form(centipede(12), max_profiles=1000)


# ---------------------------------------------------------------------- property: random trees


def _value(nodes, outcomes, players, node, choose):
    """Expected payoff vector from ``node`` when decision nodes play ``choose(node)``."""
    if node in outcomes:
        return np.array(outcomes[node], dtype=float)
    spec = nodes[node]
    if "chance" in spec:
        return sum(
            p * _value(nodes, outcomes, players, spec["actions"][a], choose)
            for a, p in spec["chance"].items()
        )
    return _value(nodes, outcomes, players, spec["actions"][choose(node)], choose)


@given(random_trees())
def test_spe_has_no_profitable_one_shot_deviation(spec):
    nodes, outcomes, root, players = spec
    tree = GameTree.from_nodes(nodes, outcomes, root=root, players=players)
    result = subgame_perfect_equilibrium(tree)
    choose = lambda node: result.strategy[node][0]  # noqa: E731
    scale = max(abs(x) for payoff in outcomes.values() for x in payoff)
    assert_allclose(
        list(result.payoffs.values()), _value(nodes, outcomes, players, root, choose), atol=1e-12
    )
    for node, node_spec in nodes.items():
        if "player" not in node_spec:
            continue
        mover = players.index(node_spec["player"])
        continuation = {
            a: _value(nodes, outcomes, players, target, choose)[mover]
            for a, target in node_spec["actions"].items()
        }
        best = max(continuation.values())
        # the solver's tie: within 1e-9 of max(s, |best|), s the largest payoff magnitude (not
        # np.isclose(atol=1e-9), whose default rtol=1e-5 ties values 10^4 times farther apart)
        tie = 1e-9 * max(scale, abs(best))
        optimal = tuple(a for a, v in continuation.items() if best - v <= tie)
        assert result.strategy[node] == optimal
        assert (node in result.ties) == (len(optimal) > 1)
