"""Reads of artifacts, scoped through lifecycle's access checks."""

from __future__ import annotations

from typing import TypedDict, cast
from uuid import UUID

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from lifecycle import hooks
from lifecycle import selectors as lifecycle_selectors
from lifecycle.models import Membership, Phase, Project, Role, User
from lifecycle.permissions import Action
from phases.artifact_types import ArtifactTypeKey
from phases.artifacts.types import ARTIFACT_TYPES
from phases.models import (
    Artifact,
    ArtifactComment,
    ArtifactStatus,
    ArtifactTypeTemplate,
    ArtifactVersion,
    Attachment,
    FeedbackRequest,
)


def artifact_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Artifact:
    artifact = (
        Artifact.objects.select_related("project", "project__template", "phase", "owner", "latest_version", "approved_version")
        .filter(pk=id)
        .first()
    )
    if artifact is None:
        raise Http404("No such artifact.")
    lifecycle_selectors.project_access_check(user=user, project=artifact.project, action=action)
    return artifact


def artifact_list_for_project(
    *, project: Project, type: str = "", status: str = "", phase: str = "", search: str = ""
) -> QuerySet[Artifact]:
    qs = Artifact.objects.filter(project=project).select_related("phase", "owner", "latest_version", "approved_version")
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    if phase:
        qs = qs.filter(phase__key=phase)
    if search:
        qs = qs.filter(title__icontains=search)
    return qs.order_by("phase__order", "type", "created_at")


def artifact_page(*, artifact: Artifact, user: User) -> dict:
    """What the artifact page shows, in a fixed number of queries."""
    access = lifecycle_selectors.project_access(user=user, project=artifact.project)
    versions = list(artifact.versions.select_related("created_by", "decided_by").order_by("-number"))
    feedback = list(
        FeedbackRequest.objects.filter(artifact=artifact).select_related("reviewer", "requested_by", "version").order_by("-requested_at")
    )
    writable = not artifact.project.is_read_only
    return {
        "artifact": artifact,
        "project": artifact.project,
        "access": access,
        "kind": artifact.kind,
        "versions": versions,
        "comments": list(ArtifactComment.objects.filter(artifact=artifact).select_related("author", "version")),
        "attachments": list(Attachment.objects.filter(artifact=artifact).select_related("uploaded_by")),
        "feedback": feedback,
        "my_feedback": [f for f in feedback if f.reviewer_id == user.pk and not f.answered_at],
        "can_edit": writable and access.allows(Action.CONTRIBUTE) and artifact.status != ArtifactStatus.IN_REVIEW,
        "can_submit": writable and access.allows(Action.CONTRIBUTE) and artifact.status == ArtifactStatus.DRAFT,
        "can_decide": writable
        and access.allows(Action.APPROVE)
        and artifact.status == ArtifactStatus.IN_REVIEW
        and artifact.owner_id != user.pk,
        "can_comment": writable and (access.allows(Action.CONTRIBUTE) or access.allows(Action.APPROVE)),
        "can_ask_feedback": writable and (artifact.owner_id == user.pk or access.allows(Action.MANAGE)),
        "members": lifecycle_selectors.project_users(project=artifact.project) if writable else [],
        "upload_limit_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
    }


def artifact_version_get(*, artifact: Artifact, number: int) -> ArtifactVersion:
    version = artifact.versions.select_related("created_by", "decided_by").filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    return version


def attachment_get_for_user(*, user: User, id: UUID | str) -> Attachment:
    attachment = Attachment.objects.select_related("artifact", "artifact__project").filter(pk=id).first()
    if attachment is None:
        raise Http404("No such file.")
    lifecycle_selectors.project_access_check(user=user, project=attachment.artifact.project)
    return attachment


def feedback_request_get_for_user(*, user: User, id: UUID | str) -> FeedbackRequest:
    request = FeedbackRequest.objects.select_related("artifact", "artifact__project").filter(pk=id).first()
    if request is None:
        raise Http404("No such feedback request.")
    lifecycle_selectors.project_access_check(user=user, project=request.artifact.project)
    return request


def expected_artifacts(*, phase: Phase) -> list[dict]:
    """The artifact types the template expects in this phase, each with what is present and
    approved (two queries)."""
    expected = list(ArtifactTypeTemplate.objects.filter(phase=phase.template_id).order_by("order"))
    present = (
        Artifact.objects.filter(phase=phase)
        .values("type")
        .annotate(n=Count("pk"), approved=Count("pk", filter=Q(approved_version__isnull=False)))
    )
    counts = {row["type"]: row for row in present}
    return [
        {
            "type": e.type,
            "label": ARTIFACT_TYPES[e.type].label,
            "required": e.required,
            "guidance": e.guidance,
            "present": counts.get(e.type, {}).get("n", 0),
            "approved": counts.get(e.type, {}).get("approved", 0),
        }
        for e in expected
    ]


