"""Frameworks as data: import and update from YAML (validated, with line numbers), and the
reference data (frameworks, risk matrices) every installation starts with."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance.classification import ROLES
from governance.limits import SOA_JUSTIFICATION_MAX_LENGTH
from governance.models import ControlDecision, Framework, Requirement, RiskMatrix, Tier
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError
from lifecycle.infrastructure import yaml_loader
from lifecycle.infrastructure.yaml_loader import Checker, Node
from lifecycle.limits import DESCRIPTION_MAX_LENGTH, text_within
from lifecycle.models import Project, User
from lifecycle.permissions import Action

FRAMEWORKS_DIR = Path(settings.BASE_DIR) / "governance" / "frameworks"
TOP_KEYS = ("key", "name", "full_name", "source", "as_of", "requirements", "tiers", "dates")
REQUIREMENT_KEYS = ("code", "title", "level", "parent", "summary", "tiers", "roles", "group", "number")

RISK_MATRICES = [
    {
        "key": "3x3",
        "name": "3 × 3",
        "size": 3,
        "levels": [
            {"key": "low", "label": "Low", "min": 1},
            {"key": "medium", "label": "Medium", "min": 3},
            {"key": "high", "label": "High", "min": 6},
            {"key": "critical", "label": "Critical", "min": 9},
        ],
        "likelihood_labels": ["Unlikely", "Possible", "Likely"],
        "impact_labels": ["Minor", "Moderate", "Severe"],
    },
    {
        "key": "4x4",
        "name": "4 × 4",
        "size": 4,
        "levels": [
            {"key": "low", "label": "Low", "min": 1},
            {"key": "medium", "label": "Medium", "min": 4},
            {"key": "high", "label": "High", "min": 8},
            {"key": "critical", "label": "Critical", "min": 12},
        ],
        "likelihood_labels": ["Rare", "Unlikely", "Likely", "Almost certain"],
        "impact_labels": ["Minor", "Moderate", "Major", "Severe"],
    },
    {
        "key": "5x5",
        "name": "5 × 5",
        "size": 5,
        "levels": [
            {"key": "low", "label": "Low", "min": 1},
            {"key": "medium", "label": "Medium", "min": 5},
            {"key": "high", "label": "High", "min": 10},
            {"key": "critical", "label": "Critical", "min": 20},
        ],
        "likelihood_labels": ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
        "impact_labels": ["Negligible", "Minor", "Moderate", "Major", "Severe"],
    },
]


class FrameworkImportError(ApplicationError):
    def __init__(self, errors: list[str]):
        super().__init__(
            "The framework was not imported: " + "; ".join(errors[:5]) + (" …" if len(errors) > 5 else ""),
            code="framework_invalid",
            fields={"file": errors},
        )
        self.errors = errors


def framework_validate(*, text: str) -> Node:
    try:
        doc = yaml_loader.load(text)
    except yaml_loader.YamlFormatError as e:
        raise FrameworkImportError(e.errors) from None
    check = Checker()
    check.unknown_keys(doc, TOP_KEYS, "")
    check.slug(doc, "key", "key", max_len=40)
    check.text(doc, "name", "name", max_len=100)
    check.text(doc, "full_name", "full_name", required=False, max_len=300)
    source = check.text(doc, "source", "source", max_len=500)
    if source and not source.startswith(("http://", "https://")):
        check.error(doc.line_of("source"), "source", "must be a web address")
    check.a_date(doc, "as_of", "as_of")
    requirements = check.sequence(doc, "requirements", "requirements")
    codes: set[str] = set()
    for i, req in enumerate(requirements):
        path = f"requirements[{i}]"
        if not isinstance(req, Node):
            check.error(requirements.line_of(i), path, "must be a mapping")
            continue
        check.unknown_keys(req, REQUIREMENT_KEYS, path)
        code = check.text(req, "code", f"{path}.code", max_len=40)
        if code in codes:
            check.error(req.line_of("code"), f"{path}.code", f"{code!r} is used twice")
        codes.add(code)
        check.text(req, "title", f"{path}.title", max_len=300)
        check.text(req, "level", f"{path}.level", max_len=30)
        check.text(req, "summary", f"{path}.summary", required=False, max_len=DESCRIPTION_MAX_LENGTH)
        for tier in check.strings(req, "tiers", f"{path}.tiers"):
            if tier not in Tier.values:
                check.error(req.line_of("tiers"), f"{path}.tiers", f"unknown tier {tier!r}")
        # A duty names the roles it binds (governance.classification.ROLES); coverage counts it
        # for a project of that role and tier even when nothing cites it.
        for role in check.strings(req, "roles", f"{path}.roles"):
            if role not in dict(ROLES):
                check.error(req.line_of("roles"), f"{path}.roles", f"unknown role {role!r}")
    for i, req in enumerate(requirements):
        if isinstance(req, Node) and req.get("parent") and req["parent"] not in codes:
            check.error(req.line_of("parent"), f"requirements[{i}].parent", f"{req['parent']!r} is not a code in this file")
    if check.errors:
        raise FrameworkImportError(check.errors)
    return doc


@lifecycle_services.atomic
def framework_import(*, text: str, actor: User | None = None, shipped: bool = False) -> Framework:
    """Create or update a framework from YAML. Requirements are matched by code: new ones are
    added, changed ones updated, and ones no longer listed removed.

    Frameworks are for administrators (the admin site's import); `actor` None is the system (the
    import_framework command, the reference data after migrate). `shipped` marks the copy the
    product ships (governance/frameworks), with the hash of its text, so that a newer shipped
    file replaces it after an upgrade while one an administrator imported is left alone."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("Only administrators can import frameworks.")
    doc = framework_validate(text=text)
    extra = {k: _plain(doc[k]) for k in ("tiers", "dates") if k in doc}
    extra[SHIPPED_KEY] = _sha256(text) if shipped else ""
    framework, created = Framework.objects.update_or_create(
        key=doc["key"],
        defaults={
            "name": doc["name"],
            "full_name": doc.get("full_name", "") or "",
            "source": doc["source"],
            "as_of": Checker().a_date(doc, "as_of", "as_of"),
            "extra": extra,
        },
    )
    existing = {r.code: r for r in framework.requirements.all()}
    keep = []
    for order, req in enumerate(doc["requirements"]):
        fields = {
            "title": str(req["title"]).strip(),
            "level": str(req["level"]).strip(),
            "parent_code": str(req.get("parent") or ""),
            "summary": str(req.get("summary") or "").strip(),
            "tiers": list(req.get("tiers") or []),
            "extra": {k: _plain(req[k]) for k in ("group", "number", "roles") if k in req},
            "order": order,
        }
        code = str(req["code"])
        keep.append(code)
        if code in existing:
            Requirement.objects.filter(pk=existing[code].pk).update(**fields)
        else:
            Requirement.objects.create(framework=framework, code=code, **fields)
    framework.requirements.exclude(code__in=keep).delete()
    lifecycle_services.change_record(
        actor=actor,
        action="framework.imported" if created else "framework.updated",
        type="framework",
        label=framework.name,
        after={"key": framework.key, "as_of": str(framework.as_of), "requirements": len(keep)},
        feed=False,
    )
    return framework


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# Framework.extra's record of the shipped file a framework was loaded from: its SHA-256, or ""
# when an administrator imported it. Frameworks loaded before the record existed have no key.
SHIPPED_KEY = "shipped_sha256"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def shipped_update_due(extra: dict | None, text: str) -> bool:
    """Whether the shipped framework `text` is to be (re)loaded: it is missing; or it was loaded
    from a shipped file that has changed since (a new obligation, a corrected date); or it was
    loaded before that was recorded. One an administrator imported stays as they left it."""
    if extra is None:
        return True
    recorded = extra.get(SHIPPED_KEY)
    return recorded is None or (recorded != "" and recorded != _sha256(text))


