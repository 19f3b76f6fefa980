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
from dataclasses import dataclass

import numpy as np
from scipy import stats

from dealsim.errors import DealsimError
from dealsim.scenario.model import Scenario
from dealsim.scenario.schema import ParameterSpec

__all__ = [
    "BLOCK",
    "ParameterDistribution",
    "parameter_distribution",
    "sample_parameters",
    "uncertain_parameters",
]

BLOCK = 256
"""Samples per generator block (fixed: changing it changes every draw)."""

_TAIL = 0.05  # unbounded distributions: the tornado uses the 5% and 95% quantiles


@dataclass(frozen=True)
class ParameterDistribution:
    """A parameter's distribution with every default resolved.

    Attributes
    ----------
    kind : str
        ``"uniform"``, ``"normal"`` (truncated to ``bounds`` when given), ``"beta"`` (rescaled to
        ``bounds``), ``"triangular"`` or ``"choice"``.
    bounds : tuple of float or None
        Support; ``None`` for an unbounded normal and for a choice.
    mean, sd, a, b, mode : float or None
        Shape parameters of the kinds that use them.
    values, weights : tuple of float or None
        A choice's values and their probabilities (normalised to sum to 1).
    """

    kind: str
    bounds: tuple[float, float] | None = None
    mean: float | None = None
    sd: float | None = None
    a: float | None = None
    b: float | None = None
    mode: float | None = None
    values: tuple[float, ...] | None = None
    weights: tuple[float, ...] | None = None

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent draws, using ``rng``.

        Examples
        --------
        >>> d = ParameterDistribution("uniform", bounds=(0.0, 2.0))
        >>> x = d.sample(np.random.default_rng(0), 1000)
        >>> bool(x.min() >= 0 and x.max() <= 2)
        True
        """
        if self.kind == "choice":
            return rng.choice(np.asarray(self.values), size=size, p=np.asarray(self.weights))
        if self.kind == "triangular":
            return rng.triangular(self.bounds[0], self.mode, self.bounds[1], size=size)
        if self.kind == "uniform":
            return rng.uniform(*self.bounds, size=size)
        return np.asarray(self._frozen().rvs(size=size, random_state=rng), dtype=float)

    def interval(self) -> tuple[float, float]:
        """Low and high ends for one-at-a-time sensitivity: the support, or 5%/95% quantiles.

        Examples
        --------
        >>> ParameterDistribution("normal", mean=0.0, sd=1.0).interval()
        (-1.64485..., 1.64485...)
        """
        if self.kind == "choice":
            return float(min(self.values)), float(max(self.values))
        if self.bounds is not None:
            return float(self.bounds[0]), float(self.bounds[1])
        frozen = self._frozen()
        return float(frozen.ppf(_TAIL)), float(frozen.ppf(1 - _TAIL))

    def mean_value(self) -> float:
        """The distribution's mean.

        Examples
        --------
        >>> ParameterDistribution("choice", values=(0.0, 1.0), weights=(0.25, 0.75)).mean_value()
        0.75
        """
        if self.kind == "choice":
            return float(np.dot(self.values, self.weights))
        return float(self._frozen().mean())

    def _frozen(self):
        lo, hi = self.bounds if self.bounds is not None else (-np.inf, np.inf)
        if self.kind == "uniform":
            return stats.uniform(loc=lo, scale=hi - lo)
        if self.kind == "normal":
            if self.bounds is None:
                return stats.norm(loc=self.mean, scale=self.sd)
            a, b = (lo - self.mean) / self.sd, (hi - self.mean) / self.sd
            return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)
        if self.kind == "beta":
            return stats.beta(self.a, self.b, loc=lo, scale=hi - lo)
        # triangular
        return stats.triang((self.mode - lo) / (hi - lo), loc=lo, scale=hi - lo)


def parameter_distribution(spec: ParameterSpec) -> ParameterDistribution | None:
    """The resolved distribution of a parameter spec (``None`` when its value is fixed).

    A ``range`` without a ``distribution`` means uniform over the range. A ``beta`` without
    bounds or range lives on [0, 1].

    Examples
    --------
    >>> spec = ParameterSpec(value=0.5, range=(0.1, 0.9))
    >>> parameter_distribution(spec)
    ParameterDistribution(kind='uniform', bounds=(0.1, 0.9), ...)
    """
    dist = spec.distribution
    if dist is None:
        if spec.range is None or spec.range[0] == spec.range[1]:
            return None
        return ParameterDistribution("uniform", bounds=tuple(spec.range))
    bounds = dist.resolved_bounds(spec.range)
    if dist.kind == "beta" and bounds is None:
        bounds = (0.0, 1.0)
    if dist.kind == "choice":
        weights = np.ones(len(dist.values)) if dist.weights is None else np.asarray(dist.weights)
        return ParameterDistribution(
            "choice",
            values=tuple(dist.values),
            weights=tuple(float(w) for w in weights / weights.sum()),
        )
    return ParameterDistribution(
        dist.kind, bounds=bounds, mean=dist.mean, sd=dist.sd, a=dist.a, b=dist.b, mode=dist.mode
    )


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
