"""The expression language: what it evaluates, and what it refuses."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from dealsim.expressions import ExpressionError, LevelValues, evaluate_number, parse_expression

POLICE = LevelValues(np.array([0, 1, 2, 1]), ("none", "russian_guard", "neutral"))
ENV = {
    "x": np.array([0.0, 0.5, 1.0, 2.0]),
    "c": 0.5,
    "police": POLICE,
    "flag": LevelValues(np.array([0, 1, 1, 0]), (False, True)),
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("x + 1", [1.0, 1.5, 2.0, 3.0], id="add"),
        pytest.param("2 * x - c", [-0.5, 0.5, 1.5, 3.5], id="parameter"),
        pytest.param("x / 2", [0.0, 0.25, 0.5, 1.0], id="divide"),
        pytest.param("-x", [-0.0, -0.5, -1.0, -2.0], id="negate"),
        pytest.param("min(x, 1)", [0.0, 0.5, 1.0, 1.0], id="min"),
        pytest.param("max(x, c, 0.7)", [0.7, 0.7, 1.0, 2.0], id="max-three"),
        pytest.param("flag + 1", [1.0, 2.0, 2.0, 1.0], id="boolean-levels-as-numbers"),
    ],
)
def test_arithmetic_evaluates_vectorised(source, expected):
    assert_allclose(parse_expression(source).evaluate(ENV), expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param('police == "neutral"', [False, False, True, False], id="level-equality"),
        pytest.param('police != "none"', [False, True, True, True], id="level-inequality"),
        pytest.param('police >= "russian_guard"', [False, True, True, True], id="level-order"),
        pytest.param("0.4 < x <= 1", [False, True, True, False], id="chained"),
        pytest.param("flag and x > 0.7", [False, False, True, False], id="and-boolean-level"),
        pytest.param("not flag or x == 0", [True, False, False, True], id="not-or"),
        pytest.param("flag == true", [False, True, True, False], id="compare-true"),
    ],
)
def test_conditions_evaluate_to_masks(source, expected):
    assert parse_expression(source).evaluate_mask(ENV).tolist() == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param("__import__('os').system('ls')", "calls other than min", id="import-call"),
        pytest.param("x.__class__", "attribute access", id="dunder-attribute"),
        pytest.param("_secret + 1", "names starting with '_'", id="underscore-name"),
        pytest.param("x[0]", "Subscript is not allowed", id="subscript"),
        pytest.param("lambda: 1", "Lambda is not allowed", id="lambda"),
        pytest.param("[i for i in x]", "not allowed", id="comprehension"),
        pytest.param("open('f')", "calls other than min", id="open"),
        pytest.param("min(*x)", "calls other than min", id="starred"),
        pytest.param("x ** 2", "Pow is not allowed", id="power"),
        pytest.param("x +", "cannot parse", id="syntax"),
        pytest.param("", "non-empty", id="empty"),
    ],
)
def test_unsafe_or_invalid_expressions_are_rejected(source, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(")):
        parse_expression(source)


def test_unknown_names_are_rejected_with_the_known_ones():
    with pytest.raises(ExpressionError, match=r"unknown name 'crediblity' \(known: credibility\)"):
        parse_expression("crediblity * 2", names={"credibility"})


def test_comparing_with_a_missing_level_names_the_levels():
    with pytest.raises(ExpressionError, match='"neutrl" is not one of the levels'):
        parse_expression('police == "neutrl"').evaluate_mask(ENV)


def test_a_number_is_not_a_condition():
    with pytest.raises(ExpressionError, match="not a condition"):
        parse_expression("x + 1").evaluate_mask(ENV)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x > 1 and x + 1", "'x + 1' is not a condition (it gives a number)"),
        ("not (c * 2)", "'c * 2' is not a condition (it gives a number)"),
        ("x > 1 or police", "'police' is not a condition: an issue with non-boolean levels"),
    ],
)
def test_an_operand_that_is_not_a_condition_is_named_by_its_text(source, message):
    with pytest.raises(ExpressionError) as error:
        parse_expression(source).evaluate_mask(ENV)
    assert str(error.value).startswith(message)


def test_text_levels_are_not_numbers():
    with pytest.raises(ExpressionError, match="text levels"):
        parse_expression("police + 1").evaluate(ENV)


def test_numeric_field_must_be_finite():
    with pytest.raises(ExpressionError, match="not finite"):
        evaluate_number(parse_expression("1 / c"), {"c": 0.0})


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=20))
def test_expressions_broadcast_over_parameter_draws(xs):
    draws = np.asarray(xs)
    result = evaluate_number(parse_expression("0.2 + 0.3 * c - min(c, 0)"), {"c": draws})
    assert_allclose(result, 0.2 + 0.3 * draws - np.minimum(draws, 0))


def test_a_levels_issue_compared_with_parameter_draws_compares_each_draw():
    env = {
        "mode": LevelValues(np.array([0, 1, 2]), (2, 3, 4)),
        "m": np.array([[3.0], [4.0], [2.0]]),  # three draws (S, 1) against three deals
    }
    assert parse_expression("mode == m").evaluate_mask(env).tolist() == [
        [False, True, False],
        [False, False, True],
        [True, False, False],
    ]
    assert parse_expression("m >= mode").evaluate_mask(env)[0].tolist() == [True, True, False]
    env["m"] = np.array([[3.0], [5.0]])
    with pytest.raises(ExpressionError, match=r"^5\.0 is not one of the levels \(2, 3, 4\)"):
        parse_expression("mode == m").evaluate_mask(env)
