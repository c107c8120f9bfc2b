"""An approver who leaves the project, or loses the approver role, while a review is open: they
no longer vote and, if they had not voted, no longer count towards the quorum; votes cast stay
(marked as a former approver's); removal may decide the review; a review left short of approvers
tells the owners, who withdraw it and ask again with the current approvers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance import services
from governance.models import Review
from lifecycle import services as lifecycle_services
from lifecycle.models import AuditEvent, Notification
from tests.conftest import make_user


@pytest.fixture
def cara(project, alice):
    cara = make_user("cara")
    lifecycle_services.membership_add(project=project, actor=alice, user=cara, role="approver")
    return cara


def set_quorum(gate, kind: str, value: int | None) -> None:
    policy = gate.template
    policy.quorum, policy.quorum_value = kind, value
    policy.save(update_fields=["quorum", "quorum_value"])


def request(gate, actor) -> Review:
    return services.review_request(gate=gate, actor=actor, justification="Asking early to get feedback")


def remove(project, actor, user) -> None:
    lifecycle_services.membership_remove(membership=project.memberships.get(user=user), actor=actor)


def vote(api, review, decision, comment="Not yet"):
    return api.post(f"/api/v1/reviews/{review.pk}/votes/", {"decision": decision, "comment": comment}, format="json")


def test_a_removed_approver_who_had_not_voted_no_longer_counts(gate, project, alice, ava, ben, cara, api_for):
    set_quorum(gate, "count", 2)
    review = request(gate, alice)
    remove(project, alice, cara)
    review.refresh_from_db()
    assert review.is_open and services.counting_approvers(review) == 2
    body = api_for(alice).get(f"/api/v1/reviews/{review.pk}/").json()
    # The named set stays as requested; the API says who left and how many count.
    assert {a["username"] for a in body["approvers"]} == {"ava", "ben", "cara"}
    assert [a["username"] for a in body["former_approvers"]] == ["cara"]
    assert body["quorum"] == {"kind": "count", "value": 2, "needed": 2, "counting": 2}
    # Two of the remaining two still decide it.
    vote(api_for(ava), review, "go")
    vote(api_for(ben), review, "go")
    review.refresh_from_db()
    assert review.status == "resolved" and review.outcome == "go"
    assert AuditEvent.objects.filter(action="review.approver_left", actor=alice).count() == 1


def test_removal_decides_a_review_whose_outcome_becomes_certain(gate, project, alice, ava, ben, cara, api_for):
    set_quorum(gate, "count", 2)
    review = request(gate, alice)
    vote(api_for(ava), review, "hold", "Wait for the audit")
    vote(api_for(ben), review, "go")
    review.refresh_from_db()
    assert review.is_open  # cara could still bring Go to two

    remove(project, alice, cara)

    review.refresh_from_db()
    # One Go and nobody left to vote: Go cannot reach two, so the most severe vote decides.
    assert review.status == "resolved" and review.outcome == "hold"
    project.refresh_from_db()
    assert project.status == "on_hold"
    assert AuditEvent.objects.filter(action="review.resolved", actor=alice).exists()


def test_votes_cast_stay_and_are_marked_as_a_former_approvers(gate, project, alice, ava, ben, cara, api_for, client_for):
    set_quorum(gate, "count", 2)
    review = request(gate, alice)
    vote(api_for(ava), review, "go")
    remove(project, alice, ava)
    review.refresh_from_db()
    assert review.is_open and services.counting_approvers(review) == 3  # her vote still counts

    body = api_for(alice).get(f"/api/v1/reviews/{review.pk}/").json()
    assert [(v["voter"]["username"], v["former_approver"]) for v in body["votes"]] == [("ava", True)]
    page = client_for(alice).get(review.get_absolute_url()).content.decode()
    assert "Former approver" in page

    vote(api_for(ben), review, "go")
    review.refresh_from_db()
    assert review.outcome == "go"
    snapshot_votes = {v["voter"]: v["former_approver"] for v in review.snapshot["votes"]}
    assert snapshot_votes == {"ava": True, "ben": False}
    body = api_for(alice).get(f"/api/v1/reviews/{review.pk}/").json()
    assert {v["voter"]: v["former_approver"] for v in body["snapshot"]["votes"]} == {"ava": True, "ben": False}


def test_a_review_left_short_tells_the_owners_and_is_asked_again(gate, project, alice, ava, ben, api_for, client_for):
    review = request(gate, alice)  # quorum "all": two Go votes needed
    vote(api_for(ava), review, "go")
    remove(project, alice, ben)

    review.refresh_from_db()
    # Only Go votes cast and nobody left to vote: nothing decides it, and it cannot pass.
    assert review.is_open and services.counting_approvers(review) == 1 < review.needed
    [told] = Notification.objects.filter(kind="review_short")
    assert told.user == alice and told.url == review.get_absolute_url()
    gate_page = client_for(alice).get(gate.get_absolute_url()).content.decode()
    assert 'id="review-short"' in gate_page and "Withdraw it and request a new review" in gate_page
    assert 'id="review-short"' in client_for(alice).get(review.get_absolute_url()).content.decode()

    api = api_for(alice)
    assert api.post(f"/api/v1/reviews/{review.pk}/withdraw/").status_code == 200
    again = api.post(f"/api/v1/gates/{gate.pk}/reviews/", {"justification": "With the current approvers"}, format="json")
    assert again.status_code == 201
    assert [a["username"] for a in again.json()["approvers"]] == ["ava"]
    assert again.json()["quorum"]["needed"] == 1


def test_the_owners_are_told_once(gate, project, alice, ava, ben, cara):
    review = request(gate, alice)
    remove(project, alice, ben)
    remove(project, alice, cara)
    assert Notification.objects.filter(kind="review_short").count() == 1
    review.refresh_from_db()
    assert review.is_open


def test_a_role_change_to_viewer_ends_approver_status(gate, project, alice, ava, ben, cara, api_for):
    set_quorum(gate, "count", 2)
    review = request(gate, alice)
    membership = project.memberships.get(user=ben)
    lifecycle_services.membership_update(membership=membership, actor=alice, role="viewer")

    review.refresh_from_db()
    assert list(review.former_approvers.all()) == [ben]
    api = api_for(ben)
    # Still a member, so the review is visible, but not theirs to vote on or wait for any more.
    response = vote(api, review, "go")
    assert response.status_code == 403
    assert response.json()["message"] == "You are no longer an approver of this project, so you cannot vote on this review."
    assert "Decide the Scope gate" not in [i["title"] for i in api.get("/api/v1/inbox/").json()["results"]]


def test_an_approver_added_back_counts_again(gate, project, alice, ava, ben):
    review = request(gate, alice)
    remove(project, alice, ben)
    lifecycle_services.membership_add(project=project, actor=alice, user=ben, role="approver")
    review.refresh_from_db()
    assert not review.former_approvers.exists() and services.counting_approvers(review) == 2
    assert AuditEvent.objects.filter(action="review.approver_returned").count() == 1


def test_a_member_who_is_no_approver_changes_nothing(gate, project, alice, ava, bob):
    review = request(gate, alice)
    version = review.version
    remove(project, alice, bob)
    review.refresh_from_db()
    assert review.version == version and not AuditEvent.objects.filter(action__startswith="review.approver").exists()


def test_with_a_percentage_quorum_the_bar_stays_where_it_was_set(gate, project, alice, ava, ben, cara, api_for):
    dan = make_user("dan")
    lifecycle_services.membership_add(project=project, actor=alice, user=dan, role="approver")
    set_quorum(gate, "percent", 50)
    review = request(gate, alice)
    assert review.needed == 2  # 50% of 4
    remove(project, alice, dan)
    remove(project, alice, cara)
    review.refresh_from_db()
    assert review.is_open and not Notification.objects.filter(kind="review_short").exists()
    vote(api_for(ava), review, "go")
    vote(api_for(ben), review, "go")
    review.refresh_from_db()
    assert review.outcome == "go"


def test_reminders_and_withdrawal_notices_skip_former_approvers(gate, project, alice, ava, ben, time_machine):
    review = request(gate, alice)
    lifecycle_services.membership_update(membership=project.memberships.get(user=ben), actor=alice, role="viewer")
    time_machine.move_to(review.due_at)
    assert services.reviews_remind() == 1
    assert {n.user for n in Notification.objects.filter(kind="review_reminder")} == {ava}
    services.review_withdraw(review=review, actor=alice)
    assert {n.user for n in Notification.objects.filter(kind="review_resolved")} == {ava}


def test_the_review_page_shows_who_left_before_voting(gate, project, alice, ava, ben, client_for):
    review = request(gate, alice)
    remove(project, alice, ben)
    page = client_for(alice).get(reverse("governance:review-detail", args=[review.pk])).content.decode()
    assert "Left before voting; does not count" in page
