"""Classifying a project stores tier, role and rationale and puts on the checklist exactly the
obligations that bind it: by tier in force, by role (provider, deployer, importer, distributor,
authorised representative) and by the facts of the answers (`when`). Changing an answer
recomputes and says what changed."""

from __future__ import annotations

import pytest

from governance import services
from governance.models import Classification, Gate, ObligationTemplate
from governance.services import readiness
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError
from lifecycle.models import AuditEvent
from phases.models import ChecklistItem

PROVIDER_HIGH = {
    "high-risk-art-9-risk-management",
    "high-risk-art-17-quality-management",
    "high-risk-art-10-data-governance",
    "high-risk-art-10-bias-examination",
    "high-risk-art-14-human-oversight",
    "high-risk-art-15-accuracy-robustness",
    "high-risk-art-11-technical-documentation",
    "high-risk-art-12-record-keeping",
    "high-risk-art-13-instructions-for-use",
    "high-risk-art-43-conformity-assessment",
    "high-risk-art-47-declaration-of-conformity",
    "high-risk-art-48-ce-marking",
    "high-risk-art-49-registration",
    "high-risk-art-72-post-market-monitoring",
    "high-risk-art-73-serious-incident-reporting",
}
# What every deployer of a high-risk system owes (Art. 26(1), (2), (4), (5), (6), (9), (12)).
DEPLOYER_HIGH = {
    "deployer-art-26-1-use-per-instructions",
    "deployer-art-26-2-human-oversight",
    "deployer-art-26-4-input-data",
    "deployer-art-26-5-monitor-and-suspend",
    "deployer-art-26-6-keep-logs",
    "deployer-art-26-9-data-protection-impact",
    "deployer-art-26-12-cooperate-with-authorities",
}
# ...and, for an Annex III system deciding about people, Art. 26(11) and Art. 86.
DEPLOYER_ANNEX_III = {"deployer-art-26-11-inform-affected-persons", "deployer-art-86-explanation"}
LITERACY = "all-art-4-ai-literacy"
FRIA = "high-risk-art-27-fundamental-rights-impact"


def keys(project) -> set[str]:
    return set(ChecklistItem.objects.filter(project=project, source="obligation").values_list("key", flat=True))


def classify(project, actor, **answers):
    return services.classification_set(project=project, actor=actor, answers=answers)


def test_a_deployer_of_a_vendors_cv_screening_tool_gets_its_own_duties_and_none_of_the_providers(project, alice):
    change = classify(project, alice, annex_iii_points=["4a"], role="deployer", workplace=True)

    assert (change.classification.tier, change.classification.role) == ("high", "deployer")
    assert keys(project) == DEPLOYER_HIGH | DEPLOYER_ANNEX_III | {"deployer-art-26-7-inform-workers", LITERACY}
    # No CE marking, declaration of conformity, quality management system or registration.
    assert not keys(project) & PROVIDER_HIGH
    assert "4(a)" in change.classification.rationale


def test_the_provider_of_the_same_tool_gets_the_provider_duties(project, alice):
    classify(project, alice, annex_iii_points=["4a"], role="provider")
    assert keys(project) == PROVIDER_HIGH | {LITERACY}


def test_a_deployer_that_puts_its_name_on_it_becomes_its_provider_and_is_told_why(project, alice):
    change = classify(project, alice, annex_iii_points=["4a"], role="deployer", provider_because=["own_name"])
    assert change.classification.role == "provider"
    assert "Art. 25(1)" in change.classification.rationale and "name or trademark" in change.classification.rationale
    assert keys(project) == PROVIDER_HIGH | {LITERACY}


def test_art_25_does_not_make_a_provider_of_a_system_that_is_not_high_risk(project, alice):
    change = classify(project, alice, transparency=["art-50-1"], role="deployer", provider_because=["own_name"])
    assert change.classification.role == "deployer"
    assert "concerns high-risk systems only" in change.classification.rationale


def test_a_chatbot_deployer_owes_ai_literacy_and_not_the_providers_disclosure_design(project, alice):
    change = classify(project, alice, transparency=["art-50-1"], role="deployer")
    assert change.classification.tier == "limited"
    assert keys(project) == {LITERACY}


def test_a_chatbot_provider_owes_the_interaction_notice_and_no_other_art_50_duty(project, alice):
    classify(project, alice, transparency=["art-50-1"], role="provider")
    assert keys(project) == {"limited-art-50-1-ai-interaction-notice", LITERACY}


