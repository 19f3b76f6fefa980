"""dealsim: a game-theoretic peace-deal simulator.

Load a scenario (a bundled name or a path) and solve it:

>>> import dealsim
>>> scenario = dealsim.load("split-linear")
>>> result = dealsim.solve(scenario)
>>> result.solutions["nash"].deal
{'share': 0.575}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dealsim._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.pipeline import solve
    from dealsim.scenario import Scenario, load

__all__ = ["Scenario", "__version__", "load", "solve"]

_LAZY = {"load": "dealsim.scenario", "Scenario": "dealsim.scenario", "solve": "dealsim.pipeline"}


def __getattr__(name: str) -> Any:
    # Lazy so that `import dealsim.solvers.x` stays light and the CLI starts fast.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dealsim' has no attribute {name!r}")
