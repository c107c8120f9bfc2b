"""API of jobs: the progress and result of long work a request started (202 answers point here)."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lifecycle import selectors
from lifecycle.api.base import ApiView, AuthedRequest
from lifecycle.api.conditional import with_etag
from lifecycle.api.fields import NullableObject
from lifecycle.api.schema import ERRORS
from lifecycle.models import Job


class JobOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=Job.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    result_url = serializers.CharField(allow_null=True)
    result = NullableObject(help_text="What the job produced, once it has succeeded (a governance report: the report as JSON)")
    error = serializers.CharField(allow_null=True)


class JobDetailApi(ApiView):
    @extend_schema(operation_id="jobs_retrieve", responses={200: JobOutputSerializer, **ERRORS(401, 404)}, tags=["jobs"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        job = selectors.job_get_for_user(user=request.user, id=id)
        if job is None:
            raise Http404("No such job.")
        data = {
            "id": job.pk,
            "kind": job.kind,
            "status": job.status,
            "progress": job.progress,
            "result_url": job.result_url or None,
            "result": job.result if job.status == Job.Status.SUCCEEDED else None,
            "error": job.error or None,
        }
        return with_etag(request, Response(JobOutputSerializer(data).data))
