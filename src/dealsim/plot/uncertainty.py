"""Figures of the uncertainty analyses: sweeps, Monte Carlo, tornado and Sobol indices, and a
game's outcome against a parameter with the switch points ``dealsim solve`` reports.

Every function takes an optional ``ax=`` (the multi-panel Monte Carlo view returns its Figure)
and draws what the analysis module computed; nothing here changes a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dealsim._grid import decimal_grid
from dealsim.errors import DealsimError
from dealsim.plot._style import (
    OUTCOME_COLORS,
    SOLUTION_STYLES,
    finish,
    legend_below,
    level_label,
    literal,
    new_axes,
    party_colors,
)

__all__ = [
    "game_sweep",
    "montecarlo_plot",
    "sobol_plot",
    "sweep_plot",
    "tornado_plot",
]


def _solution_groups(records: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Solutions that pick the same deal at every point share one line (report order)."""
    names = list(records[0]["solutions"])

    def key(name: str) -> tuple:
        return tuple(
            None
            if r["solutions"][name] is None
            else tuple(sorted(map(str, r["solutions"][name]["deal"].items())))
            for r in records
        )

    groups: dict[tuple, list[str]] = {}
    for name in names:
        groups.setdefault(key(name), []).append(name)
    return list(groups.values())


def _group_label(group: Sequence[str]) -> str:
    return " = ".join(SOLUTION_STYLES.get(n, (n, "o"))[0] for n in group)


def sweep_plot(
    result: Any,
    *,
    scenario: Any = None,
    game: str | None = None,
    ax: Any = None,
):
    """Each solution's utilities and the zone size against one swept parameter; a heatmap of the
    zone size for two.

    Parameters
    ----------
    result : SweepResult
        From :func:`dealsim.uncertainty.sweep.sweep`.
    scenario : Scenario, optional
        Gives the parties' labels (default: their ids).
    game : str, optional
        1-D only: shade the parameter axis by this game's equilibrium outcome.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Lines have gids ``utility:{solution group}:{party}``; the zone size ``zone_size`` (on a
        twin Axes); game bands ``game:{outcome}``; a 2-D heatmap ``zone_size`` with a colour bar.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.uncertainty.sweep import sweep
    >>> s = dealsim.load("donbas-2026")
    >>> res = sweep(s, {"russia_win": [0.2, 0.6]}, workers=1)
    >>> ax = sweep_plot(res, scenario=s)
    >>> "nash" in {line.get_gid().split(":")[1] for line in ax.lines if line.get_gid()}
    True
    >>> import matplotlib.pyplot as plt; plt.close("all")  # figures are closed
    """
    records = list(result.records)
    if not records:
        raise DealsimError("the sweep has no grid points")
    if len(result.parameters) > 2:
        raise DealsimError(
            f"a sweep figure shows one or two parameters, got {len(result.parameters)}"
        )
    if len(result.parameters) == 2:
        if game is not None:
            raise DealsimError("--game shades a 1-D sweep; this sweep has two parameters")
        return _sweep_heatmap(result, records, ax)
    name = result.parameters[0]
    x = np.array([r["parameters"][name] for r in records], dtype=float)
    order = np.argsort(x)
    x, records = x[order], [records[i] for i in order]
    ax = new_axes(ax, figsize=(8.0, 5.0), autosize=3.6)
    parties = list(records[0]["parties"])
    labels = {p.id: p.label for p in scenario.parties} if scenario is not None else {}
    labels = {p: labels.get(p, p) for p in parties}
    colours = party_colors(parties)
    bands = [] if game is None else _game_bands(ax, x, records, game)
    groups = _solution_groups(records)
    for group in groups:
        marker = SOLUTION_STYLES.get(group[0], ("", "o"))[1]
        for p in parties:
            u = [
                np.nan
                if r["solutions"][group[0]] is None
                else r["solutions"][group[0]]["utilities"][p]
                for r in records
            ]
            ax.plot(
                x,
                u,
                color=colours[p],
                marker=marker,
                markersize=5,
                linewidth=1.6,
                linestyle="-" if group[0] != "utilitarian" else ":",
                gid=f"utility:{group[0]}:{p}",
            )
    ax.set_xlabel(literal(name))
    ax.set_ylabel("utility under each solution")
    twin = ax.twinx()
    zone = [r["agreement_zone"]["size"] for r in records]
    (line,) = twin.plot(
        x, zone, color="#555555", linestyle="--", linewidth=1.2, label="zone size (deals)"
    )
    line.set_gid("zone_size")
    twin.set_ylabel("deals in the zone", color="#555555")
    twin.set_ylim(0, max(1, max(zone)) * 1.1)
    twin.spines["top"].set_visible(False)
    from matplotlib.lines import Line2D

    keys = [
        Line2D([], [], color=colours[p], linewidth=2, label=literal(labels[p])) for p in parties
    ]
    keys += [
        Line2D([], [], color="black", marker=SOLUTION_STYLES.get(g[0], ("", "o"))[1],
               linestyle=":" if g[0] == "utilitarian" else "-", label=_group_label(g))
        for g in groups
    ]  # fmt: skip
    legend_below(ax, handles=[*keys, line, *bands], reserve=0.6)
    finish(
        ax,
        f"Solutions against {name}",
        f"{len(records)} values; utilities (left axis), deals in the agreement zone (right)",
        reserve=0.6,
    )
    return ax


