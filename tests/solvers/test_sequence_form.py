"""Tests for dealsim.solvers.sequence_form: Kuhn and one-card poker, beer-quiche, perfect
recall, regret checked by brute force, scale invariance, cross-checks against pygambit."""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from dealsim.errors import SolverError
from dealsim.io.gambit import format_efg, read_efg
from dealsim.solvers.sequence_form import (
    ExtensiveEquilibrium,
    behaviour_regret,
    sequence_form,
    sequence_form_equilibrium,
)
from dealsim.solvers.sequential import GameTree
from strategies import kuhn_poker

DATA = Path(__file__).parent / "data"
METHODS = ["lp", "lemke"]

# --------------------------------------------------------------------------- textbook games


def poker_like(
    rng: np.random.Generator, *, zero_sum: bool, integer: bool, depth: int = 2, types: int = 2
) -> GameTree:
    """Chance deals each player a private type; the players then alternate on a public history.

    A player's information set is (own type, public history), so recall is perfect. Integer
    payoffs in {0, 1, 2} make the game degenerate (many ties).
    """
    types = (int(rng.integers(1, types + 1)), int(rng.integers(1, types + 1)))
    deals = list(itertools.product(range(types[0]), range(types[1])))
    probs = rng.dirichlet(np.ones(len(deals)))
    nodes = {"deal": {"chance": {}, "actions": {}}}
    outcomes = {}
    arity = {}

    def grow(h: tuple[int, ...]) -> None:
        if len(h) == depth or (h and rng.random() < 0.25):
            return
        arity[h] = int(rng.integers(2, 4))
        for a in range(arity[h]):
            grow((*h, a))

    grow(())
    for k, (a, b) in enumerate(deals):
        d = f"d{a}{b}"
        nodes["deal"]["chance"][d] = float(probs[k])
        nodes["deal"]["actions"][d] = f"{d}:"
        for h, n in arity.items():
            mover = len(h) % 2
            acts = {}
            for x in range(n):
                nxt = (*h, x)
                target = f"{d}:{'.'.join(map(str, nxt))}"
                if nxt not in arity:
                    target = "z" + target
                    u = rng.integers(0, 3, 2).astype(float) if integer else rng.normal(size=2)
                    outcomes[target] = [u[0], -u[0] if zero_sum else u[1]]
                acts[f"a{x}"] = target
            own = (a, b)[mover]
            nodes[f"{d}:{'.'.join(map(str, h))}"] = {
                "player": "AB"[mover],
                "infoset": f"{'AB'[mover]}{own}:{'.'.join(map(str, h))}",
                "actions": acts,
            }
    chance = nodes["deal"]["chance"]
    last = list(chance)[-1]
    chance[last] = 1.0 - sum(v for k, v in chance.items() if k != last)
    return GameTree.from_nodes(nodes, outcomes, root="deal", players=["A", "B"], name="poker-like")


def value(tree: GameTree, behaviour: dict, node: int = 0, pure=None, player=None) -> np.ndarray:
    """Expected payoffs below ``node`` by recursion; ``player`` plays the ``pure`` strategy."""
    if tree.kind[node] == 2:
        return tree.payoffs[tree.terminal[node]]
    kids = list(tree.children(node))
    label = tree.infoset_labels[tree.infoset[node]] if tree.kind[node] == 0 else None
    if tree.kind[node] == 1:
        weights = tree.prob[kids]
    elif tree.player[node] == player:
        weights = np.array([tree.actions[k] == pure[label] for k in kids], dtype=float)
    else:
        weights = np.array([behaviour[label].get(tree.actions[k], 0.0) for k in kids])
    return sum(
        w * value(tree, behaviour, k, pure, player) for w, k in zip(weights, kids, strict=True)
    )


