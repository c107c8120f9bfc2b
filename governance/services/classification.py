"""The project's EU AI Act classification, and the obligations its tier adds to the checklist."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from governance.classification import classify, clean_answers
from governance.models import Classification, ObligationTemplate, Tier
from governance.selectors.compliance import obligations_applicable
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

    @property
    def summary(self) -> str:
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


@lifecycle_services.atomic
def classification_set(*, project: Project, actor: User, answers: Any) -> ClassificationChange:
    """Answer (or change) the questionnaire: store tier, role and rationale, and bring the
    checklist in line: obligations that now bind the project (by tier, role and facts) are added,
    those that no longer do are removed (done or not: the record keeps them in the audit log).
    Owners and contributors answer it (Action.CONTRIBUTE)."""
    lifecycle_services.require(actor, project, Action.CONTRIBUTE)
    project = lifecycle_services.lock_writable(project)
    cleaned, errors = clean_answers(answers)
    if errors:
        name, messages = next(iter(errors.items()))
        raise ApplicationError(f"{name}: {messages[0]}", fields={f"answers.{k}": v for k, v in errors.items()})
    result = classify(cleaned)
    existing = Classification.objects.select_for_update(no_key=True).filter(project=project).first()
    previous_tier = existing.tier if existing else None
    before = _snapshot(existing) if existing else None
    classification = existing or Classification(project=project)
    classification.answers, classification.tier, classification.role = cleaned, result.tier, result.role
    classification.model_role, classification.rationale = result.model_role, result.rationale
    classification.classified_by, classification.classified_at = actor, timezone.now()
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
    for tier in dict.fromkeys(o.tier for o in applicable if o.key not in present):
        entries = [_entry(o, current) for o in applicable if o.tier == tier and o.key not in present]
        added = phases_services.checklist_items_add(
            project=project, actor=actor, entries=entries, source=ChecklistItem.Source.OBLIGATION, tier=tier
        )
        change.added += [item.title for item in added]
    lifecycle_services.change_record(
        actor=actor,
        action="project.classified",
        type="project",
        object_id=project.pk,
        project=project,
        label=project.name,
        before=before,
        after={**_snapshot(classification), "summary": change.summary},
    )
    return change


def _snapshot(classification: Classification) -> dict:
    return {
        "tier": classification.tier,
        "role": classification.role,
        "model_role": classification.model_role,
        "answers": classification.answers,
    }
