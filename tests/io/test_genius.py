"""Genius/ANAC domains imported as scenario files: the utilities survive the round trip."""

import itertools
from pathlib import Path

import pytest

import dealsim
from dealsim.cli import main
from dealsim.errors import ScenarioError
from dealsim.io.genius import genius_scenario_toml, parse_genius_profile, read_genius
from dealsim.scenario import loads

DATA = Path(__file__).parent / "data" / "genius"
DOMAIN = DATA / "party_domain.xml"
PROFILES = [DATA / "party1_utility.xml", DATA / "party2_utility.xml"]


@pytest.fixture(scope="module")
def party():
    return read_genius(DOMAIN, PROFILES)


@pytest.fixture(scope="module")
def solved(party):
    return dealsim.solve(loads(genius_scenario_toml(party), file="party.toml"))


def _genius_deal(deal, party):
    """A dealsim deal (issue id → value) as a Genius outcome (issue name → value)."""
    by_label = {issue.name: issue for issue in party.issues}
    ids = [name.lower() for name in by_label]
    return {issue.name: deal[i] for i, issue in zip(ids, party.issues, strict=True)}


def test_the_party_domain_reads_with_normalised_weights_and_evaluations(party):
    assert [i.name for i in party.issues] == [
        "Food",
        "Drinks",
        "Location",
        "Invitations",
        "Music",
        "Cleanup",
    ]
    first = party.profiles[0]
    assert sum(first.weights.values()) == pytest.approx(1.0, rel=1e-12, abs=0)
    # Genius divides each discrete evaluation by the issue's largest: Food 1, 3, 7, 10.
    assert first.evaluations["Food"] == {
        "Chips and Nuts": 0.1,
        "Finger-Food": 0.3,
        "Handmade Food": 0.7,
        "Catering": 1.0,
    }
    assert (first.reservation, first.discount) == (0.35, 0.9)
    assert (party.profiles[1].reservation, party.profiles[1].discount) == (0.25, 1.0)


def test_round_trip_keeps_every_frontier_utility_and_the_parties(party, solved):
    assert solved.parties == ("party1_utility", "party2_utility")
    assert solved.reservations == {"party1_utility": 0.35, "party2_utility": 0.25}
    assert solved.deal_space["size"] == 4 * 4 * 4 * 4 * 3 * 4
    frontier = solved.pareto_frontier
    for deal, utilities in zip(frontier.deals, frontier.utilities, strict=True):
        outcome = _genius_deal(deal, party)
        for profile, party_id in zip(party.profiles, solved.parties, strict=True):
            expected = profile.utility(outcome, party.issues)
            assert utilities[party_id] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_the_nash_deal_is_the_brute_force_nash_product_maximum(party, solved):
    best, best_value = None, -1.0
    for values in itertools.product(*(issue.values for issue in party.issues)):
        outcome = dict(zip([i.name for i in party.issues], values, strict=True))
        gains = [p.utility(outcome, party.issues) - p.reservation for p in party.profiles]
        if min(gains) >= 0 and gains[0] * gains[1] > best_value:
            best, best_value = outcome, gains[0] * gains[1]
    nash = solved.solutions["nash"]
    gains = [nash.utilities[p] - r for p, r in solved.reservations.items()]
    assert gains[0] * gains[1] == pytest.approx(best_value, rel=1e-12, abs=0)
    assert _genius_deal(nash.deal, party) == best


def test_integer_issues_with_slope_offset_or_bound_evaluators():
    domain_xml = """<negotiation_template><utility_space><objective name="rent">
      <issue name="Price" index="1" etype="integer" lowerbound="10" upperbound="20"/>
      <issue name="Pets" index="2" etype="discrete"><item index="1" value="no"/>
        <item index="2" value="yes"/></issue></objective></utility_space></negotiation_template>"""
    tenant = """<utility_space><objective name="rent">
      <issue index="1" name="Price" etype="integer" lowerbound="10" upperbound="20">
        <evaluator ftype="linear" slope="-0.1" offset="2.0"/></issue><weight index="1" value="3"/>
      <issue index="2" name="Pets" etype="discrete"><item index="1" value="no" evaluation="0"/>
        <item index="2" value="yes" evaluation="2"/></issue><weight index="2" value="1"/>
      </objective><reservation value="0.1"/></utility_space>"""
    landlord = """<utility_space><objective name="rent">
      <issue index="1" name="Price" etype="integer">
        <evaluator ftype="linear" lowerbound="0" upperbound="1"/></issue>
      <weight index="1" value="1"/>
      <issue index="2" name="Pets" etype="discrete"><item index="1" value="no" evaluation="1"/>
        <item index="2" value="yes" evaluation="1"/></issue><weight index="2" value="1"/>
      </objective></utility_space>"""
    from dealsim.io.genius import GeniusDomain, parse_genius_domain

    name, issues = parse_genius_domain("rent.xml", domain_xml)
    profiles = (
        parse_genius_profile("tenant.xml", issues, tenant),
        parse_genius_profile("landlord.xml", issues, landlord),
    )
    assert profiles[0].weights == {"Price": 0.75, "Pets": 0.25}
    assert profiles[0].evaluations["Price"] == {"lower": pytest.approx(1.0), "upper": 0.0}
    scenario = loads(genius_scenario_toml(GeniusDomain(name, tuple(issues), profiles)))
    result = dealsim.solve(scenario)
    assert result.deal_space["issues"]["price"]["size"] == 11
    for deal, utilities in zip(
        result.pareto_frontier.deals, result.pareto_frontier.utilities, strict=True
    ):
        outcome = {"Price": round(deal["price"]), "Pets": deal["pets"]}
        for party_id, profile in zip(("tenant", "landlord"), profiles, strict=True):
            expected = profile.utility(outcome, issues)
            assert utilities[party_id] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<utility_space>", "not a Genius XML file"),
        ("<negotiation_template/>", "no <objective> element"),
        (
            '<a><objective><issue name="x" etype="real"/></objective></a>',
            "issue 'x': type 'real' is not supported",
        ),
    ],
)
def test_bad_domain_files_name_the_file_and_the_element(tmp_path, xml, message):
    path = tmp_path / "bad.xml"
    path.write_text(xml)
    with pytest.raises(ScenarioError, match=f"bad.xml: {message}"):
        read_genius(path, PROFILES)


def test_the_cli_writes_a_valid_scenario_and_never_overwrites_without_force(tmp_path, capsys):
    out = tmp_path / "party.toml"
    args = ["import", "genius", str(DOMAIN), *map(str, PROFILES), "-o", str(out)]
    assert main(args) == 0
    assert dealsim.load(out).party_ids == ("party1_utility", "party2_utility")
    out.write_text("keep me")
    assert main(args) == 2
    assert "already exists" in capsys.readouterr().err and out.read_text() == "keep me"
    assert main([*args, "--force"]) == 0 and out.read_text().startswith("# Imported")
