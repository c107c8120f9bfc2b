"""Framework coverage of a project: each requirement its work maps to, with its status."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from governance.classification import obligation_applies
from governance.models import Classification, ControlDecision, Framework, ObligationTemplate, Requirement, Signoff, Tier
from lifecycle.models import Project
from phases import selectors as phases_selectors

COVERAGE_STATUSES = [("met", "Met"), ("open", "Open"), ("not_applicable", "Not applicable")]


@dataclass
class RequirementStatus:
    code: str
    title: str
    level: str
    status: str  # met | open | not_applicable
    evidence: list[dict] = field(default_factory=list)
    reason: str = ""


@dataclass
class FrameworkCoverage:
    key: str
    name: str
    source: str
    as_of: str
    requirements: list[RequirementStatus]
    total_in_framework: int

    @property
    def met(self) -> int:
        return sum(r.status == "met" for r in self.requirements)

    @property
    def open(self) -> int:
        return sum(r.status == "open" for r in self.requirements)

    @property
    def not_applicable(self) -> int:
        return sum(r.status == "not_applicable" for r in self.requirements)

    @property
    def coverage(self) -> int:
        """Met ÷ applicable, as a whole percentage (100 when nothing applies)."""
        applicable = self.met + self.open
        return round(100 * self.met / applicable) if applicable else 100


def _work(project: Project) -> list[dict]:
    work = phases_selectors.mapped_work(project=project)
    for signoff in Signoff.objects.filter(project=project).exclude(refs=[]).only("title", "refs", "status"):
        work.append(
            {
                "kind": "Sign-off",
                "label": signoff.title,
                "refs": list(signoff.refs),
                "satisfied": signoff.status == Signoff.Status.APPROVED,
                "url": signoff.get_absolute_url(),
            }
        )
    return work


def _not_applicable_reason(requirement: Requirement, classification: Classification | None) -> str:
    if not requirement.tiers or classification is None:
        return ""
    if set(requirement.tiers) & set(classification.obligation_tiers):
        return ""
    wanted = " or ".join(Tier(t).label.lower() for t in requirement.tiers if t in Tier.values)
    return f"Applies to {wanted} systems; this project is classified {Tier(classification.tier).label.lower()}."


UNCOVERED = "It binds this project (its tier and role), and nothing in its checklist, artifacts or sign-offs covers it yet."


def _uncovered_duties(classification: Classification | None, cited: set[str]) -> dict[str, list[Requirement]]:
    """The duties (requirements that name the roles they bind) that bind a classified project by
    its tiers in force and role but that none of its work cites: coverage lists them as open,
    so that it is measured against what applies, not only against what the project chose to map."""
    if classification is None:
        return {}
    tiers = set(classification.obligation_tiers)
    found: dict[str, list[Requirement]] = defaultdict(list)
    for requirement in Requirement.objects.filter(extra__has_key="roles").order_by("framework_id", "order"):
        binds = classification.role in requirement.extra["roles"] and (not requirement.tiers or set(requirement.tiers) & tiers)
        if binds and requirement.ref not in cited:
            found[requirement.framework_id].append(requirement)
    return found


def compliance_for_project(*, project: Project) -> list[FrameworkCoverage]:
    """Per framework, every requirement the project's checklist, artifacts and sign-offs map
    to: met (and by which evidence) when all of it is done, approved or signed; open otherwise;
    not applicable when the requirement is for tiers the project is not in. Then every duty that
    binds the classified project's tier and role but that nothing maps to, as open."""
    by_ref: dict[str, list[dict]] = defaultdict(list)
    for item in _work(project):
        for ref in item["refs"]:
            by_ref[ref].append(item)
    classification = Classification.objects.filter(project=project).first()
    codes = defaultdict(set)
    for ref in by_ref:
        framework_key, _, code = ref.partition(":")
        codes[framework_key].add(code)
    requirements = defaultdict(list)
    query = Q()
    for framework_key, code_set in codes.items():
        query |= Q(framework_id=framework_key, code__in=sorted(code_set))
    for requirement in Requirement.objects.filter(query).order_by("framework_id", "order") if codes else []:
        requirements[requirement.framework_id].append(requirement)
    totals = dict(Requirement.objects.values("framework_id").annotate(n=Count("pk")).order_by().values_list("framework_id", "n"))
    uncovered = _uncovered_duties(classification, set(by_ref))
    result = []
    for framework in Framework.objects.order_by("key"):
        statuses = []
        for requirement in requirements.get(framework.key, []):
            work = by_ref[requirement.ref]
            reason = _not_applicable_reason(requirement, classification)
            status = "not_applicable" if reason else "met" if all(w["satisfied"] for w in work) else "open"
            statuses.append(RequirementStatus(requirement.code, requirement.title, requirement.level, status, work, reason))
        for requirement in uncovered.get(framework.key, []):
            statuses.append(RequirementStatus(requirement.code, requirement.title, requirement.level, "open", [], UNCOVERED))
        result.append(
            FrameworkCoverage(
                framework.key,
                framework.name,
                framework.source,
                framework.as_of.isoformat(),
                statuses,
                totals.get(framework.key, 0),
            )
        )
    return result


