"""Lifecycle templates: versioned data that projects are created from.

A template row is one version. Importing a template whose key exists creates the next version;
a version that projects were created from is locked (admins duplicate it to change it), so every
project keeps the exact template it started with.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from lifecycle.models.projects import PhaseKey


class LifecycleTemplate(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(max_length=60)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)
    # The SHA-256 of the shipped file this version was loaded from; "" when someone imported it;
    # None for versions loaded before this was recorded (lifecycle.services.templates).
    shipped_sha256 = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="template_key_version_unique"),
            # project_create picks "the default template" when none is given: there is one.
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="template_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class PhaseTemplate(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template = models.ForeignKey(LifecycleTemplate, on_delete=models.CASCADE, related_name="phases")
    key = models.CharField(max_length=20, choices=PhaseKey.choices)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    duration_days = models.PositiveIntegerField(default=21, validators=[MinValueValidator(1), MaxValueValidator(365)])

    class Meta:
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="phase_template_key_unique")]

    def __str__(self) -> str:
        return self.name


class ChecklistItemTemplate(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    phase = models.ForeignKey(PhaseTemplate, on_delete=models.CASCADE, related_name="checklist")
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    required = models.BooleanField(default=False)
    weight = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(10)])
    refs = models.JSONField(default=list, blank=True, help_text="Framework requirement codes, e.g. eu-ai-act:art-9")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["phase", "order"]
        constraints = [models.UniqueConstraint(fields=["phase", "key"], name="checklist_template_key_unique")]

    def __str__(self) -> str:
        return self.title
