"""Compiling [war], [ratification.<party>] and [alternating_offers]: checks and war values."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import ndtr

from dealsim.errors import ScenarioError
from dealsim.scenario import loads
from strategies import split_toml

BASE = split_toml(
    """
[parameters]
pa = 0.6
[war]
p = { a = "pa", b = "1 - pa" }
costs = { a = 0.15, b = 0.10 }
win = { a = 0.9 }
lose = { a = 0.1 }
[war.shift]
party = "b"
amount = "0.4 * (share <= 0.5)"
caps = [{ when = 'police == "neutral"', max = 0.1 }]
[ratification.b]
probability = { intercept = 1.0, terms = { "share" = -2.0, 'police == "neutral"' = 0.5 } }
mode = "expected_utility"
poll_error = 0.05
[alternating_offers]
rounds = 10
proposer_order = ["b", "a"]
breakdown = 0.1
round_cost = { a = 0.01 }
""",
    a='reservation = "war"\n',
    b="reservation = 0.3\n",
    steps=11,
    issues='[issues.police]\nlevels = ["none", "neutral"]\n',
)


def _replace(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


def test_a_complete_file_compiles():
    s = loads(BASE, file="w.toml")
    assert s.war.parties == ("a", "b")
    assert s.ratification["b"].mode == "expected_utility"
    assert s.alternating_offers.proposer_order == ("b", "a")
    assert s.alternating_offers.round_cost == {"a": 0.01}


def test_war_reservation_is_the_lottery_value():
    # a: p = 0.6, win 0.9, lose 0.1, cost 0.15: 0.6*0.9 + 0.4*0.1 - 0.15 = 0.43.
    s = loads(BASE)
    assert_allclose(s.reservations(), [0.43, 0.3])
    # b uses the defaults win 1, lose 0: 0.4 - 0.10 = 0.30.
    assert_allclose(s.war.value_of("b", s.parameters), 0.3)
    # Parameters may be arrays of draws: (S, k) reservations.
    draws = {**s.parameters, "pa": np.array([0.5, 0.6, 0.7])}
    expected = 0.1 + 0.8 * draws["pa"] - 0.15
    assert_allclose(s.reservations(draws)[:, 0], expected)


def test_shift_and_caps_evaluate_per_deal():
    s = loads(BASE)
    cols = {"share": np.array([0.2, 0.2, 0.8])}
    from dealsim.expressions import LevelValues

    cols["police"] = LevelValues(np.array([0, 1, 1]), ("none", "neutral"))
    assert_allclose(s.war.shift.amounts(cols, 3), [0.4, 0.4, 0.0])
    assert_allclose(s.war.shift.limits(cols, 3), [np.inf, 0.1, 0.1])


def test_logistic_ratification_probability():
    # log-odds 1 - 2 share + 0.5 neutral: share 0.5 without police gives 0, an approval share
    # of 1/2; with police 1/(1 + e^-0.5) = 0.6225. The vote passes with Phi((s - 0.5) / 0.05).
    s = loads(BASE)
    from dealsim.expressions import LevelValues

    cols = {
        "share": np.array([0.5, 0.5]),
        "police": LevelValues(np.array([0, 1]), ("none", "neutral")),
    }
    share = 1 / (1 + np.exp(-0.5))
    assert_allclose(s.ratification["b"].shares(cols, 2), [0.5, share])
    assert_allclose(s.ratification["b"].probabilities(cols, 2), [0.5, ndtr((share - 0.5) / 0.05)])


BAD = [
    pytest.param(
        "poll_error = 0.05\n",
        "",
        "ratification.b.poll_error",
        "approval share, not the chance",
        id="poll-error-missing",
    ),
    pytest.param(
        "poll_error = 0.05",
        "poll_error = 0",
        "ratification.b.poll_error",
        "allowed: > 0",
        id="poll-error-zero",
    ),
    pytest.param(
        'p = { a = "pa", b = "1 - pa" }',
        'p = { a = "pa", ukrane = "1 - pa" }',
        "war.p.ukrane",
        "unknown party 'ukrane' (allowed: a, b)",
        id="p-unknown-party",
    ),
    pytest.param(
        'p = { a = "pa", b = "1 - pa" }',
        'p = { a = "pa", b = 0.5 }',
        "war.p",
        "sum to 1.1",
        id="p-does-not-sum-to-one",
    ),
    pytest.param(
        'p = { a = "pa", b = "1 - pa" }',
        "p = { a = 1.2, b = -0.2 }",
        "war.p.a",
        "allowed: a probability in [0, 1]",
        id="p-out-of-range",
    ),
    pytest.param(
        "costs = { a = 0.15, b = 0.10 }",
        "costs = { a = 0.15 }",
        "war.costs",
        "no cost of war given for 'b'",
        id="cost-missing",
    ),
    pytest.param(
        "costs = { a = 0.15, b = 0.10 }",
        "costs = { a = 0.15, b = 0.1, c = 1 }",
        "war.costs.c",
        "unknown party 'c'",
        id="cost-unknown-party",
    ),
    pytest.param(
        "costs = { a = 0.15, b = 0.10 }",
        "costs = { a = -0.15, b = 0.10 }",
        "war.costs.a",
        "allowed: >= 0",
        id="negative-cost",
    ),
    pytest.param(
        "win = { a = 0.9 }",
        "win = { z = 0.9 }",
        "war.win.z",
        "unknown party 'z'",
        id="win-unknown-party",
    ),
    pytest.param(
        "lose = { a = 0.1 }",
        "lose = { a = 0.95 }",
        "war.win.a",
        "winning must be worth more than losing",
        id="win-below-lose",
    ),
    pytest.param(
        'party = "b"',
        'party = "c"',
        "war.shift.party",
        "unknown party 'c'",
        id="shift-party-not-belligerent",
    ),
    pytest.param(
        'amount = "0.4 * (share <= 0.5)"',
        'amount = "0.4 * shares"',
        "war.shift.amount",
        "unknown name 'shares'",
        id="shift-unknown-name",
    ),
    pytest.param(
        'amount = "0.4 * (share <= 0.5)"',
        'amount = "police"',
        "war.shift.amount",
        "cannot be used as a number",
        id="shift-text-level",
    ),
    pytest.param(
        "max = 0.1 }", "max = -0.1 }", "war.shift.caps[0].max", "allowed: >= 0", id="negative-cap"
    ),
    pytest.param(
        """when = 'police == "neutral"'""",
        """when = 'police == "neutrl"'""",
        "war.shift.caps[0].when",
        "not one of the levels",
        id="cap-bad-level",
    ),
    pytest.param(
        "[ratification.b]",
        "[ratification.c]",
        "ratification.c",
        "unknown party 'c' (allowed: a, b)",
        id="ratification-unknown-party",
    ),
    pytest.param(
        'mode = "expected_utility"',
        'mode = "expected_utility"\nthreshold = 1.5',
        "ratification.b.threshold",
        "allowed: a probability in [0, 1]",
        id="threshold-out-of-range",
    ),
    pytest.param(
        '"share" = -2.0',
        '"sharre" = -2.0',
        "ratification.b.probability.terms.sharre",
        "unknown name 'sharre'",
        id="term-unknown-name",
    ),
    pytest.param(
        'mode = "expected_utility"',
        'mode = "vote"',
        "ratification.b.mode",
        "expected_utility",
        id="unknown-mode",
    ),
    pytest.param(
        "breakdown = 0.1",
        "breakdown = 1.0",
        "alternating_offers.breakdown",
        "allowed: >= 0 and < 1",
        id="breakdown-one",
    ),
    pytest.param(
        'proposer_order = ["b", "a"]',
        'proposer_order = ["b", "x"]',
        "alternating_offers.proposer_order[1]",
        "unknown party 'x'",
        id="proposer-unknown",
    ),
    pytest.param(
        "round_cost = { a = 0.01 }",
        "round_cost = { q = 0.01 }",
        "alternating_offers.round_cost.q",
        "unknown party 'q'",
        id="round-cost-unknown-party",
    ),
    pytest.param(
        "round_cost = { a = 0.01 }",
        "round_cost = { a = -0.01 }",
        "alternating_offers.round_cost.a",
        "allowed: >= 0",
        id="round-cost-negative",
    ),
    pytest.param(
        "rounds = 10",
        "rounds = 0",
        "alternating_offers.rounds",
        "greater than or equal to 1",
        id="zero-rounds",
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "message"), BAD)
def test_bad_sections_name_the_file_and_field(old, new, field, message):
    with pytest.raises(ScenarioError) as info:
        loads(_replace(old, new), file="bad.toml")
    error = info.value
    assert error.file == "bad.toml"
    assert error.field == field
    assert message in error.message


def test_war_reservation_needs_a_war_section():
    text = BASE.split("[war]")[0]
    with pytest.raises(ScenarioError) as info:
        loads(text, file="bad.toml")
    assert info.value.field == "parties.a.reservation"


def test_war_reservation_needs_the_party_to_fight():
    text = _replace("reservation = 0.3", 'reservation = 0.3\n[parties.c]\nreservation = "war"')
    text = text.replace(
        "[payoffs.b]",
        "[payoffs.c]\nweights = { share = 1 }\nshare = { points = [[0, 0], [1, 1]] }\n[payoffs.b]",
    )
    with pytest.raises(ScenarioError) as info:
        loads(text, file="bad.toml")
    assert info.value.field == "parties.c.reservation"
