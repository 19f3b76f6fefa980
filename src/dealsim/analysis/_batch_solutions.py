"""The five bargaining solutions of every draw of a batch step, among its zone deals.

The kernel behind :func:`dealsim.analysis.batch.batch_solve`: each criterion of
:mod:`dealsim.solvers.bargaining` evaluated for all samples of a step at once over the kept
unique deals, with that module's tie-break (Pareto optimal among the tied deals, then the largest
sum of normalised gains, then the lowest index) done for every tied sample at once
(:func:`_tie_breaks`), and a solve over all unique deals (:class:`_Full`) wherever a deal dropped
as dominated could have tied.
"""

from __future__ import annotations

import numpy as np

from dealsim.results import SOLUTION_NAMES
from dealsim.solvers.bargaining import _best_row
from dealsim.solvers.pareto import _SMALL as _PARETO_PAIRS

__all__: list[str] = []


class _Full:
    """Every unique deal of a step: the tolerance scale, and a solve without dropped deals.

    ``bound`` is each sample's tolerance scale, the zone's (:func:`dealsim.zone.utility_scale`
    of the draw, as :func:`dealsim.solve` passes ``zc.scale`` to the solvers): individual
    rationality, ties and the Pareto tie-break use ``tol * bound``.
    """

    def __init__(self, cols, zone, r, w, bound, tol, root=None):
        self.cols, self.zone, self.r, self.w, self.bound, self.tol = cols, zone, r, w, bound, tol
        self.atol = tol * bound
        self.root = np.arange(zone.shape[1]) if root is None else root
        self.dropped = np.flatnonzero(self.root != np.arange(zone.shape[1]))
        self._solved: dict[int, np.ndarray] = {}

    def may_tie_dropped(self, s: int, tied: np.ndarray) -> bool:
        """Could a dropped deal tie in sample ``s``, given the tied kept deals (unique indices)?

        A dropped deal is tied only if it is a candidate and its kept dominator is tied too.
        """
        d = self.dropped
        rational = self.zone[s, d]
        for i, col in enumerate(self.cols):
            rational &= col[s, d] >= self.r[s, i] - self.atol[s]
        return bool(np.isin(self.root[d[rational]], tied).any())

    def scales(self, samples: np.ndarray) -> np.ndarray:
        """The Pareto tie-break's scale of each of the ``samples``: the zone's."""
        return self.bound[samples]

    def scale(self, s: int) -> float:
        """The scale of the Pareto tie-break of sample ``s``: the zone's."""
        return float(self.bound[s])

    def solve(self, s: int, j: int) -> int:
        """Solution ``j`` of sample ``s`` among all unique deals (nothing dropped)."""
        if s not in self._solved:
            one = slice(s, s + 1)
            full = _Full(
                [c[one] for c in self.cols],
                self.zone[one],
                self.r[one],
                self.w[one],
                self.bound[one],
                self.tol,
            )
            self._solved[s] = _solutions_kernel(np.arange(self.zone.shape[1]), full, pruned=False)[
                0
            ][0]
        return int(self._solved[s][j])


