"""Tests of dealsim.solvers.voting: exact power indices of weighted voting bodies."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from dealsim.errors import SolverError
from dealsim.solvers.cooperative import banzhaf_value, shapley_value
from dealsim.solvers.voting import banzhaf_index, shapley_shubik_index, weighted_voting_game

# Eurostat, population on 1 January 2024 (news release "EU population increases again in 2024",
# 11 July 2024), in persons; the tests use thousands. Order: DE FR IT ES PL RO NL BE CZ PT SE
# EL HU AT BG DK FI SK IE HR LT SI LV EE CY LU MT.
EU_POPULATION_2024 = np.array(
    [
        83_445_000, 68_402_000, 58_989_700, 48_610_500, 36_621_000, 19_064_400, 17_942_900,
        11_832_000, 10_900_600, 10_639_700, 10_551_700, 10_397_200, 9_584_600, 9_158_800,
        6_445_500, 5_961_200, 5_603_900, 5_424_700, 5_343_800, 3_862_000, 2_885_900, 2_123_900,
        1_871_900, 1_374_700, 933_500, 672_100, 563_000,
    ]
)  # fmt: skip
EU_THOUSANDS = (EU_POPULATION_2024 + 500) // 1000


def qualified_majority(population: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Double majority: 55% of the members and 65% of the population."""
    n = population.size
    return np.vstack([np.ones(n), population]), [0.55 * n, 0.65 * population.sum()]


# --------------------------------------------------------------------------- named bodies

UN_SECURITY_COUNCIL = dict(weights=np.ones(15), quota=9, veto=range(5))

NAMED_SHAPLEY_SHUBIK = [
    pytest.param(
        UN_SECURITY_COUNCIL,
        [Fraction(421, 2145)] * 5 + [Fraction(4, 2145)] * 10,
        id="un-security-council",
    ),
    pytest.param(  # Luxembourg is a dummy (weights 4, 4, 4, 2, 2, 1; 12 of 17 votes)
        dict(weights=[4, 4, 4, 2, 2, 1], quota=12),
        [Fraction(7, 30)] * 3 + [Fraction(3, 20)] * 2 + [Fraction(0)],
        id="eec-council-1958",
    ),
    pytest.param(
        dict(weights=[50, 49, 1], quota=51),
        [Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)],
        id="fifty-fortynine-one",
    ),
    pytest.param(
        dict(weights=[3, 2, 1, 1], quota=4, veto=[3]),
        None,  # checked against the game only
        id="weighted-with-a-veto",
    ),
]


@pytest.mark.parametrize(("body", "expected"), NAMED_SHAPLEY_SHUBIK)
def test_shapley_shubik_index_of_named_bodies(body, expected):
    ss = shapley_shubik_index(**body)
    assert_allclose(ss, shapley_value(weighted_voting_game(**body)), atol=1e-15)
    assert_allclose(ss.sum(), 1.0, rtol=1e-15)
    if expected is not None:
        assert ss.tolist() == [float(f) for f in expected]  # exact fractions, rounded once


def test_banzhaf_index_of_the_eec_council_and_the_security_council():
    assert_allclose(banzhaf_index([4, 4, 4, 2, 2, 1], 12), [5 / 21] * 3 + [1 / 7] * 2 + [0.0])
    raw = banzhaf_index(**UN_SECURITY_COUNCIL, normalized=False)
    assert_allclose(raw, banzhaf_value(weighted_voting_game(**UN_SECURITY_COUNCIL)), atol=1e-15)
    # a permanent member swings for 848 of the 2**14 coalitions of the others, an elected one 84
    assert_allclose(raw[[0, 5]], [848 / 2**14, 84 / 2**14], rtol=1e-15)


@given(
    st.integers(1, 7).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(st.integers(0, 6), min_size=n, max_size=n), min_size=1, max_size=3),
            st.lists(st.booleans(), min_size=n, max_size=n),
            st.lists(st.floats(0.01, 1.0), min_size=3, max_size=3),
        )
    )
)
def test_indices_equal_the_values_of_the_voting_game(body):
    rows, is_veto, fractions = body
    w = np.array(rows)
    w[:, 0] += 1  # every rule has some weight
    quota = [max(1, round(f * row.sum())) for f, row in zip(fractions, w, strict=False)]
    veto = np.flatnonzero(is_veto)
    v = weighted_voting_game(w, quota, veto)
    assert_allclose(shapley_shubik_index(w, quota, veto), shapley_value(v), atol=1e-13)
    assert_allclose(banzhaf_index(w, quota, veto, normalized=False), banzhaf_value(v), atol=1e-13)
    assert_allclose(banzhaf_index(w, quota, veto), banzhaf_value(v, normalized=True), atol=1e-13)


def test_double_majority_matches_the_enumerated_game_for_sixteen_members():
    weights, quota = qualified_majority(EU_THOUSANDS[:16])
    v = weighted_voting_game(weights, quota)
    assert_allclose(shapley_shubik_index(weights, quota), shapley_value(v), atol=1e-13)
    assert_allclose(banzhaf_index(weights, quota), banzhaf_value(v, normalized=True), atol=1e-13)


