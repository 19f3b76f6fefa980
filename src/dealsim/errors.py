"""Errors that dealsim raises for bad input.

Every error a user can cause names where the problem is (a file, a dotted field path, a game
and node) and what is allowed, so that the command line can print it as one clear message and
exit with status 2 instead of showing a traceback.
"""

from __future__ import annotations

__all__ = [
    "DealsimError",
    "GameError",
    "MissingDependencyError",
    "ScenarioError",
    "SolverError",
    "elided",
]

_ELIDE_AFTER = 20


def elided(values: object, limit: int = _ELIDE_AFTER) -> str:
    """Comma-separated ``values`` for an error message, eliding all but the first ``limit``.

    A list of 100,000 allowed levels should not fill the terminal: the message names the first
    few and says how many more there are.

    Examples
    --------
    >>> elided(["a", "b"])
    'a, b'
    >>> elided(range(100_000), limit=3)
    '0, 1, 2, ... (99,997 more)'
    """
    items = list(values)  # type: ignore[call-overload]
    shown = ", ".join(str(v) for v in items[:limit])
    if len(items) > limit:
        shown += f", ... ({len(items) - limit:,} more)"
    return shown


class DealsimError(Exception):
    """Base class of every error dealsim raises on purpose."""


class ScenarioError(DealsimError):
    """A scenario file (or scenario data) is invalid.

    Parameters
    ----------
    message : str
        What is wrong and what is allowed.
    file : str, optional
        The file the problem is in.
    field : str, optional
        The dotted path of the offending field, e.g. ``payoffs.ukraine.weights.territory``.

    Examples
    --------
    >>> str(ScenarioError("unknown issue 'teritory'", file="x.toml", field="payoffs.a.weights"))
    "x.toml: payoffs.a.weights: unknown issue 'teritory'"
    """

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        self.message = message
        self.file = file
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [p for p in (self.file, self.field) if p]
        return ": ".join([*parts, self.message])

    def with_file(self, file: str) -> ScenarioError:
        """Return the same error located in ``file``.

        Examples
        --------
        >>> ScenarioError("bad", field="a.b").with_file("s.toml").file
        's.toml'
        """
        return ScenarioError(self.message, file=file, field=self.field)


class GameError(DealsimError):
    """A game (normal-form or sequential) is ill-formed; the message names the game and node.

    Examples
    --------
    >>> str(GameError("chance probabilities sum to 0.9, not 1", game="seq", node="honour"))
    "game 'seq', node 'honour': chance probabilities sum to 0.9, not 1"
    """

    def __init__(self, message: str, *, game: str | None = None, node: str | None = None):
        self.message = message
        self.game = game
        self.node = node
        where = []
        if game is not None:
            where.append(f"game {game!r}")
        if node is not None:
            where.append(f"node {node!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class SolverError(DealsimError):
    """A solver could not finish (an iteration bound was reached, input outside its domain).

    Examples
    --------
    >>> str(SolverError("Lemke-Howson stopped after 10 pivots"))
    'Lemke-Howson stopped after 10 pivots'
    """


class MissingDependencyError(DealsimError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it.

    Examples
    --------
    >>> error = MissingDependencyError("to_frame() needs pandas: pip install 'dealsim[pandas]'")
    >>> isinstance(error, ImportError)
    True
    """
