"""Assertions shared by view and API tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

ROLES = ("owner", "contributor", "approver", "viewer", "portfolio_viewer", "admin", "outsider")


def statuses_by_role(
    personas: dict, make_client: Callable, method: str, url: str | Callable[[], str], data: Any = None, **extra: Any
) -> dict[str, int]:
    """The status each persona gets for one request (a fresh object per call when `url` is a
    callable, for actions that change state)."""
    result = {}
    for role in ROLES:
        target = url() if callable(url) else url
        client = make_client(personas[role])
        response = getattr(client, method)(target, data, **extra) if data is not None else getattr(client, method)(target, **extra)
        result[role] = response.status_code
    return result


class QueryCount(int):
    """A number of queries that also holds their SQL, for the message of a failed budget."""

    sql: list[str]

    def listing(self) -> str:
        return "\n".join(f"  {i}. {q}" for i, q in enumerate(self.sql, 1))


def count_queries(func: Callable[[], Any]) -> tuple[QueryCount, Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    count = QueryCount(len(ctx.captured_queries))
    count.sql = [q["sql"] for q in ctx.captured_queries]
    return count, result


def assert_partial(response: Any, region_id: str) -> None:
    content = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert f'id="{region_id}"' in content
    assert "<html" not in content


def deadlock_error() -> Exception:
    """The error Django raises when PostgreSQL aborts a transaction as a deadlock victim (the
    driver's error, with its SQLSTATE, is the cause)."""
    from django.db import OperationalError

    from lifecycle import locks

    error = OperationalError("deadlock detected")
    error.__cause__ = type("DeadlockDetected", (Exception,), {"pgcode": locks.DEADLOCK})()
    return error


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment in separate threads, each with its own database
    connection; return each call's result, or the exception it raised (the race's loser
    reports how it lost)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as e:  # noqa: BLE001 - reported, not lost
            results[index] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
