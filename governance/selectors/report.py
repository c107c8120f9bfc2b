"""The governance report of one project as JSON-safe data: what an auditor asks for, read
through the selectors the pages use (`report_build`), and the report jobs of a project.

Reads only and writes nothing: the report service runs it in a worker, stores the result on a
job and hands it to `governance.report_pdf` to render.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from governance.models import Classification, Review, Risk, RiskLevel, Vote
from governance.selectors.compliance import compliance_for_project, statement_of_applicability
from governance.selectors.post_launch import post_launch_page
from governance.selectors.readiness import gate_list_for_project, readiness_of
from governance.selectors.risks import heat_map, risk_list_for_project
from governance.selectors.signoffs import signoff_list_for_project
from lifecycle import selectors as lifecycle_selectors
from lifecycle.api.fields import timestamp
from lifecycle.models import Job, Project, User
from phases import selectors as phases_selectors

REPORT_KIND = "governance_report"
REPORT_AUDIT_EXCERPT_SIZE = 50
REPORT_SECTIONS = [
    ("summary", "Summary"),
    ("phases", "Phases and checklists"),
    ("artifacts", "Artifacts"),
    ("risks", "Risks"),
    ("signoffs", "Sign-offs"),
    ("gate_decisions", "Gate decisions"),
    ("framework_coverage", "Framework coverage"),
    ("statement_of_applicability", "Statement of Applicability (ISO/IEC 42001)"),
    ("post_launch", "Post-launch audits and incidents"),
    ("audit_excerpt", "Audit excerpt"),
]


def report_jobs_for_project(*, project: Project, limit: int = 10) -> list[Job]:
    """The latest report jobs of a project, newest first (one query)."""
    return list(Job.objects.filter(project=project, kind=REPORT_KIND).select_related("created_by").order_by("-created_at")[:limit])


def report_build(*, project: Project) -> dict:
    """Every section of the report, JSON-safe.

    1. Read each section through the selectors (a bounded number of queries: one or two per
       section, plus two per phase for its expected artifacts).
    2. Summarise the sections.
    3. Round-trip through JSON, so that whatever a decision snapshot or evidence list holds, the
       result can be stored on the job and served as is.
    """
    sections = {
        "project": _project(project),
        "phases": _phases(project),
        "artifacts": _artifacts(project),
        "risks": _risks(project),
        "signoffs": _signoffs(project),
        "gate_decisions": _gate_decisions(project),
        "framework_coverage": framework_coverage_data(project=project),
        "statement_of_applicability": [
            {**{k: v for k, v in vars(row).items() if k != "evidence"}, "evidence": [e["label"] for e in row.evidence]}
            for row in statement_of_applicability(project=project)
        ],
        "post_launch": _post_launch(project),
        "audit_excerpt": _audit_excerpt(project),
    }
    report = {"generated_at": timestamp(timezone.now()), **sections, "summary": _summary(sections)}
    return json.loads(json.dumps(report, cls=DjangoJSONEncoder))


def _user(user: User | None) -> dict | None:
    return {"id": str(user.pk), "username": user.username, "name": user.display_name} if user else None


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def _score(value: Any) -> float | None:
    return float(value) if value is not None else None


def _project(project: Project) -> dict:
    classification = Classification.objects.filter(project=project).first()
    return {
        "id": str(project.pk),
        "name": project.name,
        "description": project.description,
        "use_case": {
            "problem": project.use_case_problem,
            "users": project.use_case_users,
            "expectations": project.use_case_expectations,
        },
        "status": project.status,
        "current_phase": project.current_phase,
        "template": {"key": project.template.key, "version": project.template.version, "name": project.template.name},
        "tags": sorted(t.name for t in project.tags.all()),
        "start_date": _date(project.start_date),
        "created_at": timestamp(project.created_at),
        "classification": _classification(classification),
        "members": [
            {"user": _user(m.user), "role": m.role, "functions": sorted(f.key for f in m.functions.all())}
            for m in lifecycle_selectors.membership_list(project=project)
        ],
    }


def _classification(classification: Classification | None) -> dict | None:
    if classification is None:
        return None
    return {
        "tier": classification.tier,
        "tier_label": classification.get_tier_display(),
        "role": classification.role,
        "model_role": classification.model_role,
        "rationale": classification.rationale,
        "classified_at": timestamp(classification.classified_at),
    }


def _phases(project: Project) -> list[dict]:
    items_by_phase: dict[Any, list] = {}
    for item in phases_selectors.checklist_list_for_project(project=project).order_by("phase__order", "-required", "order"):
        items_by_phase.setdefault(item.phase_id, []).append(item)
    gates = {g.phase_id: g for g in gate_list_for_project(project=project)}
    result = []
    for phase in lifecycle_selectors.phase_list(project=project):
        items = items_by_phase.get(phase.pk, [])
        result.append(
            {
                "key": phase.key,
                "name": phase.name,
                "status": phase.status,
                "planned_start": _date(phase.planned_start),
                "planned_end": _date(phase.planned_end),
                "actual_start": _date(phase.actual_start),
                "actual_end": _date(phase.actual_end),
                "checklist": {**phases_selectors.progress_of(items), "items": [_checklist_item(i) for i in items]},
                "expected_artifacts": phases_selectors.expected_artifacts(phase=phase),
                "gate": _gate(gates.get(phase.pk)),
            }
        )
    return result


def _checklist_item(item: Any) -> dict:
    return {
        "title": item.title,
        "required": item.required,
        "done": item.done,
        "done_by": _user(item.done_by),
        "done_at": timestamp(item.done_at),
        "note": item.note,
        "refs": list(item.refs),
    }


def _gate(gate: Any) -> dict | None:
    if gate is None:
        return None
    readiness = readiness_of(gate)
    return {
        "id": str(gate.pk),
        "threshold": readiness.threshold,
        "score": _score(readiness.score),
        "ready": readiness.ready,
        "stale": readiness.stale,
        "computed_at": timestamp(readiness.computed_at),
        "blocking": list(readiness.blocking),
        "criteria": list(readiness.criteria),
    }


def _artifacts(project: Project) -> list[dict]:
    return [
        {
            "id": str(a.pk),
            "phase": a.phase.key,
            "type": a.type,
            "type_label": a.get_type_display(),
            "title": a.title,
            "status": a.status,
            "owner": _user(a.owner),
            "latest_version": a.latest_version.number if a.latest_version else None,
            "approved_version": a.approved_version.number if a.approved_version else None,
            "updated_at": timestamp(a.updated_at),
        }
        for a in phases_selectors.artifact_list_for_project(project=project)
    ]


def _risks(project: Project) -> dict:
    # The project's matrix is looked up by the risk services, and importing the services package
    # imports this one (through the report service): import it here, when the package is loaded.
    from governance.services.risks import risk_matrix_for

    matrix = risk_matrix_for(project)
    heat = heat_map(risks=project.risks.all(), matrix=matrix)
    return {
        "matrix": {
            "key": matrix.key,
            "name": matrix.name,
            "size": matrix.size,
            "levels": list(matrix.levels),
            "likelihood_labels": list(matrix.likelihood_labels),
            "impact_labels": list(matrix.impact_labels),
        },
        "heat_map": [[{"likelihood": c.likelihood, "impact": c.impact, "count": c.count, "level": c.level} for c in row] for row in heat],
        "items": [_risk(r) for r in risk_list_for_project(project=project)],
    }


def _risk(risk: Risk) -> dict:
    return {
        "id": str(risk.pk),
        "title": risk.title,
        "category": risk.category.name,
        "phase_found": risk.phase_found,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "inherent_level": risk.inherent_level,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "residual_level": risk.residual_level or None,
        "level": risk.level,
        "counts_as_open": risk.counts_as_open(),
        "status": risk.status,
        "treatment": risk.treatment,
        "owner": _user(risk.owner),
        "mitigation_plan": risk.mitigation_plan,
        "mitigation_due": _date(risk.mitigation_due),
        "acceptance_expires_on": _date(risk.acceptance_expires_on),
    }


def _signoffs(project: Project) -> list[dict]:
    return [
        {
            "id": str(s.pk),
            "phase": s.phase.key,
            "kind": s.kind,
            "title": s.title,
            "function": s.function.name,
            "status": s.status,
            "decided_by": _user(s.decided_by),
            "decided_at": timestamp(s.decided_at),
            "comment": s.comment,
            "evidence": list(s.evidence),
            "version": s.version,
        }
        for s in signoff_list_for_project(project=project)
    ]


def _reviews(project: Project) -> QuerySet[Review]:
    return (
        Review.objects.filter(project=project)
        .select_related("gate__phase", "requested_by", "withdrawn_by")
        .prefetch_related("approvers", Prefetch("votes", queryset=Vote.objects.select_related("voter").order_by("cast_at")))
        .order_by("requested_at", "id")
    )


def _gate_decisions(project: Project) -> list[dict]:
    """Every review of every gate, oldest first; a resolved one with the snapshot of what its
    decision saw."""
    return [
        {
            "id": str(r.pk),
            "gate": str(r.gate_id),
            "phase": r.gate.phase.key,
            "phase_name": r.gate.phase.name,
            "status": r.status,
            "outcome": r.outcome or None,
            "requested_by": _user(r.requested_by),
            "requested_at": timestamp(r.requested_at),
            "justification": r.justification,
            "due_at": timestamp(r.due_at),
            "resolved_at": timestamp(r.resolved_at),
            "withdrawn_at": timestamp(r.withdrawn_at),
            "quorum": {"kind": r.quorum, "value": r.quorum_value, "needed": r.needed},
            "approvers": [_user(u) for u in sorted(r.approvers.all(), key=lambda u: u.username)],
            "votes": [
                {"voter": _user(v.voter), "decision": v.decision, "comment": v.comment, "cast_at": timestamp(v.cast_at)}
                for v in r.votes.all()
            ],
            "snapshot": r.snapshot or None,
        }
        for r in _reviews(project)
    ]


def framework_coverage_data(*, project: Project, links: bool = False) -> list[dict]:
    """The framework coverage of a project as plain data, one dict per framework, for the report
    and the compliance API alike (the API's serializer keeps the fields it documents).

    With `links`, each piece of evidence also carries the URL of its page: the API gives it; the
    report leaves it out, being a document kept apart from the pages.
    """
    keys = ("kind", "label", "satisfied", "url") if links else ("kind", "label", "satisfied")
    return [
        {
            "key": fw.key,
            "name": fw.name,
            "source": fw.source,
            "as_of": fw.as_of,
            "coverage": fw.coverage,
            "met": fw.met,
            "open": fw.open,
            "not_applicable": fw.not_applicable,
            "total_in_framework": fw.total_in_framework,
            "requirements": [
                {
                    "code": r.code,
                    "title": r.title,
                    "level": r.level,
                    "status": r.status,
                    "reason": r.reason,
                    "evidence": [{k: w[k] for k in keys} for w in r.evidence],
                }
                for r in fw.requirements
            ],
        }
        for fw in compliance_for_project(project=project)
    ]


def _post_launch(project: Project) -> dict:
    page = post_launch_page(project=project)
    schedule = page["schedule"]
    return {
        "schedule": {
            "bias_audit_every_days": schedule.bias_audit_every_days,
            "monitoring_review_every_days": schedule.monitoring_review_every_days,
        },
        "tasks": [
            {
                "kind": t.kind,
                "kind_label": t.get_kind_display(),
                "due_on": _date(t.due_on),
                "status": t.status,
                "overdue": t.is_overdue(),
                "done_by": _user(t.done_by),
                "done_at": timestamp(t.done_at),
                "notes": t.notes,
            }
            for t in page["tasks"]
        ],
        "incidents": [_incident(i) for i in page["incidents"]],
    }


def _incident(incident: Any) -> dict:
    return {
        "id": str(incident.pk),
        "title": incident.title,
        "occurred_on": _date(incident.occurred_on),
        "severity": incident.severity,
        "description": incident.description,
        "affected_users": incident.affected_users,
        "actions": incident.actions,
        "serious": incident.serious,
        "aware_on": _date(incident.aware_on),
        "harm": incident.harm,
        "report_due_on": _date(incident.report_due_on),
        "report_status": incident.report_status(),
        "reported_at": timestamp(incident.reported_at),
        "reported_to": incident.reported_to,
        "member_state": incident.member_state,
        "follow_up_at": timestamp(incident.follow_up_at),
        "provider_informed_at": timestamp(incident.provider_informed_at),
        "created_by": _user(incident.created_by),
    }


def _audit_excerpt(project: Project) -> dict:
    events = lifecycle_selectors.audit_events_for_project(project=project)
    return {
        "total": events.count(),
        "events": [
            {
                "seq": e.seq,
                "at": timestamp(e.at),
                "actor": e.actor.username if e.actor else e.actor_name or None,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": str(e.object_id) if e.object_id else None,
                "object_label": e.object_label,
                "hash": e.hash,
            }
            for e in events[:REPORT_AUDIT_EXCERPT_SIZE]
        ],
    }


def _summary(s: dict) -> dict:
    items = [i for p in s["phases"] for i in p["checklist"]["items"]]
    open_risks = [r for r in s["risks"]["items"] if r["counts_as_open"]]
    current = next((p for p in s["phases"] if p["key"] == s["project"]["current_phase"]), None)
    outcomes = Counter(d["outcome"] for d in s["gate_decisions"] if d["status"] == Review.Status.RESOLVED)
    incidents = s["post_launch"]["incidents"]
    return {
        "status": s["project"]["status"],
        "current_phase": s["project"]["current_phase"],
        "phases_passed": sum(p["status"] == "passed" for p in s["phases"]),
        "phases_total": len(s["phases"]),
        "checklist": {
            "done": sum(i["done"] for i in items),
            "total": len(items),
            "required_done": sum(i["done"] for i in items if i["required"]),
            "required": sum(i["required"] for i in items),
        },
        "current_gate": current["gate"] if current else None,
        "artifacts": {"total": len(s["artifacts"]), "approved": sum(a["approved_version"] is not None for a in s["artifacts"])},
        "risks": {
            "total": len(s["risks"]["items"]),
            "open": len(open_risks),
            "open_by_level": {level: sum(r["level"] == level for r in open_risks) for level in RiskLevel.values},
        },
        "signoffs": dict(Counter(x["status"] for x in s["signoffs"]), total=len(s["signoffs"])),
        "gate_decisions": {"total": len(s["gate_decisions"]), "outcomes": dict(outcomes)},
        "framework_coverage": {fw["key"]: fw["coverage"] for fw in s["framework_coverage"]},
        "incidents": {
            "total": len(incidents),
            "serious": sum(i["serious"] for i in incidents),
            "reports_due": sum(i["report_status"] == "due" for i in incidents),
            "reports_overdue": sum(i["report_status"] == "overdue" for i in incidents),
        },
    }
