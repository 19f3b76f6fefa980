"""Tests for dealsim.scenario.games: [outcomes] and [games] are checked at load time."""

from __future__ import annotations

import pytest

from dealsim.errors import ScenarioError
from dealsim.scenario import loads

BASE = """
[scenario]
name = "toy"

[parameters]
q = 0.5

[parties.a]
[parties.b]

[issues.x]
range = [0.0, 1.0]
steps = 3

[issues.y]
levels = ["low", "high"]

[payoffs.a]
weights = { x = 1.0, y = 0.5 }
x = { points = [[0.0, 0.0], [1.0, 1.0]] }
y = { low = 0.0, high = 1.0 }

[payoffs.b]
weights = { x = 1.0 }
x = { points = [[0.0, 1.0], [1.0, 0.0]] }

[outcomes.deal]
deal = { x = 0.5, y = "high" }

[outcomes.war]
payoffs = { a = 0.1, b = "0.2 * q" }
"""

GOOD_TREE = """
[games.seq]
kind = "sequential"
players = ["a", "b"]
root = "start"

[games.seq.nodes.start]
player = "a"
actions = { offer = "lottery", quit = "war" }

[games.seq.nodes.lottery]
chance = { yes = "q", no = "1 - q" }
actions = { yes = "reply", no = "war" }

[games.seq.nodes.reply]
player = "b"
actions = { accept = "deal", reject = "war" }
"""


def load(extra: str):
    return loads(BASE + extra, file="toy.toml")


def test_a_valid_tree_and_matrix_compile():
    scenario = load(
        GOOD_TREE
        + """
[games.pd]
kind = "normal"
players = ["a", "b"]
strategies = { a = ["c", "d"], b = ["c", "d"] }
outcomes = { "c,c" = "deal" }
default = "war"
"""
    )
    assert scenario.games["seq"].outcome_ids == ("war", "deal")
    assert scenario.games["pd"].profile_outcomes == ("deal", "war", "war", "war")
    assert scenario.outcomes["deal"].codes == {"x": 1, "y": 1}
    assert scenario.games["seq"].probabilities({"q": 0.25})["lottery"] == {"yes": 0.25, "no": 0.75}


BAD = [
    pytest.param(
        """
[games.pd]
kind = "normal"
players = ["a", "b"]
strategies = { a = ["c", "d"], b = ["c", "d"] }
outcomes = { "c,c" = "deal", "d,d" = "war", "c,d" = "war" }
""",
        "games.pd.outcomes",
        "profile 'd,c' has no outcome",
        id="profile-without-outcome",
    ),
    pytest.param(
        GOOD_TREE.replace('no = "1 - q"', 'no = "0.9 - q"'),
        "games.seq.nodes.lottery",
        "sum to 0.9",
        id="probabilities-not-summing-to-one",
    ),
    pytest.param(
        GOOD_TREE.replace('players = ["a", "b"]', 'players = ["a", "nato"]'),
        "games.seq.players",
        "player 'nato' is not a party",
        id="player-not-a-party",
    ),
    pytest.param(
        GOOD_TREE.replace('player = "b"', 'player = "c"'),
        "games.seq.nodes.reply.player",
        "player 'c' is not a party",
        id="node-player-not-a-party",
    ),
    pytest.param(
        GOOD_TREE.replace('reject = "war"', 'reject = "start"'),
        "games.seq.nodes.start",
        "cycle start -> lottery -> reply -> start",
        id="cycle",
    ),
    pytest.param(
        GOOD_TREE + '\n[games.seq.nodes.orphan]\nplayer = "a"\nactions = { x = "war" }\n',
        "games.seq.nodes.orphan",
        "not reachable from the root",
        id="unreachable-node",
    ),
    pytest.param(
        GOOD_TREE.replace('accept = "deal"', 'accept = "dael"'),
        "games.seq.nodes.reply",
        "leads to 'dael', which is neither a node nor an outcome",
        id="unknown-target",
    ),
    pytest.param(
        '\n[outcomes.off]\ndeal = { x = 0.3, y = "low" }\n',
        "outcomes.off.deal.x",
        "0.3 is not on the grid of issue 'x' (values: 0, 0.5, 1)",
        id="deal-off-the-grid",
    ),
    pytest.param(
        '\n[outcomes.off]\ndeal = { x = 0.5, y = "medium" }\n',
        "outcomes.off.deal.y",
        "'medium' is not a level of issue 'y' (levels: low, high)",
        id="deal-unknown-level",
    ),
    pytest.param(
        "\n[outcomes.half]\ndeal = { x = 0.5 }\n",
        "outcomes.half.deal",
        "missing 'y'",
        id="deal-missing-an-issue",
    ),
    pytest.param(
        "\n[outcomes.pay]\npayoffs = { a = 1 }\n",
        "outcomes.pay.payoffs",
        "must name every party; missing 'b'",
        id="payoffs-missing-a-party",
    ),
    pytest.param(
        """
[games.m]
kind = "normal"
players = ["a", "b"]
strategies = { a = ["c", "d"], b = ["c", "d"] }
payoffs = { a = [[1, 2], [3, 4]], b = [[1, 2, 3], [3, 4, 5]] }
""",
        "games.m.payoffs.b",
        "payoff array has shape (2, 3), the strategies need (2, 2)",
        id="payoff-array-wrong-shape",
    ),
    pytest.param(
        """
[games.m]
kind = "normal"
players = ["a", "b"]
strategies = { a = ["c", "c"], b = ["c", "d"] }
default = "war"
""",
        "games.m.strategies.a",
        "strategy names must be distinct",
        id="duplicate-strategies",
    ),
    pytest.param(
        """
[games.m]
kind = "normal"
players = ["a", "b"]
strategies = { a = [], b = ["c", "d"] }
default = "war"
""",
        "games.m.strategies.a",
        "non-empty list",
        id="empty-strategies",
    ),
]


