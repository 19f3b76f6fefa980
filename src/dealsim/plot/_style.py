"""Shared look of every dealsim figure: party colours, solution markers, axis labels.

Party colours come from the Okabe–Ito palette (safe for the common forms of colour blindness) and
are assigned by a party's position in the scenario, so the same party has the same colour in every
figure of a scenario. Solutions are drawn in black with one marker shape each, so that colour
always means "party".
"""

from __future__ import annotations

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
    "check_choice",
    "finish",
    "format_parameters",
    "issue_axis_label",
    "level_label",
    "new_axes",
    "party_colors",
    "possessive",
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
    return str(value).replace("_", " ")


def issue_axis_label(issue: Any) -> str:
    """An issue's axis label with its unit: ``"Prosperity plan ($bn)"``.

    Examples
    --------
    >>> import dealsim
    >>> issue_axis_label(dealsim.load("donbas-2026").issue("prosperity_plan"))
    'Prosperity plan ($bn)'
    """
    return f"{issue.label} ({issue.unit})" if issue.unit else issue.label


def check_choice(value: str, allowed: Sequence[str], what: str, file: str | None = None) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise a ScenarioError listing them."""
    if value not in allowed:
        raise ScenarioError(f"unknown {what} {value!r} (allowed: {', '.join(allowed)})", file=file)
    return value


def new_axes(ax: Any = None, *, figsize: tuple[float, float] = (8.0, 6.0), projection=None):
    """``ax`` or a fresh Axes on a new figure (through pyplot, so notebooks show it)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    return fig.add_subplot(projection=projection)


def finish(ax: Any, title: str, subtitle: str = "") -> None:
    """Title (bold, left) with an optional grey subtitle line; light spines."""
    ax.set_title(title + ("\n" if subtitle else ""), loc="left", fontsize=12, fontweight="bold")
    if subtitle:
        text = ax.text2D if getattr(ax, "name", "") == "3d" else ax.text
        text(
            0.0,
            1.01,
            subtitle,
            transform=ax.transAxes,
            fontsize=8.5,
            color="#555555",
            va="bottom",
            ha="left",
        )
    if getattr(ax, "name", "") != "3d":
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)


def format_parameters(parameters: Mapping[str, float]) -> str:
    """``credibility=0.5, fortress_risk=0.1`` (empty string without parameters)."""
    return ", ".join(f"{k}={v:.4g}" for k, v in parameters.items())


def possessive(name: str) -> str:
    """``"Ukraine's"``, ``"United States'"``.

    Examples
    --------
    >>> possessive("Ukraine"), possessive("United States")
    ("Ukraine's", "United States'")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"
