"""The risk register: scoring on the template's matrix, acceptance and its expiry.

Who may: owners and contributors write risks and add categories (Action.CONTRIBUTE); accepting
a risk depends on its level (`risk_acceptance_allowed`). Each service checks the acting user on
the project instance the caller loaded (its access is memoised there), before the locks, as the
pages did: a member refused by their role hears so whatever the project's state."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance.limits import ACCEPTANCE_COMMENT_MAX_LENGTH, CATEGORY_DESCRIPTION_MAX_LENGTH, REGISTER_TEXT_MAX_LENGTH
from governance.models import Risk, RiskCategory, RiskLevel, RiskMatrix, TemplateGovernance
from lifecycle import locks
from lifecycle import selectors as lifecycle_selectors
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.limits import text_within
from lifecycle.models import PhaseKey, Project, User
from lifecycle.permissions import Access, Action

RISK_FIELDS = (
    "title",
    "category_id",
    "phase_found",
    "likelihood",
    "impact",
    "inherent_score",
    "inherent_level",
    "residual_likelihood",
    "residual_impact",
    "residual_level",
    "owner_id",
    "treatment",
    "mitigation_due",
    "status",
    "acceptance_expires_on",
)
EDITABLE = (
    "title",
    "description",
    "category",
    "phase_found",
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
    "owner",
    "treatment",
    "mitigation_plan",
    "mitigation_due",
    "status",
)
HIGH_RANK = RiskLevel.rank(RiskLevel.HIGH)


def risk_matrix_for(project: Project) -> RiskMatrix:
    governance = TemplateGovernance.objects.select_related("risk_matrix").filter(template_id=project.template_id).first()
    return governance.risk_matrix if governance else RiskMatrix.objects.get(key="5x5")


def risk_snapshot(risk: Risk) -> dict:
    return lifecycle_services.snapshot(risk, RISK_FIELDS)


def _bad(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _score(matrix: RiskMatrix, likelihood: Any, impact: Any, prefix: str = "") -> tuple[int, str]:
    for name, value in ((f"{prefix}likelihood", likelihood), (f"{prefix}impact", impact)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= matrix.size:
            raise _bad(name, f"Use a whole number from 1 to {matrix.size} (the project's {matrix.name} matrix).")
    score = likelihood * impact
    return score, matrix.level_of(score)


def _apply(risk: Risk, fields: dict, project: Project) -> None:
    """Check and set the editable fields, then derive scores and levels."""
    matrix = risk_matrix_for(project)
    for name, value in fields.items():
        setattr(risk, name, value.strip() if isinstance(value, str) else value)
    if not (risk.title or "").strip():
        raise _bad("title", "A risk needs a title.")
    if len(risk.title) > 200:
        raise _bad("title", "Use at most 200 characters.")
    text_within(field="description", text=risk.description, limit=REGISTER_TEXT_MAX_LENGTH, label="Description")
    text_within(field="mitigation_plan", text=risk.mitigation_plan, limit=REGISTER_TEXT_MAX_LENGTH, label="Mitigation plan")
    if risk.category_id is None or (risk.category.project_id not in (None, project.pk)):
        raise _bad("category", "Choose one of the categories.")
    if risk.phase_found not in PhaseKey.values:
        raise _bad("phase_found", f"Choose one of: {', '.join(PhaseKey.values)}.")
    if risk.treatment not in Risk.Treatment.values:
        raise _bad("treatment", f"Choose one of: {', '.join(Risk.Treatment.values)}.")
    if risk.owner_id is not None and risk.owner_id not in lifecycle_selectors.project_member_ids(project=project):
        raise _bad("owner", "The risk owner must be a project member.")
    risk.inherent_score, risk.inherent_level = _score(matrix, risk.likelihood, risk.impact)
    if (risk.residual_likelihood is None) != (risk.residual_impact is None):
        raise _bad("residual_impact", "Give both residual likelihood and residual impact, or neither.")
    if risk.residual_likelihood is not None:
        risk.residual_score, risk.residual_level = _score(matrix, risk.residual_likelihood, risk.residual_impact, "residual_")
    else:
        risk.residual_score, risk.residual_level = None, ""


@lifecycle_services.atomic
def risk_create(*, project: Project, actor: User, **fields: Any) -> Risk:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"risk_create does not take {sorted(unknown)}")
    lifecycle_services.require(actor, project, Action.CONTRIBUTE)
    project = lifecycle_services.lock_writable(project)
    if fields.get("status") == Risk.Status.ACCEPTED:
        raise _bad("status", "Accept a risk with the accept action, which records who accepted it and until when.")
    fields.setdefault("phase_found", project.current_phase)
    fields.setdefault("status", Risk.Status.OPEN)
    risk = Risk(project=project, created_by=actor)
    _apply(risk, fields, project)
    risk.save()
    lifecycle_services.change_record(actor=actor, action="risk.created", obj=risk, project=project, after=risk_snapshot(risk))
    return risk


@lifecycle_services.atomic
def risk_update(*, risk: Risk, actor: User, **fields: Any) -> Risk:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"risk_update does not take {sorted(unknown)}")
    lifecycle_services.require(actor, risk.project, Action.CONTRIBUTE)
    lifecycle_services.lock_writable(risk.project_id)
    risk = Risk.objects.select_for_update(of=("self",), no_key=True).select_related("project", "category").get(pk=risk.pk)
    if fields.get("status") == Risk.Status.ACCEPTED and risk.status != Risk.Status.ACCEPTED:
        raise _bad("status", "Accept a risk with the accept action, which records who accepted it and until when.")
    before = risk_snapshot(risk)
    _apply(risk, fields, risk.project)
    if risk.status != Risk.Status.ACCEPTED:
        risk.accepted_by, risk.accepted_at, risk.acceptance_expires_on = None, None, None
    _save(risk)
    lifecycle_services.change_record(
        actor=actor, action="risk.updated", obj=risk, project=risk.project_id, before=before, after=risk_snapshot(risk)
    )
    return risk


def _save(risk: Risk) -> None:
    lifecycle_services.save_versioned(risk)


def risk_acceptance_allowed(*, access: Access, risk: Risk) -> bool:
    """At level high or above only approvers (and administrators) accept; below, owners,
    contributors and approvers may."""
    if RiskLevel.rank(risk.level) >= HIGH_RANK:
        return access.allows(Action.ACCEPT_RISK)
    return access.allows(Action.CONTRIBUTE) or access.allows(Action.ACCEPT_RISK)


@lifecycle_services.atomic
def risk_accept(*, risk: Risk, actor: User, expires_on: date | None, comment: str = "") -> Risk:
    """Accept a risk. At level high or above it takes an approver's (or an administrator's)
    decision with an expiry date; below, contributors may accept it. The level judged is the
    risk's current one, read under the lock."""
    access = lifecycle_selectors.project_access(user=actor, project=risk.project)
    lifecycle_services.lock_writable(risk.project_id)
    risk = Risk.objects.select_for_update(of=("self",), no_key=True).select_related("project").get(pk=risk.pk)
    severe = RiskLevel.rank(risk.level) >= HIGH_RANK
    if not risk_acceptance_allowed(access=access, risk=risk):
        raise PermissionDenied(
            f"Only an approver can accept a {RiskLevel(risk.level).label.lower()}-level risk."
            if severe
            else "Only owners, contributors and approvers accept risks."
        )
    if risk.status in (Risk.Status.ACCEPTED, Risk.Status.CLOSED):
        raise Conflict(f"This risk is already {risk.get_status_display().lower()}.", code="risk_not_open")
    today = timezone.localdate()
    if severe and expires_on is None:
        raise _bad("expires_on", "Accepting a high or critical risk needs an expiry date.")
    if expires_on is not None and expires_on <= today:
        raise _bad("expires_on", "The expiry date must be in the future.")
    comment = text_within(field="comment", text=(comment or "").strip(), limit=ACCEPTANCE_COMMENT_MAX_LENGTH, label="Comment")
    if severe and not comment:
        raise _bad("comment", "Say why the risk is acceptable.")
    before = risk_snapshot(risk)
    risk.status, risk.treatment = Risk.Status.ACCEPTED, Risk.Treatment.ACCEPT
    risk.accepted_by, risk.accepted_at, risk.acceptance_expires_on, risk.acceptance_comment = (
        actor,
        timezone.now(),
        expires_on,
        comment,
    )
    _save(risk)
    lifecycle_services.change_record(
        actor=actor,
        action="risk.accepted",
        obj=risk,
        project=risk.project_id,
        before=before,
        after={**risk_snapshot(risk), "comment": comment[:200]},
    )
    return risk