@pytest.mark.parametrize(("extra", "field", "message"), BAD)
def test_bad_game_raises_scenario_error_naming_file_game_and_node(extra, field, message):
    with pytest.raises(ScenarioError) as info:
        load(extra)
    error = info.value
    assert error.file == "toy.toml"
    assert error.field == field
    assert message in error.message
    assert str(error).startswith(f"toy.toml: {field}: ")


def test_solution_outcome_may_leave_issues_to_the_solution():
    scenario = load('\n[outcomes.nash_high]\nsolution = "nash"\ndeal = { y = "high" }\n')
    outcome = scenario.outcomes["nash_high"]
    assert outcome.kind == "solution" and outcome.deal == {"y": "high"}


@pytest.mark.parametrize("unit", [1e-10, 1e-3, 1.0, 1e6, 1e12])
def test_a_deal_outcome_finds_its_grid_point_in_any_units(unit):
    # x runs from 0 to unit in 3 steps; 0.5 * unit is its middle point at every unit (an
    # absolute 1e-9 took it for 0 at 1e-10: the outcome was valued as the deal x = 0)
    u, h = repr(unit), repr(0.5 * unit)
    base = BASE
    for old, new in [
        ("range = [0.0, 1.0]", f"range = [0.0, {u}]"),
        ("[[0.0, 0.0], [1.0, 1.0]]", f"[[0.0, 0.0], [{u}, 1.0]]"),
        ("[[0.0, 1.0], [1.0, 0.0]]", f"[[0.0, 1.0], [{u}, 0.0]]"),
        ('deal = { x = 0.5, y = "high" }', f'deal = {{ x = {h}, y = "high" }}'),
    ]:
        assert base.count(old) == 1
        base = base.replace(old, new)
    middle = loads(base + f"\n[outcomes.middle]\ndeal = {{ x = {h}, y = 'low' }}\n")
    assert middle.outcomes["middle"].codes == {"x": 1, "y": 0}
    assert middle.outcomes["deal"].codes == {"x": 1, "y": 1}
    with pytest.raises(ScenarioError, match=r"outcomes\.off\.deal\.x: .* is not on the grid"):
        loads(base + f"\n[outcomes.off]\ndeal = {{ x = {0.25 * unit!r}, y = 'low' }}\n")


def test_deal_values_keep_their_type():
    # 1.0 on a range issue must not become the boolean true (pydantic's lax bool coercion)
    scenario = load('\n[outcomes.all]\ndeal = { x = 1.0, y = "low" }\n')
    assert scenario.outcomes["all"].deal == {"x": 1.0, "y": "low"}
