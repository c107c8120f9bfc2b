"""Webhooks: endpoints that hear about events, and the log of every delivery and attempt."""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookEvent(models.TextChoices):
    PROJECT_UPDATED = "project.updated", "A project's details or status changed"
    PHASE_CHANGED = "phase.changed", "A phase started, went to review, passed or changed dates"
    GATE_READINESS_CHANGED = "gate.readiness_changed", "A gate's readiness score or verdict changed"
    REVIEW_REQUESTED = "review.requested", "A gate review was requested"
    REVIEW_RESOLVED = "review.resolved", "A gate review was decided"
    SIGNOFF_DECIDED = "signoff.decided", "A sign-off was approved or rejected"
    INCIDENT_CREATED = "incident.created", "An incident was logged"


class WebhookEndpoint(models.Model):
    """An HTTPS URL that receives signed POSTs for the events it subscribes to: for one project
    (registered by its owners) or for every project (global, registered by administrators)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        FAILING = "failing", "Failing"
        DISABLED = "disabled", "Disabled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("lifecycle.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    failed_deliveries = models.PositiveIntegerField(default=0, help_text="Deliveries in a row that failed every attempt")
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["project", "status"], name="webhook_project_status_idx")]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("governance:webhook-detail", args=[self.pk])

    @property
    def is_global(self) -> bool:
        return self.project_id is None

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:10]}…{self.secret[-4:]}"


class WebhookDelivery(models.Model):
    """One event for one endpoint. Its id is the X-Lifecycle-Delivery header (receivers
    de-duplicate on it); `body` is the exact JSON sent and signed on every attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField()
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    resent_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The delivery log of an endpoint, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_idx"),
            # The sweep for pending deliveries whose message was lost.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"

    @property
    def body_pretty(self) -> str:
        try:
            return json.dumps(json.loads(self.body), indent=2, ensure_ascii=False)
        except ValueError:
            return self.body


class WebhookAttempt(models.Model):
    id = models.BigAutoField(primary_key=True)
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.status_code or self.error}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
