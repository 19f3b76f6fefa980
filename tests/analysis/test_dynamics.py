"""War, alternating offers and ratification over scenarios (models.md §2-§4, hand derivations)."""

import itertools
import json
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import dealsim
from dealsim.pipeline import solve
from dealsim.report import render_report
from dealsim.scenario import loads
from dealsim.zone import compute_zone
from strategies import split_toml, survivors_short_of_war, third_party_sets_the_scale


def split(extra: str = "", *, ra="0.45", rb="0.30", da=1, db=1, steps=201) -> str:
    return split_toml(
        extra,
        a=f"reservation = {ra}\ndiscount = {da}\n",
        b=f"reservation = {rb}\ndiscount = {db}\n",
        steps=steps,
    )


FEARON = """
[war]
p = { a = 0.6, b = 0.4 }
costs = { a = 0.15, b = 0.10 }
"""


def test_fearon_bargaining_range_on_the_split():
    # models.md §3: p = 0.6, cA = 0.15, cB = 0.10: war gives (0.45, 0.30) and every share in
    # [0.45, 0.70] is preferred to war by both; on the 0.005 grid that is 51 deals.
    s = loads(split(FEARON, ra='"war"', rb='"war"'))
    war = solve(s).analyses["war"]
    assert_allclose([war.values["a"], war.values["b"]], [0.45, 0.30])
    assert_allclose(war.bargaining_range, [0.45, 0.70])
    assert_allclose([war.fearon_range["lo"], war.fearon_range["hi"]], [0.45, 0.70])
    assert war.preferred_to_war["size"] == 51
    assert war.preferred_to_war["in_zone"] == 51
    assert war.commitment is None


def test_bargaining_range_uses_costs_in_prize_units():
    # win 2, lose 0 for a: war value 0.6*2 - 0.3 = 0.9, and the cost in prize units is
    # 0.3 / 2 = 0.15, so the unit-prize range is still [0.45, 0.70].
    extra = FEARON.replace("a = 0.15", "a = 0.3") + "win = { a = 2.0 }\n"
    war = solve(loads(split(extra))).analyses["war"]
    assert_allclose(war.values["a"], 0.9)
    assert_allclose([war.fearon_range["lo"], war.fearon_range["hi"]], [0.45, 0.70])
    assert war.bargaining_range is None  # a never gets 0.9 from a share: nobody prefers peace


COMMITMENT = split_toml(
    """
[war]
p = { a = 0.7, b = 0.3 }
costs = { a = 0.05, b = 0.1 }
delta = 0.9
[war.shift]
party = "b"
amount = '0.5 * (line == "ceded") + 0.3 * (line == "partly")'
caps = [{ when = "monitors", max = 0.2, label = "monitors" }]
""",
    name="line",
    steps=11,
    issues='[issues.line]\nlevels = ["kept", "partly", "ceded"]\n'
    "[issues.monitors]\nlevels = [false, true]\n",
)


def test_infinite_horizon_commitment_problem_worked_values():
    # Powell (2006): delta = 0.9, c = 0.05 of the stake, p1 = 0.3: the largest survivable shift
    # is (1 - 0.9)(0.3 + 0.05) / 0.9 = 0.0389. Ceding the line (0.5) or part of it (0.3) means
    # war; monitors capping the shift at 0.03 save both: 44 deals without the cap, 0 with it.
    text = COMMITMENT.replace("max = 0.2", "max = 0.03")
    c = solve(loads(text)).analyses["war"].commitment
    assert c["model"] == "infinite_horizon"
    assert_allclose(c["largest_survivable_shift"], 0.1 * 0.35 / 0.9)
    assert c["prefers_war_now"] == 22  # ceded or partly ceded, without monitors
    assert c["prefers_war_now_without_caps"] == 44
    assert c["caps"] == [
        {"label": "monitors", "max": 0.03, "zone_deals_capped": 22, "zone_deals_saved": 22}
    ]


