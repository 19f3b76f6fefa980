"""Utility space: frontier points, disagreement point and solution labels."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import dealsim
from dealsim.errors import ScenarioError
from dealsim.plot import utility_space, utility_space_pairs
from dealsim.plot.frontier import deal_utilities
from dealsim.scenario.loader import loads
from dealsim.zone import compute_zone
from strategies import COST_ISSUE, split_toml


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


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_the_figure_s_zone_is_the_solve_s_zone(unit):
    # a's utility share - cost lies in [-1, 1] but its tables bound it by 2, the zone's scale
    # (tolerance 2e-9): share 0.3 without the cost, 1.5e-9 short of a's reservation, is in the
    # zone. The figure judged it on the largest |u| drawn (1: tolerance 1e-9) and left it out.
    text = COST_ISSUE.format(ra=(0.3 + 1.5e-9) * unit, rb=0.6 * unit, unit=unit)
    scenario = loads(text)
    _, _, zone = deal_utilities(scenario)
    zc = compute_zone(scenario)
    assert int(zone.sum()) == zc.zone_size == 2


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


# --------------------------------------------------------------- readable solution labels


def _boxes(ax, gid):
    """The boxes of the labels tagged ``gid`` as last drawn (text and padding, not the leader)."""
    return [t.get_bbox_patch().get_window_extent() for t in ax.texts if t.get_gid() == gid]


def _marker_box(line, renderer):
    from matplotlib.transforms import Bbox

    (x, y) = line.get_transform().transform(line.get_xydata())[0]
    half = renderer.points_to_pixels(line.get_markersize() / 2)
    return Bbox([[x - half, y - half], [x + half, y + half]])


def _assert_labels_readable(fig):
    """No two solution labels overlap, none covers a marker, all lie inside their Axes."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        boxes = _boxes(ax, "solution")
        texts = [t.get_text() for t in ax.texts if t.get_gid() == "solution"]
        for k, box in enumerate(boxes):
            for other, text in zip(boxes[k + 1 :], texts[k + 1 :], strict=True):
                assert not box.overlaps(other), (texts[k], text)
            frame = ax.get_window_extent(renderer)
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1, texts[k]
            assert frame.y0 <= box.y0 and box.y1 <= frame.y1, texts[k]
            for line in ax.lines:
                if line.get_gid() in ("solution-marker", "disagreement"):
                    assert not box.overlaps(_marker_box(line, renderer)), texts[k]


def _figure(scenario):
    if len(scenario.party_ids) == 2:
        return utility_space(scenario).figure
    return utility_space_pairs(scenario)


@pytest.mark.parametrize(
    "name",
    [
        "camp-david-1978",
        "colombia-farc-2016",
        "dayton-1995",
        "donbas-2026",
        "good-friday-1998",
        "korean-armistice-1953",
        "logroll",
        "split-linear",
    ],
)
def test_solution_labels_of_bundled_scenarios_do_not_overlap(name):
    import matplotlib.pyplot as plt

    _assert_labels_readable(_figure(dealsim.load(name)))
    plt.close("all")


def test_coinciding_solutions_share_one_marker_and_one_label():
    # a symmetric split u = (x, 1 - x), d = (0.2, 0.2): Nash, Kalai-Smorodinsky and egalitarian
    # are the equal split (0.5, 0.5); utilitarian ties along the line and keeps its own point
    scenario = loads(split_toml(a="reservation = 0.2\n", b="reservation = 0.2\n"))
    ax = utility_space(scenario)
    labels = [t for t in ax.texts if t.get_gid() == "solution"]
    markers = [line for line in ax.lines if line.get_gid() == "solution-marker"]
    assert len(labels) == len(markers) == 2
    equal = labels[0].get_text().replace("\n", " ")
    assert equal == "Nash = Weighted Nash = Kalai–Smorodinsky = Egalitarian"
    assert_allclose(labels[0].xy, (0.5, 0.5))
    assert_allclose(markers[0].get_xydata(), [[0.5, 0.5]])
    assert labels[1].get_text() == "Utilitarian"
    _assert_labels_readable(ax.figure)


def test_solutions_whose_markers_would_overlap_share_a_label_joined_by_approx():
    # a slightly concave b: Nash (0.51, 0.539), Kalai-Smorodinsky (0.52, 0.528), egalitarian
    # (0.525, 0.5225) and utilitarian (0.5, 0.55) lie within one marker of each other
    text = split_toml(a="reservation = 0.2\n", b="reservation = 0.2\n")
    text = text.replace("[[0, 1], [1, 0]]", "[[0, 1], [0.5, 0.55], [1, 0]]")
    ax = utility_space(loads(text))
    (label,) = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "solution"]
    assert label == "Nash = Weighted Nash ≈ Kalai–Smorodinsky ≈ Egalitarian ≈ Utilitarian"
    (marker,) = [line for line in ax.lines if line.get_gid() == "solution-marker"]
    assert_allclose(marker.get_xydata(), [[0.51, 0.539]])
    # on Axes four times as large only Kalai-Smorodinsky and egalitarian (0.7% apart) still
    # share a marker
    import matplotlib.pyplot as plt

    _, big = plt.subplots(figsize=(28, 24))
    ax = utility_space(loads(text), ax=big)
    assert [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "solution"] == [
        "Nash = Weighted Nash",
        "Kalai–Smorodinsky ≈ Egalitarian",
        "Utilitarian",
    ]
    _assert_labels_readable(ax.figure)


@pytest.mark.parametrize("scale", [1e-12, 1.0, 1e9])
def test_solution_groups_do_not_depend_on_the_utilities_scale(scale):
    # the equal split and the utilitarian corner stay two labels at every scale (a fixed
    # tolerance of 1e-9 merged them into one at 1e-12)
    text = split_toml(a=f"reservation = {0.2 * scale!r}\n", b=f"reservation = {0.2 * scale!r}\n")
    text = text.replace("weights = { share = 1 }", f"weights = {{ share = {scale!r} }}")
    ax = utility_space(loads(text))
    labels = [t for t in ax.texts if t.get_gid() == "solution"]
    assert [t.get_text().replace("\n", " ") for t in labels] == [
        "Nash = Weighted Nash = Kalai–Smorodinsky = Egalitarian",
        "Utilitarian",
    ]
    assert_allclose(labels[0].xy, (0.5 * scale, 0.5 * scale))


@settings(max_examples=20, deadline=None)
@given(
    a_mid=st.floats(0.05, 0.95),
    b_mid=st.floats(0.05, 0.95),
    reservations=st.tuples(st.floats(0.0, 0.45), st.floats(0.0, 0.45)),
)
def test_solution_labels_of_random_two_party_frontiers_do_not_overlap(a_mid, b_mid, reservations):
    # a concave or convex frontier through a piecewise-linear kink at share 0.5
    import matplotlib.pyplot as plt

    text = split_toml(
        a=f"reservation = {reservations[0]!r}\n", b=f"reservation = {reservations[1]!r}\n", steps=41
    )
    text = text.replace("[[0, 0], [1, 1]]", f"[[0, 0], [0.5, {a_mid!r}], [1, 1]]")
    text = text.replace("[[0, 1], [1, 0]]", f"[[0, 1], [0.5, {b_mid!r}], [1, 0]]")
    _assert_labels_readable(utility_space(loads(text)).figure)
    plt.close("all")
