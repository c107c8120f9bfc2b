"""API of the lifecycle core: tokens, projects, members."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from lifecycle import selectors, services
from lifecycle.api.base import ApiView, StrictSerializer, TokenCreateThrottle, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.fields import NullableObject, Timestamp
from lifecycle.api.idempotency import idempotent
from lifecycle.api.pagination import page_size_from, paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.api.serializers import (
    MembershipOutputSerializer,
    ProjectOutputSerializer,
    UseCaseSerializer,
    UserRefSerializer,
    project_representation,
)
from lifecycle.exceptions import ApplicationError
from lifecycle.infrastructure import page_cache
from lifecycle.models import ChangeRecord, Job, LifecycleTemplate, PhaseKey, Project, Role
from lifecycle.permissions import Action
from lifecycle.services import login_guard, tokens


class TokenCreateApi(ApiView):
    """Exchange a username and password for a new named API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenCreateThrottle]

    class InputSerializer(StrictSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, style={"input_type": "password"})
        name = serializers.CharField(max_length=100, required=False, default="api")
        expires_in_days = serializers.IntegerField(
            min_value=1,
            max_value=tokens.MAX_LIFETIME_DAYS,
            allow_null=True,
            required=False,
            default=tokens.DEFAULT_LIFETIME_DAYS,
            help_text=f"Days until the token stops working (default {tokens.DEFAULT_LIFETIME_DAYS}); null: it never expires.",
        )

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="The secret, shown this once.")
        name = serializers.CharField()
        id = serializers.UUIDField(help_text="The token's id under /api/v1/tokens/.")
        expires_at = Timestamp(allow_null=True)

    def get_authenticate_header(self, request: Request) -> str:
        # A wrong password is 401 (not 403), which needs a WWW-Authenticate challenge.
        return "Token"

    @extend_schema(
        operation_id="auth_token_create",
        request=InputSerializer,
        responses={200: OutputSerializer, **ERRORS(400, 401, 429)},
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        # The same brute-force guard as the login form: a wrong password counts against the username
        # and the address, and while they are paused the password is not checked.
        try:
            attempt = login_guard.attempt_begin(username=data["username"], address=login_guard.client_address(request))
        except login_guard.LoginLocked as locked:
            raise Throttled(wait=locked.retry_after, detail=locked.message) from None
        token, raw = services.token_create_with_password(
            username=data["username"], password=data["password"], name=data["name"], expires_in_days=data["expires_in_days"]
        )
        login_guard.attempt_succeeded(attempt)
        return Response(self.OutputSerializer({"token": raw, "name": token.name, "id": token.pk, "expires_at": token.expires_at}).data)


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
        description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
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
    def get(self, request: Request) -> Response:
        filters = validated(self.FilterSerializer, request.query_params)
        return Response(page_cache.cached_data(request, "projects_list", lambda: self._page(request, filters)))

    @staticmethod
    def _page(request: Request, filters: dict) -> dict:
        queryset = selectors.project_list_for_user(
            user=request.user,
            filters=selectors.ProjectFilters(
                search=filters.get("search", ""),
                phase=filters.get("phase", ""),
                status=filters.get("status", ""),
                tag=filters.get("tag", ""),
            ),
            annotate=False,
            prefetch=False,
        )
        if "updated_since" in filters:
            queryset = queryset.filter(updated_at__gte=filters["updated_since"])
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
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        template = None
        if "template" in data:
            template = LifecycleTemplate.objects.filter(pk=data["template"]).first()
            if template is None:
                raise serializers.ValidationError({"template": ["No template has this id."]})
        use_case = data.get("use_case", {})
        project = services.project_create(
            actor=request.user,
            name=data["name"],
            description=data["description"],
            use_case_problem=use_case.get("use_case_problem", ""),
            use_case_users=use_case.get("use_case_users", ""),
            use_case_expectations=use_case.get("use_case_expectations", ""),
            tags=data["tags"],
            template=template,
            start_date=data.get("start_date"),
        )
        body = _project_out(_reload(request.user, project.pk))
        return Response(body, status=201, headers={"Location": f"/api/v1/projects/{project.pk}/"})


class ProjectDetailApi(ApiView):
    class InputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        use_case = UseCaseSerializer(required=False)
        tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
        start_date = serializers.DateField(required=False)

    @extend_schema(operation_id="projects_retrieve", responses={200: ProjectOutputSerializer, **ERRORS(401, 404)}, tags=["projects"])
    def get(self, request: Request, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id)
        return with_etag(request, Response(_project_out(_reload(request.user, project.pk))))

    @extend_schema(
        operation_id="projects_partial_update",
        request=InputSerializer,
        responses={200: ProjectOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 412, 428)},
        tags=["projects"],
    )
    def patch(self, request: Request, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id, action=Action.MANAGE)
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
    def delete(self, request: Request, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id, action=Action.MANAGE)
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
    def post(self, request: Request, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id, action=Action.MANAGE)
        services.project_resume(project=project, actor=request.user)
        return Response(_project_out(_reload(request.user, project.pk)))


