"""Nash equilibria of normal-form games.

A game with ``n`` players is a payoff tensor of shape ``(n, s_1, ..., s_n)``: entry
``payoffs[i, a_1, ..., a_n]`` is player ``i``'s payoff when player ``j`` plays strategy ``a_j``.
A two-player (bimatrix) game is also given as two ``(m, n)`` matrices ``A`` (row player) and
``B`` (column player), so ``payoffs = np.stack([A, B])``.

Every equilibrium any function here returns has passed the same check: each player's regret
(the gain from the best pure deviation) is at most ``tol`` times its payoff scale (its largest
absolute payoff), so answers do not change when the payoffs are rescaled. Equilibria found
more than once are reported once. Lemke–Howson lives in :mod:`dealsim.solvers.lemke_howson`,
dominance in :mod:`dealsim.solvers.dominance`, the shared profile checks in ``_profiles``; their
public functions are re-exported here.

References: von Stengel, B. (2002), "Computing equilibria for two-person games", Handbook of Game
Theory vol. 3, ch. 45; Avis, Rosenberg, Savani and von Stengel (2010), "Enumeration of Nash
equilibria for two-player games", Economic Theory 42.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import comb
from typing import Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim._validate import check_tol
from dealsim.errors import GameError, SolverError
from dealsim.solvers._enumeration import _rescale, _vertex_kernel
from dealsim.solvers._profiles import (
    _CONTINUA_NOTE,
    Equilibrium,
    EquilibriumResult,
    _check_bimatrix_payoffs,
    _check_payoffs,
    _extra_best_responses,
    _finalise,
    _finalise_stacked,
    _pure_ties,
    payoff_scale,
    regret,
)
from dealsim.solvers._support import _support_kernel
from dealsim.solvers.dominance import dominated_strategies, iterated_elimination
from dealsim.solvers.lemke_howson import lemke_howson, lemke_howson_race

__all__ = [
    "MAX_PROFILES",
    "MAX_STRATEGIES",
    "MAX_VERTEX_BOUND",
    "MAX_VERTEX_CANDIDATES",
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

MAX_STRATEGIES = 10_000
"""The most strategies one player of a normal-form game may have (game files, scenarios)."""

MAX_PROFILES = 1_000_000
"""The most strategy profiles (the product of the strategy counts) a normal-form game may have."""

MAX_VERTEX_BOUND = 100_000
"""Vertex enumeration runs when McMullen's upper bound on the vertices of both best-response
polytopes is at most this (square games up to 12x12); above it, or when the enumeration visits too
many bases, ``method="vertex"`` falls back to one equilibrium by raced Lemke–Howson and says so in
``notes`` (and ``parameters["fallback"]``)."""

MAX_VERTEX_CANDIDATES = 10_000
"""The most completely labelled vertex pairs vertex enumeration may pass on to the regret check
and the deduplication (whose table of close pairs grows with their square: 100 MB here; the
13x13 coordination game's 8,191 equilibria fit). A
degenerate game with large continua of equilibria can have many more (an 11x15 game where the
column player is indifferent everywhere has 110,960); above it, ``method="vertex"`` falls back
to one equilibrium by raced Lemke–Howson and says so, as for ``MAX_VERTEX_BOUND``."""


def _vertex_bound(dim: int, facets: int) -> int:
    """McMullen's upper bound on the vertices of a ``dim``-polytope with ``facets`` facets.

    Examples
    --------
    >>> _vertex_bound(2, 4), _vertex_bound(20, 40)
    (4, 40060020)
    """
    half, up = dim // 2, (dim + 1) // 2
    return comb(facets - up, half) + comb(facets - half - 1, up - 1)


GAMBIT_METHODS = (
    "gambit_logit",
    "gambit_enumpoly",
    "gambit_simpdiv",
    "gambit_enumpure",
    "gambit_enummixed",
    "gambit_lcp",
)


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


# ------------------------------------------------------------------ pure and mixed equilibria


def _pure_mask(payoffs: np.ndarray, tol: float) -> np.ndarray:
    """Boolean tensor over profiles: True where every player plays a best response."""
    mask = np.ones(payoffs.shape[1:], dtype=bool)
    scale = payoff_scale(payoffs)
    for i in range(payoffs.shape[0]):
        mask &= payoffs[i] >= payoffs[i].max(axis=i, keepdims=True) - tol * scale[i]
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
        ``"vertex"`` (default): vertex enumeration of the two best-response polytopes;
        finds every extreme equilibrium, also in degenerate games. Small nondegenerate games
        (square up to 9x9, others up to 24 strategies in all) are built by double description
        (Motzkin et al. 1953; Fukuda and Prodon 1996), the others by a vectorised search over
        lexicographic bases (von Stengel 2002). ``"support"``: support enumeration over
        supports of equal size, batched linear solves (complete for nondegenerate games
        only). ``"nashpy"``: nashpy's ``vertex_enumeration`` (slow beyond about 8x8).
        ``"lemke_howson"``: one equilibrium, by racing the paths of all dropped labels
        (:func:`lemke_howson_race`); ``parameters``
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
    payoffs = _check_bimatrix_payoffs(A, B)
    A, B = payoffs
    tol = check_tol(tol, error=GameError)
    if method not in TWO_PLAYER_METHODS:
        raise GameError(f"unknown method {method!r}; allowed: {', '.join(TWO_PLAYER_METHODS)}")
    notes: list[str] = []
    parameters: dict[str, Any] = {"tol": tol}
    continuum = False
    fallback = None
    if method == "vertex":
        m, n = A.shape
        bound = _vertex_bound(m, m + n) + _vertex_bound(n, m + n)
        try:
            if bound > MAX_VERTEX_BOUND:
                raise SolverError(
                    f"a {m}x{n} game's best-response polytopes may have up to {bound:,} vertices "
                    f"(limit {MAX_VERTEX_BOUND:,})"
                )
            X, Y, degenerate, continuum = _vertex_kernel(_rescale(A), _rescale(B), tol=tol)
            if len(X) > MAX_VERTEX_CANDIDATES:
                raise SolverError(
                    f"the {m}x{n} game's polytopes have {len(X):,} completely labelled vertex "
                    f"pairs (limit {MAX_VERTEX_CANDIDATES:,}): a degenerate game with large "
                    "continua of equilibria"
                )
            candidates = None
        except SolverError as error:
            method, fallback = "lemke_howson", str(error)
            parameters["fallback"] = "vertex enumeration too large"
            notes.append(
                f"not every equilibrium: vertex enumeration did not finish ({fallback}); one "
                "equilibrium was found by raced Lemke-Howson instead (see docs/limits.md)"
            )
    if fallback is None and method == "vertex":
        pass
    elif method == "support":
        sa, sb = payoff_scale(payoffs)
        X, Y = _support_kernel(A / sa, B / sb, tol=tol)
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
    if candidates is None:  # vertex enumeration's candidates, already stacked
        equilibria, rejected = _finalise_stacked(payoffs, [X, Y], tol=tol)
    else:
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
