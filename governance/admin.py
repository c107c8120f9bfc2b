"""Administrators: frameworks (imported as YAML), risk categories, and governance's part of the
lifecycle templates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from governance import services
from governance.models import (
    CriterionTemplate,
    Framework,
    GateTemplate,
    ObligationTemplate,
    Requirement,
    RiskCategory,
    RiskMatrix,
    SignoffKindTemplate,
)
from lifecycle.admin import _LockedTemplateMixin
from lifecycle.models import LifecycleTemplate


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(help_text="A framework in the YAML format of governance/frameworks/*.yaml.")


class RequirementInline(admin.TabularInline):
    model = Requirement
    fields = ("code", "title", "level", "parent_code", "tiers")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    """Frameworks change only by importing YAML (validated, line-numbered errors)."""

    list_display = ("name", "key", "as_of", "source", "updated_at")
    readonly_fields = ("key", "name", "full_name", "source", "as_of", "extra", "updated_at")
    inlines = [RequirementInline]
    change_list_template = "admin/governance/framework/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="governance_framework_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = FrameworkUploadForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8")
                framework = services.framework_import(text=text, actor=request.user)
            except UnicodeDecodeError:
                errors = ["line 1: the file is not UTF-8 text"]
            except services.FrameworkImportError as e:
                errors = e.errors
            else:
                self.message_user(request, f"Imported {framework.name} ({framework.requirements.count()} requirements).", messages.SUCCESS)
                return redirect("admin:governance_framework_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "title": "Import a framework",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/governance/framework/import.html", context)


@admin.register(RiskCategory)
class RiskCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "ref", "project")
    list_filter = (("project", admin.EmptyFieldListFilter),)
    search_fields = ("name", "key")


@admin.register(RiskMatrix)
class RiskMatrixAdmin(admin.ModelAdmin):
    list_display = ("name", "size")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CriterionInline(admin.TabularInline):
    model = CriterionTemplate
    extra = 0
    fields = ("order", "key", "kind", "must_meet", "weight", "tiers", "params")


@admin.register(GateTemplate)
class GateTemplateAdmin(_LockedTemplateMixin, admin.ModelAdmin):
    list_display = ("phase", "threshold", "quorum", "quorum_value", "due_days")
    list_filter = ("phase__template",)
    inlines = [CriterionInline]

    def _template_of(self, obj: Any) -> LifecycleTemplate | None:
        return obj.phase.template


@admin.register(SignoffKindTemplate)
class SignoffKindTemplateAdmin(_LockedTemplateMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "function", "phase")
    list_filter = ("phase__template", "kind")

    def _template_of(self, obj: Any) -> LifecycleTemplate | None:
        return obj.phase.template


@admin.register(ObligationTemplate)
class ObligationTemplateAdmin(_LockedTemplateMixin, admin.ModelAdmin):
    list_display = ("title", "tier", "phase_key", "required", "template")
    list_filter = ("template", "tier")

    def _template_of(self, obj: Any) -> LifecycleTemplate | None:
        return obj.template