def test_two_period_commitment_problem_worked_values():
    # models.md §3: delta = 0.9, c = 0.05, p1 = 0.3. Ceding the line (p2 = 0.8) means war:
    # 0.9 * 0.5 = 0.45 > 0.3 + 0.1 * 0.05 = 0.305; ceding part of it (p2 = 0.6) keeps the peace:
    # 0.27 < 0.305. Monitors cap the shift at 0.2 (0.18 < 0.305). The largest survivable shift is
    # 0.305 / 0.9. There are 11 shares x 3 lines x 2 = 66 deals, all in the zone (reservations 0):
    # war over the 11 "ceded, no monitors" deals (22 without the cap).
    text = COMMITMENT.replace("delta = 0.9", 'delta = 0.9\ncommitment = "two_period"')
    war = solve(loads(text)).analyses["war"]
    c = war.commitment
    assert c["model"] == "two_period"
    assert (c["rising"], c["declining"]) == ("b", "a")
    assert_allclose(c["largest_survivable_shift"], 0.305 / 0.9)
    assert_allclose(c["largest_shift"], 0.5)
    assert c["prefers_war_now"] == 11
    assert c["prefers_war_now_without_caps"] == 22
    assert c["zone_survivors"] == 55
    assert c["zone_survivors_without_caps"] == 44
    assert c["caps"] == [
        {"label": "monitors", "max": 0.2, "zone_deals_capped": 22, "zone_deals_saved": 11}
    ]
    # The Nash deal (share 0.5; ties go to the first deal, line kept) survives.
    assert c["solutions_at_risk"]["nash"] is False
    assert c["self_enforcing_nash"]["deal"]["share"] == pytest.approx(0.5)


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_self_enforcing_nash_judges_the_survivors_on_the_zone_s_scale(unit):
    # a fights now over any shift above (1 - 0.9)(0.5 + 0.1) / 0.9 = 0.067. With y = 1 or
    # x > 0.35 shifting b by 0.5, the one survivor pair is x = 0.3, y = 0 (z = 0 or 1): in the
    # zone, 5e-7 short of b's war value. On the survivors' own scale (0.7) the Nash solver found
    # no individually rational deal and the whole solve failed ("no deal gives every party at
    # least its disagreement value"); with c's 1e-7 in z it also took z = 1 over z = 0.
    war = solve(loads(survivors_short_of_war(unit, "0.5 * y + 0.5 * (x > 0.35)"))).analyses["war"]
    c = war.commitment
    assert war.preferred_to_war["in_zone"] == 4 * 4  # x = 0.3 .. 0.6, any y and z
    assert c["zone_survivors"] == 2 and c["solutions_at_risk"]["nash"] is True
    nash = c["self_enforcing_nash"]
    assert nash["deal"] == {"x": pytest.approx(0.3, rel=1e-12), "y": 0.0, "z": 0.0}
    assert nash["utilities"]["c"] == 0.0
    assert nash["utilities"]["b"] / unit == pytest.approx(0.3, rel=1e-12, abs=0)
    # Only y = 1 shifting: the survivors are x = 0.3 .. 0.6 with y = 0. Their Nash deal is
    # x = 0.5 (gains 0.1 and 0.2 - 5e-7 over a's 0.2 and 0.1 - 5e-7 at x = 0.4); c's 1e-7 in
    # z = 1 is a tie on the zone's scale and the first deal (z = 0) is taken, as the zone's
    # frontier keeps both; on the survivors' own scale c could gain and z = 1 was reported.
    war = solve(loads(survivors_short_of_war(unit, "0.5 * y"))).analyses["war"]
    nash = war.commitment["self_enforcing_nash"]
    assert war.commitment["zone_survivors"] == 8
    assert nash["deal"] == {"x": pytest.approx(0.5, rel=1e-12), "y": 0.0, "z": 0.0}
    assert nash["utilities"]["c"] == 0.0


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_ratified_solutions_judge_the_win_set_on_the_zone_s_scale(unit):
    # The scenario above without the shift: b's win-set {x + y <= 0.35} keeps x = 0.3, y = 0
    # (z = 0 or 1), in the zone 5e-7 short of b's war value. On those deals' own scale (0.7)
    # every solver refused them and the whole solve failed ("the ratification analysis
    # failed ..."); with the zone's scale all five take the first, z = 0.
    base = survivors_short_of_war(unit, "0").split("[war.shift]")[0]
    text = base + '[ratification.b]\nrequire = "x + y <= 0.35"\n'
    b = solve(loads(text)).analyses["ratification"].parties["b"]
    assert b["zone_overlap"] == 2 and not b["deal_disappears"]
    for name, sol in b["solutions"].items():
        assert sol["deal"] == {"x": pytest.approx(0.3, rel=1e-12), "y": 0.0, "z": 0.0}, name
    # {y = 0}: x = 0.3 .. 0.6 and z. c's 1e-7 in z = 1 is a tie on the zone's scale, so c
    # cannot gain: Nash and KS take x = 0.5 (as the war analysis), egalitarian too (its smallest
    # gains 0.1 - 5e-7 and 0.1 tie; then the larger sum of normalised gains), utilitarian x = 0.6
    # (every sum is 1: the largest sum of normalised gains), all with z = 0. On their own scale c
    # could gain, every solution took z = 1, and egalitarian and utilitarian x = 0.4.
    text = base + '[ratification.b]\nrequire = "y < 0.5"\n'
    b = solve(loads(text)).analyses["ratification"].parties["b"]
    shares = {"nash": 0.5, "weighted_nash": 0.5, "kalai_smorodinsky": 0.5, "egalitarian": 0.5}
    for name, sol in b["solutions"].items():
        x = shares.get(name, 0.6)
        assert sol["deal"] == {"x": pytest.approx(x, rel=1e-12), "y": 0.0, "z": 0.0}, name
        assert sol["ratification_probability"] == 1.0


