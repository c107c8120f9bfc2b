"""A task for the worker-kill fault test (workers started with `--include tests.ack_tasks`).

It does the real rescoring first and pauses afterwards, the first time only, so that a test can
kill the worker between the stored result and the acknowledgement: the redelivered task then
runs in full on another worker and must find nothing new to store.
"""

from __future__ import annotations

import logging
import os
import time

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rescore_then_pause_task(gate_id: str, pause: float, marker: str) -> dict:
    from governance.services import readiness

    result = readiness.gates_assess([gate_id])
    logger.info("rescore of %s stored %s", gate_id, result)
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return result  # a redelivery: no pause
    logger.info("rescore of %s pausing before the acknowledgement", gate_id)
    time.sleep(pause)
    return result
