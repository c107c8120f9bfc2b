"""Jobs: long work started by a request, whose progress the page or the API client follows.

These are the system's bookkeeping, with no permission of their own: the service that starts the
work checks its actor first (a report: who sees the project; recomputing readiness: owners;
verifying the audit log: administrators) and records them as the job's `created_by`; workers
then claim, advance and finish the job (`job_start`, `job_progress`, `job_succeed`, `job_fail`),
and the retention sweep expires its file. Who may follow a job is the selectors' concern
(`job_get_for_user`)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from lifecycle import locks
from lifecycle.models import Job, Project, User
from lifecycle.services.tasks import send_now

logger = logging.getLogger(__name__)

WORKERS_UNREACHABLE = "The background workers could not be reached, so this did not start. Nothing was changed; try again in a few minutes."


def job_create(*, kind: str, actor: User | None, project: Project | None = None, params: dict | None = None) -> Job:
    return Job.objects.create(kind=kind, created_by=actor, project=project, params=params or {})


# A job counts as in progress only this long. Past it, the work was lost: a queued job whose message
# went with the broker's data never starts, and a running one past the hard time limit had its
# worker killed (a redelivery finds it claimed and leaves it), so neither may block a new request.
QUEUED_STALE_AFTER = timedelta(hours=1)
RUNNING_GRACE = timedelta(minutes=1)
LOST_JOB = "This job was lost (its worker stopped before finishing it). Start it again."


def job_get_running_or_create(*, kind: str, actor: User, project: Project, params: dict | None = None) -> tuple[Job, bool]:
    """The project's job of this kind that is queued or running, else a new one; True when new.

    Heavy work is not piled up: whoever asks while a job runs follows that job (its result is the
    same for everyone who may see the project). Two requests at the same moment must not both find
    none and both create, so the project row is locked first (step 1 of the lock order in
    lifecycle.locks): the second request waits there until the first has committed, then finds
    its job. The lock is held only for this short transaction, never while the job runs.
    """
    with transaction.atomic():
        locks.lock_project(project.pk)
        now = timezone.now()
        active = Job.objects.filter(kind=kind, project=project, status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
        for job in active.select_related("created_by").order_by("created_at"):
            if not _lost(job, now):
                return job, False
            job_fail(job_id=job.pk, error=LOST_JOB)
        return job_create(kind=kind, actor=actor, project=project, params=params), True


def _lost(job: Job, now: Any) -> bool:
    if job.status == Job.Status.RUNNING:
        started = job.started_at or job.created_at
        return started < now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - RUNNING_GRACE
    return job.created_at < now - QUEUED_STALE_AFTER


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


# Jobs whose files one run of the sweep removes: each is one UPDATE and one file deletion, so a
# batch ends in seconds; the task runs again at once when a batch was full.
EXPIRE_BATCH = 200


def job_files_expire() -> int:
    """Remove the files of jobs that finished more than REPORT_FILE_RETENTION_DAYS ago.

    1. Take a batch of finished jobs that still have a file, oldest first.
    2. Clear each row's file, and its result and result URL (the same report as JSON, and the
       download link), with a conditional UPDATE on the file name, so two sweeps never both
       claim a file; params["expired_at"] says when, for the pages that list jobs. The row stays.
    3. Only then delete the file from storage: a crash in between leaves an orphan file, never
       a job that offers a download of a file that is gone.

    Returns how many files expired.
    """
    cutoff = timezone.now() - timedelta(days=settings.REPORT_FILE_RETENTION_DAYS)
    batch = list(
        Job.objects.filter(finished_at__lt=cutoff)
        .exclude(result_file="")
        .order_by("finished_at")
        .values_list("pk", "result_file", "params")[:EXPIRE_BATCH]
    )
    expired = 0
    for pk, name, params in batch:
        stamp = {**(params or {}), "expired_at": timezone.now().isoformat()}
        if not Job.objects.filter(pk=pk, result_file=name).update(result_file="", result=None, result_url="", params=stamp):
            continue
        expired += 1
        try:
            default_storage.delete(name)
        except OSError as e:  # the row no longer offers it; an orphan file is harmless
            logger.warning("could not delete the expired file %s of job %s: %s", name, pk, e)
    return expired
