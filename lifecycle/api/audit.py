"""API of the records every change leaves: the audit events (of a project, or all of them for
administrators) and the change feed that clients sync from."""

from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lifecycle import selectors
from lifecycle.api.base import ApiView, AuthedRequest, validated
from lifecycle.api.fields import NullableObject, Timestamp
from lifecycle.api.pagination import page_size_from, paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.api.serializers import UserRefSerializer
from lifecycle.exceptions import ApplicationError
from lifecycle.models import ChangeRecord


class AuditEventOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    seq = serializers.IntegerField()
    at = Timestamp()
    actor = UserRefSerializer(allow_null=True)
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.UUIDField(allow_null=True)
    object_label = serializers.CharField()
    project = serializers.UUIDField(source="project_id", allow_null=True)
    before = NullableObject(allow_null=True)
    after = NullableObject(allow_null=True)
    request_id = serializers.CharField()
    prev_hash = serializers.CharField()
    hash = serializers.CharField()


class AuditEventListApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        project = serializers.UUIDField(required=False, help_text="Required unless you are an administrator.")
        action = serializers.CharField(max_length=80, required=False)

    @extend_schema(
        operation_id="audit_events_list",
        parameters=[FilterSerializer, OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: envelope("AuditEventList", AuditEventOutputSerializer), **ERRORS(400, 401, 403, 404)},
        tags=["audit"],
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = validated(self.FilterSerializer, request.query_params)
        if "project" in filters:
            project = selectors.project_get_for_user(user=request.user, id=filters["project"])
            events = selectors.audit_events_for_project(project=project)
        elif request.user.is_superuser:
            events = selectors.audit_events_filtered(filters=selectors.AuditFilters())
        else:
            raise ApplicationError("Name a project: ?project=<id>.", fields={"project": ["Required unless you are an administrator."]})
        if filters.get("action"):
            events = events.filter(action__startswith=filters["action"])
        page = paginate(request, events, ("-seq",), "-seq")
        return page.response(list(AuditEventOutputSerializer(page.rows, many=True).data))


class ChangeOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    type = serializers.CharField(help_text="project, phase, member, checklist_item, artifact, risk, signoff, incident, gate or review.")
    id = serializers.UUIDField(source="object_id")
    project = serializers.UUIDField(source="project_id", allow_null=True)
    op = serializers.ChoiceField(choices=ChangeRecord.Op.choices)
    at = Timestamp()


class ChangeListApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        since = serializers.IntegerField(
            min_value=0, max_value=2**63 - 1, help_text="The last sequence number you have (0 for a first sync)."
        )

    @extend_schema(
        operation_id="changes_list",
        parameters=[FilterSerializer, OpenApiParameter("page_size", int)],
        responses={
            200: envelope(
                "ChangeList", ChangeOutputSerializer, last_seq=serializers.IntegerField(help_text="Resume from here: ?since=<last_seq>.")
            ),
            **ERRORS(400, 401, 410),
        },
        tags=["changes"],
    )
    def get(self, request: AuthedRequest) -> Response:
        """Every change after `since` to what you can see, in sequence order. Deletions stay as
        tombstones; gaining or losing a project sends upserts or deletes for it and its rows.
        Follow `next` until it is null, then poll again with `?since=<last_seq>`. 410: your
        position is older than retention; sync in full from since=0."""
        since = validated(self.FilterSerializer, request.query_params)["since"]
        size = page_size_from(request)
        page = selectors.changes_for_user(user=request.user, since=since, limit=size)
        next_url = None
        if page.more:
            next_url = request.build_absolute_uri(request.path) + "?" + urlencode({"since": page.last_seq, "page_size": size})
        return Response(
            {
                "next": next_url,
                "previous": None,
                "last_seq": page.last_seq,
                "results": ChangeOutputSerializer(page.rows, many=True).data,
            }
        )
