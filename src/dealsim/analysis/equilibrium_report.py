"""The equilibrium report of one game: a normal form or a game tree, as ``dealsim solve`` shows it.

:func:`solve_normal_form` and :func:`solve_tree` return the per-game report of the JSON key
``games`` (equilibria with their payoffs and regret, dominated strategies, the equilibrium path of
a tree); :func:`render_games` turns reports into the text section. Every reported equilibrium has
passed a regret check on the game's normal form (``tol`` relative to the payoffs' scale).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dealsim._format import plural, table
from dealsim.errors import SolverError
from dealsim.solvers.equilibrium import (
    NormalFormGame,
    dominated_strategies,
    n_player_equilibria,
    payoff_scale,
    pure_equilibria,
    regret,
    two_player_equilibria,
)
from dealsim.solvers.sequential import GameTree, normal_form, subgame_perfect_equilibrium

__all__ = ["render_games", "solve_normal_form", "solve_tree"]

_MAX_CHECK_PROFILES = 20_000  # largest normal form built to check a tree's equilibrium regret


# --------------------------------------------------------------------------- solving


def _equilibrium_entry(
    players: Sequence[str], strategies: Sequence[np.ndarray], payoffs: np.ndarray, reg: float
) -> dict[str, Any]:
    pure = all(np.isclose(np.max(s), 1.0, rtol=0.0, atol=1e-12) for s in strategies)
    return {
        "strategies": {
            p: np.asarray(s, dtype=float).tolist() for p, s in zip(players, strategies, strict=True)
        },
        "payoffs": {p: float(v) for p, v in zip(players, payoffs, strict=True)},
        "pure": bool(pure),
        "regret": reg,
    }


def _checked(payoffs: np.ndarray, strategies: Sequence[np.ndarray], tol: float) -> float:
    """Max regret of a profile; an error if a player's regret exceeds ``tol`` times its payoff
    scale (:func:`~dealsim.solvers.equilibrium.payoff_scale`): a solver bug, never silent."""
    if payoffs.shape[0] == 1:  # one player: regret is the gap to its best strategy
        regrets = np.array([payoffs[0].max() - payoffs[0] @ strategies[0]], dtype=float)
    else:
        regrets = np.asarray(regret(payoffs, list(strategies)), dtype=float)
    scale = payoff_scale(payoffs)
    if (regrets > tol * scale).any():
        i = int(np.argmax(regrets / scale))
        raise SolverError(
            f"an equilibrium failed the regret check: player {i + 1}'s regret {regrets[i]:.3g} > "
            f"{tol:g} x its payoff scale {scale[i]:.3g}"
        )
    return max(float(regrets.max()), 0.0)


def solve_normal_form(game: NormalFormGame, *, tol: float = 1e-9) -> dict[str, Any]:
    """Equilibria and dominated strategies of a normal-form game, as a JSON-ready report.

    Two players: every extreme equilibrium by vertex enumeration
    (:func:`~dealsim.solvers.equilibrium.two_player_equilibria`). Three or more: every pure
    equilibrium, plus one (possibly mixed) equilibrium from pygambit's logit tracing when
    pygambit is installed (``method`` says which).

    Parameters
    ----------
    game : NormalFormGame
    tol : float
        Regret bound every reported equilibrium meets, relative to each player's payoff scale
        (its largest absolute payoff): a regret of at most ``tol`` times it.

    Returns
    -------
    dict
        ``kind``, ``players``, ``strategies`` (per player, its names), ``payoffs`` (per player,
        the payoff array as nested lists), ``equilibria`` (each with ``strategies``: per player
        its probabilities in strategy order, ``payoffs``, ``pure``, ``regret``), ``method``,
        ``notes``, ``dominated`` (per player, its strictly dominated strategies).

    Examples
    --------
    >>> pd = NormalFormGame.from_arrays([[3, 0], [5, 1]], [[3, 5], [0, 1]],
    ...                                 strategy_names=[["C", "D"], ["C", "D"]])
    >>> report = solve_normal_form(pd)
    >>> report["equilibria"][0]["strategies"], report["dominated"]
    ({'1': [0.0, 1.0], '2': [0.0, 1.0]}, {'1': ['C'], '2': ['C']})
    """
    payoffs = np.asarray(game.payoffs, dtype=float)
    players, names = game.players, game.strategies
    notes: list[str] = []
    if game.n_players == 2:
        result = two_player_equilibria(payoffs[0], payoffs[1], tol=tol)
        found = list(result.equilibria)
        method = result.method
        notes.extend(result.notes)
    else:
        found = list(pure_equilibria(payoffs, tol=tol))
        method = "pure_equilibria"
        try:
            import pygambit  # noqa: F401
        except ImportError:
            notes.append(
                "only pure equilibria: mixed equilibria of games with 3 or more players need "
                "pygambit (pip install dealsim[gambit])"
            )
        else:
            extra = n_player_equilibria(payoffs, method="gambit_logit", tol=max(tol, 1e-6))
            method = "pure_equilibria+gambit_logit"
            for eq in extra.equilibria:
                if not any(
                    all(
                        np.allclose(a, b, atol=1e-6)
                        for a, b in zip(eq.strategies, f.strategies, strict=True)
                    )
                    for f in found
                ):
                    found.append(eq)
            notes.append(
                "every pure equilibrium; pygambit's logit tracing adds one equilibrium (possibly "
                "mixed): other mixed equilibria may exist"
            )
    check = max(tol, 1e-6) if game.n_players > 2 else tol
    equilibria = [
        _equilibrium_entry(
            players, eq.strategies, eq.payoffs, _checked(payoffs, eq.strategies, check)
        )
        for eq in found
    ]
    dominated = dominated_strategies(payoffs, strict=True, tol=tol)
    return {
        "kind": "normal",
        "players": list(players),
        "strategies": {p: list(s) for p, s in zip(players, names, strict=True)},
        "payoffs": {p: payoffs[i].tolist() for i, p in enumerate(players)},
        "equilibria": equilibria,
        "method": method,
        "notes": notes,
        "dominated": {p: [names[i][k] for k in dominated[i]] for i, p in enumerate(players)},
    }


def _infoset_owners(tree: GameTree) -> list[list[int]]:
    """Per player, the information sets it owns, in the order :func:`normal_form` uses."""
    decision = np.flatnonzero(tree.infoset >= 0)
    owner = np.full(len(tree.infoset_labels), -1)
    owner[tree.infoset[decision[::-1]]] = tree.player[decision[::-1]]
    return [np.flatnonzero(owner == p).tolist() for p in range(tree.n_players)]


def _tree_equilibria(
    tree: GameTree, result: Any, tol: float
) -> tuple[list[dict[str, Any]], dict[str, list[str]] | None, list[str]]:
    """The result's equilibria as normal-form profiles, each regret-checked."""
    if result.method == "backward_induction":
        decision = np.flatnonzero(tree.infoset >= 0)
        profiles = [
            {
                tree.infoset_labels[tree.infoset[d]]: result.strategy[str(tree.labels[d])][0]
                for d in decision
            }
        ]
    else:
        profiles = [dict(eq) for eq in result.equilibria]
    try:
        nf = normal_form(tree, max_profiles=_MAX_CHECK_PROFILES)
    except SolverError:
        return (
            [{"actions": prof, "pure": True} for prof in profiles],
            None,
            [
                "the normal form is too large to list strategies and check regret "
                f"(more than {_MAX_CHECK_PROFILES} profiles)"
            ],
        )
    owned = _infoset_owners(tree)
    entries = []
    for prof in profiles:
        strategies = []
        for p, infosets in enumerate(owned):
            label = "/".join(prof[tree.infoset_labels[i]] for i in infosets) or "*"
            one_hot = np.zeros(len(nf.strategies[p]))
            one_hot[nf.strategies[p].index(label)] = 1.0
            strategies.append(one_hot)
        index = tuple(int(s.argmax()) for s in strategies)
        value = nf.payoffs[(slice(None), *index)]
        entry = _equilibrium_entry(
            tree.players, strategies, value, _checked(nf.payoffs, strategies, tol)
        )
        entry["actions"] = prof
        entries.append(entry)
    names = {p: list(s) for p, s in zip(tree.players, nf.strategies, strict=True)}
    return entries, names, []


