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
        (["donbas-2026", "threshold"], "--param NAME (parameters with a range: credibility"),
        (["split-linear", "zone"], "needs two issues"),
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