class MemberListApi(ApiView):
    class InputSerializer(StrictSerializer):
        user = serializers.CharField(max_length=254, help_text="Username or e-mail of an existing user.")
        role = serializers.ChoiceField(choices=Role.choices)
        functions = serializers.ListField(child=serializers.CharField(max_length=50), required=False, default=list, max_length=20)

    @extend_schema(
        operation_id="members_list",
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: envelope("MemberList", MembershipOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["members"],
    )
    def get(self, request: Request, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id)
        queryset = project.memberships.select_related("user").prefetch_related("functions")
        page = paginate(request, queryset, ("created_at", "id"), "created_at")
        return page.response([MembershipOutputSerializer(m).data for m in page.rows])

    @extend_schema(
        operation_id="members_create",
        request=InputSerializer,
        responses={201: MembershipOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 422)},
        tags=["members"],
    )
    @idempotent
    def post(self, request: Request, id: UUID) -> Response:
        project = selectors.project_get_for_user(user=request.user, id=id, action=Action.MANAGE)
        data = validated(self.InputSerializer, request.data)
        membership = services.membership_add(project=project, actor=request.user, **data)
        return Response(MembershipOutputSerializer(membership).data, status=201, headers={"Location": f"/api/v1/members/{membership.pk}/"})


class MemberDetailApi(ApiView):
    class InputSerializer(StrictSerializer):
        role = serializers.ChoiceField(choices=Role.choices, required=False)
        functions = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=20)

    @extend_schema(operation_id="members_retrieve", responses={200: MembershipOutputSerializer, **ERRORS(401, 404)}, tags=["members"])
    def get(self, request: Request, id: UUID) -> Response:
        membership = selectors.membership_get_for_user(user=request.user, id=id)
        return with_etag(request, Response(MembershipOutputSerializer(membership).data))

    @extend_schema(
        operation_id="members_partial_update",
        request=InputSerializer,
        responses={200: MembershipOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 412, 428)},
        tags=["members"],
    )
    def patch(self, request: Request, id: UUID) -> Response:
        membership = selectors.membership_get_for_user(user=request.user, id=id, action=Action.MANAGE)
        data = validated(self.InputSerializer, request.data)
        membership = if_match(
            request,
            lock=membership,
            current=lambda: _membership_out(request, id),
            write=lambda: services.membership_update(
                membership=membership, actor=request.user, role=data.get("role", membership.role), functions=data.get("functions")
            ),
        )
        return with_etag(request, Response(MembershipOutputSerializer(membership).data))

    @extend_schema(operation_id="members_destroy", responses={204: None, **ERRORS(401, 403, 404, 409, 412, 428)}, tags=["members"])
    def delete(self, request: Request, id: UUID) -> Response:
        membership = selectors.membership_get_for_user(user=request.user, id=id, action=Action.MANAGE)
        if_match(
            request,
            lock=membership,
            current=lambda: _membership_out(request, id),
            write=lambda: services.membership_remove(membership=membership, actor=request.user),
        )
        return Response(status=204)


def _membership_out(request: Request, id: UUID) -> dict:
    return MembershipOutputSerializer(selectors.membership_get_for_user(user=request.user, id=id)).data


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
    def get(self, request: Request, id: UUID) -> Response:
        job = selectors.job_get_for_user(user=request.user, id=id)
        if job is None:
            from django.http import Http404

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


class InboxItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    project = serializers.CharField(source="project_name")
    url = serializers.CharField()
    since = Timestamp()
    detail = serializers.CharField()


class InboxApi(ApiView):
    @extend_schema(operation_id="inbox_list", responses={200: envelope("Inbox", InboxItemSerializer), **ERRORS(401)}, tags=["inbox"])
    def get(self, request: Request) -> Response:
        """What waits for the caller's decision: reviews, sign-offs, artifact reviews, feedback."""
        items = selectors.inbox_items(user=request.user)
        return Response({"next": None, "previous": None, "results": InboxItemSerializer(items, many=True).data})


class TemplateOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    key = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    is_default = serializers.BooleanField()
    created_at = Timestamp()


class TemplateListApi(ApiView):
    @extend_schema(
        operation_id="templates_list",
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: envelope("TemplateList", TemplateOutputSerializer), **ERRORS(400, 401)},
        tags=["templates"],
    )
    def get(self, request: Request) -> Response:
        page = paginate(request, LifecycleTemplate.objects.all(), ("key", "version", "id"), "key")
        return page.response(TemplateOutputSerializer(page.rows, many=True).data)


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
    def get(self, request: Request) -> Response:
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
        return page.response(AuditEventOutputSerializer(page.rows, many=True).data)


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
    def get(self, request: Request) -> Response:
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