def solve_tree(tree: GameTree, *, tol: float = 1e-9) -> dict[str, Any]:
    """The subgame-perfect equilibrium of a game tree, as a JSON-ready report.

    Parameters
    ----------
    tree : GameTree
    tol : float
        Tolerance of optimality (ties) and of the regret check, relative to each player's
        payoff scale.

    Returns
    -------
    dict
        ``kind``, ``players``, ``method`` (``backward_induction``, or ``normal_form`` for trees
        with information sets), ``equilibria`` (each: ``strategies`` per player as
        probabilities over the normal-form strategies listed under ``strategies``, ``actions``
        per information set, ``payoffs``, ``pure``, ``regret``), ``path`` (node, player, action,
        probability), ``outcomes`` (probability of each), ``payoffs``, ``ties`` and ``notes``.

    Examples
    --------
    L signs or refuses; a signed deal is ratified with probability 3/4, else R attacks or waits:

    >>> tree = GameTree.from_nodes(
    ...     {"leader": {"player": "L", "actions": {"sign": "vote", "refuse": "war"}},
    ...      "vote": {"chance": {"ratified": 0.75, "rejected": 0.25}},
    ...      "rejected": {"player": "R", "actions": {"attack": "war", "wait": "status_quo"}}},
    ...     {"ratified": [2, 1], "war": [-1, -1], "status_quo": [0, 0]},
    ...     root="leader", players=["L", "R"], name="ratify")
    >>> report = solve_tree(tree)
    >>> report["outcomes"], report["equilibria"][0]["strategies"]
    ({'ratified': 0.75, 'status_quo': 0.25}, {'L': [1.0, 0.0], 'R': [0.0, 1.0]})
    """
    try:
        result = subgame_perfect_equilibrium(tree, tol=tol)
    except SolverError as error:
        if tree.perfect_information:
            raise
        # information sets and no pure equilibrium (or a normal form too large to list):
        # behaviour strategies by the sequence form
        return _behaviour_report(tree, tol, str(error))
    equilibria, names, notes = _tree_equilibria(tree, result, tol)
    report: dict[str, Any] = {
        "kind": "sequential",
        "players": list(tree.players),
        "method": result.method,
        "equilibria": equilibria,
        "path": [
            {"node": s.node, "player": s.player, "action": s.action, "probability": s.probability}
            for s in result.path
        ],
        "outcomes": dict(result.outcomes),
        "payoffs": dict(result.payoffs),
        "ties": list(result.ties),
        "notes": [*result.notes, *notes],
    }
    if names is not None:
        report["strategies"] = names
    return report


