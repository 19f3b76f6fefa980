"""dealsim.solve end to end: exact answers on textbook scenarios, chunking, empty zones, JSON."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import dealsim
from dealsim.pipeline import solve
from dealsim.scenario import loads
from dealsim.solvers.pareto import pareto_mask
from dealsim.space import DealSpace, UtilityModel
from dealsim.zone import compute_zone
from strategies import split_toml, third_party_sets_the_scale


def test_split_with_disagreement_point_gives_the_nash_split():
    # models.md §4: d = (0.45, 0.30); maximise (x - 0.45)(0.70 - x): x = 0.575.
    result = solve(dealsim.load("split-linear"))
    nash = result.solutions["nash"]
    assert nash.deal == {"share": pytest.approx(0.575)}
    assert_allclose(list(nash.utilities.values()), [0.575, 0.425])
    # The zone is the bargaining range [0.45, 0.70]: 51 grid points of step 0.005.
    zone = result.agreement_zone
    assert zone.size == 51
    assert zone.issue_ranges["share"] == pytest.approx([0.45, 0.70])
    # a alone rejects the 90 shares below 0.45; b alone the 60 above 0.70.
    assert zone.blocking == {"a": 90, "b": 60}


def test_kalai_smorodinsky_on_the_split_equalises_normalised_gains():
    # Ideal point (0.70, 0.55); gains (x - 0.45)/0.25 = (0.55 - (1 - x) + 0.30 - 0.30)/0.25
    # => x = 0.575, the same as Nash on a linear frontier.
    ks = solve(dealsim.load("split-linear")).solutions["kalai_smorodinsky"]
    assert ks.deal["share"] == pytest.approx(0.575)


def test_logroll_trades_the_low_weight_issue():
    # U_a = 0.8x + 0.2y, U_b = 0.2(1-x) + 0.8(1-y). On the edge x = 1 the Nash product
    # (0.8 + 0.2y)(0.8 - 0.8y) falls in y; on the edge y = 0, 0.8x(1 - 0.2x) rises in x:
    # the Nash point is (x, y) = (1, 0) with utilities (0.8, 0.8). It is symmetric, so KS and
    # egalitarian agree, and the utilitarian sum 1 + 0.6x - 0.6y is also largest there.
    result = solve(dealsim.load("logroll"))
    for name in ("nash", "weighted_nash", "kalai_smorodinsky", "egalitarian", "utilitarian"):
        solution = result.solutions[name]
        assert solution.deal == {"x": 1.0, "y": 0.0}, name
        assert_allclose(list(solution.utilities.values()), [0.8, 0.8])


EMPTY = split_toml(name="no zone", a="reservation = 0.6\n", b="reservation = 0.6\n", steps=11)


def test_an_empty_zone_is_a_normal_answer():
    result = solve(loads(EMPTY))
    assert result.agreement_zone.empty
    assert result.agreement_zone.size == 0
    assert all(s is None for s in result.solutions.values())
    document = result.to_dict()
    assert document["solutions"]["nash"] is None
    assert document["agreement_zone"]["empty"] is True
    # a rejects shares 0..0.5 (six grid points), b rejects 0.5..1 (six): both reject 0.5, so
    # each alone blocks five deals.
    assert document["agreement_zone"]["blocking"] == {"a": 5, "b": 5}


@settings(max_examples=15)
@given(st.integers(1, 500))
def test_chunked_walk_equals_one_pass(chunk):
    scenario = dealsim.load("donbas-2026")
    whole = compute_zone(scenario)
    parts = compute_zone(scenario, chunk=chunk)
    assert parts.zone_size == whole.zone_size
    assert np.array_equal(parts.zone_frontier, whole.zone_frontier)
    assert np.array_equal(parts.feasible_frontier, whole.feasible_frontier)
    assert np.array_equal(parts.sole, whole.sole)


def test_zone_and_frontier_match_a_direct_computation():
    scenario = dealsim.load("donbas-2026")
    space = DealSpace(scenario)
    model = UtilityModel.from_scenario(scenario)
    u = model.utilities(space, space.codes())
    feasible = model.feasible(space, space.codes()).all(axis=0)
    zc = compute_zone(scenario)
    zone = feasible & (u >= scenario.reservations() - 1e-9 * zc.scale).all(axis=1)
    assert zc.zone_size == int(zone.sum())
    rows = np.flatnonzero(zone)
    # the whole zone at once, with the zone's relative tolerance and scale
    assert np.array_equal(zc.zone_frontier, rows[pareto_mask(u[rows], tol=1e-9, scale=zc.scale)])


def test_solutions_lie_in_the_zone_and_on_its_frontier():
    result = solve(dealsim.load("donbas-2026"))
    frontier = set(result.pareto_frontier.indices)
    for name, solution in result.solutions.items():
        assert solution.index in frontier, name
        for party, value in solution.utilities.items():
            assert value >= result.reservations[party] - 1e-9


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_solutions_judge_rationality_on_the_zone_s_scale(unit):
    # a's reservation 0.7: the zone (tolerance 1e-6, c's 1000 sets its scale) is x = 0.3, 5e-7
    # short of b's war value, with z = 0 or 1. On the zone frontier's own scale (1: tolerance
    # 1e-9) the solvers refused it and the solve failed ("no deal gives every party at least its
    # disagreement value"); every solution now takes the first of the two, z = 0.
    result = solve(loads(third_party_sets_the_scale(unit, a_reservation=0.7)))
    assert result.agreement_zone.size == 2
    for name, solution in result.solutions.items():
        assert solution.deal == {"x": pytest.approx(0.3, rel=1e-12), "y": 0.0, "z": 0.0}, name


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_solutions_judge_ties_on_the_zone_s_scale(unit):
    # Zone x = 0.3 .. 0.6 (y = 0), z = 0 or 1: c's 1e-7 in z = 1 is a tie on the zone's scale
    # (1000), so c cannot gain and every solution takes the first tied deal, z = 0. Nash and KS
    # x = 0.5; egalitarian x = 0.5 too (smallest gains 0.1 - 5e-7 and 0.1 tie; then the larger
    # sum of normalised gains); utilitarian x = 0.6 (every sum of a and b is 1: the largest sum of
    # normalised gains). On the frontier's own scale (1) c could gain: every solution took z = 1,
    # and egalitarian and utilitarian x = 0.4.
    result = solve(loads(third_party_sets_the_scale(unit)))
    assert result.agreement_zone.size == 8
    shares = {"nash": 0.5, "weighted_nash": 0.5, "kalai_smorodinsky": 0.5, "egalitarian": 0.5}
    for name, solution in result.solutions.items():
        x = shares.get(name, 0.6)
        assert solution.deal == {"x": pytest.approx(x, rel=1e-12), "y": 0.0, "z": 0.0}, name


def test_parameters_change_the_answer():
    scenario = dealsim.load("donbas-2026")
    low = solve(scenario, parameters={"audience_cost_max": 0.05})
    high = solve(scenario, parameters={"audience_cost_max": 0.25})
    assert low.parameters["audience_cost_max"] == 0.05
    assert high.agreement_zone.size > low.agreement_zone.size


def test_json_document_follows_the_contract():
    document = json.loads(json.dumps(solve(dealsim.load("donbas-2026")).to_dict()))
    assert document["dealsim_version"] == dealsim.__version__
    assert len(document["scenario"]["sha256"]) == 64
    assert document["parties"] == ["us", "ukraine", "russia"]
    assert document["deal_space"]["size"] == 7200
    assert set(document["agreement_zone"]) >= {"size", "share", "empty", "issue_ranges", "blocking"}
    assert set(document["pareto_frontier"]) >= {"size", "deals"}
    assert len(document["pareto_frontier"]["deals"]) == document["pareto_frontier"]["size"]
    assert set(document["solutions"]) == {
        "nash",
        "weighted_nash",
        "kalai_smorodinsky",
        "egalitarian",
        "utilitarian",
    }
    nash = document["solutions"]["nash"]
    assert set(nash["deal"]) == set(document["deal_space"]["issues"])
    assert set(nash["utilities"]) == {"us", "ukraine", "russia"}
