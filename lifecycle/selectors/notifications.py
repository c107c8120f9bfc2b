"""What waits for a user: the navigation counts, the inbox and notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from lifecycle import hooks
from lifecycle.models import (
    Membership,
    User,
)
from lifecycle.permissions import PORTFOLIO_VIEWERS_GROUP


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


def notification_settings(*, user: User) -> list[dict]:
    from lifecycle.models import NotificationPreference

    muted = set(NotificationPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return [
        {"kind": kind, "label": label, "email": kind not in muted}
        for kind, label in sorted(hooks.registry.notification_kinds.items(), key=lambda kv: kv[1])
    ]