def _outcome_probabilities(tree: GameTree, behaviour: dict[str, dict[str, float]]) -> np.ndarray:
    """Probability of reaching each node under a behaviour profile (parents come first)."""
    reach = np.zeros(tree.n_nodes)
    reach[0] = 1.0
    for node in range(1, tree.n_nodes):
        parent = int(tree.parent[node])
        if tree.kind[parent] == 1:
            step = float(tree.prob[node])
        else:
            step = behaviour[tree.infoset_labels[tree.infoset[parent]]][str(tree.actions[node])]
        reach[node] = reach[parent] * step
    return reach


def _behaviour_report(tree: GameTree, tol: float, why: str) -> dict[str, Any]:
    """A tree with information sets solved in behaviour strategies (sequence form or pygambit)."""
    notes = [f"behaviour strategies: the normal-form route found none ({why.split(': ', 1)[-1]})"]
    if tree.n_players == 2:
        # imported here: scipy.sparse costs every process that reads games (a Monte Carlo
        # worker's outcome hook) 0.2-0.4 s, and only hidden-move trees need it
        from dealsim.solvers.sequence_form import sequence_form_equilibrium

        eq = sequence_form_equilibrium(tree, tol=tol)
        method = f"sequence_form_{eq.method}"
        behaviour, beliefs = eq.behaviour, eq.beliefs
        payoffs, reg = eq.payoffs, eq.regret
        notes.extend(eq.notes)
        notes.append(
            "one equilibrium (Koller, Megiddo & von Stengel 1996): "
            + (
                "zero-sum, so every equilibrium has these payoffs"
                if eq.method == "lp"
                else "Lemke's algorithm finds one; others may exist"
            )
        )
    else:
        behaviour, beliefs, payoffs, reg, method = _gambit_behaviour(tree, tol)
        notes.append(
            "one equilibrium from pygambit's logit tracing (McKelvey & Palfrey): others may exist"
        )
    reach = _outcome_probabilities(tree, behaviour)
    outcomes: dict[str, float] = {}
    for node in np.flatnonzero((tree.terminal >= 0) & (reach > tol)):
        label = str(tree.labels[node])
        outcomes[label] = outcomes.get(label, 0.0) + float(reach[node])
    pure = all(max(row.values()) >= 1.0 - tol for row in behaviour.values())
    entry = {
        "behaviour": behaviour,
        "beliefs": beliefs,
        "payoffs": payoffs,
        "pure": bool(pure),
        "regret": reg,
    }
    return {
        "kind": "sequential",
        "players": list(tree.players),
        "method": method,
        "equilibria": [entry],
        "path": [],
        "outcomes": outcomes,
        "payoffs": dict(payoffs),
        "ties": [],
        "notes": notes,
    }


