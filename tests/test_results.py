"""Solve results as tables: pandas frames, notebook HTML and a console summary of one screen."""

import sys
from pathlib import Path

import pytest

import dealsim
from dealsim.errors import MissingDependencyError

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def split():
    return dealsim.solve(dealsim.load("split-linear"))


@pytest.fixture(scope="module")
def donbas():
    return dealsim.solve(dealsim.load("donbas-2026"))


def test_solve_frame_has_one_row_per_solution_with_terms_and_utilities(split):
    frame = split.to_frame()
    assert frame.index.tolist() == list(split.solutions)
    assert frame.columns.tolist() == ["index", "deal.share", "utilities.a", "utilities.b"]
    # Nash (1950) with d = (0.45, 0.30) on a unit split: x = 0.575 (models.md, section 4).
    assert frame.loc["nash"].tolist() == pytest.approx([115, 0.575, 0.575, 0.425], rel=1e-12, abs=0)
    assert frame.loc["utilitarian", "utilities.a"] + frame.loc["utilitarian", "utilities.b"] == 1


def test_solve_frame_matches_the_json_document(donbas):
    frame = donbas.to_frame()
    document = donbas.to_dict()["solutions"]
    for name, solution in document.items():
        assert frame.loc[name, "index"] == solution["index"]
        for issue, value in solution["deal"].items():
            assert frame.loc[name, f"deal.{issue}"] == value
        for party, value in solution["utilities"].items():
            assert frame.loc[name, f"utilities.{party}"] == pytest.approx(value, rel=1e-12, abs=0)


def test_an_empty_zone_gives_rows_of_missing_values(tmp_path):
    text = Path(dealsim.load("split-linear").file).read_text()
    text = text.replace("reservation = 0.45", "reservation = 0.95")
    path = tmp_path / "empty.toml"
    path.write_text(text)
    result = dealsim.solve(dealsim.load(path))
    frame = result.to_frame()
    assert result.agreement_zone.empty
    assert len(frame) == 5 and frame.isna().all().all()
    assert "no agreement" in repr(result)


def test_frontier_frame_is_indexed_by_deal_and_matches_the_frontier(split):
    frontier = split.pareto_frontier
    frame = frontier.to_frame()
    assert frame.index.name == "index"
    assert frame.index.tolist() == list(frontier.indices)
    assert frame["deal.share"].tolist() == [d["share"] for d in frontier.deals]
    # On a linear split every zone deal is Pareto optimal: u_a + u_b = 1.
    assert ((frame["utilities.a"] + frame["utilities.b"]) - 1).abs().max() < 1e-12


def test_repr_is_a_short_summary_not_a_dataclass_dump(donbas):
    text = repr(donbas)
    lines = text.splitlines()
    assert len(lines) <= 10 and max(map(len, lines)) <= 100
    assert "agreement_zone=" not in text
    assert lines[1].startswith(f"  3 parties, 7200 deals; zone {donbas.agreement_zone.size} deals")
    assert repr(donbas.pareto_frontier) == f"<FrontierSummary: {donbas.pareto_frontier.size} deals>"


def test_html_repr_is_a_table_of_the_solutions(split):
    page = split._repr_html_()
    assert page.startswith('<table class="dealsim">')
    assert page.count("<tr>") == 1 + len(split.solutions)
    assert "<th>nash</th><td>0.575</td><td>0.575</td><td>0.425</td>" in page
    assert split.pareto_frontier._repr_html_().count("<tr>") == 1 + split.pareto_frontier.size


def test_to_frame_without_pandas_names_the_extra(split, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'dealsim\[pandas\]'"):
        split.to_frame()
