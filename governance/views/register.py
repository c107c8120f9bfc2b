"""Sign-offs, the compliance page, the EU AI Act questionnaire, and life after launch.

Pages load what they show for whoever may see the project (404 for the others); the services
decide who may act (403 with their message)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import selectors, services
from governance.classification import ANNEX_III_AREAS, clean_answers, point_area
from governance.forms import ClassificationForm, ControlDecisionForm, IncidentForm, ScheduleForm, SignoffDecisionForm, TaskCompleteForm
from governance.models import Classification, Signoff
from lifecycle import selectors as lifecycle_selectors
from lifecycle.exceptions import ApplicationError
from lifecycle.infrastructure import exports
from lifecycle.infrastructure.http import AuthedHtmxRequest
from lifecycle.models import Project
from lifecycle.permissions import Action
from lifecycle.views.common import go
from phases import selectors as phases_selectors


@login_required
@require_GET
def signoff_list(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    signoffs = list(selectors.signoff_list_for_project(project=project))
    return render(
        request,
        "governance/signoff_list.html",
        {"project": project, "signoffs": signoffs, "access": lifecycle_selectors.project_access(user=request.user, project=project)},
    )


def _decision_form(request: AuthedHtmxRequest, signoff: Signoff) -> SignoffDecisionForm:
    project = signoff.project
    artifacts = list(phases_selectors.artifact_list_for_project(project=project))
    from phases.models import Attachment

    attachments = list(Attachment.objects.filter(artifact__project=project).select_related("artifact"))
    return SignoffDecisionForm(request.POST or None, artifacts=artifacts, attachments=attachments)


@login_required
@require_http_methods(["GET", "POST"])
def signoff_detail(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """The sign-off, and for members holding its function, the decision form."""
    signoff = selectors.signoff_get_for_user(user=request.user, id=id)
    access = lifecycle_selectors.project_access(user=request.user, project=signoff.project)
    can_decide = services.signoff_decide_allowed(access=access, signoff=signoff) and not signoff.project.is_read_only
    if request.method != "POST":
        form = _decision_form(request, signoff) if can_decide else None
    else:
        # A decision is personal: whoever does not hold the function is refused (403) before the
        # form is judged, by the rule signoff_decide applies itself.
        services.signoff_decider_check(access=access, signoff=signoff)
        form = _decision_form(request, signoff)
        if form.is_valid():
            try:
                services.signoff_decide(
                    signoff=signoff,
                    actor=request.user,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    evidence=form.evidence(),
                )
            except ApplicationError as e:
                form.add_service_error(e)
            else:
                messages.success(request, "Decision recorded.")
                return go(request, signoff.get_absolute_url())
    context = {"signoff": signoff, "project": signoff.project, "form": form, "can_decide": can_decide, "access": access}
    return render(request, "governance/signoff_detail.html", context)


@login_required
@require_GET
def compliance(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    context = {
        "project": project,
        "frameworks": selectors.compliance_for_project(project=project),
        "classification": Classification.objects.filter(project=project).first(),
    }
    return render(request, "governance/compliance.html", context)


def classification_initial(answers: dict) -> dict:
    """The stored answers as the questionnaire shows them: the areas answered as a whole are
    those no chosen point stands for (the stored areas include the points' areas)."""
    cleaned, _ = clean_answers(answers)
    pointed = {point_area(p) for p in cleaned["annex_iii_points"]}
    cleaned["annex_iii_areas"] = [n for n in cleaned["annex_iii_areas"] if n not in pointed]
    return {k: ([str(v) for v in val] if isinstance(val, list) else val) for k, val in cleaned.items() if k != "provider"}


@login_required
@require_http_methods(["GET", "POST"])
def classification(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """The EU AI Act questionnaire. Everyone in the project reads the result; owners and
    contributors answer it (classification_set refuses the others)."""
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    current = Classification.objects.select_related("classified_by", "pending_signoff").filter(project=project).first()
    initial = classification_initial((current.pending or {}).get("answers") or current.answers if current else {})
    form = ClassificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.classification_set(project=project, actor=request.user, answers=form.cleaned_data)
        except ApplicationError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, change.summary)
            return go(request, reverse("governance:classification", args=[project.pk]))
    access = lifecycle_selectors.project_access(user=request.user, project=project)
    context = {
        "project": project,
        "form": form,
        "classification": current,
        "obligations": selectors.classification_obligations(classification=current) if current else [],
        "areas": dict(ANNEX_III_AREAS),
        "can_answer": access.allows(Action.CONTRIBUTE) and not project.is_read_only,
    }
    return render(request, "governance/classification.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_launch(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """Scheduled audits and reviews and the incident log; owners set the schedule (POST, which
    post_launch_schedule_set refuses the others)."""
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    page = selectors.post_launch_page(project=project)
    form = ScheduleForm(
        request.POST or None,
        initial={
            "bias_audit_every_days": page["schedule"].bias_audit_every_days,
            "monitoring_review_every_days": page["schedule"].monitoring_review_every_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.post_launch_schedule_set(project=project, actor=request.user, **form.cleaned_data)
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Schedule saved.")
            return go(request, reverse("governance:post-launch", args=[project.pk]))
    access = lifecycle_selectors.project_access(user=request.user, project=project)
    context = {
        **page,
        "project": project,
        "form": form,
        "complete_form": TaskCompleteForm(),
        "can_manage": access.allows(Action.MANAGE) and not project.is_read_only,
        "can_contribute": access.allows(Action.CONTRIBUTE) and not project.is_read_only,
    }
    return render(request, "governance/post_launch.html", context)


@login_required
@require_POST
def post_launch_task_complete(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    task = selectors.post_launch_task_get_for_user(user=request.user, id=id)
    form = TaskCompleteForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("Record what the audit or review found.")
        services.post_launch_task_complete(task=task, actor=request.user, notes=form.cleaned_data["notes"])
        messages.success(request, f"{task.get_kind_display()} recorded as done.")
    except ApplicationError as e:
        messages.error(request, e.message)
    return go(request, reverse("governance:post-launch", args=[task.project_id]))


def _form_for_writers(request: AuthedHtmxRequest, project: Project) -> None:
    """An incident form is shown only to those who may log incidents (403 for the others, as the
    service answers their POST): the page's own display rule, not the write's check."""
    lifecycle_selectors.project_access_check(user=request.user, project=project, action=Action.CONTRIBUTE)


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(project=project, actor=request.user, **form.cleaned_data)
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Incident logged.")
            return go(request, incident.get_absolute_url())
    _form_for_writers(request, project)
    return render(request, "governance/incident_form.html", {"project": project, "form": form})


@login_required
@require_GET
def incident_detail(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    incident = selectors.incident_get_for_user(user=request.user, id=id)
    access = lifecycle_selectors.project_access(user=request.user, project=incident.project)
    can_edit = access.allows(Action.CONTRIBUTE) and not incident.project.is_read_only
    return render(request, "governance/incident_detail.html", {"incident": incident, "project": incident.project, "can_edit": can_edit})


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    incident = selectors.incident_get_for_user(user=request.user, id=id)
    initial = {f: getattr(incident, f) for f in IncidentForm.base_fields}
    form = IncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update(incident=incident, actor=request.user, **form.cleaned_data)
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Incident saved.")
            return go(request, incident.get_absolute_url())
    _form_for_writers(request, incident.project)
    return render(request, "governance/incident_form.html", {"project": incident.project, "incident": incident, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def statement_of_applicability(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """The ISO/IEC 42001 Statement of Applicability: every Annex A control, whether it applies
    and why, and the work implementing it; `?format=csv|xlsx` downloads it. Owners and
    contributors record decisions (POST, which control_decision_set refuses the others)."""
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    if request.method == "POST":
        form = ControlDecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.control_decision_set(
                    project=project,
                    actor=request.user,
                    code=data["code"],
                    applicable=data["applicable"],
                    justification=data["justification"],
                )
            except ApplicationError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, f"{data['code']} recorded.")
        else:
            messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(reverse("governance:soa", args=[project.pk]) + (f"#control-{request.POST.get('code', '')[:20]}"))
    rows = selectors.statement_of_applicability(project=project)
    if "format" in request.GET:
        return exports.table_response(
            header=selectors.SOA_HEADER,
            rows=selectors.statement_of_applicability_rows(rows),
            basename="statement-of-applicability",
            fmt=request.GET["format"],
            title="Statement of Applicability",
        )
    access = lifecycle_selectors.project_access(user=request.user, project=project)
    context = {
        "project": project,
        "rows": rows,
        "counts": {k: sum(r.applicable == k for r in rows) for k in ("yes", "no", "undecided")},
        "can_decide": access.allows(Action.CONTRIBUTE) and not project.is_read_only,
    }
    return render(request, "governance/statement_of_applicability.html", context)
