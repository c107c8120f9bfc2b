"""A demo user logs in, sees the application shell, and logs out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sample_data import demo
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_shows_the_shell_and_logs_out(page):
    demo.seed_users()

    login(page, "pm", demo.DEMO_PASSWORD)

    nav = page.get_by_role("navigation", name="Main")
    for label in ("Dashboard", "Projects", "Inbox", "Notifications"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("link", name="Priya Patel")).to_be_visible()
    screenshot(page, "shell")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You are logged out")).to_be_visible()
    page.goto("/")
    # Logged out: the dashboard asks for a login again.
    assert "/accounts/login/" in page.url


def test_it_refuses_a_wrong_password_with_a_message(page):
    demo.seed_users()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("pm")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert "correct username and password" in page.get_by_role("alert").inner_text()
