"""Concurrent votes and a vote racing a withdrawal leave one consistent result (row locks on
PostgreSQL), proven with threads against the real database."""

from __future__ import annotations

import pytest

from governance import services
from governance.models import Gate, Review
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import Conflict
from lifecycle.models import AuditEvent
from tests.conftest import make_user
from tests.helpers import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup(db):
    alice, ava, ben = make_user("alice"), make_user("ava"), make_user("ben")
    project = lifecycle_services.project_create(actor=alice, name="Race")
    for person in (ava, ben):
        lifecycle_services.membership_add(project=project, actor=alice, user=person, role="approver")
    gate = Gate.objects.get(project=project, phase__key="scope")
    review = services.review_request(gate=gate, actor=alice, justification="Racing")
    return project, review, alice, ava, ben


@pytest.mark.parametrize("attempt", range(3))
def test_two_approvers_voting_at_once_resolve_the_review_once(setup, attempt):
    project, review, _, ava, ben = setup

    results = race(
        lambda: services.vote_cast(review=review, actor=ava, decision="go"),
        lambda: services.vote_cast(review=review, actor=ben, decision="go"),
    )

    assert not any(isinstance(r, Exception) for r in results), results
    review.refresh_from_db()
    project.refresh_from_db()
    assert (review.status, review.outcome, review.votes.count()) == ("resolved", "go", 2)
    assert project.current_phase == "select"
    assert AuditEvent.objects.filter(action="review.resolved", object_id=review.pk).count() == 1
    assert AuditEvent.objects.filter(action="phase.advanced", project=project).count() == 1
    assert lifecycle_services.audit_chain_verify().ok


@pytest.mark.parametrize("attempt", range(3))
def test_a_vote_racing_a_withdrawal_leaves_one_consistent_result(setup, attempt):
    project, review, alice, ava, ben = setup
    services.vote_cast(review=review, actor=ava, decision="go")

    vote, withdrawal = race(
        lambda: services.vote_cast(review=review, actor=ben, decision="go"),
        lambda: services.review_withdraw(review=review, actor=alice),
    )

    review.refresh_from_db()
    project.refresh_from_db()
    if isinstance(withdrawal, Exception):
        # The vote won: the review resolved Go and the withdrawal was refused as a conflict.
        assert isinstance(withdrawal, Conflict) and not isinstance(vote, Exception)
        assert (review.status, review.outcome, project.current_phase) == ("resolved", "go", "select")
    else:
        # The withdrawal won: the late vote was refused and nothing advanced.
        assert isinstance(vote, Conflict)
        assert (review.status, project.current_phase) == ("withdrawn", "scope")
        assert project.phases.get(key="scope").status == "in_progress"
    assert Review.objects.filter(gate=review.gate, status="open").count() == 0
    assert lifecycle_services.audit_chain_verify().ok
