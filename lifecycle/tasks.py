"""Celery entry points of the lifecycle core: thin wrappers that take ids and call one service."""

from __future__ import annotations

import smtplib

from celery import shared_task

from lifecycle import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def notification_email_task(notification_id: str) -> bool:
    return services.notification_email_send(notification_id=notification_id)


@shared_task
def housekeeping_task() -> dict:
    from lifecycle.services.housekeeping import housekeeping_run

    return housekeeping_run()


@shared_task
def echo_task(value: str) -> str:
    """A no-op round trip: proves a worker is consuming (used by tests and the readiness probe)."""
    from lifecycle.services.housekeeping import worker_heartbeat

    worker_heartbeat()
    return value


@shared_task(acks_late=True)
def job_ping_task(job_id: str) -> None:
    """A minimal job: proves the path request → broker → worker → database works."""
    if services.job_start(job_id=job_id):
        services.job_succeed(job_id=job_id, result={"pong": True})


@shared_task(acks_late=True, reject_on_worker_lost=True)
def audit_verify_job_task(job_id: str) -> None:
    services.audit_verify_run(job_id=job_id)


@shared_task
def job_files_expire_task() -> int:
    """Remove the files of jobs past REPORT_FILE_RETENTION_DAYS (idempotent: a cleared job is not
    picked again); runs again at once while batches come back full."""
    from lifecycle.services.jobs import EXPIRE_BATCH

    expired = services.job_files_expire()
    if expired >= EXPIRE_BATCH:
        services.enqueue(job_files_expire_task)
    return expired
