"""Parameter distributions, the vectorised batch solver, Monte Carlo and sweeps."""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import dealsim
from batch_helpers import assert_same_batch, unpruned
from dealsim.analysis.batch import batch_solve
from dealsim.cli import main
from dealsim.errors import DealsimError, ScenarioError
from dealsim.results import SOLUTION_NAMES
from dealsim.scenario import loads
from dealsim.uncertainty.distributions import (
    ParameterDistribution,
    sample_parameters,
    uncertain_parameters,
)
from dealsim.uncertainty.montecarlo import monte_carlo
from dealsim.uncertainty.sweep import parse_grid, sweep

DATA = Path(__file__).parents[1] / "data"
THRESHOLD = DATA / "threshold.toml"
P_AGREEMENT = 0.25 * 0.5 / 0.8 + 0.75 * 0.6 / 0.8  # 0.71875, derived in threshold.toml


@pytest.fixture(scope="module")
def threshold():
    return dealsim.load(THRESHOLD)


@pytest.fixture(scope="module")
def donbas():
    return dealsim.load("donbas-2026")


def _within_binomial_ci(estimate: float, p: float, n: int, z: float = 3.29) -> bool:
    """|estimate - p| within z binomial standard errors (z = 3.29: two-sided 99.9%)."""
    return abs(estimate - p) <= z * math.sqrt(p * (1 - p) / n)


# ------------------------------------------------------------------------ scenario format

SPLIT = (Path(dealsim.load("split-linear").file)).read_text()


def _with_parameter(table: str) -> str:
    return SPLIT + "\n[parameters.p]\n" + table + "\n"


def test_plain_number_parameters_stay_valid_and_fixed():
    scenario = loads(SPLIT + "\n[parameters]\np = 0.3\n")
    assert scenario.parameters == {"p": 0.3}
    assert uncertain_parameters(scenario) == {}


def test_range_without_distribution_means_uniform_over_the_range(threshold):
    assert uncertain_parameters(threshold)["p"] == ParameterDistribution("uniform", (0.0, 0.8))


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        pytest.param(
            'value = 0.5\ndistribution = {kind = "normal", mean = 0.5, sd = -1}',
            "parameters.p.distribution.sd",
            "must be > 0",
            id="negative-sd",
        ),
        pytest.param(
            'value = 0.5\ndistribution = {kind = "normal", mean = 0.5}',
            "parameters.p.distribution.sd",
            "needs 'sd'",
            id="missing-sd",
        ),
        pytest.param(
            'value = 0.5\ndistribution = {kind = "beta", a = 1, b = 2, mean = 3}',
            "parameters.p.distribution.mean",
            "not a field of a 'beta' distribution",
            id="field-of-another-kind",
        ),
        pytest.param(
            'value = 0.5\ndistribution = {kind = "gamma"}',
            "parameters.p.distribution.kind",
            "'uniform', 'normal', 'beta', 'triangular' or 'choice'",
            id="unknown-kind",
        ),
        pytest.param(
            'value = 0.5\ndistribution = {kind = "choice", values = [1, 2], weights = [1]}',
            "parameters.p.distribution.weights",
            "one weight per value",
            id="weights-length",
        ),
        pytest.param(
            'value = 0.5\ndistribution = {kind = "triangular", mode = 3, bounds = [0, 1]}',
            "parameters.p.distribution.mode",
            "outside bounds",
            id="mode-outside",
        ),
        pytest.param(
            'value = 0.5\ndistribution = {kind = "uniform", bounds = [1, 0]}',
            "parameters.p.distribution.bounds",
            "lo < hi",
            id="bounds-reversed",
        ),
        pytest.param(
            'value = 0.5\ndistribution = {kind = "beta", a = 1, b = 2, sigma = 3}',
            "parameters.p.distribution.sigma",
            "unknown key",
            id="unknown-key",
        ),
    ],
)
def test_bad_distribution_error_names_the_field(table, field, message):
    with pytest.raises(ScenarioError) as info:
        loads(_with_parameter(table))
    assert info.value.field == field
    assert message in info.value.message


def test_uniform_without_bounds_or_range_is_an_error():
    with pytest.raises(ScenarioError, match=r"distribution\.bounds: a 'uniform' distribution"):
        loads(_with_parameter('value = 0.5\ndistribution = {kind = "uniform"}'))