@pytest.mark.parametrize("a_reservation", [None, 0.7], ids=["war", "0.7"])
@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_a_win_set_constraining_nothing_shifts_no_solution(unit, a_reservation):
    # The zone is y = 0 only (party e refuses y = 1) but c's 1000 sets its scale: b's win-set
    # {y < 0.5} keeps the whole zone, so every constrained solution is the pipeline's and every
    # tied-hands shift is 0. Both are decided on the zone's scale: with a's war value c's 1e-7
    # ties (z = 0; egalitarian x = 0.5, utilitarian 0.6, as test_pipeline derives), with a's
    # reservation 0.7 x = 0.3 (5e-7 short of b's war value) is individually rational. With the
    # constrained solutions alone on the zone's scale the shifts were 0.1 (egalitarian) and 0.2
    # (utilitarian); with neither, every solution took z = 1 and 0.7 failed the whole solve.
    text = third_party_sets_the_scale(unit, a_reservation)
    text += '[ratification.b]\nrequire = "y < 0.5"\n'
    result = solve(loads(text))
    b = result.analyses["ratification"].parties["b"]
    assert b["zone_overlap"] == result.agreement_zone.size == (8 if a_reservation is None else 2)
    shares = {"utilitarian": 0.6} if a_reservation is None else {}
    for name, sol in b["solutions"].items():
        x = shares.get(name, 0.5 if a_reservation is None else 0.3)
        assert sol["deal"] == result.solutions[name].deal, name
        assert sol["deal"] == {"x": pytest.approx(x, rel=1e-12), "y": 0.0, "z": 0.0}, name
        assert b["tied_hands_shifts"][name] == 0.0, name


@pytest.mark.parametrize(
    ("limit", "expected"), [(0.5, 0.5), (0.4, None)], ids=["tied-hands", "deal-disappears"]
)
def test_ratification_win_set_on_the_split(limit, expected):
    # models.md §4: d = (0.45, 0.30), unconstrained Nash x = 0.575. b's win-set {x <= 0.5} cuts
    # the zone to [0.45, 0.5], where the Nash product rises: x = 0.5, a tied-hands gain of 0.075
    # for b. {x <= 0.4} misses the zone [0.45, 0.70]: no deal.
    extra = f'[ratification.b]\nrequire = "share <= {limit}"\n'
    rat = solve(loads(split(extra))).analyses["ratification"]
    b = rat.parties["b"]
    assert rat.unconstrained_nash["deal"]["share"] == pytest.approx(0.575)
    assert b["win_set_size"] == round(limit / 0.005) + 1
    if expected is None:
        assert b["deal_disappears"] and not b["overlap"]
        assert all(s is None for s in b["solutions"].values())
        assert b["tied_hands_shift"] is None
    else:
        assert b["overlap"] and not b["deal_disappears"]
        assert b["solutions"]["nash"]["deal"]["share"] == pytest.approx(expected)
        assert b["tied_hands_shift"] == pytest.approx(0.075)
        assert b["zone_overlap"] == 11  # 0.45, 0.455, ..., 0.5


