"""Shared test helpers: hypothesis strategies (random utility arrays, disagreement points, random
game trees), textbook game trees and the scenario TOML of a one-issue split used by several test
files."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dealsim.solvers.sequential import GameTree

__all__ = [
    "COST_ISSUE",
    "credibility",
    "disagreement_vectors",
    "entry_deterrence",
    "games_with_core",
    "kuhn_poker",
    "random_trees",
    "split_toml",
    "survivors_short_of_war",
    "third_party_sets_the_scale",
    "tied_utility_arrays",
    "tu_games",
    "utility_arrays",
]


@st.composite
def tied_utility_arrays(
    draw: st.DrawFn,
    *,
    n_parties: st.SearchStrategy[int] | None = None,
    min_rows: int = 0,
    max_rows: int = 40,
    levels: int = 4,
) -> np.ndarray:
    """Float ``(n, k)`` arrays of small integers ``0..levels-1``: many ties and duplicate rows."""
    k = draw(n_parties if n_parties is not None else st.integers(1, 4))
    n = draw(st.integers(min_rows, max_rows))
    values = draw(hnp.arrays(np.int64, (n, k), elements=st.integers(0, levels - 1)))
    return values.astype(float)


@st.composite
def utility_arrays(
    draw: st.DrawFn,
    *,
    n_parties: st.SearchStrategy[int] | None = None,
    min_rows: int = 1,
    max_rows: int = 40,
) -> np.ndarray:
    """Float ``(n, k)`` utility arrays in ``[-1, 1]``, sometimes with repeated values."""
    k = draw(n_parties if n_parties is not None else st.integers(1, 4))
    n = draw(st.integers(min_rows, max_rows))
    elements = st.one_of(
        st.floats(-1.0, 1.0, allow_nan=False, allow_subnormal=False),
        st.sampled_from([0.0, 0.25, 0.5]),
    )
    return draw(hnp.arrays(np.float64, (n, k), elements=elements))


def disagreement_vectors(utilities: np.ndarray) -> st.SearchStrategy[np.ndarray]:
    """Disagreement points ``d`` for which at least one row of ``utilities`` is >= d.

    Each coordinate is drawn between the column minimum and the value of one chosen row, so the
    chosen row is individually rational.
    """
    n, k = utilities.shape

    @st.composite
    def _draw(draw: st.DrawFn) -> np.ndarray:
        row = utilities[draw(st.integers(0, n - 1))]
        low = utilities.min(axis=0)
        frac = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k)))
        d = low + frac * (row - low)
        return np.minimum(d, row)

    return _draw()


# --------------------------------------------------------------------------- game trees


def hidden_move_tree(payoffs: dict[str, list[float]]) -> GameTree:
    """A moves h or t; B moves h or t without seeing A's move (one information set, "guess").

    ``payoffs`` maps the outcomes "hh", "ht", "th", "tt" (A's move, then B's) to (A, B).
    """
    return GameTree.from_nodes(
        {
            "a": {"player": "A", "actions": {"h": "b_h", "t": "b_t"}},
            "b_h": {"player": "B", "actions": {"h": "hh", "t": "ht"}, "infoset": "guess"},
            "b_t": {"player": "B", "actions": {"h": "th", "t": "tt"}, "infoset": "guess"},
        },
        payoffs,
        root="a",
        players=["A", "B"],
    )


def entry_deterrence() -> GameTree:
    """Selten's chain-store stage game: out (0, 2); in then fight (-1, -1) or accommodate (1, 1)."""
    return GameTree.from_nodes(
        {
            "entrant": {"player": "E", "actions": {"out": "stay_out", "in": "incumbent"}},
            "incumbent": {"player": "I", "actions": {"fight": "war", "accommodate": "share"}},
        },
        {"stay_out": [0, 2], "war": [-1, -1], "share": [1, 1]},
        root="entrant",
        players=["E", "I"],
        name="entry",
    )


