"""Stage reuse between the solves of one run: equal inputs reuse, different inputs never do."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dealsim
from dealsim.analysis.reuse import (
    PROBLEM_READS,
    StageReuse,
    bind_zone,
    expression_names,
)
from dealsim.errors import DealsimError
from dealsim.scenario import loads
from dealsim.zone import compute_zone

DONBAS = dealsim.load("donbas-2026")
BUNDLED = ["camp-david-1978", "colombia-farc-2016", "dayton-1995", "donbas-2026",
           "good-friday-1998", "korean-armistice-1953", "logroll", "split-linear"]  # fmt: skip

# A split whose parameters each enter one part: `wa` the payoffs, `shift` the war's commitment
# problem, `bar` the ratification rule, `cut` a constraint; Fearon's private cost reads none.
SPLIT = """
[scenario]
name = "split with parameters in every part"
[parameters.wa]
value = 1.0
range = [0.5, 2.0]
[parameters.shift]
value = 0.5
range = [0.0, 1.0]
[parameters.bar]
value = 0.5
range = [0.3, 0.9]
[parameters.cut]
value = 0.9
range = [0.6, 1.0]
[parties.a]
reservation = "war"
discount = 0.9
[parties.b]
reservation = "war"
discount = 0.8
[issues.share]
range = [0, 1]
steps = 41
[payoffs.a]
weights = { share = "wa" }
share = { points = [[0, 0], [1, 1]] }
[payoffs.b]
weights = { share = 1 }
share = { points = [[0, 1], [1, 0]] }
[[constraints]]
label = "a share of at most cut"
require = "share <= cut"
[war]
p = { a = 0.6, b = 0.4 }
costs = { a = 0.15, b = 0.10 }
[war.shift]
party = "b"
amount = "shift * (share <= 0.5)"
[war.private]
party = "b"
cost = { kind = "triangular", bounds = [0.05, 0.15], mode = 0.10 }
[ratification.b]
require = "share <= bar"
"""


def _records(scenario, points, reuse=None, **options):
    return [dealsim.solve(scenario, parameters=p, reuse=reuse, **options).to_dict() for p in points]


def test_solves_of_a_grid_row_share_the_bargaining_problem_and_give_the_independent_records():
    points = [
        {"audience_cost_max": a, "belt_shift": b} for a in (0.06, 0.2) for b in (0.2, 0.4, 0.6)
    ]
    reuse = StageReuse(DONBAS)
    assert _records(DONBAS, points, reuse) == _records(DONBAS, points)
    # belt_shift enters only [war.shift]: each audience_cost_max is one bargaining problem
    assert (reuse.computed["bargaining"], reuse.reused["bargaining"]) == (2, 4)
    assert (reuse.computed["games"], reuse.reused["games"]) == (2, 4)
    assert reuse.computed["war"] == reuse.computed["proposals"] == 6  # both read [war.shift]
    assert reuse.computed["war.private_information"] == 2  # the war's part that does not


def test_a_parameter_of_the_payoffs_is_never_reused_across_its_values():
    points = [{"fortress_risk": f, "belt_shift": b} for f in (0.0, 0.25) for b in (0.2, 0.6)]
    reuse = StageReuse(DONBAS)
    records = _records(DONBAS, points, reuse)
    assert records == _records(DONBAS, points)
    assert (reuse.computed["bargaining"], reuse.reused["bargaining"]) == (2, 2)
    # the two fortress_risk values are two problems: Ukraine's utilities of one deal differ
    frontier = [r["pareto_frontier"]["feasible"]["utilities"] for r in records]
    assert frontier[0] == frontier[1] and frontier[0] != frontier[2]


def test_every_parameter_of_the_payoffs_and_constraints_changes_the_problem_key():
    reuse = StageReuse(DONBAS)
    named = expression_names([getattr(DONBAS, f) for f in PROBLEM_READS]) & set(DONBAS.parameters)
    assert "fortress_risk" in named and "belt_shift" not in named
    base = reuse.problem_key(DONBAS)
    for name in named:
        moved = DONBAS.with_parameters(**{name: DONBAS.parameters[name] + 1e-12})
        assert reuse.problem_key(moved) != base, name
    assert reuse.problem_key(DONBAS.with_parameters(belt_shift=0.2)) == base


def test_a_reservation_that_changes_changes_the_problem_key():
    # russia_win enters no payoff, only the war lottery behind two reservations
    reuse = StageReuse(DONBAS)
    assert reuse.problem_key(DONBAS) != reuse.problem_key(DONBAS.with_parameters(russia_win=0.5))


@pytest.mark.parametrize("name", BUNDLED)
def test_every_parameter_swept_alone_gives_the_independent_records(name):
    scenario = dealsim.load(name)
    for parameter, value in scenario.parameters.items():
        spec = scenario.parameter_specs.get(parameter)
        lo, hi = spec.range if spec is not None and spec.range else (value, value + 0.1)
        points = [{parameter: lo}, {parameter: hi}]  # a stage not reading it is reused at hi
        reused = _records(scenario, points, StageReuse(scenario), refine=False)
        assert reused == _records(scenario, points, refine=False), parameter


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "wa": st.sampled_from([0.5, 1.0, 2.0]),
                "shift": st.sampled_from([0.0, 0.3, 1.0]),
                "bar": st.sampled_from([0.3, 0.5, 0.9]),
                "cut": st.sampled_from([0.6, 1.0]),
            }
        ),
        min_size=2,
        max_size=6,
    )
)
def test_any_sequence_of_points_gives_the_independent_records(points):
    scenario = loads(SPLIT)
    reuse = StageReuse(scenario)
    assert _records(scenario, points, reuse) == _records(scenario, points)
    problems = {(p["wa"], p["cut"]) for p in points}
    assert reuse.computed["bargaining"] == len(problems)
    assert reuse.computed["war"] == len({(p["wa"], p["cut"], p["shift"]) for p in points})
    assert reuse.computed["war.private_information"] == len(problems)


SEARCHED = """
[outcomes.split]
solution = "nash"
[outcomes.fight]
payoffs = { a = 0.1, b = 0.1 }
[games.g]
kind = "sequential"
players = ["a"]
root = "n"
thresholds = ["wa"]
[games.g.nodes.n]
player = "a"
actions = { settle = "split", fight = "fight" }
"""


def test_games_searching_over_a_solution_deal_are_keyed_on_every_parameter():
    plain, searched = loads(SPLIT), loads(SPLIT + SEARCHED)
    for scenario, moves in [(plain, False), (searched, True)]:
        reuse = StageReuse(scenario)
        problem = reuse.problem_key(scenario)
        # shift enters only [war.shift]: the search's bargaining problems at other wa need not
        # differ at this point's wa, so only a key on every parameter is safe
        moved = scenario.with_parameters(shift=0.1)
        changed = reuse.analysis_key("games", moved, problem) != reuse.analysis_key(
            "games", scenario, problem
        )
        assert changed is moves


def test_games_searching_over_a_solution_deal_give_the_independent_records():
    scenario = loads(SPLIT + SEARCHED)
    points = [{"shift": x, "bar": b} for x in (0.0, 1.0) for b in (0.3, 0.9)]
    reuse = StageReuse(scenario)
    assert _records(scenario, points, reuse) == _records(scenario, points)
    assert reuse.computed["games"] == 4 and reuse.reused["bargaining"] == 3


def test_a_parameter_given_as_an_int_is_another_value_than_the_float():
    reuse = StageReuse(DONBAS)
    as_float = DONBAS.with_parameters(guarantee_needs_cession=1.0)
    as_int = DONBAS.with_parameters(guarantee_needs_cession=1)
    assert reuse.problem_key(as_float) != reuse.problem_key(as_int)


def test_every_declared_analysis_is_one_of_the_pipeline():
    from dealsim.analysis.reuse import ANALYSIS_READS
    from dealsim.pipeline import ANALYSES
    from dealsim.scenario.model import Scenario

    assert set(ANALYSIS_READS) <= set(ANALYSES)
    fields = set(Scenario.__dataclass_fields__)
    assert {f for reads in ANALYSIS_READS.values() for f in reads} <= fields
    assert set(PROBLEM_READS) <= fields


def test_a_bound_zone_walk_is_the_walk_at_the_new_point():
    zc = compute_zone(DONBAS)
    moved = DONBAS.with_parameters(belt_shift=0.25)
    bound, fresh = bind_zone(zc, moved), compute_zone(moved)
    assert bound.space.scenario is moved and bound.model.parameters == fresh.model.parameters
    for name in ("zone_frontier", "zone_frontier_utilities", "feasible_frontier", "reservations"):
        np.testing.assert_array_equal(getattr(bound, name), getattr(fresh, name))
    assert bind_zone(fresh, moved) is fresh


def test_other_options_are_other_problems():
    reuse = StageReuse(DONBAS)
    dealsim.solve(DONBAS, reuse=reuse)
    dealsim.solve(DONBAS, reuse=reuse, tol=1e-8)
    dealsim.solve(DONBAS, reuse=reuse, refine=False)
    assert (reuse.computed["bargaining"], reuse.reused["bargaining"]) == (3, 0)


def test_reuse_refuses_another_scenario_object():
    reuse = StageReuse(DONBAS)
    with pytest.raises(DealsimError, match="one scenario object"):
        dealsim.solve(dealsim.load("donbas-2026"), reuse=reuse)


def test_a_stage_reuse_keeps_at_most_its_size():
    reuse = StageReuse(loads(SPLIT), size=2)
    for wa in (0.5, 1.0, 2.0, 0.5):
        dealsim.solve(reuse.scenario, parameters={"wa": wa}, reuse=reuse)
    assert len(reuse._results) == 2
    assert reuse.computed["bargaining"] == 4  # wa = 0.5 was dropped before it came back


def test_unpickled_it_is_one_empty_stage_reuse_per_run_in_the_receiving_process():
    reuse = StageReuse(loads(SPLIT), size=3)
    dealsim.solve(reuse.scenario, reuse=reuse)
    first = pickle.loads(pickle.dumps(reuse))  # a worker's first task of the run
    assert first is not reuse and not first._results and first.run == reuse.run
    dealsim.solve(first.scenario, reuse=first)
    again = pickle.loads(pickle.dumps(reuse))  # the run's next task in the same process
    assert again is first and again.computed["bargaining"] == 1
    other = pickle.loads(pickle.dumps(StageReuse(reuse.scenario)))  # another run
    assert other is not first and not other._results
