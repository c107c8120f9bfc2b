"""Reads of gate reviews, and the reviews waiting for a user's vote."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict
from uuid import UUID

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from governance.models import Gate, Review, Vote
from lifecycle import hooks
from lifecycle import selectors as lifecycle_selectors
from lifecycle.models import Membership, Project, User
from lifecycle.permissions import Action

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class ApproverFlags(TypedDict):
        is_former: bool

    # A review's named approver, annotated by review_approvers().
    Approver = WithAnnotations[User, ApproverFlags]


def review_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Review:
    review = (
        Review.objects.select_related(
            "gate", "gate__phase", "gate__template", "project", "project__template", "requested_by", "withdrawn_by"
        )
        .filter(pk=id)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    lifecycle_selectors.project_access_check(user=user, project=review.project, action=action)
    return review


def review_open_for_gate(*, gate: Gate) -> Review | None:
    review = Review.objects.select_related("requested_by").filter(gate=gate, status=Review.Status.OPEN).first()
    if review is not None:
        # The caller's gate and project carry the access already checked.
        review.gate, review.project = gate, gate.project
    return review


def review_approvers(review: Review) -> list[Approver]:
    """The named approvers, each with `is_former` (left the project or lost approver status
    since the review was requested), in one query."""
    former = Review.former_approvers.through.objects.filter(review_id=review.pk, user_id=OuterRef("pk"))
    return list(review.approvers.annotate(is_former=Exists(former)).order_by("username"))


def review_page(*, review: Review, user: User) -> dict:
    """Approvers with their votes, the quorum, whether it can still be reached, and what the
    user may do (three queries)."""
    approvers = review_approvers(review)
    votes = {v.voter_id: v for v in review.votes.all()}
    go = sum(1 for v in votes.values() if v.decision == "go")
    # As governance.services.counting_approvers: former approvers count only through a vote cast.
    counting = sum(1 for u in approvers if not u.is_former or u.pk in votes)
    return {
        "review": review,
        "ballot": [(u, votes.get(u.pk)) for u in approvers],
        "go_votes": go,
        "counting_approvers": counting,
        "short": review.is_open and counting < review.needed,
        "my_vote": votes.get(user.pk),
        "can_vote": review.is_open and any(u.pk == user.pk and not u.is_former for u in approvers) and not review.project.is_read_only,
        "can_withdraw": review.is_open
        and lifecycle_selectors.project_access(user=user, project=review.project).allows(Action.REVIEW)
        and not review.project.is_read_only,
    }


def review_list_for_gate(*, gate: Gate) -> list[Review]:
    return list(Review.objects.filter(gate=gate).select_related("requested_by").order_by("-requested_at"))


def recent_decisions(*, user: User, limit: int = 10) -> list[Review]:
    projects = lifecycle_selectors.project_visible_to(user, Project.objects.filter(deleted_at__isnull=True))
    return list(
        Review.objects.filter(project__in=projects, status=Review.Status.RESOLVED)
        .select_related("project", "gate__phase")
        .order_by("-resolved_at")[:limit]
    )


def _waiting(user: User) -> QuerySet[Review]:
    """Open reviews that name the user and wait for their vote, while they are still one of its
    approvers and a member of the project (removal ends it at once, and the membership test
    holds even if a review was never re-counted)."""
    voted = Vote.objects.filter(review=OuterRef("pk"), voter=user)
    left = Review.former_approvers.through.objects.filter(review_id=OuterRef("pk"), user=user)
    member = Membership.objects.filter(project=OuterRef("project"), user=user)
    return (
        Review.objects.filter(Exists(member), status=Review.Status.OPEN, approvers=user, project__deleted_at__isnull=True)
        .exclude(Exists(voted))
        .exclude(Exists(left))
        .select_related("project", "gate__phase")
    )


def inbox_count(user: User) -> int:
    return _waiting(user).count()


def inbox_items(user: User) -> list[hooks.InboxItem]:
    return [
        hooks.InboxItem(
            kind="Gate review",
            title=f"Decide the {r.gate.phase.name} gate",
            project_name=r.project.name,
            url=r.get_absolute_url(),
            since=r.requested_at,
            detail=f"Due {r.due_at:%d %b %Y}" + (" — overdue" if r.is_overdue() else ""),
        )
        for r in _waiting(user)
    ]
