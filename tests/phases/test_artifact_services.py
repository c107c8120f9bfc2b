"""Artifact versions, review, comments and stakeholder feedback."""

from __future__ import annotations

import copy

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.models import AuditEvent, Notification
from phases import services
from phases.models import ArtifactReview, ArtifactVersion
from sample_data.artifacts import SAMPLES


def create(project, actor, key="scope_document"):
    title, data = SAMPLES[key]
    return services.artifact_create(project=project, actor=actor, type=key, title=title, data=copy.deepcopy(data))


def test_it_creates_version_one_as_a_draft_in_the_expected_phase(project, bob):
    artifact = create(project, bob, "model_selection")
    assert (artifact.status, artifact.latest_version.number, artifact.owner) == ("draft", 1, bob)
    assert artifact.phase.key == "select"
    assert artifact.latest_version.computed["leader"] == "Vendor model A"
    assert AuditEvent.objects.filter(action="artifact.created", object_id=artifact.pk).exists()


def test_bad_content_saves_nothing_and_names_the_fields(project, bob):
    data = copy.deepcopy(SAMPLES["inference_cost_estimate"][1])
    data["candidates"][0]["requests_per_day"] = -3
    with pytest.raises(ApplicationError) as error:
        services.artifact_create(project=project, actor=bob, type="inference_cost_estimate", title="", data=data)
    assert error.value.fields == {
        "title": ["This field is required."],
        "data.candidates[0].requests_per_day": ["Must not be negative."],
    }
    assert not project.artifacts.exists()


def test_an_unknown_type_is_refused(project, bob):
    with pytest.raises(ApplicationError) as error:
        services.artifact_create(project=project, actor=bob, type="poem", title="x", data={})
    assert "type" in error.value.fields


def test_every_save_adds_a_version_and_unchanged_saves_add_none(project, bob):
    artifact = create(project, bob)
    data = copy.deepcopy(artifact.latest_version.data)
    data["goals"] = "New goals"
    artifact = services.artifact_update(artifact=artifact, actor=bob, data=data)
    artifact = services.artifact_update(artifact=artifact, actor=bob, data=data)
    assert list(artifact.versions.values_list("number", flat=True)) == [2, 1]
    assert artifact.latest_version.data["goals"] == "New goals"


def test_review_approve_and_edit_keeps_the_approved_version(project, bob, ava):
    artifact = create(project, bob)
    services.artifact_submit(artifact=artifact, actor=bob)
    artifact = services.artifact_approve(artifact=artifact, actor=ava, comment="Clear")
    assert artifact.status == "approved" and artifact.approved_version.number == 1

    data = copy.deepcopy(artifact.latest_version.data)
    data["goals"] = "Revised goals"
    artifact = services.artifact_update(artifact=artifact, actor=bob, data=data)

    # A new draft; the approved version is intact and still the approved one.
    assert (artifact.status, artifact.latest_version.number, artifact.approved_version.number) == ("draft", 2, 1)
    assert ArtifactVersion.objects.get(artifact=artifact, number=1).data["goals"] == SAMPLES["scope_document"][1]["goals"]

    services.artifact_submit(artifact=artifact, actor=bob)
    artifact = services.artifact_approve(artifact=artifact, actor=ava)
    assert artifact.approved_version.number == 2
    assert ArtifactVersion.objects.get(artifact=artifact, number=1).status == "superseded"


def test_nobody_approves_their_own_artifact(project, adam):
    artifact = create(project, adam)
    services.artifact_submit(artifact=artifact, actor=adam)
    with pytest.raises(PermissionDenied):
        services.artifact_approve(artifact=artifact, actor=adam)


