from __future__ import annotations

from django.urls import reverse


def test_it_redirects_anonymous_users_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_the_shell_to_a_logged_in_user(client_for, alice):
    response = client_for(alice).get(reverse("home"))
    assert response.status_code == 200
    assert b"Dashboard" in response.content
    assert b"Log out" in response.content