def _game_bands(ax: Any, x: np.ndarray, records: list[dict[str, Any]], game: str) -> list[Any]:
    """Shade the x axis by the game's outcome at each point; return the legend's patches."""
    games = records[0].get("games") or {}
    if game not in games:
        raise DealsimError(f"unknown game {game!r} (games: {', '.join(games) or 'none'})")
    outcomes = ["+".join(sorted(r["games"][game].get("outcomes") or {"?": 1})) for r in records]
    distinct = list(dict.fromkeys(outcomes))
    edges = np.concatenate([[x[0]], (x[1:] + x[:-1]) / 2, [x[-1]]])
    for i, outcome in enumerate(outcomes):
        colour = OUTCOME_COLORS[distinct.index(outcome) % len(OUTCOME_COLORS)]
        ax.axvspan(edges[i], edges[i + 1], color=colour, alpha=0.6, lw=0, gid=f"game:{outcome}")
    from matplotlib.patches import Patch

    return [
        Patch(
            facecolor=OUTCOME_COLORS[n % len(OUTCOME_COLORS)],
            alpha=0.6,
            label=literal(f"{game}: {outcome.replace('_', ' ')}"),
        )
        for n, outcome in enumerate(distinct)
    ]


def _sweep_heatmap(result: Any, records: list[dict[str, Any]], ax: Any):
    px, py = result.parameters
    xs = np.array(result.grid[px], dtype=float)
    ys = np.array(result.grid[py], dtype=float)
    z = np.full((ys.size, xs.size), np.nan)
    for r in records:  # a record's values are the grid's own: the nearest point is exact
        i = int(np.argmin(np.abs(ys - r["parameters"][py])))
        j = int(np.argmin(np.abs(xs - r["parameters"][px])))
        z[i, j] = r["agreement_zone"]["size"]
    ax = new_axes(ax, figsize=(7.5, 6.0), autosize=4.2)
    mesh = ax.imshow(
        z, origin="lower", aspect="auto", cmap="viridis", interpolation="nearest", gid="zone_size"
    )
    ax.set_xticks(range(xs.size), [f"{v:.3g}" for v in xs], rotation=45 if xs.size > 8 else 0)
    ax.set_yticks(range(ys.size), [f"{v:.3g}" for v in ys])
    ax.set_xlabel(literal(px))
    ax.set_ylabel(literal(py))
    bar = ax.figure.colorbar(mesh, ax=ax, shrink=0.9)
    bar.set_label("deals in the agreement zone")
    if z.size <= 64:
        top = np.nanmax(z) if np.isfinite(z).any() else 0
        for (i, j), v in np.ndenumerate(z):
            ax.text(
                j, i, f"{v:,.0f}", ha="center", va="center", fontsize=7,
                color="white" if v < 0.6 * top else "black", gid="cell",
            )  # fmt: skip
    finish(ax, f"Zone size over {px} and {py}", f"{xs.size} x {ys.size} grid", reserve=1.0)
    return ax


