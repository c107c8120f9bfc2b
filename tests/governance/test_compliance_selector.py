"""Framework coverage: exact statuses and percentages."""

from __future__ import annotations

import pytest

from governance import selectors, services
from lifecycle.models import ChecklistItemTemplate
from phases import services as phases_services
from phases.models import ChecklistItem


def coverage(project, key):
    return next(f for f in selectors.compliance_for_project(project=project) if f.key == key)


def test_a_requirement_is_met_when_all_its_work_is_done(project, bob):
    items = [i for i in ChecklistItem.objects.filter(project=project) if "nist-ai-rmf:MAP-1.1" in i.refs]
    assert items, "the default template maps MAP-1.1"
    before = next(r for r in coverage(project, "nist-ai-rmf").requirements if r.code == "MAP-1.1")
    assert before.status == "open"

    for item in items:
        phases_services.checklist_item_set_done(item=item, actor=bob, done=True)
    after = next(r for r in coverage(project, "nist-ai-rmf").requirements if r.code == "MAP-1.1")

    # Met only if nothing else (artifacts, sign-offs) maps to it and is unfinished.
    assert after.status == ("met" if all(w["satisfied"] for w in after.evidence) else "open")
    assert all(w["satisfied"] for w in after.evidence if w["kind"] == "Checklist item")


def test_the_percentage_is_met_over_applicable(project, bob):
    fw = coverage(project, "iso-42001")
    assert fw.coverage == (round(100 * fw.met / (fw.met + fw.open)) if fw.met + fw.open else 100)
    # Tick everything: every requirement mapped only by checklist items becomes met.
    for item in ChecklistItem.objects.filter(project=project):
        phases_services.checklist_item_set_done(item=item, actor=bob, done=True)
    fw = coverage(project, "iso-42001")
    only_items = [r for r in fw.requirements if all(w["kind"] == "Checklist item" for w in r.evidence)]
    assert only_items and all(r.status == "met" for r in only_items)
    assert fw.coverage == round(100 * fw.met / (fw.met + fw.open))


def test_tier_requirements_are_not_applicable_to_other_tiers_with_a_reason(project, alice):
    services.classification_set(project=project, actor=alice, answers={"transparency": ["art-50-1"]})
    eu = coverage(project, "eu-ai-act")
    na = [r for r in eu.requirements if r.status == "not_applicable"]
    assert na
    assert all("this project is classified limited risk" in r.reason for r in na)
    # Art. 50 obligations apply to a limited-risk project.
    assert all(r.status != "not_applicable" for r in eu.requirements if r.code.startswith("art-50"))


def test_the_exact_percentage_on_a_small_template(alice, db):
    """Three checklist items mapping to three ISO requirements, one done: 33%."""
    from lifecycle import services as lifecycle_services

    project = lifecycle_services.project_create(actor=alice, name="Small")
    ChecklistItem.objects.filter(project=project).delete()
    scope = project.phases.get(key="scope")
    for i, ref in enumerate(["iso-42001:4.1", "iso-42001:4.2", "iso-42001:4.3"]):
        ChecklistItem.objects.create(project=project, phase=scope, key=f"k{i}", title=f"Item {i}", refs=[ref], done=i == 0)
    from phases.models import ArtifactTypeTemplate

    ArtifactTypeTemplate.objects.filter(phase__template=project.template).update(refs=[])
    from governance.models import Signoff

    Signoff.objects.filter(project=project).update(refs=[])
    fw = coverage(project, "iso-42001")
    assert [(r.code, r.status) for r in fw.requirements] == [("4.1", "met"), ("4.2", "open"), ("4.3", "open")]
    assert fw.coverage == 33
    assert ChecklistItemTemplate.objects.exists()


@pytest.mark.parametrize("key", ["eu-ai-act", "nist-ai-rmf", "nist-ai-600-1", "iso-42001"])
def test_every_framework_is_listed_with_its_source(project, key):
    fw = coverage(project, key)
    assert fw.source.startswith("https://") and fw.as_of
    assert fw.total_in_framework > 0


def _eu(project):
    return {r.code: r for r in coverage(project, "eu-ai-act").requirements}


def test_a_duty_that_binds_the_project_but_nothing_covers_is_listed_open(project, alice):
    """Coverage is measured against what applies, not only what the project chose to map."""
    services.classification_set(project=project, actor=alice, answers={"annex_iii_points": ["4a"], "role": "provider"})
    eu = _eu(project)
    # Art. 16 (the provider's general duties) binds a high-risk provider; no item cites it.
    assert (eu["art-16"].status, eu["art-16"].evidence, eu["art-16"].reason) == ("open", [], selectors.compliance.UNCOVERED)
    # The duties the obligation items cite are there once, with their items as evidence.
    assert [r.code for r in coverage(project, "eu-ai-act").requirements].count("art-9") == 1
    assert eu["art-9"].evidence
    # Another role's duties are not this project's.
    assert "art-23" not in eu and "art-26-1" not in eu


def test_a_deployer_is_measured_against_the_deployers_duties(project, alice):
    services.classification_set(project=project, actor=alice, answers={"annex_iii_points": ["4a"], "role": "deployer"})
    eu = _eu(project)
    assert "art-16" not in eu and "art-43" not in eu
    assert eu["art-26-1"].status == "open" and eu["art-26-1"].evidence  # cited by its obligation item
    assert eu["art-4"].evidence


def test_an_unclassified_project_lists_only_what_it_maps(project):
    assert all(r.evidence for r in coverage(project, "eu-ai-act").requirements)
