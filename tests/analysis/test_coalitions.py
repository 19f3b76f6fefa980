"""Sub-coalition zones, the transferable-utility game, voting bodies and their votes.

The three-party scenario (``EXAMPLE_TOML``) is worked by hand. Gains over the reservations:
package A (3, 1, -1), B (-1, 2, 2), C (1, 1, 1), D (2, -1, 2). So v(pq) = 4 + 1 = 5 (A),
v(pr) = 4 (D), v(qr) = 4 (B), v(pqr) = 3 (C, the only deal all accept), v(i) = 0.
Shapley: phi_p = (5 + 4)/6 + (3 - 4)/3 = 7/6 = phi_q, phi_r = 8/6 + (3 - 5)/3 = 2/3.
The core is empty (v(pq) = 5 > v(N) = 3). Nucleolus: the pair excesses 2 + x_r, 1 + x_p,
1 + x_q are equalised at 7/3: x = (4/3, 4/3, 1/3).
"""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import dealsim
from dealsim.analysis.coalitions import (
    ASSUMPTIONS,
    EXAMPLE_TOML,
    coalition_analysis,
    coalition_game,
    coalitions_document,
    render_coalitions,
)
from dealsim.errors import ScenarioError
from dealsim.scenario import loads
from dealsim.space import DEFAULT_CHUNK
from dealsim.zone import compute_zone
from strategies import third_party_sets_the_scale


@pytest.fixture(scope="module")
def three():
    return loads(EXAMPLE_TOML, file="three.toml")


def test_zone_sizes_and_worths_of_the_hand_worked_game(three):
    zone, v = coalition_game(three)
    # masks: {}, {p}, {q}, {p,q}, {r}, {p,r}, {q,r}, {p,q,r}
    assert zone.tolist() == [4, 3, 3, 2, 3, 2, 2, 1]
    assert_allclose(v, [0, 0, 0, 5, 0, 4, 4, 3])


def test_grand_coalition_zone_is_the_agreement_zone():
    scenario = dealsim.load("donbas-2026")
    zone, _ = coalition_game(scenario)
    zc = compute_zone(scenario)
    assert zone[-1] == zc.zone_size
    assert zone[0] == zc.feasible_size


def test_zone_sizes_do_not_depend_on_the_chunk_size():
    scenario = dealsim.load("donbas-2026")
    zone, v = coalition_game(scenario)
    zone_small, v_small = coalition_game(scenario, chunk=7)
    assert zone.tolist() == zone_small.tolist()
    assert_allclose(v, v_small, rtol=0, atol=1e-12)


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
@pytest.mark.parametrize("chunk", [16, 64, DEFAULT_CHUNK])
def test_acceptance_is_judged_on_the_zone_s_scale_in_every_chunk(unit, chunk):
    # a's reservation 0.7: the zone (tolerance 1e-6, c's 1000 on y = 1 sets its scale) is
    # x = 0.3, 5e-7 short of b's war value, z = 0 or 1. Each chunk took its own largest |u| as
    # the scale: with one deal a chunk (chunk=16, 16 coalitions) b rejected x = 0.3 and the
    # grand coalition's zone was 0 and its worth 0 instead of 2 and 0.5 - 4e-7
    scenario = loads(third_party_sets_the_scale(unit, a_reservation=0.7))
    zone, v = coalition_game(scenario, chunk=chunk)
    assert zone[-1] == compute_zone(scenario).zone_size == 2
    assert v[-1] == pytest.approx((0.5 - 4e-7) * unit, rel=1e-9)


def test_worth_is_the_largest_joint_gain_of_a_deal_all_members_accept():
    scenario = dealsim.load("donbas-2026")
    _, v = coalition_game(scenario)
    zc = compute_zone(scenario)
    # the grand coalition: the utilitarian deal of the zone maximises the total gain
    best = (zc.zone_frontier_utilities - zc.reservations).sum(axis=1).max()
    assert v[-1] == pytest.approx(best, rel=1e-12, abs=0)


