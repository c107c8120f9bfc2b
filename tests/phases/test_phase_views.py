"""The phase page: its checklist, ticked in place with htmx, and without JavaScript too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lifecycle import services as lifecycle_services
from phases.models import ChecklistItem
from tests.helpers import assert_partial, statuses_by_role

VISIBLE = {
    "owner": 200,
    "contributor": 200,
    "approver": 200,
    "viewer": 200,
    "portfolio_viewer": 200,
    "admin": 200,
    "outsider": 404,
}


@pytest.fixture
def scope(project):
    return project.phases.get(key="scope")


@pytest.fixture
def item(project):
    return ChecklistItem.objects.filter(project=project, phase__key="scope", required=True).order_by("order").first()


def test_the_phase_page_is_visible_to_members_and_portfolio_viewers(client_for, personas, scope):
    assert statuses_by_role(personas, client_for, "get", reverse("phases:phase-detail", args=[scope.pk])) == VISIBLE


def test_anonymous_users_are_sent_to_log_in(client, scope):
    assert client.get(reverse("phases:phase-detail", args=[scope.pk])).status_code == 302


def test_the_page_lists_the_checklist_with_required_items_marked(client_for, alice, scope, item):
    html = client_for(alice).get(reverse("phases:phase-detail", args=[scope.pk])).content.decode()
    assert item.title in html
    assert "Required" in html and "Optional" in html


def test_viewers_see_disabled_toggles(client_for, vic, scope):
    html = client_for(vic).get(reverse("phases:phase-detail", args=[scope.pk])).content.decode()
    assert 'aria-disabled="true"' in html
    assert "Save note and evidence" not in html


def test_only_contributors_owners_and_admins_tick_items(client_for, personas, item):
    url = reverse("phases:checklist-item-toggle", args=[item.pk])
    assert statuses_by_role(personas, client_for, "post", url, {"done": "true"}) == {
        "owner": 302,
        "contributor": 302,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 302,
        "outsider": 404,
    }


def test_ticking_without_javascript_redirects_back_to_the_item(client_for, bob, item):
    response = client_for(bob).post(reverse("phases:checklist-item-toggle", args=[item.pk]), {"done": "true"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    item.refresh_from_db()
    assert item.done and item.done_by == bob


def test_ticking_with_htmx_returns_the_item_and_announces_the_change(client_for, bob, item):
    response = client_for(bob).post(reverse("phases:checklist-item-toggle", args=[item.pk]), {"done": "true"}, HTTP_HX_REQUEST="true")
    assert_partial(response, f"item-{item.pk}")
    html = response.content.decode()
    assert "Done by Bob" in html
    assert 'aria-pressed="true"' in html
    assert "checklist-changed" in response["HX-Trigger"]


def test_the_progress_region_reloads_on_its_own(client_for, bob, scope, item):
    client = client_for(bob)
    client.post(reverse("phases:checklist-item-toggle", args=[item.pk]), {"done": "true"})
    response = client.get(reverse("phases:phase-progress", args=[scope.pk]), HTTP_HX_REQUEST="true")
    assert_partial(response, "phase-progress")
    assert "1 of " in response.content.decode()


def test_the_toggle_refuses_get(client_for, bob, item):
    assert client_for(bob).get(reverse("phases:checklist-item-toggle", args=[item.pk])).status_code == 405


def test_a_killed_project_shows_the_refusal(client_for, alice, bob, project, item):
    lifecycle_services.project_kill(project=project, actor=alice)
    response = client_for(bob).post(reverse("phases:checklist-item-toggle", args=[item.pk]), {"done": "true"}, follow=True)
    assert "This project was killed; it is read-only." in response.content.decode()
    item.refresh_from_db()
    assert not item.done


def test_saving_a_note_and_evidence(client_for, bob, item):
    response = client_for(bob).post(
        reverse("phases:checklist-item-update", args=[item.pk]),
        {"note": "See the minutes", "evidence_links": "https://wiki.example/a\nhttps://wiki.example/b"},
        HTTP_HX_REQUEST="true",
    )
    assert_partial(response, f"item-{item.pk}")
    item.refresh_from_db()
    assert item.note == "See the minutes"
    assert item.evidence_links == ["https://wiki.example/a", "https://wiki.example/b"]


def test_a_bad_link_is_shown_on_the_field(client_for, bob, item):
    response = client_for(bob).post(
        reverse("phases:checklist-item-update", args=[item.pk]),
        {"note": "", "evidence_links": "ftp://nope"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "is not a web address" in response.content.decode()
    item.refresh_from_db()
    assert item.evidence_links == []


def test_owners_replan_a_phase(client_for, alice, vic, scope):
    url = reverse("phases:phase-dates", args=[scope.pk])
    assert client_for(vic).post(url, {"planned_start": "2026-01-01", "planned_end": "2026-02-01"}).status_code == 403
    response = client_for(alice).post(url, {"planned_start": "2026-02-01", "planned_end": "2026-01-01"}, follow=True)
    assert "The planned end cannot be before the planned start." in response.content.decode()
    client_for(alice).post(url, {"planned_start": "2026-01-01", "planned_end": "2026-02-01"})
    scope.refresh_from_db()
    assert str(scope.planned_end) == "2026-02-01"
