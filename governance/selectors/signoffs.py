"""Reads of sign-offs, and the sign-offs waiting in a user's inbox."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from governance.models import Signoff
from lifecycle import hooks
from lifecycle import selectors as lifecycle_selectors
from lifecycle.models import Membership, Phase, Project, User
from lifecycle.permissions import Action


def signoff_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Signoff:
    signoff = Signoff.objects.select_related("project", "project__template", "phase", "function", "decided_by").filter(pk=id).first()
    if signoff is None:
        raise Http404("No such sign-off.")
    lifecycle_selectors.project_access_check(user=user, project=signoff.project, action=action)
    return signoff


def signoff_list_for_project(*, project: Project, status: str = "") -> QuerySet[Signoff]:
    qs = Signoff.objects.filter(project=project).select_related("phase", "function", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("phase__order", "kind", "id")


def _waiting(user: User) -> QuerySet[Signoff]:
    """Pending sign-offs whose function the user holds in that project, in phases that have
    started (a later phase's sign-offs wait until the project gets there) (one query)."""
    holds = Membership.functions.through.objects.filter(
        membership__user=user, membership__project=OuterRef("project"), function=OuterRef("function")
    )
    return (
        Signoff.objects.filter(Exists(holds), status=Signoff.Status.PENDING, project__deleted_at__isnull=True)
        .exclude(project__status=Project.Status.KILLED)
        .exclude(phase__status=Phase.Status.NOT_STARTED)
        .select_related("project", "phase")
    )


def inbox_count(user: User) -> int:
    return _waiting(user).count()


def inbox_items(user: User) -> list[hooks.InboxItem]:
    return [
        hooks.InboxItem(
            kind="Sign-off",
            title=s.title,
            project_name=s.project.name,
            url=s.get_absolute_url(),
            since=s.updated_at,
            detail=f"{s.phase.name} phase",
        )
        for s in _waiting(user)
    ]
