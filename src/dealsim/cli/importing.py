"""``dealsim import genius``: negotiation domains from other tools as scenario files."""

from __future__ import annotations

import argparse

from dealsim.cli._common import Command, add_output_arguments, write_output

__all__ = ["IMPORT"]


def _import_args(parser: argparse.ArgumentParser) -> None:
    formats = parser.add_subparsers(dest="source_format", metavar="FORMAT", required=True)
    genius = formats.add_parser(
        "genius",
        help="a Genius/ANAC domain: DOMAIN.xml and one utility-space PROFILE.xml per party",
        description="Write a scenario file from a Genius/ANAC negotiation domain (linear-additive "
        "utilities; discrete and integer issues; reservation values and discount factors).",
    )
    genius.add_argument("domain", metavar="DOMAIN.xml", help="the domain file")
    genius.add_argument(
        "profiles", metavar="PROFILE.xml", nargs="+", help="one utility-space file per party"
    )
    add_output_arguments(genius, help="write the scenario to this .toml file (default: stdout)")


def _import(args: argparse.Namespace) -> int:
    """Convert a negotiation domain from another tool (Genius/ANAC) into a scenario file."""
    from dealsim.io.genius import genius_scenario_toml, read_genius

    domain = read_genius(args.domain, args.profiles)
    names = ", ".join(str(p) for p in [args.domain, *args.profiles])
    text = genius_scenario_toml(domain, source=f"Genius domain: {names}")
    write_output(text, args.output, force=args.force)
    return 0


IMPORT = Command("import", _import_args, _import)