def _gambit_behaviour(tree: GameTree, tol: float) -> tuple[Any, Any, Any, Any, str]:
    """One equilibrium of an n-player tree from pygambit's logit tracing, in our labels."""
    try:
        import pygambit as gbt
    except ImportError:
        raise SolverError(
            f"game {tree.name!r}: {tree.n_players} players with information sets and no pure "
            "equilibrium: mixed behaviour strategies of trees with more than two players need "
            "pygambit (pip install dealsim[gambit])"
        ) from None
    import io

    from dealsim.io.gambit import format_efg

    game = gbt.read_efg(io.BytesIO(format_efg(tree).encode()))
    found = gbt.nash.logit_solve(game, use_strategic=False).equilibria[0]
    behaviour: dict[str, dict[str, float]] = {}
    beliefs: dict[str, dict[str, float] | None] = {}
    for player in game.players:
        for infoset in player.infosets:
            behaviour[infoset.label] = {a.label: float(found[a]) for a in infoset.actions}
            total = sum(float(found.realiz_prob(m)) for m in infoset.members)
            beliefs[infoset.label] = (
                {m.label: float(found.belief(m)) for m in infoset.members} if total > tol else None
            )
    payoffs = {p.label: float(found.payoff(p)) for p in game.players}
    reg = {p.label: float(max(found.infoset_regret(i) for i in p.infosets)) for p in game.players}
    return behaviour, beliefs, payoffs, reg, "gambit_logit"


# --------------------------------------------------------------------------- the text report


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _profile_text(report: dict[str, Any], eq: dict[str, Any]) -> str:
    parts = []
    for p, probs in eq["strategies"].items():
        names = report.get("strategies", {}).get(p, [str(k + 1) for k in range(len(probs))])
        if eq["pure"]:
            parts.append(f"{p}: {names[int(np.argmax(probs))]}")
        else:
            mix = ", ".join(f"{n} {_fmt(q)}" for n, q in zip(names, probs, strict=True) if q > 0)
            parts.append(f"{p}: ({mix})")
    return "; ".join(parts)


