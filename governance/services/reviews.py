"""Gate reviews: requested by an owner, voted Go, Hold, Recycle or Kill by the approvers named at
request time, resolved as soon as the outcome is certain (PRODUCT.md, Gates, readiness and
decisions):

- Go when the Go votes reach the quorum;
- otherwise, once the approvers who have not voted can no longer bring Go to the quorum, the
  most severe vote cast decides (Kill > Recycle > Hold).

Every write locks the review row first, so two approvers voting at once, or a vote racing a
withdrawal, leave one consistent result.

An approver who leaves the project, or loses the role or function the gate's policy names, stops
being one of the review's approvers (`review_approvers_recheck`, called by the membership
services): they can no longer vote, and if they had not voted they no longer count towards the
quorum. A vote they had cast stands. The Go votes needed stay as fixed at request time, so
removing someone never lowers the bar; a review left with fewer approvers than it needs tells the
project's owners, who may withdraw it and ask again with the current approvers.

Who may: owners request and withdraw reviews (Action.REVIEW); voting is personal, for the
approvers named on the review who are still approvers, whatever their role (administrators too
are refused otherwise: `review_voter_check`). Reminders and the re-count after a membership
change act for the system.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils import timezone

from governance.limits import COMMENT_MAX_LENGTH, JUSTIFICATION_MAX_LENGTH
from governance.models import Decision, Gate, GateTemplate, Review, Signoff, Vote
from lifecycle import locks
from lifecycle import selectors as lifecycle_selectors
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.limits import text_within
from lifecycle.models import Phase, Project, User
from lifecycle.permissions import Action
from phases import selectors as phases_selectors


def review_snapshot(review: Review) -> dict:
    return {"status": review.status, "outcome": review.outcome or None, "needed": review.needed, "due_at": review.due_at.isoformat()}


def _save(review: Review, fields: list[str]) -> None:
    lifecycle_services.save_versioned(review, fields)


def gate_approvers(gate: Gate) -> list[User]:
    """The members the gate's policy names: by role (default: approvers) and/or function."""
    policy: GateTemplate = gate.template
    roles = (policy.approver_role,) if policy.approver_role else None
    functions = tuple(policy.approver_functions) or None
    if roles is None and functions is None:
        roles = ("approver",)
    return lifecycle_selectors.project_users(project=gate.project, roles=roles, functions=functions)


def quorum_needed(policy: GateTemplate, approvers: int) -> int:
    """Go votes needed: all of M; N of M; or a percentage of M, rounded up (at least one)."""
    if policy.quorum == GateTemplate.Quorum.COUNT:
        return policy.quorum_value or approvers
    if policy.quorum == GateTemplate.Quorum.PERCENT:
        return max(1, math.ceil((policy.quorum_value or 100) * approvers / 100))
    return approvers


def _readiness_now(gate: Gate) -> dict:
    a = gate.last_assessment
    if a is None:
        return {"assessment": None, "score": None, "ready": False, "stale": True, "computed_at": None}
    return {"assessment": str(a.pk), "score": str(a.score), "ready": a.ready, "stale": gate.stale, "computed_at": a.computed_at.isoformat()}


