"""Artifacts: create and edit (every save is a new version), submit, approve or send back,
comment, and ask for stakeholder feedback on a version."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone

from lifecycle import selectors as lifecycle_selectors
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.limits import text_within
from lifecycle.models import Phase, Project, Role, User
from lifecycle.permissions import Action
from phases.artifact_types import PHASE_OF_TYPE
from phases.artifacts.types import ARTIFACT_TYPES
from phases.limits import (
    ARTIFACT_COMMENT_MAX_LENGTH,
    DECISION_COMMENT_MAX_LENGTH,
    FEEDBACK_ANSWER_MAX_LENGTH,
    FEEDBACK_MESSAGE_MAX_LENGTH,
)
from phases.models import (
    Artifact,
    ArtifactComment,
    ArtifactReview,
    ArtifactStatus,
    ArtifactTypeTemplate,
    ArtifactVersion,
    FeedbackRequest,
)

MAX_FEEDBACK_REVIEWERS = 20


def artifact_snapshot(artifact: Artifact) -> dict:
    return {
        "title": artifact.title,
        "type": artifact.type,
        "status": artifact.status,
        "owner": str(artifact.owner_id),
        "latest_version": artifact.latest_version.number if artifact.latest_version else None,
        "approved_version": artifact.approved_version.number if artifact.approved_version else None,
    }


def _record(actor: User | None, action: str, artifact: Artifact, before: dict | None, extra: dict | None = None) -> None:
    after = artifact_snapshot(artifact)
    if extra:
        after.update(extra)
    lifecycle_services.change_record(actor=actor, action=action, obj=artifact, project=artifact.project_id, before=before, after=after)


def _clean(type_key: str, title: str, data: Any) -> tuple[str, dict]:
    """Validate the title and the type's fields; errors are keyed "title" and "data.<field>"."""
    kind = ARTIFACT_TYPES.get(type_key)
    if kind is None:
        raise ApplicationError(f"{type_key!r} is not an artifact type.", fields={"type": [f"Choose one of: {', '.join(ARTIFACT_TYPES)}."]})
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["This field is required."]
    elif len(title) > 200:
        errors["title"] = ["Use at most 200 characters."]
    cleaned, data_errors = kind.clean(data)
    errors.update({f"data.{key}": messages for key, messages in data_errors.items()})
    if errors:
        first_field, first = next(iter(errors.items()))
        raise ApplicationError(f"{first_field}: {first[0]}", code="invalid", fields=errors)
    return title, cleaned


def _phase_for(project: Project, type_key: str) -> Phase:
    """The phase whose template expects this type, else the type's usual phase."""
    expected = (
        ArtifactTypeTemplate.objects.filter(phase__template=project.template_id, type=type_key).values_list("phase__key", flat=True).first()
    )
    return project.phases.get(key=expected or PHASE_OF_TYPE[type_key])


