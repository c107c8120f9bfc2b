"""Who may see and do what in a project: the one way to ask (`project_access`), and the check every `<entity>_get_for_user` ends in."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from lifecycle.models import (
    Membership,
    Project,
    User,
)
from lifecycle.permissions import PORTFOLIO_VIEWERS_GROUP, Access, Action


def user_is_portfolio_viewer(user: User) -> bool:
    """Cached on the user object: asked at most once per request."""
    cached = getattr(user, "_is_portfolio_viewer", None)
    if cached is None:
        cached = user.is_authenticated and user.groups.filter(name=PORTFOLIO_VIEWERS_GROUP).exists()
        user._is_portfolio_viewer = cached  # type: ignore[attr-defined]  # a memo for the request, on its user
    return bool(cached)


def user_sees_everything(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user_is_portfolio_viewer(user)))


def project_access(*, user: User, project: Project) -> Access:
    """The user's role and functions in the project: the one way to ask, whichever way the
    project was loaded. One query per user and project instance; `*_get_for_user` selectors
    have asked already, so their callers' asks are free."""
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


def project_access_share(*, source: Project, target: Project) -> None:
    """Give `target`, the same project loaded again (for example locked for an update), the
    access already computed for `source`, so the page that follows asks no second time."""
    target.__dict__["_access_cache"] = source.__dict__.setdefault("_access_cache", {})


def project_access_forget(*, project: Project, user_id: object) -> None:
    """The access remembered on this project instance for `user_id` is stale (their membership
    changed): the next ask reads it again."""
    project.__dict__.get("_access_cache", {}).pop(user_id, None)


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
