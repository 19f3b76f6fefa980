"""Sensitivity of a scalar result to the uncertain parameters: tornado and Sobol indices.

Scalar results (``output_key``) are read from :func:`dealsim.analysis.batch.batch_solve`:

* ``zone_size``, ``zone_share``, ``feasible_size``, ``agreement`` (1 if the zone is non-empty);
* ``<solution>.utilities.<party>``: a party's utility under a bargaining solution; without an
  agreement the party gets its reservation utility (the disagreement point);
* ``<solution>.deal.<issue>``: a numeric issue's value in the solution's deal (undefined without an
  agreement: the analysis then stops with an error).

One-at-a-time (tornado): every parameter at the low and high end of its range (or of its
distribution's support; 5%/95% quantiles of an unbounded normal), the others at their values.

Variance-based first-order indices ``S_i = Var(E[Y | X_i]) / Var(Y)`` and total indices
``ST_i = E[Var(Y | X_~i)] / Var(Y)`` with the Saltelli (2010) and Jansen (1999) estimators:
from two independent sample matrices ``A`` and ``B`` and the matrices ``AB_i`` (``A`` with column
``i`` from ``B``), ``S_i ~ mean(f(B) (f(AB_i) - f(A))) / V`` and
``ST_i ~ mean((f(A) - f(AB_i))^2) / (2 V)``, ``V`` the variance of ``f`` over ``A`` and ``B``.
That costs ``N (p + 2)`` evaluations for ``p`` parameters. ``A`` and ``B`` are the two halves
of one scrambled Sobol' sequence (``scipy.stats.qmc.Sobol``), which fills the parameter space more
evenly than independent draws; these are the estimators of ``scipy.stats.sobol_indices``.
Percentile bootstrap intervals go with every index, and the result says plainly when they are too
wide to read (or an estimate is impossible in theory: a first-order index above its total, or
below zero) and how many samples to ask for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from dealsim._format import format_number, table
from dealsim._results import ResultMixin
from dealsim.analysis.batch import BatchSolution, batch_solve, check_batch_size
from dealsim.errors import DealsimError
from dealsim.results import SOLUTION_NAMES
from dealsim.scenario.model import Scenario
from dealsim.space import DEFAULT_MAX_DEALS, DealSpace
from dealsim.uncertainty.distributions import uncertain_parameters

__all__ = [
    "TARGET_HALFWIDTH",
    "SobolResult",
    "TornadoResult",
    "output_keys",
    "render_sensitivity",
    "scalar_output",
    "sobol_design",
    "sobol_indices",
    "sobol_sensitivity",
    "tornado",
]


def output_keys(scenario: Scenario) -> list[str]:
    """Every scalar result sensitivity can be computed for.

    Examples
    --------
    >>> import dealsim
    >>> output_keys(dealsim.load("split-linear"))[:5]
    ['zone_size', 'zone_share', 'feasible_size', 'agreement', 'nash.utilities.a']
    """
    keys = ["zone_size", "zone_share", "feasible_size", "agreement"]
    for name in SOLUTION_NAMES:
        keys += [f"{name}.utilities.{p}" for p in scenario.party_ids]
        keys += [f"{name}.deal.{i.id}" for i in scenario.issues if i.numeric]
    return keys


def scalar_output(scenario: Scenario, batch: BatchSolution, key: str) -> np.ndarray:
    """The scalar result ``key`` of every sample of a batch, shape ``(S,)``.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.analysis.batch import batch_solve
    >>> s = dealsim.load("split-linear")
    >>> scalar_output(s, batch_solve(s, {}), "nash.deal.share").tolist()
    [0.575]
    """
    if key not in output_keys(scenario):
        allowed = ", ".join(output_keys(scenario))
        raise DealsimError(f"unknown output key {key!r} (allowed: {allowed})")
    size = DealSpace(scenario).size
    if key == "zone_size":
        return batch.zone_size.astype(float)
    if key == "zone_share":
        return batch.zone_size / size
    if key == "feasible_size":
        return batch.feasible_size.astype(float)
    if key == "agreement":
        return (batch.zone_size > 0).astype(float)
    name, kind, target = key.split(".")
    index = batch.solutions[name]
    if kind == "utilities":
        j = scenario.party_ids.index(target)
        return np.where(index >= 0, batch.utilities[name][:, j], batch.reservations[:, j])
    if (index < 0).any():
        raise DealsimError(
            f"{key} is undefined in samples without an agreement ({int((index < 0).sum())} of "
            f"{index.size}); use a utility key (no deal gives the reservation) or 'agreement'"
        )
    issue = scenario.issue(target)
    j = scenario.issue_ids.index(target)
    codes = DealSpace(scenario).codes(index)[:, j]
    return np.asarray(issue.values, dtype=float)[codes]


# --------------------------------------------------------------------------------------------
# tornado


@dataclass(frozen=True)
class TornadoResult(ResultMixin):
    """One-at-a-time sensitivity: ``bars`` sorted by swing, largest first.

    Each bar: ``parameter``, ``low``/``high`` (parameter values), ``output_low``/``output_high``
    and ``swing = |output_high - output_low|``.
    """

    output_key: str
    base: float
    bars: tuple[dict[str, Any], ...]
    method: str = "one_at_a_time"


def tornado(
    scenario: Scenario,
    output_key: str,
    *,
    tol: float = 1e-9,
    max_deals: int | None = DEFAULT_MAX_DEALS,
) -> TornadoResult:
    """Each uncertain parameter at the ends of its range, the others at their values.

    ``max_deals`` is the deal-space limit of :func:`dealsim.analysis.batch.batch_solve`.

    Examples
    --------
    >>> import dealsim
    >>> t = tornado(dealsim.load("donbas-2026"), "zone_size")
    >>> {"audience_cost_max", "fortress_risk"} <= {bar["parameter"] for bar in t.bars}
    True
    """
    dists = uncertain_parameters(scenario)
    if not dists:
        raise DealsimError(f"{scenario.file or scenario.name}: no uncertain parameters")
    names = list(dists)
    rows = 1 + 2 * len(names)
    draws = {name: np.full(rows, scenario.parameters[name]) for name in names}
    ends = {}
    for j, name in enumerate(names):
        ends[name] = dists[name].interval()
        draws[name][1 + 2 * j], draws[name][2 + 2 * j] = ends[name]
    batch = batch_solve(scenario, draws, tol=tol, max_deals=max_deals)
    y = scalar_output(scenario, batch, output_key)
    bars = [
        {
            "parameter": name,
            "low": ends[name][0],
            "high": ends[name][1],
            "output_low": float(y[1 + 2 * j]),
            "output_high": float(y[2 + 2 * j]),
            "swing": float(abs(y[2 + 2 * j] - y[1 + 2 * j])),
        }
        for j, name in enumerate(names)
    ]
    bars.sort(key=lambda bar: -bar["swing"])
    return TornadoResult(output_key=output_key, base=float(y[0]), bars=tuple(bars))


# --------------------------------------------------------------------------------------------
# Sobol indices


def sobol_indices(f_a: ArrayLike, f_b: ArrayLike, f_ab: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """First-order (Saltelli 2010) and total (Jansen) Sobol indices from model evaluations.

    The evaluations are centred on the mean of ``f_a`` and ``f_b`` first (as
    ``scipy.stats.sobol_indices`` does), so a constant added to the model changes nothing.

    Parameters
    ----------
    f_a, f_b : array_like, shape (N,)
        The model at the rows of two independent sample matrices ``A`` and ``B``.
    f_ab : array_like, shape (p, N)
        ``f_ab[i]``: the model at ``A`` with column ``i`` taken from ``B``.

    Returns
    -------
    first, total : ndarray, shape (p,)

    Examples
    --------
    ``Y = X1 + 2 X2`` with independent uniform inputs: ``S = (1/5, 4/5)``.

    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.random((2, 20000, 2))
    >>> f = lambda x: x[:, 0] + 2 * x[:, 1]
    >>> ab = [np.where(np.arange(2) == i, b, a) for i in range(2)]
    >>> first, total = sobol_indices(f(a), f(b), [f(m) for m in ab])
    >>> np.round(first, 1).tolist(), np.round(total, 1).tolist()
    ([0.2, 0.8], [0.2, 0.8])
    """
    fa, fb = np.asarray(f_a, dtype=float), np.asarray(f_b, dtype=float)
    fab = np.atleast_2d(np.asarray(f_ab, dtype=float))
    if fa.ndim != 1 or fb.shape != fa.shape or fab.shape[1:] != fa.shape:
        raise DealsimError(
            f"need f_a, f_b of shape (N,) and f_ab of shape (p, N), got {fa.shape}, "
            f"{fb.shape}, {fab.shape}"
        )
    if not (np.isfinite(fa).all() and np.isfinite(fb).all() and np.isfinite(fab).all()):
        raise DealsimError("model evaluations must be finite")
    return _sobol_kernel(fa, fb, fab)


def _sobol_kernel(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray):
    # Centre on the mean of f(A) and f(B) first, as scipy.stats.sobol_indices does: the
    # first-order estimator is not shift-invariant, and centring removes the noise a large mean
    # adds to it.
    mean = np.concatenate([fa, fb]).mean()
    fa, fb, fab = fa - mean, fb - mean, fab - mean
    variance = np.concatenate([fa, fb]).var()
    if variance <= 0:
        zeros = np.zeros(fab.shape[0])
        return zeros, zeros.copy()
    first = np.mean(fb * (fab - fa), axis=1) / variance
    total = 0.5 * np.mean((fa - fab) ** 2, axis=1) / variance
    return first, total


@dataclass(frozen=True)
class SobolResult(ResultMixin):
    """Sobol indices of ``output_key`` per parameter, with bootstrap confidence intervals.

    ``first_order_interval[name]`` and ``total_interval[name]`` are percentile bootstrap
    intervals at level ``confidence``; ``*_se`` the bootstrap standard errors. ``readable`` is
    false when an interval is wider than ``2 * target_halfwidth`` or an estimate contradicts the
    theory (a first-order index above its total, or a negative index, by more than its
    interval); ``recommended_samples`` is then the base sample size (a power of two) that
    should bring the widest interval down to the target (widths shrink like ``1/sqrt(N)``).
    ``warnings`` says in words what is wrong.
    """

    output_key: str
    samples: int
    seed: int
    first_order: dict[str, float]
    total: dict[str, float]
    first_order_se: dict[str, float]
    total_se: dict[str, float]
    first_order_interval: dict[str, tuple[float, float]]
    total_interval: dict[str, tuple[float, float]]
    variance: float
    confidence: float
    bootstrap: int
    readable: bool
    recommended_samples: int
    warnings: tuple[str, ...]
    requested_samples: int
    sampling: str = "sobol_scrambled"
    method: str = "saltelli_2010_jansen_1999"


TARGET_HALFWIDTH = 0.05
"""Half-width of a bootstrap interval below which an index is taken as readable."""


def _quantiles(dist: Any, u: np.ndarray) -> np.ndarray:
    """Map uniform numbers in (0, 1) to a parameter distribution (inverse CDF)."""
    if dist.kind == "choice":
        cumulative = np.cumsum(dist.weights)
        cumulative[-1] = 1.0
        index = np.searchsorted(cumulative, u, side="right")
        return np.asarray(dist.values, dtype=float)[np.minimum(index, len(dist.values) - 1)]
    return np.asarray(dist.frozen().ppf(u), dtype=float)


def sobol_design(
    distributions: dict[str, Any], samples: int, *, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The two sample matrices ``A`` and ``B`` of a Sobol analysis, from a Sobol' sequence.

    One scrambled Sobol' sequence of dimension ``2p`` (``scipy.stats.qmc.Sobol``, seeded with
    ``seed``) gives ``A`` (its first ``p`` columns) and ``B`` (the last ``p``), mapped to each
    parameter's distribution by its inverse CDF. ``samples`` must be a power of two (the
    sequence's balance properties hold for powers of two).

    Examples
    --------
    >>> from dealsim.uncertainty.distributions import ParameterDistribution
    >>> a, b = sobol_design({"x": ParameterDistribution("uniform", bounds=(0.0, 2.0))}, 8, seed=0)
    >>> a["x"].shape, bool(((a["x"] > 0) & (a["x"] < 2)).all())
    ((8,), True)
    """
    from scipy.stats import qmc

    if samples < 2 or samples & (samples - 1):
        raise DealsimError(f"samples must be a power of two >= 2, got {samples!r}")
    p = len(distributions)
    m = int(samples).bit_length() - 1
    u = qmc.Sobol(d=2 * p, scramble=True, seed=np.random.default_rng(seed)).random_base2(m)
    u = np.clip(u, 1e-12, 1 - 1e-12)  # inverse CDFs of unbounded laws are infinite at 0 and 1
    a = {name: _quantiles(d, u[:, j]) for j, (name, d) in enumerate(distributions.items())}
    b = {name: _quantiles(d, u[:, p + j]) for j, (name, d) in enumerate(distributions.items())}
    return a, b


