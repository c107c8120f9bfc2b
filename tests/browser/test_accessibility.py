"""axe-core (the npm package, injected into each page) finds no serious or critical violation on
any main page, for the demo data; the dashboard, project, gate and report pages are saved as
screenshots. A viewer sees everything and can change nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.urls import reverse

from governance.models import Gate, Review, Risk, Signoff, WebhookEndpoint
from lifecycle.models import Project
from phases.models import Artifact
from sample_data import demo
from tests.browser.conftest import ROOT, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _axe(page) -> list[dict]:
    """Serious and critical violations on the current page, with the elements they concern."""
    if not Path(AXE).exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci` (make test does).")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return result


def _main_pages() -> dict[str, str]:
    project = Project.objects.get(name="Customer-service assistant")
    gate = Gate.objects.get(project=project, phase__key=project.current_phase)
    review = Review.objects.filter(project=project).first() or Review.objects.first()
    artifact = Artifact.objects.filter(project=project).first()
    risk = Risk.objects.filter(project=project).first()
    signoff = Signoff.objects.filter(project=project).first()
    phase = project.phases.get(key=project.current_phase)
    pages = {
        "dashboard": reverse("home"),
        "project-list": reverse("lifecycle:project-list"),
        "project-create": reverse("lifecycle:project-create"),
        "project": project.get_absolute_url(),
        "members": reverse("lifecycle:member-list", args=[project.pk]),
        "activity": reverse("lifecycle:project-activity", args=[project.pk]),
        "phase": reverse("phases:phase-detail", args=[phase.pk]),
        "artifacts": reverse("phases:artifact-list", args=[project.pk]),
        "artifact": artifact.get_absolute_url(),
        "risks": reverse("governance:risk-list", args=[project.pk]),
        "risk": risk.get_absolute_url(),
        "portfolio-risks": reverse("governance:portfolio-risks"),
        "signoffs": reverse("governance:signoff-list", args=[project.pk]),
        "signoff": signoff.get_absolute_url(),
        "compliance": reverse("governance:compliance", args=[project.pk]),
        "classification": reverse("governance:classification", args=[project.pk]),
        "gate": gate.get_absolute_url(),
        "review": review.get_absolute_url(),
        "reviews": reverse("governance:review-list"),
        "report": reverse("governance:report", args=[project.pk]),
        "webhooks": reverse("governance:webhook-list", args=[project.pk]),
        "inbox": reverse("lifecycle:inbox"),
        "notifications": reverse("lifecycle:notification-list"),
        "account": reverse("lifecycle:account"),
    }
    live = Project.objects.filter(status="live").first()
    if live:
        pages["post-launch"] = reverse("governance:post-launch", args=[live.pk])
    return pages


def test_no_serious_or_critical_violation_on_any_main_page(page):
    demo.seed(io.StringIO())
    login(page, "pm", demo.DEMO_PASSWORD)
    found = {}
    for name, url in _main_pages().items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        violations = _axe(page)
        if violations:
            found[name] = violations
        if name in ("dashboard", "project", "gate", "report"):
            screenshot(page, name)
    assert not found, json.dumps(found, indent=2)


def test_the_checker_reports_what_it_finds(page):
    """A page with a critical fault (an image without a text alternative) is reported."""
    page.goto("/accounts/login/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/img/favicon.svg\">')")
    assert [v["id"] for v in _axe(page)] == ["image-alt"]


def test_the_login_page_has_no_serious_violation(page):
    page.goto("/accounts/login/")
    assert _axe(page) == []


def test_a_viewer_sees_everything_and_can_change_nothing(page):
    demo.seed(io.StringIO())
    login(page, "viewer", demo.DEMO_PASSWORD)
    project = Project.objects.get(name="Customer-service assistant")
    page.goto(project.get_absolute_url())
    main = page.locator("main")
    assert "Customer-service assistant" in main.inner_text()
    # Nothing on the project page offers a change.
    for label in ("Edit", "Delete…", "Resume project", "Advance phase…"):
        assert page.get_by_role("link", name=label, exact=True).count() == 0, label
    pages = _main_pages()
    for name in ("phase", "artifact", "risks", "risk", "signoffs", "signoff", "compliance", "gate", "review", "activity", "artifacts"):
        response = page.goto(pages[name])
        assert response.status == 200, name
        # No form that changes anything can be submitted: checklist ticks show as disabled
        # buttons (their state), nothing else posts.
        changing = page.locator("main form[method=post] button:not([disabled]), main form[method=post] input[type=submit]")
        assert changing.count() == 0, f"{name} offers a change to a viewer"
    # The pages that change things refuse the viewer.
    for url in (reverse("governance:webhook-list", args=[project.pk]), reverse("lifecycle:project-edit", args=[project.pk])):
        assert page.goto(url).status == 403, url
    # And a crafted POST changes nothing either.
    risk = Risk.objects.filter(project=project).first()
    before = risk.title
    status = page.evaluate(
        """async (url) => {
            const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken='))?.split('=')[1] || '';
            const headers = {'X-CSRFToken': token, 'Content-Type': 'application/x-www-form-urlencoded'};
            const r = await fetch(url, {method: 'POST', headers,
                                        body: 'title=Hacked&category=data-privacy&likelihood=1&impact=1'});
            return r.status;
        }""",
        reverse("governance:risk-edit", args=[risk.pk]),
    )
    assert status == 403
    risk.refresh_from_db()
    assert risk.title == before
    assert not WebhookEndpoint.objects.exists()
    screenshot(page, "viewer-project")
