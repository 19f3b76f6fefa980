"""``dealsim report``: one self-contained HTML page: a summary, a table of contents, the results
as HTML tables and every figure.

Figures are embedded as base64 PNG, so the page needs no other file and no network; they are
drawn in parallel worker processes (and can be cached on disk). The page shows the scenario's
file name, never a path on the machine that wrote it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import os
import pickle
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from dealsim._format import format_number, plural
from dealsim._version import __version__
from dealsim.errors import DealsimError
from dealsim.plot._grid import main_issues
from dealsim.results import SOLUTION_TITLES
from dealsim.scenario.model import Scenario

__all__ = ["figure_png", "main_issues", "render_figures", "render_html_report"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; background: white; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #666; font-size: 0.9em; }
pre { background: #f4f4f4; padding: 12px 16px; overflow-x: auto; font-size: 0.82em;
      line-height: 1.35; border-radius: 4px; white-space: pre-wrap; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; max-width: 100%;
        display: block; overflow-x: auto; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 10px; text-align: left;
         vertical-align: top; }
thead th { border-bottom: 2px solid #bbb; }
table.numbers td:not(:first-child) { text-align: right; }
table.summary td:first-child { font-weight: 600; white-space: nowrap; }
nav#contents ol { columns: 2; font-size: 0.92em; }
.warning { color: #a33; }
code { font-size: 0.9em; color: #555; }
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
    >>> import matplotlib.pyplot as plt; plt.close("all")  # figures are closed
    """
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    # No bbox_inches="tight": dealsim's figures use constrained layout, which already fits
    # everything inside the figure, and "tight" costs another layout pass (about a fifth of
    # the time of the whole report).
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _draw(kind: str, scenario: Scenario, result: Any, **kw: Any) -> Any:
    """Draw one of the report's figures (a module-level function, so workers can run it)."""
    import matplotlib.pyplot as plt

    from dealsim import plot

    if kind == "utility_space_pairs":
        return plot.utility_space_pairs(scenario, result=result, ncols=2)
    if kind == "utility_space":
        return plot.utility_space(scenario, result=result).figure
    if kind == "zone":
        return plot.agreement_zone_map(scenario, kw["x"], kw["y"]).figure
    if kind == "surfaces":
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
            plot.payoff_surface(scenario, kw["x"], kw["y"], party=party, ax=ax)
        return fig
    if kind == "min_gain":
        return plot.payoff_surface(scenario, kw["x"], kw["y"], measure="min_gain").figure
    if kind == "threshold":
        return plot.threshold_plot(
            kw["xs"],
            kw["labels"],
            parameter=kw["name"],
            payoffs=kw["payoffs"],
            parties=[p.label for p in scenario.parties],
        ).figure
    if kind in ("tree", "matrix"):
        from dealsim.analysis.games import game_title, resolve_game

        draw = plot.game_tree if kind == "tree" else plot.payoff_matrix
        return draw(
            resolve_game(scenario, kw["game"], kind),
            colors=plot.party_colors(scenario.party_ids),
            title=game_title(scenario, kw["game"]),
        ).figure
    if kind == "sweep":
        return plot.sweep_plot(kw["data"], scenario=scenario).figure
    if kind == "montecarlo":
        return plot.montecarlo_plot(scenario, samples=kw["samples"], seed=kw["seed"])
    if kind == "tornado":
        return plot.tornado_plot(kw["data"]).figure
    if kind == "sobol":
        return plot.sobol_plot(kw["data"]).figure
    raise ValueError(kind)


def _render_png(draw: Callable[[], Any], dpi: int) -> str:
    return figure_png(draw(), dpi=dpi)


