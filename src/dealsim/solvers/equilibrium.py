"""Nash equilibria of normal-form games.

A game with ``n`` players is a payoff tensor of shape ``(n, s_1, ..., s_n)``: entry
``payoffs[i, a_1, ..., a_n]`` is player ``i``'s payoff when player ``j`` plays strategy ``a_j``.
A two-player (bimatrix) game is also given as two ``(m, n)`` matrices ``A`` (row player) and
``B`` (column player), so ``payoffs = np.stack([A, B])``.

Every equilibrium any function here returns has passed the same check: each player's regret
(the gain from the best pure deviation) is at most ``tol``, in payoff units. Equilibria found
more than once are reported once.

References: von Stengel, B. (2002), "Computing equilibria for two-person games", Handbook of Game
Theory vol. 3, ch. 45; Avis, Rosenberg, Savani and von Stengel (2010), "Enumeration of Nash
equilibria for two-player games", Economic Theory 42.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim._validate import check_tol
from dealsim.errors import GameError, SolverError
from dealsim.solvers._enumeration import _rescale, _support_kernel, _vertex_kernel

__all__ = [
    "Equilibrium",
    "EquilibriumResult",
    "NormalFormGame",
    "dominated_strategies",
    "iterated_elimination",
    "lemke_howson",
    "lemke_howson_race",
    "n_player_equilibria",
    "pure_equilibria",
    "regret",
    "two_player_equilibria",
]

TWO_PLAYER_METHODS = ("vertex", "support", "nashpy", "lemke_howson")
GAMBIT_METHODS = (
    "gambit_logit",
    "gambit_enumpoly",
    "gambit_simpdiv",
    "gambit_enumpure",
    "gambit_enummixed",
    "gambit_lcp",
)
_RACE_BUDGET = 1 << 25  # entries of the stacked inverse bases racing may hold (256 MB)
_CONTINUA_NOTE = (
    "the game is degenerate: the equilibria listed are the extreme equilibria; "
    "continua (convex sets) of equilibria may exist between them"
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Equilibrium(ResultMixin):
    """One Nash equilibrium.

    Attributes
    ----------
    strategies : tuple of numpy.ndarray
        Each player's probabilities over its strategies, in strategy order (0/1 if pure).
    payoffs : numpy.ndarray
        Each player's expected payoff.
    pure : bool
        Whether every player plays a single strategy.
    """

    strategies: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    pure: bool


@dataclass(frozen=True, eq=False)
class EquilibriumResult(ResultMixin):
    """The equilibria a method found, with the method, its parameters and caveats.

    Attributes
    ----------
    equilibria : tuple of Equilibrium
        The equilibria, deduplicated, each with regret at most ``tol``.
    method : str
        The method that produced them.
    degenerate : bool
        Whether the game was found to be degenerate (then the set may contain continua).
    notes : tuple of str
        Caveats about completeness.
    parameters : dict
        The parameters the method ran with.
    """

    equilibria: tuple[Equilibrium, ...]
    method: str
    degenerate: bool = False
    notes: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self):
        return iter(self.equilibria)


@dataclass(frozen=True, eq=False)
class NormalFormGame(ResultMixin):
    """A normal-form game: a payoff tensor and optional names. The constructor only stores.

    The one normal-form type of dealsim: the solvers here take its ``payoffs``,
    :func:`dealsim.solvers.sequential.normal_form` returns one, and :mod:`dealsim.io.gambit`
    reads and writes ``.nfg`` files as one. Use :meth:`from_arrays` to build a validated game.

    Attributes
    ----------
    payoffs : numpy.ndarray
        Shape ``(n_players, s_1, ..., s_n)``.
    player_names : tuple of str, optional
    strategy_names : tuple of tuple of str, optional
    title : str
        The game's name (Gambit files carry one).
    """

    payoffs: np.ndarray
    player_names: tuple[str, ...] | None = None
    strategy_names: tuple[tuple[str, ...], ...] | None = None
    title: str = ""

    @classmethod
    def from_arrays(
        cls,
        *arrays: Any,
        player_names: Sequence[str] | None = None,
        strategy_names: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ) -> NormalFormGame:
        """Build a validated game from one payoff array per player (all of the same shape).

        Examples
        --------
        >>> g = NormalFormGame.from_arrays([[2, 0], [0, 1]], [[1, 0], [0, 2]],
        ...                                player_names=["row", "col"])
        >>> g.shape, g.n_players
        ((2, 2), 2)
        """
        if not arrays:
            raise GameError("no payoff arrays given: pass one array per player")
        shapes = {np.shape(a) for a in arrays}
        if len(shapes) != 1:
            raise GameError(f"payoff arrays have different shapes {sorted(shapes)}")
        payoffs = _check_payoffs(np.stack([np.asarray(a, dtype=float) for a in arrays]))
        n = payoffs.shape[0]
        if player_names is not None:
            player_names = tuple(str(p) for p in player_names)
            if len(player_names) != n or len(set(player_names)) != n:
                raise GameError(f"player_names must be {n} distinct names, got {player_names}")
        if strategy_names is not None:
            strategy_names = tuple(tuple(str(s) for s in names) for names in strategy_names)
            if tuple(len(s) for s in strategy_names) != payoffs.shape[1:]:
                raise GameError(
                    f"strategy_names must give {payoffs.shape[1:]} names per player, "
                    f"got {tuple(len(s) for s in strategy_names)}"
                )
        return cls(
            payoffs=payoffs,
            player_names=player_names,
            strategy_names=strategy_names,
            title=str(title),
        )

    @property
    def n_players(self) -> int:
        """Number of players."""
        return self.payoffs.shape[0]

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of strategies of each player."""
        return self.payoffs.shape[1:]

    @property
    def players(self) -> tuple[str, ...]:
        """Player names: ``player_names``, or ``"1"``, ``"2"``, ... when none were given.

        Examples
        --------
        >>> NormalFormGame(np.zeros((2, 1, 3))).players
        ('1', '2')
        """
        if self.player_names is not None:
            return tuple(self.player_names)
        return tuple(str(i + 1) for i in range(self.n_players))

    @property
    def strategies(self) -> tuple[tuple[str, ...], ...]:
        """Strategy names per player: ``strategy_names``, or ``"1"``, ``"2"``, ... per player.

        Examples
        --------
        >>> NormalFormGame(np.zeros((2, 1, 3))).strategies
        (('1',), ('1', '2', '3'))
        """
        if self.strategy_names is not None:
            return tuple(tuple(s) for s in self.strategy_names)
        return tuple(tuple(str(k + 1) for k in range(s)) for s in self.shape)

    def pure_equilibria(self, *, tol: float = 1e-9) -> list[Equilibrium]:
        """Hand-off to :func:`pure_equilibria`.

        Examples
        --------
        >>> g = NormalFormGame.from_arrays([[3, 0], [5, 1]], [[3, 5], [0, 1]])
        >>> [eq.strategies[0].tolist() for eq in g.pure_equilibria()]
        [[0.0, 1.0]]
        """
        return pure_equilibria(self.payoffs, tol=tol)

    def equilibria(self, *, method: str | None = None, tol: float | None = None):
        """Hand-off to :func:`two_player_equilibria` (2 players) or :func:`n_player_equilibria`.

        Examples
        --------
        >>> g = NormalFormGame.from_arrays([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
        >>> g.equilibria().equilibria[0].strategies[0].tolist()
        [0.5, 0.5]
        """
        if self.n_players == 2:
            return two_player_equilibria(
                self.payoffs[0],
                self.payoffs[1],
                method=method or "vertex",
                tol=1e-9 if tol is None else tol,
            )
        return n_player_equilibria(
            self.payoffs, method=method or "gambit_logit", tol=1e-6 if tol is None else tol
        )