def test_emotion_recognition_is_checked_against_annex_iii_as_well_as_art_50(project, alice):
    change = classify(project, alice, transparency=["art-50-3"], role="deployer")
    assert change.classification.tier == "high"
    assert "Annex III point 1" in change.classification.rationale
    assert keys(project) == DEPLOYER_HIGH | DEPLOYER_ANNEX_III | {"limited-art-50-3-emotion-biometric-notice", LITERACY}


@pytest.mark.parametrize(
    ("answers", "fria"),
    [
        ({"annex_iii_points": ["5b"]}, True),  # credit scoring
        ({"annex_iii_points": ["5c"]}, True),  # life and health insurance pricing
        ({"annex_iii_points": ["4a"], "public_body": True}, True),
        ({"annex_iii_points": ["4a"]}, False),
        ({"annex_iii_points": ["5b"], "role": "provider"}, False),  # a deployer's duty
    ],
)
def test_the_fundamental_rights_impact_assessment_binds_the_deployers_art_27_names(project, alice, answers, fria):
    classify(project, alice, **{"role": "deployer", **answers})
    assert (FRIA in keys(project)) is fria


def test_a_public_deployer_uses_only_a_registered_system(project, alice):
    classify(project, alice, annex_iii_points=["5a"], role="deployer", public_body=True)
    assert {"deployer-art-26-8-public-registration", FRIA} <= keys(project)


def test_the_art_6_3_derogation_brings_its_record_and_registration_for_the_provider_only(project, alice):
    change = classify(project, alice, annex_iii_points=["4a"], derogations=["narrow_task"], role="provider")
    assert change.classification.tier == "minimal"
    code = "minimal-art-95-voluntary-code"
    assert keys(project) == {"all-art-6-4-derogation-assessment", "all-art-49-2-derogation-registration", LITERACY, code}


def test_a_deployer_using_the_derogation_owes_neither_record_nor_registration(project, alice):
    classify(project, alice, annex_iii_points=["4a"], derogations=["narrow_task"], role="deployer")
    assert keys(project) == {LITERACY, "minimal-art-95-voluntary-code"}


@pytest.mark.parametrize(
    ("role", "own"),
    [
        ("importer", "importer-art-23-verify-conformity"),
        ("distributor", "distributor-art-24-verify-marking"),
        ("authorised_representative", "authorised-representative-art-22-mandate"),
    ],
)
def test_importers_distributors_and_representatives_get_their_own_article(project, alice, role, own):
    change = classify(project, alice, annex_iii_points=["4a"], role=role)
    assert change.classification.role == role
    assert keys(project) == {own}


def test_changing_an_answer_swaps_the_obligations_and_says_so(project, alice, ava):
    classify(project, alice, annex_iii_points=["4a"], role="provider")
    before = keys(project)

    # A lower tier takes effect once signed off (test_classification_change_signoff.py).
    signoff = classify(project, alice, transparency=["art-50-1"], role="provider").signoff
    link = [{"type": "link", "url": "https://wiki.example/assessment"}]
    services.signoff_decide(signoff=signoff, actor=ava, decision="approved", comment="Confirmed.", evidence=link)

    assert Classification.objects.get(project=project).tier == "limited"
    assert keys(project) == {"limited-art-50-1-ai-interaction-notice", LITERACY}
    decided = AuditEvent.objects.get(action="project.classified", after__signed_off_by="ava")
    removed = len(before - keys(project))
    assert decided.after["summary"] == (
        f"Tier changed from High-risk to Limited risk (transparency); 1 obligation added to the checklist; "
        f"{removed} no longer apply and were removed."
    )


def test_answering_the_same_twice_changes_nothing_on_the_checklist(project, alice):
    classify(project, alice, transparency=["art-50-2"], role="provider")
    before = set(ChecklistItem.objects.filter(project=project, source="obligation").values_list("pk", flat=True))
    change = classify(project, alice, transparency=["art-50-2"], role="provider")
    assert set(ChecklistItem.objects.filter(project=project, source="obligation").values_list("pk", flat=True)) == before
    assert (change.added, change.removed) == ([], [])


def test_prohibited_marks_the_project_as_not_allowed(project, alice):
    classify(project, alice, prohibited=["art-5-1-a"])
    assert Classification.objects.get(project=project).tier == "prohibited"
    stop = ChecklistItem.objects.get(project=project, key="prohibited-art-5-stop")
    assert stop.required and stop.phase.key == "scope"


def test_a_high_risk_provider_that_talks_to_people_also_gets_the_transparency_duty(project, alice):
    classify(project, alice, annex_iii_points=["5d"], transparency=["art-50-1"], role="provider")
    assert PROVIDER_HIGH | {"limited-art-50-1-ai-interaction-notice"} <= keys(project)


