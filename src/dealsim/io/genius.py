"""Genius / ANAC negotiation domains: XML domain and utility-space files → dealsim scenario files.

Genius (Lin et al. 2014) and NegMAS describe a domain in one XML file (``<negotiation_template>``
with ``<issue>`` elements) and each party's preferences in a utility-space file: a
linear-additive utility ``u(ω) = Σ_i w_i · e_i(ω_i)`` with one weight per issue, an evaluation
per value of a discrete issue (divided by the issue's largest evaluation, as Genius does), a
linear evaluator of an integer issue, a reservation value and a discount factor.

:func:`read_genius` parses the files into a :class:`GeniusDomain`; :func:`genius_scenario_toml`
writes it as a scenario file: discrete issues become ``levels``, integer issues a ``range`` with
one step per integer, weights and evaluations become ``[payoffs.<party>]``, the reservation value
``reservation`` and the discount factor ``discount`` (which also runs the alternating-offers
analysis when below 1). Only linear-additive utility spaces are supported; anything else is an
error naming the file and the element.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from dealsim.errors import ScenarioError

__all__ = [
    "MAX_XML_BYTES",
    "MAX_XML_ELEMENTS",
    "GeniusDomain",
    "GeniusIssue",
    "GeniusProfile",
    "genius_scenario_toml",
    "parse_genius_domain",
    "parse_genius_profile",
    "read_genius",
]


@dataclass(frozen=True)
class GeniusIssue:
    """An issue of a Genius domain: ``discrete`` (its ``values``) or ``integer`` (``bounds``)."""

    name: str
    kind: str
    values: tuple[str, ...] = ()
    bounds: tuple[int, int] | None = None


@dataclass(frozen=True)
class GeniusProfile:
    """A linear-additive utility space: per-issue weights and evaluations in [0, 1].

    ``evaluations[issue]`` maps each value of a discrete issue to its evaluation; for an integer
    issue it holds ``{"lower": e(lo), "upper": e(hi)}``, the linear evaluator at its two bounds.
    """

    name: str
    weights: dict[str, float]
    evaluations: dict[str, dict[str, float]]
    reservation: float = 0.0
    discount: float = 1.0

    def utility(self, deal: dict[str, str | int], issues: Sequence[GeniusIssue]) -> float:
        """The utility of a deal (issue name → value), as Genius computes it.

        Examples
        --------
        >>> issue = GeniusIssue("x", "discrete", ("a", "b"))
        >>> profile = GeniusProfile("p", {"x": 1.0}, {"x": {"a": 0.25, "b": 1.0}})
        >>> profile.utility({"x": "a"}, [issue])
        0.25
        """
        total = 0.0
        for issue in issues:
            evaluation = self.evaluations[issue.name]
            if issue.kind == "discrete":
                value = evaluation[str(deal[issue.name])]
            else:
                lo, hi = issue.bounds
                t = (int(deal[issue.name]) - lo) / (hi - lo) if hi > lo else 0.0
                value = evaluation["lower"] + t * (evaluation["upper"] - evaluation["lower"])
            total += self.weights[issue.name] * value
        return total


@dataclass(frozen=True)
class GeniusDomain:
    """A Genius domain with its parties' utility spaces (one per profile file, in order)."""

    name: str
    issues: tuple[GeniusIssue, ...]
    profiles: tuple[GeniusProfile, ...]


def _error(file: str | Path, message: str) -> ScenarioError:
    return ScenarioError(f"{file}: {message}")


MAX_XML_BYTES = 10_000_000
"""The largest Genius XML file read (10 MB; ANAC domains are a few kilobytes)."""

MAX_XML_ELEMENTS = 200_000
"""The most elements a Genius XML file may hold (issues, items, weights, ...)."""


_MAX_STEPS = 100_000  # the scenario format's limit on a range issue's steps (docs/limits.md)


class _Refused(Exception):
    """Raised from the expat pre-pass: the file declares what a Genius file never needs."""


def _refuse(what: str):
    def handler(*_args: object) -> None:
        raise _Refused(what)

    return handler


