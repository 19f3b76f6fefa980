"""Sobol estimator on functions with known indices; tornado and Sobol on scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import dealsim
from dealsim.analysis.batch import batch_solve
from dealsim.cli import main
from dealsim.errors import DealsimError
from dealsim.uncertainty.sensitivity import (
    output_keys,
    scalar_output,
    sobol_indices,
    sobol_sensitivity,
    tornado,
)

THRESHOLD = Path(__file__).parents[1] / "data" / "threshold.toml"


def _saltelli(f, a, b):
    ab = [np.where(np.arange(a.shape[1]) == i, b, a) for i in range(a.shape[1])]
    return sobol_indices(f(a), f(b), [f(m) for m in ab])


def _ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_indices_match_their_known_values():
    # Ishigami & Homma (1990), a = 7, b = 0.1, X_i ~ U(-pi, pi): V = a^2/8 + b pi^4/5 +
    # b^2 pi^8/18 + 1/2; S1 = (1 + b pi^4/5)^2 / (2V) = 0.3139, S2 = a^2/(8V) = 0.4424, S3 = 0;
    # totals ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437. With N = 2^17 the estimators' standard
    # errors are below 0.005, so 0.015 is three of them.
    rng = np.random.default_rng(2024)
    a, b = rng.uniform(-np.pi, np.pi, size=(2, 1 << 17, 3))
    first, total = _saltelli(_ishigami, a, b)
    assert_allclose(first, [0.3139, 0.4424, 0.0], atol=0.015)
    assert_allclose(total, [0.5576, 0.4424, 0.2437], atol=0.015)


def test_linear_model_indices_are_squared_weight_shares():
    # Y = X1 + 2 X2 + 0 X3, X ~ U(0,1)^3: additive, so S_i = ST_i = c_i^2 / sum c^2 = (1/5, 4/5, 0)
    rng = np.random.default_rng(3)
    a, b = rng.random((2, 50_000, 3))
    first, total = _saltelli(lambda x: x @ np.array([1.0, 2.0, 0.0]), a, b)
    assert_allclose(first, [0.2, 0.8, 0.0], atol=0.02)
    assert_allclose(total, [0.2, 0.8, 0.0], atol=0.02)
    assert total[2] == 0.0  # an input the model ignores: f(A) == f(AB_3) exactly


def test_constant_model_has_zero_indices():
    first, total = sobol_indices(np.ones(5), np.ones(5), np.ones((2, 5)))
    assert first.tolist() == [0.0, 0.0] and total.tolist() == [0.0, 0.0]


def test_sobol_indices_reject_mismatched_shapes():
    with pytest.raises(DealsimError, match=r"f_ab of shape \(p, N\)"):
        sobol_indices(np.ones(5), np.ones(5), np.ones((2, 4)))


@pytest.fixture(scope="module")
def threshold():
    return dealsim.load(THRESHOLD)


def test_tornado_swings_agreement_fully_on_p_and_not_on_bonus(threshold):
    # p at 0 -> zone non-empty; p at 0.8 -> empty (k = 0 at its value): swing 1.
    # bonus and g never change whether the zone is empty: swing 0; k in [0, 0.1] at p = 0.4: 0.
    result = tornado(threshold, "agreement")
    bars = {bar["parameter"]: bar for bar in result.bars}
    assert result.bars[0]["parameter"] == "p"
    assert (bars["p"]["output_low"], bars["p"]["output_high"], bars["p"]["swing"]) == (1, 0, 1)
    assert bars["bonus"]["swing"] == 0 and bars["g"]["swing"] == 0 and bars["k"]["swing"] == 0
    assert (bars["bonus"]["low"], bars["bonus"]["high"]) == (0.0, 0.2)
    assert result.base == 1.0


def test_tornado_utility_matches_batch_solve_at_the_range_ends(threshold):
    result = tornado(threshold, "weighted_nash.utilities.a")
    g = next(bar for bar in result.bars if bar["parameter"] == "g")
    ends = batch_solve(threshold, {"g": [0.5, 2.0]})
    assert_allclose([g["output_low"], g["output_high"]], ends.utilities["weighted_nash"][:, 0])


def test_sobol_of_agreement_puts_no_total_effect_on_irrelevant_parameters(threshold):
    result = sobol_sensitivity(threshold, "agreement", samples=512, seed=1)
    assert result.total["bonus"] == 0.0 and result.total["g"] == 0.0
    assert result.first_order["p"] > 0.5 and result.total["p"] > result.total["k"] > 0


def test_utility_without_agreement_is_the_reservation(threshold):
    batch = batch_solve(threshold, {"p": [0.3, 0.8]})  # the second draw has no zone
    assert batch.solutions["nash"].tolist()[1] == -1
    utilities = scalar_output(threshold, batch, "nash.utilities.b")
    assert utilities[1] == 0.8


def test_deal_term_without_agreement_is_an_error(threshold):
    batch = batch_solve(threshold, {"p": [0.3, 0.8]})
    with pytest.raises(DealsimError, match="undefined in samples without an agreement"):
        scalar_output(threshold, batch, "nash.deal.share")


def test_unknown_output_key_lists_the_allowed_ones(threshold):
    with pytest.raises(DealsimError, match="unknown output key 'zone' \\(allowed: zone_size"):
        tornado(threshold, "zone")
    assert "kalai_smorodinsky.deal.share" in output_keys(threshold)


def test_sensitivity_cli_json(capsys):
    argv = ["sensitivity", "donbas-2026", "--output-key", "nash.utilities.ukraine",
            "--samples", "64", "--format", "json"]  # fmt: skip
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["tornado"]["output_key"] == "nash.utilities.ukraine"
    assert {"audience_cost_max", "fortress_risk"} <= set(document["sobol"]["first_order"])
    assert document["dealsim_version"] == dealsim.__version__
    assert document["scenario"]["sha256"] == dealsim.load("donbas-2026").sha256


# --------------------------------------------------------------------------------------------
# quasi-random design, agreement with scipy, intervals and plain warnings


def test_estimator_agrees_with_scipy_sobol_indices_on_the_same_evaluations():
    from scipy.stats import sobol_indices as scipy_sobol

    from dealsim.uncertainty.distributions import ParameterDistribution
    from dealsim.uncertainty.sensitivity import sobol_design

    dists = {k: ParameterDistribution("uniform", bounds=(-np.pi, np.pi)) for k in "xyz"}
    a, b = sobol_design(dists, 1 << 12, seed=5)
    a, b = np.column_stack(list(a.values())), np.column_stack(list(b.values()))
    ab = [np.where(np.arange(3) == i, b, a) for i in range(3)]
    f_a, f_b, f_ab = _ishigami(a), _ishigami(b), np.array([_ishigami(m) for m in ab])
    ours = sobol_indices(f_a, f_b, f_ab)
    theirs = scipy_sobol(
        func={"f_A": f_a[None], "f_B": f_b[None], "f_AB": f_ab[:, None]}, n=1 << 12
    )
    assert_allclose(ours[0], theirs.first_order.ravel(), rtol=1e-12)
    assert_allclose(ours[1], theirs.total_order.ravel(), rtol=1e-12)


def test_quasi_random_design_recovers_ishigami_with_far_fewer_samples():
    # Same known values as above, from 2^13 Sobol' points instead of 2^17 random ones.
    from dealsim.uncertainty.distributions import ParameterDistribution
    from dealsim.uncertainty.sensitivity import sobol_design

    dists = {k: ParameterDistribution("uniform", bounds=(-np.pi, np.pi)) for k in "xyz"}
    a, b = sobol_design(dists, 1 << 13, seed=11)
    a, b = np.column_stack(list(a.values())), np.column_stack(list(b.values()))
    first, total = _saltelli(_ishigami, a, b)
    assert_allclose(first, [0.3139, 0.4424, 0.0], atol=0.015)
    assert_allclose(total, [0.5576, 0.4424, 0.2437], atol=0.015)


def test_sobol_design_refuses_a_sample_size_that_is_not_a_power_of_two():
    from dealsim.uncertainty.distributions import ParameterDistribution
    from dealsim.uncertainty.sensitivity import sobol_design

    with pytest.raises(DealsimError, match="power of two >= 2, got 12"):
        sobol_design({"x": ParameterDistribution("uniform", bounds=(0.0, 1.0))}, 12, seed=0)


def test_choice_parameters_are_drawn_with_their_weights():
    from dealsim.uncertainty.distributions import ParameterDistribution
    from dealsim.uncertainty.sensitivity import sobol_design

    choice = ParameterDistribution("choice", values=(1.0, 5.0), weights=(0.25, 0.75))
    a, _ = sobol_design({"c": choice}, 1 << 10, seed=3)
    assert set(a["c"].tolist()) == {1.0, 5.0}
    assert_allclose(np.mean(a["c"] == 1.0), 0.25, atol=0.01)


def test_a_small_sample_is_declared_unreadable_with_the_samples_to_ask_for(threshold):
    result = sobol_sensitivity(threshold, "agreement", samples=16, seed=0)
    assert not result.readable
    assert result.recommended_samples > 16
    assert result.recommended_samples & (result.recommended_samples - 1) == 0
    assert any(f"--samples {result.recommended_samples}" in w for w in result.warnings)


def test_samples_are_rounded_up_to_a_power_of_two_and_both_recorded(threshold):
    result = sobol_sensitivity(threshold, "agreement", samples=100, seed=0)
    assert (result.requested_samples, result.samples) == (100, 128)
    from dealsim.uncertainty.sensitivity import render_sensitivity

    assert "rounded up from 100 to a power of two" in render_sensitivity(
        tornado(threshold, "agreement"), result
    )


def test_intervals_contain_their_estimates_and_shrink_with_the_sample(threshold):
    small = sobol_sensitivity(threshold, "agreement", samples=64, seed=2)
    large = sobol_sensitivity(threshold, "agreement", samples=1024, seed=2)
    for res in (small, large):
        lo, hi = res.total_interval["p"]
        assert lo <= res.total["p"] <= hi
    width = lambda r: np.subtract(*r.total_interval["p"][::-1])  # noqa: E731
    assert width(large) < width(small) / 2


def test_first_order_above_total_is_never_printed_without_a_warning():
    # donbas-2026 at a small sample: whatever the estimates, every parameter printed with a
    # first-order index above its total is named in a warning line.
    from dealsim.uncertainty.sensitivity import render_sensitivity

    scenario = dealsim.load("donbas-2026")
    for seed in range(3):
        result = sobol_sensitivity(scenario, "zone_size", samples=32, seed=seed)
        text = render_sensitivity(tornado(scenario, "zone_size"), result)
        above = [k for k in result.first_order if result.first_order[k] > result.total[k]]
        for name in above:
            assert any(name in w and "above the total" in w for w in result.warnings)
        if above:
            assert "warning: first-order index above the total" in text


def test_a_constant_output_says_so(threshold):
    result = sobol_sensitivity(threshold, "feasible_size", samples=32, seed=0)
    assert result.warnings == ("the output does not vary over the samples: every index is 0",)
    assert result.readable


@given(offset=st.floats(-1e3, 1e3), scale=st.floats(1e-6, 1e6))
@settings(max_examples=25, deadline=None)
def test_indices_do_not_change_when_the_output_is_shifted_or_rescaled(offset, scale):
    # the shift is measured in the output's own scale (offset outputs' spreads)
    shift = offset * scale
    rng = np.random.default_rng(7)
    a, b = rng.random((2, 256, 3))
    f = lambda x: x @ np.array([1.0, 2.0, 0.5]) + x[:, 0] * x[:, 1]  # noqa: E731
    base = _saltelli(f, a, b)
    moved = _saltelli(lambda x: shift + scale * f(x), a, b)
    assert_allclose(moved, base, rtol=1e-6, atol=1e-9)
