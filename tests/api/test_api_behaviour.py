"""API conventions: strong ETags and conditional requests, idempotent POSTs, cursor
pagination, error bodies for every kind of bad input, throttling, and the main flows."""

from __future__ import annotations

import gzip
import json

import pytest
from rest_framework.test import APIClient

from lifecycle import services
from tests.api.schema import assert_matches_schema
from tests.conftest import make_user


@pytest.fixture
def owner(api_for, alice):
    return api_for(alice)


def test_single_resources_carry_a_strong_etag_and_answer_304(owner, project):
    url = f"/api/v1/projects/{project.pk}/"
    first = owner.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = owner.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag


def test_compressed_responses_keep_a_strong_etag_that_still_matches(owner, project):
    url = f"/api/v1/projects/{project.pk}/"
    plain = owner.get(url)["ETag"]
    zipped = owner.get(url, HTTP_ACCEPT_ENCODING="gzip")
    if zipped.get("Content-Encoding") == "gzip":
        assert zipped["ETag"] == plain[:-1] + '-gzip"'
        assert not zipped["ETag"].startswith("W/")
        assert json.loads(gzip.decompress(zipped.content))["id"] == str(project.pk)
    # Either form of the tag satisfies If-Match and If-None-Match.
    assert owner.get(url, HTTP_IF_NONE_MATCH=zipped["ETag"]).status_code == 304
    assert owner.patch(url, {"description": "x"}, format="json", HTTP_IF_MATCH=zipped["ETag"]).status_code == 200


