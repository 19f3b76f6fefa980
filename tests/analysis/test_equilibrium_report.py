"""The equilibrium report's regret check is relative to each player's payoff scale."""

from __future__ import annotations

import numpy as np
import pytest

from dealsim.analysis.equilibrium_report import solve_normal_form
from dealsim.errors import SolverError
from dealsim.solvers.equilibrium import NormalFormGame


def _strategies(report: dict) -> list[dict]:
    return [e["strategies"] for e in report["equilibria"]]


@pytest.mark.parametrize("scale", [1e-9, 1e-6, 1e6, 1e9, 1e12])
def test_the_equilibria_do_not_depend_on_the_payoff_scale(scale):
    # 3x3 games with mixed equilibria: at payoffs of 1e9 their computed regret is about 1e-7
    # (rounding), which an absolute check at 1e-9 refused in 26 of 40 such games
    for seed in range(12):
        A, B = np.random.default_rng(seed).integers(-50, 50, (2, 3, 3)) / 7.0
        base = solve_normal_form(NormalFormGame.from_arrays(A, B))
        scaled = solve_normal_form(NormalFormGame.from_arrays(A * scale, B * scale))
        assert len(_strategies(scaled)) == len(_strategies(base))
        for a, b in zip(_strategies(base), _strategies(scaled), strict=True):
            for player in a:
                np.testing.assert_allclose(a[player], b[player], rtol=0, atol=1e-9)
        for e in scaled["equilibria"]:  # the reported regret stays in payoff units
            assert 0.0 <= e["regret"] <= 1e-9 * np.abs(np.stack([A, B])).max() * scale


def test_a_profile_that_is_not_an_equilibrium_fails_the_check_at_any_scale():
    from dealsim.analysis.equilibrium_report import _checked

    A = np.array([[3.0, 0.0], [5.0, 1.0]])  # prisoner's dilemma: (C, C) is not an equilibrium
    payoffs = np.stack([A, A.T])
    cooperate = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    for scale in (1e-9, 1.0, 1e9):
        with pytest.raises(SolverError, match="player 1's regret"):
            _checked(payoffs * scale, cooperate, 1e-9)
    defect = [np.array([0.0, 1.0]), np.array([0.0, 1.0])]
    assert _checked(payoffs * 1e9, defect, 1e-9) == 0.0