def _figures(scenario: Scenario, result: Any) -> list[tuple[str, str, Callable[[], Any] | None]]:
    """(heading, caption, draw) for every figure relevant to the scenario (draw None: text).

    Each ``draw`` is a picklable ``functools.partial`` of :func:`_draw`, so the figures can be
    rendered in worker processes.
    """
    from dealsim import plot

    def entry(kind: str, **kw: Any) -> Callable[[], Any]:
        return functools.partial(_draw, kind, scenario, result, **kw)

    out: list[tuple[str, str, Callable[[], Any] | None]] = []
    if len(scenario.parties) > 2:
        caption = (
            "Every deal for each pair of parties; the agreement zone in green, the bargaining "
            "solutions marked."
        )
        out.append(("Utility space", caption, entry("utility_space_pairs")))
    else:
        caption = "Every deal, the Pareto frontier and the solutions."
        out.append(("Utility space", caption, entry("utility_space")))
    if len(scenario.issues) >= 2:
        x, y = main_issues(scenario)[:2]
        names = f"{scenario.issue(x).label} and {scenario.issue(y).label}"
        out.append(
            (
                "Agreement zone",
                f"Where every party accepts over {names} (the two issues "
                "the parties weigh most), the other terms at the Nash deal.",
                entry("zone", x=x, y=y),
            )
        )
        out.append(
            ("Payoff surfaces", f"Each party's utility over {names}.", entry("surfaces", x=x, y=y))
        )
        out.append(
            (
                "Smallest gain",
                "The smallest gain over the reservations: positive inside the agreement zone.",
                entry("min_gain", x=x, y=y),
            )
        )
    steady = []
    n_values = 0
    for name, spec in scenario.parameter_specs.items():
        if spec.range is None or spec.range[0] >= spec.range[1]:
            continue
        xs, labels, payoffs = plot.solution_sweep(scenario, name)
        n_values = len(xs)
        if len(set(labels)) == 1:  # one regime: a sentence says it better than a figure
            steady.append(f"{name} ({spec.range[0]:g} to {spec.range[1]:g})")
            continue
        out.append(
            (
                f"Threshold: {name}",
                f"The Nash deal's terms that change as {name} moves "
                "over its range, with each party's utility there.",
                entry("threshold", name=name, xs=xs, labels=labels, payoffs=payoffs),
            )
        )
    if steady:
        out.append(
            (
                "Parameters that do not change the deal",
                f"The Nash deal is the same at each of {n_values} values over the range of "
                + ", ".join(steady)
                + ".",
                None,
            )
        )
    from dealsim.analysis.games import is_tree, scenario_games

    solved = getattr(result.analyses.get("games"), "games", {})
    for game_id, game in scenario_games(scenario).items():
        if is_tree(game):
            # subgame perfect only by backward induction: with information sets it is a Nash
            # equilibrium of the normal form (or in behaviour strategies), not refined
            method = solved.get(game_id, {}).get("method", "backward_induction")
            caption = (
                "The game tree; the subgame-perfect equilibrium path is drawn thick."
                if method == "backward_induction"
                else "The game tree; the path of the equilibrium reported is drawn thick (the tree "
                "has information sets: a Nash equilibrium, not refined to subgame perfection)."
            )
            out.append((f"Game: {game_id}", caption, entry("tree", game=game_id)))
        else:
            caption = "The payoff matrix; pure equilibria outlined, mixed ones listed."
            out.append((f"Game: {game_id}", caption, entry("matrix", game=game_id)))
    return out


def _check_workers(workers: Any) -> None:
    """Refuse a number of worker processes that is not None or an integer >= 1."""
    bad = isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    if workers is not None and bad:
        raise DealsimError(f"workers must be a positive integer, got {workers!r}")


