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
That costs ``N (p + 2)`` evaluations for ``p`` parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from dealsim._results import ResultMixin
from dealsim.analysis.batch import BatchSolution, batch_solve
from dealsim.errors import DealsimError
from dealsim.results import SOLUTION_NAMES
from dealsim.scenario.model import Scenario
from dealsim.space import DealSpace
from dealsim.uncertainty.distributions import sample_parameters, uncertain_parameters

__all__ = [
    "SobolResult",
    "TornadoResult",
    "output_keys",
    "render_sensitivity",
    "scalar_output",
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


def tornado(scenario: Scenario, output_key: str, *, tol: float = 1e-9) -> TornadoResult:
    """Each uncertain parameter at the ends of its range, the others at their values.

    Examples
    --------
    >>> import dealsim
    >>> t = tornado(dealsim.load("donbas-2026"), "zone_size")
    >>> {"credibility", "fortress_risk"} <= {bar["parameter"] for bar in t.bars}
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
    y = scalar_output(scenario, batch_solve(scenario, draws, tol=tol), output_key)
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
    variance = np.concatenate([fa, fb]).var()
    if variance <= 0:
        zeros = np.zeros(fab.shape[0])
        return zeros, zeros.copy()
    first = np.mean(fb * (fab - fa), axis=1) / variance
    total = 0.5 * np.mean((fa - fab) ** 2, axis=1) / variance
    return first, total


@dataclass(frozen=True)
class SobolResult(ResultMixin):
    """Sobol indices of ``output_key`` per parameter, with bootstrap standard errors."""

    output_key: str
    samples: int
    seed: int
    first_order: dict[str, float]
    total: dict[str, float]
    first_order_se: dict[str, float]
    total_se: dict[str, float]
    variance: float
    method: str = "saltelli_jansen"


def sobol_sensitivity(
    scenario: Scenario,
    output_key: str,
    *,
    samples: int,
    seed: int,
    bootstrap: int = 200,
    tol: float = 1e-9,
) -> SobolResult:
    """Sobol indices of a scalar result with respect to each uncertain parameter.

    ``A`` holds draws ``0 .. N-1`` and ``B`` draws ``N .. 2N-1`` of the run with ``seed`` (see
    :func:`dealsim.uncertainty.distributions.sample_parameters`); standard errors come from
    ``bootstrap`` resamples of the ``N`` rows (generator seeded with ``seed``).

    Examples
    --------
    >>> import dealsim
    >>> res = sobol_sensitivity(dealsim.load("donbas-2026"), "zone_size", samples=64, seed=1)
    >>> "credibility" in res.first_order
    True
    """
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise DealsimError(f"samples must be an integer >= 2, got {samples!r}")
    dists = uncertain_parameters(scenario)
    if not dists:
        raise DealsimError(f"{scenario.file or scenario.name}: no uncertain parameters")
    names = list(dists)
    a = sample_parameters(scenario, 0, samples, seed=seed, distributions=dists)
    b = sample_parameters(scenario, samples, 2 * samples, seed=seed, distributions=dists)
    stacked = {
        name: np.concatenate(
            [a[name], b[name], *(b[name] if m == name else a[name] for m in names)]
        )
        for name in names
    }
    y = scalar_output(scenario, batch_solve(scenario, stacked, tol=tol), output_key)
    fa, fb = y[:samples], y[samples : 2 * samples]
    fab = y[2 * samples :].reshape(len(names), samples)
    first, total = _sobol_kernel(fa, fb, fab)
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, samples, size=(bootstrap, samples))
    boot = [_sobol_kernel(fa[r], fb[r], fab[:, r]) for r in rows]
    first_se = np.std([f for f, _ in boot], axis=0)
    total_se = np.std([t for _, t in boot], axis=0)
    return SobolResult(
        output_key=output_key,
        samples=samples,
        seed=seed,
        first_order=dict(zip(names, first.tolist(), strict=True)),
        total=dict(zip(names, total.tolist(), strict=True)),
        first_order_se=dict(zip(names, first_se.tolist(), strict=True)),
        total_se=dict(zip(names, total_se.tolist(), strict=True)),
        variance=float(np.concatenate([fa, fb]).var()),
    )


def render_sensitivity(tornado_result: TornadoResult, sobol: SobolResult | None = None) -> str:
    """Text report: the tornado table and, if given, the Sobol indices.

    Examples
    --------
    >>> import dealsim
    >>> print(render_sensitivity(tornado(dealsim.load("donbas-2026"), "zone_size")).splitlines()[0])
    Sensitivity of zone_size (base value ...)
    """
    t = tornado_result
    lines = [
        f"Sensitivity of {t.output_key} (base value {t.base:.6g})",
        "",
        "One at a time (others at their values):",
        f"  {'parameter':<20} {'low':>10} {'high':>10} {'out(low)':>12} {'out(high)':>12}"
        f" {'swing':>10}",
    ]
    for bar in t.bars:
        lines.append(
            f"  {bar['parameter']:<20} {bar['low']:>10.4g} {bar['high']:>10.4g} "
            f"{bar['output_low']:>12.6g} {bar['output_high']:>12.6g} {bar['swing']:>10.4g}"
        )
    if sobol is not None:
        lines += [
            "",
            f"Sobol indices ({sobol.samples} base samples, seed {sobol.seed}; +- bootstrap s.e.):",
            f"  {'parameter':<20} {'first order':>18} {'total':>18}",
        ]
        for name in sobol.first_order:
            lines.append(
                f"  {name:<20} {sobol.first_order[name]:>9.4f} +- {sobol.first_order_se[name]:.4f}"
                f" {sobol.total[name]:>9.4f} +- {sobol.total_se[name]:.4f}"
            )
    return "\n".join(lines) + "\n"