def test_shapley_core_and_nucleolus_of_the_hand_worked_game(three):
    result = coalition_analysis(three)
    assert_allclose(list(result.shapley.values()), [7 / 6, 7 / 6, 2 / 3], rtol=1e-12)
    assert result.core["empty"] is True
    assert result.core["point"] is None
    assert result.core["epsilon"] == pytest.approx(7 / 3, rel=1e-9, abs=0)
    assert_allclose(list(result.nucleolus.values()), [4 / 3, 4 / 3, 1 / 3], rtol=1e-9)


def test_core_point_when_the_grand_coalition_is_worth_most():
    # C worth 4 to everyone: gains (3, 3, 3), v(N) = 9 and every pair is worth 6 (C beats A, B,
    # D); the pairs' constraints sum to 2 v(N), so the core is the single point (3, 3, 3).
    result = coalition_analysis(loads(EXAMPLE_TOML.replace("C = 2", "C = 4")))
    assert result.core["empty"] is False
    assert_allclose(list(result.core["point"].values()), [3, 3, 3], rtol=1e-9)
    assert_allclose(list(result.nucleolus.values()), [3, 3, 3], rtol=1e-9)
    assert_allclose(list(result.shapley.values()), [3, 3, 3], rtol=1e-12)


def test_worths_scale_with_the_utilities(three):
    # every utility and reservation times 1e6: the same game, times 1e6
    text = EXAMPLE_TOML.replace("reservation = 1", "reservation = 1e6").replace(
        "weights = { package = 1 }", "weights = { package = 1e6 }"
    )
    result = coalition_analysis(loads(text))
    assert_allclose(list(result.nucleolus.values()), [4e6 / 3, 4e6 / 3, 1e6 / 3], rtol=1e-9)
    assert [c["worth"] for c in result.coalitions][3:] == pytest.approx([5e6, 4e6, 4e6, 3e6])


def scarce_p(unit: float, reservation: float) -> str:
    """p gains 1 from package A and nothing from B, q and r nothing from either (in the given
    unit); every reservation is ``reservation`` times the unit. At 1, p needs q or r: the glove
    game, v = 1 for {p, q}, {p, r} and everyone; at 3 nobody accepts anything: v is all zero."""
    return f"""
[scenario]
name = "p needs q or r"
[parties.p]
reservation = {reservation * unit!r}
[parties.q]
reservation = {reservation * unit!r}
[parties.r]
reservation = {reservation * unit!r}
[issues.package]
levels = ["A", "B"]
[payoffs.p]
weights = {{ package = {unit!r} }}
package = {{ A = 2, B = 1 }}
[payoffs.q]
weights = {{ package = {unit!r} }}
package = {{ A = 1, B = 1 }}
[payoffs.r]
weights = {{ package = {unit!r} }}
package = {{ A = 1, B = 1 }}
"""


@pytest.mark.parametrize("unit", [1e-12, 1.0, 1e9])
def test_linear_programme_round_off_is_zero_at_every_unit_and_in_the_zero_game(unit):
    # The programmes' round-off is cleaned relative to the game's scale (tolerance_scale of
    # v): the glove game's core and nucleolus give q and r exactly 0 at every unit. The zero
    # game's scale was 1 (max(...) or 1.0) and is now 1e-300; no answer changes, because its
    # Shapley value, core and nucleolus are exactly 0 whatever the scale.
    result = coalition_analysis(loads(scarce_p(unit, 1.0)))
    assert [c["worth"] for c in result.coalitions] == [0.0, 0.0, 0.0, unit, unit, 0.0, unit]
    assert result.core["empty"] is False and result.core["epsilon"] == 0.0
    assert result.core["point"] == {"p": pytest.approx(unit, rel=1e-12), "q": 0.0, "r": 0.0}
    assert result.nucleolus == {"p": pytest.approx(unit, rel=1e-12), "q": 0.0, "r": 0.0}
    assert_allclose(list(result.shapley.values()), np.array([4, 1, 1]) / 6 * unit, rtol=1e-12)
    zero = coalition_analysis(loads(scarce_p(unit, 3.0)))
    assert [c["worth"] for c in zero.coalitions] == [0.0] * 7
    nothing = {"p": 0.0, "q": 0.0, "r": 0.0}
    assert zero.shapley == zero.nucleolus == zero.core["point"] == nothing
    assert zero.core["empty"] is False and zero.core["epsilon"] == 0.0


