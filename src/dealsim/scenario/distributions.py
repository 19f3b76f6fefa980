"""Distributions of uncertain numbers: ``[parameters.<id>].distribution``, ``[war.private] cost``.

:class:`ParameterDistribution` resolves a :class:`~dealsim.scenario.schema.DistributionSpec` (every
default filled in) and draws from it, gives it as a frozen ``scipy.stats`` distribution
(:meth:`ParameterDistribution.frozen`), as an object to evaluate
(:meth:`ParameterDistribution.evaluator`: a triangular one in closed form,
:class:`TriangularDistribution`) or contracted toward a point
(:meth:`ParameterDistribution.scaled`). The scenario layer holds it so that the analyses can use a
distribution without drawing; :mod:`dealsim.uncertainty.distributions` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from dealsim.scenario.schema import DistributionSpec, ParameterSpec
from dealsim.solvers.private_information import triangular_partial_mean

__all__ = [
    "ParameterDistribution",
    "TriangularDistribution",
    "distribution_from_spec",
    "parameter_distribution",
]

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

    def evaluator(self) -> Any:
        """The distribution as an object with ``sf``, ``cdf`` and ``mean`` (what the war analysis
        evaluates): a :class:`TriangularDistribution` for a triangular one, else :meth:`frozen`.

        The triangular one gives the numbers of ``scipy.stats.triang`` without importing
        ``scipy.stats`` (about a second, more than the rest of ``dealsim solve donbas-2026``).

        Examples
        --------
        >>> d = ParameterDistribution("triangular", bounds=(0.0, 1.0), mode=0.5)
        >>> d.evaluator()
        TriangularDistribution(c=0.5, loc=0.0, scale=1.0)
        >>> float(d.evaluator().sf(0.25)), float(d.frozen().sf(0.25))
        (0.875, 0.875)
        """
        if self.kind == "triangular":
            lo, hi = self.bounds
            return TriangularDistribution(c=(self.mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        return self.frozen()

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


@dataclass(frozen=True)
class TriangularDistribution:
    """The triangular distribution of ``loc + scale * X``, ``X`` on [0, 1] with mode ``c``.

    The numbers of ``scipy.stats.triang(c, loc=loc, scale=scale)``, bit for bit (its formulas,
    in its order: tested against it), without importing ``scipy.stats``; with the exact partial
    mean ``E[C; C < t]`` that the war analysis needs (:meth:`partial_mean`).

    Examples
    --------
    >>> d = TriangularDistribution(c=0.25, loc=1.0, scale=4.0)  # on [1, 5], mode 2
    >>> d.cdf([0.0, 2.0, 5.0]).tolist(), d.sf(2.0).tolist(), d.mean()  # scipy's rounding
    ([0.0, 0.25, 1.0], 0.75, 2.666666666666667)
    >>> round(d.partial_mean(2.0), 12)  # E[C; C < 2]: 0.25 times the mean 5/3 below the mode
    0.416666666667
    """

    c: float
    loc: float
    scale: float

    def _standard(self, x: Any) -> np.ndarray:
        return np.asarray((np.asarray(x, dtype=float) - self.loc) / self.scale, dtype=float)

    def _inner_cdf(self, x: np.ndarray) -> np.ndarray:
        """The CDF of ``X`` at points inside (0, 1), as ``scipy.stats.triang._cdf``."""
        c = self.c
        if c == 1:
            return x * x
        out = np.empty_like(x)
        below = x < c
        xb, xa = x[below], x[~below]
        out[below] = xb * xb / c
        out[~below] = (xa * xa - 2 * xa + c) / (c - 1)
        return out

    def cdf(self, x: Any) -> np.ndarray:
        """``P(C <= x)``."""
        z = self._standard(x)
        inside = (z > 0) & (z < 1)
        out = np.where(z >= 1, 1.0, 0.0)
        out[inside] = self._inner_cdf(z[inside])
        return out[()]

    def sf(self, x: Any) -> np.ndarray:
        """``P(C > x)``."""
        z = self._standard(x)
        inside = (z > 0) & (z < 1)
        out = np.where(z <= 0, 1.0, 0.0)
        out[inside] = 1.0 - self._inner_cdf(z[inside])
        return out[()]

    def mean(self) -> float:
        """``E[C]``."""
        return float((self.c + 1.0) / 3.0 * self.scale + self.loc)

    def partial_mean(self, threshold: float) -> float:
        """``E[C; C < threshold]``, exact
        (:func:`~dealsim.solvers.private_information.triangular_partial_mean`)."""
        return triangular_partial_mean(self.c, self.loc, self.scale, threshold)


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
