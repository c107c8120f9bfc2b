"""API of the caller's inbox: what waits for their decision."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lifecycle import selectors
from lifecycle.api.base import ApiView, AuthedRequest
from lifecycle.api.fields import Timestamp
from lifecycle.api.schema import ERRORS, envelope


class InboxItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    project = serializers.CharField(source="project_name")
    url = serializers.CharField()
    since = Timestamp()
    detail = serializers.CharField()


class InboxApi(ApiView):
    @extend_schema(operation_id="inbox_list", responses={200: envelope("Inbox", InboxItemSerializer), **ERRORS(401)}, tags=["inbox"])
    def get(self, request: AuthedRequest) -> Response:
        """What waits for the caller's decision: reviews, sign-offs, artifact reviews, feedback."""
        items = selectors.inbox_items(user=request.user)
        return Response({"next": None, "previous": None, "results": InboxItemSerializer(items, many=True).data})
