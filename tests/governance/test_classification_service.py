"""Classifying a project stores tier and rationale and adds the tier's obligations to the
checklist; changing an answer recomputes and says what changed."""

from __future__ import annotations

import pytest

from governance import services
from governance.models import Classification
from lifecycle.exceptions import ApplicationError
from phases.models import ChecklistItem


def obligations(project, tier=None):
    items = ChecklistItem.objects.filter(project=project, source="obligation")
    return items.filter(obligation_tier=tier) if tier else items


def test_high_risk_adds_the_article_9_to_15_evidence_in_the_right_phases(project, alice):
    change = services.classification_set(project=project, actor=alice, answers={"annex_iii_areas": [4]})

    assert change.classification.tier == "high"
    items = obligations(project, "high")
    refs = {ref for item in items for ref in item.refs}
    for article in ("art-9", "art-10", "art-11", "art-12", "art-13", "art-14", "art-15"):
        assert f"eu-ai-act:{article}" in refs, article
    assert any("eu-ai-act:art-15" in i.refs for i in items.filter(phase__key="evaluate"))
    assert any("eu-ai-act:art-11" in i.refs for i in items.filter(phase__key="integrate"))
    assert all(i.required for i in items)
    assert change.summary.startswith("Tier: High-risk; ")


def test_changing_an_answer_swaps_the_obligations_and_says_so(project, alice):
    services.classification_set(project=project, actor=alice, answers={"annex_iii_areas": [4]})
    high = obligations(project, "high").count()

    change = services.classification_set(project=project, actor=alice, answers={"transparency": ["art-50-1"]})

    assert change.classification.tier == "limited"
    assert obligations(project, "high").count() == 0
    assert obligations(project, "limited").count() > 0
    assert len(change.removed) == high
    assert change.summary.startswith("Tier changed from High-risk to Limited risk (transparency)")
    assert "removed" in change.summary


def test_answering_the_same_twice_changes_nothing_on_the_checklist(project, alice):
    services.classification_set(project=project, actor=alice, answers={"transparency": ["art-50-2"]})
    before = set(obligations(project).values_list("pk", flat=True))
    change = services.classification_set(project=project, actor=alice, answers={"transparency": ["art-50-2"]})
    assert set(obligations(project).values_list("pk", flat=True)) == before
    assert (change.added, change.removed) == ([], [])


def test_prohibited_marks_the_project_as_not_allowed(project, alice):
    services.classification_set(project=project, actor=alice, answers={"prohibited": ["art-5-1-a"]})
    assert Classification.objects.get(project=project).tier == "prohibited"
    stop = obligations(project, "prohibited").get()
    assert stop.required and stop.phase.key == "scope"


def test_a_high_risk_system_that_talks_to_people_also_gets_the_transparency_duties(project, alice):
    services.classification_set(project=project, actor=alice, answers={"annex_iii_areas": [5], "transparency": ["art-50-1"]})
    assert obligations(project, "high").exists() and obligations(project, "limited").exists()


def test_gpai_providers_get_the_model_obligations(project, alice):
    services.classification_set(project=project, actor=alice, answers={"gpai_provider": True, "systemic_compute": True})
    assert obligations(project, "gpai").exists() and obligations(project, "gpai_systemic").exists()


def test_bad_answers_change_nothing(project, alice):
    with pytest.raises(ApplicationError) as error:
        services.classification_set(project=project, actor=alice, answers={"annex_iii_areas": [42]})
    assert "answers.annex_iii_areas" in error.value.fields
    assert not Classification.objects.filter(project=project).exists()
