"""The EU AI Act questionnaire: every classification path, as a table."""

from __future__ import annotations

import pytest

from governance.classification import classify, clean_answers


def _classify(**answers):
    cleaned, errors = clean_answers(answers)
    assert errors == {}
    return classify(cleaned)


@pytest.mark.parametrize(
    ("answers", "tier", "role", "model_role"),
    [
        ({}, "minimal", "deployer", "none"),
        ({"provider": True}, "minimal", "provider", "none"),
        ({"prohibited": ["art-5-1-c"]}, "prohibited", "deployer", "none"),
        # A prohibited practice wins over everything else.
        ({"prohibited": ["art-5-1-f"], "annex_iii_areas": [3], "transparency": ["art-50-1"]}, "prohibited", "deployer", "none"),
        ({"annex_i_safety_component": True}, "high", "deployer", "none"),
        ({"annex_iii_areas": [4]}, "high", "deployer", "none"),
        # The Art. 6(3) derogation takes an Annex III system out of high-risk...
        ({"annex_iii_areas": [4], "derogations": ["narrow_task"]}, "minimal", "deployer", "none"),
        ({"annex_iii_areas": [4], "derogations": ["preparatory"], "transparency": ["art-50-1"]}, "limited", "deployer", "none"),
        # ...unless it profiles people.
        ({"annex_iii_areas": [4], "derogations": ["narrow_task"], "profiling": True}, "high", "deployer", "none"),
        # Annex I does not care about the derogation.
        ({"annex_i_safety_component": True, "derogations": ["narrow_task"]}, "high", "deployer", "none"),
        ({"transparency": ["art-50-2"]}, "limited", "deployer", "none"),
        ({"transparency": ["art-50-1", "art-50-4"], "provider": True}, "limited", "provider", "none"),
        ({"gpai_provider": True, "provider": True}, "minimal", "provider", "gpai"),
        ({"gpai_provider": True, "systemic_compute": True}, "minimal", "deployer", "gpai_systemic"),
        # Compute above the threshold means nothing without a model of one's own.
        ({"systemic_compute": True}, "minimal", "deployer", "none"),
    ],
)
def test_it_classifies(answers, tier, role, model_role):
    result = _classify(**answers)
    assert (result.tier, result.role, result.model_role) == (tier, role, model_role)
    assert result.rationale


def test_the_rationale_names_the_legal_hooks():
    rationale = _classify(annex_iii_areas=[4, 3], profiling=True).rationale
    assert "Art. 6(2)" in rationale and "3. Education" in rationale and "4. Employment" in rationale
    assert "profiles people" in rationale
    assert "Art. 5(1)(c)" in _classify(prohibited=["art-5-1-c"]).rationale
    assert "cannot proceed" in _classify(prohibited=["art-5-1-c"]).rationale


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"prohibited": ["art-5-1-z"]}, "prohibited"),
        ({"annex_iii_areas": [9]}, "annex_iii_areas"),
        ({"annex_iii_areas": "4"}, "annex_iii_areas"),
        ({"profiling": "maybe"}, "profiling"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_it_refuses_bad_answers(answers, field):
    _, errors = clean_answers(answers)
    assert field in errors
