"""The closed-form triangular distribution gives scipy.stats.triang's numbers, bit for bit."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from dealsim.scenario.distributions import ParameterDistribution, TriangularDistribution
from dealsim.solvers.private_information import _partial_mean

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
positive = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
position = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(min_value=0.0, max_value=1.0))


def _pair(c: float, loc: float, scale: float):
    return TriangularDistribution(c=c, loc=loc, scale=scale), stats.triang(c, loc=loc, scale=scale)


@settings(max_examples=300, deadline=None)
@given(c=position, loc=finite, scale=positive, u=st.lists(st.floats(-0.5, 1.5), min_size=1))
def test_cdf_sf_and_mean_are_scipys_bit_for_bit(c, loc, scale, u):
    ours, theirs = _pair(c, loc, scale)
    # points inside, outside, at both ends and at the mode
    x = np.array([loc + scale * v for v in [*u, 0.0, 1.0, c]])
    np.testing.assert_array_equal(ours.cdf(x), theirs.cdf(x))
    np.testing.assert_array_equal(ours.sf(x), theirs.sf(x))
    assert ours.mean() == float(theirs.mean())


def test_a_scalar_point_gives_a_scalar_as_scipy_does():
    ours, theirs = _pair(0.3, 0.03, 0.17)
    assert np.ndim(ours.sf(0.1)) == 0 and ours.sf(0.1) == theirs.sf(0.1)
    assert ours.cdf(0.0) == 0.0 and ours.sf(1.0) == 0.0


@settings(max_examples=100, deadline=None)
@given(c=position, loc=finite, scale=positive, u=st.floats(-0.5, 1.5))
def test_the_partial_mean_is_the_one_the_scipy_triangular_gets(c, loc, scale, u):
    ours, theirs = _pair(c, loc, scale)
    t = loc + scale * u
    assert _partial_mean(ours, t) == _partial_mean(theirs, t)


def test_a_triangular_is_evaluated_in_closed_form_and_the_others_by_scipy():
    tri = ParameterDistribution("triangular", bounds=(0.03, 0.20), mode=0.08)
    assert tri.evaluator() == TriangularDistribution(
        c=(0.08 - 0.03) / (0.20 - 0.03), loc=0.03, scale=0.20 - 0.03
    )
    uniform = ParameterDistribution("uniform", bounds=(0.0, 0.4)).evaluator()
    assert uniform.dist.name == "uniform"  # a frozen scipy.stats distribution


def test_solving_donbas_with_its_private_cost_does_not_import_scipy_stats():
    # scipy.stats takes about a second to import, more than the rest of the solve
    code = (
        "import sys, dealsim; r = dealsim.solve(dealsim.load('donbas-2026')); "
        "assert r.analyses['war'].private_information['offer'] is not None; "
        "print('scipy.stats' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("mode", [0.03, 0.08, 0.20])
def test_the_war_analysis_reports_scipys_mean_of_the_cost(mode):
    d = ParameterDistribution("triangular", bounds=(0.03, 0.20), mode=mode)
    assert d.evaluator().mean() == float(d.frozen().mean())
