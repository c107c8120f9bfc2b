"""Output shapes shared by several endpoints (a project is rendered the same by its list, detail,
update and resume endpoints)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lifecycle.api.fields import Timestamp, timestamp
from lifecycle.limits import DESCRIPTION_MAX_LENGTH
from lifecycle.models import Membership, PhaseKey, Project, Role


class UserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class TemplateRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    key = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()


class UseCaseSerializer(serializers.Serializer):
    problem = serializers.CharField(source="use_case_problem", allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH, required=False)
    end_users = serializers.CharField(source="use_case_users", allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH, required=False)
    expectations = serializers.CharField(
        source="use_case_expectations", allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH, required=False
    )


class ProjectOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()
    use_case = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    template = TemplateRefSerializer()
    status = serializers.ChoiceField(choices=Project.Status.choices)
    current_phase = serializers.ChoiceField(choices=PhaseKey.choices)
    start_date = serializers.DateField()
    owners = serializers.SerializerMethodField()
    created_at = Timestamp()
    updated_at = Timestamp()

    @extend_schema_field(UseCaseSerializer)
    def get_use_case(self, project: Project) -> dict[str, str]:
        return {
            "problem": project.use_case_problem,
            "end_users": project.use_case_users,
            "expectations": project.use_case_expectations,
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, project: Project) -> list[str]:
        return sorted(t.name for t in project.tags.all())

    @extend_schema_field(UserRefSerializer(many=True))
    def get_owners(self, project: Project) -> list[dict[str, Any]]:
        memberships = getattr(project, "owner_memberships", None)
        if memberships is None:
            memberships = [m for m in project.memberships.select_related("user") if m.role == Role.OWNER]
        return [UserRefSerializer(m.user).data for m in memberships]


def project_representation(project: Project) -> dict[str, Any]:
    """What ProjectOutputSerializer renders, built directly: the project list renders up to 200 of
    these per request, and DRF's per-field machinery (a deep copy of the fields for each
    serializer) was most of that request's time. tests/api/test_api_behaviour.py proves the two
    agree."""
    owners = getattr(project, "owner_refs", None)
    if owners is None:
        memberships = getattr(project, "owner_memberships", None)
        if memberships is None:
            memberships = [m for m in project.memberships.select_related("user") if m.role == Role.OWNER]
        owners = [{"id": str(m.user.pk), "username": m.user.username, "name": m.user.display_name} for m in memberships]
    tags = getattr(project, "tag_names", None)
    if tags is None:
        tags = sorted(t.name for t in project.tags.all())
    template = project.template
    return {
        "id": str(project.pk),
        "name": project.name,
        "description": project.description,
        "use_case": {
            "problem": project.use_case_problem,
            "end_users": project.use_case_users,
            "expectations": project.use_case_expectations,
        },
        "tags": tags,
        "template": {"id": str(template.pk), "key": template.key, "version": template.version, "name": template.name},
        "status": project.status,
        "current_phase": project.current_phase,
        "start_date": project.start_date.isoformat() if project.start_date else None,
        "owners": owners,
        "created_at": timestamp(project.created_at),
        "updated_at": timestamp(project.updated_at),
    }


class MembershipOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id")
    user = UserRefSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    functions = serializers.SerializerMethodField()
    created_at = Timestamp()
    updated_at = Timestamp()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_functions(self, membership: Membership) -> list[str]:
        return sorted(f.key for f in membership.functions.all())
