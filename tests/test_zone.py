"""Tests of dealsim.zone: the chunked walk against exact rational arithmetic and at any scale."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import dealsim
from dealsim.errors import ScenarioError
from dealsim.pipeline import solve
from dealsim.scenario.loader import loads
from dealsim.space import DealSpace, UtilityModel
from dealsim.zone import MAX_TOLERANCE_SHARE, compute_zone, party_scales
from strategies import split_toml

DATA = Path(__file__).parent / "data"
WATER = DATA / "water_commission.toml"
SCALED = DATA / "water_scaled_up.toml"  # up's weights and reservation times s (file: 1e-8)


def _exact(x: float) -> Fraction:
    # the scenario's inputs are short decimals: their products and sums have small denominators
    return Fraction(float(x)).limit_denominator(10**6)


def exact_zone_and_frontiers(scenario) -> tuple[int, int, int]:
    """Zone size and the two frontier sizes, with every utility recomputed in Fractions."""
    space = DealSpace(scenario)
    model = UtilityModel.from_scenario(scenario)
    codes = space.codes()
    k = len(scenario.parties)
    exact = [[Fraction(0)] * k for _ in range(space.size)]
    for i, party_tables in enumerate(model.tables):
        for j, table in party_tables:
            values = [_exact(v) for v in np.asarray(table, dtype=float)]
            for r, code in enumerate(codes[:, j]):
                exact[r][i] += values[code]
    columns = {**model.parameters, **space.columns(codes)}
    for i, (payoff, adds) in enumerate(zip(scenario.payoffs, model.term_adds, strict=True)):
        for term, add in zip(payoff.terms, adds, strict=True):
            mask = np.broadcast_to(term.when.evaluate_mask(columns), (space.size,))
            for r in np.flatnonzero(mask):
                exact[r][i] += _exact(add)
    # a common denominator turns the rationals into integers, compared exactly with numpy
    d = [_exact(x) for x in scenario.reservations()]
    common = np.lcm.reduce([f.denominator for row in [*exact, d] for f in row])
    u = np.array([[int(f * common) for f in row] for row in exact], dtype=object)
    r = np.array([int(f * common) for f in d], dtype=object)
    feasible = model.feasible(space, codes).all(axis=0)
    zone = feasible & (u >= r).all(axis=1)

    def frontier_size(rows: np.ndarray) -> int:
        x = u[rows]
        ge = (x[None, :, :] >= x[:, None, :]).all(axis=2)
        gt = (x[None, :, :] > x[:, None, :]).any(axis=2)
        return int((~(ge & gt).any(axis=1)).sum())

    return (
        int(zone.sum()),
        frontier_size(np.flatnonzero(zone)),
        frontier_size(np.flatnonzero(feasible)),
    )


def test_donbas_frontiers_match_exact_rational_arithmetic():
    # the deals whose utilities differ from a dominating deal by one rounding step are dropped
    # (in the January 2026 file: 31 deals in the zone and 70 over feasible deals, not 33 and 72)
    scenario = dealsim.load("donbas-2026")
    zone, zone_frontier, feasible_frontier = exact_zone_and_frontiers(scenario)
    zc = compute_zone(scenario)
    assert zc.zone_size == zone
    assert zc.zone_frontier.size == zone_frontier
    assert zc.feasible_frontier.size == feasible_frontier


def _scaled_logroll(weights: tuple[int, int, int, int], reservations: tuple[int, int], s: float):
    wa, wb = weights[:2], weights[2:]
    toml = f"""
