"""The administrators' site: templates, functions, users; the audit log read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from lifecycle import services
from lifecycle.models import (
    AuditEvent,
    ChecklistItemTemplate,
    Function,
    LifecycleTemplate,
    Membership,
    PhaseTemplate,
    Project,
    User,
)
from lifecycle.services.templates import template_is_locked
from lifecycle.views.account import GuardedAdminAuthenticationForm

admin.site.site_header = "GenAI Lifecycle administration"
admin.site.site_title = "GenAI Lifecycle admin"
# The admin's own login form goes through the same brute-force guard as the site's.
admin.site.login_form = GuardedAdminAuthenticationForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Portfolio rights (the portfolio viewers group), administrator status and activity change
    here. The admin saves the user and then its groups; once both are saved, the change is
    recorded, which also retires cached pages the user could see before (lifecycle.infrastructure.page_cache)."""

    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_superuser")
    list_filter = ("is_active", "is_superuser", "groups")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            stored = User.objects.get(pk=obj.pk)
            request._access_before = services.user_access_snapshot(stored)  # type: ignore[attr-defined]  # read back in save_related()
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_access_before", None)
        if before is not None:
            services.user_access_record(user=form.instance, actor=request.user, before=before)


@admin.register(Function)
class FunctionAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "order")
    ordering = ("order",)


class _LockedTemplateMixin(admin.ModelAdmin):
    """A template version that projects were created from is read-only: projects keep the exact
    template they started with. Duplicate it to make changes."""

    def _template_of(self, obj: Any) -> LifecycleTemplate | None:
        return None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        template = self._template_of(obj) if obj is not None else None
        if template is not None and template_is_locked(template):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        template = self._template_of(obj) if obj is not None else None
        if template is not None and template_is_locked(template):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.change_record(
            actor=request.user,
            action="template.edited",
            obj=obj,
            after={"model": obj._meta.model_name, "id": str(obj.pk)},
            feed=False,
        )


class PhaseTemplateInline(admin.TabularInline):
    model = PhaseTemplate
    extra = 0
    fields = ("order", "key", "name", "duration_days")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LifecycleTemplate)
class LifecycleTemplateAdmin(_LockedTemplateMixin, admin.ModelAdmin):
    list_display = ("name", "key", "version", "is_default", "created_at", "in_use")
    list_filter = ("key", "is_default")
    inlines = [PhaseTemplateInline]
    actions = ["duplicate"]
    readonly_fields = ("key", "version", "created_at", "created_by")

    def _template_of(self, obj: Any) -> LifecycleTemplate | None:
        return obj

    @admin.display(boolean=True, description="In use (locked)")
    def in_use(self, obj: LifecycleTemplate) -> bool:
        return template_is_locked(obj)

    @admin.action(description="Duplicate as a new, editable version")
    def duplicate(self, request: HttpRequest, queryset: QuerySet[LifecycleTemplate]) -> None:
        for template in queryset:
            copy = services.template_duplicate(template=template, actor=request.user)
            self.message_user(request, f"Created {copy} from {template}.", messages.SUCCESS)


class ChecklistItemTemplateInline(admin.StackedInline):
    model = ChecklistItemTemplate
    extra = 0
    fields = ("order", "key", "title", "required", "weight", "guidance", "refs")


@admin.register(PhaseTemplate)
class PhaseTemplateAdmin(_LockedTemplateMixin, admin.ModelAdmin):
    list_display = ("name", "template", "order", "duration_days")
    list_filter = ("template",)
    inlines = [ChecklistItemTemplateInline]
    readonly_fields = ("template", "key", "order")

    def _template_of(self, obj: Any) -> LifecycleTemplate | None:
        return obj.template

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role")
    readonly_fields = ("user", "role")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Read-only here: projects change through the application, which records every change."""

    list_display = ("name", "current_phase", "status", "updated_at", "deleted_at")
    list_filter = ("status", "current_phase", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("name",)
    inlines = [MembershipInline]
    actions = ["restore"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Restore the selected deleted projects")
    def restore(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        restored = 0
        for project in queryset.filter(deleted_at__isnull=False):
            services.project_restore(project=project, actor=request.user)
            restored += 1
        self.message_user(request, f"{restored} project(s) restored.", messages.SUCCESS)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Append-only: nobody edits or deletes audit events, administrators included."""

    list_display = ("seq", "at", "actor_name", "action", "object_type", "object_label")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_label", "action", "request_id")
    ordering = ("-seq",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
