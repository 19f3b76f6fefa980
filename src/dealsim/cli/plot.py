"""``dealsim plot`` and ``dealsim report``: figures and the HTML report from the command line.

matplotlib is imported only when one of the commands runs.
"""

from __future__ import annotations

import argparse
from typing import Any

from dealsim._files import write_text
from dealsim.cli._common import (
    Command,
    add_limit_arguments,
    load_scenario,
    parse_assignments,
    positive_int,
)
from dealsim.errors import DealsimError
from dealsim.plot._save import FIGURE_SUFFIXES, check_output, save_figure

__all__ = ["PLOT", "PLOT_KINDS", "REPORT"]

PLOT_KINDS = (
    "surface",
    "zone",
    "frontier",
    "tree",
    "matrix",
    "trace",
    "threshold",
    "sweep",
    "montecarlo",
    "tornado",
    "sobol",
)

_OPTION_KINDS = {
    "x": ("surface", "zone", "montecarlo"),
    "y": ("surface", "zone", "montecarlo"),
    "party": ("surface", "frontier"),
    "measure": ("surface",),
    "style": ("surface",),
    "game": ("tree", "matrix", "threshold", "sweep"),
    "param": ("threshold", "sweep"),
    "agents": ("trace",),
    "rounds": ("trace",),
    "seed": ("trace", "montecarlo", "sobol"),
    "samples": ("montecarlo", "sobol"),
    "output_key": ("tornado", "sobol"),
}
"""Which kinds each option acts on: an option given to another kind is an error, not ignored."""


def _plot_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="a scenario file (.toml) or a bundled scenario name")
    parser.add_argument(
        "kind", choices=PLOT_KINDS, metavar="KIND", help=f"what to draw: {', '.join(PLOT_KINDS)}"
    )
    parser.add_argument("--x", help="issue on the horizontal axis (default: the first issue)")
    parser.add_argument("--y", help="issue on the vertical axis (default: the second issue)")
    parser.add_argument(
        "--party",
        action="append",
        help="party id: whose utility (surface); two for frontier (repeat)",
    )
    parser.add_argument(
        "--measure",
        choices=("utility", "nash_product", "min_gain"),
        help="surface: what to show (default: utility with --party, else min_gain)",
    )
    parser.add_argument(
        "--style",
        choices=("heatmap", "contour", "3d"),
        default="heatmap",
        help="surface: heatmap (default), contour or 3d",
    )
    parser.add_argument(
        "--game", help="game id (tree, matrix; threshold and sweep: draw this game's outcome)"
    )
    parser.add_argument(
        "--param",
        action="append",
        metavar="NAME[=LO:HI:N]",
        help="threshold: the parameter to vary over its range; sweep: NAME=LO:HI:N or "
        "NAME=V1,V2,... (repeat for a 2-D heatmap), as in dealsim sweep",
    )
    parser.add_argument(
        "--samples",
        type=int,
        help="montecarlo: draws (default 1000); sobol: base samples N (default 1024)",
    )
    parser.add_argument(
        "--output-key",
        help="tornado, sobol: the scalar result (default zone_size), as in dealsim sensitivity",
    )
    parser.add_argument(
        "--agents",
        help="trace: one agent per party, comma-separated (default: conceder for the first "
        "party, boulware for the others)",
    )
    parser.add_argument("--rounds", type=int, help="trace: deadline (default 40)")
    parser.add_argument(
        "--seed", type=int, help="trace, montecarlo, sobol: random seed (default 0)"
    )
    _common_args(parser, "output file: .png, .svg or .pdf")


def _plot(args: argparse.Namespace) -> int:
    check_output(args.output, args.force, FIGURE_SUFFIXES)
    fig = _draw(_load(args), args)
    save_figure(fig, args.output, force=args.force)
    return 0


def _check_options(args: argparse.Namespace) -> None:
    """Refuse an option the chosen kind would not act on."""
    for option, kinds in _OPTION_KINDS.items():
        value = getattr(args, option, None)
        if option == "style" and value == "heatmap":
            continue  # the default
        if value not in (None, []) and args.kind not in kinds:
            flag = "--" + option.replace("_", "-")
            raise DealsimError(
                f"{flag} does nothing for {args.kind} (it applies to: {', '.join(kinds)})"
            )