@pytest.mark.parametrize("scale", [1.0, 1e-12, 1e6])
def test_ratification_zone_overlap_does_not_depend_on_the_utility_scale(scale):
    # The split of the test above with every weight and reservation times `scale`: the zone is
    # [0.45, 0.70] at any scale, so b's win-set {x <= 0.5} holds 11 of its deals (at 1e-12 the
    # zone was tested with an absolute 1e-9 and held every deal: 101).
    extra = '[ratification.b]\nrequire = "share <= 0.5"\n'
    text = split(extra, ra=repr(0.45 * scale), rb=repr(0.30 * scale))
    text = text.replace("weights = { share = 1 }", f"weights = {{ share = {scale!r} }}")
    b = solve(loads(text)).analyses["ratification"].parties["b"]
    assert b["zone_overlap"] == 11
    assert b["solutions"]["nash"]["deal"]["share"] == pytest.approx(0.5)


@pytest.mark.parametrize(("scale", "shown"), [(1.0, "0.5000"), (1e-12, "5e-13"), (1e-6, "5e-07")])
def test_text_reads_the_same_deal_at_any_utility_scale(scale, shown):
    # The split with d = (0.45, 0.30), b's win-set {x <= 0.5} and discounts (0.9, 0.8), every
    # weight and reservation times `scale`: b's tied-hands shift is +0.075 under Nash and -0.05
    # under the utilitarian solution, so the finding is fragile at any scale; the text prints
    # the utilities instead of 0.0000 (and kept the fragile note only down to about 1e-12).
    extra = '[ratification.b]\nrequire = "share <= 0.5"\n'
    text = split(extra, ra=repr(0.45 * scale), rb=repr(0.30 * scale), da=0.9, db=0.8)
    text = text.replace("weights = { share = 1 }", f"weights = {{ share = {scale!r} }}")
    lines = render_report(solve(loads(text))).splitlines()
    assert f"      utilities: a {shown}, b {shown}; ratified with probability 1.000" in lines
    assert any("a fragile finding" in line for line in lines)
    # alternating offers: a gets 0.62 (times the scale)
    expected = "0.6200, b 0.3800" if scale == 1 else f"{0.62 * scale:.4g}, b {0.38 * scale:.4g}"
    assert f"  utilities: a {expected}" in lines


def test_tied_hands_textbook_case_moves_a_from_half_to_six_tenths():
    # Symmetric split, d = (0, 0): every solution but the utilitarian gives 0.5. A's hard
    # win-set {share >= 0.6} moves A to 0.6: a tied-hands gain of +0.1 (Schelling 1960).
    extra = '[ratification.a]\nrequire = "share >= 0.6"\n'
    a = solve(loads(split(extra, ra="0", rb="0"))).analyses["ratification"].parties["a"]
    assert a["tied_hands_compares"] == "utilities"
    assert a["tied_hands_shift"] == pytest.approx(0.1)
    for name in ("nash", "weighted_nash", "egalitarian"):
        assert a["solutions"][name]["deal"]["share"] == pytest.approx(0.6), name
        assert a["tied_hands_shifts"][name] == pytest.approx(0.1), name
    # Kalai-Smorodinsky is not independent of irrelevant alternatives: B's ideal falls to 0.4,
    # so x / 1 = (1 - x) / 0.4 gives x = 1 / 1.4 = 0.714, 0.715 on the grid: +0.215
    assert a["tied_hands_shifts"]["kalai_smorodinsky"] == pytest.approx(0.215)