[scenario]
name = "scaled logroll"
[parties.a]
reservation = {reservations[0] / 10 * s!r}
[parties.b]
reservation = {reservations[1] / 10 * s!r}
[issues.x]
range = [0, 1]
steps = 11
[issues.y]
range = [0, 1]
steps = 6
[payoffs.a]
weights = {{ x = {wa[0] / 10 * s!r}, y = {wa[1] / 10 * s!r} }}
x = {{ points = [[0, 0], [1, 1]] }}
y = {{ points = [[0, 0], [1, 1]] }}
[payoffs.b]
weights = {{ x = {wb[0] / 10 * s!r}, y = {wb[1] / 10 * s!r} }}
x = {{ points = [[0, 1], [1, 0]] }}
y = {{ points = [[0, 1], [1, 0]] }}
"""
    return loads(toml)


@settings(max_examples=25, deadline=None)
@given(
    st.tuples(*[st.integers(1, 10)] * 4),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
)
def test_scaling_every_weight_and_reservation_gives_the_same_deals(weights, reservations):
    answers = []
    for s in (1e-12, 1.0, 1e6):
        result = solve(_scaled_logroll(weights, reservations, s), analyses=False)
        answers.append(
            (
                result.agreement_zone.size,
                tuple(result.pareto_frontier.indices),
                tuple(result.feasible_frontier.indices),
                {name: sol and sol.index for name, sol in result.solutions.items()},
            )
        )
    assert answers[0] == answers[1] == answers[2]


def test_tiny_weights_split_the_surplus_in_half():
    # issue 12: with every weight 1e-12 every solution used to give party a nothing
    # (the utilitarian sum is the same for every split: the tie-break picks as at weight 1)
    tiny = split_toml().replace("weights = { share = 1 }", "weights = { share = 1e-12 }")
    deals = {n: s.deal for n, s in solve(loads(tiny), analyses=False).solutions.items()}
    unit = {n: s.deal for n, s in solve(loads(split_toml()), analyses=False).solutions.items()}
    assert deals == unit
    for name in ("nash", "kalai_smorodinsky", "egalitarian"):
        assert deals[name]["share"] == 0.5, name


def _water_up(factor: float) -> str:
    """tests/data/water_commission.toml with up's weights and reservation times ``factor``."""
    text = WATER.read_text()
    old = ("[parties.up]\nreservation = 0.2\n", "weights = { x = 1.0, commission = 0.1 }")
    new = (
        f"[parties.up]\nreservation = {0.2 * factor!r}\n",
        f"weights = {{ x = {1.0 * factor!r}, commission = {0.1 * factor!r} }}",
    )
    for a, b in zip(old, new, strict=True):
        assert text.count(a) == 1
        text = text.replace(a, b)
    return text


INVARIANT = ("nash", "weighted_nash", "kalai_smorodinsky")  # egalitarian, utilitarian: not


def _assert_unscaled_answer(result, base):
    """The zone, both frontiers and the scale-invariant solutions of ``base``, deal for deal."""
    assert result.agreement_zone.size == base.agreement_zone.size
    assert result.agreement_zone.blocking == base.agreement_zone.blocking
    assert result.agreement_zone.issue_ranges == base.agreement_zone.issue_ranges
    assert result.pareto_frontier.indices == base.pareto_frontier.indices
    assert result.feasible_frontier.indices == base.feasible_frontier.indices
    for name in INVARIANT:
        got, want = result.solutions[name], base.solutions[name]
        assert got.deal == want.deal, name
        a, b = got.continuous.deal, want.continuous.deal
        assert a["commission"] == b["commission"], name
        assert_allclose([a["x"], a["y"]], [b["x"], b["y"]], atol=1e-9, err_msg=name)


