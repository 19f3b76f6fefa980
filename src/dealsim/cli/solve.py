"""``dealsim solve``, ``validate``, ``list`` and ``schema``: the core commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dealsim.cli._common import (
    Command,
    add_format_arguments,
    add_limit_arguments,
    add_output_arguments,
    add_scenario_argument,
    dump_json,
    load_scenario,
    parse_assignments,
    write_output,
)
from dealsim.cli.games import EXPORT_SUFFIXES, solve_game_file

__all__ = ["LIST", "SCHEMA", "SOLVE", "VALIDATE"]


def _solve_args(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_format_arguments(parser)
    parser.add_argument(
        "--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)"
    )
    add_limit_arguments(parser, frontier=True)
    parser.add_argument(
        "--no-refine",
        action="store_true",
        help="keep every solution on the deal grid (no refinement over range issues)",
    )


def _validate_args(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_limit_arguments(parser)


def _solve(args: argparse.Namespace) -> int:
    import dealsim
    from dealsim.report import render_report

    if Path(args.scenario).suffix.lower() in EXPORT_SUFFIXES:  # a Gambit game file
        document = solve_game_file(args.scenario)
        text = document.pop("text")
        write_output(
            dump_json(document) if args.format == "json" else text, args.output, force=args.force
        )
        return 0
    scenario = load_scenario(args)
    result = dealsim.solve(
        scenario,
        parameters=parse_assignments(args.set) or None,
        max_deals=args.max_deals,
        max_frontier=args.max_frontier,
        refine=not args.no_refine,
    )
    text = dump_json(result.to_dict()) if args.format == "json" else render_report(result)
    write_output(text, args.output, force=args.force)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from dealsim.space import DealSpace

    if Path(args.scenario).suffix.lower() in EXPORT_SUFFIXES:  # a Gambit game file, as solve
        from dealsim.cli.games import read_game_file
        from dealsim.solvers.sequential import GameTree

        game, _ = read_game_file(args.scenario)
        if isinstance(game, GameTree):
            what = f"a game tree, {game.n_players} players, {game.n_nodes:,} nodes"
        else:
            shape = game.payoffs.shape
            what = f"a normal-form game, {shape[0]} players, {'x'.join(map(str, shape[1:]))}"
        print(f"{args.scenario}: ok: {what}")
        return 0
    scenario = load_scenario(args)
    size = DealSpace(scenario).size
    _check_party_scales(scenario)
    print(
        f"{scenario.file}: ok: {scenario.name!r}, {len(scenario.parties)} parties, "
        f"{len(scenario.issues)} issues, {size:,} deals"
    )
    return 0


def _check_party_scales(scenario: Any) -> None:
    """Refuse, as ``dealsim solve`` would at its default tolerance, parties whose utility scales
    are too far apart (:func:`dealsim.zone.check_tolerance_share`); no deal is evaluated."""
    import inspect

    from dealsim.pipeline import solve
    from dealsim.space import UtilityModel
    from dealsim.zone import checked_utility_scale

    tol = inspect.signature(solve).parameters["tol"].default
    model = UtilityModel.from_scenario(scenario)
    checked_utility_scale(scenario, model, scenario.reservations(), tol)


def _no_options(parser: argparse.ArgumentParser) -> None:
    """``dealsim list`` takes no options."""


def _list(args: argparse.Namespace) -> int:
    from dealsim.scenario import bundled_scenarios, load

    for name, path in bundled_scenarios().items():
        print(f"{name:<20} {load(path).name}")
    return 0


def _schema_args(parser: argparse.ArgumentParser) -> None:
    from dealsim.output_schemas import DOCUMENTS

    parser.add_argument(
        "document",
        nargs="?",
        choices=list(DOCUMENTS),
        metavar="DOCUMENT",
        help=f"a JSON document dealsim writes ({', '.join(DOCUMENTS)}); "
        "without it, the schema of scenario files",
    )
    add_output_arguments(parser)


def _schema(args: argparse.Namespace) -> int:
    if args.document is None:
        from dealsim.scenario import scenario_json_schema

        schema = scenario_json_schema()
    else:
        from dealsim.output_schemas import output_schema

        schema = output_schema(args.document)
    write_output(dump_json(schema), args.output, force=args.force)
    return 0


SOLVE = Command("solve", _solve_args, _solve)
VALIDATE = Command("validate", _validate_args, _validate)
LIST = Command("list", _no_options, _list)
SCHEMA = Command("schema", _schema_args, _schema)
