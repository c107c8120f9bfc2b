"""Every artifact type is created, edited and approved through the browser views; attachments
and access are checked per role."""

from __future__ import annotations

import copy
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from phases import services
from phases.artifacts.fields import Rows
from phases.artifacts.types import ARTIFACT_TYPES
from phases.models import Artifact, Attachment
from sample_data.artifacts import SAMPLES
from tests.helpers import statuses_by_role


def form_data(key: str, title: str, data: dict) -> dict:
    """The POST an artifact form sends for `data`."""
    post = {"type": key, "title": title}
    for spec in ARTIFACT_TYPES[key].fields:
        value = data.get(spec.key)
        if isinstance(spec, Rows):
            for i, row in enumerate(value or []):
                for sub in spec.fields:
                    if row.get(sub.key) not in (None, ""):
                        post[f"{spec.key}-{i}-{sub.key}"] = "on" if sub.kind == "bool" and row[sub.key] else row[sub.key]
        elif spec.kind == "bool":
            if value:
                post[spec.key] = "on"
        elif value is not None:
            post[spec.key] = value
    return post


@pytest.mark.parametrize("key", sorted(ARTIFACT_TYPES))
def test_every_type_is_created_edited_and_approved_in_the_browser(client_for, project, bob, ava, key):
    title, data = SAMPLES[key]
    create_url = reverse("phases:artifact-create", args=[project.pk]) + f"?type={key}"
    assert client_for(bob).get(create_url).status_code == 200

    response = client_for(bob).post(create_url, form_data(key, title, data))
    artifact = Artifact.objects.get(project=project, type=key)
    assert response.status_code == 302 and response["Location"] == artifact.get_absolute_url()

    edited = copy.deepcopy(artifact.latest_version.data)
    response = client_for(bob).post(reverse("phases:artifact-edit", args=[artifact.pk]), form_data(key, f"{title} (revised)", edited))
    assert response.status_code == 302
    artifact.refresh_from_db()
    assert (artifact.latest_version.number, artifact.title) == (2, f"{title} (revised)")
    # The form round trip keeps the content exactly.
    assert artifact.latest_version.data == artifact.versions.get(number=1).data

    assert client_for(bob).post(reverse("phases:artifact-submit", args=[artifact.pk])).status_code == 302
    assert client_for(ava).post(reverse("phases:artifact-approve", args=[artifact.pk]), {"comment": "Fine"}).status_code == 302
    artifact.refresh_from_db()
    assert artifact.status == "approved"
    page = client_for(ava).get(artifact.get_absolute_url()).content.decode()
    assert "This version is approved" in page


def test_the_form_shows_field_errors_and_saves_nothing(client_for, project, bob):
    key = "inference_cost_estimate"
    title, data = SAMPLES[key]
    data = copy.deepcopy(data)
    data["candidates"][0]["requests_per_day"] = -5
    response = client_for(bob).post(reverse("phases:artifact-create", args=[project.pk]), form_data(key, title, data))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved." in html
    assert 'id="f-candidates-0-requests_per_day" name="candidates-0-requests_per_day" value="-5"' in html
    assert "Must not be negative." in html
    assert not Artifact.objects.filter(project=project).exists()


def test_rows_are_added_and_removed_without_javascript(client_for, project, bob):
    key = "evaluation_report"
    title, data = SAMPLES[key]
    post = form_data(key, title, data)
    post["add_row"] = "metrics"
    response = client_for(bob).post(reverse("phases:artifact-create", args=[project.pk]), post)
    assert 'name="metrics-3-name"' in response.content.decode()
    assert not Artifact.objects.exists()

    post = form_data(key, title, data)
    post["metrics-1-remove"] = "on"
    client_for(bob).post(reverse("phases:artifact-create", args=[project.pk]), post)
    artifact = Artifact.objects.get()
    assert [m["name"] for m in artifact.latest_version.data["metrics"]] == ["accuracy", "p95 latency (s)"]


def test_only_contributors_owners_and_admins_create(client_for, personas, project):
    url = reverse("phases:artifact-create", args=[project.pk]) + "?type=model_card"
    assert statuses_by_role(personas, client_for, "get", url) == {
        "owner": 200,
        "contributor": 200,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 200,
        "outsider": 404,
    }


@pytest.fixture
def artifact(project, bob):
    title, data = SAMPLES["model_card"]
    return services.artifact_create(project=project, actor=bob, type="model_card", title=title, data=data)


def test_the_artifact_pages_are_visible_to_every_role_but_outsiders(client_for, personas, artifact):
    expected = {
        "owner": 200,
        "contributor": 200,
        "approver": 200,
        "viewer": 200,
        "portfolio_viewer": 200,
        "admin": 200,
        "outsider": 404,
    }
    for url in (
        artifact.get_absolute_url(),
        reverse("phases:artifact-list", args=[artifact.project_id]),
        reverse("phases:artifact-version", args=[artifact.pk, 1]),
        reverse("phases:artifact-diff", args=[artifact.pk]),
    ):
        assert statuses_by_role(personas, client_for, "get", url) == expected, url