def test_a_party_at_1e8_of_the_others_scale_is_refused_naming_the_file_party_and_scales(
    tmp_path,
):
    # The engineer's reproduction: without the guard the zone admitted 81 deals (up accepted
    # deals below its reservation) and the grid Nash deal was x = 0.1, y = 0.9, not 0.5, 0.5.
    path = tmp_path / "water.toml"
    path.write_text(_water_up(1e-8))
    with pytest.raises(ScenarioError) as caught:
        solve(dealsim.load(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: party 'up': its utilities (scale 1.1e-08) are too small ")
    assert "largest party's (scale 1.1): the tolerance 1e-09 x 1.1 is more than 1e-05" in message
    assert "rescale its [payoffs.up] weights and [parties.up] reservation" in message
    assert "\n" not in message
    with pytest.raises(ScenarioError, match=r"water_scaled_up\.toml: party 'up'"):
        compute_zone(dealsim.load(SCALED))


@pytest.mark.parametrize("factor", [2.0**-13, 2.0**13])
def test_a_party_scaled_just_within_the_limit_gets_the_unscaled_answer(factor):
    # At the default tol the limit is a scale ratio of 1e4 (1.1e-9 > 1e-5 * 1.1 * factor):
    # 2**-13 is inside (and scales exactly); 2**13 makes mid (scale 1) the small party, inside too.
    assert MAX_TOLERANCE_SHARE * 1.1 * 2.0**-13 >= 1e-9 * 1.1
    base = solve(loads(WATER.read_text()))
    _assert_unscaled_answer(solve(loads(_water_up(factor))), base)


@pytest.mark.parametrize("factor", [2.0**-14, 1e-7, 1e-8, 2.0**15])
def test_a_party_scaled_just_beyond_the_limit_is_refused(factor):
    # 2**15: up's scale 1.1 * 2**15 is the largest, and mid's (1) and down's (1.1) are refused
    party = "mid" if factor > 1 else "up"
    with pytest.raises(ScenarioError, match=f"party '{party}': its utilities"):
        solve(loads(_water_up(factor)))


def test_a_smaller_tol_lets_the_scaled_party_through_with_the_unscaled_answer():
    # tol * S / S_i = 1e-14 * 1.1 / 1.1e-8 = 1e-6: the tolerance is small for up again
    base = solve(loads(WATER.read_text()))
    scaled = loads(_water_up(1e-8))
    _assert_unscaled_answer(solve(scaled, tol=1e-14), base)
    _assert_unscaled_answer(solve(dealsim.load(SCALED), tol=1e-14), base)
    with pytest.raises(ScenarioError):
        solve(scaled, tol=1e-12)  # 1e-4 of up's scale: still refused


def test_a_party_with_zero_utility_everywhere_and_zero_reservation_is_allowed():
    # nothing to bend: its scale is 0 (the others' tolerance is 1e-9 x theirs)
    text = WATER.read_text() + (
        "\n[parties.observer]\nreservation = 0.0\n"
        "\n[payoffs.observer]\nweights = { x = 0.0 }\nx = { points = [[0.0, 0.0], [1.0, 1.0]] }\n"
    )
    scenario = loads(text)
    model = UtilityModel.from_scenario(scenario)
    assert party_scales(model, scenario.reservations()).tolist() == [1.1, 1.0, 1.1, 0.0]
    result = solve(scenario)
    base = solve(loads(WATER.read_text()))
    assert result.agreement_zone.size == base.agreement_zone.size == 64
    assert result.solutions["nash"].deal == base.solutions["nash"].deal


def _linear_toml(weights, directions, reservations, scales) -> str:
    parts = []
    for i, ((wx, wy), (dx, dy), r, c) in enumerate(
        zip(weights, directions, reservations, scales, strict=True)
    ):
        points = {1: "[[0, 0], [1, 1]]", -1: "[[0, 1], [1, 0]]"}
        parts.append(
            f"[parties.p{i}]\nreservation = {r / 10 * c!r}\n"
            f"[payoffs.p{i}]\nweights = {{ x = {wx / 10 * c!r}, y = {wy / 10 * c!r} }}\n"
            f"x = {{ points = {points[dx]} }}\ny = {{ points = {points[dy]} }}\n"
        )
    issues = "[issues.x]\nrange = [0, 1]\nsteps = 6\n[issues.y]\nrange = [0, 1]\nsteps = 6\n"
    return '[scenario]\nname = "linear"\n' + issues + "".join(parts)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(2, 3), k=st.integers(-12, 12))
def test_one_party_scaled_by_a_power_of_ten_is_refused_or_gets_the_unscaled_zone_and_nash(
    data, n, k
):
    weights = data.draw(
        st.lists(st.tuples(st.integers(1, 9), st.integers(1, 9)), min_size=n, max_size=n)
    )
    directions = data.draw(
        st.lists(
            st.tuples(st.sampled_from([1, -1]), st.sampled_from([1, -1])), min_size=n, max_size=n
        )
    )
    reservations = data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    party = data.draw(st.integers(0, n - 1))
    scales = [10.0**k if i == party else 1.0 for i in range(n)]
    base = solve(loads(_linear_toml(weights, directions, reservations, [1.0] * n)), analyses=False)
    try:
        result = solve(
            loads(_linear_toml(weights, directions, reservations, scales)), analyses=False
        )
    except ScenarioError:
        # refused only for scales far apart: unscaled, every party's scale is in 0.2..1.8, so at
        # |k| <= 3 the largest is at most 9,000 times the smallest (the limit: 1e4 at tol 1e-9)
        assert abs(k) >= 4
        return
    assert result.agreement_zone.size == base.agreement_zone.size
    assert result.pareto_frontier.indices == base.pareto_frontier.indices
    nash = result.solutions["nash"]
    assert (nash and nash.deal) == (base.solutions["nash"] and base.solutions["nash"].deal)
