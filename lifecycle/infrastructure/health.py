"""Readiness: can this instance do its work? PostgreSQL, the Redis cache, the Celery broker and a
recent worker heartbeat, each checked with short timeouts so the probe answers in about a second
even when a part hangs."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone

Check = Callable[[], dict[str, Any]]


class NotReady(Exception):
    """A check failed; the message says why, without hosts or credentials."""


def readiness_checks() -> dict[str, Any]:
    """Every check as {"ok": bool, ...}, plus the names of those that failed."""
    results = {name: _run(check) for name, check in _CHECKS.items()}
    if not results["cache"]["ok"] and not results["worker"]["ok"]:
        # The heartbeat lives in the cache: say so rather than blame the worker.
        results["worker"]["error"] = "cannot read the heartbeat: the cache is down"
    failing = [name for name, result in results.items() if not result["ok"]]
    return {"status": "unavailable" if failing else "ok", "failing": failing, "checks": results}


def _run(check: Check) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except NotReady as e:
        result = {"ok": False, "error": str(e)}
    except Exception as e:  # noqa: BLE001 - a probe reports failures, it never raises them
        result = {"ok": False, "error": e.__class__.__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> dict[str, Any]:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _cache() -> dict[str, Any]:
    # lifecycle.infrastructure.cache.ResilientRedisCache treats a Redis failure as a miss, so ask Redis itself.
    client_for = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client_for is not None:
        client_for(write=True).ping()
        return {}
    cache.set("readyz", "1", timeout=10)
    if cache.get("readyz") != "1":
        raise NotReady("the cache does not keep values")
    return {"backend": "local"}


def _broker() -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"skipped": "tasks run in the web process"}
    from lifecycle.celery import app

    with app.connection_for_write(url=settings.CELERY_BROKER_URL) as connection:
        connection.ensure_connection(max_retries=0, timeout=2)
    return {}


def _worker() -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"skipped": "tasks run in the web process"}
    from lifecycle.services.housekeeping import worker_heartbeat_last

    last = worker_heartbeat_last()
    if last is None:
        raise NotReady("no worker heartbeat recorded")
    age = (timezone.now() - last["at"]).total_seconds()
    if age > settings.WORKER_HEARTBEAT_MAX_AGE:
        raise NotReady(f"last worker heartbeat {age:.0f}s ago (limit {settings.WORKER_HEARTBEAT_MAX_AGE}s)")
    return {"age_seconds": round(age, 1), "worker": last["worker"]}


_CHECKS: dict[str, Check] = {"database": _database, "cache": _cache, "broker": _broker, "worker": _worker}
