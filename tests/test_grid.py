"""decimal_grid: every point is the double nearest its exact decimal value."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import dealsim
from dealsim._grid import decimal_grid

decimals = st.integers(-(10**6), 10**6).flatmap(
    lambda m: st.integers(0, 6).map(lambda k: float(Fraction(m, 10**k)))
)
counts = st.integers(1, 400)


def _exact(lo: float, hi: float, n: int) -> list[float]:
    """The correctly rounded grid, from the decimals ``lo`` and ``hi`` print as (Fractions)."""
    a, b = Fraction(repr(lo)), Fraction(repr(hi))
    if n == 1:
        return [float(a)]
    return [float(a + (b - a) * i / (n - 1)) for i in range(n)]


def test_a_tenth_step_gives_the_decimals_written():
    assert decimal_grid(0.0, 1.0, 11).tolist() == [i / 10 for i in range(11)]
    assert np.linspace(0.0, 1.0, 11).tolist() != [i / 10 for i in range(11)]  # the noise fixed


@given(decimals, decimals, counts)
def test_every_point_is_the_double_nearest_its_decimal_value(lo, hi, n):
    assert decimal_grid(lo, hi, n).tolist() == _exact(lo, hi, n)


@given(decimals, decimals, st.integers(2, 400))
def test_the_ends_are_the_bounds_and_the_points_are_ordered(lo, hi, n):
    grid = decimal_grid(lo, hi, n)
    assert grid[0] == lo and grid[-1] == hi
    steps = np.diff(grid)
    assert (steps >= 0).all() if lo <= hi else (steps <= 0).all()


@given(st.floats(-1e300, 1e300), st.floats(-1e300, 1e300), counts)
def test_any_finite_bounds_give_the_exact_grid_close_to_linspace(lo, hi, n):
    grid = decimal_grid(lo, hi, n)
    assert grid.tolist() == _exact(lo, hi, n)  # big or many-digit bounds: the integer path
    scale = max(abs(lo), abs(hi))
    # (linspace rounds each subnormal point too: a few of their steps of 5e-324 apart)
    assert np.allclose(grid, np.linspace(lo, hi, n), rtol=0, atol=1e-14 * scale + 1e-320)


def test_a_range_issue_of_a_scenario_has_the_decimal_grid():
    issue = dealsim.load("logroll").issues[0]
    assert issue.values == tuple(i / 10 for i in range(11))


def test_a_swept_lo_hi_n_grid_has_the_decimal_values():
    from dealsim.uncertainty.sweep import parse_grid

    assert parse_grid("x=0:0.9:10")[1].tolist() == [i / 10 for i in range(10)]
