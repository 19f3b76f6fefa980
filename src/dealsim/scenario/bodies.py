"""Compiling ``[bodies.<id>]``: weighted voting bodies, and their approval of a deal.

A body (a parliament by factions, a council) has members with weights, a quota (a number of
votes, or a share of the total weight: ``"2/3"`` is rounded up to the next whole vote by the
solvers) and optional veto members. A coalition of members *wins* when its weights reach the
quota and it holds every veto member. With ``accept`` (one condition over the deal terms per
member), the body *approves* a deal when the members voting yes for it form a winning coalition;
:class:`BodyApproval` is that condition, usable wherever a ``require`` expression is
(``[ratification.<party>] body = "<id>"``). Power indices and pivotal members are computed in
:mod:`dealsim.analysis.coalitions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from dealsim.expressions import Expression
from dealsim.scenario.schema import quota_share

if TYPE_CHECKING:  # pragma: no cover
    from dealsim.scenario.compiler import Compiler
    from dealsim.scenario.model import Scenario
    from dealsim.scenario.schema import ScenarioFile

__all__ = ["BodyApproval", "VotingBody", "body_approval", "compile_bodies"]


@dataclass(frozen=True)
class VotingBody:
    """A weighted voting body.

    Attributes
    ----------
    id, label, source : str
    members : tuple of str
        Member ids in file order (the order of every array below).
    weights : tuple of float
        Each member's votes.
    quota : float
        Votes a winning coalition needs (a share already multiplied by the total weight).
    quota_text : str
        The quota as written (``"226"``, ``"2/3"``).
    veto : tuple of str
        Members every winning coalition must hold.
    accept : dict
        Member id -> condition over the deal under which it votes yes (empty: not modelled).

    Examples
    --------
    >>> body = VotingBody("c", "Council", ("a", "b", "c"), (2.0, 1.0, 1.0), 3.0, "3")
    >>> body.wins(np.array([[True, True, False], [False, True, True]])).tolist()
    [True, False]
    """

    id: str
    label: str
    members: tuple[str, ...]
    weights: tuple[float, ...]
    quota: float
    quota_text: str
    veto: tuple[str, ...] = ()
    source: str = ""
    accept: dict[str, Expression] = field(default_factory=dict)

    @property
    def veto_indices(self) -> tuple[int, ...]:
        """Positions of the veto members in :attr:`members`."""
        return tuple(self.members.index(m) for m in self.veto)

    def wins(self, yes: np.ndarray) -> np.ndarray:
        """Whether each row of ``yes`` (``(..., n_members)`` booleans) is a winning coalition.

        The quota is met up to a relative 1e-9 of the total weight (weights are decimals).
        """
        yes = np.asarray(yes, dtype=bool)
        votes = yes @ np.asarray(self.weights, dtype=float)
        total = float(sum(self.weights))
        win = votes >= self.quota - 1e-9 * max(total, self.quota)
        for i in self.veto_indices:
            win &= yes[..., i]
        return win

    def votes(self, columns: Mapping[str, Any], n: int) -> np.ndarray:
        """Each member's vote on each of ``n`` deals: ``(n, n_members)`` booleans.

        Needs :attr:`accept`; ``columns`` are issue columns merged with parameters.
        """
        out = np.empty((n, len(self.members)), dtype=bool)
        for j, member in enumerate(self.members):
            out[:, j] = np.broadcast_to(self.accept[member].evaluate_mask(columns), (n,))
        return out


@dataclass(frozen=True)
class BodyApproval:
    """The condition "body ``body`` approves the deal", with the interface of an expression.

    ``evaluate_mask`` gives, per deal, whether the members voting yes win, so a ratification
    rule can hold it as its ``require``.

    Examples
    --------
    >>> from dealsim.expressions import parse_expression
    >>> body = VotingBody("c", "Council", ("a", "b"), (1.0, 1.0), 2.0, "2",
    ...                   accept={"a": parse_expression("x > 0"), "b": parse_expression("x > 1")})
    >>> BodyApproval(body).evaluate_mask({"x": np.array([0.5, 2.0])}).tolist()
    [False, True]
    """

    body: VotingBody

    @property
    def source(self) -> str:
        """A description in place of an expression's text."""
        return f"approval by body {self.body.id!r}"

    @property
    def names(self) -> frozenset[str]:
        """Issue and parameter names the members' conditions use."""
        return frozenset().union(*(e.names for e in self.body.accept.values()))

    def evaluate_mask(self, env: Mapping[str, Any]) -> np.ndarray:
        """Whether the body approves each deal of ``env`` (a scalar if ``env`` holds one deal)."""
        masks = [np.asarray(self.body.accept[m].evaluate_mask(env)) for m in self.body.members]
        stacked = np.stack(np.broadcast_arrays(*masks), axis=-1)
        return self.body.wins(stacked)

    def evaluate(self, env: Mapping[str, Any]) -> np.ndarray:
        """The same as :meth:`evaluate_mask` (a condition counts 1 in arithmetic)."""
        return self.evaluate_mask(env)


