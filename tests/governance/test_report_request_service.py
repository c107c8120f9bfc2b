"""Reports are not piled up: while a project's report is queued or running, whoever asks again
(the same person or anyone else who sees the project, in the browser or the API) follows that job
instead of starting another, even when the requests arrive at the same moment."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from lifecycle import services as lifecycle_services
from lifecycle.models import Job
from lifecycle.services.jobs import LOST_JOB
from tests.api.schema import assert_matches_schema
from tests.conftest import make_user
from tests.helpers import assert_partial, race

REPORT = "governance_report"


def _reports(project) -> list[Job]:
    return list(Job.objects.filter(kind=REPORT, project=project).order_by("created_at"))


def test_it_returns_the_queued_report_to_a_second_request(project, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as first_callbacks:
        first = services.report_request(project=project, actor=alice)
    with django_capture_on_commit_callbacks() as second_callbacks:
        second = services.report_request(project=project, actor=alice)
    assert second.pk == first.pk
    # Only the first request sends a task: the second one starts nothing.
    assert (len(first_callbacks), len(second_callbacks)) == (1, 0)
    assert _reports(project) == [first]


def test_anyone_else_who_sees_the_project_follows_the_running_report(project, alice, vic):
    first = services.report_request(project=project, actor=alice)
    assert lifecycle_services.job_start(job_id=first.pk)
    followed = services.report_request(project=project, actor=vic)
    assert (followed.pk, followed.status, followed.created_by) == (first.pk, "running", alice)


@pytest.mark.parametrize("finish", ["succeed", "fail"])
def test_a_new_report_starts_once_the_last_has_finished(project, alice, finish):
    first = services.report_request(project=project, actor=alice)
    if finish == "succeed":
        lifecycle_services.job_succeed(job_id=first.pk)
    else:
        lifecycle_services.job_fail(job_id=first.pk, error="broke")
    second = services.report_request(project=project, actor=alice)
    assert second.pk != first.pk and second.status == "queued"


def test_reports_of_other_projects_do_not_wait_for_each_other(project, alice):
    other = lifecycle_services.project_create(actor=alice, name="Other")
    assert services.report_request(project=project, actor=alice).pk != services.report_request(project=other, actor=alice).pk


def test_other_kinds_of_job_do_not_count(project, alice):
    lifecycle_services.job_create(kind="gate_recompute", actor=alice, project=project)
    services.report_request(project=project, actor=alice)
    assert len(_reports(project)) == 1


@pytest.mark.parametrize(
    ("status", "age"),
    [
        # Queued for over an hour: its message was lost with the broker's data.
        ("queued", timedelta(hours=1, minutes=1)),
        # Running past the hard time limit: its worker was killed before it could finish.
        ("running", timedelta(minutes=7)),
    ],
)
def test_a_lost_report_does_not_block_the_project_forever(project, alice, status, age):
    lost = lifecycle_services.job_create(kind=REPORT, actor=alice, project=project)
    Job.objects.filter(pk=lost.pk).update(status=status, created_at=timezone.now() - age, started_at=timezone.now() - age)
    fresh = services.report_request(project=project, actor=alice)
    assert fresh.pk != lost.pk
    lost.refresh_from_db()
    assert (lost.status, lost.error) == ("failed", LOST_JOB)


def test_a_report_that_has_not_waited_long_is_not_taken_for_lost(project, alice):
    waiting = lifecycle_services.job_create(kind=REPORT, actor=alice, project=project)
    Job.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=50))
    assert services.report_request(project=project, actor=alice).pk == waiting.pk


# --- The page and the API ----------------------------------------------------------------------


def test_the_page_follows_the_report_already_running(client_for, alice, vic, project):
    page = reverse("governance:report", args=[project.pk])
    first = client_for(alice).post(page, HTTP_HX_REQUEST="true")
    job = Job.objects.get(kind=REPORT)
    assert_partial(first, f"job-{job.pk}")
    # Another member's click shows the progress of the same job, and a plain form post goes to
    # the page that follows it.
    again = client_for(vic).post(page, HTTP_HX_REQUEST="true")
    assert_partial(again, f"job-{job.pk}")
    assert client_for(vic).post(page)["Location"] == f"{page}?job={job.pk}"
    assert Job.objects.filter(kind=REPORT).count() == 1


def test_the_api_names_the_report_already_running(api_for, alice, vic, project):
    url = f"/api/v1/projects/{project.pk}/report/"
    first = api_for(alice).get(url)
    job = Job.objects.get(kind=REPORT)
    lifecycle_services.job_start(job_id=job.pk)
    second = api_for(vic).get(url)
    # The same status code and shape as a fresh start, naming the running job.
    assert (first.status_code, second.status_code) == (202, 202)
    assert_matches_schema(second)
    assert second.json() == {"job": {"id": str(job.pk), "status": "running", "url": f"/api/v1/jobs/{job.pk}/"}}
    assert Job.objects.filter(kind=REPORT).count() == 1


# --- At the same moment ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_requests_at_the_same_moment_start_one_report(attempt):
    alice = make_user("alice")
    project = lifecycle_services.project_create(actor=alice, name="Race")
    people = [alice] + [make_user(f"viewer{n}") for n in range(5)]
    for person in people[1:]:
        lifecycle_services.membership_add(project=project, actor=alice, user=person, role="viewer")

    with mock.patch("lifecycle.services.jobs.send_now", return_value=True) as sent:
        results = race(*[lambda person=person: services.report_request(project=project, actor=person) for person in people])

    assert all(isinstance(r, Job) for r in results), results
    # The project row lock makes the check and the insert one step: one job, one task.
    assert {r.pk for r in results} == {j.pk for j in _reports(project)}
    assert len(_reports(project)) == 1
    assert sent.call_count == 1
