"""Records every app writes to: the audit log, the change feed, notifications, jobs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One state change: who, what, when, before and after.

    Append-only and tamper-evident: `hash` is the SHA-256 of the event's canonical payload, which
    includes `prev_hash`, the hash of the event before it (lifecycle.services.records). Actor and
    project are not real foreign keys so that nothing can cascade into the log.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=40)
    object_id = models.UUIDField(null=True, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    project = models.ForeignKey(
        "lifecycle.Project", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            # The project activity timeline and the admin log filtered by project.
            models.Index(fields=["project", "-seq"], name="audit_project_seq_idx"),
            # The admin log filtered by actor.
            models.Index(fields=["actor", "-seq"], name="audit_actor_seq_idx"),
            models.Index(fields=["action", "-seq"], name="audit_action_seq_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class ChangeRecord(models.Model):
    """One row of the change feed, in commit order (records are written under one lock at the end
    of each transaction, so a later commit never gets a smaller seq). `audience`, when set, limits
    the row to one user: the upserts and deletes that follow gaining or losing access."""

    class Op(models.TextChoices):
        UPSERT = "upsert", "Upsert"
        DELETE = "delete", "Delete"

    seq = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=30)
    object_id = models.UUIDField()
    project_id = models.UUIDField(null=True, blank=True)
    op = models.CharField(max_length=10, choices=Op.choices, default=Op.UPSERT)
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=80, blank=True)
    audience = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            # The change feed for a member: seq > since within the projects they can see.
            models.Index(fields=["project_id", "seq"], name="change_project_seq_idx"),
            models.Index(fields=["audience", "seq"], name="change_audience_seq_idx"),
            # Retention sweeps delete by age, keeping each object's newest row.
            models.Index(fields=["at"], name="change_at_idx"),
            models.Index(fields=["object_id", "seq"], name="change_object_seq_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.type} {self.op}"


class ChangeFeedState(models.Model):
    """One row: the newest sequence number retention has dropped. A client resuming from an
    older position may have missed a dropped row, so it is told to sync in full (410)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    pruned_through = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"pruned through {self.pruned_through}"


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    project = models.ForeignKey("lifecycle.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_wanted = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The unread count in the navigation and the notifications page.
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=50)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")]

    def __str__(self) -> str:
        return f"{self.kind}: {'e-mail' if self.email else 'in-app only'}"


class Job(models.Model):
    """Long work started by a request (202 + job URL): its status, progress and result."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=50)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey("lifecycle.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    result = models.JSONField(null=True, blank=True)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an Idempotency-Key, replayed for retries (24 h)."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return self.key