def compile_bodies(spec: ScenarioFile, compiler: Compiler, scenario: Scenario) -> dict[str, Any]:
    """The ``bodies`` field of the scenario: ``{id: VotingBody}``, every reference checked.

    Errors name the file, ``bodies.<id>.<field>`` and what is allowed.

    Examples
    --------
    >>> import dealsim
    >>> dealsim.load("split-linear").bodies
    {}
    """
    return {"bodies": {key: _body(key, body, compiler) for key, body in spec.bodies.items()}}


def _body(key: str, body: Any, compiler: Compiler) -> VotingBody:
    base = f"bodies.{key}"
    members = tuple(body.members)
    weights = tuple(float(w) for w in body.members.values())
    allowed = ", ".join(members)
    for member, weight in body.members.items():
        if weight < 0:
            raise compiler.error(
                f"{weight:g} is out of bounds (allowed: a number of votes >= 0)",
                f"{base}.members.{member}",
            )
    total = sum(Fraction(w) for w in weights)
    if total <= 0:
        raise compiler.error("the members' weights sum to 0 (give at least one vote)", base)
    if isinstance(body.quota, str):
        quota = float(quota_share(body.quota) * total)
        quota_text = body.quota.strip()
    else:
        quota, quota_text = float(body.quota), f"{body.quota:g}"
        if Fraction(quota) > total:
            raise compiler.error(
                f"{quota:g} votes is more than all members hold together ({float(total):g}); "
                f'allowed: a number in (0, {float(total):g}] or a share such as "2/3"',
                f"{base}.quota",
            )
    for n, member in enumerate(body.veto):
        if member not in body.members:
            raise compiler.error(
                f"unknown member {member!r} (allowed: {allowed})", f"{base}.veto[{n}]"
            )
    if len(set(body.veto)) != len(body.veto):
        raise compiler.error("veto members must be distinct", f"{base}.veto")
    accept = {}
    for member, source in body.accept.items():
        if member not in body.members:
            raise compiler.error(
                f"unknown member {member!r} (allowed: {allowed})", f"{base}.accept.{member}"
            )
        accept[member] = compiler.condition(source, f"{base}.accept.{member}", compiler.probe)
    missing = [m for m in members if m not in accept]
    if accept and missing:
        raise compiler.error(
            f"no condition for member {missing[0]!r}: give every member's vote (members: "
            f'{allowed}; "true" for a member that votes yes on every deal)',
            f"{base}.accept",
        )
    return VotingBody(
        id=key,
        label=body.label or key,
        members=members,
        weights=weights,
        quota=quota,
        quota_text=quota_text,
        veto=tuple(body.veto),
        source=body.source,
        accept={m: accept[m] for m in members} if accept else {},
    )


def body_approval(
    key: str, field: str, compiler: Compiler, bodies: Mapping[str, VotingBody]
) -> BodyApproval:
    """The approval condition of body ``key``, referenced at ``field`` (a ratification's body).

    Raises
    ------
    ScenarioError
        If there is no such body, or it has no ``accept`` conditions.
    """
    if key not in bodies:
        allowed = ", ".join(bodies) or "none: add a [bodies.<id>] section"
        raise compiler.error(f"unknown body {key!r} (allowed: {allowed})", field)
    body = bodies[key]
    if not body.accept:
        raise compiler.error(
            f"body {key!r} has no 'accept' conditions, so its vote on a deal is unknown; give "
            f"[bodies.{key}.accept] with one condition per member",
            field,
        )
    return BodyApproval(body)
