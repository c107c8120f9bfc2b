from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from lifecycle import hooks, selectors
from lifecycle.forms import ProjectFilterForm
from lifecycle.infrastructure.http import AuthedHtmxRequest
from lifecycle.views.projects import project_filters


@login_required
def home(request: AuthedHtmxRequest) -> HttpResponse:
    """The portfolio dashboard, for the projects its filters (kept in the URL) select."""
    form = ProjectFilterForm(request.GET)
    project_ids = selectors.dashboard_project_ids(user=request.user, filters=project_filters(form))
    context = {"form": form, "filtered": any(v for k, v in request.GET.items() if k in form.fields)}
    context |= selectors.dashboard_core(user=request.user, project_ids=project_ids)
    panels = []
    for panel in hooks.registry.dashboard_panels:
        context |= panel.context(request.user, project_ids)
        panels.append(panel.template)
    context["panels"] = panels
    return render(request, "lifecycle/home.html", context)


@login_required
def inbox(request: AuthedHtmxRequest) -> HttpResponse:
    return render(request, "lifecycle/inbox.html", {"items": selectors.inbox_items(user=request.user)})