# ------------------------------------------------------------------------ distributions

N_DRAWS = 40_000


@pytest.mark.parametrize(
    ("dist", "mean", "var"),
    [
        pytest.param(ParameterDistribution("uniform", (1.0, 3.0)), 2.0, 4 / 12, id="uniform"),
        # beta(2, 3) on [0.5, 2]: mean 0.5 + 1.5 * 2/5 = 1.1, var 1.5^2 * 6 / (25 * 6) = 0.09
        pytest.param(ParameterDistribution("beta", (0.5, 2.0), a=2, b=3), 1.1, 0.09, id="beta"),
        # triangular(0, 1, 4): mean 5/3, var (0 + 1 + 16 - 0 - 0 - 4) / 18 = 13/18
        pytest.param(
            ParameterDistribution("triangular", (0.0, 4.0), mode=1.0), 5 / 3, 13 / 18, id="tri"
        ),
        # normal truncated symmetrically keeps the mean; var 1 - 2 phi(1) / (Phi(1) - Phi(-1))
        pytest.param(
            ParameterDistribution("normal", (-1.0, 1.0), mean=0.0, sd=1.0),
            0.0,
            1 - 2 * 0.24197072451914337 / 0.6826894921370859,
            id="truncated-normal",
        ),
        pytest.param(
            ParameterDistribution("choice", values=(0.0, 1.0), weights=(0.25, 0.75)),
            0.75,
            0.1875,
            id="choice",
        ),
    ],
)
def test_draws_have_the_distribution_mean_and_variance(dist, mean, var):
    x = dist.sample(np.random.default_rng(7), N_DRAWS)
    assert abs(x.mean() - mean) <= 4 * math.sqrt(var / N_DRAWS)
    assert_allclose(x.var(), var, rtol=0.05)
    assert_allclose(dist.mean_value(), mean, atol=1e-12)
    if dist.bounds is not None:
        assert dist.bounds[0] <= x.min() and x.max() <= dist.bounds[1]


@given(start=st.integers(0, 900), length=st.integers(0, 300))
def test_draw_of_a_sample_depends_only_on_seed_and_index(start, length):
    scenario = dealsim.load(THRESHOLD)
    whole = sample_parameters(scenario, 0, 1200, seed=5)
    part = sample_parameters(scenario, start, start + length, seed=5)
    for name, values in part.items():
        assert np.array_equal(values, whole[name][start : start + length])


def test_fixed_parameters_repeat_their_value(donbas):
    scenario = loads(SPLIT + "\n[parameters]\nq = 0.3\n")
    assert sample_parameters(scenario, 0, 3, seed=0)["q"].tolist() == [0.3, 0.3, 0.3]


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_bad_seed_is_rejected(threshold, seed):
    with pytest.raises(DealsimError, match="seed must be a non-negative integer"):
        sample_parameters(threshold, 0, 1, seed=seed)


# ------------------------------------------------------------------------ batch solver


def _assert_batch_matches_solve(scenario, draws, batch):
    n = next(iter(draws.values())).size
    for s in range(n):
        point = {name: float(v[s]) for name, v in draws.items()}
        result = dealsim.solve(scenario, parameters=point)
        assert batch.zone_size[s] == result.agreement_zone.size
        assert batch.feasible_size[s] == result.agreement_zone.feasible
        for name in SOLUTION_NAMES:
            expected = result.solutions[name]
            if expected is None:
                assert batch.solutions[name][s] == -1
                continue
            assert batch.solutions[name][s] == expected.index, (s, name)
            assert_allclose(
                batch.utilities[name][s], list(expected.utilities.values()), rtol=0, atol=1e-12
            )


def test_batch_solutions_agree_with_solve_on_random_donbas_draws(donbas):
    draws = sample_parameters(donbas, 0, 40, seed=11)
    _assert_batch_matches_solve(donbas, draws, batch_solve(donbas, draws))


def test_batch_solutions_agree_with_solve_at_the_ends_of_the_ranges(donbas):
    # corners: ties and boundary cases are likeliest at the extremes
    draws = {
        "audience_cost_max": np.array([0.05, 0.05, 0.25, 0.25]),
        "fortress_risk": np.array([0, 0.25] * 2),
    }
    _assert_batch_matches_solve(donbas, draws, batch_solve(donbas, draws))