def render_figures(
    draws: list[Callable[[], Any]],
    *,
    dpi: int = 100,
    workers: int | None = None,
    cache_dir: str | Path | None = None,
) -> list[str]:
    """Base64 PNGs of the figures, drawn in parallel worker processes and optionally cached.

    Parameters
    ----------
    draws : list of callables
        Picklable callables returning a matplotlib Figure (``functools.partial`` of a module
        function).
    dpi : int
    workers : int, optional
        Worker processes (default: the number of CPUs, at most one per figure); 1 draws here.
    cache_dir : path, optional
        A directory of PNGs keyed by the SHA-256 of what a figure is drawn from (the scenario,
        its parameters, the figure's arguments, the dpi and the dealsim version): a report
        drawn again with nothing changed costs no rendering.

    Examples
    --------
    >>> import functools, matplotlib.pyplot as plt
    >>> pngs = render_figures([functools.partial(plt.figure, figsize=(1, 1))], workers=1)
    >>> pngs[0][:8]
    'iVBORw0K'
    >>> import matplotlib.pyplot as plt; plt.close("all")  # figures are closed
    """
    _check_workers(workers)
    keys: list[str | None] = [None] * len(draws)
    found: dict[int, str] = {}
    folder = Path(cache_dir) if cache_dir is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for i, draw in enumerate(draws):
            blob = pickle.dumps(
                (__version__, dpi, draw.func.__qualname__, draw.args, draw.keywords)
            )
            keys[i] = hashlib.sha256(blob).hexdigest()
            path = folder / f"{keys[i]}.png.b64"
            if path.is_file():
                found[i] = path.read_text(encoding="ascii")
    todo = [i for i in range(len(draws)) if i not in found]
    count = min(len(todo), workers or os.cpu_count() or 1)
    if count > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # "spawn" is slow to start; "fork" shares the loaded modules (POSIX)
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        context = multiprocessing.get_context(method)
        with ProcessPoolExecutor(count, mp_context=context) as pool:
            pngs = list(pool.map(_render_png, [draws[i] for i in todo], [dpi] * len(todo)))
    else:
        pngs = [_render_png(draws[i], dpi) for i in todo]
    for i, png in zip(todo, pngs, strict=True):
        found[i] = png
        if folder is not None:
            (folder / f"{keys[i]}.png.b64").write_text(png, encoding="ascii")
    return [found[i] for i in range(len(draws))]


