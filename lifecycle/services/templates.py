"""Lifecycle templates: import and export as YAML, and the lifecycle part of each template.

Each app owns its part of a template (docs/template-format.md). Lifecycle reads the top level,
the five phases and their checklists; higher apps register their sections through lifecycle.hooks.
An import validates every section first and writes nothing while any problem remains.

Only administrators import and duplicate templates (`template_change_check`); an actor of None
is the system (the `import_template` command, the default template installed after migrate),
which may. Validating and exporting change nothing.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max

from lifecycle import hooks
from lifecycle.exceptions import ApplicationError
from lifecycle.infrastructure import yaml_loader
from lifecycle.infrastructure.yaml_loader import Checker, Node
from lifecycle.limits import DESCRIPTION_MAX_LENGTH, GUIDANCE_MAX_LENGTH
from lifecycle.models import ChecklistItemTemplate, LifecycleTemplate, PhaseKey, PhaseTemplate, User
from lifecycle.services.records import atomic, change_record

DEFAULT_TEMPLATE_PATH = Path(settings.BASE_DIR) / "lifecycle" / "fixtures" / "templates" / "genai-default.yaml"
REF_PATTERN = r"^[a-z0-9-]+:[A-Za-z0-9.()_-]+$"


class TemplateImportError(ApplicationError):
    def __init__(self, errors: list[str]):
        super().__init__(
            "The template was not imported: " + "; ".join(errors[:5]) + (" …" if len(errors) > 5 else ""),
            code="template_invalid",
            fields={"file": errors},
        )
        self.errors = errors


class LifecycleSection:
    """The top level, the phases and their checklists."""

    name = "lifecycle"
    top_keys = ("key", "name", "description", "phases")
    phase_keys = ("key", "name", "description", "duration_days", "checklist")
    item_keys = ("key", "title", "guidance", "required", "weight", "refs")

    def validate(self, doc: Node, errors: list[str]) -> None:
        check = Checker(errors)
        check.slug(doc, "key", "key", max_len=60)
        check.text(doc, "name", "name")
        check.text(doc, "description", "description", required=False, max_len=DESCRIPTION_MAX_LENGTH)
        phases = check.sequence(doc, "phases", "phases")
        keys = []
        item_keys: set[str] = set()
        for i, phase in enumerate(phases):
            path = f"phases[{i}]"
            if not isinstance(phase, Node):
                check.error(phases.line_of(i), path, "must be a mapping")
                continue
            keys.append(check.choice(phase, "key", f"{path}.key", PhaseKey.ordered()))
            check.text(phase, "name", f"{path}.name", max_len=100)
            check.text(phase, "description", f"{path}.description", required=False, max_len=DESCRIPTION_MAX_LENGTH)
            check.integer(phase, "duration_days", f"{path}.duration_days", minimum=1, maximum=365, default=21)
            self._validate_checklist(check, phase, path, item_keys)
        if phases and keys != PhaseKey.ordered():
            check.error(phases.line, "phases", "must list the five phases in order: " + ", ".join(PhaseKey.ordered()))

    def _validate_checklist(self, check: Checker, phase: Node, path: str, seen: set[str]) -> None:
        items = check.sequence(phase, "checklist", f"{path}.checklist", required=False)
        for j, item in enumerate(items):
            item_path = f"{path}.checklist[{j}]"
            if not isinstance(item, Node):
                check.error(items.line_of(j), item_path, "must be a mapping")
                continue
            validate_item(check, item, item_path, seen)

    def load(self, doc: Node, template: LifecycleTemplate) -> None:
        items = []
        for order, phase_doc in enumerate(doc["phases"]):
            phase = PhaseTemplate.objects.create(
                template=template,
                key=phase_doc["key"],
                order=order,
                name=phase_doc["name"],
                description=phase_doc.get("description", ""),
                duration_days=phase_doc.get("duration_days", 21),
            )
            for item_order, item in enumerate(phase_doc.get("checklist") or []):
                items.append(ChecklistItemTemplate(phase=phase, order=item_order, **item_fields(item)))
        ChecklistItemTemplate.objects.bulk_create(items)

    def dump(self, template: LifecycleTemplate, doc: dict) -> None:
        doc.update({"key": template.key, "name": template.name, "description": template.description})
        doc["phases"] = []
        for phase in template.phases.prefetch_related("checklist").order_by("order"):
            doc["phases"].append(
                {
                    "key": phase.key,
                    "name": phase.name,
                    "description": phase.description,
                    "duration_days": phase.duration_days,
                    "checklist": [
                        {
                            "key": item.key,
                            "title": item.title,
                            "guidance": item.guidance,
                            "required": item.required,
                            "weight": item.weight,
                            "refs": list(item.refs),
                        }
                        for item in phase.checklist.all()
                    ],
                }
            )


def validate_item(check: Checker, item: Node, path: str, seen: set[str], extra_keys: tuple[str, ...] = ()) -> None:
    """Checks one checklist item (also used by governance for tier obligations)."""
    check.unknown_keys(item, (*LifecycleSection.item_keys, *extra_keys), path)
    key = check.slug(item, "key", f"{path}.key")
    if key in seen:
        check.error(item.line_of("key"), f"{path}.key", f"{key!r} is used twice in this template")
    seen.add(key)
    check.text(item, "title", f"{path}.title")
    check.text(item, "guidance", f"{path}.guidance", required=False, max_len=GUIDANCE_MAX_LENGTH)
    check.boolean(item, "required", f"{path}.required")
    check.integer(item, "weight", f"{path}.weight", minimum=1, maximum=10, default=1)
    check.strings(item, "refs", f"{path}.refs", pattern=re.compile(REF_PATTERN))


def item_fields(item: Node) -> dict:
    return {
        "key": item["key"],
        "title": str(item["title"]).strip(),
        "guidance": str(item.get("guidance") or "").strip(),
        "required": bool(item.get("required", False)),
        "weight": item.get("weight", 1),
        "refs": list(item.get("refs") or []),
    }


LIFECYCLE_SECTION = LifecycleSection()


def _sections() -> list:
    return [LIFECYCLE_SECTION, *hooks.registry.template_sections]


def _check_unknown_keys(doc: Node, sections: list, errors: list[str]) -> None:
    check = Checker(errors)
    top = {k for s in sections for k in getattr(s, "top_keys", ())}
    check.unknown_keys(doc, top, "")
    phase_keys = {k for s in sections for k in getattr(s, "phase_keys", ())}
    for i, phase in enumerate(doc.get("phases") or []):
        if isinstance(phase, Node):
            check.unknown_keys(phase, phase_keys, f"phases[{i}]")


def template_validate(*, text: str) -> Node:
    """Parse and validate a template document; raise TemplateImportError with every problem."""
    try:
        doc = yaml_loader.load(text)
    except yaml_loader.YamlFormatError as e:
        raise TemplateImportError(e.errors) from None
    errors: list[str] = []
    sections = _sections()
    _check_unknown_keys(doc, sections, errors)
    for section in sections:
        section.validate(doc, errors)
    if errors:
        raise TemplateImportError(sorted(set(errors), key=_line_number))
    return doc


def _line_number(error: str) -> tuple[int, str]:
    try:
        return int(error.split(":", 1)[0].removeprefix("line ")), error
    except ValueError:
        return 0, error


def template_change_check(*, actor: User | None) -> None:
    """Templates are edited by administrators only (PRODUCT.md, Roles and permissions)."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("Only administrators can import or change lifecycle templates.")