def _draw(scenario: Any, args: argparse.Namespace) -> Any:
    from dealsim import plot
    from dealsim.analysis.games import game_title, resolve_game

    _check_options(args)
    if args.kind in ("sweep", "montecarlo", "tornado", "sobol"):
        return _draw_uncertainty(scenario, args)
    parties = args.party or []
    for p in parties:
        plot.check_choice(p, scenario.party_ids, "party", scenario.file)
    if args.kind in ("surface", "zone"):
        ids = scenario.issue_ids
        if len(ids) < 2 and not (args.x and args.y):
            raise DealsimError(f"{args.kind} needs two issues; the scenario has {len(ids)}")
        x = args.x or (ids[0] if args.y != ids[0] else ids[1])
        y = args.y or next(i for i in ids if i != x)
        if args.kind == "zone":
            return plot.agreement_zone_map(scenario, x, y).figure
        if len(parties) > 1:
            raise DealsimError("surface takes one --party")
        measure = args.measure or ("utility" if parties else "min_gain")
        ax = plot.payoff_surface(
            scenario, x, y, measure=measure, party=parties[0] if parties else None, kind=args.style
        )
        return ax.figure
    if args.kind == "frontier":
        if not parties and len(scenario.parties) > 2:
            return plot.utility_space_pairs(scenario)
        if parties and len(parties) != 2:
            raise DealsimError(
                f"frontier takes two --party options or none (parties: "
                f"{', '.join(scenario.party_ids)})"
            )
        return plot.utility_space(scenario, parties or None).figure
    if args.kind in ("tree", "matrix"):
        draw = plot.game_tree if args.kind == "tree" else plot.payoff_matrix
        return draw(
            resolve_game(scenario, args.game, args.kind),
            colors=plot.party_colors(scenario.party_ids),
            title=game_title(scenario, args.game),
        ).figure
    if args.kind == "threshold":
        if not args.param or len(args.param) > 1:
            ranged = [k for k, s in scenario.parameter_specs.items() if s.range is not None]
            raise DealsimError(
                "threshold needs one --param NAME (parameters with a range: "
                f"{', '.join(ranged) or 'none'})"
            )
        name = args.param[0]
        parties = [p.label for p in scenario.parties]
        if args.game is not None:
            xs, labels, payoffs, cuts = plot.game_sweep(scenario, args.game, name)
            ax = plot.threshold_plot(
                xs,
                labels,
                parameter=name,
                payoffs=payoffs,
                parties=parties,
                thresholds=cuts or None,
            )
            title = game_title(scenario, args.game) or args.game
            ax.figure.suptitle(f"Game: {title}", x=0.01, ha="left", fontsize=10)
            return ax.figure
        xs, labels, payoffs = plot.solution_sweep(scenario, name)
        return plot.threshold_plot(
            xs, labels, parameter=name, payoffs=payoffs, parties=parties
        ).figure
    import matplotlib.pyplot as plt
    import numpy as np

    from dealsim.analysis.negotiation import simulate_scenario_negotiation

    agents = args.agents or ",".join(["conceder"] + ["boulware"] * (len(scenario.parties) - 1))
    rounds = 40 if args.rounds is None else args.rounds
    seed = 0 if args.seed is None else args.seed
    trace, _ = simulate_scenario_negotiation(scenario, agents, rounds=rounds, seed=seed)
    import itertools

    labels = [p.label for p in scenario.parties]
    pairs = list(itertools.combinations(range(len(labels)), 2))  # every party appears
    cols = 2
    rows = -(-(len(pairs) + 1) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(12, 5 * rows), layout="constrained")
    cells = list(np.atleast_1d(axes).ravel())
    for cell in cells[len(pairs) + 1 :]:
        cell.remove()
    reservations = scenario.reservations()
    for ax, pair in zip(cells, pairs, strict=False):
        plot.trace_utility_space(trace, labels, pair=pair, reservations=reservations, ax=ax)
    plot.trace_timeline(trace, labels, reservations=reservations, ax=cells[len(pairs)])
    fig.suptitle(f"Negotiation: {agents} ({trace.outcome})")
    return fig


