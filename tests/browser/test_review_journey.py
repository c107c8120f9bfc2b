"""The demo project manager asks for a review of a ready gate; two approvers vote Go in turn;
the project moves to the next phase and the approvers' inboxes are empty."""

from __future__ import annotations

import pytest

from sample_data import demo
from tests.browser.conftest import login, screenshot
from tests.browser.helpers import project_with_ready_scope_gate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page):
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="You are logged out").wait_for()


def vote_go(page, username: str) -> None:
    login(page, username, demo.DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    page.get_by_role("link", name="Decide the Scope gate").click()
    page.get_by_label("Go").check()
    page.get_by_role("button", name="Cast vote").click()
    page.get_by_text("Vote recorded.").wait_for()


def test_two_approvers_vote_go_and_the_project_moves_on(page):
    project, gate = project_with_ready_scope_gate()

    login(page, "pm", demo.DEMO_PASSWORD)
    page.goto(f"/gates/{gate.pk}/")
    assert "Ready" in page.locator("#readiness-panel").inner_text()
    screenshot(page, "gate")
    page.get_by_role("button", name="Request review").click()
    page.get_by_text("Review requested from 2 approver(s)").wait_for()
    logout(page)

    vote_go(page, "approver1")
    assert "1 Go vote of 2 needed" in page.content()
    logout(page)
    vote_go(page, "approver2")
    assert "Decided: Go" in page.content()
    logout(page)

    login(page, "pm", demo.DEMO_PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    assert "Current phase: Select" in page.locator("main").inner_text()
    logout(page)

    for username in ("approver1", "approver2"):
        login(page, username, demo.DEMO_PASSWORD)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
        assert page.get_by_text("Decide the Scope gate").count() == 0
        logout(page)