# --------------------------------------------------------------------------------------------
# Monte Carlo


def montecarlo_plot(
    scenario: Any,
    *,
    samples: int = 1000,
    seed: int = 0,
    x: str | None = None,
    y: str | None = None,
):
    """Monte Carlo in three panels: the chance of agreement with its 95% Wilson interval, each
    solution's utilities over the samples, and how robust each deal is on a zone map.

    The robust-deal map shows, for every pair of values of the two issues ``x`` and ``y``, the
    probability (over the draws) that the best deal with those terms lies in the agreement zone
    (the largest probability over the other issues' values).

    Parameters
    ----------
    scenario : Scenario
    samples, seed : int
        The draws (the same as ``dealsim montecarlo --samples --seed``).
    x, y : str, optional
        Issues of the map (default: the two the parties weigh most).

    Returns
    -------
    matplotlib.figure.Figure
        Axes gids ``agreement``, ``utilities``, ``robust``; the interval is the errorbar with
        gid ``interval``; boxes ``box:{solution}:{party}``.

    Examples
    --------
    >>> import dealsim
    >>> fig = montecarlo_plot(dealsim.load("donbas-2026"), samples=64)
    >>> [ax.get_gid() for ax in fig.axes][:3]
    ['agreement', 'utilities', 'robust']
    >>> import matplotlib.pyplot as plt; plt.close("all")  # figures are closed
    """
    import matplotlib.pyplot as plt

    from dealsim.analysis.batch import batch_solve, check_batch_size
    from dealsim.space import DealSpace
    from dealsim.uncertainty.distributions import sample_parameters, uncertain_parameters
    from dealsim.uncertainty.montecarlo import _wilson

    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise DealsimError(f"samples must be a positive integer, got {samples!r}")
    if not uncertain_parameters(scenario):
        raise DealsimError(f"{scenario.file or scenario.name}: no uncertain parameters")
    check_batch_size(scenario, samples)  # one batch: its limits before any draw
    draws = sample_parameters(scenario, 0, samples, seed=seed)
    batch = batch_solve(scenario, draws)
    agree = int((batch.zone_size > 0).sum())
    lo, hi = _wilson(agree, samples)
    fig = plt.figure(figsize=(13.0, 5.2), layout="constrained")
    grid = fig.add_gridspec(1, 3, width_ratios=(0.5, 1.6, 1.4))
    left, middle, right = (fig.add_subplot(grid[0, i]) for i in range(3))
    for ax, gid in ((left, "agreement"), (middle, "utilities"), (right, "robust")):
        ax.set_gid(gid)
    p = agree / samples
    left.bar([0], [p], color="#009E73", width=0.9, gid="chance")
    left.errorbar(
        [0],
        [p],
        yerr=[[max(p - lo, 0.0)], [max(hi - p, 0.0)]],
        color="black",
        capsize=8,
        gid="interval",
    )
    left.set_xlim(-0.6, 0.6)
    left.set_ylim(0, 1.05)
    left.set_xticks([])
    left.set_ylabel("P(a zone exists)")
    # white in the bar when the bar is tall enough for three lines, else black above the interval
    # (white text above a short bar was white on white)
    inside = p >= 0.3
    left.text(0, p / 2 if inside else min(hi + 0.02, 0.8), f"{p:.1%}\n[{lo:.1%},\n{hi:.1%}]",
              ha="center", va="center" if inside else "bottom", fontsize=8.5,
              color="white" if inside else "black", fontweight="bold", gid="value")  # fmt: skip
    finish(left, "Chance of agreement", f"{samples:,} draws, 95% interval")
    # utilities: one group of boxes per distinct solution, one box per party
    parties = list(scenario.party_ids)
    colours = party_colors(parties)
    names = list(batch.solutions)
    groups: dict[bytes, list[str]] = {}
    for name in names:
        groups.setdefault(batch.solutions[name].tobytes(), []).append(name)
    position = 0.0
    ticks, tick_labels = [], []
    for group in groups.values():
        index = batch.solutions[group[0]]
        ok = index >= 0
        for j, party in enumerate(parties):
            data = batch.utilities[group[0]][ok, j]
            box = middle.boxplot(
                data if data.size else [np.nan], positions=[position + j * 0.8],
                widths=0.6, patch_artist=True, showfliers=False,
            )  # fmt: skip
            box["boxes"][0].set(facecolor=colours[party], alpha=0.75)
            box["boxes"][0].set_gid(f"box:{group[0]}:{party}")
            for median in box["medians"]:
                median.set_color("black")
        ticks.append(position + 0.8 * (len(parties) - 1) / 2)
        tick_labels.append(
            "\n= ".join(SOLUTION_STYLES[n][0].replace(" ", "\n").replace("–", "–\n") for n in group)
        )
        position += 0.8 * len(parties) + 1.0
    middle.set_xticks(ticks, tick_labels, fontsize=8)
    middle.set_ylabel("utility (samples with a zone)")
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=colours[p], label=literal(label))
        for p, label in zip(parties, [q.label for q in scenario.parties], strict=True)
    ]
    legend_below(middle, handles, fontsize=8)  # inside, it covered the boxes in the corner
    finish(middle, "Each solution's utilities", "boxes: quartiles; whiskers: 1.5 IQR")
    _robust_map(right, scenario, batch.zone, DealSpace(scenario), x, y)
    return fig


