"""The members page: who is in the project, with which role and functions."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from lifecycle import selectors, services
from lifecycle.exceptions import ApplicationError
from lifecycle.forms import MemberAddForm, MemberEditForm
from lifecycle.infrastructure.http import AuthedHtmxRequest, render_partial_or_page, wants_partial
from lifecycle.models import Project
from lifecycle.permissions import Action
from lifecycle.views.common import error_message, go


def _page(request: AuthedHtmxRequest, project: Project, form: MemberAddForm | None) -> HttpResponse:
    """The members page, or for htmx its member panel (the add form posts into it)."""
    context = {"project": project, "members": selectors.membership_list(project=project), "form": form}
    return render_partial_or_page(
        request,
        "lifecycle/project_members.html",
        context,
        partial="member-panel",
        page_context=lambda: {"access": selectors.project_access(user=request.user, project=project)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """GET shows the members (and, for owners, the add form); POST adds a member."""
    project = selectors.project_get_for_user(user=request.user, id=id)
    functions = selectors.function_list()
    if request.method != "POST":
        can_manage = selectors.project_access(user=request.user, project=project).allows(Action.MANAGE)
        return _page(request, project, MemberAddForm(functions=functions) if can_manage else None)
    form = MemberAddForm(request.POST, functions=functions)
    if form.is_valid():
        try:
            membership = services.membership_add(project=project, actor=request.user, **form.cleaned_data)
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"{membership.user.display_name} added as {membership.get_role_display().lower()}.")
            if not wants_partial(request):
                return go(request, reverse("lifecycle:member-list", args=[project.pk]))
            form = MemberAddForm(functions=functions)
    # The form goes back only to those who may submit it (the service refuses the others).
    services.membership_change_check(actor=request.user, project=project)
    return _page(request, project, form)


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    membership = selectors.membership_get_for_user(user=request.user, id=id)
    functions = selectors.function_list()
    initial = {"role": membership.role, "functions": list(membership.functions.values_list("key", flat=True))}
    form = MemberEditForm(request.POST or None, initial=initial, functions=functions)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=membership, actor=request.user, **form.cleaned_data)
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"{membership.user.display_name}'s role and functions saved.")
            return go(request, reverse("lifecycle:member-list", args=[membership.project_id]))
    services.membership_change_check(actor=request.user, project=membership.project)  # the form is for those who may submit it
    return render(request, "lifecycle/member_edit.html", {"membership": membership, "project": membership.project, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    membership = selectors.membership_get_for_user(user=request.user, id=id)
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, actor=request.user)
            messages.success(request, f"{membership.user.display_name} removed from the project.")
        except ApplicationError as e:
            error_message(request, e)
        return go(request, reverse("lifecycle:member-list", args=[membership.project_id]))
    services.membership_change_check(actor=request.user, project=membership.project)  # the question is for those who may answer it
    return render(request, "lifecycle/member_confirm_remove.html", {"membership": membership, "project": membership.project})