def _check_xml(data: bytes) -> None:
    """Scan ``data`` once with expat, before any tree is built (linear time, no tree).

    A document type declaration (and so any entity: billion laughs, quadratic blow-up,
    external entities) is refused, as is a file of more than :data:`MAX_XML_ELEMENTS` elements.
    """
    count = 0

    def start(*_args: object) -> None:
        nonlocal count
        count += 1
        if count > MAX_XML_ELEMENTS:
            raise _Refused(f"more than {MAX_XML_ELEMENTS:,} elements (the limit)")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse(
        "a document type declaration (<!DOCTYPE>) is not allowed: Genius files have none, "
        "and entities in it could expand without bound"
    )
    parser.EntityDeclHandler = _refuse("an entity declaration (<!ENTITY>) is not allowed")
    parser.ExternalEntityRefHandler = _refuse("an external entity is not allowed")
    parser.StartElementHandler = start
    parser.Parse(data, True)


def _parse(file: str | Path, text: str | None) -> ET.Element:
    """The root of a Genius XML file, read safely (size, DTD and element limits first)."""
    try:
        if text is None:
            with open(file, "rb") as handle:
                data = handle.read(MAX_XML_BYTES + 1)
        else:
            data = text.encode("utf-8")
            if text.lstrip().startswith("<?xml"):  # the declaration may name another encoding
                data = re.sub(rb"encoding=[\"'][^\"']*[\"']", b'encoding="utf-8"', data, count=1)
        if len(data) > MAX_XML_BYTES:
            raise _error(file, f"larger than {MAX_XML_BYTES:,} bytes (the limit for a Genius file)")
        _check_xml(data)
        return ET.fromstring(data)
    except _Refused as refused:
        raise _error(file, f"not read: {refused}") from None
    except (ET.ParseError, expat.ExpatError) as error:
        raise _error(file, f"not a Genius XML file: {error}") from None
    except OSError as error:
        raise _error(file, f"cannot read: {error.strerror or error}") from None


def _issues(root: ET.Element, file: str | Path) -> list[ET.Element]:
    objective = root.find(".//objective")
    if objective is None:
        raise _error(file, "no <objective> element (expected a Genius utility_space)")
    issues = objective.findall("issue")
    if not issues:
        raise _error(file, "the <objective> has no <issue>")
    return issues


def _kind(issue: ET.Element, file: str | Path) -> str:
    kind = (issue.get("etype") or issue.get("type") or issue.get("vtype") or "").lower()
    if kind not in ("discrete", "integer"):
        raise _error(
            file,
            f"issue {issue.get('name')!r}: type {kind!r} is not supported "
            "(allowed: discrete, integer)",
        )
    return kind


def _number(element: ET.Element, attribute: str, file: str | Path, where: str) -> float:
    text = element.get(attribute)
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise _error(file, f"{where}: {attribute}={text!r} is not a number") from None
    if not math.isfinite(value):
        raise _error(file, f"{where}: {attribute}={text!r} is not finite")
    return value


def parse_genius_domain(file: str | Path, text: str | None = None) -> tuple[str, list[GeniusIssue]]:
    """The name and issues of a Genius domain file (``text`` instead of reading ``file``).

    Examples
    --------
    >>> name, issues = parse_genius_domain("d.xml", '''<negotiation_template>
    ...   <utility_space number_of_issues="2"><objective index="0" name="party" etype="objective">
    ...     <issue name="Food" index="1" etype="discrete"><item index="1" value="Chips"/>
    ...       <item index="2" value="Catering"/></issue>
    ...     <issue name="Guests" index="2" etype="integer" lowerbound="10" upperbound="50"/>
    ...   </objective></utility_space></negotiation_template>''')
    >>> name, [(i.name, i.kind, i.values, i.bounds) for i in issues]
    ('party', [('Food', 'discrete', ('Chips', 'Catering'), None),
               ('Guests', 'integer', (), (10, 50))])
    """
    root = _parse(file, text)
    objective = root.find(".//objective")
    issues = []
    for element in _issues(root, file):
        name = element.get("name")
        if not name:
            raise _error(file, f"an <issue> (index {element.get('index')}) has no name")
        kind = _kind(element, file)
        if kind == "discrete":
            values = tuple(item.get("value") for item in element.findall("item"))
            if not values or None in values:
                raise _error(file, f"issue {name!r}: every <item> needs a value, and one at least")
            issues.append(GeniusIssue(name, kind, values=values))
        else:
            lo = _number(element, "lowerbound", file, f"issue {name!r}")
            hi = _number(element, "upperbound", file, f"issue {name!r}")
            if lo != int(lo) or hi != int(hi) or lo >= hi:
                raise _error(
                    file, f"issue {name!r}: needs integer bounds with lowerbound < upperbound"
                )
            if hi - lo + 1 > _MAX_STEPS:
                raise _error(
                    file,
                    f"issue {name!r}: {hi - lo + 1:,.6g} integer values, above the limit of "
                    f"{_MAX_STEPS:,} steps of a scenario's range issue",
                )
            issues.append(GeniusIssue(name, kind, bounds=(int(lo), int(hi))))
    return objective.get("name") or Path(str(file)).stem, issues


