"""Sweeps reuse a point's stages within the call: the records stay those of independent solves."""

from __future__ import annotations

import json

import pytest

import dealsim
from dealsim.uncertainty.sweep import sweep

DONBAS = dealsim.load("donbas-2026")
GRID = {"audience_cost_max": [0.06, 0.2], "belt_shift": [0.2, 0.6]}  # belt_shift: war only


def _independent(grid):
    return [
        {
            "point": i,
            **dealsim.solve(DONBAS, parameters={"audience_cost_max": a, "belt_shift": b}).to_dict(),
        }
        for i, (a, b) in enumerate(
            (a, b) for a in grid["audience_cost_max"] for b in grid["belt_shift"]
        )
    ]


def test_sweep_records_equal_independent_solves_at_every_point():
    assert list(sweep(DONBAS, GRID, workers=1).records) == _independent(GRID)


@pytest.mark.parametrize("batch", [1, 3])
def test_two_workers_give_the_records_of_one(batch):
    one = sweep(DONBAS, GRID, workers=1).records
    two = sweep(DONBAS, GRID, workers=2, batch=batch).records
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)


def test_a_swept_payoff_parameter_gives_the_independent_records():
    grid = {"fortress_risk": [0.0, 0.25], "belt_shift": [0.2, 0.6]}
    records = sweep(DONBAS, grid, workers=1).records
    expected = [
        dealsim.solve(DONBAS, parameters={"fortress_risk": f, "belt_shift": b}).to_dict()
        for f in grid["fortress_risk"]
        for b in grid["belt_shift"]
    ]
    assert [{k: v for k, v in r.items() if k != "point"} for r in records] == expected
