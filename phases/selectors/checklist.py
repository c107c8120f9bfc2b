"""Reads of the phases app, scoped through lifecycle's access checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypedDict
from uuid import UUID

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from lifecycle import hooks
from lifecycle import selectors as lifecycle_selectors
from lifecycle.models import Phase, Project, User
from lifecycle.permissions import Action
from phases.models import Artifact, ChecklistItem
from phases.selectors import artifacts as selectors_artifacts


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered by OuterRef), 0 when empty."""
    counted = queryset.order_by().values("project").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def project_list_annotate_progress(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """Checklist progress of each project's current phase, as two correlated counts (evaluated
    only for the rows of the page)."""
    items = ChecklistItem.objects.filter(project=OuterRef("pk"), phase__key=OuterRef("current_phase"))
    return queryset.annotate(checklist_total=_count(items), checklist_done=_count(items.filter(done=True)))


def phase_progress(*, project: Project) -> dict:
    """{phase id: {"done", "total", "required", "required_done", "percent"}} in one query."""
    rows = (
        ChecklistItem.objects.filter(project=project)
        .values("phase_id")
        .annotate(
            # Aliases differ from the field names: an alias "done" would shadow the field in the
            # later filters.
            n_total=Count("pk"),
            n_done=Count("pk", filter=Q(done=True)),
            n_required=Count("pk", filter=Q(required=True)),
            n_required_done=Count("pk", filter=Q(required=True, done=True)),
        )
        .order_by()
    )
    return {
        row["phase_id"]: {
            "total": row["n_total"],
            "done": row["n_done"],
            "required": row["n_required"],
            "required_done": row["n_required_done"],
            "percent": round(100 * row["n_done"] / row["n_total"]) if row["n_total"] else 0,
        }
        for row in rows
    }


def project_phase_progress(project: Project, user: User) -> dict:
    return {"phase_progress": phase_progress(project=project)}


def checklist_for_phase(*, phase: Phase) -> list[ChecklistItem]:
    return list(phase.checklist_items.select_related("done_by").order_by("-required", "order"))


def checklist_item_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> ChecklistItem:
    item = ChecklistItem.objects.select_related("project", "project__template", "phase", "done_by").filter(pk=id).first()
    if item is None:
        raise Http404("No such checklist item.")
    lifecycle_selectors.project_access_check(user=user, project=item.project, action=action)
    item.phase.project = item.project
    return item


def checklist_list_for_project(*, project: Project, phase_key: str | None = None) -> QuerySet[ChecklistItem]:
    qs = ChecklistItem.objects.filter(project=project).select_related("phase", "done_by")
    if phase_key:
        qs = qs.filter(phase__key=phase_key)
    return qs


def phase_page(*, phase: Phase, user: User) -> dict:
    """Everything the phase page shows; a fixed number of queries whatever the checklist size."""
    project = phase.project
    access = lifecycle_selectors.project_access(user=user, project=project)
    items = checklist_for_phase(phase=phase)
    context: dict = {}
    panels = ["phases/_artifacts_panel.html"]
    for extension in hooks.registry.phase_extensions:
        context.update(extension.context(phase, user))
        panels.insert(0, extension.template)
    return context | {
        "phase": phase,
        "project": project,
        "access": access,
        "can_contribute": access.allows(Action.CONTRIBUTE) and not project.is_read_only,
        "can_manage": access.allows(Action.MANAGE) and not project.is_read_only,
        "panels": panels,
        "expected": selectors_artifacts.expected_artifacts(phase=phase),
        "artifacts": selectors_artifacts.phase_artifacts(phase=phase),
        "items": items,
        "progress": progress_of(items),
        "phases": lifecycle_selectors.phase_list(project=project),
    }


def progress_of(items: list[ChecklistItem]) -> dict:
    total, done = len(items), sum(1 for i in items if i.done)
    required = [i for i in items if i.required]
    return {
        "total": total,
        "done": done,
        "required": len(required),
        "required_done": sum(1 for i in required if i.done),
        "percent": round(100 * done / total) if total else 0,
    }


class ChecklistRow(TypedDict):
    phase_id: UUID
    title: str
    required: bool
    done: bool
    weight: int


def checklist_rows_for_phases(*, phase_ids: list) -> list[ChecklistRow]:
    """Checklist items of many phases at once (one query), for gate scoring."""
    return list(
        # Ordered fully (items added together may share an order), so the gate's inputs and their
        # fingerprint are the same on every read.
        ChecklistItem.objects.filter(phase_id__in=phase_ids)
        .order_by("order", "key")
        .values("phase_id", "title", "required", "done", "weight")
    )


def project_children(project_id: UUID) -> Iterator[tuple[str, UUID]]:
    """The phases app's rows in a project, for the change feed: checklist items, then artifacts."""
    for pk in ChecklistItem.objects.filter(project_id=project_id).order_by("phase__order", "order").values_list("pk", flat=True):
        yield "checklist_item", pk
    for pk in Artifact.objects.filter(project_id=project_id).order_by("created_at").values_list("pk", flat=True):
        yield "artifact", pk
