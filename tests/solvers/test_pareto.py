"""Tests of dealsim.solvers.pareto against a brute-force all-pairs reference."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_array_equal

from dealsim.errors import SolverError
from dealsim.solvers.pareto import (
    merge_frontiers,
    pareto_candidates,
    pareto_frontier,
    pareto_mask,
    streaming_pareto_frontier,
    tolerance_scale,
)
from strategies import tied_utility_arrays, utility_arrays


def brute_force_mask(u: np.ndarray, tol: float = 0.0) -> np.ndarray:
    """O(n^2) definition: row i is optimal unless a row j is >= i - t everywhere and > i + t once.

    ``t = tol * max|u|``: the tolerance is relative to the utilities' scale.
    """
    u = np.asarray(u, dtype=float)
    if u.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    tol = tol * max(1e-300, float(np.abs(u).max()))
    ge = np.all(u[None, :, :] >= u[:, None, :] - tol, axis=2)  # [i, j]: j >= i - t everywhere
    gt = np.any(u[None, :, :] > u[:, None, :] + tol, axis=2)  # [i, j]: j beats i by > tol once
    return ~np.any(ge & gt, axis=1)


@given(tied_utility_arrays(max_rows=60))
def test_mask_matches_brute_force_with_many_ties(u):
    assert_array_equal(pareto_mask(u), brute_force_mask(u))


@given(utility_arrays(max_rows=60), st.sampled_from([0.0, 1e-9, 0.1, 0.3]))
def test_mask_matches_brute_force_with_tolerance(u, tol):
    assert_array_equal(pareto_mask(u, tol=tol), brute_force_mask(u, tol))


@pytest.mark.parametrize("k", [2, 3, 4, 5])
@pytest.mark.parametrize("kind", ["integers", "floats", "opposed"])
def test_mask_matches_brute_force_beyond_the_filter_block_sizes(k, kind):
    # 1500 rows exercise the pivot filter (> 256 rows) and several staircase blocks (256, 512, ...)
    rng = np.random.default_rng(12345 + k)
    if kind == "integers":
        u = rng.integers(0, 8, size=(1500, k)).astype(float)
    elif kind == "floats":
        u = rng.random((1500, k))
    else:  # points near the simplex: large frontier, conflicting parties
        u = rng.dirichlet(np.ones(k), size=1500) - 0.02 * rng.random((1500, 1))
    assert_array_equal(pareto_mask(u), brute_force_mask(u))
    assert_array_equal(pareto_mask(u, tol=0.05), brute_force_mask(u, 0.05))


def test_duplicate_optimal_rows_are_all_kept_and_duplicate_dominated_rows_all_dropped():
    u = [[1.0, 2.0], [1.0, 2.0], [2.0, 1.0], [0.5, 0.5], [0.5, 0.5]]
    assert_array_equal(pareto_frontier(u), [0, 1, 2])


def test_positive_tolerance_keeps_near_ties_only():
    u = [[1.0, 1.0], [1.0, 1.0 - 1e-9], [1.0, 0.5]]
    assert_array_equal(pareto_mask(u), [True, False, False])
    assert_array_equal(pareto_mask(u, tol=1e-6), [True, True, False])


def test_single_party_keeps_every_maximiser():
    assert_array_equal(pareto_frontier([[0.3], [0.9], [0.9], [0.1]]), [1, 2])


def test_empty_array_gives_empty_mask():
    assert pareto_mask(np.empty((0, 3))).shape == (0,)
    assert pareto_frontier(np.empty((0, 2))).dtype == np.int64


def test_frontier_of_a_concave_curve_is_every_point():
    u1 = np.linspace(0.0, 1.0, 2001)
    u = np.column_stack([u1, 1.0 - u1**2])[::-1]
    assert pareto_mask(u).all()


@given(tied_utility_arrays(min_rows=1, max_rows=60, n_parties=st.integers(1, 4)), st.data())
def test_merging_chunk_frontiers_gives_the_frontier_of_the_union(u, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, u.shape[0]), max_size=4)))
    bounds = [0, *cuts, u.shape[0]]
    parts = []
    for a, b in itertools.pairwise(bounds):
        keep = pareto_mask(u[a:b])
        parts.append((np.arange(a, b)[keep], u[a:b][keep]))
    idx, rows = merge_frontiers(parts)
    assert_array_equal(idx, pareto_frontier(u))
    assert_array_equal(rows, u[idx])
    s_idx, s_rows = streaming_pareto_frontier([u[a:b] for a, b in itertools.pairwise(bounds)])
    assert_array_equal(s_idx, idx)
    assert_array_equal(s_rows, rows)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        pytest.param([1.0, 2.0], "two-dimensional", id="one-dimensional"),
        pytest.param(np.empty((3, 0)), "at least one party", id="no-parties"),
        pytest.param([[1.0, np.nan]], "finite", id="nan"),
        pytest.param([["a", "b"]], "numeric", id="strings"),
    ],
)
def test_malformed_utilities_raise_solver_error(bad, match):
    with pytest.raises(SolverError, match=match):
        pareto_mask(bad)


def test_negative_tolerance_is_rejected():
    with pytest.raises(SolverError, match="tol must be"):
        pareto_mask([[1.0]], tol=-1.0)


def test_merge_rejects_repeated_labels_and_mismatched_parties():
    with pytest.raises(SolverError, match="unique"):
        merge_frontiers([([0], [[1.0, 0.0]]), ([0], [[0.0, 1.0]])])
    with pytest.raises(SolverError, match="same number of parties"):
        merge_frontiers([([0], [[1.0, 0.0]]), ([1], [[0.0, 1.0, 2.0]])])
    with pytest.raises(SolverError, match="one per row"):
        merge_frontiers([([0, 1], [[1.0, 0.0]])])
    with pytest.raises(SolverError, match="at least one"):
        merge_frontiers([])


def test_streaming_rejects_no_chunks_and_mismatched_parties():
    with pytest.raises(SolverError, match="at least one chunk"):
        streaming_pareto_frontier([])
    with pytest.raises(SolverError, match="chunk 1 has 3 parties"):
        streaming_pareto_frontier([[[1.0, 0.0]], [[0.0, 1.0, 2.0]]])


# ------------------------------------------------------- exact frontiers and scale invariance


def exact_frontier(rows: list[list[Fraction]]) -> np.ndarray:
    """Pareto mask by the textbook definition, in exact rational arithmetic."""
    return np.array(
        [
            not any(
                all(q >= p for q, p in zip(other, row, strict=True)) and other != row
                for other in rows
            )
            for row in rows
        ],
        dtype=bool,
    )


@st.composite
def rational_grids(draw):
    """Additive utilities on a random grid: weights in 1/10, values in 1/20, as float and exact."""
    k = draw(st.integers(2, 4))
    n_issues = draw(st.integers(1, 3))
    n = draw(st.integers(1, 40))
    weights = draw(hnp.arrays(np.int64, (k, n_issues), elements=st.integers(1, 10)))
    values = draw(hnp.arrays(np.int64, (n, n_issues, k), elements=st.integers(0, 20)))
    exact = [
        [
            sum(
                Fraction(int(weights[i, j]), 10) * Fraction(int(values[r, j, i]), 20)
                for j in range(n_issues)
            )
            for i in range(k)
        ]
        for r in range(n)
    ]
    floats = np.zeros((n, k))
    for j in range(n_issues):  # the float sum, with its rounding, as the utility model adds it
        floats += (weights[:, j] / 10) * (values[:, j, :] / 20)
    return floats, exact


@given(rational_grids(), st.sampled_from([1e-12, 1.0, 1e6]))
def test_frontier_with_the_zone_tolerance_matches_the_exact_rational_frontier(grid, scale):
    floats, exact = grid
    assert_array_equal(pareto_mask(floats * scale, tol=1e-9), exact_frontier(exact))


def test_a_rounding_step_does_not_keep_a_dominated_deal():
    # Donbas deals #1859 and #1889: the US utility differs by one rounding step only
    u = np.array([[0.8025000000000001, 0.50, 0.40], [0.8025, 0.55, 0.40]])
    assert_array_equal(pareto_mask(u), [True, True])  # exact float comparison keeps both
    assert_array_equal(pareto_mask(u, tol=1e-9), [False, True])


@given(utility_arrays(max_rows=40), st.sampled_from([1e-12, 1e6]))
def test_the_frontier_does_not_depend_on_the_scale_of_the_utilities(u, factor):
    # multiplying by a power of two is exact, so the same rows must be kept at any scale down
    # to the smallest tolerance scale (docs/limits.md: below 1e-300 the scale is 1e-300)
    exponent = int(np.round(np.log2(factor)))
    largest = float(np.abs(u).max())
    assume(largest == 0.0 or np.ldexp(largest, exponent) >= 1e-300)
    assert_array_equal(pareto_mask(np.ldexp(u, exponent), tol=1e-9), pareto_mask(u, tol=1e-9))


@given(utility_arrays(min_rows=1, max_rows=60, n_parties=st.integers(1, 4)), st.data())
def test_merging_chunk_candidates_gives_the_frontier_with_a_tolerance(u, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, u.shape[0]), max_size=4)))
    bounds = [0, *cuts, u.shape[0]]
    tol, scale = 0.05, tolerance_scale(u)
    parts = []
    for a, b in itertools.pairwise(bounds):
        keep = pareto_candidates(u[a:b], tol=tol, scale=scale)
        parts.append((np.arange(a, b)[keep], u[a:b][keep]))
    idx, _ = merge_frontiers(parts, tol=tol, scale=scale)
    assert_array_equal(idx, np.flatnonzero(brute_force_mask(u, tol)))
    chunks = [u[a:b] for a, b in itertools.pairwise(bounds)]
    s_idx, _ = streaming_pareto_frontier(chunks, tol=tol, scale=scale)
    assert_array_equal(s_idx, idx)


def test_scale_must_be_positive():
    with pytest.raises(SolverError, match="scale must be"):
        pareto_mask([[1.0]], tol=1e-9, scale=0.0)


def test_below_the_smallest_tolerance_scale_utilities_compare_at_that_scale():
    # docs/limits.md: a scale below 1e-300 is 1e-300, so 1e-310 is within 1e-9 * 1e-300 of 0
    assert_array_equal(pareto_mask([[1e-310, 0.0], [0.0, 0.0]], tol=1e-9), [True, True])
    assert_array_equal(pareto_mask([[1e-300, 0.0], [0.0, 0.0]], tol=1e-9), [True, False])
