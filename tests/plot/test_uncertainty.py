"""Figures of sweeps, Monte Carlo, tornado, Sobol and a game's outcome: checked on their artists.

Every figure is drawn with the Agg canvas and no two of its texts may overlap (bounding boxes
of tick labels, titles, legends' texts and annotations, each Axes' own and across Axes).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from numpy.testing import assert_allclose

import dealsim
from dealsim.analysis.games import games_analysis
from dealsim.errors import DealsimError
from dealsim.plot import (
    game_sweep,
    montecarlo_plot,
    sobol_plot,
    sweep_plot,
    threshold_plot,
    tornado_plot,
)
from dealsim.scenario import loads
from dealsim.uncertainty.sensitivity import sobol_sensitivity, tornado
from dealsim.uncertainty.sweep import sweep

THRESHOLD = Path(__file__).parents[1] / "data" / "threshold.toml"


def _texts(fig):
    """Visible, non-empty texts with their bounding boxes after a draw with the Agg canvas."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    from matplotlib.text import Text

    hidden = set()  # tick labels of ticks outside the view: matplotlib keeps but does not draw
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            pad = 1e-9 * max(1.0, abs(hi - lo))
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - pad <= tick.get_loc() <= hi + pad:
                    hidden.update({id(tick.label1), id(tick.label2)})
    out = []
    for text in fig.findobj(Text):
        if id(text) in hidden:
            continue
        if text.get_visible() and text.get_text().strip() and text.get_figure() is not None:
            box = text.get_window_extent(renderer)
            if box.width > 0 and box.height > 0:
                out.append((text.get_text(), box))
    return out


def assert_no_text_overlaps(fig, *, allow=()):
    texts = _texts(fig)
    clashes = [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(texts, 2)
        if box_a.overlaps(box_b)
        and box_a.intersection(box_a, box_b).width > 1
        and box_a.intersection(box_a, box_b).height > 1
        and not any(k in a or k in b for k in allow)
    ]
    assert not clashes, clashes[:5]


@pytest.fixture(scope="module")
def donbas():
    return dealsim.load("donbas-2026")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def switch(donbas):
    """territory_first's parameter and the switch point solve reports (derived, not hard-coded:
    the Donbas file changes as the case is revised)."""
    name = donbas.games["territory_first"].thresholds[0]
    reported = games_analysis(donbas).games["territory_first"]["thresholds"][name]
    return name, reported


@pytest.fixture(scope="module")
def sweep_1d(donbas):
    return sweep(donbas, {"russia_win": np.linspace(0.15, 0.65, 5)}, workers=1, progress=False)


def test_sweep_lines_are_each_solutions_utilities_at_each_value(donbas, sweep_1d):
    ax = sweep_plot(sweep_1d, scenario=donbas)
    lines = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    nash = lines["utility:nash:ukraine"]
    expected = [r["solutions"]["nash"]["utilities"]["ukraine"] for r in sweep_1d.records]
    assert_allclose(nash.get_ydata(), expected)
    assert_allclose(nash.get_xdata(), np.linspace(0.15, 0.65, 5))
    zone = next(line for line in ax.figure.axes[1].lines if line.get_gid() == "zone_size")
    assert zone.get_ydata().tolist() == [r["agreement_zone"]["size"] for r in sweep_1d.records]
    assert_no_text_overlaps(ax.figure)


def test_sweep_merges_solutions_that_pick_the_same_deal_everywhere(donbas, sweep_1d):
    ax = sweep_plot(sweep_1d, scenario=donbas)
    groups = {line.get_gid().split(":")[1] for line in ax.lines if line.get_gid()}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    # one line per party and per group of coinciding solutions; each group named once
    for name in groups:
        assert sum(name.replace("_", " ").title().split()[0] in t for t in legend) >= 1
    # legend entries only for what is drawn: parties, solution groups, the zone line
    assert len(legend) == 3 + len(groups) + 1


def test_sweep_shades_the_games_outcome(donbas, switch):
    name, reported = switch
    cut = reported[0]["value"]
    lo, hi = donbas.parameter_specs[name].range
    values = [(lo + cut) / 2, (cut + hi) / 2, hi]
    result = sweep(donbas, {name: values}, workers=1, progress=False)
    ax = sweep_plot(result, scenario=donbas, game="territory_first")
    bands = [p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("game:")]
    below = "+".join(reported[0]["below"]["outcomes"])
    above = "+".join(reported[0]["above"]["outcomes"])
    assert bands == [f"game:{below}", f"game:{above}", f"game:{above}"]
    assert below != above
    with pytest.raises(DealsimError, match="unknown game 'nope'"):
        sweep_plot(result, game="nope")


