"""The audit log, the change feed and background jobs as the user may see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Max, Q, QuerySet

from lifecycle.exceptions import ApplicationError, Gone
from lifecycle.models import (
    ChangeFeedState,
    ChangeRecord,
    Membership,
    Project,
    User,
)
from lifecycle.selectors.access import project_access, user_sees_everything


def job_get_for_user(*, user: User, id: UUID | str) -> Any:
    """A job of a project is followed by those who can see the project now, whoever started it:
    its progress, result and file are the project's data, so they go with the membership. A job
    of no project (an audit-chain check) belongs to its creator and to administrators. None for
    everyone else."""
    from lifecycle.models import Job

    job = Job.objects.select_related("project").filter(pk=id).first()
    if job is None:
        return None
    if job.project is not None:
        access = project_access(user=user, project=job.project)
        visible = access.can_see and (access.is_admin or not job.project.is_deleted)
        return job if visible else None
    if job.created_by_id == user.pk or user.is_superuser:
        return job
    return None


@dataclass
class AuditFilters:
    project: str = ""
    actor: str = ""
    action: str = ""
    since: Any = None
    until: Any = None


def audit_events_for_project(*, project: Project) -> QuerySet:
    from lifecycle.models import AuditEvent

    return AuditEvent.objects.filter(project=project).select_related("actor").order_by("-seq")


def audit_events_filtered(*, filters: AuditFilters) -> QuerySet:
    """The whole log, for administrators, filtered by project, actor, action and time."""
    from lifecycle.models import AuditEvent

    qs = AuditEvent.objects.select_related("actor", "project").order_by("-seq")
    if filters.project:
        qs = qs.filter(Q(project__name__icontains=filters.project) | Q(object_label__icontains=filters.project))
    if filters.actor:
        qs = qs.filter(actor_name__iexact=filters.actor)
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    if filters.since:
        qs = qs.filter(at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__date__lte=filters.until)
    return qs


def feed_pruned_through() -> int:
    """The newest sequence number retention has dropped (0 if none)."""
    return ChangeFeedState.objects.filter(pk=1).values_list("pruned_through", flat=True).first() or 0


@dataclass
class FeedPage:
    rows: list[ChangeRecord]
    last_seq: int
    more: bool


def changes_for_user(*, user: User, since: int, limit: int) -> FeedPage:
    """The change-feed rows after `since` that the user may see, in sequence order.

    Members see the rows of their projects and the rows addressed to them (gaining or losing a
    project); administrators and portfolio viewers see every project's rows. The head is read
    first and the rows after it: every row that commits later gets a higher sequence number
    (records.py), so resuming from `last_seq` never skips one.
    """
    pruned_through = feed_pruned_through()
    head = max(ChangeRecord.objects.aggregate(head=Max("seq"))["head"] or 0, pruned_through)
    if since > head:
        message = (
            f"Position {since} is ahead of the change feed (at {head}); the data may have been restored from a backup. "
            "Sync in full from since=0."
        )
        raise ApplicationError(message, fields={"since": [message]})
    if since and since < pruned_through:
        raise Gone(
            f"Changes after {since} are no longer kept (retention is {settings.CHANGE_RETENTION_DAYS} days). Sync in full from since=0.",
            code="gone",
        )
    rows = ChangeRecord.objects.filter(seq__gt=since, seq__lte=head)
    mine = Q(audience=user.pk)
    if user_sees_everything(user):
        rows = rows.filter(Q(audience=None) | mine)
    else:
        followed = Membership.objects.filter(user=user).values("project_id")
        rows = rows.filter(Q(audience=None, project_id__in=followed) | mine)
    page = list(rows.order_by("seq")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return FeedPage(rows=page, last_seq=page[-1].seq if more else head, more=more)
