"""JSON Schemas (draft 2020-12) of every JSON document dealsim writes (``dealsim schema NAME``).

Data only. The core keys of each document are strict (required, typed, no unknown keys inside
them); the optional analyses (``games``, ``war``, ``alternating_offers``, ``ratification``,
``proposals``, ``actual``, ...) are described with their main keys and allow more, so that an
analysis can grow without breaking older readers. ``docs/json-output.md`` explains each key.
"""

from __future__ import annotations

import copy
from typing import Any

from dealsim.errors import DealsimError

__all__ = ["DOCUMENTS", "output_schema"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"

# the names of dealsim.results.SOLUTION_NAMES (a layer above this data-only module)
_SOLUTION_NAMES = ("nash", "weighted_nash", "kalai_smorodinsky", "egalitarian", "utilitarian")
_NUMBER_OR_NULL = {"type": ["number", "null"]}
_VALUE = {"type": ["number", "string", "boolean"], "description": "an issue value"}
_DEAL = {
    "type": "object",
    "description": "issue id → value",
    "additionalProperties": _VALUE,
}
_UTILITIES = {
    "type": "object",
    "description": "party id → utility",
    "additionalProperties": _NUMBER_OR_NULL,
}
_VERSION = {"type": "string", "description": "the dealsim version that wrote the document"}
_SCENARIO = {
    "type": "object",
    "description": "the scenario: its name, the SHA-256 of the file's bytes and its path",
    "properties": {
        "name": {"type": "string"},
        "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
        "file": {"type": ["string", "null"]},
    },
    "required": ["name", "sha256"],
    "additionalProperties": False,
}


def _analysis(description: str, keys: dict[str, str] | None = None) -> dict[str, Any]:
    """An optional analysis: described, its main keys named, more keys allowed."""
    schema: dict[str, Any] = {"type": "object", "description": description}
    if keys:
        schema["properties"] = {name: {"description": text} for name, text in keys.items()}
    schema["additionalProperties"] = True
    return schema


_FRONTIER_CORE = {
    "size": {"type": "integer", "minimum": 0, "description": "number of frontier deals"},
    "shown": {"type": "integer", "minimum": 0, "description": "deals listed (≤ size)"},
    "truncated": {"type": "boolean", "description": "true when a cap left deals out"},
    "deals": {"type": "array", "items": _DEAL},
    "utilities": {"type": "array", "items": _UTILITIES},
    "indices": {"type": "array", "items": {"type": "integer", "minimum": 0}},
}
_FRONTIER = {
    "type": "object",
    "description": "the Pareto frontier of the agreement zone; `feasible`: of all feasible deals",
    "properties": {
        **_FRONTIER_CORE,
        "feasible": {
            "type": "object",
            "properties": _FRONTIER_CORE,
            "required": ["size", "deals", "utilities", "indices"],
            "additionalProperties": False,
        },
    },
    "required": ["size", "deals", "utilities", "indices", "feasible"],
    "additionalProperties": False,
}
_SOLUTION = {
    "oneOf": [
        {"type": "null", "description": "no answer (for instance an empty zone)"},
        {
            "type": "object",
            "properties": {
                "method": {"type": "string"},
                "index": {"type": "integer", "minimum": 0, "description": "flat deal index"},
                "deal": _DEAL,
                "utilities": _UTILITIES,
                "refinement": {"type": "string", "description": '"grid": best deal on the grid'},
                "parameters": {"type": "object"},
                "continuous": {
                    **_analysis("the solution refined off the grid; null when not computed"),
                    "type": ["object", "null"],
                },
            },
            "required": ["method", "index", "deal", "utilities", "refinement"],
            "additionalProperties": False,
        },
    ]
}
_ZONE = {
    "type": "object",
    "description": "the zone of possible agreement",
    "properties": {
        "size": {"type": "integer", "minimum": 0},
        "share": {"type": "number", "minimum": 0, "maximum": 1},
        "empty": {"type": "boolean"},
        "feasible": {"type": "integer", "minimum": 0},
        "issue_ranges": {"type": "object"},
        "blocking": {"type": "object", "additionalProperties": {"type": "integer"}},
        "rejecting": {"type": "object", "additionalProperties": {"type": "integer"}},
        "constraint_violations": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
    "required": ["size", "share", "empty", "feasible", "issue_ranges", "blocking", "rejecting"],
    "additionalProperties": False,
}
_DEAL_SPACE = {
    "type": "object",
    "properties": {
        "size": {"type": "integer", "minimum": 1},
        "issues": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "kind": {"enum": ["range", "levels"]},
                    "label": {"type": "string"},
                    "size": {"type": "integer", "minimum": 1},
                    "range": {"type": "array", "items": {"type": "number"}},
                    "steps": {"type": "integer"},
                    "unit": {"type": ["string", "null"]},
                    "levels": {"type": "array", "items": _VALUE},
                },
                "required": ["kind", "size"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["size", "issues"],
    "additionalProperties": False,
}
_ANALYSES = {
    "games": _analysis(
        "game id → kind, players, method, notes, equilibria; normal form: strategies, payoffs, "
        "dominated; trees: path, outcomes, payoffs, ties, thresholds; trees with hidden moves "
        "and no pure equilibrium: equilibria in behaviour strategies (behaviour, beliefs, payoffs, "
        "regret)"
    ),
    "war": _analysis(
        "war as a costly lottery (Fearon 1995): each party's win probability, costs and expected "
        "value of war, the bargaining range and the commitment problem",
        {
            "parties": "party ids",
            "p": "win probabilities",
            "costs": "costs of war",
            "values": "expected value of war",
            "fearon_range": "the Fearon bargaining range",
            "preferred_to_war": "deals every party prefers to war",
            "bargaining_range": "the range on the deal grid",
            "commitment": "the commitment problem (with its `model`)",
            "private_information": "a private cost of war ([war.private], Fearon 1995): the "
            "proposer's optimal offer, p_war, p_accept, expected_utilities, by_spread",
        },
    ),
    "alternating_offers": _analysis(
        "Rubinstein/Ståhl alternating offers over the zone",
        {
            "agreement": "whether an agreement is reached",
            "deal": "the agreed deal",
            "utilities": "each party's utility of it",
            "round": "the round of agreement",
            "by_last_proposer": "the outcome for each choice of last proposer",
        },
    ),
    "ratification": _analysis(
        "two-level games (Putnam 1988): approval probabilities of each ratifying party",
        {
            "parties": "party → ratification curve and approval",
            "joint": "joint approval of the solutions",
            "unconstrained_nash": "the Nash deal ignoring ratification",
            "unconstrained_nash_approval": "its approval by each party",
            "unconstrained_nash_probability": "its joint approval probability",
            "zone_probability_range": "the range of joint approval over the zone",
        },
    ),
    "proposals": _analysis(
        "named proposals from the scenario file: each evaluated like a deal (utilities, who "
        "accepts, in the zone, on the frontier, dominated by)"
    ),
    "actual": _analysis(
        "the deal actually signed (`[actual]` in the scenario) and how it compares",
        {
            "label": "its name",
            "date": "when it was signed",
            "deal": "its terms",
            "utilities": "each party's utility",
            "in_zone": "whether it lies in the zone",
            "on_frontier": "whether it is Pareto optimal",
        },
    ),
    "coalitions": _analysis("sub-coalition zones, cooperative values and voting bodies"),
}

_SOLVE = {
    "$schema": _DRAFT,
    "title": "dealsim solve --format json",
    "type": "object",
    "properties": {
        "dealsim_version": _VERSION,
        "scenario": _SCENARIO,
        "parties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "parameters": {"type": "object", "additionalProperties": {"type": "number"}},
        "reservations": {"type": "object", "additionalProperties": {"type": "number"}},
        "powers": {"type": "object", "additionalProperties": {"type": "number"}},
        "deal_space": _DEAL_SPACE,
        "agreement_zone": _ZONE,
        "pareto_frontier": _FRONTIER,
        "solutions": {
            "type": "object",
            "properties": dict.fromkeys(_SOLUTION_NAMES, _SOLUTION),
            "required": list(_SOLUTION_NAMES),
            "additionalProperties": _SOLUTION,
        },
        **_ANALYSES,
    },
    "required": [
        "dealsim_version",
        "scenario",
        "parties",
        "parameters",
        "reservations",
        "powers",
        "deal_space",
        "agreement_zone",
        "pareto_frontier",
        "solutions",
    ],
    # a further optional analysis is an object (or null), never a bare value
    "additionalProperties": {"type": ["object", "null"]},
}

_SWEEP = {
    "$schema": _DRAFT,
    "title": "dealsim sweep --format json",
    "description": "one solve document per grid point, with its point number",
    "type": "array",
    "items": {
        **{k: v for k, v in _SOLVE.items() if k not in ("$schema", "title")},
        "properties": {
            "point": {"type": "integer", "minimum": 0},
            **_SOLVE["properties"],
        },
        "required": ["point", *_SOLVE["required"]],
    },
}

_SUMMARY = {
    "type": "object",
    "properties": {
        "mean": {"type": "number"},
        "min": {"type": "number"},
        "median": {"type": "number"},
        "max": {"type": "number"},
    },
    "required": ["mean", "min", "median", "max"],
    "additionalProperties": False,
}
_MONTECARLO = {
    "$schema": _DRAFT,
    "title": "dealsim montecarlo --format json",
    "type": "object",
    "properties": {
        "samples": {"type": "integer", "minimum": 1},
        "seed": {"type": "integer", "minimum": 0},
        "p_agreement": {"type": "number", "minimum": 0, "maximum": 1},
        "p_agreement_interval": {
            "type": "array",
            "items": {"type": "number", "minimum": 0, "maximum": 1},
            "minItems": 2,
            "maxItems": 2,
            "description": "95% Wilson score interval",
        },
        "zone_size": _SUMMARY,
        "robust_deals": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "deal": _DEAL,
                    "probability": {"type": "number", "minimum": 0, "maximum": 1},
                },
                "required": ["index", "deal", "probability"],
                "additionalProperties": False,
            },
        },
        "solutions": {
            "type": "object",
            "additionalProperties": _analysis(
                "per solution: p_defined, issue → frequencies (and mean), modal_deal",
                {
                    "p_defined": "share of samples where it is defined",
                    "issues": "",
                    "modal_deal": "",
                },
            ),
        },
        "outcomes": {
            "type": "object",
            "description": "hook → outcome label → probability",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "number"}},
        },
        "parameters": {"type": "object", "description": "the uncertain parameters' distributions"},
        "scenario": _SCENARIO,
        "method": {"const": "monte_carlo"},
        "dealsim_version": _VERSION,
    },
    "required": [
        "samples",
        "seed",
        "p_agreement",
        "p_agreement_interval",
        "zone_size",
        "robust_deals",
        "solutions",
        "outcomes",
        "parameters",
        "scenario",
        "method",
        "dealsim_version",
    ],
    "additionalProperties": False,
}