def phase_artifacts(*, phase: Phase) -> list[Artifact]:
    return list(Artifact.objects.filter(phase=phase).select_related("owner", "latest_version").order_by("type", "created_at"))


def approved_versions(*, project: Project) -> list[ArtifactVersion]:
    """The currently approved version of each artifact of a project (used by gates and
    decision snapshots)."""
    return list(
        ArtifactVersion.objects.filter(pk__in=Artifact.objects.filter(project=project).values("approved_version"))
        .select_related("artifact")
        .order_by("artifact__type", "artifact__created_at")
    )


def type_choices() -> list[tuple[str, str]]:
    return list(ArtifactTypeKey.choices)


# --- The inbox: artifact reviews and feedback requests waiting for a user -----------------------


def _reviews_waiting(user: User) -> QuerySet[Artifact]:
    approver_projects = Membership.objects.filter(user=user, role=Role.APPROVER).values("project_id")
    return (
        Artifact.objects.filter(status=ArtifactStatus.IN_REVIEW, project_id__in=approver_projects, project__deleted_at__isnull=True)
        .exclude(owner=user)
        .exclude(project__status=Project.Status.KILLED)
    )


def _feedback_waiting(user: User) -> QuerySet[FeedbackRequest]:
    # Only while the reviewer is still a member: a request (and its message) goes from the inbox
    # of someone removed from the project, and comes back if they are added again.
    member_of = Membership.objects.filter(user=user).values("project_id")
    return FeedbackRequest.objects.filter(
        reviewer=user, answered_at__isnull=True, artifact__project__deleted_at__isnull=True, artifact__project_id__in=member_of
    ).exclude(artifact__project__status=Project.Status.KILLED)


def inbox_count(user: User) -> int:
    return _reviews_waiting(user).count() + _feedback_waiting(user).count()


def inbox_items(user: User) -> list[hooks.InboxItem]:
    items = [
        hooks.InboxItem(
            kind="Artifact review",
            title=f"{a.title} (v{a.latest.number})",
            project_name=a.project.name,
            url=a.get_absolute_url(),
            since=a.latest.submitted_at or a.updated_at,
            detail=a.kind.label,
        )
        for a in _reviews_waiting(user).select_related("project", "latest_version")
    ]
    items += [
        hooks.InboxItem(
            kind="Feedback request",
            title=f"{f.artifact.title} (v{f.version.number})",
            project_name=f.artifact.project.name,
            url=f.artifact.get_absolute_url(),
            since=f.requested_at,
            detail=f.message[:120],
        )
        for f in _feedback_waiting(user).select_related("artifact", "artifact__project", "version")
    ]
    return items


def mapped_work(*, project: Project) -> list[dict]:
    """The project's checklist items and expected artifact types, each with its framework refs
    and whether it is satisfied (three queries). Governance adds sign-offs and maps refs to
    framework requirements."""
    from phases.models import ChecklistItem

    work = [
        {
            "kind": "Checklist item",
            "label": item.title,
            "refs": list(item.refs),
            "satisfied": item.done,
            "url": f"/phases/{item.phase_id}/#item-{item.pk}",
        }
        for item in ChecklistItem.objects.filter(project=project).exclude(refs=[]).only("title", "refs", "done", "phase_id")
    ]
    approved = set(Artifact.objects.filter(project=project, approved_version__isnull=False).values_list("type", flat=True))
    for expected in ArtifactTypeTemplate.objects.filter(phase__template=project.template_id).exclude(refs=[]):
        work.append(
            {
                "kind": "Artifact",
                "label": ARTIFACT_TYPES[expected.type].label,
                "refs": list(expected.refs),
                "satisfied": expected.type in approved,
                "url": f"/projects/{project.pk}/artifacts/?type={expected.type}",
            }
        )
    return work


class ArtifactRow(TypedDict):
    project_id: UUID
    type: str
    approved_version_id: UUID | None


def artifact_rows_for_projects(*, project_ids: list) -> list[ArtifactRow]:
    """Type and approval of every artifact of many projects (one query), for gate scoring."""
    rows = Artifact.objects.filter(project_id__in=project_ids).order_by().values("project_id", "type", "approved_version_id")
    # The stubs type a nullable foreign key's column in values() as never None.
    return cast("list[ArtifactRow]", list(rows))


def approved_metrics_for_projects(*, project_ids: list) -> dict:
    """{project id: [(metric name, passed)]} from the approved versions of evaluation reports
    (one query). Pass or fail was computed when the version was saved."""
    rows = (
        ArtifactVersion.objects.filter(
            pk__in=Artifact.objects.filter(project_id__in=project_ids, type="evaluation_report", approved_version__isnull=False).values(
                "approved_version_id"
            )
        )
        .order_by()
        .values_list("artifact__project_id", "computed")
    )
    metrics: dict = {}
    for project_id, computed in rows:
        metrics.setdefault(project_id, []).extend((m["name"], bool(m["passed"])) for m in (computed or {}).get("metrics", []))
    return metrics
