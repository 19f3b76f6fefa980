"""Tests of dealsim.solvers.negotiation: scripted agents on a finite deal set."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from dealsim.errors import SolverError
from dealsim.solvers.negotiation import (
    BestResponse,
    Boulware,
    Conceder,
    TimeDependent,
    TitForTat,
    simulate_negotiation,
)

X = np.linspace(0.0, 1.0, 101)
SPLIT = np.column_stack([X, 1.0 - X])

agent_strategy = st.sampled_from(
    [Boulware(), Conceder(), TimeDependent(1.0), TitForTat(0.05), BestResponse()]
)


def test_boulware_beats_conceder_on_linear_split():
    # Hand check of the crossing (T = 20, tau = t / 19): in round 13 the Conceder (e = 2) aims
    # for 1 - sqrt(13/19) = 0.1728 and offers x = 0.82; the Boulware (e = 0.2) would ask for
    # 1 - (14/19)^5 = 0.783 next round, so it accepts. One round earlier the Boulware asked for
    # 1 - (12/19)^5 = 0.899 (x = 0.90), which the Conceder, aiming for 0.1728 next, refused.
    tr = simulate_negotiation(SPLIT, [0.0, 0.0], [Boulware(), Conceder()], rounds=20, seed=0)
    assert tr.agreement and tr.outcome == "agreement"
    assert tr.agreement_round == 13
    assert_allclose(tr.final_utilities, [0.82, 0.18], atol=1e-12)
    assert tr.final_utilities[0] > tr.final_utilities[1]
    assert tr.accepted.tolist() == [False] * 13 + [True]


def test_boulware_gets_more_whoever_proposes_first():
    tr = simulate_negotiation(SPLIT, [0.0, 0.0], [Conceder(), Boulware()], rounds=20, seed=0)
    assert tr.agreement and tr.final_utilities[1] > tr.final_utilities[0]


@pytest.mark.parametrize("scale", [1e-12, 1e6])
@pytest.mark.parametrize(
    "agents", [(Boulware(), Conceder()), (BestResponse(), Conceder())], ids=["boulware", "best"]
)
def test_trace_does_not_depend_on_the_utility_scale(agents, scale):
    # The comparisons are relative: utilities and reservations times any positive number give
    # the same offers (at 1e-12 an absolute 1e-12 made every deal acceptable: agreement at once).
    res = np.array([0.2, 0.1])
    base = simulate_negotiation(SPLIT, res, agents, rounds=20, seed=0)
    scaled = simulate_negotiation(SPLIT * scale, res * scale, agents, rounds=20, seed=0)
    assert base.agreement_round > 0
    assert scaled.deals.tolist() == base.deals.tolist()
    assert scaled.agreement_round == base.agreement_round


def test_same_seed_same_trace_and_different_seeds_break_ties_differently():
    # three-party deals with many exact ties in the others' sum and own utility
    rng = np.random.default_rng(7)
    u = np.round(rng.random((400, 3)) * 4) / 4
    agents = [Conceder(), TimeDependent(1.0), Boulware()]
    a = simulate_negotiation(u, [0.2, 0.2, 0.2], agents, rounds=15, seed=3)
    b = simulate_negotiation(u, [0.2, 0.2, 0.2], agents, rounds=15, seed=3)
    assert a.to_dict() == b.to_dict()
    traces = {
        tuple(simulate_negotiation(u, [0.2] * 3, agents, rounds=15, seed=s).deals) for s in range(6)
    }
    assert len(traces) > 1
    # a Generator works as well as an int
    c = simulate_negotiation(u, [0.2] * 3, agents, rounds=15, seed=np.random.default_rng(3))
    assert c.deals.tolist() == a.deals.tolist()


@given(
    first=agent_strategy,
    second=agent_strategy,
    res=st.tuples(st.floats(0.0, 0.6), st.floats(0.0, 0.6)),
    rounds=st.integers(1, 25),
    seed=st.integers(0, 2**16),
)
def test_no_agent_offers_or_accepts_below_its_reservation(first, second, res, rounds, seed):
    tr = simulate_negotiation(SPLIT, list(res), [first, second], rounds=rounds, seed=seed)
    own = tr.utilities[np.arange(tr.deals.size), tr.proposers]
    assert np.all(own >= np.asarray(res)[tr.proposers] - 1e-12)
    if tr.agreement:
        assert np.all(tr.final_utilities >= np.asarray(res) - 1e-12)
    else:
        assert_allclose(tr.final_utilities, res)


def test_deadline_without_zone_of_agreement():
    # reservations 0.6 + 0.6 > 1: every offer is refused
    tr = simulate_negotiation(SPLIT, [0.6, 0.6], [Conceder(), Conceder()], rounds=6, seed=0)
    assert tr.outcome == "deadline" and not tr.agreement
    assert tr.deal_index == -1 and tr.agreement_round == -1
    assert tr.deals.size == 6


def test_no_acceptable_deal_for_some_party():
    tr = simulate_negotiation(SPLIT, [0.0, 1.5], [Conceder(), Conceder()], rounds=6, seed=0)
    assert tr.outcome == "no_acceptable_deal" and tr.deals.size == 0
    assert tr.to_rows() == []


def test_conceder_last_round_accepts_anything_above_reservation():
    # with one round the responder's next target is its reservation (tau = 1): it accepts the
    # proposer's best deal (x = 1) since 0 >= 0
    tr = simulate_negotiation(SPLIT, [0.0, 0.0], [Boulware(), Conceder()], rounds=1, seed=0)
    assert tr.agreement and tr.deal_index == 100


def test_tit_for_tat_mirrors_the_opponent_concession():
    # TimeDependent(1) with T = 11 aims for 1 - t/10: its offers in rounds 0, 2, 4 are worth
    # 1.0, 0.8, 0.6 to it, a drop of 0.2 between consecutive offers. Tit-for-tat opens with its
    # best deal (round 1), then mirrors: round 3 (opponent dropped 1.0 -> 0.8) asks 0.8, round 5
    # (0.8 -> 0.6) asks 0.6. The initial concession is never used: the opponent has made two
    # offers before tit-for-tat's second one.
    tr = simulate_negotiation(
        SPLIT, [0.0, 0.0], [TimeDependent(1.0), TitForTat(0.05)], rounds=11, seed=0
    )
    tft = tr.utilities[tr.proposers == 1, 1]
    assert_allclose(tft[:3], [1.0, 0.8, 0.6], atol=1e-9)


def test_tit_for_tat_uses_initial_concession_without_history():
    # TitForTat proposes first: round 0 its best deal, round 2 the opponent has made only one
    # offer, so it concedes initial_concession = 0.1
    tr = simulate_negotiation(SPLIT, [0.0, 0.0], [TitForTat(0.1), Boulware()], rounds=5, seed=0)
    assert_allclose(tr.utilities[tr.proposers == 0, 0][:2], [1.0, 0.9], atol=1e-9)


def test_best_response_accepts_a_hard_line_without_reservation():
    # The Boulware opens with x = 1 (it demands 1.0). The only deal meeting that demand gives the
    # best responder 0, so its next offer would be worth 0 to it and it accepts the opening.
    tr = simulate_negotiation(SPLIT, [0.0, 0.0], [Boulware(), BestResponse()], rounds=10, seed=0)
    assert tr.agreement_round == 0 and tr.deal_index == 100


def test_best_response_is_bounded_by_its_reservation():
    # With reservation 0.3 its target is max(0, 0.3): it rejects x = 1 and offers x = 0.7, the
    # deal best for the Boulware among those worth >= 0.3 to itself.
    tr = simulate_negotiation(SPLIT, [0.0, 0.3], [Boulware(), BestResponse()], rounds=10, seed=0)
    assert not tr.accepted[0]
    assert_allclose(X[tr.deals[1]], 0.7)


def test_to_rows_for_csv():
    tr = simulate_negotiation(SPLIT, [0.0, 0.0], [Boulware(), Conceder()], rounds=20, seed=0)
    rows = tr.to_rows(["ukraine", "russia"])
    assert len(rows) == 14
    assert set(rows[-1]) == {"round", "proposer", "deal", "u_ukraine", "u_russia", "accepted"}
    assert rows[-1]["accepted"] is True and rows[-1]["proposer"] == "russia"
    with pytest.raises(SolverError, match="party_names"):
        tr.to_rows(["only-one"])


@pytest.mark.parametrize(
    ("agents", "kwargs", "match"),
    [
        ([Boulware()], {}, "one agent per party"),
        ([Boulware(exponent=2.0), Conceder()], {}, "Boulware"),
        ([Boulware(), Conceder(exponent=0.5)], {}, "Conceder"),
        ([Boulware(), object()], {}, "target"),
        ([Boulware(), Conceder()], {"rounds": 0}, "rounds"),
        ([Boulware(), Conceder()], {"seed": None}, "seed"),
    ],
)
def test_simulate_rejects_bad_input(agents, kwargs, match):
    args = {"rounds": 5, "seed": 0}
    args.update(kwargs)
    with pytest.raises(SolverError, match=match):
        simulate_negotiation(SPLIT, [0.0, 0.0], agents, **args)