def _bootstrap(fa, fb, fab, *, resamples: int, seed: int):
    """Bootstrap replicates of (first, total), each shape (resamples, p); vectorised."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, fa.size, size=(resamples, fa.size))
    a, b = fa[rows], fb[rows]  # (R, N)
    mean = (a.mean(axis=1, keepdims=True) + b.mean(axis=1, keepdims=True)) / 2
    a, b = a - mean, b - mean
    ab = fab[:, rows] - mean  # (p, R, N)
    variance = np.concatenate([a, b], axis=1).var(axis=1)  # (R,)
    safe = np.where(variance > 0, variance, 1.0)
    first = (np.mean(b * (ab - a), axis=2) / safe).T
    total = (0.5 * np.mean((a - ab) ** 2, axis=2) / safe).T
    zero = variance <= 0
    first[zero], total[zero] = 0.0, 0.0
    return first, total


def _next_power_of_two(n: float) -> int:
    return 1 << max(1, math.ceil(math.log2(max(n, 2))))


def sobol_sensitivity(
    scenario: Scenario,
    output_key: str,
    *,
    samples: int,
    seed: int,
    bootstrap: int = 200,
    confidence: float = 0.95,
    tol: float = 1e-9,
    max_deals: int | None = DEFAULT_MAX_DEALS,
) -> SobolResult:
    """Sobol indices of a scalar result with respect to each uncertain parameter.

    The sample matrices come from a scrambled Sobol' sequence (:func:`sobol_design`); a
    ``samples`` that is not a power of two is rounded up to the next one (the result records
    both). The cost is ``N (p + 2)`` solves. Confidence intervals are percentile intervals of
    ``bootstrap`` resamples of the ``N`` rows (generator seeded with ``seed``).

    Parameters
    ----------
    scenario : Scenario
    output_key : str
        One of :func:`output_keys`.
    samples : int
        Base sample size ``N``.
    seed : int
        Seed of the scrambling and of the bootstrap.
    bootstrap : int
        Bootstrap resamples.
    confidence : float
        Level of the intervals, in (0, 1).
    tol : float
        Relative tolerance of the solves.
    max_deals : int or None
        Deal-space limit, as in :func:`dealsim.analysis.batch.batch_solve` (whose memory limits
        count the ``N (p + 2)`` solves as one batch); checked before the design is drawn.

    Examples
    --------
    >>> import dealsim
    >>> res = sobol_sensitivity(dealsim.load("donbas-2026"), "zone_size", samples=64, seed=1)
    >>> "audience_cost_max" in res.first_order, res.readable, res.recommended_samples > 64
    (True, False, True)
    """
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise DealsimError(f"samples must be an integer >= 2, got {samples!r}")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 10:
        raise DealsimError(f"bootstrap must be an integer >= 10, got {bootstrap!r}")
    if not 0 < confidence < 1:
        raise DealsimError(f"confidence must lie in (0, 1), got {confidence!r}")
    dists = uncertain_parameters(scenario)
    if not dists:
        raise DealsimError(f"{scenario.file or scenario.name}: no uncertain parameters")
    names = list(dists)
    n = _next_power_of_two(samples)
    check_batch_size(scenario, n * (len(names) + 2), max_deals)
    a, b = sobol_design(dists, n, seed=seed)
    stacked = {
        name: np.concatenate(
            [a[name], b[name], *(b[name] if m == name else a[name] for m in names)]
        )
        for name in names
    }
    y = scalar_output(
        scenario, batch_solve(scenario, stacked, tol=tol, max_deals=max_deals), output_key
    )
    fa, fb = y[:n], y[n : 2 * n]
    fab = y[2 * n :].reshape(len(names), n)
    first, total = _sobol_kernel(fa, fb, fab)
    boot_first, boot_total = _bootstrap(fa, fb, fab, resamples=bootstrap, seed=seed)
    tail = 100 * (1 - confidence) / 2
    f_lo, f_hi = np.percentile(boot_first, [tail, 100 - tail], axis=0)
    t_lo, t_hi = np.percentile(boot_total, [tail, 100 - tail], axis=0)
    variance = float(np.concatenate([fa, fb]).var())
    warnings, readable, recommended = _diagnose(
        names, n, variance, first, total, (f_lo, f_hi), (t_lo, t_hi)
    )
    return SobolResult(
        output_key=output_key,
        samples=n,
        seed=seed,
        first_order=dict(zip(names, first.tolist(), strict=True)),
        total=dict(zip(names, total.tolist(), strict=True)),
        first_order_se=dict(zip(names, boot_first.std(axis=0).tolist(), strict=True)),
        total_se=dict(zip(names, boot_total.std(axis=0).tolist(), strict=True)),
        first_order_interval={
            k: (float(lo), float(hi)) for k, lo, hi in zip(names, f_lo, f_hi, strict=True)
        },
        total_interval={
            k: (float(lo), float(hi)) for k, lo, hi in zip(names, t_lo, t_hi, strict=True)
        },
        variance=variance,
        confidence=confidence,
        bootstrap=bootstrap,
        readable=readable,
        recommended_samples=recommended,
        warnings=tuple(warnings),
        requested_samples=samples,
    )


def _diagnose(names, n, variance, first, total, first_ci, total_ci):
    """Warnings in words, whether the indices can be read, and the sample size to ask for."""
    warnings: list[str] = []
    if variance <= 0:
        warnings.append("the output does not vary over the samples: every index is 0")
        return warnings, True, n
    halfwidth = (
        max(float(np.max(first_ci[1] - first_ci[0])), float(np.max(total_ci[1] - total_ci[0]))) / 2
    )
    above = [k for k, f, t in zip(names, first, total, strict=True) if f > t]
    negative = [k for k, f in zip(names, first, strict=True) if f < 0]
    contradiction = [
        k for j, k in enumerate(names)
        if first_ci[0][j] > total_ci[1][j] or first_ci[1][j] < 0
    ]  # fmt: skip
    if above:
        warnings.append(
            "first-order index above the total for " + ", ".join(above)
            + ": impossible in theory (S_i <= ST_i), so this is sampling noise"
        )  # fmt: skip
    if negative:
        warnings.append(
            "negative first-order index for " + ", ".join(negative)
            + ": impossible in theory, so this is sampling noise (read it as about 0)"
        )  # fmt: skip
    readable = halfwidth <= TARGET_HALFWIDTH and not contradiction
    recommended = n
    if not readable:
        factor = max(halfwidth / TARGET_HALFWIDTH, 2.0) ** 2
        recommended = _next_power_of_two(n * factor)
        warnings.append(
            f"the sample is too small for the indices to be read: intervals are up to "
            f"+-{halfwidth:.2f} wide with N = {n}; ask for --samples {recommended} "
            f"({recommended * (len(names) + 2):,} solves)"
        )
    return warnings, readable, recommended


def render_sensitivity(tornado_result: TornadoResult, sobol: SobolResult | None = None) -> str:
    """Text report: the tornado table and, if given, the Sobol indices with their intervals.

    Examples
    --------
    >>> import dealsim
    >>> print(render_sensitivity(tornado(dealsim.load("donbas-2026"), "zone_size")).splitlines()[0])
    Sensitivity of zone_size (base value ...)
    """
    t = tornado_result
    rows = [["parameter", "low", "high", "out(low)", "out(high)", "swing"]]
    for bar in t.bars:
        rows.append(
            [bar["parameter"]]
            + [format_number(float(bar[k])) for k in ("low", "high", "output_low", "output_high")]
            + [format_number(float(bar["swing"]))]
        )
    lines = [
        f"Sensitivity of {t.output_key} (base value {format_number(t.base)})",
        "",
        "One at a time (others at their values):",
        *table(rows),
    ]
    if sobol is not None:
        level = f"{sobol.confidence:.0%}"
        rounded = (
            f", rounded up from {sobol.requested_samples} to a power of two"
            if sobol.requested_samples != sobol.samples
            else ""
        )
        lines += [
            "",
            f"Sobol indices ({sobol.samples} base samples{rounded}, Sobol' sequence, seed "
            f"{sobol.seed}; {level} bootstrap intervals):",
        ]
        rows = [["parameter", "first order", f"{level} interval", "total", f"{level} interval"]]
        for name in sobol.first_order:
            f_lo, f_hi = sobol.first_order_interval[name]
            t_lo, t_hi = sobol.total_interval[name]
            rows.append(
                [
                    name,
                    f"{sobol.first_order[name]:.3f}",
                    f"{f_lo:.3f}..{f_hi:.3f}",
                    f"{sobol.total[name]:.3f}",
                    f"{t_lo:.3f}..{t_hi:.3f}",
                ]
            )
        lines += table(rows)
        lines += [f"  warning: {w}" for w in sobol.warnings]
    return "\n".join(lines) + "\n"
