"""The deal space: enumeration, codes, and vectorised utilities against a per-deal reference."""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import dealsim
from dealsim.errors import DealsimError
from dealsim.scenario import loads
from dealsim.space import DealSpace, UtilityModel, aligned_chunk
from strategies import split_toml


@pytest.fixture(scope="module")
def donbas():
    return dealsim.load("donbas-2026")


def test_space_enumerates_every_combination_in_c_order(donbas):
    space = DealSpace(donbas)
    assert space.size == int(np.prod([issue.size for issue in donbas.issues])) == 7200
    codes = space.codes()
    assert codes.shape == (7200, 9)
    assert len({tuple(row) for row in codes}) == 7200
    assert space.codes(np.array([1])).tolist() == [[0, 0, 0, 0, 0, 0, 0, 0, 1]]


@given(st.integers(0, 7199))
def test_index_of_inverts_deal(index):
    space = DealSpace(dealsim.load("donbas-2026"))
    assert space.index_of(space.deal(index)) == index


@example(exponent=-10, index=10)  # 5e-11 on an issue 0..1e-10 was its point 0 (absolute 1e-9)
@given(st.integers(-12, 12), st.integers(0, 20))
def test_index_of_finds_a_deal_computed_in_any_units(exponent, index):
    # the issue runs from 0 to 10**exponent in 21 steps; the deal is written with float noise
    unit = 10.0**exponent
    toml = split_toml(steps=21).replace("range = [0, 1]", f"range = [0, {unit!r}]")
    space = DealSpace(loads(toml))
    assert space.index_of({"share": index * (unit / 20)}) == index
    with pytest.raises(ValueError, match="is not on the grid of issue 'share'"):
        space.index_of({"share": (index + 0.5) * (unit / 20)})


def _reference_utility(scenario, deal, party_index):
    """Utility of one deal computed directly from the file's definitions, one issue at a time."""
    payoff = scenario.payoffs[party_index]
    params = scenario.parameters
    total = 0.0
    for issue_id, weight in payoff.weights.items():
        issue = scenario.issue(issue_id)
        value_function = payoff.values[issue_id]
        weight = scenario.resolve(weight)
        ys = [scenario.resolve(y) for y in value_function.ys]
        if issue.numeric:
            total += weight * float(np.interp(deal[issue_id], value_function.xs, ys))
        else:
            total += weight * ys[issue.values.index(deal[issue_id])]
    space = DealSpace(scenario)
    codes = space.codes(np.array([space.index_of(deal)]))
    env = {**params, **space.columns(codes)}
    for term in payoff.terms:
        if bool(term.when.evaluate_mask(env)[0]):
            total += scenario.resolve(term.add)
    return total


def test_vectorised_utilities_match_a_per_deal_reference(donbas):
    space = DealSpace(donbas)
    utilities = UtilityModel.from_scenario(donbas).utilities(space, space.codes())
    rng = np.random.default_rng(7)
    for index in rng.choice(space.size, size=40, replace=False):
        deal = space.deal(int(index))
        expected = [_reference_utility(donbas, deal, i) for i in range(3)]
        assert_allclose(utilities[index], expected, atol=1e-12)


def test_utilities_broadcast_over_parameter_draws(donbas):
    space = DealSpace(donbas)
    codes = space.codes()
    draws = np.array([0.1, 0.5, 0.9])
    batched = UtilityModel.from_scenario(donbas, {**donbas.parameters, "audience_cost_max": draws})
    stacked = batched.utilities(space, codes)
    assert stacked.shape == (3, 7200, 3)
    for s, value in enumerate(draws):
        single = UtilityModel.from_scenario(donbas.with_parameters(audience_cost_max=float(value)))
        assert_allclose(stacked[s], single.utilities(space, codes))


def test_feasibility_has_one_row_per_constraint(donbas):
    space = DealSpace(donbas)
    feasible = UtilityModel.from_scenario(donbas).feasible(space, space.codes())
    assert feasible.shape == (4, 7200)
    nato = [i.id for i in donbas.issues].index("nato_renunciation")
    codes = space.codes()
    assert np.array_equal(feasible[2], codes[:, nato] == 1)


_BUNDLED = ["logroll", "split-linear", "donbas-2026", "dayton-1995", "good-friday-1998"]


@pytest.mark.parametrize("name", _BUNDLED)
@given(chunk=st.integers(1, 5000), data=st.data())
def test_range_utilities_equal_gathered_utilities_bit_for_bit(name, chunk, data):
    scenario = dealsim.load(name)
    model = UtilityModel.from_scenario(scenario)
    space = model.space
    step = aligned_chunk(space.shape, chunk)
    assert 1 <= step <= chunk
    start = data.draw(st.sampled_from(range(0, space.size, step)))
    stop = min(start + step, space.size)
    fast = model.range_utilities(space, start, stop)
    gathered = model.utilities(space, space.codes(slice(start, stop)))
    assert np.array_equal(fast, gathered)
    assert np.array_equal(np.signbit(fast), np.signbit(gathered))
    unaligned = data.draw(st.integers(0, space.size - 1))
    end = data.draw(st.integers(unaligned + 1, space.size))
    assert np.array_equal(
        model.range_utilities(space, unaligned, end),
        model.utilities(space, space.codes(slice(unaligned, end))),
    )


def test_aligned_chunk_is_whole_runs_of_the_last_issues():
    assert aligned_chunk((10, 10, 10, 10, 10, 10), 1 << 18) == 200_000
    assert aligned_chunk((4, 6, 5), 29) == 25  # five runs of the last issue (5 values)
    assert aligned_chunk((4, 6, 5), 30) == 30
    assert aligned_chunk((3, 1000), 10) == 10  # one issue longer than the chunk: single deals
    with pytest.raises(DealsimError, match="chunk must be a positive number"):
        aligned_chunk((3,), 0)
