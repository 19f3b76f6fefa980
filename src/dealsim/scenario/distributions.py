"""Distributions of uncertain numbers: ``[parameters.<id>].distribution``, ``[war.private] cost``.

:class:`ParameterDistribution` resolves a :class:`~dealsim.scenario.schema.DistributionSpec` (every
default filled in) and draws from it, gives it as a frozen ``scipy.stats`` distribution
(:meth:`ParameterDistribution.frozen`) or contracted toward a point
(:meth:`ParameterDistribution.scaled`). The scenario layer holds it so that the analyses can use a
distribution without drawing; :mod:`dealsim.uncertainty.distributions` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from dealsim.scenario.schema import DistributionSpec, ParameterSpec

__all__ = ["ParameterDistribution", "distribution_from_spec", "parameter_distribution"]

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

    def frozen(self) -> Any:
        """The distribution as a frozen ``scipy.stats`` object (a choice: ``rv_discrete``).

        Examples
        --------
        >>> d = ParameterDistribution("choice", values=(0.1, 0.3), weights=(0.25, 0.75))
        >>> float(d.frozen().sf(0.1)), float(d.frozen().mean())
        (0.75, 0.25)
        >>> float(ParameterDistribution("uniform", bounds=(0.0, 0.4)).frozen().sf(0.1))
        0.75
        """
        from scipy import stats  # only here: scipy.stats takes longer to import than a solve

        if self.kind == "choice":
            return stats.rv_discrete(values=(np.asarray(self.values), np.asarray(self.weights)))
        return self._frozen()

    def scaled(self, spread: float, center: float) -> ParameterDistribution | float:
        """The distribution contracted toward ``center``: ``center + spread * (X - center)``.

        ``spread = 1`` returns the distribution itself; ``spread = 0`` the point ``center``
        (a float). A normal keeps its shape (mean and sd scaled); a beta, a uniform and a
        triangular have their bounds (and mode) moved; a choice its values.

        Examples
        --------
        >>> d = ParameterDistribution("uniform", bounds=(0.0, 0.4))
        >>> d.scaled(0.5, 0.2).bounds
        (0.1, 0.3)
        >>> d.scaled(0.0, 0.2)
        0.2
        """
        if not 0.0 <= spread <= 1.0:
            raise ValueError(f"spread must lie in [0, 1], got {spread}")
        if spread == 1.0:
            return self
        if spread == 0.0:
            return float(center)

        def move(x: float | None) -> float | None:
            return None if x is None else center + spread * (x - center)

        bounds = None if self.bounds is None else (move(self.bounds[0]), move(self.bounds[1]))
        values = None if self.values is None else tuple(move(v) for v in self.values)
        sd = None if self.sd is None else spread * self.sd
        return replace(
            self, bounds=bounds, mean=move(self.mean), sd=sd, mode=move(self.mode), values=values
        )

    def _frozen(self):
        from scipy import stats

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


def distribution_from_spec(
    spec: DistributionSpec, range_: tuple[float, float] | None = None
) -> ParameterDistribution:
    """The resolved distribution of a ``distribution = {kind = ...}`` table outside a parameter.

    ``range_`` stands in for a parameter's range (the default bounds). The caller checks that a
    uniform or triangular has bounds.

    Examples
    --------
    >>> distribution_from_spec(DistributionSpec(kind="uniform", bounds=(0.0, 0.4)))
    ParameterDistribution(kind='uniform', bounds=(0.0, 0.4), ...)
    """
    value = spec.bounds[0] if spec.bounds is not None else (range_ or (0.0, 0.0))[0]
    if spec.kind == "choice":
        value = spec.values[0]
    dist = parameter_distribution(
        ParameterSpec.model_construct(value=value, range=range_, distribution=spec)
    )
    assert dist is not None  # a distribution is given
    return dist
