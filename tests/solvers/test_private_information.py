"""Tests for dealsim.solvers.private_information: Fearon's risk-return trade-off."""

from __future__ import annotations

import itertools
import json
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from dealsim.errors import SolverError
from dealsim.scenario.distributions import TriangularDistribution
from dealsim.solvers.private_information import (
    RiskReturnOffer,
    acceptance_probability,
    risk_return_offer,
)

# A unit split: B's share x on a grid of 1001 points; A wins a war with p = 0.5 at a cost of
# 0.1, so w_A = 0.4; B's war value is 1 - p = 0.5 less its private cost c.
X = np.linspace(0.0, 1.0, 1001)
W_A, W_B = 0.4, 0.5


def uniform_cost(centre: float, spread: float):
    return stats.uniform(centre - spread, 2 * spread)


def closed_form_p_war(spread: float, centre: float = 0.2) -> float:
    """B accepts x iff c >= 0.5 - x; A maximises 0.4 + P(x) (0.6 - x), P linear on the support.

    With c uniform on [m - s, m + s], the interior optimum is x = 0.45 - s / 2 when s >= 0.1,
    giving P(war) = 0.75 - 0.075 / s; below that A offers B its worst-case war value and peace
    is certain (m = 0.2; derived by hand).
    """
    assert centre == 0.2
    return 0.75 - 0.075 / spread if spread >= 0.1 else 0.0


def split(cost, **kwargs) -> RiskReturnOffer:
    return risk_return_offer(1.0 - X, X, W_A, W_B, cost, **kwargs)


# ---------------------------------------------------------------------------- hand check


def test_hand_check_uniform_cost_gives_x_035_and_war_0375():
    r = split(stats.uniform(0.0, 0.4))
    assert X[r.index] == pytest.approx(0.35)
    assert r.p_war == pytest.approx(0.375)
    assert r.p_accept == pytest.approx(0.625)
    assert r.expected_utility == pytest.approx(0.4 + 0.25 * 0.25 / 0.4)
    assert r.offer == pytest.approx((0.65, 0.35))
    # B: accepts 0.35 when c >= 0.15, else fights for 0.5 - c, c < 0.15 (mean 0.075)
    assert r.informed_expected_utility == pytest.approx(0.625 * 0.35 + 0.375 * (0.5 - 0.075))
    assert r.cost_model == "distribution" and r.method == "take_it_or_leave_it"


@pytest.mark.parametrize(
    "cost",
    [
        pytest.param(stats.uniform(0.0, 0.4).cdf, id="cdf-callable"),
        pytest.param(lambda c: min(max(c / 0.4, 0.0), 1.0), id="scalar-cdf"),
    ],
)
def test_a_cdf_callable_gives_the_same_offer(cost):
    r = split(cost)
    assert X[r.index] == pytest.approx(0.35)
    assert r.p_war == pytest.approx(0.375)
    assert r.cost_model == "cdf" and r.informed_expected_utility is None


def test_samples_approximate_the_distribution():
    costs = np.random.default_rng(2026).uniform(0.0, 0.4, 200_000)
    r = split(costs)
    assert r.cost_model == "samples"
    assert X[r.index] == pytest.approx(0.35, abs=0.01)
    assert r.p_war == pytest.approx(0.375, abs=0.01)
    exact = 0.625 * 0.35 + 0.375 * (0.5 - 0.075)
    assert r.informed_expected_utility == pytest.approx(exact, abs=0.005)


def test_acceptance_probability_is_vectorised_over_deals():
    u = np.array([0.05, 0.1, 0.2, 0.3, 0.45, 0.6])
    got = acceptance_probability(u, W_B, stats.uniform(0.0, 0.4))
    expected = [stats.uniform(0.0, 0.4).sf(W_B - v) for v in u]
    assert_allclose(got, expected, atol=1e-9)
    assert_allclose(split(stats.uniform(0.0, 0.4)).p_accept_by_deal[[50, 300]], [0.0, 0.5])


# ------------------------------------------------- the reported probability is the model's


