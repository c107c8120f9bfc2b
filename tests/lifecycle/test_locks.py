"""The lock order and the retry of transient conflicts (lifecycle/locks.py).

- A real deadlock met in the middle of a service call: PostgreSQL aborts the call, it runs again,
  and it writes once (one audit event, one feed row, one notification, one task sent).
- A lock that stays taken: every attempt times out, and the request answers 503 with Retry-After
  (the JSON body in the API, the 503 page in the browser), never 500, and writes nothing.
- The project row is locked FOR NO KEY UPDATE, so inserts that point at it (the scoring worker's
  feed rows) never wait for a request that holds it.
"""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest
from django.db import connection, connections
from django.urls import reverse

from governance import services as governance_services
from governance.models import Gate, Vote
from lifecycle import hooks, locks
from lifecycle import services as lifecycle_services
from lifecycle.models import AuditEvent, ChangeRecord, Notification
from lifecycle.services import tasks as task_module
from phases import services as phases_services
from phases.models import ChecklistItem
from tests.helpers import deadlock_error

pytestmark = pytest.mark.django_db(transaction=True)


def _raw_connection():
    db = connection.settings_dict
    raw = psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])
    raw.autocommit = False
    return raw


@pytest.fixture
def sent():
    """Every task handed to the broker, by name (nothing reaches a real broker). A patch nested
    inside the suite's own patch of send_now (monkeypatch could restore that one's mock)."""
    from unittest import mock

    calls: list[tuple[str, tuple]] = []

    def send_now(task, args, kwargs, countdown=None):
        calls.append((task.name, tuple(args)))
        return True

    with mock.patch.object(task_module, "send_now", send_now):
        yield calls


class Deadlock:
    """Makes the first attempt of the next service call deadlock with another transaction.

    Inside the call (an in-transaction listener, after the call has locked its project), it asks
    for a row that the other transaction holds; the other transaction then asks for the project
    row. PostgreSQL finds the cycle and aborts the service call (the other side waits longer
    before it checks, so it is always the service call that is chosen)."""

    def __init__(self, project_id, hostage_user_id):
        self.project_id, self.hostage = project_id, hostage_user_id
        self.attempts = 0
        self.inside = threading.Event()  # the service call holds its project row
        self.other_done = threading.Event()
        self.other_error: BaseException | None = None

    def listener(self, changes):
        self.attempts += 1
        if self.attempts > 1:
            return
        self.inside.set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM lifecycle_user WHERE id = %s FOR UPDATE", [self.hostage])

    def other(self, holding: threading.Event):
        raw = _raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.execute("SET deadlock_timeout = '20s'")
                cursor.execute("SELECT 1 FROM lifecycle_user WHERE id = %s FOR UPDATE", [str(self.hostage)])
                holding.set()
                # Once the service call holds its project row, ask for it too: whichever of the two
                # waits first, the cycle is found on the service call's side (1 s against 20 s).
                assert self.inside.wait(20)
                time.sleep(0.1)
                cursor.execute("SELECT 1 FROM lifecycle_project WHERE id = %s FOR UPDATE", [str(self.project_id)])
            raw.commit()
        except BaseException as e:  # noqa: BLE001 - reported to the test
            self.other_error = e
        finally:
            raw.close()
            self.other_done.set()

    def __enter__(self):
        hooks.registry.in_transaction_listeners.append(self.listener)
        holding = threading.Event()
        self.thread = threading.Thread(target=self.other, args=(holding,), daemon=True)
        self.thread.start()
        assert holding.wait(5)
        return self

    def __exit__(self, *exc):
        hooks.registry.in_transaction_listeners.remove(self.listener)
        self.thread.join(30)


def _retries() -> int:
    return locks.stats.retries


def test_a_deadlocked_checklist_tick_runs_again_and_writes_once(project, alice, charlie, sent):
    item = ChecklistItem.objects.filter(phase__project=project, phase__key="scope").first()
    from django.db.models import Max

    audit_before = AuditEvent.objects.aggregate(m=Max("seq"))["m"] or 0
    feed_before = ChangeRecord.objects.aggregate(m=Max("seq"))["m"] or 0  # sequences outlive a flush
    retries_before = _retries()
    Gate.objects.filter(project=project).update(rescore_queued_at=None)  # no rescore waiting from the project's creation
    sent.clear()

    with Deadlock(project.pk, charlie.pk) as deadlock:
        item = phases_services.checklist_item_set_done(item=item, actor=alice, done=True)

    assert deadlock.other_error is None
    assert deadlock.attempts == 2, "the first attempt was aborted by the deadlock, the second went through"
    assert _retries() == retries_before + 1
    assert ChecklistItem.objects.get(pk=item.pk).done
    events = AuditEvent.objects.filter(seq__gt=audit_before)
    assert list(events.values_list("action", flat=True)) == ["checklist_item.done"]
    assert list(ChangeRecord.objects.filter(seq__gt=feed_before).values_list("type", "object_id")) == [("checklist_item", item.pk)]
    # One rescore per stale gate was sent after the one commit, none for the aborted attempt.
    rescores = [args for name, args in sent if name.endswith("gate_rescore_task")]
    open_gates = Gate.objects.filter(project=project, stale=True).count()
    assert len(rescores) == open_gates and len(set(rescores)) == open_gates
    assert lifecycle_services.audit_chain_verify().ok


