"""Webhooks with real processes: a change made through the API is delivered by a Celery worker
after commit, signed, and retried with backoff through the broker until the receiver accepts."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from governance import services
from governance.models import WebhookDelivery
from tests.receiver import Receiver
from tests.workers import WorkerProcess, purge_queue, wait_for, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def webhook_worker(receiver, settings):
    """A worker on a queue of its own, allowed to reach only this test's receiver."""
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-webhooks"
    settings.WEBHOOK_ALLOWED_TARGETS = [receiver.address]

    def send_to_queue(task, args, kwargs, countdown=None):
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown, queue=queue)
        return True

    worker = WorkerProcess(
        name="webhooks",
        queue=queue,
        env=worker_env(TEST_QUEUE=queue, TEST_WEBHOOK_TARGETS=receiver.address, TEST_WEBHOOK_RETRY_BASE="0.3"),
    )
    with mock.patch("lifecycle.services.tasks.send_now", send_to_queue):
        yield worker
    worker.stop()
    purge_queue()


def test_an_api_change_is_delivered_by_a_worker_and_retried_until_accepted(webhook_worker, receiver, api_for, alice):
    from lifecycle import services as lifecycle_services

    project = lifecycle_services.project_create(actor=alice, name="Webhook target")
    endpoint = services.webhook_create(actor=alice, project=project, url=receiver.url, events=["project.updated"])
    receiver.answers = [500, 503]  # two failures, then 200

    client = api_for(alice)
    url = f"/api/v1/projects/{project.pk}/"
    response = client.patch(url, {"description": "Seen by the PMO"}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 200

    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(endpoint=endpoint, status="succeeded").first(), timeout=60, message="the delivery"
    )
    assert delivery.attempts == 3
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    assert len(receiver.received) == 3
    # Every attempt carries the same delivery id and body, signed with the endpoint's secret.
    assert {r.headers["X-Lifecycle-Delivery"] for r in receiver.received} == {str(delivery.pk)}
    assert all(r.signed_with(endpoint.secret) for r in receiver.received)
    body = json.loads(receiver.received[-1].body)
    assert body["event"] == "project.updated" and body["previous"] == {"description": ""}
    assert "webhook_deliver_task" in webhook_worker.log()
