"""Jobs: long work started by a request, whose progress the page or the API client follows."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from lifecycle.models import Job, Project, User
from lifecycle.services.tasks import send_now

WORKERS_UNREACHABLE = "The background workers could not be reached, so this did not start. Nothing was changed; try again in a few minutes."


def job_create(*, kind: str, actor: User | None, project: Project | None = None, params: dict | None = None) -> Job:
    return Job.objects.create(kind=kind, created_by=actor, project=project, params=params or {})


def job_enqueue(*, job: Job, task: Any) -> None:
    """Send the job's task after commit. When the broker cannot take it, the job fails at once
    with a message saying so, rather than waiting for a worker that will never hear of it."""

    def send() -> None:
        if not send_now(task, (str(job.pk),), {}):
            job_fail(job_id=job.pk, error=WORKERS_UNREACHABLE)

    transaction.on_commit(send, robust=True)


def job_start(*, job_id: Any) -> bool:
    """Claim a queued job; False when another worker already runs or finished it."""
    return Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(status=Job.Status.RUNNING, started_at=timezone.now()) == 1


def job_progress(*, job_id: Any, progress: int) -> None:
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(progress=max(0, min(99, int(progress))))


def job_succeed(*, job_id: Any, result_url: str = "", result: Any = None, result_file: str = "") -> None:
    fields: dict[str, Any] = {
        "status": Job.Status.SUCCEEDED,
        "progress": 100,
        "result_url": result_url,
        "result": result,
        "finished_at": timezone.now(),
    }
    if result_file:
        fields["result_file"] = result_file
    Job.objects.filter(pk=job_id).update(**fields)


def job_fail(*, job_id: Any, error: str) -> None:
    Job.objects.filter(pk=job_id).exclude(status=Job.Status.SUCCEEDED).update(
        status=Job.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
