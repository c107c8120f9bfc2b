"""Phase pages: the checklist (ticked in place with htmx, and without JavaScript too), and its
export as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from lifecycle import selectors as lifecycle_selectors
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError
from lifecycle.forms import PhaseDatesForm
from lifecycle.infrastructure import exports
from lifecycle.infrastructure.http import AuthedHtmxRequest, render_partial_or_page, wants_partial
from lifecycle.permissions import Action
from phases import selectors, services
from phases.forms import ChecklistItemForm, ChecklistToggleForm
from phases.models import ChecklistItem


@login_required
@require_GET
@vary_on_headers("HX-Request")
def phase_detail(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    phase = lifecycle_selectors.phase_get_for_user(user=request.user, id=id)
    context = selectors.phase_page(phase=phase, user=request.user)
    return render(request, "phases/phase_detail.html", context)


@login_required
@require_POST
def phase_dates(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """Owners re-plan a phase: its planned start and end."""
    phase = lifecycle_selectors.phase_get_for_user(user=request.user, id=id, action=Action.MANAGE)
    form = PhaseDatesForm(request.POST)
    if form.is_valid():
        try:
            lifecycle_services.phase_update_dates(phase=phase, actor=request.user, **form.cleaned_data)
            messages.success(request, "Planned dates saved.")
        except ApplicationError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, "Give both planned dates as YYYY-MM-DD.")
    return redirect(phase.get_absolute_url())


@login_required
@require_GET
def phase_progress(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """The progress bar of a phase's checklist, which reloads itself after each tick: one count
    query, not the page's checklist (a plain visit gets the phase page)."""
    phase = lifecycle_selectors.phase_get_for_user(user=request.user, id=id)
    progress = selectors.phase_progress(project=phase.project).get(phase.pk, {})
    return render_partial_or_page(
        request,
        "phases/phase_detail.html",
        {"phase": phase, "progress": progress},
        partial="phase-progress",
        page_context=lambda: selectors.phase_page(phase=phase, user=request.user),
    )


def _item_response(request: AuthedHtmxRequest, item: ChecklistItem, form: ChecklistItemForm | None = None, error: str = "") -> HttpResponse:
    context = {"item": item, "can_contribute": True, "form": form, "toggle_error": error}
    response = render(request, "phases/phase_detail.html#checklist-item", context)
    return trigger_client_event(response, "checklist-changed", {"item": str(item.pk)})


@login_required
@require_POST
def checklist_item_toggle(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    item = selectors.checklist_item_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
    form = ChecklistToggleForm(request.POST)
    form.is_valid()
    error = ""
    try:
        item = services.checklist_item_set_done(item=item, actor=request.user, done=form.cleaned_data.get("done", False))
    except ApplicationError as e:
        error = e.message
    if not wants_partial(request):
        if error:
            messages.error(request, error)
        return redirect(f"{item.phase.get_absolute_url()}#item-{item.pk}")
    return _item_response(request, item, error=error)


@login_required
@require_POST
def checklist_item_update(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """Save the note and evidence links of an item (its done state is untouched)."""
    item = selectors.checklist_item_get_for_user(user=request.user, id=id, action=Action.CONTRIBUTE)
    # The form goes back only when it has errors to show.
    form: ChecklistItemForm | None
    form = ChecklistItemForm(request.POST)
    if form.is_valid():
        try:
            item = services.checklist_item_set_done(
                item=item,
                actor=request.user,
                done=item.done,
                note=form.cleaned_data["note"],
                evidence_links=services.split_links(form.cleaned_data["evidence_links"]),
            )
        except ApplicationError as e:
            form.add_service_error(e)
            if not wants_partial(request):
                messages.error(request, e.message)
        else:
            messages.success(request, "Note and evidence saved.")
            form = None
    elif not wants_partial(request):
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    if not wants_partial(request):
        return redirect(f"{item.phase.get_absolute_url()}#item-{item.pk}")
    return _item_response(request, item, form)


CHECKLIST_EXPORT_HEADER = [
    "phase",
    "order",
    "title",
    "required",
    "weight",
    "done",
    "done by",
    "done at",
    "note",
    "evidence links",
    "framework refs",
]


def _checklist_rows(items: Iterable[ChecklistItem]) -> Iterator[list]:
    for item in items:
        yield [
            item.phase.name,
            item.order,
            item.title,
            item.required,
            item.weight,
            item.done,
            item.done_by.username if item.done_by else "",
            item.done_at,
            item.note,
            "\n".join(str(link) for link in item.evidence_links),
            ", ".join(str(ref) for ref in item.refs),
        ]


@login_required
@require_GET
def checklist_export(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """Every phase's checklist of a project, for anyone who can see the project (?format=csv|xlsx)."""
    project = lifecycle_selectors.project_get_for_user(user=request.user, id=id)
    items = selectors.checklist_list_for_project(project=project).order_by("phase__order", "order")
    return exports.table_response(
        header=CHECKLIST_EXPORT_HEADER,
        rows=_checklist_rows(items),
        basename=f"checklist-{project.pk}",
        fmt=request.GET.get("format", ""),
        title="Checklist",
    )
