"""The project's EU AI Act classification, and the obligations its tier adds to the checklist."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils import timezone

from governance.classification import classify, clean_answers
from governance.models import Classification, ObligationTemplate, Signoff, SignoffKind, Tier
from governance.selectors.compliance import obligations_applicable
from lifecycle import selectors as lifecycle_selectors
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError
from lifecycle.models import PhaseKey, Project, User
from lifecycle.permissions import Action
from phases import services as phases_services
from phases.models import ChecklistItem


@dataclass
class ClassificationChange:
    classification: Classification
    previous_tier: str | None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Set when the change waits for a sign-off instead of taking effect.
    pending_reason: str = ""
    signoff: Signoff | None = None

    @property
    def summary(self) -> str:
        if self.pending_reason:
            function = self.signoff.function.name.lower() if self.signoff else "compliance"
            return (
                f"The change waits for a sign-off by the {function} function, because {self.pending_reason}; "
                "until then the classification in force stands."
            )
        tier = Tier(self.classification.tier).label
        previous = self.previous_tier
        if previous is None or previous == self.classification.tier:
            parts = [f"Tier: {tier}"]
        else:
            parts = [f"Tier changed from {Tier(previous).label} to {tier}"]
        if self.added:
            parts.append(f"{len(self.added)} obligation{'s' if len(self.added) != 1 else ''} added to the checklist")
        if self.removed:
            parts.append(f"{len(self.removed)} no longer apply and were removed")
        return "; ".join(parts) + "."


def _entry(o: ObligationTemplate, current: int) -> dict:
    """An obligation as a checklist entry. One due in a phase that has passed goes to the current
    phase, marked as carried over from its own, so the next gate counts it."""
    if PhaseKey.ordered().index(o.phase_key) < current:
        return {**_entry(o, 0), "phase": PhaseKey.ordered()[current], "carried_from": o.phase_key}
    return {
        "phase": o.phase_key,
        "key": o.key,
        "title": o.title,
        "guidance": o.guidance,
        "required": o.required,
        "weight": o.weight,
        "refs": list(o.refs),
    }


# The tiers from the most to the least demanding: a change down this list lowers the tier.
TIER_RANK = ("minimal", "limited", "high", "prohibited")
# Who signs off a change that lowers the tier or changes the role, in the order of preference
# (the first function a member of the project holds; the compliance officer when nobody does).
CHANGE_SIGNERS = ("compliance_officer", "legal")
MODEL_RANK = ("none", "gpai", "gpai_systemic")


def change_needs_signoff(existing: Classification | None, tier: str, role: str, model_role: str) -> str:
    """Why a new classification must be signed off before it takes effect ("" when it need not):
    it lowers the tier, changes the role, or drops the duties of a general-purpose model. A first
    classification, or one that only adds duties, takes effect at once."""
    if existing is None:
        return ""
    if TIER_RANK.index(tier) < TIER_RANK.index(existing.tier):
        return f"it lowers the tier from {Tier(existing.tier).label} to {Tier(tier).label}"
    if existing.role != role:
        roles = dict(Classification.Role.choices)
        return f"it changes the role from {roles[existing.role].lower()} to {roles[role].lower()}"
    models = dict(Classification.ModelRole.choices)
    if MODEL_RANK.index(model_role) < MODEL_RANK.index(existing.model_role):
        return f"it changes the model role from “{models[existing.model_role]}” to “{models[model_role]}”"
    return ""


@lifecycle_services.atomic
def classification_set(*, project: Project, actor: User, answers: Any) -> ClassificationChange:
    """Answer (or change) the questionnaire. Owners and contributors answer it (Action.CONTRIBUTE).

    A change that lowers the tier, changes the role or drops a track of duties waits for a
    sign-off by the compliance or legal function (change_needs_signoff): the classification in
    force stands, the change is kept as pending and a sign-off waits in their inbox; approving it
    applies it (classification_apply). Otherwise it takes effect at once: tier, role and
    rationale are stored and the checklist brought in line: obligations that now bind the project
    (by tier, role and facts) are added, those that no longer do are removed (done or not: the
    record keeps them in the audit log)."""
    lifecycle_services.require(actor, project, Action.CONTRIBUTE)
    project = lifecycle_services.lock_writable(project)
    cleaned, errors = clean_answers(answers)
    if errors:
        name, messages = next(iter(errors.items()))
        raise ApplicationError(f"{name}: {messages[0]}", fields={f"answers.{k}": v for k, v in errors.items()})
    result = classify(cleaned)
    existing = Classification.objects.select_for_update(no_key=True).filter(project=project).first()
    why = change_needs_signoff(existing, result.tier, result.role, result.model_role)
    if existing is not None and why:
        return _request_signoff(existing, project, actor, cleaned, why)
    if existing is not None and existing.pending:
        _withdraw_pending(existing, actor, "Superseded by a later classification that needed no sign-off.")
    return classification_apply(project=project, actor=actor, answers=cleaned, existing=existing)


def classification_apply(
    *, project: Project, actor: User | None, answers: dict, existing: Classification | None, approved_by: User | None = None
) -> ClassificationChange:
    """Store cleaned answers as the classification in force and bring the checklist in line (the
    write of classification_set, and of the sign-off that approves a pending change; callers
    hold the project's lock and have checked who may)."""
    result = classify(answers)
    previous_tier = existing.tier if existing else None
    before = _snapshot(existing) if existing else None
    classification = existing or Classification(project=project)
    classification.answers, classification.tier, classification.role = answers, result.tier, result.role
    classification.model_role, classification.rationale = result.model_role, result.rationale
    classification.classified_by, classification.classified_at = actor, timezone.now()
    classification.pending, classification.pending_signoff = None, None
    classification.__dict__.pop("facts", None)
    classification.save()
    change = ClassificationChange(classification, previous_tier)
    applicable = obligations_applicable(classification)
    wanted = {o.key for o in applicable}
    present = set(ChecklistItem.objects.filter(project=project, source=ChecklistItem.Source.OBLIGATION).values_list("key", flat=True))
    if present - wanted:
        change.removed += phases_services.checklist_items_remove(
            project=project, actor=actor, source=ChecklistItem.Source.OBLIGATION, keys=present - wanted
        )
    current = PhaseKey.ordered().index(project.current_phase)
    # New obligations go after every item already there, in the order of the template.
    after = max(1000, (ChecklistItem.objects.filter(project=project).aggregate(last=Max("order"))["last"] or 0) + 1)
    for tier in dict.fromkeys(o.tier for o in applicable if o.key not in present):
        entries = [_entry(o, current) for o in applicable if o.tier == tier and o.key not in present]
        added = phases_services.checklist_items_add(
            project=project,
            actor=actor,
            entries=entries,
            source=ChecklistItem.Source.OBLIGATION,
            tier=tier,
            start=after + len(change.added),
        )
        change.added += [item.title for item in added]
    after = {**_snapshot(classification), "summary": change.summary}
    if approved_by is not None:
        after["signed_off_by"] = approved_by.username
    lifecycle_services.change_record(
        actor=actor,
        action="project.classified",
        type="project",
        object_id=project.pk,
        project=project,
        label=project.name,
        before=before,
        after=after,
    )
    return change


def _request_signoff(existing: Classification, project: Project, actor: User, answers: dict, why: str) -> ClassificationChange:
    result = classify(answers)
    roles = dict(Classification.Role.choices)
    title = f"EU AI Act classification change: {Tier(existing.tier).label} → {Tier(result.tier).label}"
    if existing.role != result.role:
        title += f", {roles[existing.role].lower()} → {roles[result.role].lower()}"
    signoff = existing.pending_signoff if existing.pending else None
    if signoff is None or signoff.status != Signoff.Status.PENDING:
        held = (f for f in CHANGE_SIGNERS if lifecycle_selectors.project_users(project=project, functions=(f,)))
        function = next(held, CHANGE_SIGNERS[0])
        signoff = Signoff(
            project=project,
            phase=project.phases.get(key=project.current_phase),
            kind=SignoffKind.CLASSIFICATION_CHANGE,
            function_id=function,
            refs=["eu-ai-act:art-6", "eu-ai-act:art-25"],
        )
    created = signoff._state.adding
    before = None if created else _signoff_snapshot(signoff)
    signoff.title = title[:200]
    signoff.guidance = (
        f"{actor.display_name} changed the answers of the EU AI Act questionnaire, and {why}. "
        "Until this sign-off approves it, the classification in force stands. Check the new answers "
        "and rationale below; approve with the evidence for the new classification (a legal "
        "assessment, a link), or reject to keep the one in force.\n\nNew rationale:\n" + result.rationale
    )
    if created:
        signoff.save()
    else:
        lifecycle_services.save_versioned(signoff, ["title", "guidance"])
    lifecycle_services.change_record(
        actor=actor,
        action="signoff.created" if created else "signoff.updated",
        obj=signoff,
        project=project,
        before=before,
        after=_signoff_snapshot(signoff),
    )
    existing.pending = {
        "answers": answers,
        "tier": result.tier,
        "role": result.role,
        "reason": why,
        "requested_by": str(actor.pk),
        "requested_at": timezone.now().isoformat(),
    }
    existing.pending_signoff = signoff
    existing.save(update_fields=["pending", "pending_signoff"])
    lifecycle_services.change_record(
        actor=actor,
        action="project.classification_change_requested",
        type="project",
        object_id=project.pk,
        project=project,
        label=project.name,
        before=_snapshot(existing),
        after={"tier": result.tier, "role": result.role, "answers": answers, "reason": why, "signoff": str(signoff.pk)},
    )
    lifecycle_services.notify(
        users=lifecycle_selectors.project_users(project=project, functions=(signoff.function_id,)),
        kind="signoff_requested",
        title=f"Sign-off wanted: {signoff.title}",
        body=f"{actor.display_name} asks for it: {why}.",
        url=signoff.get_absolute_url(),
        project=project,
    )
    return ClassificationChange(existing, existing.tier, pending_reason=why, signoff=signoff)


def _signoff_snapshot(signoff: Signoff) -> dict:
    """The sign-offs' own audit snapshot (imported here: governance.services.signoffs imports this
    module for the decision's follow-up)."""
    from governance.services.signoffs import signoff_snapshot

    return signoff_snapshot(signoff)


def _withdraw_pending(classification: Classification, actor: User | None, comment: str) -> None:
    signoff = classification.pending_signoff
    if signoff is not None and signoff.status == Signoff.Status.PENDING:
        before = _signoff_snapshot(signoff)
        signoff.status, signoff.comment, signoff.decided_at = Signoff.Status.REJECTED, comment, timezone.now()
        lifecycle_services.save_versioned(signoff, ["status", "comment", "decided_at"])
        lifecycle_services.change_record(
            actor=actor,
            action="signoff.rejected",
            obj=signoff,
            project=classification.project_id,
            before=before,
            after=_signoff_snapshot(signoff),
        )
    classification.pending, classification.pending_signoff = None, None
    classification.save(update_fields=["pending", "pending_signoff"])


def classification_signoff_decided(*, signoff: Signoff, actor: User) -> None:
    """signoff_decide's follow-up for a classification change: approving it applies the pending
    classification; rejecting it drops the change (the one in force stays). The requester does
    not sign off their own change (signoff_decide refuses it before calling this)."""
    classification = Classification.objects.select_for_update(no_key=True).filter(project_id=signoff.project_id).first()
    if classification is None or classification.pending_signoff_id != signoff.pk or not classification.pending:
        return
    if signoff.status == Signoff.Status.APPROVED:
        requester = User.objects.filter(pk=classification.pending["requested_by"]).first()
        classification_apply(
            project=signoff.project, actor=requester, answers=classification.pending["answers"], existing=classification, approved_by=actor
        )
    else:
        classification.pending, classification.pending_signoff = None, None
        classification.save(update_fields=["pending", "pending_signoff"])


def classification_requester(signoff: Signoff) -> str | None:
    """The id of whoever asked for the classification change `signoff` decides (None otherwise)."""
    if signoff.kind != SignoffKind.CLASSIFICATION_CHANGE:
        return None
    pending = (
        Classification.objects.filter(project_id=signoff.project_id, pending_signoff=signoff).values_list("pending", flat=True).first()
    )
    return pending.get("requested_by") if pending else None


def _snapshot(classification: Classification) -> dict:
    return {
        "tier": classification.tier,
        "role": classification.role,
        "model_role": classification.model_role,
        "answers": classification.answers,
    }
