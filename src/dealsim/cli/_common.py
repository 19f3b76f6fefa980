"""Shared pieces of the command line: the command record, common options, output and JSON.

Every write goes through :func:`write_output`, which refuses to overwrite a file unless asked and
turns operating-system errors into one line naming the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dealsim.errors import DealsimError

__all__ = [
    "Command",
    "add_output_arguments",
    "add_scenario_argument",
    "dump_json",
    "parse_assignments",
    "write_output",
]


@dataclass(frozen=True)
class Command:
    """One sub-command: its name, how to add its options, how to run it, its one-line help.

    ``help`` (the summary ``dealsim --help`` lists) defaults to the run function's docstring.
    """

    name: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    help: str | None = None

    @property
    def summary(self) -> str:
        """The one-line help of the command."""
        return self.help if self.help is not None else " ".join((self.run.__doc__ or "").split())

    def add_to(self, subparsers: argparse._SubParsersAction) -> None:
        """Add this command's parser to ``subparsers``."""
        parser = subparsers.add_parser(self.name, help=self.summary, description=self.summary)
        self.configure(parser)


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
