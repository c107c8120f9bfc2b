"""Idle and absolute time limits of signed-in sessions (SessionTimeoutMiddleware), with time
travel; API tokens are not affected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.test import Client

from tests.conftest import PASSWORD

START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
PAGE = "/projects/"


def _sign_in(client: Client, username: str = "alice") -> None:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"


def test_a_session_idle_for_two_hours_is_logged_out_with_a_message(alice):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client)
        clock.shift(timedelta(hours=1, minutes=59))
        assert client.get(PAGE).status_code == 200
        # Activity moved the idle clock: another 1 h 59 min is still fine.
        clock.shift(timedelta(hours=1, minutes=59))
        assert client.get(PAGE).status_code == 200
        clock.shift(timedelta(hours=2))
        response = client.get(f"{PAGE}?q=bot")
        assert response.status_code == 302
        assert response.url == "/accounts/login/?next=/projects/%3Fq%3Dbot"
        assert "_auth_user_id" not in client.session
        page = client.get(response.url).content.decode()
        assert "You were logged out after 2 hours without activity. Please log in again." in page
        # Signed out for good, not just for one request.
        assert client.get(PAGE).status_code == 302


def test_a_session_ends_twelve_hours_after_sign_in_however_active(alice):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client)
        for _ in range(11):
            clock.shift(timedelta(hours=1))
            assert client.get(PAGE).status_code == 200
        clock.shift(timedelta(minutes=59))
        assert client.get(PAGE).status_code == 200
        clock.shift(timedelta(minutes=1))
        response = client.get(PAGE, follow=True)
        assert response.redirect_chain[0] == ("/accounts/login/?next=/projects/", 302)
        assert "a session lasts at most 12 hours" in response.content.decode()
        # A new sign-in starts a new twelve hours.
        _sign_in(client)
        clock.shift(timedelta(hours=1))
        assert client.get(PAGE).status_code == 200


def test_the_limits_come_from_the_settings(alice, settings):
    settings.SESSION_IDLE_TIMEOUT = 15 * 60
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(alice)  # sessions made without the login view are timed as well
        assert client.get(PAGE).status_code == 200
        clock.shift(timedelta(minutes=15))
        response = client.get(PAGE, follow=True)
        assert "after 15 minutes without activity" in response.content.decode()
    settings.SESSION_IDLE_TIMEOUT = 0  # 0 turns the idle limit off
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(alice)
        assert client.get(PAGE).status_code == 200
        clock.shift(timedelta(hours=11))
        assert client.get(PAGE).status_code == 200


def test_htmx_requests_get_a_client_side_redirect_to_the_page_they_came_from(alice):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client)
        clock.shift(timedelta(hours=3))
        response = client.get(
            "/inbox/?part=list",
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/projects/?tier=high"},
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == "/accounts/login/?next=/projects/%3Ftier%3Dhigh"


def test_api_tokens_are_not_affected_and_expired_api_sessions_get_json(alice, api_for, project):
    browser = Client()
    with time_machine.travel(START, tick=False) as clock:
        token_client = api_for(alice)  # made at START: tokens expire (90 days by default)
        assert token_client.get("/api/v1/projects/").status_code == 200
        _sign_in(browser)
        assert browser.get("/api/v1/projects/").status_code == 200
        clock.shift(timedelta(hours=13))
        assert token_client.get("/api/v1/projects/").status_code == 200
        response = browser.get("/api/v1/projects/")
        assert response.status_code in (401, 403)
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_authenticated"
        assert "_auth_user_id" not in browser.session