def test_a_deadlocked_vote_runs_again_and_notifies_once(project, alice, ava, charlie, sent):
    gate = Gate.objects.get(project=project, phase__key="scope")
    review = governance_services.review_request(gate=gate, actor=alice, justification="Deadline")
    notified_before = Notification.objects.filter(kind="vote_cast").count()
    sent.clear()

    with Deadlock(project.pk, charlie.pk) as deadlock:
        governance_services.vote_cast(review=review, actor=ava, decision="recycle", comment="Needs the DPIA first")

    assert deadlock.other_error is None and deadlock.attempts == 2
    assert Vote.objects.filter(review=review).count() == 1
    assert AuditEvent.objects.filter(action="review.voted").count() == 1
    vote_notices = Notification.objects.filter(kind="vote_cast")
    assert vote_notices.count() == notified_before + 1
    emails = [args for name, args in sent if name.endswith("notification_email_task")]
    expected = Notification.objects.filter(email_wanted=True, created_at__gte=vote_notices.latest("created_at").created_at)
    assert sorted(a[0] for a in emails) == sorted(str(pk) for pk in expected.values_list("pk", flat=True))
    assert len(emails) == len(set(emails))


@pytest.fixture
def held_project(project):
    """Another transaction holds the project row for the whole test, as a stuck writer would."""
    raw = _raw_connection()
    with raw.cursor() as cursor:
        cursor.execute("SELECT 1 FROM lifecycle_project WHERE id = %s FOR UPDATE", [str(project.pk)])
    # Short lock waits so that the attempts run out quickly.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '50ms'")
    yield project
    raw.rollback()
    raw.close()
    connections.close_all()


def test_an_api_write_that_never_gets_its_lock_answers_503_and_writes_nothing(held_project, api_for, alice, monkeypatch):
    monkeypatch.setattr(locks, "BACKOFF_BASE_SECONDS", 0.001)
    item = ChecklistItem.objects.filter(phase__project=held_project, phase__key="scope").first()
    client = api_for(alice)
    etag = client.get(f"/api/v1/checklist-items/{item.pk}/")["ETag"]
    audit_before, exhausted = AuditEvent.objects.count(), locks.stats.exhausted

    response = client.patch(f"/api/v1/checklist-items/{item.pk}/", {"done": True}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"message": "The service is temporarily unavailable. Try again shortly.", "code": "unavailable"}
    assert locks.stats.exhausted == exhausted + 1
    assert not ChecklistItem.objects.get(pk=item.pk).done
    assert AuditEvent.objects.count() == audit_before


def test_a_form_post_that_never_gets_its_lock_shows_the_503_page(held_project, client_for, alice, monkeypatch):
    monkeypatch.setattr(locks, "BACKOFF_BASE_SECONDS", 0.001)
    item = ChecklistItem.objects.filter(phase__project=held_project, phase__key="scope").first()

    response = client_for(alice).post(reverse("phases:checklist-item-toggle", args=[item.pk]), {"done": "true"})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Temporarily unavailable" in response.content
    assert not ChecklistItem.objects.get(pk=item.pk).done


def test_a_request_holding_the_project_row_does_not_block_inserts_that_point_at_it(project, alice):
    """FOR NO KEY UPDATE (not FOR UPDATE) on the project: the foreign-key check of an insert
    that references it (FOR KEY SHARE) goes through at once."""
    from django.db import transaction

    with transaction.atomic():
        locks.lock_project(project.pk)
        raw = _raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.execute("SET lock_timeout = '500ms'")
                cursor.execute("SELECT 1 FROM lifecycle_project WHERE id = %s FOR KEY SHARE", [str(project.pk)])
            raw.rollback()
        finally:
            raw.close()


def test_only_transient_errors_are_retried():
    from django.db import IntegrityError, OperationalError

    calls = []

    def conflict():
        calls.append(1)
        raise deadlock_error()

    with pytest.raises(OperationalError):
        locks.run(conflict)
    assert len(calls) == locks.MAX_ATTEMPTS

    calls.clear()

    def broken():
        calls.append(1)
        raise IntegrityError("duplicate key")

    with pytest.raises(IntegrityError):
        locks.run(broken)
    assert len(calls) == 1
