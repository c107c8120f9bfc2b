"""The Celery app: web, worker and beat all load the same Django settings."""

from __future__ import annotations

import logging.config
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecycle.settings")

app = Celery("lifecycle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _setup_logging(**kwargs: object) -> None:
    """Use Django's LOGGING in workers too, so task logs carry the same JSON shape."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def _propagate_request_id(headers: dict | None = None, **kwargs: object) -> None:
    from lifecycle.logging import current_request_id

    if headers is not None and current_request_id():
        headers["request_id"] = current_request_id()


@signals.task_prerun.connect
def _adopt_request_id(task: object = None, **kwargs: object) -> None:
    from lifecycle.logging import set_request_id

    request = getattr(task, "request", None)
    set_request_id(getattr(request, "request_id", None) or "")