@lifecycle_services.atomic
def risk_acceptances_expire(*, today: date | None = None) -> list[Risk]:
    """Reopen every risk whose acceptance has expired, and tell its owner (the beat task calls
    this daily; a second run the same day finds nothing). The system's own work: no person acts,
    so there is nobody to check."""
    today = today or timezone.localdate()
    due = Risk.objects.filter(status=Risk.Status.ACCEPTED, acceptance_expires_on__lt=today)
    locks.lock_projects(due.values_list("project_id", flat=True))
    expired = list(
        Risk.objects.select_for_update(of=("self",), no_key=True)
        .select_related("project", "owner")
        .filter(status=Risk.Status.ACCEPTED, acceptance_expires_on__lt=today)
    )
    for risk in expired:
        before = risk_snapshot(risk)
        risk.status = Risk.Status.OPEN
        _save(risk)
        lifecycle_services.change_record(
            actor=None,
            action="risk.acceptance_expired",
            obj=risk,
            project=risk.project_id,
            before=before,
            after=risk_snapshot(risk),
        )
        recipients = [risk.owner] if risk.owner else lifecycle_selectors.project_users(project=risk.project, roles=("owner",))
        lifecycle_services.notify(
            users=recipients,
            kind="risk_acceptance_expired",
            title=f"Risk reopened: {risk.title}",
            body=f"The acceptance of this {risk.get_inherent_level_display().lower()}-level risk expired on "
            f"{risk.acceptance_expires_on:%d %b %Y}; it is open again. Mitigate it or have it accepted again.",
            url=risk.get_absolute_url(),
            project=risk.project,
        )
    return expired


