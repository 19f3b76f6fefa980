"""Package records: utilities, acceptance, the zone, dominance, ratification, commitment."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import dealsim
from dealsim.analysis._deals import EXAMPLE_TOML
from dealsim.analysis.proposals import deal_records, dominators, evaluate
from dealsim.errors import ScenarioError
from dealsim.scenario import loads
from dealsim.zone import compute_zone


def test_a_zone_deal_dominated_names_a_frontier_deal_that_beats_it():
    record = evaluate(dealsim.load("logroll"), {"x": 0.5, "y": 0.5})
    assert record.in_zone and not record.on_frontier
    assert record.dominated_by["deal"] == {"x": 1.0, "y": 0.0}
    assert_allclose(list(record.dominated_by["utilities"].values()), [0.8, 0.8])


def test_every_bargaining_solution_is_in_the_zone_and_undominated():
    s = dealsim.load("dayton-1995")
    solved = dealsim.solve(s)
    for name, sol in solved.solutions.items():
        record = evaluate(s, sol.deal)
        assert record.in_zone, name
        assert record.dominated_by is None and record.on_frontier, name
        assert record.utilities == pytest.approx(sol.utilities)


def test_proposals_in_the_solve_json_have_the_documented_fields():
    document = dealsim.solve(dealsim.load("camp-david-1978")).to_dict()
    record = document["proposals"]["begin_autonomy"]
    for key in ("label", "deal", "utilities", "accepted_by", "in_zone", "feasible", "dominated_by"):
        assert key in record
    # By hand (scenarios/camp-david-1978.toml): Israel 0.30*0 + 0.10*1 + 0.20*0.7 + 0.40*1 = 0.64
    assert record["utilities"]["israel"] == pytest.approx(0.64)
    assert record["in_zone"] is True


def test_ratification_and_commitment_are_reported_per_package():
    s = loads(EXAMPLE_TOML)
    zc = compute_zone(s)
    # share 0.4: b's win-set is share <= 0.5; the shift 0.5 is capped at 0.1 by the monitors
    # only from share 0.45, so b (p1 = 0.4, delta = 0.9, c = 0.1) faces p2 = 0.9. Powell's
    # infinite-horizon condition delta (p2 - p1) > (1 - delta)(p1 + c): 0.45 > 0.05, war. At
    # share 0.5 the capped shift 0.1 still gives 0.09 > 0.05: war too (the two-period truncation,
    # 0.09 > 0.4 + 0.1 * 0.1, would say peace).
    codes = np.array([[s.issue("share").values.index(0.4)], [s.issue("share").values.index(0.5)]])
    low, mid = deal_records(s, zc, codes)
    assert low.ratification["b"] == {"approval": 1.0, "probability": 1.0, "ratified": True}
    assert low.commitment["fights_now"] is True
    assert low.commitment["model"] == "infinite_horizon"
    assert low.commitment["p2"] == pytest.approx(0.9)
    assert mid.commitment["fights_now"] is True
    assert mid.commitment["p2"] == pytest.approx(0.5)
    two_period = loads(EXAMPLE_TOML.replace("[war]\n", '[war]\ncommitment = "two_period"\n'))
    _, mid2 = deal_records(two_period, compute_zone(two_period), codes)
    assert mid2.commitment["model"] == "two_period"
    assert mid2.commitment["fights_now"] is False


def test_a_missing_or_unknown_issue_is_a_clear_error():
    s = dealsim.load("logroll")
    with pytest.raises(ScenarioError, match=r"--deal: missing issue 'y'"):
        evaluate(s, {"x": "1"})
    with pytest.raises(ScenarioError, match=r"--deal.z: unknown issue 'z' \(issues: x, y\)"):
        evaluate(s, {"x": "1", "y": "0", "z": "1"})


@example(  # (0, 5e-324) dominated (0, 0) at scale 1 and not at 1e-12, where it underflows to 0
    rows=[(0.0, 0.0)], candidates=[(0.0, 5e-324)], scale=1e-12
)
@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=6),
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=6),
    st.sampled_from([1e-12, 1.0, 1e6]),
)
def test_dominance_does_not_depend_on_the_payoff_scale(rows, candidates, scale):
    u, c = np.array(rows), np.array(candidates)
    found, best = dominators(u, c)
    # the tolerance is 1e-9 of the largest utility, at least of 1e-300 (docs/limits.md: the
    # floats can all be tiny, and utilities below 1e-300 are compared within 1e-309)
    largest = max(np.abs(u).max(), np.abs(c).max())
    tol = 1e-9 * max(largest, 1e-300)
    for r in np.flatnonzero(found):  # the chosen candidate really dominates
        gains = c[best[r]] - u[r]
        assert np.all(gains >= -tol) and np.any(gains > tol)
    for r in np.flatnonzero(~found):  # and nothing dominates the others
        gains = c - u[r]
        assert not np.any(np.all(gains >= -tol, axis=1) & np.any(gains > tol, axis=1))
    if largest * min(scale, 1.0) >= 1e-300:  # above the smallest scale, before and after
        found_scaled, best_scaled = dominators(u * scale, c * scale)
        assert (found == found_scaled).all() and (best == best_scaled).all()


def gap_scenario(unit: float):
    """Two parties, three yes/no issues, every weight and reservation in the given unit.

    a's utility is ``x + 1e-7 y - 1000 (1 - z)`` and its reservation 5e-7; b's is ``1 - x``. The
    zone's scale is a's bound 1000.0000001 (times the unit), so its tolerance 1e-9 of it is about
    1e-6: the four deals with z = 1 are in the zone (a's 0 and 1e-7 are within it of 5e-7) and
    all four are on its frontier (y's gain of 1e-7 to a is within it too).
    """
    return loads(
        f"""
[scenario]
name = "gaps below the zone's tolerance"
[parties.a]
reservation = {5e-7 * unit!r}
[parties.b]
[issues.x]
range = [0.0, 1.0]
steps = 2
[issues.y]
range = [0.0, 1.0]
steps = 2
[issues.z]
range = [0.0, 1.0]
steps = 2
[payoffs.a]
weights = {{ x = {unit!r}, y = {1e-7 * unit!r}, z = {1000 * unit!r} }}
x = {{ points = [[0.0, 0.0], [1.0, 1.0]] }}
y = {{ points = [[0.0, 0.0], [1.0, 1.0]] }}
z = {{ points = [[0.0, -1.0], [1.0, 0.0]] }}
[payoffs.b]
weights = {{ x = {unit!r} }}
x = {{ points = [[0.0, 1.0], [1.0, 0.0]] }}
"""
    )


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_a_package_is_judged_on_the_zone_s_scale_alone_or_with_others(unit):
    # Evaluated alone, (x, y, z) = (0, 0, 1) used to be judged on its own scale (1e-9 of 1, not
    # of 1000): rejected by a and dominated by (0, 1, 1), although the zone holds both and has
    # both on its frontier; (1, 0, 1) was dominated by (1, 1, 1). With all eight deals at once
    # a's -1000 entered the scale and the same packages were judged as the zone judges them.
    s = gap_scenario(unit)
    zc = compute_zone(s)
    z_is_1 = [1, 3, 5, 7]  # flat indices of the deals with z = 1
    assert zc.zone_size == 4 and zc.zone_frontier.tolist() == z_is_1
    assert zc.feasible_frontier.tolist() == z_is_1
    codes = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)])
    together = deal_records(s, zc, codes)
    alone = [deal_records(s, zc, row[None])[0] for row in codes]
    for record in alone:
        assert record.in_zone == (record.index in z_is_1), record.deal
        assert record.accepted_by == (["a", "b"] if record.in_zone else ["b"]), record.deal
        assert (record.dominated_by is None) == record.in_zone, record.deal
        assert record.on_frontier == record.in_zone, record.deal
    assert [r.to_dict() for r in alone] == [r.to_dict() for r in together]
    record = evaluate(s, {"x": 0.0, "y": 0.0, "z": 1.0})  # dealsim evaluate: one package
    assert record.in_zone and record.on_frontier and record.dominated_by is None
