"""``dealsim validate``: it refuses every file ``dealsim solve`` would, with the same line."""

from pathlib import Path

import pytest

from dealsim.cli import main

SPLIT = """
[scenario]
name = "split"

[parameters.g]
value = 0.5
range = [0.1, 0.9]
distribution = { kind = "normal", mean = 0.5, sd = 0.1 }

[parties.a]
reservation = 0.2
[parties.b]
reservation = 0.2

[issues.share]
range = [0.0, 1.0]
steps = 11

[issues.police]
levels = ["none", "neutral"]
ordered = true

[payoffs.a]
weights = { share = 1, police = 1 }
share = { points = [[0.0, 0.0], [1.0, 1.0]] }
police = { none = 0, neutral = 1 }

[payoffs.b]
weights = { share = 1, police = 1 }
share = { points = [[0.0, 1.0], [1.0, 0.0]] }
police = { none = 1, neutral = 0 }

[alternating_offers]
rounds = 5

[bodies.council]
members = { p = 2, q = 1 }
quota = "1/2"
accept = { p = "true", q = "true" }
"""

# A guarantee that holds with probability g: b fights a deal it is not sure of. `thresholds`
# makes the solve search g's whole range for the value where the outcome switches.
GAME = """
[outcomes.peace]
payoffs = { a = 1, b = 1 }
[outcomes.war]
payoffs = { a = -1, b = "0.5 - g" }
[outcomes.betrayed]
payoffs = { a = -2, b = 2 }

[games.guarantee]
kind = "sequential"
players = ["b"]
root = "b"
thresholds = ["g"]

[games.guarantee.nodes.b]
player = "b"
actions = { accept = "luck", fight = "war" }
[games.guarantee.nodes.luck]
chance = { honoured = "g", broken = "1 - g" }
actions = { honoured = "peace", broken = "betrayed" }
"""


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _both(capsys, tmp_path, text):
    """``validate`` and ``solve`` of ``text``: each command's exit status and stderr."""
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    validate = _run(capsys, "validate", str(path))
    solve = _run(capsys, "solve", str(path))
    return str(path), (validate[0], validate[2]), (solve[0], solve[2])


def _replaced(text, old, new):
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_the_base_files_pass_validate_and_solve(capsys, tmp_path):
    for text in (SPLIT, SPLIT + GAME):
        _, validate, solve = _both(capsys, tmp_path, text)
        assert validate == (0, "")
        assert solve == (0, "")


@pytest.mark.parametrize(
    ("old", "new", "field", "allowed"),
    [
        pytest.param(
            "steps = 11",
            'steps = "11"',
            "issues.share.steps",
            'expected an integer, got the string "11"',
            id="steps-quoted",
        ),
        pytest.param(
            "steps = 11",
            "steps = true",
            "issues.share.steps",
            "expected an integer, got the boolean true",
            id="steps-boolean",
        ),
        pytest.param(
            "steps = 11",
            "steps = 11.5",
            "issues.share.steps",
            "expected an integer, got the number 11.5",
            id="steps-fraction",
        ),
        pytest.param(
            "rounds = 5",
            'rounds = "5"',
            "alternating_offers.rounds",
            'expected an integer, got the string "5"',
            id="rounds-quoted",
        ),
        pytest.param(
            "rounds = 5",
            "rounds = true",
            "alternating_offers.rounds",
            "expected an integer, got the boolean true",
            id="rounds-boolean",
        ),
        pytest.param(
            "value = 0.5",
            'value = "0.5"',
            "parameters.g.value",
            # a parameter is a table or a bare number: a table is validated as a table only
            'expected a number, got the string "0.5"',
            id="parameter-value-quoted",
        ),
        pytest.param(
            "range = [0.1, 0.9]",
            'range = [0.1, "0.9"]',
            "parameters.g.range.1",
            'expected a number, got the string "0.9"',
            id="parameter-range-quoted",
        ),
        pytest.param(
            "range = [0.0, 1.0]",
            "range = [false, 1.0]",
            "issues.share.range.0",
            "expected a number, got the boolean false",
            id="issue-range-boolean",
        ),
        pytest.param(
            "sd = 0.1",
            'sd = "0.1"',
            "parameters.g.distribution.sd",
            'expected a number, got the string "0.1"',
            id="distribution-sd-quoted",
        ),
        pytest.param(
            "members = { p = 2, q = 1 }",
            'members = { p = "2", q = 1 }',
            "bodies.council.members.p",
            'expected a number, got the string "2"',
            id="body-members-quoted",
        ),
        pytest.param(
            "ordered = true",
            "ordered = 1",
            "issues.police.ordered",
            "expected true or false, got the number 1",
            id="ordered-number",
        ),
        pytest.param(
            'name = "split"',
            'name = "split"\n[format]',
            "format",
            "expected an integer, got a table",
            id="format-table",
        ),
    ],
)
def test_a_quoted_or_boolean_number_is_refused_by_validate_and_solve(
    capsys, tmp_path, old, new, field, allowed
):
    # pydantic's lax mode read "11" as 11 and true as 1: validate and solve accepted them.
    path, validate, solve = _both(capsys, tmp_path, _replaced(SPLIT, old, new))
    line = f"dealsim: error: {path}: {field}: {allowed}\n"
    assert validate == (2, line)
    assert solve == (2, line)


