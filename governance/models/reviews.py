"""Gate reviews and votes."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from governance.limits import COMMENT_MAX_LENGTH, JUSTIFICATION_MAX_LENGTH


class Decision(models.TextChoices):
    GO = "go", "Go"
    HOLD = "hold", "Hold"
    RECYCLE = "recycle", "Recycle"
    KILL = "kill", "Kill"

    @classmethod
    def severity(cls, decision: str) -> int:
        """Kill > Recycle > Hold > Go."""
        order: list[str] = [cls.GO, cls.HOLD, cls.RECYCLE, cls.KILL]
        return order.index(decision)


class Review(models.Model):
    """A request to pass a gate, decided by the approvers named when it was requested."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Quorum(models.TextChoices):
        ALL = "all", "All approvers"
        COUNT = "count", "N of M"
        PERCENT = "percent", "Percentage of M (rounded up)"

    change_type = "review"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    gate = models.ForeignKey("governance.Gate", on_delete=models.CASCADE, related_name="reviews")
    project = models.ForeignKey("lifecycle.Project", on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    justification = models.TextField(blank=True, max_length=JUSTIFICATION_MAX_LENGTH)
    readiness_at_request = models.JSONField(default=dict)
    approvers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="reviews_to_decide")
    # Named approvers who have since left the project or lost the role or function the gate's
    # policy names. The named set stays as it was requested (PRODUCT.md); these no longer vote,
    # and those of them who had not voted no longer count towards the quorum.
    former_approvers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="reviews_left", blank=True)
    quorum = models.CharField(max_length=10, choices=Quorum.choices, default=Quorum.ALL)
    quorum_value = models.PositiveSmallIntegerField(null=True, blank=True)
    needed = models.PositiveSmallIntegerField(help_text="Go votes needed, fixed at request time")
    due_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField(default=dict, blank=True, help_text="Readiness, artifacts and sign-offs as the decision saw them")
    due_reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_reminded_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # One open review per gate, whatever races the application loses.
            models.UniqueConstraint(fields=["gate"], condition=models.Q(status="open"), name="review_one_open_per_gate"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="review_status_due_idx")]

    def __str__(self) -> str:
        return f"Review of {self.gate}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("governance:review-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at


class Vote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cast_at"]
        constraints = [models.UniqueConstraint(fields=["review", "voter"], name="vote_one_per_approver")]

    def __str__(self) -> str:
        return f"{self.voter}: {self.get_decision_display()}"
