"""The authorisation matrix: every URL of the URLconf, as every persona, against the table of
PRODUCT.md (Roles and permissions).

The URLconf is walked with `get_resolver()`, UI, API and admin alike, and each URL must have an
entry in ROUTES (or ADMIN_ROUTES): a URL added without one fails
`test_every_url_has_an_expectation`, and an entry whose URL is gone fails it too. Each entry names
the fixture object its `id` points at and, per method, the capability it needs and the status the
personas who have it get; the others get what the capability says (anonymous: 302 to the login
page in the UI, 401 in the API; outsiders 404 for anything inside a project, so that a project's
existence does not leak; members without the role 403). Writes run inside a savepoint that is
rolled back, so every persona meets the same state. A 500 fails, whoever asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from lifecycle import services
from sample_data.artifacts import SAMPLES
from tests.conftest import PASSWORD

PERSONAS = ("anonymous", "outsider", "viewer", "contributor", "approver", "owner", "portfolio_viewer", "admin")
MEMBERS = ("viewer", "contributor", "approver", "owner")

# Capabilities: who passes. Everyone else inside the project gets 403, outsiders 404, anonymous
# callers the login redirect (UI) or 401 (API), unless the capability says otherwise.
Cap = Callable[[str], "int | None"]  # persona -> status it gets when denied, or None when allowed


def _project(allowed: set[str]) -> Cap:
    def cap(persona: str) -> int | None:
        if persona in allowed:
            return None
        return 404 if persona == "outsider" else 403

    return cap


PUBLIC: Cap = lambda persona: None  # noqa: E731
USER: Cap = lambda persona: None  # noqa: E731  (anonymous is handled by the runner)
VIEW = _project({*MEMBERS, "portfolio_viewer", "admin"})
MANAGE = _project({"owner", "admin"})  # edit, members, webhooks, delete, resume; reviews and recompute too
CONTRIBUTE = _project({"owner", "contributor", "admin"})
APPROVE = _project({"approver", "admin"})
COMMENT = _project({"owner", "contributor", "approver", "admin"})
ARTIFACT_OWNER = _project({"contributor", "owner", "admin"})  # bob owns the artifact; owners and admins manage
NAMED_APPROVER = _project({"approver"})  # votes, sign-offs by function, feedback asked of ava: admins too get 403
PROJECT_ADMIN = _project({"admin"})  # advancing a phase by hand: inside a project, so outsiders still 404


def ADMIN(persona: str) -> int | None:  # noqa: N802
    """Restore, trash, whole audit log, global webhooks: 403 for everyone but administrators."""
    return None if persona == "admin" else 403


def ADMIN_HIDDEN(persona: str) -> int | None:  # noqa: N802
    """A global webhook is invisible to everyone else."""
    return None if persona == "admin" else 404


def SELF(persona: str) -> int | None:  # noqa: N802
    """alice's own token: nobody else finds it."""
    return None if persona == "owner" else 404


def ANONYMOUS_ONLY(persona: str) -> int | None:  # noqa: N802
    """The login page sends people already signed in home."""
    return None if persona == "anonymous" else 302


@dataclass(frozen=True)
class Call:
    method: str
    cap: Cap
    ok: int | tuple[int, ...]
    body: dict | None = None
    query: str = ""
    fresh_client: bool = False  # the call ends the session (logout)


def get(cap: Cap, ok: int | tuple[int, ...] = 200, query: str = "") -> Call:
    return Call("get", cap, ok, query=query)


def post(cap: Cap, ok: int = 302, body: dict | None = None, **kw: Any) -> Call:
    return Call("post", cap, ok, body or {}, **kw)


def patch(cap: Cap, ok: int = 200, body: dict | None = None) -> Call:
    return Call("patch", cap, ok, body or {})


def delete(cap: Cap, ok: int = 204) -> Call:
    return Call("delete", cap, ok)


def put(cap: Cap, ok: int = 200, body: dict | None = None) -> Call:
    return Call("put", cap, ok, body or {})


@dataclass(frozen=True)
class Route:
    target: str | None  # the fixture object the URL's `id` is, or None
    calls: tuple[Call, ...]
    kwargs: dict = field(default_factory=dict)