def _new_version(artifact: Artifact, actor: User, title: str, data: dict) -> ArtifactVersion:
    number = (artifact.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return ArtifactVersion.objects.create(
        artifact=artifact,
        number=number,
        title=title,
        data=data,
        computed=ARTIFACT_TYPES[artifact.type].computed(data),
        created_by=actor,
    )


def _save(artifact: Artifact, fields: list[str]) -> None:
    lifecycle_services.save_versioned(artifact, fields)


def _locked(artifact: Artifact) -> Artifact:
    lifecycle_services.lock_writable(artifact.project_id)
    locked = (
        Artifact.objects.select_for_update(of=("self",), no_key=True)
        .select_related("project", "latest_version", "approved_version")
        .get(pk=artifact.pk)
    )
    return locked


@lifecycle_services.atomic
def artifact_create(*, project: Project, actor: User, type: str, title: str, data: Any) -> Artifact:
    project = lifecycle_services.lock_writable(project)
    lifecycle_services.require(actor, project, Action.CONTRIBUTE)
    title, cleaned = _clean(type, title, data)
    artifact = Artifact.objects.create(project=project, phase=_phase_for(project, type), type=type, title=title, owner=actor)
    version = _new_version(artifact, actor, title, cleaned)
    artifact.latest_version = version
    artifact.save(update_fields=["latest_version"])
    _record(actor, "artifact.created", artifact, None)
    return artifact


@lifecycle_services.atomic
def artifact_update(*, artifact: Artifact, actor: User, title: str | None = None, data: Any = None) -> Artifact:
    """Save new content as a new draft version. Editing an approved artifact leaves the approved
    version intact (gates keep seeing it) until the new one is approved."""
    artifact = _locked(artifact)
    lifecycle_services.require(actor, artifact.project, Action.CONTRIBUTE)
    if artifact.status == ArtifactStatus.IN_REVIEW:
        raise Conflict(
            "This artifact is waiting for review; it can change again once an approver approves it or sends it back.",
            code="artifact_in_review",
        )
    latest = artifact.latest
    title, cleaned = _clean(artifact.type, latest.title if title is None else title, latest.data if data is None else data)
    if title == latest.title and cleaned == latest.data:
        return artifact
    before = artifact_snapshot(artifact)
    artifact.latest_version = _new_version(artifact, actor, title, cleaned)
    artifact.title, artifact.status = title, ArtifactStatus.DRAFT
    _save(artifact, ["latest_version", "title", "status"])
    _record(actor, "artifact.updated", artifact, before)
    return artifact


@lifecycle_services.atomic
def artifact_submit(*, artifact: Artifact, actor: User) -> Artifact:
    artifact = _locked(artifact)
    lifecycle_services.require(actor, artifact.project, Action.CONTRIBUTE)
    if artifact.status != ArtifactStatus.DRAFT:
        raise Conflict(f"Only a draft can be submitted for review (this one is {artifact.get_status_display().lower()}).", code="not_draft")
    before = artifact_snapshot(artifact)
    version = artifact.latest
    version.status, version.submitted_at = ArtifactStatus.IN_REVIEW, timezone.now()
    version.save(update_fields=["status", "submitted_at"])
    artifact.status = ArtifactStatus.IN_REVIEW
    _save(artifact, ["status"])
    _record(actor, "artifact.submitted", artifact, before)
    approvers = [
        u for u in lifecycle_selectors.project_users(project=artifact.project, roles=(Role.APPROVER,)) if u.pk != artifact.owner_id
    ]
    lifecycle_services.notify(
        users=approvers,
        kind="artifact_review_requested",
        title=f"Review requested: {artifact.title} (v{version.number})",
        body=(
            f"{actor.display_name} submitted {artifact.kind.label.lower()} “{artifact.title}” in {artifact.project.name} for your review."
        ),
        url=artifact.get_absolute_url(),
        project=artifact.project,
    )
    return artifact


def _decide(artifact: Artifact, actor: User, decision: str, comment: str) -> Artifact:
    artifact = _locked(artifact)
    lifecycle_services.require(actor, artifact.project, Action.APPROVE)
    if artifact.owner_id == actor.pk:
        raise PermissionDenied("You own this artifact; another approver must decide on it.")
    if artifact.status != ArtifactStatus.IN_REVIEW:
        raise Conflict(
            f"Only an artifact in review can be decided (this one is {artifact.get_status_display().lower()}).",
            code="not_in_review",
        )
    approved = decision == ArtifactReview.Decision.APPROVED
    comment = text_within(field="comment", text=(comment or "").strip(), limit=DECISION_COMMENT_MAX_LENGTH, label="Comment")
    if not approved and not comment:
        raise ApplicationError("Say what needs to change before it can be approved.", fields={"comment": ["This field is required."]})
    before = artifact_snapshot(artifact)
    version, now = artifact.latest, timezone.now()
    if approved and artifact.approved_version_id:
        ArtifactVersion.objects.filter(pk=artifact.approved_version_id).update(status=ArtifactStatus.SUPERSEDED)
    version.status = ArtifactStatus.APPROVED if approved else ArtifactStatus.DRAFT
    version.decided_by, version.decided_at, version.decision_comment = actor, now, comment
    version.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    ArtifactReview.objects.create(version=version, decision=decision, reviewer=actor, comment=comment, decided_at=now)
    artifact.status = version.status
    if approved:
        artifact.approved_version = version
    _save(artifact, ["status", "approved_version"])
    _record(actor, "artifact.approved" if approved else "artifact.sent_back", artifact, before, {"comment": comment})
    verb = "approved" if approved else "sent back"
    lifecycle_services.notify(
        users=[artifact.owner],
        kind="artifact_decided",
        title=f"{artifact.title} (v{version.number}) was {verb}",
        body=f"{actor.display_name} {verb} it." + (f"\n\n“{comment}”" if comment else ""),
        url=artifact.get_absolute_url(),
        project=artifact.project,
    )
    return artifact


@lifecycle_services.atomic
def artifact_approve(*, artifact: Artifact, actor: User, comment: str = "") -> Artifact:
    return _decide(artifact, actor, ArtifactReview.Decision.APPROVED, comment)


@lifecycle_services.atomic
def artifact_send_back(*, artifact: Artifact, actor: User, comment: str) -> Artifact:
    return _decide(artifact, actor, ArtifactReview.Decision.SENT_BACK, comment)


@lifecycle_services.atomic
def artifact_comment_add(*, artifact: Artifact, actor: User, body: str) -> ArtifactComment:
    artifact = _locked(artifact)
    lifecycle_services.require(actor, artifact.project, Action.CONTRIBUTE, Action.APPROVE, message="Viewers cannot comment.")
    body = (body or "").strip()
    if not body:
        raise ApplicationError("Write a comment first.", fields={"body": ["This field is required."]})
    text_within(field="body", text=body, limit=ARTIFACT_COMMENT_MAX_LENGTH, label="Comment")
    comment = ArtifactComment.objects.create(artifact=artifact, version=artifact.latest_version, author=actor, body=body)
    _record(actor, "artifact.commented", artifact, None, {"comment": body[:200]})
    return comment


@lifecycle_services.atomic
def feedback_request(*, artifact: Artifact, actor: User, reviewers: Iterable[User], message: str = "") -> list[FeedbackRequest]:
    """Ask chosen members for feedback on the latest version (iterative stakeholder feedback)."""
    artifact = _locked(artifact)
    if artifact.owner_id != actor.pk:
        refusal = "Only the artifact's owner or a project owner asks for feedback."
        lifecycle_services.require(actor, artifact.project, Action.MANAGE, message=refusal)
    message = text_within(field="message", text=(message or "").strip(), limit=FEEDBACK_MESSAGE_MAX_LENGTH, label="Message")
    members = lifecycle_selectors.project_member_ids(project=artifact.project)
    chosen = {u.pk: u for u in reviewers if u.pk != actor.pk}
    if not chosen:
        raise ApplicationError("Choose at least one member other than yourself.", fields={"reviewers": ["Choose at least one member."]})
    if len(chosen) > MAX_FEEDBACK_REVIEWERS:
        raise ApplicationError(f"Ask at most {MAX_FEEDBACK_REVIEWERS} people at once.", fields={"reviewers": ["Too many people."]})
    outsiders = [u.username for u in chosen.values() if u.pk not in members]
    if outsiders:
        raise ApplicationError(
            f"Only project members can be asked for feedback: {', '.join(outsiders)}.",
            fields={"reviewers": ["Not a project member."]},
        )
    requests = FeedbackRequest.objects.bulk_create(
        [
            FeedbackRequest(
                artifact=artifact,
                version=artifact.latest_version,
                requested_by=actor,
                reviewer=u,
                message=message,
            )
            for u in chosen.values()
        ]
    )
    _record(actor, "artifact.feedback_requested", artifact, None, {"reviewers": sorted(u.username for u in chosen.values())})
    lifecycle_services.notify(
        users=chosen.values(),
        kind="feedback_requested",
        title=f"Feedback wanted: {artifact.title} (v{artifact.latest.number})",
        body=f"{actor.display_name} asks for your feedback." + (f"\n\n“{message}”" if message else ""),
        url=artifact.get_absolute_url(),
        project=artifact.project,
    )
    return requests


@lifecycle_services.atomic
def feedback_answer(*, request: FeedbackRequest, actor: User, answer: str) -> FeedbackRequest:
    lifecycle_services.lock_writable(FeedbackRequest.objects.values_list("artifact__project_id", flat=True).get(pk=request.pk))
    request = (
        FeedbackRequest.objects.select_for_update(of=("self",), no_key=True)
        .select_related("artifact", "artifact__project", "version")
        .get(pk=request.pk)
    )
    if request.reviewer_id != actor.pk:
        raise PermissionDenied("This feedback request was sent to someone else.")
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError("Write your feedback first.", fields={"answer": ["This field is required."]})
    text_within(field="answer", text=answer, limit=FEEDBACK_ANSWER_MAX_LENGTH, label="Feedback")
    request.answer, request.answered_at = answer, timezone.now()
    request.save(update_fields=["answer", "answered_at"])
    _record(actor, "artifact.feedback_answered", request.artifact, None, {"version": request.version.number})
    lifecycle_services.notify(
        users=[request.requested_by],
        kind="feedback_answered",
        title=f"{actor.display_name} answered on {request.artifact.title} (v{request.version.number})",
        body=answer[:500],
        url=request.artifact.get_absolute_url(),
        project=request.artifact.project,
    )
    return request
