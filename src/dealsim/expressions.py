"""A small, safe expression language for scenario files.

Scenario files use expressions in ``when`` and ``require`` fields and in any numeric field
(``"0.2 + 0.3 * credibility"``). An expression is parsed once with :mod:`ast` and checked against a
whitelist of node types; it is then evaluated with numpy over whole arrays of deals (or of parameter
draws) at once. Nothing is ever passed to ``eval``: attribute access, subscripts, calls other than
``min``/``max``, lambdas, comprehensions and dunder names are rejected at parse time.

The grammar: numbers, strings, ``true``/``false``, names (issue ids and parameter ids), ``+ - * /``,
unary ``-``, comparisons (``== != < <= > >=``, chains allowed), ``and``/``or``/``not``, parentheses,
and ``min(a, b, ...)`` / ``max(a, b, ...)``.

Issues with ``levels`` evaluate to :class:`LevelValues`: comparing one with a level (``police ==
"neutral_force"``) compares positions, so ``<`` follows the order in which the levels are listed.
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dealsim.errors import DealsimError, elided

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_MAGNITUDE",
    "RESERVED_NAMES",
    "Expression",
    "ExpressionError",
    "LevelValues",
    "evaluate_number",
    "parse_expression",
]

MAX_LENGTH = 2000
"""The longest expression, in characters."""

MAX_DEPTH = 100
"""The deepest nesting of an expression's syntax tree (``not not ... x``, ``a + b + ...``)."""

MAX_MAGNITUDE = 1e15
"""The largest absolute value of a number written in a scenario file or an expression."""

_CONSTANT_NAMES = {"true": True, "false": False, "True": True, "False": False}
_FUNCTIONS = {"min": np.minimum, "max": np.maximum}
RESERVED_NAMES = frozenset(_CONSTANT_NAMES) | frozenset(_FUNCTIONS) | frozenset(keyword.kwlist)
"""Names the language defines (constants, functions, keywords): no issue or parameter uses one."""
_BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Compare,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Call,
    *_BINARY,
    *_COMPARE,
)
_ALLOWED_TEXT = (
    "numbers, strings, true/false, issue and parameter names, + - * /, comparisons, "
    "and/or/not, parentheses, min(...) and max(...)"
)


class ExpressionError(DealsimError, ValueError):
    """An expression is not in the allowed language or cannot be evaluated.

    Examples
    --------
    >>> try:
    ...     parse_expression("__import__('os')")
    ... except ExpressionError as error:
    ...     print(error)
    calls other than min(...) and max(...) are not allowed (allowed: numbers, strings, true/false, \
issue and parameter names, + - * /, comparisons, and/or/not, parentheses, min(...) and max(...))
    """


@dataclass(frozen=True)
class LevelValues:
    """The value of a levels issue over many deals: positions into ``levels``.

    Examples
    --------
    >>> v = LevelValues(codes=np.array([0, 2, 1]), levels=("none", "bilateral", "article5"))
    >>> v.code_of("article5")
    2
    """

    codes: np.ndarray
    levels: tuple[Any, ...]

    def code_of(self, value: Any) -> int:
        """Position of ``value`` among the levels; an error names the allowed levels."""
        for code, level in enumerate(self.levels):
            if type(level) is type(value) and level == value:
                return code
            if _is_number(level) and _is_number(value) and level == value:
                return code
        allowed = elided(_show(level) for level in self.levels)
        raise ExpressionError(f"{_show(value)} is not one of the levels ({allowed})")

    def numeric(self) -> np.ndarray:
        """The levels' values as numbers (booleans count as 0/1); an error if a level is text."""
        if any(isinstance(level, str) for level in self.levels):
            allowed = elided(_show(level) for level in self.levels)
            raise ExpressionError(
                f"an issue with text levels ({allowed}) cannot be used as a number; "
                'compare it with a level instead, e.g. issue == "level"'
            )
        return np.asarray(self.levels, dtype=float)[self.codes]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


