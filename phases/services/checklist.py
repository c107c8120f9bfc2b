"""Checklist items: created from the template with the project, ticked with evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError
from lifecycle.limits import text_within
from lifecycle.models import ChecklistItemTemplate, Phase, Project, User
from lifecycle.permissions import Action
from phases.limits import CHECKLIST_NOTE_MAX_LENGTH
from phases.models import ChecklistItem

ITEM_FIELDS = ("done", "done_by", "done_at", "note", "evidence_links", "required", "title")
MAX_EVIDENCE_LINKS = 20
_url = URLValidator(schemes=["http", "https"])


def item_snapshot(item: ChecklistItem) -> dict:
    return lifecycle_services.snapshot(item, ITEM_FIELDS)


def project_phases_populate(project: Project, actor: User) -> list[ChecklistItem]:
    """lifecycle's project_created hook: copy the template's checklist into the new project."""
    phases = {p.template_id: p for p in project.phases.all()}
    templates = ChecklistItemTemplate.objects.filter(phase__template=project.template_id).order_by("phase__order", "order")
    items = [
        ChecklistItem(
            project=project,
            phase=phases[t.phase_id],
            key=t.key,
            title=t.title,
            guidance=t.guidance,
            required=t.required,
            weight=t.weight,
            refs=list(t.refs),
            order=t.order,
        )
        for t in templates
    ]
    ChecklistItem.objects.bulk_create(items)
    for item in items:
        lifecycle_services.change_record(actor=actor, action="checklist_item.created", obj=item, project=project, after=item_snapshot(item))
    return items


def clean_evidence_links(links: Iterable[str]) -> list[str]:
    cleaned = []
    for raw in links:
        link = str(raw).strip()
        if not link:
            continue
        try:
            _url(link)
        except ValidationError:
            raise ApplicationError(
                f"{link[:80]!r} is not a web address (http:// or https://).",
                fields={"evidence_links": [f"{link[:80]!r} is not a web address."]},
            ) from None
        if link not in cleaned:
            cleaned.append(link[:500])
    if len(cleaned) > MAX_EVIDENCE_LINKS:
        raise ApplicationError(
            f"At most {MAX_EVIDENCE_LINKS} evidence links per item.",
            fields={"evidence_links": [f"At most {MAX_EVIDENCE_LINKS} links."]},
        )
    return cleaned


def split_links(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text or "") if part]


@lifecycle_services.atomic
def checklist_item_set_done(
    *,
    item: ChecklistItem,
    actor: User,
    done: bool,
    note: str | None = None,
    evidence_links: Iterable[str] | None = None,
) -> ChecklistItem:
    """Tick or untick an item (with an optional note and evidence links), recording who and when.
    An obligation the EU AI Act classification added is ticked only with a note or a link."""
    lifecycle_services.lock_writable(item.project_id)
    item = ChecklistItem.objects.select_for_update(of=("self",), no_key=True).select_related("project", "phase").get(pk=item.pk)
    lifecycle_services.require(actor, item.project, Action.CONTRIBUTE)
    before = item_snapshot(item)
    if note is not None:
        item.note = text_within(field="note", text=note.strip(), limit=CHECKLIST_NOTE_MAX_LENGTH, label="Note")
    if evidence_links is not None:
        item.evidence_links = clean_evidence_links(evidence_links)
    if done and item.source == ChecklistItem.Source.OBLIGATION and not (item.note or item.evidence_links):
        # A legal duty is met when something shows it: an obligation's tick carries its evidence.
        raise ApplicationError(
            "An obligation is ticked with its evidence: add a note or a link that shows the duty is met.",
            code="evidence_required",
            fields={"note": ["Add a note or an evidence link."]},
        )
    if done != item.done:
        item.done = done
        item.done_by, item.done_at = (actor, timezone.now()) if done else (None, None)
    after = item_snapshot(item)
    if after == before:
        return item
    lifecycle_services.save_versioned(item, ["done", "done_by", "done_at", "note", "evidence_links"])
    action = (
        "checklist_item.done"
        if done and not before["done"]
        else "checklist_item.undone"
        if before["done"] and not done
        else "checklist_item.updated"
    )
    lifecycle_services.change_record(actor=actor, action=action, obj=item, project=item.project_id, before=before, after=after)
    return item


@lifecycle_services.atomic
def checklist_items_add(
    *, project: Project, actor: User | None, entries: Iterable[dict], source: str, tier: str = "", start: int = 1000
) -> list[ChecklistItem]:
    """Add items to a project's phases (governance adds its EU AI Act obligations this way).
    Each entry has phase (key), key, title, guidance, required, weight, refs, and may have
    carried_from. Items whose key is already in that phase are left alone. They are ordered from
    `start`, after the template's own items."""
    phases = {p.key: p for p in Phase.objects.filter(project=project)}
    existing = set(ChecklistItem.objects.filter(project=project).values_list("phase__key", "key"))
    items = []
    for order, entry in enumerate(entries, start=start):
        if (entry["phase"], entry["key"]) in existing:
            continue
        items.append(
            ChecklistItem(
                project=project,
                phase=phases[entry["phase"]],
                key=entry["key"],
                title=entry["title"],
                guidance=entry.get("guidance", ""),
                required=entry.get("required", False),
                weight=entry.get("weight", 1),
                refs=list(entry.get("refs", [])),
                order=order,
                source=source,
                obligation_tier=tier,
                carried_from=entry.get("carried_from", ""),
            )
        )
    ChecklistItem.objects.bulk_create(items)
    for item in items:
        lifecycle_services.change_record(actor=actor, action="checklist_item.created", obj=item, project=project, after=item_snapshot(item))
    return items


@lifecycle_services.atomic
def checklist_items_remove(*, project: Project, actor: User | None, source: str, keys: Iterable[str]) -> list[str]:
    """Remove the items with these keys that a source added (obligations that no longer bind the
    project). Returns their titles. Tombstones in the change feed tell clients they are gone."""
    items = list(ChecklistItem.objects.filter(project=project, source=source, key__in=list(keys)).order_by("phase__order", "order"))
    for item in items:
        lifecycle_services.change_record(
            actor=actor, action="checklist_item.removed", obj=item, project=project, op="delete", before=item_snapshot(item)
        )
    ChecklistItem.objects.filter(pk__in=[i.pk for i in items]).delete()
    return [i.title for i in items]
