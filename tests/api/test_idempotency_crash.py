"""An Idempotency-Key retried after the first request died, or while it still runs: the first
result or one clean redo, never two writes (the key, the write and the stored response are one
transaction; lifecycle/api/idempotency.py)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from lifecycle import hooks
from lifecycle.models import IdempotencyRecord, Project

pytestmark = pytest.mark.django_db(transaction=True)


class Pause:
    """Stops the next service call inside its transaction, after its writes, until released."""

    def __init__(self):
        self.reached, self.release = threading.Event(), threading.Event()
        self.backend_pid = None
        self.calls = 0

    def listener(self, changes):
        self.calls += 1
        if self.calls > 1:
            return
        self.backend_pid = connection.connection.get_backend_pid()
        self.reached.set()
        self.release.wait(20)

    def __enter__(self):
        hooks.registry.in_transaction_listeners.append(self.listener)
        return self

    def __exit__(self, *exc):
        self.release.set()
        hooks.registry.in_transaction_listeners.remove(self.listener)


def _post_in_thread(client, body, key, answers):
    def run():
        try:
            answers.append(client.post("/api/v1/projects/", body, format="json", HTTP_IDEMPOTENCY_KEY=key))
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_request_that_died_before_commit_is_redone_once(api_for, alice):
    client = api_for(alice)
    body = {"name": "Died mid-way"}
    answers: list = []
    with Pause() as pause:
        thread = _post_in_thread(client, body, "crash-1", answers)
        assert pause.reached.wait(20)
        # The server process dies: its database session ends and its transaction rolls back.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pause.backend_pid])
        pause.release.set()
        thread.join(30)
    (first,) = answers
    assert first.status_code == 503
    assert not Project.objects.filter(name="Died mid-way").exists()
    assert not IdempotencyRecord.objects.filter(key="crash-1").exists()

    retry = client.post("/api/v1/projects/", body, format="json", HTTP_IDEMPOTENCY_KEY="crash-1")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    again = client.post("/api/v1/projects/", body, format="json", HTTP_IDEMPOTENCY_KEY="crash-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == retry.json()["id"]
    assert Project.objects.filter(name="Died mid-way").count() == 1


def test_a_retry_while_the_first_still_runs_waits_and_gets_its_result(api_for, alice):
    client = api_for(alice)
    body = {"name": "Slow first"}
    first_answers: list = []
    retry_answers: list = []
    with Pause() as pause:
        first = _post_in_thread(client, body, "slow-1", first_answers)
        assert pause.reached.wait(20)
        retry = _post_in_thread(client, body, "slow-1", retry_answers)
        retry.join(0.5)
        assert retry.is_alive(), "the retry waits for the first request instead of writing"
        pause.release.set()
        first.join(30)
        retry.join(30)
    (original,), (replayed,) = first_answers, retry_answers
    assert original.status_code == replayed.status_code == 201
    assert replayed["Idempotent-Replayed"] == "true"
    assert replayed.json()["id"] == original.json()["id"]
    assert Project.objects.filter(name="Slow first").count() == 1
