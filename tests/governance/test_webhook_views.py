"""Webhook pages: owners (and administrators) add, change, turn off, rotate, delete and resend;
the secret is shown once; everyone else is kept out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance import services
from governance.models import WebhookDelivery, WebhookEndpoint
from lifecycle import services as lifecycle_services
from tests.helpers import statuses_by_role

OWNERS = {"owner": 200, "contributor": 403, "approver": 403, "viewer": 403, "portfolio_viewer": 403, "admin": 200, "outsider": 404}


@pytest.fixture(autouse=True)
def public_targets(settings):
    settings.WEBHOOK_ALLOW_PUBLIC_TARGETS = True


@pytest.fixture
def hook(alice, project):
    return services.webhook_create(actor=alice, project=project, url="https://hooks.example.com/in", events=["project.updated"])


def test_the_pages_are_for_owners_and_admins(personas, client_for, project, hook):
    assert statuses_by_role(personas, client_for, "get", reverse("governance:webhook-list", args=[project.pk])) == OWNERS
    assert statuses_by_role(personas, client_for, "get", hook.get_absolute_url()) == OWNERS
    assert statuses_by_role(personas, client_for, "get", reverse("governance:webhook-rotate", args=[hook.pk])) == OWNERS
    assert statuses_by_role(personas, client_for, "get", reverse("governance:webhook-delete", args=[hook.pk])) == OWNERS


def test_the_project_page_links_owners_to_webhooks(client_for, alice, bob, project):
    link = reverse("governance:webhook-list", args=[project.pk])
    assert link in client_for(alice).get(project.get_absolute_url()).content.decode()
    assert link not in client_for(bob).get(project.get_absolute_url()).content.decode()


def test_adding_a_webhook_shows_its_secret_once(client_for, alice, project):
    client = client_for(alice)
    response = client.post(
        reverse("governance:webhook-list", args=[project.pk]),
        {"url": "https://hooks.example.com/in", "events": ["project.updated", "incident.created"], "description": "<b>Ops</b> board"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get(project=project)
    page = response.content.decode()
    assert endpoint.secret in page
    assert "&lt;b&gt;Ops&lt;/b&gt; board" in page
    assert endpoint.events == ["project.updated", "incident.created"]
    again = client.get(endpoint.get_absolute_url()).content.decode()
    assert endpoint.secret not in again and endpoint.secret_hint in again


def test_an_internal_url_is_refused_with_a_message(client_for, alice, project):
    response = client_for(alice).post(
        reverse("governance:webhook-list", args=[project.pk]), {"url": "https://192.168.0.10/hook", "events": ["project.updated"]}
    )
    assert response.status_code == 200
    assert "points inside the network" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_editing_turning_off_and_on(client_for, alice, hook):
    client = client_for(alice)
    client.post(hook.get_absolute_url(), {"url": "https://hooks.example.com/v2", "events": ["incident.created"], "description": ""})
    hook.refresh_from_db()
    assert (hook.url, hook.events) == ("https://hooks.example.com/v2", ["incident.created"])
    client.post(reverse("governance:webhook-toggle", args=[hook.pk]), {"enabled": "0"})
    hook.refresh_from_db()
    assert hook.status == "disabled" and "Turned off by alice" in hook.disabled_reason
    client.post(reverse("governance:webhook-toggle", args=[hook.pk]), {"enabled": "1"})
    hook.refresh_from_db()
    assert hook.status == "active"


def test_rotating_asks_first_then_shows_the_new_secret(client_for, alice, hook):
    client = client_for(alice)
    old = hook.secret
    confirm = client.get(reverse("governance:webhook-rotate", args=[hook.pk])).content.decode()
    assert "stops working at once" in confirm
    hook.refresh_from_db()
    assert hook.secret == old
    page = client.post(reverse("governance:webhook-rotate", args=[hook.pk]), follow=True).content.decode()
    hook.refresh_from_db()
    assert hook.secret != old and hook.secret in page


def test_deleting_asks_first(client_for, alice, project, hook):
    client = client_for(alice)
    assert "Delete webhook" in client.get(reverse("governance:webhook-delete", args=[hook.pk])).content.decode()
    assert WebhookEndpoint.objects.exists()
    response = client.post(reverse("governance:webhook-delete", args=[hook.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("governance:webhook-list", args=[project.pk])
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_attempts_and_resends(client_for, alice, project, hook):
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    delivery = WebhookDelivery.objects.get(endpoint=hook)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=1)
    delivery.attempt_log.create(number=1, status_code=502, duration_ms=12)
    client = client_for(alice)
    page = client.get(hook.get_absolute_url()).content.decode()
    assert "HTTP 502" in page and "project.updated" in page
    client.post(reverse("governance:delivery-resend", args=[delivery.pk]))
    assert WebhookDelivery.objects.filter(endpoint=hook, resent_from=delivery).count() == 1


def test_resending_is_for_owners(personas, client_for, alice, project, hook):
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    delivery = WebhookDelivery.objects.get(endpoint=hook)
    statuses = statuses_by_role(personas, client_for, "post", reverse("governance:delivery-resend", args=[delivery.pk]))
    assert statuses == {role: code if code != 200 else 302 for role, code in OWNERS.items()}


def test_global_webhooks_page_is_for_administrators(client_for, alice, adam):
    url = reverse("governance:webhook-global-list")
    assert client_for(alice).get(url).status_code == 403
    assert client_for(adam).get(url).status_code == 200
    client_for(adam).post(url, {"url": "https://hooks.example.com/all", "events": ["review.resolved"]})
    assert WebhookEndpoint.objects.get(project=None).url == "https://hooks.example.com/all"


INVALID_URLS = [
    "https://hooks example.com/in",
    "https://hooks..example.com/in",
    "https://2130706433/in",
    "https://hooks.example.com:0/in",
    "https://[64:ff9b::10.0.0.1]/in",
    "https://[2002:a00:1::]/in",
]


@pytest.mark.parametrize("url", INVALID_URLS)
def test_an_invalid_url_is_a_field_error_and_nothing_is_saved(client_for, alice, project, url):
    response = client_for(alice).post(reverse("governance:webhook-list", args=[project.pk]), {"url": url, "events": ["project.updated"]})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["url"], form.errors
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", INVALID_URLS)
def test_editing_to_an_invalid_url_keeps_the_old_one(client_for, alice, hook, url):
    response = client_for(alice).post(hook.get_absolute_url(), {"url": url, "events": ["project.updated"], "description": ""})
    assert response.status_code == 200 and response.context["form"].errors["url"]
    hook.refresh_from_db()
    assert hook.url == "https://hooks.example.com/in"
