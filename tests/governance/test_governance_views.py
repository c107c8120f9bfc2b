"""Governance pages for every role: risks, sign-offs, compliance, classification, after launch."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse

from governance import services
from governance.models import Classification, Incident, Risk, RiskCategory, Signoff
from lifecycle import services as lifecycle_services
from lifecycle.models import PhaseKey
from tests.helpers import statuses_by_role

VISIBLE = {
    "owner": 200,
    "contributor": 200,
    "approver": 200,
    "viewer": 200,
    "portfolio_viewer": 200,
    "admin": 200,
    "outsider": 404,
}
CONTRIBUTORS = {
    "owner": 200,
    "contributor": 200,
    "approver": 403,
    "viewer": 403,
    "portfolio_viewer": 403,
    "admin": 200,
    "outsider": 404,
}


@pytest.fixture
def risk(project, bob):
    return services.risk_create(
        project=project,
        actor=bob,
        title='=HYPERLINK("http://evil")',
        category=RiskCategory.objects.get(project=None, key="data-privacy"),
        likelihood=4,
        impact=4,
        owner=bob,
    )


def test_risk_pages_are_visible_to_every_role_but_outsiders(client_for, personas, project, risk):
    for url in (
        reverse("governance:risk-list", args=[project.pk]),
        reverse("governance:risk-detail", args=[risk.pk]),
        reverse("governance:compliance", args=[project.pk]),
        reverse("governance:signoff-list", args=[project.pk]),
        reverse("governance:classification", args=[project.pk]),
        reverse("governance:post-launch", args=[project.pk]),
    ):
        assert statuses_by_role(personas, client_for, "get", url) == VISIBLE, url


def test_only_contributors_owners_and_admins_write_risks(client_for, personas, project, risk):
    assert statuses_by_role(personas, client_for, "get", reverse("governance:risk-create", args=[project.pk])) == CONTRIBUTORS
    assert statuses_by_role(personas, client_for, "get", reverse("governance:risk-edit", args=[risk.pk])) == CONTRIBUTORS


def test_creating_a_risk_scores_it(client_for, bob, project):
    response = client_for(bob).post(
        reverse("governance:risk-create", args=[project.pk]),
        {
            "title": "Leaks",
            "category": "data-privacy",
            "phase_found": "scope",
            "likelihood": "5",
            "impact": "4",
            "treatment": "mitigate",
            "status": "open",
        },
    )
    risk = Risk.objects.get(title="Leaks")
    assert response.status_code == 302
    assert (risk.inherent_score, risk.inherent_level) == (20, "critical")


def test_a_bad_risk_shows_the_form_errors(client_for, bob, project):
    response = client_for(bob).post(reverse("governance:risk-create", args=[project.pk]), {"title": "", "likelihood": "9"})
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["This field is required."]
    assert not Risk.objects.exists()


def test_accepting_a_high_risk_needs_an_approver(client_for, personas, risk):
    url = reverse("governance:risk-accept", args=[risk.pk])
    later = (date.today() + timedelta(days=20)).isoformat()
    for role in ("owner", "contributor", "viewer", "portfolio_viewer"):
        assert client_for(personas[role]).post(url, {"expires_on": later, "comment": "ok"}).status_code == 403, role
    assert client_for(personas["outsider"]).post(url, {"expires_on": later}).status_code == 404
    response = client_for(personas["approver"]).post(url, {"expires_on": "", "comment": "ok"}, follow=True)
    assert "needs an expiry date" in response.content.decode()
    assert client_for(personas["approver"]).post(url, {"expires_on": later, "comment": "ok"}).status_code == 302
    risk.refresh_from_db()
    assert risk.status == "accepted"


def test_the_heat_map_links_each_cell_to_its_risks(client_for, alice, project, risk):
    html = client_for(alice).get(reverse("governance:risk-list", args=[project.pk])).content.decode()
    assert "?likelihood=4&amp;impact=4&amp;status=not_closed" in html
    # A closed risk at the same place is not counted in the cell, so the link leaves it out too.
    closed = services.risk_create(project=project, actor=alice, title="Old", category=risk.category, likelihood=4, impact=4)
    services.risk_update(risk=closed, actor=alice, status="closed")
    cell = {"likelihood": 4, "impact": 4, "status": "not_closed"}
    filtered = client_for(alice).get(reverse("governance:risk-list", args=[project.pk]), cell)
    assert [r.pk for r in filtered.context["page_obj"].object_list] == [risk.pk]
    assert '<option value="not_closed" selected>' in filtered.content.decode()
    everything = client_for(alice).get(reverse("governance:risk-list", args=[project.pk]), {"likelihood": 4, "impact": 4})
    assert {r.pk for r in everything.context["page_obj"].object_list} == {risk.pk, closed.pk}
    empty = client_for(alice).get(reverse("governance:risk-list", args=[project.pk]), {"likelihood": 1, "impact": 1})
    assert list(empty.context["page_obj"].object_list) == []


def test_the_csv_export_neutralises_formulas(client_for, alice, project, risk):
    response = client_for(alice).get(reverse("governance:risk-list", args=[project.pk]), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    # UTF-8 with a BOM, so that Excel reads accents right.
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["project", "title", "category"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_the_portfolio_register_shows_only_visible_projects(client_for, personas, project, risk, charlie):
    other = lifecycle_services.project_create(actor=charlie, name="Charlie's")
    services.risk_create(project=other, actor=charlie, title="Charlie's risk", category=risk.category, likelihood=1, impact=1)

    def titles(user):
        return {r.title for r in client_for(user).get(reverse("governance:portfolio-risks")).context["page_obj"].object_list}

    assert titles(personas["owner"]) == {risk.title}
    assert titles(personas["outsider"]) == {"Charlie's risk"}
    assert titles(personas["portfolio_viewer"]) == {risk.title, "Charlie's risk"}


def test_signoffs_are_decided_only_by_function_holders(client_for, personas, project, ava):
    signoff = Signoff.objects.get(project=project, kind="data_privacy")
    url = reverse("governance:signoff-detail", args=[signoff.pk])
    data = {"decision": "approved", "comment": "DPIA reviewed", "links": "https://wiki.example/dpia"}
    for role in ("owner", "contributor", "viewer", "portfolio_viewer", "admin"):
        assert client_for(personas[role]).post(url, data).status_code == 403, role
    assert client_for(personas["outsider"]).post(url, data).status_code == 404
    assert "Your decision" in client_for(ava).get(url).content.decode()
    assert client_for(ava).post(url, data).status_code == 302
    signoff.refresh_from_db()
    assert (signoff.status, signoff.evidence) == ("approved", [{"type": "link", "url": "https://wiki.example/dpia"}])


def test_a_decision_without_evidence_shows_the_error(client_for, project, ava):
    signoff = Signoff.objects.get(project=project, kind="data_privacy")
    response = client_for(ava).post(reverse("governance:signoff-detail", args=[signoff.pk]), {"decision": "approved", "comment": "ok"})
    assert response.status_code == 200
    assert "An approval needs evidence" in response.content.decode()


def test_the_questionnaire_classifies_and_says_what_changed(client_for, personas, project):
    url = reverse("governance:classification", args=[project.pk])
    for role in ("approver", "viewer", "portfolio_viewer"):
        assert client_for(personas[role]).post(url, {"annex_iii_areas": ["4"]}).status_code == 403, role
    response = client_for(personas["contributor"]).post(url, {"annex_iii_points": ["4a"], "role": "deployer"}, follow=True)
    html = response.content.decode()
    assert "Tier: High-risk;" in html
    classification = Classification.objects.get(project=project)
    assert (classification.tier, classification.role) == ("high", "deployer")
    # The deployer's own duties are listed, each with the dates it applies from: the law's and the
    # proposed amendment's, marked as proposed.
    assert "Obligations for a deployer" in html
    assert "Use the system as its instructions say (Art. 26(1))" in html
    assert "CE marking" not in html
    assert "2026-08-02" in html and "2027-12-02 (proposed)" in html
    # The stored answers come back as the form shows them.
    form = client_for(personas["contributor"]).get(url).context["form"]
    assert (form.initial["annex_iii_points"], form.initial["annex_iii_areas"], form.initial["role"]) == (["4a"], [], "deployer")
    page = client_for(personas["viewer"]).get(reverse("lifecycle:project-detail", args=[project.pk])).content.decode()
    assert "High-risk" in page


def test_a_prohibited_project_says_it_cannot_proceed(client_for, alice, project):
    client_for(alice).post(reverse("governance:classification", args=[project.pk]), {"prohibited": ["art-5-1-c"]})
    html = client_for(alice).get(reverse("lifecycle:project-detail", args=[project.pk])).content.decode()
    assert "Not allowed to proceed" in html


def test_the_compliance_page_shows_coverage(client_for, alice, project):
    html = client_for(alice).get(reverse("governance:compliance", args=[project.pk])).content.decode()
    for name in ("EU AI Act", "NIST AI RMF", "NIST AI 600-1", "ISO/IEC 42001"):
        assert name in html
    assert "% covered" in html


def test_after_launch_owners_set_the_schedule_and_contributors_log_incidents(client_for, personas, project):
    for _ in PhaseKey.ordered():
        project = lifecycle_services.phase_advance(project=project, actor=None)
    url = reverse("governance:post-launch", args=[project.pk])
    data = {"bias_audit_every_days": "60", "monitoring_review_every_days": "14"}
    assert client_for(personas["contributor"]).post(url, data).status_code == 403
    assert client_for(personas["owner"]).post(url, data).status_code == 302
    assert project.post_launch_schedule.bias_audit_every_days == 60

    create = reverse("governance:incident-create", args=[project.pk])
    assert statuses_by_role(personas, client_for, "get", create) == CONTRIBUTORS
    response = client_for(personas["contributor"]).post(
        create,
        {
            "title": "Outage",
            "occurred_on": date.today().isoformat(),
            "severity": "medium",
            "description": "Down 2h",
            "affected_users": "10",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert statuses_by_role(personas, client_for, "get", reverse("governance:incident-detail", args=[incident.pk])) == VISIBLE
