"""``[war.private]``: Fearon's risk–return trade-off over a scenario's deals (the hand-worked
split, complete information at zero spread, the risk of war shrinking with the spread)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealsim.errors import ScenarioError
from dealsim.pipeline import solve
from dealsim.report import render_report
from dealsim.scenario import loads


def split(
    *,
    p_a: float = 0.5,
    cost_a: float = 0.1,
    cost_b: float = 0.2,
    private: str = 'party = "b"\ncost = { kind = "uniform", bounds = [0, 0.4] }',
    steps: int = 1001,
) -> str:
    """A unit split, B's share ``x``; A wins with ``p_a``; ``[war.private]`` as given."""
    return f"""
[scenario]
name = "unit split, B's cost of war private"
[parties.a]
reservation = "war"
[parties.b]
reservation = "war"
[issues.x]
range = [0, 1]
steps = {steps}
[payoffs.a]
weights = {{ x = 1 }}
x = {{ points = [[0, 1], [1, 0]] }}
[payoffs.b]
weights = {{ x = 1 }}
x = {{ points = [[0, 0], [1, 1]] }}
[war]
p = {{ a = {p_a}, b = {1 - p_a} }}
costs = {{ a = {cost_a}, b = {cost_b} }}
[war.private]
{private}
"""


def private_info(toml: str) -> dict:
    return solve(loads(toml)).analyses["war"].private_information


def test_hand_worked_split_offers_b_035_at_a_375_percent_risk_of_war():
    # B accepts x iff x >= 0.5 - c_B; A maximises (1 - x) P + 0.4 (1 - P), P = (x - 0.1) / 0.4
    info = private_info(split())
    assert (info["party"], info["proposer"]) == ("b", "a")
    assert info["offer"]["deal"]["x"] == pytest.approx(0.35)
    assert info["p_war"] == pytest.approx(0.375, abs=1e-8)
    assert info["p_accept"] == pytest.approx(0.625, abs=1e-8)
    # A: 0.625 * 0.65 + 0.375 * 0.4; B: 0.625 * 0.35 + 0.375 * 0.5 - E[c; c < 0.15]
    assert info["expected_utilities"]["a"] == pytest.approx(0.55625, abs=1e-8)
    assert info["expected_utilities"]["b"] == pytest.approx(0.378125, abs=1e-8)
    assert info["war_values"] == pytest.approx({"a": 0.4, "b": 0.5})


TRIANGULAR = 'party = "b"\ncost = { kind = "triangular", bounds = [0, 0.4], mode = 0.2 }'


def triangular_cdf(t: float, lo: float, mode: float, hi: float) -> float:
    """P(c <= t) for c triangular on [lo, hi] with its mode, written out by hand."""
    if t <= lo:
        return 0.0
    if t <= mode:
        return (t - lo) ** 2 / ((hi - lo) * (mode - lo))
    return 1.0 - (hi - t) ** 2 / ((hi - lo) * (hi - mode)) if t < hi else 1.0


