"""The uncertainty commands (montecarlo, sensitivity, sweep) and the report's --montecarlo on
scenarios whose conditions depend on a drawn parameter: an answer, never a traceback."""

import json
from pathlib import Path

import numpy as np
import pytest

import dealsim
from dealsim.analysis.batch import batch_solve
from dealsim.cli import main
from dealsim.uncertainty.distributions import sample_parameters

DATA = Path(__file__).parents[1] / "data"
CONDITIONS = DATA / "parameter_conditions.toml"
DIVIDEND = DATA / "capped_dividend.toml"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("scenario", [CONDITIONS, DIVIDEND], ids=["one-issue", "two-issues"])
def test_montecarlo_of_conditions_on_drawn_parameters_exits_0(capsys, scenario):
    code, out, err = run(
        capsys, "montecarlo", scenario, "--samples", 200, "--seed", 3, "--workers", 1,
        "--format", "json", "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert document["samples"] == 200
    # P(agreement) is the share of the draws whose zone (drawn terms and constraint) is non-empty
    loaded = dealsim.load(scenario)
    batch = batch_solve(loaded, sample_parameters(loaded, 0, 200, seed=3))
    assert document["p_agreement"] == pytest.approx(float(np.mean(batch.zone_size > 0)))


def test_sensitivity_of_conditions_on_drawn_parameters_exits_0(capsys):
    code, out, err = run(
        capsys, "sensitivity", CONDITIONS, "--samples", 64, "--format", "json"
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)


def test_sweep_of_conditions_on_drawn_parameters_agrees_with_the_batch_solve(capsys):
    code, out, err = run(
        capsys, "sweep", DIVIDEND, "--param", "p=0:1:3", "--param", "c=0.3,0.9",
        "--workers", 1, "--format", "json", "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    records = json.loads(out)
    assert len(records) == 6
    # the sweep solves point by point; the batch solve evaluates the drawn conditions at once
    points = {name: np.array([r["parameters"][name] for r in records]) for name in ("p", "c")}
    batch = batch_solve(dealsim.load(DIVIDEND), points)
    assert [r["agreement_zone"]["size"] for r in records] == batch.zone_size.tolist()
    assert [r["solutions"]["nash"]["index"] for r in records] == batch.solutions["nash"].tolist()


@pytest.mark.parametrize("scenario", [CONDITIONS, DIVIDEND], ids=["one-issue", "two-issues"])
def test_report_with_montecarlo_of_conditions_on_drawn_parameters_exits_0(
    capsys, tmp_path, scenario
):
    output = tmp_path / "report.html"
    code, _, err = run(
        capsys, "report", scenario, "--montecarlo", 100, "--workers", 1, "-o", output
    )  # fmt: skip
    assert code == 0, err
    assert "Monte Carlo" in output.read_text(encoding="utf-8")


def test_plot_sweep_of_a_drawn_constraint_exits_0(capsys, tmp_path):
    output = tmp_path / "sweep.png"
    code, _, err = run(capsys, "plot", DIVIDEND, "sweep", "--param", "c=0:1:11", "-o", output)
    assert code == 0, err
    assert output.stat().st_size > 0


def test_a_swept_parameter_of_too_many_values_is_one_line_and_exit_2(capsys):
    code, _, err = run(capsys, "sweep", "donbas-2026", "--param", "belt_shift=0.2:0.6:10**11")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run(capsys, "sweep", "donbas-2026", "--param", "belt_shift=0.2:0.6:100000000000")
    assert code == 2 and err.count("\n") == 1 and "at most 100,000" in err


def test_montecarlo_with_a_draw_beyond_the_tolerance_limit_is_one_line_and_exit_2(capsys):
    # s is drawn from 1, 2**-13 and 1e-8; at 1e-8 up's utilities are within the tolerance
    scaled = DATA / "water_scaled_up.toml"
    code, out, err = run(
        capsys, "montecarlo", scaled, "--samples", 50, "--seed", 1, "--workers", 1, "--no-progress",
    )  # fmt: skip
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert f"{scaled}: party 'up' at the draw s=1e-08: its utilities (scale 1.1e-08)" in err
