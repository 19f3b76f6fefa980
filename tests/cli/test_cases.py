"""dealsim evaluate and dealsim backtest."""

import json
import time

import pytest

from dealsim.cli import main
from dealsim.scenario import bundled_scenarios, load


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


DAYTON = [
    "serb_share=0.49",
    "structure=two_entities",
    "sarajevo=unified_federation",
    "brcko=arbitration",
    "ifor=true",
]


def test_evaluate_prints_the_record_of_a_typed_package(capsys):
    code, out, _ = run(capsys, "evaluate", "dayton-1995", "--deal", *DAYTON, "--format", "json")
    assert code == 0
    record = json.loads(out)
    assert record["in_zone"] is True
    assert record["utilities"]["bosnia"] == pytest.approx(0.65)  # worked in the file
    code, out, _ = run(capsys, "evaluate", "dayton-1995", "--deal", *DAYTON)
    assert "in the agreement zone" in out


@pytest.mark.parametrize(
    ("deal", "message"),
    [
        pytest.param(DAYTON[:-1], "missing issue 'ifor'", id="missing"),
        pytest.param([*DAYTON, "capital=1"], "unknown issue 'capital'", id="unknown"),
        pytest.param(
            [*DAYTON[:-1], "ifor=maybe"],
            "'maybe' is not a level of issue 'ifor' (levels: false, true)",
            id="bad-level",
        ),
        pytest.param(["serb_share"], "expected ISSUE=VALUE", id="malformed"),
    ],
)
def test_evaluate_errors_are_one_line_naming_what_is_allowed(capsys, deal, message):
    code, _, err = run(capsys, "evaluate", "dayton-1995", "--deal", *deal)
    assert code == 2
    assert err.startswith("dealsim: error: ") and message in err
    assert err.count("\n") == 1


def test_backtest_runs_over_the_bundled_cases_in_seconds(capsys):
    start = time.perf_counter()
    code, out, _ = run(capsys, "backtest", "--format", "json")
    elapsed = time.perf_counter() - start
    assert code == 0
    document = json.loads(out)
    cases = [name for name, path in bundled_scenarios().items() if load(path).actual is not None]
    assert [c["scenario"] for c in document["cases"]] == cases
    assert len(cases) >= 5
    assert set(document) == {"cases", "mean_distance", "in_zone_share"}
    assert elapsed < 30
    code, out, _ = run(capsys, "backtest")
    assert "mean" in out and "not a forecast" in out


def test_list_shows_the_historical_cases(capsys):
    _, out, _ = run(capsys, "list")
    for name in ("donbas-2026", "camp-david-1978", "dayton-1995", "good-friday-1998",
                 "korean-armistice-1953", "colombia-farc-2016"):  # fmt: skip
        assert name in out