def parse_genius_profile(
    file: str | Path, issues: Sequence[GeniusIssue], text: str | None = None
) -> GeniusProfile:
    """A party's linear-additive utility space over the domain's issues.

    Weights are normalised to sum to 1; discrete evaluations are divided by the issue's largest
    evaluation; an integer issue's linear evaluator is given either by ``slope`` and ``offset``
    (``e(x) = slope·x + offset``) or by its evaluations at the bounds (``lowerbound`` and
    ``upperbound`` attributes of ``<evaluator>``).

    Examples
    --------
    >>> issues = [GeniusIssue("Food", "discrete", ("Chips", "Catering"))]
    >>> p = parse_genius_profile("buyer.xml", issues, '''<utility_space>
    ...   <objective index="0" name="party" etype="objective">
    ...     <issue index="1" name="Food" etype="discrete">
    ...       <item index="1" value="Chips" evaluation="1"/>
    ...       <item index="2" value="Catering" evaluation="4"/></issue>
    ...     <weight index="1" value="1.0"/></objective>
    ...   <reservation value="0.3"/><discount_factor value="0.9"/></utility_space>''')
    >>> p.name, p.evaluations, p.reservation, p.discount
    ('buyer', {'Food': {'Chips': 0.25, 'Catering': 1.0}}, 0.3, 0.9)
    """
    root = _parse(file, text)
    by_name = {issue.name: issue for issue in issues}
    objective = root.find(".//objective")
    elements = _issues(root, file)
    weights_by_index = {
        w.get("index"): _number(w, "value", file, f"<weight index={w.get('index')}>")
        for w in objective.findall("weight")
    }
    weights: dict[str, float] = {}
    evaluations: dict[str, dict[str, float]] = {}
    for element in elements:
        name = element.get("name")
        if name not in by_name:
            raise _error(
                file, f"issue {name!r} is not in the domain (its issues: {', '.join(by_name)})"
            )
        issue = by_name[name]
        where = f"issue {name!r}"
        if element.get("index") not in weights_by_index:
            raise _error(file, f"{where}: no <weight index={element.get('index')!r}>")
        weights[name] = weights_by_index[element.get("index")]
        if issue.kind == "discrete":
            raw = {
                item.get("value"): _number(
                    item, "evaluation", file, f"{where}, item {item.get('value')!r}"
                )
                for item in element.findall("item")
            }
            missing = [v for v in issue.values if v not in raw]
            if missing:
                raise _error(file, f"{where}: no evaluation of {missing[0]!r}")
            top = max(raw.values())
            if min(raw.values()) < 0 or top <= 0:
                raise _error(file, f"{where}: evaluations must be >= 0 with a positive maximum")
            evaluations[name] = {v: raw[v] / top for v in issue.values}
        else:
            evaluator = element.find("evaluator")
            if evaluator is None or (evaluator.get("ftype") or "linear") != "linear":
                raise _error(file, f'{where}: needs a linear <evaluator> (ftype="linear")')
            lo, hi = issue.bounds
            if evaluator.get("slope") is not None:
                slope = _number(evaluator, "slope", file, where)
                offset = _number(evaluator, "offset", file, where)
                lower, upper = slope * lo + offset, slope * hi + offset
            else:
                lower = _number(evaluator, "lowerbound", file, where)
                upper = _number(evaluator, "upperbound", file, where)
            evaluations[name] = {"lower": lower, "upper": upper}
    total = sum(weights.values())
    if min(weights.values()) < 0 or total <= 0:
        raise _error(file, "weights must be >= 0 with a positive sum")
    weights = {name: w / total for name, w in weights.items()}
    reservation = root.find("reservation")
    discount = root.find("discount_factor")
    profile = GeniusProfile(
        name=Path(str(file)).stem,
        weights=weights,
        evaluations=evaluations,
        reservation=0.0
        if reservation is None
        else _number(reservation, "value", file, "<reservation>"),
        discount=1.0 if discount is None else _number(discount, "value", file, "<discount_factor>"),
    )
    if not 0 <= profile.discount <= 1:
        raise _error(file, f"<discount_factor> value={profile.discount} must lie in [0, 1]")
    return profile


