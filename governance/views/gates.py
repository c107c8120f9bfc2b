"""Gate pages: readiness explained criterion by criterion, its trend, and recompute on demand.
Nothing here computes readiness: workers do, pages read it."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from governance import selectors
from governance.forms import GateQuery
from governance.services import readiness as readiness_services
from lifecycle import selectors as lifecycle_selectors
from lifecycle.infrastructure import charts
from lifecycle.infrastructure.http import AuthedHtmxRequest
from lifecycle.permissions import Action


@login_required
@require_GET
def gate_detail(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    gate = selectors.gate_get_for_user(user=request.user, id=id)
    trend = selectors.gate_trend(gate=gate)
    access = lifecycle_selectors.project_access(user=request.user, project=gate.project)
    query = GateQuery.read(request.GET)
    context = {
        "gate": gate,
        "project": gate.project,
        "phase": gate.phase,
        "readiness": selectors.readiness_of(gate),
        "trend": trend,
        "chart": charts.line_chart(
            [(a.computed_at.strftime("%d %b %H:%M"), a.score) for a in trend],
            threshold=gate.template.threshold,
            title=f"Readiness of the {gate.phase.name} gate over time",
        ),
        "can_recompute": access.allows(Action.REVIEW) and not gate.project.is_read_only,
        "job_id": query.get("job"),
        "access": access,
    }
    context.update(_review_context(gate, request.user))
    template = (
        "governance/gate_detail.html#readiness-panel"
        if request.htmx and query.get("part") == "readiness"
        else "governance/gate_detail.html"
    )
    return render(request, template, context)


def _review_context(gate: object, user: object) -> dict:
    """Hook for the review section (filled in by the reviews module)."""
    from governance.views import reviews

    return reviews.review_context(gate, user)


@login_required
@require_POST
def gate_recompute(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """Start a recompute (owners: gate_recompute_request refuses the others)."""
    gate = selectors.gate_get_for_user(user=request.user, id=id)
    job = readiness_services.gate_recompute_request(gate=gate, actor=request.user)
    if request.htmx:
        return render(request, "lifecycle/_job.html", {"job": job, "done_url": gate.get_absolute_url()})
    return redirect(f"{gate.get_absolute_url()}?job={job.pk}")
