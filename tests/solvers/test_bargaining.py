"""Tests of dealsim.solvers.bargaining against the worked values of models.md section 1."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from dealsim.errors import SolverError
from dealsim.solvers.bargaining import (
    BargainingSolution,
    all_bargaining_solutions,
    egalitarian_solution,
    is_empty,
    kalai_smorodinsky_solution,
    nash_bargaining_solution,
    utilitarian_solution,
    weighted_nash_solution,
)
from dealsim.solvers.pareto import pareto_candidates, tolerance_scale
from strategies import disagreement_vectors, utility_arrays

PHI = (np.sqrt(5.0) - 1.0) / 2.0
SOLVERS = {
    "nash": nash_bargaining_solution,
    "kalai_smorodinsky": kalai_smorodinsky_solution,
    "egalitarian": egalitarian_solution,
    "utilitarian": utilitarian_solution,
}


@pytest.fixture(scope="module")
def quadratic_frontier():
    """u2 = 1 - u1^2 sampled with step 5e-6 (200001 points)."""
    u1 = np.linspace(0.0, 1.0, 200_001)
    return np.column_stack([u1, 1.0 - u1**2])


@pytest.fixture(scope="module")
def linear_frontier():
    """u2 = 2 (1 - u1) on a grid of step 1/60, which holds 1/2 and 2/3 exactly."""
    u1 = np.arange(61) / 60
    return np.column_stack([u1, 2.0 * (1.0 - u1)])


def simplex_grid(step: int) -> np.ndarray:
    """All (i, j, step - i - j) / step: the 3-party simplex sum u = 1 on a grid."""
    i, j = np.meshgrid(np.arange(step + 1), np.arange(step + 1), indexing="ij")
    keep = i + j <= step
    return np.column_stack([i[keep], j[keep], step - i[keep] - j[keep]]) / step


def test_nash_on_quadratic_frontier(quadratic_frontier):
    # maximise u1 (1 - u1^2): 1 - 3 u1^2 = 0, u1 = 1/sqrt(3), u2 = 2/3; grid step 5e-6
    sol = nash_bargaining_solution(quadratic_frontier, [0.0, 0.0])
    assert_allclose(sol.utilities, [1 / np.sqrt(3), 2 / 3], atol=1e-5)
    assert sol.method == "nash"
    assert sol.refinement == "grid"


@pytest.mark.parametrize("method", ["kalai_smorodinsky", "egalitarian"])
def test_ks_and_egalitarian_on_quadratic_frontier(quadratic_frontier, method):
    # ideal point (1, 1), so both equalise gains: u = 1 - u^2 gives u = phi
    sol = SOLVERS[method](quadratic_frontier, [0.0, 0.0])
    assert_allclose(sol.utilities, [PHI, PHI], atol=1e-5)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        pytest.param("nash", (0.5, 1.0), id="nash"),
        pytest.param("kalai_smorodinsky", (0.5, 1.0), id="ks"),  # segment to ideal (1, 2)
        pytest.param("egalitarian", (2 / 3, 2 / 3), id="egalitarian"),  # u = 2 (1 - u)
        pytest.param("utilitarian", (0.0, 2.0), id="utilitarian"),  # sum = 2 - u1
    ],
)
def test_solutions_on_linear_frontier(linear_frontier, method, expected):
    sol = SOLVERS[method](linear_frontier, [0.0, 0.0])
    assert_allclose(sol.utilities, expected, atol=1e-12)
    assert sol.method == method


def test_weighted_nash_on_three_party_simplex():
    # u_i = d_i + w_i / sum(w) * (1 - sum d) = (7/60, 1/3, 11/20), on the 1/60 grid exactly
    sol = weighted_nash_solution(simplex_grid(60), [0.0, 0.1, 0.2], [1, 2, 3])
    assert_allclose(sol.utilities, [7 / 60, 1 / 3, 11 / 20], atol=1e-12)
    assert sol.method == "weighted_nash"
    assert sol.weights == (1.0, 2.0, 3.0)


def test_symmetric_nash_on_simplex_splits_the_surplus_left_after_disagreement():
    # equal weights: u_i = d_i + (1 - 0.3) / 3 = (7/30, 1/3, 13/30), all multiples of 1/60
    sol = nash_bargaining_solution(simplex_grid(60), [0.0, 0.1, 0.2])
    assert_allclose(sol.utilities, [14 / 60, 20 / 60, 26 / 60], atol=1e-12)


def test_all_solutions_returns_each_method(linear_frontier):
    sols = all_bargaining_solutions(linear_frontier, [0.0, 0.0], weights=[1.0, 1.0])
    assert list(sols) == [
        "nash",
        "weighted_nash",
        "kalai_smorodinsky",
        "egalitarian",
        "utilitarian",
    ]
    assert sols["weighted_nash"].index == sols["nash"].index  # equal weights = symmetric Nash
    assert all(isinstance(s, BargainingSolution) for s in sols.values())
    assert sols["utilitarian"].to_dict()["utilities"] == [0.0, 2.0]


def test_empty_candidate_set_is_detected_and_raises():
    u, d = [[0.6, 0.3], [0.2, 0.9]], [0.5, 0.5]
    assert is_empty(u, d)
    for solver in SOLVERS.values():
        with pytest.raises(SolverError, match="no deal gives every party at least its"):
            solver(u, d)
    with pytest.raises(SolverError, match="no deal gives"):
        all_bargaining_solutions(u, d)


def test_only_individually_rational_rows_compete():
    # (3, 0) has the largest sum but gives party 2 less than d2 = 0.5
    u = [[3.0, 0.0], [1.0, 1.0], [0.5, 0.6]]
    assert utilitarian_solution(u, [0.0, 0.5]).index == 1


def test_zero_nash_product_everywhere_falls_back_to_the_tie_break():
    # d = 0: no row gives both parties a positive gain, so every rational row has product 0.
    # (0.5, 0) is dominated by (1, 0); (0, 1) and (1, 0) both have normalised gain sum 1, so the
    # lower index (1) wins; the reported value is log(0).
    u = [[0.5, 0.0], [0.0, 1.0], [1.0, 0.0]]
    sol = nash_bargaining_solution(u, [0.0, 0.0])
    assert sol.index == 1
    assert sol.value == -np.inf


def test_party_that_cannot_gain_is_left_out_of_nash_and_ks():
    # party 3 gets exactly d3 = 0.2 in every rational deal: the problem is the 2-party one
    u = [[0.2, 0.8, 0.2], [0.5, 0.5, 0.2], [0.9, 0.05, 0.2], [0.9, 0.9, 0.1]]
    d = [0.0, 0.0, 0.2]
    assert nash_bargaining_solution(u, d).index == 1  # 0.25 > 0.16 > 0.045
    assert kalai_smorodinsky_solution(u, d).index == 1  # min(0.5/0.9, 0.5/0.8) is the largest


def test_ties_prefer_pareto_optimal_rows_then_lower_index():
    # egalitarian min gain 0.5 for rows 0, 1 and 2; row 0 is dominated by row 2; rows 1 and 2
    # have normalised-gain sums 0.5/1 + 1/1 = 1.5 each, so the lower index (1) wins
    u = [[0.5, 0.5], [0.5, 1.0], [1.0, 0.5]]
    assert egalitarian_solution(u, [0.0, 0.0]).index == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"disagreement": [0.0]}, "one value per party", id="short-d"),
        pytest.param({"weights": [1.0, -1.0]}, "finite positive", id="negative-weight"),
        pytest.param({"weights": [1.0]}, "one per party", id="short-weights"),
        pytest.param({"utilities": [[np.inf, 0.0]]}, "finite", id="inf"),
        pytest.param({"utilities": [0.5, 0.5]}, "two-dimensional", id="1-d"),
        pytest.param({"tol": -1.0}, "tol must be", id="negative-tol"),
        pytest.param({"scale": 0.0}, "scale must be a finite number > 0", id="zero-scale"),
        pytest.param({"scale": np.nan}, "scale must be a finite number > 0", id="nan-scale"),
    ],
)
def test_malformed_input_raises_solver_error(kwargs, match):
    args = {"utilities": [[0.5, 0.5]], "disagreement": [0.0, 0.0], **kwargs}
    with pytest.raises(SolverError, match=match):
        nash_bargaining_solution(args.pop("utilities"), args.pop("disagreement"), **args)


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_a_caller_s_scale_decides_rationality_and_the_parties_that_cannot_gain(unit):
    # A caller (the war analysis) chose these rows with tol 1e-9 times a scale of 1000: to it
    # (0.7, 0.3) is 5e-7 short of d = (0.7, 0.3 + 5e-7), within its tolerance 1e-6, and
    # acceptable. On the rows' own scale (0.7: tolerance 7e-10) no row is individually rational.
    short = np.array([[0.7, 0.3]]) * unit
    d = np.array([0.7, 0.3 + 5e-7]) * unit
    with pytest.raises(SolverError, match="no deal gives every party"):
        weighted_nash_solution(short, d, [1, 1], tol=1e-9)
    sol = weighted_nash_solution(short, d, [1, 1], tol=1e-9, scale=1000 * unit)
    assert sol.index == 0 and sol.utilities == tuple(short[0])
    # A third party gains 1e-7 in the second and third deals: on the rows' own scale it can
    # gain, so only those have a positive product and the better of them (0.5, 0.5) wins; on the
    # caller's scale it cannot (its gain is a tie), and (0.5, 0.5) with it at 0 comes first.
    u = np.array([[0.5, 0.5, 0.0], [0.6, 0.3, 1e-7], [0.5, 0.5, 1e-7]]) * unit
    zero = np.zeros(3)
    assert weighted_nash_solution(u, zero, [1, 1, 1], tol=1e-9).index == 2
    assert nash_bargaining_solution(u, zero, tol=1e-9).index == 2
    wide = weighted_nash_solution(u, zero, [1, 1, 1], tol=1e-9, scale=1000 * unit)
    assert wide.index == 0 and wide.utilities == (0.5 * unit, 0.5 * unit, 0.0)
    assert nash_bargaining_solution(u, zero, tol=1e-9, scale=1000 * unit).index == 0


# ------------------------------------------------------------------------------------- properties


@st.composite
def problems(draw, n_parties=None):
    parties = st.integers(1, 4) if n_parties is None else n_parties
    u = draw(utility_arrays(n_parties=parties, min_rows=1, max_rows=30))
    return u, draw(disagreement_vectors(u))


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
@pytest.mark.parametrize("method", [*SOLVERS])
def test_every_solver_judges_rationality_and_ties_on_a_caller_s_scale(method, unit):
    # the rows of the test above: (0.7, 0.3) 5e-7 short of d, rational only on the scale 1000
    solver = SOLVERS[method]
    short, d = np.array([[0.7, 0.3]]) * unit, np.array([0.7, 0.3 + 5e-7]) * unit
    with pytest.raises(SolverError, match="no deal gives every party"):
        solver(short, d, tol=1e-9)
    assert solver(short, d, tol=1e-9, scale=1000 * unit).index == 0
    assert is_empty(short, d, tol=1e-9) and not is_empty(short, d, tol=1e-9, scale=1000 * unit)
    # (0.5, 0.5) with the third party at 0 or at 1e-7: on the rows' own scale the third party
    # gains in the second (every criterion prefers it); on the scale 1000 the two tie and the
    # first is taken
    u = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 1e-7]]) * unit
    assert solver(u, np.zeros(3), tol=1e-9).index == 1
    assert solver(u, np.zeros(3), tol=1e-9, scale=1000 * unit).index == 0
    found = all_bargaining_solutions(u, np.zeros(3), tol=1e-9, scale=1000 * unit)
    assert {name: s.index for name, s in found.items()} == dict.fromkeys(SOLVERS, 0)


@given(problems(), st.sampled_from([1e-9, 1.0, 1e9]))
def test_nash_with_the_rows_own_scale_passed_is_the_default(problem, unit):
    u, d = problem
    scale = tolerance_scale(u * unit, d * unit)
    got = nash_bargaining_solution(u * unit, d * unit, scale=scale)
    assert got == nash_bargaining_solution(u * unit, d * unit)


@given(problems(), st.sampled_from([*SOLVERS]))
def test_every_solution_is_pareto_optimal_among_the_candidates(problem, method):
    u, d = problem
    sol = SOLVERS[method](u, d)
    # no candidate is as good for everyone and better by more than the tolerance for someone
    scale = tolerance_scale(u, d)
    assert pareto_candidates(u, tol=sol.tol, scale=scale)[sol.index]
    assert np.all(u[sol.index] >= d - sol.tol * scale)


def nash_value(u, d, index):
    return np.sum(np.log(u[index] - d))


def ks_value(u, d, index):
    rational = np.all(u >= d, axis=1)
    return np.min((u[index] - d) / (u[rational].max(axis=0) - d))


@given(
    problems(n_parties=st.integers(2, 3)),
    st.integers(0, 2),
    st.floats(0.25, 4.0),
    st.floats(-2.0, 2.0),
    st.sampled_from(["nash", "kalai_smorodinsky"]),
)
def test_nash_and_ks_move_with_positive_affine_rescaling(problem, party, scale, shift, method):
    u, d = problem
    party = party % u.shape[1]
    rational = np.all(u >= d, axis=1)
    # keep to problems where every party can gain (the Nash product is positive somewhere)
    assume(np.any(np.all(u[rational] > d + 1e-6, axis=1)))
    v, e = u.copy(), d.copy()
    v[:, party] = scale * u[:, party] + shift
    e[party] = scale * d[party] + shift
    before, after = SOLVERS[method](u, d), SOLVERS[method](v, e)
    value = nash_value if method == "nash" else ks_value
    # the rescaled problem's answer is a maximiser of the original problem (the same deal when
    # the maximiser is unique)
    assert np.isclose(value(u, d, after.index), value(u, d, before.index), rtol=1e-9, atol=1e-12)


@given(st.floats(1.2, 4.0), st.integers(3, 40), st.floats(0.0, 0.3))
def test_symmetric_convex_problem_gives_equal_gains(p, n, d0):
    # frontier u1^p + u2^p = 1 sampled symmetrically, with its diagonal point included, plus
    # dominated interior points; the continuous solutions are all on the diagonal
    t = np.linspace(0.0, 1.0, n) ** (1 / p) * 2 ** (-1 / p)  # u1 from 0 to the diagonal
    half = np.column_stack([t, (1 - t**p) ** (1 / p)])
    pts = np.concatenate([half, half[:, ::-1], 0.5 * half])
    d = np.array([d0, d0])
    for method in ("nash", "kalai_smorodinsky", "egalitarian"):
        sol = SOLVERS[method](pts, d)
        gains = np.array(sol.utilities) - d
        assert_allclose(gains[0], gains[1], rtol=1e-9)


@given(utility_arrays(n_parties=st.just(2), min_rows=1, max_rows=20), st.floats(-1.0, 0.5))
def test_swapped_solution_of_a_symmetric_grid_problem_is_also_optimal(u, d0):
    # on a finite symmetric set the answer may be off the diagonal, but its mirror image ties
    pts = np.concatenate([u, u[:, ::-1]])
    d = np.array([d0, d0])
    assume(not is_empty(pts, d))
    for method in ("nash", "kalai_smorodinsky", "egalitarian"):
        sol = SOLVERS[method](pts, d)
        mirrored = SOLVERS[method](pts[:, ::-1], d)
        assert_allclose(sorted(sol.utilities), sorted(mirrored.utilities), rtol=1e-12)
