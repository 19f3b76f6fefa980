"""Shared look of every dealsim figure: party colours, solution markers, axis labels.

Party colours come from the Okabe–Ito palette (safe for the common forms of colour blindness) and
are assigned by a party's position in the scenario, so the same party has the same colour in every
figure of a scenario. Solutions are drawn in black with one marker shape each, so that colour
always means "party".
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dealsim.errors import ScenarioError

__all__ = [
    "INFEASIBLE_HATCHES",
    "OUTCOME_COLORS",
    "PALETTE",
    "SOLUTION_STYLES",
    "ZONE_COLOR",
    "axes_height",
    "axes_width",
    "check_choice",
    "finish",
    "format_parameters",
    "issue_axis_label",
    "legend_below",
    "level_label",
    "literal",
    "literal_texts",
    "new_axes",
    "party_colors",
    "possessive",
    "share_parameter_note",
    "text_width",
    "wrap_to_width",
]

PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Okabe & Ito (2008) colours in the order parties receive them."""

ZONE_COLOR = "#B8E0C2"
"""Fill of the agreement zone (a pale green that no party colour uses)."""

OUTCOME_COLORS = ("#BBCCEE", "#EEEEBB", "#CCEEFF", "#FFCCCC", "#CCDDAA", "#DDDDDD")
"""Paul Tol's pale scheme: background bands of outcomes in threshold plots."""

INFEASIBLE_HATCHES = ("///", "\\\\\\", "xxx", "...", "|||", "---")
"""One hatch pattern per constraint, in constraint order."""

SOLUTION_STYLES: dict[str, tuple[str, str]] = {
    "nash": ("Nash", "*"),
    "weighted_nash": ("Weighted Nash", "P"),
    "kalai_smorodinsky": ("Kalai–Smorodinsky", "D"),
    "egalitarian": ("Egalitarian", "s"),
    "utilitarian": ("Utilitarian", "^"),
}
"""Solution name -> (label, marker)."""


def party_colors(party_ids: Sequence[str]) -> dict[str, str]:
    """Each party's colour, by its position in ``party_ids`` (the scenario's party order).

    Examples
    --------
    >>> party_colors(["us", "ukraine", "russia"])
    {'us': '#0072B2', 'ukraine': '#E69F00', 'russia': '#009E73'}
    """
    return {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(party_ids)}


def literal(text: Any) -> str:
    """Text that matplotlib shows as written: a ``$`` is a dollar sign, not maths markup.

    Examples
    --------
    >>> literal("Prosperity plan ($bn)")
    'Prosperity plan (\\\\$bn)'
    """
    return str(text).replace("$", r"\$")


def level_label(value: Any) -> str:
    """A level as shown on an axis: booleans as no/yes, underscores as spaces.

    Examples
    --------
    >>> level_label("article5_mirror"), level_label(True), level_label(0.5)
    ('article5 mirror', 'yes', '0.5')
    """
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return literal(str(value).replace("_", " "))


def issue_axis_label(issue: Any) -> str:
    """An issue's axis label with its unit: ``"Prosperity plan ($bn)"``, ``$`` shown literally.

    Examples
    --------
    >>> import dealsim
    >>> issue_axis_label(dealsim.load("donbas-2026").issue("prosperity_plan"))
    'Prosperity plan (\\\\$bn)'
    """
    return literal(f"{issue.label} ({issue.unit})" if issue.unit else issue.label)


def check_choice(value: str, allowed: Sequence[str], what: str, file: str | None = None) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise a ScenarioError listing them."""
    if value not in allowed:
        raise ScenarioError(f"unknown {what} {value!r} (allowed: {', '.join(allowed)})", file=file)
    return value


def new_axes(
    ax: Any = None,
    *,
    figsize: tuple[float, float] = (8.0, 6.0),
    projection: str | None = None,
    autosize: float | None = None,
):
    """``ax`` or a fresh Axes on a new figure (through pyplot, so notebooks show it).

    With ``autosize`` (inches of data area), :func:`finish` sets the height of a figure made
    here from its content (title lines, legend rows below); a figure the caller passes in is
    never resized.

    Examples
    --------
    >>> new_axes(figsize=(4.0, 3.0)).figure.get_size_inches().tolist()
    [4.0, 3.0]
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    if autosize:
        fig._dealsim_autosize = float(autosize)  # our own marker on our own figure
    return fig.add_subplot(projection=projection)