def _draw_uncertainty(scenario: Any, args: argparse.Namespace) -> Any:
    from dealsim import plot

    seed = 0 if args.seed is None else args.seed
    if args.kind == "sweep":
        from dealsim.uncertainty.sweep import parse_grid, sweep

        if not args.param:
            raise DealsimError("sweep needs --param NAME=LO:HI:N (repeat for two parameters)")
        grid = dict(parse_grid(item) for item in args.param)
        if len(grid) != len(args.param):
            raise DealsimError("each parameter may be swept once (--param given twice)")
        result = sweep(scenario, grid, workers=1, progress=False)
        return plot.sweep_plot(result, scenario=scenario, game=args.game).figure
    if args.kind == "montecarlo":
        samples = 1000 if args.samples is None else args.samples
        return plot.montecarlo_plot(scenario, samples=samples, seed=seed, x=args.x, y=args.y)
    from dealsim.uncertainty.sensitivity import sobol_sensitivity, tornado

    key = args.output_key or "zone_size"
    if args.kind == "tornado":
        return plot.tornado_plot(tornado(scenario, key)).figure
    samples = 1024 if args.samples is None else args.samples
    return plot.sobol_plot(sobol_sensitivity(scenario, key, samples=samples, seed=seed)).figure


def _common_args(parser: argparse.ArgumentParser, output_help: str) -> None:
    parser.add_argument(
        "--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)"
    )
    parser.add_argument("-o", "--output", required=True, help=output_help)
    parser.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    add_limit_arguments(parser)


def _load(args: argparse.Namespace) -> Any:
    scenario = load_scenario(args)
    params = parse_assignments(args.set) or None
    return scenario.with_parameters(**params) if params else scenario


def _report_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="a scenario file (.toml) or a bundled scenario name")
    parser.add_argument(
        "--sweep",
        action="append",
        metavar="NAME=LO:HI:N",
        help="add a sweep section over this parameter grid (repeat for two parameters)",
    )
    parser.add_argument(
        "--montecarlo", type=int, metavar="N", help="add a Monte Carlo section with N draws"
    )
    parser.add_argument(
        "--sensitivity",
        nargs="?",
        const="zone_size",
        metavar="OUTPUT_KEY",
        help="add a sensitivity section (tornado and Sobol indices) of OUTPUT_KEY "
        "(default zone_size)",
    )
    parser.add_argument(
        "--samples",
        type=int,
        help="base samples of the Sobol indices of --sensitivity (default 256)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the Monte Carlo and Sobol draws (default 0)"
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        help="processes that draw the figures (default: every CPU)",
    )
    parser.add_argument(
        "--cache", metavar="DIR", help="reuse figures drawn before, kept in this directory"
    )
    _common_args(parser, "the HTML file to write")


def _report(args: argparse.Namespace) -> int:
    from dealsim.html_report import render_html_report
    from dealsim.uncertainty.sweep import parse_grid

    check_output(args.output, args.force, (".html", ".htm"))
    if args.samples is not None and args.sensitivity is None:
        raise DealsimError("--samples sets the Sobol sample of --sensitivity; add --sensitivity")
    if args.montecarlo is not None and args.montecarlo < 1:
        raise DealsimError(
            f"--montecarlo must be a positive number of draws, got {args.montecarlo}"
        )
    grid = dict(parse_grid(item) for item in args.sweep or [])
    if len(grid) != len(args.sweep or []):
        raise DealsimError("each parameter may be swept once (--sweep given twice)")
    page = render_html_report(
        _load(args),
        sweep=grid or None,
        montecarlo=args.montecarlo,
        sensitivity=args.sensitivity is not None,
        sensitivity_key=args.sensitivity or "zone_size",
        sensitivity_samples=256 if args.samples is None else args.samples,
        seed=args.seed,
        workers=args.workers,
        cache_dir=args.cache,
    )
    write_text(args.output, page, force=args.force)
    return 0


PLOT = Command("plot", _plot_args, _plot)
REPORT = Command("report", _report_args, _report)
