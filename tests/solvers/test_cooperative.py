"""Tests of dealsim.solvers.cooperative against models.md section 8 and textbook TU games."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from dealsim.errors import SolverError
from dealsim.solvers.cooperative import (
    CoreResult,
    LeastCoreResult,
    NucleolusResult,
    banzhaf_value,
    core,
    least_core,
    nucleolus,
    shapley_value,
)
from strategies import games_with_core, tu_games

# --------------------------------------------------------------------------- helpers


def membership(n: int) -> np.ndarray:
    """``(2**n, n)`` boolean: row ``mask`` marks the members of coalition ``mask``."""
    masks = np.arange(2**n)
    return ((masks[:, None] >> np.arange(n)) & 1).astype(bool)


def game(n: int, worth) -> np.ndarray:
    """The game ``v[mask] = worth(set of members)``."""
    return np.array([float(worth(frozenset(np.flatnonzero(row)))) for row in membership(n)])


def bankruptcy(claims, estate: float) -> np.ndarray:
    """``v(S) = max(0, E - sum of the claims outside S)`` (O'Neill 1982)."""
    claims = np.asarray(claims, dtype=float)
    outside = (~membership(claims.size)).astype(float) @ claims
    return np.maximum(0.0, estate - outside)


def talmud_rule(claims, estate: float) -> np.ndarray:
    """Aumann & Maschler (1985): equal awards on half-claims up to C/2, equal losses beyond."""
    half = np.asarray(claims, dtype=float) / 2

    def equal_awards(amount: float) -> np.ndarray:  # min(half_i, lam), summing to amount
        lo, hi = 0.0, half.max()
        for _ in range(200):
            lam = (lo + hi) / 2
            lo, hi = (lam, hi) if np.minimum(half, lam).sum() < amount else (lo, lam)
        return np.minimum(half, (lo + hi) / 2)

    if estate <= half.sum():
        return equal_awards(estate)
    return 2 * half - equal_awards(2 * half.sum() - estate)  # losses shared like awards


def excesses(v: np.ndarray, x) -> np.ndarray:
    """``v(S) - x(S)`` for the proper non-empty coalitions."""
    n = len(x)
    return (v - membership(n).astype(float) @ np.asarray(x, dtype=float))[1:-1]


def game_scale(*games: np.ndarray) -> float:
    """The largest absolute worth (at least the smallest normal float): the tolerances' unit.

    ``tu_games`` draws worths anywhere in ``[-1, 1]``, so a whole game can be of ``1e-7``; a
    tolerance relative to the scale checks it as closely as a game of ``1``.
    """
    return max(max(float(np.abs(v).max()) for v in games), np.finfo(float).tiny)


def brute_shapley(v: np.ndarray) -> np.ndarray:
    """Average marginal contribution over all n! orders."""
    n = int(np.log2(v.size))
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        mask = 0
        for i in order:
            phi[i] += v[mask | 1 << i] - v[mask]
            mask |= 1 << i
    return phi / math.factorial(n)


def permuted(v: np.ndarray, perm) -> np.ndarray:
    """The same game with player ``i`` renamed ``perm[i]``."""
    n = len(perm)
    image = membership(n).astype(np.int64) @ (1 << np.asarray(perm, dtype=np.int64))
    out = np.empty_like(v)
    out[image] = v
    return out


def lex_less_or_equal(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """Sorted-decreasing ``a`` is lexicographically at most sorted-decreasing ``b``."""
    a, b = np.sort(a)[::-1], np.sort(b)[::-1]
    differ = np.flatnonzero(np.abs(a - b) > tol)
    return differ.size == 0 or a[differ[0]] < b[differ[0]]


# --------------------------------------------------------------------------- strategies


def with_imputations(v: np.ndarray) -> np.ndarray:
    """Raise v(N) so that the imputation set is not empty."""
    v = v.copy()
    singles = v[1 << np.arange(int(np.log2(v.size)))]
    v[-1] = max(v[-1], singles.sum())
    return v


# --------------------------------------------------------------------------- textbook games

GLOVE = game(3, lambda s: float(0 in s and bool(s & {1, 2})))
MAJORITY = game(3, lambda s: float(len(s) >= 2))
UNANIMITY_01 = game(3, lambda s: float({0, 1} <= s))

TEXTBOOK_SHAPLEY = [
    pytest.param(GLOVE, [2 / 3, 1 / 6, 1 / 6], id="glove-game"),
    pytest.param(MAJORITY, [1 / 3, 1 / 3, 1 / 3], id="three-player-majority"),
    pytest.param(UNANIMITY_01, [1 / 2, 1 / 2, 0.0], id="unanimity-of-two"),
    pytest.param(bankruptcy([100, 200, 300], 200), [100 / 3, 250 / 3, 250 / 3], id="talmud-200"),
]

TALMUD = [  # Aumann & Maschler (1985), table 1: claims (100, 200, 300)
    pytest.param(100.0, [100 / 3, 100 / 3, 100 / 3], id="talmud-estate-100"),
    pytest.param(200.0, [50.0, 75.0, 75.0], id="talmud-estate-200"),
    pytest.param(300.0, [50.0, 100.0, 150.0], id="talmud-estate-300"),
]


# --------------------------------------------------------------------------- Shapley, Banzhaf


@pytest.mark.parametrize(("v", "expected"), TEXTBOOK_SHAPLEY)
def test_shapley_value_of_textbook_games(v, expected):
    assert_allclose(shapley_value(v), expected, rtol=1e-12, atol=1e-12)


@given(tu_games())
def test_shapley_value_matches_average_over_orders(v):
    assert_allclose(shapley_value(v), brute_shapley(v), rtol=0, atol=1e-12 * game_scale(v))


@given(tu_games(max_players=6))
def test_shapley_value_is_efficient(v):
    assert_allclose(shapley_value(v).sum(), v[-1], rtol=0, atol=1e-12 * game_scale(v))


@given(tu_games(min_players=2), st.randoms(use_true_random=False))
def test_shapley_value_is_symmetric_under_renaming_players(v, random):
    n = int(np.log2(v.size))
    perm = list(range(n))
    random.shuffle(perm)
    assert_allclose(
        shapley_value(permuted(v, perm))[perm], shapley_value(v), rtol=0, atol=1e-12 * game_scale(v)
    )


@given(tu_games(max_players=3), st.floats(-1, 1))
def test_dummy_player_gets_its_own_worth(v, own):
    # player n joins every coalition adding exactly `own`
    n = int(np.log2(v.size))
    extended = np.concatenate([v, v + own])
    phi = shapley_value(extended)
    tol = 1e-12 * game_scale(extended)
    assert_allclose(phi[n], own, rtol=0, atol=tol)
    assert_allclose(phi[:n], shapley_value(v), rtol=0, atol=tol)
    assert_allclose(banzhaf_value(extended)[n], own, rtol=0, atol=tol)


@given(st.integers(1, 5).flatmap(lambda n: st.tuples(tu_games(n, n), tu_games(n, n))))
def test_shapley_and_banzhaf_values_are_additive(pair):
    v, w = pair
    tol = 1e-12 * game_scale(v, w)
    assert_allclose(shapley_value(v + w), shapley_value(v) + shapley_value(w), rtol=0, atol=tol)
    assert_allclose(banzhaf_value(v + w), banzhaf_value(v) + banzhaf_value(w), rtol=0, atol=tol)


@pytest.mark.parametrize("members", [(0,), (1, 2), (0, 2, 3), (0, 1, 2, 3)])
def test_banzhaf_and_shapley_of_unanimity_games(members):
    v = game(4, lambda s: float(set(members) <= s))
    inside = np.isin(np.arange(4), members)
    assert_allclose(banzhaf_value(v), np.where(inside, 0.5 ** (len(members) - 1), 0.0))
    assert_allclose(banzhaf_value(v, normalized=True), inside / len(members))
    assert_allclose(shapley_value(v), inside / len(members))


@given(tu_games())
def test_banzhaf_value_averages_marginal_contributions(v):
    n = int(np.log2(v.size))
    rows = membership(n)
    expected = [
        np.mean([v[m | 1 << i] - v[m] for m in range(2**n) if not rows[m, i]]) for i in range(n)
    ]
    assert_allclose(banzhaf_value(v), expected, rtol=0, atol=1e-12 * game_scale(v))


def test_shapley_value_of_a_twenty_player_game():
    rng = np.random.default_rng(20)
    v = rng.random(2**20)
    v[0] = 0.0
    phi = shapley_value(v)
    assert phi.shape == (20,)
    assert_allclose(phi.sum(), v[-1], rtol=1e-12)


def test_values_scale_with_the_game():
    for factor in (1e6, 1e-12):
        assert_allclose(shapley_value(GLOVE * factor), [2 / 3 * factor, factor / 6, factor / 6])
        assert_allclose(banzhaf_value(GLOVE * factor, normalized=True), [0.6, 0.2, 0.2])


def test_one_player_game():
    assert shapley_value([0.0, 2.5]).tolist() == [2.5]
    assert banzhaf_value([0.0, 2.5]).tolist() == [2.5]
    assert nucleolus([0.0, 2.5]).point == (2.5,)
    assert core([0.0, 2.5]).point == (2.5,)
    assert least_core([0.0, 2.5]).epsilon == -math.inf


# --------------------------------------------------------------------------- core, least core


def test_glove_game_core_is_the_scarce_glove_taking_all():
    res = core(GLOVE)
    assert isinstance(res, CoreResult)
    assert not res.empty
    assert_allclose(res.point, [1.0, 0.0, 0.0], atol=1e-12)
    assert_allclose(res.epsilon, 0.0, atol=1e-12)
    assert res.to_dict()["method"] == "least_core_lp"


def test_majority_game_has_empty_core_and_a_one_point_least_core():
    res = core(MAJORITY)
    assert res.empty and res.point is None
    assert_allclose(res.epsilon, 1 / 3, atol=1e-12)
    lc = least_core(MAJORITY)
    assert isinstance(lc, LeastCoreResult)
    assert_allclose(lc.epsilon, 1 / 3, atol=1e-12)
    assert_allclose(lc.point, [1 / 3, 1 / 3, 1 / 3], atol=1e-12)


@given(games_with_core())
def test_core_point_satisfies_every_coalition(v):
    res = core(v)
    tol = 1e-9 * game_scale(v)
    assert not res.empty
    assert_allclose(sum(res.point), v[-1], rtol=0, atol=tol)
    assert excesses(v, res.point).max() <= tol


@given(tu_games(min_players=2))
def test_least_core_value_bounds_every_excess(v):
    res = least_core(v)
    tol = 1e-9 * game_scale(v)
    assert_allclose(sum(res.point), v[-1], rtol=0, atol=tol)
    assert_allclose(excesses(v, res.point).max(), res.epsilon, rtol=0, atol=tol)
    assert core(v).empty == (res.epsilon > 1e-9 * np.abs(v).max())


def test_core_and_least_core_are_scale_free():
    for factor in (1e6, 1e-12):
        res = core(GLOVE * factor)
        assert not res.empty
        assert_allclose(res.point, [factor, 0.0, 0.0], atol=1e-12 * factor)
        assert core(MAJORITY * factor).empty
        assert_allclose(least_core(MAJORITY * factor).epsilon, factor / 3, rtol=1e-9)


# --------------------------------------------------------------------------- nucleolus


@pytest.mark.parametrize(("estate", "expected"), TALMUD)
def test_nucleolus_of_the_talmud_bankruptcy_problems(estate, expected):
    res = nucleolus(bankruptcy([100, 200, 300], estate))
    assert isinstance(res, NucleolusResult)
    assert_allclose(res.point, expected, rtol=1e-12)
    assert res.n_programs <= 2
    assert list(res.excesses) == sorted(res.excesses, reverse=True)


@given(
    st.lists(st.integers(1, 400), min_size=2, max_size=5),
    st.floats(0.0, 1.0),
)
def test_nucleolus_of_a_bankruptcy_game_is_the_talmud_rule(claims, share):
    estate = share * sum(claims)
    assert_allclose(
        nucleolus(bankruptcy(claims, estate)).point,
        talmud_rule(claims, estate),
        atol=1e-9 * sum(claims),
    )


def test_nucleolus_of_the_glove_game_and_majority_game():
    assert_allclose(nucleolus(GLOVE).point, [1.0, 0.0, 0.0], atol=1e-12)
    assert_allclose(nucleolus(MAJORITY).point, [1 / 3] * 3, atol=1e-12)


@given(games_with_core())
def test_nucleolus_lies_in_a_nonempty_core(v):
    x = nucleolus(v).point
    tol = 1e-9 * game_scale(v)
    assert_allclose(sum(x), v[-1], rtol=0, atol=tol)
    assert excesses(v, x).max() <= tol


@example(
    np.array([0.0, -1.1920929e-07, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]), 0
)  # values of 1e-7: failed with an absolute tolerance
@given(tu_games(min_players=2), st.integers(0, 2**32 - 1))
def test_nucleolus_sorted_excesses_are_lexicographically_smallest(v, seed):
    v = with_imputations(v)
    n = int(np.log2(v.size))
    x = np.array(nucleolus(v).point)
    singles = v[1 << np.arange(n)]
    # relative to the game's scale: at values of 1e-7 an absolute 1e-9 took excesses that
    # differ by 8e-10 for equal and compared later, smaller ones
    tol = 1e-9 * game_scale(v)
    assert (x >= singles - tol).all()
    ex = excesses(v, x)
    rng = np.random.default_rng(seed)
    spare = v[-1] - singles.sum()
    for step in (1.0, 1e-2, 1e-4):  # far imputations and ones close to the nucleolus
        for _ in range(20):
            y = singles + spare * rng.dirichlet(np.ones(n))
            y = x + step * (y - x)  # still an imputation: the set is convex
            assert lex_less_or_equal(ex, excesses(v, y), tol=tol)


@given(tu_games(min_players=2, max_players=4), st.randoms(use_true_random=False))
def test_nucleolus_is_symmetric_under_renaming_players(v, random):
    v = with_imputations(v)
    perm = list(range(int(np.log2(v.size))))
    random.shuffle(perm)
    renamed = np.array(nucleolus(permuted(v, perm)).point)
    assert_allclose(renamed[perm], nucleolus(v).point, rtol=0, atol=1e-8 * game_scale(v))


def test_nucleolus_is_scale_free():
    for factor in (1e6, 1e-12):
        res = nucleolus(bankruptcy([100, 200, 300], 200) * factor)
        assert_allclose(res.point, np.array([50.0, 75.0, 75.0]) * factor, rtol=1e-12)


def test_nucleolus_needs_at_most_n_minus_one_programmes():
    rng = np.random.default_rng(7)
    v = with_imputations(np.concatenate([[0.0], rng.random(2**8 - 1)]))
    assert nucleolus(v).n_programs <= 7


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("v", "message"),
    [
        pytest.param([0.0, 1.0, 2.0], r"v must have length 2\*\*n .* got length 3", id="length-3"),
        pytest.param([0.0], r"v must have length 2\*\*n .* got length 1", id="length-1"),
        pytest.param([[0.0, 1.0]], "v must be a one-dimensional array", id="two-dimensional"),
        pytest.param([0.0, np.nan], "v must be finite", id="nan"),
        pytest.param([0.0, np.inf, 1, 2], "v must be finite", id="infinity"),
        pytest.param([1.0, 1.0], r"v\[0\] is the empty coalition's worth and must be 0", id="v0"),
        pytest.param(["a", "b"], "v must be numeric", id="text"),
    ],
)
def test_malformed_games_are_rejected_naming_v(v, message):
    for solver in (shapley_value, banzhaf_value, core, least_core, nucleolus):
        with pytest.raises(SolverError, match=message):
            solver(v)


def test_round_off_in_the_empty_coalition_is_tolerated():
    v = GLOVE.copy()
    v[0] = 1e-17
    assert_allclose(shapley_value(v), [2 / 3, 1 / 6, 1 / 6])
    assert v[0] == 1e-17  # the caller's array is left alone


@pytest.mark.parametrize("unit", [1e-310, 1e-12, 1.0, 1e9])
def test_answers_scale_with_the_game_even_below_the_smallest_tolerance_scale(unit):
    # The game's scale is its exact largest |v|, so its programmes are solved on v / unit at any
    # unit. Floored at 1e-300 (tolerance_scale), a game of 1e-310 reached HiGHS as worths of
    # 1e-10: the Talmud nucleolus came out (0.25, 0.75, 0) x unit and a 1e-321 v[0] passed.
    rtol = 1e-9 if unit < 1e-300 else 1e-12  # a subnormal carries fewer digits
    talmud = bankruptcy([100, 200, 300], 200) / 200
    assert_allclose(nucleolus(talmud * unit).point, np.array([0.25, 0.375, 0.375]) * unit, rtol)
    assert core(MAJORITY * unit).empty
    assert_allclose(least_core(MAJORITY * unit).epsilon, unit / 3, rtol)
    glove = core(GLOVE * unit)
    assert not glove.empty
    assert_allclose(glove.point, [unit, 0.0, 0.0], rtol=0, atol=1e-12 * unit)
    assert_allclose(shapley_value(GLOVE * unit), np.array([4, 1, 1]) / 6 * unit, rtol)
    assert_allclose(banzhaf_value(GLOVE * unit, normalized=True), [0.6, 0.2, 0.2], rtol)
    # v[0] within 1e-12 of the game's scale is round-off at every unit; above it, an error
    v = GLOVE * unit
    v[0] = 1e-13 * unit
    assert_allclose(shapley_value(v), np.array([4, 1, 1]) / 6 * unit, rtol)
    v[0] = 1e-11 * unit
    with pytest.raises(SolverError, match=r"v\[0\] is the empty coalition's worth"):
        shapley_value(v)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_the_zero_game_gives_zero_everywhere(n, zero):
    # no largest magnitude: the game's scale is tolerance_scale's 1e-300 (it was 1); every
    # worth, allocation and excess is 0 in any unit, so the answers are exactly 0
    v = np.full(2**n, zero)
    zeros = [0.0] * n
    assert shapley_value(v).tolist() == zeros and banzhaf_value(v).tolist() == zeros
    with pytest.raises(SolverError, match="Banzhaf values sum to 0"):
        banzhaf_value(v, normalized=True)
    c, lc, nu = core(v), least_core(v), nucleolus(v)
    assert not c.empty and c.point == tuple(zeros) and nu.point == tuple(zeros)
    assert lc.point == tuple(zeros)
    assert c.epsilon == lc.epsilon == (-math.inf if n == 1 else 0.0)
    assert nu.excesses == (0.0,) * (n - 1)


def test_linear_programmes_refuse_games_above_max_players():
    v = np.zeros(2**5)
    with pytest.raises(SolverError, match=r"v has 5 players .* limit max_players=4; pass a larger"):
        nucleolus(v, max_players=4)
    with pytest.raises(SolverError, match="max_players must be an integer"):
        core(v, max_players=4.5)
    assert not core(v, max_players=5).empty


def test_nucleolus_needs_imputations():
    v = game(2, lambda s: 1.0 if len(s) == 1 else (0.5 if len(s) == 2 else 0.0))
    with pytest.raises(SolverError, match=r"v: the set of imputations is empty: v\(N\) = 0.5"):
        nucleolus(v)


def test_normalized_banzhaf_of_a_zero_sum_game_is_refused():
    with pytest.raises(SolverError, match="Banzhaf values sum to 0 and cannot be normalized"):
        banzhaf_value([0.0, 1.0, -1.0, 0.0], normalized=True)


def test_negative_tolerance_is_refused():
    with pytest.raises(SolverError, match="tol must be a finite number >= 0"):
        core(GLOVE, tol=-1.0)
