"""Two clients holding the same ETag write at the same moment: exactly one wins, the other gets
412, whichever resource they PATCH (threads with their own connections, real PostgreSQL).

To make the race certain rather than likely, the service under test waits (up to a short
timeout) for the other request to reach the service too. Without the row lock around the
If-Match check both requests get there, both write, and the test fails; with it the second
request waits at the lock, so the first proceeds alone after the timeout.
"""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from governance import services as governance_services
from governance.models import RiskCategory
from lifecycle import services as lifecycle_services
from phases.models import ChecklistItem
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _meeting_point(monkeypatch, module, name: str) -> threading.Barrier:
    barrier = threading.Barrier(2, timeout=1.5)
    original = getattr(module, name)

    def waiting(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):  # the other is held at the lock: go on alone
            barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, waiting)
    return barrier


def _patch_together(user, url: str, bodies: list[dict]) -> list[int]:
    client = APIClient()
    client.force_authenticate(user)
    etag = client.get(url)["ETag"]
    statuses: list[int] = [0] * len(bodies)

    def run(index: int, body: dict) -> None:
        own = APIClient()
        own.force_authenticate(user)
        try:
            statuses[index] = own.patch(url, body, format="json", HTTP_IF_MATCH=etag).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


@pytest.fixture
def owner(db):
    return make_user("olga")


def test_two_patches_of_a_checklist_item_with_one_etag_let_one_through(monkeypatch, owner):
    from phases import services as phases_services

    project = lifecycle_services.project_create(actor=owner, name="Race")
    item = ChecklistItem.objects.filter(phase__project=project).first()
    _meeting_point(monkeypatch, phases_services, "checklist_item_set_done")

    statuses = _patch_together(owner, f"/api/v1/checklist-items/{item.pk}/", [{"note": "first"}, {"note": "second"}])

    assert statuses == [200, 412]
    item.refresh_from_db()
    assert item.note in ("first", "second")


def test_two_patches_of_a_project_with_one_etag_let_one_through(monkeypatch, owner):
    project = lifecycle_services.project_create(actor=owner, name="Race")
    _meeting_point(monkeypatch, lifecycle_services, "project_update")

    statuses = _patch_together(owner, f"/api/v1/projects/{project.pk}/", [{"name": "Left"}, {"name": "Right"}])

    assert statuses == [200, 412]


def test_two_patches_of_a_risk_with_one_etag_let_one_through(monkeypatch, owner):
    project = lifecycle_services.project_create(actor=owner, name="Race")
    category = RiskCategory.objects.get(project=None, key="confabulation")
    risk = governance_services.risk_create(project=project, actor=owner, title="Wrong", category=category, likelihood=2, impact=2)
    _meeting_point(monkeypatch, governance_services, "risk_update")

    statuses = _patch_together(owner, f"/api/v1/risks/{risk.pk}/", [{"likelihood": 4}, {"likelihood": 1}])

    assert statuses == [200, 412]