def test_only_approvers_who_do_not_own_it_decide(client_for, personas, project, artifact, bob):
    services.artifact_submit(artifact=artifact, actor=bob)
    url = reverse("phases:artifact-send-back", args=[artifact.pk])
    statuses = statuses_by_role(personas, client_for, "post", url, {"comment": "Please add limits"})
    assert statuses == {
        "owner": 403,
        "contributor": 403,
        "approver": 302,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 302,
        "outsider": 404,
    }
    # The approver sent it back; the admin's later attempt found it no longer in review.
    artifact.refresh_from_db()
    assert artifact.status == "draft"


def test_the_diff_shows_what_changed(client_for, bob, artifact):
    data = copy.deepcopy(artifact.latest_version.data)
    data["limits"] = "Can be wrong about prices.\nDoes not know account data."
    services.artifact_update(artifact=artifact, actor=bob, data=data)
    html = client_for(bob).get(reverse("phases:artifact-diff", args=[artifact.pk]) + "?from=1&to=2").content.decode()
    assert "What changed from v1 to v2" in html
    assert "Limits" in html and "Can be wrong about prices." in html
    assert "Intended use" not in html.split("What changed")[1]
    # Malformed version numbers fall back to the latest two; unknown ones are 404.
    assert client_for(bob).get(reverse("phases:artifact-diff", args=[artifact.pk]) + "?from=x").status_code == 200
    assert client_for(bob).get(reverse("phases:artifact-diff", args=[artifact.pk]) + "?from=9").status_code == 404


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_attachments_are_hashed_and_served_only_to_members(client_for, personas, bob, artifact):
    upload = SimpleUploadedFile("../../etc/Risk register.pdf", PDF, content_type="application/pdf")
    response = client_for(bob).post(reverse("phases:attachment-upload", args=[artifact.pk]), {"file": upload})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "Risk register.pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "etc" not in attachment.file.name

    url = reverse("phases:attachment-download", args=[attachment.pk])
    expected = {
        "owner": 200,
        "contributor": 200,
        "approver": 200,
        "viewer": 200,
        "portfolio_viewer": 200,
        "admin": 200,
        "outsider": 404,
    }
    assert statuses_by_role(personas, client_for, "get", url) == expected
    download = client_for(bob).get(url)
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="Risk register.pdf"'


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("notes.exe", b"MZ\x90\x00", "application/x-msdownload", "not an accepted file type"),
        ("fake.pdf", b"<html><script>alert(1)</script></html>", "application/pdf", "does not contain what its type says"),
        ("empty.txt", b"", "text/plain", "is empty"),
    ],
)
def test_bad_attachments_are_refused_with_a_message(client_for, bob, artifact, name, content, content_type, message):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    response = client_for(bob).post(reverse("phases:attachment-upload", args=[artifact.pk]), {"file": upload}, follow=True)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_oversize_attachments_are_refused(client_for, bob, artifact, settings):
    settings.UPLOAD_MAX_BYTES = 10
    upload = SimpleUploadedFile("a.txt", b"x" * 11, content_type="text/plain")
    response = client_for(bob).post(reverse("phases:attachment-upload", args=[artifact.pk]), {"file": upload}, follow=True)
    assert "is larger than" in response.content.decode()
    assert not Attachment.objects.exists()


def test_viewers_cannot_upload(client_for, vic, artifact):
    upload = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    assert client_for(vic).post(reverse("phases:attachment-upload", args=[artifact.pk]), {"file": upload}).status_code == 403


def test_feedback_is_asked_and_answered_in_the_browser(client_for, bob, ava, artifact):
    client_for(bob).post(reverse("phases:feedback-ask", args=[artifact.pk]), {"reviewers": [str(ava.pk)], "message": "Clear enough?"})
    feedback = artifact.feedback_requests.get()
    page = client_for(ava).get(artifact.get_absolute_url()).content.decode()
    assert "asks for your feedback on v1" in page
    response = client_for(ava).post(reverse("phases:feedback-answer", args=[feedback.pk]), {"answer": "Add the contact."}, follow=True)
    assert "Add the contact." in response.content.decode()
    assert client_for(bob).post(reverse("phases:feedback-answer", args=[feedback.pk]), {"answer": "x"}).status_code == 403


def test_the_phase_page_shows_expected_against_present_and_approved(client_for, alice, project, bob, ava):
    title, data = SAMPLES["scope_document"]
    artifact = services.artifact_create(project=project, actor=bob, type="scope_document", title=title, data=data)
    services.artifact_submit(artifact=artifact, actor=bob)
    services.artifact_approve(artifact=artifact, actor=ava)
    html = client_for(alice).get(reverse("phases:phase-detail", args=[project.phases.get(key="scope").pk])).content.decode()
    assert "Stakeholder workshop" in html and "Missing" in html
    assert "1 approved" in html
