"""``dealsim plot`` and ``dealsim report``: figures and the HTML report from the command line.

Importing this module registers the commands; matplotlib is imported only when one runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dealsim.cli import command, parse_assignments
from dealsim.errors import DealsimError

__all__ = [
    "FIGURE_SUFFIXES",
    "PLOT_KINDS",
    "game_title",
    "is_tree",
    "resolve_game",
    "save_figure",
    "scenario_games",
]

PLOT_KINDS = ("surface", "zone", "frontier", "tree", "matrix", "trace", "threshold")
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def _check_output(output: str, force: bool, suffixes: tuple[str, ...]) -> Path:
    path = Path(output)
    if path.suffix.lower() not in suffixes:
        raise DealsimError(
            f"{output}: unknown file type {path.suffix or '(none)'!r} "
            f"(allowed: {', '.join(suffixes)})"
        )
    if path.exists() and not force:
        raise DealsimError(f"{output}: already exists; pass --force to overwrite it")
    return path


def save_figure(fig: Any, output: str, *, force: bool = False, dpi: int = 150) -> Path:
    """Save ``fig`` as png, svg or pdf (by suffix), refusing to overwrite unless ``force``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, tempfile, os
    >>> fig = plt.figure()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     save_figure(fig, os.path.join(d, "a.svg")).suffix
    '.svg'
    """
    import matplotlib.pyplot as plt

    path = _check_output(output, force, FIGURE_SUFFIXES)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path


def resolve_game(scenario: Any, game_id: str | None, kind: str, *, zc: Any = None) -> Any:
    """The game ``game_id`` of the scenario's ``games`` section at its parameter values.

    ``kind="tree"`` gives the :class:`~dealsim.solvers.sequential.GameTree` of a sequential
    game; ``kind="matrix"`` a :class:`~dealsim.solvers.equilibrium.NormalFormGame` (a tree's
    normal form for a sequential game). ``zc``, the scenario's
    :func:`~dealsim.pipeline.compute_zone`, saves recomputing the zone for outcomes a
    bargaining solution picks (it is computed here otherwise). Raises a DealsimError naming
    the games available (or saying there are none).

    Examples
    --------
    >>> import dealsim
    >>> resolve_game(dealsim.load("donbas-2026"), "accept_nash", "matrix").shape
    (2, 2)
    >>> resolve_game(dealsim.load("logroll"), "g", "tree")
    Traceback (most recent call last):
    ...
    dealsim.errors.DealsimError: ...logroll.toml: the scenario declares no games ...
    """
    from dealsim.analysis.games import scenario_game
    from dealsim.solvers.sequential import GameTree, normal_form

    games = scenario_games(scenario)
    where = scenario.file or scenario.name
    if not games:
        raise DealsimError(
            f"{where}: the scenario declares no games (a [games] section); draw a game from "
            f"Python instead: dealsim.plot.game_tree(tree) or dealsim.plot.payoff_matrix(payoffs)"
        )
    if game_id is None or game_id not in games:
        what = "--game is required" if game_id is None else f"unknown game {game_id!r}"
        raise DealsimError(f"{where}: {what} (games: {', '.join(games)})")
    game = games[game_id]
    if getattr(game, "kind", None) in ("sequential", "normal"):
        # a compiled scenario game: its payoffs at the scenario's parameter values
        from dealsim.pipeline import compute_zone

        game = scenario_game(scenario, game_id, zc=compute_zone(scenario) if zc is None else zc)
    if kind == "tree" and isinstance(game, dict) and "nodes" in game:
        keys = ("nodes", "outcomes", "root", "players")
        game = GameTree.from_nodes(**{k: game[k] for k in keys}, name=game_id)
    if kind == "tree" and not isinstance(game, GameTree):
        raise DealsimError(f"{where}: game {game_id!r} is not a game tree; try KIND matrix")
    if kind == "matrix" and isinstance(game, GameTree):
        game = normal_form(game)
    return game


def scenario_games(scenario: Any) -> dict[str, Any]:
    """The scenario's compiled games by id (empty when it declares none).

    Examples
    --------
    >>> import dealsim
    >>> scenario_games(dealsim.load("logroll"))
    {}
    """
    return dict(getattr(scenario, "games", None) or {})


def game_title(scenario: Any, game_id: str) -> str | None:
    """The label the scenario gives a game (None: the figure's default title).

    Examples
    --------
    >>> import dealsim
    >>> game_title(dealsim.load("donbas-2026"), "accept_nash")
    'Both must accept the Nash deal'
    """
    game = scenario_games(scenario).get(game_id)
    label = getattr(game, "label", None) or (game.get("label") if isinstance(game, dict) else None)
    return str(label) if label else None


def is_tree(game: Any) -> bool:
    """Whether a scenario game is a game tree (else a normal-form game).

    Examples
    --------
    >>> import dealsim
    >>> games = dealsim.load("donbas-2026").games
    >>> is_tree(games["territory_first"]), is_tree(games["accept_nash"])
    (True, False)
    >>> is_tree({"nodes": {}}), is_tree([[[1]], [[1]]])
    (True, False)
    """
    from dealsim.solvers.sequential import GameTree

    if getattr(game, "kind", None) in ("sequential", "normal"):
        return game.kind == "sequential"
    return isinstance(game, GameTree) or (isinstance(game, dict) and "nodes" in game)


def _plot_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="a scenario file (.toml) or a bundled scenario name")
    parser.add_argument(
        "kind", choices=PLOT_KINDS, metavar="KIND", help=f"what to draw: {', '.join(PLOT_KINDS)}"
    )
    parser.add_argument("--x", help="issue on the horizontal axis (default: the first issue)")
    parser.add_argument("--y", help="issue on the vertical axis (default: the second issue)")
    parser.add_argument(
        "--party",
        action="append",
        help="party id: whose utility (surface); two for frontier (repeat)",
    )
    parser.add_argument(
        "--measure",
        choices=("utility", "nash_product", "min_gain"),
        help="surface: what to show (default: utility with --party, else min_gain)",
    )
    parser.add_argument(
        "--style",
        choices=("heatmap", "contour", "3d"),
        default="heatmap",
        help="surface: heatmap (default), contour or 3d",
    )
    parser.add_argument("--game", help="game id (tree, matrix)")
    parser.add_argument("--param", help="threshold: the parameter to sweep over its range")
    parser.add_argument(
        "--agents",
        help="trace: one agent per party, comma-separated (default: conceder for the first "
        "party, boulware for the others)",
    )
    parser.add_argument("--rounds", type=int, default=40, help="trace: deadline (default 40)")
    parser.add_argument("--seed", type=int, default=0, help="trace: seed (default 0)")
    _common_args(parser, "output file: .png, .svg or .pdf")


@command("plot", _plot_args, "Draw a figure of a scenario (png, svg or pdf by suffix).")
def _plot(args: argparse.Namespace) -> int:
    _check_output(args.output, args.force, FIGURE_SUFFIXES)
    fig = _draw(_load(args), args)
    save_figure(fig, args.output, force=args.force)
    return 0


def _draw(scenario: Any, args: argparse.Namespace) -> Any:
    from dealsim import plot

    parties = args.party or []
    for p in parties:
        plot.check_choice(p, scenario.party_ids, "party", scenario.file)
    if args.kind in ("surface", "zone"):
        ids = scenario.issue_ids
        if len(ids) < 2 and not (args.x and args.y):
            raise DealsimError(f"{args.kind} needs two issues; the scenario has {len(ids)}")
        x = args.x or (ids[0] if args.y != ids[0] else ids[1])
        y = args.y or next(i for i in ids if i != x)
        if args.kind == "zone":
            return plot.agreement_zone_map(scenario, x, y).figure
        if len(parties) > 1:
            raise DealsimError("surface takes one --party")
        measure = args.measure or ("utility" if parties else "min_gain")
        ax = plot.payoff_surface(
            scenario, x, y, measure=measure, party=parties[0] if parties else None, kind=args.style
        )
        return ax.figure
    if args.kind == "frontier":
        if not parties and len(scenario.parties) > 2:
            return plot.utility_space_pairs(scenario)
        if parties and len(parties) != 2:
            raise DealsimError(
                f"frontier takes two --party options or none (parties: "
                f"{', '.join(scenario.party_ids)})"
            )
        return plot.utility_space(scenario, parties or None).figure
    if args.kind in ("tree", "matrix"):
        draw = plot.game_tree if args.kind == "tree" else plot.payoff_matrix
        return draw(
            resolve_game(scenario, args.game, args.kind),
            colors=plot.party_colors(scenario.party_ids),
            title=game_title(scenario, args.game),
        ).figure
    if args.kind == "threshold":
        if args.param is None:
            ranged = [k for k, s in scenario.parameter_specs.items() if s.range is not None]
            raise DealsimError(
                "threshold needs --param NAME (parameters with a range: "
                f"{', '.join(ranged) or 'none'})"
            )
        xs, labels, payoffs = plot.solution_sweep(scenario, args.param)
        return plot.threshold_plot(
            xs,
            labels,
            parameter=args.param,
            payoffs=payoffs,
            parties=[p.label for p in scenario.parties],
        ).figure
    import matplotlib.pyplot as plt

    from dealsim.analysis.negotiate_command import simulate_scenario_negotiation

    agents = args.agents or ",".join(["conceder"] + ["boulware"] * (len(scenario.parties) - 1))
    trace, _ = simulate_scenario_negotiation(scenario, agents, rounds=args.rounds, seed=args.seed)
    labels = [p.label for p in scenario.parties]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
    plot.trace_utility_space(trace, labels, reservations=scenario.reservations(), ax=left)
    plot.trace_timeline(trace, labels, reservations=scenario.reservations(), ax=right)
    fig.suptitle(f"Negotiation: {agents} ({trace.outcome})")
    return fig


def _common_args(parser: argparse.ArgumentParser, output_help: str) -> None:
    parser.add_argument(
        "--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)"
    )
    parser.add_argument("-o", "--output", required=True, help=output_help)
    parser.add_argument("--force", action="store_true", help="overwrite --output if it exists")


def _load(args: argparse.Namespace) -> Any:
    import dealsim

    scenario = dealsim.load(args.scenario)
    params = parse_assignments(args.set) or None
    return scenario.with_parameters(**params) if params else scenario


def _report_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="a scenario file (.toml) or a bundled scenario name")
    _common_args(parser, "the HTML file to write")


@command("report", _report_args, "Write a self-contained HTML report with every figure.")
def _report(args: argparse.Namespace) -> int:
    from dealsim.html_report import render_html_report

    path = _check_output(args.output, args.force, (".html", ".htm"))
    path.write_text(render_html_report(_load(args)), encoding="utf-8")
    return 0
