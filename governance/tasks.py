"""Celery entry points of governance: thin wrappers that call one service."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from governance import services

if TYPE_CHECKING:
    from billiard.einfo import ExceptionInfo

logger = logging.getLogger(__name__)


@shared_task
def risk_acceptances_expire_task() -> int:
    return len(services.risk_acceptances_expire())


@shared_task
def post_launch_schedule_task() -> dict:
    """Create the audits and reviews that fell due, and flag the overdue ones (idempotent)."""
    return {
        "created": services.post_launch_tasks_create_due(),
        "overdue_notified": services.post_launch_overdue_notify(),
        "incident_reports_notified": services.incident_reports_notify(),
    }


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=5,
)
def gate_rescore_task(gate_id: str) -> dict:
    """Rescore one gate (idempotent: unchanged inputs add nothing)."""
    from governance.services import readiness

    logger.info("rescoring gate %s", gate_id)
    return readiness.gates_assess([gate_id])


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=5,
)
def gates_rescore_batch_task(gate_ids: list[str]) -> dict:
    from governance.services import readiness

    logger.info("rescoring %d gates: %s", len(gate_ids), " ".join(gate_ids))
    return readiness.gates_assess(gate_ids)


@shared_task
def gates_sweep_task() -> int:
    from governance.services import readiness

    return readiness.gates_sweep()


@shared_task
def gates_rescore_all_task() -> int:
    from governance.services import readiness

    return readiness.gates_rescore_all()


class JobTask(Task):
    """A task that runs a job, whose id is its first argument."""

    def on_failure(self, exc: Exception, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any], einfo: ExceptionInfo) -> None:
        """A job task that fails (or exhausts its retries) marks its job failed."""
        from lifecycle import services as lifecycle_services

        lifecycle_services.job_fail(job_id=args[0], error=f"{exc.__class__.__name__}: {exc}")


@shared_task(base=JobTask, acks_late=True, reject_on_worker_lost=True)
def gate_recompute_job_task(job_id: str) -> None:
    from governance.services import readiness

    readiness.gate_recompute_run(job_id=job_id)


@shared_task(base=JobTask, acks_late=True, reject_on_worker_lost=True)
def report_job_task(job_id: str) -> None:
    """Build a project's governance report (JSON and PDF) for a job (idempotent: a job runs once)."""
    services.report_run(job_id=job_id)


@shared_task
def noop_task() -> None:
    """Does nothing: the scoring benchmark compares batch scoring with the cost of a task."""


@shared_task
def reviews_remind_task() -> int:
    return services.reviews_remind()


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=2, max_retries=5)
def webhook_deliver_task(delivery_id: str) -> str:
    """One attempt at one delivery; the service schedules the next on failure."""
    return services.webhook_deliver(delivery_id=delivery_id)


@shared_task
def webhooks_sweep_task() -> int:
    return services.webhooks_sweep()
