"""Prometheus metrics: request latency, Celery task counts and durations, queue depth.

Web requests are served by several gunicorn processes and tasks run in the pool processes of
workers that live in other containers, so no single process holds the numbers. Every process adds
its observations to a few Redis hashes (one pipelined round trip per request or task) and
/metrics reads them back, whichever process answers the scrape: the totals are the same from
every web process and include the workers'. This is why we do not use prometheus_client's
multiprocess mode, which adds up files in one directory and so sees only the processes of one
host or container. Without Redis (TASKS_IN_PROCESS) the numbers stay in the memory of the one
process that serves and runs everything.

Histograms are stored as per-bucket counts plus a sum, and made cumulative when scraped. Labels
are bounded: routes are URL names (never raw paths), methods outside the HTTP set are "other".
"""

from __future__ import annotations

import bisect
import hmac
import ipaddress
import json
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any, Protocol, cast

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
HTTP_KEY = "lc:metrics:http"
TASK_DURATION_KEY = "lc:metrics:task-duration"
TASK_COUNT_KEY = "lc:metrics:task-count"
DB_RETRY_KEY = "lc:metrics:db-retry"
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# After Redis fails, observations are dropped for this long rather than make every request
# wait for a connection timeout.
_RETRY_AFTER_SECONDS = 10.0
# kombu's Redis transport keeps priorities 3, 6 and 9 of a queue in lists named queue + "\x06\x16" + n.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")
_UNACKED_KEY = "unacked"

Update = tuple[str, str, float]  # (hash, field, amount to add)


class _Store(Protocol):
    def add(self, updates: list[Update]) -> None: ...
    def read(self, key: str) -> dict[str, float]: ...


class _LocalStore:
    """This process only: for TASKS_IN_PROCESS, where one process serves and runs everything."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def add(self, updates: list[Update]) -> None:
        with self._lock:
            for key, field, amount in updates:
                self._data[key][field] += amount

    def read(self, key: str) -> dict[str, float]:
        with self._lock:
            return dict(self._data.get(key, {}))

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class _RedisStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self._client: redis.Redis | None = None
        self._pid = 0
        self._down_until = 0.0

    def client(self) -> redis.Redis:
        # Pool processes fork from the worker's main process: never share its sockets.
        if self._client is None or self._pid != os.getpid():
            self._client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
            self._pid = os.getpid()
        return self._client

    def add(self, updates: list[Update]) -> None:
        if time.monotonic() < self._down_until:
            return
        try:
            pipe = self.client().pipeline(transaction=False)
            for key, field, amount in updates:
                pipe.hincrbyfloat(key, field, amount)
            pipe.execute()
        except RedisError as e:
            self._down_until = time.monotonic() + _RETRY_AFTER_SECONDS
            logger.warning("metrics not recorded: %s", e.__class__.__name__)

    def read(self, key: str) -> dict[str, float]:
        # decode_responses is off, so Redis hands back bytes.
        fields = cast("dict[bytes, bytes]", self.client().hgetall(key))
        return {k.decode(): float(v) for k, v in fields.items()}


@cache
def _store_for(url: str | None) -> _Store:
    return _RedisStore(url) if url else _LocalStore()


def store() -> _Store:
    url = settings.METRICS_REDIS_URL
    if not url:
        cache_config = settings.CACHES["default"]
        if "redis" in cache_config["BACKEND"].lower():
            location = cache_config["LOCATION"]
            url = location if isinstance(location, str) else location[0]
    return _store_for(url or None)


def _histogram_updates(key: str, labels: list[str], seconds: float, buckets: tuple[float, ...]) -> list[Update]:
    index = bisect.bisect_left(buckets, seconds)
    le = str(buckets[index]) if index < len(buckets) else "+Inf"
    return [(key, json.dumps([*labels, le]), 1.0), (key, json.dumps([*labels, "sum"]), seconds)]


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in _METHODS else "other"
    store().add(_histogram_updates(HTTP_KEY, [route, method, str(status)], seconds, HTTP_BUCKETS))


def observe_task(*, task: str, state: str, seconds: float | None) -> None:
    updates = [(TASK_COUNT_KEY, json.dumps([task, state.lower()]), 1.0)]
    if seconds is not None:
        updates += _histogram_updates(TASK_DURATION_KEY, [task], seconds, TASK_BUCKETS)
    store().add(updates)


def db_retry(sqlstate: str) -> None:
    """A service call run again after a transient conflict (lifecycle.locks), by SQLSTATE."""
    store().add([(DB_RETRY_KEY, json.dumps([sqlstate or "unknown"]), 1.0)])


def route_of(request: HttpRequest) -> str:
    """The URL name (namespaced), so /projects/<uuid>/ is one series, not one per project."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "unmatched"


