"""API of project members: list and add them, read, change and remove one.

The views load what the caller may see (404 for outsiders); the membership services decide
whether the caller may change it (403: owners and administrators)."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lifecycle import selectors, services
from lifecycle.api.base import ApiView, AuthedRequest, StrictSerializer, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.idempotency import idempotent
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.api.serializers import MembershipOutputSerializer
from lifecycle.models import Role


class MemberListApi(ApiView):
    class InputSerializer(StrictSerializer):
        user = serializers.CharField(max_length=254, help_text="Username or e-mail of an existing user.")
        role = serializers.ChoiceField(choices=Role.choices)
        functions = serializers.ListField(child=serializers.CharField(max_length=50), required=False, default=list, max_length=20)

    @extend_schema(
        operation_id="members_list",
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: envelope("MemberList", MembershipOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["members"],
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id)
        queryset = project.memberships.select_related("user").prefetch_related("functions")
        page = paginate(request, queryset, ("created_at", "id"), "created_at")
        return page.response([MembershipOutputSerializer(m).data for m in page.rows])

    @extend_schema(
        operation_id="members_create",
        request=InputSerializer,
        responses={201: MembershipOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 422)},
        tags=["members"],
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id)
        data = validated(self.InputSerializer, request.data)
        membership = services.membership_add(project=project, actor=request.user, **data)
        return Response(MembershipOutputSerializer(membership).data, status=201, headers={"Location": f"/api/v1/members/{membership.pk}/"})


class MemberDetailApi(ApiView):
    class InputSerializer(StrictSerializer):
        role = serializers.ChoiceField(choices=Role.choices, required=False)
        functions = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=20)

    @extend_schema(operation_id="members_retrieve", responses={200: MembershipOutputSerializer, **ERRORS(401, 404)}, tags=["members"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        membership = selectors.membership_get_for_user(user=request.user, id=id)
        return with_etag(request, Response(MembershipOutputSerializer(membership).data))

    @extend_schema(
        operation_id="members_partial_update",
        request=InputSerializer,
        responses={200: MembershipOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 412, 428)},
        tags=["members"],
    )
    def patch(self, request: AuthedRequest, id: UUID) -> Response:
        membership = selectors.membership_get_for_user(user=request.user, id=id)
        data = validated(self.InputSerializer, request.data)
        membership = if_match(
            request,
            lock=membership,
            current=lambda: _membership_out(request, id),
            write=lambda: services.membership_update(
                membership=membership, actor=request.user, role=data.get("role", membership.role), functions=data.get("functions")
            ),
        )
        return with_etag(request, Response(MembershipOutputSerializer(membership).data))

    @extend_schema(operation_id="members_destroy", responses={204: None, **ERRORS(401, 403, 404, 409, 412, 428)}, tags=["members"])
    def delete(self, request: AuthedRequest, id: UUID) -> Response:
        membership = selectors.membership_get_for_user(user=request.user, id=id)
        if_match(
            request,
            lock=membership,
            current=lambda: _membership_out(request, id),
            write=lambda: services.membership_remove(membership=membership, actor=request.user),
        )
        return Response(status=204)


def _membership_out(request: AuthedRequest, id: UUID) -> dict:
    return MembershipOutputSerializer(selectors.membership_get_for_user(user=request.user, id=id)).data