def governance_reference_data() -> None:
    """Risk matrices and the shipped frameworks, when missing or when the shipped file changed
    (after migrate, so an upgrade brings its framework data; or a test flush): the system's own
    work, no person acts."""
    for matrix in RISK_MATRICES:
        RiskMatrix.objects.get_or_create(key=matrix["key"], defaults={k: v for k, v in matrix.items() if k != "key"})
    present = dict(Framework.objects.values_list("key", "extra"))
    for path in sorted(FRAMEWORKS_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if shipped_update_due(present.get(path.stem), text):
            framework_import(text=text, shipped=True)
    from governance.services.risks import risk_categories_bootstrap

    risk_categories_bootstrap()


@lifecycle_services.atomic
def control_decision_set(*, project: Project, actor: User, code: str, applicable: bool, justification: str = "") -> ControlDecision:
    """Record whether an ISO/IEC 42001 Annex A control applies to the project, and why, for its
    Statement of Applicability. Owners and contributors decide (Action.CONTRIBUTE); excluding a
    control needs its justification (ISO/IEC 42001 6.1.3 d)."""
    lifecycle_services.require(actor, project, Action.CONTRIBUTE)
    project = lifecycle_services.lock_writable(project)
    control = Requirement.objects.filter(framework_id="iso-42001", level="control", code=code).first()
    if control is None:
        raise ApplicationError(f"{str(code)[:20]!r} is not an ISO/IEC 42001 Annex A control.", fields={"code": ["Not a control."]})
    justification = text_within(
        field="justification", text=(justification or "").strip(), limit=SOA_JUSTIFICATION_MAX_LENGTH, label="Justification"
    )
    if not applicable and not justification:
        raise ApplicationError(
            "Say why the control does not apply: an exclusion needs its justification.",
            fields={"justification": ["This field is required to exclude a control."]},
        )
    existing = ControlDecision.objects.select_for_update(no_key=True).filter(project=project, requirement=control).first()
    before = {"applicable": existing.applicable, "justification": existing.justification} if existing else None
    decision = existing or ControlDecision(project=project, requirement=control)
    decision.applicable, decision.justification = applicable, justification
    decision.decided_by, decision.decided_at = actor, timezone.now()
    decision.save()
    lifecycle_services.change_record(
        actor=actor,
        action="control.decided",
        type="project",
        object_id=project.pk,
        project=project,
        label=f"{control.code} {control.title}",
        before=before,
        after={"control": control.code, "applicable": applicable, "justification": justification},
    )
    return decision
