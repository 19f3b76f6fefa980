"""Sweeps reuse a point's stages within the call: the records stay those of independent solves."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

import dealsim
from dealsim.analysis.reuse import StageReuse
from dealsim.uncertainty.sweep import points_per_task, sweep

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


@pytest.mark.parametrize("batch", [1, 3, None])
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


def _points(**axes):
    return [dict(zip(axes, point, strict=True)) for point in itertools.product(*axes.values())]


def test_points_per_task_is_a_row_when_the_last_parameter_leaves_the_problem_alone():
    points = _points(audience_cost_max=[0.02, 0.1, 0.2, 0.3, 0.4], belt_shift=[0.2, 0.3, 0.4, 0.5])
    assert points_per_task(StageReuse(DONBAS), points, 2) == 4


def test_points_per_task_is_one_when_every_point_has_its_own_problem():
    points = _points(belt_shift=[0.2, 0.4], audience_cost_max=[0.02, 0.1, 0.2, 0.3])
    assert points_per_task(StageReuse(DONBAS), points, 2) == 1  # rows vary the problem
    payoffs = _points(fortress_risk=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert points_per_task(StageReuse(DONBAS), payoffs, 2) == 1


def test_points_per_task_is_one_with_one_worker():
    points = _points(audience_cost_max=[0.02, 0.1], belt_shift=[0.2, 0.3, 0.4, 0.5])
    assert points_per_task(StageReuse(DONBAS), points, 1) == 1


def test_points_per_task_leaves_every_worker_two_tasks():
    shared = _points(belt_shift=[0.2 + 0.04 * i for i in range(10)])  # one problem for all
    assert points_per_task(StageReuse(DONBAS), shared, 2) == 3  # ceil(10 / 4)
    assert points_per_task(StageReuse(DONBAS), shared, 4) == 2  # ceil(10 / 8)


def test_a_grid_over_the_limits_is_refused_before_any_point_is_made():
    from dealsim.errors import DealsimError
    from dealsim.uncertainty.sweep import MAX_GRID_POINTS, MAX_GRID_VALUES, parse_grid

    with pytest.raises(DealsimError, match="at most 100,000"):
        parse_grid(f"belt_shift=0.2:0.6:{MAX_GRID_VALUES + 1}")
    assert parse_grid(f"belt_shift=0.2:0.6:{MAX_GRID_VALUES}")[1].size == MAX_GRID_VALUES
    with pytest.raises(DealsimError, match="'belt_shift': 100,001 values"):
        sweep(DONBAS, {"belt_shift": np.zeros(MAX_GRID_VALUES + 1)}, workers=1)
    side = int(MAX_GRID_POINTS**0.5) + 1
    grid = {"belt_shift": np.zeros(side), "audience_cost_max": np.zeros(side)}
    with pytest.raises(DealsimError, match=f"a grid of {side * side:,} points"):
        sweep(DONBAS, grid, workers=1)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["a"], "the values to sweep must be numbers"),
        ([float("nan")], "nan is not allowed"),
        ([1e300], "is not allowed"),
    ],
)
def test_values_a_scenario_file_could_not_hold_are_refused_naming_the_parameter(values, message):
    from dealsim.errors import DealsimError

    with pytest.raises(DealsimError, match=f"parameter 'belt_shift': .*{message}"):
        sweep(DONBAS, {"belt_shift": values}, workers=1)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_point_the_solve_refuses_is_named_with_its_values(workers):
    # s = 1e-8 puts party up's utilities below the tolerance's reach (dealsim.zone's guard):
    # the file's value is not the one refused, so the error says which point it was
    from pathlib import Path

    from dealsim.errors import ScenarioError

    scenario = dealsim.load(Path(__file__).parents[1] / "data" / "water_scaled_up.toml")
    with pytest.raises(ScenarioError, match=r"too small .* \(at sweep point 2: s=1e-08\)$") as info:
        sweep(scenario, {"s": [1.0, 0.5, 1e-8]}, workers=workers, progress=False)
    assert info.value.file.endswith("water_scaled_up.toml")
