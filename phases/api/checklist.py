"""API of the phases of a project and their checklists: the five phases with their progress, the
checklist items, and ticking an item."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from lifecycle import selectors as lifecycle_selectors
from lifecycle.api.base import ApiView, AuthedRequest, StrictSerializer, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.api.serializers import UserRefSerializer
from lifecycle.models import Phase, PhaseKey
from lifecycle.permissions import Action
from phases import selectors, services
from phases.limits import CHECKLIST_NOTE_MAX_LENGTH
from phases.models import ChecklistItem

PAGE = [OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)]


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    required = serializers.IntegerField()  # type: ignore[assignment]  # a declared field, moved off the class
    required_done = serializers.IntegerField()
    percent = serializers.IntegerField()


class PhaseOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    key = serializers.ChoiceField(choices=PhaseKey.choices)
    name = serializers.CharField()
    order = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Phase.Status.choices)
    planned_start = serializers.DateField(allow_null=True)
    planned_end = serializers.DateField(allow_null=True)
    actual_start = serializers.DateField(allow_null=True)
    actual_end = serializers.DateField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    checklist = serializers.SerializerMethodField()

    def get_overdue(self, phase: Phase) -> bool:
        return phase.is_overdue()

    @extend_schema_field(ProgressSerializer)
    def get_checklist(self, phase: Phase) -> dict:
        empty = {"done": 0, "total": 0, "required": 0, "required_done": 0, "percent": 0}
        return self.context.get("progress", {}).get(phase.pk, empty)


class ProjectPhaseListApi(ApiView):
    @extend_schema(
        operation_id="project_phases_list",
        parameters=PAGE,
        responses={200: envelope("PhaseList", PhaseOutputSerializer), **ERRORS(401, 404)},
        tags=["phases"],
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        page = paginate(request, project.phases.all(), ("order", "id"), "order")
        progress = selectors.phase_progress(project=project)
        return page.response(list(PhaseOutputSerializer(page.rows, many=True, context={"progress": progress}).data))


class ChecklistItemOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id")
    phase = serializers.ChoiceField(source="phase.key", choices=PhaseKey.choices)
    key = serializers.CharField()
    title = serializers.CharField()
    guidance = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # a declared field, moved off the class
    weight = serializers.IntegerField()
    refs = serializers.ListField(child=serializers.CharField())
    source = serializers.ChoiceField(choices=ChecklistItem.Source.choices)  # type: ignore[assignment]  # as `required`
    # The phase an obligation was due in, when it arrived after that phase had passed ("" otherwise).
    carried_from = serializers.CharField()
    done = serializers.BooleanField()
    done_by = UserRefSerializer(allow_null=True)
    done_at = Timestamp(allow_null=True)
    note = serializers.CharField()
    evidence_links = serializers.ListField(child=serializers.URLField())
    updated_at = Timestamp()


class ProjectChecklistItemListApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        phase = serializers.ChoiceField(choices=PhaseKey.choices, required=False)

    @extend_schema(
        operation_id="project_checklist_items_list",
        parameters=[FilterSerializer, *PAGE],
        responses={200: envelope("ChecklistItemList", ChecklistItemOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["checklist"],
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        filters = validated(self.FilterSerializer, request.query_params)
        items = selectors.checklist_list_for_project(project=project, phase_key=filters.get("phase"))
        page = paginate(request, items, ("phase__order", "order", "id"), "phase")
        return page.response(list(ChecklistItemOutputSerializer(page.rows, many=True).data))


class ChecklistItemDetailApi(ApiView):
    class InputSerializer(StrictSerializer):
        done = serializers.BooleanField(required=False)
        note = serializers.CharField(required=False, allow_blank=True, max_length=CHECKLIST_NOTE_MAX_LENGTH)
        evidence_links = serializers.ListField(child=serializers.CharField(max_length=500), required=False, max_length=20)

    @extend_schema(
        operation_id="checklist_items_retrieve", responses={200: ChecklistItemOutputSerializer, **ERRORS(401, 404)}, tags=["checklist"]
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        item = selectors.checklist_item_get_for_user(user=request.user, id=id)
        return with_etag(request, Response(ChecklistItemOutputSerializer(item).data))

    @extend_schema(
        operation_id="checklist_items_partial_update",
        request=InputSerializer,
        responses={200: ChecklistItemOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 412, 428, 429)},
        tags=["checklist"],
    )
    def patch(self, request: AuthedRequest, id: UUID) -> Response:
        item = selectors.checklist_item_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
        current = lambda: ChecklistItemOutputSerializer(selectors.checklist_item_get_for_user(user=request.user, id=id)).data  # noqa: E731
        data = validated(self.InputSerializer, request.data)
        item = if_match(
            request,
            lock=item,
            current=current,
            write=lambda: services.checklist_item_set_done(
                item=item,
                actor=request.user,
                done=data.get("done", item.done),
                note=data.get("note"),
                evidence_links=data.get("evidence_links"),
            ),
        )
        item = selectors.checklist_item_get_for_user(user=request.user, id=item.pk)
        return with_etag(request, Response(ChecklistItemOutputSerializer(item).data))
