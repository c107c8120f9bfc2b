"""API of gates: a project's gates, one gate, its readiness, and recompute on demand. Nothing
here computes readiness: workers do, the API reads it."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from governance import selectors
from governance.models import Gate, Review
from governance.services import readiness as readiness_services
from lifecycle import selectors as lifecycle_selectors
from lifecycle.api.base import ApiView, AuthedRequest
from lifecycle.api.conditional import with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.idempotency import idempotent
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.models import PhaseKey

PAGE = [OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)]
ACTION_ERRORS = ERRORS(400, 401, 403, 404, 409, 422, 429)


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
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        gates = Gate.objects.filter(project=project).select_related("phase", "template", "last_assessment")
        page = paginate(request, gates, ("phase__order", "id"), "phase")
        context = {"open_reviews": _open_reviews(page.rows)}
        return page.response([GateOutputSerializer(gate, context=context).data for gate in page.rows])


class GateDetailApi(ApiView):
    @extend_schema(operation_id="gates_retrieve", responses={200: GateOutputSerializer, **ERRORS(401, 404)}, tags=["gates"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
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
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        """The latest assessment; never computed in this request."""
        return with_etag(request, Response(_readiness(selectors.gate_get_for_user(user=request.user, id=id))))

    @extend_schema(operation_id="gates_readiness_recompute", request=None, responses={202: JOB_STARTED, **ACTION_ERRORS}, tags=["gates"])
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        """Recompute on demand: 202 with a job to follow."""
        gate = selectors.gate_get_for_user(user=request.user, id=id)
        job = readiness_services.gate_recompute_request(gate=gate, actor=request.user)
        return Response({"job": {"id": str(job.pk), "status": job.status, "url": f"/api/v1/jobs/{job.pk}/"}}, status=202)
