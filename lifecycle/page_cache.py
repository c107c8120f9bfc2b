"""Whole responses of read-heavy pages and endpoints, cached per user until anything changes.

Every change to what the application shows goes through `change_record`, which writes an audit
event or a change-feed row (derived data, such as a new readiness score, writes only the latter)
with the next sequence number. The latest of both sequence numbers is therefore a version of all
the data, and a cached response keyed on it can never outlive a change; the few writes that record
nothing (a gate found current again after rescoring, with an unchanged score) call `invalidate`
after their commit. The key also holds
the user, the exact URL, the user's unread notifications (marking them read is not a change of
the data) and, for pages with forms, the browser's CSRF secret, so a cached form always carries
a token that browser can post. Entries also expire after PAGE_CACHE_SECONDS, for what depends
on the clock alone ("scored 3 minutes ago") or changes outside the services (an administrator
editing a user in the Django admin).

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
from django.db.models import Max
from django.http import HttpRequest, HttpResponse

from lifecycle.models import AuditEvent, ChangeRecord, Notification, User

logger = logging.getLogger(__name__)
EPOCH_KEY = "page-cache-epoch"


def data_version() -> tuple[int, int, int]:
    """The latest audit and change-feed sequence numbers (two index lookups), and the epoch that
    `invalidate` moves."""
    return (
        AuditEvent.objects.aggregate(latest=Max("seq"))["latest"] or 0,
        ChangeRecord.objects.aggregate(latest=Max("seq"))["latest"] or 0,
        cache.get(EPOCH_KEY, 0),
    )


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
    raw = "\n".join(str(p) for p in (scope, request.get_host(), request.get_full_path(), user.pk, data_version(), *parts))
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
        unread = Notification.objects.filter(user=request.user, read_at=None).count()
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
