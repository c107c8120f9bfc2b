"""API of webhooks: endpoints per project (owners) and global ones (administrators), their
delivery logs, secret rotation and resending."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from governance import services
from governance.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from governance.selectors import webhooks as selectors
from lifecycle import selectors as lifecycle_selectors
from lifecycle.api.base import ApiView, AuthedRequest, StrictSerializer, validated
from lifecycle.api.conditional import if_match, with_etag
from lifecycle.api.fields import Timestamp
from lifecycle.api.idempotency import idempotent
from lifecycle.api.pagination import paginate
from lifecycle.api.schema import ERRORS, envelope
from lifecycle.permissions import Action

PAGE = [OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)]


class WebhookOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id", allow_null=True, help_text="null for a global webhook")
    url = serializers.URLField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))
    status = serializers.ChoiceField(choices=WebhookEndpoint.Status.choices)
    failed_deliveries = serializers.IntegerField(help_text="Deliveries in a row that failed every attempt")
    disabled_reason = serializers.CharField()
    secret_hint = serializers.CharField(help_text="The start and end of the signing secret")
    secret_rotated_at = Timestamp(allow_null=True)
    created_at = Timestamp()
    updated_at = Timestamp()


class WebhookWithSecretSerializer(WebhookOutputSerializer):
    secret = serializers.CharField(help_text="Shown only when created or rotated: keep it to verify X-Lifecycle-Signature.")


class WebhookInputSerializer(StrictSerializer):
    url = serializers.CharField(max_length=500, help_text="https:// URL of your receiver")
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=20)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WebhookPatchSerializer(StrictSerializer):
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=20, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False, help_text="false turns the webhook off; true turns it back on")


class AttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    started_at = Timestamp()
    duration_ms = serializers.IntegerField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    response_excerpt = serializers.CharField()


class DeliveryOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The X-Lifecycle-Delivery header")
    webhook = serializers.UUIDField(source="endpoint_id")
    event = serializers.ChoiceField(choices=WebhookEvent.choices)
    event_id = serializers.UUIDField(help_text="The body's id: the same for a resent delivery")
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = Timestamp(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    resent_from = serializers.UUIDField(source="resent_from_id", allow_null=True)
    created_at = Timestamp()
    finished_at = Timestamp(allow_null=True)
    attempt_log = AttemptSerializer(many=True)


def _out(endpoint: WebhookEndpoint, *, secret: bool = False) -> dict:
    return (WebhookWithSecretSerializer if secret else WebhookOutputSerializer)(endpoint).data


def _delivery_out(delivery: WebhookDelivery) -> dict:
    data = DeliveryOutputSerializer(delivery).data
    if delivery.status != WebhookDelivery.Status.PENDING:
        data["next_attempt_at"] = None
    return data


class ProjectWebhookListApi(ApiView):
    @extend_schema(
        operation_id="project_webhooks_list",
        parameters=PAGE,
        responses={200: envelope("WebhookList", WebhookOutputSerializer), **ERRORS(400, 401, 403, 404)},
        tags=["webhooks"],
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        """The project's webhooks (owners and administrators)."""
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id, action=Action.MANAGE)
        page = paginate(request, selectors.webhook_list_for_project(project=project), ("created_at", "id"), "created_at")
        return page.response([_out(e) for e in page.rows])

    @extend_schema(
        operation_id="project_webhooks_create",
        request=WebhookInputSerializer,
        responses={201: WebhookWithSecretSerializer, **ERRORS(400, 401, 403, 404, 409, 422, 429)},
        tags=["webhooks"],
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        """Register an endpoint. The response carries the signing secret, this once."""
        project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
        endpoint = services.webhook_create(actor=request.user, project=project, **validated(WebhookInputSerializer, request.data))
        return Response(_out(endpoint, secret=True), status=201, headers={"Location": f"/api/v1/webhooks/{endpoint.pk}/"})


class GlobalWebhookListApi(ApiView):
    @extend_schema(
        operation_id="webhooks_list",
        parameters=PAGE,
        responses={200: envelope("GlobalWebhookList", WebhookOutputSerializer), **ERRORS(400, 401, 403)},
        tags=["webhooks"],
    )
    def get(self, request: AuthedRequest) -> Response:
        """Global webhooks, which hear about every project (administrators)."""
        page = paginate(request, selectors.webhook_list_global(user=request.user), ("created_at", "id"), "created_at")
        return page.response([_out(e) for e in page.rows])

    @extend_schema(
        operation_id="webhooks_create",
        request=WebhookInputSerializer,
        responses={201: WebhookWithSecretSerializer, **ERRORS(400, 401, 403, 409, 422, 429)},
        tags=["webhooks"],
    )
    @idempotent
    def post(self, request: AuthedRequest) -> Response:
        selectors.webhook_list_global(user=request.user)  # 403 for non-administrators, before the body is read
        endpoint = services.webhook_create(actor=request.user, project=None, **validated(WebhookInputSerializer, request.data))
        return Response(_out(endpoint, secret=True), status=201, headers={"Location": f"/api/v1/webhooks/{endpoint.pk}/"})


class WebhookDetailApi(ApiView):
    @extend_schema(operation_id="webhooks_retrieve", responses={200: WebhookOutputSerializer, **ERRORS(401, 403, 404)}, tags=["webhooks"])
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        return with_etag(request, Response(_out(selectors.webhook_get_for_user(user=request.user, id=id))))

    @extend_schema(
        operation_id="webhooks_partial_update",
        request=WebhookPatchSerializer,
        responses={200: WebhookOutputSerializer, **ERRORS(400, 401, 403, 404, 409, 412, 428, 429)},
        tags=["webhooks"],
    )
    def patch(self, request: AuthedRequest, id: UUID) -> Response:
        endpoint = selectors.webhook_get_for_user(user=request.user, id=id)
        fields = validated(WebhookPatchSerializer, request.data)
        if_match(
            request,
            lock=endpoint,
            current=lambda: _out(selectors.webhook_get_for_user(user=request.user, id=id)),
            write=lambda: services.webhook_update(endpoint=endpoint, actor=request.user, **fields),
        )
        return with_etag(request, Response(_out(selectors.webhook_get_for_user(user=request.user, id=id))))

    @extend_schema(operation_id="webhooks_destroy", responses={204: None, **ERRORS(401, 403, 404, 412, 428, 429)}, tags=["webhooks"])
    def delete(self, request: AuthedRequest, id: UUID) -> Response:
        endpoint = selectors.webhook_get_for_user(user=request.user, id=id)
        if_match(
            request,
            lock=endpoint,
            current=lambda: _out(selectors.webhook_get_for_user(user=request.user, id=id)),
            write=lambda: services.webhook_delete(endpoint=endpoint, actor=request.user),
        )
        return Response(status=204)


class WebhookRotateSecretApi(ApiView):
    @extend_schema(
        operation_id="webhooks_rotate_secret",
        request=None,
        responses={200: WebhookWithSecretSerializer, **ERRORS(401, 403, 404, 422, 429)},
        tags=["webhooks"],
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        """A new signing secret, effective at once (retries too); the response shows it this once."""
        endpoint = selectors.webhook_get_for_user(user=request.user, id=id)
        return Response(_out(services.webhook_rotate_secret(endpoint=endpoint, actor=request.user), secret=True))


class WebhookDeliveryListApi(ApiView):
    @extend_schema(
        operation_id="webhook_deliveries_list",
        parameters=PAGE,
        responses={200: envelope("DeliveryList", DeliveryOutputSerializer), **ERRORS(400, 401, 403, 404)},
        tags=["webhooks"],
    )
    def get(self, request: AuthedRequest, id: UUID) -> Response:
        """The delivery log, newest first, with every attempt's response code."""
        endpoint = selectors.webhook_get_for_user(user=request.user, id=id)
        page = paginate(request, selectors.delivery_list(endpoint=endpoint), ("-created_at", "-id"), "-created_at")
        return page.response([_delivery_out(d) for d in page.rows])


class DeliveryResendApi(ApiView):
    @extend_schema(
        operation_id="webhook_deliveries_resend",
        request=None,
        responses={201: DeliveryOutputSerializer, **ERRORS(401, 403, 404, 409, 422, 429)},
        tags=["webhooks"],
    )
    @idempotent
    def post(self, request: AuthedRequest, id: UUID) -> Response:
        """Send the same event again as a new delivery."""
        delivery = selectors.delivery_get_for_user(user=request.user, id=id)
        copy = services.webhook_resend(delivery=delivery, actor=request.user)
        return Response(_delivery_out(selectors.delivery_get_for_user(user=request.user, id=copy.pk)), status=201)
