"""Payoff surfaces show the utilities of the slice they name."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import dealsim
from dealsim.errors import ScenarioError
from dealsim.plot import payoff_surface
from dealsim.plot._grid import slice_of
from dealsim.scenario import loads
from strategies import third_party_sets_the_scale


@pytest.fixture(scope="module")
def logroll():
    return dealsim.load("logroll")


def _mesh(ax):
    return next(c for c in ax.collections if c.get_gid() == "surface")


def test_utility_heatmap_is_the_party_utility(logroll):
    ax = payoff_surface(logroll, "x", "y", party="a")
    g = np.linspace(0, 1, 11)
    X, Y = np.meshgrid(g, g)
    assert_allclose(_mesh(ax).get_array().reshape(11, 11), 0.8 * X + 0.2 * Y)  # U_a by hand
    assert ax.get_xlabel() == "Share of item X to A"
    assert ax.get_title(loc="left").startswith("Party A's utility")


def test_nash_product_peaks_at_the_logroll(logroll):
    ax = payoff_surface(logroll, "x", "y", measure="nash_product")
    z = _mesh(ax).get_array().reshape(11, 11)
    assert np.unravel_index(np.argmax(z), z.shape) == (0, 10)  # y = 0, x = 1: (0.8, 0.8)
    assert_allclose(z.max(), 0.64)


def test_min_gain_is_negative_where_a_party_rejects():
    scenario = dealsim.load("donbas-2026")
    ax = payoff_surface(scenario, "donbas_ceded", "prosperity_plan", measure="min_gain")
    z = np.ma.filled(_mesh(ax).get_array().reshape(5, 5).astype(float), np.nan)
    assert np.isnan(z[:, 0]).all()  # infeasible column (no territory ceded)
    assert (z[:, 4] < 0).all()  # ceding everything: Ukraine rejects at any plan size
    values = [t for t in ax.texts if t.get_gid() == "value"]
    assert len(values) == 20


def test_3d_surface_and_contour(logroll):
    import matplotlib.pyplot as plt

    ax = payoff_surface(logroll, "x", "y", party="b", kind="3d")
    assert ax.name == "3d"
    _, ax2 = plt.subplots()
    with pytest.raises(ScenarioError, match="3-D Axes"):
        payoff_surface(logroll, "x", "y", party="b", kind="3d", ax=ax2)
    assert payoff_surface(logroll, "x", "y", party="b", kind="contour").collections


def test_utility_needs_a_known_party(logroll):
    with pytest.raises(ScenarioError, match=r"needs a party.*a, b"):
        payoff_surface(logroll, "x", "y")
    with pytest.raises(ScenarioError, match=r"unknown party 'c'.*a, b"):
        payoff_surface(logroll, "x", "y", party="c")


def test_categorical_axis_has_level_labels():
    ax = payoff_surface(
        dealsim.load("donbas-2026"),
        "donbas_ceded",
        "security_guarantee",
        party="ukraine",
        at={"zone_status": "russian_control"},
    )
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["none", "bilateral assurances", "article5 mirror"]
    assert ax.get_xlabel() == "Share of Ukrainian-held Donbas ceded (share)"


def test_3d_needs_two_numeric_issues_and_has_a_colour_bar(logroll):

    donbas = dealsim.load("donbas-2026")
    with pytest.raises(ScenarioError, match="'security_guarantee' is a list of levels"):
        payoff_surface(donbas, "donbas_ceded", "security_guarantee", party="ukraine", kind="3d")
    ax = payoff_surface(logroll, "x", "y", party="b", kind="3d")
    assert len(ax.figure.axes) == 2  # the surface and its colour bar


def test_held_deal_star_leaves_its_cells_value_readable():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    scenario = dealsim.load("logroll")
    ax = payoff_surface(scenario, "x", "y", party="a", annotate=True)
    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    star = next(line for line in ax.lines if line.get_gid() == "held-deal")
    sx, sy = ax.transData.transform(star.get_xydata()[0])
    size = star.get_markersize() * ax.figure.dpi / 72 / 2  # half the marker, in pixels
    for text in (t for t in ax.texts if t.get_gid() == "value"):
        box = text.get_window_extent(renderer)
        clear = sx + size < box.x0 or sx - size > box.x1 or sy + size < box.y0 or sy - size > box.y1
        assert clear, text.get_text()


@pytest.mark.parametrize("measure", ["nash_product", "min_gain"])
def test_a_joint_measure_refuses_a_party_instead_of_ignoring_it(logroll, measure):
    with pytest.raises(ScenarioError, match=rf"measure '{measure}' combines every party.*'a'"):
        payoff_surface(logroll, "x", "y", measure=measure, party="a")


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
@pytest.mark.parametrize("a_reservation", [None, 0.7], ids=["war", "0.7"])
def test_the_held_deal_is_the_pipeline_s_nash_deal(unit, a_reservation):
    # strategies.third_party_sets_the_scale: c's 1000 on deals outside the zone sets its scale.
    # The slice holds z at the Nash deal's value, judged as dealsim.solve judges it (the zone's
    # tolerance and scale): c's 1e-7 in z = 1 ties, so z = 0 (it was 1, at tol 1e-12 on the
    # frontier's scale); with a's reservation 0.7 the zone's x = 0.3 (5e-7 short of b's war
    # value) is the Nash deal (it raised "no deal gives every party ...").
    scenario = loads(third_party_sets_the_scale(unit, a_reservation))
    nash = dealsim.solve(scenario, analyses=False).solutions["nash"].deal
    grid = slice_of(scenario, "x", "y")
    assert grid.at["z"] == nash["z"] == 0.0
    assert grid.at_label == "Nash deal"
    assert nash["x"] == pytest.approx(0.5 if a_reservation is None else 0.3, rel=1e-12)
