"""Tests of dealsim.solvers.alternating_offers against models.md §2 and hand derivations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from dealsim.errors import SolverError
from dealsim.solvers.alternating_offers import (
    alternating_offers,
    breakdown_share,
    convergence_to_nash,
    finite_horizon_share,
    outside_option_share,
    rubinstein_share,
    rubinstein_share_from_rates,
)

discounts = st.floats(min_value=0.05, max_value=0.99)


def split(n: int) -> np.ndarray:
    """Unit surplus on a grid of n points: deal j gives (x_j, 1 - x_j)."""
    x = np.linspace(0.0, 1.0, n)
    return np.column_stack([x, 1.0 - x])


def simplex3(steps: int) -> np.ndarray:
    """Every (a, b, c) >= 0 on the grid with step 1/steps and a + b + c = 1."""
    i, j = np.meshgrid(np.arange(steps + 1), np.arange(steps + 1), indexing="ij")
    keep = i + j <= steps
    a, b = i[keep] / steps, j[keep] / steps
    return np.column_stack([a, b, 1.0 - a - b])


# ----------------------------------------------------------------------- closed forms


@pytest.mark.parametrize(
    ("d1", "d2", "share"),
    [
        pytest.param(0.9, 0.8, 5 / 7, id="models-5/7"),
        pytest.param(0.9, 0.9, 10 / 19, id="models-10/19"),
        pytest.param(0.5, 1.0, 0.0, id="responder-infinitely-patient"),
    ],
)
def test_rubinstein_share_matches_reference(d1, d2, share):
    assert_allclose(rubinstein_share(d1, d2), share)


def test_rubinstein_share_is_vectorised():
    assert_allclose(rubinstein_share([0.9, 0.9], [0.8, 0.9]), [5 / 7, 10 / 19])


@pytest.mark.parametrize(("d1", "d2"), [(0.0, 0.5), (1.1, 0.5), (0.5, -0.1), (1.0, 1.0)])
def test_rubinstein_share_rejects_discounts_outside_domain(d1, d2):
    with pytest.raises(SolverError, match=r"d1|d2"):
        rubinstein_share(d1, d2)


def test_finite_horizon_share_backward_induction_by_hand():
    # T=1: the proposer takes all. T=2: party 2 proposes last and takes all, so party 1 must
    # offer it d2: share 1 - d2. T=3: party 1 proposes last, party 2 must offer it d1, so party 2
    # keeps 1 - d1, and party 1 offers it d2 (1 - d1): share 1 - d2 (1 - d1).
    d1, d2 = 0.9, 0.8
    assert_allclose(finite_horizon_share(d1, d2, 1), 1.0)
    assert_allclose(finite_horizon_share(d1, d2, 2), 1 - d2)
    assert_allclose(finite_horizon_share(d1, d2, 3), 1 - d2 * (1 - d1))
    # party 2 first, two rounds: party 1 takes all last, party 2 offers it d1
    assert_allclose(finite_horizon_share(d1, d2, 2, first=1), d1)


def test_finite_horizon_share_converges_to_rubinstein():
    errors = [abs(finite_horizon_share(0.9, 0.8, t) - 5 / 7) for t in (10, 20, 40, 80)]
    assert all(b < a for a, b in itertools.pairwise(errors))
    assert_allclose(finite_horizon_share(0.9, 0.8, 400), 5 / 7, atol=1e-12)
    # party 2 first: party 1 gets what party 2 leaves, 1 - x*(d2, d1)
    assert_allclose(
        finite_horizon_share(0.9, 0.8, 400, first=1), 1 - rubinstein_share(0.8, 0.9), atol=1e-12
    )


def test_finite_horizon_share_rejects_bad_rounds_and_first():
    with pytest.raises(SolverError, match="rounds"):
        finite_horizon_share(0.9, 0.9, 0)
    with pytest.raises(SolverError, match="first"):
        finite_horizon_share(0.9, 0.9, 3, first=2)


def test_share_from_rates_matches_reference_values():
    shares = rubinstein_share_from_rates(0.05, 0.10, [1.0, 0.1, 1e-6])
    assert_allclose(shares[:2], [0.68319, 0.66833], atol=5e-6)
    assert_allclose(shares[2], 2 / 3, atol=1e-6)


def test_breakdown_share_matches_formula_and_limits():
    # hand value: q = 0.2, b = (0.3, 0.2): (1 - 0.2 + 0.8 * 0.3) / 1.8 = 1.04 / 1.8
    assert_allclose(breakdown_share(0.2, 0.3, 0.2), 1.04 / 1.8)
    # q = 1 is an ultimatum: the proposer leaves the responder its breakdown payoff
    assert_allclose(breakdown_share(1.0, 0.3, 0.2), 0.8)
    # q -> 0: the Nash split with disagreement point b, (1 + b1 - b2) / 2
    assert_allclose(breakdown_share(1e-9, 0.3, 0.2), 0.55, atol=1e-8)


@given(
    q1=st.floats(0.01, 1.0),
    q2=st.floats(0.01, 1.0),
    b1=st.floats(0.0, 0.5),
    b2=st.floats(0.0, 0.5),
)
def test_breakdown_share_moves_away_from_nash_as_risk_grows(q1, q2, b1, b2):
    # Derived: x(q) - nash = q (1 - b1 - b2) / (2 (2 - q)), increasing in q. A smaller breakdown
    # risk brings the split closer to the Nash split with disagreement point b (Binmore,
    # Rubinstein and Wolinsky); a larger one favours the proposer.
    lo, hi = sorted((q1, q2))
    nash = (1 + b1 - b2) / 2
    gap = np.array([breakdown_share(lo, b1, b2), breakdown_share(hi, b1, b2)]) - nash
    assert_allclose(
        gap, np.array([lo, hi]) * (1 - b1 - b2) / (2 * (2 - np.array([lo, hi]))), atol=1e-12
    )
    assert gap[0] <= gap[1] + 1e-12


def test_outside_option_binds_only_above_threshold():
    # threshold d / (1 + d) = 0.9 / 1.9 = 0.4737: below, the share is 1 / (1 + d) = 10/19
    assert_allclose(outside_option_share(0.9, [0.0, 0.3, 0.6]), [10 / 19, 10 / 19, 0.4])
    # continuous at the threshold: 1 - d / (1 + d) = 1 / (1 + d)
    assert_allclose(outside_option_share(0.9, 0.9 / 1.9), 10 / 19)
    with pytest.raises(SolverError, match="w2"):
        outside_option_share(0.9, 1.5)


@given(d1=discounts, d1b=discounts, d2=discounts)
def test_more_patient_party_never_gets_less_closed_form(d1, d1b, d2):
    lo, hi = sorted((d1, d1b))
    assert rubinstein_share(hi, d2) >= rubinstein_share(lo, d2) - 1e-12
    # a more patient responder leaves the proposer less
    assert rubinstein_share(d2, hi) <= rubinstein_share(d2, lo) + 1e-12


# ----------------------------------------------------------------------- finite deal set


def test_grid_solver_last_round_and_two_round_game_by_hand():
    u = split(101)
    one = alternating_offers(u, [0, 0], discount=0.9, rounds=1)
    assert one.deal_index == 100 and one.agreement_round == 0  # proposer takes all
    # two rounds: party 2 would take all in round 1, so party 1 offers it 0.8 now
    two = alternating_offers(u, [0, 0], discount=[0.9, 0.8], rounds=2)
    assert_allclose(two.deal_utilities, [0.2, 0.8], atol=1e-12)
    assert_allclose(two.payoffs, [0.2, 0.8], atol=1e-12)
    assert_allclose(two.continuation_values[1], [0.0, 1.0], atol=1e-12)
    assert_allclose(two.continuation_values[2], [0.0, 0.0])
    assert two.proposers.tolist() == [0, 1]


def test_grid_solver_approaches_rubinstein_as_rounds_grow():
    # Each round the responder's offer is rounded up to the grid, by at most h = 1/(n-1); the
    # error then decays by d1 d2 per two rounds, so |x - x*| <= h / (1 - d1 d2) + tail.
    d1, d2, n = 0.9, 0.8, 2001
    bound = (1 / (n - 1)) / (1 - d1 * d2)
    errors = []
    for rounds in (4, 16, 64):
        res = alternating_offers(split(n), [0, 0], discount=[d1, d2], rounds=rounds)
        assert res.agreement and res.agreement_round == 0
        errors.append(abs(res.payoffs[0] - 5 / 7))
        assert abs(res.payoffs[0] - finite_horizon_share(d1, d2, rounds)) <= bound
    assert errors[-1] <= bound
    assert errors[0] > errors[-1]


def test_grid_solver_uses_disagreement_point_as_status_quo():
    # Only the surplus over d is discounted, so the split of the surplus 1 - 0.3 follows
    # Rubinstein: party 1 gets d1 + x* (1 - d1 - d2).
    n = 2001
    res = alternating_offers(split(n), [0.2, 0.1], discount=[0.9, 0.8], rounds=80)
    expected = 0.2 + (5 / 7) * 0.7
    assert abs(res.payoffs[0] - expected) <= (1 / (n - 1)) / (1 - 0.72)


def test_breakdown_without_discounting_matches_closed_form():
    # discount 1 and breakdown q: the responder accepts iff its surplus >= (1 - q) V_next, the
    # model of breakdown_share; the grid error is at most h / (1 - (1 - q)^2).
    q, b, n = 0.3, (0.3, 0.2), 2001
    res = alternating_offers(split(n), b, discount=1.0, rounds=80, breakdown=q)
    assert abs(res.payoffs[0] - breakdown_share(q, *b)) <= (1 / (n - 1)) / (1 - (1 - q) ** 2)


def test_round_costs_two_round_game_by_hand():
    # No discounting, costs c = (0.1, 0.3): in round 1 party 2 takes all; rejecting in round 0 is
    # worth 1 - 0.3 to party 2, so party 1 keeps exactly 0.3.
    res = alternating_offers(split(101), [0, 0], discount=1.0, rounds=2, round_cost=[0.1, 0.3])
    assert_allclose(res.deal_utilities, [0.3, 0.7], atol=1e-12)


def test_three_party_unanimity_stationary_shares():
    # Derived: with unanimity and common discount d, the next proposer must get d x (its value
    # of proposing next round) and the one after d^2 x, so the proposer keeps 1 / (1 + d + d^2).
    d, steps = 0.9, 200
    res = alternating_offers(simplex3(steps), [0, 0, 0], discount=d, rounds=120)
    x = 1 / (1 + d + d**2)
    # grid error per round 1/steps for each responder, discounted by d^3 per cycle
    assert_allclose(res.payoffs, [x, d * x, d**2 * x], atol=2 * (1 / steps) / (1 - d**3))
    assert res.proposers[:4].tolist() == [0, 1, 2, 0]


def test_no_deal_above_disagreement_gives_disagreement():
    res = alternating_offers([[0.2, 0.2], [0.6, 0.1]], [0.5, 0.5], discount=0.9, rounds=5)
    assert not res.agreement
    assert (res.deal_index, res.agreement_round, res.agreement_probability) == (-1, -1, 0.0)
    assert_allclose(res.payoffs, [0.5, 0.5])


def test_ties_prefer_responders_then_lowest_index():
    # one round: the proposer's own utility ties between deals 0, 1 and 2; deal 1 and 2 give
    # the responder more and tie with each other, so the lower index 1 wins
    u = [[1.0, 0.0], [1.0, 0.5], [1.0, 0.5], [0.5, 0.9]]
    res = alternating_offers(u, [0, 0], discount=0.9, rounds=1)
    assert res.deal_index == 1


@pytest.mark.parametrize("scale", [1e-12, 1e-6, 1e6])
@pytest.mark.parametrize("tol", [1e-12, 1e-9])
def test_grid_solver_does_not_depend_on_the_utility_scale(scale, tol):
    # The tolerance is relative: utilities and disagreement point times any positive number give
    # the same deal and round (at 1e-12 an absolute 1e-9 tied every deal: the proposer's worst).
    u, d = split(101), np.array([0.2, 0.1])
    kwargs = {"discount": [0.9, 0.8], "rounds": 20, "tol": tol}
    base = alternating_offers(u, d, **kwargs)
    scaled = alternating_offers(u * scale, d * scale, **kwargs)
    # party 1: 0.2 + 0.7 finite_horizon_share(0.9, 0.8, 20) = 0.681, the responder's share
    # rounded up to the 0.01 grid: 0.68
    assert base.deal_index == 68
    assert (scaled.deal_index, scaled.agreement_round) == (base.deal_index, 0)
    assert_allclose(scaled.payoffs, base.payoffs * scale, rtol=1e-12)


def test_proposer_order_is_cycled():
    # order [1]: party 2 proposes every round, so it takes all in a one-round game and, with more
    # rounds, party 1 cannot threaten anything either
    res = alternating_offers(split(11), [0, 0], discount=0.9, rounds=3, proposer_order=[1])
    assert res.proposers.tolist() == [1, 1, 1]
    assert_allclose(res.deal_utilities, [0.0, 1.0])


def test_result_records_parameters_and_serialises():
    res = alternating_offers(split(11), [0, 0], discount=0.9, rounds=3, breakdown=0.1)
    data = res.to_dict()
    assert data["method"] == "alternating_offers/backward_induction"
    assert data["parameters"]["breakdown"] == 0.1
    assert len(data["continuation_values"]) == 4


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"utilities": [1.0, 0.0]}, "utilities"),
        ({"disagreement": [0, 0, 0]}, "disagreement"),
        ({"discount": 0.0}, "discount"),
        ({"discount": [0.9, 0.9, 0.9]}, "discount"),
        ({"rounds": 0}, "rounds"),
        ({"breakdown": 1.5}, "breakdown"),
        ({"round_cost": -0.1}, "round_cost"),
        ({"proposer_order": [0, 2]}, "proposer_order"),
    ],
)
def test_alternating_offers_rejects_bad_input(kwargs, match):
    args = {"utilities": split(5), "disagreement": [0, 0], "discount": 0.9, "rounds": 3}
    args.update(kwargs)
    utilities, disagreement = args.pop("utilities"), args.pop("disagreement")
    with pytest.raises(SolverError, match=match):
        alternating_offers(utilities, disagreement, **args)


@given(d1=discounts, d1b=discounts, d2=discounts, rounds=st.integers(1, 30))
def test_more_patient_party_never_gets_less_on_the_grid(d1, d1b, d2, rounds):
    # Backward induction on the grid composes monotone maps (rounding up the responder's share
    # is monotone), so the property holds exactly, for every horizon.
    lo, hi = sorted((d1, d1b))
    u = split(201)
    a = alternating_offers(u, [0, 0], discount=[lo, d2], rounds=rounds)
    b = alternating_offers(u, [0, 0], discount=[hi, d2], rounds=rounds)
    assert b.payoffs[0] >= a.payoffs[0] - 1e-12


# ----------------------------------------------------------------------- Nash limit


def test_convergence_to_nash_reference_values():
    conv = convergence_to_nash((0.05, 0.10), [1.0, 0.1, 0.001], horizon=400)
    assert_allclose(conv.shares[:2], [0.68319, 0.66833], atol=5e-6)
    assert_allclose(conv.shares, conv.rubinstein, atol=1e-9)  # the horizon is long enough
    assert_allclose(conv.nash_limit, 2 / 3)
    assert abs(conv.shares[2] - 2 / 3) < 1e-4
    assert conv.pairs()[0][0] == 1.0


def test_convergence_to_nash_on_grid_is_within_grid_error():
    # grid solver at D = 1: d = exp(-(0.05, 0.10)), error <= h / (1 - d1 d2) with h = 1/2000
    conv = convergence_to_nash((0.05, 0.10), [1.0], horizon=200, grid=2001)
    bound = (1 / 2000) / (1 - np.exp(-0.15))
    assert abs(conv.shares[0] - 0.68319) <= bound
    assert conv.method == "alternating_offers/grid"


def test_convergence_to_nash_matches_weighted_nash_solution():
    # the limit is the Nash split with weights 1/r_i: weights (20, 10) -> party 1 gets 2/3
    bargaining = pytest.importorskip("dealsim.solvers.bargaining")
    sol = bargaining.nash_bargaining_solution(split(301), [0, 0], weights=[1 / 0.05, 1 / 0.10])
    conv = convergence_to_nash((0.05, 0.10), [1e-3], horizon=400)
    assert_allclose(sol.utilities[0], conv.nash_limit, atol=1e-12)
    assert abs(conv.shares[0] - sol.utilities[0]) < 1e-4
