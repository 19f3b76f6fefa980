"""Labels that keep clear of each other and of the markers, placed when the figure is drawn.

A label is an ``Annotation`` with a leader line to its point. Where it goes is decided at draw
time, after the layout engine has sized the Axes, from the renderer's own text extents: for each
label in turn, a list of offsets is tried (the preferred direction first, then the directions
closest to it, then the same directions further out). A box must lie inside the Axes and overlap
no box already placed and no marker; among the boxes that do, those are preferred whose leader
crosses no other marker, label or leader and which lie nearer their own point than any other
marker, and then those covering fewer "soft" points (a frontier's vertices), one ring farther
out costing as much as one covered point. When no offset is free the one with the least
overlap is taken.

The placement is held by a :class:`LabelPlacer` artist drawn just before the labels, so a figure
that is resized, re-laid out or saved at another dpi places its labels again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.text import Text

__all__ = ["LabelPlacer", "box_extent", "keep_apart"]

_DIRECTIONS = np.array(
    [(1, 1), (-1, 1), (1, -1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1)], dtype=float
)
_RINGS = (18.0, 34.0, 54.0, 80.0)
"""Offsets of the label's anchor from its point, in points, ring by ring."""


def box_extent(label: Text, renderer: Any = None) -> Any:
    """The extent (display units) of what a label shows: its box when it has one, else its text.

    Unlike ``Annotation.get_window_extent`` this leaves out the leader line.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> a = ax.annotate("x", (0, 0), bbox={"boxstyle": "round,pad=0.25"})
    >>> fig.canvas.draw()
    >>> bool(box_extent(a).width > Text.get_window_extent(a).width)
    True
    """
    renderer = renderer or label.figure.canvas.get_renderer()
    patch = label.get_bbox_patch()
    if patch is None:
        return Text.get_window_extent(label, renderer)
    if hasattr(label, "update_positions"):
        label.update_positions(renderer)
    label.update_bbox_position_size(renderer)
    return patch.get_window_extent(renderer)


class LabelPlacer(Artist):
    """Chooses, each time the Axes is drawn, an offset for each label (see the module docstring).

    Parameters
    ----------
    labels : sequence of (Annotation, (sx, sy))
        Each label with its preferred direction (signs of the x and y offsets; 0 is centred).
    markers : sequence of Line2D
        Markers no label may cover (their size is their ``markersize``).
    soft : sequence of Artist, optional
        Lines or collections whose points a label should rather not cover.
    """

    def __init__(
        self,
        labels: Sequence[tuple[Any, tuple[int, int]]],
        markers: Sequence[Any],
        soft: Sequence[Any] = (),
    ) -> None:
        super().__init__()
        self._labels = list(labels)
        self._markers = list(markers)
        self._soft = list(soft)
        self.set_in_layout(False)
        self.set_gid("label-placer")

    def get_window_extent(self, renderer: Any = None) -> Any:
        from matplotlib.transforms import Bbox

        return Bbox.null()

    def draw(self, renderer: Any) -> None:
        if self._labels:
            place(self.axes, self._labels, self._markers, self._soft, renderer)
        self.stale = False


def keep_apart(
    ax: Any,
    labels: Sequence[tuple[Any, tuple[int, int]]],
    markers: Sequence[Any],
    soft: Sequence[Any] = (),
) -> LabelPlacer:
    """Place ``labels`` apart from each other and from ``markers`` whenever ``ax`` is drawn.

    The labels must be ``Annotation`` objects with ``textcoords="offset points"``; they are taken
    out of the layout (they stay inside the Axes).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> (dot,) = ax.plot([0.5], [0.5], "o", markersize=12)
    >>> kw = {"textcoords": "offset points", "bbox": {"boxstyle": "round,pad=0.25"}}
    >>> a = ax.annotate("Nash", (0.5, 0.5), xytext=(0, 0), **kw)
    >>> b = ax.annotate("Egalitarian", (0.5, 0.5), xytext=(0, 0), **kw)
    >>> _ = keep_apart(ax, [(a, (1, 1)), (b, (1, 1))], [dot])
    >>> fig.canvas.draw()
    >>> bool(box_extent(a).overlaps(box_extent(b))), a.xyann != b.xyann
    (False, True)
    """
    zorder = min((label.get_zorder() for label, _ in labels), default=0.0)
    placer = LabelPlacer(labels, markers, soft)
    placer.set_zorder(zorder - 0.01)
    for label, _ in labels:
        label.set_in_layout(False)
    ax.add_artist(placer)
    return placer


