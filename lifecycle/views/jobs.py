"""The progress of a job, as a fragment that polls itself until the job is done."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotFound
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from django_htmx.http import HTMX_STOP_POLLING

from lifecycle import selectors
from lifecycle.infrastructure.http import AuthedHtmxRequest, render_partial_or_page, wants_partial


@login_required
@require_GET
def job_status(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """The job's progress: for the poll, the fragment alone, from the job row and nothing else
    (it runs every second while the job runs); for a plain visit (the link of pages without
    JavaScript), a page around it."""
    job = selectors.job_get_for_user(user=request.user, id=id)
    if job is None and wants_partial(request):
        # A page polling a job its user may no longer follow (removed from the project): htmx
        # swaps nothing on a 404 and would poll on; the refresh reloads the page, which says why.
        not_found = HttpResponseNotFound("No such job.")
        not_found["HX-Refresh"] = "true"
        return not_found
    if job is None:
        raise Http404("No such job.")
    done_url = request.GET.get("done", "")
    if not url_has_allowed_host_and_scheme(done_url, allowed_hosts={request.get_host()}):
        done_url = ""
    # A finished job answers the poll with 286, which tells htmx to stop polling; the fragment
    # shows the result.
    status = HTMX_STOP_POLLING if job.is_done and wants_partial(request) else 200
    context = {"job": job, "done_url": done_url}
    return render_partial_or_page(request, "lifecycle/job_status.html", context, partial="job", status=status)


@login_required
@require_GET
def job_download(request: AuthedHtmxRequest, id: UUID) -> HttpResponseBase:
    """The file a job produced (a report), for those who may follow the job."""
    from django.http import FileResponse

    job = selectors.job_get_for_user(user=request.user, id=id)
    if job is not None and job.params.get("expired_at"):
        return expired(request)
    if job is None or not job.result_file:
        raise Http404("No such file.")
    name = job.params.get("filename") or job.result_file.name.rsplit("/", 1)[-1]
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)


def expired(request: AuthedHtmxRequest) -> HttpResponse:
    """410 for the file of a job that the retention sweep removed (REPORT_FILE_RETENTION_DAYS)."""
    from django.conf import settings

    context = {"retention_days": settings.REPORT_FILE_RETENTION_DAYS}
    return render(request, "lifecycle/job_expired.html", context, status=410)