def obligations_applicable(classification: Classification) -> list[ObligationTemplate]:
    """The obligations of the project's template that bind it, in template order: by tier in
    force, role and facts (governance.classification.obligation_applies)."""
    tiers, facts = classification.obligation_tiers, classification.facts
    return [
        o
        for o in ObligationTemplate.objects.filter(template=classification.project.template_id).order_by("tier", "order")
        if obligation_applies(bucket=o.tier, roles=o.roles, when=o.when, tiers=tiers, role=classification.role, facts=facts)
    ]


@dataclass(frozen=True)
class ApplicationDate:
    """An EU AI Act date from which an obligation applies, as the framework data gives it."""

    key: str
    date: str  # ISO date, or "" while it is unsettled
    label: str
    status: str  # in_force | proposed | unsettled


@dataclass(frozen=True)
class ObligationRow:
    key: str
    title: str
    phase: str
    refs: list[str]
    applies_from: list[ApplicationDate]


def classification_obligations(*, classification: Classification) -> list[ObligationRow]:
    """The obligations that bind the classified project, each with the dates it applies from and
    their status (a proposed amendment's date is shown as proposed, never as the law)."""
    framework = Framework.objects.filter(key="eu-ai-act").first()
    dates = {d["key"]: d for d in (framework.extra.get("dates") or [])} if framework else {}
    phases = {p.key: p.name for p in classification.project.phases.all()}
    return [
        ObligationRow(
            key=o.key,
            title=o.title,
            phase=phases.get(o.phase_key, o.phase_key),
            refs=list(o.refs),
            applies_from=[
                ApplicationDate(key=k, date=str(dates[k].get("date") or ""), label=dates[k]["label"], status=dates[k]["status"])
                for k in o.applies_from
                if k in dates
            ],
        )
        for o in obligations_applicable(classification)
    ]


# --- ISO/IEC 42001 Statement of Applicability ---------------------------------------------------

SOA_FRAMEWORK = "iso-42001"
SOA_HEADER = ["control", "title", "applicable", "justification", "evidence", "decided_by", "decided_at"]


@dataclass
class ControlRow:
    code: str
    title: str
    applicable: str  # yes | no | undecided
    justification: str
    evidence: list[dict]
    decided_by: str = ""
    decided_at: str = ""


def statement_of_applicability(*, project: Project) -> list[ControlRow]:
    """Every ISO/IEC 42001 Annex A control with the project's decision on it (applicable or not,
    and why) and the work that implements it. A control nobody decided on yet reads
    "undecided", with the work that maps to it, so the gaps show (three queries)."""
    by_ref: dict[str, list[dict]] = defaultdict(list)
    for item in _work(project):
        for ref in item["refs"]:
            by_ref[ref].append(item)
    decisions = {
        d.requirement_id: d
        for d in ControlDecision.objects.filter(project=project, requirement__framework_id=SOA_FRAMEWORK).select_related("decided_by")
    }
    rows = []
    for control in Requirement.objects.filter(framework_id=SOA_FRAMEWORK, level="control").order_by("order"):
        decision = decisions.get(control.pk)
        rows.append(
            ControlRow(
                code=control.code,
                title=control.title,
                applicable="undecided" if decision is None else "yes" if decision.applicable else "no",
                justification=decision.justification if decision else "",
                evidence=by_ref.get(control.ref, []),
                decided_by=decision.decided_by.display_name if decision and decision.decided_by else "",
                decided_at=decision.decided_at.isoformat() if decision else "",
            )
        )
    return rows


def statement_of_applicability_rows(rows: list[ControlRow]) -> list[list[str]]:
    """The statement as the rows of its export (SOA_HEADER)."""
    return [
        [r.code, r.title, r.applicable, r.justification, "; ".join(e["label"] for e in r.evidence), r.decided_by, r.decided_at]
        for r in rows
    ]
