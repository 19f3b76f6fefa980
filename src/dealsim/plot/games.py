"""Games: a game tree with its equilibrium path, and a payoff matrix with its equilibria."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dealsim.errors import GameError
from dealsim.plot._style import finish, level_label, new_axes, party_colors

__all__ = ["game_tree", "path_edges", "payoff_matrix"]

_PATH = "#222222"
_OFF_PATH = "#BBBBBB"
_INFOSET_DASHES = (0, (4, 3))  # an information set of several nodes
_LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"}
_NODE_LABEL = {"fontsize": 8, "ha": "center", "va": "bottom", "gid": "node-label"}
_PAYOFF_LABEL = {"fontsize": 8.5, "ha": "left", "va": "center", "gid": "payoff"}


def path_edges(tree: Any, result: Any) -> set[tuple[int, int]]:
    """The ``(parent, child)`` node pairs on the equilibrium path of ``result``.

    Examples
    --------
    >>> from dealsim.solvers.sequential import GameTree, subgame_perfect_equilibrium
    >>> tree = GameTree.from_nodes({"r": {"player": "a", "actions": {"x": "o1", "y": "o2"}}},
    ...                            {"o1": [1.0], "o2": [2.0]}, root="r", players=["a"])
    >>> sorted(path_edges(tree, subgame_perfect_equilibrium(tree)))
    [(0, 2)]
    """
    steps = {(s.node, s.action) for s in result.path}
    child = np.arange(tree.n_nodes)
    parent = np.asarray(tree.parent)
    has_parent = parent >= 0
    labels = np.asarray(tree.labels, dtype=object)
    actions = np.asarray(tree.actions, dtype=object)
    return {
        (int(parent[c]), int(c))
        for c in child[has_parent]
        if (str(labels[parent[c]]), str(actions[c])) in steps
    }


def _layout(tree: Any) -> tuple[np.ndarray, np.ndarray]:
    """Depth on x; leaves evenly spaced on y in depth-first order, parents centred over them."""
    n = tree.n_nodes
    y = np.zeros(n)
    order, stack = [], [0]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(tree.children(node)))
    leaves = [v for v in order if len(tree.children(v)) == 0]
    y[leaves] = -np.arange(len(leaves), dtype=float)
    for node in sorted(range(n), key=lambda v: -int(tree.depth[v])):
        kids = tree.children(node)
        if len(kids):
            y[node] = y[list(kids)].mean()
    return np.asarray(tree.depth, dtype=float), y


def game_tree(
    tree: Any,
    result: Any = None,
    *,
    colors: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: Any = None,
):
    """Draw a game tree with its equilibrium path highlighted.

    Decision nodes are circles in the mover's colour, chance nodes grey diamonds, outcomes black
    squares followed by their payoffs. Every edge carries its action (and probability, for a
    chance branch); the edges on the equilibrium path are thick and dark, the others thin and
    grey. The nodes of an information set of several nodes are joined by a dashed line.

    Parameters
    ----------
    tree : dealsim.solvers.sequential.GameTree
    result : SequentialResult, optional
        Default: :func:`~dealsim.solvers.sequential.subgame_perfect_equilibrium` of ``tree``.
    colors : mapping of player -> colour, optional
        Default: :func:`party_colors` of ``tree.players`` (pass the scenario's colours to match
        other figures).
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; artists tagged by gid: ``edge:{parent}-{child}``, ``action``,
        ``node:{node}``, ``node-label``, ``payoff`` (the outcome texts) and
        ``infoset:{label}`` (the dashed line of an information set).

    Examples
    --------
    The bundled scenario's "territory first" game, in the scenario's party colours; the edges
    drawn thick are the subgame-perfect path, one per move:

    >>> import dealsim
    >>> from dealsim.analysis.games import scenario_game
    >>> from dealsim.solvers.sequential import subgame_perfect_equilibrium
    >>> scenario = dealsim.load("donbas-2026")
    >>> tree = scenario_game(scenario, "territory_first")
    >>> ax = game_tree(tree, colors=party_colors(scenario.party_ids))
    >>> thick = [line.get_gid() for line in ax.lines if line.get_linewidth() > 2]
    >>> len(thick) == len(subgame_perfect_equilibrium(tree).path), thick[0].startswith("edge:0-")
    (True, True)
    """
    from dealsim.solvers._tree import CHANCE, DECISION
    from dealsim.solvers.sequential import GameTree, subgame_perfect_equilibrium

    if not isinstance(tree, GameTree):
        raise GameError(f"expected a GameTree, got {type(tree).__name__}")
    if result is None:
        result = subgame_perfect_equilibrium(tree)
    colours = {**party_colors(tree.players), **(colors or {})}
    on_path = path_edges(tree, result)
    x, y = _layout(tree)
    n_leaves = int((np.asarray(tree.terminal) >= 0).sum())
    width = min(12.0, 1.9 * (float(x.max()) + 2))
    ax = new_axes(ax, figsize=(width, max(3.0, 0.6 * n_leaves + 1.5)))
    for c in range(1, tree.n_nodes):
        p = int(tree.parent[c])
        hot = (p, c) in on_path
        ax.plot(
            [x[p], x[c]],
            [y[p], y[c]],
            color=_PATH if hot else _OFF_PATH,
            linewidth=3.2 if hot else 1.1,
            zorder=1,
            gid=f"edge:{p}-{c}",
            solid_capstyle="round",
        )
        text = level_label(str(tree.actions[c]))
        if tree.kind[p] == CHANCE:
            text += f" (p={float(tree.prob[c]):.3g})"
        ax.text(
            0.5 * (x[p] + x[c]),
            0.5 * (y[p] + y[c]),
            text,
            fontsize=8,
            ha="center",
            va="center",
            color="black" if hot else "#666666",
            gid="action",
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        )
    # Information sets of several nodes: a dashed line through their members, as in textbook
    # trees (the mover does not know which of these nodes it is at); their labels sit on a white
    # box above the line.
    infoset = np.asarray(tree.infoset)
    shared = [
        members
        for k in np.unique(infoset[infoset >= 0])
        if len(members := np.flatnonzero(infoset == k)) > 1
    ]
    boxed = {int(v) for members in shared for v in members}
    for members in shared:
        order = members[np.argsort(y[members], kind="stable")]
        label = tree.infoset_labels[int(infoset[order[0]])]
        ax.plot(
            x[order],
            y[order],
            linestyle=_INFOSET_DASHES,
            color="black",
            linewidth=1.3,
            zorder=2,
            gid=f"infoset:{label}",
        )
    for v in range(tree.n_nodes):
        name = level_label(str(tree.labels[v]))
        if tree.kind[v] == DECISION:
            who = tree.players[int(tree.player[v])]
            node = {"s": 260, "color": colours[who], "edgecolors": "black"}
            dx, dy, text, style = 0.0, 0.32, f"{name}\n({who})", _NODE_LABEL
            if v in boxed:
                style = {**style, "zorder": 4, "bbox": _LABEL_BOX}
        elif tree.kind[v] == CHANCE:
            node = {"s": 200, "marker": "D", "color": "#DDDDDD", "edgecolors": "black"}
            dx, dy, text, style = 0.0, 0.3, "chance", {**_NODE_LABEL, "color": "#555555"}
        else:
            payoff = ", ".join(f"{val:.3g}" for val in tree.payoffs[int(tree.terminal[v])])
            node = {"s": 50, "marker": "s", "color": "black"}
            dx, dy, text, style = 0.1, 0.0, f"{name}  ({payoff})", _PAYOFF_LABEL
        if tree.kind[v] == DECISION and v > 0 and v not in boxed and y[int(tree.parent[v])] > y[v]:
            # the edge in comes from above, its action label above-left of the node: write the
            # mover's two-line label below it instead, where no edge label is
            dy, style = -dy, {**style, "va": "top"}
        ax.scatter([x[v]], [y[v]], zorder=3, gid=f"node:{v}", **node)
        ax.text(x[v] + dx, y[v] + dy, text, **style)
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=10,
            color=colours[p],
            markeredgecolor="black",
            label=f"{p} moves",
        )
        for p in tree.players
    ]
    handles.append(Line2D([], [], color=_PATH, linewidth=3.2, label="equilibrium path"))
    if shared:
        handles.append(
            Line2D(
                [],
                [],
                color="black",
                linestyle=_INFOSET_DASHES,
                linewidth=1.3,
                label="information set (the mover cannot tell these nodes apart)",
            )
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.02),
        frameon=False,
        fontsize=8.5,
        ncol=min(4, len(handles)),
    )
    ax.set_xlim(-0.4, float(x.max()) + 1.6)
    ax.set_ylim(float(y.min()) - 0.6, float(y.max()) + 0.9)
    ax.set_axis_off()
    payoff_order = ", ".join(tree.players)
    expected = ", ".join(f"{p} {v:.3g}" for p, v in result.payoffs.items())
    finish(
        ax,
        title or f"Game tree: {tree.name}",
        f"payoffs ({payoff_order}); {result.method.replace('_', ' ')}; expected: {expected}",
    )
    return ax


def payoff_matrix(
    game: Any,
    equilibria: Sequence[Any] | None = None,
    *,
    players: Sequence[str] | None = None,
    strategies: Sequence[Sequence[str]] | None = None,
    colors: Mapping[str, str] | None = None,
    title: str | None = None,
    tol: float = 1e-9,
    ax: Any = None,
):
    """Draw the payoff matrix of a two-player game with its Nash equilibria marked.

    Each cell shows the row player's payoff (left, in its colour) and the column player's
    (right). Pure equilibria are outlined and shaded; mixed equilibria are listed under the
    matrix with each player's probabilities.

    Parameters
    ----------
    game : array (2, m, n) or NormalFormGame
        The payoff tensor, or an object holding it (names are taken from it).
    equilibria : sequence of Equilibrium, optional
        Default: :func:`~dealsim.solvers.equilibrium.two_player_equilibria` of the game.
    players, strategies : optional
        Names of the players and of their strategies.
    colors : mapping, optional
    title : str, optional
    tol : float
        Tolerance of the equilibrium computation and of "pure".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; the cell rectangles carry gid ``equilibrium:{i}-{j}`` (pure
        equilibria) or ``cell:{i}-{j}``, the list of equilibria under the matrix
        ``equilibria-list``.

    Examples
    --------
    >>> import numpy as np
    >>> ax = payoff_matrix(np.array([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]),
    ...                    players=["she", "he"], strategies=[["opera", "fight"]] * 2)
    >>> sorted(p.get_gid() for p in ax.patches if p.get_gid().startswith("equilibrium"))
    ['equilibrium:0-0', 'equilibrium:1-1']
    """
    from matplotlib.patches import Rectangle

    from dealsim.solvers.equilibrium import two_player_equilibria

    payoffs, players, strategies = _unpack(game, players, strategies)
    if equilibria is None:
        equilibria = two_player_equilibria(payoffs[0], payoffs[1], tol=tol).equilibria
    colours = {**party_colors(players), **(colors or {})}
    m, n = payoffs.shape[1:]
    ax = new_axes(ax, figsize=(max(4.5, 1.9 * n + 2.5), max(3.2, 0.9 * m + 2.2)))
    pure = set()
    mixed = []
    for eq in equilibria:
        s0, s1 = (np.asarray(s, dtype=float) for s in eq.strategies)
        # pure: a probability within tol of 1 (np.isclose's rtol 1e-5 took 0.999995 for 1)
        if min(s0.max(), s1.max()) >= 1.0 - tol:
            pure.add((int(s0.argmax()), int(s1.argmax())))
        else:
            mixed.append((s0, s1, np.asarray(eq.payoffs, dtype=float)))
    styles = [{"color": colours[p], "fontweight": "bold"} for p in players]  # payoff texts
    for i in range(m):
        for j in range(n):
            is_eq = (i, j) in pure
            ax.add_patch(
                Rectangle(
                    (j, i),
                    1,
                    1,
                    facecolor="#FFF2B3" if is_eq else "white",
                    edgecolor="black" if is_eq else "#999999",
                    linewidth=2.6 if is_eq else 0.8,
                    zorder=2 if is_eq else 1,
                    gid=f"equilibrium:{i}-{j}" if is_eq else f"cell:{i}-{j}",
                )
            )
            for dx, text, ha, style in (
                (0.47, f"{payoffs[0, i, j]:.3g}", "right", styles[0]),
                (0.5, ",", "center", {}),
                (0.53, f"{payoffs[1, i, j]:.3g}", "left", styles[1]),
            ):
                ax.text(j + dx, i + 0.5, text, ha=ha, va="center", fontsize=11, zorder=3, **style)
            if is_eq:
                ax.text(j + 0.96, i + 0.06, "NE", ha="right", va="top", fontsize=7.5, zorder=3)
    ax.set_xlim(-0.03, n + 0.03)
    ax.set_ylim(m + 0.03, -0.03)
    ax.set_xticks(np.arange(n) + 0.5, [level_label(s) for s in strategies[1]])
    ax.set_yticks(np.arange(m) + 0.5, [level_label(s) for s in strategies[0]])
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel(f"{players[1]} (column)", color=colours[players[1]], fontweight="bold")
    ax.set_ylabel(f"{players[0]} (row)", color=colours[players[0]], fontweight="bold")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    lines = [f"pure equilibria (outlined): {len(pure)}"]
    for s0, s1, pay in mixed:
        lines.append(
            f"mixed: {players[0]} ({', '.join(f'{p:.3g}' for p in s0)}), "
            f"{players[1]} ({', '.join(f'{p:.3g}' for p in s1)}); payoffs "
            f"({', '.join(f'{p:.3g}' for p in pay)})"
        )
    ax.text(
        0.0,
        -0.04,
        "\n".join(lines),
        transform=ax.transAxes,
        va="top",
        fontsize=8.5,
        gid="equilibria-list",
    )
    ax.set_title((title or "Payoff matrix") + "\n\n", loc="left", fontsize=12, fontweight="bold")
    return ax


def _unpack(game: Any, players, strategies):
    payoffs = getattr(game, "payoffs", game)
    payoffs = np.asarray(payoffs, dtype=float)
    if payoffs.ndim != 3 or payoffs.shape[0] != 2:
        raise GameError(
            f"payoff_matrix draws two-player games: payoffs of shape (2, m, n), got {payoffs.shape}"
        )
    if players is None:
        players = getattr(game, "players", None) or getattr(game, "player_names", None)
    players = tuple(players or ("row player", "column player"))
    if strategies is None:
        strategies = getattr(game, "strategies", None) or getattr(game, "strategy_names", None)
    if strategies is None:
        strategies = tuple(tuple(str(k + 1) for k in range(s)) for s in payoffs.shape[1:])
    if len(players) != 2 or tuple(len(s) for s in strategies) != payoffs.shape[1:]:
        raise GameError(
            f"need 2 player names and {payoffs.shape[1:]} strategy names, got {len(players)} "
            f"and {tuple(len(s) for s in strategies)}"
        )
    return payoffs, players, strategies
