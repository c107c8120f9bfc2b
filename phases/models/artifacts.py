"""Artifacts: typed, versioned, reviewable work products of a phase."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import models
from django.utils import timezone

from phases.artifact_types import ArtifactTypeKey
from phases.artifacts.types import ARTIFACT_TYPES
from phases.limits import ARTIFACT_COMMENT_MAX_LENGTH, FEEDBACK_ANSWER_MAX_LENGTH, FEEDBACK_MESSAGE_MAX_LENGTH

if TYPE_CHECKING:
    from phases.artifacts.fields import ArtifactType


class ArtifactStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class Artifact(models.Model):
    """Status is the status of the latest version; `approved_version` is the version approved
    most recently (an approved artifact that is being edited has a newer draft and keeps it)."""

    change_type = "artifact"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("lifecycle.Project", on_delete=models.CASCADE, related_name="artifacts")
    phase = models.ForeignKey("lifecycle.Phase", on_delete=models.CASCADE, related_name="artifacts")
    type = models.CharField(max_length=40, choices=ArtifactTypeKey.choices)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ArtifactStatus.choices, default=ArtifactStatus.DRAFT)
    latest_version = models.ForeignKey("phases.ArtifactVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    approved_version = models.ForeignKey("phases.ArtifactVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["phase", "type", "created_at"]
        indexes = [
            # Gates and the phase page read a project's artifacts by type.
            models.Index(fields=["project", "type"], name="artifact_project_type_idx"),
            # The inbox lists artifacts in review.
            models.Index(fields=["status", "project"], name="artifact_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("phases:artifact-detail", args=[self.pk])

    @property
    def kind(self) -> ArtifactType:
        return ARTIFACT_TYPES[self.type]

    @property
    def latest(self) -> ArtifactVersion:
        """`latest_version`, which every saved artifact has: the column is nullable only because
        the artifact row is written before its first version."""
        return cast("ArtifactVersion", self.latest_version)


class ArtifactVersion(models.Model):
    """An immutable snapshot of an artifact's content; every save adds one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
    computed = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=ArtifactStatus.choices, default=ArtifactStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["artifact", "-number"]
        constraints = [models.UniqueConstraint(fields=["artifact", "number"], name="artifact_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class ArtifactReview(models.Model):
    """A decision on a submitted version: approved or sent back, by whom, when, why."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        SENT_BACK = "sent_back", "Sent back"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(ArtifactVersion, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer}"


class ArtifactComment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(ArtifactVersion, null=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=ARTIFACT_COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.body[:50]


def _attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the original name is kept in a field and never used as a path.
    return f"attachments/{instance.artifact.project_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    change_type = "artifact"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class FeedbackRequest(models.Model):
    """Iterative stakeholder feedback: the owner asks a member about one version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="feedback_requests")
    version = models.ForeignKey(ArtifactVersion, on_delete=models.CASCADE, related_name="feedback_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_requests")
    message = models.TextField(blank=True, max_length=FEEDBACK_MESSAGE_MAX_LENGTH)
    answer = models.TextField(blank=True, max_length=FEEDBACK_ANSWER_MAX_LENGTH)
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        indexes = [
            # The inbox: feedback requests waiting for a user.
            models.Index(fields=["reviewer", "answered_at"], name="feedback_reviewer_idx"),
        ]

    def __str__(self) -> str:
        return f"Feedback from {self.reviewer} on {self.version}"