def test_referendum_pass_probability_is_not_the_approval_share():
    # log-odds 0 at every deal: approval share 1/2. With threshold 0.45 and poll_error 0.05 the
    # vote passes with Phi(1) = 0.8413; the JSON keeps the share beside the probability.
    extra = (
        '[ratification.b]\nmode = "expected_utility"\nthreshold = 0.45\npoll_error = 0.05\n'
        "probability = { intercept = 0 }\n"
    )
    b = solve(loads(split(extra))).analyses["ratification"].parties["b"]
    assert b["unconstrained_nash_approval"] == pytest.approx(0.5)
    assert b["unconstrained_nash_probability"] == pytest.approx(0.5 * math.erfc(-1 / math.sqrt(2)))
    assert b["zone_probability_range"] == pytest.approx([0.841345, 0.841345], abs=1e-6)
    assert b["tied_hands_compares"] == "expected utilities"


def test_expected_utility_mode_weighs_by_the_ratification_probability():
    # A constant P = 1/2 scales every gain by 1/2: the Nash product is multiplied by 1/4 and the
    # Nash deal stays at 0.575, with expected utilities d + (u - d)/2 = (0.5125, 0.3625).
    # (share 1/2 at the threshold 1/2: the vote passes with probability Phi(0) = 1/2)
    extra = (
        '[ratification.b]\nmode = "expected_utility"\npoll_error = 0.05\n'
        "probability = { intercept = 0 }\n"
    )
    b = solve(loads(split(extra))).analyses["ratification"].parties["b"]
    nash = b["solutions"]["nash"]
    assert nash["deal"]["share"] == pytest.approx(0.575)
    assert nash["ratification_probability"] == pytest.approx(0.5)
    assert_allclose(list(nash["expected_utilities"].values()), [0.5125, 0.3625])
    assert "P*u + (1-P)*reservation" in b["objective"]


def test_expected_utility_mode_moves_toward_likely_deals():
    # Log-odds 2010 - 4000 x: +10 at x = 0.5 (P = 0.99995), -10 at the next grid point 0.505
    # (P = 4.5e-5): gains above 0.5 are worth almost nothing, so the Nash deal is 0.5 as with
    # the hard win-set {x <= 0.5}.
    extra = (
        '[ratification.b]\nmode = "expected_utility"\npoll_error = 0.05\n'
        'probability = { intercept = 2010, terms = { "share" = -4000 } }\n'
    )
    b = solve(loads(split(extra))).analyses["ratification"].parties["b"]
    assert b["solutions"]["nash"]["deal"]["share"] == pytest.approx(0.5)


def test_two_ratifying_parties_give_a_joint_entry():
    extra = (
        '[ratification.b]\nrequire = "share <= 0.6"\n[ratification.a]\nrequire = "share >= 0.55"\n'
    )
    rat = solve(loads(split(extra))).analyses["ratification"]
    assert rat.joint["win_set_size"] == 11  # 0.55 .. 0.60
    assert rat.joint["solutions"]["nash"]["deal"]["share"] == pytest.approx(0.575)
    assert rat.joint["tied_hands_shift"] == {"a": 0.0, "b": 0.0}


