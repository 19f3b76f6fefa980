"""The batch solutions' tie-break: every tied sample at once, what the solvers pick one by one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dealsim.analysis._batch_solutions import _tie_breaks


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 4), exponent=st.integers(-6, 6))
def test_tie_breaks_of_many_samples_at_once_pick_the_solvers_deal(seed, k, exponent):
    from dealsim.solvers.bargaining import _best_row, _normalised_gains
    from dealsim.solvers.pareto import tolerance_scale

    rng = np.random.default_rng(seed)
    n_samples, m, tol = 40, 12, 1e-9
    unit = 10.0**exponent
    # a coarse grid, nudged by less and by more than the tolerance: ties, near-ties, dominance
    nudge = rng.choice([0.0, 0.4, -0.4, 3.0, -3.0], size=(n_samples, m, k)) * tol * 4 * unit
    u = (rng.integers(0, 4, size=(n_samples, m, k)) + nudge / unit) * unit
    r = rng.integers(-1, 2, size=(n_samples, k)) * 0.5 * unit
    # a party that gains at most the tolerance is inactive (its normalised gains count for 0)
    flat = np.flatnonzero(rng.random(n_samples) < 0.3)
    party = rng.integers(0, k, flat.size)
    wobble = rng.uniform(-0.9, 0.9, size=(flat.size, m)) * tol * unit
    u[flat, :, party] = r[flat, party][:, None] + wobble
    scales = np.array([tolerance_scale(u[s], r[s]) for s in range(n_samples)])
    atol = tol * scales
    rational = (u >= (r - atol[:, None])[:, None, :]).all(axis=2)
    normalised = np.empty_like(u)
    on = np.zeros((n_samples, k), dtype=bool)
    tied = np.zeros((n_samples, m), dtype=bool)
    expected = []
    rows = []
    for s in range(n_samples):
        candidates = np.flatnonzero(rational[s])
        if candidates.size < 2:
            continue
        cand = np.where(rational[s][:, None], u[s], 0.0)
        normalised[s], on[s] = _normalised_gains(cand, r[s], rational[s], atol[s])
        chosen = rng.choice(candidates, size=rng.integers(2, candidates.size + 1), replace=False)
        tied[s, chosen] = True
        value = tied[s].astype(float)
        expected.append(_best_row(value, cand, r[s], rational[s], atol[s], tol=tol, tie=0.5))
        rows.append(s)
    rows = np.array(rows, dtype=np.intp)
    picks = _tie_breaks(
        tied[rows],
        rows,
        [u[:, :, i] for i in range(k)],
        [normalised[:, :, i] for i in range(k)],
        [on[:, i, None] for i in range(k)],
        scales[rows],
        tol,
    )
    if k == 1:  # one party: left to _best_row
        assert (picks == -1).all()
    else:
        assert picks.tolist() == expected
