"""Tests of dealsim.solvers.refinement: exact optima on affine pieces (models.md section 1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from dealsim.errors import SolverError
from dealsim.solvers.refinement import (
    METHODS,
    continuous_ideal,
    refine_many,
    refine_pieces,
    solution_criteria,
)

BOX = {"G": [[[1.0], [-1.0]]], "h": [[1.0, 0.0]]}


def _line(u0, u1, scale=1.0):
    """One piece: utilities move linearly from u0 (y = 0) to u1 (y = 1)."""
    u0, u1 = np.asarray(u0, float) * scale, np.asarray(u1, float) * scale
    return {"offsets": [u0], "slopes": [(u1 - u0)[:, None]], **BOX}


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        pytest.param("nash", (0.5, 1.0), id="nash"),
        pytest.param("kalai_smorodinsky", (0.5, 1.0), id="kalai-smorodinsky"),
        pytest.param("egalitarian", (2 / 3, 2 / 3), id="egalitarian"),
        pytest.param("utilitarian", (0.0, 2.0), id="utilitarian"),
    ],
)
def test_frontier_u2_equals_2_minus_2u1_gives_the_closed_forms(method, expected):
    piece = _line([0.0, 2.0], [1.0, 0.0])
    sol = refine_pieces(**piece, disagreement=[0, 0], method=method, ideal=[1.0, 2.0])
    assert sol.status == ("optimal",)
    assert_allclose(sol.utilities[0], expected, atol=1e-9)


def test_linear_split_with_reservations_gives_nash_055_and_weighted_two_thirds_share():
    piece = _line([0.0, 1.0], [1.0, 0.0])
    nash = refine_pieces(**piece, disagreement=[0.2, 0.1], method="nash", ideal=[0.9, 0.8])
    assert_allclose(nash.points[0, 0], 0.55, atol=1e-10)
    weighted = refine_pieces(
        **piece, disagreement=[0.2, 0.1], method="weighted_nash", ideal=[0.9, 0.8], weights=[2, 1]
    )
    assert_allclose(weighted.points[0, 0], 0.2 + 2 / 3 * 0.7, atol=1e-10)
    assert weighted.weights == (2.0, 1.0)


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_answers_do_not_move_when_utilities_are_rescaled(scale):
    piece = _line([0.0, 1.0], [1.0, 0.0], scale)
    d = np.array([0.2, 0.1]) * scale
    for method in ("nash", "kalai_smorodinsky", "egalitarian"):
        sol = refine_pieces(
            **piece, disagreement=d, method=method, ideal=[0.9 * scale, 0.8 * scale]
        )
        assert_allclose(sol.points[0, 0], 0.55, atol=1e-9)


@pytest.mark.parametrize("scale", [1e-15, 1e-12, 1e12, 1e15])
@pytest.mark.parametrize("method", ["nash", "kalai_smorodinsky", "egalitarian"])
def test_answers_do_not_move_at_extreme_utility_scales(method, scale):
    # The split of the test above, d = (0.2, 0.1): every solution gives A 0.55 at any scale
    # (egalitarian's linear programme measured its gain t in utility units against slacks in
    # the piece's [0, 1] coordinates, and at 1e-12 found no vertex better than the grid).
    piece = _line([0.0, 1.0], [1.0, 0.0], scale)
    d = np.array([0.2, 0.1]) * scale
    sol = refine_pieces(**piece, disagreement=d, method=method, ideal=[0.9 * scale, 0.8 * scale])
    assert sol.status == ("optimal",)
    assert_allclose(sol.points[0, 0], 0.55, atol=1e-9)


def _split_with_one_party_scaled(party: int, factor: float):
    """The split u = (y, 1 - y), d = (0.2, 0.1), ideal (0.9, 0.8), with one party's utilities,
    reservation and ideal multiplied by ``factor`` (its payoffs in dollars, the other's in
    billions); the scales ``s`` that undo it."""
    s = np.ones(2)
    s[party] = factor
    u0, u1 = np.array([0.0, 1.0]) * s, np.array([1.0, 0.0]) * s
    piece = {"offsets": [u0], "slopes": [(u1 - u0)[:, None]], **BOX}
    return piece, np.array([0.2, 0.1]) * s, np.array([0.9, 0.8]) * s, s


@pytest.mark.parametrize("factor", [1e-15, 1e-16, 1e15, 1e16])
@pytest.mark.parametrize("party", [0, 1])
@pytest.mark.parametrize("method", ["nash", "kalai_smorodinsky"])
def test_one_partys_utility_scale_does_not_move_nash_or_kalai_smorodinsky(method, party, factor):
    # Nash and Kalai-Smorodinsky are invariant to rescaling one party's utility (models.md
    # section 1): A still gets 0.55. Each party's slope row is zero against its own scale; one
    # threshold for all (1e-14 times the largest utility) dropped the small party's rows:
    # Kalai-Smorodinsky gave A 0.2 or 0.9, and with B large Nash found no interior. tol = 0:
    # the common tolerance would make the small party degenerate (the next test).
    piece, d, ideal, _ = _split_with_one_party_scaled(party, factor)
    sol = refine_pieces(**piece, disagreement=d, method=method, ideal=ideal, tol=0.0)
    assert sol.status == ("optimal",)
    assert_allclose(sol.points[0, 0], 0.55, atol=1e-9)


@pytest.mark.parametrize("factor", [1e-15, 1e-16, 1e15, 1e16])
@pytest.mark.parametrize("party", [0, 1])
@pytest.mark.parametrize("method", ["nash", "kalai_smorodinsky", "egalitarian"])
def test_a_party_too_small_to_count_still_gets_its_reservation(method, party, factor):
    # With the default tolerance the party whose gains are below tol times the largest utility
    # is degenerate and left out of the criterion, but only rational deals compete: the other
    # party gets the most that leaves it its reservation (A 0.9 if B is small, 0.2 if A is).
    # Its rationality row counted as zero dropped that: the small party got 0 (below its
    # reservation), or with the other party large the piece was infeasible.
    piece, d, ideal, s = _split_with_one_party_scaled(party, factor)
    sol = refine_pieces(**piece, disagreement=d, method=method, ideal=ideal)
    assert sol.status == ("optimal",)
    small = int(np.argmin(s))
    assert_allclose(sol.utilities[0, small], d[small], rtol=1e-12, atol=0.0)  # its own scale
    assert_allclose(sol.points[0, 0], 0.2 if small == 0 else 0.9, atol=1e-9)


def test_ideal_is_each_partys_best_rational_point():
    ideal, piece, point = continuous_ideal(**_line([0.0, 1.0], [1.0, 0.0]), disagreement=[0.2, 0.1])
    assert_allclose(ideal, [0.9, 0.8])
    assert piece.tolist() == [0, 0]
    assert_allclose(point[:, 0], [0.9, 0.2])


def test_best_piece_wins_and_an_infeasible_piece_is_reported():
    # piece 0: split of 1; piece 1: split of 1.2; piece 2: both below their reservations
    offsets = [[0.0, 1.0], [0.0, 1.2], [0.0, 0.0]]
    slopes = [[[1.0], [-1.0]], [[1.2], [-1.2]], [[0.0], [0.0]]]
    G = [[[1.0], [-1.0]]] * 3
    h = [[1.0, 0.0]] * 3
    sol = refine_pieces(offsets, slopes, G, h, [0.1, 0.1], "nash", ideal=[1.1, 1.1])
    assert sol.status == ("optimal", "optimal", "no_interior")
    assert sol.best == 1
    assert_allclose(sol.utilities[1], [0.6, 0.6], atol=1e-9)
    egal = refine_pieces(offsets, slopes, G, h, [0.1, 0.1], "egalitarian", ideal=[1.1, 1.1])
    assert egal.status[2] == "infeasible"
    assert egal.values[2] == -np.inf


def test_a_constraint_row_that_binds_is_respected():
    piece = _line([0.0, 1.0], [1.0, 0.0])
    piece["G"] = [[[1.0], [-1.0], [1.0]]]
    piece["h"] = [[1.0, 0.0, 0.52]]  # y <= 0.52
    for method in ("nash", "kalai_smorodinsky", "egalitarian"):
        sol = refine_pieces(**piece, disagreement=[0.2, 0.1], method=method, ideal=[0.9, 0.8])
        assert sol.points[0, 0] <= 0.52 + 1e-12
        assert_allclose(sol.points[0, 0], 0.52, atol=1e-9)


def test_two_issue_egalitarian_and_kalai_smorodinsky_by_hand():
    # U_a = 0.5 x + 0.5 y, U_b = 2 - 1.5 x - 0.5 y over [0, 1]^2, d = (0, 0.3)
    piece = {
        "offsets": [[0.0, 2.0]],
        "slopes": [[[0.5, 0.5], [-1.5, -0.5]]],
        "G": [[[1, 0], [0, 1], [-1, 0], [0, -1]]],
        "h": [[1, 1, 0, 0]],
    }
    d = [0.0, 0.3]
    ideal, _, _ = continuous_ideal(**piece, disagreement=d)
    assert_allclose(ideal, [0.9, 2.0])
    egal = refine_pieces(**piece, disagreement=d, method="egalitarian", ideal=ideal)
    assert_allclose(egal.points[0], [0.35, 1.0], atol=1e-9)
    ks = refine_pieces(**piece, disagreement=d, method="kalai_smorodinsky", ideal=ideal)
    assert_allclose(ks.points[0], [23 / 220, 1.0], atol=1e-9)


def test_criteria_match_their_definitions():
    u = [[0.6, 0.5], [0.1, 0.9]]
    d, ideal = [0.2, 0.1], [0.9, 0.8]
    assert_allclose(solution_criteria(u, d, "nash", ideal=ideal), [0.16, -np.inf])
    assert_allclose(
        solution_criteria(u, d, "weighted_nash", ideal=ideal, weights=[2, 1]), [0.064, -np.inf]
    )
    assert_allclose(solution_criteria(u, d, "egalitarian", ideal=ideal), [0.4, -np.inf])
    assert_allclose(solution_criteria(u, d, "utilitarian", ideal=ideal), [1.1, -np.inf])


def test_malformed_input_and_unknown_method_raise_solver_errors():
    piece = _line([0.0, 1.0], [1.0, 0.0])
    with pytest.raises(SolverError, match="unknown method 'mean'"):
        refine_pieces(**piece, disagreement=[0, 0], method="mean", ideal=[1, 1])
    with pytest.raises(SolverError, match="offsets must have shape"):
        refine_pieces([[0.0]], piece["slopes"], BOX["G"], BOX["h"], [0, 0], "nash", ideal=[1, 1])
    with pytest.raises(SolverError, match="weights must be 2 positive numbers"):
        refine_pieces(
            **piece, disagreement=[0, 0], method="weighted_nash", ideal=[1, 1], weights=[1, 0]
        )


@settings(max_examples=40, deadline=None)
@given(
    x=st.floats(0.05, 0.95),
    d=st.tuples(st.floats(0.0, 0.3), st.floats(0.0, 0.3)),
    slope_b=st.floats(0.2, 3.0),
    method=st.sampled_from(["nash", "kalai_smorodinsky", "egalitarian", "utilitarian"]),
)
# b's utility is 0 at y = 1, 1e-9 below its disagreement value: the criteria's tolerant test counts
# that point as rational (sum 1), but it is not in the piece, where U_b >= d_b exactly
@example(x=0.5, d=(0.0, 1e-9), slope_b=0.5, method="utilitarian")
@example(x=0.5, d=(0.0, 1e-9), slope_b=0.2, method="utilitarian")
def test_piece_optimum_is_never_worse_than_any_point_of_the_piece(x, d, slope_b, method):
    piece = _line([0.0, slope_b], [1.0, 0.0])
    ideal, _, _ = continuous_ideal(**piece, disagreement=d)
    sol = refine_pieces(**piece, disagreement=d, method=method, ideal=ideal)
    grid = np.linspace(0, 1, 201)
    u = np.column_stack([grid, slope_b * (1 - grid)])
    # the piece's points are those of its polytope, which holds U_i >= d_i exactly (the module's
    # contract); the criteria's own test lets a point tol * scale short of d_i count as rational
    in_piece = (u >= np.asarray(d)).all(axis=1)
    values = np.where(in_piece, solution_criteria(u, d, method, ideal=ideal), -np.inf)
    if sol.status[0] == "no_interior":  # no point gives every active party a positive gain
        assert values.max() <= 1e-9
    elif np.isfinite(values).any():
        assert sol.values[0] >= values.max() - 1e-9 * max(1.0, abs(values.max()))


def _random_pieces(rng, P, k, m):
    """``P`` random affine pieces on the unit box, with one random cut each."""
    box_G = np.concatenate([np.eye(m), -np.eye(m)])
    box_h = np.concatenate([np.ones(m), np.zeros(m)])
    cut = rng.normal(size=(P, 1, m))
    G = np.concatenate([np.broadcast_to(box_G, (P, 2 * m, m)), cut], axis=1)
    h = np.concatenate([np.broadcast_to(box_h, (P, 2 * m)), np.abs(cut).sum(-1) * 0.6], axis=1)
    return {
        "offsets": rng.uniform(0, 1, size=(P, k)),
        "slopes": rng.normal(size=(P, k, m)),
        "G": G,
        "h": h,
    }


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), P=st.integers(1, 6), k=st.integers(2, 3), m=st.integers(1, 3)
)
def test_refine_many_gives_refine_pieces_answers_bit_for_bit(seed, P, k, m):
    rng = np.random.default_rng(seed)
    pieces = _random_pieces(rng, P, k, m)
    d = rng.uniform(0, 0.3, size=k)
    weights = rng.uniform(0.5, 2, size=k)
    ideal, _, _ = continuous_ideal(**pieces, disagreement=d)
    if not np.isfinite(ideal).all():
        ideal = np.maximum(d, 0.5)
    many = refine_many(**pieces, disagreement=d, methods=METHODS, ideal=ideal, weights=weights)
    assert list(many) == list(METHODS)
    for method in METHODS:
        one = refine_pieces(
            **pieces,
            disagreement=d,
            method=method,
            ideal=ideal,
            weights=weights if method == "weighted_nash" else None,
        )
        got = many[method]
        assert got.status == one.status
        np.testing.assert_array_equal(got.points, one.points)
        np.testing.assert_array_equal(got.values, one.values)
        np.testing.assert_array_equal(got.utilities, one.utilities)
        assert got.weights == one.weights


def test_refine_many_reports_a_batch_beyond_the_limit_per_method(monkeypatch):
    import dealsim.solvers.refinement as refinement

    pieces = _random_pieces(np.random.default_rng(0), 4, 2, 2)
    ideal = [1.0, 1.0]
    # the rational polytope has 7 rows (C(7, 2) = 21 systems a piece, 84 in all); the
    # egalitarian and KS problems lift to 3 variables and 9 rows (C(9, 3) = 84 a piece)
    monkeypatch.setattr(refinement, "MAX_VERTEX_SYSTEMS", 100)
    out = refine_many(
        **pieces, disagreement=[0, 0], methods=["utilitarian", "egalitarian"], ideal=ideal
    )
    assert (
        out["utilitarian"].status
        == refine_pieces(**pieces, disagreement=[0, 0], method="utilitarian", ideal=ideal).status
    )
    assert isinstance(out["egalitarian"], SolverError)
    assert "more than the limit 100" in str(out["egalitarian"])
    with pytest.raises(SolverError, match="more than the limit 100"):
        refine_pieces(**pieces, disagreement=[0, 0], method="egalitarian", ideal=ideal)


def test_refine_many_rejects_an_unknown_method_before_any_work():
    with pytest.raises(SolverError, match="unknown method 'mean'"):
        refine_many(
            **_line([0.0, 1.0], [1.0, 0.0]),
            disagreement=[0, 0],
            methods=["nash", "mean"],
            ideal=[1, 1],
        )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 3), padding=st.integers(1, 3))
def test_padding_rows_do_not_change_any_vertex_answer(seed, m, padding):
    rng = np.random.default_rng(seed)
    pieces = _random_pieces(rng, 3, 2, m)
    padded = dict(pieces)
    P = pieces["G"].shape[0]
    padded["G"] = np.concatenate([np.zeros((P, padding, m)), pieces["G"]], axis=1)
    padded["h"] = np.concatenate([np.ones((P, padding)), pieces["h"]], axis=1)
    d = [-0.5, -0.5]  # every piece's corner y = 0 is rational: no right-hand side below zero
    ideal, piece, point = continuous_ideal(**pieces, disagreement=d)
    ideal_p, piece_p, point_p = continuous_ideal(**padded, disagreement=d)
    np.testing.assert_array_equal(ideal_p, ideal)
    np.testing.assert_array_equal(piece_p, piece)
    np.testing.assert_array_equal(point_p, point)
    # the vertex-enumeration criteria (Nash's barrier sums over the rows, padding included)
    for method in ("utilitarian", "egalitarian", "kalai_smorodinsky"):
        one = refine_pieces(**pieces, disagreement=d, method=method, ideal=ideal)
        two = refine_pieces(**padded, disagreement=d, method=method, ideal=ideal)
        assert two.status == one.status
        np.testing.assert_array_equal(two.points, one.points)


def _plain_barrier_newton(y, gA, gc, G, h, w, mu=1.0, shrink=0.01, mu_min=1e-14, steps=40):
    """The barrier Newton path written plainly: gains and slacks recomputed at every step."""
    real = ~((np.abs(G).sum(axis=-1) == 0) & (h >= 0))
    Gr = np.where(real[..., None], G, 0.0)

    def value(yy, mu):
        g = gc[:, None, :] + np.einsum("qkm,qam->qak", gA, yy)
        sl = np.where(real[:, None, :], h[:, None, :] - np.einsum("qnm,qam->qan", Gr, yy), 1.0)
        bad = (g <= 0).any(-1) | (sl <= 0).any(-1)
        f = np.log(np.where(g > 0, g, 1.0)) @ w + mu * np.log(np.where(sl > 0, sl, 1.0)).sum(-1)
        return np.where(bad, -np.inf, f)

    halvings = 0.5 ** np.arange(30)
    converged = np.zeros(y.shape[0], dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while True:
            for _ in range(steps):
                g = gc + np.einsum("qkm,qm->qk", gA, y)
                sl = np.where(real, h - np.einsum("qnm,qm->qn", Gr, y), 1.0)
                grad = np.einsum("qkm,qk->qm", gA, w / g) - mu * np.einsum("qnm,qn->qm", Gr, 1 / sl)
                hess = -np.einsum("qkm,qkl,qk->qml", gA, gA, w / g**2) - mu * np.einsum(
                    "qnm,qnl,qn->qml", Gr, Gr, real / sl**2
                )
                finite = np.isfinite(hess).all(axis=(1, 2)) & np.isfinite(grad).all(axis=1)
                hess = np.where(finite[:, None, None], hess, -np.eye(hess.shape[-1]))
                rhs = -np.where(finite[:, None], grad, 0.0)[..., None]
                step = (np.linalg.pinv(hess) @ rhs)[..., 0]
                decrement = (grad * step).sum(-1)
                converged = decrement <= 1e-13
                trial = y[:, None, :] + halvings[None, :, None] * step[:, None, :]
                f0 = value(y[:, None, :], mu)
                ft = value(trial, mu)
                accept = ft >= f0 + 0.25 * halvings[None, :] * decrement[:, None]
                first = np.argmax(accept, axis=1)
                move = accept.any(axis=1)
                y = np.where(move[:, None], trial[np.arange(y.shape[0]), first], y)
                if converged.all() or not (move & ~converged).any():
                    break
            if mu <= mu_min:
                break
            mu = max(mu * shrink, mu_min)
    return y, converged


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    Q=st.integers(1, 12),
    k=st.integers(1, 4),
    m=st.integers(1, 4),
    padding=st.integers(0, 2),
)
def test_barrier_newton_performs_the_plain_loops_float_operations(seed, Q, k, m, padding):
    """The kernel's loop (constant arrays built once) changes no bit of the barrier path."""
    from dealsim.solvers.refinement import _barrier_newton

    rng = np.random.default_rng(seed)
    box = np.concatenate([np.eye(m), -np.eye(m)])
    cut, pad = rng.normal(size=(Q, 1, m)), np.zeros((Q, padding, m))
    G = np.concatenate([np.broadcast_to(box, (Q, 2 * m, m)), cut, pad], axis=1)
    h = np.concatenate(
        [
            np.tile(np.r_[np.ones(m), np.zeros(m)], (Q, 1)),
            rng.uniform(0.5, 2, (Q, 1)),
            np.ones((Q, padding)),
        ],
        axis=1,
    )
    gA = rng.normal(size=(Q, k, m))
    gc = rng.uniform(0.2, 1.0, size=(Q, k)) + np.abs(gA).sum(-1)  # gains > 0 on the whole box
    y = rng.uniform(0.1, 0.4, size=(Q, m)) / m  # interior: inside the box and the cut
    w = rng.uniform(0.5, 2.0, size=k)
    got_y, got_converged = _barrier_newton(y, gA, gc, G, h, w)
    want_y, want_converged = _plain_barrier_newton(y, gA, gc, G, h, w)
    np.testing.assert_array_equal(got_y, want_y)
    np.testing.assert_array_equal(got_converged, want_converged)


