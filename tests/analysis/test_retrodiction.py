"""Retrodiction: the deal actually agreed, distances to the solutions, the backtest."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dealsim
from dealsim.analysis.retrodiction import backtest, deal_distance
from dealsim.errors import ScenarioError
from dealsim.scenario.model import Issue

ISSUES = [
    Issue("x", "x", "range", (0.0, 5.0, 10.0)),
    Issue("g", "g", "levels", ("none", "weak", "strong"), ordered=True),
    Issue("p", "p", "levels", ("a", "b", "c")),
]


def test_distance_counts_ranges_ordered_and_unordered_levels_as_documented():
    # x: |0 - 5| / 10 = 0.5; g: rank 0 vs 1 of 3 levels = 0.5; p: different = 1
    assert deal_distance(ISSUES, (0, 0, 0), (1, 1, 1)) == pytest.approx((0.5 + 0.5 + 1) / 3)


codes = st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2))


@given(codes, codes)
def test_distance_is_a_symmetric_number_in_the_unit_interval(a, b):
    d = deal_distance(ISSUES, a, b)
    assert 0 <= d <= 1
    assert d == deal_distance(ISSUES, b, a)
    assert (d == 0) == (a == b)


def test_the_actual_deal_is_reported_with_its_provenance():
    document = dealsim.solve(dealsim.load("dayton-1995")).to_dict()["actual"]
    assert document["date"] == "1995-11-21"
    assert document["in_zone"] and document["on_frontier"]
    # The solutions give Brčko to the Serbs, the actual deal sent it to arbitration: one ordered
    # issue of three levels, one rank apart, of five issues: 0.5 / 5 = 0.1.
    assert document["distances"]["nash"] == pytest.approx(0.1)


def test_backtest_summarises_every_case():
    result = backtest([dealsim.load("dayton-1995"), dealsim.load("good-friday-1998")])
    assert [c["scenario"] for c in result.cases] == ["dayton-1995", "good-friday-1998"]
    assert result.in_zone_share == 1.0
    assert result.mean_distance["nash"] == pytest.approx((0.1 + 0.0) / 2)
    assert set(result.to_dict()) == {"cases", "mean_distance", "in_zone_share"}
    assert set(result.to_dict()["cases"][0]) == {"scenario", "in_zone", "on_frontier", "distances"}


def test_backtest_refuses_a_scenario_without_an_actual_deal():
    with pytest.raises(ScenarioError, match=r"has no \[actual\] section"):
        backtest([dealsim.load("logroll")])
