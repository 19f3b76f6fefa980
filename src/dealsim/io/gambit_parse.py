"""Parsing the text of Gambit's ``.nfg`` (normal form) and ``.efg`` (extensive form) files.

``.nfg`` files (``NFG 1 R``) are read in both of Gambit's bodies, the plain payoff vector and the
outcome list with one outcome number per profile, with strategies given as counts or as names;
they become a :class:`~dealsim.solvers.equilibrium.NormalFormGame` with a payoff tensor shaped
``(n_players, s_1, ..., s_n)``. ``.efg`` files (``EFG 2 R``) become a
:class:`~dealsim.solvers.game_tree.GameTree`; outcomes attached to non-terminal nodes are added
into the payoffs of the terminals below them. Numbers may be integers, decimals or fractions
(``1/3``). Errors name the source, the line and what was expected.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

import numpy as np

from dealsim.errors import GameError
from dealsim.solvers.equilibrium import MAX_PROFILES, MAX_STRATEGIES, NormalFormGame
from dealsim.solvers.sequential import GameTree

__all__ = ["parse_efg", "parse_nfg"]

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([{},])|([^\s{},"]+)|(\S)', re.S)


class _Tokens:
    """A stream of Gambit tokens: ('str', text), ('sym', '{' | '}' | ','), ('word', text)."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.text = text
        self.items: list[tuple[str, str, int]] = []  # (kind, value, offset in text)
        append = self.items.append
        for m in _TOKEN.finditer(text):
            group = m.lastindex
            if group == 1:
                value = m.group(1)
                append(
                    ("str", re.sub(r"\\(.)", r"\1", value) if "\\" in value else value, m.start())
                )
            elif group == 2:
                append(("sym", m.group(2), m.start()))
            elif group == 3:
                append(("word", m.group(3), m.start()))
            else:
                line = text.count("\n", 0, m.start()) + 1
                raise GameError(f"line {line}: unterminated string", game=source)
        self.i = 0

    def error(self, message: str) -> GameError:
        if self.i < len(self.items):
            kind, value, offset = self.items[self.i]
            line = self.text.count("\n", 0, offset) + 1
            shown = f'"{value}"' if kind == "str" else value
            return GameError(f"line {line}: {message}, found {shown!r}", game=self.source)
        return GameError(f"end of file: {message}", game=self.source)

    def peek(self) -> tuple[str, str]:
        if self.i >= len(self.items):
            return ("eof", "")
        kind, value, _ = self.items[self.i]
        return kind, value

    def next(self, kind: str, what: str, value: str | None = None) -> str:
        k, v = self.peek()
        if k != kind or (value is not None and v != value):
            raise self.error(f"expected {what}")
        self.i += 1
        return v

    def at(self, kind: str, value: str | None = None) -> bool:
        k, v = self.peek()
        return k == kind and (value is None or v == value)

    def skip_commas(self) -> None:
        while self.at("sym", ","):
            self.i += 1

    def number(self, what: str) -> float:
        self.skip_commas()
        word = self.next("word", what)
        try:
            value = float(Fraction(word)) if "/" in word else float(word)
        except (ValueError, ZeroDivisionError, OverflowError):
            self.i -= 1
            raise self.error(f"expected {what} (a number such as 2, -0.5 or 1/3)") from None
        if not math.isfinite(value):
            self.i -= 1
            raise self.error(f"expected {what} (a finite number: NaN and infinity are not allowed)")
        return value

    def integer(self, what: str) -> int:
        word = self.next("word", what)
        if not re.fullmatch(r"\d+", word):
            self.i -= 1
            raise self.error(f"expected {what} (a non-negative integer)")
        return int(word)

    def strings(self, what: str) -> list[str]:
        self.next("sym", f"'{{' opening {what}", "{")
        out = []
        while self.at("str"):
            out.append(self.next("str", what))
        self.next("sym", f"'}}' closing {what}", "}")
        return out

    def numbers(self, what: str) -> list[float]:
        self.next("sym", f"'{{' opening {what}", "{")
        out = []
        self.skip_commas()
        while not self.at("sym", "}"):
            out.append(self.number(what))
            self.skip_commas()
        self.i += 1
        return out

    def header(self, kind: str, version: str) -> tuple[str, list[str]]:
        """Read ``<kind> <version> R|D "title" { players }``: the title and the player names."""
        self.next("word", f"'{kind}'", kind)
        self.next("word", f"version {version}", version)
        if not (self.at("word", "R") or self.at("word", "D")):
            raise self.error("expected 'R' or 'D'")
        self.i += 1
        title = self.next("str", "the title (a quoted string)")
        players = self.strings("the player names")
        if not players:
            raise self.error("expected at least one player")
        return title, players

    def done(self) -> None:
        if self.i < len(self.items):
            raise self.error("expected the end of the file")