_SENSITIVITY = {
    "$schema": _DRAFT,
    "title": "dealsim sensitivity --format json",
    "type": "object",
    "properties": {
        "dealsim_version": _VERSION,
        "scenario": _SCENARIO,
        "seed": {"type": "integer", "minimum": 0},
        "tornado": _analysis(
            "one-at-a-time sensitivity: each parameter at its low and high end, others at base",
        ),
        "sobol": {
            "oneOf": [
                {"type": "null", "description": "--no-sobol"},
                _analysis("Sobol first-order and total indices with their confidence intervals"),
            ]
        },
    },
    "required": ["dealsim_version", "scenario", "seed", "tornado", "sobol"],
    "additionalProperties": True,
}

_OFFER = {
    "type": "object",
    "properties": {
        "round": {"type": "integer", "minimum": 0},
        "proposer": {"type": "string"},
        "accepted": {"type": "boolean"},
        "deal": _DEAL,
        "utilities": _UTILITIES,
    },
    "required": ["round", "proposer", "accepted", "deal", "utilities"],
    "additionalProperties": False,
}
_NEGOTIATE = {
    "$schema": _DRAFT,
    "title": "dealsim negotiate --format json",
    "type": "object",
    "properties": {
        "dealsim_version": _VERSION,
        "scenario": _SCENARIO,
        "agents": {"type": "object", "additionalProperties": {"type": "string"}},
        "rounds": {"type": "integer", "minimum": 1},
        "seed": {"type": "integer"},
        "outcome": {"type": "string"},
        "agreement": {"type": "boolean"},
        "agreement_round": {"type": ["integer", "null"]},
        "deal": {"oneOf": [{"type": "null"}, _DEAL]},
        "final_utilities": {"oneOf": [{"type": "null"}, _UTILITIES]},
        "reservations": _UTILITIES,
        "offers": {"type": "array", "items": _OFFER},
    },
    "required": ["dealsim_version", "scenario", "agents", "rounds", "seed", "agreement", "offers"],
    "additionalProperties": False,
}


