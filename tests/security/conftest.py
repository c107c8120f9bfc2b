"""A project with one of every object a URL can point at, for the security tests.

alice owns `project`; bob (contributor) owns its artifacts; ava (approver, sponsor and compliance
officer) is the named approver of the open review and the one asked for feedback; the webhook
targets only a test address. Everything is created through services, as the product does.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance import services as governance_services
from governance.models import Gate, PostLaunchTask, RiskCategory, Signoff, WebhookDelivery
from lifecycle import services as lifecycle_services
from lifecycle.models import Job, User
from phases import services as phases_services
from sample_data.artifacts import SAMPLES
from tests.conftest import make_user


def sample_artifact(project, actor, type_key: str):
    title, data = SAMPLES[type_key]
    return phases_services.artifact_create(project=project, actor=actor, type=type_key, title=title, data=copy.deepcopy(data))


@pytest.fixture
def objects(settings, project, alice, bob, ava, vic, adam) -> dict:
    """One of each kind, keyed by the name the URL tables use."""
    settings.WEBHOOK_ALLOW_PUBLIC_TARGETS = True
    artifact = sample_artifact(project, bob, "scope_document")
    in_review = sample_artifact(project, bob, "feasibility_study")
    phases_services.artifact_submit(artifact=in_review, actor=bob)
    attachment = phases_services.attachment_add(
        artifact=artifact, actor=bob, upload=SimpleUploadedFile("notes.txt", b"plain notes\n", content_type="text/plain")
    )
    [feedback] = phases_services.feedback_request(artifact=artifact, actor=bob, reviewers=[ava], message="Thoughts?")
    risk = governance_services.risk_create(
        project=project,
        actor=bob,
        title="Leaks",
        category=RiskCategory.objects.get(project=None, key="data-privacy"),
        likelihood=4,
        impact=4,
    )
    incident = governance_services.incident_create(
        project=project, actor=bob, title="Outage", occurred_on=date(2026, 1, 2), severity="low", description="Down for an hour"
    )
    gate = Gate.objects.get(project=project, phase__key="scope")
    review = governance_services.review_request(gate=gate, actor=alice, justification="Early look")
    webhook = governance_services.webhook_create(
        actor=alice, project=project, url="https://hooks.example.com/in", events=["project.updated"], description="PMO"
    )
    global_webhook = governance_services.webhook_create(
        actor=adam, project=None, url="https://hooks.example.com/all", events=["project.updated"], description="All"
    )
    lifecycle_services.project_update(project=project, actor=alice, description="Answers customer questions quickly.")
    delivery = WebhookDelivery.objects.filter(endpoint=webhook).first()
    assert delivery is not None
    job = governance_services.report_request(project=project, actor=alice)
    job.result_file.save("report.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    job.status, job.result, job.progress, job.finished_at = Job.Status.SUCCEEDED, {"summary": {}}, 100, timezone.now()
    job.save()
    token, _ = lifecycle_services.token_create(user=alice, name="matrix")
    task = PostLaunchTask.objects.create(project=project, kind="bias_audit", due_on=timezone.localdate() + timedelta(days=3))
    trashed = lifecycle_services.project_create(actor=alice, name="Old pilot")
    lifecycle_services.project_delete(project=trashed, actor=alice)
    make_user("dora")
    return {
        "project": project,
        "phase": project.phases.get(key="scope"),
        "item": project.checklist_items.filter(phase__key="scope").order_by("order").first(),
        "member": project.memberships.get(user=bob),
        "artifact": artifact,
        "in_review": in_review,
        "attachment": attachment,
        "feedback": feedback,
        "risk": risk,
        "incident": incident,
        "gate": gate,
        "review": review,
        "signoff": Signoff.objects.get(project=project, kind="data_privacy"),
        "webhook": webhook,
        "global_webhook": global_webhook,
        "delivery": delivery,
        "job": job,
        "token": token,
        "task": task,
        "trashed": trashed,
    }


__all__ = ["User", "objects", "sample_artifact"]