def _table(head: list[str], rows: list[list[str]], *, cls: str = "") -> str:
    """An HTML table of already-escaped cells."""
    attr = f' class="{cls}"' if cls else ""
    out = [f"<table{attr}><thead><tr>"]
    out += [f"<th>{h}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _e(value: Any) -> str:
    return html.escape(str(value))


def _summary_html(facts: dict[str, Any]) -> str:
    z = facts["zone"]
    rows = []
    if z["exists"]:
        rows.append(
            [
                "Zone of possible agreement",
                _e(
                    f"yes: {z['size']:,} of the {z['feasible']:,} feasible deals "
                    f"({z['share']:.2%} of all {z['space']:,}) are acceptable to every party"
                ),
            ]
        )
    else:
        rows.append(["Zone of possible agreement", "none: no feasible deal is acceptable to all"])
    for n, deal in enumerate(facts["deals"]):
        terms = "<br>".join(f"{_e(k)}: <b>{_e(v)}</b>" for k, v in deal["terms"])
        utilities = ", ".join(
            f"{_e(k)} {_e(format_number(v))}" for k, v in deal["utilities"].items()
        )
        tie = (
            f"<br><i>one of {deal['ties']} deals that tie on this criterion:"
            " the tie-break's pick</i>"
            if deal["ties"] > 1
            else ""
        )
        head = "Recommended deal" if n == 0 else "Another deal"
        rows.append(
            [
                f"{head}<br><small>{_e(deal['title'])}</small>",
                f"{terms}<br>utilities: {utilities}{tie}",
            ]
        )
    if facts["blocking"]:
        rows.append(
            [
                "What blocks",
                "<br>".join(
                    _e(
                        f"{label}: alone blocks {alone:,} feasible deals"
                        f" (rejects {rejects:,} in all)"
                    )
                    for label, alone, rejects in facts["blocking"]
                ),
            ]
        )
    if facts["games"]:
        rows.append(
            ["Game outcomes", "<br>".join(f"{_e(g)} → <b>{_e(w)}</b>" for g, w in facts["games"])]
        )
    return _table(["", ""], rows, cls="summary")


def _solutions_html(result: Any) -> str:
    from dealsim.report import level_text, solution_groups

    groups = solution_groups(result)
    if not groups:
        return "<p>None: the zone is empty.</p>"
    head = [""] + [" = ".join(SOLUTION_TITLES.get(n, n) for n in g) for g in groups]
    found = [result.solutions[g[0]] for g in groups]
    rows = [
        [_e(f"{result.party_labels.get(p, p)} utility")]
        + [_e(format_number(float(s.utilities[p]))) for s in found]
        for p in result.parties
    ]
    for issue_id, issue in result.deal_space["issues"].items():
        rows.append(
            [_e(issue.get("label") or issue_id)]
            + [_e(level_text(issue, s.deal[issue_id])) for s in found]
        )
    return _table([_e(h) for h in head], rows, cls="numbers")


def _details_html(result: Any) -> list[tuple[str, str, str]]:
    """(anchor, heading, html) of the detail sections: parties, deal space, zone, solutions."""
    from dealsim.report import SOLUTION_MODELS, level_text

    parties = _table(
        ["party", "id", "reservation (utility of no deal)", "bargaining power"],
        [
            [
                _e(result.party_labels[p]),
                f"<code>{_e(p)}</code>",
                _e(format_number(result.reservations[p])),
                _e(format_number(result.powers[p])),
            ]
            for p in result.parties
        ],
        cls="numbers",
    )
    space = result.deal_space
    issues = []
    for issue_id, issue in space["issues"].items():
        if issue["kind"] == "range":
            lo, hi = issue["range"]
            unit = f" {issue['unit']}" if issue.get("unit") else ""
            what = f"{format_number(lo)} to {format_number(hi)}{unit} in {issue['steps']} steps"
        else:
            what = " | ".join(level_text(issue, v) for v in issue["levels"])
        issues.append(
            [_e(issue.get("label") or issue_id), f"<code>{_e(issue_id)}</code>", _e(what)]
        )
    deal_space = (
        f"<p>{_e(plural(space['size'], 'deal'))} over"
        f" {_e(plural(len(space['issues']), 'issue'))}.</p>"
        + _table(["issue", "id", "values"], issues)
    )
    zone = result.agreement_zone
    rows = [[_e(label), _e(f"{count:,}")] for label, count in zone.constraint_violations.items()]
    counts = f"{plural(zone.feasible, 'feasible deal')}; {plural(zone.size, 'deal')} in the zone."
    zone_html = f"<p>{_e(counts)}</p>"
    if rows:
        zone_html += "<p>Constraints (feasible deals each rules out):</p>" + _table(
            ["constraint", "rules out"], rows, cls="numbers"
        )
    zone_html += (
        "<p>Who blocks: of the feasible deals, those the party alone rejects (every other party "
        "accepts them), and those it rejects at all.</p>"
        + _table(
            ["party", "blocks alone", "rejects at all"],
            [
                [
                    _e(result.party_labels[p]),
                    _e(f"{zone.blocking[p]:,}"),
                    _e(f"{zone.rejecting[p]:,}"),
                ]
                for p in result.parties
            ],
            cls="numbers",
        )
    )
    return [
        ("parties", "Parties", parties),
        ("deal-space", "Deal space", deal_space),
        ("zone", "Zone of possible agreement", zone_html),
        (
            "solutions",
            "Bargaining solutions",
            "<p>Over the zone; the best deal on the grid. "
            "Solutions that pick the same deal share a column.</p>"
            + _solutions_html(result)
            + f"<p>Models: {_e(SOLUTION_MODELS)}.</p>",
        ),
    ]


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def render_html_report(
    scenario: Scenario,
    *,
    parameters: Mapping[str, float] | None = None,
    dpi: int = 100,
    sweep: Mapping[str, Any] | None = None,
    montecarlo: int | None = None,
    sensitivity: bool = False,
    sensitivity_key: str = "zone_size",
    sensitivity_samples: int = 256,
    seed: int = 0,
    workers: int | None = None,
    cache_dir: str | Path | None = None,
) -> str:
    """The HTML report of a scenario: a summary, a table of contents, tables and every figure.

    Parameters
    ----------
    scenario : Scenario
    parameters : mapping, optional
        Parameter overrides.
    dpi : int
        Resolution of the embedded PNG figures.
    sweep : mapping of str to array_like, optional
        Add a sweep section: the grid of :func:`dealsim.uncertainty.sweep.sweep`.
    montecarlo : int, optional
        Add a Monte Carlo section with this many draws (seeded with ``seed``).
    sensitivity : bool
        Add a sensitivity section: tornado and Sobol indices of ``sensitivity_key`` with
        ``sensitivity_samples`` base samples.
    seed : int
    workers : int, optional
        Processes that draw the figures (default: every CPU).
    cache_dir : path, optional
        Reuse figures drawn before (see :func:`render_figures`).

    Examples
    --------
    >>> import dealsim
    >>> page = render_html_report(dealsim.load("logroll"), workers=1)
    >>> page.startswith("<!DOCTYPE html>"), page.count("data:image/png;base64,")
    (True, 4)
    >>> page.index('id="summary"') < page.index('id="contents"') < page.index("<figure")
    True
    >>> import matplotlib.pyplot as plt; plt.close("all")  # figures are closed
    """
    import dealsim
    from dealsim.pipeline import load_function
    from dealsim.report import SECTIONS, summary

    _check_workers(workers)  # before any work
    if parameters:
        scenario = scenario.with_parameters(**parameters)
    result = dealsim.solve(scenario)
    entries = _figures(scenario, result)
    extra: list[
        tuple[str, str, str, Callable[[], Any] | None]
    ] = []  # (heading, caption, html, draw)
    if sweep:
        from dealsim.uncertainty.sweep import sweep as run_sweep

        swept = run_sweep(scenario, sweep, workers=1, progress=False)
        head = ", ".join(swept.parameters)
        extra.append(
            (
                f"Sweep: {head}",
                f"The solve at each of {len(swept.records)} grid points over {head}.",
                "",
                functools.partial(_draw, "sweep", scenario, result, data=swept),
            )
        )
    if montecarlo:
        from dealsim.uncertainty.montecarlo import monte_carlo

        mc = monte_carlo(scenario, samples=int(montecarlo), seed=seed, workers=1, progress=False)
        lo, hi = mc.p_agreement_interval
        table = _table(
            ["draws", "seed", "P(a zone exists)", "95% interval"],
            [
                [
                    _e(f"{mc.samples:,}"),
                    _e(seed),
                    _e(f"{mc.p_agreement:.1%}"),
                    _e(f"{lo:.1%} to {hi:.1%}"),
                ]
            ],
            cls="numbers",
        )
        extra.append(
            (
                "Monte Carlo",
                "The chance of agreement, each solution's utilities over the draws, "
                "and how often each deal is in the zone.",
                table,
                functools.partial(
                    _draw, "montecarlo", scenario, result, samples=int(montecarlo), seed=seed
                ),
            )
        )
    if sensitivity:
        from dealsim.uncertainty.sensitivity import sobol_sensitivity, tornado

        bars = tornado(scenario, sensitivity_key)
        sobol = sobol_sensitivity(scenario, sensitivity_key, samples=sensitivity_samples, seed=seed)
        rows = [
            [
                _e(n),
                _e(f"{sobol.first_order[n]:.3f}"),
                _e("{:.3f} to {:.3f}".format(*sobol.first_order_interval[n])),
                _e(f"{sobol.total[n]:.3f}"),
                _e("{:.3f} to {:.3f}".format(*sobol.total_interval[n])),
            ]
            for n in sobol.first_order
        ]
        table = _table(
            ["parameter", "first order", "interval", "total", "interval"], rows, cls="numbers"
        )
        table += "".join(f'<p class="warning">{_e(w)}</p>' for w in sobol.warnings)
        extra.append(
            (
                f"Sensitivity: one at a time ({sensitivity_key})",
                "Each parameter at the ends of its range, the others at their values.",
                "",
                functools.partial(_draw, "tornado", scenario, result, data=bars),
            )
        )
        extra.append(
            (
                f"Sensitivity: Sobol indices ({sensitivity_key})",
                f"{sobol.samples:,} base samples "
                f"(Sobol' sequence); {sobol.confidence:.0%} bootstrap intervals.",
                table,
                functools.partial(_draw, "sobol", scenario, result, data=sobol),
            )
        )
    draws = [d for _, _, d in entries if d is not None] + [d for *_, d in extra if d is not None]
    pngs = iter(render_figures(draws, dpi=dpi, workers=workers, cache_dir=cache_dir))

    title = _e(scenario.name)
    taken: set[str] = {"summary", "contents"}
    sections: list[tuple[str, str, str]] = []  # (anchor, heading, html)
    if scenario.description:
        sections.append(
            (_slug("About", taken), "About", f"<p>{_e(scenario.description.strip())}</p>")
        )
    for anchor, heading, body in _details_html(result):
        sections.append((_slug(anchor, taken), heading, body))
    for heading, caption, draw in entries:
        body = f"<p>{_e(caption)}</p>"
        if draw is not None:
            body = (
                f'<figure><img alt="{_e(heading)}" src="data:image/png;base64,{next(pngs)}">'
                f"<figcaption>{_e(caption)}</figcaption></figure>"
            )
        sections.append((_slug(heading, taken), heading, body))
    for key, analysis in result.analyses.items():
        if key in SECTIONS:
            lines = load_function(SECTIONS[key])(analysis, result)
            heading = lines[0] if lines else key
            body = f'<pre class="analysis">{_e(chr(10).join(lines[1:]))}</pre>'
            sections.append((_slug(key, taken), heading, body))
    for heading, caption, table, draw in extra:
        body = table
        if draw is not None:
            body += (
                f'<figure><img alt="{_e(heading)}" src="data:image/png;base64,{next(pngs)}">'
                f"<figcaption>{_e(caption)}</figcaption></figure>"
            )
        sections.append((_slug(heading, taken), heading, body))
    if scenario.sources:
        items = "".join(f"<li>{_e(s)}</li>" for s in scenario.sources)
        sections.append((_slug("Sources", taken), "Sources", f"<ul>{items}</ul>"))

    source = Path(scenario.file).name if scenario.file else "bundled scenario"
    params = ", ".join(f"{k}={format_number(v)}" for k, v in result.parameters.items())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} — dealsim report</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{title}</h1>",
        f'<p class="meta">dealsim {_e(result.dealsim_version)} · {_e(source)}'
        + (f" · sha256 {_e(scenario.sha256[:12])}…" if scenario.sha256 else "")
        + "</p>",
    ]
    if params:
        parts.append(f'<p class="meta">parameters: {_e(params)}</p>')
    parts.append('<h2 id="summary">Summary</h2>')
    parts.append(_summary_html(summary(result)))
    parts.append('<nav id="contents"><h2>Contents</h2><ol>')
    parts += [f'<li><a href="#{a}">{_e(h)}</a></li>' for a, h, _ in sections]
    parts.append("</ol></nav>")
    for anchor, heading, body in sections:
        parts.append(f'<section id="{anchor}"><h2>{_e(heading)}</h2>{body}</section>')
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