@dataclass(frozen=True)
class Expression:
    """A parsed, whitelisted expression.

    Use :func:`parse_expression` to make one.

    Examples
    --------
    >>> expr = parse_expression("0.2 + 0.3 * credibility")
    >>> sorted(expr.names)
    ['credibility']
    >>> float(expr.evaluate({"credibility": 0.5}))
    0.35
    """

    source: str
    tree: ast.Expression
    names: frozenset[str]
    origin: str = field(default="", compare=False, repr=False)
    """Where the expression was read (``file: dotted.field``); errors at evaluation start with it.
    The scenario compiler sets it, so an error at solve time (``--set`` values) names the field
    as validation does."""

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """Evaluate over ``env`` (names to numbers, arrays or :class:`LevelValues`)."""
        try:
            # Non-finite intermediates are checked by _Evaluator._finite (an error naming the
            # sub-expression), so numpy's own warnings about them are redundant here.
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                value = _Evaluator(env, self.source).visit(self.tree.body)
            if isinstance(value, LevelValues):
                return value.numeric()
        except ExpressionError as error:
            raise self._located(error) from None
        return value

    def _located(self, error: ExpressionError) -> ExpressionError:
        """``error`` prefixed with :attr:`origin` (unchanged when there is none)."""
        return ExpressionError(f"{self.origin}: {error}") if self.origin else error

    def evaluate_mask(self, env: Mapping[str, Any]) -> np.ndarray:
        """Evaluate as a condition: a boolean array (or scalar) over ``env``.

        A number that is not finite anywhere inside (``(x - x) / 0 == 0``) is an error, not a
        silent ``False``.

        Examples
        --------
        >>> expr = parse_expression('x > 1 and police == "neutral"')
        >>> env = {"x": np.array([0.0, 2.0, 3.0]),
        ...        "police": LevelValues(np.array([1, 1, 0]), ("russian", "neutral"))}
        >>> expr.evaluate_mask(env).tolist()
        [False, True, False]
        >>> parse_expression("(x - x) / 0 == 0").evaluate_mask({"x": np.array([1.0])})
        Traceback (most recent call last):
        ...
        dealsim.expressions.ExpressionError: '(x - x) / 0 == 0': (x - x) / 0 is not finite ...
        """
        try:
            # as in evaluate: _Evaluator._finite reports non-finite values itself
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                value = _Evaluator(env, self.source).visit(self.tree.body)
            return _as_bool(value, self.source)
        except ExpressionError as error:
            raise self._located(error) from None


def parse_expression(source: str, *, names: frozenset[str] | set[str] | None = None) -> Expression:
    """Parse ``source`` into an :class:`Expression`, rejecting anything outside the language.

    Parameters
    ----------
    source : str
        The expression text.
    names : set of str, optional
        The names that may appear (issue and parameter ids). ``None`` allows any name.

    Raises
    ------
    ExpressionError
        If the text is not valid, uses a construct outside the whitelist, or an unknown name.

    Examples
    --------
    >>> parse_expression("max(a, 1) / 2").source
    'max(a, 1) / 2'
    >>> parse_expression("a.b")
    Traceback (most recent call last):
    ...
    dealsim.expressions.ExpressionError: attribute access is not allowed (allowed: ...)
    >>> parse_expression("b + 1", names={"a"})
    Traceback (most recent call last):
    ...
    dealsim.expressions.ExpressionError: unknown name 'b' (known: a)
    """
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("an expression must be a non-empty string")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            f"an expression may be at most {MAX_LENGTH} characters long, not {len(source):,}"
        )
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"cannot parse {_short(source)!r}: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):  # nesting beyond the parser's own stack
        raise ExpressionError(
            f"{_short(source)!r} is nested too deeply (at most {MAX_DEPTH} levels)"
        ) from None
    _check_depth(tree, source)
    used: set[str] = set()
    for node in ast.walk(tree):
        _check_node(node, used)
    if names is not None:
        unknown = sorted(used - set(names))
        if unknown:
            known = ", ".join(sorted(names)) or "none"
            raise ExpressionError(f"unknown name {unknown[0]!r} (known: {known})")
    return Expression(source=source.strip(), tree=tree, names=frozenset(used))


