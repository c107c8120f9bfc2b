"""The dashboard's governance panels, each for the projects the dashboard's filters select
(`project_ids`, a subquery) and each in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from governance.models import Classification, Gate, Incident, PostLaunchTask, Review, Risk, RiskMatrix, Tier
from governance.selectors.risks import heat_map
from lifecycle.infrastructure import charts
from lifecycle.models import Project, User

TOP = 8
BUCKETS = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 101)]


def gates_waiting(user: User, project_ids: QuerySet) -> dict:
    """Open gate reviews, most urgent first, with how many are overdue."""
    now = timezone.now()
    reviews = Review.objects.filter(status=Review.Status.OPEN, project_id__in=project_ids)
    counts = reviews.aggregate(total=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
    rows = list(
        reviews.select_related("project", "gate__phase")
        .annotate(go_votes=Count("votes", filter=Q(votes__decision="go")))
        .order_by("due_at", "id")[:TOP]
    )
    return {"waiting": {"rows": rows, "now": now, **counts}}


def readiness_distribution(user: User, project_ids: QuerySet) -> dict:
    """Where the active projects' current gates stand: how many in each score band, and ready."""
    gates = Gate.objects.filter(project_id__in=project_ids, project__status=Project.Status.ACTIVE, phase__key=F("project__current_phase"))
    # One pass over the gates: a filtered count per band, and the totals.
    bands = {
        f"band{i}": Count("id", filter=Q(last_assessment__score__gte=low, last_assessment__score__lt=high))
        for i, (low, high) in enumerate(BUCKETS)
    }
    counts = gates.aggregate(
        **bands,
        total=Count("id"),
        ready=Count("id", filter=Q(last_assessment__ready=True)),
        stale=Count("id", filter=Q(stale=True)),
    )
    bars = [(f"{low}–{min(high, 100)}", counts[f"band{i}"]) for i, (low, high) in enumerate(BUCKETS)]
    return {
        "readiness": {
            "bars": bars,
            "unscored": counts["total"] - sum(n for _, n in bars),
            "total": counts["total"],
            "chart": charts.bar_chart(bars, title="Current gates by readiness score"),
            "ready": counts["ready"],
            "stale": counts["stale"],
        }
    }


def top_risks(user: User, project_ids: QuerySet) -> dict:
    """The highest open risks, and the heat map of every open risk."""
    risks = Risk.objects.filter(project_id__in=project_ids).exclude(status__in=[Risk.Status.CLOSED])
    top = list(risks.select_related("project", "category", "owner").order_by("-inherent_score", "-updated_at", "id")[:TOP])
    # The heat map, like the portfolio register's, places the projects that use the 5×5 matrix.
    matrix = RiskMatrix.objects.get(key="5x5")
    heat = heat_map(risks=risks.filter(project__template__governance__risk_matrix=matrix), matrix=matrix)
    return {"risks": {"top": top, "heat": heat, "total": risks.count(), "matrix": matrix}}


def recent_decisions(user: User, project_ids: QuerySet) -> dict:
    rows = list(
        Review.objects.filter(project_id__in=project_ids, status=Review.Status.RESOLVED)
        .select_related("project", "gate__phase")
        .order_by("-resolved_at", "-id")[:TOP]
    )
    return {"decisions": rows}


def overdue_post_launch(user: User, project_ids: QuerySet) -> dict:
    tasks = PostLaunchTask.objects.filter(
        project_id__in=project_ids, status=PostLaunchTask.Status.DUE, due_on__lt=timezone.localdate()
    ).select_related("project")
    rows = list(tasks.order_by("due_on", "id")[:TOP])
    # Serious incidents whose report to the authority is still to be sent, by due date (Art. 73).
    reports = Incident.objects.filter(
        project_id__in=project_ids, serious=True, reported_at__isnull=True, report_due_on__isnull=False
    ).select_related("project")
    due = list(reports.order_by("report_due_on", "id")[:TOP])
    return {
        "post_launch": {"rows": rows, "total": tasks.count() if len(rows) == TOP else len(rows)},
        "incident_reports": {"rows": due, "total": reports.count() if len(due) == TOP else len(due)},
    }


# --- The EU AI Act tier as a project filter -----------------------------------------------------

UNCLASSIFIED = "unclassified"


def tier_choices() -> list[tuple[str, str]]:
    allowed = {"prohibited", "high", "limited", "minimal"}
    return [(value, label) for value, label in Tier.choices if value in allowed] + [(UNCLASSIFIED, "Not classified yet")]


def tier_filter(queryset: Any, value: str) -> Any:
    if value == UNCLASSIFIED:
        return queryset.exclude(pk__in=Classification.objects.values("project_id"))
    return queryset.filter(pk__in=Classification.objects.filter(tier=value).values("project_id"))
