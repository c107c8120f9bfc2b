"""API of gate reviews: request one, read it, vote, withdraw."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from governance import selectors, services
from governance.limits import COMMENT_MAX_LENGTH, JUSTIFICATION_MAX_LENGTH
from governance.models import Decision, Review
from governance.selectors import reviews as review_selectors
from lifecycle.api.base import ApiView, AuthedRequest, StrictSerializer, validated
from lifecycle.api.conditional import with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.idempotency import idempotent
from lifecycle.api.schema import ERRORS
from lifecycle.api.serializers import UserRefSerializer

ACTION_ERRORS = ERRORS(400, 401, 403, 404, 409, 422, 429)


class VoteOutputSerializer(serializers.Serializer):
    voter = UserRefSerializer()
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField()
    cast_at = Timestamp()
    changed_at = Timestamp(allow_null=True)
    former_approver = serializers.BooleanField(help_text="Cast by someone who has since left the project or lost approver status")


class QuorumSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Review.Quorum.choices)
    value = serializers.IntegerField(allow_null=True)
    needed = serializers.IntegerField()
    counting = serializers.IntegerField(help_text="Approvers who count: those named, less former approvers who had not voted")


# Reads the dict `_review` builds, whose keys are these fields (a docstring would show in the schema).
class ReviewOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    gate = serializers.UUIDField()
    project = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Review.Status.choices)
    outcome = serializers.ChoiceField(choices=Decision.choices, allow_null=True)
    justification = serializers.CharField()
    requested_by = UserRefSerializer()
    approvers = UserRefSerializer(many=True)
    former_approvers = UserRefSerializer(many=True, help_text="Named approvers who have since left the project or lost approver status")
    votes = VoteOutputSerializer(many=True)
    quorum = serializers.SerializerMethodField()
    requested_at = Timestamp()
    due_at = Timestamp()
    resolved_at = Timestamp(allow_null=True)
    snapshot = serializers.SerializerMethodField()

    @extend_schema_field(QuorumSerializer)
    def get_quorum(self, review: dict) -> dict:
        return review["quorum"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_snapshot(self, review: dict) -> dict:
        return review["snapshot"]


def _review(review: Review) -> dict:
    """The review with its approvers split into those who still count and the former ones, and
    each vote marked when its voter has since become a former approver."""
    approvers = review_selectors.review_approvers(review)
    former = {u.pk for u in approvers if u.is_former}
    votes = list(review.votes.select_related("voter"))
    voted = {v.voter_id for v in votes}
    return ReviewOutputSerializer(
        {
            "id": review.pk,
            "gate": review.gate_id,
            "project": review.project_id,
            "status": review.status,
            "outcome": review.outcome or None,
            "justification": review.justification,
            "requested_by": review.requested_by,
            "approvers": approvers,
            "former_approvers": [u for u in approvers if u.pk in former],
            "votes": [
                {
                    "voter": v.voter,
                    "decision": v.decision,
                    "comment": v.comment,
                    "cast_at": v.cast_at,
                    "changed_at": v.changed_at,
                    "former_approver": v.voter_id in former,
                }
                for v in votes
            ],
            "quorum": {
                "kind": review.quorum,
                "value": review.quorum_value,
                "needed": review.needed,
                "counting": sum(1 for u in approvers if u.pk not in former or u.pk in voted),
            },
            "requested_at": review.requested_at,
            "due_at": review.due_at,
            "resolved_at": review.resolved_at,
            "snapshot": review.snapshot or {},
        }
    ).data


class GateReviewCreateApi(ApiView):
    class InputSerializer(StrictSerializer):
        justification = serializers.CharField(
            max_length=JUSTIFICATION_MAX_LENGTH,
            required=False,
            allow_blank=True,
            default="",
        )

    @extend_schema(
        operation_id="gates_reviews_create",
        request=InputSerializer,
        responses={201: ReviewOutputSerializer, **ACTION_ERRORS},
        tags=["reviews"],
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        gate = selectors.gate_get_for_user(user=request.user, id=id)
        data = validated(self.InputSerializer, request.data if request.data else {})
        review = services.review_request(gate=gate, actor=request.user, justification=data["justification"])
        return Response(_review(review), status=201, headers={"Location": f"/api/v1/reviews/{review.pk}/"})


class ReviewDetailApi(ApiView):
    @extend_schema(operation_id="reviews_retrieve", responses={200: ReviewOutputSerializer, **ERRORS(401, 404)}, tags=["reviews"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        return with_etag(request, Response(_review(review_selectors.review_get_for_user(user=request.user, id=id))))


class ReviewVoteApi(ApiView):
    class InputSerializer(StrictSerializer):
        decision = serializers.ChoiceField(choices=Decision.choices)
        comment = serializers.CharField(
            max_length=COMMENT_MAX_LENGTH,
            required=False,
            allow_blank=True,
            default="",
        )

    @extend_schema(
        operation_id="reviews_votes_create",
        description="201 for a first vote, 200 when it replaces the voter's earlier vote; both return the review.",
        request=InputSerializer,
        responses={200: ReviewOutputSerializer, 201: ReviewOutputSerializer, **ACTION_ERRORS},
        tags=["reviews"],
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        review = review_selectors.review_get_for_user(user=request.user, id=id)
        data = validated(self.InputSerializer, request.data)
        _, first = services.vote_cast(review=review, actor=request.user, **data)
        review = review_selectors.review_get_for_user(user=request.user, id=id)
        return Response(_review(review), status=201 if first else 200)


class ReviewWithdrawApi(ApiView):
    @extend_schema(
        operation_id="reviews_withdraw", request=None, responses={200: ReviewOutputSerializer, **ACTION_ERRORS}, tags=["reviews"]
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        review = review_selectors.review_get_for_user(user=request.user, id=id)
        services.review_withdraw(review=review, actor=request.user)
        return Response(_review(review_selectors.review_get_for_user(user=request.user, id=id)))
