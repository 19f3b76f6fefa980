"""[proposals.<id>], [actual] and ordered levels: compiled, and every mistake named."""

import pytest

from dealsim.errors import ScenarioError
from dealsim.scenario import load, loads
from dealsim.scenario.proposals import deal_codes

BASE = """
[scenario]
name = "toy"
[parties.a]
[parties.b]
[issues.x]
range = [0, 1]
steps = 3
[issues.g]
levels = ["none", "weak", "strong"]
ordered = true
[payoffs.a]
weights = { x = 1, g = 1 }
x = { points = [[0, 0], [1, 1]] }
g = { none = 0, weak = 0.5, strong = 1 }
[payoffs.b]
weights = { x = 1 }
x = { points = [[0, 1], [1, 0]] }
"""


def test_a_proposal_compiles_to_its_deal_and_codes():
    s = loads(BASE + '[proposals.p]\nlabel = "P"\nterms = { x = 0.5, g = "weak" }\n')
    p = s.proposals["p"]
    assert (p.label, p.deal, p.codes) == ("P", {"x": 0.5, "g": "weak"}, (1, 1))
    assert s.issue("g").ordered and not s.issue("x").ordered


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        pytest.param("{ x = 0.5 }", "proposals.p.terms: missing issue 'g'", id="missing-issue"),
        pytest.param(
            '{ x = 0.5, g = "weak", y = 1 }',
            "proposals.p.terms.y: unknown issue 'y' (issues: x, g)",
            id="unknown-issue",
        ),
        pytest.param(
            '{ x = 0.3, g = "weak" }',
            "proposals.p.terms.x: 0.3 is not on the grid of issue 'x' (values: 0, 0.5, 1)",
            id="off-grid",
        ),
        pytest.param(
            '{ x = 0.5, g = "medium" }',
            "proposals.p.terms.g: 'medium' is not a level of issue 'g' "
            "(levels: none, weak, strong)",
            id="unknown-level",
        ),
    ],
)
def test_a_wrong_proposal_names_the_field_and_what_is_allowed(terms, message):
    with pytest.raises(ScenarioError) as info:
        loads(BASE + f"[proposals.p]\nterms = {terms}\n", file="toy.toml")
    assert str(info.value).startswith("toy.toml: ")
    assert message in str(info.value)


def test_actual_needs_a_date_and_a_source():
    with pytest.raises(ScenarioError, match=r"actual\.date: required field is missing"):
        loads(BASE + '[actual]\nsource = "s"\nterms = { x = 0, g = "none" }\n')


def test_ordered_goes_with_levels_only():
    text = BASE.replace("steps = 3", "steps = 3\nordered = true")
    with pytest.raises(ScenarioError, match="'ordered' goes with 'levels'"):
        loads(text)


def test_deal_codes_reads_values_typed_on_a_command_line():
    s = load("korean-armistice-1953")  # booleans, a number and level names
    deal = s.actual.deal
    typed = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in deal.items()}
    assert deal_codes(s, typed) == deal_codes(s, deal)
