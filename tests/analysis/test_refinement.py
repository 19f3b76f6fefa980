"""Tests of dealsim.analysis.refinement: solutions off the grid, checked against closed forms."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import dealsim
from dealsim.scenario import loads
from dealsim.solvers.refinement import solution_criteria
from strategies import third_party_sets_the_scale

DATA = Path(__file__).parents[1] / "data"


def _split(tmp_path, *, d=(0.2, 0.1), steps=5, powers=(1.0, 1.0), a_points=None, extra=""):
    """A one-issue split scenario written to a file: A gets x, B gets 1 - x."""
    a_points = a_points or [[0.0, 0.0], [1.0, 1.0]]
    points = ", ".join(f"[{float(x)!r}, {float(v)!r}]" for x, v in a_points)
    text = f"""
[scenario]
name = "split"
description = "test split"

[parties.a]
label = "A"
reservation = {d[0]!r}
power = {powers[0]!r}

[parties.b]
label = "B"
reservation = {d[1]!r}
power = {powers[1]!r}

[issues.x]
label = "A's share"
range = [0.0, 1.0]
steps = {steps}

[payoffs.a]
weights = {{ x = 1.0 }}
x = {{ points = [{points}] }}

[payoffs.b]
weights = {{ x = 1.0 }}
x = {{ points = [[0.0, 1.0], [1.0, 0.0]] }}
{extra}
"""
    path = tmp_path / "split.toml"
    path.write_text(text)
    return dealsim.load(str(path))


def test_linear_split_nash_is_055_off_a_five_step_grid(tmp_path):
    result = dealsim.solve(_split(tmp_path))
    nash = result.solutions["nash"]
    assert nash.deal == {"x": 0.5}
    assert nash.continuous.status == "refined"
    assert_allclose(nash.continuous.deal["x"], 0.55, atol=1e-9)
    assert_allclose(list(nash.continuous.utilities.values()), [0.55, 0.45], atol=1e-9)
    # Nash product 0.35 * 0.35 against 0.3 * 0.4 on the grid
    assert_allclose(nash.continuous.improvement, 0.1225 - 0.12, atol=1e-12)


def test_linear_split_weighted_nash_with_powers_two_to_one(tmp_path):
    result = dealsim.solve(_split(tmp_path, powers=(2.0, 1.0)))
    weighted = result.solutions["weighted_nash"].continuous
    assert_allclose(weighted.deal["x"], 0.2 + (2 / 3) * 0.7, atol=1e-9)
    assert weighted.improvement > 0


def test_square_root_split_gives_nash_one_third(tmp_path):
    xs = np.linspace(0.0, 1.0, 1001)
    scenario = _split(tmp_path, d=(0.0, 0.0), a_points=[[x, float(np.sqrt(x))] for x in xs])
    nash = dealsim.solve(scenario).solutions["nash"]
    assert nash.deal == {"x": 0.25}
    # the table is sqrt's chords with step h = 1e-3: slopes err by O(h), so does the optimum
    assert_allclose(nash.continuous.deal["x"], 1 / 3, atol=2e-4)


def test_two_issue_kalai_smorodinsky_and_egalitarian_by_hand(tmp_path):
    # U_a = 0.5 x + 0.5 y, U_b = 1.5 (1 - x) + 0.5 (1 - y), d = (0, 0.3), grids {0, 0.5, 1}.
    # The frontier raises y first (it costs B least), then x along y = 1. Equal gains:
    # 0.5 + 0.5 x = 1.2 - 1.5 x, x = 0.35. Ideal (0.9, 2):
    # (0.5 + 0.5 x) / 0.9 = (1.2 - 1.5 x) / 1.7,
    # x = 23 / 220.
    text = """
[scenario]
name = "two issues"
description = "worked by hand"

[parties.a]
label = "A"
reservation = 0.0

[parties.b]
label = "B"
reservation = 0.3

[issues.x]
label = "x"
range = [0.0, 1.0]
steps = 3

