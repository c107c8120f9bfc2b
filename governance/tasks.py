"""Celery entry points of governance: thin wrappers that call one service."""

from __future__ import annotations

from celery import shared_task

from governance import services


@shared_task
def risk_acceptances_expire_task() -> int:
    return len(services.risk_acceptances_expire())


@shared_task
def post_launch_schedule_task() -> dict:
    """Create the audits and reviews that fell due, and flag the overdue ones (idempotent)."""
    return {"created": services.post_launch_tasks_create_due(), "overdue_notified": services.post_launch_overdue_notify()}
