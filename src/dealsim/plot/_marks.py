"""Markers shared by the figures: clouds of deals, and single points (held deal, solutions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["deal_cloud", "mark_held_deal", "mark_point"]


def deal_cloud(ax: Any, xy: Any, *, size: float, color: str, label: str, gid: str) -> Any:
    """Deals as small edgeless dots at the rows of ``xy`` (n, 2), rasterized (they are many).

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> deal_cloud(ax, np.eye(2), size=8, color="grey", label="a", gid="a").get_offsets().tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    return ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=size,
        color=color,
        linewidths=0,
        label=label,
        gid=gid,
        rasterized=True,
    )


def mark_held_deal(ax: Any, point: Sequence[float], *, markersize: float, **kwargs: Any) -> Any:
    """The held deal of a slice plot: a white star edged in black at ``point`` (x, y[, z]).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> mark_held_deal(ax, (1.0, 2.0), markersize=16, label="deal held").get_gid()
    'held-deal'
    """
    style = {"color": "white", "markeredgecolor": "black", "gid": "held-deal", **kwargs}
    return mark_point(ax, point, marker="*", markersize=markersize, **style)


def mark_point(ax: Any, point: Sequence[float], **style: Any) -> Any:
    """One marker and no line at ``point`` (x, y[, z]): ``ax.plot`` with ``style``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> mark_point(ax, (1.0, 2.0), marker="o", gid="dot").get_xydata().tolist()
    [[1.0, 2.0]]
    """
    (line,) = ax.plot(*([c] for c in point), linestyle="none", **style)
    return line
