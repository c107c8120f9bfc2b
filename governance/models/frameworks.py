"""Frameworks as data: EU AI Act, NIST AI RMF, NIST AI 600-1, ISO/IEC 42001 (IDs and titles)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from governance.limits import SOA_JUSTIFICATION_MAX_LENGTH


class Framework(models.Model):
    key = models.SlugField(primary_key=True, max_length=40)
    name = models.CharField(max_length=100)
    full_name = models.CharField(max_length=300, blank=True)
    source = models.URLField(max_length=500)
    as_of = models.DateField()
    extra = models.JSONField(default=dict, blank=True, help_text="Tiers and dated milestones (EU AI Act).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Requirement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    level = models.CharField(max_length=30)
    parent_code = models.CharField(max_length=40, blank=True)
    summary = models.TextField(blank=True)
    tiers = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="requirement_framework_code_unique")]

    def __str__(self) -> str:
        return f"{self.framework_id}:{self.code} {self.title}"

    @property
    def ref(self) -> str:
        return f"{self.framework_id}:{self.code}"


class RiskMatrix(models.Model):
    """A likelihood × impact matrix and the levels its scores fall into (data: 3×3, 4×4, 5×5)."""

    key = models.SlugField(primary_key=True, max_length=20)
    name = models.CharField(max_length=100)
    size = models.PositiveSmallIntegerField()
    levels = models.JSONField(help_text='[{"key": "low", "label": "Low", "min": 1}, ...] in ascending order')
    likelihood_labels = models.JSONField(default=list)
    impact_labels = models.JSONField(default=list)

    class Meta:
        ordering = ["size"]

    def __str__(self) -> str:
        return self.name

    def level_of(self, score: int) -> str:
        level = self.levels[0]["key"]
        for entry in self.levels:
            if score >= entry["min"]:
                level = entry["key"]
        return level


class ControlDecision(models.Model):
    """A project's decision on one control of a management-system standard (ISO/IEC 42001 Annex
    A), for its Statement of Applicability: whether the control applies, and why."""

    change_type = "control_decision"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("lifecycle.Project", on_delete=models.CASCADE, related_name="control_decisions")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="+")
    applicable = models.BooleanField()
    justification = models.TextField(blank=True, max_length=SOA_JUSTIFICATION_MAX_LENGTH)
    decided_by = models.ForeignKey("lifecycle.User", null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "requirement"], name="control_decision_unique")]

    def __str__(self) -> str:
        return f"{self.requirement.code}: {'applicable' if self.applicable else 'not applicable'}"
