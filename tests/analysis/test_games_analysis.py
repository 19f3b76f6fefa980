"""Tests for dealsim.analysis.games: scenario games solved, thresholds, JSON and text output."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import dealsim
from dealsim.analysis.equilibrium_report import render_games, solve_normal_form
from dealsim.analysis.games import (
    _unique_rows,
    games_analysis,
    outcome_labels,
    outcome_payoffs,
    scenario_game,
)
from dealsim.report import render_report
from dealsim.scenario import loads
from dealsim.solvers.equilibrium import NormalFormGame, regret

PARTIES = """
[scenario]
name = "games"

[parameters.g]
value = 0.5
range = [0.1, 0.9]

[parties.us]
[parties.ukraine]
[parties.russia]

[issues.x]
levels = ["a", "b"]

[payoffs.us]
weights = { x = 1 }
x = { a = 0, b = 1 }

[payoffs.ukraine]
weights = { x = 1 }
x = { a = 1, b = 0 }

[payoffs.russia]
weights = { x = 1 }
x = { a = 0, b = 1 }
"""

MATRICES = """
# Prisoner's dilemma (Row = ukraine, Column = russia): C = cooperate, D = defect
[games.pd]
kind = "normal"
players = ["ukraine", "russia"]
strategies = { ukraine = ["C", "D"], russia = ["C", "D"] }
payoffs = { ukraine = [[3, 0], [5, 1]], russia = [[3, 5], [0, 1]] }

# Battle of the sexes through outcomes: opera pays (2, 1), fight (1, 2), a mismatch (0, 0)
[outcomes.opera]
payoffs = { us = 0, ukraine = 2, russia = 1 }
[outcomes.fight]
payoffs = { us = 0, ukraine = 1, russia = 2 }
[outcomes.apart]
payoffs = { us = 0, ukraine = 0, russia = 0 }

[games.bos]
kind = "normal"
players = ["ukraine", "russia"]
strategies = { ukraine = ["opera", "fight"], russia = ["opera", "fight"] }
outcomes = { "opera,opera" = "opera", "fight,fight" = "fight" }
default = "apart"
"""

# The credibility tree of tests/strategies.py (credibility(g)) written as a scenario game. By hand
# (its docstring): Ukraine cedes iff 6g - 5 > -3 (g > 1/3); the US offers iff 6g - 4 > 0
# (g > 2/3). The equilibrium path flips once, at g* = 2/3: no_deal below, peace/betrayed above.
CREDIBILITY = """
[outcomes.no_deal]
payoffs = { us = 0, ukraine = -3, russia = 1 }
[outcomes.war]
payoffs = { us = -1, ukraine = -3, russia = 1 }
[outcomes.status_quo]
payoffs = { us = 0, ukraine = 0, russia = 0 }
[outcomes.defended]
payoffs = { us = -2, ukraine = -1, russia = -3 }
[outcomes.peace]
payoffs = { us = 2, ukraine = 1, russia = 2 }
[outcomes.betrayed]
payoffs = { us = -4, ukraine = -5, russia = 3 }

[games.credibility]
kind = "sequential"
players = ["us", "ukraine", "russia"]
root = "us"
thresholds = ["g"]

