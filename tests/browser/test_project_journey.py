"""The demo project manager creates a project, works its Scope checklist, builds the team and
requests the Scope gate's review; the same journey works with the keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sample_data import demo
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

    page.get_by_label("Username or e-mail").fill("approver1")
    page.get_by_label("Role").select_option("approver")
    page.get_by_role("button", name="Add member").click()
    page.get_by_text("Ava Okafor added as approver.").wait_for()

    # The gate page says what is missing, and a review of a gate that is not ready needs a reason.
    page.get_by_role("link", name="Invoice triage assistant").click()
    page.get_by_role("link", name="See what the gate needs").click()
    expect(page.get_by_role("heading", name="Gate review")).to_be_visible()
    page.get_by_role("button", name="Request review").click()
    expect(page.get_by_role("alert").filter(has_text="write a justification")).to_be_visible()
    page.get_by_label("Justification").fill("The sponsor wants an early look at the scope before the workshop.")
    page.get_by_role("button", name="Request review").click()
    expect(page.get_by_text("Review requested from 1 approver(s)")).to_be_visible()
    screenshot(page, "gate-review-requested")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You are logged out")).to_be_visible()


def tab_to(page, name: str, limit: int = 150) -> None:
    """Press Tab until the focused element's text or label contains `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return (e.getAttribute('aria-label') || e.innerText || e.value || '').trim(); }"
        )
        if name in focused:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def test_the_journey_works_with_the_keyboard_alone(page):
    demo.seed_users()
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")  # the skip link comes first
    tab_to(page, "")  # into the form
    page.get_by_label("Username").focus()
    page.keyboard.type("pm")
    page.keyboard.press("Tab")
    page.keyboard.type(demo.DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: not url.endswith("/accounts/login/"))

    tab_to(page, "New project")
    page.keyboard.press("Enter")
    page.wait_for_url("**/projects/new/")
    tab_to(page, "")
    page.get_by_label("Name").focus()
    page.keyboard.type("Keyboard-only project")
    tab_to(page, "Create project")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keyboard-only project")).to_be_visible()

    tab_to(page, "1. Scope")
    page.keyboard.press("Enter")
    page.wait_for_url("**/phases/**")
    page.wait_for_load_state()
    tab_to(page, "as done")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#progress-label').innerText.startsWith('1 of ')")
    # Focus stays usable after the swap: the next item can be ticked with Space.
    tab_to(page, "as done")
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('#progress-label').innerText.startsWith('2 of ')")
