"""Query budgets: every page and endpoint listed here makes exactly this many SQL queries, at two
data sizes (so an N+1 fails the test). One place to read and to change them."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from lifecycle import services as lifecycle_services
from lifecycle.models import Project, User
from phases import services as phases_services
from tests.conftest import make_user
from tests.helpers import count_queries

# name: exact number of queries for one request, whatever the data size.
BUDGETS = {
    "page:project-list": 8,
    "page:project-detail": 10,
    "page:phase-detail": 7,
    "page:member-list": 8,
    "page:home": 7,
}


def _grow_projects(owner: User, n: int) -> None:
    for i in range(n):
        project = lifecycle_services.project_create(actor=owner, name=f"Grown {i}", tags=[f"t{i}", "shared"])
        lifecycle_services.membership_add(
            project=project, actor=owner, user=make_user(f"extra{i}-{owner.username}"), role="owner"
        )


def _grow_members(project: Project, n: int) -> None:
    owner = project.memberships.filter(role="owner").first().user
    for i in range(n):
        lifecycle_services.membership_add(
            project=project, actor=owner, user=make_user(f"member{i}"), role="approver", functions=["legal", "security"]
        )


def _grow_items(project: Project, n: int) -> None:
    phases_services.checklist_items_add(
        project=project,
        actor=None,
        entries=[{"phase": "scope", "key": f"grown-{i}", "title": f"Grown {i}", "required": i % 2 == 0} for i in range(n)],
        source="obligation",
        tier="high",
    )
    for item in project.checklist_items.filter(key__startswith="grown-")[: n // 2]:
        phases_services.checklist_item_set_done(item=item, actor=None, done=True)


def _measure(client, url: str) -> int:
    n, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200, response.status_code
    return n


def _both_sizes(name: str, request: Callable[[], int], grow: Callable[[], None]) -> None:
    small = request()
    grow()
    large = request()
    assert (small, large) == (BUDGETS[name], BUDGETS[name]), f"{name}: {small} queries, then {large} after growing"


def test_project_list(client_for, alice, project):
    client = client_for(alice)
    _both_sizes(
        "page:project-list", lambda: _measure(client, reverse("lifecycle:project-list")), lambda: _grow_projects(alice, 4)
    )


def test_home(client_for, alice, project):
    client = client_for(alice)
    _both_sizes("page:home", lambda: _measure(client, reverse("home")), lambda: _grow_projects(alice, 4))


def test_project_detail(client_for, alice, project):
    client = client_for(alice)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    _both_sizes("page:project-detail", lambda: _measure(client, url), lambda: _grow_members(project, 4))


def test_member_list(client_for, alice, project):
    client = client_for(alice)
    url = reverse("lifecycle:member-list", args=[project.pk])
    _both_sizes("page:member-list", lambda: _measure(client, url), lambda: _grow_members(project, 4))


def test_phase_detail(client_for, alice, project):
    client = client_for(alice)
    url = reverse("phases:phase-detail", args=[project.phases.get(key="scope").pk])
    _both_sizes("page:phase-detail", lambda: _measure(client, url), lambda: _grow_items(project, 6))