# -------------------------------------------------------------------------------------- NFG


def parse_nfg(text: str, *, source: str = "<string>") -> NormalFormGame:
    """Parse the text of a Gambit ``.nfg`` file.

    Parameters
    ----------
    text : str
        The file's contents (``NFG 1 R`` or ``NFG 1 D``).
    source : str
        Name used in error messages.

    Returns
    -------
    NormalFormGame

    Raises
    ------
    GameError
        Naming ``source`` and the line and token where parsing failed.

    Examples
    --------
    The payoff-vector form; profiles run with the first player's strategy fastest.

    >>> nf = parse_nfg('NFG 1 R "PD" { "A" "B" } { 2 2 } 3 3 5 0 0 5 1 1')
    >>> nf.payoffs[0].tolist(), nf.strategies
    ([[3.0, 0.0], [5.0, 1.0]], (('1', '2'), ('1', '2')))
    """
    tok = _Tokens(text, source)
    title, players = tok.header("NFG", "1")
    tok.next("sym", "'{' opening the strategies", "{")
    strategies: list[list[str]] = []
    if tok.at("sym", "{"):
        for p in players:
            strategies.append(tok.strings(f"the strategy names of {p!r}"))
    else:
        for p in players:
            count = tok.integer(f"the number of strategies of {p!r}")
            if count > MAX_STRATEGIES:
                tok.i -= 1
                raise tok.error(
                    f"{p!r} has {count:,} strategies, above the limit of {MAX_STRATEGIES:,}"
                )
            strategies.append([str(k + 1) for k in range(count)])
    tok.next("sym", "'}' closing the strategies", "}")
    if len(strategies) != len(players) or any(not s for s in strategies):
        raise tok.error(f"expected one non-empty strategy list per player ({len(players)})")
    if tok.at("str"):
        tok.i += 1  # comment
    shape = tuple(len(s) for s in strategies)
    n_profiles, n = math.prod(shape), len(players)
    if n_profiles > MAX_PROFILES:
        raise GameError(
            f"{' x '.join(map(str, shape))} = {n_profiles:,} strategy profiles, above the limit "
            f"of {MAX_PROFILES:,} (see docs/limits.md)",
            game=source,
        )
    if tok.at("sym", "{"):
        tok.i += 1
        outcomes = [np.zeros(n)]
        while tok.at("sym", "{"):
            tok.i += 1
            if tok.at("str"):
                tok.i += 1
            row = []
            tok.skip_commas()
            while not tok.at("sym", "}"):
                row.append(tok.number("an outcome payoff"))
                tok.skip_commas()
            tok.i += 1
            if len(row) != n:
                tok.i -= 1
                raise tok.error(f"outcome {len(outcomes)} has {len(row)} payoffs, needs {n}")
            outcomes.append(np.array(row))
        tok.next("sym", "'}' closing the outcome list", "}")
        index = []
        for _ in range(n_profiles):
            k = tok.integer("an outcome number for each strategy profile")
            if k >= len(outcomes):
                tok.i -= 1
                raise tok.error(f"outcome number out of range 0..{len(outcomes) - 1}")
            index.append(k)
        values = np.array(outcomes)[index]
    else:
        values = np.array([tok.number("a payoff") for _ in range(n_profiles * n)])
        values = values.reshape(n_profiles, n)
    tok.skip_commas()
    tok.done()
    payoffs = np.stack([values[:, p].reshape(shape, order="F") for p in range(n)])
    return NormalFormGame(
        payoffs=payoffs,
        player_names=tuple(players),
        strategy_names=tuple(tuple(s) for s in strategies),
        title=title,
    )


