"""PostgreSQL lost under load: the web server (gunicorn) reaches the real database through a TCP
proxy that the test cuts, as a database restart would. While it is cut, every request fails
fast and cleanly with 503 (the JSON error body under /api/, the styled page elsewhere) and
writes nothing; once it is back, the same server process answers normally again."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

import pytest
from django.db import connection
from django.urls import reverse

from lifecycle import services as lifecycle_services
from lifecycle.models import Project
from phases.models import ChecklistItem
from tests.conftest import PASSWORD
from tests.processes import Browser, free_port, web
from tests.tcp_proxy import TcpProxy
from tests.workers import wait_for, worker_env

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

UNAVAILABLE = {"message": "The service is temporarily unavailable. Try again shortly.", "code": "unavailable"}
CLIENTS = 4
CUT_SECONDS = 2.5


@dataclass
class Answer:
    kind: str
    started: float
    finished: float
    status: int
    content_type: str
    retry_after: str | None
    body: str
    name: str = ""


class Load:
    """CLIENTS threads sending a mix of API and page reads and writes until stopped."""

    def __init__(self, base: str, token: str, browser: Browser, project: Project, item: ChecklistItem):
        self.base, self.token, self.browser = base, token, browser
        self.requests = {
            "api-read": lambda: self._api("GET", "/api/v1/projects/"),
            "api-write": self._api_create,
            "page-read": lambda: self._page("GET", project.get_absolute_url()),
            "page-write": lambda: self._page("POST", reverse("phases:checklist-item-toggle", args=[item.pk]), {"done": "true"}),
        }
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(CLIENTS)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _run(self, n: int) -> None:
        kinds = list(self.requests)
        i = n
        while not self._stop.is_set():
            kind = kinds[i % len(kinds)]
            i += 1
            started = time.monotonic()
            answer = self.requests[kind]()
            answer.kind, answer.started, answer.finished = kind, started, time.monotonic()
            self.answers.append(answer)
            time.sleep(0.02)

    def _api_create(self) -> Answer:
        name = f"Load {uuid.uuid4().hex[:12]}"
        answer = self._api("POST", "/api/v1/projects/", {"name": name})
        answer.name = name
        return answer

    def _api(self, method: str, path: str, data: dict | None = None) -> Answer:
        request = urllib.request.Request(self.base + path, method=method, data=json.dumps(data).encode() if data else None)
        request.add_header("Authorization", f"Token {self.token}")
        request.add_header("Content-Type", "application/json")
        return _send(urllib.request.urlopen, request)

    def _page(self, method: str, path: str, data: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data else None
        request = urllib.request.Request(self.base + path, method=method, data=body)
        if method == "POST":
            request.add_header("X-CSRFToken", self.browser.csrf())
            request.add_header("Referer", self.base + "/")
        return _send(self.browser.opener.open, request)


def _send(open_url, request: urllib.request.Request) -> Answer:
    try:
        with open_url(request, timeout=30) as response:
            return _answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as e:
        return _answer(e.code, e.headers, e.read())


def _answer(status: int, headers, body: bytes) -> Answer:
    return Answer("", 0, 0, status, headers.get("Content-Type", ""), headers.get("Retry-After"), body.decode(errors="replace"))


def _assert_clean_unavailable(answer: Answer) -> None:
    assert answer.retry_after == "5", answer
    if answer.kind.startswith("api"):
        assert answer.content_type == "application/json", answer
        assert json.loads(answer.body) == UNAVAILABLE
    else:
        assert answer.content_type.startswith("text/html"), answer
        # The site's own styled page, not a bare or technical one.
        assert "<h1>Temporarily unavailable</h1>" in answer.body and "css/app.css" in answer.body, answer.body


def test_requests_fail_with_503_while_the_database_is_cut_and_recover_after(alice, tmp_path):
    project = lifecycle_services.project_create(actor=alice, name="Outage")
    item = ChecklistItem.objects.filter(phase__project=project, phase__key="scope").first()
    _, token = lifecycle_services.token_create(user=alice, name="load")
    db = connection.settings_dict
    proxy = TcpProxy(upstream=(db["HOST"], int(db["PORT"])))
    port = free_port()
    queue = f"db-outage-{uuid.uuid4().hex[:8]}"
    env = worker_env(DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}", TEST_QUEUE=queue)
    base = f"http://127.0.0.1:{port}"
    server = None
    try:
        server = web(env, port)
        browser = Browser(base)
        browser.login("alice", PASSWORD)
        with Load(base, token, browser, project, item) as load:
            time.sleep(1)
            cut_at = time.monotonic()
            proxy.cut()
            time.sleep(CUT_SECONDS)
            restored_at = time.monotonic()
            proxy.restore()
            # Recovered: every kind of request succeeds again, in the same server process.
            wait_for(lambda: _recovered(load, restored_at), timeout=20, message="requests to succeed again")

        answers = load.answers
        # Nothing but success or a clean 503, and nothing hangs on the lost database.
        assert {a.status for a in answers} <= {200, 201, 302, 503}, sorted({a.status for a in answers})
        assert max(a.finished - a.started for a in answers) < 5
        during = [a for a in answers if a.started > cut_at + 0.1 and a.finished < restored_at]
        assert {a.kind for a in during} == set(load.requests), "every kind of request must run during the cut"
        for answer in during:
            assert answer.status == 503, answer
            _assert_clean_unavailable(answer)
        for answer in answers:
            if answer.status == 503:
                _assert_clean_unavailable(answer)
        # A write refused during the cut left nothing behind.
        refused = [a.name for a in during if a.kind == "api-write"]
        assert not Project.objects.filter(name__in=refused).exists()
        accepted = [a.name for a in answers if a.kind == "api-write" and a.status == 201]
        assert Project.objects.filter(name__in=accepted).count() == len(accepted)
        # Recovered without a restart: the one gunicorn worker booted once and is still serving.
        assert server.process.poll() is None
        assert server.log().count("Booting worker") == 1, server.log()
        assert proxy.accepted > 0
    finally:
        if server is not None:
            server.stop()
        proxy.stop()
        _purge(queue)


def test_a_connection_lost_just_after_commit_does_not_turn_the_saved_change_into_a_500(alice, caplog):
    from django.db import OperationalError, transaction

    from lifecycle.services import tasks

    def gates_enqueue_rescore(changes: list) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with transaction.atomic():
        project = lifecycle_services.project_create(actor=alice, name="Saved")
        # What an after-commit listener meets when the connection drops right after COMMIT.
        tasks.on_commit_robust(gates_enqueue_rescore, [])

    # The error is logged by name and the caller goes on: the change is saved.
    assert Project.objects.filter(pk=project.pk).exists()
    assert "Error calling test_a_connection_lost_just_after_commit" in caplog.text
    assert "gates_enqueue_rescore" in caplog.text


def _recovered(load: Load, restored_at: float) -> bool:
    after = [a for a in load.answers if a.started > restored_at]
    ok = {a.kind for a in after if a.status in (200, 201, 302)}
    # Every kind has succeeded, and the last few answers of each are all successes.
    return ok == set(load.requests) and all(a.status != 503 for kind in load.requests for a in [x for x in after if x.kind == kind][-2:])


def _purge(queue: str) -> None:
    from lifecycle.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