def R(target: str | None, *calls: Call, **kwargs: Any) -> Route:  # noqa: N802
    return Route(target, calls, kwargs)


RISK_FORM = {
    "title": "New",
    "category": "data-privacy",
    "phase_found": "scope",
    "likelihood": "2",
    "impact": "2",
    "treatment": "mitigate",
    "status": "open",
}
INCIDENT_FORM = {"title": "Slow", "occurred_on": "2026-01-03", "severity": "low", "description": "Slow answers", "affected_users": "0"}
PROJECT_FORM = {"name": "Renamed", "description": "", "tags": "a, b"}
WEBHOOK_FORM = {"url": "https://hooks.example.com/new", "events": ["project.updated"]}
WEBHOOK_BODY = {"url": "https://hooks.example.com/new", "events": ["project.updated"]}

ROUTES: dict[str, Route] = {
    # Accounts and the shell
    "home": R(None, get(USER)),
    "healthz": R(None, get(PUBLIC)),
    "login": R(None, get(ANONYMOUS_ONLY)),
    "logout": R(None, post(PUBLIC, 200, fresh_client=True)),
    "password_change": R(None, get(USER)),
    "password_change_done": R(None, get(USER)),
    "password_reset": R(None, get(PUBLIC)),
    "password_reset_done": R(None, get(PUBLIC)),
    "password_reset_confirm": R(None, get(PUBLIC), uidb64="MQ", token="set-password"),
    "password_reset_complete": R(None, get(PUBLIC)),
    "readyz": R(None, get(PUBLIC, (200, 503))),  # 503 while no worker answers
    "metrics": R(None, get(PUBLIC, (200, 403))),  # by client address or metrics token, not by user
    # The API's schema and its docs are public.
    "schema": R(None, get(PUBLIC)),
    "api-docs": R(None, get(PUBLIC)),
    # lifecycle
    "lifecycle:project-list": R(None, get(USER), get(USER, query="format=csv")),
    "lifecycle:project-create": R(None, get(USER), post(USER, body={"name": "Another"})),
    "lifecycle:project-trash": R(None, get(ADMIN)),
    "lifecycle:project-detail": R("project", get(VIEW)),
    "lifecycle:project-edit": R("project", get(MANAGE), post(MANAGE, body=PROJECT_FORM)),
    "lifecycle:project-delete": R("project", get(MANAGE), post(MANAGE)),
    "lifecycle:project-restore": R("trashed", post(ADMIN)),
    "lifecycle:project-resume": R("project", post(MANAGE)),
    "lifecycle:project-advance": R("project", get(PROJECT_ADMIN), post(PROJECT_ADMIN, body={"reason": "Signed off on paper"})),
    "lifecycle:member-list": R("project", get(VIEW), post(MANAGE, body={"user": "dora", "role": "viewer"})),
    "lifecycle:member-edit": R("member", get(MANAGE), post(MANAGE, body={"role": "viewer"})),
    "lifecycle:member-remove": R("member", get(MANAGE), post(MANAGE)),
    "lifecycle:inbox": R(None, get(USER)),
    "lifecycle:project-activity": R("project", get(VIEW)),
    "lifecycle:audit-log": R(None, get(ADMIN)),
    "lifecycle:audit-verify": R(None, post(ADMIN)),
    "lifecycle:job-status": R("job", get(VIEW)),
    "lifecycle:job-download": R("job", get(VIEW)),
    "lifecycle:account": R(None, get(USER), post(USER, 200, body={"name": "ci"})),
    "lifecycle:token-revoke": R("token", get(SELF), post(SELF)),
    "lifecycle:notification-settings": R(None, post(USER)),
    "lifecycle:notification-list": R(None, get(USER)),
    "lifecycle:notifications-read": R(None, post(USER)),
    # phases
    "phases:phase-detail": R("phase", get(VIEW)),
    "phases:phase-progress": R("phase", get(VIEW)),
    "phases:phase-dates": R("phase", post(MANAGE, body={"planned_start": "2026-01-01", "planned_end": "2026-02-01"})),
    "phases:checklist-item-toggle": R("item", post(CONTRIBUTE, body={"done": "on"})),
    "phases:checklist-item-update": R("item", post(CONTRIBUTE, body={"note": "Done in the workshop", "evidence_links": ""})),
    "phases:checklist-export": R("project", get(VIEW, query="format=csv"), get(VIEW, query="format=xlsx")),
    "phases:artifact-list": R("project", get(VIEW)),
    "phases:artifact-create": R(
        "project",
        get(CONTRIBUTE),
        get(CONTRIBUTE, query="type=scope_document"),
        post(CONTRIBUTE, 200, {"type": "scope_document", "title": "X"}),
    ),
    "phases:artifact-detail": R("artifact", get(VIEW)),
    "phases:artifact-edit": R("artifact", get(CONTRIBUTE), post(CONTRIBUTE, 200, {"title": ""})),
    "phases:artifact-submit": R("artifact", post(CONTRIBUTE)),
    "phases:artifact-approve": R("in_review", post(APPROVE, body={"comment": "Fine"})),
    "phases:artifact-send-back": R("in_review", post(APPROVE, body={"comment": "More detail"})),
    "phases:artifact-comment": R("artifact", post(COMMENT, body={"body": "Looks good"})),
    "phases:attachment-upload": R("artifact", post(CONTRIBUTE)),
    "phases:feedback-ask": R("artifact", post(ARTIFACT_OWNER, body={"message": "Thoughts?"})),
    "phases:artifact-version": R("artifact", get(VIEW), number=1),
    "phases:artifact-diff": R("artifact", get(VIEW)),
    "phases:attachment-download": R("attachment", get(VIEW)),
    "phases:feedback-answer": R("feedback", post(NAMED_APPROVER, body={"answer": "Add the budget"})),
    # governance
    "governance:portfolio-risks": R(None, get(USER), get(USER, query="format=xlsx")),
    "governance:gate-detail": R("gate", get(VIEW)),
    "governance:gate-recompute": R("gate", post(MANAGE)),
    "governance:review-request": R("gate", post(MANAGE)),
    "governance:review-list": R(None, get(USER)),
    "governance:review-detail": R("review", get(VIEW), post(NAMED_APPROVER, body={"decision": "go"})),
    "governance:review-withdraw": R("review", get(MANAGE), post(MANAGE)),
    "governance:risk-list": R("project", get(VIEW), get(VIEW, query="format=csv")),
    "governance:risk-create": R("project", get(CONTRIBUTE), post(CONTRIBUTE, body=RISK_FORM)),
    "governance:risk-category-create": R("project", post(CONTRIBUTE, body={"name": "Vendor lock-in"})),
    "governance:risk-detail": R("risk", get(VIEW)),
    "governance:risk-edit": R("risk", get(CONTRIBUTE), post(CONTRIBUTE, body=RISK_FORM)),
    "governance:risk-accept": R("risk", post(APPROVE, body={"expires_on": "2099-01-01", "comment": "Contained"})),
    "governance:signoff-list": R("project", get(VIEW)),
    "governance:signoff-detail": R("signoff", get(VIEW), post(NAMED_APPROVER, 200, {"decision": "approved"})),
    "governance:compliance": R("project", get(VIEW)),
    "governance:classification": R("project", get(VIEW), post(CONTRIBUTE, body={"profiling": "on"})),
    "governance:soa": R("project", get(VIEW), post(CONTRIBUTE, body={"code": "A.2.2", "applicable": "yes"})),
    "governance:post-launch": R(
        "project", get(VIEW), post(MANAGE, body={"bias_audit_every_days": "30", "monitoring_review_every_days": "30"})
    ),
    "governance:report": R("project", get(VIEW), post(VIEW)),
    "governance:report-json": R("job", get(VIEW)),
    "governance:post-launch-task-complete": R("task", post(CONTRIBUTE, body={"notes": "No drift found"})),
    "governance:incident-create": R("project", get(CONTRIBUTE), post(CONTRIBUTE, body=INCIDENT_FORM)),
    "governance:incident-detail": R("incident", get(VIEW)),
    "governance:incident-edit": R("incident", get(CONTRIBUTE), post(CONTRIBUTE, body=INCIDENT_FORM)),
    "governance:webhook-list": R("project", get(MANAGE), post(MANAGE, body=WEBHOOK_FORM)),
    "governance:webhook-global-list": R(None, get(ADMIN), post(ADMIN, body=WEBHOOK_FORM)),
    "governance:webhook-detail": R("webhook", get(MANAGE), post(MANAGE, body=WEBHOOK_FORM)),
    "governance:webhook-toggle": R("webhook", post(MANAGE, body={"enabled": "0"})),
    "governance:webhook-rotate": R("webhook", get(MANAGE), post(MANAGE)),
    "governance:webhook-delete": R("webhook", get(MANAGE), post(MANAGE)),
    "governance:delivery-resend": R("delivery", post(MANAGE)),
    # API: lifecycle
    "lifecycle-api:token-create": R(None, post(PUBLIC, 200, {"username": "alice", "password": PASSWORD, "name": "ci"})),
    "lifecycle-api:token-list": R(None, get(USER)),
    # Only alice can read her token's ETag, so the matrix sends no If-Match: 428 once it is found.
    "lifecycle-api:token-detail": R("token", get(SELF), delete(SELF, 428)),
    "lifecycle-api:project-list": R(None, get(USER), post(USER, 201, {"name": "Another"})),
    "lifecycle-api:project-detail": R("project", get(VIEW), patch(MANAGE, body={"description": "Edited"}), delete(MANAGE)),
    # Not on hold: the state rule answers 409, after the permission check.
    "lifecycle-api:project-resume": R("project", post(MANAGE, 409)),
    "lifecycle-api:member-list": R("project", get(VIEW), post(MANAGE, 201, {"user": "dora", "role": "viewer"})),
    "lifecycle-api:member-detail": R("member", get(VIEW), patch(MANAGE, body={"role": "viewer"}), delete(MANAGE)),
    "lifecycle-api:job-detail": R("job", get(VIEW)),
    "lifecycle-api:inbox": R(None, get(USER)),
    "lifecycle-api:template-list": R(None, get(USER)),
    "lifecycle-api:change-list": R(None, get(USER, query="since=0")),
    "lifecycle-api:audit-event-list": R(None, get(VIEW, query="project={project}")),
    # API: phases
    "phases-api:project-phases": R("project", get(VIEW)),
    "phases-api:project-checklist-items": R("project", get(VIEW)),
    "phases-api:checklist-item-detail": R("item", get(VIEW), patch(CONTRIBUTE, body={"done": True})),
    "phases-api:project-artifacts": R(
        "project",
        get(VIEW),
        post(CONTRIBUTE, 201, {"type": "scope_document", "title": SAMPLES["scope_document"][0], "data": SAMPLES["scope_document"][1]}),
    ),
    "phases-api:artifact-detail": R("artifact", get(VIEW), patch(CONTRIBUTE, body={"title": "Renamed"})),
    "phases-api:artifact-submit": R("artifact", post(CONTRIBUTE, 200)),
    "phases-api:artifact-approve": R("in_review", post(APPROVE, 200, {"comment": "Fine"})),
    "phases-api:artifact-send-back": R("in_review", post(APPROVE, 200, {"comment": "More detail"})),
    # API: governance
    "governance-api:project-risks": R(
        "project", get(VIEW), post(CONTRIBUTE, 201, {"title": "New", "category": "confabulation", "likelihood": 2, "impact": 2})
    ),
    "governance-api:risk-detail": R("risk", get(VIEW), patch(CONTRIBUTE, body={"title": "Renamed"})),
    "governance-api:risk-accept": R("risk", post(APPROVE, 200, {"expires_on": "2099-01-01", "comment": "Contained"})),
    "governance-api:project-signoffs": R("project", get(VIEW)),
    "governance-api:signoff-detail": R("signoff", get(VIEW)),
    "governance-api:signoff-decision": R(
        "signoff",
        post(
            NAMED_APPROVER, 200, {"decision": "approved", "comment": "ok", "evidence": [{"type": "link", "url": "https://wiki.example/x"}]}
        ),
    ),
    "governance-api:project-incidents": R(
        "project",
        get(VIEW),
        post(CONTRIBUTE, 201, {"title": "Slow", "occurred_on": "2026-02-01", "severity": "low", "description": "Slow"}),
    ),
    "governance-api:incident-detail": R("incident", get(VIEW), patch(CONTRIBUTE, body={"title": "Renamed"})),
    "governance-api:project-gates": R("project", get(VIEW)),
    "governance-api:gate-detail": R("gate", get(VIEW)),
    "governance-api:gate-readiness": R("gate", get(VIEW), post(MANAGE, 202)),
    # The gate already has an open review: 409 once the permission check has passed.
    "governance-api:gate-reviews": R("gate", post(MANAGE, 409, {"justification": "Early"})),
    "governance-api:review-detail": R("review", get(VIEW)),
    "governance-api:review-votes": R("review", post(NAMED_APPROVER, 201, {"decision": "go", "comment": ""})),
    "governance-api:review-withdraw": R("review", post(MANAGE, 200)),
    "governance-api:project-webhooks": R("project", get(MANAGE), post(MANAGE, 201, WEBHOOK_BODY)),
    "governance-api:webhook-list": R(None, get(ADMIN), post(ADMIN, 201, WEBHOOK_BODY)),
    "governance-api:webhook-detail": R("webhook", get(MANAGE), patch(MANAGE, body={"enabled": False}), delete(MANAGE)),
    "governance-api:webhook-rotate-secret": R("webhook", post(MANAGE, 200)),
    "governance-api:webhook-deliveries": R("webhook", get(MANAGE)),
    "governance-api:delivery-resend": R("delivery", post(MANAGE, 201)),
    "governance-api:project-compliance": R("project", get(VIEW)),
    "governance-api:project-classification": R("project", get(VIEW), put(CONTRIBUTE, body={"answers": {"role": "deployer"}})),
    "governance-api:project-report": R("project", get(VIEW, 202)),
}