def test_triangular_cost_reports_the_model_s_war_probability_not_one_bent_by_the_tolerance():
    # B's cost triangular on [0, 0.4], mode 0.2; A's war value 0.5 - 0.25. With t = 0.5 - x, A
    # maximises 0.25 + (0.25 + t)(1 - t^2 / 0.08): t = 0.1, x = 0.4, P(war) = 0.1^2 / 0.08 = 1/8.
    # The solve's tolerance (1e-9) lowered the threshold: 0.1249999975 was reported.
    info = private_info(split(cost_a=0.25, private=TRIANGULAR))
    assert info["offer"]["deal"]["x"] == pytest.approx(0.4)
    assert info["p_war"] == pytest.approx(0.125, rel=1e-15, abs=0)
    assert info["p_accept"] == pytest.approx(0.875, rel=1e-15, abs=0)
    # A: 0.875 * 0.6 + 0.125 * 0.25; B: 0.875 * 0.4 + 0.125 * 0.5 - E[c; c < 0.1] (= 1/120)
    assert info["expected_utilities"]["a"] == pytest.approx(0.55625, rel=1e-14, abs=0)
    assert info["expected_utilities"]["b"] == pytest.approx(97 / 240, rel=1e-14, abs=0)
    # at every spread the reported P(war) is the contracted cost's CDF at the offer's threshold
    for row in info["by_spread"][1:]:
        s, x = row["spread"], row["offer"]["deal"]["x"]
        lo, mode, hi = 0.2 - 0.2 * s, 0.2, 0.2 + 0.2 * s
        expected = triangular_cdf(0.5 - x, lo, mode, hi)
        assert row["p_war"] == pytest.approx(expected, rel=1e-12, abs=0)
        assert row["proposer_expected_utility"] == pytest.approx(
            0.25 + (1 - row["p_war"]) * (0.75 - x), rel=1e-14, abs=0
        )


def test_zero_spread_gives_the_complete_information_offer_and_no_war():
    solved = solve(loads(split()))
    war = solved.analyses["war"]
    zero = war.private_information["by_spread"][0]
    assert zero["spread"] == 0.0 and zero["p_war"] == 0.0 and zero["p_accept"] == 1.0
    # complete information: A offers B exactly its war value 0.5 - 0.2, the low end of the range
    assert zero["offer"]["deal"]["x"] == pytest.approx(0.3)
    assert zero["offer"]["deal"]["x"] == pytest.approx(war.bargaining_range[0])
    assert zero["proposer_expected_utility"] == pytest.approx(0.7)


def test_by_spread_at_one_is_the_reported_answer():
    info = private_info(split())
    full = info["by_spread"][-1]
    assert full["spread"] == 1.0
    assert (full["offer"], full["p_war"]) == (info["offer"], info["p_war"])


@settings(max_examples=20, deadline=None)
@given(
    p_a=st.sampled_from([0.3, 0.5, 0.7]),
    cost_a=st.sampled_from([0.0, 0.05, 0.1]),
    center=st.sampled_from([0.05, 0.1, 0.2]),
    half=st.sampled_from([0.05, 0.1, 0.2, 0.3]),
)
def test_risk_of_war_falls_as_the_spread_shrinks(p_a, cost_a, center, half):
    # c_B uniform on center +- s * half: on a continuous split A's optimum gives
    # P(war) = max(0, 3/4 - S / (4 s half)), S = cost_a + center the expected total cost of war,
    # which rises with s; the grid (step 0.001) moves it by at most one step's probability mass.
    private = (
        f'party = "b"\ncost = {{ kind = "uniform", bounds = [{center - half}, {center + half}] }}'
    )
    info = private_info(split(p_a=p_a, cost_a=cost_a, cost_b=center, private=private))
    total = cost_a + center
    p_war = [row["p_war"] for row in info["by_spread"]]
    assert p_war[0] == 0.0
    for row in info["by_spread"][1:]:
        s = row["spread"]
        closed = max(0.0, 0.75 - total / (4 * s * half))
        assert row["p_war"] == pytest.approx(closed, abs=0.001 / (2 * s * half) + 1e-8), row
    closed_forms = [max(0.0, 0.75 - total / (4 * s * half)) for s in (0.25, 0.5, 0.75, 1.0)]
    assert closed_forms == sorted(closed_forms)


def test_risk_of_war_falls_as_the_spread_shrinks_in_the_hand_worked_split():
    p_war = [row["p_war"] for row in private_info(split())["by_spread"]]
    assert p_war == pytest.approx([0.0, 0.0, 0.0, 0.25, 0.375], abs=1e-8)


