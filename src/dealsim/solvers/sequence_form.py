"""Nash equilibria of two-player games with imperfect information, by the sequence form.

Contract. The input is a :class:`~dealsim.solvers.sequential.GameTree` with exactly two players,
any number of chance nodes and information sets (nodes sharing ``GameTree.infoset``; every node
of a set has the same actions, in the same order), and *perfect recall*: all nodes of a set are
reached by the same sequence of their owner's own moves. A tree without perfect recall raises
:class:`~dealsim.errors.SolverError` naming the information set.

:func:`sequence_form` builds, for each player, the sequences (the empty one, then one per
(information set, action) pair, set by set in the tree's order of information sets), the
constraint matrices ``E``, ``F`` and vectors ``e``, ``f`` of realisation plans (``E x = e``,
``x >= 0``) and the payoff matrices ``A``, ``B`` (``A[s, t]`` sums the first player's payoff
times the chance probability over the terminals reached by sequences ``s`` and ``t``), so that a
pair of plans earns ``x @ A @ y`` and ``x @ B @ y`` (Koller, Megiddo & von Stengel 1996).

:func:`sequence_form_equilibrium` finds one Nash equilibrium in behaviour strategies: a
zero-sum (or constant-sum) game by the sequence-form linear programme (``method="lp"``), any
two-player game by Lemke's algorithm on the sequence-form LCP (``method="lemke"``); ``"auto"``
takes the LP when the payoffs of every terminal sum to the same value. Payoffs are rescaled per
player to a unit range before solving, so payoffs of 1e-6 or 1e6 give the same strategies; every
tolerance is relative to that range. The result carries the behaviour strategies, the beliefs
(Bayes' rule) at every information set reached with positive probability, each player's expected
payoff and their regret (what a best response to the other's strategy would gain, found by
backward induction); the solver checks that every regret is below ``tol`` times the player's
payoff range and raises otherwise. At an information set its owner's own plan never reaches,
the equilibrium does not determine the behaviour: it is reported as uniform and listed in
``notes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import sparse

from dealsim._results import ResultMixin
from dealsim._validate import check_tol
from dealsim.errors import SolverError
from dealsim.solvers import _sequences
from dealsim.solvers._lemke import lemke_sequence_form
from dealsim.solvers._sequence_lp import maxmin_plans
from dealsim.solvers.sequential import GameTree

__all__ = [
    "ExtensiveEquilibrium",
    "SequenceForm",
    "behaviour_regret",
    "sequence_form",
    "sequence_form_equilibrium",
]

Behaviour = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True, eq=False)
class SequenceForm:
    """The sequence form of a two-player game tree.

    Attributes
    ----------
    game : str
    players : tuple of str
    sequences : tuple of two tuples
        Per player, their sequences: ``()`` for the empty one, else ``(information set,
        action)``, the last move of the sequence (which identifies it under perfect recall).
    infosets : tuple of two tuples of str
        Per player, their information sets; row ``i + 1`` of ``E`` (or ``F``) is set ``i``.
    E, F : scipy.sparse.csr_array, shape (1 + sets, sequences)
        Realisation-plan constraints ``E x = e``, ``F y = f``: row 0 fixes the empty sequence
        at 1, each further row says a set's actions share its parent sequence's weight.
    e, f : ndarray
        ``(1, 0, ..., 0)``.
    A, B : scipy.sparse.csr_array, shape (sequences of player 1, sequences of player 2)
        Payoffs of the two players with the chance probabilities folded in.
    """

    game: str
    players: tuple[str, str]
    sequences: tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]
    infosets: tuple[tuple[str, ...], tuple[str, ...]]
    E: sparse.csr_array
    F: sparse.csr_array
    e: np.ndarray
    f: np.ndarray
    A: sparse.csr_array
    B: sparse.csr_array


@dataclass(frozen=True, eq=False)
class ExtensiveEquilibrium(ResultMixin):
    """A Nash equilibrium of a two-player game tree in behaviour strategies.

    Attributes
    ----------
    method : {"lp", "lemke"}
        The sequence-form linear programme or Lemke's algorithm.
    game : str
    players : tuple of str
    behaviour : dict of str to dict of str to float
        Per information set, the probability of each action.
    beliefs : dict of str to (dict of str to float or None)
        Per information set, the probability of each of its nodes given that the set is
        reached (Bayes' rule), or None when the set is reached with probability ``<= tol``.
    reach : dict of str to float
        Probability that play reaches each information set.
    payoffs : dict of str to float
        Each player's expected payoff.
    regret : dict of str to float
        Each player's gain from a best response to the other's strategy (0 at an exact
        equilibrium), in payoff units.
    plans : tuple of two ndarray
        The realisation plans, in the order of :attr:`SequenceForm.sequences`.
    notes : tuple of str
    parameters : dict
        ``method`` asked for, ``tol``, and Lemke's ``pivots``.
    """

    method: Literal["lp", "lemke"]
    game: str
    players: tuple[str, ...]
    behaviour: dict[str, dict[str, float]]
    beliefs: dict[str, dict[str, float] | None]
    reach: dict[str, float]
    payoffs: dict[str, float]
    regret: dict[str, float]
    plans: tuple[np.ndarray, np.ndarray]
    notes: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- building


def _layout(tree: Any) -> _sequences.Layout:
    if not isinstance(tree, GameTree):
        raise SolverError(f"tree must be a GameTree, got {type(tree).__name__}")
    if tree.n_players != 2:
        raise SolverError(
            f"game {tree.name!r}: the sequence-form solvers take two-player trees; this one "
            f"has {tree.n_players} player(s) {list(tree.players)}"
        )
    return _sequences.layout(tree)


def sequence_form(tree: GameTree) -> SequenceForm:
    """The sequence form of a two-player tree: sequences, ``E``, ``F``, ``e``, ``f``, ``A``, ``B``.

    Parameters
    ----------
    tree : GameTree
        Two players, perfect recall.

    Returns
    -------
    SequenceForm

    Raises
    ------
    SolverError
        Not two players, or an information set without perfect recall (named).

    References
    ----------
    .. [1] D. Koller, N. Megiddo and B. von Stengel, "Efficient computation of equilibria for
       extensive two-person games", Games and Economic Behavior 14(2), 247–259, 1996.
    .. [2] B. von Stengel, "Efficient computation of behavior strategies", Games and Economic
       Behavior 14(2), 220–246, 1996.

    Examples
    --------
    Matching pennies: B guesses A's coin without seeing it.

    >>> tree = GameTree.from_nodes(
    ...     {"a": {"player": "A", "actions": {"h": "b_h", "t": "b_t"}},
    ...      "b_h": {"player": "B", "actions": {"h": "match", "t": "miss"}, "infoset": "guess"},
    ...      "b_t": {"player": "B", "actions": {"h": "miss", "t": "match"}, "infoset": "guess"}},
    ...     {"match": [1, -1], "miss": [-1, 1]}, root="a", players=["A", "B"])
    >>> sf = sequence_form(tree)
    >>> sf.sequences[1]
    ((), ('guess', 'h'), ('guess', 't'))
    >>> sf.E.toarray().tolist()
    [[1.0, 0.0, 0.0], [-1.0, 1.0, 1.0]]
    >>> sf.A.toarray().tolist()
    [[0.0, 0.0, 0.0], [0.0, 1.0, -1.0], [0.0, -1.0, 1.0]]
    """
    lay = _layout(tree)
    return _build(tree, lay)


def _build(tree: GameTree, lay: _sequences.Layout) -> SequenceForm:
    labels = tree.infoset_labels
    sequences = []
    for p in range(2):
        seqs: list[tuple[str, ...]] = [()]
        for h in lay.owned[p]:
            seqs.extend((labels[h], a) for a in _sequences.action_labels(tree, lay, int(h)))
        sequences.append(tuple(seqs))
    (E, e), (F, f) = _sequences.constraints(lay, 0), _sequences.constraints(lay, 1)
    return SequenceForm(
        game=tree.name,
        players=(tree.players[0], tree.players[1]),
        sequences=(sequences[0], sequences[1]),
        infosets=tuple(tuple(labels[h] for h in lay.owned[p]) for p in range(2)),  # type: ignore[arg-type]
        E=E,
        F=F,
        e=e,
        f=f,
        A=_sequences.payoff_matrix(lay, tree, tree.payoffs[:, 0]),
        B=_sequences.payoff_matrix(lay, tree, tree.payoffs[:, 1]),
    )


# ------------------------------------------------------------------------------ solving


def _unit_payoffs(tree: GameTree) -> tuple[np.ndarray, np.ndarray]:
    """Payoffs shifted to a maximum of 0 and scaled to a unit range, per player; the ranges."""
    u = tree.payoffs  # every tree has a terminal
    spread = np.ptp(u, axis=0)
    scale = np.where(spread > 0, spread, 1.0)
    return (u - u.max(axis=0)) / scale, scale


def _lemke_kernel(
    lay: _sequences.Layout, A: sparse.csr_array, B: sparse.csr_array, *, max_pivots: int, name: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Lemke's algorithm from the pure best responses to the uniform strategies."""
    uniform = [_sequences.plan_from_behaviour(lay, p, _sequences.uniform(lay, p)) for p in (0, 1)]
    _, start1 = _sequences.best_response(lay, 0, A @ uniform[1])
    _, start2 = _sequences.best_response(lay, 1, B.T @ uniform[0])
    (E, e), (F, f) = _sequences.constraints(lay, 0), _sequences.constraints(lay, 1)
    dense = [m.toarray() for m in (A, B, E, F)]
    try:
        return lemke_sequence_form(*dense, e, f, start1, start2, max_pivots=max_pivots)
    except SolverError as exc:
        raise SolverError(f"game {name!r}: {exc}") from None


def _regrets(lay: _sequences.Layout, A: Any, B: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Best-response gain of each player against the other's plan (units of A and B)."""
    c1, c2 = A @ y, B.T @ x
    best1, _ = _sequences.best_response(lay, 0, c1)
    best2, _ = _sequences.best_response(lay, 1, c2)
    return np.maximum(np.array([best1 - x @ c1, best2 - y @ c2]), 0.0)


def sequence_form_equilibrium(
    tree: GameTree,
    *,
    method: Literal["auto", "lp", "lemke"] = "auto",
    tol: float = 1e-9,
    max_pivots: int = 50_000,
    max_lcp_size: int = 3_000,
) -> ExtensiveEquilibrium:
    """One Nash equilibrium of a two-player game tree, in behaviour strategies.

    Parameters
    ----------
    tree : GameTree
        Two players, perfect recall; chance nodes and information sets allowed.
    method : {"auto", "lp", "lemke"}, default "auto"
        ``"lp"``: the sequence-form linear programme (zero-sum and constant-sum games only).
        ``"lemke"``: Lemke's algorithm on the sequence-form LCP, started from the pure best
        responses to the uniform strategies (any two-player game). ``"auto"``: ``"lp"`` when
        every terminal's payoffs sum to the same value (within ``tol`` of the payoff range),
        else ``"lemke"``.
    tol : float, default 1e-9
        Relative to each player's payoff range: the largest regret accepted, and the test of
        constant sums. Also the probability below which an information set counts as unreached.
    max_pivots : int, default 50000
        Bound on Lemke's pivots.
    max_lcp_size : int, default 3000
        Largest LCP (sequences plus information sets of both players, plus 2) that Lemke's
        dense tableau takes; it holds about ``24 * size**2`` bytes (216 MB at 3000).

    Returns
    -------
    ExtensiveEquilibrium

    Raises
    ------
    SolverError
        The tree is not a two-player tree with perfect recall; ``method="lp"`` on a game that is
        not constant-sum; the LCP exceeds ``max_lcp_size``; Lemke's algorithm exceeds
        ``max_pivots`` or ends on a ray; or the regret of the result exceeds ``tol``.

    Notes
    -----
    The LP gives a maxmin plan of the first player and, from its duals, a minmax plan of the
    second. Lemke's algorithm follows one complementary path: its covering vector penalises
    every action outside the pure best responses to the uniform strategies, with distinct
    weights (see ``dealsim.solvers._lemke``), so the equilibrium found is the one at the end
    of that path; in a game with several equilibria another start may find another.

    See Also
    --------
    sequence_form : the matrices.
    behaviour_regret : the regret of any behaviour strategy profile.

    References
    ----------
    .. [1] D. Koller, N. Megiddo and B. von Stengel, "Efficient computation of equilibria for
       extensive two-person games", Games and Economic Behavior 14(2), 247–259, 1996.
    .. [2] B. von Stengel, "Efficient computation of behavior strategies", Games and Economic
       Behavior 14(2), 220–246, 1996.
    .. [3] C. E. Lemke, "Bimatrix equilibrium points and mathematical programming", Management
       Science 11(7), 681–689, 1965.
    .. [4] H. W. Kuhn, "A simplified two-person poker", in H. W. Kuhn and A. W. Tucker (eds.),
       Contributions to the Theory of Games I, Annals of Mathematics Studies 24, Princeton
       University Press, 97–103, 1950 (the test game of value -1/18).
    .. [5] I.-K. Cho and D. M. Kreps, "Signaling games and stable equilibria", Quarterly
       Journal of Economics 102(2), 179–221, 1987 (beer–quiche, the signalling test game).

    Examples
    --------
    Matching pennies as a tree: each side mixes half and half, the value is 0.

    >>> tree = GameTree.from_nodes(
    ...     {"a": {"player": "A", "actions": {"h": "b_h", "t": "b_t"}},
    ...      "b_h": {"player": "B", "actions": {"h": "match", "t": "miss"}, "infoset": "guess"},
    ...      "b_t": {"player": "B", "actions": {"h": "miss", "t": "match"}, "infoset": "guess"}},
    ...     {"match": [1, -1], "miss": [-1, 1]}, root="a", players=["A", "B"])
    >>> eq = sequence_form_equilibrium(tree)
    >>> eq.method, eq.behaviour["guess"], eq.payoffs
    ('lp', {'h': 0.5, 't': 0.5}, {'A': 0.0, 'B': 0.0})
    >>> eq.beliefs["guess"]
    {'b_h': 0.5, 'b_t': 0.5}
    >>> lemke = sequence_form_equilibrium(tree, method="lemke")
    >>> lemke.behaviour["a"], lemke.regret["A"] < 1e-12
    ({'h': 0.5, 't': 0.5}, True)
    """
    lay = _layout(tree)
    tol = check_tol(tol)
    if method not in ("auto", "lp", "lemke"):
        raise SolverError(f"method must be 'auto', 'lp' or 'lemke', got {method!r}")
    for name, value in (("max_pivots", max_pivots), ("max_lcp_size", max_lcp_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise SolverError(f"{name} must be an integer >= 1, got {value!r}")
    unit, scale = _unit_payoffs(tree)
    sums = unit[:, 0] * scale[0] + unit[:, 1] * scale[1]
    constant_sum = bool(np.ptp(sums) <= tol * max(scale))
    chosen = ("lp" if constant_sum else "lemke") if method == "auto" else method
    if chosen == "lp" and not constant_sum:
        raise SolverError(
            f"game {tree.name!r}: method='lp' needs a zero-sum (or constant-sum) game, but the "
            f"terminal payoffs sum to values from {sums.min():.6g} to {sums.max():.6g} (relative "
            "to the payoff range); use method='lemke' or 'auto'"
        )
    A = _sequences.payoff_matrix(lay, tree, unit[:, 0])
    B = _sequences.payoff_matrix(lay, tree, unit[:, 1])
    pivots = None
    if chosen == "lp":
        (E, e), (F, f) = _sequences.constraints(lay, 0), _sequences.constraints(lay, 1)
        x, y = maxmin_plans(A, E, F, e, f)
    else:
        rows = (1 + lay.owned[0].size, 1 + lay.owned[1].size)
        size = sum(lay.n_seq) + sum(rows)
        if size > max_lcp_size:
            raise SolverError(
                f"game {tree.name!r}: the sequence-form LCP has size {size} (sequences "
                f"{lay.n_seq[0]} + {lay.n_seq[1]}, constraint rows {rows[0]} + {rows[1]}); "
                f"Lemke's dense tableau takes at most max_lcp_size={max_lcp_size} (raise "
                "max_lcp_size=, or use method='lp' for a zero-sum game)"
            )
        chance_weight = _sequences.payoff_matrix(lay, tree, np.ones(tree.payoffs.shape[0]))
        x, y, pivots = _lemke_kernel(
            lay, A - chance_weight, B - chance_weight, max_pivots=max_pivots, name=tree.name
        )
    return _result(tree, lay, chosen, x, y, A, B, scale, tol, method, pivots)


def _result(
    tree: GameTree,
    lay: _sequences.Layout,
    chosen: Literal["lp", "lemke"],
    x: np.ndarray,
    y: np.ndarray,
    A: sparse.csr_array,
    B: sparse.csr_array,
    scale: np.ndarray,
    tol: float,
    asked: str,
    pivots: int | None,
) -> ExtensiveEquilibrium:
    local = []
    unreached = []
    for p, plan in enumerate((x, y)):
        beh, off = _sequences.behaviour_from_plan(lay, p, plan, tol)
        local.append(beh)
        unreached.extend(off.tolist())
    # exact realisation plans of the reported behaviour (normalised, uniform where unreached)
    x = _sequences.plan_from_behaviour(lay, 0, local[0])
    y = _sequences.plan_from_behaviour(lay, 1, local[1])
    regret = _regrets(lay, A, B, x, y)
    worst = int(np.argmax(regret))
    if regret[worst] > tol:
        raise SolverError(
            f"game {tree.name!r}: the {chosen} solution leaves player "
            f"{tree.players[worst]!r} a regret of {regret[worst]:.3g} of their payoff range, "
            f"above tol={tol:g}; the game may be numerically ill-conditioned (raise tol= or "
            "try another method)"
        )
    labels = tree.infoset_labels
    node_reach, set_reach, beliefs = _sequences.reach_and_beliefs(tree, lay, x, y, tol)
    ends = np.flatnonzero(tree.terminal >= 0)
    expected = node_reach[ends] @ tree.payoffs[tree.terminal[ends]]
    notes = []
    if unreached:
        names = ", ".join(repr(labels[h]) for h in sorted(unreached)[:10])
        more = f" and {len(unreached) - 10} more" if len(unreached) > 10 else ""
        notes.append(
            f"information sets their owner's own strategy never reaches ({names}{more}): "
            "the equilibrium does not determine play there; reported as uniform"
        )
    parameters: dict[str, Any] = {"method": asked, "tol": tol}
    if pivots is not None:
        parameters["pivots"] = pivots
    return ExtensiveEquilibrium(
        method=chosen,
        game=tree.name,
        players=tree.players,
        behaviour=_sequences.behaviour_mapping(tree, lay, local),
        beliefs=beliefs,
        reach={labels[h]: float(set_reach[h]) for h in range(len(labels))},
        payoffs={p: float(v) for p, v in zip(tree.players, expected, strict=True)},
        regret={p: float(r * s) for p, r, s in zip(tree.players, regret, scale, strict=True)},
        plans=(x, y),
        notes=tuple(notes),
        parameters=parameters,
    )


def behaviour_regret(
    tree: GameTree, behaviour: Behaviour, *, tol: float = 1e-9
) -> dict[str, float]:
    """Each player's best-response gain against a behaviour strategy profile.

    The best response of each player to the other's behaviour (and chance) is found by
    backward induction over the player's own sequences; the regret is its expected payoff minus
    the player's expected payoff under ``behaviour``. The profile is a Nash equilibrium when
    every regret is 0.

    Parameters
    ----------
    tree : GameTree
        Two players, perfect recall.
    behaviour : mapping of str to mapping of str to float
        For every information set, the probability of each action (actions left out count as
        0), as :attr:`ExtensiveEquilibrium.behaviour` gives it.
    tol : float, default 1e-9
        Tolerance on probabilities summing to 1.

    Returns
    -------
    dict of str to float
        Per player, the regret in payoff units (``>= 0``).

    Raises
    ------
    SolverError
        The tree is not two-player with perfect recall, or ``behaviour`` misses or misnames an
        information set or an action, or does not hold probabilities.

    References
    ----------
    .. [1] B. von Stengel, "Efficient computation of behavior strategies", Games and Economic
       Behavior 14(2), 220–246, 1996.

    Examples
    --------
    In matching pennies, A always showing heads against B's even guess costs A nothing, but
    lets B gain 1 by always guessing heads.

    >>> tree = GameTree.from_nodes(
    ...     {"a": {"player": "A", "actions": {"h": "b_h", "t": "b_t"}},
    ...      "b_h": {"player": "B", "actions": {"h": "match", "t": "miss"}, "infoset": "guess"},
    ...      "b_t": {"player": "B", "actions": {"h": "miss", "t": "match"}, "infoset": "guess"}},
    ...     {"match": [1, -1], "miss": [-1, 1]}, root="a", players=["A", "B"])
    >>> behaviour_regret(tree, {"a": {"h": 1.0}, "guess": {"h": 0.5, "t": 0.5}})
    {'A': 0.0, 'B': 1.0}
    """
    lay = _layout(tree)
    tol = check_tol(tol)
    local = _sequences.local_from_mapping(tree, lay, behaviour, tol)
    x = _sequences.plan_from_behaviour(lay, 0, local[0])
    y = _sequences.plan_from_behaviour(lay, 1, local[1])
    unit, scale = _unit_payoffs(tree)
    A = _sequences.payoff_matrix(lay, tree, unit[:, 0])
    B = _sequences.payoff_matrix(lay, tree, unit[:, 1])
    regret = _regrets(lay, A, B, x, y) * scale
    return {p: float(r) for p, r in zip(tree.players, regret, strict=True)}