def test_two_parameter_sweep_is_a_heatmap_of_the_zone_size(donbas):
    grid = {"war_cost_ukraine": [0.05, 0.25], "russia_win": [0.15, 0.35, 0.65]}
    result = sweep(donbas, grid, workers=1, progress=False)
    ax = sweep_plot(result, scenario=donbas)
    image = next(im for im in ax.images if im.get_gid() == "zone_size")
    z = np.asarray(image.get_array())
    assert z.shape == (3, 2)
    by_point = {
        (r["parameters"]["war_cost_ukraine"], r["parameters"]["russia_win"]): r["agreement_zone"][
            "size"
        ]
        for r in result.records
    }
    assert z[1, 0] == by_point[(0.05, 0.35)] and z[2, 1] == by_point[(0.25, 0.65)]
    assert len(ax.figure.axes) == 2  # and its colour bar
    assert_no_text_overlaps(ax.figure)


_PRICED_SPLIT = """
[scenario]
name = "split with a priced term"
[parameters.cost]
value = {base}
range = [{lo}, {hi}]
[parameters.ra]
value = 0.3
range = [0.0, 1.0]
[parties.a]
reservation = "ra + (cost - {base}) / {step} * 0.05"
[parties.b]
reservation = 0.3
[issues.share]
range = [0.0, 1.0]
steps = 201
[payoffs.a]
weights = {{ share = 1.0 }}
share = {{ points = [[0.0, 0.0], [1.0, 1.0]] }}
[payoffs.b]
weights = {{ share = 1.0 }}
share = {{ points = [[0.0, 1.0], [1.0, 0.0]] }}
"""


@pytest.mark.parametrize(
    ("base", "step"),
    [
        pytest.param(1e6, 5.0, id="dollars-near-a-million"),  # within np.isclose's rtol 1e-5
        pytest.param(0.0, 5e-9, id="steps-of-5e-9"),  # within np.isclose's atol 1e-8
        pytest.param(0.0, 0.05, id="shares"),
    ],
)
def test_each_heatmap_cell_is_its_own_sweep_point_at_any_parameter_unit(base, step):
    # np.isclose put the points 5 apart near 1e6 (or 5e-9 apart) into the first row: it showed
    # the last of them there and left the other rows blank
    scenario = loads(
        _PRICED_SPLIT.format(base=base, lo=base - 100 * step, hi=base + 100 * step, step=step)
    )
    costs = [base, base + step, base + 2 * step]
    result = sweep(scenario, {"ra": [0.1, 0.2], "cost": costs}, workers=1, progress=False)
    ax = sweep_plot(result, scenario=scenario)
    z = np.asarray(next(im for im in ax.images if im.get_gid() == "zone_size").get_array())
    sizes = {
        (r["parameters"]["cost"], r["parameters"]["ra"]): r["agreement_zone"]["size"]
        for r in result.records
    }
    assert z.tolist() == [[sizes[(c, ra)] for ra in (0.1, 0.2)] for c in costs]
    assert z.tolist() == [[121, 101], [111, 91], [101, 81]]


def test_montecarlo_panels_show_the_chance_its_interval_and_robust_deals(donbas):
    from dealsim.uncertainty.montecarlo import monte_carlo

    fig = montecarlo_plot(donbas, samples=200, seed=4)
    agreement, utilities, robust = fig.axes[:3]
    reference = monte_carlo(donbas, samples=200, seed=4, workers=1, progress=False)
    bar = agreement.patches[0]
    assert_allclose(bar.get_height(), reference.p_agreement)
    robust_image = robust.images[0]
    assert robust_image.get_gid() == "robust"
    assert np.asarray(robust_image.get_array()).max() <= 1.0
    boxes = {p.get_gid() for p in utilities.patches if p.get_gid()}
    assert {"box:nash:ukraine", "box:utilitarian:russia"} <= boxes
    assert_no_text_overlaps(fig)


def test_montecarlo_map_takes_the_chosen_issues(donbas):
    fig = montecarlo_plot(donbas, samples=32, x="zone_status", y="prosperity_plan")
    robust = fig.axes[2]
    assert np.asarray(robust.images[0].get_array()).shape == (5, 3)
    assert "\\$bn" in robust.get_ylabel()  # a dollar sign, not maths markup
    with pytest.raises(DealsimError, match="two different issues"):
        montecarlo_plot(donbas, samples=8, x="zone_status", y="zone_status")


def test_montecarlo_of_one_issue_shows_each_values_probability_of_the_zone():
    from dealsim.analysis.batch import batch_solve
    from dealsim.uncertainty.distributions import sample_parameters

    # the term's condition and the constraint depend on a drawn parameter
    scenario = dealsim.load(THRESHOLD.with_name("parameter_conditions.toml"))
    fig = montecarlo_plot(scenario, samples=300, seed=2)
    robust = fig.axes[2]
    heights = [p.get_height() for p in robust.patches if p.get_gid() == "robust"]
    zone = batch_solve(scenario, sample_parameters(scenario, 0, 300, seed=2)).zone
    assert_allclose(heights, zone.mean(axis=0))
    assert robust.get_xlabel().startswith("share")
    assert_no_text_overlaps(fig)
    with pytest.raises(DealsimError, match="--y 'share': the scenario has one issue"):
        montecarlo_plot(scenario, samples=8, y="share")