def test_a_padding_row_does_not_empty_a_piece_whose_reservation_row_is_negative():
    # y in [0, 1], utilities (y, 1 - y), d = (0.2, 0.1): the row y >= 0.2 has h = -0.2 < 0;
    # an all-zero padding row (0 <= 1) must leave the piece and its answers as they were
    piece = {"offsets": [[0.0, 1.0]], "slopes": [[[1.0], [-1.0]]]}
    plain = {"G": [[[1.0], [-1.0]]], "h": [[1.0, 0.0]]}
    padded = {"G": [[[1.0], [-1.0], [0.0]]], "h": [[1.0, 0.0, 1.0]]}
    d, ideal = [0.2, 0.1], [0.9, 0.8]
    for method in ("nash", "utilitarian", "egalitarian"):
        one = refine_pieces(**piece, **plain, disagreement=d, method=method, ideal=ideal)
        two = refine_pieces(**piece, **padded, disagreement=d, method=method, ideal=ideal)
        assert two.status == one.status == ("optimal",)
        assert_allclose(two.points, one.points, rtol=1e-12)
    assert_allclose(continuous_ideal(**piece, **padded, disagreement=d)[0], ideal)


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_a_caller_s_scale_judges_degenerate_parties_and_rationality(unit):
    # (y, 1 - y, 1e-7 y), d = 0: on the data's own scale (1) the third party can gain 1e-7, so
    # Nash maximises y (1 - y) 1e-7 y (y = 2/3) and egalitarian min(1 - y, 1e-7 y) (y ~ 1); on
    # a caller's scale of 1000 (tolerance 1e-6) it cannot, and both take y = 1/2, as the grid
    # solvers given the same scale do
    piece = _line([0.0, 1.0, 0.0], [1.0, 0.0, 1e-7], scale=unit)
    ideal = np.array([1.0, 1.0, 1e-7]) * unit
    y = {}
    for scale in (None, 1000 * unit):
        for method in ("nash", "egalitarian"):
            sol = refine_pieces(
                **piece, disagreement=[0, 0, 0], method=method, ideal=ideal, tol=1e-9, scale=scale
            )
            y[method, scale] = float(sol.points[0, 0])
    assert y["nash", None] == pytest.approx(2 / 3, rel=1e-9)
    assert y["egalitarian", None] == pytest.approx(1 / (1 + 1e-7), rel=1e-9)
    assert y["nash", 1000 * unit] == pytest.approx(0.5, rel=1e-8)
    assert y["egalitarian", 1000 * unit] == pytest.approx(0.5, rel=1e-12)
    # a row 5e-7 short of d: not rational on its own scale, rational on 1000
    u, d = np.array([[0.7, 0.3]]) * unit, np.array([0.7, 0.3 + 5e-7]) * unit
    crit = solution_criteria(u, d, "utilitarian", ideal=u[0], tol=1e-9)
    assert crit.tolist() == [-np.inf]
    crit = solution_criteria(u, d, "utilitarian", ideal=u[0], tol=1e-9, scale=1000 * unit)
    assert crit.tolist() == [pytest.approx(unit, rel=1e-12)]
    with pytest.raises(SolverError, match="scale must be a finite number > 0"):
        refine_many(**piece, disagreement=[0, 0, 0], methods=["nash"], ideal=ideal, scale=0.0)
