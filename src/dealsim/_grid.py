"""Evenly spaced grids whose points are the decimals a user wrote, not float noise.

``np.linspace(0, 1, 11)[3]`` is ``0.30000000000000004``: three times the double nearest 0.1. A
range issue's grid values and a sweep's ``LO:HI:N`` values are printed, cited and compared, so
:func:`decimal_grid` gives each point as the double nearest its exact value
``lo + i * (hi - lo) / (n - 1)``, with ``lo`` and ``hi`` read as the decimals they print as.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["decimal_grid", "grid_code"]

GRID_RTOL = 1e-9  # a value this close to a grid point (relative to the grid's scale) is on it

_EXACT = 2**53  # integers up to this size are exact doubles


def decimal_grid(lo: float, hi: float, n: int) -> np.ndarray:
    """``n`` evenly spaced values from ``lo`` to ``hi``, each the double nearest its exact value.

    Point ``i`` is the double nearest ``lo + i * (hi - lo) / (n - 1)``, computed exactly from the
    shortest decimals that print as ``lo`` and ``hi`` (``repr``): ``0.1`` is read as one tenth, not
    as the double nearest it. The ends are ``lo`` and ``hi`` themselves; the values differ from
    :func:`numpy.linspace`'s by at most a few units in the last place.

    Parameters
    ----------
    lo, hi : float
        The first and last values (finite).
    n : int
        Number of values (``n >= 1``; one value is ``lo``).

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, float64.

    Examples
    --------
    >>> import numpy as np
    >>> decimal_grid(0.0, 1.0, 11).tolist()[3] == 0.3, np.linspace(0.0, 1.0, 11).tolist()[3] == 0.3
    (True, False)
    >>> [repr(v) for v in decimal_grid(0.0, 0.9, 10).tolist()[:4]]
    ['0.0', '0.1', '0.2', '0.3']
    >>> bool(decimal_grid(0.0, 1.0, 4)[1] == 1 / 3)  # thirds have no decimal: the nearest double
    True
    """
    if n == 1:
        return np.array([float(lo)])
    a, b, scale = _scaled_integers(float(lo), float(hi))
    steps = n - 1
    den = steps * scale
    if max(abs(a), abs(b)) * steps <= _EXACT and den <= _EXACT:
        i = np.arange(n, dtype=float)
        # every product and sum is an integer below 2**53, hence exact; the one division is
        # rounded correctly (IEEE 754): the nearest double to the exact quotient
        return (a * (steps - i) + b * i) / den
    return np.array([(a * (steps - i) + b * i) / den for i in range(n)])  # Python ints: exact


def grid_code(grid: Any, value: float) -> int | None:
    """The index of the point of ``grid`` nearest ``value``, if ``value`` is on the grid.

    On the grid means within ``GRID_RTOL`` (1e-9) times the grid's scale, its largest magnitude
    or its span, whichever is larger: a value typed as a decimal finds its point in any units (an
    issue from 0 to 1e-10 as one from 0 to 1e12), and the nearest point is taken when several are
    that close.

    Parameters
    ----------
    grid : array_like of float
        The points (an issue's values).
    value : float

    Returns
    -------
    int or None
        None when no point is that close (or ``value`` is not finite).

    Examples
    --------
    >>> grid = decimal_grid(0.0, 1e-10, 21)
    >>> grid_code(grid, 5e-11), grid_code(grid, 5.25e-11) is None
    (10, True)
    >>> grid_code([0.0, 0.5, 1.0], 0.1 + 0.2 + 0.2)  # 0.5000000000000001
    1
    """
    points = np.asarray(grid, dtype=float)
    if points.size == 0:
        return None
    scale = max(float(np.max(np.abs(points))), float(np.ptp(points)))
    distance = np.abs(points - float(value))
    i = int(np.argmin(distance))
    return i if distance[i] <= GRID_RTOL * scale else None


def _scaled_integers(lo: float, hi: float) -> tuple[int, int, int]:
    """``(a, b, scale)`` with ``lo == a / scale`` and ``hi == b / scale`` in decimal (integers)."""
    (m, e), (n, f) = _decimal(lo), _decimal(hi)
    digits = max(0, -min(e, f))
    return m * 10 ** (e + digits), n * 10 ** (f + digits), 10**digits


def _decimal(x: float) -> tuple[int, int]:
    """``(m, e)`` with ``x``'s shortest decimal (``repr``) equal to ``m * 10**e``.

    Read from the text (``"-2.5e-07"`` is ``(-25, -8)``), without the decimal module's import.
    """
    mantissa, _, exponent = repr(float(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    return int(whole + fraction), int(exponent or 0) - len(fraction)