def share_parameter_note(fig: Any) -> None:
    """Mark a multi-panel figure: :func:`finish` writes its parameters once, above the panels.

    A figure that already has a suptitle of the caller's is left alone (each panel then shows
    its parameters).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure()
    >>> share_parameter_note(fig)
    >>> fig._dealsim_notes
    []
    """
    if fig.get_suptitle() and not hasattr(fig, "_dealsim_notes"):
        return
    if not hasattr(fig, "_dealsim_notes"):
        fig._dealsim_notes = []  # our own marker on the figure: the notes written so far


@functools.lru_cache(maxsize=4096)
def _word_width(word: str, fontsize: float, weight: str) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=fontsize, weight=weight)
    return text_to_path.get_text_width_height_descent(word, prop, ismath=False)[0] / 72.0


def text_width(text: str, fontsize: float, weight: str = "normal") -> float:
    """Width in inches of the longest line of ``text`` at ``fontsize`` points (DejaVu Sans).

    Examples
    --------
    >>> 0.1 < text_width("credibility", 10) < text_width("credibility=0.5", 10) < 1.2
    True
    """
    space = _word_width("a a", fontsize, weight) - 2 * _word_width("a", fontsize, weight)
    return max(
        (
            sum(_word_width(w, fontsize, weight) for w in line.split(" ")) + space * line.count(" ")
            for line in text.splitlines() or [""]
        ),
        default=0.0,
    )


def wrap_to_width(text: str, width: float, fontsize: float, weight: str = "normal") -> str:
    """Break ``text`` at spaces into lines no wider than ``width`` inches (long words stay whole).

    Examples
    --------
    >>> wrap_to_width("one two three four", 0.6, 10).splitlines()
    ['one two', 'three', 'four']
    >>> wrap_to_width("one two", 5.0, 10)
    'one two'
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, fontsize, weight) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return "\n".join(lines)


def axes_width(ax: Any, *, reserve: float = 0.0) -> float:
    """Estimated width in inches of the data area of ``ax`` once the layout is done.

    The width of the Axes' grid cell less its y tick labels, y label and ``reserve`` (a
    colorbar, say). Used before drawing, to wrap text to the Axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    >>> bool(3.0 < axes_width(axes[0]) < 5.0)
    True
    """
    width = _cell_fraction(ax, "width") * ax.figure.get_figwidth() - reserve - 0.15
    if getattr(ax, "name", "") == "3d":
        return float(max(1.0, 0.85 * width))
    size = _tick_fontsize(ax, "y")
    ticks = max((text_width(t, size) for t in _tick_texts(ax.yaxis)), default=0.0)
    label = 0.25 if ax.get_ylabel() else 0.0
    return float(max(1.0, width - ticks - label - 0.35))


def _tick_texts(axis: Any) -> list[str]:
    """Tick labels set by name (categories), else a typical number: no tick computation."""
    from matplotlib.ticker import FixedLocator

    locator = axis.get_major_locator()
    if isinstance(locator, FixedLocator) and len(locator.locs):
        return [str(t) for t in axis.get_major_formatter().format_ticks(locator.locs)]
    return ["-0.00"]


def axes_height(ax: Any) -> float:
    """Estimated height in inches of the data area of ``ax`` once the layout is done.

    The ``autosize`` of a figure made by :func:`new_axes` (its height is fitted to that), else the
    height of the Axes' grid cell less about 2 in of titles, labels and legend.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(6, 5))
    >>> axes_height(ax)
    3.0
    """
    fig = ax.figure
    if getattr(fig, "_dealsim_autosize", None):
        return float(fig._dealsim_autosize)
    return float(max(1.0, _cell_fraction(ax, "height") * fig.get_figheight() - 2.0))


def _cell_fraction(ax: Any, side: str) -> float:
    """The fraction of the figure's ``"width"`` or ``"height"`` that the Axes' grid cell spans."""
    spec = ax.get_subplotspec()
    if spec is None:
        return float(getattr(ax.get_position(), side))
    grid = spec.get_gridspec()
    if side == "width":
        ratios, span = grid.get_width_ratios() or [1] * grid.ncols, spec.colspan
    else:
        ratios, span = grid.get_height_ratios() or [1] * grid.nrows, spec.rowspan
    return sum(list(ratios)[span.start : span.stop]) / sum(ratios)


def _tick_fontsize(ax: Any, which: str) -> float:
    """The rc default tick label size of the ``"x"`` or ``"y"`` axis (dealsim sets no larger)."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    return float(FontProperties(size=mpl.rcParams[f"{which}tick.labelsize"]).get_size_in_points())


