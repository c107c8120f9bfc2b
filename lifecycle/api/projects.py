"""API of projects: list (filtered, cursor-paginated), create, read, edit, delete, resume.

The views load the project the caller may see (404 for outsiders); the services decide whether
the caller may change it (403)."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lifecycle import selectors, services
from lifecycle.api.base import ApiView, AuthedRequest, StrictSerializer, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.idempotency import idempotent
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.api.serializers import ProjectOutputSerializer, UseCaseSerializer, project_representation
from lifecycle.infrastructure import page_cache
from lifecycle.limits import DESCRIPTION_MAX_LENGTH
from lifecycle.models import PhaseKey, Project

PROJECT_ORDERINGS = {
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
}


def _project_out(project: Project) -> dict:
    return project_representation(project)


def _reload(user: object, project_id: UUID) -> Project:
    """The project as the detail endpoint renders it (tags and owners prefetched)."""
    return selectors.project_with_details(id=project_id)


class ProjectListApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        phase = serializers.ChoiceField(choices=PhaseKey.choices, required=False)
        status = serializers.ChoiceField(choices=Project.Status.choices, required=False)
        tag = serializers.CharField(max_length=40, required=False)
        search = serializers.CharField(max_length=200, required=False)
        updated_since = serializers.DateTimeField(required=False)
        ordering = serializers.ChoiceField(choices=list(PROJECT_ORDERINGS), required=False, default="-updated_at")

    class InputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=200)
        description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True, default="")
        use_case = UseCaseSerializer(required=False)
        tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20, default=list)
        template = serializers.UUIDField(required=False)
        start_date = serializers.DateField(required=False)

    @extend_schema(
        operation_id="projects_list",
        parameters=[FilterSerializer, OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: envelope("ProjectList", ProjectOutputSerializer), **ERRORS(400, 401)},
        tags=["projects"],
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = validated(self.FilterSerializer, request.query_params)
        return Response(page_cache.cached_data(request, "projects_list", lambda: self._page(request, filters)))

    @staticmethod
    def _page(request: AuthedRequest, filters: dict) -> dict:
        queryset = selectors.project_list_for_user(
            user=request.user,
            filters=selectors.ProjectFilters(
                search=filters.get("search", ""),
                phase=filters.get("phase", ""),
                status=filters.get("status", ""),
                tag=filters.get("tag", ""),
                updated_since=filters.get("updated_since"),
            ),
            annotate=False,
            prefetch=False,
        )
        ordering = filters["ordering"]
        page = paginate(request, queryset, PROJECT_ORDERINGS[ordering], ordering)
        return page.response([_project_out(p) for p in selectors.projects_attach_refs(page.rows)]).data

    @extend_schema(
        operation_id="projects_create",
        request=InputSerializer,
        responses={201: ProjectOutputSerializer, **ERRORS(400, 401, 422, 429)},
        tags=["projects"],
    )
    @idempotent
    def post(self, request: AuthedRequest) -> Response:
        data = validated(self.InputSerializer, request.data)
        use_case = data.get("use_case", {})
        project = services.project_create(
            actor=request.user,
            name=data["name"],
            description=data["description"],
            use_case_problem=use_case.get("use_case_problem", ""),
            use_case_users=use_case.get("use_case_users", ""),
            use_case_expectations=use_case.get("use_case_expectations", ""),
            tags=data["tags"],
            template=selectors.template_get(id=data.get("template")),
            start_date=data.get("start_date"),
        )
        body = _project_out(_reload(request.user, project.pk))
        return Response(body, status=201, headers={"Location": f"/api/v1/projects/{project.pk}/"})


class ProjectDetailApi(ApiView):
    class InputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True)
        use_case = UseCaseSerializer(required=False)
        tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
        start_date = serializers.DateField(required=False)

    @extend_schema(operation_id="projects_retrieve", responses={200: ProjectOutputSerializer, **ERRORS(401, 404)}, tags=["projects"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id)
        return with_etag(request, Response(_project_out(_reload(request.user, project.pk))))

    @extend_schema(
        operation_id="projects_partial_update",
        request=InputSerializer,
        responses={200: ProjectOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 412, 428)},
        tags=["projects"],
    )
    def patch(self, request: AuthedRequest, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id)
        data = validated(self.InputSerializer, request.data)
        fields = {k: data[k] for k in ("name", "description", "start_date") if k in data}
        fields.update(data.get("use_case", {}))
        if_match(
            request,
            lock=project,
            current=lambda: _project_out(_reload(request.user, project.pk)),
            write=lambda: services.project_update(project=project, actor=request.user, tags=data.get("tags"), **fields),
        )
        return with_etag(request, Response(_project_out(_reload(request.user, project.pk))))

    @extend_schema(operation_id="projects_destroy", responses={204: None, **ERRORS(401, 403, 404, 409, 412, 428)}, tags=["projects"])
    def delete(self, request: AuthedRequest, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id)
        if_match(
            request,
            lock=project,
            current=lambda: _project_out(_reload(request.user, project.pk)),
            write=lambda: services.project_delete(project=project, actor=request.user),
        )
        return Response(status=204)


class ProjectResumeApi(ApiView):
    @extend_schema(
        operation_id="projects_resume",
        request=None,
        responses={200: ProjectOutputSerializer, **ERRORS(401, 403, 404, 409, 422)},
        tags=["projects"],
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id)
        services.project_resume(project=project, actor=request.user)
        return Response(_project_out(_reload(request.user, project.pk)))