def read_genius(domain: str | Path, profiles: Sequence[str | Path]) -> GeniusDomain:
    """Read a domain file and one utility-space file per party (at least two).

    Examples
    --------
    >>> read_genius("party_domain.xml", ["party1_utility.xml"])
    Traceback (most recent call last):
    ...
    dealsim.errors.ScenarioError: party_domain.xml: give two utility-space files at least (...)
    """
    if len(profiles) < 2:
        raise ScenarioError(f"{domain}: give two utility-space files at least (one per party)")
    name, issues = parse_genius_domain(domain)
    parsed = tuple(parse_genius_profile(p, issues) for p in profiles)
    return GeniusDomain(name=name, issues=tuple(issues), profiles=parsed)


def _identifier(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "x"
    if base[0].isdigit():
        base = f"x_{base}"
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}_{n}", n + 1
    taken.add(ident)
    return ident


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'


def _num(value: float) -> str:
    return repr(float(value))


def genius_scenario_toml(domain: GeniusDomain, *, source: str = "") -> str:
    """The scenario file (TOML text) of a Genius domain and its parties.

    Issue and party ids are the Genius names made into identifiers (lowercase, ``_`` for other
    characters); the original names become labels, and discrete values stay as they are.

    Examples
    --------
    >>> issues = (GeniusIssue("Food", "discrete", ("Chips", "Catering")),)
    >>> profiles = tuple(GeniusProfile(n, {"Food": 1.0}, {"Food": e}, reservation=0.2)
    ...                  for n, e in [("A", {"Chips": 1.0, "Catering": 0.5}),
    ...                               ("B", {"Chips": 0.0, "Catering": 1.0})])
    >>> text = genius_scenario_toml(GeniusDomain("party", issues, profiles))
    >>> print(text[text.index("[issues.food]") :].split("\\n\\n")[0])
    [issues.food]
    label = "Food"
    levels = ["Chips", "Catering"]
    >>> print(text[text.index("[payoffs.a]") :].split("\\n\\n")[0])
    [payoffs.a]
    weights = { food = 1.0 }
    food = { "Chips" = 1.0, "Catering" = 0.5 }
    """
    taken: set[str] = set()
    issue_ids = {issue.name: _identifier(issue.name, taken) for issue in domain.issues}
    party_taken: set[str] = set()
    party_ids = [_identifier(p.name, party_taken) for p in domain.profiles]
    lines = [
        "# Imported from a Genius negotiation domain by dealsim import genius.",
        "# Linear-additive utilities: u = sum of weight * evaluation over the issues (weights sum",
        "# to 1; discrete evaluations divided by the issue's largest, as Genius does).",
        "",
        "[scenario]",
        f"name = {_toml_string(domain.name)}",
        f"description = {_toml_string('Genius/ANAC domain ' + domain.name)}",
    ]
    if source:
        lines.append(f"sources = [{_toml_string(source)}]")
    for pid, profile in zip(party_ids, domain.profiles, strict=True):
        lines += ["", f"[parties.{pid}]", f"label = {_toml_string(profile.name)}"]
        lines.append(f"reservation = {_num(profile.reservation)}")
        if profile.discount < 1:
            lines.append(f"discount = {_num(profile.discount)}")
    for issue in domain.issues:
        lines += ["", f"[issues.{issue_ids[issue.name]}]", f"label = {_toml_string(issue.name)}"]
        if issue.kind == "discrete":
            lines.append(f"levels = [{', '.join(_toml_string(v) for v in issue.values)}]")
        else:
            lo, hi = issue.bounds
            lines += [f"range = [{lo}, {hi}]", f"steps = {hi - lo + 1}"]
    for pid, profile in zip(party_ids, domain.profiles, strict=True):
        weights = ", ".join(
            f"{issue_ids[i.name]} = {_num(profile.weights[i.name])}" for i in domain.issues
        )
        lines += ["", f"[payoffs.{pid}]", f"weights = {{ {weights} }}"]
        for issue in domain.issues:
            evaluation = profile.evaluations[issue.name]
            if issue.kind == "discrete":
                table = ", ".join(
                    f"{_toml_string(v)} = {_num(evaluation[v])}" for v in issue.values
                )
                lines.append(f"{issue_ids[issue.name]} = {{ {table} }}")
            else:
                lo, hi = issue.bounds
                points = (
                    f"[[{lo}, {_num(evaluation['lower'])}], [{hi}, {_num(evaluation['upper'])}]]"
                )
                lines.append(f"{issue_ids[issue.name]} = {{ points = {points} }}")
    return "\n".join(lines) + "\n"
