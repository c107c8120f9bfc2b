"""OpenAPI pieces shared by every API view: the error body and the list envelope."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()
    # The metaclass moves declared fields off the class, so this one does not shadow Serializer.fields.
    fields = serializers.DictField(  # type: ignore[assignment]  # see above
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


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


_ETAG = {"schema": {"type": "string"}, "description": "Strong ETag of this representation"}


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


def _header(name: str, description: str) -> dict:
    return {"in": "header", "name": name, "required": False, "schema": {"type": "string"}, "description": description}


class AutoSchema(BaseAutoSchema):
    """Names nested serializers after their view: ProjectListApi.InputSerializer becomes the
    component "ProjectListInput", so every view can call its serializers Input/Output/Filter.

    It also documents the conditional and retry headers every view shares: ETag and
    If-None-Match (304) on single resources, If-Match on PATCH and DELETE, Idempotency-Key on the
    POSTs that honour it, and Retry-After with 429."""

    def get_operation(self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any) -> dict | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.setdefault("parameters", [])
        responses = operation.get("responses", {})
        single = method == "GET" and operation.get("operationId", "").endswith("_retrieve")
        if single:
            parameters.append(_header("If-None-Match", "The ETag of your copy: 304 with no body when it is still current."))
            responses["304"] = {"description": "Not modified: your copy is current", "headers": {"ETag": _ETAG}}
        if (single or (method == "PATCH" and "428" in responses)) and "200" in responses:
            responses["200"].setdefault("headers", {})["ETag"] = _ETAG
        if method in ("PATCH", "DELETE") and "428" in responses:
            parameters.append(_header("If-Match", "The ETag of your last GET: 428 without it, 412 when the resource changed since."))
        if method == "POST" and getattr(getattr(self.view, "post", None), "idempotent", False):
            key = _header(
                "Idempotency-Key",
                "Any unique string (1-200 printable characters): a retry with the same key and body replays the first response.",
            )
            key["schema"] = {"type": "string", "pattern": "^[!-~]{1,200}$"}
            parameters.append(key)
            # A malformed key is refused before anything else.
            responses.setdefault(
                "400",
                {
                    "description": _DESCRIPTIONS[400],
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            )
        if "429" in responses:
            responses["429"].setdefault("headers", {})["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before trying again",
            }
        return operation

    def get_serializer_name(self, serializer: serializers.Serializer, direction: Literal["request", "response"]) -> str:
        cls = serializer.__class__
        outer, _, inner = cls.__qualname__.rpartition(".")
        if outer.endswith("Api") and inner.endswith("Serializer"):
            return outer.removesuffix("Api") + inner.removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)
