"""OpenAPI pieces shared by every API view: the error body and the list envelope."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


_DESCRIPTIONS = {
    400: "Invalid input",
    401: "No or bad credentials",
    403: "Not allowed",
    404: "Not found or not visible",
    409: "State conflict",
    410: "Gone",
    412: "The resource changed since the ETag in If-Match",
    422: "Idempotency-Key reused with another body",
    428: "If-Match is required",
    429: "Throttled",
}


def ERRORS(*codes: int) -> dict[int, OpenApiResponse]:  # noqa: N802 - reads like a constant
    return {code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS.get(code, "Error")) for code in codes}


def envelope(name: str, item: Any, **extra: serializers.Field) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            **extra,
            "results": item(many=True) if isinstance(item, type) else item,
        },
    )


class TokenAuthScheme(OpenApiAuthenticationExtension):
    target_class = "lifecycle.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`, from POST /api/v1/auth/token/",
        }


class SessionAuthScheme(OpenApiAuthenticationExtension):
    target_class = "lifecycle.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class AutoSchema(BaseAutoSchema):
    """Names nested serializers after their view: ProjectListApi.InputSerializer becomes the
    component "ProjectListInput", so every view can call its serializers Input/Output/Filter."""

    def get_serializer_name(self, serializer: serializers.Serializer, direction: str) -> str:
        cls = serializer.__class__
        outer, _, inner = cls.__qualname__.rpartition(".")
        if outer.endswith("Api") and inner.endswith("Serializer"):
            return outer.removesuffix("Api") + inner.removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)
