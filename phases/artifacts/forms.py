"""HTML forms for artifact contents, built from the type definition.

Rows are plain inputs named `<list>-<index>-<field>`; "Add a row" is a submit button that
re-renders the form with one more row, and each row has a "Remove" checkbox, so the forms work
without JavaScript (and under a strict Content-Security-Policy).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from phases.artifacts.fields import ArtifactType, Field, Rows

INPUT_TYPES = {"text": "text", "url": "url", "date": "date", "int": "number", "decimal": "number"}
_ROW_KEY = re.compile(r"^(?P<list>[a-z_]+)-(?P<index>\d{1,3})-(?P<field>[a-z_]+)$")
MAX_ROW_INDEX = 200


@dataclass
class Input:
    spec: Field
    name: str
    value: Any
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"f-{self.name}"

    @property
    def widget(self) -> str:
        if self.spec.kind == "longtext":
            return "textarea"
        if self.spec.kind == "choice":
            return "select"
        if self.spec.kind == "bool":
            return "checkbox"
        return "input"

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.spec.kind, "text")

    @property
    def step(self) -> str:
        return "1" if self.spec.kind == "int" else "any"


@dataclass
class RowGroup:
    spec: Rows
    rows: list[list[Input]]
    errors: list[str] = field(default_factory=list)


def parse_post(kind: ArtifactType, post: QueryDict) -> tuple[dict, str | None]:
    """The artifact data a form posted, and the list a row should be added to (when the
    "Add a row" button was pressed). Removed and empty rows are dropped."""
    data: dict[str, Any] = {}
    for spec in kind.fields:
        if isinstance(spec, Rows):
            data[spec.key] = _parse_rows(spec, post)
        elif spec.kind == "bool":
            data[spec.key] = post.get(spec.key) == "on"
        else:
            data[spec.key] = post.get(spec.key, "")
    add_to = post.get("add_row")
    return data, add_to if add_to in {f.key for f in kind.fields if isinstance(f, Rows)} else None


def _parse_rows(spec: Rows, post: QueryDict) -> list[dict]:
    rows: dict[int, dict[str, Any]] = {}
    removed: set[int] = set()
    for key in post:
        match = _ROW_KEY.match(key)
        if not match or match["list"] != spec.key or int(match["index"]) > MAX_ROW_INDEX:
            continue
        index = int(match["index"])
        if match["field"] == "remove":
            removed.add(index)
            continue
        rows.setdefault(index, {})[match["field"]] = post.get(key)
    result = []
    for index in sorted(rows):
        if index in removed:
            continue
        row = {f.key: (rows[index].get(f.key) == "on" if f.kind == "bool" else rows[index].get(f.key, "")) for f in spec.fields}
        if any(value not in ("", None, False) for value in row.values()):
            result.append(row)
    return result


def build(kind: ArtifactType, data: dict | None, errors: dict[str, list[str]] | None = None, add_to: str | None = None) -> list:
    """Inputs and row groups to render, filled with `data` and the service's field errors
    (keyed "data.<field>" or "data.<list>[<i>].<field>")."""
    data = data or {}
    errors = {k.removeprefix("data."): v for k, v in (errors or {}).items()}
    items: list = []
    for spec in kind.fields:
        if isinstance(spec, Rows):
            values = list(data.get(spec.key) or [])
            if add_to == spec.key or not values:
                values.append({})
            rows = [
                [
                    Input(sub, f"{spec.key}-{i}-{sub.key}", row.get(sub.key, ""), errors.get(f"{spec.key}[{i}].{sub.key}", []))
                    for sub in spec.fields
                ]
                for i, row in enumerate(values)
            ]
            items.append(RowGroup(spec, rows, errors.get(spec.key, [])))
        else:
            items.append(Input(spec, spec.key, data.get(spec.key, ""), errors.get(spec.key, [])))
    return items


def read_only(kind: ArtifactType, data: dict) -> list[dict]:
    """Label/value pairs (and row tables) for showing a version."""
    shown: list[dict] = []
    for spec in kind.fields:
        value = data.get(spec.key)
        if isinstance(spec, Rows):
            shown.append(
                {
                    "label": spec.label,
                    "rows": True,
                    "headers": [f.label for f in spec.fields],
                    "values": [[f.display(row.get(f.key)) for f in spec.fields] for row in value or []],
                }
            )
        else:
            shown.append({"label": spec.label, "rows": False, "value": spec.display(value), "long": spec.kind == "longtext"})
    return shown
