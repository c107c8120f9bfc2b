"""The demo project manager creates a project, works its Scope checklist and adds a member."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from governance import demo
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_project_manager_creates_a_project_and_works_its_checklist(page):
    demo.seed_users()
    login(page, "pm", demo.DEMO_PASSWORD)

    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("Name").fill("Invoice triage assistant")
    page.get_by_label("Problem").fill("Invoices wait days for the right approver.")
    page.get_by_label("Tags").fill("finance, pilot")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Invoice triage assistant")).to_be_visible()
    expect(page.get_by_text("Its Scope phase is open.")).to_be_visible()

    page.get_by_role("link", name="1. Scope").click()
    progress = page.locator("#progress-label")
    assert progress.inner_text().startswith("0 of ")
    first_required = page.locator(".checklist > li", has=page.locator(".badge.required")).first
    title = first_required.locator(".title").inner_text()
    first_required.get_by_role("button", name=re.compile("as done")).click()
    # htmx swaps the item in place and the progress region reloads itself.
    page.get_by_role("button", name=f"Mark “{title}” as not done").wait_for()
    page.wait_for_function("document.querySelector('#progress-label').innerText.startsWith('1 of ')")
    assert "required 1/" in progress.inner_text()
    assert "Done by Priya Patel" in page.locator(".checklist > li", has_text=title).first.inner_text()
    screenshot(page, "phase-scope")

    page.get_by_role("link", name="Invoice triage assistant").click()
    page.get_by_role("link", name="Members", exact=True).first.click()
    page.get_by_label("Username or e-mail").fill("contributor")
    page.get_by_label("Role").select_option("contributor")
    page.get_by_role("button", name="Add member").click()
    page.get_by_text("Carlos Diaz added as contributor.").wait_for()
    expect(page.locator("#member-panel").get_by_role("cell", name="Carlos Diaz contributor")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You are logged out")).to_be_visible()
