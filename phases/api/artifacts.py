"""API of artifacts: a project's artifacts, creating and editing one, and its review actions
(submit, approve, send back)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from lifecycle import selectors as lifecycle_selectors
from lifecycle.api.base import ApiView, AuthedRequest, StrictSerializer, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.idempotency import idempotent
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.api.serializers import UserRefSerializer
from lifecycle.models import PhaseKey
from lifecycle.permissions import Action
from phases import selectors, services
from phases.artifacts.types import ARTIFACT_TYPES
from phases.limits import DECISION_COMMENT_MAX_LENGTH
from phases.models import Artifact, ArtifactStatus

PAGE = [OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)]


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
    data = ArtifactDataField(source="latest_version.data")  # type: ignore[assignment]  # a declared field, moved off the class
    computed = ArtifactDataField(source="latest_version.computed")
    created_at = Timestamp()
    updated_at = Timestamp()


def _artifact(artifact: Artifact) -> dict:
    # Typed as a plain Serializer: the class's declared `data` field would hide Serializer.data.
    serializer: serializers.Serializer = ArtifactOutputSerializer(artifact)
    return serializer.data


class ProjectArtifactListApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=list(ARTIFACT_TYPES), required=False)
        status = serializers.ChoiceField(choices=ArtifactStatus.choices, required=False)
        phase = serializers.ChoiceField(choices=PhaseKey.choices, required=False)

    class InputSerializer(StrictSerializer):
        type = serializers.ChoiceField(choices=list(ARTIFACT_TYPES))
        title = serializers.CharField(max_length=200)
        data = serializers.JSONField()  # type: ignore[assignment]  # as above

    @extend_schema(
        operation_id="project_artifacts_list",
        parameters=[FilterSerializer, *PAGE],
        responses={200: envelope("ArtifactList", ArtifactOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["artifacts"],
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
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
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
        data = validated(self.InputSerializer, request.data)
        artifact = services.artifact_create(project=project, actor=request.user, **data)
        artifact = selectors.artifact_get_for_user(user=request.user, id=artifact.pk)
        return Response(_artifact(artifact), status=201, headers={"Location": f"/api/v1/artifacts/{artifact.pk}/"})


class ArtifactDetailApi(ApiView):
    class InputSerializer(StrictSerializer):
        title = serializers.CharField(max_length=200, required=False)
        data = serializers.JSONField(required=False)  # type: ignore[assignment]  # as above

    @extend_schema(operation_id="artifacts_retrieve", responses={200: ArtifactOutputSerializer, **ERRORS(401, 404)}, tags=["artifacts"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        return with_etag(request, Response(_artifact(selectors.artifact_get_for_user(user=request.user, id=id))))

    @extend_schema(
        operation_id="artifacts_partial_update",
        description="Saves a new version (editing an approved artifact leaves the approved version intact).",
        request=InputSerializer,
        responses={200: ArtifactOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 412, 428, 429)},
        tags=["artifacts"],
    )
    def patch(self, request: AuthedRequest, id: UUID) -> Response:
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
    comment = serializers.CharField(max_length=DECISION_COMMENT_MAX_LENGTH, required=False, allow_blank=True, default="")


class _ArtifactActionApi(ApiView, ABC):
    action = Action.CONTRIBUTE

    @abstractmethod
    def run(self, request: AuthedRequest, artifact: Artifact, data: dict) -> None:
        """Call the one service of this action."""

    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        artifact = selectors.artifact_get_for_user(user=request.user, id=id, action=self.action)
        data = validated(CommentInputSerializer, request.data if request.data else {})
        self.run(request, artifact, data)
        return Response(_artifact(selectors.artifact_get_for_user(user=request.user, id=id)))


_ACTION_ERRORS = ERRORS(400, 401, 403, 404, 409, 422, 429)


class ArtifactSubmitApi(_ArtifactActionApi):
    @extend_schema(
        operation_id="artifacts_submit", request=None, responses={200: ArtifactOutputSerializer, **_ACTION_ERRORS}, tags=["artifacts"]
    )
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        return super().post(request, id)

    def run(self, request: AuthedRequest, artifact: Artifact, data: dict) -> None:
        services.artifact_submit(artifact=artifact, actor=request.user)


class ArtifactApproveApi(_ArtifactActionApi):
    action = Action.APPROVE

    @extend_schema(
        operation_id="artifacts_approve",
        request=CommentInputSerializer,
        responses={200: ArtifactOutputSerializer, **_ACTION_ERRORS},
        tags=["artifacts"],
    )
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        return super().post(request, id)

    def run(self, request: AuthedRequest, artifact: Artifact, data: dict) -> None:
        services.artifact_approve(artifact=artifact, actor=request.user, comment=data["comment"])


class ArtifactSendBackApi(_ArtifactActionApi):
    action = Action.APPROVE

    @extend_schema(
        operation_id="artifacts_send_back",
        request=CommentInputSerializer,
        responses={200: ArtifactOutputSerializer, **_ACTION_ERRORS},
        tags=["artifacts"],
    )
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        return super().post(request, id)

    def run(self, request: AuthedRequest, artifact: Artifact, data: dict) -> None:
        services.artifact_send_back(artifact=artifact, actor=request.user, comment=data["comment"])