def legend_below(
    ax: Any, handles: Sequence[Any] | None = None, *, reserve: float = 0.0, **kwargs: Any
) -> Any:
    """A frameless legend just under the x label of ``ax``, in two columns when they fit.

    The offset is in points, measured from the tick labels and x label, so the legend never
    overlaps them whatever the height of the Axes; labels are wrapped to the width of the
    Axes (less ``reserve`` inches, as in :func:`axes_width`), so the legend never widens it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], label="a line")
    >>> legend_below(ax).get_texts()[0].get_text()
    'a line'
    """
    from matplotlib.transforms import offset_copy

    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    else:
        labels = [h.get_label() for h in handles]
    fontsize = kwargs.pop("fontsize", 8.5)
    size = _tick_fontsize(ax, "x")
    texts = _tick_texts(ax.xaxis)
    lines = max((t.count("\n") + 1 for t in texts), default=1)
    ticklabels = ax.get_xticklabels()
    rotation = max((abs(t.get_rotation()) for t in ticklabels), default=0.0)
    if rotation:
        longest = max((text_width(t, size) for t in texts), default=0)
        tick_height = 72 * longest * np.sin(np.radians(rotation)) + size
    else:
        tick_height = 1.2 * size * lines
    label_lines = ax.get_xlabel().count("\n") + 1 if ax.get_xlabel() else 0
    offset = tick_height + 1.2 * ax.xaxis.label.get_fontsize() * label_lines + 14
    width = axes_width(ax, reserve=reserve)
    widest = max((text_width(str(label), fontsize) for label in labels), default=0.0)
    ncol = kwargs.pop("ncol", None)
    if ncol is None:
        ncol = 2 if len(labels) > 4 and 2 * (widest + 0.6) <= width else 1
    labels = [wrap_to_width(str(label), width / ncol - 0.6, fontsize) for label in labels]
    transform = offset_copy(ax.transAxes, fig=ax.figure, y=-offset, units="points")
    legend = ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        bbox_transform=transform,
        frameon=False,
        fontsize=fontsize,
        ncol=ncol,
        borderaxespad=0.0,
        **kwargs,
    )
    legend.set_gid("legend:below")
    return legend


TITLE_SIZE = 12.0
SUBTITLE_SIZE = 8.5
NOTE_SIZE = 7.5


