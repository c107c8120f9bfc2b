"""The Celery app: web, worker and beat all load the same Django settings."""

from __future__ import annotations

import logging
import logging.config
import os
import time
from typing import Any

from celery import Celery, bootsteps, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecycle.settings.base")

app = Celery("lifecycle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@signals.setup_logging.connect
def _setup_logging(**kwargs: object) -> None:
    """Use Django's LOGGING in workers too, so task logs carry the same JSON shape."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# Request ids: the request that queues a task names it in the message headers, and the worker
# adopts it while the task runs, so the task's log lines (and the tasks it queues) carry it.


@signals.before_task_publish.connect
def _propagate_request_id(headers: dict | None = None, **kwargs: object) -> None:
    from lifecycle.infrastructure.logging import current_request_id

    if headers is not None and current_request_id():
        headers["request_id"] = current_request_id()


# Started tasks of this process, by task id, for their durations.
_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id: str = "", task: Any = None, **kwargs: object) -> None:
    from lifecycle.infrastructure.logging import clean_request_id, set_request_id, set_task

    request = getattr(task, "request", None)
    set_request_id(clean_request_id(getattr(request, "request_id", None)) or "")
    set_task(getattr(task, "name", ""), task_id)
    _started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _task_finished(task_id: str = "", task: Any = None, state: str | None = None, **kwargs: object) -> None:
    """Count the task and time it, then forget its request id: the next task this process runs
    may come from beat or from another request."""
    from lifecycle.infrastructure import metrics
    from lifecycle.infrastructure.logging import set_request_id, set_task

    started = _started.pop(task_id, None)
    try:
        metrics.observe_task(
            task=getattr(task, "name", "unknown"),
            state=state or "unknown",
            seconds=time.monotonic() - started if started is not None else None,
        )
    except Exception:  # metrics never fail a task
        logger.exception("recording task metrics failed")
    set_request_id("")
    set_task("", "")


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Records a heartbeat every WORKER_HEARTBEAT_SECONDS while the worker consumes.

    A consumer step starts once the broker connection is up and tasks are being consumed, and
    stops when the connection is lost, so the heartbeat goes stale exactly when this worker
    cannot take tasks. It fires from the worker's event loop, so a main process that hangs stops
    beating too.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.tref: Any = None

    def start(self, parent: Any) -> None:
        from django.conf import settings

        self._beat(parent.hostname)
        self.tref = parent.timer.call_repeatedly(settings.WORKER_HEARTBEAT_SECONDS, self._beat, (parent.hostname,))

    def stop(self, parent: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    shutdown = stop

    @staticmethod
    def _beat(hostname: str) -> None:
        from lifecycle.services.housekeeping import worker_heartbeat

        try:
            worker_heartbeat(worker=hostname)
        except Exception:  # a missed beat shows in /readyz; never stop the worker
            logger.exception("worker heartbeat failed")


app.steps["consumer"].add(WorkerHeartbeat)
