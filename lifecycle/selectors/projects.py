"""Projects, their phases and tags, as lists, pages and exports, scoped to what the user may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from lifecycle import hooks
from lifecycle.models import (
    Membership,
    Phase,
    PhaseKey,
    Project,
    Role,
    Tag,
    User,
)
from lifecycle.permissions import Action
from lifecycle.selectors.access import project_access_check, user_sees_everything
from lifecycle.selectors.notifications import inbox_items

_PHASE_ORDER = Case(
    *[When(current_phase=key, then=Value(i)) for i, key in enumerate(PhaseKey.ordered())],
    output_field=IntegerField(),
)


PROJECT_ORDERINGS: dict[str, tuple[Any, ...]] = {
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "phase": (_PHASE_ORDER.asc(), "name", "id"),
    "-phase": (_PHASE_ORDER.desc(), "name", "id"),
}


def project_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Project:
    project = Project.objects.select_related("template").filter(pk=id).first()
    if project is None:
        raise Http404("No such project.")
    project_access_check(user=user, project=project, action=action)
    return project


@dataclass
class ProjectFilters:
    search: str = ""
    phase: str = ""
    status: str = ""
    tag: str = ""
    owner: str = ""
    ordering: str = "-updated"
    deleted: bool = False
    updated_since: datetime | None = None  # changed at or after this moment (incremental sync)
    extra: dict[str, str] = field(default_factory=dict)  # the filters apps add (hooks.ProjectFilter)


def project_visible_to(user: User, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    queryset = queryset if queryset is not None else Project.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if user_sees_everything(user):
        return queryset
    return queryset.filter(memberships__user=user)


def project_list_for_user(
    *, user: User, filters: ProjectFilters | None = None, annotate: bool = True, prefetch: bool = True
) -> QuerySet[Project]:
    """Visible projects, filtered and ordered, with what each list row shows prefetched: tags,
    owners, and the columns higher apps add (checklist progress, readiness). Without `prefetch`,
    the caller attaches tags and owners itself (projects_attach_refs)."""
    filters = filters or ProjectFilters()
    qs = project_visible_to(user, Project.objects.filter(deleted_at__isnull=not filters.deleted))
    if filters.search:
        qs = qs.filter(Q(name__icontains=filters.search) | Q(description__icontains=filters.search))
    if filters.phase:
        qs = qs.filter(current_phase=filters.phase)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.owner:
        qs = qs.filter(pk__in=Membership.objects.filter(role=Role.OWNER, user__username=filters.owner).values("project_id"))
    if filters.updated_since is not None:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    for project_filter in hooks.registry.project_filters:
        if filters.extra.get(project_filter.name):
            qs = project_filter.apply(qs, filters.extra[project_filter.name])
    qs = qs.order_by(*PROJECT_ORDERINGS.get(filters.ordering, PROJECT_ORDERINGS["-updated"]))
    qs = qs.select_related("template")
    if prefetch:
        qs = qs.prefetch_related(
            "tags",
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role=Role.OWNER).select_related("user"),
                to_attr="owner_memberships",
            ),
        )
    if annotate:
        for extension in hooks.registry.extensions():
            if extension.annotate_list:
                qs = extension.annotate_list(qs)
    return qs


def projects_attach_refs(projects: list[Project]) -> list[Project]:
    """Attach each project's tag names (`tag_names`) and owners (`owner_refs`, as the API shows
    users) from two flat queries: for a page of up to 200 projects, prefetching model objects
    was most of the request's time."""
    ids = [p.pk for p in projects]
    tags: dict[Any, list[str]] = defaultdict(list)
    for project_id, name in Project.tags.through.objects.filter(project_id__in=ids).values_list("project_id", "tag__name"):
        tags[project_id].append(name)
    owners: dict[Any, list[dict]] = defaultdict(list)
    rows = (
        Membership.objects.filter(project_id__in=ids, role=Role.OWNER)
        .order_by("project", "created_at")
        .values_list("project_id", "user_id", "user__username", "user__first_name", "user__last_name")
    )
    for project_id, user_id, username, first, last in rows:
        owners[project_id].append({"id": str(user_id), "username": username, "name": f"{first} {last}".strip() or username})
    for project in projects:
        project.tag_names = sorted(tags[project.pk])  # type: ignore[attr-defined]  # what the list renders, read for the page at once
        project.owner_refs = owners[project.pk]  # type: ignore[attr-defined]  # as tag_names
    return projects