@lifecycle_services.atomic
def review_request(*, gate: Gate, actor: User, justification: str = "") -> Review:
    """Ask the gate's approvers to decide. Refused while another review is open, when the gate
    has no approvers, or without a written justification when the latest assessment is not
    ready or is stale."""
    lifecycle_services.require(actor, gate.project, Action.REVIEW)
    project = lifecycle_services.lock_writable(gate.project)
    gate = (
        Gate.objects.select_for_update(of=("self",), no_key=True)
        .select_related("phase", "template", "last_assessment", "project")
        .get(pk=gate.pk)
    )
    if project.status != Project.Status.ACTIVE:
        raise Conflict(
            f"This project is {project.get_status_display().lower()}; only an active project's gates are reviewed.", code="not_active"
        )
    if gate.phase.key != project.current_phase or gate.phase.status not in (Phase.Status.IN_PROGRESS, Phase.Status.IN_REVIEW):
        raise Conflict(
            f"Only the gate of the current phase ({project.get_current_phase_display()}) can be reviewed.", code="not_current_phase"
        )
    if Review.objects.filter(gate=gate, status=Review.Status.OPEN).exists():
        raise Conflict("This gate already has an open review; withdraw it first to ask again.", code="review_open")
    approvers = gate_approvers(gate)
    if not approvers:
        raise ApplicationError(
            "This gate has no approvers: add members with the approver role (or the functions its policy names) "
            "before asking for a review.",
            code="no_approvers",
        )
    readiness = _readiness_now(gate)
    justification = (justification or "").strip()
    if (not readiness["ready"] or readiness["stale"]) and not justification:
        reason = (
            "is stale"
            if readiness["ready"] and readiness["stale"]
            else "is not ready"
            if readiness["score"] is not None
            else "has not been scored yet"
        )
        raise ApplicationError(
            f"The gate's readiness {reason}: write a justification for asking for a review anyway.",
            code="justification_required",
            fields={"justification": ["Required when the gate is not ready or its score is stale."]},
        )
    text_within(field="justification", text=justification, limit=JUSTIFICATION_MAX_LENGTH, label="Justification")
    policy = gate.template
    needed = quorum_needed(policy, len(approvers))
    if needed > len(approvers):
        raise ApplicationError(
            f"The policy needs {needed} Go votes but the project has {len(approvers)} approver{'s' if len(approvers) != 1 else ''}.",
            code="quorum_unreachable",
        )
    try:
        review = Review.objects.create(
            gate=gate,
            project=project,
            requested_by=actor,
            justification=justification,
            readiness_at_request=readiness,
            quorum=policy.quorum,
            quorum_value=policy.quorum_value,
            needed=needed,
            due_at=timezone.now() + timedelta(days=policy.due_days),
        )
    except IntegrityError:
        raise Conflict("This gate already has an open review.", code="review_open") from None
    review.approvers.set(approvers)
    lifecycle_services.phase_set_status(phase=gate.phase, actor=actor, status=Phase.Status.IN_REVIEW, action="phase.in_review")
    lifecycle_services.change_record(actor=actor, action="review.requested", obj=review, project=project, after=review_snapshot(review))
    lifecycle_services.notify(
        users=approvers,
        kind="review_requested",
        title=f"Gate review: {gate.phase.name} of {project.name}",
        body=f"{actor.display_name} asks you to decide the {gate.phase.name} gate by {review.due_at:%d %b %Y}."
        + (f"\n\nJustification: {justification}" if justification else ""),
        url=review.get_absolute_url(),
        project=project,
    )
    return review


def _locked(review: Review) -> Review:
    locks.lock_project(review.project_id)
    return (
        Review.objects.select_for_update(of=("self",), no_key=True)
        .select_related("gate", "gate__phase", "project", "requested_by")
        .get(pk=review.pk)
    )


@lifecycle_services.atomic
def review_withdraw(*, review: Review, actor: User) -> Review:
    lifecycle_services.require(actor, review.project, Action.REVIEW)
    review = _locked(review)
    lifecycle_services.ensure_writable(review.project)
    if not review.is_open:
        raise Conflict(f"This review is already {review.get_status_display().lower()}; it cannot be withdrawn.", code="review_closed")
    before = review_snapshot(review)
    review.status, review.withdrawn_at, review.withdrawn_by = Review.Status.WITHDRAWN, timezone.now(), actor
    _save(review, ["status", "withdrawn_at", "withdrawn_by"])
    lifecycle_services.phase_set_status(
        phase=review.gate.phase, actor=actor, status=Phase.Status.IN_PROGRESS, action="phase.review_withdrawn"
    )
    lifecycle_services.change_record(
        actor=actor, action="review.withdrawn", obj=review, project=review.project_id, before=before, after=review_snapshot(review)
    )
    lifecycle_services.notify(
        users=list(review.approvers.exclude(pk__in=review.former_approvers.values("pk"))),
        kind="review_resolved",
        title=f"Review withdrawn: {review.gate.phase.name} of {review.project.name}",
        body=f"{actor.display_name} withdrew the review; no vote is needed any more.",
        url=review.get_absolute_url(),
        project=review.project,
    )
    return review