def brute_force_regret(tree: GameTree, behaviour: dict) -> list[float]:
    """Each player's best pure deviation gain, by enumerating pure strategies on the tree."""
    regrets = []
    for p in range(2):
        sets = [h for h in range(len(tree.infoset_labels))
                if tree.player[np.flatnonzero(tree.infoset == h)[0]] == p]  # fmt: skip
        labels = [tree.infoset_labels[h] for h in sets]
        choices = [list(behaviour[lab]) for lab in labels]
        here = value(tree, behaviour)[p]
        best = max(
            value(tree, behaviour, 0, dict(zip(labels, pure, strict=True)), p)[p]
            for pure in itertools.product(*choices)
        )
        regrets.append(best - here)
    return regrets


def beer_quiche(quiche_first: bool = False) -> GameTree:
    """Cho & Kreps (1987): the weak or strong sender picks a breakfast, the receiver duels or not.

    The same game as ``data/beer_quiche.efg``; ``quiche_first`` lists quiche as the first action.
    """
    meals = ["quiche", "beer"] if quiche_first else ["beer", "quiche"]
    nodes = {"nature": {"chance": {"strong": 0.9, "weak": 0.1}}}
    outcomes = {}
    for kind, liked in (("strong", "beer"), ("weak", "quiche")):
        nodes[kind] = {"player": "Sender", "actions": {m: f"{kind} {m}" for m in meals}}
        for m in meals:
            nodes[f"{kind} {m}"] = {"player": "Receiver", "infoset": f"after {m}",
                                    "actions": {"duel": f"{kind} {m} duel",
                                                "no duel": f"{kind} {m} peace"}}  # fmt: skip
            taste = 1.0 if m == liked else 0.0
            fair_duel = 1.0 if kind == "weak" else 0.0
            outcomes[f"{kind} {m} duel"] = [taste, fair_duel]
            outcomes[f"{kind} {m} peace"] = [taste + 2.0, 1.0 - fair_duel]
    return GameTree.from_nodes(
        nodes, outcomes, root="nature", players=["Sender", "Receiver"], name="beer-quiche"
    )


# ------------------------------------------------------------------------------- the form


def test_sequence_form_of_kuhn_poker_has_the_textbook_sizes_and_values():
    sf = sequence_form(kuhn_poker())
    # each player: 1 + 3 cards x 2 sets x 2 actions sequences, 1 + 6 constraint rows
    assert [len(s) for s in sf.sequences] == [13, 13]
    assert sf.E.shape == (7, 13) and sf.F.shape == (7, 13)
    assert sf.A.shape == (13, 13)
    assert sf.sequences[0][0] == () and sf.sequences[0][1] == ("P1 J", "check")
    assert_allclose((sf.A + sf.B).toarray(), 0.0)
    # uniform plans (player 1's sets after check-bet follow a check: 1/4 per action; player 2
    # moves once): they satisfy E x = e and F y = f, and x A y is the payoff of uniform play
    x = np.array([1.0] + [0.5] * 6 + [0.25] * 6)
    y = np.array([1.0] + [0.5] * 12)
    assert sf.sequences[0][7] == ("P1 J after check-bet", "fold")
    assert_allclose(sf.E @ x, sf.e)
    assert_allclose(sf.F @ y, sf.f)
    uniform = {lab: {"check": 0.5, "bet": 0.5, "fold": 0.5, "call": 0.5}
               for lab in kuhn_poker().infoset_labels}  # fmt: skip
    assert x @ sf.A @ y == pytest.approx(value(kuhn_poker(), uniform)[0])


def test_sequence_form_payoffs_fold_in_chance():
    tree = read_efg(DATA / "myerson_poker.efg")
    sf = sequence_form(tree)
    A = sf.A.toarray()
    red_raise = sf.sequences[0].index(("red", "raise"))
    meet = sf.sequences[1].index(("raised", "meet"))
    assert A[red_raise, meet] == pytest.approx(0.5 * 2)  # chance 1/2 times the payoff 2


# ---------------------------------------------------------------------------- equilibria


@pytest.mark.parametrize("method", METHODS)
def test_kuhn_poker_value_is_minus_one_eighteenth(method):
    eq = sequence_form_equilibrium(kuhn_poker(), method=method)
    assert eq.method == method
    assert eq.payoffs["P1"] == pytest.approx(-1 / 18, abs=1e-10)
    assert eq.payoffs["P2"] == pytest.approx(1 / 18, abs=1e-10)
    assert max(eq.regret.values()) < 1e-9


