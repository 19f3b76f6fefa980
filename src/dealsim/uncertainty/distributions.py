"""Parameter uncertainty: the distributions of ``[parameters.<id>]`` and reproducible draws.

A parameter is *uncertain* when it carries a ``distribution`` or a ``range`` (a range alone means
uniform over the range); otherwise it stays at its ``value``. Draws are reproducible and do not
depend on how a run is split into batches or workers: sample ``i`` belongs to block
``i // BLOCK`` and each block has its own generator,
``np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))`` (the same stream as
``SeedSequence(seed).spawn(...)[block]``). Within a block the uncertain parameters are drawn in
file order.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dealsim.errors import DealsimError
from dealsim.scenario.distributions import ParameterDistribution, parameter_distribution
from dealsim.scenario.model import Scenario

__all__ = [
    "BLOCK",
    "ParameterDistribution",
    "parameter_distribution",
    "sample_parameters",
    "uncertain_parameters",
]

BLOCK = 256
"""Samples per generator block (fixed: changing it changes every draw)."""


def uncertain_parameters(scenario: Scenario) -> dict[str, ParameterDistribution]:
    """The scenario's uncertain parameters and their distributions, in file order.

    Examples
    --------
    >>> import dealsim
    >>> uncertain_parameters(dealsim.load("donbas-2026"))["audience_cost_max"]
    ParameterDistribution(kind='triangular', bounds=(0.02, 0.3), ...)
    """
    found = {}
    for name, spec in scenario.parameter_specs.items():
        dist = parameter_distribution(spec)
        if dist is not None:
            found[name] = dist
    return found


def sample_parameters(
    scenario: Scenario,
    start: int,
    stop: int,
    *,
    seed: int,
    distributions: Mapping[str, ParameterDistribution] | None = None,
) -> dict[str, np.ndarray]:
    """Parameter draws of samples ``start .. stop - 1`` of the run with ``seed``.

    Every parameter is returned as an array of shape ``(stop - start,)``; fixed parameters repeat
    their value. Sample ``i`` gets the same numbers whatever range it is requested in.

    Parameters
    ----------
    scenario : Scenario
    start, stop : int
        Sample indices (``0 <= start <= stop``).
    seed : int
        The run's seed (a non-negative integer).
    distributions : mapping, optional
        The uncertain parameters (default: :func:`uncertain_parameters`).

    Examples
    --------
    >>> import dealsim
    >>> s = dealsim.load("donbas-2026")
    >>> whole = sample_parameters(s, 0, 600, seed=1)
    >>> part = sample_parameters(s, 300, 310, seed=1)
    >>> bool(np.array_equal(whole["audience_cost_max"][300:310], part["audience_cost_max"]))
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DealsimError(f"seed must be a non-negative integer, got {seed!r}")
    if not 0 <= start <= stop:
        raise DealsimError(f"sample range must have 0 <= start <= stop, got {start}..{stop}")
    dists = uncertain_parameters(scenario) if distributions is None else distributions
    n = stop - start
    draws = {name: np.full(n, float(value)) for name, value in scenario.parameters.items()}
    if not dists or n == 0:
        return draws
    first, last = start // BLOCK, (stop - 1) // BLOCK
    parts: dict[str, list[np.ndarray]] = {name: [] for name in dists}
    for block in range(first, last + 1):
        rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(block,)))
        for name, dist in dists.items():
            parts[name].append(dist.sample(rng, BLOCK))
    offset = start - first * BLOCK
    for name in dists:
        draws[name] = np.concatenate(parts[name])[offset : offset + n].astype(float)
    return draws
