"""Reads of gates and their readiness (never computed here: workers compute, pages read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db.models import BooleanField, DecimalField, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from governance.models import Assessment, Gate
from lifecycle import selectors as lifecycle_selectors
from lifecycle.models import Phase, Project, User
from lifecycle.permissions import Action

TREND_POINTS = 30


def gate_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Gate:
    gate = Gate.objects.select_related("project", "project__template", "phase", "template", "last_assessment").filter(pk=id).first()
    if gate is None:
        raise Http404("No such gate.")
    lifecycle_selectors.project_access_check(user=user, project=gate.project, action=action)
    return gate


def gate_list_for_project(*, project: Project) -> list[Gate]:
    return list(Gate.objects.filter(project=project).select_related("phase", "last_assessment", "template").order_by("phase__order"))


def gate_trend(*, gate: Gate, points: int = TREND_POINTS) -> list[Assessment]:
    """The latest assessments, oldest first, for the readiness chart."""
    rows = list(Assessment.objects.filter(gate=gate).only("score", "ready", "computed_at", "threshold").order_by("-computed_at")[:points])
    return rows[::-1]


@dataclass
class Readiness:
    """What a page or the API shows of a gate's readiness."""

    score: Decimal | None
    ready: bool
    stale: bool
    computed_at: datetime | None
    criteria: list
    blocking: list
    threshold: int
    stale_since: datetime | None = None

    @property
    def stale_for(self) -> str:
        """How long the score has been stale (since its inputs first changed after it)."""
        from django.utils.timesince import timesince

        return timesince(self.stale_since) if self.stale and self.stale_since else ""


def readiness_of(gate: Gate) -> Readiness:
    a = gate.last_assessment
    if a is None:
        return Readiness(None, False, True, None, [], [], gate.template.threshold, gate.inputs_changed_at)
    return Readiness(a.score, a.ready, gate.stale, a.computed_at, a.criteria, a.blocking, a.threshold, gate.inputs_changed_at)


def project_list_annotate_readiness(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """The current phase's gate readiness for each row of the project list (three correlated
    subqueries, evaluated for the rows of the page only)."""
    gate = Gate.objects.filter(project=OuterRef("pk"), phase__key=OuterRef("current_phase"))
    return queryset.annotate(
        gate_score=Subquery(gate.values("last_assessment__score")[:1], output_field=DecimalField()),
        gate_ready=Subquery(gate.values("last_assessment__ready")[:1], output_field=BooleanField()),
        gate_stale=Subquery(gate.values("stale")[:1], output_field=BooleanField()),
    )


def project_gates_context(project: Project, user: User) -> dict:
    gates = gate_list_for_project(project=project)
    current = next((g for g in gates if g.phase.key == project.current_phase), None)
    return {
        "gates": gates,
        "gate_by_phase": {g.phase_id: g for g in gates},
        "current_gate": current,
        "current_readiness": readiness_of(current) if current else None,
        "gate_trends": gate_trends_for_project(gates=gates),
    }


def gate_trends_for_project(*, gates: list[Gate], points: int = TREND_POINTS) -> list[dict]:
    """The readiness trend of the gates of phases that have started, from one query: the latest
    `points` assessments of each, oldest first, as a chart and the rows of its table."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from lifecycle.infrastructure import charts

    rows = (
        Assessment.objects.filter(gate__in=[g.pk for g in gates if g.phase.status != Phase.Status.NOT_STARTED])
        .annotate(n=Window(RowNumber(), partition_by=F("gate_id"), order_by=F("computed_at").desc()))
        .filter(n__lte=points)
        .only("gate_id", "score", "ready", "computed_at", "threshold")
        .order_by("gate_id", "computed_at")
    )
    by_gate: dict = {}
    for row in rows:
        by_gate.setdefault(row.gate_id, []).append(row)
    trends = []
    for gate in gates:
        history = by_gate.get(gate.pk)
        if not history:
            continue
        title = f"{gate.phase.name} gate readiness"
        trends.append(
            {
                "gate": gate,
                "rows": history,
                "chart": charts.line_chart(
                    [(f"{a.computed_at:%d %b %H:%M}", a.score) for a in history],
                    threshold=float(history[-1].threshold),
                    title=title,
                    height=120,
                ),
            }
        )
    return trends


def stale_age_seconds(gate: Gate) -> int:
    return int((timezone.now() - gate.inputs_changed_at).total_seconds()) if gate.stale else 0


def phase_gate_context(phase: Phase, user: User) -> dict:
    gate = Gate.objects.select_related("last_assessment", "template").filter(phase=phase).first()
    return {"phase_gate": gate, "phase_readiness": readiness_of(gate) if gate else None}
