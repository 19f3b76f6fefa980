"""The double-description fast path of vertex enumeration (dealsim.solvers._double_description).

It must find exactly the vertices, labels and equilibria of the search over bases wherever it
answers, and give way to the search (return None) wherever the polytopes are degenerate or
nearly so, so that ``degenerate`` and the equilibria never depend on which path ran.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dealsim.solvers import _double_description, _enumeration
from dealsim.solvers._double_description import _vertex_sets
from dealsim.solvers._enumeration import _polytope_bases, _rescale, _vertex_kernel
from dealsim.solvers.equilibrium import two_player_equilibria


def _by_labels(coords, labels):
    """{label key: vertex} of a polytope's vertices (labels as uint64 bit keys)."""
    return {int(k): c for k, c in zip(labels, coords, strict=True)}


def _search_vertices(M, tol=1e-9):
    """The search over bases' distinct vertices of {z >= 0 : M z <= 1}, keyed as above."""
    vertices = _polytope_bases(M)[0].vertices(tol)
    bits = (vertices.labels * (1 << np.arange(vertices.labels.shape[1]))).sum(1)
    return _by_labels(vertices.coords, bits)


def _kernel_sets(A, B, tol, double_description, monkeypatch):
    """The kernel's (degenerate, continuum, rounded equilibria) with or without the fast path."""
    with monkeypatch.context() as patch:
        if not double_description:
            patch.setattr(_enumeration, "_DOUBLE_DESCRIPTION_MAX_VARS", 0)
        X, Y, degenerate, continuum = _vertex_kernel(A, B, tol=tol)
    profiles = sorted(np.concatenate([X, Y], axis=1).round(9).tolist())
    return degenerate, continuum, profiles


@pytest.mark.parametrize("shape", [(1, 1), (1, 4), (2, 2), (3, 5), (6, 6), (8, 8), (9, 4)])
@pytest.mark.parametrize("seed", range(3))
def test_vertices_and_their_labels_are_the_search_s(shape, seed):
    rng = np.random.default_rng(seed)
    Ms = (_rescale(rng.random(shape)), _rescale(rng.random(shape)))
    found = _vertex_sets(Ms, 1e-9)
    assert found is not None  # uniform payoffs: simple polytopes
    for M, (coords, labels) in zip(Ms, found, strict=True):
        assert not coords[0].any()  # the origin first
        expected = _search_vertices(M)
        got = _by_labels(coords, labels)
        assert got.keys() == expected.keys()
        for key, vertex in got.items():
            np.testing.assert_allclose(vertex, expected[key], rtol=0, atol=1e-12)
        # each vertex has exactly d labels, and they are the constraints it meets
        d = M.shape[1]
        assert all(bin(k).count("1") == d for k in got)


def test_two_matrices_built_as_one_are_each_built_alone():
    rng = np.random.default_rng(3)
    Ms = (_rescale(rng.random((7, 7))), _rescale(rng.random((7, 7))))
    together = _vertex_sets(Ms, 1e-9)
    for M, (coords, labels) in zip(Ms, together, strict=True):
        ((alone, alone_labels),) = _vertex_sets((M,), 1e-9)
        assert labels.tolist() == alone_labels.tolist()
        np.testing.assert_allclose(coords, alone, rtol=0, atol=1e-13)


def test_von_stengel_3x2_game_by_the_fast_path(monkeypatch):
    # von Stengel (2002), Fig. 2.1: nondegenerate, three equilibria; the fast path answers.
    A, B = np.array([[3, 3], [2, 5], [0, 6]], float), np.array([[3, 2], [2, 6], [3, 1]], float)
    answered = []
    original = _enumeration._nondegenerate_pairs

    def spy(*args):
        out = original(*args)
        answered.append(out is not None)
        return out

    monkeypatch.setattr(_enumeration, "_nondegenerate_pairs", spy)
    res = two_player_equilibria(A, B)
    assert answered == [True]
    got = sorted(np.concatenate(e.strategies).tolist() for e in res.equilibria)
    expected = sorted(
        [[1, 0, 0, 1, 0], [4 / 5, 1 / 5, 0, 2 / 3, 1 / 3], [0, 1 / 3, 2 / 3, 1 / 3, 2 / 3]]
    )
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert not res.degenerate