def test_alternating_offers_approach_the_rubinstein_share():
    # models.md §2: d = (0.9, 0.8), d = 0: the first proposer gets 5/7. On a grid of step 0.001
    # each round can round the responder's share up by one step: error <= 0.001 / (1 - 0.72).
    s = loads(split(ra=0, rb=0, da=0.9, db=0.8, steps=1001))
    ao = solve(s).analyses["alternating_offers"]
    assert ao.agreement and ao.round == 0
    assert abs(ao.deal["share"] - 5 / 7) <= 0.001 / 0.28
    assert ao.utilities["a"] == pytest.approx(ao.deal["share"])
    # The weighted Nash target (weights 1/r_i, r_i = -ln d_i) is r2/(r1 + r2) of the surplus.
    r1, r2 = -math.log(0.9), -math.log(0.8)
    conv = ao.convergence
    assert abs(conv["target"]["deal"]["share"] - r2 / (r1 + r2)) <= 0.0005
    # Binmore, Rubinstein & Wolinsky (1986): as rounds shorten the stationary equilibrium tends
    # to the weighted Nash split; at the shortest period it is within 2 grid steps of it.
    assert conv["model"] == "stationary"
    assert conv["grid_resolution"] == pytest.approx(0.001)
    assert conv["distance"][0] == pytest.approx(abs(5 / 7 - conv["target"]["deal"]["share"]))
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(conv["distance"]))
    assert conv["distance"][-1] <= 2 * 0.001
    # each row is Rubinstein's closed form at discounts exp(-r_i D)
    for period, us in zip(conv["periods"], conv["utilities"], strict=True):
        d1, d2 = math.exp(-r1 * period), math.exp(-r2 * period)
        assert us["a"] == pytest.approx((1 - d2) / (1 - d1 * d2))


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_alternating_offers_judge_acceptance_on_the_zone_s_scale(unit):
    # a's reservation 0.7: the zone (tolerance 1e-6, c's 1000 sets its scale) is x = 0.3, 5e-7
    # short of b's war value. On the zone frontier's own scale (1: tolerance 1e-9) b rejected it
    # in every round: no agreement, though the zone and every solution hold x = 0.3.
    text = third_party_sets_the_scale(unit, a_reservation=0.7)
    ao = solve(loads(text + "[alternating_offers]\nrounds = 10\n")).analyses["alternating_offers"]
    assert ao.agreement and ao.round == 0
    assert ao.deal["x"] == pytest.approx(0.3, rel=1e-12) and ao.deal["y"] == 0.0
    # (z: c's 1e-7 is a tie on the zone's scale; the proposer's tie-break is the exact larger
    # sum of the responders' utilities, which the solver documents)
    assert all(entry["deal"] is not None for entry in ao.by_last_proposer.values())


def _two_parties_short_by_5e_7(unit: float) -> str:
    """A split (a gets ``share``) with a's reservation 0.7 + 5e-7 and an issue y worth 1000 to a
    that b refuses: the zone's scale is 1000 (tolerance 1e-6), its only deal share = 0.7, y = 0,
    5e-7 short of a's reservation; the zone frontier's own scale is 1."""
    return f"""
[scenario]
name = "two parties, a's 1000 outside the zone"
[parties.a]
reservation = {(0.7 + 5e-7) * unit!r}
discount = 0.9
[parties.b]
reservation = {0.3 * unit!r}
discount = 0.8
[issues.share]
range = [0, 1]
steps = 11
[issues.y]
range = [0, 1]
steps = 2
[payoffs.a]
weights = {{ share = {unit!r}, y = {1000 * unit!r} }}
share = {{ points = [[0, 0], [1, 1]] }}
y = {{ points = [[0, 0], [1, 1]] }}
[payoffs.b]
weights = {{ share = {unit!r}, y = {unit!r} }}
share = {{ points = [[0, 1], [1, 0]] }}
y = {{ points = [[0, 0], [1, -1]] }}
[alternating_offers]
rounds = 10
"""


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_the_stationary_convergence_judges_rationality_on_the_zone_s_scale(unit):
    # stationary_offers dropped the zone's only deal (u >= d exactly) and the whole solve failed:
    # "the alternating_offers analysis failed ...: no frontier point gives both parties at least
    # the disagreement point"
    result = solve(loads(_two_parties_short_by_5e_7(unit)))
    assert result.agreement_zone.size == 1
    ao = result.analyses["alternating_offers"]
    assert ao.agreement and ao.deal == {"share": pytest.approx(0.7, rel=1e-12), "y": 0.0}
    conv = ao.convergence
    assert conv["model"] == "stationary"
    for us in conv["utilities"]:  # one deal: every period's offer is it
        assert us["a"] == pytest.approx(0.7 * unit, rel=1e-9)
        assert us["b"] == pytest.approx(0.3 * unit, rel=1e-9)


def test_outcome_by_last_proposer_is_reported():
    # Finite horizon on a unit split without discounting: the last proposer takes everything
    s = loads(split("[alternating_offers]\nrounds = 4\n", ra=0, rb=0, da=1, db=1, steps=11))
    last = solve(s).analyses["alternating_offers"].by_last_proposer
    assert set(last) == {"a", "b"}
    assert last["b"]["rounds"] == 4 and last["a"]["rounds"] == 5
    assert last["a"]["deal"]["share"] == pytest.approx(1.0)
    assert last["b"]["deal"]["share"] == pytest.approx(0.0)
    assert last["a"]["utilities"] == pytest.approx({"a": 1.0, "b": 0.0})