def test_batch_solutions_agree_with_solve_including_empty_zones(threshold):
    draws = sample_parameters(threshold, 0, 60, seed=3)
    batch = batch_solve(threshold, draws)
    assert (batch.zone_size == 0).any() and (batch.zone_size > 0).any()
    _assert_batch_matches_solve(threshold, draws, batch)


def test_zone_is_non_empty_exactly_when_p_is_below_the_threshold(threshold):
    # derived in threshold.toml: non-empty iff p <= 0.5 + k
    p = np.array([0.0, 0.5, 0.5 + 1e-6, 0.6, 0.6 + 1e-6, 0.8])
    k = np.array([0.0, 0.0, 0.0, 0.1, 0.1, 0.1])
    batch = batch_solve(threshold, {"p": p, "k": k})
    assert (batch.zone_size > 0).tolist() == [True, True, False, True, False, False]


def test_solution_frequencies_are_keyed_by_the_grid_values_without_binary_noise(threshold):
    # the share grid 0, 0.1, ..., 1 holds 0.6000000000000001 as a double; the key reads 0.6
    result = monte_carlo(threshold, samples=300, seed=0, workers=1, progress=False).to_dict()
    keys = {
        key
        for solution in result["solutions"].values()
        for key in solution["issues"]["share"]["frequencies"]
    }
    assert "0.6" in keys
    assert all(len(key) <= 4 for key in keys), sorted(keys)


def test_batch_of_unknown_parameter_is_rejected(threshold):
    with pytest.raises(DealsimError, match="unknown parameter 'q'"):
        batch_solve(threshold, {"q": [1.0]})


# --------------------------------------------- batch solver: classes of deals, pruning (issue 17)


def test_batch_evaluates_each_class_of_identical_deals_once(donbas):
    from dealsim.analysis.batch import _prepare
    from dealsim.space import DealSpace, UtilityModel

    draws = sample_parameters(donbas, 0, 50, seed=5)
    full = {
        k: np.broadcast_to(np.asarray(draws.get(k, v), float), (50,))
        for k, v in donbas.parameters.items()
    }
    space = DealSpace(donbas)
    prepared = _prepare(donbas, space, full, 50, 1e-9)
    # 1,860 feasible deals; the guarantee's timing is moot without a guarantee and a cession:
    # 1,530 classes of deals with the same utilities in every draw
    assert prepared.columns.size == 1860 and prepared.deals.size == 1530
    u = UtilityModel.from_scenario(donbas, full).utilities(space, space.codes(prepared.columns))
    representative = u[:, np.searchsorted(prepared.columns, prepared.deals)[prepared.inverse]]
    assert u.tobytes() == representative.tobytes()  # bit for bit, in every draw
    # each class is represented by its lowest flat index
    for c in range(prepared.deals.size):
        assert prepared.columns[prepared.inverse == c].min() == prepared.deals[c]


@given(seed=st.integers(0, 10**6), tol=st.sampled_from([0.0, 1e-9, 1e-4, 1e-2]))
@settings(max_examples=8, deadline=None)
def test_dropping_dominated_deals_changes_no_answer(seed, tol):
    donbas = dealsim.load("donbas-2026")
    draws = sample_parameters(donbas, 0, 60, seed=seed)
    pruned = batch_solve(donbas, draws, bargaining_tol=tol)
    assert_same_batch(pruned, unpruned(donbas, draws, bargaining_tol=tol))