@pytest.mark.parametrize(
    "make_cost",
    [
        pytest.param(lambda f: stats.triang(0.5, loc=0.0, scale=0.4 * f), id="scipy-triang"),
        pytest.param(lambda f: TriangularDistribution(c=0.5, loc=0.0, scale=0.4 * f), id="closed"),
        pytest.param(lambda f: stats.triang(0.5, loc=0.0, scale=0.4 * f).cdf, id="cdf-callable"),
    ],
)
@pytest.mark.parametrize("factor", [1.0, 1e-6, 1e6])
@pytest.mark.parametrize("tol", [1e-12, 1e-9])
def test_war_probability_is_the_cdf_at_the_exact_threshold_at_any_scale(make_cost, factor, tol):
    # B's cost triangular on [0, 0.4], mode 0.2; A's war value 0.25. With t = 0.5 - x, A
    # maximises 0.25 + (0.25 + t)(1 - t^2 / 0.08) (t <= 0.2): 0.08 - 3t^2 - 0.5t = 0 at t = 0.1,
    # x = 0.4, and P(war) = F(0.1) = 0.1^2 / 0.08 = 1/8. The tolerance (1e-9 is the solve's)
    # only decides ties: it used to lower the threshold and report 0.1249999975.
    f = factor
    r = risk_return_offer((1 - X) * f, X * f, 0.25 * f, W_B * f, make_cost(f), tol=tol)
    assert X[r.index] == pytest.approx(0.4)
    assert r.p_war == pytest.approx(0.125, rel=1e-15, abs=0)
    assert r.p_accept == pytest.approx(0.875, rel=1e-15, abs=0)
    # A: 0.875 * 0.6 + 0.125 * 0.25; the same threshold as P(war)
    assert r.expected_utility / f == pytest.approx(0.25 + 0.875 * 0.35, rel=1e-14, abs=0)
    if r.informed_expected_utility is not None:
        # B: 0.875 * 0.4 + 0.125 * 0.5 - E[c; c < 0.1], E[c; c < 0.1] = 0.4 * 2 (1/4)^3 / 1.5
        assert r.informed_expected_utility / f == pytest.approx(97 / 240, rel=1e-14, abs=0)


def test_uniform_cost_gives_the_hand_worked_war_probability_exactly():
    r = split(stats.uniform(0.0, 0.4), tol=1e-9)  # the solve's tolerance: it gave 0.3749999975
    assert r.p_war == pytest.approx(0.375, rel=1e-15, abs=0)  # X[350] is 0.35000000000000003
    assert r.p_accept == pytest.approx(0.625, rel=1e-15, abs=0)
    assert r.expected_utility == pytest.approx(0.55625, rel=1e-15, abs=0)


def test_a_threshold_at_the_support_s_lower_end_up_to_rounding_is_sure_acceptance():
    # c uniform on [0.02, 0.08]: A offers B 0.48, B's worst-case war value, accepted whatever
    # c; 0.5 - 0.48 rounds to 0.020000000000000018, an ulp inside the support (sf 1 - 3e-16)
    cost = stats.uniform(0.02, 0.06)
    r = split(cost)
    assert X[r.index] == pytest.approx(0.48)
    assert float(cost.sf(W_B - X[r.index])) < 1.0  # the rounded threshold is inside
    assert r.p_war == 0.0 and r.p_accept == 1.0
    assert r.informed_expected_utility == X[r.index]  # no war: E[c; c < t] = 0


def test_an_exact_tie_between_a_sure_and_a_risky_offer_goes_to_the_sure_one():
    # c uniform on [0.033, 0.167]; A's expected utility 0.4 + (0.1 + t)(0.167 - t)/0.134 with
    # t = 0.5 - x is symmetric about t = 0.0335: x = 0.467 (sure, t = 0.033) and x = 0.466
    # (t = 0.034, P(war) = 1/134) both give 0.533. Ties go to the likelier accepted offer; a
    # threshold lowered by the tolerance made the risky one 1e-12 better.
    r = split(stats.uniform(0.033, 0.134))
    assert X[r.index] == pytest.approx(0.467)
    assert r.p_war == 0.0
    assert r.expected_utility_by_deal[466] == pytest.approx(0.533, rel=1e-14, abs=0)
    assert r.expected_utility == pytest.approx(0.533, rel=1e-14, abs=0)


# -------------------------------------------------------------------- complete information


@pytest.mark.parametrize("cost", [0.2, [0.2], np.full(7, 0.2)], ids=["number", "one", "repeated"])
def test_a_point_mass_gives_the_complete_information_offer_and_no_war(cost):
    r = split(cost)
    assert r.cost_model == "point mass"
    assert X[r.index] == pytest.approx(0.3)  # B's war value 0.5 - 0.2, exactly on the grid
    assert r.p_war == 0.0 and r.p_accept == 1.0
    assert r.informed_expected_utility == pytest.approx(0.3)


@given(
    u=st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1)), min_size=1, max_size=30),
    cost=st.floats(0, 1),
)
def test_point_mass_answer_is_the_best_accepted_deal(u, cost):
    ua, ub = np.array(u).T
    war_a, war_b = -1.5, 0.5  # A prefers any deal to war
    accepted = ub >= war_b - cost - 1e-12 * max(np.abs(ub).max(), war_b)
    r = risk_return_offer(ua, ub, war_a, war_b, cost)
    if accepted.any():
        assert r.p_war == 0.0
        assert ua[r.index] == pytest.approx(ua[accepted].max())
    else:
        assert r.p_war == 1.0 and r.expected_utility == war_a


