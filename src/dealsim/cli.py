"""The ``dealsim`` command line: a thin shell over :mod:`dealsim`.

Every error a user can cause is printed as one line ``dealsim: error: ...`` naming the file and the
field, with exit status 2; no traceback. Heavy imports (matplotlib) happen only in the commands that
draw.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dealsim._version import __version__
from dealsim.errors import DealsimError

__all__ = [
    "COMMANDS",
    "add_output_arguments",
    "add_scenario_argument",
    "dump_json",
    "main",
    "write_output",
]

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction], None], Command]] = {}
"""Sub-commands: name -> (add its parser, run it). Feature modules register here."""


def command(
    name: str, configure: Callable[[argparse.ArgumentParser], None], help: str | None = None
):
    """Register a sub-command (decorator over its run function).

    ``help`` (the one-line summary ``dealsim --help`` lists) defaults to the run function's
    docstring.
    """

    def register(run: Command) -> Command:
        summary = help if help is not None else " ".join((run.__doc__ or "").split())

        def add(subparsers: argparse._SubParsersAction) -> None:
            parser = subparsers.add_parser(name, help=summary, description=summary)
            configure(parser)

        COMMANDS[name] = (add, run)
        return run

    return register


def write_output(text: str, output: str | None, *, force: bool = False) -> None:
    """Print ``text``, or write it to ``output`` (refusing to overwrite unless ``force``)."""
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    path = Path(output)
    if path.exists() and not force:
        raise DealsimError(f"{output}: already exists; pass --force to overwrite it")
    path.write_text(text, encoding="utf-8")


def dump_json(document: Any) -> str:
    """The JSON text commands print: indented, UTF-8, no NaN, ending in a newline.

    Examples
    --------
    >>> print(dump_json({"zone": [1, 2]}), end="")
    {
      "zone": [
        1,
        2
      ]
    }
    """
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def add_scenario_argument(parser: argparse.ArgumentParser) -> None:
    """Add the positional ``scenario`` argument (a file or a bundled name)."""
    parser.add_argument("scenario", help="a scenario file (.toml) or a bundled scenario name")


def add_output_arguments(
    parser: argparse.ArgumentParser,
    *,
    help: str = "write to this file instead of standard output",
) -> None:
    """Add ``-o/--output`` (with ``help``) and ``--force``, the options of :func:`write_output`."""
    parser.add_argument("-o", "--output", help=help)
    parser.add_argument("--force", action="store_true", help="overwrite --output if it exists")


def _format_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text report (default) or the JSON document",
    )
    add_output_arguments(parser)


def parse_assignments(items: Sequence[str] | None) -> dict[str, float]:
    """Parse ``--set name=value`` options into a dict of floats.

    Examples
    --------
    >>> parse_assignments(["credibility=0.8"])
    {'credibility': 0.8}
    """
    values: dict[str, float] = {}
    for item in items or ():
        name, sep, text = item.partition("=")
        try:
            if not sep:
                raise ValueError
            values[name.strip()] = float(text)
        except ValueError:
            raise DealsimError(
                f"--set {item!r}: expected NAME=NUMBER, e.g. credibility=0.8"
            ) from None
    return values


def _solve_args(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    _format_args(parser)
    parser.add_argument(
        "--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)"
    )


@command("solve", _solve_args, "Solve a scenario: agreement zone, Pareto frontier, solutions.")
def _solve(args: argparse.Namespace) -> int:
    import dealsim
    from dealsim.report import render_report

    solver = _FILE_SOLVERS.get(Path(args.scenario).suffix.lower())
    if solver is not None:
        document = dict(solver(args.scenario))
        text = document.pop("text")
        write_output(
            dump_json(document) if args.format == "json" else text, args.output, force=args.force
        )
        return 0
    scenario = dealsim.load(args.scenario)
    result = dealsim.solve(scenario, parameters=parse_assignments(args.set) or None)
    text = dump_json(result.to_dict()) if args.format == "json" else render_report(result)
    write_output(text, args.output, force=args.force)
    return 0


_FILE_SOLVERS: dict[str, Callable[[str], dict[str, Any]]] = {}
"""Solvers for non-scenario files by suffix (Gambit ``.nfg``/``.efg``); return a JSON document
with a ``text`` entry for the text format."""


@command("validate", add_scenario_argument, "Check a scenario file and say exactly what is wrong.")
def _validate(args: argparse.Namespace) -> int:
    import dealsim
    from dealsim.space import DealSpace

    scenario = dealsim.load(args.scenario)
    size = DealSpace(scenario).size
    print(
        f"{scenario.file}: ok: {scenario.name!r}, {len(scenario.parties)} parties, "
        f"{len(scenario.issues)} issues, {size:,} deals"
    )
    return 0


@command("list", lambda parser: None, "List the bundled scenarios.")
def _list(args: argparse.Namespace) -> int:
    from dealsim.scenario import bundled_scenarios, load

    for name, path in bundled_scenarios().items():
        print(f"{name:<20} {load(path).name}")
    return 0


@command("schema", add_output_arguments, "Print the JSON Schema of scenario files (for editors).")
def _schema(args: argparse.Namespace) -> int:
    from dealsim.scenario import scenario_json_schema

    write_output(dump_json(scenario_json_schema()), args.output, force=args.force)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    _load_plugins()
    parser = argparse.ArgumentParser(
        prog="dealsim",
        description="A game-theoretic peace-deal simulator.",
        epilog="Start with: dealsim solve donbas-2026",
    )
    parser.add_argument("--version", action="version", version=f"dealsim {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add, _ in COMMANDS.values():
        add(subparsers)
    return parser


def _load_plugins() -> None:
    """Import the modules that register further sub-commands and file solvers."""
    import importlib

    for module in _PLUGINS:
        importlib.import_module(module)


_PLUGINS: tuple[str, ...] = (
    "dealsim.analysis.commands",
    "dealsim.plot.commands",
    "dealsim.analysis.negotiate_command",
    "dealsim.analysis.games_commands",
)


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
    _, run = COMMANDS[args.command]
    try:
        return run(args)
    except DealsimError as error:
        print(f"dealsim: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dealsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    # Run the imported module's main, whose registry the plugin modules fill.
    from dealsim.cli import main as _main

    sys.exit(_main())
