"""A task goes through Redis to a real worker process, which writes to the database."""

from __future__ import annotations

import pytest

from lifecycle import services, tasks
from lifecycle.models import Job
from tests.workers import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_it_runs_a_task_in_a_real_worker(celery_worker, alice):
    job = services.job_create(kind="ping", actor=alice)

    tasks.job_ping_task.delay(str(job.pk))

    done = wait_for(lambda: Job.objects.filter(pk=job.pk, status=Job.Status.SUCCEEDED).first(), message="the job")
    assert done.result == {"pong": True}
    # It ran in the worker process, not in the test process.
    assert "lifecycle.tasks.job_ping_task[" in celery_worker.log()
