"""Shared pieces of the command line: the command record, common options, output and JSON.

Every write goes through :func:`write_output`, which refuses to overwrite a file unless asked and
turns operating-system errors into one line naming the file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dealsim._files import write_text
from dealsim.errors import DealsimError

__all__ = [
    "DEFAULT_MAX_FRONTIER",
    "Command",
    "add_format_arguments",
    "add_limit_arguments",
    "add_output_arguments",
    "add_scenario_argument",
    "dump_json",
    "load_scenario",
    "non_negative_int",
    "parse_assignments",
    "positive_int",
    "write_output",
]

DEFAULT_MAX_FRONTIER = 10_000
"""Frontier deals listed per frontier in ``solve``'s output unless ``--max-frontier`` says."""


@dataclass(frozen=True)
class Command:
    """One sub-command: its name, how to add its options and how to run it.

    Its one-line help lives in :data:`dealsim.cli.COMMANDS`, which lists every command without
    importing its module.
    """

    name: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def write_output(text: str, output: str | None, *, force: bool = False) -> None:
    """Print ``text``, or write it to ``output`` (refusing to overwrite unless ``force``)."""
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    write_text(output, text, force=force)


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


def positive_int(text: str) -> int:
    """An ``argparse`` type: an integer of at least 1 (argparse names the option on error).

    Examples
    --------
    >>> positive_int("3")
    3
    >>> positive_int("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a positive integer, not '0'
    """
    return _int_at_least(text, 1, "a positive integer")


def non_negative_int(text: str) -> int:
    """An ``argparse`` type: an integer of at least 0.

    Examples
    --------
    >>> non_negative_int("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer of 0 or more, not '-1'
    """
    return _int_at_least(text, 0, "an integer of 0 or more")


def _int_at_least(text: str, low: int, what: str) -> int:
    """``text`` as an integer ``>= low``; otherwise "must be <what>, not '<text>'"."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}")
    return value


def add_limit_arguments(parser: argparse.ArgumentParser, *, frontier: bool = False) -> None:
    """Add ``--max-deals`` (and, with ``frontier``, ``--max-frontier``); see docs/limits.md."""
    from dealsim.space import DEFAULT_MAX_DEALS

    parser.add_argument(
        "--max-deals",
        type=positive_int,
        default=DEFAULT_MAX_DEALS,
        metavar="N",
        help=f"refuse a deal space of more than N deals (default {DEFAULT_MAX_DEALS:,})",
    )
    if frontier:
        parser.add_argument(
            "--max-frontier",
            type=positive_int,
            default=DEFAULT_MAX_FRONTIER,
            metavar="N",
            help="list at most N deals of each Pareto frontier, evenly spaced; the true size "
            f"is still reported (default {DEFAULT_MAX_FRONTIER:,})",
        )


def load_scenario(args: argparse.Namespace) -> Any:
    """Load ``args.scenario`` and check its deal space against ``args.max_deals``."""
    import dealsim
    from dealsim.space import DealSpace, check_space_size

    scenario = dealsim.load(args.scenario)
    check_space_size(DealSpace(scenario), getattr(args, "max_deals", None))
    return scenario


def add_format_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--format text|json`` (text by default), then :func:`add_output_arguments`."""
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
            if not sep or not name.strip():
                raise ValueError
            value = float(text)
        except ValueError:
            raise DealsimError(
                f"--set {item!r}: expected NAME=NUMBER, e.g. credibility=0.8"
            ) from None
        if not math.isfinite(value):
            raise DealsimError(f"--set {item!r}: {name.strip()} must be a finite number")
        values[name.strip()] = value
    return values