@lifecycle_services.atomic
def risk_category_create(*, project: Project, actor: User, name: str, description: str = "") -> RiskCategory:
    """A custom category for one project."""
    from django.utils.text import slugify

    lifecycle_services.require(actor, project, Action.CONTRIBUTE)
    project = lifecycle_services.lock_writable(project)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise _bad("name", "Give the category a name of up to 120 characters.")
    description = text_within(
        field="description", text=(description or "").strip(), limit=CATEGORY_DESCRIPTION_MAX_LENGTH, label="Description"
    )
    key = slugify(name)[:70] or "custom"
    if RiskCategory.objects.filter(project=project, key=key).exists() or RiskCategory.objects.filter(project=None, key=key).exists():
        raise _bad("name", "A category with this name already exists.")
    category = RiskCategory.objects.create(key=key, name=name, description=description, project=project)
    lifecycle_services.change_record(
        actor=actor, action="risk_category.created", type="project", object_id=project.pk, project=project, label=name
    )
    return category


def risk_categories_bootstrap() -> None:
    """The twelve NIST AI 600-1 risks as ready categories (from the framework data): reference
    data every installation starts with, written by the system (after migrate), never by a person."""
    from governance.models import Requirement

    for requirement in Requirement.objects.filter(framework_id="nist-ai-600-1").order_by("order"):
        RiskCategory.objects.get_or_create(
            project=None,
            key=requirement.code,
            defaults={
                "name": requirement.title,
                "description": requirement.summary,
                "ref": requirement.ref,
                "order": requirement.order,
            },
        )
