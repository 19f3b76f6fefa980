"""The Donbas file's named proposals, checked through evaluate (numbers worked from the file)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dealsim
from dealsim.analysis.games import outcome_payoffs
from dealsim.analysis.proposals import evaluate


@pytest.fixture(scope="module")
def donbas():
    return dealsim.load("donbas-2026")


def test_the_file_names_the_five_reported_packages(donbas):
    assert set(donbas.proposals) == {
        "anchorage_formula",
        "us_fez_plan",
        "trump_zelensky_compromise",
        "zelensky_conditions",
        "putin_demand",
    }


def test_anchorage_formula_gives_ukraine_only_the_discounted_guarantee(donbas):
    # All of Donbas ceded (0), Article-5 mirror worth 0.25 * P(honour) = 0.25 * (1 - 0.05 / 0.10),
    # every other term at Ukraine's worst level; no fortress-belt penalty with the Article-5
    # guarantee: 0.125, below Ukraine's war value 0.2025.
    record = evaluate(donbas, donbas.proposals["anchorage_formula"].deal)
    assert record.utilities["ukraine"] == pytest.approx(0.125)
    assert "ukraine" not in record.accepted_by and not record.in_zone


def test_putin_demand_is_one_ukraine_would_fight_over_now(donbas):
    # The unguarded, uncapped shift of belt_shift = 0.45 exceeds what Ukraine survives (Powell).
    record = evaluate(donbas, donbas.proposals["putin_demand"].deal)
    assert record.commitment["shift"] == pytest.approx(0.45)
    assert record.commitment["fights_now"] is True


def test_timing_is_worth_nothing_without_a_guarantee(donbas):
    # The timing terms require security_guarantee != "none": the two deals tie for every party.
    deal = dict(donbas.proposals["putin_demand"].deal)
    after = evaluate(donbas, deal)
    before = evaluate(donbas, {**deal, "guarantee_timing": "before_withdrawal"})
    assert before.utilities == pytest.approx(after.utilities)


def test_timing_matters_with_a_guarantee_and_a_withdrawal(donbas):
    # Zelensky's conditions with the guarantee after the deal instead of before withdrawal:
    # Ukraine loses the 0.05 * P(honour) = 0.025 term, Russia gains 0.02, the US 0.06.
    deal = dict(donbas.proposals["zelensky_conditions"].deal)
    before = evaluate(donbas, deal).utilities
    after = evaluate(donbas, {**deal, "guarantee_timing": "after_peace_deal"}).utilities
    assert before["ukraine"] - after["ukraine"] == pytest.approx(0.025)
    assert after["russia"] - before["russia"] == pytest.approx(0.02)
    assert after["us"] - before["us"] == pytest.approx(0.06)


# A guarantee without cession: an Article-5 mirror, nothing ceded (zone Ukrainian), NATO renounced.
NO_CESSION = {
    "donbas_ceded": 0.0,
    "security_guarantee": "article5_mirror",
    "guarantee_timing": "after_peace_deal",
    "zone_status": "russian_control",
    "zone_recognition": "ukrainian",
    "equal_withdrawal": False,
    "nato_renunciation": True,
    "prosperity_plan": 0.0,
    "enhanced_weapons": False,
}


def test_us_rejects_a_guarantee_without_cession_under_the_ft_account(donbas):
    # By hand (US): donbas 0.25 * 0.5 + guarantee 0.25 * 0.5 + zone moot 0.05 * 0.6 + 0.02
    # + recognition 0.05 + equal withdrawal 0.05 * 0.8 + NATO 0.10 + plan 0.15 * 0.3 = 0.535;
    # the FT term takes 1: -0.465 < 0.40.
    record = evaluate(donbas, NO_CESSION)
    assert record.utilities["us"] == pytest.approx(0.535 - 1)
    assert "us" not in record.accepted_by


def test_us_accepts_a_guarantee_without_cession_under_the_white_house_account(donbas):
    record = evaluate(donbas, NO_CESSION, parameters={"guarantee_needs_cession": 0})
    assert record.utilities["us"] == pytest.approx(0.535)
    assert "us" in record.accepted_by


def test_ft_account_leaves_the_us_indifferent_to_a_guarantee_with_full_cession(donbas):
    deal = dict(donbas.proposals["trump_zelensky_compromise"].deal)
    ft = evaluate(donbas, deal).utilities
    white_house = evaluate(donbas, deal, parameters={"guarantee_needs_cession": 0}).utilities
    assert ft == pytest.approx(white_house)


@pytest.mark.parametrize("proposal", ["us_fez_plan", "trump_zelensky_compromise"])
def test_russia_does_not_gain_from_the_prosperity_plan(donbas, proposal):
    deal = dict(donbas.proposals[proposal].deal)
    with_plan = evaluate(donbas, deal).utilities
    without = evaluate(donbas, {**deal, "prosperity_plan": 0.0}).utilities
    # Russia's plan value falls from 1 at $0 to 0 at $800bn, weight 0.03
    assert without["russia"] - with_plan["russia"] == pytest.approx(0.03)
    assert with_plan["ukraine"] > without["ukraine"]


def test_power_shift_increases_with_the_share_ceded(donbas):
    # No guarantee and no zone caps (Russian control): the uncapped shift
    # 0.45 * (0.2 s + 1.6 max(0, s - 0.5)) at s = 0.25, 0.5, 0.75, 1.
    base = dict(donbas.proposals["putin_demand"].deal)
    shifts = [
        evaluate(donbas, {**base, "donbas_ceded": s}).commitment["shift"]
        for s in (0.25, 0.5, 0.75, 1.0)
    ]
    assert shifts == pytest.approx([0.0225, 0.045, 0.2475, 0.45])


def test_small_cessions_survive_the_commitment_problem_and_large_ones_do_not(donbas):
    # Largest survivable shift (infinite horizon, delta = 0.95 monthly, p1 = 0.35,
    # c = 0.105 / 0.55): 0.05 * (0.35 + 0.105 / 0.55) / 0.95 = 0.028469.
    base = dict(donbas.proposals["putin_demand"].deal)
    quarter = evaluate(donbas, {**base, "donbas_ceded": 0.25}).commitment
    half = evaluate(donbas, {**base, "donbas_ceded": 0.5}).commitment
    assert quarter["fights_now"] is False and half["fights_now"] is True


@pytest.mark.parametrize(
    ("audience_cost_max", "us_defence_cost", "us_abandon_loss", "p_honour"),
    [(0.10, 0.20, 0.15, 0.5), (0.25, 0.20, 0.15, 0.8), (0.04, 0.20, 0.15, 0.0),
     (0.10, 0.10, 0.15, 1.0), (0.20, 0.30, 0.15, 0.25)],
)  # fmt: skip
def test_p_honour_follows_the_audience_cost_formula(
    donbas, audience_cost_max, us_defence_cost, us_abandon_loss, p_honour
):
    # P(honour) = clip(1 - (us_defence_cost - us_abandon_loss) / audience_cost_max, 0, 1); the
    # Anchorage formula is worth 0.25 * P(honour) to Ukraine (every other term at its worst).
    params = {
        "audience_cost_max": audience_cost_max,
        "us_defence_cost": us_defence_cost,
        "us_abandon_loss": us_abandon_loss,
    }
    record = evaluate(donbas, donbas.proposals["anchorage_formula"].deal, parameters=params)
    assert record.utilities["ukraine"] == pytest.approx(0.25 * p_honour)
    game = donbas.games["guarantees_first"]
    chance = game.probabilities({**donbas.parameters, **params})["us_type"]
    assert float(chance["committed"]) == pytest.approx(p_honour)


@given(a=st.floats(0.02, 0.30), cost=st.floats(0.10, 0.35), loss=st.floats(0.05, 0.25))
@settings(max_examples=30, deadline=None)
def test_each_us_type_chooses_as_its_audience_cost_says(a, cost, loss):
    # The committed type honours and the uncommitted type abandons, by the US's own payoffs.
    donbas = dealsim.load("donbas-2026")
    params = {**donbas.parameters, "audience_cost_max": a, "us_defence_cost": cost,
              "us_abandon_loss": loss}  # fmt: skip
    ids = ["defended", "abandoned_committed", "abandoned_uncommitted"]
    pay = outcome_payoffs(donbas, params, ids=ids)
    d = min(a, max(0.0, cost - loss))
    assert pay["defended"]["us"] == pytest.approx(0.40 - cost)
    assert pay["abandoned_committed"]["us"] == pytest.approx(0.40 - loss - (d + a) / 2)
    assert pay["abandoned_uncommitted"]["us"] == pytest.approx(0.40 - loss - d / 2)
    if 1e-9 < cost - loss < a - 1e-9:  # off the knife edge d = a, where the type is indifferent
        assert pay["defended"]["us"] > pay["abandoned_committed"]["us"]
        assert pay["defended"]["us"] < pay["abandoned_uncommitted"]["us"]


def test_war_values_are_on_the_deal_scale(donbas):
    # Ukraine: 0.65 * 0.50 + 0.35 * (0.05 - 0.10) - 0.105 = 0.2025, below the no-cession deal
    # with a bilateral assurance and the full plan; Russia: 0.35 * 0.83 + 0.65 * 0.30 - 0.08.
    reservations = dict(zip(donbas.party_ids, donbas.reservations(), strict=True))
    assert reservations["ukraine"] == pytest.approx(0.2025)
    assert reservations["russia"] == pytest.approx(0.4055)
    # Russia's expected gain from war is not its cost (version 1's knife-edge)
    assert pytest.approx(0.1055) == 0.35 * (0.83 - 0.30) - 0.08


def test_only_full_cession_brings_enhanced_weapons(donbas):
    deal = {**NO_CESSION, "security_guarantee": "none", "enhanced_weapons": True}
    record = evaluate(donbas, deal)
    assert not record.feasible
    assert record.violated == [
        "Enhanced weapons for Ukraine's peacetime army are offered only with withdrawal from the "
        "Donbas"
    ]