@given(seed=st.integers(0, 10**6))
@settings(max_examples=5, deadline=None)
def test_every_dropped_deal_is_dominated_in_every_draw(seed):
    from dealsim.analysis.batch import _kept, _prepare, _utilities
    from dealsim.space import DealSpace

    donbas = dealsim.load("donbas-2026")
    draws = sample_parameters(donbas, 0, 80, seed=seed)
    full = {
        k: np.broadcast_to(np.asarray(draws.get(k, v), float), (80,))
        for k, v in donbas.parameters.items()
    }
    prepared = _prepare(donbas, DealSpace(donbas), full, 80, 1e-9)
    rows = slice(0, 80)
    utilities, _ = _utilities(prepared, rows)
    margin = 4e-9 * prepared.bound
    keep, root = _kept(prepared, rows, utilities, margin, prepared.powers)
    dropped = np.flatnonzero(root != np.arange(prepared.deals.size))
    assert dropped.size > 1000  # most of the 1,530 classes never reach a solution
    assert np.array_equal(np.setdiff1d(np.arange(prepared.deals.size), dropped), keep)
    u = np.stack([np.broadcast_to(x, (80, prepared.deals.size)) for x in utilities], axis=2)
    gap = u[:, root[dropped]] - u[:, dropped]
    assert (gap >= 0).all()
    assert ((gap > margin[:, None, None]).any(axis=2)).all()


def test_batch_solve_of_one_scenario_with_ties_matches_solve(donbas):
    # guarantee_needs_cession = 0 and no fortress risk: many exact ties between deals
    draws = {
        "guarantee_needs_cession": np.array([0.0, 0.0, 1.0, 0.0]),
        "fortress_risk": np.array([0.0, 0.25, 0.0, 0.1]),
        "audience_cost_max": np.array([0.3, 0.02, 0.1, 0.05]),
    }
    _assert_batch_matches_solve(donbas, draws, batch_solve(donbas, draws))


# ------------------------------------------------------------------------ Monte Carlo


def test_p_agreement_lies_in_the_binomial_interval_of_the_exact_probability(threshold):
    n = 4000
    result = monte_carlo(threshold, samples=n, seed=2, workers=1)
    assert _within_binomial_ci(result.p_agreement, P_AGREEMENT, n)
    lo, hi = result.p_agreement_interval
    assert lo <= result.p_agreement <= hi


def test_robust_deal_probabilities_match_exact_probabilities(threshold):
    # share 0.5 is in the zone iff p <= 0.5 (a accepts it for either k): 0.5 / 0.8 = 0.625;
    # share 0.4 iff k = 0.1 and p <= 0.6: 3/4 * 0.6 / 0.8 = 0.5625
    n = 4000
    result = monte_carlo(threshold, samples=n, seed=9, workers=1, top=3)
    by_share = {round(d["deal"]["share"], 6): d["probability"] for d in result.robust_deals}
    assert list(by_share)[:2] == [0.5, 0.4]
    assert _within_binomial_ci(by_share[0.5], 0.625, n)
    assert _within_binomial_ci(by_share[0.4], 0.5625, n)


def test_solution_term_frequencies_and_means_are_consistent(threshold):
    result = monte_carlo(threshold, samples=500, seed=4, workers=1)
    nash = result.solutions["nash"]
    assert _within_binomial_ci(nash["p_defined"], P_AGREEMENT, 500)
    freq = nash["issues"]["share"]["frequencies"]
    assert math.isclose(sum(freq.values()), 1.0)
    mean = sum(float(v) * f for v, f in freq.items())
    assert math.isclose(nash["issues"]["share"]["mean"], mean)


def test_monte_carlo_without_uncertain_parameters_is_an_error():
    with pytest.raises(DealsimError, match="no uncertain parameters"):
        monte_carlo(dealsim.load("logroll"), samples=10, seed=0, workers=1)


def test_outcome_hooks_report_label_probabilities(threshold, monkeypatch):
    from dealsim.uncertainty import montecarlo

    def hook(scenario, draws):
        return np.where(draws["k"] > 0.05, "generous", "strict")

    monkeypatch.setitem(montecarlo.OUTCOME_HOOKS, "demo", hook)
    result = monte_carlo(threshold, samples=2000, seed=1, workers=1)
    assert _within_binomial_ci(result.outcomes["demo"]["generous"], 0.75, 2000)


def _generosity(scenario, draws):  # module level: a worker process can unpickle it
    return np.where(draws["k"] > 0.05, "generous", "strict")


def test_outcome_hooks_added_after_the_workers_started_are_used_by_them(threshold, monkeypatch):
    from dealsim.uncertainty import montecarlo, shutdown_workers

    shutdown_workers()
    monte_carlo(threshold, samples=400, seed=1, workers=2, batch=100)  # the workers start
    monkeypatch.setitem(montecarlo.OUTCOME_HOOKS, "demo", _generosity)
    two = monte_carlo(threshold, samples=400, seed=1, workers=2, batch=100)
    one = monte_carlo(threshold, samples=400, seed=1, workers=1, batch=100)
    assert "demo" in two.outcomes
    assert two.to_dict() == one.to_dict()


