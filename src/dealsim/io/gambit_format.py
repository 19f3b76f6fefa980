"""Writing Gambit's ``.nfg`` and ``.efg`` text: numbers that read back exactly, quoted names.

Numbers are written as integers, short decimals or fractions that Gambit reads back to the same
float; chance probabilities are written as rationals that sum to exactly one.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from dealsim._format import plain_float
from dealsim.errors import GameError
from dealsim.solvers._tree import CHANCE, DECISION, TERMINAL
from dealsim.solvers.sequential import GameTree, normal_form

__all__ = ["format_efg", "format_nfg"]


def _fmt(x: float) -> str:
    """An integer, a short decimal or a fraction that Gambit reads back as ``x``.

    Exact where a short form exists (``1/3``); a value that differs from a short decimal only by
    binary noise of the arithmetic that made it (``0.5650000000000001``) is written as that
    decimal (``0.565``), within a few units in the last place.

    Examples
    --------
    >>> _fmt(2.0), _fmt(1 / 3), _fmt(0.1 * 3), _fmt(0.5650000000000001), _fmt(0.1234567890123)
    ('2', '1/3', '0.3', '0.565', '0.1234567890123')
    """
    if float(x).is_integer():
        return str(int(x))
    text = np.format_float_positional(x, unique=True, trim="-")
    if len(text) > 12:
        frac = Fraction(x).limit_denominator(1_000_000)
        if float(frac) == x:
            return f"{frac.numerator}/{frac.denominator}"
        plain = plain_float(x)
        if abs(plain - x) <= 4 * np.spacing(abs(x)):
            return np.format_float_positional(plain, unique=True, trim="-")
    return text


def _rational(x: float) -> Fraction:
    small = Fraction(x).limit_denominator(1_000_000)
    return small if float(small) == x else Fraction(x)


def _exact_probabilities(probs: np.ndarray) -> list[str]:
    """Chance probabilities as rationals summing to exactly 1, as Gambit requires.

    Each is the simplest fraction that reads back to the same float; the last absorbs the
    rounding of the others (within the tolerance the tree was validated with).
    """
    fracs = [_rational(float(p)) for p in probs]
    fracs[-1] = 1 - sum(fracs[:-1], Fraction(0))
    out = []
    for f in fracs:
        text = _fmt(float(f))
        out.append(text if Fraction(text) == f else f"{f.numerator}/{f.denominator}")
    return out


def _quote(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_nfg(game: Any, *, form: Literal["outcome", "payoff"] = "outcome") -> str:
    """Gambit ``.nfg`` text of a normal-form game (or of a tree, via its normal form).

    Parameters
    ----------
    game : NormalFormGame, GameTree, or any object with ``payoffs``, ``players``,
        ``strategies`` (and optionally ``title``) attributes.
    form : {"outcome", "payoff"}, default "outcome"
        Gambit's outcome list with one outcome per profile, or the plain payoff vector.

    Returns
    -------
    str

    Examples
    --------
    >>> from dealsim.io.gambit_parse import parse_nfg
    >>> nf = parse_nfg('NFG 1 R "PD" { "A" "B" } { 2 2 } 3 3 5 0 0 5 1 1')
    >>> print(format_nfg(nf, form="payoff"))
    NFG 1 R "PD" { "A" "B" }
    { { "1" "2" } { "1" "2" } }
    ""
    <BLANKLINE>
    3 3 5 0 0 5 1 1
    <BLANKLINE>
    """
    if isinstance(game, GameTree):
        game = normal_form(game)
    payoffs = np.asarray(game.payoffs, dtype=float)
    players = [str(p) for p in game.players]
    strategies = [[str(s) for s in row] for row in game.strategies]
    shape = tuple(len(s) for s in strategies)
    if payoffs.shape != (len(players), *shape):
        raise GameError(
            f"payoffs have shape {payoffs.shape}, expected {(len(players), *shape)}",
            game=getattr(game, "title", None),
        )
    if form not in ("outcome", "payoff"):
        raise GameError(f"form must be 'outcome' or 'payoff', got {form!r}")
    # one row per profile, the first player's strategy fastest
    rows = np.stack([payoffs[p].reshape(-1, order="F") for p in range(len(players))], axis=1)
    head = [
        f"NFG 1 R {_quote(getattr(game, 'title', ''))} {{ {' '.join(map(_quote, players))} }}",
        "{ " + " ".join("{ " + " ".join(map(_quote, s)) + " }" for s in strategies) + " }",
        '""',
        "",
    ]
    if form == "payoff":
        body = [" ".join(_fmt(v) for v in rows.ravel())]
    else:
        body = ["{"]
        body += ['{ "" ' + ", ".join(_fmt(v) for v in row) + " }" for row in rows]
        body += ["}", " ".join(str(k + 1) for k in range(rows.shape[0]))]
    return "\n".join(head + body) + "\n"


def _prefix(tree: GameTree) -> Iterator[int]:
    stack = [0]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(tree.children(node)))


def format_efg(tree: GameTree) -> str:
    """Gambit ``.efg`` text of a game tree.

    Each distinct terminal label becomes one outcome; information sets are numbered per player
    in order of appearance and keep their labels as names.

    Parameters
    ----------
    tree : GameTree

    Returns
    -------
    str

    Examples
    --------
    >>> tree = GameTree.from_nodes({"r": {"chance": {"h": 0.25, "t": 0.75}}},
    ...                            {"h": [1, -1], "t": [-1, 1]}, root="r", players=["A", "B"])
    >>> print(format_efg(tree))
    EFG 2 R "game" { "A" "B" }
    ""
    <BLANKLINE>
    c "r" 1 "r" { "h" 0.25 "t" 0.75 } 0
    t "" 1 "h" { 1, -1 }
    t "" 2 "t" { -1, 1 }
    <BLANKLINE>
    """
    lines = [
        f"EFG 2 R {_quote(tree.name)} {{ {' '.join(map(_quote, tree.players))} }}",
        '""',
        "",
    ]
    infoset_number: dict[int, int] = {}
    per_player = [0] * (tree.n_players + 1)
    outcome_number: dict[str, int] = {}
    for node in _prefix(tree):
        kind, label = tree.kind[node], _quote(tree.labels[node])
        kids = tree.children(node)
        if kind == TERMINAL:
            name = str(tree.labels[node])
            number = outcome_number.setdefault(name, len(outcome_number) + 1)
            pay = ", ".join(_fmt(v) for v in tree.payoffs[tree.terminal[node]])
            # outcome names carry terminal labels (repeatable); node names must be unique
            lines.append(f't "" {number} {_quote(name)} {{ {pay} }}')
        elif kind == DECISION:
            p = int(tree.player[node])
            inf = int(tree.infoset[node])
            if inf not in infoset_number:
                per_player[p] += 1
                infoset_number[inf] = per_player[p]
            acts = " ".join(_quote(tree.actions[c]) for c in kids)
            name = _quote(tree.infoset_labels[inf])
            lines.append(f"p {label} {p + 1} {infoset_number[inf]} {name} {{ {acts} }} 0")
        elif kind == CHANCE:
            per_player[-1] += 1
            probs = _exact_probabilities(tree.prob[kids.start : kids.stop])
            acts = " ".join(
                f"{_quote(tree.actions[c])} {p}" for c, p in zip(kids, probs, strict=True)
            )
            lines.append(f"c {label} {per_player[-1]} {label} {{ {acts} }} 0")
    return "\n".join(lines) + "\n"