def test_indifferent_informed_party_accepts_despite_rounding():
    # 0.4 - 0.1 is 0.30000000000000004 in floating point: exactly the war value 0.4 - 0.3
    assert acceptance_probability([0.1], 0.4, 0.3).tolist() == [1.0]
    assert acceptance_probability([0.1], 0.4, 0.3, tol=0.0).tolist() == [0.0]


def test_discrete_cost_counts_the_atom_at_the_threshold():
    # c in {0, 1, 2, 3, 4} (binomial): a deal worth w_B - 2 is accepted when c >= 2
    dist = stats.binom(4, 0.5)
    got = acceptance_probability([3.0], 5.0, dist)
    assert got[0] == pytest.approx(1 - dist.cdf(1))


# ---------------------------------------------------------------------- comparative statics


SPREADS = [0.4, 0.3, 0.2, 0.15, 0.12, 0.1, 0.05, 0.01]


@pytest.mark.parametrize("spread", SPREADS)
def test_war_probability_follows_the_closed_form(spread):
    r = split(uniform_cost(0.2, spread))
    assert r.p_war == pytest.approx(closed_form_p_war(spread), abs=5e-3)


def test_war_probability_falls_as_the_spread_shrinks():
    costs = [uniform_cost(0.2, s) for s in SPREADS] + [0.2]  # ending with a point mass
    p_war = [split(cost).p_war for cost in costs]
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(p_war))
    assert p_war[0] > 0.5 and p_war[-1] == 0.0


@given(st.floats(0.1, 0.4), st.floats(0.1, 0.4))
def test_a_wider_uniform_spread_never_lowers_the_risk_of_war(s1, s2):
    narrow, wide = sorted((s1, s2))
    assert split(uniform_cost(0.2, narrow)).p_war <= split(uniform_cost(0.2, wide)).p_war + 2e-3


@pytest.mark.parametrize("factor", [1e-6, 1e6])
def test_rescaled_utilities_and_costs_give_the_same_offer(factor):
    base = split(stats.uniform(0.0, 0.4))
    r = risk_return_offer(
        (1.0 - X) * factor, X * factor, W_A * factor, W_B * factor,
        stats.uniform(0.0, 0.4 * factor),
    )  # fmt: skip
    assert r.index == base.index
    assert r.p_war == pytest.approx(base.p_war)


UNITS = [1e-12, 1e-6, 1.0, 1e6]


def rescaled_cost(cost: tuple, unit: float):
    """``("samples", [c, ...])`` or ``("uniform", loc, width)``, in the given unit."""
    if cost[0] == "samples":
        return np.array(cost[1], dtype=float) * unit
    return stats.uniform(cost[1] * unit, cost[2] * unit)


@pytest.mark.parametrize("cost", [("samples", [-1, 0, 2]), ("uniform", -1, 3)])
@pytest.mark.parametrize("unit", UNITS)
def test_an_informed_side_worth_zero_everywhere_decides_acceptance_at_any_unit(cost, unit):
    # B is worth 0 under every deal and at war, so it accepts when c >= 0: P = 2/3 for costs
    # {-1, 0, 2} and for a cost uniform on [-1, 2]. Its scale 0 used to become 1, so at the unit
    # 1e-12 the cost -1e-12 (or the support's lower end) counted as tied with 0 and P was 1.
    p = acceptance_probability([0.0, 0.0], 0.0, rescaled_cost(cost, unit))
    assert p == pytest.approx([2 / 3, 2 / 3], rel=1e-15, abs=0)
    ua = np.array([1.0, 2.0]) * unit
    r = risk_return_offer(ua, [0.0, 0.0], 0.0, 0.0, rescaled_cost(cost, unit))
    assert r.index == 1 and r.p_accept == pytest.approx(2 / 3, rel=1e-15, abs=0)
    # B: 2/3 * 0 + 1/3 * 0 - E[c; c < 0]: the atom -1 (1/3 of it), or -1/2 on a third
    partial = -1 / 3 if cost[0] == "samples" else -1 / 6
    assert r.informed_expected_utility / unit == pytest.approx(-partial, rel=1e-12, abs=0)


