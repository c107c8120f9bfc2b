"""htmx and partials: one helper (`render_partial_or_page`) decides, for every view with a partial,
that an htmx request gets the partial and a boosted or plain request the whole page; and the
endpoints that htmx polls build only what they render, in a fixed number of queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from django.urls import reverse

from governance.models import Gate
from governance.services import readiness
from lifecycle.models import Job, Project
from phases import services as phases_services
from phases.models import ChecklistItem
from tests.conftest import make_user
from tests.helpers import QueryCount, assert_partial, count_queries

PLAIN: dict[str, str] = {}
HTMX = {"HTTP_HX_REQUEST": "true"}
BOOSTED = {"HTTP_HX_REQUEST": "true", "HTTP_HX_BOOSTED": "true"}

# Exact queries of each poll: the session, the user, the polled row with its project, the
# membership that lets the user see it, and (the progress bar) one count of the checklist.
POLL_BUDGETS = {
    "gate readiness": 4,
    "job progress": 4,
    "job progress, finished": 4,
    "phase progress": 5,
}


def scope_gate(project: Project) -> Gate:
    return Gate.objects.get(project=project, phase__key="scope")


def stale_gate(project: Project) -> Gate:
    """The scope gate, scored and then changed: its readiness panel polls itself."""
    gate = scope_gate(project)
    readiness.gate_assess(gate.pk)
    bob = project.memberships.get(role="contributor").user
    phases_services.checklist_item_set_done(item=ChecklistItem.objects.filter(phase=gate.phase).first(), actor=bob, done=True)
    gate.refresh_from_db()
    assert gate.stale
    return gate


def queued_job(project: Project) -> Job:
    return Job.objects.create(kind="gate_recompute", created_by=project.memberships.get(role="owner").user, project=project)


def job_view(job: Job) -> tuple[str, str]:
    return reverse("lifecycle:job-status", args=[job.pk]), f"job-{job.pk}"


# Every view with a partial: (URL, the id of the region its partial renders).
VIEWS: dict[str, Callable[[Project], tuple[str, str]]] = {
    "project list": lambda p: (reverse("lifecycle:project-list"), "project-table"),
    "members": lambda p: (reverse("lifecycle:member-list", args=[p.pk]), "member-panel"),
    "gate": lambda p: (reverse("governance:gate-detail", args=[stale_gate(p).pk]), "readiness-panel"),
    "gate, earlier poll link": lambda p: (
        reverse("governance:gate-detail", args=[stale_gate(p).pk]) + "?part=readiness",
        "readiness-panel",
    ),
    "job progress": lambda p: job_view(queued_job(p)),
    "phase progress": lambda p: (reverse("phases:phase-progress", args=[p.phases.get(key="scope").pk]), "phase-progress"),
}


def assert_page(response, region_id: str) -> None:
    content = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert "<html" in content and 'aria-label="Main"' in content  # the layout, with its navigation
    assert f'id="{region_id}"' in content


@pytest.mark.parametrize("view", VIEWS)
def test_htmx_gets_the_partial(client_for, alice, project, view):
    url, region = VIEWS[view](project)
    response = client_for(alice).get(url, **HTMX)
    assert_partial(response, region)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("headers", [PLAIN, BOOSTED], ids=["plain", "boosted"])
def test_plain_and_boosted_requests_get_the_whole_page(client_for, alice, project, view, headers):
    url, region = VIEWS[view](project)
    assert_page(client_for(alice).get(url, **headers), region)


@pytest.mark.parametrize("view", VIEWS)
def test_the_answer_varies_on_the_htmx_headers(client_for, alice, project, view):
    """One URL serves the page and the partial: caches (and htmx's history) must tell them apart."""
    url, _ = VIEWS[view](project)
    vary = {h.strip().lower() for h in client_for(alice).get(url, **HTMX).get("Vary", "").split(",")}
    assert {"hx-request", "hx-boosted"} <= vary


def test_the_members_panel_after_an_htmx_post_and_the_page_after_a_boosted_one(client_for, alice, project):
    make_user("dora")
    make_user("dan")
    url = reverse("lifecycle:member-list", args=[project.pk])
    client = client_for(alice)
    assert_partial(client.post(url, {"user": "dora", "role": "viewer"}, **HTMX), "member-panel")
    # A boosted form replaces the whole body: after the POST it is sent to the page.
    boosted = client.post(url, {"user": "dan", "role": "viewer"}, **BOOSTED)
    assert boosted.status_code == 200 and boosted["HX-Redirect"] == url
    # A form error comes back in place: the panel for htmx, the page otherwise.
    assert_partial(client.post(url, {"user": "nobody", "role": "viewer"}, **HTMX), "member-panel")
    assert_page(client.post(url, {"user": "nobody", "role": "viewer"}, **BOOSTED), "member-panel")


def test_ticking_with_a_boosted_form_goes_back_to_the_page(client_for, bob, project):
    item = ChecklistItem.objects.filter(project=project, phase__key="scope").order_by("order").first()
    response = client_for(bob).post(reverse("phases:checklist-item-toggle", args=[item.pk]), {"done": "true"}, **BOOSTED)
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")


def test_no_view_reads_the_htmx_headers_itself():
    """The choice between page and partial is the helper's (and, after a POST, `wants_partial`'s):
    a view that tested request.htmx would treat a boosted request as a partial one."""
    root = Path(__file__).resolve().parents[1]
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for app in ("lifecycle", "phases", "governance")
        for path in sorted((root / app / "views").glob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"request\.htmx\b", line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


# --- What the polls build -----------------------------------------------------------------------

# What only the page around a partial reads: a poll that touched any of these would be building the
# page it does not render.
PAGE_ONLY = (
    "lifecycle.selectors.nav_counts",  # the navigation of the layout
    "governance.selectors.gate_trend",  # the gate page's trend chart and table
    "lifecycle.infrastructure.charts.line_chart",
    "governance.views.reviews.review_context",  # the gate page's review section
    "governance.forms.GateQuery.read",  # the ?job= the gate page follows
    "phases.selectors.phase_page",  # the phase page's checklist, artifacts and panels
)


def measure_poll(client, url: str, *, status: int = 200) -> QueryCount:
    patches = [mock.patch(target, side_effect=AssertionError(f"a poll called {target}")) for target in PAGE_ONLY]
    for patch in patches:
        patch.start()
    try:
        n, response = count_queries(lambda: client.get(url, **HTMX))
    finally:
        for patch in patches:
            patch.stop()
    assert response.status_code == status, response.status_code
    assert "<html" not in response.content.decode()
    return n


def assert_budget(name: str, *counts: QueryCount) -> None:
    budget = POLL_BUDGETS[name]
    if any(n != budget for n in counts):
        listings = "".join(f"\n({n}):\n{n.listing()}" for n in counts)
        raise AssertionError(f"{name}: {[int(n) for n in counts]} queries (budget {budget}){listings}")


def test_the_readiness_poll_reads_the_gate_and_nothing_of_the_page(client_for, alice, bob, project):
    gate = stale_gate(project)
    client = client_for(alice)
    url = reverse("governance:gate-detail", args=[gate.pk])
    small = measure_poll(client, url)
    # A longer trend and a review under way: the page shows more of both, the poll none of it.
    for item in ChecklistItem.objects.filter(phase=gate.phase)[:4]:
        phases_services.checklist_item_set_done(item=item, actor=bob, done=not item.done)
        readiness.gate_assess(gate.pk)
    from governance import services as governance_services

    governance_services.review_request(gate=gate, actor=alice, justification="Early")
    phases_services.checklist_item_set_done(item=ChecklistItem.objects.filter(phase=gate.phase).last(), actor=bob, done=True)
    large = measure_poll(client, url)
    assert_budget("gate readiness", small, large)


def test_the_job_poll_reads_the_job_and_nothing_of_the_page(client_for, alice, project):
    job = queued_job(project)
    client = client_for(alice)
    url = reverse("lifecycle:job-status", args=[job.pk]) + "?done=/projects/"
    running = measure_poll(client, url)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, progress=100)
    # The last answer stops the polling (286) and still shows the result.
    finished = measure_poll(client, url, status=286)
    assert_budget("job progress", running)
    assert_budget("job progress, finished", finished)


def test_the_progress_bar_reads_one_count_and_nothing_of_the_page(client_for, bob, project):
    scope = project.phases.get(key="scope")
    client = client_for(bob)
    url = reverse("phases:phase-progress", args=[scope.pk])
    small = measure_poll(client, url)
    phases_services.checklist_items_add(
        project=project,
        actor=None,
        entries=[{"phase": "scope", "key": f"grown-{i}", "title": f"Grown {i}", "required": True} for i in range(5)],
        source="obligation",
        tier="high",
    )
    large = measure_poll(client, url)
    assert_budget("phase progress", small, large)
