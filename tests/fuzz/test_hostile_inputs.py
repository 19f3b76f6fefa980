"""Hostile and careless input: every input ends with exit 0 or 2, quickly, in bounded memory.

Each case runs ``dealsim`` in a child process limited to 2 GB of address space and 30 s; the run
must exit with status 0 or 2 and print no traceback. Cases cover each class of issue 12: limits
checked before work (deal space, value tables, games, expressions), clean errors (outputs, resumed
run files, option values) and answers that used to be silently wrong (reserved names, NaN in
conditions).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealsim.cli import main
from dealsim.errors import DealsimError
from dealsim.expressions import ExpressionError, parse_expression
from dealsim.space import DealSpace, check_space_size

LOGROLL = (Path(__file__).parents[2] / "scenarios" / "logroll.toml").read_text(encoding="utf-8")
BODY = LOGROLL[LOGROLL.index("[scenario]") :]
MEMORY = 2 * 1024**3


def _limit_memory() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def dealsim(*args: str, cwd: Path, isolated: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the command line: exit 0 or 2, no traceback, no RuntimeWarning.

    ``isolated`` runs it in a child process limited to 2 GB of address space and 30 s (for the
    inputs that used to exhaust memory or hang); otherwise in this process (fast), with numpy's
    RuntimeWarning turned into an error so that one cannot slip through.
    """
    if isolated:
        proc = subprocess.run(
            [sys.executable, "-m", "dealsim", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=30,
            preexec_fn=_limit_memory,
        )
    else:
        out, err = io.StringIO(), io.StringIO()
        here = os.getcwd()
        os.chdir(cwd)
        try:
            with (
                contextlib.redirect_stdout(out),
                contextlib.redirect_stderr(err),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("error", RuntimeWarning)
                try:
                    code = main(list(args))
                except SystemExit as exit_:  # argparse refuses an option value
                    code = exit_.code
        finally:
            os.chdir(here)
        proc = subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
    assert proc.returncode in (0, 2), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "RuntimeWarning" not in proc.stderr, proc.stderr
    return proc


ISOLATED = {"int64-overflow", "1e20-deals", "1e9-deals", "many-points", "huge-normal-form"}
ISOLATED_GAMES = {"huge-count.nfg", "same-names.efg"}


def issues(*specs: tuple[str, int]) -> str:
    """A scenario with the given (issue id, steps) range issues, both parties weighing each."""
    text = ['[scenario]\nname = "fuzz"\n[parties.a]\n[parties.b]\n']
    for issue, steps in specs:
        text.append(f"[issues.{issue}]\nrange = [0.0, 1.0]\nsteps = {steps}\n")
    for party, points in (("a", "[[0.0, 0.0], [1.0, 1.0]]"), ("b", "[[0.0, 1.0], [1.0, 0.0]]")):
        weights = ", ".join(f"{issue} = 1" for issue, _ in specs)
        text.append(f"[payoffs.{party}]\nweights = {{ {weights} }}\n")
        text.extend(f"{issue} = {{ points = {points} }}\n" for issue, _ in specs)
    return "".join(text)


BIG = "1" * 401
HOSTILE_SCENARIOS = {
    "int64-overflow": issues(*[(f"i{k}", 65_536) for k in range(4)]),
    "1e20-deals": issues(*[(f"i{k}", 100_000) for k in range(4)]),
    "1e9-deals": issues(("x", 100_000), ("y", 100_000)),
    "401-digit-reservation": BODY.replace('label = "Party A"', f"label = 'A'\nreservation = {BIG}"),
    "401-digit-range": BODY.replace("range = [0.0, 1.0]", f"range = [0.0, {BIG}]", 1),
    "401-digit-point": BODY.replace("[1.0, 1.0]]", f"[1.0, {BIG}]]", 1),
    "400-digit-literal": BODY.replace('label = "Party A"', f'reservation = "{BIG[:-1]} * 0"'),
    "deep-sum": BODY.replace('label = "Party A"', 'reservation = "0.45' + "+0" * 590 + '"'),
    "deep-not": BODY + '[[constraints]]\nlabel = "c"\nrequire = "' + "not " * 499 + 'true"\n',
    "deep-parentheses": BODY.replace(
        'label = "Party A"', 'reservation = "' + "(" * 300 + "1" + ")" * 300 + '"'
    ),
    "not-a-table": BODY.replace("[parties.b]", "[parties]\nzz = 5\n[parties.b]"),
    "no-kind": BODY + '[games.g]\nplayers = ["a", "b"]\n',
    "bad-kind": BODY + '[games.g]\nkind = "zz"\n',
    "many-points": BODY.replace(
        "x = { points = [[0.0, 0.0], [1.0, 1.0]] }",
        "x = { points = [" + ", ".join(f"[{i / 200_000}, 0]" for i in range(200_001)) + "] }",
        1,
    ),
    "huge-normal-form": BODY
    + '[games.g]\nkind = "normal"\nplayers = ["a", "b"]\ndefault = "o"\n'
    + "strategies = { a = ["
    + ", ".join(f'"s{i}"' for i in range(1000))
    + "], b = ["
    + ", ".join(f'"t{i}"' for i in range(1001))
    + "] }\n[outcomes.o]\npayoffs = { a = 1, b = 1 }\n",
    "chance-only-game": BODY
    + '[games.g]\nkind = "sequential"\nplayers = ["a"]\nroot = "c"\n'
    + '[games.g.nodes.c]\nchance = { h = 0.5, t = 0.5 }\nactions = { h = "o", t = "o" }\n'
    + "[outcomes.o]\npayoffs = { a = 1, b = 1 }\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SCENARIOS))
def test_hostile_scenario_is_refused_or_solved_cleanly(name, tmp_path):
    path = tmp_path / f"{name}.toml"
    path.write_text(HOSTILE_SCENARIOS[name], encoding="utf-8")
    for command in ("validate", "solve"):
        proc = dealsim(command, str(path), cwd=tmp_path, isolated=name in ISOLATED)
        if proc.returncode == 2:
            assert proc.stderr.startswith("dealsim: error: "), proc.stderr
            assert proc.stderr.count("\n") == 1, proc.stderr
            assert "instance of" not in proc.stderr and "discriminator" not in proc.stderr


def test_int64_overflowing_space_is_counted_exactly_and_refused(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(issues(*[(f"i{k}", 65_536) for k in range(4)]), encoding="utf-8")
    proc = dealsim("validate", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert f"{65_536**4:,} deals, above the limit of 100,000,000" in proc.stderr


def test_max_deals_raises_the_limit(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(issues(("x", 2_000), ("y", 2_000)), encoding="utf-8")
    assert dealsim("validate", str(path), "--max-deals", "3999999", cwd=tmp_path).returncode == 2
    proc = dealsim("validate", str(path), "--max-deals", "4000000", cwd=tmp_path)
    assert proc.returncode == 0 and "4,000,000 deals" in proc.stdout


def test_frontier_json_is_capped_but_reports_the_true_size(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(issues(("x", 101)), encoding="utf-8")  # constant-sum: every deal is Pareto
    proc = dealsim("solve", str(path), "--format", "json", "--max-frontier", "5", cwd=tmp_path)
    frontier = json.loads(proc.stdout)["pareto_frontier"]
    assert (frontier["size"], frontier["shown"], frontier["truncated"]) == (101, 5, True)
    assert frontier["indices"] == [0, 25, 50, 75, 100]


GAME_FILES = {
    "huge-count.nfg": 'NFG 1 R "x" { "A" "B" } { 1000000000 2 }\n',
    "nan.nfg": 'NFG 1 R "x" { "A" "B" } { 2 2 } 1 1 nan 0 0 1 1 1\n',
    "overflow.nfg": 'NFG 1 R "x" { "A" "B" } { 2 2 } 1 1 1e400 0 0 1 1 1\n',
    "chance-only.efg": 'EFG 2 R "c" { "A" } ""\nc "r" 1 "" { "h" 0.5 "t" 0.5 } 0\n'
    't "a" 1 "" { 1 }\nt "b" 2 "" { 2 }\n',
    "same-names.efg": 'EFG 2 R "d" { "A" } ""\np "r" 1 1 "" { '
    + " ".join('"a"' for _ in range(8000))
    + " } 0\n"
    + "".join(f't "" {k + 1} "" {{ {k} }}\n' for k in range(8000)),
    "chain.efg": 'EFG 2 R "chain" { "A" "B" } ""\n'
    + "".join(
        f'p "n{i}" {1 + i % 2} {i + 1} "" {{ "stop" "go" }} 0\nt "s{i}" {i + 1} "" {{ {i}, 1 }}\n'
        for i in range(130)
    )
    + 't "end" 131 "" { 1, 1 }\n',
}


@pytest.mark.parametrize("name", sorted(GAME_FILES))
def test_hostile_game_file_is_refused_or_solved_cleanly(name, tmp_path):
    path = tmp_path / name
    path.write_text(GAME_FILES[name], encoding="utf-8")
    proc = dealsim("solve", str(path), cwd=tmp_path, isolated=name in ISOLATED_GAMES)
    if name in ("nan.nfg", "overflow.nfg", "huge-count.nfg", "chance-only.efg"):
        assert proc.returncode == 2 and name in proc.stderr


def test_random_20x20_game_falls_back_to_one_equilibrium_with_a_note(tmp_path):
    import numpy as np

    rng = np.random.default_rng(1)
    A, B = rng.integers(0, 100, (2, 20, 20))
    values = " ".join(f"{A[i, j]} {B[i, j]}" for j in range(20) for i in range(20))
    path = tmp_path / "r.nfg"
    path.write_text(f'NFG 1 R "r" {{ "A" "B" }} {{ 20 20 }}\n{values}\n', encoding="utf-8")
    report = json.loads(dealsim("solve", str(path), "--format", "json", cwd=tmp_path).stdout)
    game = report["games"]["r"]
    assert any("not every equilibrium" in note for note in game["notes"])


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "logroll", "-o", "missing/dir/out.json"],
        ["solve", "logroll", "-o", ".", "--force"],
        ["solve", "logroll", "-o", "/dev/full", "--force"],
        ["solve", "logroll", "-o", ""],
        ["plot", "logroll", "zone", "-o", "missing/dir/z.png"],
        ["report", "logroll", "-o", "missing/dir/r.html"],
        ["export", "donbas-2026", "-o", "missing/x.nfg"],
        ["montecarlo", "logroll", "--top", "-1"],
        ["montecarlo", "logroll", "--workers", "0"],
        ["montecarlo", "logroll", "--samples", "0"],
        ["montecarlo", "logroll", "--samples", "-5"],
        ["solve", "logroll", "--set", "x=nan"],
        ["solve", "logroll", "--set", "x=inf"],
    ],
    ids=lambda a: " ".join(a)[:40],
)
def test_bad_output_or_option_is_one_line_exit_2(args, tmp_path):
    proc = dealsim(*args, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith(("dealsim: error:", "dealsim montecarlo: error: argument"))


def test_option_errors_name_the_option(tmp_path):
    for option, value in (("--top", "-1"), ("--workers", "0"), ("--samples", "0")):
        proc = dealsim("montecarlo", "logroll", option, value, cwd=tmp_path)
        assert f"argument {option}" in proc.stderr
    assert (
        "x must be a finite number"
        in dealsim("solve", "logroll", "--set", "x=nan", cwd=tmp_path).stderr
    )


def _damage(lines: list[str], kind: str) -> bytes:
    record = json.loads(lines[3])
    if kind == "no-sample":
        del record["sample"]
    elif kind == "no-zone":
        del record["zone"]
    elif kind in ("x", "2.7"):
        record["sample"] = "x" if kind == "x" else 2.7
    elif kind == "list":
        record = [1, 2]
    elif kind == "zone-base64":  # the right length, not base64
        record["zone"] = "!" * len(record["zone"])
    elif kind == "zone-padding":
        record["zone"] = "A" * (len(record["zone"]) - 1) + "="
    elif kind == "index-float":
        record["solutions"]["nash"] = 2.5
    elif kind == "size-negative":
        record["zone_size"] = -3
    elif kind == "size-bool":
        record["zone_size"] = True
    text = json.dumps(record)
    if kind in ("NaN", "1e400"):
        text = lines[3].replace('"sample": 2', f'"sample": {kind}')
    head = '{"header": [1]}' if kind == "header" else lines[0]
    data = "\n".join([head, lines[1], lines[2], text]) + "\n"
    return data.encode() + (b"\xff\xfe\n" if kind == "utf8" else b"")


RESUME_DAMAGE = ["no-sample", "no-zone", "x", "2.7", "list", "NaN", "1e400", "header", "utf8"]
RESUME_DAMAGE += ["zone-base64", "zone-padding", "index-float", "size-negative", "size-bool"]


def test_resume_refuses_every_damaged_record(tmp_path):
    # one scenario with an uncertain parameter, run once, then damaged in each way
    scenario = tmp_path / "s.toml"
    text = BODY.replace('label = "Party A"', 'label = "A"\nreservation = "p"')
    scenario.write_text(text + "[parameters.p]\nvalue = 0.1\nrange = [0.0, 0.3]\n", "utf-8")
    run = tmp_path / "run.jsonl"
    common = ["montecarlo", str(scenario), "--samples", "6", "--workers", "1", "--no-progress"]
    assert dealsim(*common, "-o", str(run), cwd=tmp_path).returncode == 0
    lines = run.read_text(encoding="utf-8").splitlines()
    for kind in RESUME_DAMAGE:
        damaged = tmp_path / f"{kind}.jsonl"
        damaged.write_bytes(_damage(lines, kind))
        proc = dealsim(*common, "-o", str(damaged), "--resume", cwd=tmp_path)
        assert proc.returncode == 2, kind
        assert str(damaged) in proc.stderr, kind
        if kind not in ("header", "utf8"):  # the damaged record is the third, on line 4
            assert f"{damaged}: line 4: " in proc.stderr, (kind, proc.stderr)
    (tmp_path / "dir.jsonl").mkdir()
    proc = dealsim(*common, "-o", str(tmp_path / "dir.jsonl"), "--resume", cwd=tmp_path)
    assert proc.returncode == 2


# ------------------------------------------------------------------ silent wrong answers


@pytest.mark.parametrize("name", ["true", "false", "True", "False", "min", "max", "not"])
def test_reserved_names_cannot_be_issues_or_parameters(name, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(BODY.replace("[issues.y]", f"[issues.{name}]").replace("y =", f"{name} ="))
    proc = dealsim("validate", str(path), cwd=tmp_path)
    assert proc.returncode == 2 and "reserved" in proc.stderr
    path.write_text(BODY + f"[parameters]\n{name} = 0.5\n")
    assert "reserved" in dealsim("validate", str(path), cwd=tmp_path).stderr


def test_nan_inside_a_condition_is_an_error_naming_the_field(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(BODY + '[[constraints]]\nlabel = "c"\nrequire = "(x - x)/0 == 0"\n')
    proc = dealsim("solve", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert "constraints" in proc.stderr and "not finite" in proc.stderr


# ------------------------------------------------------------------ properties (in process)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_expression_text_parses_or_raises_expression_error(text):
    with contextlib.suppress(ExpressionError):
        parse_expression(text)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=400), st.sampled_from(["not ", "-", "(", "0+"]))
def test_nesting_of_any_depth_parses_or_is_refused_by_depth(depth, op):
    text = {"(": "(" * depth + "1" + ")" * depth}.get(
        op, op * depth + ("true" if op == "not " else "1")
    )
    try:
        parse_expression(text)
    except ExpressionError as error:
        assert "nested" in str(error)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=2**20), min_size=1, max_size=8))
def test_deal_space_size_is_the_exact_product(sizes):
    import math

    from dealsim.scenario.loader import loads

    scenario = loads(issues(*[(f"i{k}", max(2, min(s, 100_000))) for k, s in enumerate(sizes)]))
    expected = math.prod(max(2, min(s, 100_000)) for s in sizes)
    space = DealSpace(scenario)
    assert space.size == expected
    try:
        assert check_space_size(space) == expected <= 10**8
    except DealsimError as error:
        assert f"{expected:,} deals" in str(error)


# ------------------------------------------------------------------ limits in the batch analyses

UNCERTAIN = BODY.replace('label = "Party A"', 'label = "A"\nreservation = "p"') + (
    "[parameters.p]\nvalue = 0.1\nrange = [0.0, 0.3]\n"
)


@pytest.mark.parametrize(
    "command",
    [
        ["montecarlo", "--samples", "4", "--workers", "1", "--no-progress"],
        ["sensitivity", "--samples", "4"],
        ["sweep", "--param", "p=0,0.1", "--workers", "1", "--no-progress"],
    ],
    ids=lambda c: c[0],
)
def test_batch_and_sweep_commands_check_max_deals_before_work(command, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(UNCERTAIN, encoding="utf-8")
    args = [command[0], str(path), *command[1:]]
    proc = dealsim(*args, "--max-deals", "120", cwd=tmp_path)
    assert proc.returncode == 2
    assert "121 deals, above the limit of 120" in proc.stderr
    assert dealsim(*args, "--max-deals", "121", cwd=tmp_path).returncode == 0


def test_batch_solve_refuses_the_space_before_allocating():
    from dealsim.analysis.batch import MAX_SAMPLE_ELEMENTS, MAX_ZONE_CELLS, batch_solve
    from dealsim.scenario.loader import loads

    scenario = loads(issues(("x", 3000), ("y", 3000)))  # 9e6 deals x 2 parties
    with pytest.raises(DealsimError, match="9,000,000 deals, above the limit of 8,999,999"):
        batch_solve(scenario, {}, max_deals=9_000_000 - 1)
    with pytest.raises(DealsimError, match=f"above the limit of {MAX_SAMPLE_ELEMENTS:,}"):
        batch_solve(scenario, {}, max_deals=None)  # one sample would not fit in memory
    small = loads(UNCERTAIN)
    too_many = MAX_ZONE_CELLS // 121 + 1
    with pytest.raises(DealsimError, match=f"{too_many:,} samples x 121 deals"):
        batch_solve(small, {"p": [0.1] * too_many})


def test_sweep_passes_max_deals_to_every_point(monkeypatch):
    from dealsim.scenario.loader import loads
    from dealsim.uncertainty import sweep as sweep_module

    seen = []
    real = sweep_module.solve

    def spy(*args, **kwargs):
        seen.append(kwargs.get("max_deals"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "solve", spy)
    scenario = loads(UNCERTAIN)
    sweep_module.sweep(scenario, {"p": [0.0, 0.1]}, workers=1, max_deals=10**12)
    assert seen == [10**12, 10**12]


# ------------------------------------------------------------------ NaN at solve time

NAN_AT_SOLVE = BODY.replace('label = "Party A"', 'label = "A"\nreservation = "1 / (k - 1)"') + (
    '[[constraints]]\nlabel = "c"\nrequire = "x > 0 or 1 / (k - 1) > 0"\n[parameters]\nk = 2.0\n'
)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda t: t, "parties.a.reservation"),
        (lambda t: t.replace('reservation = "1 / (k - 1)"', ""), "constraints[0].require"),
    ],
    ids=["number", "condition"],
)
def test_non_finite_value_at_solve_time_names_the_dotted_field(edit, field, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(edit(NAN_AT_SOLVE), encoding="utf-8")
    assert dealsim("solve", str(path), cwd=tmp_path).returncode == 0
    proc = dealsim("solve", str(path), "--set", "k=1", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"dealsim: error: {path}: {field}: "), proc.stderr
    assert "not finite" in proc.stderr


# ------------------------------------------------------------------ Genius XML (import genius)

GENIUS_DOMAIN = (
    '<negotiation_template><utility_space number_of_issues="1">'
    '<objective index="0" name="party" etype="objective">'
    '<issue name="Food" index="1" etype="discrete"><item index="1" value="Chips"/>'
    '<item index="2" value="Catering"/></issue></objective></utility_space></negotiation_template>'
)
GENIUS_PROFILE = (
    '<utility_space><objective index="0" name="party" etype="objective">'
    '<issue index="1" name="Food" etype="discrete"><item index="1" value="Chips" evaluation="1"/>'
    '<item index="2" value="Catering" evaluation="4"/></issue><weight index="1" value="1.0"/>'
    '</objective><reservation value="0.3"/></utility_space>'
)
LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
HOSTILE_XML = {
    "billion-laughs": f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY l0 "lol">{LAUGHS}]><t>&l9;</t>',
    "external-entity": '<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><t>&x;</t>',
    "external-dtd": '<!DOCTYPE t SYSTEM "http://127.0.0.1:9/x.dtd"><t/>',
    "quadratic": '<!DOCTYPE t [<!ENTITY x "' + "x" * 50_000 + '">]><t>' + "&x;" * 50_000 + "</t>",
    "huge-file": "<t>" + " " * 10_000_001 + "</t>",
    "many-elements": "<t>" + "<b/>" * 200_001 + "</t>",
    "deep": "<t>" * 100_000 + "</t>" * 100_000,
    "not-xml": "\xff\xfe garbage",
    "huge-integer-issue": GENIUS_DOMAIN.replace(
        '<issue name="Food" index="1" etype="discrete"><item index="1" value="Chips"/>'
        '<item index="2" value="Catering"/></issue>',
        '<issue name="G" index="1" etype="integer" lowerbound="0" upperbound="1e300"/>',
    ),
    "nan-evaluation": GENIUS_PROFILE.replace('evaluation="4"', 'evaluation="nan"'),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_XML))
def test_hostile_genius_xml_is_refused_safely(name, tmp_path):
    domain, a, b = tmp_path / "d.xml", tmp_path / "a.xml", tmp_path / "b.xml"
    domain.write_text(GENIUS_DOMAIN, encoding="utf-8")
    for profile in (a, b):
        profile.write_text(GENIUS_PROFILE, encoding="utf-8")
    hostile = tmp_path / f"{name}.xml"
    hostile.write_text(HOSTILE_XML[name], encoding="utf-8")
    places = (
        [(domain, hostile, b)]
        if name == "nan-evaluation"
        else [(hostile, a, b), (domain, hostile, b)]
    )
    for files in places:
        proc = dealsim("import", "genius", *map(str, files), cwd=tmp_path)
        assert proc.returncode == 2, (name, proc.stdout[:200])
        assert proc.stderr.startswith(f"dealsim: error: {hostile}: "), proc.stderr
        assert proc.stderr.count("\n") == 1 and "root:" not in proc.stderr
    assert dealsim("import", "genius", str(domain), str(a), str(b), cwd=tmp_path).returncode == 0


def test_entities_are_refused_before_they_expand():
    from dealsim.io.genius import parse_genius_domain

    with pytest.raises(DealsimError, match="document type declaration"):
        parse_genius_domain("x.xml", HOSTILE_XML["billion-laughs"])


# ------------------------------------------------------------------ sections added since

CAMP_DAVID = (Path(__file__).parents[2] / "scenarios" / "camp-david-1978.toml").read_text("utf-8")
HOSTILE_VALUES = [
    "nan",
    "inf",
    "-1",
    "1e400",
    BIG,
    '""',
    '"x" ',
    "[]",
    "{}",
    "true",
    '"' + "a" * 5000 + '"',
    "{ sinai = 2.0 }",
    "{ zz = 1 }",
    '"nope"',
]


def _mutants(text: str, section: str) -> list[str]:
    """``text`` with each ``key = value`` line of ``section`` given each hostile value."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(section))
    out = []
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("["):
            break
        key, sep, _ = lines[i].partition(" = ")
        if sep:
            out += [
                "\n".join([*lines[:i], f"{key} = {value}", *lines[i + 1 :]]) + "\n"
                for value in HOSTILE_VALUES
            ]
    return out


SECTION_MUTANTS = _mutants(CAMP_DAVID, "[proposals.sadat_comprehensive]") + _mutants(
    CAMP_DAVID, "[actual]"
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(SECTION_MUTANTS), st.sampled_from(["validate", "evaluate", "backtest"]))
def test_proposals_and_actual_mutants_end_cleanly(tmp_path, text, command):
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    args = [command, str(path)]
    if command == "evaluate":
        args += ["--deal", "sinai=1.0", "sinai_settlements=removed"]
    proc = dealsim(*args, cwd=tmp_path)
    if proc.returncode == 2:
        assert proc.stderr.startswith("dealsim: error: ") and proc.stderr.count("\n") == 1


BODY_BASE = "[bodies.b]\nlabel = 'a body'\nquota = {quota}\nmembers = {{ {members} }}\n"
BODY_BASE += "[bodies.b.accept]\n{accept}\n"


@pytest.mark.parametrize(
    ("members", "quota"),
    [
        (60, 31),  # 2^60 coalitions if counted naively
        (2, 10**400),
        (2, -1),
        (2, "nan"),
        (1, 1),
        (3, 0),
    ],
)
def test_hostile_bodies_end_cleanly(members, quota, tmp_path):
    names = [f"m{i}" for i in range(members)]
    text = BODY + BODY_BASE.format(
        quota=quota,
        members=", ".join(f"{n} = 1" for n in names),
        accept="\n".join(f'{n} = "x > 0.5"' for n in names),
    )
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    for command in ("validate", "solve", "coalitions"):
        proc = dealsim(command, str(path), cwd=tmp_path, isolated=members > 20)
        if proc.returncode == 2:
            assert proc.stderr.startswith("dealsim: error: ") and proc.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "deal",
    [["x=nan", "y=0"], ["x=1e400", "y=0"], ["x"], ["zz=1"], ["x=0.1", "x=0.2", "y=0"], []],
    ids=str,
)
def test_evaluate_deal_values_end_cleanly(deal, tmp_path):
    proc = dealsim("evaluate", "logroll", "--deal", *deal, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith(("dealsim: error", "dealsim evaluate: error"))


@pytest.mark.parametrize("document", ["nope", "", "../../etc/passwd"])
def test_schema_of_unknown_document_is_refused(document, tmp_path):
    assert dealsim("schema", document, cwd=tmp_path).returncode == 2
