"""Figures of scenarios, games and negotiations (matplotlib).

Every function takes an optional ``ax=`` and returns the Axes (or the Figure, for multi-panel
views). Parties keep one colour across every figure (:func:`party_colors`, Okabe–Ito).

>>> import dealsim
>>> from dealsim import plot
>>> ax = plot.agreement_zone_map(dealsim.load("logroll"), "x", "y")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.plot._style import check_choice, party_colors
    from dealsim.plot.frontier import utility_space, utility_space_pairs
    from dealsim.plot.games import game_tree, payoff_matrix
    from dealsim.plot.surface import payoff_surface
    from dealsim.plot.trace import (
        solution_sweep,
        threshold_plot,
        trace_timeline,
        trace_utility_space,
    )
    from dealsim.plot.uncertainty import (
        game_sweep,
        montecarlo_plot,
        sobol_plot,
        sweep_plot,
        tornado_plot,
    )
    from dealsim.plot.zone import agreement_zone_map

__all__ = [
    "agreement_zone_map",
    "check_choice",
    "game_sweep",
    "game_tree",
    "montecarlo_plot",
    "party_colors",
    "payoff_matrix",
    "payoff_surface",
    "sobol_plot",
    "solution_sweep",
    "sweep_plot",
    "threshold_plot",
    "tornado_plot",
    "trace_timeline",
    "trace_utility_space",
    "utility_space",
    "utility_space_pairs",
]

_LAZY = {
    "agreement_zone_map": "zone",
    "check_choice": "_style",
    "game_sweep": "uncertainty",
    "game_tree": "games",
    "montecarlo_plot": "uncertainty",
    "sobol_plot": "uncertainty",
    "sweep_plot": "uncertainty",
    "tornado_plot": "uncertainty",
    "party_colors": "_style",
    "payoff_matrix": "games",
    "payoff_surface": "surface",
    "solution_sweep": "trace",
    "threshold_plot": "trace",
    "trace_timeline": "trace",
    "trace_utility_space": "trace",
    "utility_space": "frontier",
    "utility_space_pairs": "frontier",
}


def __getattr__(name: str) -> Any:
    # Lazy, so that importing dealsim.plot (e.g. from the CLI) does not import matplotlib.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"dealsim.plot.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'dealsim.plot' has no attribute {name!r}")
