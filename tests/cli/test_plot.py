"""``dealsim plot``: every kind, output formats, overwrite protection, clear errors."""

import pytest

from dealsim.cli import main


@pytest.mark.parametrize(
    ("args", "suffix"),
    [
        (["donbas-2026", "zone", "--x", "donbas_ceded", "--y", "security_guarantee"], ".png"),
        (["donbas-2026", "surface", "--party", "ukraine"], ".svg"),
        (["logroll", "surface", "--measure", "nash_product", "--style", "contour"], ".pdf"),
        (["donbas-2026", "frontier"], ".png"),
        (["split-linear", "frontier"], ".png"),
        (["donbas-2026", "threshold", "--param", "fortress_risk"], ".png"),
    ],
)
def test_plot_writes_the_file_by_suffix(tmp_path, args, suffix):
    out = tmp_path / f"fig{suffix}"
    assert main(["plot", *args, "-o", str(out)]) == 0
    head = out.read_bytes()[:8]
    assert {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix] in head


def test_plot_never_overwrites_without_force(tmp_path, capsys):
    out = tmp_path / "z.png"
    out.write_bytes(b"mine")
    assert main(["plot", "logroll", "zone", "-o", str(out)]) == 2
    assert "already exists; pass --force" in capsys.readouterr().err
    assert out.read_bytes() == b"mine"
    assert main(["plot", "logroll", "zone", "-o", str(out), "--force"]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["logroll", "zone", "--x", "z"], "unknown issue 'z' (allowed: x, y)"),
        (["logroll", "surface", "--party", "c"], "unknown party 'c' (allowed: a, b)"),
        (["logroll", "tree", "--game", "g"], "declares no games"),
        (["logroll", "matrix"], "declares no games"),
        (["logroll", "trace", "--agents", "boulware"], "give one per party"),
        (["logroll", "trace", "--agents", "boulware,stubborn"], "unknown agent 'stubborn'"),
        (
            ["donbas-2026", "threshold"],
            "one --param NAME (parameters with a range: audience_cost_max",
        ),
        (["split-linear", "zone"], "needs two issues"),
        (
            ["logroll", "surface", "--measure", "nash_product", "--party", "a"],
            "measure 'nash_product' combines every party; a party ('a') goes with measure "
            "'utility' only",
        ),
    ],
)
def test_plot_errors_are_one_clear_line(tmp_path, capsys, args, message):
    assert main(["plot", *args, "-o", str(tmp_path / "f.png")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unknown_suffix_is_refused(tmp_path, capsys):
    assert main(["plot", "logroll", "zone", "-o", str(tmp_path / "f.jpg")]) == 2
    assert "allowed: .png, .svg, .pdf" in capsys.readouterr().err


def test_plot_trace_simulates_and_draws_the_offers(tmp_path):
    out = tmp_path / "trace.png"
    assert (
        main(
            [
                "plot",
                "split-linear",
                "trace",
                "--agents",
                "boulware,conceder",
                "--rounds",
                "20",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "args",
    [
        ["donbas-2026", "sweep", "--param", "russia_win=0.15:0.65:3"],
        [
            "donbas-2026",
            "sweep",
            "--param",
            "war_cost_ukraine=0.05,0.25",
            "--param",
            "russia_win=0.2,0.6",
        ],
        [
            "donbas-2026",
            "sweep",
            "--param",
            "audience_cost_max=0.02,0.3",
            "--game",
            "territory_first",
        ],
        ["donbas-2026", "montecarlo", "--samples", "40", "--seed", "3"],
        ["donbas-2026", "tornado", "--output-key", "nash.utilities.ukraine"],
        ["donbas-2026", "sobol", "--samples", "16"],
        ["donbas-2026", "threshold", "--param", "audience_cost_max", "--game", "territory_first"],
    ],
    ids=["sweep", "sweep-2d", "sweep-game", "montecarlo", "tornado", "sobol", "threshold-game"],
)
def test_uncertainty_kinds_write_a_figure(tmp_path, args):
    out = tmp_path / "fig.png"
    assert main(["plot", *args, "-o", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_threshold_game_draws_the_switch_solve_reports(monkeypatch, tmp_path):
    # the figure's switch is solve's threshold for the game, not a Nash-deal sweep's
    import dealsim
    import dealsim.cli.plot as cli_plot
    from dealsim.analysis.games import games_analysis

    scenario = dealsim.load("donbas-2026")
    name = scenario.games["territory_first"].thresholds[0]
    reported = games_analysis(scenario).games["territory_first"]["thresholds"][name]
    seen = {}
    monkeypatch.setattr(cli_plot, "save_figure", lambda fig, *a, **k: seen.setdefault("fig", fig))
    argv = ["plot", "donbas-2026", "threshold", "--param", name, "--game",
            "territory_first", "-o", str(tmp_path / "t.png")]  # fmt: skip
    assert main(argv) == 0
    ax = seen["fig"].axes[0]
    switches = [t.get_text() for t in ax.texts if t.get_gid() == "switch"]
    assert switches == [f"{name} = {t['value']:.3g}" for t in reported]
    outcomes = {"+".join(t[side]["outcomes"]) for t in reported for side in ("below", "above")}
    assert {p.get_gid() for p in ax.patches} >= {f"run:{o}" for o in outcomes}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["logroll", "surface", "--game", "g"], "--game does nothing for surface"),
        (["logroll", "zone", "--samples", "5"], "--samples does nothing for zone"),
        (["donbas-2026", "tornado", "--seed", "2"], "--seed does nothing for tornado"),
        (["logroll", "frontier", "--rounds", "3"], "--rounds does nothing for frontier"),
        (["donbas-2026", "sweep"], "sweep needs --param NAME=LO:HI:N"),
        (
            ["donbas-2026", "threshold", "--param", "russia_win", "--game", "accept_nash"],
            "normal-form game",
        ),
        (
            ["donbas-2026", "threshold", "--param", "russia_win", "--game", "nope"],
            "unknown game 'nope'",
        ),
    ],
)
def test_an_option_the_kind_would_ignore_is_refused(tmp_path, capsys, args, message):
    assert main(["plot", *args, "-o", str(tmp_path / "f.png")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_trace_of_three_parties_shows_every_party(monkeypatch, tmp_path):
    import dealsim.cli.plot as cli_plot

    seen = {}
    monkeypatch.setattr(cli_plot, "save_figure", lambda fig, *a, **k: seen.setdefault("fig", fig))
    argv = ["plot", "donbas-2026", "trace", "--rounds", "6", "-o", str(tmp_path / "t.png")]
    assert main(argv) == 0
    axes = seen["fig"].axes
    assert len(axes) == 4  # the three pairs of parties and the timeline
    labels = " ".join(ax.get_xlabel() + " " + ax.get_ylabel() for ax in axes[:3])
    for party in ("United States", "Ukraine", "Russia"):
        assert party in labels