def outcome_of(*, votes: list[str], approvers: int, needed: int) -> str | None:
    """The decision rule, as a pure function of the votes cast (one per approver who voted):
    Go when Go votes reach the quorum; otherwise, once those who have not voted can no longer
    bring Go to the quorum, the most severe vote cast; otherwise undecided (None)."""
    go = sum(1 for v in votes if v == Decision.GO)
    if go >= needed:
        return Decision.GO
    against = [v for v in votes if v != Decision.GO]
    if go + (approvers - len(votes)) < needed and against:
        return max(against, key=Decision.severity)
    # Undecided; also when approvers left and only Go votes were cast: the approvers still to
    # vote may vote against, and until then nothing decides it (the owners are told, see
    # review_approvers_recheck, and may withdraw it).
    return None


def counting_approvers(review: Review) -> int:
    """The approvers who count towards the quorum: those named, less the former approvers who
    had not voted (two queries)."""
    named = review.approvers.count()
    gone_silent = review.former_approvers.exclude(pk__in=review.votes.values("voter_id")).count()
    return named - gone_silent


def _outcome_now(review: Review) -> str | None:
    return outcome_of(
        votes=list(review.votes.values_list("decision", flat=True)), approvers=counting_approvers(review), needed=review.needed
    )


def review_voter_check(*, review: Review, actor: User) -> None:
    """PermissionDenied unless `actor` may vote on `review`: one of the approvers named when it
    was requested who is still an approver. A vote is a personal decision, so an
    administrator's rights do not stand in for it."""
    if not review.approvers.filter(pk=actor.pk).exists():
        raise PermissionDenied("Only the approvers named when this review was requested can vote.")
    if review.former_approvers.filter(pk=actor.pk).exists():
        raise PermissionDenied("You are no longer an approver of this project, so you cannot vote on this review.")


@lifecycle_services.atomic
def vote_cast(*, review: Review, actor: User, decision: str, comment: str = "") -> tuple[Vote, bool]:
    """Cast or change a vote. Returns the vote and whether it was the voter's first."""
    review = _locked(review)
    review_voter_check(review=review, actor=actor)
    if not review.is_open:
        raise Conflict(f"This review is {review.get_status_display().lower()}; votes are closed.", code="review_closed")
    lifecycle_services.ensure_writable(review.project)
    if decision not in Decision.values:
        raise ApplicationError(
            f"Vote one of: {', '.join(Decision.values)}.", fields={"decision": [f"Choose one of: {', '.join(Decision.values)}."]}
        )
    comment = (comment or "").strip()
    if decision != Decision.GO and not comment:
        raise ApplicationError(
            f"Say why you vote {Decision(decision).label}: a comment is required for anything but Go.",
            code="comment_required",
            fields={"comment": ["Required unless you vote Go."]},
        )
    text_within(field="comment", text=comment, limit=COMMENT_MAX_LENGTH, label="Comment")
    vote, first = Vote.objects.get_or_create(review=review, voter=actor, defaults={"decision": decision, "comment": comment})
    if not first:
        vote.decision, vote.comment, vote.changed_at = decision, comment, timezone.now()
        vote.save(update_fields=["decision", "comment", "changed_at"])
    lifecycle_services.change_record(
        actor=actor,
        action="review.voted" if first else "review.vote_changed",
        obj=review,
        project=review.project_id,
        after={"voter": actor.username, "decision": decision, "comment": comment[:200]},
    )
    lifecycle_services.notify(
        users=[review.requested_by],
        kind="vote_cast",
        title=f"{actor.display_name} voted {Decision(decision).label} on the {review.gate.phase.name} gate",
        body=comment,
        url=review.get_absolute_url(),
        project=review.project,
    )
    outcome = _outcome_now(review)
    if outcome is not None:
        _resolve(review, outcome, actor)
    return vote, first


