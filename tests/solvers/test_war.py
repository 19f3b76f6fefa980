"""Tests of dealsim.solvers.war against models.md §3 and the two-period derivation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from dealsim.errors import SolverError
from dealsim.solvers.war import (
    bargaining_range,
    commitment_problem,
    largest_survivable_shift,
    prefers_war_now,
    war_values,
)

prob = st.floats(0.0, 1.0)


def test_war_values_two_party_fearon():
    assert_allclose(war_values([0.6, 0.4], [0.15, 0.10]), [0.45, 0.30])


def test_war_values_n_parties_and_prize():
    # three parties, prize 2: p_i * 2 - c_i
    assert_allclose(war_values([0.5, 0.3, 0.2], [0.1, 0.0, 0.2], prize=2.0), [0.9, 0.6, 0.2])
    # vectorised over a sweep (rows)
    p = np.array([[0.6, 0.4], [0.5, 0.5]])
    assert_allclose(war_values(p, [0.15, 0.10]), [[0.45, 0.30], [0.35, 0.40]])


@pytest.mark.parametrize(
    ("p", "c", "match"),
    [([0.6, 0.3], [0, 0], "sum"), ([1.2, -0.2], [0, 0], "p"), ([0.6, 0.4], [-0.1, 0], "costs")],
)
def test_war_values_rejects_bad_input(p, c, match):
    with pytest.raises(SolverError, match=match):
        war_values(p, c)


def test_bargaining_range_reference_values():
    r = bargaining_range(0.6, 0.15, 0.10)
    assert_allclose([r.lo, r.hi], [0.45, 0.70])
    assert r.exists is True
    assert r.to_dict()["parameters"] == {"p": 0.6, "c_a": 0.15, "c_b": 0.1, "tol": 1e-12}
    assert r.contains([0.44, 0.45, 0.6, 0.70, 0.71]).tolist() == [False, True, True, True, False]


def test_bargaining_range_is_vectorised_and_clipped():
    r = bargaining_range([0.6, 0.95, 0.05], 0.15, 0.10)
    assert_allclose(r.lo, [0.45, 0.80, 0.0])
    assert_allclose(r.hi, [0.70, 1.0, 0.15])
    assert r.exists.tolist() == [True, True, True]


def test_bargaining_range_without_costs_is_the_single_point_p():
    r = bargaining_range(0.6, 0.0, 0.0)
    assert r.exists and np.isclose(r.lo, r.hi)


@given(p=prob, ca=st.floats(0, 0.5), cb=st.floats(0, 0.5))
def test_bargaining_range_deals_beat_war_for_both(p, ca, cb):
    r = bargaining_range(p, ca, cb)
    x = np.linspace(r.lo, r.hi, 7)
    assert np.all(x >= p - ca - 1e-12)  # A: share >= war value
    assert np.all(1 - x >= 1 - p - cb - 1e-12)  # B: share >= war value


@pytest.mark.parametrize(
    ("p1", "delta", "c", "threshold"),
    [
        # worked by hand from Powell (2006): (1 - delta)(p1 + c) / delta
        pytest.param(0.3, 0.9, 0.05, 0.1 * 0.35 / 0.9, id="delta-0.9"),  # 0.03888...
        pytest.param(0.2, 0.5, 0.1, 0.5 * 0.3 / 0.5, id="delta-0.5"),  # 0.3
    ],
)
def test_infinite_horizon_threshold_is_powells(p1, delta, c, threshold):
    assert_allclose(largest_survivable_shift(p1, delta, c), threshold)
    assert not prefers_war_now(p1, p1 + threshold - 1e-6, delta, c)
    assert prefers_war_now(p1, p1 + threshold + 1e-6, delta, c)


def test_two_period_truncation_when_asked():
    # models.md §3: delta = 0.9, c = 0.05, p1 = 0.3; threshold 0.9 (p2 - 0.3) > 0.305
    assert prefers_war_now(0.3, 0.8, 0.9, 0.05, model="two_period") is True
    assert prefers_war_now(0.3, 0.6, 0.9, 0.05, model="two_period") is False
    assert_allclose(largest_survivable_shift(0.3, 0.9, 0.05, model="two_period"), 0.305 / 0.9)
    # the infinite-horizon model fights over the same small shift of 0.3
    assert prefers_war_now(0.3, 0.6, 0.9, 0.05) is True


def test_infinite_horizon_condition_equals_payoff_comparison():
    # The declining side's war value (1 - p1 - c) / (1 - delta) against its best peace, the
    # whole stake now and its war value after the shift: 1 + delta (1 - p2 - c) / (1 - delta)
    p1, p2, delta, c = np.meshgrid(
        np.linspace(0, 1, 11), np.linspace(0, 1, 11), [0.5, 0.9, 0.99], [0.0, 0.05, 0.2]
    )
    war = (1 - p1 - c) / (1 - delta)
    peace = 1 + delta * (1 - p2 - c) / (1 - delta)
    away = ~np.isclose(war, peace)
    assert np.array_equal(prefers_war_now(p1, p2, delta, c)[away], (war > peace)[away])


def test_two_period_condition_equals_payoff_comparison():
    # (1 + delta)(1 - p1) - c against 1 + delta (1 - p2 - c)
    p1, p2, delta, c = np.meshgrid(
        np.linspace(0, 1, 11), np.linspace(0, 1, 11), [0.5, 0.9, 1.0], [0.0, 0.05, 0.2]
    )
    war = (1 + delta) * (1 - p1) - c
    peace = 1 + delta * (1 - p2 - c)
    away = ~np.isclose(war, peace)
    got = prefers_war_now(p1, p2, delta, c, model="two_period")
    assert np.array_equal(got[away], (war > peace)[away])


def test_patient_states_fight_over_smaller_shifts():
    shifts = largest_survivable_shift(0.3, np.array([0.5, 0.9, 0.99]), 0.05)
    assert np.all(np.diff(shifts) < 0)


def test_shift_exactly_at_threshold_is_peace():
    s = largest_survivable_shift(0.3, 0.9, 0.05)
    assert not prefers_war_now(0.3, 0.3 + s, 0.9, 0.05, tol=1e-9)
    assert prefers_war_now(0.3, 0.3 + s + 1e-6, 0.9, 0.05)


def test_commitment_problem_per_deal_with_caps():
    # deals: cede the line (p2 = 0.8), cede it with a neutral force capping the shift at 0.02,
    # a small shift (p2 = 0.32), and no shift at all; survivable shift 0.1 * 0.35 / 0.9
    res = commitment_problem(
        0.3, [0.8, 0.8, 0.32, 0.3], delta=0.9, cost=0.05, cap=[np.inf, 0.02, np.inf, np.inf]
    )
    assert res.war.tolist() == [True, False, False, False]
    assert_allclose(res.p2, [0.8, 0.32, 0.32, 0.3])
    assert_allclose(res.margin, 0.9 * res.shift - 0.1 * 0.35)
    assert_allclose(res.survivable_shift, 0.035 / 0.9)
    assert res.to_dict()["method"] == "powell/infinite_horizon"
    two = commitment_problem(0.3, [0.8, 0.6], delta=0.9, cost=0.05, model="two_period")
    assert two.war.tolist() == [True, False]
    assert two.method == "powell/two_period"


def test_unknown_commitment_model_is_rejected():
    with pytest.raises(SolverError, match="infinite_horizon"):
        prefers_war_now(0.3, 0.5, 0.9, 0.05, model="three_period")


@given(p1=prob, s1=st.floats(0, 1), s2=st.floats(0, 1), delta=st.floats(0.05, 1.0))
def test_larger_shift_never_turns_war_into_peace(p1, s1, s2, delta):
    lo, hi = sorted((s1, s2))
    p2 = np.minimum(p1 + np.array([lo, hi]), 1.0)
    war = prefers_war_now(p1, p2, delta, 0.05)
    assert not (war[0] and not war[1])


@pytest.mark.parametrize(
    ("args", "match"),
    [((1.3, 0.5, 0.9, 0.05), "p1"), ((0.3, 0.5, 0.0, 0.05), "delta"), ((0.3, 0.5, 0.9, -1), "c")],
)
def test_prefers_war_now_rejects_bad_input(args, match):
    with pytest.raises(SolverError, match=match):
        prefers_war_now(*args)


def test_commitment_problem_rejects_negative_cap():
    with pytest.raises(SolverError, match="cap"):
        commitment_problem(0.3, [0.5], delta=0.9, cost=0.05, cap=-0.1)
