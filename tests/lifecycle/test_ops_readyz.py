"""/healthz and /readyz: each dependency is taken away for real (a closed port, an old
heartbeat) and the probe names exactly that part."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connections
from django.utils import timezone

from lifecycle.services.housekeeping import HEARTBEAT_KEY, worker_heartbeat
from tests.processes import free_port

pytestmark = pytest.mark.django_db


def _closed_redis_url() -> str:
    # A port nothing listens on: connections are refused at once.
    return f"redis://127.0.0.1:{free_port()}/0"


def test_it_is_ready_when_every_part_answers(client):
    worker_heartbeat(worker="w1@test")

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "broker", "worker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["worker"]["worker"] == "w1@test"
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_names_the_cache_when_redis_is_down(client, settings):
    worker_heartbeat()
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": _closed_redis_url()}}

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    # The heartbeat is kept in the cache, so it cannot be read either; the message says why.
    assert body["failing"] == ["cache", "worker"]
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["worker"]["error"] == "cannot read the heartbeat: the cache is down"
    assert response["Retry-After"] == "5"


def test_it_names_the_broker_when_it_is_down(client, settings):
    worker_heartbeat()
    settings.CELERY_BROKER_URL = _closed_redis_url()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    # No retries: a dead broker does not hold the probe.
    assert response.json()["checks"]["broker"]["ms"] < 1000


def test_it_names_the_worker_when_its_heartbeat_is_old(client, settings):
    worker_heartbeat(at=timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE + 5))

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["worker"]
    assert body["checks"]["worker"]["error"].startswith(f"last worker heartbeat {settings.WORKER_HEARTBEAT_MAX_AGE + 5}s ago")


def test_it_names_the_worker_when_no_worker_ever_reported(client):
    cache.delete(HEARTBEAT_KEY)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"]["error"] == "no worker heartbeat recorded"


def test_it_skips_broker_and_worker_when_tasks_run_in_process(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.delete(HEARTBEAT_KEY)

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["worker"]["skipped"] == "tasks run in the web process"


def test_it_names_the_database_when_postgresql_is_down_and_stays_alive(client):
    worker_heartbeat()
    # A second connection to a port nothing listens on stands in for "default" during the
    # requests; the test's own connection (and its transaction) is put back afterwards.
    real = connections["default"]
    down = real.__class__({**real.settings_dict, "PORT": str(free_port())}, alias="default")
    connections["default"] = down
    try:
        ready = client.get("/readyz")
        alive = client.get("/healthz")
    finally:
        connections["default"] = real
        down.close()

    assert ready.status_code == 503
    assert ready.json()["failing"] == ["database"]
    assert ready.json()["checks"]["database"]["error"] == "OperationalError"
    # Liveness depends on nothing: a database outage must not get the web process restarted.
    assert alive.status_code == 200
    assert alive.json() == {"status": "ok"}


def test_readiness_and_liveness_refuse_other_methods(client):
    assert client.post("/readyz").status_code == 405
    assert client.post("/healthz").status_code == 405
