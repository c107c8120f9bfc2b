"""Request ids and JSON log lines, shared by the web process and Celery workers."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Never let a credential reach a log line, whatever a caller formats into a message.
_SECRETS = re.compile(r"(?i)(token|authorization|password|secret|signature)(\"?\s*[:=]\s*\"?)([^\s\",]+)")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> None:
    _request_id.set(value)


def clean_request_id(value: str | None) -> str | None:
    return value if value and _SAFE_ID.match(value) else None


def redact(text: str) -> str:
    return _SECRETS.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "at": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or current_request_id() or None,
        }
        if record.exc_info:
            payload["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, default=str)
