"""Sweep and Monte Carlo results as pandas frames: one row per point or sample."""

import numpy as np
import pytest

import dealsim
from dealsim.uncertainty.montecarlo import monte_carlo
from dealsim.uncertainty.sweep import sweep

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def donbas():
    return dealsim.load("donbas-2026")


def test_sweep_frame_has_one_row_per_point_and_parameters_as_columns(donbas):
    result = sweep(donbas, {"fortress_risk": [0.05, 0.15, 0.25]}, workers=1, progress=False)
    frame = result.to_frame()
    assert frame.index.tolist() == [0, 1, 2]
    assert frame["fortress_risk"].tolist() == [0.05, 0.15, 0.25]
    assert frame.columns[0] == "fortress_risk"
    for (_, row), record in zip(frame.iterrows(), result.records, strict=True):
        assert row["zone_size"] == record["agreement_zone"]["size"]
        assert row["agreement"] == (not record["agreement_zone"]["empty"])
        nash = record["solutions"]["nash"]
        assert row["nash.index"] == nash["index"]
        assert row["nash.utilities.us"] == nash["utilities"]["us"]
        assert row["nash.deal.security_guarantee"] == nash["deal"]["security_guarantee"]
        for name, value in record["parameters"].items():
            assert row[name] == value


def test_sweep_frame_reads_back_like_the_csv_stream(donbas, tmp_path):
    path = tmp_path / "sweep.csv"
    result = sweep(donbas, {"fortress_risk": [0.05, 0.25]}, workers=1, output=path, progress=False)
    streamed = pd.read_csv(path, comment="#")
    assert (
        streamed["parameters.fortress_risk"].tolist() == result.to_frame()["fortress_risk"].tolist()
    )


def test_montecarlo_frame_has_one_row_per_sample_with_decoded_deals(donbas):
    mc = monte_carlo(donbas, samples=64, seed=5, workers=1, progress=False)
    frame = mc.to_frame()
    assert frame.index.tolist() == list(range(64))
    assert float(frame["agreement"].mean()) == mc.p_agreement
    assert float(frame["zone_size"].mean()) == pytest.approx(mc.zone_size["mean"], rel=1e-12, abs=0)
    space = dealsim.solve(donbas).deal_space
    for name in ("fortress_risk", "russia_win"):
        assert frame[name].notna().all()
    # Every decoded Nash deal agrees with its flat index (row-major over the issues).
    sizes = [issue["size"] for issue in space["issues"].values()]
    for _, row in frame[frame["agreement"]].iterrows():
        codes = np.unravel_index(int(row["nash.index"]), sizes)
        for code, (issue, spec) in zip(codes, space["issues"].items(), strict=True):
            if "levels" in spec:
                assert row[f"nash.deal.{issue}"] == spec["levels"][code]
    # The frequencies of the summary are the frame's value counts.
    summary = mc.solutions["nash"]["issues"]["security_guarantee"]["frequencies"]
    counts = frame["nash.deal.security_guarantee"].value_counts(normalize=True)
    assert {k: pytest.approx(v) for k, v in summary.items()} == counts.to_dict()


def test_montecarlo_table_stays_out_of_the_json_document(donbas):
    mc = monte_carlo(donbas, samples=8, seed=1, workers=1, progress=False)
    assert "table" not in mc.to_dict()
    assert repr(mc).startswith("<MonteCarloResult 'Donbas 2026") and "\n" not in repr(mc)
    assert mc._repr_html_().count("<tr>") == 1 + len(mc.robust_deals)
