"""Label placement: labels clear of each other and of the markers, placed again at each draw."""

import io
import itertools

import matplotlib.pyplot as plt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealsim.plot._labels import box_extent, keep_apart

_BOX = {"boxstyle": "round,pad=0.25", "facecolor": "white"}


def _crowd(points, figsize=(5.0, 4.0)):
    """One marker and one boxed label (with a leader) per point, kept apart."""
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    markers, labels = [], []
    for k, point in enumerate(points):
        (dot,) = ax.plot(*([c] for c in point), "s", markersize=13)
        label = ax.annotate(
            f"solution number {k}",
            point,
            xytext=(0, 0),
            textcoords="offset points",
            bbox=_BOX,
            arrowprops={"arrowstyle": "-"},
        )
        markers.append(dot)
        labels.append((label, (1, 1)))
    keep_apart(ax, labels, markers)
    return fig, ax, [label for label, _ in labels], markers


def _assert_apart(fig, ax, labels, markers):
    renderer = fig.canvas.get_renderer()
    boxes = [box_extent(label, renderer) for label in labels]
    for a, b in itertools.combinations(range(len(boxes)), 2):
        assert not boxes[a].overlaps(boxes[b]), (a, b)
    frame = ax.get_window_extent(renderer)
    for box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1
        for dot in markers:
            x, y = dot.get_transform().transform(dot.get_xydata())[0]
            half = renderer.points_to_pixels(dot.get_markersize() / 2)
            across = box.x0 < x + half and x - half < box.x1
            assert not (across and box.y0 < y + half and y - half < box.y1)


POINTS = [(0.5, 0.5), (0.53, 0.5), (0.5, 0.53), (0.47, 0.47)]


def test_labels_of_nearby_points_are_kept_apart():
    fig, ax, labels, markers = _crowd(POINTS)
    fig.canvas.draw()
    _assert_apart(fig, ax, labels, markers)
    plt.close(fig)


def test_labels_are_placed_again_when_the_figure_is_resized():
    fig, ax, labels, markers = _crowd(POINTS, figsize=(9.0, 7.0))
    fig.canvas.draw()
    before = [label.xyann for label in labels]
    fig.set_size_inches(4.5, 3.8)
    fig.canvas.draw()
    _assert_apart(fig, ax, labels, markers)
    assert [label.xyann for label in labels] != before  # the small figure has less room
    # a second draw of the same figure keeps the same places (no drift between draws)
    after = [label.xyann for label in labels]
    fig.canvas.draw()
    assert [label.xyann for label in labels] == after
    plt.close(fig)


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_vector_outputs_place_the_labels_too(fmt):
    fig, ax, labels, markers = _crowd(POINTS)
    fig.savefig(io.BytesIO(), format=fmt)
    _assert_apart(fig, ax, labels, markers)
    plt.close(fig)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0.3, 0.7), st.floats(0.3, 0.7)),
        min_size=2,
        max_size=5,
        unique_by=lambda p: (round(p[0], 1), round(p[1], 1)),
    )
)
def test_labels_of_a_few_points_in_the_middle_never_overlap(points):
    # markers at least 0.1 apart on one axis (not on top of each other: frontier.py merges those)
    fig, ax, labels, markers = _crowd(points, figsize=(6.0, 5.0))
    fig.canvas.draw()
    _assert_apart(fig, ax, labels, markers)
    plt.close(fig)
