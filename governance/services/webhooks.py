"""Webhooks: endpoints, the deliveries that changes create, and delivering them.

A change that maps to an event (EVENT_OF_ACTION) creates one delivery per subscribed endpoint in
the writing transaction, so an event is never lost to a crash between commit and enqueue; the
delivery task is enqueued after commit, and a sweep re-enqueues deliveries whose message was
lost. Each attempt is logged. A delivery is retried with exponential backoff up to
WEBHOOK_MAX_ATTEMPTS attempts; when they all fail the endpoint is marked failing, and after
WEBHOOK_DISABLE_AFTER failed deliveries in a row it is disabled and its owners are told.

Who may: a project's owners manage its endpoints (Action.MANAGE; people who cannot see the
project get Http404, as from the pages), administrators the global ones (`_check_can_manage`).
Queueing, delivering and sweeping are the system's work: no person acts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from governance import outbound
from governance.models import Gate, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from lifecycle import hooks, locks
from lifecycle import selectors as lifecycle_selectors
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.models import Phase, Project, Role, User
from lifecycle.permissions import Action

logger = logging.getLogger(__name__)

# Phases' own records (the project's "phase.advanced" summary is covered by them).
EVENT_OF_ACTION = {
    "project.updated": WebhookEvent.PROJECT_UPDATED,
    "project.held": WebhookEvent.PROJECT_UPDATED,
    "project.killed": WebhookEvent.PROJECT_UPDATED,
    "project.resumed": WebhookEvent.PROJECT_UPDATED,
    "project.restored": WebhookEvent.PROJECT_UPDATED,
    "phase.started": WebhookEvent.PHASE_CHANGED,
    "phase.in_review": WebhookEvent.PHASE_CHANGED,
    "phase.passed": WebhookEvent.PHASE_CHANGED,
    "phase.review_withdrawn": WebhookEvent.PHASE_CHANGED,
    "phase.dates_changed": WebhookEvent.PHASE_CHANGED,
    "gate.readiness_changed": WebhookEvent.GATE_READINESS_CHANGED,
    "review.requested": WebhookEvent.REVIEW_REQUESTED,
    "review.resolved": WebhookEvent.REVIEW_RESOLVED,
    "signoff.approved": WebhookEvent.SIGNOFF_DECIDED,
    "signoff.rejected": WebhookEvent.SIGNOFF_DECIDED,
    "incident.created": WebhookEvent.INCIDENT_CREATED,
}
API_PATHS = {
    "project": "/api/v1/projects/{id}/",
    "phase": "/api/v1/projects/{project}/phases/",
    "gate": "/api/v1/gates/{id}/",
    "review": "/api/v1/reviews/{id}/",
    "signoff": "/api/v1/signoffs/{id}/",
    "incident": "/api/v1/incidents/{id}/",
}
USER_AGENT = "GenAI-Lifecycle-Webhooks/1"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a label, not a secret
ENDPOINT_FIELDS = ("url", "description", "events", "status")


def signature(secret: str, body: bytes) -> str:
    """The X-Lifecycle-Signature header: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _snapshot(endpoint: WebhookEndpoint) -> dict:
    # Never the secret: the audit log is readable by the project's members.
    return lifecycle_services.snapshot(endpoint, ENDPOINT_FIELDS)


def _clean_url(url: Any) -> str:
    url = str(url or "").strip()
    try:
        outbound.check_registration(url)
    except outbound.TargetRefused as e:
        raise ApplicationError(str(e), fields={"url": [str(e)]}) from None
    return url


def _clean_events(events: Any) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ApplicationError("Choose at least one event.", fields={"events": ["Choose at least one event."]})
    unknown = sorted({str(e) for e in events} - set(WebhookEvent.values))
    if unknown:
        message = f"Unknown event: {', '.join(unknown)}. Events: {', '.join(WebhookEvent.values)}."
        raise ApplicationError(message, fields={"events": [message]})
    return [e for e in WebhookEvent.values if e in set(events)]


def _clean_description(description: Any) -> str:
    description = str(description or "").strip()
    if len(description) > 200:
        raise ApplicationError("The description is too long.", fields={"description": ["At most 200 characters."]})
    return description


