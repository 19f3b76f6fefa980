"""Domination by mixed strategies, decided with the documented tolerance at any payoff unit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from dealsim.solvers.dominance import dominated_strategies, iterated_elimination

TOL = 1e-9


def _mix_game(p, d0, d1, unit):
    """Row 2 is the mixture (p, 1 - p) of rows 0 and 1 in the first two columns, moved by
    (d0, d1), and 1 worse than every mixture in the third; the column player is indifferent.

    A mixture (q, 1 - q) gains (q - p - d0, p - q - d1, 1): some q keeps both first gains at
    least -tol exactly when d0 + d1 <= 2 tol (weak domination), and both above tol exactly when
    d0 + d1 < -2 tol (strict domination).
    """
    A = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [p + d0, 1 - p + d1, 0.0]]) * unit
    return np.stack([A, np.zeros_like(A)])


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_a_row_better_than_every_mixture_somewhere_is_not_weakly_dominated(unit):
    # row 2 is (0.5, 0.5 + 1e-7, 0): a mixture with at least 0.5 in the first column has at most
    # 0.5 in the second, 1e-7 (100 tolerances) short; HiGHS' feasibility tolerance (1e-7) took
    # the mixture (1/2, 1/2) for one that dominates it
    game = _mix_game(0.5, 0.0, 1e-7, unit)
    assert dominated_strategies(game, strict=False, mixed=True) == {0: [], 1: []}
    assert [s.tolist() for s in iterated_elimination(game, strict=False, mixed=True)] == [
        [0, 1, 2],
        [0, 1, 2],
    ]
    within_tol = _mix_game(0.5, 0.0, 5e-10, unit)  # 1/2 of a tolerance short: a tie
    assert dominated_strategies(within_tol, strict=False, mixed=True) == {0: [2], 1: []}


@given(
    p=st.floats(0.1, 0.9),
    d0=st.floats(-1e-6, 1e-6),
    d1=st.floats(-1e-6, 1e-6),
    exponent=st.integers(-12, 12),
)
@example(p=0.5, d0=0.0, d1=1e-7, exponent=0)
@example(p=0.5, d0=0.0, d1=1e-8, exponent=-9)
def test_mixed_domination_is_decided_with_the_tolerance_at_any_unit(p, d0, d1, exponent):
    # away from the two boundaries, where rounding decides the tie
    assume(abs(d0 + d1 - 2 * TOL) > 1e-12 and abs(d0 + d1 + 2 * TOL) > 1e-12)
    game = _mix_game(p, d0, d1, 10.0**exponent)
    weak = dominated_strategies(game, strict=False, mixed=True, tol=TOL)
    strict = dominated_strategies(game, strict=True, mixed=True, tol=TOL)
    assert weak == {0: [2] if d0 + d1 <= 2 * TOL else [], 1: []}
    assert strict == {0: [2] if d0 + d1 < -2 * TOL else [], 1: []}
