"""Each hostile input the walkers found a 500 with, by class: nested JSON, crafted cursors, text
and numbers the database cannot store, malformed ids, requests over the size limits, and names
long enough to overflow a derived file name. Each gets the documented error and changes nothing."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from governance import services as governance_services
from governance.models import Incident
from lifecycle import services as lifecycle_services
from lifecycle.models import AuditEvent, Job
from phases.models import ArtifactComment


def _cursor(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("depth", [21, 200, 100_000])
@pytest.mark.parametrize("authenticated", [False, True])
def test_deeply_nested_json_is_a_400_naming_the_nesting(api_for, alice, depth, authenticated):
    client = api_for(alice if authenticated else None)
    url = reverse("lifecycle-api:project-list") if authenticated else reverse("lifecycle-api:token-create")
    before = AuditEvent.objects.count()
    response = client.post(url, data="[" * depth + "]" * depth, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    if depth > 21:
        assert "nested deeper than" in response.json()["message"]
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "values",
    [
        [None, None],
        ["a\x00b", "00000000-0000-0000-0000-000000000000"],
        [10**30, 1],
        [float("inf"), 1],
        [{"a": 1}, [1]],
        [True, False],
        ["x" * 5000, "y"],
        ["9999-99-99T99:99:99", "not-a-uuid"],
    ],
)
@pytest.mark.parametrize("ordering", ["-updated_at", "name"])
def test_a_crafted_cursor_is_a_400_on_the_cursor(api_for, alice, project, values, ordering):
    cursor = _cursor({"o": ordering, "v": values, "d": "n"})
    response = api_for(alice).get(reverse("lifecycle-api:project-list"), {"cursor": cursor, "ordering": ordering})
    assert response.status_code == 400
    assert response.json()["fields"] == {"cursor": [response.json()["fields"]["cursor"][0]]}


def test_nul_in_an_api_query_parameter_is_a_field_error(api_for, alice, project):
    response = api_for(alice).get(reverse("lifecycle-api:project-list"), {"search": "a\x00b"})
    assert response.status_code == 400
    assert "search" in response.json()["fields"]


def test_an_api_body_over_the_limit_is_413_too_large(api_for, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_for(alice).post(reverse("lifecycle-api:project-list"), {"name": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert response.json() == {"code": "too_large", "message": "The request body is larger than 1000 bytes."}


@pytest.mark.parametrize("multipart", [False, True])
def test_an_html_form_over_the_limit_is_a_413_page_and_saves_nothing(client_for, alice, project, settings, multipart):
    """Over the announced length (urlencoded), or over the fields' limit while the form is read
    (a multipart form, whose limit leaves room for files)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_for(alice)
    url = reverse("lifecycle:project-edit", args=[project.pk])
    if multipart:
        response = client.post(url, {"name": "x" * 2000})
    else:
        response = client.post(url, urlencode({"name": "x" * 2000}), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert b"larger than 1000 bytes" in response.content
    project.refresh_from_db()
    assert project.name == "Support assistant"


def test_an_over_long_request_line_is_414_too_large(api_for, alice, client_for):
    response = api_for(alice).get(reverse("lifecycle-api:project-list"), {"q": "x" * 9000})
    assert response.status_code == 414
    assert response.json()["code"] == "too_large"
    assert "8190 bytes" in response.json()["message"]
    page = client_for(alice).get(reverse("lifecycle:project-list"), {"q": "x" * 9000})
    assert page.status_code == 414
    assert b"longer than 8190 bytes" in page.content


@pytest.mark.parametrize("job", ["zz", "a\x00b", "9" * 40, "../00000000", "00000000-0000-0000-0000-000000000000"])
def test_a_malformed_job_id_on_the_gate_page_is_ignored(client_for, alice, project, job):
    gate = project.gates.get(phase__key="scope")
    response = client_for(alice).get(reverse("governance:gate-detail", args=[gate.pk]), {"job": job})
    assert response.status_code == 200


@pytest.mark.parametrize("param", ["q", "owner", "category", "status", "likelihood", "sort"])
def test_risk_filters_with_nul_or_huge_values_are_left_out(client_for, alice, project, param):
    for value in ("a\x00b", "9" * 40):
        response = client_for(alice).get(reverse("governance:risk-list", args=[project.pk]), {param: value})
        assert response.status_code == 200
        assert client_for(alice).get(reverse("governance:portfolio-risks"), {param: value}).status_code == 200


def test_a_number_beyond_the_column_is_a_field_error_in_an_html_form(client_for, bob, project):
    url = reverse("governance:incident-create", args=[project.pk])
    form = {"title": "Slow", "occurred_on": "2026-01-03", "severity": "low", "description": "Slow", "affected_users": "9" * 20}
    response = client_for(bob).post(url, form)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 2147483647." in response.content.decode()
    assert not Incident.objects.filter(project=project).exists()


@pytest.mark.parametrize(
    ("route", "target", "field"),
    [
        ("phases:artifact-comment", "artifact", "body"),
        ("phases:artifact-approve", "in_review", "comment"),
        ("phases:artifact-send-back", "in_review", "comment"),
    ],
)
def test_nul_in_a_posted_text_is_an_error_message_and_saves_nothing(objects, client_for, ava, route, target, field):
    before = (ArtifactComment.objects.count(), AuditEvent.objects.count())
    response = client_for(ava).post(reverse(route, args=[objects[target].pk]), {field: "a\x00b"}, follow=True)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert (ArtifactComment.objects.count(), AuditEvent.objects.count()) == before
    objects[target].refresh_from_db()
    if target == "in_review":
        assert objects[target].status == "in_review"


def test_nul_in_a_feedback_answer_is_an_error_message(objects, client_for, ava):
    feedback = objects["feedback"]
    response = client_for(ava).post(reverse("phases:feedback-answer", args=[feedback.pk]), {"answer": "a\x00b"}, follow=True)
    assert "Null characters are not allowed." in response.content.decode()
    feedback.refresh_from_db()
    assert not feedback.answer


def test_a_report_of_a_project_with_the_longest_name_succeeds(project, alice, eager_tasks, django_capture_on_commit_callbacks):
    lifecycle_services.project_update(project=project, actor=alice, name="Ab" * 100)
    project.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        job = governance_services.report_request(project=project, actor=alice)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert len(job.result_file.name) <= Job._meta.get_field("result_file").max_length
    assert job.result_file.storage.exists(job.result_file.name)
    # A second one the same day gets a name of its own, still within the column.
    with django_capture_on_commit_callbacks(execute=True):
        again = governance_services.report_request(project=project, actor=alice)
    again.refresh_from_db()
    assert again.status == Job.Status.SUCCEEDED, again.error
    assert again.result_file.name != job.result_file.name


def test_the_html_client_never_sees_a_500_page_for_a_bad_host(db):
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil\x00host")
    assert response.status_code == 400
