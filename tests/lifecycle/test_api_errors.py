"""Every API error is the JSON error body of the API conventions, never HTML."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.conftest import PASSWORD


def test_it_answers_400_with_field_errors(db):
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "password: This field is required.",
        "code": "invalid",
        "fields": {"password": ["This field is required."]},
    }


def test_it_answers_400_for_unknown_fields(db):
    response = APIClient().post("/api/v1/auth/token/", {"username": "a", "password": "b", "admin": True}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"admin": ["This field is not known."]}


def test_it_answers_400_for_malformed_json(db):
    response = APIClient().post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_it_answers_401_for_bad_credentials(alice):
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"message": "The username or password is not correct.", "code": "not_authenticated"}


def test_it_answers_401_for_a_bad_token(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token lc_nope")
    response = client.get("/api/v1/projects/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_it_answers_404_as_json_for_unknown_urls(db):
    response = APIClient().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Not found.", "code": "not_found"}


def test_it_answers_405_for_a_wrong_method(db):
    response = APIClient().get("/api/v1/auth/token/")
    assert response.status_code == 405
    assert response.json() == {"message": 'Method "GET" not allowed.', "code": "method_not_allowed"}


def test_it_issues_a_named_token(alice):
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD, "name": "ci"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "ci"
    assert body["token"].startswith("lc_")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/v1/projects/").status_code == 200


def test_it_answers_403_to_a_member_whose_role_does_not_allow_it(api_for, vic, project):
    client = api_for(vic)
    etag = client.get(f"/api/v1/projects/{project.pk}/")["ETag"]
    response = client.patch(f"/api/v1/projects/{project.pk}/", {"name": "x"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 403
    assert response.json() == {"message": "Only the project's owners can do this.", "code": "permission_denied"}


def test_it_answers_404_to_an_outsider(api_for, charlie, project):
    response = api_for(charlie).get(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 404
    assert response.json() == {"message": "No such project.", "code": "not_found"}


def test_it_answers_404_for_a_malformed_id(api_for, alice):
    response = api_for(alice).get("/api/v1/projects/not-a-uuid/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_host_gets_json_not_html(db):
    response = APIClient().get("/api/v1/projects/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "invalid"


def test_a_missing_trailing_slash_is_a_json_404_not_a_redirect(api_for, alice):
    response = api_for(alice).post("/api/v1/projects", {"name": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_pages_still_get_their_trailing_slash(client):
    assert client.get("/accounts/login").status_code == 301


def test_a_big_body_is_a_json_error(api_for, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_for(alice).post("/api/v1/projects/", {"name": "x", "description": "y" * 5000}, format="json")
    assert response.status_code in (400, 413)
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "nul \\u0000 inside"}',
        '{"name": "half \\ud800 a pair"}',
        '{"\\ud800": 1}',
        '{"name": "ok", "tags": ["\\udfff"]}',
        '{"name": "ok", "use_case": {"problem": "\\u0000"}}',
        "[" * 50 + "]" * 50,
    ],
)
def test_text_the_database_cannot_store_is_refused_with_400(api_for, alice, body):
    from lifecycle.models import Project

    response = api_for(alice).post("/api/v1/projects/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert not Project.objects.exists()


def test_an_error_that_repeats_odd_text_back_is_still_json(api_for, alice, project):
    from governance.models import Gate

    gate = Gate.objects.get(project=project, phase__key="scope")
    response = api_for(alice).post(f"/api/v1/gates/{gate.pk}/reviews/", {"justification": 5, "\u2028x": "\u00e9"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]


def test_a_key_released_by_a_failed_request_is_claimed_again(api_for, alice):
    from unittest import mock

    from lifecycle.api import idempotency
    from lifecycle.models import IdempotencyRecord

    client = api_for(alice)
    real_filter = IdempotencyRecord.objects.filter

    def vanished(*args, **kwargs):
        # Between our failed insert and our read, the first request failed and deleted its claim.
        IdempotencyRecord.objects.all().delete()
        return real_filter(*args, **kwargs)

    IdempotencyRecord.objects.create(user=alice, key="k1", method="POST", path="/api/v1/projects/", body_hash="x")
    with mock.patch.object(idempotency.IdempotencyRecord.objects, "filter", side_effect=vanished):
        response = client.post("/api/v1/projects/", {"name": "Retried"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201