def kuhn_poker(cards: int = 3, scale: float = 1.0) -> GameTree:
    """Kuhn (1950) poker with ``cards`` cards: ante 1, one bet of 1, one card each.

    Player 1 checks or bets; after a check player 2 checks (showdown for 1) or bets, and player
    1 then folds or calls (showdown for 2); after a bet player 2 folds or calls.
    """
    names = "JQK" if cards == 3 else [str(c) for c in range(cards)]
    deals = list(itertools.permutations(range(cards), 2))
    chance = {f"{names[a]}{names[b]}": 1 / len(deals) for a, b in deals}
    nodes = {"deal": {"chance": chance, "actions": {d: f"p1 {d}" for d in chance}}}
    outcomes = {
        f"{w} +{k}": [k * scale * s, -k * scale * s]
        for w, s in (("P1", 1), ("P2", -1))
        for k in (1, 2)
    }
    for a, b in deals:
        d, win = f"{names[a]}{names[b]}", "P1" if a > b else "P2"
        c1, c2 = names[a], names[b]
        nodes[f"p1 {d}"] = {
            "player": "P1",
            "infoset": f"P1 {c1}",
            "actions": {"check": f"p2c {d}", "bet": f"p2b {d}"},
        }
        nodes[f"p2c {d}"] = {
            "player": "P2",
            "infoset": f"P2 {c2} after check",
            "actions": {"check": f"{win} +1", "bet": f"p1cb {d}"},
        }
        nodes[f"p2b {d}"] = {
            "player": "P2",
            "infoset": f"P2 {c2} after bet",
            "actions": {"fold": "P1 +1", "call": f"{win} +2"},
        }
        nodes[f"p1cb {d}"] = {
            "player": "P1",
            "infoset": f"P1 {c1} after check-bet",
            "actions": {"fold": "P2 +1", "call": f"{win} +2"},
        }
    return GameTree.from_nodes(
        nodes, outcomes, root="deal", players=["P1", "P2"], name=f"kuhn{cards}"
    )


def credibility(g: float) -> GameTree:
    """The sequencing-and-credibility tree of models.md §5 (payoffs chosen for this test).

    Payoffs are (US, Ukraine, Russia):

    - the US first offers a guarantee or withholds it; withholding ends in ``no_deal``
      (0, -3, 1): the war goes on.
    - with a guarantee, Ukraine cedes or refuses. Refusing lets Russia attack (``war``,
      (-1, -3, 1)) or hold (``status_quo``, (0, 0, 0)): Russia attacks (1 > 0).
    - ceding leads to a chance node: the guarantee is honoured with probability g.
      Honoured: Russia attacks into a US defence (``defended``, (-2, -1, -3)) or holds
      (``peace``, (2, 1, 2)): Russia holds (2 > -3). Dishonoured: Russia attacks (``betrayed``,
      (-4, -5, 3)) or holds (``peace``): Russia attacks (3 > 2).

    By hand: Ukraine's expected payoff from ceding is 1*g + (-5)(1 - g) = 6g - 5 against -3
    from refusing, so Ukraine cedes iff g > 1/3. The US's guarantee then yields
    2g + (-4)(1 - g) = 6g - 4 if Ukraine cedes (and -1 if Ukraine refuses) against 0 from
    withholding, so the US offers iff g > 2/3 (for g in (1/3, 2/3) Ukraine would cede but the
    US does not offer). The equilibrium path flips at g* = 2/3 only; the strategy also
    changes, off the path, at g = 1/3.
    """
    assert 0.0 <= g <= 1.0, f"g is a probability, got {g}"
    nodes = {
        "us": {"player": "US", "actions": {"guarantee": "ukraine", "withhold": "no_deal"}},
        "ukraine": {"player": "Ukraine", "actions": {"cede": "guarantee", "refuse": "refused"}},
        "refused": {"player": "Russia", "actions": {"attack": "war", "hold": "status_quo"}},
        "guarantee": {"chance": {"honoured": g, "dishonoured": 1 - g}},
        "honoured": {"player": "Russia", "actions": {"attack": "defended", "hold": "peace"}},
        "dishonoured": {"player": "Russia", "actions": {"attack": "betrayed", "hold": "peace"}},
    }
    outcomes = {
        "no_deal": [0, -3, 1],
        "war": [-1, -3, 1],
        "status_quo": [0, 0, 0],
        "defended": [-2, -1, -3],
        "peace": [2, 1, 2],
        "betrayed": [-4, -5, 3],
    }
    return GameTree.from_nodes(
        nodes, outcomes, root="us", players=["US", "Ukraine", "Russia"], name="credibility"
    )