def decision_snapshot(review: Review) -> dict:
    """What the decision saw: the readiness assessment, the approved artifacts with their
    versions, the sign-offs with their status and evidence."""
    gate = Gate.objects.select_related("last_assessment").get(pk=review.gate_id)
    assessment = gate.last_assessment
    former = set(review.former_approvers.values_list("pk", flat=True))
    return {
        "readiness": {
            "assessment": str(assessment.pk) if assessment else None,
            "score": str(assessment.score) if assessment else None,
            "ready": assessment.ready if assessment else False,
            "stale": gate.stale,
            "computed_at": assessment.computed_at.isoformat() if assessment else None,
            "criteria": assessment.criteria if assessment else [],
        },
        "artifacts": [
            {"id": str(v.artifact_id), "title": v.artifact.title, "type": v.artifact.type, "version": v.number, "version_id": str(v.pk)}
            for v in phases_selectors.approved_versions(project=review.project)
        ],
        "signoffs": [
            {"id": str(s.pk), "kind": s.kind, "title": s.title, "status": s.status, "version": s.version, "evidence": s.evidence}
            for s in Signoff.objects.filter(project=review.project).order_by("phase__order", "kind")
        ],
        "votes": [
            {
                "voter": v.voter.username,
                "decision": v.decision,
                "comment": v.comment,
                "at": v.cast_at.isoformat(),
                # Cast while an approver; the voter has since left or lost approver status.
                "former_approver": v.voter_id in former,
            }
            for v in review.votes.select_related("voter")
        ],
    }


def _resolve(review: Review, outcome: str, actor: User | None) -> None:
    before = review_snapshot(review)
    review.status, review.outcome, review.resolved_at = Review.Status.RESOLVED, outcome, timezone.now()
    review.snapshot = decision_snapshot(review)
    _save(review, ["status", "outcome", "resolved_at", "snapshot"])
    lifecycle_services.change_record(
        actor=actor, action="review.resolved", obj=review, project=review.project_id, before=before, after=review_snapshot(review)
    )
    project, phase = review.project, review.gate.phase
    label = Decision(outcome).label
    if outcome == Decision.GO:
        lifecycle_services.phase_advance(project=project, actor=actor, reason=f"Gate review decided {label}")
    else:
        lifecycle_services.phase_set_status(phase=phase, actor=actor, status=Phase.Status.IN_PROGRESS, action=f"phase.{outcome}")
        if outcome == Decision.HOLD:
            lifecycle_services.project_hold(project=project, actor=actor, reason="Gate review decided Hold")
        elif outcome == Decision.KILL:
            lifecycle_services.project_kill(project=project, actor=actor, reason="Gate review decided Kill")
    lifecycle_services.notify(
        users=lifecycle_selectors.project_users(project=project),
        kind="review_resolved",
        title=f"{phase.name} gate of {project.name}: {label}",
        body=_outcome_text(outcome, phase.name),
        url=review.get_absolute_url(),
        project=project,
    )


def _outcome_text(outcome: str, phase: str) -> str:
    return {
        Decision.GO: f"The {phase} phase is closed and the next one is open.",
        Decision.HOLD: "The project is on hold until an owner resumes it.",
        Decision.RECYCLE: f"The {phase} phase is back in progress; its readiness will be rescored.",
        Decision.KILL: "The project is ended and read-only from now on.",
    }[Decision(outcome)]


