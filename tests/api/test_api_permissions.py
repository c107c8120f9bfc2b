"""Every endpoint for every role of the PRODUCT.md table, through real tokens, with the bodies
checked against the published schema."""

from __future__ import annotations

import pytest

from tests.api.schema import assert_matches_schema
from tests.helpers import ROLES

READ = {"owner": 200, "contributor": 200, "approver": 200, "viewer": 200, "portfolio_viewer": 200, "admin": 200, "outsider": 404}


def _statuses(api_for, personas, method, url, data=None, etag=True, check_schema=True):
    result = {}
    for role in ROLES:
        client = api_for(personas[role])
        headers = {}
        if etag and method in ("patch", "delete"):
            got = client.get(url)
            if got.status_code == 200:
                headers["HTTP_IF_MATCH"] = got["ETag"]
        response = (
            getattr(client, method)(url, data, format="json", **headers) if data is not None else getattr(client, method)(url, **headers)
        )
        result[role] = response.status_code
        if check_schema and response.status_code != 204:
            assert_matches_schema(response, method.upper())
    return result


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/{project}/",
        "/api/v1/projects/{project}/phases/",
        "/api/v1/projects/{project}/checklist-items/",
        "/api/v1/projects/{project}/checklist-items/?phase=scope",
        "/api/v1/checklist-items/{item}/",
        "/api/v1/projects/{project}/members/",
        "/api/v1/members/{member}/",
        "/api/v1/projects/{project}/artifacts/",
        "/api/v1/artifacts/{artifact}/",
        "/api/v1/projects/{project}/risks/",
        "/api/v1/risks/{risk}/",
        "/api/v1/projects/{project}/signoffs/",
        "/api/v1/signoffs/{signoff}/",
        "/api/v1/projects/{project}/incidents/",
        "/api/v1/incidents/{incident}/",
        "/api/v1/projects/{project}/gates/",
        "/api/v1/gates/{gate}/",
        "/api/v1/gates/{gate}/readiness/",
        "/api/v1/projects/{project}/compliance/",
        "/api/v1/audit-events/?project={project}",
    ],
)
def test_reads_are_open_to_every_role_but_outsiders(api_for, personas, world, url):
    url = url.format(**{k: v.pk for k, v in world.items() if hasattr(v, "pk")})
    assert _statuses(api_for, personas, "get", url) == READ


def test_the_project_list_shows_each_role_what_it_may_see(api_for, personas, world):
    for role in ROLES:
        response = api_for(personas[role]).get("/api/v1/projects/")
        assert_matches_schema(response)
        names = {p["name"] for p in response.json()["results"]}
        assert names == (set() if role == "outsider" else {"Support assistant"}), role


OWNER = {"owner": 200, "contributor": 403, "approver": 403, "viewer": 403, "portfolio_viewer": 403, "admin": 200, "outsider": 404}
CONTRIB = {"owner": 200, "contributor": 200, "approver": 403, "viewer": 403, "portfolio_viewer": 403, "admin": 200, "outsider": 404}


def test_editing_the_project_is_for_owners(api_for, personas, world):
    assert _statuses(api_for, personas, "patch", f"/api/v1/projects/{world['project'].pk}/", {"description": "Edited"}) == OWNER


def test_ticking_items_is_for_contributors(api_for, personas, world):
    assert _statuses(api_for, personas, "patch", f"/api/v1/checklist-items/{world['item'].pk}/", {"done": True}) == CONTRIB


def test_writing_artifacts_and_risks_is_for_contributors(api_for, personas, world):
    assert _statuses(api_for, personas, "patch", f"/api/v1/artifacts/{world['artifact'].pk}/", {"title": "Renamed"}) == CONTRIB
    assert _statuses(api_for, personas, "patch", f"/api/v1/risks/{world['risk'].pk}/", {"title": "Renamed"}) == CONTRIB
    assert _statuses(api_for, personas, "patch", f"/api/v1/incidents/{world['incident'].pk}/", {"title": "Renamed"}) == CONTRIB


def test_creating_is_for_contributors(api_for, personas, world):
    project = world["project"].pk
    risk = {"title": "New", "category": "confabulation", "likelihood": 2, "impact": 2}
    statuses = _statuses(api_for, personas, "post", f"/api/v1/projects/{project}/risks/", risk)
    assert statuses == {**CONTRIB, "owner": 201, "contributor": 201, "admin": 201}


def test_managing_members_is_for_owners(api_for, personas, world):
    from tests.conftest import make_user

    make_user("dora")
    statuses = _statuses(api_for, personas, "post", f"/api/v1/projects/{world['project'].pk}/members/", {"user": "dora", "role": "viewer"})
    # The owner adds dora (201); the admin finds her already there (409).
    assert statuses == {
        "owner": 201,
        "contributor": 403,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 409,
        "outsider": 404,
    }


def test_approving_an_artifact_is_for_approvers_who_do_not_own_it(api_for, personas, world, bob):
    from phases import services as phases_services

    phases_services.artifact_submit(artifact=world["artifact"], actor=bob)
    url = f"/api/v1/artifacts/{world['artifact'].pk}/send-back/"
    statuses = _statuses(api_for, personas, "post", url, {"comment": "More detail"})
    # The approver sends it back (200); the admin then finds it no longer in review (409).
    assert statuses == {
        "owner": 403,
        "contributor": 403,
        "approver": 200,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 409,
        "outsider": 404,
    }


def test_accepting_a_high_risk_is_for_approvers(api_for, personas, world):
    statuses = _statuses(
        api_for, personas, "post", f"/api/v1/risks/{world['risk'].pk}/accept/", {"expires_on": "2099-01-01", "comment": "Fine"}
    )
    assert statuses == {
        "owner": 403,
        "contributor": 403,
        "approver": 200,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 409,
        "outsider": 404,
    }


