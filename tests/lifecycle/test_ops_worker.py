"""With a real worker process: its heartbeat makes /readyz pass, its task log lines carry the
request id of the request that queued the task, and the tasks it runs show in /metrics."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from lifecycle import tasks
from lifecycle.infrastructure.logging import current_request_id
from phases import services as phases_services
from tests.workers import ROOT, WorkerProcess, purge_queue, wait_for, worker_env

# Only the test whose task reads rows needs them committed (and the slower flush afterwards).
pytestmark = [pytest.mark.worker, pytest.mark.django_db]


@pytest.fixture(scope="module")
def ops_worker(django_db_setup, django_db_blocker):
    """A worker that beats every second."""
    with django_db_blocker.unblock():
        purge_queue()
        worker = WorkerProcess(name="ops", env=worker_env(WORKER_HEARTBEAT_SECONDS="1", WORKER_HEARTBEAT_MAX_AGE="5"))
    yield worker
    worker.stop()


def worker_log_lines() -> list[str]:
    """The log lines of every worker on this test process's queue (the session worker of other
    tests may be consuming it too)."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    paths = Path(ROOT / "test-artifacts").glob(f"worker-{queue}-*.log")
    return [line for path in paths for line in path.read_text(errors="replace").splitlines()]


def task_line(task: str, marker: str) -> str | None:
    return next((line for line in worker_log_lines() if f"{task}[" in line and marker in line), None)


def test_it_becomes_ready_from_the_worker_heartbeat(ops_worker, client):
    # The cache was emptied for this test: only the worker's own beat can make this pass.
    response = wait_for(lambda: (r := client.get("/readyz")).status_code == 200 and r, timeout=10, message="readiness")

    assert response.json()["checks"]["worker"]["worker"].startswith("ops-")
    assert response.json()["checks"]["worker"]["age_seconds"] < 5


@pytest.mark.django_db(transaction=True)
def test_task_log_lines_carry_the_request_id_of_the_request_that_queued_them(ops_worker, api_for, project, bob):
    from sample_data.artifacts import SAMPLES

    title, data = SAMPLES["scope_document"]
    artifact = phases_services.artifact_create(project=project, actor=bob, type="scope_document", title=title, data=data)
    request_id = f"ops-{uuid.uuid4().hex}"

    # Submitting asks ava (the approver) for a review, which queues her notification e-mail.
    response = api_for(bob).post(f"/api/v1/artifacts/{artifact.pk}/submit/", HTTP_X_REQUEST_ID=request_id)
    assert response.status_code == 200

    # (The project's set-up queued e-mails too, outside any request: look for this one's line.)
    line = wait_for(lambda: task_line("notification_email_task", f"[{request_id}]"), message="the e-mail task with the request id")
    assert "succeeded" in line
    # A task queued outside any request runs without one: the id of the previous task does not
    # stick to the worker process.
    assert current_request_id() == ""
    marker = uuid.uuid4().hex
    tasks.echo_task.delay(marker)
    echo = wait_for(lambda: task_line("echo_task", f"'{marker}'"), message="the echo task")
    assert "[-]" in echo
    assert request_id not in echo


def test_tasks_run_by_workers_show_in_the_metrics_of_the_web_process(ops_worker, client):
    markers = [uuid.uuid4().hex for _ in range(2)]
    for marker in markers:
        tasks.echo_task.delay(marker)
    wait_for(lambda: all(task_line("echo_task", f"'{m}'") for m in markers), message="both echo tasks")

    def samples() -> dict:
        text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
        return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in text_string_to_metric_families(text) for s in f.samples}

    echo = "lifecycle.tasks.echo_task"
    found = wait_for(
        lambda: (s := samples()).get(("lifecycle_celery_tasks_total", (("state", "success"), ("task", echo)))) == 2 and s,
        timeout=10,
        message="the task count",
    )
    # Counted and timed in the worker's pool process, read back by this (web) process.
    assert found[("lifecycle_celery_task_duration_seconds_count", (("task", echo),))] == 2
    assert 0 < found[("lifecycle_celery_task_duration_seconds_sum", (("task", echo),))] < 5
    assert re.match(r"^\d+(\.\d+)?$", str(found[("lifecycle_worker_heartbeat_age_seconds", ())]))
