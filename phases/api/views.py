"""API of the phases app: the five phases of a project, checklist items, artifacts and their
review actions."""

from __future__ import annotations

from abc import ABC, abstractmethod
from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from lifecycle import selectors as lifecycle_selectors
from lifecycle.api.base import ApiView, StrictSerializer, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.idempotency import idempotent
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.api.serializers import UserRefSerializer
from lifecycle.models import Phase, PhaseKey
from lifecycle.permissions import Action
from phases import selectors, services
from phases.artifacts.types import ARTIFACT_TYPES
from phases.models import Artifact, ArtifactStatus, ChecklistItem

PAGE = [OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)]


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    required = serializers.IntegerField()
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
    def get(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        page = paginate(request, project.phases.all(), ("order", "id"), "order")
        progress = selectors.phase_progress(project=project)
        return page.response(PhaseOutputSerializer(page.rows, many=True, context={"progress": progress}).data)


class ChecklistItemOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id")
    phase = serializers.ChoiceField(source="phase.key", choices=PhaseKey.choices)
    key = serializers.CharField()
    title = serializers.CharField()
    guidance = serializers.CharField()
    required = serializers.BooleanField()
    weight = serializers.IntegerField()
    refs = serializers.ListField(child=serializers.CharField())
    source = serializers.ChoiceField(choices=ChecklistItem.Source.choices)
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
    def get(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        filters = validated(self.FilterSerializer, request.query_params)
        items = selectors.checklist_list_for_project(project=project, phase_key=filters.get("phase"))
        page = paginate(request, items, ("phase__order", "order", "id"), "phase")
        return page.response(ChecklistItemOutputSerializer(page.rows, many=True).data)


class ChecklistItemDetailApi(ApiView):
    class InputSerializer(StrictSerializer):
        done = serializers.BooleanField(required=False)
        note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
        evidence_links = serializers.ListField(child=serializers.CharField(max_length=500), required=False, max_length=20)

    @extend_schema(
        operation_id="checklist_items_retrieve", responses={200: ChecklistItemOutputSerializer, **ERRORS(401, 404)}, tags=["checklist"]
    )
    def get(self, request: Request, id: UUID) -> Response:
        item = selectors.checklist_item_get_for_user(user=request.user, id=id)
        return with_etag(request, Response(ChecklistItemOutputSerializer(item).data))

    @extend_schema(
        operation_id="checklist_items_partial_update",
        request=InputSerializer,
        responses={200: ChecklistItemOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 412, 428, 429)},
        tags=["checklist"],
    )
    def patch(self, request: Request, id: UUID) -> Response:
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


@extend_schema_field(OpenApiTypes.OBJECT)
class ArtifactDataField(serializers.JSONField):
    """The artifact's structured fields; their names and types depend on `type` (see the
    artifact type list in the README's API section)."""


class VersionRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ArtifactStatus.choices)
    created_at = Timestamp()


class ArtifactOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id")
    phase = serializers.ChoiceField(source="phase.key", choices=PhaseKey.choices)
    type = serializers.ChoiceField(choices=[(k, t.label) for k, t in ARTIFACT_TYPES.items()])
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=ArtifactStatus.choices)
    owner = UserRefSerializer()
    version = serializers.IntegerField(source="latest_version.number")
    approved_version = serializers.IntegerField(source="approved_version.number", allow_null=True, default=None)
    data = ArtifactDataField(source="latest_version.data")
    computed = ArtifactDataField(source="latest_version.computed")
    created_at = Timestamp()
    updated_at = Timestamp()


def _artifact(artifact: Artifact) -> dict:
    return ArtifactOutputSerializer(artifact).data


class ProjectArtifactListApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=list(ARTIFACT_TYPES), required=False)
        status = serializers.ChoiceField(choices=ArtifactStatus.choices, required=False)
        phase = serializers.ChoiceField(choices=PhaseKey.choices, required=False)

    class InputSerializer(StrictSerializer):
        type = serializers.ChoiceField(choices=list(ARTIFACT_TYPES))
        title = serializers.CharField(max_length=200)
        data = serializers.JSONField()

    @extend_schema(
        operation_id="project_artifacts_list",
        parameters=[FilterSerializer, *PAGE],
        responses={200: envelope("ArtifactList", ArtifactOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["artifacts"],
    )
    def get(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        filters = validated(self.FilterSerializer, request.query_params)
        artifacts = selectors.artifact_list_for_project(project=project, **filters)
        page = paginate(request, artifacts, ("created_at", "id"), "created_at")
        return page.response([_artifact(a) for a in page.rows])

    @extend_schema(
        operation_id="project_artifacts_create",
        request=InputSerializer,
        responses={201: ArtifactOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 422, 429)},
        tags=["artifacts"],
    )
    @idempotent
    def post(self, request: Request, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
        data = validated(self.InputSerializer, request.data)
        artifact = services.artifact_create(project=project, actor=request.user, **data)
        artifact = selectors.artifact_get_for_user(user=request.user, id=artifact.pk)
        return Response(_artifact(artifact), status=201, headers={"Location": f"/api/v1/artifacts/{artifact.pk}/"})


class ArtifactDetailApi(ApiView):
    class InputSerializer(StrictSerializer):
        title = serializers.CharField(max_length=200, required=False)
        data = serializers.JSONField(required=False)

    @extend_schema(operation_id="artifacts_retrieve", responses={200: ArtifactOutputSerializer, **ERRORS(401, 404)}, tags=["artifacts"])
    def get(self, request: Request, id: UUID) -> Response:
        return with_etag(request, Response(_artifact(selectors.artifact_get_for_user(user=request.user, id=id))))

    @extend_schema(
        operation_id="artifacts_partial_update",
        description="Saves a new version (editing an approved artifact leaves the approved version intact).",
        request=InputSerializer,
        responses={200: ArtifactOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 412, 428, 429)},
        tags=["artifacts"],
    )
    def patch(self, request: Request, id: UUID) -> Response:
        artifact = selectors.artifact_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
        data = validated(self.InputSerializer, request.data)
        if_match(
            request,
            lock=artifact,
            current=lambda: _artifact(selectors.artifact_get_for_user(user=request.user, id=id)),
            write=lambda: services.artifact_update(artifact=artifact, actor=request.user, title=data.get("title"), data=data.get("data")),
        )
        return with_etag(request, Response(_artifact(selectors.artifact_get_for_user(user=request.user, id=id))))


class CommentInputSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class _ArtifactActionApi(ApiView, ABC):
    action = Action.CONTRIBUTE

    @abstractmethod
    def run(self, request: Request, artifact: Artifact, data: dict) -> None:
        """Call the one service of this action."""

    @idempotent
    def post(self, request: Request, id: UUID) -> Response:
        artifact = selectors.artifact_get_for_user(user=request.user, id=id, action=self.action)
        data = validated(CommentInputSerializer, request.data if request.data else {})
        self.run(request, artifact, data)
        return Response(_artifact(selectors.artifact_get_for_user(user=request.user, id=id)))


_ACTION_ERRORS = ERRORS(400, 401, 403, 404, 409, 422, 429)


class ArtifactSubmitApi(_ArtifactActionApi):
    @extend_schema(
        operation_id="artifacts_submit", request=None, responses={200: ArtifactOutputSerializer, **_ACTION_ERRORS}, tags=["artifacts"]
    )
    def post(self, request: Request, id: UUID) -> Response:
        return super().post(request, id)

    def run(self, request: Request, artifact: Artifact, data: dict) -> None:
        services.artifact_submit(artifact=artifact, actor=request.user)


class ArtifactApproveApi(_ArtifactActionApi):
    action = Action.APPROVE

    @extend_schema(
        operation_id="artifacts_approve",
        request=CommentInputSerializer,
        responses={200: ArtifactOutputSerializer, **_ACTION_ERRORS},
        tags=["artifacts"],
    )
    def post(self, request: Request, id: UUID) -> Response:
        return super().post(request, id)

    def run(self, request: Request, artifact: Artifact, data: dict) -> None:
        services.artifact_approve(artifact=artifact, actor=request.user, comment=data["comment"])


class ArtifactSendBackApi(_ArtifactActionApi):
    action = Action.APPROVE

    @extend_schema(
        operation_id="artifacts_send_back",
        request=CommentInputSerializer,
        responses={200: ArtifactOutputSerializer, **_ACTION_ERRORS},
        tags=["artifacts"],
    )
    def post(self, request: Request, id: UUID) -> Response:
        return super().post(request, id)

    def run(self, request: Request, artifact: Artifact, data: dict) -> None:
        services.artifact_send_back(artifact=artifact, actor=request.user, comment=data["comment"])
