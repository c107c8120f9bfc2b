"""A readable diff between two versions of an artifact, field by field."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from phases.artifacts.fields import ArtifactType, Field, Rows


@dataclass
class FieldDiff:
    label: str
    before: str = ""
    after: str = ""
    # For long text and lists of rows: (" ", "+" or "-", text) lines in order.
    lines: list[tuple[str, str]] = field(default_factory=list)


def _lines(spec: Field | Rows, value: Any) -> list[str]:
    """`value` is the field's JSON value: a list of row dicts for Rows, else a scalar."""
    if isinstance(spec, Rows):
        return [spec.row_text(row) for row in value or []]
    return str(value or "").splitlines()


def diff_versions(artifact_type: ArtifactType, old: dict, new: dict, *, old_title: str = "", new_title: str = "") -> list[FieldDiff]:
    """Only the fields that differ, in the type's field order."""
    changes: list[FieldDiff] = []
    if old_title != new_title:
        changes.append(FieldDiff("Title", old_title, new_title))
    for spec in artifact_type.fields:
        before, after = old.get(spec.key), new.get(spec.key)
        if before == after:
            continue
        if isinstance(spec, Rows) or spec.kind == "longtext":
            ops = []
            for line in difflib.ndiff(_lines(spec, before), _lines(spec, after)):
                if line[:1] in ("+", "-", " "):
                    ops.append((line[:1], line[2:]))
            changes.append(FieldDiff(spec.label, lines=ops))
        else:
            changes.append(FieldDiff(spec.label, spec.display(before), spec.display(after)))
    return changes
