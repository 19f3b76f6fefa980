"""Tests of dealsim.solvers.ratification against models.md §4 and hand derivations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from dealsim.errors import SolverError
from dealsim.solvers.ratification import (
    calibrate_logistic,
    expected_utilities,
    logistic_ratification,
    pass_probability,
    poll_acceptance,
    ratification_report,
    win_set,
)

X = np.linspace(0.0, 1.0, 201)  # party 1's share, step 0.005 (0.4, 0.45, 0.5, 0.575 are on it)
SPLIT = np.column_stack([X, 1.0 - X])
D = np.array([0.45, 0.30])


def party2_win_set(limit: float) -> np.ndarray:
    """Party 1 ratifies everything; party 2's parliament ratifies x <= limit."""
    return np.column_stack([np.ones_like(X, dtype=bool), limit + 1e-12 >= X])


def test_split_worked_example_tied_hands():
    # Derivation: the zone is x in [0.45, 0.70] (each side at least its d). The Nash product
    # (x - 0.45)(0.70 - x) peaks at the midpoint x = 0.575. Party 2's win-set {x <= 0.5} (its
    # parliament demands at least half) cuts the zone to [0.45, 0.5]; the product is increasing
    # there, so the constrained solution is the edge x = 0.5: party 2 gains 0.075 by having its
    # hands tied. models.md §4 agrees.
    rep = ratification_report(SPLIT, D, party2_win_set(0.5))
    assert_allclose(X[rep.unconstrained_index], 0.575)
    assert_allclose(X[rep.constrained_index], 0.5)
    assert_allclose(rep.tied_hands_shift, [-0.075, 0.075], atol=1e-12)
    assert rep.overlap and not rep.deal_disappears
    assert rep.zone_size == 51  # 0.45, 0.455, ..., 0.70
    assert rep.win_set_sizes.tolist() == [201, 101]


def test_split_worked_example_deal_disappears():
    # {x <= 0.4} lies entirely below party 1's disagreement value 0.45: no overlap, no deal.
    rep = ratification_report(SPLIT, D, party2_win_set(0.4))
    assert rep.deal_disappears and not rep.overlap
    assert rep.constrained_index == -1
    assert np.isnan(rep.tied_hands_shift).all()
    assert rep.to_dict()["tied_hands_shift"] == [None, None]


def test_win_set_containing_the_nash_deal_changes_nothing():
    rep = ratification_report(SPLIT, D, party2_win_set(0.6))
    assert rep.constrained_index == rep.unconstrained_index
    assert_allclose(rep.tied_hands_shift, [0.0, 0.0])


def test_expected_mode_weighs_value_by_ratification_probability():
    # Party 2 ratifies with probability P(x) = 1 - x. Expected gains: party 1 P (x - 0.45),
    # party 2 P (0.70 - x); the Nash product P^2 (x - 0.45)(0.70 - x) has derivative zero where
    # -2(x - 0.45)(0.70 - x) + (1 - x)(1.15 - 2x) = 0, i.e. 4x^2 - 5.45x + 1.78 = 0 with root
    # x = (5.45 - sqrt(5.45^2 - 28.48)) / 8 = 0.5426 (a shift toward party 2, less than the
    # hard constraint's).
    prob = np.column_stack([np.ones_like(X), 1.0 - X])
    rep = ratification_report(SPLIT, D, prob, mode="expected")
    root = (5.45 - np.sqrt(5.45**2 - 28.48)) / 8
    assert abs(X[rep.constrained_index] - root) <= 0.005
    assert_allclose(rep.ratification_probability, 1 - X[rep.constrained_index])


def test_expected_utilities_formula():
    eu = expected_utilities(SPLIT[[100, 120]], D, [[1.0, 0.5], [0.5, 0.5]])
    # deal x = 0.5, P = 0.5: d + 0.5 (u - d); deal x = 0.6, P = 0.25
    assert_allclose(eu, [[0.475, 0.4], [0.4875, 0.325]])


def test_poll_acceptance_undecided_rules():
    # KIIS, January 2026: 39% accept, 54% reject, 7% undecided
    assert_allclose(poll_acceptance(0.39, 0.54), 39 / 93)
    assert_allclose(poll_acceptance(0.39, 0.54, undecided="reject"), 0.39)
    assert_allclose(poll_acceptance(0.39, 0.54, undecided="accept"), 0.46)
    assert_allclose(poll_acceptance(0.39, 0.54, undecided="split"), 0.425)
    with pytest.raises(SolverError, match="undecided"):
        poll_acceptance(0.39, 0.54, undecided="ignore")
    with pytest.raises(SolverError, match="accept"):
        poll_acceptance(0.7, 0.54)


def test_logistic_ratification_values():
    # logit^-1(1 - 2 * 1) = 1 / (1 + e)
    assert_allclose(
        logistic_ratification([[0.0], [1.0]], [-2.0], 1.0), [1 / (1 + np.e**-1), 1 / (1 + np.e)]
    )


