"""Reads of webhooks and their delivery logs: owners of the project (and administrators) only,
since endpoints name internal systems; global endpoints are for administrators."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from governance.models import WebhookDelivery, WebhookEndpoint
from lifecycle import selectors as lifecycle_selectors
from lifecycle.models import Project, User
from lifecycle.permissions import Action


def webhook_list_for_project(*, project: Project) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(project=project).order_by("created_at", "id")


def webhook_list_global(*, user: User) -> QuerySet[WebhookEndpoint]:
    if not user.is_superuser:
        raise PermissionDenied("Only administrators manage global webhooks.")
    return WebhookEndpoint.objects.filter(project=None).order_by("created_at", "id")


def _check(user: User, endpoint: WebhookEndpoint) -> None:
    if endpoint.project is None:
        if not user.is_superuser:
            raise Http404("No such webhook.")
        return
    lifecycle_selectors.project_access_check(user=user, project=endpoint.project, action=Action.MANAGE)


def webhook_get_for_user(*, user: User, id: UUID | str) -> WebhookEndpoint:
    """404 when the caller cannot see the project (or a global webhook), 403 unless an owner."""
    endpoint = WebhookEndpoint.objects.select_related("project").filter(pk=id).first()
    if endpoint is None:
        raise Http404("No such webhook.")
    _check(user, endpoint)
    return endpoint


def delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log").order_by("-created_at", "-id")


def delivery_get_for_user(*, user: User, id: UUID | str) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.select_related("endpoint__project").prefetch_related("attempt_log").filter(pk=id).first()
    if delivery is None:
        raise Http404("No such delivery.")
    _check(user, delivery.endpoint)
    return delivery
