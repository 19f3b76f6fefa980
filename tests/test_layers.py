"""The layers hold: lazy registries point down, and nothing below the command line imports it."""

import ast
from pathlib import Path

import pytest

from dealsim.pipeline import ANALYSES, load_function
from dealsim.report import SECTIONS
from dealsim.uncertainty.montecarlo import OUTCOME_HOOKS

PACKAGE = Path(__file__).parents[1] / "src" / "dealsim"


@pytest.mark.parametrize("key", sorted(ANALYSES))
def test_pipeline_analyses_live_in_the_analysis_layer_below_the_pipeline(key):
    _, target = ANALYSES[key]
    assert target.startswith("dealsim.analysis.")
    assert callable(load_function(target))


@pytest.mark.parametrize("target", sorted({*SECTIONS.values(), *OUTCOME_HOOKS.values()}))
def test_report_sections_and_outcome_hooks_resolve_to_analysis_functions(target):
    assert target.startswith("dealsim.analysis.")
    assert callable(load_function(target))


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_module_outside_the_cli_package_imports_it():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "cli" not in path.relative_to(PACKAGE).parts and path.name != "__main__.py"
        if any(n == "dealsim.cli" or n.startswith("dealsim.cli.") for n in _imported_modules(path))
    ]
    assert offenders == []
