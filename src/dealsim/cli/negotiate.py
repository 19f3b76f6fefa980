"""``dealsim negotiate``: scripted concession agents and their offer trace (CSV or JSON)."""

from __future__ import annotations

import argparse

from dealsim.analysis.negotiation import (
    AGENT_NAMES,
    negotiate,
    trace_csv,
)
from dealsim.cli._common import (
    Command,
    add_limit_arguments,
    add_output_arguments,
    add_scenario_argument,
    dump_json,
    load_scenario,
    write_output,
)

__all__ = ["NEGOTIATE"]


def _negotiate_args(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    parser.add_argument(
        "--agents",
        required=True,
        help=f"one agent per party, in party order, comma-separated ({', '.join(AGENT_NAMES)})",
    )
    parser.add_argument("--rounds", type=int, required=True, help="deadline (number of offers)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the tie-breaking (default 0)")
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    add_output_arguments(parser)
    add_limit_arguments(parser)


def _negotiate(args: argparse.Namespace) -> int:
    """Simulate scripted concession agents (Boulware, Conceder, ...) and print the offer trace."""
    scenario = load_scenario(args)
    document = negotiate(scenario, args.agents, rounds=args.rounds, seed=args.seed)
    text = dump_json(document) if args.format == "json" else trace_csv(document, scenario)
    write_output(text, args.output, force=args.force)
    return 0


NEGOTIATE = Command("negotiate", _negotiate_args, _negotiate)
