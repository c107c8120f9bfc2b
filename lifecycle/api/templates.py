"""API of lifecycle templates: the versions a project can be created from (`template` of a
project's creation is one of their ids)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lifecycle.api.base import ApiView, AuthedRequest
from lifecycle.api.fields import Timestamp
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.models import LifecycleTemplate


class TemplateOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    key = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    is_default = serializers.BooleanField()
    created_at = Timestamp()


class TemplateListApi(ApiView):
    @extend_schema(
        operation_id="templates_list",
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: envelope("TemplateList", TemplateOutputSerializer), **ERRORS(400, 401)},
        tags=["templates"],
    )
    def get(self, request: AuthedRequest) -> Response:
        page = paginate(request, LifecycleTemplate.objects.all(), ("key", "version", "id"), "key")
        return page.response(list(TemplateOutputSerializer(page.rows, many=True).data))
