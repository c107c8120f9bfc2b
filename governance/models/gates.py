"""Gates and their readiness assessments."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class Gate(models.Model):
    """The gate that closes one phase of one project. Its criteria are the template's
    (`template`, locked once projects use it); its readiness is the latest assessment.

    `stale` is set in the same transaction as any change to the gate's inputs and cleared only by
    an assessment computed from inputs that did not change meanwhile, so a stale score is never
    shown as current. `rescore_queued_at` coalesces bursts: a rescore is enqueued only when none
    is waiting.
    """

    change_type = "gate"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("lifecycle.Project", on_delete=models.CASCADE, related_name="gates")
    phase = models.OneToOneField("lifecycle.Phase", on_delete=models.CASCADE, related_name="gate")
    template = models.ForeignKey("governance.GateTemplate", on_delete=models.PROTECT, related_name="+")
    stale = models.BooleanField(default=True)
    inputs_changed_at = models.DateTimeField(default=timezone.now)
    rescore_queued_at = models.DateTimeField(null=True, blank=True)
    last_assessment = models.ForeignKey("governance.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["project", "phase__order"]
        indexes = [
            # The sweep: stale gates.
            models.Index(fields=["stale", "rescore_queued_at"], name="gate_stale_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.phase} gate"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("governance:gate-detail", args=[self.pk])


class Assessment(models.Model):
    """One readiness computation: the score, each criterion's result with its explanation, what
    blocks, when, how long it took, and the fingerprint of the inputs it saw."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="assessments")
    score = models.DecimalField(max_digits=4, decimal_places=1)
    ready = models.BooleanField()
    threshold = models.PositiveSmallIntegerField()
    criteria = models.JSONField()
    blocking = models.JSONField(default=list)
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-computed_at"]
        indexes = [
            # The readiness trend of a gate and its latest assessment.
            models.Index(fields=["gate", "-computed_at"], name="assessment_gate_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.score} ({'ready' if self.ready else 'not ready'})"
