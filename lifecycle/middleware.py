"""Request ids, strong ETags under compression, and JSON errors for everything under /api/."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.middleware.gzip import GZipMiddleware

from lifecycle.logging import clean_request_id, set_request_id

logger = logging.getLogger(__name__)

Handler = Callable[[HttpRequest], HttpResponse]

GZIP_ETAG_SUFFIX = "-gzip"


class RequestIdMiddleware:
    """Gives each request an id (the caller's X-Request-ID when well-formed) that log lines,
    audit events and the Celery tasks it enqueues carry."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = clean_request_id(request.headers.get("X-Request-ID")) or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            set_request_id("")
        response["X-Request-ID"] = request_id
        return response


class StrongETagGZipMiddleware(GZipMiddleware):
    """Compresses like Django's GZipMiddleware but keeps ETags strong.

    Django weakens a strong ETag when it compresses. A strong ETag must name one exact
    representation, so instead of weakening it we give the gzip representation its own strong tag
    (`"<tag>-gzip"`); lifecycle.api.conditional strips the suffix when comparing.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        etag = response.get("ETag")
        response = super().process_response(request, response)
        if etag and etag.startswith('"') and response.get("Content-Encoding") == "gzip":
            response.headers["ETag"] = f'{etag[:-1]}{GZIP_ETAG_SUFFIX}"'
        return response


_STATUS_CODES = {
    400: ("invalid", "The request is invalid."),
    401: ("not_authenticated", "Authentication credentials were not provided or are not valid."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    406: ("not_acceptable", "This endpoint only returns JSON."),
    409: ("conflict", "The request conflicts with the current state."),
    413: ("too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send JSON with Content-Type: application/json."),
    429: ("throttled", "Too many requests."),
    500: ("server_error", "Something went wrong on our side. The error has been logged."),
    503: ("unavailable", "The service is temporarily unavailable. Try again shortly."),
}


def error_body(status: int, message: str | None = None, code: str | None = None) -> dict:
    default_code, default_message = _STATUS_CODES.get(status, ("error", "The request failed."))
    return {"message": message or default_message, "code": code or default_code}


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's, except that API paths are never redirected to add a slash: a client that POSTs
    to /api/v1/projects gets a JSON 404 naming the problem, not a redirect that drops its body."""

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        return False if _is_api(request) else super().should_redirect_with_slash(request)


class ApiErrorMiddleware:
    """Every error under /api/ is the JSON error body of the API conventions, never HTML: also
    the ones raised before a DRF view runs (unknown URL, request too large, server error)."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not _is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        replacement = JsonResponse(error_body(response.status_code), status=response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID"):
            if header in response:
                replacement[header] = response[header]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db import DatabaseError, InterfaceError

        if isinstance(exception, (DatabaseError, InterfaceError)) and _is_connection_error(exception):
            logger.error("database unavailable: %s", exception.__class__.__name__)
            body = error_body(503)
            if _is_api(request):
                response: HttpResponse = JsonResponse(body, status=503)
            else:
                response = HttpResponse(_UNAVAILABLE_PAGE, status=503, content_type="text/html")
            response["Retry-After"] = "5"
            return response
        return None


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


_CONNECTION_ERROR = re.compile(
    r"(connection|could not connect|server closed|terminating connection|the database system is|"
    r"connection refused|no connection to the server|SSL SYSCALL)",
    re.IGNORECASE,
)


def _is_connection_error(exception: Exception) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exception, InterfaceError) or (
        isinstance(exception, OperationalError) and bool(_CONNECTION_ERROR.search(str(exception)))
    )


_UNAVAILABLE_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Temporarily unavailable</title>"
    "<main style='font-family:system-ui;max-width:40rem;margin:4rem auto'>"
    "<h1>Temporarily unavailable</h1><p>The database cannot be reached right now. "
    "Nothing you saved has been lost; please try again in a few seconds.</p></main>"
)


def json_error(status: int, message: str, code: str, fields: dict | None = None) -> JsonResponse:
    body = {"message": message, "code": code}
    if fields:
        body["fields"] = fields
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


__all__ = ["ApiErrorMiddleware", "RequestIdMiddleware", "StrongETagGZipMiddleware", "error_body", "json_error"]