@st.composite
def random_trees(draw, max_depth: int = 4):
    """A random tree spec with 1-3 players, integer payoffs (ties happen) and chance nodes."""
    n_players = draw(st.integers(1, 3))
    players = [f"p{i}" for i in range(n_players)]
    nodes: dict = {}
    outcomes: dict = {}
    counter = itertools.count()

    def grow(depth: int) -> str:
        nid = f"n{next(counter)}"
        if depth > 0 and (depth >= max_depth or draw(st.booleans())):
            outcomes[nid] = draw(
                st.lists(st.integers(-3, 3), min_size=n_players, max_size=n_players)
            )
            return nid
        k = draw(st.integers(1, 3))
        if draw(st.integers(0, 4)) == 0:
            weights = draw(st.lists(st.integers(0, 4), min_size=k, max_size=k))
            if sum(weights) == 0:
                weights[0] = 1
            branches = {f"c{j}": w / sum(weights) for j, w in enumerate(weights)}
            targets = {f"c{j}": grow(depth + 1) for j in range(k)}
            nodes[nid] = {"chance": branches, "actions": targets}
        else:
            mover = draw(st.sampled_from(players))
            nodes[nid] = {"player": mover, "actions": {f"a{j}": grow(depth + 1) for j in range(k)}}
        return nid

    root = grow(0)
    return nodes, outcomes, root, players


# --------------------------------------------------------------------------- scenario TOML


def split_toml(
    extra: str = "",
    *,
    name: str = "split",
    a: str = "",
    b: str = "",
    steps: int = 201,
    issues: str = "",
) -> str:
    """Scenario TOML of a one-issue split: ``a`` gets ``share`` of a unit surplus, ``b`` the rest.

    Both utilities are linear (``u_a = share``, ``u_b = 1 - share``) over ``steps`` grid points
    of ``[0, 1]`` (201: a step of 0.005, as in the bundled ``split-linear``). ``a`` and ``b`` are
    lines of the parties' tables (``'reservation = 0.45\\n'``), ``issues`` further issue tables
    after ``share`` and ``extra`` the tables after the payoffs (``[war]``, ...).
    """
    parties = "".join(f"[parties.{p}]\n{body}" for p, body in (("a", a), ("b", b)))
    payoffs = "".join(
        f"[payoffs.{p}]\nweights = {{ share = 1 }}\nshare = {{ points = {points} }}\n"
        for p, points in (("a", "[[0, 0], [1, 1]]"), ("b", "[[0, 1], [1, 0]]"))
    )
    share = f"[issues.share]\nrange = [0, 1]\nsteps = {steps}\n"
    return f'\n[scenario]\nname = "{name}"\n{parties}{share}{issues}{payoffs}{extra}'


def survivors_short_of_war(unit: float, amount: str) -> str:
    """A split in the given unit (a gets 1 - x, b gets x), b's war value 5e-7 above x = 0.3,
    and a third party c worth 1000 y (y = 1: b rises by 0.5 and a fights now) plus 1e-7 z. The
    zone's scale is 1000 (tolerance 1e-6 at tol 1e-9): x = 0.3 is in the zone and c's 1e-7 is a
    tie. Among the survivors (y = 0) no utility exceeds 0.7: their own tolerance is 7e-10."""
    return f"""
[scenario]
name = "survivors 5e-7 short of b's war value"
[parties.a]
reservation = "war"
[parties.b]
reservation = "war"
[parties.c]
[issues.x]
range = [0, 1]
steps = 11
[issues.y]
range = [0, 1]
steps = 2
[issues.z]
range = [0, 1]
steps = 2
[payoffs.a]
weights = {{ x = {unit!r} }}
x = {{ points = [[0, 1], [1, 0]] }}
[payoffs.b]
weights = {{ x = {unit!r} }}
x = {{ points = [[0, 0], [1, 1]] }}
[payoffs.c]
weights = {{ y = {1000 * unit!r}, z = {1e-7 * unit!r} }}
y = {{ points = [[0, 0], [1, 1]] }}
z = {{ points = [[0, 0], [1, 1]] }}
[war]
p = {{ a = 0.5, b = 0.5 }}
win = {{ a = {unit!r}, b = {unit!r} }}
lose = {{ a = 0.0, b = 0.0 }}
costs = {{ a = {0.1 * unit!r}, b = {(0.2 - 5e-7) * unit!r} }}
delta = 0.9
[war.shift]
party = "b"
amount = "{amount}"
"""


