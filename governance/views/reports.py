"""The governance report page: ask a worker for the report, follow its progress, download the
PDF or the JSON of this and earlier reports."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from governance import selectors, services
from lifecycle import selectors as lifecycle_selectors
from lifecycle.infrastructure.http import AuthedHtmxRequest, wants_partial
from lifecycle.models import Job


@login_required
@require_http_methods(["GET", "POST"])
def report(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """GET: the page with the latest reports. POST: a report job (anyone who may see the
    project), whose progress the page polls: a new one, or the one already queued or running for
    the project, which the page then follows instead of starting another."""
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    page_url = reverse("governance:report", args=[project.pk])
    if request.method == "POST":
        job = services.report_request(project=project, actor=request.user)
        done_url = f"{page_url}?job={job.pk}"
        if wants_partial(request):
            return render(request, "lifecycle/_job.html", {"job": job, "done_url": done_url})
        return redirect(done_url)
    context = {
        "project": project,
        "reports": selectors.report_jobs_for_project(project=project),
        "job_id": _uuid_or_none(request.GET.get("job", "")),
        "sections": selectors.REPORT_SECTIONS,
        "retention_days": settings.REPORT_FILE_RETENTION_DAYS,
    }
    return render(request, "governance/report.html", context)


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


@login_required
@require_GET
def report_json(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """The JSON of a finished report, as a file, for those who may follow its job."""
    job = lifecycle_selectors.job_get_for_user(user=request.user, id=id)
    if job is not None and job.kind == selectors.REPORT_KIND and job.params.get("expired_at"):
        from lifecycle.views.jobs import expired

        return expired(request)
    if job is None or job.kind != selectors.REPORT_KIND or job.status != Job.Status.SUCCEEDED or job.result is None:
        raise Http404("No such report.")
    response = JsonResponse(job.result, json_dumps_params={"indent": 2})
    name = str(job.params.get("filename") or "governance-report.pdf").removesuffix(".pdf") + ".json"
    # The name is a slug made by report_filename; keep it that way whatever the params hold.
    safe = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "-_.")) or "governance-report.json"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