@atomic
def template_import(*, text: str, actor: User | None = None, make_default: bool = False, shipped: bool = False) -> LifecycleTemplate:
    """Import a template as the next version of its key (version 1 for a new key). `shipped`
    marks the product's own file (with its hash), so that a newer shipped file is loaded as the
    next version after an upgrade (template_ensure_default)."""
    template_change_check(actor=actor)
    doc = template_validate(text=text)
    latest = LifecycleTemplate.objects.filter(key=doc["key"]).aggregate(v=Max("version"))["v"] or 0
    if make_default or not LifecycleTemplate.objects.filter(is_default=True).exists():
        LifecycleTemplate.objects.filter(is_default=True).update(is_default=False)
        make_default = True
    template = LifecycleTemplate.objects.create(
        key=doc["key"],
        version=latest + 1,
        name=doc["name"],
        description=doc.get("description", "") or "",
        is_default=make_default,
        created_by=actor,
        shipped_sha256=hashlib.sha256(text.encode()).hexdigest() if shipped else "",
    )
    for section in _sections():
        section.load(doc, template)
    change_record(
        actor=actor,
        action="template.imported",
        obj=template,
        after={"key": template.key, "version": template.version},
        feed=False,
    )
    return template


def template_export(*, template: LifecycleTemplate) -> str:
    doc: dict = {}
    for section in _sections():
        section.dump(template, doc)
    ordered = {k: doc[k] for k in ("key", "name", "description") if k in doc}
    ordered.update({k: v for k, v in doc.items() if k not in ordered and k != "phases"})
    ordered["phases"] = doc["phases"]
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)


@atomic
def template_duplicate(*, template: LifecycleTemplate, actor: User | None = None) -> LifecycleTemplate:
    """A new, editable version with the same content (versions in use are locked)."""
    template_change_check(actor=actor)
    return template_import(text=template_export(template=template), actor=actor)


def template_ensure_default() -> LifecycleTemplate | None:
    """Import the shipped default template, as the system (after migrate or a test database
    flush): when no template exists yet; or as the next version of its key when the shipped file
    changed since its latest version was loaded from it (an upgrade's new obligations or corrected
    dates). That version becomes the default if the previous one was; projects keep the version
    they were created with. A latest version someone imported is left alone. Returns the version
    imported, or None."""
    text = DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")
    if not LifecycleTemplate.objects.exists():
        return template_import(text=text, make_default=True, shipped=True)
    key = yaml.safe_load(text)["key"]
    latest = LifecycleTemplate.objects.filter(key=key).order_by("-version").first()
    if latest is None or latest.shipped_sha256 == "" or latest.shipped_sha256 == hashlib.sha256(text.encode()).hexdigest():
        return None
    return template_import(text=text, make_default=latest.is_default, shipped=True)


def template_is_locked(template: LifecycleTemplate) -> bool:
    return template.projects.exists()
