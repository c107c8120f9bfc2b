"""Operations endpoints: liveness (no dependencies), readiness (every dependency) and metrics."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lifecycle.infrastructure import health, metrics
from lifecycle.infrastructure.middleware import json_error


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches no database, cache or broker."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when PostgreSQL, the cache, the broker and a worker all answer; otherwise
    503 naming the failing parts."""
    result = health.readiness_checks()
    response = JsonResponse(result, status=503 if result["failing"] else 200)
    if result["failing"]:
        response["Retry-After"] = "5"
    return response


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for allowed addresses or the bearer METRICS_TOKEN only."""
    if not metrics.client_allowed(request):
        return json_error(403, "Metrics are only served to allowed addresses or with the metrics token.", "permission_denied")
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)
