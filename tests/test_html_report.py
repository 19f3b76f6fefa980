"""The HTML report: self-contained, every figure embedded, and it renders in a real browser."""

import base64
import re
import shutil
import subprocess

import numpy as np
import pytest

import dealsim
from dealsim.cli import main
from dealsim.html_report import main_issues, render_html_report

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def page():
    return render_html_report(dealsim.load("logroll"))


def test_report_embeds_every_figure_and_the_text(page):
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    # utility space, zone map, payoff surfaces, smallest gain (logroll has no parameters)
    assert len(images) == 4
    assert all(base64.b64decode(data)[:4] == b"\x89PNG" for data in images)
    assert "Zone of possible agreement" in page and "<pre>" in page
    assert "http://" not in page and "https://" not in page  # nothing to fetch


def test_main_issues_are_the_heaviest_weighted():
    # logroll: x weighs 0.8 + 0.2, y weighs 0.2 + 0.8: tied, file order kept
    assert main_issues(dealsim.load("logroll")) == ["x", "y"]


def test_report_command_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "r.html"
    out.write_text("mine")
    assert main(["report", "logroll", "-o", str(out)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert out.read_text() == "mine"


@pytest.mark.skipif(BROWSER is None, reason="no chromium installed (CI installs Debian's)")
def test_report_renders_in_headless_chromium(tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", "logroll", "-o", str(out)]) == 0
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,2000",
            out.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    import matplotlib.image

    pixels = (matplotlib.image.imread(shot)[..., :3] * 255).round().astype(int)
    # The decoded figures are on screen: party A's blue and party B's orange (Okabe–Ito) appear.
    for colour in ((0x00, 0x72, 0xB2), (0xE6, 0x9F, 0x00)):
        near = np.abs(pixels - np.array(colour)).max(axis=-1) <= 12
        assert near.sum() > 50, colour


def test_donbas_report_has_a_figure_per_deal_changing_parameter_and_one_per_game():
    from dealsim.html_report import _figures

    scenario = dealsim.load("donbas-2026")
    entries = _figures(scenario, dealsim.solve(scenario))
    headings = [heading for heading, _, draw in entries if draw is not None]
    # the Nash deal changes along credibility, russia_win and the two war costs; it is the
    # same deal over fortress_risk's whole range, which a sentence reports instead of a figure
    assert [h for h in headings if h.startswith("Threshold")] == [
        "Threshold: credibility",
        "Threshold: russia_win",
        "Threshold: war_cost_ukraine",
        "Threshold: war_cost_russia",
    ]
    text = {heading: caption for heading, caption, draw in entries if draw is None}
    assert "fortress_risk (0 to 0.25)" in text["Parameters that do not change the deal"]
    assert [h for h in headings if h.startswith("Game")] == [
        "Game: guarantees_first",
        "Game: territory_first",
        "Game: accept_nash",
        "Game: which_deal",
    ]