@pytest.mark.parametrize("method", METHODS)
def test_kuhn_poker_strategies_are_the_known_family(method):
    b = sequence_form_equilibrium(kuhn_poker(), method=method).behaviour
    # player 2's equilibrium strategy is unique (Kuhn 1950)
    assert b["P2 K after bet"]["call"] == pytest.approx(1.0)
    assert b["P2 K after check"]["bet"] == pytest.approx(1.0)
    assert b["P2 Q after bet"]["call"] == pytest.approx(1 / 3)
    assert b["P2 Q after check"]["bet"] == pytest.approx(0.0, abs=1e-9)
    assert b["P2 J after bet"]["call"] == pytest.approx(0.0, abs=1e-9)
    assert b["P2 J after check"]["bet"] == pytest.approx(1 / 3)
    # player 1: bluff with J at a rate alpha <= 1/3, bet K at 3 alpha, call with Q at alpha + 1/3
    alpha = b["P1 J"]["bet"]
    assert -1e-9 <= alpha <= 1 / 3 + 1e-9
    assert b["P1 K"]["bet"] == pytest.approx(3 * alpha)
    assert b["P1 Q"]["bet"] == pytest.approx(0.0, abs=1e-9)
    assert b["P1 Q after check-bet"]["call"] == pytest.approx(alpha + 1 / 3)
    assert b["P1 J after check-bet"]["call"] == pytest.approx(0.0, abs=1e-9)


def test_auto_takes_the_lp_for_zero_sum_and_lemke_otherwise():
    assert sequence_form_equilibrium(kuhn_poker()).method == "lp"
    from_file = sequence_form_equilibrium(read_efg(DATA / "beer_quiche.efg"))
    assert from_file.method == "lemke"
    assert from_file.behaviour == sequence_form_equilibrium(beer_quiche()).behaviour


@pytest.mark.parametrize("method", METHODS)
def test_one_card_poker_matches_pygambit(method):
    gbt = pytest.importorskip("pygambit")
    ours = sequence_form_equilibrium(read_efg(DATA / "myerson_poker.efg"), method=method)
    game = gbt.read_efg(str(DATA / "myerson_poker.efg"))
    [theirs] = gbt.nash.lcp_solve(game, rational=False).equilibria
    for player in game.players:
        assert ours.payoffs[player.label] == pytest.approx(float(theirs.payoff(player)))
    for infoset in game.infosets:
        for action in infoset.actions:
            got = ours.behaviour[infoset.label][action.label]
            assert got == pytest.approx(float(theirs[action]), abs=1e-9)
    # Myerson's values: raise on red, bluff on black a third of the time, meet two thirds
    assert ours.behaviour["black"]["raise"] == pytest.approx(1 / 3)
    assert ours.behaviour["raised"]["meet"] == pytest.approx(2 / 3)
    assert ours.payoffs["Player 1"] == pytest.approx(1 / 3)
    assert ours.beliefs["raised"] == pytest.approx({"raised on red": 0.75, "raised on black": 0.25})


@pytest.mark.parametrize("method", METHODS)
def test_four_card_kuhn_poker_value_matches_pygambit(method):
    gbt = pytest.importorskip("pygambit")
    tree = kuhn_poker(cards=4)
    ours = sequence_form_equilibrium(tree, method=method)
    game = gbt.read_efg(io.BytesIO(format_efg(tree).encode()))
    [theirs] = gbt.nash.lcp_solve(game, rational=False).equilibria
    assert ours.payoffs["P1"] == pytest.approx(float(theirs.payoff("P1")), abs=1e-9)