def _behaviour_lines(report: dict[str, Any]) -> list[str]:
    """Behaviour strategies and beliefs of each equilibrium of a tree with information sets."""
    lines = []
    for number, eq in enumerate(report["equilibria"], start=1):
        lines.append(f"    equilibrium {number} in behaviour strategies:")
        rows = [["information set", "actions (probability)", "beliefs (Bayes' rule)"]]
        for infoset, probs in eq["behaviour"].items():
            belief = eq["beliefs"].get(infoset)
            rows.append(
                [
                    infoset,
                    ", ".join(f"{a} {_fmt(q)}" for a, q in probs.items()),
                    "unreached"
                    if belief is None
                    else ", ".join(f"{n} {_fmt(q)}" for n, q in belief.items()),
                ]
            )
        lines.extend(table(rows, indent="      "))
        # payoffs within rounding of 0 (relative to the largest) print as 0
        noise = 1e-12 * max((abs(v) for v in eq["payoffs"].values()), default=0.0)
        pay = ", ".join(
            f"{p} {_fmt(v if abs(v) > noise else 0.0)}" for p, v in eq["payoffs"].items()
        )
        worst = max(eq["regret"].values(), default=0.0)
        lines.append(f"      expected payoffs: {pay} (largest regret {worst:.2g})")
    ends = ", ".join(f"{o} {_fmt(p)}" for o, p in report["outcomes"].items())
    lines.append(f"    outcomes: {ends}")
    return lines


def render_games(result: Any, solve_result: Any = None) -> list[str]:
    """The "Games" section of the text report.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.analysis.games import games_analysis
    >>> lines = render_games(games_analysis(dealsim.load("donbas-2026")))
    >>> lines[0]
    'Games'
    """

    games = getattr(result, "games", result)  # a GamesResult, or its games mapping
    lines = ["Games"]
    for game_id, report in games.items():
        lines.append("")
        title = report.get("label") or game_id
        lines.append(f"  {game_id} ({report['kind']}, {report['method']}): {title}")
        if report["kind"] == "sequential" and not report["path"]:
            lines.extend(_behaviour_lines(report))
        elif report["kind"] == "sequential":
            rows = [["path", "player", "action", "probability"]]
            for step in report["path"]:
                rows.append(
                    [
                        step["node"],
                        step["player"] or "chance",
                        step["action"],
                        _fmt(step["probability"]),
                    ]
                )
            lines.extend(table(rows, indent="    "))
            ends = ", ".join(f"{o} {_fmt(p)}" for o, p in report["outcomes"].items())
            lines.append(f"    outcomes: {ends}")
            pay = ", ".join(f"{p} {_fmt(v)}" for p, v in report["payoffs"].items())
            lines.append(f"    expected payoffs: {pay}")
            if report["ties"]:
                lines.append(f"    ties (several optimal actions): {', '.join(report['ties'])}")
            for name, found in report.get("thresholds", {}).items():
                if not found:
                    lines.append(f"    threshold in {name}: none (the outcome never changes)")
                for t in found:
                    lines.append(
                        f"    threshold {name} = {t['value']:.6g}: "
                        f"{'+'.join(t['below']['outcomes'])} below, "
                        f"{'+'.join(t['above']['outcomes'])} above"
                    )
        else:
            lines.append(f"    {plural(len(report['equilibria']), 'equilibrium', 'equilibria')}:")
            rows = []
            for eq in report["equilibria"]:
                pay = ", ".join(f"{p} {_fmt(v)}" for p, v in eq["payoffs"].items())
                rows.append([_profile_text(report, eq), f"payoffs {pay}"])
            lines.extend(table(rows, indent="      ") if rows else [])
            dominated = {p: d for p, d in report.get("dominated", {}).items() if d}
            if dominated:
                shown = "; ".join(f"{p}: {', '.join(d)}" for p, d in dominated.items())
                lines.append(f"    strictly dominated: {shown}")
        for note in report["notes"]:
            lines.append(f"    note: {note}")
    return lines
