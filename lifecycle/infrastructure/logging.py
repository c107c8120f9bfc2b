"""Request ids and JSON log lines, shared by the web process and Celery workers."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# The Celery task being run by this process, as (name, id); empty outside a task.
_task: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar("task", default=("", ""))
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Never let a credential reach a log line, whatever a caller formats into a message.
_SECRETS = re.compile(r"(?i)(token|authorization|password|secret|signature)(\"?\s*[:=]\s*\"?)([^\s\",]+)")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> None:
    _request_id.set(value)


def current_task() -> tuple[str, str]:
    return _task.get()


def set_task(name: str, task_id: str) -> None:
    _task.set((name, task_id))


def clean_request_id(value: str | None) -> str | None:
    return value if value and _SAFE_ID.match(value) else None


def redact(text: str) -> str:
    return _SECRETS.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs 4xx/5xx responses after the middleware has left the request, so
        # take the id from the request those records carry.
        request = getattr(record, "request", None)
        record.request_id = current_request_id() or getattr(request, "request_id", None) or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        payload = {
            "at": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
            # RequestIdFilter writes "-" for "none" (for the text format); JSON says null.
            "request_id": (request_id if request_id != "-" else None) or current_request_id() or None,
        }
        task_name, task_id = current_task()
        if task_id:
            payload["task"] = task_name
            payload["task_id"] = task_id
        if record.exc_info:
            payload["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, default=str)