[issues.y]
label = "y"
range = [0.0, 1.0]
steps = 3

[payoffs.a]
weights = { x = 0.5, y = 0.5 }
x = { points = [[0.0, 0.0], [1.0, 1.0]] }
y = { points = [[0.0, 0.0], [1.0, 1.0]] }

[payoffs.b]
weights = { x = 1.5, y = 0.5 }
x = { points = [[0.0, 1.0], [1.0, 0.0]] }
y = { points = [[0.0, 1.0], [1.0, 0.0]] }
"""
    path = tmp_path / "two.toml"
    path.write_text(text)
    result = dealsim.solve(dealsim.load(str(path)))
    egal = result.solutions["egalitarian"].continuous
    assert_allclose([egal.deal["x"], egal.deal["y"]], [0.35, 1.0], atol=1e-9)
    assert_allclose(list(egal.utilities.values()), [0.675, 0.975], atol=1e-9)
    ks = result.solutions["kalai_smorodinsky"]
    assert ks.deal == {"x": 0.0, "y": 1.0}
    assert_allclose([ks.continuous.deal["x"], ks.continuous.deal["y"]], [23 / 220, 1.0], atol=1e-9)


def test_the_text_names_a_level_that_the_refined_deal_changes():
    # Three states share a flow: up gets x (+0.1 without a commission), mid y, down
    # 1 - (x + y)/2 (+0.1 with one); d = (0.2, 0.15, 0.25), x + y <= 1, grids of 0.1. The
    # Kalai-Smorodinsky grid deal is (0.5, 0.5, joint); off the grid the ideal gains are
    # (0.75, 0.75, 0.675) and without a commission equal shares t of them give
    # 0.625 - 0.75 t = 0.675 t, t = 25/57: x = 163/380, y = 91/190, commission none, which
    # beats the best with one (t = 0.325/0.75 on x + y = 1). The text must say the level moved.
    from dealsim.report import render_report

    result = dealsim.solve(dealsim.load(str(DATA / "water_commission.toml")))
    ks = result.solutions["kalai_smorodinsky"]
    assert ks.deal == {"x": 0.5, "y": 0.5, "commission": "joint"}
    assert ks.continuous.deal["commission"] == "none"
    assert_allclose([ks.continuous.deal["x"], ks.continuous.deal["y"]], [163 / 380, 91 / 190])
    line = next(x for x in render_report(result).splitlines() if "Kalai-Smorodinsky: x" in x)
    assert "x 0.4289 (grid 0.5); y 0.4789 (grid 0.5); commission none (grid joint);" in line


def test_a_constraint_binding_at_the_continuous_optimum_is_respected(tmp_path):
    extra = '\n[[constraints]]\nlabel = "cap"\nrequire = "x <= 0.52"\n'
    nash = dealsim.solve(_split(tmp_path, extra=extra)).solutions["nash"].continuous
    assert nash.status == "refined"
    assert nash.deal["x"] <= 0.52
    assert_allclose(nash.deal["x"], 0.52, atol=1e-9)


@pytest.mark.parametrize("unit", ["1e-13", "1e-6", "1", "1e6"])
def test_a_non_linear_condition_is_found_non_linear_in_any_units(tmp_path, unit):
    # x^2 >= 0.2 times a unit: at 1e-13 an absolute 1e-12 took the parabola for affine
    extra = f'\n[[constraints]]\nlabel = "floor"\nrequire = "x * x * {unit} >= 0.2 * {unit}"\n'
    nash = dealsim.solve(_split(tmp_path, d=(0.0, 0.5), extra=extra)).solutions["nash"].continuous
    assert "1 non-linear conditions checked only at the answer" in nash.note
    assert nash.deal["x"] ** 2 >= 0.2


def test_refine_false_and_grid_optimal_solutions(tmp_path):
    scenario = _split(tmp_path)
    assert dealsim.solve(scenario, refine=False).solutions["nash"].continuous is None
    # split-linear's grid holds the exact Nash share 0.575: the grid deal stands
    nash = dealsim.solve(dealsim.load("split-linear")).solutions["nash"].continuous
    assert nash.status == "grid"
    assert nash.improvement == 0.0
    document = dealsim.solve(scenario).to_dict()
    assert set(document["solutions"]["nash"]["continuous"]) >= {"deal", "utilities", "improvement"}


def test_donbas_refinement_keeps_constraints_reservations_and_is_never_worse():
    result = dealsim.solve(dealsim.load("donbas-2026"))
    reservations = np.array(list(result.reservations.values()))
    for solution in result.solutions.values():
        c = solution.continuous
        assert c.status in {"refined", "grid"}
        assert c.improvement >= 0
        u = np.array(list(c.utilities.values()))
        assert (u >= reservations - 1e-9).all()
        assert c.deal["zone_status"] == "russian_control" or c.deal["donbas_ceded"] > 0


@settings(max_examples=15, deadline=None)
@given(
    d=st.tuples(st.floats(0.0, 0.4), st.floats(0.0, 0.4)),
    steps=st.integers(2, 9),
    knee=st.tuples(st.floats(0.1, 0.9), st.floats(0.0, 1.0)),
    method=st.sampled_from(["nash", "kalai_smorodinsky", "egalitarian", "utilitarian"]),
)
def test_refinement_is_never_worse_than_the_grid(tmp_path_factory, d, steps, knee, method):
    points = [[0.0, 0.0], [knee[0], knee[1]], [1.0, 1.0]]
    scenario = _split(tmp_path_factory.mktemp("s"), d=d, steps=steps, a_points=points)
    result = dealsim.solve(scenario)
    solution = result.solutions[method]
    if solution is None:
        return
    c = solution.continuous
    assert c.criterion >= c.grid_criterion
    grid_u = np.array([list(solution.utilities.values())])
    cont_u = np.array([list(c.utilities.values())])
    assert (cont_u >= np.array(d) - 1e-9).all()
    ideal = np.maximum(cont_u[0], grid_u[0])  # any common ideal: only the comparison matters
    if method in ("utilitarian",):
        grid_value = solution_criteria(grid_u, d, method, ideal=ideal)[0]
        assert solution_criteria(cont_u, d, method, ideal=ideal)[0] >= grid_value - 1e-12


@pytest.mark.parametrize("factor", [1e-14, 1e-15])
def test_the_refined_deals_do_not_depend_on_the_utility_scale(factor):
    # The water scenario with every weight and reservation multiplied by factor: the same refined
    # deals as at scale 1 (a fixed 1e-14 zero-row test once dropped the parties' constraints
    # there: Kalai-Smorodinsky moved to another deal, egalitarian kept the grid deal).
    text = (DATA / "water_commission.toml").read_text()

    def times(match: re.Match[str]) -> str:
        return f"{match.group(1)}{float(match.group(2)) * factor!r}"

    scaled = re.sub(r"(reservation = )([0-9.]+)", times, text)
    scaled = re.sub(r"((?:x|y|commission) = )([0-9.]+)(?=[,} ])", times, scaled)
    assert scaled.count("e-1") == 3 + 6  # the reservations and the weights, nothing else
    base = dealsim.solve(loads(text)).solutions
    small = dealsim.solve(loads(scaled)).solutions
    for name in ("nash", "kalai_smorodinsky", "egalitarian"):
        b, s = base[name].continuous, small[name].continuous
        assert s.status == b.status == "refined"
        assert s.deal["commission"] == b.deal["commission"]
        assert_allclose([s.deal["x"], s.deal["y"]], [b.deal["x"], b.deal["y"]], atol=1e-9)


def _scale_one_party(text: str, party: str, factor: float) -> str:
    """The scenario with ``party``'s reservation and payoff weights multiplied by ``factor``."""
    out, section = [], None
    for line in text.splitlines(keepends=True):
        if line.startswith("["):
            section = line.strip()
        if section in (f"[parties.{party}]", f"[payoffs.{party}]") and (
            line.startswith(("reservation", "weights"))
        ):
            line = re.sub(r"= ([0-9.]+)", lambda m: f"= {float(m.group(1)) * factor!r}", line)
        out.append(line)
    return "".join(out)


