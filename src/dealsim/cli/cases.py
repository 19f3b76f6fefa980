"""``dealsim evaluate`` and ``dealsim backtest``: one package, and the historical cases."""

from __future__ import annotations

import argparse

from dealsim.cli._common import (
    Command,
    add_format_arguments,
    add_scenario_argument,
    dump_json,
    parse_assignments,
    write_output,
)
from dealsim.errors import DealsimError

__all__ = ["BACKTEST", "EVALUATE", "parse_deal"]


def parse_deal(items: list[str] | None) -> dict[str, str]:
    """Parse ``--deal issue=value`` options (values stay strings; the scenario reads them).

    Examples
    --------
    >>> parse_deal(["x=1", "police=neutral"])
    {'x': '1', 'police': 'neutral'}
    """
    deal: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise DealsimError(f"--deal {item!r}: expected ISSUE=VALUE, e.g. donbas_ceded=1")
        if name in deal:
            raise DealsimError(f"--deal: issue {name!r} is given twice")
        deal[name] = value
    return deal


def _evaluate_args(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    parser.add_argument(
        "--deal",
        action="extend",
        nargs="+",
        metavar="ISSUE=VALUE",
        help="the package, one ISSUE=VALUE per issue (every issue needed)",
    )
    parser.add_argument(
        "--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)"
    )
    add_format_arguments(parser)


def _evaluate(args: argparse.Namespace) -> int:
    import dealsim
    from dealsim._format import format_deal
    from dealsim.analysis.proposals import evaluate, render_deal_record

    scenario = dealsim.load(args.scenario)
    record = evaluate(
        scenario, parse_deal(args.deal), parameters=parse_assignments(args.set) or None
    )
    if args.format == "json":
        document = {
            "dealsim_version": dealsim.__version__,
            "scenario": {"name": scenario.name, "sha256": scenario.sha256, "file": scenario.file},
            **record.to_dict(),
        }
        text = dump_json(document)
    else:
        lines = [scenario.name, f"package: {format_deal(record.deal)}"]
        lines.extend(render_deal_record(record))
        text = "\n".join(lines) + "\n"
    write_output(text, args.output, force=args.force)
    return 0


def _backtest_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="scenario files or bundled names with [actual] (default: every bundled case)",
    )
    add_format_arguments(parser)


def _backtest(args: argparse.Namespace) -> int:
    from dealsim.analysis.retrodiction import backtest, render_backtest
    from dealsim.scenario import bundled_scenarios, load

    if args.files:
        scenarios = [load(name) for name in args.files]
    else:
        scenarios = [s for s in map(load, bundled_scenarios().values()) if s.actual is not None]
    result = backtest(scenarios)
    text = dump_json(result.to_dict()) if args.format == "json" else render_backtest(result)
    write_output(text, args.output, force=args.force)
    return 0


EVALUATE = Command("evaluate", _evaluate_args, _evaluate)
BACKTEST = Command("backtest", _backtest_args, _backtest)