def _check_can_manage(actor: User, project: Project | None) -> None:
    if project is None:
        if not actor.is_superuser:
            raise PermissionDenied("Only administrators can manage global webhooks.")
        return
    lifecycle_selectors.project_access_check(user=actor, project=project, action=Action.MANAGE)


@lifecycle_services.atomic
def webhook_create(*, actor: User, project: Project | None, url: str, events: Iterable[str], description: str = "") -> WebhookEndpoint:
    """Register an endpoint for a project (owners) or for every project (administrators). The
    new secret is on the returned endpoint: show it once."""
    _check_can_manage(actor, project)
    if project is not None:
        lifecycle_services.ensure_writable(project)
    url, events, description = _clean_url(url), _clean_events(list(events)), _clean_description(description)
    if project is not None and WebhookEndpoint.objects.filter(project=project).count() >= settings.WEBHOOK_MAX_PER_PROJECT:
        raise Conflict(f"A project can have at most {settings.WEBHOOK_MAX_PER_PROJECT} webhooks.", code="too_many_webhooks")
    endpoint = WebhookEndpoint.objects.create(
        project=project, url=url, events=events, description=description, secret=_new_secret(), created_by=actor
    )
    _record(actor, "webhook.created", endpoint, None, _snapshot(endpoint))
    return endpoint


def _record(actor: User | None, action: str, endpoint: WebhookEndpoint, before: dict | None, after: dict | None) -> None:
    lifecycle_services.change_record(
        actor=actor, action=action, obj=endpoint, project=endpoint.project_id, before=before, after=after, feed=False
    )


def _locked(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    if endpoint.project_id:
        locks.lock_project(endpoint.project_id)
    return WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)


