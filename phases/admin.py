"""Administrators: the phases app's part of the lifecycle templates (expected artifact types)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from lifecycle.admin import _LockedTemplateMixin
from lifecycle.models import LifecycleTemplate
from phases.models import ArtifactTypeTemplate


@admin.register(ArtifactTypeTemplate)
class ArtifactTypeTemplateAdmin(_LockedTemplateMixin, admin.ModelAdmin):
    list_display = ("type", "phase", "required")
    list_filter = ("phase__template", "required")

    def _template_of(self, obj: Any) -> LifecycleTemplate | None:
        return obj.phase.template