@pytest.mark.parametrize(
    ("A", "B", "degenerate"),
    [
        pytest.param(np.ones((3, 3)), np.ones((3, 3)), True, id="all-ties"),
        # von Stengel (2002) section 2.6: B[0, 1] = 3 ties the top row's columns
        pytest.param(
            [[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]], True, id="von-stengel-degenerate"
        ),
        # Simple polytopes, but a vertex of a polytope on the way lies on the next row's
        # hyperplane: the fast path cannot tell edges by their bits there, and gives way.
        pytest.param(np.eye(4), np.eye(4), False, id="coordination"),
    ],
)
def test_degenerate_games_give_way_to_the_search(A, B, degenerate, monkeypatch):
    A, B = _rescale(np.asarray(A, float)), _rescale(np.asarray(B, float))
    assert _enumeration._nondegenerate_pairs(A, B, 1e-9) is None
    with_fast_path = _kernel_sets(A, B, 1e-9, True, monkeypatch)
    assert with_fast_path == _kernel_sets(A, B, 1e-9, False, monkeypatch)
    assert with_fast_path[0] is degenerate


@pytest.mark.parametrize("tol", [0.05, 0.3])
def test_a_value_within_twice_tol_of_zero_gives_way_to_the_search(tol, monkeypatch):
    # A large tolerance counts small coordinates as labels: the search decides what is
    # degenerate, and the fast path must not answer for it.
    rng = np.random.default_rng(4)
    A, B = _rescale(rng.random((5, 5))), _rescale(rng.random((5, 5)))
    assert _vertex_sets((B.T, A), 1e-9) is not None
    assert _vertex_sets((B.T, A), tol) is None
    assert _kernel_sets(A, B, tol, True, monkeypatch) == _kernel_sets(A, B, tol, False, monkeypatch)


def test_tiny_tolerances_and_too_many_pairs_give_way_to_the_search(monkeypatch):
    rng = np.random.default_rng(5)
    A, B = _rescale(rng.random((6, 6))), _rescale(rng.random((6, 6)))
    assert _vertex_sets((B.T, A), _double_description._MIN_TOL) is not None
    assert _vertex_sets((B.T, A), _double_description._MIN_TOL / 2) is None
    expected = _kernel_sets(A, B, 1e-9, False, monkeypatch)
    monkeypatch.setattr(_double_description, "_MAX_PAIRS", 10)
    assert _vertex_sets((B.T, A), 1e-9) is None
    assert _kernel_sets(A, B, 1e-9, True, monkeypatch) == expected


_ENTRIES = st.sampled_from([0.0, 1.0, 2.0, 0.5]) | st.floats(-3.0, 3.0, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    st.tuples(st.integers(1, 6), st.integers(1, 6)).flatmap(
        lambda shape: st.tuples(
            arrays(np.float64, shape, elements=_ENTRIES),
            arrays(np.float64, shape, elements=_ENTRIES),
        )
    ),
    st.sampled_from([1e-12, 1e-9, 1e-6, 1e-3]),
)
def test_the_kernel_answers_alike_with_and_without_the_fast_path(game, tol):
    # Ties (sampled entries) make degenerate games, where the fast path gives way; the others
    # it answers: either way the degeneracy flags and the equilibria are the search's.
    A, B = (_rescale(M) for M in game)
    with pytest.MonkeyPatch.context() as patch:
        fast = _kernel_sets(A, B, tol, True, patch)
        slow = _kernel_sets(A, B, tol, False, patch)
    assert fast[:2] == slow[:2]
    assert len(fast[2]) == len(slow[2])
    np.testing.assert_allclose(
        np.array(fast[2]).reshape(len(fast[2]), -1),
        np.array(slow[2]).reshape(len(slow[2]), -1),
        rtol=0,
        atol=2e-9,
    )
