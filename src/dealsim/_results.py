"""Plain-data conversion shared by every result dataclass."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

__all__ = ["ResultMixin", "to_plain"]


def to_plain(value: Any) -> Any:
    """Convert numpy scalars/arrays, dataclasses, tuples and mappings to JSON-ready values.

    Non-finite floats become ``None`` so that the JSON output stays standard.

    Examples
    --------
    >>> to_plain({"a": np.float64(0.5), "b": np.arange(2), "c": (np.int64(3), float("nan"))})
    {'a': 0.5, 'b': [0, 1], 'c': [3, None]}
    >>> to_plain(np.array(2.5))
    2.5
    """
    kind = type(value)  # plain values first: most of a result's leaves (exact types only)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is int or kind is str or kind is bool or value is None:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return value.to_dict()
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_plain(value.tolist())  # a 0-d array gives a scalar
    if isinstance(value, np.generic):
        return to_plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class ResultMixin:
    """Gives a frozen result dataclass a ``to_dict()`` of plain JSON values.

    A field declared with ``metadata={"json": False}`` (e.g. a per-sample table kept for
    ``to_frame()``) stays out of ``to_dict()``.
    """

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain Python data (JSON-ready)."""
        return {
            f.name: to_plain(getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if f.metadata.get("json", True)
        }
