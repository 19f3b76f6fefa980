"""Parameter distributions written in scenario files: the table form and the bare-kind shorthand."""

import numpy as np
import pytest

from dealsim.errors import ScenarioError
from dealsim.scenario import loads
from dealsim.uncertainty.distributions import sample_parameters, uncertain_parameters

SCENARIO = """
[scenario]
name = "toy"
[parties.a]
[parties.b]
[issues.share]
range = [0, 1]
steps = 5
[payoffs.a]
weights = {{ share = 1 }}
share = {{ points = [[0, 0], [1, 1]] }}
[payoffs.b]
weights = {{ share = 1 }}
share = {{ points = [[0, 1], [1, 0]] }}
[parameters.c]
value = 0.5
range = [0.2, 0.8]
distribution = {distribution}
"""


def test_a_bare_uniform_kind_is_the_table_form_over_the_parameters_range():
    bare = loads(SCENARIO.format(distribution='"uniform"'))
    table = loads(SCENARIO.format(distribution='{ kind = "uniform" }'))
    assert uncertain_parameters(bare) == uncertain_parameters(table)
    assert uncertain_parameters(bare)["c"].bounds == (0.2, 0.8)
    draws = sample_parameters(bare, 0, 500, seed=3)["c"]
    np.testing.assert_array_equal(draws, sample_parameters(table, 0, 500, seed=3)["c"])
    assert draws.min() >= 0.2 and draws.max() <= 0.8


def test_a_bare_kind_that_needs_fields_names_the_missing_field():
    with pytest.raises(ScenarioError, match=r"parameters\.c\.distribution\.mean: .*needs 'mean'"):
        loads(SCENARIO.format(distribution='"normal"'))


@pytest.mark.parametrize("value", ['"unifrom"', "3"])
def test_a_wrong_distribution_speaks_the_files_language(value):
    with pytest.raises(ScenarioError, match=r"parameters\.c\.distribution") as error:
        loads(SCENARIO.format(distribution=value))
    assert "DistributionSpec" not in str(error.value)
    assert "uniform" in str(error.value)
