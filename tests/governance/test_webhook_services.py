"""Webhooks: which changes become which events for which endpoints, the signed delivery, retries
with exponential backoff, failing and disabling, resending and secret rotation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from governance import services
from governance.models import Gate, Signoff, WebhookDelivery, WebhookEndpoint
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.models import Notification

ALL = ["project.updated", "phase.changed", "gate.readiness_changed", "review.requested", "review.resolved", "signoff.decided",
       "incident.created"]  # fmt: skip


@pytest.fixture
def endpoint(alice, project, receiver):
    return services.webhook_create(actor=alice, project=project, url=receiver.url, events=ALL, description="Portfolio board")


def deliveries(endpoint, event=None):
    rows = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("created_at")
    return list(rows.filter(event=event) if event else rows)


def deliver_all(endpoint):
    return [services.webhook_deliver(delivery_id=d.pk) for d in deliveries(endpoint) if d.status == "pending"]


def test_a_project_edit_is_delivered_signed_with_the_documented_body(alice, project, endpoint, receiver):
    lifecycle_services.project_update(project=project, actor=alice, description="Now in French too")
    [delivery] = deliveries(endpoint, "project.updated")
    assert services.webhook_deliver(delivery_id=delivery.pk) == "delivered"

    [request] = receiver.received
    assert request.path == "/hooks/lifecycle"
    assert request.headers["X-Lifecycle-Event"] == "project.updated"
    assert request.headers["X-Lifecycle-Delivery"] == str(delivery.pk)
    assert request.headers["Content-Type"] == "application/json"
    assert request.signed_with(endpoint.secret)
    assert not request.signed_with("whsec_another")
    body = json.loads(request.body)
    assert set(body) == {"id", "event", "created_at", "data", "previous"}
    assert body["event"] == "project.updated" and body["id"] == str(delivery.event_id)
    assert body["data"]["id"] == str(project.pk) and body["data"]["description"] == "Now in French too"
    assert body["data"]["url"].endswith(f"/api/v1/projects/{project.pk}/")
    assert body["previous"] == {"description": "Answers customer questions."}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)


def test_endpoints_hear_only_their_events_and_projects(alice, adam, project, receiver):
    other = lifecycle_services.project_create(actor=alice, name="Other project")
    incidents_only = services.webhook_create(actor=alice, project=project, url=receiver.url, events=["incident.created"])
    elsewhere = services.webhook_create(actor=alice, project=other, url=receiver.url, events=ALL)
    everywhere = services.webhook_create(actor=adam, project=None, url=receiver.url, events=["project.updated"])
    off = services.webhook_create(actor=alice, project=project, url=receiver.url, events=ALL)
    services.webhook_update(endpoint=off, actor=alice, enabled=False)

    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")

    assert deliveries(incidents_only) == []
    assert deliveries(elsewhere) == []
    assert [d.event for d in deliveries(everywhere)] == ["project.updated"]
    assert deliveries(off) == []


def test_checklist_ticks_make_no_event_and_no_query_for_webhooks(bob, project, endpoint):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from phases import services as phases_services

    item = project.checklist_items.first()
    with CaptureQueriesContext(connection) as queries:
        phases_services.checklist_item_set_done(item=item, actor=bob, done=True)
    assert not [q for q in queries.captured_queries if "webhook" in q["sql"]]
    assert deliveries(endpoint) == []


def test_each_event_comes_from_its_change(alice, ava, bob, project, endpoint):
    from datetime import date

    gate = Gate.objects.get(project=project, phase__key="scope")
    review = services.review_request(gate=gate, actor=alice, justification="Early look")
    services.vote_cast(review=review, actor=ava, decision="go", comment="Fine")
    services.incident_create(project=project, actor=bob, title="Outage", occurred_on=date(2026, 1, 2), severity="low", description="Down")
    signoff = Signoff.objects.get(project=project, kind="data_privacy")
    services.signoff_decide(signoff=signoff, actor=ava, decision="rejected", comment="Budget unclear")

    events = [d.event for d in deliveries(endpoint)]
    assert {"review.requested", "review.resolved", "phase.changed", "incident.created", "signoff.decided"} <= set(events)
    phase_bodies = [json.loads(d.body) for d in deliveries(endpoint, "phase.changed")]
    assert {(b["data"]["phase"], b["data"]["status"]) for b in phase_bodies} == {
        ("scope", "in_review"),
        ("scope", "passed"),
        ("select", "in_progress"),
    }
    resolved = json.loads(deliveries(endpoint, "review.resolved")[0].body)
    assert resolved["data"]["id"] == str(review.pk) and resolved["data"]["outcome"] == "go"


def test_readiness_events_only_when_the_score_or_verdict_changes(alice, bob, project, endpoint):
    from governance.services import readiness
    from phases import services as phases_services

    gate = Gate.objects.get(project=project, phase__key="scope")
    readiness.gates_assess([gate.pk])
    assert len(deliveries(endpoint, "gate.readiness_changed")) == 1  # the first score
    readiness.gates_assess([gate.pk])
    assert len(deliveries(endpoint, "gate.readiness_changed")) == 1  # nothing changed
    for item in gate.phase.checklist_items.filter(required=False):  # optional items count towards the score
        phases_services.checklist_item_set_done(item=item, actor=bob, done=True)
    readiness.gates_assess([gate.pk])
    changed = deliveries(endpoint, "gate.readiness_changed")
    assert len(changed) == 2
    body = json.loads(changed[1].body)
    assert body["data"]["phase"] == "scope"
    assert float(body["data"]["score"]) > float(body["previous"]["score"])


def test_failures_are_retried_with_exponential_backoff_then_mark_the_endpoint_failing(alice, project, endpoint, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.default = 500
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    [delivery] = deliveries(endpoint)
    waits = []
    for attempt in range(1, 6):
        before = timezone.now()
        outcome = services.webhook_deliver(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if attempt < 5:
            assert outcome == "retrying" and delivery.status == "pending"
            waits.append(round((delivery.next_attempt_at - before).total_seconds()))
            # Not due yet: a duplicate message does nothing.
            assert services.webhook_deliver(delivery_id=delivery.pk) == "skipped"
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert waits == [30, 60, 120, 240]
    assert outcome == "failed" and delivery.status == "failed"
    assert [a.status_code for a in delivery.attempt_log.all()] == [500] * 5
    assert len(receiver.received) == 5
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.failed_deliveries) == ("failing", 1)


def test_a_success_after_failures_clears_the_failing_mark(alice, project, endpoint, receiver):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(status="failing", failed_deliveries=2)
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    deliver_all(endpoint)
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.failed_deliveries) == ("active", 0)


def test_repeated_failed_deliveries_disable_the_endpoint_and_tell_its_owners(alice, project, endpoint, receiver, settings):
    settings.WEBHOOK_DISABLE_AFTER = 2
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.default = 503
    for n in range(2):
        lifecycle_services.project_update(project=project, actor=alice, name=f"Renamed {n}")
        deliver_all(endpoint)
    endpoint.refresh_from_db()
    assert endpoint.status == "disabled"
    assert "2 deliveries in a row" in endpoint.disabled_reason
    note = Notification.objects.get(user=alice, kind="webhook_disabled")
    assert endpoint.url in note.title and note.url == endpoint.get_absolute_url()
    # Disabled: new events create no deliveries.
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed again")
    assert len(deliveries(endpoint)) == 2
    # Turned back on, it starts afresh.
    services.webhook_update(endpoint=endpoint, actor=alice, enabled=True)
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.failed_deliveries, endpoint.disabled_reason) == ("active", 0, "")


def test_a_pending_delivery_of_a_disabled_endpoint_is_dropped(alice, project, endpoint, receiver):
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    services.webhook_update(endpoint=endpoint, actor=alice, enabled=False)
    [delivery] = deliveries(endpoint)
    assert services.webhook_deliver(delivery_id=delivery.pk) == "disabled"
    assert receiver.received == []


def test_resending_makes_a_new_delivery_of_the_same_event(alice, project, endpoint, receiver):
    receiver.answers = [500]
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    [first] = deliveries(endpoint)
    assert services.webhook_deliver(delivery_id=first.pk) == "retrying"
    WebhookDelivery.objects.filter(pk=first.pk).update(status="failed")
    again = services.webhook_resend(delivery=first, actor=alice)
    assert again.pk != first.pk and again.event_id == first.event_id and again.body == first.body
    assert services.webhook_deliver(delivery_id=again.pk) == "delivered"
    assert receiver.received[-1].headers["X-Lifecycle-Delivery"] == str(again.pk)


def test_resending_to_a_disabled_endpoint_is_refused(alice, project, endpoint):
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    services.webhook_update(endpoint=endpoint, actor=alice, enabled=False)
    with pytest.raises(Conflict):
        services.webhook_resend(delivery=deliveries(endpoint)[0], actor=alice)


def test_a_rotated_secret_signs_from_then_on(alice, project, endpoint, receiver):
    old = endpoint.secret
    rotated = services.webhook_rotate_secret(endpoint=endpoint, actor=alice)
    assert rotated.secret != old and rotated.secret.startswith("whsec_")
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    deliver_all(endpoint)
    assert receiver.received[-1].signed_with(rotated.secret)
    assert not receiver.received[-1].signed_with(old)


def test_redirects_are_not_followed(alice, project, endpoint, receiver):
    receiver.default = 302
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    deliver_all(endpoint)
    delivery = deliveries(endpoint)[0]
    assert delivery.status == "pending" and "redirects are not followed" in delivery.last_error
    assert len(receiver.received) == 1


def test_a_slow_receiver_times_out(alice, project, endpoint, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.delay = 2
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    deliver_all(endpoint)
    assert deliveries(endpoint)[0].last_error == "Timed out"


def test_the_sweep_resends_only_overdue_unclaimed_deliveries(alice, project, endpoint):
    from unittest import mock

    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    [delivery] = deliveries(endpoint)
    assert services.webhooks_sweep() == 0  # just created: its message is on its way
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    with mock.patch("governance.services.webhooks._enqueue") as enqueue:
        assert services.webhooks_sweep() == 1
    enqueue.assert_called_once_with(delivery.pk)


@pytest.mark.parametrize("role", ["contributor", "approver", "viewer", "portfolio_viewer", "outsider"])
def test_only_owners_and_admins_manage_project_webhooks(personas, project, receiver, role):
    # Members without the owner role are refused (403); people who cannot see the project get 404.
    with pytest.raises(Http404 if role == "outsider" else PermissionDenied):
        services.webhook_create(actor=personas[role], project=project, url=receiver.url, events=ALL)
    assert not WebhookEndpoint.objects.exists()


def test_global_webhooks_are_for_administrators(alice, adam, receiver):
    with pytest.raises(PermissionDenied):
        services.webhook_create(actor=alice, project=None, url=receiver.url, events=ALL)
    assert services.webhook_create(actor=adam, project=None, url=receiver.url, events=ALL).is_global


@pytest.mark.parametrize(
    ("events", "message"), [([], "Choose at least one event."), (["project.exploded"], "Unknown event: project.exploded")]
)
def test_events_are_checked(alice, project, receiver, events, message):
    with pytest.raises(ApplicationError) as error:
        services.webhook_create(actor=alice, project=project, url=receiver.url, events=events)
    assert message in error.value.message
    assert "events" in error.value.fields
