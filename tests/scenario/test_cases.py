"""The bundled historical cases: each checks a number worked by hand from its file."""

import pytest

import dealsim
from dealsim.analysis.proposals import evaluate


def actual_record(name):
    scenario = dealsim.load(name)
    return scenario, evaluate(scenario, scenario.actual.deal)


def test_camp_david_egypt_utility_of_the_accords():
    # 0.50 * 1 + 0.15 * 1 + 0.20 * 0.4 + 0.15 * 0.3 (scenarios/camp-david-1978.toml)
    _, record = actual_record("camp-david-1978")
    assert record.utilities["egypt"] == pytest.approx(0.775)
    assert record.utilities["israel"] == pytest.approx(0.54)


def test_dayton_bosnia_utility_of_the_agreement():
    # 0.35 * 0.5 + 0.25 * 0.5 + 0.20 * 1 + 0.10 * 0.5 + 0.10 * 1
    _, record = actual_record("dayton-1995")
    assert record.utilities["bosnia"] == pytest.approx(0.65)


def test_good_friday_unionist_utility_of_the_agreement():
    # 0.35 * 1 + 0.15 * 1 + 0.10 * 0.4 + 0.15 * 0.5 + 0.10 * 0 + 0.15 * 0.3
    _, record = actual_record("good-friday-1998")
    assert record.utilities["unionists"] == pytest.approx(0.66)


def test_korean_armistice_unc_utility_and_the_communists_below_their_war_value():
    # UNC: 0.15 + 0.35 + 0.10 + 0.05 + 0.20 + 0.15 * 0.4 = 0.91; the communists:
    # 0.20 * 0.2 + 0.30 * 0.3 + 0.05 * 0.6 + 0.10 * 1 + 0.25 * 0 + 0.10 * 0 = 0.26 < 0.35
    _, record = actual_record("korean-armistice-1953")
    assert record.utilities["unc"] == pytest.approx(0.91)
    assert record.utilities["communists"] == pytest.approx(0.26)
    assert "communists" not in record.accepted_by


def test_colombia_ratification_model_predicts_the_failed_plebiscite_would_pass():
    # log-odds 0.1 + 0.3 + 0.2 * 3 - 0.4 = 0.6; 1 / (1 + exp(-0.6)) = 0.6457; the vote: 49.8% Yes
    _, record = actual_record("colombia-farc-2016")
    assert record.utilities["farc"] == pytest.approx(0.82)
    assert record.ratification["government"]["approval"] == pytest.approx(0.645656, abs=1e-6)
    # ... and with a poll error of 0.05 the model makes the vote very likely to pass:
    # Phi((0.645656 - 0.5) / 0.05) = Phi(2.913) = 0.9982; it failed 49.8 to 50.2.
    assert record.ratification["government"]["probability"] == pytest.approx(0.99821, abs=1e-4)
