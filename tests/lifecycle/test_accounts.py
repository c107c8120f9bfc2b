"""Accounts: password change and reset by e-mail (Django's own views in the site's templates), and
the 404 and 500 pages in the same style."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from lifecycle.views.errors import server_error
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-much-longer-phrase-42"


def test_a_user_changes_their_password(client: Client, alice):
    client.force_login(alice)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert b'<label for="id_old_password"' in response.content

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("wrong-old-password", NEW_PASSWORD, "Your old password was entered incorrectly"),
        (PASSWORD, "short", "This password is too short"),
        (PASSWORD, "1234567890123", "This password is entirely numeric"),
        (PASSWORD, "password123", "This password is too common"),
    ],
)
def test_a_bad_password_change_is_refused_with_the_reason_and_changes_nothing(client: Client, alice, old, new, error):
    client.force_login(alice)
    response = client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})
    assert response.status_code == 200
    assert error in response.content.decode()
    # The error is tied to its field for assistive technology.
    assert 'aria-invalid="true"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_change_needs_a_login(client: Client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_password_reset_by_e_mail_works_end_to_end(client: Client, alice):
    response = client.post(reverse("password_reset"), {"email": alice.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.email]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)

    response = client.get(link, follow=True)  # Django swaps the token for a session marker
    assert response.status_code == 200
    assert b"new_password1" in response.content
    response = client.post(response.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    assert client.login(username="alice", password=NEW_PASSWORD)

    # The link works once.
    assert b"new_password1" not in Client().get(link, follow=True).content


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client: Client, alice):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_404_page_is_in_the_site_style(client: Client, alice):
    client.force_login(alice)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'href="/"' in body and "<nav" in body  # the site's layout, with its navigation


def test_the_500_page_is_in_the_site_style_without_a_request_context(rf: RequestFactory, db):
    response = server_error(rf.get("/projects/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "<html" in body and "</html>" in body
    assert "Something went wrong" in body
    assert "css/app.css" in body


def test_an_unhandled_error_renders_the_500_page_and_not_a_trace(alice, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    settings.ROOT_URLCONF = "tests.lifecycle.urls_failing"
    response = client.get("/fail/")
    assert response.status_code == 500
    assert b"Traceback" not in response.content
    assert b"<html" in response.content
    response = client.get("/api/fail/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
