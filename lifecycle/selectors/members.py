"""Members, users and functions of projects."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q
from django.http import Http404

from lifecycle.models import (
    Function,
    Membership,
    Project,
    User,
)
from lifecycle.permissions import Action
from lifecycle.selectors.access import project_access_check


def membership_list(*, project: Project) -> list[Membership]:
    return list(project.memberships.select_related("user").prefetch_related("functions").order_by("role", "user__username"))


def membership_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Membership:
    membership = Membership.objects.select_related("project", "user").filter(pk=id).first()
    if membership is None:
        raise Http404("No such member.")
    project_access_check(user=user, project=membership.project, action=action)
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
