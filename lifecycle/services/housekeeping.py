"""Periodic clean-up: expired idempotency keys, change-feed rows past retention."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from lifecycle.models import ChangeRecord, IdempotencyRecord

IDEMPOTENCY_TTL = timedelta(hours=24)
HEARTBEAT_KEY = "worker-heartbeat"


def housekeeping_run() -> dict:
    now = timezone.now()
    expired_keys, _ = IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_TTL).delete()
    cutoff = now - timedelta(days=settings.CHANGE_RETENTION_DAYS)
    old_changes, _ = ChangeRecord.objects.filter(at__lt=cutoff).delete()
    worker_heartbeat()
    return {"idempotency_keys": expired_keys, "changes": old_changes}


def worker_heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=3600)
