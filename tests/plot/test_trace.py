"""Negotiation traces and threshold plots."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import dealsim
from dealsim.errors import DealsimError
from dealsim.plot import threshold_plot, trace_timeline, trace_utility_space
from dealsim.plot.trace import outcome_runs, solution_sweep
from dealsim.solvers.negotiation import Boulware, Conceder, simulate_negotiation
from strategies import third_party_sets_the_scale


@pytest.fixture(scope="module")
def trace():
    x = np.linspace(0, 1, 101)
    u = np.column_stack([x, 1 - x])
    return u, simulate_negotiation(u, [0.0, 0.0], [Boulware(), Conceder()], rounds=20, seed=1)


def test_offers_are_drawn_by_proposer(trace):
    u, tr = trace
    ax = trace_utility_space(tr, ["a", "b"], utilities=u)
    for p in (0, 1):
        line = next(line for line in ax.lines if line.get_gid() == f"offers:{p}")
        assert_allclose(line.get_xydata(), tr.utilities[tr.proposers == p])
    star = next(line for line in ax.lines if line.get_gid() == "agreement")
    assert_allclose(star.get_xydata()[0], tr.final_utilities)


def test_timeline_has_one_line_per_party(trace):
    _, tr = trace
    ax = trace_timeline(tr, ["a", "b"])
    for p in (0, 1):
        line = next(line for line in ax.lines if line.get_gid() == f"utility:{p}")
        assert_allclose(line.get_ydata(), tr.utilities[:, p])
    with pytest.raises(DealsimError, match="name the trace's 2 parties"):
        trace_timeline(tr, ["a"])


def test_threshold_bands_follow_the_outcome_runs():
    ax = threshold_plot(
        [0.1, 0.3, 0.5, 0.7, 0.9], ["war", "war", "deal", "deal", "war"], parameter="g"
    )
    spans = [p for p in ax.patches if p.get_gid().startswith("run:")]
    extents = [(p.get_x(), p.get_x() + p.get_width()) for p in spans]
    assert_allclose(extents, [(0.1, 0.4), (0.4, 0.8), (0.8, 0.9)])
    assert [t.get_text() for t in ax.texts if t.get_gid() == "switch"] == ["g = 0.4", "g = 0.8"]
    assert outcome_runs("aab") == [(0, 2, "a"), (2, 3, "b")]


def test_threshold_lines_at_given_thresholds_and_payoffs():
    ax = threshold_plot(
        [0.0, 1.0], ["a", "b"], thresholds=[0.625], payoffs=[[1, 2], [3, 4]], parties=["x", "y"]
    )
    assert [t.get_text() for t in ax.texts if t.get_gid() == "switch"] == ["parameter = 0.625"]
    assert len([line for line in ax.lines if (line.get_gid() or "").startswith("payoff:")]) == 2


def test_solution_sweep_labels_only_the_changing_terms():
    scenario = dealsim.load("donbas-2026")
    xs, labels, _ = solution_sweep(scenario, "russia_win", n=5)
    assert_allclose(xs, np.linspace(*scenario.parameter_specs["russia_win"].range, 5))
    deals = [
        dealsim.solve(scenario, parameters={"russia_win": x}, analyses=False).solutions["nash"]
        for x in xs
    ]
    deals = [d.deal for d in deals if d is not None]
    steady = [k for k in deals[0] if len({str(d[k]) for d in deals}) == 1]
    changing = [k for k in deals[0] if k not in steady]
    for label in labels:
        assert not any(f"{k}=" in label for k in steady)
    assert changing and all(f"{changing[0]}=" in label for label in labels if label != "no deal")


def test_a_repeated_offer_gets_one_round_label():
    # Boulware (a) repeats its opening offer (1, 0) in rounds 0, 2, 4 and 6: one label "0, 2, 4,
    # 6" at that point instead of four numbers printed over each other
    x = np.linspace(0, 1, 101)
    u = np.column_stack([x, 1 - x])
    tr = simulate_negotiation(u, [0.0, 0.0], [Boulware(), Conceder()], rounds=20, seed=1)
    ax = trace_utility_space(tr, ["a", "b"], utilities=u)
    labels = {tuple(np.round(t.xy, 9)): t.get_text() for t in ax.texts if t.get_gid() == "round"}
    assert len(labels) == len([t for t in ax.texts if t.get_gid() == "round"]) == 11
    assert labels[(1.0, 0.0)] == "0, 2, 4, 6"
    assert labels[(0.22, 0.78)] == "1"


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
@pytest.mark.parametrize("solution", ["nash", "egalitarian", "utilitarian"])
def test_solution_sweep_judges_each_value_on_its_zone_s_scale(unit, solution):
    # strategies.third_party_sets_the_scale with a's reservation swept: c's 1000 on deals
    # outside the zone sets its scale. At 0.7 the zone is x = 0.3, 5e-7 short of b's war value;
    # at 0.4 c's 1e-7 ties. Each value's payoffs are dealsim.solve's (the sweep judged the zone
    # and the solutions on the scale of all values' utilities, the solutions on the frontier's).
    scenario = dealsim.scenario.loads(third_party_sets_the_scale(unit, 0.7, drawn=True))
    values = [0.4 * unit, 0.7 * unit, (0.7 - 1e-6) * unit, 0.6 * unit]
    xs, labels, payoffs = solution_sweep(scenario, "ra", values=values, solution=solution)
    assert "no deal" not in labels
    for x, row in zip(xs, payoffs, strict=True):
        found = dealsim.solve(scenario, parameters={"ra": float(x)}, analyses=False)
        assert row.tolist() == list(found.solutions[solution].utilities.values()), x
