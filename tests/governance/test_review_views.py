"""Gate reviews in the browser, for every role of the table."""

from __future__ import annotations

from django.urls import reverse

from governance import services
from governance.models import Review
from tests.helpers import statuses_by_role

VISIBLE = {"owner": 200, "contributor": 200, "approver": 200, "viewer": 200, "portfolio_viewer": 200, "admin": 200, "outsider": 404}


def test_only_owners_and_admins_request_reviews(client_for, personas, gate):
    url = reverse("governance:review-request", args=[gate.pk])
    statuses = statuses_by_role(personas, client_for, "post", url, {"justification": "Early look"})
    assert statuses == {
        "owner": 302,
        "contributor": 403,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 302,
        "outsider": 404,
    }
    # The owner opened it; the admin's request met the open review and was told so.
    assert Review.objects.filter(gate=gate).count() == 1


def test_a_missing_justification_is_explained(client_for, alice, gate):
    response = client_for(alice).post(reverse("governance:review-request", args=[gate.pk]), {"justification": ""}, follow=True)
    assert "write a justification" in response.content.decode()
    assert not Review.objects.exists()


def test_the_gate_page_offers_the_request_form_to_owners_only(client_for, alice, vic, gate):
    assert "Request review" in client_for(alice).get(gate.get_absolute_url()).content.decode()
    assert "Request review" not in client_for(vic).get(gate.get_absolute_url()).content.decode()


def test_the_review_page_is_visible_and_only_named_approvers_vote(client_for, personas, alice, gate):
    review = services.review_request(gate=gate, actor=alice, justification="Early look")
    url = reverse("governance:review-detail", args=[review.pk])
    assert statuses_by_role(personas, client_for, "get", url) == VISIBLE
    for role in ("owner", "contributor", "viewer", "portfolio_viewer", "admin"):
        assert client_for(personas[role]).post(url, {"decision": "go"}).status_code == 403, role
    assert client_for(personas["outsider"]).post(url, {"decision": "go"}).status_code == 404
    assert "Cast vote" in client_for(personas["approver"]).get(url).content.decode()
    gate_page = client_for(personas["owner"]).get(gate.get_absolute_url()).content.decode()
    assert "0 of 1 Go votes needed" in gate_page and "Withdraw" in gate_page
    response = client_for(personas["approver"]).post(url, {"decision": "go"})
    assert response.status_code == 302
    review.refresh_from_db()
    # Ava was the only approver: Go resolves it and the project moves on.
    assert (review.status, review.outcome) == ("resolved", "go")
    assert "Select" in client_for(alice).get(reverse("lifecycle:project-detail", args=[gate.project_id])).content.decode()


def test_a_vote_without_the_required_comment_shows_the_error(client_for, alice, ava, gate):
    review = services.review_request(gate=gate, actor=alice, justification="x")
    response = client_for(ava).post(reverse("governance:review-detail", args=[review.pk]), {"decision": "kill", "comment": ""})
    assert response.status_code == 200
    assert "Required unless you vote Go." in response.content.decode()
    assert review.votes.count() == 0


def test_withdrawing_asks_first(client_for, personas, alice, gate):
    review = services.review_request(gate=gate, actor=alice, justification="x")
    url = reverse("governance:review-withdraw", args=[review.pk])
    assert statuses_by_role(personas, client_for, "get", url) == {
        "owner": 200,
        "contributor": 403,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 200,
        "outsider": 404,
    }
    assert client_for(alice).post(url).status_code == 302
    review.refresh_from_db()
    assert review.status == "withdrawn"


def test_the_inbox_lists_the_review_for_its_approvers(client_for, alice, ava, bob, gate):
    services.review_request(gate=gate, actor=alice, justification="x")
    html = client_for(ava).get(reverse("lifecycle:inbox")).content.decode()
    assert "Decide the Scope gate" in html
    assert "Decide the Scope gate" not in client_for(bob).get(reverse("lifecycle:inbox")).content.decode()
    nav = client_for(ava).get(reverse("home")).content.decode()
    # The review and the Scope data-privacy sign-off (ava is the compliance officer) wait for her;
    # she was told of both.
    assert 'aria-label="2 waiting"' in nav
    assert 'aria-label="2 unread"' in nav


def test_the_activity_page_and_the_audit_log(client_for, personas, project, adam):
    activity = reverse("lifecycle:project-activity", args=[project.pk])
    assert statuses_by_role(personas, client_for, "get", activity) == VISIBLE
    log = reverse("lifecycle:audit-log")
    statuses = statuses_by_role(personas, client_for, "get", log)
    assert statuses == {r: (200 if r == "admin" else 403) for r in statuses}
    filtered = client_for(adam).get(log, {"actor": "alice", "action": "member.", "project": "Support"})
    events = list(filtered.context["page_obj"].object_list)
    assert events and all(e.actor_name == "alice" and e.action.startswith("member.") for e in events)
    # Verifying the chain: tests/lifecycle/test_audit_chain.py.
    page = client_for(personas["viewer"]).get(reverse("lifecycle:project-detail", args=[project.pk])).content.decode()
    assert "member.added" in page and "All activity" in page