def test_patch_needs_if_match_and_refuses_a_stale_one(owner, project):
    url = f"/api/v1/projects/{project.pk}/"
    missing = owner.patch(url, {"name": "New"}, format="json")
    assert missing.status_code == 428
    assert missing.json() == {"message": "Send If-Match with the ETag of your last GET of this resource.", "code": "precondition_required"}
    etag = owner.get(url)["ETag"]
    assert owner.patch(url, {"name": "First writer"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    # A second client still holding the old ETag must not overwrite the first one's change.
    stale = owner.patch(url, {"name": "Second writer"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    project.refresh_from_db()
    assert project.name == "First writer"


def test_delete_needs_if_match(owner, project):
    url = f"/api/v1/projects/{project.pk}/"
    assert owner.delete(url).status_code == 428
    assert owner.delete(url, HTTP_IF_MATCH='"nope"').status_code == 412
    assert owner.delete(url, HTTP_IF_MATCH=owner.get(url)["ETag"]).status_code == 204


def test_an_idempotency_key_replays_the_first_response(owner, alice):
    body = {"name": "Idempotent", "tags": ["a"]}
    first = owner.post("/api/v1/projects/", body, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    second = owner.post("/api/v1/projects/", body, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    from lifecycle.models import Project

    assert Project.objects.filter(name="Idempotent").count() == 1


def test_the_same_key_with_another_body_is_422(owner):
    owner.post("/api/v1/projects/", {"name": "One"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = owner.post("/api/v1/projects/", {"name": "Two"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_mismatch"


def test_keys_are_scoped_to_the_user(api_for, alice, bob):
    api_for(alice).post("/api/v1/projects/", {"name": "Alice's"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = api_for(bob).post("/api/v1/projects/", {"name": "Bob's"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201 and response.json()["name"] == "Bob's"


def test_cursor_pagination_is_stable_under_inserts(owner, alice):
    for i in range(5):
        services.project_create(actor=alice, name=f"P{i}")
    page1 = owner.get("/api/v1/projects/", {"ordering": "name", "page_size": 2}).json()
    assert [p["name"] for p in page1["results"]] == ["P0", "P1"]
    # A project inserted before the cursor does not shift the next page.
    services.project_create(actor=alice, name="A first")
    page2 = owner.get(page1["next"]).json()
    assert [p["name"] for p in page2["results"]] == ["P2", "P3"]
    back = owner.get(page2["previous"]).json()
    assert [p["name"] for p in back["results"]] == ["P0", "P1"]
    last = owner.get(owner.get(page2["next"]).json()["next"]).json() if owner.get(page2["next"]).json()["next"] else None
    assert last is None or last["next"] is None


def test_page_size_is_capped_at_200(owner, alice):
    response = owner.get("/api/v1/projects/", {"page_size": 1000})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": "ten"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"cursor": "not-base64!"}, "cursor"),
        ({"cursor": "eyJmb28iOiAxfQ"}, "cursor"),
        ({"ordering": "password"}, "ordering"),
        ({"phase": "launch"}, "phase"),
        ({"status": "dead"}, "status"),
        ({"updated_since": "yesterday"}, "updated_since"),
    ],
)
def test_bad_list_parameters_are_400_with_the_field(owner, project, params, field):
    response = owner.get("/api/v1/projects/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"], body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": 42 * "x" * 10}, "name"),
        ({"name": "ok", "tags": "not-a-list"}, "tags"),
        ({"name": "ok", "template": "not-a-uuid"}, "template"),
        ({"name": "ok", "template": "00000000-0000-0000-0000-000000000000"}, "template"),
        ({"name": "ok", "use_case": {"problem": ["x"]}}, "use_case.problem"),
        ({"name": "ok", "owner": "me"}, "owner"),
        ({"name": "ok", "tags": ["<b>bold</b>"]}, "tags"),
    ],
)
def test_bad_bodies_are_400_with_the_field_and_create_nothing(owner, body, field):
    from lifecycle.models import Project

    before = Project.objects.count()
    response = owner.post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert Project.objects.count() == before


def test_non_json_and_oversize_bodies_are_refused_as_json(owner, settings):
    response = owner.post("/api/v1/projects/", "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    big = owner.post("/api/v1/projects/", {"name": "x" * 500}, format="json")
    assert big.status_code in (400, 413)
    assert big["Content-Type"] == "application/json"


def test_a_list_body_instead_of_an_object_is_400(owner):
    response = owner.post("/api/v1/projects/", [1, 2], format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_project_filters(owner, alice, project):
    other = services.project_create(actor=alice, name="Contract bot", tags=["legal"])
    services.phase_advance(project=other, actor=None)

    def names(**params):
        return {p["name"] for p in owner.get("/api/v1/projects/", params).json()["results"]}

    assert names(phase="select") == {"Contract bot"}
    assert names(tag="pilot") == {"Support assistant"}
    assert names(search="contract") == {"Contract bot"}
    assert names(status="active") == {"Contract bot", "Support assistant"}
    assert names(updated_since="2999-01-01T00:00:00Z") == set()


def test_create_project_returns_201_with_the_documented_body(owner):
    response = owner.post(
        "/api/v1/projects/",
        {"name": "Via API", "description": "d", "use_case": {"problem": "p", "end_users": "u", "expectations": "e"}, "tags": ["x"]},
        format="json",
    )
    assert response.status_code == 201
    assert_matches_schema(response, "POST")
    body = response.json()
    assert body["use_case"] == {"problem": "p", "end_users": "u", "expectations": "e"}
    assert body["current_phase"] == "scope" and body["status"] == "active"
    assert body["created_at"].endswith("Z") and len(body["created_at"].split(".")[1]) == 4
    assert response["Location"] == f"/api/v1/projects/{body['id']}/"


def test_the_review_and_vote_flow(api_for, alice, ava, project):
    from governance.models import Gate

    gate = Gate.objects.get(project=project, phase__key="scope")
    refused = api_for(alice).post(f"/api/v1/gates/{gate.pk}/reviews/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "justification_required"
    created = api_for(alice).post(f"/api/v1/gates/{gate.pk}/reviews/", {"justification": "Early look"}, format="json")
    assert created.status_code == 201
    assert_matches_schema(created, "POST")
    review = created.json()
    assert (review["status"], review["outcome"], review["quorum"]["needed"]) == ("open", None, 1)
    second = api_for(alice).post(f"/api/v1/gates/{gate.pk}/reviews/", {"justification": "Again"}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "review_open"
    no_comment = api_for(ava).post(f"/api/v1/reviews/{review['id']}/votes/", {"decision": "hold"}, format="json")
    assert no_comment.status_code == 400 and no_comment.json()["code"] == "comment_required"
    voted = api_for(ava).post(f"/api/v1/reviews/{review['id']}/votes/", {"decision": "go"}, format="json")
    assert voted.status_code == 201
    assert voted.json()["status"] == "resolved" and voted.json()["outcome"] == "go"
    late = api_for(ava).post(f"/api/v1/reviews/{review['id']}/votes/", {"decision": "go"}, format="json")
    assert late.status_code == 409
    withdraw = api_for(alice).post(f"/api/v1/reviews/{review['id']}/withdraw/")
    assert withdraw.status_code == 409


def test_a_changed_vote_answers_200(api_for, alice, ava, project):
    from governance.models import Gate
    from tests.conftest import make_user

    ben = make_user("ben")
    services.membership_add(project=project, actor=alice, user=ben, role="approver")
    gate = Gate.objects.get(project=project, phase__key="scope")
    review = api_for(alice).post(f"/api/v1/gates/{gate.pk}/reviews/", {"justification": "x"}, format="json").json()
    client = api_for(ava)
    assert client.post(f"/api/v1/reviews/{review['id']}/votes/", {"decision": "go"}, format="json").status_code == 201
    changed = client.post(f"/api/v1/reviews/{review['id']}/votes/", {"decision": "go", "comment": "sure"}, format="json")
    assert changed.status_code == 200
    assert_matches_schema(changed, "POST")


def test_readiness_before_any_assessment(api_for, alice, project):
    from governance.models import Gate

    gate = Gate.objects.get(project=project, phase__key="scope")
    body = api_for(alice).get(f"/api/v1/gates/{gate.pk}/readiness/").json()
    assert (body["score"], body["ready"], body["stale"], body["computed_at"], body["criteria"]) == (None, False, True, None, [])


def test_writes_are_throttled_with_retry_after(owner, project, settings):
    settings.API_WRITE_RATE = "2/minute"
    url = f"/api/v1/projects/{project.pk}/"
    statuses = []
    for n in range(3):
        statuses.append(owner.patch(url, {"description": f"x{n}"}, format="json", HTTP_IF_MATCH=owner.get(url)["ETag"]))
    assert [r.status_code for r in statuses[:2]] == [200, 200]
    assert statuses[2].status_code == 429
    assert statuses[2].json()["code"] == "throttled"
    assert int(statuses[2]["Retry-After"]) > 0
    # Reads are not throttled.
    assert owner.get(url).status_code == 200


def test_token_creation_is_throttled(db, settings, alice):
    settings.API_TOKEN_RATE = "3/minute"
    client = APIClient()
    codes = [client.post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


@pytest.mark.parametrize("url", ["/api/v1/projects/not-a-uuid/", "/api/v1/gates/123/readiness/", "/api/v1/nothing-here/"])
def test_unknown_and_malformed_paths_are_404_json(owner, url):
    response = owner.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_the_project_representation_is_what_its_serializer_documents(world, alice):
    """The project list and detail render projects without DRF's field machinery (for speed); the
    result must be exactly what ProjectOutputSerializer, which the schema documents, renders."""
    import datetime

    from lifecycle import selectors as lifecycle_selectors
    from lifecycle.api.serializers import ProjectOutputSerializer, project_representation
    from lifecycle.models import Project

    project = world["project"]
    services.project_update(project=project, actor=alice, start_date=datetime.date(2026, 1, 5))
    services.membership_add(project=project, actor=alice, user=make_user("olivia", last_name="Ortiz"), role="owner")
    services.project_update(project=project, actor=alice, tags=["b", "a", "c"])
    expected = json.loads(json.dumps(ProjectOutputSerializer(Project.objects.get(pk=project.pk)).data))
    assert len(expected["owners"]) == 2 and expected["tags"] == ["a", "b", "c"]
    for loaded in (
        lifecycle_selectors.project_with_details(id=project.pk),
        Project.objects.get(pk=project.pk),
        lifecycle_selectors.projects_attach_refs([Project.objects.get(pk=project.pk)])[0],
    ):
        assert project_representation(loaded) == expected