def test_format_true_is_not_format_1(capsys, tmp_path):
    path, validate, solve = _both(capsys, tmp_path, "format = true\n" + SPLIT)
    line = f"dealsim: error: {path}: format: expected an integer, got the boolean true\n"
    assert validate == solve == (2, line)


@pytest.mark.parametrize(
    ("replacements", "message"),
    [
        pytest.param(
            # g = 0.5 is a valid probability, but the solve's threshold search scans g's range
            # [0.1, 1.5] and meets g = 1.01 (the first of its 41 grid values above 1)
            [("range = [0.1, 0.9]", "range = [0.1, 1.5]")],
            "games.guarantee.nodes.luck.chance: the threshold search of game 'guarantee' over the "
            "range [0.1, 1.5] of g (games.guarantee.thresholds) reached a value where game "
            "'guarantee': chance probabilities must be >= 0 and sum to 1 at these parameter "
            "values, got honoured=1.01, broken=-0.01 (sum 1) (g=1.01)",
            id="probability-above-one",
        ),
        pytest.param(
            # b's payoff of war is finite at g = 0.5 but not at g = 0.1, a grid value of the search
            [('b = "0.5 - g"', 'b = "1 / (g - 0.1)"')],
            "outcomes.war.payoffs.b: the threshold search of game 'guarantee' over the range "
            "[0.1, 0.9] of g (games.guarantee.thresholds) reached a value where '1 / (g - 0.1)': "
            "1 / (g - 0.1) is not finite for some deals or parameter values (division by zero?)",
            id="payoff-not-finite",
        ),
        pytest.param(
            # the outcome `war` is now a deal: its payoffs come from the payoff model, where a's
            # value of no police divides by g, and the search scans g's range [0, 0.9]
            [
                ("range = [0.1, 0.9]", "range = [0.0, 0.9]"),
                ('payoffs = { a = -1, b = "0.5 - g" }', 'deal = { share = 0.5, police = "none" }'),
                (
                    "police = { none = 0, neutral = 1 }",
                    'police = { none = "0.1 / g", neutral = 1 }',
                ),
            ],
            "payoffs.a.police.none: the threshold search of game 'guarantee' over the range "
            "[0, 0.9] of g (games.guarantee.thresholds) reached a value where '0.1 / g': 0.1 / g "
            "is not finite for some deals or parameter values (division by zero?)",
            id="deal-outcome-payoff-model",
        ),
        pytest.param(
            [
                ("range = [0.1, 0.9]", "range = [0.0, 0.9]"),
                (
                    'chance = { honoured = "g", broken = "1 - g" }',
                    'chance = { honoured = "0.05 / g", broken = "1 - 0.05 / g" }',
                ),
            ],
            "games.guarantee.nodes.luck.chance.honoured: the threshold search of game 'guarantee' "
            "over the range [0, 0.9] of g (games.guarantee.thresholds) reached a value where "
            "'0.05 / g': 0.05 / g is not finite for some deals or parameter values (division by "
            "zero?)",
            id="chance-not-finite",
        ),
    ],
)
def test_a_threshold_range_that_leaves_the_game_fails_validate_as_solve(
    capsys, tmp_path, replacements, message
):
    # validate passed these files: only the solve's threshold search met the bad grid value
    text = SPLIT + GAME
    for old, new in replacements:
        text = _replaced(text, old, new)
    path, validate, solve = _both(capsys, tmp_path, text)
    line = f"dealsim: error: {path}: {message}\n"
    assert validate == (2, line)
    assert solve == (2, line)


