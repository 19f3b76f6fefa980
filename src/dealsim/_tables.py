"""Tables of results for notebooks and data frames: lazy pandas and small HTML tables.

pandas is an optional extra (``pip install 'dealsim[pandas]'``): :func:`require_pandas` imports it
only when a ``to_frame()`` is called. :func:`html_table` renders the ``_repr_html_`` of results
without pandas, so a notebook shows tables whether or not it is installed.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dealsim.errors import MissingDependencyError

__all__ = ["flatten", "html_table", "require_pandas"]


def require_pandas(what: str) -> Any:
    """Import pandas, or say which extra brings it.

    Examples
    --------
    >>> require_pandas("SolveResult.to_frame()").DataFrame.__name__
    'DataFrame'
    """
    try:
        import pandas
    except ImportError:
        raise MissingDependencyError(
            f"{what} needs pandas, an optional dependency: pip install 'dealsim[pandas]'"
        ) from None
    return pandas


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as one level of dotted keys (``{"a": {"b": 1}}`` → ``{"a.b": 1}``).

    Empty mappings and every other value (lists included) are kept as leaves.

    Examples
    --------
    >>> flatten({"a": {"b": 1, "c": {"d": None}}, "e": [1, 2], "f": {}})
    {'a.b': 1, 'a.c.d': None, 'e': [1, 2], 'f': {}}
    """
    flat: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def html_table(
    head: Sequence[str], rows: Iterable[Sequence[str]], *, caption: str = "", index: bool = True
) -> str:
    """An HTML table of already formatted cells; the first column is a row header when ``index``.

    Examples
    --------
    >>> html_table(["solution", "x"], [["nash", "0.5"]], caption="a < b")
    '<table class="dealsim"><caption>a &lt; b</caption><thead><tr><th>solution</th><th>x</th>...'
    """
    parts = ['<table class="dealsim">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>")
    parts += [f"<th>{html.escape(str(h))}</th>" for h in head]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>")
        for column, cell in enumerate(row):
            tag = "th" if index and column == 0 else "td"
            parts.append(f"<{tag}>{html.escape(str(cell))}</{tag}>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
