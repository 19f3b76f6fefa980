"""``dealsim coalitions``: sub-coalition zones, the cooperative game and voting power."""

from __future__ import annotations

import argparse

from dealsim.cli._common import (
    Command,
    add_format_arguments,
    add_limit_arguments,
    add_scenario_argument,
    dump_json,
    load_scenario,
    parse_assignments,
    write_output,
)

__all__ = ["COALITIONS"]


def _coalitions_args(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    parser.add_argument(
        "--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)"
    )
    add_limit_arguments(parser)
    add_format_arguments(parser)


def _coalitions(args: argparse.Namespace) -> int:
    """For every coalition of parties: the deals all accept, its worth under transferable
    utility; the Shapley value, core and nucleolus; voting bodies' power and pivotal members."""
    from dealsim.analysis.coalitions import (
        coalition_analysis,
        coalitions_document,
        render_coalitions,
    )

    scenario = load_scenario(args)
    params = parse_assignments(args.set)
    if params:
        scenario = scenario.with_parameters(**params)
    document = coalitions_document(scenario, coalition_analysis(scenario))
    text = dump_json(document) if args.format == "json" else render_coalitions(document)
    write_output(text, args.output, force=args.force)
    return 0


COALITIONS = Command("coalitions", _coalitions_args, _coalitions)
