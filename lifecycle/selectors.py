"""Reads of the lifecycle core, scoped to what the user may see.

Access checks live here: `project_get_for_user` raises Http404 for outsiders (a project's
existence must not leak) and PermissionDenied for members whose role does not allow the action.
Every other app's `<entity>_get_for_user` ends in `project_access_check`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from lifecycle import hooks
from lifecycle.exceptions import ApplicationError, Gone
from lifecycle.models import (
    ApiToken,
    ChangeFeedState,
    ChangeRecord,
    Function,
    LifecycleTemplate,
    Membership,
    Phase,
    PhaseKey,
    Project,
    Role,
    Tag,
    User,
)
from lifecycle.permissions import PORTFOLIO_VIEWERS_GROUP, Access, Action

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


def user_is_portfolio_viewer(user: User) -> bool:
    """Cached on the user object: asked at most once per request."""
    cached = getattr(user, "_is_portfolio_viewer", None)
    if cached is None:
        cached = user.is_authenticated and user.groups.filter(name=PORTFOLIO_VIEWERS_GROUP).exists()
        user._is_portfolio_viewer = cached  # type: ignore[attr-defined]
    return bool(cached)


def user_sees_everything(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user_is_portfolio_viewer(user)))


def project_access(*, user: User, project: Project) -> Access:
    """The user's role and functions in the project (one query, cached on the project)."""
    cache: dict = project.__dict__.setdefault("_access_cache", {})
    if user.pk in cache:
        return cache[user.pk]
    if not user.is_authenticated:
        return Access()
    rows = list(Membership.objects.filter(project=project, user=user).values_list("role", "functions__key"))
    role = rows[0][0] if rows else None
    access = Access(
        role=role,
        functions=frozenset(fn for _, fn in rows if fn),
        is_admin=user.is_superuser,
        is_portfolio_viewer=False if role or user.is_superuser else user_is_portfolio_viewer(user),
    )
    cache[user.pk] = access
    return access


def project_access_check(*, user: User, project: Project, action: Action = Action.VIEW) -> Access:
    """404 for those who cannot see the project, 403 for those whose role does not allow `action`."""
    access = project_access(user=user, project=project)
    if not access.can_see or (project.is_deleted and not access.is_admin):
        raise Http404("No such project.")
    if not access.allows(action):
        raise PermissionDenied(DENIED[action])
    return access


DENIED = {
    Action.VIEW: "You cannot see this project.",
    Action.MANAGE: "Only the project's owners can do this.",
    Action.CONTRIBUTE: "Only owners and contributors can change this project's work.",
    Action.APPROVE: "Only the project's approvers can approve or send back artifacts.",
    Action.REVIEW: "Only the project's owners can request, withdraw or recompute gate reviews.",
    Action.ACCEPT_RISK: "Only the project's approvers can accept a risk at level high or above.",
}


def project_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Project:
    project = Project.objects.select_related("template").filter(pk=id).first()
    if project is None:
        raise Http404("No such project.")
    project.access = project_access_check(user=user, project=project, action=action)  # type: ignore[attr-defined]
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
        project.tag_names = sorted(tags[project.pk])  # type: ignore[attr-defined]
        project.owner_refs = owners[project.pk]  # type: ignore[attr-defined]
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
    phase.project.access = project_access_check(user=user, project=phase.project, action=action)  # type: ignore[attr-defined]
    return phase


def membership_list(*, project: Project) -> list[Membership]:
    return list(project.memberships.select_related("user").prefetch_related("functions").order_by("role", "user__username"))


def membership_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Membership:
    membership = Membership.objects.select_related("project", "user").filter(pk=id).first()
    if membership is None:
        raise Http404("No such member.")
    membership.project.access = project_access_check(user=user, project=membership.project, action=action)  # type: ignore[attr-defined]
    return membership


def user_find(*, identifier: str) -> User | None:
    """A user by username or e-mail (case-insensitive for e-mail)."""
    identifier = identifier.strip()
    if not identifier:
        return None
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier, is_active=True).first()
    return User.objects.filter(username=identifier, is_active=True).first()


def function_list() -> list[Function]:
    return list(Function.objects.all())


