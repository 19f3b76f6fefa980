"""Hypothesis strategies shared by the test suite (random utility arrays, disagreement points)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["disagreement_vectors", "tied_utility_arrays", "utility_arrays"]


@st.composite
def tied_utility_arrays(
    draw: st.DrawFn,
    *,
    n_parties: st.SearchStrategy[int] | None = None,
    min_rows: int = 0,
    max_rows: int = 40,
    levels: int = 4,
) -> np.ndarray:
    """Float ``(n, k)`` arrays of small integers ``0..levels-1``: many ties and duplicate rows."""
    k = draw(n_parties if n_parties is not None else st.integers(1, 4))
    n = draw(st.integers(min_rows, max_rows))
    values = draw(hnp.arrays(np.int64, (n, k), elements=st.integers(0, levels - 1)))
    return values.astype(float)


@st.composite
def utility_arrays(
    draw: st.DrawFn,
    *,
    n_parties: st.SearchStrategy[int] | None = None,
    min_rows: int = 1,
    max_rows: int = 40,
) -> np.ndarray:
    """Float ``(n, k)`` utility arrays in ``[-1, 1]``, sometimes with repeated values."""
    k = draw(n_parties if n_parties is not None else st.integers(1, 4))
    n = draw(st.integers(min_rows, max_rows))
    elements = st.one_of(
        st.floats(-1.0, 1.0, allow_nan=False, allow_subnormal=False),
        st.sampled_from([0.0, 0.25, 0.5]),
    )
    return draw(hnp.arrays(np.float64, (n, k), elements=elements))


def disagreement_vectors(utilities: np.ndarray) -> st.SearchStrategy[np.ndarray]:
    """Disagreement points ``d`` for which at least one row of ``utilities`` is >= d.

    Each coordinate is drawn between the column minimum and the value of one chosen row, so the
    chosen row is individually rational.
    """
    n, k = utilities.shape

    @st.composite
    def _draw(draw: st.DrawFn) -> np.ndarray:
        row = utilities[draw(st.integers(0, n - 1))]
        low = utilities.min(axis=0)
        frac = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k)))
        d = low + frac * (row - low)
        return np.minimum(d, row)

    return _draw()
