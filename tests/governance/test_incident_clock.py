"""A serious incident has a clock (EU AI Act Art. 73): from the day the organisation became aware,
its Art. 3(49) harm sets when the report to the authority is due; due and overdue reports reach
the owners and compliance officers, the dashboard and the report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import Incident
from governance.models.register import report_deadline_days
from lifecycle.exceptions import ApplicationError
from lifecycle.models import Notification

TODAY = date(2026, 12, 7)


@pytest.fixture
def today(time_machine):
    time_machine.move_to("2026-12-07 09:00:00+00:00", tick=False)
    return TODAY


def log(project, actor, **fields):
    base = {"title": "Wrong triage", "occurred_on": TODAY - timedelta(days=3), "severity": "critical", "description": "It happened."}
    return services.incident_create(project=project, actor=actor, **{**base, **fields})


@pytest.mark.parametrize(
    ("harm", "death", "widespread", "days"),
    [
        ("health", True, False, 10),  # Art. 73(4): a death
        ("health", False, False, 15),  # Art. 73(2)
        ("critical_infrastructure", False, False, 2),  # Art. 73(3)
        ("fundamental_rights", False, True, 2),  # a widespread infringement
        ("fundamental_rights", False, False, 15),
        ("property_or_environment", False, False, 15),
        ("", False, False, 15),
    ],
)
def test_the_harm_sets_the_deadline(harm, death, widespread, days):
    assert report_deadline_days(harm=harm, death=death, widespread=widespread) == days


def test_an_incident_after_a_death_is_due_ten_days_after_awareness(project, bob, today):
    incident = log(project, bob, serious=True, death=True, aware_on=TODAY - timedelta(days=1))
    assert (incident.harm, incident.report_due_on) == ("health", TODAY + timedelta(days=9))
    assert incident.report_status() == "due"
    assert incident.report_status(TODAY + timedelta(days=10)) == "overdue"


def test_the_clock_starts_on_the_day_it_is_logged_unless_said(project, bob, today):
    incident = log(project, bob, serious=True, harm="critical_infrastructure")
    assert (incident.aware_on, incident.report_due_on) == (TODAY, TODAY + timedelta(days=2))
    # Once reported, nothing is due; an incident that is not serious has no clock.
    incident = services.incident_update(incident=incident, actor=bob, reported_at=timezone.now(), reported_to="BNetzA", member_state="DE")
    assert incident.report_status() == ""
    assert log(project, bob, title="Minor").report_due_on is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"aware_on": TODAY + timedelta(days=1)}, "aware_on"),
        ({"aware_on": TODAY - timedelta(days=10)}, "aware_on"),  # before it happened
        ({"death": True, "harm": "property_or_environment"}, "death"),
        ({"harm": "bad_luck"}, "harm"),
        ({"member_state": "XX"}, "member_state"),
    ],
)
def test_bad_clock_fields_are_refused_and_change_nothing(project, bob, today, fields, field):
    with pytest.raises(ApplicationError) as error:
        log(project, bob, serious=True, **fields)
    assert field in error.value.fields
    assert not Incident.objects.exists()


def test_due_and_overdue_reports_are_told_once_each(project, alice, bob, ava, today, time_machine):
    incident = log(project, bob, serious=True, harm="critical_infrastructure")
    assert services.incident_reports_notify() == 1
    assert services.incident_reports_notify() == 0
    due = Notification.objects.filter(url=incident.get_absolute_url(), title__startswith="Serious-incident report is due")
    assert {n.user for n in due} == {alice, ava}  # the owner and the compliance officer
    time_machine.move_to("2026-12-10 09:00:00+00:00", tick=False)
    assert services.incident_reports_notify() == 1
    assert services.incident_reports_notify() == 0
    assert Notification.objects.filter(title__startswith="Serious-incident report is overdue", user=alice).count() == 1


def test_the_dashboard_and_the_api_show_the_due_report(client_for, api_for, project, alice, bob, today):
    incident = log(project, bob, serious=True, death=True)
    html = client_for(alice).get(reverse("home")).content.decode()
    assert "Serious-incident reports to send" in html and incident.title in html
    read = api_for(bob).get(f"/api/v1/incidents/{incident.pk}/")
    body = read.json()
    assert (body["report_due_on"], body["report_status"], body["harm"]) == ("2026-12-17", "due", "health")
    # Moving the day of awareness moves the deadline.
    url = f"/api/v1/incidents/{incident.pk}/"
    response = api_for(bob).patch(url, {"aware_on": "2026-12-05"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 200, response.content
    assert response.json()["report_due_on"] == "2026-12-15"
