"""A small declarative schema for artifact contents: scalar fields and lists of rows.

Each artifact type (phases/artifacts/types.py) is a list of fields. One definition drives
everything the type needs: cleaning and validating input from forms and the API (with errors
keyed by field, e.g. "candidates[1].context_size"), rendering forms and read-only views, and
diffs between versions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, DecimalException
from typing import Any

Errors = dict[str, list[str]]

_URL = re.compile(r"^https?://[^\s]{1,490}$")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text | longtext | date | int | decimal | choice | bool | url
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    help: str = ""
    max_length: int | None = None

    @property
    def is_rows(self) -> bool:
        return False

    def limit(self) -> int:
        return self.max_length or (5000 if self.kind == "longtext" else 300)

    def clean(self, raw: Any, path: str, errors: Errors) -> Any:
        """The value in its stored (JSON) form, or None; problems go into `errors[path]`."""
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if self.required:
                errors.setdefault(path, []).append("This field is required.")
            return False if self.kind == "bool" else None
        cleaner = getattr(self, f"_clean_{self.kind}")
        try:
            return cleaner(raw)
        except ValueError as e:
            errors.setdefault(path, []).append(str(e))
            return None

    def _clean_text(self, raw: Any) -> str:
        if isinstance(raw, (dict, list, bool)):
            raise ValueError("Enter text.")
        value = str(raw).strip()
        if len(value) > self.limit():
            raise ValueError(f"Use at most {self.limit()} characters (this has {len(value)}).")
        return value

    _clean_longtext = _clean_text

    def _clean_url(self, raw: Any) -> str:
        value = self._clean_text(raw)
        if not _URL.match(value):
            raise ValueError("Enter a web address starting with http:// or https://.")
        return value

    def _clean_date(self, raw: Any) -> str:
        if isinstance(raw, date):
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError("Enter a date as YYYY-MM-DD.") from None

    def _clean_int(self, raw: Any) -> int:
        number = _number(raw, "Enter a whole number.")
        if number != number.to_integral_value():
            raise ValueError("Enter a whole number.")
        self._check_range(number)
        return int(number)

    def _clean_decimal(self, raw: Any) -> str:
        number = _number(raw, "Enter a number.")
        self._check_range(number)
        # Stored as a string: exact, and stable in JSON and in diffs.
        return format(number.normalize(), "f") if number == number.to_integral_value() else str(number)

    def _check_range(self, number: Decimal) -> None:
        if self.minimum is not None and number < Decimal(self.minimum):
            raise ValueError("Must not be negative." if Decimal(self.minimum) == 0 else f"Must be at least {self.minimum}.")
        if self.maximum is not None and number > Decimal(self.maximum):
            raise ValueError(f"Must be at most {self.maximum}.")

    def _clean_choice(self, raw: Any) -> str:
        value = str(raw).strip()
        allowed = [key for key, _ in self.choices]
        if value not in allowed:
            raise ValueError(f"Choose one of: {', '.join(allowed)}.")
        return value

    def _clean_bool(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        value = str(raw).strip().lower()
        if value in ("true", "on", "1", "yes"):
            return True
        if value in ("false", "off", "0", "no"):
            return False
        raise ValueError("Enter true or false.")

    def display(self, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if self.kind == "choice":
            return dict(self.choices).get(value, str(value))
        if self.kind == "bool":
            return "Yes" if value else "No"
        return str(value)


@dataclass(frozen=True)
class Rows:
    """A list of rows, each with the same sub-fields (participants, candidates, metrics...)."""

    key: str
    label: str
    fields: tuple[Field, ...]
    min_rows: int = 0
    max_rows: int = 50
    help: str = ""
    title_field: str = ""

    @property
    def is_rows(self) -> bool:
        return True

    def clean(self, raw: Any, path: str, errors: Errors) -> list[dict]:
        if raw is None or raw == "":
            raw = []
        if not isinstance(raw, list):
            errors.setdefault(path, []).append("Send a list of rows.")
            return []
        rows = []
        for index, item in enumerate(raw):
            if not isinstance(item, dict):
                errors.setdefault(f"{path}[{index}]", []).append("Each row must be an object.")
                continue
            unknown = set(item) - {f.key for f in self.fields}
            for name in sorted(unknown):
                errors.setdefault(f"{path}[{index}].{name}", []).append("This field is not known.")
            rows.append({f.key: f.clean(item.get(f.key), f"{path}[{index}].{f.key}", errors) for f in self.fields})
        if len(rows) < self.min_rows:
            errors.setdefault(path, []).append(f"Add at least {self.min_rows} row{'s' if self.min_rows != 1 else ''}.")
        if len(rows) > self.max_rows:
            errors.setdefault(path, []).append(f"Use at most {self.max_rows} rows.")
        return rows

    def row_text(self, row: dict) -> str:
        return " · ".join(f"{f.label}: {f.display(row.get(f.key))}" for f in self.fields if row.get(f.key) not in (None, ""))


AnyField = Field | Rows


@dataclass(frozen=True)
class ArtifactType:
    key: str
    label: str
    phase: str
    fields: tuple[AnyField, ...]
    description: str = ""
    # Cross-field rules (weights that mean something, a choice among the candidates...).
    rules: Callable[[dict, Errors], None] | None = None
    # Derived values shown with the artifact and used by gates (ranking, monthly cost, pass/fail).
    compute: Callable[[dict], dict] | None = None
    extras: dict = field(default_factory=dict)

    def field(self, key: str) -> AnyField:
        return next(f for f in self.fields if f.key == key)

    def clean(self, data: Any) -> tuple[dict, Errors]:
        errors: Errors = {}
        if not isinstance(data, dict):
            return {}, {"data": ["Send the artifact's fields as an object."]}
        for name in sorted(set(data) - {f.key for f in self.fields}):
            errors.setdefault(name, []).append("This field is not known.")
        cleaned = {f.key: f.clean(data.get(f.key), f.key, errors) for f in self.fields}
        if not errors and self.rules:
            self.rules(cleaned, errors)
        return cleaned, errors

    def computed(self, data: dict) -> dict:
        return self.compute(data) if self.compute else {}


LARGEST = Decimal(10) ** 15


def _number(raw: Any, message: str) -> Decimal:
    """A finite number of sensible size (below 10^15, at most 10 decimals), or ValueError:
    derived values are computed from these, and must never overflow."""
    if isinstance(raw, bool):
        raise ValueError(message)
    try:
        number = Decimal(str(raw).strip())
        if not number.is_finite():
            raise ValueError(message)
        if abs(number) >= LARGEST:
            raise ValueError("Enter a number below 1,000,000,000,000,000.")
        if number != number.quantize(Decimal("1e-10")):
            raise ValueError("Use at most 10 decimals.")
    except DecimalException:
        raise ValueError(message) from None
    return number