def test_calibrate_intercept_hits_the_donbas_reference():
    target = poll_acceptance(0.39, 0.54)
    features = np.array([[0.0, 1.0], [0.5, 1.0], [1.0, 1.0], [1.0, 0.0]])  # (territory, guarantee)
    cal = calibrate_logistic(features[2], target, coefficients=[-2.0, 1.0])
    probs = logistic_ratification(features, cal.coefficients, cal.intercept)
    assert_allclose(probs[2], 39 / 93)
    assert probs[0] > probs[1] > probs[2] > probs[3]  # less territory, more guarantee: likelier
    assert cal.method == "intercept"


def test_calibrate_two_references_along_a_direction():
    # logit(0.72) = a + 0 b, logit(39/93) = a + b: b = logit(39/93) - logit(0.72) = -1.26979
    cal = calibrate_logistic([[0.0, 1.0], [1.0, 1.0]], [0.72, 39 / 93], direction=[1.0, 0.0])
    assert_allclose(cal.intercept, np.log(0.72 / 0.28))
    assert_allclose(cal.coefficients, [np.log(39 / 54) - np.log(0.72 / 0.28), 0.0])
    assert_allclose(cal.fitted, cal.targets)


@example(exponent=-13)  # references 1e-13 apart were refused as equal (an absolute 1e-12)
@given(st.integers(-13, 13))
def test_calibration_along_a_direction_does_not_depend_on_the_features_units(exponent):
    unit = 10.0**exponent
    features = np.array([[0.0, 1.0], [1.0, 1.0]]) * unit
    cal = calibrate_logistic(features, [0.72, 39 / 93], direction=[1.0, 0.0])
    assert_allclose(cal.fitted, [0.72, 39 / 93], rtol=1e-12, atol=0)
    slope = np.log(39 / 54) - np.log(0.72 / 0.28)  # per unit of territory
    assert_allclose(cal.coefficients * unit, [slope, 0.0], rtol=1e-12, atol=0)
    # references that differ only by float noise are refused at any units
    noise = np.array([[1.0, 1.0], [1.0 + 2**-50, 1.0]]) * unit
    with pytest.raises(SolverError, match="do not differ"):
        calibrate_logistic(noise, [0.72, 39 / 93], direction=[1.0, 0.0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "exactly one"),
        ({"coefficients": [1.0], "direction": [1.0]}, "exactly one"),
        ({"direction": [1.0]}, "do not differ"),
    ],
)
def test_calibrate_rejects_underdetermined_problems(kwargs, match):
    with pytest.raises(SolverError, match=match):
        calibrate_logistic([[1.0]], [0.4], **kwargs)


def test_calibrate_rejects_degenerate_targets():
    with pytest.raises(SolverError, match="targets"):
        calibrate_logistic([[1.0]], [1.0], coefficients=[1.0])


def test_win_set_from_mask_and_probabilities():
    assert win_set(np.array([True, False])).tolist() == [True, False]
    assert win_set([[0.2, 0.7], [0.5, 0.1]], threshold=0.5).tolist() == [
        [False, True],
        [True, False],
    ]
    with pytest.raises(SolverError, match="threshold"):
        win_set([0.2], threshold=2.0)


def test_report_rejects_mismatched_ratification():
    with pytest.raises(SolverError, match="ratification"):
        ratification_report(SPLIT, D, np.ones((5, 2), dtype=bool))
    with pytest.raises(SolverError, match="mode"):
        ratification_report(SPLIT, D, party2_win_set(0.5), mode="vote")


@given(limit=st.floats(0.45, 0.70))
def test_tightening_party2_win_set_never_hurts_party2(limit):
    # Tied hands on the split: while the win-set still meets the zone, a tighter constraint
    # moves the solution to its edge, min(0.575, limit) on the grid, never against party 2.
    rep = ratification_report(SPLIT, D, party2_win_set(limit))
    assert not rep.deal_disappears
    assert rep.tied_hands_shift[1] >= -1e-12
    assert X[rep.constrained_index] <= min(0.575, limit) + 1e-9


def test_pass_probability_at_a_hand_worked_share():
    # s = 0.477, threshold 0.5, sigma = 0.05: z = -0.46, Phi(-0.46) = 0.5 erfc(0.46 / sqrt 2)
    expected = 0.5 * math.erfc(0.46 / math.sqrt(2))
    assert_allclose(pass_probability(0.477, 0.5, poll_error=0.05), expected)
    assert_allclose(expected, 0.32276, atol=5e-6)  # normal table: Phi(-0.46) = 0.3228
    # a referendum at 47.7% support most likely fails
    assert pass_probability(0.477, 0.5, poll_error=0.05) < 0.5


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 0.2))
def test_pass_probability_is_one_half_at_the_threshold_and_rises_with_the_share(s, t, sigma):
    assert_allclose(pass_probability(t, t, poll_error=sigma), 0.5)
    lo, hi = sorted((s, t))
    assert pass_probability(lo, 0.5, poll_error=sigma) <= pass_probability(
        hi, 0.5, poll_error=sigma
    )


@pytest.mark.parametrize("sigma", [0.0, -0.1, float("nan")])
def test_pass_probability_needs_a_positive_poll_error(sigma):
    with pytest.raises(SolverError, match="poll_error"):
        pass_probability(0.5, 0.5, poll_error=sigma)