[games.credibility.nodes.us]
player = "us"
actions = { guarantee = "ukraine", withhold = "no_deal" }
[games.credibility.nodes.ukraine]
player = "ukraine"
actions = { cede = "guarantee", refuse = "refused" }
[games.credibility.nodes.refused]
player = "russia"
actions = { attack = "war", hold = "status_quo" }
[games.credibility.nodes.guarantee]
chance = { honoured = "g", dishonoured = "1 - g" }
[games.credibility.nodes.honoured]
player = "russia"
actions = { attack = "defended", hold = "peace" }
[games.credibility.nodes.dishonoured]
player = "russia"
actions = { attack = "betrayed", hold = "peace" }
"""


@pytest.fixture(scope="module")
def matrices():
    return games_analysis(loads(PARTIES + MATRICES, file="m.toml")).to_dict()


@pytest.fixture(scope="module")
def credibility_game():
    return loads(PARTIES + CREDIBILITY, file="c.toml")


@pytest.fixture(scope="module")
def donbas():
    return dealsim.solve(dealsim.load("donbas-2026"))


def test_prisoners_dilemma_has_the_single_equilibrium_defect_defect(matrices):
    pd = matrices["pd"]
    assert pd["kind"] == "normal" and pd["method"] == "vertex"
    assert pd["equilibria"] == [
        {
            "strategies": {"ukraine": [0.0, 1.0], "russia": [0.0, 1.0]},
            "payoffs": {"ukraine": 1.0, "russia": 1.0},
            "pure": True,
            "regret": 0.0,
        }
    ]
    assert pd["dominated"] == {"ukraine": ["C"], "russia": ["C"]}


def test_text_counts_one_equilibrium_in_the_singular():
    # the prisoner's dilemma has one equilibrium, the battle of the sexes three
    lines = render_games(games_analysis(loads(PARTIES + MATRICES, file="m.toml")))
    assert "    1 equilibrium:" in lines
    assert "    1 equilibria:" not in lines
    assert "    3 equilibria:" in lines


def test_battle_of_the_sexes_has_two_pure_and_one_mixed_equilibrium(matrices):
    # mixed: Row plays opera w.p. 2/3 (Column indifferent: 1 p = 2 (1 - p)), Column 1/3;
    # each then expects 2/3
    bos = matrices["bos"]
    strategies = [
        (e["strategies"]["ukraine"], e["strategies"]["russia"]) for e in bos["equilibria"]
    ]
    assert_allclose(strategies[0], [[1, 0], [1, 0]])
    assert_allclose(strategies[1], [[2 / 3, 1 / 3], [1 / 3, 2 / 3]])
    assert_allclose(strategies[2], [[0, 1], [0, 1]])
    assert_allclose(list(bos["equilibria"][1]["payoffs"].values()), [2 / 3, 2 / 3])
    assert [e["pure"] for e in bos["equilibria"]] == [True, False, True]
    assert bos["dominated"] == {"ukraine": [], "russia": []}


def test_every_reported_equilibrium_has_zero_regret(matrices):
    for game in matrices.values():
        payoffs = np.stack([np.array(game["payoffs"][p]) for p in game["players"]])
        for eq in game["equilibria"]:
            profile = [eq["strategies"][p] for p in game["players"]]
            assert regret(payoffs, profile).max() <= 1e-9


def test_credibility_threshold_is_reported_at_two_thirds(credibility_game):
    report = games_analysis(credibility_game).to_dict()["credibility"]
    [t] = report["thresholds"]["g"]
    assert abs(t["value"] - 2 / 3) < 1e-9
    assert t["bracket"][0] <= 2 / 3 <= t["bracket"][1]
    assert t["below"] == {"outcomes": ["no_deal"], "path": [["us", "withhold"]]}
    assert t["above"]["outcomes"] == ["peace", "betrayed"]
    # at g = 0.5 the US withholds: Ukraine would cede (6g - 5 = -2 > -3), the US gets 6g - 4 < 0
    assert report["outcomes"] == {"no_deal": 1.0}
    assert report["path"] == [
        {"node": "us", "player": "us", "action": "withhold", "probability": 1.0}
    ]


def test_tree_equilibrium_is_a_normal_form_profile_with_zero_regret(credibility_game):
    report = games_analysis(credibility_game).to_dict()["credibility"]
    [eq] = report["equilibria"]
    assert eq["actions"] == {
        "us": "withhold",
        "ukraine": "cede",
        "refused": "attack",
        "honoured": "hold",
        "dishonoured": "attack",
    }
    russia = report["strategies"]["russia"]
    assert russia[int(np.argmax(eq["strategies"]["russia"]))] == "attack/hold/attack"
    assert eq["regret"] == 0.0


def test_chance_probabilities_out_of_range_name_the_node(credibility_game):
    bad = credibility_game.with_parameters(g=1.5)
    with pytest.raises(dealsim.errors.ScenarioError, match=r"guarantee\.chance") as info:
        scenario_game(bad, "credibility")
    assert "g=1.5" in str(info.value)


def test_a_threshold_range_outside_the_probabilities_names_the_search():
    # g = 0.5 is a valid probability, but the threshold search scans g's range [0.1, 1.5]: the
    # error must say that the search, not the file's value, reached g > 1 (it read "failed at
    # g=0.5" before naming g=1.0..., as if the file's value were wrong).
    # Loading (and so `dealsim validate`) refuses it: the search's grid is checked at load time.
    text = (PARTIES + CREDIBILITY).replace("range = [0.1, 0.9]", "range = [0.1, 1.5]")
    with pytest.raises(dealsim.errors.ScenarioError) as info:
        loads(text, file="c.toml")
    error = info.value
    assert (error.file, error.field) == ("c.toml", "games.credibility.nodes.guarantee.chance")
    assert error.message.startswith(
        "the threshold search of game 'credibility' over the range [0.1, 1.5] of g "
        "(games.credibility.thresholds) reached a value where game 'credibility': chance "
    )


def test_three_player_game_reports_pure_equilibria_and_the_method():
    payoffs = np.zeros((3, 2, 2, 2))
    payoffs[:, 0, 0, 0] = 1  # all three coordinate on strategy 0 ...
    payoffs[:, 1, 1, 1] = 2  # ... or on strategy 1
    report = solve_normal_form(NormalFormGame(payoffs, player_names=("a", "b", "c")))
    pure = [e for e in report["equilibria"] if e["pure"]]
    assert [e["strategies"]["a"] for e in pure] == [[1.0, 0.0], [0.0, 1.0]]
    assert report["method"] in ("pure_equilibria+gambit_logit", "pure_equilibria")


def test_donbas_games_are_in_the_solve_json(donbas):
    games = json.loads(json.dumps(donbas.to_dict()))["games"]
    assert list(games) == ["guarantees_first", "territory_first", "accept_nash", "which_deal"]
    # audience_cost_max 0.10, P(honour) 0.5: Russia holds in both orderings, peace in both
    assert games["guarantees_first"]["outcomes"] == {"peace_guarantee_first": 1.0}
    assert games["territory_first"]["outcomes"] == {"peace_territory_first": 1.0}
    assert games["accept_nash"]["equilibria"][0]["strategies"] == {
        "ukraine": [1.0, 0.0],
        "russia": [1.0, 0.0],
    }


def test_donbas_thresholds_are_located_exactly(donbas):
    # worked by hand in scenarios/donbas-2026.toml: Russia holds iff 0.10 H + 0.85 (1 - H)
    # <= 0.546 (guarantee first) or 0.566 (territory first), H = 1 - 0.05 / audience_cost_max;
    # so peace needs audience_cost_max > 0.05 / (1 - 0.304 / 0.75), resp. 0.05 / (1 - 0.284 / 0.75)
    games = donbas.analyses["games"].games
    [first] = games["guarantees_first"]["thresholds"]["audience_cost_max"]
    [second] = games["territory_first"]["thresholds"]["audience_cost_max"]
    assert first["value"] == pytest.approx(0.05 / (1 - 0.304 / 0.75), rel=1e-7)
    assert second["value"] == pytest.approx(0.05 / (1 - 0.284 / 0.75), rel=1e-7)
    assert first["below"]["outcomes"] == second["below"]["outcomes"] == ["war"]
    assert first["above"]["outcomes"] == ["peace_guarantee_first"]
    assert second["above"]["outcomes"] == ["peace_territory_first"]


def test_deal_outcomes_agree_with_the_deal_space(donbas):
    scenario = dealsim.load("donbas-2026")
    pay = outcome_payoffs(scenario, ids=["nash_deal", "utilitarian_deal", "war"])
    assert_allclose(
        list(pay["nash_deal"].values()), list(donbas.solutions["nash"].utilities.values())
    )
    assert_allclose(
        list(pay["utilitarian_deal"].values()),
        list(donbas.solutions["utilitarian"].utilities.values()),
    )
    assert_allclose(list(pay["war"].values()), list(donbas.reservations.values()))


def test_outcome_labels_follow_the_thresholds():
    # thresholds 0.080472 (territory first) and 0.084081 (guarantee first)
    grid = {"audience_cost_max": [0.07, 0.082, 0.1]}
    labels = outcome_labels(dealsim.load("donbas-2026"), grid)
    assert labels == [
        "guarantees_first=war; territory_first=war",
        "guarantees_first=war; territory_first=peace_territory_first",
        "guarantees_first=peace_guarantee_first; territory_first=peace_territory_first",
    ]


def test_text_report_has_a_games_section(donbas):
    text = render_report(donbas)
    assert "\nGames\n" in text
    assert "threshold audience_cost_max = 0.0804721: war below, peace_territory_first above" in text
    assert render_games(donbas.analyses["games"])[0] == "Games"


def test_monte_carlo_reports_the_probability_of_each_game_outcome():
    from dealsim.uncertainty.montecarlo import monte_carlo

    scenario = dealsim.load("donbas-2026")
    result = monte_carlo(scenario, samples=60, seed=3, workers=1)
    table = result.outcomes["games"]
    assert_allclose(sum(table.values()), 1.0)
    # one label per draw naming both sequential games' outcomes
    for label in table:
        first, second = label.split("; ")
        assert first.split("=")[1] in ("war", "peace_guarantee_first")
        assert second.split("=")[1] in ("war", "peace_territory_first")


def test_threshold_search_is_reused_only_where_the_game_cannot_differ(monkeypatch):
    from dealsim.analysis import games as games_module

    donbas = dealsim.load("donbas-2026")
    searches = []
    search = games_module._threshold_search

    def counted(*args, **kwargs):
        searches.append(args[2])
        return search(*args, **kwargs)

    monkeypatch.setattr(games_module, "_threshold_search", counted)
    monkeypatch.setattr(games_module, "_THRESHOLD_CACHE", type(games_module._THRESHOLD_CACHE)())
    points = [
        {"audience_cost_max": a, "belt_shift": b} for a in (0.05, 0.2) for b in (0.3, 0.5)
    ]  # the threshold's own parameter, and one the games do not use (the war's shift)
    cached = [games_analysis(donbas.with_parameters(**p)).to_dict() for p in points]
    assert len(searches) == 2  # one search per game, reused at the other three points
    for p, report in zip(points, cached, strict=True):
        games_module._THRESHOLD_CACHE.clear()
        fresh = games_analysis(donbas.with_parameters(**p)).to_dict()
        assert json.dumps(report, sort_keys=True) == json.dumps(fresh, sort_keys=True)
    searches.clear()
    games_analysis(donbas.with_parameters(russia_win=0.5))  # the war outcome's payoffs move
    games_analysis(donbas.with_parameters(russia_win=0.5))
    assert len(searches) == 2
    moved = games_analysis(donbas.with_parameters(russia_win=0.5)).to_dict()
    games_module._THRESHOLD_CACHE.clear()
    assert moved == games_analysis(donbas.with_parameters(russia_win=0.5)).to_dict()


def test_outcome_labels_of_all_draws_at_once_equal_solving_each_draw(monkeypatch):
    from dealsim.analysis import games as games_module
    from dealsim.uncertainty.distributions import sample_parameters

    donbas = dealsim.load("donbas-2026")
    draws = sample_parameters(donbas, 0, 400, seed=3)
    # and the thresholds themselves, where Russia is indifferent up to rounding
    draws = {k: np.concatenate([v, np.full(2, donbas.parameters[k])]) for k, v in draws.items()}
    draws["audience_cost_max"][-2:] = [0.05 / (1 - 0.304 / 0.75), 0.05 / (1 - 0.284 / 0.75)]
    at_once = outcome_labels(donbas, draws)
    monkeypatch.setattr(games_module, "_batched_outcomes", lambda *args, **kwargs: None)
    assert at_once == outcome_labels(donbas, draws)
    assert len(set(at_once)) >= 3


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 40).flatmap(
        lambda n: st.integers(1, 5).flatmap(
            lambda m: st.lists(
                st.integers(-3, 3) | st.integers(-(2**40), 2**40), min_size=n * m, max_size=n * m
            ).map(lambda v: np.array(v, dtype=np.int64).reshape(n, m))
        )
    ),
    st.booleans(),
)
def test_unique_rows_gives_numpy_unique_rows_and_inverse(a, as_bool):
    # the rows the outcome labels group draws by: the same sorted rows and inverse as numpy's
    a = a > 0 if as_bool else a
    rows, inverse = _unique_rows(a)
    expected, expected_inverse = np.unique(a, axis=0, return_inverse=True)
    assert rows.dtype == expected.dtype
    assert np.array_equal(rows, expected)
    assert np.array_equal(inverse, expected_inverse.reshape(-1))