def _solutions_kernel(
    keep: np.ndarray,
    full: _Full,
    *,
    pruned: bool,
    kept: tuple[list[np.ndarray], np.ndarray] | None = None,
):
    """The five solutions (SOLUTION_NAMES order) of each sample among its zone deals.

    Evaluated on the unique deals ``keep`` (the others are dominated: :func:`_kept`); returns
    unique-deal indices (``-1``: no agreement) and the solutions' utilities. When ``pruned``,
    ``kept`` holds each party's utilities and the zone of the ``keep`` columns (``(S, q)``).
    """
    cols, zone = kept if pruned else (full.cols, full.zone)
    r, w, tol, atol = full.r, full.w, full.tol, full.atol
    n_samples = zone.shape[0]
    k = len(cols)
    gains = [col - r[:, i, None] for i, col in enumerate(cols)]
    rational = zone.copy()
    for i, col in enumerate(cols):
        rational &= col >= (r[:, i] - atol)[:, None]
    has = rational.any(axis=1)
    active, normalised = [], []
    positive = rational.copy()
    for i, col in enumerate(cols):
        span = np.where(rational, col, -np.inf).max(axis=1) - r[:, i]
        on = span > atol
        active.append(on[:, None])
        normalised.append(gains[i] / np.where(on, span, 1.0)[:, None])
        positive &= ~on[:, None] | (gains[i] > atol[:, None])
    # The log Nash products are read only where every active party gains more than atol (-inf
    # elsewhere; an inactive party's term is 0): the gains are logged as they are, and a gain
    # <= 0 (its log -inf or NaN, never read) costs no np.where and no log of a stand-in 1.0.
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = [np.log(gain) for gain in gains]
    any_active = np.logical_or.reduce(active)
    zero_product = ~positive.any(axis=1)
    everywhere = [bool(on.all()) for on in active]  # where(active, x, y) is x itself
    off = ~rational

    # The same values as the solvers' formulas (see bargaining.py), with fewer temporaries:
    # 0.0 + x and min(inf, x) are x, x * 1.0 is x, and the masks are applied in place.
    def nash(weights):
        total = None
        for i in range(k):
            with np.errstate(invalid="ignore"):  # -inf or NaN off the positive entries
                term = logs[i] if weights is None else logs[i] * weights[:, i, None]
            if not everywhere[i]:
                term = np.where(active[i], term, 0.0)
            if total is None:
                total = 0.0 + term
            else:
                with np.errstate(invalid="ignore"):
                    total += term
        np.copyto(total, -np.inf, where=~positive)
        if zero_product.any():
            np.copyto(total, 0.0, where=zero_product[:, None] & rational)
        return total

    def smallest(values):
        low = None
        for i in range(k):
            term = values[i] if everywhere[i] else np.where(active[i], values[i], np.inf)
            if low is None:
                low = np.array(term)
            else:
                np.minimum(low, term, out=low)
        if not any_active.all():
            low = np.where(any_active, low, 0.0)
        np.copyto(low, -np.inf, where=off)
        return low

    total_u = np.array(cols[0])
    for col in cols[1:]:
        total_u += col
    np.copyto(total_u, -np.inf, where=off)
    objectives = {
        "nash": nash(None),
        "weighted_nash": nash(w),
        "kalai_smorodinsky": smallest(normalised),
        "egalitarian": smallest(gains),
        "utilitarian": total_u,
    }
    # Ties as in dealsim.solvers.bargaining: tol on the log Nash product (scaled by the weights)
    # and on Kalai-Smorodinsky's normalised gains; atol on egalitarian, k * atol on utilitarian.
    ties = {
        "nash": np.full(n_samples, tol * k),
        "weighted_nash": tol * w.sum(axis=1) / w.max(axis=1),
        "kalai_smorodinsky": np.full(n_samples, tol),
        "egalitarian": atol,
        "utilitarian": atol * k,
    }
    indices = np.full((n_samples, len(SOLUTION_NAMES)), -1, dtype=np.int64)
    values = np.full((n_samples, len(SOLUTION_NAMES), k), np.nan)
    rows = np.flatnonzero(has)
    every_row = rows.size == n_samples
    for j, name in enumerate(SOLUTION_NAMES):
        value = objectives[name] if every_row else objectives[name][rows]
        best = value.max(axis=1)
        tie = ties[name][rows]
        tied = value >= (best - tie)[:, None]
        chosen = np.argmax(tied, axis=1)
        # more than one tied deal: the last tied deal is not the first
        multiple = np.flatnonzero(tied.shape[1] - 1 - np.argmax(tied[:, ::-1], axis=1) != chosen)
        # Ties among deals of equal utilities (within atol) go to the lowest index, as the
        # solvers' tie-break would: only genuinely different tied deals need it.
        spread = np.zeros(multiple.size, dtype=bool)
        for col in cols:
            values_t = col[rows[multiple]]
            high = np.where(tied[multiple], values_t, -np.inf).max(axis=1)
            low = np.where(tied[multiple], values_t, np.inf).min(axis=1)
            spread |= high - low > atol[rows[multiple]]

        def tie_break(t: int, name: str = name, tie: np.ndarray = tie) -> int:
            # the solvers' own tie-break
            s = rows[t]
            # the candidates' utilities (others zeroed; the tie-break's scale is the zone's)
            cand = np.where(rational[s][:, None], np.stack([c[s] for c in cols], axis=1), 0.0)
            return _best_row(
                objectives[name][s],
                cand,
                r[s],
                rational[s],
                atol[s],
                tol=tol,
                tie=tie[t],
                scale=full.scale(s),
            )

        broken = multiple[spread]
        if broken.size:
            # the tie-break of every such sample at once; the few it does not cover one by one
            picks = _tie_breaks(
                tied[broken], rows[broken], cols, normalised, active, full.scales(rows[broken]), tol
            )
            for t in np.flatnonzero(picks < 0):
                picks[t] = tie_break(int(broken[t]))
            chosen[broken] = picks
        chosen = keep[chosen]
        if pruned:
            # Tied deals all within atol: the lowest index, unless a dropped deal was tied too
            # (the tie-break then runs on all of them). Where the two rules could differ, solve
            # the sample on every deal.
            for t in multiple[~spread]:
                s = int(rows[t])
                if full.may_tie_dropped(s, keep[tied[t]]) and keep[tie_break(t)] != chosen[t]:
                    chosen[t] = full.solve(s, j)
        indices[rows, j] = chosen
        for i, col in enumerate(full.cols):
            values[rows, j, i] = col[rows, chosen]
    return indices, values


