"""``dealsim sweep``, ``montecarlo`` and ``sensitivity``: how the answers move with beliefs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from dealsim._version import __version__
from dealsim.cli._common import (
    Command,
    add_limit_arguments,
    add_output_arguments,
    add_scenario_argument,
    dump_json,
    load_scenario,
    non_negative_int,
    positive_int,
    write_output,
)
from dealsim.errors import DealsimError

__all__ = ["MONTECARLO", "SENSITIVITY", "SWEEP"]


def _common(parser: argparse.ArgumentParser, *, stream: bool = True) -> None:
    add_scenario_argument(parser)
    parser.add_argument("--format", choices=["text", "json"], default="text")
    add_limit_arguments(parser)
    if not stream:
        add_output_arguments(parser)
        return
    add_output_arguments(
        parser,
        help="stream one record per item to this .jsonl or .csv file (the summary goes to stdout)",
    )
    parser.add_argument("--resume", action="store_true", help="continue the run in --output")
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="local worker processes (default: every core)",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://host:8786"
    )
    parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")


def _streamed(args: argparse.Namespace, run: Callable[..., Any], *pos: Any, **kwargs: Any) -> Any:
    """Call a streaming analysis with the run options of :func:`_common`.

    On Ctrl-C, say where the finished records are before the interrupt goes on.
    """
    from dealsim.uncertainty._allocator import keep_freed_memory

    keep_freed_memory()  # this process is the command's: see dealsim.uncertainty._allocator
    try:
        return run(
            *pos,
            workers=args.workers,
            scheduler=args.scheduler,
            output=args.output,
            resume=args.resume,
            force=args.force,
            progress=False if args.no_progress else None,
            **kwargs,
        )
    except KeyboardInterrupt:
        if args.output:
            print(
                f"dealsim: finished records are in {args.output}; continue with --resume",
                file=sys.stderr,
            )
        raise


def _sweep_args(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument(
        "--param",
        action="append",
        required=True,
        metavar="NAME=LO:HI:N",
        help="a swept parameter (repeat for a 2-D grid); NAME=V1,V2,... lists values",
    )


def _sweep(args: argparse.Namespace) -> int:
    """Solve a scenario over a 1-D or 2-D grid of parameter values."""
    from dealsim.uncertainty.sweep import parse_grid, render_sweep, sweep

    scenario = load_scenario(args)
    grid = dict(parse_grid(item) for item in args.param)
    if len(grid) != len(args.param):
        raise DealsimError("each parameter may be swept once (--param given twice)")
    result = _streamed(args, sweep, scenario, grid, max_deals=args.max_deals)
    text = dump_json(list(result.records)) if args.format == "json" else render_sweep(result)
    sys.stdout.write(text)
    return 0


def _montecarlo_args(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--samples", type=positive_int, default=10_000, help="number of draws")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--top", type=non_negative_int, default=10, help="robust deals to list")


def _montecarlo(args: argparse.Namespace) -> int:
    """Sample the uncertain parameters: chance of agreement, robust deals, solution spread."""
    from dealsim.uncertainty.montecarlo import monte_carlo, render_montecarlo

    scenario = load_scenario(args)
    result = _streamed(
        args,
        monte_carlo,
        scenario,
        samples=args.samples,
        seed=args.seed,
        top=args.top,
        max_deals=args.max_deals,
    )
    text = dump_json(result.to_dict()) if args.format == "json" else render_montecarlo(result)
    sys.stdout.write(text)
    return 0


def _sensitivity_args(parser: argparse.ArgumentParser) -> None:
    _common(parser, stream=False)
    parser.add_argument(
        "--output-key",
        default="zone_size",
        help="the scalar result: zone_size, agreement, nash.utilities.<party>, "
        "nash.deal.<issue>, ... (default zone_size)",
    )
    parser.add_argument(
        "--samples",
        type=positive_int,
        default=1024,
        help="base samples N of the Sobol estimator",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--no-sobol", action="store_true", help="only the one-at-a-time (tornado) analysis"
    )


def _sensitivity(args: argparse.Namespace) -> int:
    """Tornado and Sobol sensitivity of a scalar result to the uncertain parameters."""
    from dealsim.uncertainty._allocator import keep_freed_memory
    from dealsim.uncertainty.sensitivity import render_sensitivity, sobol_sensitivity, tornado

    scenario = load_scenario(args)
    keep_freed_memory()
    bars = tornado(scenario, args.output_key, max_deals=args.max_deals)
    sobol = None
    if not args.no_sobol:
        sobol = sobol_sensitivity(
            scenario,
            args.output_key,
            samples=args.samples,
            seed=args.seed,
            max_deals=args.max_deals,
        )
    if args.format == "json":
        document = {
            "dealsim_version": __version__,
            "scenario": {"name": scenario.name, "sha256": scenario.sha256},
            "seed": args.seed,
            "tornado": bars.to_dict(),
            "sobol": None if sobol is None else sobol.to_dict(),
        }
        text = dump_json(document)
    else:
        text = render_sensitivity(bars, sobol)
    write_output(text, args.output, force=args.force)
    return 0


SWEEP = Command("sweep", _sweep_args, _sweep)

MONTECARLO = Command("montecarlo", _montecarlo_args, _montecarlo)

SENSITIVITY = Command("sensitivity", _sensitivity_args, _sensitivity)