def test_a_task_uses_the_hooks_it_is_given_not_its_process_dict(threshold, monkeypatch):
    from dealsim.uncertainty import montecarlo

    monkeypatch.setitem(montecarlo.OUTCOME_HOOKS, "stale", _generosity)
    block = montecarlo._montecarlo_task(threshold, 1, 0, 50, hooks=(("demo", _generosity),))
    assert set(block.samples.outcomes) == {"demo"}


def test_montecarlo_cli_json_has_the_contract_keys(capsys):
    assert main(["montecarlo", str(THRESHOLD), "--samples", "300", "--seed", "1",
                 "--workers", "1", "--format", "json"]) == 0  # fmt: skip
    document = json.loads(capsys.readouterr().out)
    for key in ("samples", "seed", "p_agreement", "robust_deals", "solutions", "dealsim_version"):
        assert key in document
    assert document["samples"] == 300 and document["seed"] == 1
    assert document["scenario"]["sha256"] == dealsim.load(THRESHOLD).sha256


# ------------------------------------------------------------------------ sweeps


def test_parse_grid_rejects_malformed_specs():
    with pytest.raises(DealsimError, match="NAME=LO:HI:N"):
        parse_grid("credibility=0:1")


def test_two_dimensional_sweep_agrees_with_single_solves(donbas):
    grid = {"audience_cost_max": [0.05, 0.25], "fortress_risk": [0.0, 0.25]}
    result = sweep(donbas, grid, workers=1)
    assert [r["point"] for r in result.records] == [0, 1, 2, 3]
    points = [(c, f) for c in grid["audience_cost_max"] for f in grid["fortress_risk"]]
    for record, (c, f) in zip(result.records, points, strict=True):
        expected = dealsim.solve(donbas, parameters={"audience_cost_max": c, "fortress_risk": f})
        assert {k: v for k, v in record.items() if k != "point"} == expected.to_dict()


def test_sweep_cli_prints_a_table_and_json(capsys):
    args = ["sweep", "donbas-2026", "--param", "audience_cost_max=0.05:0.25:2", "--workers", "1"]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert table.split()[:3] == ["audience_cost_max", "zone", "solution"]
    assert len(table.splitlines()) == 2 + 2 * len(SOLUTION_NAMES)
    assert main([*args, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["parameters"]["audience_cost_max"] for r in records] == [0.05, 0.25]
    assert set(dealsim.solve(dealsim.load("donbas-2026")).to_dict()) < set(records[0])


def test_sweep_of_unknown_parameter_is_an_error(capsys):
    assert main(["sweep", "donbas-2026", "--param", "credibilty=0:1:3"]) == 2
    assert "unknown parameter 'credibilty'" in capsys.readouterr().err


def test_records_built_in_the_parent_equal_those_built_in_the_task(donbas):
    from dealsim.uncertainty.montecarlo import _montecarlo_task

    lazy = _montecarlo_task(donbas, 5, 10, 60).records()  # from the bit-packed unique zones
    eager = _montecarlo_task(donbas, 5, 10, 60, records=True).records()
    assert lazy == eager
    draws = sample_parameters(donbas, 10, 60, seed=5)
    batch = batch_solve(donbas, draws)
    zones = np.array([np.frombuffer(base64.b64decode(r["zone"]), np.uint8) for r in lazy])
    assert np.array_equal(np.unpackbits(zones, axis=1, count=batch.zone.shape[1]), batch.zone)
    assert [r["zone_size"] for r in lazy] == batch.zone.sum(axis=1).tolist()
    assert batch.zone_size.tolist() == batch.zone.sum(axis=1).tolist()


def test_a_run_past_the_samples_limit_is_refused_before_any_draw():
    from dealsim.uncertainty.montecarlo import MAX_SAMPLES

    with pytest.raises(DealsimError, match="at most 10,000,000"):
        monte_carlo(dealsim.load("donbas-2026"), samples=MAX_SAMPLES + 1, seed=1, workers=1)
