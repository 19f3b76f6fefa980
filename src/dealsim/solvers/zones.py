"""The zone of possible agreement (ZOPA): who accepts which deal, and who blocks the rest.

Pure functions over an ``(n_deals, n_parties)`` utility array, a reservation vector and a
feasibility mask. A party *accepts* a deal worth at least its reservation utility (within
``tol * scale``: the tolerance is relative to the utilities' scale, by default the largest
``|utility|`` or ``|reservation|``, see :func:`dealsim.solvers.pareto.tolerance_scale`); the
agreement zone is the set of feasible deals that every party accepts. An empty zone is a
normal answer, not an error.
"""

from __future__ import annotations

import numpy as np

from dealsim.solvers.pareto import tolerance_scale

__all__ = ["acceptance", "agreement_mask", "blocking_counts"]


def acceptance(
    utilities: np.ndarray,
    reservations: np.ndarray,
    *,
    tol: float = 1e-9,
    scale: float | None = None,
) -> np.ndarray:
    """Which party accepts which deal: ``utilities >= reservations - tol * scale``, ``(n, k)``.

    ``scale`` defaults to :func:`~dealsim.solvers.pareto.tolerance_scale` of the utilities and
    reservations, so the answer does not change when both are multiplied by a positive number.

    Examples
    --------
    >>> acceptance(np.array([[0.5, 0.5], [0.9, 0.1]]), np.array([0.4, 0.3])).tolist()
    [[True, True], [True, False]]
    >>> acceptance(np.array([[0.4e-12 - 1e-25]]), np.array([0.4e-12])).tolist()
    [[True]]
    """
    u, r = np.asarray(utilities), np.asarray(reservations)
    return u >= r - tol * tolerance_scale(u, r, scale=scale)


def agreement_mask(
    utilities: np.ndarray,
    reservations: np.ndarray,
    feasible: np.ndarray | None = None,
    *,
    tol: float = 1e-9,
    scale: float | None = None,
) -> np.ndarray:
    """Deals in the agreement zone: feasible and accepted by every party.

    Parameters
    ----------
    utilities : ndarray, shape (n_deals, n_parties)
    reservations : ndarray, shape (n_parties,)
        Each party's utility of no deal.
    feasible : ndarray of bool, shape (n_deals,), optional
        Deals allowed by the constraints (default: all).
    tol : float
        Relative tolerance: a deal worth ``reservation - tol * scale`` or more is accepted.
    scale : float, optional
        The utilities' scale (default: the largest ``|utility|`` or ``|reservation|``).

    Examples
    --------
    >>> u = np.array([[0.5, 0.5], [0.9, 0.1], [0.6, 0.4]])
    >>> agreement_mask(u, np.array([0.4, 0.3]), np.array([True, True, False])).tolist()
    [True, False, False]
    """
    accepted = acceptance(utilities, reservations, tol=tol, scale=scale).all(axis=-1)
    return accepted if feasible is None else accepted & feasible


def blocking_counts(accepted: np.ndarray, feasible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per party, the feasible deals it alone blocks, and the feasible deals it rejects at all.

    Parameters
    ----------
    accepted : ndarray of bool, shape (n_deals, n_parties)
        From :func:`acceptance`.
    feasible : ndarray of bool, shape (n_deals,)

    Returns
    -------
    sole, any : ndarray of int, shape (n_parties,)
        ``sole[i]`` counts feasible deals that every party but ``i`` accepts; ``any[i]`` counts
        feasible deals that ``i`` rejects.

    Examples
    --------
    >>> acc = np.array([[True, False], [False, False], [True, True]])
    >>> sole, anyone = blocking_counts(acc, np.array([True, True, True]))
    >>> sole.tolist(), anyone.tolist()
    ([0, 1], [1, 2])
    """
    accepted, feasible = np.asarray(accepted, dtype=bool), np.asarray(feasible, dtype=bool)
    k = accepted.shape[1]
    # column by column (numpy reduces slowly along the short party axis): ``before[i]`` and
    # ``after[i]`` are the feasible deals every party before / after ``i`` accepts
    before = [feasible]
    for i in range(k - 1):
        before.append(before[-1] & accepted[:, i])
    after = np.ones_like(feasible)
    sole = np.zeros(k, dtype=np.int64)
    rejecting = np.zeros(k, dtype=np.int64)
    for i in range(k - 1, -1, -1):
        rejected = before[0] & ~accepted[:, i]
        rejecting[i] = np.count_nonzero(rejected)
        sole[i] = np.count_nonzero(rejected & before[i] & after)
        after = after & accepted[:, i]
    return sole, rejecting
