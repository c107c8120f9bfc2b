"""Ticking a checklist item records who and when; notes and evidence links are checked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance import services as governance_services
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.models import AuditEvent
from phases import services
from phases.models import ChecklistItem


@pytest.fixture
def item(project):
    return ChecklistItem.objects.filter(project=project, phase__key="scope", required=True).first()


def test_it_records_who_ticked_it_and_when(item, bob, time_machine):
    time_machine.move_to("2026-03-01 10:00:00+00:00", tick=False)
    item = services.checklist_item_set_done(
        item=item, actor=bob, done=True, note="Workshop held", evidence_links=["https://wiki.example/w1"]
    )
    assert item.done and item.done_by == bob
    assert item.done_at.isoformat() == "2026-03-01T10:00:00+00:00"
    assert item.evidence_links == ["https://wiki.example/w1"]
    event = AuditEvent.objects.filter(action="checklist_item.done").get()
    assert (event.before["done"], event.after["done"], event.after["done_by"]) == (False, True, str(bob.pk))


def test_unticking_clears_who_and_when(item, bob):
    services.checklist_item_set_done(item=item, actor=bob, done=True)
    item = services.checklist_item_set_done(item=item, actor=bob, done=False)
    assert (item.done, item.done_by, item.done_at) == (False, None, None)
    assert AuditEvent.objects.filter(action="checklist_item.undone").count() == 1


def test_it_records_nothing_when_nothing_changes(item, bob):
    services.checklist_item_set_done(item=item, actor=bob, done=True)
    before = AuditEvent.objects.count()
    services.checklist_item_set_done(item=item, actor=bob, done=True)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"evidence_links": ["javascript:alert(1)"]}, "evidence_links"),
        ({"evidence_links": ["not a url"]}, "evidence_links"),
        ({"evidence_links": [f"https://e.example/{i}" for i in range(21)]}, "evidence_links"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_it_refuses_bad_notes_and_links_and_changes_nothing(item, bob, kwargs, field):
    with pytest.raises(ApplicationError) as error:
        services.checklist_item_set_done(item=item, actor=bob, done=True, **kwargs)
    assert field in error.value.fields
    item.refresh_from_db()
    assert not item.done


def test_it_refuses_a_killed_project(item, alice, bob, project):
    lifecycle_services.project_kill(project=project, actor=alice)
    with pytest.raises(Conflict):
        services.checklist_item_set_done(item=item, actor=bob, done=True)


@pytest.fixture
def obligation(project, alice):
    governance_services.classification_set(project=project, actor=alice, answers={"role": "deployer"})
    return ChecklistItem.objects.get(project=project, key="all-art-4-ai-literacy")


def test_an_obligation_is_not_ticked_without_evidence(obligation, bob):
    with pytest.raises(ApplicationError) as error:
        services.checklist_item_set_done(item=obligation, actor=bob, done=True)
    assert error.value.code == "evidence_required" and "note" in error.value.fields
    obligation.refresh_from_db()
    assert not obligation.done


@pytest.mark.parametrize("evidence", [{"note": "Briefing held on 3 March"}, {"evidence_links": ["https://wiki.example/training"]}])
def test_an_obligation_is_ticked_with_a_note_or_a_link(obligation, bob, evidence):
    assert services.checklist_item_set_done(item=obligation, actor=bob, done=True, **evidence).done
    # Unticking needs nothing.
    assert not services.checklist_item_set_done(item=obligation, actor=bob, done=False).done


def test_the_page_says_why_an_obligation_without_evidence_stays_open(client_for, obligation, bob):
    url = reverse("phases:checklist-item-toggle", args=[obligation.pk])
    response = client_for(bob).post(url, {"done": "true"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "an obligation is ticked with its evidence" in response.content.decode().lower()
    obligation.refresh_from_db()
    assert not obligation.done