def test_a_parameter_without_a_range_is_searched_over_zero_to_one(capsys, tmp_path):
    # no range: the search scans [0, 1], where "2 * g - 0.5" is negative below g = 0.25
    text = _replaced(SPLIT + GAME, "range = [0.1, 0.9]\n", "")
    text = _replaced(
        text,
        'chance = { honoured = "g", broken = "1 - g" }',
        'chance = { honoured = "2 * g - 0.5", broken = "1.5 - 2 * g" }',
    )
    _, validate, solve = _both(capsys, tmp_path, text)
    assert validate[0] == solve[0] == 2
    assert validate == solve
    assert "over the range [0, 1] of g" in validate[1]
    assert validate[1].endswith("got honoured=-0.5, broken=1.5 (sum 1) (g=0)\n")


@pytest.mark.parametrize(
    ("extra", "field", "source"),
    [
        pytest.param(
            '[[constraints]]\nlabel = "c"\nrequire = "1 / (share - 0.7) > -100"\n',
            "constraints[0].require",
            "1 / (share - 0.7) > -100",
            id="constraint",
        ),
        pytest.param(
            '[[payoffs.a.terms]]\nwhen = "police == \\"neutral\\" and 1 / (share - 0.7) > 0"\n'
            "add = 0.1\n",
            "payoffs.a.terms[0].when",
            'police == "neutral" and 1 / (share - 0.7) > 0',
            id="payoff-term",
        ),
    ],
)
def test_a_condition_that_divides_by_zero_at_some_deal_fails_validate(
    capsys, tmp_path, extra, field, source
):
    # finite at the first deal (share 0, no police), which was all validate evaluated; the solve
    # evaluates it at every deal and meets share = 0.7
    text = _replaced(SPLIT, "[payoffs.b]", extra + "\n[payoffs.b]")
    path, validate, solve = _both(capsys, tmp_path, text)
    line = (
        f"dealsim: error: {path}: {field}: '{source}': 1 / (share - 0.7) is not finite for some "
        "deals or parameter values (division by zero?)\n"
    )
    assert validate == (2, line)
    assert solve == (2, line)


WAR = """
[war]
p = { a = 0.6, b = 0.4 }
costs = { a = 0.15, b = 0.10 }
[war.shift]
party = "b"
amount = "0.5 * (share <= 0.5)"
caps = [{ when = "share >= 0.45", max = 0.1 }]

[ratification.b]
require = "share <= 0.5"
"""

# `share = 0.7` is a feasible deal unless the constraint `share <= 0.6` rules it out
FEASIBLE = [
    pytest.param(
        'amount = "0.5 * (share <= 0.5)"',
        'amount = "0.01 / (share - 0.7)"',
        "war.shift.amount",
        "'0.01 / (share - 0.7)': 0.01 / (share - 0.7)",
        id="shift-amount",
    ),
    pytest.param(
        'when = "share >= 0.45"',
        'when = "1 / (share - 0.7) > 0"',
        "war.shift.caps[0].when",
        "'1 / (share - 0.7) > 0': 1 / (share - 0.7)",
        id="shift-cap",
    ),
    pytest.param(
        'require = "share <= 0.5"',
        'require = "1 / (share - 0.7) < 0"',
        "ratification.b.require",
        "'1 / (share - 0.7) < 0': 1 / (share - 0.7)",
        id="ratification-require",
    ),
    pytest.param(
        'require = "share <= 0.5"',
        'poll_error = 0.05\nprobability = { intercept = 0, terms = { "0.1 / (share - 0.7)" = 1 } }',
        "ratification.b.probability.terms.0.1 / (share - 0.7)",
        "'0.1 / (share - 0.7)': 0.1 / (share - 0.7)",
        id="ratification-term",
    ),
    pytest.param(
        'require = "share <= 0.5"',
        'body = "council"',
        "bodies.council.accept.q",
        "'1 / (share - 0.7) > 0': 1 / (share - 0.7)",
        id="body-accept",
    ),
]


def _feasible_case(old, new):
    text = _replaced(SPLIT + WAR, old, new)
    return _replaced(text, 'q = "true"', 'q = "1 / (share - 0.7) > 0"')


@pytest.mark.parametrize(("old", "new", "field", "where"), FEASIBLE)
def test_an_expression_that_divides_by_zero_at_a_feasible_deal_fails_validate_as_solve(
    capsys, tmp_path, old, new, field, where
):
    # the war and ratification analyses evaluate these at every feasible deal: validate
    # evaluated them at the first deal only
    path, validate, solve = _both(capsys, tmp_path, _feasible_case(old, new))
    line = (
        f"dealsim: error: {path}: {field}: {where} is not finite for some deals or parameter "
        "values (division by zero?)\n"
    )
    assert validate == (2, line)
    assert solve == (2, line)


