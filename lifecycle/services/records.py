"""The change record: the one way every state change is recorded.

Every state-changing service calls `change_record` inside its transaction. Each call becomes an
audit event (who, what, when, before and after, request id; hash-chained) and a change-feed row
(sequence number, resource type, id, project, upsert or delete), and listeners that higher apps
register hear about it: inside the transaction (to mark derived state stale) and after commit (to
enqueue work).

Why the rows are written at the end of the outermost service (`atomic`), not at each call: both
the hash chain and the change feed need one global order, and the feed must never hand out a
sequence number below one a client already saw. So the rows are written under one lock held until
commit, which makes sequence order equal commit order. Taking that lock last, after every row lock
the transaction needs, means a transaction that holds it never waits for another lock: no
deadlocks, and the lock is held only for a few inserts.

Who may: recording is part of the service that made the change, which has checked its actor;
`audit_verify_request` is for administrators; `audit_verify_run` is the worker's.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models import F as DbF
from django.utils import timezone

from lifecycle import hooks, locks
from lifecycle.infrastructure.logging import current_request_id
from lifecycle.models import AuditEvent, ChangeRecord, Job, User
from lifecycle.services import tasks

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key of the audit/feed writer (any constant; "LCAUDIT" in ASCII).
_LOCK_KEY = 0x4C43415544495400 >> 8
BULK_BATCH_SIZE = 2000  # rows per INSERT: keeps memory flat when generating a million rows


@dataclass
class Pending:
    action: str
    type: str
    object_id: UUID | None
    object_label: str
    project_id: UUID | None
    before: dict | None
    after: dict | None
    op: str
    actor_id: UUID | None
    actor_name: str
    request_id: str
    audience: UUID | None = None
    feed: bool = True
    audit: bool = True
    at: datetime | None = None

    def as_change(self, seq: int | None = None) -> hooks.Change:
        return hooks.Change(
            seq=seq,
            type=self.type,
            object_id=self.object_id,
            project_id=self.project_id,
            op=self.op,
            action=self.action,
            before=self.before,
            after=self.after,
        )


class _Buffer(threading.local):
    def __init__(self) -> None:
        self.depth = 0
        self.pending: list[Pending] = []


_buffer = _Buffer()

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def _atomic_block() -> Iterator[None]:
    start = len(_buffer.pending)
    with transaction.atomic():
        _buffer.depth += 1
        try:
            yield
            if _buffer.depth == 1:
                _flush()
        except BaseException:
            # Work rolled back to this block's savepoint must not be recorded.
            del _buffer.pending[start:]
            raise
        finally:
            _buffer.depth -= 1


def atomic(func: F | None = None) -> Any:
    """transaction.atomic for services: also writes the change rows recorded inside it when the
    outermost service block exits. Use as a decorator or a context manager.

    As a decorator it also runs the whole call again after a deadlock, serialization failure or
    lock timeout, when it is the outermost transaction (lifecycle.locks): a service is one
    transaction, so a retried call writes once."""
    if func is None:
        return _atomic_block()

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        def once() -> Any:
            with _atomic_block():
                return func(*args, **kwargs)

        return locks.run(once, name=func.__qualname__)

    return wrapper


def change_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    project: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    op: str = ChangeRecord.Op.UPSERT,
    type: str | None = None,
    object_id: UUID | None = None,
    label: str | None = None,
    audience: UUID | None = None,
    feed: bool = True,
    audit: bool = True,
) -> None:
    """Record one change. `actor` is a user or None (the system); `obj` the changed row (its
    `change_type` attribute names the feed type); `before`/`after` are snapshots (see `snapshot`).
    `feed=False` records an audit event without a feed row (e.g. a login); `audit=False` a feed
    row without an audit event, for derived state that has its own record (a gate's readiness is
    recorded by its assessment)."""
    pending = Pending(
        action=action,
        type=type or getattr(obj, "change_type", None) or (obj._meta.model_name if obj is not None else None) or "system",
        object_id=object_id or (obj.pk if obj is not None and isinstance(obj.pk, UUID) else None),
        object_label=(label if label is not None else str(obj) if obj is not None else "")[:200],
        project_id=_project_id(project, obj),
        before=before,
        after=after,
        op=op,
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or "system",
        request_id=current_request_id(),
        audience=audience,
        feed=feed,
        audit=audit,
    )
    if _buffer.depth == 0:
        with _atomic_block():
            _buffer.pending.append(pending)
    else:
        _buffer.pending.append(pending)


def change_record_bulk(entries: Iterable[Pending], *, batch_size: int = BULK_BATCH_SIZE) -> int:
    """Write many records in order, in batches, for data generation and imports. Listeners are
    not called: bulk writers bring derived state up to date themselves. Returns the count."""
    count = 0
    batch: list[Pending] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= batch_size:
            count += _write_batch(batch)
            batch = []
    if batch:
        count += _write_batch(batch)
    return count


def _write_batch(batch: list[Pending]) -> int:
    with transaction.atomic():
        _write(batch)
    return len(batch)


def _flush() -> None:
    """Run in-transaction listeners (they may record more), then write every pending row under the
    global lock, then schedule the after-commit listeners."""
    heard = 0
    while heard < len(_buffer.pending):
        fresh = _buffer.pending[heard:]
        heard = len(_buffer.pending)
        changes = [p.as_change() for p in fresh]
        for listener in hooks.registry.in_transaction_listeners:
            listener(changes)
    pending, _buffer.pending = _buffer.pending, []
    if not pending:
        return
    written = _write(pending)
    if hooks.registry.on_commit_listeners and written:
        tasks.on_commit_robust(_after_commit, written)


def _after_commit(changes: list[hooks.Change]) -> None:
    for listener in hooks.registry.on_commit_listeners:
        listener(changes)


def _write(pending: list[Pending]) -> list[hooks.Change]:
    _lock()
    now = timezone.now()
    audited = [p for p in pending if p.audit]
    events = []
    if audited:
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = last if last else (0, GENESIS_HASH)
    for p in audited:
        seq += 1
        event = AuditEvent(
            seq=seq,
            at=p.at or now,
            actor_id=p.actor_id,
            actor_name=p.actor_name,
            action=p.action,
            object_type=p.type,
            object_id=p.object_id,
            object_label=p.object_label,
            project_id=p.project_id,
            before=p.before,
            after=p.after,
            request_id=p.request_id,
            prev_hash=prev_hash,
        )
        event.hash = event_hash(event)
        prev_hash = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=BULK_BATCH_SIZE)
    feed = [(p, p.object_id) for p in pending if p.feed and p.object_id is not None]
    rows = ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                type=p.type,
                object_id=object_id,
                project_id=p.project_id,
                op=p.op,
                at=p.at or now,
                action=p.action,
                audience=p.audience,
            )
            for p, object_id in feed
        ],
        batch_size=BULK_BATCH_SIZE,
    )
    return [p.as_change(row.seq) for (p, _), row in zip(feed, rows, strict=True)]


def _lock() -> None:
    """One writer at a time until commit. SQLite needs nothing: its IMMEDIATE transactions already
    serialise writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def event_payload(event: AuditEvent) -> dict:
    """The canonical content an event's hash covers (everything but the hash itself)."""
    return {
        "seq": event.seq,
        "id": str(event.id),
        "at": _canonical_time(event.at),
        "actor": str(event.actor_id) if event.actor_id else None,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id) if event.object_id else None,
        "object_label": event.object_label,
        "project": str(event.project_id) if event.project_id else None,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    canonical = json.dumps(event_payload(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _project_id(project: Any, obj: Any) -> UUID | None:
    if project is not None:
        return project if isinstance(project, UUID) else project.pk
    if obj is not None and obj.__class__.__name__ == "Project":
        return obj.pk
    return None


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """A JSON-safe copy of some fields of a row, for before/after."""
    return {name: _json_value(getattr(obj, name)) for name in fields}


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_json_value(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return str(value)


@dataclass
class ChainReport:
    checked: int = 0
    broken_at: int | None = None
    problem: str = ""
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        self.ok = self.broken_at is None


def audit_chain_verify(*, batch_size: int = 5000) -> ChainReport:
    """Walk the audit log in order and report the first broken link: an edited event (its hash no
    longer matches its content), a deleted or inserted one (a gap or repeat in seq, or a prev_hash
    that is not the previous event's hash)."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    last_seq = 0
    while True:
        events = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not events:
            return ChainReport(checked=checked)
        for event in events:
            problem = _link_problem(event, expected_seq, prev_hash)
            if problem:
                return ChainReport(checked=checked, broken_at=event.seq, problem=problem)
            checked += 1
            expected_seq, prev_hash, last_seq = event.seq + 1, event.hash, event.seq


def _link_problem(event: AuditEvent, expected_seq: int, prev_hash: str) -> str:
    if event.seq != expected_seq:
        return f"expected event #{expected_seq} next but found #{event.seq}: an event was deleted or inserted"
    if event.prev_hash != prev_hash:
        return f"event #{event.seq} does not point at the hash of event #{event.seq - 1}: the chain was re-linked"
    if event_hash(event) != event.hash:
        return f"event #{event.seq} no longer matches its hash: it was edited"
    return ""


AUDIT_VERIFY_KIND = "audit_verify"


def audit_verify_request(*, actor: User | None) -> Job:
    """Verify the chain in the background: at a million events it takes longer than a request."""
    from lifecycle.services.jobs import job_create, job_enqueue
    from lifecycle.tasks import audit_verify_job_task

    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("Only administrators verify the audit log.")
    job = job_create(kind=AUDIT_VERIFY_KIND, actor=actor)
    job_enqueue(job=job, task=audit_verify_job_task)
    return job


def audit_verify_run(*, job_id: Any) -> None:
    from lifecycle.services.jobs import job_start, job_succeed

    if not job_start(job_id=job_id):
        return
    report = audit_chain_verify()
    job_succeed(job_id=job_id, result={"checked": report.checked, "broken_at": report.broken_at, "problem": report.problem})


def save_versioned(obj: models.Model, fields: Iterable[str] | None = None) -> None:
    """Save a row that carries `version` (its ETag in the API) and `updated_at`: the version goes
    up in the database, so two writers never lose an increment, and the new value is read back.
    `fields` limits the UPDATE to those columns (and the two); None saves every column."""
    obj.updated_at = timezone.now()  # type: ignore[attr-defined]  # every versioned model has both columns
    obj.version = DbF("version") + 1  # type: ignore[attr-defined]  # as above
    obj.save(update_fields=None if fields is None else [*fields, "updated_at", "version"])
    obj.refresh_from_db(fields=["version"])
