"""Enqueueing background work from services.

Work is sent to the broker only after the transaction commits, and sending never fails the
request: when the broker is down the change stays saved, a warning is logged, and the periodic
sweeps (which look at the database, not the queue) catch up when it returns. This is why services
use `enqueue` rather than `task.delay_on_commit`, which would raise out of the commit.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    transaction.on_commit(functools.partial(send_now, task, args, kwargs, countdown), robust=True)


def send_now(task: Any, args: tuple, kwargs: dict, countdown: float | None = None) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
    except Exception as e:  # noqa: BLE001 - any broker failure: log, keep serving
        logger.warning("could not enqueue %s: %s: %s", getattr(task, "name", task), e.__class__.__name__, e)
        return False
    return True
