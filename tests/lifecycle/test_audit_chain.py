"""The audit log is tamper-evident: verify_audit_chain (and the audit page, through a job) finds
an edited, deleted or inserted event; the command exits non-zero."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from lifecycle import services
from lifecycle.models import AuditEvent, Job


@pytest.fixture
def events(project, alice):
    services.project_update(project=project, actor=alice, name="One")
    services.project_update(project=project, actor=alice, name="Two")
    return list(AuditEvent.objects.order_by("seq"))


def test_an_intact_chain_verifies(events, capsys):
    call_command("verify_audit_chain")
    assert f"{len(events)} events verified" in capsys.readouterr().out


def test_an_edited_event_is_found(events):
    victim = events[3]
    # Tampering goes around the application, straight to the table.
    AuditEvent.objects.filter(pk=victim.pk).update(after={"name": "forged"})
    report = services.audit_chain_verify()
    assert (report.ok, report.broken_at) == (False, victim.seq)
    assert "edited" in report.problem
    with pytest.raises(CommandError, match=f"broken at event #{victim.seq}"):
        call_command("verify_audit_chain")


def test_an_edited_event_whose_hash_is_recomputed_breaks_the_next_link(events):
    from lifecycle.services.records import event_hash

    victim = AuditEvent.objects.get(pk=events[3].pk)
    victim.after = {"name": "forged"}
    victim.hash = event_hash(victim)
    victim.save(update_fields=["after", "hash"])
    report = services.audit_chain_verify()
    assert report.broken_at == events[4].seq
    assert "re-linked" in report.problem


def test_a_deleted_event_is_found(events):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM lifecycle_auditevent WHERE seq = %s", [events[2].seq])
    report = services.audit_chain_verify()
    assert report.broken_at == events[3].seq
    assert "deleted or inserted" in report.problem


def test_an_inserted_event_is_found(events):
    last = events[-1]
    AuditEvent.objects.filter(seq__gte=events[2].seq).update(seq=models_shift())
    forged = AuditEvent(seq=events[2].seq, action="project.forged", object_type="project", prev_hash=events[1].hash, hash="0" * 64)
    forged.save()
    report = services.audit_chain_verify()
    assert not report.ok and report.broken_at in (events[2].seq, events[2].seq + 1000)
    assert last.seq


def models_shift():
    from django.db.models import F

    return F("seq") + 1000


def test_the_admin_cannot_change_or_delete_events(client_for, adam, events):
    response = client_for(adam).post(f"/admin/lifecycle/auditevent/{events[0].pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=events[0].pk).exists()


def test_an_administrator_verifies_the_chain_from_the_audit_page(client_for, adam, alice, project, django_capture_on_commit_callbacks):
    client = client_for(adam)
    with mock.patch("lifecycle.tasks.audit_verify_job_task.apply_async") as sent, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lifecycle:audit-verify"))
    job_id = sent.call_args.kwargs["args"][0]
    assert response.status_code == 302
    assert response.url == f"{reverse('lifecycle:audit-log')}?job={job_id}"
    assert "Waiting for a worker" in client.get(response.url).content.decode()

    services.audit_verify_run(job_id=job_id)  # what the worker does
    page = client.get(response.url).content.decode()
    assert f"The chain is intact: {AuditEvent.objects.count()} events verified." in page

    AuditEvent.objects.filter(seq=2).update(action="tampered")
    with mock.patch("lifecycle.tasks.audit_verify_job_task.apply_async") as sent, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lifecycle:audit-verify"))
    services.audit_verify_run(job_id=sent.call_args.kwargs["args"][0])
    assert "The chain is broken at event #2" in client.get(response.url).content.decode()


def test_only_administrators_verify_and_only_by_post(client_for, alice, adam, project):
    assert client_for(alice).post(reverse("lifecycle:audit-verify")).status_code == 403
    assert client_for(adam).get(reverse("lifecycle:audit-verify")).status_code == 405
    assert Job.objects.count() == 0
