"""The project page and the project list API are served from the cache until anything changes,
per user, and never with another browser's form token or a stale notification count."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from lifecycle import services
from lifecycle.models import Notification
from tests.helpers import count_queries


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get(reverse("lifecycle:project-list"))  # the browser receives its CSRF cookie
    return client


def test_a_second_view_of_the_project_page_comes_from_the_cache(alice, project):
    client = browser(alice)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    first_queries, first = count_queries(lambda: client.get(url))
    again_queries, again = count_queries(lambda: client.get(url))
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again_queries < 6 < first_queries


def test_any_change_shows_at_once(alice, bob, project):
    client = browser(bob)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    client.get(url)
    services.project_update(project=project, actor=alice, name="Renamed by the owner")
    assert "Renamed by the owner" in client.get(url).content.decode()
    # A change to another project moves the version too (the navigation counts span projects).
    other = services.project_create(actor=alice, name="Elsewhere")
    assert other and "Renamed by the owner" in client.get(url).content.decode()


def test_reading_notifications_updates_the_badge(alice, project):
    services.notify(users=[alice], kind="general", title="Hello")
    client = browser(alice)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    unread_before = Notification.objects.filter(user=alice, read_at=None).count()
    assert f'aria-label="{unread_before} unread"' in client.get(url).content.decode()
    services.notification_mark_read(user=alice)  # not a change of the data: no audit event
    assert "unread" not in client.get(url).content.decode()


def test_users_never_share_a_cached_page(alice, vic, project):
    url = reverse("lifecycle:project-detail", args=[project.pk])
    owner_page = browser(alice).get(url).content.decode()
    viewer_page = browser(vic).get(url).content.decode()
    assert reverse("lifecycle:project-edit", args=[project.pk]) in owner_page
    assert reverse("lifecycle:project-edit", args=[project.pk]) not in viewer_page


def test_each_browser_gets_a_token_it_can_post(alice, project):
    url = reverse("lifecycle:project-detail", args=[project.pk])
    first, second = browser(alice), browser(alice)
    first.get(url)
    page = second.get(url).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = second.cookies
    response = strict.post(reverse("lifecycle:project-edit", args=[project.pk]), {"csrfmiddlewaretoken": token, "name": "Posted"})
    assert response.status_code in (200, 302)  # not 403: the token matches this browser's cookie


def test_a_page_showing_a_message_is_not_cached(alice, project):
    client = browser(alice)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    response = client.post(reverse("lifecycle:project-edit", args=[project.pk]), {"name": "Edited"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Project details saved." in response.content.decode()
    # Shown once: the next view of the same data does not replay it from the cache.
    assert "Project details saved." not in client.get(url).content.decode()


def test_outsiders_still_get_404(alice, charlie, project):
    url = reverse("lifecycle:project-detail", args=[project.pk])
    browser(alice).get(url)
    assert browser(charlie).get(url).status_code == 404


def test_the_project_list_api_is_cached_until_a_change(alice, project):
    client = APIClient()
    client.force_authenticate(alice)
    first_queries, first = count_queries(lambda: client.get("/api/v1/projects/"))
    again_queries, again = count_queries(lambda: client.get("/api/v1/projects/"))
    assert again.json() == first.json()
    assert again_queries < first_queries
    services.project_update(project=project, actor=alice, name="Changed")
    assert client.get("/api/v1/projects/").json()["results"][0]["name"] == "Changed"
    # Another user, or another query, is another entry.
    assert client.get("/api/v1/projects/?search=nothing-matches").json()["results"] == []


def test_nothing_is_cached_when_turned_off(alice, project, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = browser(alice)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    first_queries, _ = count_queries(lambda: client.get(url))
    again_queries, _ = count_queries(lambda: client.get(url))
    assert again_queries == first_queries


def test_scores_computed_by_workers_show_at_once(alice, bob, project, django_capture_on_commit_callbacks):
    """A new score writes a feed row but no audit event, and a gate found current again with the
    same score writes nothing at all: neither may leave a cached page behind."""
    from governance.models import Gate
    from governance.services import readiness
    from phases import services as phases_services

    gate = Gate.objects.get(project=project, phase__key="scope")
    client = browser(alice)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    item = project.checklist_items.filter(phase__key="scope", required=True).first()
    readiness.gate_assess(gate.pk)
    assert "Stale" not in client.get(url).content.decode()

    phases_services.checklist_item_set_done(item=item, actor=bob, done=True)
    assert "Stale" in client.get(url).content.decode()
    readiness.gate_assess(gate.pk)
    gate.refresh_from_db()
    page = client.get(url).content.decode()
    assert "Stale" not in page and f">{gate.last_assessment.score}" in page

    # A note changes no input of the score: the rescore finds the same score and records nothing.
    phases_services.checklist_item_set_done(item=item, actor=bob, done=True, note="Checked with legal")
    gate.refresh_from_db()
    assert gate.stale and "Stale" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert readiness.gates_assess([gate.pk])["new"] == 0
    assert "Stale" not in client.get(url).content.decode()


def test_pages_keep_working_with_the_cache_down(alice, project, settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"redis://127.0.0.1:{s.getsockname()[1]}/0"
    client = browser(alice)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": closed}}
    url = reverse("lifecycle:project-detail", args=[project.pk])
    assert client.get(url).status_code == 200
    services.project_update(project=project, actor=alice, name="Renamed while the cache is down")
    assert "Renamed while the cache is down" in client.get(url).content.decode()
    api = APIClient()
    api.force_authenticate(alice)
    assert api.get("/api/v1/projects/").json()["results"][0]["name"] == "Renamed while the cache is down"
