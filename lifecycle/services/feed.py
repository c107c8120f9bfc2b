"""The change feed's own writes: what a user's feed hears when they gain or lose a project, what
everyone hears when a project is deleted or restored, and retention.

Rows of the feed are written by `change_record` (records.py) in commit order. Retention compacts
rather than truncates: a row older than the retention period is dropped only when a newer row
for the same object supersedes it, or when it is a tombstone or a per-user row. So a first sync
(`since=0`) still finds every live object, and a client whose position is older than the newest
dropped row gets 410 and syncs in full.

No permission of their own: the membership and project services that call them have checked
their actor; `feed_prune` is the housekeeping task's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils import timezone

from lifecycle import hooks
from lifecycle.models import ChangeFeedState, ChangeRecord, Membership, Phase, Project, User
from lifecycle.services.records import change_record

PRUNE_BATCH = 5000  # sequence numbers examined per DELETE


def project_children(project_id: UUID) -> Iterator[tuple[str, UUID]]:
    """Every row the feed knows in a project, as (type, id), from the core and the apps."""
    for pk in Phase.objects.filter(project_id=project_id).order_by("order").values_list("pk", flat=True):
        yield "phase", pk
    for pk in Membership.objects.filter(project_id=project_id).order_by("created_at").values_list("pk", flat=True):
        yield "member", pk
    for provider in hooks.registry.project_children:
        yield from provider(project_id)


def feed_access_record(*, actor: User | None, project: Project, user_id: UUID, granted: bool) -> None:
    """The user's own feed hears that they gained (upserts) or lost (deletes) the project and
    everything in it, so their next sync fetches it or drops it. Feed rows only: the membership
    change itself is the audit event."""
    _record_project(actor, project, "upsert" if granted else "delete", "access.granted" if granted else "access.revoked", user_id)


def feed_project_visibility_record(*, actor: User | None, project: Project, visible: bool) -> None:
    """Everyone who follows the project hears about its rows going (soft delete) or coming back
    (restore). The project row itself is recorded by the service that deleted or restored it."""
    action = "project.restored" if visible else "project.deleted"
    for type_, object_id in project_children(project.pk):
        change_record(
            actor=actor,
            action=action,
            type=type_,
            object_id=object_id,
            project=project.pk,
            label="",
            op="upsert" if visible else "delete",
            audit=False,
        )


def _record_project(actor: User | None, project: Project, op: str, action: str, audience: UUID) -> None:
    change_record(actor=actor, action=action, obj=project, op=op, audience=audience, audit=False)
    for type_, object_id in project_children(project.pk):
        change_record(
            actor=actor,
            action=action,
            type=type_,
            object_id=object_id,
            project=project.pk,
            label="",
            op=op,
            audience=audience,
            audit=False,
        )


def feed_prune(*, now: Any = None) -> int:
    """Drop rows past retention that no client needs for a full sync; remember the newest one
    dropped, below which positions are answered with 410. Returns the number of rows dropped."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CHANGE_RETENTION_DAYS)
    bounds = ChangeRecord.objects.filter(at__lt=cutoff).aggregate(first=Min("seq"), last=Max("seq"))
    first, last_old = bounds["first"], bounds["last"]
    if first is None or last_old is None:
        return 0
    newer_for_same_object = ChangeRecord.objects.filter(
        type=OuterRef("type"), object_id=OuterRef("object_id"), audience=None, seq__gt=OuterRef("seq")
    )
    droppable = ChangeRecord.objects.filter(at__lt=cutoff).filter(
        Q(audience__isnull=False) | Q(op=ChangeRecord.Op.DELETE) | Exists(newer_for_same_object)
    )
    dropped, newest_dropped = 0, 0
    for low in range(first - 1, last_old, PRUNE_BATCH):
        with transaction.atomic():
            seqs = list(droppable.filter(seq__gt=low, seq__lte=min(low + PRUNE_BATCH, last_old)).values_list("seq", flat=True))
            if seqs:
                ChangeRecord.objects.filter(seq__in=seqs).delete()
                dropped += len(seqs)
                newest_dropped = max(seqs)
    if newest_dropped:
        state, _ = ChangeFeedState.objects.get_or_create(pk=1)
        if newest_dropped > state.pruned_through:
            state.pruned_through = newest_dropped
            state.save(update_fields=["pruned_through"])
    return dropped