def _robust_map(ax: Any, scenario: Any, zone: np.ndarray, space: Any, x: str | None, y: str | None):
    from dealsim.plot._style import check_choice, issue_axis_label

    ids = list(scenario.issue_ids)
    if len(ids) < 2:
        _robust_bars(ax, scenario, zone, x, y)
        return
    if x is None or y is None:
        from dealsim.plot._grid import main_issues

        top = main_issues(scenario)
        x = x or next(i for i in top if i != y)
        y = y or next(i for i in top if i != x)
    check_choice(x, ids, "issue", scenario.file)
    check_choice(y, ids, "issue", scenario.file)
    if x == y:
        raise DealsimError(f"--x and --y must be two different issues, got {x!r} twice")
    probability = zone.mean(axis=0)
    codes = space.codes(np.arange(space.size))
    ix, iy = ids.index(x), ids.index(y)
    nx, ny = len(scenario.issue(x).values), len(scenario.issue(y).values)
    best = np.zeros((ny, nx))
    np.maximum.at(best, (codes[:, iy], codes[:, ix]), probability)
    mesh = ax.imshow(best, origin="lower", aspect="auto", cmap="Greens", vmin=0, vmax=1,
                     interpolation="nearest", gid="robust")  # fmt: skip
    tilt = {"rotation": 30, "ha": "right"} if nx > 3 else {}
    ax.set_xticks(range(nx), [level_label(v) for v in scenario.issue(x).values], fontsize=8, **tilt)
    ax.set_yticks(range(ny), [level_label(v) for v in scenario.issue(y).values], fontsize=8)
    ax.set_xlabel(literal(issue_axis_label(scenario.issue(x))))
    ax.set_ylabel(literal(issue_axis_label(scenario.issue(y))))
    if best.size <= 49:
        for (i, j), v in np.ndenumerate(best):
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7.5,
                    color="white" if v > 0.6 else "black", gid="cell")  # fmt: skip
    bar = ax.figure.colorbar(mesh, ax=ax, shrink=0.9)
    bar.set_label("P(in the zone), best over the other terms")
    finish(ax, "Robust deals", "probability that the deal is acceptable to all", reserve=1.0)


