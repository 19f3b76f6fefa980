"""Loading scenario files: bundled names, hashing, and a clear error for every kind of bad file."""

import hashlib
import subprocess
import sys

import numpy as np
import pytest

import dealsim
from dealsim.errors import ScenarioError
from dealsim.scenario import bundled_scenarios, load, loads, scenario_json_schema

VALID = """
[scenario]
name = "toy"

[parameters]
c = 0.5

[parties.a]
reservation = 0.2
[parties.b]
reservation = "0.1 * c"

[issues.share]
range = [0, 1]
steps = 5
[issues.police]
levels = ["none", "neutral"]

[payoffs.a]
weights = { share = 0.7, police = 0.3 }
share = { points = [[0, 0], [1, 1]] }
police = { none = 0, neutral = 1 }

[payoffs.b]
weights = { share = 1 }
share = { points = [[0, 1], [1, 0]] }

[[payoffs.b.terms]]
when = 'police == "neutral"'
add = "-0.1 * c"

[[constraints]]
label = "some share"
require = "share > 0"
party = "a"
"""


def test_a_valid_file_loads():
    scenario = loads(VALID, file="toy.toml")
    assert scenario.party_ids == ("a", "b")
    assert scenario.issue("share").values == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert scenario.reservations().tolist() == [0.2, 0.05]


def test_bundled_scenarios_load_by_name_and_by_path():
    names = bundled_scenarios()
    assert {"donbas-2026", "split-linear", "logroll"} <= set(names)
    for name, path in names.items():
        by_name, by_path = load(name), load(path)
        assert by_name.sha256 == by_path.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenario_solves(name):
    result = dealsim.solve(load(name))
    document = result.to_dict()
    assert document["scenario"]["sha256"] == load(name).sha256
    assert document["deal_space"]["size"] > 0