# --------------------------------------------------------------------------- validation


def _check_payoffs(payoffs: Any) -> np.ndarray:
    """Validate a payoff tensor of shape (n_players, s_1, ..., s_n)."""
    try:
        arr = np.asarray(payoffs, dtype=float)
    except (TypeError, ValueError) as exc:
        raise GameError(f"payoffs must be a numeric array: {exc}") from None
    if arr.ndim < 2 or arr.shape[0] != arr.ndim - 1:
        raise GameError(
            f"payoffs must have shape (n_players, s_1, ..., s_n) with n_players = ndim - 1; "
            f"got shape {arr.shape}"
        )
    if arr.shape[0] < 2:
        raise GameError(f"a game needs at least 2 players, got {arr.shape[0]}")
    if min(arr.shape[1:]) < 1:
        raise GameError(f"every player needs at least one strategy, got shape {arr.shape[1:]}")
    if not np.all(np.isfinite(arr)):
        raise GameError("payoffs contain NaN or infinite values")
    return arr


def _check_bimatrix(A: Any, B: Any) -> tuple[np.ndarray, np.ndarray]:
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or A.shape != B.shape:
        raise GameError(
            f"A and B must be 2-D payoff matrices of the same shape, got {A.shape} and {B.shape}"
        )
    payoffs = _check_payoffs(np.stack([A, B]))
    return payoffs[0], payoffs[1]


