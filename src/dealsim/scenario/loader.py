"""Reading scenario files: bundled names or paths, TOML parsing, hashing, validation, compiling."""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
from pathlib import Path

from pydantic import ValidationError

from dealsim.errors import ScenarioError
from dealsim.scenario.compiler import Compiler
from dealsim.scenario.model import WAR, Scenario
from dealsim.scenario.schema import ScenarioFile, validate_scenario_file, validation_error

__all__ = ["bundled_scenarios", "compile_scenario", "load", "loads", "scenario_path"]

SUFFIX = ".toml"


def _bundled_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    installed = here / "scenarios"  # inside a wheel (see pyproject force-include)
    if installed.is_dir():
        return installed
    return here.parents[1] / "scenarios"  # a source checkout (editable install)


def bundled_scenarios() -> dict[str, Path]:
    """The scenarios that ship with dealsim, by name.

    Examples
    --------
    >>> "donbas-2026" in bundled_scenarios()
    True
    """
    folder = _bundled_dir()
    return {p.stem: p for p in sorted(folder.glob(f"*{SUFFIX}"))} if folder.is_dir() else {}


def scenario_path(name_or_path: str | Path) -> Path:
    """Resolve a bundled scenario name or a file path to a path.

    Examples
    --------
    >>> scenario_path("split-linear").name
    'split-linear.toml'
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    bundled = bundled_scenarios()
    if str(name_or_path) in bundled:
        return bundled[str(name_or_path)]
    if path.exists():
        raise ScenarioError("is not a file", file=str(path))
    names = ", ".join(bundled) or "none"
    raise ScenarioError(f"no such file or bundled scenario (bundled: {names})", file=str(path))


def load(name_or_path: str | Path) -> Scenario:
    """Load and validate a scenario from a bundled name or a path.

    Parameters
    ----------
    name_or_path : str or Path
        A bundled scenario name (see ``dealsim list``) or the path of a TOML file.

    Raises
    ------
    ScenarioError
        If the file cannot be read or is invalid; the message names the file and the field.

    Examples
    --------
    >>> scenario = load("donbas-2026")
    >>> scenario.party_ids
    ('us', 'ukraine', 'russia')
    >>> len(scenario.sha256)
    64
    """
    path = scenario_path(name_or_path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ScenarioError(f"cannot read: {error.strerror}", file=str(path)) from None
    return loads(data, file=str(path))


def loads(data: bytes | str, *, file: str = "<string>") -> Scenario:
    """Validate a scenario given as TOML text or bytes.

    Examples
    --------
    >>> text = '''
    ... [scenario]
    ... name = "toy"
    ... [parties.a]
    ... [parties.b]
    ... [issues.x]
    ... levels = ["low", "high"]
    ... [payoffs.a]
    ... weights = {x = 1}
    ... x = {low = 0, high = 1}
    ... [payoffs.b]
    ... weights = {x = 1}
    ... x = {low = 1, high = 0}
    ... '''
    >>> loads(text).issue("x").values
    ('low', 'high')
    """
    raw = data.encode() if isinstance(data, str) else data
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError("is not UTF-8 text", file=file) from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"is not valid TOML: {error}", file=file) from None
    try:
        spec = validate_scenario_file(document)
    except ValidationError as error:
        raise validation_error(error, file) from None
    scenario = compile_scenario(spec, file=file)
    return dataclasses.replace(scenario, sha256=hashlib.sha256(raw).hexdigest())


def compile_scenario(spec: ScenarioFile, *, file: str | None = None) -> Scenario:
    """Compile a validated scenario file into a :class:`Scenario`, checking cross-references.

    Raises
    ------
    ScenarioError
        Naming the file, the dotted field and what is allowed.

    Examples
    --------
    >>> spec = ScenarioFile.model_validate({
    ...     "scenario": {"name": "toy"},
    ...     "parties": {"a": {}, "b": {}},
    ...     "issues": {"x": {"range": [0, 1], "steps": 3}},
    ...     "payoffs": {"a": {"weights": {"x": 1}, "x": {"points": [[0, 0], [1, 1]]}},
    ...                 "b": {"weights": {"x": 1}, "x": {"points": [[0, 1], [1, 0]]}}},
    ... })
    >>> compile_scenario(spec).issue("x").values
    (0.0, 0.5, 1.0)
    """
    compiler = Compiler(spec, file)
    scenario = compiler.compile()
    # Optional sections: strategic games, and the war / ratification / alternating-offers models,
    # compiled against the core scenario with the same compiler. A file without them keeps the
    # Scenario's defaults (no games, no war, ...), and their modules are not imported.
    if spec.outcomes or spec.games:
        from dealsim.scenario.games import compile_games

        scenario = dataclasses.replace(scenario, **compile_games(spec, compiler, scenario))
    if spec.bodies:
        from dealsim.scenario.bodies import compile_bodies

        scenario = dataclasses.replace(scenario, **compile_bodies(spec, compiler, scenario))
    if spec.war is not None or spec.ratification or spec.alternating_offers is not None:
        from dealsim.scenario.dynamics import compile_dynamics

        scenario = dataclasses.replace(scenario, **compile_dynamics(spec, compiler, scenario))
    if spec.proposals or spec.actual is not None:
        from dealsim.scenario.proposals import compile_proposals

        scenario = dataclasses.replace(scenario, **compile_proposals(spec, compiler, scenario))
    for party in scenario.parties:
        if party.reservation == WAR and (scenario.war is None or not scenario.war.covers(party.id)):
            raise compiler.error(
                'reservation = "war" needs a [war] section that gives this party a win '
                "probability (war.p) and a cost (war.costs)",
                f"parties.{party.id}.reservation",
            )
    return scenario
