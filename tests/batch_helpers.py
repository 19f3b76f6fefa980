"""Shared checks of `batch_solve` for the batch and the Monte Carlo tests."""

from __future__ import annotations

from unittest import mock

import numpy as np

from dealsim.analysis import batch as batch_module
from dealsim.analysis.batch import batch_solve
from dealsim.results import SOLUTION_NAMES


def unpruned(scenario, draws, **kwargs):
    """batch_solve with no deal dropped before the five solutions (every unique deal kept)."""

    def keep_all(prepared, rows, utilities, margin, w):
        every = np.arange(prepared.deals.size)
        return every, every

    with mock.patch.object(batch_module, "_kept", keep_all):
        return batch_solve(scenario, draws, **kwargs)


def assert_same_batch(a, b):
    """Two batch results agree bit for bit: zones, sizes, reservations, solutions, utilities."""
    for field in ("zone", "zone_size", "feasible_size", "reservations"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    for name in SOLUTION_NAMES:
        assert np.array_equal(a.solutions[name], b.solutions[name]), name
        assert a.utilities[name].tobytes() == b.utilities[name].tobytes(), name