def reviews_remind(*, now: Any = None) -> int:
    """Remind approvers who have not voted: once on the due date, then once a day while the
    review is overdue (beat runs this hourly; the reminder columns make it idempotent). The
    system's work: no person acts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for review in Review.objects.filter(status=Review.Status.OPEN).select_related("gate__phase", "project"):
        due_day = timezone.localdate(review.due_at)
        if today < due_day:
            continue
        overdue = now > review.due_at
        field = "overdue_reminded_on" if overdue else "due_reminded_at"
        if overdue and review.overdue_reminded_on == today:
            continue
        if not overdue and review.due_reminded_at is not None:
            continue
        value = today if overdue else now
        claimed = Review.objects.filter(pk=review.pk, **{field: getattr(review, field)}).update(**{field: value})
        if claimed != 1:
            continue
        voted = set(review.votes.values_list("voter_id", flat=True))
        waiting = [u for u in review.approvers.exclude(pk__in=review.former_approvers.values("pk")) if u.pk not in voted]
        lifecycle_services.notify(
            users=waiting,
            kind="review_reminder",
            title=f"{'Overdue' if overdue else 'Due today'}: your vote on the {review.gate.phase.name} gate of {review.project.name}",
            body=f"The review was due on {review.due_at:%d %b %Y, %H:%M} UTC.",
            url=review.get_absolute_url(),
            project=review.project,
        )
        sent += len(waiting)
    return sent


def _still_approver(review: Review, user_id: Any) -> bool:
    """Whether a named approver still qualifies under the gate's policy: a member (active) with
    the role or a function it names."""
    return any(u.pk == user_id for u in gate_approvers(review.gate))


@lifecycle_services.atomic
def review_approvers_recheck(*, project: Project, user_id: Any, actor: User | None) -> list[Review]:
    """Re-count the open reviews of `project` that name `user_id`, after their membership changed.

    Called by the membership services (lifecycle.hooks.on_membership_changed), which hold the
    project row and its memberships and have checked `actor` (None: the system); the reviews
    come next in the lock order (lifecycle.locks).
    1. Mark the user a former approver of each such review, or no longer one if they qualify
       again (re-added with the role).
    2. Re-evaluate the outcome: with fewer approvers to come, it may now be certain.
    3. If the review stays open with fewer approvers than the Go votes it needs, tell the
       project's owners (once, when it becomes short), who may withdraw it and ask again.
    Returns the reviews that changed."""
    locks.lock_project(project.pk)  # held already when called by the membership services
    changed = []
    ids = list(Review.objects.filter(project_id=project.pk, status=Review.Status.OPEN, approvers=user_id).values_list("pk", flat=True))
    for review in (
        Review.objects.select_for_update(of=("self",), no_key=True)
        .select_related("gate", "gate__phase", "gate__template", "gate__project", "project", "requested_by")
        .filter(pk__in=ids, status=Review.Status.OPEN)
        .order_by("pk")
    ):
        was_former = review.former_approvers.filter(pk=user_id).exists()
        leaves = not _still_approver(review, user_id)
        if leaves == was_former:
            continue
        short_before = counting_approvers(review) < review.needed
        if leaves:
            review.former_approvers.add(user_id)
        else:
            review.former_approvers.remove(user_id)
        _save(review, [])
        username = User.objects.filter(pk=user_id).values_list("username", flat=True).first() or ""
        lifecycle_services.change_record(
            actor=actor,
            action="review.approver_left" if leaves else "review.approver_returned",
            obj=review,
            project=review.project_id,
            after={"approver": username, "counting": counting_approvers(review), "needed": review.needed},
        )
        changed.append(review)
        outcome = _outcome_now(review)
        if outcome is not None:
            _resolve(review, outcome, actor)
        elif counting_approvers(review) < review.needed and not short_before:
            _notify_short(review)
    return changed


def _notify_short(review: Review) -> None:
    counting = counting_approvers(review)
    phase = review.gate.phase.name
    lifecycle_services.notify(
        users=lifecycle_selectors.project_users(project=review.project, roles=("owner",)),
        kind="review_short",
        title=f"The {phase} gate review of {review.project.name} can no longer reach its quorum",
        body=(
            f"An approver left: {counting} approver{'s' if counting != 1 else ''} remain{'s' if counting == 1 else ''} "
            f"for the {review.needed} Go votes the review needs. Withdraw it and request a new review with the current approvers."
        ),
        url=review.get_absolute_url(),
        project=review.project,
    )
