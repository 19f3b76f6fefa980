"""The ``dealsim`` command line: a thin shell over :mod:`dealsim`.

Every command lives in this package, one module per group, and is listed once in
:data:`COMMANDS` below. Every error a user can cause is printed as one line
``dealsim: error: ...`` naming the file and the field, with exit status 2; no traceback. Heavy
imports (matplotlib, scipy) happen only inside the commands that need them. Nothing outside this
package imports it (an import-linter contract in ``pyproject.toml`` holds the layers).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dealsim._version import __version__
from dealsim.cli import cases, coalitions, games, importing, negotiate, plot, solve, uncertainty
from dealsim.cli._common import Command
from dealsim.errors import DealsimError

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        solve.SOLVE,
        solve.VALIDATE,
        solve.LIST,
        solve.SCHEMA,
        cases.EVALUATE,
        cases.BACKTEST,
        uncertainty.SWEEP,
        uncertainty.MONTECARLO,
        uncertainty.SENSITIVITY,
        plot.PLOT,
        plot.REPORT,
        negotiate.NEGOTIATE,
        games.EXPORT,
        importing.IMPORT,
        coalitions.COALITIONS,
    )
}
"""Every sub-command, in the order ``dealsim --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="dealsim",
        description="A game-theoretic peace-deal simulator.",
        epilog="Start with: dealsim solve donbas-2026",
    )
    parser.add_argument("--version", action="version", version=f"dealsim {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS.values():
        command.add_to(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Examples
    --------
    >>> main(["validate", "logroll"])
    /...logroll.toml: ok: 'Two-issue logroll', 2 parties, 2 issues, 121 deals
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command].run(args)
    except DealsimError as error:
        print(f"dealsim: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dealsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