def test_sending_back_needs_a_comment_and_returns_to_draft(project, bob, ava):
    artifact = create(project, bob)
    services.artifact_submit(artifact=artifact, actor=bob)
    with pytest.raises(ApplicationError) as error:
        services.artifact_send_back(artifact=artifact, actor=ava, comment=" ")
    assert error.value.fields == {"comment": ["This field is required."]}
    artifact = services.artifact_send_back(artifact=artifact, actor=ava, comment="Add milestones")
    assert artifact.status == "draft"
    review = ArtifactReview.objects.get()
    assert (review.decision, review.reviewer, review.comment) == ("sent_back", ava, "Add milestones")
    assert review.decided_at is not None


def test_state_rules(project, bob, ava):
    artifact = create(project, bob)
    with pytest.raises(Conflict):
        services.artifact_approve(artifact=artifact, actor=ava)
    services.artifact_submit(artifact=artifact, actor=bob)
    with pytest.raises(Conflict):
        services.artifact_submit(artifact=artifact, actor=bob)
    with pytest.raises(Conflict, match="waiting for review"):
        services.artifact_update(artifact=artifact, actor=bob, title="Changed while in review")


def test_submitting_notifies_the_approvers_after_commit(project, bob, ava, django_capture_on_commit_callbacks, eager_tasks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        artifact = create(project, bob)
        services.artifact_submit(artifact=artifact, actor=bob)
        assert mail.outbox == []
    notification = Notification.objects.get(user=ava, kind="artifact_review_requested")
    assert notification.title == f"Review requested: {artifact.title} (v1)"
    assert notification.url == artifact.get_absolute_url()
    # The e-mail goes from a task that runs only once the transaction has committed.
    assert len(callbacks) >= 1
    assert [m.to for m in mail.outbox] == [["ava@example.org"]]


def test_no_notification_when_the_transaction_rolls_back(project, bob, ava, django_capture_on_commit_callbacks, eager_tasks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        artifact = create(project, bob)
        services.artifact_submit(artifact=artifact, actor=bob)
        raise RuntimeError
    assert callbacks == []
    assert mail.outbox == []


def test_deciding_notifies_the_owner(project, bob, ava):
    artifact = create(project, bob)
    services.artifact_submit(artifact=artifact, actor=bob)
    services.artifact_send_back(artifact=artifact, actor=ava, comment="More detail")
    notification = Notification.objects.get(user=bob, kind="artifact_decided")
    assert notification.title.endswith("was sent back")
    assert "More detail" in notification.body


def test_feedback_is_kept_with_the_version(project, bob, ava, vic, charlie):
    artifact = create(project, bob)
    with pytest.raises(ApplicationError, match="Only project members"):
        services.feedback_request(artifact=artifact, actor=bob, reviewers=[charlie])
    requests = services.feedback_request(artifact=artifact, actor=bob, reviewers=[ava, vic], message="Is the scope right?")
    assert {r.reviewer for r in requests} == {ava, vic}
    assert Notification.objects.filter(kind="feedback_requested").count() == 2

    answer = services.feedback_answer(request=requests[0], actor=requests[0].reviewer, answer="Add the billing team.")
    assert answer.version.number == 1 and answer.answered_at is not None
    with pytest.raises(PermissionDenied):
        services.feedback_answer(request=requests[1], actor=bob, answer="Not mine to answer")


def test_comments(project, bob):
    artifact = create(project, bob)
    comment = services.artifact_comment_add(artifact=artifact, actor=bob, body="  Looks good  ")
    assert (comment.body, comment.version.number) == ("Looks good", 1)
    with pytest.raises(ApplicationError):
        services.artifact_comment_add(artifact=artifact, actor=bob, body="")


def test_a_killed_project_refuses_every_artifact_change(project, alice, bob):
    artifact = create(project, bob)
    lifecycle_services.project_kill(project=project, actor=alice)
    for call in (
        lambda: create(project, bob),
        lambda: services.artifact_update(artifact=artifact, actor=bob, title="x"),
        lambda: services.artifact_submit(artifact=artifact, actor=bob),
        lambda: services.artifact_comment_add(artifact=artifact, actor=bob, body="x"),
    ):
        with pytest.raises(Conflict):
            call()