# The admin site: staff only; everyone else is sent to the admin's own login page.
ADMIN_NAMESPACE = "admin"


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            yield name or prefix + str(pattern.pattern), prefix + str(pattern.pattern)


def url_names() -> set[str]:
    """Every named URL of the URLconf (unnamed ones by their route), admin included."""
    return {name for name, _ in _walk(get_resolver().url_patterns)}


def _admin_names() -> set[str]:
    return {n for n in url_names() if n.startswith(f"{ADMIN_NAMESPACE}:") or n.startswith("admin/")}


def test_every_url_has_an_expectation():
    """A URL added to the URLconf without an entry in ROUTES fails here (and so does an entry
    whose URL is gone): nobody adds a page or endpoint without saying who may call it."""
    names = url_names() - _admin_names()
    assert sorted(names - set(ROUTES)) == [], "URLs with no entry in the authorisation matrix"
    assert sorted(set(ROUTES) - names) == [], "entries of the authorisation matrix whose URL is gone"
    # The admin site is covered by its own test below: every URL of it is staff-only.
    assert _admin_names()


def _clients(personas: dict) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for role in PERSONAS[1:]:
        client = Client()
        client.force_login(personas[role])
        clients[role] = client
    return clients


def _api_clients(personas: dict) -> dict[str, APIClient]:
    clients = {"anonymous": APIClient()}
    for role in PERSONAS[1:]:
        _, raw = services.token_create(user=personas[role], name="matrix")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        clients[role] = client
    return clients


