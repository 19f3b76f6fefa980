"""``dealsim report``: one self-contained HTML page with the text report and every figure.

Figures are embedded as base64 PNG, so the page needs no other file and no network.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dealsim.plot._grid import main_issues
from dealsim.scenario.model import Scenario

__all__ = ["figure_png", "main_issues", "render_html_report"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; background: white; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #666; font-size: 0.9em; }
pre { background: #f4f4f4; padding: 12px 16px; overflow-x: auto; font-size: 0.82em;
      line-height: 1.35; border-radius: 4px; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; margin-top: 4px; }
"""


def figure_png(fig: Any, *, dpi: int = 100) -> str:
    """A matplotlib figure as a base64 PNG string (the figure is closed).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> figure_png(plt.figure(figsize=(1, 1)))[:8]
    'iVBORw0K'
    """
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    # No bbox_inches="tight": dealsim's figures use constrained layout, which already fits
    # everything inside the figure, and "tight" costs another layout pass (about a fifth of
    # the time of the whole report).
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figures(scenario: Scenario, result: Any) -> list[tuple[str, str, Callable[[], Any] | None]]:
    """(heading, caption, draw) for every figure relevant to the scenario (draw None: text)."""
    import matplotlib.pyplot as plt

    from dealsim import plot

    out: list[tuple[str, str, Callable[[], Any] | None]] = []
    if len(scenario.parties) > 2:
        out.append(
            (
                "Utility space",
                "Every deal for each pair of parties; the agreement zone in "
                "green, the bargaining solutions marked.",
                lambda: plot.utility_space_pairs(scenario, result=result, ncols=2),
            )
        )
    else:
        out.append(
            (
                "Utility space",
                "Every deal, the Pareto frontier and the solutions.",
                lambda: plot.utility_space(scenario, result=result).figure,
            )
        )
    if len(scenario.issues) >= 2:
        x, y = main_issues(scenario)[:2]
        names = f"{scenario.issue(x).label} and {scenario.issue(y).label}"
        out.append(
            (
                "Agreement zone",
                f"Where every party accepts over {names} (the two issues "
                "the parties weigh most), the other terms at the Nash deal.",
                lambda: plot.agreement_zone_map(scenario, x, y).figure,
            )
        )

        def surfaces():
            from dealsim.plot._style import share_parameter_note

            k = len(scenario.parties)
            cols = min(k, 2)
            rows = -(-k // cols)
            fig, axes = plt.subplots(
                rows, cols, figsize=(6.0 * cols, 6.0 * rows + 0.3), layout="constrained"
            )
            cells = list(np.atleast_1d(axes).ravel())
            for cell in cells[k:]:
                cell.remove()
            share_parameter_note(fig)
            for ax, party in zip(cells[:k], scenario.party_ids, strict=True):
                plot.payoff_surface(scenario, x, y, party=party, ax=ax)
            return fig

        out.append(("Payoff surfaces", f"Each party's utility over {names}.", surfaces))
        out.append(
            (
                "Smallest gain",
                "The smallest gain over the reservations: positive inside the agreement zone.",
                lambda: plot.payoff_surface(scenario, x, y, measure="min_gain").figure,
            )
        )
    steady = []
    for name, spec in scenario.parameter_specs.items():
        if spec.range is None or spec.range[0] >= spec.range[1]:
            continue
        xs, labels, payoffs = plot.solution_sweep(scenario, name)
        if len(set(labels)) == 1:  # one regime: a sentence says it better than a figure
            steady.append(f"{name} ({spec.range[0]:g} to {spec.range[1]:g})")
            continue

        def sweep(name=name, xs=xs, labels=labels, payoffs=payoffs):
            return plot.threshold_plot(
                xs,
                labels,
                parameter=name,
                payoffs=payoffs,
                parties=[p.label for p in scenario.parties],
            ).figure

        out.append(
            (
                f"Threshold: {name}",
                f"The Nash deal's terms that change as {name} moves "
                "over its range, with each party's utility there.",
                sweep,
            )
        )
    if steady:
        out.append(
            (
                "Parameters that do not change the deal",
                f"The Nash deal is the same at each of {len(xs)} values over the range of "
                + ", ".join(steady)
                + ".",
                None,
            )
        )
    from dealsim.analysis.games import game_title, is_tree, resolve_game, scenario_games

    colours = plot.party_colors(scenario.party_ids)
    games = scenario_games(scenario)
    if games:
        from dealsim.zone import compute_zone

        zc = compute_zone(scenario)  # shared by every game's solution outcomes
    for game_id, game in games.items():
        if is_tree(game):

            def draw(game_id=game_id):
                tree = resolve_game(scenario, game_id, "tree", zc=zc)
                return plot.game_tree(
                    tree, colors=colours, title=game_title(scenario, game_id)
                ).figure

            caption = "The game tree; the subgame-perfect equilibrium path is drawn thick."
        else:

            def draw(game_id=game_id):
                return plot.payoff_matrix(
                    resolve_game(scenario, game_id, "matrix", zc=zc),
                    colors=colours,
                    title=game_title(scenario, game_id),
                ).figure

            caption = "The payoff matrix; pure equilibria outlined, mixed ones listed."
        out.append((f"Game: {game_id}", caption, draw))
    return out


def render_html_report(
    scenario: Scenario, *, parameters: Mapping[str, float] | None = None, dpi: int = 100
) -> str:
    """The HTML report of a scenario: the text report and every relevant figure, self-contained.

    Parameters
    ----------
    scenario : Scenario
    parameters : mapping, optional
        Parameter overrides.
    dpi : int
        Resolution of the embedded PNG figures.

    Examples
    --------
    >>> import dealsim
    >>> page = render_html_report(dealsim.load("logroll"))
    >>> page.startswith("<!DOCTYPE html>"), page.count("data:image/png;base64,")
    (True, 4)
    """
    import dealsim
    from dealsim.report import render_report

    if parameters:
        scenario = scenario.with_parameters(**parameters)
    result = dealsim.solve(scenario)
    title = html.escape(scenario.name)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} — dealsim report</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{title}</h1>",
        f'<p class="meta">dealsim {html.escape(result.dealsim_version)}'
        + (f" · {html.escape(scenario.file)}" if scenario.file else "")
        + (f" · sha256 {html.escape(scenario.sha256[:12])}…" if scenario.sha256 else "")
        + "</p>",
    ]
    if scenario.description:
        parts.append(f"<p>{html.escape(scenario.description.strip())}</p>")
    if scenario.sources:
        parts.append("<h2>Sources</h2><ul>")
        parts.extend(f"<li>{html.escape(s)}</li>" for s in scenario.sources)
        parts.append("</ul>")
    for n, (heading, caption, draw) in enumerate(_figures(scenario, result)):
        if draw is None:  # a finding without a figure
            parts.append(f"<h2>{html.escape(heading)}</h2><p>{html.escape(caption)}</p>")
            continue
        data = figure_png(draw(), dpi=dpi)
        parts.append(
            f'<h2>{html.escape(heading)}</h2><figure id="figure-{n}">'
            f'<img alt="{html.escape(heading)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    parts.append("<h2>Report</h2>")
    parts.append(f"<pre>{html.escape(render_report(result))}</pre>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