@pytest.mark.parametrize("factor", [1e-14, 1e-15, 1e15])
@pytest.mark.parametrize("party", ["up", "mid", "down"])
def test_one_partys_utility_scale_does_not_move_the_refined_nash_or_kalai_smorodinsky(
    party, factor
):
    # The water scenario with one party's weights and reservation multiplied by factor (its
    # payoffs in dollars, the others' in billions): Nash and Kalai-Smorodinsky are invariant to
    # rescaling one party (egalitarian is not, models.md). With one zero-row threshold for all
    # parties Kalai-Smorodinsky moved (up at 1e-14: x 0.4348 for 0.4289) or kept the grid deal,
    # and at 1e15 both kept the grid deal. tol = 0: the solve's tolerance is relative to the
    # largest utility, so at tol 1e-9 a party this small is within it of its reservation.
    text = (DATA / "water_commission.toml").read_text()
    scaled = _scale_one_party(text, party, factor)
    changed = [b for a, b in zip(text.splitlines(), scaled.splitlines(), strict=True) if a != b]
    assert [line.split()[0] for line in changed] == ["reservation", "weights"]
    base = dealsim.solve(loads(text), tol=0.0).solutions
    other = dealsim.solve(loads(scaled), tol=0.0).solutions
    for name in ("nash", "kalai_smorodinsky"):
        b, s = base[name].continuous, other[name].continuous
        assert s.status == b.status == "refined", name
        assert s.deal["commission"] == b.deal["commission"]
        assert_allclose([s.deal["x"], s.deal["y"]], [b.deal["x"], b.deal["y"]], atol=1e-9)