def tag_list_for_user(*, user: User) -> list[str]:
    return list(
        Tag.objects.filter(projects__in=project_visible_to(user, Project.objects.filter(deleted_at__isnull=True)))
        .values_list("name", flat=True)
        .distinct()
        .order_by("name")
    )


def template_list() -> list[LifecycleTemplate]:
    return list(LifecycleTemplate.objects.order_by("key", "-version"))


def template_get_default() -> LifecycleTemplate:
    template = LifecycleTemplate.objects.filter(is_default=True).first()
    if template is None:
        raise Http404("No default lifecycle template is installed.")
    return template


def owners_count(*, project: Project) -> int:
    return project.memberships.filter(role=Role.OWNER).count()


def nav_counts(*, user: User) -> dict[str, int]:
    """Unread notifications and items waiting in the user's inbox (one query per inbox provider)."""
    unread = notification_unread_count(user=user)
    inbox = sum(provider.count(user) for provider in hooks.registry.inbox_providers)
    return {"notifications": unread, "inbox": inbox}


def inbox_items(*, user: User) -> list[hooks.InboxItem]:
    items = [item for provider in hooks.registry.inbox_providers for item in provider.items(user)]
    return sorted(items, key=lambda i: i.since)


def notification_visible(*, user: User) -> QuerySet:
    """The user's notifications, less those about projects they can no longer see.

    A notification's title, body and link are the project's content (a vote's comment, a gate's
    name), so like the project itself they go when membership ends; they come back if the user
    is added again. Notifications about no project (a webhook of the whole site) always stay."""
    from lifecycle.models import Notification

    mine = Notification.objects.filter(user=user)
    if user.is_superuser:
        return mine
    # Both tests are subqueries of the one query that reads the notifications, so the navigation's
    # unread count costs no more than before.
    member = Exists(Membership.objects.filter(project=OuterRef("project"), user=user))
    portfolio = Exists(User.groups.through.objects.filter(user=user, group__name=PORTFOLIO_VIEWERS_GROUP))
    return mine.filter(Q(project__isnull=True) | (Q(project__deleted_at__isnull=True) & (member | portfolio)))


def notification_list(*, user: User) -> Any:
    return notification_visible(user=user).select_related("project").order_by("-created_at")


def notification_unread_count(*, user: User) -> int:
    return notification_visible(user=user).filter(read_at=None).count()


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


def notification_settings(*, user: User) -> list[dict]:
    from lifecycle.models import NotificationPreference

    muted = set(NotificationPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return [
        {"kind": kind, "label": label, "email": kind not in muted}
        for kind, label in sorted(hooks.registry.notification_kinds.items(), key=lambda kv: kv[1])
    ]


def project_users(*, project: Project, roles: tuple[str, ...] | None = None, functions: tuple[str, ...] | None = None) -> list[User]:
    """Active members of a project, optionally only those with one of `roles` or holding one of
    `functions` (when both are given, either qualifies)."""
    memberships = Membership.objects.filter(project=project, user__is_active=True)
    condition = Q()
    if roles:
        condition |= Q(role__in=roles)
    if functions:
        condition |= Q(functions__key__in=functions)
    if roles or functions:
        memberships = memberships.filter(condition)
    return [m.user for m in memberships.select_related("user").distinct().order_by("user__username")]


def project_member_ids(*, project: Project) -> set:
    return set(Membership.objects.filter(project=project).values_list("user_id", flat=True))


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
                ", ".join(sorted(m.user.username for m in p.owner_memberships)),  # type: ignore[attr-defined]
                ", ".join(sorted(t.name for t in p.tags.all())),
                p.created_at,
                p.updated_at,
            ]
            if with_progress:
                row += [p.checklist_done, p.checklist_total]  # type: ignore[attr-defined]
            yield row

    return header, rows()


# Sessions, tokens and caches: a user's own API tokens. Tokens belong to one person, whoever else
# asks (administrators too): someone else's token is "not found".


def token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that are not revoked, newest first; expired ones stay listed (marked so)
    until revoked, so their owner sees why a client stopped working."""
    return ApiToken.objects.filter(user=user, revoked_at=None).order_by("-created_at", "-id")


def token_get_for_user(*, user: User, id: UUID | str) -> ApiToken:
    token = ApiToken.objects.filter(pk=id, user=user, revoked_at=None).first()
    if token is None:
        raise Http404("No such token.")
    return token