def _replace(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


BAD_FILES = [
    pytest.param(
        VALID.replace('[scenario]\nname = "toy"\n', ""),
        "scenario",
        "required field is missing",
        id="missing-section",
    ),
    pytest.param(
        _replace('name = "toy"', 'nme = "toy"'),
        "scenario.nme",
        "unknown key (allowed: name, description, sources)",
        id="unknown-key",
    ),
    pytest.param(
        _replace("reservation = 0.2", "reservaton = 0.2"),
        "parties.a.reservaton",
        "unknown key (allowed: label, reservation",
        id="typo-in-party",
    ),
    pytest.param(
        _replace("steps = 5", 'steps = "five"'), "issues.share.steps", "integer", id="wrong-type"
    ),
    pytest.param(
        _replace("reservation = 0.2", "reservation = nan"),
        "parties.a.reservation",
        "finite",
        id="nan",
    ),
    pytest.param(
        _replace("reservation = 0.2", "reservation = inf"),
        "parties.a.reservation",
        "finite",
        id="infinity",
    ),
    pytest.param(
        _replace("share = 0.7, police", "shar = 0.7, police"),
        "payoffs.a.weights.shar",
        "unknown issue 'shar' (issues: share, police)",
        id="weight-for-unknown-issue",
    ),
    pytest.param(
        _replace("police = { none = 0, neutral = 1 }", "police = { none = 0 }"),
        "payoffs.a.police",
        "no value for level 'neutral'",
        id="missing-level-value",
    ),
    pytest.param(
        _replace(
            "police = { none = 0, neutral = 1 }", "police = { none = 0, neutral = 1, nato = 2 }"
        ),
        "payoffs.a.police.nato",
        "'nato' is not a level of issue 'police'",
        id="unknown-level",
    ),
    pytest.param(
        _replace("""add = "-0.1 * c\"""", """add = "__import__('os').getcwd()\""""),
        "payoffs.b.terms[0].add",
        "calls other than min",
        id="malicious-expression",
    ),
    pytest.param(
        _replace("""require = "share > 0\"""", """require = "share.__class__.__bases__\""""),
        "constraints[0].require",
        "attribute access",
        id="dunder-in-constraint",
    ),
    pytest.param(
        _replace("""when = 'police == "neutral"'""", """when = 'police == "neutrl"'"""),
        "payoffs.b.terms[0].when",
        '"neutrl" is not one of the levels',
        id="misspelt-level-in-condition",
    ),
    pytest.param(
        _replace('party = "a"', 'party = "c"'),
        "constraints[0].party",
        "unknown party 'c' (parties: a, b)",
        id="constraint-for-unknown-party",
    ),
    pytest.param(
        _replace("range = [0, 1]\nsteps = 5", "range = [1, 0]\nsteps = 5"),
        "issues.share",
        "lo < hi",
        id="empty-range",
    ),
    pytest.param(
        _replace("range = [0, 1]\nsteps = 5", "steps = 5"),
        "issues.share",
        "exactly one of 'range'",
        id="neither-range-nor-levels",
    ),
    pytest.param(
        _replace(
            "[payoffs.b]\nweights = { share = 1 }",
            "[payoffs.b]\nweights = { police = 1 }\npolice = { none = 0, neutral = 1 }",
        ),
        "payoffs.b.share",
        "no weight for it",
        id="value-function-without-weight",
    ),
    pytest.param(
        _replace("share = { points = [[0, 0], [1, 1]] }", "share = { points = [[1, 0], [0, 1]] }"),
        "payoffs.a.share.points",
        "increasing order",
        id="points-out-of-order",
    ),
    pytest.param(
        _replace('reservation = "0.1 * c"', 'reservation = "0.1 * share"'),
        "parties.b.reservation",
        "unknown name 'share'",
        id="issue-in-numeric-field",
    ),
    pytest.param(
        _replace("[parties.b]\n", "[parties.b]\npower = -1\n"),
        "parties.b.power",
        "out of bounds",
        id="negative-power",
    ),
    pytest.param(_replace("c = 0.5", "c = [1, 2]"), "parameters.c", "", id="parameter-list"),
    pytest.param(
        VALID + "\n[payoffs.c]\nweights = {share = 1}\n",
        "payoffs",
        "unknown party 'c'",
        id="payoffs-for-unknown-party",
    ),
    pytest.param("[scenario\nname = 1", "", "is not valid TOML", id="not-toml"),
]


@pytest.mark.parametrize(("text", "field", "message"), BAD_FILES)
def test_bad_files_give_a_clear_error_naming_file_and_field(tmp_path, text, field, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load(path)
    error = caught.value
    assert error.file == str(path)
    assert (error.field or "") == field
    assert message in error.message


@pytest.mark.parametrize(("text", "field", "message"), BAD_FILES[:4] + BAD_FILES[9:10])
def test_the_cli_prints_one_line_and_exits_2_on_bad_files(tmp_path, text, field, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    process = subprocess.run(
        [sys.executable, "-m", "dealsim.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    assert process.stderr.startswith(f"dealsim: error: {path}")
    assert message in process.stderr


def test_a_missing_file_lists_the_bundled_names(tmp_path):
    with pytest.raises(ScenarioError, match=r"no such file or bundled scenario .*donbas-2026"):
        load(tmp_path / "nothing.toml")


def test_the_json_schema_describes_the_sections():
    schema = scenario_json_schema()
    assert {"scenario", "parties", "issues", "payoffs"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_the_json_schema_uses_json_schema_keywords_for_bounds():
    # pydantic wrote its own "ge"/"le" for the optional `steps`: editors ignore those
    schema = scenario_json_schema()

    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert not {"ge", "le", "gt", "lt"} & set(keys(schema))
    steps = schema["$defs"]["IssueSpec"]["properties"]["steps"]["anyOf"][0]
    assert (steps["minimum"], steps["maximum"]) == (2, 100_000)


INTEGER_LEVELS = """
[scenario]
name = "integer levels"

[parties.a]
reservation = 0.1
[parties.b]
reservation = 0.1

[issues.brigades]
levels = [0, 1, 2]

[payoffs.a]
weights = { brigades = 1 }
brigades = { "0" = 0.0, "1" = 0.5, "2" = 1.0 }

[payoffs.b]
weights = { brigades = 1 }
brigades = { "0" = 1.0, "1" = 0.6, "2" = 0.0 }

[[constraints]]
label = "not one brigade"
require = "brigades != 1"
"""


def test_integer_levels_stay_integers_and_are_not_read_as_booleans():
    # levels 0 and 1 once loaded as false and true, so `brigades != 1` matched nothing
    scenario = loads(INTEGER_LEVELS)
    values = scenario.issues[0].values
    assert values == (0, 1, 2)
    assert [type(v) for v in values] == [int, int, int]
    zone = dealsim.solve(scenario).to_dict()["agreement_zone"]
    assert zone["feasible"] == 2
    assert zone["constraint_violations"] == {"not one brigade": 1}


def test_boolean_and_mixed_levels_keep_their_types():
    text = INTEGER_LEVELS.replace("levels = [0, 1, 2]", 'levels = [false, true, "x", 2.5]')
    a_table, b_table = '{ "0" = 0.0, "1" = 0.5, "2" = 1.0 }', '{ "0" = 1.0, "1" = 0.6, "2" = 0.0 }'
    text = text.replace(a_table, '{ false = 0, true = 1, x = 0.5, "2.5" = 0 }')
    text = text.replace(b_table, '{ false = 1, true = 0, x = 0.5, "2.5" = 1 }')
    text = text.replace('require = "brigades != 1"', 'require = "brigades != true"')
    values = loads(text).issues[0].values
    assert values == (False, True, "x", 2.5)
    assert [type(v) for v in values] == [bool, bool, str, float]


@pytest.mark.parametrize(
    ("levels", "repeated"),
    [('["x", "x"]', "'x'"), ('[2, "2"]', "'2'"), ('[true, "true", 0, 0]', "'0', 'true'")],
)
def test_levels_that_a_payoff_table_cannot_tell_apart_are_refused(levels, repeated):
    # the check existed but sat after a raise: two equal levels made one deal twice
    text = INTEGER_LEVELS.replace("levels = [0, 1, 2]", f"levels = {levels}")
    with pytest.raises(
        ScenarioError, match=rf"issues\.brigades: levels must be distinct: {repeated}"
    ):
        loads(text)


AT_THE_EDGE = _replace("steps = 5", "steps = 21").replace(
    'when = \'police == "neutral"\'\nadd = "-0.1 * c"', 'when = "share > 0.6"\nadd = 0.5'
)  # b's utility: 1 - share, plus 0.5 strictly above share 0.6


def test_a_condition_at_a_grid_point_holds_as_written():
    """A range's grid points are the decimals they print as: at strip = 0.6, ``strip > 0.6``
    is false (``np.linspace`` gives 0.6000000000000001 there, which made it true)."""
    from dealsim.space import DealSpace, UtilityModel

    scenario = loads(AT_THE_EDGE, file="edge.toml")
    space = DealSpace(scenario)
    codes = space.codes()
    u = UtilityModel.from_scenario(scenario).utilities(space, codes)
    assert scenario.issues[0].values[12] == 0.6
    strip = np.asarray(scenario.issues[0].values)[codes[:, 0]]  # each deal's share
    bonus = u[:, 1] - (1 - strip)
    np.testing.assert_allclose(bonus, np.where(strip > 0.6 + 1e-9, 0.5, 0.0), atol=1e-12)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e300, 1e16, True, "0.3", [0.1]])
def test_a_parameter_value_must_be_a_number_a_file_could_hold(value):
    with pytest.raises(ScenarioError, match=r"'fortress_risk': .* is not allowed"):
        load("donbas-2026").with_parameters(fortress_risk=value)


def test_a_set_value_past_the_magnitude_limit_is_one_line_and_exit_2(capsys):
    from dealsim.cli import main

    assert main(["solve", "donbas-2026", "--set", "fortress_risk=1e300"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "magnitude at most 1e+15" in err
