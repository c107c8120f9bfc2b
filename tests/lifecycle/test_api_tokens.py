"""API tokens: a new password revokes them all (however it is set), they expire when their owner
chose, and their owner lists and revokes them in the API as on the account page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from lifecycle import services
from lifecycle.models import ApiToken, AuditEvent
from tests.api.schema import assert_matches_schema
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-much-longer-phrase-42"


def api(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def works(raw: str) -> int:
    return api(raw).get("/api/v1/inbox/").status_code


# A new password revokes every token


def test_changing_the_password_revokes_every_token(client: Client, alice, bob):
    _, first = services.token_create(user=alice, name="ci")
    _, second = services.token_create(user=alice, name="dashboard")
    _, bobs = services.token_create(user=bob, name="his")
    assert works(first) == works(second) == 200

    client.force_login(alice)
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302

    response = api(first).get("/api/v1/inbox/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert works(second) == 401
    assert works(bobs) == 200  # only alice's
    revoked = AuditEvent.objects.filter(action="token.revoked", actor=None)
    assert sorted(e.object_label for e in revoked) == [
        "token ci of alice (password changed)",
        "token dashboard of alice (password changed)",
    ]
    # The browser session that changed it stays signed in (Django keeps it), and new tokens work.
    assert client.get(reverse("lifecycle:account")).status_code == 200
    _, fresh = services.token_create(user=alice, name="after")
    assert works(fresh) == 200


def test_a_password_reset_revokes_every_token(client: Client, alice):
    _, raw = services.token_create(user=alice, name="ci")
    client.post(reverse("password_reset"), {"email": alice.email})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("password_reset_complete")
    assert works(raw) == 401


def test_an_administrator_or_the_command_setting_a_password_revokes_too(alice, monkeypatch):
    _, raw = services.token_create(user=alice, name="ci")
    form = AdminPasswordChangeForm(alice, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()
    assert works(raw) == 401

    _, raw = services.token_create(user=alice, name="ci")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "another-long-phrase-77")
    call_command("changepassword", "alice", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert works(raw) == 401


def test_a_rehash_at_sign_in_is_no_password_change(alice, settings):
    """Django rewrites the stored hash when the hasher changes; the password stays the same."""
    _, raw = services.token_create(user=alice, name="ci")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert Client().login(username="alice", password=PASSWORD)
    alice.refresh_from_db()
    assert alice.password.startswith("pbkdf2_")
    assert works(raw) == 200


def test_the_password_pages_say_so(client: Client, alice):
    client.force_login(alice)
    account = client.get(reverse("lifecycle:account")).content.decode()
    assert "Changing or resetting your password revokes all your tokens." in account
    assert "A new password revokes all your API tokens" in account
    change = client.get(reverse("password_change")).content.decode()
    assert "Changing your password also revokes all your API tokens" in change


# Expiry


def test_an_expired_token_gets_401_token_expired(alice):
    token, raw = services.token_create(user=alice, name="ci", expires_in_days=7)
    assert works(raw) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api(raw).get("/api/v1/inbox/")
    assert response.status_code == 401
    assert response.json() == {"message": "The token has expired; create a new one.", "code": "token_expired"}
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_lasts_the_default_or_what_was_chosen(alice):
    now = timezone.now()
    default, _ = services.token_create(user=alice)
    assert timedelta(days=90) - timedelta(minutes=1) < default.expires_at - now <= timedelta(days=90, minutes=1)
    forever, _ = services.token_create(user=alice, expires_in_days=None)
    assert forever.expires_at is None


@pytest.mark.parametrize("days", [0, -1, 366, 10_000])
def test_a_lifetime_out_of_bounds_is_refused(alice, days):
    from lifecycle.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        services.token_create(user=alice, expires_in_days=days)
    assert "expires_in_days" in refused.value.fields
    assert not ApiToken.objects.filter(user=alice).exists()


def test_the_token_endpoint_takes_the_lifetime(alice):
    client = APIClient()
    url = "/api/v1/auth/token/"
    response = client.post(url, {"username": "alice", "password": PASSWORD, "name": "ci", "expires_in_days": 7}, format="json")
    assert response.status_code == 200
    assert_matches_schema(response, "POST")
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert abs((token.expires_at - timezone.now()) - timedelta(days=7)) < timedelta(minutes=1)
    assert response.json()["expires_at"].endswith("Z")

    response = client.post(url, {"username": "alice", "password": PASSWORD, "expires_in_days": None}, format="json")
    assert response.status_code == 200 and response.json()["expires_at"] is None

    for bad in (0, 366, "soon"):
        response = client.post(url, {"username": "alice", "password": PASSWORD, "expires_in_days": bad}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid" and "expires_in_days" in response.json()["fields"]
        assert_matches_schema(response, "POST")


def test_the_account_page_creates_a_token_with_the_chosen_lifetime_and_shows_expiry(client: Client, alice):
    client.force_login(alice)
    page = client.get(reverse("lifecycle:account")).content.decode()
    assert '<option value="90" selected>90 days</option>' in page
    assert '<option value="never">Never expires</option>' in page

    client.post(reverse("lifecycle:account"), {"name": "ci", "expires_in_days": "30"})
    client.post(reverse("lifecycle:account"), {"name": "forever", "expires_in_days": "never"})
    ci = ApiToken.objects.get(user=alice, name="ci")
    assert abs((ci.expires_at - timezone.now()) - timedelta(days=30)) < timedelta(minutes=1)
    assert ApiToken.objects.get(user=alice, name="forever").expires_at is None

    old, _ = services.token_create(user=alice, name="old", expires_in_days=7)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    page = client.get(reverse("lifecycle:account")).content.decode()
    assert ci.expires_at.strftime("%-d %b %Y") in page
    assert "<td>never</td>" in page
    assert "<strong>expired</strong>" in page

    response = client.post(reverse("lifecycle:account"), {"name": "bad", "expires_in_days": "12"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.filter(name="bad").exists()


# Listing and revoking in the API


def test_the_owner_lists_their_tokens_without_secrets(alice, bob):
    mine, raw = services.token_create(user=alice, name="ci")
    services.token_create(user=alice, name="forever", expires_in_days=None)
    services.token_create(user=bob, name="bobs")
    revoked, _ = services.token_create(user=alice, name="gone")
    services.token_revoke(token=revoked, actor=alice)

    response = api(raw).get("/api/v1/tokens/")
    assert response.status_code == 200
    assert_matches_schema(response)
    body = response.json()
    assert [t["name"] for t in body["results"]] == ["forever", "ci"]
    assert body["next"] is None and body["previous"] is None
    ci = body["results"][1]
    assert set(ci) == {"id", "name", "prefix", "created_at", "last_used_at", "expires_at", "expired"}
    assert ci["id"] == str(mine.pk) and ci["expired"] is False and ci["last_used_at"] is not None
    assert body["results"][0]["expires_at"] is None
    assert raw not in response.content.decode() and mine.key_hash not in response.content.decode()

    paged = api(raw).get("/api/v1/tokens/?page_size=1")
    assert len(paged.json()["results"]) == 1 and paged.json()["next"]
    assert api(raw).get(paged.json()["next"]).json()["results"][0]["name"] == "ci"


def test_the_owner_revokes_a_token_with_if_match(alice):
    target, target_raw = services.token_create(user=alice, name="ci")
    _, raw = services.token_create(user=alice, name="admin-tool")
    client = api(raw)
    url = f"/api/v1/tokens/{target.pk}/"

    detail = client.get(url)
    assert detail.status_code == 200
    assert_matches_schema(detail)
    etag = detail["ETag"]
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304

    assert client.delete(url).status_code == 428
    assert client.delete(url, HTTP_IF_MATCH='"stale"').status_code == 412
    response = client.delete(url, HTTP_IF_MATCH=etag)
    assert response.status_code == 204
    assert works(target_raw) == 401
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="token.revoked", actor=alice, object_id=target.pk).count() == 1


def test_a_token_can_revoke_itself(alice):
    token, raw = services.token_create(user=alice, name="ci")
    response = api(raw).delete(f"/api/v1/tokens/{token.pk}/", HTTP_IF_MATCH="*")
    assert response.status_code == 204
    assert works(raw) == 401


def test_someone_elses_token_is_not_found(alice, bob, adam):
    alices, alices_raw = services.token_create(user=alice, name="ci")
    for user in (bob, adam):  # administrators too: a token is personal
        _, raw = services.token_create(user=user, name="theirs")
        url = f"/api/v1/tokens/{alices.pk}/"
        for response in (api(raw).get(url), api(raw).delete(url, HTTP_IF_MATCH="*")):
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"
        assert str(alices.pk) not in api(raw).get("/api/v1/tokens/").content.decode()
    assert works(alices_raw) == 200


def test_the_token_endpoints_need_credentials(alice):
    token, _ = services.token_create(user=alice, name="ci")
    anonymous = APIClient()
    assert anonymous.get("/api/v1/tokens/").status_code == 401
    assert anonymous.delete(f"/api/v1/tokens/{token.pk}/", HTTP_IF_MATCH="*").status_code == 401
