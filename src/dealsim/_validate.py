"""Private argument checks shared by the solver and analysis modules.

Every check converts its argument (to a float array, a float or an int) and raises
:class:`~dealsim.errors.SolverError` (or the ``error`` class given) naming the argument and what
is allowed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.errors import SolverError

__all__ = [
    "MAX_ROUNDS",
    "as_float",
    "check_discount",
    "check_nonnegative",
    "check_probability",
    "check_rounds",
    "check_tol",
    "check_utilities",
    "scalar_or_array",
]

_SHOWN = 8  # arguments with more elements are not repeated in full in a message


def _shown(value: Any, arr: np.ndarray) -> str:
    return f", got {value!r}" if arr.size <= _SHOWN else ""


def as_float(name: str, value: ArrayLike) -> NDArray[np.float64]:
    """``value`` as a float array of finite numbers."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SolverError(f"{name} must be numeric: {exc}") from None
    if not np.all(np.isfinite(arr)):
        raise SolverError(f"{name} must be finite numbers (no NaN or infinity){_shown(value, arr)}")
    return arr


def check_probability(
    name: str, value: ArrayLike, *, low_open: bool = False
) -> NDArray[np.float64]:
    """Probabilities in ``[0, 1]`` (``(0, 1]`` with ``low_open``)."""
    arr = as_float(name, value)
    bad = (arr <= 0.0) if low_open else (arr < 0.0)
    if np.any(bad | (arr > 1.0)):
        allowed = "(0, 1]" if low_open else "[0, 1]"
        raise SolverError(f"{name} must be a probability in {allowed}{_shown(value, arr)}")
    return arr


def check_discount(name: str, value: ArrayLike) -> NDArray[np.float64]:
    """Per-period discount factors in ``(0, 1]``."""
    arr = as_float(name, value)
    if np.any((arr <= 0.0) | (arr > 1.0)):
        raise SolverError(
            f"{name} must lie in (0, 1] (a per-period discount factor){_shown(value, arr)}"
        )
    return arr


def check_nonnegative(name: str, value: ArrayLike, what: str) -> NDArray[np.float64]:
    """Numbers ``>= 0``; ``what`` says what they are (``"a cost of war"``)."""
    arr = as_float(name, value)
    if np.any(arr < 0.0):
        raise SolverError(f"{name} must be >= 0 ({what}){_shown(value, arr)}")
    return arr


MAX_ROUNDS = 1_000_000
"""The most rounds of a negotiation or a finite-horizon bargaining game (each round is a step
of a loop: a million take minutes)."""


def check_rounds(rounds: Any) -> int:
    """A number of rounds: an integer from 1 to :data:`MAX_ROUNDS` (not a bool).

    Examples
    --------
    >>> check_rounds(40)
    40
    >>> check_rounds(10**12)
    Traceback (most recent call last):
    ...
    dealsim.errors.SolverError: rounds must be at most 1,000,000 ...
    """
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
        raise SolverError(f"rounds must be an integer >= 1, got {rounds!r}")
    if rounds > MAX_ROUNDS:
        raise SolverError(
            f"rounds must be at most {MAX_ROUNDS:,} (dealsim._validate.MAX_ROUNDS), "
            f"got {int(rounds):,}"
        )
    return int(rounds)


def check_tol(tol: float, *, error: type[Exception] = SolverError) -> float:
    """A tolerance: a finite float ``>= 0``."""
    tol = float(tol)
    if not (math.isfinite(tol) and tol >= 0.0):
        raise error(f"tol must be a finite number >= 0, got {tol}")
    return tol


def check_utilities(utilities: ArrayLike, *, name: str = "utilities") -> NDArray[np.float64]:
    """A finite ``(n_deals, n_parties)`` float array with at least one party."""
    try:
        u = np.asarray(utilities, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SolverError(f"{name} must be a numeric (n_deals, n_parties) array: {exc}") from None
    if u.ndim != 2 or u.shape[1] < 1:
        raise SolverError(
            f"{name} must be a two-dimensional (n_deals, n_parties) array with at least one "
            f"party, got shape {u.shape}"
        )
    if not np.isfinite(u).all():
        raise SolverError(f"{name} must be finite (no NaN or infinite utilities)")
    return u


def scalar_or_array(x: NDArray[Any]) -> Any:
    """A 0-d result as a Python scalar, anything else unchanged."""
    return x.item() if x.ndim == 0 else x
