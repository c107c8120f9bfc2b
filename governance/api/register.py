"""API of the register: sign-offs and their decisions, the incident log, and framework
coverage (as the register pages of governance.views.register)."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from governance import selectors, services
from governance.limits import COMMENT_MAX_LENGTH, REGISTER_TEXT_MAX_LENGTH
from governance.models import Classification, Incident, Signoff, Tier
from governance.models.register import MEMBER_STATES
from governance.selectors.compliance import COVERAGE_STATUSES
from governance.selectors.report import framework_coverage_data
from lifecycle import selectors as lifecycle_selectors
from lifecycle.api.base import ApiView, AuthedRequest, StrictSerializer, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.idempotency import idempotent
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.api.serializers import UserRefSerializer
from lifecycle.models import PhaseKey, Project

PAGE = [OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)]
WRITE_ERRORS = ERRORS(400, 401, 403, 404, 409, 412, 428, 429)
ACTION_ERRORS = ERRORS(400, 401, 403, 404, 409, 422, 429)


# --- Sign-offs ----------------------------------------------------------------------------------


@extend_schema_field(
    inline_serializer(
        "EvidenceItem",
        {"type": serializers.CharField(), "id": serializers.CharField(required=False), "url": serializers.CharField(required=False)},
        many=True,
    )
)
class EvidenceField(serializers.JSONField):
    pass


class SignoffOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id")
    phase = serializers.ChoiceField(source="phase.key", choices=PhaseKey.choices)
    kind = serializers.CharField()
    title = serializers.CharField()
    function = serializers.CharField(source="function_id")
    status = serializers.ChoiceField(choices=Signoff.Status.choices)
    decided_by = UserRefSerializer(allow_null=True)
    decided_at = Timestamp(allow_null=True)
    comment = serializers.CharField()
    evidence = EvidenceField()
    refs = serializers.ListField(child=serializers.CharField())
    updated_at = Timestamp()


class ProjectSignoffListApi(ApiView):
    @extend_schema(
        operation_id="project_signoffs_list",
        parameters=PAGE,
        responses={200: envelope("SignoffList", SignoffOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["signoffs"],
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        page = paginate(request, selectors.signoff_list_for_project(project=project), ("updated_at", "id"), "updated_at")
        return page.response([SignoffOutputSerializer(signoff).data for signoff in page.rows])


class SignoffDetailApi(ApiView):
    @extend_schema(operation_id="signoffs_retrieve", responses={200: SignoffOutputSerializer, **ERRORS(401, 404)}, tags=["signoffs"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        return with_etag(request, Response(SignoffOutputSerializer(selectors.signoff_get_for_user(user=request.user, id=id)).data))


class SignoffDecisionApi(ApiView):
    class InputSerializer(StrictSerializer):
        decision = serializers.ChoiceField(choices=[("approved", "Approved"), ("rejected", "Rejected")])
        comment = serializers.CharField(
            max_length=COMMENT_MAX_LENGTH,
        )
        evidence = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=20)

    @extend_schema(
        operation_id="signoffs_decide",
        request=InputSerializer,
        responses={200: SignoffOutputSerializer, **ACTION_ERRORS},
        tags=["signoffs"],
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        signoff = selectors.signoff_get_for_user(user=request.user, id=id)
        data = validated(self.InputSerializer, request.data)
        services.signoff_decide(signoff=signoff, actor=request.user, **data)
        return Response(SignoffOutputSerializer(selectors.signoff_get_for_user(user=request.user, id=id)).data)


# --- Incidents ----------------------------------------------------------------------------------


class IncidentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id")
    title = serializers.CharField()
    occurred_on = serializers.DateField()
    severity = serializers.ChoiceField(choices=Incident.Severity.choices)
    description = serializers.CharField()
    affected_users = serializers.IntegerField()
    actions = serializers.CharField()
    serious = serializers.BooleanField()
    aware_on = serializers.DateField(allow_null=True)
    harm = serializers.CharField(help_text="What makes it serious (Art. 3(49)): " + ", ".join(Incident.Harm.values) + ", or empty.")
    death = serializers.BooleanField()
    widespread = serializers.BooleanField()
    report_due_on = serializers.DateField(allow_null=True, help_text="When the report to the authority is due (Art. 73).")
    report_status = serializers.SerializerMethodField(help_text="due, overdue, or empty when not serious or reported.")
    reported_at = Timestamp(allow_null=True)
    reported_to = serializers.CharField()
    member_state = serializers.CharField()
    follow_up_at = Timestamp(allow_null=True)
    provider_informed_at = Timestamp(allow_null=True)
    created_by = UserRefSerializer(allow_null=True)
    created_at = Timestamp()
    updated_at = Timestamp()

    def get_report_status(self, incident: Incident) -> str:
        return incident.report_status()


class IncidentInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    occurred_on = serializers.DateField()
    severity = serializers.ChoiceField(choices=Incident.Severity.choices)
    description = serializers.CharField(max_length=REGISTER_TEXT_MAX_LENGTH)
    affected_users = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False, default=0)
    actions = serializers.CharField(max_length=REGISTER_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    serious = serializers.BooleanField(required=False, default=False)
    aware_on = serializers.DateField(required=False, allow_null=True, default=None)
    harm = serializers.ChoiceField(choices=Incident.Harm.choices, required=False, allow_blank=True, default="")
    death = serializers.BooleanField(required=False, default=False)
    widespread = serializers.BooleanField(required=False, default=False)
    reported_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reported_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    member_state = serializers.ChoiceField(choices=MEMBER_STATES, required=False, allow_blank=True, default="")
    follow_up_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    provider_informed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class IncidentPatchSerializer(IncidentInputSerializer):
    title = serializers.CharField(max_length=200, required=False)
    occurred_on = serializers.DateField(required=False)
    severity = serializers.ChoiceField(choices=Incident.Severity.choices, required=False)
    description = serializers.CharField(max_length=REGISTER_TEXT_MAX_LENGTH, required=False)
    affected_users = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False)
    actions = serializers.CharField(max_length=REGISTER_TEXT_MAX_LENGTH, required=False, allow_blank=True)
    serious = serializers.BooleanField(required=False)
    aware_on = serializers.DateField(required=False, allow_null=True)
    harm = serializers.ChoiceField(choices=Incident.Harm.choices, required=False, allow_blank=True)
    death = serializers.BooleanField(required=False)
    widespread = serializers.BooleanField(required=False)
    reported_at = serializers.DateTimeField(required=False, allow_null=True)
    reported_to = serializers.CharField(max_length=200, required=False, allow_blank=True)
    member_state = serializers.ChoiceField(choices=MEMBER_STATES, required=False, allow_blank=True)
    follow_up_at = serializers.DateTimeField(required=False, allow_null=True)
    provider_informed_at = serializers.DateTimeField(required=False, allow_null=True)


class ProjectIncidentListApi(ApiView):
    @extend_schema(
        operation_id="project_incidents_list",
        parameters=PAGE,
        responses={200: envelope("IncidentList", IncidentOutputSerializer), **ERRORS(400, 401, 404)},
        tags=["incidents"],
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        page = paginate(request, selectors.incident_list_for_project(project=project), ("created_at", "id"), "created_at")
        return page.response([IncidentOutputSerializer(incident).data for incident in page.rows])

    @extend_schema(
        operation_id="project_incidents_create",
        request=IncidentInputSerializer,
        responses={201: IncidentOutputSerializer, **ACTION_ERRORS},
        tags=["incidents"],
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        incident = services.incident_create(project=project, actor=request.user, **validated(IncidentInputSerializer, request.data))
        return Response(IncidentOutputSerializer(incident).data, status=201, headers={"Location": f"/api/v1/incidents/{incident.pk}/"})


class IncidentDetailApi(ApiView):
    @extend_schema(operation_id="incidents_retrieve", responses={200: IncidentOutputSerializer, **ERRORS(401, 404)}, tags=["incidents"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        return with_etag(request, Response(IncidentOutputSerializer(selectors.incident_get_for_user(user=request.user, id=id)).data))

    @extend_schema(
        operation_id="incidents_partial_update",
        request=IncidentPatchSerializer,
        responses={200: IncidentOutputSerializer, **WRITE_ERRORS},
        tags=["incidents"],
    )
    def patch(self, request: AuthedRequest, id: UUID) -> Response:
        incident = selectors.incident_get_for_user(user=request.user, id=id)
        current = lambda: IncidentOutputSerializer(selectors.incident_get_for_user(user=request.user, id=id)).data  # noqa: E731
        fields = validated(IncidentPatchSerializer, request.data)
        if_match(
            request, lock=incident, current=current, write=lambda: services.incident_update(incident=incident, actor=request.user, **fields)
        )
        return with_etag(request, Response(IncidentOutputSerializer(selectors.incident_get_for_user(user=request.user, id=id)).data))


# --- Compliance ---------------------------------------------------------------------------------


class RequirementStatusSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=COVERAGE_STATUSES)
    reason = serializers.CharField()
    evidence = serializers.ListField(
        child=inline_serializer(
            "MappedWork",
            {
                "kind": serializers.CharField(),
                "label": serializers.CharField(),
                "satisfied": serializers.BooleanField(),
                "url": serializers.CharField(),
            },
        )
    )


class FrameworkCoverageSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class; Field.source stays
    as_of = serializers.CharField()
    coverage = serializers.IntegerField()
    met = serializers.IntegerField()
    open = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    requirements = RequirementStatusSerializer(many=True)


class ProjectComplianceApi(ApiView):
    @extend_schema(
        operation_id="project_compliance_retrieve",
        responses={200: inline_serializer("Compliance", {"frameworks": FrameworkCoverageSerializer(many=True)}), **ERRORS(401, 404)},
        tags=["governance"],
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        data = framework_coverage_data(project=project, links=True)
        return with_etag(request, Response({"frameworks": FrameworkCoverageSerializer(data, many=True).data}))


# --- EU AI Act classification -------------------------------------------------------------------


class ApplicationDateSerializer(serializers.Serializer):
    key = serializers.CharField()
    date = serializers.CharField(help_text="ISO date; empty while the date is not settled.")
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, which DRF moves off the class
    status = serializers.ChoiceField(choices=["in_force", "proposed", "unsettled"])


class ObligationSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    phase = serializers.CharField()
    refs = serializers.ListField(child=serializers.CharField())
    applies_from = ApplicationDateSerializer(many=True)


class ClassificationOutputSerializer(serializers.Serializer):
    classified = serializers.BooleanField()
    tier = serializers.ChoiceField(choices=Tier.choices, allow_null=True)
    role = serializers.ChoiceField(choices=Classification.Role.choices, allow_null=True)
    model_role = serializers.ChoiceField(choices=Classification.ModelRole.choices, allow_null=True)
    rationale = serializers.ListField(child=serializers.CharField())
    answers = serializers.DictField()
    classified_by = UserRefSerializer(allow_null=True)
    classified_at = Timestamp(allow_null=True)
    obligations = ObligationSerializer(many=True)
    pending = inline_serializer(
        "PendingClassification",
        {
            "tier": serializers.ChoiceField(choices=Tier.choices),
            "role": serializers.ChoiceField(choices=Classification.Role.choices),
            "reason": serializers.CharField(),
            "requested_at": serializers.CharField(),
            "signoff": serializers.UUIDField(allow_null=True),
        },
        allow_null=True,
        help_text="A change that waits for its sign-off before it takes effect (null when none waits).",
    )


def _classification(project: Project) -> dict:
    current = Classification.objects.select_related("classified_by", "project").filter(project=project).first()
    if current is None:
        empty = dict.fromkeys(("tier", "role", "model_role", "classified_by", "classified_at"))
        return {"classified": False, **empty, "rationale": [], "answers": {}, "obligations": [], "pending": None}
    pending = None
    if current.pending:
        keys = ("tier", "role", "reason", "requested_at")
        pending = {**{k: current.pending[k] for k in keys}, "signoff": current.pending_signoff_id}
    return {
        "classified": True,
        "tier": current.tier,
        "role": current.role,
        "model_role": current.model_role,
        "rationale": current.rationale.splitlines(),
        "answers": current.answers,
        "classified_by": current.classified_by,
        "classified_at": current.classified_at,
        "obligations": [vars(o) for o in selectors.classification_obligations(classification=current)],
        "pending": pending,
    }


class ProjectClassificationApi(ApiView):
    """The project's EU AI Act classification: the questionnaire's answers, the tier and role they
    give, and the obligations that bind the project with the dates they apply from."""

    class InputSerializer(StrictSerializer):
        answers = serializers.DictField(help_text="The questionnaire's answers, keyed as in `answers` of the response.")

    @extend_schema(
        operation_id="project_classification_retrieve",
        responses={200: ClassificationOutputSerializer, **ERRORS(401, 404)},
        tags=["governance"],
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        return with_etag(request, Response(ClassificationOutputSerializer(_classification(project)).data))

    @extend_schema(
        operation_id="project_classification_update",
        request=InputSerializer,
        responses={200: ClassificationOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 429)},
        tags=["governance"],
    )
    def put(self, request: AuthedRequest, id: UUID) -> Response:
        """Answer (or change) the questionnaire; the checklist follows (as in the page)."""
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        data = validated(self.InputSerializer, request.data)
        services.classification_set(project=project, actor=request.user, answers=data["answers"])
        return Response(ClassificationOutputSerializer(_classification(project)).data)
