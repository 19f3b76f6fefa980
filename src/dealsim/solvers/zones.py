"""The zone of possible agreement (ZOPA): who accepts which deal, and who blocks the rest.

Pure functions over an ``(n_deals, n_parties)`` utility array, a reservation vector and a
feasibility mask. A party *accepts* a deal worth at least its reservation utility (within ``tol``);
the agreement zone is the set of feasible deals that every party accepts. An empty zone is a
normal answer, not an error.
"""

from __future__ import annotations

import numpy as np

__all__ = ["acceptance", "agreement_mask", "blocking_counts"]


def acceptance(utilities: np.ndarray, reservations: np.ndarray, *, tol: float = 1e-9) -> np.ndarray:
    """Which party accepts which deal: ``utilities >= reservations - tol``, shape ``(n, k)``.

    Examples
    --------
    >>> acceptance(np.array([[0.5, 0.5], [0.9, 0.1]]), np.array([0.4, 0.3])).tolist()
    [[True, True], [True, False]]
    """
    return np.asarray(utilities) >= np.asarray(reservations) - tol


def agreement_mask(
    utilities: np.ndarray,
    reservations: np.ndarray,
    feasible: np.ndarray | None = None,
    *,
    tol: float = 1e-9,
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
        A deal worth ``reservation - tol`` or more is accepted.

    Examples
    --------
    >>> u = np.array([[0.5, 0.5], [0.9, 0.1], [0.6, 0.4]])
    >>> agreement_mask(u, np.array([0.4, 0.3]), np.array([True, True, False])).tolist()
    [True, False, False]
    """
    accepted = acceptance(utilities, reservations, tol=tol).all(axis=-1)
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
    rejected = ~accepted & feasible[:, None]
    n_rejecting = rejected.sum(axis=1)
    sole = (rejected & (n_rejecting == 1)[:, None]).sum(axis=0)
    return sole, rejected.sum(axis=0)