def _expected(name: str, call: Call, persona: str) -> int | tuple[int, ...]:
    api = "-api:" in name
    if persona == "anonymous" and call.cap not in (PUBLIC, ANONYMOUS_ONLY):
        return 401 if api else 302
    denied = call.cap(persona)
    return call.ok if denied is None else denied


def _run(client: Any, name: str, route: Route, call: Call, objects: dict, etag: str | None, api: bool) -> Any:
    kwargs = dict(route.kwargs)
    if route.target:
        kwargs["id"] = objects[route.target].pk
    url = reverse(name, kwargs=kwargs or None)
    if call.query:
        url += "?" + call.query.format(project=objects["project"].pk)
    extra = {"HTTP_IF_MATCH": etag} if etag and call.method in ("patch", "delete") else {}
    if api:
        return getattr(client, call.method)(url, call.body, format="json", **extra)
    return getattr(client, call.method)(url, call.body, **extra) if call.body is not None else client.get(url)


def _leaks(response: Any, project: Any) -> bool:
    if getattr(response, "streaming", False):
        return False
    return str(project.pk).encode() in response.content or project.name.encode() in response.content


def _check(persona_clients: dict, names: list[str], objects: dict, personas: dict, api: bool) -> list[str]:
    problems = []
    for name in names:
        route = ROUTES[name]
        for call in route.calls:
            etag = None
            if api and call.method in ("patch", "delete"):
                etag = _run(persona_clients["admin"], name, route, get(VIEW), objects, None, api).get("ETag")
            # What is public does not depend on who asks: three of them suffice.
            for persona in ("anonymous", "outsider", "admin") if call.cap is PUBLIC else PERSONAS:
                client = persona_clients[persona]
                if call.fresh_client and persona != "anonymous":
                    client = Client()
                    client.force_login(personas[persona])
                want = _expected(name, call, persona)
                try:
                    with transaction.atomic():
                        response = _run(client, name, route, call, objects, etag, api)
                        transaction.set_rollback(True)
                except Exception as e:  # noqa: BLE001  (a 500: reported with the others)
                    problems.append(f"{call.method.upper()} {name} as {persona}: raised {e!r}")
                    continue
                got = response.status_code
                if got != want and not (isinstance(want, tuple) and got in want):
                    problems.append(f"{call.method.upper()} {name} as {persona}: {got}, expected {want}")
                elif persona == "outsider" and got == 200 and _leaks(response, objects["project"]):
                    problems.append(f"{call.method.upper()} {name} as outsider: shows alice's project")
                elif got == 302 and persona == "anonymous" and not api and not response["Location"].startswith(reverse("login")):
                    problems.append(f"{call.method.upper()} {name} as anonymous: redirected to {response['Location']}")
                if api and got >= 400 and got != 405:
                    body = response.json()
                    if not {"message", "code"} <= set(body):
                        problems.append(f"{call.method.upper()} {name} as {persona}: error body {body}")
    return problems