def _tie_breaks(
    tied: np.ndarray,
    samples: np.ndarray,
    cols: list[np.ndarray],
    normalised: list[np.ndarray],
    active: list[np.ndarray],
    scales: np.ndarray,
    tol: float,
) -> np.ndarray:
    """The tie-break of :func:`dealsim.solvers.bargaining._best_row` for many samples at once.

    Row ``t`` of ``tied`` marks sample ``samples[t]``'s tied deals (at least two); ``scales``
    is each sample's Pareto scale. Among the tied deals that no other tied deal dominates (with
    tolerance ``tol * scale``), the first whose sum of normalised gains over the active parties
    is within ``tol * max(1, |best|)`` of the best: the same comparisons and sums, element by
    element, as ``_best_row`` makes. ``-1`` where this form does not apply (one party, more tied
    deals than ``pareto_mask`` compares pair by pair, or every tied deal dominated): the caller
    runs ``_best_row`` there.
    """
    picks = np.full(tied.shape[0], -1, dtype=np.int64)
    if len(cols) < 2:
        return picks
    row, deal = np.nonzero(tied)  # grouped by row, deals ascending (as _best_row lists them)
    size = np.bincount(row, minlength=tied.shape[0])
    if (size > _PARETO_PAIRS).any():
        small = np.flatnonzero(size <= _PARETO_PAIRS)
        if small.size:
            picks[small] = _tie_breaks(
                tied[small], samples[small], cols, normalised, active, scales[small], tol
            )
        return picks
    starts = np.cumsum(size) - size
    at = samples[row]
    u = [col[at, deal] for col in cols]
    # every (deal, other tied deal of its sample) pair: is the deal dominated?
    n = row.size
    span = size[row]
    x = np.repeat(np.arange(n), span)
    y = np.repeat(starts[row], span) + np.arange(x.size) - np.repeat(np.cumsum(span) - span, span)
    slack = (tol * scales)[row][x]
    no_worse = np.ones(x.size, dtype=bool)
    better = np.zeros(x.size, dtype=bool)
    for uj in u:
        xj, qj = uj[x], uj[y]
        no_worse &= qj >= xj - slack
        better |= qj > xj + slack
    front = np.bincount(x, weights=no_worse & better, minlength=n) == 0
    # the sum of normalised gains over the active parties, as _best_row sums it
    on = np.stack([a[at, 0] for a in active], axis=1)
    gains = np.stack([g[at, deal] for g in normalised], axis=1)
    if on.all():  # every party active in every such sample (the usual case)
        score = gains.sum(axis=1)
    else:
        score = np.empty(n)
        patterns, which = np.unique(on, axis=0, return_inverse=True)
        which = which.reshape(-1)
        for p, pattern in enumerate(patterns):
            members = which == p
            score[members] = gains[members][:, pattern].sum(axis=1)
    best = np.maximum.reduceat(np.where(front, score, -np.inf), starts)
    good = front & (score >= (best - tol * np.maximum(1.0, np.abs(best)))[row])
    first = np.minimum.reduceat(np.where(good, np.arange(n), n), starts)
    found = first < n
    picks[found] = deal[first[found]]
    return picks
