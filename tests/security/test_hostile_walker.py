"""Every page and every form, as every persona, with hostile values: no 500, and no change
written by a request that was refused.

The HTML counterpart of the API's schemathesis run. The URLs are the authorisation matrix's
ROUTES (which `test_every_url_has_an_expectation` keeps complete), so a page added to the
URLconf is walked here too. For each page:

- GET: every query parameter any page reads (and every field of the page's own GET forms) set to
  each hostile value, all at once and, for the personas allowed in, one at a time;
- POST: every field of the route's table body and of every form on the site that posts to the
  URL (found by reading the rendered pages), set to each hostile value, all at once and, for the
  personas allowed in, one at a time on an otherwise valid body.

Each request runs in a savepoint that is rolled back, so every persona meets the same state. A
request that was refused (any 4xx) must leave no row written: PostgreSQL's per-transaction
statistics (pg_stat_xact_user_tables) count the rows inserted, updated and deleted, and they must
not move.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.security.test_authz_matrix import PERSONAS, ROUTES, Call, Route, _expected, _personas

HOSTILE = {
    "nul": "a\x00b",
    "long": "x" * 100_000,
    "huge": "9" * 40,
    "negative": "-99999999999999",
    "bad_id": "../00000000-zzzz",
    "bad_date": "2026-13-45",
    "json": "[" * 2000 + "]" * 2000,
}
# Every query parameter a page reads (checked against the code by `test_the_walk_knows_every_query_parameter`).
QUERY_PARAMS = (
    "q",
    "page",
    "sort",
    "status",
    "phase",
    "tag",
    "owner",
    "updated_since",
    "level",
    "category",
    "likelihood",
    "impact",
    "job",
    "done",
    "from",
    "to",
    "type",
    "action",
    "actor",
    "project",
    "since",
    "until",
    "template",
    "tier",
)
# Parameters that switch a page into another mode (an export, a fragment): walked one at a time,
# so that they do not hide what the others do.
MODE_PARAMS = ("format", "part")
# Values every persona sends; the rest only those allowed in.
REFUSED_VALUES = ("nul", "huge", "bad_id")
# Values each query parameter gets on its own (a long one is refused by the request-line limit).
SINGLE_QUERY_VALUES = ("nul", "huge", "bad_id", "bad_date")
# Who walks one value at a time: the first of these the page lets in.
WALKERS = ("owner", "admin", "approver", "contributor", "viewer", "portfolio_viewer", "outsider", "anonymous")
# Tables a request may write whoever it is and whatever it is answered: the session.
ALWAYS_WRITTEN = {"django_session"}
UI_ROUTES = sorted(n for n in ROUTES if "-api:" not in n and n not in ("logout", "healthz", "readyz", "metrics", "schema", "api-docs"))


class _Forms(HTMLParser):
    """The forms of a page: (method, action, field names)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []
        self._open: tuple[str, str, set[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._open = ((a.get("method") or "get").lower(), a.get("action") or "", set())
            self.forms.append(self._open)
        elif tag in ("input", "select", "textarea", "button") and self._open and a.get("name") not in (None, "csrfmiddlewaretoken"):
            self._open[2].add(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def _url(name: str, route: Route, objects: dict) -> str:
    kwargs = dict(route.kwargs)
    if route.target:
        kwargs["id"] = objects[route.target].pk
    return reverse(name, kwargs=kwargs or None)


def _written() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables WHERE relname <> ALL(%s)",
            [list(ALWAYS_WRITTEN)],
        )
        return int(cursor.fetchone()[0])


_DISCOVERED: dict[str, set[str]] = {}


def _discover(clients: dict[str, Client], objects: dict) -> dict[str, set[str]]:
    """Field names by method and URL name of the form's action, from every page as the
    administrator, the owner and the approver see it. Read once per test process."""
    if _DISCOVERED:
        return _DISCOVERED
    fields = _DISCOVERED
    for name in UI_ROUTES:
        route = ROUTES[name]
        if not any(c.method == "get" for c in route.calls):
            continue
        url = _url(name, route, objects)
        for persona in ("admin", "owner", "approver"):
            response = clients[persona].get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(response.content.decode(errors="replace"))
            for method, action, names in parser.forms:
                try:
                    match = resolve(urlsplit(action).path or url)
                except Resolver404:
                    continue
                key = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
                fields.setdefault(f"{method} {key}", set()).update(names)
    return fields


def _request(client: Client, call: Call, url: str, query: dict | None, body: dict | None) -> tuple[int, bool]:
    """(status, rows written), the request's changes rolled back."""
    target = url + ("?" + urlencode(query, doseq=True) if query else "")
    with transaction.atomic():
        before = _written()
        response = client.post(target, body or {}) if call.method == "post" else client.get(target)
        wrote = _written() != before
        transaction.set_rollback(True)
    return response.status_code, wrote


def _walk(name: str, objects: dict, people: dict) -> list[str]:
    clients = {"anonymous": Client(raise_request_exception=False)}
    for persona in PERSONAS[1:]:
        clients[persona] = Client(raise_request_exception=False)
        clients[persona].force_login(people[persona])
    fields = _discover(clients, objects)
    route = ROUTES[name]
    url = _url(name, route, objects)
    problems: list[str] = []

    def attempt(persona: str, call: Call, what: str, query: dict | None, body: dict | None) -> None:
        try:
            status, wrote = _request(clients[persona], call, url, query, body)
        except Exception as e:  # noqa: BLE001 - reported with the rest
            problems.append(f"{call.method.upper()} {name} {what} as {persona}: raised {e!r}")
            return
        if status >= 500:
            problems.append(f"{call.method.upper()} {name} {what} as {persona}: {status}")
        elif 400 <= status < 500 and wrote:
            problems.append(f"{call.method.upper()} {name} {what} as {persona}: refused with {status} but wrote rows")

    for call in route.calls:
        base_query = dict(pair.split("=", 1) for pair in call.query.split("&")) if call.query else {}
        if call.method == "get":
            own = fields.get(f"get {name}", set()) - set(MODE_PARAMS)
            params = sorted(set(QUERY_PARAMS) | own)
        else:
            params = sorted(set(call.body or {}) | fields.get(f"post {name}", set()))
        walker = next((p for p in WALKERS if _expected(name, call, p) == call.ok), None)
        for persona in PERSONAS:
            allowed = _expected(name, call, persona) == call.ok
            for label, value in HOSTILE.items():
                if not allowed and label not in REFUSED_VALUES:
                    continue  # refused before anything is read: a few values show it
                if call.method == "get":
                    attempt(persona, call, f"all query params {label}", {**dict.fromkeys(params, value), **base_query}, None)
                else:
                    attempt(persona, call, f"all fields {label}", base_query, dict.fromkeys(params, value))
        if walker is None:
            continue
        # One at a time, as one persona allowed in, on an otherwise valid request: a value that
        # makes a page bail out early cannot hide what another one does.
        for label, value in HOSTILE.items():
            if call.method == "get":
                for param in (*MODE_PARAMS, *params) if label in SINGLE_QUERY_VALUES else ():
                    attempt(walker, call, f"?{param}={label}", {**base_query, param: value}, None)
            else:
                for param in params:
                    attempt(walker, call, f"{param}={label}", base_query, {**(call.body or {}), param: value})
    return problems


@pytest.fixture
def people(alice, bob, ava, vic, paula, adam, charlie) -> dict:
    return _personas(alice, bob, ava, vic, paula, adam, charlie)


@pytest.mark.parametrize("name", UI_ROUTES)
def test_no_hostile_value_gives_a_500_or_a_refused_write(name, objects, people):
    problems = _walk(name, objects, people)
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_the_admin_answers_hostile_queries_without_a_500(objects, adam):
    """The admin site's lists (search, paging, ordering, filters) and object pages, with hostile
    values, as an administrator (everyone else is sent to its login page: the matrix's test)."""
    from django.contrib import admin

    client = Client(raise_request_exception=False)
    client.force_login(adam)
    problems = []
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        for label, value in HOSTILE.items():
            for query in ({"q": value}, {"p": value}, {"o": value}, {"id__exact": value}):
                status, _ = _request(client, Call("get", lambda p: None, 200), changelist, query, None)
                if status >= 500:
                    problems.append(f"GET {changelist} {next(iter(query))}={label}: {status}")
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[value[:200]])
            status, _ = _request(client, Call("get", lambda p: None, 200), change, None, None)
            if status >= 500:
                problems.append(f"GET {change[:80]} ({label}): {status}")
    assert problems == [], "\n".join(problems[:60])


def test_the_walk_knows_every_query_parameter():
    """Every parameter a page reads, through a QueryForm or straight from request.GET, is one the
    walk sends: a new filter cannot escape it."""
    import re
    from pathlib import Path

    from lifecycle.forms import QueryForm

    def subclasses(cls: type) -> list[type]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    import governance.forms  # noqa: F401 - their QueryForms register as subclasses
    import lifecycle.views.audit  # noqa: F401
    import phases.views.artifacts  # noqa: F401

    read = {name for form in subclasses(QueryForm)[1:] for name in form().fields}
    root = Path(__file__).resolve().parents[2]
    for app in ("lifecycle", "phases", "governance"):
        for path in (root / app).rglob("*.py"):
            read |= set(re.findall(r"request\.GET(?:\.get\(|\[)\"([a-z_]+)\"", path.read_text()))
    assert read, "no query parameter found: the search is broken"
    assert sorted(read - set(QUERY_PARAMS) - set(MODE_PARAMS)) == []