@example(  # the informed side worth 0 everywhere: acceptance at 1e-12 used to differ
    deals=[(1, 0), (2, 0)], wars=(0, 0), cost=("samples", [-1, 0, 2]), indifferent=False
)
@settings(max_examples=60, deadline=None)
@given(
    deals=st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=1, max_size=6),
    wars=st.tuples(st.integers(-3, 3), st.integers(-3, 3)),
    cost=st.one_of(
        st.tuples(st.just("samples"), st.lists(st.integers(-3, 3), min_size=1, max_size=5)),
        st.tuples(st.just("uniform"), st.integers(-3, 3), st.integers(1, 4)),
    ),
    indifferent=st.booleans(),
)
def test_rescaling_every_utility_war_value_and_cost_gives_the_same_offer(
    deals, wars, cost, indifferent
):
    # Integer data: distinct expected utilities differ by far more than the tolerance, equal
    # ones only by rounding, so every unit must give the unit-1 answer (ties included).
    ua, ub = np.array(deals, dtype=float).T
    wa, wb = map(float, wars)
    if indifferent:  # the informed side's scale is 0
        ub, wb = np.zeros_like(ub), 0.0
    base = risk_return_offer(ua, ub, wa, wb, rescaled_cost(cost, 1.0))
    for unit in UNITS:
        r = risk_return_offer(ua * unit, ub * unit, wa * unit, wb * unit, rescaled_cost(cost, unit))
        assert r.index == base.index, unit
        assert_allclose(r.p_accept_by_deal, base.p_accept_by_deal, rtol=1e-12, atol=0)
        assert_allclose(
            r.expected_utility_by_deal / unit, base.expected_utility_by_deal, rtol=1e-12, atol=1e-12
        )
        if cost[0] == "samples":  # a scipy distribution's E[c; c < t] is scipy's quadrature,
            # whose absolute error bound is not relative to the cost's unit
            assert r.informed_expected_utility / unit == pytest.approx(
                base.informed_expected_utility, rel=1e-12, abs=1e-12
            )
        got = acceptance_probability(ub * unit, wb * unit, rescaled_cost(cost, unit))
        assert_allclose(got, base.p_accept_by_deal, rtol=1e-12, atol=0)


# -------------------------------------------------------------------------- results, errors


def test_result_is_json():
    data = json.loads(json.dumps(split(stats.uniform(0.0, 0.4)).to_dict()))
    assert data["index"] == 350 and len(data["p_accept_by_deal"]) == X.size


def test_ties_go_to_the_likelier_accepted_offer_then_the_lower_index():
    # two deals equally good for A in expectation: the sure one is offered
    r = risk_return_offer([1.0, 0.7, 0.7], [0.0, 1.0, 1.0], 0.4, 1.0, [0.0, 1.0])
    assert r.index == 1 and r.p_accept == 1.0


