"""API of the governance report: start a report job; its result is on the job."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from governance import services
from governance.api.gates import JOB_STARTED
from lifecycle import selectors as lifecycle_selectors
from lifecycle.api.base import ApiView, AuthedRequest
from lifecycle.api.schema import ERRORS


class ReportRateThrottle(UserRateThrottle):
    """Reports per user, at the write rate: this GET starts work in a worker, so it counts as
    a write although it changes nothing."""

    scope = "reports"

    def get_rate(self) -> str:
        return settings.API_WRITE_RATE

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in ("HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class ProjectReportApi(ApiView):
    throttle_classes = [ReportRateThrottle]

    @extend_schema(
        operation_id="projects_report",
        responses={
            202: OpenApiResponse(JOB_STARTED, description="The report job: a new one, or the project's one already queued or running"),
            **ERRORS(401, 404, 429),
        },
        tags=["reports"],
        description=(
            "Start building the project's governance report (anyone who may see the project): 202 with a job. "
            "One report per project is built at a time: while one is queued or running (whoever asked for it), "
            "the answer is the same 202 naming that job, whose `status` is then `queued` or `running`, and no "
            "second report starts; once it has finished, the next request starts a new one. "
            "Poll the job's URL; once it has succeeded, its `result` is the report as JSON (summary, phases with "
            "their checklists, artifacts, risks with the heat map, sign-offs, gate decisions with their snapshots, "
            "framework coverage, post-launch audits and incidents, an audit excerpt) and its `result_url` is the PDF. "
            "The PDF and the JSON are kept for REPORT_FILE_RETENTION_DAYS (7 by default) after the job finished; "
            "then the job stays, with `result` and `result_url` null."
        ),
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        job = services.report_request(project=project, actor=request.user)
        response = Response({"job": {"id": str(job.pk), "status": job.status, "url": f"/api/v1/jobs/{job.pk}/"}}, status=202)
        # Every GET starts (or follows) a report job: no cache may answer it instead.
        response["Cache-Control"] = "no-store"
        return response
