"""``dealsim export`` and ``dealsim solve GAME.nfg|GAME.efg``: games on the command line.

Importing this module registers the ``export`` command, the Gambit file solvers of
``dealsim solve`` (by suffix, in :data:`dealsim.cli._FILE_SOLVERS`) and the games outcome hook of
``dealsim montecarlo``. Nothing heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import Any

from dealsim.cli._common import (
    Command,
    add_limit_arguments,
    add_output_arguments,
    add_scenario_argument,
    load_scenario,
    parse_assignments,
    write_output,
)
from dealsim.errors import DealsimError

__all__ = ["EXPORT", "EXPORT_SUFFIXES", "export_game", "solve_game_file"]

EXPORT_SUFFIXES = (".nfg", ".efg")


def read_game_file(path: str) -> tuple[Any, bytes]:
    """Read and check a Gambit ``.nfg`` or ``.efg`` file without solving it: ``(game, bytes)``.

    Everything ``dealsim solve FILE`` refuses in the file is refused here (``dealsim validate``
    runs only this): unreadable or non-UTF-8 bytes, a parse error, a tree without a decision node.

    Examples
    --------
    >>> game, data = read_game_file("tests/io/data/prisoners_dilemma.nfg")
    >>> game.payoffs.shape
    (2, 2, 2)
    """
    import numpy as np

    from dealsim.io.gambit import parse_efg, parse_nfg
    from dealsim.solvers.sequential import GameTree

    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise DealsimError(f"{path}: cannot read: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DealsimError(f"{path}: is not UTF-8 text") from None
    parse = parse_efg if file.suffix.lower() == ".efg" else parse_nfg
    game = parse(text, source=str(path))
    if isinstance(game, GameTree) and not np.any(game.infoset >= 0):
        raise DealsimError(
            f"{path}: the tree has no decision node (only chance moves): there is nothing to solve"
        )
    return game, data


def solve_game_file(path: str) -> dict[str, Any]:
    """Solve a Gambit ``.nfg`` or ``.efg`` file: the document ``dealsim solve FILE`` prints.

    Returns
    -------
    dict
        ``dealsim_version``, ``source`` (``file``, ``sha256`` of its bytes) and ``games``:
        ``{file stem: report}`` with the same per-game report as a scenario's ``games``
        (:func:`dealsim.analysis.equilibrium_report.solve_normal_form` / ``solve_tree``);
        ``text`` holds the text report (left out of the JSON).

    Examples
    --------
    >>> document = solve_game_file("tests/io/data/prisoners_dilemma.nfg")
    >>> document["games"]["prisoners_dilemma"]["equilibria"][0]["strategies"]
    {'Row': [0.0, 1.0], 'Column': [0.0, 1.0]}
    """
    from dealsim._version import __version__
    from dealsim.analysis.equilibrium_report import render_games, solve_normal_form, solve_tree
    from dealsim.solvers.sequential import GameTree

    file = Path(path)
    game, data = read_game_file(path)
    report = solve_tree(game) if isinstance(game, GameTree) else solve_normal_form(game)
    title = getattr(game, "title", None) or getattr(game, "name", "")
    report = {"label": title, **report}
    games = {file.stem: report}
    sha = hashlib.sha256(data).hexdigest()
    header = [str(path), "=" * len(str(path)), f"sha256 {sha[:12]}…", f"dealsim {__version__}", ""]
    return dict(
        dealsim_version=__version__,
        source={"file": str(path), "sha256": sha},
        games=games,
        text="\n".join(header + render_games(games)) + "\n",
    )


def export_game(scenario: Any, game_id: str | None, suffix: str | None = None) -> tuple[str, str]:
    """Gambit text of a scenario game at the scenario's parameter values: ``(text, suffix)``.

    A normal-form game becomes ``.nfg``; a sequential game ``.efg`` (or its normal form, with
    ``suffix=".nfg"``). Errors name the games available.

    Examples
    --------
    >>> import dealsim
    >>> text, suffix = export_game(dealsim.load("donbas-2026"), "accept_nash")
    >>> suffix, text.splitlines()[0]
    ('.nfg', 'NFG 1 R "accept_nash" { "ukraine" "russia" }')
    """
    from dealsim.analysis.games import resolve_game
    from dealsim.io.gambit import format_efg, format_nfg
    from dealsim.solvers.sequential import GameTree

    game = resolve_game(scenario, game_id, "any")  # errors name the games available
    if suffix is None:
        suffix = ".efg" if isinstance(game, GameTree) else ".nfg"
    if suffix not in EXPORT_SUFFIXES:
        raise DealsimError(f"unknown game file type {suffix!r} (allowed: .nfg, .efg)")
    if suffix == ".efg":
        if not isinstance(game, GameTree):
            raise DealsimError(
                f"game {game_id!r} is a normal-form game: export it as .nfg (an .efg file holds "
                "a game tree)"
            )
        return format_efg(game), suffix
    return format_nfg(game), suffix


def _export_args(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    parser.add_argument("--game", help="the game id (the scenario's [games.<id>])")
    add_output_arguments(
        parser,
        help="write to this .nfg or .efg file (default: standard output, .nfg for normal-form "
        "games and .efg for game trees)",
    )
    parser.add_argument(
        "--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)"
    )
    add_limit_arguments(parser)


def _export(args: argparse.Namespace) -> int:
    scenario = load_scenario(args)
    params = parse_assignments(args.set)
    if params:
        scenario = scenario.with_parameters(**params)
    suffix = None
    if args.output not in (None, "-"):
        suffix = Path(args.output).suffix.lower()
        if suffix not in EXPORT_SUFFIXES:
            raise DealsimError(
                f"{args.output}: unknown file type {suffix or '(none)'!r} (allowed: .nfg, .efg)"
            )
    text, _ = export_game(scenario, args.game, suffix)
    write_output(text, args.output, force=args.force)
    return 0


EXPORT = Command("export", _export_args, _export)
