"""The portfolio dashboard: every panel shows the right projects' data, filters (kept in the URL)
narrow all of them, and each user sees only what they may."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import Gate, RiskCategory
from lifecycle import services as lifecycle_services


@pytest.fixture
def portfolio(alice, ava, project):
    """alice's project (open Scope review, a high risk, high-risk tier) and a second one (decided
    review, overdue phase, unclassified)."""
    category = RiskCategory.objects.get(project=None, key="data-privacy")
    services.risk_create(project=project, actor=alice, title="Leaks customer data", category=category, likelihood=5, impact=5)
    services.classification_set(project=project, actor=alice, answers={"annex_iii_areas": [4]})  # employment: high-risk
    review = services.review_request(gate=Gate.objects.get(project=project, phase__key="scope"), actor=alice, justification="Early")
    other = lifecycle_services.project_create(actor=alice, name="Contract summariser", tags=["legal"])
    lifecycle_services.membership_add(project=other, actor=alice, user=ava, role="approver", functions=["sponsor"])
    decided = services.review_request(gate=Gate.objects.get(project=other, phase__key="scope"), actor=alice, justification="Early")
    services.vote_cast(review=decided, actor=ava, decision="go", comment="Fine")
    today = timezone.localdate()
    other.phases.filter(key="select").update(planned_start=today - timedelta(days=20), planned_end=today - timedelta(days=2))
    return {"project": project, "other": other, "open_review": review, "decided": decided}


def page(client, **params) -> str:
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_every_panel_shows_the_portfolio(client_for, alice, portfolio):
    html = page(client_for(alice))
    assert "2 projects you can see" in html
    assert "Gates waiting for a decision" in html and portfolio["open_review"].get_absolute_url() in html
    assert "Leaks customer data" in html  # top risks
    assert "Recent gate decisions" in html and portfolio["decided"].get_absolute_url() in html
    assert "Overdue phases" in html and "Contract summariser · Select" in html
    assert "Readiness of current gates" in html
    assert 'role="img"' in html and "<details><summary>Table</summary>" in html  # charts with a table alternative


def test_filters_narrow_every_panel_and_stay_in_the_url(client_for, alice, portfolio):
    html = page(client_for(alice), tier="high")
    assert "1 project match these filters" in html
    assert "Leaks customer data" in html
    assert portfolio["decided"].get_absolute_url() not in html
    assert 'value="high" selected' in html
    html = page(client_for(alice), tier="unclassified")
    assert "Leaks customer data" not in html and portfolio["decided"].get_absolute_url() in html
    html = page(client_for(alice), tag="legal", status="active")
    assert "Contract summariser · Select" in html and portfolio["open_review"].get_absolute_url() not in html


def test_bad_filter_values_are_ignored_not_errors(client_for, alice, portfolio):
    html = page(client_for(alice), tier="galactic", phase="launch", owner="x" * 500)
    assert "Dashboard" in html


def test_the_inbox_shows_what_waits_for_the_user(client_for, ava, portfolio):
    html = page(client_for(ava))
    assert "Waiting for me" in html
    assert portfolio["open_review"].get_absolute_url() in html


def test_outsiders_see_an_empty_dashboard_and_portfolio_viewers_see_all(client_for, charlie, paula, portfolio):
    html = page(client_for(charlie))
    assert "0 projects you can see" in html and "Leaks customer data" not in html
    html = page(client_for(paula))
    assert "2 projects you can see" in html and "Leaks customer data" in html


def test_overdue_post_launch_audits_are_listed(client_for, alice, portfolio):
    from governance.models import PostLaunchTask

    PostLaunchTask.objects.create(project=portfolio["project"], kind="monitoring_review", due_on=date(2026, 1, 5))
    html = page(client_for(alice))
    assert "Monitoring review of" in html and ">5 Jan 2026</time>" in html