def test_gpai_providers_get_the_model_obligations(project, alice):
    classify(project, alice, gpai_provider=True, systemic_compute=True, role="provider")
    assert {k for k in keys(project) if k.startswith("gpai-systemic-")} and {k for k in keys(project) if k.startswith("gpai-art-53")}


def test_answers_stored_before_the_role_was_asked_still_read(project, alice):
    """`provider: true` alone means provider; its absence, deployer."""
    assert classify(project, alice, annex_iii_areas=[4], provider=True).classification.role == "provider"
    assert keys(project) == PROVIDER_HIGH | {LITERACY}


def test_answers_without_the_provider_flag_read_as_a_deployers(project, alice):
    assert classify(project, alice, annex_iii_areas=[4]).classification.role == "deployer"
    assert keys(project) == DEPLOYER_HIGH | DEPLOYER_ANNEX_III | {LITERACY}


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"annex_iii_areas": [42]}, "answers.annex_iii_areas"),
        ({"annex_iii_points": ["4z"]}, "answers.annex_iii_points"),
        ({"role": "reseller"}, "answers.role"),
        ({"role": "deployer", "provider": True}, "answers.role"),
        ({"provider_because": ["rebranded"]}, "answers.provider_because"),
    ],
)
def test_bad_answers_change_nothing(project, alice, answers, field):
    with pytest.raises(ApplicationError) as error:
        services.classification_set(project=project, actor=alice, answers=answers)
    assert field in error.value.fields
    assert not Classification.objects.filter(project=project).exists()
    assert keys(project) == set()


def test_a_late_high_risk_classification_carries_the_passed_phases_duties_to_the_next_gate(project, alice, adam):
    for _ in range(2):
        project = lifecycle_services.phase_advance(project=project, actor=adam, reason="Test", by_admin=True)
    assert project.current_phase == "adapt_align"
    ChecklistItem.objects.filter(project=project, phase__key="adapt_align").update(done=True)

    classify(project, alice, annex_iii_points=["4a"], role="provider")

    items = {i.key: i for i in ChecklistItem.objects.filter(project=project, source="obligation").select_related("phase")}
    # Scope's and Select's duties are in the current phase, marked with the phase they were due in.
    carried = items["high-risk-art-9-risk-management"]
    assert (carried.phase.key, carried.carried_from) == ("adapt_align", "scope")
    assert (items["high-risk-art-10-data-governance"].phase.key, items["high-risk-art-10-data-governance"].carried_from) == (
        "adapt_align",
        "select",
    )
    # Those due now or later stay where they belong.
    assert (items["high-risk-art-15-accuracy-robustness"].phase.key, items["high-risk-art-15-accuracy-robustness"].carried_from) == (
        "evaluate",
        "",
    )
    # The gate in front of the project counts them.
    assessment = readiness.gate_assess(Gate.objects.get(project=project, phase__key="adapt_align").pk)
    assert "adapt-align-required-items" in assessment.blocking
    explanation = next(c for c in assessment.criteria if c["key"] == "adapt-align-required-items")["explanation"]
    # Every template item of the phase is done: what is open is the new duties, four carried over
    # from Scope and Select and two of the phase itself.
    assert explanation.startswith("7 of 13 required checklist items are done. Still open: “Make sure the people")


TIERS = {
    "prohibited": {"prohibited": ["art-5-1-c"]},
    "high": {"annex_iii_points": ["4a"]},
    "limited": {"transparency": ["art-50-1", "art-50-3"], "derogations": ["narrow_task"]},
    "minimal": {},
}


@pytest.mark.parametrize("tier", sorted(TIERS))
@pytest.mark.parametrize("role", ["provider", "deployer", "importer", "distributor", "authorised_representative"])
def test_every_obligation_on_the_checklist_binds_the_role_and_tier_in_its_own_phase(project, alice, role, tier):
    """Over role × tier: what lands on the checklist is exactly the template's obligations for
    that role, tier and answers, each in the phase it is due (a project still in Scope)."""
    change = classify(project, alice, role=role, **TIERS[tier])
    assert (change.classification.tier, change.classification.role) == (tier, role)
    items = {i.key: i for i in ChecklistItem.objects.filter(project=project, source="obligation").select_related("phase")}
    templates = {o.key: o for o in ObligationTemplate.objects.filter(template=project.template_id)}
    facts = change.classification.facts
    tiers = change.classification.obligation_tiers
    expected = {
        key
        for key, o in templates.items()
        if (o.tier == "all" or o.tier in tiers) and (not o.roles or role in o.roles) and (not o.when or set(o.when) & facts)
    }
    assert set(items) == expected
    assert all(i.phase.key == templates[k].phase_key and not i.carried_from for k, i in items.items())
    if role in ("provider", "deployer"):
        assert LITERACY in items