def _check_profile(payoffs: np.ndarray, profile: Sequence[Any]) -> tuple[np.ndarray, ...]:
    shape = payoffs.shape[1:]
    if len(profile) != len(shape):
        raise GameError(
            f"profile must give one strategy per player ({len(shape)}), got {len(profile)}"
        )
    out = []
    for i, (s, k) in enumerate(zip(profile, shape, strict=True)):
        p = np.asarray(s, dtype=float)
        if p.shape != (k,) or not np.all(np.isfinite(p)) or np.any(p < -1e-12):
            raise GameError(
                f"player {i}'s strategy must be {k} non-negative probabilities, got {p.tolist()}"
            )
        if not np.isclose(p.sum(), 1.0, atol=1e-8):
            raise GameError(f"player {i}'s probabilities sum to {p.sum()}, not 1")
        out.append(p)
    return tuple(out)


# --------------------------------------------------------------------------- regret and checks


def _strategy_values(payoffs: np.ndarray, strategies: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each player's payoff from each pure strategy against the others' mixed strategies."""
    values = []
    for i in range(payoffs.shape[0]):
        u = payoffs[i]
        for j in reversed(range(payoffs.shape[0])):  # contract the last axes first
            if j != i:
                u = np.tensordot(u, strategies[j], axes=([j], [0]))
        values.append(u)
    return values


def _regret_and_payoffs(
    payoffs: np.ndarray, strategies: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    values = _strategy_values(payoffs, strategies)
    expected = np.array([v @ s for v, s in zip(values, strategies, strict=True)])
    best = np.array([v.max() for v in values])
    return np.maximum(best - expected, 0.0), expected


def regret(payoffs: Any, profile: Sequence[Any]) -> np.ndarray:
    """Each player's gain from its best pure deviation from a mixed-strategy profile.

    Parameters
    ----------
    payoffs : array_like
        Shape ``(n_players, s_1, ..., s_n)``.
    profile : sequence of array_like
        One probability vector per player.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_players,)``, non-negative; all zero exactly at a Nash equilibrium.

    Examples
    --------
    >>> pd = np.array([[[3, 0], [5, 1]], [[3, 5], [0, 1]]])  # prisoner's dilemma
    >>> regret(pd, [[1, 0], [1, 0]])  # both cooperate: each gains 2 by defecting
    array([2., 2.])
    >>> regret(pd, [[0, 1], [0, 1]])
    array([0., 0.])
    """
    payoffs = _check_payoffs(payoffs)
    return _regret_and_payoffs(payoffs, _check_profile(payoffs, profile))[0]


def _finalise(
    payoffs: np.ndarray,
    profiles: Sequence[Sequence[np.ndarray]],
    *,
    tol: float,
) -> tuple[tuple[Equilibrium, ...], int]:
    """The one place where candidates are checked: regret <= tol, then deduplicated.

    Returns the equilibria and how many candidates failed the regret check.
    """
    kept: list[Equilibrium] = []
    rejected = 0
    for prof in profiles:
        strategies = tuple(np.clip(np.asarray(s, dtype=float), 0.0, None) for s in prof)
        strategies = tuple(s / s.sum() for s in strategies)
        reg, expected = _regret_and_payoffs(payoffs, strategies)
        if np.any(reg > tol):
            rejected += 1
            continue
        if any(
            all(
                np.allclose(s, t, rtol=0.0, atol=max(tol, 1e-9))
                for s, t in zip(strategies, e.strategies, strict=True)
            )
            for e in kept
        ):
            continue
        pure = all(np.isclose(s.max(), 1.0, rtol=0.0, atol=1e-12) for s in strategies)
        if pure:
            strategies = tuple(np.isclose(s, 1.0, rtol=0.0, atol=1e-12) * 1.0 for s in strategies)
        for s in strategies:
            s.flags.writeable = False
        expected.flags.writeable = False
        kept.append(Equilibrium(strategies=strategies, payoffs=expected, pure=bool(pure)))
    kept.sort(key=lambda e: tuple(-np.concatenate(e.strategies)))
    return tuple(kept), rejected


# --------------------------------------------------------------------------- pure equilibria


def _pure_mask(payoffs: np.ndarray, tol: float) -> np.ndarray:
    """Boolean tensor over profiles: True where every player plays a best response."""
    mask = np.ones(payoffs.shape[1:], dtype=bool)
    for i in range(payoffs.shape[0]):
        mask &= payoffs[i] >= payoffs[i].max(axis=i, keepdims=True) - tol
    return mask


def pure_equilibria(payoffs: Any, *, tol: float = 1e-9) -> list[Equilibrium]:
    """All pure-strategy Nash equilibria of a game with any number of players.

    A profile is an equilibrium when, for every player, its payoff is within ``tol`` of the
    maximum over its own axis of the payoff tensor (a vectorised best-response check).

    Parameters
    ----------
    payoffs : array_like
        Shape ``(n_players, s_1, ..., s_n)``.
    tol : float, default 1e-9
        Ties within ``tol`` count as best responses.

    Returns
    -------
    list of Equilibrium
        In lexicographic order of the strategy indices.

    Examples
    --------
    >>> A = [[2, 0], [0, 1]]; B = [[1, 0], [0, 2]]  # battle of the sexes
    >>> [tuple(int(s.argmax()) for s in eq.strategies) for eq in pure_equilibria([A, B])]
    [(0, 0), (1, 1)]
    """
    payoffs = _check_payoffs(payoffs)
    tol = check_tol(tol, error=GameError)
    profiles = np.argwhere(_pure_mask(payoffs, tol))
    shape = payoffs.shape[1:]
    out = []
    for prof in profiles:
        strategies = tuple(np.eye(k)[a] for a, k in zip(prof, shape, strict=True))
        for s in strategies:
            s.flags.writeable = False
        value = payoffs[(slice(None), *prof)].copy()
        value.flags.writeable = False
        out.append(Equilibrium(strategies=strategies, payoffs=value, pure=True))
    return out


# --------------------------------------------------------------------------- two players


def _pure_ties(A: np.ndarray, B: np.ndarray, tol: float) -> bool:
    """Whether some pure strategy has two or more pure best responses (a degeneracy)."""
    row_ties = (A.max(0, keepdims=True) - tol <= A).sum(0) > 1
    col_ties = (B.max(1, keepdims=True) - tol <= B).sum(1) > 1
    return bool(row_ties.any() or col_ties.any())


def _extra_best_responses(A: np.ndarray, B: np.ndarray, eqs, tol: float) -> bool:
    """Whether an equilibrium has more pure best responses than its support size."""
    for e in eqs:
        x, y = e.strategies
        n_br_row = int(np.sum(A @ y >= (A @ y).max() - tol))
        n_br_col = int(np.sum(x @ B >= (x @ B).max() - tol))
        if n_br_row > np.sum(x > tol) or n_br_col > np.sum(y > tol):
            return True
    return False


def lemke_howson(
    A: Any,
    B: Any,
    *,
    initial_dropped_label: int = 0,
    max_pivots: int = 100_000,
    tol: float = 1e-9,
) -> Equilibrium:
    """One Nash equilibrium of a bimatrix game by the Lemke–Howson algorithm.

    Labels ``0..m-1`` are the row player's strategies, ``m..m+n-1`` the column player's.
    The payoffs are rescaled to ``[1, 2]`` and the pivoting uses normalised tableaux with the
    lexicographic minimum-ratio rule, so it neither underflows on large games nor cycles on
    degenerate ones.

    Parameters
    ----------
    A, B : array_like
        ``(m, n)`` payoff matrices of the row and column players.
    initial_dropped_label : int, default 0
        The label dropped at the artificial equilibrium; different labels may give different
        equilibria.
    max_pivots : int, default 100000
        Iteration bound; reaching it raises :class:`~dealsim.errors.SolverError`.
    tol : float, default 1e-9
        The result's regret must be at most ``tol``.

    Returns
    -------
    Equilibrium

    Examples
    --------
    >>> A = [[2, 0], [0, 1]]; B = [[1, 0], [0, 2]]
    >>> eq = lemke_howson(A, B)
    >>> [s.tolist() for s in eq.strategies]
    [[1.0, 0.0], [1.0, 0.0]]
    >>> [s.tolist() for s in lemke_howson(A, B, initial_dropped_label=1).strategies]
    [[0.0, 1.0], [0.0, 1.0]]
    """
    A, B = _check_bimatrix(A, B)
    tol = check_tol(tol, error=GameError)
    m, n = A.shape
    label = int(initial_dropped_label)
    if not 0 <= label < m + n:
        raise GameError(f"initial_dropped_label must be in 0..{m + n - 1}, got {label}")
    from dealsim.solvers._lemke_howson import _lemke_howson_kernel  # lazy: import cost

    x, y, _ = _lemke_howson_kernel(
        _rescale(A), _rescale(B), dropped=label, max_pivots=_check_max_pivots(max_pivots)
    )
    return _checked_endpoint(A, B, x, y, tol=tol)


def _check_max_pivots(max_pivots: int) -> int:
    if int(max_pivots) < 1:
        raise GameError(f"max_pivots must be a positive integer, got {max_pivots}")
    return int(max_pivots)


def _checked_endpoint(
    A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray, *, tol: float
) -> Equilibrium:
    """The end of a Lemke-Howson path as an Equilibrium, after the regret check."""
    eqs, _ = _finalise(np.stack([A, B]), [(x, y)], tol=tol)
    if not eqs:
        reg = regret(np.stack([A, B]), [x, y])
        raise SolverError(
            f"Lemke-Howson ended at a profile with regret {reg.tolist()} > tol={tol} "
            "(numerical trouble); try another initial_dropped_label or a larger tol"
        )
    return eqs[0]


def _race_labels(labels: Any, m: int, n: int) -> np.ndarray:
    """Validate the labels to race; ``None`` means all, or an even spread within the budget."""
    if labels is None:
        count = max(1, min(m + n, _RACE_BUDGET // (m * m + n * n)))
        return np.unique(np.linspace(0, m + n - 1, count).round().astype(np.intp))
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise GameError(f"labels must be a non-empty sequence of integers, got {labels!r}")
    if arr.min() < 0 or arr.max() >= m + n:
        raise GameError(f"labels must be in 0..{m + n - 1}, got {arr.tolist()}")
    return np.unique(arr).astype(np.intp)


def lemke_howson_race(
    A: Any,
    B: Any,
    *,
    labels: Sequence[int] | None = None,
    max_pivots: int = 100_000,
    tol: float = 1e-9,
) -> EquilibriumResult:
    """One Nash equilibrium by racing the Lemke–Howson paths of several dropped labels.

    The lengths of Lemke–Howson paths are heavy-tailed: in a random 200x200 game most labels
    reach an equilibrium within a few pivots while some need more than 10^5. Racing follows
    the paths of all ``labels`` in lockstep, one batched pivot per step over the stack of
    paths, and stops as soon as one ends. Each path is the one :func:`lemke_howson` follows
    for its label (same rescaling, normalised pivots and lexicographic rule), so the result
    is that label's equilibrium.

    Parameters
    ----------
    A, B : array_like
        ``(m, n)`` payoff matrices of the row and column players.
    labels : sequence of int, optional
        The initial dropped labels to race (``0..m-1`` row strategies, ``m..m+n-1`` column
        strategies). Default: all ``m + n``, or an even spread of them when the stacked
        inverse bases of all would exceed about 256 MB (``(m + n) (m^2 + n^2)`` entries).
    max_pivots : int, default 100000
        Iteration bound on every path; reaching it raises :class:`~dealsim.errors.SolverError`.
    tol : float, default 1e-9
        The result's regret must be at most ``tol``.

    Returns
    -------
    EquilibriumResult
        One equilibrium. ``parameters`` records ``winning_label`` (the label whose path ended
        first; the lowest one if several ended at the same pivot), ``pivots`` (its path
        length), ``labels`` (those raced), ``max_pivots`` and ``tol``.

    Examples
    --------
    >>> A = [[3, 3], [2, 5], [0, 6]]; B = [[3, 2], [2, 6], [3, 1]]  # von Stengel (2002)
    >>> res = lemke_howson_race(A, B)
    >>> [s.tolist() for s in res.equilibria[0].strategies]
    [[1.0, 0.0, 0.0], [1.0, 0.0]]
    >>> res.parameters["winning_label"], res.parameters["pivots"]
    (0, 2)
    """
    A, B = _check_bimatrix(A, B)
    tol = check_tol(tol, error=GameError)
    m, n = A.shape
    raced = _race_labels(labels, m, n)
    max_pivots = _check_max_pivots(max_pivots)
    from dealsim.solvers._lemke_howson import _race_kernel  # lazy: import cost

    x, y, label, pivots = _race_kernel(
        _rescale(A), _rescale(B), labels=raced, max_pivots=max_pivots
    )
    eq = _checked_endpoint(A, B, x, y, tol=tol)
    return EquilibriumResult(
        equilibria=(eq,),
        method="lemke_howson_race",
        degenerate=_pure_ties(A, B, tol) or _extra_best_responses(A, B, [eq], tol),
        notes=(f"Lemke-Howson finds one equilibrium, not all: raced {raced.size} labels",),
        parameters={
            "tol": tol,
            "labels": raced.tolist(),
            "winning_label": label,
            "pivots": pivots,
            "max_pivots": max_pivots,
        },
    )


def _nashpy_kernel(A: np.ndarray, B: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    import nashpy

    return [(np.asarray(x), np.asarray(y)) for x, y in nashpy.Game(A, B).vertex_enumeration()]


def two_player_equilibria(
    A: Any, B: Any, *, method: str = "vertex", tol: float = 1e-9
) -> EquilibriumResult:
    """All extreme Nash equilibria of a bimatrix game.

    Parameters
    ----------
    A, B : array_like
        ``(m, n)`` payoff matrices of the row and column players.
    method : {"vertex", "support", "nashpy", "lemke_howson"}
        ``"vertex"`` (default): vertex enumeration of the two best-response polytopes by a
        vectorised search over lexicographic bases; finds every extreme equilibrium, also in
        degenerate games. ``"support"``: support enumeration over supports of equal size,
        batched linear solves (complete for nondegenerate games only). ``"nashpy"``: nashpy's
        ``vertex_enumeration`` (slow beyond about 8x8). ``"lemke_howson"``: one equilibrium,
        by racing the paths of all dropped labels (:func:`lemke_howson_race`); ``parameters``
        records the winning label and its number of pivots.
    tol : float, default 1e-9
        Non-negativity and best-response tolerance; every equilibrium returned has regret at
        most ``tol``.

    Returns
    -------
    EquilibriumResult
        ``degenerate`` is exact for ``"vertex"`` (a vertex of a best-response polytope has
        more labels than its dimension) and a lower bound for the other methods.

    Examples
    --------
    >>> A = [[2, 0], [0, 1]]; B = [[1, 0], [0, 2]]  # battle of the sexes
    >>> res = two_player_equilibria(A, B)
    >>> [[s.round(4).tolist() for s in eq.strategies] for eq in res.equilibria]
    [[[1.0, 0.0], [1.0, 0.0]], [[0.6667, 0.3333], [0.3333, 0.6667]], [[0.0, 1.0], [0.0, 1.0]]]
    >>> res.degenerate
    False
    >>> two_player_equilibria([[1, 1], [1, 1]], [[1, 1], [1, 1]]).degenerate
    True
    """
    A, B = _check_bimatrix(A, B)
    tol = check_tol(tol, error=GameError)
    if method not in TWO_PLAYER_METHODS:
        raise GameError(f"unknown method {method!r}; allowed: {', '.join(TWO_PLAYER_METHODS)}")
    payoffs = np.stack([A, B])
    notes: list[str] = []
    parameters: dict[str, Any] = {"tol": tol}
    continuum = False
    if method == "vertex":
        X, Y, degenerate, continuum = _vertex_kernel(_rescale(A), _rescale(B), tol=tol)
        candidates = list(zip(X, Y, strict=True))
    elif method == "support":
        X, Y = _support_kernel(A, B, tol=tol)
        candidates = list(zip(X, Y, strict=True))
        degenerate = None
    elif method == "nashpy":
        candidates = _nashpy_kernel(A, B)
        degenerate = None
    else:
        race = lemke_howson_race(A, B, tol=tol)
        candidates = [race.equilibria[0].strategies]
        degenerate = None
        parameters.update(race.parameters)
        notes.append(
            f"Lemke-Howson finds one equilibrium, not all: raced {len(race.parameters['labels'])} "
            f"dropped labels, label {race.parameters['winning_label']} ended first"
        )
    equilibria, rejected = _finalise(payoffs, candidates, tol=tol)
    if degenerate is None:
        degenerate = _pure_ties(A, B, tol) or _extra_best_responses(A, B, equilibria, tol)
        if method == "support":
            notes.append(
                "support enumeration checks supports of equal size only: complete for "
                "nondegenerate games; degeneracy detection is partial (use method='vertex')"
            )
    if degenerate:
        notes.append(_CONTINUA_NOTE)
        if method == "vertex":
            notes.append(
                "continua of equilibria exist (an extreme strategy pairs with several others)"
                if continuum
                else "every extreme strategy pairs with one other: no continua found"
            )
    if rejected:
        notes.append(f"{rejected} candidate profiles failed the regret check at tol={tol}")
    return EquilibriumResult(
        equilibria=equilibria,
        method=method,
        degenerate=bool(degenerate),
        notes=tuple(notes),
        parameters=parameters,
    )


# --------------------------------------------------------------------------- n players


def n_player_equilibria(
    payoffs: Any, *, method: str = "gambit_logit", tol: float = 1e-6
) -> EquilibriumResult:
    """Mixed Nash equilibria of an n-player game through pygambit (optional dependency).

    Parameters
    ----------
    payoffs : array_like
        Shape ``(n_players, s_1, ..., s_n)``.
    method : str, default "gambit_logit"
        ``"gambit_logit"`` (one equilibrium, the limit of the principal logit QRE branch),
        ``"gambit_enumpoly"`` (all equilibria by support enumeration with polynomial systems;
        can be slow), ``"gambit_simpdiv"`` (one equilibrium, simplicial subdivision from the
        centroid), ``"gambit_enumpure"`` (pure equilibria); for two players also
        ``"gambit_enummixed"`` and ``"gambit_lcp"``.
    tol : float, default 1e-6
        Regret bound every returned equilibrium must meet (gambit works in floating point).

    Returns
    -------
    EquilibriumResult
        ``parameters`` records the pygambit function used.

    Raises
    ------
    dealsim.errors.SolverError
        If pygambit is not installed.

    Examples
    --------
    >>> payoffs = np.zeros((3, 2, 2, 2))
    >>> payoffs[:, 0, 0, 0] = 1  # all three coordinate on strategy 0
    >>> payoffs[:, 1, 1, 1] = 2  # ... or on strategy 1
    >>> res = n_player_equilibria(payoffs, method="gambit_enumpure")
    >>> [[int(s.argmax()) for s in eq.strategies] for eq in res.equilibria]
    [[0, 0, 0], [1, 1, 1]]
    """
    payoffs = _check_payoffs(payoffs)
    tol = check_tol(tol, error=GameError)
    if method not in GAMBIT_METHODS:
        raise GameError(f"unknown method {method!r}; allowed: {', '.join(GAMBIT_METHODS)}")
    if method in ("gambit_enummixed", "gambit_lcp") and payoffs.shape[0] != 2:
        raise GameError(f"method {method!r} needs a two-player game, got {payoffs.shape[0]}")
    try:
        import pygambit as gbt
    except ImportError:
        raise SolverError(
            f"method {method!r} needs pygambit: pip install dealsim[gambit]"
        ) from None
    game = gbt.Game.from_arrays(*payoffs)
    scale = max(float(np.ptp(payoffs)), 1e-300)
    if method == "gambit_logit":
        res = gbt.nash.logit_solve(game, maxregret=min(1e-8, 0.1 * tol / scale))
    elif method == "gambit_enumpoly":
        res = gbt.nash.enumpoly_solve(game, maxregret=min(1e-4, 0.1 * tol / scale))
    elif method == "gambit_simpdiv":
        maxregret = gbt.Rational(1, int(np.ceil(10 * scale / max(tol, 1e-12))))
        res = gbt.nash.simpdiv_solve(game.mixed_strategy_profile(rational=True), maxregret)
    elif method == "gambit_enumpure":
        res = gbt.nash.enumpure_solve(game)
    elif method == "gambit_enummixed":
        res = gbt.nash.enummixed_solve(game, rational=False)
    else:
        res = gbt.nash.lcp_solve(game, rational=False)
    candidates = [
        [np.array([float(eq[s]) for s in player.strategies]) for player in game.players]
        for eq in res.equilibria
    ]
    equilibria, rejected = _finalise(payoffs, candidates, tol=tol)
    notes = []
    if method in ("gambit_logit", "gambit_simpdiv"):
        notes.append(f"{method} finds one equilibrium, not all")
    if rejected:
        notes.append(f"{rejected} profiles from pygambit failed the regret check at tol={tol}")
    return EquilibriumResult(
        equilibria=equilibria,
        method=method,
        degenerate=False,
        notes=tuple(notes),
        parameters={"tol": tol, "gambit_function": f"pygambit.nash.{res.method}_solve"},
    )


# --------------------------------------------------------------------------- domination


def _dominated_pure(u: np.ndarray, strict: bool, tol: float) -> np.ndarray:
    """u is (s, R): rows dominated by another row (pure domination), as a boolean (s,)."""
    diff = u[None, :, :] - u[:, None, :]  # diff[a, b] = u[b] - u[a]
    if strict:
        dom = np.all(diff > tol, axis=2)
    else:
        dom = np.all(diff >= -tol, axis=2) & np.any(diff > tol, axis=2)
    np.fill_diagonal(dom, False)
    return dom.any(axis=1)


def _dominated_mixed(u: np.ndarray, strict: bool, tol: float) -> np.ndarray:
    """Rows dominated by a mixture of the other rows, one linear programme per row."""
    from scipy.optimize import linprog

    s, R = u.shape
    out = np.zeros(s, dtype=bool)
    for a in range(s):  # one LP per strategy (not per profile)
        others = np.delete(u, a, axis=0)  # (s-1, R)
        k = others.shape[0]
        if k == 0:
            continue
        if strict:
            # max eps s.t. sigma @ others >= u[a] + eps, sigma in the simplex
            c = np.r_[np.zeros(k), -1.0]
            A_ub = np.hstack([-others.T, np.ones((R, 1))])
            bounds = [(0, None)] * k + [(None, None)]
        else:
            # max sum(sigma @ others - u[a]) s.t. sigma @ others >= u[a]
            c = -others.sum(axis=1)
            A_ub = -others.T
            bounds = [(0, None)] * k
        res = linprog(
            c,
            A_ub=A_ub,
            b_ub=-u[a],
            A_eq=np.r_[np.ones(k), np.zeros(len(c) - k)][None, :],
            b_eq=[1.0],
            bounds=bounds,
            method="highs",
        )
        if res.status == 0:
            gain = -res.fun if strict else -res.fun - u[a].sum()
            out[a] = gain > tol
    return out


def _dominated_kernel(
    payoffs: np.ndarray, strict: bool, mixed: bool, tol: float
) -> dict[int, list[int]]:
    out = {}
    for i in range(payoffs.shape[0]):
        u = np.moveaxis(payoffs[i], i, 0).reshape(payoffs.shape[i + 1], -1)
        dom = _dominated_pure(u, strict, tol)
        if mixed:
            dom |= _dominated_mixed(u, strict, tol)
        out[i] = np.flatnonzero(dom).tolist()
    return out


def dominated_strategies(
    payoffs: Any, *, strict: bool = True, mixed: bool = False, tol: float = 1e-9
) -> dict[int, list[int]]:
    """Each player's dominated strategies.

    Parameters
    ----------
    payoffs : array_like
        Shape ``(n_players, s_1, ..., s_n)``.
    strict : bool, default True
        Strict domination (worse by more than ``tol`` against every profile of the others) or
        weak domination (never better by more than ``tol``, worse by more than ``tol`` somewhere).
    mixed : bool, default False
        Also test domination by mixed strategies (a linear programme per strategy, scipy).
    tol : float, default 1e-9

    Returns
    -------
    dict of int to list of int
        Player index to the indices of its dominated strategies.

    Examples
    --------
    >>> pd = [[[3, 0], [5, 1]], [[3, 5], [0, 1]]]  # cooperating is strictly dominated
    >>> dominated_strategies(pd)
    {0: [0], 1: [0]}
    >>> A = [[3, 0], [0, 3], [1, 1]]  # row 2 is dominated by the mix (1/2, 1/2) only
    >>> B = [[0, 0], [0, 0], [0, 0]]
    >>> dominated_strategies([A, B]), dominated_strategies([A, B], mixed=True)
    ({0: [], 1: []}, {0: [2], 1: []})
    """
    payoffs = _check_payoffs(payoffs)
    return _dominated_kernel(payoffs, bool(strict), bool(mixed), check_tol(tol, error=GameError))


def iterated_elimination(
    payoffs: Any, *, strict: bool = True, mixed: bool = False, tol: float = 1e-9
) -> tuple[np.ndarray, ...]:
    """Strategies that survive iterated elimination of dominated strategies.

    Strictly dominated strategies are removed all at once each round (the order does not
    matter). Weakly dominated ones are removed one per round, the lowest-numbered player and
    strategy first, because the result of weak elimination depends on the order.

    Parameters
    ----------
    payoffs : array_like
        Shape ``(n_players, s_1, ..., s_n)``.
    strict, mixed, tol
        As in :func:`dominated_strategies`.

    Returns
    -------
    tuple of numpy.ndarray
        The surviving original strategy indices of each player.

    Examples
    --------
    >>> A = [[1, 1, 0], [0, 0, 2]]; B = [[0, 2, 1], [3, 1, 0]]
    >>> [s.tolist() for s in iterated_elimination([A, B])]
    [[0], [1]]
    """
    payoffs = _check_payoffs(payoffs)
    tol = check_tol(tol, error=GameError)
    alive = [np.arange(k) for k in payoffs.shape[1:]]
    while True:
        sub = payoffs[np.ix_(range(payoffs.shape[0]), *alive)]
        dom = _dominated_kernel(sub, bool(strict), bool(mixed), tol)
        if not any(dom.values()):
            return tuple(alive)
        if strict:
            alive = [np.delete(a, dom[i]) for i, a in enumerate(alive)]
        else:
            i = min(p for p, d in dom.items() if d)
            alive[i] = np.delete(alive[i], dom[i][0])