def test_document_has_the_keys_the_issue_names(three):
    doc = coalitions_document(three, coalition_analysis(three))
    for key in ("coalitions", "shapley", "core", "nucleolus", "bodies"):
        assert key in doc
    assert doc["coalitions"][3] == {"members": ["p", "q"], "zone_size": 2, "worth": 5.0}
    assert set(doc["core"]) >= {"empty", "point"}
    assert doc["assumptions"] == list(ASSUMPTIONS)
    assert "transferable utility" in doc["assumptions"][0]
    assert doc["scenario"]["sha256"] == three.sha256
    assert doc["dealsim_version"] == dealsim.__version__


def test_body_power_indices_and_pivotal_member_on_the_nash_deal(three):
    body = coalition_analysis(three).bodies["council"]
    power = body["members"]
    # weights (2, 1, 1), quota 3: p is pivotal in 4 of the 6 orders; swings 3, 1, 1
    assert_allclose([power[m]["shapley_shubik"] for m in "pqr"], [2 / 3, 1 / 6, 1 / 6])
    assert_allclose([power[m]["banzhaf"] for m in "pqr"], [0.6, 0.2, 0.2])
    nash = body["votes"]["solutions"]["nash"]
    assert nash["deal"] == {"package": "C"}
    assert nash["yes"] == ["p", "q", "r"]
    assert nash["approved"] is True
    assert nash["pivotal"] == ["p"]  # q + r hold 2 < 3 votes without p
    assert nash["vetoed_by"] == []


def test_pivotal_members_of_a_rejected_deal_are_those_who_would_pass_it():
    text = EXAMPLE_TOML.replace('p = \'package == "A" or package == "C"\'', "p = 'false'")
    nash = coalition_analysis(loads(text)).bodies["council"]["votes"]["solutions"]["nash"]
    assert nash["approved"] is False
    assert nash["yes"] == ["q", "r"]
    assert nash["pivotal"] == ["p"]


def test_a_veto_member_voting_no_defeats_the_deal():
    text = EXAMPLE_TOML.replace("quota = 3", 'quota = 3\nveto = ["r"]').replace(
        "r = 'package != \"A\"'", "r = 'false'"
    )
    nash = coalition_analysis(loads(text)).bodies["council"]["votes"]["solutions"]["nash"]
    assert nash["approved"] is False
    assert nash["vetoed_by"] == ["r"]
    assert nash["pivotal"] == ["r"]


def test_named_proposals_are_voted_on(three):
    text = EXAMPLE_TOML + '[proposals.plan_a]\nterms = { package = "A" }\n'
    votes = coalition_analysis(loads(text)).bodies["council"]["votes"]["proposals"]
    assert votes["plan_a"]["yes"] == ["p", "q"]  # r rejects A
    assert votes["plan_a"]["approved"] is True
    assert votes["plan_a"]["pivotal"] == ["p", "q"]


def test_security_council_indices_in_the_donbas_scenario():
    body = coalition_analysis(dealsim.load("donbas-2026")).bodies["unsc"]
    ss = {m: e["shapley_shubik"] for m, e in body["members"].items()}
    assert len(ss) == 15
    for permanent in ("us", "uk", "france", "china", "russia"):
        assert ss[permanent] == pytest.approx(421 / 2145, rel=1e-12, abs=0)
    assert ss["latvia"] == pytest.approx(4 / 2145, rel=1e-12, abs=0)
    assert body["veto"] == ["us", "uk", "france", "china", "russia"]


def test_rada_constitutional_quota_needs_more_than_the_ruling_faction():
    bodies = coalition_analysis(dealsim.load("donbas-2026")).bodies
    assert bodies["rada"]["quota"] == 226
    assert bodies["rada_constitutional"]["quota"] == 300
    simple = bodies["rada"]["members"]["servant_of_the_people"]
    amending = bodies["rada_constitutional"]["members"]["servant_of_the_people"]
    # with its (approximate) 232 seats the faction alone passes a law, not an amendment
    assert simple["shapley_shubik"] == 1.0
    assert 0 < amending["shapley_shubik"] < 1


