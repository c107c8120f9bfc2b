"""Whole responses of read-heavy pages and endpoints, cached per user until anything changes.

Every change to what the application shows goes through `change_record`, which writes an audit
event or a change-feed row (derived data, such as a new readiness score, writes only the latter)
with the next sequence number. The latest of both sequence numbers is therefore a version of all
the data, and a cached response keyed on it can never outlive a change; the few writes that record
nothing (a gate found current again after rescoring, with an unchanged score) call `invalidate`
after their commit. The key also holds the user, the exact URL, the user's unread notifications
(marking them read is not a change of the data), the user's standing outside their memberships
(administrator, portfolio viewer) and, for pages with forms, the browser's CSRF secret, so a
cached form always carries a token that browser can post.

Access ends when membership ends, and so does every page cached for it. A membership change goes
through the membership services, which record it, so the version moves. Portfolio rights and
administrator status change in the Django admin, which records them too (`user_access_record`);
the key holds that standing itself as well, read on every request, so a group changed any other
way (a shell, a script) never serves a page cached while the user could see every project.
Entries also expire after PAGE_CACHE_SECONDS, for what depends on the clock alone ("scored 3
minutes ago").

Not cached: anything but a full-page GET, htmx fragments, a request with a message waiting to be
shown, a browser without a CSRF cookie yet, and any response but a plain 200.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse

from lifecycle import selectors
from lifecycle.models import AuditEvent, ChangeRecord, User
from lifecycle.permissions import PORTFOLIO_VIEWERS_GROUP

logger = logging.getLogger(__name__)
EPOCH_KEY = "page-cache-epoch"


def data_version(user: User) -> tuple[object, ...]:
    """The latest audit and change-feed sequence numbers, the user's standing outside their
    memberships (administrator, portfolio viewer), and the epoch that `invalidate` moves: one
    query of index lookups. The user row is read afresh by every request's authentication, its
    groups are not, so the group is read here."""
    latest_audit = AuditEvent.objects.order_by("-seq").values("seq")[:1]
    latest_feed = ChangeRecord.objects.order_by("-seq").values("seq")[:1]
    portfolio = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=PORTFOLIO_VIEWERS_GROUP)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(audit=Subquery(latest_audit), feed=Subquery(latest_feed), portfolio=Exists(portfolio))
        .values_list("audit", "feed", "portfolio")
        .first()
    )
    audit, feed, is_portfolio_viewer = row or (None, None, False)
    return (audit or 0, feed or 0, cache.get(EPOCH_KEY, 0), bool(user.is_superuser), bool(is_portfolio_viewer))


def invalidate() -> None:
    """Retire every cached response, after the current transaction commits."""

    def bump() -> None:
        try:
            cache.add(EPOCH_KEY, 0, timeout=None)
            cache.incr(EPOCH_KEY)
        except Exception:  # noqa: BLE001 - the cache is down: nothing is served from it either
            logger.warning("could not move the page cache epoch")

    transaction.on_commit(bump, robust=True)


def _key(scope: str, request: HttpRequest, user: User, *parts: object) -> str:
    raw = "\n".join(str(p) for p in (scope, request.get_host(), request.get_full_path(), user.pk, data_version(user), *parts))
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a page's GET from the cache while nothing has changed (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        csrf_secret = request.META.get("CSRF_COOKIE", "")
        if (
            not settings.PAGE_CACHE_SECONDS
            or request.method != "GET"
            or getattr(request, "htmx", False)
            or not csrf_secret
            or not request.user.is_authenticated
            or len(messages.get_messages(request))
        ):
            return view(request, *args, **kwargs)
        unread = selectors.notification_unread_count(user=request.user)
        key = _key(view.__qualname__, request, request.user, unread, csrf_secret)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response.content, response["Content-Type"]), timeout=settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper


def cached_data(request: Any, scope: str, build: Callable[[], Any]) -> Any:
    """The JSON-ready data of an API read, from the cache while nothing has changed."""
    if not settings.PAGE_CACHE_SECONDS:
        return build()
    key = _key(scope, request, request.user)
    data = cache.get(key)
    if data is None:
        data = build()
        cache.set(key, data, timeout=settings.PAGE_CACHE_SECONDS)
    return data
