"""Plain-text formatting shared by every text renderer: numbers, deals and aligned tables.

The analyses render their own report sections with these helpers, and :mod:`dealsim.report` puts
the sections together; keeping them here lets both layers use one format.
"""

from __future__ import annotations

from typing import Any

__all__ = ["format_deal", "format_fixed", "format_number", "plain_float", "plural", "table"]


def format_number(value: Any) -> str:
    """Numbers with 4 significant digits; other values as they are.

    Examples
    --------
    >>> format_number(0.123456), format_number(800.0), format_number(True), format_number("a")
    ('0.1235', '800', 'true', 'a')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def format_fixed(value: float, scale: float, *, signed: bool = False) -> str:
    """A utility with four decimals, or four significant digits when the data are small.

    ``scale`` is the magnitude of the numbers ``value`` is read against (the utilities and
    reservations of the report). From 0.1 up, four decimals, as the reports print utilities;
    below, four decimals would print few digits or none (0.0000), so four significant digits, with
    anything within ``1e-12 * scale`` of 0 (rounding noise) shown as 0. The same deal therefore
    reads the same whatever unit the utilities are written in.

    Examples
    --------
    >>> format_fixed(0.54444, 0.68), format_fixed(-0.1, 0.6, signed=True)
    ('0.5444', '-0.1000')
    >>> format_fixed(5.4444e-13, 6.8e-13), format_fixed(-1e-30, 6e-13, signed=True)
    ('5.444e-13', '+0')
    """
    sign = "+" if signed else ""
    if scale >= 0.1:
        return f"{value:{sign}.4f}"
    if abs(value) <= 1e-12 * scale:
        value = 0.0
    return f"{value:{sign}.4g}"


def plain_float(value: float) -> float:
    """A float without binary noise: the shortest decimal within 15 significant digits.

    Grid values such as ``0.1 * 23`` come out of arithmetic as ``2.3000000000000003``; written to
    a CSV or a Gambit file they would read as a different number than the scenario meant.
    Fifteen significant digits is what a double holds exactly, so nothing real is lost.

    Examples
    --------
    >>> plain_float(0.5650000000000001), plain_float(1 / 3), plain_float(1e-20)
    (0.565, 0.333333333333333, 1e-20)
    """
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        return value
    return float(f"{value:.15g}")


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """``count`` and the word, in the plural when ``count`` is not 1; thousands separated.

    Examples
    --------
    >>> plural(1, "issue"), plural(8, "issue"), plural(3600, "deal"), plural(2, "party", "parties")
    ('1 issue', '8 issues', '3,600 deals', '2 parties')
    """
    noun = word if count == 1 else (plural_word or word + "s")
    return f"{count:,} {noun}"


def format_deal(deal: dict[str, Any]) -> str:
    """A deal on one line: ``issue=value, ...``.

    Examples
    --------
    >>> format_deal({"x": 1.0, "police": "neutral"})
    'x=1, police=neutral'
    """
    return ", ".join(f"{k}={format_number(v)}" for k, v in deal.items())


def table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Align rows of cells in columns (first column left, the others right); ``[]`` is a gap.

    Examples
    --------
    >>> print("\\n".join(table([["", "x"], ["long name", "1"]])))
                  x
      long name   1
    """
    width = max(len(r) for r in rows)
    widths = [max((len(r[c]) for r in rows if c < len(r)), default=0) for c in range(width)]
    out = []
    for row in rows:
        if not row:
            out.append("")
            continue
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(widths[c + 1]) for c, cell in enumerate(row[1:])
        ]
        out.append((indent + "   ".join(cells)).rstrip())
    return out
