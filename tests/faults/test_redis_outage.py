"""Redis stopped under a running site: API clients keep reading and writing (tokens, throttled
writes, idempotent creates) and people keep signing in, although the cache and the broker are
gone; the webhook a write owes and the rescore it needs are delivered by the beat sweeps once
Redis is back. Real processes: a private Redis, gunicorn, a worker and beat.

tests/governance/test_readiness_outage.py covers the pages and a checklist tick in the UI."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import F

from governance import services as governance_services
from governance.models import Gate, WebhookDelivery
from lifecycle import services as lifecycle_services
from lifecycle.models import Project
from phases.models import ChecklistItem
from tests.conftest import PASSWORD
from tests.processes import Browser, PrivateRedis, beat, elapsed, free_port, web, worker
from tests.receiver import Receiver
from tests.workers import wait_for, worker_env

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# No request may wait on the missing Redis for long (connection timeouts are 1-2 s).
FAST = 5


class Api:
    def __init__(self, base: str, token: str = ""):
        self.base, self.token = base, token

    def __call__(self, method: str, path: str, data: dict | None = None, **headers: str) -> tuple[int, dict, dict]:
        request = urllib.request.Request(self.base + path, method=method, data=json.dumps(data).encode() if data is not None else None)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), json.loads(e.read() or b"{}")


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


def _fast(call):
    seconds, result = elapsed(call)
    assert seconds < FAST, f"{seconds:.1f}s"
    return result


def test_the_api_keeps_writing_without_redis_and_webhooks_and_scores_catch_up(alice, receiver, settings, tmp_path):
    settings.WEBHOOK_ALLOWED_TARGETS = [receiver.address]
    # Tasks of this process would go to the shared Redis; the private stack does all the work
    # (its sweep gives the project its first scores).
    with mock.patch("governance.services.readiness._enqueue_coalesced"), mock.patch("lifecycle.services.tasks.send_now"):
        project = lifecycle_services.project_create(actor=alice, name="Redis outage")
        endpoint = governance_services.webhook_create(actor=alice, project=project, url=receiver.url, events=["project.updated"])
    gate = Gate.objects.get(project=project, phase__key="scope")
    item = ChecklistItem.objects.filter(phase=gate.phase, required=True).first()

    redis = PrivateRedis()
    queue = f"redis-outage-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        REDIS_URL=f"{redis.url}/0",
        CELERY_BROKER_URL=f"{redis.url}/0",
        TEST_CACHE_URL=f"{redis.url}/1",
        TEST_QUEUE=queue,
        TEST_WEBHOOK_TARGETS=receiver.address,
        GATE_SWEEP_SECONDS="1",
        WEBHOOK_SWEEP_SECONDS="1",
        GATE_RESCORE_DELAY_SECONDS="0",
    )
    port = free_port()
    processes = []
    try:
        processes.append(web(env, port))
        processes.append(worker(env, f"redis-outage-worker-{queue}"))
        processes.append(beat(env, f"redis-outage-beat-{queue}", tmp_path / "beat"))
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _scored(gate, after=None), timeout=60, message="the first score")
        first = gate.last_assessment_id
        redis.stop()

        # Signing in (the brute-force guard counts in the cache) and a new token (throttled).
        _fast(lambda: Browser(base).login("alice", PASSWORD))
        status, _, body = _fast(lambda: Api(base)("POST", "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}))
        assert status == 200, body
        api = Api(base, body["token"])

        # Throttled, conditional writes.
        url = f"/api/v1/projects/{project.pk}/"
        status, headers, _ = _fast(lambda: api("GET", url))
        assert status == 200
        status, _, body = _fast(lambda: api("PATCH", url, {"description": "Written while Redis was down"}, If_Match=headers["ETag"]))
        assert status == 200, body
        url = f"/api/v1/checklist-items/{item.pk}/"
        status, headers, _ = _fast(lambda: api("GET", url))
        status, _, body = _fast(lambda: api("PATCH", url, {"done": True}, If_Match=headers["ETag"]))
        assert status == 200, body

        # An idempotent create, retried: one project.
        key = uuid.uuid4().hex
        created = [
            _fast(lambda: api("POST", "/api/v1/projects/", {"name": "Created without Redis"}, Idempotency_Key=key)) for _ in range(2)
        ]
        assert [c[0] for c in created] == [201, 201] and created[0][2]["id"] == created[1][2]["id"]
        assert Project.objects.filter(name="Created without Redis").count() == 1

        # The work the writes owe waits in the database: a pending delivery and a stale gate.
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.status == "pending"
        assert Gate.objects.get(pk=gate.pk).stale
        # The webhook sweep picks deliveries overdue by a minute; age this one instead of waiting.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=F("next_attempt_at") - timedelta(seconds=61))

        redis.start()
        delivery = wait_for(
            lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status="succeeded").first(), timeout=60, message="the delivery"
        )
        wait_for(lambda: _scored(gate, after=first), timeout=60, message="the stale gate to be rescored")
    finally:
        for process in processes:
            process.stop()
        redis.stop()

    assert delivery.attempts == 1
    (received,) = receiver.received
    assert received.signed_with(endpoint.secret)
    payload = json.loads(received.body)
    assert payload["event"] == "project.updated" and payload["previous"] == {"description": ""}
    required = next(c for c in Gate.objects.get(pk=gate.pk).last_assessment.criteria if c["kind"] == "required_items")
    assert required["satisfaction"] > 0


def _scored(gate: Gate, after) -> bool:
    gate.refresh_from_db()
    return not gate.stale and gate.last_assessment_id not in (None, after)
