"""API of the risk register: a project's risks, one risk, and accepting it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from governance import selectors, services
from governance.limits import ACCEPTANCE_COMMENT_MAX_LENGTH, REGISTER_TEXT_MAX_LENGTH
from governance.models import Risk, RiskLevel
from governance.selectors import risks as risk_selectors
from lifecycle import selectors as lifecycle_selectors
from lifecycle.api.base import ApiView, AuthedRequest, StrictSerializer, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.idempotency import idempotent
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.api.serializers import UserRefSerializer
from lifecycle.exceptions import ApplicationError
from lifecycle.models import PhaseKey

PAGE = [OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)]
RISK_INPUT_STATUSES = [c for c in Risk.Status.choices if c[0] != "accepted"]
WRITE_ERRORS = ERRORS(400, 401, 403, 404, 409, 412, 428, 429)
ACTION_ERRORS = ERRORS(400, 401, 403, 404, 409, 422, 429)


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
    description = serializers.CharField(max_length=REGISTER_TEXT_MAX_LENGTH, required=False, allow_blank=True)
    category = serializers.CharField(max_length=80, help_text="A category key, e.g. confabulation")
    phase_found = serializers.ChoiceField(choices=PhaseKey.choices, required=False)
    likelihood = serializers.IntegerField(min_value=1, max_value=5)
    impact = serializers.IntegerField(min_value=1, max_value=5)
    residual_likelihood = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    residual_impact = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    owner = serializers.CharField(max_length=254, required=False, allow_null=True, help_text="Username or e-mail of a member")
    treatment = serializers.ChoiceField(choices=Risk.Treatment.choices, required=False)
    mitigation_plan = serializers.CharField(max_length=REGISTER_TEXT_MAX_LENGTH, required=False, allow_blank=True)
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
        fields["owner"] = risk_selectors.risk_owner_resolve(project=project, username=fields["owner"])
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
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        f = validated(self.FilterSerializer, request.query_params)
        risks = selectors.risk_list_for_project(project=project, filters=selectors.RiskFilters(**f)).select_related("accepted_by")
        page = paginate(request, risks, ("created_at", "id"), "created_at")
        return page.response([RiskOutputSerializer(risk).data for risk in page.rows])

    @extend_schema(
        operation_id="project_risks_create",
        request=RiskInputSerializer,
        responses={201: RiskOutputSerializer, **ACTION_ERRORS},
        tags=["risks"],
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        data = validated(RiskInputSerializer, request.data)
        risk = services.risk_create(project=project, actor=request.user, **_risk_fields(project, data))
        risk = selectors.risk_get_for_user(user=request.user, id=risk.pk)
        return Response(RiskOutputSerializer(risk).data, status=201, headers={"Location": f"/api/v1/risks/{risk.pk}/"})


class RiskDetailApi(ApiView):
    @extend_schema(operation_id="risks_retrieve", responses={200: RiskOutputSerializer, **ERRORS(401, 404)}, tags=["risks"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        return with_etag(request, Response(RiskOutputSerializer(selectors.risk_get_for_user(user=request.user, id=id)).data))

    @extend_schema(
        operation_id="risks_partial_update",
        request=RiskPatchSerializer,
        responses={200: RiskOutputSerializer, **WRITE_ERRORS},
        tags=["risks"],
    )
    def patch(self, request: AuthedRequest, id: UUID) -> Response:
        risk = selectors.risk_get_for_user(user=request.user, id=id)
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
        comment = serializers.CharField(
            max_length=ACCEPTANCE_COMMENT_MAX_LENGTH,
            required=False,
            allow_blank=True,
            default="",
        )

    @extend_schema(
        operation_id="risks_accept", request=InputSerializer, responses={200: RiskOutputSerializer, **ACTION_ERRORS}, tags=["risks"]
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        risk = selectors.risk_get_for_user(user=request.user, id=id)
        data = validated(self.InputSerializer, request.data)
        services.risk_accept(risk=risk, actor=request.user, expires_on=data.get("expires_on"), comment=data["comment"])
        return Response(RiskOutputSerializer(selectors.risk_get_for_user(user=request.user, id=id)).data)
