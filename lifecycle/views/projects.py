"""Project pages: list, create, detail, edit, delete and restore, resume, advance by hand."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from lifecycle import hooks, selectors, services
from lifecycle.exceptions import ApplicationError
from lifecycle.forms import ProjectCreateForm, ProjectFilterForm, ProjectForm, ReasonForm
from lifecycle.infrastructure import charts, exports
from lifecycle.infrastructure.http import AuthedHtmxRequest, render_partial_or_page
from lifecycle.infrastructure.page_cache import cached_page
from lifecycle.models import Project
from lifecycle.views.common import error_message, go, paginate


def project_filters(form: ProjectFilterForm, deleted: bool = False) -> selectors.ProjectFilters:
    form.is_valid()  # what is not valid is left out (QueryForm)
    data = form.cleaned_data
    return selectors.ProjectFilters(
        search=data.get("q", ""),
        phase=data.get("phase", ""),
        status=data.get("status", ""),
        tag=data.get("tag", ""),
        owner=data.get("owner", ""),
        ordering=data.get("sort") or "-updated",
        deleted=deleted,
        updated_since=data.get("updated_since"),
        extra=form.extra(),
    )


@login_required
def project_list(request: AuthedHtmxRequest) -> HttpResponse:
    form = ProjectFilterForm(request.GET)
    if "format" in request.GET:
        # The download holds every project the filters select, not just this page.
        header, rows = selectors.project_export_table(user=request.user, filters=project_filters(form))
        return exports.table_response(
            header=header, rows=rows, basename="projects", fmt=request.GET["format"], title="Projects", one_per_user=request.user
        )
    projects = selectors.project_list_for_user(user=request.user, filters=project_filters(form))
    page, query = paginate(request, projects)
    context = {
        "form": form,
        "page_obj": page,
        "query_without_page": query,
        "extensions": [e for e in hooks.registry.extensions() if e.list_cell_template],
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
    }
    return render_partial_or_page(request, "lifecycle/project_list.html", context, partial="project-table")


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthedHtmxRequest) -> HttpResponse:
    form = ProjectCreateForm(request.POST or None, templates=selectors.template_list())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create(
                actor=request.user,
                name=data["name"],
                description=data["description"],
                use_case_problem=data["use_case_problem"],
                use_case_users=data["use_case_users"],
                use_case_expectations=data["use_case_expectations"],
                tags=data["tags"],
                template=selectors.template_get(id=data["template"] or None),
                start_date=data["start_date"],
            )
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"Project “{project.name}” created. Its Scope phase is open.")
            return go(request, reverse("lifecycle:project-detail", args=[project.pk]))
    return render(request, "lifecycle/project_form.html", {"form": form, "creating": True})


@login_required
@cached_page
def project_detail(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, id=id)
    phases = selectors.phase_list(project=project)
    context = {
        "project": project,
        "access": selectors.project_access(user=request.user, project=project),
        "phases": phases,
        "timeline": charts.timeline_strip(
            [(p.name, p.planned_start, p.planned_end, p.actual_start, p.actual_end) for p in phases],
            today=timezone.localdate(),
            title=f"{project.name}: planned and actual phase dates",
        ),
        "members": selectors.membership_list(project=project),
        "extensions": hooks.registry.extensions(),
        "activity": list(selectors.audit_events_for_project(project=project)[:8]),
    }
    for extension in hooks.registry.extensions():
        if extension.detail_context:
            context.update(extension.detail_context(project, request.user))
    return render(request, "lifecycle/project_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, id=id)
    initial = {
        "name": project.name,
        "description": project.description,
        "use_case_problem": project.use_case_problem,
        "use_case_users": project.use_case_users,
        "use_case_expectations": project.use_case_expectations,
        "tags": ", ".join(t.name for t in project.tags.all()),
        "start_date": project.start_date,
    }
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tags = data.pop("tags")
        if data["start_date"] is None:
            data.pop("start_date")
        try:
            services.project_update(project=project, actor=request.user, tags=tags, **data)
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Project details saved.")
            return go(request, reverse("lifecycle:project-detail", args=[project.pk]))
    # The form is shown only to those who may submit it (the service refuses the others).
    services.project_change_check(actor=request.user, project=project)
    return render(request, "lifecycle/project_form.html", {"form": form, "project": project, "creating": False})


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, id=id)
    if request.method == "POST":
        try:
            services.project_delete(project=project, actor=request.user)
        except ApplicationError as e:
            error_message(request, e)
            return go(request, reverse("lifecycle:project-detail", args=[project.pk]))
        messages.success(request, f"Project “{project.name}” deleted. An administrator can restore it.")
        return go(request, reverse("lifecycle:project-list"))
    services.project_change_check(actor=request.user, project=project)  # the question is for those who may answer it
    return render(request, "lifecycle/project_confirm_delete.html", {"project": project})


@login_required
@require_POST
def project_resume(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, id=id)
    try:
        services.project_resume(project=project, actor=request.user)
        messages.success(request, "Project resumed.")
    except ApplicationError as e:
        error_message(request, e)
    return go(request, reverse("lifecycle:project-detail", args=[project.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def project_advance(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """Administrators only: advance the current phase by hand, with a recorded reason."""
    project = selectors.project_get_for_user(user=request.user, id=id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_advance(project=project, actor=request.user, reason=form.cleaned_data["reason"], by_admin=True)
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Phase advanced by hand; the audit log records your reason.")
            return go(request, reverse("lifecycle:project-detail", args=[project.pk]))
    services.phase_advance_by_hand_check(actor=request.user)  # the form is for those who may submit it
    return render(request, "lifecycle/project_advance.html", {"project": project, "form": form})


@login_required
def project_trash(request: AuthedHtmxRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied("Only administrators can see deleted projects.")
    form = ProjectFilterForm(request.GET)
    projects = selectors.project_list_for_user(user=request.user, filters=project_filters(form, deleted=True))
    page, query = paginate(request, projects)
    return render(request, "lifecycle/project_trash.html", {"page_obj": page, "query_without_page": query, "form": form})


@login_required
@require_POST
def project_restore(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    # Deleted projects are seen by administrators only: the others are refused before the
    # lookup, so that an id tells them nothing (the service checks the actor again).
    services.project_restore_check(actor=request.user)
    project = Project.objects.filter(pk=id).first()
    if project is None:
        raise Http404("No such project.")
    try:
        services.project_restore(project=project, actor=request.user)
        messages.success(request, f"Project “{project.name}” restored.")
    except ApplicationError as e:
        error_message(request, e)
    return go(request, reverse("lifecycle:project-detail", args=[project.pk]))
