"""The soak: real processes (gunicorn with several workers, two Celery workers, beat, a private
Redis, PostgreSQL through a TCP proxy that can be cut) and many concurrent clients, through the
API and the HTML forms, writing the same few projects. Used by tests/soak/ (short runs, with and
without faults) and by bench/soak.py (long runs that print figures).

Every request carries its own X-Request-ID, which the audit events it causes record. So after a
run the checks can tell, request by request, that every acknowledged write left its audit event
and every refused one left none.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from django.db import connection
from django.db.models import Q

from governance import services as governance_services
from governance.models import Gate, WebhookDelivery, WebhookEvent
from governance.services.readiness import OPEN_PHASES
from lifecycle import services as lifecycle_services
from lifecycle.models import AuditEvent, ChangeRecord, Function, Project, User
from sample_data.artifacts import SAMPLES
from tests.conftest import PASSWORD, make_user
from tests.processes import Browser, PrivateRedis, Service, beat, free_port, web, worker
from tests.receiver import Receiver
from tests.tcp_proxy import TcpProxy
from tests.workers import heavy_queue, wait_for, worker_env

PROJECTS = 3
REQUEST_TIMEOUT = 40  # longer than any answer may take, so a hang shows as a slow answer


@dataclass
class Answer:
    client: str
    kind: str
    method: str
    path: str
    status: int  # 0: no answer (connection reset by a killed process)
    started: float
    seconds: float
    request_id: str
    write: bool
    must_change: bool  # an acknowledged answer must have left an audit event
    created: str = ""  # id of what a 201 created
    location: str = ""
    html: bool = False  # a form post: success is a redirect, a 200 re-renders the form with errors

    @property
    def acknowledged(self) -> bool:
        if not self.write:
            return False
        if self.html:
            return self.status == 302 and "/accounts/login" not in self.location
        return 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Stack:
    """The processes of a small production site, started against the test database."""

    def __init__(self, receiver: Receiver, tmp: Path, web_workers: int = 2):
        self.tmp = tmp
        db = connection.settings_dict
        self.proxy = TcpProxy(upstream=(db["HOST"], int(db["PORT"])))
        self.redis = PrivateRedis()
        self.queue = f"soak-{uuid.uuid4().hex[:8]}"
        self.env = worker_env(
            DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{self.proxy.port}/{db['NAME']}",
            REDIS_URL=f"{self.redis.url}/0",
            CELERY_BROKER_URL=f"{self.redis.url}/0",
            TEST_CACHE_URL=f"{self.redis.url}/1",
            TEST_QUEUE=self.queue,
            TEST_WEBHOOK_TARGETS=receiver.address,
            GATE_SWEEP_SECONDS="1",
            WEBHOOK_SWEEP_SECONDS="1",
            GATE_RESCORE_DELAY_SECONDS="0",
            API_WRITE_RATE="100000/minute",
            API_TOKEN_RATE="1000/minute",
        )
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.services: list[Service] = []
        self.web = self._add(web(self.env, self.port, workers=web_workers))
        # Both workers take the default and the heavy queue (tests.processes.worker), so the beat
        # tasks routed to the heavy queue (expiring report files) run here too.
        self.workers = [self._add(worker(self.env, f"soak-worker-{n}-{self.queue}")) for n in range(2)]
        self._add(beat(self.env, f"soak-beat-{self.queue}", tmp / "beat"))

    def _add(self, service: Service) -> Service:
        self.services.append(service)
        return service

    def kill_worker(self, n: int) -> None:
        """SIGKILL a Celery worker (its main process and its pool), then start a new one."""
        old = self.workers[n]
        os.killpg(old.process.pid, signal.SIGKILL)
        old.process.wait(10)
        self.workers[n] = self._add(worker(self.env, f"soak-worker-{n}-{self.queue}-{uuid.uuid4().hex[:4]}"))

    def kill_web_worker(self) -> int:
        """SIGKILL one gunicorn worker; the master starts another."""
        children = subprocess.run(["pgrep", "-P", str(self.web.process.pid)], capture_output=True, text=True).stdout.split()
        victim = int(random.choice(children))
        os.kill(victim, signal.SIGKILL)
        return victim

    def stop(self) -> None:
        for service in reversed(self.services):
            with contextlib.suppress(Exception):
                service.stop()
        self.redis.stop()
        self.proxy.stop()
        with contextlib.suppress(Exception):
            from lifecycle.celery import app

            with app.connection_for_write() as conn:
                for queue in (self.queue, heavy_queue(self.queue)):
                    conn.default_channel.queue_purge(queue)


@dataclass
class World:
    """The shared projects, their people and their tokens, created through the services."""

    projects: list[Project]
    owner: User
    contributors: list[User]
    approvers: list[User]
    admin: User
    extra: list[User]
    tokens: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, receiver: Receiver) -> World:
        suffix = uuid.uuid4().hex[:6]
        owner = make_user(f"olga{suffix}")
        contributors = [make_user(f"carl{n}{suffix}") for n in range(3)]
        approvers = [make_user(f"abby{n}{suffix}") for n in range(2)]
        admin = make_user(f"root{suffix}", is_staff=True, is_superuser=True)
        extra = [make_user(f"temp{n}{suffix}") for n in range(4)]
        functions = list(Function.objects.values_list("key", flat=True))
        # Tasks of this process would go to the shared queue: the stack's sweeps do the work.
        with mock.patch("governance.services.readiness._enqueue_coalesced"), mock.patch("lifecycle.services.tasks.send_now"):
            projects = []
            for n in range(PROJECTS):
                project = lifecycle_services.project_create(actor=owner, name=f"Soak {n} {suffix}")
                for user in contributors:
                    lifecycle_services.membership_add(project=project, actor=owner, user=user, role="contributor")
                for user in approvers:
                    lifecycle_services.membership_add(project=project, actor=owner, user=user, role="approver", functions=functions)
                governance_services.webhook_create(actor=owner, project=project, url=receiver.url, events=list(WebhookEvent.values))
                projects.append(project)
        world = cls(projects, owner, contributors, approvers, admin, extra)
        for user in [owner, *contributors, *approvers, admin]:
            world.tokens[user.username] = lifecycle_services.token_create(user=user, name="soak")[1]
        return world


class Client:
    """One simulated person or integration: a thread that runs `actions` in turn until stopped."""

    def __init__(self, name: str, load: Load, user: User, html: bool = False):
        self.name, self.load, self.user = name, load, user
        self.token = load.world.tokens[user.username]
        self.rng = random.Random(hash(name))
        self.browser: Browser | None = None
        if html:
            self.browser = Browser(load.base)
            self.browser.login(user.username, PASSWORD)

    # --- HTTP ------------------------------------------------------------------------------

    def api(
        self, kind: str, method: str, path: str, data: Any = None, *, write: bool = False, must_change: bool = False, **headers: str
    ) -> tuple[Answer, dict, dict]:
        request = urllib.request.Request(self.load.base + path, method=method, data=json.dumps(data).encode() if data is not None else None)
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Token {self.token}")
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        return self._send(kind, request, urllib.request.build_opener(_NoRedirect()).open, write, must_change)

    def form(self, kind: str, path: str, data: dict, *, must_change: bool = True) -> Answer:
        assert self.browser is not None
        request = urllib.request.Request(self.load.base + path, method="POST", data=urllib.parse.urlencode(data, doseq=True).encode())
        request.add_header("X-CSRFToken", self.browser.csrf())
        request.add_header("Referer", self.load.base + "/")
        return self._send(kind, request, self.browser.opener.open, True, must_change, html=True)[0]

    def page(self, kind: str, path: str) -> Answer:
        assert self.browser is not None
        request = urllib.request.Request(self.load.base + path)
        return self._send(kind, request, self.browser.opener.open, False, False)[0]

    def _send(
        self, kind: str, request: urllib.request.Request, open_url: Any, write: bool, must_change: bool, html: bool = False
    ) -> tuple[Answer, dict, dict]:
        request_id = uuid.uuid4().hex
        request.add_header("X-Request-ID", request_id)
        started = time.monotonic()
        status, headers, raw = 0, {}, b""
        try:
            with open_url(request, timeout=REQUEST_TIMEOUT) as response:
                status, headers, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as e:
            status, headers, raw = e.code, dict(e.headers), e.read()
        except (OSError, http.client.HTTPException):
            status = 0  # reset by a killed process (even mid-body), or no answer at all
        body: dict = {}
        if headers.get("Content-Type", "").startswith("application/json") and raw:
            with contextlib.suppress(ValueError):
                body = json.loads(raw)
        answer = Answer(
            self.name,
            kind,
            request.get_method(),
            request.full_url.removeprefix(self.load.base),
            status,
            started,
            time.monotonic() - started,
            request_id,
            write,
            must_change,
            created=str(body.get("id", "")) if status == 201 and isinstance(body, dict) else "",
            location=headers.get("Location", ""),
            html=html,
        )
        self.load.record(answer)
        return answer, headers, body

    # --- the loop --------------------------------------------------------------------------

    def run(self, actions: list) -> None:
        while not self.load.stopping.is_set():
            action = self.rng.choice(actions)
            try:
                action(self, self.rng.choice(self.load.world.projects))
            except Exception as e:  # noqa: BLE001 - a client bug must show, not end the thread
                self.load.errors.append(f"{self.name}: {e.__class__.__name__}: {e}")
            time.sleep(self.load.pause)


# --- What the clients do ------------------------------------------------------------------------


def _get_then_patch(client: Client, name: str, path: str, data: dict) -> Answer | None:
    """GET a resource for its ETag, then PATCH it with If-Match (a 412 when someone was faster)."""
    answer, headers, _ = client.api(f"{name}-get", "GET", path)
    if answer.status != 200:
        return None
    return client.api(f"{name}-patch", "PATCH", path, data, write=True, must_change=True, If_Match=headers["ETag"])[0]


def tick_checklist_item(client: Client, project: Project) -> None:
    """GET an item for its ETag, then PATCH it to the opposite state with If-Match."""
    items = client.load.items[project.pk]
    item = client.rng.choice(items)
    _tick(client, item)


def _tick(client: Client, item: str) -> None:
    answer, headers, body = client.api("checklist-get", "GET", f"/api/v1/checklist-items/{item}/")
    if answer.status != 200:
        return
    client.api(
        "checklist-patch",
        "PATCH",
        f"/api/v1/checklist-items/{item}/",
        {"done": not body["done"]},
        write=True,
        must_change=True,
        If_Match=headers["ETag"],
    )


def tick_every_item(client: Client, project: Project) -> None:
    """The tight loop: every Scope item of the first project, one after another."""
    for item in client.load.items[client.load.world.projects[0].pk]:
        if client.load.stopping.is_set():
            return
        _tick(client, item)


def edit_project(client: Client, project: Project) -> None:
    _get_then_patch(client, "project", f"/api/v1/projects/{project.pk}/", {"description": f"Edited {uuid.uuid4().hex}"})


def create_and_update_risk(client: Client, project: Project) -> None:
    answer, _, body = client.api(
        "risk-create",
        "POST",
        f"/api/v1/projects/{project.pk}/risks/",
        {"title": f"Risk {uuid.uuid4().hex[:8]}", "category": "confabulation", "likelihood": 3, "impact": 2},
        write=True,
        must_change=True,
    )
    if answer.status != 201:
        return
    _get_then_patch(client, "risk", f"/api/v1/risks/{body['id']}/", {"title": f"Risk {uuid.uuid4().hex[:8]}", "likelihood": 4})


def save_artifact_versions(client: Client, project: Project) -> None:
    title, data = SAMPLES["stakeholder_workshop"]
    answer, _, body = client.api(
        "artifact-create",
        "POST",
        f"/api/v1/projects/{project.pk}/artifacts/",
        {"type": "stakeholder_workshop", "title": f"{title} {uuid.uuid4().hex[:6]}", "data": data},
        write=True,
        must_change=True,
    )
    if answer.status != 201:
        return
    for _ in range(2):
        if _get_then_patch(client, "artifact", f"/api/v1/artifacts/{body['id']}/", {"title": f"{title} v{uuid.uuid4().hex[:6]}"}) is None:
            return


def decide_signoff(client: Client, project: Project) -> None:
    answer, _, body = client.api("signoff-list", "GET", f"/api/v1/projects/{project.pk}/signoffs/")
    if answer.status != 200 or not body.get("results"):
        return
    signoff = client.rng.choice(body["results"])
    client.api(
        "signoff-decide",
        "POST",
        f"/api/v1/signoffs/{signoff['id']}/decision/",
        {"decision": client.rng.choice(["approved", "rejected"]), "comment": "Checked in the soak"},
        write=True,
        must_change=True,
    )


def request_review(client: Client, project: Project) -> None:
    gate = _current_gate(client, project)
    if gate:
        client.api(
            "review-request",
            "POST",
            f"/api/v1/gates/{gate['id']}/reviews/",
            {"justification": "Soak: asking before the score is in"},
            write=True,
            must_change=True,
        )


def vote(client: Client, project: Project) -> None:
    gate = _current_gate(client, project)
    if gate and gate.get("open_review"):
        client.api(
            "review-vote",
            "POST",
            f"/api/v1/reviews/{gate['open_review']}/votes/",
            {"decision": "recycle", "comment": "Soak: not yet"},
            write=True,
            must_change=True,
        )


def _current_gate(client: Client, project: Project) -> dict | None:
    answer, _, body = client.api("gate-list", "GET", f"/api/v1/projects/{project.pk}/gates/")
    if answer.status != 200:
        return None
    return next((g for g in body.get("results", []) if g.get("phase") == "scope"), None)


def add_and_remove_member(client: Client, project: Project) -> None:
    user = client.rng.choice(client.load.world.extra)
    answer, _, body = client.api(
        "member-add",
        "POST",
        f"/api/v1/projects/{project.pk}/members/",
        {"user": user.username, "role": "viewer"},
        write=True,
        must_change=True,
    )
    if answer.status != 201:
        return
    answer, headers, _ = client.api("member-get", "GET", f"/api/v1/members/{body['id']}/")
    if answer.status == 200:
        client.api("member-remove", "DELETE", f"/api/v1/members/{body['id']}/", write=True, must_change=True, If_Match=headers["ETag"])


def request_report(client: Client, project: Project) -> None:
    """Ask for the governance report: one job per project at a time, built by the heavy worker
    (a second ask while it runs is answered with the running job)."""
    client.api("report-request", "GET", f"/api/v1/projects/{project.pk}/report/", write=True)


def token_round_trip(client: Client, project: Project) -> None:
    """Make a short-lived token with the password, find it in the list, and revoke it."""
    answer, _, body = client.api(
        "token-create",
        "POST",
        "/api/v1/auth/token/",
        {"username": client.user.username, "password": PASSWORD, "name": "soak", "expires_in_days": 1},
        write=True,
        must_change=True,
    )
    if answer.status not in (200, 201) or not body.get("id"):
        return
    client.api("token-list", "GET", "/api/v1/tokens/")
    answer, headers, _ = client.api("token-get", "GET", f"/api/v1/tokens/{body['id']}/")
    if answer.status == 200:
        client.api("token-revoke", "DELETE", f"/api/v1/tokens/{body['id']}/", write=True, must_change=True, If_Match=headers["ETag"])


def form_toggle(client: Client, project: Project) -> None:
    item = client.rng.choice(client.load.items[project.pk])
    # The form says which state it wants; when someone else got there first nothing changes.
    client.form("form-toggle", f"/checklist-items/{item}/toggle/", {"done": client.rng.choice(["true", "false"])}, must_change=False)


def form_risk(client: Client, project: Project) -> None:
    client.form(
        "form-risk",
        f"/projects/{project.pk}/risks/new/",
        {
            "title": f"Form risk {uuid.uuid4().hex[:8]}",
            "category": "data-privacy",
            "phase_found": "scope",
            "likelihood": "2",
            "impact": "4",
            "treatment": "mitigate",
            "status": "open",
        },
    )


def form_project(client: Client, project: Project) -> None:
    client.form(
        "form-project",
        f"/projects/{project.pk}/edit/",
        {"name": project.name, "description": f"Edited in a form {uuid.uuid4().hex}", "start_date": project.start_date.isoformat()},
    )


# Answers that raise and lower the tier and change the role: a lower tier or another role waits
# for the compliance officer's sign-off, the others apply and rewrite the checklist's obligations.
CLASSIFICATIONS = [
    {"role": "deployer", "annex_iii_points": ["4a"]},
    {"role": "deployer", "transparency": ["art-50-1"]},
    {"role": "provider", "annex_iii_points": ["5b"], "transparency": ["art-50-2"]},
    {"role": "deployer"},
]


def classify(client: Client, project: Project) -> None:
    """PUT the EU AI Act questionnaire (every answer writes: a classification or a pending change)."""
    answers = client.rng.choice(CLASSIFICATIONS)
    path = f"/api/v1/projects/{project.pk}/classification/"
    client.api("classification-put", "PUT", path, {"answers": answers}, write=True, must_change=True)


def form_control_decision(client: Client, project: Project) -> None:
    """Decide an ISO/IEC 42001 control in the Statement of Applicability's form."""
    code = client.rng.choice(["A.2.2", "A.6.2.8", "A.10.3"])
    data = {"code": code, "applicable": "no", "justification": f"Not ours {uuid.uuid4().hex[:8]}"}
    client.form("form-soa", f"/projects/{project.pk}/statement-of-applicability/", data)


