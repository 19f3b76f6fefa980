"""The ``dealsim`` command line: a thin shell over :mod:`dealsim`.

Every command lives in this package, one module per group, and is listed once in
:data:`COMMANDS` below with its one-line help and where it lives; only the module of the command
that runs is imported (``dealsim --help`` needs none of them). Every error a user can cause is
printed as one line ``dealsim: error: ...`` naming the file and the field, with exit status 2; no
traceback. Heavy imports (matplotlib, scipy) happen only inside the commands that need them.
Nothing outside this package imports it (an import-linter contract in ``pyproject.toml`` holds the
layers).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from dealsim._version import __version__
from dealsim.cli._common import Command
from dealsim.errors import DealsimError

__all__ = ["COMMANDS", "CommandEntry", "build_parser", "load_command", "main", "run"]


@dataclass(frozen=True)
class CommandEntry:
    """A sub-command as ``dealsim --help`` lists it: its name, its help and where it lives.

    ``target`` is ``"module:ATTRIBUTE"``, the :class:`~dealsim.cli._common.Command` that adds
    the command's options and runs it; the module is imported only when the command runs.
    """

    name: str
    target: str
    help: str


COMMANDS: dict[str, CommandEntry] = {
    entry.name: entry
    for entry in (
        CommandEntry(
            "solve",
            "dealsim.cli.solve:SOLVE",
            "Solve a scenario: agreement zone, Pareto frontier, solutions.",
        ),
        CommandEntry(
            "validate",
            "dealsim.cli.solve:VALIDATE",
            "Check a scenario file and say exactly what is wrong.",
        ),
        CommandEntry("list", "dealsim.cli.solve:LIST", "List the bundled scenarios."),
        CommandEntry(
            "schema",
            "dealsim.cli.solve:SCHEMA",
            "Print the JSON Schema of scenario files, or of a JSON document dealsim writes.",
        ),
        CommandEntry(
            "evaluate",
            "dealsim.cli.cases:EVALUATE",
            "Evaluate one package (--deal issue=value ...): utilities, zone, dominance, analyses.",
        ),
        CommandEntry(
            "backtest",
            "dealsim.cli.cases:BACKTEST",
            "Compare the bargaining solutions with the deals actually agreed in historical cases.",
        ),
        CommandEntry(
            "sweep",
            "dealsim.cli.uncertainty:SWEEP",
            "Solve a scenario over a 1-D or 2-D grid of parameter values.",
        ),
        CommandEntry(
            "montecarlo",
            "dealsim.cli.uncertainty:MONTECARLO",
            "Sample the uncertain parameters: chance of agreement, robust deals, solution spread.",
        ),
        CommandEntry(
            "sensitivity",
            "dealsim.cli.uncertainty:SENSITIVITY",
            "Tornado and Sobol sensitivity of a scalar result to the uncertain parameters.",
        ),
        CommandEntry(
            "plot",
            "dealsim.cli.plot:PLOT",
            "Draw a figure of a scenario (png, svg or pdf by suffix).",
        ),
        CommandEntry(
            "report",
            "dealsim.cli.plot:REPORT",
            "Write a self-contained HTML report with every figure.",
        ),
        CommandEntry(
            "negotiate",
            "dealsim.cli.negotiate:NEGOTIATE",
            "Simulate scripted concession agents (Boulware, Conceder, ...) and print the offer "
            "trace.",
        ),
        CommandEntry(
            "export",
            "dealsim.cli.games:EXPORT",
            "Write a scenario's game as a Gambit .nfg or .efg file.",
        ),
        CommandEntry(
            "import",
            "dealsim.cli.importing:IMPORT",
            "Convert a negotiation domain from another tool (Genius/ANAC) into a scenario file.",
        ),
        CommandEntry(
            "coalitions",
            "dealsim.cli.coalitions:COALITIONS",
            "For every coalition of parties: the deals all accept, its worth under transferable "
            "utility; the Shapley value, core and nucleolus; voting bodies' power and pivotal "
            "members.",
        ),
    )
}
"""Every sub-command, in the order ``dealsim --help`` lists them."""


def load_command(name: str) -> Command:
    """Import the module of the command ``name`` and return its :class:`Command`.

    Examples
    --------
    >>> load_command("list").name
    'list'
    """
    module, _, attribute = COMMANDS[name].target.partition(":")
    return getattr(importlib.import_module(module), attribute)


class _CommandParser(argparse.ArgumentParser):
    """A sub-command's parser that adds the command's options only when it parses.

    ``dealsim solve ...`` thus imports :mod:`dealsim.cli.solve` and no other command module.
    """

    command: str | None = None

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self.command is not None:
            name, self.command = self.command, None
            load_command(name).configure(self)
        return super().parse_known_args(args, namespace)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command of :data:`COMMANDS`.

    A sub-command's options are added when it parses its arguments (its module is imported
    then).
    """
    parser = argparse.ArgumentParser(
        prog="dealsim",
        description="A game-theoretic peace-deal simulator.",
        epilog="Start with: dealsim solve donbas-2026",
    )
    parser.add_argument("--version", action="version", version=f"dealsim {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_CommandParser
    )
    for entry in COMMANDS.values():
        sub = subparsers.add_parser(entry.name, help=entry.help, description=entry.help)
        sub.command = entry.name
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
        return load_command(args.command).run(args)
    except DealsimError as error:
        print(f"dealsim: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dealsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``dealsim`` program: run :func:`main` and exit with its status.

    Before exiting it freezes the garbage collector (:func:`gc.freeze`): the interpreter's final
    collections then skip every object the run created, which would otherwise take about as long
    as importing numpy. The process ends right after (output flushed, ``atexit`` handlers run);
    call :func:`main` to run a command inside a longer-lived program.

    Examples
    --------
    >>> run(["validate", "logroll"])
    Traceback (most recent call last):
    ...
    SystemExit: 0
    """
    status = main(argv)
    gc.freeze()
    sys.exit(status)