class MetricsMiddleware:
    """Times every request, from the outermost middleware in, by route name, method and status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        try:
            observe_request(
                route=route_of(request), method=request.method or "", status=response.status_code, seconds=time.perf_counter() - started
            )
        except Exception:  # metrics never fail a request
            logger.exception("recording request metrics failed")
        return response


# Scraping


def client_allowed(request: HttpRequest) -> bool:
    """A bearer METRICS_TOKEN from anywhere, or a client address in METRICS_ALLOWED_IPS."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(n, strict=False) for n in settings.METRICS_ALLOWED_IPS)


def render() -> tuple[bytes, str]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Collector:
    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("lifecycle_metrics_source_up", "Whether a source of these metrics could be read.", labels=["source"])
        try:
            yield from _stored_metrics(store())
            up.add_metric(["store"], 1)
        except RedisError:
            up.add_metric(["store"], 0)
        try:
            yield from _broker_metrics()
            up.add_metric(["broker"], 1)
        except RedisError:
            up.add_metric(["broker"], 0)
        yield _heartbeat_metric()
        yield up


def _stored_metrics(source: _Store) -> Iterator[Metric]:
    # Read everything first, so a failure yields nothing rather than half the families.
    http, durations, counts = source.read(HTTP_KEY), source.read(TASK_DURATION_KEY), source.read(TASK_COUNT_KEY)
    retries = source.read(DB_RETRY_KEY)
    yield _histogram(
        "lifecycle_http_request_duration_seconds",
        "Time to answer a request, by URL name, method and status.",
        ["route", "method", "status"],
        http,
        HTTP_BUCKETS,
    )
    tasks = CounterMetricFamily("lifecycle_celery_tasks", "Celery tasks run, by task and final state.", labels=["task", "state"])
    for field, value in sorted(counts.items()):
        tasks.add_metric(json.loads(field), value)
    yield tasks
    yield _histogram("lifecycle_celery_task_duration_seconds", "Time a task ran in a worker.", ["task"], durations, TASK_BUCKETS)
    db_retries = CounterMetricFamily(
        "lifecycle_db_retries", "Service calls run again after a deadlock, serialization failure or lock timeout.", labels=["sqlstate"]
    )
    for field, value in sorted(retries.items()):
        db_retries.add_metric(json.loads(field), value)
    yield db_retries


def _histogram(name: str, doc: str, labels: list[str], raw: dict[str, float], buckets: tuple[float, ...]) -> Metric:
    series: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
    for field, value in raw.items():
        *label_values, le = json.loads(field)
        series[tuple(label_values)][le] = value
    family = HistogramMetricFamily(name, doc, labels=labels)
    for label_values, counts in sorted(series.items()):
        cumulative, running = [], 0.0
        for bound in [*map(str, buckets), "+Inf"]:
            running += counts.get(bound, 0.0)
            cumulative.append((bound, running))
        family.add_metric(list(label_values), cumulative, sum_value=counts.get("sum", 0.0))
    return family


def celery_queue_names() -> list[str]:
    names = {settings.CELERY_TASK_DEFAULT_QUEUE}
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    if isinstance(routes, dict):
        names |= {r["queue"] for r in routes.values() if isinstance(r, dict) and r.get("queue")}
    return sorted(names)


@cache
def _broker_client(url: str, pid: int) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def queue_lengths() -> dict[str, int] | None:
    """Messages waiting in each Celery queue (LLEN on the broker), or None without a Redis broker."""
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    names = celery_queue_names()
    pipe = _broker_client(url, os.getpid()).pipeline(transaction=False)
    for name in names:
        for suffix in _PRIORITY_SUFFIXES:
            pipe.llen(name + suffix)
    pipe.hlen(_UNACKED_KEY)
    results = pipe.execute()
    lengths = {name: sum(results[i * 4 : i * 4 + 4]) for i, name in enumerate(names)}
    lengths[_UNACKED_KEY] = results[-1]
    return lengths


def _broker_metrics() -> Iterable[Metric]:
    lengths = queue_lengths()
    if lengths is None:
        return []
    unacked = lengths.pop(_UNACKED_KEY)
    depth = GaugeMetricFamily("lifecycle_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"])
    for name, length in lengths.items():
        depth.add_metric([name], length)
    taken = GaugeMetricFamily(
        "lifecycle_celery_unacked_tasks", "Tasks taken by workers and not yet acknowledged (all queues).", value=unacked
    )
    return [depth, taken]


def _heartbeat_metric() -> Metric:
    from django.utils import timezone

    from lifecycle.services.housekeeping import worker_heartbeat_last

    last = worker_heartbeat_last()
    age = (timezone.now() - last["at"]).total_seconds() if last else float("nan")
    return GaugeMetricFamily("lifecycle_worker_heartbeat_age_seconds", "Seconds since a worker last reported (NaN: never).", value=age)


def clear_local() -> None:
    """Forget in-memory observations (tests)."""
    local: Any = _store_for(None)
    local.clear()
