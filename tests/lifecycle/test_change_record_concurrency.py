"""Concurrent writers on PostgreSQL keep one hash chain, and a change that commits later never
gets a sequence number below one already handed out."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from lifecycle import services
from lifecycle.models import AuditEvent, ChangeRecord
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_writers_keep_one_chain():
    owners = [make_user(f"writer{i}") for i in range(8)]
    projects = [services.project_create(actor=u, name=f"P{i}") for i, u in enumerate(owners)]
    barrier = threading.Barrier(len(projects))
    errors = []

    def write(project, owner):
        try:
            barrier.wait()
            for n in range(5):
                services.project_update(project=project, actor=owner, name=f"{project.name} rev {n}")
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=pair) for pair in zip(projects, owners, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    report = services.audit_chain_verify()
    assert report.ok, report.problem
    assert AuditEvent.objects.filter(action="project.updated").count() == 40
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_later_commit_never_gets_a_smaller_sequence_number():
    alice, bob = make_user("alice"), make_user("bob")
    first = services.project_create(actor=alice, name="Slow")
    second = services.project_create(actor=bob, name="Fast")
    slow_has_written = threading.Event()
    order: list[tuple[str, float]] = []

    def slow():
        try:
            with transaction.atomic():
                services.project_update(project=first, actor=alice, name="Slow, renamed")
                slow_has_written.set()
                time.sleep(1.0)  # committing late, while the other writer tries to write
            order.append(("slow", time.monotonic()))
        finally:
            connection.close()

    def fast():
        try:
            slow_has_written.wait(10)
            services.project_update(project=second, actor=bob, name="Fast, renamed")
            order.append(("fast", time.monotonic()))
        finally:
            connection.close()

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    slow_seq = ChangeRecord.objects.get(object_id=first.pk, action="project.updated").seq
    fast_seq = ChangeRecord.objects.get(object_id=second.pk, action="project.updated").seq
    # The fast writer waited for the slow one's commit, so commit order is sequence order.
    assert [name for name, _ in sorted(order, key=lambda x: x[1])] == ["slow", "fast"]
    assert slow_seq < fast_seq


def test_a_reader_polling_while_others_write_never_misses_a_change():
    """Writers commit late and at random while a reader polls the feed from its last position:
    every row reaches the reader exactly once."""
    import random

    from lifecycle import selectors

    owners = [make_user(f"owner{i}") for i in range(4)]
    reader = make_user("reader", is_superuser=True)
    projects = [services.project_create(actor=u, name=f"P{i}") for i, u in enumerate(owners)]
    start = ChangeRecord.objects.order_by("-seq").values_list("seq", flat=True).first()
    done = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def write(project, owner, seed):
        rng = random.Random(seed)
        try:
            for n in range(15):
                with transaction.atomic():
                    services.project_update(project=project, actor=owner, description=f"edit {n}")
                    time.sleep(rng.random() * 0.02)  # commit late, holding the writer lock
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            connection.close()

    def read():
        position = start
        try:
            while True:
                finished = done.is_set()
                page = selectors.changes_for_user(user=reader, since=position, limit=7)
                seen.extend(row.seq for row in page.rows)
                assert page.last_seq >= position
                position = page.last_seq
                if finished and not page.more:
                    return
                time.sleep(0.002)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=(p, u, i)) for i, (p, u) in enumerate(zip(projects, owners, strict=True))]
    polling = threading.Thread(target=read)
    polling.start()
    for t in writers:
        t.start()
    for t in writers:
        t.join(timeout=120)
    done.set()
    polling.join(timeout=60)

    assert errors == []
    written = list(ChangeRecord.objects.filter(seq__gt=start).order_by("seq").values_list("seq", flat=True))
    assert len(written) == 60
    assert seen == written  # each exactly once, in order
