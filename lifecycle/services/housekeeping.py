"""Periodic clean-up (expired idempotency keys, change-feed rows past retention, compacted) and
the worker heartbeat that the readiness probe reads.

System only: beat and the workers call these, never a person, so they take no actor."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from lifecycle.models import IdempotencyRecord
from lifecycle.services.feed import feed_prune

IDEMPOTENCY_TTL = timedelta(hours=24)
HEARTBEAT_KEY = "worker-heartbeat"


def housekeeping_run() -> dict:
    now = timezone.now()
    expired_keys, _ = IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_TTL).delete()
    old_changes = feed_prune(now=now)
    worker_heartbeat()
    return {"idempotency_keys": expired_keys, "changes": old_changes}


def worker_heartbeat(*, worker: str = "", at: datetime | None = None) -> None:
    """Record that a worker is connected and consuming. Workers call this every
    WORKER_HEARTBEAT_SECONDS from their event loop (lifecycle.celery), and after each echo task."""
    value = {"at": (at or timezone.now()).isoformat(), "worker": worker}
    # Kept a little longer than "recent", so the probe can tell "old" from "never seen".
    cache.set(HEARTBEAT_KEY, json.dumps(value), timeout=max(settings.WORKER_HEARTBEAT_MAX_AGE * 10, 3600))


def worker_heartbeat_last() -> dict | None:
    """The last heartbeat as {"at": datetime, "worker": str}, or None when there is none (or the
    cache cannot be read)."""
    raw = cache.get(HEARTBEAT_KEY)
    if not raw:
        return None
    try:
        # Before heartbeats named their worker they were a bare ISO timestamp.
        value = json.loads(raw) if raw.startswith("{") else {"at": raw, "worker": ""}
        return {"at": datetime.fromisoformat(value["at"]), "worker": str(value.get("worker") or "")}
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