def test_choice_cost_and_the_other_side_proposing():
    # A's cost is private, 0 or 0.3 half and half; B offers and A accepts iff 1 - x >= 0.5 - c_A.
    # B (war worth 0.5 - 0.1 = 0.4) compares x = 0.5, always accepted (0.5), with x = 0.8,
    # accepted by the high-cost type only: 0.5 * 0.8 + 0.5 * 0.4 = 0.6. It takes the gamble.
    private = 'party = "a"\ncost = { kind = "choice", values = [0.0, 0.3] }'
    info = private_info(split(cost_a=0.15, cost_b=0.1, private=private))
    assert (info["party"], info["proposer"]) == ("a", "b")
    assert info["offer"]["deal"]["x"] == pytest.approx(0.8)
    assert info["p_war"] == pytest.approx(0.5)
    assert info["expected_utilities"]["b"] == pytest.approx(0.6)


def test_json_and_text_report_name_the_model():
    solved = solve(loads(split()))
    document = json.loads(json.dumps(solved.to_dict()))
    info = document["war"]["private_information"]
    assert set(info) >= {
        "party",
        "proposer",
        "offer",
        "p_war",
        "p_accept",
        "expected_utilities",
        "by_spread",
    }
    assert set(info["offer"]) == {"index", "deal", "utilities"}
    text = render_report(solved)
    assert "Private information (Fearon 1995, risk-return trade-off)" in text
    assert "b accepts with probability 0.625: P(war) = 0.375" in text


@pytest.mark.parametrize(
    ("private", "field", "message"),
    [
        (
            'party = "c"\ncost = { kind = "beta", a = 2, b = 2 }',
            "war.private.party",
            "allowed: a, b",
        ),
        (
            'party = "b"\nproposer = "b"\ncost = { kind = "beta", a = 2, b = 2 }',
            "war.private.proposer",
            "allowed: a",
        ),
        ('party = "b"\ncost = { kind = "uniform" }', "war.private", "needs bounds"),
        ('party = "b"\ncost = { kind = "gamma" }', "war.private.cost.kind", "uniform"),
    ],
)
def test_bad_private_section_is_named(private, field, message):
    with pytest.raises(ScenarioError) as error:
        loads(split(private=private), file="split.toml")
    text = str(error.value)
    assert "split.toml" in text and field in text and message in text, text


def test_donbas_russias_private_cost_recomputed_from_the_feasible_deals():
    import dealsim
    from dealsim.analysis._deals import feasible_deals
    from dealsim.zone import compute_zone

    scenario = dealsim.load("donbas-2026")
    war = solve(scenario).analyses["war"]
    info = war.private_information
    assert (info["party"], info["proposer"]) == ("russia", "ukraine")
    deals = feasible_deals(compute_zone(scenario))
    ids = scenario.party_ids
    u_ukr, u_rus = deals.utilities[:, ids.index("ukraine")], deals.utilities[:, ids.index("russia")]
    before_cost = war.values["russia"] + war.costs["russia"]
    assert info["war_values"]["russia"] == pytest.approx(before_cost)
    tol = 1e-9 * max(abs(u_rus).max(), before_cost)
    # complete information (cost known to be [war] costs.russia): Ukraine's best deal that Russia
    # accepts at that cost, accepted for sure
    known = u_rus >= before_cost - war.costs["russia"] - tol
    zero = info["by_spread"][0]
    assert zero["p_war"] == 0.0
    assert zero["proposer_expected_utility"] == pytest.approx(u_ukr[known].max())
    # the given range [0.03, 0.20]: no offer risking war beats the best one Russia accepts even at
    # the lowest cost 0.03, so P(war) = 0 and Ukraine gets that deal's utility
    safe = u_rus >= before_cost - 0.03 - tol
    assert info["p_war"] == pytest.approx(0.0, abs=1e-12)
    assert info["expected_utilities"]["ukraine"] == pytest.approx(u_ukr[safe].max())
    assert info["expected_utilities"]["ukraine"] <= zero["proposer_expected_utility"]


