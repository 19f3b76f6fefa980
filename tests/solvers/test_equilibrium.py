"""Tests for dealsim.solvers.equilibrium: textbook games, cross-checks against pygambit and
nashpy, and properties (regret, pure equilibria against a brute-force loop)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from dealsim.errors import GameError, SolverError
from dealsim.solvers.equilibrium import (
    Equilibrium,
    NormalFormGame,
    dominated_strategies,
    iterated_elimination,
    lemke_howson,
    lemke_howson_race,
    n_player_equilibria,
    pure_equilibria,
    regret,
    two_player_equilibria,
)

gbt = pytest.importorskip("pygambit")

# Each game: (A, B, expected equilibria as (x, y) pairs). Values from the literature or derived
# by the indifference conditions noted beside them.
TEXTBOOK = [
    pytest.param([[3, 0], [5, 1]], [[3, 5], [0, 1]], [([0, 1], [0, 1])], id="prisoners-dilemma"),
    pytest.param(
        # Mixed: the column mix (1/3, 2/3) makes the row player indifferent (2 y1 = y2), the
        # row mix (2/3, 1/3) makes the column player indifferent (x1 = 2 x2).
        [[2, 0], [0, 1]],
        [[1, 0], [0, 2]],
        [([1, 0], [1, 0]), ([2 / 3, 1 / 3], [1 / 3, 2 / 3]), ([0, 1], [0, 1])],
        id="battle-of-the-sexes",
    ),
    pytest.param(
        [[1, -1], [-1, 1]], [[-1, 1], [1, -1]], [([0.5, 0.5], [0.5, 0.5])], id="matching-pennies"
    ),
    pytest.param(
        [[0, -1, 1], [1, 0, -1], [-1, 1, 0]],
        [[0, 1, -1], [-1, 0, 1], [1, -1, 0]],
        [([1 / 3] * 3, [1 / 3] * 3)],
        id="rock-paper-scissors",
    ),
    pytest.param(
        # von Stengel (2002), Fig. 2.1 (nondegenerate 3x2): three equilibria.
        [[3, 3], [2, 5], [0, 6]],
        [[3, 2], [2, 6], [3, 1]],
        [
            ([1, 0, 0], [1, 0]),
            ([4 / 5, 1 / 5, 0], [2 / 3, 1 / 3]),
            ([0, 1 / 3, 2 / 3], [1 / 3, 2 / 3]),
        ],
        id="von-stengel-3x2",
    ),
]

# von Stengel (2002) §2.6: B[0, 1] raised from 2 to 3 makes the top row's two columns tie, and the
# equilibria (top row, y) for 2/3 <= y1 <= 1 form a segment: extreme points y1 = 1 and y1 = 2/3
# (at y1 = 2/3 the row player is indifferent between rows 0 and 1: 3 = 2 y1 + 5 (1 - y1)).
DEGENERATE_A = [[3, 3], [2, 5], [0, 6]]
DEGENERATE_B = [[3, 3], [2, 6], [3, 1]]


def _as_set(equilibria):
    return sorted(np.concatenate(e.strategies).round(8).tolist() for e in equilibria)


def _same_sets(found, expected, atol=1e-7):
    found = sorted(found)
    expected = sorted(expected)
    assert len(found) == len(expected), (found, expected)
    for f, e in zip(found, expected, strict=True):
        assert_allclose(f, e, atol=atol)


def _gambit_enummixed(A, B):
    game = gbt.Game.from_arrays(np.asarray(A, float), np.asarray(B, float))
    result = gbt.nash.enummixed_solve(game, rational=False)
    profiles = [
        np.concatenate([[float(eq[s]) for s in p.strategies] for p in game.players])
        for eq in result.equilibria
    ]
    # Gambit's floating-point enummixed can list a degenerate game's vertex pair twice.
    return np.unique(np.round(profiles, 8), axis=0).tolist()


@pytest.mark.parametrize(("A", "B", "expected"), TEXTBOOK)
@pytest.mark.parametrize("method", ["vertex", "support", "nashpy"])
def test_textbook_games_have_their_known_equilibria(A, B, expected, method):
    res = two_player_equilibria(A, B, method=method)
    _same_sets(_as_set(res.equilibria), [list(x) + list(y) for x, y in expected])
    assert res.method == method
    assert not res.degenerate


@pytest.mark.parametrize(("A", "B", "expected"), TEXTBOOK)
def test_textbook_games_agree_with_gambit_enummixed(A, B, expected):
    _same_sets(_as_set(two_player_equilibria(A, B).equilibria), _gambit_enummixed(A, B))


def test_battle_of_the_sexes_payoffs_and_to_dict():
    res = two_player_equilibria([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    mixed = [e for e in res.equilibria if not e.pure]
    assert len(mixed) == 1
    assert_allclose(mixed[0].payoffs, [2 / 3, 2 / 3])  # 2 * 1/3 for each player
    d = res.to_dict()
    assert d["method"] == "vertex"
    assert d["equilibria"][0]["strategies"] == [[1.0, 0.0], [1.0, 0.0]]
    assert d["equilibria"][0]["pure"] is True


def test_degenerate_von_stengel_game_lists_extreme_equilibria_and_warns():
    res = two_player_equilibria(DEGENERATE_A, DEGENERATE_B)
    assert res.degenerate
    assert any("continua" in note for note in res.notes)
    found = _as_set(res.equilibria)
    for x, y in [([1, 0, 0], [1, 0]), ([1, 0, 0], [2 / 3, 1 / 3])]:
        assert any(np.allclose(f, x + y, atol=1e-7) for f in found)
    _same_sets(found, _gambit_enummixed(DEGENERATE_A, DEGENERATE_B))


@pytest.mark.parametrize("method", ["vertex", "support", "nashpy", "lemke_howson"])
def test_all_ties_game_does_not_crash_and_is_flagged_degenerate(method):
    res = two_player_equilibria([[1, 1], [1, 1]], [[1, 1], [1, 1]], method=method)
    assert res.degenerate
    assert len(res.equilibria) >= 1
    # Every profile is an equilibrium; the extreme ones are the four pure profiles.
    if method == "vertex":
        assert len(res.equilibria) == 4
        assert all(e.pure for e in res.equilibria)


@pytest.mark.parametrize("shape", [(4, 4), (6, 6), (5, 7)])
@pytest.mark.parametrize("seed", range(5))
def test_random_games_agree_with_gambit_enummixed(shape, seed):
    rng = np.random.default_rng(seed)
    A, B = rng.random(shape), rng.random(shape)
    expected = _gambit_enummixed(A, B)
    _same_sets(_as_set(two_player_equilibria(A, B).equilibria), expected)
    _same_sets(_as_set(two_player_equilibria(A, B, method="support").equilibria), expected)


@pytest.mark.parametrize("seed", range(3))
def test_random_small_games_agree_with_nashpy(seed):
    rng = np.random.default_rng(100 + seed)
    A, B = rng.random((4, 5)), rng.random((4, 5))
    ours = _as_set(two_player_equilibria(A, B).equilibria)
    _same_sets(ours, _as_set(two_player_equilibria(A, B, method="nashpy").equilibria))


@pytest.mark.parametrize("seed", range(4))
def test_random_integer_games_with_ties_agree_with_gambit(seed):
    rng = np.random.default_rng(200 + seed)
    A, B = rng.integers(0, 3, (4, 4)), rng.integers(0, 3, (4, 4))
    _same_sets(_as_set(two_player_equilibria(A, B).equilibria), _gambit_enummixed(A, B))


@pytest.mark.parametrize("seed", range(5))
def test_lemke_howson_result_is_one_of_the_enumerated_equilibria(seed):
    rng = np.random.default_rng(seed)
    A, B = rng.random((6, 6)), rng.random((6, 6))
    found = _as_set(two_player_equilibria(A, B).equilibria)
    for label in (0, 3, 11):
        eq = lemke_howson(A, B, initial_dropped_label=label)
        assert any(np.allclose(f, np.concatenate(eq.strategies), atol=1e-7) for f in found)


def test_lemke_howson_on_a_large_game_has_zero_regret():
    rng = np.random.default_rng(7)
    A, B = rng.random((60, 60)), rng.random((60, 60))
    eq = lemke_howson(A, B)
    assert np.all(regret(np.stack([A, B]), eq.strategies) <= 1e-9)


def test_lemke_howson_iteration_bound_raises_solver_error():
    rng = np.random.default_rng(2)
    A, B = rng.random((30, 30)), rng.random((30, 30))
    with pytest.raises(SolverError, match="max_pivots=1 "):
        lemke_howson(A, B, max_pivots=1)


def test_lemke_howson_rejects_a_label_out_of_range():
    with pytest.raises(GameError, match=r"initial_dropped_label must be in 0\.\.3"):
        lemke_howson([[1, 0], [0, 1]], [[1, 0], [0, 1]], initial_dropped_label=4)


def _is_one_of(eq, found):
    return any(np.allclose(f, np.concatenate(eq.strategies), atol=1e-7) for f in found)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("integer", [False, True])
def test_raced_lemke_howson_is_one_of_the_enumerated_equilibria(seed, integer):
    rng = np.random.default_rng(300 + seed)
    if integer:  # ties: degenerate pivots go through the lexicographic rule
        A, B = rng.integers(0, 3, (5, 6)), rng.integers(0, 3, (5, 6))
    else:
        A, B = rng.random((5, 6)), rng.random((5, 6))
    found = _as_set(two_player_equilibria(A, B).equilibria)
    res = lemke_howson_race(A, B)
    assert res.method == "lemke_howson_race"
    assert res.parameters["labels"] == list(range(11))
    assert res.parameters["winning_label"] in range(11)
    assert np.all(regret(np.stack([A, B]), res.equilibria[0].strategies) <= 1e-9)
    assert _is_one_of(res.equilibria[0], found)
    # The winner's path is the one lemke_howson follows for that label.
    single = lemke_howson(A, B, initial_dropped_label=res.parameters["winning_label"])
    for s, t in zip(res.equilibria[0].strategies, single.strategies, strict=True):
        assert_allclose(s, t, atol=1e-9)


@pytest.mark.parametrize("seed", range(2))
def test_raced_lemke_howson_on_a_degenerate_30x37_game_matches_the_winners_single_path(seed):
    # Payoffs in {0, 1, 2}: nearly every pivot of every path has tied rows, so the
    # lexicographic rule decides them for the whole stack of paths at once.
    rng = np.random.default_rng(seed)
    A, B = rng.integers(0, 3, (30, 37)), rng.integers(0, 3, (30, 37))
    res = lemke_howson_race(A, B)
    assert res.degenerate
    assert np.all(regret(np.stack([A, B]), res.equilibria[0].strategies) <= 1e-9)
    single = lemke_howson(A, B, initial_dropped_label=res.parameters["winning_label"])
    for s, t in zip(res.equilibria[0].strategies, single.strategies, strict=True):
        assert_allclose(s, t, atol=1e-9)


def test_raced_lemke_howson_on_matching_pennies_needs_four_pivots():
    # No pure equilibrium: every path visits one pure strategy per player (2 pivots) and then
    # must bring in the second strategy of each player (2 more) to reach (1/2, 1/2).
    res = lemke_howson_race([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    assert_allclose(np.concatenate(res.equilibria[0].strategies), [0.5] * 4)
    assert res.parameters["pivots"] == 4
    assert res.parameters["winning_label"] == 0  # all four paths tie: the lowest label wins


@pytest.mark.parametrize(("m", "seeds"), [(50, range(3)), (200, range(2))])
def test_raced_lemke_howson_finds_an_equilibrium_of_large_random_games(m, seeds):
    for seed in seeds:
        rng = np.random.default_rng(seed)
        A, B = rng.random((m, m)), rng.random((m, m))
        res = two_player_equilibria(A, B, method="lemke_howson")
        assert len(res.equilibria) == 1
        assert np.all(regret(np.stack([A, B]), res.equilibria[0].strategies) <= 1e-9)
        assert res.parameters["winning_label"] in range(2 * m)
        assert any("ended first" in note for note in res.notes)


def test_racing_finishes_quickly_where_label_0_has_a_long_path():
    # Seed 25 at 50x50 was found by search: the path of dropped label 0 is 2601 pivots long
    # (the first assertion pins that down), while some other label ends within a few pivots.
    rng = np.random.default_rng(25)
    A, B = rng.random((50, 50)), rng.random((50, 50))
    with pytest.raises(SolverError, match="max_pivots=2600 "):
        lemke_howson(A, B, max_pivots=2600)
    res = lemke_howson_race(A, B, max_pivots=100)
    assert res.parameters["winning_label"] != 0
    assert res.parameters["pivots"] <= 100
    assert np.all(regret(np.stack([A, B]), res.equilibria[0].strategies) <= 1e-9)
    # Racing label 0 alone follows the same 2601 pivots (through the switch from compact to
    # dense inverse bases at 25 pivots per side) to the same equilibrium.
    alone = lemke_howson_race(A, B, labels=[0], max_pivots=2601)
    assert alone.parameters["pivots"] == 2601
    single = lemke_howson(A, B, max_pivots=2601)
    for s, t in zip(alone.equilibria[0].strategies, single.strategies, strict=True):
        assert_allclose(s, t, atol=1e-9)


def test_raced_lemke_howson_iteration_bound_raises_solver_error():
    # Every path needs at least two pivots (one in each polytope).
    with pytest.raises(SolverError, match="max_pivots=1 pivots per path"):
        lemke_howson_race([[2, 0], [0, 1]], [[1, 0], [0, 2]], max_pivots=1)


@pytest.mark.parametrize(
    ("labels", "message"),
    [([4], r"labels must be in 0\.\.3"), ([], "non-empty"), ([0.5], "integers")],
)
def test_raced_lemke_howson_rejects_bad_labels(labels, message):
    with pytest.raises(GameError, match=message):
        lemke_howson_race([[1, 0], [0, 1]], [[1, 0], [0, 1]], labels=labels)


def test_pure_equilibria_of_a_three_player_coordination_game():
    # Everyone gets 1 if all choose 0, 2 if all choose 1, else 0: exactly two pure equilibria.
    payoffs = np.zeros((3, 2, 2, 2))
    payoffs[:, 0, 0, 0] = 1
    payoffs[:, 1, 1, 1] = 2
    eqs = pure_equilibria(payoffs)
    assert [[int(s.argmax()) for s in e.strategies] for e in eqs] == [[0, 0, 0], [1, 1, 1]]
    assert_allclose(eqs[1].payoffs, [2, 2, 2])


def test_pure_equilibria_of_a_three_player_game_with_30_strategies_match_gambit():
    rng = np.random.default_rng(0)
    payoffs = rng.integers(0, 4, (3, 6, 5, 4)).astype(float)
    ours = _as_set(pure_equilibria(payoffs))
    gambit = n_player_equilibria(payoffs, method="gambit_enumpure")
    assert ours == _as_set(gambit.equilibria)
    assert gambit.parameters["gambit_function"] == "pygambit.nash.enumpure_solve"


def _brute_force_pure(payoffs):
    shape = payoffs.shape[1:]
    out = []
    for prof in itertools.product(*(range(k) for k in shape)):
        ok = True
        for i in range(len(shape)):
            for dev in range(shape[i]):
                alt = list(prof)
                alt[i] = dev
                if payoffs[(i, *alt)] > payoffs[(i, *prof)] + 1e-9:
                    ok = False
        if ok:
            out.append(list(prof))
    return out


@st.composite
def integer_games(draw, max_players=3, max_strategies=3):
    n = draw(st.integers(2, max_players))
    shape = tuple(draw(st.lists(st.integers(1, max_strategies), min_size=n, max_size=n)))
    return draw(arrays(np.float64, (n, *shape), elements=st.integers(-2, 2).map(float)))


@given(integer_games())
def test_pure_equilibria_agree_with_a_brute_force_loop(payoffs):
    ours = [[int(s.argmax()) for s in e.strategies] for e in pure_equilibria(payoffs)]
    assert ours == _brute_force_pure(payoffs)


@given(integer_games(max_players=2, max_strategies=4))
def test_every_returned_equilibrium_has_regret_below_tol(payoffs):
    A, B = payoffs
    res = two_player_equilibria(A, B)
    assert len(res.equilibria) >= 1  # every finite game has an equilibrium
    raced = lemke_howson_race(A, B).equilibria[0]
    for eq in [*res.equilibria, lemke_howson(A, B), raced]:
        assert np.all(regret(payoffs, eq.strategies) <= 1e-9)
        assert all(np.isclose(s.sum(), 1.0) for s in eq.strategies)


@given(integer_games(max_players=2, max_strategies=4))
def test_vertex_enumeration_contains_every_pure_equilibrium(payoffs):
    found = _as_set(two_player_equilibria(*payoffs).equilibria)
    for eq in pure_equilibria(payoffs):
        assert np.concatenate(eq.strategies).round(8).tolist() in found


@given(integer_games(max_players=2, max_strategies=4), st.data())
def test_racing_one_label_follows_the_single_label_path(payoffs, data):
    A, B = payoffs
    label = data.draw(st.integers(0, sum(A.shape) - 1))
    raced = lemke_howson_race(A, B, labels=[label])
    single = lemke_howson(A, B, initial_dropped_label=label)
    assert raced.parameters["winning_label"] == label
    for s, t in zip(raced.equilibria[0].strategies, single.strategies, strict=True):
        assert_allclose(s, t, atol=1e-9)


def test_regret_of_prisoners_dilemma_cooperation():
    pd = [[[3, 0], [5, 1]], [[3, 5], [0, 1]]]
    # Row cooperates, column mixes 50/50. Row: cooperate earns 1.5, defect 3 -> regret 1.5.
    # Column against a cooperator: cooperate 3, defect 5, its mix earns 4 -> regret 1.
    assert_allclose(regret(pd, [[1, 0], [0.5, 0.5]]), [1.5, 1.0])


def test_regret_rejects_a_profile_that_is_not_a_distribution():
    with pytest.raises(GameError, match=r"sum to 0\.5"):
        regret([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], [[0.5, 0], [1, 0]])


@pytest.mark.parametrize("method", ["gambit_logit", "gambit_simpdiv", "gambit_enumpoly"])
def test_n_player_methods_find_an_equilibrium_of_a_three_player_game(method):
    rng = np.random.default_rng(1)
    payoffs = rng.random((3, 2, 2, 2))
    res = n_player_equilibria(payoffs, method=method)
    assert res.method == method
    assert len(res.equilibria) >= 1
    for eq in res.equilibria:
        assert np.all(regret(payoffs, eq.strategies) <= 1e-6)


def test_dominated_strategies_pure_and_mixed():
    # Row 2 (1, 1) is beaten by no pure row but by the mix (1/2, 1/2) of rows 0, 1: (1.5, 1.5).
    A = [[3, 0], [0, 3], [1, 1]]
    B = [[1, 0], [0, 1], [0, 0]]
    assert dominated_strategies([A, B]) == {0: [], 1: []}
    assert dominated_strategies([A, B], mixed=True) == {0: [2], 1: []}


def test_weak_domination_needs_a_strict_gain_somewhere():
    A = [[1, 1], [1, 0], [1, 1]]  # row 1 weakly dominated; rows 0 and 2 equal, not dominated
    B = np.zeros((3, 2))
    assert dominated_strategies([A, B], strict=True) == {0: [], 1: []}
    assert dominated_strategies([A, B], strict=False) == {0: [1], 1: []}


def test_iterated_elimination_solves_prisoners_dilemma():
    pd = [[[3, 0], [5, 1]], [[3, 5], [0, 1]]]
    assert [s.tolist() for s in iterated_elimination(pd)] == [[1], [1]]


def test_normal_form_game_validates_in_from_arrays():
    g = NormalFormGame.from_arrays([[1, 0]], [[0, 1]], player_names=["a", "b"])
    assert g.shape == (1, 2)
    with pytest.raises(GameError, match="different shapes"):
        NormalFormGame.from_arrays([[1, 0]], [[0, 1, 2]])
    with pytest.raises(GameError, match="player_names must be 2 distinct"):
        NormalFormGame.from_arrays([[1, 0]], [[0, 1]], player_names=["a", "a"])


@pytest.mark.parametrize(
    ("payoffs", "message"),
    [
        (np.zeros((2, 2)), "n_players = ndim - 1"),
        (np.full((2, 2, 2), np.nan), "NaN"),
    ],
)
def test_bad_payoffs_raise_game_error(payoffs, message):
    with pytest.raises(GameError, match=message):
        pure_equilibria(payoffs)


def test_unknown_method_names_the_allowed_ones():
    with pytest.raises(GameError, match="allowed: vertex, support, nashpy, lemke_howson"):
        two_player_equilibria([[1]], [[1]], method="magic")


def test_equilibrium_is_frozen():
    eq = pure_equilibria([[[1]], [[1]]])[0]
    assert isinstance(eq, Equilibrium)
    with pytest.raises(AttributeError):
        eq.pure = False  # type: ignore[misc]


# --------------------------------------------------------------------- scale-relative tolerance


@pytest.mark.parametrize("factor", [1e-6, 1.0, 1e6], ids=["micro", "unit", "mega"])
def test_raced_lemke_howson_on_a_100x100_game_is_the_same_at_any_payoff_scale(factor):
    rng = np.random.default_rng(7)
    A, B = rng.random((100, 100)), rng.random((100, 100))
    base = lemke_howson_race(A, B).equilibria[0].strategies
    scaled = lemke_howson_race(A * factor, B * factor).equilibria[0].strategies
    for s, t in zip(base, scaled, strict=True):
        assert_allclose(s, t, atol=1e-9)


def test_lemke_howson_accepts_an_equilibrium_of_payoffs_near_a_million():
    # An absolute tol = 1e-9 rejected this correct equilibrium (relative error ~1e-14).
    rng = np.random.default_rng(3)
    A, B = 1e6 + rng.random((100, 100)) * 1e6, 1e6 + rng.random((100, 100)) * 1e6
    eq = lemke_howson_race(A, B).equilibria[0]
    assert np.all(regret(np.stack([A, B]), eq.strategies) <= 1e-9 * 2e6)


@pytest.mark.parametrize("factor", [1e-6, 1e6])
@pytest.mark.parametrize("method", ["vertex", "support"])
def test_all_equilibria_do_not_change_when_payoffs_are_rescaled(factor, method):
    rng = np.random.default_rng(11)
    A, B = rng.integers(0, 5, (5, 5)).astype(float), rng.integers(0, 5, (5, 5)).astype(float)
    base = two_player_equilibria(A, B, method=method).equilibria
    scaled = two_player_equilibria(A * factor, B * factor, method=method).equilibria
    assert len(base) == len(scaled)
    for e, f in zip(base, scaled, strict=True):
        for s, t in zip(e.strategies, f.strategies, strict=True):
            assert_allclose(s, t, atol=1e-9)
        assert_allclose(f.payoffs, e.payoffs * factor, rtol=1e-9)


@pytest.mark.parametrize("factor", [1e-12, 1e6])
def test_pure_equilibria_and_dominance_do_not_change_when_payoffs_are_rescaled(factor):
    # Prisoner's dilemma with a tiny margin between the payoffs.
    payoffs = np.array([[[3, 0], [5, 1]], [[3, 5], [0, 1]]], dtype=float)
    base = [e.strategies for e in pure_equilibria(payoffs)]
    scaled = [e.strategies for e in pure_equilibria(payoffs * factor)]
    assert [[s.tolist() for s in p] for p in base] == [[s.tolist() for s in p] for p in scaled]
    assert dominated_strategies(payoffs * factor) == dominated_strategies(payoffs)


@pytest.mark.parametrize("factor", [1e-6, 1e6], ids=["micro", "mega"])
def test_single_path_lemke_howson_is_the_same_at_any_payoff_scale(factor):
    rng = np.random.default_rng(5)
    A, B = rng.random((60, 60)), rng.random((60, 60))
    for label in (0, 59, 60, 119):
        base = lemke_howson(A, B, initial_dropped_label=label)
        scaled = lemke_howson(A * factor, B * factor, initial_dropped_label=label)
        for s, t in zip(base.strategies, scaled.strategies, strict=True):
            assert_allclose(s, t, rtol=0.0, atol=1e-9)
        assert np.all(regret(np.stack([A, B]) * factor, scaled.strategies) <= 1e-9 * factor)


# --------------------------------------------------------------------- candidate checks


def test_finalise_drops_a_candidate_only_near_an_equilibrium_kept_before_it():
    from dealsim.solvers._profiles import _finalise

    # Every profile of an all-zero game is an equilibrium: only the duplicate test decides.
    # 0.6e-6 is within tol = 1e-6 of 0 (dropped); 1.2e-6 is within it of the dropped one only.
    y = np.array([0.5, 0.5])
    candidates = [(np.array([0.5 + d, 0.5 - d]), y) for d in (0.0, 0.6e-6, 1.2e-6)]
    eqs, rejected = _finalise(np.zeros((2, 2, 2)), candidates, tol=1e-6)
    assert rejected == 0
    assert [e.strategies[0][0] for e in eqs] == [0.5 + 1.2e-6, 0.5]  # decreasing order


def test_finalise_reports_a_nearly_pure_candidate_as_exactly_pure():
    from dealsim.solvers._profiles import _finalise

    A = np.array([[2.0, 0.0], [0.0, 1.0]])  # battle of the sexes
    x = np.array([1 - 1e-13, 1e-13])
    eqs, _ = _finalise(np.stack([A, A[::-1, ::-1].T]), [(x, x), (x, x)], tol=1e-9)
    assert len(eqs) == 1 and eqs[0].pure
    assert [s.tolist() for s in eqs[0].strategies] == [[1.0, 0.0], [1.0, 0.0]]
    assert not eqs[0].strategies[0].flags.writeable


_PROBABILITIES = st.sampled_from(
    # exact and near duplicates, nearly pure (within 1e-12 of 1 or not), signed zeros
    [0.0, -0.0, 1e-13, 0.25, 0.5, 0.5 + 1e-10, 0.5 + 1e-7, 1 - 1e-13, 1 - 5e-12, 1 - 1e-11, 1.0]
)


@given(st.data())
def test_few_candidates_are_snapped_and_kept_as_the_array_path_does(data):
    from dealsim.solvers._profiles import (
        _FEW_CANDIDATES,
        _snap_and_keep,
        _snap_and_keep_arrays,
        _snap_and_keep_few,
    )

    # The Python-float path for a few candidates must give the array path's answer: the same
    # reported rows (bit for bit), purity, kept rows and order.
    k = data.draw(st.integers(1, _FEW_CANDIDATES))
    bounds = list(
        itertools.accumulate(
            data.draw(st.lists(st.integers(1, 4), min_size=2, max_size=3)), initial=0
        )
    )
    row = st.lists(_PROBABILITIES, min_size=bounds[-1], max_size=bounds[-1])
    Z = np.array(data.draw(st.lists(row, min_size=k, max_size=k)))
    atol = data.draw(st.sampled_from([1e-9, 1e-6, 0.25]))  # 0.25: |0.5 - 0.25| is atol
    few = _snap_and_keep_few(Z, Z.tolist(), bounds, atol)
    general = _snap_and_keep_arrays(Z, bounds, atol)
    assert few[0].tobytes() == general[0].tobytes()
    assert few[1:] == general[1:]
    assert _snap_and_keep(Z, bounds, atol)[1:] == general[1:]


def test_candidates_exactly_atol_apart_are_duplicates_on_both_paths():
    from dealsim.solvers._profiles import _snap_and_keep, _snap_and_keep_arrays

    Z = np.array([[0.5, 0.5, 0.25, 0.75], [0.25, 0.75, 0.5, 0.5]])  # every coordinate 0.25 apart
    assert _snap_and_keep(Z, [0, 2, 4], 0.25)[1:] == ([False, False], [0])
    assert _snap_and_keep_arrays(Z, [0, 2, 4], 0.25)[1:] == ([False, False], [0])


def test_candidates_with_nan_are_snapped_and_kept_by_the_array_path():
    from dealsim.solvers._profiles import _snap_and_keep, _snap_and_keep_arrays

    # max() of Python floats skips a NaN after a number (this row would look pure to it);
    # numpy's maximum propagates it, and the array path decides.
    Z = np.array([[1.0, np.nan, 1.0, 0.0], [0.0, 1.0, 0.5, 0.5]])
    snapped, is_pure, keep = _snap_and_keep(Z, [0, 2, 4], 1e-9)
    assert is_pure == [False, False] and keep == [0, 1]
    general = _snap_and_keep_arrays(Z, [0, 2, 4], 1e-9)
    assert snapped.tobytes() == general[0].tobytes() and (is_pure, keep) == general[1:]


@given(
    arrays(float, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=st.floats(-1e6, 1e6)),
    st.data(),
)
def test_two_player_values_of_all_candidates_are_the_per_candidate_products_bit_for_bit(A, data):
    from dealsim.solvers._profiles import _strategy_values, _two_player_values

    # One matrix-vector product per candidate, as _regret_and_payoffs makes for one profile;
    # a matrix-matrix product of all candidates could differ in the last bit.
    B = data.draw(arrays(float, A.shape, elements=st.floats(-1e6, 1e6)))
    k = data.draw(st.integers(1, 6))
    X = data.draw(arrays(float, (k, A.shape[0]), elements=st.floats(0, 1)))
    Y = data.draw(arrays(float, (k, A.shape[1]), elements=st.floats(0, 1)))
    Z = np.concatenate([X, Y], axis=1)  # the players' columns of one array, as _finalise has them
    X, Y = Z[:, : A.shape[0]], Z[:, A.shape[0] :]
    value, best = _two_player_values(np.stack([A, B]), X, Y)
    for c in range(k):
        rows, cols = _strategy_values(np.stack([A, B]), [X[c], Y[c]])
        assert value[c].tobytes() == np.array([rows @ X[c], cols @ Y[c]]).tobytes()
        assert best[c].tolist() == [rows.max(), cols.max()]


@given(
    arrays(float, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=st.floats(-1e6, 1e6)),
    st.data(),
)
def test_two_player_strategy_values_are_the_tensordot_products_bit_for_bit(A, data):
    from dealsim.solvers._profiles import _strategy_values

    B = data.draw(arrays(float, A.shape, elements=st.floats(-1e6, 1e6)))
    x = data.draw(arrays(float, A.shape[0], elements=st.floats(0, 1)))
    y = data.draw(arrays(float, A.shape[1], elements=st.floats(0, 1)))
    rows, cols = _strategy_values(np.stack([A, B]), [x, y])
    assert rows.tobytes() == np.tensordot(A, y, axes=([1], [0])).tobytes()
    assert cols.tobytes() == np.tensordot(B, x, axes=([0], [0])).tobytes()


@pytest.fixture
def search_only(monkeypatch):
    """The vertex kernel without its double-description fast path: the search over bases on
    every game (the tests below check the search itself)."""
    from dealsim.solvers import _enumeration

    monkeypatch.setattr(_enumeration, "_DOUBLE_DESCRIPTION_MAX_VARS", 0)


@pytest.mark.parametrize("shape", [(3, 3), (6, 6), (8, 8), (13, 13), (4, 7), (9, 5)])
@pytest.mark.parametrize("seed", range(4))
def test_nondegenerate_vertex_pairs_joined_on_basis_keys_are_the_label_join(
    shape, seed, monkeypatch, search_only
):
    from dealsim.solvers import _enumeration

    # In a nondegenerate game every basis is a vertex labelled by its nonbasic variables, and
    # the kernel joins P's labels with Q's basic variables; the general join on the labels of
    # the deduplicated vertices must give the same pairs, in the same order, bit for bit.
    rng = np.random.default_rng(seed)
    A, B = _enumeration._rescale(rng.random(shape)), _enumeration._rescale(rng.random(shape))
    X, Y, degenerate, continuum = _enumeration._vertex_kernel(A, B, tol=1e-9)
    monkeypatch.setattr(_enumeration._Bases, "simple", lambda self, tol: False)
    X2, Y2, degenerate2, continuum2 = _enumeration._vertex_kernel(A, B, tol=1e-9)
    assert len(X) >= 1 and not degenerate and not continuum
    assert (degenerate2, continuum2) == (False, False)
    assert X.tobytes() == X2.tobytes() and Y.tobytes() == Y2.tobytes()


def _search_bytes(A, B):
    """The bases, their order and values of the vertex searches on (A, B), and the vertex
    pairs the kernel joins, as bytes."""
    from dealsim.solvers import _enumeration

    A, B = _enumeration._rescale(A), _enumeration._rescale(B)
    runs = [(B.T,), (A,)] + ([(B.T, A)] if A.shape[0] == A.shape[1] else [])
    X, Y, degenerate, continuum = _enumeration._vertex_kernel(A, B, tol=1e-9)
    return [
        b.keys.tobytes() + b.basic.tobytes() + b.values.tobytes()
        for Ms in runs
        for b in _enumeration._polytope_bases(*Ms)
    ] + [X.tobytes(), Y.tobytes(), degenerate, continuum]


@pytest.mark.parametrize("kind", ["uniform", "integer"])
@pytest.mark.parametrize("shape", [(3, 3), (8, 8), (10, 10), (4, 9), (7, 2), (2, 24)])
@pytest.mark.parametrize("seed", range(3))
def test_key_table_and_scratch_buffers_give_the_sorted_search_bit_for_bit(
    kind, shape, seed, monkeypatch, search_only
):
    from dealsim.solvers import _enumeration

    # The key table and the scratch buffers are faster ways to the same search: without them
    # (each layer's children sorted and merged into the keys seen, every array fresh, the pivot
    # column by column, the vertex pairs joined by np.intersect1d) the bases, their order and
    # values, and the equilibria are the same, bit for bit;
    # small-integer payoffs tie in the ratio test (the lexicographic rule, children that are
    # no bases).
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        A, B = rng.random(shape), rng.random(shape)
    else:
        A, B = rng.integers(0, 3, shape).astype(float), rng.integers(0, 3, shape).astype(float)
    fast = _search_bytes(A, B)
    monkeypatch.setattr(_enumeration, "_TABLE_BITS", 0)
    monkeypatch.setattr(_enumeration, "_SCRATCH_BYTES", 0)
    assert _search_bytes(A, B) == fast


@pytest.mark.parametrize("kind", ["uniform", "integer", "near-zero-sum"])
@pytest.mark.parametrize("shape", [(3, 3), (8, 8), (10, 10), (4, 9), (7, 2)])
@pytest.mark.parametrize("seed", range(3))
def test_the_clear_ratio_test_gives_the_exact_one_s_search_bit_for_bit(
    kind, shape, seed, monkeypatch, search_only
):
    from dealsim.solvers import _enumeration

    # Layers whose ratio tests are clear take the largest col / rhs instead of the smallest
    # eligible rhs / col; with every layer sent to the exact test instead (masks, ties, the
    # lexicographic rule) the bases, their order and values, and the equilibria are the same.
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        A, B = rng.random(shape), rng.random(shape)
    elif kind == "integer":
        A, B = rng.integers(0, 3, shape).astype(float), rng.integers(0, 3, shape).astype(float)
    else:  # ratios within a hair of each other
        A = rng.random(shape)
        B = -A + 1e-7 * rng.random(shape)
    fast = _search_bytes(A, B)
    monkeypatch.setattr(_enumeration, "_clear_rows", lambda search, T, scratch: None)
    assert _search_bytes(A, B) == fast


_RATIO_ENTRIES = st.sampled_from(
    [0.0, -0.0, 1.0, 2.0, 0.5, -1.0, 1e-9, 2e-9, 5e-10, 1e-12, 3.0, 1.0 + 1e-9, 1.0 + 3e-9, 7.0]
) | st.floats(-2.0, 5.0, allow_nan=False)


@example(np.array([[[1e-10], [5e-324]]]))  # col / rhs overflows, col not eligible
@example(np.array([[[1.0, 1.0], [1.0, 1.0 + 1e-9]], [[1.0, 1.0], [1.0, 1.0]]]))
@given(
    st.integers(1, 5).flatmap(
        lambda r: st.integers(1, 5).flatmap(
            lambda d: st.integers(1, 4).flatmap(
                lambda f: arrays(np.float64, (r, d + 1, f), elements=_RATIO_ENTRIES)
            )
        )
    )
)
def test_a_clear_ratio_test_chooses_the_exact_test_s_rows(T):
    from dealsim.solvers import _enumeration

    # Whenever the clear test answers (positive right-hand sides, one row ahead by a margin in
    # every column, eligible pivots), it names the rows of minimum eligible ratio that the
    # exact test names, with no tie and no unbounded column; ties, zero or negative
    # right-hand sides and tiny pivots are left to the exact test.
    r, d1, f = T.shape
    search = _enumeration._start(np.ones((r, d1 - 1)))[0]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        clear = _enumeration._clear_rows(search, T, False)
        exact, unbounded = _enumeration._exact_rows(
            search,
            T,
            np.tile(np.arange(d1 - 1, d1 - 1 + r), (f, 1)),
            np.tile(np.arange(d1 - 1), (f, 1)),
            False,
        )
    if clear is not None:
        assert unbounded is None
        assert clear.tolist() == exact.tolist()
        rhs, cols = T[:, d1 - 1], T[:, : d1 - 1]
        assert (rhs > 0).all()
        chosen = np.take_along_axis(cols, clear[None], 0)[0]
        assert (chosen > _enumeration._PIVOT_TOL).all()


def _answer(A, B):
    res = two_player_equilibria(A, B)
    eqs = [b"".join(s.tobytes() for s in (*e.strategies, e.payoffs)) for e in res.equilibria]
    return eqs, res.degenerate, res.notes


def test_a_search_stopped_by_the_basis_limit_leaves_nothing_seen_for_the_next(
    monkeypatch, search_only
):
    from dealsim.solvers import _enumeration

    rng = np.random.default_rng(5)
    A, B = rng.random((8, 8)), rng.random((8, 8))
    expected = _answer(A, B)
    with monkeypatch.context() as patch:
        patch.setattr(_enumeration, "_MAX_BASES", 50)
        with pytest.raises(SolverError, match="more than 50 bases"):
            _enumeration._vertex_kernel(
                _enumeration._rescale(A), _enumeration._rescale(B), tol=1e-9
            )
    assert _answer(A, B) == expected


def test_key_table_numbers_starting_over_leave_the_equilibria_unchanged(monkeypatch, search_only):
    from dealsim.solvers import _enumeration

    rng = np.random.default_rng(6)
    games = [(rng.random((m, m)), rng.random((m, m))) for m in (5, 8, 9)]
    expected = [_answer(A, B) for A, B in games]
    monkeypatch.setattr(_enumeration, "_TICK_LIMIT", 100)  # the table is cleared at each search
    assert [_answer(A, B) for A, B in games] == expected


def test_equilibria_found_in_threads_at_once_are_those_found_one_after_another():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(7)
    games = [(rng.random((m, m)), rng.random((m, m))) for m in (6, 8, 9, 10, 12)]
    expected = [_answer(A, B) for A, B in games]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda game: _answer(*game), games * 4))
    assert got == expected * 4


def test_vertex_enumeration_above_its_vertex_bound_falls_back_to_one_equilibrium():
    # 13x13: McMullen's bound on the two polytopes' vertices is 108,528 > MAX_VERTEX_BOUND.
    rng = np.random.default_rng(8)
    A, B = rng.random((13, 13)), rng.random((13, 13))
    res = two_player_equilibria(A, B)
    assert res.method == "lemke_howson"
    assert res.parameters["fallback"] == "vertex enumeration too large"
    assert res.notes[0].startswith("not every equilibrium: vertex enumeration did not finish")
    assert "108,528 vertices (limit 100,000)" in res.notes[0]
    (eq,) = res.equilibria
    assert regret(np.stack([A, B]), eq.strategies).max() <= 1e-9


def test_too_many_vertex_pairs_fall_back_to_one_equilibrium_not_a_memory_error():
    # The column player is indifferent everywhere (B = 0): its polytope is degenerate, and every
    # vertex of it pairs with many of the row player's. An 11x15 game of this kind has over
    # 100,000 completely labelled pairs; their deduplication table would take tens of GiB.
    rng = np.random.default_rng(0)
    A, B = rng.random((11, 15)) * 1e-9, np.zeros((11, 15))
    res = two_player_equilibria(A, B)
    assert res.method == "lemke_howson"
    assert "completely labelled vertex pairs (limit 10,000)" in res.notes[0]
    (eq,) = res.equilibria
    assert regret(np.stack([A, B]), eq.strategies).max() <= 1e-9


def test_vertex_pairs_up_to_the_candidate_limit_are_all_enumerated(monkeypatch):
    from dealsim.solvers import _enumeration, equilibrium

    rng = np.random.default_rng(1)
    A, B = rng.random((4, 5)), np.zeros((4, 5))
    pairs = len(
        _enumeration._vertex_kernel(_enumeration._rescale(A), _enumeration._rescale(B), tol=1e-9)[0]
    )
    assert pairs > 1
    monkeypatch.setattr(equilibrium, "MAX_VERTEX_CANDIDATES", pairs)
    at_limit = two_player_equilibria(A, B)
    assert at_limit.method == "vertex" and len(at_limit.equilibria) > 1
    monkeypatch.setattr(equilibrium, "MAX_VERTEX_CANDIDATES", pairs - 1)
    assert two_player_equilibria(A, B).method == "lemke_howson"
