"""What governance shows on the project page."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q

from governance.models import Classification, Risk, RiskLevel, Signoff
from lifecycle.models import Project, User


def project_governance_panel(project: Project, user: User) -> dict:
    """Tier, risks that count as open by level, and sign-off counts (three queries)."""
    counts: Counter[str] = Counter()
    for inherent, residual, status, expires in Risk.objects.filter(project=project).values_list(
        "inherent_level", "residual_level", "status", "acceptance_expires_on"
    ):
        risk = Risk(inherent_level=inherent, residual_level=residual, status=status, acceptance_expires_on=expires)
        if risk.counts_as_open():
            counts[risk.level] += 1
    signoffs = Signoff.objects.filter(project=project).aggregate(
        total=Count("pk"),
        approved=Count("pk", filter=Q(status=Signoff.Status.APPROVED)),
        rejected=Count("pk", filter=Q(status=Signoff.Status.REJECTED)),
    )
    return {
        "governance": {
            "classification": Classification.objects.filter(project=project).first(),
            "open_risks": [(level, label, counts[level]) for level, label in reversed(RiskLevel.choices)],
            "open_risk_total": sum(counts.values()),
            "signoffs": signoffs,
        }
    }
