"""400, 404, 500 and 503 pages in the site's style (JSON under /api/, see lifecycle.infrastructure.middleware)."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from lifecycle.infrastructure.middleware import error_body, is_connection_error, too_large_response

RETRY_AFTER_SECONDS = 5


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's answer to a request it refused before any view ran (a suspicious Host header, a
    body that turned out too large while a middleware read it)."""
    from django.core.exceptions import RequestDataTooBig

    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(400), status=400)
    return HttpResponse(loader.render_to_string("400.html", {}), status=400)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(404), status=404)
    return HttpResponse(loader.render_to_string("404.html", {}, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # A lost database raised outside a view (a middleware loading the session or the user) ends
    # up here rather than in ApiErrorMiddleware.process_exception: it is an outage, not a bug.
    exception = sys.exc_info()[1]
    if exception is not None and is_connection_error(exception):
        return service_unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(500), status=500)
    # No request context: the failure may come from a context processor.
    return HttpResponse(loader.render_to_string("500.html", {}), status=500)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database cannot be reached. The page is rendered without a request context:
    its context processors would query the database."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body(503), status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html", {}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