def _robust_bars(ax: Any, scenario: Any, zone: np.ndarray, x: str | None, y: str | None):
    """The robust deals of a one-issue scenario: each value's probability of lying in the zone."""
    from dealsim.plot._style import check_choice, issue_axis_label

    issue = scenario.issues[0]
    if x is not None:
        check_choice(x, [issue.id], "issue", scenario.file)
    if y is not None:
        raise DealsimError(
            f"{scenario.file or scenario.name}: --y {y!r}: the scenario has one issue "
            f"({issue.id}), drawn along the horizontal axis"
        )
    probability = zone.mean(axis=0)
    n = probability.size
    ax.bar(range(n), probability, color="#009E73", width=0.8, gid="robust")
    tilt = {"rotation": 30, "ha": "right"} if n > 3 else {}
    ax.set_xticks(range(n), [level_label(v) for v in issue.values], fontsize=8, **tilt)
    ax.set_xlabel(literal(issue_axis_label(issue)))
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("P(in the zone)")
    if n <= 25:
        for j, v in enumerate(probability):
            ax.text(j, v + 0.01, f"{v:.0%}", ha="center", va="bottom", fontsize=7.5, gid="cell")
    finish(ax, "Robust deals", "probability that the deal is acceptable to all")


# --------------------------------------------------------------------------------------------
# sensitivity


def tornado_plot(result: Any, *, ax: Any = None):
    """One-at-a-time swings: a bar per parameter from its low end's output to its high end's,
    around the base value, the largest swing on top.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.uncertainty.sensitivity import tornado
    >>> result = tornado(dealsim.load("donbas-2026"), "zone_size")
    >>> ax = tornado_plot(result)
    >>> [t.get_text() for t in ax.get_yticklabels()][-1].startswith(result.bars[0]["parameter"])
    True
    >>> import matplotlib.pyplot as plt; plt.close("all")  # figures are closed
    """
    bars = list(result.bars)
    if not bars:
        raise DealsimError("the tornado has no parameters")
    ax = new_axes(ax, figsize=(8.0, 1.2 + 0.5 * len(bars)), autosize=0.45 * len(bars) + 0.6)
    base = result.base
    for row, bar in enumerate(reversed(bars)):
        for end, colour in (("low", "#56B4E9"), ("high", "#D55E00")):
            value = bar[f"output_{end}"]
            ax.barh(row, value - base, left=base, color=colour, height=0.6,
                    gid=f"bar:{bar['parameter']}:{end}",
                    label=f"parameter at its {end} end" if row == 0 else None)  # fmt: skip
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(
        range(len(bars)),
        [literal(f"{b['parameter']} ({b['low']:.3g} to {b['high']:.3g})") for b in reversed(bars)],
    )
    ax.set_xlabel(literal(result.output_key))
    legend_below(ax)
    finish(ax, f"One at a time: {result.output_key}", f"base value {base:.4g} (black line)")
    return ax


def sobol_plot(result: Any, *, ax: Any = None):
    """First-order and total Sobol indices with their bootstrap intervals, per parameter.

    When the sample is too small to read the indices the subtitle says so, with the sample
    size to ask for.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.uncertainty.sensitivity import sobol_sensitivity
    >>> res = sobol_sensitivity(dealsim.load("donbas-2026"), "zone_size", samples=32, seed=0)
    >>> ax = sobol_plot(res)
    >>> sorted({p.get_gid().split(":")[0] for p in ax.patches})
    ['first', 'total']
    >>> import matplotlib.pyplot as plt; plt.close("all")  # figures are closed
    """
    names = list(result.first_order)
    rows = np.arange(len(names))[::-1]
    ax = new_axes(ax, figsize=(8.0, 1.4 + 0.6 * len(names)), autosize=0.55 * len(names) + 0.6)
    for kind, offset, colour, label in (
        ("first", 0.18, "#0072B2", "first order"),
        ("total", -0.18, "#E69F00", "total"),
    ):
        values = np.array(
            [getattr(result, "first_order" if kind == "first" else "total")[n] for n in names]
        )
        interval = getattr(result, "first_order_interval" if kind == "first" else "total_interval")
        lo = np.array([interval[n][0] for n in names])
        hi = np.array([interval[n][1] for n in names])
        bars = ax.barh(rows + offset, values, height=0.34, color=colour, label=label)
        for patch, name in zip(bars, names, strict=True):
            patch.set_gid(f"{kind}:{name}")
        ax.errorbar(
            values, rows + offset,
            xerr=[np.maximum(values - lo, 0), np.maximum(hi - values, 0)],
            fmt="none", ecolor="black", capsize=3, linewidth=1, gid=f"interval:{kind}",
        )  # fmt: skip
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(rows, [literal(n) for n in names])
    ax.set_xlabel(f"Sobol index of {literal(result.output_key)}")
    legend_below(ax)
    subtitle = (
        f"{result.samples:,} base samples; {result.confidence:.0%} bootstrap intervals"
        if result.readable
        else f"too few samples to read these indices: ask for --samples "
        f"{result.recommended_samples} ({result.samples:,} used)"
    )
    finish(ax, f"Sobol indices: {result.output_key}", subtitle)
    return ax