def test_alternating_offers_with_an_empty_zone_end_at_the_reservations():
    ao = solve(loads(split(ra=0.6, rb=0.6, da=0.9, db=0.9))).analyses["alternating_offers"]
    assert not ao.agreement and ao.deal is None and ao.round == -1
    assert ao.utilities == {"a": 0.6, "b": 0.6}


def test_alternating_offers_section_sets_the_game():
    extra = '[alternating_offers]\nrounds = 1\nproposer_order = ["b"]\n'
    # One round, b proposes an ultimatum: a accepts anything worth its reservation 0.45.
    ao = solve(loads(split(extra))).analyses["alternating_offers"]
    assert ao.deal["share"] == pytest.approx(0.45)
    assert ao.convergence is None  # no discounting


def test_analyses_appear_only_when_declared():
    document = solve(loads(split())).to_dict()
    assert not {"war", "alternating_offers", "ratification"} & set(document)


def test_donbas_json_carries_the_three_analyses():
    result = solve(dealsim.load("donbas-2026"))
    document = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    war = document["war"]
    scenario, params = dealsim.load("donbas-2026"), result.parameters
    expected = {}  # the lottery p * win + (1 - p) * lose - cost, from the file's own numbers
    for q in ("ukraine", "russia"):
        win, lose = scenario.war.stakes(q, params)
        p = scenario.war.probability(q, params)
        expected[q] = p * win + (1 - p) * lose - scenario.war.cost(q, params)
    assert war["values"] == pytest.approx(expected)
    assert {"values", "bargaining_range", "preferred_to_war", "commitment"} <= set(war)
    assert {"prefers_war_now", "zone_survivors", "largest_survivable_shift"} <= set(
        war["commitment"]
    )
    # A cap (neutral force, free economic zone, guarantee) saves deals from the fight exactly
    # when its max is below the largest survivable shift (1 - delta)(p1 + c) / delta.
    c = war["commitment"]
    assert c["model"] == "infinite_horizon"
    p1, delta, cost = c["p1"], c["delta"], c["declining_cost_in_prize"]
    assert c["largest_survivable_shift"] == pytest.approx((1 - delta) * (p1 + cost) / delta)
    for cap in c["caps"]:
        saves = cap["max"] <= c["largest_survivable_shift"] and cap["zone_deals_capped"] > 0
        assert (cap["zone_deals_saved"] > 0) == saves, cap["label"]
    text = "Powell (2006) infinite-horizon commitment problem"
    assert text in render_report(result)
    assert f"cost {cost:.4g} of the stake" in render_report(result)
    ao = document["alternating_offers"]
    assert {"deal", "utilities", "round", "discounts", "rounds"} <= set(ao)
    assert ao["rounds"] == 24 and ao["proposer_order"][0] == "us"
    rat = document["ratification"]["parties"]["ukraine"]
    assert rat["mode"] == "expected_utility"
    assert 0 < rat["solutions"]["nash"]["ratification_probability"] < 1
    text = render_report(result)
    for title in (
        "War as a costly lottery",
        "Commitment problem",
        "Alternating offers",
        "Ratification",
    ):
        assert title in text


def test_war_values_follow_parameter_draws():
    s = dealsim.load("donbas-2026")

    # the war value p * win + (1 - p) * lose - cost moves with russia_win, draw by draw
    def lottery(party, p_russia):
        params = {**s.parameters, "russia_win": p_russia}
        win, lose = s.war.stakes(party, params)
        p = p_russia if party == "russia" else 1 - p_russia
        return p * win + (1 - p) * lose - s.war.cost(party, params)

    zc = compute_zone(s, {**s.parameters, "russia_win": 0.5})
    assert_allclose(zc.reservations[1:], [lottery("ukraine", 0.5), lottery("russia", 0.5)])
    draws = {**s.parameters, "russia_win": np.array([0.35, 0.5])}
    assert_allclose(
        s.reservations(draws)[:, 1], [lottery("ukraine", 0.35), lottery("ukraine", 0.5)]
    )
