"""API of governance: risks, sign-offs, incidents, gates and readiness, reviews and votes,
framework coverage."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from governance import selectors, services
from governance.models import Decision, Gate, Incident, Review, Risk, RiskLevel, Signoff
from governance.selectors import reviews as review_selectors
from governance.selectors.compliance import COVERAGE_STATUSES
from governance.services import readiness as readiness_services
from lifecycle import selectors as lifecycle_selectors
from lifecycle.api.base import ApiView, StrictSerializer, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.idempotency import idempotent
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.api.serializers import UserRefSerializer
from lifecycle.exceptions import ApplicationError
from lifecycle.models import PhaseKey
from lifecycle.permissions import Action

PAGE = [OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)]
RISK_INPUT_STATUSES = [c for c in Risk.Status.choices if c[0] != "accepted"]
WRITE_ERRORS = ERRORS(400, 401, 403, 404, 409, 412, 428, 429)
ACTION_ERRORS = ERRORS(400, 401, 403, 404, 409, 422, 429)


# --- Risks --------------------------------------------------------------------------------------


class RiskOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id")
    title = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField(source="category.key")
    category_name = serializers.CharField(source="category.name")
    phase_found = serializers.ChoiceField(choices=PhaseKey.choices)
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    inherent_score = serializers.IntegerField()
    inherent_level = serializers.ChoiceField(choices=RiskLevel.choices)
    residual_likelihood = serializers.IntegerField(allow_null=True)
    residual_impact = serializers.IntegerField(allow_null=True)
    residual_score = serializers.IntegerField(allow_null=True)
    residual_level = serializers.ChoiceField(choices=RiskLevel.choices, allow_null=True, allow_blank=True)
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    owner = UserRefSerializer(allow_null=True)
    treatment = serializers.ChoiceField(choices=Risk.Treatment.choices)
    mitigation_plan = serializers.CharField()
    mitigation_due = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=Risk.Status.choices)
    accepted_by = UserRefSerializer(allow_null=True)
    acceptance_expires_on = serializers.DateField(allow_null=True)
    created_at = Timestamp()
    updated_at = Timestamp()


class RiskInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    category = serializers.CharField(max_length=80, help_text="A category key, e.g. confabulation")
    phase_found = serializers.ChoiceField(choices=PhaseKey.choices, required=False)
    likelihood = serializers.IntegerField(min_value=1, max_value=5)
    impact = serializers.IntegerField(min_value=1, max_value=5)
    residual_likelihood = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    residual_impact = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    owner = serializers.CharField(max_length=254, required=False, allow_null=True, help_text="Username or e-mail of a member")
    treatment = serializers.ChoiceField(choices=Risk.Treatment.choices, required=False)
    mitigation_plan = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    mitigation_due = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=RISK_INPUT_STATUSES, required=False, help_text="Accept a risk with the accept action.")


class RiskPatchSerializer(RiskInputSerializer):
    title = serializers.CharField(max_length=200, required=False)
    category = serializers.CharField(max_length=80, required=False)
    likelihood = serializers.IntegerField(min_value=1, max_value=5, required=False)
    impact = serializers.IntegerField(min_value=1, max_value=5, required=False)


def _risk_fields(project: Any, data: dict) -> dict:
    """Turn category keys and owner names into rows (the services check the rest)."""
    fields = dict(data)
    if "category" in fields:
        category = next((c for c in selectors.risk_categories_for(project=project) if c.key == fields["category"]), None)
        if category is None:
            raise ApplicationError("Unknown category.", fields={"category": ["Not a category of this project."]})
        fields["category"] = category
    if "owner" in fields:
        owner = lifecycle_selectors.user_find(identifier=fields["owner"]) if fields["owner"] else None
        if fields["owner"] and owner is None:
            raise ApplicationError("No such user.", fields={"owner": ["No active user has this username or e-mail."]})
        fields["owner"] = owner
    return fields


class ProjectRiskListApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Risk.Status.choices, required=False)
        level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
        category = serializers.CharField(max_length=80, required=False)

    @extend_schema(
        operation_id="project_risks_list",
        parameters=[FilterSerializer, *PAGE],
        responses={200: envelope("RiskList", RiskOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["risks"],
    )
    def get(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        f = validated(self.FilterSerializer, request.query_params)
        risks = selectors.risk_list_for_project(project=project, filters=selectors.RiskFilters(**f)).select_related("accepted_by")
        page = paginate(request, risks, ("created_at", "id"), "created_at")
        return page.response(RiskOutputSerializer(page.rows, many=True).data)

    @extend_schema(
        operation_id="project_risks_create",
        request=RiskInputSerializer,
        responses={201: RiskOutputSerializer, **ACTION_ERRORS},
        tags=["risks"],
    )
    @idempotent
    def post(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
        data = validated(RiskInputSerializer, request.data)
        risk = services.risk_create(project=project, actor=request.user, **_risk_fields(project, data))
        risk = selectors.risk_get_for_user(user=request.user, id=risk.pk)
        return Response(RiskOutputSerializer(risk).data, status=201, headers={"Location": f"/api/v1/risks/{risk.pk}/"})


class RiskDetailApi(ApiView):
    @extend_schema(operation_id="risks_retrieve", responses={200: RiskOutputSerializer, **ERRORS(401, 404)}, tags=["risks"])
    def get(self, request: Request, id: UUID) -> Response:
        return with_etag(request, Response(RiskOutputSerializer(selectors.risk_get_for_user(user=request.user, id=id)).data))

    @extend_schema(
        operation_id="risks_partial_update",
        request=RiskPatchSerializer,
        responses={200: RiskOutputSerializer, **WRITE_ERRORS},
        tags=["risks"],
    )
    def patch(self, request: Request, id: UUID) -> Response:
        risk = selectors.risk_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
        data = validated(RiskPatchSerializer, request.data)
        if_match(
            request,
            lock=risk,
            current=lambda: RiskOutputSerializer(selectors.risk_get_for_user(user=request.user, id=id)).data,
            write=lambda: services.risk_update(risk=risk, actor=request.user, **_risk_fields(risk.project, data)),
        )
        return with_etag(request, Response(RiskOutputSerializer(selectors.risk_get_for_user(user=request.user, id=id)).data))


class RiskAcceptApi(ApiView):
    class InputSerializer(StrictSerializer):
        expires_on = serializers.DateField(required=False, allow_null=True)
        comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="risks_accept", request=InputSerializer, responses={200: RiskOutputSerializer, **ACTION_ERRORS}, tags=["risks"]
    )
    @idempotent
    def post(self, request: Request, id: UUID) -> Response:
        risk = selectors.risk_get_for_user(user=request.user, id=id)
        data = validated(self.InputSerializer, request.data)
        services.risk_accept(risk=risk, actor=request.user, expires_on=data.get("expires_on"), comment=data["comment"])
        return Response(RiskOutputSerializer(selectors.risk_get_for_user(user=request.user, id=id)).data)


# --- Sign-offs ----------------------------------------------------------------------------------


@extend_schema_field(
    inline_serializer(
        "EvidenceItem",
        {"type": serializers.CharField(), "id": serializers.CharField(required=False), "url": serializers.CharField(required=False)},
        many=True,
    )
)
class EvidenceField(serializers.JSONField):
    pass


class SignoffOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id")
    phase = serializers.ChoiceField(source="phase.key", choices=PhaseKey.choices)
    kind = serializers.CharField()
    title = serializers.CharField()
    function = serializers.CharField(source="function_id")
    status = serializers.ChoiceField(choices=Signoff.Status.choices)
    decided_by = UserRefSerializer(allow_null=True)
    decided_at = Timestamp(allow_null=True)
    comment = serializers.CharField()
    evidence = EvidenceField()
    refs = serializers.ListField(child=serializers.CharField())
    updated_at = Timestamp()


class ProjectSignoffListApi(ApiView):
    @extend_schema(
        operation_id="project_signoffs_list",
        parameters=PAGE,
        responses={200: envelope("SignoffList", SignoffOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["signoffs"],
    )
    def get(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        page = paginate(request, selectors.signoff_list_for_project(project=project), ("updated_at", "id"), "updated_at")
        return page.response(SignoffOutputSerializer(page.rows, many=True).data)


class SignoffDetailApi(ApiView):
    @extend_schema(operation_id="signoffs_retrieve", responses={200: SignoffOutputSerializer, **ERRORS(401, 404)}, tags=["signoffs"])
    def get(self, request: Request, id: UUID) -> Response:
        return with_etag(request, Response(SignoffOutputSerializer(selectors.signoff_get_for_user(user=request.user, id=id)).data))


class SignoffDecisionApi(ApiView):
    class InputSerializer(StrictSerializer):
        decision = serializers.ChoiceField(choices=[("approved", "Approved"), ("rejected", "Rejected")])
        comment = serializers.CharField(max_length=5000)
        evidence = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=20)

    @extend_schema(
        operation_id="signoffs_decide",
        request=InputSerializer,
        responses={200: SignoffOutputSerializer, **ACTION_ERRORS},
        tags=["signoffs"],
    )
    @idempotent
    def post(self, request: Request, id: UUID) -> Response:
        signoff = selectors.signoff_get_for_user(user=request.user, id=id)
        data = validated(self.InputSerializer, request.data)
        services.signoff_decide(signoff=signoff, actor=request.user, **data)
        return Response(SignoffOutputSerializer(selectors.signoff_get_for_user(user=request.user, id=id)).data)


# --- Incidents ----------------------------------------------------------------------------------


class IncidentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id")
    title = serializers.CharField()
    occurred_on = serializers.DateField()
    severity = serializers.ChoiceField(choices=Incident.Severity.choices)
    description = serializers.CharField()
    affected_users = serializers.IntegerField()
    actions = serializers.CharField()
    serious = serializers.BooleanField()
    reported_at = Timestamp(allow_null=True)
    reported_to = serializers.CharField()
    created_by = UserRefSerializer(allow_null=True)
    created_at = Timestamp()
    updated_at = Timestamp()


class IncidentInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    occurred_on = serializers.DateField()
    severity = serializers.ChoiceField(choices=Incident.Severity.choices)
    description = serializers.CharField(max_length=5000)
    affected_users = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False, default=0)
    actions = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    serious = serializers.BooleanField(required=False, default=False)
    reported_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reported_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class IncidentPatchSerializer(IncidentInputSerializer):
    title = serializers.CharField(max_length=200, required=False)
    occurred_on = serializers.DateField(required=False)
    severity = serializers.ChoiceField(choices=Incident.Severity.choices, required=False)
    description = serializers.CharField(max_length=5000, required=False)
    affected_users = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False)
    actions = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    serious = serializers.BooleanField(required=False)
    reported_at = serializers.DateTimeField(required=False, allow_null=True)
    reported_to = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ProjectIncidentListApi(ApiView):
    @extend_schema(
        operation_id="project_incidents_list",
        parameters=PAGE,
        responses={200: envelope("IncidentList", IncidentOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["incidents"],
    )
    def get(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        page = paginate(request, selectors.incident_list_for_project(project=project), ("created_at", "id"), "created_at")
        return page.response(IncidentOutputSerializer(page.rows, many=True).data)

    @extend_schema(
        operation_id="project_incidents_create",
        request=IncidentInputSerializer,
        responses={201: IncidentOutputSerializer, **ACTION_ERRORS},
        tags=["incidents"],
    )
    @idempotent
    def post(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
        incident = services.incident_create(project=project, actor=request.user, **validated(IncidentInputSerializer, request.data))
        return Response(IncidentOutputSerializer(incident).data, status=201, headers={"Location": f"/api/v1/incidents/{incident.pk}/"})


class IncidentDetailApi(ApiView):
    @extend_schema(operation_id="incidents_retrieve", responses={200: IncidentOutputSerializer, **ERRORS(401, 404)}, tags=["incidents"])
    def get(self, request: Request, id: UUID) -> Response:
        return with_etag(request, Response(IncidentOutputSerializer(selectors.incident_get_for_user(user=request.user, id=id)).data))

    @extend_schema(
        operation_id="incidents_partial_update",
        request=IncidentPatchSerializer,
        responses={200: IncidentOutputSerializer, **WRITE_ERRORS},
        tags=["incidents"],
    )
    def patch(self, request: Request, id: UUID) -> Response:
        incident = selectors.incident_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
        current = lambda: IncidentOutputSerializer(selectors.incident_get_for_user(user=request.user, id=id)).data  # noqa: E731
        fields = validated(IncidentPatchSerializer, request.data)
        if_match(
            request, lock=incident, current=current, write=lambda: services.incident_update(incident=incident, actor=request.user, **fields)
        )
        return with_etag(request, Response(IncidentOutputSerializer(selectors.incident_get_for_user(user=request.user, id=id)).data))


# --- Gates and readiness ------------------------------------------------------------------------


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    must_meet = serializers.BooleanField()
    weight = serializers.IntegerField()
    applies = serializers.BooleanField()
    met = serializers.BooleanField()
    satisfaction = serializers.FloatField()
    explanation = serializers.CharField()
    fix_url = serializers.CharField()


class ReadinessOutputSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, coerce_to_string=False)
    ready = serializers.BooleanField()
    stale = serializers.BooleanField()
    computed_at = Timestamp(allow_null=True)
    threshold = serializers.IntegerField()
    blocking = serializers.ListField(child=serializers.CharField())
    criteria = CriterionSerializer(many=True)


def _readiness(gate: Gate) -> dict:
    r = selectors.readiness_of(gate)
    return ReadinessOutputSerializer(
        {
            "score": r.score,
            "ready": r.ready,
            "stale": r.stale,
            "computed_at": r.computed_at,
            "threshold": r.threshold,
            "blocking": r.blocking,
            "criteria": r.criteria,
        }
    ).data


class GateOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id")
    phase = serializers.ChoiceField(source="phase.key", choices=PhaseKey.choices)
    threshold = serializers.IntegerField(source="template.threshold")
    score = serializers.DecimalField(
        source="last_assessment.score", max_digits=4, decimal_places=1, allow_null=True, default=None, coerce_to_string=False
    )
    ready = serializers.BooleanField(source="last_assessment.ready", default=False)
    stale = serializers.BooleanField()
    computed_at = Timestamp(source="last_assessment.computed_at", allow_null=True, default=None)
    open_review = serializers.SerializerMethodField()

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_open_review(self, gate: Gate) -> str | None:
        reviews = self.context.get("open_reviews", {})
        return str(reviews[gate.pk]) if gate.pk in reviews else None


def _open_reviews(gates: list[Gate]) -> dict:
    return dict(Review.objects.filter(gate__in=gates, status=Review.Status.OPEN).values_list("gate_id", "pk"))


class ProjectGateListApi(ApiView):
    @extend_schema(
        operation_id="project_gates_list",
        parameters=PAGE,
        responses={200: envelope("GateList", GateOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["gates"],
    )
    def get(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        gates = Gate.objects.filter(project=project).select_related("phase", "template", "last_assessment")
        page = paginate(request, gates, ("phase__order", "id"), "phase")
        return page.response(GateOutputSerializer(page.rows, many=True, context={"open_reviews": _open_reviews(page.rows)}).data)


class GateDetailApi(ApiView):
    @extend_schema(operation_id="gates_retrieve", responses={200: GateOutputSerializer, **ERRORS(401, 404)}, tags=["gates"])
    def get(self, request: Request, id: UUID) -> Response:
        gate = selectors.gate_get_for_user(user=request.user, id=id)
        return with_etag(request, Response(GateOutputSerializer(gate, context={"open_reviews": _open_reviews([gate])}).data))


JOB_STARTED = inline_serializer(
    "JobStarted",
    {
        "job": inline_serializer(
            "JobRef", {"id": serializers.UUIDField(), "status": serializers.CharField(), "url": serializers.CharField()}
        )
    },
)


class GateReadinessApi(ApiView):
    @extend_schema(operation_id="gates_readiness_retrieve", responses={200: ReadinessOutputSerializer, **ERRORS(401, 404)}, tags=["gates"])
    def get(self, request: Request, id: UUID) -> Response:
        """The latest assessment; never computed in this request."""
        return with_etag(request, Response(_readiness(selectors.gate_get_for_user(user=request.user, id=id))))

    @extend_schema(operation_id="gates_readiness_recompute", request=None, responses={202: JOB_STARTED, **ACTION_ERRORS}, tags=["gates"])
    @idempotent
    def post(self, request: Request, id: UUID) -> Response:
        """Recompute on demand: 202 with a job to follow."""
        gate = selectors.gate_get_for_user(user=request.user, id=id, action=Action.REVIEW)
        job = readiness_services.gate_recompute_request(gate=gate, actor=request.user)
        return Response({"job": {"id": str(job.pk), "status": job.status, "url": f"/api/v1/jobs/{job.pk}/"}}, status=202)


# --- Reviews and votes --------------------------------------------------------------------------


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


class ReviewOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    gate = serializers.UUIDField(source="gate_id")
    project = serializers.UUIDField(source="project_id")
    status = serializers.ChoiceField(choices=Review.Status.choices)
    outcome = serializers.ChoiceField(choices=Decision.choices, allow_null=True, source="outcome_or_none")
    justification = serializers.CharField()
    requested_by = UserRefSerializer()
    approvers = UserRefSerializer(many=True, source="approver_list")
    former_approvers = UserRefSerializer(
        many=True, source="former_list", help_text="Named approvers who have since left the project or lost approver status"
    )
    votes = VoteOutputSerializer(many=True, source="vote_list")
    quorum = serializers.SerializerMethodField()
    requested_at = Timestamp()
    due_at = Timestamp()
    resolved_at = Timestamp(allow_null=True)
    snapshot = serializers.SerializerMethodField()

    @extend_schema_field(QuorumSerializer)
    def get_quorum(self, review: Review) -> dict:
        return {"kind": review.quorum, "value": review.quorum_value, "needed": review.needed, "counting": review.counting}  # type: ignore[attr-defined]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_snapshot(self, review: Review) -> dict:
        return review.snapshot or {}


def _review(review: Review) -> dict:
    review.outcome_or_none = review.outcome or None  # type: ignore[attr-defined]
    approvers = review_selectors.review_approvers(review)
    former = {u.pk for u in approvers if u.is_former}  # type: ignore[attr-defined]
    votes = list(review.votes.select_related("voter"))
    for vote in votes:
        vote.former_approver = vote.voter_id in former  # type: ignore[attr-defined]
    voted = {v.voter_id for v in votes}
    review.approver_list = approvers  # type: ignore[attr-defined]
    review.former_list = [u for u in approvers if u.pk in former]  # type: ignore[attr-defined]
    review.vote_list = votes  # type: ignore[attr-defined]
    review.counting = sum(1 for u in approvers if u.pk not in former or u.pk in voted)  # type: ignore[attr-defined]
    return ReviewOutputSerializer(review).data


class GateReviewCreateApi(ApiView):
    class InputSerializer(StrictSerializer):
        justification = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="gates_reviews_create",
        request=InputSerializer,
        responses={201: ReviewOutputSerializer, **ACTION_ERRORS},
        tags=["reviews"],
    )
    @idempotent
    def post(self, request: Request, id: UUID) -> Response:
        gate = selectors.gate_get_for_user(user=request.user, id=id, action=Action.REVIEW)
        data = validated(self.InputSerializer, request.data if request.data else {})
        review = services.review_request(gate=gate, actor=request.user, justification=data["justification"])
        return Response(_review(review), status=201, headers={"Location": f"/api/v1/reviews/{review.pk}/"})


class ReviewDetailApi(ApiView):
    @extend_schema(operation_id="reviews_retrieve", responses={200: ReviewOutputSerializer, **ERRORS(401, 404)}, tags=["reviews"])
    def get(self, request: Request, id: UUID) -> Response:
        return with_etag(request, Response(_review(review_selectors.review_get_for_user(user=request.user, id=id))))


class ReviewVoteApi(ApiView):
    class InputSerializer(StrictSerializer):
        decision = serializers.ChoiceField(choices=Decision.choices)
        comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="reviews_votes_create",
        description="201 for a first vote, 200 when it replaces the voter's earlier vote; both return the review.",
        request=InputSerializer,
        responses={200: ReviewOutputSerializer, 201: ReviewOutputSerializer, **ACTION_ERRORS},
        tags=["reviews"],
    )
    @idempotent
    def post(self, request: Request, id: UUID) -> Response:
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
    def post(self, request: Request, id: UUID) -> Response:
        review = review_selectors.review_get_for_user(user=request.user, id=id, action=Action.REVIEW)
        services.review_withdraw(review=review, actor=request.user)
        return Response(_review(review_selectors.review_get_for_user(user=request.user, id=id)))


# --- Compliance ---------------------------------------------------------------------------------


class RequirementStatusSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=COVERAGE_STATUSES)
    reason = serializers.CharField()
    evidence = serializers.ListField(
        child=inline_serializer(
            "MappedWork",
            {
                "kind": serializers.CharField(),
                "label": serializers.CharField(),
                "satisfied": serializers.BooleanField(),
                "url": serializers.CharField(),
            },
        )
    )


class FrameworkCoverageSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField()
    as_of = serializers.CharField()
    coverage = serializers.IntegerField()
    met = serializers.IntegerField()
    open = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    requirements = RequirementStatusSerializer(many=True)


class ProjectComplianceApi(ApiView):
    @extend_schema(
        operation_id="project_compliance_retrieve",
        responses={200: inline_serializer("Compliance", {"frameworks": FrameworkCoverageSerializer(many=True)}), **ERRORS(401, 404)},
        tags=["governance"],
    )
    def get(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        frameworks = selectors.compliance_for_project(project=project)
        data = []
        for fw in frameworks:
            requirements = [
                {
                    "code": r.code,
                    "title": r.title,
                    "status": r.status,
                    "reason": r.reason,
                    "evidence": [{k: w[k] for k in ("kind", "label", "satisfied", "url")} for w in r.evidence],
                }
                for r in fw.requirements
            ]
            data.append(
                {
                    "key": fw.key,
                    "name": fw.name,
                    "source": fw.source,
                    "as_of": fw.as_of,
                    "coverage": fw.coverage,
                    "met": fw.met,
                    "open": fw.open,
                    "not_applicable": fw.not_applicable,
                    "requirements": requirements,
                }
            )
        return with_etag(request, Response({"frameworks": FrameworkCoverageSerializer(data, many=True).data}))