@lifecycle_services.atomic
def webhook_update(
    *,
    endpoint: WebhookEndpoint,
    actor: User,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what an endpoint hears or where; `enabled` turns a disabled endpoint back on (its
    failure count starts again) or turns it off."""
    _check_can_manage(actor, endpoint.project)
    endpoint = _locked(endpoint)
    before = _snapshot(endpoint)
    if url is not None:
        endpoint.url = _clean_url(url)
    if events is not None:
        endpoint.events = _clean_events(list(events))
    if description is not None:
        endpoint.description = _clean_description(description)
    if enabled is True and endpoint.status != WebhookEndpoint.Status.ACTIVE:
        endpoint.status, endpoint.failed_deliveries, endpoint.disabled_reason = WebhookEndpoint.Status.ACTIVE, 0, ""
    elif enabled is False and endpoint.status != WebhookEndpoint.Status.DISABLED:
        endpoint.status = WebhookEndpoint.Status.DISABLED
        endpoint.disabled_reason = f"Turned off by {actor.username}."
    after = _snapshot(endpoint)
    if after != before:
        endpoint.updated_at = timezone.now()
        endpoint.version += 1
        endpoint.save()
        _record(actor, "webhook.updated", endpoint, before, after)
    return endpoint


@lifecycle_services.atomic
def webhook_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    """Delete an endpoint and its delivery log."""
    _check_can_manage(actor, endpoint.project)
    endpoint = _locked(endpoint)
    _record(actor, "webhook.deleted", endpoint, _snapshot(endpoint), None)
    endpoint.delete()


@lifecycle_services.atomic
def webhook_rotate_secret(*, endpoint: WebhookEndpoint, actor: User) -> WebhookEndpoint:
    """Replace the signing secret; deliveries from now on (retries included) use the new one."""
    _check_can_manage(actor, endpoint.project)
    endpoint = _locked(endpoint)
    endpoint.secret = _new_secret()
    endpoint.secret_rotated_at = endpoint.updated_at = timezone.now()
    endpoint.version += 1
    endpoint.save()
    _record(actor, "webhook.secret_rotated", endpoint, None, {"rotated_at": endpoint.secret_rotated_at.isoformat()})
    return endpoint


@lifecycle_services.atomic
def webhook_resend(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Send a delivery's event again, as a new delivery (new X-Lifecycle-Delivery, same event id
    and body), with the usual retries."""
    endpoint = delivery.endpoint
    _check_can_manage(actor, endpoint.project)
    if endpoint.status == WebhookEndpoint.Status.DISABLED:
        raise Conflict("This webhook is disabled: turn it on before resending.", code="webhook_disabled")
    copy = WebhookDelivery.objects.create(
        endpoint=endpoint, event=delivery.event, event_id=delivery.event_id, body=delivery.body, resent_from=delivery, resent_by=actor
    )
    _enqueue(copy.pk)
    return copy


def _enqueue(delivery_id: Any, countdown: float | None = None) -> None:
    from governance import tasks

    lifecycle_services.enqueue(tasks.webhook_deliver_task, str(delivery_id), countdown=countdown)


# --- Events -------------------------------------------------------------------------------------


def webhooks_queue_for_changes(changes: list[hooks.Change]) -> None:
    """In-transaction listener: a delivery for every endpoint that subscribed to an event these
    changes make. No query unless a change maps to an event."""
    events = [(change, EVENT_OF_ACTION[change.action]) for change in changes if change.action in EVENT_OF_ACTION]
    events = [(change, event) for change, event in events if _worth_sending(change, event)]
    if not events:
        return
    project_ids = {change.project_id for change, _ in events}
    endpoints = list(
        WebhookEndpoint.objects.filter(Q(project_id__in=project_ids) | Q(project=None)).exclude(status=WebhookEndpoint.Status.DISABLED)
    )
    if not endpoints:
        return
    context = _event_context([change for change, _ in events], project_ids)
    now = timezone.now()
    deliveries = []
    for change, event in events:
        listeners = [e for e in endpoints if (e.project_id in (None, change.project_id)) and event in e.events]
        if not listeners:
            continue
        event_id = uuid.uuid4()
        body = json.dumps(
            {
                "id": str(event_id),
                "event": str(event),
                "created_at": now.isoformat().replace("+00:00", "Z"),
                "data": _data(change, context),
                "previous": _previous(change),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        deliveries += [WebhookDelivery(endpoint=e, event=event, event_id=event_id, body=body, next_attempt_at=now) for e in listeners]
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        _enqueue(delivery.pk)


def _worth_sending(change: hooks.Change, event: str) -> bool:
    if event != WebhookEvent.GATE_READINESS_CHANGED or not change.before:
        return True
    after = change.after or {}
    return change.before.get("score") != after.get("score") or change.before.get("ready") != after.get("ready")


def _event_context(changes: list[hooks.Change], project_ids: set) -> dict:
    phase_ids = [c.object_id for c in changes if c.type == "phase"]
    gate_ids = [c.object_id for c in changes if c.type == "gate"]
    return {
        "projects": dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "name")),
        "phases": dict(Phase.objects.filter(pk__in=phase_ids).values_list("pk", "key")) if phase_ids else {},
        "gates": dict(Gate.objects.filter(pk__in=gate_ids).values_list("pk", "phase__key")) if gate_ids else {},
    }


def _data(change: hooks.Change, context: dict) -> dict:
    data: dict[str, Any] = {
        "type": change.type,
        "id": str(change.object_id),
        "project": str(change.project_id) if change.project_id else None,
        "project_name": context["projects"].get(change.project_id, ""),
    }
    path = API_PATHS.get(change.type)
    if path:
        data["url"] = settings.SITE_URL + path.format(id=change.object_id, project=change.project_id)
    if change.type == "phase":
        data["phase"] = context["phases"].get(change.object_id)
    if change.type == "gate":
        data["phase"] = context["gates"].get(change.object_id)
    for key, value in (change.after or {}).items():
        data.setdefault(key, value)
    return data


def _previous(change: hooks.Change) -> dict:
    """The changed fields' old values (empty for a creation)."""
    before, after = change.before or {}, change.after or {}
    return {key: before.get(key) for key in after if key in before and before.get(key) != after.get(key)}


# --- Delivery -----------------------------------------------------------------------------------

CLAIM_SECONDS = 120


def _backoff(attempts: int) -> float:
    return settings.WEBHOOK_RETRY_BASE_SECONDS * (2 ** (attempts - 1))


def webhook_deliver(*, delivery_id: Any) -> str:
    """Make one attempt at a pending delivery that is due; returns what happened. Safe to run
    twice for the same delivery: the claim lets one attempt through at a time. The delivery
    task's work, for the system."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now + timedelta(seconds=1)
        )
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    if not claimed:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if endpoint.status == WebhookEndpoint.Status.DISABLED:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, claimed_until=None, finished_at=now, last_error="The webhook is disabled."
        )
        return "disabled"
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Lifecycle-Event": delivery.event,
        "X-Lifecycle-Delivery": str(delivery.pk),
        "X-Lifecycle-Signature": signature(endpoint.secret, body),
    }
    outcome = outbound.post(endpoint.url, body, headers)
    return _settle(delivery, outcome)


@locks.retrying
@transaction.atomic
def _settle(delivery: WebhookDelivery, outcome: outbound.Outcome) -> str:
    now = timezone.now()
    # The lock order: the endpoint, then its delivery (a request that edits the endpoint holds it).
    endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=delivery.endpoint_id)
    delivery = WebhookDelivery.objects.select_for_update(no_key=True).get(pk=delivery.pk)
    delivery.attempts += 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        started_at=now - timedelta(milliseconds=outcome.duration_ms),
        duration_ms=outcome.duration_ms,
        status_code=outcome.status_code,
        error=outcome.error,
        response_excerpt=outcome.excerpt,
    )
    delivery.last_status_code, delivery.last_error, delivery.claimed_until = outcome.status_code, outcome.error, None
    if outcome.ok:
        delivery.status, delivery.finished_at = WebhookDelivery.Status.SUCCEEDED, now
        delivery.save()
        if endpoint.failed_deliveries or endpoint.status == WebhookEndpoint.Status.FAILING:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failed_deliveries=0, status=WebhookEndpoint.Status.ACTIVE)
        return "delivered"
    if delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        wait = _backoff(delivery.attempts)
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        delivery.save()
        _enqueue(delivery.pk, countdown=wait)
        return "retrying"
    delivery.status, delivery.finished_at = WebhookDelivery.Status.FAILED, now
    delivery.save()
    _endpoint_failed(endpoint, delivery)
    return "failed"


def _endpoint_failed(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> None:
    endpoint.failed_deliveries += 1
    if endpoint.status == WebhookEndpoint.Status.DISABLED:
        endpoint.save(update_fields=["failed_deliveries"])
        return
    if endpoint.failed_deliveries < settings.WEBHOOK_DISABLE_AFTER:
        endpoint.status = WebhookEndpoint.Status.FAILING
        endpoint.save(update_fields=["failed_deliveries", "status"])
        return
    endpoint.status = WebhookEndpoint.Status.DISABLED
    endpoint.disabled_reason = (
        f"Disabled after {endpoint.failed_deliveries} deliveries in a row failed every attempt; last error: {delivery.last_error or '—'}"
    )[:300]
    endpoint.updated_at = timezone.now()
    endpoint.save(update_fields=["failed_deliveries", "status", "disabled_reason", "updated_at"])
    _record(None, "webhook.disabled", endpoint, None, {"status": endpoint.status, "reason": endpoint.disabled_reason})
    lifecycle_services.notify(
        users=_owners(endpoint),
        kind="webhook_disabled",
        title=f"Webhook disabled: {endpoint.url}"[:200],
        body=endpoint.disabled_reason + " Check the receiver, then turn the webhook back on.",
        url=endpoint.get_absolute_url(),
        project=endpoint.project,
    )
    logger.warning("webhook %s disabled: %s", endpoint.pk, endpoint.disabled_reason)


def _owners(endpoint: WebhookEndpoint) -> list[User]:
    if endpoint.project_id is None:
        return [endpoint.created_by] if endpoint.created_by else list(User.objects.filter(is_superuser=True, is_active=True))
    return list(User.objects.filter(memberships__project_id=endpoint.project_id, memberships__role=Role.OWNER))


def webhooks_sweep(*, now: Any = None) -> int:
    """Re-enqueue pending deliveries that are overdue by a minute and not being attempted: their
    message was lost (a broker outage, a worker killed before it acknowledged)."""
    now = now or timezone.now()
    overdue = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lt=now - timedelta(seconds=60)).filter(
        Q(claimed_until=None) | Q(claimed_until__lt=now)
    )
    ids = list(overdue.values_list("pk", flat=True)[:1000])
    with transaction.atomic():
        for pk in ids:
            _enqueue(pk)
    return len(ids)
