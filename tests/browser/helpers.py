"""Data set-ups shared by browser journeys, created through the services."""

from __future__ import annotations

import copy

from governance import services as governance_services
from governance.models import Gate, Signoff
from governance.services import readiness
from lifecycle import services as lifecycle_services
from lifecycle.models import Project
from phases import services as phases_services
from phases.models import ChecklistItem
from sample_data import demo
from sample_data.artifacts import SAMPLES


def project_with_ready_scope_gate(name: str = "Ready for review") -> tuple[Project, Gate]:
    """A project of the demo PM whose Scope gate is ready: checklist done, the Scope artifacts
    approved, the data-privacy sign-off approved, and the gate scored."""
    people = demo.seed_users()
    pm, contributor, approver1, approver2 = (people[n] for n in ("pm", "contributor", "approver1", "approver2"))
    project = lifecycle_services.project_create(actor=pm, name=name, use_case_problem="Slow answers")
    lifecycle_services.membership_add(project=project, actor=pm, user=contributor, role="contributor")
    lifecycle_services.membership_add(
        project=project, actor=pm, user=approver1, role="approver", functions=["sponsor", "compliance_officer"]
    )
    lifecycle_services.membership_add(
        project=project, actor=pm, user=approver2, role="approver", functions=["ethics_board", "legal", "security"]
    )
    for item in ChecklistItem.objects.filter(project=project, phase__key="scope"):
        phases_services.checklist_item_set_done(item=item, actor=contributor, done=True, note="Evidence on file.")
    evidence = []
    for key in ("stakeholder_workshop", "feasibility_study", "scope_document"):
        title, data = SAMPLES[key]
        artifact = phases_services.artifact_create(project=project, actor=contributor, type=key, title=title, data=copy.deepcopy(data))
        phases_services.artifact_submit(artifact=artifact, actor=contributor)
        phases_services.artifact_approve(artifact=artifact, actor=approver1)
        evidence.append({"type": "artifact", "id": str(artifact.pk)})
    for signoff in Signoff.objects.filter(project=project, phase__key="scope"):
        governance_services.signoff_decide(signoff=signoff, actor=approver1, decision="approved", comment="Checked.", evidence=evidence)
    governance_services.classification_set(project=project, actor=pm, answers={"transparency": ["art-50-1"]})
    for item in ChecklistItem.objects.filter(project=project, phase__key="scope", done=False):
        phases_services.checklist_item_set_done(item=item, actor=contributor, done=True, note="Evidence on file.")
    gate = Gate.objects.get(project=project, phase__key="scope")
    readiness.gate_assess(gate.pk)
    gate.refresh_from_db()
    assert gate.last_assessment.ready and not gate.stale, gate.last_assessment.blocking
    return project, gate
