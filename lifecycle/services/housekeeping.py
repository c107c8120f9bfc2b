"""Periodic clean-up: expired idempotency keys, change-feed rows past retention (compacted)."""

from __future__ import annotations

from datetime import timedelta

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


def worker_heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=3600)