@pytest.mark.parametrize(("old", "new", "field", "where"), FEASIBLE)
def test_an_expression_that_divides_by_zero_at_an_infeasible_deal_passes_both(
    capsys, tmp_path, old, new, field, where
):
    # the solve never evaluates it at share = 0.7, which the constraint rules out: neither may
    # validate (a stricter validate would refuse files that solve)
    text = _feasible_case(old, new) + '\n[[constraints]]\nlabel = "c"\nrequire = "share <= 0.6"\n'
    _, validate, solve = _both(capsys, tmp_path, text)
    assert validate == (0, "")
    assert solve == (0, "")


def test_a_value_set_on_the_command_line_is_checked_over_the_threshold_search_too(capsys, tmp_path):
    # valid in the file (h = 0.05, g in [0.1, 0.9]); with --set h=0.1 the payoff divides by zero
    # at g = 0.1, the first grid value of the search: the same check, at the solve's values
    text = _replaced(SPLIT + GAME, "[parties.a]", "[parameters.h]\nvalue = 0.05\n\n[parties.a]")
    text = _replaced(text, 'b = "0.5 - g"', 'b = "1 / (g - h)"')
    path, validate, _ = _both(capsys, tmp_path, text)
    assert validate == (0, "")
    code, _, err = _run(capsys, "solve", path, "--set", "h=0.1")
    assert (code, err) == (
        2,
        f"dealsim: error: {path}: h=0.1 (the file has 0.05) is outside the model's domain: the "
        f"games analysis failed at g=0.5, h=0.1: {path}: outcomes.war.payoffs.b: the threshold "
        "search of game 'guarantee' over the range [0.1, 0.9] of g (games.guarantee.thresholds) "
        "reached a value where '1 / (g - h)': 1 / (g - h) is not finite for some deals or "
        "parameter values (division by zero?)\n",
    )


GAMBIT = Path(__file__).parent.parent / "io" / "data"


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("prisoners_dilemma.nfg", "ok: a normal-form game, 2 players, 2x2"),
        ("entry_types.efg", "ok: a game tree, 2 players, 11 nodes"),
    ],
)
def test_validate_reads_a_gambit_file_as_solve_does(capsys, name, line):
    # solve solves .nfg/.efg files; validate read them as TOML ("is not valid TOML")
    path = str(GAMBIT / name)
    assert _run(capsys, "validate", path) == (0, f"{path}: {line}\n", "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            'NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3\n',
            "game '{path}': end of file: expected a payoff",
            id="truncated",
        ),
        pytest.param(
            'EFG 2 R "x" { "a" }\nc "" 1 "" { "h" 1/2 "t" 1/2 } 0\nt "" 1 "" { 1 }\n'
            't "" 2 "" { 0 }\n',
            "{path}: the tree has no decision node (only chance moves): there is nothing to solve",
            id="chance-only",
        ),
    ],
)
def test_a_gambit_file_solve_refuses_fails_validate_with_the_same_line(
    capsys, tmp_path, text, message
):
    suffix = ".efg" if text.startswith("EFG") else ".nfg"
    path = tmp_path / f"g{suffix}"
    path.write_text(text, encoding="utf-8")
    line = "dealsim: error: " + message.format(path=path) + "\n"
    assert _run(capsys, "validate", str(path)) == (2, "", line)
    assert _run(capsys, "solve", str(path)) == (2, "", line)


def test_parties_whose_scales_are_too_far_apart_fail_validate_as_solve(capsys):
    # up's payoffs and reservation x 1e-8: solve refuses it (dealsim.zone.check_tolerance_share)
    path = Path(__file__).parents[1] / "data" / "water_scaled_up.toml"
    validate, solve = _run(capsys, "validate", str(path)), _run(capsys, "solve", str(path))
    assert validate[0] == solve[0] == 2
    assert validate[2] == solve[2]
    assert "party 'up': its utilities (scale 1.1e-08) are too small" in validate[2]


def test_parties_of_comparable_scales_pass_validate(capsys, tmp_path):
    text = (Path(__file__).parents[1] / "data" / "water_scaled_up.toml").read_text("utf-8")
    path = tmp_path / "water.toml"
    path.write_text(_replaced(text, "value = 1e-8\n", "value = 1.0\n"), encoding="utf-8")
    code, out, _ = _run(capsys, "validate", str(path))
    assert (code, out.split(": ")[1]) == (0, "ok")
