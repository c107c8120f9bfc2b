"""Gate pages: readiness with its explanations and trend, stale badges, recompute on demand."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse

from governance.models import Gate
from governance.services import readiness
from lifecycle.models import Job
from tests.helpers import assert_partial, statuses_by_role

VISIBLE = {
    "owner": 200,
    "contributor": 200,
    "approver": 200,
    "viewer": 200,
    "portfolio_viewer": 200,
    "admin": 200,
    "outsider": 404,
}


def scope(project):
    return Gate.objects.get(project=project, phase__key="scope")


def test_the_gate_page_is_visible_to_every_role_but_outsiders(client_for, personas, project):
    assert statuses_by_role(personas, client_for, "get", reverse("governance:gate-detail", args=[scope(project).pk])) == VISIBLE


def test_before_any_score_the_page_says_so_and_never_computes(client_for, alice, project):
    with mock.patch.object(readiness, "gates_assess", side_effect=AssertionError("computed in a request")):
        html = client_for(alice).get(reverse("governance:gate-detail", args=[scope(project).pk])).content.decode()
    assert "Not scored yet" in html


def test_the_page_explains_each_criterion_and_draws_the_trend(client_for, alice, project):
    gate = scope(project)
    readiness.gate_assess(gate.pk)
    html = client_for(alice).get(reverse("governance:gate-detail", args=[gate.pk])).content.decode()
    assert "required checklist items are done" in html
    assert "Fix it" in html
    assert "<svg" in html and "Readiness of the Scope gate over time" in html
    assert "The same as a table" in html


def test_a_stale_score_is_shown_as_stale(client_for, alice, bob, project):
    from phases import services as phases_services
    from phases.models import ChecklistItem

    gate = scope(project)
    readiness.gate_assess(gate.pk)
    phases_services.checklist_item_set_done(item=ChecklistItem.objects.filter(phase=gate.phase).first(), actor=bob, done=True)
    html = client_for(alice).get(reverse("governance:gate-detail", args=[gate.pk])).content.decode()
    assert "Stale" in html and "a new score is on its way" in html
    # The panel polls itself while stale.
    response = client_for(alice).get(reverse("governance:gate-detail", args=[gate.pk]) + "?part=readiness", HTTP_HX_REQUEST="true")
    assert_partial(response, "readiness-panel")


def test_only_owners_and_admins_recompute(client_for, personas, project):
    url = reverse("governance:gate-recompute", args=[scope(project).pk])
    with mock.patch("lifecycle.services.tasks.send_now", return_value=True):
        statuses = statuses_by_role(personas, client_for, "post", url)
    assert statuses == {
        "owner": 302,
        "contributor": 403,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 302,
        "outsider": 404,
    }
    assert Job.objects.filter(kind="gate_recompute").count() == 2


def test_recompute_with_htmx_shows_the_job_progress(client_for, alice, project):
    with mock.patch("lifecycle.services.tasks.send_now", return_value=True):
        response = client_for(alice).post(reverse("governance:gate-recompute", args=[scope(project).pk]), HTTP_HX_REQUEST="true")
    job = Job.objects.get()
    assert_partial(response, f"job-{job.pk}")
    assert 'hx-trigger="every 1s"' in response.content.decode()
    status = client_for(alice).get(reverse("lifecycle:job-status", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "Waiting for a worker" in status.content.decode()


def test_a_finished_job_stops_the_polling(client_for, alice, project):
    job = Job.objects.create(kind="gate_recompute", created_by=alice, project=project, status="succeeded", progress=100)
    response = client_for(alice).get(reverse("lifecycle:job-status", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 286
    assert "Done." in response.content.decode()


def test_jobs_are_private_to_those_who_may_follow_them(client_for, alice, charlie, project):
    job = Job.objects.create(kind="gate_recompute", created_by=alice, project=project)
    assert client_for(charlie).get(reverse("lifecycle:job-status", args=[job.pk])).status_code == 404


def test_the_project_list_and_page_show_the_current_gate_at_a_glance(client_for, alice, project):
    readiness.gate_assess(scope(project).pk)
    listing = client_for(alice).get(reverse("lifecycle:project-list")).content.decode()
    assert "Gate readiness" in listing
    score = str(scope(project).last_assessment.score)
    assert score in listing
    page = client_for(alice).get(reverse("lifecycle:project-detail", args=[project.pk])).content.decode()
    assert "Scope gate" in page and score in page
    phase_page = client_for(alice).get(reverse("phases:phase-detail", args=[scope(project).phase_id])).content.decode()
    assert "Gate readiness" in phase_page