@pytest.mark.parametrize("quiche_first", [False, True], ids=["beer-first", "quiche-first"])
def test_beer_quiche_equilibrium_is_pooling_with_bayesian_beliefs(quiche_first):
    tree = beer_quiche(quiche_first)
    eq = sequence_form_equilibrium(tree)
    strong, weak = eq.behaviour["strong"], eq.behaviour["weak"]
    [breakfast] = [m for m, p in strong.items() if p > 0.5]
    other = "quiche" if breakfast == "beer" else "beer"
    assert strong[breakfast] == pytest.approx(1.0) and weak[breakfast] == pytest.approx(1.0)
    on_path, off_path = f"after {breakfast}", f"after {other}"
    # on the path the receiver's belief is the prior; off the path Bayes' rule says nothing
    assert eq.beliefs[on_path] == pytest.approx(
        {f"strong {breakfast}": 0.9, f"weak {breakfast}": 0.1}
    )
    assert eq.beliefs[off_path] is None
    assert eq.reach[on_path] == pytest.approx(1.0) and eq.reach[off_path] == 0.0
    assert eq.behaviour[on_path]["no duel"] == pytest.approx(1.0)
    # the off-path threat must deter the type that prefers the other breakfast
    assert eq.behaviour[off_path]["duel"] >= 0.5 - 1e-9
    expected_sender = 0.9 * 3 + 0.1 * 2 if breakfast == "beer" else 0.9 * 2 + 0.1 * 3
    assert eq.payoffs == pytest.approx({"Sender": expected_sender, "Receiver": 0.9})
    assert max(brute_force_regret(tree, eq.behaviour)) < 1e-9


@pytest.mark.parametrize("seed", range(12))
def test_random_poker_like_equilibria_have_no_profitable_deviation(seed):
    rng = np.random.default_rng(seed)
    tree = poker_like(rng, zero_sum=seed % 3 == 0, integer=seed % 2 == 0)
    for method in ["lemke", "lp"] if seed % 3 == 0 else ["lemke"]:
        eq = sequence_form_equilibrium(tree, method=method)
        scale = np.ptp(tree.payoffs, axis=0).max()
        assert max(brute_force_regret(tree, eq.behaviour)) <= 1e-9 * scale
        assert max(eq.regret.values()) <= 1e-9 * scale


@pytest.mark.parametrize("seed", range(12))
def test_larger_random_games_solve_within_tolerance(seed):
    rng = np.random.default_rng(1000 + seed)
    zero_sum = seed % 2 == 0
    tree = poker_like(rng, zero_sum=zero_sum, integer=seed % 3 == 0, depth=4, types=3)
    lemke = sequence_form_equilibrium(tree, method="lemke")
    scale = np.ptp(tree.payoffs, axis=0).max()
    recomputed = behaviour_regret(tree, lemke.behaviour)
    assert max(recomputed.values()) <= 1e-9 * scale
    if zero_sum:  # the value is unique
        lp = sequence_form_equilibrium(tree, method="lp")
        assert lp.payoffs["A"] == pytest.approx(lemke.payoffs["A"], abs=1e-9 * scale)


@pytest.mark.parametrize("seed", range(6))
def test_behaviour_regret_matches_brute_force_off_equilibrium(seed):
    rng = np.random.default_rng(100 + seed)
    tree = poker_like(rng, zero_sum=False, integer=False)
    behaviour = {}
    for h, label in enumerate(tree.infoset_labels):
        head = int(np.flatnonzero(tree.infoset == h)[0])
        actions = [str(a) for a in tree.actions[list(tree.children(head))]]
        behaviour[label] = dict(zip(actions, rng.dirichlet(np.ones(len(actions))), strict=True))
    got = behaviour_regret(tree, behaviour)
    assert_allclose(list(got.values()), brute_force_regret(tree, behaviour), atol=1e-12)


@pytest.mark.parametrize("factor", [1e-6, 1e6])
@pytest.mark.parametrize("method", METHODS)
def test_rescaled_payoffs_give_the_same_strategies(factor, method):
    base = sequence_form_equilibrium(kuhn_poker(), method=method)
    scaled = sequence_form_equilibrium(kuhn_poker(scale=factor), method=method)
    for label, probs in base.behaviour.items():
        assert_allclose(list(scaled.behaviour[label].values()), list(probs.values()), atol=1e-9)
    assert scaled.payoffs["P1"] == pytest.approx(-factor / 18)