# -------------------------------------------------------------------------------------- EFG


class _EfgReader:
    def __init__(self, tok: _Tokens, players: list[str]):
        self.tok = tok
        self.players = players
        self.n = len(players)
        self.nodes: dict[str, dict[str, Any]] = {}
        self.outcomes: dict[str, list[float]] = {}
        self.outcome_defs: dict[int, tuple[str, np.ndarray]] = {}
        self.infosets: dict[tuple[int, int], tuple[str, list[str], list[float] | None]] = {}
        self.infoset_names: set[str] = set()
        self.primes: dict[str, int] = {}  # primes last added to each name (linear de-duplication)
        self.count = 0

    def outcome(self) -> tuple[np.ndarray, str]:
        """The outcome field of a node: its payoffs (zeros for outcome 0) and name."""
        tok = self.tok
        number = tok.integer("an outcome number")
        name = tok.next("str", "outcome name") if tok.at("str") else None
        payoffs = np.array(tok.numbers("the outcome payoffs")) if tok.at("sym", "{") else None
        if number == 0:
            return np.zeros(self.n), "null"
        if payoffs is not None and payoffs.size != self.n:
            tok.i -= 1
            raise tok.error(f"outcome {number} has {payoffs.size} payoffs, needs {self.n}")
        if number not in self.outcome_defs:
            if payoffs is None:
                raise tok.error(f"outcome {number} is used before its payoffs are given")
            self.outcome_defs[number] = (name or f"outcome{number}", payoffs)
        known_name, known = self.outcome_defs[number]
        return (known if payoffs is None else payoffs), known_name

    def infoset(self, player: int, chance: bool) -> tuple[str, list[str], list[float] | None]:
        tok = self.tok
        number = tok.integer("an information set number")
        name = tok.next("str", "infoset name") if tok.at("str") else ""
        actions: list[str] | None = None
        probs: list[float] | None = None
        if tok.at("sym", "{"):
            tok.i += 1
            actions, probs = [], []
            while tok.at("str"):
                actions.append(tok.next("str", "an action name"))
                if chance:
                    probs.append(tok.number("a chance probability"))
            tok.next("sym", "'}' closing the actions", "}")
        key = (player, number)
        if key not in self.infosets:
            if actions is None:
                raise tok.error(f"information set {number} is used before its actions are given")
            if not actions:
                raise tok.error("expected at least one action")
            label = name or (f"chance:{number}" if chance else f"{self.players[player]}:{number}")
            label = _fresh(label, self.infoset_names.__contains__, self.primes)
            self.infoset_names.add(label)
            self.infosets[key] = (label, _unique_actions(actions), probs if chance else None)
        known = self.infosets[key]
        if actions is not None and len(actions) != len(known[1]):
            raise tok.error(f"information set {number} was given {len(known[1])} actions before")
        if chance and probs:
            return known[0], known[1], probs
        return known

    def read_tree(self) -> str:
        """Read every node (prefix order, no recursion); return the root's id."""
        stack: list[dict[str, Any]] = []
        while True:
            above = stack[-1]["total"] if stack else np.zeros(self.n)
            item = self.read_node(above)
            if isinstance(item, dict):
                stack.append(item)
                continue
            child = item
            while stack:
                frame = stack[-1]
                frame["targets"].append(child)
                if len(frame["targets"]) < len(frame["actions"]):
                    break
                stack.pop()
                targets = dict(zip(frame["actions"], frame["targets"], strict=True))
                if frame["player"] is None:
                    spec = {"chance": dict(zip(frame["actions"], frame["probs"], strict=True))}
                    spec["actions"] = targets
                else:
                    spec = {"player": frame["player"], "actions": targets}
                    spec["infoset"] = frame["infoset"]
                self.nodes[frame["id"]] = spec
                child = frame["id"]
            else:
                return child

    def read_node(self, above: np.ndarray) -> str | dict[str, Any]:
        """Read one node: a terminal's outcome id, or a frame awaiting its children."""
        tok = self.tok
        self.count += 1
        if tok.at("eof"):
            raise tok.error("expected more nodes (a node has fewer children than actions)")
        kind = tok.next("word", "a node type 'p', 'c' or 't'")
        if kind not in ("p", "c", "t"):
            tok.i -= 1
            raise tok.error("expected a node type 'p', 'c' or 't'")
        name = tok.next("str", "the node name (a quoted string)")
        if kind == "t":
            payoffs, outcome_name = self.outcome()
            return self._terminal(
                outcome_name if outcome_name != "null" else name or "null", above + payoffs
            )
        player = None
        if kind == "p":
            number = tok.integer("a player number")
            if not 1 <= number <= self.n:
                tok.i -= 1
                raise tok.error(f"expected a player number 1..{self.n}")
            player = self.players[number - 1]
            label, actions, probs = self.infoset(number - 1, chance=False)
        else:
            label, actions, probs = self.infoset(-1, chance=True)
        payoffs, _ = self.outcome()
        node_id = _fresh(
            name or f"node{self.count}",
            lambda x: x in self.nodes or x in self.outcomes,
            self.primes,
        )
        self.nodes[node_id] = {}  # reserve the id
        return {
            "id": node_id,
            "player": player,
            "infoset": label,
            "actions": actions,
            "probs": probs,
            "total": above + payoffs,
            "targets": [],
        }

    def _terminal(self, base: str, payoffs: np.ndarray) -> str:
        label = _fresh(
            base,
            lambda x: (
                x in self.nodes
                or (x in self.outcomes and not np.array_equal(self.outcomes[x], payoffs))
            ),
            self.primes,
        )
        self.outcomes[label] = payoffs.tolist()
        return label


