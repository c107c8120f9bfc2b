"""DRF exception handler: every API error is `{"message", "code", "fields"?}` (PRODUCT.md, API
conventions), whichever layer raised it. Service rules raise ApplicationError; the UI shows the
same message, so a rule gives the same answer through both doors."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from lifecycle.exceptions import ApplicationError

logger = logging.getLogger(__name__)

_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "invalid",
    exceptions.ValidationError: "invalid",
}


def _flatten(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF error details (nested dicts and lists) as {"field.sub[0].leaf": ["message", ...]}."""
    fields: dict[str, list[str]] = {}

    def merge(more: dict[str, list[str]]) -> None:
        for key, messages in more.items():
            fields.setdefault(key, []).extend(messages)

    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key in ("non_field_errors", "__all__") else str(key)
            merge(_flatten(value, f"{path}.{name}" if path else name))
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        for index, item in enumerate(detail):
            merge(_flatten(item, f"{path}[{index}]"))
    elif isinstance(detail, list):
        fields[path or "non_field_errors"] = [str(item) for item in detail]
    else:
        fields[path or "non_field_errors"] = [str(detail)]
    return fields


def _validation_body(detail: Any) -> dict:
    fields = _flatten(detail)
    first = next(iter(fields.items()), None)
    if first and first[0] != "non_field_errors":
        message = f"{first[0]}: {first[1][0]}"
    elif first:
        message = first[1][0]
    else:
        message = "The request is invalid."
    return {"message": message, "code": "invalid", "fields": fields}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        body: dict = {"message": exc.message, "code": exc.code}
        if exc.fields:
            body["fields"] = exc.fields
        set_rollback()
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    auth_header, wait = getattr(exc, "auth_header", None), getattr(exc, "wait", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    if wait:
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc.detail)
    else:
        code = _CODES.get(type(exc)) or (exc.get_codes() if isinstance(exc.get_codes(), str) else "error")
        body = {"message": _message(exc), "code": code}
    set_rollback()
    return Response(body, status=exc.status_code or status.HTTP_400_BAD_REQUEST, headers=headers)


def _message(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, (list, dict)):
        return str(next(iter(_flatten(detail).values()))[0])
    return str(detail)
