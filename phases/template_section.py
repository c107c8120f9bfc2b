"""The phases app's part of a lifecycle template: the artifact types each phase expects."""

from __future__ import annotations

import re

from lifecycle.infrastructure.yaml_loader import Checker, Node
from lifecycle.limits import GUIDANCE_MAX_LENGTH
from lifecycle.models import LifecycleTemplate
from lifecycle.services.templates import REF_PATTERN
from phases.artifact_types import ArtifactTypeKey
from phases.models import ArtifactTypeTemplate


class ArtifactsSection:
    name = "phases"
    top_keys: tuple[str, ...] = ()
    phase_keys = ("artifacts",)

    def validate(self, doc: Node, errors: list[str]) -> None:
        check = Checker(errors)
        for i, phase in enumerate(doc.get("phases") or []):
            if not isinstance(phase, Node):
                continue
            entries = check.sequence(phase, "artifacts", f"phases[{i}].artifacts", required=False)
            seen: set[str] = set()
            for j, entry in enumerate(entries):
                path = f"phases[{i}].artifacts[{j}]"
                if not isinstance(entry, Node):
                    check.error(entries.line_of(j), path, "must be a mapping")
                    continue
                check.unknown_keys(entry, ("type", "required", "guidance", "refs"), path)
                kind = check.choice(entry, "type", f"{path}.type", ArtifactTypeKey.values)
                if kind in seen:
                    check.error(entry.line_of("type"), f"{path}.type", f"{kind!r} is listed twice in this phase")
                seen.add(kind)
                check.boolean(entry, "required", f"{path}.required")
                check.text(entry, "guidance", f"{path}.guidance", required=False, max_len=GUIDANCE_MAX_LENGTH)
                check.strings(entry, "refs", f"{path}.refs", pattern=re.compile(REF_PATTERN))

    def load(self, doc: Node, template: LifecycleTemplate) -> None:
        phases = {p.key: p for p in template.phases.all()}
        rows = []
        for phase_doc in doc["phases"]:
            for order, entry in enumerate(phase_doc.get("artifacts") or []):
                rows.append(
                    ArtifactTypeTemplate(
                        phase=phases[phase_doc["key"]],
                        type=entry["type"],
                        required=bool(entry.get("required", False)),
                        guidance=str(entry.get("guidance") or "").strip(),
                        refs=list(entry.get("refs") or []),
                        order=order,
                    )
                )
        ArtifactTypeTemplate.objects.bulk_create(rows)

    def dump(self, template: LifecycleTemplate, doc: dict) -> None:
        by_phase: dict[str, list] = {}
        for row in ArtifactTypeTemplate.objects.filter(phase__template=template).select_related("phase").order_by("order"):
            entry = {"type": row.type, "required": row.required}
            if row.guidance:
                entry["guidance"] = row.guidance
            entry["refs"] = list(row.refs)
            by_phase.setdefault(row.phase.key, []).append(entry)
        for phase in doc["phases"]:
            phase["artifacts"] = by_phase.get(phase["key"], [])