def third_party_sets_the_scale(
    unit: float, a_reservation: float | None = None, *, drawn: bool = False
) -> str:
    """:func:`survivors_short_of_war` without the shift, and a party e refusing ``y = 1``.

    e's utility is ``unit * (1 - y)`` and its reservation ``0.5 * unit``: the zone keeps only
    ``y = 0`` (x = 0.3 .. 0.6, z = 0 or 1: 8 deals, their largest utility e's 1 in the unit), but
    c's 1000 on ``y = 1`` still sets the zone's scale (1000: tolerance 1e-6 at tol 1e-9). x = 0.3
    is in the zone 5e-7 short of b's war value and c's 1e-7 in ``z = 1`` is a tie on that scale;
    on the zone frontier's own (1) neither is. ``a_reservation`` (times ``unit``) replaces a's war
    value (0.4): at 0.7 only x = 0.3 (z = 0 or 1) is in the zone. With ``drawn`` it is the
    parameter ``ra`` (that value, range ``[0, unit]``).
    """
    text = survivors_short_of_war(unit, "0").split("[war.shift]")[0]
    e_party = f"[parties.e]\nreservation = {0.5 * unit!r}\n"
    text = text.replace("[parties.c]\n", "[parties.c]\n" + e_party)
    e = f"[payoffs.e]\nweights = {{ y = {unit!r} }}\ny = {{ points = [[0, 1], [1, 0]] }}\n"
    text = text.replace("[war]", e + "[war]")
    if a_reservation is not None:
        value = '"ra"' if drawn else repr(a_reservation * unit)
        war = '[parties.a]\nreservation = "war"'
        text = text.replace(war, f"[parties.a]\nreservation = {value}")
    if drawn:
        text += f"[parameters.ra]\nvalue = {a_reservation * unit!r}\nrange = [0, {unit!r}]\n"
    return text


# --------------------------------------------------------------- transferable-utility games


@st.composite
def tu_games(draw: st.DrawFn, min_players: int = 1, max_players: int = 4) -> np.ndarray:
    """Games with worths in [-1, 1] (often repeated) and ``v[0] = 0``."""
    n = draw(st.integers(min_players, max_players))
    elements = st.one_of(
        st.floats(-1.0, 1.0, allow_nan=False, allow_subnormal=False),
        st.sampled_from([0.0, 0.5, 1.0]),
    )
    v = draw(hnp.arrays(np.float64, 2**n, elements=elements))
    v[0] = 0.0
    return v


@st.composite
def games_with_core(draw: st.DrawFn, max_players: int = 4) -> np.ndarray:
    """``v(S) = x(S) - slack(S)``, ``v(N) = x(N)``: ``x`` is in the core."""
    n = draw(st.integers(2, max_players))
    x = draw(hnp.arrays(np.float64, n, elements=st.floats(-1.0, 1.0, allow_subnormal=False)))
    slack = draw(hnp.arrays(np.float64, 2**n, elements=st.sampled_from([0.0, 0.1, 0.25, 1.0])))
    inside = (np.arange(2**n)[:, None] >> np.arange(n)) & 1  # row mask: its members
    v = inside.astype(float) @ x - slack
    v[0], v[-1] = 0.0, x.sum()
    return v


# Two parties splitting a share, a's cost issue (a loses 1 at cost = 1) in the given unit, and
# the reservations ra and rb: format with ra=, rb= and unit= (the plots' zone tests).
COST_ISSUE = """
[scenario]
name = "a cost issue"
[parties.a]
reservation = {ra!r}
[parties.b]
reservation = {rb!r}
[issues.share]
range = [0, 1]
steps = 11
[issues.cost]
range = [0, 1]
steps = 2
[payoffs.a]
weights = {{ share = {unit!r}, cost = {unit!r} }}
share = {{ points = [[0, 0], [1, 1]] }}
cost = {{ points = [[0, 0], [1, -1]] }}
[payoffs.b]
weights = {{ share = {unit!r} }}
share = {{ points = [[0, 1], [1, 0]] }}
"""
