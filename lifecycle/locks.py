"""Row locks and transient database conflicts: the one lock order, and the retry of a whole
service call when PostgreSQL aborts it anyway.

The lock order (every transaction, web request and worker alike)
------------------------------------------------------------------
1. **The project row**, FOR NO KEY UPDATE (`lock_project`, or `lifecycle.services.lock_writable`).
   Every service that writes a project's data takes it first, before any other row of that
   project, so writers of one project queue here and never meet in another order further down.
   A service that works on several projects locks them in key order.
2. Its **phases**, then its **memberships**.
3. **The resource** the service changes: checklist item, artifact (then its feedback requests),
   risk, sign-off, incident, post-launch task, webhook endpoint (then its deliveries).
4. **Gates**, in key order (`lock_in_key_order`); the stale-marking listener takes them at the end of
   the service, just before the change rows are written.
5. **Reviews** (and their votes).
6. **The audit/feed writer's advisory lock**, taken last by `lifecycle.services.records`, only to
   insert rows.

Workers follow the same order or lock less: scoring locks gates (in key order) and then the
advisory lock; it never locks a project, phase or resource. Sweeps that touch several projects
lock the projects first, in key order.

Every row lock is FOR NO KEY UPDATE: no transaction here changes a key, and FOR UPDATE would make
the foreign-key checks of other transactions (FOR KEY SHARE on the referenced row, taken by every
insert that points at a project, gate or user) wait, which is the deadlock a plain FOR UPDATE on the
project row caused against the scoring worker.

Transient conflicts
-------------------
A deadlock, a serialization failure or a lock timeout aborts the whole transaction, so the whole
service call is run again (`retrying`): bounded attempts with jittered backoff. Nothing of a failed
attempt survives it: its rows roll back, its change records are dropped (records._atomic_block), its
after-commit callbacks (tasks, e-mails, listeners) are discarded by Django. So a retried call writes
once. Only the outermost block retries; a call nested in another transaction lets the conflict
rise to the block that owns the transaction. When the attempts are spent the error rises as it is,
and the web layer answers 503 with Retry-After (lifecycle.infrastructure.middleware), never 500.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import DatabaseError, connection, models

logger = logging.getLogger(__name__)

# SQLSTATEs that mean "the same work may well succeed if run again".
DEADLOCK = "40P01"
SERIALIZATION_FAILURE = "40001"
LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout, NOWAIT
TRANSIENT_SQLSTATES = frozenset({DEADLOCK, SERIALIZATION_FAILURE, LOCK_NOT_AVAILABLE})

MAX_ATTEMPTS = 5
# Backoff before attempt n (n >= 2): uniform in [0, BASE * 2**(n-2)], capped; 5 attempts wait at
# most ~1.5 s in all, well inside a request's patience.
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 0.8

T = TypeVar("T")


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (Django wraps the driver's error as __cause__)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if state:
            return str(state)
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, DatabaseError) and sqlstate(exc) in TRANSIENT_SQLSTATES


class _Stats:
    """Counts of retries taken in this process (the soak benchmark reads them from the metrics)."""

    retries = 0
    exhausted = 0


stats = _Stats()


def _backoff(attempt: int) -> float:
    return random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 2)))


def run(func: Callable[[], T], *, name: str = "") -> T:
    """Call `func` (which opens its own transaction) and run it again on a transient conflict.
    Inside an enclosing transaction it runs once: the owner of that transaction retries."""
    if connection.in_atomic_block:
        return func()
    attempt = 1
    while True:
        try:
            return func()
        except DatabaseError as e:
            if not is_transient(e):
                raise
            if attempt >= MAX_ATTEMPTS:
                stats.exhausted += 1
                logger.warning("transient conflict in %s, %d attempts spent: %s", name or func, attempt, sqlstate(e))
                raise
            stats.retries += 1
            _count_retry(sqlstate(e) or "")
            logger.info("transient conflict in %s (%s); attempt %d of %d", name or func, sqlstate(e), attempt + 1, MAX_ATTEMPTS)
            attempt += 1
            time.sleep(_backoff(attempt))


def retrying(func: Callable[..., T]) -> Callable[..., T]:
    """Decorator form of `run`, for a function whose body is one transaction."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        return run(lambda: func(*args, **kwargs), name=getattr(func, "__qualname__", ""))

    return wrapper


def _count_retry(state: str) -> None:
    try:
        from lifecycle.infrastructure import metrics

        metrics.db_retry(state)
    except Exception as e:  # noqa: BLE001 - counting must never fail the retry
        logger.debug("could not count a retry: %s", e)


def lock_project(project_id: Any) -> None:
    """Step 1 of the order: the project row, FOR NO KEY UPDATE."""
    from lifecycle.models import Project

    list(Project.objects.select_for_update(no_key=True).filter(pk=project_id).values_list("pk", flat=True))


def lock_projects(project_ids: Iterable[Any]) -> None:
    """Several projects at once, in key order (sweeps)."""
    from lifecycle.models import Project

    ids = sorted({pid for pid in project_ids if pid is not None}, key=str)
    if ids:
        list(Project.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def lock_in_key_order(queryset: models.QuerySet) -> list:
    """Lock the rows of a queryset in key order and return their keys: a plain multi-row UPDATE
    locks in scan order, and two transactions taking the same rows in different orders deadlock."""
    return list(queryset.select_for_update(of=("self",), no_key=True).order_by("pk").values_list("pk", flat=True))
