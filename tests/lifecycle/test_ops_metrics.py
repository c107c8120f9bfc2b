"""/metrics: who may scrape it, request latency by route name, queue depth from the broker, and
requests that keep working when the metrics store is down."""

from __future__ import annotations

import uuid

import pytest
import redis
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from lifecycle import tasks
from lifecycle.infrastructure import metrics
from tests.helpers import deadlock_error
from tests.processes import free_port

pytestmark = pytest.mark.django_db

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", **LOOPBACK)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.mark.parametrize("address", ["203.0.113.9", "10.0.0.5", "::ffff:10.0.0.5", "not-an-address"])
def test_it_refuses_addresses_outside_the_allow_list(client, address):
    response = client.get("/metrics", REMOTE_ADDR=address)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert b"lifecycle_" not in response.content


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_it_serves_loopback_by_default(client, address):
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == 200


def test_it_serves_a_configured_network_only(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]

    assert client.get("/metrics", REMOTE_ADDR="10.2.3.4").status_code == 200
    # The list replaces the default: loopback is no longer allowed.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_it_serves_the_metrics_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "scrape-secret-123"
    outside = {"REMOTE_ADDR": "203.0.113.9"}

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret-123", **outside).status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret-12", **outside).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Token scrape-secret-123", **outside).status_code == 403


def test_it_times_requests_by_route_name_not_by_path(client):
    first, second = uuid.uuid4(), uuid.uuid4()
    client.get(f"/projects/{first}/")
    client.get(f"/projects/{second}/")
    client.get("/no/such/page/")

    samples = scrape(client)

    # Two projects, one series: the URL name bounds the label values, whatever the ids.
    detail = (("method", "GET"), ("route", "lifecycle:project-detail"), ("status", "302"))
    assert samples[("lifecycle_http_request_duration_seconds_count", detail)] == 2
    assert samples[("lifecycle_http_request_duration_seconds_bucket", (("le", "+Inf"), *detail))] == 2
    assert samples[("lifecycle_http_request_duration_seconds_sum", detail)] > 0
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
    assert samples[("lifecycle_http_request_duration_seconds_count", unmatched)] == 1
    assert not any(str(first) in str(key) for key in samples)


def test_it_reports_the_depth_of_each_celery_queue(client, settings):
    queue = f"ops-depth-{uuid.uuid4().hex[:8]}"
    # A route of a task that does not exist: it declares the queue without rerouting real tasks
    # (Celery keeps its router, so a route set here would outlive the test: the real routes, to
    # the heavy queue, stay in it).
    settings.CELERY_TASK_ROUTES = {**settings.CELERY_TASK_ROUTES, "tests.no_such_task": {"queue": queue}}
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        tasks.echo_task.apply_async(args=["a"], queue=queue)
        tasks.echo_task.apply_async(args=["b"], queue=queue)
        # Prioritised messages wait in a list of their own: they count too.
        tasks.echo_task.apply_async(args=["c"], queue=queue, priority=9)

        samples = scrape(client)
    finally:
        broker.delete(queue, *(queue + suffix for suffix in ("\x06\x163", "\x06\x166", "\x06\x169")))

    assert samples[("lifecycle_celery_queue_length", (("queue", queue),))] == 3
    assert ("lifecycle_celery_queue_length", (("queue", settings.CELERY_TASK_DEFAULT_QUEUE),)) in samples
    assert samples[("lifecycle_metrics_source_up", (("source", "broker"),))] == 1


def test_requests_keep_working_when_the_metrics_store_is_down(client, settings):
    settings.METRICS_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    assert client.get("/healthz").status_code == 200
    samples = scrape(client)

    # The scrape says the store could not be read instead of failing.
    assert samples[("lifecycle_metrics_source_up", (("source", "store"),))] == 0
    assert not any(name.startswith("lifecycle_http_request") for name, _ in samples)


def test_it_records_task_counts_and_durations():
    metrics.observe_task(task="lifecycle.tasks.echo_task", state="SUCCESS", seconds=0.2)
    metrics.observe_task(task="lifecycle.tasks.echo_task", state="FAILURE", seconds=7.0)

    raw = metrics.store().read(metrics.TASK_COUNT_KEY)

    assert raw == {'["lifecycle.tasks.echo_task", "success"]': 1.0, '["lifecycle.tasks.echo_task", "failure"]': 1.0}
    # Per-bucket counts are stored; the scrape makes them cumulative.
    family = metrics._histogram("t", "t", ["task"], metrics.store().read(metrics.TASK_DURATION_KEY), metrics.TASK_BUCKETS)
    buckets = {s.labels["le"]: s.value for s in family.samples if s.name == "t_bucket"}
    assert (buckets["0.1"], buckets["0.25"], buckets["5.0"], buckets["10.0"], buckets["+Inf"]) == (0, 1, 1, 2, 2)
    assert settings.CELERY_TASK_DEFAULT_QUEUE in metrics.celery_queue_names()


@pytest.mark.django_db(transaction=True)  # only the outermost transaction retries
def test_it_counts_service_calls_retried_after_a_transient_conflict(client):
    from lifecycle import locks

    calls = []

    def deadlocked_once():
        calls.append(1)
        if len(calls) == 1:
            raise deadlock_error()
        return "done"

    before = scrape(client).get(("lifecycle_db_retries_total", (("sqlstate", "40P01"),)), 0)
    assert locks.run(deadlocked_once) == "done"
    assert scrape(client)[("lifecycle_db_retries_total", (("sqlstate", "40P01"),))] == before + 1
