"""Gate reviews: every branch of the decision rule, each quorum variant, the request and vote
rules, outcomes and the decision snapshot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance import services
from governance.models import Decision, Gate, GateTemplate, Review
from governance.services import readiness
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.models import Notification, PhaseKey
from phases import services as phases_services
from sample_data.artifacts import SAMPLES
from tests.conftest import make_user

GO, HOLD, RECYCLE, KILL = "go", "hold", "recycle", "kill"


@pytest.mark.parametrize(
    ("votes", "approvers", "needed", "outcome"),
    [
        ([], 3, 3, None),
        ([GO], 3, 3, None),
        ([GO, GO, GO], 3, 3, GO),
        # One non-Go vote makes "all" unreachable at once: the most severe vote cast decides.
        ([GO, HOLD], 3, 3, HOLD),
        ([RECYCLE], 3, 3, RECYCLE),
        ([HOLD, KILL], 3, 3, KILL),
        ([HOLD, RECYCLE, GO], 3, 3, RECYCLE),
        # 2 of 3: one Hold still leaves Go reachable.
        ([HOLD], 3, 2, None),
        ([HOLD, GO], 3, 2, None),
        ([HOLD, GO, GO], 3, 2, GO),
        ([HOLD, RECYCLE], 3, 2, RECYCLE),
        ([GO, GO], 3, 2, GO),
        # 60% of 5 rounds up to 3.
        ([GO, GO, HOLD], 5, 3, None),
        ([GO, GO, HOLD, KILL], 5, 3, None),
        ([GO, GO, HOLD, KILL, HOLD], 5, 3, KILL),
        ([GO, GO, GO], 5, 3, GO),
        ([HOLD, HOLD, HOLD], 5, 3, HOLD),
    ],
)
def test_the_decision_rule(votes, approvers, needed, outcome):
    assert services.outcome_of(votes=votes, approvers=approvers, needed=needed) == outcome


@pytest.mark.parametrize(
    ("quorum", "value", "approvers", "needed"),
    [("all", None, 4, 4), ("count", 2, 4, 2), ("percent", 60, 5, 3), ("percent", 50, 4, 2), ("percent", 51, 4, 3), ("percent", 1, 4, 1)],
)
def test_quorum_variants(quorum, value, approvers, needed):
    assert services.quorum_needed(GateTemplate(quorum=quorum, quorum_value=value), approvers) == needed


def request(gate, actor, justification="Asking early to get feedback"):
    return services.review_request(gate=gate, actor=actor, justification=justification)


def test_requesting_fixes_the_approvers_and_tells_them(gate, alice, ava, ben, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review = request(gate, alice)
    assert set(review.approvers.all()) == {ava, ben}
    assert review.needed == 2 and review.status == "open"
    assert review.due_at - review.requested_at > timedelta(days=6)
    assert {n.user for n in Notification.objects.filter(kind="review_requested")} == {ava, ben}
    # The e-mails go after commit.
    assert callbacks
    gate.phase.refresh_from_db()
    assert gate.phase.status == "in_review"
    # An approver added later is not on this review.
    late = make_user("late")
    lifecycle_services.membership_add(project=gate.project, actor=alice, user=late, role="approver")
    assert late not in review.approvers.all()


@pytest.mark.parametrize("state", ["unscored", "not_ready", "stale"])
def test_a_justification_is_required_unless_the_gate_is_ready_and_fresh(gate, alice, bob, state):
    if state != "unscored":
        readiness.gate_assess(gate.pk)
    if state == "stale":
        Gate.objects.filter(pk=gate.pk).update(stale=True)
    with pytest.raises(ApplicationError) as error:
        request(gate, alice, justification="  ")
    assert error.value.code == "justification_required"
    assert not Review.objects.exists()


def test_a_ready_fresh_gate_needs_no_justification(gate, alice):
    # A gate whose template asks for nothing is ready as soon as it is scored.
    gate.template.criteria.all().delete()
    readiness.gate_assess(gate.pk)
    gate = Gate.objects.select_related("last_assessment").get(pk=gate.pk)
    assert gate.last_assessment.ready and not gate.stale
    review = request(gate, alice, justification="")
    assert review.justification == ""
    assert review.readiness_at_request["ready"] is True


def test_no_approvers_is_refused_with_a_clear_message(project, alice, ava):
    from lifecycle.models import Membership

    Membership.objects.filter(project=project, user=ava).update(role="viewer")
    gate = Gate.objects.get(project=project, phase__key="scope")
    with pytest.raises(ApplicationError) as error:
        request(gate, alice)
    assert error.value.code == "no_approvers"
    assert "no approvers" in error.value.message


def test_one_open_review_per_gate(gate, alice):
    request(gate, alice)
    with pytest.raises(Conflict) as error:
        request(gate, alice)
    assert error.value.code == "review_open"


def test_only_the_current_phase_gate_is_reviewed(project, alice):
    select = Gate.objects.get(project=project, phase__key="select")
    with pytest.raises(Conflict):
        request(select, alice)


def test_only_named_approvers_vote_and_admins_are_no_exception(gate, alice, bob, adam, ava):
    review = request(gate, alice)
    for person in (alice, bob, adam):
        with pytest.raises(PermissionDenied):
            services.vote_cast(review=review, actor=person, decision=GO)
    vote, first = services.vote_cast(review=review, actor=ava, decision=GO)
    assert first and vote.decision == GO


def test_a_comment_is_required_for_anything_but_go(gate, alice, ava):
    review = request(gate, alice)
    for decision in (HOLD, RECYCLE, KILL):
        with pytest.raises(ApplicationError) as error:
            services.vote_cast(review=review, actor=ava, decision=decision, comment=" ")
        assert error.value.code == "comment_required"
    with pytest.raises(ApplicationError):
        services.vote_cast(review=review, actor=ava, decision="maybe")


def test_a_vote_can_change_until_the_review_resolves(gate, alice, ava, ben):
    review = request(gate, alice)
    _, first = services.vote_cast(review=review, actor=ava, decision=GO)
    _, again = services.vote_cast(review=review, actor=ava, decision=GO, comment="still go")
    assert first and not again
    assert review.votes.count() == 1
    services.vote_cast(review=review, actor=ben, decision=HOLD, comment="Budget unclear")
    review.refresh_from_db()
    assert (review.status, review.outcome) == ("resolved", HOLD)
    with pytest.raises(Conflict):
        services.vote_cast(review=review, actor=ava, decision=KILL, comment="too late")


def test_go_advances_the_project(gate, alice, ava, ben):
    review = request(gate, alice)
    services.vote_cast(review=review, actor=ava, decision=GO)
    review.refresh_from_db()
    assert review.is_open, "one Go of two: not decided yet"
    services.vote_cast(review=review, actor=ben, decision=GO)
    review.refresh_from_db()
    assert (review.status, review.outcome) == ("resolved", GO)
    project = review.project
    project.refresh_from_db()
    assert project.current_phase == "select"
    assert project.phases.get(key="scope").status == "passed"
    assert Notification.objects.filter(kind="review_resolved").exists()


def test_go_on_the_integrate_gate_makes_the_project_live(project, alice, ava):
    for _ in PhaseKey.ordered()[:-1]:
        project = lifecycle_services.phase_advance(project=project, actor=None)
    gate = Gate.objects.get(project=project, phase__key="integrate")
    GateTemplate.objects.filter(pk=gate.template_id).update(quorum="all", quorum_value=None)
    review = request(gate, alice)
    services.vote_cast(review=review, actor=ava, decision=GO)
    project.refresh_from_db()
    assert project.status == "live"


def test_recycle_puts_the_phase_back_in_progress_and_the_score_goes_stale(gate, alice, ava):
    readiness.gate_assess(gate.pk)
    review = request(gate, alice)
    services.vote_cast(review=review, actor=ava, decision=RECYCLE, comment="Redo the feasibility study")
    gate.refresh_from_db()
    gate.phase.refresh_from_db()
    assert gate.phase.status == "in_progress"
    assert gate.stale
    assert gate.project.status == "active"


def test_hold_and_kill(project, alice, ava):
    gate = Gate.objects.get(project=project, phase__key="scope")
    review = request(gate, alice)
    services.vote_cast(review=review, actor=ava, decision=HOLD, comment="Wait for budget")
    project.refresh_from_db()
    assert project.status == "on_hold"
    lifecycle_services.project_resume(project=project, actor=alice)
    review = request(gate, alice)
    services.vote_cast(review=review, actor=ava, decision=KILL, comment="Not worth it")
    project.refresh_from_db()
    assert project.status == "killed"
    # Read-only from then on.
    with pytest.raises(Conflict):
        lifecycle_services.project_update(project=project, actor=alice, name="Revived")


def test_withdrawing(gate, alice, ava, vic):
    review = request(gate, alice)
    review = services.review_withdraw(review=review, actor=alice)
    assert review.status == "withdrawn"
    gate.phase.refresh_from_db()
    assert gate.phase.status == "in_progress"
    with pytest.raises(Conflict):
        services.review_withdraw(review=review, actor=alice)
    with pytest.raises(Conflict):
        services.vote_cast(review=review, actor=ava, decision=GO)


def test_the_decision_keeps_a_snapshot_with_versions(gate, alice, bob, ava):
    title, data = SAMPLES["scope_document"]
    artifact = phases_services.artifact_create(project=gate.project, actor=bob, type="scope_document", title=title, data=data)
    phases_services.artifact_submit(artifact=artifact, actor=bob)
    phases_services.artifact_approve(artifact=artifact, actor=ava)
    readiness.gate_assess(gate.pk)
    review = request(gate, alice)
    services.vote_cast(review=review, actor=ava, decision=GO)
    review.refresh_from_db()
    gate.refresh_from_db()
    artifact.refresh_from_db()
    snap = review.snapshot
    assert snap["readiness"]["assessment"] == str(gate.last_assessment_id)
    assert snap["artifacts"] == [
        {"id": str(artifact.pk), "title": title, "type": "scope_document", "version": 1, "version_id": str(artifact.approved_version_id)}
    ]
    assert {s["kind"] for s in snap["signoffs"]} >= {"data_privacy"}
    assert snap["votes"][0]["decision"] == GO
    # Later edits do not change what the decision saw.
    phases_services.artifact_update(artifact=artifact, actor=bob, title="Changed later")
    review.refresh_from_db()
    assert review.snapshot["artifacts"][0]["title"] == title


def test_reminders_on_the_due_date_and_when_overdue(gate, alice, ava, ben, time_machine):
    time_machine.move_to("2026-05-01 09:00:00+00:00")
    review = request(gate, alice)
    services.vote_cast(review=review, actor=ava, decision=GO)
    assert services.reviews_remind() == 0

    time_machine.move_to("2026-05-08 08:00:00+00:00")  # the due date, before the due time
    assert services.reviews_remind() == 1
    assert services.reviews_remind() == 0
    assert Notification.objects.get(kind="review_reminder").user == ben

    time_machine.move_to("2026-05-09 10:00:00+00:00")  # overdue
    assert services.reviews_remind() == 1
    assert services.reviews_remind() == 0
    time_machine.move_to("2026-05-10 10:00:00+00:00")
    assert services.reviews_remind() == 1
    assert Notification.objects.filter(kind="review_reminder", title__startswith="Overdue").count() == 2
    assert timezone.now() > review.due_at


def test_the_inbox_lists_reviews_until_voted(gate, alice, ava, ben):
    from governance.selectors import reviews as review_selectors

    review = request(gate, alice)
    assert review_selectors.inbox_count(ava) == 1
    services.vote_cast(review=review, actor=ava, decision=GO)
    assert review_selectors.inbox_count(ava) == 0
    assert review_selectors.inbox_count(ben) == 1
    assert Decision.severity(KILL) > Decision.severity(RECYCLE) > Decision.severity(HOLD) > Decision.severity(GO)
