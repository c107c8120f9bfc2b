"""The content of each phase: checklist items and (see artifacts) the typed work products."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from lifecycle.models import PhaseKey
from phases.artifact_types import ArtifactTypeKey
from phases.limits import CHECKLIST_NOTE_MAX_LENGTH


class ArtifactTypeTemplate(models.Model):
    """The template's part owned by phases: which artifact types a phase expects."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    phase = models.ForeignKey("lifecycle.PhaseTemplate", on_delete=models.CASCADE, related_name="artifact_types")
    type = models.CharField(max_length=40, choices=ArtifactTypeKey.choices)
    required = models.BooleanField(default=False)
    guidance = models.TextField(blank=True)
    refs = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["phase", "order"]
        constraints = [models.UniqueConstraint(fields=["phase", "type"], name="artifact_type_template_unique")]

    def __str__(self) -> str:
        return self.get_type_display()


class ChecklistItem(models.Model):
    class Source(models.TextChoices):
        TEMPLATE = "template", "Template"
        OBLIGATION = "obligation", "EU AI Act obligation"

    change_type = "checklist_item"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("lifecycle.Project", on_delete=models.CASCADE, related_name="checklist_items")
    phase = models.ForeignKey("lifecycle.Phase", on_delete=models.CASCADE, related_name="checklist_items")
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    required = models.BooleanField(default=False)
    weight = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(10)])
    refs = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.TEMPLATE)
    obligation_tier = models.CharField(max_length=20, blank=True)
    # The phase an obligation belongs to when it arrived after that phase had passed: it is then
    # added to the current phase, so the next gate counts it (governance.services.classification).
    carried_from = models.CharField(max_length=20, blank=True, choices=PhaseKey.choices)
    done = models.BooleanField(default=False)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=CHECKLIST_NOTE_MAX_LENGTH)
    evidence_links = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["phase", "order"]
        constraints = [models.UniqueConstraint(fields=["phase", "key"], name="checklist_item_phase_key_unique")]
        indexes = [
            # The project list's progress column counts a project's items in its current phase.
            models.Index(fields=["project", "phase", "done"], name="checklist_project_phase_idx"),
        ]

    def __str__(self) -> str:
        return self.title
