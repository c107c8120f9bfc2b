"""The change record: one audit event and one feed row per change, written in the caller's
transaction, with listeners inside the transaction and after commit."""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction

from lifecycle import hooks, services
from lifecycle.models import AuditEvent, ChangeRecord
from lifecycle.services.records import GENESIS_HASH, Pending, event_hash


@pytest.fixture
def heard():
    calls: dict[str, list] = {"transaction": [], "commit": []}

    def in_transaction(changes):
        calls["transaction"].append([c.action for c in changes])

    def after_commit(changes):
        calls["commit"].append([(c.action, c.seq) for c in changes])

    hooks.registry.listen(in_transaction, when="transaction")
    hooks.registry.listen(after_commit, when="commit")
    yield calls
    hooks.registry.in_transaction_listeners.remove(in_transaction)
    hooks.registry.on_commit_listeners.remove(after_commit)


def test_it_writes_an_audit_event_and_a_change_row_per_call(alice, project):
    before_events, before_changes = AuditEvent.objects.count(), ChangeRecord.objects.count()

    services.project_update(project=project, actor=alice, name="Renamed assistant")

    event = AuditEvent.objects.order_by("-seq").first()
    change = ChangeRecord.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before_events + 1
    assert ChangeRecord.objects.count() == before_changes + 1
    assert (event.action, event.actor_id, event.object_id, event.project_id) == (
        "project.updated",
        alice.pk,
        project.pk,
        project.pk,
    )
    assert event.before["name"] == "Support assistant"
    assert event.after["name"] == "Renamed assistant"
    assert (change.type, change.object_id, change.project_id, change.op) == ("project", project.pk, project.pk, "upsert")


def test_it_writes_nothing_when_the_transaction_rolls_back(alice, project):
    before_events, before_changes = AuditEvent.objects.count(), ChangeRecord.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.project_update(project=project, actor=alice, name="Never saved")
        raise RuntimeError("the caller fails after the service returned")

    assert AuditEvent.objects.count() == before_events
    assert ChangeRecord.objects.count() == before_changes


def test_it_forgets_records_of_a_nested_service_that_failed(alice, project):
    before = AuditEvent.objects.count()

    with services.atomic():
        services.change_record(actor=alice, action="test.kept", obj=project)
        with pytest.raises(RuntimeError), services.atomic():
            services.change_record(actor=alice, action="test.rolled_back", obj=project)
            raise RuntimeError

    actions = list(AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True))
    assert actions == ["test.kept"]


def test_it_calls_listeners_in_the_transaction_and_after_commit(alice, project, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.project_update(project=project, actor=alice, name="Heard")
        # In-transaction listeners have heard it; after-commit listeners must wait for the commit.
        assert heard["transaction"] == [["project.updated"]]
        assert heard["commit"] == []

    for callback in callbacks:
        callback()
    seq = ChangeRecord.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert heard["commit"] == [[("project.updated", seq)]]


def test_it_calls_no_after_commit_listener_when_rolled_back(alice, project, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.project_update(project=project, actor=alice, name="Rolled back")
        raise RuntimeError
    assert heard["commit"] == []


def test_it_lets_in_transaction_listeners_record_more(alice, project):
    def follow_up(changes):
        for change in changes:
            if change.action == "project.updated":
                services.change_record(actor=None, action="test.follow_up", obj=project)

    hooks.registry.listen(follow_up, when="transaction")
    try:
        before = AuditEvent.objects.count()
        services.project_update(project=project, actor=alice, name="With follow-up")
    finally:
        hooks.registry.in_transaction_listeners.remove(follow_up)

    actions = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True))
    assert actions == ["project.updated", "test.follow_up"]


def test_it_chains_every_event_to_the_one_before(alice, project):
    events = list(AuditEvent.objects.order_by("seq"))
    assert events[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(events):
        assert event.seq == previous.seq + 1
        assert event.prev_hash == previous.hash
        assert event.hash == event_hash(event)
    assert services.audit_chain_verify().ok


def test_it_writes_bulk_records_in_order_and_in_the_chain(alice, project):
    start = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    entries = [
        Pending(
            action=f"test.bulk.{i}",
            type="project",
            object_id=project.pk,
            object_label="",
            project_id=project.pk,
            before=None,
            after={"i": i},
            op="upsert",
            actor_id=alice.pk,
            actor_name="alice",
            request_id="",
        )
        for i in range(7)
    ]

    written = services.change_record_bulk(entries, batch_size=3)

    assert written == 7
    actions = list(AuditEvent.objects.filter(seq__gt=start).order_by("seq").values_list("action", flat=True))
    assert actions == [f"test.bulk.{i}" for i in range(7)]
    feed = list(ChangeRecord.objects.filter(action__startswith="test.bulk").order_by("seq").values_list("action", flat=True))
    assert feed == actions
    assert services.audit_chain_verify().ok


def test_it_keeps_audit_only_events_out_of_the_feed(alice):
    before = ChangeRecord.objects.count()
    services.token_create(user=alice, name="cli")
    assert AuditEvent.objects.filter(action="token.created").count() == 1
    assert ChangeRecord.objects.count() == before


def test_it_stores_the_request_id_of_the_request_that_made_the_change(client_for, alice, project):
    client_for(alice).post(
        f"/projects/{project.pk}/edit/",
        {"name": "Via the web", "tags": "support"},
        HTTP_X_REQUEST_ID="req-123",
    )
    event = AuditEvent.objects.filter(action="project.updated").latest("seq")
    assert event.request_id == "req-123"