def test_a_range_issue_nobody_reads_keeps_its_grid_value_off_the_grid(tmp_path):
    # The split of _split with a flag no party weights and no constraint names: every refined
    # deal moves x to 0.55 and leaves the flag where the grid deal has it (the search used to
    # report whatever vertex it ended on: "flag 0.5 (grid 0)", "flag 1 (grid 0)").
    scenario = _split(tmp_path, extra="\n[issues.flag]\nrange = [0.0, 1.0]\nsteps = 3\n")
    result = dealsim.solve(scenario)
    for name in ("nash", "weighted_nash", "kalai_smorodinsky", "egalitarian"):
        solution = result.solutions[name]
        assert solution.continuous.status == "refined"
        assert_allclose(solution.continuous.deal["x"], 0.55, atol=1e-9)
        assert solution.continuous.deal["flag"] == solution.deal["flag"]


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_the_refinement_judges_the_grid_deal_on_the_zone_s_scale(unit):
    # strategies.third_party_sets_the_scale with a's reservation 0.7: the zone (its scale 1000,
    # c's) is x = 0.3, 5e-7 short of b's war value, and every grid solution takes it. On the zone
    # frontier's own scale (1) the refinement judged that deal irrational (grid_criterion null);
    # on the zone's it is rational: only e (gain 0.5) can gain, so Nash and egalitarian are 0.5,
    # KS 1, utilitarian the sum 2 (in the unit), and no deal off the grid does better.
    result = dealsim.solve(loads(third_party_sets_the_scale(unit, a_reservation=0.7)))
    expected = {"kalai_smorodinsky": 1.0, "utilitarian": 2.0 * unit}
    for name, solution in result.solutions.items():
        c = solution.to_dict()["continuous"]
        assert c["status"] == "grid", name
        assert c["deal"] == solution.deal, name
        value = expected.get(name, 0.5 * unit)
        assert c["grid_criterion"] == c["criterion"] == pytest.approx(value, rel=1e-12), name