def _open_document(title: str, description: str) -> dict[str, Any]:
    return {
        "$schema": _DRAFT,
        "title": title,
        "description": description,
        "type": "object",
        "properties": {"dealsim_version": _VERSION, "scenario": _SCENARIO},
        "additionalProperties": True,
    }


_EVALUATE = _open_document(
    "dealsim evaluate --format json",
    "a proposal (or the actual deal) evaluated against the bargaining solutions",
)
_BACKTEST = _open_document(
    "dealsim backtest --format json",
    "retrodiction over the historical scenarios: predicted and actual deals",
)

DOCUMENTS: dict[str, dict[str, Any]] = {
    "solve": _SOLVE,
    "sweep": _SWEEP,
    "montecarlo": _MONTECARLO,
    "sensitivity": _SENSITIVITY,
    "negotiate": _NEGOTIATE,
    "evaluate": _EVALUATE,
    "backtest": _BACKTEST,
}
"""Document name (the command that writes it) → its JSON Schema."""


def output_schema(document: str) -> dict[str, Any]:
    """The JSON Schema of a document dealsim writes (a copy, safe to change).

    Parameters
    ----------
    document : str
        One of :data:`DOCUMENTS`: ``"solve"``, ``"sweep"``, ``"montecarlo"``, ``"sensitivity"``,
        ``"negotiate"``, ``"evaluate"``, ``"backtest"``.

    Returns
    -------
    dict
        A draft 2020-12 JSON Schema.

    Raises
    ------
    DealsimError
        For an unknown document name.

    Examples
    --------
    >>> schema = output_schema("solve")
    >>> schema["title"], schema["required"][:3]
    ('dealsim solve --format json', ['dealsim_version', 'scenario', 'parties'])
    >>> output_schema("solved")
    Traceback (most recent call last):
    ...
    dealsim.errors.DealsimError: unknown document 'solved' (known: solve, sweep, montecarlo, ...)
    """
    if document not in DOCUMENTS:
        raise DealsimError(f"unknown document {document!r} (known: {', '.join(DOCUMENTS)})")
    return copy.deepcopy(DOCUMENTS[document])
