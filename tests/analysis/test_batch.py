"""Batch solves whose conditions depend on a drawn parameter: draw by draw, what solve gives.

A payoff term's ``when`` or a constraint's ``require`` that names a parameter is a mask over
draws and deals: the terms and the feasible set change from draw to draw. The grouping of
identical deals and the dropping of dominated deals must follow it (a deal may be dropped only
for a dominator that is feasible wherever it is).
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import dealsim
from batch_helpers import assert_same_batch, unpruned
from dealsim.analysis import batch as batch_module
from dealsim.analysis.batch import batch_solve
from dealsim.errors import DealsimError, ScenarioError
from dealsim.results import SOLUTION_NAMES
from dealsim.space import DealSpace, UtilityModel
from dealsim.uncertainty.distributions import sample_parameters
from dealsim.zone import utility_scale
from strategies import third_party_sets_the_scale

DATA = Path(__file__).parents[1] / "data"
CONDITIONS = DATA / "parameter_conditions.toml"
DIVIDEND = DATA / "capped_dividend.toml"
LEVEL = DATA / "drawn_level.toml"
THRESHOLD = DATA / "threshold.toml"
SCALED = DATA / "water_scaled_up.toml"  # up's weights and reservation times s


@pytest.fixture(scope="module")
def conditions():
    return dealsim.load(CONDITIONS)


@pytest.fixture(scope="module")
def dividend():
    return dealsim.load(DIVIDEND)


def _assert_draw_by_draw(scenario, draws, batch, tol=1e-9):
    """Each draw's feasible set, zone, solutions and their utilities (terms included), bit for
    bit, as ``dealsim.solve`` and the one-draw utility model give them at that draw."""
    space = DealSpace(scenario)
    codes = space.codes()
    n = len(next(iter(draws.values())))
    for s in range(n):
        point = {name: float(v[s]) for name, v in draws.items()}
        result = dealsim.solve(scenario, parameters=point, tol=tol)
        model = UtilityModel.from_scenario(scenario, {**scenario.parameters, **point})
        u = model.utilities(space, codes)
        r = scenario.reservations({**scenario.parameters, **point})
        feasible = model.feasible(space, codes).all(axis=0)
        zone = feasible & (u >= r - tol * utility_scale(model, r)).all(axis=1)
        assert batch.feasible_size[s] == feasible.sum() == result.agreement_zone.feasible, s
        assert np.array_equal(batch.zone[s], zone), s
        assert batch.zone_size[s] == result.agreement_zone.size, s
        for name in SOLUTION_NAMES:
            expected = result.solutions[name]
            if expected is None:
                assert batch.solutions[name][s] == -1, (s, name)
                assert np.isnan(batch.utilities[name][s]).all()
                continue
            assert batch.solutions[name][s] == expected.index, (s, name, point)
            chosen = batch.utilities[name][s]
            assert chosen.tolist() == list(expected.utilities.values()), (s, name)
            assert chosen.tobytes() == u[expected.index].tobytes(), (s, name)


def _values(grid, low, high):
    """Draws of a parameter: grid values (ties with the deals' values) or any value in range."""
    return st.one_of(st.sampled_from(grid), st.floats(low, high, allow_subnormal=False))


def _draws(**values):
    """From 1 to 12 draws of each parameter, ``values[name]`` giving one draw."""
    return st.integers(1, 12).flatmap(
        lambda n: st.fixed_dictionaries(
            {name: st.lists(v, min_size=n, max_size=n) for name, v in values.items()}
        )
    )


def test_terms_and_constraint_on_a_drawn_parameter_give_the_worked_zones(conditions):
    # worked by hand in parameter_conditions.toml
    draws = {"p": [0.3, 0.8, 0.0, 0.4], "k": [0.0, 0.1, 0.0, 0.1], "bonus": [0.1, 0.0, 0.2, 0.0]}
    batch = batch_solve(conditions, draws)
    assert batch.feasible_size.tolist() == [10, 9, 11, 10]
    assert [np.flatnonzero(z).tolist() for z in batch.zone] == [
        [4, 5, 6, 7],
        [],
        [3, 4, 5, 6, 7, 8, 9, 10],
        [4, 5, 6],
    ]
    # every solution's utilities carry a's bonus where its share is >= p (draw 0: 0.1, all of
    # the zone), b's utility is 1 - share
    for name in SOLUTION_NAMES:
        share = np.linspace(0, 1, 11)[batch.solutions[name][[0, 2, 3]]]
        expected = [
            [share[0] + 0.1, 1 - share[0]],
            [share[1] + 0.2, 1 - share[1]],
            [share[2], 1 - share[2]],
        ]
        assert_allclose(batch.utilities[name][[0, 2, 3]], expected, rtol=0, atol=1e-12)
        assert batch.solutions[name][1] == -1 and np.isnan(batch.utilities[name][1]).all()
    _assert_draw_by_draw(conditions, {k: np.asarray(v) for k, v in draws.items()}, batch)


@given(
    draws=_draws(
        p=_values(np.linspace(0, 0.8, 9).tolist(), 0.0, 0.8),
        k=st.sampled_from([0.0, 0.1]),
        bonus=_values([0.0, 0.1, 0.2], 0.0, 0.2),
        g=st.floats(0.5, 2.0),
    )
)
@settings(max_examples=25, deadline=None)
def test_drawn_term_condition_and_constraint_agree_with_solve_draw_by_draw(draws):
    scenario = dealsim.load(CONDITIONS)
    draws = {name: np.asarray(v, dtype=float) for name, v in draws.items()}
    _assert_draw_by_draw(scenario, draws, batch_solve(scenario, draws))


@given(
    draws=_draws(
        p=_values(np.linspace(0, 1, 6).tolist(), 0.0, 1.0),
        c=_values(np.linspace(0, 1, 6).tolist(), 0.0, 1.0),
    ),
    tol=st.sampled_from([0.0, 1e-9, 1e-2]),
)
@settings(max_examples=25, deadline=None)
def test_dominated_deals_are_dropped_only_for_dominators_feasible_in_that_draw(draws, tol):
    scenario = dealsim.load(DIVIDEND)
    draws = {name: np.asarray(v, dtype=float) for name, v in draws.items()}
    batch = batch_solve(scenario, draws, tol=tol, bargaining_tol=tol)
    _assert_draw_by_draw(scenario, draws, batch, tol=tol)
    assert_same_batch(batch, unpruned(scenario, draws, tol=tol, bargaining_tol=tol))


def test_every_dropped_deal_has_a_dominator_feasible_wherever_it_is(dividend):
    from dealsim.analysis.batch import _kept, _prepare, _utilities

    # dividends up to 0.4 feasible in every draw, 0.6 and 0.8 only where c = 0.9
    rng = np.random.default_rng(2)
    draws = {"p": rng.uniform(0, 1, 200), "c": rng.choice([0.5, 0.9], 200)}
    prepared = _prepare(dividend, DealSpace(dividend), draws, 200, 1e-9)
    assert prepared.feasible.ndim == 2  # the feasible set changes with the draw
    rows = slice(0, 200)
    utilities, _ = _utilities(prepared, rows)
    margin = 4e-9 * prepared.bound
    _, root = _kept(prepared, rows, utilities, margin, prepared.powers)
    dropped = np.flatnonzero(root != np.arange(prepared.deals.size))
    assert dropped.size > 0
    feasible = prepared.feasible
    assert not (feasible[:, dropped] & ~feasible[:, root[dropped]]).any()
    u = np.stack([np.broadcast_to(x, (200, prepared.deals.size)) for x in utilities], axis=2)
    assert (u[:, root[dropped]] >= u[:, dropped]).all()


def test_drawn_conditions_give_the_same_answers_in_small_chunks_and_steps(dividend, conditions):
    # a tiny budget: the masks are evaluated a few deals at a time and the draws in many steps
    for scenario in (dividend, conditions):
        draws = sample_parameters(scenario, 0, 150, seed=7)
        whole = batch_solve(scenario, draws)
        with mock.patch.object(batch_module, "_ELEMENT_BUDGET", 600):
            small = batch_solve(scenario, draws)
        assert_same_batch(whole, small)
        _assert_draw_by_draw(scenario, draws, small)


@pytest.mark.parametrize("tile", [1, 700, 1 << 22])
def test_utilities_summed_block_by_block_give_the_bits_of_one_pass(tile, dividend):
    # a block of one row, blocks that cut the step's rows unevenly, and one block per step
    donbas = dealsim.load("donbas-2026")
    for scenario in (dividend, donbas):
        draws = sample_parameters(scenario, 0, 130, seed=3)
        whole = batch_solve(scenario, draws)
        with mock.patch.object(batch_module, "_TILE", tile):
            blocks = batch_solve(scenario, draws)
        assert_same_batch(whole, blocks)


def test_a_levels_issue_compared_with_a_drawn_parameter_agrees_with_solve():
    scenario = dealsim.load(LEVEL)
    draws = sample_parameters(scenario, 0, 40, seed=0)
    assert set(draws["m"].tolist()) == {2.0, 3.0, 4.0}
    _assert_draw_by_draw(scenario, draws, batch_solve(scenario, draws))


def test_conditions_without_drawn_parameters_stay_one_mask_for_every_draw():
    from dealsim.analysis.batch import _prepare

    donbas = dealsim.load("donbas-2026")
    draws = sample_parameters(donbas, 0, 30, seed=1)
    full = {
        k: np.broadcast_to(np.asarray(draws.get(k, v), float), (30,))
        for k, v in donbas.parameters.items()
    }
    prepared = _prepare(donbas, DealSpace(donbas), full, 30, 1e-9)
    assert prepared.feasible.ndim == 1


def test_masks_of_conditions_on_parameters_count_towards_the_zone_flag_limit(conditions):
    from dealsim.analysis.batch import MAX_ZONE_CELLS, check_batch_size

    # the zone, the feasible set and the term's mask: three flags per sample and deal
    fits = MAX_ZONE_CELLS // (3 * 11)
    assert check_batch_size(conditions, fits) == 11
    with pytest.raises(DealsimError, match=r"holds [\d,]+ flags \(the zone and 2 masks of cond"):
        check_batch_size(conditions, fits + 1)
    assert check_batch_size(dealsim.load(THRESHOLD), fits + 1) == 11  # no such conditions


@pytest.mark.parametrize(
    ("require", "feasible"),
    [
        pytest.param("p > 2", [0, 0, 0, 0], id="nothing-feasible-in-any-draw"),
        pytest.param("p < 0.35", [10, 0, 11, 0], id="nothing-feasible-in-some-draws"),
    ],
)
def test_a_constraint_on_a_parameter_alone_can_empty_the_feasible_set(require, feasible):
    from dealsim.scenario import loads

    text = CONDITIONS.read_text(encoding="utf-8")
    scenario = loads(text + f'\n[[constraints]]\nrequire = "{require}"\nlabel = "gate"\n')
    draws = {
        "p": np.array([0.3, 0.8, 0.0, 0.4]),
        "k": np.array([0.0, 0.1, 0.0, 0.1]),
        "bonus": np.array([0.1, 0.0, 0.2, 0.0]),
    }
    batch = batch_solve(scenario, draws)
    assert batch.feasible_size.tolist() == feasible
    _assert_draw_by_draw(scenario, draws, batch)


def test_zone_sizes_and_counts_from_the_unique_deals_equal_the_full_zones(dividend, conditions):
    donbas = dealsim.load("donbas-2026")
    for scenario in (donbas, dividend, conditions):  # grouped deals; per-draw feasible sets
        draws = sample_parameters(scenario, 0, 90, seed=4)
        _, zone = batch_module._batch(scenario, draws)
        full = zone.full()
        assert np.array_equal(zone.sizes(), full.sum(axis=1))
        assert np.array_equal(zone.counts(), full.sum(axis=0))
        if scenario is donbas:  # deals grouped: some unique deals stand for several
            assert zone.unique.shape[1] < zone.columns.size


@pytest.mark.parametrize(
    ("draws", "message"),
    [
        ([0.1, np.nan], "finite number of magnitude at most 1e\\+15"),
        ([0.1, np.inf], "finite number of magnitude at most 1e\\+15"),
        ([0.1, 1e300], "finite number of magnitude at most 1e\\+15"),
        (["a", "b"], "the draws must be numbers"),
    ],
)
def test_draws_a_scenario_file_could_not_hold_are_refused_naming_the_parameter(draws, message):
    from dealsim.errors import DealsimError

    with pytest.raises(DealsimError, match=f"parameter 'fortress_risk': .*{message}"):
        batch_solve(dealsim.load("donbas-2026"), {"fortress_risk": np.array(draws)})


def test_a_draw_that_shrinks_one_partys_scale_beyond_the_tolerance_is_refused_naming_it():
    # s = 1e-8 makes up's utilities 1e-8 of the others': tol * S is 0.1 of its scale (the zone
    # admitted deals below its reservation). The error names the first refused draw's values.
    scenario = dealsim.load(SCALED)
    draws = {"s": np.array([1.0, 2.0**-13, 1e-8, 1e-9])}
    with pytest.raises(ScenarioError) as caught:
        batch_solve(scenario, draws)
    message = str(caught.value)
    assert message.startswith(
        f"{scenario.file}: party 'up' at the draw s=1e-08: its utilities (scale 1.1e-08)"
    )
    assert "(scale 1.1): the tolerance 1e-09 x 1.1 is more than 1e-05 of its scale" in message
    # a smaller tol lets every draw through, each as dealsim.solve gives it at that tol
    batch = batch_solve(scenario, draws, tol=1e-15, bargaining_tol=1e-15)
    _assert_draw_by_draw(scenario, draws, batch, tol=1e-15)
    # ... with the unscaled Nash deal in every draw
    assert (batch.solutions["nash"] == batch.solutions["nash"][0]).all()


def test_draws_within_the_tolerance_limit_agree_with_solve_and_the_unscaled_deals():
    scenario = dealsim.load(SCALED)
    draws = {"s": np.array([1.0, 2.0**-13, 2.0**13, 0.5])}
    batch = batch_solve(scenario, draws)
    _assert_draw_by_draw(scenario, draws, batch)
    for name in ("nash", "weighted_nash", "kalai_smorodinsky"):
        assert (batch.solutions[name] == batch.solutions[name][0]).all(), name
    assert (batch.zone_size == batch.zone_size[0]).all()


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_solutions_judged_on_the_zone_s_scale_agree_with_solve(unit):
    # strategies.third_party_sets_the_scale with a's reservation drawn: c's 1000 on deals
    # outside the zone sets its scale. At 0.4 (a's war value) c's 1e-7 ties (z = 0; egalitarian
    # x = 0.5, utilitarian 0.6); at 0.7 the zone is x = 0.3, 5e-7 short of b's war value, which
    # the solvers judged on the zone's own largest |u| refused; 0.7 - 1e-6 and 0.6 between.
    scenario = dealsim.scenario.loads(third_party_sets_the_scale(unit, 0.7, drawn=True))
    draws = {"ra": np.array([0.4, 0.7, 0.7 - 1e-6, 0.6, 0.4 + 4e-7]) * unit}
    batch = batch_solve(scenario, draws)
    _assert_draw_by_draw(scenario, draws, batch)
    assert_same_batch(unpruned(scenario, draws), batch)
    assert batch.zone_size.tolist() == [8, 2, 2, 4, 8]
    x = np.asarray(DealSpace(scenario).codes())[:, 0] / 10
    assert x[batch.solutions["utilitarian"]].tolist() == pytest.approx([0.6, 0.3, 0.3, 0.4, 0.6])
    assert x[batch.solutions["egalitarian"]].tolist() == pytest.approx([0.5, 0.3, 0.3, 0.4, 0.5])