# --------------------------------------------------------------------------------------------
# a game's outcome against a parameter


def game_sweep(
    scenario: Any, game_id: str, parameter: str, *, n: int = 41
) -> tuple[np.ndarray, list[str], np.ndarray, list[float]]:
    """A sequential game's equilibrium outcome and payoffs along a parameter's range, and the
    switch points ``dealsim solve`` reports for it.

    The grid holds ``n`` evenly spaced values and the values just either side of every reported
    switch (a millionth of the range away), so each band of the figure is an outcome the game
    really has there. A parameter the game
    does not list under ``thresholds`` has no reported switches: they are then placed halfway
    between grid values (the list returned is empty).

    Returns
    -------
    values, outcomes, payoffs (n, k), thresholds

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> name = s.games["territory_first"].thresholds[0]  # a parameter the game lists
    >>> xs, outcomes, pay, cuts = game_sweep(s, "territory_first", name, n=5)
    >>> len(cuts), outcomes[0], outcomes[-1]
    (1, 'war', 'peace_territory_first')
    >>> import matplotlib.pyplot as plt; plt.close("all")  # figures are closed
    """
    from dealsim.analysis.games import games_analysis, scenario_game
    from dealsim.plot._style import check_choice
    from dealsim.solvers.sequential import subgame_perfect_equilibrium

    games = dict(scenario.games)
    check_choice(game_id, list(games), "game", scenario.file)
    check_choice(parameter, list(scenario.parameters), "parameter", scenario.file)
    spec = scenario.parameter_specs.get(parameter)
    if spec is None or spec.range is None or not spec.range[0] < spec.range[1]:
        raise DealsimError(f"parameter {parameter!r} has no range in the scenario")
    game = games[game_id]
    if not hasattr(game, "thresholds"):
        raise DealsimError(
            f"game {game_id!r} is a normal-form game: it has no single outcome path to draw "
            "against a parameter (draw it with the matrix kind)"
        )
    reported: list[dict[str, Any]] = []
    if parameter in game.thresholds:
        analysis = games_analysis(scenario)
        reported = analysis.games[game_id]["thresholds"].get(parameter, [])
    xs = set(decimal_grid(spec.range[0], spec.range[1], int(n)).tolist())
    step = 1e-6 * (spec.range[1] - spec.range[0])
    for t in reported:  # just either side of the switch (the bracket's ends are within 1e-10)
        xs.update((float(t["value"]) - step, float(t["value"]) + step))
    values = np.array(sorted(xs))
    outcomes, payoffs = [], []
    for value in values:
        tree = scenario_game(scenario, game_id, {parameter: float(value)})
        found = subgame_perfect_equilibrium(tree)
        outcomes.append("+".join(sorted(found.outcomes)))
        payoffs.append([found.payoffs.get(p, np.nan) for p in scenario.party_ids])
    return values, outcomes, np.asarray(payoffs, dtype=float), [float(t["value"]) for t in reported]
