"""Heavy work has its own queue and worker: tasks that build files go to CELERY_HEAVY_QUEUE, so a
flood of reports never delays readiness scoring, which a worker of the default queue runs even
while no heavy worker is there at all."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings

from governance import services as governance_services
from governance import tasks as governance_tasks
from governance.models import Gate
from lifecycle import services as lifecycle_services
from lifecycle import tasks as lifecycle_tasks
from lifecycle.celery import app
from lifecycle.models import Job
from tests.workers import WorkerProcess, heavy_queue, wait_for, worker_env

ROOT = Path(__file__).resolve().parents[2]
HEAVY = [governance_tasks.report_job_task, lifecycle_tasks.audit_verify_job_task, lifecycle_tasks.job_files_expire_task]
LIGHT = [
    governance_tasks.gate_rescore_task,
    governance_tasks.gates_rescore_batch_task,
    governance_tasks.gate_recompute_job_task,
    governance_tasks.webhook_deliver_task,
    lifecycle_tasks.notification_email_task,
    lifecycle_tasks.echo_task,
]


def _queue_of(task) -> str:
    # A fresh router from the settings: the app caches its own, and another test may have built
    # it while it overrode CELERY_TASK_ROUTES.
    app.amqp.flush_routes()
    return app.amqp.Router().route({}, task.name)["queue"].name


@pytest.mark.parametrize("task", HEAVY, ids=lambda t: t.name)
def test_tasks_that_build_files_go_to_the_heavy_queue(task):
    assert _queue_of(task) == settings.CELERY_HEAVY_QUEUE


@pytest.mark.parametrize("task", LIGHT, ids=lambda t: t.name)
def test_scoring_mail_and_webhooks_stay_on_the_default_queue(task):
    assert _queue_of(task) == settings.CELERY_TASK_DEFAULT_QUEUE


def test_each_test_process_has_its_own_heavy_queue():
    # Derived from the per-process default queue, as tests/workers.py derives it for its workers.
    assert settings.CELERY_HEAVY_QUEUE == heavy_queue(settings.CELERY_TASK_DEFAULT_QUEUE) != settings.CELERY_TASK_DEFAULT_QUEUE


def test_the_queue_names_come_from_the_environment():
    code = (
        "import lifecycle.settings.base as s; "
        "print(s.CELERY_TASK_DEFAULT_QUEUE, s.CELERY_HEAVY_QUEUE, set(r['queue'] for r in s.CELERY_TASK_ROUTES.values()))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_QUEUE", "CELERY_HEAVY_QUEUE")} | {"SECRET_KEY": "x" * 50}
    default = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    custom = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, "CELERY_HEAVY_QUEUE": "reports"}, capture_output=True, text=True, timeout=60
    )
    assert default.stdout.split() == ["default", "heavy", "{'heavy'}"], default.stderr
    assert custom.stdout.split() == ["default", "reports", "{'reports'}"], custom.stderr


def test_a_report_request_sends_its_task_to_the_heavy_queue(project, alice, django_capture_on_commit_callbacks):
    with mock.patch.object(app.amqp, "send_task_message") as sent, django_capture_on_commit_callbacks(execute=True):
        job = governance_services.report_request(project=project, actor=alice)
    assert sent.call_args.args[1] == "governance.tasks.report_job_task"
    assert sent.call_args.kwargs["queue"].name == settings.CELERY_HEAVY_QUEUE
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


# --- With real workers -------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_scoring_is_not_behind_a_flood_of_reports(alice):
    """Twenty reports wait on the heavy queue with no heavy worker at all; a worker of the default
    queue still scores a gate at once. Then a heavy worker comes and builds the reports.

    The test's own queues (not the test process's), so no other test's worker can take them.
    """
    queue = f"heavy-test-{uuid.uuid4().hex[:8]}"
    env = worker_env(TEST_QUEUE=queue)
    # What the services would send goes nowhere; this test sends its tasks itself, straight to the
    # worker's queues, named as the worker's settings name them.
    with (
        mock.patch("governance.services.readiness._enqueue_coalesced"),
        mock.patch("lifecycle.services.tasks.send_now", return_value=True),
        mock.patch("lifecycle.services.jobs.send_now", return_value=True),
    ):
        projects = [lifecycle_services.project_create(actor=alice, name=f"Flood {n}") for n in range(20)]
        jobs = [governance_services.report_request(project=p, actor=alice) for p in projects]
    for job in jobs:
        governance_tasks.report_job_task.apply_async(args=[str(job.pk)], queue=heavy_queue(queue))
    gate = Gate.objects.get(project=projects[0], phase__key="scope")
    Gate.objects.filter(pk=gate.pk).update(stale=True, last_assessment=None)

    scoring = WorkerProcess(name="scoring", env=env, queue=queue, queues=[queue])
    heavy = None
    try:
        governance_tasks.gate_rescore_task.apply_async(args=[str(gate.pk)], queue=queue)
        wait_for(lambda: _scored(gate), timeout=30, message="the gate's score")
        # Scored while every report still waits: the default worker never takes heavy work.
        assert Job.objects.filter(pk__in=[j.pk for j in jobs], status=Job.Status.QUEUED).count() == len(jobs)
        assert "Task governance.tasks.report_job_task[" not in scoring.log()

        heavy = WorkerProcess(name="heavy", env=env, queue=queue, queues=[heavy_queue(queue)])
        wait_for(
            lambda: Job.objects.filter(pk__in=[j.pk for j in jobs], status=Job.Status.SUCCEEDED).count() == len(jobs),
            timeout=120,
            message="the heavy worker to build every report",
        )
    finally:
        scoring.stop()
        if heavy is not None:
            heavy.stop()
        with app.connection_for_write() as conn:
            for name in (queue, heavy_queue(queue)):
                conn.default_channel.queue_purge(name)


def _scored(gate: Gate) -> bool:
    gate.refresh_from_db()
    return not gate.stale and gate.last_assessment_id is not None