@pytest.mark.parametrize("unit", UNITS)
def test_a_caller_s_scale_decides_both_sides_ties(unit):
    # B's war value 0.5 and its cost known to be 0.2: the deal x = 0.3 - 5e-7 is short of B's
    # war value by 5e-7, more than 1e-9 of B's own scale (0.5) but within 1e-9 of a scale of
    # 1000 (a caller's, such as the zone's). On its own scale B refuses it and A offers 0.3.
    x = np.array([0.3 - 5e-7, 0.3]) * unit
    own = risk_return_offer(unit - x, x, 0.4 * unit, 0.5 * unit, 0.2 * unit, tol=1e-9)
    assert own.index == 1 and own.p_accept_by_deal.tolist() == [0.0, 1.0]
    wide = risk_return_offer(
        unit - x, x, 0.4 * unit, 0.5 * unit, 0.2 * unit, tol=1e-9, scale=1000 * unit
    )
    assert wide.index == 0 and wide.p_accept_by_deal.tolist() == [1.0, 1.0]
    got = acceptance_probability(x, 0.5 * unit, 0.2 * unit, tol=1e-9, scale=1000 * unit)
    assert got.tolist() == [1.0, 1.0]
    # the proposer's ties too: A's expected utilities 0.7 + 5e-7 and 0.7 tie on the scale 1000,
    # and the tie goes to the lower index; on A's own scale (0.7) the second is strictly better
    sure = risk_return_offer([0.7, 0.7 + 5e-7], [1.0, 1.0], 0.4, 0.5, 0.2, tol=1e-9, scale=1e3)
    assert sure.index == 0
    assert risk_return_offer([0.7, 0.7 + 5e-7], [1.0, 1.0], 0.4, 0.5, 0.2, tol=1e-9).index == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"u_proposer": [[1.0]]}, "u_proposer must be a one-dimensional array"),
        ({"u_proposer": []}, "u_proposer must be a one-dimensional array"),
        ({"u_informed": [0.1, 0.2]}, "one utility per deal each; got 3 and 2 deals"),
        ({"u_informed": [0.1, np.nan, 0.3]}, "u_informed must be finite"),
        ({"war_proposer": [0.1, 0.2]}, "war_proposer must be a single number"),
        ({"cost": []}, "cost samples must be a number or a non-empty"),
        ({"cost": [[0.1]]}, "cost samples must be a number or a non-empty"),
        ({"cost": [0.1, np.inf]}, "cost samples must be finite"),
        ({"cost": "uniform"}, "cost must be samples"),
        ({"cost": lambda t: 2.0 + 0 * t}, "the cost CDF must return probabilities"),
        ({"tol": -1}, "tol must be a finite number >= 0"),
        ({"scale": 0.0}, "scale must be a finite number > 0"),
        ({"scale": np.inf}, "scale must be a finite number > 0"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    args = {"u_proposer": [0.9, 0.5, 0.1], "u_informed": [0.1, 0.5, 0.9], "war_proposer": 0.4,
            "war_informed": 0.5, "cost": 0.2} | kwargs  # fmt: skip
    with pytest.raises(SolverError, match=message):
        risk_return_offer(**args)


# ----------------------------------------------------------------- triangular cost: exact E[c; c<t]


def _partial_mean_by_quadrature(lo: float, mode: float, hi: float, t: float) -> float:
    """E[c; c < t] integrated piece by piece (split at the mode), to near machine precision."""
    from scipy import integrate

    d = stats.triang((mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    total = 0.0
    for a, b in ((lo, min(mode, t)), (mode, min(hi, t))):
        if b > a:
            with warnings.catch_warnings():  # quad may say 2e-14 is beyond its roundoff; the
                warnings.simplefilter("ignore", integrate.IntegrationWarning)  # 1e-11 check holds
                total += integrate.quad(lambda c: c * d.pdf(c), a, b, epsabs=0.0, epsrel=2e-14)[0]
    return total


@pytest.mark.parametrize(
    ("lo", "mode", "hi", "t", "expected"),
    [
        (0.0, 0.5, 1.0, 0.5, 1.0 / 6.0),  # symmetric, up to the mode: 2 (1/2)^3 / (3 * 1/2)
        (0.0, 0.5, 1.0, 1.0, 0.5),  # the whole distribution: the mean (a + m + b) / 3
        (0.03, 0.08, 0.20, 0.25, (0.03 + 0.08 + 0.20) / 3),  # donbas-2026's Russian cost
        (0.0, 0.0, 1.0, 2.0, 1.0 / 3.0),  # mode at the lower end (c = 0)
        (0.0, 1.0, 1.0, 0.5, 2.0 * 0.5**3 / 3.0),  # mode at the upper end (c = 1)
        (0.0, 0.5, 1.0, -1.0, 0.0),  # below the support
    ],
)
def test_triangular_partial_mean_matches_the_closed_form(lo, mode, hi, t, expected):
    from dealsim.solvers.private_information import _partial_mean

    d = stats.triang((mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    assert _partial_mean(d, t) == pytest.approx(expected, rel=1e-14, abs=1e-300)


@given(
    lo=st.floats(-10.0, 10.0),  # a support far narrower than |lo| is ill-conditioned in t - lo
    width=st.floats(1e-2, 1e2),
    c=st.floats(0.0, 1.0),
    u=st.floats(0.0, 1.0),
)
def test_triangular_partial_mean_agrees_with_quadrature_on_both_sides_of_the_mode(lo, width, c, u):
    from dealsim.solvers.private_information import _partial_mean

    hi, mode = lo + width, lo + c * width
    t = lo + u * width
    d = stats.triang(c, loc=lo, scale=width)
    exact = _partial_mean_by_quadrature(lo, mode, hi, t)
    # relative to the scale of the cost: the partial mean can be near zero
    assert _partial_mean(d, t) == pytest.approx(exact, rel=1e-11, abs=1e-11 * (abs(lo) + hi))


def test_triangular_cost_gives_the_informed_value_with_the_exact_partial_mean():
    # A splits a unit with B as above; B's cost is triangular on [0, 0.4] with mode 0.1
    cost = stats.triang(0.25, loc=0.0, scale=0.4)
    r = risk_return_offer(1 - X, X, W_A, W_B, cost)
    threshold = W_B - X[r.index]  # exact: the threshold the acceptance probability used
    partial = _partial_mean_by_quadrature(0.0, 0.1, 0.4, threshold)
    expected = r.p_accept * X[r.index] + r.p_war * W_B - partial
    assert r.informed_expected_utility == pytest.approx(expected, rel=1e-14, abs=0)
