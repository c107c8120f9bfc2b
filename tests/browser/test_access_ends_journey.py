"""An approver is removed from a project while their browser is open on it: the report they are
waiting for, the report they downloaded, their inbox, their notifications and the links in them
all end at once. The owner then sees that the open review can no longer reach its quorum,
withdraws it and asks again with the approver who remains."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from governance import services as governance_services
from lifecycle.models import Job, User
from sample_data import demo
from tests.browser.conftest import login, screenshot
from tests.browser.helpers import project_with_ready_scope_gate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def finished_report(project, actor) -> Job:
    job = governance_services.report_request(project=project, actor=actor)
    job.result_file.save("report.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    job.status, job.result, job.progress, job.finished_at = Job.Status.SUCCEEDED, {"summary": {}}, 100, timezone.now()
    job.save()
    return job


def test_a_removed_approver_loses_everything_and_the_owner_asks_again(browser, live_server, page):
    project, gate = project_with_ready_scope_gate("Access ends")
    pm, approver2 = User.objects.get(username="pm"), User.objects.get(username="approver2")
    review = governance_services.review_request(gate=gate, actor=pm)
    report = finished_report(project, approver2)

    # The approver: the review waits in the inbox, its notification links to it, the report
    # downloads, and a new report is waited for on the report page (no worker runs here).
    login(page, "approver2", demo.DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("link", name="Decide the Scope gate")).to_be_visible()
    page.goto("/notifications/")
    notification_link = page.get_by_role("link", name=re.compile("Gate review: Scope of Access ends"))
    old_link = notification_link.get_attribute("href")
    assert old_link == review.get_absolute_url()
    assert page.request.get(f"/jobs/{report.pk}/download/").status == 200
    page.goto(f"/projects/{project.pk}/report/")
    page.get_by_role("button", name="Generate report").click()
    expect(page.get_by_text("Waiting for a worker…")).to_be_visible()

    # The owner removes them, in another browser.
    owner = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    owner_page = owner.new_page()
    login(owner_page, "pm", demo.DEMO_PASSWORD)
    owner_page.goto(f"/projects/{project.pk}/members/")
    owner_page.get_by_role("row").filter(has_text=approver2.display_name).get_by_role("link", name="Remove…").click()
    owner_page.get_by_role("button", name="Remove member").click()
    expect(owner_page.get_by_role("row").filter(has_text=approver2.display_name)).to_have_count(0)

    # The approver's next poll of the job reloads the page, which is gone for them.
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    screenshot(page, "access-ended")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("link", name="Decide the Scope gate")).to_have_count(0)
    page.goto("/notifications/")
    expect(page.get_by_text("Access ends")).to_have_count(0)
    assert page.goto(old_link).status == 404
    assert page.request.get(f"/jobs/{report.pk}/download/").status == 404
    assert page.request.get(f"/reports/{report.pk}/json/").status == 404
    assert page.request.get(f"/jobs/{report.pk}/").status == 404

    # The owner: told, and the gate page says the review cannot pass; withdraw and ask again.
    owner_page.goto("/notifications/")
    expect(owner_page.get_by_role("link", name=re.compile("can no longer reach its quorum"))).to_be_visible()
    owner_page.goto(f"/gates/{gate.pk}/")
    expect(owner_page.locator("#review-short")).to_contain_text("1 approver still counts for the 2 Go votes")
    screenshot(owner_page, "review-short")
    owner_page.locator("#review").get_by_role("link", name="Withdraw…").click()
    owner_page.get_by_role("button", name="Withdraw review").click()
    owner_page.get_by_label("Justification").fill("Asking again with the current approvers.")
    owner_page.get_by_role("button", name="Request review").click()
    expect(owner_page.get_by_text("Review requested from 1 approver(s)")).to_be_visible()
    owner.close()