def _fresh(label: str, taken: Any, primes: dict[str, int]) -> str:
    """``label``, or ``label`` with primes added until ``taken(...)`` is false.

    ``primes`` remembers how many primes each name needed last time, so that n equal names cost
    O(n) tries in all, not O(n^2).
    """
    if not taken(label):
        return label
    k = primes.get(label, 0)
    while True:
        k += 1
        candidate = label + "'" * k
        if not taken(candidate):
            primes[label] = k
            return candidate


def _unique_actions(actions: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    primes: dict[str, int] = {}
    for k, a in enumerate(actions):
        label = _fresh(a or str(k + 1), seen.__contains__, primes)
        seen.add(label)
        out.append(label)
    return out


def parse_efg(text: str, *, source: str = "<string>") -> GameTree:
    """Parse the text of a Gambit ``.efg`` file into a :class:`GameTree`.

    Node ids are the node names where these are non-empty and unique, else ``node<k>`` (k
    counting nodes in file order); terminal nodes carry their outcome's name; information sets
    keep their names, or become ``<player>:<number>``.

    Parameters
    ----------
    text : str
        The file's contents (``EFG 2 R`` or ``EFG 2 D``).
    source : str
        Name used in error messages.

    Returns
    -------
    GameTree

    Raises
    ------
    GameError
        Naming ``source`` and the line and token where parsing failed, or the node where the
        tree is invalid.

    Examples
    --------
    >>> tree = parse_efg('''EFG 2 R "entry" { "E" "I" } ""
    ... p "entrant" 1 1 "entrant" { "out" "in" } 0
    ... t "stay_out" 1 "stay_out" { 0, 2 }
    ... p "incumbent" 2 1 "incumbent" { "fight" "accommodate" } 0
    ... t "war" 2 "war" { -1, -1 }
    ... t "share" 3 "share" { 1, 1 }''')
    >>> tree.labels.tolist()
    ['entrant', 'stay_out', 'incumbent', 'war', 'share']
    """
    tok = _Tokens(text, source)
    title, players = tok.header("EFG", "2")
    if tok.at("str"):
        tok.i += 1  # comment
    reader = _EfgReader(tok, players)
    if tok.at("word", "t"):
        raise tok.error("expected a decision or chance node at the root")
    root = reader.read_tree()
    tok.done()
    return GameTree.from_nodes(
        reader.nodes, reader.outcomes, root=root, players=players, name=title or source
    )