def test_eu_council_qualified_majority_of_27_members():
    weights, quota = qualified_majority(EU_THOUSANDS)
    ss = shapley_shubik_index(weights, quota)
    bz = banzhaf_index(weights, quota)
    for index in (ss, bz):
        assert_allclose(index.sum(), 1.0, rtol=1e-12)
        assert (np.diff(index) <= 1e-15).all()  # members are listed by decreasing population
        assert (index > 0).all()
    assert 0.17 < ss[0] < 0.19  # Germany
    assert ss[0] > bz[0]  # the count rule gives small members more Banzhaf than S-S power


def test_decimal_weights_are_scaled_to_integers():
    weights, quota = qualified_majority(EU_THOUSANDS[:12])
    in_millions = np.vstack([weights[0], weights[1] / 1000])  # e.g. 83.445 (three decimals)
    assert_allclose(
        shapley_shubik_index(in_millions, [quota[0], quota[1] / 1000]),
        shapley_shubik_index(weights, quota),
        rtol=1e-15,
    )
    assert banzhaf_index([0.5, 0.3, 0.2], 0.51).tolist() == banzhaf_index([5, 3, 2], 5.1).tolist()


def test_a_quota_equal_to_a_weight_up_to_round_off_counts_as_that_weight():
    # 0.1 + 0.2 is 0.30000000000000004: the coalition {0, 1} still meets a quota of 0.3
    assert weighted_voting_game([0.1, 0.2, 0.7], 0.1 + 0.2)[0b011] == 1.0
    assert weighted_voting_game([1, 2, 7], 3 * (1 + 1e-12))[0b011] == 1.0


def test_rada_by_party_groups():
    # an illustrative 450-seat composition without a one-group majority; 226 seats pass a law
    seats = [180, 50, 40, 30, 25, 25, 20, 20, 15, 45]
    ss = shapley_shubik_index(seats, 226)
    assert_allclose(ss.sum(), 1.0, rtol=1e-15)
    assert_allclose(ss, shapley_value(weighted_voting_game(seats, 226)), atol=1e-15)
    assert ss[0] > 0.4


def test_weighted_voting_game_with_double_majority_and_veto():
    v = weighted_voting_game([[1, 1, 1], [50, 30, 20]], [2, 60], veto=[2])
    assert np.flatnonzero(v).tolist() == [0b101, 0b111]  # {0, 2} and everyone


def test_members_with_zero_weight_and_all_members_with_veto():
    assert_allclose(shapley_shubik_index([3, 0, 2], 4), [0.5, 0.0, 0.5])
    assert_allclose(shapley_shubik_index([1, 1, 1], 1, veto=[0, 1, 2]), [1 / 3] * 3)
    assert_allclose(banzhaf_index([5], 3), [1.0])


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(dict(weights=[1, -1], quota=1), "weights must be >= 0", id="negative"),
        pytest.param(dict(weights=[1, np.nan], quota=1), "weights must be finite", id="nan"),
        pytest.param(
            dict(weights=np.ones((2, 2, 2)), quota=1), "weights must be one weight", id="3-d"
        ),
        pytest.param(
            dict(weights=[1 / 3, 2 / 3], quota=0.5),
            "weights must be whole numbers or decimals with at most 9 digits",
            id="non-decimal",
        ),
        pytest.param(
            dict(weights=[[1, 1], [1, 1 / 3]], quota=[1, 1]),
            r"weights \(rule 1\) must be whole numbers",
            id="non-decimal-second-rule",
        ),
        pytest.param(
            dict(weights=[1, 2], quota=4),
            r"quota must be in \(0, total weight 3\] .* got 4",
            id="quota-above-total",
        ),
        pytest.param(dict(weights=[1, 2], quota=0), r"quota must be in \(0, ", id="quota-zero"),
        pytest.param(
            dict(weights=[[1, 2], [1, 1]], quota=2),
            r"quota must have one value per rule \(2\), got 1",
            id="quota-per-rule",
        ),
        pytest.param(
            dict(weights=[1, 2], quota=2, veto=[2]),
            r"veto must be distinct member indices in 0..1, got \[2\]",
            id="veto-out-of-range",
        ),
        pytest.param(
            dict(weights=[1, 2], quota=2, veto=[1, 1]), "veto must be distinct", id="veto-twice"
        ),
        pytest.param(
            dict(weights=[1, 2], quota=2, veto=[True]), "veto must be distinct", id="veto-bool"
        ),
    ],
)
def test_malformed_bodies_are_rejected(kwargs, message):
    for fn in (weighted_voting_game, shapley_shubik_index, banzhaf_index):
        with pytest.raises(SolverError, match=message):
            fn(**kwargs)


def test_counting_table_above_max_states_is_refused_with_advice():
    weights, quota = qualified_majority(EU_POPULATION_2024)  # persons, not thousands
    with pytest.raises(SolverError, match="above the limit max_states=33,554,432; round the"):
        shapley_shubik_index(weights, quota)
    with pytest.raises(SolverError, match="max_states must be an integer >= 1"):
        banzhaf_index([1, 2], 2, max_states=0)


def test_more_than_62_members_without_veto_are_refused():
    with pytest.raises(SolverError, match="63 members without a veto, above the limit of 62"):
        shapley_shubik_index(np.ones(63), 32)
    assert_allclose(shapley_shubik_index(np.ones(63), 32, veto=[0]).sum(), 1.0)


def test_weighted_voting_game_refuses_bodies_above_max_players():
    with pytest.raises(SolverError, match=r"weights has 25 members .* max_players=24"):
        weighted_voting_game(np.ones(25), 13)
    assert weighted_voting_game(np.ones(3), 2, max_players=3).sum() == 4