def test_donbas_quarter_spread_war_probability_is_the_triangular_cdf_at_the_offer():
    import dealsim

    war = solve(dealsim.load("donbas-2026")).analyses["war"]
    quarter = war.private_information["by_spread"][1]
    assert quarter["spread"] == 0.25
    # Russia's cost [0.03, 0.20], mode 0.08, contracted a quarter toward 0.08: [0.0675, 0.11];
    # the offer is worth 0.416 to Russia against 0.4855 before its cost: threshold 0.0695, and
    # P(war) = (0.0695 - 0.0675)^2 / ((0.11 - 0.0675)(0.08 - 0.0675)) = 16/2125 (it was
    # 0.0075294044, the threshold lowered by the tolerance)
    assert quarter["offer"]["utilities"]["russia"] == pytest.approx(0.416)
    assert war.private_information["war_values"]["russia"] == pytest.approx(0.4855)
    assert quarter["p_war"] == pytest.approx(16 / 2125, rel=1e-12, abs=0)
    assert quarter["proposer_expected_utility"] == pytest.approx(
        0.61 - 16 / 2125 * (0.61 - war.values["ukraine"]), rel=1e-14, abs=0
    )


def gap_split(unit: float) -> str:
    """The unit split in the given unit, B's war value 5e-7 above the grid point x = 0.3, and a
    third party c whose constant utility 1000 sets the zone's scale (its tolerance 1e-9 of it is
    1e-6, so x = 0.3 ties with B's war value and is in the zone and preferred to war)."""
    return f"""
[scenario]
name = "B's war value 5e-7 above a grid point"
[parties.a]
reservation = "war"
[parties.b]
reservation = "war"
[parties.c]
[issues.x]
range = [0, 1]
steps = 1001
[payoffs.a]
weights = {{ x = {unit!r} }}
x = {{ points = [[0, 1], [1, 0]] }}
[payoffs.b]
weights = {{ x = {unit!r} }}
x = {{ points = [[0, 0], [1, 1]] }}
[payoffs.c]
weights = {{ x = {1000 * unit!r} }}
x = {{ points = [[0, 1], [1, 1]] }}
[war]
p = {{ a = 0.5, b = 0.5 }}
win = {{ a = {unit!r}, b = {unit!r} }}
lose = {{ a = 0.0, b = 0.0 }}
costs = {{ a = {0.1 * unit!r}, b = {(0.2 - 5e-7) * unit!r} }}
[war.private]
party = "b"
cost = {{ kind = "uniform", bounds = [0, {0.4 * unit!r}] }}
"""


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_zero_spread_accepts_the_deals_preferred_to_war_on_the_zone_s_scale(unit):
    # B's war value is 0.3000005: x = 0.3 is 5e-7 short, a tie on the zone's scale (1000, so
    # within 1e-6), and both preferred_to_war and the zone count it. The offer was judged on
    # B's own scale (0.5: within 5e-10), so with the cost known B refused x = 0.3 and the
    # "complete information" offer was 0.301 (A: 0.699), above the bargaining range's low end.
    solved = solve(loads(gap_split(unit)))
    war = solved.analyses["war"]
    assert war.preferred_to_war["size"] == 301 and war.bargaining_range == [0.3, 0.6]
    zero = war.private_information["by_spread"][0]
    assert zero["p_war"] == 0.0 and zero["p_accept"] == 1.0
    assert zero["offer"]["deal"]["x"] == pytest.approx(0.3, rel=1e-12, abs=0)
    assert zero["proposer_expected_utility"] / unit == pytest.approx(0.7, rel=1e-12, abs=0)
    # spread 1 (B's cost uniform on [0, 0.4], its war value 0.5 before it) is the hand-worked
    # answer, at any unit
    info = war.private_information
    assert info["offer"]["deal"]["x"] == pytest.approx(0.35, rel=1e-12, abs=0)
    assert info["p_war"] == pytest.approx(0.375, rel=1e-12, abs=0)
