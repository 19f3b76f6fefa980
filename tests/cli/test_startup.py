"""Start-up: ``dealsim solve`` imports only what solving needs (a behavioural check; the times are
in ``benchmarks/bench_speed.py cli``)."""

import gc
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from dealsim.cli import COMMANDS, load_command, main, run
from dealsim.cli._common import Command

HEAVY = ("scipy", "matplotlib", "pandas", "negmas", "quantecon", "pygambit", "nashpy", "numba")

_RUN = """
import contextlib, io, json, sys
import dealsim.cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        status = dealsim.cli.main({argv!r})
    except SystemExit as exit:
        status = exit.code
report = {{"status": status, "length": len(out.getvalue()), "modules": sorted(sys.modules)}}
print(json.dumps(report))
"""


def _modules_after(argv: list[str]) -> tuple[int, int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _RUN.format(argv=argv)], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.splitlines()[-1])
    return result["status"], result["length"], set(result["modules"])


def _roots(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def _command_modules(modules: set[str]) -> set[str]:
    return {n for n in modules if n.startswith("dealsim.cli.") and n != "dealsim.cli._common"}


@pytest.mark.parametrize("scenario", ["split-linear", "camp-david-1978"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_solve_imports_no_heavy_library_and_no_other_command(scenario, fmt):
    status, length, modules = _modules_after(["solve", scenario, "--format", fmt])
    assert status == 0 and length > 0
    assert _roots(modules).isdisjoint(HEAVY)
    # solve's module, and games (solve reads Gambit .nfg/.efg files through it); no other command
    assert _command_modules(modules) == {"dealsim.cli.solve", "dealsim.cli.games"}
    assert not any(name.startswith(("dealsim.plot", "dealsim.uncertainty")) for name in modules)


def test_solve_of_a_file_without_games_or_war_skips_those_sections_modules():
    _, _, modules = _modules_after(["solve", "split-linear"])
    absent = {f"dealsim.scenario.{name}" for name in ("games", "dynamics", "bodies", "proposals")}
    assert modules.isdisjoint(absent)


def test_help_lists_every_command_without_importing_any():
    status, _, modules = _modules_after(["--help"])
    assert status == 0
    assert _command_modules(modules) == set()
    assert _roots(modules).isdisjoint({*HEAVY, "pydantic"})


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_listed_command_loads_the_command_of_its_name(name):
    command = load_command(name)
    assert isinstance(command, Command)
    assert command.name == name


@pytest.mark.parametrize(("argv", "status"), [(["validate", "logroll"], 0), (["validate", "x"], 2)])
def test_run_exits_with_the_status_of_main(argv, status, capsys):
    try:
        with pytest.raises(SystemExit) as exit:
            run(argv)
    finally:
        gc.unfreeze()  # run froze the collector: give this process its objects back
    assert exit.value.code == status == main(argv)


def test_python_m_dealsim_exits_with_the_status_of_the_command():
    for argv, status in ((["validate", "logroll"], 0), (["validate", "x"], 2)):
        done = subprocess.run([sys.executable, "-m", "dealsim", *argv], capture_output=True)
        assert done.returncode == status


def test_the_console_script_is_the_program_that_freezes_before_exiting():
    pyproject = Path(__file__).parents[2] / "pyproject.toml"
    scripts = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["dealsim"] == "dealsim.cli:run"
