"""With Redis down, the site keeps serving and accepting writes, gates show stale and no request
hangs; when Redis returns, the beat sweep has every stale gate rescored. Real processes: a
private Redis, gunicorn, a worker and beat."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from django.urls import reverse

from governance.models import Gate
from lifecycle import services as lifecycle_services
from phases.models import ChecklistItem
from tests.conftest import PASSWORD
from tests.processes import Browser, PrivateRedis, beat, elapsed, free_port, web, worker
from tests.workers import wait_for, worker_env

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _current(gate: Gate) -> bool:
    gate.refresh_from_db()
    return not gate.stale and gate.last_assessment_id is not None


def test_the_site_survives_a_redis_outage_and_catches_up(alice, tmp_path):
    redis = PrivateRedis()
    queue = f"outage-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        REDIS_URL=f"{redis.url}/0",
        CELERY_BROKER_URL=f"{redis.url}/0",
        TEST_CACHE_URL=f"{redis.url}/1",
        TEST_QUEUE=queue,
        GATE_SWEEP_SECONDS="2",
        GATE_RESCORE_DELAY_SECONDS="0",
    )
    port = free_port()
    processes = [
        web(env, port),
        worker(env, f"outage-worker-{queue}"),
        beat(env, f"outage-beat-{queue}", tmp_path / "beat-schedule"),
    ]
    try:
        # The project's first scores come from the private stack (the sweep), not this process.
        with mock.patch("governance.services.readiness._enqueue_coalesced"):
            project = lifecycle_services.project_create(actor=alice, name="Outage")
        gate = Gate.objects.get(project=project, phase__key="scope")
        wait_for(lambda: _current(gate), timeout=60, message="the first score")
        first = gate.last_assessment_id

        browser = Browser(f"http://127.0.0.1:{port}")
        browser.login("alice", PASSWORD)
        redis.stop()

        item = ChecklistItem.objects.filter(phase=gate.phase, required=True).first()
        seconds, (status, _) = elapsed(
            lambda: browser.request("POST", reverse("phases:checklist-item-toggle", args=[item.pk]), {"done": "true"})
        )
        # The write is accepted and the request does not hang on the broker.
        assert status == 302
        assert seconds < 5, seconds
        item.refresh_from_db()
        assert item.done
        gate.refresh_from_db()
        assert gate.stale
        status, page = browser.request("GET", gate.get_absolute_url())
        assert status == 200 and "Stale" in page
        status, _ = browser.request("GET", reverse("lifecycle:project-list"))
        assert status == 200

        redis.start()
        wait_for(lambda: _current(gate), timeout=90, message="the sweep to rescore the stale gate")
        assert gate.last_assessment_id != first
        required = next(c for c in gate.last_assessment.criteria if c["kind"] == "required_items")
        assert required["satisfaction"] > 0
    finally:
        for process in processes:
            process.stop()
        redis.stop()