def _personas(alice, bob, ava, vic, paula, adam, charlie) -> dict:
    return {
        "owner": alice,
        "contributor": bob,
        "approver": ava,
        "viewer": vic,
        "portfolio_viewer": paula,
        "admin": adam,
        "outsider": charlie,
    }


@pytest.fixture
def people(alice, bob, ava, vic, paula, adam, charlie) -> dict:
    return _personas(alice, bob, ava, vic, paula, adam, charlie)


def test_every_page_answers_each_persona_as_the_table_says(objects, people):
    names = [n for n in ROUTES if "-api:" not in n]
    problems = _check(_clients(people), names, objects, people, api=False)
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems[:80])


def test_every_endpoint_answers_each_persona_as_the_table_says(objects, people):
    names = [n for n in ROUTES if "-api:" in n]
    problems = _check(_api_clients(people), names, objects, people, api=True)
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems[:80])


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        obj = model._default_manager.first()
        if obj is not None:
            for view in ("change", "history", "delete"):
                urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk]))
    return urls


def test_the_admin_site_is_for_staff_only(objects, people):
    """Every admin page: administrators get it (or a 403 where the model admin refuses the action,
    such as adding audit events); everyone else is sent to the admin's login page."""
    clients = _clients(people)
    problems = []
    login = reverse("admin:login")
    for url in _admin_urls():
        for persona in PERSONAS:
            response = clients[persona].get(url)
            got = response.status_code
            if persona == "admin":
                if got not in (200, 302, 403):
                    problems.append(f"GET {url} as admin: {got}")
            elif got != 302 or not response["Location"].startswith(login):
                problems.append(f"GET {url} as {persona}: {got} {response.get('Location', '')}")
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems[:80])
