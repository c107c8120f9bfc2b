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
from governance.models import Gate
from governance.services import readiness as readiness_services
from lifecycle import selectors as lifecycle_selectors
from lifecycle.infrastructure import charts
from lifecycle.infrastructure.http import AuthedHtmxRequest, render_partial_or_page, wants_partial
from lifecycle.models import User
from lifecycle.permissions import Action


@login_required
@require_GET
def gate_detail(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """The gate page; for htmx, its readiness panel alone, which polls itself every few seconds
    while the score is stale: that poll reads the gate and its latest assessment, nothing of the
    trend, the chart or the review the rest of the page shows."""
    gate = selectors.gate_get_for_user(user=request.user, id=id)
    context = {"gate": gate, "project": gate.project, "phase": gate.phase, "readiness": selectors.readiness_of(gate)}
    return render_partial_or_page(
        request, "governance/gate_detail.html", context, partial="readiness-panel", page_context=lambda: _page_context(request, gate)
    )


def _page_context(request: AuthedHtmxRequest, gate: Gate) -> dict:
    """What the gate page shows around the readiness panel."""
    trend = selectors.gate_trend(gate=gate)
    access = lifecycle_selectors.project_access(user=request.user, project=gate.project)
    query = GateQuery.read(request.GET)
    return {
        "trend": trend,
        "chart": charts.line_chart(
            [(a.computed_at.strftime("%d %b %H:%M"), a.score) for a in trend],
            threshold=gate.template.threshold,
            title=f"Readiness of the {gate.phase.name} gate over time",
        ),
        "can_recompute": access.allows(Action.REVIEW) and not gate.project.is_read_only,
        "job_id": query.get("job"),
        "access": access,
        **_review_context(gate, request.user),
    }


def _review_context(gate: Gate, user: User) -> dict:
    """Hook for the review section (filled in by the reviews module)."""
    from governance.views import reviews

    return reviews.review_context(gate, user)


@login_required
@require_POST
def gate_recompute(request: AuthedHtmxRequest, id: UUID) -> HttpResponse:
    """Start a recompute (owners: gate_recompute_request refuses the others)."""
    gate = selectors.gate_get_for_user(user=request.user, id=id)
    job = readiness_services.gate_recompute_request(gate=gate, actor=request.user)
    if wants_partial(request):
        return render(request, "lifecycle/_job.html", {"job": job, "done_url": gate.get_absolute_url()})
    return redirect(f"{gate.get_absolute_url()}?job={job.pk}")
