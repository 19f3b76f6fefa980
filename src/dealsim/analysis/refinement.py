"""Refining a solve's bargaining solutions over the continuous (range) issues.

The grid answer of each solution is only as good as the grid. This module cuts the deal space
around the best grid deals into *pieces* on which every party's utility is affine, hands the pieces
to the exact kernels of :mod:`dealsim.solvers.refinement`, and checks every answer on the
scenario's own model before reporting it:

1. Reference deals: for each solution the three best deals of the zone's Pareto frontier (by that
   solution's criterion), each party's best frontier deal, and their grid neighbours (one step up
   or down each range issue) that satisfy the constraints.
2. A reference fixes the levels of the non-numeric issues and the truth of every comparison in the
   terms' ``when`` and the constraints' ``require`` that involves a range issue (an *atom*, such as
   ``donbas_ceded > 0``). Keeping each atom's truth is a linear constraint when the atom is affine
   in the range issues (``x == v`` pins ``x``); within that region the terms that apply and the
   constraints are those of the reference.
3. The region is cut at the breakpoints of the value tables (``points``); on each cell the
   utilities are affine: a piece.
4. Each piece's optimum is evaluated with the scenario's model, exactly as a grid deal is (value
   tables interpolated, terms and constraints evaluated by :mod:`dealsim.expressions` on the
   continuous values). Only points that satisfy every constraint and every reservation (with the
   solve's tolerance times the zone's scale, as the zone and the grid solutions are judged)
   compete; the best replaces the grid deal only if it improves the criterion by more than the
   tolerance.

The ideal point of Kalai–Smorodinsky is refined the same way (each party's best verified point, and
never below the grid's), so the continuous KS solution is the one of the continuous problem.
``batch_solve`` (Monte Carlo, sweeps) stays on the grid.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dealsim._results import ResultMixin
from dealsim.errors import SolverError
from dealsim.expressions import Expression, LevelValues, parse_expression
from dealsim.results import SOLUTION_TITLES
from dealsim.scenario.model import Scenario
from dealsim.solvers.pareto import tolerance_scale
from dealsim.solvers.refinement import continuous_ideal, refine_many, solution_criteria
from dealsim.space import DealSpace, UtilityModel
from dealsim.zone import ZoneComputation

__all__ = ["MAX_PIECES", "ContinuousSolution", "refine_solutions", "render_continuous"]

MAX_PIECES = 4096
"""Limit on the pieces of one refinement (regions x cells); beyond it a solution keeps its grid
deal with status ``"skipped"`` and a note naming the count."""

_TOP = 3  # best frontier deals per solution used as references
_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


@dataclass(frozen=True)
class ContinuousSolution(ResultMixin):
    """A bargaining solution refined over the continuous issues.

    Attributes
    ----------
    deal : dict
        ``{issue: value}``; range issues may lie off the grid.
    utilities : dict
        Each party's utility of ``deal``, evaluated with the scenario's model.
    improvement : float
        The criterion at ``deal`` minus the criterion at the grid deal (0 when the grid deal
        stands). The criteria are the Nash product ``prod (u_i - d_i)^w_i``,
        ``min (u_i - d_i)/(ideal_i - d_i)``, ``min (u_i - d_i)`` and ``sum u_i``.
    criterion, grid_criterion : float
        The criterion at ``deal`` and at the grid deal (same ideal point).
    status : str
        ``"refined"`` (a better deal off the grid), ``"grid"`` (the grid deal is optimal among
        the pieces searched), ``"not_converged"`` or ``"skipped"`` (the grid deal is kept; see
        ``note``).
    note : str
        What was searched, or why the grid deal was kept.
    """

    deal: dict[str, Any]
    utilities: dict[str, float]
    improvement: float
    criterion: float
    grid_criterion: float
    status: str
    note: str


def refine_solutions(
    scenario: Scenario,
    zc: ZoneComputation,
    grid_rows: Mapping[str, int],
    *,
    weights: np.ndarray,
    tol: float = 1e-9,
) -> dict[str, ContinuousSolution]:
    """Refine each grid solution over the scenario's range issues.

    Parameters
    ----------
    scenario : Scenario
        The scenario solved (at its parameter values).
    zc : ZoneComputation
        The zone walk of the solve (frontier, utility model, reservations). Individual
        rationality, degenerate parties, ties and the margin a refined deal must beat are judged
        with ``tol`` times its scale (``zc.scale``), as the zone and the grid solutions are.
    grid_rows : mapping of str to int
        Solution name to its row in ``zc.zone_frontier``.
    weights : ndarray, shape (k,)
        Bargaining powers (weighted Nash).
    tol : float, default 1e-9
        The solve's relative tolerance.

    Returns
    -------
    dict of str to ContinuousSolution
        Empty when the scenario has no range issue or the zone is empty.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.zone import compute_zone
    >>> s = dealsim.load("split-linear")
    >>> zc = compute_zone(s)
    >>> out = refine_solutions(s, zc, {"nash": 25}, weights=np.ones(2))
    >>> out["nash"].status, round(out["nash"].deal["share"], 12)
    ('grid', 0.575)
    """
    issues = scenario.issues
    range_j = [j for j, issue in enumerate(issues) if issue.numeric]
    if not range_j or zc.empty:
        return {}
    d = np.asarray(zc.reservations, dtype=float)
    U = zc.zone_frontier_utilities
    frontier = zc.zone_frontier
    scale = zc.scale  # the zone's, as the grid solutions are judged
    atol = tol * scale
    grid_ideal = U.max(axis=0)
    w_for = {"weighted_nash": weights}
    refs = set()
    for name in grid_rows:
        w = w_for.get(name)
        crit = solution_criteria(U, d, name, ideal=grid_ideal, weights=w, tol=tol, scale=scale)
        refs.update(int(i) for i in np.argsort(-crit, kind="stable")[:_TOP])
        refs.add(int(grid_rows[name]))
    refs.update(int(i) for i in np.argmax(U, axis=0))
    evaluator = _Evaluator(scenario, zc.model.parameters, range_j, model=zc.model)
    codes = zc.space.codes(frontier[sorted(refs)])
    pieces, note = _pieces(scenario, evaluator, codes, range_j)
    idle = _unread_issues(scenario, range_j)
    out: dict[str, ContinuousSolution] = {}
    grid_u = {name: U[row] for name, row in grid_rows.items()}
    grid_deal = {name: zc.space.deal(int(frontier[row])) for name, row in grid_rows.items()}
    if pieces is None:
        for name in grid_rows:
            out[name] = _grid(scenario, grid_deal[name], grid_u[name], 0.0, "skipped", note)
        return out
    cat, lo, width, offsets, slopes, G, h = pieces
    ideal, piece, point = continuous_ideal(offsets, slopes, G, h, d, tol=tol)
    found = piece >= 0
    if found.any():
        x = lo[piece[found]] + width[piece[found]] * point[found]
        u, ok = evaluator.check(cat[piece[found]], x, d, atol)
        verified = np.full(len(d), -np.inf)
        parties = np.flatnonzero(found)
        verified[parties[ok]] = u[ok, parties[ok]]
        ideal = np.maximum(grid_ideal, verified)
    else:
        ideal = grid_ideal
    all_optima = refine_many(
        offsets,
        slopes,
        G,
        h,
        d,
        list(grid_rows),
        ideal=ideal,
        weights=weights,
        tol=tol,
        scale=scale,
    )
    # every criterion's candidates checked on the model at once (row by row, the same numbers)
    found_x = {}
    for name, optima in all_optima.items():
        if isinstance(optima, SolverError):
            continue
        candidates = np.flatnonzero(np.array(optima.status) == "optimal")
        if candidates.size:
            found_x[name] = (
                candidates,
                lo[candidates] + width[candidates] * optima.points[candidates],
            )
    if found_x:
        bounds = np.cumsum([0] + [c.size for c, _ in found_x.values()])
        all_u, all_ok = evaluator.check(
            np.concatenate([cat[c] for c, _ in found_x.values()]),
            np.concatenate([x for _, x in found_x.values()]),
            d,
            atol,
        )
        checked = {
            name: (all_u[bounds[i] : bounds[i + 1]], all_ok[bounds[i] : bounds[i + 1]])
            for i, name in enumerate(found_x)
        }
    for name, row in grid_rows.items():
        w = w_for.get(name)
        grid_value = float(
            solution_criteria(
                U[row : row + 1], d, name, ideal=ideal, weights=w, tol=tol, scale=scale
            )[0]
        )
        optima = all_optima[name]
        if isinstance(optima, SolverError):
            out[name] = _grid(
                scenario, grid_deal[name], grid_u[name], grid_value, "skipped", str(optima)
            )
            continue
        status = np.array(optima.status)
        best_value, best = grid_value, None
        if name in found_x:
            candidates, x = found_x[name]
            u, ok = checked[name]
            values = solution_criteria(u, d, name, ideal=ideal, weights=w, tol=tol, scale=scale)
            values = np.where(ok, values, -np.inf)
            top = int(np.argmax(values))
            margin = tol * max(abs(grid_value), scale if name == "utilitarian" else 0.0, 1e-300)
            if values[top] > grid_value + margin:
                best_value, best = float(values[top]), (cat[candidates[top]], x[top], u[top])
        unconverged = int((status == "not_converged").sum())
        searched = f"{len(offsets)} pieces searched ({note})"
        if best is not None:
            deal = evaluator.deal(*best[:2])
            # a range issue that no utility, term or constraint reads takes any value at the
            # optimum: report the grid deal's, not the vertex the search happened to end on
            deal.update({i: grid_deal[name][i] for i in idle})
            note_text = searched + (f"; {unconverged} did not converge" if unconverged else "")
            out[name] = ContinuousSolution(
                deal=deal,
                utilities=_by_party(scenario, best[2]),
                improvement=best_value - grid_value,
                criterion=best_value,
                grid_criterion=grid_value,
                status="refined",
                note=note_text,
            )
        elif unconverged:
            out[name] = _grid(
                scenario,
                grid_deal[name],
                grid_u[name],
                grid_value,
                "not_converged",
                f"{unconverged} of {len(offsets)} pieces did not converge; the grid deal is kept",
            )
        else:
            out[name] = _grid(
                scenario,
                grid_deal[name],
                grid_u[name],
                grid_value,
                "grid",
                searched + "; no deal off the grid does better",
            )
    return out


_CRITERIA = {
    "nash": "Nash product",
    "weighted_nash": "weighted Nash product",
    "kalai_smorodinsky": "smallest share of the ideal gain",
    "egalitarian": "smallest gain",
    "utilitarian": "sum of utilities",
}


def render_continuous(result: Any) -> list[str]:
    """Text lines for the solutions whose refined deal differs from the grid deal.

    Parameters
    ----------
    result : SolveResult
        A solve with refinement on.

    Returns
    -------
    list of str
        Empty when no solution moved off the grid (or refinement is off); a line per solution
        that did not converge or was skipped.

    Examples
    --------
    >>> import dealsim
    >>> render_continuous(dealsim.solve(dealsim.load("split-linear")))
    []
    """
    from dealsim._format import format_fixed, format_number

    lines: list[str] = []
    reservations = [abs(r) for r in result.reservations.values()]
    for name, solution in result.solutions.items():
        c = None if solution is None else solution.continuous
        if c is None or c.status == "grid":
            continue
        title = SOLUTION_TITLES.get(name, name)
        if c.status != "refined":
            lines.append(f"  {title}: the grid deal is kept ({c.status}: {c.note})")
            continue
        moved = [  # a level the refined deal changes too (it may leave the grid deal's level)
            f"{issue} {format_number(value)} (grid {format_number(solution.deal[issue])})"
            for issue, value in c.deal.items()
            if value != solution.deal[issue]
        ]
        scale = max(reservations + [abs(v) for v in c.utilities.values()], default=0.0)
        utilities = ", ".join(f"{p} {format_fixed(v, scale)}" for p, v in c.utilities.items())
        lines.append(
            f"  {title}: {'; '.join(moved)}; utilities {utilities}; "
            f"{_CRITERIA[name]} +{c.improvement:.4g}"
        )
    if lines:
        lines[:0] = ["", "Off the grid (range issues refined exactly; --no-refine turns this off):"]
    return lines


def _grid(scenario, deal, utilities, value, status, note) -> ContinuousSolution:
    return ContinuousSolution(
        deal=dict(deal),
        utilities=_by_party(scenario, utilities),
        improvement=0.0,
        criterion=value,
        grid_criterion=value,
        status=status,
        note=note,
    )


def _by_party(scenario: Scenario, values: np.ndarray) -> dict[str, float]:
    return {p: float(v) for p, v in zip(scenario.party_ids, values, strict=True)}


class _Evaluator:
    """Utilities and constraints at deals with continuous range values, via the grid's code.

    Only the range issues' value tables move with the deals evaluated: the other issues' tables
    and the terms' ``add`` values are compiled once (``model``: the grid's model at
    ``parameters``, when the caller has it), the range issues' tables at each call, with the same
    code as :meth:`UtilityModel.from_scenario` (the same numbers, bit for bit).
    """

    def __init__(
        self,
        scenario: Scenario,
        parameters: Mapping[str, Any],
        range_j: list[int],
        *,
        model: UtilityModel | None = None,
    ):
        self.scenario = scenario
        self.bare = dataclasses.replace(
            scenario,
            payoffs=tuple(dataclasses.replace(p, terms=()) for p in scenario.payoffs),
            constraints=(),
        )
        self.parameters = dict(parameters)
        self.range_j = range_j
        self.cat_j = [j for j in range(len(scenario.issues)) if j not in range_j]
        if model is None or dict(model.parameters) != self.parameters:
            model = UtilityModel.from_scenario(scenario, self.parameters)
        moving = set(range_j)
        self._fixed = [tuple(e for e in row if e[0] not in moving) for row in model.tables]
        self._adds = model.term_adds

    def _model(self, space: DealSpace, *, terms: bool) -> UtilityModel:
        """The utility model over ``space`` (:meth:`_space`'s), tables compiled only for the
        range issues."""
        issues = space.scenario.issues
        moved = UtilityModel.from_scenario(
            dataclasses.replace(self.bare, issues=tuple(issues[j] for j in self.range_j)),
            self.parameters,
        )
        tables = []
        for fixed, row in zip(self._fixed, moved.tables, strict=True):
            merged = dict(fixed)
            merged.update((self.range_j[r], table) for r, table in row)
            tables.append(tuple(sorted(merged.items(), key=lambda e: e[0])))
        adds = self._adds if terms else tuple(() for _ in tables)
        return UtilityModel(space, tuple(tables), adds, dict(self.parameters))

    def _space(self, scenario: Scenario, cat: np.ndarray, x: np.ndarray):
        issues = list(scenario.issues)
        n = x.shape[0]
        codes = np.zeros((n, len(issues)), dtype=np.intp)
        for col, j in enumerate(self.cat_j):
            codes[:, j] = cat[:, col]
        for col, j in enumerate(self.range_j):
            values, inverse = np.unique(x[:, col], return_inverse=True)
            issues[j] = dataclasses.replace(issues[j], values=tuple(float(v) for v in values))
            codes[:, j] = inverse.reshape(-1)
        space = DealSpace(dataclasses.replace(scenario, issues=tuple(issues)))
        return space, codes

    def utilities(self, cat: np.ndarray, x: np.ndarray, *, terms: bool = True) -> np.ndarray:
        scenario = self.scenario if terms else self.bare
        space, codes = self._space(scenario, cat, x)
        return self._model(space, terms=terms).utilities(space, codes)

    def env(self, cat: np.ndarray, x: np.ndarray) -> dict[str, Any]:
        space, codes = self._space(self.scenario, cat, x)
        return {**self.parameters, **space.columns(codes)}

    def feasible(self, cat: np.ndarray, x: np.ndarray) -> np.ndarray:
        space, codes = self._space(self.scenario, cat, x)
        return self._model(space, terms=True).feasible(space, codes).all(axis=0)

    def check(self, cat, x, d, atol) -> tuple[np.ndarray, np.ndarray]:
        """Utilities and whether each deal satisfies the constraints and every reservation."""
        space, codes = self._space(self.scenario, cat, x)
        model = self._model(space, terms=True)
        u = model.utilities(space, codes)
        ok = model.feasible(space, codes).all(axis=0) & np.all(u >= d - atol, axis=1)
        return u, ok

    def deal(self, cat: np.ndarray, x: np.ndarray) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for j, issue in enumerate(self.scenario.issues):
            if j in self.range_j:
                out[issue.id] = float(x[self.range_j.index(j)])
            else:
                out[issue.id] = issue.value_at(int(cat[self.cat_j.index(j)]))
        return out


def _unread_issues(scenario: Scenario, range_j: list[int]) -> list[str]:
    """The range issues that nothing of the bargaining problem reads: no party weights them
    (a weight of exactly 0 does not count) and no term condition or constraint names them.

    Examples
    --------
    >>> import dealsim
    >>> _unread_issues(dealsim.load("split-linear"), [0])
    []
    """
    named: set[str] = set()
    for constraint in scenario.constraints:
        named |= constraint.require.names
    for payoff in scenario.payoffs:
        named.update(i for i, w in payoff.weights.items() if not (isinstance(w, float) and w == 0))
        for term in payoff.terms:
            named |= term.when.names
    ids = [scenario.issues[j].id for j in range_j]
    return [i for i in ids if i not in named]


def _atoms(scenario: Scenario, range_ids: set[str]) -> list[tuple[Expression, str, Expression]]:
    """Comparisons involving a range issue in the terms' conditions and the constraints."""
    found: dict[tuple[str, str, str], tuple[Expression, str, Expression]] = {}
    expressions = [c.require for c in scenario.constraints]
    expressions += [t.when for p in scenario.payoffs for t in p.terms]
    for expression in expressions:
        for node in ast.walk(expression.tree):
            if not isinstance(node, ast.Compare):
                continue
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
                names = {
                    n.id
                    for side in (left, right)
                    for n in ast.walk(side)
                    if isinstance(n, ast.Name)
                }
                if not names & range_ids:
                    continue
                key = (ast.unparse(left), _OPS[type(op)], ast.unparse(right))
                if key not in found:
                    found[key] = (parse_expression(key[0]), key[1], parse_expression(key[2]))
    return list(found.values())


def _difference(atom, env) -> np.ndarray | None:
    left, _, right = atom
    a, b = left.evaluate(env), right.evaluate(env)
    if isinstance(a, (str, LevelValues)) or isinstance(b, (str, LevelValues)):
        return None
    return np.asarray(a, dtype=float) - np.asarray(b, dtype=float)


def _truth(op: str, g: np.ndarray) -> np.ndarray:
    return {"<": g < 0, "<=": g <= 0, ">": g > 0, ">=": g >= 0, "==": g == 0, "!=": g != 0}[op]


def _pieces(scenario, evaluator: _Evaluator, codes: np.ndarray, range_j: list[int]):
    """The pieces around the reference deals: levels, cell corners, widths, affine model, rows."""
    issues = scenario.issues
    m = len(range_j)
    grids = [np.asarray(issues[j].values, dtype=float) for j in range_j]
    # references and their grid neighbours along each range issue
    rows = [codes]
    for j in range_j:
        for step in (-1, 1):
            moved = codes.copy()
            moved[:, j] = np.clip(moved[:, j] + step, 0, issues[j].size - 1)
            rows.append(moved)
    all_codes = np.unique(np.concatenate(rows), axis=0)
    cat = all_codes[:, evaluator.cat_j]
    x = np.column_stack([grids[c][all_codes[:, j]] for c, j in enumerate(range_j)])
    keep = evaluator.feasible(cat, x)
    cat, x = cat[keep], x[keep]
    atoms = _atoms(scenario, {issues[j].id for j in range_j})
    env = evaluator.env(cat, x)
    truths = np.zeros((len(x), len(atoms)), dtype=bool)
    for a, atom in enumerate(atoms):
        g = _difference(atom, env)
        truths[:, a] = False if g is None else np.broadcast_to(_truth(atom[1], g), len(x))
    patterns = np.unique(
        np.concatenate([cat, truths.astype(cat.dtype)], axis=1), axis=0, return_index=True
    )[1]
    breaks = []
    for j in range_j:
        lo_j, hi_j = issues[j].values[0], issues[j].values[-1]
        points = {lo_j, hi_j}
        for payoff in scenario.payoffs:
            vf = payoff.values.get(issues[j].id)
            if vf is not None and vf.xs is not None:
                points.update(float(v) for v in vf.xs if lo_j < v < hi_j)
        breaks.append(np.array(sorted(points)))
    n_cells = int(np.prod([b.size - 1 for b in breaks]))
    total = len(patterns) * n_cells
    if total > MAX_PIECES:
        return None, f"{total:,} pieces, more than the limit {MAX_PIECES:,} (MAX_PIECES)"
    cells = list(itertools.product(*[range(b.size - 1) for b in breaks]))
    p_cat, p_lo, p_width, p_ref = [], [], [], []
    for ref in patterns:
        for cell in cells:
            p_cat.append(cat[ref])
            p_lo.append([breaks[c][i] for c, i in enumerate(cell)])
            p_width.append([breaks[c][i + 1] - breaks[c][i] for c, i in enumerate(cell)])
            p_ref.append(ref)
    P = len(p_ref)
    p_cat, p_lo, p_width = np.array(p_cat), np.array(p_lo, float), np.array(p_width, float)
    # probe points: each cell's corner, a unit step along each issue, and the centre
    steps = np.vstack([np.zeros(m), np.eye(m), np.full(m, 0.5)])  # (m + 2, m)
    probe_x = (p_lo[:, None, :] + steps[None] * p_width[:, None, :]).reshape(-1, m)
    probe_cat = np.repeat(p_cat, m + 2, axis=0)
    base = evaluator.utilities(probe_cat, probe_x, terms=False).reshape(P, m + 2, -1)
    ref_idx = np.array(p_ref)
    term_part = evaluator.utilities(cat[ref_idx], x[ref_idx]) - evaluator.utilities(
        cat[ref_idx], x[ref_idx], terms=False
    )
    offsets = base[:, 0] + term_part
    slopes = np.moveaxis(base[:, 1 : m + 1] - base[:, :1], 1, 2)  # (P, k, m)
    box_G = np.concatenate([np.eye(m), -np.eye(m)])
    box_h = np.concatenate([np.ones(m), np.zeros(m)])
    G_rows = [np.broadcast_to(box_G, (P, 2 * m, m))]
    h_rows = [np.broadcast_to(box_h, (P, 2 * m))]
    probe_env = evaluator.env(probe_cat, probe_x)
    skipped = 0
    for a, atom in enumerate(atoms):
        g = _difference(atom, probe_env)
        if g is None:
            continue
        g = np.broadcast_to(g, len(probe_x)).reshape(P, m + 2)
        g0, gy = g[:, 0], g[:, 1 : m + 1] - g[:, :1]
        # affine on the cell: the centre's value is the corner's plus half of each step, within
        # 1e-12 of the condition's scale (tolerance_scale: not an absolute 1e-12, which took a
        # condition in units of 1e-13 for affine whatever its shape)
        affine = np.abs(g0 + gy.sum(axis=1) * 0.5 - g[:, m + 1]) <= 1e-9 * np.abs(
            g[:, m + 1]
        ) + 1e-12 * tolerance_scale(g)
        skipped += int((~affine).sum())
        truth = truths[ref_idx, a]
        op = atom[1]
        sign = np.where(np.isin(op, ("<", "<=")) == truth, 1.0, -1.0)  # keep sign * g <= 0
        if op in ("==", "!="):
            pinned = truth == (op == "==")  # g == 0 must hold
            for s in (1.0, -1.0):
                G_rows.append(np.where((affine & pinned)[:, None], s * gy, 0.0)[:, None, :])
                h_rows.append(np.where(affine & pinned, -s * g0, 1.0)[:, None])
            continue
        G_rows.append(np.where(affine[:, None], sign[:, None] * gy, 0.0)[:, None, :])
        h_rows.append(np.where(affine, -sign * g0, 1.0)[:, None])
    G = np.concatenate(G_rows, axis=1)
    h = np.concatenate(h_rows, axis=1)
    note = f"{len(patterns)} regions x {n_cells} cells"
    if skipped:
        note += f"; {skipped} non-linear conditions checked only at the answer"
    return (p_cat, p_lo, p_width, offsets, slopes, G, h), note
