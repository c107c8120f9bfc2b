"""Every API error is the JSON error body of the API conventions, never HTML."""

from __future__ import annotations

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