def test_deciding_a_signoff_needs_its_function_even_for_admins(api_for, personas, world):
    statuses = _statuses(
        api_for,
        personas,
        "post",
        f"/api/v1/signoffs/{world['signoff'].pk}/decision/",
        {"decision": "approved", "comment": "ok", "evidence": [{"type": "link", "url": "https://wiki.example/x"}]},
    )
    # ava holds compliance_officer; nobody else does.
    assert statuses == {
        "owner": 403,
        "contributor": 403,
        "approver": 200,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 403,
        "outsider": 404,
    }


def test_requesting_a_review_and_recompute_are_for_owners(api_for, personas, world):
    statuses = _statuses(api_for, personas, "post", f"/api/v1/gates/{world['gate'].pk}/reviews/", {"justification": "Early"})
    assert statuses == {
        "owner": 201,
        "contributor": 403,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 409,
        "outsider": 404,
    }
    statuses = _statuses(api_for, personas, "post", f"/api/v1/gates/{world['gate'].pk}/readiness/")
    assert statuses == {
        "owner": 202,
        "contributor": 403,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 202,
        "outsider": 404,
    }


def test_voting_is_for_the_named_approvers_only(api_for, personas, world, alice):
    from governance import services

    review = services.review_request(gate=world["gate"], actor=alice, justification="Early")
    statuses = _statuses(api_for, personas, "post", f"/api/v1/reviews/{review.pk}/votes/", {"decision": "hold", "comment": "Wait"})
    # ava is the only approver: her Hold resolves the review.
    assert statuses == {
        "owner": 403,
        "contributor": 403,
        "approver": 201,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 403,
        "outsider": 404,
    }


def test_deleting_is_for_owners(api_for, personas, world):
    statuses = _statuses(api_for, personas, "delete", f"/api/v1/projects/{world['project'].pk}/")
    # The owner deletes it (204); afterwards it is gone for everyone but the admin, who gets 409.
    assert statuses == {
        "owner": 204,
        "contributor": 404,
        "approver": 404,
        "viewer": 404,
        "portfolio_viewer": 404,
        "admin": 409,
        "outsider": 404,
    }


def test_anonymous_callers_get_401_everywhere(client, world):
    for url in ("/api/v1/projects/", f"/api/v1/projects/{world['project'].pk}/", "/api/v1/inbox/", "/api/v1/templates/"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"


def test_templates_inbox_and_jobs(api_for, alice, ava, world):
    templates = api_for(alice).get("/api/v1/templates/")
    assert_matches_schema(templates)
    assert templates.json()["results"][0]["key"] == "genai-default"
    inbox = api_for(ava).get("/api/v1/inbox/")
    assert_matches_schema(inbox)
    started = api_for(alice).post(f"/api/v1/gates/{world['gate'].pk}/readiness/")
    job = started.json()["job"]
    response = api_for(alice).get(job["url"])
    assert_matches_schema(response)
    assert response.json()["status"] == "queued"


def test_the_audit_log_needs_a_project_unless_admin(api_for, alice, adam, world):
    response = api_for(alice).get("/api/v1/audit-events/")
    assert response.status_code == 400
    assert response.json()["fields"] == {"project": ["Required unless you are an administrator."]}
    all_events = api_for(adam).get("/api/v1/audit-events/")
    assert all_events.status_code == 200 and all_events.json()["results"]


def test_changing_and_removing_members_is_for_owners(api_for, personas, world):
    url = f"/api/v1/members/{world['member'].pk}/"
    assert _statuses(api_for, personas, "patch", url, {"role": "approver"}) == OWNER
    world["member"].refresh_from_db()
    assert world["member"].role == "approver"
    statuses = _statuses(api_for, personas, "delete", url)
    # The owner removes bob (204); then the membership is gone for everyone.
    assert statuses == dict.fromkeys(ROLES, 404) | {"owner": 204}
    assert not world["project"].memberships.filter(pk=world["member"].pk).exists()


def test_withdrawing_a_review_is_for_owners(api_for, personas, world, alice):
    from governance import services

    review = services.review_request(gate=world["gate"], actor=alice, justification="Early")
    statuses = _statuses(api_for, personas, "post", f"/api/v1/reviews/{review.pk}/withdraw/")
    # The owner withdraws it (200); the admin then finds it closed (409).
    assert statuses == OWNER | {"admin": 409}
    review.refresh_from_db()
    assert review.status == "withdrawn"


def test_resuming_a_held_project_is_for_owners(api_for, personas, world, alice, ava):
    from governance import services

    review = services.review_request(gate=world["gate"], actor=alice, justification="Early")
    services.vote_cast(review=review, actor=ava, decision="hold", comment="Wait for the DPIA")
    world["project"].refresh_from_db()
    assert world["project"].status == "on_hold"
    statuses = _statuses(api_for, personas, "post", f"/api/v1/projects/{world['project'].pk}/resume/")
    assert statuses == OWNER | {"admin": 409}
    world["project"].refresh_from_db()
    assert world["project"].status == "active"


def test_recording_incidents_is_for_contributors(api_for, personas, world):
    body = {"title": "Wrong answer", "occurred_on": "2026-02-01", "severity": "medium", "description": "Quoted an old price"}
    statuses = _statuses(api_for, personas, "post", f"/api/v1/projects/{world['project'].pk}/incidents/", body)
    assert statuses == CONTRIB | {"owner": 201, "contributor": 201, "admin": 201}
