"""The text report: the answer first, in the scenario's words, without float noise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dealsim
from dealsim.report import render_report, solution_groups, summary, tied_deals
from dealsim.scenario import loads
from strategies import split_toml


@pytest.fixture(scope="module")
def donbas():
    return dealsim.solve(dealsim.load("donbas-2026"))


@pytest.fixture(scope="module")
def split():
    return dealsim.solve(dealsim.load("split-linear"))


def test_summary_comes_before_the_detail(donbas):
    lines = render_report(donbas).splitlines()
    assert lines[2] == "Summary"
    assert (
        lines.index("Summary") < lines.index("Details") < lines.index("Zone of possible agreement")
    )


def test_summary_names_the_zone_the_deal_in_labels_and_who_blocks(donbas):
    # values are read from the result (the Donbas file changes as the case is revised)
    text = render_report(donbas)
    head = text[: text.index("Details")]
    zone = donbas.agreement_zone
    assert f"{zone.size:,} of the {zone.feasible:,} feasible deals" in head
    nash = donbas.solutions["nash"]
    label = donbas.deal_space["issues"]["donbas_ceded"]["label"]
    assert f"{label}: {nash.deal['donbas_ceded']:.4g} share" in head
    utilities = ", ".join(
        f"{donbas.party_labels[p]} {nash.utilities[p]:.4g}" for p in donbas.parties
    )
    assert f"utilities: {utilities}" in head
    worst = max(donbas.parties, key=lambda p: zone.blocking[p])
    assert (
        f"{donbas.party_labels[worst]}: alone blocks {zone.blocking[worst]:,}; "
        f"rejects {zone.rejecting[worst]:,} in all"
    ) in head
    games = donbas.analyses["games"].to_dict()
    outcome = next(iter(games["territory_first"]["outcomes"])).replace("_", " ")
    assert f"{games['territory_first']['label']} → {outcome}" in head
    assert "fez_neutral_force" not in head and "(donbas_ceded)" not in head


def test_one_issue_is_singular(split):
    assert "201 deals over 1 issue\n" in render_report(split)


def test_coinciding_solutions_share_one_column(split):
    assert solution_groups(split) == [
        ["nash", "weighted_nash", "kalai_smorodinsky", "egalitarian"],
        ["utilitarian"],
    ]
    text = render_report(split)
    table_head = text[text.index("Bargaining solutions") :].splitlines()[4:8]  # after the models
    assert table_head[0].split() == ["Nash", "Utilitarian"]
    assert [line.strip() for line in table_head[1:]] == [
        "= Weighted Nash",
        "= Kalai-Smorodinsky",
        "= Egalitarian",
    ]


@pytest.mark.parametrize("scale", [1e-9, 1e-3, 1.0, 1e3, 1e9])
@pytest.mark.parametrize(("gap", "share", "ties"), [(5e-7, 0.505, 1), (5e-8, 0.5, 2)])
def test_nash_ties_do_not_depend_on_the_units_of_the_utilities(scale, gap, share, ties):
    # a's reservation 0.005 + gap puts the Nash optimum just off the midpoint of the grid deals
    # 0.5 and 0.505: their log products differ by 1.0e-8 (gap 5e-7) or 1.0e-9 (gap 5e-8), against
    # a tie within 1e-9 x 2 parties, as the solve's (whose tie-break picks 0.5 when they tie).
    # The tolerance was 1e-9 x |log product|, which the units shift (-1.4 at scale 1, -42.8 at
    # 1e-9, +40 at 1e9): gap 5e-7 tied 1 deal at scale 1 and 2 at the others.
    toml = split_toml(a=f"reservation = {(0.005 + gap) * scale!r}\n", b="reservation = 0.0\n")
    toml = toml.replace("weights = { share = 1 }", f"weights = {{ share = {scale!r} }}")
    result = dealsim.solve(loads(toml), analyses=False)
    assert result.solutions["nash"].deal == {"share": share}
    assert tied_deals(result, "nash") == tied_deals(result, "weighted_nash") == ties


def test_utilitarian_on_a_constant_sum_split_is_reported_as_a_tie(split):
    # u_A + u_B = share + (1 - share) = 1 on every deal: all 51 zone deals tie.
    assert tied_deals(split, "utilitarian") == 51
    assert tied_deals(split, "nash") == 1
    facts = summary(split)
    assert facts["deals"][1]["ties"] == 51 and facts["deals"][0]["ties"] == 1
    assert "one of 51 frontier deals that tie on the total utility" in render_report(split)


def test_no_float_noise_anywhere_in_the_text(split, donbas):
    for result in (split, donbas):
        assert not re.search(r"\d\.\d*0000000\d|\d\.\d*9999999\d", render_report(result))


MODELS_MD = (Path(__file__).parents[1] / "docs" / "models.md").read_text(encoding="utf-8")


def test_the_solutions_block_names_each_model_with_its_source(split):
    lines = render_report(split).splitlines()
    at = lines.index("Bargaining solutions (over the zone; the best deal on the grid)")
    block = " ".join(line.strip() for line in lines[at + 1 : at + 4])
    assert block.startswith("models: ")
    for model, source in [
        ("Nash", "Nash 1950"),
        ("Kalai-Smorodinsky", "Kalai & Smorodinsky 1975"),
        ("egalitarian", "Kalai 1977"),
    ]:
        assert f"{model} ({source})" in block
    assert "weighted Nash, the parties' powers as exponents" in block
    assert "utilitarian, the largest total utility" in block
    # the same sources as docs/models.md's table of solutions
    for cited in ("Nash 1950", "1975 [kalai1975]", "Kalai 1977"):
        assert cited in MODELS_MD