def read_pages(client: Client, project: Project) -> None:
    client.page("page-project", f"/projects/{project.pk}/")
    client.page("page-dashboard", "/")


# Who does what: (name, user picker, html, actions).
CLIENTS = [
    ("api-ticker", lambda w: w.contributors[0], False, [tick_checklist_item]),
    ("api-tight-loop", lambda w: w.contributors[1], False, [tick_every_item]),
    ("api-owner", lambda w: w.owner, False, [edit_project, request_review, add_and_remove_member, request_report, token_round_trip]),
    ("api-risks", lambda w: w.contributors[2], False, [create_and_update_risk, classify]),
    ("api-artifacts", lambda w: w.contributors[0], False, [save_artifact_versions]),
    ("api-approver-0", lambda w: w.approvers[0], False, [decide_signoff, vote]),
    ("api-approver-1", lambda w: w.approvers[1], False, [vote, decide_signoff]),
    ("html-contributor", lambda w: w.contributors[1], True, [form_toggle, form_risk, form_control_decision, read_pages]),
    ("html-owner", lambda w: w.owner, True, [form_project, read_pages]),
]


class Load:
    def __init__(self, world: World, base: str, pause: float = 0.01):
        self.world, self.base, self.pause = world, base, pause
        from phases.models import ChecklistItem

        self.items = {
            p.pk: [
                str(pk)
                for pk in ChecklistItem.objects.filter(phase__project=p, phase__key="scope").order_by("order").values_list("pk", flat=True)
            ]
            for p in world.projects
        }
        self.answers: list[Answer] = []
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.clients = [Client(name, self, pick(world), html) for name, pick, html, _ in CLIENTS]
        self._threads = [
            threading.Thread(target=client.run, args=(actions,), daemon=True)
            for client, (_, _, _, actions) in zip(self.clients, CLIENTS, strict=True)
        ]

    def record(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)

    def __enter__(self) -> Load:
        self.started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT + 10)
        self.stopped = time.monotonic()


