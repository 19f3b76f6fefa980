"""Plain-text formatting shared by every text renderer: numbers, deals and aligned tables.

The analyses render their own report sections with these helpers, and :mod:`dealsim.report` puts
the sections together; keeping them here lets both layers use one format.
"""

from __future__ import annotations

from typing import Any

__all__ = ["format_deal", "format_number", "table"]


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