def _candidates(prefer: tuple[int, int]) -> list[tuple[np.ndarray, float]]:
    """Unit directions ordered by closeness to ``prefer``, ring by ring: (direction, radius)."""
    want = np.asarray(prefer, dtype=float)
    if not want.any():
        want = np.array([1.0, 1.0])
    angle = np.arctan2(_DIRECTIONS[:, 1], _DIRECTIONS[:, 0]) - np.arctan2(want[1], want[0])
    order = np.argsort(-np.cos(angle), kind="stable")
    return [(_DIRECTIONS[k], ring) for ring in _RINGS for k in order]


def _overlap(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Overlap areas of ``box`` (x0, y0, x1, y1) with each row of ``others``."""
    if not len(others):
        return np.zeros(0)
    w = np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0])
    h = np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def _samples(segment: np.ndarray, n: int = 32) -> np.ndarray:
    """``n`` points evenly along a segment ((x0, y0), (x1, y1)), its ends left out."""
    t = (np.arange(n) + 0.5) / n
    return segment[0] + t[:, None] * (segment[1] - segment[0])


def _outside(points: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The rows of ``points`` outside ``box`` (x0, y0, x1, y1)."""
    within = (points[:, 0] >= box[0]) & (points[:, 0] <= box[2])
    within &= (points[:, 1] >= box[1]) & (points[:, 1] <= box[3])
    return points[~within]


def _distance(points: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Distance of each row of ``points`` from ``box`` (x0, y0, x1, y1); 0 inside it."""
    dx = np.maximum.reduce([box[0] - points[:, 0], np.zeros(len(points)), points[:, 0] - box[2]])
    dy = np.maximum.reduce([box[1] - points[:, 1], np.zeros(len(points)), points[:, 1] - box[3]])
    return np.hypot(dx, dy)


def _inside_any(points: np.ndarray, boxes: np.ndarray) -> int:
    """How many of ``points`` lie inside one of ``boxes``."""
    if not len(points) or not len(boxes):
        return 0
    x, y = points[:, 0, None], points[:, 1, None]
    inside = (boxes[:, 0] <= x) & (x <= boxes[:, 2]) & (boxes[:, 1] <= y) & (y <= boxes[:, 3])
    return int(np.count_nonzero(inside.any(axis=1)))


def _crosses(a: np.ndarray, b: np.ndarray, margin: float = 0.05) -> bool:
    """Whether segments ``a`` and ``b`` ((x0, y0), (x1, y1)) cross away from their ends.

    A leader that ends on another (a point on another label's leader) touches it, which is not
    counted: the crossing must lie more than ``margin`` of each segment's length from its ends,
    so that rounding in the last digits cannot flip the answer between two draws.
    """
    da, db = a[1] - a[0], b[1] - b[0]
    denominator = da[0] * db[1] - da[1] * db[0]
    if abs(denominator) <= 1e-12 * (np.hypot(*da) * np.hypot(*db) + 1e-300):
        return False  # parallel
    gap = b[0] - a[0]
    t = (gap[0] * db[1] - gap[1] * db[0]) / denominator
    u = (gap[0] * da[1] - gap[1] * da[0]) / denominator
    return bool(margin < t < 1 - margin and margin < u < 1 - margin)


def _marker_boxes(markers: Sequence[Any], renderer: Any) -> np.ndarray:
    boxes = []
    for line in markers:
        if not line.get_visible():
            continue
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
        half = renderer.points_to_pixels(line.get_markersize() / 2 + line.get_markeredgewidth())
        boxes.extend([x - half, y - half, x + half, y + half] for x, y in xy)
    return np.array(boxes, dtype=float).reshape(-1, 4)


def _soft_points(soft: Sequence[Any]) -> np.ndarray:
    points = []
    for artist in soft:
        xy = artist.get_xydata() if hasattr(artist, "get_xydata") else artist.get_offsets()
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if len(xy):
            points.append(artist.get_transform().transform(xy))
    return np.concatenate(points) if points else np.zeros((0, 2))


def place(
    ax: Any,
    labels: Sequence[tuple[Any, tuple[int, int]]],
    markers: Sequence[Any],
    soft: Sequence[Any],
    renderer: Any,
) -> None:
    """Set each label's offset and alignment (see the module docstring)."""
    frame = ax.get_window_extent(renderer)
    inside = np.array([frame.x0, frame.y0, frame.x1, frame.y1])
    marks = _marker_boxes(markers, renderer)
    boxes = np.zeros((0, 4))
    leaders: list[np.ndarray] = []
    points = _soft_points(soft)
    per_ring = len(_DIRECTIONS)
    for label, prefer in labels:
        if not label.get_visible():
            continue
        text = Text.get_window_extent(label, renderer)
        pad = renderer.points_to_pixels(_pad_points(label))
        w, h = text.width + 2 * pad, text.height + 2 * pad
        anchor = ax.transData.transform(np.asarray(label.xy, dtype=float))
        # the markers at the label's own point are its own; the others its leader must not cross
        own = (marks[:, 0] <= anchor[0]) & (anchor[0] <= marks[:, 2])
        own &= (marks[:, 1] <= anchor[1]) & (anchor[1] <= marks[:, 3])
        others = marks[~own]
        best = None
        for index, (direction, ring) in enumerate(_candidates(prefer)):
            offset = direction * ring * np.array([1.25, 1.0])  # a little wider than tall
            corner = anchor + renderer.points_to_pixels(offset)
            x0 = corner[0] - w * (1 - direction[0]) / 2
            y0 = corner[1] - h * (1 - direction[1]) / 2
            box = np.array([x0, y0, x0 + w, y0 + h])
            leader = np.array([[x0 + w / 2, y0 + h / 2], anchor])
            track = _outside(_samples(leader), box)
            hard = w * h - _overlap(box, inside[None])[0]
            hard += _overlap(box, marks).sum() + _overlap(box, boxes).sum()
            hard = hard if hard > 0.5 else 0.0
            # a leader through another marker, another label or across another leader
            tangled = (_inside_any(track, others) > 0) + (_inside_any(track, boxes) > 0)
            tangled += sum(_inside_any(_samples(seg), box[None]) > 0 for seg in leaders)
            tangled += sum(_crosses(leader, seg) for seg in leaders)
            # a label nearer another marker than its own point reads as that marker's
            centres = (others[:, :2] + others[:, 2:]) / 2
            tangled += bool(np.any(_distance(centres, box) < _distance(anchor[None], box)[0]))
            covered = np.count_nonzero(
                (points[:, 0] >= box[0])
                & (points[:, 0] <= box[2])
                & (points[:, 1] >= box[1])
                & (points[:, 1] <= box[3])
            )
            key = (hard > 0, hard, int(tangled), index / per_ring + covered)
            if best is None or key < best[0]:
                best = (key, direction, offset, box, leader)
        _, direction, offset, box, leader = best
        boxes = np.vstack([boxes, box])
        leaders.append(leader)
        ha = {1.0: "left", -1.0: "right", 0.0: "center"}[float(direction[0])]
        va = {1.0: "bottom", -1.0: "top", 0.0: "center"}[float(direction[1])]
        # the text is laid out inside its box: shift by the pad so the box corner is the anchor
        shift = np.where(direction == 0, 0.0, direction * _pad_points(label))
        xyann = tuple(float(v) for v in np.round(offset + shift, 3))
        if label.xyann != xyann:
            label.xyann = xyann
        if label.get_horizontalalignment() != ha:
            label.set_horizontalalignment(ha)
        if label.get_verticalalignment() != va:
            label.set_verticalalignment(va)


def _pad_points(label: Any) -> float:
    """The padding of a label's box, in points (the boxstyle's pad times the font size)."""
    patch = label.get_bbox_patch()
    if patch is None:
        return 0.0
    pad = getattr(patch.get_boxstyle(), "pad", 0.3)
    return float(pad) * label.get_fontsize() + patch.get_linewidth()
