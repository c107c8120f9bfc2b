"""JSON log lines: the request id (also on Django's own 4xx/5xx lines, logged after the request
has left the middleware) and, inside a task, the task's name and id."""

from __future__ import annotations

import json
import logging

from lifecycle.celery import _task_finished, _task_started
from lifecycle.infrastructure.logging import JsonFormatter, RequestIdFilter, set_request_id


class _Request:
    request_id = "req-from-request"


class _Task:
    name = "lifecycle.tasks.echo_task"

    class request:  # noqa: N801 - the shape of celery's Task.request
        request_id = "req-from-headers"


def _line(record: logging.LogRecord) -> dict:
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return record


def test_it_takes_the_request_id_of_djangos_response_lines_from_their_request():
    set_request_id("")

    line = _line(_record("Not Found: /x", request=_Request()))

    assert line["request_id"] == "req-from-request"
    assert "task_id" not in line


def test_task_lines_carry_the_request_id_and_the_task_until_the_task_ends():
    _task_started(task_id="t-1", task=_Task())
    try:
        line = _line(_record("token=abc123 sent"))
    finally:
        _task_finished(task_id="t-1", task=_Task(), state="SUCCESS")
    after = _line(_record("later"))

    assert line["request_id"] == "req-from-headers"
    assert (line["task"], line["task_id"]) == ("lifecycle.tasks.echo_task", "t-1")
    assert line["message"] == "token=[redacted] sent"
    assert after["request_id"] is None
    assert "task_id" not in after
