"""The main pages work under the site's Content-Security-Policy (no 'unsafe-inline', no eval):
Chromium reports no refused script, style, image or connection on any of them, htmx still
swaps, and the API docs render. Runs without Playwright's bypass_csp, unlike the other
browser tests."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from governance.models import Gate
from lifecycle.models import Project, User
from phases.models import Artifact
from sample_data import demo
from tests.browser.conftest import login
from tests.browser.helpers import project_with_ready_scope_gate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Second channel besides the console: the DOM event each refusal fires.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || document.URL}:${e.lineNumber}`);
});
"""


@pytest.fixture
def strict_page(browser, live_server):
    """A page under the real policy that records every refusal the browser reports."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.refused = []  # type: ignore[attr-defined]
    page.on("console", lambda m: _is_csp_message(m.text) and page.refused.append(m.text))  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.refused.append(f"page error: {e}"))  # type: ignore[attr-defined]
    yield page
    context.close()


def _is_csp_message(text: str) -> bool:
    # Older Chromium says "Refused to execute inline script because it violates ...", newer
    # "Executing inline script violates the following Content Security Policy directive ...".
    return "Refused to" in text or "Content Security Policy" in text


def _violations(page) -> list[str]:
    return [*page.refused, *page.evaluate("window.__csp || []")]


def _pages(project: Project, gate: Gate) -> dict[str, str]:
    phase = gate.phase
    artifact = Artifact.objects.filter(project=project).first()
    adam = User.objects.get(username="admin")
    return {
        "dashboard": reverse("home"),
        "project-list": reverse("lifecycle:project-list") + "?q=assistant",
        "project-form": reverse("lifecycle:project-create"),
        "project": project.get_absolute_url(),
        "members": reverse("lifecycle:member-list", args=[project.pk]),
        "phase": reverse("phases:phase-detail", args=[phase.pk]),
        "gate": gate.get_absolute_url(),
        "artifact-types": reverse("phases:artifact-create", args=[project.pk]),
        "artifact-form": reverse("phases:artifact-create", args=[project.pk]) + "?type=scope_document",
        "artifact-edit": reverse("phases:artifact-edit", args=[artifact.pk]),
        "artifact": artifact.get_absolute_url(),
        "risk-form": reverse("governance:risk-create", args=[project.pk]),
        "report": reverse("governance:report", args=[project.pk]),
        "account": reverse("lifecycle:account"),
        "admin": reverse("admin:index"),
        "admin-user": reverse("admin:lifecycle_user_change", args=[adam.pk]),
    }


def test_no_main_page_breaks_the_content_security_policy(strict_page):
    page = strict_page
    project, gate = project_with_ready_scope_gate()
    login(page, "admin", demo.DEMO_PASSWORD)
    found = {}
    for name, url in _pages(project, gate).items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        if violations := _violations(page):
            found[name] = violations
        page.refused.clear()

    # The API docs: drf-spectacular's split view loads its script from a URL and the page's
    # styles from static/, so Swagger UI renders the operations under the policy.
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("GenAI Lifecycle API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()
    page.wait_for_load_state("networkidle")
    if violations := _violations(page):
        found["api-docs"] = violations
    assert not found, json.dumps(found, indent=2)


def test_htmx_works_under_the_policy(strict_page):
    page = strict_page
    demo.seed_users()
    login(page, "pm", demo.DEMO_PASSWORD)
    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("Name").fill("Policy check")
    page.get_by_label("Problem").fill("Pages must work without inline code.")
    page.get_by_role("button", name="Create project").click()
    page.get_by_role("link", name="1. Scope").click()
    item = page.locator(".checklist > li", has=page.locator(".badge.required")).first
    title = item.locator(".title").inner_text()
    item.get_by_role("button", name=f"Mark “{title}” as done").click()
    # The item is swapped in place and the progress region reloads itself: htmx ran.
    page.get_by_role("button", name=f"Mark “{title}” as not done").wait_for()
    # (expect() polls without eval, which the policy refuses to page.wait_for_function strings.)
    expect(page.locator("#progress-label")).to_have_text(re.compile(r"^1 of "))
    assert _violations(page) == []


def test_the_policy_is_enforced_and_refusals_are_seen(strict_page):
    """What the tests above look for does show up when a page breaks the policy."""
    page = strict_page
    page.goto("/accounts/login/")
    with pytest.raises(Exception, match=r"violates the following Content Security Policy directive"):
        page.add_script_tag(content="window.__ran = true;")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p id=painted style=\"color: rgb(255, 0, 0)\">x</p>')")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__ran") is None
    assert page.evaluate("getComputedStyle(document.getElementById('painted')).color") != "rgb(255, 0, 0)"
    console = [v for v in page.refused if _is_csp_message(v)]
    assert any(re.search("(execute|executing) inline script", v, re.I) for v in console), console
    assert any(re.search("(apply|applying) inline style", v, re.I) for v in console), console
    events = page.evaluate("window.__csp")
    assert any(e.startswith("script-src-elem blocked inline") for e in events), events
    assert any(e.startswith("style-src-attr blocked inline") for e in events), events
