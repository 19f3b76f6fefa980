"""Utility space: frontier points, disagreement point and solution labels."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import dealsim
from dealsim.errors import ScenarioError
from dealsim.plot import utility_space, utility_space_pairs


def _line(ax, gid):
    return next(line for line in ax.lines if line.get_gid() == gid)


def test_frontier_line_is_the_zone_frontier_of_the_split():
    # split-linear: u = (x, 1 - x), d = (0.45, 0.30): the zone is x in [0.45, 0.70] on a 0.005
    # grid, all of it Pareto-optimal: 51 points.
    ax = utility_space(dealsim.load("split-linear"))
    line = _line(ax, "frontier")
    x = np.round(np.arange(0.45, 0.70 + 1e-9, 0.005), 9)
    assert_allclose(line.get_xdata(), x, atol=1e-12)
    assert_allclose(line.get_ydata(), 1 - x, atol=1e-12)
    assert_allclose(_line(ax, "disagreement").get_xydata(), [[0.45, 0.30]])


def test_every_solution_is_marked_and_labelled():
    ax = utility_space(dealsim.load("split-linear"))
    texts = " ".join(t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "solution")
    for name in ("Nash", "Weighted Nash", "Kalai–Smorodinsky", "Egalitarian", "Utilitarian"):
        assert name in texts
    nash = next(t for t in ax.texts if t.get_gid() == "solution" and "Nash" in t.get_text())
    assert_allclose(nash.xy, (0.575, 0.425))  # models.md section 4


def test_three_parties_need_a_pair_or_the_pairwise_view():
    scenario = dealsim.load("donbas-2026")
    with pytest.raises(ScenarioError, match="choose two of us, ukraine, russia"):
        utility_space(scenario)
    fig = utility_space_pairs(scenario)
    assert len(fig.axes) == 3
    ax = utility_space(scenario, ["ukraine", "russia"])
    line = _line(ax, "frontier")
    xy = line.get_xydata()
    assert np.all(np.diff(xy[:, 0]) > 0) and np.all(np.diff(xy[:, 1]) < 0)  # a 2-D frontier
    assert ax.get_xlabel() == "Ukraine's utility (index)"
