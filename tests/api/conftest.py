"""Fixtures for the API tests: one of every resource in alice's project."""

from __future__ import annotations

import copy

import pytest

from governance import services as governance_services
from governance.models import Gate, RiskCategory, Signoff
from lifecycle import services as lifecycle_services
from phases import services as phases_services
from sample_data.artifacts import SAMPLES


@pytest.fixture
def world(project, alice, bob, ava):
    title, data = SAMPLES["scope_document"]
    artifact = phases_services.artifact_create(project=project, actor=bob, type="scope_document", title=title, data=copy.deepcopy(data))
    risk = governance_services.risk_create(
        project=project,
        actor=bob,
        title="Leaks",
        category=RiskCategory.objects.get(project=None, key="data-privacy"),
        likelihood=4,
        impact=4,
    )
    from datetime import date

    incident = governance_services.incident_create(
        project=project, actor=bob, title="Outage", occurred_on=date(2026, 1, 2), severity="low", description="Down for an hour"
    )
    gate = Gate.objects.get(project=project, phase__key="scope")
    return {
        "project": project,
        "artifact": artifact,
        "risk": risk,
        "incident": incident,
        "gate": gate,
        "signoff": Signoff.objects.get(project=project, kind="data_privacy"),
        "item": project.checklist_items.filter(phase__key="scope").order_by("order").first(),
        "member": project.memberships.get(user=bob),
        "lifecycle_services": lifecycle_services,
    }
