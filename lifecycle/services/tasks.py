"""Enqueueing background work from services.

Work is sent to the broker only after the transaction commits, and sending never fails the
request: when the broker is down the change stays saved, a warning is logged, and the periodic
sweeps (which look at the database, not the queue) catch up when it returns. This is why services
use `enqueue` rather than `task.delay_on_commit`, which would raise out of the commit.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    on_commit_robust(send_now, task, args, kwargs, countdown)


def on_commit_robust(func: Callable[..., Any], *args: Any) -> None:
    """`transaction.on_commit(..., robust=True)` for a function and its arguments: an error in it
    is logged and the request goes on, since the transaction has committed anyway.

    Not with a bare functools.partial: Django logs a failing robust callback by its
    `__qualname__`, which a partial lacks, so the error would escape as an AttributeError (a 500
    for a change that was saved), e.g. when the database connection drops right after commit.
    """
    transaction.on_commit(functools.update_wrapper(functools.partial(func, *args), func), robust=True)


def send_now(task: Any, args: tuple, kwargs: dict, countdown: float | None = None) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
    except Exception as e:  # noqa: BLE001 - any broker failure: log, keep serving
        logger.warning("could not enqueue %s: %s: %s", getattr(task, "name", task), e.__class__.__name__, e)
        return False
    return True
