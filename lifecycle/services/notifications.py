"""In-app notifications and their e-mails, for every app.

`notify` writes the in-app rows in the caller's transaction and sends e-mail from a Celery task
after commit, so nobody is told about a change that was rolled back.

Who may: `notify` and `notification_email_send` are the system's (services and tasks call them
on behalf of the change they report). `notification_mark_read` and
`notification_preferences_set` are personal: they change only the rows of the `user` they are
given, who is the person acting (the pages pass the person signed in), so there is nobody else
they could reach: ids of anyone else's notifications are ignored like unknown ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from lifecycle import hooks, selectors
from lifecycle.models import Notification, NotificationPreference, Project, User
from lifecycle.services.tasks import enqueue


def notification_kinds() -> dict[str, str]:
    return dict(hooks.registry.notification_kinds)


def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    project: Project | None = None,
) -> list[Notification]:
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    if not recipients:
        return []
    muted = set(NotificationPreference.objects.filter(user_id__in=recipients, kind=kind, email=False).values_list("user_id", flat=True))
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                project=project,
                email_wanted=bool(user.email) and user.pk not in muted,
            )
            for user in recipients.values()
        ]
    )
    from lifecycle import tasks

    for row in rows:
        if row.email_wanted:
            enqueue(tasks.notification_email_task, str(row.pk))
    return rows


def notification_email_send(*, notification_id: str) -> bool:
    """Send one notification's e-mail at most once: the conditional UPDATE claims it, and a
    failure releases the claim so a retry can send it."""
    claimed = Notification.objects.filter(pk=notification_id, email_wanted=True, emailed_at=None).update(emailed_at=timezone.now())
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    if not selectors.notification_visible(user=notification.user).filter(pk=notification.pk).exists():
        # The recipient left the project between the change and this task: the e-mail would
        # carry the project's content and a link into it. The claim stays, so it is never sent.
        return False
    link = f"{settings.SITE_URL}{notification.url}" if notification.url.startswith("/") else notification.url
    message = "\n\n".join(part for part in (notification.body, link) if part)
    try:
        send_mail(
            # A title may quote what people typed, line breaks included; a header is one line.
            subject=" ".join(f"[{settings.SITE_NAME}] {notification.title}".split()),
            message=message + "\n\n-- \nYou can turn these e-mails off in your notification settings.",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.user.email],
        )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


def notification_mark_read(*, user: User, ids: Iterable[str] | None = None) -> int:
    """Mark the user's own unread notifications read (those of `ids`, or all); returns how many."""
    qs = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=[i for i in (_uuid(raw) for raw in ids) if i is not None])
    return qs.update(read_at=timezone.now())


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def notification_preferences_set(*, user: User, email_by_kind: dict[str, bool]) -> None:
    """The user's own choice of e-mails, by notification kind (unknown kinds are ignored)."""
    known = notification_kinds()
    for kind, email in email_by_kind.items():
        if kind in known:
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": email})