@pytest.mark.parametrize("factor", [1e-6, 1e6])
def test_rescaled_general_sum_game_gives_the_same_strategies(factor):
    tree = beer_quiche()
    scaled = GameTree(**{**tree.__dict__, "payoffs": tree.payoffs * factor + 3.0 * factor})
    base, other = sequence_form_equilibrium(tree), sequence_form_equilibrium(scaled)
    for label, probs in base.behaviour.items():
        assert other.behaviour[label] == pytest.approx(probs, abs=1e-9)
    assert other.regret["Sender"] <= 1e-9 * factor


def test_zero_probability_chance_branch_is_unreached():
    tree = GameTree.from_nodes(
        {
            "nature": {"chance": {"likely": 1.0, "never": 0.0}},
            "likely": {"player": "A", "actions": {"l": "guess_l", "r": "guess_r"}},
            "never": {"player": "A", "actions": {"l": "out", "r": "out"}},
            "guess_l": {"player": "B", "actions": {"l": "hit", "r": "miss"}, "infoset": "g"},
            "guess_r": {"player": "B", "actions": {"l": "miss", "r": "hit"}, "infoset": "g"},
        },
        {"hit": [0, 1], "miss": [1, 0], "out": [5, 5]},
        root="nature",
        players=["A", "B"],
    )
    eq = sequence_form_equilibrium(tree)
    assert eq.beliefs["never"] is None and eq.reach["never"] == 0.0
    assert eq.behaviour["g"] == pytest.approx({"l": 0.5, "r": 0.5})


@pytest.mark.parametrize("method", METHODS)
def test_a_tree_where_one_player_never_moves_or_nobody_does(method):
    lottery = {"c": {"chance": {"o1": 0.5, "o2": 0.5}}}
    tree = GameTree.from_nodes(lottery, {"o1": [1, -1], "o2": [0, 0]}, root="c", players=["A", "B"])
    eq = sequence_form_equilibrium(tree, method=method)
    assert eq.behaviour == {} and eq.payoffs == pytest.approx({"A": 0.5, "B": -0.5})
    nodes = {"r": {"player": "A", "actions": {"safe": "o0", "risky": "c"}}, **lottery}
    outcomes = {"o0": [0.6, -0.6], "o1": [1, -1], "o2": [0, 0]}
    tree = GameTree.from_nodes(nodes, outcomes, root="r", players=["A", "B"])
    eq = sequence_form_equilibrium(tree, method=method)
    assert eq.behaviour == {"r": {"safe": 1.0, "risky": 0.0}}
    assert sequence_form(tree).F.toarray().tolist() == [[1.0]]


# ----------------------------------------------------------------------------- results


def test_result_is_json_with_behaviour_beliefs_payoffs_and_regret():
    eq = sequence_form_equilibrium(read_efg(DATA / "beer_quiche.efg"))
    assert isinstance(eq, ExtensiveEquilibrium)
    data = json.loads(json.dumps(eq.to_dict()))
    assert {"behaviour", "beliefs", "payoffs", "regret"} <= set(data)
    assert data["beliefs"]["after quiche"] is None
    assert data["parameters"]["method"] == "auto" and data["parameters"]["pivots"] >= 1


def test_plans_are_realisation_plans_and_earn_the_payoffs():
    tree = kuhn_poker()
    sf = sequence_form(tree)
    eq = sequence_form_equilibrium(tree, method="lemke")
    x, y = eq.plans
    assert_allclose(sf.E @ x, sf.e, atol=1e-12)
    assert_allclose(sf.F @ y, sf.f, atol=1e-12)
    assert x @ sf.A @ y == pytest.approx(eq.payoffs["P1"])


def test_unreached_own_information_sets_are_noted():
    eq = sequence_form_equilibrium(read_efg(DATA / "myerson_poker.efg"))
    assert eq.notes == ()  # every set is reached
    kuhn = sequence_form_equilibrium(kuhn_poker(), method="lemke")
    for note in kuhn.notes:
        assert "reported as uniform" in note


# -------------------------------------------------------------------------------- errors


