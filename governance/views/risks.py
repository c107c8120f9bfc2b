"""The risk register: per project and across the portfolio, with heat maps and CSV/XLSX export.

Pages load what they show for whoever may see the project (404 for the others); the services
decide who may write (403 with their message)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import selectors, services
from governance.forms import NOT_CLOSED, CategoryForm, RiskAcceptForm, RiskFilterForm, RiskForm
from governance.models import Risk, RiskLevel
from lifecycle import selectors as lifecycle_selectors
from lifecycle.exceptions import ApplicationError
from lifecycle.infrastructure import exports
from lifecycle.infrastructure.http import AuthedHtmxRequest
from lifecycle.models import Project
from lifecycle.permissions import Action
from lifecycle.views.common import go, paginate


def _filters(request: AuthedHtmxRequest) -> selectors.RiskFilters:
    data = RiskFilterForm.read(request.GET)
    status = data.get("status", "")
    return selectors.RiskFilters(
        status="" if status == NOT_CLOSED else status,
        open_only=status == NOT_CLOSED,
        level=data.get("level", ""),
        category=data.get("category", ""),
        likelihood=data.get("likelihood"),
        impact=data.get("impact"),
        owner=data.get("owner", ""),
        search=data.get("q", ""),
        ordering=data.get("sort") or "-score",
    )


def _export(request: AuthedHtmxRequest, risks: QuerySet[Risk], basename: str, project: Project | None = None) -> HttpResponse:
    rows = selectors.risk_export_rows(risks, project)
    # The portfolio's register (no project) is the whole portfolio: one such export per person at a time.
    return exports.table_response(
        header=selectors.RISK_EXPORT_HEADER,
        rows=rows,
        basename=basename,
        fmt=request.GET["format"],
        title="Risks",
        one_per_user=request.user if project is None else None,
    )


@login_required
@require_GET
def risk_list(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    filters = _filters(request)
    risks = selectors.risk_list_for_project(project=project, filters=filters)
    if "format" in request.GET:
        return _export(request, risks, f"risks-{project.pk}", project)
    matrix = services.risk_matrix_for(project)
    page, query = paginate(request, risks)
    context = {
        "project": project,
        "page_obj": page,
        "query_without_page": query,
        "filters": filters,
        "matrix": matrix,
        "heat": selectors.heat_map(risks=project.risks.all(), matrix=matrix),
        "heat_url": reverse("governance:risk-list", args=[project.pk]),
        "categories": selectors.risk_categories_for(project=project),
        "statuses": Risk.Status.choices,
        "levels": RiskLevel.choices,
        "can_write": lifecycle_selectors.project_access(user=request.user, project=project).allows(Action.CONTRIBUTE)
        and not project.is_read_only,
    }
    return render(request, "governance/risk_list.html", context)


@login_required
@require_GET
def portfolio_risks(request: AuthedHtmxRequest) -> HttpResponse:
    filters = _filters(request)
    risks = selectors.risk_list_for_user(user=request.user, filters=filters)
    if "format" in request.GET:
        return _export(request, risks, "portfolio-risks")
    from governance.models import RiskMatrix

    matrix = RiskMatrix.objects.get(key="5x5")
    page, query = paginate(request, risks)
    context = {
        "page_obj": page,
        "query_without_page": query,
        "filters": filters,
        "matrix": matrix,
        "heat": selectors.heat_map(
            risks=selectors.risk_list_for_user(user=request.user).filter(project__template__governance__risk_matrix=matrix),
            matrix=matrix,
        ),
        "heat_url": reverse("governance:portfolio-risks"),
        "categories": selectors.risk_categories_for(project=None),
        "statuses": Risk.Status.choices,
        "levels": RiskLevel.choices,
        "portfolio": True,
    }
    return render(request, "governance/risk_list.html", context)


def _risk_form(request: AuthedHtmxRequest, project: Project, risk: Risk | None = None) -> RiskForm:
    initial = {}
    if risk is not None:
        initial = {
            "title": risk.title,
            "description": risk.description,
            "category": risk.category.key,
            "phase_found": risk.phase_found,
            "likelihood": risk.likelihood,
            "impact": risk.impact,
            "residual_likelihood": risk.residual_likelihood,
            "residual_impact": risk.residual_impact,
            "owner": str(risk.owner_id or ""),
            "treatment": risk.treatment,
            "mitigation_plan": risk.mitigation_plan,
            "mitigation_due": risk.mitigation_due,
            "status": risk.status,
        }
    else:
        initial = {"phase_found": project.current_phase, "status": "open", "owner": str(request.user.pk)}
    return RiskForm(
        request.POST or None,
        initial=initial,
        categories=selectors.risk_categories_for(project=project),
        project=project,
        members=lifecycle_selectors.project_users(project=project),
        matrix=services.risk_matrix_for(project),
        accepted=risk is not None and risk.status == Risk.Status.ACCEPTED,
    )


def _fields(form: RiskForm, project: Project) -> dict:
    data = dict(form.cleaned_data)
    categories = {c.key: c for c in selectors.risk_categories_for(project=project)}
    data["category"] = categories[data["category"]]
    return data


def _form_for_writers(request: AuthedHtmxRequest, project: Project) -> None:
    """A risk form is shown only to those who may write risks (403 for the others, as the service
    answers their POST): the page's own display rule, not the write's check."""
    lifecycle_selectors.project_access_check(user=request.user, project=project, action=Action.CONTRIBUTE)


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    form = _risk_form(request, project)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(project=project, actor=request.user, **_fields(form, project))
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(
                request, f"Risk “{risk.title}” added ({risk.get_inherent_level_display().lower()}, score {risk.inherent_score})."
            )
            return go(request, risk.get_absolute_url())
    _form_for_writers(request, project)
    return render(request, "governance/risk_form.html", {"project": project, "form": form, "category_form": CategoryForm()})


@login_required
@require_POST
def risk_category_create(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            category = services.risk_category_create(project=project, actor=request.user, name=form.cleaned_data["name"])
            messages.success(request, f"Category “{category.name}” added to this project.")
        except ApplicationError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, "Give the category a name.")
    return go(request, reverse("governance:risk-create", args=[project.pk]))


@login_required
@require_GET
def risk_detail(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    risk = selectors.risk_get_for_user(user=request.user, id=id)
    access = lifecycle_selectors.project_access(user=request.user, project=risk.project)
    writable = not risk.project.is_read_only
    context = {
        "risk": risk,
        "project": risk.project,
        "matrix": services.risk_matrix_for(risk.project),
        "can_edit": writable and access.allows(Action.CONTRIBUTE),
        "can_accept": writable and risk.status in ("open", "mitigating") and services.risk_acceptance_allowed(access=access, risk=risk),
        "needs_approver": RiskLevel.rank(risk.level) >= RiskLevel.rank("high"),
        "accept_form": RiskAcceptForm(),
    }
    return render(request, "governance/risk_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    risk = selectors.risk_get_for_user(user=request.user, id=id)
    form = _risk_form(request, risk.project, risk)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_update(risk=risk, actor=request.user, **_fields(form, risk.project))
        except ApplicationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Risk saved.")
            return go(request, risk.get_absolute_url())
    _form_for_writers(request, risk.project)
    return render(request, "governance/risk_form.html", {"project": risk.project, "risk": risk, "form": form})


@login_required
@require_POST
def risk_accept(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    risk = selectors.risk_get_for_user(user=request.user, id=id)
    form = RiskAcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the expiry as a date.")
        return go(request, risk.get_absolute_url())
    try:
        services.risk_accept(risk=risk, actor=request.user, **form.cleaned_data)
        messages.success(request, "Risk accepted.")
    except ApplicationError as e:
        messages.error(request, e.message)
    return go(request, risk.get_absolute_url())
