"""404 and 500 pages in the site's style (JSON under /api/, see lifecycle.middleware)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from lifecycle.middleware import error_body


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(404), status=404)
    return HttpResponse(loader.render_to_string("404.html", {}, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(500), status=500)
    # No request context: the failure may come from a context processor.
    return HttpResponse(loader.render_to_string("500.html", {}), status=500)
