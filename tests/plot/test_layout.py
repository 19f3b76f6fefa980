"""Figures keep a usable data area whatever the scenario: many parameters, long names, 3 panels.

Each figure is drawn (constrained layout runs at draw time) with every warning an error, so
"constrained_layout not applied because axes sizes collapsed to zero" fails the test.
"""

import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dealsim
from dealsim.plot import (
    agreement_zone_map,
    payoff_surface,
    threshold_plot,
    utility_space,
    utility_space_pairs,
)
from dealsim.plot._style import text_width, wrap_to_width

LONG_LEVELS = [
    "no_arrangement_whatsoever",
    "bilateral_assurances_without_enforcement",
    "multilateral_guarantee_with_european_guarantors",
    "article5_mirror_with_automatic_response",
    "permanent_foreign_troop_presence_on_the_line",
    "full_membership_in_a_defensive_alliance",
]
PARAMETERS = [f"a_rather_long_parameter_name_number_{i}" for i in range(12)]


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """Two parties, twelve long-named parameters, an issue of six long level names."""
    params = "\n".join(
        f"[parameters.{p}]\nvalue = {0.1 + 0.05 * i:.2f}\nrange = [0.0, 1.0]\n"
        for i, p in enumerate(PARAMETERS)
    )
    levels = ", ".join(f'"{level}"' for level in LONG_LEVELS)
    values = ", ".join(
        f'{level} = "{i / 5:.1f} + 0 * {PARAMETERS[i]}"' for i, level in enumerate(LONG_LEVELS)
    )
    text = f"""
[scenario]
name = "Crowded"
description = "Many parameters and long names."

{params}
[parties.a]
label = "The first party with a long name"
reservation = 0.2

[parties.b]
label = "The second party"
reservation = 0.2

[issues.share_of_the_contested_territory]
label = "Share of the contested territory handed over to the first party"
range = [0.0, 1.0]
steps = 6

[issues.security_arrangement]
label = "Security arrangement after the ceasefire"
levels = [{levels}]

[issues.money]
label = "Reconstruction money"
range = [0.0, 100.0]
steps = 3
unit = "$bn"

[payoffs.a]
weights = {{ share_of_the_contested_territory = 0.5, security_arrangement = 0.3, money = 0.2 }}
share_of_the_contested_territory = {{ points = [[0.0, 0.0], [1.0, 1.0]] }}
security_arrangement = {{ {values} }}
money = {{ points = [[0.0, 0.0], [100.0, 1.0]] }}

[payoffs.b]
weights = {{ share_of_the_contested_territory = 0.6, security_arrangement = 0.3, money = 0.1 }}
share_of_the_contested_territory = {{ points = [[0.0, 1.0], [1.0, 0.0]] }}
security_arrangement = {{ {values} }}
money = {{ points = [[0.0, 1.0], [100.0, 0.0]] }}
"""
    path = tmp_path_factory.mktemp("crowded") / "crowded.toml"
    path.write_text(text, encoding="utf-8")
    return dealsim.load(str(path))


def _drawn(fig):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "axes sizes collapsed to zero" is a UserWarning
        fig.canvas.draw()
    return fig


def _fraction(ax):
    box, fig = ax.get_window_extent(), ax.figure.bbox
    return box.width / fig.width, box.height / fig.height


def _inside_figure(fig):
    """Every text the figure draws lies inside it (nothing is cut off)."""
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    for ax in fig.axes:
        for text in (c for c in ax.get_children() if isinstance(c, Text)):
            if text.get_text() and text.get_visible():
                box = text.get_window_extent(renderer)
                assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, text.get_text()


def test_heatmap_keeps_its_width_with_many_parameters_and_long_levels(crowded):
    assert len(crowded.parameters) == 12
    ax = payoff_surface(
        crowded, "share_of_the_contested_territory", "security_arrangement", party="a"
    )
    fig = _drawn(ax.figure)
    width, height = _fraction(ax)
    assert width > 0.4 and height > 0.3
    _inside_figure(fig)
    # the twelve parameters are written, wrapped onto several lines above the Axes
    note = next(t for t in ax.texts if t.get_gid() == "parameters")
    assert PARAMETERS[-1] in note.get_text().replace("\n", " ")
    assert note.get_text().count("\n") >= 2
    # long level names are wrapped at their spaces (underscores shown as spaces)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[2].replace("\n", " ") == "multilateral guarantee with european guarantors"
    assert all(text_width(line, 9) <= 1.3 for label in labels for line in label.splitlines())


