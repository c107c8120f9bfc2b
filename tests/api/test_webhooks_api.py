"""Webhooks through the API: who may manage them, the secret shown only on creation and rotation,
conditional updates, the delivery log and resending."""

from __future__ import annotations

import pytest

from governance.models import WebhookDelivery, WebhookEndpoint
from lifecycle import services as lifecycle_services
from tests.api.schema import assert_matches_schema
from tests.helpers import ROLES

BODY = {"url": "https://hooks.example.com/lifecycle", "events": ["project.updated", "review.resolved"], "description": "PMO board"}


@pytest.fixture(autouse=True)
def public_targets(settings):
    settings.WEBHOOK_ALLOW_PUBLIC_TARGETS = True


@pytest.fixture
def hook(alice, project):
    from governance import services

    return services.webhook_create(actor=alice, project=project, **BODY)


def test_creating_is_for_owners_and_admins_and_shows_the_secret_once(api_for, personas, project):
    url = f"/api/v1/projects/{project.pk}/webhooks/"
    statuses = {}
    for role in ROLES:
        response = api_for(personas[role]).post(url, BODY, format="json")
        statuses[role] = response.status_code
        assert_matches_schema(response, "POST")
        if response.status_code == 201:
            body = response.json()
            assert body["secret"].startswith("whsec_") and body["secret_hint"].startswith(body["secret"][:10])
            assert body["events"] == ["project.updated", "review.resolved"]
            shown = api_for(personas[role]).get(response["Location"])
            assert "secret" not in shown.json()
    assert statuses == dict.fromkeys(ROLES, 403) | {"owner": 201, "admin": 201, "outsider": 404}
    assert WebhookEndpoint.objects.filter(project=project).count() == 2


def test_reading_is_for_owners_and_admins(api_for, personas, project, hook):
    for url in (f"/api/v1/projects/{project.pk}/webhooks/", f"/api/v1/webhooks/{hook.pk}/", f"/api/v1/webhooks/{hook.pk}/deliveries/"):
        statuses = {role: api_for(personas[role]).get(url).status_code for role in ROLES}
        assert statuses == dict.fromkeys(ROLES, 403) | {"owner": 200, "admin": 200, "outsider": 404}, url


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "url": "https://169.254.169.254/latest/meta-data/"}, "url"),
        ({**BODY, "url": "http://hooks.example.com/x"}, "url"),
        ({**BODY, "url": "javascript:alert(1)"}, "url"),
        ({**BODY, "events": []}, "events"),
        ({**BODY, "events": ["everything"]}, "events.0"),
        ({**BODY, "secret": "mine"}, "secret"),
        ({"events": ["project.updated"]}, "url"),
    ],
)
def test_bad_bodies_are_400_and_create_nothing(api_for, alice, project, body, field):
    response = api_for(alice).post(f"/api/v1/projects/{project.pk}/webhooks/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert not WebhookEndpoint.objects.exists()


def test_patch_needs_if_match_and_can_turn_the_webhook_off_and_on(api_for, alice, hook):
    client = api_for(alice)
    url = f"/api/v1/webhooks/{hook.pk}/"
    assert client.patch(url, {"enabled": False}, format="json").status_code == 428
    etag = client.get(url)["ETag"]
    off = client.patch(url, {"enabled": False, "events": ["incident.created"]}, format="json", HTTP_IF_MATCH=etag)
    assert off.status_code == 200, off.content
    assert_matches_schema(off, "PATCH")
    assert off.json()["status"] == "disabled" and off.json()["events"] == ["incident.created"]
    assert client.patch(url, {"enabled": True}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    on = client.patch(url, {"enabled": True}, format="json", HTTP_IF_MATCH=off["ETag"])
    assert on.json()["status"] == "active"


def test_rotating_returns_the_new_secret(api_for, alice, hook):
    response = api_for(alice).post(f"/api/v1/webhooks/{hook.pk}/rotate-secret/")
    assert response.status_code == 200
    assert_matches_schema(response, "POST")
    hook.refresh_from_db()
    assert response.json()["secret"] == hook.secret


def test_the_delivery_log_and_resending(api_for, alice, project, hook):
    lifecycle_services.project_update(project=project, actor=alice, name="Renamed")
    delivery = WebhookDelivery.objects.get(endpoint=hook)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=5, last_status_code=500)
    client = api_for(alice)
    log = client.get(f"/api/v1/webhooks/{hook.pk}/deliveries/")
    assert_matches_schema(log)
    [row] = log.json()["results"]
    assert (row["id"], row["event"], row["status"], row["last_status_code"]) == (str(delivery.pk), "project.updated", "failed", 500)
    resent = client.post(f"/api/v1/deliveries/{delivery.pk}/resend/")
    assert resent.status_code == 201
    assert_matches_schema(resent, "POST")
    assert resent.json()["resent_from"] == str(delivery.pk) and resent.json()["event_id"] == str(delivery.event_id)


def test_deleting_needs_if_match(api_for, alice, hook):
    client = api_for(alice)
    url = f"/api/v1/webhooks/{hook.pk}/"
    assert client.delete(url).status_code == 428
    assert client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"]).status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_global_webhooks_are_for_administrators(api_for, alice, adam, hook):
    assert api_for(alice).get("/api/v1/webhooks/").status_code == 403
    assert api_for(alice).post("/api/v1/webhooks/", BODY, format="json").status_code == 403
    created = api_for(adam).post("/api/v1/webhooks/", BODY, format="json")
    assert created.status_code == 201 and created.json()["project"] is None
    listed = api_for(adam).get("/api/v1/webhooks/")
    assert_matches_schema(listed)
    assert [w["id"] for w in listed.json()["results"]] == [created.json()["id"]]
    # A global webhook is invisible to everyone else.
    assert api_for(alice).get(created["Location"]).status_code == 404


INVALID_URLS = [
    "https://hooks example.com/x",
    "https://hooks..example.com/x",
    "https://0x7f000001/x",
    "https://hooks.example.com/x\nHost: evil",
    "https://[::ffff:10.0.0.1]/x",
    "https://[64:ff9b::169.254.169.254]/x",
]


@pytest.mark.parametrize("url", INVALID_URLS)
def test_an_invalid_url_is_a_400_field_error_and_nothing_is_saved(api_for, alice, project, url):
    response = api_for(alice).post(f"/api/v1/projects/{project.pk}/webhooks/", {**BODY, "url": url}, format="json")
    assert response.status_code == 400, response.content
    assert_matches_schema(response)
    body = response.json()
    assert body["code"] == "invalid" and body["fields"]["url"] == [body["message"]]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", INVALID_URLS)
def test_patching_in_an_invalid_url_is_a_400_and_changes_nothing(api_for, alice, hook, url):
    client = api_for(alice)
    path = f"/api/v1/webhooks/{hook.pk}/"
    response = client.patch(path, {"url": url}, format="json", HTTP_IF_MATCH=client.get(path)["ETag"])
    assert response.status_code == 400 and "url" in response.json()["fields"], response.content
    hook.refresh_from_db()
    assert hook.url == BODY["url"]
