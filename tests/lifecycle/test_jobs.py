"""Jobs whose task the broker cannot take fail at once with a message that says so, in the page
and in the API, instead of waiting for a worker forever."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from governance.models import Gate
from governance.services import readiness as readiness_services
from governance.services import reports as report_services
from lifecycle.models import Job
from lifecycle.services.jobs import WORKERS_UNREACHABLE


@pytest.fixture
def broker_down():
    with mock.patch("celery.app.task.Task.apply_async", side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379.")):
        yield


@pytest.fixture
def gate(project):
    return Gate.objects.get(project=project, phase__key="scope")


def test_a_job_whose_task_cannot_be_sent_fails_with_a_clear_message(alice, gate, broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = readiness_services.gate_recompute_request(gate=gate, actor=alice)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == WORKERS_UNREACHABLE
    assert job.finished_at is not None


def test_a_job_that_was_sent_stays_queued_for_its_worker(alice, project, django_capture_on_commit_callbacks):
    with mock.patch("celery.app.task.Task.apply_async") as sent, django_capture_on_commit_callbacks(execute=True):
        job = report_services.report_request(project=project, actor=alice)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert sent.call_args.kwargs["args"] == (str(job.pk),)


def test_the_api_client_sees_the_failed_job(alice, gate, broker_down, django_capture_on_commit_callbacks):
    client = APIClient()
    client.force_authenticate(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/gates/{gate.pk}/readiness/")
    assert response.status_code == 202
    job = client.get(response.json()["job"]["url"]).json()
    assert job["status"] == "failed"
    assert job["error"] == WORKERS_UNREACHABLE


def test_the_page_shows_the_failure_instead_of_waiting(client, alice, project, broker_down, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("governance:report", args=[project.pk]))
    job = Job.objects.get(project=project)
    page = client.get(reverse("lifecycle:job-status", args=[job.pk])).content.decode()
    assert "Failed: The background workers could not be reached" in page
    assert "Waiting for a worker" not in page
