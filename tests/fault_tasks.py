"""Tasks that exist only for fault tests: a worker started with `--include tests.fault_tasks`
runs them. The slow rescore does the real work after a pause, so a test can kill the worker in
the middle of it."""

from __future__ import annotations

import logging
import time

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def slow_rescore_task(gate_id: str, pause: float) -> dict:
    from governance.services import readiness

    logger.info("slow rescore of %s started", gate_id)
    time.sleep(pause)
    result = readiness.gates_assess([gate_id])
    logger.info("slow rescore of %s finished", gate_id)
    return result