def test_tornado_bars_run_from_base_to_each_end(donbas):
    result = tornado(donbas, "zone_size")
    ax = tornado_plot(result)
    top = result.bars[0]
    bar = next(p for p in ax.patches if p.get_gid() == f"bar:{top['parameter']}:high")
    assert_allclose(bar.get_x(), result.base)
    assert_allclose(bar.get_x() + bar.get_width(), top["output_high"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1].startswith(top["parameter"])  # the largest swing on top
    assert_no_text_overlaps(ax.figure)


def test_sobol_bars_and_intervals_and_an_unreadable_sample_is_said():
    scenario = dealsim.load(THRESHOLD)
    result = sobol_sensitivity(scenario, "agreement", samples=32, seed=0)
    ax = sobol_plot(result)
    first = {p.get_gid(): p.get_width() for p in ax.patches if p.get_gid()}
    for name, value in result.first_order.items():
        assert_allclose(first[f"first:{name}"], value)
        assert_allclose(first[f"total:{name}"], result.total[name])
    subtitle = next(t.get_text() for t in ax.texts if t.get_gid() == "subtitle")
    assert f"--samples {result.recommended_samples}" in subtitle
    assert_no_text_overlaps(ax.figure)


def test_game_threshold_uses_the_switch_points_solve_reports(donbas, switch):
    name, reported = switch
    xs, outcomes, payoffs, cuts = game_sweep(donbas, "territory_first", name, n=9)
    assert cuts == [t["value"] for t in reported]
    # the grid holds both ends of each bracket: the outcome really changes there
    step = 1e-6 * np.ptp(donbas.parameter_specs[name].range)
    for t in reported:
        below = int(np.argmin(np.abs(xs - (t["value"] - step))))
        above = below + 1
        assert outcomes[below] == "+".join(t["below"]["outcomes"])
        assert outcomes[above] == "+".join(t["above"]["outcomes"])
    ax = threshold_plot(xs, outcomes, parameter=name, payoffs=payoffs, thresholds=cuts)
    switches = [t.get_text() for t in ax.texts if t.get_gid() == "switch"]
    assert switches == [f"{name} = {t['value']:.3g}" for t in reported]
    assert_no_text_overlaps(ax.figure)


def test_game_threshold_refuses_a_normal_form_game(donbas):
    with pytest.raises(DealsimError, match="normal-form game"):
        game_sweep(donbas, "accept_nash", "russia_win")


def test_the_overlap_check_catches_two_texts_on_top_of_each_other():
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "one label")
    ax.text(0.5, 0.5, "another label")
    with pytest.raises(AssertionError, match="one label"):
        assert_no_text_overlaps(fig)


def test_a_montecarlo_figure_past_the_batch_limits_is_refused_before_any_draw(donbas):
    with pytest.raises(DealsimError, match="above the limit of 536,870,912"):
        montecarlo_plot(donbas, samples=10**12)


@pytest.mark.parametrize(
    ("weights", "inside"), [("[1, 3]", False), ("[3, 1]", True)], ids=["rare", "likely"]
)
def test_montecarlo_chance_and_key_are_written_where_they_can_be_read(weights, inside):
    # a zone exists only when k = 0.2 is drawn (a's reservation 0.4, b's 0.5): with weights
    # [1, 3] about a quarter of the draws, a bar too short for the three white lines, which were
    # written white on white above it; the label now sits above the interval in black
    from matplotlib.colors import to_rgb

    from dealsim.scenario.loader import loads
    from strategies import split_toml

    text = split_toml(a='reservation = "0.6 - k"\n', b="reservation = 0.5\n", steps=11)
    text = text.replace(
        "[parties.a]",
        f'[parameters.k]\nvalue = 0.0\ndistribution = {{ kind = "choice", values = [0.2, 0.0],'
        f" weights = {weights} }}\n\n[parties.a]",
    )
    fig = montecarlo_plot(loads(text), samples=200, seed=1)
    fig.canvas.draw()
    agreement = fig.axes[0]
    bar = agreement.patches[0].get_window_extent()
    value = next(t for t in agreement.texts if t.get_gid() == "value")
    box = value.get_window_extent()
    assert (agreement.patches[0].get_height() >= 0.3) == inside
    if inside:  # white, inside the bar
        assert to_rgb(value.get_color()) == (1.0, 1.0, 1.0)
        assert bar.x0 <= box.x0 and box.x1 <= bar.x1 and bar.y0 <= box.y0 and box.y1 <= bar.y1
    else:  # black, above the bar and its interval
        assert to_rgb(value.get_color()) == (0.0, 0.0, 0.0)
        assert box.y0 >= bar.y1
    frame = agreement.get_window_extent()
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and box.y1 <= frame.y1
    # the parties' key is under the boxes, not over them
    utilities = fig.axes[1]
    assert not utilities.get_legend().get_window_extent().overlaps(utilities.get_window_extent())
    assert_no_text_overlaps(fig)