def test_cell_values_only_where_they_fit(crowded):
    # 6 x 6 cells on the default figure: a value fits its cell
    ax = payoff_surface(
        crowded, "share_of_the_contested_territory", "security_arrangement", party="a"
    )
    assert len([t for t in ax.texts if t.get_gid() == "value"]) == 36
    # the same grid squeezed into a quarter of a small figure: no values by default
    import matplotlib.pyplot as plt

    _, axes = plt.subplots(2, 2, figsize=(6, 5), layout="constrained")
    ax = payoff_surface(
        crowded,
        "share_of_the_contested_territory",
        "security_arrangement",
        party="a",
        ax=axes[0, 0],
    )
    assert not [t for t in ax.texts if t.get_gid() == "value"]


@pytest.mark.parametrize(
    ("kind", "y"), [("contour", "security_arrangement"), ("3d", "money")]
)  # 3-D only over two numeric issues
def test_other_surface_kinds_keep_their_size(crowded, kind, y):
    ax = payoff_surface(crowded, "share_of_the_contested_territory", y, party="b", kind=kind)
    _drawn(ax.figure)
    assert _fraction(ax)[0] > 0.4


def test_zone_map_and_utility_space_keep_their_size(crowded):
    for ax in (
        agreement_zone_map(crowded, "security_arrangement", "share_of_the_contested_territory"),
        utility_space(crowded),
    ):
        fig = _drawn(ax.figure)
        width, height = _fraction(ax)
        assert width > 0.45 and height > 0.3
        _inside_figure(fig)


def test_slanted_x_labels_when_long_level_names_do_not_fit(crowded):
    ax = agreement_zone_map(crowded, "security_arrangement", "share_of_the_contested_territory")
    # six levels of ~40 characters cannot sit side by side under 8 inches: wrapped, and the
    # longest single words still fit, so they stay upright
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert all("\n" in label for label in labels)
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {0.0}


def test_three_party_panels_each_keep_a_fifth_of_the_width():
    scenario = dealsim.load("donbas-2026")
    fig = _drawn(utility_space_pairs(scenario))
    assert len(fig.axes) == 3
    for ax in fig.axes:
        width, height = _fraction(ax)
        assert width > 0.2 and height > 0.5
    _inside_figure(fig)
    # the parameters are written once for the figure, not once per panel
    assert f"russia_win={scenario.parameters['russia_win']:.4g}" in fig.get_suptitle()
    assert not [t for ax in fig.axes for t in ax.texts if t.get_gid() == "parameters"]


def test_threshold_labels_move_to_a_key_when_bands_are_narrow():
    long = "security_guarantee=bilateral_assurances, equal_withdrawal=false, donbas_ceded=0.5"
    xs = [i / 10 for i in range(11)]
    # the long outcome holds on (0.45, 0.55) only: too narrow for its label, so every band is
    # numbered and the labels go into a key under the Axes
    outcomes = ["a=1"] * 5 + [long] + ["b=2"] * 5
    ax = threshold_plot(xs, outcomes, parameter="g")
    _drawn(ax.figure)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "outcome"] == ["1", "2", "3"]
    key = [t.get_text().replace("\n", " ") for t in ax.get_legend().get_texts()]
    assert key == ["1: a=1", "2: " + long.replace("_", " "), "3: b=2"]
    # wide bands keep their labels inside
    ax = threshold_plot(xs, ["a=1"] * 5 + ["b=2"] * 6, parameter="g")
    assert [t.get_text() for t in ax.texts if t.get_gid() == "outcome"] == ["a=1", "b=2"]
    assert ax.get_legend() is None


@given(
    st.lists(st.text(alphabet="abcdefghij=_.", min_size=1, max_size=14), min_size=1, max_size=25),
    st.floats(min_value=0.3, max_value=6.0),
)
def test_wrapping_keeps_every_word_and_fits_each_line(words, width):
    text = " ".join(words)
    wrapped = wrap_to_width(text, width, 9)
    assert wrapped.split() == text.split()  # same words, same order
    for line in wrapped.splitlines():
        # a line is too wide only when it is one word that cannot be broken
        assert text_width(line, 9) <= width + 1e-9 or " " not in line
