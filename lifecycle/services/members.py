"""Project membership: roles, functions, and the rule that a project always keeps an owner.

Access ends when membership ends: every read is scoped by the current memberships (selectors), so
removing someone takes away at once what they reached through the project. What other apps keep
about a member (the approvers of an open review) they re-check through the membership listeners,
called here inside the same transaction. Portfolio rights and administrator status are changed in
the Django admin, which records them through `user_access_record`.

Who may: owners and administrators add, change and remove members (`membership_change_check`,
called first by each service); only administrators change portfolio rights. An actor of None is
the system, which may.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lifecycle import hooks, selectors
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.models import Function, Membership, Project, Role, User
from lifecycle.permissions import PORTFOLIO_VIEWERS_GROUP, Action
from lifecycle.services.feed import feed_access_record
from lifecycle.services.projects import lock_writable, require
from lifecycle.services.records import atomic, change_record


def membership_snapshot(membership: Membership, functions: Iterable[str] | None = None) -> dict:
    return {
        "user": str(membership.user_id),
        "username": membership.user.username,
        "role": membership.role,
        "functions": sorted(functions if functions is not None else membership.functions.values_list("key", flat=True)),
    }


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise ApplicationError(
            f"{role!r} is not a role. Choose one of: {', '.join(Role.values)}.",
            fields={"role": [f"Choose one of: {', '.join(Role.values)}."]},
        )
    return role


def _check_functions(keys: Iterable[str]) -> list[str]:
    wanted = sorted(set(keys))
    known = set(Function.objects.filter(key__in=wanted).values_list("key", flat=True))
    unknown = [k for k in wanted if k not in known]
    if unknown:
        all_keys = ", ".join(Function.objects.values_list("key", flat=True))
        raise ApplicationError(
            f"Unknown function: {', '.join(unknown)}. Known functions: {all_keys}.",
            fields={"functions": [f"Unknown function: {', '.join(unknown)}."]},
        )
    return wanted


def _record(actor: User | None, action: str, membership: Membership, before: dict | None, after: dict | None, op: str = "upsert") -> None:
    change_record(
        actor=actor,
        action=action,
        obj=membership,
        project=membership.project_id,
        before=before,
        after=after,
        op=op,
        label=f"{membership.user.username} in {membership.project.name}",
    )


def _record_access(actor: User | None, membership: Membership, granted: bool) -> None:
    feed_access_record(actor=actor, project=membership.project, user_id=membership.user_id, granted=granted)


def _tell_listeners(project: Project, user_id: object, actor: User | None) -> None:
    """Run after the membership row changed, with the project and memberships still locked, so a
    listener sees the new standing and takes its own locks later in the order (reviews)."""
    for listener in hooks.registry.membership_listeners:
        listener(project=project, user_id=user_id, actor=actor)


def membership_change_check(*, actor: User | None, project: Project) -> None:
    """Owners and administrators manage a project's members. The services below call it first;
    the pages of their forms call it before showing one."""
    require(actor, project, Action.MANAGE)


def membership_create_owner(*, project: Project, user: User, actor: User) -> Membership:
    """The creator of a project becomes its first owner (called by project_create, inside its
    transaction; not a door of its own)."""
    membership = Membership.objects.create(project=project, user=user, role=Role.OWNER)
    _record(actor, "member.added", membership, None, membership_snapshot(membership, []))
    return membership


@atomic
def membership_add(*, project: Project, actor: User, user: str | User, role: str, functions: Iterable[str] = ()) -> Membership:
    """Add an existing user, named by username or e-mail, with a role and functions."""
    membership_change_check(actor=actor, project=project)
    project = lock_writable(project)
    target = user if isinstance(user, User) else selectors.user_find(identifier=user)
    if target is None:
        raise ApplicationError(
            f"No active user has the username or e-mail {user!r}.",
            code="user_not_found",
            fields={"user": ["No active user has this username or e-mail."]},
        )
    role = _check_role(role)
    function_keys = _check_functions(functions)
    if Membership.objects.filter(project=project, user=target).exists():
        raise Conflict(
            f"{target.username} is already a member of this project; change their role instead.",
            code="already_member",
            fields={"user": ["Already a member of this project."]},
        )
    membership = Membership.objects.create(project=project, user=target, role=role)
    _functions_set(membership, function_keys)
    selectors.project_access_forget(project=project, user_id=target.pk)
    _record(actor, "member.added", membership, None, membership_snapshot(membership, function_keys))
    _record_access(actor, membership, granted=True)
    # Someone named on an open review who comes back counts again (the named set never grows).
    _tell_listeners(project, target.pk, actor)
    return membership


def _functions_set(membership: Membership, keys: list[str]) -> None:
    membership.functions.set(keys)  # type: ignore[arg-type]  # Function's key is a slug; the stubs take related keys to be ints


def _owners_left_after(membership: Membership) -> int:
    return Membership.objects.filter(project_id=membership.project_id, role=Role.OWNER).exclude(pk=membership.pk).count()


def _lock_members(project_id: UUID) -> None:
    """Serialise membership changes of one project, so two owners demoting each other at the same
    moment cannot leave it without an owner."""
    list(Membership.objects.select_for_update(no_key=True).filter(project_id=project_id).values_list("pk", flat=True))


@atomic
def membership_update(*, membership: Membership, actor: User, role: str, functions: Iterable[str] | None = None) -> Membership:
    membership_change_check(actor=actor, project=membership.project)
    lock_writable(membership.project)
    role = _check_role(role)
    function_keys = _check_functions(functions) if functions is not None else None
    _lock_members(membership.project_id)
    given = membership.project
    membership = Membership.objects.select_related("project", "user").get(pk=membership.pk)
    before = membership_snapshot(membership)
    if membership.role == Role.OWNER and role != Role.OWNER and _owners_left_after(membership) == 0:
        raise Conflict(
            "A project always keeps an owner: make someone else an owner first.",
            code="last_owner",
            fields={"role": ["This is the project's only owner."]},
        )
    membership.role = role
    membership.updated_at = timezone.now()
    membership.save(update_fields=["role", "updated_at"])
    if function_keys is not None:
        _functions_set(membership, function_keys)
    selectors.project_access_forget(project=given, user_id=membership.user_id)
    after = membership_snapshot(membership)
    if after != before:
        _record(actor, "member.changed", membership, before, after)
        # Approver to viewer (or losing the function a gate's policy names) ends approver status.
        _tell_listeners(membership.project, membership.user_id, actor)
    return membership


@atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    membership_change_check(actor=actor, project=membership.project)
    lock_writable(membership.project)
    _lock_members(membership.project_id)
    given = membership.project
    membership = Membership.objects.select_related("project", "user").get(pk=membership.pk)
    if membership.role == Role.OWNER and _owners_left_after(membership) == 0:
        raise Conflict(
            "A project always keeps an owner: you cannot remove its only owner.",
            code="last_owner",
        )
    before = membership_snapshot(membership)
    _record(actor, "member.removed", membership, before, None, op="delete")
    _record_access(actor, membership, granted=False)
    project, user_id = membership.project, membership.user_id
    membership.delete()
    selectors.project_access_forget(project=given, user_id=user_id)
    _tell_listeners(project, user_id, actor)


def user_access_snapshot(user: User) -> dict:
    """What a user sees outside their memberships: every project (portfolio viewers and
    administrators) or nothing at all (an inactive account)."""
    return {
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
        "portfolio_viewer": user.groups.filter(name=PORTFOLIO_VIEWERS_GROUP).exists(),
    }


@atomic
def user_access_record(*, user: User, actor: User | None, before: dict) -> bool:
    """Record a change of a user's portfolio rights, administrator status or activity made in the
    Django admin (which saves the user and its groups itself). The audit event moves the data
    version that keys the page cache (lifecycle.infrastructure.page_cache), so no page cached while the user
    could see every project is served to them afterwards. Returns whether anything changed."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("Only administrators change portfolio rights.")
    after = user_access_snapshot(user)
    if after == before:
        return False
    change_record(actor=actor, action="user.access_changed", obj=user, before=before, after=after, feed=False, label=user.username)
    return True
