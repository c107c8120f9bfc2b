"""The activity of a project, and the whole audit log for administrators."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from lifecycle import selectors, services
from lifecycle.forms import QueryForm
from lifecycle.infrastructure.http import AuthedHtmxRequest
from lifecycle.views.common import paginate


class AuditFilterForm(QueryForm):
    project = forms.CharField(required=False, max_length=200, label="Project name")
    actor = forms.CharField(required=False, max_length=150, label="Actor (username)")
    action = forms.CharField(required=False, max_length=80, help_text="e.g. review. or project.created")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")
    job = forms.UUIDField(required=False, widget=forms.HiddenInput)  # the verification the page follows


@login_required
@require_GET
def project_activity(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, id=id)
    page, query = paginate(request, selectors.audit_events_for_project(project=project), per_page=50)
    return render(request, "lifecycle/project_activity.html", {"project": project, "page_obj": page, "query_without_page": query})


@login_required
@require_GET
def audit_log(request: AuthedHtmxRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied("Only administrators see the whole audit log.")
    form = AuditFilterForm(request.GET)
    form.is_valid()
    data = dict(form.cleaned_data)
    job_id = data.pop("job", None)
    events = selectors.audit_events_filtered(filters=selectors.AuditFilters(**{k: v for k, v in data.items() if v}))
    page, query = paginate(request, events, per_page=50)
    verification = selectors.job_get_for_user(user=request.user, id=job_id) if job_id else None
    context = {"form": form, "page_obj": page, "query_without_page": query, "verification": verification}
    return render(request, "lifecycle/audit_log.html", context)


@login_required
@require_POST
def audit_verify(request: AuthedHtmxRequest) -> HttpResponse:
    """Start verifying the hash chain; the audit log page follows the job and shows its verdict."""
    job = services.audit_verify_request(actor=request.user)
    return redirect(f"{reverse('lifecycle:audit-log')}?job={job.pk}")