def project_with_details(*, id: UUID | str) -> Project:
    """One project with what its API representation needs (tags and owners) prefetched; the
    caller has checked access already."""
    return (
        Project.objects.select_related("template")
        .prefetch_related(
            "tags",
            Prefetch(
                "memberships", queryset=Membership.objects.filter(role=Role.OWNER).select_related("user"), to_attr="owner_memberships"
            ),
        )
        .get(pk=id)
    )


def phase_list(*, project: Project) -> list[Phase]:
    return list(project.phases.all().order_by("order"))


def phase_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Phase:
    phase = Phase.objects.select_related("project", "project__template").filter(pk=id).first()
    if phase is None:
        raise Http404("No such phase.")
    project_access_check(user=user, project=phase.project, action=action)
    return phase


def tag_list_for_user(*, user: User) -> list[str]:
    return list(
        Tag.objects.filter(projects__in=project_visible_to(user, Project.objects.filter(deleted_at__isnull=True)))
        .values_list("name", flat=True)
        .distinct()
        .order_by("name")
    )


def owners_count(*, project: Project) -> int:
    return project.memberships.filter(role=Role.OWNER).count()


def dashboard_project_ids(*, user: User, filters: ProjectFilters) -> QuerySet:
    """The ids of the projects the dashboard's filters select, as a subquery for its panels."""
    return project_list_for_user(user=user, filters=filters, annotate=False).order_by().values("pk")


def dashboard_core(*, user: User, project_ids: QuerySet) -> dict:
    """The dashboard's core panels: projects per phase (a funnel) and per status, overdue phases,
    the latest projects, and the user's inbox. A fixed number of queries."""
    from django.db.models import Count
    from django.utils import timezone

    from lifecycle.infrastructure import charts

    projects = Project.objects.filter(pk__in=project_ids)
    by_phase = dict(
        projects.filter(status__in=[Project.Status.ACTIVE, Project.Status.ON_HOLD])
        .values_list("current_phase")
        .annotate(n=Count("id"))
        .values_list("current_phase", "n")
    )
    by_status = dict(projects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    phase_counts = [(label, key, by_phase.get(key, 0)) for key, label in PhaseKey.choices]
    today = timezone.localdate()
    overdue = Phase.objects.filter(
        project_id__in=project_ids,
        project__status=Project.Status.ACTIVE,
        status__in=[Phase.Status.IN_PROGRESS, Phase.Status.IN_REVIEW],
        planned_end__lt=today,
    )
    inbox = inbox_items(user=user)
    return {
        "phase_counts": phase_counts,
        "funnel": charts.funnel_chart([(label, n) for label, _, n in phase_counts], title="Active and held projects by phase"),
        "status_counts": [(label, key, by_status.get(key, 0)) for key, label in Project.Status.choices],
        "total": sum(by_status.values()),
        "overdue_phases": list(overdue.select_related("project").order_by("planned_end", "id")[:8]),
        "overdue_phase_total": overdue.count(),
        "today": today,
        "recent": list(projects.order_by("-updated_at", "-id")[:5]),
        "inbox": inbox[:6],
        "inbox_total": len(inbox),
    }


def project_export_table(*, user: User, filters: ProjectFilters) -> tuple[list[str], Any]:
    """The project list as a table to download: every project the filters select (not one page),
    in the list's order, and an iterator of its rows, read lazily in a fixed number of queries.

    The current phase's checklist progress comes from the annotation the phases app adds to the
    list through hooks (lifecycle does not import phases); without it the columns are left out.
    """
    projects = project_list_for_user(user=user, filters=filters)
    with_progress = "checklist_total" in projects.query.annotations
    header = ["name", "status", "current phase", "owners", "tags", "created", "updated"]
    if with_progress:
        header += ["checklist done (current phase)", "checklist items (current phase)"]

    def rows() -> Any:
        for p in projects:
            row = [
                p.name,
                p.get_status_display(),
                p.get_current_phase_display(),
                ", ".join(sorted(m.user.username for m in p.owner_memberships)),  # type: ignore[attr-defined]  # prefetched to_attr
                ", ".join(sorted(t.name for t in p.tags.all())),
                p.created_at,
                p.updated_at,
            ]
            if with_progress:
                row += [p.checklist_done, p.checklist_total]  # type: ignore[attr-defined]  # annotated with_progress
            yield row

    return header, rows()