def test_imperfect_recall_is_refused_naming_the_information_set():
    # A moves, then moves again without remembering the first move
    tree = GameTree.from_nodes(
        {
            "first": {"player": "A", "actions": {"l": "b", "r": "second_r"}},
            "b": {"player": "B", "actions": {"x": "second_l", "y": "end"}},
            "second_l": {"player": "A", "actions": {"u": "w", "d": "z"}, "infoset": "forgot"},
            "second_r": {"player": "A", "actions": {"u": "z", "d": "w"}, "infoset": "forgot"},
        },
        {"w": [1, -1], "z": [-1, 1], "end": [0, 0]},
        root="first",
        players=["A", "B"],
        name="absent-minded",
    )
    message = r"information set 'forgot' of player 'A' violates perfect recall"
    with pytest.raises(SolverError, match=message):
        sequence_form_equilibrium(tree)
    with pytest.raises(SolverError, match=r"first:r.*first:l|first:l.*first:r"):
        sequence_form(tree)


def test_forgetting_what_was_known_is_imperfect_recall():
    # A sees the coin, moves, and later cannot tell the two coins apart
    nodes = {"coin": {"chance": {"heads": 0.5, "tails": 0.5}}}
    for side in ("heads", "tails"):
        nodes[side] = {"player": "A", "actions": {"go": f"b_{side}"}}
        nodes[f"b_{side}"] = {"player": "B", "actions": {"on": f"again_{side}"}}
        nodes[f"again_{side}"] = {
            "player": "A",
            "actions": {"h": "right" if side == "heads" else "wrong",
                        "t": "wrong" if side == "heads" else "right"},
            "infoset": "later",
        }  # fmt: skip
    tree = GameTree.from_nodes(
        nodes, {"right": [1, 0], "wrong": [0, 0]}, root="coin", players=["A", "B"]
    )
    with pytest.raises(SolverError, match="'later' of player 'A' violates perfect recall"):
        sequence_form_equilibrium(tree)


def test_three_players_are_refused():
    tree = GameTree.from_nodes(
        {"r": {"player": "a", "actions": {"x": "o"}}}, {"o": [1, 2, 3]}, root="r",
        players=["a", "b", "c"],
    )  # fmt: skip
    with pytest.raises(SolverError, match="two-player trees; this one has 3 player"):
        sequence_form_equilibrium(tree)


def test_lp_is_refused_on_a_general_sum_game():
    with pytest.raises(SolverError, match="method='lp' needs a zero-sum"):
        sequence_form_equilibrium(beer_quiche(), method="lp")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "simplex"}, "method must be 'auto', 'lp' or 'lemke'"),
        ({"tol": -1.0}, "tol must be a finite number >= 0"),
        ({"max_pivots": 0}, "max_pivots must be an integer >= 1"),
        ({"method": "lemke", "max_pivots": 1}, "within max_pivots=1 pivots"),
        ({"method": "lemke", "max_lcp_size": 10}, r"LCP has size 40 .* max_lcp_size=10"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(SolverError, match=message):
        sequence_form_equilibrium(kuhn_poker(), **kwargs)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.pop("raised"), "no probabilities for information set 'raised'"),
        (lambda b: b.update(typo={"a": 1.0}), r"unknown information set\(s\) \['typo'\]"),
        (lambda b: b["red"].update(call=1.0), r"behaviour\['red'\] must map actions"),
        (lambda b: b["red"].update(fold=0.5), "sums to 1.5"),
        (lambda b: b["red"].update({"raise": -0.5, "fold": 1.5}), "probabilities >= 0"),
    ],
)
def test_behaviour_regret_names_what_is_wrong(change, message):
    tree = read_efg(DATA / "myerson_poker.efg")
    behaviour = {"red": {"raise": 1.0, "fold": 0.0}, "black": {"raise": 0.5, "fold": 0.5},
                 "raised": {"meet": 1.0}}  # fmt: skip
    assert behaviour_regret(tree, behaviour)["Player 1"] > 0
    change(behaviour)
    with pytest.raises(SolverError, match=message):
        behaviour_regret(tree, behaviour)
