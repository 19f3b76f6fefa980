"""Acceptance, the agreement zone and blocking parties (dealsim.solvers.zones)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dealsim.solvers.zones import blocking_counts


def _blocking_by_definition(accepted, feasible):
    sole, anyone = np.zeros(accepted.shape[1], int), np.zeros(accepted.shape[1], int)
    for row, ok in zip(accepted, feasible, strict=True):
        rejecting = [i for i, a in enumerate(row) if not a]
        if not ok:
            continue
        for i in rejecting:
            anyone[i] += 1
        if len(rejecting) == 1:
            sole[rejecting[0]] += 1
    return sole, anyone


@given(
    st.integers(1, 5).flatmap(
        lambda k: st.tuples(arrays(bool, st.tuples(st.integers(0, 40), st.just(k))), st.data())
    )
)
def test_blocking_counts_match_the_definition_row_by_row(case):
    accepted, data = case
    feasible = data.draw(arrays(bool, accepted.shape[0]))
    sole, anyone = blocking_counts(accepted, feasible)
    want_sole, want_any = _blocking_by_definition(accepted, feasible)
    assert sole.tolist() == want_sole.tolist()
    assert anyone.tolist() == want_any.tolist()
    for layout in (np.asfortranarray(accepted), accepted.copy(order="C")):
        assert [c.tolist() for c in blocking_counts(layout, feasible)] == [
            want_sole.tolist(),
            want_any.tolist(),
        ]
