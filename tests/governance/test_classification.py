"""The EU AI Act questionnaire: every classification path, as a table."""

from __future__ import annotations

import pytest

from governance.classification import FACTS, classify, clean_answers, obligation_applies


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
        # The role is asked; Art. 25(1) makes a deployer of a high-risk system its provider.
        ({"role": "importer", "annex_iii_points": ["4a"]}, "high", "importer", "none"),
        ({"role": "deployer", "annex_iii_points": ["4a"], "provider_because": ["changed_purpose"]}, "high", "provider", "none"),
        ({"role": "distributor", "provider_because": ["own_name"]}, "minimal", "distributor", "none"),
        # Emotion recognition and biometric categorisation are Annex III point 1 uses.
        ({"transparency": ["art-50-3"]}, "high", "deployer", "none"),
        ({"transparency": ["art-50-3"], "derogations": ["preparatory"]}, "limited", "deployer", "none"),
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


def test_points_are_asked_where_the_duties_differ_and_bring_their_area():
    cleaned, errors = clean_answers({"annex_iii_points": ["5b", "4a"]})
    assert errors == {}
    assert (cleaned["annex_iii_points"], cleaned["annex_iii_areas"]) == (["4a", "5b"], [4, 5])
    facts = classify(cleaned).facts
    assert {"annex_iii", "annex_iii:4", "annex_iii:4a", "annex_iii:5", "annex_iii:5b"} <= facts
    assert "annex_iii:4b" not in facts


@pytest.mark.parametrize(
    ("answers", "facts"),
    [
        ({"annex_i_safety_component": True}, {"annex_i"}),
        ({"annex_iii_points": ["4a"], "derogations": ["narrow_task"]}, {"derogation", "annex_iii:4a"}),
        ({"public_body": True, "workplace": True, "transparency": ["art-50-4"]}, {"public_body", "workplace", "transparency:art-50-4"}),
        ({"role": "deployer", "annex_iii_points": ["4a"], "provider_because": ["own_name"]}, {"art_25", "annex_iii"}),
    ],
)
def test_the_facts_are_what_obligations_test(answers, facts):
    found = _classify(**answers).facts
    assert facts <= found <= FACTS


@pytest.mark.parametrize(
    ("bucket", "roles", "when", "applies"),
    [
        ("high", [], [], True),
        ("limited", [], [], False),  # not a tier in force
        ("all", [], [], True),  # every tier
        ("high", ["provider"], [], False),  # another role's duty
        ("high", ["deployer", "provider"], [], True),
        ("high", ["deployer"], ["public_body", "annex_iii:5b"], True),  # one fact is enough
        ("high", ["deployer"], ["public_body"], False),
    ],
)
def test_an_obligation_binds_by_tier_role_and_facts(bucket, roles, when, applies):
    facts = frozenset({"annex_iii", "annex_iii:5", "annex_iii:5b"})
    assert obligation_applies(bucket=bucket, roles=roles, when=when, tiers=["high"], role="deployer", facts=facts) is applies