def _short(source: str, limit: int = 60) -> str:
    source = source.strip()
    return source if len(source) <= limit else source[: limit - 3] + "..."


def _check_depth(tree: ast.AST, source: str) -> None:
    """Refuse a syntax tree deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"{_short(source)!r} is nested too deeply (at most {MAX_DEPTH} levels; "
                "split it or simplify it)"
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _check_node(node: ast.AST, used: set[str]) -> None:
    if isinstance(node, ast.Attribute):
        raise ExpressionError(f"attribute access is not allowed (allowed: {_ALLOWED_TEXT})")
    if isinstance(node, ast.Call):
        if (
            not isinstance(node.func, ast.Name)
            or node.func.id not in _FUNCTIONS
            or node.keywords
            or not node.args
            or any(isinstance(arg, ast.Starred) for arg in node.args)
        ):
            raise ExpressionError(
                f"calls other than min(...) and max(...) are not allowed (allowed: {_ALLOWED_TEXT})"
            )
        return
    if not isinstance(node, _ALLOWED_NODES):
        what = type(node).__name__
        raise ExpressionError(f"{what} is not allowed in an expression (allowed: {_ALLOWED_TEXT})")
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"names starting with '_' are not allowed: {node.id!r}")
        if node.id not in _CONSTANT_NAMES and node.id not in _FUNCTIONS:
            used.add(node.id)
    if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool)):
        raise ExpressionError(f"the constant {node.value!r} is not allowed")
    if isinstance(node, ast.Constant) and _is_number(node.value):
        value = node.value
        if (isinstance(value, int) and value.bit_length() > 64) or not math.isfinite(value):
            big = True
        else:
            big = abs(value) > MAX_MAGNITUDE
        if big:
            digits = len(str(abs(value))) if isinstance(value, int) else None
            text = f"a {digits}-digit number" if digits else f"the number {value!r}"
            raise ExpressionError(
                f"{text} is too large (numbers may be at most {MAX_MAGNITUDE:g} in absolute value)"
            )


def _as_bool(value: Any, source: str | ast.AST) -> Any:
    """``value`` as a condition; ``source`` (its text, or its node: unparsed only for an error)
    names it in the error."""
    if isinstance(value, LevelValues):
        if all(isinstance(level, bool) for level in value.levels):
            return np.asarray(value.levels, dtype=bool)[value.codes]
        raise ExpressionError(
            f"{_text(source)!r} is not a condition: an issue with non-boolean levels must be "
            'compared with a level, e.g. issue == "level"'
        )
    if isinstance(value, str):
        raise ExpressionError(
            f"{_text(source)!r} is not a condition: a string is not true or false"
        )
    array = np.asarray(value)
    if array.dtype == bool:
        return value
    raise ExpressionError(
        f"{_text(source)!r} is not a condition (it gives a number); use a comparison such as "
        "x > 0.5"
    )


def _text(source: str | ast.AST) -> str:
    return source if isinstance(source, str) else ast.unparse(source)


def _as_number(value: Any) -> Any:
    if isinstance(value, LevelValues):
        return value.numeric()
    if isinstance(value, str):
        raise ExpressionError(f'the string "{value}" can only be compared with a levels issue')
    return value


class _Evaluator(ast.NodeVisitor):
    def __init__(self, env: Mapping[str, Any], source: str = ""):
        self.env = env
        self.source = source

    def _finite(self, value: Any, node: ast.AST) -> Any:
        """``value`` if every element is finite; else an error naming the sub-expression."""
        array = np.asarray(value)
        if np.issubdtype(array.dtype, np.inexact) and not np.all(np.isfinite(array)):
            raise ExpressionError(
                f"{_short(self.source)!r}: {_short(ast.unparse(node))} is not finite "
                "for some deals or parameter values (division by zero?)"
            )
        return value

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in _CONSTANT_NAMES:
            return _CONSTANT_NAMES[node.id]
        try:
            return self.env[node.id]
        except KeyError:
            raise ExpressionError(f"unknown name {node.id!r}") from None

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return np.logical_not(_as_bool(operand, node.operand))
        value = _as_number(operand)
        return self._finite(np.negative(value), node) if isinstance(node.op, ast.USub) else value

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left = _as_number(self.visit(node.left))
        right = _as_number(self.visit(node.right))
        if isinstance(left, bool) or isinstance(right, bool):
            left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
        return self._finite(_BINARY[type(node.op)](left, right), node)

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        values = [_as_bool(self.visit(v), v) for v in node.values]
        result = values[0]
        for value in values[1:]:
            result = combine(result, value)
        return result

    def visit_Compare(self, node: ast.Compare) -> Any:
        result: Any = True
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            result = np.logical_and(result, _compare(_COMPARE[type(op)], left, right))
            left = right
        return result

    def visit_Call(self, node: ast.Call) -> Any:
        function = _FUNCTIONS[node.func.id]  # type: ignore[attr-defined]
        values = [_as_number(self.visit(arg)) for arg in node.args]
        result = values[0]
        for value in values[1:]:
            result = function(result, value)
        return self._finite(result, node)

    def generic_visit(self, node: ast.AST) -> Any:  # pragma: no cover - parse rejects these
        raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")


def _compare(op: Any, left: Any, right: Any) -> Any:
    left_levels, right_levels = isinstance(left, LevelValues), isinstance(right, LevelValues)
    if left_levels and right_levels:
        return op(left.numeric(), right.numeric())
    if left_levels:
        return op(left.codes, _codes_of(left, right))
    if right_levels:
        return op(_codes_of(right, left), right.codes)
    if isinstance(left, str) or isinstance(right, str):
        if op not in (operator.eq, operator.ne) or not (
            isinstance(left, str) and isinstance(right, str)
        ):
            raise ExpressionError("a string can only be compared with a levels issue")
        return op(left, right)
    return op(np.asarray(left), np.asarray(right))


def _codes_of(levels: LevelValues, value: Any) -> Any:
    """The position of ``value`` among the levels; of each value for an array of them (parameter
    draws), each found as :meth:`LevelValues.code_of` finds one value."""
    array = np.asarray(value)
    if isinstance(value, str) or array.ndim == 0:
        return levels.code_of(value)
    distinct, inverse = np.unique(array, return_inverse=True)
    codes = np.array([levels.code_of(v) for v in distinct.tolist()], dtype=np.intp)
    return codes[inverse].reshape(array.shape)


def evaluate_number(
    value: float | Expression, parameters: Mapping[str, Any], *, what: str = "value"
) -> Any:
    """Resolve a numeric field that is a number or an expression over parameters.

    Parameters may be scalars or arrays (a batch of parameter draws); the result broadcasts.

    Raises
    ------
    ExpressionError
        If the expression does not give a finite number.

    Examples
    --------
    >>> evaluate_number(parse_expression("2 * c"), {"c": 0.25})
    0.5
    >>> evaluate_number(0.3, {})
    0.3
    """
    if not isinstance(value, Expression):
        return value
    result = value.evaluate(parameters)
    array = np.asarray(result)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise value._located(ExpressionError(f"{what} {value.source!r} must give a number"))
    if not np.all(np.isfinite(array)):
        raise value._located(
            ExpressionError(f"{what} {value.source!r} is not finite (division by zero?)")
        )
    return float(array) if array.ndim == 0 else array