# --- What must hold afterwards -------------------------------------------------------------------


def statuses(answers: list[Answer]) -> Counter:
    return Counter(a.status for a in answers)


def lost_writes(answers: list[Answer], *, unavailable_is_unknown: bool = False) -> list[str]:
    """Acknowledged writes without their audit event, and refused ones with one. With
    `unavailable_is_unknown` a 503 counts as "the client cannot know" (when the database
    connection is cut, a COMMIT may have reached the server while its answer was lost)."""
    problems = []
    audited = set(AuditEvent.objects.exclude(request_id="").values_list("request_id", flat=True))
    for a in answers:
        if not a.write or a.status == 0 or (unavailable_is_unknown and a.status == 503):
            continue  # no answer: the client cannot know, so neither outcome is wrong
        if a.acknowledged and a.must_change and a.request_id not in audited:
            problems.append(f"acknowledged but not recorded: {a.method} {a.path} -> {a.status}")
        if not a.acknowledged and a.request_id in audited:
            problems.append(f"refused but written: {a.method} {a.path} -> {a.status}")
    return problems


def feed_problems(client: Client) -> list[str]:
    """Read the whole change feed as the administrator: every row once, in order, none missing."""
    seqs: list[int] = []
    url = "/api/v1/changes/?since=0&page_size=200"
    while url:
        answer, _, body = client.api("feed", "GET", url.removeprefix(client.load.base))
        if answer.status != 200:
            return [f"the feed answered {answer.status}"]
        seqs += [row["seq"] for row in body["results"]]
        url = body["next"]
    problems = []
    if len(seqs) != len(set(seqs)):
        problems.append(f"{len(seqs) - len(set(seqs))} feed rows repeated")
    if seqs != sorted(seqs):
        problems.append("feed rows out of order")
    expected = set(ChangeRecord.objects.filter(Q(audience=None) | Q(audience=client.user.pk)).values_list("seq", flat=True))
    missing = expected - set(seqs)
    if missing:
        problems.append(f"{len(missing)} feed rows missing, e.g. {sorted(missing)[:5]}")
    return problems


def stale_gates(world: World) -> int:
    return Gate.objects.filter(
        project__in=world.projects, stale=True, phase__status__in=OPEN_PHASES, project__status=Project.Status.ACTIVE
    ).count()


def unsettled_deliveries(world: World) -> int:
    return WebhookDelivery.objects.filter(endpoint__project__in=world.projects, status=WebhookDelivery.Status.PENDING).count()


def deadlocks() -> int:
    """Deadlocks PostgreSQL detected in this database so far (its statistics lag by up to a second)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def retries_logged(stack: Stack) -> int:
    return sum(s.log().count("transient conflict in") for s in stack.services)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def wait_settled(world: World, timeout: float) -> float:
    """Seconds until no open gate is stale and no delivery is pending."""
    started = time.monotonic()
    wait_for(lambda: stale_gates(world) == 0 and unsettled_deliveries(world) == 0, timeout=timeout, message="gates and webhooks to settle")
    return time.monotonic() - started