def finish(
    ax: Any,
    title: str,
    subtitle: str = "",
    *,
    parameters: Mapping[str, float] | None = None,
    reserve: float = 0.0,
) -> None:
    """Title (bold, left), a grey subtitle and a smaller parameter line, wrapped to the Axes.

    The subtitle and the parameter line are wrapped to the estimated width of the Axes
    (:func:`axes_width`, less ``reserve`` inches for a colorbar), so a long line never squeezes
    the Axes; the title is lifted above however many lines they take. In a figure marked by
    :func:`share_parameter_note` the parameters go once into a note above all the panels.
    In a figure made by :func:`new_axes` the height is then set from the content.
    """
    from matplotlib.transforms import offset_copy

    fig = ax.figure
    width = axes_width(ax, reserve=reserve)
    note = format_parameters(parameters or {})
    if note and hasattr(fig, "_dealsim_notes"):
        _figure_note(fig, note)
        note = ""
    blocks = [
        (wrap_to_width(text, width, size), size, gid)
        for text, size, gid in (
            (f"parameters: {note}" if note else "", NOTE_SIZE, "parameters"),
            (subtitle, SUBTITLE_SIZE, "subtitle"),
        )
        if text
    ]
    is_3d = getattr(ax, "name", "") == "3d"
    put = ax.text2D if is_3d else ax.text
    height = 4.0  # points above the top of the Axes
    for text, size, gid in blocks:
        put(
            0.0,
            1.0,
            text,
            transform=offset_copy(ax.transAxes, fig=fig, y=height, units="points"),
            fontsize=size,
            color="#555555",
            va="bottom",
            ha="left",
            gid=gid,
            linespacing=1.25,
        )
        height += 1.25 * size * (text.count("\n") + 1) + 2.0
    title = wrap_to_width(title, width, TITLE_SIZE, "bold")
    ax.set_title(title, loc="left", fontsize=TITLE_SIZE, fontweight="bold", pad=height + 2.0)
    if not is_3d:
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    if getattr(fig, "_dealsim_autosize", None) and len(fig.axes) <= 2:
        _fit_height(ax, height + 1.3 * TITLE_SIZE * (title.count("\n") + 1))
    literal_texts(fig)


def literal_texts(fig: Any) -> None:
    """Escape every unescaped ``$`` in the figure's texts: labels are never maths markup.

    A scenario's labels and units are plain text ("$bn"); matplotlib would read a pair of
    dollar signs as mathtext and set what lies between in italics.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_xlabel("from $5bn to $10bn")
    >>> literal_texts(fig)
    >>> ax.xaxis.label._preprocess_math(ax.xaxis.label.get_text())
    ('from $5bn to $10bn', False)
    """
    import re

    from matplotlib.text import Text

    for text in fig.findobj(Text):
        value = text.get_text()
        if "$" in value:
            text.set_text(re.sub(r"(?<!\\)\$", r"\\$", value))


def _fit_height(ax: Any, top_points: float) -> None:
    """Height of a one-Axes figure: its ``autosize`` of data area plus what sits around it."""
    legend = ax.get_legend()
    rows = 0
    if legend is not None and legend.get_gid() == "legend:below":
        n = len(legend.get_texts())
        lines = sum(t.get_text().count("\n") + 1 for t in legend.get_texts()) / max(1, n)
        rows = -(-n // max(1, getattr(legend, "_ncols", 1))) * lines
        rows += 1 if legend.get_title().get_text() else 0
    below = 0.9 + (0.19 * rows + 0.2 if rows else 0.0)
    height = float(ax.figure._dealsim_autosize) + top_points / 72.0 + below
    if getattr(ax, "name", "") == "3d":
        height = max(height, 6.5)
    ax.figure.set_figheight(max(3.0, height))


def _figure_note(fig: Any, note: str) -> None:
    """The parameters of a multi-panel figure, once, left-aligned above the panels."""
    if note in fig._dealsim_notes:
        return
    fig._dealsim_notes.append(note)
    fig.suptitle(
        wrap_to_width("parameters: " + "; ".join(fig._dealsim_notes), fig.get_figwidth() - 0.3, 9),
        x=0.01,
        ha="left",
        fontsize=9,
        color="#555555",
        gid="parameters",
    )


def format_parameters(parameters: Mapping[str, float]) -> str:
    """``credibility=0.5, fortress_risk=0.1`` (empty string without parameters).

    Examples
    --------
    >>> format_parameters({"credibility": 0.5, "fortress_risk": 0.1})
    'credibility=0.5, fortress_risk=0.1'
    """
    return ", ".join(f"{k}={v:.4g}" for k, v in parameters.items())


def possessive(name: str) -> str:
    """``"Ukraine's"``, ``"United States'"``.

    Examples
    --------
    >>> possessive("Ukraine"), possessive("United States")
    ("Ukraine's", "United States'")
    """
    return f"{name}'" if name.endswith("s") and len(name) > 3 else f"{name}'s"