def test_share_quota_is_a_share_of_the_total_weight():
    text = EXAMPLE_TOML.replace("quota = 3", 'quota = "3/4"')
    scenario = loads(text)
    assert scenario.bodies["council"].quota == 3.0
    assert scenario.bodies["council"].quota_text == "3/4"


def test_body_vote_ratifies_a_deal():
    text = EXAMPLE_TOML + '[ratification.r]\nbody = "council"\n'
    scenario = loads(text)
    solved = dealsim.solve(scenario)
    entry = solved.analyses["ratification"].parties["r"]
    # the council approves A (p + q) and C (all), not B (q + r) or D (r alone)
    assert entry["win_set_size"] == 2
    assert entry["solutions"]["nash"]["deal"] == {"package": "C"}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "quota = 3", "quota = 5", "three.toml: bodies.council.quota: 5 votes is more than all",
            id="quota-above-total",
        ),
        pytest.param(
            "quota = 3", 'quota = "3/2"', "three.toml: bodies.council.quota: '3/2' is not a share",
            id="share-above-one",
        ),
        pytest.param(
            "quota = 3", 'quota = 3\nveto = ["s"]',
            "three.toml: bodies.council.veto[0]: unknown member 's' (allowed: p, q, r)",
            id="unknown-veto",
        ),
        pytest.param(
            "r = 'package != \"A\"'", "",
            "three.toml: bodies.council.accept: no condition for member 'r'",
            id="accept-missing-member",
        ),
        pytest.param(
            "r = 'package != \"A\"'", "r = 'packge == \"A\"'",
            "three.toml: bodies.council.accept.r:",
            id="accept-unknown-name",
        ),
        pytest.param(
            "members = { p = 2, q = 1, r = 1 }", "members = { p = 2, q = 1, r = 1 }\nseats = 4",
            "three.toml: bodies.council.seats: unknown key (allowed: label, members, quota, veto, "
            "source, accept)",
            id="unknown-key",
        ),
    ],
)  # fmt: skip
def test_body_errors_name_file_field_and_what_is_allowed(old, new, message):
    with pytest.raises(ScenarioError) as info:
        loads(EXAMPLE_TOML.replace(old, new), file="three.toml")
    assert str(info.value).startswith(message)


def test_ratification_by_an_unknown_body_names_the_bodies():
    with pytest.raises(ScenarioError, match=r"ratification\.r\.body: unknown body 'senate' "
                       r"\(allowed: council\)"):  # fmt: skip
        loads(EXAMPLE_TOML + '[ratification.r]\nbody = "senate"\n', file="three.toml")


def test_ratification_needs_exactly_one_rule():
    with pytest.raises(ScenarioError, match="give exactly one of 'require'"):
        loads(EXAMPLE_TOML + '[ratification.r]\nbody = "council"\nrequire = "true"\n')


def test_too_many_parties_is_refused_before_work(three):
    with pytest.raises(ScenarioError, match="3 parties make 8 coalitions, above the limit"):
        coalition_game(three, max_parties=2)


def test_result_is_frozen(three):
    result = coalition_analysis(three)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.feasible = 0  # type: ignore[misc]


def test_the_text_names_each_solution_concept_and_power_index_with_its_source():
    scenario = dealsim.load("donbas-2026")
    text = render_coalitions(coalitions_document(scenario, coalition_analysis(scenario)))
    joined = " ".join(line.strip() for line in text.splitlines())
    for cited in (
        "Shapley value (Shapley 1953)",
        "core (Gillies 1959)",
        "nucleolus (Schmeidler 1969, by the linear programmes of Maschler, Peleg & Shapley 1979)",
        "Shapley-Shubik (Shapley & Shubik 1954); Banzhaf (1965)",
    ):
        assert cited in joined
    models = (Path(__file__).parents[2] / "docs" / "models.md").read_text(encoding="utf-8")
    for cited in ("(Shapley 1953)", "(Gillies 1959)", "(Schmeidler 1969)", "Banzhaf 1965"):
        assert cited in models  # the sources docs/models.md gives
